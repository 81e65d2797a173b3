//! From typed reports to documents: which tables and charts each command shows, in what order,
//! under which headings. Every renderer draws from here, so text, Markdown, CSV and HTML agree.

use chrono::NaiveDate;

use super::chart::{BarMark, Chart, EffectRow, Hue, Mark, Plot, Series, Unit};
use super::compare::CompareReport;
use super::document::{Block, Cell, Document, Section, Table};
use super::rank::RankReport;
use super::run::{MilestoneReport, RunReport};

/// The document of `starcity run`.
pub fn run(r: &RunReport) -> Document {
    let div = if r.divergences.is_empty() { String::new() } else { format!(" with {}", r.divergences.join(" + ")) };
    let title = format!(
        "{}{div} — {} timelines, seed {}, {} to {}",
        r.scenario_name,
        thousands(r.timelines),
        r.seed,
        r.start,
        r.end
    );
    let mut sections = vec![
        Section::new("Who gets there first", vec![Block::Chart(firsts_chart(r)), Block::Table(firsts_table(r))]),
        when_section(r),
        Section::new("Crews lost", vec![Block::Chart(losses_chart(r)), Block::Table(losses_table(r))]),
        Section::new(format!("How the programs ended (by {})", r.end), vec![Block::Table(programs_table(r))]),
    ];
    sections.extend(eras(r));
    if !r.rules.is_empty() {
        sections.push(Section::new("How often each rule fired", vec![Block::Table(rules_table(r))]));
    }
    if !r.history.is_empty() {
        let heading = "History check: where the real dates fall among the model's dates";
        sections.push(Section::new(heading, vec![Block::Table(history_table(r))]));
    }
    if !r.interventions.is_empty() {
        let items = r
            .interventions
            .iter()
            .map(|i| format!("{} (applied in {} of {} timelines)", i.text, i.applied_in, r.timelines));
        sections.push(Section::new("What the divergences did", vec![Block::List(items.collect())]));
    }
    Document { title, intro: vec![r.conditioning.text.clone()], sections }
}

/// 12345678 → "12,345,678".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn agency_names(r: &RunReport) -> Vec<&str> {
    r.agencies.iter().map(|a| a.id.as_str()).collect()
}

fn firsts_table(r: &RunReport) -> Table {
    let mut names = vec!["milestone"];
    names.extend(agency_names(r));
    names.push("nobody");
    let mut t = Table::new(&names, 1);
    for m in &r.milestones {
        let mut row = vec![Cell::text(m.name.clone())];
        row.extend(m.first.agencies.values().map(|p| Cell::Percent(*p)));
        row.push(Cell::Percent(m.first.nobody));
        t.push(row);
    }
    t
}

fn firsts_chart(r: &RunReport) -> Chart {
    let rows = r.milestones.iter().map(|m| m.name.clone()).collect();
    Chart {
        id: "first-to".into(),
        title: "Who gets there first".into(),
        caption: format!("Share of the {} timelines in which each agency was first to each milestone.", r.timelines),
        x_label: "share of timelines (%)".into(),
        y_label: "milestone".into(),
        unit: Unit::Share,
        plot: Plot::Stacked { rows, groups: Vec::new(), segments: first_segments(r, Hue::Agency) },
    }
}

/// Who was first, per milestone, as stacked segments: each agency, then nobody.
fn first_segments(r: &RunReport, hue: fn(usize) -> Hue) -> Vec<Series> {
    let mut segments: Vec<Series> = (0..r.agencies.len())
        .map(|a| Series {
            name: r.agencies[a].id.clone(),
            hue: hue(a),
            values: r.milestones.iter().map(|m| *m.first.agencies.at(a)).collect(),
        })
        .collect();
    let nobody = r.milestones.iter().map(|m| m.first.nobody).collect();
    segments.push(Series { name: "nobody".into(), hue: Hue::Nobody, values: nobody });
    segments
}

