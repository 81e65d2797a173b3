//! Charts drawn as SVG text: no script, no font or image from anywhere, so a report opened from
//! disk on a machine with no network shows every chart. Hand-written rather than plotters: the
//! charts are five simple kinds, and writing the elements ourselves gives each one a `<title>`,
//! a `<desc>`, tooltips and text that screen readers can reach, with nothing to measure fonts.
//!
//! Every text from a report (a user's scenario names included) goes through [`escape`].

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use super::chart::{BarMark, Chart, EffectRow, Hue, Mark, Plot, Series, Unit};

/// Width of every chart, in SVG user units (pixels at 100 %).
const WIDTH: f64 = 720.0;
/// Space for the title and the legend above the plot.
const TOP: f64 = 64.0;
/// Space under the plot for tick labels and the axis label.
const BOTTOM: f64 = 52.0;
const RIGHT: f64 = 24.0;
/// Rough width of a character of 12 px sans-serif, for margins (no font is measured).
const CHAR: f64 = 6.4;

/// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies; agencies take
/// them in the scenario's order (space-race: NASA blue, the Soviet programme vermillion).
/// After the seven, Paul Tol's muted colours; a scenario with more agencies than colours repeats
/// them (the legend and every tooltip still name each).
const PALETTE: [&str; 12] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D1F", "#332288", "#882255", "#44AA99",
    "#999933", "#AA4499",
];
/// Rises and falls in a ranking: colours no agency has.
const UP: &str = "#7B3294";
const DOWN: &str = "#1B7837";
const NOBODY: &str = "#B8B8B8";
const INK: &str = "#222222";
const GRID: &str = "#E2E2E2";

/// The chart as a standalone `<svg>` element.
pub fn svg(chart: &Chart) -> String {
    let mut plot = String::new();
    let height = match &chart.plot {
        Plot::Curves { dates, series, marks } => curves(&mut plot, chart, dates, series, marks),
        Plot::Stacked { rows, groups, segments } => stacked(&mut plot, chart, &layout(rows, groups, 26.0), segments),
        Plot::Bars { rows, series, marks, vertical: true } => columns(&mut plot, chart, rows, series, marks),
        Plot::Bars { rows, series, vertical: false, .. } => bars(&mut plot, chart, rows, series),
        Plot::Effects { rows, groups, .. } => {
            let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
            effects(&mut plot, chart, &layout(&labels, groups, 22.0), rows)
        }
    };
    let id = escape(&chart.id);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"{WIDTH}\" height=\"{height:.0}\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\" font-size=\"12\">\n"
    );
    let _ = writeln!(
        out,
        "<title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(&chart.title),
        escape(&chart.caption)
    );
    let _ = writeln!(out, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let _ = writeln!(
        out,
        "<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"600\" fill=\"{INK}\">{}</text>",
        escape(&chart.title)
    );
    legend(&mut out, &legend_entries(&chart.plot));
    out.push_str(&plot);
    out.push_str("</svg>\n");
    out
}

/// Text safe inside SVG/XML: markup escaped, control characters (not allowed in XML) replaced.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if unsafe_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Characters no report should carry from user text: controls (not allowed in XML), Unicode
/// non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF: not allowed in XML either), and the
/// bidirectional overrides and isolates, which would reverse the report's own text around them.
pub fn unsafe_char(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || (0xFDD0..=0xFDEF).contains(&u)
        || u & 0xFFFE == 0xFFFE
        || matches!(u, 0x200E | 0x200F | 0x061C | 0x202A..=0x202E | 0x2066..=0x2069)
}

fn colour(hue: Hue) -> &'static str {
    match hue {
        Hue::Agency(a) | Hue::Baseline(a) => PALETTE[a % PALETTE.len()],
        Hue::Nobody => NOBODY,
        Hue::Up => UP,
        Hue::Down => DOWN,
    }
}

