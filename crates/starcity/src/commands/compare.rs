//! `starcity compare`: twin worlds, baseline and divergent, on shared noise; paired effects.

use std::time::Instant;

use miette::{Result, miette};
use starcity_core::counterfactual::{self, CompareReport};

use crate::cli::CompareArgs;
use crate::config::Worlds;
use crate::output::{self, Sink};
use crate::progress::in_pool;

pub fn run(compare: &CompareArgs) -> Result<()> {
    let args = &compare.run;
    if args.common.divergences.is_empty() {
        return Err(miette!("compare needs at least one divergence: -d NAME_OR_FILE (see `starcity scenarios`)"));
    }
    let worlds = Worlds::load(&args.common)?;
    let Worlds { base, div } = if compare.given_history { worlds.given_history()? } else { worlds };
    let (seed, n) = (args.common.seed, args.timelines);
    let started = Instant::now();
    let paired = in_pool(args.common.threads, args.quiet, n, "twin timelines", |done| {
        counterfactual::run_pairs(&base, &div, seed, n, done)
    })??;
    let report = CompareReport::new(&base, &div, &paired, seed);
    let sink = Sink::new(args.common.output.as_deref());
    if args.json {
        output::emit_json(&report, sink)?
    } else {
        output::emit(&report.to_text(&base), sink)?
    }
    if !args.quiet {
        output::note(&format!("{n} twin timelines in {:.2} s\n", started.elapsed().as_secs_f64()));
    }
    Ok(())
}
