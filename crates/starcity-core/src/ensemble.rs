//! Ensembles: many timelines in parallel, folded into mergeable summaries.
//!
//! **Invariants.** Every aggregate is an integer count or an integer sum, so merging is exact and
//! order-free: the result is bit-identical for any thread count and any split of the timelines.
//! Memory does not grow with the number of timelines: a summary holds fixed-size counters (dates
//! in one-day bins over the scenario's span), and each worker reuses one `World`.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::{Quiet, run_timeline};
use crate::limits;
use crate::scenario::Scenario;
use chrono::NaiveDate;

use crate::world::{Budget, Fate, NEVER, Overrun, World};

/// Timelines per unit of parallel work: large enough that per-block overhead vanishes, small
/// enough that two threads balance well even at 10,000 timelines.
pub(crate) const BLOCK: u64 = 256;

/// Funding levels are summed in millionths so that sums stay integers (exact, order-free).
const MICRO: f64 = 1e6;

/// Bins of the people-lost distribution per agency: 0 to 14 lost, and 15 or more (the worst
/// real decade lost four cosmonauts; 15 is five crews of three).
pub const LOSS_BINS: usize = 16;

/// What an ensemble run is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct RunConfig {
    pub seed: u64,
    pub timelines: u64,
}

/// The mergeable summary of a set of timelines. Serialised in shard files (counters sparse).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub n: u64,
    n_agencies: usize,
    n_milestones: usize,
    n_programs: usize,
    n_days: usize,
    /// `[milestone][agency + 1]`: who was first; the last column is "nobody".
    #[serde(with = "crate::shard::sparse")]
    pub first: Vec<u64>,
    /// `[milestone][agency][day]`: the day each agency reached each milestone.
    #[serde(with = "crate::shard::sparse")]
    pub date_hist: Vec<u32>,
    /// `[milestone][agency]`: timelines in which the agency reached the milestone.
    #[serde(with = "crate::shard::sparse")]
    pub reached: Vec<u64>,
    /// `[agency]`: people lost, summed over timelines.
    #[serde(with = "crate::shard::sparse")]
    pub crew_lost_sum: Vec<u64>,
    /// `[agency]`: timelines with at least one loss.
    #[serde(with = "crate::shard::sparse")]
    pub crew_lost_any: Vec<u64>,
    /// `[agency]`: fatal missions, summed.
    #[serde(with = "crate::shard::sparse")]
    pub fatal_sum: Vec<u64>,
    /// `[agency][k]`: timelines that lost exactly k people (the last bin: `LOSS_BINS - 1` or more).
    #[serde(with = "crate::shard::sparse")]
    pub loss_hist: Vec<u64>,
    /// `[program][fate]`.
    #[serde(with = "crate::shard::sparse")]
    pub fates: Vec<u64>,
    /// `[era][agency][milestone]`: reached by the era's date.
    #[serde(with = "crate::shard::sparse")]
    pub era_reached: Vec<u64>,
    /// `[era][agency]`: people lost by the era's date, summed.
    #[serde(with = "crate::shard::sparse")]
    pub era_crew_lost: Vec<u64>,
    /// `[era][agency]`: funding level at the era's date, summed in millionths. u128: a level can
    /// reach 100 × `limits::MAX_SCALE`, i.e. 10¹⁴ millionths, over up to 10⁹ timelines.
    #[serde(with = "crate::shard::sparse")]
    pub era_budget: Vec<u128>,
    /// `[era][program][fate]`.
    #[serde(with = "crate::shard::sparse")]
    pub era_fates: Vec<u64>,
    /// `[rule]`: timelines in which the rule fired.
    #[serde(with = "crate::shard::sparse")]
    pub rule_fired: Vec<u64>,
    /// `[forced event]`: timelines in which a divergence's forced event happened.
    #[serde(with = "crate::shard::sparse")]
    pub forced_hits: Vec<u64>,
    /// The first timeline (by index) stopped by the event budget, if any: the run is then an error.
    #[serde(skip)]
    pub overrun: Option<Overrun>,
}

/// Why a summary (or paired summary) from outside, a shard file, cannot be added to ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Different shapes: of different scenarios.
    #[error("summaries of different shapes ({ours:?} against {theirs:?}): not of the same scenario")]
    Shape { ours: Vec<usize>, theirs: Vec<usize> },
    /// A sum that does not fit its counter. Real counts are bounded by the timelines (at most a
    /// billion); only a forged file holds counts this large.
    #[error("its counts overflow when added: they are not counts of timelines")]
    Overflow,
}

