//! `starcity export`: one row per timeline, as CSV or Parquet, for pandas, R or DuckDB.
//!
//! Rows are streamed: the core runs blocks of timelines in parallel and hands them over in
//! timeline order (`rows::stream`); a table writer turns each block into bytes at once and an
//! [`output::Stream`] takes them to stdout or to `-o`'s temporary file. Nothing holds all rows, so
//! memory is the same at a hundred timelines and at a billion.

mod csv_table;
#[cfg(feature = "parquet")]
mod parquet_table;
pub mod parts;

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use miette::{Report, Result, miette};
use starcity_core::RunConfig;
use starcity_core::rows::{self, Columns, RowSink, StreamError};
use starcity_core::scenario::Scenario;

use crate::cli::{ExportArgs, TableFormat};
use crate::config::{Inputs, Worlds};
use crate::output::{self, Sink, Stream};
use crate::progress::in_pool;

pub fn run(args: &ExportArgs) -> Result<()> {
    let output = args.common.output.as_deref();
    let format = args.format.unwrap_or_else(|| format_of(output));
    if let Some(spec) = args.shard {
        return shard(args, spec, format);
    }
    refuse_terminal(format, output, std::io::stdout().is_terminal())?;
    let Worlds { div, .. } = Worlds::load(&args.common)?;
    let columns = Columns::of(&div)?;
    let cfg = RunConfig { seed: args.common.seed, timelines: args.timelines };
    let started = Instant::now();
    let stream = Stream::open(Sink::new(output))?;
    match format {
        TableFormat::Csv => write_table(csv_table::CsvTable::new(&div, columns, stream)?, &div, cfg, args)?,
        TableFormat::Parquet => write_parquet(&div, columns, stream, cfg, args)?,
    }
    if !args.quiet {
        output::note(&crate::progress::timing(cfg.timelines, "rows", started));
    }
    Ok(())
}

/// `export --shard`: the rows of the shard's range as CSV to `-o`, and its header beside them
/// (`-o`.shard.json) for `merge`, which joins the parts into the unsplit output byte for byte:
/// the CSV, or with `--format parquet` the Parquet file (parts are CSV either way: `merge`
/// re-encodes them in the unsplit stream's blocks, `export/parts.rs`).
fn shard(args: &ExportArgs, spec: crate::cli::ShardSpec, format: TableFormat) -> Result<()> {
    let path = super::shard::target(args.common.output.as_deref())?;
    if output::is_stdout(Some(path)) {
        return Err(miette!(
            help = "e.g. export --shard 1/4 -o part-1.csv, then merge part-*.csv -o all.csv",
            "an export part needs a file name, not -o -: its header is written beside it"
        ));
    }
    if format_of(Some(path)) == TableFormat::Parquet {
        return Err(miette!(
            help = "e.g. export --shard 1/4 --format parquet -o part-1.csv, then merge part-*.csv -o all.parquet",
            "an export part is CSV whatever the export's format: give it a .csv name, not {}",
            path.display()
        ));
    }
    // Both files are probed before the run: its header is written beside the part at the end.
    output::check_target(Some(path))?;
    output::check_target(Some(&super::shard::sidecar(path)))?;
    let inputs = Inputs::read(&args.common)?;
    let worlds = Worlds::compile(&inputs, args.common.history_until)?;
    let command = super::shard::Command {
        name: "export",
        output: Some(if format == TableFormat::Parquet { "parquet" } else { "csv" }),
        common: &args.common,
        timelines: args.timelines,
        given_history: false,
    };
    let header = super::shard::header(&command, &inputs, &worlds, super::shard::resolve(spec)?);
    let range = header.range[0]..header.range[1];
    let div = &worlds.div;
    let mut table = csv_table::CsvTable::new(div, Columns::of(div)?, Stream::open(Sink::File(path))?)?;
    let (threads, seed) = (args.common.threads, header.seed);
    let streamed = in_pool(threads, args.quiet, range.end - range.start, "timelines", |done| {
        rows::stream_range(div, seed, range.clone(), done, &mut table)
    })?;
    streamed.map_err(|e| match e {
        StreamError::Run(e) => Report::new(e),
        StreamError::Sink(e) => e,
    })?;
    table.finish()?.finish()?;
    // The part is complete on disk; its header, with the check of its bytes, goes beside it. A
    // part without its header is no part: removed if the header cannot be written.
    let written = check_of(path)
        .map(|check| starcity_core::shard::ShardFile { header, summary: None, baseline: None, paired: None, check })
        .and_then(|file| output::emit_json_compact(&file, Sink::File(&super::shard::sidecar(path))));
    if written.is_err() {
        let _ = std::fs::remove_file(path);
    }
    written
}

/// FNV-1a 64 of a written part's bytes (`ShardFile::check`).
fn check_of(path: &Path) -> Result<String> {
    let mut h = starcity_core::shard::Fnv::default();
    let mut file = std::fs::File::open(path).map_err(|e| miette!("{}: reading it back: {e}", path.display()))?;
    std::io::copy(&mut file, &mut h).map_err(|e| miette!("{}: reading it back: {e}", path.display()))?;
    Ok(h.hex())
}

