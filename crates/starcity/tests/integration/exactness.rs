//! The ensemble against answers known in closed form. Each estimate must lie within four
//! standard errors of the exact value.

use std::sync::atomic::AtomicU64;

use starcity_core::ensemble::{self, RunConfig, Summary};
use starcity_core::scenario::Scenario;

fn run(toml: &str, n: u64) -> (Scenario, Summary) {
    let sc = Scenario::from_toml("<test>", toml).expect("test scenario loads");
    let s = ensemble::run(&sc, RunConfig { seed: 7, timelines: n }, &AtomicU64::new(0)).expect("within the limits");
    (sc, s)
}

fn assert_close(what: &str, estimate: f64, exact: f64, n: u64) {
    let se = (exact * (1.0 - exact) / n as f64).sqrt().max(1e-12);
    let z = (estimate - exact) / se;
    assert!(z.abs() < 4.0, "{what}: estimate {estimate:.5}, exact {exact:.5}, z = {z:.2}");
}

/// Two agencies, fixed schedules, Bernoulli phases with known probabilities.
fn race(pa: [f64; 2], pb: f64, loss: f64) -> String {
    format!(
        r#"
[scenario]
id = "race"
name = "race"
start = 2000-01-01
end = 2004-02-09

[[agency]]
id = "A"
name = "A"
risk = 1.0
crew = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13", "a14", "a15", "a16"]
budget = [{{ from = 2000-01-01, level = 1.0 }}]

[[agency]]
id = "B"
name = "B"
risk = 1.0
crew = ["b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12"]
budget = [{{ from = 2000-01-01, level = 1.0 }}]

[[vehicle]]
id = "ra"
name = "A rocket"
agency = "A"
failure = {pa0}

[[vehicle]]
id = "ca"
name = "A capsule"
agency = "A"
failure = {pa1}

[[vehicle]]
id = "rb"
name = "B rocket"
agency = "B"
failure = {pb}

[[milestone]]
id = "goal"
name = "Goal"

[[mission]]
id = "ma"
name = "A mission"
crew = 1
[[mission.phase]]
name = "launch"
vehicle = "ra"
loss = {loss}
[[mission.phase]]
name = "capsule"
vehicle = "ca"
loss = 1.0
achieves = ["goal"]

[[mission]]
id = "mb"
name = "B mission"
[[mission.phase]]
name = "launch"
vehicle = "rb"
achieves = ["goal"]

[[program]]
id = "pa"
name = "A program"
agency = "A"
start = 2000-01-01
stand_down = {{ median_days = 0, sigma = 0 }}
loss_stand_down = {{ median_days = 0, sigma = 0 }}
[[program.step]]
mission = "ma"
prep = {{ median_days = 100, sigma = 0 }}

[[program]]
id = "pb"
name = "B program"
agency = "B"
start = 2000-01-01
stand_down = {{ median_days = 0, sigma = 0 }}
loss_stand_down = {{ median_days = 0, sigma = 0 }}
[[program.step]]
mission = "mb"
prep = {{ median_days = 170, sigma = 0 }}
"#,
        pa0 = pa[0],
        pa1 = pa[1],
    )
}

#[test]
fn race_between_two_agencies_matches_closed_form() {
    let (pa, pb, loss) = ([0.3, 0.2], 0.5, 0.25);
    let n = 40_000;
    let (sc, s) = run(&race(pa, pb, loss), n);
    let horizon = sc.horizon;
    let sa = (1.0 - pa[0]) * (1.0 - pa[1]);
    let sb = 1.0 - pb;
    // A flies on days 100k, B on days 170j; no tie falls inside the horizon (1500 days).
    let ka = (horizon / 100.0).floor() as i32;
    let kb = (horizon / 170.0).floor() as i32;
    let mut p_a_first = 0.0;
    for k in 1..=ka {
        let b_flights_before = (100 * k - 1) / 170;
        p_a_first += sa * (1.0 - sa).powi(k - 1) * (1.0 - sb).powi(b_flights_before);
    }
    let p_none = (1.0 - sa).powi(ka) * (1.0 - sb).powi(kb);
    let p_b_first = 1.0 - p_a_first - p_none;
    assert_close("P(A first)", s.p_first(0, 0), p_a_first, n);
    assert_close("P(B first)", s.p_first(0, 1), p_b_first, n);
    assert_close("P(nobody)", s.p_first(0, 2), p_none, n);
}

#[test]
fn geometric_attempts_and_crew_loss_match_closed_form() {
    let (pa, pb, loss) = ([0.4, 0.0], 0.0, 0.25);
    let n = 40_000;
    let (_, s) = run(&race(pa, pb, loss), n);
    let a = 0;
    // Attempts until the first success are geometric: P(first success on attempt k) = 0.4^(k-1) 0.6.
    for k in 1..=3u32 {
        let day = 100 * k as usize;
        let exact_cdf = 1.0 - 0.4f64.powi(k as i32);
        let cdf = s.date_cdf(0, a, day) * s.p_reached(0, a);
        assert_close(&format!("P(success by attempt {k})"), cdf, exact_cdf, n);
    }
    // Each failed launch kills the crew with probability 0.25, independently; the number of
    // failures before the success is geometric with mean 0.4 / 0.6 (the horizon cuts nothing that
    // matters: 0.4^15 < 1e-5).
    let expected_lost: f64 = (0.4 / 0.6) * 0.25;
    let mean_lost = s.crew_lost_sum[a] as f64 / n as f64;
    let sd = 0.6f64.sqrt(); // generous: the count's sd is below 0.6
    assert!(
        (mean_lost - expected_lost).abs() < 4.0 * sd / (n as f64).sqrt(),
        "mean crew lost {mean_lost:.4}, exact {expected_lost:.4}"
    );
    // P(at least one loss) = 1 - P(no failed launch kills): each attempt ends in a death with
    // probability 0.4 * 0.25 = 0.1 and in success with 0.6; deaths before success: 0.1 / 0.7.
    assert_close("P(any loss)", s.crew_lost_any[a] as f64 / n as f64, 0.1 / 0.7, n);
}
