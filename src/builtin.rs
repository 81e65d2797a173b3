//! Built-in scenarios and divergences, compiled into the binary so a fresh install runs with no
//! files around it.

use std::path::Path;

use crate::divergence;
use crate::scenario::{LoadErrors, Scenario};

/// A built-in file: its name and TOML text.
pub struct Builtin {
    pub name: &'static str,
    pub toml: &'static str,
}

/// The built-in scenarios; the first is the default.
pub const SCENARIOS: &[Builtin] = &[
    Builtin { name: "space-race", toml: include_str!("../scenarios/space-race.toml") },
    Builtin { name: "tiny-race", toml: include_str!("../scenarios/tiny-race.toml") },
];

/// The built-in divergences.
pub const DIVERGENCES: &[Builtin] = &[
    Builtin { name: "star-city", toml: include_str!("../divergences/star-city.toml") },
    Builtin { name: "korolev-survives", toml: include_str!("../divergences/korolev-survives.toml") },
    Builtin { name: "n1-5l-flies", toml: include_str!("../divergences/n1-5l-flies.toml") },
    Builtin { name: "n1-static-test-stand", toml: include_str!("../divergences/n1-static-test-stand.toml") },
    Builtin { name: "early-soviet-decision", toml: include_str!("../divergences/early-soviet-decision.toml") },
    Builtin { name: "zond-crew-1968", toml: include_str!("../divergences/zond-crew-1968.toml") },
    Builtin {
        name: "apollo8-stays-in-earth-orbit",
        toml: include_str!("../divergences/apollo8-stays-in-earth-orbit.toml"),
    },
    Builtin { name: "no-apollo1-fire", toml: include_str!("../divergences/no-apollo1-fire.toml") },
    Builtin { name: "soyuz1-succeeds", toml: include_str!("../divergences/soyuz1-succeeds.toml") },
    Builtin { name: "nasa-budget-holds", toml: include_str!("../divergences/nasa-budget-holds.toml") },
    Builtin { name: "n1-not-cancelled", toml: include_str!("../divergences/n1-not-cancelled.toml") },
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

/// Loads a scenario named either as a built-in or as a path to a TOML file.
pub fn load_scenario(name_or_path: &str) -> Result<Scenario, LoadErrors> {
    match find(name_or_path) {
        Some(b) => Scenario::from_toml(&format!("<builtin:{}>", b.name), b.toml),
        None => Scenario::load(Path::new(name_or_path)),
    }
}

/// The text of a divergence named as a built-in or a path, with the name errors should use.
pub fn divergence_text(name_or_path: &str) -> Result<(String, String), LoadErrors> {
    match find_divergence(name_or_path) {
        Some(b) => Ok((format!("<builtin:{}>", b.name), b.toml.to_string())),
        None => {
            let bytes = std::fs::read(name_or_path).map_err(|e| LoadErrors::io(name_or_path, &e))?;
            let text = String::from_utf8(bytes).map_err(|_| LoadErrors::not_text(name_or_path))?;
            Ok((name_or_path.to_string(), text))
        }
    }
}

/// Applies divergences, in order, to a scenario.
pub fn apply_divergences(mut sc: Scenario, names: &[String]) -> Result<Scenario, LoadErrors> {
    for name in names {
        let (origin, text) = divergence_text(name)?;
        sc = divergence::apply(&origin, &text, &sc)?;
    }
    Ok(sc)
}
