//! The `starcity` command line: parses flags, loads scenarios, runs, prints.
//!
//! Results go to stdout (tables or `--json`), progress and diagnostics to stderr.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use miette::{IntoDiagnostic, Result, WrapErr, miette};

use std::fmt::Write as _;

use starcity::calibrate::{self, CalibrateArgs};
use starcity::counterfactual::{self, CompareReport};
use starcity::ensemble::{self, RunConfig};
use starcity::report::RunReport;
use starcity::scenario::{LoadErrors, Scenario};
use starcity::{builtin, chronicle, divergence};

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
    /// Run twin worlds, baseline and divergent, on shared noise; print the paired effects.
    Compare(RunArgs),
    /// Tell one timeline as dated history, with era headings and how common each turn was.
    Chronicle(ChronicleArgs),
    /// Validate scenario and divergence files; print every error with file:line:col.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the built-in scenarios and divergences.
    Scenarios,
    /// One-step-ahead backtest of the reliability model on a launch record, against baselines.
    Calibrate(CalibrateArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// A built-in scenario name or a path to a scenario TOML file.
    #[arg(default_value = builtin::DEFAULT_SCENARIO)]
    scenario: String,
    /// A divergence (built-in name or file); repeat to compose them in order.
    #[arg(short = 'd', long = "divergence")]
    divergences: Vec<String>,
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

#[derive(clap::Args, Debug)]
struct ChronicleArgs {
    /// A built-in scenario name or a path to a scenario TOML file.
    #[arg(default_value = builtin::DEFAULT_SCENARIO)]
    scenario: String,
    /// A divergence (built-in name or file); repeat to compose them in order.
    #[arg(short = 'd', long = "divergence")]
    divergences: Vec<String>,
    /// The timeline to tell (default 0).
    #[arg(long, conflicts_with_all = ["condition", "pick"])]
    timeline: Option<u64>,
    /// Tell the first timeline whose outcome satisfies this condition (the scenario rule language),
    /// e.g. "first(crewed_lunar_landing, USSR) and crew_lost(USSR) == 0".
    #[arg(long = "where", value_name = "COND", conflicts_with = "pick")]
    condition: Option<String>,
    /// Pick a timeline by a criterion: `typical` (closest to the ensemble's usual outcome).
    #[arg(long, value_parser = ["typical"])]
    pick: Option<String>,
    /// Tell the baseline and the divergent twin side by side from where they split (needs -d).
    #[arg(long)]
    twin: bool,
    /// Seed of the ensemble the timeline belongs to.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timelines in the ensemble: for "how common" figures and the search of --where / --pick.
    #[arg(short = 'n', long, default_value_t = 2_000)]
    timelines: u64,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json"])]
    format: String,
    /// Write to this file (atomically).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Worker threads for the ensemble.
    #[arg(long)]
    threads: Option<usize>,
}

fn main() -> Result<()> {
    // Long messages stay on one line, so `file:line:col: message` can be grepped.
    let _ = miette::set_hook(Box::new(|_| Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())));
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Compare(args) => compare(&args),
        Command::Check { files } => check(&files),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Chronicle(args) => chronicle(&args),
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
    let base = load(&args.scenario)?;
    let sc = builtin::apply_divergences(base.clone(), &args.divergences).map_err(miette::Report::new)?;
    let cfg = RunConfig { seed: args.seed, timelines: args.timelines };
    let started = Instant::now();
    let summary = in_pool(args.threads, args.quiet, cfg.timelines, |done| ensemble::run(&sc, cfg, done))?;
    let report = RunReport::new(&sc, &summary, args.seed, sc.divergences.clone());
    let text = if args.json {
        serde_json::to_string_pretty(&report).into_diagnostic()? + "\n"
    } else {
        let mut text = report.to_text(&sc);
        if !sc.interventions.is_empty() {
            text.push_str("What the divergences did\n");
            for i in counterfactual::interventions(&base, &sc, &summary, &summary) {
                let _ = writeln!(text, "  - {} (applied in {} of {} timelines)", i.text, i.applied_in, summary.n);
            }
            text.push('\n');
        }
        text
    };
    emit(&text, args.output.as_deref())?;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        let rate = args.timelines as f64 / secs.max(1e-9);
        eprintln!("{} timelines in {:.2} s ({:.0} timelines/s)", args.timelines, secs, rate);
    }
    Ok(())
}

fn compare(args: &RunArgs) -> Result<()> {
    if args.timelines == 0 {
        return Err(miette!("--timelines must be at least 1"));
    }
    if args.divergences.is_empty() {
        return Err(miette!("compare needs at least one divergence: -d NAME_OR_FILE (see `starcity scenarios`)"));
    }
    let base = load(&args.scenario)?;
    let div = builtin::apply_divergences(base.clone(), &args.divergences).map_err(miette::Report::new)?;
    let started = Instant::now();
    let paired = in_pool(args.threads, args.quiet, args.timelines, |done| {
        counterfactual::run_pairs(&base, &div, args.seed, args.timelines, done)
    })?;
    let report = CompareReport::new(&base, &div, &paired, args.seed);
    let text =
        if args.json { serde_json::to_string_pretty(&report).into_diagnostic()? + "\n" } else { report.to_text(&base) };
    emit(&text, args.output.as_deref())?;
    if !args.quiet {
        eprintln!("{} twin timelines in {:.2} s", args.timelines, started.elapsed().as_secs_f64());
    }
    Ok(())
}

