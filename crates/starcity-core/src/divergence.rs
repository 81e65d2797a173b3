//! Divergences: one change to a scenario, written as a small TOML file of interventions.
//!
//! A divergence is compiled against an already compiled scenario, so every name it uses is checked
//! against that scenario and every error points into the divergence file. Applying it yields a new
//! `Scenario`: rules removed, added or replaced, programs edited, parameters scaled from a date (as
//! synthetic rules, so they run through the same machinery as the scenario's own), and forced
//! outcomes of identified events, which the engine consults at the keyed decision itself.
//!
//! **Invariant (twin alignment):** a divergence never renumbers random keys. Steps keep their
//! file position as their key when others are skipped or inserted; rules and forced events carry
//! no noise of their own. So the divergent world meets every decision it shares with the baseline
//! with the same random number.

use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use crate::limits;
use crate::noise::name_key;
use crate::scenario::{
    Compiler, Cond, Effect, ForceTarget, Forced, ForcedOutcome, InterventionInfo, InterventionKind, Kind, LoadError,
    LoadErrors, Rule, Scenario, Start, raw,
};

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    divergence: S<Header>,
    #[serde(default)]
    intervention: Vec<S<Intervention>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: S<String>,
    name: String,
    #[serde(default)]
    description: String,
    /// The scenario this divergence is written for (informational; `compare` uses it by default).
    base: Option<S<String>>,
    /// The point of divergence: history is replayed up to this date by default.
    date: Option<S<Datetime>>,
}

/// A flight as an intervention names it: by its number (the `N`-th of a vehicle or mission in
/// the timeline) or by its name in a program's manifest ("Soyuz 1").
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FlightRef {
    Number(i64),
    Name(String),
}

/// One intervention. Which keys are allowed depends on `do`; stray keys are errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Intervention {
    #[serde(rename = "do")]
    action: S<String>,
    /// Why, with sources: shown in reports.
    note: Option<String>,
    /// How a chronicle tells the change (default: the note without its sources).
    story: Option<String>,
    vehicle: Option<S<String>>,
    mission: Option<S<String>>,
    flight: Option<S<FlightRef>>,
    crew: Option<S<Vec<String>>>,
    backup: Option<S<Vec<String>>>,
    phase: Option<S<String>>,
    outcome: Option<S<String>>,
    from: Option<S<Datetime>>,
    agency: Option<S<String>>,
    program: Option<S<String>>,
    budget: Option<S<f64>>,
    risk: Option<S<f64>>,
    pace: Option<S<f64>>,
    failure: Option<S<f64>>,
    id: Option<S<String>>,
    rule: Option<S<raw::Rule>>,
    skip_step: Option<S<i64>>,
    clean_flights: Option<S<i64>>,
    insert_step: Option<S<raw::Step>>,
    start: Option<S<Datetime>>,
}

/// Summary information about a compiled divergence.
#[derive(Debug, Clone)]
pub struct Divergence {
    pub id: String,
    pub name: String,
    pub description: String,
    pub base: Option<String>,
    /// Where `base` is written, for an error about it.
    pub base_span: Option<std::ops::Range<usize>>,
}

impl Divergence {
    /// An error located at this divergence's `base` key (or at the file, if it has none).
    pub fn base_error(&self, origin: &str, text: &str, message: String, expected: &str) -> LoadErrors {
        let src = Arc::new(text.to_string());
        let error = match &self.base_span {
            Some(span) => LoadError::new(origin, &src, span.clone(), message, expected.into()),
            None => LoadError::whole(origin, message),
        };
        LoadErrors::new(origin, vec![error])
    }
}

/// Whether `text` is meant as a divergence (it has a `[divergence]` table) rather than a scenario.
/// Decided even when the TOML is broken, from a `[divergence]` header line, so that a syntax error
/// in a divergence is reported as one and not as "unknown field" of a scenario.
pub fn is_divergence(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(t) => t.contains_key("divergence"),
        Err(_) => text.lines().any(|l| {
            let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            l.starts_with("[divergence]") || l.starts_with("divergence.") || l.starts_with("divergence=")
        }),
    }
}