/// Paint attributes of a series: the baseline world is drawn faded.
fn opacity(hue: Hue) -> f64 {
    if matches!(hue, Hue::Baseline(_)) { 0.45 } else { 1.0 }
}

fn legend_entries(plot: &Plot) -> Vec<(String, Hue)> {
    let named = |s: &[Series]| s.iter().map(|s| (s.name.clone(), s.hue)).collect();
    match plot {
        Plot::Curves { series, .. } | Plot::Bars { series, .. } => named(series),
        Plot::Stacked { segments, .. } => named(segments),
        Plot::Effects { legend, .. } => legend.clone(),
    }
}

/// Coloured squares and names in a row under the title.
fn legend(out: &mut String, entries: &[(String, Hue)]) {
    let mut x = 12.0;
    for (name, hue) in entries {
        let _ = writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"36\" width=\"12\" height=\"12\" fill=\"{}\" fill-opacity=\"{}\"/><text x=\"{:.1}\" y=\"46\" fill=\"{INK}\">{}</text>",
            colour(*hue),
            opacity(*hue),
            x + 16.0,
            escape(name)
        );
        x += 28.0 + CHAR * name.chars().count() as f64;
    }
}

/// Where the plot area lies.
#[derive(Clone, Copy)]
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn right(&self) -> f64 {
        self.left + self.width
    }

    fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// x of a value in `lo..=hi`.
    fn x(&self, v: f64, lo: f64, hi: f64) -> f64 {
        self.left + self.width * ((v - lo) / (hi - lo).max(1e-12)).clamp(0.0, 1.0)
    }

    /// y of a value in `lo..=hi` (up is more).
    fn y(&self, v: f64, lo: f64, hi: f64) -> f64 {
        self.bottom() - self.height * ((v - lo) / (hi - lo).max(1e-12)).clamp(0.0, 1.0)
    }
}

fn tick_label(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Share => format!("{:.0} %", v * 100.0),
        Unit::Points if v.abs() < 1e-12 => "0".into(),
        Unit::Points => format!("{:+.0} pp", v * 100.0),
        Unit::Count if v.abs() < 1e-9 => "0".into(),
        Unit::Count if (v * 10.0).fract().abs() < 1e-9 => format!("{v:+.1}"),
        Unit::Count => format!("{v:+.2}"),
    }
}

fn value_label(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Share => super::pct(v),
        Unit::Points => super::points(v),
        Unit::Count => super::document::signed(v, 2),
    }
}

/// A value without its unit, for the ends of an interval written after the value.
fn bare(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Share => format!("{:.1}", v * 100.0),
        Unit::Points => super::document::signed(v * 100.0, 1),
        Unit::Count => super::document::signed(v, 2),
    }
}

/// A step of 1, 2 or 5 × 10ⁿ giving at most `ticks` steps over `range`.
fn nice_step(range: f64, ticks: f64) -> f64 {
    let raw = (range / ticks).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude)
}

/// Vertical grid lines and labels for values `lo..=hi` along x.
fn x_grid(out: &mut String, f: Frame, lo: f64, hi: f64, step: f64, unit: Unit) {
    let mut v = (lo / step).ceil() * step;
    while v <= hi + step * 1e-6 {
        let x = f.x(v, lo, hi);
        let stroke = if v.abs() < step * 1e-6 && lo < 0.0 { INK } else { GRID };
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{stroke}\"/>",
            f.top,
            f.bottom()
        );
        let _ = writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            f.bottom() + 16.0,
            tick_label(v, unit)
        );
        v += step;
    }
}

fn axis_labels(out: &mut String, f: Frame, chart: &Chart) {
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
        f.left + f.width / 2.0,
        f.bottom() + 38.0,
        escape(&chart.x_label)
    );
    if chart.y_label.is_empty() {
        return;
    }
    let (x, y) = (14.0, f.top + f.height / 2.0);
    let _ = writeln!(
        out,
        "<text x=\"{x}\" y=\"{y:.1}\" transform=\"rotate(-90 {x} {y:.1})\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
        escape(&chart.y_label)
    );
}

