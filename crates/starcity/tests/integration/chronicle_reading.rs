//! Chronicles read as a historian reads them: over a thousand of them, baseline and every
//! built-in divergence, through their JSON form, checked for what would make a reader stop —
//! the dead flying, one person on two flights at once, a lander carrying more people than it
//! holds, "without incident" over a failure, dates out of order, a consequence whose premise
//! is false, a retired program flying.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use starcity_core::builtin;
use starcity_core::chronicle;
use starcity_core::divergence;
use starcity_core::scenario::Scenario;

/// (scenario, label) for the baseline and every built-in divergence.
fn worlds() -> Vec<(Scenario, String)> {
    let base = builtin::scenario("space-race").expect("built-in loads");
    let mut out = vec![(base.clone(), "baseline".to_string())];
    for b in builtin::DIVERGENCES {
        let sc = divergence::apply(&builtin::origin(b.name), b.toml, &base).expect("applies");
        out.push((sc, b.name.to_string()));
    }
    out
}

/// A chronicle's entries as JSON, as `chronicle --format json` writes them.
fn entries(sc: &Scenario, timeline: u64) -> Vec<Value> {
    let (entries, _) = chronicle::entries(sc, 1, timeline).expect("within the limits");
    let json = serde_json::to_value(&entries).expect("serialises");
    json.as_array().expect("an array").clone()
}

fn text<'a>(e: &'a Value, key: &str) -> &'a str {
    e.get(key).and_then(Value::as_str).unwrap_or("")
}

