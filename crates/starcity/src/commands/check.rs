//! `starcity check`: validate scenarios and divergences, built-in or files, every error located.

use miette::{Result, miette};
use starcity_core::limits::FILE_BYTES;
use starcity_core::scenario::{LoadError, LoadErrors, Scenario};
use starcity_core::{builtin, divergence};

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

/// Checks one built-in or file: a scenario, or (if it has a `[divergence]` table) a divergence
/// compiled against its `base`.
fn check_one(name: &str) -> std::result::Result<String, LoadErrors> {
    let (origin, text) = source(name)?;
    if !divergence::is_divergence(&text) {
        let sc = Scenario::from_toml(&origin, &text)?;
        let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let what = [
            count(sc.agencies.len(), "agency", "agencies"),
            count(sc.programs.len(), "program", "programs"),
            count(sc.programs.iter().map(|p| p.flights.len()).sum(), "named flight", "named flights"),
            count(sc.rules.len(), "rule", "rules"),
        ];
        let record = record_check(name, &sc)?;
        return Ok(format!("{name}: ok (scenario {}: {}{record})", sc.id, what.join(", ")));
    }
    let header = divergence::header(&origin, &text)?;
    let base = config::base_scenario(&header, &origin, &text)?;
    let sc = divergence::apply(&origin, &text, &base)?;
    let replays = match (sc.diverges, base.record.until_date) {
        (Some(d), Some(_)) => match starcity_core::replay::replaying(&sc, d, false) {
            Ok(_) => format!("; replays the record to its date {d}"),
            Err(e) => return Err(LoadErrors::new(name, vec![LoadError::whole(name, e.to_string())])),
        },
        _ => String::new(),
    };
    let n = sc.interventions.len();
    Ok(format!("{name}: ok (divergence {} on {}: {n} interventions{replays})", header.id, base.id))
}

/// A scenario's record must replay: every recorded flight on its date, as the model can fly it.
fn record_check(name: &str, sc: &Scenario) -> std::result::Result<String, LoadErrors> {
    let Some(until) = sc.record.until_date else { return Ok(String::new()) };
    match starcity_core::replay::replaying(sc, until, false) {
        Ok(_) => Ok(format!(
            "; a record of {} real flights and {} program ends to {until} that replays",
            sc.record.flights.len(),
            sc.record.ends.len()
        )),
        Err(e) => Err(LoadErrors::new(name, vec![LoadError::whole(name, e.to_string())])),
    }
}

/// The TOML of a built-in scenario or divergence (by name; built-ins first, as every command
/// resolves names), else of a file or `-`: (the name its errors use, the text).
pub fn source(name: &str) -> std::result::Result<(String, String), LoadErrors> {
    if let Some(b) = builtin::find(name).or_else(|| builtin::find_divergence(name)) {
        return Ok((builtin::origin(b.name), b.toml.to_string()));
    }
    match input::read_text(name, FILE_BYTES) {
        Ok(text) => Ok((name.to_string(), text)),
        Err(_) if name != "-" && !std::path::Path::new(name).exists() => Err(unknown(name)),
        Err(e) => Err(e),
    }
}

/// Neither a built-in nor a file: say both, with the built-ins (a typo is likelier than a
/// missing file).
fn unknown(name: &str) -> LoadErrors {
    let list = |all: &[builtin::Builtin]| all.iter().map(|b| b.name).collect::<Vec<_>>().join(", ");
    let message = format!(
        "cannot read the file: no such file, and `{name}` is not a built-in scenario or divergence; \
         built-in scenarios: {}; built-in divergences: {}",
        list(builtin::SCENARIOS),
        list(builtin::DIVERGENCES)
    );
    LoadErrors::new(name, vec![LoadError::whole(name, message)])
}
