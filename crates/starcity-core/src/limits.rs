//! Every bound on untrusted input, in one table.
//!
//! Scenarios, divergences, launch records, conditions and flags come from users, so each has a
//! bound that keeps a run's time and memory finite and small, enforced where the input enters
//! (the compiler for file contents, the condition parser for conditions, the engine for events,
//! the command line for flags and file sizes). Each bound here is documented in
//! `docs/limits.md` (a test keeps the two in step), with the message a user sees.
//!
//! The bounds are far above what a real scenario needs (the built-in `space-race`, the largest,
//! is given beside each) and low enough that the largest scenario they admit runs in well under
//! 1 GiB: see [`run_memory_bound`] and `docs/limits.md` for the formula and a measurement.

/// One bound: its name as messages and docs give it, its value, and what it bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Short name, as in `docs/limits.md` and in error messages.
    pub name: &'static str,
    pub value: u64,
    /// What is counted, for messages: "a scenario has at most {value} {what}".
    pub what: &'static str,
}

macro_rules! limits {
    ($($(#[$doc:meta])* $id:ident = $value:expr, $name:literal, $what:literal;)*) => {
        $($(#[$doc])* pub const $id: Limit = Limit { name: $name, value: $value, what: $what };)*
        /// Every limit, in the order of `docs/limits.md`.
        pub const ALL: &[Limit] = &[$($id),*];
    };
}

limits! {
    /// Bytes of a scenario or divergence file (`space-race.toml`: 90 kB).
    FILE_BYTES = 4 << 20, "file-bytes", "bytes in a scenario or divergence file";
    /// Bytes of a launch record (the embedded one: 300 kB).
    RECORD_BYTES = 16 << 20, "record-bytes", "bytes in a launch record";
    /// Launches in a record: several times every orbital launch attempt ever made.
    RECORD_LAUNCHES = 10_000, "record-launches", "launches in a record";
    /// Agencies (space-race: 2).
    AGENCIES = 16, "agencies", "agencies";
    /// Vehicles (space-race: 24).
    VEHICLES = 1_000, "vehicles", "vehicles";
    /// Milestones (space-race: 8).
    MILESTONES = 256, "milestones", "milestones";
    /// Missions (space-race: 38).
    MISSIONS = 2_000, "missions", "missions";
    /// Phases of one mission (space-race: at most 12).
    PHASES = 64, "phases", "phases in one mission";
    /// Programs (space-race: 20).
    PROGRAMS = 500, "programs", "programs";
    /// Steps of one program (space-race: at most 6).
    STEPS = 256, "steps", "steps in one program";
    /// Rules (space-race: 12).
    RULES = 2_000, "rules", "rules";
    /// Effects of one rule (space-race: at most 4).
    EFFECTS = 64, "effects", "effects in one rule";
    /// Eras (space-race: 5).
    ERAS = 64, "eras", "eras";
    /// History points (space-race: 7).
    HISTORY = 1_000, "history", "history points";
    /// Budget points of one agency, and background cadences of one vehicle (space-race: 15).
    BUDGET_POINTS = 1_000, "budget-points", "dated points in one budget or background cadence";
    /// Named flights in all the manifests of a scenario (space-race: 148; one program: 47).
    FLIGHTS = 10_000, "flights", "named flights in a scenario";
    /// Names in one list of a named or past flight: crew, backup, vehicles, milestones.
    LIST_ITEMS = 64, "list-items", "names in one crew, vehicle or milestone list of a flight";
    /// Flights flown before the start (space-race: 3).
    PAST = 1_000, "past", "past flights";
    /// Flights and program ends in a scenario's `[record]` (space-race: see `starcity show`).
    REAL = 10_000, "real", "flights and program ends in a scenario's real record";
    /// People in one agency's roster (space-race: 95).
    ROSTER = 2_000, "roster", "people in one agency's roster";
    /// Bytes of one id (space-race: at most 43).
    ID_BYTES = 64, "id-bytes", "bytes in one id";
    /// Bytes of one name, text, description, note or source (space-race: at most 251).
    TEXT_BYTES = 1_000, "text-bytes", "bytes in one name or text";
    /// Years from a scenario's start to its end (space-race: 25).
    SPAN_YEARS = 200, "span-years", "years from start to end";
    /// Date-histogram cells: milestones × agencies × (days of the span + 1). Summaries keep one
    /// counter per cell, so this bounds a run's memory (space-race: 143,792).
    HISTOGRAM_CELLS = 1 << 19, "histogram-cells", "date-histogram cells (milestones x agencies x days)";
    /// Bytes of one condition's text.
    CONDITION_BYTES = 4_096, "condition-bytes", "bytes in one condition";
    /// Nesting depth of a condition: `not`, `and`/`or` groups and parentheses.
    CONDITION_DEPTH = 32, "condition-depth", "levels of nesting in one condition";
    /// Interventions in one divergence file.
    INTERVENTIONS = 500, "interventions", "interventions in one divergence";
    /// Divergences composed with `-d` in one command.
    DIVERGENCES = 32, "divergences", "divergences composed in one command";
    /// Timelines in one command (`-n`): a billion is about 11 core-hours of `space-race`.
    TIMELINES = 1_000_000_000, "timelines", "timelines (-n)";
    /// Bytes of one shard file (`starcity merge`): a shard of `space-race` is about 100 kB; the
    /// largest scenario the limits allow writes at most a few tens of MB.
    SHARD_BYTES = 256 << 20, "shard-bytes", "bytes in one shard file";
    /// Worker threads (`--threads`): results never depend on it; memory grows with it (each
    /// worker holds its own counters and worlds), so it is capped to keep the largest run under 1 GiB.
    THREADS = 32, "threads", "worker threads (--threads)";
    /// Events in one timeline: a loop that makes no progress in time is stopped here
    /// (space-race: at most 339 in 1,000 timelines; `cargo run --example count_events`).
    EVENTS = 1_000_000, "events", "events in one timeline";
    /// Entries in one chronicle (a space-race chronicle has about 200).
    CHRONICLE_ENTRIES = 20_000, "chronicle-entries", "entries in one chronicle";
    /// Work in one timeline: condition nodes evaluated. With the event budget, bounds the time
    /// of a timeline whatever its conditions (this part to about 0.05 s) (space-race: at most 928; `cargo run --example count_events`).
    WORK = 2_000_000, "work", "condition nodes evaluated in one timeline";
}

impl Limit {
    /// The value as a `usize` (every limit fits).
    pub const fn usize(self) -> usize {
        self.value as usize
    }

    /// "at most 256 milestones (limit `milestones`, see docs/limits.md)".
    pub fn describe(self) -> String {
        format!("at most {} {} (limit `{}`, see docs/limits.md)", self.value, self.what, self.name)
    }
}

/// The most a rule's scale effects (budget, risk, pace, reliability) can compound to: far above
/// any meaningful scenario (space-race's largest compound is ×3), small enough that no product
/// of effects reaches infinity.
pub const MAX_SCALE: f64 = 1e6;

/// Crew aboard one flight: flights keep their crew in a fixed array.
pub const MAX_CREW: usize = 16;

/// Distinct vehicles one mission may use: the engine keeps their flight numbers in a fixed array.
pub const MAX_MISSION_VEHICLES: usize = 16;

/// An upper bound, in bytes, of what one ensemble run holds for a scenario of this shape, with
/// `threads` workers, for `compare` (twin summaries and twin worlds, the heavier case).
///
/// Each worker folds into one paired accumulator, and one merged result is kept: `(threads + 1)`
/// accumulators of `16 · cells + 16 · small` bytes, where `cells` is the date-histogram size and
/// `small` the per-program, per-rule, per-era and per-milestone counters. Each worker also reuses
/// two worlds of at most `world` bytes. The compiled scenarios (a small multiple of the file,
/// itself at most `FILE_BYTES`) come on top (see `docs/limits.md`).
pub fn run_memory_bound(cells: u64, small: u64, world: u64, threads: u64) -> u64 {
    // A paired accumulator: two summaries' date histograms (4 bytes a cell each) and the shift
    // histogram (2 cells per cell, 4 bytes each); two summaries' u64 counters elsewhere.
    let per_accumulator = 16 * cells + 2 * 8 * small;
    (threads + 1) * per_accumulator + 2 * threads * world
}

/// The `small` counters of [`run_memory_bound`] for a scenario of this shape, with `forced`
/// forced events (at most `INTERVENTIONS` × `DIVERGENCES`); era budgets are 16-byte sums, so count
/// twice.
pub fn small_counters(agencies: u64, milestones: u64, programs: u64, rules: u64, eras: u64, forced: u64) -> u64 {
    programs * 5 * (1 + eras) + rules + forced + eras * agencies * (milestones + 3) + milestones * (agencies + 1) * 2
}

/// The bytes of one world at most: each vehicle's belief (two grids of 64 `f64`) and its 64
/// held-back flights, per-program, per-era and per-milestone state (with the party credited, 34
/// bytes), each person's state (4 bytes), and per named flight its status and at worst a name
/// list and a series counter of its own (9 bytes), the rotation ring (8 crews of 34 bytes).
pub fn world_bytes(
    agencies: u64,
    milestones: u64,
    vehicles: u64,
    programs: u64,
    eras: u64,
    roster: u64,
    flights: u64,
) -> u64 {
    vehicles * (2 * 64 * 8 + 64 * 8 + 64)
        + programs * (128 + 8 * 34)
        + eras * (agencies * 16 + programs)
        + milestones * agencies * (8 + 34)
        + agencies * roster * 4
        + flights * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_values_positive() {
        let mut names: Vec<&str> = ALL.iter().map(|l| l.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(ALL.iter().all(|l| l.value > 0));
    }

    #[test]
    fn the_largest_allowed_run_stays_under_one_gib() {
        let (a, m, v, p, r, e) =
            (AGENCIES.value, MILESTONES.value, VEHICLES.value, PROGRAMS.value, RULES.value, ERAS.value);
        let small = small_counters(a, m, p, r, e, INTERVENTIONS.value * DIVERGENCES.value);
        let world = world_bytes(a, m, v, p, e, ROSTER.value, FLIGHTS.value);
        let bytes = run_memory_bound(HISTOGRAM_CELLS.value, small, world, THREADS.value);
        // Two compiled scenarios of at most ~16x the largest file, and the runtime's own.
        let scenarios = 2 * 16 * FILE_BYTES.value;
        assert!(bytes + scenarios < 1 << 30, "{} MiB", (bytes + scenarios) >> 20);
    }

    #[test]
    fn docs_list_every_limit_with_its_value() {
        let doc = include_str!("../../../docs/limits.md");
        for l in ALL {
            let row = format!("| `{}` | {} |", l.name, l.value);
            assert!(doc.contains(&row), "docs/limits.md lacks the row `{row}`");
        }
    }

    #[test]
    fn describe_names_the_limit() {
        assert_eq!(MILESTONES.describe(), "at most 256 milestones (limit `milestones`, see docs/limits.md)");
    }
}
