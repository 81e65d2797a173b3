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

/// How many finished blocks may wait to be emitted, per worker. Two lets a fast worker start its
/// next block while a slower one finishes the block everyone waits for, yet keeps the reorder
/// buffer at a few blocks a thread: memory is O(threads × block), whatever N.
#[cfg(feature = "parallel")]
const LEAD_PER_THREAD: u64 = 2;

/// Computes blocks `0..n_blocks` on every worker and hands each result to `emit` **in block
/// order**, whichever worker finished it. Per-timeline output (`rows::stream`) needs that order
/// to be bit-identical on any thread count, and needs to forget each block once written.
///
/// A worker does not start block `b` before block `b - window` has been emitted (`window` is
/// [`LEAD_PER_THREAD`] × threads), so at most `window` results wait at once. `emit` runs on the
/// worker that completes the next block in order, under the buffer's lock, so calls never
/// overlap. The first `Err` (in block order) stops every worker and is returned; blocks in flight
/// are dropped.
#[cfg(feature = "parallel")]
pub(crate) fn ordered_blocks<S, T: Send, E: Send>(
    n_blocks: u64,
    init: impl Fn() -> S + Sync,
    make: impl Fn(&mut S, u64) -> T + Sync,
    emit: impl FnMut(T) -> Result<(), E> + Send,
) -> Result<(), E> {
    let window = LEAD_PER_THREAD * rayon::current_num_threads().max(1) as u64;
    let queue = ordered::Queue::new(n_blocks, window, emit);
    rayon::broadcast(|_| {
        let _abort = ordered::AbortOnPanic(&queue);
        let mut state = init();
        while let Some(b) = queue.pull() {
            let block = make(&mut state, b);
            queue.deposit(b, block);
        }
    });
    queue.into_result()
}

/// Sequential twin of the parallel `ordered_blocks`: the same calls to `emit`, in the same order.
#[cfg(not(feature = "parallel"))]
pub(crate) fn ordered_blocks<S, T, E>(
    n_blocks: u64,
    init: impl Fn() -> S,
    make: impl Fn(&mut S, u64) -> T,
    mut emit: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let mut state = init();
    (0..n_blocks).try_for_each(|b| emit(make(&mut state, b)))
}

/// The reorder buffer behind the parallel [`ordered_blocks`].
#[cfg(feature = "parallel")]
mod ordered {
    use std::collections::VecDeque;
    use std::sync::{Condvar, Mutex, MutexGuard};

    /// What the workers share: which block to pull next, which to emit next, the finished blocks
    /// in between, the sink and the first error.
    struct State<T, E, F> {
        n_blocks: u64,
        window: u64,
        pulled: u64,
        emitted: u64,
        /// `ready[i]` is block `emitted + i`, once finished.
        ready: VecDeque<Option<T>>,
        emit: F,
        error: Option<E>,
        stopped: bool,
    }

    pub(super) struct Queue<T, E, F> {
        state: Mutex<State<T, E, F>>,
        /// Signalled when a block is emitted or the run stops: a worker waiting for room may go on.
        room: Condvar,
    }

    impl<T, E, F: FnMut(T) -> Result<(), E>> Queue<T, E, F> {
        pub(super) fn new(n_blocks: u64, window: u64, emit: F) -> Self {
            let ready = VecDeque::new();
            let state = State { n_blocks, window, pulled: 0, emitted: 0, ready, emit, error: None, stopped: false };
            Queue { state: Mutex::new(state), room: Condvar::new() }
        }

        /// A poisoned lock means a worker panicked; the panic is re-raised by rayon, and the
        /// state is still consistent enough to stop on.
        fn lock(&self) -> MutexGuard<'_, State<T, E, F>> {
            self.state.lock().unwrap_or_else(|e| e.into_inner())
        }

