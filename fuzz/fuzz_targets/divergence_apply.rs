//! Divergence TOML → `divergence::apply` against the built-in space-race (compiled once).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use starcity_core::{Scenario, builtin, divergence};

static BASE: LazyLock<Scenario> =
    LazyLock::new(|| builtin::scenario("space-race").expect("space-race is a built-in"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = divergence::apply("<fuzz>", text, &BASE);
});