/// Reads a divergence's header without compiling it (for listings and the default base).
pub fn header(origin: &str, text: &str) -> Result<Divergence, LoadErrors> {
    let src = Arc::new(text.to_string());
    let f: File = toml::from_str(text).map_err(|e| LoadErrors::syntax_in(origin, &src, &e, "docs/divergences.md"))?;
    let h = f.divergence.into_inner();
    Ok(Divergence {
        id: h.id.into_inner(),
        name: h.name,
        description: h.description,
        base_span: h.base.as_ref().map(|b| b.span()),
        base: h.base.map(|b| b.into_inner()),
    })
}

/// Compiles a divergence against `base` and returns the divergent scenario.
pub fn apply(origin: &str, text: &str, base: &Scenario) -> Result<Scenario, LoadErrors> {
    let src = Arc::new(text.to_string());
    let file: File =
        toml::from_str(text).map_err(|e| LoadErrors::syntax_in(origin, &src, &e, "docs/divergences.md"))?;
    let mut c = Compiler::for_scenario(origin, src, base);
    let mut sc = base.clone();
    let header = file.divergence.get_ref();
    c.check_id(&header.id);
    let div_id = header.id.get_ref().clone();
    if sc.divergences.contains(&div_id) {
        // Its rules would be added twice under the same ids.
        c.error(header.id.span(), format!("divergence `{div_id}` is already applied"), "each divergence once");
    }
    c.at_most(&file.intervention, limits::INTERVENTIONS, "interventions");
    c.text_at_most(file.divergence.span(), [header.name.as_str(), header.description.as_str()]);
    for item in &file.intervention {
        c.text_at_most(item.span(), item.get_ref().note.as_deref());
        c.text_at_most(item.span(), item.get_ref().story.as_deref());
    }
    let date = header.date.as_ref().and_then(|d| c.date(d));
    if let Some(d) = date
        && (d <= sc.start || d > sc.end)
    {
        let m = format!("the point of divergence {d} is outside the scenario");
        c.error(
            header.date.as_ref().map_or(0..0, |d| d.span()),
            m,
            format!("a date after {} and up to {}", sc.start, sc.end),
        );
    }
    if !c.errors.is_empty() {
        return Err(c.take_errors());
    }
    // With several divergences, history is replayed only up to the first of them.
    sc.diverges = match (sc.diverges, date) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    for (i, item) in file.intervention.iter().enumerate() {
        intervene(&mut c, &mut sc, &div_id, i, item);
    }
    check_sizes(&mut c, &sc, file.divergence.span());
    if let Some(cycle) = crate::scenario::prerequisite_cycle(&sc.programs) {
        let names: Vec<&str> = cycle.iter().map(|&p| sc.programs[p].id.as_str()).collect();
        let message = format!("after this divergence, cyclic prerequisites: {}", names.join(" → "));
        c.error(file.divergence.span(), message, "programs that do not wait on each other in a circle");
    }
    if !c.errors.is_empty() {
        return Err(c.take_errors());
    }
    sc.divergences.push(div_id);
    sc.refresh_wake_days();
    sc.index_forced();
    Ok(sc)
}

/// The divergent scenario within the scenario limits: added rules and inserted steps count.
fn check_sizes(c: &mut Compiler, sc: &Scenario, span: std::ops::Range<usize>) {
    if sc.rules.len() > limits::RULES.usize() {
        c.error(span.clone(), format!("the divergent scenario has {} rules", sc.rules.len()), limits::RULES.describe());
    }
    if let Some(p) = sc.programs.iter().find(|p| p.steps.len() > limits::STEPS.usize()) {
        c.error(
            span,
            format!("program `{}` has {} steps after the divergence", p.id, p.steps.len()),
            limits::STEPS.describe(),
        );
    }
}

