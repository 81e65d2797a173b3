//! Reports: the serialisable result of a run (`--json`) and its rendering as tables.
//!
//! The JSON shape is a public interface, documented in the README; the text tables are rendered
//! from the same struct, so the two never disagree.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::ensemble::Summary;
use crate::scenario::Scenario;
use crate::world::Fate;

/// Date quantiles of one agency reaching one milestone, among the timelines where it did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DateBand {
    pub p10: String,
    pub p50: String,
    pub p90: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MilestoneReport {
    pub id: String,
    pub name: String,
    /// Probability each agency was first, and `none`: sums to 1.
    pub first: BTreeMap<String, f64>,
    /// Probability each agency reached it at all by the end.
    pub reached: BTreeMap<String, f64>,
    /// Date quantiles per agency; absent for an agency that never reached it.
    pub date: BTreeMap<String, DateBand>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CrewLoss {
    /// Mean people lost per timeline.
    pub mean: f64,
    /// Probability of losing at least one person.
    pub p_any: f64,
    /// Mean missions that lost their crew per timeline.
    pub fatal_missions: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProgramReport {
    pub id: String,
    pub name: String,
    pub agency: String,
    /// Share of timelines ending in each fate: not_started, active, completed, cancelled.
    pub fate: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgencyEra {
    /// Mean funding level (1 = the agency's reference level).
    pub budget: f64,
    pub crew_lost_mean: f64,
    /// Probability of having reached each milestone by the era's date.
    pub milestones: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EraReport {
    pub date: String,
    pub name: String,
    pub agencies: BTreeMap<String, AgencyEra>,
    /// Per program, the share of timelines in each fate at the era's date.
    pub programs: BTreeMap<String, BTreeMap<String, f64>>,
}

/// How often a rule fired: how often one event propagated into politics.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleReport {
    pub id: String,
    pub text: String,
    /// Share of timelines in which the rule fired.
    pub fired: f64,
}

/// Where a real date falls in the model's distribution.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistoryCheck {
    pub milestone: String,
    pub agency: String,
    /// The real date.
    pub date: String,
    pub source: String,
    /// Share of the timelines reaching the milestone that reached it by the real date.
    pub percentile: f64,
    /// Whether the real date lies inside the model's 10-90 % band.
    pub in_band: bool,
    /// The date lies inside a replay of the record: every timeline has it as history, so it
    /// tests nothing (added with the replay).
    pub replayed: bool,
}

/// The result of `starcity run`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunReport {
    pub scenario: String,
    pub scenario_name: String,
    pub divergences: Vec<String>,
    pub seed: u64,
    pub timelines: u64,
    pub start: String,
    pub end: String,
    pub milestones: Vec<MilestoneReport>,
    pub crew_lost: BTreeMap<String, CrewLoss>,
    pub programs: Vec<ProgramReport>,
    pub eras: Vec<EraReport>,
    /// The scenario's rules (and a divergence's), with how often each fired.
    pub rules: Vec<RuleReport>,
    /// The scenario's real dated events, and where each falls in the model's dates.
    pub history: Vec<HistoryCheck>,
    /// `run -d`: what each intervention of the divergences did (absent without divergences;
    /// `compare` gives them under `paired`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<crate::counterfactual::InterventionReport>,
    /// How the timelines were conditioned on the real record (free, replayed to a date, or given
    /// all of it).
    pub conditioning: crate::replay::Described,
}

impl RunReport {
    pub fn new(sc: &Scenario, s: &Summary, seed: u64, divergences: Vec<String>) -> Self {
        let n = s.n.max(1) as f64;
        let agency_ids: Vec<&str> = sc.agencies.iter().map(|a| a.id.as_str()).collect();
        let na = agency_ids.len();
        let milestones = sc
            .milestones
            .iter()
            .enumerate()
            .map(|(m, ms)| {
                let mut first: BTreeMap<String, f64> =
                    agency_ids.iter().enumerate().map(|(a, id)| (id.to_string(), s.p_first(m, a))).collect();
                first.insert("none".into(), s.p_first(m, na));
                let reached =
                    agency_ids.iter().enumerate().map(|(a, id)| (id.to_string(), s.p_reached(m, a))).collect();
                let date = agency_ids
                    .iter()
                    .enumerate()
                    .filter_map(|(a, id)| {
                        // A milestone reached before the start is reached then in every timeline.
                        let past = sc.past_reached(m, a);
                        let day = |p| past.or(s.date_quantile(m, a, p).map(|d| d as f64));
                        let q = |p| day(p).map(|d| sc.date_of(d).to_string());
                        Some((id.to_string(), DateBand { p10: q(0.1)?, p50: q(0.5)?, p90: q(0.9)? }))
                    })
                    .collect();
                MilestoneReport { id: ms.id.clone(), name: ms.name.clone(), first, reached, date }
            })
            .collect();
        let crew_lost = agency_ids
            .iter()
            .enumerate()
            .map(|(a, id)| {
                let loss = CrewLoss {
                    mean: s.crew_lost_sum[a] as f64 / n,
                    p_any: s.crew_lost_any[a] as f64 / n,
                    fatal_missions: s.fatal_sum[a] as f64 / n,
                };
                (id.to_string(), loss)
            })
            .collect();
        let fates = |share: &dyn Fn(Fate) -> f64| Fate::ALL.iter().map(|f| (f.name().to_string(), share(*f))).collect();
        let programs = sc
            .programs
            .iter()
            .enumerate()
            .map(|(p, prog)| ProgramReport {
                id: prog.id.clone(),
                name: prog.name.clone(),
                agency: agency_ids[prog.agency].to_string(),
                fate: fates(&|f| s.fate_share(p, f)),
            })
            .collect();
        let eras = sc
            .eras
            .iter()
            .enumerate()
            .map(|(e, era)| EraReport {
                date: era.date.to_string(),
                name: era.name.clone(),
                agencies: agency_ids
                    .iter()
                    .enumerate()
                    .map(|(a, id)| {
                        let milestones = sc
                            .milestones
                            .iter()
                            .enumerate()
                            .map(|(m, ms)| (ms.id.clone(), s.era_p_reached(e, a, m)))
                            .collect();
                        let ae = AgencyEra {
                            budget: s.era_budget_mean(e, a),
                            crew_lost_mean: s.era_crew_lost_mean(e, a),
                            milestones,
                        };
                        (id.to_string(), ae)
                    })
                    .collect(),
                programs: sc
                    .programs
                    .iter()
                    .enumerate()
                    .map(|(p, prog)| (prog.id.clone(), fates(&|f| s.era_fate_share(e, p, f))))
                    .collect(),
            })
            .collect();
        let history = sc
            .history
            .iter()
            .map(|h| {
                let percentile = s.date_cdf(h.milestone, h.agency, h.day.max(0.0) as usize);
                HistoryCheck {
                    milestone: sc.milestones[h.milestone].id.clone(),
                    agency: agency_ids[h.agency].to_string(),
                    date: h.date.to_string(),
                    source: h.source.clone(),
                    percentile,
                    in_band: (0.1..=0.9).contains(&percentile) && s.p_reached(h.milestone, h.agency) > 0.0,
                    replayed: sc.conditioning.as_deref().is_some_and(|c| h.day < c.until),
                }
            })
            .collect();
        let rules = sc
            .rules
            .iter()
            .zip(&s.rule_fired)
            .map(|(r, &fired)| RuleReport { id: r.id.clone(), text: r.text.clone(), fired: fired as f64 / n })
            .collect();
        RunReport {
            scenario: sc.id.clone(),
            scenario_name: sc.name.clone(),
            divergences,
            seed,
            timelines: s.n,
            start: sc.start.to_string(),
            end: sc.end.to_string(),
            milestones,
            crew_lost,
            programs,
            eras,
            rules,
            history,
            interventions: Vec::new(),
            conditioning: crate::replay::describe(sc),
        }
    }

    /// The report as readable tables.
    pub fn to_text(&self, sc: &Scenario) -> String {
        let mut out = String::new();
        let agencies: Vec<&str> = sc.agencies.iter().map(|a| a.id.as_str()).collect();
        let div =
            if self.divergences.is_empty() { String::new() } else { format!(" with {}", self.divergences.join(" + ")) };
        let _ = writeln!(
            out,
            "{}{} — {} timelines, seed {}, {} to {}\n",
            self.scenario_name, div, self.timelines, self.seed, self.start, self.end
        );
        let _ = writeln!(out, "{}\n", self.conditioning.text);

        let _ = writeln!(out, "Who gets there first");
        let mut rows = vec![header(&["milestone"], &agencies, &["nobody"])];
        for m in &self.milestones {
            let mut row = vec![m.name.clone()];
            row.extend(agencies.iter().map(|a| pct(m.first[*a])));
            row.push(pct(m.first["none"]));
            rows.push(row);
        }
        out.push_str(&table(&rows));

        let _ = writeln!(out, "\nWhen (10 % / 50 % / 90 % of the timelines that get there), and how often they do");
        let mut rows = vec![vec![
            "milestone".to_string(),
            "agency".into(),
            "p10".into(),
            "median".into(),
            "p90".into(),
            "reached".into(),
        ]];
        for m in &self.milestones {
            for a in &agencies {
                if let Some(d) = m.date.get(*a) {
                    rows.push(vec![
                        m.name.clone(),
                        a.to_string(),
                        d.p10.clone(),
                        d.p50.clone(),
                        d.p90.clone(),
                        pct(m.reached[*a]),
                    ]);
                }
            }
        }
        out.push_str(&table(&rows));

        let _ = writeln!(out, "\nCrews lost");
        let mut rows = vec![vec![
            "agency".to_string(),
            "people lost (mean)".into(),
            "fatal missions (mean)".into(),
            "P(any loss)".into(),
        ]];
        for a in &agencies {
            let c = &self.crew_lost[*a];
            rows.push(vec![a.to_string(), format!("{:.2}", c.mean), format!("{:.2}", c.fatal_missions), pct(c.p_any)]);
        }
        out.push_str(&table(&rows));

        let _ = writeln!(out, "\nHow the programs ended (by {})", self.end);
        let mut rows = vec![vec![
            "program".to_string(),
            "agency".into(),
            "completed".into(),
            "cancelled".into(),
            "retired".into(),
            "still active".into(),
            "never started".into(),
        ]];
        for p in &self.programs {
            rows.push(vec![
                p.name.clone(),
                p.agency.clone(),
                pct(p.fate["completed"]),
                pct(p.fate["cancelled"]),
                pct(p.fate["retired"]),
                pct(p.fate["active"]),
                pct(p.fate["not_started"]),
            ]);
        }
        out.push_str(&table(&rows));

        for era in &self.eras {
            let _ = writeln!(out, "\n{} ({})", era.name, era.date);
            for a in &agencies {
                let ae = &era.agencies[*a];
                let mut reached: Vec<String> = sc
                    .milestones
                    .iter()
                    .filter(|m| ae.milestones[&m.id] >= 0.005)
                    .map(|m| format!("{} {}", m.name.to_lowercase(), pct(ae.milestones[&m.id])))
                    .collect();
                if reached.is_empty() {
                    reached.push("no milestone yet".into());
                }
                let _ = writeln!(
                    out,
                    "  {a}: funding {:.2}, {:.1} lost on average; {}",
                    ae.budget,
                    ae.crew_lost_mean,
                    reached.join(", ")
                );
            }
            let active: Vec<String> = sc
                .programs
                .iter()
                .filter(|p| era.programs[&p.id]["active"] >= 0.05)
                .map(|p| format!("{} {}", p.name, pct(era.programs[&p.id]["active"])))
                .collect();
            if !active.is_empty() {
                let _ = writeln!(out, "  under way: {}", active.join(", "));
            }
        }
        if !self.rules.is_empty() {
            let _ = writeln!(out, "\nHow often each rule fired");
            let mut rows = vec![vec!["rule".to_string(), "fired".into(), "what it does".into()]];
            for r in &self.rules {
                rows.push(vec![r.id.clone(), pct(r.fired), r.text.clone()]);
            }
            out.push_str(&table_aligned(&rows, &[0, 2]));
        }
        if !self.history.is_empty() {
            let _ = writeln!(out, "\nHistory check: where the real dates fall among the model's");
            let mut rows = vec![vec![
                "milestone".to_string(),
                "agency".into(),
                "real date".into(),
                "percentile".into(),
                "10-90 % band".into(),
            ]];
            for h in &self.history {
                let name = sc.milestone_index(&h.milestone).map(|m| sc.milestones[m].name.clone()).unwrap_or_default();
                rows.push(vec![
                    name,
                    h.agency.clone(),
                    h.date.clone(),
                    pct(h.percentile),
                    match (h.replayed, h.in_band) {
                        (true, _) => "replayed".into(),
                        (false, true) => "inside".into(),
                        (false, false) => "OUTSIDE".into(),
                    },
                ]);
            }
            out.push_str(&table(&rows));
        }
        out.push('\n');
        out
    }
}

/// "five years", "1 year", "8 months": the time jump between two eras, spelled out.
pub fn years_between(a: chrono::NaiveDate, b: chrono::NaiveDate) -> String {
    let days = (b - a).num_days();
    let years = (days as f64 / 365.25).round() as i64;
    if years >= 1 {
        let words =
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
        let n = words.get(years as usize).map(|s| s.to_string()).unwrap_or(years.to_string());
        format!("{n} year{}", if years == 1 { "" } else { "s" })
    } else {
        let months = (days as f64 / 30.44).round().max(1.0) as i64;
        format!("{months} month{}", if months == 1 { "" } else { "s" })
    }
}

fn header(first: &[&str], agencies: &[&str], last: &[&str]) -> Vec<String> {
    first.iter().chain(agencies).chain(last).map(|s| s.to_string()).collect()
}

/// A percentage with one decimal: "43.1 %"; "<0.1 %" for tiny non-zero values.
pub fn pct(p: f64) -> String {
    if p > 0.0 && p < 0.0005 { "<0.1 %".to_string() } else { format!("{:.1} %", p * 100.0) }
}

/// Left-aligned first column, right-aligned others, two spaces between columns.
pub fn table(rows: &[Vec<String>]) -> String {
    table_aligned(rows, &[0])
}

/// Like [`table`], with the columns in `left` left-aligned (text) and the others right-aligned.
pub fn table_aligned(rows: &[Vec<String>], left: &[usize]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else if left.contains(&c) {
                line.push_str("  ");
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str("  ");
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1)));
            out.push('\n');
        }
    }
    out
}
