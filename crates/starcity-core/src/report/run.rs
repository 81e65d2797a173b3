//! The typed result of `starcity run`: what every renderer (text, Markdown, JSON, HTML, CSV)
//! reads. Built once from an ensemble [`Summary`]; holds every name a renderer prints, so no
//! renderer needs the scenario.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::keyed::{Keyed, MaybeAbsent};
use crate::ensemble::{LOSS_BINS, Summary};
use crate::scenario::Scenario;
use crate::scenario::real::RealOutcome;
use crate::world::Fate;

/// An agency's id and name, in the scenario's order (the order of every [`Keyed`] by agency).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgencyInfo {
    pub id: String,
    pub name: String,
}

/// Date quantiles of one agency reaching one milestone, among the timelines where it did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DateBand {
    pub p10: String,
    pub p50: String,
    pub p90: String,
}

/// Who was first: a share per agency, and the share of timelines where nobody got there.
/// Serialises as one object with the key `none` for nobody (the documented JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Firsts {
    pub agencies: Keyed<f64>,
    pub nobody: f64,
}

impl Serialize for Firsts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.agencies.len() + 1))?;
        for (id, p) in self.agencies.iter() {
            map.serialize_entry(id, p)?;
        }
        map.serialize_entry("none", &self.nobody)?;
        map.end()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MilestoneReport {
    pub id: String,
    pub name: String,
    /// Probability each agency was first, and `none`: sums to 1.
    pub first: Firsts,
    /// Probability each agency reached it at all by the end.
    pub reached: Keyed<f64>,
    /// Date quantiles per agency; absent for an agency that never reached it.
    pub date: Keyed<Option<DateBand>>,
    /// Per agency, the share of *all* timelines that had reached it by each date of
    /// [`RunReport::curve_dates`]: the S-curve, which levels off at `reached`.
    pub cumulative: Keyed<Vec<f64>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CrewLoss {
    /// Mean people lost per timeline.
    pub mean: f64,
    /// Probability of losing at least one person.
    pub p_any: f64,
    /// Mean missions that lost their crew per timeline.
    pub fatal_missions: f64,
    /// Share of timelines that lost exactly k people, k = 0, 1, …; the last entry is "that many or
    /// more".
    pub distribution: Vec<f64>,
    /// People lost on the real flights of the scenario's `[record]` (to `record_until`), if it
    /// has one: what really happened, to set beside the distribution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
}

/// The share of timelines in each fate of a program.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct FateShares {
    pub not_started: f64,
    pub active: f64,
    pub completed: f64,
    pub cancelled: f64,
    pub retired: f64,
}

