//! A launch record (TSV) → `Record::parse_checked`; a small record is also backtested.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starcity_core::{Record, calibrate};

/// Backtest only records this small, to keep executions fast: a hyper-parameter fit (about 50 ms
/// under the sanitizer) runs for each year with at least `MIN_FIT_LAUNCHES` (30) launches before
/// it, so records of 30 to 60 launches still exercise the fit, a few times at most.
const BACKTEST_MAX: usize = 2 * starcity_core::reliability::MIN_FIT_LAUNCHES;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((record, _errors, _unreadable)) = Record::parse_checked(text) {
        if record.launches.len() < BACKTEST_MAX {
            let _ = calibrate::backtest(&record);
        }
    }
});
