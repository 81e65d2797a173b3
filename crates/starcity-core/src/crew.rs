//! Who flies, and what the flight is called: the crew rules.
//!
//! A launch takes the next named flight of its program's manifest (crewed launches the next
//! crewed entry, uncrewed ones the next uncrewed entry), or beyond the manifest the next number of
//! the program's series ("Apollo 21"). Its crew is the planned prime crew; a member who cannot fly
//! (dead, out of service, on another flight) is replaced by the backup in that seat, or the whole
//! backup crew flies (the agency's `substitution`). Beyond the manifest, an agency with a
//! `rotation` flies the backup crew of the flight that many crewed flights earlier (NASA's
//! "backup flies three later"); otherwise, and for any seat still empty, people are taken from
//! the roster in order from where the last such crew left off.
//!
//! No random draw: who flies never changes what happens, only who it happens to.

use crate::scenario::{Agency, Scenario, Substitution};
use crate::world::{Crew, FlightName, MAX_CREW, ROTATION_RING, World};

/// Names the flight program `p` is launching (`crewed` or not, on `mission`): the next name
/// of its list for that mission, else of its list for any mission of that kind. Beyond both,
/// the next name of the same series in a later program's list (as Apollo 14 flew Apollo 13's
/// goal, a repeated flight takes the next number, with its crew), then the next number of the
/// series past every manifest; with no series, the flight is unnamed.
pub(crate) fn name_flight(sc: &Scenario, w: &mut World, p: usize, crewed: bool, mission: usize) -> FlightName {
    let prog = &sc.programs[p];
    let own = prog.lists.iter().position(|l| l.crewed == crewed && l.mission == Some(mission));
    let any = prog.lists.iter().position(|l| l.crewed == crewed && l.mission.is_none());
    for k in [own, any].into_iter().flatten() {
        if let Some(name) = take(sc, w, p, k) {
            return name;
        }
    }
    let Some(home) = [own, any].into_iter().flatten().find(|&k| prog.lists[k].series.is_some()) else {
        return FlightName::Unnamed;
    };
    let s = prog.lists[home].series.unwrap_or_default();
    // Only names after the program's own: Apollo 11 repeated is Apollo 12, never an unused Apollo 7.
    let floor = [own, any].into_iter().flatten().map(|k| prog.lists[k].top).max().unwrap_or(0);
    // Only crewed flights move their names on (an uncrewed number belongs to its hardware).
    if let Some((q, k)) = borrow(sc, w, &prog.lists[home].lenders, mission, floor).filter(|_| crewed) {
        return take(sc, w, q, k).unwrap_or(FlightName::Unnamed);
    }
    let n = sc.series[s].next.saturating_add(w.series_used[s]);
    w.series_used[s] += 1;
    FlightName::Extra(s as u16, n)
}

/// A named flight the record (or a twin's tape) gives: every list holding it counts it as used,
/// and the names before it that it passed (Apollo 1, never flown, once Apollo 7 has).
pub(crate) fn take_named(sc: &Scenario, w: &mut World, name: FlightName) {
    let FlightName::Named { program, index } = name else { return };
    let prog = &sc.programs[program as usize];
    for (k, list) in prog.lists.iter().enumerate() {
        if let Some(pos) = list.entries.iter().position(|&i| i == index) {
            let used = &mut w.list_used[prog.list_base + k];
            *used = (*used).max(pos as u32 + 1);
        }
    }
}

/// The next unused name of list `k` of program `q`, marked used.
fn take(sc: &Scenario, w: &mut World, q: usize, k: usize) -> Option<FlightName> {
    let prog = &sc.programs[q];
    let used = &mut w.list_used[prog.list_base + k];
    let &index = prog.lists[k].entries.get(*used as usize)?;
    *used += 1;
    Some(FlightName::Named { program: q as u16, index })
}