impl FateShares {
    fn new(share: impl Fn(Fate) -> f64) -> Self {
        FateShares {
            not_started: share(Fate::NotStarted),
            active: share(Fate::Active),
            completed: share(Fate::Done),
            cancelled: share(Fate::Cancelled),
            retired: share(Fate::Retired),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProgramReport {
    pub id: String,
    pub name: String,
    pub agency: String,
    /// Share of timelines ending in each fate.
    pub fate: FateShares,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgencyEra {
    /// Mean funding level (1 = the agency's reference level).
    pub budget: f64,
    pub crew_lost_mean: f64,
    /// Probability of having reached each milestone by the era's date (keyed by milestone id).
    pub milestones: Keyed<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EraReport {
    pub date: String,
    pub name: String,
    pub agencies: Keyed<AgencyEra>,
    /// Per program (keyed by program id), the share of timelines in each fate at the era's date.
    pub programs: Keyed<FateShares>,
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
    /// The milestone's name, for readers.
    pub milestone_name: String,
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

impl MaybeAbsent for DateBand {}
impl MaybeAbsent for CrewLoss {}
impl MaybeAbsent for FateShares {}
impl MaybeAbsent for AgencyEra {}

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
    /// The scenario's agencies, in the order of every per-agency object.
    pub agencies: Vec<AgencyInfo>,
    /// The dates of the S-curves (`milestones[].cumulative`): the first of each month from the
    /// start, and the end.
    pub curve_dates: Vec<String>,
    pub milestones: Vec<MilestoneReport>,
    pub crew_lost: Keyed<CrewLoss>,
    /// The last day of the scenario's real record (`crew_lost.*.record` counts to it), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_until: Option<String>,
    pub programs: Vec<ProgramReport>,
    pub eras: Vec<EraReport>,
    /// The scenario's rules (and a divergence's), with how often each fired.
    pub rules: Vec<RuleReport>,
    /// The scenario's real dated events, and where each falls in the model's dates.
    pub history: Vec<HistoryCheck>,
    /// `run -d`: what each intervention of the divergences did (absent without divergences;
    /// `compare` gives them under `paired`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<super::compare::InterventionReport>,
    /// How the timelines were conditioned on the real record (free, replayed to a date, or given
    /// all of it).
    pub conditioning: crate::replay::Described,
}

impl RunReport {
    pub fn new(sc: &Scenario, s: &Summary, seed: u64, divergences: Vec<String>) -> Self {
        let curve_days = curve_days(sc);
        RunReport {
            scenario: sc.id.clone(),
            scenario_name: sc.name.clone(),
            divergences,
            seed,
            timelines: s.n,
            start: sc.start.to_string(),
            end: sc.end.to_string(),
            agencies: sc.agencies.iter().map(|a| AgencyInfo { id: a.id.clone(), name: a.name.clone() }).collect(),
            curve_dates: curve_days.iter().map(|&d| sc.date_of(d as f64).to_string()).collect(),
            milestones: (0..sc.milestones.len()).map(|m| milestone(sc, s, m, &curve_days)).collect(),
            crew_lost: per_agency(sc, |a| crew_loss(s, a, record_losses(sc, a))),
            record_until: sc.record.until_date.map(|d| (d - chrono::Days::new(1)).to_string()),
            programs: programs(sc, s),
            eras: (0..sc.eras.len()).map(|e| era(sc, s, e)).collect(),
            rules: rules(sc, s),
            history: history(sc, s),
            interventions: Vec::new(),
            conditioning: crate::replay::describe(sc),
        }
    }

    /// The agencies' ids, in order.
    pub fn agency_ids(&self) -> impl Iterator<Item = &str> {
        self.agencies.iter().map(|a| a.id.as_str())
    }
}

/// A value per agency of the scenario, keyed by its id.
fn per_agency<T>(sc: &Scenario, f: impl Fn(usize) -> T) -> Keyed<T> {
    sc.agencies.iter().enumerate().map(|(a, ag)| (ag.id.clone(), f(a))).collect()
}

/// Days from the start of the first of each month, then the last day: monthly S-curve points.
fn curve_days(sc: &Scenario) -> Vec<usize> {
    let last = sc.horizon.max(0.0) as usize;
    let mut days = vec![0];
    let mut month = NaiveDate::from_ymd_opt(sc.start.year(), sc.start.month(), 1).unwrap_or(sc.start);
    while let Some(next) = month.checked_add_months(chrono::Months::new(1)) {
        let day = (next - sc.start).num_days().max(0) as usize;
        if day >= last {
            break;
        }
        days.push(day);
        month = next;
    }
    if last > 0 {
        days.push(last);
    }
    days
}

fn milestone(sc: &Scenario, s: &Summary, m: usize, curve_days: &[usize]) -> MilestoneReport {
    let na = sc.agencies.len();
    let date = per_agency(sc, |a| {
        // A milestone reached before the start is reached then in every timeline.
        let past = sc.past_reached(m, a);
        let day = |p| past.or(s.date_quantile(m, a, p).map(|d| d as f64));
        let q = |p| day(p).map(|d| sc.date_of(d).to_string());
        Some(DateBand { p10: q(0.1)?, p50: q(0.5)?, p90: q(0.9)? })
    });
    let cumulative = per_agency(sc, |a| {
        let reached = s.p_reached(m, a);
        s.date_cdf_at(m, a, curve_days).into_iter().map(|p| reached * p).collect()
    });
    MilestoneReport {
        id: sc.milestones[m].id.clone(),
        name: sc.milestones[m].name.clone(),
        first: Firsts { agencies: per_agency(sc, |a| s.p_first(m, a)), nobody: s.p_first(m, na) },
        reached: per_agency(sc, |a| s.p_reached(m, a)),
        date,
        cumulative,
    }
}

/// People of `agency` lost on the record's real flights (the crews its manifests name), if the
/// scenario has a record.
fn record_losses(sc: &Scenario, agency: usize) -> Option<u64> {
    sc.record.until_date?;
    let lost = sc.record.flights.iter().filter(|f| matches!(f.outcome, RealOutcome::Lost { .. }));
    let crews = lost
        .filter(|f| sc.programs[f.program].agency == agency)
        .map(|f| sc.programs[f.program].flights.get(f.index as usize).map_or(0, |named| named.crew.len() as u64));
    Some(crews.sum())
}

fn crew_loss(s: &Summary, a: usize, record: Option<u64>) -> CrewLoss {
    let n = s.n.max(1) as f64;
    CrewLoss {
        mean: s.crew_lost_sum[a] as f64 / n,
        p_any: s.crew_lost_any[a] as f64 / n,
        fatal_missions: s.fatal_sum[a] as f64 / n,
        distribution: (0..LOSS_BINS).map(|k| s.loss_hist[a * LOSS_BINS + k] as f64 / n).collect(),
        record,
    }
}

fn programs(sc: &Scenario, s: &Summary) -> Vec<ProgramReport> {
    let programs = sc.programs.iter().enumerate();
    programs
        .map(|(p, prog)| ProgramReport {
            id: prog.id.clone(),
            name: prog.name.clone(),
            agency: sc.agencies[prog.agency].id.clone(),
            fate: FateShares::new(|f| s.fate_share(p, f)),
        })
        .collect()
}

fn era(sc: &Scenario, s: &Summary, e: usize) -> EraReport {
    let milestones = |a| sc.milestones.iter().enumerate().map(move |(m, ms)| (ms.id.clone(), s.era_p_reached(e, a, m)));
    let agencies = per_agency(sc, |a| AgencyEra {
        budget: s.era_budget_mean(e, a),
        crew_lost_mean: s.era_crew_lost_mean(e, a),
        milestones: milestones(a).collect(),
    });
    let programs = sc.programs.iter().enumerate();
    EraReport {
        date: sc.eras[e].date.to_string(),
        name: sc.eras[e].name.clone(),
        agencies,
        programs: programs.map(|(p, prog)| (prog.id.clone(), FateShares::new(|f| s.era_fate_share(e, p, f)))).collect(),
    }
}

fn rules(sc: &Scenario, s: &Summary) -> Vec<RuleReport> {
    let n = s.n.max(1) as f64;
    let fired = sc.rules.iter().zip(&s.rule_fired);
    fired.map(|(r, &k)| RuleReport { id: r.id.clone(), text: r.text.clone(), fired: k as f64 / n }).collect()
}

fn history(sc: &Scenario, s: &Summary) -> Vec<HistoryCheck> {
    let check = |h: &crate::scenario::HistoryPoint| {
        let percentile = s.date_cdf(h.milestone, h.agency, h.day.max(0.0) as usize);
        HistoryCheck {
            milestone: sc.milestones[h.milestone].id.clone(),
            milestone_name: sc.milestones[h.milestone].name.clone(),
            agency: sc.agencies[h.agency].id.clone(),
            date: h.date.to_string(),
            source: h.source.clone(),
            percentile,
            in_band: (0.1..=0.9).contains(&percentile) && s.p_reached(h.milestone, h.agency) > 0.0,
            replayed: sc.conditioning.as_deref().is_some_and(|c| h.day < c.until),
        }
    };
    sc.history.iter().map(check).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_days_are_monthly_and_end_at_the_horizon() {
        let sc = crate::builtin::scenario("space-race").unwrap();
        let days = curve_days(&sc);
        assert_eq!(days[0], 0);
        assert_eq!(*days.last().unwrap(), sc.horizon as usize);
        assert!(days.windows(2).all(|w| w[0] < w[1] && w[1] - w[0] <= 31));
        assert_eq!(sc.date_of(days[1] as f64).day(), 1, "the second point is the first of a month");
    }
}
