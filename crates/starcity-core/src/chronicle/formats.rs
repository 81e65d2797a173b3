//! A chronicle in the formats writers import: TimelineJS3 JSON, one CSV that is both a
//! TimelineJS Google-Sheets template and an Aeon Timeline import, and Markdown with YAML front
//! matter for note vaults (Obsidian).
//!
//! Everything here reads a finished [`Chronicle`] and returns data or a string: no I/O, so a
//! notebook or a game can export a chronicle as the CLI does. Names and texts come from user
//! files and may hold anything (quotes, commas, newlines, `---`, `<script>`, control
//! characters); each format escapes them by its own rules, so no input breaks its structure.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::render::{self, Perspective};
use super::words::agency as agency_name;
use super::{Chronicle, Entry, Kind};
use crate::scenario::Scenario;

/// What a format tells: one chronicle (from one side or both), or baseline and divergent twins.
#[derive(Debug, Clone, Copy)]
pub enum Told<'a> {
    One(&'a Chronicle, Perspective),
    Twin { base: &'a Chronicle, div: &'a Chronicle },
}

/// One entry as the formats lay it out: told from its side, with a stable id and, in twins,
/// the world it belongs to.
struct Row {
    /// `t{timeline}-{index}` (index in its chronicle, so the same event keeps its id whatever
    /// the perspective); `t{timeline}-baseline-{index}` / `-divergent-` after twins split.
    id: String,
    /// In twins: "both worlds" before the split, then "baseline" or "divergent".
    world: Option<&'static str>,
    entry: Entry,
    date: NaiveDate,
    /// The day a flight came home or a summary's last flight, when later than `date`.
    until: Option<NaiveDate>,
}

/// An era band: from its heading's date to the next era's (or the chronicle's end).
struct Band {
    id: String,
    headline: String,
    start: NaiveDate,
    end: NaiveDate,
}

/// The rows of a telling, in date order.
fn rows(told: Told, sc: &Scenario) -> Vec<Row> {
    match told {
        Told::One(c, side) => c
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| row(format!("t{}-{i}", c.timeline), None, render::from_side(e, sc, side)?))
            .collect(),
        Told::Twin { base, div } => twin_rows(base, div),
    }
}

