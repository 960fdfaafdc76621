//! A model's header: how it is partitioned and which dates of its inputs one
//! of its dates reads, declared in the comment block at the top of its file:
//!
//! ```sql
//! -- kind: by_date                                  full | by_date | by_month
//! -- window: latest_hotline_agent_legs -1..1        output date d reads d−1 … d+1
//! -- window: conformed_fact_work_order -repeat_lookback_days..0
//! -- window: conformed_fact_agent_leg 0..fcr_window_h/24   hours, rounded up to days
//! -- window: conformed_fact_work_order ..0         every partition ≤ d
//! -- window: conformed_dim_agent asof               the latest partition ≤ d
//! -- window: conformed_dim_product latest_or_earliest_by product_code
//! --                                   per product, its latest row ≤ d, else its first
//! -- window: raw_hotline_ivr_calls all              every partition
//! -- window: conformed_fact_order by call_id in conformed_fact_agent_leg reading call_id,amount
//! -- window: latest_hotline_surveys by leg_id in conformed_fact_agent_leg around -1..1
//! -- window: conformed_fact_work_order 0..0 reading call_id,accepted_ts
//! -- joins: as written                              left side of each join held, right streamed
//! -- finality: 1                                    reads settled_days >= 1 of finality_dates only
//! -- carry: agent_id VARCHAR, end_ts TIMESTAMP      reads its own rows before build_start()
//! -- materialize: roster, indicators                these CTEs computed once, not per reference
//! ```
//!
//! `materialize` names CTEs of the query that later parts read more than once:
//! DataFusion runs a CTE's plan again at every reference, so each named one is
//! computed once into a scratch folder first ([`crate::engine::materialize`]).
//!
//! `carry` declares that the model reads its own table (by name) for the dates
//! before the first one it rebuilds, `build_start()`, and names the columns
//! it reads with their SQL types (the table it reads when it was never built:
//! empty, with these columns and `dt`). A `..hi` window of a carrying model
//! still rebuilds every date from a change on, but reads its input from
//! `build_start()` only: what came before is in the carried rows (each
//! agent's last kept state, say), not read again from all history.
//! A `full` model (no `dt`) with `carry` merges: its `build_start()` is the
//! first date any input changed on, it reads its published table whole plus
//! its inputs from that date on, and its table is written whole
//! (`conformed_dim_customer`).
//!
//! `reading` after a date window names the columns the model reads: only the
//! dates whose rows changed in those columns go through the window.
//!
//! The last form is a *key window*: output date d reads the input's rows of
//! any date whose `call_id` is that of a row of d in the home table(s) (`self`
//! is the model's own published table), or of d + lo … d + hi with
//! `around <lo>..<hi>`. A change to the input rebuilds only
//! the dates whose home rows carry a changed key, and `reading` names the
//! columns the model uses (default: all), so a change elsewhere in the row
//! rebuilds nothing. A table may have a date window and key windows (one per
//! key); with a key window it is read whole.
//!
//! A partitioned input without a `window` line is read on the output date
//! only (`0..0`). A file without `kind` is `full`. Bounds are sums of whole
//! days and parameters (`param` in days, `param/24` for hours rounded up).
//! The incremental runner derives each model's dates to rebuild from them
//! ([`crate::engine::incremental`]).

use std::collections::BTreeMap;

/// How a model's table is rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// Rebuilt whole (small dimensions).
    #[default]
    Full,
    /// Partitioned on `dt`, rebuilt for the dates that need it.
    ByDate,
    /// Monthly rows, rebuilt for the months touched.
    ByMonth,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::ByDate => "by_date",
            Kind::ByMonth => "by_month",
        }
    }
}

/// One term of a day bound.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Days(i64),
    /// A parameter in days.
    Param(String),
    /// A parameter in hours, rounded up to whole days.
    ParamHours(String),
}

/// A signed sum of terms, in days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayBound(Vec<(i64, Term)>);

