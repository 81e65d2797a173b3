//! The command line as clap sees it: flags, their help, and the bounds clap checks itself.
//! Everything here is parsed, not yet loaded; `config` turns it into what the commands run.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use starcity_core::limits::{THREADS, TIMELINES};

#[derive(Parser, Debug)]
#[command(
    name = "starcity",
    version,
    about = "Play out the space race many times. Change one thing. See what history does.",
    after_help = "Files may be given as `-` for standard input. Limits on every input: docs/limits.md."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run an ensemble of timelines and summarise what happened across them.
    Run(RunArgs),
    /// Run twin worlds, baseline and divergent, on shared noise; print the paired effects.
    Compare(CompareArgs),
    /// Tell one timeline as dated history, with era headings and how common each turn was.
    Chronicle(ChronicleArgs),
    /// Write an offline HTML report with charts: of a run, or with -d of a comparison.
    Report(ReportArgs),
    /// Rank divergences by their paired effect on one quantity ("what mattered most?").
    Rank(RankArgs),
    /// Merge the shard files of one `run --shard` or `compare --shard`, or the parts of one
    /// `export --shard`, into exactly what the unsplit command writes.
    Merge(MergeArgs),
    /// Write one row per timeline (dates reached, winners, losses, program fates) as CSV or
    /// Parquet, for pandas, R or DuckDB; streamed, in timeline order.
    Export(ExportArgs),
    /// Validate scenarios and divergences (files or built-in names); print every error with
    /// file:line:col.
    Check {
        /// Files or built-in names to check (a divergence is checked against its base).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// List the built-in scenarios and divergences.
    Scenarios,
    /// Show what a scenario holds, with the ids divergences and --where conditions use.
    Show(ShowArgs),
    /// One-step-ahead backtest of the reliability model on a launch record, against baselines.
    Calibrate(CalibrateArgs),
}

/// Flags every ensemble command shares.
#[derive(clap::Args, Debug, Clone)]
pub struct EnsembleArgs {
    /// A built-in scenario name, a path to a scenario TOML file, or `-` for standard input
    /// [default: the first divergence's `base`, else space-race].
    pub scenario: Option<String>,
    /// A divergence (built-in name, file, or `-`); repeat to compose them in order (at most 32).
    #[arg(short = 'd', long = "divergence")]
    pub divergences: Vec<String>,
    /// Seed of the ensemble: same scenario + seed + timelines ⇒ identical results.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads, 1 to 32 (default: all cores, at most 32). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=THREADS.value))]
    pub threads: Option<u64>,
    /// Write the result to this file (atomically: an interrupted or failed run leaves any
    /// previous file untouched and no partial file).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Replay the scenario's real record up to DATE (YYYY-MM-DD), then run free; `none`
    /// re-rolls history from the start [default: with -d, the divergence's date; else none].
    #[arg(long, value_name = "DATE|none", value_parser = history_until)]
    pub history_until: Option<HistoryUntil>,
}

/// `--history-until`: a date, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryUntil {
    None,
    Date(NaiveDate),
}

fn history_until(s: &str) -> Result<HistoryUntil, String> {
    if s == "none" {
        return Ok(HistoryUntil::None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(HistoryUntil::Date)
        .map_err(|_| format!("`{s}` is not a date (YYYY-MM-DD) or `none`"))
}

/// `compare`'s flags: `run`'s, and the counterfactual mode.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Counterfactuals given the whole record: the baseline replays it in every timeline and
    /// the divergent twin meets each decision it shares with the record's (abducted) luck.
    #[arg(long, conflicts_with = "history_until")]
    pub given_history: bool,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: EnsembleArgs,
    /// Number of timelines, 1 to 1,000,000,000.
    #[arg(short = 'n', long, default_value_t = 10_000, value_parser = timelines)]
    pub timelines: u64,
    #[command(flatten)]
    pub output: FormatArgs,
    /// No progress bar and no timing line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Run only shard K of N (1-based; contiguous timeline ranges) and write a shard file to -o,
    /// for `starcity merge`. `auto` takes K and N from a whole Slurm array (task ID − MIN + 1 of
    /// COUNT; arrays from 0 or 1, no gaps). `auto/N` takes N as given and K = SLURM_ARRAY_TASK_ID
    /// (number the array 1-N; re-run task K alone with --array=K) or JOB_COMPLETION_INDEX + 1
    /// (a Kubernetes Indexed Job).
    #[arg(long, value_name = "K/N|auto|auto/N", value_parser = shard_spec)]
    pub shard: Option<ShardSpec>,
}

/// `--shard`: given, or from the scheduler's environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    Given {
        k: u64,
        n: u64,
    },
    /// From Slurm's array variables; with `Some(n)`, only the index from the environment.
    Auto(Option<u64>),
}

