//! `starcity show`: what a scenario holds, with the ids a divergence or a `--where` condition
//! names (agencies, vehicles, milestones, missions and their phases, programs and their named
//! flights, rosters, rules, eras), as aligned text or JSON.

use std::fmt::Write as _;

use chrono::{NaiveDate, TimeDelta};
use miette::{Result, miette};
use serde_json::{Value, json};
use starcity_core::builtin;
use starcity_core::divergence;
use starcity_core::limits::DIVERGENCES;
use starcity_core::scenario::condition::{Expr, Term};
use starcity_core::scenario::real::{EndFate, RealOutcome};
use starcity_core::scenario::{
    Agency, Cond, Effect, Mission, NamedFlight, Op, PastFlight, Person, Phase, Program, Rule, Scenario, Start, Step,
    Substitution,
};

use crate::cli::ShowArgs;
use crate::config;
use crate::output::{self, Sink};

/// Every section `--section` accepts, in the order of the full listing.
pub const SECTIONS: [&str; 11] = [
    "agencies",
    "vehicles",
    "milestones",
    "missions",
    "programs",
    "flights",
    "people",
    "past",
    "record",
    "rules",
    "eras",
];

/// The sections of the full text listing: `flights` and `people` repeat what the programs and
/// the agencies hold, one line each, for `--section` (and JSON).
const FULL_TEXT: [&str; 9] =
    ["agencies", "vehicles", "milestones", "missions", "programs", "past", "record", "rules", "eras"];

pub fn run(args: &ShowArgs) -> Result<()> {
    let sc = load(args)?;
    let sink = Sink::new(args.output.as_deref());
    match (&args.section, args.json) {
        (Some(name), false) => output::emit(&section_text(&sc, name), sink),
        (Some(name), true) => {
            output::emit_json(&json!({ "scenario": header_json(&sc), name: section_json(&sc, name) }), sink)
        }
        (None, false) => output::emit(&full_text(&sc), sink),
        (None, true) => output::emit_json(&full_json(&sc), sink),
    }
}

// ---------------------------------------------------------------------------------------------
// Loading: at most one scenario and any divergences, as built-in names or files.
// ---------------------------------------------------------------------------------------------

/// The scenario to show: the one named (else the first divergence's `base`, else the default)
/// with every divergence applied in order, those named first, then those of `-d`.
fn load(args: &ShowArgs) -> Result<Scenario> {
    let stdin_uses = args.names.iter().chain(&args.divergences).filter(|n| *n == "-").count();
    if stdin_uses > 1 {
        return Err(miette!("`-` (standard input) is given {stdin_uses} times; it can be read only once"));
    }
    output::check_target(args.output.as_deref())?;
    let (scenario, mut divergences) = sort_names(&args.names)?;
    for d in &args.divergences {
        divergences.push(config::divergence_text(d)?);
    }
    if divergences.len() > DIVERGENCES.usize() {
        return Err(miette!("{} divergences given; {}", divergences.len(), DIVERGENCES.describe()));
    }
    let mut sc = match scenario {
        Some(sc) => sc,
        None => base_of(divergences.first())?,
    };
    for (origin, text) in &divergences {
        sc = divergence::apply(origin, text, &sc)?;
    }
    Ok(sc)
}

/// A divergence's (origin, text): the name its errors use and its TOML.
type Text = (String, String);

/// Splits the names into the scenario (at most one) and the divergences.
fn sort_names(names: &[String]) -> Result<(Option<Scenario>, Vec<Text>)> {
    let mut scenario: Option<(&str, Scenario)> = None;
    let mut divergences = Vec::new();
    for name in names {
        let (origin, text) = super::check::source(name)?;
        if divergence::is_divergence(&text) {
            divergences.push((origin, text));
            continue;
        }
        if let Some((first, _)) = &scenario {
            return Err(miette!("`{first}` and `{name}` are both scenarios; show one scenario and any divergences"));
        }
        scenario = Some((name, Scenario::from_toml(&origin, &text)?));
    }
    Ok((scenario.map(|(_, sc)| sc), divergences))
}