fn when_section(r: &RunReport) -> Section {
    let heading = "When (10 % / 50 % / 90 % of the timelines that get there), and how often they do";
    let mut t = Table::new(&["milestone", "agency", "p10", "median", "p90", "reached"], 2);
    for m in &r.milestones {
        for (a, id) in agency_names(r).into_iter().enumerate() {
            if let Some(d) = m.date.at(a) {
                let dates = [&d.p10, &d.p50, &d.p90].map(|s| Cell::text(s.clone()));
                let mut row = vec![Cell::text(m.name.clone()), Cell::text(id)];
                row.extend(dates);
                row.push(Cell::Percent(*m.reached.at(a)));
                t.push(row);
            }
        }
    }
    let mut blocks: Vec<Block> = r.milestones.iter().map(|m| Block::Chart(curve_chart(r, m))).collect();
    blocks.push(Block::Table(t));
    Section::new(heading, blocks)
}

/// The S-curve of one milestone: per agency, the share of timelines that had reached it by each
/// date, with its 10/50/90 % dates and the real date marked.
fn curve_chart(r: &RunReport, m: &MilestoneReport) -> Chart {
    let dates = parse_dates(&r.curve_dates);
    let series = (0..r.agencies.len())
        .map(|a| Series { name: r.agencies[a].id.clone(), hue: Hue::Agency(a), values: m.cumulative.at(a).clone() })
        .collect();
    let start: Option<NaiveDate> = r.start.parse().ok();
    let mut marks = Vec::new();
    for (a, band) in m.date.values().enumerate() {
        let Some(b) = band else { continue };
        let reached = *m.reached.at(a);
        for (q, name, d) in [(0.1, "10 %", &b.p10), (0.5, "median", &b.p50), (0.9, "90 %", &b.p90)] {
            // A date before the start (a milestone already reached) has no place on the axis.
            if let Ok(date) = d.parse::<NaiveDate>()
                && start.is_none_or(|s| date >= s)
            {
                marks.push(Mark {
                    date,
                    label: format!("{} {name}: {d}", r.agencies[a].id),
                    on: Some((a, q * reached)),
                });
            }
        }
    }
    let real = real_dates(r, &m.id);
    let dashed = if real.is_empty() { "" } else { ", the dashed line the real date" };
    marks.extend(real);
    Chart {
        id: format!("curve-{}", m.id),
        title: m.name.clone(),
        caption: format!(
            "Share of all timelines that had reached “{}” by each date; rings mark the 10 %, median and 90 % dates among those that did{dashed}.",
            m.name
        ),
        x_label: "year".into(),
        y_label: "reached by then (%)".into(),
        unit: Unit::Share,
        plot: Plot::Curves { dates, series, marks },
    }
}

/// The real dates of a milestone (the history check's), as dashed lines.
fn real_dates(r: &RunReport, milestone: &str) -> Vec<Mark> {
    let real = r.history.iter().filter(|h| h.milestone == milestone);
    let mark = |h: &super::run::HistoryCheck| {
        Some(Mark { date: h.date.parse().ok()?, label: format!("real ({}): {}", h.agency, h.date), on: None })
    };
    real.filter_map(mark).collect()
}

fn parse_dates(dates: &[String]) -> Vec<NaiveDate> {
    dates.iter().filter_map(|d| d.parse().ok()).collect()
}

fn losses_table(r: &RunReport) -> Table {
    let mut t = Table::new(&["agency", "people lost (mean)", "fatal missions (mean)", "P(any loss)"], 1);
    for (id, c) in r.crew_lost.iter() {
        t.push(vec![
            Cell::text(id),
            Cell::Number(c.mean, 2),
            Cell::Number(c.fatal_missions, 2),
            Cell::Percent(c.p_any),
        ]);
    }
    t
}

