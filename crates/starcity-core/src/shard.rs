//! Shards: one command's timelines split into contiguous index ranges, run anywhere (processes,
//! Slurm array tasks, Kubernetes indexed jobs), written as shard files and merged into exactly the
//! result of the unsplit command.
//!
//! A shard file is JSON: a [`Header`] (what was run, on what inputs, which timelines) and the
//! shard's integer summary. Timelines are pure functions of (scenario, seed, index) and
//! summaries are integer counts merged exactly, so a merge of any split, in any order, is
//! bit-identical to the single run. The header carries the *texts* the scenario and divergences
//! were compiled from, so `merge` needs no file but the shards; their fingerprint is a hash of
//! the compiled scenarios and the build, so shards of different inputs or builds never mix.
//!
//! Shard files are untrusted input: every count is checked against the shape the header's
//! scenario implies before anything is allocated beyond the file's own size.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::counterfactual::Paired;
use crate::ensemble::Summary;
use crate::scenario::Scenario;

/// The `format` field of every shard file.
pub const FORMAT: &str = "starcity-shard";
/// The version of the layout; a reader refuses any other. Version 2 added `check`.
pub const VERSION: u32 = 2;

/// A scenario or divergence as it was read: the name its errors use, and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub origin: String,
    pub text: String,
}

/// What a shard is part of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] for files this build writes.
    pub version: u32,
    /// The starcity version that wrote it.
    pub starcity: String,
    /// The build target (architecture-os), part of the fingerprint.
    pub target: String,
    /// `run`, `compare` or `export`.
    pub command: String,
    /// The output format asked for with `--format` or `--json` (`text`, `json`, `markdown`,
    /// `csv`, `html`), or absent: then `merge`'s own `-o` decides, as the unsplit command's would.
    pub output: Option<String>,
    /// `compare --given-history`.
    pub given_history: bool,
    /// `--history-until` as given (`YYYY-MM-DD` or `none`), or absent.
    pub history_until: Option<String>,
    pub scenario: Source,
    pub divergences: Vec<Source>,
    /// Hash of the compiled scenarios and the build: equal fingerprints, same timelines.
    pub fingerprint: String,
    pub seed: u64,
    /// Timelines of the whole command.
    pub timelines: u64,
    /// This shard: `[K, N]`, 1-based.
    pub shard: [u64; 2],
    /// The timeline indices it ran: `[start, end)`.
    pub range: [u64; 2],
}

/// A shard of `run` or `compare`: the header and the summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile {
    pub header: Header,
    /// `run`: the summary of the scenario as run (with its divergences).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub summary: Option<Summary>,
    /// `run -d` with a divergence that removes a rule: the baseline's summary too (its
    /// intervention is counted where the baseline's rule fired).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub baseline: Option<Summary>,
    /// `compare`: the paired summaries.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub paired: Option<Paired>,
    /// FNV-1a 64 of what the shard holds: its summaries as written ([`ShardFile::payload_check`]),
    /// or for an export part the bytes of its CSV rows. It finds a truncated or hand-edited
    /// shard; it is not a signature. (Absent from version 1 files, which `fit` refuses by their
    /// version.)
    #[serde(default)]
    pub check: String,
}

impl ShardFile {
    /// The check of the summaries: FNV-1a 64 of `[summary, baseline, paired]` as compact JSON,
    /// the bytes this file holds them as (a file read back serialises to the same bytes, unless
    /// it was edited: a counter set to zero is dropped from the sparse form, for instance).
    pub fn payload_check(&self) -> String {
        let mut h = Fnv::default();
        // Writing to `Fnv` cannot fail, and these types serialise without error.
        let _ = serde_json::to_writer(&mut h, &(&self.summary, &self.baseline, &self.paired));
        h.hex()
    }
}

/// FNV-1a (64-bit): the hash of fingerprints and checks. Not cryptographic: it tells accidents
/// apart (another build, a cut-off file, an edit), not forgeries.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn feed(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Sixteen hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

