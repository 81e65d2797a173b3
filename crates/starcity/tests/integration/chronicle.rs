//! Chronicles: deterministic, faithful to the engine, readable, and `--where` means what it says.

use std::sync::atomic::AtomicU64;

use assert_cmd::Command;
use starcity_core::builtin;
use starcity_core::chronicle::{self, Kind};
use starcity_core::ensemble::{self, RunConfig};
use starcity_core::scenario::Scenario;

fn scenario(name: &str) -> Scenario {
    builtin::scenario(name).expect("built-in loads")
}

fn told(sc: &Scenario, timeline: u64, markdown: bool) -> String {
    let s = ensemble::run(sc, RunConfig { seed: 1, timelines: 300 }, &AtomicU64::new(0)).expect("within the limits");
    let c = chronicle::tell(sc, 1, timeline, format!("Timeline {timeline}."), &s).expect("within the limits");
    chronicle::render(&c, sc, markdown, chronicle::Perspective::Both)
}

#[test]
fn the_same_inputs_tell_the_same_chronicle() {
    let sc = scenario("space-race");
    assert_eq!(told(&sc, 7, false), told(&sc, 7, false));
    assert_ne!(told(&sc, 7, false), told(&sc, 8, false));
}

#[test]
fn every_milestone_date_in_the_chronicle_is_the_engines() {
    let sc = scenario("space-race");
    let mut checked = 0;
    for t in 0..25 {
        let (entries, w) = chronicle::entries(&sc, 1, t).expect("within the limits");
        for (m, ms) in sc.milestones.iter().enumerate() {
            for (a, agency) in sc.agencies.iter().enumerate() {
                let told: Vec<_> = entries
                    .iter()
                    .filter(|e| {
                        e.kind == Kind::Milestone
                            && e.milestone.as_deref() == Some(&ms.id)
                            && e.agency.as_deref() == Some(&agency.id)
                    })
                    .collect();
                let day = w.reached(m, a);
                if day.is_finite() {
                    assert_eq!(told.len(), 1, "timeline {t}: {} {} told {} times", agency.id, ms.id, told.len());
                    assert_eq!(told[0].date, sc.date_of(day).to_string(), "timeline {t}: {} {}", agency.id, ms.id);
                    checked += 1;
                } else {
                    assert!(told.is_empty(), "timeline {t}: {} {} told but never reached", agency.id, ms.id);
                }
            }
        }
    }
    assert!(checked > 100);
}

