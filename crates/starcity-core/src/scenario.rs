//! Scenarios: loading a TOML file, checking it, and compiling it into the index-based model the
//! engine runs.
//!
//! **Invariant:** every name is resolved and every number range-checked here, at load time, with
//! the error pointing at file:line:col. The engine never sees a string or an unchecked value.

pub mod condition;
mod errors;
mod manifest;
pub(crate) mod raw;
pub mod real;
mod sizes;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use toml::Spanned;
use toml::value::Datetime;

pub use condition::{Cond, Op};
pub use errors::{LoadError, LoadErrors};

use crate::dist::LogNormal;
use crate::limits;
use crate::noise::name_key;
use crate::reliability::{Posterior, TruthSampler};
use crate::world::ROTATION_RING;

pub use crate::limits::MAX_MISSION_VEHICLES;

/// The kinds of thing a scenario names and a reference can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Agency,
    Vehicle,
    Milestone,
    Mission,
    Program,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Agency => "agency",
            Kind::Vehicle => "vehicle",
            Kind::Milestone => "milestone",
            Kind::Mission => "mission",
            Kind::Program => "program",
        }
    }
}

/// Agency ids reports use for something else: `none` is the "nobody was first" column.
pub const RESERVED_AGENCY_IDS: &[&str] = &["none"];

/// A compiled scenario: everything resolved to indices, every number checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub name: String,
    pub description: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Days from `start` to `end`.
    pub horizon: f64,
    pub elasticity: f64,
    pub agencies: Vec<Agency>,
    pub vehicles: Vec<Vehicle>,
    pub milestones: Vec<Milestone>,
    pub missions: Vec<Mission>,
    pub programs: Vec<Program>,
    pub rules: Vec<Rule>,
    pub eras: Vec<Era>,
    /// Real dated events to check the model against (`[[history]]`).
    pub history: Vec<HistoryPoint>,
    /// Flights flown before the start (`[[past]]`), in date order: every timeline begins with them.
    pub past: Vec<PastFlight>,
    /// Name series ("Apollo", "Soyuz") that flights beyond the manifests continue.
    pub series: Vec<Series>,
    /// Every day at which some `after(..)` condition flips, sorted: the engine wakes up then.
    pub wake_days: Vec<f64>,
    /// Some condition counts flights (`flights(..)`): launches must trigger re-evaluation.
    pub counts_flights: bool,
    /// `[vehicle]`: some condition reads this vehicle's record, so its flights must trigger
    /// re-evaluation; others' need not.
    pub watched: Vec<bool>,
    /// `[vehicle]`: an agency's belief about this vehicle can decide something (it flies on the
    /// crewed mission of a step with a test flight, where the crew decision reads it). Landings
    /// of other vehicles need not be folded into a belief nobody reads.
    pub believed: Vec<bool>,
    /// What all the scenario's conditions read together (see `condition::reads`): a change of
    /// any other kind needs no re-evaluation at all.
    pub reads_any: u8,
    /// Programs with a condition of their own (`when`, `cancel`, `retire`, a step's
    /// `requires`): the only ones a change of state can move, so the only ones `settle` visits.
    pub conditional: Vec<usize>,
    /// Events whose outcome a divergence forces (empty in a plain scenario).
    pub forced: Vec<Forced>,
    /// `forced` sorted by target: (0 for a vehicle, 1 for a mission or 2 for a named flight's
    /// program, its index, flight, index into `forced`), so the engine finds a phase's forced
    /// outcome by binary search.
    pub forced_index: Vec<(u8, usize, u32, usize)>,
    /// What each applied divergence did, for reports.
    pub interventions: Vec<InterventionInfo>,
    /// Ids of the divergences applied, in order.
    pub divergences: Vec<String>,
    /// Where removed rules would have fired: chronicles tell the divergence there ("Korolev
    /// survives" on the day the baseline's Korolev died). The engine ignores them.
    pub markers: Vec<Marker>,
    /// The real record after the start (`[record]`; empty if the scenario has none).
    pub record: real::RealRecord,
    /// The point of divergence of the divergences applied (their earliest `date`), if they give one.
    pub diverges: Option<NaiveDate>,
    /// How timelines are conditioned on the record (`None`: history re-rolled from the start).
    pub conditioning: Option<std::sync::Arc<crate::replay::Conditioning>>,
}

/// A removed rule's moment: when its condition holds, plus its delay, history changes.
#[derive(Debug, Clone)]
pub struct Marker {
    pub when: Cond,
    pub delay: f64,
    /// The agency the removed rule acted on, if any.
    pub agency: Option<usize>,
    /// Index into `Scenario::interventions` (its story).
    pub intervention: usize,
}

/// An identified event whose outcome a divergence forces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forced {
    pub target: ForceTarget,
    /// Only the phase with this name key (see `Phase::name_key`); all of the target's phases if
    /// `None` (for `failure`, `abort` and `loss`, the first one reached).
    pub phase: Option<u64>,
    pub outcome: ForcedOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ForceTarget {
    /// The vehicle's `flight`-th flight in the timeline (0-based).
    Vehicle { vehicle: usize, flight: u32 },
    /// The mission's `flight`-th flight in the timeline (0-based).
    Mission { mission: usize, flight: u32 },
    /// A named flight: entry `flight` of the program's manifest, whatever mission it flies.
    Named { program: usize, flight: u16 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForcedOutcome {
    Success,
    /// Fails; whether the crew survives is drawn as usual.
    Failure,
    /// Fails; the crew survives.
    Abort,
    /// Fails; the crew is lost.
    Loss,
}

/// One intervention of a divergence, as reports describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct InterventionInfo {
    /// What was changed, with its sources (the divergence's `note`).
    pub text: String,
    /// How a chronicle tells it: the `story`, else the note without its sources.
    pub story: String,
    pub kind: InterventionKind,
}

/// How to count the timelines an intervention applied in.
#[derive(Debug, Clone, PartialEq)]
pub enum InterventionKind {
    /// Index into `Scenario::forced`: applied when the event happened.
    Forced(usize),
    /// Index into `Scenario::rules`: applied when the rule fired.
    Rule(usize),
    /// A removed rule (by id): applied where the baseline's rule fired.
    Removed(String),
    /// An edited program: applied where the program started.
    Program(usize),
    /// A rule this divergence added or replaced, removed again by a later one: applied nowhere.
    Undone,
}

#[derive(Debug, Clone)]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub key: u64,
    pub risk: f64,
    /// The roster, in the order crews are drawn from it beyond the named flights.
    pub crew: Vec<Person>,
    pub substitution: Substitution,
    /// A backup crew flies as prime this many crewed flights of its program later (0: no rotation).
    pub rotation: u32,
    /// (day from start, level), sorted by day; the first day is ≤ 0.
    pub budget: Vec<(f64, f64)>,
}

impl Agency {
    /// The scheduled funding level at `day` (before any rule's scaling).
    #[inline]
    pub fn budget_at(&self, day: f64) -> f64 {
        // The last point at or before `day`; before the first, the first (checked ≤ start at load).
        let i = self.budget.partition_point(|&(d, _)| d <= day);
        self.budget[i.saturating_sub(1)].1
    }

    /// `budget_at(day)`, found by walking on from `cursor` (the point found last time) instead of
    /// a binary search: a timeline's days only grow, so the walk is a step or none. The engine
    /// asks at every preparation.
    #[inline]
    pub fn budget_from(&self, day: f64, cursor: &mut u32) -> f64 {
        let points = &self.budget;
        let mut i = *cursor as usize;
        // Back to the start if the day went back (or is NaN): the search's answer either way.
        if i >= points.len() || points[i].0 > day || day.is_nan() {
            i = 0;
        }
        while i + 1 < points.len() && points[i + 1].0 <= day {
            i += 1;
        }
        *cursor = i as u32;
        points[i].1
    }
}

