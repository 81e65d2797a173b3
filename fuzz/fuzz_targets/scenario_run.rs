//! Scenario TOML → compile; if it compiles, run a few timelines. Load and run errors are fine
//! (limits reached, event budget); a panic, abort, OOM or timeout is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starcity_core::{RunConfig, Scenario, run_ensemble};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(sc) = Scenario::from_toml("<fuzz>", text) else { return };
    let _ = run_ensemble(&sc, RunConfig { seed: 1, timelines: 3 });
});
