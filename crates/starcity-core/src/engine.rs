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
use crate::dist::LogNormal;
use crate::limits;
use crate::noise::{Kind, Noise, Stream};
use crate::replay::{self, Conditioning, Mismatch, Mode, Tape, Taped, Why};
use crate::scenario::condition::reads;
use crate::scenario::real::{EndFate, RealOutcome};
use crate::scenario::{Effect, ForcedOutcome, Phase, Scenario, Start};
use crate::world::{Budget, Crew, Flight, FlightEnd, FlightName, NEVER, NamedStatus, Overrun, Status, World};

/// Tells a launch decision's tape key from its preparation's (same identity, another decision).
const LAUNCH_TAG: u64 = 0x4C41_554E_4348_0001;

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
    run_with_tape(sc, seed, timeline, w, obs, None);
}

/// Runs timeline `timeline` of `sc`, a counterfactual twin (`replay::Mode::Twin`), on the tape of
/// abducted noise its baseline left (`World::tape`).
pub fn run_with_tape<O: Observer>(
    sc: &Scenario,
    seed: u64,
    timeline: u64,
    w: &mut World,
    obs: &mut O,
    tape: Option<&Tape>,
) {
    let noise = Noise::new(seed, timeline);
    let cond = sc.conditioning.as_deref();
    let tape_in = tape.filter(|_| cond.is_some_and(|c| c.mode == Mode::Twin));
    let mut e = Engine { sc, noise, w, obs, cond, tape_in };
    e.init();
    e.w.timeline = timeline;
    e.run();
}

/// The (vehicle, family flight index, failed) of each vehicle a flight reached: what its
/// agency learns when it lands, and what the truth is conditioned on under a replay.
pub(crate) fn observations<'a>(sc: &'a Scenario, flight: &'a Flight) -> impl Iterator<Item = (usize, u32, bool)> + 'a {
    let m = &sc.missions[flight.mission];
    let failed_vehicle = flight.end.failed_phase().map(|i| m.phases[i].vehicle);
    m.vehicles
        .iter()
        .enumerate()
        .filter(|&(local, _)| flight.numbers[local] != u32::MAX)
        .map(move |(local, &v)| (v, flight.family[local], failed_vehicle == Some(v)))
}

struct Engine<'a, O: Observer> {
    sc: &'a Scenario,
    noise: Noise,
    w: &'a mut World,
    obs: &'a mut O,
    /// The record's conditioning, if any (see `replay.rs`).
    cond: Option<&'a Conditioning>,
    /// The baseline's tape, for a counterfactual twin.
    tape_in: Option<&'a Tape>,
}

/// How a recorded flight went: the failed phase (index in its mission) and whether the crew was
/// lost.
#[derive(Clone, Copy)]
struct Fate {
    record: u32,
    failed: Option<usize>,
    lost: bool,
}

/// A launch decided by the record (or, in a twin, by the tape): mission, test, name.
#[derive(Clone, Copy)]
struct Choice {
    mission: usize,
    test: bool,
    name: FlightName,
    evidence: bool,
}

/// The kinds of pending events, in tie-break order.
#[derive(Clone, Copy)]
enum Next {
    Program(usize),
    Effect(usize),
    End,
    Wake,
    Era,
}

