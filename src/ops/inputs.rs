//! What a business date's delivery is: every file of every source table in
//! its inbox folder, with size and SHA-256, and one fingerprint over them all.
//! Two runs with the same fingerprint and parameters produce the same data,
//! which is what lets a backfill skip dates already done.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Result, io_err};
use crate::ingest::{SourceTable, delivery_files};
use crate::ledger::runs::InputFile;

/// The delivered files of `day` and their fingerprint.
pub fn inputs_of_day(inbox: &Path, tables: &[SourceTable], day: i64) -> Result<(Vec<InputFile>, String)> {
    let mut files = Vec::new();
    for t in tables {
        for path in delivery_files(inbox, t.def, day)? {
            let (bytes, sha256) = hash_file(&path)?;
            files.push(InputFile {
                folder_date: day,
                table: format!("{}/{}", t.def.system, t.def.name),
                file: path
                    .strip_prefix(inbox)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/"),
                bytes,
                sha256,
            });
        }
    }
    let mut all = Sha256::new();
    for f in &files {
        all.update(format!("{}\t{}\t{}\n", f.file, f.bytes, f.sha256).as_bytes());
    }
    Ok((files, hex::encode(all.finalize())))
}

fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(io_err(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// SHA-256 of the parameters as JSON: a change of any parameter changes it.
pub fn params_hash(params_json: &str) -> String {
    hex::encode(Sha256::digest(params_json.as_bytes()))
}