/// `text` cut to `max_chars`, with an ellipsis where it was cut.
fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() > max_chars {
        text.chars().take(max_chars.saturating_sub(1)).chain(['…']).collect()
    } else {
        text.to_string()
    }
}

/// A row label, shortened to fit the margin (the whole label is in the tooltip).
fn row_label(out: &mut String, x: f64, y: f64, label: &str, max_chars: usize) {
    let shown = shorten(label, max_chars);
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"{INK}\"><title>{}</title>{}</text>",
        escape(label),
        escape(&shown)
    );
}

/// The left margin that fits the longest row label (at most 40 characters shown).
fn label_margin(rows: &[String]) -> (f64, usize) {
    let longest = rows.iter().map(|r| r.chars().count()).max().unwrap_or(0).min(50);
    (96.0f64.max(40.0 + CHAR * longest as f64), 50)
}

fn year_fraction(d: NaiveDate) -> f64 {
    let days = if d.leap_year() { 366.0 } else { 365.0 };
    d.year() as f64 + (d.ordinal0() as f64) / days
}

fn curves(out: &mut String, chart: &Chart, dates: &[NaiveDate], series: &[Series], marks: &[Mark]) -> f64 {
    let f = Frame { left: 64.0, top: TOP + 8.0, width: WIDTH - 64.0 - RIGHT, height: 240.0 };
    let (Some(first), Some(last)) = (dates.first(), dates.last()) else { return f.bottom() + BOTTOM };
    let (lo, hi) = (year_fraction(*first), year_fraction(*last));
    y_grid(out, f, 1.0, 0.25, chart.unit);
    year_ticks(out, f, first.year(), last.year(), lo, hi);
    for s in series {
        let points: Vec<String> = dates
            .iter()
            .zip(&s.values)
            .map(|(d, v)| format!("{:.1},{:.1}", f.x(year_fraction(*d), lo, hi), f.y(*v, 0.0, 1.0)))
            .collect();
        let dash = if matches!(s.hue, Hue::Baseline(_)) { " stroke-dasharray=\"6 4\"" } else { "" };
        let _ = writeln!(
            out,
            "<polyline class=\"datum\" fill=\"none\" stroke=\"{}\" stroke-opacity=\"{}\" stroke-width=\"2.2\"{dash} points=\"{}\"><title>{}</title></polyline>",
            colour(s.hue),
            opacity(s.hue),
            points.join(" "),
            escape(&s.name)
        );
    }
    curve_marks(out, f, (lo, hi), series, marks);
    axis_labels(out, f, chart);
    f.bottom() + BOTTOM
}

/// Horizontal grid lines with labels, at every `step` from 0 to `hi`.
fn y_grid(out: &mut String, f: Frame, hi: f64, step: f64, unit: Unit) {
    let mut v = 0.0;
    while v <= hi + step * 1e-6 {
        let y = f.y(v, 0.0, hi);
        let _ = writeln!(
            out,
            "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/>",
            f.left,
            f.right()
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            f.left - 6.0,
            y + 4.0,
            tick_label(v, unit)
        );
        v += step;
    }
}

/// A tick each year, labelled every 1, 2 or 5 years so labels do not collide.
fn year_ticks(out: &mut String, f: Frame, first: i32, last: i32, lo: f64, hi: f64) {
    // At most about a dozen labels, ticks at half the label step (or every year).
    let span = (last - first).max(1);
    let every = [1, 2, 5, 10, 20, 50, 100].into_iter().find(|e| span / e <= 12).unwrap_or(100);
    let tick = if every >= 10 { every / 2 } else { 1 };
    for year in first..=last + 1 {
        let v = year as f64;
        if v < lo || v > hi || year % tick != 0 {
            continue;
        }
        let x = f.x(v, lo, hi);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/>",
            f.bottom(),
            f.bottom() + 4.0
        );
        if year % every == 0 {
            let _ = writeln!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{year}</text>",
                f.bottom() + 16.0
            );
        }
    }
    let _ = writeln!(
        out,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/>",
        f.left,
        f.bottom(),
        f.right(),
        f.bottom()
    );
}

