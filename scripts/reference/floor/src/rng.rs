//! The random numbers of the floor: a hand-written xoshiro256++ and standard normals from it.
//!
//! Hand-written because the floor should owe its speed to nothing hidden: the generator is the
//! ~15 lines below, one sequential stream for the whole run (the floor needs no keyed streams,
//! unlike starcity, whose timelines must be reproducible one by one and in any order).

use rand_core::{RngCore, impls};

/// xoshiro256++ (Blackman & Vigna): 4 words of state, a few shifts, rotations and adds per draw.
pub struct Xoshiro256pp {
    s: [u64; 4],
}

impl Xoshiro256pp {
    /// Seeds the four state words with splitmix64, as the authors recommend, so that nearby seeds
    /// give unrelated streams and the state is never all zero.
    pub fn seed_from(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Self { s: [next(), next(), next(), next()] }
    }

    #[inline(always)]
    pub fn next(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// The 53 high bits: `unit53() < threshold53(p)` is exactly `u < p` for u uniform on the 2⁵³
    /// multiples of 2⁻⁵³ in [0, 1) (Python's `random()`), without the conversion to a float.
    #[inline(always)]
    pub fn unit53(&mut self) -> u64 {
        self.next() >> 11
    }

    /// A uniform in (0, 1]: safe to take the logarithm of.
    #[inline(always)]
    fn open_unit(&mut self) -> f64 {
        (self.unit53() + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The integer form of `u < p` for [`Xoshiro256pp::unit53`]: m·2⁻⁵³ < p ⇔ m < ⌈p·2⁵³⌉ (p·2⁵³ is
/// exact, a power-of-two scaling).
pub fn threshold53(p: f64) -> u64 {
    (p * (1u64 << 53) as f64).ceil() as u64
}

/// Lets `rand_distr` draw from the hand-written generator.
impl RngCore for Xoshiro256pp {
    fn next_u32(&mut self) -> u32 {
        (self.next() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.next()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        impls::fill_bytes_via_next(self, dst)
    }
}

/// A source of standard normals; generic so that the methods can be measured against each other
/// in the same loop (`--normal`), with the choice made once, outside it.
pub trait Normal {
    fn sample(&mut self, rng: &mut Xoshiro256pp) -> f64;
}

/// The ziggurat of `rand_distr` (one u64, a table look-up and a multiply ~99 % of the time): the
/// fastest of the three here, so the default.
pub struct Ziggurat;

impl Normal for Ziggurat {
    #[inline(always)]
    fn sample(&mut self, rng: &mut Xoshiro256pp) -> f64 {
        rand_distr::Distribution::sample(&rand_distr::StandardNormal, rng)
    }
}

/// Box–Muller: two normals from two uniforms, a log, a square root, a sine and a cosine; the
/// second is kept for the next call.
#[derive(Default)]
pub struct BoxMuller {
    spare: Option<f64>,
}

impl Normal for BoxMuller {
    #[inline(always)]
    fn sample(&mut self, rng: &mut Xoshiro256pp) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * rng.open_unit().ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * rng.open_unit()).sin_cos();
        self.spare = Some(r * s);
        r * c
    }
}

/// Marsaglia's polar method: Box–Muller without the trigonometry, at the price of rejecting
/// 21 % of the pairs of uniforms; the second normal is kept for the next call.
#[derive(Default)]
pub struct Polar {
    spare: Option<f64>,
}

impl Normal for Polar {
    #[inline(always)]
    fn sample(&mut self, rng: &mut Xoshiro256pp) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let x = 2.0 * rng.open_unit() - 1.0;
            let y = 2.0 * rng.open_unit() - 1.0;
            let s = x * x + y * y;
            if s < 1.0 && s > 0.0 {
                let f = (-2.0 * s.ln() / s).sqrt();
                self.spare = Some(y * f);
                return x * f;
            }
        }
    }
}
