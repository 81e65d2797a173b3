//! `starcity compare`: twin worlds, baseline and divergent, on shared noise; paired effects.

use std::time::Instant;

use miette::{Result, miette};
use starcity_core::counterfactual;
use starcity_core::report::{CompareReport, views};

use crate::cli::{CompareArgs, EnsembleArgs};
use crate::config::{Inputs, Worlds};
use crate::output::{self, Sink};
use crate::progress::in_pool;

pub fn run(compare: &CompareArgs) -> Result<()> {
    let args = &compare.run;
    if let Some(spec) = args.shard {
        return shard(compare, spec);
    }
    let started = Instant::now();
    let report = build(&args.common, args.timelines, args.quiet, compare.given_history)?;
    let sink = Sink::new(args.common.output.as_deref());
    super::emit_report(&report, &views::compare(&report), args.format(), sink)?;
    if !args.quiet {
        output::note(&format!("{} twin timelines in {:.2} s\n", args.timelines, started.elapsed().as_secs_f64()));
    }
    Ok(())
}

/// `compare --shard`: one range of the twin timelines, written as a shard file.
fn shard(compare: &CompareArgs, spec: crate::cli::ShardSpec) -> Result<()> {
    let args = &compare.run;
    needs_divergence(&args.common)?;
    let inputs = Inputs::read(&args.common)?;
    let worlds = Worlds::compile(&inputs, args.common.history_until)?;
    let worlds = if compare.given_history { worlds.given_history()? } else { worlds };
    super::shard::compare(args, spec, &inputs, &worlds, compare.given_history)
}

fn needs_divergence(common: &EnsembleArgs) -> Result<()> {
    if common.divergences.is_empty() {
        return Err(miette!("compare needs at least one divergence: -d NAME_OR_FILE (see `starcity scenarios`)"));
    }
    Ok(())
}

/// The comparison's report: every timeline run in both worlds on shared noise, interventional
/// (the record replayed to the divergence's date) or, with `given_history`, counterfactual.
pub fn build(common: &EnsembleArgs, n: u64, quiet: bool, given_history: bool) -> Result<CompareReport> {
    needs_divergence(common)?;
    let worlds = Worlds::load(common)?;
    let Worlds { base, div } = if given_history { worlds.given_history()? } else { worlds };
    let seed = common.seed;
    let paired = in_pool(common.threads, quiet, n, "twin timelines", |done| {
        counterfactual::run_pairs(&base, &div, seed, n, done)
    })??;
    Ok(CompareReport::new(&base, &div, &paired, seed))
}
