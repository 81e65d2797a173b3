//! `run --shard K/N` and `compare --shard K/N`: run one contiguous range of the timelines and write
//! a shard file (`starcity_core::shard`) for `starcity merge`.

use miette::{Result, miette};
use starcity_core::counterfactual;
use starcity_core::ensemble::{self, RunError};
use starcity_core::shard::{self, Header, ShardFile};

use crate::cli::{EnsembleArgs, HistoryUntil, RunArgs, ShardSpec};
use crate::config::{Inputs, Worlds};
use crate::output::{self, Sink};
use crate::progress::in_pool;

/// K and N of `--shard`, from the flag or the scheduler's environment.
///
/// `auto` numbers the shards by position in a whole Slurm array (K = ID − MIN + 1 of COUNT). A
/// re-run of some of its tasks is an array too, with other MIN and COUNT, and would run the
/// wrong timelines: so `auto` refuses arrays that do not start at 0 or 1 or that skip IDs, and
/// `auto/N` (ID = K, the array numbered 1-N) is the form that re-runs one task. A re-run that
/// starts at 0 or 1 (`--array=1`) cannot be told from a whole array; `merge` then finds its shard
/// overlapping the others.
pub fn resolve(spec: ShardSpec) -> Result<(u64, u64)> {
    match spec {
        ShardSpec::Given { k, n } => Ok((k, n)),
        ShardSpec::Auto(None) => slurm_whole_array(),
        ShardSpec::Auto(Some(n)) => {
            let k = match std::env::var_os("JOB_COMPLETION_INDEX") {
                // A Kubernetes Indexed Job numbers its pods from 0.
                Some(_) => env("JOB_COMPLETION_INDEX")?.checked_add(1),
                None => Some(env("SLURM_ARRAY_TASK_ID")?),
            };
            match k {
                Some(k) if (1..=n).contains(&k) => Ok((k, n)),
                _ => Err(miette!(
                    help = "with auto/N, number a Slurm array 1-N (--array=1-N: task K runs shard K); a Kubernetes \
                            Indexed Job's completions 0..N-1 run shards 1..N",
                    "--shard auto/{n}: {} makes shard {} of {n}",
                    index_words(),
                    k.map_or_else(|| "past the last".to_string(), |k| k.to_string())
                )),
            }
        }
    }
}

/// `--shard auto`: the task's position in a whole Slurm array.
fn slurm_whole_array() -> Result<(u64, u64)> {
    if std::env::var_os("SLURM_ARRAY_TASK_ID").is_none() && std::env::var_os("JOB_COMPLETION_INDEX").is_some() {
        return Err(miette!(
            help = "a Kubernetes Indexed Job does not say how many completions it has: write --shard auto/N",
            "--shard auto reads a Slurm array task's variables, and SLURM_ARRAY_TASK_ID is not set"
        ));
    }
    let (id, min, count) = (env("SLURM_ARRAY_TASK_ID")?, env("SLURM_ARRAY_TASK_MIN")?, env("SLURM_ARRAY_TASK_COUNT")?);
    // Slurm sets all five in an array task; MAX and STEP tell a stepped array (0-12:4) apart.
    let (max, step) = (env("SLURM_ARRAY_TASK_MAX")?, env("SLURM_ARRAY_TASK_STEP")?);
    let rerun_help = "to run some tasks of a larger array again, number the array 1-N and give --shard auto/N \
                      (scripts/slurm/array.sbatch: SHARDS=N), or give --shard K/N";
    if min > 1 {
        return Err(miette!(
            help = rerun_help,
            "--shard auto: this Slurm array starts at task {min}, not 0 or 1; it may be part of a larger array, whose \
             shards it cannot know"
        ));
    }
    if step != 1 || count == 0 || max.checked_sub(min) != Some(count - 1) || id < min || id > max {
        return Err(miette!(
            help = rerun_help,
            "--shard auto: the Slurm array {min}-{max} has {count} tasks and this is task {id}; auto needs an array \
             without gaps or steps (e.g. --array=1-8)"
        ));
    }
    let k = id - min + 1;
    if count > crate::cli::MAX_SHARDS {
        return Err(miette!(
            "--shard auto: {count} array tasks, more than the {} shards a merge takes",
            crate::cli::MAX_SHARDS
        ));
    }
    Ok((k, count))
}