/// A counter of a summary, added with overflow refused.
pub(crate) trait Count: Copy {
    fn plus(self, other: Self) -> Option<Self>;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            #[inline]
            fn plus(self, other: Self) -> Option<Self> {
                self.checked_add(other)
            }
        }
    )*};
}
count!(u32, u64, u128, i64);

/// Adds `b` into `a`, element by element; refuses a sum that overflows (`a` is then partly
/// added: the caller drops it).
pub(crate) fn add_counts<T: Count>(a: &mut [T], b: &[T]) -> Result<(), MergeError> {
    for (x, y) in a.iter_mut().zip(b) {
        *x = x.plus(*y).ok_or(MergeError::Overflow)?;
    }
    Ok(())
}

/// A run that could not finish: a limit was reached while timelines ran.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum RunError {
    /// A timeline processed more than `limits::EVENTS` events: most likely a program that loops
    /// without time passing (preparation, stand-down and phase days all zero, and a flight that
    /// cannot succeed); otherwise a scenario with far more flights than any real one.
    #[error(
        "timeline {timeline} stopped on {date} after {budget} events, at program `{program}`, step {step} \
         ({mission}): a loop that makes no progress in time, or far more flights than a scenario should have"
    )]
    #[diagnostic(help(
        "a step whose preparation, stand-down and phase days are all zero and whose flight cannot succeed \
         loops forever: give it a duration above zero or a flight that can succeed (limit `events`, see \
         docs/limits.md)"
    ))]
    EventBudget { timeline: u64, date: NaiveDate, budget: u64, program: String, step: usize, mission: String },
    /// A timeline did more than `limits::WORK` units of work evaluating conditions.
    #[error(
        "timeline {timeline} stopped on {date} after evaluating {budget} condition terms, at program `{program}`, \
         step {step} ({mission}): the scenario's conditions are too many or too long"
    )]
    #[diagnostic(help("use fewer or shorter rule conditions (limit `work`, see docs/limits.md)"))]
    WorkBudget { timeline: u64, date: NaiveDate, budget: u64, program: String, step: usize, mission: String },
    /// More timelines than `limits::TIMELINES`: the summaries' day counts are 32-bit.
    #[error("{requested} timelines asked; {}", limits::TIMELINES.describe())]
    TooManyTimelines { requested: u64 },
    /// A chronicle would have more than `limits::CHRONICLE_ENTRIES` entries.
    #[error("timeline {timeline} would make a chronicle of more than {limit} entries")]
    #[diagnostic(help(
        "a chronicle is for reading; this timeline has far more flights than a reader could follow \
         (limit `chronicle-entries`, see docs/limits.md)"
    ))]
    ChronicleTooLong { timeline: u64, limit: u64 },
    /// A timeline could not replay the record (found before any ensemble runs, in
    /// `replay::replaying`; this is the guard behind it).
    #[error("timeline {timeline} could not replay the record on {date}: {message}")]
    #[diagnostic(help("the record and the model disagree; run `starcity check` on the scenario"))]
    Record { timeline: u64, date: NaiveDate, message: String },
}

impl RunError {
    /// The error for a timeline stopped by a budget, with names and the date from the scenario.
    pub fn event_budget(sc: &Scenario, o: Overrun) -> RunError {
        let prog = &sc.programs[o.program];
        let mission = prog
            .steps
            .get(o.step)
            .map(|s| s.name.clone().unwrap_or_else(|| sc.missions[s.mission].id.clone()))
            .unwrap_or_else(|| "after its last step".into());
        let (timeline, date, program, step) = (o.timeline, sc.date_of(o.day as f64), prog.id.clone(), o.step + 1);
        match o.budget {
            Budget::Events => {
                RunError::EventBudget { timeline, date, budget: limits::EVENTS.value, program, step, mission }
            }
            Budget::Work => RunError::WorkBudget { timeline, date, budget: limits::WORK.value, program, step, mission },
            Budget::Record(m) => RunError::Record { timeline, date, message: crate::replay::explain(sc, m) },
        }
    }

    /// `Err` past `limits::TIMELINES`.
    pub fn check_timelines(n: u64) -> Result<(), RunError> {
        if n > limits::TIMELINES.value { Err(RunError::TooManyTimelines { requested: n }) } else { Ok(()) }
    }

    /// `Err` if `world` was stopped by a budget.
    pub fn check(sc: &Scenario, world: &World) -> Result<(), RunError> {
        world.overrun.map_or(Ok(()), |o| Err(RunError::event_budget(sc, o)))
    }
}

