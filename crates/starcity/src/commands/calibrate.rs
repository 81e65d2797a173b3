//! `starcity calibrate`: the one-step-ahead backtest of the reliability model on a launch record.

use std::borrow::Cow;

use miette::{Result, miette};
use starcity_core::calibrate::{format_priors, format_report, priors, report};
use starcity_core::limits::RECORD_BYTES;
use starcity_core::record::Record;

use crate::cli::CalibrateArgs;
use crate::input;
use crate::output::{self, Sink};
use crate::progress::in_pool;

/// Unreadable rows listed on stderr; the rest are counted.
const SHOWN: usize = 20;

pub fn run(args: &CalibrateArgs) -> Result<()> {
    output::check_target(args.output.as_deref())?;
    let (record, source, bad) = load(args)?;
    let sink = Sink::new(args.output.as_deref());
    if let Some(date) = args.show_priors {
        let p = priors(&record, date).map_err(|e| miette!("{source}: {e}"))?;
        return if args.json { output::emit_json(&p, sink) } else { output::emit(&format_priors(&p, &source), sink) };
    }
    let r = in_pool(args.threads, true, 0, "refits", |_| report(&record, &source, bad, args.from, args.by_family))?;
    if args.json { output::emit_json(&r, sink) } else { output::emit(&format_report(&r), sink) }
}

/// Loads the record named on the command line (or the embedded one), warning on stderr about
/// unreadable rows. Returns the record, its source name and the number of bad rows.
fn load(args: &CalibrateArgs) -> Result<(Cow<'static, Record>, String, usize)> {
    let Some(name) = &args.record else {
        return Ok((Cow::Borrowed(Record::embedded()), "embedded".into(), 0));
    };
    let bytes = input::read_bytes(name, RECORD_BYTES).map_err(|m| miette!("record {name}: {m}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let (record, errors, total) = Record::parse_checked(&text).map_err(|e| miette!("record {name}: {e}"))?;
    let mut warnings = String::new();
    for e in errors.iter().take(SHOWN) {
        warnings.push_str(&format!("warning: {name}:{}: skipped: {}\n", e.line, e.message));
    }
    if total > SHOWN {
        warnings.push_str(&format!("warning: {name}: {} more unreadable rows skipped\n", total - SHOWN));
    }
    output::note(&warnings);
    Ok((Cow::Owned(record), name.clone(), total))
}
