//! Reports: each command's result as a typed model (`run.rs`, `compare.rs`, `rank.rs`), the
//! [`Document`](document::Document) it becomes (`views.rs`), and the renderers that read only
//! documents: text and Markdown (`text.rs`), CSV (`csv.rs`), HTML with SVG charts (`html.rs`,
//! `svg.rs`). JSON is the typed model itself, through serde: its shape is a public interface,
//! documented in the README.

pub mod chart;
pub mod compare;
pub mod csv;
pub mod document;
pub mod html;
pub mod keyed;
pub mod rank;
pub mod run;
pub mod svg;
pub mod text;
pub mod views;

pub use compare::{CompareReport, InterventionReport};
pub use document::{pct, points};
pub use keyed::Keyed;
pub use rank::RankReport;
pub use run::RunReport;

/// "five years", "1 year", "8 months": the time jump between two eras, spelled out.
pub fn years_between(a: chrono::NaiveDate, b: chrono::NaiveDate) -> String {
    let days = (b - a).num_days();
    let years = (days as f64 / 365.25).round() as i64;
    if years >= 1 {
        let words =
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
        let n = words.get(years as usize).map(|s| s.to_string()).unwrap_or(years.to_string());
        format!("{n} year{}", if years == 1 { "" } else { "s" })
    } else {
        let months = (days as f64 / 30.44).round().max(1.0) as i64;
        format!("{months} month{}", if months == 1 { "" } else { "s" })
    }
}
