//! Where CPU-heavy work runs: never on the async workers that answer `/healthz` and small
//! pages, but on tokio's blocking pool, behind bounds.
//!
//! * [`Gate`]: large work (import, rules, pages and exports of large dossiers) waits for
//!   one of `workers` permits, so at most that many run at once and the rest queue without
//!   holding a thread; small work goes straight to the blocking pool.
//! * [`PrintQueue`]: Chromium for PDF exports, at most `workers` processes at once and at
//!   most `queue` exports waiting; beyond that (or after waiting `wait`) the export is
//!   refused with [`Busy`] instead of starting another browser.
//!
//! Permits are held by the blocking job itself, so a request that goes away while its job
//! runs does not free a slot for another Chromium before this one has ended.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{ApiError, ApiResult};

/// Work on at most this many rows (indicators and other rows of the forms) is small: it
/// runs at once, on the blocking pool, without waiting for the gate. The seed filing has
/// about 60.
pub const SMALL_WORK_ROWS: usize = 300;

/// How much work is running and waiting at a moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Load {
    pub running: usize,
    pub waiting: usize,
}

/// Counts itself down when dropped (a request that went away stops waiting).
struct Counted(Arc<AtomicUsize>);

impl Counted {
    /// Counts one more; also returns how many there were before.
    fn new(counter: &Arc<AtomicUsize>) -> (Counted, usize) {
        let before = counter.fetch_add(1, Ordering::SeqCst);
        (Counted(counter.clone()), before)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Bounded concurrency for CPU-heavy work.
pub struct Gate {
    permits: Arc<Semaphore>,
    size: usize,
    waiting: Arc<AtomicUsize>,
}

impl Gate {
    /// `size` permits; 0 means one per CPU core.
    pub fn new(size: usize) -> Gate {
        let size = if size == 0 { cores() } else { size };
        Gate {
            permits: Arc::new(Semaphore::new(size)),
            size,
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn load(&self) -> Load {
        Load {
            running: self.size - self.permits.available_permits(),
            waiting: self.waiting.load(Ordering::SeqCst),
        }
    }

    /// Waits for a permit (without holding a thread). Held permits count as running work:
    /// tests and maintenance use this to see that work queues behind the gate.
    pub async fn hold(&self) -> OwnedSemaphorePermit {
        let (_waiting, _) = Counted::new(&self.waiting);
        self.permits
            .clone()
            .acquire_owned()
            .await
            .expect("the gate's semaphore is never closed")
    }

    /// Runs `f` on the blocking pool: at once when `rows` is small, else after a permit.
    pub async fn run<T: Send + 'static>(
        &self,
        rows: usize,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> ApiResult<T> {
        let permit = if rows <= SMALL_WORK_ROWS {
            None
        } else {
            Some(self.hold().await)
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .map_err(ApiError::internal)
    }
}

/// The number of CPU cores (1 when unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The PDF queue is full: answer 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
}

impl From<Busy> for ApiError {
    fn from(b: Busy) -> ApiError {
        ApiError::Busy {
            message: "正在排队，请稍后再试（PDF 导出同时进行的数量已满）".into(),
            retry_after: b.retry_after.as_secs().max(1),
        }
    }
}

/// A bounded queue in front of Chromium.
pub struct PrintQueue {
    permits: Arc<Semaphore>,
    workers: usize,
    /// Exports admitted (running or waiting).
    admitted: Arc<AtomicUsize>,
    capacity: usize,
    wait: Duration,
}

impl PrintQueue {
    /// At most `workers` (at least 1) Chromium at once and `queue` exports waiting, each
    /// for at most `wait`.
    pub fn new(workers: usize, queue: usize, wait: Duration) -> PrintQueue {
        let workers = workers.max(1);
        PrintQueue {
            permits: Arc::new(Semaphore::new(workers)),
            workers,
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: workers + queue,
            wait,
        }
    }

    pub fn load(&self) -> Load {
        let running = self.workers - self.permits.available_permits();
        Load {
            running,
            waiting: self.admitted.load(Ordering::SeqCst).saturating_sub(running),
        }
    }

    /// Runs `print` (which starts Chromium) on the blocking pool when a slot is free;
    /// [`Busy`] at once when the queue is full, or after waiting `wait` for a slot.
    pub async fn run<T: Send + 'static>(
        &self,
        print: impl FnOnce() -> T + Send + 'static,
    ) -> Result<ApiResult<T>, Busy> {
        let busy = Busy {
            retry_after: self.wait,
        };
        let (slot, before) = Counted::new(&self.admitted);
        if before >= self.capacity {
            return Err(busy);
        }
        let permit =
            match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
                Ok(Ok(p)) => p,
                _ => return Err(busy),
            };
        Ok(tokio::task::spawn_blocking(move || {
            let _held = (slot, permit);
            print()
        })
        .await
        .map_err(ApiError::internal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With a current-thread runtime (one async worker), work through the gate still lets
    /// that worker answer: the job waits on a channel the async side fills afterwards.
    #[tokio::test(flavor = "current_thread")]
    async fn gated_work_never_blocks_the_async_worker() {
        let gate = Gate::new(1);
        let (tx, rx) = std::sync::mpsc::channel::<u32>();
        let job = gate.run(SMALL_WORK_ROWS + 1, move || rx.recv().unwrap() + 1);
        let answer = async {
            tokio::task::yield_now().await;
            tx.send(41).unwrap();
        };
        let (got, ()) = tokio::join!(job, answer);
        assert_eq!(got.unwrap(), 42);
    }

    /// At most `size` large jobs run at once; the others wait, counted as waiting.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn large_work_queues_behind_the_permits() {
        let gate = Arc::new(Gate::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let open = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let mut jobs = Vec::new();
        for _ in 0..6 {
            let (gate, running, most, open) =
                (gate.clone(), running.clone(), most.clone(), open.clone());
            jobs.push(tokio::spawn(async move {
                gate.run(SMALL_WORK_ROWS + 1, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let (lock, cv) = &*open;
                    let _open = cv.wait_while(lock.lock().unwrap(), |o| !*o).unwrap();
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .unwrap()
            }));
        }
        // Both admitted jobs are inside their closures (blocked on `open`) and the rest
        // wait: only then may they go, so the count of 2 at once cannot be missed.
        while running.load(Ordering::SeqCst) < 2
            || gate.load()
                != (Load {
                    running: 2,
                    waiting: 4,
                })
        {
            tokio::task::yield_now().await;
        }
        *open.0.lock().unwrap() = true;
        open.1.notify_all();
        for j in jobs {
            j.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert_eq!(gate.load(), Load::default());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_print_queue_is_busy_at_once() {
        let q = Arc::new(PrintQueue::new(1, 1, Duration::from_secs(600)));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let q = q.clone();
            async move { q.run(move || rx.recv().unwrap()).await }
        });
        while q.load().running != 1 {
            tokio::task::yield_now().await;
        }
        let second = tokio::spawn({
            let q = q.clone();
            async move { q.run(|| ()).await }
        });
        while q.load().waiting != 1 {
            tokio::task::yield_now().await;
        }
        let third = q.run(|| ()).await;
        assert_eq!(
            third.unwrap_err(),
            Busy {
                retry_after: Duration::from_secs(600)
            }
        );
        tx.send(()).unwrap();
        assert!(first.await.unwrap().unwrap().is_ok());
        assert!(second.await.unwrap().unwrap().is_ok());
        assert_eq!(q.load(), Load::default());
    }
}
