//! Invariant "untrusted input": every limit of `docs/limits.md` and every class of hostile input
//! gives one located error and exit code 1 — no panic, abort, hang or runaway memory.
//!
//! Inputs are generated from `tiny-race` into a temporary directory, so a 3 MB file of 100,000
//! milestones costs nothing in the repository.

use std::fmt::Write as _;
use std::path::Path;

use super::support::{assert_clean_failure, repo, run, starcity, tiny_race};

/// Writes `text` as `name` in `dir` and returns its path as a string.
fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// `n` copies of a TOML block, `{i}` replaced by the copy's number.
fn repeat(n: usize, block: &str) -> String {
    (0..n).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "{}", block.replace("{i}", &i.to_string()));
        s
    })
}

/// `n` copies of an inline item, `{i}` replaced by the copy's number, comma-separated.
fn repeat_list(n: usize, item: &str) -> String {
    (0..n).map(|i| item.replace("{i}", &i.to_string())).collect::<Vec<_>>().join(", ")
}

/// tiny-race with `extra` appended (TOML lets arrays of tables continue later in the file).
fn tiny_plus(extra: &str) -> String {
    format!("{}\n{extra}", tiny_race())
}

/// (name, scenario text, the limit's name). Each must fail `check` and `run` with a located error.
fn oversized_scenarios() -> Vec<(&'static str, String, &'static str)> {
    let agency = "[[agency]]\nid = \"A{i}\"\nname = \"A\"\nrisk = 0.1\nbudget = [{ from = 1960-01-01, level = 1.0 }]";
    let vehicle = "[[vehicle]]\nid = \"v{i}\"\nname = \"V\"\nagency = \"RED\"\nfailure = 0.1";
    let mission = "[[mission]]\nid = \"m{i}\"\nname = \"M\"\n[[mission.phase]]\nname = \"p\"\nvehicle = \"red-rocket\"";
    let program = "[[program]]\nid = \"p{i}\"\nname = \"P\"\nagency = \"RED\"\nstart = 1960-01-01\n\
                   stand_down = { median_days = 60, sigma = 0.5 }\nloss_stand_down = { median_days = 60, sigma = 0.5 }\n\
                   [[program.step]]\nmission = \"red-test\"\nprep = { median_days = 200, sigma = 0.4 }";
    let rule = "[[rule]]\nid = \"r{i}\"\nwhen = \"true\"\ntext = \"t\"\neffects = []";
    let era = "[[era]]\ndate = 1962-01-01\nname = \"e\"";
    let history = "[[history]]\nmilestone = \"crewed_orbit\"\nagency = \"RED\"\ndate = 1961-04-12";
    let step = "[[program.step]]\nmission = \"red-test\"\nprep = { median_days = 1, sigma = 0 }";
    let phase = "[[mission.phase]]\nname = \"p{i}\"\nvehicle = \"red-rocket\"";
    let effect = "{ do = \"budget\", agency = \"RED\", scale = 1.0 }";
    let tiny = tiny_race();
    vec![
        ("agencies", tiny_plus(&repeat(15, agency)), "agencies"),
        ("vehicles", tiny_plus(&repeat(1_000, vehicle)), "vehicles"),
        ("milestones", tiny_plus(&repeat(100_000, "[[milestone]]\nid = \"m{i}\"\nname = \"M\"")), "milestones"),
        ("missions", tiny_plus(&repeat(2_000, mission)), "missions"),
        ("programs", tiny_plus(&repeat(500, program)), "programs"),
        ("rules", tiny_plus(&repeat(2_000, rule)), "rules"),
        ("eras", tiny_plus(&repeat(64, era)), "eras"),
        ("history", tiny_plus(&repeat(1_001, history)), "history"),
        ("steps", tiny_plus(&format!("{}\n{}", program.replace("{i}", "long"), repeat(256, step))), "steps"),
        ("phases", tiny_plus(&format!("{}\n{}", mission.replace("{i}", "long"), repeat(64, phase))), "phases"),
        (
            "effects",
            tiny.replace(
                "effects = [{ do = \"budget\", agency = \"BLUE\", scale = 2.0 }]",
                &format!("effects = [{}]", vec![effect; 65].join(", ")),
            ),
            "effects",
        ),
        (
            "budget-points",
            tiny.replace(
                "budget = [{ from = 1960-01-01, level = 1.0 }]\n\n[[agency]]",
                &format!("budget = [{}]\n\n[[agency]]", vec!["{ from = 1960-01-01, level = 1.0 }"; 1_001].join(", ")),
            ),
            "budget-points",
        ),
        (
            "roster",
            tiny.replace(
                "crew = [\"Ada\", \"Boris\", \"Chen\"]",
                &format!("crew = [{}]", vec!["\"X\""; 2_001].join(", ")),
            ),
            "roster",
        ),
        (
            "flights",
            tiny.replacen(
                "[[program.step]]",
                &format!("flights = [{}]\n[[program.step]]", repeat_list(10_001, "{ name = \"F{i}\" }")),
                1,
            ),
            "flights",
        ),
        ("past", tiny_plus(&repeat(1_001, "[[past]]\nname = \"P{i}\"\nagency = \"RED\"\ndate = 1959-01-01")), "past"),
        (
            "real",
            tiny_plus(&format!(
                "[record]\nuntil = 1963-01-01\n{}",
                repeat(10_001, "[[record.flight]]\nflight = \"F{i}\"\ndate = 1961-01-01\noutcome = \"success\"")
            )),
            "real",
        ),
        (
            "list-items",
            tiny_plus(&format!(
                "[[past]]\nname = \"P\"\nagency = \"RED\"\ndate = 1959-01-01\nachieves = [{}]",
                vec!["\"crewed_orbit\""; 65].join(", ")
            )),
            "list-items",
        ),
        ("span-years", tiny.replace("end = 1965-12-31", "end = 2500-01-01"), "span-years"),
        (
            "histogram-cells",
            tiny_plus(&repeat(100, "[[milestone]]\nid = \"m{i}\"\nname = \"M\""))
                .replace("end = 1965-12-31", "end = 1990-01-01"),
            "histogram-cells",
        ),
        (
            "condition-bytes",
            tiny.replace(
                "when = \"first(crewed_orbit, RED)\"",
                &format!("when = \"{}\"", vec!["true"; 1_000].join(" and ")),
            ),
            "condition-bytes",
        ),
        (
            "condition-depth",
            tiny.replace("when = \"first(crewed_orbit, RED)\"", &format!("when = \"{}true\"", "not ".repeat(1_000))),
            "condition-depth",
        ),
        (
            "condition-parens",
            tiny.replace(
                "when = \"first(crewed_orbit, RED)\"",
                &format!("when = \"{}true{}\"", "(".repeat(2_000), ")".repeat(2_000)),
            ),
            "condition-depth",
        ),
    ]
}

