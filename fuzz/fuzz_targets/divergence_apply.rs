//! Divergence TOML → `divergence::apply` against the built-in space-race (compiled once).
//!
//! An input may hold two divergences separated by a line `#---`: the second is applied on top of
//! the first (composition: rules added by one and removed by the next, ids applied twice…). The
//! result is turned into reports on empty summaries, which exercises the interventions table and
//! every report field without running timelines.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use starcity_core::{CompareReport, Paired, RunReport, Scenario, Summary, builtin, counterfactual, divergence};

static BASE: LazyLock<Scenario> =
    LazyLock::new(|| builtin::scenario("space-race").expect("space-race is a built-in"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sc = BASE.clone();
    for part in text.splitn(2, "\n#---\n") {
        match divergence::apply("<fuzz>", part, &sc) {
            Ok(next) => sc = next,
            Err(_) => return,
        }
    }
    let (base_summary, div_summary) = (Summary::new(&BASE), Summary::new(&sc));
    let _ = counterfactual::interventions(&BASE, &sc, &base_summary, &div_summary);
    let _ = RunReport::new(&sc, &div_summary, 1, sc.divergences.clone());
    let _ = CompareReport::new(&BASE, &sc, &Paired::new(&BASE, &sc), 1);
});
