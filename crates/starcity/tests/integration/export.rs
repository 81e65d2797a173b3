//! `starcity export`: one row per timeline. The header is pinned; rows are in timeline order and
//! the same on any thread count; they agree with `run --json`; Parquet reads back to the CSV's
//! values; `-o` stays atomic; bad targets are refused cleanly.

use serde_json::Value;

use super::support::{assert_clean_failure, run, tiny_race};

/// `starcity export ARGS -q` to stdout; the CSV text, after checking it succeeded.
fn csv(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(&[&["export", "-q"], args].concat());
    assert_eq!(code, 0, "export {args:?} failed:\n{stderr}");
    stdout
}

/// The binary as a plain command, for standard streams `assert_cmd` does not set.
fn plain() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("starcity"));
    c.env("NO_COLOR", "1");
    c
}

/// The CSV as records of cells, header first.
fn records(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn the_csv_header_is_pinned() {
    let text = csv(&["-n", "1"]);
    let header = text.lines().next().unwrap().replace(',', "\n");
    insta::assert_snapshot!("space_race_header", header);
}

#[test]
fn rows_are_the_same_on_any_thread_count_and_longer_runs_extend_shorter_ones() {
    let one = csv(&["-n", "2000", "--threads", "1"]);
    let two = csv(&["-n", "2000", "--threads", "2"]);
    assert!(one == two, "rows differ between 1 and 2 threads");
    let longer = csv(&["-n", "3000", "--threads", "2"]);
    let lines: Vec<&str> = longer.lines().collect();
    assert_eq!(lines.len(), 3001, "a header and one row per timeline");
    assert_eq!(lines[..2001].join("\n") + "\n", one, "the rows of -n 2000 are the first rows of -n 3000");
    for (i, line) in lines[1..].iter().enumerate() {
        assert!(line.starts_with(&format!("{i},")), "row {i} is timeline {i}: {line}");
    }
}

#[test]
fn rows_agree_with_the_ensemble_summary() {
    let (seed, n) = ("7", 2000);
    let rows = records(&csv(&["-n", &n.to_string(), "--seed", seed]));
    let (code, stdout, stderr) = run(&["run", "-n", &n.to_string(), "--seed", seed, "--json", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    for m in report["milestones"].as_array().unwrap() {
        let id = m["id"].as_str().unwrap();
        let col = rows[0].iter().position(|c| *c == format!("{id}__winner")).unwrap();
        for (who, p) in m["first"].as_object().unwrap() {
            let count = rows[1..].iter().filter(|r| r[col] == *who).count();
            let share = count as f64 / n as f64;
            assert!((share - p.as_f64().unwrap()).abs() < 1e-12, "{id} first {who}: rows {share}, run {p}");
        }
        for (agency, p) in m["reached"].as_object().unwrap() {
            let col = rows[0].iter().position(|c| *c == format!("{id}__{agency}")).unwrap();
            let count = rows[1..].iter().filter(|r| !r[col].is_empty()).count();
            assert!((count as f64 / n as f64 - p.as_f64().unwrap()).abs() < 1e-12, "{id} reached by {agency}");
        }
    }
    let landing_ussr = rows[1..]
        .iter()
        .filter(|r| r[rows[0].iter().position(|c| c == "crewed_lunar_landing__winner").unwrap()] == "USSR")
        .count();
    let json_ussr = report["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "crewed_lunar_landing")
        .unwrap()["first"]["USSR"]
        .as_f64()
        .unwrap();
    assert_eq!(landing_ussr as f64 / n as f64, json_ussr);
}

#[test]
fn the_format_follows_the_extension_and_the_flag_wins() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("rows.parquet");
    let as_csv = dir.path().join("really-csv.parquet");
    let pq_s = pq.to_string_lossy().into_owned();
    let as_csv_s = as_csv.to_string_lossy().into_owned();
    for args in
        [vec!["tiny-race", "-n", "10", "-o", &pq_s], vec!["tiny-race", "-n", "10", "--format", "csv", "-o", &as_csv_s]]
    {
        let (code, _, stderr) = run(&[&["export", "-q"], &args[..]].concat());
        if cfg!(feature = "parquet") || args.contains(&"csv") {
            assert_eq!(code, 0, "{stderr}");
        } else {
            assert_clean_failure("parquet without the feature", &(code, String::new(), stderr), &["without Parquet"]);
        }
    }
    if cfg!(feature = "parquet") {
        assert_eq!(&std::fs::read(&pq).unwrap()[..4], b"PAR1");
    }
    assert!(std::fs::read_to_string(&as_csv).unwrap().starts_with("timeline,"));
}

#[cfg(feature = "parquet")]
mod parquet_file {
    use std::path::Path;

    use parquet::basic::{LogicalType, Type as Physical};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    use super::super::support::starcity;
    use super::*;

    /// The Parquet file's cells spelt as the CSV spells them.
    fn cells(path: &Path) -> Vec<Vec<String>> {
        let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
        let rows = reader.get_row_iter(None).unwrap();
        rows.map(|row| row.unwrap().get_column_iter().map(|(_, field)| spelt(field)).collect()).collect()
    }

    fn spelt(field: &Field) -> String {
        match field {
            Field::Null => String::new(),
            Field::Long(n) => n.to_string(),
            Field::Str(s) => s.clone(),
            Field::Date(days) => (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                + chrono::Duration::days(i64::from(*days)))
            .to_string(),
            other => panic!("unexpected field {other:?}"),
        }
    }

    #[test]
    fn parquet_reads_back_to_the_csv_values_with_typed_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.parquet");
        let path_s = path.to_string_lossy().into_owned();
        let (code, _, stderr) = run(&["export", "-n", "1500", "--seed", "4", "-q", "-o", &path_s]);
        assert_eq!(code, 0, "{stderr}");
        let text = csv(&["-n", "1500", "--seed", "4"]);
        let csv_rows = records(&text);
        assert_eq!(cells(&path), csv_rows[1..], "every cell of every row");

        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr();
        let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
        assert_eq!(names, csv_rows[0], "the same column names");
        let typed = |name: &str| {
            let c = schema.columns().iter().find(|c| c.name() == name).unwrap();
            (c.physical_type(), c.logical_type_ref().cloned())
        };
        assert_eq!(typed("timeline"), (Physical::INT64, None));
        assert_eq!(typed("crewed_lunar_landing__USA"), (Physical::INT32, Some(LogicalType::Date)));
        assert_eq!(typed("crewed_lunar_landing__winner"), (Physical::BYTE_ARRAY, Some(LogicalType::String)));
        assert_eq!(typed("USSR__crew_lost"), (Physical::INT64, None));
        assert_eq!(typed("apollo-lunar__fate"), (Physical::BYTE_ARRAY, Some(LogicalType::String)));
    }

    #[cfg(unix)]
    #[test]
    fn parquet_is_not_written_to_a_terminal_but_goes_down_a_pipe() {
        let (mut leader, mut follower) = (0, 0);
        let opened = unsafe {
            libc::openpty(&mut leader, &mut follower, std::ptr::null_mut(), std::ptr::null(), std::ptr::null())
        };
        assert_eq!(opened, 0, "a pseudo-terminal for the test");
        let terminal = unsafe { std::os::fd::OwnedFd::from_raw_fd(follower) };
        let _leader = unsafe { std::os::fd::OwnedFd::from_raw_fd(leader) };
        let out = plain().args(["export", "tiny-race", "-n", "10", "--format", "parquet"]).stdout(terminal).output();
        let result = super::super::support::outcome(out.unwrap());
        assert_clean_failure("parquet to a terminal", &result, &["refusing to write Parquet", "-o FILE.parquet"]);
        let piped = starcity().args(["export", "tiny-race", "-n", "10", "--format", "parquet", "-q"]).output().unwrap();
        assert!(piped.status.success());
        assert_eq!(&piped.stdout[..4], b"PAR1");
    }

    use std::os::fd::FromRawFd;
}

#[test]
fn a_failed_export_leaves_the_previous_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = crate::support::zero_time_loop();
    let looping = dir.path().join("loop.toml");
    std::fs::write(&looping, text).unwrap();
    let out = dir.path().join("keep.csv");
    std::fs::write(&out, "precious").unwrap();
    let (looping, out_s) = (looping.to_string_lossy().into_owned(), out.to_string_lossy().into_owned());
    for format in ["csv", "parquet"] {
        let result = run(&["export", &looping, "-n", "3000", "-q", "--format", format, "-o", &out_s]);
        let why = if format == "parquet" && !cfg!(feature = "parquet") { "without Parquet" } else { "limit `events`" };
        assert_clean_failure("event budget", &result, &[why]);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
    }
}

#[cfg(unix)]
#[test]
fn an_interrupted_export_leaves_the_previous_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keep.csv");
    std::fs::write(&out, "precious").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("starcity");
    let mut child = std::process::Command::new(bin)
        .args(["export", "tiny-race", "-n", "1000000000", "-q", "-o"])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Long enough for rows to be in the temporary file.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let temporaries = std::fs::read_dir(dir.path()).unwrap().count();
    assert!(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(temporaries, 2, "the rows were being written beside the target");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
}

#[test]
fn bad_targets_and_ids_are_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let under_file = file.join("rows.csv").to_string_lossy().into_owned();
    let here = dir.path().to_string_lossy().into_owned();
    for (target, words) in [
        ("/no/such/dir/rows.csv", "does not exist"),
        (under_file.as_str(), "Not a directory"),
        (here.as_str(), "directory"),
        ("/dev/null", "not a regular file"),
    ] {
        assert_clean_failure(target, &run(&["export", "tiny-race", "-n", "10", "-q", "-o", target]), &[words]);
    }
    let clashing = dir.path().join("clash.toml");
    std::fs::write(&clashing, tiny_race().replace("BLUE", "winner")).unwrap();
    let clashing = clashing.to_string_lossy().into_owned();
    assert_clean_failure(
        "ids that collide",
        &run(&["export", &clashing, "-n", "10", "-q"]),
        &["two columns would both be named `crewed_orbit__winner`", "agency `winner`", "the winner of milestone"],
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_and_a_closed_pipe_is_not() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = plain().args(["export", "tiny-race", "-n", "5000", "-q"]).stdout(full).output().unwrap();
    let result = super::support::outcome(out);
    assert_clean_failure("/dev/full", &result, &["cannot write to standard output", "No space left"]);

    let sh = format!("{} export tiny-race -n 200000 -q | head -2", assert_cmd::cargo::cargo_bin("starcity").display());
    let out = std::process::Command::new("bash").args(["-c", &format!("set -o pipefail; {sh}")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}