impl Summary {
    pub fn new(sc: &Scenario) -> Self {
        let (na, nm, np, ne) = (sc.agencies.len(), sc.milestones.len(), sc.programs.len(), sc.eras.len());
        let n_days = sc.horizon as usize + 1;
        Summary {
            n: 0,
            n_agencies: na,
            n_milestones: nm,
            n_programs: np,
            n_days,
            first: vec![0; nm * (na + 1)],
            date_hist: vec![0; nm * na * n_days],
            reached: vec![0; nm * na],
            crew_lost_sum: vec![0; na],
            crew_lost_any: vec![0; na],
            fatal_sum: vec![0; na],
            loss_hist: vec![0; na * LOSS_BINS],
            fates: vec![0; np * Fate::COUNT],
            era_reached: vec![0; ne * na * nm],
            era_crew_lost: vec![0; ne * na],
            era_budget: vec![0; ne * na],
            era_fates: vec![0; ne * np * Fate::COUNT],
            rule_fired: vec![0; sc.rules.len()],
            forced_hits: vec![0; sc.forced.len()],
            overrun: None,
        }
    }

    /// Adds one finished timeline.
    pub fn add(&mut self, sc: &Scenario, w: &World) {
        let (na, nm, np) = (self.n_agencies, self.n_milestones, self.n_programs);
        if w.overrun.is_some() {
            // The timeline stopped half-way (no era snapshots): record the error, count nothing.
            self.overrun = Overrun::earliest(self.overrun, w.overrun);
            return;
        }
        self.n += 1;
        for m in 0..nm {
            let who = w.first(m).unwrap_or(na);
            self.first[m * (na + 1) + who] += 1;
            for a in 0..na {
                let d = w.reached(m, a);
                if d < NEVER {
                    self.reached[m * na + a] += 1;
                    let day = (d.max(0.0) as usize).min(self.n_days - 1);
                    self.date_hist[(m * na + a) * self.n_days + day] += 1;
                }
            }
        }
        for a in 0..na {
            self.crew_lost_sum[a] += w.crew_lost[a] as u64;
            self.crew_lost_any[a] += (w.crew_lost[a] > 0) as u64;
            self.fatal_sum[a] += w.fatal[a] as u64;
            self.loss_hist[a * LOSS_BINS + (w.crew_lost[a] as usize).min(LOSS_BINS - 1)] += 1;
        }
        for (p, ps) in w.programs.iter().enumerate() {
            self.fates[p * Fate::COUNT + ps.status.fate() as usize] += 1;
        }
        for (count, &fired) in self.rule_fired.iter_mut().zip(&w.fired) {
            *count += fired as u64;
        }
        for (count, &hit) in self.forced_hits.iter_mut().zip(&w.forced_hits) {
            *count += hit as u64;
        }
        for (e, era) in sc.eras.iter().enumerate() {
            let snap = &w.eras[e];
            for a in 0..na {
                for m in 0..nm {
                    self.era_reached[(e * na + a) * nm + m] += (w.reached(m, a) <= era.day) as u64;
                }
                self.era_crew_lost[e * na + a] += snap.crew_lost[a] as u64;
                self.era_budget[e * na + a] += (snap.budget[a] * MICRO).round() as u128;
            }
            for p in 0..np {
                self.era_fates[(e * np + p) * Fate::COUNT + snap.fates[p] as usize] += 1;
            }
        }
    }

    /// Every dimension and counter length: summaries merge only when these agree.
    pub fn shape(&self) -> Vec<usize> {
        let dims = [self.n_agencies, self.n_milestones, self.n_programs, self.n_days, self.era_budget.len()];
        let lens = [
            &self.first,
            &self.reached,
            &self.crew_lost_sum,
            &self.crew_lost_any,
            &self.fatal_sum,
            &self.loss_hist,
            &self.fates,
            &self.era_reached,
            &self.era_crew_lost,
            &self.era_fates,
            &self.rule_fired,
            &self.forced_hits,
        ]
        .map(|v| v.len());
        dims.into_iter().chain([self.date_hist.len()]).chain(lens).collect()
    }

    /// Adds a summary from outside (a shard file), refusing one of another shape (zipping
    /// counters of another scenario would silently give wrong numbers) or whose counts overflow.
    pub fn try_merge(mut self, other: &Summary) -> Result<Summary, MergeError> {
        if self.shape() != other.shape() {
            return Err(MergeError::Shape { ours: self.shape(), theirs: other.shape() });
        }
        self.add_counts_of(other)?;
        Ok(self)
    }

