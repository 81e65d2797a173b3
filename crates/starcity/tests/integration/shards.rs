//! `--shard K/N` and `merge`: any split, merged in any order, is the unsplit output byte for byte;
//! shards that do not make one whole are refused, naming the file.

use std::path::{Path, PathBuf};

use crate::support::{assert_clean_failure, run, starcity};

/// Runs `args` as shards `1..=n` into `dir` and returns their paths.
fn shards(dir: &Path, args: &[&str], n: u64) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let path = dir.join(format!("shard-{k}-of-{n}.json"));
            let spec = format!("{k}/{n}");
            let mut all = args.to_vec();
            all.extend(["-q", "--shard", &spec, "-o", path.to_str().unwrap()]);
            let (code, _, stderr) = run(&all);
            assert_eq!(code, 0, "{all:?}: {stderr}");
            path
        })
        .collect()
}

fn merge(paths: &[PathBuf]) -> (i32, String, String) {
    let mut all = vec!["merge".to_string()];
    all.extend(paths.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    run(&refs)
}

fn check_splits(args: &[&str]) {
    let (code, whole, stderr) = run(&[args, &["-q"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    for n in [1, 2, 3, 7] {
        let mut paths = shards(dir.path(), args, n);
        paths.reverse(); // any order
        paths.rotate_left(n as usize / 2);
        let (code, merged, stderr) = merge(&paths);
        assert_eq!(code, 0, "{stderr}");
        assert!(merged == whole, "{args:?} split {n} ways merges into something else");
    }
}

#[test]
fn any_split_of_a_run_merges_into_the_unsplit_json() {
    check_splits(&["run", "-n", "700", "--json"]);
}

#[test]
fn any_split_of_a_comparison_merges_into_the_unsplit_json_and_text() {
    check_splits(&["compare", "-d", "star-city", "-n", "300", "--json"]);
    let div = crate::support::repo("crates/starcity/tests/fixtures/divergences/red-first-flight.toml");
    check_splits(&["compare", "tiny-race", "-d", div.to_str().unwrap(), "-n", "500"]);
}

/// `korolev-survives` removes a rule: its intervention is counted on the baseline, which the
/// shards must carry too.
#[test]
fn a_run_whose_divergence_removes_a_rule_merges_exactly() {
    check_splits(&["run", "-d", "korolev-survives", "-n", "400"]);
}

#[test]
fn merge_writes_the_format_its_output_file_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    let paths = shards(dir.path(), &["run", "tiny-race", "-n", "300"], 2);
    let out = dir.path().join("merged.md");
    let mut all = vec!["merge".to_string(), "-o".into(), out.display().to_string()];
    all.extend(paths.iter().map(|p| p.display().to_string()));
    let (code, _, stderr) = run(&all.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{stderr}");
    let (_, whole, _) = run(&["run", "tiny-race", "-n", "300", "-q", "--format", "markdown"]);
    assert_eq!(std::fs::read_to_string(out).unwrap(), whole);
}

#[test]
fn shards_that_do_not_fit_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let three = shards(dir.path(), &["run", "tiny-race", "-n", "300"], 3);
    let missing = merge(&three[..2]);
    assert_clean_failure(
        "a missing shard",
        &missing,
        &["no shard covers timelines 200..300 (of 300): shard 3/3 is missing"],
    );
    let twice = merge(&[three[0].clone(), three[0].clone(), three[1].clone(), three[2].clone()]);
    assert_clean_failure("a file twice", &twice, &["shard-1-of-3.json is given twice"]);
    let copy = dir.path().join("copy.json");
    std::fs::copy(&three[1], &copy).unwrap();
    let copied = merge(&[three[0].clone(), three[1].clone(), copy, three[2].clone()]);
    assert_clean_failure("a shard copied", &copied, &["are the same shard (2/3, timelines 100..200)"]);
    let other_seed = dir.path().join("seed2");
    std::fs::create_dir(&other_seed).unwrap();
    let seed2 = shards(&other_seed, &["run", "tiny-race", "-n", "300", "--seed", "2"], 3);
    let mixed = merge(&[three[0].clone(), seed2[1].clone(), three[2].clone()]);
    assert_clean_failure("another seed", &mixed, &["differs from", "in seed: 2 against 1"]);
    let div = crate::support::repo("crates/starcity/tests/fixtures/divergences/red-first-flight.toml");
    let compare = shards(&other_seed, &["compare", "tiny-race", "-d", div.to_str().unwrap(), "-n", "300"], 3);
    let kinds = merge(&[three[0].clone(), compare[1].clone(), three[2].clone()]);
    assert_clean_failure("run and compare", &kinds, &["in command: compare against run"]);
}

#[test]
fn forged_or_broken_shards_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let paths = shards(dir.path(), &["run", "tiny-race", "-n", "200"], 2);
    let text = std::fs::read_to_string(&paths[0]).unwrap();
    let forged = dir.path().join("forged.json");
    // A counter array claiming four billion entries: refused before anything is allocated.
    let huge = text.replacen("\"first\":{\"len\":", "\"first\":{\"len\":4000000000,\"was\":", 1);
    std::fs::write(&forged, huge).unwrap();
    let r = merge(&[forged.clone(), paths[1].clone()]);
    assert_clean_failure("a forged length", &r, &["forged.json is not a readable shard file"]);
    std::fs::write(&forged, "not json").unwrap();
    assert_clean_failure("garbage", &merge(std::slice::from_ref(&forged)), &["not a readable shard file"]);
    // The right length, counters of another scenario: a shape mismatch, not wrong numbers.
    let other = text.replacen("A tiny race", "A tiny race, edited", 1);
    std::fs::write(&forged, other).unwrap();
    let r = merge(&[forged.clone(), paths[1].clone()]);
    assert_clean_failure("an edited scenario", &r, &["shard files edited by hand"]);
    // A count edited by hand (it would print a probability above one): the check finds it.
    let counted = text.replacen("\"n\":100,", "\"n\":100000,", 1);
    assert_ne!(counted, text);
    std::fs::write(&forged, counted).unwrap();
    let r = merge(&[forged.clone(), paths[1].clone()]);
    assert_clean_failure("an edited count", &r, &["forged.json was edited after it was written"]);
    // Counts forged with their checks made again: a sum that overflows is refused, not wrapped
    // (or, in a debug build, a panic).
    let forge = |from: &Path, to: &Path| {
        let mut file: starcity_core::shard::ShardFile =
            serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
        file.summary.as_mut().unwrap().first[0] = u64::MAX;
        file.check = file.payload_check();
        std::fs::write(to, serde_json::to_string(&file).unwrap()).unwrap();
    };
    let other = dir.path().join("forged-2.json");
    forge(&paths[0], &forged);
    forge(&paths[1], &other);
    let r = merge(&[forged.clone(), other]);
    assert_clean_failure("overflowing counts", &r, &["forged-2.json: its counts overflow when added"]);
    // A version 1 file (no check) is refused by its version, not as unreadable or edited.
    let v1 = text.replacen("\"version\":2", "\"version\":1", 1);
    let v1 = v1.split(",\"check\":").next().unwrap().to_string() + "}";
    std::fs::write(&forged, v1).unwrap();
    let r = merge(&[forged, paths[1].clone()]);
    assert_clean_failure(
        "a version 1 shard",
        &r,
        &["forged.json is shard format version 1; this starcity reads version 2"],
    );
}

/// `--shard` as given, the scheduler's variables, and the shard it runs or words of its refusal.
type AutoCase<'a> = (&'a str, &'a [(&'a str, &'a str)], Result<[u64; 2], &'a str>);

#[test]
fn a_shard_needs_an_output_file_and_auto_reads_slurm() {
    let r = run(&["run", "tiny-race", "-n", "100", "-q", "--shard", "1/2"]);
    assert_clean_failure("no -o", &r, &["--shard writes a shard file"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("auto.json");
    // (spec, environment) -> the shard it runs, or words of its refusal.
    // A Slurm array task's variables: ID, MIN, MAX, COUNT, STEP.
    let slurm = |id, min, max, count, step| {
        let names = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT"];
        let mut vars: Vec<(&str, &str)> = names.into_iter().zip([id, min, max, count]).collect();
        vars.push(("SLURM_ARRAY_TASK_STEP", step));
        vars
    };
    let cases: [AutoCase; 10] = [
        // --array=1-4, task 2; and --array=0-3, task 1: both the second of four.
        ("auto", &slurm("2", "1", "4", "4", "1"), Ok([2, 4])),
        ("auto", &slurm("1", "0", "3", "4", "1"), Ok([2, 4])),
        // A re-run of task 3 alone (--array=3) must not run the whole job as shard 1/1.
        ("auto", &slurm("3", "3", "3", "1", "1"), Err("starts at task 3")),
        // Stepped arrays (--array=0-12:4, --array=1-15:2) have gaps.
        ("auto", &slurm("4", "0", "12", "4", "4"), Err("without gaps or steps")),
        ("auto", &slurm("3", "1", "15", "8", "2"), Err("without gaps or steps")),
        ("auto", &[("JOB_COMPLETION_INDEX", "0")], Err("write --shard auto/N")),
        ("auto/4", &slurm("3", "3", "3", "1", "1"), Ok([3, 4])),
        ("auto/4", &[("SLURM_ARRAY_TASK_ID", "0")], Err("SLURM_ARRAY_TASK_ID = 0 makes shard 0 of 4")),
        ("auto/4", &[("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "9")], Ok([1, 4])),
        ("auto", &[], Err("SLURM_ARRAY_TASK_ID is not set")),
    ];
    let vars = [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_MAX",
        "SLURM_ARRAY_TASK_COUNT",
        "JOB_COMPLETION_INDEX",
    ];
    for (spec, env, expected) in cases {
        let _ = std::fs::remove_file(&out);
        let mut cmd = starcity();
        cmd.args(["run", "tiny-race", "-n", "100", "-q", "--shard", spec, "-o", out.to_str().unwrap()]);
        vars.iter().for_each(|v| _ = cmd.env_remove(v));
        env.iter().for_each(|(k, v)| _ = cmd.env(k, v));
        let r = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&r.stderr);
        match expected {
            Ok(shard) => {
                assert!(r.status.success(), "{spec} {env:?}: {stderr}");
                let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
                assert_eq!(file["header"]["shard"], serde_json::json!(shard), "{spec} {env:?}");
            }
            Err(words) => {
                assert_eq!(r.status.code(), Some(1), "{spec} {env:?}: {stderr}");
                assert!(stderr.contains(words) && !stderr.contains("Some("), "{spec} {env:?}: {stderr}");
                assert!(!out.exists(), "{spec} {env:?} left a file");
            }
        }
    }
}

/// Exports `args` as parts `1..=n` into `dir` (last first: any order), named `part-K-of-N.csv`.
fn export_parts(dir: &Path, args: &[&str], n: u64) -> Vec<PathBuf> {
    (1..=n)
        .rev()
        .map(|k| {
            let part = dir.join(format!("part-{k}-of-{n}.csv"));
            let spec = format!("{k}/{n}");
            let all = [&["export"], args, &["-q", "--shard", &spec, "-o", part.to_str().unwrap()]].concat();
            let (code, _, stderr) = run(&all);
            assert_eq!(code, 0, "{all:?}: {stderr}");
            part
        })
        .collect()
}

/// `merge -o OUT PART…`.
fn merge_to(out: &Path, parts: &[PathBuf]) -> (i32, String, String) {
    let mut all = vec!["merge".to_string(), "-o".into(), out.display().to_string()];
    all.extend(parts.iter().map(|p| p.display().to_string()));
    run(&all.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Checks that every split of an export (`args`, whole into `whole`) merges into its bytes.
fn check_export_splits(dir: &Path, args: &[&str], whole: &Path) {
    let all = [&["export"], args, &["-q", "-o", whole.to_str().unwrap()]].concat();
    let (code, _, stderr) = run(&all);
    assert_eq!(code, 0, "{stderr}");
    for n in [1u64, 3, 7] {
        let parts = export_parts(dir, args, n);
        let merged = dir.join(format!("merged-{n}-{}", whole.file_name().unwrap().to_string_lossy()));
        let (code, _, stderr) = merge_to(&merged, &parts);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            std::fs::read(&merged).unwrap() == std::fs::read(whole).unwrap(),
            "{args:?}: {n} parts merge into another file"
        );
    }
}

/// `export --shard` writes CSV parts with their headers beside them; `merge` joins the parts into
/// the unsplit CSV byte for byte, and refuses a part that lost a row, was cut mid-row or had a
/// cell edited (its bytes no longer hash to its header's check), or lost its header.
#[test]
fn export_parts_merge_into_the_unsplit_csv() {
    let dir = tempfile::tempdir().unwrap();
    check_export_splits(dir.path(), &["tiny-race", "-n", "700"], &dir.path().join("whole.csv"));
    let part = dir.path().join("part-2-of-3.csv");
    let text = std::fs::read_to_string(&part).unwrap();
    let parts: Vec<String> =
        (1..=3).map(|k| dir.path().join(format!("part-{k}-of-3.csv")).display().to_string()).collect();
    let merge_parts = || {
        let out = dir.path().join("merged.csv");
        let r =
            run(&[&["merge", "-o", out.to_str().unwrap()], &parts.iter().map(String::as_str).collect::<Vec<_>>()[..]]
                .concat());
        assert!(!out.exists(), "a failed merge left its output");
        r
    };
    let cut_short = [
        ("a part that lost a row", text[..text.trim_end().rfind('\n').unwrap() + 1].to_string()),
        ("a part cut mid-row", text[..text.len() - 30].to_string()),
        ("a part with a cell edited", text.replacen(",RED,", ",BLUE,", 1)),
    ];
    for (what, edited) in cut_short {
        assert!(edited != text, "{what}: the edit changed nothing");
        std::fs::write(&part, edited).unwrap();
        assert_clean_failure(what, &merge_parts(), &["part-2-of-3.csv was cut short or edited after it was written"]);
    }
    std::fs::write(&part, &text).unwrap();
    std::fs::remove_file(dir.path().join("part-2-of-3.csv.shard.json")).unwrap();
    assert_clean_failure(
        "a part without its header",
        &merge_parts(),
        &["its header", "part-2-of-3.csv.shard.json is not beside it"],
    );
}

/// With `--format parquet` the parts are CSV still, and `merge` re-encodes their rows into the
/// unsplit Parquet file byte for byte: 70,000 rows make two row groups (65,536 rows at most), whose
/// boundary falls where the unsplit stream's blocks put it only if the merge re-blocks the rows
/// as the stream did (a merge in blocks of 255 fails this test). A part with a cell that is not
/// its column's is refused, naming file, row and column; a part named .parquet, and CSV parts
/// merged into .parquet, are refused.
#[test]
fn parquet_export_parts_merge_into_the_unsplit_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.parquet");
    check_export_splits(dir.path(), &["tiny-race", "-n", "70000", "--format", "parquet"], &whole);
    assert_eq!(&std::fs::read(&whole).unwrap()[..4], b"PAR1");

    let dir = tempfile::tempdir().unwrap();
    export_parts(dir.path(), &["space-race", "-n", "700", "--format", "parquet"], 3);
    let part = dir.path().join("part-2-of-3.csv");
    let text = std::fs::read_to_string(&part).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(",completed,", ",won,", 1);
    assert_ne!(lines[2], text.lines().nth(2).unwrap(), "the row has a `completed` fate to forge");
    std::fs::write(&part, lines.join("\n") + "\n").unwrap();
    let parts: Vec<PathBuf> = (1..=3).map(|k| dir.path().join(format!("part-{k}-of-3.csv"))).collect();
    let r = merge_to(&dir.path().join("forged.parquet"), &parts);
    assert_clean_failure("a forged cell", &r, &["part-2-of-3.csv, row 2", "cannot hold `won`"]);
    assert!(!dir.path().join("forged.parquet").exists(), "a failed merge leaves no file");

    let named = dir.path().join("part.parquet");
    let r = run(&[
        "export",
        "space-race",
        "-n",
        "10",
        "--format",
        "parquet",
        "--shard",
        "1/2",
        "-o",
        named.to_str().unwrap(),
    ]);
    assert_clean_failure("a part named .parquet", &r, &["an export part is CSV", "give it a .csv name"]);

    let csv_parts = export_parts(dir.path(), &["tiny-race", "-n", "50"], 2);
    let r = merge_to(&dir.path().join("all.parquet"), &csv_parts);
    assert_clean_failure("CSV parts into Parquet", &r, &["parts are of a CSV export"]);
}
