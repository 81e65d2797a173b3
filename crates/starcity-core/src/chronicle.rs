//! Chronicles: one timeline told as dated history, with era headings ("1974 — five years later"),
//! named crews, and how common each turn was across the ensemble.
//!
//! The engine emits index-only `Event`s; a `Recorder` turns them into `Entry`s. All wording lives
//! in this file's templates, so a change of style is one edit and no debug format leaks into prose.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::engine::{Event, Observer, run_timeline};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ensemble::{RunError, Summary};
use crate::report::{pct, years_between};
use crate::scenario::{Cond, Scenario};
use crate::world::{FlightEnd, NEVER, Status, World};

/// What kind of thing an entry tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ProgramStarted,
    Launch,
    Failure,
    Loss,
    Milestone,
    Consequence,
    ProgramCompleted,
    ProgramCancelled,
    /// Several routine flights told as one line.
    Summary,
    /// An era heading with the state of the world.
    Era,
}

/// One dated line of the chronicle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub date: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub agency: Option<String>,
    pub program: Option<String>,
    pub mission: Option<String>,
    pub vehicle: Option<String>,
    /// The milestone a `milestone` entry tells of.
    pub milestone: Option<String>,
    pub crew: Vec<String>,
    pub text: String,
    #[serde(skip)]
    day: f64,
    /// A success that changed nothing: told in a summary with others of its program.
    #[serde(skip)]
    routine: bool,
    #[serde(skip)]
    program_idx: Option<usize>,
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
    /// Milestones reached by the flight that is landing, to mark it not routine.
    milestone_flights: Vec<(usize, f64)>,
    lost: Vec<Vec<String>>,
    last_era: Option<(f64, String)>,
    /// More than `limits::CHRONICLE_ENTRIES` entries were made: the chronicle is an error, and
    /// what was collected is dropped (memory stays bounded whatever the timeline).
    overflow: bool,
}

impl<'a> Recorder<'a> {
    fn new(sc: &'a Scenario) -> Self {
        Recorder {
            sc,
            entries: Vec::new(),
            flights: BTreeMap::new(),
            milestone_flights: Vec::new(),
            lost: vec![Vec::new(); sc.agencies.len()],
            last_era: None,
            overflow: false,
        }
    }

    fn push(&mut self, day: f64, kind: Kind, text: String) -> &mut Entry {
        if self.entries.len() >= crate::limits::CHRONICLE_ENTRIES.usize() {
            self.overflow = true;
            self.entries.clear();
        }
        self.entries.push(Entry {
            date: self.sc.date_of(day).to_string(),
            kind,
            agency: None,
            program: None,
            mission: None,
            vehicle: None,
            milestone: None,
            crew: Vec::new(),
            text,
            day,
            routine: false,
            program_idx: None,
        });
        let last = self.entries.len() - 1;
        &mut self.entries[last]
    }

    fn crew_names(&self, agency: usize, w: &World, program: usize) -> Vec<String> {
        let roster = &self.sc.agencies[agency].crew;
        w.programs[program].flight.crew().iter().map(|&i| roster[i as usize].clone()).collect()
    }

    /// "Apollo 8", or the mission's name when the step has none.
    fn label(&self, program: usize, step: usize, mission: usize, test: bool) -> String {
        let prog = &self.sc.programs[program];
        match (&prog.steps[step].name, test) {
            (Some(name), false) => name.clone(),
            _ => self.sc.missions[mission].name.clone(),
        }
    }