/// Without a scenario: the first divergence's `base`, else the default.
fn base_of(first: Option<&Text>) -> Result<Scenario> {
    let Some((origin, text)) = first else {
        return Ok(config::scenario(builtin::DEFAULT_SCENARIO)?);
    };
    let header = divergence::header(origin, text)?;
    Ok(config::base_scenario(&header, origin, text)?)
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/// The title, then every section of `FULL_TEXT` under its heading.
fn full_text(sc: &Scenario) -> String {
    let mut text = format!("{} ({}): {} to {}\n", sc.name, sc.id, sc.start, sc.end);
    if !sc.divergences.is_empty() {
        let _ = writeln!(text, "Divergences applied: {}", sc.divergences.join(", "));
    }
    text.push_str("Entries start with their id, as divergences and --where conditions name them; steps are numbered\n");
    text.push_str("from 1 as `skip_step` counts them; named flights and people go by name, quoted in conditions.\n");
    for name in FULL_TEXT {
        let body = section_text(sc, name);
        let body = if body.is_empty() { "  none\n".to_string() } else { body };
        let _ = write!(text, "\n{}\n{body}", heading(sc, name));
    }
    text
}

fn heading(sc: &Scenario, name: &str) -> String {
    match name {
        "agencies" => format!("Agencies ({})", sc.agencies.len()),
        "vehicles" => format!("Vehicles ({})", sc.vehicles.len()),
        "milestones" => format!("Milestones ({})", sc.milestones.len()),
        "missions" => format!("Missions ({})", sc.missions.len()),
        "programs" => format!("Programs ({})", sc.programs.len()),
        "past" => format!("Flights before the start ({})", sc.past.len()),
        "record" => match sc.record.until_date {
            Some(d) => format!(
                "The record to {d} ({} real flights, {} program ends; replayed by --history-until)",
                sc.record.flights.len(),
                sc.record.ends.len()
            ),
            None => "The record (none)".into(),
        },
        "rules" => format!("Rules ({})", sc.rules.len()),
        "eras" => format!("Eras ({})", sc.eras.len()),
        other => other.to_string(),
    }
}

/// One section's lines, without a heading (what `--section` prints).
fn section_text(sc: &Scenario, name: &str) -> String {
    match name {
        "agencies" => sc.agencies.iter().map(|a| agency_text(sc, a)).collect(),
        "vehicles" => table("  ", &vehicle_rows(sc)),
        "milestones" => {
            table("  ", &sc.milestones.iter().map(|m| vec![m.id.clone(), m.name.clone()]).collect::<Vec<_>>())
        }
        "missions" => sc.missions.iter().map(|m| mission_text(sc, m)).collect(),
        "programs" => sc.programs.iter().map(|p| program_text(sc, p)).collect(),
        "flights" => lines(&flight_rows(sc)),
        "people" => lines(&people_rows(sc)),
        "past" => table("  ", &sc.past.iter().map(|f| past_row(sc, f)).collect::<Vec<_>>()),
        "record" => table("  ", &record_rows(sc)),
        "rules" => sc.rules.iter().map(|r| rule_text(sc, r)).collect(),
        "eras" => table("  ", &sc.eras.iter().map(|e| vec![e.date.to_string(), e.name.clone()]).collect::<Vec<_>>()),
        _ => String::new(),
    }
}

/// An agency: its line, then its crew rules.
fn agency_text(sc: &Scenario, a: &Agency) -> String {
    let serving = a.crew.iter().filter(|p| p.serves(0.0)).count();
    let rows = [
        ["risk".to_string(), format!("{} (the largest believed crew-loss probability it accepts)", a.risk)],
        ["roster".into(), format!("{} people, {serving} serving at the start ({})", a.crew.len(), sc.start)],
        ["substitution".into(), substitution(a.substitution).into()],
        ["rotation".into(), rotation(a.rotation)],
    ];
    format!("  {} — {}\n{}", a.id, a.name, table("      ", &rows.map(Vec::from)))
}

fn substitution(s: Substitution) -> &'static str {
    match s {
        Substitution::Seat => "seat (the backup in that seat flies)",
        Substitution::Crew => "crew (the whole backup crew flies)",
    }
}

fn rotation(n: u32) -> String {
    match n {
        0 => "none".into(),
        1 => "a backup crew flies one crewed flight later".into(),
        n => format!("a backup crew flies {n} crewed flights later"),
    }
}

fn vehicle_rows(sc: &Scenario) -> Vec<Vec<String>> {
    sc.vehicles.iter().map(|v| vec![v.id.clone(), v.name.clone(), sc.agencies[v.agency].id.clone()]).collect()
}