/// The distribution of people lost per agency, with the record's count marked where known.
fn losses_chart(r: &RunReport) -> Chart {
    let bins = r.crew_lost.values().next().map_or(0, |c| c.distribution.len());
    let rows = (0..bins).map(|k| if k + 1 == bins { format!("{k}+") } else { k.to_string() }).collect();
    let series = r
        .crew_lost
        .iter()
        .enumerate()
        .map(|(a, (id, c))| Series { name: id.to_string(), hue: Hue::Agency(a), values: c.distribution.clone() })
        .collect();
    let marks = r
        .crew_lost
        .values()
        .enumerate()
        .filter_map(|(a, c)| c.record.map(|k| (a, k)))
        .map(|(a, k)| BarMark {
            row: (k as usize).min(bins.saturating_sub(1)),
            series: a,
            label: format!("{k} lost in the record to {}", r.record_until.as_deref().unwrap_or(&r.end)),
        })
        .collect();
    Chart {
        id: "crew-lost".into(),
        title: "People lost, per agency".into(),
        caption: format!(
            "Share of timelines in which each agency lost that many people by {}; a ring marks what really happened.",
            r.end
        ),
        x_label: "people lost".into(),
        y_label: "share of timelines (%)".into(),
        unit: Unit::Share,
        plot: Plot::Bars { rows, series, marks, vertical: true },
    }
}

fn programs_table(r: &RunReport) -> Table {
    let names = ["program", "agency", "completed", "cancelled", "retired", "still active", "never started"];
    let mut t = Table::new(&names, 2);
    for p in &r.programs {
        let f = p.fate;
        let shares = [f.completed, f.cancelled, f.retired, f.active, f.not_started].map(Cell::Percent);
        let mut row = vec![Cell::text(p.name.clone()), Cell::text(p.agency.clone())];
        row.extend(shares);
        t.push(row);
    }
    t
}

/// The time jumps: a line per agency at each era, and small multiples of what each had reached.
fn eras(r: &RunReport) -> Vec<Section> {
    let mut sections: Vec<Section> = r
        .eras
        .iter()
        .enumerate()
        .map(|(e, era)| Section::new(format!("{} ({})", era.name, era.date), vec![Block::Lines(era_lines(r, e))]))
        .collect();
    if !r.eras.is_empty() {
        let charts = (0..r.eras.len()).map(|e| Block::Chart(era_chart(r, e))).collect();
        sections.insert(0, Section::new("The world at each era (the time jumps)", charts));
    }
    sections
}

fn era_lines(r: &RunReport, e: usize) -> Vec<String> {
    let era = &r.eras[e];
    let mut lines: Vec<String> = era
        .agencies
        .iter()
        .map(|(id, ae)| {
            let reached: Vec<String> = ae
                .milestones
                .values()
                .zip(&r.milestones)
                .filter(|(p, _)| **p >= 0.005)
                .map(|(p, m)| format!("{} {}", m.name.to_lowercase(), super::pct(*p)))
                .collect();
            let reached = if reached.is_empty() { "no milestone yet".to_string() } else { reached.join(", ") };
            format!("{id}: funding {:.2}, {:.1} lost on average; {reached}", ae.budget, ae.crew_lost_mean)
        })
        .collect();
    let active: Vec<String> = era
        .programs
        .values()
        .zip(&r.programs)
        .filter(|(f, _)| f.active >= 0.05)
        .map(|(f, p)| format!("{} {}", p.name, super::pct(f.active)))
        .collect();
    if !active.is_empty() {
        lines.push(format!("under way: {}", active.join(", ")));
    }
    lines
}

fn era_chart(r: &RunReport, e: usize) -> Chart {
    let era = &r.eras[e];
    let series = era
        .agencies
        .iter()
        .enumerate()
        .map(|(a, (id, ae))| Series {
            name: id.to_string(),
            hue: Hue::Agency(a),
            values: ae.milestones.values().copied().collect(),
        })
        .collect();
    Chart {
        id: format!("era-{e}"),
        title: format!("{} ({})", era.name, era.date),
        caption: format!("Share of timelines in which each agency had reached each milestone by {}.", era.date),
        x_label: "reached by then (%)".into(),
        y_label: "milestone".into(),
        unit: Unit::Share,
        plot: Plot::Bars {
            rows: r.milestones.iter().map(|m| m.name.clone()).collect(),
            series,
            marks: Vec::new(),
            vertical: false,
        },
    }
}

fn rules_table(r: &RunReport) -> Table {
    let mut t = Table::new(&["rule", "fired", "what it does"], 1).left(2);
    for rule in &r.rules {
        t.push(vec![Cell::text(rule.id.clone()), Cell::Percent(rule.fired), Cell::text(rule.text.clone())]);
    }
    t
}

