//! Chronicles: one timeline told as dated history, with era headings ("1974 — five years later"),
//! named flights and crews, and how common each turn was across the ensemble.
//!
//! The engine emits index-only `Event`s; a `Recorder` turns them into `Entry`s. All wording lives
//! here and in `words.rs` (names) and `render.rs` (layout), so no debug format leaks into prose.

pub mod formats;
mod render;
pub mod words;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{Event, Observer, run_timeline};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ensemble::{RunError, Summary};
use crate::report::pct;
use crate::scenario::{Cond, Effect, InterventionKind, Scenario};
use crate::world::{Flight, FlightEnd, FlightName, NEVER, World};

pub use render::{Perspective, render, render_twin};
use words::{agency as agency_name, join, lower_first, strip_first};

/// What kind of thing an entry tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A flight flown before the scenario starts.
    Past,
    /// Where this timeline leaves the history it shares with the baseline.
    Divergence,
    ProgramStarted,
    /// A flight: a success, or the launch of a flight that fails later on.
    Launch,
    Failure,
    Loss,
    Milestone,
    Consequence,
    ProgramCompleted,
    ProgramCancelled,
    /// Ended by its successor taking over.
    ProgramRetired,
    /// Several uneventful flights of one program told as one line.
    Summary,
    /// An era heading with the state of the world.
    Era,
}

/// One dated line of the chronicle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub date: String,
    /// For a flight, the day it came home or was lost; for a summary, its last flight's date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub agency: Option<String>,
    pub program: Option<String>,
    /// The kind of mission flown.
    pub mission: Option<String>,
    /// The flight's name ("Apollo 13"); a summary's flights are in its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flight: Option<String>,
    pub vehicle: Option<String>,
    /// The milestone a `milestone` entry tells of.
    pub milestone: Option<String>,
    /// Who flew (a flight), who is credited (a milestone), who was killed (a loss).
    pub crew: Vec<String>,
    pub text: String,
    #[serde(skip)]
    day: f64,
    #[serde(skip)]
    until_day: f64,
    /// A success that changed nothing: told in a summary with others of its program.
    #[serde(skip)]
    routine: bool,
    #[serde(skip)]
    program_idx: Option<usize>,
}

impl Entry {
    /// Days from the scenario start (negative before it).
    pub fn day(&self) -> f64 {
        self.day
    }
}

/// The chronicle of one timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Chronicle {
    pub scenario: String,
    pub divergences: Vec<String>,
    pub seed: u64,
    pub timeline: u64,
    /// How the timeline was chosen.
    pub chosen: String,
    /// How common this timeline's key turns were among `ensemble` timelines.
    pub commonness: Vec<String>,
    pub ensemble: u64,
    pub entries: Vec<Entry>,
}

/// Collects entries while a timeline runs.
struct Recorder<'a> {
    sc: &'a Scenario,
    entries: Vec<Entry>,
    /// Flights so far per (program, step): the first of a step is never routine.
    flights: BTreeMap<(usize, usize), u32>,
    /// Flights so far per (program, mission): the ordinal of an unnamed flight.
    per_mission: BTreeMap<(usize, usize), u32>,
    /// (program, step) whose last crewed or planned flight failed: the next one repeats it.
    failed_last: std::collections::BTreeSet<(usize, usize)>,
    /// Programs whose landing flight reached a milestone, to mark it not routine.
    milestone_flights: Vec<usize>,
    lost: Vec<Vec<String>>,
    last_era: Option<f64>,
    /// `[marker]`: when its condition first held (`NEVER` before), and whether it was told.
    markers: Vec<(f64, bool)>,
    /// Program edits of a divergence already told (at the program's start).
    told_programs: Vec<usize>,
    /// More than `limits::CHRONICLE_ENTRIES` entries were made: the chronicle is an error, and
    /// what was collected is dropped (memory stays bounded whatever the timeline).
    overflow: bool,
}