    fn landed(&mut self, w: &World, program: usize, step: usize) {
        let sc = self.sc;
        let prog = &sc.programs[program];
        let agency = prog.agency;
        let f = w.programs[program].flight;
        let m = &sc.missions[f.mission];
        let n = {
            let count = self.flights.entry((program, step)).or_insert(0);
            *count += 1;
            *count
        };
        let first_of_step = n == 1;
        let plain = self.label(program, step, f.mission, f.test);
        // Prose form: "Gemini 8-12 (Agena docking), flight 2," for steps flown several times.
        // A single-flight step flown again after a failure is a new attempt at the same thing.
        let label = match (prog.steps[step].repeat > 1, f.test, n > 1) {
            (true, false, _) => format!("{plain}, flight {n},"),
            (false, false, true) => format!("{plain}, attempt {n},"),
            _ => plain.clone(),
        };
        let launcher = vehicle_name(sc, m.phases[0].vehicle).to_string();
        let on = with_article(&launcher);
        let crew = self.crew_names(agency, w, program);
        let reached_milestone = self.milestone_flights.iter().any(|&(p, _)| p == program);
        self.milestone_flights.retain(|&(p, _)| p != program);
        let (kind, text) = match f.end {
            FlightEnd::Success => {
                let text = if crew.is_empty() && f.test {
                    format!("{plain}, an uncrewed test flight, succeeds on {on}.")
                } else if crew.is_empty() {
                    format!("{label} flies on {on}.")
                } else {
                    format!("{label} flies on {on} with {}.", join_names(&crew))
                };
                (Kind::Launch, text)
            }
            FlightEnd::Abort { phase } => {
                let ph = &m.phases[phase];
                let what = format!("the {} ({}) fails", ph.name, vehicle_name(sc, ph.vehicle));
                let text = if crew.is_empty() {
                    format!("{label} is lost: {what}.")
                } else {
                    format!(
                        "{label} fails: {what}, and {} {} home safely.",
                        join_names(&crew),
                        if crew.len() == 1 { "comes" } else { "come" }
                    )
                };
                (Kind::Failure, text)
            }
            FlightEnd::Lost { phase } => {
                let ph = &m.phases[phase];
                self.lost[agency].extend(crew.iter().cloned());
                let text = format!(
                    "Disaster: on {label} the {} ({}) fails and {} {} killed.",
                    ph.name,
                    vehicle_name(sc, ph.vehicle),
                    join_names(&crew),
                    if crew.len() == 1 { "is" } else { "are" }
                );
                (Kind::Loss, text)
            }
        };
        let routine = kind == Kind::Launch && !first_of_step && !reached_milestone;
        let e = self.push(f.launch, kind, text);
        e.agency = Some(sc.agencies[agency].id.clone());
        e.program = Some(prog.id.clone());
        e.mission = Some(plain);
        e.vehicle = Some(launcher);
        e.crew = crew;
        e.routine = routine;
        e.program_idx = Some(program);
    }

    fn milestone(&mut self, w: &World, program: usize, milestone: usize, agency: usize, day: f64, first: bool) {
        let sc = self.sc;
        self.milestone_flights.push((program, day));
        let crew = self.crew_names(agency, w, program);
        let name = &sc.milestones[milestone].name;
        let who = agency_name(sc, agency);
        let with = if crew.is_empty() { String::new() } else { format!(", with {}", join_names(&crew)) };
        let text = if first {
            format!("{name}: {who}{with}.")
        } else {
            let leader = w.first(milestone).map(|a| agency_name(sc, a).to_string()).unwrap_or_default();
            format!("{who} matches {leader}: {}{with}.", lower_first(strip_first(name)))
        };
        let e = self.push(day, Kind::Milestone, text);
        e.milestone = Some(sc.milestones[milestone].id.clone());
        e.agency = Some(sc.agencies[agency].id.clone());
        e.program = Some(sc.programs[program].id.clone());
        e.crew = crew;
    }

