//! PII stops at `raw`: from `conformed` on, a customer is `customer_key(caller)`,
//! an HMAC-SHA256 of the number under a secret key, so marts can be shared.
//!
//! The key comes from, in order: `CALLCUBE_HMAC_KEY`; the pipeline's
//! `[privacy] key_file` (outside the warehouse); else a key the warehouse
//! generates once, `<warehouse>/_secrets/hmac.key` (file mode 0600 in a 0700
//! folder, never committed) — workable, but anyone who can read that file can
//! re-identify every caller by hashing all numbers, so a run warns about it.
//! The same key must be kept for the life of a warehouse, or customers change
//! identity: the ledger records a fingerprint of the key (never the key) and a
//! run with another key is refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, io_err};

/// Environment variable holding the HMAC key (any string of 16 bytes or more).
pub const ENV_HMAC_KEY: &str = "CALLCUBE_HMAC_KEY";

/// Where the key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `CALLCUBE_HMAC_KEY`.
    Environment,
    /// The pipeline's `[privacy] key_file`.
    KeyFile(PathBuf),
    /// Generated and stored with the warehouse.
    Warehouse(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment => write!(f, "the environment ({ENV_HMAC_KEY})"),
            KeySource::KeyFile(p) => write!(f, "the key file {} ([privacy] key_file)", p.display()),
            KeySource::Warehouse(p) => write!(f, "{}, stored inside the warehouse", p.display()),
        }
    }
}

impl KeySource {
    /// What to tell the operator about a key kept in the warehouse, if it is.
    pub fn warning(&self) -> Option<String> {
        match self {
            KeySource::Warehouse(p) => Some(format!(
                "the customer-key secret is stored inside the warehouse ({}): anyone who can read it \
                 can re-identify every caller by hashing all phone numbers. Move it out: set {ENV_HMAC_KEY} \
                 or `[privacy] key_file` to a file outside the warehouse holding the same key, then delete \
                 it from the warehouse (README: Privacy)",
                p.display()
            )),
            _ => None,
        }
    }
}

/// The generated key's place in a warehouse.
pub fn warehouse_key_path(warehouse_root: &Path) -> PathBuf {
    warehouse_root.join("_secrets").join("hmac.key")
}

/// The warehouse's HMAC key, from the environment, else its key file (created on first use).
pub fn hmac_key(warehouse_root: &Path) -> Result<Vec<u8>> {
    Ok(resolve_key(warehouse_root, None)?.0)
}

/// The key and where it came from: `CALLCUBE_HMAC_KEY`, else `key_file`, else
/// the warehouse's own key file, generated on first use.
pub fn resolve_key(warehouse_root: &Path, key_file: Option<&Path>) -> Result<(Vec<u8>, KeySource)> {
    if let Some(configured) = configured_key(key_file)? {
        return Ok(configured);
    }
    warehouse_key(warehouse_root)
}

/// The key from `CALLCUBE_HMAC_KEY` or `key_file`, if either gives one.
pub fn configured_key(key_file: Option<&Path>) -> Result<Option<(Vec<u8>, KeySource)>> {
    if let Ok(k) = std::env::var(ENV_HMAC_KEY) {
        if k.len() < 16 {
            return Err(Error::Config {
                file: "(environment)".into(),
                key: ENV_HMAC_KEY.into(),
                reason: "the key must be at least 16 bytes".into(),
            });
        }
        return Ok(Some((k.into_bytes(), KeySource::Environment)));
    }
    if let Some(path) = key_file {
        let key = std::fs::read(path).map_err(io_err(path))?;
        let key = trim_line_end(key);
        if key.len() < 16 {
            return Err(Error::BadFile {
                file: path.to_path_buf(),
                reason: "key file is shorter than 16 bytes".into(),
            });
        }
        return Ok(Some((key, KeySource::KeyFile(path.to_path_buf()))));
    }
    Ok(None)
}