/// Which keys each action takes (besides `do` and `note`).
fn allowed(action: &str) -> Option<&'static [&'static str]> {
    Some(match action {
        "force" => &["vehicle", "mission", "flight", "phase", "outcome"],
        "crew" => &["flight", "crew", "backup"],
        "scale" => &["from", "agency", "program", "vehicle", "budget", "risk", "pace", "failure"],
        "remove-rule" => &["id"],
        "add-rule" | "replace-rule" => &["rule"],
        "program" => &["program", "skip_step", "clean_flights", "insert_step", "start"],
        _ => return None,
    })
}

/// The keys an intervention has, with their spans.
fn present(i: &Intervention) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    macro_rules! key {
        ($($f:ident),*) => { $( if let Some(v) = &i.$f { out.push((stringify!($f), v.span())); } )* };
    }
    key!(
        vehicle,
        mission,
        flight,
        phase,
        outcome,
        from,
        agency,
        program,
        budget,
        risk,
        pace,
        failure,
        id,
        rule,
        skip_step,
        clean_flights,
        insert_step,
        start,
        crew,
        backup
    );
    out
}

fn intervene(c: &mut Compiler, sc: &mut Scenario, div_id: &str, index: usize, item: &S<Intervention>) {
    let span = item.span();
    let it = item.get_ref();
    let action = it.action.get_ref().as_str();
    let Some(keys) = allowed(action) else {
        c.error(
            it.action.span(),
            format!("unknown intervention `{action}`"),
            "one of: force, crew, scale, remove-rule, add-rule, replace-rule, program",
        );
        return;
    };
    let mut stray = false;
    for (key, at) in present(it) {
        if !keys.contains(&key) {
            c.error(at, format!("`{key}` does not go with `do = \"{action}\"`"), format!("only: {}", keys.join(", ")));
            stray = true;
        }
    }
    if stray {
        return;
    }
    let note = it.note.clone();
    let before = sc.interventions.len();
    match action {
        "force" => force(c, sc, it, span, note),
        "crew" => crew(c, sc, it, span, note),
        "scale" => scale(c, sc, it, span, div_id, index, note),
        "remove-rule" => remove_rule(c, sc, it, span, note),
        "add-rule" | "replace-rule" => add_rule(c, sc, it, span, action == "replace-rule", note),
        _ => program(c, sc, it, span, div_id, index, note),
    }
    for added in &mut sc.interventions[before..] {
        added.story = it.story.clone().unwrap_or_else(|| crate::chronicle::words::story(&added.text));
    }
}

