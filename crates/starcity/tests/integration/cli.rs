//! End-to-end tests of the `starcity` command line, as a user runs it.

use assert_cmd::Command;
use serde_json::Value;

fn starcity() -> Command {
    let mut c = Command::cargo_bin("starcity").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn json(args: &[&str]) -> Value {
    let out = starcity().args(args).output().unwrap();
    assert!(out.status.success(), "starcity {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

#[test]
fn run_json_has_the_documented_shape() {
    let v = json(&["run", "-n", "400", "--json", "-q"]);
    assert_eq!(v["scenario"], "space-race");
    assert_eq!(v["seed"], 1);
    assert_eq!(v["timelines"], 400);
    let milestones = v["milestones"].as_array().unwrap();
    assert!(milestones.len() >= 6);
    for m in milestones {
        assert!(m["id"].is_string());
        let first = m["first"].as_object().unwrap();
        assert!(first.contains_key("USA") && first.contains_key("USSR") && first.contains_key("none"));
        let total: f64 = first.values().map(|p| p.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-9, "{}: first sums to {total}", m["id"]);
        for (_, band) in m["date"].as_object().unwrap() {
            for q in ["p10", "p50", "p90"] {
                let d = band[q].as_str().unwrap();
                assert!(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok(), "{d} is not YYYY-MM-DD");
            }
        }
    }
    for agency in ["USA", "USSR"] {
        let c = &v["crew_lost"][agency];
        assert!(c["mean"].as_f64().unwrap() >= 0.0);
        assert!((0.0..=1.0).contains(&c["p_any"].as_f64().unwrap()));
    }
    assert!(!v["eras"].as_array().unwrap().is_empty());
    assert!(!v["programs"].as_array().unwrap().is_empty());
    assert!(!v["history"].as_array().unwrap().is_empty());
}

#[test]
fn json_is_identical_on_one_and_two_threads_and_differs_with_the_seed() {
    let one = json(&["run", "-n", "600", "--json", "-q", "--threads", "1"]);
    let two = json(&["run", "-n", "600", "--json", "-q", "--threads", "2"]);
    assert_eq!(one, two);
    let other = json(&["run", "-n", "600", "--json", "-q", "--seed", "2"]);
    assert_ne!(one["milestones"], other["milestones"]);
}

#[test]
fn tables_go_to_stdout_and_progress_to_stderr() {
    let out = starcity().args(["run", "-n", "300"]).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Who gets there first"));
    assert!(stdout.contains("History check"));
    assert!(String::from_utf8(out.stderr).unwrap().contains("timelines in"));
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    starcity().args(["run", "-n", "200", "--json", "-q", "-o"]).arg(&path).assert().success();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["timelines"], 200);
    // Nothing but the result is left in the directory: no temporary file.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn scenarios_lists_builtins_and_a_user_file_runs() {
    let out = starcity().arg("scenarios").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("space-race") && text.contains("tiny-race"));
    let v = json(&["run", "../../scenarios/tiny-race.toml", "-n", "100", "--json", "-q"]);
    assert_eq!(v["scenario"], "tiny-race");
}

#[test]
fn bad_flags_are_errors_not_panics() {
    for args in
        [&["run", "-n", "0"][..], &["run", "--threads", "0", "-n", "10"], &["run", "no-such-scenario"], &["compare"]]
    {
        let out = starcity().args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    }
}

#[test]
fn compare_json_has_baseline_divergent_and_paired() {
    let v = json(&[
        "compare",
        "../../scenarios/tiny-race.toml",
        "-d",
        "tests/fixtures/divergences/red-first-flight.toml",
        "-n",
        "500",
        "--json",
        "-q",
    ]);
    assert_eq!(v["baseline"]["scenario"], "tiny-race");
    assert_eq!(v["divergent"]["divergences"][0], "red-first-flight");
    let paired = &v["paired"];
    let m = &paired["milestones"][0];
    let red = &m["first"]["RED"];
    let (lo, hi) = (red["ci95"][0].as_f64().unwrap(), red["ci95"][1].as_f64().unwrap());
    assert!(lo <= red["diff"].as_f64().unwrap() && red["diff"].as_f64().unwrap() <= hi);
    assert!(lo > 0.0, "forcing Red's first flight to succeed must help Red");
    assert!(paired["interventions"][0]["applied_in"].as_u64().unwrap() == 500);
}