/// Among `lenders` (lists of the same series and kind), the one whose next unused name has the
/// lowest number above `floor`, that a flight of `mission` may take.
fn borrow(sc: &Scenario, w: &World, lenders: &[(u16, u16)], mission: usize, floor: u32) -> Option<(usize, usize)> {
    let mut best: Option<(u32, usize, usize)> = None;
    for &(q, k) in lenders {
        let (q, k) = (q as usize, k as usize);
        let (prog, list) = (&sc.programs[q], &sc.programs[q].lists[k]);
        let next = list.entries.get(w.list_used[prog.list_base + k] as usize);
        let fits = list.mission.is_none_or(|m| m == mission);
        let number = next.and_then(|&i| prog.flights[i as usize].number).filter(|&n| fits && n > floor);
        if let Some(n) = number.filter(|&n| best.is_none_or(|b| n < b.0)) {
            best = Some((n, q, k));
        }
    }
    best.map(|(_, q, k)| (q, k))
}

/// Chooses the crew of `n` for program `p`'s flight named `name`; `None` if not enough people
/// can fly. Marks them as flying and remembers the backup crew for the rotation.
pub(crate) fn choose(sc: &Scenario, w: &mut World, p: usize, name: FlightName, n: usize) -> Option<Crew> {
    let prog = &sc.programs[p];
    let a = prog.agency;
    let agency = &sc.agencies[a];
    if n > MAX_CREW {
        return None;
    }
    let rotated = rotated(agency, w, p, name);
    let (prime, backup): (&[u16], &[u16]) = match name {
        FlightName::Named { program, index } => {
            let f = &sc.programs[program as usize].flights[index as usize];
            (&f.crew, &f.backup)
        }
        _ => (rotated.as_slice(), &[]),
    };
    // A named flight flies its real crew size, in a spacecraft that may hold more.
    let n = if matches!(name, FlightName::Named { .. }) && !prime.is_empty() { n.min(prime.len()) } else { n };
    // Only a named flight's planned crew holds an assignment that keeps them in service.
    let held = if matches!(name, FlightName::Named { .. }) { Assigned::Prime } else { Assigned::Other };
    let planned = |i: u16, w: &World| Pool::of(sc, w, a).can(i, held);
    let backs = |i: u16, w: &World| Pool::of(sc, w, a).can(i, Assigned::Other);
    if prime.len() >= n && prime[..n].iter().all(|&i| planned(i, w)) {
        // The usual case: the prime crew flies as planned.
        return Some(board(sc, w, p, Crew::of(&prime[..n]), backup));
    }
    let mut crew = Crew::EMPTY;
    crew.n = n as u8;
    let mut seats: [Option<u16>; MAX_CREW] = [None; MAX_CREW];
    if agency.substitution == Substitution::Crew && backup.len() >= n && backup[..n].iter().all(|&i| backs(i, w)) {
        seats.iter_mut().zip(backup).take(n).for_each(|(s, &i)| *s = Some(i));
    } else {
        for seat in 0..n {
            let from_prime = prime.get(seat).copied().filter(|&i| planned(i, w) && !backup_taken(&seats, i));
            let from_backup = || backup.get(seat).copied().filter(|&i| backs(i, w) && !backup_taken(&seats, i));
            seats[seat] = from_prime.or_else(from_backup);
        }
    }
    for seat in 0..n {
        let i = match seats[seat] {
            Some(i) => i,
            None => next_from_roster(sc, w, a, &seats)?,
        };
        seats[seat] = Some(i);
        crew.ids[seat] = i;
    }
    Some(board(sc, w, p, crew, backup))
}

/// Puts `crew` aboard: marks them as flying and remembers the backup crew for the rotation.
fn board(sc: &Scenario, w: &mut World, p: usize, crew: Crew, backup: &[u16]) -> Crew {
    let a = sc.programs[p].agency;
    for &i in crew.as_slice() {
        w.flying[a][i as usize] = true;
    }
    remember_backup(sc, w, p, backup, &crew);
    crew
}

/// Whether `i` is already seated.
fn backup_taken(seats: &[Option<u16>], i: u16) -> bool {
    seats.contains(&Some(i))
}

