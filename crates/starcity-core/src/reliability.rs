//! The launch-vehicle reliability model, shared by the engine and by `starcity calibrate`.
//!
//! One code path answers both "what is this rocket's true failure probability in this timeline?"
//! (the engine draws it) and "what does an agency believe it is, given the flights it has seen?"
//! (the engine's decisions, and the one-step-ahead predictions that `calibrate` scores).
//!
//! The model, for a family's `n`-th flight (0-based, counted over the whole family):
//!
//! ```text
//! q(n) = q0 * (rho + (1 - rho) * exp(-n / tau))        failure probability at flight n
//! q0   ~ Beta(kappa * mu, kappa * (1 - mu))            first-flight failure probability
//! ```
//!
//! `mu`, `kappa`, `rho` and `tau` are population hyper-parameters ([`Hyper`]) shared by every family:
//! new families fail often (`mu`), mature ones fail `rho` times as often as when new, and `tau`
//! flights is the scale of the learning curve. A family's posterior over `q0` is kept on a fixed grid
//! ([`Posterior`]) so that updating it is exact under the model and costs a few dozen multiplications,
//! with no special functions.

/// Number of grid points on which a posterior over `q0` is kept.
///
/// 64 points uniform in logit space from 0.2 % to 98 % resolve the predictive probability to well
/// under a percentage point for every prior the record supports, and keep an update cheap enough
/// for the engine's inner loop.
pub const GRID: usize = 64;

/// Longest flight index for which the growth factor is tabulated; later flights reuse the last
/// value, which by then equals `rho` to machine precision for any fitted `tau`.
const GROWTH_TABLE: usize = 512;

/// Population hyper-parameters of the reliability model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Hyper {
    /// Mean first-flight failure probability of a new family (`mu`).
    pub mu: f64,
    /// Prior strength in pseudo-flights (`kappa`): how alike new families are.
    pub kappa: f64,
    /// Mature failure probability as a fraction of the first-flight one (`rho`).
    pub rho: f64,
    /// Learning-curve scale in flights (`tau`).
    pub tau: f64,
}

impl Hyper {
    /// The growth factor `rho + (1 - rho) * exp(-n / tau)` by which `q0` is multiplied at flight `n`.
    pub fn growth(&self, n: u32) -> f64 {
        self.rho + (1.0 - self.rho) * (-(n as f64) / self.tau).exp()
    }
}

/// A posterior over a family's first-flight failure probability `q0`, on a fixed logit grid.
///
/// Cloning is a memcpy of two small arrays: the engine copies a vehicle's prior into each
/// timeline's belief and updates the copy.
#[derive(Debug, Clone)]
pub struct Posterior {
    hyper: Hyper,
    /// Grid values of `q0`.
    q0: [f64; GRID],
    /// Unnormalised posterior weights of the grid points.
    weight: [f64; GRID],
    /// Updates since the weights were last rescaled to sum to one.
    since_norm: u32,
    /// `growth(n)` for n < GROWTH_TABLE, computed once per posterior family.
    growth: std::sync::Arc<[f64]>,
}

impl Posterior {
    /// The prior `Beta(kappa * mu, kappa * (1 - mu))` of a new family, before any flight.
    pub fn new(hyper: Hyper) -> Self {
        Self::with_prior_mean(hyper, hyper.mu, hyper.kappa)
    }

    /// A prior with its own mean and strength but the population's growth curve: for hardware that
    /// has no record of its own (a spacecraft, a lander) and whose first-flight risk is a judgement.
    pub fn with_prior_mean(hyper: Hyper, mean: f64, strength: f64) -> Self {
        let a = (strength * mean).max(1e-3);
        let b = (strength * (1.0 - mean)).max(1e-3);
        let (lo, hi) = (logit(0.002), logit(0.98));
        let mut q0 = [0.0; GRID];
        let mut weight = [0.0; GRID];
        for i in 0..GRID {
            let x = lo + (hi - lo) * (i as f64 + 0.5) / GRID as f64;
            let q = 1.0 / (1.0 + (-x).exp());
            q0[i] = q;
            // Beta density times the Jacobian dq/dx = q (1 - q), in logs for stability.
            weight[i] = a * q.ln() + b * (1.0 - q).ln();
        }
        let max = weight.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        for w in &mut weight {
            *w = (*w - max).exp();
        }
        let growth = (0..GROWTH_TABLE as u32).map(|n| hyper.growth(n)).collect();
        let mut p = Posterior { hyper, q0, weight, since_norm: 0, growth };
        p.normalise();
        p
    }

