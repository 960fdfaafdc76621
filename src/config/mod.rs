//! Pipelines: `pipelines/*.toml` → validated structs.
//!
//! Serde refuses unknown keys and wrong types; `validate` checks what serde
//! cannot (cron syntax, time zones, known systems and tables, column names,
//! parameter ranges). Every error names the file, the key and what was expected.

mod params;
mod targets;

pub use params::{D7RemovalMode, Params, TalkRateBase};
pub use targets::{Target, TargetRule, Targets};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ingest::{Encoding, SourceTable};
use crate::ops::quality::QualityConfig;
use crate::ops::retry::RetryPolicy;
use crate::schema::{self, SYSTEMS};
use crate::warehouse::WarehouseUrl;

/// Environment variable that overrides a pipeline's inbox.
pub const ENV_INBOX: &str = "CALLCUBE_INBOX";
/// Environment variable that overrides a pipeline's warehouse.
pub const ENV_WAREHOUSE: &str = "CALLCUBE_WAREHOUSE";

/// Extracts a site sends only when something changed (reference tables) or
/// on days something happened (exams, QA inspections): not expected for
/// every date unless a pipeline lists them in `[quality] expected`.
pub const DELIVERED_ON_CHANGE: [&str; 5] = [
    "crm/categories",
    "boss/products",
    "hr/teams",
    "hr/exams",
    "hr/qa_inspections",
];

/// A pipeline file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineFile {
    /// Name; defaults to the file stem.
    pub name: Option<String>,
    /// What the pipeline is for.
    #[serde(default)]
    pub description: String,
    /// Warehouse: a path (relative to this file) or file://, s3://, memory:// URL.
    pub warehouse: String,
    /// Inbox folder (relative to this file) with `<system>/<table>/<date>/` deliveries.
    pub inbox: String,
    /// Folder of SQL models (relative to this file); default `../sql`.
    pub models: Option<String>,
    /// When the pipeline runs.
    pub schedule: Option<Schedule>,
    /// How each source system delivers.
    #[serde(default)]
    pub sources: BTreeMap<String, SystemSource>,
    /// Metric parameters (`metrics.md`, Parameters).
    #[serde(default)]
    pub params: Params,
    /// Query engine limits.
    #[serde(default)]
    pub engine: EngineConfig,
    /// Data-quality gates.
    #[serde(default)]
    pub quality: QualityConfig,
    /// Retries of transient I/O failures.
    #[serde(default)]
    pub retry: RetryPolicy,
    /// Where the customer-key secret lives.
    #[serde(default)]
    pub privacy: PrivacyConfig,
    /// What a day's metric values must meet (`METRIC` or `METRIC DIMENSION=MEMBER` → target).
    #[serde(default)]
    pub targets: BTreeMap<String, Target>,
    /// What to do with a day's alerts.
    #[serde(default)]
    pub alerts: AlertsConfig,
}

/// The `[alerts]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// A shell command run after a successful publish, with the alerts of the
    /// run's last business date as a JSON array on standard input (mail, IM).
    /// Its failure is recorded in the ledger and never fails the run.
    #[serde(default)]
    pub command: Option<String>,
    /// Seconds the command may take before it is stopped (default 60).
    #[serde(default)]
    pub timeout_s: Option<u64>,
}

/// The `[privacy]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// File holding the customer-key secret, outside the warehouse (relative
    /// to the pipeline file). `CALLCUBE_HMAC_KEY` wins over it.
    #[serde(default)]
    pub key_file: Option<String>,
}

/// Dates a by-date model builds at once by default ([`EngineConfig::rebuild_batch_days`]).
pub const DEFAULT_REBUILD_BATCH_DAYS: usize = 7;

/// How long one batch of one model may take by default ([`EngineConfig::node_timeout_s`]):
/// two hours, twenty times the slowest batch of a 30-day scale-1 backfill.
pub const DEFAULT_NODE_TIMEOUT_S: u64 = 7200;