/// Beyond the manifest, with a rotation: the backup crew of the flight `rotation` crewed
/// flights back (empty otherwise). Its slot was written in this timeline: slots are read only
/// for flights already launched.
fn rotated(agency: &Agency, w: &World, p: usize, name: FlightName) -> Crew {
    let launched = w.programs[p].crewed_launched;
    let back = agency.rotation;
    if matches!(name, FlightName::Named { .. }) || back == 0 || launched < back {
        return Crew::EMPTY;
    }
    w.backups[p * ROTATION_RING + (launched - back) as usize % ROTATION_RING]
}

/// How a person comes to be considered for a seat.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Assigned {
    /// Planned prime crew of this flight: an assignment keeps them in service until it flies
    /// (their `until` is when they left once their flying was done; judgement).
    Prime,
    Other,
}

/// One agency's people as a launch sees them.
struct Pool<'a> {
    crew: &'a [crate::scenario::Person],
    alive: &'a [bool],
    flying: &'a [bool],
    t: f64,
}

impl<'a> Pool<'a> {
    #[inline]
    fn of(sc: &'a Scenario, w: &'a World, a: usize) -> Self {
        Pool { crew: &sc.agencies[a].crew, alive: &w.alive[a], flying: &w.flying[a], t: w.t }
    }

    /// Whether roster member `i` can fly now: alive, not in flight, in service (for the planned
    /// prime crew: selected already).
    #[inline]
    fn can(&self, i: u16, how: Assigned) -> bool {
        let i = i as usize;
        let (Some(person), Some(&alive), Some(&flying)) = (self.crew.get(i), self.alive.get(i), self.flying.get(i))
        else {
            return false;
        };
        let serves = if how == Assigned::Prime { person.from <= self.t } else { person.serves(self.t) };
        alive && !flying && serves
    }
}

/// The next person in roster order who can fly and is not seated yet.
fn next_from_roster(sc: &Scenario, w: &mut World, a: usize, seats: &[Option<u16>]) -> Option<u16> {
    let roster = sc.agencies[a].crew.len();
    let pool = Pool::of(sc, w, a);
    let start = w.crew_cursor[a];
    // From the cursor round to just before it (two ranges, no division per person).
    let found = (start.min(roster)..roster)
        .chain(0..start.min(roster))
        .map(|i| i as u16)
        .find(|&i| pool.can(i, Assigned::Other) && !backup_taken(seats, i))?;
    w.crew_cursor[a] = (found as usize + 1) % roster;
    Some(found)
}

/// Records this flight's backup crew (planned, else the next people from the roster who are not
/// flying it) for the agency's rotation. Nothing to do for agencies without one.
fn remember_backup(sc: &Scenario, w: &mut World, p: usize, planned: &[u16], crew: &Crew) {
    let a = sc.programs[p].agency;
    if sc.agencies[a].rotation == 0 {
        return;
    }
    let n = crew.n as usize;
    if planned.len() >= n && !planned[..n].iter().any(|i| crew.as_slice().contains(i)) {
        // The usual case: the planned backup crew, none of whom flies this flight.
        return push_backup(w, p, Crew::of(&planned[..n]));
    }
    let mut backup = Crew::EMPTY;
    let mut seats: [Option<u16>; 2 * MAX_CREW] = [None; 2 * MAX_CREW];
    for (s, &i) in seats.iter_mut().zip(crew.as_slice()) {
        *s = Some(i);
    }
    for k in 0..n {
        // Seats `0..n` hold the prime crew, `n..n + k` the backups chosen so far.
        let seated = &seats[..n + k];
        let pick = planned.get(k).copied().filter(|&i| !backup_taken(seated, i));
        let Some(i) = pick.or_else(|| next_from_roster(sc, w, a, seated)) else { break };
        seats[n + k] = Some(i);
        backup.ids[k] = i;
        backup.n += 1;
    }
    push_backup(w, p, backup);
}

/// Records `backup` as the backup crew of program `p`'s next crewed flight.
fn push_backup(w: &mut World, p: usize, backup: Crew) {
    let launched = w.programs[p].crewed_launched;
    w.backups[p * ROTATION_RING + launched as usize % ROTATION_RING] = backup;
    w.programs[p].crewed_launched += 1;
}
