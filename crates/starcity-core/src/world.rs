//! The state of one timeline as it unfolds: what each agency has reached and lost, what each
//! vehicle has flown and what its agency believes of it, where each program stands.
//!
//! A `World` is a reusable workspace: `reset` sizes and clears it for a new timeline without
//! allocating once the buffers have grown, so an ensemble allocates per thread, not per timeline.

use crate::limits::MAX_MISSION_VEHICLES;
use crate::reliability::Posterior;
use crate::scenario::{Cond, Scenario};

/// How many recent backup crews a program remembers: the longest rotation an agency may use.
pub const ROTATION_RING: usize = 8;

/// Not reached / no event pending.
pub const NEVER: f64 = f64::INFINITY;

/// The most crew seats a mission may have (checked at load).
pub use crate::limits::MAX_CREW;

/// Where a program stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not started (it may have a start date pending).
    NotStarted,
    /// Started, waiting for a step's `requires` condition.
    Waiting,
    /// Preparing the next flight.
    Preparing,
    /// A mission is in flight.
    Flying,
    Done,
    Cancelled,
    /// Ended by its `retire` condition: its successor took over.
    Retired,
}

/// How a program ended (or stands at the end of the timeline), as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fate {
    NotStarted = 0,
    Active = 1,
    Done = 2,
    Cancelled = 3,
    Retired = 4,
}

impl Fate {
    pub const ALL: [Fate; 5] = [Fate::NotStarted, Fate::Active, Fate::Done, Fate::Cancelled, Fate::Retired];
    /// How many fates there are (counters are kept per program and fate).
    pub const COUNT: usize = 5;

    pub fn name(self) -> &'static str {
        match self {
            Fate::NotStarted => "not_started",
            Fate::Active => "active",
            Fate::Done => "completed",
            Fate::Cancelled => "cancelled",
            Fate::Retired => "retired",
        }
    }
}

impl Status {
    pub fn fate(self) -> Fate {
        match self {
            Status::NotStarted => Fate::NotStarted,
            Status::Waiting | Status::Preparing | Status::Flying => Fate::Active,
            Status::Done => Fate::Done,
            Status::Cancelled => Fate::Cancelled,
            Status::Retired => Fate::Retired,
        }
    }

    /// Finished one way or another: done, cancelled or retired.
    pub fn ended(self) -> bool {
        matches!(self, Status::Done | Status::Cancelled | Status::Retired)
    }
}

/// How a flight ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlightEnd {
    Success,
    /// Phase `phase` failed; the crew (if any) survived.
    Abort {
        phase: usize,
    },
    /// Phase `phase` failed and the crew was lost.
    Lost {
        phase: usize,
    },
}

impl FlightEnd {
    /// The index of the failed phase, if any.
    pub fn failed_phase(self) -> Option<usize> {
        match self {
            FlightEnd::Success => None,
            FlightEnd::Abort { phase } | FlightEnd::Lost { phase } => Some(phase),
        }
    }
}

/// How a named flight of the manifest went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedStatus {
    NotFlown,
    Flown,
    Failed,
    Lost,
}

/// What a flight is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlightName {
    /// Entry `index` of program `program`'s manifest (`Program::flights`): usually the
    /// launching program's own, or one borrowed from a later program of the same series.
    Named { program: u16, index: u16 },
    /// Beyond the manifest: series (`Scenario::series`) and number.
    Extra(u16, u32),
    /// Neither: told by its step or mission name.
    Unnamed,
}

/// People on a flight, as roster indices in seat order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crew {
    pub ids: [u16; MAX_CREW],
    pub n: u8,
}

impl Crew {
    pub const EMPTY: Crew = Crew { ids: [0; MAX_CREW], n: 0 };

    /// The first `MAX_CREW` of `ids`.
    pub fn of(ids: &[u16]) -> Crew {
        let mut c = Crew::EMPTY;
        for (slot, &i) in c.ids.iter_mut().zip(ids) {
            *slot = i;
            c.n += 1;
        }
        c
    }

    pub fn as_slice(&self) -> &[u16] {
        &self.ids[..self.n as usize]
    }
}

