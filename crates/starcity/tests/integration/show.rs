//! `starcity show`: what a scenario holds, with the ids a divergence or a `--where` condition
//! names; and `starcity check` of built-in names.

use serde_json::Value;

use crate::support::{assert_clean_failure, run, starcity};

/// Runs `starcity ARGS`, which must succeed, and returns its stdout.
fn stdout(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "starcity {args:?} failed:\n{err}");
    assert!(err.is_empty(), "starcity {args:?} wrote to stderr:\n{err}");
    out
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&stdout(args)).expect("stdout is one JSON object")
}

/// The lines of a section of the full listing, from its heading to the next blank line.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let lines = text.lines().skip_while(|l| !l.starts_with(heading)).skip(1);
    lines.take_while(|l| !l.is_empty()).collect()
}

#[test]
fn show_lists_the_ids_a_divergence_uses() {
    let text = stdout(&["show"]);
    assert!(text.starts_with("The space race, 1961-1985 (space-race): 1961-05-25 to 1985-12-31\n"), "{text}");
    for heading in ["Agencies", "Vehicles", "Milestones", "Missions", "Programs", "Flights before", "Rules", "Eras"] {
        assert!(!section(&text, heading).is_empty(), "no section {heading} in:\n{text}");
    }
    let programs = section(&text, "Programs").join("\n");
    assert!(programs.contains("  n1-l3 — N1-L3 lunar landing — USSR\n    starts on 1968-10-14"), "{programs}");
    assert!(programs.contains("apollo-landing  repeat 5  Apollo 12-17"), "{programs}");
    let apollo13 = programs.lines().find(|l| l.trim_start().starts_with("Apollo 13 ")).expect("Apollo 13 listed");
    assert!(apollo13.contains("1970-04-11  crew: Jim Lovell, Fred Haise, Jack Swigert"), "{apollo13}");
    assert!(apollo13.contains("backup: John Young, Charles Duke, Jack Swigert"), "{apollo13}");
    let missions = section(&text, "Missions");
    let landing = missions.iter().position(|l| l.starts_with("  apollo-landing — ")).expect("apollo-landing listed");
    let phases: Vec<&str> =
        missions[landing + 1..landing + 9].iter().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(phases, ["launch", "tli", "loi", "descent", "ascent", "rendezvous", "tei", "entry"]);
    let descent = missions[landing + 4].split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(descent, "4. descent lm achieves crewed_lunar_landing party: seats 1, 2");
    let rules = section(&text, "Rules").join("\n");
    assert!(rules.contains("  korolev-dies\n      when   after(1966-01-14)\n      delay  0 days"), "{rules}");
    assert!(section(&text, "Agencies").iter().any(|l| l.contains("rotation      a backup crew flies 3")));
}