/// Quantile dates as dots on their curve, real dates as dashed lines with a label.
fn curve_marks(out: &mut String, f: Frame, (lo, hi): (f64, f64), series: &[Series], marks: &[Mark]) {
    let mut lines = 0;
    for m in marks {
        let x = f.x(year_fraction(m.date), lo, hi);
        match m.on.and_then(|(s, height)| Some((series.get(s)?, height))) {
            Some((s, height)) => {
                let y = f.y(height, 0.0, 1.0);
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#ffffff\" stroke=\"{}\" stroke-width=\"2\"><title>{}</title></circle>",
                    colour(s.hue),
                    escape(&m.label)
                );
            }
            None => {
                let ty = f.top + 12.0 + 14.0 * lines as f64;
                lines += 1;
                let anchor = if x > f.left + f.width * 0.7 { "end" } else { "start" };
                let dx = if anchor == "end" { -4.0 } else { 4.0 };
                let _ = writeln!(
                    out,
                    "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-dasharray=\"3 3\"/><text x=\"{:.1}\" y=\"{ty:.1}\" text-anchor=\"{anchor}\" fill=\"{INK}\">{}</text>",
                    f.top,
                    f.bottom(),
                    x + dx,
                    escape(&m.label)
                );
            }
        }
    }
}

fn stacked(out: &mut String, chart: &Chart, rows: &Rows, segments: &[Series]) -> f64 {
    let f = Frame { left: rows.margin, top: TOP + 8.0, width: WIDTH - rows.margin - RIGHT, height: rows.height };
    x_grid(out, f, 0.0, 1.0, 0.25, Unit::Share);
    rows.draw_labels(out, f);
    for (r, (label, y)) in rows.labels.iter().zip(&rows.y).enumerate() {
        let mut acc = 0.0;
        for s in segments {
            let v = s.values.get(r).copied().unwrap_or(0.0);
            segment(out, f, (acc, v), y - 9.0, s, &rows.tip(r, label));
            acc += v;
        }
    }
    axis_labels(out, f, chart);
    f.bottom() + BOTTOM
}

/// Rows of a horizontal chart: their labels and centres, and the group headings between them.
struct Rows {
    labels: Vec<String>,
    /// Centre of each row, from the plot's top.
    y: Vec<f64>,
    /// Group names and the y of their heading line.
    headings: Vec<(String, f64)>,
    /// Each row's group name, for tooltips.
    group_of: Vec<Option<String>>,
    height: f64,
    margin: f64,
    max_chars: usize,
}

/// Lays rows out `row_h` apart, with a heading line over each group (rows split evenly).
fn layout(rows: &[String], groups: &[String], row_h: f64) -> Rows {
    let per = super::chart::rows_per_group(rows.len(), groups.len());
    let (mut y, mut ys, mut headings, mut group_of) = (TOP + 8.0, Vec::new(), Vec::new(), Vec::new());
    for r in 0..rows.len() {
        let group = groups.get(r / per);
        if r % per == 0 && group.is_some() {
            headings.push((group.cloned().unwrap_or_default(), y + 14.0));
            y += 20.0;
        }
        ys.push(y + row_h / 2.0);
        group_of.push(group.cloned());
        y += row_h;
    }
    let (margin, max_chars) = label_margin(rows);
    Rows { labels: rows.to_vec(), y: ys, headings, group_of, height: y - TOP - 8.0, margin, max_chars }
}