/// Twins: the shared history once, then both worlds from the split, merged by date as
/// `render_twin` tells them.
fn twin_rows(base: &Chronicle, div: &Chronicle) -> Vec<Row> {
    let split = render::split_point(base, div);
    let t = div.timeline;
    let shared = div.entries[..split].iter().enumerate().map(|(i, e)| (format!("t{t}-{i}"), "both worlds", e));
    let mut rest: Vec<(String, &'static str, &Entry)> = Vec::new();
    for (world, c) in [("baseline", base), ("divergent", div)] {
        let es = c.entries.iter().enumerate().skip(split);
        rest.extend(es.map(|(i, e)| (format!("t{t}-{world}-{i}"), world, e)));
    }
    rest.sort_by(|a, b| a.2.day().total_cmp(&b.2.day()).then(a.1.cmp(b.1)));
    shared.chain(rest).filter_map(|(id, world, e)| row(id, Some(world), e.clone())).collect()
}

/// A row, with its dates parsed (entries are dated by the scenario calendar, so this holds;
/// a date that did not parse would drop the row rather than invent a day).
fn row(id: String, world: Option<&'static str>, entry: Entry) -> Option<Row> {
    let date = entry.date.parse::<NaiveDate>().ok()?;
    let until = entry.until.as_deref().and_then(|u| u.parse::<NaiveDate>().ok()).filter(|&u| u > date);
    Some(Row { id, world, entry, date, until })
}

/// The era bands of the rows: one per era date (twins tell each era twice, once per world).
/// An era heading on the chronicle's last day ("The end of 1985") spans nothing and is no band;
/// its state of the world is still an event.
fn bands(rows: &[Row]) -> Vec<Band> {
    let end = rows.iter().map(|r| r.until.unwrap_or(r.date)).max();
    let mut eras: Vec<&Row> = rows.iter().filter(|r| r.entry.kind == Kind::Era).collect();
    eras.dedup_by_key(|r| r.date);
    let starts: Vec<NaiveDate> = eras.iter().map(|r| r.date).collect();
    let ends = starts.iter().skip(1).copied().map(Some).chain([end]);
    eras.iter()
        .zip(ends)
        .map(|(r, e)| Band {
            id: format!("{}-era", r.id),
            headline: headline(&r.entry),
            start: r.date,
            end: e.unwrap_or(r.date).max(r.date),
        })
        .filter(|b| b.end > b.start)
        .collect()
}

/// Leads that say what kind of line follows, not what happened: a headline skips them.
const LEADS: &[&str] = &["News from abroad: ", "Here history changes: "];

/// A short headline: the flight's name for a flight, the milestone and who for a milestone,
/// otherwise the first clause of the sentence (at most about 90 characters).
pub fn headline(e: &Entry) -> String {
    let text = LEADS.iter().fold(e.text.as_str(), |t, lead| t.strip_prefix(lead).unwrap_or(t));
    let told = match e.kind {
        Kind::Launch | Kind::Past => e.flight.clone(),
        Kind::Loss if !e.crew.is_empty() && text.starts_with("Disaster: ") => {
            e.flight.as_ref().map(|f| format!("Disaster on {f}"))
        }
        Kind::Era => text.lines().next().map(str::to_string),
        Kind::Milestone => text.split(", ").next().map(str::to_string),
        Kind::Summary => summary_headline(text),
        Kind::ProgramStarted => {
            text.strip_prefix("Under way at the start: ").map(|p| format!("{} under way", p.trim_end_matches('.')))
        }
        _ => None,
    };
    // A story after "Here history changes: " may start in lower case ("the first N1 flies").
    super::words::upper_first(&shorten(&told.unwrap_or_else(|| first_clause(text))))
}

/// "From 1962-04-25 to 1964-01-29, four more flights without incident (Saturn I development
/// flights): SA-2, …" → "Four more flights without incident (Saturn I development flights)".
fn summary_headline(text: &str) -> Option<String> {
    let (_, rest) = text.split_once(", ")?;
    let what = rest.split_once("): ").map_or(rest, |(w, _)| w);
    let what = if rest.contains("): ") { format!("{what})") } else { what.to_string() };
    Some(what)
}

/// The sentence up to its first colon, semicolon or full stop.
fn first_clause(text: &str) -> String {
    let cut = [": ", "; ", ". "].iter().filter_map(|p| text.find(p)).min().unwrap_or(text.len());
    text[..cut].to_string()
}

/// At most 90 characters, cut at a word with an ellipsis, no final full stop or newline run.
fn shorten(text: &str) -> String {
    const MAX: usize = 90;
    let text = text.trim().trim_end_matches('.');
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX).collect();
    let cut = head.rfind(' ').filter(|&i| i > MAX / 2).unwrap_or(head.len());
    format!("{}…", head[..cut].trim_end_matches([',', ';', ':', ' ']))
}

/// Text for an HTML element's content: `&`, `<` and `>` escaped, which is all that content
/// needs (we never write attributes); quotes and apostrophes stay, so the CSV's Text column
/// still reads well where it is not HTML (Aeon Timeline).
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Who a row belongs to: its world in twins, else its agency's name ("World" for an era or a
/// change no agency made, so TimelineJS does not put them in a row without a label).
fn group(row: &Row, sc: &Scenario) -> String {
    if let Some(world) = row.world {
        return world.to_string();
    }
    let agency = row.entry.agency.as_deref().and_then(|id| sc.agency_index(id));
    agency.map_or_else(|| "World".to_string(), |a| agency_name(sc, a).to_string())
}