impl<'a> Recorder<'a> {
    fn new(sc: &'a Scenario) -> Self {
        let mut r = Recorder {
            sc,
            entries: Vec::new(),
            flights: BTreeMap::new(),
            per_mission: BTreeMap::new(),
            failed_last: std::collections::BTreeSet::new(),
            milestone_flights: Vec::new(),
            lost: vec![Vec::new(); sc.agencies.len()],
            last_era: None,
            markers: vec![(NEVER, false); sc.markers.len()],
            told_programs: Vec::new(),
            overflow: false,
        };
        r.past();
        r
    }

    fn push(&mut self, day: f64, kind: Kind, text: String) -> &mut Entry {
        if self.entries.len() >= crate::limits::CHRONICLE_ENTRIES.usize() {
            self.overflow = true;
            self.entries.clear();
        }
        self.entries.push(Entry {
            date: self.sc.date_of(day).to_string(),
            until: None,
            kind,
            agency: None,
            program: None,
            mission: None,
            flight: None,
            vehicle: None,
            milestone: None,
            crew: Vec::new(),
            text,
            day,
            until_day: day,
            routine: false,
            program_idx: None,
        });
        let last = self.entries.len() - 1;
        &mut self.entries[last]
    }

    /// The world before the start, from the scenario's `[[past]]` flights.
    fn past(&mut self) {
        let sc = self.sc;
        for f in &sc.past {
            let roster = &sc.agencies[f.agency].crew;
            let crew: Vec<String> = f.crew.iter().map(|&i| roster[i as usize].name.clone()).collect();
            let text = match (crew.is_empty(), f.lost) {
                (true, _) => format!("{} flies.", f.name),
                (false, false) => format!("{} flies with {}.", f.name, join(&crew)),
                (false, true) => format!("{}: {} {} killed.", f.name, join(&crew), words::is_are(crew.len())),
            };
            if f.lost {
                self.lost[f.agency].extend(crew.iter().cloned());
            }
            let e = self.push(f.day, Kind::Past, text);
            e.agency = Some(sc.agencies[f.agency].id.clone());
            e.flight = Some(f.name.clone());
            e.crew = crew.clone();
            for &m in &f.achieves {
                let text = format!("{}: {}, with {}.", sc.milestones[m].name, agency_name(sc, f.agency), join(&crew));
                let text = if crew.is_empty() {
                    format!("{}: {}.", sc.milestones[m].name, agency_name(sc, f.agency))
                } else {
                    text
                };
                let e = self.push(f.day, Kind::Milestone, text);
                e.agency = Some(sc.agencies[f.agency].id.clone());
                e.milestone = Some(sc.milestones[m].id.clone());
                e.flight = Some(f.name.clone());
                e.crew = crew.clone();
            }
        }
    }

    fn crew_names(&self, agency: usize, f: &Flight) -> Vec<String> {
        let roster = &self.sc.agencies[agency].crew;
        f.crew().iter().map(|&i| roster[i as usize].name.clone()).collect()
    }

