//! Charts as data: what is drawn, not how. `svg.rs` draws them; [`Chart::table`] gives the same
//! numbers as a table, printed beside every chart for screen readers and for copying.

use chrono::NaiveDate;

use super::document::{Cell, Table};

/// The colour of a series: an agency by its index in the scenario, or "nobody".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hue {
    Agency(usize),
    Nobody,
    /// The baseline world in a comparison (drawn lighter than the divergent one).
    Baseline(usize),
    /// A rise and a fall in a ranking (colours no agency has, so a ranked agency's own colour
    /// never reads as "raises" or "lowers").
    Up,
    Down,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub hue: Hue,
    pub values: Vec<f64>,
}

/// A date marked on a time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub date: NaiveDate,
    pub label: String,
    /// `Some((series, height))`: a point on that series' curve at that height (a quantile date:
    /// q × the share that ever gets there, exactly on the curve); `None`: a vertical line across
    /// the plot (a real date).
    pub on: Option<(usize, f64)>,
}

/// A value marked on one bar of a bar chart (the real count, say).
#[derive(Debug, Clone, PartialEq)]
pub struct BarMark {
    pub row: usize,
    pub series: usize,
    pub label: String,
}

/// One row of an effects chart: a difference and its 95 % interval.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectRow {
    pub label: String,
    pub hue: Hue,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// What the values of a chart are, for axes and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Probabilities, drawn 0–100 %.
    Share,
    /// Differences of probabilities, in percentage points.
    Points,
    /// Plain numbers (people, days).
    Count,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// Curves over time (S-curves of cumulative probability).
    Curves { dates: Vec<NaiveDate>, series: Vec<Series>, marks: Vec<Mark> },
    /// Horizontal stacked bars whose segments sum to at most 1, one per row. With `groups`, the
    /// rows fall into that many equal runs, each under its group's name.
    Stacked { rows: Vec<String>, groups: Vec<String>, segments: Vec<Series> },
    /// Grouped bars: per row (a category), one bar per series. `vertical` draws a distribution
    /// with its categories along the x axis.
    Bars { rows: Vec<String>, series: Vec<Series>, marks: Vec<BarMark>, vertical: bool },
    /// Differences with 95 % intervals around zero, one row each (paired effects; the tornado),
    /// grouped as `Stacked` rows are; the legend says what the colours mean.
    Effects { rows: Vec<EffectRow>, groups: Vec<String>, legend: Vec<(String, Hue)> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// A stable identifier, unique in a report (`first-to`, `curve-crewed_lunar_landing`): the
    /// HTML anchor, and the name of the chart's PNG or CSV.
    pub id: String,
    pub title: String,
    /// A sentence saying how to read it.
    pub caption: String,
    pub x_label: String,
    pub y_label: String,
    pub unit: Unit,
    pub plot: Plot,
}

impl Chart {
    /// The chart's numbers as a table.
    pub fn table(&self) -> Table {
        match &self.plot {
            Plot::Curves { dates, series, marks } => curves_table(dates, series, marks),
            Plot::Stacked { rows, groups, segments } => bars_table(&grouped(rows, groups), segments, self.unit),
            Plot::Bars { rows, series, marks, .. } => {
                let mut t = bars_table(rows, series, self.unit);
                if !marks.is_empty() {
                    t.columns
                        .push(super::document::Column { name: "marked".into(), align: super::document::Align::Left });
                    t.rows.iter_mut().for_each(|r| r.push(Cell::Empty));
                    for m in marks {
                        let name = format!("{}: {}", series[m.series].name, m.label);
                        t.rows[m.row][series.len() + 1] = Cell::text(name);
                    }
                }
                t
            }
            Plot::Effects { rows, groups, .. } => {
                let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
                effects_table(rows, &grouped(&labels, groups), self.unit)
            }
        }
    }
}

/// Rows in each group when `rows` fall into `groups` equal runs (the chart lays them out so too).
pub fn rows_per_group(rows: usize, groups: usize) -> usize {
    if groups == 0 { usize::MAX } else { rows.div_ceil(groups).max(1) }
}

/// Row labels with their group's name in front ("First crewed lunar landing · USSR"), for tables.
fn grouped(rows: &[String], groups: &[String]) -> Vec<String> {
    let per = rows_per_group(rows.len(), groups.len());
    let group = |r: usize| groups.get(r / per);
    rows.iter().enumerate().map(|(r, l)| group(r).map_or(l.clone(), |g| format!("{g} · {l}"))).collect()
}

fn value_cell(v: f64, unit: Unit) -> Cell {
    match unit {
        Unit::Share => Cell::Percent(v),
        Unit::Points => Cell::Points(v),
        Unit::Count => Cell::Number(v, 2),
    }
}

/// Curves sampled each January (and at the end), then the marked dates.
fn curves_table(dates: &[NaiveDate], series: &[Series], marks: &[Mark]) -> Table {
    use chrono::Datelike;
    let mut names = vec!["date"];
    names.extend(series.iter().map(|s| s.name.as_str()));
    names.push("marked");
    let mut t = Table::new(&names, 1).left(names.len() - 1);
    let last = dates.len().saturating_sub(1);
    for (i, d) in dates.iter().enumerate().filter(|(i, d)| d.month() == 1 || *i == last) {
        let mut row = vec![Cell::text(d.to_string())];
        row.extend(series.iter().map(|s| Cell::Percent(s.values.get(i).copied().unwrap_or(0.0))));
        row.push(Cell::Empty);
        t.push(row);
    }
    for m in marks {
        let mut row = vec![Cell::text(m.date.to_string())];
        row.extend(series.iter().map(|_| Cell::Empty));
        row.push(Cell::text(m.label.clone()));
        t.push(row);
    }
    t
}

fn bars_table(rows: &[String], series: &[Series], unit: Unit) -> Table {
    let mut names = vec![""];
    names.extend(series.iter().map(|s| s.name.as_str()));
    let mut t = Table::new(&names, 1);
    for (r, label) in rows.iter().enumerate() {
        let mut row = vec![Cell::text(label.clone())];
        row.extend(series.iter().map(|s| value_cell(s.values.get(r).copied().unwrap_or(0.0), unit)));
        t.push(row);
    }
    t
}

fn effects_table(rows: &[EffectRow], labels: &[String], unit: Unit) -> Table {
    let mut t = Table::new(&["", "effect", "95 % interval"], 1);
    let decimals = if unit == Unit::Points { None } else { Some(2) };
    for (r, label) in rows.iter().zip(labels) {
        let value = value_cell(r.value, unit);
        let value = if unit == Unit::Count { Cell::Signed(r.value, 2) } else { value };
        t.push(vec![Cell::text(label.clone()), value, Cell::Interval { lo: r.lo, hi: r.hi, decimals }]);
    }
    t
}
