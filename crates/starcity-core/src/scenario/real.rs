//! The real record after the start (`[record]`): which named flights really flew, on which day,
//! how each went (to the phase), and which programs really ended when. Compiled here; replayed
//! and conditioned on by `replay.rs` and the engine.
//!
//! The record is written in the model's terms: a flight names a manifest entry, a failure names
//! the mission's phase, and where the model cannot fly a real date (a second ship of a program
//! launched while the first was up) the entry gives the date the model flies it and keeps the
//! real one beside it, so every departure from the calendar is written down where it is made.

use chrono::NaiveDate;
use toml::Spanned;

use super::{Compiler, Kind, raw};
use crate::noise::name_key;

/// The compiled record.
#[derive(Debug, Clone, Default)]
pub struct RealRecord {
    /// Every modelled flight launched before this day is in the record.
    pub until: f64,
    pub until_date: Option<NaiveDate>,
    pub source: String,
    /// In launch order (by day, then file order).
    pub flights: Vec<RealFlight>,
    /// `[program]`: indices into `flights`, in launch order.
    pub by_program: Vec<Vec<u32>>,
    /// `[flight]`: its position among its program's flights (in `by_program`).
    pub rank: Vec<u32>,
    /// In date order.
    pub ends: Vec<RealEnd>,
}

/// One real flight.
#[derive(Debug, Clone)]
pub struct RealFlight {
    pub program: usize,
    /// Index into the program's manifest (`Program::flights`).
    pub index: u16,
    pub day: f64,
    pub date: NaiveDate,
    /// The real date, where the model flies it on another (`date`).
    pub real_date: Option<NaiveDate>,
    /// The day that decides whether it is history under a replay to a date: its real day where
    /// that comes first (a group flight that really went up before the date is history, though
    /// the model flies it a few days later).
    pub cut: f64,
    /// The mission flown; `None`: the one the program's step implies at launch.
    pub mission: Option<usize>,
    pub outcome: RealOutcome,
    /// Whether the vehicles learn from it (see `raw::RecordFlight::evidence`).
    pub evidence: bool,
    pub note: String,
    pub source: String,
}

/// How a real flight went, in the model's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealOutcome {
    Success,
    /// The phase (by `Phase::name_key`) failed; any crew came home.
    Failure {
        phase: u64,
    },
    /// The phase failed and the crew was killed.
    Lost {
        phase: u64,
    },
}

impl RealOutcome {
    pub fn phase(self) -> Option<u64> {
        match self {
            RealOutcome::Success => None,
            RealOutcome::Failure { phase } | RealOutcome::Lost { phase } => Some(phase),
        }
    }
}

/// A program's real end.
#[derive(Debug, Clone)]
pub struct RealEnd {
    pub program: usize,
    pub day: f64,
    pub date: NaiveDate,
    pub fate: EndFate,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndFate {
    Done,
    Cancelled,
    Retired,
}

impl RealRecord {
    /// The record's flights of `program`, in order.
    pub fn flights_of(&self, program: usize) -> &[u32] {
        self.by_program.get(program).map_or(&[], Vec::as_slice)
    }

    /// The record's entry for named flight `index` of `program`, if it flew.
    pub fn find(&self, program: usize, index: u16) -> Option<&RealFlight> {
        self.flights_of(program).iter().map(|&k| &self.flights[k as usize]).find(|f| f.index == index)
    }
}

impl Compiler {
    /// Compiles `[record]` against the compiled programs and missions.
    pub(super) fn record(&mut self, raw: Option<&Spanned<raw::Record>>, sc: &super::Scenario) -> RealRecord {
        let Some(raw) = raw else {
            return RealRecord { by_program: vec![Vec::new(); sc.programs.len()], ..Default::default() };
        };
        let r = raw.get_ref();
        self.text_at_most(raw.span(), [r.source.as_str()]);
        let until_date = self.date(&r.until);
        if let Some(d) = until_date
            && (d <= self.start || d > sc.end)
        {
            let m = format!("the record's end {d} is outside the scenario");
            self.error(r.until.span(), m, format!("a date after {} and no later than {}", self.start, sc.end));
        }
        let until = until_date.map_or(0.0, |d| (d - self.start).num_days() as f64);
        let mut flights: Vec<RealFlight> = r.flight.iter().filter_map(|f| self.real_flight(f, sc, until)).collect();
        flights.sort_by(|a, b| a.day.total_cmp(&b.day));
        let mut by_program: Vec<Vec<u32>> = vec![Vec::new(); sc.programs.len()];
        let mut rank = Vec::with_capacity(flights.len());
        for (i, f) in flights.iter().enumerate() {
            rank.push(by_program[f.program].len() as u32);
            by_program[f.program].push(i as u32);
        }
        self.no_flight_twice(&flights, sc, raw.span());
        let mut ends: Vec<RealEnd> = r.end.iter().filter_map(|e| self.real_end(e, until)).collect();
        ends.sort_by(|a, b| a.day.total_cmp(&b.day));
        RealRecord { until, until_date, source: r.source.clone(), flights, by_program, rank, ends }
    }

