//! The history check of the brief (§7): in `space-race`, the real first crewed circumlunar flight
//! (Apollo 8, 1968-12) and the first landing (1969-07-20) lie inside the model's 10-90 % bands for
//! the USA. Prints the percentile of every real date the scenario lists.

use std::sync::atomic::AtomicU64;

use starcity_core::builtin;
use starcity_core::ensemble::{self, RunConfig};
use starcity_core::report::RunReport;

#[test]
fn real_landing_and_circumlunar_dates_fall_inside_the_model_bands() {
    let sc = builtin::scenario("space-race").expect("space-race loads");
    let s = ensemble::run(&sc, RunConfig { seed: 1, timelines: 4_000 }, &AtomicU64::new(0)).expect("within the limits");
    let report = RunReport::new(&sc, &s, 1, Vec::new());
    for h in &report.history {
        println!("{} {} {}: percentile {:.1} %", h.milestone, h.agency, h.date, 100.0 * h.percentile);
    }
    for (milestone, date_prefix) in [("crewed_circumlunar", "1968-12"), ("crewed_lunar_landing", "1969-07-20")] {
        let h = report
            .history
            .iter()
            .find(|h| h.milestone == milestone && h.agency == "USA")
            .unwrap_or_else(|| panic!("space-race lists no real date for {milestone}"));
        assert!(h.date.starts_with(date_prefix), "{milestone}: real date {} is not {date_prefix}", h.date);
        assert!(
            h.in_band,
            "{milestone} {}: at the {:.1} percentile, outside the 10-90 % band",
            h.date,
            100.0 * h.percentile
        );
    }
}
