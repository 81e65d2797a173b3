//! Data parallelism over blocks of work, on rayon's pool when the `parallel` feature is on and on
//! the calling thread when it is off. Results are the same either way: callers fold into integer
//! summaries whose merge is exact and order-free (see `ensemble::Summary::merge`).
//!
//! Each worker thread pulls block indices from a shared counter and folds them into **one**
//! accumulator of its own, so a run holds `threads + 1` accumulators whatever the number of
//! blocks: memory does not grow with N (a fold/reduce tree would hold up to one per split).

/// Folds blocks `0..n_blocks`: each worker starts from `init()`, folds the blocks it pulls into it
/// with `fold`, turns its state into a result with `finish`; results are combined with `merge`.
///
/// When `failed(&state)` holds after a block, no worker pulls another block; blocks already
/// pulled are finished. Blocks are pulled in order, so every block before the one that failed
/// is folded by someone: the earliest failure is always seen, whatever the thread count.
#[cfg(feature = "parallel")]
pub(crate) fn fold_blocks<S, T: Send>(
    n_blocks: u64,
    init: impl Fn() -> S + Sync,
    fold: impl Fn(S, u64) -> S + Sync,
    failed: impl Fn(&S) -> bool + Sync,
    finish: impl Fn(S) -> T + Sync,
    merge: impl Fn(T, T) -> T,
) -> T {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let mut parts = rayon::broadcast(|_| {
        let mut state = init();
        while !stop.load(Ordering::Relaxed) {
            let b = next.fetch_add(1, Ordering::Relaxed);
            if b >= n_blocks {
                break;
            }
            state = fold(state, b);
            if failed(&state) {
                stop.store(true, Ordering::Relaxed);
            }
        }
        finish(state)
    })
    .into_iter();
    let first = parts.next().unwrap_or_else(|| finish(init()));
    parts.fold(first, merge)
}

/// Sequential twin of the parallel `fold_blocks`.
#[cfg(not(feature = "parallel"))]
pub(crate) fn fold_blocks<S, T>(
    n_blocks: u64,
    init: impl Fn() -> S,
    fold: impl Fn(S, u64) -> S,
    failed: impl Fn(&S) -> bool,
    finish: impl Fn(S) -> T,
    _merge: impl Fn(T, T) -> T,
) -> T {
    let mut state = init();
    for b in 0..n_blocks {
        state = fold(state, b);
        if failed(&state) {
            break;
        }
    }
    finish(state)
}

/// Maps `items` to a vector in order, in parallel when the feature is on.
#[cfg(feature = "parallel")]
pub(crate) fn map_ordered<I: Sync, O: Send>(items: &[I], f: impl Fn(&I) -> O + Sync + Send) -> Vec<O> {
    use rayon::prelude::*;
    items.par_iter().map(f).collect()
}

/// Sequential twin of the parallel `map_ordered`.
#[cfg(not(feature = "parallel"))]
pub(crate) fn map_ordered<I, O>(items: &[I], f: impl Fn(&I) -> O) -> Vec<O> {
    items.iter().map(f).collect()
}