fn crew(e: &Value) -> Vec<String> {
    e["crew"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

/// Everything a reader would stumble on in one chronicle, as messages.
fn problems(entries: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let mut died: BTreeMap<String, String> = BTreeMap::new();
    let mut flying: Vec<(String, String, String, Vec<String>)> = Vec::new();
    let mut ended: BTreeMap<String, String> = BTreeMap::new();
    let mut soviet_landing = false;
    let mut us_landing_first = false;
    let mut last_date = String::new();
    for e in entries {
        let (kind, date) = (text(e, "type"), text(e, "date").to_string());
        if date < last_date {
            out.push(format!("{date} comes after {last_date}: {}", text(e, "text")));
        }
        last_date = date.clone();
        let people = crew(e);
        let flies = matches!(kind, "launch" | "failure" | "loss" | "milestone" | "summary");
        for p in &people {
            if let Some(d) = died.get(p).filter(|d| **d < date && flies) {
                out.push(format!("{date}: {p}, killed {d}, appears again: {}", text(e, "text")));
            }
        }
        if kind == "loss" || (kind == "past" && text(e, "text").contains("killed")) {
            people.iter().for_each(|p| {
                died.entry(p.clone()).or_insert(date.clone());
            });
        }
        if matches!(kind, "launch" | "failure" | "loss") {
            let (flight, until) = (text(e, "flight").to_string(), text(e, "until").to_string());
            for (other, from, to, who) in &flying {
                let overlap = *other != flight && date.as_str() < to.as_str() && from.as_str() < until.as_str();
                if let Some(p) = people.iter().find(|p| overlap && who.contains(p)) {
                    out.push(format!("{date}: {p} on {flight} while on {other} ({from} to {to})"));
                }
            }
            flying.push((flight, date.clone(), until, people.clone()));
        }
        if kind == "milestone" {
            let max = match (text(e, "milestone"), text(e, "agency")) {
                ("crewed_lunar_landing", "USA") => 2,
                ("crewed_lunar_landing", "USSR") | ("eva", _) => 1,
                _ => 3,
            };
            if people.len() > max {
                out.push(format!("{date}: {} credited with {}", people.len(), text(e, "milestone")));
            }
            if text(e, "milestone") == "crewed_lunar_landing" {
                soviet_landing |= text(e, "agency") == "USSR";
                us_landing_first |= text(e, "agency") == "USA" && !soviet_landing;
            }
        }
        if kind == "consequence" {
            let t = text(e, "text");
            let false_premise = ((t.contains("no Soviet landing in sight") || t.contains("With the race won"))
                && soviet_landing)
                || (t.contains("Beaten to the Moon") && !us_landing_first)
                || (t.contains("After the Soviet landing") && !soviet_landing);
            if false_premise {
                out.push(format!("{date}: a consequence whose premise is false here: {t}"));
            }
        }
        let program = text(e, "program").to_string();
        if matches!(kind, "launch" | "summary")
            && let Some(end) = ended.get(&program)
        {
            out.push(format!("{date}: {program} flies after it ended on {end}"));
        }
        if matches!(kind, "program_completed" | "program_cancelled" | "program_retired") {
            ended.insert(program, date.clone());
        }
    }
    out.extend(incidents_in_summaries(entries));
    out
}

/// A summary "without incident" must not span a failure or loss of its own program.
fn incidents_in_summaries(entries: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for s in entries.iter().filter(|e| text(e, "type") == "summary") {
        let (from, to, program) = (text(s, "date"), text(s, "until"), text(s, "program"));
        for e in entries {
            let failed = matches!(text(e, "type"), "failure" | "loss");
            if failed && text(e, "program") == program && from < text(e, "date") && text(e, "date") < to {
                out.push(format!("summary {from}..{to} of {program} spans: {}", text(e, "text")));
            }
        }
    }
    out
}

#[test]
fn a_thousand_chronicles_read_as_history() {
    let mut read = 0;
    let mut found: Vec<String> = Vec::new();
    let mut kinds = BTreeSet::new();
    for (sc, label) in worlds() {
        let per_world = if label == "baseline" { 200 } else { 80 };
        for t in 0..per_world {
            let entries = entries(&sc, t);
            entries.iter().for_each(|e| {
                kinds.insert(text(e, "type").to_string());
            });
            found.extend(problems(&entries).into_iter().map(|p| format!("{label} timeline {t}: {p}")));
            read += 1;
        }
    }
    assert!(read >= 1_000, "read {read}");
    assert!(found.is_empty(), "{} problems, the first: {:#?}", found.len(), &found[..found.len().min(10)]);
    for kind in ["past", "launch", "failure", "loss", "milestone", "summary", "program_retired", "divergence"] {
        assert!(kinds.contains(kind), "no `{kind}` entry in {read} chronicles: the checks would not see it");
    }
}

#[test]
fn the_checks_catch_what_they_look_for() {
    let entry = |date: &str, kind: &str, flight: &str, until: &str, crew: &[&str]| {
        serde_json::json!({"date": date, "type": kind, "flight": flight, "until": until, "program": "p",
            "crew": crew, "text": format!("{kind} {flight}")})
    };
    let dead_flies = [
        entry("1967-04-24", "loss", "Soyuz 1", "1967-04-24", &["Vladimir Komarov"]),
        entry("1968-01-01", "launch", "Soyuz 3", "1968-01-05", &["Vladimir Komarov"]),
    ];
    assert_eq!(problems(&dead_flies).len(), 1);
    let twice = [
        entry("1968-01-01", "launch", "A", "1968-01-10", &["X"]),
        entry("1968-01-05", "launch", "B", "1968-01-07", &["X"]),
    ];
    assert_eq!(problems(&twice).len(), 1);
    let unordered =
        [entry("1968-01-05", "launch", "A", "1968-01-06", &[]), entry("1968-01-01", "launch", "B", "1968-01-02", &[])];
    assert_eq!(problems(&unordered).len(), 1);
    let hidden =
        [entry("1968-01-01", "summary", "", "1968-06-01", &[]), entry("1968-03-01", "failure", "C", "1968-03-01", &[])];
    assert_eq!(problems(&hidden).len(), 1);
    let retired =
        [entry("1968-01-01", "program_retired", "", "", &[]), entry("1968-03-01", "launch", "D", "1968-03-02", &[])];
    assert_eq!(problems(&retired).len(), 1);
}
