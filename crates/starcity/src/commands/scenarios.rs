//! `starcity scenarios`: the built-in scenarios and divergences, one line each.

use std::fmt::Write as _;

use miette::Result;
use starcity_core::{builtin, divergence};

use crate::output::{self, Sink};

pub fn run() -> Result<()> {
    let mut text = String::from("Built-in scenarios (the first is the default):\n");
    for b in builtin::SCENARIOS {
        let description = builtin::scenario(b.name).map(|s| s.description).unwrap_or_default();
        let _ = writeln!(text, "  {:<28} {}", b.name, description);
    }
    text.push_str("\nBuilt-in divergences (use with -d NAME):\n");
    for b in builtin::DIVERGENCES {
        let description =
            divergence::header(b.name, b.toml).map(|d| d.description).unwrap_or_else(|_| "(does not load)".into());
        let _ = writeln!(text, "  {:<28} {}", b.name, description);
    }
    output::emit(&text, Sink::Stdout)
}