/// A mission's line, then its phases in flight order.
fn mission_text(sc: &Scenario, m: &Mission) -> String {
    let crew = if m.crew == 0 { "uncrewed".to_string() } else { format!("crew {}", m.crew) };
    let rows: Vec<Vec<String>> = m.phases.iter().enumerate().map(|(k, p)| phase_row(sc, k, p)).collect();
    format!("  {} — {} — {crew}\n{}", m.id, m.name, table("      ", &rows))
}

fn phase_row(sc: &Scenario, k: usize, p: &Phase) -> Vec<String> {
    let achieves = ids(p.achieves.iter().map(|&m| &sc.milestones[m].id));
    let party = seats(p.party);
    vec![
        format!("{}.", k + 1),
        p.name.clone(),
        sc.vehicles[p.vehicle].id.clone(),
        if achieves.is_empty() { String::new() } else { format!("achieves {achieves}") },
        if party.is_empty() { String::new() } else { format!("party: seats {}", ids(party.iter())) },
    ]
}

/// The 1-based seats of a party bitmask (bit `k` for seat `k + 1`); none for "all of them".
fn seats(party: u16) -> Vec<u32> {
    (0..16).filter(|k| party & (1 << k) != 0).map(|k| k + 1).collect()
}

/// A program: its line, how it starts (and ends), its steps, its named flights.
fn program_text(sc: &Scenario, p: &Program) -> String {
    let mut text = format!("  {} — {} — {}\n", p.id, p.name, sc.agencies[p.agency].id);
    let _ = writeln!(text, "    starts {}", start_text(sc, &p.start));
    for (what, c) in [("cancelled", &p.cancel), ("retires", &p.retire)] {
        if let Some(c) = c {
            let _ = writeln!(text, "    {what} when {}", cond(sc, c));
        }
    }
    if p.clean_flights > 0 {
        let (n, s) = (p.clean_flights, if p.clean_flights == 1 { "" } else { "s" });
        let _ = writeln!(text, "    crew only after {n} clean flight{s} in a row of each vehicle");
    }
    let steps: Vec<Vec<String>> = p.steps.iter().enumerate().map(|(k, s)| step_row(sc, k, s)).collect();
    let _ = write!(text, "    steps:\n{}", table("      ", &steps));
    if !p.flights.is_empty() {
        let flights: Vec<Vec<String>> = p.flights.iter().map(|f| named_flight_row(sc, p, f)).collect();
        let _ = write!(text, "    named flights:\n{}", table("      ", &flights));
    }
    text
}

fn start_text(sc: &Scenario, start: &Start) -> String {
    match start {
        Start::On(day) => format!("on {}", day_text(sc, *day)),
        Start::When(c) => format!("when {}", cond(sc, c)),
        Start::ByRule => "only when a rule starts it".into(),
    }
}

fn step_row(sc: &Scenario, k: usize, s: &Step) -> Vec<String> {
    let test = s.test.map(|t| format!("test {}", sc.missions[t].id));
    let requires = s.requires.as_ref().map(|c| format!("requires {}", cond(sc, c)));
    vec![
        format!("{}.", k + 1),
        sc.missions[s.mission].id.clone(),
        format!("repeat {}", s.repeat),
        s.name.clone().unwrap_or_default(),
        [test, requires].into_iter().flatten().collect::<Vec<_>>().join("  "),
    ]
}

fn named_flight_row(sc: &Scenario, p: &Program, f: &NamedFlight) -> Vec<String> {
    let backup = names(sc, p.agency, &f.backup);
    let only = f.mission.map_or(String::new(), |m| format!("(mission {} only)", sc.missions[m].id));
    vec![
        f.name.clone(),
        f.date.map_or("no date".into(), |d| d.to_string()),
        crew_text(sc, p.agency, &f.crew),
        if backup.is_empty() { String::new() } else { format!("backup: {backup}") },
        only,
    ]
}

fn crew_text(sc: &Scenario, agency: usize, crew: &[u16]) -> String {
    if crew.is_empty() { "uncrewed".into() } else { format!("crew: {}", names(sc, agency, crew)) }
}

/// Every named flight: name — program — date — crew.
fn flight_rows(sc: &Scenario) -> Vec<Vec<String>> {
    all_flights(sc)
        .map(|(p, f)| {
            let date = f.date.map_or("no date".to_string(), |d| d.to_string());
            let crew = if f.crew.is_empty() { "uncrewed".to_string() } else { names(sc, p.agency, &f.crew) };
            vec![f.name.clone(), p.id.clone(), date, crew]
        })
        .collect()
}