#[test]
fn where_finds_a_timeline_that_satisfies_it_or_says_none_did() {
    let sc = scenario("space-race");
    let cond = sc.parse_condition("--where", "first(crewed_lunar_landing, USA) and crew_lost(USA) == 0").unwrap();
    let k = chronicle::find_where(&sc, 1, 2_000, &cond, &AtomicU64::new(0))
        .expect("within the limits")
        .expect("some timeline has it");
    let w = ensemble::one(&sc, 1, k);
    assert!(w.holds(&cond));
    // The first such timeline: none before it satisfies the condition.
    assert!((0..k).all(|i| !ensemble::one(&sc, 1, i).holds(&cond)));
    // Gagarin flew before the start: NASA is never first in orbit.
    let never = sc.parse_condition("--where", "first(crewed_orbit, USA)").unwrap();
    assert_eq!(chronicle::find_where(&sc, 1, 50, &never, &AtomicU64::new(0)).expect("within the limits"), None);
    let out = Command::cargo_bin("starcity")
        .unwrap()
        .args(["chronicle", "-n", "50", "--where", "first(crewed_orbit, USA)"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no timeline among the first 50") && err.contains("below 7.1 %"), "{err}");
}

#[test]
fn chronicles_read_as_prose_not_debug_output() {
    let sc = scenario("space-race");
    for t in [0, 3, 11] {
        let text = told(&sc, t, true);
        for bad in ["Some(", "None", "{", "}", "::", "NaN", "inf"] {
            assert!(!text.contains(bad), "timeline {t} contains `{bad}`:\n{text}");
        }
        assert!(text.contains("## "), "era headings");
        assert!(text.contains("How common this history is"));
    }
}

#[test]
fn a_short_chronicle_matches_its_snapshot() {
    let sc = scenario("tiny-race");
    insta::assert_snapshot!("tiny_race_timeline_3", told(&sc, 3, true));
}

#[test]
fn json_lists_dated_typed_entries() {
    let out = Command::cargo_bin("starcity")
        .unwrap()
        .args(["chronicle", "tiny-race", "-n", "100", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        assert!(chrono::NaiveDate::parse_from_str(e["date"].as_str().unwrap(), "%Y-%m-%d").is_ok());
        assert!(e["type"].is_string() && e["text"].is_string() && e["crew"].is_array());
    }
}

#[test]
fn twin_marks_the_first_difference() {
    let out = Command::cargo_bin("starcity")
        .unwrap()
        .args(["chronicle", "-d", "star-city", "--twin", "-n", "200", "--timeline", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("First difference"), "{text}");
    assert!(text.contains("[baseline]") && text.contains("[divergent]"));
}

#[test]
fn dated_questions_are_counted_with_an_interval_on_any_thread_count() {
    let cond = "date(crewed_lunar_landing, USSR) < 1969-07-01 and date(crewed_lunar_landing, USA) - date(crewed_lunar_landing, USSR) <= 90";
    let args = |threads: &str| {
        let mut a = vec!["chronicle", "-d", "star-city", "-n", "300", "-q", "--where", cond, "--count"];
        a.extend(["--format", "json", "--threads", threads]);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let one = Command::cargo_bin("starcity").unwrap().args(args("1")).output().unwrap();
    let two = Command::cargo_bin("starcity").unwrap().args(args("2")).output().unwrap();
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(one.stdout, two.stdout, "the count is the same on any thread count");
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    let (hits, n) = (v["matching"].as_u64().unwrap(), v["timelines"].as_u64().unwrap());
    assert_eq!(n, 300);
    // The same count by hand, timeline by timeline.
    let sc = starcity_core::divergence::apply(
        "star-city",
        &std::fs::read_to_string(crate::support::repo("divergences/star-city.toml")).unwrap(),
        &scenario("space-race"),
    )
    .unwrap();
    // As the command does: history replayed to the divergence's date.
    let sc = starcity_core::replay::replaying(&sc, sc.diverges.unwrap(), false).unwrap();
    let c = sc.parse_condition("--where", cond).unwrap();
    assert_eq!((0..n).filter(|&i| ensemble::one(&sc, 1, i).holds(&c)).count() as u64, hits);
    let [lo, hi] = [v["ci95"][0].as_f64().unwrap(), v["ci95"][1].as_f64().unwrap()];
    let share = hits as f64 / n as f64;
    assert!(lo <= share && share <= hi && hi - lo < 0.15, "{lo} {share} {hi}");
}

#[test]
fn a_condition_that_reads_only_the_date_is_refused() {
    let out = Command::cargo_bin("starcity")
        .unwrap()
        .args(["chronicle", "-n", "10", "--where", "after(1970-01-01)", "--count"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reads only the date") && err.contains("date(MILESTONE, AGENCY)"), "{err}");
}

/// One chronicle per built-in divergence, fixed: the timeline closest to the divergent
/// ensemble's usual outcome, in Markdown. Read end to end before accepting a change.
#[test]
fn one_chronicle_per_divergence_matches_its_snapshot() {
    let base = scenario("space-race");
    for b in starcity_core::builtin::DIVERGENCES {
        let sc = starcity_core::divergence::apply(&starcity_core::builtin::origin(b.name), b.toml, &base).unwrap();
        // As `chronicle -d` tells it: history replayed to the point of divergence.
        let sc = starcity_core::replay::replaying(&sc, sc.diverges.unwrap(), false).unwrap();
        let s = ensemble::run(&sc, RunConfig { seed: 1, timelines: 200 }, &AtomicU64::new(0)).unwrap();
        let k = chronicle::find_typical(&sc, 1, 200, &s, &AtomicU64::new(0)).unwrap();
        let c = chronicle::tell(&sc, 1, k, format!("Timeline {k}: the one of 200 closest to the usual outcome."), &s)
            .unwrap();
        let text = chronicle::render(&c, &sc, true, chronicle::Perspective::Both);
        insta::assert_snapshot!(format!("divergence_{}", b.name), text);
    }
}

#[test]
fn a_chronicle_can_be_told_from_one_side() {
    let sc = starcity_core::divergence::apply(
        "star-city",
        &std::fs::read_to_string(crate::support::repo("divergences/star-city.toml")).unwrap(),
        &scenario("space-race"),
    )
    .unwrap();
    let s = ensemble::run(&sc, RunConfig { seed: 1, timelines: 100 }, &AtomicU64::new(0)).unwrap();
    let c = chronicle::tell(&sc, 1, 1, "Timeline 1.".into(), &s).unwrap();
    let ussr = sc.agency_index("USSR").unwrap();
    let side = chronicle::render(&c, &sc, false, chronicle::Perspective::Side(ussr));
    let both = chronicle::render(&c, &sc, false, chronicle::Perspective::Both);
    assert!(side.contains("as USSR lived it"));
    // Every Soviet flight is told; American flights only as news of a first or a loss.
    let soviet = c.entries.iter().filter(|e| e.agency.as_deref() == Some("USSR") && e.kind == Kind::Launch);
    for e in soviet {
        assert!(side.contains(&e.text), "missing: {}", e.text);
    }
    for line in side.lines().filter(|l| l.contains("  USA: ")) {
        assert!(line.contains("News from abroad: "), "{line}");
    }
    assert!(side.lines().count() < both.lines().count());
    let era = side.lines().skip_while(|l| !l.starts_with("== Spring 1965")).nth(1).unwrap();
    assert!(era.trim_start().starts_with("USSR: "), "own side first: {era}");
    let bad = crate::support::run(&["chronicle", "-n", "10", "--perspective", "ESA"]);
    crate::support::assert_clean_failure("--perspective ESA", &bad, &["no such agency", "USA, USSR"]);
}
