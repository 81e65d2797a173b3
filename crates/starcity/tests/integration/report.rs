//! `starcity report`, `rank` and the report formats: the HTML page loaded in real headless
//! Chromium (no console message, no network request from the page, every chart drawn, a
//! screenshot written), the formats of `run` and `compare`, and `rank`'s ordering.
//!
//! Chromium is Debian's `chromium` (`.ci/run` installs it; `STARCITY_CHROMIUM` names another).
//! Without one the browser tests say so and pass, except under CI, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::run;

/// The browser, or `None` (outside CI) when there is none.
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("STARCITY_CHROMIUM").map(PathBuf::from);
    let found = named
        .into_iter()
        .chain(["chromium", "chromium-browser", "google-chrome"].map(PathBuf::from))
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()));
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI must install Chromium (apt-get install chromium)");
        eprintln!("no Chromium on this machine: the browser checks are skipped");
    }
    found
}

/// What Chromium saw loading a page from disk.
struct Loaded {
    /// Messages the page wrote to the console (errors, CSP violations, warnings).
    console: Vec<String>,
    /// Addresses the page asked the network for.
    requests: Vec<String>,
    /// The document after loading.
    dom: String,
}

/// Flags for a quiet headless Chromium: without the background-networking ones it calls
/// Google's update and sign-in services at start (those show in the NetLog as requests with no
/// page origin, and are left out).
fn headless(chrome: &Path, profile: &Path) -> Command {
    let mut c = Command::new(chrome);
    c.args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()));
    c
}

