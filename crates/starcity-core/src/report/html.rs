//! A report as one self-contained HTML page: inline CSS and SVG, no script, and a
//! Content-Security-Policy that forbids every fetch, so it works opened from disk with no network
//! and a teacher can project or print it. Laid out by a minijinja template
//! (`templates/report.html`), which escapes every text it is handed.

use serde::Serialize;

use super::document::{Align, Block, Document, Table};

const TEMPLATE: &str = include_str!("templates/report.html");

/// Credit for the data the scenarios' numbers are derived from (the licences ask for it).
pub const CREDIT: &str = "Launch record: J. McDowell, General Catalog of Artificial Space Objects / launch log \
     (planet4589.org). Astronauts and cosmonauts: Stavnichuk & Corlett (2020), CC BY 4.0.";

#[derive(Serialize)]
struct Page {
    title: String,
    intro: Vec<String>,
    sections: Vec<PageSection>,
    version: &'static str,
    credit: &'static str,
}

#[derive(Serialize)]
struct PageSection {
    id: String,
    heading: String,
    /// Several charts: laid out two a row (small multiples).
    grid: bool,
    blocks: Vec<PageBlock>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum PageBlock {
    Para { text: String },
    List { items: Vec<String> },
    Table { table: PageTable },
    Chart { id: String, title: String, caption: String, svg: String, table: PageTable },
}

#[derive(Serialize)]
struct PageTable {
    columns: Vec<PageColumn>,
    rows: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct PageColumn {
    name: String,
    align: Align,
}

/// The page. Fails only if the built-in template is broken (a test renders it).
pub fn html(doc: &Document) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    let page = Page {
        title: clean(&doc.title),
        intro: doc.intro.iter().map(|p| clean(p)).collect(),
        sections: doc.sections.iter().enumerate().map(|(i, s)| section(i, s)).collect(),
        version: env!("CARGO_PKG_VERSION"),
        credit: CREDIT,
    };
    env.get_template("report.html")?.render(page)
}

fn section(i: usize, s: &super::document::Section) -> PageSection {
    let charts = s.blocks.iter().filter(|b| matches!(b, Block::Chart(_))).count();
    PageSection {
        id: format!("s{}", i + 1),
        heading: clean(&s.heading),
        grid: charts > 2,
        blocks: s.blocks.iter().map(block).collect(),
    }
}

fn block(b: &Block) -> PageBlock {
    match b {
        Block::Para(p) => PageBlock::Para { text: clean(p) },
        Block::Lines(l) | Block::List(l) => PageBlock::List { items: l.iter().map(|s| clean(s)).collect() },
        Block::Table(t) => PageBlock::Table { table: table(t) },
        Block::Chart(c) => PageBlock::Chart {
            id: clean(&c.id),
            title: clean(&c.title),
            caption: clean(&c.caption),
            // Inline SVG needs no namespace; leaving it out keeps every address out of the page.
            svg: super::svg::svg(c).replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1),
            table: table(&c.table()),
        },
    }
}

fn table(t: &Table) -> PageTable {
    PageTable {
        columns: t.columns.iter().map(|c| PageColumn { name: clean(&c.name), align: c.align }).collect(),
        rows: t.rows.iter().map(|r| r.iter().map(|c| clean(&c.display())).collect()).collect(),
    }
}

/// Characters no page should carry from user text replaced (controls, non-characters, bidi
/// overrides: see `svg::unsafe_char`); markup is escaped by the template.
fn clean(s: &str) -> String {
    s.chars().map(|c| if super::svg::unsafe_char(c) && c != '\n' { '\u{FFFD}' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::document::{Cell, Section};

    #[test]
    fn the_page_escapes_text_and_fetches_nothing() {
        let mut t = Table::new(&["<b>name</b>", "p"], 1);
        t.push(vec![Cell::text("<script>alert(1)</script>"), Cell::Percent(0.5)]);
        let doc = Document {
            title: "A & B".into(),
            intro: vec!["\u{1b}[31m red \u{202e}reversed\u{fffe}".into()],
            sections: vec![Section::new("Who", vec![Block::Table(t)])],
        };
        let page = html(&doc).expect("the template renders");
        assert!(page.contains("A &amp; B"));
        assert!(page.contains("&lt;script&gt;alert(1)"), "markup in a name is shown, not run");
        assert!(!page.contains("<script"));
        assert!(!page.contains('\u{1b}'));
        assert!(!page.contains('\u{202e}') && !page.contains('\u{fffe}'));
        assert!(page.contains("default-src 'none'"));
        assert!(!page.contains("http://") && !page.contains("https://"), "no address of any network in the page");
        assert!(page.contains("<td class=\"r\">50.0 %</td>"));
    }
}