fn chronicle(args: &ChronicleArgs) -> Result<()> {
    if args.timelines == 0 {
        return Err(miette!("--timelines must be at least 1"));
    }
    if args.twin && args.divergences.is_empty() {
        return Err(miette!("--twin needs a divergence: -d NAME_OR_FILE"));
    }
    let base = load(&args.scenario)?;
    let div = builtin::apply_divergences(base.clone(), &args.divergences).map_err(miette::Report::new)?;
    let n = args.timelines;
    let cfg = RunConfig { seed: args.seed, timelines: n };
    let summary = in_pool(args.threads, true, n, |done| ensemble::run(&div, cfg, done))?;
    let (timeline, chosen) = match (&args.condition, &args.pick, args.timeline) {
        (Some(text), _, _) => {
            let cond = div.parse_condition("--where", text).map_err(miette::Report::new)?;
            match chronicle::find_where(&div, args.seed, n, &cond) {
                Some(k) => (k, format!("Timeline {k}: the first of {n} timelines where `{text}` holds at the end.")),
                None => return Err(miette!("no timeline among the first {n} satisfies `{text}` (try a larger -n)")),
            }
        }
        (None, Some(_), _) => {
            let k = chronicle::find_typical(&div, args.seed, n, &summary);
            (k, format!("Timeline {k}: the one of {n} closest to the usual outcome (who is first, median dates)."))
        }
        (None, None, k) => {
            let k = k.unwrap_or(0);
            (k, format!("Timeline {k} of the ensemble seeded {}.", args.seed))
        }
    };
    let told = chronicle::tell(&div, args.seed, timeline, chosen.clone(), &summary);
    let text = if args.twin {
        let base_summary = in_pool(args.threads, true, n, |done| ensemble::run(&base, cfg, done))?;
        let told_base = chronicle::tell(&base, args.seed, timeline, chosen, &base_summary);
        match args.format.as_str() {
            "json" => {
                let both = serde_json::json!({ "baseline": told_base, "divergent": told });
                serde_json::to_string_pretty(&both).into_diagnostic()? + "\n"
            }
            f => chronicle::render_twin(&told_base, &told, &base, f == "markdown"),
        }
    } else {
        match args.format.as_str() {
            "json" => serde_json::to_string_pretty(&told).into_diagnostic()? + "\n",
            f => chronicle::render(&told, &div, f == "markdown"),
        }
    };
    emit(&text, args.output.as_deref())
}

/// Runs `job` on a pool of the requested size, with a progress bar on a terminal. `job` bumps the
/// counter it is given as timelines finish.
fn in_pool<T: Send>(
    threads: Option<usize>,
    quiet: bool,
    total: u64,
    job: impl FnOnce(&AtomicU64) -> T + Send,
) -> Result<T> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 {
            return Err(miette!("--threads must be at least 1"));
        }
        builder = builder.num_threads(t);
    }
    let pool = builder.build().into_diagnostic().wrap_err("cannot start worker threads")?;
    let done = AtomicU64::new(0);
    let show = !quiet && std::io::stderr().is_terminal();
    std::thread::scope(|s| {
        let worker = s.spawn(|| pool.install(|| job(&done)));
        if show {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} timelines ({per_sec}, {eta} left)")
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
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write in {}", dir.display()))?;
            tmp.write_all(text.as_bytes()).into_diagnostic()?;
            tmp.persist(path).into_diagnostic().wrap_err_with(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    }
}

fn check(files: &[PathBuf]) -> Result<()> {
    let mut failed = 0;
    for f in files {
        match check_one(f) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                failed += 1;
                eprintln!("{:?}", miette::Report::new(e));
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
fn check_one(f: &Path) -> std::result::Result<String, LoadErrors> {
    let name = f.display().to_string();
    let bytes = std::fs::read(f).map_err(|e| LoadErrors::io(&name, &e))?;
    let text = String::from_utf8(bytes).map_err(|_| LoadErrors::not_text(&name))?;
    let is_divergence = text.parse::<toml::Table>().map(|t| t.contains_key("divergence")).unwrap_or(false);
    if !is_divergence {
        let sc = Scenario::from_toml(&name, &text)?;
        let (a, p, r) = (sc.agencies.len(), sc.programs.len(), sc.rules.len());
        return Ok(format!("{name}: ok (scenario {}: {a} agencies, {p} programs, {r} rules)", sc.id));
    }
    let header = divergence::header(&name, &text)?;
    let base_name = header.base.clone().unwrap_or_else(|| builtin::DEFAULT_SCENARIO.to_string());
    let base = builtin::load_scenario(&base_name)?;
    let sc = divergence::apply(&name, &text, &base)?;
    Ok(format!("{name}: ok (divergence {} on {}: {} interventions)", header.id, base.id, sc.interventions.len()))
}

fn scenarios() {
    println!("Built-in scenarios (the first is the default):");
    for b in builtin::SCENARIOS {
        let description =
            Scenario::from_toml(b.name, b.toml).map(|s| s.description).unwrap_or_else(|_| "(does not load)".into());
        println!("  {:<28} {}", b.name, description);
    }
    println!("\nBuilt-in divergences (use with -d NAME):");
    for b in builtin::DIVERGENCES {
        let description =
            divergence::header(b.name, b.toml).map(|d| d.description).unwrap_or_else(|_| "(does not load)".into());
        println!("  {:<28} {}", b.name, description);
    }
}
