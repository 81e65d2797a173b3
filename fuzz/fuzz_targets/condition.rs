//! A condition string → `parse_condition` on tiny-race; if it parses, `World::holds` on one
//! finished tiny-race timeline (both computed once).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use starcity_core::{Scenario, World, builtin, ensemble};

static TINY: LazyLock<(Scenario, World)> = LazyLock::new(|| {
    let sc = builtin::scenario("tiny-race").expect("tiny-race is a built-in");
    let w = ensemble::one(&sc, 7, 0);
    (sc, w)
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (sc, world) = &*TINY;
    if let Ok(cond) = sc.parse_condition("<fuzz>", text) {
        let _ = world.holds(&cond);
    }
});
