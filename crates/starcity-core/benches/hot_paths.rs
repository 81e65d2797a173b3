//! The engine's hot paths in isolation (`cargo bench -p starcity-core --bench hot_paths`): one keyed
//! draw, one lognormal quantile, one world reset, one summary fold, and whole timelines of
//! `space-race` (free and replayed) and of the reference benchmark model. Divide a timeline's time
//! by its events (`cargo run --release -p starcity-core --example count_events`) for the cost of
//! an event. docs/performance.md reads these numbers against the floor loop.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use starcity_core::dist::LogNormal;
use starcity_core::engine::{Quiet, run_timeline};
use starcity_core::ensemble::Summary;
use starcity_core::noise::{Kind, Noise};
use starcity_core::world::World;
use starcity_core::{Scenario, builtin, replay};

fn draws(c: &mut Criterion) {
    let mut i = 0u64;
    c.bench_function("keyed draw (stream + uniform)", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            black_box(Noise::new(1, i).stream(Kind::Phase, 3, i, 2).uniform(0))
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

criterion_group!(benches, draws, timelines);
criterion_main!(benches);
