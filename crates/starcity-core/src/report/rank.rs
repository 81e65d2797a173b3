//! The typed result of `starcity rank`: divergences ordered by their paired effect on one
//! quantity. "What mattered most?" in one table and one tornado chart.

use serde::Serialize;

use crate::counterfactual::{Effect, Paired};
use crate::replay::Described;
use crate::scenario::Scenario;

/// What a ranking measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// The probability that `agency` is first to `milestone`.
    First { milestone: usize, agency: usize },
    /// People `agency` loses per timeline.
    Lost { agency: usize },
}

impl Quantity {
    /// In words: "P(Soviet Union first: Crewed lunar landing)".
    pub fn describe(self, sc: &Scenario) -> String {
        match self {
            Quantity::First { milestone, agency } => {
                format!("P({} first: {})", sc.agencies[agency].id, sc.milestones[milestone].name)
            }
            Quantity::Lost { agency } => format!("people lost by {} per timeline", sc.agencies[agency].id),
        }
    }

    /// A stable id for scripts: `first:crewed_lunar_landing:USSR`, `lost:USSR`.
    pub fn id(self, sc: &Scenario) -> String {
        match self {
            Quantity::First { milestone, agency } => {
                format!("first:{}:{}", sc.milestones[milestone].id, sc.agencies[agency].id)
            }
            Quantity::Lost { agency } => format!("lost:{}", sc.agencies[agency].id),
        }
    }

    /// Whether values are probabilities (else counts of people).
    pub fn is_probability(self) -> bool {
        matches!(self, Quantity::First { .. })
    }

    /// The paired effect, and the quantity in each world.
    fn measure(self, p: &Paired) -> (Effect, f64, f64) {
        match self {
            Quantity::First { milestone, agency } => {
                (p.first_effect(milestone, agency), p.base.p_first(milestone, agency), p.div.p_first(milestone, agency))
            }
            Quantity::Lost { agency } => {
                let n = p.n.max(1) as f64;
                let mean = |s: &crate::ensemble::Summary| s.crew_lost_sum[agency] as f64 / n;
                (p.crew_effect(agency), mean(&p.base), mean(&p.div))
            }
        }
    }
}

/// One divergence's effect.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankRow {
    /// The divergence's id.
    pub divergence: String,
    pub name: String,
    /// Its point of divergence, if it has one.
    pub date: Option<String>,
    pub baseline: f64,
    pub divergent: f64,
    /// Divergent − baseline, paired, with its 95 % interval.
    pub effect: Effect,
    /// Share of timelines the divergence left exactly as they were.
    pub unchanged: f64,
    /// How this comparison was conditioned on the record.
    pub conditioning: Described,
}

impl RankRow {
    pub fn new(name: &str, base: &Scenario, div: &Scenario, p: &Paired, q: Quantity) -> Self {
        let (effect, baseline, divergent) = q.measure(p);
        RankRow {
            divergence: div.divergences.join(" + "),
            name: name.to_string(),
            date: div.diverges.map(|d| d.to_string()),
            baseline,
            divergent,
            effect,
            unchanged: p.identical as f64 / p.n.max(1) as f64,
            conditioning: crate::replay::describe(if div.conditioning.is_some() { div } else { base }),
        }
    }
}

/// The result of `starcity rank`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankReport {
    pub scenario: String,
    pub scenario_name: String,
    pub seed: u64,
    pub timelines: u64,
    /// The quantity in words, and its id.
    pub quantity: String,
    pub quantity_id: String,
    /// `probability` or `people`.
    pub unit: &'static str,
    /// Counterfactuals given the whole record (`--given-history`), else each divergence's
    /// interventional effect with the record replayed to its own date.
    pub given_history: bool,
    /// Largest effect first (by size, whatever its sign); ties by id.
    pub rows: Vec<RankRow>,
}

impl RankReport {
    pub fn new(
        sc: &Scenario,
        q: Quantity,
        seed: u64,
        timelines: u64,
        given_history: bool,
        mut rows: Vec<RankRow>,
    ) -> Self {
        rows.sort_by(|a, b| {
            b.effect.diff.abs().total_cmp(&a.effect.diff.abs()).then_with(|| a.divergence.cmp(&b.divergence))
        });
        RankReport {
            scenario: sc.id.clone(),
            scenario_name: sc.name.clone(),
            seed,
            timelines,
            quantity: q.describe(sc),
            quantity_id: q.id(sc),
            unit: if q.is_probability() { "probability" } else { "people" },
            given_history,
            rows,
        }
    }
}
