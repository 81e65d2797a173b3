//! `starcity run`: an ensemble summary of the scenario, with any divergences applied.

use std::fmt::Write as _;
use std::time::Instant;

use miette::Result;
use starcity_core::counterfactual::{self, InterventionReport};
use starcity_core::ensemble::{self, RunConfig, Summary};
use starcity_core::report::RunReport;
use starcity_core::scenario::Scenario;

use crate::cli::RunArgs;
use crate::config::Worlds;
use crate::output::{self, Sink};
use crate::progress::in_pool;

pub fn run(args: &RunArgs) -> Result<()> {
    let Worlds { base, div } = Worlds::load(&args.common)?;
    let cfg = RunConfig { seed: args.common.seed, timelines: args.timelines };
    let started = Instant::now();
    let summary = ensemble_of(&div, cfg, args)?;
    let mut report = RunReport::new(&div, &summary, cfg.seed, div.divergences.clone());
    report.interventions = interventions(&base, &div, &summary, cfg, args)?;
    let sink = Sink::new(args.common.output.as_deref());
    if args.json {
        output::emit_json(&report, sink)?;
    } else {
        let mut text = report.to_text(&div);
        if !report.interventions.is_empty() {
            text.push_str("What the divergences did\n");
            for i in &report.interventions {
                let _ = writeln!(text, "  - {} (applied in {} of {} timelines)", i.text, i.applied_in, summary.n);
            }
            text.push('\n');
        }
        output::emit(&text, sink)?;
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        let rate = args.timelines as f64 / secs.max(1e-9);
        output::note(&format!("{} timelines in {secs:.2} s ({rate:.0} timelines/s)\n", args.timelines));
    }
    Ok(())
}

fn ensemble_of(sc: &Scenario, cfg: RunConfig, args: &RunArgs) -> Result<Summary> {
    let threads = args.common.threads;
    Ok(in_pool(threads, args.quiet, cfg.timelines, "timelines", |done| ensemble::run(sc, cfg, done))??)
}

/// What each intervention did: how many timelines it applied in. A removed rule is counted
/// where the baseline's rule fired, so that needs the baseline ensemble too (same in text and
/// JSON, so both fail or succeed alike).
fn interventions(
    base: &Scenario,
    div: &Scenario,
    summary: &Summary,
    cfg: RunConfig,
    args: &RunArgs,
) -> Result<Vec<InterventionReport>> {
    if div.interventions.is_empty() {
        return Ok(Vec::new());
    }
    let base_summary =
        if counterfactual::needs_baseline(div) { ensemble_of(base, cfg, args)? } else { Summary::new(base) };
    Ok(counterfactual::interventions(base, div, &base_summary, summary))
}
