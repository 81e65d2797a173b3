//! Diverging from the record: timelines that replay the real record up to a date, and twin worlds
//! conditioned on the whole of it (Pearl's abduction, action, prediction).
//!
//! **Replay** (`Mode::Replay`): every recorded flight launched before `until` flies on its date,
//! with its mission, its name and crew, and its outcome to the phase; recorded program ends
//! happen on their dates; everything else (milestones, losses, beliefs, rules, budgets) follows
//! from those flights through the ordinary engine. The noise behind each recorded decision is
//! *abducted*, not discarded: a phase that really succeeded gets its uniform from the part of
//! (0, 1) where it succeeds, a real preparation gets the quantile its real duration has, and a
//! preparation still under way at `until` gets a duration that ends after it. Each vehicle's
//! true reliability is drawn from its posterior given the recorded flights (the same grid model
//! as the agencies' beliefs, `reliability.rs`). After `until` the world runs free.
//!
//! **Twin** (`Mode::Twin`): the divergent world of a pair whose baseline replayed the whole record.
//! It imposes nothing; it reads the baseline's [`Tape`] instead, so every decision it shares with
//! the baseline (same key) meets the same abducted luck, and a decision whose inputs are the
//! baseline's gives the baseline's value bit for bit. A no-op divergence therefore reproduces the
//! record in every timeline; a real one changes what follows from it in *our* world.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::dist::LogNormal;
use crate::engine::{Event, Observer, run_timeline};
use crate::reliability::TruthSampler;
use crate::scenario::real::EndFate;
use crate::scenario::{ForceTarget, InterventionKind, Scenario};
use crate::world::{Flight, FlightName, Status, World};

/// How a scenario's timelines are conditioned on its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Replay the record up to `until`, then run free.
    Replay,
    /// The divergent twin of a baseline that replayed the whole record: share its tape.
    Twin,
}

/// The conditioning a scenario's timelines run under (`Scenario::conditioning`).
#[derive(Debug, Clone)]
pub struct Conditioning {
    pub mode: Mode,
    /// Recorded flights launched before this day are replayed (Replay) or taped (Twin).
    pub until: f64,
    pub until_date: NaiveDate,
    /// `[vehicle]`: the true reliability's posterior given the recorded flights (`None`: the prior).
    pub truth: Vec<Option<TruthSampler>>,
    /// `[program]`: the day before which the program may not fly beyond its recorded flights
    /// (`until`, or its recorded end if that comes first).
    pub bound: Vec<f64>,
    /// Keep the abducted noise on the world's tape (the baseline of a counterfactual pair).
    pub write_tape: bool,
    /// `[program]`: the twin's divergence changes the program (edits it, forces one of its named
    /// flights, or removes a rule that cancels it). Such a program does not take its recorded end
    /// or the record's launch decisions (test flight or crew): the record's decisions were about
    /// the program as it was; it keeps the abducted luck of each draw.
    pub changed: Vec<bool>,
    /// A twin's point of divergence (its divergences' `date`, days): before it a changed program
    /// still takes the record's decisions, so the twin is history until then.
    pub twin_from: f64,
}

/// Timelines run to check that a record replays (about 50 µs each).
const PROBES: u64 = 256;

/// Threshold below which a recorded event's probability counts as zero (a record the model
/// cannot produce).
const IMPOSSIBLE: f64 = 1e-9;

/// One abducted decision on the tape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Taped {
    /// The decision's stream state (`noise::Stream::key`); 0: an empty slot.
    pub key: u64,
    /// The uniforms the decision used.
    pub u: [f64; 2],
    /// A duration's inputs in the baseline (start, scale, median, sigma) and the value it gave:
    /// a twin with the same inputs takes the value itself, bit for bit.
    pub inputs: [f64; 4],
    pub value: f64,
    /// A launch decision: (mission, flown as a test, name, whether the vehicles learn from it).
    pub launch: Option<(u32, bool, FlightName, bool)>,
}

/// The abducted noise of one baseline timeline, keyed by decision: an open-addressing table
/// reused from timeline to timeline (cleared, never shrunk).
#[derive(Debug, Clone, Default)]
pub struct Tape {
    slots: Vec<Taped>,
    len: usize,
}