#[test]
fn the_flights_section_has_one_line_per_named_flight() {
    let text = stdout(&["show", "--section", "flights"]);
    let named: usize = json(&["show", "--json"])["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["flights"].as_array().unwrap().len())
        .sum();
    assert!(named > 50, "{named} named flights");
    assert_eq!(text.lines().count(), named, "{text}");
    for line in text.lines() {
        assert_eq!(line.split(" — ").count(), 4, "not `name — program — date — crew`: {line}");
    }
    assert!(text.contains("\nApollo 13 — apollo-landings — 1970-04-11 — Jim Lovell, Fred Haise, Jack Swigert\n"));
    assert!(text.contains("\nApollo 4 — saturn-v-tests — 1967-11-09 — uncrewed\n"), "{text}");
}

#[test]
fn the_people_section_has_one_line_per_roster_member() {
    let text = stdout(&["show", "--section", "people"]);
    let roster: u64 = json(&["show", "--json", "--section", "agencies"])["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["roster"].as_u64().unwrap())
        .sum();
    assert_eq!(text.lines().count() as u64, roster);
    assert!(text.contains("Jim Lovell — USA — from 1962-09-17 until 1973-03-01\n"), "{text}");
    assert!(text.contains("Gus Grissom — USA — from 1959-04-09\n"), "{text}");
}

#[test]
fn json_parses_and_has_every_section() {
    let v = json(&["show", "--json"]);
    assert_eq!(v["scenario"]["id"], "space-race");
    for s in
        ["agencies", "vehicles", "milestones", "missions", "programs", "flights", "people", "past", "rules", "eras"]
    {
        assert!(!v[s].as_array().unwrap_or_else(|| panic!("{s} is not a list")).is_empty(), "{s} is empty");
    }
    let program = |id: &str| v["programs"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    let n1 = program("n1-l3");
    assert_eq!(n1["agency"], "USSR");
    assert_eq!(n1["start"]["on"], "1968-10-14");
    assert_eq!(program("apollo-landings")["steps"][0]["mission"], "apollo-landing");
    assert_eq!(program("apollo-landings")["steps"][0]["repeat"], 5);
    let apollo13 = v["flights"].as_array().unwrap().iter().find(|f| f["name"] == "Apollo 13").unwrap();
    assert_eq!(apollo13["program"], "apollo-landings");
    assert_eq!(apollo13["crew"][0], "Jim Lovell");
    let landing = v["missions"].as_array().unwrap().iter().find(|m| m["id"] == "apollo-landing").unwrap();
    assert_eq!(landing["phases"][3]["name"], "descent");
    assert_eq!(landing["phases"][3]["party"], serde_json::json!([1, 2]));
    let one = json(&["show", "--json", "--section", "eras"]);
    let mut keys: Vec<&String> = one.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["eras", "scenario"]);
}

#[test]
fn show_star_city_is_its_base_with_the_divergence_applied() {
    let text = stdout(&["show", "star-city"]);
    assert!(text.contains("Divergences applied: star-city\n"), "{text}");
    let programs = section(&text, "Programs").join("\n");
    assert!(programs.contains("  n1-l3 — N1-L3 lunar landing — USSR\n    starts on 1968-05-15\n"), "{programs}");
    assert!(!section(&text, "Rules").iter().any(|l| l.contains("korolev-dies")), "the removed rule is listed");
    assert_eq!(stdout(&["show", "-d", "star-city"]), text);
    assert_eq!(stdout(&["show", "space-race", "-d", "star-city"]), text);
}

#[test]
fn show_writes_to_a_file_with_o() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.txt");
    let out = stdout(&["show", "tiny-race", "-o", path.to_str().unwrap()]);
    assert!(out.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout(&["show", "tiny-race"]));
}

#[test]
fn an_unknown_name_is_a_clean_error() {
    let out = run(&["show", "no-such-world"]);
    assert_clean_failure("show", &out, &["no-such-world", "no such file", "space-race", "star-city"]);
    assert!(out.1.is_empty(), "stdout: {}", out.1);
    let two = run(&["show", "space-race", "tiny-race"]);
    assert_clean_failure("two scenarios", &two, &["both scenarios"]);
    let (code, _, stderr) = run(&["show", "--section", "crews"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn check_accepts_built_in_names() {
    let out = stdout(&["check", "space-race", "star-city", "tiny-race"]);
    assert!(out.contains("space-race: ok (scenario space-race:"), "{out}");
    assert!(out.contains("star-city: ok (divergence star-city on space-race:"), "{out}");
    assert!(out.contains("tiny-race: ok (scenario tiny-race:"), "{out}");
    let missing = run(&["check", "star-citty"]);
    assert_clean_failure("check", &missing, &["star-citty", "no such file", "star-city"]);
}

#[test]
fn show_reads_a_scenario_file_and_standard_input() {
    let path = crate::support::repo("scenarios/tiny-race.toml");
    let from_file = stdout(&["show", path.to_str().unwrap(), "--section", "missions"]);
    assert!(from_file.contains("  red-orbit — Red orbital flight — crew 1\n"), "{from_file}");
    let text = crate::support::tiny_race();
    let out = starcity().args(["show", "-", "--section", "missions"]).write_stdin(text).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), from_file);
}

#[test]
fn the_record_section_lists_each_real_flight_and_how_it_went() {
    let text = stdout(&["show", "--section", "record"]);
    let apollo1 = text.lines().find(|l| l.contains(" Apollo 1 ")).expect("Apollo 1 is in the record");
    assert!(apollo1.contains("1967-01-27") && apollo1.contains("lost at orbit") && apollo1.contains("not evidence"));
    let soyuz5 = text.lines().find(|l| l.contains(" Soyuz 5 ")).unwrap();
    assert!(soyuz5.contains("1969-01-17") && soyuz5.contains("really 1969-01-15"), "{soyuz5}");
    let v = json(&["show", "--section", "record", "--json"]);
    assert_eq!(v["record"]["until"], "1976-01-01");
    assert_eq!(v["record"]["flights"].as_array().unwrap().len(), 101);
    assert!(v["record"]["ends"].as_array().unwrap().iter().any(|e| e["program"] == "gemini" && e["fate"] == "done"));
}