fn history_table(r: &RunReport) -> Table {
    let mut t = Table::new(&["milestone", "agency", "real date", "percentile", "10-90 % band"], 1);
    for h in &r.history {
        let band = match (h.replayed, h.in_band) {
            (true, _) => "replayed",
            (false, true) => "inside",
            (false, false) => "OUTSIDE",
        };
        let (name, agency, date) = (h.milestone_name.clone(), h.agency.clone(), h.date.clone());
        t.push(vec![
            Cell::Text(name),
            Cell::Text(agency),
            Cell::Text(date),
            Cell::Percent(h.percentile),
            Cell::text(band),
        ]);
    }
    t
}

/// The document of `starcity compare`.
pub fn compare(c: &CompareReport) -> Document {
    let (b, d) = (&c.baseline, &c.divergent);
    let title = format!(
        "{} vs {} — {} twin timelines, seed {}",
        b.scenario_name,
        d.divergences.join(" + "),
        thousands(b.timelines),
        b.seed
    );
    let intro = vec![format!("{}\n{}", c.conditioning.text, c.conditioning.meaning)];
    let did = c
        .paired
        .interventions
        .iter()
        .map(|i| format!("{} (applied in {} of {} timelines)", i.text, i.applied_in, b.timelines));
    let closing =
        format!("The divergence left {} of the timelines exactly as they were.", super::pct(c.paired.unchanged));
    let sections = vec![
        Section::new("What the divergence did", vec![Block::List(did.collect())]),
        Section::new(
            "Who gets there first: baseline → divergent, paired difference [95 % interval]",
            vec![
                Block::Chart(compare_firsts_chart(c)),
                Block::Chart(first_effects_chart(c)),
                Block::Table(compare_firsts_table(c)),
            ],
        ),
        compare_dates_section(c),
        Section::new(
            "People lost per timeline: baseline → divergent, paired difference [95 % interval]",
            vec![Block::Chart(crew_effects_chart(c)), Block::Table(compare_losses_table(c))],
        ),
        Section::new("", vec![Block::Para(closing)]),
    ];
    Document { title, intro, sections }
}

fn compare_firsts_table(c: &CompareReport) -> Table {
    let names = ["milestone", "agency", "baseline", "divergent", "difference", "95 % interval", "winner changed"];
    let mut t = Table::new(&names, 2);
    let (b, d) = (&c.baseline, &c.divergent);
    for (m, eff) in c.paired.milestones.iter().enumerate() {
        for (k, (id, e)) in eff.first.iter().enumerate() {
            let label = if k == 0 { Cell::text(eff.name.clone()) } else { Cell::Empty };
            let changed = if k == 0 { Cell::Percent(eff.changed_first) } else { Cell::Empty };
            let (pb, pd) = (*b.milestones[m].first.agencies.at(k), *d.milestones[m].first.agencies.at(k));
            let ci = Cell::Interval { lo: e.ci95[0], hi: e.ci95[1], decimals: None };
            t.push(vec![
                label,
                Cell::text(id),
                Cell::Percent(pb),
                Cell::Percent(pd),
                Cell::Points(e.diff),
                ci,
                changed,
            ]);
        }
    }
    t
}

/// Baseline and divergent bars side by side, per milestone.
fn compare_firsts_chart(c: &CompareReport) -> Chart {
    let (b, d) = (&c.baseline, &c.divergent);
    let (sb, sd) = (first_segments(b, Hue::Agency), first_segments(d, Hue::Agency));
    let with = format!("with {}", d.divergences.join(" + "));
    let rows = b.milestones.iter().flat_map(|_| ["baseline".to_string(), with.clone()]);
    let groups = b.milestones.iter().map(|m| m.name.clone()).collect();
    let segments = sd
        .into_iter()
        .zip(sb)
        .map(|(div, base)| {
            let values = base.values.iter().zip(&div.values).flat_map(|(x, y)| [*x, *y]).collect();
            Series { name: div.name, hue: div.hue, values }
        })
        .collect();
    Chart {
        id: "first-to".into(),
        title: "Who gets there first, baseline and divergent".into(),
        caption: "Per milestone, the share of timelines each agency was first, in the baseline world and with the divergence.".into(),
        x_label: "share of timelines (%)".into(),
        // The milestones head their groups of rows.
        y_label: String::new(),
        unit: Unit::Share,
        plot: Plot::Stacked { rows: rows.collect(), groups, segments },
    }
}

