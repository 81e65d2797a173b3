//! `starcity run`: an ensemble summary of the scenario, with any divergences applied.

use std::time::Instant;

use miette::Result;
use starcity_core::counterfactual;
use starcity_core::ensemble::{self, RunConfig, Summary};
use starcity_core::report::{InterventionReport, RunReport, views};
use starcity_core::scenario::Scenario;

use crate::cli::{EnsembleArgs, RunArgs};
use crate::config::{Inputs, Worlds};
use crate::output::{self, Sink};
use crate::progress::in_pool;

pub fn run(args: &RunArgs) -> Result<()> {
    if let Some(spec) = args.shard {
        let inputs = Inputs::read(&args.common)?;
        let worlds = Worlds::compile(&inputs, args.common.history_until)?;
        return super::shard::run(args, spec, &inputs, &worlds);
    }
    let started = Instant::now();
    let report = build(&args.common, args.timelines, args.quiet)?;
    let sink = Sink::new(args.common.output.as_deref());
    super::emit_report(&report, &views::run(&report), args.format(), sink)?;
    if !args.quiet {
        output::note(&crate::progress::timing(args.timelines, "timelines", started));
    }
    Ok(())
}

/// The run's report: the ensemble of the scenario with its divergences, and what each
/// intervention did.
pub fn build(common: &EnsembleArgs, timelines: u64, quiet: bool) -> Result<RunReport> {
    let Worlds { base, div } = Worlds::load(common)?;
    let cfg = RunConfig { seed: common.seed, timelines };
    let summary = ensemble_of(&div, cfg, common, quiet)?;
    let mut report = RunReport::new(&div, &summary, cfg.seed, div.divergences.clone());
    report.interventions = interventions(&base, &div, &summary, cfg, common, quiet)?;
    Ok(report)
}

fn ensemble_of(sc: &Scenario, cfg: RunConfig, common: &EnsembleArgs, quiet: bool) -> Result<Summary> {
    Ok(in_pool(common.threads, quiet, cfg.timelines, "timelines", |done| ensemble::run(sc, cfg, done))??)
}

/// What each intervention did: how many timelines it applied in. A removed rule is counted
/// where the baseline's rule fired, so that needs the baseline ensemble too (same in every
/// format, so all fail or succeed alike).
fn interventions(
    base: &Scenario,
    div: &Scenario,
    summary: &Summary,
    cfg: RunConfig,
    common: &EnsembleArgs,
    quiet: bool,
) -> Result<Vec<InterventionReport>> {
    if div.interventions.is_empty() {
        return Ok(Vec::new());
    }
    let base_summary =
        if counterfactual::needs_baseline(div) { ensemble_of(base, cfg, common, quiet)? } else { Summary::new(base) };
    Ok(counterfactual::interventions(base, div, &base_summary, summary))
}
