//! Times are epoch milliseconds (UTC) in every column.

use std::sync::atomic::{AtomicI64, Ordering};

/// The last time handed out by this process.
static LAST: AtomicI64 = AtomicI64::new(0);

/// Now, in epoch milliseconds, strictly increasing within the process: two events never
/// share a time (created/updated orders, audit order and expiry are then exact, and tests
/// need no sleeps to tell events apart). Runs ahead of the wall clock only while more than
/// one event per millisecond happens, and by no more than their excess.
pub(crate) fn now_ms() -> i64 {
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let prev = LAST
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
            Some(wall.max(last.saturating_add(1)))
        })
        .unwrap_or(wall);
    wall.max(prev.saturating_add(1))
}

/// A duration in milliseconds, saturating far from overflow when added to a time.
pub(crate) fn ttl_ms(ttl: std::time::Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_strictly_increase() {
        let times: Vec<i64> = (0..10_000).map(|_| now_ms()).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]));
        let threads: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..2_000).map(|_| now_ms()).collect::<Vec<_>>()))
            .collect();
        let mut all: Vec<i64> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "no two calls share a time");
    }
}
