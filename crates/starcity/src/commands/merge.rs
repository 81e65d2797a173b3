//! `starcity merge SHARD…`: shard files of one `run` or `compare`, or the parts of one `export`,
//! checked to fit together and merged into exactly what the unsplit command writes, byte for byte.

use miette::{Result, miette};
use starcity_core::counterfactual::{self, Paired};
use starcity_core::ensemble::Summary;
use starcity_core::limits::SHARD_BYTES;
use starcity_core::report::{CompareReport, RunReport, views};
use starcity_core::shard::{self, Header, Part, ShardFile};

use super::export::parts::Part as ExportPart;
use crate::cli::{Format, HistoryUntil, MergeArgs};
use crate::config::{Inputs, Worlds};
use crate::input;
use crate::output::{self, Sink, Stream};

pub fn run(args: &MergeArgs) -> Result<()> {
    output::check_target(args.output.as_deref())?;
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = args.shards.iter().find(|p| !seen.insert(*p)) {
        return Err(miette!("{} is given twice: give each shard once", twice.display()));
    }
    let files = args.shards.iter().map(|p| read(&p.display().to_string())).collect::<Result<Vec<_>>>()?;
    let named: Vec<(String, &Header)> = files.iter().map(|(name, f)| (name.clone(), &f.header)).collect();
    let order = shard::fit(&named).map_err(|e| miette!("{e}"))?;
    // The shard of the first timelines speaks for all (any order of the arguments, same bytes).
    let Some((first_name, first)) = order.first().map(|&i| &files[i]) else { return Err(miette!("no shard given")) };
    let h = &first.header;
    let worlds = compile(h).map_err(|e| e.wrap_err(format!("{first_name}: its scenario no longer compiles")))?;
    let ours = shard::fingerprint(&[&worlds.base, &worlds.div]);
    if ours != h.fingerprint {
        return Err(miette!(
            help =
                "merge with the build that wrote the shards (the same commit, on the same target), or run them again",
            "the shards were written by starcity {} on {} (fingerprint {}); this is starcity {} (source {}) on {}, and \
             their inputs compile here to fingerprint {ours}: another build (another commit of the same version counts), or \
             shard files edited by hand",
            h.starcity,
            h.target,
            h.fingerprint,
            env!("CARGO_PKG_VERSION"),
            shard::SOURCE,
            shard::target()
        ));
    }
    let ordered: Vec<&(String, ShardFile)> = order.iter().map(|&i| &files[i]).collect();
    if h.command == "export" {
        return merge_export(&worlds, &ordered, args.output.as_deref());
    }
    let format = match &h.output {
        Some(name) => Format::from_name(name).ok_or_else(|| miette!("{first_name}: unknown output format `{name}`"))?,
        None => Format::from_path(args.output.as_deref()),
    };
    let sink = Sink::new(args.output.as_deref());
    match h.command.as_str() {
        "run" => merge_run(&worlds, &ordered, format, sink),
        "compare" => merge_compare(&worlds, &ordered, format, sink),
        other => Err(miette!("{first_name}: shards of `{other}` cannot be merged by this build")),
    }
}

/// Reads one shard file, within `shard-bytes`. An export part (`part.csv`) is read through its
/// header beside it (`part.csv.shard.json`).
fn read(name: &str) -> Result<(String, ShardFile)> {
    let path = std::path::Path::new(name);
    if name == "-" {
        return Err(miette!("merge reads shard files by name, not `-`"));
    }
    if path.is_dir() {
        return Err(miette!("{name} is a folder: give the shard files in it (e.g. {name}/shard-*.json)"));
    }
    let sidecar = super::shard::sidecar(path);
    if !name.ends_with(".shard.json") && sidecar.is_file() {
        return read(&sidecar.display().to_string());
    }
    if path.extension().is_some_and(|e| e == "csv") {
        return Err(miette!(
            "{name} looks like an export part, but its header {} is not beside it: export --shard writes both",
            sidecar.display()
        ));
    }
    let text = input::read_text(name, SHARD_BYTES)?;
    let file: ShardFile =
        serde_json::from_str(&text).map_err(|e| miette!("{name} is not a readable shard file: {e}"))?;
    // An export part's check is of its rows, verified as they are read; a file of another
    // version is refused by `fit`, naming its version.
    let ours = file.header.version == shard::VERSION && file.header.command != "export";
    if ours && file.check != file.payload_check() {
        return Err(miette!(
            help = "run that shard again",
            "{name} was edited after it was written: its summaries do not match its check {}",
            file.check
        ));
    }
    Ok((name.to_string(), file))
}

/// The worlds the shards ran, compiled again from the texts they carry.
fn compile(h: &Header) -> Result<Worlds> {
    let inputs = Inputs { scenario: h.scenario.clone(), divergences: h.divergences.clone() };
    let until = match h.history_until.as_deref() {
        None => None,
        Some("none") => Some(HistoryUntil::None),
        Some(d) => Some(HistoryUntil::Date(d.parse().map_err(|_| miette!("`{d}` is not a date"))?)),
    };
    let worlds = Worlds::compile(&inputs, until)?;
    if h.given_history { worlds.given_history() } else { Ok(worlds) }
}