    fn era(&mut self, w: &World, era: usize) {
        let sc = self.sc;
        let e = &sc.eras[era];
        let jump = match &self.last_era {
            Some((day, _)) => years_between(sc.date_of(*day), e.date),
            None => years_between(sc.start, e.date),
        };
        let since = match &self.last_era {
            Some(_) => "later",
            None => "after the start",
        };
        let year = e.date.format("%Y");
        let name_says_when = e.name.to_lowercase().contains("later") || e.name.to_lowercase().contains("year");
        let heading = if name_says_when {
            format!("{year} — {}", e.name)
        } else {
            format!("{year} — {}, {jump} {since}", e.name)
        };
        let mut text = heading;
        for a in 0..sc.agencies.len() {
            let reached: Vec<String> = (0..sc.milestones.len())
                .filter(|&m| w.reached(m, a) <= e.day)
                .map(|m| lower_first(strip_first(&sc.milestones[m].name)))
                .collect();
            let building: Vec<&str> = sc
                .programs
                .iter()
                .enumerate()
                .filter(|(p, prog)| {
                    prog.agency == a
                        && matches!(w.programs[*p].status, Status::Waiting | Status::Preparing | Status::Flying)
                })
                .map(|(_, prog)| prog.name.as_str())
                .collect();
            let _ = write!(text, "\n{}: ", agency_name(sc, a));
            if reached.is_empty() {
                text.push_str("no first yet");
            } else {
                let _ = write!(text, "has achieved {}", join_names(&reached));
            }
            let lost = &self.lost[a];
            if lost.is_empty() {
                text.push_str("; no one lost");
            } else {
                let _ = write!(text, "; {} lost ({})", lost.len(), lost.join(", "));
            }
            if !building.is_empty() {
                let _ = write!(text, "; under way: {}", building.join(", "));
            }
            text.push('.');
        }
        self.last_era = Some((e.day, e.name.clone()));
        self.push(e.day, Kind::Era, text);
    }
}

