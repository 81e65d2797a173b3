//! How a chronicle names things: flights, rockets, spacecraft, phases, people, agencies.
//!
//! Scenario ids are for machines ("tli", "s-ivb-restart"); prose uses the words people use
//! ("translunar injection", "the S-IVB restart"). A scenario may say how to call a vehicle
//! (`called`), a mission's rocket (`launcher`) or a phase (`called`); otherwise the glossary
//! below or the cleaned-up name is used.

use crate::scenario::{Phase, Scenario};
use crate::world::{Flight, FlightName};

/// The glossary of common phase ids.
const PHASES: &[(&str, &str)] = &[
    ("launch", "launch"),
    ("orbit", "flight in orbit"),
    ("entry", "re-entry"),
    ("eva", "spacewalk"),
    ("tli", "translunar injection"),
    ("loi", "lunar-orbit insertion"),
    ("tei", "trans-Earth injection"),
    ("descent", "powered descent"),
    ("landing", "landing"),
    ("ascent", "ascent from the Moon"),
    ("rendezvous", "rendezvous"),
    ("docking", "docking"),
    ("boarding", "boarding of the station"),
    ("activation", "station activation"),
    ("flyby", "flight around the Moon"),
    ("surface", "stay on the surface"),
    ("hover", "final descent"),
    ("braking", "braking burn into lunar orbit"),
    ("deployment", "deployment in orbit"),
    ("base-stay", "stay at the base"),
    ("target-launch", "launch of the target vehicle"),
    ("target-orbit", "target vehicle's flight in orbit"),
    ("s-ivb-restart", "S-IVB restart"),
    ("eva-transfer", "spacewalk between the ships"),
    ("eva-to-lk", "spacewalk to the lander"),
    ("eva-to-lok", "spacewalk back to the orbiter"),
    ("block-d-burns", "Block D burn sequence"),
    ("descent-engine", "descent engine"),
    ("ascent-engine", "ascent engine"),
    ("ascent-burn", "ascent burn"),
    ("rendezvous-burns", "rendezvous burns"),
    ("lm-rendezvous", "lunar module rendezvous"),
    ("lm-operations", "lunar module checkout"),
    ("lm-descent-to-15km", "descent to 15 km"),
];

/// "translunar injection" for `tli`: the scenario's word, the glossary's, or the id in words.
pub fn phase(ph: &Phase) -> String {
    if let Some(c) = &ph.called {
        return c.clone();
    }
    match PHASES.iter().find(|(id, _)| *id == ph.name) {
        Some((_, words)) => (*words).to_string(),
        None => ph.name.replace(['-', '_'], " "),
    }
}

/// How prose names a vehicle: its `called`, else its name without a parenthetical.
pub fn vehicle(sc: &Scenario, v: usize) -> &str {
    let veh = &sc.vehicles[v];
    if let Some(c) = &veh.called {
        return c;
    }
    veh.name.split(" (").next().unwrap_or(&veh.name).trim()
}

/// The rocket a mission is launched on, as people name it.
pub fn launcher(sc: &Scenario, mission: usize) -> &str {
    let m = &sc.missions[mission];
    match &m.launcher {
        Some(l) => l,
        None => vehicle(sc, m.phases[0].vehicle),
    }
}

/// The flight's name: from the manifest, its series, or (unnamed) its step or mission with its
/// ordinal `n` among the step's flights ("US lunar base expedition 2").
pub fn flight(sc: &Scenario, program: usize, step: usize, f: &Flight, n: u32) -> String {
    let prog = &sc.programs[program];
    match f.name {
        FlightName::Named { program, index } => sc.programs[program as usize].flights[index as usize].name.clone(),
        FlightName::Extra(s, n) => {
            let series = &sc.series[s as usize];
            format!("{}{n}{}", series.prefix, series.suffix)
        }
        FlightName::Unnamed => {
            let what = match (&prog.steps[step].name, f.test) {
                (Some(name), false) => plain(name),
                _ => plain(&sc.missions[f.mission].name),
            };
            format!("{what} {n}")
        }
    }
}

/// A name without its parenthesised details: "Saturn I development flights (SA-1 to SA-10)"
/// → "Saturn I development flights".
pub fn plain(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name).trim()
}

/// How prose names an agency: its name, or its id when the name is a mouthful.
pub fn agency(sc: &Scenario, a: usize) -> &str {
    let agency = &sc.agencies[a];
    if agency.name.chars().count() <= 24 { &agency.name } else { &agency.id }
}