impl Rows {
    fn draw_labels(&self, out: &mut String, f: Frame) {
        for (label, y) in self.labels.iter().zip(&self.y) {
            row_label(out, f.left - 8.0, *y, label, self.max_chars);
        }
        for (name, y) in &self.headings {
            let _ =
                writeln!(out, "<text x=\"12\" y=\"{y:.1}\" font-weight=\"600\" fill=\"{INK}\">{}</text>", escape(name));
        }
    }

    /// A row's name with its group's, for tooltips.
    fn tip(&self, r: usize, label: &str) -> String {
        self.group_of[r].as_ref().map_or(label.to_string(), |g| format!("{g} · {label}"))
    }
}

/// One segment of a stacked bar, with its share written on it where it fits.
fn segment(out: &mut String, f: Frame, (start, v): (f64, f64), y: f64, s: &Series, row: &str) {
    if v <= 0.0 {
        return;
    }
    let (x0, x1) = (f.x(start, 0.0, 1.0), f.x(start + v, 0.0, 1.0));
    let tip = format!("{row}: {} {}", s.name, super::pct(v));
    let _ = writeln!(
        out,
        "<rect class=\"datum\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"18\" fill=\"{}\" fill-opacity=\"{}\"><title>{}</title></rect>",
        (x1 - x0).max(0.5),
        colour(s.hue),
        opacity(s.hue),
        escape(&tip)
    );
    if x1 - x0 > 44.0 {
        let ink = if s.hue == Hue::Nobody || matches!(s.hue, Hue::Baseline(_)) { INK } else { "#ffffff" };
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>",
            (x0 + x1) / 2.0,
            y + 13.0,
            super::pct(v)
        );
    }
}

/// Grouped horizontal bars: per row, a thin bar per series.
fn bars(out: &mut String, chart: &Chart, rows: &[String], series: &[Series]) -> f64 {
    let (left, max_chars) = label_margin(rows);
    let bar = 9.0;
    let group = bar * series.len() as f64 + 10.0;
    let f = Frame { left, top: TOP + 8.0, width: WIDTH - left - RIGHT, height: group * rows.len() as f64 };
    x_grid(out, f, 0.0, 1.0, 0.25, chart.unit);
    for (r, label) in rows.iter().enumerate() {
        let y0 = f.top + group * r as f64 + 5.0;
        row_label(out, f.left - 8.0, y0 + bar * series.len() as f64 / 2.0, label, max_chars);
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(r).copied().unwrap_or(0.0);
            let tip = format!("{label}: {} {}", s.name, value_label(v, chart.unit));
            let _ = writeln!(
                out,
                "<rect class=\"datum\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}</title></rect>",
                f.left,
                y0 + bar * k as f64,
                f.x(v, 0.0, 1.0) - f.left,
                bar - 1.0,
                colour(s.hue),
                escape(&tip)
            );
        }
    }
    axis_labels(out, f, chart);
    f.bottom() + BOTTOM
}