/// Every roster person: name — agency — service dates.
fn people_rows(sc: &Scenario) -> Vec<Vec<String>> {
    let rows = sc.agencies.iter().flat_map(|a| a.crew.iter().map(move |p| (a, p)));
    rows.map(|(a, p)| vec![p.name.clone(), a.id.clone(), service(sc, p)]).collect()
}

fn service(sc: &Scenario, p: &Person) -> String {
    match (finite_date(sc, p.from), finite_date(sc, p.until)) {
        (Some(from), Some(until)) => format!("from {from} until {until}"),
        (Some(from), None) => format!("from {from}"),
        (None, Some(until)) => format!("until {until}"),
        (None, None) => "throughout".into(),
    }
}

fn past_row(sc: &Scenario, f: &PastFlight) -> Vec<String> {
    let vehicles = ids(f.vehicles.iter().map(|&v| &sc.vehicles[v].id));
    let achieves = ids(f.achieves.iter().map(|&m| &sc.milestones[m].id));
    vec![
        f.date.to_string(),
        f.name.clone(),
        sc.agencies[f.agency].id.clone(),
        crew_text(sc, f.agency, &f.crew),
        if vehicles.is_empty() { String::new() } else { format!("vehicles {vehicles}") },
        if achieves.is_empty() { String::new() } else { format!("achieves {achieves}") },
        if f.lost { "crew lost".into() } else { String::new() },
    ]
}

/// The record: each real flight (date, name, program, outcome), then each program end.
fn record_rows(sc: &Scenario) -> Vec<Vec<String>> {
    let r = &sc.record;
    let flights = r.flights.iter().map(|f| {
        let mut notes = Vec::new();
        if let Some(m) = f.mission {
            notes.push(format!("as {}", sc.missions[m].id));
        }
        if let Some(d) = f.real_date.filter(|&d| d != f.date) {
            notes.push(format!("really {d}"));
        }
        if !f.evidence {
            notes.push("not evidence".into());
        }
        vec![
            f.date.to_string(),
            sc.programs[f.program].flights[f.index as usize].name.clone(),
            sc.programs[f.program].id.clone(),
            outcome_text(sc, f.outcome),
            notes.join(", "),
        ]
    });
    let ends = r.ends.iter().map(|e| {
        let fate = match e.fate {
            EndFate::Done => "done",
            EndFate::Cancelled => "cancelled",
            EndFate::Retired => "retired",
        };
        vec![e.date.to_string(), "(end)".into(), sc.programs[e.program].id.clone(), fate.into(), String::new()]
    });
    flights.chain(ends).collect()
}

/// "success", "failure at docking", "lost at entry".
fn outcome_text(sc: &Scenario, o: RealOutcome) -> String {
    let phase = |key: u64| {
        sc.missions.iter().flat_map(|m| &m.phases).find(|p| p.name_key == key).map_or("?", |p| p.name.as_str())
    };
    match o {
        RealOutcome::Success => "success".into(),
        RealOutcome::Failure { phase: k } => format!("failure at {}", phase(k)),
        RealOutcome::Lost { phase: k } => format!("lost at {}", phase(k)),
    }
}

fn record_json(sc: &Scenario) -> Value {
    let rows = record_rows(sc);
    let (flights, ends) = rows.split_at(sc.record.flights.len());
    let flights: Vec<Value> = flights
        .iter()
        .zip(&sc.record.flights)
        .map(|(row, f)| {
            json!({ "date": row[0], "flight": row[1], "program": row[2], "outcome": row[3],
                    "mission": f.mission.map(|m| sc.missions[m].id.clone()),
                    "real_date": f.real_date.map(|d| d.to_string()), "evidence": f.evidence,
                    "note": f.note, "source": f.source })
        })
        .collect();
    let ends: Vec<Value> =
        ends.iter().map(|row| json!({ "date": row[0], "program": row[2], "fate": row[3] })).collect();
    json!({ "until": sc.record.until_date.map(|d| d.to_string()), "flights": flights, "ends": ends })
}

/// A rule: its id, then when, delay, effects and text on lines of their own.
fn rule_text(sc: &Scenario, r: &Rule) -> String {
    let mut rows = vec![vec!["when".to_string(), cond(sc, &r.when)]];
    rows.push(vec!["delay".into(), format!("{} days", r.delay)]);
    if let Some(still) = &r.still {
        rows.push(vec!["still".into(), cond(sc, still)]);
    }
    rows.push(vec!["does".into(), effects_text(sc, &r.effects)]);
    rows.push(vec!["text".into(), r.text.clone()]);
    format!("  {}\n{}", r.id, table("      ", &rows))
}

