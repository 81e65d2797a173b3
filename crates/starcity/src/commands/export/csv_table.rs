//! The CSV table: a header of column names, then one record per timeline. Cells are written by
//! the `csv` crate, which quotes whatever needs quoting; a date is `YYYY-MM-DD`, a milestone never
//! reached an empty cell. Names and values hold only ids (letters, digits, `-`, `_`), dates and
//! numbers, so nothing needs escaping for a terminal either.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use miette::{Report, Result};
use starcity_core::rows::{Column, Columns, RowBlock, RowSink, Value};
use starcity_core::scenario::Scenario;

use super::Table;
use crate::output::Stream;

pub struct CsvTable {
    out: csv::Writer<Stream>,
    /// What each column holds, in order.
    columns: Vec<Column>,
    /// Agency ids by index, for the winner columns.
    agencies: Vec<String>,
    /// Reused for each cell that needs formatting.
    cell: String,
}

impl CsvTable {
    /// Starts the table: writes the header.
    pub fn new(sc: &Scenario, columns: Columns, stream: Stream) -> Result<CsvTable> {
        let out = csv::WriterBuilder::new().from_writer(stream);
        let agencies = sc.agencies.iter().map(|a| a.id.clone()).collect();
        let kinds = columns.iter().map(|(_, c)| c).collect();
        let mut table = CsvTable { out, columns: kinds, agencies, cell: String::new() };
        let header = columns.iter().map(|(name, _)| name);
        table.out.write_record(header).map_err(|e| table.failed(&e))?;
        Ok(table)
    }

    fn failed(&self, e: &csv::Error) -> Report {
        self.out.get_ref().failed(e)
    }

    /// Writes one cell of the current record.
    fn cell(&mut self, value: Value) -> csv::Result<()> {
        self.cell.clear();
        let text: &str = match value {
            Value::Timeline(i) => {
                let _ = write!(self.cell, "{i}");
                &self.cell
            }
            Value::Count(n) => {
                let _ = write!(self.cell, "{n}");
                &self.cell
            }
            Value::Date(Some(d)) => {
                iso_date(&mut self.cell, d);
                &self.cell
            }
            Value::Date(None) => "",
            Value::Agency(Some(a)) => &self.agencies[a],
            Value::Agency(None) => "none",
            Value::Fate(f) => f.name(),
        };
        self.out.write_field(text)
    }
}

/// `YYYY-MM-DD`, without going through a format string for every cell.
fn iso_date(out: &mut String, d: NaiveDate) {
    let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
}

impl RowSink for CsvTable {
    type Error = Report;

    fn block(&mut self, rows: &RowBlock) -> Result<()> {
        for r in 0..rows.len() {
            for k in 0..self.columns.len() {
                let column = self.columns[k];
                self.cell(rows.value(r, column)).map_err(|e| self.failed(&e))?;
            }
            self.out.write_record(None::<&[u8]>).map_err(|e| self.failed(&e))?;
        }
        Ok(())
    }
}

impl Table for CsvTable {
    fn finish(self) -> Result<Stream> {
        self.out.into_inner().map_err(|e| {
            let why = e.error().to_string();
            e.into_inner().get_ref().failed(&why)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso() {
        let mut s = String::new();
        iso_date(&mut s, NaiveDate::from_ymd_opt(1969, 7, 20).unwrap());
        assert_eq!(s, "1969-07-20");
    }
}