/// The flight a program has in the air.
#[derive(Debug, Clone, Copy)]
pub struct Flight {
    pub name: FlightName,
    pub mission: usize,
    /// Flown as the step's uncrewed test mission.
    pub test: bool,
    pub launch: f64,
    pub end: FlightEnd,
    /// Phases reached (the failed one included).
    pub phases_reached: usize,
    /// Crew members as indices into the agency's roster.
    pub crew: [u16; MAX_CREW],
    pub n_crew: usize,
    /// The forced event (index into `Scenario::forced`) that decided a phase, if any: where
    /// the timeline leaves the baseline's history.
    pub forced: Option<u32>,
    /// Whether the vehicles and their agency learn from this flight (a recorded flight may say
    /// it tells nothing about the hardware that flew on: Apollo 1's ground fire).
    pub evidence: bool,
    /// Each mission vehicle's flight number in this timeline (0-based, in the order of
    /// `Mission::vehicles`); `u32::MAX` for a vehicle the flight never reached.
    pub numbers: [u32; MAX_MISSION_VEHICLES],
    /// Each vehicle's family flight index for this flight (`Vehicle::family_index`: where it
    /// stands on its growth curve), computed once at launch: the phases and what the agency
    /// learns at landing read it (for a vehicle with background flights it is a loop).
    pub family: [u32; MAX_MISSION_VEHICLES],
}

impl Flight {
    pub const NONE: Flight = Flight {
        name: FlightName::Unnamed,
        mission: 0,
        test: false,
        launch: NEVER,
        end: FlightEnd::Success,
        phases_reached: 0,
        forced: None,
        evidence: true,
        crew: [0; MAX_CREW],
        n_crew: 0,
        numbers: [u32::MAX; MAX_MISSION_VEHICLES],
        family: [0; MAX_MISSION_VEHICLES],
    };

    pub fn crew(&self) -> &[u16] {
        &self.crew[..self.n_crew]
    }

    /// The people in the seats of `mask` (bit `k`: seat `k + 1`; 0: everyone aboard).
    pub fn party(&self, mask: u16) -> Crew {
        let mut out = Crew::EMPTY;
        for (seat, &id) in self.crew().iter().enumerate() {
            if mask == 0 || mask & (1 << seat) != 0 {
                out.ids[out.n as usize] = id;
                out.n += 1;
            }
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct VehicleState {
    /// True first-flight failure probability in this timeline.
    pub q0: f64,
    /// Flights in this timeline (the record's earlier flights are in `Vehicle::flights_before`).
    pub flights: u32,
    pub failures: u32,
    /// Successes in a row as the latest flights.
    pub streak: u32,
    pub last_launch: f64,
    /// The agency's belief, updated by every flight it has seen land (see `unseen`).
    pub belief: Posterior,
    /// Flights landed but not yet folded into `belief`, as (family flight index, failed). Folding
    /// costs a pass over the belief's grid, so it waits until a decision needs the belief.
    pub unseen: Vec<(u32, bool)>,
    /// Whether `belief` holds this timeline's belief yet; until a decision needs it, it is not
    /// even copied from the prior.
    pub belief_ready: bool,
    /// `belief.mean_q0()` while `belief` is unchanged (NaN: to be computed). A crew decision
    /// asks for it at every crewed launch, and the grid sum dominated the engine's profile.
    pub mean_q0: f64,
}

impl VehicleState {
    /// The agency's current belief, starting from `prior`, with every landed flight folded in.
    pub fn belief(&mut self, prior: &Posterior) -> &Posterior {
        if !self.belief_ready || !self.unseen.is_empty() {
            self.mean_q0 = f64::NAN;
        }
        if !self.belief_ready {
            self.belief.clone_from(prior);
            self.belief_ready = true;
        }
        for (n, failed) in self.unseen.drain(..) {
            self.belief.observe(n, failed);
        }
        &self.belief
    }

    /// The agency's predicted failure probability of the vehicle's family flight `n`: the same
    /// number as `belief(prior).predict(n)`, with the posterior mean kept between updates.
    pub fn predict(&mut self, prior: &Posterior, n: u32) -> f64 {
        if let Some((n_last, failed)) = self.unseen.pop() {
            // Fold all but the latest landing, then the latest together with the mean.
            self.belief(prior);
            self.mean_q0 = self.belief.observe_mean(n_last, failed);
        } else {
            self.belief(prior);
            if self.mean_q0.is_nan() {
                self.mean_q0 = self.belief.mean_q0();
            }
        }
        self.mean_q0 * self.belief.growth_at(n)
    }
}

#[derive(Debug, Clone)]
pub struct ProgramState {
    pub status: Status,
    pub step: usize,
    /// Successful (non-test) flights of the current step.
    pub successes: u32,
    /// Flights attempted at the current step (tests included): part of the random keys.
    pub attempt: u32,
    /// Multiplier on preparation medians (rules change it).
    pub pace: f64,
    /// Cancellation decided while a flight was in the air: applied when it lands.
    pub cancel_on_landing: bool,
    /// Ended by its `retire` condition (a successor took over), not by a rule.
    pub retired: bool,
    /// Crewed flights launched (for the rotation ring, `World::backups`).
    pub crewed_launched: u32,
    pub flight: Flight,
    pub started: f64,
    pub ended: f64,
}

/// One era's snapshot: what cannot be recomputed from the final state.
#[derive(Debug, Clone, Default)]
pub struct EraState {
    pub crew_lost: Vec<u32>,
    pub budget: Vec<f64>,
    pub fates: Vec<Fate>,
}

/// A timeline stopped by the event budget (`limits::EVENTS`): where it was when it stopped.
/// Only a loop that makes no progress in time gets there (space-race uses about 400 events).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overrun {
    pub timeline: u64,
    /// The program whose event exceeded the budget, and the step it was on.
    pub program: usize,
    pub step: usize,
    /// Which budget: events (`limits::EVENTS`) or condition work (`limits::WORK`).
    pub budget: Budget,
    /// The simulated day (from the scenario start) when it stopped.
    pub day: u32,
}

/// The two per-timeline budgets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    Events,
    Work,
    /// Not a budget: the record could not be replayed, and why.
    Record(crate::replay::Mismatch),
}

impl Overrun {
    /// The overrun of the lower timeline index: what a sequential run would have met first, so
    /// the error is the same on any thread count.
    pub fn earliest(a: Option<Overrun>, b: Option<Overrun>) -> Option<Overrun> {
        match (a, b) {
            (Some(x), Some(y)) => Some(if y.timeline < x.timeline { y } else { x }),
            (x, y) => x.or(y),
        }
    }
}

/// A counter that a shared reference can bump: one thread owns a `World` while it runs, so a
/// relaxed load and store (no read-modify-write) are enough, and compile to plain moves.
#[derive(Debug, Default)]
pub struct Work(std::sync::atomic::AtomicU64);

impl Work {
    #[inline]
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[inline]
    pub fn add(&self, n: u64) {
        self.0.store(self.get() + n, std::sync::atomic::Ordering::Relaxed);
    }