#[test]
fn every_scenario_limit_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, limit) in oversized_scenarios() {
        let path = file(dir.path(), &format!("{name}.toml"), &text);
        let words = [format!("limit `{limit}`"), format!("{path}:")];
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        assert_clean_failure(name, &run(&["check", &path]), &words);
        assert_clean_failure(name, &run(&["run", &path, "-n", "10", "-q"]), &words);
        // The location has a line and a column.
        let (_, _, stderr) = run(&["check", &path]);
        let located = stderr.split(&format!("{path}:")).nth(1).unwrap_or("");
        let mut parts = located.split(':');
        let numeric = |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()));
        assert!(numeric(parts.next()) && numeric(parts.next()), "{name}: no line:col in\n{stderr}");
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_from_disk_and_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("{}\n{}", tiny_race(), "# padding\n".repeat(500_000));
    let path = file(dir.path(), "big.toml", &big);
    assert_clean_failure("big file", &run(&["check", &path]), &["limit `file-bytes`"]);
    let piped = starcity().args(["run", "-", "-n", "10", "-q"]).write_stdin(big.clone()).output().unwrap();
    assert_clean_failure("big stdin", &super::support::outcome(piped), &["limit `file-bytes`"]);
    let ok = starcity().args(["run", "-", "-n", "10", "-q"]).write_stdin(tiny_race()).output().unwrap();
    assert!(ok.status.success(), "a scenario on stdin runs");
    let record = starcity().args(["calibrate", "--record", "-"]).write_stdin("x".repeat(17 << 20)).output().unwrap();
    assert_clean_failure("big record", &super::support::outcome(record), &["limit `record-bytes`"]);
}

