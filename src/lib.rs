//! starcity: play out a space race many times, change one thing, see what history does.
//!
//! See `ARCHITECTURE.md` for the bird's-eye view and the code map.

pub mod calibrate;
pub mod record;
pub mod reliability;
