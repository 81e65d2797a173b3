//! A launch record (TSV) → `Record::parse_checked`; a small record is also backtested.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starcity_core::{Record, calibrate};

/// Backtest only records this small, to keep executions fast.
const BACKTEST_MAX: usize = 200;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((record, _errors, _unreadable)) = Record::parse_checked(text) {
        if record.launches.len() < BACKTEST_MAX {
            let _ = calibrate::backtest(&record);
        }
    }
});
