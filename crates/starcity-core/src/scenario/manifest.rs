//! People and named flights: rosters with service dates, program manifests with their planned
//! crews, and the flights flown before the scenario starts.
//!
//! Everything is checked here with a located error: an unknown person, a flight named twice, a
//! crew larger than its spacecraft, a person flying before their selection or after leaving.

use std::collections::HashMap;

use chrono::NaiveDate;
use toml::Spanned;

use super::{Compiler, Kind, NameList, NamedFlight, PastFlight, Person, Program, Series, Substitution, one_of, raw};
use crate::world::NEVER;

/// Each agency's roster: name → index.
pub(crate) type Rosters = Vec<HashMap<String, u16>>;

impl Compiler {
    /// An agency's roster, with service dates as days from the start.
    pub(super) fn roster(&mut self, a: &raw::Agency) -> Vec<Person> {
        let mut people = Vec::with_capacity(a.crew.len());
        let mut seen = HashMap::new();
        for m in &a.crew {
            let name = m.get_ref().name().to_string();
            if seen.insert(name.clone(), ()).is_some() {
                self.error(m.span(), format!("`{name}` is listed twice"), "each person once in a roster");
            }
            let (from, until) = match m.get_ref() {
                raw::Member::Name(_) => (-NEVER, NEVER),
                raw::Member::Person(p) => (
                    self.service_day(m.span(), p.from.as_ref(), -NEVER),
                    self.service_day(m.span(), p.until.as_ref(), NEVER),
                ),
            };
            if from >= until {
                self.error(m.span(), format!("`{name}` leaves service before entering it"), "`from` before `until`");
            }
            people.push(Person { name, from, until });
        }
        people
    }

    /// A service date as days from the start (`default` when absent).
    fn service_day(&mut self, span: std::ops::Range<usize>, d: Option<&toml::value::Datetime>, default: f64) -> f64 {
        let Some(d) = d else { return default };
        self.plain_date(span, d).map_or(default, |date| (date - self.start).num_days() as f64)
    }

    pub(super) fn substitution(&mut self, s: Option<&Spanned<String>>) -> Substitution {
        match s.map(|s| (s.get_ref().as_str(), s.span())) {
            None | Some(("seat", _)) => Substitution::Seat,
            Some(("crew", _)) => Substitution::Crew,
            Some((other, span)) => {
                self.error(span, format!("unknown substitution `{other}`"), "`seat` or `crew`");
                Substitution::Seat
            }
        }
    }

    /// A program's manifest. `seats` is the largest crew among the program's crewed missions.
    pub(super) fn manifest(
        &mut self,
        p: &raw::Program,
        agency: Option<usize>,
        rosters: &Rosters,
        people: &[Vec<Person>],
        seats: u32,
        missions: &[Option<super::Mission>],
    ) -> Vec<NamedFlight> {
        let mut out = Vec::with_capacity(p.flights.len());
        for f in &p.flights {
            let f = f.get_ref();
            let date = f.date.as_ref().and_then(|d| self.date(d));
            let (mut crew, mut backup) = (Vec::new(), Vec::new());
            if let Some(a) = agency {
                crew = self.crew_list(&f.crew, a, rosters, people, date, &f.name);
                backup = self.crew_list(&f.backup, a, rosters, people, date, &f.name);
            }
            if !f.backup.is_empty() && f.crew.is_empty() {
                self.error(f.name.span(), "a backup crew for an uncrewed flight", "a `crew` beside the `backup`");
            }
            for (list, what) in [(&f.crew, "crew"), (&f.backup, "backup crew")] {
                if list.len() > seats as usize {
                    let m = format!("a {what} of {} for a program whose largest crew is {seats}", list.len());
                    self.error(f.name.span(), m, "no more people than the spacecraft holds");
                }
            }
            let mission = f.mission.as_ref().and_then(|m| self.manifest_mission(m, p, missions, !f.crew.is_empty()));
            let number = split_number(f.name.get_ref()).map(|(_, n, _)| n);
            out.push(NamedFlight { name: f.name.get_ref().clone(), date, crew, backup, mission, number });
        }
        out
    }