/// Limits of the query engine for building models and marts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// Memory the engine may hold for sorts, joins and aggregations, in MiB;
    /// past it, operators that can spill to disk do.
    pub memory_limit_mb: u64,
    /// Folder for spill files (relative to the pipeline file); default the system temp folder.
    pub spill_dir: Option<String>,
    /// Parallelism of query plans; default the number of cores.
    pub target_partitions: Option<usize>,
    /// The most a build may spill to disk at once, in MiB; past it the build fails
    /// (default DataFusion's, 100 GiB).
    pub max_spill_mb: Option<u64>,
    /// The most dates a by-date model builds at once: a rebuild of more (a
    /// backlog, a changed definition, a first build) runs in batches of this
    /// many dates, so its memory does not grow with history.
    pub rebuild_batch_days: usize,
    /// Seconds one batch of one model may take before the run stops it and
    /// fails naming the model (0: no limit). A query that waits forever
    /// (a lost wake-up in the engine) would otherwise hold the nightly and
    /// its lock until someone notices.
    pub node_timeout_s: u64,
}

impl EngineConfig {
    /// [`EngineConfig::node_timeout_s`] as a duration (`None`: no limit).
    pub fn node_timeout(&self) -> Option<std::time::Duration> {
        (self.node_timeout_s > 0).then(|| std::time::Duration::from_secs(self.node_timeout_s))
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            memory_limit_mb: 1536,
            spill_dir: None,
            target_partitions: None,
            max_spill_mb: None,
            rebuild_batch_days: DEFAULT_REBUILD_BATCH_DAYS,
            node_timeout_s: DEFAULT_NODE_TIMEOUT_S,
        }
    }
}

/// A cron schedule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Five-field cron expression (minute hour day month weekday).
    pub cron: String,
    /// IANA time zone the cron expression is read in.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// First business date to catch up from when the pipeline has never run
    /// (YYYY-MM-DD); without it, a first scheduled run loads only the latest due date.
    #[serde(default)]
    pub start: Option<String>,
}

fn default_timezone() -> String {
    "Asia/Shanghai".to_string()
}

/// Delivery format of a system.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// CSV files in the inbox.
    #[default]
    Csv,
}

/// How a source system delivers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemSource {
    /// Delivery format.
    #[serde(default)]
    pub format: Format,
    /// Default encoding of the system's files.
    pub encoding: Option<Encoding>,
    /// Default field delimiter (one character).
    pub delimiter: Option<String>,
    /// Per-table settings.
    #[serde(default)]
    pub tables: BTreeMap<String, TableSourceConfig>,
}

/// How one table is delivered, where it differs from `sources.md`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSourceConfig {
    /// Encoding of this table's files.
    pub encoding: Option<Encoding>,
    /// Field delimiter.
    pub delimiter: Option<String>,
    /// Header name in the file → canonical column name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Set to false to skip the table.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A loaded, validated pipeline with its paths resolved.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Name.
    pub name: String,
    /// The file it came from.
    pub file: PathBuf,
    /// Description.
    pub description: String,
    /// Resolved warehouse.
    pub warehouse: WarehouseUrl,
    /// Resolved inbox.
    pub inbox: PathBuf,
    /// Resolved folder of SQL models.
    pub models: PathBuf,
    /// Schedule, if any.
    pub schedule: Option<Schedule>,
    /// Tables to land, with their delivery settings.
    pub tables: Vec<SourceTable>,
    /// Parameters.
    pub params: Params,
    /// Engine limits, with `spill_dir` resolved.
    pub engine: EngineConfig,
    /// Data-quality gates; `expected` always resolved (default: every landed
    /// table a site delivers daily, see [`DELIVERED_ON_CHANGE`]).
    pub quality: QualityConfig,
    /// Retries of transient I/O failures.
    pub retry: RetryPolicy,
    /// Resolved `[privacy] key_file`, if set.
    pub key_file: Option<PathBuf>,
    /// `[targets]` with the defaults for the metrics it does not name.
    pub targets: Targets,
    /// `[alerts]`.
    pub alerts: AlertsConfig,
}

/// Overrides from the command line or the environment (relative to the working directory).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--inbox` or `CALLCUBE_INBOX`.
    pub inbox: Option<String>,
    /// `--warehouse` or `CALLCUBE_WAREHOUSE`.
    pub warehouse: Option<String>,
}

impl Overrides {
    /// Flags first, then the environment.
    pub fn from_flags_and_env(inbox: Option<String>, warehouse: Option<String>) -> Overrides {
        Overrides {
            inbox: inbox.or_else(|| std::env::var(ENV_INBOX).ok().filter(|s| !s.is_empty())),
            warehouse: warehouse.or_else(|| std::env::var(ENV_WAREHOUSE).ok().filter(|s| !s.is_empty())),
        }
    }
}