/// The title of a telling.
fn title(told: Told, sc: &Scenario) -> String {
    match told {
        Told::One(c, side) => render::title(c, sc, side),
        Told::Twin { base, div } => render::twin_title(base, div, sc),
    }
}

/// The chronicle the figures come from: the divergent world's in twins.
fn main_chronicle(told: Told) -> &'static str {
    match told {
        Told::One(..) => "",
        Told::Twin { .. } => " in the divergent world",
    }
}

fn chronicle_of(told: Told<'_>) -> &Chronicle {
    match told {
        Told::One(c, _) => c,
        Told::Twin { div, .. } => div,
    }
}

// ---------------------------------------------------------------------------------------------
// TimelineJS3 JSON

/// A TimelineJS3 timeline (<https://timeline.knightlab.com/docs/json-format.html>): serialise
/// it with serde. Dates are numbers, as the documentation's examples have them.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineJs {
    pub title: Slide,
    pub events: Vec<Slide>,
    pub eras: Vec<Era>,
}

/// A slide: the title (no date) or an event.
#[derive(Debug, Clone, Serialize)]
pub struct Slide {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<TjsDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<TjsDate>,
    pub text: TjsText,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub unique_id: String,
}

/// A day, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TjsDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl From<NaiveDate> for TjsDate {
    fn from(d: NaiveDate) -> Self {
        TjsDate { year: d.year(), month: d.month(), day: d.day() }
    }
}