    /// The mission a manifest entry is for: one the program flies (a step's or its test), crewed
    /// when the entry has a crew.
    fn manifest_mission(
        &mut self,
        m: &Spanned<String>,
        p: &raw::Program,
        missions: &[Option<super::Mission>],
        crewed: bool,
    ) -> Option<usize> {
        let i = self.resolve(Kind::Mission, m)?;
        let flown = p.step.iter().any(|st| {
            let st = st.get_ref();
            st.mission.get_ref() == m.get_ref() || st.test.as_ref().is_some_and(|t| t.get_ref() == m.get_ref())
        });
        let seats = missions.get(i).and_then(|x| x.as_ref()).map_or(0, |x| x.crew);
        if !flown {
            self.error(
                m.span(),
                format!("program `{}` never flies mission `{}`", p.id.get_ref(), m.get_ref()),
                "a mission of one of its steps (or a step's test)",
            );
        } else if crewed != (seats > 0) {
            let m_ = if crewed { "a crew for an uncrewed mission" } else { "no crew for a crewed mission" };
            self.error(m.span(), m_, "a crew exactly when the mission carries one");
        }
        Some(i)
    }

    /// Resolves a crew to roster indices, checking each person serves on `date`.
    fn crew_list(
        &mut self,
        names: &[Spanned<String>],
        agency: usize,
        rosters: &Rosters,
        people: &[Vec<Person>],
        date: Option<NaiveDate>,
        flight: &Spanned<String>,
    ) -> Vec<u16> {
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            let Some(&i) = rosters[agency].get(n.get_ref()) else {
                let hint = super::sorted_hint(&rosters[agency]);
                self.error(n.span(), format!("`{}` is not in this agency's roster", n.get_ref()), hint);
                continue;
            };
            if out.contains(&i) {
                self.error(n.span(), format!("`{}` is listed twice in one crew", n.get_ref()), "each person once");
            }
            out.push(i);
            let (Some(date), person) = (date, &people[agency][i as usize]) else { continue };
            let day = (date - self.start).num_days() as f64;
            if !person.serves(day) {
                let when = if day < person.from { "before entering" } else { "after leaving" };
                let m = format!("{} would fly {} on {date}, {when} service", person.name, flight.get_ref());
                self.error(n.span(), m, "a person in service on the flight's date (see the roster's from/until)");
            }
        }
        out
    }

    /// The flights flown before the start, sorted by date.
    pub(super) fn past(
        &mut self,
        past: &[Spanned<raw::Past>],
        rosters: &Rosters,
        people: &[Vec<Person>],
    ) -> Vec<PastFlight> {
        let mut out = Vec::with_capacity(past.len());
        for item in past {
            let x = item.get_ref();
            self.text_at_most(item.span(), [x.name.get_ref().as_str(), x.source.as_str()]);
            let agency = self.resolve(Kind::Agency, &x.agency);
            let date = self.date(&x.date);
            if let Some(d) = date
                && d >= self.start
            {
                let m = format!("a past flight dated {d}, not before the start {}", self.start);
                self.error(x.date.span(), m, "a date before `scenario.start` (later flights are the model's)");
            }
            let vehicles: Option<Vec<usize>> = x.vehicles.iter().map(|v| self.resolve(Kind::Vehicle, v)).collect();
            let achieves: Option<Vec<usize>> = x.achieves.iter().map(|m| self.resolve(Kind::Milestone, m)).collect();
            let (Some(agency), Some(date), Some(vehicles), Some(achieves)) = (agency, date, vehicles, achieves) else {
                continue;
            };
            if x.crew.len() > crate::limits::MAX_CREW {
                let m = format!("a past crew of {}", x.crew.len());
                self.error(x.name.span(), m, format!("at most {} people (a crew's seats)", crate::limits::MAX_CREW));
            }
            let crew = self.crew_list(&x.crew, agency, rosters, people, Some(date), &x.name);
            let day = (date - self.start).num_days() as f64;
            let (name, source, lost) = (x.name.get_ref().clone(), x.source.clone(), x.lost);
            out.push(PastFlight { name, agency, date, day, crew, vehicles, achieves, lost, source });
        }
        out.sort_by(|a, b| a.day.total_cmp(&b.day));
        out
    }

    /// Every flight name once in the scenario (manifests and past flights).
    pub(super) fn unique_flight_names(&mut self, programs: &[Spanned<raw::Program>], past: &[Spanned<raw::Past>]) {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let names = programs
            .iter()
            .flat_map(|p| p.get_ref().flights.iter().map(|x| &x.get_ref().name))
            .chain(past.iter().map(|x| &x.get_ref().name));
        let mut twice = Vec::new();
        for n in names {
            if seen.insert(n.get_ref().as_str(), ()).is_some() {
                twice.push((n.span(), n.get_ref().clone()));
            }
        }
        for (span, name) in twice {
            self.error(span, format!("flight `{name}` is named twice"), "each flight name once in a scenario");
        }
    }
}