fn effects_text(sc: &Scenario, effects: &[Effect]) -> String {
    effects.iter().map(|e| effect(sc, e)).collect::<Vec<_>>().join("; ")
}

fn effect(sc: &Scenario, e: &Effect) -> String {
    let (a, p, v) = (|i: usize| &sc.agencies[i].id, |i: usize| &sc.programs[i].id, |i: usize| &sc.vehicles[i].id);
    match *e {
        Effect::Budget { agency, scale } => format!("budget {} ×{scale}", a(agency)),
        Effect::Risk { agency, scale } => format!("risk {} ×{scale}", a(agency)),
        Effect::Pace { program, scale } => format!("pace {} ×{scale}", p(program)),
        Effect::Start { program } => format!("start {}", p(program)),
        Effect::Cancel { program } => format!("cancel {}", p(program)),
        Effect::Reliability { vehicle, scale } => format!("failure probability of {} ×{scale}", v(vehicle)),
    }
}

/// Rows as lines of cells joined by ` — `, unaligned: one record a line, for grep and cut.
fn lines(rows: &[Vec<String>]) -> String {
    rows.iter().map(|row| row.join(" — ") + "\n").collect()
}

/// Rows as columns aligned by width in characters, two spaces apart, each line after `indent`;
/// columns empty in every row are left out and trailing blanks dropped.
fn table(indent: &str, rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(width).collect();
    rows.iter().map(|row| table_line(indent, row, &widths)).collect()
}

fn table_line(indent: &str, row: &[String], widths: &[usize]) -> String {
    let cells = row.iter().zip(widths).filter(|(_, w)| **w > 0);
    let padded: Vec<String> = cells.map(|(cell, &w)| format!("{cell:<w$}")).collect();
    format!("{indent}{}", padded.join("  ")).trim_end().to_string() + "\n"
}

// ---------------------------------------------------------------------------------------------
// Names, dates and conditions
// ---------------------------------------------------------------------------------------------

/// Roster indices as names, comma-separated.
fn names(sc: &Scenario, agency: usize, crew: &[u16]) -> String {
    people(sc, agency, crew).join(", ")
}

fn people(sc: &Scenario, agency: usize, crew: &[u16]) -> Vec<String> {
    crew.iter().map(|&i| person(sc, agency, i).to_string()).collect()
}

fn person(sc: &Scenario, agency: usize, i: u16) -> &str {
    sc.agencies[agency].crew.get(i as usize).map_or("?", |p| p.name.as_str())
}

fn ids<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}

/// The date `day` days after the start, if it is a finite whole day within the calendar.
fn finite_date(sc: &Scenario, day: f64) -> Option<NaiveDate> {
    if !day.is_finite() || day.fract() != 0.0 || day.abs() > 1e7 {
        return None;
    }
    sc.start.checked_add_signed(TimeDelta::try_days(day as i64)?)
}

/// A day from the start as a date, else as a number of days.
fn day_text(sc: &Scenario, day: f64) -> String {
    finite_date(sc, day).map_or_else(|| format!("day {day}"), |d| d.to_string())
}

/// A condition in the language the scenario was written in (ids, quoted names, dates).
fn cond(sc: &Scenario, c: &Cond) -> String {
    let joined = |parts: &[Cond], word: &str| parts.iter().map(|p| nested(sc, p)).collect::<Vec<_>>().join(word);
    match c {
        Cond::Not(inner) => format!("not {}", nested(sc, inner)),
        Cond::And(parts) => joined(parts, " and "),
        Cond::Or(parts) => joined(parts, " or "),
        atom => atom_text(sc, atom),
    }
}

/// A condition inside `and`, `or` or `not`: parenthesised if it combines others.
fn nested(sc: &Scenario, c: &Cond) -> String {
    match c {
        Cond::And(_) | Cond::Or(_) => format!("({})", cond(sc, c)),
        _ => cond(sc, c),
    }
}

