//! The discrete-event engine: one timeline, start to end.
//!
//! A timeline is a pure function of (scenario, seed, timeline index): every random number comes from
//! [`Noise`], keyed by what the decision is, so the order in which events are processed never
//! changes which number a decision gets.
//!
//! The pending-event set is tiny (one next event per program, plus a few timers), so it is scanned
//! linearly instead of kept in a heap: at this size a scan beats a heap (see
//! `shared/reference/performance.md`), and ties resolve by a fixed order (programs by index, then
//! delayed effects, then wake-ups, then eras), which keeps timelines deterministic.

use crate::crew;
use crate::limits;
use crate::noise::{Kind, Noise};
use crate::scenario::condition::reads;
use crate::scenario::{Effect, ForcedOutcome, Phase, Scenario, Start};
use crate::world::{Budget, Crew, Flight, FlightEnd, FlightName, NEVER, NamedStatus, Overrun, Status, World};

/// Landed flights a vehicle's belief may hold back before they are folded in (see `land`).
const UNSEEN_FOLD: usize = 64;

/// What happened, for observers such as the chronicle. The engine itself never formats text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    ProgramStarted {
        program: usize,
    },
    /// A flight left the ground (`test`: the step's uncrewed test mission flown instead).
    Launch {
        program: usize,
        step: usize,
        mission: usize,
        test: bool,
    },
    /// A flight came back (or was lost); its result is in the program's `flight`.
    Landed {
        program: usize,
        step: usize,
    },
    /// A flight of `program` reached a milestone (dated by its phase: `day` may precede now).
    Milestone {
        program: usize,
        /// The phase of the flight that reached it (its party is credited).
        phase: usize,
        milestone: usize,
        agency: usize,
        day: f64,
        first: bool,
    },
    RuleFired {
        rule: usize,
    },
    /// A rule's effects came due; `changed` is false when they changed nothing (a program
    /// started that had already started, a cancelled one cancelled again) or were dropped
    /// because the rule's `still` condition no longer held.
    EffectsApplied {
        rule: usize,
        changed: bool,
    },
    StepDone {
        program: usize,
        step: usize,
    },
    ProgramDone {
        program: usize,
    },
    ProgramCancelled {
        program: usize,
    },
    Era {
        era: usize,
    },
}

/// Receives events as a timeline unfolds. The ensemble uses [`Quiet`], which compiles to nothing.
pub trait Observer {
    fn event(&mut self, world: &World, event: Event);
}

/// An observer that ignores everything.
pub struct Quiet;

impl Observer for Quiet {
    #[inline(always)]
    fn event(&mut self, _: &World, _: Event) {}
}

/// Runs timeline `timeline` of `sc` under `seed`, leaving its final state in `w`.
pub fn run_timeline<O: Observer>(sc: &Scenario, seed: u64, timeline: u64, w: &mut World, obs: &mut O) {
    let noise = Noise::new(seed, timeline);
    let mut e = Engine { sc, noise, w, obs };
    e.init();
    e.w.timeline = timeline;
    e.run();
}

struct Engine<'a, O: Observer> {
    sc: &'a Scenario,
    noise: Noise,
    w: &'a mut World,
    obs: &'a mut O,
}

/// The kinds of pending events, in tie-break order.
#[derive(Clone, Copy)]
enum Next {
    Program(usize),
    Effect(usize),
    Wake,
    Era,
}