impl Tape {
    pub fn clear(&mut self) {
        if self.len > 0 {
            self.slots.iter_mut().for_each(|s| *s = Taped::default());
            self.len = 0;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn slot(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (key as usize) & mask;
        while self.slots[i].key != 0 && self.slots[i].key != key {
            i = (i + 1) & mask;
        }
        i
    }

    pub fn put(&mut self, mut entry: Taped) {
        entry.key = entry.key.max(1);
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let i = self.slot(entry.key);
        self.len += (self.slots[i].key == 0) as usize;
        self.slots[i] = entry;
    }

    pub fn get(&self, key: u64) -> Option<&Taped> {
        if self.slots.is_empty() {
            return None;
        }
        let s = &self.slots[self.slot(key.max(1))];
        (s.key != 0).then_some(s)
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![Taped::default(); (old.len() * 2).max(256)];
        self.len = 0;
        for e in old.into_iter().filter(|e| e.key != 0) {
            let i = self.slot(e.key);
            self.slots[i] = e;
            self.len += 1;
        }
    }
}

/// A uniform of (0, 1) mapped into `[lo, hi)`: the abducted uniform of a decision whose outcome
/// the record fixes, with `v` its own keyed draw (so it is still keyed by what it is).
/// Strictly below `hi` (when `hi > lo`), so that `u < hi` decides the same way it was abducted.
pub fn within(v: f64, lo: f64, hi: f64) -> f64 {
    let u = (lo + v * (hi - lo)).max(lo);
    if u >= hi && hi > lo { f64::from_bits(hi.to_bits() - 1).max(lo) } else { u }
}

/// Splits an observed gap between a stand-down and the preparation after it: a draw, keyed by
/// `v`, from the stand-down's posterior given that the two sum to `gap` (density proportional to
/// `f_sd(s) f_prep(gap - s)`), on a 64-cell grid.
pub fn split_gap(sd: LogNormal, prep: LogNormal, scale: f64, gap: f64, v: f64) -> f64 {
    const K: usize = 64;
    // ln of the cell midpoints (i + 0.5) once: then a cell's ln s and ln (gap - s) are sums.
    static LN_MID: std::sync::OnceLock<[f64; K]> = std::sync::OnceLock::new();
    let ln_mid = LN_MID.get_or_init(|| std::array::from_fn(|i| (i as f64 + 0.5).ln()));
    let cell = gap / K as f64;
    let ln_cell = cell.ln();
    let (ln_sd, ln_prep) = (sd.median.ln(), (prep.median * scale).ln());
    let log_density = |ln_x: f64, ln_median: f64, sigma: f64| {
        let z = (ln_x - ln_median) / sigma;
        -0.5 * z * z - ln_x
    };
    let logw: [f64; K] = std::array::from_fn(|i| {
        let (ln_s, ln_rest) = (ln_cell + ln_mid[i], ln_cell + ln_mid[K - 1 - i]);
        log_density(ln_s, ln_sd, sd.sigma) + log_density(ln_rest, ln_prep, prep.sigma)
    });
    let top = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: [f64; K] = std::array::from_fn(|i| (logw[i] - top).exp());
    let total: f64 = w.iter().sum();
    let mut target = v * total;
    for (i, &wi) in w.iter().enumerate() {
        if target < wi || i == K - 1 {
            let frac = if wi > 0.0 { (target / wi).clamp(0.0, 1.0) } else { 0.5 };
            return cell * (i as f64 + frac);
        }
        target -= wi;
    }
    gap / 2.0
}

/// A uniform above `a` (the duration must end after a bound), or `None` when that has
/// probability below [`IMPOSSIBLE`].
pub fn above(v: f64, a: f64) -> Option<f64> {
    (1.0 - a >= IMPOSSIBLE).then(|| within(v, a, 1.0))
}

/// Whether a probability is, for the record's purposes, zero.
pub fn impossible(p: f64) -> bool {
    p < IMPOSSIBLE
}

/// Why the record cannot be replayed, found by the engine at `day`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mismatch {
    pub day: f64,
    pub why: Why,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Why {
    /// Recorded flight `flight` was due but its program was in `status` (not preparing it).
    NotReady { flight: u32, status: Status },
    /// Recorded flight `flight` comes before its program could fly again (`free` day).
    TooSoon { flight: u32, free: f64 },
    /// A vehicle of recorded flight `flight` was not ready (lead time) until `ready`.
    LeadTime { flight: u32, vehicle: usize, ready: f64 },
    /// Nobody could crew recorded flight `flight`.
    NoCrew { flight: u32 },
    /// Recorded flight `flight`'s mission has no phase of the recorded name, or does not suit
    /// the flight (a crewed name on an uncrewed mission).
    BadMission { flight: u32, mission: usize },
    /// The recorded outcome of `flight` at `vehicle` has probability zero in the model.
    Impossible { flight: u32, vehicle: usize },
    /// `program` would fly again before `bound` with probability one, and the record has no
    /// flight of it.
    Overdue { program: usize, bound: f64 },
    /// Recorded end `end` came while its program was flying.
    EndInFlight { end: u32 },
}

/// The record could not be replayed: which event and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("the record cannot be replayed: {message}")]
#[diagnostic(
    code(starcity::record),
    help(
        "the model cannot produce this record; correct the `[record]` entry, or the scenario (see docs/counterfactuals.md)"
    )
)]
pub struct RecordError {
    pub message: String,
}

