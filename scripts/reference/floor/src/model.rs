//! The reference benchmark model (`../model_plain.py`, README "The model") as two straight loops.
//!
//! The two agencies never interact, so no event queue is needed: each agency's program is
//! simulated on its own, from day 0 to its landing or the horizon, and the landing days are
//! compared afterwards. Nothing is allocated per timeline.

use crate::rng::{Normal, Xoshiro256pp, threshold53};

/// 2000-01-01 .. 2020-01-01 in days: an event later than this never happens.
pub const HORIZON: f64 = 7305.0;
/// Whole landing days 0..=7305, for the histogram `compare.py` reads.
pub const DAYS: usize = HORIZON as usize + 1;
const N_STEPS: usize = 12;
const MAX_PHASES: usize = 9;
/// (median days, sigma) of the lognormal preparation before every flight.
const PREP: (f64, f64) = (150.0, 0.4);
/// (median days, sigma) of the lognormal stand-down after a failed flight.
const STAND_DOWN: (f64, f64) = (180.0, 0.5);
/// Phase j happens on day 3j after launch.
const PHASE_SPACING: f64 = 3.0;

/// One step's mission, precomputed: its duration and its phases' failure thresholds.
#[derive(Clone, Copy)]
struct Step {
    /// The last phase's day: a successful flight lands then (a failed one on its failed phase's day).
    duration: f64,
    phases: usize,
    /// [`threshold53`] of p(k, j), in phase order.
    fail: [u64; MAX_PHASES],
}

/// The 12 steps: n_k = 6 + (k mod 4) phases, p(k, j) = 0.10 − 0.01·((7k + 3j) mod 10).
pub struct Plan {
    steps: [Step; N_STEPS],
}

impl Plan {
    pub fn new() -> Self {
        let mut steps = [Step { duration: 0.0, phases: 0, fail: [0; MAX_PHASES] }; N_STEPS];
        for (i, step) in steps.iter_mut().enumerate() {
            let k = i + 1;
            step.phases = 6 + k % 4;
            step.duration = PHASE_SPACING * (step.phases - 1) as f64;
            for j in 0..step.phases {
                step.fail[j] = threshold53(failure(k, j));
            }
        }
        Self { steps }
    }
}

/// p(k, j): `(10 − c) / 100` is the double nearest to 0.10 − 0.01·c, as Python's
/// `round(0.10 - 0.01 * c, 2)` is.
fn failure(k: usize, j: usize) -> f64 {
    let c = (7 * k + 3 * j) % 10;
    (10 - c) as f64 / 100.0
}

/// The random numbers of one run: the generator and the normal method.
pub struct Draws<N> {
    pub rng: Xoshiro256pp,
    pub normal: N,
}

impl<N: Normal> Draws<N> {
    /// median · exp(σ·z): one normal and one `exp`.
    #[inline(always)]
    fn lognormal(&mut self, (median, sigma): (f64, f64)) -> f64 {
        median * (sigma * self.normal.sample(&mut self.rng)).exp()
    }

    /// The phases in order, each failing when u < p; the first failure ends the draws. `None`
    /// when the flight succeeds.
    #[inline(always)]
    fn failed_phase(&mut self, step: &Step) -> Option<usize> {
        step.fail[..step.phases].iter().position(|&p| self.rng.unit53() < p)
    }
}

/// One agency's program: its landing day, or infinity if it does not land by the horizon.
/// `events` counts launches and landings on or before the horizon, as model_plain.py does.
///
/// A flight that succeeds lands at launch + the last phase's day; a flight whose phase j fails
/// comes home on that phase's day, launch + 3j, as starcity's engine does (`engine.rs`, `launch`:
/// "a failed flight comes home (or is lost) at its failed phase"). The stand-down and the next
/// preparation count from that landing.
#[inline(always)]
fn program<N: Normal>(draws: &mut Draws<N>, plan: &Plan, events: &mut u64) -> f64 {
    let mut launch = draws.lognormal(PREP);
    let mut k = 0;
    loop {
        if launch > HORIZON {
            return f64::INFINITY;
        }
        *events += 1;
        let step = &plan.steps[k];
        let failed = draws.failed_phase(step);
        let land = launch + failed.map_or(step.duration, |j| PHASE_SPACING * j as f64);
        if land > HORIZON {
            return f64::INFINITY;
        }
        *events += 1;
        if failed.is_some() {
            launch = land + draws.lognormal(STAND_DOWN) + draws.lognormal(PREP);
        } else if k == N_STEPS - 1 {
            return land; // milestone `landing`: launch + the last phase's day
        } else {
            k += 1;
            launch = land + draws.lognormal(PREP);
        }
    }
}

/// What `compare.py` needs of a run: who is first, and every landing day to the whole day
/// (its quantiles and shares below a day use nothing finer).
pub struct Tally {
    pub n: u64,
    pub events: u64,
    /// A first, B first, nobody.
    pub first: [u64; 3],
    /// Per agency, landings by whole day since 2000-01-01.
    pub landing: [Vec<u64>; 2],
}

/// Runs n timelines: A's program, then B's, on one sequential stream.
pub fn run<N: Normal>(n: u64, mut draws: Draws<N>) -> Tally {
    let plan = Plan::new();
    let mut t = Tally { n, events: 0, first: [0; 3], landing: [vec![0; DAYS], vec![0; DAYS]] };
    for _ in 0..n {
        let a = program(&mut draws, &plan, &mut t.events);
        let b = program(&mut draws, &plan, &mut t.events);
        t.add(a, b);
    }
    t
}

impl Tally {
    /// Ties go to A, as in starcity and the Python models.
    #[inline(always)]
    fn add(&mut self, a: f64, b: f64) {
        let who = if a == f64::INFINITY && b == f64::INFINITY {
            2
        } else if a <= b {
            0
        } else {
            1
        };
        self.first[who] += 1;
        for (hist, day) in self.landing.iter_mut().zip([a, b]) {
            if day.is_finite() {
                hist[day as usize] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_match_the_python_table() {
        // model_plain.STEPS[0] (k = 1): 7 phases, classes 7, 0, 3, 6, 9, 2, 5.
        let p: Vec<f64> = (0..7).map(|j| failure(1, j)).collect();
        assert_eq!(p, [0.03, 0.1, 0.07, 0.04, 0.01, 0.08, 0.05]);
        let plan = Plan::new();
        assert_eq!(plan.steps[0].duration, 18.0);
        assert_eq!(plan.steps[2].phases, 9); // k = 3
        assert_eq!(plan.steps[3].phases, 6); // k = 4
    }

    #[test]
    fn threshold_is_u_below_p() {
        let t = threshold53(0.5);
        assert_eq!(t, 1 << 52);
        // m = 2^52 - 1 gives u just below 0.5: fails; m = 2^52 gives u = 0.5: does not.
        assert!((1u64 << 52) - 1 < t && (1u64 << 52) >= t);
    }
}