/// At most this many shards (a split finer than this is no longer worth a file each).
pub const MAX_SHARDS: u64 = 100_000;

fn shard_spec(s: &str) -> Result<ShardSpec, String> {
    let count = |t: &str| match t.parse::<u64>() {
        Ok(n) if (1..=MAX_SHARDS).contains(&n) => Ok(n),
        _ => Err(format!("`{t}` is not a shard count from 1 to {MAX_SHARDS}")),
    };
    match s.split_once('/') {
        None if s == "auto" => Ok(ShardSpec::Auto(None)),
        Some(("auto", n)) => Ok(ShardSpec::Auto(Some(count(n)?))),
        Some((k, n)) => {
            let n = count(n)?;
            match k.parse::<u64>() {
                Ok(k) if (1..=n).contains(&k) => Ok(ShardSpec::Given { k, n }),
                _ => Err(format!("`{k}` is not a shard number from 1 to {n} (shards are 1-based: 1/{n} … {n}/{n})")),
            }
        }
        None => Err(format!("`{s}` is not K/N, auto or auto/N")),
    }
}

/// `starcity merge`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The shard files (an export's parts: PART.csv, with PART.csv.shard.json beside it), in any
    /// order; `-` is not accepted: each is a file.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// Write the result to this file (atomically), as the unsplit command's -o would.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

impl RunArgs {
    /// The format asked for: `--json`, `--format`, the extension of `-o`, else text.
    pub fn format(&self) -> Format {
        self.output.format(self.common.output.as_deref())
    }
}

/// `--json` and `--format`, shared by the commands that write a typed report.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct FormatArgs {
    /// Print one JSON object instead of tables (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Output format [default: from the -o file's extension (.md, .json, .csv, .html), else text].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

impl FormatArgs {
    /// The format asked for, else the one `output`'s extension implies, else text.
    pub fn format(self, output: Option<&std::path::Path>) -> Format {
        self.asked().unwrap_or_else(|| Format::from_path(output))
    }

    /// The format asked for with a flag, if any.
    pub fn asked(self) -> Option<Format> {
        if self.json { Some(Format::Json) } else { self.format }
    }
}

/// How a report is written.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned tables for a terminal.
    Text,
    /// Markdown with pipe tables.
    Markdown,
    /// One JSON object (the typed report; schema in the README).
    Json,
    /// Every table and chart's numbers, one line per cell: section,row,column,value.
    Csv,
    /// One self-contained offline page with SVG charts.
    Html,
}

impl Format {
    /// The format's name, as on the command line (and in shard headers).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }

    /// The format of a name written by [`Format::name`].
    pub fn from_name(name: &str) -> Option<Format> {
        [Format::Text, Format::Markdown, Format::Json, Format::Csv, Format::Html].into_iter().find(|f| f.name() == name)
    }

    /// The format a file name implies; text if it implies none.
    pub fn from_path(path: Option<&std::path::Path>) -> Format {
        let ext = path.and_then(|p| p.extension()).and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("md" | "markdown") => Format::Markdown,
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some("html" | "htm") => Format::Html,
            _ => Format::Text,
        }
    }
}