/// "a Saturn V", "an Atlas D", "an R-7", "an N1": the article goes by the sound of the first letter.
pub fn with_article(noun: &str) -> String {
    let mut chars = noun.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    let vowel = "AEIOUaeiou".contains(first);
    let spelled_like_vowel = "FHLMNRSX".contains(first) && !second.is_ascii_lowercase();
    if vowel || spelled_like_vowel { format!("an {noun}") } else { format!("a {noun}") }
}

pub fn join(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        2 => format!("{} and {}", names[0], names[1]),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// "is" or "are" for a list of people.
pub fn is_are(n: usize) -> &'static str {
    if n == 1 { "is" } else { "are" }
}

/// "1 person", "3 people".
pub fn people(n: u32) -> String {
    if n == 1 { "1 person".to_string() } else { format!("{n} people") }
}

/// Small counts in words, as prose writes them.
pub fn count(n: usize) -> String {
    const WORDS: [&str; 10] = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    WORDS.get(n).map_or(n.to_string(), |w| (*w).to_string())
}

/// "First crewed lunar landing" → "crewed lunar landing".
pub fn strip_first(name: &str) -> &str {
    name.strip_prefix("First ").unwrap_or(name)
}

/// "First crewed…" → "first crewed…"; a name or an acronym ("L1 crewed…", "NASA") is kept.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    let word = s.chars().nth(1).is_some_and(|second| second.is_lowercase());
    match c.next() {
        Some(f) if word => f.to_lowercase().collect::<String>() + c.as_str(),
        _ => s.to_string(),
    }
}

/// "four more flights" → "Four more flights": a clause that now opens a headline.
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A modeller's note as a story: without parenthesised sources and judgements
/// ("(facts §1.3)", "(judgement: x 1.25 …)").
pub fn story(note: &str) -> String {
    let mut out = String::with_capacity(note.len());
    let mut depth = 0usize;
    let mut group = String::new();
    for ch in note.chars() {
        match ch {
            '(' => {
                depth += 1;
                group.push(ch);
            }
            ')' if depth > 0 => {
                depth -= 1;
                group.push(ch);
                if depth == 0 {
                    if !is_reference(&group) {
                        out.push_str(&group);
                    }
                    group.clear();
                }
            }
            _ if depth > 0 => group.push(ch),
            _ => out.push(ch),
        }
    }
    out.push_str(&group);
    let tidy = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let tidy = tidy.replace(" ,", ",").replace(" .", ".").replace(" :", ":").replace(" ;", ";");
    tidy.trim_end_matches([' ', ':', ';']).to_string()
}

/// Whether a parenthesised group cites a source or a judgement.
fn is_reference(group: &str) -> bool {
    ["§", "judgement", "facts", "[M]", "[S]", "FAM S", "crewed:", "launches:", "astronauts:"]
        .iter()
        .any(|k| group.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_as_english() {
        let n = |v: &[&str]| join(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(n(&["Leonov"]), "Leonov");
        assert_eq!(n(&["Borman", "Lovell"]), "Borman and Lovell");
        assert_eq!(n(&["Borman", "Lovell", "Anders"]), "Borman, Lovell and Anders");
        assert_eq!(lower_first(strip_first("First crewed lunar landing")), "crewed lunar landing");
        assert_eq!(with_article("Saturn V"), "a Saturn V");
        assert_eq!(with_article("Atlas D"), "an Atlas D");
        assert_eq!(with_article("N1"), "an N1");
        assert_eq!(with_article("Proton UR-500K"), "a Proton UR-500K");
        assert_eq!(people(1), "1 person");
        assert_eq!(people(3), "3 people");
    }

    #[test]
    fn stories_drop_sources_and_judgements() {
        assert_eq!(
            story("Korolev survives 1966 (facts §6.1): no Mishin slow-down of the Soviet programs"),
            "Korolev survives 1966: no Mishin slow-down of the Soviet programs"
        );
        assert_eq!(
            story(
                "The Soviet leadership accepts more risk (judgement: x 1.25 on the USSR's risk posture, facts §4 'fly early')"
            ),
            "The Soviet leadership accepts more risk"
        );
        assert_eq!(story("N1 3L flies (the first N1) around the Moon"), "N1 3L flies (the first N1) around the Moon");
    }
}
