//! Scenario TOML → `Scenario::from_toml`. Any error is fine; a panic is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starcity_core::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Scenario::from_toml("<fuzz>", text);
});