        /// The next block to compute, once it is within the window; `None` when all are pulled
        /// or the run stopped.
        pub(super) fn pull(&self) -> Option<u64> {
            let mut st = self.lock();
            loop {
                if st.stopped || st.pulled >= st.n_blocks {
                    return None;
                }
                if st.pulled < st.emitted + st.window {
                    st.pulled += 1;
                    return Some(st.pulled - 1);
                }
                st = self.room.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        }

        /// Stores finished block `b` and emits every block now ready in order.
        pub(super) fn deposit(&self, b: u64, block: T) {
            let mut st = self.lock();
            if st.stopped {
                return;
            }
            let slot = (b - st.emitted) as usize;
            if st.ready.len() <= slot {
                st.ready.resize_with(slot + 1, || None);
            }
            st.ready[slot] = Some(block);
            let before = st.emitted;
            st.drain();
            if st.emitted != before || st.stopped {
                self.room.notify_all();
            }
        }

        pub(super) fn stop(&self) {
            self.lock().stopped = true;
            self.room.notify_all();
        }

        pub(super) fn into_result(self) -> Result<(), E> {
            let st = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
            st.error.map_or(Ok(()), Err)
        }
    }

    impl<T, E, F: FnMut(T) -> Result<(), E>> State<T, E, F> {
        /// Emits the blocks at the front of the buffer while they are finished.
        fn drain(&mut self) {
            while let Some(Some(_)) = self.ready.front() {
                let Some(Some(block)) = self.ready.pop_front() else { break };
                self.emitted += 1;
                if let Err(e) = (self.emit)(block) {
                    self.error = Some(e);
                    self.stopped = true;
                    self.ready.clear();
                    return;
                }
            }
        }
    }

    /// Stops the queue if its worker unwinds: the others would otherwise wait forever for the
    /// block it was computing.
    pub(super) struct AbortOnPanic<'a, T, E, F: FnMut(T) -> Result<(), E>>(pub(super) &'a Queue<T, E, F>);

    impl<T, E, F: FnMut(T) -> Result<(), E>> Drop for AbortOnPanic<'_, T, E, F> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                self.0.stop();
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Runs `ordered_blocks` over `n` blocks on a pool of `threads`, with uneven block times, and
    /// returns the blocks in the order emitted and the most blocks ever started but not emitted.
    fn emitted_order(n: u64, threads: usize, fail_at: Option<u64>) -> (Vec<u64>, u64, Result<(), u64>) {
        let (started, done) = (AtomicU64::new(0), AtomicU64::new(0));
        let most = AtomicU64::new(0);
        let mut order = Vec::new();
        let run = || {
            ordered_blocks(
                n,
                || (),
                |_, b| {
                    let now = started.fetch_add(1, Ordering::SeqCst) + 1 - done.load(Ordering::SeqCst);
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_micros((b * 7919) % 500));
                    b
                },
                |b| {
                    done.fetch_add(1, Ordering::SeqCst);
                    if fail_at == Some(b) {
                        return Err(b);
                    }
                    order.push(b);
                    Ok(())
                },
            )
        };
        #[cfg(feature = "parallel")]
        let result = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(run);
        #[cfg(not(feature = "parallel"))]
        let result = {
            let (_, mut run) = (threads, run);
            run()
        };
        (order, most.load(Ordering::SeqCst), result)
    }

    #[test]
    fn blocks_are_emitted_in_order_on_any_thread_count_within_the_window() {
        for threads in [1, 2, 3] {
            let (order, most, result) = emitted_order(200, threads, None);
            assert_eq!(result, Ok(()));
            assert_eq!(order, (0..200).collect::<Vec<_>>(), "{threads} threads");
            assert!(most <= 2 * threads as u64, "{most} blocks waiting with {threads} threads");
        }
    }

    #[test]
    fn the_first_error_in_block_order_stops_the_stream() {
        for threads in [1, 3] {
            let (order, _, result) = emitted_order(500, threads, Some(37));
            assert_eq!(result, Err(37));
            assert_eq!(order, (0..37).collect::<Vec<_>>(), "nothing after the failed block is emitted");
        }
    }

    #[test]
    fn no_blocks_emit_nothing() {
        let (order, _, result) = emitted_order(0, 2, None);
        assert!(order.is_empty() && result.is_ok());
    }
}
