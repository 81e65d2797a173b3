//! Text and Markdown renderers of a [`Document`]. Charts are left out: their numbers are in the
//! tables beside them.

use super::document::{Align, Block, Document, Table};

/// Plain text for a terminal: aligned tables, indented lines.
pub fn text(doc: &Document) -> String {
    let mut out = format!("{}\n\n", doc.title);
    for p in &doc.intro {
        out.push_str(p);
        out.push_str("\n\n");
    }
    // A section of charts alone is for pictures only.
    let sections = doc.sections.iter().filter(|s| !s.blocks.iter().all(|b| matches!(b, Block::Chart(_))));
    for (i, section) in sections.enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !section.heading.is_empty() {
            out.push_str(&section.heading);
            out.push('\n');
        }
        for block in &section.blocks {
            text_block(&mut out, block);
        }
    }
    out.push('\n');
    out
}

fn text_block(out: &mut String, block: &Block) {
    match block {
        Block::Para(p) => {
            out.push_str(p);
            out.push('\n');
        }
        Block::Lines(lines) => lines.iter().for_each(|l| {
            out.push_str("  ");
            out.push_str(l);
            out.push('\n');
        }),
        Block::List(items) => items.iter().for_each(|l| {
            out.push_str("  - ");
            out.push_str(l);
            out.push('\n');
        }),
        Block::Table(t) => out.push_str(&aligned(t)),
        Block::Chart(_) => {}
    }
}

/// Columns padded to their widest cell, two spaces apart, a rule under the header.
pub fn aligned(t: &Table) -> String {
    let cells: Vec<Vec<String>> = std::iter::once(t.columns.iter().map(|c| c.name.clone()).collect())
        .chain(t.rows.iter().map(|r| r.iter().map(|c| c.display()).collect()))
        .collect();
    let widths: Vec<usize> = (0..t.columns.len())
        .map(|c| cells.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, row) in cells.iter().enumerate() {
        let line: Vec<String> =
            row.iter().enumerate().map(|(c, cell)| pad(cell, widths[c], t.columns[c].align)).collect();
        out.push_str("  ");
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            let width = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
            out.push_str(&format!("  {}\n", "-".repeat(width)));
        }
    }
    out
}

fn pad(cell: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(cell.chars().count()));
    match align {
        Align::Left => format!("{cell}{fill}"),
        Align::Right => format!("{fill}{cell}"),
    }
}

/// Markdown (GitHub-flavoured tables), for notes, issues and documents.
pub fn markdown(doc: &Document) -> String {
    let mut out = format!("# {}\n\n", md_inline(&doc.title));
    for p in &doc.intro {
        out.push_str(&md_inline(p));
        out.push_str("\n\n");
    }
    for section in doc.sections.iter().filter(|s| !s.blocks.iter().all(|b| matches!(b, Block::Chart(_)))) {
        if !section.heading.is_empty() {
            out.push_str(&format!("## {}\n\n", md_inline(&section.heading)));
        }
        for block in &section.blocks {
            md_block(&mut out, block);
        }
    }
    out
}

fn md_block(out: &mut String, block: &Block) {
    match block {
        Block::Para(p) => out.push_str(&format!("{}\n\n", md_inline(p))),
        Block::Lines(lines) | Block::List(lines) => {
            lines.iter().for_each(|l| out.push_str(&format!("- {}\n", md_inline(l))));
            out.push('\n');
        }
        Block::Table(t) => {
            out.push_str(&md_table(t));
            out.push('\n');
        }
        Block::Chart(_) => {}
    }
}

/// A pipe table; a cell's `|` is escaped and its line breaks become spaces.
pub fn md_table(t: &Table) -> String {
    // A cell is not at a line start: "+0.01" needs no escape there.
    let cell = |s: &str| md_escape(s).replace('|', "\\|");
    let head: Vec<String> = t.columns.iter().map(|c| cell(&c.name)).collect();
    let rule: Vec<&str> = t.columns.iter().map(|c| if c.align == Align::Left { ":--" } else { "--:" }).collect();
    let mut out = format!("| {} |\n|{}|\n", head.join(" | "), rule.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(&c.display())).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// Text on one line, inert: HTML markup escaped (a scenario name is user text, and Markdown
/// passes raw HTML through to pandoc and site generators), inline syntax (links, emphasis, code,
/// a trailing backslash) backslash-escaped, and a line-start marker (`#`, `-`, `>`…) made literal.
fn md_inline(s: &str) -> String {
    let out = md_escape(s);
    match out.chars().next() {
        Some('#' | '-' | '+' | '=') => format!("\\{out}"),
        _ => out,
    }
}

/// The inline part of [`md_inline`]: markup and inline syntax escaped, lines joined.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '[' | ']' | '*' | '_' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::document::{Cell, Section};

    fn doc() -> Document {
        let mut t = Table::new(&["milestone", "USA"], 1);
        t.push(vec![Cell::text("Crewed | landing"), Cell::Percent(0.5)]);
        Document {
            title: "A race".into(),
            intro: vec!["Free.".into()],
            sections: vec![
                Section::new("Who", vec![Block::Table(t)]),
                Section::new("Era", vec![Block::Lines(vec!["x".into()])]),
            ],
        }
    }

    #[test]
    fn text_aligns_and_separates_sections() {
        let s = text(&doc());
        assert_eq!(
            s,
            "A race\n\nFree.\n\nWho\n  milestone            USA\n  ------------------------\n  Crewed | landing  50.0 %\n\nEra\n  x\n\n"
        );
    }

    #[test]
    fn markdown_keeps_user_text_inert() {
        let s = md_inline("<script>x</script> [a](b) *c* \\");
        assert_eq!(s, "&lt;script&gt;x&lt;/script&gt; \\[a\\](b) \\*c\\* \\\\");
        assert_eq!(md_inline("# not a heading"), "\\# not a heading");
    }

    #[test]
    fn markdown_escapes_pipes() {
        let s = markdown(&doc());
        assert!(s.contains("| Crewed \\| landing | 50.0 % |"), "{s}");
        assert!(s.contains("|:--|--:|"));
        assert!(s.starts_with("# A race\n\nFree.\n\n## Who\n\n"));
    }
}