    fn reset(&self) {
        self.0.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Clone for Work {
    fn clone(&self) -> Self {
        Work(std::sync::atomic::AtomicU64::new(self.get()))
    }
}

/// The state of one timeline.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// The timeline's index in its ensemble.
    pub timeline: u64,
    /// Current time, days from the scenario start.
    pub t: f64,
    /// Events processed so far (bounded by `limits::EVENTS`).
    pub events: u64,
    /// Condition nodes evaluated so far (bounded by `limits::WORK`).
    /// Interior-mutable because evaluating a condition (`holds`) only reads the world; atomic
    /// (with plain loads and stores, as cheap as a `Cell`) so that a `World` stays `Sync`.
    pub work: Work,
    /// Set when the timeline stopped at the event budget; its outcome is then meaningless.
    pub overrun: Option<Overrun>,
    pub n_agencies: usize,
    /// `reached[m * n_agencies + a]`: day agency `a` reached milestone `m`, or `NEVER`.
    pub reached: Vec<f64>,
    /// People lost, per agency.
    pub crew_lost: Vec<u32>,
    /// Missions that lost their crew, per agency.
    pub fatal: Vec<u32>,
    pub budget_scale: Vec<f64>,
    pub risk_scale: Vec<f64>,
    /// Crewed flights launched, per agency.
    pub crewed_flights: Vec<u32>,
    /// Where in each agency's roster the next crew starts.
    pub crew_cursor: Vec<usize>,
    /// `[agency]`: the budget point the engine found last (`Agency::budget_from`).
    pub budget_cursor: Vec<u32>,
    /// `alive[a][i]`: roster member `i` of agency `a` is alive.
    pub alive: Vec<Vec<bool>>,
    /// `flying[a][i]`: roster member `i` of agency `a` is on a flight now.
    pub flying: Vec<Vec<bool>>,
    /// `[series]`: flights named beyond the manifests so far (see `Scenario::series`).
    pub series_used: Vec<u32>,
    /// `[program.list_base + list]`: names of the program's name list used so far.
    pub list_used: Vec<u32>,
    /// `flights_flown[a][i]`: flights roster member `i` of agency `a` has flown.
    pub flights_flown: Vec<Vec<u16>>,
    /// `named[p][i]`: how named flight `i` of program `p` went (see [`NamedStatus`]).
    pub named: Vec<Vec<NamedStatus>>,
    /// `credit[m * n_agencies + a]`: the party that reached milestone `m` first for agency `a`;
    /// meaningful only where `reached` is set (so never cleared).
    pub credit: Vec<Crew>,
    /// `backups[p * ROTATION_RING + k % ROTATION_RING]`: the backup crew of program `p`'s `k`-th
    /// crewed flight. Slots are read only for flights launched in this timeline, so never cleared.
    pub backups: Vec<Crew>,
    pub vehicles: Vec<VehicleState>,
    /// Multiplier on each vehicle's true failure probability (divergences change it).
    pub reliability_scale: Vec<f64>,
    /// Flights launched per mission (a forced event may name "the mission's second flight").
    pub mission_flights: Vec<u32>,
    /// Whether each forced event of the scenario happened in this timeline.
    pub forced_hits: Vec<bool>,
    pub programs: Vec<ProgramState>,
    /// Each program's next event time (`NEVER`: none), and which is earliest.
    pub next: crate::agenda::Agenda,
    pub fired: Vec<bool>,
    /// Rules that fired with a delay: (day their effects apply, rule).
    pub pending_effects: Vec<(f64, usize)>,
    pub wake_idx: usize,
    pub era_idx: usize,
    /// What kinds of state conditions can read have changed since they were last evaluated
    /// (bit flags of `scenario::condition::reads`).
    pub changed: u8,
    pub eras: Vec<EraState>,
    /// `[program]`: how many of the program's recorded flights have flown (under a replay).
    pub record_next: Vec<u32>,
    /// Recorded flights (in date order) checked to have flown, and recorded ends applied.
    pub record_due: usize,
    pub end_idx: usize,
    /// Set when the record could not be replayed; the timeline stopped there.
    pub mismatch: Option<crate::replay::Mismatch>,
    /// The abducted noise of this timeline, for its counterfactual twin.
    pub tape: crate::replay::Tape,
}

impl World {
    /// Clears the world for a new timeline of `sc`, reusing buffers. Vehicles' true reliabilities
    /// are set by the engine (they need the timeline's noise).
    pub fn reset(&mut self, sc: &Scenario) {
        let na = sc.agencies.len();
        self.t = 0.0;
        self.events = 0;
        self.work.reset();
        self.overrun = None;
        self.mismatch = None;
        self.record_due = 0;
        self.end_idx = 0;
        self.tape.clear();
        self.n_agencies = na;
        refill(&mut self.reached, sc.milestones.len() * na, NEVER);
        refill(&mut self.crew_lost, na, 0);
        refill(&mut self.fatal, na, 0);
        refill(&mut self.budget_scale, na, 1.0);
        refill(&mut self.risk_scale, na, 1.0);
        refill(&mut self.crewed_flights, na, 0);
        refill(&mut self.crew_cursor, na, 0);
        refill(&mut self.budget_cursor, na, 0);
        self.alive.resize_with(na, Vec::new);
        self.flying.resize_with(na, Vec::new);
        for ((alive, flying), a) in self.alive.iter_mut().zip(self.flying.iter_mut()).zip(&sc.agencies) {
            refill(alive, a.crew.len(), true);
            refill(flying, a.crew.len(), false);
        }
        refill(&mut self.series_used, sc.series.len(), 0);
        refill(&mut self.record_next, sc.programs.len(), 0);
        let lists = sc.programs.last().map_or(0, |p| p.list_base + p.lists.len());
        refill(&mut self.list_used, lists, 0);
        self.flights_flown.resize_with(na, Vec::new);
        for (flown, a) in self.flights_flown.iter_mut().zip(&sc.agencies) {
            refill(flown, a.crew.len(), 0);
        }
        self.named.resize_with(sc.programs.len(), Vec::new);
        self.named.truncate(sc.programs.len());
        for (named, p) in self.named.iter_mut().zip(&sc.programs) {
            refill(named, p.flights.len(), NamedStatus::NotFlown);
        }
        self.credit.resize(sc.milestones.len() * na, Crew::EMPTY);
        self.backups.resize(sc.programs.len() * ROTATION_RING, Crew::EMPTY);
        if self.vehicles.len() != sc.vehicles.len() {
            self.vehicles = sc
                .vehicles
                .iter()
                .map(|v| VehicleState {
                    q0: 0.0,
                    flights: 0,
                    failures: 0,
                    streak: 0,
                    last_launch: -NEVER,
                    belief: v.prior.clone(),
                    unseen: Vec::new(),
                    belief_ready: false,
                    mean_q0: f64::NAN,
                })
                .collect();
        }
        for vs in self.vehicles.iter_mut() {
            vs.flights = 0;
            vs.failures = 0;
            vs.streak = 0;
            vs.last_launch = -NEVER;
            vs.belief_ready = false;
            vs.mean_q0 = f64::NAN;
            vs.unseen.clear();
        }
        refill(&mut self.reliability_scale, sc.vehicles.len(), 1.0);
        refill(&mut self.mission_flights, sc.missions.len(), 0);
        refill(&mut self.forced_hits, sc.forced.len(), false);
        self.programs.clear();
        self.programs.extend(sc.programs.iter().map(|_| ProgramState {
            status: Status::NotStarted,
            step: 0,
            successes: 0,
            attempt: 0,
            pace: 1.0,
            cancel_on_landing: false,
            retired: false,
            crewed_launched: 0,
            flight: Flight::NONE,
            started: NEVER,
            ended: NEVER,
        }));
        self.next.reset(sc.programs.len());
        refill(&mut self.fired, sc.rules.len(), false);
        self.pending_effects.clear();
        self.wake_idx = 0;
        self.era_idx = 0;
        self.changed = crate::scenario::condition::reads::ALL;
        self.eras.resize_with(sc.eras.len(), EraState::default);
    }