    /// A belief for hardware whose failure probability `q` is known and constant: all weight on
    /// the grid point nearest `q`, no growth. (The engine uses the exact `q` as the truth; this
    /// is only what the agency believes, within the grid's resolution.)
    pub fn fixed(q: f64) -> Self {
        let hyper = Hyper { mu: q, kappa: 1.0, rho: 1.0, tau: 1.0 };
        let mut p = Self::with_prior_mean(hyper, q, 1.0);
        let nearest = (0..GRID).min_by(|&a, &b| (p.q0[a] - q).abs().total_cmp(&(p.q0[b] - q).abs())).unwrap_or(0);
        p.weight = [0.0; GRID];
        p.weight[nearest] = 1.0;
        p
    }

    /// The hyper-parameters this posterior was built from.
    pub fn hyper(&self) -> Hyper {
        self.hyper
    }

    /// The growth factor at flight `n`, from the table (no `exp` on the engine's hot path).
    #[inline]
    pub fn growth_at(&self, n: u32) -> f64 {
        self.growth[(n as usize).min(GROWTH_TABLE - 1)]
    }

    /// Updates the posterior with the outcome of the family's flight number `n`.
    #[inline]
    pub fn observe(&mut self, n: u32, failed: bool) {
        let g = self.growth_at(n);
        // Two branch-free loops rather than one with a branch inside, so that they vectorise.
        if failed {
            for (w, q0) in self.weight.iter_mut().zip(&self.q0) {
                *w *= q0 * g;
            }
        } else {
            for (w, q0) in self.weight.iter_mut().zip(&self.q0) {
                *w *= 1.0 - q0 * g;
            }
        }
        // Weights only shrink (each factor is at most 1); readers divide by their sum, so they
        // need rescaling only now and then to stay far from underflow. This halves the cost of
        // an update on the engine's hot path.
        self.since_norm += 1;
        if self.since_norm >= 16 {
            self.normalise();
        }
    }

    /// Observes flight `n` and returns the new posterior mean of `q0`: exactly `observe(n,
    /// failed)` then `mean_q0()`, the same operations in the same order, in one pass over the
    /// grid instead of two. A crew decision folds the latest landing into its belief and reads
    /// the mean straight after, on most crewed launches (docs/performance.md).
    pub fn observe_mean(&mut self, n: u32, failed: bool) -> f64 {
        if self.since_norm + 1 >= 16 {
            // This update rescales the weights before the mean reads them: two passes.
            self.observe(n, failed);
            return self.mean_q0();
        }
        self.since_norm += 1;
        let g = self.growth_at(n);
        let (mut wq, mut w) = ([0.0; 4], [0.0; 4]);
        for (ws, qs) in self.weight.chunks_exact_mut(4).zip(self.q0.chunks_exact(4)) {
            for k in 0..4 {
                // `observe`'s factor, then `mean_q0`'s accumulators, element by element.
                ws[k] *= if failed { qs[k] * g } else { 1.0 - qs[k] * g };
                wq[k] += ws[k] * qs[k];
                w[k] += ws[k];
            }
        }
        let (wq, w) = ((wq[0] + wq[1]) + (wq[2] + wq[3]), (w[0] + w[1]) + (w[2] + w[3]));
        if w > 0.0 { wq / w } else { 0.0 }
    }

    /// The sum of the weights (they are normalised lazily).
    #[inline]
    fn total(&self) -> f64 {
        self.weight.iter().sum()
    }

    /// The predictive probability that flight number `n` fails, given everything observed.
    #[inline]
    pub fn predict(&self, n: u32) -> f64 {
        self.mean_q0() * self.growth_at(n)
    }

