//! Progress and logs. Attached to a terminal, long stages (landing dates,
//! building models and marts) show a progress bar on stderr; otherwise each
//! step is a plain structured log line (tracing) on stderr, for cron mail,
//! systemd's journal or Airflow. `--quiet` keeps warnings and errors only;
//! `--verbose` adds per-step detail.

use std::io::IsTerminal;
use std::sync::OnceLock;

use indicatif::{ProgressBar, ProgressStyle};

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

/// Set up logging once, for the whole process.
pub fn init(verbosity: Verbosity) {
    let _ = VERBOSITY.set(verbosity);
    let tty = std::io::stderr().is_terminal();
    let level = match verbosity {
        Verbosity::Quiet => tracing::Level::WARN,
        Verbosity::Verbose => tracing::Level::DEBUG,
        // On a terminal the bars say what happens; elsewhere, log lines do.
        Verbosity::Normal if tty => tracing::Level::WARN,
        Verbosity::Normal => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(tty)
        .try_init();
}

fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or_default()
}

/// A long stage: a bar on a terminal, log lines elsewhere.
pub struct Stage {
    name: &'static str,
    bar: Option<ProgressBar>,
}

impl Stage {
    /// Start stage `name` of `total` steps.
    pub fn start(name: &'static str, total: u64) -> Stage {
        let show_bar = verbosity() == Verbosity::Normal && std::io::stderr().is_terminal();
        let bar = show_bar.then(|| {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {elapsed:>4} {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            b.set_prefix(name);
            b
        });
        tracing::info!(stage = name, steps = total, "started");
        Stage { name, bar }
    }

    /// One step done.
    pub fn step(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_string());
            b.inc(1);
        }
        tracing::info!(stage = self.name, step = what, "done");
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        tracing::info!(stage = self.name, "finished");
    }
}
