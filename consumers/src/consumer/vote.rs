//! The idle vote of the members of one process (`--until-idle`).

use std::sync::Mutex;

/// With `until_idle`, the members of one process stop together, once every one
/// of them is idle: a member leaving alone would make the others rebalance,
/// and a member waiting for its new assignment never counts as idle.
pub(super) struct IdleVote {
    idle: Mutex<Vec<bool>>,
    done: std::sync::atomic::AtomicBool,
}

impl IdleVote {
    pub(super) fn new(members: usize) -> IdleVote {
        IdleVote {
            idle: Mutex::new(vec![false; members]),
            done: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub(super) fn done(&self) -> bool {
        self.done.load(std::sync::atomic::Ordering::Acquire)
    }

    /// A member failed: the others stop once idle, whatever the votes.
    pub(super) fn give_up(&self) {
        self.done.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Records whether `member` is idle; true once all were idle at once.
    pub(super) fn vote(&self, member: usize, idle: bool) -> bool {
        if self.done() {
            return true;
        }
        if let Ok(mut v) = self.idle.lock() {
            v[member] = idle;
            if v.iter().all(|i| *i) {
                self.done.store(true, std::sync::atomic::Ordering::Release);
            }
        }
        self.done()
    }
}
