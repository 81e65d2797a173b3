//! Invariant 1: every random decision is keyed by what it is. Changing one vehicle must not move
//! the random draws of decisions that have nothing to do with it.

use std::collections::BTreeMap;

use starcity_core::builtin;
use starcity_core::engine::{Event, Observer, run_timeline};
use starcity_core::scenario::Scenario;
use starcity_core::world::World;

/// Records, per vehicle id, the outcome of each of its flights by flight number.
#[derive(Default)]
struct Flights(BTreeMap<(String, u32), bool>);

struct Recorder<'a> {
    sc: &'a Scenario,
    out: Flights,
}

impl Observer for Recorder<'_> {
    fn event(&mut self, w: &World, e: Event) {
        if let Event::Landed { program, .. } = e {
            let f = &w.programs[program].flight;
            let m = &self.sc.missions[f.mission];
            let failed_vehicle = f.end.failed_phase().map(|i| m.phases[i].vehicle);
            for (local, &v) in m.vehicles.iter().enumerate() {
                if f.numbers[local] != u32::MAX {
                    let key = (self.sc.vehicles[v].id.clone(), f.numbers[local]);
                    self.out.0.insert(key, failed_vehicle == Some(v));
                }
            }
        }
    }
}

fn flights(sc: &Scenario, timeline: u64) -> Flights {
    let mut rec = Recorder { sc, out: Flights::default() };
    let mut w = World::default();
    run_timeline(sc, 11, timeline, &mut w, &mut rec);
    rec.out
}

#[test]
fn changing_one_vehicle_leaves_other_vehicles_draws_alone() {
    let base_text = builtin::find("tiny-race").expect("tiny-race is built in").toml;
    let changed_text =
        base_text.replace("prior = { mean = 0.2, strength = 10 }", "prior = { mean = 0.6, strength = 10 }");
    assert_ne!(base_text, changed_text, "the test must actually change the red rocket");
    let base = Scenario::from_toml("base", base_text).unwrap();
    let changed = Scenario::from_toml("changed", &changed_text).unwrap();

    let (mut compared, mut red_differs) = (0, 0);
    for t in 0..2_000 {
        let a = flights(&base, t);
        let b = flights(&changed, t);
        for ((id, n), failed) in &a.0 {
            match b.0.get(&(id.clone(), *n)) {
                Some(other) if id == "blue-rocket" => {
                    assert_eq!(failed, other, "timeline {t}: blue flight {n} changed when only red changed");
                    compared += 1;
                }
                Some(other) if other != failed => red_differs += 1,
                _ => {}
            }
        }
    }
    assert!(compared > 1_000, "too few blue flights compared: {compared}");
    assert!(red_differs > 50, "the change to the red rocket should change some red outcomes ({red_differs})");
}
