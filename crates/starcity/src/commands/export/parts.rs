//! Export parts read back. `export --shard` writes its rows as CSV; to rebuild an unsplit
//! *Parquet* export, `merge` parses them into typed cells and hands them to the Parquet writer in
//! the blocks the unsplit stream would have made (`rows::BLOCK_ROWS`, aligned from timeline 0):
//! a Parquet file's bytes depend on its blocks (row groups close at block ends), its rows' values
//! on nothing else.

use std::io::Read;

use chrono::NaiveDate;
use miette::{Report, Result, miette};
use starcity_core::rows::{BLOCK_ROWS, Column, Columns, RowBlock, RowSink, Value};
use starcity_core::scenario::Scenario;
use starcity_core::shard::Fnv;
use starcity_core::world::Fate;

/// An export part: the path of its rows, the timelines it covers and the check of its bytes
/// (from its header, `PART.csv.shard.json`).
pub struct Part {
    pub path: String,
    pub range: [u64; 2],
    pub check: String,
}

impl Part {
    /// Opens the rows for reading: lines bounded, bytes hashed for [`Part::verify`].
    pub fn open(&self, limit: usize) -> Result<LineLimit<Checked<std::fs::File>>> {
        let file = std::fs::File::open(&self.path).map_err(|e| miette!("{}: {e}", self.path))?;
        Ok(LineLimit::new(Checked { inner: file, hash: Fnv::default() }, limit))
    }

    /// After the last byte is read: the part is the one its header describes.
    pub fn verify(&self, read: &LineLimit<Checked<std::fs::File>>) -> Result<()> {
        let found = read.inner.hash.hex();
        if found != self.check {
            return Err(miette!(
                help = "run that shard again",
                "{} was cut short or edited after it was written: its bytes hash to {found}, its header says {}",
                self.path,
                self.check
            ));
        }
        Ok(())
    }
}

/// Reads every part's rows in order and hands them to `sink` in blocks of `BLOCK_ROWS`
/// timelines aligned from timeline 0. Each part must have the scenario's header and hold
/// exactly its range's rows, in order.
pub fn replay<K: RowSink<Error = Report>>(
    sc: &Scenario,
    columns: &Columns,
    parts: &[Part],
    sink: &mut K,
) -> Result<()> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| name).collect();
    let agencies: Vec<&str> = sc.agencies.iter().map(|a| a.id.as_str()).collect();
    let mut block = RowBlock::new(sc, 0);
    let mut next = 0u64;
    for part in parts {
        let (path, [start, end]) = (&part.path, part.range);
        let lines = part.open(line_limit(columns))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(lines);
        let header = reader.headers().map_err(|e| miette!("{path}: {e}"))?;
        if header.iter().ne(names.iter().copied()) {
            return Err(miette!("{path} has another header than this scenario's export table"));
        }
        let mut record = csv::StringRecord::new();
        let mut rows = 0u64;
        while reader.read_record(&mut record).map_err(|e| miette!("{path}: {e}"))? {
            let at = |why: String| miette!("{path}, row {}: {why}", rows + 1);
            let cells = parse(columns, &record, &agencies).map_err(at)?;
            block.push_cells(columns, &cells).map_err(at)?;
            (rows, next) = (rows + 1, next + 1);
            if block.len() as u64 == BLOCK_ROWS {
                sink.block(&block)?;
                block = RowBlock::new(sc, next);
            }
        }
        part.verify(reader.get_ref())?;
        if rows != end - start {
            return Err(miette!(
                "{path} holds {rows} rows, but its shard covers timelines {start}..{end}: an unfinished or edited part"
            ));
        }
    }
    if !block.is_empty() {
        sink.block(&block)?;
    }
    Ok(())
}

/// The longest line a part of this table may have: every cell at its widest (an id, a date, a
/// number), with room to spare. Longer is not a part starcity wrote, and is refused before it
/// is held in memory.
pub fn line_limit(columns: &Columns) -> usize {
    1024 + 128 * columns.len()
}