/// A slide's words. TimelineJS renders both as HTML, so both are escaped ([`html`]).
#[derive(Debug, Clone, Serialize)]
pub struct TjsText {
    pub headline: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// An era: a labelled band along the time axis.
#[derive(Debug, Clone, Serialize)]
pub struct Era {
    pub start_date: TjsDate,
    pub end_date: TjsDate,
    pub text: TjsText,
}

/// The chronicle as a TimelineJS3 timeline: a title slide with how the timeline was chosen and
/// how common it is, one slide per entry (grouped by agency, or by world in twins), and the
/// chronicle's era headings as eras.
pub fn timelinejs(told: Told, sc: &Scenario) -> TimelineJs {
    let rows = rows(told, sc);
    let events = rows.iter().map(|r| slide(r, sc)).collect();
    let eras = bands(&rows).into_iter().map(era).collect();
    TimelineJs { title: title_slide(told, sc), events, eras }
}

fn title_slide(told: Told, sc: &Scenario) -> Slide {
    let c = chronicle_of(told);
    let mut text = format!("<p>{}</p>", html(&intro(told)));
    let _ =
        write!(text, "<p>How common this history is{} (among {} timelines):</p><ul>", main_chronicle(told), c.ensemble);
    for line in &c.commonness {
        let _ = write!(text, "<li>{}</li>", html(line));
    }
    text.push_str("</ul>");
    let headline = html(&title(told, sc));
    Slide { start_date: None, end_date: None, text: TjsText { headline, text }, group: None, unique_id: title_id(told) }
}

/// How the timeline was chosen; in twins, where the worlds part.
fn intro(told: Told) -> String {
    match told {
        Told::One(c, _) => c.chosen.clone(),
        Told::Twin { base, div } => {
            let split = render::split_point(base, div);
            let shared = split.checked_sub(1).map(|i| &div.entries[i].date);
            match shared {
                Some(d) => format!(
                    "{} Both worlds share the same history until {d}; from there on, each event is marked baseline or divergent.",
                    div.chosen
                ),
                None => format!(
                    "{} The worlds differ from the first entry; each event is marked baseline or divergent.",
                    div.chosen
                ),
            }
        }
    }
}

fn title_id(told: Told) -> String {
    format!("t{}-title", chronicle_of(told).timeline)
}

fn slide(r: &Row, sc: &Scenario) -> Slide {
    Slide {
        start_date: Some(r.date.into()),
        end_date: r.until.map(Into::into),
        text: TjsText { headline: html(&headline(&r.entry)), text: slide_text(&r.entry) },
        group: Some(group(r, sc)),
        unique_id: r.id.clone(),
    }
}

/// The full sentence; for an era, the state of the world as a list (one agency an item).
fn slide_text(e: &Entry) -> String {
    if e.kind != Kind::Era {
        return html(&e.text);
    }
    let items: String = e.text.lines().skip(1).map(|l| format!("<li>{}</li>", html(l))).collect();
    format!("<ul>{items}</ul>")
}

fn era(b: Band) -> Era {
    Era {
        start_date: b.start.into(),
        end_date: b.end.into(),
        text: TjsText { headline: html(&b.headline), text: String::new() },
    }
}

// ---------------------------------------------------------------------------------------------
// CSV: a TimelineJS sheet and an Aeon Timeline import in one

/// The TimelineJS Google-Sheets template's columns, in its order, then Aeon Timeline's.
/// TimelineJS reads the first three by position and the rest by name, so columns after its
/// own are ignored by it; Aeon Timeline maps columns by name at import.
pub const CSV_HEADER: [&str; 23] = [
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
    "Title",
    "Start Date",
    "End Date",
    "Tags",
    "Internal Identifier",
];

/// One line of the CSV, by meaning rather than position.
#[derive(Default)]
struct Line {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    headline: String,
    text: String,
    kind: &'static str,
    group: String,
    title: String,
    aeon_start: Option<NaiveDate>,
    aeon_end: Option<NaiveDate>,
    tags: Vec<String>,
    id: String,
}

/// The chronicle as CSV: a `title` row, an `era` row per era heading (spanning to the next),
/// and a row per entry. Headline and Text are HTML for TimelineJS (only `&`, `<`, `>`
/// escaped); Title is the same headline as plain text for Aeon Timeline. Records end with
/// `\n` (a `\r` would be shown as `\u{d}` by the terminal escaping every output goes through).
pub fn csv(told: Told, sc: &Scenario) -> std::io::Result<String> {
    let rows = rows(told, sc);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    w.write_record(fields(&title_line(told, sc, &rows)))?;
    let bands = bands(&rows);
    for r in &rows {
        if let Some(b) = bands.iter().find(|b| r.entry.kind == Kind::Era && b.id == format!("{}-era", r.id)) {
            w.write_record(fields(&era_line(b)))?;
        }
        w.write_record(fields(&entry_line(r, sc)))?;
    }
    let bytes = w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}

/// The title row: TimelineJS's title slide; for Aeon Timeline, a span over the whole chronicle.
fn title_line(told: Told, sc: &Scenario, rows: &[Row]) -> Line {
    let c = chronicle_of(told);
    let title = title(told, sc);
    let mut text = format!(
        "{}\nHow common this history is{} (among {} timelines):",
        intro(told),
        main_chronicle(told),
        c.ensemble
    );
    for line in &c.commonness {
        let _ = write!(text, "\n{line}");
    }
    Line {
        headline: html(&title),
        text: html(&text),
        kind: "title",
        title,
        aeon_start: rows.iter().map(|r| r.date).min(),
        aeon_end: rows.iter().map(|r| r.until.unwrap_or(r.date)).max(),
        tags: vec!["title".into()],
        id: title_id(told),
        ..Line::default()
    }
}

fn era_line(b: &Band) -> Line {
    Line {
        start: Some(b.start),
        end: Some(b.end),
        headline: html(&b.headline),
        kind: "era",
        title: b.headline.clone(),
        aeon_start: Some(b.start),
        aeon_end: Some(b.end),
        tags: vec!["era".into()],
        id: b.id.clone(),
        ..Line::default()
    }
}

fn entry_line(r: &Row, sc: &Scenario) -> Line {
    let e = &r.entry;
    let mut tags: Vec<String> = e.agency.iter().cloned().collect();
    tags.push(kind_tag(e.kind).into());
    tags.extend(r.world.map(str::to_string));
    let headline = headline(e);
    Line {
        start: Some(r.date),
        end: r.until,
        headline: html(&headline),
        // An era's state of the world: one agency a line (plain text reads in both tools).
        text: html(&e.text.lines().skip(usize::from(e.kind == Kind::Era)).collect::<Vec<_>>().join("\n")),
        group: group(r, sc),
        title: headline,
        aeon_start: Some(r.date),
        aeon_end: r.until,
        tags,
        id: r.id.clone(),
        ..Line::default()
    }
}

/// A tag for Aeon Timeline: what the entry is ("flight" for a flight, as a writer says it).
fn kind_tag(kind: Kind) -> &'static str {
    match kind {
        Kind::Past => "past",
        Kind::Divergence => "divergence",
        Kind::ProgramStarted => "program started",
        Kind::Launch => "flight",
        Kind::Failure => "failure",
        Kind::Loss => "loss",
        Kind::Milestone => "milestone",
        Kind::Consequence => "consequence",
        Kind::ProgramCompleted => "program completed",
        Kind::ProgramCancelled => "program cancelled",
        Kind::ProgramRetired => "program retired",
        Kind::Summary => "flights",
        Kind::Era => "era",
    }
}

