//! Scenario TOML → compile; if it compiles, run a few timelines and render their report in every
//! format (names are the fuzzer's text), and if it has a record, replay it
//! (to its end and to its middle) and run a few replayed timelines. Load, run and record errors are
//! fine (limits reached, event budget, a record the model cannot produce); a panic, abort, OOM or
//! timeout is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starcity_core::report::{RunReport, csv, html, text, views};
use starcity_core::{RunConfig, Scenario, replay, run_ensemble};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(sc) = Scenario::from_toml("<fuzz>", text) else { return };
    if let Ok(summary) = run_ensemble(&sc, RunConfig { seed: 1, timelines: 3 }) {
        let doc = views::run(&RunReport::new(&sc, &summary, 1, Vec::new()));
        let _ = (text::text(&doc), text::markdown(&doc), csv::csv(&doc));
        assert!(html::html(&doc).is_ok(), "the page template renders any report");
    }
    let Some(end) = sc.record.until_date else { return };
    let middle = sc.start + (end - sc.start) / 2;
    for until in [end, middle] {
        if let Ok(replayed) = replay::replaying(&sc, until, true) {
            let _ = run_ensemble(&replayed, RunConfig { seed: 1, timelines: 3 });
        }
    }
});