/// Someone who may fly: in service from `from` until `until` (days from the start).
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub name: String,
    pub from: f64,
    pub until: f64,
}

impl Person {
    /// In service on `day` (alive and not flying are the world's business).
    #[inline]
    pub fn serves(&self, day: f64) -> bool {
        self.from <= day && day < self.until
    }
}

/// How an agency replaces a crew member who cannot fly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Substitution {
    /// The backup in that seat flies (NASA: Swigert for Mattingly on Apollo 13).
    Seat,
    /// The whole backup crew flies (the Soviet practice: Soyuz 11).
    Crew,
}

/// A flight of a program's manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedFlight {
    pub name: String,
    /// The real (or planned) date, if given.
    pub date: Option<NaiveDate>,
    /// Prime and backup crews as roster indices, in seat order (the landing party first).
    pub crew: Vec<u16>,
    pub backup: Vec<u16>,
    /// Only flights of this mission take this name.
    pub mission: Option<usize>,
    /// The number at the end of the name ("Apollo 13": 13), if any.
    pub number: Option<u32>,
}

/// The names one kind of flight of a program takes, in order: crewed or uncrewed flights,
/// of one mission or of any.
#[derive(Debug, Clone, PartialEq)]
pub struct NameList {
    pub crewed: bool,
    pub mission: Option<usize>,
    /// Indices into `Program::flights`.
    pub entries: Vec<u16>,
    /// The series that names flights beyond the list ("Apollo 21"), from its last numbered name.
    pub series: Option<usize>,
    /// The highest number among the list's names (a repeated flight borrows only above it).
    pub top: u32,
    /// The lists (program, list) of the same series and kind a flight may borrow a name from
    /// once this one is used up, found at load so a launch does not search the scenario.
    pub lenders: Vec<(u16, u16)>,
}

/// A name series: flights beyond the manifests are named `prefix` + a number from `next` +
/// `suffix` ("Apollo 21", "N1 9L").
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub prefix: String,
    pub suffix: String,
    /// The first number no manifest uses.
    pub next: u32,
}

/// A flight flown before the scenario starts.
#[derive(Debug, Clone, PartialEq)]
pub struct PastFlight {
    pub name: String,
    pub agency: usize,
    pub date: NaiveDate,
    /// Days from the start (negative).
    pub day: f64,
    pub crew: Vec<u16>,
    pub vehicles: Vec<usize>,
    pub achieves: Vec<usize>,
    pub lost: bool,
    pub source: String,
}

/// Where a vehicle's prior came from, for reports and `--show-priors`.
#[derive(Debug, Clone, PartialEq)]
pub enum PriorSource {
    /// The launch record's family, with this many flights before the scenario start.
    Family { family: String, flights_before: u32 },
    /// A stated Beta prior on the first-flight failure probability.
    Stated { mean: f64, strength: f64 },
    /// A known, constant failure probability: no uncertainty, no growth.
    Fixed { failure: f64 },
}

#[derive(Debug, Clone)]
pub struct Vehicle {
    pub id: String,
    pub name: String,
    pub key: u64,
    pub agency: usize,
    /// The prior over the first-flight failure probability, conditioned on the record.
    pub prior: Posterior,
    /// The prior's inverse CDF: each timeline's truth is drawn from it.
    pub truth: TruthSampler,
    /// Flights of the family before the scenario start: the growth curve continues from here.
    pub flights_before: u32,
    pub lead_days: f64,
    pub source: PriorSource,
    /// A known, constant failure probability (`failure = P`): the truth in every timeline.
    pub fixed: Option<f64>,
    /// Other flights of the family outside the race: (day from, flights per day), sorted.
    pub background: Vec<(f64, f64)>,
    /// How prose names it, if not by its name.
    pub called: Option<String>,
}

impl Vehicle {
    /// Flights of the family outside the race by `day` (whole flights). They move the vehicle
    /// along its growth curve, for the truth and for its agency's predictions, without events.
    #[inline]
    pub fn background_flights(&self, day: f64) -> u32 {
        let mut total = 0.0;
        for (i, &(from, rate)) in self.background.iter().enumerate() {
            if day <= from {
                break;
            }
            let until = self.background.get(i + 1).map_or(day, |next| next.0.min(day));
            total += rate * (until - from);
        }
        total as u32
    }

