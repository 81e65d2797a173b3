//! starcity: play out a space race many times, change one thing, see what history does.
//!
//! See `ARCHITECTURE.md` for the bird's-eye view and the code map.

pub mod builtin;
pub mod calibrate;
pub mod chronicle;
pub mod counterfactual;
pub mod dist;
pub mod divergence;
pub mod engine;
pub mod ensemble;
pub mod noise;
pub mod record;
pub mod record_priors;
pub mod reliability;
pub mod report;
pub mod scenario;
pub mod world;