/// Which variable gave the index, for messages.
fn index_words() -> String {
    let read = |name: &str| std::env::var(name).unwrap_or_default();
    match std::env::var_os("JOB_COMPLETION_INDEX") {
        Some(_) => format!("JOB_COMPLETION_INDEX = {}", read("JOB_COMPLETION_INDEX")),
        None => format!("SLURM_ARRAY_TASK_ID = {}", read("SLURM_ARRAY_TASK_ID")),
    }
}

fn env(name: &str) -> Result<u64> {
    let value = std::env::var(name)
        .map_err(|_| miette!("--shard auto: {name} is not set (not inside a scheduler's array task?)"))?;
    value.trim().parse().map_err(|_| miette!("--shard auto: {name} is `{value}`, not a whole number"))
}

/// What a shard's header records of the command that wrote it.
pub struct Command<'a> {
    pub name: &'static str,
    /// The format asked for with a flag (not `-o`'s extension: `-o` names the shard here).
    pub output: Option<&'static str>,
    pub common: &'a EnsembleArgs,
    pub timelines: u64,
    pub given_history: bool,
}

/// The header of shard `k` of `n` of `command`.
pub fn header(command: &Command<'_>, inputs: &Inputs, worlds: &Worlds, (k, n): (u64, u64)) -> Header {
    let range = shard::range(command.timelines, k, n);
    Header {
        format: shard::FORMAT.into(),
        version: shard::VERSION,
        starcity: env!("CARGO_PKG_VERSION").into(),
        target: shard::target(),
        command: command.name.into(),
        output: command.output.map(String::from),
        given_history: command.given_history,
        history_until: command.common.history_until.map(|h| match h {
            HistoryUntil::None => "none".to_string(),
            HistoryUntil::Date(d) => d.to_string(),
        }),
        scenario: inputs.scenario.clone(),
        divergences: inputs.divergences.clone(),
        fingerprint: shard::fingerprint(&[&worlds.base, &worlds.div]),
        seed: command.common.seed,
        timelines: command.timelines,
        shard: [k, n],
        range: [range.start, range.end],
    }
}

/// The `Command` of `run` or `compare`.
fn of<'a>(name: &'static str, args: &'a RunArgs, given_history: bool) -> Command<'a> {
    let output = args.output.asked().map(|f| f.name());
    Command { name, output, common: &args.common, timelines: args.timelines, given_history }
}

/// `run --shard`: the shard's summary (and the baseline's, when an intervention needs it).
pub fn run(args: &RunArgs, spec: ShardSpec, inputs: &Inputs, worlds: &Worlds) -> Result<()> {
    let header = header(&of("run", args, false), inputs, worlds, resolve(spec)?);
    let summary = |sc| summary_of(sc, &header, args);
    let baseline = match counterfactual::needs_baseline(&worlds.div) {
        true => Some(summary(&worlds.base)?),
        false => None,
    };
    let file = ShardFile { summary: Some(summary(&worlds.div)?), baseline, paired: None, header, check: String::new() };
    write(file, args)
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
    let header = header(&of("compare", args, given_history), inputs, worlds, resolve(spec)?);
    let range = header.range[0]..header.range[1];
    let (base, div) = (&worlds.base, &worlds.div);
    let paired = in_pool(args.common.threads, args.quiet, range.end - range.start, "twin timelines", |done| {
        counterfactual::run_pairs_range(base, div, header.seed, range.clone(), done)
    })?;
    let paired = counterfactual::pairs_result(base, div, paired)?;
    write(ShardFile { header, summary: None, baseline: None, paired: Some(paired), check: String::new() }, args)
}

/// The shard file with its check, to `-o` (a shard is for `merge`, not for reading on a
/// terminal; `-o -` sends it down a pipe).
fn write(mut file: ShardFile, args: &RunArgs) -> Result<()> {
    file.check = file.payload_check();
    output::emit_json_compact(&file, Sink::new(Some(target(args.common.output.as_deref())?)))
}

/// `-o`, which a shard needs.
pub fn target(output: Option<&std::path::Path>) -> Result<&std::path::Path> {
    output.ok_or_else(|| {
        miette!(
            help = "e.g. --shard 1/4 -o shard-1.json, then starcity merge shard-*.json",
            "--shard writes a shard file: give it a name with -o"
        )
    })
}

/// Where an export shard's header goes: beside its rows, `ROWS.shard.json`.
pub fn sidecar(rows: &std::path::Path) -> std::path::PathBuf {
    let mut name = rows.as_os_str().to_owned();
    name.push(".shard.json");
    name.into()
}
