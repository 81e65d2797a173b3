//! The document every report becomes before it is rendered: a title, an introduction, and
//! sections of paragraphs, lists, tables and charts. Each command's typed report is turned into a
//! [`Document`] once (`views.rs`); the renderers (`text.rs` for text and Markdown, `csv.rs`,
//! `html.rs` with `svg.rs`) read only documents, so a new format is one renderer, not a method on
//! every report, and every format shows the same numbers.

use serde::Serialize;

use super::chart::Chart;

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    /// Paragraphs under the title: what was run and how history was treated.
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Empty for a closing paragraph that needs no heading.
    pub heading: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(heading: impl Into<String>, blocks: Vec<Block>) -> Self {
        Section { heading: heading.into(), blocks }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(String),
    /// Short statements, one a line (indented in text, bullets in Markdown and HTML).
    Lines(Vec<String>),
    /// A bulleted list (bullets in every format).
    List(Vec<String>),
    Table(Table),
    /// A chart: drawn in HTML (with its numbers in a table beside it), left out of text formats,
    /// whose tables already hold the same numbers.
    Chart(Chart),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub align: Align,
}

/// A table of typed cells: text formats print them rounded, CSV writes the raw numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table whose first `left` columns are text (left-aligned) and the rest numbers.
    pub fn new(names: &[&str], left: usize) -> Self {
        let columns = names.iter().enumerate().map(|(i, n)| Column { name: n.to_string(), align: align(i < left) });
        Table { columns: columns.collect(), rows: Vec::new() }
    }

    /// Marks one more column as text (left-aligned), e.g. a description after the numbers.
    pub fn left(mut self, column: usize) -> Self {
        if let Some(c) = self.columns.get_mut(column) {
            c.align = Align::Left;
        }
        self
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

fn align(left: bool) -> Align {
    if left { Align::Left } else { Align::Right }
}

/// One value of a table, with its unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A probability, printed as a percentage.
    Percent(f64),
    /// A difference of probabilities, printed in signed percentage points.
    Points(f64),
    /// A number with this many decimals.
    Number(f64, u8),
    /// A signed number with this many decimals.
    Signed(f64, u8),
    /// A 95 % interval of differences: of probabilities (`decimals: None`, in points) or of
    /// numbers with that many decimals.
    Interval {
        lo: f64,
        hi: f64,
        decimals: Option<u8>,
    },
    /// A signed number of days ("+12 days").
    Days(i64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as text formats print it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Percent(p) => pct(*p),
            Cell::Points(p) => points(*p),
            Cell::Number(x, d) => format!("{:.*}", *d as usize, unsigned_zero(*x, *d)),
            Cell::Signed(x, d) => signed(*x, *d),
            Cell::Interval { lo, hi, decimals: None } => format!("[{}, {}]", points(*lo), points(*hi)),
            Cell::Interval { lo, hi, decimals: Some(d) } => format!("[{}, {}]", signed(*lo, *d), signed(*hi, *d)),
            Cell::Days(d) => format!("{d:+} days"),
            Cell::Empty => String::new(),
        }
    }
}

/// A percentage with one decimal: "43.1 %"; "<0.1 %" for tiny non-zero values.
pub fn pct(p: f64) -> String {
    if p > 0.0 && p < 0.0005 { "<0.1 %".to_string() } else { format!("{:.1} %", p * 100.0) }
}

/// A difference of probabilities in signed percentage points: "+12.3 pp" ("+0.0 pp", never
/// "-0.0 pp", for a difference that rounds to zero).
pub fn points(p: f64) -> String {
    format!("{} pp", signed(p * 100.0, 1))
}

/// A signed number with `decimals` decimals; what rounds to zero is "+0.0", not "-0.0".
pub fn signed(x: f64, decimals: u8) -> String {
    format!("{:+.*}", decimals as usize, unsigned_zero(x, decimals))
}

/// `x`, or 0 when it rounds to zero at `decimals` (so no "-0.0" is printed).
fn unsigned_zero(x: f64, decimals: u8) -> f64 {
    if (x * 10f64.powi(decimals as i32)).round() == 0.0 { 0.0 } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_print_with_their_units() {
        assert_eq!(Cell::Percent(0.4312).display(), "43.1 %");
        assert_eq!(Cell::Percent(0.0001).display(), "<0.1 %");
        assert_eq!(Cell::Points(-0.05).display(), "-5.0 pp");
        assert_eq!(Cell::Signed(0.5, 2).display(), "+0.50");
        assert_eq!(Cell::Interval { lo: -0.01, hi: 0.02, decimals: None }.display(), "[-1.0 pp, +2.0 pp]");
        assert_eq!(Cell::Interval { lo: -0.1, hi: 0.25, decimals: Some(2) }.display(), "[-0.10, +0.25]");
        assert_eq!(Cell::Points(-0.0001).display(), "+0.0 pp", "no negative zero");
        assert_eq!(Cell::Interval { lo: -0.001, hi: 0.03, decimals: Some(2) }.display(), "[+0.00, +0.03]");
        assert_eq!(Cell::Days(-37).display(), "-37 days");
    }
}
