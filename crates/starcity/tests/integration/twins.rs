//! Invariant 3, twin alignment: baseline and divergent worlds share every random draw they have in
//! common, so a divergence that changes nothing changes nothing, and one that changes a late event
//! leaves everything before it alone.

use std::sync::atomic::AtomicU64;

use starcity_core::builtin;
use starcity_core::counterfactual::{Paired, run_pairs};
use starcity_core::divergence;
use starcity_core::engine::{Event, Observer, run_timeline};
use starcity_core::scenario::Scenario;
use starcity_core::world::World;

fn space_race() -> Scenario {
    builtin::scenario("space-race").expect("space-race loads")
}

fn diverge(base: &Scenario, text: &str) -> Scenario {
    divergence::apply("<test>", text, base).expect("test divergence compiles")
}

const HEADER: &str = "[divergence]\nid = \"t\"\nname = \"t\"\nbase = \"space-race\"\n";

#[test]
fn a_divergence_that_changes_nothing_leaves_every_timeline_identical() {
    let base = space_race();
    // A rule that fires in every timeline and scales funding by exactly 1.
    let div = diverge(
        &base,
        &format!("{HEADER}[[intervention]]\ndo = \"scale\"\nfrom = 1965-01-01\nagency = \"USA\"\nbudget = 1.0\n"),
    );
    let p = run_pairs(&base, &div, 3, 1_500, &AtomicU64::new(0)).expect("within the limits");
    assert_eq!(p.identical, p.n, "every pair must end identically");
    for m in 0..base.milestones.len() {
        assert_eq!(p.changed_first[m], 0);
        for a in 0..base.agencies.len() {
            assert_eq!(p.first_effect(m, a).diff, 0.0);
        }
    }
    assert_eq!(p.crew_effect(0).diff, 0.0);
}

/// Records (time, what) for launches, landings and milestones.
#[derive(Default)]
struct Log(Vec<(f64, String)>);

impl Observer for Log {
    fn event(&mut self, w: &World, e: Event) {
        let what = match e {
            Event::Launch { program, mission, test, .. } => format!("launch p{program} m{mission} t{test}"),
            Event::Landed { program, .. } => format!("landed p{program} {:?}", w.programs[program].flight.end),
            Event::Milestone { milestone, agency, .. } => format!("milestone {milestone} a{agency}"),
            _ => return,
        };
        self.0.push((w.t, what));
    }
}

fn log(sc: &Scenario, timeline: u64) -> Log {
    let mut l = Log::default();
    run_timeline(sc, 9, timeline, &mut World::default(), &mut l);
    l
}

#[test]
fn forcing_a_late_event_leaves_everything_before_it_identical() {
    let base = space_race();
    let saturn5 = base.vehicles.iter().position(|v| v.id == "saturn5").unwrap();
    let div = diverge(
        &base,
        &format!(
            "{HEADER}[[intervention]]\ndo = \"force\"\nvehicle = \"saturn5\"\nflight = 8\noutcome = \"failure\"\n"
        ),
    );
    let mut changed = 0;
    for t in 0..300 {
        let (a, b) = (log(&base, t), log(&div, t));
        // The launch time of the Saturn V's eighth flight in the baseline (if any).
        let mut launches = 0;
        let mut forced_at = f64::INFINITY;
        for (time, what) in &a.0 {
            if what.starts_with("launch")
                && let Some(m) = what.split(' ').nth(2).and_then(|m| m[1..].parse::<usize>().ok())
                && base.missions[m].vehicles.contains(&saturn5)
            {
                launches += 1;
                if launches == 8 {
                    forced_at = *time;
                    break;
                }
            }
        }
        let before = |l: &Log| l.0.iter().filter(|(time, _)| *time < forced_at).cloned().collect::<Vec<_>>();
        assert_eq!(before(&a), before(&b), "timeline {t}: the worlds differ before the forced event");
        changed += (a.0 != b.0) as u32;
    }
    assert!(changed > 50, "the forced failure should change many timelines after it ({changed})");
}

#[test]
fn compare_is_identical_on_one_and_two_threads() {
    let base = space_race();
    let div = diverge(&base, &format!("{HEADER}[[intervention]]\ndo = \"remove-rule\"\nid = \"korolev-dies\"\n"));
    let run = |threads| -> Paired {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run_pairs(&base, &div, 5, 1_200, &AtomicU64::new(0)).expect("within the limits"))
    };
    assert_eq!(run(1), run(2));
}

/// A one-agency campaign with a known per-flight failure probability and a fixed schedule: the
/// probability of succeeding by the horizon is exact, with and without the divergence.
const CAMPAIGN: &str = r#"
[scenario]
id = "campaign"
name = "campaign"
start = 2000-01-01
end = 2000-12-31

[[agency]]
id = "A"
name = "A"
risk = 1.0
budget = [{ from = 2000-01-01, level = 1.0 }]

[[vehicle]]
id = "rocket"
name = "rocket"
agency = "A"
failure = 0.6

[[milestone]]
id = "goal"
name = "goal"

[[mission]]
id = "shot"
name = "shot"
[[mission.phase]]
name = "launch"
vehicle = "rocket"
achieves = ["goal"]

[[program]]
id = "p"
name = "p"
agency = "A"
start = 2000-01-01
stand_down = { median_days = 0, sigma = 0 }
loss_stand_down = { median_days = 0, sigma = 0 }
[[program.step]]
mission = "shot"
prep = { median_days = 100, sigma = 0 }
"#;

#[test]
fn paired_intervals_cover_the_exact_effect() {
    let base = Scenario::from_toml("campaign", CAMPAIGN).unwrap();
    let div = divergence::apply(
        "<test>",
        "[divergence]\nid = \"better\"\nname = \"better\"\n[[intervention]]\ndo = \"scale\"\nvehicle = \"rocket\"\nfailure = 0.5\n",
        &base,
    )
    .unwrap();
    // Flights on days 100, 200, 300 fit in the year: P(goal) = 1 - q^3.
    let exact = (1.0 - 0.3f64.powi(3)) - (1.0 - 0.6f64.powi(3));
    let mut covered = 0;
    for seed in 0..40 {
        let p = run_pairs(&base, &div, seed, 1_000, &AtomicU64::new(0)).expect("within the limits");
        let e = p.first_effect(0, 0);
        covered += (e.ci95[0] <= exact && exact <= e.ci95[1]) as u32;
    }
    // 95 % intervals: 38 of 40 expected; fewer than 34 would mean they are too narrow.
    assert!(covered >= 34, "the 95 % intervals covered the exact effect in only {covered} of 40 runs");
}
