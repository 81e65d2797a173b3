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
/// of the list for that mission, else of the list for any mission of that kind; beyond both,
/// the next number of the list's series; with no series, unnamed.
pub(crate) fn name_flight(sc: &Scenario, w: &mut World, p: usize, crewed: bool, mission: usize) -> FlightName {
    let prog = &sc.programs[p];
    let own = prog.lists.iter().position(|l| l.crewed == crewed && l.mission == Some(mission));
    let any = prog.lists.iter().position(|l| l.crewed == crewed && l.mission.is_none());
    for k in [own, any].into_iter().flatten() {
        let used = &mut w.list_used[prog.list_base + k];
        if let Some(&i) = prog.lists[k].entries.get(*used as usize) {
            *used += 1;
            return FlightName::Named(i);
        }
    }
    match [own, any].into_iter().flatten().find_map(|k| prog.lists[k].series) {
        Some(s) => {
            let n = sc.series[s].next.saturating_add(w.series_used[s]);
            w.series_used[s] += 1;
            FlightName::Extra(s as u16, n)
        }
        None => FlightName::Unnamed,
    }
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
        FlightName::Named(i) => (&prog.flights[i as usize].crew, &prog.flights[i as usize].backup),
        _ => (rotated.as_slice(), &[]),
    };
    // A named flight flies its real crew size, in a spacecraft that may hold more.
    let n = if matches!(name, FlightName::Named(_)) && !prime.is_empty() { n.min(prime.len()) } else { n };
    let whole = |list: &[u16], w: &World| list.len() >= n && list[..n].iter().all(|&i| can_fly(sc, w, a, i));
    if whole(prime, w) {
        // The usual case: the prime crew flies as planned.
        return Some(board(sc, w, p, Crew::of(&prime[..n]), backup));
    }
    let mut crew = Crew::EMPTY;
    crew.n = n as u8;
    let mut seats: [Option<u16>; MAX_CREW] = [None; MAX_CREW];
    if agency.substitution == Substitution::Crew && whole(backup, w) {
        seats.iter_mut().zip(backup).take(n).for_each(|(s, &i)| *s = Some(i));
    } else {
        for seat in 0..n {
            let mut pick = [prime.get(seat), backup.get(seat)].into_iter().flatten().copied();
            seats[seat] = pick.find(|&i| can_fly(sc, w, a, i) && !backup_taken(&seats, i));
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
    if matches!(name, FlightName::Named(_)) || back == 0 || launched < back {
        return Crew::EMPTY;
    }
    w.backups[p * ROTATION_RING + (launched - back) as usize % ROTATION_RING]
}

/// Whether roster member `i` of agency `a` can fly now: alive, in service, not in flight.
#[inline]
fn can_fly(sc: &Scenario, w: &World, a: usize, i: u16) -> bool {
    let i = i as usize;
    w.alive[a][i] && !w.flying[a][i] && sc.agencies[a].crew[i].serves(w.t)
}

/// The next person in roster order who can fly and is not seated yet.
fn next_from_roster(sc: &Scenario, w: &mut World, a: usize, seats: &[Option<u16>]) -> Option<u16> {
    let roster = sc.agencies[a].crew.len();
    for k in 0..roster {
        let i = ((w.crew_cursor[a] + k) % roster) as u16;
        if can_fly(sc, w, a, i) && !backup_taken(seats, i) {
            w.crew_cursor[a] = (i as usize + 1) % roster;
            return Some(i);
        }
    }
    None
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
