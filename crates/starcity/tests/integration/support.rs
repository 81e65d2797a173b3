//! Helpers shared by the end-to-end modules: the binary, the built-in files, temporary inputs.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

/// The `starcity` binary, without colours, with a time limit: no input may hang it.
pub fn starcity() -> Command {
    let mut c = Command::cargo_bin("starcity").unwrap();
    c.env("NO_COLOR", "1").timeout(Duration::from_secs(120));
    c
}

/// Runs `starcity ARGS` and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    outcome(starcity().args(args).output().unwrap())
}

pub fn outcome(out: Output) -> (i32, String, String) {
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// A file of the repository (scenarios/, divergences/, data/).
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

/// The text of the built-in `tiny-race` scenario.
pub fn tiny_race() -> String {
    std::fs::read_to_string(repo("scenarios/tiny-race.toml")).unwrap()
}

/// `tiny-race` made to loop without time passing: Red's rocket always fails, nobody dies, and
/// preparation and stand-down take no time, so a timeline runs into the event budget.
pub fn zero_time_loop() -> String {
    tiny_race()
        .replace("prior = { mean = 0.2, strength = 10 }  # judgement", "failure = 1.0")
        .replace("stand_down = { median_days = 60, sigma = 0.5 }", "stand_down = { median_days = 0, sigma = 0 }")
        .replace("prep = { median_days = 200, sigma = 0.4 }", "prep = { median_days = 0, sigma = 0 }")
        .replace("test = \"red-test\"\n", "")
        .replace("loss = 0.3", "loss = 0.0")
}

/// Asserts a failure the way users should see one: exit code 1, no panic, the message once.
pub fn assert_clean_failure(what: &str, (code, _, stderr): &(i32, String, String), words: &[&str]) {
    assert_eq!(*code, 1, "{what}: exit code {code}, stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{what} panicked:\n{stderr}");
    for w in words {
        assert!(stderr.contains(w), "{what}: missing `{w}` in:\n{stderr}");
    }
}