    /// Adds another summary of the same scenario. Exact and commutative. Summaries of different
    /// shapes are a bug here (callers with untrusted summaries use [`Summary::try_merge`]).
    pub fn merge(mut self, other: &Summary) -> Summary {
        assert_eq!(self.shape(), other.shape(), "summaries of different scenarios merged");
        // Counts of at most `limits::TIMELINES` timelines fit every counter.
        self.add_counts_of(other).expect("summaries of this process overflowed");
        self
    }

    /// Every counter of `other` added to ours (shapes already checked).
    fn add_counts_of(&mut self, other: &Summary) -> Result<(), MergeError> {
        self.n = self.n.plus(other.n).ok_or(MergeError::Overflow)?;
        // Day bins count timelines, at most `limits::TIMELINES` < 2^32 in all: u32 halves a
        // summary's largest array.
        add_counts(&mut self.date_hist, &other.date_hist)?;
        self.overrun = Overrun::earliest(self.overrun, other.overrun);
        add_counts(&mut self.era_budget, &other.era_budget)?;
        let pairs: [(&mut Vec<u64>, &Vec<u64>); 12] = [
            (&mut self.loss_hist, &other.loss_hist),
            (&mut self.rule_fired, &other.rule_fired),
            (&mut self.forced_hits, &other.forced_hits),
            (&mut self.first, &other.first),
            (&mut self.reached, &other.reached),
            (&mut self.crew_lost_sum, &other.crew_lost_sum),
            (&mut self.crew_lost_any, &other.crew_lost_any),
            (&mut self.fatal_sum, &other.fatal_sum),
            (&mut self.fates, &other.fates),
            (&mut self.era_reached, &other.era_reached),
            (&mut self.era_crew_lost, &other.era_crew_lost),
            (&mut self.era_fates, &other.era_fates),
        ];
        pairs.into_iter().try_for_each(|(a, b)| add_counts(a, b))
    }

    pub fn n_agencies(&self) -> usize {
        self.n_agencies
    }

    pub fn n_days(&self) -> usize {
        self.n_days
    }

    /// Probability that `agency` (or nobody, with `agency == n_agencies`) was first to `milestone`.
    pub fn p_first(&self, milestone: usize, agency: usize) -> f64 {
        self.first[milestone * (self.n_agencies + 1) + agency] as f64 / self.n.max(1) as f64
    }

    pub fn p_reached(&self, milestone: usize, agency: usize) -> f64 {
        self.reached[milestone * self.n_agencies + agency] as f64 / self.n.max(1) as f64
    }

    /// The day (from the start) below which a fraction `q` of the timelines that reached the
    /// milestone reached it; `None` if none did.
    pub fn date_quantile(&self, milestone: usize, agency: usize, q: f64) -> Option<usize> {
        let row = &self.date_hist[(milestone * self.n_agencies + agency) * self.n_days..][..self.n_days];
        let total: u64 = row.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return None;
        }
        // The smallest day d with at least ceil(q * total) timelines on or before it.
        let target = ((q * total as f64).ceil() as u64).max(1);
        let mut acc = 0u64;
        for (d, &c) in row.iter().enumerate() {
            acc += u64::from(c);
            if acc >= target {
                return Some(d);
            }
        }
        Some(self.n_days - 1)
    }

    /// The fraction of the timelines that reached a milestone by `day` (the empirical CDF).
    pub fn date_cdf(&self, milestone: usize, agency: usize, day: usize) -> f64 {
        let row = &self.date_hist[(milestone * self.n_agencies + agency) * self.n_days..][..self.n_days];
        let total: u64 = row.iter().map(|&c| u64::from(c)).sum();
        let upto: u64 = row[..=day.min(self.n_days - 1)].iter().map(|&c| u64::from(c)).sum();
        upto as f64 / total.max(1) as f64
    }

    /// [`Summary::date_cdf`] at each of `days` (ascending), in one pass over the row: a report's
    /// S-curves ask for hundreds of points per row.
    pub fn date_cdf_at(&self, milestone: usize, agency: usize, days: &[usize]) -> Vec<f64> {
        let row = &self.date_hist[(milestone * self.n_agencies + agency) * self.n_days..][..self.n_days];
        let total: u64 = row.iter().map(|&c| u64::from(c)).sum();
        let (mut acc, mut next) = (0u64, 0usize);
        days.iter()
            .map(|&day| {
                let upto = day.min(self.n_days - 1);
                while next <= upto {
                    acc += u64::from(row[next]);
                    next += 1;
                }
                acc as f64 / total.max(1) as f64
            })
            .collect()
    }

    pub fn fate_share(&self, program: usize, fate: Fate) -> f64 {
        self.fates[program * Fate::COUNT + fate as usize] as f64 / self.n.max(1) as f64
    }

    pub fn era_p_reached(&self, era: usize, agency: usize, milestone: usize) -> f64 {
        self.era_reached[(era * self.n_agencies + agency) * self.n_milestones + milestone] as f64 / self.n.max(1) as f64
    }

    pub fn era_crew_lost_mean(&self, era: usize, agency: usize) -> f64 {
        self.era_crew_lost[era * self.n_agencies + agency] as f64 / self.n.max(1) as f64
    }

    pub fn era_budget_mean(&self, era: usize, agency: usize) -> f64 {
        self.era_budget[era * self.n_agencies + agency] as f64 / MICRO / self.n.max(1) as f64
    }

    pub fn era_fate_share(&self, era: usize, program: usize, fate: Fate) -> f64 {
        self.era_fates[(era * self.n_programs + program) * Fate::COUNT + fate as usize] as f64 / self.n.max(1) as f64
    }
}

