//! Twin worlds: every timeline run twice, baseline and divergent, on the same keyed noise, and the
//! *paired* effect of the divergence measured from the pairs.
//!
//! Because every random decision is keyed by its identity (see `noise`), the two worlds of a pair
//! share every draw they have in common, so a difference between them is the divergence's doing,
//! not noise. Paired estimates are therefore far tighter than comparing two independent ensembles,
//! and some quantities exist only for pairs: the share of timelines in which the divergence changed
//! who got somewhere first.
//!
//! **Invariants:** as for ensembles, every aggregate is an integer, merged exactly and in any
//! order; memory does not grow with the number of pairs.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::engine::{Quiet, run_timeline, run_with_tape};
use crate::ensemble::{BLOCK, MergeError, RunError, Summary, add_counts};
use crate::report::InterventionReport;
use crate::scenario::{InterventionKind, Scenario};
use crate::world::{NEVER, World};

/// Paired summaries of twin ensembles.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Paired {
    pub base: Summary,
    pub div: Summary,
    pub n: u64,
    n_agencies: usize,
    n_days: usize,
    /// `[milestone][agency][2 * div_first + base_first]`.
    #[serde(with = "crate::shard::sparse")]
    pub first_pairs: Vec<u64>,
    /// `[milestone]`: timelines in which who got there first (or nobody) changed.
    #[serde(with = "crate::shard::sparse")]
    pub changed_first: Vec<u64>,
    /// `[milestone][agency][shift + n_days]`: divergent minus baseline day, where both reached it.
    #[serde(with = "crate::shard::sparse")]
    pub shift_hist: Vec<u32>,
    /// `[agency]`: sum of (divergent − baseline) people lost, and of its square.
    #[serde(with = "crate::shard::sparse")]
    pub crew_diff_sum: Vec<i64>,
    #[serde(with = "crate::shard::sparse")]
    pub crew_diff_sq: Vec<u64>,
    /// Timelines whose whole outcome (milestone dates, losses, program fates) is the same in
    /// both worlds.
    pub identical: u64,
}

impl Paired {
    pub fn new(base: &Scenario, div: &Scenario) -> Self {
        let s = Summary::new(base);
        let (na, nm, nd) = (base.agencies.len(), base.milestones.len(), s.n_days());
        Paired {
            base: s,
            div: Summary::new(div),
            n: 0,
            n_agencies: na,
            n_days: nd,
            first_pairs: vec![0; nm * na * 4],
            changed_first: vec![0; nm],
            shift_hist: vec![0; nm * na * (2 * nd + 1)],
            crew_diff_sum: vec![0; na],
            crew_diff_sq: vec![0; na],
            identical: 0,
        }
    }

    /// Adds one pair of finished timelines.
    pub fn add(&mut self, base: &Scenario, div: &Scenario, w0: &World, w1: &World) {
        self.base.add(base, w0);
        self.div.add(div, w1);
        if w0.overrun.is_some() || w1.overrun.is_some() {
            return; // recorded in the summaries; the run is an error (see `run_pairs`)
        }
        self.n += 1;
        let (na, nd) = (self.n_agencies, self.n_days);
        for m in 0..self.changed_first.len() {
            let (f0, f1) = (w0.first(m), w1.first(m));
            self.changed_first[m] += (f0 != f1) as u64;
            for a in 0..na {
                let cell = 2 * (f1 == Some(a)) as usize + (f0 == Some(a)) as usize;
                self.first_pairs[(m * na + a) * 4 + cell] += 1;
                let (d0, d1) = (w0.reached(m, a), w1.reached(m, a));
                if d0 < NEVER && d1 < NEVER {
                    let shift = (d1.floor() - d0.floor()) as i64 + nd as i64;
                    let shift = shift.clamp(0, 2 * nd as i64) as usize;
                    self.shift_hist[(m * na + a) * (2 * nd + 1) + shift] += 1;
                }
            }
        }
        for a in 0..na {
            let d = w1.crew_lost[a] as i64 - w0.crew_lost[a] as i64;
            self.crew_diff_sum[a] += d;
            self.crew_diff_sq[a] += (d * d) as u64;
        }
        self.identical += same_outcome(w0, w1) as u64;
    }