    /// The family flight index of this vehicle's flight `n` of the timeline, made on `day`.
    #[inline]
    pub fn family_index(&self, n: u32, day: f64) -> u32 {
        if self.background.is_empty() {
            self.flights_before + n
        } else {
            self.flights_before + n + self.background_flights(day)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Mission {
    pub id: String,
    pub name: String,
    pub crew: u32,
    pub phases: Vec<Phase>,
    /// The distinct vehicles of the mission, in order of first use.
    pub vehicles: Vec<usize>,
    /// Day of the last phase: when the mission's results become known.
    pub duration: f64,
    /// How prose names its rocket, if not by its first vehicle.
    pub launcher: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Phase {
    pub name: String,
    /// `name_key(name)`: how forced outcomes name a phase without strings in the engine.
    pub name_key: u64,
    pub vehicle: usize,
    /// Index of `vehicle` in the mission's `vehicles`.
    pub local: usize,
    /// The ordinal of this phase among the phases of the same vehicle in the mission (part of the
    /// phase's random key, so two phases of one flight draw different numbers).
    pub slot: u32,
    pub share: f64,
    pub day: f64,
    pub loss: f64,
    pub achieves: Vec<usize>,
    /// Which seats of the crew take part (bit `k` for seat `k + 1`); 0: all of them.
    pub party: u16,
    /// How prose names the phase, if not by the chronicle's glossary.
    pub called: Option<String>,
}

/// How a program starts.
#[derive(Debug, Clone)]
pub enum Start {
    On(f64),
    When(Cond),
    /// Only a rule's `start` effect starts it.
    ByRule,
}

#[derive(Debug, Clone)]
pub struct Program {
    pub id: String,
    pub name: String,
    pub key: u64,
    pub agency: usize,
    pub start: Start,
    pub cancel: Option<Cond>,
    /// `cancel.reads()`, cached.
    pub cancel_reads: u8,
    /// Retired (ended without completing) when this holds: its successor has taken over.
    pub retire: Option<Cond>,
    pub retire_reads: u8,
    /// The named flights, in order.
    pub flights: Vec<NamedFlight>,
    /// `flights` sorted into the lists launches take their names from (see `crew::name_flight`).
    pub lists: Vec<NameList>,
    /// Where this program's lists start in `World::list_used`.
    pub list_base: usize,
    /// What a `when` start condition reads, cached (0 for other starts).
    pub start_reads: u8,
    pub stand_down: LogNormal,
    pub loss_stand_down: LogNormal,
    pub clean_flights: u32,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// The step's random-key identity: its position in the scenario file, kept when a divergence
    /// skips or inserts steps, so the other steps keep their noise.
    pub key: u64,
    pub mission: usize,
    pub name: Option<String>,
    pub prep: LogNormal,
    pub repeat: u32,
    pub requires: Option<Cond>,
    pub test: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub when: Cond,
    /// `when.reads()`, cached: what state changes can make the rule fire.
    pub reads: u8,
    pub delay: f64,
    /// Checked again when delayed effects come due: they apply only if it holds.
    pub still: Option<Cond>,
    pub text: String,
    pub effects: Vec<Effect>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    Budget {
        agency: usize,
        scale: f64,
    },
    Risk {
        agency: usize,
        scale: f64,
    },
    Pace {
        program: usize,
        scale: f64,
    },
    Start {
        program: usize,
    },
    Cancel {
        program: usize,
    },
    /// The vehicle's true failure probability is multiplied by `scale` (divergences only).
    Reliability {
        vehicle: usize,
        scale: f64,
    },
}

/// A real event: who reached which milestone when, and the source that says so.
#[derive(Debug, Clone)]
pub struct HistoryPoint {
    pub milestone: usize,
    pub agency: usize,
    pub date: NaiveDate,
    pub day: f64,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Era {
    pub day: f64,
    pub date: NaiveDate,
    pub name: String,
}

impl Scenario {
    /// Compiles a scenario from TOML text; `origin` names it in errors (a path or `<builtin:…>`).
    pub fn from_toml(origin: &str, text: &str) -> Result<Scenario, LoadErrors> {
        let src = Arc::new(text.to_string());
        let file: raw::File = toml::from_str(text).map_err(|e| LoadErrors::syntax(origin, &src, &e))?;
        let mut c = Compiler::new(origin, src.clone());
        let scenario = c.compile(file);
        match scenario {
            Some(s) if c.errors.is_empty() => Ok(s),
            _ => Err(c.take_errors()),
        }
    }

    /// Parses a condition (the language of rules) against this scenario's names, as given on the
    /// command line (`chronicle --where`); errors point into `text`, named `origin`.
    pub fn parse_condition(&self, origin: &str, text: &str) -> Result<Cond, LoadErrors> {
        let mut c = Compiler::for_scenario(origin, Arc::new(text.to_string()), self);
        let parsed = condition::parse(text, &CondNames { c: &c });
        parsed.map_err(|e| {
            // Positions are in `text` itself: the error's line:col is the user's own column.
            let at = e.at.start.min(text.len())..e.at.end.max(e.at.start + 1).min(text.len().max(1));
            c.error(at, e.message, "a condition (see docs/scenario-format.md, Conditions)");
            c.take_errors()
        })
    }

    /// Rebuilds `forced_index` (after a divergence added forced events).
    pub fn index_forced(&mut self) {
        self.forced_index = (self.forced.iter().enumerate())
            .map(|(k, f)| match f.target {
                ForceTarget::Vehicle { vehicle, flight } => (0, vehicle, flight, k),
                ForceTarget::Mission { mission, flight } => (1, mission, flight, k),
                ForceTarget::Named { program, flight } => (2, program, flight as u32, k),
            })
            .collect();
        self.forced_index.sort_unstable();
    }

    /// Recomputes `wake_days` from every condition, and the indices derived from conditions and
    /// steps (`watched`, `reads_any`, `conditional`, `believed`): after a divergence changed them.
    pub fn refresh_wake_days(&mut self) {
        let mut days = Vec::new();
        for p in &self.programs {
            if let Start::When(c) = &p.start {
                c.days(&mut days);
            }
            for c in p.cancel.iter().chain(p.retire.iter()) {
                c.days(&mut days);
            }
            for s in &p.steps {
                if let Some(c) = &s.requires {
                    c.days(&mut days);
                }
            }
        }
        for r in &self.rules {
            r.when.days(&mut days);
        }
        let mut conds: Vec<&Cond> = self.rules.iter().map(|r| &r.when).collect();
        for p in &self.programs {
            if let Start::When(c) = &p.start {
                conds.push(c);
            }
            conds.extend(p.cancel.iter());
            conds.extend(p.retire.iter());
            conds.extend(p.steps.iter().filter_map(|s| s.requires.as_ref()));
        }
        self.counts_flights = conds.iter().any(|c| c.counts_flights());
        let mut watched = Vec::new();
        conds.iter().for_each(|c| c.vehicles(&mut watched));
        self.watched = vec![false; self.vehicles.len()];
        for v in watched {
            self.watched[v] = true;
        }
        // Waiting programs are re-checked on every pass, so program changes always count.
        self.reads_any = conds.iter().fold(condition::reads::PROGRAMS, |m, c| m | c.reads());
        self.conditional = (self.programs.iter().enumerate())
            .filter(|(_, p)| {
                matches!(p.start, Start::When(_))
                    || p.cancel.is_some()
                    || p.retire.is_some()
                    || p.steps.iter().any(|s| s.requires.is_some())
            })
            .map(|(i, _)| i)
            .collect();
        days.retain(|d| *d > 0.0);
        days.sort_by(f64::total_cmp);
        days.dedup();
        self.wake_days = days;
        self.believed = self.believed_vehicles();
    }

    /// `believed`: the vehicles of every crewed mission that a step with a test flight flies,
    /// the only missions whose crew decision (`engine::crew_allowed`) reads beliefs.
    fn believed_vehicles(&self) -> Vec<bool> {
        let mut believed = vec![false; self.vehicles.len()];
        let steps = self.programs.iter().flat_map(|p| &p.steps);
        for step in steps.filter(|s| s.test.is_some() && self.missions[s.mission].crew > 0) {
            self.missions[step.mission].vehicles.iter().for_each(|&v| believed[v] = true);
        }
        believed
    }

    /// The days from the start of a date (negative before the start).
    pub fn day_of(&self, date: NaiveDate) -> f64 {
        (date - self.start).num_days() as f64
    }

    /// The calendar date of a (fractional) day from the start.
    pub fn date_of(&self, day: f64) -> NaiveDate {
        self.start + chrono::Duration::days(day.floor() as i64)
    }

    /// The agency an effect acts on (for telling whose story it is).
    pub fn effect_agency(&self, e: &Effect) -> usize {
        match *e {
            Effect::Budget { agency, .. } | Effect::Risk { agency, .. } => agency,
            Effect::Pace { program, .. } | Effect::Start { program } | Effect::Cancel { program } => {
                self.programs[program].agency
            }
            Effect::Reliability { vehicle, .. } => self.vehicles[vehicle].agency,
        }
    }

    /// Sorts the manifests into name lists again (after a divergence changed a crew).
    pub(crate) fn index_names(&mut self) {
        self.series = manifest::index_names(&mut self.programs, &self.past);
    }

    /// The day (before the start) agency `a` reached milestone `m` on a past flight, if it did.
    pub fn past_reached(&self, m: usize, a: usize) -> Option<f64> {
        self.past.iter().find(|f| f.agency == a && f.achieves.contains(&m)).map(|f| f.day)
    }

    pub fn n_agencies(&self) -> usize {
        self.agencies.len()
    }

    pub fn agency_index(&self, id: &str) -> Option<usize> {
        self.agencies.iter().position(|a| a.id == id)
    }

    pub fn milestone_index(&self, id: &str) -> Option<usize> {
        self.milestones.iter().position(|m| m.id == id)
    }
}

/// Collects errors while compiling, so `check` can show all of them at once.
pub(crate) struct Compiler {
    origin: String,
    src: Arc<String>,
    pub(crate) errors: Vec<LoadError>,
    /// Errors found past `errors::MAX_ERRORS`: counted, not kept.
    more_errors: usize,
    start: NaiveDate,
    agencies: HashMap<String, usize>,
    vehicles: HashMap<String, usize>,
    milestones: HashMap<String, usize>,
    missions: HashMap<String, usize>,
    programs: HashMap<String, usize>,
    /// Named flights: name → (program, manifest index).
    flights: HashMap<String, (usize, u16)>,
    /// People: name → (agency, roster index).
    people: HashMap<String, (usize, u16)>,
}

type Span = std::ops::Range<usize>;

impl Compiler {
    /// A compiler for a file that refers to the names of an already compiled scenario (a
    /// divergence): errors point into that file, names resolve in the scenario.
    pub(crate) fn for_scenario(origin: &str, src: Arc<String>, sc: &Scenario) -> Self {
        let mut c = Compiler::new(origin, src);
        c.start = sc.start;
        let map = |ids: Vec<&String>| ids.into_iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        c.agencies = map(sc.agencies.iter().map(|x| &x.id).collect());
        c.vehicles = map(sc.vehicles.iter().map(|x| &x.id).collect());
        c.milestones = map(sc.milestones.iter().map(|x| &x.id).collect());
        c.missions = map(sc.missions.iter().map(|x| &x.id).collect());
        c.programs = map(sc.programs.iter().map(|x| &x.id).collect());
        for (p, prog) in sc.programs.iter().enumerate() {
            for (i, f) in prog.flights.iter().enumerate() {
                c.flights.entry(f.name.clone()).or_insert((p, i as u16));
            }
        }
        c.index_people(sc.agencies.iter().map(|a| a.crew.as_slice()));
        c
    }

    /// Fills the people table from the rosters (the first agency wins a name both list).
    fn index_people<'p>(&mut self, rosters: impl Iterator<Item = &'p [Person]>) {
        for (a, roster) in rosters.enumerate() {
            for (i, person) in roster.iter().enumerate() {
                self.people.entry(person.name.clone()).or_insert((a, i as u16));
            }
        }
    }

    fn new(origin: &str, src: Arc<String>) -> Self {
        Compiler {
            origin: origin.to_string(),
            src,
            errors: Vec::new(),
            more_errors: 0,
            start: NaiveDate::MIN,
            agencies: HashMap::new(),
            vehicles: HashMap::new(),
            milestones: HashMap::new(),
            missions: HashMap::new(),
            programs: HashMap::new(),
            flights: HashMap::new(),
            people: HashMap::new(),
        }
    }

    /// The errors found, for returning (with a last one saying how many more were not listed).
    pub(crate) fn take_errors(&mut self) -> LoadErrors {
        let mut errors = std::mem::take(&mut self.errors);
        if self.more_errors > 0 {
            let m = format!("{} more errors not listed (the first {} are above)", self.more_errors, errors.len());
            errors.push(LoadError::whole(&self.origin, m));
            self.more_errors = 0;
        }
        LoadErrors::new(&self.origin, errors)
    }

    /// Records an error; past `MAX_ERRORS` only counts it (see `take_errors`).
    pub(crate) fn error(&mut self, span: Span, message: impl Into<String>, expected: impl Into<String>) {
        if self.errors.len() < errors::MAX_ERRORS {
            self.errors.push(LoadError::new(&self.origin, &self.src, span, message.into(), expected.into()));
        } else {
            self.more_errors += 1;
        }
    }

    fn compile(&mut self, f: raw::File) -> Option<Scenario> {
        if !self.check_sizes(&f) {
            return None;
        }
        let header_span = f.scenario.span();
        let start = self.date(&f.scenario.get_ref().start)?;
        self.start = start;
        let end = self.date(&f.scenario.get_ref().end)?;
        if end <= start {
            self.error(
                f.scenario.get_ref().end.span(),
                format!("the end {end} is not after the start {start}"),
                "a date after `start`",
            );
        }
        if !self.check_span(&f, start, end) {
            return None;
        }
        let header = f.scenario.into_inner();
        self.check_id(&header.id);
        let elasticity = self.number(header.elasticity.as_ref(), 1.0, 0.0, 5.0, "a number from 0 to 5");

        self.index("agency", &f.agency, |a| &a.id, |c| &mut c.agencies);
        self.index("vehicle", &f.vehicle, |v| &v.id, |c| &mut c.vehicles);
        self.index("milestone", &f.milestone, |m| &m.id, |c| &mut c.milestones);
        self.index("mission", &f.mission, |m| &m.id, |c| &mut c.missions);
        self.index("program", &f.program, |p| &p.id, |c| &mut c.programs);
        if f.agency.is_empty() {
            self.error(header_span, "the scenario has no `[[agency]]`", "at least one agency");
        }

        let agencies = f.agency.iter().map(|a| self.agency(a.get_ref(), a.span())).collect::<Vec<_>>();
        let vehicles = f.vehicle.iter().map(|v| self.vehicle(v.get_ref(), v.span())).collect::<Vec<_>>();
        let milestones = f
            .milestone
            .iter()
            .map(|m| Milestone { id: m.get_ref().id.get_ref().clone(), name: m.get_ref().name.clone() })
            .collect();
        let missions = f.mission.iter().map(|m| self.mission(m.get_ref(), m.span())).collect::<Vec<_>>();
        let people: Vec<Vec<Person>> =
            agencies.iter().map(|a| a.as_ref().map(|a| a.crew.clone()).unwrap_or_default()).collect();
        let rosters = manifest::roster_maps(&people);
        self.index_people(people.iter().map(Vec::as_slice));
        for (p, prog) in f.program.iter().enumerate() {
            for (i, fl) in prog.get_ref().flights.iter().enumerate() {
                self.flights.entry(fl.get_ref().name.get_ref().clone()).or_insert((p, i as u16));
            }
        }
        let programs = f
            .program
            .iter()
            .map(|p| self.program(p.get_ref(), p.span(), &missions, &people, &rosters))
            .collect::<Vec<_>>();
        let past = self.past(&f.past, &rosters, &people);
        self.unique_flight_names(&f.program, &f.past);
        let rules = self.rules(&f.rule);
        let mut eras = Vec::new();
        for e in &f.era {
            let e = e.get_ref();
            if let Some(date) = self.date(&e.date) {
                if date < start || date > end {
                    self.error(
                        e.date.span(),
                        format!("era date {date} lies outside the scenario"),
                        format!("a date from {start} to {end}"),
                    );
                }
                eras.push(Era { day: (date - start).num_days() as f64, date, name: e.name.clone() });
            }
        }
        eras.sort_by(|a, b| a.day.total_cmp(&b.day));
        let mut history = Vec::new();
        for h in &f.history {
            let h = h.get_ref();
            let (m, a, d) = (
                self.resolve(Kind::Milestone, &h.milestone),
                self.resolve(Kind::Agency, &h.agency),
                self.date(&h.date),
            );
            if let (Some(milestone), Some(agency), Some(date)) = (m, a, d) {
                if date < start || date > end {
                    self.error(
                        h.date.span(),
                        format!("history date {date} lies outside the scenario"),
                        format!("a date from {start} to {end}"),
                    );
                }
                let day = (date - start).num_days() as f64;
                history.push(HistoryPoint { milestone, agency, date, day, source: h.source.clone() });
            }
        }

        let agencies: Vec<Agency> = agencies.into_iter().collect::<Option<_>>()?;
        let vehicles: Vec<Vehicle> = vehicles.into_iter().collect::<Option<_>>()?;
        let missions: Vec<Mission> = missions.into_iter().collect::<Option<_>>()?;
        let mut programs: Vec<Program> = programs.into_iter().collect::<Option<_>>()?;
        let series = manifest::index_names(&mut programs, &past);
        if let Some(cycle) = prerequisite_cycle(&programs) {
            let names: Vec<&str> = cycle.iter().map(|&p| programs[p].id.as_str()).collect();
            self.error(
                f.program[cycle[0]].get_ref().id.span(),
                format!("cyclic prerequisites: {}", names.join(" → ")),
                "programs whose `when` and `requires` conditions do not wait on each other in a circle",
            );
            return None;
        }
        Some(Scenario {
            id: header.id.into_inner(),
            name: header.name,
            description: header.description,
            start,
            end,
            horizon: (end - start).num_days() as f64,
            elasticity,
            agencies,
            vehicles,
            milestones,
            missions,
            programs,
            rules,
            eras,
            history,
            past,
            series,
            wake_days: Vec::new(),
            counts_flights: false,
            watched: Vec::new(),
            believed: Vec::new(),
            reads_any: 0,
            conditional: Vec::new(),
            forced: Vec::new(),
            forced_index: Vec::new(),
            interventions: Vec::new(),
            divergences: Vec::new(),
            markers: Vec::new(),
            record: real::RealRecord::default(),
            diverges: None,
            conditioning: None,
        })
        .map(|mut s| {
            s.record = self.record(f.record.as_ref(), &s);
            s.refresh_wake_days();
            s
        })
    }

    pub(crate) fn date(&mut self, d: &Spanned<Datetime>) -> Option<NaiveDate> {
        self.plain_date(d.span(), d.get_ref())
    }

    /// A TOML date with no time or offset; an error at `span` otherwise.
    pub(crate) fn plain_date(&mut self, span: Span, v: &Datetime) -> Option<NaiveDate> {
        let parsed = match (v.date, v.time, v.offset) {
            (Some(date), None, None) => NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32),
            _ => None,
        };
        if parsed.is_none() {
            self.error(span, format!("`{v}` is not a plain date"), "a date like 1969-07-20 (no time)");
        }
        parsed
    }

    pub(crate) fn check_id(&mut self, id: &Spanned<String>) {
        let s = id.get_ref();
        if s.len() > limits::ID_BYTES.usize() {
            self.error(id.span(), format!("an id of {} bytes", s.len()), limits::ID_BYTES.describe());
            return;
        }
        let ok = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            self.error(id.span(), format!("`{s}` is not a valid id"), "letters, digits, `-` and `_` only");
        }
    }

    /// Registers ids of one kind, reporting duplicates.
    fn index<T>(
        &mut self,
        kind: &str,
        items: &[Spanned<T>],
        id: impl Fn(&T) -> &Spanned<String>,
        map: impl Fn(&mut Self) -> &mut HashMap<String, usize>,
    ) {
        for (i, item) in items.iter().enumerate() {
            let id = id(item.get_ref());
            self.check_id(id);
            if map(self).insert(id.get_ref().clone(), i).is_some() {
                self.error(
                    id.span(),
                    format!("{kind} `{}` is defined twice", id.get_ref()),
                    format!("a unique {kind} id"),
                );
            }
        }
    }

    /// Resolves a reference, reporting an unknown name with the list of valid ones.
    pub(crate) fn resolve(&mut self, kind: Kind, name: &Spanned<String>) -> Option<usize> {
        let map = match kind {
            Kind::Agency => &self.agencies,
            Kind::Vehicle => &self.vehicles,
            Kind::Milestone => &self.milestones,
            Kind::Mission => &self.missions,
            Kind::Program => &self.programs,
        };
        let kind = kind.name();
        match map.get(name.get_ref()) {
            Some(i) => Some(*i),
            None => {
                let mut known: Vec<&String> = map.keys().collect();
                known.sort();
                let list = one_of(known.iter().map(|s| s.as_str()));
                self.error(name.span(), format!("unknown {kind} `{}`", name.get_ref()), format!("one of: {list}"));
                None
            }
        }
    }

    /// A range-checked number with a default.
    fn number(&mut self, v: Option<&Spanned<f64>>, default: f64, lo: f64, hi: f64, expected: &str) -> f64 {
        match v {
            None => default,
            Some(s) => {
                let x = *s.get_ref();
                if x.is_finite() && x >= lo && x <= hi {
                    x
                } else {
                    self.error(s.span(), format!("{x} is out of range"), expected);
                    default
                }
            }
        }
    }

    pub(crate) fn required(&mut self, v: &Spanned<f64>, lo: f64, hi: f64, expected: &str) -> f64 {
        self.number(Some(v), lo, lo, hi, expected)
    }

    pub(crate) fn count(&mut self, v: Option<&Spanned<i64>>, default: u32, lo: i64, hi: i64, expected: &str) -> u32 {
        match v {
            None => default,
            Some(s) if (lo..=hi).contains(s.get_ref()) => *s.get_ref() as u32,
            Some(s) => {
                self.error(s.span(), format!("{} is out of range", s.get_ref()), expected);
                default
            }
        }
    }

    /// A phase's party: 1-based seats of a crew of `seats`, as a bit mask (0: everyone).
    fn party(&mut self, list: Option<&Spanned<Vec<i64>>>, seats: u32) -> u16 {
        let Some(list) = list else { return 0 };
        let mut mask = 0u16;
        for &k in list.get_ref() {
            if k < 1 || k > seats as i64 {
                let m = format!("seat {k} in a party of a crew of {seats}");
                self.error(list.span(), m, format!("seats from 1 to {seats} (the mission's `crew`)"));
                return 0;
            }
            mask |= 1 << (k - 1);
        }
        if mask == 0 {
            self.error(list.span(), "an empty party", "at least one seat, e.g. `crew = [1, 2]`");
        }
        mask
    }

    fn duration(&mut self, d: &Spanned<raw::Duration>) -> LogNormal {
        let r = d.get_ref();
        let median = self.required(&r.median_days, 0.0, 36_500.0, "a median from 0 to 36500 days");
        let sigma = self.required(&r.sigma, 0.0, 3.0, "a sigma (standard deviation of the log) from 0 to 3");
        LogNormal { median, sigma }
    }

    fn condition(&mut self, text: &Spanned<String>) -> Option<Cond> {
        let names = CondNames { c: self };
        match condition::parse(text.get_ref(), &names) {
            Ok(c) => Some(c),
            Err(e) => {
                // `e.at` is in the decoded string; map it back through quotes and escapes.
                let span = text.span();
                let token = self.src.get(span.clone()).unwrap_or("");
                let start = span.start + raw_offset(token, e.at.start);
                let end = (span.start + raw_offset(token, e.at.end)).max(start + 1);
                let at = start.min(self.src.len())..end.min(self.src.len());
                self.error(at, e.message, "a condition (see docs/scenario-format.md, Conditions)");
                None
            }
        }
    }

    fn agency(&mut self, a: &raw::Agency, span: Span) -> Option<Agency> {
        if RESERVED_AGENCY_IDS.contains(&a.id.get_ref().as_str()) {
            let m = format!("`{}` cannot be an agency id: reports use it for \"nobody\"", a.id.get_ref());
            self.error(a.id.span(), m, "another agency id");
        }
        let risk = self.required(&a.risk, 0.0, 1.0, "a probability from 0 to 1");
        let mut budget = Vec::new();
        for p in a.budget.get_ref() {
            let p = p.get_ref();
            let date = self.date(&p.from);
            let level = self.required(&p.level, 0.0, 100.0, "a funding level from 0 to 100 (1 = reference)");
            if let Some(date) = date {
                budget.push(((date - self.start).num_days() as f64, level));
            }
        }
        if budget.is_empty() {
            self.error(a.budget.span(), "the budget is empty", "at least one `{ from = DATE, level = NUMBER }`");
            return None;
        }
        budget.sort_by(|x, y| x.0.total_cmp(&y.0));
        if budget[0].0 > 0.0 {
            self.error(
                a.budget.span(),
                "the budget starts after the scenario does",
                "a first `from` on or before `scenario.start`",
            );
        }
        let _ = span;
        let crew = self.roster(a);
        let substitution = self.substitution(a.substitution.as_ref());
        let rotation = self.count(a.rotation.as_ref(), 0, 0, ROTATION_RING as i64, "a number of flights from 0 to 8");
        Some(Agency {
            id: a.id.get_ref().clone(),
            name: a.name.clone(),
            key: name_key(a.id.get_ref()),
            risk,
            crew,
            substitution,
            rotation,
            budget,
        })
    }

    fn vehicle(&mut self, v: &raw::Vehicle, span: Span) -> Option<Vehicle> {
        let agency = self.resolve(Kind::Agency, &v.agency);
        let lead_days = self.number(v.lead_days.as_ref(), 0.0, 0.0, 36_500.0, "a lead time from 0 to 36500 days");
        let mut background = Vec::new();
        for c in &v.background {
            let c = c.get_ref();
            let date = self.date(&c.from);
            let rate = self.required(&c.per_year, 0.0, 10_000.0, "a number of flights a year from 0 to 10000");
            if let Some(date) = date {
                background.push(((date - self.start).num_days() as f64, rate / 365.25));
            }
        }
        background.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut fixed = None;
        let (prior, flights_before, source) = match (&v.family, &v.prior, &v.failure) {
            (None, None, Some(f)) => {
                let q = self.required(f, 0.0, 1.0, "a probability from 0 to 1");
                fixed = Some(q);
                (Posterior::fixed(q), 0, PriorSource::Fixed { failure: q })
            }
            (Some(family), None, None) => {
                let name = family.get_ref();
                let record = crate::record::Record::embedded();
                if !record.has_family(name) {
                    let known = crate::reliability::families(record);
                    let expected =
                        format!("a family of the launch record: {}", one_of(known.iter().map(String::as_str)));
                    self.error(family.span(), format!("unknown launch-record family `{name}`"), expected);
                    return None;
                }
                match crate::record_priors::family_prior(name, self.start) {
                    Ok((p, n)) => (p, n, PriorSource::Family { family: name.clone(), flights_before: n }),
                    Err(why) => {
                        let message =
                            format!("family `{name}` gives no prior at the scenario start {}: {why}", self.start);
                        let enough = record.launches.get(crate::reliability::MIN_FIT_LAUNCHES).map(|l| l.date);
                        let after = enough.map_or(String::new(), |d| format!(" on or after {d}"));
                        let expected = format!("a `start`{after} (enough launches to fit), or a fixed `failure = q`");
                        self.error(family.span(), message, expected);
                        return None;
                    }
                }
            }
            (None, Some(p), None) => {
                let r = p.get_ref();
                let mean = self.required(&r.mean, 0.0, 1.0, "a probability from 0 to 1");
                let strength = self.required(&r.strength, 0.0, 10_000.0, "a number of pseudo-flights from 0 to 10000");
                match crate::record_priors::stated_prior(mean, strength, self.start) {
                    Ok(post) => (post, 0, PriorSource::Stated { mean, strength }),
                    Err(e) => {
                        self.error(p.span(), e, "a prior the launch record can give a growth curve to");
                        return None;
                    }
                }
            }
            _ => {
                self.error(
                    span,
                    format!("vehicle `{}` needs exactly one of `family` and `prior`", v.id.get_ref()),
                    "`family = \"R-7\"` or `prior = { mean = 0.2, strength = 10 }`",
                );
                return None;
            }
        };
        Some(Vehicle {
            id: v.id.get_ref().clone(),
            name: v.name.clone(),
            key: name_key(v.id.get_ref()),
            agency: agency?,
            truth: prior.sampler(),
            prior,
            flights_before,
            lead_days,
            source,
            fixed,
            background,
            called: v.called.clone(),
        })
    }

    fn mission(&mut self, m: &raw::Mission, span: Span) -> Option<Mission> {
        let crew = self.count(m.crew.as_ref(), 0, 0, crate::limits::MAX_CREW as i64, "a crew size from 0 to 16");
        if m.phase.is_empty() {
            self.error(
                span.clone(),
                format!("mission `{}` has no `[[mission.phase]]`", m.id.get_ref()),
                "at least one phase",
            );
        }
        let mut phases = Vec::new();
        let mut vehicles: Vec<usize> = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        let mut ok = true;
        for p in &m.phase {
            let p = p.get_ref();
            if names.contains(&p.name.get_ref().as_str()) {
                self.error(
                    p.name.span(),
                    format!("phase `{}` appears twice in mission `{}`", p.name.get_ref(), m.id.get_ref()),
                    "unique phase names within a mission",
                );
            }
            names.push(p.name.get_ref());
            let vehicle = self.resolve(Kind::Vehicle, &p.vehicle);
            let share = self.number(p.share.as_ref(), 1.0, 0.0, 1.0, "a share from 0 to 1");
            let day = self.number(p.day.as_ref(), 0.0, 0.0, 3_650.0, "a day offset from 0 to 3650");
            let loss = self.number(p.loss.as_ref(), 1.0, 0.0, 1.0, "a probability from 0 to 1");
            let achieves: Vec<Option<usize>> = p.achieves.iter().map(|a| self.resolve(Kind::Milestone, a)).collect();
            let party = self.party(p.crew.as_ref(), crew);
            if let Some(last) = phases.last().map(|x: &Phase| x.day)
                && day < last
            {
                self.error(
                    p.day.as_ref().map(|d| d.span()).unwrap_or(span.clone()),
                    format!("phase day {day} comes before the previous phase's day {last}"),
                    "phases in flight order, days not decreasing",
                );
            }
            let (Some(vehicle), Some(achieves)) = (vehicle, achieves.into_iter().collect::<Option<Vec<_>>>()) else {
                ok = false;
                continue;
            };
            let local = match vehicles.iter().position(|v| *v == vehicle) {
                Some(i) => i,
                None => {
                    vehicles.push(vehicle);
                    vehicles.len() - 1
                }
            };
            let slot = phases.iter().filter(|x: &&Phase| x.vehicle == vehicle).count() as u32;
            phases.push(Phase {
                name: p.name.get_ref().clone(),
                name_key: name_key(p.name.get_ref()),
                vehicle,
                local,
                slot,
                share,
                day,
                loss,
                achieves,
                party,
                called: p.called.clone(),
            });
        }
        if vehicles.len() > MAX_MISSION_VEHICLES {
            self.error(
                span,
                format!("mission `{}` uses {} vehicles", m.id.get_ref(), vehicles.len()),
                format!("at most {MAX_MISSION_VEHICLES} distinct vehicles in one mission"),
            );
            return None;
        }
        if !ok || phases.is_empty() {
            return None;
        }
        let duration = phases.last().map(|p| p.day).unwrap_or(0.0);
        let launcher = m.launcher.clone();
        Some(Mission { id: m.id.get_ref().clone(), name: m.name.clone(), crew, phases, vehicles, duration, launcher })
    }

    fn program(
        &mut self,
        p: &raw::Program,
        span: Span,
        missions: &[Option<Mission>],
        people: &[Vec<Person>],
        rosters: &manifest::Rosters,
    ) -> Option<Program> {
        let agency = self.resolve(Kind::Agency, &p.agency);
        let start = match (&p.start, &p.when) {
            (Some(d), None) => self.date(d).map(|d| Start::On((d - self.start).num_days() as f64)),
            (None, Some(w)) => self.condition(w).map(Start::When),
            (None, None) => Some(Start::ByRule),
            (Some(d), Some(_)) => {
                self.error(
                    d.span(),
                    format!("program `{}` has both `start` and `when`", p.id.get_ref()),
                    "one of `start` and `when`",
                );
                None
            }
        };
        let cancel = p.cancel.as_ref().map(|c| self.condition(c));
        let retire = p.retire.as_ref().map(|c| self.condition(c));
        let stand_down = self.duration(&p.stand_down);
        let loss_stand_down = self.duration(&p.loss_stand_down);
        let clean_flights = self.count(p.clean_flights.as_ref(), 0, 0, 100, "a number of flights from 0 to 100");
        if p.step.is_empty() {
            self.error(span, format!("program `{}` has no `[[program.step]]`", p.id.get_ref()), "at least one step");
        }
        let crew_of = |m: usize| missions.get(m).and_then(|x| x.as_ref()).map(|x| x.crew);
        for st in &p.step {
            if let Some(b) = &st.get_ref().before {
                self.error(
                    b.span(),
                    "`before` belongs in a divergence's `insert_step`",
                    "no `before` in a scenario's steps",
                );
            }
        }
        let steps: Vec<Option<Step>> =
            p.step.iter().enumerate().map(|(i, st)| self.step(st.get_ref(), i as u64, &crew_of)).collect();
        let out: Vec<Step> = steps.into_iter().collect::<Option<_>>()?;
        let seats = out.iter().filter_map(|st| crew_of(st.mission)).max().unwrap_or(0);
        let flights = self.manifest(p, agency, rosters, people, seats, missions);
        let start_reads = match &start {
            Some(Start::When(c)) => c.reads(),
            _ => 0,
        };
        Some(Program {
            id: p.id.get_ref().clone(),
            name: p.name.clone(),
            key: name_key(p.id.get_ref()),
            agency: agency?,
            start: start?,
            start_reads,
            cancel_reads: match &cancel {
                Some(Some(c)) => c.reads(),
                _ => 0,
            },
            cancel: match cancel {
                Some(c) => Some(c?),
                None => None,
            },
            retire_reads: match &retire {
                Some(Some(c)) => c.reads(),
                _ => 0,
            },
            retire: match retire {
                Some(c) => Some(c?),
                None => None,
            },
            flights,
            lists: Vec::new(),
            list_base: 0,
            stand_down,
            loss_stand_down,
            clean_flights,
            steps: out,
        })
    }

    /// Compiles one program step; `crew_of` gives a mission's crew size (to refuse a crewed test).
    pub(crate) fn step(&mut self, s: &raw::Step, key: u64, crew_of: &dyn Fn(usize) -> Option<u32>) -> Option<Step> {
        self.text_at_most(s.mission.span(), s.name.as_deref());
        let mission = self.resolve(Kind::Mission, &s.mission);
        let prep = self.duration(&s.prep);
        let repeat = self.count(s.repeat.as_ref(), 1, 1, 1000, "a repeat count from 1 to 1000");
        let requires = s.requires.as_ref().map(|c| self.condition(c));
        let test = match &s.test {
            Some(t) => {
                let ti = self.resolve(Kind::Mission, t);
                if let Some(ti) = ti
                    && crew_of(ti).unwrap_or(0) > 0
                {
                    self.error(
                        t.span(),
                        format!("test mission `{}` carries a crew", t.get_ref()),
                        "an uncrewed mission (`crew = 0`)",
                    );
                }
                Some(ti)
            }
            None => None,
        };
        Some(Step {
            key,
            mission: mission?,
            name: s.name.clone(),
            prep,
            repeat,
            requires: match requires {
                Some(r) => Some(r?),
                None => None,
            },
            test: match test {
                Some(t) => Some(t?),
                None => None,
            },
        })
    }

    pub(crate) fn rules(&mut self, rules: &[Spanned<raw::Rule>]) -> Vec<Rule> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for spanned in rules {
            let r = spanned.get_ref();
            self.text_at_most(spanned.span(), [r.text.as_str()]);
            self.check_id(&r.id);
            if seen.insert(r.id.get_ref().clone(), ()).is_some() {
                self.error(r.id.span(), format!("rule `{}` is defined twice", r.id.get_ref()), "a unique rule id");
            }
            let when = self.condition(&r.when);
            let delay = self.number(r.delay_days.as_ref(), 0.0, 0.0, 36_500.0, "a delay from 0 to 36500 days");
            let still = r.still.as_ref().map(|c| self.condition(c));
            let effects: Vec<Option<Effect>> = r.effects.iter().map(|e| self.effect(e)).collect();
            let effects = effects.into_iter().collect::<Option<Vec<_>>>();
            if let (Some(when), Some(effects)) = (when, effects) {
                let still = match still {
                    Some(Some(c)) => Some(c),
                    Some(None) => continue,
                    None => None,
                };
                let reads = when.reads();
                let (id, text) = (r.id.get_ref().clone(), r.text.clone());
                out.push(Rule { id, when, reads, delay, still, text, effects });
            }
        }
        out
    }

    fn effect(&mut self, e: &Spanned<raw::Effect>) -> Option<Effect> {
        let span = e.span();
        let e = e.get_ref();
        let action = e.action.get_ref().as_str();
        let needs_agency = matches!(action, "budget" | "risk");
        let needs_scale = matches!(action, "budget" | "risk" | "pace");
        if !matches!(action, "budget" | "risk" | "pace" | "start" | "cancel") {
            self.error(
                e.action.span(),
                format!("unknown effect `{action}`"),
                "one of: budget, risk, pace, start, cancel",
            );
            return None;
        }
        let agency = match (&e.agency, needs_agency) {
            (Some(a), true) => self.resolve(Kind::Agency, a),
            (None, true) => {
                self.error(span.clone(), format!("effect `{action}` needs `agency`"), "`agency = \"...\"`");
                None
            }
            (Some(a), false) => {
                self.error(
                    a.span(),
                    format!("effect `{action}` takes a `program`, not an `agency`"),
                    "`program = \"...\"`",
                );
                None
            }
            (None, false) => Some(usize::MAX),
        };
        let program = match (&e.program, needs_agency) {
            (Some(p), false) => self.resolve(Kind::Program, p),
            (None, false) => {
                self.error(span.clone(), format!("effect `{action}` needs `program`"), "`program = \"...\"`");
                None
            }
            (Some(p), true) => {
                self.error(
                    p.span(),
                    format!("effect `{action}` takes an `agency`, not a `program`"),
                    "`agency = \"...\"`",
                );
                None
            }
            (None, true) => Some(usize::MAX),
        };
        let scale = match (&e.scale, needs_scale) {
            (Some(s), true) => Some(self.required(s, 0.0, 100.0, "a scale factor from 0 to 100")),
            (None, true) => {
                self.error(span, format!("effect `{action}` needs `scale`"), "`scale = 1.3`");
                None
            }
            (Some(s), false) => {
                self.error(s.span(), format!("effect `{action}` takes no `scale`"), "no `scale`");
                None
            }
            (None, false) => Some(1.0),
        };
        let (agency, program, scale) = (agency?, program?, scale?);
        match action {
            "budget" => Some(Effect::Budget { agency, scale }),
            "risk" => Some(Effect::Risk { agency, scale }),
            "pace" => Some(Effect::Pace { program, scale }),
            "start" => Some(Effect::Start { program }),
            "cancel" => Some(Effect::Cancel { program }),
            _ => None, // reported above: only the five effects reach here
        }
    }
}

/// Names for an "expected one of" hint: the first 20, then how many more, so that a file with a
/// hundred thousand names cannot make every error a megabyte long.
pub(crate) fn one_of<'a>(names: impl Iterator<Item = &'a str>) -> String {
    const SHOWN: usize = 20;
    let names: Vec<&str> = names.collect();
    let mut list = names.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        list.push_str(&format!(", … ({} more)", names.len() - SHOWN));
    }
    list
}