    /// Mean of `q0` under the posterior.
    pub fn mean_q0(&self) -> f64 {
        // Four independent accumulators (a fixed summation order, so results stay deterministic)
        // let the compiler use vector registers.
        let (mut wq, mut w) = ([0.0; 4], [0.0; 4]);
        for (ws, qs) in self.weight.chunks_exact(4).zip(self.q0.chunks_exact(4)) {
            for k in 0..4 {
                wq[k] += ws[k] * qs[k];
                w[k] += ws[k];
            }
        }
        let (wq, w) = ((wq[0] + wq[1]) + (wq[2] + wq[3]), (w[0] + w[1]) + (w[2] + w[3]));
        if w > 0.0 { wq / w } else { 0.0 }
    }

    /// The true `q0` of one timeline, drawn by inverse CDF from a uniform `u` in (0, 1).
    ///
    /// Inverse CDF (not rejection) so that one keyed uniform gives one value and a twin world with
    /// a shifted prior keeps "the same quantile of luck". Within a grid cell the value is
    /// interpolated so that the map from `u` is continuous. The engine draws through a
    /// [`TruthSampler`] made once per scenario: the same numbers without a pass over the grid.
    pub fn sample_q0(&self, u: f64) -> f64 {
        self.sampler().sample_q0(u)
    }

    /// This posterior's inverse CDF, with its cumulative weights summed once.
    pub fn sampler(&self) -> TruthSampler {
        let mut cum = [0.0; GRID];
        let mut acc = 0.0;
        for (c, &w) in cum.iter_mut().zip(&self.weight) {
            acc += w;
            *c = acc;
        }
        // The count in `TruthSampler::sample_q0` is the scan's cell only for sums that never
        // decrease: weights are never negative or NaN (`normalise` falls back to uniform).
        debug_assert!(cum.windows(2).all(|w| w[0] <= w[1]), "posterior weights went negative or NaN");
        TruthSampler { q0: self.q0, weight: self.weight, cum, total: self.total() }
    }

    /// Rescales the weights to sum to one (they only ever shrink, so this keeps them finite).
    #[inline]
    fn normalise(&mut self) {
        self.since_norm = 0;
        let s: f64 = self.weight.iter().sum();
        if s > 0.0 && s.is_finite() {
            let inv = 1.0 / s;
            for w in &mut self.weight {
                *w *= inv;
            }
        } else {
            // Every grid point was ruled out (impossible under the model): fall back to uniform
            // rather than propagate NaN.
            self.weight = [1.0 / GRID as f64; GRID];
        }
    }
}

/// A posterior's inverse CDF for drawing a timeline's true `q0` ([`Posterior::sample_q0`]).
///
/// Every timeline draws each vehicle's truth once; a scan of the grid summing weights as it goes
/// cost about 2.5 % of a `space-race` run. The running sums are the scan's very sums (same
/// additions, same order), and they never decrease (weights are ≥ 0), so counting those at or
/// below `u` finds the scan's cell and the same number.
#[derive(Debug, Clone)]
pub struct TruthSampler {
    q0: [f64; GRID],
    weight: [f64; GRID],
    /// `cum[i]`: the weights of cells `0..=i`, summed in order.
    cum: [f64; GRID],
    total: f64,
}

impl TruthSampler {
    /// The `q0` at quantile `u` in (0, 1).
    pub fn sample_q0(&self, u: f64) -> f64 {
        let u = u * self.total;
        // The first cell whose running sum passes `u` (the last if none does, or `u` is NaN):
        // the sums never decrease, so it is the count of those that do not pass. A count without
        // branches beats a binary search's six mispredicted ones.
        let i = match self.cum.iter().filter(|&&c| c <= u).count() {
            _ if u.is_nan() => GRID - 1,
            i => i.min(GRID - 1),
        };
        let acc = if i == 0 { 0.0 } else { self.cum[i - 1] };
        let frac = if self.weight[i] > 0.0 { ((u - acc) / self.weight[i]).clamp(0.0, 1.0) } else { 0.5 };
        let (lo, hi) = cell_bounds(&self.q0, i);
        lo + (hi - lo) * frac
    }
}

