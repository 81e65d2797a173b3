//! Distributions by inverse CDF only.
//!
//! One keyed uniform in, one value out, monotone in the uniform: a twin world whose median changed
//! keeps "the same quantile of luck", and a recorded value could be mapped back to its uniform.
//! Rejection samplers and ziggurats (most of `rand_distr`) consume a variable number of draws and
//! cannot be inverted, so they are not used.

/// A lognormal duration given by its median and the standard deviation of its logarithm.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LogNormal {
    pub median: f64,
    pub sigma: f64,
}

impl LogNormal {
    /// The quantile at `u` in (0, 1), with the median scaled by `scale` (funding, pace).
    #[inline]
    pub fn quantile(&self, u: f64, scale: f64) -> f64 {
        self.median * scale * (self.sigma * std_normal_quantile(u)).exp()
    }

    /// The probability of a duration below `x` with the median scaled by `scale`: the inverse
    /// of [`quantile`](Self::quantile), used to map a real duration back to its uniform.
    pub fn cdf(&self, x: f64, scale: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        std_normal_cdf((x / (self.median * scale)).ln() / self.sigma)
    }
}

/// The standard normal distribution function, through `libm::erfc` (musl's, accurate to about
/// one ulp, and the same bits on every platform).
pub fn std_normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile function, by Acklam's rational approximation (relative error
/// below 1.2e-9 over (0, 1)), which is far below anything a schedule model can resolve.
pub fn std_normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    const P_LOW: f64 = 0.02425;
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_inverts_the_quantile() {
        let d = LogNormal { median: 120.0, sigma: 0.3 };
        for u in [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999] {
            let x = d.quantile(u, 1.7);
            assert!((d.cdf(x, 1.7) - u).abs() < 1e-8 * u.max(1e-3), "u {u}");
        }
        assert_eq!(d.cdf(0.0, 1.0), 0.0);
        assert!((std_normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-12);
    }

    #[test]
    fn normal_quantile_known_values() {
        assert!(std_normal_quantile(0.5).abs() < 1e-9);
        assert!((std_normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-8);
        assert!((std_normal_quantile(0.1) + 1.281_551_565_544_6).abs() < 1e-8);
        assert!((std_normal_quantile(0.001) + 3.090_232_306_167_8).abs() < 1e-7);
    }

    #[test]
    fn normal_quantile_is_monotone() {
        let mut last = f64::NEG_INFINITY;
        for i in 1..10_000 {
            let z = std_normal_quantile(i as f64 / 10_000.0);
            assert!(z > last);
            last = z;
        }
    }

    #[test]
    fn lognormal_median_and_scale() {
        let d = LogNormal { median: 100.0, sigma: 0.4 };
        assert!((d.quantile(0.5, 1.0) - 100.0).abs() < 1e-6);
        assert!((d.quantile(0.5, 0.5) - 50.0).abs() < 1e-6);
        assert!(d.quantile(0.9, 1.0) > d.quantile(0.1, 1.0));
    }
}