/// Year, month and day as TimelineJS's sheet wants them (numbers, no padding), or blanks.
fn ymd(date: Option<NaiveDate>) -> [String; 3] {
    date.map_or_else(Default::default, |d| [d.year().to_string(), d.month().to_string(), d.day().to_string()])
}

/// The 23 cells of a line, in [`CSV_HEADER`] order.
fn fields(l: &Line) -> [String; 23] {
    let [y, m, d] = ymd(l.start);
    let [end_y, end_m, end_d] = ymd(l.end);
    let iso = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let tags: Vec<String> = l.tags.iter().map(|t| t.replace(';', ",")).collect();
    [
        y,
        m,
        d,
        String::new(),
        end_y,
        end_m,
        end_d,
        String::new(),
        String::new(),
        cell(&l.headline),
        cell(&l.text),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        l.kind.to_string(),
        cell(&l.group),
        String::new(),
        cell(&l.title),
        iso(l.aeon_start),
        iso(l.aeon_end),
        cell(&tags.join(";")),
        l.id.clone(),
    ]
}

/// A text cell that a spreadsheet shows, never runs: control characters shown as `\u{1b}` (as
/// the terminal escaping does, so the file is the same on a terminal and with `-o`), and a
/// cell that would start a formula (`=`, `+`, `-`, `@`) prefixed with `'`, the usual guard
/// against CSV formula injection from a hostile name.
fn cell(text: &str) -> String {
    let shown = visible(text);
    if shown.starts_with(['=', '+', '-', '@']) { format!("'{shown}") } else { shown }
}