/// One atom (`cond` renders `not`, `and` and `or`).
fn atom_text(sc: &Scenario, c: &Cond) -> String {
    let (a, m, p) = (|i: usize| &sc.agencies[i].id, |i: usize| &sc.milestones[i].id, |i: usize| &sc.programs[i].id);
    let (v, flight) = (|i: usize| &sc.vehicles[i].id, |p, f| flight_name(sc, p, f));
    match *c {
        Cond::True => "true".into(),
        Cond::False => "false".into(),
        Cond::Reached { agency, milestone } => format!("reached({}, {})", a(agency), m(milestone)),
        Cond::First { milestone, agency } => format!("first({}, {})", m(milestone), a(agency)),
        Cond::Any { milestone } => format!("any({})", m(milestone)),
        Cond::Started { program } => format!("started({})", p(program)),
        Cond::Done { program } => format!("done({})", p(program)),
        Cond::Cancelled { program } => format!("cancelled({})", p(program)),
        Cond::After { day } => format!("after({})", day_text(sc, day)),
        Cond::CrewLost { agency, op, n } => format!("crew_lost({}) {} {n}", a(agency), op_text(op)),
        Cond::Flights { vehicle, op, n } => format!("flights({}) {} {n}", v(vehicle), op_text(op)),
        Cond::Failures { vehicle, op, n } => format!("failures({}) {} {n}", v(vehicle), op_text(op)),
        Cond::Compare { ref lhs, op, ref rhs } => compare(sc, lhs, op, rhs),
        Cond::Flown { program, flight: f } => format!("flown(\"{}\")", flight(program, f)),
        Cond::FlightLost { program, flight: f } => format!("lost(\"{}\")", flight(program, f)),
        Cond::Flew { agency, person: i } => format!("flew(\"{}\")", person(sc, agency, i)),
        Cond::Killed { agency, person: i } => format!("killed(\"{}\")", person(sc, agency, i)),
        Cond::Credited { agency, person: i, milestone } => {
            format!("credited(\"{}\", {})", person(sc, agency, i), m(milestone))
        }
        Cond::Not(_) | Cond::And(_) | Cond::Or(_) => cond(sc, c),
    }
}

fn flight_name(sc: &Scenario, program: usize, flight: u16) -> &str {
    sc.programs[program].flights.get(flight as usize).map_or("?", |f| f.name.as_str())
}

/// `lhs op rhs`. A lone number compared with a lone `date(..)` was written as a date.
fn compare(sc: &Scenario, lhs: &Expr, op: Op, rhs: &Expr) -> String {
    let dated = |e: &Expr| matches!(e.terms.as_slice(), [(true, Term::Date { .. })]);
    let (l_date, r_date) = (dated(rhs), dated(lhs));
    format!("{} {} {}", expr(sc, lhs, l_date), op_text(op), expr(sc, rhs, r_date))
}

fn expr(sc: &Scenario, e: &Expr, as_date: bool) -> String {
    let mut text = String::new();
    for (k, &(add, term)) in e.terms.iter().enumerate() {
        let sign = match (k, add) {
            (0, _) => "",
            (_, true) => " + ",
            (_, false) => " - ",
        };
        let _ = write!(text, "{sign}{}", term_text(sc, term, as_date && e.terms.len() == 1));
    }
    text
}

fn term_text(sc: &Scenario, t: Term, as_date: bool) -> String {
    match t {
        Term::Date { milestone, agency } => {
            format!("date({}, {})", sc.milestones[milestone].id, sc.agencies[agency].id)
        }
        Term::Days(d) if as_date => finite_date(sc, d).map_or_else(|| d.to_string(), |date| date.to_string()),
        Term::Days(d) => d.to_string(),
    }
}

fn op_text(op: Op) -> &'static str {
    match op {
        Op::Ge => ">=",
        Op::Gt => ">",
        Op::Le => "<=",
        Op::Lt => "<",
        Op::Eq => "==",
        Op::Ne => "!=",
    }
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

fn header_json(sc: &Scenario) -> Value {
    json!({
        "id": sc.id, "name": sc.name, "description": sc.description,
        "start": sc.start.to_string(), "end": sc.end.to_string(), "divergences": sc.divergences,
    })
}

/// The header and every section.
fn full_json(sc: &Scenario) -> Value {
    let mut all = serde_json::Map::new();
    all.insert("scenario".into(), header_json(sc));
    for name in SECTIONS {
        all.insert(name.into(), section_json(sc, name));
    }
    Value::Object(all)
}

