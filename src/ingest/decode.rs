//! Reading an extract file into UTF-8 text: gunzip, then transcode (GBK).
//!
//! A file that cannot be read at all (missing, corrupt gzip) is an error for
//! the whole run; a line that cannot be decoded is a rejected row, and its
//! line is blanked so the numbering of the others stays true.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Text encodings an extract may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// UTF-8 (a leading BOM is skipped).
    #[default]
    #[serde(alias = "utf-8")]
    Utf8,
    /// GBK / GB2312 / GB18030 (decoded as GB18030, a superset).
    #[serde(alias = "gb2312", alias = "gb18030")]
    Gbk,
}

/// A line that could not be decoded.
#[derive(Debug)]
pub struct Undecodable {
    /// 1-based line number.
    pub line: u64,
    /// The line with undecodable bytes replaced by U+FFFD, for the rejects table.
    pub lossy: String,
}

/// Read `path` (gunzipping `*.gz`) and return UTF-8 bytes.
pub fn read_text(path: &Path, encoding: Encoding) -> Result<(Vec<u8>, Vec<Undecodable>)> {
    let raw = std::fs::read(path).map_err(crate::error::io_err(path))?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::with_capacity(raw.len() * 6);
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::BadFile {
                file: path.to_path_buf(),
                reason: format!("not a readable gzip file: {e}"),
            })?;
        out
    } else {
        raw
    };
    match encoding {
        Encoding::Utf8 => Ok(utf8_lines(bytes)),
        Encoding::Gbk => Ok(gbk_lines(&bytes)),
    }
}

/// Keep valid UTF-8 as is; blank out (and report) lines that are not.
fn utf8_lines(mut bytes: Vec<u8>) -> (Vec<u8>, Vec<Undecodable>) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if std::str::from_utf8(&bytes).is_ok() {
        return (bytes, Vec::new());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut bad = Vec::new();
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        if std::str::from_utf8(line).is_ok() {
            out.extend_from_slice(line);
        } else {
            bad.push(Undecodable {
                line: i as u64 + 1,
                lossy: String::from_utf8_lossy(line).trim_end().to_string(),
            });
            out.push(b'\n');
        }
    }
    (out, bad)
}

/// GBK never uses 0x0A inside a multi-byte character, so splitting on it is safe.
fn gbk_lines(bytes: &[u8]) -> (Vec<u8>, Vec<Undecodable>) {
    let mut out = Vec::with_capacity(bytes.len() * 3 / 2);
    let mut bad = Vec::new();
    let enc = encoding_rs::GB18030;
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        match enc.decode_without_bom_handling_and_without_replacement(line) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => {
                let (lossy, _) = enc.decode_without_bom_handling(line);
                bad.push(Undecodable {
                    line: i as u64 + 1,
                    lossy: lossy.trim_end().to_string(),
                });
                out.push(b'\n');
            }
        }
    }
    (out, bad)
}
