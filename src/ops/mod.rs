//! Operating the nightly load: run locking, the inputs of a date, and exit codes.

pub mod alerts;
pub mod build_state;
pub mod inputs;
pub mod lock;
pub mod nightly;
pub mod progress;
pub mod quality;
pub mod retry;
pub mod schedule;

/// Exit codes of `run` and `schedule` (clap uses 2 for usage errors).
pub mod exit {
    /// Everything succeeded.
    pub const SUCCESS: u8 = 0;
    /// Any other failure.
    pub const ERROR: u8 = 1;
    /// A blocking data-quality check failed: nothing was published.
    pub const DATA_QUALITY: u8 = 3;
    /// An expected extract was not delivered.
    pub const INPUT_MISSING: u8 = 4;
    /// Another run of the pipeline holds the lock.
    pub const LOCKED: u8 = 5;
}

/// The exit code for an error: the kind of the first callcube error in its chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    use crate::error::Error;
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return match e {
                Error::DataQuality(_) => exit::DATA_QUALITY,
                Error::InputMissing(_) => exit::INPUT_MISSING,
                Error::Locked { .. } => exit::LOCKED,
                _ => continue,
            };
        }
    }
    exit::ERROR
}