/// The key stored with the warehouse, generated on first use.
fn warehouse_key(warehouse_root: &Path) -> Result<(Vec<u8>, KeySource)> {
    let path = warehouse_key_path(warehouse_root);
    let dir = path.parent().expect("a key file has a folder").to_path_buf();
    match std::fs::read(&path) {
        Ok(k) if k.len() >= 16 => {
            // Keys written by earlier versions were world-readable.
            restrict(&dir, &path)?;
            return Ok((k, KeySource::Warehouse(path)));
        }
        Ok(_) => {
            return Err(Error::BadFile {
                file: path,
                reason: "key file is shorter than 16 bytes".into(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&path)(e)),
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| Error::BadFile {
        file: path.clone(),
        reason: format!("no randomness: {e}"),
    })?;
    let hex_key = hex::encode(key).into_bytes();
    create_private_dir(&dir)?;
    // Write under a temporary name first so a crash never leaves half a key.
    let tmp = dir.join(".hmac.key.tmp");
    write_private(&tmp, &hex_key)?;
    std::fs::rename(&tmp, &path).map_err(io_err(&path))?;
    Ok((hex_key, KeySource::Warehouse(path)))
}

/// A key file written by hand usually ends with a newline; it is not part of the key.
fn trim_line_end(mut key: Vec<u8>) -> Vec<u8> {
    while key.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        key.pop();
    }
    key
}

/// A short public fingerprint of `key`: tells two keys apart without revealing either.
pub fn key_fingerprint(key: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"callcube customer-key fingerprint\n");
    h.update(key);
    hex::encode(&h.finalize()[..8])
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_err(dir))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io_err(dir))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    f.write_all(bytes).map_err(io_err(path))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(io_err(path))
}

/// Make the key folder 0700 and the key file 0600, whatever made them.
#[cfg(unix)]
fn restrict(dir: &Path, file: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for (p, mode) in [(dir, 0o700), (file, 0o600)] {
        let current = std::fs::metadata(p).map_err(io_err(p))?.permissions().mode() & 0o777;
        if current != mode {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).map_err(io_err(p))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_dir: &Path, _file: &Path) -> Result<()> {
    Ok(())
}

/// `customer_key(text) -> text`: 32 hex characters of HMAC-SHA256; NULL stays NULL.
pub fn customer_key_udf(key: Vec<u8>) -> ScalarUDF {
    let key = Arc::new(key);
    let fun = move |args: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
        let input = args[0].to_array(1)?;
        let n = if let ColumnarValue::Array(a) = &args[0] {
            a.len()
        } else {
            1
        };
        let input = cast(&input, &DataType::Utf8)?;
        let strings = input.as_string::<i32>();
        let mut out = StringBuilder::with_capacity(n, n * 32);
        let mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
        for v in strings.iter() {
            match v {
                Some(s) => {
                    let mut m = mac.clone();
                    m.update(s.as_bytes());
                    out.append_value(hex::encode(&m.finalize().into_bytes()[..16]));
                }
                None => out.append_null(),
            }
        }
        shaped_like(&args[0], Arc::new(out.finish()))
    };
    create_udf(
        "customer_key",
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(fun),
    )
}

/// `customer_id(customer_key) -> bigint`: the key's first 16 hex characters
/// (64 of its 128 bits) as a signed integer; NULL stays NULL.
///
/// Distinct-customer counts (B2, B4, B7, B9, B14) count these instead of the
/// 32-character keys: DataFusion counts distinct integers per group with a
/// vectorized accumulator, where strings go value by value into hash sets of
/// strings (measured on a month of `cube_users` at scale 0.1: the aggregate
/// 1.35 s → 0.87 s, the query's peak RSS about halved). Two customers sharing
/// their first 64 bits would count once where both fall in one counted group:
/// for n customers the odds of any such pair are about n²/2⁶⁵ (1 in 6 million
/// for 2.5 M).
pub fn customer_id_udf() -> ScalarUDF {
    let fun = |args: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
        let input = cast(&args[0].to_array(1)?, &DataType::Utf8)?;
        let ids = input
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(key_id).transpose())
            .collect::<datafusion::error::Result<Int64Array>>()?;
        shaped_like(&args[0], Arc::new(ids))
    };
    create_udf(
        "customer_id",
        vec![DataType::Utf8],
        DataType::Int64,
        Volatility::Immutable,
        Arc::new(fun),
    )
}

