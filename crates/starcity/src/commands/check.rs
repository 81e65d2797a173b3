//! `starcity check`: validate scenario and divergence files, every error located.

use miette::{Result, miette};
use starcity_core::divergence;
use starcity_core::limits::FILE_BYTES;
use starcity_core::scenario::{LoadErrors, Scenario};

use crate::config;
use crate::input;
use crate::output::{self, Sink};

pub fn run(files: &[String]) -> Result<()> {
    if files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(miette!("`-` (standard input) is given more than once; it can be read only once"));
    }
    let mut failed = 0;
    for f in files {
        match check_one(f) {
            Ok(line) => output::emit(&(line + "\n"), Sink::Stdout)?,
            Err(e) => {
                failed += 1;
                crate::report_error(&miette::Report::new(e));
            }
        }
    }
    if failed > 0 {
        let plural = if files.len() == 1 { "" } else { "s" };
        return Err(miette!("{failed} of {} file{plural} failed the check", files.len()));
    }
    Ok(())
}

/// Checks one file, a scenario or (if it has a `[divergence]` table) a divergence compiled
/// against its `base`.
fn check_one(name: &str) -> std::result::Result<String, LoadErrors> {
    let text = input::read_text(name, FILE_BYTES)?;
    if !divergence::is_divergence(&text) {
        let sc = Scenario::from_toml(name, &text)?;
        let (a, p, r) = (sc.agencies.len(), sc.programs.len(), sc.rules.len());
        return Ok(format!("{name}: ok (scenario {}: {a} agencies, {p} programs, {r} rules)", sc.id));
    }
    let header = divergence::header(name, &text)?;
    let base = config::base_scenario(&header, name, &text)?;
    let sc = divergence::apply(name, &text, &base)?;
    Ok(format!("{name}: ok (divergence {} on {}: {} interventions)", header.id, base.id, sc.interventions.len()))
}