/// Which dates of an input one output date reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// Output date d reads input dates d + lo … d + hi.
    Days { lo: DayBound, hi: DayBound },
    /// Every input date up to d + hi (`..hi`): whatever happened before, as
    /// a chain or an event attached to a later date. A change at x reaches
    /// the output dates from x − hi on.
    UpTo { hi: DayBound },
    /// The latest input partition on or before d (a snapshot in force).
    AsOf,
    /// Per value of `key`, its latest row on or before d, else its earliest
    /// row (`latest_or_earliest_by <key>`: a product's price for an offer,
    /// where products are sent when they change). Read whole; a change at x
    /// reaches the dates from x on, and the dates before x too when x is at
    /// or before some key's first row.
    LatestOrEarliestBy { key: String },
    /// Every partition.
    All,
}

/// Rows of an input found by key, whatever their date (`by <key> in <homes>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWindow {
    /// The column input rows and home rows share.
    pub key: String,
    /// Tables whose rows give the output dates of a key: their `dt` where the
    /// key matches. `self` is the model's own published table.
    pub homes: Vec<String>,
    /// The input columns the model uses; empty: every column.
    pub reading: Vec<String>,
    /// `around <lo>..<hi>`: output date d reads the rows whose key is that of
    /// a home row on d + lo … d + hi (default `0..0`), for rows that go near,
    /// not on, their home's date (a survey goes to its call's first request,
    /// a day either side of the surveyed leg).
    pub around: (i64, i64),
}

/// The home that names the model's own published table.
pub const SELF_HOME: &str = "self";

/// A model's declared kind and windows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    pub kind: Kind,
    /// Per input table.
    pub windows: BTreeMap<String, Window>,
    /// Key windows, per input table (one per key).
    pub keys: BTreeMap<String, Vec<KeyWindow>>,
    /// The columns a date window reads (`<table> <window> reading <columns>`),
    /// per input table: only dates whose rows changed in them count.
    pub reading: BTreeMap<String, Vec<String>>,
    /// `-- joins: as written`: each join holds its left input in memory and
    /// streams the right one, as the SQL says, instead of the optimiser
    /// swapping them on its estimates (which misjudge aggregates and windows).
    pub joins_as_written: bool,
    /// `-- finality: latest_run | <days>[,<days>…]`: what the model reads of
    /// `finality_dates` — only `latest_run`, or `settled_days` compared with
    /// these thresholds — so a date whose settled days cross another
    /// threshold does not rebuild it. `None`: every threshold.
    pub finality: Option<Vec<i64>>,
    /// `-- carry: <column> <type>, …`: the columns of its own table the model
    /// reads, for the dates before the first it rebuilds.
    pub carry: Option<Vec<(String, String)>>,
    /// `-- materialize: <cte>, …`: CTEs computed once before the query runs.
    pub materialize: Vec<String>,
}