/// A distribution: categories along x, a bar per series in each, rings for marked values.
fn columns(out: &mut String, chart: &Chart, rows: &[String], series: &[Series], marks: &[BarMark]) -> f64 {
    let f = Frame { left: 64.0, top: TOP + 8.0, width: WIDTH - 64.0 - RIGHT, height: 220.0 };
    let top = series.iter().flat_map(|s| s.values.iter()).fold(0.0f64, |a, b| a.max(*b));
    let step = nice_step(top.max(0.01), 4.0);
    let hi = (top / step).ceil().max(1.0) * step;
    y_grid(out, f, hi, step, chart.unit);
    let group = f.width / rows.len().max(1) as f64;
    let bar = (group - 6.0) / series.len().max(1) as f64;
    let bar_x = |r: usize, k: usize| f.left + group * r as f64 + 3.0 + bar * k as f64;
    for (r, label) in rows.iter().enumerate() {
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(r).copied().unwrap_or(0.0);
            let (x, y) = (bar_x(r, k), f.y(v, 0.0, hi));
            let tip = format!("{} lost {label}: {}", s.name, value_label(v, chart.unit));
            let _ = writeln!(
                out,
                "<rect class=\"datum\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}</title></rect>",
                (bar - 1.0).max(0.5),
                f.bottom() - y,
                colour(s.hue),
                escape(&tip)
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            f.left + group * (r as f64 + 0.5),
            f.bottom() + 16.0,
            escape(label)
        );
    }
    for (i, m) in marks.iter().enumerate() {
        let Some(s) = series.get(m.series) else { continue };
        let v = s.values.get(m.row).copied().unwrap_or(0.0);
        let (x, y) = (bar_x(m.row, m.series) + bar / 2.0, f.y(v, 0.0, hi) - 9.0);
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5.5\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.2\"><title>{}</title></circle>",
            colour(s.hue),
            escape(&format!("{}: {}", s.name, m.label))
        );
        let note = format!("○ {}: {}", s.name, m.label);
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
            f.right(),
            f.top + 14.0 + 16.0 * i as f64,
            colour(s.hue),
            escape(&note)
        );
    }
    axis_labels(out, f, chart);
    f.bottom() + BOTTOM
}

/// Differences around zero: a bar to the estimate and a whisker over its 95 % interval.
fn effects(out: &mut String, chart: &Chart, rows: &Rows, effects: &[EffectRow]) -> f64 {
    let value_w = 200.0;
    let f = Frame { left: rows.margin, top: TOP + 8.0, width: WIDTH - rows.margin - value_w, height: rows.height };
    let reach = effects.iter().flat_map(|r| [r.lo.abs(), r.hi.abs(), r.value.abs()]).fold(0.0f64, f64::max);
    let step = nice_step(reach.max(if chart.unit == Unit::Count { 0.01 } else { 0.001 }), 2.0);
    let hi = (reach / step).ceil().max(1.0) * step;
    x_grid(out, f, -hi, hi, step, chart.unit);
    rows.draw_labels(out, f);
    for (r, y) in effects.iter().zip(&rows.y) {
        effect_row(out, f, hi, *y, r, chart.unit);
    }
    axis_labels(out, f, chart);
    f.bottom() + BOTTOM
}

fn effect_row(out: &mut String, f: Frame, hi: f64, y: f64, r: &EffectRow, unit: Unit) {
    let (x0, xv) = (f.x(0.0, -hi, hi), f.x(r.value, -hi, hi));
    let (xl, xh) = (f.x(r.lo, -hi, hi), f.x(r.hi, -hi, hi));
    let text = format!("{} [{}, {}]", value_label(r.value, unit), bare(r.lo, unit), bare(r.hi, unit));
    let _ = writeln!(
        out,
        "<rect class=\"datum\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"{}\" fill-opacity=\"0.85\"><title>{}</title></rect>",
        x0.min(xv),
        y - 6.0,
        (xv - x0).abs().max(1.0),
        colour(r.hue),
        escape(&format!("{}: {text}", r.label))
    );
    let _ = writeln!(
        out,
        "<path d=\"M{xl:.1} {y:.1}H{xh:.1}M{xl:.1} {:.1}V{:.1}M{xh:.1} {:.1}V{:.1}\" stroke=\"{INK}\" stroke-width=\"1.4\" fill=\"none\"/>",
        y - 5.0,
        y + 5.0,
        y - 5.0,
        y + 5.0
    );
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>",
        f.right() + 10.0,
        y + 4.0,
        escape(&text)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_any_text_safe_xml() {
        assert_eq!(escape("<a href='x'>&\"\u{1b}"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\u{FFFD}");
    }

    #[test]
    fn nice_steps_are_one_two_five() {
        assert_eq!(nice_step(1.0, 4.0), 0.5);
        assert_eq!(nice_step(0.3, 2.0), 0.2);
        assert!((nice_step(0.07, 2.0) - 0.05).abs() < 1e-12);
    }
}