/// The byte offset in a TOML string token (quotes included) of byte `target` of its decoded
/// value: skips the opening delimiter (and a multi-line string's first newline), counts an escape
/// such as `\u0020` as the bytes it decodes to, and a line-ending backslash as none.
fn raw_offset(token: &str, target: usize) -> usize {
    let (open, multi, basic) = match token.as_bytes() {
        [b'"', b'"', b'"', ..] => (3, true, true),
        [b'\'', b'\'', b'\'', ..] => (3, true, false),
        [b'"', ..] => (1, false, true),
        [b'\'', ..] => (1, false, false),
        _ => return target,
    };
    let b = token.as_bytes();
    let mut i = open;
    if multi {
        i += if b[i..].starts_with(b"\r\n") { 2 } else { usize::from(b.get(i) == Some(&b'\n')) };
    }
    let mut decoded = 0;
    while i < b.len() {
        let (raw, dec) =
            if basic && b[i] == b'\\' { escape_len(token, i, multi) } else { (utf8_len(b[i]), utf8_len(b[i])) };
        // Stop before the character that holds `target`; step over escapes that decode to nothing.
        if decoded + dec > target || (decoded == target && dec > 0) {
            break;
        }
        i += raw;
        decoded += dec;
    }
    i
}

/// (bytes in the source, bytes decoded) of the escape at `i`.
fn escape_len(token: &str, i: usize, multi: bool) -> (usize, usize) {
    let b = token.as_bytes();
    let hex = |n: usize| {
        let digits = token.get(i + 2..i + 2 + n).unwrap_or("");
        let c = u32::from_str_radix(digits, 16).ok().and_then(char::from_u32).unwrap_or('?');
        (2 + n, c.len_utf8())
    };
    match b.get(i + 1) {
        Some(b'u') => hex(4),
        Some(b'U') => hex(8),
        Some(b'x') => hex(2),
        Some(c) if multi && c.is_ascii_whitespace() => {
            let skipped = b[i + 1..].iter().take_while(|c| c.is_ascii_whitespace()).count();
            (1 + skipped, 0)
        }
        _ => (2, 1),
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// The programs a program waits on: those named by `started(..)` or `done(..)` (not under `not`)
/// in its start condition or its steps' `requires`.
fn prerequisites(p: &Program) -> Vec<usize> {
    fn walk(c: &Cond, out: &mut Vec<usize>) {
        match c {
            Cond::Started { program } | Cond::Done { program } => out.push(*program),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Start::When(c) = &p.start {
        walk(c, &mut out);
    }
    for s in &p.steps {
        if let Some(c) = &s.requires {
            walk(c, &mut out);
        }
    }
    out
}

/// A cycle in the "waits on" graph of programs, as a path that returns to its first program.
pub(crate) fn prerequisite_cycle(programs: &[Program]) -> Option<Vec<usize>> {
    let deps: Vec<Vec<usize>> = programs.iter().map(prerequisites).collect();
    // 0 = unvisited, 1 = on the current path, 2 = finished.
    let mut state = vec![0u8; programs.len()];
    fn visit(p: usize, deps: &[Vec<usize>], state: &mut [u8], path: &mut Vec<usize>) -> Option<Vec<usize>> {
        state[p] = 1;
        path.push(p);
        for &d in &deps[p] {
            if state[d] == 1 {
                let from = path.iter().position(|&x| x == d).unwrap_or(0);
                let mut cycle = path[from..].to_vec();
                cycle.push(d);
                return Some(cycle);
            }
            if state[d] == 0
                && let Some(c) = visit(d, deps, state, path)
            {
                return Some(c);
            }
        }
        path.pop();
        state[p] = 2;
        None
    }
    (0..programs.len()).find_map(|p| if state[p] == 0 { visit(p, &deps, &mut state, &mut Vec::new()) } else { None })
}

/// The names a condition may use, looked up in the compiler's tables.
struct CondNames<'a> {
    c: &'a Compiler,
}

fn lookup<T: Copy>(map: &HashMap<String, T>, kind: &str, name: &str) -> Result<T, String> {
    map.get(name).copied().ok_or_else(|| format!("unknown {kind} `{name}`; expected one of: {}", sorted_hint(map)))
}

/// The keys of a name table as a hint, in a fixed (sorted) order whatever the hashing.
pub(crate) fn sorted_hint<T>(map: &HashMap<String, T>) -> String {
    let mut known: Vec<&str> = map.keys().map(String::as_str).collect();
    known.sort_unstable();
    one_of(known.into_iter())
}

impl condition::Names for CondNames<'_> {
    fn agency(&self, name: &str) -> Result<usize, String> {
        lookup(&self.c.agencies, "agency", name)
    }
    fn milestone(&self, name: &str) -> Result<usize, String> {
        lookup(&self.c.milestones, "milestone", name)
    }
    fn program(&self, name: &str) -> Result<usize, String> {
        lookup(&self.c.programs, "program", name)
    }
    fn vehicle(&self, name: &str) -> Result<usize, String> {
        lookup(&self.c.vehicles, "vehicle", name)
    }
    fn day(&self, date: &str) -> Result<f64, String> {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map(|d| (d - self.c.start).num_days() as f64)
            .map_err(|_| format!("`{date}` is not a date; expected YYYY-MM-DD"))
    }
    fn flight(&self, name: &str) -> Result<(usize, u16), String> {
        lookup(&self.c.flights, "named flight", name)
    }
    fn person(&self, name: &str) -> Result<(usize, u16), String> {
        lookup(&self.c.people, "person", name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Beliefs are kept only for vehicles a crew decision can read: those of a crewed mission
    /// flown by a step with a test flight (Soyuz steps have one; Vostok's and Skylab's do not).
    #[test]
    fn believed_vehicles_are_those_of_crewed_steps_with_tests() {
        let believed = |name: &str| {
            let sc = crate::builtin::scenario(name).expect("built-in");
            let ids: Vec<String> =
                (sc.vehicles.iter().zip(&sc.believed)).filter(|(_, b)| **b).map(|(v, _)| v.id.clone()).collect();
            ids
        };
        let space = believed("space-race");
        for id in ["r7", "soyuz", "saturn5", "lm", "n1", "lk"] {
            assert!(space.iter().any(|v| v == id), "{id} should be believed: {space:?}");
        }
        for id in ["vostok", "skylab-ows", "us-base-module"] {
            assert!(!space.iter().any(|v| v == id), "{id} should not be believed: {space:?}");
        }
        assert_eq!(believed("tiny-race"), ["red-rocket"]);
    }

    /// The engine's walking search must answer as the binary search does, forwards, backwards
    /// and on the points themselves, or preparations (and so timelines) would change.
    #[test]
    fn budget_from_answers_as_budget_at() {
        let sc = crate::builtin::scenario("space-race").expect("built-in");
        for agency in &sc.agencies {
            let mut cursor = 0;
            let points: Vec<f64> = agency.budget.iter().map(|p| p.0).collect();
            let mut days: Vec<f64> = (0..9000).step_by(7).map(f64::from).collect();
            days.extend(points.iter().flat_map(|&d| [d - 1e-9, d, d + 1e-9]));
            days.extend([-5.0, 3000.0, 10.0, f64::NAN, 20000.0, 0.0]);
            for day in days {
                let walked = agency.budget_from(day, &mut cursor);
                assert_eq!(walked.to_bits(), agency.budget_at(day).to_bits(), "{} on day {day}", agency.id);
            }
        }
    }

    #[test]
    fn decoded_offsets_map_back_through_quotes_and_escapes() {
        assert_eq!(raw_offset(r#""abc""#, 1), 2);
        assert_eq!(raw_offset(r#""\u0020x""#, 1), 7);
        assert_eq!(raw_offset(r#""\tx""#, 1), 3);
        assert_eq!(raw_offset("'a\\b'", 2), 3);
        assert_eq!(raw_offset("\"\"\"\nab\"\"\"", 1), 5);
        assert_eq!(raw_offset("\"\"\"a \\\n   b\"\"\"", 2), 10);
    }

    #[test]
    fn a_condition_error_after_an_escape_points_at_the_right_column() {
        let text = include_str!("../../../scenarios/tiny-race.toml").replacen(
            "[[rule]]\n",
            "[[rule]]\nid = \"x\"\nwhen = \"\\u0020\\u0020reachd(blue, crewed_orbit)\"\ntext = \"x\"\neffects = []\n\n[[rule]]\n",
            1,
        );
        let e = Scenario::from_toml("t.toml", &text).unwrap_err();
        let err = e.errors.iter().find(|e| e.message.contains("reachd")).expect("the unknown condition is reported");
        let line = text.lines().position(|l| l.contains("reachd")).unwrap() + 1;
        assert_eq!(err.location, format!("t.toml:{line}:21"), "{}", err.message);
    }

    #[test]
    fn section_counts_and_span_are_bounded() {
        let base = include_str!("../../../scenarios/tiny-race.toml");
        let many = format!("{base}\n{}", "[[era]]\nname = \"e\"\ndate = 1970-01-01\n\n".repeat(70));
        let e = Scenario::from_toml("t.toml", &many).unwrap_err();
        assert!(e.errors.iter().any(|e| e.expected.as_deref().unwrap_or("").contains("limit `eras`")), "{e:?}");
        let long = base.replacen("end = ", "end = 2500-01-01\n# end = ", 1);
        let e = Scenario::from_toml("t.toml", &long).unwrap_err();
        assert!(e.errors.iter().any(|e| e.expected.as_deref().unwrap_or("").contains("span-years")), "{e:?}");
    }
}
