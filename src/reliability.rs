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
        let mut p = Posterior { hyper, q0, weight, growth };
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

    /// The growth factor at flight `n`, from the table.
    #[inline]
    fn growth_at(&self, n: u32) -> f64 {
        self.growth[(n as usize).min(GROWTH_TABLE - 1)]
    }

    /// Updates the posterior with the outcome of the family's flight number `n`.
    #[inline]
    pub fn observe(&mut self, n: u32, failed: bool) {
        let g = self.growth_at(n);
        for (w, q0) in self.weight.iter_mut().zip(&self.q0) {
            let q = q0 * g;
            *w *= if failed { q } else { 1.0 - q };
        }
        self.normalise();
    }

    /// The predictive probability that flight number `n` fails, given everything observed.
    #[inline]
    pub fn predict(&self, n: u32) -> f64 {
        let g = self.growth_at(n);
        self.weight.iter().zip(&self.q0).map(|(w, q0)| w * q0).sum::<f64>() * g
    }

    /// Mean of `q0` under the posterior.
    pub fn mean_q0(&self) -> f64 {
        self.weight.iter().zip(&self.q0).map(|(w, q)| w * q).sum()
    }

    /// The true `q0` of one timeline, drawn by inverse CDF from a uniform `u` in (0, 1).
    ///
    /// Inverse CDF (not rejection) so that one keyed uniform gives one value and a twin world with
    /// a shifted prior keeps "the same quantile of luck". Within a grid cell the value is
    /// interpolated so that the map from `u` is continuous.
    pub fn sample_q0(&self, u: f64) -> f64 {
        let mut acc = 0.0;
        for i in 0..GRID {
            let next = acc + self.weight[i];
            if u < next || i == GRID - 1 {
                let frac = if self.weight[i] > 0.0 { ((u - acc) / self.weight[i]).clamp(0.0, 1.0) } else { 0.5 };
                let (lo, hi) = cell_bounds(&self.q0, i);
                return lo + (hi - lo) * frac;
            }
            acc = next;
        }
        self.q0[GRID - 1]
    }

    /// Rescales the weights to sum to one (they only ever shrink, so this keeps them finite).
    #[inline]
    fn normalise(&mut self) {
        let s: f64 = self.weight.iter().sum();
        if s > 0.0 && s.is_finite() {
            for w in &mut self.weight {
                *w /= s;
            }
        } else {
            // Every grid point was ruled out (impossible under the model): fall back to uniform
            // rather than propagate NaN.
            self.weight = [1.0 / GRID as f64; GRID];
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const H: Hyper = Hyper { mu: 0.3, kappa: 4.0, rho: 0.2, tau: 10.0 };

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
}