    /// The flight that landed (or was lost): its launch, and its failure if it failed.
    fn landed(&mut self, w: &World, program: usize, step: usize) {
        let sc = self.sc;
        let prog = &sc.programs[program];
        let agency = prog.agency;
        let f = w.programs[program].flight;
        let n = {
            let count = self.flights.entry((program, step)).or_insert(0);
            *count += 1;
            *count
        };
        let ordinal = {
            let count = self.per_mission.entry((program, f.mission)).or_insert(0);
            *count += 1;
            *count
        };
        let name = words::flight(sc, program, step, &f, ordinal);
        let crew = self.crew_names(agency, &f);
        let end_day = f
            .end
            .failed_phase()
            .map_or(f.launch + sc.missions[f.mission].duration, |i| f.launch + sc.missions[f.mission].phases[i].day);
        if let Some(k) = f.forced {
            // Told when the flight is over: the story says how it went.
            self.divergence_at(end_day, agency, k as usize);
        }
        let reached_milestone = self.milestone_flights.contains(&program);
        self.milestone_flights.retain(|&p| p != program);
        let recorded = self.recorded(program, &f);
        let mut launch_text = self.launch_text(&name, &f, &crew, prog.steps[step].mission, recorded.is_some());
        if self.failed_last.contains(&(program, step)) && !f.test {
            // A flight repeating what the last one failed to do: say so.
            launch_text = launch_text.replacen(&name, &format!("{name}, repeating the failed flight,"), 1);
        }
        if f.end == FlightEnd::Success || f.test {
            self.failed_last.remove(&(program, step));
        } else {
            self.failed_last.insert((program, step));
        }
        let routine = f.end == FlightEnd::Success && n > 1 && !reached_milestone && f.forced.is_none();
        let failure = self.failure_text(&name, &f, &crew);
        let separate = failure.is_some() && end_day - f.launch >= 1.0;
        let first_kind = match (&failure, separate) {
            (Some((kind, _)), false) => *kind,
            _ => Kind::Launch,
        };
        let first_text = match (&failure, separate) {
            (Some((_, text)), false) => text.clone(),
            _ => launch_text,
        };
        let until = sc.date_of(end_day).to_string();
        let launcher = words::launcher(sc, f.mission).to_string();
        let first_text = match recorded.map(|k| &sc.record.flights[k]) {
            Some(rf) if rf.real_date.is_some_and(|d| d != rf.date) => format!(
                "{first_text} (In our history it went up on {}, while the program's previous ship was still up; the model flies one at a time.)",
                rf.real_date.map(|d| d.to_string()).unwrap_or_default()
            ),
            Some(rf) if !rf.note.is_empty() && rf.real_date.is_none() => {
                format!("{first_text} ({}.)", rf.note.trim_end_matches('.'))
            }
            _ => first_text,
        };
        let e = self.push(f.launch, first_kind, first_text);
        e.until = Some(until.clone());
        e.until_day = end_day;
        e.routine = routine;
        self.tag_flight(program, &name, &launcher, &crew, f.mission);
        if let (Some((kind, text)), true) = (failure, separate) {
            let e = self.push(end_day, kind, text);
            e.until = Some(until);
            e.until_day = end_day;
            self.tag_flight(program, &name, &launcher, &crew, f.mission);
        }
        if matches!(f.end, FlightEnd::Lost { .. }) {
            self.lost[agency].extend(crew);
        }
    }

    /// Fills the flight fields of the entry just pushed.
    fn tag_flight(&mut self, program: usize, name: &str, launcher: &str, crew: &[String], mission: usize) {
        let sc = self.sc;
        let agency = sc.programs[program].agency;
        let Some(e) = self.entries.last_mut() else { return };
        e.agency = Some(sc.agencies[agency].id.clone());
        e.program = Some(sc.programs[program].id.clone());
        e.mission = Some(sc.missions[mission].name.clone());
        e.flight = Some(name.to_string());
        e.vehicle = Some(launcher.to_string());
        e.crew = crew.to_vec();
        e.program_idx = Some(program);
    }

    /// Under a replay, the record's entry for this flight (launched before the replay's end).
    fn recorded(&self, program: usize, f: &Flight) -> Option<usize> {
        let c = self.sc.conditioning.as_deref().filter(|c| c.mode == crate::replay::Mode::Replay)?;
        let FlightName::Named { program: q, index } = f.name else { return None };
        let rec = &self.sc.record;
        // Only a flight whose outcome was the record's (one on the replay's last day flies free).
        rec.flights_of(program)
            .iter()
            .map(|&k| k as usize)
            .find(|&k| (rec.flights[k].program, rec.flights[k].index) == (q as usize, index))
            .filter(|&k| rec.flights[k].cut < c.until)
    }

    /// "Gemini 4 is launched on a Titan II with James McDivitt and Ed White." A recorded test
    /// flight is not explained by the model's crew rule: the record says it flew.
    fn launch_text(&self, name: &str, f: &Flight, crew: &[String], planned: usize, recorded: bool) -> String {
        let on = words::with_article(words::launcher(self.sc, f.mission));
        let flies = if f.end == FlightEnd::Success { "flies" } else { "is launched" };
        match (crew.is_empty(), f.test && !recorded) {
            (true, true) => format!(
                "{name} {flies} on {on}, uncrewed: no crew is cleared yet for the {}.",
                words::lower_first(words::plain(&self.sc.missions[planned].name))
            ),
            (true, false) => format!("{name} {flies} on {on}, uncrewed."),
            (false, _) => format!("{name} {flies} on {on} with {}.", join(crew)),
        }
    }

