//! Attempt counting for anti-automation (ASVS 2.2.1): an attempt is counted
//! *before* the slow check it guards (argon2), atomically per key, so N
//! parallel requests cannot all pass a limit of 10 by reading the count
//! before any of them writes it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// At most `allowed` attempts per key in a fixed window that starts with the
/// key's first attempt.
pub struct Attempts {
    counts: moka::sync::Cache<String, Arc<AtomicU32>>,
    allowed: u32,
    window: Duration,
}

impl Attempts {
    pub fn new(allowed: u32, window: Duration) -> Attempts {
        Attempts {
            counts: moka::sync::Cache::builder()
                .time_to_live(window)
                .max_capacity(100_000)
                .build(),
            allowed,
            window,
        }
    }

    /// Counts one attempt for `key`; `false` when it is over the limit.
    pub fn take(&self, key: &str) -> bool {
        let count = self
            .counts
            .get_with(key.to_string(), || Arc::new(AtomicU32::new(0)));
        count.fetch_add(1, Ordering::SeqCst) < self.allowed
    }

    /// Forgets `key`'s attempts (after a success).
    pub fn forgive(&self, key: &str) {
        self.counts.invalidate(key);
    }

    /// The window, for `Retry-After`-style answers.
    pub fn window(&self) -> Duration {
        self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_attempts_never_pass_the_limit() {
        let a = Arc::new(Attempts::new(10, Duration::from_secs(60)));
        let passed: u32 = std::thread::scope(|s| {
            let hs: Vec<_> = (0..100)
                .map(|_| s.spawn(|| u32::from(a.take("x@example.com"))))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(passed, 10);
        assert!(a.take("other"), "per key");
        a.forgive("x@example.com");
        assert!(a.take("x@example.com"));
    }
}
