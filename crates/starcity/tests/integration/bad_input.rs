//! Invariant 5: no scenario file makes the program panic; every error says where and what.

use assert_cmd::Command;

/// (fixture, `line:col` the error must point at, words the message must contain).
const CASES: &[(&str, &str, &str)] = &[
    ("syntax-error.toml", ":3:20:", "invalid basic string"),
    ("unknown-vehicle.toml", ":62:11:", "unknown vehicle `blue-rockt`"),
    ("unknown-milestone-in-condition.toml", ":92:15:", "unknown milestone `crewed_orbt`"),
    ("negative-duration.toml", ":88:24:", "-300 is out of range"),
    ("probability-above-one.toml", ":46:8:", "1.5 is out of range"),
    ("cyclic-prerequisites.toml", ":67:6:", "cyclic prerequisites: red-program → blue-program → red-program"),
    ("empty.toml", ":1:1:", "missing field `scenario`"),
    ("binary-garbage.toml", "binary-garbage.toml", "not UTF-8 text"),
    ("unknown-key.toml", ":34:1:", "unknown field `leed_days`"),
    ("missing-key.toml", ":15:1:", "missing field `risk`"),
    ("bad-date.toml", ":6:7:", "invalid date"),
    ("end-before-start.toml", ":6:7:", "is not after the start"),
    ("unknown-family.toml", ":32:10:", "unknown launch-record family `Atlass`"),
    ("bad-condition-syntax.toml", ":92:28:", "found `RED`, expected `,`"),
    ("wrong-type.toml", ":11:8:", "invalid type"),
];

fn check(file: &str) -> (i32, String) {
    let path = format!("tests/fixtures/bad/{file}");
    let out = Command::cargo_bin("starcity").unwrap().env("NO_COLOR", "1").args(["check", &path]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn every_broken_file_gives_a_located_error_and_a_clean_exit() {
    for (file, at, words) in CASES {
        let (code, stderr) = check(file);
        assert_eq!(code, 1, "{file}: exit code {code}, stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{file} panicked:\n{stderr}");
        // miette may wrap long lines: compare with line breaks and box drawing folded away.
        let flat: String = stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("{file}{at}")) || (at == file && flat.contains(*file)),
            "{file}: no location {at} in:\n{stderr}"
        );
        assert!(flat.contains(words), "{file}: missing `{words}` in:\n{stderr}");
    }
}

#[test]
fn every_fixture_is_covered() {
    let mut files: Vec<String> = std::fs::read_dir("tests/fixtures/bad")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut covered: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    covered.sort();
    assert_eq!(files, covered);
}

#[test]
fn run_on_a_broken_file_fails_the_same_way() {
    let out = Command::cargo_bin("starcity")
        .unwrap()
        .args(["run", "tests/fixtures/bad/unknown-vehicle.toml", "-n", "10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing may be printed as a result");
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let (code, stderr) = check("does-not-exist.toml");
    assert_eq!(code, 1);
    assert!(stderr.contains("cannot read the file"), "{stderr}");
}

/// Broken divergence files: (fixture, `line:col`, words the message must contain).
const DIVERGENCE_CASES: &[(&str, &str, &str)] = &[
    ("bad-outcome.toml", ":11:11:", "unknown outcome `sucess`"),
    ("negative-scale.toml", ":10:10:", "-1.5 is out of range"),
    ("stray-key.toml", ":12:10:", "`budget` does not go with `do = \"force\"`"),
    ("unknown-action.toml", ":8:6:", "unknown intervention `teleport`"),
    ("unknown-phase.toml", ":11:9:", "no phase `descent` of this target"),
    ("unknown-rule.toml", ":9:6:", "unknown rule `korolev-lives`"),
    ("unknown-vehicle.toml", ":9:11:", "unknown vehicle `n2`"),
];

#[test]
fn every_broken_divergence_gives_a_located_error() {
    let mut files: Vec<String> = std::fs::read_dir("tests/fixtures/bad-divergences")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut covered: Vec<String> = DIVERGENCE_CASES.iter().map(|c| c.0.to_string()).collect();
    covered.sort();
    assert_eq!(files, covered);
    for (file, at, words) in DIVERGENCE_CASES {
        let path = format!("tests/fixtures/bad-divergences/{file}");
        for args in [vec!["check", path.as_str()], vec!["run", "-d", path.as_str(), "-n", "10"]] {
            let out = Command::cargo_bin("starcity").unwrap().env("NO_COLOR", "1").args(&args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
            assert!(stderr.contains(&format!("{file}{at}")), "{args:?}: no location {at} in:\n{stderr}");
            assert!(stderr.contains(words), "{args:?}: missing `{words}` in:\n{stderr}");
        }
    }
}