    /// The failure of a failed flight, as (kind, text).
    fn failure_text(&self, name: &str, f: &Flight, crew: &[String]) -> Option<(Kind, String)> {
        let sc = self.sc;
        let m = &sc.missions[f.mission];
        let (phase, lost) = match f.end {
            FlightEnd::Success => return None,
            FlightEnd::Abort { phase } => (phase, false),
            FlightEnd::Lost { phase } => (phase, true),
        };
        let ph = &m.phases[phase];
        let what = format!("the {} fails ({})", words::phase(ph), words::vehicle(sc, ph.vehicle));
        let text = match (crew.is_empty(), lost) {
            (true, _) => format!("{name} is lost: {what}."),
            (false, false) => format!(
                "{name} is cut short: {what}, and {} {} home safely.",
                join(crew),
                if crew.len() == 1 { "comes" } else { "come" }
            ),
            (false, true) => {
                format!("Disaster: on {name} {what}; {} {} killed.", join(crew), words::is_are(crew.len()))
            }
        };
        Some((if lost { Kind::Loss } else { Kind::Failure }, text))
    }

    /// "History changes here": the forced event `k`, told once where it first decides a flight.
    fn divergence_at(&mut self, day: f64, agency: usize, k: usize) {
        let sc = self.sc;
        let story = sc.interventions.iter().find(|i| i.kind == InterventionKind::Forced(k)).map(|i| i.story.clone());
        let Some(story) = story else { return };
        let text = changes_here(&story);
        let e = self.push(day, Kind::Divergence, text);
        e.agency = Some(sc.agencies[agency].id.clone());
    }

    fn milestone(&mut self, w: &World, program: usize, phase: usize, milestone: usize, day: f64) {
        let sc = self.sc;
        let agency = sc.programs[program].agency;
        self.milestone_flights.push(program);
        let f = w.programs[program].flight;
        let party = f.party(sc.missions[f.mission].phases[phase].party);
        let roster = &sc.agencies[agency].crew;
        let crew: Vec<String> = party.as_slice().iter().map(|&i| roster[i as usize].name.clone()).collect();
        let step = w.programs[program].step;
        let n = self.per_mission.get(&(program, f.mission)).copied().unwrap_or(0) + 1;
        let flight = words::flight(sc, program, step, &f, n);
        // The text waits for the end of the timeline: a flight that lands later can have got
        // there earlier (a long station stay), so who was first is known only then.
        let e = self.push(day, Kind::Milestone, String::new());
        e.milestone = Some(sc.milestones[milestone].id.clone());
        e.agency = Some(sc.agencies[agency].id.clone());
        e.program = Some(sc.programs[program].id.clone());
        e.flight = Some(flight);
        e.crew = crew;
    }

    /// A rule's effects: told only when they changed something; a divergence's own changes are
    /// told as the point where history changes.
    fn effects(&mut self, w: &World, rule: usize, changed: bool) {
        let sc = self.sc;
        let by_divergence = sc.interventions.iter().find(|i| i.kind == InterventionKind::Rule(rule));
        let (kind, text) = match by_divergence {
            Some(i) => (Kind::Divergence, changes_here(&i.story)),
            None => (Kind::Consequence, sc.rules[rule].text.clone()),
        };
        if !changed || text.is_empty() {
            return;
        }
        // The rule's text tells why its programs started or stopped: drop the bare notices.
        let effects = &sc.rules[rule].effects;
        let told_by_rule = |e: &Entry| {
            e.day == w.t
                && matches!(e.kind, Kind::ProgramStarted | Kind::ProgramCancelled)
                && effects.iter().any(|f| match *f {
                    Effect::Start { program } | Effect::Cancel { program } => e.program_idx == Some(program),
                    _ => false,
                })
        };
        self.entries.retain(|e| !told_by_rule(e));
        let agency = effects.first().map(|f| sc.effect_agency(f));
        let e = self.push(w.t, kind, text);
        e.agency = agency.map(|a| sc.agencies[a].id.clone());
    }

