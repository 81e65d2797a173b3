//! `starcity-floor -n N --seed S [--json] [--normal ziggurat|box-muller|polar|keyed|keyed-ziggurat]`: the
//! reference benchmark model as the leanest single-threaded Rust loop (`../README.md`, "The
//! floor"). `keyed` is not a normal method but starcity's randomness (keyed streams, inverse-CDF
//! durations) in the same loop: the floor under starcity's invariants; `keyed-ziggurat` keys the
//! streams but draws durations by ziggurat (the brief's invariant alone).
//!
//! starcity is a general engine (an event queue, keyed random streams, scenario-driven vehicles and
//! rules); this is the same model with everything the model does not need taken out, so its time
//! per timeline is a floor for what any implementation of these semantics costs on this machine.
//! `compare.py` checks that its statistics agree with starcity's and prints starcity's time over
//! this one's.
//!
//! Output: the line model_plain.py prints, or with `--json` the counts `compare.py` reads (who is
//! first, and landings per whole day per agency). The time is measured in-process around the loop,
//! as the Python models are timed.

mod model;
mod rng;

use std::process::ExitCode;
use std::time::Instant;

use model::{Draws, Keyed, Luck, Tally};
use rng::{BoxMuller, Normal, Polar, Xoshiro256pp, Ziggurat};

const USAGE: &str =
    "usage: starcity-floor [-n N] [--seed S] [--json] [--normal ziggurat|box-muller|polar|keyed|keyed-ziggurat]";

/// The command line, as model_plain.py's (`-n` 20,000 and `--seed` 1 by default).
struct Args {
    n: u64,
    seed: u64,
    json: bool,
    normal: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args { n: 20_000, seed: 1, json: false, normal: "ziggurat".into() };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "-n" => a.n = value()?.parse().map_err(|e| format!("-n: {e}"))?,
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--normal" => a.normal = value()?,
            "--json" => a.json = true,
            "-h" | "--help" => return Err(String::new()),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    if a.n == 0 {
        return Err("-n must be at least 1".into());
    }
    Ok(a)
}

/// Runs and times the loop with the luck `luck`, monomorphised so the choice costs nothing
/// inside it.
fn timed<L: Luck>(a: &Args, luck: L) -> (Tally, f64) {
    let t0 = Instant::now();
    let tally = model::run(a.n, luck);
    (tally, t0.elapsed().as_secs_f64())
}

/// The sequential generator with the normal method `normal`.
fn sequential<N: Normal>(a: &Args, normal: N) -> Draws<N> {
    Draws { rng: Xoshiro256pp::seed_from(a.seed), normal }
}

/// `1234567.4` → `1,234,567`, Python's `{:,.0f}`.
fn thousands(x: f64) -> String {
    let digits = format!("{x:.0}");
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// model_plain.py's line, character for character.
fn summary(t: &Tally, dt: f64) -> String {
    let [a, b, none] = t.first;
    format!(
        "{} timelines in {dt:.2} s = {}/s, {:.1} events/timeline; first A/B/none = [{a}, {b}, {none}]",
        t.n,
        thousands(t.n as f64 / dt),
        t.events as f64 / t.n as f64
    )
}

/// One JSON object (written by hand: a few integer arrays need no serializer).
fn json(t: &Tally, dt: f64) -> String {
    let list = |xs: &[u64]| xs.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    format!(
        "{{\"n\":{},\"seconds\":{dt},\"events\":{},\"first\":[{}],\"landing_days\":{{\"A\":[{}],\"B\":[{}]}}}}",
        t.n,
        t.events,
        list(&t.first),
        list(&t.landing[0]),
        list(&t.landing[1])
    )
}

fn main() -> ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("starcity-floor: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (tally, dt) = match a.normal.as_str() {
        "ziggurat" => timed(&a, sequential(&a, Ziggurat)),
        "box-muller" => timed(&a, sequential(&a, BoxMuller::default())),
        "polar" => timed(&a, sequential(&a, Polar::default())),
        "keyed" => timed(&a, Keyed::new(a.seed, false)),
        "keyed-ziggurat" => timed(&a, Keyed::new(a.seed, true)),
        other => {
            eprintln!("starcity-floor: unknown --normal {other}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    println!("{}", if a.json { json(&tally, dt) } else { summary(&tally, dt) });
    ExitCode::SUCCESS
}
