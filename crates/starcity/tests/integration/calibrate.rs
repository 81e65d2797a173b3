//! End-to-end tests of `starcity calibrate`: the calibration bar of the brief (§7) and untrusted
//! record files (§6, invariant 5).

use assert_cmd::Command;
use serde_json::Value;

fn starcity() -> Command {
    Command::cargo_bin("starcity").expect("binary builds")
}

fn calibrate_json(extra: &[&str]) -> Value {
    let out = starcity().arg("calibrate").arg("--json").args(extra).output().expect("runs");
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn log_score(v: &Value) -> f64 {
    v["log_score"].as_f64().expect("log_score is a number")
}

/// The bar: on the embedded record, one step ahead, the model beats both baselines on log score,
/// overall and on launches from 1965. Scores are recomputed from the data on every run.
fn assert_model_beats_baselines(v: &Value) {
    let model = log_score(&v["model"]);
    let baselines = v["baselines"].as_object().expect("baselines map");
    assert_eq!(baselines.len(), 2);
    for name in ["pooled", "family_laplace"] {
        let b = &baselines[name];
        assert_eq!(b["n"], v["model"]["n"]);
        assert!(b["brier"].is_number());
        assert!(model > log_score(b), "model log score {model} does not beat {name} {}", log_score(b));
    }
}

#[test]
fn model_beats_both_baselines_overall() {
    let v = calibrate_json(&[]);
    assert_eq!(v["model"]["n"], 2319);
    assert_eq!(v["bins"].as_array().map(Vec::len), Some(10));
    let binned: u64 = v["bins"].as_array().into_iter().flatten().map(|b| b["count"].as_u64().unwrap_or(0)).sum();
    assert_eq!(binned, 2319);
    assert!(v["fit"]["segments"].as_array().is_some_and(|s| !s.is_empty()));
    assert_model_beats_baselines(&v);
}

#[test]
fn model_beats_both_baselines_from_1965() {
    let v = calibrate_json(&["--from", "1965-01-01"]);
    let n = v["model"]["n"].as_u64().unwrap_or(0);
    assert!(n > 1500 && n < 2319, "{n}");
    assert_model_beats_baselines(&v);
}

#[test]
fn by_family_lists_the_families() {
    let v = calibrate_json(&["--by-family"]);
    let fams = v["families"].as_array().expect("families");
    let names: Vec<&str> = fams.iter().filter_map(|f| f["family"].as_str()).collect();
    for f in ["R-7", "N1", "Proton", "Saturn V"] {
        assert!(names.contains(&f), "{f} missing from {names:?}");
    }
    let total: u64 = fams.iter().filter_map(|f| f["n"].as_u64()).sum();
    assert_eq!(total, 2319);
}

#[test]
fn show_priors_lists_r7_and_atlas() {
    let out = starcity().args(["calibrate", "--show-priors", "1961-05-25"]).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("R-7") && text.contains("Atlas"), "{text}");
    assert!(!text.contains("Saturn V"), "Saturn V had not flown in 1961:\n{text}");
}

fn assert_no_panic(out: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "exit code 101 (panic): {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_records_never_panic() {
    for (name, readable) in [
        ("garbage.tsv", false),
        ("empty.tsv", false),
        ("binary.tsv", false),
        ("bad-dates.tsv", true),
        ("missing-columns.tsv", true),
    ] {
        let path = format!("{}/tests/fixtures/records/{name}", env!("CARGO_MANIFEST_DIR"));
        for extra in [&[][..], &["--json"][..], &["--by-family"][..], &["--show-priors", "1960-06-01"][..]] {
            let out = starcity().args(["calibrate", "--record", &path]).args(extra).output().expect("runs");
            assert_no_panic(&out);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if readable && extra.is_empty() {
                assert!(out.status.success(), "{name}: {stderr}");
                assert!(stderr.contains(&format!("{name}:2:")), "{name}: row errors not reported: {stderr}");
            } else if !readable {
                assert!(!out.status.success(), "{name} should be rejected");
                assert!(stderr.contains(name), "{name}: error does not name the file: {stderr}");
            }
        }
    }
}

#[test]
fn missing_file_is_a_clear_error() {
    let out = starcity().args(["calibrate", "--record", "/no/such/record.tsv"]).output().expect("runs");
    assert_no_panic(&out);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/record.tsv"));
}

#[test]
fn small_valid_record_backtests_with_the_judgement_prior() {
    let path = format!("{}/tests/fixtures/records/small-valid.tsv", env!("CARGO_MANIFEST_DIR"));
    let v = calibrate_json(&["--record", &path]);
    assert_eq!(v["model"]["n"], 3);
    assert!(v["fit"]["segments"][0]["fitted_before"].is_null());
}
