//! The scenario file as written: serde structs that mirror the TOML, with spans kept on every value
//! that is checked later, so a bad reference or an out-of-range number points at its place.
//!
//! Nothing here is used by the engine; `compile` turns it into the index-based model.

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub scenario: S<Header>,
    #[serde(default)]
    pub agency: Vec<S<Agency>>,
    #[serde(default)]
    pub vehicle: Vec<S<Vehicle>>,
    #[serde(default)]
    pub milestone: Vec<S<Milestone>>,
    #[serde(default)]
    pub mission: Vec<S<Mission>>,
    #[serde(default)]
    pub program: Vec<S<Program>>,
    #[serde(default)]
    pub rule: Vec<S<Rule>>,
    #[serde(default)]
    pub era: Vec<S<Era>>,
    #[serde(default)]
    pub history: Vec<S<History>>,
    #[serde(default)]
    pub past: Vec<S<Past>>,
    /// The real flights after the start, as the model reads them (`[record]`).
    pub record: Option<S<Record>>,
}

/// The real record after the start: the flights the programs really flew, on their dates, with
/// their outcomes, and the programs that really ended. Replayed under `--history-until` and
/// conditioned on by `--given-history`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The record holds every modelled flight launched before this date.
    pub until: S<Datetime>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub flight: Vec<S<RecordFlight>>,
    #[serde(default)]
    pub end: Vec<S<RecordEnd>>,
}

/// One real flight: a named flight of a manifest, its launch date and how it went.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFlight {
    pub flight: S<String>,
    /// The launch date the model flies it on.
    pub date: S<Datetime>,
    /// `success`, `failure` (the crew came home; an uncrewed vehicle failed) or `lost`.
    pub outcome: S<String>,
    /// The phase that failed (for `failure` and `lost`).
    pub phase: Option<S<String>>,
    /// The mission flown, when not the one the program's step (or the flight's manifest) implies.
    pub mission: Option<S<String>>,
    /// The real launch date, when the model cannot fly it then (a second ship launched while the
    /// program's first was still up).
    pub real_date: Option<S<Datetime>>,
    /// `false`: the flight tells nothing about the vehicles' reliability (their records and
    /// beliefs, and the truth's posterior, leave it out).
    pub evidence: Option<bool>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub source: String,
}

/// A program that really ended on a date for reasons the model does not hold (a plan completed,
/// a decision taken).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordEnd {
    pub program: S<String>,
    pub date: S<Datetime>,
    /// `done`, `cancelled` or `retired`.
    pub fate: S<String>,
    #[serde(default)]
    pub source: String,
}

/// A flight flown before the scenario starts: part of the world every timeline begins in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Past {
    pub name: S<String>,
    pub agency: S<String>,
    pub date: S<Datetime>,
    #[serde(default)]
    pub crew: Vec<S<String>>,
    /// Vehicles whose records (flight numbers, beliefs) count this flight.
    #[serde(default)]
    pub vehicles: Vec<S<String>>,
    #[serde(default)]
    pub achieves: Vec<S<String>>,
    /// The crew was killed.
    #[serde(default)]
    pub lost: bool,
    #[serde(default)]
    pub source: String,
}

/// A real, dated event the model can be checked against.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    pub milestone: S<String>,
    pub agency: S<String>,
    pub date: S<Datetime>,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub id: S<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub start: S<Datetime>,
    pub end: S<Datetime>,
    pub elasticity: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub id: S<String>,
    pub name: String,
    pub risk: S<f64>,
    #[serde(default)]
    pub crew: Vec<S<Member>>,
    /// How a crew member who cannot fly is replaced: `seat` (by the backup in that seat) or
    /// `crew` (the whole backup crew flies).
    pub substitution: Option<S<String>>,
    /// Beyond the named flights, the backup crew of a flight flies as prime this many crewed
    /// flights of its program later (NASA's rotation: 3); 0 or absent: crews from the roster.
    pub rotation: Option<S<i64>>,
    pub budget: S<Vec<S<BudgetPoint>>>,
}