fn force(c: &mut Compiler, sc: &mut Scenario, it: &Intervention, span: std::ops::Range<usize>, note: Option<String>) {
    let Some(flight) = &it.flight else {
        c.error(
            span,
            "`force` needs `flight`",
            "`flight = N` (1 = the first flight in the timeline) or `flight = \"Soyuz 1\"`",
        );
        return;
    };
    if let FlightRef::Name(name) = flight.get_ref() {
        if it.vehicle.is_some() || it.mission.is_some() {
            c.error(
                flight.span(),
                "a named flight with `vehicle` or `mission`",
                "a flight name alone (it says which flight)",
            );
            return;
        }
        let Some((program, index)) = c.named_flight(name, flight.span()) else { return };
        return force_named(c, sc, it, span, note, program, index);
    }
    let n = match flight.get_ref() {
        FlightRef::Number(n) => {
            let at = toml::Spanned::new(flight.span(), *n);
            c.count(Some(&at), 1, 1, 100_000, "a flight number from 1")
        }
        FlightRef::Name(_) => return,
    };
    let Some(outcome) = outcome(c, it, span.clone()) else { return };
    let (target, what) = match (&it.vehicle, &it.mission) {
        (Some(v), None) => match c.resolve(Kind::Vehicle, v) {
            Some(vehicle) => {
                (ForceTarget::Vehicle { vehicle, flight: n - 1 }, format!("{} flight {n}", sc.vehicles[vehicle].name))
            }
            None => return,
        },
        (None, Some(m)) => match c.resolve(Kind::Mission, m) {
            Some(mission) => {
                (ForceTarget::Mission { mission, flight: n - 1 }, format!("{} flight {n}", sc.missions[mission].name))
            }
            None => return,
        },
        _ => {
            c.error(
                span,
                "`force` needs exactly one of `vehicle` and `mission`",
                "`vehicle = \"n1\"` or `mission = \"l3-landing\"`",
            );
            return;
        }
    };
    let phase = match &it.phase {
        None => None,
        Some(p) => {
            let known: Vec<&str> = match target {
                ForceTarget::Vehicle { vehicle, .. } => sc
                    .missions
                    .iter()
                    .flat_map(|m| m.phases.iter())
                    .filter(|ph| ph.vehicle == vehicle)
                    .map(|ph| ph.name.as_str())
                    .collect(),
                ForceTarget::Mission { mission, .. } => {
                    sc.missions[mission].phases.iter().map(|ph| ph.name.as_str()).collect()
                }
                ForceTarget::Named { program, .. } => program_phases(sc, program),
            };
            if !known.contains(&p.get_ref().as_str()) {
                let mut known = known;
                known.sort();
                known.dedup();
                c.error(
                    p.span(),
                    format!("no phase `{}` of this target", p.get_ref()),
                    format!("one of: {}", crate::scenario::one_of(known.iter().copied())),
                );
                return;
            }
            Some(name_key(p.get_ref()))
        }
    };
    let phase_text = it.phase.as_ref().map(|p| format!(" ({})", p.get_ref())).unwrap_or_default();
    let outcome_text = it.outcome.as_ref().map(|o| o.get_ref().clone()).unwrap_or_default();
    sc.forced.push(Forced { target, phase, outcome });
    sc.interventions.push(InterventionInfo {
        story: String::new(),
        text: note.unwrap_or(format!("{what}{phase_text}: forced {outcome_text}")),
        kind: InterventionKind::Forced(sc.forced.len() - 1),
    });
}

/// The forced outcome an intervention asks for.
fn outcome(c: &mut Compiler, it: &Intervention, span: std::ops::Range<usize>) -> Option<ForcedOutcome> {
    match it.outcome.as_ref().map(|o| (o.get_ref().as_str(), o.span())) {
        Some(("success", _)) => Some(ForcedOutcome::Success),
        Some(("failure", _)) => Some(ForcedOutcome::Failure),
        Some(("abort", _)) => Some(ForcedOutcome::Abort),
        Some(("loss", _)) => Some(ForcedOutcome::Loss),
        Some((other, at)) => {
            c.error(at, format!("unknown outcome `{other}`"), "one of: success, failure, abort, loss");
            None
        }
        None => {
            c.error(span, "`force` needs `outcome`", "`outcome = \"success\"` (or failure, abort, loss)");
            None
        }
    }
}

/// The phase names of every mission a program may fly (its steps and their tests).
fn program_phases(sc: &Scenario, program: usize) -> Vec<&str> {
    let missions = sc.programs[program].steps.iter().flat_map(|st| std::iter::once(st.mission).chain(st.test));
    missions.flat_map(|m| sc.missions[m].phases.iter().map(|ph| ph.name.as_str())).collect()
}

