//! The engine's hot paths in isolation (`cargo bench -p starcity-core --bench hot_paths`): one keyed
//! draw, one lognormal quantile, one belief update (a landing folded into an agency's belief with
//! its new mean: a crew decision's cost), one world reset, one summary fold, and whole timelines of
//! `space-race` (free and replayed) and of the reference benchmark model. Divide a timeline's time
//! by its events (`cargo run --release -p starcity-core --example count_events`) for the cost of
//! an event. docs/performance.md reads these numbers against the floor loop.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use starcity_core::dist::LogNormal;
use starcity_core::engine::{Quiet, run_timeline};
use starcity_core::ensemble::Summary;
use starcity_core::noise::{Kind, Noise};
use starcity_core::reliability::{Hyper, Posterior};
use starcity_core::world::World;
use starcity_core::{Scenario, builtin, replay};

fn draws(c: &mut Criterion) {
    // As the engine draws: the timeline's noise made once, a stream per decision.
    let noise = Noise::new(1, 7);
    let mut i = 0u64;
    c.bench_function("keyed draw (stream + uniform)", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            black_box(black_box(noise).stream(Kind::Phase, 3, i, 2).uniform(0))
        })
    });
    c.bench_function("a timeline's noise (Noise::new)", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            black_box(Noise::new(1, black_box(i)))
        })
    });
    let prep = LogNormal { median: 150.0, sigma: 0.4 };
    let mut u = 0.0f64;
    c.bench_function("lognormal quantile", |b| {
        b.iter(|| {
            u = (u + 0.618_033_988_749_895) % 1.0;
            black_box(prep.quantile(black_box(u.max(1e-9)), 1.0))
        })
    });
}

fn beliefs(c: &mut Criterion) {
    let prior = Posterior::new(Hyper { mu: 0.3, kappa: 4.0, rho: 0.2, tau: 10.0 });
    let mut belief = prior.clone();
    let mut n = 0u32;
    c.bench_function("belief update with its mean (observe_mean)", |b| {
        b.iter(|| {
            n += 1;
            if n.is_multiple_of(200) {
                belief = prior.clone(); // keep the weights away from underflow's slow path
            }
            black_box(belief.observe_mean(black_box(n % 200), n.is_multiple_of(13)))
        })
    });
}

fn reference() -> Scenario {
    let text = include_str!("../../../scripts/reference/benchmark.toml");
    Scenario::from_toml("benchmark.toml", text).expect("the reference model compiles")
}

fn timelines(c: &mut Criterion) {
    let space = builtin::scenario("space-race").expect("built-in");
    let until = chrono::NaiveDate::from_ymd_opt(1976, 1, 1).expect("a date");
    let replayed = replay::replaying(&space, until, false).expect("the record replays");
    for (name, sc) in
        [("space-race", &space), ("space-race replayed to 1976", &replayed), ("reference model", &reference())]
    {
        let mut w = World::default();
        let mut i = 0u64;
        c.bench_function(&format!("timeline: {name}"), |b| {
            b.iter(|| {
                i += 1;
                run_timeline(sc, 1, i, &mut w, &mut Quiet);
                black_box(w.events)
            })
        });
    }
    let mut w = World::default();
    c.bench_function("world reset (space-race)", |b| b.iter(|| w.reset(black_box(&space))));
    run_timeline(&space, 1, 7, &mut w, &mut Quiet);
    let mut s = Summary::new(&space);
    c.bench_function("summary add (space-race)", |b| b.iter(|| s.add(&space, black_box(&w))));
}

criterion_group!(benches, draws, beliefs, timelines);
criterion_main!(benches);
