//! One run at a time per warehouse and pipeline.
//!
//! The lock is an OS file lock (`flock`) on `<warehouse>/_locks/<pipeline>.lock`.
//! The operating system drops it when the holder exits for any reason,
//! `SIGKILL` included, so a lock can never outlive its process. The file also
//! holds who took it (run id, pid, host, start time) and is emptied on a clean
//! release: a non-empty file that nobody holds is the mark of a killed run,
//! which the next run reports and takes over.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, io_err};

/// A held run lock; released on drop.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
    /// What the file said when we took it over from a run that did not
    /// release it (killed or crashed); `None` after a clean release.
    pub took_over: Option<String>,
}

/// The lock file of `pipeline` in the warehouse at `root`.
pub fn lock_path(root: &Path, pipeline: &str) -> PathBuf {
    root.join("_locks").join(format!("{pipeline}.lock"))
}

impl RunLock {
    /// Take the lock or fail at once with [`Error::Locked`] naming the holder.
    pub fn acquire(root: &Path, pipeline: &str, run_id: &str) -> Result<RunLock> {
        let path = lock_path(root, pipeline);
        let dir = path.parent().expect("lock dir");
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                return Err(Error::Locked {
                    pipeline: pipeline.to_string(),
                    holder: describe(&holder),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io_err(&path)(e)),
        }
        let mut previous = String::new();
        file.read_to_string(&mut previous).map_err(io_err(&path))?;
        let took_over = (!previous.trim().is_empty()).then(|| describe(&previous));
        let me = format!(
            "run_id={run_id}\npid={}\nhost={}\nstarted_at={}\n",
            std::process::id(),
            hostname(),
            chrono::Utc::now().to_rfc3339()
        );
        file.set_len(0).map_err(io_err(&path))?;
        file.seek(SeekFrom::Start(0)).map_err(io_err(&path))?;
        file.write_all(me.as_bytes()).map_err(io_err(&path))?;
        file.sync_all().map_err(io_err(&path))?;
        Ok(RunLock { file, path, took_over })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Empty the file first: a lock released this way is not mistaken for
        // a killed run's. The OS lock goes with the file handle.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Whether a live process holds the run lock of `pipeline` (probing leaves the file as is).
pub fn is_held(root: &Path, pipeline: &str) -> bool {
    let Ok(file) = File::open(lock_path(root, pipeline)) else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => true,
    }
}

/// `run_id=…, pid=…` on one line, for messages.
fn describe(content: &str) -> String {
    let parts: Vec<&str> = content.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if parts.is_empty() {
        "another process".to_string()
    } else {
        parts.join(", ")
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path(), "nightly", "run-1").unwrap();
        assert!(first.took_over.is_none());
        let e = RunLock::acquire(dir.path(), "nightly", "run-2").unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::Locked { .. }), "{msg}");
        assert!(msg.contains("run_id=run-1"), "{msg}");
        // Another pipeline on the same warehouse is independent.
        RunLock::acquire(dir.path(), "monthly", "run-3").unwrap();
        assert!(is_held(dir.path(), "nightly"));
        drop(first);
        assert!(!is_held(dir.path(), "nightly"));
        let again = RunLock::acquire(dir.path(), "nightly", "run-4").unwrap();
        assert!(again.took_over.is_none(), "a clean release leaves nothing to take over");
    }

    #[test]
    fn a_killed_runs_lock_is_taken_over_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        // What a SIGKILLed holder leaves: its details in the file, no OS lock.
        let path = lock_path(dir.path(), "nightly");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "run_id=dead\npid=999999\n").unwrap();
        let lock = RunLock::acquire(dir.path(), "nightly", "run-5").unwrap();
        assert_eq!(lock.took_over.as_deref(), Some("run_id=dead, pid=999999"));
        let content = std::fs::read_to_string(&path).unwrap();
        assert!(content.contains("run_id=run-5"), "{content}");
    }
}