/// `force` on a named flight ("Soyuz 1"): whatever mission it flies.
fn force_named(
    c: &mut Compiler,
    sc: &mut Scenario,
    it: &Intervention,
    span: std::ops::Range<usize>,
    note: Option<String>,
    program: usize,
    index: u16,
) {
    let Some(outcome) = outcome(c, it, span) else { return };
    let phase = match &it.phase {
        None => None,
        Some(p) if program_phases(sc, program).contains(&p.get_ref().as_str()) => Some(name_key(p.get_ref())),
        Some(p) => {
            let mut known = program_phases(sc, program);
            known.sort_unstable();
            known.dedup();
            let m = format!("no phase `{}` in the missions of program `{}`", p.get_ref(), sc.programs[program].id);
            c.error(p.span(), m, format!("one of: {}", crate::scenario::one_of(known.into_iter())));
            return;
        }
    };
    let name = sc.programs[program].flights[index as usize].name.clone();
    let phase_text = it.phase.as_ref().map(|p| format!(" ({})", p.get_ref())).unwrap_or_default();
    let outcome_text = it.outcome.as_ref().map(|o| o.get_ref().clone()).unwrap_or_default();
    sc.forced.push(Forced { target: ForceTarget::Named { program, flight: index }, phase, outcome });
    sc.interventions.push(InterventionInfo {
        story: String::new(),
        text: note.unwrap_or(format!("{name}{phase_text}: forced {outcome_text}")),
        kind: InterventionKind::Forced(sc.forced.len() - 1),
    });
}

/// `crew`: a named flight flies with other people (`crew`, and optionally `backup`).
fn crew(c: &mut Compiler, sc: &mut Scenario, it: &Intervention, span: std::ops::Range<usize>, note: Option<String>) {
    let Some(flight) = &it.flight else {
        c.error(span, "`crew` needs `flight`", "`flight = \"Soyuz 1\"` (a named flight: see `starcity show`)");
        return;
    };
    let FlightRef::Name(name) = flight.get_ref() else {
        c.error(flight.span(), "`crew` names its flight", "`flight = \"Soyuz 1\"` (a named flight)");
        return;
    };
    let Some(people) = &it.crew else {
        c.error(span, "`crew` needs `crew`", "`crew = [\"Alexei Leonov\", \"Oleg Makarov\"]`");
        return;
    };
    let Some((program, index)) = c.named_flight(name, flight.span()) else { return };
    let Some(new_crew) = c.crew_for(sc, program, index, people) else { return };
    let new_backup = match &it.backup {
        Some(b) => match c.crew_for(sc, program, index, b) {
            Some(x) => x,
            None => return,
        },
        None => sc.programs[program].flights[index as usize].backup.clone(),
    };
    let f = &mut sc.programs[program].flights[index as usize];
    f.crew = new_crew;
    f.backup = new_backup;
    // An uncrewed entry given a crew moves to the crewed list.
    sc.index_names();
    let text = note.unwrap_or(format!("{name} flies with {}", people.get_ref().join(", ")));
    sc.interventions.push(InterventionInfo { story: String::new(), text, kind: InterventionKind::Program(program) });
}

