//! `run --shard K/N` and `compare --shard K/N`: run one contiguous range of the timelines and write
//! a shard file (`starcity_core::shard`) for `starcity merge`.

use miette::{Result, miette};
use starcity_core::counterfactual;
use starcity_core::ensemble::{self, RunError};
use starcity_core::shard::{self, Header, ShardFile};

use crate::cli::{HistoryUntil, RunArgs, ShardSpec};
use crate::config::{Inputs, Worlds};
use crate::output::{self, Sink};
use crate::progress::in_pool;

/// K and N of `--shard`, from the flag or the scheduler's environment.
pub fn resolve(spec: ShardSpec) -> Result<(u64, u64)> {
    match spec {
        ShardSpec::Given { k, n } => Ok((k, n)),
        ShardSpec::Auto(None) => {
            let (id, min, count) =
                (env("SLURM_ARRAY_TASK_ID")?, env("SLURM_ARRAY_TASK_MIN")?, env("SLURM_ARRAY_TASK_COUNT")?);
            check(id.checked_sub(min).map(|i| i + 1), count, "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1")
        }
        ShardSpec::Auto(Some(n)) => {
            let index = match std::env::var("JOB_COMPLETION_INDEX") {
                Ok(_) => env("JOB_COMPLETION_INDEX")?,
                Err(_) => env("SLURM_ARRAY_TASK_ID")?,
            };
            check(Some(index + 1), n, "the index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, plus one")
        }
    }
}

fn env(name: &str) -> Result<u64> {
    let value = std::env::var(name)
        .map_err(|_| miette!("--shard auto: {name} is not set (not inside a scheduler's array task?)"))?;
    value.trim().parse().map_err(|_| miette!("--shard auto: {name} is `{value}`, not a whole number"))
}

fn check(k: Option<u64>, n: u64, what: &str) -> Result<(u64, u64)> {
    match k {
        Some(k) if (1..=n).contains(&k) && n <= crate::cli::MAX_SHARDS => Ok((k, n)),
        _ => Err(miette!("--shard auto: shard {what} = {k:?} does not fit a count of {n}")),
    }
}

/// The header of this command's shard `k` of `n`.
fn header(
    command: &str,
    args: &RunArgs,
    inputs: &Inputs,
    worlds: &Worlds,
    (k, n): (u64, u64),
    given_history: bool,
) -> Header {
    let range = shard::range(args.timelines, k, n);
    Header {
        format: shard::FORMAT.into(),
        version: shard::VERSION,
        starcity: env!("CARGO_PKG_VERSION").into(),
        target: shard::target(),
        command: command.into(),
        // Not the -o extension: -o names the shard file here.
        output: args.output.asked().map(|f| f.name().to_string()),
        given_history,
        history_until: args.common.history_until.map(|h| match h {
            HistoryUntil::None => "none".to_string(),
            HistoryUntil::Date(d) => d.to_string(),
        }),
        scenario: inputs.scenario.clone(),
        divergences: inputs.divergences.clone(),
        fingerprint: shard::fingerprint(&[&worlds.base, &worlds.div]),
        seed: args.common.seed,
        timelines: args.timelines,
        shard: [k, n],
        range: [range.start, range.end],
    }
}

/// `run --shard`: the shard's summary (and the baseline's, when an intervention needs it).
pub fn run(args: &RunArgs, spec: ShardSpec, inputs: &Inputs, worlds: &Worlds) -> Result<()> {
    let header = header("run", args, inputs, worlds, resolve(spec)?, false);
    let summary = |sc| summary_of(sc, &header, args);
    let baseline = match counterfactual::needs_baseline(&worlds.div) {
        true => Some(summary(&worlds.base)?),
        false => None,
    };
    let file = ShardFile { summary: Some(summary(&worlds.div)?), baseline, paired: None, header };
    write(&file, args)
}

fn summary_of(sc: &starcity_core::Scenario, h: &Header, args: &RunArgs) -> Result<ensemble::Summary> {
    let range = h.range[0]..h.range[1];
    let s = in_pool(args.common.threads, args.quiet, range.end - range.start, "timelines", |done| {
        ensemble::run_range(sc, h.seed, range.clone(), done)
    })?;
    match s.overrun {
        Some(o) => Err(RunError::event_budget(sc, o).into()),
        None => Ok(s),
    }
}

/// `compare --shard`: the shard's paired summaries.
pub fn compare(args: &RunArgs, spec: ShardSpec, inputs: &Inputs, worlds: &Worlds, given_history: bool) -> Result<()> {
    let header = header("compare", args, inputs, worlds, resolve(spec)?, given_history);
    let range = header.range[0]..header.range[1];
    let (base, div) = (&worlds.base, &worlds.div);
    let paired = in_pool(args.common.threads, args.quiet, range.end - range.start, "twin timelines", |done| {
        counterfactual::run_pairs_range(base, div, header.seed, range.clone(), done)
    })?;
    let paired = counterfactual::pairs_result(base, div, paired)?;
    write(&ShardFile { header, summary: None, baseline: None, paired: Some(paired) }, args)
}

/// The shard file, to `-o` (a shard is for `merge`, not for reading on a terminal).
fn write(file: &ShardFile, args: &RunArgs) -> Result<()> {
    let Some(path) = args.common.output.as_deref() else {
        return Err(miette!(
            help = "e.g. --shard 1/4 -o shard-1.json, then starcity merge shard-*.json",
            "--shard writes a shard file: give it a name with -o"
        ));
    };
    output::emit_json_compact(file, Sink::File(path))
}
