//! PII stops at `raw`: from `conformed` on, a customer is `customer_key(caller)`,
//! an HMAC-SHA256 of the number under a secret key, so marts can be shared.
//!
//! The key comes from `CALLCUBE_HMAC_KEY`, else from a key file the warehouse
//! generates once (`<warehouse>/_secrets/hmac.key`, never committed). The same
//! key must be kept for the life of a warehouse, or customers change identity.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, Result, io_err};

/// Environment variable holding the HMAC key (any string of 16 bytes or more).
pub const ENV_HMAC_KEY: &str = "CALLCUBE_HMAC_KEY";

/// The warehouse's HMAC key: from the environment, else its key file (created on first use).
pub fn hmac_key(warehouse_root: &Path) -> Result<Vec<u8>> {
    if let Ok(k) = std::env::var(ENV_HMAC_KEY) {
        if k.len() < 16 {
            return Err(Error::Config {
                file: "(environment)".into(),
                key: ENV_HMAC_KEY.into(),
                reason: "the key must be at least 16 bytes".into(),
            });
        }
        return Ok(k.into_bytes());
    }
    let dir = warehouse_root.join("_secrets");
    let path = dir.join("hmac.key");
    match std::fs::read(&path) {
        Ok(k) if k.len() >= 16 => return Ok(k),
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
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    // Write under a temporary name first so a crash never leaves half a key.
    let tmp = dir.join(".hmac.key.tmp");
    std::fs::write(&tmp, &hex_key).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io_err(&path))?;
    Ok(hex_key)
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
        let array: ArrayRef = Arc::new(out.finish());
        Ok(match &args[0] {
            ColumnarValue::Array(_) => ColumnarValue::Array(array),
            ColumnarValue::Scalar(_) => {
                ColumnarValue::Scalar(datafusion::scalar::ScalarValue::try_from_array(&array, 0)?)
            }
        })
    };
    create_udf(
        "customer_key",
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(fun),
    )
}
