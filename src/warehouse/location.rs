//! Warehouse URLs: a local path, `file://`, `s3://bucket/prefix`, `memory://`.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a warehouse lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarehouseUrl {
    /// A local folder.
    Local(PathBuf),
    /// An S3-compatible bucket and key prefix.
    S3 { bucket: String, prefix: String },
    /// An in-memory store (tests, previews).
    Memory,
}

impl WarehouseUrl {
    /// Parse `s`; a relative local path is taken relative to `base`.
    pub fn parse(s: &str, base: &Path) -> Result<WarehouseUrl, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("expected a path or a URL (file://, s3://, memory://), found an empty string".into());
        }
        if let Some((scheme, _)) = s.split_once("://") {
            let url = url::Url::parse(s).map_err(|e| format!("`{s}` is not a valid URL: {e}"))?;
            return match scheme {
                "file" => url
                    .to_file_path()
                    .map(WarehouseUrl::Local)
                    .map_err(|()| format!("`{s}` is not an absolute file:// URL")),
                "s3" => {
                    let bucket = url
                        .host_str()
                        .filter(|b| !b.is_empty())
                        .ok_or_else(|| format!("`{s}` names no bucket"))?;
                    Ok(WarehouseUrl::S3 {
                        bucket: bucket.to_string(),
                        prefix: url.path().trim_matches('/').to_string(),
                    })
                }
                "memory" => Ok(WarehouseUrl::Memory),
                other => Err(format!(
                    "unsupported scheme `{other}://`: expected a path, file://, s3:// or memory://"
                )),
            };
        }
        let p = Path::new(s);
        Ok(WarehouseUrl::Local(if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        }))
    }
}

impl fmt::Display for WarehouseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarehouseUrl::Local(p) => write!(f, "{}", p.display()),
            WarehouseUrl::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
            WarehouseUrl::Memory => write!(f, "memory://"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let base = Path::new("/base");
        assert_eq!(
            WarehouseUrl::parse("wh", base),
            Ok(WarehouseUrl::Local("/base/wh".into()))
        );
        assert_eq!(
            WarehouseUrl::parse("file:///data/wh", base),
            Ok(WarehouseUrl::Local("/data/wh".into()))
        );
        assert_eq!(
            WarehouseUrl::parse("s3://bucket/a/b", base),
            Ok(WarehouseUrl::S3 {
                bucket: "bucket".into(),
                prefix: "a/b".into()
            })
        );
        assert_eq!(WarehouseUrl::parse("memory://", base), Ok(WarehouseUrl::Memory));
        assert!(
            WarehouseUrl::parse("ftp://x/y", base)
                .unwrap_err()
                .contains("unsupported scheme")
        );
        assert!(WarehouseUrl::parse("s3:///nobucket", base).is_err());
    }
}
