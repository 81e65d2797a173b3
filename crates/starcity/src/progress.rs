//! The worker pool and the progress bar: every long computation runs through [`in_pool`], which
//! shows how far it is (on a terminal, unless `--quiet`) and how long is left.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use miette::{IntoDiagnostic, Result, WrapErr, miette};

/// Runs `job` on a pool of `threads` workers (default: the cores, at most `limits::THREADS`),
/// with a progress bar of `total` units on a terminal. `job` bumps the counter it is given.
pub fn in_pool<T: Send>(
    threads: Option<u64>,
    quiet: bool,
    total: u64,
    what: &str,
    job: impl FnOnce(&AtomicU64) -> T + Send,
) -> Result<T> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = threads.map_or(cores.min(starcity_core::limits::THREADS.usize()), |t| t as usize);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .into_diagnostic()
        .wrap_err("cannot start worker threads")?;
    let done = AtomicU64::new(0);
    let show = !quiet && std::io::stderr().is_terminal();
    std::thread::scope(|s| {
        let worker = s.spawn(|| pool.install(|| job(&done)));
        if show {
            let bar = indicatif::ProgressBar::new(total);
            let template = format!("{{bar:40}} {{pos}}/{{len}} {what} ({{rate}}, {{eta}} left)");
            bar.set_style(
                indicatif::ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    // Whole timelines a second: `{per_sec}` prints four decimals ("7,433.3974/s").
                    .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}/s", indicatif::HumanCount(state.per_sec().round() as u64));
                    }),
            );
            while !worker.is_finished() {
                bar.set_position(done.load(Ordering::Relaxed));
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        }
        worker.join().map_err(|_| miette!("a worker thread failed"))
    })
}

/// The line a finished run prints on standard error: `20,000 timelines in 9.34 s (2,141
/// timelines/s)`, numbers grouped as the progress bar groups them.
pub fn timing(count: u64, what: &str, started: std::time::Instant) -> String {
    let secs = started.elapsed().as_secs_f64();
    let rate = (count as f64 / secs.max(1e-9)).round() as u64;
    let (count, rate) = (indicatif::HumanCount(count), indicatif::HumanCount(rate));
    format!("{count} {what} in {secs:.2} s ({rate} timelines/s)\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_timing_line_groups_its_numbers() {
        let two_seconds_ago = std::time::Instant::now().checked_sub(std::time::Duration::from_secs(2));
        let line = super::timing(20_000, "timelines", two_seconds_ago.unwrap_or_else(std::time::Instant::now));
        assert!(line.starts_with("20,000 timelines in "), "{line}");
        // About 10,000 a second (fewer, as the clock moved on): grouped, and whole.
        let rate = line.split('(').nth(1).unwrap_or_default();
        assert!(rate.contains(',') && !rate.contains('.') && rate.ends_with(" timelines/s)\n"), "{line}");
    }
}