fn first_effects_chart(c: &CompareReport) -> Chart {
    let rows = c.paired.milestones.iter().flat_map(|m| agency_effects(&m.first));
    Chart {
        id: "first-effects".into(),
        title: "What the divergence changes: who is first".into(),
        caption: "Paired difference, divergent minus baseline, in the chance of being first, with its 95 % interval."
            .into(),
        x_label: "difference (percentage points)".into(),
        y_label: String::new(),
        unit: Unit::Points,
        plot: Plot::Effects {
            rows: rows.collect(),
            groups: c.paired.milestones.iter().map(|m| m.name.clone()).collect(),
            legend: agency_legend(&c.baseline),
        },
    }
}

/// One effects row per agency, in its colour.
fn agency_effects(effects: &super::Keyed<crate::counterfactual::Effect>) -> impl Iterator<Item = EffectRow> + '_ {
    effects.iter().enumerate().map(|(a, (id, e))| EffectRow {
        label: id.to_string(),
        hue: Hue::Agency(a),
        value: e.diff,
        lo: e.ci95[0],
        hi: e.ci95[1],
    })
}

/// Agencies and their colours.
fn agency_legend(r: &RunReport) -> Vec<(String, Hue)> {
    r.agencies.iter().enumerate().map(|(a, ag)| (ag.id.clone(), Hue::Agency(a))).collect()
}

fn compare_dates_section(c: &CompareReport) -> Section {
    let heading = "Median dates: baseline → divergent (median shift where both worlds get there)";
    let mut t = Table::new(&["milestone", "agency", "baseline", "divergent", "shift"], 2);
    let (b, d) = (&c.baseline, &c.divergent);
    let mut charts = Vec::new();
    for (m, eff) in c.paired.milestones.iter().enumerate() {
        for (a, (id, shift)) in eff.median_shift_days.iter().enumerate() {
            let (bd, dd) = (b.milestones[m].date.at(a), d.milestones[m].date.at(a));
            if bd.is_none() && dd.is_none() {
                continue;
            }
            let median = |x: Option<&super::run::DateBand>| Cell::text(x.map_or("never".into(), |x| x.p50.clone()));
            let shift = shift.as_ref().map_or(Cell::text("—"), |s| Cell::Days(s.days));
            t.push(vec![Cell::text(eff.name.clone()), Cell::text(id), median(bd.as_ref()), median(dd.as_ref()), shift]);
        }
        charts.push(Block::Chart(compare_curve_chart(c, m)));
    }
    charts.push(Block::Table(t));
    let note = "The shift is the median of each timeline's own change (divergent minus baseline, where both worlds get there), not the difference of the two medians.";
    charts.push(Block::Para(note.into()));
    Section::new(heading, charts)
}

/// One milestone's S-curves in both worlds: baseline lighter, divergent full colour.
fn compare_curve_chart(c: &CompareReport, m: usize) -> Chart {
    let (b, d) = (&c.baseline, &c.divergent);
    let mut series = Vec::new();
    for a in 0..b.agencies.len() {
        let id = &b.agencies[a].id;
        let base = b.milestones[m].cumulative.at(a).clone();
        series.push(Series { name: format!("{id} baseline"), hue: Hue::Baseline(a), values: base });
        let div = d.milestones[m].cumulative.at(a).clone();
        series.push(Series { name: format!("{id} divergent"), hue: Hue::Agency(a), values: div });
    }
    let marks = real_dates(b, &b.milestones[m].id);
    Chart {
        id: format!("curve-{}", b.milestones[m].id),
        title: b.milestones[m].name.clone(),
        caption: "Share of all timelines that had reached it by each date, baseline (light) and divergent (full colour); the dashed line is the real date.".into(),
        x_label: "year".into(),
        y_label: "reached by then (%)".into(),
        unit: Unit::Share,
        plot: Plot::Curves { dates: parse_dates(&b.curve_dates), series, marks },
    }
}