/// Find a pipeline by name (`pipelines/<name>.toml`) or path.
pub fn locate(name_or_path: &str) -> PathBuf {
    let p = Path::new(name_or_path);
    if name_or_path.ends_with(".toml") || p.components().count() > 1 {
        p.to_path_buf()
    } else {
        Path::new("pipelines").join(format!("{name_or_path}.toml"))
    }
}

fn config_err(file: &Path, key: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::Config {
        file: file.to_path_buf(),
        key: key.into(),
        reason: reason.into(),
    }
}

impl Pipeline {
    /// Load and validate a pipeline file.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Pipeline> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            config_err(
                path,
                "(file)",
                format!("cannot read the pipeline file: {e} (pipelines live in pipelines/<name>.toml)"),
            )
        })?;
        Self::parse(&text, path, overrides)
    }

    /// Parse and validate pipeline text that came from `path`.
    pub fn parse(text: &str, path: &Path, overrides: &Overrides) -> Result<Pipeline> {
        let raw: PipelineFile = toml::from_str(text).map_err(|e| {
            config_err(
                path,
                key_at(text, e.span().map_or(0, |s| s.start)),
                e.message().to_string(),
            )
        })?;
        raw.validate(path, overrides)
    }
}

impl PipelineFile {
    /// Check what serde cannot and resolve paths.
    pub fn validate(self, file: &Path, overrides: &Overrides) -> Result<Pipeline> {
        let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let cwd = PathBuf::new();
        let warehouse = match &overrides.warehouse {
            Some(w) => WarehouseUrl::parse(w, &cwd).map_err(|r| config_err(file, "warehouse (override)", r))?,
            None => WarehouseUrl::parse(&self.warehouse, &base)
                .map(normalize_url)
                .map_err(|r| config_err(file, "warehouse", r))?,
        };
        let inbox = match &overrides.inbox {
            Some(i) => PathBuf::from(i),
            None if self.inbox.trim().is_empty() => return Err(config_err(file, "inbox", "expected a folder path")),
            None => normalize(&base.join(&self.inbox)),
        };
        let models = normalize(&base.join(self.models.as_deref().unwrap_or("../sql")));
        if let Some(s) = &self.schedule {
            croner::Cron::from_str(&s.cron).map_err(|e| {
                config_err(
                    file,
                    "schedule.cron",
                    format!("`{}` is not a cron expression: {e}", s.cron),
                )
            })?;
            if let Some(start) = &s.start
                && crate::timefmt::parse_date(start.as_bytes()).is_none()
            {
                return Err(config_err(
                    file,
                    "schedule.start",
                    format!("`{start}` is not a date YYYY-MM-DD"),
                ));
            }
            chrono_tz::Tz::from_str(&s.timezone).map_err(|_| {
                config_err(
                    file,
                    "schedule.timezone",
                    format!("`{}` is not an IANA time zone (e.g. Asia/Shanghai)", s.timezone),
                )
            })?;
        }
        self.params
            .validate()
            .map_err(|(key, reason)| config_err(file, format!("params.{key}"), reason))?;
        let tables = self.source_tables(file)?;
        let mut engine = self.engine.clone();
        if engine.memory_limit_mb < 64 {
            return Err(config_err(
                file,
                "engine.memory_limit_mb",
                format!("expected at least 64 (MiB), found {}", engine.memory_limit_mb),
            ));
        }
        if engine.target_partitions == Some(0) {
            return Err(config_err(file, "engine.target_partitions", "expected at least 1"));
        }
        engine.spill_dir = engine
            .spill_dir
            .map(|d| normalize(&base.join(d)).to_string_lossy().to_string());
        let mut quality = self.quality.clone();
        for (i, c) in quality.check.iter().enumerate() {
            if let Some(p) = c.problem() {
                return Err(config_err(file, format!("quality.check[{i}] ({})", c.label()), p));
            }
        }
        let landed: Vec<String> = tables
            .iter()
            .map(|t| format!("{}/{}", t.def.system, t.def.name))
            .collect();
        match &quality.expected {
            Some(expected) => {
                if let Some(bad) = expected.iter().find(|e| !landed.contains(e)) {
                    return Err(config_err(
                        file,
                        "quality.expected",
                        format!("`{bad}` is not a table this pipeline lands; expected system/table"),
                    ));
                }
            }
            None => {
                quality.expected = Some(
                    landed
                        .into_iter()
                        .filter(|t| !DELIVERED_ON_CHANGE.contains(&t.as_str()))
                        .collect(),
                )
            }
        }
        let key_file = match &self.privacy.key_file {
            None => None,
            Some(k) if k.trim().is_empty() => return Err(config_err(file, "privacy.key_file", "expected a file path")),
            Some(k) => {
                let path = normalize(&base.join(k));
                // The point of a key file is to keep the secret away from those who read the warehouse.
                if let WarehouseUrl::Local(root) = &warehouse
                    && path.starts_with(normalize(root))
                {
                    return Err(config_err(
                        file,
                        "privacy.key_file",
                        format!(
                            "{} is inside the warehouse {}: keep the key where the warehouse's readers cannot",
                            path.display(),
                            root.display()
                        ),
                    ));
                }
                Some(path)
            }
        };
        let name = self.name.clone().unwrap_or_else(|| {
            file.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default()
        });
        Ok(Pipeline {
            name,
            file: file.to_path_buf(),
            description: self.description,
            warehouse,
            inbox,
            models,
            schedule: self.schedule,
            tables,
            params: self.params,
            engine,
            quality,
            retry: self.retry,
            key_file,
            targets: Targets::resolve(&self.targets).map_err(|(key, why)| config_err(file, key, why))?,
            alerts: self.alerts,
        })
    }

