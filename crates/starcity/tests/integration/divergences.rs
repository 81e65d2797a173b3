//! The built-in divergences in `divergences/`: each compiles against `space-race`, every one of its
//! interventions applies in some timeline, and it moves the milestone its file's comment names in
//! the direction the history says (sign of the paired effect, with a 95 % interval excluding 0).

use std::sync::atomic::AtomicU64;

use starcity_core::counterfactual::{Paired, interventions, run_pairs};
use starcity_core::scenario::Scenario;

/// Timelines per divergence: small, so the test also runs in a debug build.
const N: u64 = 2000;

/// Which paired effect a check reads.
#[derive(Clone, Copy, Debug)]
enum What {
    /// P(agency is first to the milestone): `Paired::first_effect`.
    First,
    /// P(agency reaches the milestone at all), paired the same way (from the baseline and divergent
    /// counts and the pairs in which both reached it). For divergences whose history is "the
    /// Soviets land at all / earlier", not "first".
    Reached,
    /// People lost by the agency per timeline: `Paired::crew_effect` (milestone unused).
    Crew,
}

/// (divergence, what, milestone id, agency id, expected sign of divergent − baseline).
const EXPECTED: &[(&str, What, &str, &str, f64)] = &[
    ("star-city", What::First, "crewed_lunar_landing", "USSR", 1.0),
    ("star-city", What::First, "crewed_lunar_landing", "USA", -1.0),
    ("korolev-survives", What::First, "docking", "USSR", 1.0),
    ("korolev-survives", What::Reached, "crewed_lunar_landing", "USSR", 1.0),
    ("n1-5l-flies", What::Reached, "crewed_lunar_landing", "USSR", 1.0),
    ("n1-static-test-stand", What::Reached, "crewed_lunar_landing", "USSR", 1.0),
    ("n1-static-test-stand", What::First, "crewed_lunar_landing", "USSR", 1.0),
    ("early-soviet-decision", What::Reached, "crewed_lunar_landing", "USSR", 1.0),
    ("zond-crew-1968", What::First, "crewed_circumlunar", "USSR", 1.0),
    ("apollo8-stays-in-earth-orbit", What::First, "crewed_circumlunar", "USA", -1.0),
    ("no-apollo1-fire", What::Crew, "", "USA", -1.0),
    ("soyuz1-succeeds", What::First, "docking", "USSR", 1.0),
    ("nasa-budget-holds", What::First, "space_station", "USA", 1.0),
    ("n1-not-cancelled", What::Reached, "crewed_lunar_landing", "USSR", 1.0),
    ("n1-not-cancelled", What::First, "lunar_base", "USSR", 1.0),
];

/// Every built-in divergence, by file name (= id).
const NAMES: &[&str] = &[
    "star-city",
    "korolev-survives",
    "n1-5l-flies",
    "n1-static-test-stand",
    "early-soviet-decision",
    "zond-crew-1968",
    "apollo8-stays-in-earth-orbit",
    "no-apollo1-fire",
    "soyuz1-succeeds",
    "nasa-budget-holds",
    "n1-not-cancelled",
];

fn load(base: &Scenario, name: &str) -> Scenario {
    let path = format!("{}/../../divergences/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let header = starcity_core::divergence::header(&path, &text).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    assert_eq!(header.id, name, "{path}: the id must be the file name");
    assert_eq!(header.base.as_deref(), Some("space-race"), "{path}: base");
    assert!(!header.description.is_empty() && !header.description.contains('\n'), "{path}: one-line description");
    starcity_core::divergence::apply(&path, &text, base).unwrap_or_else(|e| panic!("{path} does not compile: {e:?}"))
}

/// (difference, 95 % interval) of the chosen effect.
fn effect(p: &Paired, base: &Scenario, what: What, milestone: &str, agency: &str) -> (f64, [f64; 2]) {
    let a = base.agency_index(agency).unwrap_or_else(|| panic!("no agency {agency}"));
    if let What::Crew = what {
        let e = p.crew_effect(a);
        return (e.diff, e.ci95);
    }
    let m = base.milestone_index(milestone).unwrap_or_else(|| panic!("no milestone {milestone}"));
    match what {
        What::First => {
            let e = p.first_effect(m, a);
            (e.diff, e.ci95)
        }
        What::Reached => {
            let na = base.agencies.len();
            let nm = base.milestones.len();
            let width = p.shift_hist.len() / (nm * na);
            let both: u64 = p.shift_hist[(m * na + a) * width..][..width].iter().map(|&c| u64::from(c)).sum();
            let n = p.n as f64;
            let base_only = (p.base.reached[m * na + a] - both) as f64 / n;
            let div_only = (p.div.reached[m * na + a] - both) as f64 / n;
            let diff = div_only - base_only;
            let se = ((base_only + div_only - diff * diff).max(0.0) / n).sqrt();
            (diff, [diff - 1.96 * se, diff + 1.96 * se])
        }
        What::Crew => unreachable!(),
    }
}

#[test]
fn every_divergence_file_is_listed() {
    let dir = format!("{}/../../divergences", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut listed: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "divergences/ and this test's list differ");
}

#[test]
fn builtin_divergences_apply_and_move_history_the_right_way() {
    let base = starcity_core::builtin::scenario("space-race").expect("space-race loads");
    let mut failures = Vec::new();
    for name in NAMES {
        let div = load(&base, name);
        let p = run_pairs(&base, &div, 1, N, &AtomicU64::new(0)).expect("within the limits");
        assert_eq!(p.n, N);
        for i in interventions(&base, &div, &p.base, &p.div) {
            if i.applied_in == 0 {
                failures.push(format!("{name}: intervention applied in 0 of {N} timelines: {}", i.text));
            }
        }
        let checks: Vec<_> = EXPECTED.iter().filter(|e| e.0 == *name).collect();
        assert!(!checks.is_empty(), "{name}: no expected direction in the table");
        for &&(_, what, milestone, agency, sign) in &checks {
            let (diff, ci) = effect(&p, &base, what, milestone, agency);
            let ok = diff * sign > 0.0 && ci[0] * sign > 0.0 && ci[1] * sign > 0.0;
            if !ok {
                failures.push(format!(
                    "{name}: {what:?} {milestone} {agency}: expected sign {sign:+}, got {diff:+.4} [{:+.4}, {:+.4}]",
                    ci[0], ci[1]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
