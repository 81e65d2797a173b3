//! One module per command. Each takes its parsed flags, loads through `config`, computes with
//! `starcity_core`, and writes through `output`: no command prints directly.

pub mod calibrate;
pub mod check;
pub mod chronicle;
pub mod compare;
pub mod export;
pub mod merge;
pub mod rank;
pub mod report;
pub mod run;
pub mod scenarios;
pub mod shard;
pub mod show;

use miette::{Result, miette};
use starcity_core::report::document::Document;
use starcity_core::report::{csv, html, text};

use crate::cli::Format;
use crate::output::{self, Sink};

/// Writes a typed report in the format asked for: JSON is the model itself; every other format
/// renders the model's document.
pub fn emit_report(model: &impl serde::Serialize, doc: &Document, format: Format, sink: Sink<'_>) -> Result<()> {
    match format {
        Format::Json => output::emit_json(model, sink),
        Format::Text => output::emit(&text::text(doc), sink),
        Format::Markdown => output::emit(&text::markdown(doc), sink),
        Format::Csv => output::emit(&csv::csv(doc), sink),
        Format::Html => output::emit(&page(doc)?, sink),
    }
}

/// The document as an HTML page.
pub fn page(doc: &Document) -> Result<String> {
    html::html(doc).map_err(|e| miette!("cannot lay out the HTML page: {e}"))
}