/// Without `--format`: Parquet for a `-o` ending in `.parquet` or `.pq`, else CSV.
pub fn format_of(output: Option<&Path>) -> TableFormat {
    let ext = output.and_then(Path::extension).map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("parquet" | "pq") => TableFormat::Parquet,
        _ => TableFormat::Csv,
    }
}

/// Parquet is binary: on a terminal it is noise that can upset the terminal. A pipe or `-o` is
/// fine. Checked before loading anything, so the mistake costs nothing.
fn refuse_terminal(format: TableFormat, output: Option<&Path>, stdout_is_terminal: bool) -> Result<()> {
    if format == TableFormat::Parquet && output::is_stdout(output) && stdout_is_terminal {
        return Err(miette!(
            help = "give -o FILE.parquet, or pipe or redirect standard output",
            "refusing to write Parquet, a binary format, to a terminal"
        ));
    }
    Ok(())
}

/// What a table writer does besides taking blocks of rows: completes the file (a footer, a last
/// flush) and hands back the stream for [`Stream::finish`] to put in place.
trait Table: RowSink<Error = Report> + Send {
    fn finish(self) -> Result<Stream>;
}

/// Streams every row of `sc`'s ensemble through `table` under the progress bar, then completes
/// the table and the output. On any error the stream is dropped, and with it `-o`'s temporary file.
fn write_table<T: Table>(mut table: T, sc: &Scenario, cfg: RunConfig, args: &ExportArgs) -> Result<()> {
    let threads = args.common.threads;
    // Rows printed on the terminal would tear the bar apart: it shows only when they go elsewhere.
    let quiet = args.quiet || (output::is_stdout(args.common.output.as_deref()) && std::io::stdout().is_terminal());
    let streamed = in_pool(threads, quiet, cfg.timelines, "timelines", |done| rows::stream(sc, cfg, done, &mut table))?;
    streamed.map_err(|e| match e {
        StreamError::Run(e) => Report::new(e),
        StreamError::Sink(e) => e,
    })?;
    table.finish()?.finish()
}

#[cfg(feature = "parquet")]
fn write_parquet(sc: &Scenario, columns: Columns, stream: Stream, cfg: RunConfig, args: &ExportArgs) -> Result<()> {
    write_table(parquet_table::ParquetTable::new(sc, columns, stream)?, sc, cfg, args)
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(_: &Scenario, _: Columns, _: Stream, _: RunConfig, _: &ExportArgs) -> Result<()> {
    Err(miette!(
        help = "use --format csv, or build starcity with its default features (cargo feature `parquet`)",
        "this starcity was built without Parquet support"
    ))
}

/// `merge` of the parts of an export whose unsplit output is Parquet: their rows re-encoded in
/// the unsplit stream's blocks, so the file is the unsplit export's byte for byte.
#[cfg(feature = "parquet")]
pub fn merge_parquet(sc: &Scenario, parts: &[parts::Part], output: Option<&Path>) -> Result<()> {
    refuse_terminal(TableFormat::Parquet, output, std::io::stdout().is_terminal())?;
    let columns = Columns::of(sc)?;
    let mut table = parquet_table::ParquetTable::new(sc, columns.clone(), Stream::open(Sink::new(output))?)?;
    parts::replay(sc, &columns, parts, &mut table)?;
    table.finish()?.finish()
}

#[cfg(not(feature = "parquet"))]
pub fn merge_parquet(_: &Scenario, _: &[parts::Part], _: Option<&Path>) -> Result<()> {
    Err(miette!(
        help = "merge with a starcity built with its default features (cargo feature `parquet`)",
        "these parts are of a Parquet export, and this starcity was built without Parquet support"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_extension_unless_given() {
        assert_eq!(format_of(Some(Path::new("out.parquet"))), TableFormat::Parquet);
        assert_eq!(format_of(Some(Path::new("dir.v2/OUT.PQ"))), TableFormat::Parquet);
        assert_eq!(format_of(Some(Path::new("out.csv"))), TableFormat::Csv);
        assert_eq!(format_of(Some(Path::new("out"))), TableFormat::Csv);
        assert_eq!(format_of(None), TableFormat::Csv);
    }

    #[test]
    fn parquet_goes_to_a_terminal_never() {
        assert!(refuse_terminal(TableFormat::Parquet, None, true).is_err());
        assert!(refuse_terminal(TableFormat::Parquet, Some(Path::new("-")), true).is_err());
        assert!(refuse_terminal(TableFormat::Parquet, None, false).is_ok());
        assert!(refuse_terminal(TableFormat::Parquet, Some(Path::new("x.parquet")), true).is_ok());
        assert!(refuse_terminal(TableFormat::Csv, None, true).is_ok());
    }
}
