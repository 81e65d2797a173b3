//! The programs' next event times, and which program moves next.
//!
//! The engine asks "which program moves next?" at every event, and most programs have nothing
//! pending at any moment (not started, waiting on a condition, done, cancelled). Scanning every
//! program's time cost about 14 % of a `space-race` run (measured by doubling the scan:
//! docs/performance.md); the agenda keeps a bit per program with a pending event and scans only
//! those. A tournament tree was tried first: its updates cost what it saved.
//!
//! Ties go to the lower program index, exactly as the full scan did (a strict `<` keeps the
//! first), and a NaN time is never chosen, as it never was: the order of events, and so every
//! timeline, is unchanged.

use crate::world::NEVER;

/// Program times, and a bit set of the programs whose time is before `NEVER`.
#[derive(Debug, Clone, Default)]
pub struct Agenda {
    times: Vec<f64>,
    pending: Vec<u64>,
}

impl Agenda {
    /// Clears to `n` programs, none with an event pending. Reuses the buffers.
    pub fn reset(&mut self, n: usize) {
        self.times.clear();
        self.times.resize(n, NEVER);
        self.pending.clear();
        self.pending.resize(n.div_ceil(64), 0);
    }

    /// Program `p`'s next event time (`NEVER`: none).
    #[inline]
    pub fn get(&self, p: usize) -> f64 {
        self.times[p]
    }

    /// Sets program `p`'s next event time; `NEVER` (or NaN, which never comes) clears it.
    #[inline]
    pub fn set(&mut self, p: usize, t: f64) {
        self.times[p] = t;
        let bit = 1u64 << (p % 64);
        if t < NEVER {
            self.pending[p / 64] |= bit;
        } else {
            self.pending[p / 64] &= !bit;
        }
    }

    /// The earliest pending program event (the lowest program on ties), if any.
    #[inline]
    pub fn earliest(&self) -> Option<(f64, usize)> {
        let (mut best, mut at) = (NEVER, usize::MAX);
        for (w, &word) in self.pending.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let p = w * 64 + bits.trailing_zeros() as usize;
                let t = self.times[p];
                if t < best {
                    (best, at) = (t, p);
                }
                bits &= bits - 1;
            }
        }
        (at != usize::MAX).then_some((best, at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan the agenda replaces: the first strictly smallest time below `NEVER`.
    fn scan(times: &[f64]) -> Option<(f64, usize)> {
        let mut best = (NEVER, usize::MAX);
        for (p, &t) in times.iter().enumerate() {
            if t < best.0 {
                best = (t, p);
            }
        }
        (best.1 != usize::MAX).then_some(best)
    }

    #[test]
    fn agrees_with_the_scan_through_random_updates() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [1, 2, 3, 20, 63, 64, 65, 130] {
            let mut agenda = Agenda::default();
            agenda.reset(n);
            let mut times = vec![NEVER; n];
            for _ in 0..3000 {
                let p = (rand() % n as u64) as usize;
                // Few distinct values, so that ties are common; NEVER and NaN now and then.
                let t = match rand() % 10 {
                    0 => NEVER,
                    1 => f64::NAN,
                    k => (k % 4) as f64,
                };
                agenda.set(p, t);
                times[p] = t;
                assert_eq!(agenda.earliest(), scan(&times), "n = {n}");
                assert_eq!(agenda.get(p).to_bits(), t.to_bits());
            }
        }
    }

    #[test]
    fn a_reset_agenda_has_nothing_pending() {
        let mut agenda = Agenda::default();
        agenda.reset(70);
        agenda.set(66, 2.0);
        assert_eq!(agenda.earliest(), Some((2.0, 66)));
        agenda.reset(70);
        assert_eq!(agenda.earliest(), None);
        agenda.reset(0);
        assert_eq!(agenda.earliest(), None);
    }
}