/// One part per shard (`pick`), checked against its range and the scenario's shape, merged.
fn fold<'a, T: Part + 'a>(
    empty: T,
    shards: &[&'a (String, ShardFile)],
    pick: impl Fn(&'a ShardFile) -> Option<&'a T>,
) -> Result<T> {
    shards.iter().try_fold(empty, |acc, (name, f)| {
        let part = pick(f).ok_or_else(|| miette!("{name} holds no summary for this command"))?;
        let [start, end] = f.header.range;
        if part.timelines() != end - start {
            return Err(miette!("{name} counts {} timelines but covers {start}..{end}", part.timelines()));
        }
        acc.try_merge(part).map_err(|e| miette!("{name}: {e}"))
    })
}

fn merge_run(w: &Worlds, shards: &[&(String, ShardFile)], format: Format, sink: Sink<'_>) -> Result<()> {
    let h = &shards[0].1.header;
    let summary = fold(Summary::new(&w.div), shards, |f| f.summary.as_ref())?;
    let mut report = RunReport::new(&w.div, &summary, h.seed, w.div.divergences.clone());
    if !w.div.interventions.is_empty() {
        let baseline = match counterfactual::needs_baseline(&w.div) {
            true => fold(Summary::new(&w.base), shards, |f| f.baseline.as_ref())?,
            false => Summary::new(&w.base),
        };
        report.interventions = counterfactual::interventions(&w.base, &w.div, &baseline, &summary);
    }
    super::emit_report(&report, &views::run(&report), format, sink)
}

fn merge_compare(w: &Worlds, shards: &[&(String, ShardFile)], format: Format, sink: Sink<'_>) -> Result<()> {
    let h = &shards[0].1.header;
    let paired = fold(Paired::new(&w.base, &w.div), shards, |f| f.paired.as_ref())?;
    let report = CompareReport::new(&w.base, &w.div, &paired, h.seed);
    super::emit_report(&report, &views::compare(&report), format, sink)
}

/// Export parts: the unsplit export's format (its header says which) rebuilt from them. A CSV
/// export: the header line once, then every part's rows in range order, each part checked to
/// hold its range's rows under the same header; a Parquet export: the parts' rows re-encoded
/// (`export::merge_parquet`). Streamed: memory does not grow with the rows.
fn merge_export(w: &Worlds, shards: &[&(String, ShardFile)], output: Option<&std::path::Path>) -> Result<()> {
    let parts: Vec<ExportPart> = shards
        .iter()
        .map(|(name, f)| ExportPart {
            path: name.strip_suffix(".shard.json").unwrap_or(name).to_string(),
            range: f.header.range,
            check: f.check.clone(),
        })
        .collect();
    if shards[0].1.header.output.as_deref() == Some("parquet") {
        return super::export::merge_parquet(&w.div, &parts, output);
    }
    if output.is_some() && super::export::format_of(output) == crate::cli::TableFormat::Parquet {
        return Err(miette!(
            help = "shard with --format parquet to merge into Parquet",
            "these parts are of a CSV export: merge them into a .csv file"
        ));
    }
    let limit = super::export::parts::line_limit(&starcity_core::rows::Columns::of(&w.div)?);
    let mut out = Stream::open(Sink::new(output))?;
    let mut first_header: Option<Vec<u8>> = None;
    for part in &parts {
        copy_part(part, limit, &mut first_header, &mut out)?;
    }
    out.finish()
}

/// One CSV part's rows onto `out` (its header line too, if it is the first part), checked to
/// have the first part's header, its bytes' check and its range's rows.
fn copy_part(part: &ExportPart, limit: usize, first_header: &mut Option<Vec<u8>>, out: &mut Stream) -> Result<()> {
    use std::io::{BufRead, Write};
    let rows_path = &part.path;
    let mut file = std::io::BufReader::new(part.open(limit)?);
    let mut lines = (&mut file).split(b'\n');
    let header = lines.next().transpose().map_err(|e| miette!("{rows_path}: {e}"))?.unwrap_or_default();
    match first_header {
        Some(h) if *h != header => return Err(miette!("{rows_path} has another header than the first part")),
        Some(_) => {}
        None => {
            out.write_all(&header).and_then(|_| out.write_all(b"\n")).map_err(|e| out.failed(&e))?;
            *first_header = Some(header);
        }
    }
    let mut rows = 0u64;
    for line in lines {
        let line = line.map_err(|e| miette!("{rows_path}: {e}"))?;
        out.write_all(&line).and_then(|_| out.write_all(b"\n")).map_err(|e| out.failed(&e))?;
        rows += 1;
    }
    part.verify(file.get_ref())?;
    let [start, end] = part.range;
    if rows != end - start {
        return Err(miette!(
            "{rows_path} holds {rows} rows, but its shard covers timelines {start}..{end}: an unfinished or edited part"
        ));
    }
    Ok(())
}