    fn program_ended(&mut self, w: &World, program: usize, kind: Kind) {
        // A program cancelled by a rule: tagged so the rule's text can replace the notice.
        let tag = Some(program);
        let sc = self.sc;
        let prog = &sc.programs[program];
        let who = agency_name(sc, prog.agency);
        let text = match kind {
            Kind::ProgramCompleted => format!("The last planned flight of {} has flown.", words::plain(&prog.name)),
            Kind::ProgramRetired => format!("{who} retires {}.", words::plain(&prog.name)),
            _ => format!("{who} cancels {}.", words::plain(&prog.name)),
        };
        let e = self.push(w.t, kind, text);
        e.agency = Some(sc.agencies[prog.agency].id.clone());
        e.program = Some(prog.id.clone());
        e.program_idx = tag;
    }
}

/// "Here history changes: the first N1 flies." — a divergence's story as the turning point.
fn changes_here(story: &str) -> String {
    let story = story.trim_end_matches('.');
    let common =
        ["The ", "A ", "An ", "To ", "In ", "With ", "After ", "From ", "On ", "At ", "No ", "There ", "Having "];
    let article = common.iter().any(|a| story.starts_with(a));
    let story = if article { lower_first(story) } else { story.to_string() };
    format!("Here history changes: {story}.")
}

impl Recorder<'_> {
    /// Removed rules whose moment has come: "Here history changes" where the baseline's rule
    /// would have fired (on its `after` date exactly, else when seen to hold), plus its delay.
    fn markers(&mut self, w: &World) {
        let sc = self.sc;
        for (k, m) in sc.markers.iter().enumerate() {
            if self.markers[k].0 == NEVER && w.holds(&m.when) {
                let exact = match m.when {
                    crate::scenario::Cond::After { day } => day,
                    _ => w.t,
                };
                self.markers[k].0 = exact;
            }
            let (since, told) = self.markers[k];
            if !told && since + m.delay <= w.t {
                self.markers[k].1 = true;
                let story = sc.interventions[m.intervention].story.clone();
                let e = self.push(since + m.delay, Kind::Divergence, changes_here(&story));
                e.agency = m.agency.map(|a| sc.agencies[a].id.clone());
            }
        }
    }

    /// A divergence's edit of `program`, told when the program starts.
    fn program_edit(&mut self, w: &World, program: usize) {
        let sc = self.sc;
        let edits = sc.interventions.iter().filter(|i| i.kind == InterventionKind::Program(program));
        let stories: Vec<String> = edits.map(|i| i.story.clone()).collect();
        if stories.is_empty() || self.told_programs.contains(&program) {
            return;
        }
        self.told_programs.push(program);
        for story in stories {
            let e = self.push(w.t, Kind::Divergence, changes_here(&story));
            e.agency = Some(sc.agencies[sc.programs[program].agency].id.clone());
        }
    }
}

impl Observer for Recorder<'_> {
    fn event(&mut self, w: &World, event: Event) {
        let sc = self.sc;
        if !sc.markers.is_empty() {
            self.markers(w);
        }
        match event {
            Event::ProgramStarted { program } => {
                self.program_edit(w, program);
                let prog = &sc.programs[program];
                let text = if w.t <= 0.0 {
                    format!("Under way at the start: {}.", words::plain(&prog.name))
                } else {
                    format!("{} starts {}.", agency_name(sc, prog.agency), words::plain(&prog.name))
                };
                let e = self.push(w.t, Kind::ProgramStarted, text);
                e.agency = Some(sc.agencies[prog.agency].id.clone());
                e.program = Some(prog.id.clone());
                e.program_idx = Some(program);
            }
            Event::Landed { program, step } => self.landed(w, program, step),
            Event::Milestone { program, phase, milestone, day, .. } => {
                self.milestone(w, program, phase, milestone, day)
            }
            Event::EffectsApplied { rule, changed } => self.effects(w, rule, changed),
            Event::ProgramDone { program } => self.program_ended(w, program, Kind::ProgramCompleted),
            Event::ProgramCancelled { program } => {
                let kind = if w.programs[program].retired { Kind::ProgramRetired } else { Kind::ProgramCancelled };
                self.program_ended(w, program, kind)
            }
            Event::Era { era } => render::era(self, w, era),
            Event::Launch { .. } | Event::RuleFired { .. } | Event::StepDone { .. } => {}
        }
    }
}