#[cfg(unix)]
#[test]
fn fifos_devices_and_directories_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let fifo = fifo.to_string_lossy().into_owned();
    assert_clean_failure("fifo scenario", &run(&["run", &fifo, "-q"]), &["FIFO", "expected a regular file"]);
    assert_clean_failure("fifo divergence", &run(&["run", "-d", &fifo, "-q"]), &["FIFO"]);
    assert_clean_failure("fifo check", &run(&["check", &fifo]), &["FIFO"]);
    assert_clean_failure("fifo record", &run(&["calibrate", "--record", &fifo]), &["FIFO"]);
    assert_clean_failure("device", &run(&["run", "/dev/zero", "-q"]), &["a device"]);
    assert_clean_failure("directory", &run(&["check", "/tmp"]), &["a directory"]);
}

#[test]
fn a_zero_time_loop_stops_at_the_event_budget_naming_the_program_and_step() {
    let dir = tempfile::tempdir().unwrap();
    let text = crate::support::zero_time_loop();
    let path = file(dir.path(), "loop.toml", &text);
    let expected = ["limit `events`", "at program `red-program`, step 1 (red-orbit)", "timeline 0 stopped on 1960-"];
    for args in [
        vec!["run", path.as_str(), "-n", "100000", "-q"],
        vec!["run", path.as_str(), "-n", "5000", "-q", "--threads", "1"],
        vec!["chronicle", path.as_str(), "--timeline", "7", "-n", "1"],
    ] {
        assert_clean_failure("loop", &run(&args), &expected);
    }
}

#[test]
fn flags_are_bounded() {
    for (args, words) in [
        (vec!["run", "--threads", "100000"], "100000"),
        (vec!["run", "--threads", "0"], "0"),
        (vec!["run", "-n", "0"], "out of range"),
        (vec!["run", "-n", "18446744073709551615"], "out of range"),
        (vec!["chronicle", "-n", "1000000001"], "out of range"),
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: clap rejects it with its usage code, got {code}:\n{stderr}");
        assert!(stderr.contains(words), "{args:?}:\n{stderr}");
    }
    let many: Vec<&str> = std::iter::repeat_n(["-d", "star-city"], 33).flatten().collect();
    let args: Vec<&str> = ["run", "-q"].into_iter().chain(many).collect();
    assert_clean_failure("33 divergences", &run(&args), &["limit `divergences`"]);
}

#[test]
fn conditions_given_as_flags_are_bounded_and_checked() {
    let deep = format!("{}true", "not ".repeat(1_000));
    let cases = [
        (deep.as_str(), "condition-depth"),
        ("crew_lost(USA) > nan", "expected a number"),
        ("crew_lost(USA) > 1e999", "finite number"),
        ("crew_lost(USA) > inf", "expected a number"),
    ];
    for (cond, words) in cases {
        let out = run(&["chronicle", "-n", "10", "--where", cond]);
        assert_clean_failure(cond, &out, &[words, "--where:1:"]);
    }
}

#[test]
fn a_reserved_agency_id_and_an_overflowing_integer_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "none.toml", &tiny_race().replace("id = \"RED\"", "id = \"none\""));
    assert_clean_failure("agency none", &run(&["check", &path]), &[&format!("{path}:9:6"), "reports use it"]);
    let div =
        "[divergence]\nid = \"x\"\nname = \"x\"\n\n[[intervention]]\ndo = \"force\"\nflight = 99999999999999999999\n";
    let path = file(dir.path(), "overflow.toml", div);
    let out = run(&["check", &path]);
    assert_clean_failure("overflow", &out, &[&format!("{path}:7:10"), "99999999999999999999", "docs/divergences.md"]);
    assert!(!out.2.contains("unknown field `divergence`"), "{}", out.2);
}

#[test]
fn every_error_is_printed_once() {
    let path = repo("crates/starcity/tests/fixtures/bad/unknown-vehicle.toml");
    let path = path.to_string_lossy();
    for cmd in ["check", "run"] {
        let (_, _, stderr) = run(&[cmd, &path]);
        assert_eq!(stderr.matches("unknown vehicle `blue-rockt`").count(), 1, "{cmd}:\n{stderr}");
    }
}

