//! Errors of the library: bad input (config, extracts, queries) apart from failures.

use std::path::PathBuf;

use datafusion::error::DataFusionError;

/// A callcube error that carries the facts a user needs to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A pipeline file is invalid: which file, which key, what was expected.
    #[error("{file}: `{key}`: {reason}")]
    Config { file: PathBuf, key: String, reason: String },
    /// An extract file cannot be read at all (as opposed to a bad row, which is rejected).
    #[error("{file}: {reason}")]
    BadFile { file: PathBuf, reason: String },
    /// A statement that is not a read-only query.
    #[error("only queries can run here: {0}")]
    NotAQuery(String),
    /// A metric request the catalog does not allow, with what is allowed.
    #[error("{0}")]
    Request(String),
    /// Another run of the pipeline holds the warehouse's run lock.
    #[error("another run of pipeline `{pipeline}` is in progress on this warehouse ({holder}); try again when it ends")]
    Locked { pipeline: String, holder: String },
    /// A blocking data-quality check failed; no model or mart was published.
    #[error("data-quality check failed, the marts were left unchanged: {0}")]
    DataQuality(String),
    /// A model's batch did not finish in the time allowed; nothing was published.
    #[error("{0}")]
    Stalled(String),
    /// An expected extract was not delivered.
    #[error("input missing: {0}")]
    InputMissing(String),
    /// A query the program generated failed: what it was building, and why.
    #[error("{what}: {source}")]
    Query { what: String, source: DataFusionError },
    /// Query engine failure.
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
    /// Parquet or Arrow failure.
    #[error(transparent)]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// Parquet failure.
    #[error(transparent)]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    /// File system failure, with the path it concerns.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

impl Error {
    /// Whether the memory pool refused a query more memory than it had left
    /// (DataFusion's "Resources exhausted"), however the error was wrapped:
    /// the same work in smaller pieces may fit.
    pub fn is_out_of_memory(&self) -> bool {
        const EXHAUSTED: &str = "Resources exhausted";
        match self {
            Error::Query { source, .. } | Error::DataFusion(source) => {
                matches!(source.find_root(), DataFusionError::ResourcesExhausted(_))
                    || source.to_string().contains(EXHAUSTED)
            }
            // A model's failure names its file; the engine's message is in the reason.
            Error::BadFile { reason, .. } => reason.contains(EXHAUSTED),
            _ => false,
        }
    }
}

/// Result of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attach a path to an I/O error.
pub fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