impl Observer for Recorder<'_> {
    fn event(&mut self, w: &World, event: Event) {
        let sc = self.sc;
        match event {
            Event::ProgramStarted { program } => {
                let prog = &sc.programs[program];
                let text = format!("{} starts {}.", agency_name(sc, prog.agency), prog.name);
                let e = self.push(w.t, Kind::ProgramStarted, text);
                e.agency = Some(sc.agencies[prog.agency].id.clone());
                e.program = Some(prog.id.clone());
            }
            Event::Landed { program, step } => self.landed(w, program, step),
            Event::Milestone { program, milestone, agency, day, first } => {
                self.milestone(w, program, milestone, agency, day, first)
            }
            Event::EffectsApplied { rule } => {
                let text = sc.rules[rule].text.clone();
                if !text.is_empty() {
                    self.push(w.t, Kind::Consequence, text);
                }
            }
            Event::ProgramDone { program } => {
                let prog = &sc.programs[program];
                let e = self.push(w.t, Kind::ProgramCompleted, format!("{} is completed.", prog.name));
                e.agency = Some(sc.agencies[prog.agency].id.clone());
                e.program = Some(prog.id.clone());
            }
            Event::ProgramCancelled { program } => {
                let prog = &sc.programs[program];
                let text = format!("{} cancels {}.", agency_name(sc, prog.agency), prog.name);
                let e = self.push(w.t, Kind::ProgramCancelled, text);
                e.agency = Some(sc.agencies[prog.agency].id.clone());
                e.program = Some(prog.id.clone());
            }
            Event::Era { era } => self.era(w, era),
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
    // Launches are told when they land but dated at launch, and milestones at their phase, so
    // sort by date; the sort is stable, so same-day entries keep the order they happened in.
    entries.sort_by(|a, b| a.day.total_cmp(&b.day).then(rank(a.kind).cmp(&rank(b.kind))));
    Ok((summarise(sc, entries), w))
}

/// Order of entries on the same day: flights, then what they achieved, then the rest, then eras.
fn rank(kind: Kind) -> u8 {
    match kind {
        Kind::Launch | Kind::Failure | Kind::Loss | Kind::Summary => 0,
        Kind::Milestone => 1,
        Kind::Era => 3,
        _ => 2,
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

/// Collapses each program's routine flights between two eras into one line.
fn summarise(sc: &Scenario, entries: Vec<Entry>) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut pending: BTreeMap<usize, Vec<Entry>> = BTreeMap::new();
    let flush = |pending: &mut BTreeMap<usize, Vec<Entry>>, out: &mut Vec<Entry>| {
        for (p, group) in std::mem::take(pending) {
            if group.len() == 1 {
                out.extend(group);
                continue;
            }
            let (first, last) = (&group[0], &group[group.len() - 1]);
            let crews: Vec<String> = group.iter().filter(|e| !e.crew.is_empty()).map(|e| join_names(&e.crew)).collect();
            let crews = if crews.is_empty() { String::new() } else { format!(" (crews: {})", crews.join("; ")) };
            let text = format!(
                "From {} to {}, {} flies {} more missions without incident{crews}.",
                first.date,
                last.date,
                sc.programs[p].name,
                group.len()
            );
            let mut e = first.clone();
            e.kind = Kind::Summary;
            e.text = text;
            e.crew = group.iter().flat_map(|e| e.crew.clone()).collect();
            e.mission = None;
            out.push(e);
        }
        // Summaries are dated by their first flight: keep the output in date order.
        out.sort_by(|a: &Entry, b: &Entry| a.day.total_cmp(&b.day).then(rank(a.kind).cmp(&rank(b.kind))));
    };
    for e in entries {
        if e.kind == Kind::Era {
            flush(&mut pending, &mut out);
            out.push(e);
        } else if let (true, Some(p)) = (e.routine, e.program_idx) {
            pending.entry(p).or_default().push(e);
        } else {
            out.push(e);
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// How common this timeline's key turns were among the ensemble summarised in `s`.
pub fn commonness(sc: &Scenario, w: &World, s: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    for (m, ms) in sc.milestones.iter().enumerate() {
        let what = lower_first(strip_first(&ms.name));
        match w.first(m) {
            Some(a) => out.push(format!(
                "{} got to {what} first, as in {} of timelines.",
                agency_name(sc, a),
                pct(s.p_first(m, a))
            )),
            None => out
                .push(format!("Nobody achieved {what}, as in {} of timelines.", pct(s.p_first(m, sc.agencies.len())))),
        }
    }
    for a in 0..sc.agencies.len() {
        let name = agency_name(sc, a);
        let p_any = s.crew_lost_any[a] as f64 / s.n.max(1) as f64;
        if w.crew_lost[a] > 0 {
            out.push(format!("{name} lost {} people; {} of timelines lose anyone.", w.crew_lost[a], pct(p_any)));
        } else {
            out.push(format!("{name} lost no one, as in {} of timelines.", pct(1.0 - p_any)));
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

/// The chronicle as text (`markdown = false`) or Markdown.
pub fn render(c: &Chronicle, sc: &Scenario, markdown: bool) -> String {
    let mut out = String::new();
    let title = format!(
        "{}{} — timeline {} (seed {})",
        sc.name,
        if c.divergences.is_empty() { String::new() } else { format!(" with {}", c.divergences.join(" + ")) },
        c.timeline,
        c.seed
    );
    if markdown {
        let _ = writeln!(out, "# {title}\n\n*{}*\n", c.chosen);
        let _ = writeln!(out, "**How common this history is** (among {} timelines):\n", c.ensemble);
        for line in &c.commonness {
            let _ = writeln!(out, "- {line}");
        }
    } else {
        let _ = writeln!(out, "{title}\n{}\n", c.chosen);
        let _ = writeln!(out, "How common this history is (among {} timelines):", c.ensemble);
        for line in &c.commonness {
            let _ = writeln!(out, "  {line}");
        }
    }
    out.push('\n');
    for e in &c.entries {
        render_entry(&mut out, e, markdown);
    }
    out
}

fn render_entry(out: &mut String, e: &Entry, markdown: bool) {
    if e.kind == Kind::Era {
        let mut lines = e.text.lines();
        let heading = lines.next().unwrap_or_default();
        if markdown {
            let _ = writeln!(out, "\n## {heading}\n");
            for l in lines {
                let _ = writeln!(out, "> {l}");
            }
            out.push('\n');
        } else {
            let _ = writeln!(out, "\n== {heading} ==");
            for l in lines {
                let _ = writeln!(out, "   {l}");
            }
            out.push('\n');
        }
        return;
    }
    let who = e.agency.as_deref().map(|a| format!("{a}: ")).unwrap_or_default();
    if markdown {
        let text =
            if matches!(e.kind, Kind::Milestone | Kind::Loss) { format!("**{}**", e.text) } else { e.text.clone() };
        let _ = writeln!(out, "- **{}** {who}{text}", e.date);
    } else {
        let _ = writeln!(out, "  {}  {who}{}", e.date, e.text);
    }
}

/// Baseline and divergent chronicles of the same timeline, told together from where they split.
pub fn render_twin(base: &Chronicle, div: &Chronicle, sc: &Scenario, markdown: bool) -> String {
    let split = base.entries.iter().zip(&div.entries).position(|(a, b)| a.date != b.date || a.text != b.text);
    let split = split.unwrap_or(base.entries.len().min(div.entries.len()));
    let mut out = String::new();
    let title = format!(
        "{} — twin timelines {} (seed {}): baseline and {}",
        sc.name,
        base.timeline,
        base.seed,
        div.divergences.join(" + ")
    );
    let _ = writeln!(out, "{}{title}\n", if markdown { "# " } else { "" });
    if split == base.entries.len() && split == div.entries.len() {
        let _ = writeln!(out, "The two worlds never differ in this timeline: the divergence changed nothing here.");
        return out;
    }
    if split > 0 {
        let until = &base.entries[split - 1].date;
        let _ = writeln!(
            out,
            "Both worlds share the same history until {until} ({split} entries, as in the baseline chronicle).\n"
        );
    }
    let mut rest: Vec<(&str, &Entry)> = base.entries[split..].iter().map(|e| ("baseline", e)).collect();
    rest.extend(div.entries[split..].iter().map(|e| ("divergent", e)));
    rest.sort_by(|a, b| a.1.day.total_cmp(&b.1.day).then(a.0.cmp(b.0)));
    let mut first = true;
    for (world, e) in rest {
        if first {
            let _ = writeln!(out, "{}", if markdown { "**▶ First difference**\n" } else { "▶ First difference" });
            first = false;
        }
        let mut line = String::new();
        render_entry(&mut line, e, markdown);
        let tag = if markdown { format!("*[{world}]* ") } else { format!("[{world}] ") };
        for l in line.lines() {
            if l.trim().is_empty() {
                out.push('\n');
            } else if let Some(rest) = l.strip_prefix("- ") {
                let _ = writeln!(out, "- {tag}{rest}");
            } else {
                let _ = writeln!(out, "{tag}{}", l.trim_start());
            }
        }
    }
    out
}

/// How prose names an agency: its name, or its id when the name is a mouthful.
fn agency_name(sc: &Scenario, a: usize) -> &str {
    let agency = &sc.agencies[a];
    if agency.name.chars().count() <= 24 { &agency.name } else { &agency.id }
}

/// How prose names a vehicle: without a parenthetical list of variants.
fn vehicle_name(sc: &Scenario, v: usize) -> &str {
    let name = &sc.vehicles[v].name;
    name.split(" (").next().unwrap_or(name).trim()
}

/// "a Saturn V", "an Atlas D", "an R-7", "an N1": the article goes by the sound of the first letter.
fn with_article(noun: &str) -> String {
    let mut chars = noun.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    let vowel = "AEIOUaeiou".contains(first);
    let spelled_like_vowel = "FHLMNRSX".contains(first) && !second.is_ascii_lowercase();
    if vowel || spelled_like_vowel { format!("an {noun}") } else { format!("a {noun}") }
}

fn join_names(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        2 => format!("{} and {}", names[0], names[1]),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// "First crewed lunar landing" → "crewed lunar landing".
fn strip_first(name: &str) -> &str {
    name.strip_prefix("First ").unwrap_or(name)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_as_english() {
        let n = |v: &[&str]| join_names(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(n(&["Leonov"]), "Leonov");
        assert_eq!(n(&["Borman", "Lovell"]), "Borman and Lovell");
        assert_eq!(n(&["Borman", "Lovell", "Anders"]), "Borman, Lovell and Anders");
        assert_eq!(lower_first(strip_first("First crewed lunar landing")), "crewed lunar landing");
        assert_eq!(with_article("Saturn V"), "a Saturn V");
        assert_eq!(with_article("Atlas D"), "an Atlas D");
        assert_eq!(with_article("R-7 family"), "an R-7 family");
        assert_eq!(with_article("N1"), "an N1");
        assert_eq!(with_article("Proton UR-500K"), "a Proton UR-500K");
    }
}
