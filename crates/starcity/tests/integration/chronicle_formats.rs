//! Chronicles in the formats writers import: TimelineJS3 JSON, the TimelineJS / Aeon Timeline
//! CSV, Obsidian Markdown with YAML front matter. Each is checked for its structure, read back
//! with a parser, and fed hostile names.

use std::collections::BTreeSet;

use crate::support::{assert_clean_failure, run, tiny_race};

/// A name with everything that breaks a format: a formula, quotes, a comma, a semicolon, a
/// newline, a front-matter fence, HTML, an escape sequence, a C1 control, a YAML comment.
const HOSTILE_TOML: &str = r#"=Evil, \"quoted\"; race\n---\n<script>alert(1)</script> & \u001b[2J \u0085 #tag: x"#;
const HOSTILE: &str = "=Evil, \"quoted\"; race\n---\n<script>alert(1)</script> & \u{1b}[2J \u{85} #tag: x";

/// `starcity chronicle ARGS`, which must succeed; its standard output.
fn chronicle(args: &[&str]) -> String {
    let mut all = vec!["chronicle", "-q"];
    all.extend(args);
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "{all:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    out
}

/// tiny-race with the hostile name as its name, its first milestone's and its rule's text.
fn hostile_scenario(dir: &std::path::Path) -> String {
    let text = tiny_race()
        .replace("name = \"A tiny race\"", &format!("name = \"{HOSTILE_TOML}\""))
        .replace("name = \"First human in orbit\"", &format!("name = \"{HOSTILE_TOML}\""))
        .replace("text = \"Stung by Red's first, Blue doubles its effort.\"", &format!("text = \"{HOSTILE_TOML}\""));
    let path = dir.join("hostile.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn date_of(d: &serde_json::Value) -> (i64, i64, i64) {
    let part = |k: &str| d[k].as_i64().unwrap_or_else(|| panic!("{k} is not a number in {d}"));
    (part("year"), part("month"), part("day"))
}

/// The TimelineJS structure: a title, every event dated with numbers and worded, in date order,
/// ids unique, eras dated and in order.
fn check_timelinejs(json: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(json).expect("TimelineJS output is JSON");
    assert!(v["title"]["text"]["headline"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(v["title"].get("start_date").is_none(), "the title slide has no date");
    let events = v["events"].as_array().expect("events");
    assert!(events.len() > 5);
    let mut ids = BTreeSet::new();
    let mut last = (i64::MIN, 0, 0);
    for e in events {
        let start = date_of(&e["start_date"]);
        assert!((1..=12).contains(&start.1) && (1..=31).contains(&start.2), "{e}");
        assert!(start >= last, "events out of order: {e}");
        last = start;
        if let Some(end) = e.get("end_date") {
            assert!(date_of(end) > start, "{e}");
        }
        assert!(e["text"]["headline"].as_str().is_some_and(|h| !h.is_empty() && h.chars().count() <= 91), "{e}");
        assert!(e["text"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{e}");
        assert!(e["group"].is_string(), "{e}");
        assert!(ids.insert(e["unique_id"].as_str().unwrap().to_string()), "duplicate id: {e}");
    }
    for era in v["eras"].as_array().expect("eras") {
        assert!(date_of(&era["start_date"]) < date_of(&era["end_date"]), "{era}");
        assert!(era["text"]["headline"].is_string());
    }
    v
}

#[test]
fn timelinejs_is_the_documented_structure() {
    let v =
        check_timelinejs(&chronicle(&["-d", "star-city", "-n", "100", "--timeline", "2", "--format", "timelinejs"]));
    let groups: BTreeSet<&str> = v["events"].as_array().unwrap().iter().filter_map(|e| e["group"].as_str()).collect();
    assert!(groups.contains("NASA") && groups.contains("USSR"), "{groups:?}");
    assert!(v["eras"].as_array().unwrap().len() >= 3, "the space race has era headings");
    let headlines: Vec<&str> =
        v["events"].as_array().unwrap().iter().map(|e| e["text"]["headline"].as_str().unwrap()).collect();
    assert!(
        headlines.contains(&"Vostok 1") && headlines.contains(&"Sergei Korolev survives his operation in January 1966")
    );
}

#[test]
fn twins_in_timelinejs_and_csv_mark_their_world() {
    let args = ["-d", "korolev-survives", "--twin", "--timeline", "12", "-n", "100"];
    let v = check_timelinejs(&chronicle(&[&args[..], &["--format", "timelinejs"]].concat()));
    let groups: BTreeSet<&str> = v["events"].as_array().unwrap().iter().filter_map(|e| e["group"].as_str()).collect();
    assert_eq!(groups, BTreeSet::from(["baseline", "both worlds", "divergent"]));
    let rows = check_csv(&chronicle(&[&args[..], &["--format", "csv"]].concat()));
    assert!(rows.iter().any(|r| r[21].ends_with(";divergent") && r[22].starts_with("t12-divergent-")));
    let note = chronicle(&[&args[..], &["--format", "obsidian"]].concat());
    let fm = front_matter(&note);
    assert_eq!(fm.get("twin").map(String::as_str), Some("true"));
    assert!(note.contains("First difference"), "the body is the twin Markdown");
}

/// Parses the CSV with the csv crate: the header exactly, every record as wide, ids unique,
/// dates in both tools' columns agreeing. Returns the records after the header.
fn check_csv(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("well-formed CSV").iter().map(str::to_string).collect()).collect();
    let header = &rows[0];
    let mut ids = BTreeSet::new();
    for r in &rows[1..] {
        assert_eq!(r.len(), header.len(), "{r:?}");
        assert!(ids.insert(r[22].clone()), "duplicate id {r:?}");
        if !r[0].is_empty() {
            let ymd = format!("{:0>4}-{:0>2}-{:0>2}", r[0], r[1], r[2]);
            assert_eq!(ymd, r[19], "Year/Month/Day and Start Date agree: {r:?}");
        }
    }
    assert_eq!(rows[1][15], "title", "the first row is the title");
    rows[1..].to_vec()
}

#[test]
fn csv_has_both_tools_columns_and_parses_back() {
    let text = chronicle(&["-d", "star-city", "-n", "100", "--timeline", "2", "--format", "csv"]);
    insta::assert_snapshot!("csv_header", text.lines().next().unwrap());
    let rows = check_csv(&text);
    assert!(rows.iter().any(|r| r[15] == "era" && !r[4].is_empty()), "era rows span to the next era");
    assert!(rows.iter().any(|r| r[21] == "USSR;flight"), "tags: agency and kind");
    assert!(rows.iter().all(|r| r[22].starts_with("t2-")));
}

/// The YAML front matter as key → raw value, checked line by line: every scalar is a number,
/// `true`, `[]` or a double-quoted string that JSON (whose escapes YAML shares) reads; list
/// items are quoted strings. Lists come back joined by newlines.
fn front_matter(note: &str) -> std::collections::BTreeMap<String, String> {
    let body = note.strip_prefix("---\n").expect("front matter first");
    let (yaml, _) = body.split_once("\n---\n").expect("front matter closed");
    let mut out = std::collections::BTreeMap::new();
    let mut key = String::new();
    let string = |v: &str| serde_json::from_str::<String>(v).unwrap_or_else(|e| panic!("{v}: {e}"));
    for line in yaml.lines().filter(|l| !l.starts_with('#')) {
        if let Some(item) = line.strip_prefix("  - ") {
            let list: &mut String = out.entry(key.clone()).or_default();
            list.push_str(&string(item));
            list.push('\n');
            continue;
        }
        let (k, v) = line.split_once(':').unwrap_or_else(|| panic!("not `key: value`: {line}"));
        assert!(k.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{line}");
        key = k.to_string();
        let v = v.trim_start();
        let value = match v {
            "" | "[]" | "true" => v.to_string(),
            _ if v.starts_with('"') => string(v),
            _ => v.parse::<u64>().unwrap_or_else(|_| panic!("unquoted text: {line}")).to_string(),
        };
        out.insert(key.clone(), value);
    }
    out
}

#[test]
fn obsidian_notes_have_front_matter_and_the_markdown_body() {
    let args = ["-d", "star-city", "-n", "100", "--timeline", "2"];
    let note = chronicle(&[&args[..], &["--format", "obsidian"]].concat());
    let markdown = chronicle(&[&args[..], &["--format", "markdown"]].concat());
    assert!(note.ends_with(&markdown), "the body is --format markdown's");
    let fm = front_matter(&note);
    assert_eq!(fm["scenario"], "space-race");
    assert_eq!(fm["divergences"], "star-city\n");
    assert_eq!((fm["seed"].as_str(), fm["timeline"].as_str()), ("1", "2"));
    assert!(fm["tags"].contains("starcity\n") && fm["tags"].contains("divergence/star-city\n"));
    assert!(fm["start"] < fm["end"] && fm["start"].len() == 10);
    assert_eq!(fm["how_common"].lines().count(), 10);
}

#[test]
fn hostile_names_survive_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = hostile_scenario(dir.path());
    let args = [path.as_str(), "-n", "50", "--timeline", "3"];
    // TimelineJS: JSON that parses, with the name back as escaped HTML.
    let v = check_timelinejs(&chronicle(&[&args[..], &["--format", "timelinejs"]].concat()));
    let headline = v["title"]["text"]["headline"].as_str().unwrap();
    assert!(
        headline.starts_with("=Evil, \"quoted\"; race\n---\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; \u{1b}[2J"),
        "{headline}"
    );
    let all = v.to_string();
    assert!(!all.contains("<script>"), "no raw HTML from a name");
    // CSV: the same number of columns everywhere, the name back in the Aeon title, controls
    // shown, formulas defused.
    let rows = check_csv(&chronicle(&[&args[..], &["--format", "csv"]].concat()));
    assert!(
        rows[0][18].starts_with("'=Evil, \"quoted\"; race\n---\n<script>alert(1)</script> & \\u{1b}[2J \\u{85}"),
        "{:?}",
        rows[0][18]
    );
    assert!(rows.iter().flatten().all(|c| !c.starts_with(['=', '+', '-', '@']) && !c.contains('\u{1b}')));
    // Obsidian: the front matter still parses and gives the name back exactly.
    let note = chronicle(&[&args[..], &["--format", "obsidian"]].concat());
    let fm = front_matter(&note);
    assert_eq!(fm["scenario_name"], HOSTILE);
    assert!(!note.contains('\u{1b}'), "the body is escaped for terminals as --format markdown is");
}

#[test]
fn the_formats_are_deterministic() {
    for format in ["timelinejs", "csv", "obsidian"] {
        let args = ["-d", "star-city", "-n", "50", "--timeline", "1", "--threads", "1", "--format", format];
        let one = chronicle(&args);
        let two = chronicle(&[&args[..7], &["2", "--format", format]].concat());
        assert_eq!(one, two, "{format}: the same on any thread count");
    }
}

#[test]
fn count_refuses_the_timeline_formats() {
    let out = run(&["chronicle", "-n", "10", "--where", "crew_lost(USA) == 0", "--count", "--format", "csv"]);
    assert_clean_failure("--count --format csv", &out, &["--count prints a count", "drop --count"]);
}