impl<O: Observer> Engine<'_, O> {
    fn init(&mut self) {
        self.w.reset(self.sc);
        let truth = self.cond.map_or(&[][..], |c| &c.truth[..]);
        for (v, (vs, vehicle)) in self.w.vehicles.iter_mut().zip(&self.sc.vehicles).enumerate() {
            // Under a replay the truth is drawn from its posterior given the recorded flights.
            let prior = truth.get(v).and_then(Option::as_ref).unwrap_or(&vehicle.truth);
            vs.q0 = match vehicle.fixed {
                Some(q) => q,
                None => prior.sample_q0(self.noise.uniform(Kind::TrueReliability, vehicle.key, 0, 0)),
            };
        }
        self.past();
        for (p, prog) in self.sc.programs.iter().enumerate() {
            if let Start::On(day) = prog.start {
                self.w.next.set(p, day.max(0.0));
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
                if sc.believed[v] {
                    vs.unseen.push((n, f.lost));
                }
            }
        }
    }

    fn run(&mut self) {
        loop {
            let (t, next) = self.peek();
            self.check_due(t);
            if self.w.mismatch.is_some() {
                return;
            }
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
                Next::End => self.record_end(),
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
        let mut best = match self.w.next.earliest() {
            Some((t, p)) => (t, Next::Program(p)),
            None => (NEVER, Next::Era),
        };
        for (i, &(d, _)) in self.w.pending_effects.iter().enumerate() {
            if d < best.0 {
                best = (d, Next::Effect(i));
            }
        }
        if let Some(c) = self.cond
            && let Some(e) = self.sc.record.ends.get(self.w.end_idx)
            && e.day < c.until
            && e.day <= best.0
        {
            // A recorded end comes before a launch on the same day: a preparation drawn to end
            // "after the program's end" may round onto it.
            best = (e.day, Next::End);
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
            Status::Waiting | Status::Done | Status::Cancelled | Status::Retired => self.w.next.set(p, NEVER),
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
        self.w.next.set(p, NEVER);
        self.obs.event(self.w, Event::ProgramStarted { program: p });
        self.begin_prep(p, 0.0);
    }

    /// Starts preparing the current step's next flight, `extra` days from now (a stand-down), or
    /// waits if the step's `requires` does not hold yet.
    fn begin_prep(&mut self, p: usize, extra: f64) {
        let sc = self.sc;
        let prog = &sc.programs[p];
        let step = &prog.steps[self.w.programs[p].step];
        if let Some(req) = &step.requires
            && !self.w.holds(req)
        {
            let ps = &mut self.w.programs[p];
            ps.status = Status::Waiting;
            self.w.next.set(p, NEVER);
            return;
        }
        let scale = self.prep_scale(p);
        let stream = self.noise.stream(Kind::Prep, prog.key, step.key, self.w.programs[p].attempt as u64);
        let next = self.prep_end(p, self.w.t + extra, scale, step.prep, stream);
        let ps = &mut self.w.programs[p];
        ps.status = Status::Preparing;
        self.w.next.set(p, next);
    }

    /// The factor a program's preparation medians are scaled by now: its pace over its
    /// agency's funding.
    fn prep_scale(&mut self, p: usize) -> f64 {
        let a = self.sc.programs[p].agency;
        // `World::budget`, with the scheduled level found from where it was found last.
        let scheduled = self.sc.agencies[a].budget_from(self.w.t, &mut self.w.budget_cursor[a]);
        let level = (scheduled * self.w.budget_scale[a]).max(1e-3);
        let funding = match self.sc.elasticity {
            1.0 => level,
            0.5 => level.sqrt(),
            e => level.powf(e),
        };
        self.w.programs[p].pace / funding
    }

    /// When a preparation begun at `start` ends. Free: the keyed quantile. Under a replay: on the
    /// program's next recorded launch (its uniform abducted), or, with none left before the
    /// program's bound, after that bound (a draw from the tail). A twin takes the baseline's.
    fn prep_end(&mut self, p: usize, start: f64, scale: f64, d: LogNormal, stream: Stream) -> f64 {
        let inputs = [start, scale, d.median, d.sigma];
        if let Some(e) = self.tape_in.and_then(|t| t.get(stream.key())) {
            return if e.inputs == inputs { e.value } else { start + d.quantile(e.u[0], scale) };
        }
        if let Some(c) = self.cond.filter(|c| c.mode == Mode::Replay) {
            let (u, next) = if let Some(k) = self.recorded_next(p) {
                let target = self.sc.record.flights[k as usize].day;
                if target < start {
                    return self.mismatch(target, Why::TooSoon { flight: k, free: start });
                }
                (d.cdf(target - start, scale), target)
            } else if start < c.bound[p] {
                let Some(u) = replay::above(stream.uniform(0), d.cdf(c.bound[p] - start, scale)) else {
                    return self.mismatch(start, Why::Overdue { program: p, bound: c.bound[p] });
                };
                (u, (start + d.quantile(u, scale)).max(c.bound[p]))
            } else {
                return start + d.quantile(stream.uniform(0), scale);
            };
            self.put_tape(Taped { key: stream.key(), u: [u, 0.0], inputs, value: next, launch: None });
            return next;
        }
        start + d.quantile(stream.uniform(0), scale)
    }

    /// A stand-down after a failure. Under a replay whose next recorded launch is known (and the
    /// step can prepare at once), the gap to it is split between the stand-down and the
    /// preparation by the stand-down's posterior. A twin takes the baseline's.
    fn stand_down(&mut self, p: usize, d: LogNormal, stream: Stream) -> f64 {
        let inputs = [self.w.t, 1.0, d.median, d.sigma];
        if let Some(e) = self.tape_in.and_then(|t| t.get(stream.key())) {
            return if e.inputs == inputs { e.value } else { d.quantile(e.u[0], 1.0) };
        }
        let step = &self.sc.programs[p].steps[self.w.programs[p].step];
        let free = step.requires.as_ref().is_none_or(|r| self.w.holds(r));
        if let Some(k) = self.recorded_next(p).filter(|_| free) {
            let gap = self.sc.record.flights[k as usize].day - self.w.t;
            if gap <= 0.0 {
                return self.mismatch(self.w.t + gap, Why::TooSoon { flight: k, free: self.w.t });
            }
            let s = replay::split_gap(d, step.prep, self.prep_scale(p), gap, stream.uniform(0));
            let u = [d.cdf(s, 1.0), 0.0];
            self.put_tape(Taped { key: stream.key(), u, inputs, value: s, launch: None });
            return s;
        }
        d.quantile(stream.uniform(0), 1.0)
    }

    /// Under a replay, program `p`'s next recorded flight not yet flown and launched before the
    /// replay's end (an index into `record.flights`).
    ///
    /// A flight launched on the replay's last day itself is launched as recorded (its date,
    /// mission and crew are history) but flies free: the point of divergence is its outcome
    /// ("Soyuz 1's solar panel deploys" keeps Komarov on Soyuz 1 on 1967-04-23).
    fn recorded_next(&self, p: usize) -> Option<u32> {
        let c = self.cond.filter(|c| c.mode == Mode::Replay)?;
        let &k = self.sc.record.flights_of(p).get(self.w.record_next[p] as usize)?;
        (self.sc.record.flights[k as usize].cut <= c.until).then_some(k)
    }

    /// Stops the timeline: the record cannot be replayed (see `replay::explain`). Returns a
    /// time that never comes, for the caller's schedule.
    fn mismatch(&mut self, day: f64, why: Why) -> f64 {
        self.w.mismatch.get_or_insert(Mismatch { day, why });
        let (timeline, step) = (self.w.timeline, 0);
        let day = day.max(0.0) as u32;
        self.w.overrun.get_or_insert(Overrun {
            timeline,
            program: 0,
            step,
            budget: Budget::Record(Mismatch { day: day as f64, why }),
            day,
        });
        NEVER
    }

    fn put_tape(&mut self, entry: Taped) {
        if self.cond.is_some_and(|c| c.write_tape) {
            self.w.tape.put(entry);
        }
    }

    /// Under a replay, every recorded flight dated before `t` must have flown.
    fn check_due(&mut self, t: f64) {
        let Some(c) = self.cond.filter(|c| c.mode == Mode::Replay) else { return };
        let rec = &self.sc.record;
        while let Some(f) = rec.flights.get(self.w.record_due) {
            if f.day >= t {
                return;
            }
            let k = self.w.record_due as u32;
            if f.cut > c.until {
                self.w.record_due += 1;
                continue;
            }
            if self.w.record_next[f.program] <= rec.rank[k as usize] {
                let status = self.w.programs[f.program].status;
                self.mismatch(f.day, Why::NotReady { flight: k, status });
                return;
            }
            self.w.record_due += 1;
        }
    }

    /// A program's recorded end: it ends now with its recorded fate, unless it has already.
    fn record_end(&mut self) {
        let e = &self.sc.record.ends[self.w.end_idx];
        let end = self.w.end_idx as u32;
        self.w.end_idx += 1;
        let p = e.program;
        let twin = self.cond.is_some_and(|c| c.mode == Mode::Twin);
        if self.changed_now(p) {
            return;
        }
        match self.w.programs[p].status {
            s if s.ended() => {}
            // A twin's program still flying at its recorded end goes on (its plan has shifted).
            Status::Flying if twin => {}
            Status::Flying => _ = self.mismatch(e.day, Why::EndInFlight { end }),
            _ if e.fate == EndFate::Retired => {
                self.w.programs[p].retired = true;
                self.finish(p, Status::Cancelled);
            }
            _ => self.finish(p, replay::end_status(e.fate)),
        }
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
        let recorded = self.recorded_next(p).filter(|&k| self.sc.record.flights[k as usize].day <= self.w.t);
        let choice = match recorded {
            Some(k) => match self.recorded_choice(p, k) {
                Some(c) => Some(c),
                None => return, // a mismatch: the timeline stops
            },
            None => self.taped_choice(p),
        };
        let (mission, test) = match choice {
            Some(c) => (c.mission, c.test),
            None => self.model_mission(p),
        };
        let m = &self.sc.missions[mission];
        // Production and pad turnaround: wait for every vehicle's lead time.
        let ready = m
            .vehicles
            .iter()
            .map(|&v| self.w.vehicles[v].last_launch + self.sc.vehicles[v].lead_days)
            .fold(self.w.t, f64::max);
        if ready > self.w.t {
            if let Some(k) = recorded {
                let vehicle = m
                    .vehicles
                    .iter()
                    .copied()
                    .find(|&v| self.w.vehicles[v].last_launch + self.sc.vehicles[v].lead_days > self.w.t)
                    .unwrap_or(0);
                self.mismatch(self.w.t, Why::LeadTime { flight: k, vehicle, ready });
                return;
            }
            self.w.next.set(p, ready);
            return;
        }
        let evidence = choice.is_none_or(|c| c.evidence);
        let mut flight = Flight { mission, test, launch: self.w.t, evidence, ..Flight::NONE };
        let name = match choice {
            Some(c) => {
                crew::take_named(self.sc, self.w, c.name);
                c.name
            }
            None => crew::name_flight(self.sc, self.w, p, m.crew > 0, mission),
        };
        if m.crew > 0 {
            let Some(chosen) = crew::choose(self.sc, self.w, p, name, m.crew as usize) else {
                match recorded {
                    Some(k) => _ = self.mismatch(self.w.t, Why::NoCrew { flight: k }),
                    // Nobody left to fly: the program cannot go on.
                    None => self.cancel(p),
                }
                return;
            };
            flight.crew = chosen.ids;
            flight.n_crew = chosen.n as usize;
            self.w.crewed_flights[prog.agency] += 1;
        }
        flight.name = name;
        self.mark_flown(name);
        let until = self.cond.map_or(NEVER, |c| c.until);
        let fate = match recorded.filter(|&k| self.sc.record.flights[k as usize].cut < until) {
            Some(k) => match self.recorded_fate(k, mission) {
                Some(f) => Some(f),
                None => return,
            },
            None => None,
        };
        if recorded.is_some() {
            let key = self.launch_key(p);
            self.put_tape(Taped { key, launch: Some((mission as u32, test, name, evidence)), ..Taped::default() });
            self.w.record_next[p] += 1;
        }
        self.resolve_phases(&mut flight, fate);
        if self.w.mismatch.is_some() {
            return;
        }
        // Flight counts are visible to `flights(..)` conditions.
        if self.sc.counts_flights && self.sc.missions[mission].vehicles.iter().any(|&v| self.sc.watched[v]) {
            self.w.changed |= reads::VEHICLES;
        }
        let ps = &mut self.w.programs[p];
        ps.attempt += 1;
        ps.status = Status::Flying;
        // A failed flight comes home (or is lost) at its failed phase: the loss is dated there.
        let back = flight.end.failed_phase().map_or(m.duration, |i| m.phases[i].day);
        self.w.next.set(p, self.w.t + back);
        ps.flight = flight;
        self.obs.event(self.w, Event::Launch { program: p, step: step_idx, mission, test });
    }

    /// The model's own choice of mission: the step's, or its uncrewed test when the agency would
    /// not yet put a crew on it.
    fn model_mission(&mut self, p: usize) -> (usize, bool) {
        let step = &self.sc.programs[p].steps[self.w.programs[p].step];
        if self.sc.missions[step.mission].crew > 0
            && let Some(t) = step.test
            && !self.crew_allowed(p, step.mission)
        {
            return (t, true);
        }
        (step.mission, false)
    }

    /// In a twin, whether program `p` is one its divergence changes and the divergence's date
    /// has come: it then takes neither the record's launch decisions nor its recorded end.
    fn changed_now(&self, p: usize) -> bool {
        self.cond.is_some_and(|c| {
            c.mode == Mode::Twin && c.changed.get(p).copied().unwrap_or(false) && self.w.t >= c.twin_from
        })
    }

    /// The tape key of program `p`'s next launch decision.
    fn launch_key(&self, p: usize) -> u64 {
        let (prog, ps) = (&self.sc.programs[p], &self.w.programs[p]);
        self.noise.stream(Kind::Prep, prog.key, prog.steps[ps.step].key, ps.attempt as u64).key() ^ LAUNCH_TAG
    }

    /// In a twin, the launch the baseline made at this same decision (the record's choice).
    fn taped_choice(&self, p: usize) -> Option<Choice> {
        if self.changed_now(p) {
            return None; // a program the divergence changes decides for itself, from its date
        }
        let e = self.tape_in?.get(self.launch_key(p))?;
        let (mission, test, name, evidence) = e.launch?;
        Some(Choice { mission: mission as usize, test, name, evidence })
    }

    /// Recorded flight `k` as program `p` launches it: its mission (given, or the step's, or the
    /// step's test for an uncrewed flight of a crewed step) and its name.
    fn recorded_choice(&mut self, p: usize, k: u32) -> Option<Choice> {
        let rf = &self.sc.record.flights[k as usize];
        let step = &self.sc.programs[p].steps[self.w.programs[p].step];
        let crewed = !self.sc.programs[p].flights[rf.index as usize].crew.is_empty();
        let mission = rf.mission.unwrap_or(match step.test {
            Some(t) if crewed != (self.sc.missions[step.mission].crew > 0) => t,
            _ => step.mission,
        });
        if crewed != (self.sc.missions[mission].crew > 0) {
            self.mismatch(rf.day, Why::BadMission { flight: k, mission });
            return None;
        }
        let name = FlightName::Named { program: p as u16, index: rf.index };
        Some(Choice { mission, test: mission != step.mission, name, evidence: rf.evidence })
    }

    /// The recorded outcome of flight `k` flown as `mission`, by phase index.
    fn recorded_fate(&mut self, k: u32, mission: usize) -> Option<Fate> {
        let rf = &self.sc.record.flights[k as usize];
        let failed = match rf.outcome.phase() {
            None => None,
            Some(key) => match self.sc.missions[mission].phases.iter().position(|ph| ph.name_key == key) {
                Some(i) => Some(i),
                None => {
                    self.mismatch(rf.day, Why::BadMission { flight: k, mission });
                    return None;
                }
            },
        };
        Some(Fate { record: k, failed, lost: matches!(rf.outcome, RealOutcome::Lost { .. }) })
    }

    /// Flies the phases in order. A phase's outcome is keyed by (vehicle, its flight number in this
    /// timeline, the phase's slot among that vehicle's phases), so "the N1's second flight" gets
    /// the same luck in every world where the N1 flies a second time. A divergence may force the
    /// outcome; the keyed draw for crew survival is still the one the phase would have used.
    fn resolve_phases(&mut self, flight: &mut Flight, fate: Option<Fate>) {
        let m = &self.sc.missions[flight.mission];
        let mission_number = self.w.mission_flights[flight.mission];
        self.w.mission_flights[flight.mission] += 1;
        for (i, ph) in m.phases.iter().enumerate() {
            let v = ph.vehicle;
            let vehicle = &self.sc.vehicles[v];
            let vs = &mut self.w.vehicles[v];
            if flight.numbers[ph.local] == u32::MAX {
                flight.numbers[ph.local] = vs.flights;
                flight.family[ph.local] = vehicle.family_index(vs.flights, flight.launch);
                vs.flights += 1;
                vs.last_launch = flight.launch;
            }
            let n = flight.numbers[ph.local];
            let growth = vehicle.prior.growth_at(flight.family[ph.local]);
            let q = (vs.q0 * growth * ph.share * self.w.reliability_scale[v]).min(1.0);
            let stream = self.noise.stream(Kind::Phase, vehicle.key, n as u64, ph.slot as u64);
            flight.phases_reached = i + 1;
            let (u0, u1) = match fate {
                Some(f) => match self.abduct_phase(stream, (q, ph.loss, i), f, m.crew > 0) {
                    Some((u0, u1)) => (u0, Some(u1)),
                    None => return self.impossible(f.record, v),
                },
                None => self.phase_draws(stream),
            };
            // The crew-loss draw is read only when the phase fails: most phases never make it.
            let u1 = || u1.unwrap_or_else(|| stream.uniform(1));
            // A recorded flight is the record's; a divergence's forced events act in its twin.
            let forced = if self.sc.forced.is_empty() || fate.is_some() {
                None
            } else {
                self.forced(flight, mission_number, ph, n)
            };
            if let Some((k, _)) = forced {
                flight.forced = Some(k as u32);
            }
            let (failed, lost) = match forced.map(|f| f.1) {
                None => {
                    let failed = u0 < q;
                    (failed, failed && u1() < ph.loss)
                }
                Some(ForcedOutcome::Success) => (false, false),
                Some(ForcedOutcome::Failure) => (true, u1() < ph.loss),
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

    /// A phase's two uniforms (failure, then crew loss given failure): the baseline's in a twin
    /// that shares the decision, else the keyed draws. The second is `None` when it is the keyed
    /// draw, made only if the phase fails (the same number whenever it is made).
    #[inline]
    fn phase_draws(&self, stream: Stream) -> (f64, Option<f64>) {
        if let Some(e) = self.tape_in.and_then(|t| t.get(stream.key())) {
            return (e.u[0], Some(e.u[1]));
        }
        (stream.uniform(0), None)
    }

    /// A recorded phase's uniforms, abducted: from the part of (0, 1) where the phase does what
    /// it really did, given this timeline's failure probability `q` (and crew-loss share `loss`).
    /// `None` when the record has probability zero there.
    fn abduct_phase(&mut self, stream: Stream, ph: (f64, f64, usize), f: Fate, crewed: bool) -> Option<(f64, f64)> {
        let (q, loss, i) = ph;
        let (v0, v1) = (stream.uniform(0), stream.uniform(1));
        let u = match f.failed {
            Some(j) if j == i => {
                // The crew-loss draw means something only with a crew aboard.
                let (lo, hi) = match (crewed, f.lost) {
                    (false, _) => (0.0, 1.0),
                    (true, true) => (0.0, loss),
                    (true, false) => (loss, 1.0),
                };
                if replay::impossible(q) || replay::impossible(hi - lo) {
                    return None;
                }
                let u1 = replay::within(v1, lo, hi);
                (replay::within(v0, 0.0, q), u1)
            }
            _ if replay::impossible(1.0 - q) => return None,
            _ => (replay::within(v0, q, 1.0), v1),
        };
        self.put_tape(Taped { key: stream.key(), u: [u.0, u.1], ..Taped::default() });
        Some(u)
    }

    fn impossible(&mut self, record: u32, vehicle: usize) {
        let day = self.sc.record.flights[record as usize].day;
        self.mismatch(day, Why::Impossible { flight: record, vehicle });
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
                let stream = self.noise.stream(Kind::StandDown, prog.key, prog.steps[ps.step].key, ps.attempt as u64);
                let extra = self.stand_down(p, d, stream);
                self.begin_prep(p, extra);
            }
        }
    }

    /// Every vehicle that flew updates its flight record and its agency's belief.
    fn learn(&mut self, flight: &Flight) {
        if !flight.evidence {
            return;
        }
        for (v, n, failed) in observations(self.sc, flight) {
            let vs = &mut self.w.vehicles[v];
            if failed {
                vs.failures += 1;
                vs.streak = 0;
            } else {
                vs.streak += 1;
            }
            if !self.sc.believed[v] {
                continue; // no decision of this scenario ever reads this vehicle's belief
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
        self.w.next.set(p, NEVER);
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