#[test]
fn too_many_interventions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let one = "[[intervention]]\ndo = \"remove-rule\"\nid = \"blue-responds\"";
    let text = format!("[divergence]\nid = \"x\"\nname = \"x\"\nbase = \"tiny-race\"\n\n{}", repeat(501, one));
    let path = file(dir.path(), "many.toml", &text);
    assert_clean_failure("interventions", &run(&["run", "tiny-race", "-d", &path, "-q"]), &["limit `interventions`"]);
}

#[test]
fn a_rule_added_then_removed_by_a_later_divergence_is_reported_not_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let add = "[divergence]\nid = \"addr\"\nname = \"add\"\n[[intervention]]\ndo = \"add-rule\"\n\
               rule = { id = \"late\", when = \"true\", text = \"t\", effects = [] }\n";
    let remove =
        "[divergence]\nid = \"remr\"\nname = \"remove\"\n[[intervention]]\ndo = \"remove-rule\"\nid = \"late\"\n";
    let (add, remove) = (file(dir.path(), "add.toml", add), file(dir.path(), "remove.toml", remove));
    for cmd in ["run", "compare"] {
        let (code, stdout, stderr) = run(&[cmd, "tiny-race", "-d", &add, "-d", &remove, "-n", "100", "-q"]);
        assert_eq!(code, 0, "{cmd}: {stderr}");
        assert!(stdout.contains("rule `late` removed"), "{cmd}:\n{stdout}");
    }
}