#[allow(clippy::too_many_arguments)]
fn scale(
    c: &mut Compiler,
    sc: &mut Scenario,
    it: &Intervention,
    span: std::ops::Range<usize>,
    div_id: &str,
    index: usize,
    note: Option<String>,
) {
    let when = match &it.from {
        Some(d) => match c.date(d) {
            Some(date) => Cond::After { day: (date - sc.start).num_days() as f64 },
            None => return,
        },
        None => Cond::True,
    };
    let factor = |c: &mut Compiler, v: &S<f64>| c.required(v, 0.0, 100.0, "a scale factor from 0 to 100");
    let (effect, what) = match (&it.agency, &it.program, &it.vehicle, &it.budget, &it.risk, &it.pace, &it.failure) {
        (Some(a), None, None, Some(b), None, None, None) => {
            let Some(agency) = c.resolve(Kind::Agency, a) else { return };
            (Effect::Budget { agency, scale: factor(c, b) }, format!("{} funding", sc.agencies[agency].name))
        }
        (Some(a), None, None, None, Some(r), None, None) => {
            let Some(agency) = c.resolve(Kind::Agency, a) else { return };
            (Effect::Risk { agency, scale: factor(c, r) }, format!("{} risk posture", sc.agencies[agency].name))
        }
        (None, Some(p), None, None, None, Some(x), None) => {
            let Some(program) = c.resolve(Kind::Program, p) else { return };
            (Effect::Pace { program, scale: factor(c, x) }, format!("{} preparation times", sc.programs[program].name))
        }
        (None, None, Some(v), None, None, None, Some(f)) => {
            let Some(vehicle) = c.resolve(Kind::Vehicle, v) else { return };
            (
                Effect::Reliability { vehicle, scale: factor(c, f) },
                format!("{} failure probability", sc.vehicles[vehicle].name),
            )
        }
        _ => {
            c.error(
                span,
                "`scale` needs one target and one factor",
                "`agency` with `budget` or `risk`, `program` with `pace`, or `vehicle` with `failure`",
            );
            return;
        }
    };
    let from = it.from.as_ref().map(|d| format!(" from {}", d.get_ref())).unwrap_or_default();
    let factor = match effect {
        Effect::Budget { scale, .. }
        | Effect::Risk { scale, .. }
        | Effect::Pace { scale, .. }
        | Effect::Reliability { scale, .. } => scale,
        _ => 1.0,
    };
    let text = note.unwrap_or(format!("{what} × {factor}{from}"));
    let reads = when.reads();
    sc.rules.push(Rule {
        reads,
        id: format!("{div_id}:{}", index + 1),
        when,
        delay: 0.0,
        still: None,
        text: text.clone(),
        effects: vec![effect],
    });
    sc.interventions.push(InterventionInfo {
        story: String::new(),
        text,
        kind: InterventionKind::Rule(sc.rules.len() - 1),
    });
}

fn remove_rule(
    c: &mut Compiler,
    sc: &mut Scenario,
    it: &Intervention,
    span: std::ops::Range<usize>,
    note: Option<String>,
) {
    let Some(id) = &it.id else {
        c.error(span, "`remove-rule` needs `id`", "`id = \"rule-id\"`");
        return;
    };
    match sc.rules.iter().position(|r| &r.id == id.get_ref()) {
        Some(r) => {
            let removed = sc.rules.remove(r);
            // Later intervention indices into `rules` shift down with it; an earlier intervention
            // that added or replaced this very rule is undone (it applies nowhere now).
            for i in &mut sc.interventions {
                if let InterventionKind::Rule(k) = i.kind {
                    i.kind = match k.cmp(&r) {
                        std::cmp::Ordering::Less => InterventionKind::Rule(k),
                        std::cmp::Ordering::Equal => InterventionKind::Undone,
                        std::cmp::Ordering::Greater => InterventionKind::Rule(k - 1),
                    };
                }
            }
            let (when, delay, intervention) = (removed.when.clone(), removed.delay, sc.interventions.len());
            let agency = removed.effects.first().map(|e| sc.effect_agency(e));
            sc.markers.push(crate::scenario::Marker { when, delay, agency, intervention });
            sc.interventions.push(InterventionInfo {
                story: String::new(),
                text: note.unwrap_or(format!("rule `{}` removed: {}", removed.id, removed.text)),
                kind: InterventionKind::Removed(removed.id),
            });
        }
        None => {
            let known: Vec<&str> = sc.rules.iter().map(|r| r.id.as_str()).collect();
            c.error(
                id.span(),
                format!("unknown rule `{}`", id.get_ref()),
                format!("one of: {}", crate::scenario::one_of(known.iter().copied())),
            );
        }
    }
}

