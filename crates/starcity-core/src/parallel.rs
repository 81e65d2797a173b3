//! Data parallelism over blocks of work, on rayon's pool when the `parallel` feature is on and on
//! the calling thread when it is off. Results are the same either way: callers fold into integer
//! summaries whose merge is exact and order-free (see `ensemble::Summary::merge`).
//!
//! Each worker thread pulls block indices from a shared counter and folds them into **one**
//! accumulator of its own, so a run holds `threads + 1` accumulators whatever the number of
//! blocks: memory does not grow with N (a fold/reduce tree would hold up to one per split).

/// Folds blocks `0..n_blocks`: each worker starts from `init()`, folds the blocks it pulls into it
/// with `fold`, turns its state into a result with `finish`; results are combined with `merge`.
#[cfg(feature = "parallel")]
pub(crate) fn fold_blocks<S, T: Send>(
    n_blocks: u64,
    init: impl Fn() -> S + Sync,
    fold: impl Fn(S, u64) -> S + Sync,
    finish: impl Fn(S) -> T + Sync,
    merge: impl Fn(T, T) -> T,
) -> T {
    use std::sync::atomic::{AtomicU64, Ordering};
    let next = AtomicU64::new(0);
    let mut parts = rayon::broadcast(|_| {
        let mut state = init();
        loop {
            let b = next.fetch_add(1, Ordering::Relaxed);
            if b >= n_blocks {
                break;
            }
            state = fold(state, b);
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
    finish: impl Fn(S) -> T,
    _merge: impl Fn(T, T) -> T,
) -> T {
    finish((0..n_blocks).fold(init(), fold))
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