/// `starcity report`: the run or comparison as an HTML page.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: EnsembleArgs,
    /// Number of timelines, 1 to 1,000,000,000.
    #[arg(short = 'n', long, default_value_t = 10_000, value_parser = timelines)]
    pub timelines: u64,
    /// With -d: counterfactuals given the whole record (as `compare --given-history`).
    #[arg(long, conflicts_with = "history_until", requires = "divergences")]
    pub given_history: bool,
    /// Also write every chart as a standalone SVG (for slides) and its numbers as CSV into DIR.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// No progress bar and no timing line.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `starcity rank`: divergences ordered by their effect.
#[derive(clap::Args, Debug)]
pub struct RankArgs {
    #[command(flatten)]
    pub common: EnsembleArgs,
    /// Twin timelines per divergence, 1 to 1,000,000,000.
    #[arg(short = 'n', long, default_value_t = 10_000, value_parser = timelines)]
    pub timelines: u64,
    /// The milestone whose first arrival is measured (an id: `starcity show` lists them).
    #[arg(long, default_value = "crewed_lunar_landing")]
    pub milestone: String,
    /// The agency whose chance of being first (or whose losses) is measured.
    #[arg(long, default_value = "USSR")]
    pub agency: String,
    /// Rank by people the agency loses per timeline instead of its chance of being first.
    #[arg(long)]
    pub lost: bool,
    /// Counterfactuals given the whole record (as `compare --given-history`).
    #[arg(long, conflicts_with = "history_until")]
    pub given_history: bool,
    #[command(flatten)]
    pub output: FormatArgs,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `export`'s flags: `run`'s ensemble flags and the table's format.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub common: EnsembleArgs,
    /// Number of timelines (rows), 1 to 1,000,000,000.
    #[arg(short = 'n', long, default_value_t = 10_000, value_parser = timelines)]
    pub timelines: u64,
    /// Table format [default: from the -o extension (`.parquet` or `.pq`), else csv]. Parquet is
    /// binary: it is not written to a terminal (use -o or a pipe).
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// No progress bar and no timing line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Write only the rows of shard K of N (CSV) to -o, and its header to `-o`.shard.json, for
    /// `starcity merge` (`auto`, `auto/N`: as for `run --shard`).
    #[arg(long, value_name = "K/N|auto|auto/N", value_parser = shard_spec)]
    pub shard: Option<ShardSpec>,
}

/// `export --format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Parquet,
}

#[derive(clap::Args, Debug)]
pub struct ChronicleArgs {
    #[command(flatten)]
    pub common: EnsembleArgs,
    /// The timeline to tell (default 0).
    #[arg(long, conflicts_with_all = ["condition", "pick"])]
    pub timeline: Option<u64>,
    /// Tell the first timeline whose end satisfies this condition (the scenario rule language, see
    /// docs/scenario-format.md), e.g. "first(crewed_lunar_landing, USSR) and crew_lost(USSR) == 0"
    /// or "date(crewed_lunar_landing, USSR) < 1969-07-01".
    #[arg(long = "where", value_name = "COND", conflicts_with = "pick")]
    pub condition: Option<String>,
    /// With --where: count the timelines of -n whose end satisfies the condition (with a 95 %
    /// interval) instead of telling one.
    #[arg(long, requires = "condition", conflicts_with_all = ["twin", "perspective"])]
    pub count: bool,
    /// Pick a timeline by a criterion: `typical` (closest to the ensemble's usual outcome).
    #[arg(long, value_parser = ["typical"])]
    pub pick: Option<String>,
    /// Tell the baseline and the divergent twin side by side from where they split (needs -d).
    #[arg(long)]
    pub twin: bool,
    /// Tell the story from one side: an agency id (`USSR`, `USA`): its flights, crews, decisions
    /// and losses in full, the rival's firsts and losses as news from abroad.
    #[arg(long, value_name = "AGENCY", conflicts_with = "twin")]
    pub perspective: Option<String>,
    /// Timelines in the ensemble, 1 to 1,000,000,000: for "how common" figures and the search of
    /// --where / --pick.
    #[arg(short = 'n', long, default_value_t = 2_000, value_parser = timelines)]
    pub timelines: u64,
    /// Output format: `text`, `markdown` (CommonMark), `json` (every entry with its fields),
    /// `timelinejs` (TimelineJS3 JSON: a slide per entry grouped by agency, era headings as
    /// eras, dates as numbers, text as escaped HTML), `csv` (a TimelineJS Google-Sheets template
    /// that Aeon Timeline also imports: Title, Start Date, End Date, Tags, Internal Identifier),
    /// `obsidian` (the Markdown with YAML front matter for a note vault). With --twin, the new
    /// formats mark each event `baseline` or `divergent` after the split.
    #[arg(
        long,
        default_value = "text",
        value_parser = ["text", "markdown", "json", "timelinejs", "csv", "obsidian"]
    )]
    pub format: String,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `starcity show`.
