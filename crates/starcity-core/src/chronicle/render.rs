//! Layout: a chronicle as plain text or CommonMark, whole or from one side, and twin chronicles.
//!
//! Markdown is written so that it renders as intended: a blank line between every block (a list,
//! a heading, a quote), and the state of the world at an era as a list inside its quote, so
//! agencies do not run together into one paragraph.

use std::fmt::Write;

use super::words::{self, agency as agency_name, join, lower_first, strip_first};
use super::{Chronicle, Entry, Kind, Recorder};
use crate::report::years_between;
use crate::scenario::Scenario;
use crate::world::{Status, World};

/// Whose story a chronicle tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perspective {
    /// Both sides, as a historian would.
    Both,
    /// One agency's story: its flights, crews, decisions and losses in full; the rival's
    /// firsts and losses as news.
    Side(usize),
}

/// The chronicle as text (`markdown = false`) or Markdown.
pub fn render(c: &Chronicle, sc: &Scenario, markdown: bool, side: Perspective) -> String {
    let mut out = String::new();
    let title = title(c, sc, side);
    if markdown {
        let _ = writeln!(out, "# {title}\n\n*{}*\n", c.chosen);
        let _ = writeln!(out, "**How common this history is** (among {} timelines):\n", c.ensemble);
        for line in &c.commonness {
            let _ = writeln!(out, "- {line}");
        }
    } else {
        let _ = writeln!(out, "{title}\n{}\n", c.chosen);
        let _ = writeln!(out, "How common this history is (among {} timelines):", c.ensemble);
        for line in &c.commonness {
            let _ = writeln!(out, "  {line}");
        }
    }
    // With flights before the start, the chronicle has two parts: before and from the start.
    let mut before_start = c.entries.first().is_some_and(|e| e.kind == Kind::Past);
    out.push('\n');
    if before_start {
        let _ = writeln!(out, "{}", heading(&format!("Before {}", sc.start), markdown));
    }
    // Under a replay, the record's part and the model's part have headings of their own.
    let replay = sc.conditioning.as_deref().filter(|c| c.mode == crate::replay::Mode::Replay);
    let mut model_part = replay.map(|c| (c.until, c.until_date));
    for e in &c.entries {
        if before_start && e.kind != Kind::Past && e.day() >= 0.0 {
            before_start = false;
            let from = match replay {
                Some(_) => format!("From {}, as it happened", sc.start),
                None => format!("From {}", sc.start),
            };
            let _ = writeln!(out, "{}", heading(&from, markdown));
        }
        if let Some((until, date)) = model_part
            && e.day() >= until
            && e.kind != Kind::Past
        {
            model_part = None;
            let _ = writeln!(out, "{}", heading(&format!("From {date}, as the model plays it"), markdown));
        }
        if let Some(told) = from_side(e, sc, side) {
            render_entry(&mut out, &told, markdown);
        }
    }
    out
}

/// "Star City with star-city — timeline 3 (seed 1), as USSR lived it": every format's title.
pub(super) fn title(c: &Chronicle, sc: &Scenario, side: Perspective) -> String {
    let divs = if c.divergences.is_empty() { String::new() } else { format!(" with {}", c.divergences.join(" + ")) };
    let from = match side {
        Perspective::Both => String::new(),
        Perspective::Side(a) => format!(", as {} lived it", agency_name(sc, a)),
    };
    format!("{}{divs} — timeline {} (seed {}){from}", sc.name, c.timeline, c.seed)
}

/// A section heading between entries.
fn heading(text: &str, markdown: bool) -> String {
    if markdown { format!("\n## {text}\n") } else { format!("\n== {text} ==") }
}

/// An entry as one side tells it: its own in full, the rival's firsts and losses as news, the
/// rest of the rival's story left out.
pub(super) fn from_side(e: &Entry, sc: &Scenario, side: Perspective) -> Option<Entry> {
    let Perspective::Side(own) = side else { return Some(e.clone()) };
    let own_id = &sc.agencies[own].id;
    let mine = e.agency.as_ref().is_none_or(|a| a == own_id);
    if e.kind == Kind::Era {
        // The state of the world: one's own side first.
        let mut lines: Vec<&str> = e.text.lines().collect();
        let own_line = format!("{}: ", agency_name(sc, own));
        lines[1..].sort_by_key(|l| !l.starts_with(&own_line));
        let mut era = e.clone();
        era.text = lines.join("\n");
        return Some(era);
    }
    if mine {
        return Some(e.clone());
    }
    if !matches!(e.kind, Kind::Milestone | Kind::Loss | Kind::Divergence) {
        return None;
    }
    let mut news = e.clone();
    news.text = format!("News from abroad: {}", e.text);
    Some(news)
}

fn render_entry(out: &mut String, e: &Entry, markdown: bool) {
    if e.kind == Kind::Era {
        let mut lines = e.text.lines();
        let heading = lines.next().unwrap_or_default();
        if markdown {
            let _ = writeln!(out, "\n## {heading}\n");
            for l in lines {
                let _ = writeln!(out, "> - {l}");
            }
            out.push('\n');
        } else {
            let _ = writeln!(out, "\n== {heading} ==");
            for l in lines {
                let _ = writeln!(out, "   {l}");
            }
            out.push('\n');
        }
        return;
    }
    let who = e.agency.as_deref().map(|a| format!("{a}: ")).unwrap_or_default();
    if markdown {
        let strong = matches!(e.kind, Kind::Milestone | Kind::Loss | Kind::Divergence);
        let text = if strong { format!("**{}**", e.text) } else { e.text.clone() };
        let _ = writeln!(out, "- **{}** {who}{text}", e.date);
    } else {
        let _ = writeln!(out, "  {}  {who}{}", e.date, e.text);
    }
}