/// Why the conditioning options are refused before anything runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ConditionError {
    #[error("scenario `{0}` has no record of real flights after its start")]
    #[diagnostic(
        code(starcity::no_record),
        help("add a `[record]` (see docs/scenario-format.md), or leave out --history-until")
    )]
    NoRecord(String),
    #[error("{date} is not within the record of `{scenario}`: it starts after {start} and ends on {until}")]
    #[diagnostic(
        code(starcity::history_until),
        help("a date after the scenario start and up to the record's end, or `none`")
    )]
    OutOfRecord { scenario: String, date: NaiveDate, start: NaiveDate, until: NaiveDate },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Record(#[from] RecordError),
}

/// What a report says about its numbers: whether history was re-rolled, replayed to a date, or
/// conditioned on in full; so whether its effects are interventional or counterfactual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Described {
    /// `free` (history re-rolled from the start), `replayed` (the record up to `history_until`,
    /// re-rolled after it) or `counterfactual` (given the whole record, twins on its noise).
    pub mode: &'static str,
    /// `interventional` or `counterfactual`.
    pub effects: &'static str,
    /// The date the record is replayed or conditioned to (none when free).
    pub history_until: Option<String>,
    /// The record used, in words.
    pub record: String,
    /// One sentence for text reports: how history was treated.
    pub text: String,
    /// One sentence for comparisons: what kind of effect the paired differences are.
    pub meaning: String,
}

/// How `sc`'s timelines are conditioned, for reports.
pub fn describe(sc: &Scenario) -> Described {
    let r = &sc.record;
    let Some(c) = sc.conditioning.as_deref() else {
        let record = match r.until_date {
            Some(d) => format!(
                "not used (the scenario's record of {} real flights to {d} is replayed with --history-until or --given-history)",
                r.flights.len()
            ),
            None => "none (the scenario has no record after its start)".into(),
        };
        let text = format!("History is re-rolled from the start ({}) in every timeline.", sc.start);
        let meaning =
            "The effects are interventional: what the change does in worlds like ours, re-rolled from the start."
                .into();
        return Described { mode: "free", effects: "interventional", history_until: None, record, text, meaning };
    };
    let flights = r.flights.iter().filter(|f| f.cut < c.until).count();
    let ends = r.ends.iter().filter(|e| e.day < c.until).count();
    let until = c.until_date;
    let record = format!("{flights} real flights and {ends} program ends of `{}`, {} to {until}", sc.id, sc.start);
    let history_until = Some(until.to_string());
    match (c.mode, c.write_tape) {
        (Mode::Replay, false) => Described {
            mode: "replayed",
            effects: "interventional",
            history_until,
            text: format!(
                "History is replayed as recorded to {until} ({flights} real flights) in every timeline, then re-rolled."
            ),
            meaning: format!(
                "The effects are interventional: what the change does to worlds that shared our past to {until}."
            ),
            record,
        },
        _ => Described {
            mode: "counterfactual",
            effects: "counterfactual",
            history_until,
            text: format!(
                "Given the whole record to {until} ({flights} real flights): the baseline is history in every \
                 timeline, and the divergent twin meets every decision it shares with history with history's own luck."
            ),
            meaning: "The effects are counterfactual: what the change would have done in our world.".into(),
            record,
        },
    }
}