impl std::io::Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.feed(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a shard carries: a summary that counts its timelines and merges exactly, refusing a
/// summary of another shape (another scenario).
pub trait Part: Sized {
    fn timelines(&self) -> u64;
    fn try_merge(self, other: &Self) -> Result<Self, crate::ensemble::MergeError>;
}

impl Part for Summary {
    fn timelines(&self) -> u64 {
        self.n
    }

    fn try_merge(self, other: &Self) -> Result<Self, crate::ensemble::MergeError> {
        Summary::try_merge(self, other)
    }
}

impl Part for Paired {
    fn timelines(&self) -> u64 {
        self.n
    }

    fn try_merge(self, other: &Self) -> Result<Self, crate::ensemble::MergeError> {
        Paired::try_merge(self, other)
    }
}

/// The timelines of shard `k` of `n` (1-based) of `total`: contiguous, in order, sizes differing
/// by at most one, so any split covers every timeline exactly once.
pub fn range(total: u64, k: u64, n: u64) -> Range<u64> {
    let at = |i: u64| ((total as u128 * i as u128) / n.max(1) as u128) as u64;
    at(k - 1)..at(k)
}

/// The hash of this crate's source files (build.rs), part of the fingerprint.
pub const SOURCE: &str = env!("STARCITY_SOURCE_HASH");

/// The build's target, as written in headers.
pub fn target() -> String {
    format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

/// A fingerprint of compiled scenarios and this build: FNV-1a (64-bit) over their debug form,
/// the version, the hash of this crate's source (build.rs: two commits of one version differ)
/// and the target. Two runs with equal fingerprints run the same timelines.
pub fn fingerprint(scenarios: &[&Scenario]) -> String {
    let mut h = Fnv::default();
    h.feed(env!("CARGO_PKG_VERSION").as_bytes());
    h.feed(SOURCE.as_bytes());
    h.feed(target().as_bytes());
    for sc in scenarios {
        h.feed(format!("{sc:?}").as_bytes());
    }
    h.hex()
}

/// Why shards do not make one result.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FitError {
    #[error("{file} is not a starcity shard (format `{found}`)")]
    NotAShard { file: String, found: String },
    #[error("{file} is shard format version {found}; this starcity reads version {VERSION}")]
    Version { file: String, found: u32 },
    #[error("{file} differs from {first} in {what}: {theirs} against {ours}")]
    Mismatch { file: String, first: String, what: &'static str, theirs: String, ours: String },
    #[error("{file} covers timelines {start}..{end}, which overlap {other}'s")]
    Overlap { file: String, other: String, start: u64, end: u64 },
    #[error("no shard covers timelines {start}..{end} (of {total}){missing}: the shards are incomplete")]
    Gap { start: u64, end: u64, total: u64, missing: String },
    #[error("{file} and {other} are the same shard ({k}/{n}, timelines {start}..{end}): give each shard once")]
    Twice { file: String, other: String, k: u64, n: u64, start: u64, end: u64 },
    #[error("{file}: its range {start}..{end} does not fit its {timelines} timelines")]
    BadRange { file: String, start: u64, end: u64, timelines: u64 },
    #[error("{file}: its summary does not have the shape of its scenario ({what})")]
    Shape { file: String, what: String },
}

/// Checks that shards (with their file names) make exactly one whole: one format and version,
/// the same command, inputs, fingerprint, seed and total, ranges disjoint and covering
/// `0..timelines`. Returns the shards' indices in timeline order.
pub fn fit(shards: &[(String, &Header)]) -> Result<Vec<usize>, FitError> {
    for (file, h) in shards {
        check_format(file, h)?;
    }
    let Some((first, h0)) = shards.first() else { return Ok(Vec::new()) };
    for (file, h) in &shards[1..] {
        same(file, first, h, h0)?;
    }
    let mut order: Vec<usize> = (0..shards.len()).collect();
    order.sort_by_key(|&i| (shards[i].1.range[0], shards[i].1.range[1]));
    let gap =
        |start: u64, end: u64| FitError::Gap { start, end, total: h0.timelines, missing: missing(h0, start..end) };
    let mut next = 0;
    for (pos, &i) in order.iter().enumerate() {
        let (file, h) = &shards[i];
        let [start, end] = h.range;
        if start > next {
            return Err(gap(next, start));
        }
        if start < next {
            let (other, h1) = &shards[order[pos - 1]];
            if h1.range == h.range && h1.shard == h.shard {
                let [k, n] = h.shard;
                return Err(FitError::Twice { file: file.clone(), other: other.clone(), k, n, start, end });
            }
            return Err(FitError::Overlap { file: file.clone(), other: other.clone(), start, end });
        }
        next = end;
    }
    if next < h0.timelines {
        return Err(gap(next, h0.timelines));
    }
    Ok(order)
}

/// The shards of `h`'s split that a gap is, in words (`: shard 2/3 is missing`), when the gap is
/// whole shards of that split.
fn missing(h: &Header, gap: Range<u64>) -> String {
    let n = h.shard[1];
    let first = (1..=n).find(|&k| range(h.timelines, k, n).start == gap.start);
    let last = (1..=n).rev().find(|&k| range(h.timelines, k, n).end == gap.end);
    match (first, last) {
        (Some(a), Some(b)) if a == b => format!(": shard {a}/{n} is missing"),
        (Some(a), Some(b)) if a < b => format!(": shards {a}/{n} to {b}/{n} are missing"),
        _ => String::new(),
    }
}

fn check_format(file: &str, h: &Header) -> Result<(), FitError> {
    if h.format != FORMAT {
        return Err(FitError::NotAShard { file: file.into(), found: h.format.clone() });
    }
    if h.version != VERSION {
        return Err(FitError::Version { file: file.into(), found: h.version });
    }
    let [start, end] = h.range;
    if start > end || end > h.timelines {
        return Err(FitError::BadRange { file: file.into(), start, end, timelines: h.timelines });
    }
    Ok(())
}

/// The fields every shard of one command shares. The inputs' texts are compared through the
/// fingerprint (their compiled form), not by name: the same scenario read from another path, or
/// staged elsewhere on each node, runs the same timelines.
fn same(file: &str, first: &str, h: &Header, h0: &Header) -> Result<(), FitError> {
    let given = |o: &Option<String>, none: &str| o.clone().unwrap_or_else(|| none.to_string());
    let fields: [(&'static str, String, String); 7] = [
        ("command", h.command.clone(), h0.command.clone()),
        ("output format", given(&h.output, "none given"), given(&h0.output, "none given")),
        ("seed", h.seed.to_string(), h0.seed.to_string()),
        ("total timelines", h.timelines.to_string(), h0.timelines.to_string()),
        ("--given-history", h.given_history.to_string(), h0.given_history.to_string()),
        ("--history-until", given(&h.history_until, "not given"), given(&h0.history_until, "not given")),
        ("fingerprint (the scenario, divergences or starcity build)", h.fingerprint.clone(), h0.fingerprint.clone()),
    ];
    for (what, theirs, ours) in fields {
        if theirs != ours {
            return Err(FitError::Mismatch { file: file.into(), first: first.into(), what, theirs, ours });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(k: u64, n: u64, total: u64) -> Header {
        let r = range(total, k, n);
        Header {
            format: FORMAT.into(),
            version: VERSION,
            starcity: "0".into(),
            target: target(),
            command: "run".into(),
            output: Some("json".into()),
            given_history: false,
            history_until: None,
            scenario: Source { origin: "s".into(), text: "t".into() },
            divergences: vec![],
            fingerprint: "f".into(),
            seed: 1,
            timelines: total,
            shard: [k, n],
            range: [r.start, r.end],
        }
    }

    #[test]
    fn any_split_covers_every_timeline_once() {
        for n in [1, 2, 3, 7, 1000] {
            let ranges: Vec<_> = (1..=n).map(|k| range(10, k, n)).collect();
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges.last().unwrap().end, 10);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        }
        assert_eq!(range(u64::MAX, 2, 2).end, u64::MAX);
    }

    #[test]
    fn shards_fit_in_any_order_and_gaps_overlaps_and_mismatches_are_named() {
        let hs = [header(3, 3, 100), header(1, 3, 100), header(2, 3, 100)];
        let named: Vec<(String, &Header)> = hs.iter().enumerate().map(|(i, h)| (format!("f{i}"), h)).collect();
        assert_eq!(fit(&named).unwrap(), vec![1, 2, 0]);
        let gap = fit(&named[..2]).unwrap_err();
        assert!(matches!(gap, FitError::Gap { start: 33, end: 66, .. }));
        assert!(gap.to_string().contains("shard 2/3 is missing"), "{gap}");
        let twice = [header(1, 2, 100), header(1, 2, 100), header(2, 2, 100)];
        let named: Vec<(String, &Header)> = twice.iter().enumerate().map(|(i, h)| (format!("f{i}"), h)).collect();
        let err = fit(&named).unwrap_err().to_string();
        assert!(err.contains("f1 and f0 are the same shard (1/2, timelines 0..50)"), "{err}");
        let mixed = [header(1, 2, 100), header(2, 3, 100), header(3, 3, 100)];
        let named: Vec<(String, &Header)> = mixed.iter().enumerate().map(|(i, h)| (format!("f{i}"), h)).collect();
        assert!(matches!(fit(&named), Err(FitError::Overlap { start: 33, .. })));
        let ends = [header(1, 4, 100), header(2, 4, 100)];
        let named: Vec<(String, &Header)> = ends.iter().enumerate().map(|(i, h)| (format!("f{i}"), h)).collect();
        assert!(fit(&named).unwrap_err().to_string().contains("shards 3/4 to 4/4 are missing"));
        let mut other = header(2, 2, 100);
        other.seed = 2;
        let pair = [("a".to_string(), &header(1, 2, 100)), ("b".to_string(), &other)];
        let err = fit(&pair).unwrap_err().to_string();
        assert!(err.contains("b differs from a in seed: 2 against 1"), "{err}");
    }
}

/// Counters written sparsely: `{"len": N, "nz": [[index, value], …]}`. Most histogram cells are
/// zero, so a shard of `space-race` is kilobytes, not megabytes. Reading refuses a length above
/// [`MAX_COUNTERS`] (no allocation bomb from a forged file) and an index outside it.
pub mod sparse {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// The longest counter array of any summary the limits allow (date and shift histograms are
    /// at most twice `histogram-cells` plus a row).
    pub const MAX_COUNTERS: usize = 4 * crate::limits::HISTOGRAM_CELLS.usize();

    #[derive(Serialize, Deserialize)]
    struct Sparse<T> {
        len: usize,
        nz: Vec<(usize, T)>,
    }

    pub fn serialize<T: Copy + Default + PartialEq + Serialize, S: Serializer>(
        v: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let zero = T::default();
        let nz = v.iter().enumerate().filter(|(_, x)| **x != zero).map(|(i, x)| (i, *x)).collect();
        Sparse { len: v.len(), nz }.serialize(s)
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<Vec<T>, D::Error>
    where
        T: Copy + Default + Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let sparse = Sparse::<T>::deserialize(d)?;
        if sparse.len > MAX_COUNTERS {
            return Err(D::Error::custom(format!("{} counters, more than any scenario has", sparse.len)));
        }
        let mut v = vec![T::default(); sparse.len];
        for (i, x) in sparse.nz {
            *v.get_mut(i).ok_or_else(|| D::Error::custom(format!("counter {i} of {}", sparse.len)))? = x;
        }
        Ok(v)
    }
}