#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// Built-in scenario or divergence names or files (`-` for standard input): at most one
    /// scenario, and divergences applied to it in order [default: the first divergence's `base`,
    /// else space-race].
    #[arg(value_name = "SCENARIO_OR_DIVERGENCE")]
    pub names: Vec<String>,
    /// A divergence (built-in name, file, or `-`) applied after those named above; repeat to
    /// compose them in order.
    #[arg(short = 'd', long = "divergence")]
    pub divergences: Vec<String>,
    /// Print one section only, without headings (`flights`: every named flight, one a line;
    /// `people`: every roster member with agency and service dates; `past`: flights before the start;
    /// `record`: the real flights after it and how each went).
    #[arg(
        long,
        value_name = "NAME",
        value_parser = clap::builder::PossibleValuesParser::new(crate::commands::show::SECTIONS)
    )]
    pub section: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write the result to this file (atomically).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Arguments of `starcity calibrate`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CalibrateArgs {
    /// A launch record to backtest instead of the embedded one: tab-separated, columns
    /// date (YYYY-MM-DD), nation, vehicle, family, payload, outcome (success/partial/failure).
    #[arg(long, value_name = "FILE.tsv")]
    pub record: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Break the scores down by vehicle family.
    #[arg(long)]
    pub by_family: bool,
    /// Score only launches on or after this date (earlier launches still inform the model).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Print the vehicle-family priors fitted on the launches before this date, and exit.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub show_priors: Option<NaiveDate>,
    /// Write the result to this file (atomically).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Worker threads for the yearly refits, 1 to 32 (default: all cores, at most 32).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=THREADS.value))]
    pub threads: Option<u64>,
}

/// `-n`: 1 to `limits::TIMELINES`, with digit separators allowed (`1_000_000`).
fn timelines(s: &str) -> Result<u64, String> {
    let digits: String = s.chars().filter(|c| *c != '_' && *c != ',').collect();
    let n: u64 = digits.parse().map_err(|_| format!("`{s}` is not a whole number"))?;
    if n == 0 || n > TIMELINES.value {
        return Err(format!("{n} is out of range: expected 1 to {} (limit `timelines`)", TIMELINES.value));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_are_bounded_and_accept_separators() {
        assert_eq!(timelines("1_000"), Ok(1000));
        assert!(timelines("0").is_err());
        assert!(timelines("1000000001").is_err());
        assert!(timelines("18446744073709551615").is_err());
        assert!(timelines("ten").is_err());
    }

    #[test]
    fn shard_specs_are_one_based_and_bounded() {
        assert_eq!(shard_spec("2/7"), Ok(ShardSpec::Given { k: 2, n: 7 }));
        assert_eq!(shard_spec("auto"), Ok(ShardSpec::Auto(None)));
        assert_eq!(shard_spec("auto/4"), Ok(ShardSpec::Auto(Some(4))));
        for bad in ["0/3", "4/3", "1/0", "x/2", "2", "auto/0", "1/100001", "-1/2"] {
            assert!(shard_spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