/// `sc` conditioned to replay its record up to `until` (`Mode::Replay`; `write_tape` for the
/// baseline of a counterfactual pair). Runs the replay once to check that the model can produce
/// the record, and to collect the flights each vehicle's true reliability is conditioned on.
pub fn replaying(sc: &Scenario, until: NaiveDate, write_tape: bool) -> Result<Scenario, ConditionError> {
    let Some(end) = sc.record.until_date else { return Err(ConditionError::NoRecord(sc.id.clone())) };
    if until <= sc.start || until > end {
        let scenario = sc.id.clone();
        return Err(ConditionError::OutOfRecord { scenario, date: until, start: sc.start, until: end });
    }
    let day = (until - sc.start).num_days() as f64;
    let bound = (0..sc.programs.len())
        .map(|p| sc.record.ends.iter().filter(|e| e.program == p).map(|e| e.day).fold(day, f64::min))
        .collect();
    let mut cond = Conditioning {
        mode: Mode::Replay,
        until: day,
        until_date: until,
        truth: vec![None; sc.vehicles.len()],
        bound,
        write_tape,
        changed: vec![false; sc.programs.len()],
        twin_from: 0.0,
    };
    let mut probe = sc.clone();
    probe.conditioning = Some(Arc::new(cond.clone()));
    let mut seen = Seen { sc, observed: vec![Vec::new(); sc.vehicles.len()], until: day };
    let mut w = World::default();
    run_timeline(&probe, 0, 0, &mut w, &mut seen);
    // The replay's structure is the record's, but a stand-down with no recorded flight after it
    // is drawn free: probe a few more timelines for a record that only some of them cannot fly.
    for t in 1..PROBES {
        if w.mismatch.is_some() {
            break;
        }
        run_timeline(&probe, 0, t, &mut w, &mut crate::engine::Quiet);
    }
    if let Some(m) = w.mismatch {
        return Err(RecordError { message: explain(sc, m) }.into());
    }
    cond.truth = truth(sc, &seen.observed);
    let mut out = sc.clone();
    out.conditioning = Some(Arc::new(cond));
    Ok(out)
}

/// `div` as the counterfactual twin of `base` (which must replay the whole record with a tape):
/// it shares the baseline's true-reliability posteriors and reads its tape.
pub fn twin_of(base: &Scenario, div: &Scenario) -> Scenario {
    let mut out = div.clone();
    out.conditioning = base.conditioning.as_ref().map(|c| {
        let mut c = (**c).clone();
        c.mode = Mode::Twin;
        c.write_tape = false;
        c.changed = changed_programs(base, div);
        c.twin_from = div.diverges.map_or(0.0, |d| (d - div.start).num_days() as f64);
        Arc::new(c)
    });
    out
}

/// `[program]`: whether `div`'s divergences edit the program, force one of its named flights, or
/// remove a rule of `base` that cancels it.
fn changed_programs(base: &Scenario, div: &Scenario) -> Vec<bool> {
    let mut changed = vec![false; div.programs.len()];
    for i in &div.interventions {
        match &i.kind {
            InterventionKind::Removed(id) => {
                for e in base.rules.iter().filter(|r| &r.id == id).flat_map(|r| &r.effects) {
                    if let crate::scenario::Effect::Cancel { program } = *e {
                        changed[program] = true;
                    }
                }
            }
            InterventionKind::Program(p) => changed[*p] = true,
            InterventionKind::Forced(k) => {
                if let Some(crate::scenario::Forced { target: ForceTarget::Named { program, .. }, .. }) =
                    div.forced.get(*k)
                {
                    changed[*program] = true;
                }
            }
            _ => {}
        }
    }
    changed
}

/// Collects, per vehicle, the (family flight index, failed) of every flight launched before the
/// record's end: what its true reliability is conditioned on.
struct Seen<'a> {
    sc: &'a Scenario,
    observed: Vec<Vec<(u32, bool)>>,
    until: f64,
}

impl Observer for Seen<'_> {
    fn event(&mut self, w: &World, event: Event) {
        if let Event::Launch { program, .. } = event {
            let flight: &Flight = &w.programs[program].flight;
            let FlightName::Named { program: q, index } = flight.name else { return };
            let history = self.sc.record.find(q as usize, index).is_some_and(|f| f.cut < self.until);
            if history && flight.evidence {
                for (v, n, failed) in crate::engine::observations(self.sc, flight) {
                    self.observed[v].push((n, failed));
                }
            }
        }
    }
}