fn add_rule(
    c: &mut Compiler,
    sc: &mut Scenario,
    it: &Intervention,
    span: std::ops::Range<usize>,
    replace: bool,
    note: Option<String>,
) {
    let Some(rule) = &it.rule else {
        c.error(span, "this intervention needs `rule`", "`rule = { id = \"…\", when = \"…\", effects = […] }`");
        return;
    };
    let id = rule.get_ref().id.get_ref().clone();
    let existing = sc.rules.iter().position(|r| r.id == id);
    match (existing, replace) {
        (Some(_), false) => {
            c.error(
                rule.get_ref().id.span(),
                format!("rule `{id}` already exists"),
                "a new id, or `do = \"replace-rule\"`",
            );
            return;
        }
        (None, true) => {
            let known: Vec<&str> = sc.rules.iter().map(|r| r.id.as_str()).collect();
            c.error(
                rule.get_ref().id.span(),
                format!("unknown rule `{id}`"),
                format!("one of: {}", crate::scenario::one_of(known.iter().copied())),
            );
            return;
        }
        _ => {}
    }
    let mut compiled = c.rules(std::slice::from_ref(rule));
    let Some(r) = compiled.pop() else { return };
    let text = note.unwrap_or(format!("rule `{}` {}: {}", r.id, if replace { "replaced" } else { "added" }, r.text));
    let at = match existing {
        Some(i) => {
            sc.rules[i] = r;
            i
        }
        None => {
            sc.rules.push(r);
            sc.rules.len() - 1
        }
    };
    sc.interventions.push(InterventionInfo { story: String::new(), text, kind: InterventionKind::Rule(at) });
}

#[allow(clippy::too_many_arguments)]
fn program(
    c: &mut Compiler,
    sc: &mut Scenario,
    it: &Intervention,
    span: std::ops::Range<usize>,
    div_id: &str,
    index: usize,
    note: Option<String>,
) {
    let Some(p) = &it.program else {
        c.error(span, "`program` needs `program`", "`program = \"apollo\"`");
        return;
    };
    let Some(pi) = c.resolve(Kind::Program, p) else { return };
    let mut done = Vec::new();
    if let Some(cf) = &it.clean_flights {
        let n = c.count(Some(cf), 0, 0, 100, "a number of flights from 0 to 100");
        sc.programs[pi].clean_flights = n;
        done.push(format!("test-flight rule set to {n} clean flights"));
    }
    if let Some(d) = &it.start
        && let Some(date) = c.date(d)
    {
        sc.programs[pi].start = Start::On((date - sc.start).num_days() as f64);
        done.push(format!("starts on {date}"));
    }
    if let Some(k) = &it.skip_step {
        let len = sc.programs[pi].steps.len() as i64;
        let k = c.count(Some(k), 0, 1, len, &format!("a step number from 1 to {len}"));
        if k >= 1 && sc.programs[pi].steps.len() > 1 {
            let step = sc.programs[pi].steps.remove(k as usize - 1);
            let name = step.name.unwrap_or_else(|| sc.missions[step.mission].name.clone());
            done.push(format!("step {k} ({name}) skipped"));
        } else if k >= 1 {
            c.error(span.clone(), "cannot skip the only step of a program", "a program with another step left");
        }
    }
    if let Some(ins) = &it.insert_step {
        let len = sc.programs[pi].steps.len() as i64;
        let Some(before) = &ins.get_ref().before else {
            c.error(
                ins.span(),
                "`insert_step` needs `before`",
                format!("`before = N`, a position from 1 to {}", len + 1),
            );
            return;
        };
        let before = c.count(Some(before), 1, 1, len + 1, &format!("a position from 1 to {}", len + 1));
        let missions = &sc.missions;
        if let Some(mut step) = c.step(ins.get_ref(), 0, &|m| missions.get(m).map(|x| x.crew)) {
            // A fresh identity for the new step's noise, distinct from every file position.
            step.key = name_key(&format!("{div_id}:{}", index + 1));
            let name = step.name.clone().unwrap_or_else(|| sc.missions[step.mission].name.clone());
            sc.programs[pi].steps.insert(before as usize - 1, step);
            done.push(format!("step {name} inserted at {before}"));
        }
    }
    if done.is_empty() {
        c.error(span, "`program` changes nothing", "one of: skip_step, clean_flights, insert_step, start");
        return;
    }
    let text = note.unwrap_or(format!("{}: {}", sc.programs[pi].name, done.join("; ")));
    sc.interventions.push(InterventionInfo { story: String::new(), text, kind: InterventionKind::Program(pi) });
}