    #[inline]
    pub fn reached(&self, milestone: usize, agency: usize) -> f64 {
        self.reached[milestone * self.n_agencies + agency]
    }

    /// The agency that reached a milestone first (ties go to the lower agency index), if any.
    pub fn first(&self, milestone: usize) -> Option<usize> {
        let row = &self.reached[milestone * self.n_agencies..(milestone + 1) * self.n_agencies];
        let mut best: Option<usize> = None;
        for (a, &d) in row.iter().enumerate() {
            if d < NEVER && best.is_none_or(|b| d < row[b]) {
                best = Some(a);
            }
        }
        best
    }

    /// The agency's current funding level.
    #[inline]
    pub fn budget(&self, sc: &Scenario, agency: usize) -> f64 {
        sc.agencies[agency].budget_at(self.t) * self.budget_scale[agency]
    }

    /// Evaluates a condition on the world as it stands now.
    pub fn holds(&self, c: &Cond) -> bool {
        self.work.add(1);
        match c {
            Cond::True => true,
            Cond::False => false,
            Cond::Reached { agency, milestone } => self.reached(*milestone, *agency) < NEVER,
            Cond::First { milestone, agency } => self.first(*milestone) == Some(*agency),
            Cond::Any { milestone } => self.first(*milestone).is_some(),
            // A program cancelled before it started has not started.
            Cond::Started { program } => self.programs[*program].started < NEVER,
            Cond::Done { program } => self.programs[*program].status == Status::Done,
            Cond::Cancelled { program } => self.programs[*program].status == Status::Cancelled,
            Cond::After { day } => self.t >= *day,
            Cond::CrewLost { agency, op, n } => op.holds(self.crew_lost[*agency] as f64, *n),
            Cond::Flights { vehicle, op, n } => op.holds(self.vehicles[*vehicle].flights as f64, *n),
            Cond::Failures { vehicle, op, n } => op.holds(self.vehicles[*vehicle].failures as f64, *n),
            Cond::Compare { lhs, op, rhs } => {
                let date = |m: usize, a: usize| self.reached(m, a);
                match (lhs.value(date), rhs.value(date)) {
                    (Some(l), Some(r)) => op.holds(l, r),
                    _ => false,
                }
            }
            Cond::Flown { program, flight } => self.named[*program][*flight as usize] != NamedStatus::NotFlown,
            Cond::FlightLost { program, flight } => {
                let status = self.named[*program][*flight as usize];
                status == NamedStatus::Lost
            }
            Cond::Flew { agency, person } => self.flights_flown[*agency][*person as usize] > 0,
            Cond::Killed { agency, person } => !self.alive[*agency][*person as usize],
            // `credit` is meaningful only where the milestone was reached in this timeline.
            Cond::Credited { agency, person, milestone } => {
                let idx = milestone * self.n_agencies + agency;
                self.reached[idx] < NEVER && self.credit[idx].as_slice().contains(person)
            }
            Cond::Not(c) => !self.holds(c),
            Cond::And(cs) => cs.iter().all(|c| self.holds(c)),
            Cond::Or(cs) => cs.iter().any(|c| self.holds(c)),
        }
    }
}

fn refill<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
    v.clear();
    v.resize(n, value);
}