fn truth(sc: &Scenario, observed: &[Vec<(u32, bool)>]) -> Vec<Option<TruthSampler>> {
    sc.vehicles
        .iter()
        .zip(observed)
        .map(|(v, obs)| {
            if v.fixed.is_some() || obs.is_empty() {
                return None;
            }
            let mut post = v.prior.clone();
            obs.iter().for_each(|&(n, failed)| post.observe(n, failed));
            Some(post.sampler())
        })
        .collect()
}

/// A mismatch in words, naming the flight (or program) and its date.
pub fn explain(sc: &Scenario, m: Mismatch) -> String {
    let date = |day: f64| sc.start + chrono::Duration::days(day.floor() as i64);
    let flight = |k: u32| {
        let f = &sc.record.flights[k as usize];
        format!("`{}` ({})", sc.programs[f.program].flights[f.index as usize].name, f.date)
    };
    match m.why {
        Why::NotReady { flight: k, status } => {
            let p = &sc.programs[sc.record.flights[k as usize].program];
            format!("{} did not fly: program `{}` was {} then", flight(k), p.id, status_words(status))
        }
        Why::TooSoon { flight: k, free } => {
            format!("{} comes before its program could fly again ({})", flight(k), date(free))
        }
        Why::LeadTime { flight: k, vehicle, ready } => format!(
            "{}: vehicle `{}` is not ready before {} (its lead time)",
            flight(k),
            sc.vehicles[vehicle].id,
            date(ready)
        ),
        Why::NoCrew { flight: k } => format!("nobody can crew {}", flight(k)),
        Why::BadMission { flight: k, mission } => {
            format!(
                "{} cannot fly as mission `{}` (its crew, or its failed phase, does not fit)",
                flight(k),
                sc.missions[mission].id
            )
        }
        Why::Impossible { flight: k, vehicle } => {
            format!("{}: its outcome has probability zero for vehicle `{}`", flight(k), sc.vehicles[vehicle].id)
        }
        Why::Overdue { program, bound } => format!(
            "program `{}` would have flown again before {} (on {}), and the record has no flight of it",
            sc.programs[program].id,
            date(bound),
            date(m.day)
        ),
        Why::EndInFlight { end } => {
            let e = &sc.record.ends[end as usize];
            format!("program `{}` ends on {} with a flight still up", sc.programs[e.program].id, e.date)
        }
    }
}

fn status_words(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "not started",
        Status::Waiting => "waiting for a step's requirement",
        Status::Preparing => "preparing another flight",
        Status::Flying => "flying another flight",
        Status::Done => "done",
        Status::Cancelled => "cancelled",
        Status::Retired => "retired",
    }
}

/// The program status a recorded end leaves.
pub fn end_status(f: EndFate) -> Status {
    match f {
        EndFate::Done => Status::Done,
        EndFate::Cancelled => Status::Cancelled,
        EndFate::Retired => Status::Retired,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tape_finds_what_it_holds_and_grows() {
        let mut t = Tape::default();
        for k in 1..2000u64 {
            t.put(Taped { key: k.wrapping_mul(0x9E37_79B9_7F4A_7C15), value: k as f64, ..Taped::default() });
        }
        assert_eq!(t.len(), 1999);
        for k in 1..2000u64 {
            assert_eq!(t.get(k.wrapping_mul(0x9E37_79B9_7F4A_7C15)).map(|e| e.value), Some(k as f64));
        }
        assert!(t.get(12345).is_none());
        t.clear();
        assert!(t.is_empty() && t.get(0x9E37_79B9_7F4A_7C15).is_none());
    }

    #[test]
    fn a_split_gap_is_inside_it_and_follows_the_keyed_draw() {
        let sd = LogNormal { median: 60.0, sigma: 0.5 };
        let prep = LogNormal { median: 50.0, sigma: 0.4 };
        let mut last = 0.0;
        for v in [0.001, 0.2, 0.5, 0.8, 0.999] {
            let s = split_gap(sd, prep, 1.0, 140.0, v);
            assert!(s > 0.0 && s < 140.0 && s >= last, "v {v}: {s}");
            last = s;
        }
    }

    #[test]
    fn an_abducted_uniform_stays_in_its_region() {
        assert!((within(0.5, 0.2, 0.4) - 0.3).abs() < 1e-15);
        assert_eq!(above(0.5, 1.0), None);
        assert!(above(0.5, 0.9).is_some_and(|u| u >= 0.9));
    }
}