/// Runs an ensemble on the current rayon pool. `progress` is bumped once per finished block.
pub fn run(sc: &Scenario, cfg: RunConfig, progress: &AtomicU64) -> Result<Summary, RunError> {
    RunError::check_timelines(cfg.timelines)?;
    let s = run_range(sc, cfg.seed, 0..cfg.timelines, progress);
    s.overrun.map_or(Ok(s), |o| Err(RunError::event_budget(sc, o)))
}

/// Runs timelines `range` of the ensemble seeded `seed`: a shard. Summaries of disjoint shards
/// merge into exactly the summary of their union. A timeline stopped by the event budget is
/// recorded in `overrun` (check it, or use [`run`], which does). The range, and the union of
/// merged ranges, must hold at most `limits::TIMELINES` timelines (day counts are 32-bit).
pub fn run_range(sc: &Scenario, seed: u64, range: std::ops::Range<u64>, progress: &AtomicU64) -> Summary {
    let n_blocks = (range.end.saturating_sub(range.start)).div_ceil(BLOCK);
    crate::parallel::fold_blocks(
        n_blocks,
        || (Summary::new(sc), World::default()),
        |(mut summary, mut world), b| {
            let lo = range.start + b * BLOCK;
            let hi = (lo + BLOCK).min(range.end);
            for i in lo..hi {
                run_timeline(sc, seed, i, &mut world, &mut Quiet);
                summary.add(sc, &world);
                if world.overrun.is_some() {
                    break; // the run is an error now: the rest of the block cannot change which
                }
            }
            progress.fetch_add(hi - lo, Ordering::Relaxed);
            (summary, world)
        },
        |(s, _)| s.overrun.is_some(),
        |(s, _)| s,
        |a, b| a.merge(&b),
    )
}

/// Runs a single timeline and returns its final world (for tests and chronicles).
pub fn one(sc: &Scenario, seed: u64, timeline: u64) -> World {
    let mut w = World::default();
    run_timeline(sc, seed, timeline, &mut w, &mut Quiet);
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cdf_at_many_days_is_the_cdf_at_each() {
        let sc = crate::builtin::scenario("tiny-race").unwrap();
        let s = run(&sc, RunConfig { seed: 3, timelines: 500 }, &AtomicU64::new(0)).unwrap();
        let days: Vec<usize> = (0..s.n_days() + 40).step_by(17).collect();
        let each: Vec<f64> = days.iter().map(|&d| s.date_cdf(0, 1, d)).collect();
        assert_eq!(s.date_cdf_at(0, 1, &days), each);
    }

    #[test]
    fn a_merge_whose_counts_overflow_is_refused_and_a_fitting_one_is_exact() {
        let sc = crate::builtin::scenario("tiny-race").unwrap();
        let s = run(&sc, RunConfig { seed: 3, timelines: 200 }, &AtomicU64::new(0)).unwrap();
        let doubled = s.clone().try_merge(&s).unwrap();
        assert_eq!(doubled.n, 400);
        assert_eq!(doubled.first, s.first.iter().map(|x| 2 * x).collect::<Vec<_>>());
        for forge in [|f: &mut Summary| f.first[0] = u64::MAX, |f: &mut Summary| f.date_hist[0] = u32::MAX] {
            let mut forged = s.clone();
            forge(&mut forged);
            let (mut a, b) = (forged.clone(), forged);
            a.n = 1; // the counters overflow, not `n`
            assert_eq!(a.try_merge(&b).unwrap_err(), MergeError::Overflow);
        }
    }
}
