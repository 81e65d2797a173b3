//! Built-in scenarios and divergences, compiled into the binary so a fresh install runs with no
//! files around it.

use crate::scenario::Scenario;

/// A built-in file: its name and TOML text.
pub struct Builtin {
    pub name: &'static str,
    pub toml: &'static str,
}

/// The built-in scenarios; the first is the default.
pub const SCENARIOS: &[Builtin] = &[
    Builtin { name: "space-race", toml: include_str!("../../../scenarios/space-race.toml") },
    Builtin { name: "tiny-race", toml: include_str!("../../../scenarios/tiny-race.toml") },
];

/// The built-in divergences.
pub const DIVERGENCES: &[Builtin] = &[
    Builtin { name: "star-city", toml: include_str!("../../../divergences/star-city.toml") },
    Builtin { name: "korolev-survives", toml: include_str!("../../../divergences/korolev-survives.toml") },
    Builtin { name: "n1-5l-flies", toml: include_str!("../../../divergences/n1-5l-flies.toml") },
    Builtin { name: "n1-static-test-stand", toml: include_str!("../../../divergences/n1-static-test-stand.toml") },
    Builtin { name: "early-soviet-decision", toml: include_str!("../../../divergences/early-soviet-decision.toml") },
    Builtin { name: "zond-crew-1968", toml: include_str!("../../../divergences/zond-crew-1968.toml") },
    Builtin {
        name: "apollo8-stays-in-earth-orbit",
        toml: include_str!("../../../divergences/apollo8-stays-in-earth-orbit.toml"),
    },
    Builtin { name: "no-apollo1-fire", toml: include_str!("../../../divergences/no-apollo1-fire.toml") },
    Builtin { name: "soyuz1-succeeds", toml: include_str!("../../../divergences/soyuz1-succeeds.toml") },
    Builtin { name: "nasa-budget-holds", toml: include_str!("../../../divergences/nasa-budget-holds.toml") },
    Builtin { name: "n1-not-cancelled", toml: include_str!("../../../divergences/n1-not-cancelled.toml") },
];

/// The scenario `run` uses when none is named.
pub const DEFAULT_SCENARIO: &str = "space-race";

/// Finds a built-in scenario by name.
pub fn find(name: &str) -> Option<&'static Builtin> {
    SCENARIOS.iter().find(|b| b.name == name)
}

/// Finds a built-in divergence by name.
pub fn find_divergence(name: &str) -> Option<&'static Builtin> {
    DIVERGENCES.iter().find(|b| b.name == name)
}

/// Compiles a built-in scenario by name; `None` if there is no such built-in.
pub fn scenario(name: &str) -> Option<Scenario> {
    // Built-ins are tested to compile (see the tests below), so an error here is a bug in a
    // shipped file; report it as the file's own errors rather than hide it.
    find(name).map(|b| Scenario::from_toml(&origin(b.name), b.toml).unwrap_or_else(|e| panic!("{e:?}")))
}

/// The name errors give a built-in file: `<builtin:NAME>`.
pub fn origin(name: &str) -> String {
    format!("<builtin:{name}>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::divergence;

    #[test]
    fn every_builtin_compiles_and_every_divergence_applies_to_its_base() {
        for b in SCENARIOS {
            Scenario::from_toml(&origin(b.name), b.toml).unwrap_or_else(|e| panic!("{}: {e:?}", b.name));
        }
        for d in DIVERGENCES {
            let header = divergence::header(&origin(d.name), d.toml).unwrap_or_else(|e| panic!("{e:?}"));
            let base = scenario(header.base.as_deref().unwrap_or(DEFAULT_SCENARIO)).expect("base is built in");
            divergence::apply(&origin(d.name), d.toml, &base).unwrap_or_else(|e| panic!("{}: {e:?}", d.name));
        }
    }
}
