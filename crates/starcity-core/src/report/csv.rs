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
                // By id: titles (milestone names) need not be unique, ids are.
                Block::Chart(c) => table(&mut write, &format!("chart: {}", c.id), &c.table()),
                Block::Para(_) | Block::Lines(_) | Block::List(_) => {}
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn table(write: &mut impl FnMut([&str; 4]), section: &str, t: &Table) {
    let columns = unique_names(t.columns.iter().map(|c| c.name.as_str()));
    let section = guard(section);
    for (r, row) in t.rows.iter().enumerate() {
        let r = (r + 1).to_string();
        for (cell, column) in row.iter().zip(&columns) {
            for (suffix, value) in raw(cell) {
                write([&section, &r, &guard(&format!("{column}{suffix}")), &value]);
            }
        }
    }
}

/// Column names made unique within a table ("nobody", "nobody (2)"): an agency whose id is a
/// column's name would otherwise give two values one key, and the pivot would fail.
fn unique_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for name in names {
        let mut unique = name.to_string();
        let mut k = 2;
        while seen.contains(&unique) {
            unique = format!("{name} ({k})");
            k += 1;
        }
        seen.push(unique);
    }
    seen
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or return first) gets a
/// leading `'`, as OWASP advises for CSV meant to be opened in Excel or LibreOffice.
fn guard(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// A cell's raw value(s); an interval is two, `(low)` and `(high)`; an empty cell none.
fn raw(cell: &Cell) -> Vec<(&'static str, String)> {
    match cell {
        Cell::Text(s) => vec![("", guard(s))],
        Cell::Percent(x) | Cell::Points(x) | Cell::Number(x, _) | Cell::Signed(x, _) => vec![("", x.to_string())],
        Cell::Days(d) => vec![("", d.to_string())],
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

    #[test]
    fn formulas_are_defused_and_columns_unique() {
        let mut t = Table::new(&["name", "nobody", "nobody"], 1);
        t.push(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::Percent(0.5), Cell::Percent(0.25)]);
        let doc =
            Document { title: "t".into(), intro: vec![], sections: vec![Section::new("S", vec![Block::Table(t)])] };
        let out = csv(&doc);
        assert!(out.contains("S,1,name,\"'=HYPERLINK(\"\"x\"\")\"\n"), "{out}");
        assert!(out.contains("S,1,nobody (2),0.25\n"), "{out}");
    }
}
