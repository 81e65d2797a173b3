//! Mean flights, failures and true first-flight failure probability per vehicle (a calibration aid).
use starcity_core::engine::{Quiet, run_timeline};
use starcity_core::world::World;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| starcity_core::builtin::DEFAULT_SCENARIO.into());
    let sc = starcity_core::builtin::scenario(&name).unwrap_or_else(|| {
        let text = std::fs::read_to_string(&name).expect("a built-in name or a readable scenario file");
        starcity_core::Scenario::from_toml(&name, &text).expect("scenario compiles")
    });
    let n = 2000;
    let mut w = World::default();
    let nv = sc.vehicles.len();
    let (mut flights, mut failures, mut q0) = (vec![0.0; nv], vec![0.0; nv], vec![0.0; nv]);
    for i in 0..n {
        run_timeline(&sc, 1, i, &mut w, &mut Quiet);
        for v in 0..nv {
            flights[v] += w.vehicles[v].flights as f64;
            failures[v] += w.vehicles[v].failures as f64;
            q0[v] += w.vehicles[v].q0;
        }
    }
    println!("{:<12} {:>8} {:>8} {:>7} {:>9} {:>8}", "vehicle", "flights", "failures", "rate", "mean q0", "n before");
    for (v, veh) in sc.vehicles.iter().enumerate() {
        let f = flights[v] / n as f64;
        let x = failures[v] / n as f64;
        println!(
            "{:<12} {:>8.1} {:>8.2} {:>7.3} {:>9.3} {:>8}",
            veh.id,
            f,
            x,
            x / f.max(1e-9),
            q0[v] / n as f64,
            veh.flights_before
        );
    }
}
