//! Built-in scenarios, compiled into the binary so a fresh install runs with no files around it.

use crate::scenario::{LoadErrors, Scenario};

/// A built-in scenario: its name and TOML text.
pub struct Builtin {
    pub name: &'static str,
    pub toml: &'static str,
}

/// The built-in scenarios; the first is the default.
pub const SCENARIOS: &[Builtin] = &[Builtin {
    name: "tiny-race",
    toml: include_str!("../scenarios/tiny-race.toml"),
}];

/// The scenario `run` uses when none is named.
pub const DEFAULT_SCENARIO: &str = "tiny-race";

/// Finds a built-in by name.
pub fn find(name: &str) -> Option<&'static Builtin> {
    SCENARIOS.iter().find(|b| b.name == name)
}

/// Loads a scenario named either as a built-in or as a path to a TOML file.
pub fn load_scenario(name_or_path: &str) -> Result<Scenario, LoadErrors> {
    match find(name_or_path) {
        Some(b) => Scenario::from_toml(&format!("<builtin:{}>", b.name), b.toml),
        None => Scenario::load(std::path::Path::new(name_or_path)),
    }
}