impl Compiler {
    /// A named flight of the scenario (a divergence's `flight = "Soyuz 1"`).
    pub(crate) fn named_flight(&mut self, name: &str, span: std::ops::Range<usize>) -> Option<(usize, u16)> {
        if let Some(&found) = self.flights.get(name) {
            return Some(found);
        }
        let hint = super::sorted_hint(&self.flights);
        self.error(span, format!("no named flight `{name}` in the scenario"), format!("{hint} (see `starcity show`)"));
        None
    }

    /// A divergence's crew for named flight `index` of `program`: people of the program's
    /// agency, in service on the flight's date, no more than its largest spacecraft holds.
    pub(crate) fn crew_for(
        &mut self,
        sc: &super::Scenario,
        program: usize,
        index: u16,
        names: &Spanned<Vec<String>>,
    ) -> Option<Vec<u16>> {
        let prog = &sc.programs[program];
        let roster = &sc.agencies[prog.agency].crew;
        let seats = prog.steps.iter().map(|st| sc.missions[st.mission].crew).max().unwrap_or(0) as usize;
        if names.get_ref().is_empty() || names.get_ref().len() > seats {
            let m = format!("a crew of {} for a flight of program `{}`", names.get_ref().len(), prog.id);
            self.error(names.span(), m, format!("from 1 to {seats} people (the program's largest spacecraft)"));
            return None;
        }
        if let Some(m) = prog.flights[index as usize].mission.filter(|&m| sc.missions[m].crew == 0) {
            let msg = format!(
                "`{}` is for mission `{}`, which carries no crew",
                prog.flights[index as usize].name, sc.missions[m].id
            );
            self.error(names.span(), msg, "a named flight of a crewed mission");
            return None;
        }
        let date = prog.flights[index as usize].date;
        let mut out = Vec::with_capacity(names.get_ref().len());
        for name in names.get_ref() {
            let Some(i) = roster.iter().position(|p| &p.name == name) else {
                let hint = one_of(roster.iter().map(|p| p.name.as_str()));
                self.error(names.span(), format!("`{name}` is not in {}'s roster", sc.agencies[prog.agency].id), hint);
                return None;
            };
            let day = date.map(|d| (d - self.start).num_days() as f64);
            if let Some(day) = day.filter(|&d| !roster[i].serves(d)) {
                let when = if day < roster[i].from { "before entering" } else { "after leaving" };
                let m = format!("{name} would fly on {}, {when} service", sc.date_of(day));
                self.error(
                    names.span(),
                    m,
                    "a person in service on the flight's date (see `starcity show --section people`)",
                );
                return None;
            }
            if out.contains(&(i as u16)) {
                self.error(names.span(), format!("`{name}` is listed twice"), "each person once");
                return None;
            }
            out.push(i as u16);
        }
        Some(out)
    }
}

/// The roster maps (name → index) of compiled rosters.
pub(super) fn roster_maps(people: &[Vec<Person>]) -> Rosters {
    people.iter().map(|r| r.iter().enumerate().map(|(i, p)| (p.name.clone(), i as u16)).collect()).collect()
}

