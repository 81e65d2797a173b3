//! One module per command. Each takes its parsed flags, loads through `config`, computes with
//! `starcity_core`, and writes through `output`: no command prints directly.

pub mod calibrate;
pub mod check;
pub mod chronicle;
pub mod compare;
pub mod export;
pub mod run;
pub mod scenarios;
pub mod show;