impl<O: Observer> Engine<'_, O> {
    fn init(&mut self) {
        self.w.reset(self.sc);
        for (vs, vehicle) in self.w.vehicles.iter_mut().zip(&self.sc.vehicles) {
            vs.q0 = match vehicle.fixed {
                Some(q) => q,
                None => vehicle.prior.sample_q0(self.noise.uniform(Kind::TrueReliability, vehicle.key, 0, 0)),
            };
        }
        self.past();
        for (p, prog) in self.sc.programs.iter().enumerate() {
            if let Start::On(day) = prog.start {
                self.w.next[p] = day.max(0.0);
            }
        }
        self.settle();
    }

    /// A named flight has been launched (`flown(..)`); how it went is set when it lands.
    fn mark_flown(&mut self, name: FlightName) {
        if let FlightName::Named { program, index } = name {
            self.w.named[program as usize][index as usize] = NamedStatus::Flown;
            self.w.changed |= reads::FLIGHTS;
        }
    }

    /// The world before the start: milestones reached, people lost, vehicles' records.
    fn past(&mut self) {
        let sc = self.sc;
        for f in &sc.past {
            for &ms in &f.achieves {
                let idx = ms * self.w.n_agencies + f.agency;
                if f.day < self.w.reached[idx] {
                    self.w.reached[idx] = f.day;
                    let mut party = Crew::EMPTY;
                    for (seat, &c) in f.crew.iter().take(crate::limits::MAX_CREW).enumerate() {
                        party.ids[seat] = c;
                        party.n += 1;
                    }
                    self.w.credit[idx] = party;
                }
            }
            for &c in &f.crew {
                let flown = &mut self.w.flights_flown[f.agency][c as usize];
                *flown = flown.saturating_add(1);
            }
            if f.lost {
                f.crew.iter().for_each(|&c| self.w.alive[f.agency][c as usize] = false);
            }
            for &v in &f.vehicles {
                let vs = &mut self.w.vehicles[v];
                let n = sc.vehicles[v].family_index(vs.flights, f.day);
                vs.flights += 1;
                vs.last_launch = f.day;
                vs.failures += f.lost as u32;
                vs.streak = if f.lost { 0 } else { vs.streak + 1 };
                vs.unseen.push((n, f.lost));
            }
        }
    }

    fn run(&mut self) {
        loop {
            let (t, next) = self.peek();
            if t > self.sc.horizon {
                break;
            }
            self.w.t = t;
            self.w.events += 1;
            match next {
                Next::Program(p) if self.over_budget().is_some() => {
                    let (step, budget) = (self.w.programs[p].step, self.over_budget().unwrap_or(Budget::Events));
                    let (timeline, day) = (self.w.timeline, t as u32);
                    self.w.overrun = Some(Overrun { timeline, program: p, step, budget, day });
                    return;
                }
                Next::Program(p) => self.program_event(p),
                Next::Effect(i) => {
                    let (_, rule) = self.w.pending_effects.swap_remove(i);
                    match &self.sc.rules[rule].still {
                        Some(c) if !self.w.holds(c) => {
                            self.obs.event(self.w, Event::EffectsApplied { rule, changed: false });
                        }
                        _ => self.apply_effects(rule),
                    }
                }
                Next::Wake => {
                    self.w.wake_idx += 1;
                    self.w.changed |= reads::TIME;
                }
                Next::Era => {
                    self.snapshot_era();
                    continue;
                }
            }
            self.settle();
        }
        // Eras after the last event see the world as it was left.
        while self.w.era_idx < self.sc.eras.len() {
            self.w.t = self.sc.eras[self.w.era_idx].day;
            self.snapshot_era();
        }
        self.w.t = self.sc.horizon;
    }

    /// Which budget of the timeline is spent, if any. Checked at program events: only programs
    /// can make events without end (timers and eras are finite), and every settle follows one.
    fn over_budget(&self) -> Option<Budget> {
        if self.w.events > limits::EVENTS.value {
            Some(Budget::Events)
        } else if self.w.work.get() > limits::WORK.value {
            Some(Budget::Work)
        } else {
            None
        }
    }

    /// The earliest pending event; `NEVER` when nothing is pending.
    #[inline]
    fn peek(&self) -> (f64, Next) {
        let mut best = (NEVER, Next::Era);
        for (p, &t) in self.w.next.iter().enumerate() {
            if t < best.0 {
                best = (t, Next::Program(p));
            }
        }
        for (i, &(d, _)) in self.w.pending_effects.iter().enumerate() {
            if d < best.0 {
                best = (d, Next::Effect(i));
            }
        }
        if let Some(&d) = self.sc.wake_days.get(self.w.wake_idx)
            && d < best.0
        {
            best = (d, Next::Wake);
        }
        if let Some(era) = self.sc.eras.get(self.w.era_idx)
            && era.day < best.0
        {
            best = (era.day, Next::Era);
        }
        best
    }

    fn program_event(&mut self, p: usize) {
        match self.w.programs[p].status {
            Status::NotStarted => self.start_program(p),
            Status::Preparing => self.launch(p),
            Status::Flying => self.land(p),
            Status::Waiting | Status::Done | Status::Cancelled | Status::Retired => self.w.next[p] = NEVER,
        }
    }

    fn start_program(&mut self, p: usize) {
        let ps = &mut self.w.programs[p];
        if ps.status != Status::NotStarted {
            return;
        }
        ps.started = self.w.t;
        ps.status = Status::Waiting;
        self.w.changed |= reads::PROGRAMS;
        self.w.next[p] = NEVER;
        self.obs.event(self.w, Event::ProgramStarted { program: p });
        self.begin_prep(p, 0.0);
    }

    /// Starts preparing the current step's next flight, `extra` days from now (a stand-down), or
    /// waits if the step's `requires` does not hold yet.
    fn begin_prep(&mut self, p: usize, extra: f64) {
        let prog = &self.sc.programs[p];
        let ps = &self.w.programs[p];
        let step = &prog.steps[ps.step];
        if let Some(req) = &step.requires
            && !self.w.holds(req)
        {
            let ps = &mut self.w.programs[p];
            ps.status = Status::Waiting;
            self.w.next[p] = NEVER;
            return;
        }
        let level = self.w.budget(self.sc, prog.agency).max(1e-3);
        let funding = match self.sc.elasticity {
            1.0 => level,
            0.5 => level.sqrt(),
            e => level.powf(e),
        };
        let scale = ps.pace / funding;
        let u = self.noise.uniform(Kind::Prep, prog.key, step.key, ps.attempt as u64);
        let days = step.prep.quantile(u, scale);
        let ps = &mut self.w.programs[p];
        ps.status = Status::Preparing;
        self.w.next[p] = self.w.t + extra + days;
    }

    /// Whether the agency would put a crew on `mission` now: the program's test-flight rule and
    /// the agency's risk posture, judged on its *belief* about each vehicle.
    fn crew_allowed(&mut self, p: usize, mission: usize) -> bool {
        let prog = &self.sc.programs[p];
        let m = &self.sc.missions[mission];
        if m.vehicles.iter().any(|&v| self.w.vehicles[v].streak < prog.clean_flights) {
            return false;
        }
        // Each vehicle's predicted failure probability for its next flight, once per vehicle.
        let mut predicted = [0.0; crate::scenario::MAX_MISSION_VEHICLES];
        for (local, &v) in m.vehicles.iter().enumerate() {
            let vs = &mut self.w.vehicles[v];
            let n = self.sc.vehicles[v].family_index(vs.flights, self.w.t);
            predicted[local] = vs.predict(&self.sc.vehicles[v].prior, n);
        }
        let mut survive = 1.0;
        for ph in &m.phases {
            survive *= 1.0 - ph.share * predicted[ph.local] * ph.loss;
        }
        let risk = self.sc.agencies[prog.agency].risk * self.w.risk_scale[prog.agency];
        1.0 - survive <= risk
    }

    fn launch(&mut self, p: usize) {
        let prog = &self.sc.programs[p];
        let step_idx = self.w.programs[p].step;
        let step = &prog.steps[step_idx];
        let mut mission = step.mission;
        let mut test = false;
        if self.sc.missions[mission].crew > 0
            && let Some(t) = step.test
            && !self.crew_allowed(p, mission)
        {
            mission = t;
            test = true;
        }
        let m = &self.sc.missions[mission];
        // Production and pad turnaround: wait for every vehicle's lead time.
        let ready = m
            .vehicles
            .iter()
            .map(|&v| self.w.vehicles[v].last_launch + self.sc.vehicles[v].lead_days)
            .fold(self.w.t, f64::max);
        if ready > self.w.t {
            self.w.next[p] = ready;
            return;
        }
        let mut flight = Flight { mission, test, launch: self.w.t, ..Flight::NONE };
        if m.crew > 0 {
            let name = crew::name_flight(self.sc, self.w, p, true, mission);
            let Some(chosen) = crew::choose(self.sc, self.w, p, name, m.crew as usize) else {
                // Nobody left to fly: the program cannot go on.
                self.cancel(p);
                return;
            };
            flight.name = name;
            self.mark_flown(name);
            flight.crew = chosen.ids;
            flight.n_crew = chosen.n as usize;
            self.w.crewed_flights[prog.agency] += 1;
        } else {
            flight.name = crew::name_flight(self.sc, self.w, p, false, mission);
            self.mark_flown(flight.name);
        }
        self.resolve_phases(&mut flight);
        // Flight counts are visible to `flights(..)` conditions.
        if self.sc.counts_flights && self.sc.missions[mission].vehicles.iter().any(|&v| self.sc.watched[v]) {
            self.w.changed |= reads::VEHICLES;
        }
        let ps = &mut self.w.programs[p];
        ps.attempt += 1;
        ps.status = Status::Flying;
        // A failed flight comes home (or is lost) at its failed phase: the loss is dated there.
        let back = flight.end.failed_phase().map_or(m.duration, |i| m.phases[i].day);
        self.w.next[p] = self.w.t + back;
        ps.flight = flight;
        self.obs.event(self.w, Event::Launch { program: p, step: step_idx, mission, test });
    }

    /// Flies the phases in order. A phase's outcome is keyed by (vehicle, its flight number in this
    /// timeline, the phase's slot among that vehicle's phases), so "the N1's second flight" gets
    /// the same luck in every world where the N1 flies a second time. A divergence may force the
    /// outcome; the keyed draw for crew survival is still the one the phase would have used.
    fn resolve_phases(&mut self, flight: &mut Flight) {
        let m = &self.sc.missions[flight.mission];
        let mission_number = self.w.mission_flights[flight.mission];
        self.w.mission_flights[flight.mission] += 1;
        for (i, ph) in m.phases.iter().enumerate() {
            let v = ph.vehicle;
            let vehicle = &self.sc.vehicles[v];
            let vs = &mut self.w.vehicles[v];
            if flight.numbers[ph.local] == u32::MAX {
                flight.numbers[ph.local] = vs.flights;
                vs.flights += 1;
                vs.last_launch = flight.launch;
            }
            let n = flight.numbers[ph.local];
            let growth = vehicle.prior.growth_at(vehicle.family_index(n, flight.launch));
            let q = (vs.q0 * growth * ph.share * self.w.reliability_scale[v]).min(1.0);
            let stream = self.noise.stream(Kind::Phase, vehicle.key, n as u64, ph.slot as u64);
            flight.phases_reached = i + 1;
            let forced = if self.sc.forced.is_empty() { None } else { self.forced(flight, mission_number, ph, n) };
            if let Some((k, _)) = forced {
                flight.forced = Some(k as u32);
            }
            let (failed, lost) = match forced.map(|f| f.1) {
                None => {
                    let failed = stream.uniform(0) < q;
                    (failed, failed && stream.uniform(1) < ph.loss)
                }
                Some(ForcedOutcome::Success) => (false, false),
                Some(ForcedOutcome::Failure) => (true, stream.uniform(1) < ph.loss),
                Some(ForcedOutcome::Abort) => (true, false),
                Some(ForcedOutcome::Loss) => (true, true),
            };
            if failed {
                let lost = lost && m.crew > 0;
                flight.end = if lost { FlightEnd::Lost { phase: i } } else { FlightEnd::Abort { phase: i } };
                return;
            }
        }
        flight.end = FlightEnd::Success;
    }

    /// The forced outcome of this phase, if a divergence names it; records that it happened.
    /// The forced outcome of this phase of `flight`, if a divergence names it; records that it
    /// happened.
    fn forced(
        &mut self,
        flight: &Flight,
        mission_number: u32,
        ph: &Phase,
        vehicle_number: u32,
    ) -> Option<(usize, ForcedOutcome)> {
        // The first forced event (in divergence order) that names this phase: the lowest index
        // among the entries for this vehicle flight, this mission flight and this named flight.
        let index = &self.sc.forced_index;
        let first_for = |key: (u8, usize, u32)| {
            let lo = index.partition_point(|e| (e.0, e.1, e.2) < key);
            index[lo..]
                .iter()
                .take_while(|e| (e.0, e.1, e.2) == key)
                .map(|e| e.3)
                .find(|&k| self.sc.forced[k].phase.is_none_or(|name| name == ph.name_key))
        };
        let by_vehicle = first_for((0, ph.vehicle, vehicle_number));
        let by_mission = first_for((1, flight.mission, mission_number));
        let by_name = match flight.name {
            FlightName::Named { program, index } => first_for((2, program as usize, index as u32)),
            _ => None,
        };
        let k = [by_vehicle, by_mission, by_name].into_iter().flatten().min()?;
        self.w.forced_hits[k] = true;
        Some((k, self.sc.forced[k].outcome))
    }

    fn land(&mut self, p: usize) {
        let prog = &self.sc.programs[p];
        let agency = prog.agency;
        let flight = self.w.programs[p].flight;
        let m = &self.sc.missions[flight.mission];
        let failed_phase = flight.end.failed_phase();
        if let Some(i) = failed_phase
            && self.sc.watched[m.phases[i].vehicle]
        {
            self.w.changed |= reads::VEHICLES;
        }
        self.learn(&flight);
        // Milestones of the phases that succeeded, dated by their phase.
        let succeeded = failed_phase.unwrap_or(m.phases.len());
        for (phase, ph) in m.phases[..succeeded].iter().enumerate() {
            for &ms in &ph.achieves {
                let idx = ms * self.w.n_agencies + agency;
                if self.w.reached[idx] == NEVER {
                    let day = flight.launch + ph.day;
                    self.w.reached[idx] = day;
                    self.w.credit[idx] = flight.party(ph.party);
                    self.w.changed |= reads::MILESTONES;
                    let first = self.w.first(ms) == Some(agency);
                    self.obs.event(self.w, Event::Milestone { program: p, phase, milestone: ms, agency, day, first });
                }
            }
        }
        let lost = matches!(flight.end, FlightEnd::Lost { .. });
        if lost {
            self.w.crew_lost[agency] += flight.n_crew as u32;
            self.w.fatal[agency] += 1;
            self.w.changed |= reads::CREW;
        }
        for &c in flight.crew() {
            self.w.flying[agency][c as usize] = false;
            self.w.alive[agency][c as usize] &= !lost;
            let flown = &mut self.w.flights_flown[agency][c as usize];
            *flown = flown.saturating_add(1);
        }
        if let FlightName::Named { program, index } = flight.name {
            self.w.named[program as usize][index as usize] = match flight.end {
                FlightEnd::Success => NamedStatus::Flown,
                FlightEnd::Abort { .. } if m.crew > 0 => NamedStatus::Failed,
                FlightEnd::Abort { .. } | FlightEnd::Lost { .. } => NamedStatus::Lost,
            };
        }
        if flight.n_crew > 0 || matches!(flight.name, FlightName::Named { .. }) {
            self.w.changed |= reads::FLIGHTS;
        }
        let step = self.w.programs[p].step;
        self.obs.event(self.w, Event::Landed { program: p, step });
        if self.w.programs[p].cancel_on_landing {
            self.finish(p, Status::Cancelled);
            return;
        }
        match flight.end {
            FlightEnd::Success => self.after_success(p, flight.test),
            FlightEnd::Abort { .. } | FlightEnd::Lost { .. } => {
                let lost = matches!(flight.end, FlightEnd::Lost { .. });
                let d = if lost { prog.loss_stand_down } else { prog.stand_down };
                let ps = &self.w.programs[p];
                let u = self.noise.uniform(Kind::StandDown, prog.key, prog.steps[ps.step].key, ps.attempt as u64);
                let extra = d.quantile(u, 1.0);
                self.begin_prep(p, extra);
            }
        }
    }

    /// Every vehicle that flew updates its flight record and its agency's belief.
    fn learn(&mut self, flight: &Flight) {
        let m = &self.sc.missions[flight.mission];
        let failed_vehicle = flight.end.failed_phase().map(|i| m.phases[i].vehicle);
        for (local, &v) in m.vehicles.iter().enumerate() {
            let number = flight.numbers[local];
            if number == u32::MAX {
                continue;
            }
            let failed = failed_vehicle == Some(v);
            let n = self.sc.vehicles[v].family_index(number, flight.launch);
            let vs = &mut self.w.vehicles[v];
            if failed {
                vs.failures += 1;
                vs.streak = 0;
            } else {
                vs.streak += 1;
            }
            vs.unseen.push((n, failed));
            // Beliefs are updated lazily, when a crew decision needs them; a vehicle that never
            // carries a crew would collect flights without end. Folding them in early gives the
            // same posterior (same observations, same order) and keeps a World's size bounded.
            if vs.unseen.len() >= UNSEEN_FOLD {
                vs.belief(&self.sc.vehicles[v].prior);
            }
        }
    }

    fn after_success(&mut self, p: usize, test: bool) {
        let prog = &self.sc.programs[p];
        let ps = &mut self.w.programs[p];
        if !test {
            ps.successes += 1;
        }
        if ps.successes >= prog.steps[ps.step].repeat {
            let step = ps.step;
            self.obs.event(self.w, Event::StepDone { program: p, step });
            let ps = &mut self.w.programs[p];
            ps.step += 1;
            ps.successes = 0;
            ps.attempt = 0;
            if ps.step == prog.steps.len() {
                self.finish(p, Status::Done);
                return;
            }
        }
        self.begin_prep(p, 0.0);
    }

    fn finish(&mut self, p: usize, status: Status) {
        let ps = &mut self.w.programs[p];
        let status = if status == Status::Cancelled && ps.retired { Status::Retired } else { status };
        ps.status = status;
        self.w.next[p] = NEVER;
        ps.ended = self.w.t;
        self.w.changed |= reads::PROGRAMS;
        ps.cancel_on_landing = false;
        let event = if status == Status::Done {
            Event::ProgramDone { program: p }
        } else {
            Event::ProgramCancelled { program: p }
        };
        self.obs.event(self.w, event);
    }

    fn cancel(&mut self, p: usize) {
        match self.w.programs[p].status {
            Status::Done | Status::Cancelled | Status::Retired => {}
            Status::Flying => self.w.programs[p].cancel_on_landing = true,
            _ => self.finish(p, Status::Cancelled),
        }
    }

    /// Re-evaluates every condition until nothing changes: rules fire, programs start, wait,
    /// resume or are cancelled. Bounded, since each pass must change something to go on and each
    /// rule fires at most once and each program only moves forward.
    fn settle(&mut self) {
        for _ in 0..64 {
            let seen = std::mem::take(&mut self.w.changed);
            if seen & self.sc.reads_any == 0 {
                return;
            }
            let mut changed = false;
            for (r, rule) in self.sc.rules.iter().enumerate() {
                if !self.w.fired[r] && rule.reads & seen != 0 && self.w.holds(&rule.when) {
                    self.w.fired[r] = true;
                    changed = true;
                    self.obs.event(self.w, Event::RuleFired { rule: r });
                    if rule.delay > 0.0 {
                        self.w.pending_effects.push((self.w.t + rule.delay, r));
                    } else {
                        self.apply_effects(r);
                    }
                }
            }
            for &p in &self.sc.conditional {
                let prog = &self.sc.programs[p];
                let status = self.w.programs[p].status;
                if status == Status::NotStarted {
                    if let Start::When(c) = &prog.start
                        && prog.start_reads & seen != 0
                        && self.w.holds(c)
                    {
                        self.start_program(p);
                        changed = true;
                    }
                    continue;
                }
                if status.ended() || self.w.programs[p].cancel_on_landing {
                    continue;
                }
                if let Some(c) = &prog.cancel
                    && prog.cancel_reads & seen != 0
                    && self.w.holds(c)
                {
                    self.cancel(p);
                    changed = true;
                    continue;
                }
                if let Some(c) = &prog.retire
                    && prog.retire_reads & seen != 0
                    && self.w.holds(c)
                {
                    self.w.programs[p].retired = true;
                    self.cancel(p);
                    changed = true;
                    continue;
                }
                if status == Status::Waiting {
                    // `begin_prep` re-checks the step's `requires`.
                    self.begin_prep(p, 0.0);
                    changed |= self.w.programs[p].status != Status::Waiting;
                }
            }
            if !changed {
                return;
            }
        }
    }

    fn apply_effects(&mut self, rule: usize) {
        let mut changed = false;
        for effect in &self.sc.rules[rule].effects {
            changed |= match *effect {
                Effect::Start { program } => self.w.programs[program].status == Status::NotStarted,
                // Cancelling a program that never started, or has ended, is not news.
                Effect::Cancel { program } => {
                    let ps = &self.w.programs[program];
                    matches!(ps.status, Status::Waiting | Status::Preparing | Status::Flying) && !ps.cancel_on_landing
                }
                _ => true,
            };
            // Scales compound; capped at `MAX_SCALE` so that many effects cannot reach infinity
            // (inf · 0 is NaN, and a NaN time never comes).
            let compound = |x: &mut f64, scale: f64| *x = (*x * scale).min(limits::MAX_SCALE);
            match *effect {
                Effect::Budget { agency, scale } => compound(&mut self.w.budget_scale[agency], scale),
                Effect::Risk { agency, scale } => compound(&mut self.w.risk_scale[agency], scale),
                Effect::Pace { program, scale } => compound(&mut self.w.programs[program].pace, scale),
                Effect::Start { program } => self.start_program(program),
                Effect::Cancel { program } => self.cancel(program),
                Effect::Reliability { vehicle, scale } => compound(&mut self.w.reliability_scale[vehicle], scale),
            }
        }
        self.obs.event(self.w, Event::EffectsApplied { rule, changed });
    }

    fn snapshot_era(&mut self) {
        let e = self.w.era_idx;
        let mut snap = std::mem::take(&mut self.w.eras[e]);
        snap.crew_lost.clear();
        snap.crew_lost.extend_from_slice(&self.w.crew_lost);
        snap.budget.clear();
        snap.budget.extend((0..self.sc.agencies.len()).map(|a| self.w.budget(self.sc, a)));
        snap.fates.clear();
        snap.fates.extend(self.w.programs.iter().map(|p| p.status.fate()));
        self.w.eras[e] = snap;
        self.w.era_idx += 1;
        self.obs.event(self.w, Event::Era { era: e });
    }
}