/// "Apollo 13" → ("Apollo ", 13, ""); a serial such as "N1 8L" keeps its letter:
/// ("N1 ", 8, "L"). A name without a number at its end has no series.
pub fn split_number(name: &str) -> Option<(&str, u32, &str)> {
    let suffix_len = name.ends_with('L') as usize;
    let body = &name[..name.len() - suffix_len];
    let digits = body.len() - body.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 6 {
        return None;
    }
    let (prefix, number) = body.split_at(body.len() - digits);
    if prefix.is_empty() {
        return None;
    }
    Some((prefix, number.parse().ok()?, &name[body.len()..]))
}

/// Sorts each program's manifest into name lists and gives each list the series its flights
/// beyond the list continue, numbered past every manifest's use ("Apollo 21", "AS-203").
pub(crate) fn index_names(programs: &mut [Program], past: &[PastFlight]) -> Vec<Series> {
    let mut series: Vec<Series> = Vec::new();
    let mut bump = |name: &str| {
        let (prefix, n, suffix) = split_number(name)?;
        let next = n.saturating_add(1);
        match series.iter().position(|s| s.prefix == prefix && s.suffix == suffix) {
            Some(i) => {
                series[i].next = series[i].next.max(next);
                Some(i)
            }
            None => {
                series.push(Series { prefix: prefix.to_string(), suffix: suffix.to_string(), next });
                Some(series.len() - 1)
            }
        }
    };
    past.iter().for_each(|f| {
        bump(&f.name);
    });
    let mut base = 0;
    for p in programs.iter_mut() {
        p.lists = name_lists(p);
        for list in &mut p.lists {
            // Every name bumps its series past its number; the list continues its last one's.
            let series: Vec<Option<usize>> = list.entries.iter().map(|&i| bump(&p.flights[i as usize].name)).collect();
            list.series = series.into_iter().rev().flatten().next();
            list.top = list.entries.iter().filter_map(|&i| p.flights[i as usize].number).max().unwrap_or(0);
        }
        p.list_base = base;
        base += p.lists.len();
    }
    find_lenders(programs);
    series
}

/// Each list's lenders: the lists of the same agency, series and kind (crewed or not).
fn find_lenders(programs: &mut [Program]) {
    type Key = (usize, usize, usize, Option<usize>, bool);
    let keys: Vec<Key> = (programs.iter().enumerate())
        .flat_map(|(q, p)| p.lists.iter().enumerate().map(move |(k, l)| (q, k, p.agency, l.series, l.crewed)))
        .collect();
    for p in programs.iter_mut() {
        let agency = p.agency;
        for list in &mut p.lists {
            let same = |&&(_, _, a, s, c): &&Key| a == agency && s.is_some() && s == list.series && c == list.crewed;
            list.lenders = keys.iter().filter(same).map(|&(q, k, ..)| (q as u16, k as u16)).collect();
        }
    }
}

/// A program's manifest as lists keyed by (crewed, mission), in manifest order.
fn name_lists(p: &Program) -> Vec<NameList> {
    let mut lists: Vec<NameList> = Vec::new();
    for (i, f) in p.flights.iter().enumerate() {
        let crewed = !f.crew.is_empty();
        match lists.iter_mut().find(|l| l.crewed == crewed && l.mission == f.mission) {
            Some(l) => l.entries.push(i as u16),
            None => lists.push(NameList {
                crewed,
                mission: f.mission,
                entries: vec![i as u16],
                series: None,
                top: 0,
                lenders: Vec::new(),
            }),
        }
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_series_and_number() {
        assert_eq!(split_number("Apollo 13"), Some(("Apollo ", 13, "")));
        assert_eq!(split_number("Soyuz T-14"), Some(("Soyuz T-", 14, "")));
        assert_eq!(split_number("Gemini 6A"), None);
        assert_eq!(split_number("N1 3L"), Some(("N1 ", 3, "L")));
        assert_eq!(split_number("7K-L1 No.13L"), Some(("7K-L1 No.", 13, "L")));
        assert_eq!(split_number("42"), None);
    }
}
