//! # starcity-core
//!
//! The model behind `starcity`: play out a space race many times, change one thing, see what
//! history does. This crate holds the scenario and divergence compilers, the keyed-noise
//! discrete-event engine, ensembles, twin worlds, the launch record and its reliability model, and
//! the report and chronicle models. It does no I/O of its own: it parses the text it is handed,
//! never opens a file, never prints, and knows nothing of terminals or flags. The `starcity`
//! binary crate does all of that on top of it.
//!
//! A timeline is a pure function of (scenario, seed, timeline index); an ensemble folds finished
//! timelines into fixed-size integer summaries, so results are identical on any thread count.
//!
//! ```
//! use starcity_core::{RunConfig, Scenario, builtin, run_ensemble};
//!
//! let sc: Scenario = builtin::scenario("tiny-race").expect("a built-in scenario compiles");
//! let summary = run_ensemble(&sc, RunConfig { seed: 7, timelines: 200 }).expect("within the limits");
//! assert_eq!(summary.n, 200);
//! let orbit = sc.milestone_index("crewed_orbit").expect("tiny-race races for orbit");
//! let p: f64 = (0..sc.n_agencies()).map(|a| summary.p_first(orbit, a)).sum();
//! assert!((0.0..=1.0 + 1e-12).contains(&p));
//! ```
//!
//! The stages and their errors: loading a scenario or divergence gives [`LoadErrors`] (every
//! problem located as `file:line:col`); running gives [`RunError`] (a limit reached while a
//! timeline ran, with the program and step that caused it); reading a launch record gives
//! [`RecordError`]. Every bound on untrusted input is in [`limits`].

mod agenda;
pub mod builtin;
pub mod calibrate;
pub mod chronicle;
pub mod counterfactual;
mod crew;
pub mod dist;
pub mod divergence;
pub mod engine;
pub mod ensemble;
pub mod limits;
pub mod noise;
mod parallel;
pub mod record;
pub mod record_priors;
pub mod reliability;
pub mod replay;
pub mod report;
pub mod rows;
pub mod scenario;
pub mod shard;
pub mod world;

pub use counterfactual::Paired;
pub use engine::{Event, Observer, Quiet, run_timeline};
pub use ensemble::{RunConfig, RunError, Summary, run as run_ensemble_with_progress};
pub use record::{Record, RecordError};
pub use report::{CompareReport, RunReport};
pub use scenario::{LoadError, LoadErrors, Scenario};
pub use world::World;

// A World is moved between and shared across threads by callers (fuzzers keep one in a static).
const _: () = {
    const fn sync_and_send<T: Sync + Send>() {}
    sync_and_send::<World>();
    sync_and_send::<Scenario>();
};

/// Runs an ensemble without a progress counter: [`ensemble::run`] for callers that need none.
pub fn run_ensemble(sc: &Scenario, cfg: RunConfig) -> Result<Summary, RunError> {
    ensemble::run(sc, cfg, &std::sync::atomic::AtomicU64::new(0))
}
