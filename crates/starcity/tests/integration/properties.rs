//! Properties over generated inputs (proptest):
//! - merging summaries of any split of the timelines, in any order, gives exactly the summary of
//!   the whole run (the determinism invariant, for shards and thread counts alike);
//! - any scenario that compiles runs to its end within its event budget, or stops with the
//!   event-budget error — it never panics, hangs or exceeds the budget.

use std::fmt::Write as _;
use std::sync::atomic::AtomicU64;

use proptest::prelude::*;
use starcity_core::ensemble::{RunError, Summary, run_range};
use starcity_core::limits::EVENTS;
use starcity_core::{Scenario, World, builtin, run_timeline};

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_split_merged_in_any_order_is_the_whole(
        n in 1u64..1_500,
        cuts in prop::collection::vec(0.0f64..1.0, 0..6),
        order in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let sc = builtin::scenario("tiny-race").unwrap();
        let whole = run_range(&sc, seed, 0..n, &AtomicU64::new(0));
        let mut bounds: Vec<u64> = cuts.iter().map(|c| (c * n as f64) as u64).collect();
        bounds.extend([0, n]);
        bounds.sort_unstable();
        let mut parts: Vec<Summary> =
            bounds.windows(2).map(|w| run_range(&sc, seed, w[0]..w[1], &AtomicU64::new(0))).collect();
        // A permutation drawn from `order`.
        let mut k = order;
        for i in (1..parts.len()).rev() {
            parts.swap(i, (k % (i as u64 + 1)) as usize);
            k /= i as u64 + 1;
        }
        let merged = parts.into_iter().fold(Summary::new(&sc), |acc, p| acc.merge(&p));
        prop_assert_eq!(merged, whole);
    }

    #[test]
    fn any_compiled_scenario_ends_within_its_event_budget(spec in scenario_spec(), seed in any::<u64>()) {
        let text = spec.to_toml();
        let Ok(sc) = Scenario::from_toml("generated.toml", &text) else { return Ok(()) };
        let mut w = World::default();
        for timeline in 0..4 {
            run_timeline(&sc, seed, timeline, &mut w, &mut starcity_core::Quiet);
            prop_assert!(w.events <= EVENTS.value + 1, "{} events", w.events);
            match RunError::check(&sc, &w) {
                Ok(()) => prop_assert!(w.t >= sc.horizon, "the timeline ran to its end"),
                Err(RunError::EventBudget { .. } | RunError::WorkBudget { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
    }
}

/// A small random scenario: agencies, vehicles with any failure probability (0 and 1 included),
/// missions, programs whose preparation and stand-down may be zero, rules, eras.
#[derive(Debug, Clone)]
struct Spec {
    agencies: usize,
    failures: Vec<f64>,
    missions: Vec<(usize, f64)>,
    programs: Vec<ProgramSpec>,
    rules: Vec<(usize, usize)>,
    years: u32,
}

#[derive(Debug, Clone)]
struct ProgramSpec {
    agency: usize,
    steps: Vec<(usize, f64, u32)>,
    stand_down: f64,
    after: Option<usize>,
}

fn scenario_spec() -> impl Strategy<Value = Spec> {
    let median = prop_oneof![Just(0.0), 0.0f64..400.0];
    let step = (0usize..4, median.clone(), 1u32..3);
    let program = (0usize..3, prop::collection::vec(step, 1..4), median, prop::option::of(0usize..4))
        .prop_map(|(agency, steps, stand_down, after)| ProgramSpec { agency, steps, stand_down, after });
    (
        1usize..3,
        prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), 0.0f64..1.0], 1..4),
        prop::collection::vec((0usize..4, 0.0f64..1.0), 1..5),
        prop::collection::vec(program, 1..5),
        prop::collection::vec((0usize..4, 0usize..3), 0..4),
        1u32..30,
    )
        .prop_map(|(agencies, failures, missions, programs, rules, years)| Spec {
            agencies,
            failures,
            missions,
            programs,
            rules,
            years,
        })
}

impl Spec {
    fn to_toml(&self) -> String {
        let mut s = String::new();
        let end = 1960 + self.years;
        let _ = writeln!(s, "[scenario]\nid = \"g\"\nname = \"G\"\nstart = 1960-01-01\nend = {end}-01-01\n");
        for a in 0..self.agencies {
            let _ = writeln!(
                s,
                "[[agency]]\nid = \"A{a}\"\nname = \"A\"\nrisk = 0.1\ncrew = [\"x\", \"y\"]\n\
                 budget = [{{ from = 1960-01-01, level = 1.0 }}]\n"
            );
        }
        let nv = self.failures.len();
        for (v, f) in self.failures.iter().enumerate() {
            let _ = writeln!(s, "[[vehicle]]\nid = \"v{v}\"\nname = \"V\"\nagency = \"A0\"\nfailure = {f:?}\n");
        }
        let _ = writeln!(s, "[[milestone]]\nid = \"m\"\nname = \"M\"\n");
        let nm = self.missions.len();
        for (m, (v, loss)) in self.missions.iter().enumerate() {
            let _ = writeln!(
                s,
                "[[mission]]\nid = \"mi{m}\"\nname = \"Mi\"\ncrew = 1\n[[mission.phase]]\nname = \"p\"\n\
                 vehicle = \"v{}\"\nloss = {loss:?}\nachieves = [\"m\"]\n",
                v % nv
            );
        }
        let np = self.programs.len();
        for (p, prog) in self.programs.iter().enumerate() {
            let start = match prog.after {
                // Only on earlier programs: a cycle is a (tested) load error, not what this property is about.
                Some(q) if q % np < p => format!("when = \"done(p{})\"", q % np),
                _ => "start = 1960-01-01".into(),
            };
            let _ = writeln!(
                s,
                "[[program]]\nid = \"p{p}\"\nname = \"P\"\nagency = \"A{}\"\n{start}\n\
                 stand_down = {{ median_days = {:?}, sigma = 0.3 }}\nloss_stand_down = {{ median_days = 1, sigma = 0 }}",
                prog.agency % self.agencies,
                prog.stand_down
            );
            for (m, prep, repeat) in &prog.steps {
                let _ = writeln!(
                    s,
                    "[[program.step]]\nmission = \"mi{}\"\nprep = {{ median_days = {prep:?}, sigma = 0.5 }}\nrepeat = {repeat}",
                    m % nm
                );
            }
            s.push('\n');
        }
        for (r, (p, a)) in self.rules.iter().enumerate() {
            let _ = writeln!(
                s,
                "[[rule]]\nid = \"r{r}\"\nwhen = \"reached(A{}, m)\"\ntext = \"t\"\n\
                 effects = [{{ do = \"pace\", program = \"p{}\", scale = 0.5 }}]\n",
                a % self.agencies,
                p % np
            );
        }
        s
    }
}

#[test]
fn generated_scenarios_mostly_compile() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut compiled = 0;
    for _ in 0..50 {
        let spec = scenario_spec().new_tree(&mut runner).unwrap().current();
        match Scenario::from_toml("generated.toml", &spec.to_toml()) {
            Ok(_) => compiled += 1,
            Err(e) => eprintln!("{:?}", e.lines()),
        }
    }
    assert!(compiled >= 45, "only {compiled} of 50 generated scenarios compile: the property would test little");
}