/// A roster entry: a name, or a name with the dates the person was in service.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Member {
    Name(String),
    Person(Person),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    /// Entered service (selection).
    pub from: Option<Datetime>,
    /// Left service (resigned, retired, grounded, died outside a flight).
    pub until: Option<Datetime>,
}

impl Member {
    pub fn name(&self) -> &str {
        match self {
            Member::Name(n) => n,
            Member::Person(p) => &p.name,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetPoint {
    pub from: S<Datetime>,
    pub level: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vehicle {
    pub id: S<String>,
    pub name: String,
    pub agency: S<String>,
    pub family: Option<S<String>>,
    pub prior: Option<S<Prior>>,
    pub failure: Option<S<f64>>,
    #[serde(default)]
    pub background: Vec<S<Cadence>>,
    pub lead_days: Option<S<f64>>,
    /// How a chronicle names it ("Titan II", "Soyuz spacecraft").
    pub called: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub from: S<Datetime>,
    pub per_year: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prior {
    pub mean: S<f64>,
    pub strength: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub id: S<String>,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mission {
    pub id: S<String>,
    pub name: String,
    pub crew: Option<S<i64>>,
    /// How a chronicle names its rocket ("Soyuz rocket"), if not by its first vehicle.
    pub launcher: Option<String>,
    #[serde(default)]
    pub phase: Vec<S<Phase>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub name: S<String>,
    pub vehicle: S<String>,
    pub share: Option<S<f64>>,
    pub day: Option<S<f64>>,
    pub loss: Option<S<f64>>,
    #[serde(default)]
    pub achieves: Vec<S<String>>,
    /// Which of the crew take part, as 1-based seats: the landing party of a lander, the
    /// spacewalker of a spacewalk. Absent: all of them.
    pub crew: Option<S<Vec<i64>>>,
    /// How a chronicle names the phase ("translunar injection"), if not by the glossary.
    pub called: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub id: S<String>,
    pub name: String,
    pub agency: S<String>,
    pub start: Option<S<Datetime>>,
    pub when: Option<S<String>>,
    pub cancel: Option<S<String>>,
    /// Retired when its successor takes over (a condition).
    pub retire: Option<S<String>>,
    pub stand_down: S<Duration>,
    pub loss_stand_down: S<Duration>,
    pub clean_flights: Option<S<i64>>,
    #[serde(default)]
    pub step: Vec<S<Step>>,
    /// The named flights of the program, in order.
    #[serde(default)]
    pub flights: Vec<S<NamedFlight>>,
}

/// A flight of a program's manifest: its name, and for a crewed flight the crews planned.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedFlight {
    pub name: S<String>,
    pub date: Option<S<Datetime>>,
    /// Only flights of this mission take the name (a station launch among crew ferries).
    pub mission: Option<S<String>>,
    #[serde(default)]
    pub crew: Vec<S<String>>,
    #[serde(default)]
    pub backup: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    pub median_days: S<f64>,
    pub sigma: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Only in a divergence's `insert_step`: the 1-based position the new step goes before.
    pub before: Option<S<i64>>,
    pub mission: S<String>,
    pub name: Option<String>,
    pub prep: S<Duration>,
    pub repeat: Option<S<i64>>,
    pub requires: Option<S<String>>,
    pub test: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: S<String>,
    pub when: S<String>,
    pub delay_days: Option<S<f64>>,
    /// For a delayed rule: its effects apply only if this still holds when they come due.
    pub still: Option<S<String>>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub effects: Vec<S<Effect>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    #[serde(rename = "do")]
    pub action: S<String>,
    pub agency: Option<S<String>>,
    pub program: Option<S<String>>,
    pub scale: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Era {
    pub date: S<Datetime>,
    pub name: String,
}
