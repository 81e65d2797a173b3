//! A report as one tidy CSV: a line per table cell, `section,row,column,value`, numbers raw
//! (probabilities as fractions, differences as fractions, counts as decimals). One file holds every
//! table and every chart's numbers; `pivot(index=[section,row], columns=column)` in pandas, or
//! `pivot_wider` in R, gives each table back.

use super::document::{Block, Cell, Document, Table};

/// The document as CSV text. Quoting is the `csv` crate's, so names holding commas, quotes or
/// line breaks survive.
pub fn csv(doc: &Document) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut write = |record: [&str; 4]| {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(record);
    };
    write(["section", "row", "column", "value"]);
    for section in &doc.sections {
        for block in &section.blocks {
            match block {
                Block::Table(t) => table(&mut write, &section.heading, t),
                Block::Chart(c) => table(&mut write, &format!("chart: {}", c.title), &c.table()),
                Block::Para(_) | Block::Lines(_) | Block::List(_) => {}
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn table(write: &mut impl FnMut([&str; 4]), section: &str, t: &Table) {
    for (r, row) in t.rows.iter().enumerate() {
        let r = (r + 1).to_string();
        for (cell, column) in row.iter().zip(&t.columns) {
            for (suffix, value) in raw(cell) {
                write([section, &r, &format!("{}{suffix}", column.name), &value]);
            }
        }
    }
}

/// A cell's raw value(s); an interval is two, `(low)` and `(high)`; an empty cell none.
fn raw(cell: &Cell) -> Vec<(&'static str, String)> {
    match cell {
        Cell::Text(s) => vec![("", s.clone())],
        Cell::Percent(x) | Cell::Points(x) | Cell::Number(x, _) | Cell::Signed(x, _) => vec![("", x.to_string())],
        Cell::Interval { lo, hi, .. } => vec![(" (low)", lo.to_string()), (" (high)", hi.to_string())],
        Cell::Empty => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::document::Section;

    #[test]
    fn cells_become_quoted_lines_with_raw_numbers() {
        let mut t = Table::new(&["milestone", "p", "ci"], 1);
        t.push(vec![
            Cell::text("Orbit, \"crewed\""),
            Cell::Percent(0.25),
            Cell::Interval { lo: -0.1, hi: 0.2, decimals: None },
        ]);
        let doc =
            Document { title: "t".into(), intro: vec![], sections: vec![Section::new("Who", vec![Block::Table(t)])] };
        assert_eq!(
            csv(&doc),
            "section,row,column,value\nWho,1,milestone,\"Orbit, \"\"crewed\"\"\"\nWho,1,p,0.25\nWho,1,ci (low),-0.1\nWho,1,ci (high),0.2\n"
        );
    }
}
