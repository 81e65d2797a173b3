//! The typed result of `starcity compare`: both worlds' run reports and the paired effects.

use serde::Serialize;

use super::keyed::{Keyed, MaybeAbsent};
use super::run::RunReport;
use crate::counterfactual::{Effect, Paired, interventions};
use crate::scenario::Scenario;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MilestoneEffect {
    pub id: String,
    pub name: String,
    /// Per agency: divergent − baseline probability of being first, paired, with a 95 % interval.
    pub first: Keyed<Effect>,
    /// Share of timelines in which the divergence changed who got there first (or whether anyone did).
    pub changed_first: f64,
    /// Per agency: median shift in days among timelines where both worlds reached it (absent for
    /// an agency with no such timeline).
    pub median_shift_days: Keyed<Option<ShiftReport>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ShiftReport {
    pub days: i64,
    /// Timelines in which both worlds reached the milestone.
    pub pairs: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InterventionReport {
    pub text: String,
    /// Timelines in which the intervention actually applied (its event happened, its rule fired…).
    pub applied_in: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairedReport {
    pub milestones: Vec<MilestoneEffect>,
    /// Per agency: divergent − baseline people lost per timeline, with a 95 % interval.
    pub crew_lost: Keyed<Effect>,
    /// Share of timelines whose outcome the divergence did not change at all.
    pub unchanged: f64,
    pub interventions: Vec<InterventionReport>,
}

impl MaybeAbsent for Effect {}
impl MaybeAbsent for ShiftReport {}

/// The result of `starcity compare`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompareReport {
    pub baseline: RunReport,
    pub divergent: RunReport,
    pub paired: PairedReport,
    /// Whether the paired effects are interventional or counterfactual, from which date, on
    /// what record (the divergent world's conditioning).
    pub conditioning: crate::replay::Described,
}

impl CompareReport {
    pub fn new(base: &Scenario, div: &Scenario, p: &Paired, seed: u64) -> Self {
        let agencies = || base.agencies.iter().enumerate();
        let milestones = base.milestones.iter().enumerate().map(|(m, ms)| MilestoneEffect {
            id: ms.id.clone(),
            name: ms.name.clone(),
            first: agencies().map(|(a, ag)| (ag.id.clone(), p.first_effect(m, a))).collect(),
            changed_first: p.changed_first[m] as f64 / p.n.max(1) as f64,
            median_shift_days: agencies()
                .map(|(a, ag)| (ag.id.clone(), p.median_shift(m, a).map(|(days, pairs)| ShiftReport { days, pairs })))
                .collect(),
        });
        CompareReport {
            baseline: RunReport::new(base, &p.base, seed, base.divergences.clone()),
            divergent: RunReport::new(div, &p.div, seed, div.divergences.clone()),
            paired: PairedReport {
                milestones: milestones.collect(),
                crew_lost: agencies().map(|(a, ag)| (ag.id.clone(), p.crew_effect(a))).collect(),
                unchanged: p.identical as f64 / p.n.max(1) as f64,
                interventions: interventions(base, div, &p.base, &p.div),
            },
            conditioning: crate::replay::describe(div),
        }
    }
}