#[test]
fn compounding_effects_cannot_overflow_the_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let effect = "{ do = \"budget\", agency = \"RED\", scale = 100.0 }";
    let rule = format!(
        "[[rule]]\nid = \"boom\"\nwhen = \"true\"\ntext = \"x\"\neffects = [{}]\n",
        vec![effect; 64].join(", ")
    );
    let path = file(dir.path(), "boom.toml", &tiny_plus(&rule));
    let (code, _, stderr) = run(&["run", &path, "-n", "300", "-q"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn conditions_too_costly_to_evaluate_stop_at_the_work_budget() {
    let dir = tempfile::tempdir().unwrap();
    let atoms = vec!["flights(red-rocket) < 0"; 150].join(" or ");
    let rules = repeat(40, &format!("[[rule]]\nid = \"r{{i}}\"\nwhen = \"{atoms}\"\ntext = \"t\"\neffects = []"));
    // Red's rocket always fails and nobody dies: a flight every two days, each re-evaluating every rule.
    let text = tiny_plus(&rules)
        .replace("prior = { mean = 0.2, strength = 10 }  # judgement", "failure = 1.0")
        .replace("loss = 0.3", "loss = 0.0")
        .replace("prep = { median_days = 200, sigma = 0.4 }", "prep = { median_days = 1, sigma = 0 }")
        .replace("stand_down = { median_days = 60, sigma = 0.5 }", "stand_down = { median_days = 1, sigma = 0 }");
    let path = file(dir.path(), "costly.toml", &text);
    assert_clean_failure("work", &run(&["run", &path, "-n", "50", "-q"]), &["limit `work`", "timeline 0 stopped on"]);
}

#[test]
fn error_output_is_bounded_for_files_full_of_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let ids = repeat(100, &format!("[[milestone]]\nid = \"m{{i}}_{}\"\nname = \"M\"", "x".repeat(40)));
    let bad = repeat(300, "[[history]]\nmilestone = \"nope\"\nagency = \"RED\"\ndate = 1961-04-12");
    let path = file(dir.path(), "mistakes.toml", &tiny_plus(&format!("{ids}\n{bad}")));
    let (code, _, stderr) = run(&["check", &path]);
    assert_eq!(code, 1);
    assert!(stderr.contains("200 more errors not listed"), "{}", &stderr[stderr.len().saturating_sub(500)..]);
    assert!(stderr.contains("… (81 more)"), "the hint lists 20 names, then a count");
    assert!(stderr.len() < 200_000, "{} bytes of errors", stderr.len());
    let long_line = tiny_race().replace("name = \"Red orbital flight\"", &format!("name = \"R\" {}", " ".repeat(500)));
    let path = file(
        dir.path(),
        "long-line.toml",
        &long_line.replace("vehicle = \"red-rocket\"\nloss", "vehicle = \"x\"\nloss"),
    );
    let (_, _, stderr) = run(&["check", &path]);
    assert!(stderr.contains("unknown vehicle `x`"), "{stderr}");
    let long_id = tiny_race().replace("id = \"RED\"", &format!("id = \"{}\"", "R".repeat(100)));
    let path = file(dir.path(), "long-id.toml", &long_id);
    assert_clean_failure("long id", &run(&["check", &path]), &["limit `id-bytes`", ":9:6"]);
    let long_name = tiny_race().replace("name = \"Red\"", &format!("name = \"{}\"", "R".repeat(2_000)));
    let path = file(dir.path(), "long-name.toml", &long_name);
    assert_clean_failure("long name", &run(&["check", &path]), &["limit `text-bytes`"]);
}

#[test]
fn stdin_once_and_each_divergence_once() {
    let (code, _, stderr) = super::support::outcome(
        starcity().args(["run", "-", "-d", "-", "-q"]).write_stdin(tiny_race()).output().unwrap(),
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("can be read only once"), "{stderr}");
    assert_clean_failure(
        "twice",
        &run(&["run", "-d", "star-city", "-d", "star-city", "-q"]),
        &["divergence `star-city` is already applied"],
    );
}

#[test]
fn where_errors_point_at_the_users_own_column() {
    let out = run(&["chronicle", "-n", "5", "--where", "first(crewed_orbit, \"USSR\")"]);
    assert_clean_failure("--where", &out, &["--where:1:21", "found the quoted name \"USSR\", expected an agency id"]);
}

#[test]
fn a_divergence_runs_on_its_own_base_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let div = "[divergence]\nid = \"slow-blue\"\nname = \"Blue slows\"\nbase = \"tiny-race\"\n\n[[intervention]]\n\
               do = \"scale\"\nfrom = 1960-06-01\nagency = \"BLUE\"\nbudget = 0.5\n";
    let path = file(dir.path(), "slow-blue.toml", div);
    let (code, stdout, stderr) = run(&["compare", "-d", &path, "-n", "100", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("A tiny race vs slow-blue"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&run(&["run", "-d", &path, "-n", "100", "-q", "--json"]).1).unwrap();
    assert_eq!(json["scenario"], "tiny-race");
    assert_eq!(json["interventions"].as_array().map(Vec::len), Some(1), "run --json -d lists the interventions");
}

#[test]
fn a_replaced_rule_removed_later_applies_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let replace = "[divergence]\nid = \"ra\"\nname = \"a\"\n[[intervention]]\ndo = \"replace-rule\"\n\
                   rule = { id = \"blue-responds\", when = \"false\", text = \"never\", effects = [] }\n";
    let remove =
        "[divergence]\nid = \"rb\"\nname = \"b\"\n[[intervention]]\ndo = \"remove-rule\"\nid = \"blue-responds\"\n";
    let (a, b) = (file(dir.path(), "a.toml", replace), file(dir.path(), "b.toml", remove));
    let (code, stdout, stderr) = run(&["run", "tiny-race", "-d", &a, "-d", &b, "-n", "200", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let replaced = stdout.lines().find(|l| l.contains("replaced")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(replaced.ends_with("(applied in 0 of 200 timelines)"), "{replaced}");
}

#[test]
fn texts_added_by_divergences_and_phase_names_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(1_500);
    let rule = format!(
        "[divergence]\nid = \"d\"\nname = \"d\"\n[[intervention]]\ndo = \"add-rule\"\n\
         rule = {{ id = \"r\", when = \"true\", text = \"{long}\", effects = [] }}\n"
    );
    let path = file(dir.path(), "rule.toml", &rule);
    assert_clean_failure("rule text", &run(&["run", "tiny-race", "-d", &path, "-q"]), &["limit `text-bytes`"]);
    let phase = tiny_race().replacen("name = \"launch\"", &format!("name = \"{long}\""), 1);
    let path = file(dir.path(), "phase.toml", &phase);
    assert_clean_failure("phase name", &run(&["check", &path]), &["limit `text-bytes`"]);
    // A 5,000-byte comment right under the bad line: miette would echo it as context.
    let padded = tiny_race().replace("risk = 0.2", &format!("risk = 2.0\n# {}", "z".repeat(5_000)));
    let path = file(dir.path(), "padded.toml", &padded);
    let (_, _, stderr) = run(&["check", &path]);
    assert!(stderr.contains("2 is out of range") || stderr.contains("2.0"), "{stderr}");
    assert!(stderr.len() < 2_000, "a long neighbouring line is not echoed: {} bytes", stderr.len());
}
