//! Per-app and per-user request rates, as a GCRA token bucket (the
//! algorithm of `governor` and Redis's `CL.THROTTLE`): each key keeps one
//! number, the theoretical arrival time of its next request.
//!
//! Hand-written rather than `governor` because every app sets its own rate
//! and burst, where a keyed `governor` limiter has one quota for all keys;
//! the whole algorithm is the ten lines of [`RateLimiter::check`].
//! Limits are per process: behind a load balancer each process enforces
//! them for the requests it sees.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shards of the key map, so concurrent requests rarely wait on one lock.
const SHARDS: usize = 16;

/// A shard with more keys than this drops those whose bucket is full again.
const SWEEP_AT: usize = 50_000;

/// Rate limiter state for every key.
pub struct RateLimiter {
    start: Instant,
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<String, f64>>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self {
            start: Instant::now(),
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

impl RateLimiter {
    /// Lets one request of `key` through if its bucket allows it; otherwise
    /// says how long until it would. `per_second` ≤ 0 means no limit.
    pub fn check(&self, key: &str, per_second: f64, burst: f64) -> Result<(), Duration> {
        self.check_at(key, per_second, burst, self.start.elapsed().as_secs_f64())
    }

    /// [`RateLimiter::check`] at `now`, seconds since the limiter was made
    /// (tests give the time instead of waiting for it).
    fn check_at(&self, key: &str, per_second: f64, burst: f64, now: f64) -> Result<(), Duration> {
        if per_second <= 0.0 || !per_second.is_finite() {
            return Ok(());
        }
        let interval = 1.0 / per_second;
        let tolerance = interval * burst.max(0.0);
        let shard = (self.hasher.hash_one(key) as usize) % SHARDS;
        let mut map = self.shards[shard].lock().unwrap_or_else(|p| p.into_inner());
        let tat = map.get(key).copied().unwrap_or(now).max(now);
        if tat - now > tolerance {
            return Err(Duration::from_secs_f64(tat - now - tolerance));
        }
        if map.len() >= SWEEP_AT {
            map.retain(|_, t| *t > now);
        }
        map.insert(key.to_owned(), tat + interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refuses_with_a_wait() {
        // At given instants, not the machine's: a busy machine took 150 ms
        // between the calls and the wait measured 844 ms.
        let limiter = RateLimiter::default();
        let allowed = (0..20)
            .filter(|_| limiter.check_at("k", 1.0, 4.0, 10.0).is_ok())
            .count();
        assert_eq!(allowed, 5, "one at the rate plus a burst of four");
        let wait = limiter
            .check_at("k", 1.0, 4.0, 10.25)
            .expect_err("over the limit");
        assert_eq!(wait, Duration::from_millis(750), "until the next token");
        assert!(
            limiter.check_at("k", 1.0, 4.0, 11.0).is_ok(),
            "a token a second"
        );
        assert!(
            limiter.check_at("k", 1.0, 4.0, 11.0).is_err(),
            "and only one"
        );
        assert!(
            limiter.check("other", 1.0, 0.0).is_ok(),
            "keys are independent"
        );
        assert!(
            limiter.check("k", 0.0, 0.0).is_ok(),
            "a rate of 0 is no limit"
        );
    }
}
