//! Bounded retries of transient failures. Reading an inbox on a network share
//! or writing a warehouse on one can fail for a moment (a timeout, a reset
//! connection, a stale NFS handle); such an operation is retried with
//! exponential backoff, a bounded number of times. Anything else fails at once.
//! Only whole, atomic steps are retried (landing a date stages everything and
//! commits at the end), so a retry never sees half of an earlier attempt.

use std::io::ErrorKind;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};

/// `[retry]` in a pipeline.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// Tries in all (1 = no retry).
    pub attempts: u32,
    /// Wait before the first retry; doubles each time.
    pub initial_backoff_ms: u64,
    /// Longest wait between two tries.
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            initial_backoff_ms: 1000,
            max_backoff_ms: 30_000,
        }
    }
}

/// Whether `e` is worth trying again.
pub fn is_transient(e: &Error) -> bool {
    let Error::Io { source, .. } = e else {
        return false;
    };
    matches!(
        source.kind(),
        ErrorKind::TimedOut
            | ErrorKind::Interrupted
            | ErrorKind::WouldBlock
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionRefused
            | ErrorKind::NotConnected
            | ErrorKind::BrokenPipe
            | ErrorKind::ResourceBusy
            | ErrorKind::StaleNetworkFileHandle
    ) || matches!(source.raw_os_error(), Some(5)) // EIO: a network file system hiccup
}

/// Run `op`, retrying transient failures as `policy` says; `what` names it in warnings.
pub fn with_retries<T>(policy: &RetryPolicy, what: &str, mut op: impl FnMut() -> Result<T>) -> Result<T> {
    let attempts = policy.attempts.max(1);
    let mut wait = policy.initial_backoff_ms;
    for attempt in 1..=attempts {
        match op() {
            Ok(v) => return Ok(v),
            Err(e) if attempt < attempts && is_transient(&e) => {
                eprintln!(
                    "warning: {what} failed ({e}); try {} of {attempts} in {wait} ms",
                    attempt + 1
                );
                std::thread::sleep(Duration::from_millis(wait));
                wait = (wait.saturating_mul(2)).min(policy.max_backoff_ms);
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last attempt returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: ErrorKind) -> Error {
        Error::Io {
            path: "inbox/x.csv".into(),
            source: std::io::Error::new(kind, "simulated"),
        }
    }

    const FAST: RetryPolicy = RetryPolicy {
        attempts: 3,
        initial_backoff_ms: 1,
        max_backoff_ms: 2,
    };

    #[test]
    fn a_transient_failure_is_retried_until_it_passes() {
        let mut calls = 0;
        let v = with_retries(&FAST, "landing", || {
            calls += 1;
            if calls < 3 { Err(io(ErrorKind::TimedOut)) } else { Ok(7) }
        })
        .unwrap();
        assert_eq!((v, calls), (7, 3));
    }

    #[test]
    fn retries_are_bounded_and_permanent_errors_not_retried() {
        let mut calls = 0;
        let e = with_retries(&FAST, "landing", || -> Result<()> {
            calls += 1;
            Err(io(ErrorKind::ConnectionReset))
        });
        assert!(e.is_err());
        assert_eq!(calls, 3, "three tries in all");
        let mut calls = 0;
        let e = with_retries(&FAST, "landing", || -> Result<()> {
            calls += 1;
            Err(io(ErrorKind::NotFound))
        });
        assert!(e.is_err());
        assert_eq!(calls, 1, "a missing file is not transient");
    }
}