fn section_json(sc: &Scenario, name: &str) -> Value {
    let list = |v: Vec<Value>| Value::Array(v);
    match name {
        "agencies" => list(sc.agencies.iter().map(agency_json).collect()),
        "vehicles" => list(
            sc.vehicles
                .iter()
                .map(|v| json!({ "id": v.id, "name": v.name, "agency": sc.agencies[v.agency].id }))
                .collect(),
        ),
        "milestones" => list(sc.milestones.iter().map(|m| json!({ "id": m.id, "name": m.name })).collect()),
        "missions" => list(sc.missions.iter().map(|m| mission_json(sc, m)).collect()),
        "programs" => list(sc.programs.iter().map(|p| program_json(sc, p)).collect()),
        "flights" => list(all_flights(sc).map(|(p, f)| flight_json(sc, p, f)).collect()),
        "people" => list(people_json(sc)),
        "past" => list(sc.past.iter().map(|f| past_json(sc, f)).collect()),
        "record" => record_json(sc),
        "rules" => list(sc.rules.iter().map(|r| rule_json(sc, r)).collect()),
        "eras" => list(sc.eras.iter().map(|e| json!({ "date": e.date.to_string(), "name": e.name })).collect()),
        _ => Value::Null,
    }
}

fn agency_json(a: &Agency) -> Value {
    let substitution = match a.substitution {
        Substitution::Seat => "seat",
        Substitution::Crew => "crew",
    };
    json!({
        "id": a.id, "name": a.name, "risk": a.risk, "roster": a.crew.len(),
        "serving_at_start": a.crew.iter().filter(|p| p.serves(0.0)).count(),
        "substitution": substitution, "rotation": a.rotation,
    })
}

fn mission_json(sc: &Scenario, m: &Mission) -> Value {
    let phases: Vec<Value> = m.phases.iter().map(|p| phase_json(sc, p)).collect();
    json!({ "id": m.id, "name": m.name, "crew": m.crew, "phases": phases })
}

fn phase_json(sc: &Scenario, p: &Phase) -> Value {
    let achieves: Vec<&str> = p.achieves.iter().map(|&m| sc.milestones[m].id.as_str()).collect();
    json!({ "name": p.name, "vehicle": sc.vehicles[p.vehicle].id, "achieves": achieves, "party": seats(p.party) })
}

fn program_json(sc: &Scenario, p: &Program) -> Value {
    let steps: Vec<Value> = p.steps.iter().map(|s| step_json(sc, s)).collect();
    let flights: Vec<Value> = p.flights.iter().map(|f| named_flight_json(sc, p, f)).collect();
    json!({
        "id": p.id, "name": p.name, "agency": sc.agencies[p.agency].id, "start": start_json(sc, &p.start),
        "cancel": p.cancel.as_ref().map(|c| cond(sc, c)), "retire": p.retire.as_ref().map(|c| cond(sc, c)),
        "clean_flights": p.clean_flights, "steps": steps, "flights": flights,
    })
}

fn start_json(sc: &Scenario, start: &Start) -> Value {
    match start {
        Start::On(day) => json!({ "on": day_text(sc, *day) }),
        Start::When(c) => json!({ "when": cond(sc, c) }),
        Start::ByRule => json!({ "by": "rule" }),
    }
}

fn step_json(sc: &Scenario, s: &Step) -> Value {
    json!({
        "mission": sc.missions[s.mission].id, "name": s.name, "repeat": s.repeat,
        "requires": s.requires.as_ref().map(|c| cond(sc, c)), "test": s.test.map(|t| &sc.missions[t].id),
    })
}

fn named_flight_json(sc: &Scenario, p: &Program, f: &NamedFlight) -> Value {
    json!({
        "name": f.name, "date": f.date.map(|d| d.to_string()),
        "crew": people(sc, p.agency, &f.crew), "backup": people(sc, p.agency, &f.backup),
        "mission": f.mission.map(|m| sc.missions[m].id.clone()),
    })
}

/// Every named flight with its program, in program order.
fn all_flights(sc: &Scenario) -> impl Iterator<Item = (&Program, &NamedFlight)> {
    sc.programs.iter().flat_map(|p| p.flights.iter().map(move |f| (p, f)))
}

fn flight_json(sc: &Scenario, p: &Program, f: &NamedFlight) -> Value {
    json!({
        "name": f.name, "program": p.id, "date": f.date.map(|d| d.to_string()),
        "crew": people(sc, p.agency, &f.crew),
    })
}

