//! From flags to what a command runs: the scenario and divergences loaded (built-in names or
//! files, read within the limits), checked once, before any simulation starts.

use miette::{Result, miette};
use starcity_core::limits::{DIVERGENCES, FILE_BYTES};
use starcity_core::scenario::{LoadErrors, Scenario};
use starcity_core::shard::Source;
use starcity_core::{builtin, divergence};

use crate::cli::{EnsembleArgs, HistoryUntil};
use crate::input;
use starcity_core::replay;

/// A baseline scenario and the same scenario with the divergences applied.
pub struct Worlds {
    pub base: Scenario,
    pub div: Scenario,
}

impl Worlds {
    /// Loads the scenario and applies the divergences in order; checks `-o` can be written.
    /// Without a scenario argument, the first divergence's `base` is the scenario (the one it
    /// was written for), else the default.
    pub fn load(args: &EnsembleArgs) -> Result<Worlds> {
        Worlds::compile(&Inputs::read(args)?, args.history_until)
    }

    /// Compiles inputs already read (as a shard file carries them).
    pub fn compile(inputs: &Inputs, history_until: Option<HistoryUntil>) -> Result<Worlds> {
        let base = Scenario::from_toml(&inputs.scenario.origin, &inputs.scenario.text)?;
        let texts: Vec<(String, String)> =
            inputs.divergences.iter().map(|d| (d.origin.clone(), d.text.clone())).collect();
        Worlds::diverged(base, &texts, history_until)
    }

    /// `base` and `base` with the divergences (`(origin, text)`) applied in order, both
    /// conditioned on the record as `history_until` asks.
    pub fn diverged(
        base: Scenario,
        divergences: &[(String, String)],
        history_until: Option<HistoryUntil>,
    ) -> Result<Worlds> {
        let mut div = base.clone();
        for (origin, text) in divergences {
            div = divergence::apply(origin, text, &div)?;
        }
        Worlds { base, div }.conditioned(history_until)
    }

    /// Both worlds replay the record up to `--history-until`, or by default up to the
    /// divergences' point of divergence (when the scenario has a record to replay).
    fn conditioned(self, flag: Option<HistoryUntil>) -> Result<Worlds> {
        let until = match flag {
            Some(HistoryUntil::Date(d)) if self.div.diverges.is_some_and(|dd| d > dd) => {
                let dd = self.div.diverges.unwrap_or(d);
                return Err(miette!(
                    help = format!("a date up to {dd}, or `compare --given-history` to condition on the whole record"),
                    "--history-until {d} is after the divergence's date {dd}: replaying the record past it would undo the change"
                ));
            }
            Some(HistoryUntil::Date(d)) => d,
            Some(HistoryUntil::None) => return Ok(self),
            None => match self.div.diverges {
                Some(d) if self.base.record.until_date.is_some() => d,
                _ => return Ok(self),
            },
        };
        let base = replay::replaying(&self.base, until, false)?;
        let div = replay::replaying(&self.div, until, false)?;
        Ok(Worlds { base, div })
    }

    /// Counterfactuals given the whole record (`compare --given-history`): the baseline
    /// replays it and keeps its abducted noise; the divergent world is its twin.
    pub fn given_history(self) -> Result<Worlds> {
        let until =
            self.base.record.until_date.ok_or_else(|| replay::ConditionError::NoRecord(self.base.id.clone()))?;
        let base = replay::replaying(&self.base, until, true)?;
        let div = replay::twin_of(&base, &self.div);
        Ok(Worlds { base, div })
    }
}

/// The texts a command compiles: its scenario's and its divergences', read once (stdin at most
/// once), so a shard can carry them and `merge` compile exactly what the shards ran.
pub struct Inputs {
    pub scenario: Source,
    pub divergences: Vec<Source>,
}

