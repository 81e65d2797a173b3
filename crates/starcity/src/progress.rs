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