    /// The dimensions of both summaries and of the paired counters.
    pub fn shape(&self) -> Vec<usize> {
        let own = [
            self.n_agencies,
            self.n_days,
            self.first_pairs.len(),
            self.changed_first.len(),
            self.shift_hist.len(),
            self.crew_diff_sum.len(),
            self.crew_diff_sq.len(),
        ];
        own.into_iter().chain(self.base.shape()).chain(self.div.shape()).collect()
    }

    /// Adds paired summaries from outside (a shard file), refusing another shape or counts
    /// that overflow.
    pub fn try_merge(mut self, o: &Paired) -> Result<Paired, MergeError> {
        if self.shape() != o.shape() {
            return Err(MergeError::Shape { ours: self.shape(), theirs: o.shape() });
        }
        self.base = self.base.try_merge(&o.base)?;
        self.div = self.div.try_merge(&o.div)?;
        self.add_counts_of(o)?;
        Ok(self)
    }

    pub fn merge(mut self, o: &Paired) -> Paired {
        assert_eq!(self.shape(), o.shape(), "paired summaries of different scenarios merged");
        self.base = self.base.merge(&o.base);
        self.div = self.div.merge(&o.div);
        // Counts of at most `limits::TIMELINES` timelines fit every counter.
        self.add_counts_of(o).expect("paired summaries of this process overflowed");
        self
    }

    /// The pairs' own counters of `o` added to ours (the two summaries are added by the caller).
    fn add_counts_of(&mut self, o: &Paired) -> Result<(), MergeError> {
        let overflow = |x: Option<u64>| x.ok_or(MergeError::Overflow);
        (self.n, self.identical) =
            (overflow(self.n.checked_add(o.n))?, overflow(self.identical.checked_add(o.identical))?);
        add_counts(&mut self.shift_hist, &o.shift_hist)?;
        for (a, b) in [
            (&mut self.first_pairs, &o.first_pairs),
            (&mut self.changed_first, &o.changed_first),
            (&mut self.crew_diff_sq, &o.crew_diff_sq),
        ] {
            add_counts(a, b)?;
        }
        add_counts(&mut self.crew_diff_sum, &o.crew_diff_sum)
    }

    /// Paired difference (divergent − baseline) in P(agency first), with its 95 % interval.
    pub fn first_effect(&self, milestone: usize, agency: usize) -> Effect {
        let c = &self.first_pairs[(milestone * self.n_agencies + agency) * 4..][..4];
        let n = self.n.max(1) as f64;
        let (p_base_only, p_div_only) = (c[1] as f64 / n, c[2] as f64 / n);
        let diff = p_div_only - p_base_only;
        let var = (p_base_only + p_div_only - diff * diff).max(0.0);
        Effect::new(diff, (var / n).sqrt())
    }

    /// Median shift in days of the date the agency reached the milestone, among the pairs where
    /// both worlds reached it, and how many such pairs there were.
    pub fn median_shift(&self, milestone: usize, agency: usize) -> Option<(i64, u64)> {
        let w = 2 * self.n_days + 1;
        let row = &self.shift_hist[(milestone * self.n_agencies + agency) * w..][..w];
        let total: u64 = row.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return None;
        }
        let mut acc = 0u64;
        for (i, &c) in row.iter().enumerate() {
            acc += u64::from(c);
            if 2 * acc >= total {
                return Some((i as i64 - self.n_days as i64, total));
            }
        }
        None
    }

    /// Paired difference in people lost per timeline, with its 95 % interval.
    pub fn crew_effect(&self, agency: usize) -> Effect {
        let n = self.n.max(1) as f64;
        let mean = self.crew_diff_sum[agency] as f64 / n;
        let var = (self.crew_diff_sq[agency] as f64 / n - mean * mean).max(0.0);
        Effect::new(mean, (var / n).sqrt())
    }
}

/// Whether two worlds ended the same way, everything a report can see.
fn same_outcome(a: &World, b: &World) -> bool {
    a.reached == b.reached
        && a.crew_lost == b.crew_lost
        && a.fatal == b.fatal
        && a.programs.len() == b.programs.len()
        && a.programs.iter().zip(&b.programs).all(|(x, y)| x.status == y.status && x.ended == y.ended)
}

/// A paired effect: the mean difference and a normal 95 % interval.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Effect {
    pub diff: f64,
    pub ci95: [f64; 2],
}

