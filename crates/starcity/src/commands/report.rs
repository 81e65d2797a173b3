//! `starcity report`: a run (or, with -d, a comparison) as one offline HTML page, and on request
//! every chart as a standalone SVG with its numbers as CSV.

use std::path::Path;
use std::time::Instant;

use miette::{Result, miette};
use starcity_core::report::chart::Chart;
use starcity_core::report::document::{Block, Document};
use starcity_core::report::{svg, views};

use crate::cli::{Format, ReportArgs};
use crate::output::{self, Sink};

pub fn run(args: &ReportArgs) -> Result<()> {
    let to_stdout = output::is_stdout(args.common.output.as_deref());
    if to_stdout && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(miette!(
            help = "starcity report -o report.html (then open it in any browser; it needs no network)",
            "the report is an HTML page: give a file to write it to with -o, or pipe it"
        ));
    }
    if let Some(path) = args.common.output.as_ref().filter(|_| !to_stdout)
        && !matches!(Format::from_path(Some(path)), Format::Html | Format::Text)
    {
        return Err(miette!(
            help = "for tables as CSV, Markdown or JSON: starcity run (or compare) -o FILE with that extension",
            "the report is an HTML page, but -o {} names another kind of file",
            path.display()
        ));
    }
    if let Some(dir) = &args.charts
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(miette!("--charts {}: is a file, not a folder", dir.display()));
    }
    let started = Instant::now();
    let doc = document(args)?;
    if let Some(dir) = &args.charts {
        write_charts(dir, &doc)?;
    }
    output::emit(&super::page(&doc)?, Sink::new(args.common.output.as_deref()))?;
    if !args.quiet {
        output::note(&format!("report of {} timelines in {:.2} s\n", args.timelines, started.elapsed().as_secs_f64()));
    }
    Ok(())
}

/// The run's document, or the comparison's when divergences are given.
fn document(args: &ReportArgs) -> Result<Document> {
    if args.common.divergences.is_empty() {
        let report = super::run::build(&args.common, args.timelines, args.quiet)?;
        return Ok(views::run(&report));
    }
    let report = super::compare::build(&args.common, args.timelines, args.quiet, args.given_history)?;
    Ok(views::compare(&report))
}

/// Every chart of the document as `ID.svg` and `ID.csv` in `dir` (created if missing), each
/// written atomically.
fn write_charts(dir: &Path, doc: &Document) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| miette!("cannot create the chart folder {}: {e}", dir.display()))?;
    let charts = doc.sections.iter().flat_map(|s| &s.blocks).filter_map(|b| match b {
        Block::Chart(c) => Some(c),
        _ => None,
    });
    for chart in charts {
        write_chart(dir, chart)?;
    }
    Ok(())
}

fn write_chart(dir: &Path, chart: &Chart) -> Result<()> {
    // Chart ids are built from scenario ids, which are user text: keep only safe file-name bytes.
    let name: String =
        chart.id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    let table = starcity_core::report::document::Section::new(chart.title.clone(), vec![Block::Table(chart.table())]);
    let csv_doc = Document { title: chart.title.clone(), intro: Vec::new(), sections: vec![table] };
    output::emit(&svg::svg(chart), Sink::File(&dir.join(format!("{name}.svg"))))?;
    output::emit(&starcity_core::report::csv::csv(&csv_doc), Sink::File(&dir.join(format!("{name}.csv"))))
}
