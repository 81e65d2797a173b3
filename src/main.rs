//! The `starcity` command line: parses flags, loads scenarios, runs, prints.
//!
//! Results go to stdout (tables or `--json`), progress and diagnostics to stderr.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use miette::{IntoDiagnostic, Result, WrapErr, miette};

use starcity::builtin;
use starcity::ensemble::{self, RunConfig, Summary};
use starcity::report::RunReport;
use starcity::scenario::Scenario;

#[derive(Parser, Debug)]
#[command(
    name = "starcity",
    version,
    about = "Play out the space race many times. Change one thing. See what history does."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run an ensemble of timelines and summarise what happened across them.
    Run(RunArgs),
    /// Validate scenario files; print every error with file:line:col.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the built-in scenarios.
    Scenarios,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// A built-in scenario name or a path to a scenario TOML file.
    #[arg(default_value = builtin::DEFAULT_SCENARIO)]
    scenario: String,
    /// Number of timelines.
    #[arg(short = 'n', long, default_value_t = 10_000)]
    timelines: u64,
    /// Seed of the ensemble: same scenario + seed + timelines ⇒ identical results.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    /// Write the result to this file (atomically: an interrupted run leaves no partial file).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> Result<()> {
    // Long messages stay on one line, so `file:line:col: message` can be grepped.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Check { files } => check(&files),
        Command::Scenarios => {
            scenarios();
            Ok(())
        }
    }
}

fn load(name: &str) -> Result<Scenario> {
    builtin::load_scenario(name).map_err(miette::Report::new)
}

fn run(args: &RunArgs) -> Result<()> {
    if args.timelines == 0 {
        return Err(miette!("--timelines must be at least 1"));
    }
    let sc = load(&args.scenario)?;
    let cfg = RunConfig {
        seed: args.seed,
        timelines: args.timelines,
    };
    let started = Instant::now();
    let summary = run_ensemble(&sc, cfg, args.threads, args.quiet)?;
    let report = RunReport::new(&sc, &summary, args.seed, Vec::new());
    let text = if args.json {
        serde_json::to_string_pretty(&report).into_diagnostic()? + "\n"
    } else {
        report.to_text(&sc)
    };
    emit(&text, args.output.as_deref())?;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{} timelines in {:.2} s ({:.0} timelines/s)",
            args.timelines,
            secs,
            args.timelines as f64 / secs.max(1e-9)
        );
    }
    Ok(())
}

/// Runs the ensemble on a pool of the requested size, with a progress bar on a terminal.
fn run_ensemble(
    sc: &Scenario,
    cfg: RunConfig,
    threads: Option<usize>,
    quiet: bool,
) -> Result<Summary> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 {
            return Err(miette!("--threads must be at least 1"));
        }
        builder = builder.num_threads(t);
    }
    let pool = builder
        .build()
        .into_diagnostic()
        .wrap_err("cannot start worker threads")?;
    let done = AtomicU64::new(0);
    let show = !quiet && std::io::stderr().is_terminal();
    std::thread::scope(|s| {
        let worker = s.spawn(|| pool.install(|| ensemble::run(sc, cfg, &done)));
        if show {
            let bar = indicatif::ProgressBar::new(cfg.timelines);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} timelines ({per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            while !worker.is_finished() {
                bar.set_position(done.load(Ordering::Relaxed));
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        }
        worker.join().map_err(|_| miette!("a worker thread failed"))
    })
}

/// Writes to stdout, or atomically to a file: the text goes to a temporary file beside the target
/// that is renamed over it only once complete.
fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
            Ok(())
        }
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write in {}", dir.display()))?;
            tmp.write_all(text.as_bytes()).into_diagnostic()?;
            tmp.persist(path)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    }
}

fn check(files: &[PathBuf]) -> Result<()> {
    let mut failed = 0;
    for f in files {
        match Scenario::load(f) {
            Ok(sc) => println!(
                "{}: ok ({}: {} agencies, {} programs, {} rules)",
                f.display(),
                sc.id,
                sc.agencies.len(),
                sc.programs.len(),
                sc.rules.len()
            ),
            Err(e) => {
                failed += 1;
                eprintln!("{:?}", miette::Report::new(e));
            }
        }
    }
    if failed > 0 {
        return Err(miette!(
            "{failed} of {} file{} failed the check",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

fn scenarios() {
    println!("Built-in scenarios (the first is the default):");
    for b in builtin::SCENARIOS {
        let description = Scenario::from_toml(b.name, b.toml)
            .map(|s| s.description)
            .unwrap_or_else(|_| "(does not load)".into());
        println!("  {:<16} {}", b.name, description);
    }
}