    fn source_tables(&self, file: &Path) -> Result<Vec<SourceTable>> {
        for (system, src) in &self.sources {
            if !SYSTEMS.contains(&system.as_str()) {
                return Err(config_err(
                    file,
                    format!("sources.{system}"),
                    format!("unknown system; expected one of {}", SYSTEMS.join(", ")),
                ));
            }
            for (table, cfg) in &src.tables {
                let key = format!("sources.{system}.tables.{table}");
                let def = schema::table(&format!("{system}/{table}")).ok_or_else(|| {
                    let known: Vec<&str> = schema::TABLES
                        .iter()
                        .filter(|t| t.system == system)
                        .map(|t| t.name)
                        .collect();
                    config_err(file, &key, format!("unknown table; {system} has {}", known.join(", ")))
                })?;
                for (from, to) in &cfg.columns {
                    if def.column_index(to).is_none() {
                        let names: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
                        return Err(config_err(
                            file,
                            format!("{key}.columns.{from}"),
                            format!(
                                "`{to}` is not a column of {system}/{table}; expected one of {}",
                                names.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for def in schema::TABLES {
            let sys = self.sources.get(def.system).cloned().unwrap_or_default();
            let cfg = sys.tables.get(def.name).cloned().unwrap_or_default();
            if !cfg.enabled && sys.tables.contains_key(def.name) {
                continue;
            }
            let key = format!("sources.{}.tables.{}.delimiter", def.system, def.name);
            let delimiter = match cfg.delimiter.as_ref().or(sys.delimiter.as_ref()) {
                None => b',',
                Some(d) if d.len() == 1 && d.is_ascii() && d != "\"" && d != "\n" => d.as_bytes()[0],
                Some(d) if d == "\\t" || d == "\t" => b'\t',
                Some(d) => {
                    return Err(config_err(
                        file,
                        key,
                        format!("`{d}` is not a single ASCII delimiter character"),
                    ));
                }
            };
            out.push(SourceTable {
                def,
                encoding: cfg.encoding.or(sys.encoding).unwrap_or_default(),
                rename: cfg.columns.clone(),
                delimiter,
            });
        }
        Ok(out)
    }
}

/// `a/b/../c` → `a/c`, lexically: config paths are shown to users.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

fn normalize_url(url: WarehouseUrl) -> WarehouseUrl {
    match url {
        WarehouseUrl::Local(p) => WarehouseUrl::Local(normalize(&p)),
        other => other,
    }
}

/// The dotted key of the TOML line holding byte `offset`: the nearest `[table]`
/// header above it plus the line's own key, e.g. `sources.hr.tables.agents.encoding`.
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let header = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let own = match line.split_once('=') {
        Some((k, _)) => k.trim().to_string(),
        None if line.starts_with('[') => return line.trim_matches(|c| c == '[' || c == ']').trim().to_string(),
        None => String::new(),
    };
    match (header, own.is_empty()) {
        (Some(h), false) => format!("{h}.{own}"),
        (Some(h), true) => h,
        (None, false) => own,
        (None, true) => "(toml)".to_string(),
    }
}