/// A record's cells, typed by their columns.
fn parse(columns: &Columns, record: &csv::StringRecord, agencies: &[&str]) -> Result<Vec<Value>, String> {
    if record.len() != columns.len() {
        return Err(format!("{} cells where the table has {} columns", record.len(), columns.len()));
    }
    let typed = columns.iter().zip(record.iter());
    typed.map(|((name, column), text)| cell(column, text, agencies).ok_or_else(|| unreadable(name, text))).collect()
}

fn unreadable(name: &str, text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    format!("column `{name}` cannot hold `{shown}`")
}

/// One cell as the CSV table spells it: dates `YYYY-MM-DD` or empty, winners an agency id or
/// `none`, counts and indices in decimal, fates by name.
fn cell(column: Column, text: &str, agencies: &[&str]) -> Option<Value> {
    Some(match column {
        Column::Timeline => Value::Timeline(text.parse().ok()?),
        Column::Date { .. } if text.is_empty() => Value::Date(None),
        Column::Date { .. } => Value::Date(Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?)),
        Column::Winner { .. } if text == "none" => Value::Agency(None),
        Column::Winner { .. } => Value::Agency(Some(agencies.iter().position(|a| *a == text)?)),
        Column::CrewLost { .. } | Column::FatalFlights { .. } => Value::Count(text.parse().ok()?),
        Column::Fate { .. } => Value::Fate(*Fate::ALL.iter().find(|f| f.name() == text)?),
    })
}

/// A reader that hashes what passes through it (FNV-1a, as `export --shard` hashed the part).
pub struct Checked<R> {
    inner: R,
    hash: Fnv,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.feed(&buf[..n]);
        Ok(n)
    }
}

/// A reader that fails on a line longer than its limit, so that a forged part cannot make the
/// CSV reader (or a line splitter) hold an unbounded record.
pub struct LineLimit<R> {
    inner: R,
    limit: usize,
    /// Bytes since the last newline.
    run: usize,
}

impl<R: Read> LineLimit<R> {
    pub fn new(inner: R, limit: usize) -> Self {
        LineLimit { inner, limit, run: 0 }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.run = if b == b'\n' { 0 } else { self.run + 1 };
            if self.run > self.limit {
                return Err(std::io::Error::other(format!("a line longer than {} bytes", self.limit)));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_the_csv_table_writes_them() {
        let agencies = ["USA", "USSR"];
        let date = NaiveDate::from_ymd_opt(1969, 7, 20);
        assert_eq!(cell(Column::Timeline, "42", &agencies), Some(Value::Timeline(42)));
        assert_eq!(cell(Column::Date { milestone: 0, agency: 0 }, "1969-07-20", &agencies), Some(Value::Date(date)));
        assert_eq!(cell(Column::Date { milestone: 0, agency: 0 }, "", &agencies), Some(Value::Date(None)));
        assert_eq!(cell(Column::Winner { milestone: 0 }, "USSR", &agencies), Some(Value::Agency(Some(1))));
        assert_eq!(cell(Column::Winner { milestone: 0 }, "none", &agencies), Some(Value::Agency(None)));
        assert_eq!(cell(Column::Fate { program: 0 }, "retired", &agencies), Some(Value::Fate(Fate::Retired)));
        for bad in ["-1", "1969-13-01", "ESA", "=1+1", "4294967296"] {
            assert_eq!(cell(Column::CrewLost { agency: 0 }, bad, &agencies), None, "{bad}");
        }
        assert_eq!(cell(Column::Winner { milestone: 0 }, "ESA", &agencies), None);
    }

    #[test]
    fn a_long_line_is_refused_before_it_is_held() {
        let text = format!("a,b\n{}\n", "x".repeat(100));
        let mut out = Vec::new();
        let err = LineLimit::new(text.as_bytes(), 50).read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("longer than 50 bytes"));
        let mut fine = Vec::new();
        LineLimit::new("a,b\nc,d\n".as_bytes(), 50).read_to_end(&mut fine).unwrap();
        assert_eq!(fine, b"a,b\nc,d\n");
    }
}