fn load(chrome: &Path, page: &Path, screenshot: &Path) -> Loaded {
    let dir = tempfile::tempdir().unwrap();
    let netlog = dir.path().join("netlog.json");
    let url = format!("file://{}", page.display());
    let shot = headless(chrome, &dir.path().join("a"))
        .args(["--enable-logging=stderr", "--v=0", "--window-size=1400,2400"])
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(shot.status.success(), "chromium failed: {}", String::from_utf8_lossy(&shot.stderr));
    let console =
        String::from_utf8_lossy(&shot.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(String::from).collect();
    let dump = headless(chrome, &dir.path().join("b")).args(["--dump-dom", &url]).output().unwrap();
    Loaded { console, requests: page_requests(&netlog), dom: String::from_utf8_lossy(&dump.stdout).into() }
}

/// URLs of requests a page made, from Chromium's NetLog: jobs whose initiator is an origin (a
/// page's, `null` for a file); the browser's own have "not an origin".
fn page_requests(netlog: &Path) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(netlog).unwrap()).unwrap();
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64().unwrap();
    let events = log["events"].as_array().unwrap();
    let jobs = events.iter().filter(|e| e["type"].as_u64() == Some(start_job)).map(|e| &e["params"]);
    jobs.filter(|p| p["initiator"].as_str().is_some_and(|i| i != "not an origin"))
        .map(|p| p["url"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// Renders a report, loads it, and checks it the way a class would see it.
fn check_page(name: &str, args: &[&str]) {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join(format!("{name}.html"));
    let mut all = args.to_vec();
    all.extend(["-q", "-o", page.to_str().unwrap()]);
    let (code, _, stderr) = run(&all);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join(format!("{name}.png"));
    let loaded = load(&chrome, &page, &shot);
    assert!(loaded.console.is_empty(), "{name}: console messages: {:?}", loaded.console);
    assert!(loaded.requests.is_empty(), "{name}: the page asked the network for {:?}", loaded.requests);
    let figures = html.matches("<figure").count();
    assert!(figures >= 1, "{name}: no chart");
    let svgs: Vec<&str> = loaded.dom.split("<svg").skip(1).collect();
    assert_eq!(svgs.len(), figures, "{name}: every chart's SVG is in the loaded page");
    for svg in &svgs {
        let body = &svg[..svg.find("</svg>").expect("a closed svg")];
        // Data elements (bars, curves) are marked; the background and legend are not.
        assert!(body.contains("class=\"datum\""), "{name}: a chart with no data drawn");
        assert!(body.contains("<title"), "every chart has a title");
    }
    assert!(std::fs::metadata(&shot).unwrap().len() > 20_000, "{name}: the screenshot is empty");
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn the_run_report_loads_offline_in_chromium() {
    check_page("space-race", &["report", "-n", "600"]);
}

#[test]
fn the_comparison_report_loads_offline_in_chromium() {
    check_page("star-city", &["report", "-n", "600", "-d", "star-city"]);
}

#[test]
fn the_ranking_page_loads_offline_in_chromium() {
    check_page("rank", &["rank", "-n", "100", "-d", "star-city", "-d", "korolev-survives", "--format", "html"]);
}

/// Names that try markup, bidirectional overrides and characters XML forbids are shown inert.
#[test]
fn a_hostile_scenario_report_loads_offline_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let text = crate::support::tiny_race().replacen(
        "name = \"",
        "name = \"<script>alert(1)</script> \\u202Eevil\\uFFFE & ]]> \\u001b[2J ",
        1,
    );
    let file = dir.path().join("hostile.toml");
    std::fs::write(&file, text).unwrap();
    check_page("hostile", &["report", "-n", "200", file.to_str().unwrap()]);
}

/// The check can fail: a page that fetches an image and breaks its policy is caught.
#[test]
fn a_page_that_fetches_is_caught() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("fetches.html");
    std::fs::write(&page, "<!doctype html><title>x</title><body><img src=\"http://127.0.0.1:9/x.png\"><p>x</p></body>")
        .unwrap();
    let loaded = load(&chrome, &page, &dir.path().join("x.png"));
    assert_eq!(loaded.requests, vec!["http://127.0.0.1:9/x.png".to_string()]);
    let csp = "<!doctype html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>";
    std::fs::write(&page, csp).unwrap();
    let loaded = load(&chrome, &page, &dir.path().join("y.png"));
    assert!(loaded.requests.is_empty(), "the policy blocks the fetch");
    assert!(!loaded.console.is_empty(), "and says so on the console");
}

#[test]
fn the_report_refuses_a_terminal_and_writes_charts_for_slides() {
    let dir = tempfile::tempdir().unwrap();
    let charts = dir.path().join("charts");
    let page = dir.path().join("r.html");
    let (code, _, stderr) = run(&[
        "report",
        "tiny-race",
        "-n",
        "200",
        "-q",
        "-o",
        page.to_str().unwrap(),
        "--charts",
        charts.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let svg = std::fs::read_to_string(charts.join("first-to.svg")).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "a standalone SVG");
    let csv = std::fs::read_to_string(charts.join("first-to.csv")).unwrap();
    assert!(csv.starts_with("section,row,column,value\n"), "{csv}");
}

#[test]
fn run_and_compare_write_every_format_with_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (_, text, _) = run(&["run", "tiny-race", "-n", "300", "-q"]);
    let (_, md, _) = run(&["run", "tiny-race", "-n", "300", "-q", "--format", "markdown"]);
    let (_, json, _) = run(&["run", "tiny-race", "-n", "300", "-q", "--json"]);
    let csv_path = dir.path().join("r.csv");
    let (code, _, stderr) = run(&["run", "tiny-race", "-n", "300", "-q", "-o", csv_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &json["milestones"][0];
    let name = first["name"].as_str().unwrap();
    let ids: Vec<&str> = json["agencies"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    let p = first["first"][ids[0]].as_f64().unwrap();
    let shown = format!("{:.1} %", p * 100.0);
    assert!(text.contains(name) && text.contains(&shown), "text has {name} at {shown}");
    assert!(md.contains(&format!("| {name} | {shown} |")), "markdown row for {name}:\n{md}");
    let line = format!("Who gets there first,1,{},{p}", ids[0]);
    assert!(csv.lines().any(|l| l == line), "csv has `{line}`:\n{csv}");
}

#[test]
fn rank_orders_divergences_by_the_size_of_their_effect() {
    let (code, out, stderr) = run(&["rank", "-n", "400", "-q", "--json", "-d", "korolev-survives", "-d", "star-city"]);
    assert_eq!(code, 0, "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["divergence"], "star-city", "the Star City premise matters most for a Soviet landing");
    let size = |i: usize| rows[i]["effect"]["diff"].as_f64().unwrap().abs();
    assert!(size(0) >= size(1));
    assert_eq!(r["quantity_id"], "first:crewed_lunar_landing:USSR");
    let (code, _, stderr) = run(&["rank", "-n", "10", "-q", "--agency", "USSR", "--milestone", "moon_base"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no such milestone") && stderr.contains("crewed_lunar_landing"), "{stderr}");
}