impl Header {
    /// The parameters its bounds name.
    pub fn params(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .windows
            .values()
            .flat_map(|w| match w {
                Window::Days { lo, hi } => lo.0.iter().chain(hi.0.iter()).collect::<Vec<_>>(),
                Window::UpTo { hi } => hi.0.iter().collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .filter_map(|(_, t)| match t {
                Term::Param(p) | Term::ParamHours(p) => Some(p.as_str()),
                Term::Days(_) => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl DayBound {
    /// Zero days.
    pub fn zero() -> DayBound {
        DayBound(vec![(1, Term::Days(0))])
    }

    /// Its value in days, with parameters from `params` (JSON of the pipeline's `[params]`).
    pub fn days(&self, params: &serde_json::Map<String, serde_json::Value>) -> Result<i64, String> {
        let mut total = 0i64;
        for (sign, term) in &self.0 {
            let value = match term {
                Term::Days(d) => *d,
                Term::Param(p) => integer_param(params, p)?,
                Term::ParamHours(p) => (integer_param(params, p)? + 23).div_euclid(24),
            };
            total += sign * value;
        }
        Ok(total)
    }
}

fn integer_param(params: &serde_json::Map<String, serde_json::Value>, name: &str) -> Result<i64, String> {
    match params.get(name) {
        Some(v) => v
            .as_i64()
            .ok_or_else(|| format!("parameter `{name}` is not a whole number ({v})")),
        None => Err(format!("`{name}` is not a parameter")),
    }
}

/// Parse the header of a model's SQL. Errors say which line and why.
pub fn parse(sql: &str) -> Result<Header, String> {
    let mut header = Header::default();
    let mut kind_seen = false;
    for (i, line) in sql.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("--") else {
            break; // the header is the leading comment block
        };
        let at = |reason: String| format!("line {}: {reason}", i + 1);
        let comment = comment.trim();
        if let Some(k) = comment.strip_prefix("kind:") {
            if kind_seen {
                return Err(at("`kind` is declared twice".into()));
            }
            kind_seen = true;
            header.kind = match k.trim() {
                "full" => Kind::Full,
                "by_date" => Kind::ByDate,
                "by_month" => Kind::ByMonth,
                other => {
                    return Err(at(format!(
                        "unknown kind `{other}`; expected full, by_date or by_month"
                    )));
                }
            };
        } else if let Some(j) = comment.strip_prefix("joins:") {
            if j.trim() != "as written" {
                return Err(at(format!(
                    "unknown `joins: {}`; expected `joins: as written`",
                    j.trim()
                )));
            }
            header.joins_as_written = true;
        } else if let Some(f) = comment.strip_prefix("finality:") {
            let f = f.trim();
            let thresholds = if f == "latest_run" {
                Vec::new()
            } else {
                f.split(',')
                    .map(|t| t.trim().parse::<i64>().ok().filter(|t| *t > 0))
                    .collect::<Option<Vec<i64>>>()
                    .ok_or_else(|| {
                        at(format!(
                            "`finality: {f}`; expected `finality: latest_run` or settled-day thresholds such as `1,7`"
                        ))
                    })?
            };
            header.finality = Some(thresholds);
        } else if let Some(c) = comment.strip_prefix("carry:") {
            let columns = list(c)
                .into_iter()
                .map(|col| {
                    let (name, ty) = col.split_once(char::is_whitespace)?;
                    Some((name.to_string(), ty.trim().to_string()))
                })
                .collect::<Option<Vec<_>>>()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    at(format!(
                        "`carry: {}`; expected `carry: <column> <SQL type>, …`",
                        c.trim()
                    ))
                })?;
            header.carry = Some(columns);
        } else if let Some(m) = comment.strip_prefix("materialize:") {
            let names = list(m);
            if names.is_empty() || names.iter().any(|n| n.contains(char::is_whitespace)) {
                return Err(at(format!(
                    "`materialize: {}`; expected `materialize: <cte>[, <cte>…]`",
                    m.trim()
                )));
            }
            header.materialize.extend(names);
        } else if let Some(w) = comment.strip_prefix("window:") {
            let words: Vec<&str> = w.split_whitespace().collect();
            if words.get(1) == Some(&"by") {
                let key = key_window(&words).map_err(&at)?;
                let keys = header.keys.entry(words[0].to_string()).or_default();
                if keys.iter().any(|k| k.key == key.key) {
                    return Err(at(format!("two key windows for `{}` by `{}`", words[0], key.key)));
                }
                keys.push(key);
                continue;
            }
            let expected = || {
                at("expected `window: <table> <lo>..<hi> | ..<hi> | asof | latest_or_earliest_by <key> | all [reading <column>,…]`".into())
            };
            if let [table, "latest_or_earliest_by", key] = words.as_slice() {
                let window = Window::LatestOrEarliestBy { key: key.to_string() };
                if header.windows.insert(table.to_string(), window).is_some() {
                    return Err(at(format!("two windows for `{table}`")));
                }
                continue;
            }
            let (table, spec) = match words.as_slice() {
                [table, spec] => (*table, *spec),
                [table, spec, "reading", cols @ ..] if !cols.is_empty() => {
                    header.reading.insert(table.to_string(), list(&cols.join("")));
                    (*table, *spec)
                }
                _ => return Err(expected()),
            };
            let window = match spec {
                "asof" => Window::AsOf,
                "all" => Window::All,
                range if range.starts_with("..") => Window::UpTo {
                    hi: bound(&range[2..]).map_err(&at)?,
                },
                range => {
                    let (lo, hi) = range
                        .split_once("..")
                        .ok_or_else(|| at(format!("`{range}` is not <lo>..<hi>, asof or all")))?;
                    Window::Days {
                        lo: bound(lo).map_err(&at)?,
                        hi: bound(hi).map_err(&at)?,
                    }
                }
            };
            if header.windows.insert(table.to_string(), window).is_some() {
                return Err(at(format!("two windows for `{table}`")));
            }
        }
    }
    Ok(header)
}

/// `<table> by <key> in <home>[,<home>…] [reading <column>[,<column>…]]`, split in words.
/// `a,b, c` → `[a, b, c]`.
fn list(w: &str) -> Vec<String> {
    w.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn key_window(words: &[&str]) -> Result<KeyWindow, String> {
    let expected = || {
        "expected `window: <table> by <key> in <home>[,<home>…] [around <lo>..<hi>] [reading <column>,…]`".to_string()
    };
    let [_, "by", key, "in", homes, rest @ ..] = words else {
        return Err(expected());
    };
    let (around, rest) = match rest {
        ["around", range, rest @ ..] => {
            let days = |b: &str| {
                b.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("`around {range}`: bounds are whole days"))
            };
            let (lo, hi) = range.split_once("..").ok_or_else(expected)?;
            let (lo, hi) = (days(lo)?, days(hi)?);
            if lo > hi {
                return Err(format!("`around {range}`: the low bound is above the high one"));
            }
            ((lo, hi), rest)
        }
        _ => ((0, 0), rest),
    };
    let reading = match rest {
        [] => Vec::new(),
        ["reading", cols @ ..] if !cols.is_empty() => {
            let reading = list(&cols.join(""));
            if !reading.iter().any(|c| c == key) {
                return Err(format!("`reading` must name the key `{key}`"));
            }
            reading
        }
        _ => return Err(expected()),
    };
    Ok(KeyWindow {
        key: key.to_string(),
        homes: list(homes),
        reading,
        around,
    })
}

/// `-1`, `+2`, `0`, `-repeat_lookback_days`, `fcr_window_h/24`, `-1-e1_baseline_days`.
fn bound(text: &str) -> Result<DayBound, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an empty bound".into());
    }
    let mut terms = Vec::new();
    let mut sign = 1;
    let mut rest = text;
    if let Some(r) = rest.strip_prefix('-') {
        sign = -1;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    loop {
        let end = rest.find(['+', '-']).unwrap_or(rest.len());
        let token = &rest[..end];
        terms.push((sign, term(token).map_err(|e| format!("`{text}`: {e}"))?));
        if end == rest.len() {
            break;
        }
        sign = if rest[end..].starts_with('-') { -1 } else { 1 };
        rest = &rest[end + 1..];
    }
    Ok(DayBound(terms))
}

fn term(token: &str) -> Result<Term, String> {
    let is_name = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    if let Ok(d) = token.parse::<i64>() {
        Ok(Term::Days(d))
    } else if let Some(p) = token.strip_suffix("/24").filter(|p| is_name(p)) {
        Ok(Term::ParamHours(p.to_string()))
    } else if is_name(token) {
        Ok(Term::Param(token.to_string()))
    } else {
        Err(format!("`{token}` is neither whole days, a parameter nor parameter/24"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> serde_json::Map<String, serde_json::Value> {
        let serde_json::Value::Object(m) =
            serde_json::json!({ "fcr_window_h": 24, "repeat_lookback_days": 90, "e1_baseline_days": 30, "x": 1.5 })
        else {
            unreachable!()
        };
        m
    }

    fn days(w: &Window) -> (i64, i64) {
        match w {
            Window::Days { lo, hi } => (lo.days(&params()).unwrap(), hi.days(&params()).unwrap()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_kind_and_windows_from_the_leading_comments() {
        let h = parse(
            "-- conformed.fact_work_order: …\n-- kind: by_date\n\
             -- window: conformed_fact_work_order -repeat_lookback_days..0\n\
             -- window: conformed_fact_agent_leg -1..fcr_window_h/24\n\
             -- window: conformed_dim_agent asof\n-- window: raw_hr_agents all\n\
             -- window: conformed_dim_product latest_or_earliest_by product_code\n\
             -- window: latest_crm_work_orders -1-e1_baseline_days..+1\n\
             SELECT 1\n-- kind: full (not the header any more)\n",
        )
        .unwrap();
        assert_eq!(h.kind, Kind::ByDate);
        assert_eq!(days(&h.windows["conformed_fact_work_order"]), (-90, 0));
        // 24 hours look ahead: one day.
        assert_eq!(days(&h.windows["conformed_fact_agent_leg"]), (-1, 1));
        assert_eq!(days(&h.windows["latest_crm_work_orders"]), (-31, 1));
        assert_eq!(h.windows["conformed_dim_agent"], Window::AsOf);
        assert_eq!(h.windows["raw_hr_agents"], Window::All);
        assert_eq!(
            h.windows["conformed_dim_product"],
            Window::LatestOrEarliestBy {
                key: "product_code".into()
            }
        );
        assert_eq!(h.params(), ["e1_baseline_days", "fcr_window_h", "repeat_lookback_days"]);
        // Hours round up: 25 h reach into a second day.
        let mut p = params();
        p.insert("fcr_window_h".into(), 25.into());
        match &h.windows["conformed_fact_agent_leg"] {
            Window::Days { hi, .. } => assert_eq!(hi.days(&p).unwrap(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(parse("SELECT 1").unwrap(), Header::default());
    }

    #[test]
    fn carry_names_columns_and_their_types() {
        let h =
            parse("-- kind: by_date\n-- carry: agent_id VARCHAR, end_ts TIMESTAMP ,kept BOOLEAN\nSELECT 1").unwrap();
        let want = [("agent_id", "VARCHAR"), ("end_ts", "TIMESTAMP"), ("kept", "BOOLEAN")];
        assert_eq!(
            h.carry.unwrap(),
            want.map(|(c, t)| (c.to_string(), t.to_string())).to_vec()
        );
        let err = parse("-- carry: agent_id\nSELECT 1").unwrap_err();
        assert!(err.contains("line 1") && err.contains("<SQL type>"), "{err}");
        assert!(parse("-- carry:\nSELECT 1").is_err());
    }

    #[test]
    fn a_key_window_names_its_key_homes_and_columns() {
        let h = parse(
            "-- kind: by_date\n-- window: conformed_fact_order 0..0\n\
             -- window: conformed_fact_order by call_id in conformed_fact_agent_leg,self reading call_id, amount\n\
             -- window: conformed_fact_work_order by call_id in self\nSELECT 1",
        )
        .unwrap();
        assert_eq!(days(&h.windows["conformed_fact_order"]), (0, 0));
        assert_eq!(
            h.keys["conformed_fact_order"][0],
            KeyWindow {
                key: "call_id".into(),
                homes: vec!["conformed_fact_agent_leg".into(), SELF_HOME.into()],
                reading: vec!["call_id".into(), "amount".into()],
                around: (0, 0),
            }
        );
        assert!(h.keys["conformed_fact_work_order"][0].reading.is_empty());
        let around = parse("-- window: t by k in h around -1..1 reading k\nSELECT 1").unwrap();
        assert_eq!(around.keys["t"][0].around, (-1, 1));
        assert_eq!(around.keys["t"][0].reading, ["k"]);
        let two = parse("-- window: t by a in self\n-- window: t by b in self\nSELECT 1").unwrap();
        assert_eq!(two.keys["t"].len(), 2);
        let read = parse("-- window: t -1..0 reading a, b\nSELECT 1").unwrap();
        assert_eq!(days(&read.windows["t"]), (-1, 0));
        assert_eq!(read.reading["t"], ["a", "b"]);
        for (sql, want) in [
            ("-- window: t by k\nSELECT 1", "expected `window: <table> by"),
            ("-- window: t by k in h reading a,b\nSELECT 1", "must name the key `k`"),
            (
                "-- window: t by k in h around 1..-1\nSELECT 1",
                "the low bound is above",
            ),
            ("-- window: t by k in h around a..1\nSELECT 1", "bounds are whole days"),
            (
                "-- window: t by k in h\n-- window: t by k in self\nSELECT 1",
                "line 2: two key windows for `t` by `k`",
            ),
        ] {
            let e = parse(sql).unwrap_err();
            assert!(e.contains(want), "{sql:?}: {e}");
        }
    }

    #[test]
    fn an_open_lower_bound_reads_every_earlier_date() {
        let h = parse("-- kind: by_date\n-- window: conformed_agent_state_checked ..1\nSELECT 1").unwrap();
        let Some(Window::UpTo { hi }) = h.windows.get("conformed_agent_state_checked") else {
            panic!("{h:?}");
        };
        assert_eq!(hi.days(&params()), Ok(1));
        assert!(parse("-- window: t ..\nSELECT 1").unwrap_err().contains("empty bound"));
    }

    #[test]
    fn materialize_lists_ctes_across_lines() {
        let h = parse("-- kind: by_date\n-- materialize: roster, center_aht\n-- materialize: indicators\nSELECT 1")
            .unwrap();
        assert_eq!(h.materialize, ["roster", "center_aht", "indicators"]);
        assert!(parse("-- materialize:\nSELECT 1").unwrap_err().contains("line 1"));
        assert!(parse("-- materialize: a b\nSELECT 1").is_err());
    }

    #[test]
    fn finality_names_latest_run_or_thresholds() {
        assert_eq!(parse("SELECT 1").unwrap().finality, None);
        assert_eq!(
            parse("-- finality: latest_run\nSELECT 1").unwrap().finality,
            Some(vec![])
        );
        assert_eq!(parse("-- finality: 1, 7\nSELECT 1").unwrap().finality, Some(vec![1, 7]));
        let e = parse("-- finality: settled\nSELECT 1").unwrap_err();
        assert!(
            e.contains("line 1") && e.contains("expected `finality: latest_run`"),
            "{e}"
        );
    }

    #[test]
    fn joins_as_written_is_declared_or_refused() {
        assert!(!parse("-- kind: by_date\nSELECT 1").unwrap().joins_as_written);
        assert!(
            parse("-- kind: by_date\n-- joins: as written\nSELECT 1")
                .unwrap()
                .joins_as_written
        );
        let e = parse("-- joins: smallest left\nSELECT 1").unwrap_err();
        assert!(e.contains("line 1: unknown `joins: smallest left`"), "{e}");
    }

    #[test]
    fn refuses_what_it_cannot_read_naming_the_line() {
        for (sql, want) in [
            ("-- kind: daily\nSELECT 1", "line 1: unknown kind `daily`"),
            (
                "-- kind: full\n-- kind: by_date\nSELECT 1",
                "line 2: `kind` is declared twice",
            ),
            ("-- window: t\nSELECT 1", "line 1: expected `window:"),
            ("-- window: t -1\nSELECT 1", "not <lo>..<hi>"),
            ("-- window: t -1..x y\nSELECT 1", "line 1: expected `window:"),
            ("-- window: t -1..Bad\nSELECT 1", "`Bad` is neither"),
            (
                "-- window: t 0..0\n-- window: t asof\nSELECT 1",
                "line 2: two windows for `t`",
            ),
        ] {
            let e = parse(sql).unwrap_err();
            assert!(e.contains(want), "{sql:?}: {e}");
        }
        let h = parse("-- window: t 0..x\nSELECT 1").unwrap();
        match &h.windows["t"] {
            Window::Days { hi, .. } => {
                assert!(hi.days(&params()).unwrap_err().contains("not a whole number"));
                assert!(
                    hi.days(&serde_json::Map::new())
                        .unwrap_err()
                        .contains("`x` is not a parameter")
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
