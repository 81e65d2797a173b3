//! starcity's end-to-end tests: one binary (one link, one run), a module per invariant or
//! behaviour. Unit tests live beside the code they test.

mod bad_input;
mod calibrate;
mod chronicle;
mod chronicle_formats;
mod chronicle_reading;
mod cli;
mod determinism;
mod divergences;
mod exactness;
mod export;
mod history;
mod hostile;
mod keyed_streams;
mod named_flights;
mod output;
mod properties;
mod replay;
mod report;
mod shards;
mod show;
mod support;
mod twins;