/// Baseline and divergent chronicles of the same timeline, told together from where they split.
pub fn render_twin(base: &Chronicle, div: &Chronicle, sc: &Scenario, markdown: bool) -> String {
    let split = split_point(base, div);
    let mut out = String::new();
    let title = twin_title(base, div, sc);
    let _ = writeln!(out, "{}{title}\n", if markdown { "# " } else { "" });
    if split == base.entries.len() && split == div.entries.len() {
        let _ = writeln!(out, "The two worlds never differ in this timeline: the divergence changed nothing here.");
        return out;
    }
    if split > 0 {
        let until = &base.entries[split - 1].date;
        let _ = writeln!(
            out,
            "Both worlds share the same history until {until} ({split} entries, as in the baseline chronicle).\n"
        );
    }
    let mut rest: Vec<(&str, &Entry)> = base.entries[split..].iter().map(|e| ("baseline", e)).collect();
    rest.extend(div.entries[split..].iter().map(|e| ("divergent", e)));
    rest.sort_by(|a, b| a.1.day().total_cmp(&b.1.day()).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "{}", if markdown { "**▶ First difference**\n" } else { "▶ First difference" });
    for (world, e) in rest {
        let mut line = String::new();
        render_entry(&mut line, e, markdown);
        let tag = if markdown { format!("*[{world}]* ") } else { format!("[{world}] ") };
        for l in line.lines() {
            if l.trim().is_empty() {
                out.push('\n');
            } else if let Some(rest) = l.strip_prefix("- ") {
                let _ = writeln!(out, "- {tag}{rest}");
            } else if let Some(rest) = l.strip_prefix("> - ") {
                let _ = writeln!(out, "> - {tag}{rest}");
            } else {
                let _ = writeln!(out, "{tag}{}", l.trim_start());
            }
        }
    }
    out
}

/// How many entries twins share before their first difference (all, if they never differ).
pub(super) fn split_point(base: &Chronicle, div: &Chronicle) -> usize {
    let split = base.entries.iter().zip(&div.entries).position(|(a, b)| a.date != b.date || a.text != b.text);
    split.unwrap_or(base.entries.len().min(div.entries.len()))
}

/// "Space race — twin timelines 12 (seed 1): baseline and star-city".
pub(super) fn twin_title(base: &Chronicle, div: &Chronicle, sc: &Scenario) -> String {
    let divs = div.divergences.join(" + ");
    format!("{} — twin timelines {} (seed {}): baseline and {divs}", sc.name, base.timeline, base.seed)
}

/// An era heading and the state of the world at its date, one line per agency.
pub(super) fn era(rec: &mut Recorder, w: &World, era: usize) {
    let sc = rec.sc;
    let e = &sc.eras[era];
    let jump = years_between(sc.date_of(rec.last_era.unwrap_or(0.0)), e.date);
    let since = if rec.last_era.is_some() { "later" } else { "after the start" };
    let year = e.date.format("%Y");
    let lower = e.name.to_lowercase();
    let name_says_when = lower.contains("later") || lower.contains("year");
    let mut text = if lower.contains(&year.to_string()) {
        format!("{}, {jump} {since}", e.name)
    } else if name_says_when {
        format!("{year} — {}", e.name)
    } else {
        format!("{year} — {}, {jump} {since}", e.name)
    };
    for a in 0..sc.agencies.len() {
        let _ = write!(text, "\n{}", state_of(rec, w, a, e.day));
    }
    rec.last_era = Some(e.day);
    rec.push(e.day, Kind::Era, text);
}

/// "NASA: has achieved …; 3 people lost (…); under way: …."
fn state_of(rec: &Recorder, w: &World, a: usize, day: f64) -> String {
    let sc = rec.sc;
    let reached: Vec<String> = (0..sc.milestones.len())
        .filter(|&m| w.reached(m, a) <= day)
        .map(|m| lower_first(strip_first(&sc.milestones[m].name)))
        .collect();
    let building: Vec<String> = (sc.programs.iter().enumerate())
        .filter(|(p, prog)| prog.agency == a && active(w.programs[*p].status))
        .map(|(_, prog)| words::plain(&prog.name).to_string())
        .collect();
    let mut text = format!("{}: ", agency_name(sc, a));
    if reached.is_empty() {
        text.push_str("no first yet");
    } else {
        let _ = write!(text, "has achieved {}", join(&reached));
    }
    let lost = &rec.lost[a];
    if lost.is_empty() {
        text.push_str("; no one lost");
    } else {
        let _ = write!(text, "; {} lost ({})", words::people(lost.len() as u32), lost.join(", "));
    }
    if !building.is_empty() {
        let _ = write!(text, "; under way: {}", join(&building));
    }
    text.push('.');
    text
}

fn active(s: Status) -> bool {
    matches!(s, Status::Waiting | Status::Preparing | Status::Flying)
}