/// Runs one timeline and tells it: entries in date order, routine flights summarised.
pub fn entries(sc: &Scenario, seed: u64, timeline: u64) -> Result<(Vec<Entry>, World), RunError> {
    let mut rec = Recorder::new(sc);
    let mut w = World::default();
    run_timeline(sc, seed, timeline, &mut w, &mut rec);
    // A budget overrun first: a looping timeline also overflows the recorder, but the loop is
    // what the user needs to hear about. The recorder's cap kept memory bounded either way.
    RunError::check(sc, &w)?;
    if rec.overflow {
        return Err(RunError::ChronicleTooLong { timeline, limit: crate::limits::CHRONICLE_ENTRIES.value });
    }
    let mut entries = rec.entries;
    milestone_texts(sc, &w, &mut entries);
    // Launches are told when they land but dated at launch, and milestones at their phase, so
    // sort by date; the sort is stable, so same-day entries keep the order they happened in.
    entries.sort_by(|a, b| a.day.total_cmp(&b.day).then(rank(a.kind).cmp(&rank(b.kind))));
    Ok((summarise(sc, entries), w))
}

/// Writes each milestone entry's text, knowing who was first (by date, over the whole timeline):
/// "First crewed lunar landing: USSR, N1-L3 landing 1, with Alexei Leonov." or "NASA matches
/// USSR: crewed lunar landing, Apollo 11, with …".
fn milestone_texts(sc: &Scenario, w: &World, entries: &mut [Entry]) {
    for e in entries.iter_mut().filter(|e| e.kind == Kind::Milestone && e.text.is_empty()) {
        let (Some(m), Some(a)) = (
            e.milestone.as_deref().and_then(|id| sc.milestone_index(id)),
            e.agency.as_deref().and_then(|id| sc.agency_index(id)),
        ) else {
            continue;
        };
        let (name, who) = (&sc.milestones[m].name, agency_name(sc, a));
        let flight = e.flight.clone().unwrap_or_default();
        let with =
            if e.crew.is_empty() { format!(", {flight}") } else { format!(", {flight}, with {}", join(&e.crew)) };
        e.text = match w.first(m) {
            Some(f) if f != a => {
                format!("{who} matches {}: {}{with}.", agency_name(sc, f), lower_first(strip_first(name)))
            }
            _ => format!("{name}: {who}{with}."),
        };
    }
}

/// Order of entries on the same day: what changed history, then flights, what they achieved,
/// their failures, the rest, and eras last.
fn rank(kind: Kind) -> u8 {
    match kind {
        Kind::Past => 0,
        Kind::Divergence => 1,
        Kind::Launch | Kind::Summary => 2,
        Kind::Milestone => 3,
        Kind::Failure | Kind::Loss => 4,
        Kind::Era => 6,
        _ => 5,
    }
}

/// Tells timeline `timeline`: its entries and how common its turns were in `ensemble`.
///
/// A timeline stopped by a budget, or one too long to tell, is an error (see [`entries`]).
pub fn tell(
    sc: &Scenario,
    seed: u64,
    timeline: u64,
    chosen: String,
    ensemble: &Summary,
) -> Result<Chronicle, RunError> {
    let (entries, w) = entries(sc, seed, timeline)?;
    Ok(Chronicle {
        scenario: sc.id.clone(),
        divergences: sc.divergences.clone(),
        seed,
        timeline,
        chosen,
        commonness: commonness(sc, &w, ensemble),
        ensemble: ensemble.n,
        entries,
    })
}