/// A customer key's first 16 hex characters as an integer (bits kept, sign
/// and all). Anything but 32 hex digits is refused, without echoing it: a
/// caller number passed by mistake must not reach a log.
fn key_id(key: &str) -> datafusion::error::Result<i64> {
    let is_key = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit());
    is_key
        .then(|| u64::from_str_radix(&key[..16], 16).ok())
        .flatten()
        .map(|v| v as i64)
        .ok_or_else(|| {
            datafusion::error::DataFusionError::Execution(format!(
                "customer_id: a value of {} characters is not a customer key (32 hex digits from customer_key())",
                key.chars().count()
            ))
        })
}

/// `array` as the function's result: an array for an array argument, its
/// single value for a scalar one.
fn shaped_like(arg: &ColumnarValue, array: ArrayRef) -> datafusion::error::Result<ColumnarValue> {
    Ok(match arg {
        ColumnarValue::Array(_) => ColumnarValue::Array(array),
        ColumnarValue::Scalar(_) => ColumnarValue::Scalar(datafusion::scalar::ScalarValue::try_from_array(&array, 0)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_generated_key_is_0600_in_a_0700_folder_and_an_old_one_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        if std::env::var(ENV_HMAC_KEY).is_ok() {
            return; // the environment decides the key; nothing is generated
        }
        let root = tempfile::tempdir().unwrap();
        let (key, source) = resolve_key(root.path(), None).unwrap();
        let path = warehouse_key_path(root.path());
        assert_eq!(source, KeySource::Warehouse(path.clone()));
        assert!(source.warning().unwrap().contains("re-identify"));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // A key an earlier version left world-readable is tightened, and stays the same key.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(path.parent().unwrap(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(resolve_key(root.path(), None).unwrap().0, key);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn a_customer_id_is_the_keys_first_64_bits_and_a_non_key_is_an_error() {
        assert_eq!(key_id("0000000000000001ffffffffffffffff").unwrap(), 1);
        assert_eq!(key_id("00000000000000ff0000000000000000").unwrap(), 255);
        // The top bit set reads as a negative number: every bit is kept.
        assert_eq!(key_id("ffffffffffffffff0000000000000000").unwrap(), -1);
        assert_eq!(key_id("8000000000000000aaaaaaaaaaaaaaaa").unwrap(), i64::MIN);
        for bad in [
            "",
            "0123",
            "0123456789abcdeg0123456789abcdef",
            "+123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef0",
            "电话号码电话号码电话号码",
            "13800138000",
        ] {
            let err = key_id(bad).unwrap_err().to_string();
            assert!(err.contains("is not a customer key"), "{err}");
            assert!(
                bad.is_empty() || !err.contains(bad),
                "the value stays out of the message: {err}"
            );
        }
    }

    #[test]
    fn a_key_file_is_read_without_its_line_end_and_fingerprints_tell_keys_apart() {
        if std::env::var(ENV_HMAC_KEY).is_ok() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("callcube.key");
        std::fs::write(&file, "0123456789abcdef0123\n").unwrap();
        let (key, source) = resolve_key(&dir.path().join("wh"), Some(&file)).unwrap();
        assert_eq!(key, b"0123456789abcdef0123");
        assert_eq!(source, KeySource::KeyFile(file.clone()));
        assert!(source.warning().is_none());
        assert!(!warehouse_key_path(&dir.path().join("wh")).exists(), "no key generated");
        assert_eq!(key_fingerprint(&key), key_fingerprint(b"0123456789abcdef0123"));
        assert_ne!(key_fingerprint(&key), key_fingerprint(b"0123456789abcdef0124"));
        assert_eq!(key_fingerprint(&key).len(), 16);
        std::fs::write(&file, "short\n").unwrap();
        assert!(
            resolve_key(dir.path(), Some(&file))
                .unwrap_err()
                .to_string()
                .contains("shorter than 16")
        );
    }
}