    /// A day of the record: a date after the start and before the record's end.
    fn record_day(&mut self, d: &Spanned<toml::value::Datetime>, until: f64) -> Option<(NaiveDate, f64)> {
        let date = self.date(d)?;
        let day = (date - self.start).num_days() as f64;
        if day < 0.0 || day >= until {
            let m = format!("a record date {date} outside the record");
            self.error(d.span(), m, format!("a date from the start {} to before the record's `until`", self.start));
            return None;
        }
        Some((date, day))
    }

    fn real_flight(
        &mut self,
        item: &Spanned<raw::RecordFlight>,
        sc: &super::Scenario,
        until: f64,
    ) -> Option<RealFlight> {
        let x = item.get_ref();
        self.text_at_most(item.span(), [x.flight.get_ref().as_str(), x.note.as_str(), x.source.as_str()]);
        let found = self.named_flight(x.flight.get_ref(), x.flight.span());
        let when = self.record_day(&x.date, until);
        let real_date = x.real_date.as_ref().and_then(|d| self.date(d));
        let mission = match &x.mission {
            Some(m) => Some(self.resolve(Kind::Mission, m)?),
            None => None,
        };
        let ((program, index), (date, day)) = (found?, when?);
        let mission = mission.or(sc.programs[program].flights[index as usize].mission);
        let outcome = self.real_outcome(x, sc, mission)?;
        if let Some(m) = mission
            && sc.missions[m].crew == 0
            && matches!(outcome, RealOutcome::Lost { .. })
        {
            self.error(x.outcome.span(), "`lost` on an uncrewed mission", "`failure` (no crew to lose)");
        }
        let (note, source) = (x.note.clone(), x.source.clone());
        let evidence = x.evidence.unwrap_or(true);
        let cut = real_date.map_or(day, |d| ((d - self.start).num_days() as f64).min(day));
        Some(RealFlight { program, index, day, date, real_date, cut, mission, outcome, evidence, note, source })
    }

    /// The outcome and its failed phase, checked against the mission when it is known here (else
    /// against every mission of the scenario; the engine checks it against the one flown).
    fn real_outcome(
        &mut self,
        x: &raw::RecordFlight,
        sc: &super::Scenario,
        mission: Option<usize>,
    ) -> Option<RealOutcome> {
        let kind = x.outcome.get_ref().as_str();
        if kind == "success" {
            if let Some(p) = &x.phase {
                self.error(p.span(), "a failed phase on a successful flight", "no `phase` for `success`");
            }
            return Some(RealOutcome::Success);
        }
        if kind != "failure" && kind != "lost" {
            let m = format!("unknown outcome `{kind}`");
            self.error(x.outcome.span(), m, "one of: success, failure, lost");
            return None;
        }
        let Some(p) = &x.phase else {
            self.error(x.outcome.span(), format!("`{kind}` without the phase that failed"), "`phase = \"…\"`");
            return None;
        };
        let name = p.get_ref().as_str();
        let known = match mission {
            Some(m) => sc.missions[m].phases.iter().any(|ph| ph.name == name),
            None => sc.missions.iter().any(|m| m.phases.iter().any(|ph| ph.name == name)),
        };
        if !known {
            let within = mission.map_or("any mission".to_string(), |m| format!("mission `{}`", sc.missions[m].id));
            self.error(p.span(), format!("no phase `{name}` in {within}"), "a phase name of the mission flown");
            return None;
        }
        let phase = name_key(name);
        Some(if kind == "lost" { RealOutcome::Lost { phase } } else { RealOutcome::Failure { phase } })
    }

    /// A named flight flies once.
    fn no_flight_twice(&mut self, flights: &[RealFlight], sc: &super::Scenario, span: std::ops::Range<usize>) {
        let mut seen = std::collections::HashSet::new();
        for f in flights {
            if !seen.insert((f.program, f.index)) {
                let name = &sc.programs[f.program].flights[f.index as usize].name;
                self.error(span.clone(), format!("`{name}` is in the record twice"), "each flight once");
            }
        }
    }

    fn real_end(&mut self, item: &Spanned<raw::RecordEnd>, until: f64) -> Option<RealEnd> {
        let x = item.get_ref();
        self.text_at_most(item.span(), [x.source.as_str()]);
        let program = self.resolve(Kind::Program, &x.program);
        let when = self.record_day(&x.date, until);
        let fate = match x.fate.get_ref().as_str() {
            "done" => Some(EndFate::Done),
            "cancelled" => Some(EndFate::Cancelled),
            "retired" => Some(EndFate::Retired),
            other => {
                self.error(x.fate.span(), format!("unknown fate `{other}`"), "one of: done, cancelled, retired");
                None
            }
        };
        let ((date, day), program, fate) = (when?, program?, fate?);
        Some(RealEnd { program, day, date, fate, source: x.source.clone() })
    }
}