impl Effect {
    fn new(diff: f64, se: f64) -> Self {
        Effect { diff, ci95: [diff - 1.96 * se, diff + 1.96 * se] }
    }
}

/// Runs every timeline of `0..n` in both worlds.
pub fn run_pairs(base: &Scenario, div: &Scenario, seed: u64, n: u64, progress: &AtomicU64) -> Result<Paired, RunError> {
    RunError::check_timelines(n)?;
    pairs_result(base, div, run_pairs_range(base, div, seed, 0..n, progress))
}

/// Runs the timelines `range` in both worlds: a shard. Paired summaries of disjoint shards merge
/// into exactly the paired summary of their union. A timeline stopped by a budget is recorded in
/// the summaries' `overrun` (use [`pairs_result`] to turn it into the error).
pub fn run_pairs_range(
    base: &Scenario,
    div: &Scenario,
    seed: u64,
    range: std::ops::Range<u64>,
    progress: &AtomicU64,
) -> Paired {
    let n_blocks = range.end.saturating_sub(range.start).div_ceil(BLOCK);
    crate::parallel::fold_blocks(
        n_blocks,
        || (Paired::new(base, div), World::default(), World::default()),
        |(mut acc, mut w0, mut w1), b| {
            let lo = range.start + b * BLOCK;
            let hi = (lo + BLOCK).min(range.end);
            for i in lo..hi {
                run_timeline(base, seed, i, &mut w0, &mut Quiet);
                // A counterfactual twin meets the baseline's abducted noise (`replay::Mode::Twin`).
                run_with_tape(div, seed, i, &mut w1, &mut Quiet, Some(&w0.tape));
                acc.add(base, div, &w0, &w1);
                if w0.overrun.is_some() || w1.overrun.is_some() {
                    break;
                }
            }
            progress.fetch_add(hi - lo, Ordering::Relaxed);
            (acc, w0, w1)
        },
        |(acc, _, _)| acc.base.overrun.is_some() || acc.div.overrun.is_some(),
        |(acc, _, _)| acc,
        |a, b| a.merge(&b),
    )
}

/// The paired summaries, or the error of the earliest timeline a budget stopped.
pub fn pairs_result(base: &Scenario, div: &Scenario, paired: Paired) -> Result<Paired, RunError> {
    // The earliest timeline that overran in either world: the same on any thread count (see
    // `parallel::fold_blocks`); on a tie, the baseline's.
    match (paired.base.overrun, paired.div.overrun) {
        (Some(b), d) if d.is_none_or(|d| b.timeline <= d.timeline) => Err(RunError::event_budget(base, b)),
        (_, Some(d)) => Err(RunError::event_budget(div, d)),
        _ => Ok(paired),
    }
}

/// Whether [`interventions`] needs a baseline summary: a removed rule is counted where the
/// baseline's rule fired, which the divergent ensemble alone cannot tell.
pub fn needs_baseline(div: &Scenario) -> bool {
    div.interventions.iter().any(|i| matches!(i.kind, InterventionKind::Removed(_)))
}

/// How many timelines each intervention of `div` applied in.
pub fn interventions(
    base: &Scenario,
    div: &Scenario,
    base_summary: &Summary,
    div_summary: &Summary,
) -> Vec<InterventionReport> {
    div.interventions
        .iter()
        .map(|i| {
            let applied_in = match &i.kind {
                InterventionKind::Forced(k) => div_summary.forced_hits.get(*k).copied().unwrap_or(0),
                InterventionKind::Undone => 0,
                InterventionKind::Rule(r) => div_summary.rule_fired.get(*r).copied().unwrap_or(0),
                // Counted in the baseline, where the rule still exists: `base_summary` must be the
                // baseline's (a divergent summary has other rule indices).
                InterventionKind::Removed(id) => base
                    .rules
                    .iter()
                    .position(|r| &r.id == id)
                    .and_then(|r| base_summary.rule_fired.get(r).copied())
                    .unwrap_or(0),
                InterventionKind::Program(p) => {
                    div_summary.n
                        - div_summary.fates.get(*p * crate::world::Fate::COUNT).copied().unwrap_or(div_summary.n)
                }
            };
            InterventionReport { text: i.text.clone(), applied_in }
        })
        .collect()
}
