//! Invariant 2: (scenario, seed, N) ⇒ identical results on any thread count and any shard split.

use std::sync::atomic::AtomicU64;

use starcity_core::builtin;
use starcity_core::ensemble::{self, RunConfig, Summary};
use starcity_core::scenario::Scenario;

fn scenario() -> Scenario {
    builtin::scenario(builtin::DEFAULT_SCENARIO).expect("default scenario loads")
}

fn on_threads(sc: &Scenario, threads: usize, seed: u64, n: u64) -> Summary {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    pool.install(|| ensemble::run(sc, RunConfig { seed, timelines: n }, &AtomicU64::new(0)).expect("within the limits"))
}

#[test]
fn same_inputs_same_summary_on_one_and_two_threads() {
    let sc = scenario();
    let one = on_threads(&sc, 1, 1, 3_000);
    let two = on_threads(&sc, 2, 1, 3_000);
    let four = on_threads(&sc, 4, 1, 3_000);
    assert_eq!(one, two);
    assert_eq!(one, four);
}

#[test]
fn shards_merge_into_the_whole() {
    let sc = scenario();
    let p = AtomicU64::new(0);
    let whole = ensemble::run_range(&sc, 3, 0..2_500, &p);
    let a = ensemble::run_range(&sc, 3, 0..777, &p);
    let b = ensemble::run_range(&sc, 3, 777..2_500, &p);
    assert_eq!(whole, a.clone().merge(&b));
    assert_eq!(whole, b.merge(&a), "merge order must not matter");
}

#[test]
fn a_different_seed_gives_different_results() {
    let sc = scenario();
    assert_ne!(on_threads(&sc, 2, 1, 2_000), on_threads(&sc, 2, 2, 2_000));
}

#[test]
fn a_timeline_does_not_depend_on_which_timelines_ran_before_it() {
    let sc = scenario();
    let alone = ensemble::one(&sc, 5, 42);
    let mut w = starcity_core::world::World::default();
    for i in [7, 42, 1000, 3] {
        starcity_core::engine::run_timeline(&sc, 5, i, &mut w, &mut starcity_core::engine::Quiet);
        if i == 42 {
            assert_eq!(w.reached, alone.reached);
            assert_eq!(w.crew_lost, alone.crew_lost);
        }
    }
}

/// Invariant 4, streaming: a summary's size does not depend on how many timelines it holds.
#[test]
fn summary_size_does_not_grow_with_the_number_of_timelines() {
    let sc = scenario();
    let sizes = |s: &Summary| {
        [
            s.first.len(),
            s.date_hist.len(),
            s.reached.len(),
            s.fates.len(),
            s.era_reached.len(),
            s.era_fates.len(),
            s.rule_fired.len(),
        ]
    };
    let small = on_threads(&sc, 2, 1, 100);
    let large = on_threads(&sc, 2, 1, 5_000);
    assert_eq!(sizes(&small), sizes(&large));
    assert_eq!(large.n, 5_000);
}