/// Collapses each program's runs of uneventful flights into one line. A run ends at an era or
/// at anything else the program does (a failure, a milestone, its end), so a summary never
/// spans an event of its own program; it is dated by its first flight.
fn summarise(sc: &Scenario, entries: Vec<Entry>) -> Vec<Entry> {
    let replay_end = sc.conditioning.as_deref().filter(|c| c.mode == crate::replay::Mode::Replay).map(|c| c.until);
    let mut out = Vec::with_capacity(entries.len());
    let mut pending: BTreeMap<usize, Vec<Entry>> = BTreeMap::new();
    for e in entries {
        if e.kind == Kind::Era {
            for (p, group) in std::mem::take(&mut pending) {
                out.extend(summary(sc, p, group));
            }
            out.push(e);
        } else if let (true, Some(p)) = (e.routine, e.program_idx) {
            // A run covers at most two years: a reader should not skip a decade in one line; and
            // never runs across the end of a replay, from the record into the model's part.
            let across = |f: &Entry| replay_end.is_some_and(|u| f.day < u && e.day >= u);
            if pending.get(&p).and_then(|g| g.first()).is_some_and(|f| e.day - f.day > 730.0 || across(f)) {
                let group = pending.remove(&p).unwrap_or_default();
                out.extend(summary(sc, p, group));
            }
            pending.entry(p).or_default().push(e);
        } else {
            if let Some((p, group)) = e.program_idx.and_then(|p| pending.remove(&p).map(|g| (p, g))) {
                out.extend(summary(sc, p, group));
            }
            out.push(e);
        }
    }
    for (p, group) in pending {
        out.extend(summary(sc, p, group));
    }
    out.sort_by(|a: &Entry, b: &Entry| a.day.total_cmp(&b.day).then(rank(a.kind).cmp(&rank(b.kind))));
    out
}

/// One line for a run of uneventful flights of program `p` (a single flight stays as it is).
fn summary(sc: &Scenario, p: usize, group: Vec<Entry>) -> Vec<Entry> {
    if group.len() < 2 {
        return group;
    }
    let (first, last) = (&group[0], &group[group.len() - 1]);
    let flights: Vec<String> = group
        .iter()
        .map(|e| {
            let name = e.flight.clone().unwrap_or_default();
            if e.crew.is_empty() { name } else { format!("{name} ({})", join(&e.crew)) }
        })
        .collect();
    let text = format!(
        "From {} to {}, {} more flights without incident ({}): {}.",
        first.date,
        last.date,
        words::count(group.len()),
        words::plain(&sc.programs[p].name),
        join(&flights)
    );
    let mut e = first.clone();
    e.kind = Kind::Summary;
    e.text = text;
    e.until = last.until.clone();
    e.until_day = last.until_day;
    e.crew = group.iter().flat_map(|e| e.crew.clone()).collect();
    e.mission = None;
    e.flight = None;
    vec![e]
}

/// How common this timeline's key turns were among the ensemble summarised in `s`.
pub fn commonness(sc: &Scenario, w: &World, s: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    for (m, ms) in sc.milestones.iter().enumerate() {
        let (who, p) = match w.first(m) {
            Some(a) => (agency_name(sc, a), s.p_first(m, a)),
            None => ("nobody", s.p_first(m, sc.agencies.len())),
        };
        out.push(format!("{}: {who}, as in {} of timelines.", ms.name, pct(p)));
    }
    for a in 0..sc.agencies.len() {
        let name = agency_name(sc, a);
        let p_any = s.crew_lost_any[a] as f64 / s.n.max(1) as f64;
        if w.crew_lost[a] > 0 {
            let lost = words::people(w.crew_lost[a]);
            out.push(format!("{name} lost {lost} (someone is lost in {} of timelines).", pct(p_any)));
        } else {
            out.push(format!("{name} lost no one (as in {} of timelines).", pct(1.0 - p_any)));
        }
    }
    out
}