impl Inputs {
    /// Reads the scenario and divergences the flags name, within the limits; checks `-o`.
    pub fn read(args: &EnsembleArgs) -> Result<Inputs> {
        if args.divergences.len() > DIVERGENCES.usize() {
            return Err(miette!("{} divergences given; {}", args.divergences.len(), DIVERGENCES.describe()));
        }
        let stdin_uses = args.scenario.iter().chain(&args.divergences).filter(|n| *n == "-").count();
        if stdin_uses > 1 {
            return Err(miette!("`-` (standard input) is given {stdin_uses} times; it can be read only once"));
        }
        crate::output::check_target(args.output.as_deref())?;
        let texts = args.divergences.iter().map(|d| divergence_text(d)).collect::<Result<Vec<_>, _>>()?;
        let scenario = match &args.scenario {
            Some(name) => scenario_source(name)?,
            None => default_source(&texts)?,
        };
        let divergences = texts.into_iter().map(|(origin, text)| Source { origin, text }).collect();
        Ok(Inputs { scenario, divergences })
    }
}

/// Without a scenario argument: the first divergence's `base`, else the default.
fn default_source(divergences: &[(String, String)]) -> Result<Source> {
    let Some((origin, text)) = divergences.first() else {
        return Ok(scenario_source(builtin::DEFAULT_SCENARIO)?);
    };
    let header = divergence::header(origin, text)?;
    Ok(base_source(&header, origin, text)?)
}

/// The scenario a divergence names as its `base` (a built-in or a file, never stdin), else the
/// default. An unusable base is an error located at the divergence's `base` key.
pub fn base_scenario(header: &divergence::Divergence, origin: &str, text: &str) -> Result<Scenario, LoadErrors> {
    let source = base_source(header, origin, text)?;
    Scenario::from_toml(&source.origin, &source.text)
}

fn base_source(header: &divergence::Divergence, origin: &str, text: &str) -> Result<Source, LoadErrors> {
    let base = header.base.as_deref().unwrap_or(builtin::DEFAULT_SCENARIO);
    if base == "-" || (builtin::find(base).is_none() && !std::path::Path::new(base).is_file()) {
        let builtins: Vec<&str> = builtin::SCENARIOS.iter().map(|b| b.name).collect();
        let message = format!("unknown base scenario `{base}`: not a built-in and not a file");
        let expected = format!("a built-in scenario ({}) or a path to a scenario file", builtins.join(", "));
        return Err(header.base_error(origin, text, message, &expected));
    }
    scenario_source(base)
}

/// A scenario named as a built-in, a path, or `-` (standard input).
pub fn scenario(name: &str) -> Result<Scenario, LoadErrors> {
    if let Some(sc) = builtin::scenario(name) {
        return Ok(sc);
    }
    let source = scenario_source(name)?;
    Scenario::from_toml(&source.origin, &source.text)
}

/// The text of a scenario named as a built-in, a path, or `-`, with the name its errors use.
pub fn scenario_source(name: &str) -> Result<Source, LoadErrors> {
    if let Some(b) = builtin::find(name) {
        return Ok(Source { origin: builtin::origin(b.name), text: b.toml.to_string() });
    }
    let names = builtin::SCENARIOS.iter().map(|b| b.name);
    let text = input::read_text(name, FILE_BYTES).map_err(|e| not_found(name, e, "scenario", names))?;
    Ok(Source { origin: name.to_string(), text })
}

/// The text of a divergence named as a built-in or a path, with the name its errors use.
pub fn divergence_text(name: &str) -> Result<(String, String), LoadErrors> {
    if let Some(b) = builtin::find_divergence(name) {
        return Ok((builtin::origin(b.name), b.toml.to_string()));
    }
    let names = builtin::DIVERGENCES.iter().map(|b| b.name);
    let text = input::read_text(name, FILE_BYTES).map_err(|e| not_found(name, e, "divergence", names))?;
    Ok((name.to_string(), text))
}

/// For a name that is neither a built-in nor an existing file, says both, with the built-ins: a
/// typo in `-d star-citty` is likelier than a missing file.
fn not_found<'a>(name: &str, e: LoadErrors, kind: &str, builtins: impl Iterator<Item = &'a str>) -> LoadErrors {
    if name == "-" || std::path::Path::new(name).exists() {
        return e;
    }
    let list: Vec<&str> = builtins.collect();
    let message = format!("no built-in {kind} `{name}` and no such file; built-in {kind}s: {}", list.join(", "));
    LoadErrors::new(name, vec![starcity_core::LoadError::whole(name, message)])
}
