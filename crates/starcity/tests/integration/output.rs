//! Outputs never lose data: `-o` writes atomically to regular files with normal permissions, an
//! interrupted or failed run leaves the previous file untouched, stdout errors are reported (a
//! broken pipe is not), and names from a scenario cannot send control sequences to a terminal.

use std::process::Stdio;

use super::support::{assert_clean_failure, run, tiny_race};

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn a_new_file_follows_the_umask_and_a_replaced_file_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let sh = format!("umask 027 && exec {} run tiny-race -n 50 -q --json -o {}", bin(), out.display());
    assert!(std::process::Command::new("sh").args(["-c", &sh]).status().unwrap().success());
    assert_eq!(mode(&out), 0o640);
    std::fs::write(&out, "old").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o604)).unwrap();
    assert!(
        std::process::Command::new(bin())
            .args(["run", "tiny-race", "-n", "50", "-q", "-o"])
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(mode(&out), 0o604);
    assert!(std::fs::read_to_string(&out).unwrap().contains("A tiny race"));
}

fn bin() -> String {
    assert_cmd::cargo::cargo_bin("starcity").to_string_lossy().into_owned()
}

#[test]
fn a_failed_run_leaves_the_previous_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keep.txt");
    std::fs::write(&out, "precious").unwrap();
    let out_s = out.to_string_lossy().into_owned();
    assert_clean_failure("bad scenario", &run(&["run", "no-such-scenario.toml", "-o", &out_s]), &["no such file"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_the_previous_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keep.json");
    std::fs::write(&out, "precious").unwrap();
    let mut child = std::process::Command::new(bin())
        .args(["run", "-n", "1000000000", "-q", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "SIGINT exits with 130");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
}

#[cfg(unix)]
#[test]
fn devices_and_directories_are_not_targets() {
    assert_clean_failure(
        "/dev/null",
        &run(&["run", "tiny-race", "-n", "10", "-q", "-o", "/dev/null"]),
        &["not a regular file"],
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "/dev/null is still a device");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    assert_clean_failure("dir", &run(&["run", "tiny-race", "-n", "10", "-q", "-o", &d]), &["is a directory"]);
    let missing = format!("{d}/no/such/dir/out.txt");
    assert_clean_failure(
        "missing dir",
        &run(&["run", "tiny-race", "-n", "10", "-q", "-o", &missing]),
        &["does not exist"],
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_target_is_replaced_and_the_link_kept() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.txt");
    let link = dir.path().join("link.txt");
    std::fs::write(&real, "old").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert!(
        std::process::Command::new(bin())
            .args(["run", "tiny-race", "-n", "20", "-q", "-o"])
            .arg(&link)
            .status()
            .unwrap()
            .success()
    );
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().contains("A tiny race"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_and_a_closed_pipe_is_not() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out =
        std::process::Command::new(bin()).args(["run", "tiny-race", "-n", "20", "-q"]).stdout(full).output().unwrap();
    assert_clean_failure("/dev/full", &super::support::outcome(out), &["cannot write to standard output"]);

    let mut child = std::process::Command::new(bin())
        .args(["run", "-n", "2000", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before anything is written
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "a closed pipe ends the command quietly: {:?}", out.status);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn control_characters_in_names_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let evil = tiny_race()
        .replace("name = \"Red\"", "name = \"Red\\u001b[2J\\u009b31m\"")
        .replace("crew = [\"Ada\",", "crew = [\"Ada\\u001b]0;pwned\\u0007\",");
    let path = dir.path().join("evil.toml");
    std::fs::write(&path, evil).unwrap();
    let path = path.to_string_lossy().into_owned();
    for args in [
        vec!["run", path.as_str(), "-n", "200", "-q"],
        vec!["run", path.as_str(), "-n", "200", "-q", "--json"],
        vec!["chronicle", path.as_str(), "-n", "50"],
        vec!["chronicle", path.as_str(), "-n", "50", "--format", "markdown"],
        vec!["chronicle", path.as_str(), "-n", "50", "--format", "json"],
    ] {
        let (code, stdout, _) = run(&args);
        assert_eq!(code, 0, "{args:?}");
        assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{9b}') && !stdout.contains('\u{7}'), "{args:?}");
        if args[0] == "chronicle" {
            assert!(stdout.contains("Red\\u{1b}[2J") || stdout.contains("Red\\u001b[2J"), "{args:?}:\n{stdout}");
        }
    }
    let bad = tiny_race().replace("vehicle = \"red-rocket\"\nloss", "vehicle = \"red\\u001b[2Jrocket\"\nloss");
    let path = dir.path().join("evil-error.toml");
    std::fs::write(&path, bad).unwrap();
    let (code, _, stderr) = run(&["check", &path.to_string_lossy()]);
    assert_eq!(code, 1);
    assert!(!stderr.contains('\u{1b}'), "error messages are escaped too:\n{stderr}");
}

#[test]
fn run_with_a_removed_rule_counts_it_in_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let div = "[divergence]\nid = \"quiet-blue\"\nname = \"Blue does not respond\"\nbase = \"tiny-race\"\n\n\
               [[intervention]]\ndo = \"remove-rule\"\nid = \"blue-responds\"\nnote = \"Blue shrugs.\"\n";
    let path = dir.path().join("quiet-blue.toml");
    std::fs::write(&path, div).unwrap();
    let (code, stdout, stderr) = run(&["run", "tiny-race", "-d", &path.to_string_lossy(), "-n", "600", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let base: serde_json::Value =
        serde_json::from_str(&run(&["run", "tiny-race", "-n", "600", "-q", "--json"]).1).unwrap();
    let fired = base["rules"].as_array().unwrap().iter().find(|r| r["id"] == "blue-responds").unwrap()["fired"]
        .as_f64()
        .unwrap();
    let expected = format!("(applied in {} of 600 timelines)", (fired * 600.0).round() as u64);
    assert!(stdout.contains("What the divergences did"), "{stdout}");
    assert!(stdout.contains(&expected), "expected `{expected}` in:\n{stdout}");
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_and_an_unwritable_directory_are_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("dangling.txt");
    std::os::unix::fs::symlink(dir.path().join("nowhere/x.txt"), &link).unwrap();
    let out = run(&["run", "tiny-race", "-n", "10", "-q", "-o", &link.to_string_lossy()]);
    assert_clean_failure("dangling", &out, &["symlink to nothing"]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is left alone");
    let long = dir.path().join(format!("{}.json", "n".repeat(250)));
    let (code, _, stderr) = run(&["run", "tiny-race", "-n", "10", "-q", "-o", &long.to_string_lossy()]);
    assert_eq!(code, 0, "a long but valid name works: {stderr}");
}

/// `-o -` is standard output, as it is for most tools, and writes no file named `-`: for a run,
/// and for a shard (which then goes down a pipe to `merge`'s input or a file of the user's).
#[test]
fn dash_as_output_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let at_dir = |args: &[&str]| {
        let out = super::support::starcity().current_dir(dir.path()).args(args).output().unwrap();
        super::support::outcome(out)
    };
    let (code, stdout, stderr) = at_dir(&["run", "tiny-race", "-n", "50", "-q", "--json", "-o", "-"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, expected, _) = run(&["run", "tiny-race", "-n", "50", "-q", "--json"]);
    assert_eq!(stdout, expected);
    let (code, stdout, stderr) = at_dir(&["run", "tiny-race", "-n", "50", "-q", "--shard", "1/2", "-o", "-"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("{\"header\":{\"format\":\"starcity-shard\""), "{stdout}");
    let part = at_dir(&["export", "tiny-race", "-n", "50", "-q", "--shard", "1/2", "-o", "-"]);
    assert_clean_failure("an export part to stdout", &part, &["an export part needs a file name"]);
    assert!(!dir.path().join("-").exists(), "a file named - was written");
}

/// An export part whose header cannot be written beside it is removed: a part without its
/// header could not be merged, and would look finished.
#[cfg(unix)]
#[test]
fn an_export_part_without_its_header_is_not_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("p.csv");
    std::fs::create_dir(dir.path().join("p.csv.shard.json")).unwrap();
    let r = run(&["export", "tiny-race", "-n", "50", "-q", "--shard", "1/2", "-o", part.to_str().unwrap()]);
    assert_eq!(r.0, 1, "{}", r.2);
    assert!(!part.exists(), "the part was left without its header");
}