/// Control characters other than newline and tab (and the Unicode line separators) as
/// `\u{1b}`: newlines are fine inside a quoted CSV field; the rest would reach a terminal.
fn visible(text: &str) -> String {
    let dangerous = |c: char| (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}');
    text.chars().map(|c| if dangerous(c) { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect()
}

// ---------------------------------------------------------------------------------------------
// Obsidian: YAML front matter, then the Markdown chronicle

/// The chronicle as a note: YAML front matter (title, scenario, divergences, seed, timeline,
/// tags, first and last dates, how common it is), then the same body as `--format markdown`.
pub fn obsidian(told: Told, sc: &Scenario) -> String {
    let body = match told {
        Told::One(c, side) => render::render(c, sc, true, side),
        Told::Twin { base, div } => render::render_twin(base, div, sc, true),
    };
    format!("---\n{}---\n\n{body}", front_matter(told, sc))
}

/// The front matter. Written by hand rather than with a YAML library: every string is
/// double-quoted with JSON-style escapes ([`yaml_str`]), which YAML reads back exactly
/// whatever the text, so a name with `: `, `#`, quotes, a newline or `---` cannot change the
/// structure, and no dependency is needed for some twenty lines.
fn front_matter(told: Told, sc: &Scenario) -> String {
    let c = chronicle_of(told);
    let rows = rows(told, sc);
    let mut y = String::new();
    let _ = writeln!(y, "title: {}", yaml_str(&title(told, sc)));
    let _ = writeln!(y, "scenario: {}", yaml_str(&c.scenario));
    let _ = writeln!(y, "scenario_name: {}", yaml_str(&sc.name));
    yaml_list(&mut y, "divergences", &c.divergences);
    let _ = writeln!(y, "seed: {}", yaml_u64(c.seed));
    let _ = writeln!(y, "timeline: {}", yaml_u64(c.timeline));
    if let Told::One(_, Perspective::Side(a)) = told {
        let _ = writeln!(y, "perspective: {}", yaml_str(&sc.agencies[a].id));
    }
    if let Told::Twin { .. } = told {
        y.push_str("twin: true\n");
    }
    let _ = writeln!(y, "chosen: {}", yaml_str(&c.chosen));
    yaml_list(&mut y, "tags", &tags(told, c));
    if let (Some(start), Some(end)) =
        (rows.iter().map(|r| r.date).min(), rows.iter().map(|r| r.until.unwrap_or(r.date)).max())
    {
        let _ = writeln!(y, "start: {}", yaml_str(&start.format("%Y-%m-%d").to_string()));
        let _ = writeln!(y, "end: {}", yaml_str(&end.format("%Y-%m-%d").to_string()));
    }
    let _ = writeln!(y, "ensemble: {}", yaml_u64(c.ensemble));
    if let Told::Twin { .. } = told {
        y.push_str("# how common the divergent world's history is, among its ensemble\n");
    }
    yaml_list(&mut y, "how_common", &c.commonness);
    y
}

/// Obsidian tags: `starcity`, `chronicle`, `scenario/ID`, `divergence/ID` (and `twin`).
fn tags(told: Told, c: &Chronicle) -> Vec<String> {
    let mut tags = vec!["starcity".to_string(), "chronicle".to_string(), format!("scenario/{}", tag_part(&c.scenario))];
    tags.extend(c.divergences.iter().map(|d| format!("divergence/{}", tag_part(d))));
    if let Told::Twin { .. } = told {
        tags.push("twin".into());
    }
    tags
}

/// A tag segment Obsidian accepts: letters, digits, `-` and `_` (anything else becomes `-`).
fn tag_part(text: &str) -> String {
    let part: String =
        text.chars().map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect();
    if part.is_empty() { "unnamed".into() } else { part }
}

/// `key:` and a block list of quoted strings (`[]` when empty).
fn yaml_list(y: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        let _ = writeln!(y, "{key}: []");
        return;
    }
    let _ = writeln!(y, "{key}:");
    for item in items {
        let _ = writeln!(y, "  - {}", yaml_str(item));
    }
}

/// A number YAML and JavaScript (Obsidian) read exactly: beyond 2^53 a seed is written as a
/// quoted string, since a JavaScript number would round it and the seed would no longer
/// reproduce the chronicle.
fn yaml_u64(n: u64) -> String {
    if n < (1 << 53) { n.to_string() } else { yaml_str(&n.to_string()) }
}

/// A YAML double-quoted scalar: `\\`, `\"`, `\n`, `\r`, `\t`, and `\uXXXX` for every character
/// YAML does not allow printed (C0, DEL, C1, U+FEFF, U+FFFE/F) and the line separators. These
/// are JSON's escapes too, and always one line, so no text can end the front matter.
pub fn yaml_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if yaml_unprintable(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Outside YAML 1.2's printable set, or a character best not printed raw.
fn yaml_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, text: &str, flight: Option<&str>, crew: &[&str]) -> Entry {
        let mut e = Entry {
            date: "1969-07-20".into(),
            until: None,
            kind,
            agency: Some("USA".into()),
            program: None,
            mission: None,
            flight: flight.map(str::to_string),
            vehicle: None,
            milestone: None,
            crew: crew.iter().map(|s| s.to_string()).collect(),
            text: text.into(),
            day: 0.0,
            until_day: 0.0,
            routine: false,
            program_idx: None,
        };
        e.until_day = e.day;
        e
    }

    #[test]
    fn headlines_are_short_and_say_what_happened() {
        let h = |k, t: &str, f: Option<&str>, c: &[&str]| headline(&entry(k, t, f, c));
        assert_eq!(
            h(Kind::Launch, "Apollo 11 flies on a Saturn V with Neil Armstrong.", Some("Apollo 11"), &[]),
            "Apollo 11"
        );
        assert_eq!(
            h(Kind::Milestone, "First crewed lunar landing: NASA, Apollo 11, with Neil Armstrong.", None, &[]),
            "First crewed lunar landing: NASA"
        );
        assert_eq!(
            h(
                Kind::Loss,
                "Disaster: on Soyuz 1 the re-entry fails; Vladimir Komarov is killed.",
                Some("Soyuz 1"),
                &["Vladimir Komarov"]
            ),
            "Disaster on Soyuz 1"
        );
        assert_eq!(
            h(Kind::Failure, "Apollo 13 is cut short: the flight fails.", Some("Apollo 13"), &[]),
            "Apollo 13 is cut short"
        );
        assert_eq!(
            h(Kind::Divergence, "Here history changes: the first N1 flies: no fire.", None, &[]),
            "The first N1 flies"
        );
        assert_eq!(
            h(Kind::ProgramStarted, "Under way at the start: Project Mercury.", None, &[]),
            "Project Mercury under way"
        );
        assert_eq!(
            h(
                Kind::Summary,
                "From 1962-04-25 to 1964-01-29, four more flights without incident (Saturn I): SA-2 and SA-3.",
                None,
                &[]
            ),
            "Four more flights without incident (Saturn I)"
        );
        let long = h(Kind::Consequence, &"word ".repeat(40), None, &[]);
        assert!(long.chars().count() <= 91 && long.ends_with('…'), "{long}");
    }

    #[test]
    fn html_escapes_what_element_content_needs() {
        assert_eq!(
            html("<script>a & b</script> \"Korolev's\""),
            "&lt;script&gt;a &amp; b&lt;/script&gt; \"Korolev's\""
        );
    }

    #[test]
    fn yaml_strings_are_one_quoted_line_whatever_the_text() {
        assert_eq!(yaml_str("a: \"b\"\n---\\"), r#""a: \"b\"\n---\\""#);
        assert_eq!(yaml_str("esc\u{1b}del\u{7f}c1\u{85}ls\u{2028}"), r#""esc\u001bdel\u007fc1\u0085ls\u2028""#);
        assert_eq!(yaml_str("Королёв — 🚀"), "\"Королёв — 🚀\"");
        // JSON reads the same escapes back to the same text.
        let hostile = "x: \"y\"\n--- #z\t\u{1}\u{9b}";
        assert_eq!(serde_json::from_str::<String>(&yaml_str(hostile)).unwrap(), hostile);
    }

    #[test]
    fn large_seeds_stay_exact_in_javascript() {
        assert_eq!(yaml_u64(42), "42");
        assert_eq!(yaml_u64(u64::MAX), "\"18446744073709551615\"");
    }

    #[test]
    fn csv_cells_never_run_and_show_controls() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("a\u{1b}[2J\nb"), "a\\u{1b}[2J\nb");
        assert_eq!(cell("Apollo 11"), "Apollo 11");
    }

    #[test]
    fn tags_are_what_obsidian_accepts() {
        assert_eq!(tag_part("my change: v2.toml"), "my-change--v2-toml");
        assert_eq!(tag_part(""), "unnamed");
    }
}