fn compare_losses_table(c: &CompareReport) -> Table {
    let mut t = Table::new(&["agency", "baseline", "divergent", "difference", "95 % interval"], 1);
    for (a, (id, e)) in c.paired.crew_lost.iter().enumerate() {
        let (b, d) = (c.baseline.crew_lost.at(a).mean, c.divergent.crew_lost.at(a).mean);
        let ci = Cell::Interval { lo: e.ci95[0], hi: e.ci95[1], decimals: Some(2) };
        t.push(vec![Cell::text(id), Cell::Number(b, 2), Cell::Number(d, 2), Cell::Signed(e.diff, 2), ci]);
    }
    t
}

fn crew_effects_chart(c: &CompareReport) -> Chart {
    let rows = agency_effects(&c.paired.crew_lost);
    Chart {
        id: "crew-effects".into(),
        title: "What the divergence changes: people lost".into(),
        caption: "Paired difference, divergent minus baseline, in people lost per timeline, with its 95 % interval."
            .into(),
        x_label: "difference (people per timeline)".into(),
        y_label: "agency".into(),
        unit: Unit::Count,
        plot: Plot::Effects { rows: rows.collect(), groups: Vec::new(), legend: agency_legend(&c.baseline) },
    }
}

/// The document of `starcity rank`: the tornado chart and the table behind it.
pub fn rank(r: &RankReport) -> Document {
    let title = format!("What matters most for {}", r.quantity);
    let what = format!(
        "{}: {} divergences, {} twin timelines each, seed {}.",
        r.scenario_name,
        r.rows.len(),
        thousands(r.timelines),
        r.seed
    );
    let how = if r.given_history {
        "Counterfactual effects given the whole record: each baseline replays what happened and each divergent twin meets the same recovered luck.".to_string()
    } else {
        "Interventional effects: each comparison replays the record up to its divergence's own date, then plays both worlds on shared noise.".to_string()
    };
    let probability = r.unit == "probability";
    let names = ["rank", "divergence", "from", "baseline", "divergent", "effect", "95 % interval", "unchanged"];
    let mut t = Table::new(&names, 3);
    for (i, row) in r.rows.iter().enumerate() {
        let level = |x: f64| if probability { Cell::Percent(x) } else { Cell::Number(x, 2) };
        let effect = if probability { Cell::Points(row.effect.diff) } else { Cell::Signed(row.effect.diff, 2) };
        let ci = Cell::Interval {
            lo: row.effect.ci95[0],
            hi: row.effect.ci95[1],
            decimals: if probability { None } else { Some(2) },
        };
        let date = Cell::text(row.date.clone().unwrap_or_else(|| "the start".into()));
        t.push(vec![
            Cell::text((i + 1).to_string()),
            Cell::text(row.name.clone()),
            date,
            level(row.baseline),
            level(row.divergent),
            effect,
            ci,
            Cell::Percent(row.unchanged),
        ]);
    }
    let rows = r.rows.iter().map(|row| EffectRow {
        label: row.name.clone(),
        hue: if row.effect.diff >= 0.0 { Hue::Up } else { Hue::Down },
        value: row.effect.diff,
        lo: row.effect.ci95[0],
        hi: row.effect.ci95[1],
    });
    let chart = Chart {
        id: "tornado".into(),
        title: format!("What matters most for {}", r.quantity),
        caption: "Each divergence's paired effect, divergent minus baseline, with its 95 % interval; largest first."
            .into(),
        x_label: if probability { "effect (percentage points)".into() } else { "effect (people per timeline)".into() },
        y_label: "divergence".into(),
        unit: if probability { Unit::Points } else { Unit::Count },
        plot: Plot::Effects {
            rows: rows.collect(),
            groups: Vec::new(),
            legend: vec![("raises it".into(), Hue::Agency(1)), ("lowers it".into(), Hue::Agency(0))],
        },
    };
    let intro = vec![what, how];
    Document { title, intro, sections: vec![Section::new("Ranking", vec![Block::Chart(chart), Block::Table(t)])] }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_000_000_000), "1,000,000,000");
    }
}
