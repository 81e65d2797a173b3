//! The reference benchmark model (`../model_plain.py`, README "The model") as two straight loops.
//!
//! The two agencies never interact, so no event queue is needed: each agency's program is
//! simulated on its own, from day 0 to its landing or the horizon, and the landing days are
//! compared afterwards. Nothing is allocated per timeline.

use starcity_core::dist::LogNormal;
use starcity_core::noise::{Kind, Noise, Stream};

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
pub struct Step {
    /// The last phase's day: a successful flight lands then (a failed one on its failed phase's day).
    duration: f64,
    phases: usize,
    /// [`threshold53`] of p(k, j), in phase order.
    fail: [u64; MAX_PHASES],
    /// p(k, j) itself, for a keyed uniform in (0, 1).
    p: [f64; MAX_PHASES],
}

/// The 12 steps: n_k = 6 + (k mod 4) phases, p(k, j) = 0.10 − 0.01·((7k + 3j) mod 10).
pub struct Plan {
    steps: [Step; N_STEPS],
}

impl Plan {
    pub fn new() -> Self {
        let mut steps = [Step { duration: 0.0, phases: 0, fail: [0; MAX_PHASES], p: [0.0; MAX_PHASES] }; N_STEPS];
        for (i, step) in steps.iter_mut().enumerate() {
            let k = i + 1;
            step.phases = 6 + k % 4;
            step.duration = PHASE_SPACING * (step.phases - 1) as f64;
            for j in 0..step.phases {
                step.fail[j] = threshold53(failure(k, j));
                step.p[j] = failure(k, j);
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

/// Where a program's random numbers come from. Each draw says what it decides (agency, step,
/// attempt, flight): a sequential generator ignores that, a keyed one derives its stream from it.
pub trait Luck {
    /// Timeline `t` begins.
    fn timeline(&mut self, t: u64);
    /// A lognormal duration (median, sigma) of `agency`'s preparation (`stand_down` false) or
    /// stand-down for attempt `attempt` of step `step`.
    fn duration(&mut self, d: (f64, f64), stand_down: bool, agency: usize, step: usize, attempt: u32) -> f64;
    /// The phase at which `agency`'s flight number `flight` (a step's mission) fails, if any.
    fn failed_phase(&mut self, step: &Step, agency: usize, flight: u32) -> Option<usize>;
}

/// The random numbers of one run: the generator and the normal method.
pub struct Draws<N> {
    pub rng: Xoshiro256pp,
    pub normal: N,
}

impl<N: Normal> Luck for Draws<N> {
    fn timeline(&mut self, _: u64) {}

    /// median · exp(σ·z): one normal and one `exp`.
    #[inline(always)]
    fn duration(&mut self, (median, sigma): (f64, f64), _: bool, _: usize, _: usize, _: u32) -> f64 {
        median * (sigma * self.normal.sample(&mut self.rng)).exp()
    }

    /// The phases in order, each failing when u < p; the first failure ends the draws. `None`
    /// when the flight succeeds.
    #[inline(always)]
    fn failed_phase(&mut self, step: &Step, _: usize, _: u32) -> Option<usize> {
        step.fail[..step.phases].iter().position(|&p| self.rng.unit53() < p)
    }
}

/// starcity's own randomness (`starcity_core::noise`, `starcity_core::dist`) in the floor's loop:
/// every draw from a stream keyed by (seed, timeline, what it decides), durations by inverse CDF.
/// The brief's first invariant asks for the keys and the twins' alignment for the inverse CDF;
/// with them, this loop is what any implementation of starcity's semantics costs at least.
///
/// With `ziggurat`, durations are drawn by ziggurat from the decision's keyed stream instead:
/// keyed, as the brief requires, but not by inverse CDF (which starcity chose so that a twin with a
/// shifted distribution keeps the same quantile of luck). It splits the keyed floor's cost in two.
pub struct Keyed {
    seed: u64,
    noise: Noise,
    ziggurat: bool,
}

impl Keyed {
    pub fn new(seed: u64, ziggurat: bool) -> Self {
        Keyed { seed, noise: Noise::new(seed, 0), ziggurat }
    }
}

/// A keyed stream's draws 0, 1, 2, … as a generator, for the ziggurat.
struct StreamRng {
    stream: Stream,
    next: u64,
}

impl rand_core::RngCore for StreamRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        self.next += 1;
        self.stream.bits(self.next - 1)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dst)
    }
}

/// The programs' and vehicles' keys: one of each per agency.
const AGENCY_KEYS: [u64; 2] = [0x41, 0x42];

impl Luck for Keyed {
    #[inline(always)]
    fn timeline(&mut self, t: u64) {
        self.noise = Noise::new(self.seed, t);
    }

    #[inline(always)]
    fn duration(
        &mut self,
        (median, sigma): (f64, f64),
        stand_down: bool,
        agency: usize,
        step: usize,
        attempt: u32,
    ) -> f64 {
        let kind = if stand_down { Kind::StandDown } else { Kind::Prep };
        let stream = self.noise.stream(kind, AGENCY_KEYS[agency], step as u64, attempt as u64);
        if self.ziggurat {
            let z: f64 =
                rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut StreamRng { stream, next: 0 });
            return median * (sigma * z).exp();
        }
        LogNormal { median, sigma }.quantile(stream.uniform(0), 1.0)
    }

    #[inline(always)]
    fn failed_phase(&mut self, step: &Step, agency: usize, flight: u32) -> Option<usize> {
        let key = AGENCY_KEYS[agency];
        (0..step.phases).find(|&j| self.noise.uniform(Kind::Phase, key, flight as u64, j as u64) < step.p[j])
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
fn program<L: Luck>(luck: &mut L, agency: usize, plan: &Plan, events: &mut u64) -> f64 {
    let (mut k, mut attempt, mut flight) = (0, 0, 0);
    let mut launch = luck.duration(PREP, false, agency, k, attempt);
    loop {
        if launch > HORIZON {
            return f64::INFINITY;
        }
        *events += 1;
        let step = &plan.steps[k];
        let failed = luck.failed_phase(step, agency, flight);
        (attempt, flight) = (attempt + 1, flight + 1);
        let land = launch + failed.map_or(step.duration, |j| PHASE_SPACING * j as f64);
        if land > HORIZON {
            return f64::INFINITY;
        }
        *events += 1;
        if failed.is_some() {
            let rest = luck.duration(STAND_DOWN, true, agency, k, attempt);
            launch = land + rest + luck.duration(PREP, false, agency, k, attempt);
        } else if k == N_STEPS - 1 {
            return land; // milestone `landing`: launch + the last phase's day
        } else {
            (k, attempt) = (k + 1, 0);
            launch = land + luck.duration(PREP, false, agency, k, attempt);
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

/// Runs n timelines: A's program, then B's (on one sequential stream, or keyed draws).
pub fn run<L: Luck>(n: u64, mut luck: L) -> Tally {
    let plan = Plan::new();
    let mut t = Tally { n, events: 0, first: [0; 3], landing: [vec![0; DAYS], vec![0; DAYS]] };
    for i in 0..n {
        luck.timeline(i);
        let a = program(&mut luck, 0, &plan, &mut t.events);
        let b = program(&mut luck, 1, &plan, &mut t.events);
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