/// The q0 interval that grid cell `i` stands for: halfway to its neighbours.
fn cell_bounds(q0: &[f64; GRID], i: usize) -> (f64, f64) {
    let lo = if i == 0 { q0[0] * 0.5 } else { 0.5 * (q0[i - 1] + q0[i]) };
    let hi = if i == GRID - 1 { 0.5 * (q0[i] + 1.0) } else { 0.5 * (q0[i] + q0[i + 1]) };
    (lo, hi)
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

// ---------------------------------------------------------------------------------------------
// Fitting the hyper-parameters on a launch record (empirical Bayes, prequential).
// ---------------------------------------------------------------------------------------------

use crate::record::{Launch, Record};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Fewest launches before a cut-off on which [`fit_hyper`] will fit the four hyper-parameters.
///
/// Below this the prequential likelihood is too flat to say anything about `kappa`, `rho` and
/// `tau` (30 launches is about one year of the 1958 record), so the caller must use a stated
/// judgement instead, e.g. [`Hyper::WEAK`].
pub const MIN_FIT_LAUNCHES: usize = 30;

impl Hyper {
    /// A weak, stated-as-judgement prior used where there is no data to fit on (the first
    /// launches of a record, before [`MIN_FIT_LAUNCHES`] exist). It was set before any score was
    /// computed: a new family's first-flight failure probability is "anything", mean 1/2 and
    /// `Beta(1, 1)`-wide; mature families fail half as often as new ones, over about ten flights.
    pub const WEAK: Hyper = Hyper { mu: 0.5, kappa: 2.0, rho: 0.5, tau: 10.0 };
}

/// Most likelihood evaluations in one fit: a safety bound for flat, adversarial records. Every
/// fit on the embedded record converges well before it (see `docs/calibration.md`).
const MAX_EVALS: usize = 1500;

/// Bounds of the fitted hyper-parameters (inclusive), chosen wide enough that no fit on the
/// embedded record sits on a bound except where noted in `docs/calibration.md`.
pub const HYPER_BOUNDS: [(f64, f64); 4] = [
    (0.01, 0.95),  // mu
    (0.3, 300.0),  // kappa
    (0.01, 0.999), // rho
    (0.3, 300.0),  // tau
];

/// The one-step-ahead reliability state of every family: the posterior after its flights so far
/// and the number of those flights. The engine's vehicle priors, [`fit_hyper`]'s objective and
/// `starcity calibrate`'s predictions all come from this one replay.
#[derive(Debug, Clone)]
pub struct FamilyStates {
    template: Posterior,
    states: HashMap<String, (Posterior, u32)>,
}

impl FamilyStates {
    /// No flights seen yet; every family starts from the population prior of `hyper`.
    pub fn new(hyper: Hyper) -> Self {
        FamilyStates { template: Posterior::new(hyper), states: HashMap::new() }
    }

    /// The hyper-parameters in use.
    pub fn hyper(&self) -> Hyper {
        self.template.hyper()
    }

    /// Predicted failure probability of `family`'s next flight, given the flights seen so far.
    pub fn predict(&self, family: &str) -> f64 {
        match self.states.get(family) {
            Some((p, n)) => p.predict(*n),
            None => self.template.predict(0),
        }
    }

    /// Records the outcome of `family`'s next flight.
    pub fn observe(&mut self, family: &str, failed: bool) {
        let template = &self.template;
        let (p, n) = self.states.entry(family.to_string()).or_insert_with(|| (template.clone(), 0));
        p.observe(*n, failed);
        *n += 1;
    }

    /// The posterior of `family` and its number of flights so far (the prior and 0 if unseen).
    pub fn get(&self, family: &str) -> (Posterior, u32) {
        self.states.get(family).cloned().unwrap_or_else(|| (self.template.clone(), 0))
    }

    /// Replays `launches` in order.
    pub fn replay(&mut self, launches: &[Launch]) {
        for l in launches {
            self.observe(&l.family, l.outcome.failed());
        }
    }
}

/// Prequential (one-step-ahead) log-likelihood of `launches` under `hyper`: the sum over launches,
/// in order, of the log of the probability the model gave the observed outcome before seeing it.
pub fn prequential_log_lik(launches: &[Launch], hyper: Hyper) -> f64 {
    // Families are indexed once so that the objective, evaluated a few hundred times per fit,
    // does no hashing.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let ids: Vec<usize> = launches
        .iter()
        .map(|l| {
            let k = index.len();
            *index.entry(l.family.as_str()).or_insert(k)
        })
        .collect();
    let template = Posterior::new(hyper);
    let mut states: Vec<(Posterior, u32)> = vec![(template, 0); index.len()];
    let mut ll = 0.0;
    for (l, &id) in launches.iter().zip(&ids) {
        let (p, n) = &mut states[id];
        let q = p.predict(*n).clamp(1e-12, 1.0 - 1e-12);
        let failed = l.outcome.failed();
        ll += if failed { q.ln() } else { (1.0 - q).ln() };
        p.observe(*n, failed);
        *n += 1;
    }
    ll
}

/// Empirical-Bayes fit of `(mu, kappa, rho, tau)`: maximises the prequential log-likelihood of all
/// launches of `record` strictly before `before`.
///
/// Why prequential rather than marginal likelihood: it is the very score `calibrate` reports, it
/// needs nothing but the model's own predictions, and it rewards exactly what the engine uses the
/// model for (predicting the next flight). The search is a deterministic coordinate search in
/// `(logit mu, ln kappa, logit rho, ln tau)` within [`HYPER_BOUNDS`], shrinking its step until it
/// is below 0.01 in those units.
///
/// Errors when fewer than [`MIN_FIT_LAUNCHES`] launches precede `before`. Fits on the embedded
/// record are cached by date (the engine calls this at every scenario load).
pub fn fit_hyper(record: &Record, before: NaiveDate) -> Result<Hyper, String> {
    let data = record.before(before);
    if data.len() < MIN_FIT_LAUNCHES {
        return Err(format!(
            "only {} launches before {before}; at least {MIN_FIT_LAUNCHES} are needed to fit the reliability model",
            data.len()
        ));
    }
    let embedded = std::ptr::eq(record, Record::embedded());
    static CACHE: std::sync::OnceLock<std::sync::Mutex<HashMap<NaiveDate, Hyper>>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(h) = embedded.then(|| cache.lock().ok().and_then(|c| c.get(&before).copied())).flatten() {
        return Ok(h);
    }
    let h = fit_launches(data);
    if let (true, Ok(mut c)) = (embedded, cache.lock()) {
        c.insert(before, h);
    }
    Ok(h)
}

/// The coordinate search behind [`fit_hyper`], on a slice of launches.
pub(crate) fn fit_launches(data: &[Launch]) -> Hyper {
    fn to_hyper(x: &[f64; 4]) -> Hyper {
        Hyper { mu: sigmoid(x[0]), kappa: x[1].exp(), rho: sigmoid(x[2]), tau: x[3].exp() }
    }
    let bounds: [(f64, f64); 4] = [
        (logit(HYPER_BOUNDS[0].0), logit(HYPER_BOUNDS[0].1)),
        (HYPER_BOUNDS[1].0.ln(), HYPER_BOUNDS[1].1.ln()),
        (logit(HYPER_BOUNDS[2].0), logit(HYPER_BOUNDS[2].1)),
        (HYPER_BOUNDS[3].0.ln(), HYPER_BOUNDS[3].1.ln()),
    ];
    let start = Hyper::WEAK;
    let mut x = [logit(start.mu), start.kappa.ln(), logit(start.rho), start.tau.ln()];
    let mut best = prequential_log_lik(data, to_hyper(&x));
    let mut step = 1.0;
    let mut evals = 0;
    while step > 0.01 && evals < MAX_EVALS {
        let mut improved = false;
        for i in 0..4 {
            let mut moved = 0.0;
            for k in [-2.0, -1.0, 1.0, 2.0] {
                let mut y = x;
                y[i] = (x[i] + k * step).clamp(bounds[i].0, bounds[i].1);
                if y[i] == x[i] {
                    continue;
                }
                let ll = prequential_log_lik(data, to_hyper(&y));
                evals += 1;
                if ll > best + 1e-9 {
                    best = ll;
                    moved = y[i] - x[i];
                    x = y;
                    improved = true;
                }
            }
            // Along a long, gently rising direction (e.g. `kappa` on flat early data), keep going
            // with doubling strides instead of creeping one step per round.
            while moved != 0.0 && evals < MAX_EVALS {
                moved *= 2.0;
                let mut y = x;
                y[i] = (x[i] + moved).clamp(bounds[i].0, bounds[i].1);
                if y[i] == x[i] {
                    break;
                }
                let ll = prequential_log_lik(data, to_hyper(&y));
                evals += 1;
                if ll > best + 1e-9 {
                    best = ll;
                    x = y;
                } else {
                    break;
                }
            }
        }
        if !improved {
            step *= 0.5;
        }
    }
    to_hyper(&x)
}

/// A family's reliability posterior after its flights strictly before `before`, and the number of
/// those flights (so the engine continues the growth curve from there).
///
/// `None` if the family never appears in the record; a family that exists but has not flown
/// before `before` gets the fresh population prior and 0.
pub fn family_prior(record: &Record, hyper: Hyper, family: &str, before: NaiveDate) -> Option<(Posterior, u32)> {
    if !record.has_family(family) {
        return None;
    }
    let mut states = FamilyStates::new(hyper);
    for l in record.before(before).iter().filter(|l| l.family == family) {
        states.observe(&l.family, l.outcome.failed());
    }
    Some(states.get(family))
}

/// The family names in `record`, sorted, e.g. for "unknown family; valid names are …" errors.
pub fn families(record: &Record) -> Vec<String> {
    let mut f = record.family_names();
    f.sort();
    f
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Hyper = Hyper { mu: 0.3, kappa: 4.0, rho: 0.2, tau: 10.0 };

    /// The engine's one-pass update must give the two-pass numbers bit for bit, including the
    /// updates that rescale the weights (every 16th), or timelines would change with it.
    #[test]
    fn observe_mean_is_observe_then_mean_bit_for_bit() {
        let (mut one, mut two) = (Posterior::new(H), Posterior::new(H));
        for n in 0..100u32 {
            let failed = n % 7 == 3 || n % 11 == 5;
            let fused = one.observe_mean(n, failed);
            two.observe(n, failed);
            assert_eq!(fused.to_bits(), two.mean_q0().to_bits(), "flight {n}");
            assert_eq!(one.weight.map(f64::to_bits), two.weight.map(f64::to_bits));
        }
    }

    #[test]
    fn prior_mean_matches_beta_mean() {
        let p = Posterior::new(H);
        // The grid truncates the tails at 0.2 % and 98 %, so allow a small bias.
        assert!((p.mean_q0() - 0.3).abs() < 0.01, "{}", p.mean_q0());
    }

    #[test]
    fn failures_raise_and_successes_lower_the_prediction() {
        let p = Posterior::new(H);
        let mut worse = p.clone();
        worse.observe(0, true);
        let mut better = p.clone();
        better.observe(0, false);
        assert!(worse.predict(1) > p.predict(1));
        assert!(better.predict(1) < p.predict(1));
    }

    #[test]
    fn growth_lowers_failure_probability_with_flights() {
        let p = Posterior::new(H);
        assert!(p.predict(50) < p.predict(0) * 0.25);
        assert!((H.growth(0) - 1.0).abs() < 1e-12);
    }

    /// The scan `sample_q0` was before the sampler: the sums as it made them.
    fn scanned_q0(p: &Posterior, u: f64) -> f64 {
        let u = u * p.total();
        let mut acc = 0.0;
        for i in 0..GRID {
            let next = acc + p.weight[i];
            if u < next || i == GRID - 1 {
                let frac = if p.weight[i] > 0.0 { ((u - acc) / p.weight[i]).clamp(0.0, 1.0) } else { 0.5 };
                let (lo, hi) = cell_bounds(&p.q0, i);
                return lo + (hi - lo) * frac;
            }
            acc = next;
        }
        unreachable!()
    }

    #[test]
    fn the_sampler_draws_what_the_scan_drew_bit_for_bit() {
        let mut observed = Posterior::new(H);
        (0..30u32).for_each(|n| observed.observe(n, n % 5 == 1));
        let mut ruled_out = Posterior::new(H);
        (0..400u32).for_each(|n| ruled_out.observe(n, false)); // cells with weight ~0
        for p in [Posterior::new(H), observed, ruled_out, Posterior::fixed(0.07)] {
            let sampler = p.sampler();
            let edges = [f64::MIN_POSITIVE, 1e-300, 0.5, 1.0 - f64::EPSILON, 1.0];
            let grid = (0..20_000).map(|k| (k as f64 + 0.5) / 20_000.0);
            for u in grid.chain(edges) {
                assert_eq!(sampler.sample_q0(u).to_bits(), scanned_q0(&p, u).to_bits(), "u = {u}");
            }
        }
    }

    #[test]
    fn sample_q0_is_monotone_and_inside_the_grid() {
        let p = Posterior::new(H);
        let mut last = 0.0;
        for k in 1..1000 {
            let q = p.sample_q0(k as f64 / 1000.0);
            assert!(q >= last && q > 0.0 && q < 1.0);
            last = q;
        }
    }

    #[test]
    fn sampled_mean_matches_posterior_mean() {
        let mut p = Posterior::new(H);
        for n in 0..5 {
            p.observe(n, n % 2 == 0);
        }
        let k = 20_000;
        let mean: f64 = (0..k).map(|i| p.sample_q0((i as f64 + 0.5) / k as f64)).sum::<f64>() / k as f64;
        assert!((mean - p.mean_q0()).abs() < 0.01, "{mean} vs {}", p.mean_q0());
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn fit_is_deterministic_and_inside_bounds() {
        let r = Record::embedded();
        let d = date("1961-05-25");
        let a = fit_launches(r.before(d));
        let b = fit_launches(r.before(d));
        assert_eq!(a, b);
        assert_eq!(fit_hyper(r, d), Ok(a));
        for (v, (lo, hi)) in [a.mu, a.kappa, a.rho, a.tau].iter().zip(HYPER_BOUNDS) {
            assert!(*v >= lo * 0.999 && *v <= hi * 1.001, "{v} not in [{lo}, {hi}]");
        }
    }

    #[test]
    fn fit_beats_a_coarse_grid_and_the_weak_prior() {
        let r = Record::embedded();
        let data = r.before(date("1961-05-25"));
        let best = prequential_log_lik(data, fit_launches(data));
        assert!(best > prequential_log_lik(data, Hyper::WEAK));
        for mu in [0.3, 0.5, 0.7] {
            for kappa in [1.0, 5.0, 50.0] {
                for rho in [0.05, 0.3, 0.9] {
                    for tau in [3.0, 30.0] {
                        let h = Hyper { mu, kappa, rho, tau };
                        assert!(best >= prequential_log_lik(data, h) - 1e-9, "{h:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn fit_refuses_too_little_data() {
        let r = Record::embedded();
        assert!(fit_hyper(r, date("1958-03-01")).is_err());
    }

    #[test]
    fn family_prior_replays_flights_before_the_date() {
        let r = Record::embedded();
        let d = date("1961-05-25");
        let (p, n) = family_prior(r, H, "R-7", d).expect("R-7 exists");
        assert_eq!(n as usize, r.before(d).iter().filter(|l| l.family == "R-7").count());
        let mut q = Posterior::new(H);
        for (k, l) in r.before(d).iter().filter(|l| l.family == "R-7").enumerate() {
            q.observe(k as u32, l.outcome.failed());
        }
        assert!((p.predict(n) - q.predict(n)).abs() < 1e-15);
        // Exists, but first flew in 1969: the fresh prior and no flights.
        let (p, n) = family_prior(r, H, "N1", d).expect("N1 exists");
        assert_eq!(n, 0);
        assert!((p.predict(0) - Posterior::new(H).predict(0)).abs() < 1e-15);
        assert!(family_prior(r, H, "Falcon 9", d).is_none());
        assert!(families(r).contains(&"Saturn V".to_string()));
    }
}