/// The first timeline in `0..n` whose final state satisfies `cond`. `progress` counts the
/// timelines searched.
pub fn find_where(
    sc: &Scenario,
    seed: u64,
    n: u64,
    cond: &Cond,
    progress: &AtomicU64,
) -> Result<Option<u64>, RunError> {
    let mut w = World::default();
    for i in 0..n {
        run_timeline(sc, seed, i, &mut w, &mut crate::engine::Quiet);
        RunError::check(sc, &w)?;
        progress.fetch_add(1, Ordering::Relaxed);
        if w.holds(cond) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// How many timelines of `0..n` satisfy `cond` at their end, in parallel (the count is the same
/// on any thread count). `progress` counts the timelines run.
pub fn count_where(sc: &Scenario, seed: u64, n: u64, cond: &Cond, progress: &AtomicU64) -> Result<Count, RunError> {
    RunError::check_timelines(n)?;
    const BLOCK: u64 = 256;
    let (hits, overrun) = crate::parallel::fold_blocks(
        n.div_ceil(BLOCK),
        || (0u64, None, World::default()),
        |(mut hits, mut overrun, mut w), b| {
            let (lo, hi) = (b * BLOCK, (b * BLOCK + BLOCK).min(n));
            for i in lo..hi {
                run_timeline(sc, seed, i, &mut w, &mut crate::engine::Quiet);
                if w.overrun.is_some() {
                    overrun = crate::world::Overrun::earliest(overrun, w.overrun);
                    break;
                }
                hits += w.holds(cond) as u64;
            }
            progress.fetch_add(hi - lo, Ordering::Relaxed);
            (hits, overrun, w)
        },
        |s| s.1.is_some(),
        |(hits, overrun, _)| (hits, overrun),
        |a, b| (a.0 + b.0, crate::world::Overrun::earliest(a.1, b.1)),
    );
    if let Some(o) = overrun {
        return Err(RunError::event_budget(sc, o));
    }
    Ok(Count { hits, n })
}

/// Timelines that satisfied a condition, of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    pub hits: u64,
    pub n: u64,
}

impl Count {
    pub fn share(&self) -> f64 {
        self.hits as f64 / self.n.max(1) as f64
    }

    /// The Wilson score 95 % interval of the share: honest at 0 and at 1 (a normal interval
    /// would claim certainty from a handful of timelines).
    pub fn interval95(&self) -> [f64; 2] {
        let (n, p, z) = (self.n.max(1) as f64, self.share(), 1.96);
        let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
        let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
        [(centre - half).max(0.0), (centre + half).min(1.0)]
    }
}

/// Whether `cond` can tell timelines apart at their end: a condition that reads only the date
/// (`after(..)`, `true`) is the same in every timeline there.
pub fn is_constant_at_end(cond: &Cond) -> bool {
    cond.reads() & !crate::scenario::condition::reads::TIME == 0
}

/// The timeline in `0..n` closest to the ensemble's typical outcome: the usual winner of each
/// milestone, reaching it near the median date.
pub fn find_typical(sc: &Scenario, seed: u64, n: u64, s: &Summary, progress: &AtomicU64) -> Result<u64, RunError> {
    let na = sc.agencies.len();
    let mut w = World::default();
    let mut best = (f64::INFINITY, 0);
    for i in 0..n {
        run_timeline(sc, seed, i, &mut w, &mut crate::engine::Quiet);
        RunError::check(sc, &w)?;
        progress.fetch_add(1, Ordering::Relaxed);
        let mut distance = 0.0;
        for m in 0..sc.milestones.len() {
            let modal = (0..=na).max_by(|&x, &y| s.p_first(m, x).total_cmp(&s.p_first(m, y))).unwrap_or(na);
            if w.first(m).unwrap_or(na) != modal {
                distance += 3_650.0;
            }
            for a in 0..na {
                if s.p_reached(m, a) < 0.5 {
                    continue;
                }
                let median = s.date_quantile(m, a, 0.5).unwrap_or(0) as f64;
                let d = w.reached(m, a);
                distance += if d < NEVER { (d - median).abs() } else { 3_650.0 };
            }
        }
        if distance < best.0 {
            best = (distance, i);
        }
    }
    Ok(best.1)
}