fn people_json(sc: &Scenario) -> Vec<Value> {
    let rows = sc.agencies.iter().flat_map(|a| a.crew.iter().map(move |p| (a, p)));
    rows.map(|(a, p)| {
        json!({
            "name": p.name, "agency": a.id,
            "from": finite_date(sc, p.from).map(|d| d.to_string()),
            "until": finite_date(sc, p.until).map(|d| d.to_string()),
        })
    })
    .collect()
}

fn past_json(sc: &Scenario, f: &PastFlight) -> Value {
    let vehicles: Vec<&str> = f.vehicles.iter().map(|&v| sc.vehicles[v].id.as_str()).collect();
    let achieves: Vec<&str> = f.achieves.iter().map(|&m| sc.milestones[m].id.as_str()).collect();
    json!({
        "name": f.name, "agency": sc.agencies[f.agency].id, "date": f.date.to_string(),
        "crew": people(sc, f.agency, &f.crew), "vehicles": vehicles, "achieves": achieves, "lost": f.lost,
    })
}

fn rule_json(sc: &Scenario, r: &Rule) -> Value {
    let effects: Vec<String> = r.effects.iter().map(|e| effect(sc, e)).collect();
    json!({
        "id": r.id, "when": cond(sc, &r.when), "delay_days": r.delay,
        "still": r.still.as_ref().map(|c| cond(sc, c)), "text": r.text, "effects": effects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in scenario, and every built-in divergence applied to its base.
    fn every_builtin() -> Vec<Scenario> {
        let mut all: Vec<Scenario> = builtin::SCENARIOS.iter().filter_map(|b| builtin::scenario(b.name)).collect();
        for d in builtin::DIVERGENCES {
            let origin = builtin::origin(d.name);
            let header = divergence::header(&origin, d.toml).unwrap();
            let base = config::base_scenario(&header, &origin, d.toml).unwrap();
            all.push(divergence::apply(&origin, d.toml, &base).unwrap());
        }
        all
    }

    /// Every condition of a scenario: rules, program starts, cancels, retirements, step requirements.
    fn conditions(sc: &Scenario) -> Vec<&Cond> {
        let mut all: Vec<&Cond> = sc.rules.iter().flat_map(|r| std::iter::once(&r.when).chain(&r.still)).collect();
        for p in &sc.programs {
            if let Start::When(c) = &p.start {
                all.push(c);
            }
            all.extend(p.cancel.iter().chain(&p.retire));
            all.extend(p.steps.iter().filter_map(|s| s.requires.as_ref()));
        }
        all
    }

    #[test]
    fn every_condition_of_the_builtins_reads_back_as_itself() {
        for sc in every_builtin() {
            let all = conditions(&sc);
            assert!(!all.is_empty(), "{}: no conditions found", sc.id);
            for c in all {
                let text = cond(&sc, c);
                let back = sc.parse_condition("show", &text).unwrap_or_else(|e| panic!("{}: `{text}`: {e:?}", sc.id));
                assert_eq!(&back, c, "{}: `{text}`", sc.id);
            }
        }
    }

    #[test]
    fn every_kind_of_atom_is_written_as_the_language_writes_it() {
        let sc = builtin::scenario("space-race").unwrap();
        let text = "flown(\"Apollo 13\") and not (lost(\"Apollo 13\") or killed(\"Jim Lovell\")) \
                    and credited(\"Neil Armstrong\", crewed_lunar_landing) and flew(\"Jim Lovell\") \
                    and date(crewed_lunar_landing, USA) - date(crewed_lunar_landing, USSR) <= 90 \
                    and date(crewed_lunar_landing, USSR) < 1969-07-01 and crew_lost(USSR) == 0 \
                    and flights(n1) >= 4 and failures(n1) != 1 and any(eva) and cancelled(l1) \
                    and started(n1-l3) and done(mercury) and reached(USA, eva) and first(eva, USSR) \
                    and after(1966-01-14) and (true or false)";
        let parsed = sc.parse_condition("test", text).unwrap();
        assert_eq!(cond(&sc, &parsed), text.split_whitespace().collect::<Vec<_>>().join(" "));
    }

    #[test]
    fn tables_align_by_characters_and_drop_empty_columns() {
        let rows = vec![
            vec!["Королёв".to_string(), String::new(), "x".into()],
            vec!["Glenn".to_string(), String::new(), "y".into()],
        ];
        assert_eq!(table("  ", &rows), "  Королёв  x\n  Glenn    y\n");
        assert_eq!(seats(0b101), vec![1, 3]);
        assert!(seats(0).is_empty());
    }
}
