//! The relay's clock, owned by the caller.
//!
//! Every time decision of the mock relay (NIP-40 expiry, the bound on how
//! far in the future `created_at` may be, delays "by a duration") reads this
//! clock, never the wall clock. The test holds a clone and moves time with
//! [`Clock::set`] or [`Clock::advance`]; all relays started with clones of
//! one clock share one time. Nothing in the relay sleeps: a change of the
//! clock wakes every connection, which re-checks its delayed events.

use std::sync::Arc;

use tokio::sync::watch;

/// A settable, advanceable Unix-seconds clock shared between a test and any
/// number of mock relays. Cloning gives another handle to the same time.
#[derive(Clone, Debug)]
pub struct Clock {
    tx: Arc<watch::Sender<u64>>,
}

impl Clock {
    /// A clock that reads `now` (Unix seconds) until it is set or advanced.
    pub fn new(now: u64) -> Self {
        let (tx, _rx) = watch::channel(now);
        Self { tx: Arc::new(tx) }
    }

    /// The current time, in Unix seconds.
    pub fn now(&self) -> u64 {
        *self.tx.borrow()
    }

    /// Sets the time (it may go backwards; the relay follows).
    pub fn set(&self, now: u64) {
        self.tx.send_replace(now);
    }

    /// Moves the time forward by `seconds` (saturating).
    pub fn advance(&self, seconds: u64) {
        self.tx.send_modify(|t| *t = t.saturating_add(seconds));
    }

    /// A receiver that sees every change of the time.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn clones_share_one_time() {
        let a = Clock::new(100);
        let b = a.clone();
        b.advance(5);
        assert_eq!(a.now(), 105);
        a.set(7);
        assert_eq!(b.now(), 7);
        a.set(u64::MAX);
        a.advance(1);
        assert_eq!(b.now(), u64::MAX);
    }
}
