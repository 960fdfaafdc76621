//! The command line, end to end: generate → run → sql, check, and refusals.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::Scratch;

fn callcube(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CALLCUBE_INBOX")
        .env_remove("CALLCUBE_WAREHOUSE")
        .output()
        .expect("callcube runs")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "failed: {}\n{}", text(&o.stderr), text(&o.stdout));
    text(&o.stdout)
}

const PIPELINE: &str = "warehouse = \"wh\"\ninbox = \"inbox\"\n[sources.hr.tables.agents]\nencoding = \"gbk\"\n";

#[test]
fn generate_run_and_query_from_the_command_line() {
    let s = Scratch::new();
    let dir = s.dir.path();
    ok(callcube(
        &[
            "generate",
            "--seed",
            "3",
            "--days",
            "1",
            "--start",
            "2026-11-16",
            "--scale",
            "0.002",
            "--defects",
            "--out",
            "inbox",
        ],
        dir,
    ));
    std::fs::write(dir.join("p.toml"), PIPELINE).unwrap();
    let out = ok(callcube(&["run", "p.toml", "--date", "2026-11-16"], dir));
    assert!(out.contains("hotline/agent_legs") && out.contains("rejected"), "{out}");
    let out = ok(callcube(
        &[
            "sql",
            "--warehouse",
            "wh",
            "--format",
            "csv",
            "select count(*) > 100 as many from raw_hotline_agent_legs",
        ],
        dir,
    ));
    assert_eq!(out.trim(), "many\ntrue");
    let out = ok(callcube(
        &[
            "sql",
            "--warehouse",
            "wh",
            "--format",
            "json",
            "select count(*) as n from rejects where reason_code = 'unknown_enum'",
        ],
        dir,
    ));
    assert_eq!(out.trim(), r#"[{"n":2}]"#);
    // The counts printed are also recorded in the ledger, per table.
    let balanced = "select sum(rows_read) = sum(rows_landed) + sum(rows_rejected) + sum(rows_duplicate) as balanced, \
                    count(*) as tables from ledger_landing";
    let out = ok(callcube(
        &["sql", "--warehouse", "wh", "--format", "csv", balanced],
        dir,
    ));
    assert_eq!(out.trim(), "balanced,tables\ntrue,17");
    std::fs::write(
        dir.join("q.sql"),
        "select count(*) as n from raw_hr_agents where name is null",
    )
    .unwrap();
    let out = ok(callcube(
        &["sql", "--warehouse", "wh", "--file", "q.sql", "--format", "csv"],
        dir,
    ));
    assert_eq!(out.trim(), "n\n0");
}

#[test]
fn environment_overrides_the_pipeline_paths() {
    let s = Scratch::new();
    let dir = s.dir.path();
    ok(callcube(
        &[
            "generate",
            "--days",
            "1",
            "--start",
            "2026-11-16",
            "--scale",
            "0.002",
            "--out",
            "elsewhere",
        ],
        dir,
    ));
    std::fs::write(dir.join("p.toml"), PIPELINE).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(["run", "p.toml", "--date", "2026-11-16"])
        .current_dir(dir)
        .env("CALLCUBE_INBOX", "elsewhere")
        .env("CALLCUBE_WAREHOUSE", "wh2")
        .output()
        .unwrap();
    ok(o);
    assert!(
        dir.join("wh2/raw/hotline/ivr_calls/dt=2026-11-16/data.parquet")
            .exists()
    );
    assert!(!dir.join("wh").exists());
}

#[test]
fn sql_refuses_statements_that_change_anything() {
    let s = Scratch::new();
    let dir = s.dir.path();
    std::fs::create_dir_all(dir.join("wh")).unwrap();
    for stmt in [
        "insert into t values (1)",
        "create table t as select 1",
        "create external table t stored as csv location 'x.csv'",
        "drop table t",
        "copy (select 1) to 'out.csv'",
        "set datafusion.execution.batch_size = 1",
        "delete from t",
    ] {
        let o = callcube(&["sql", "--warehouse", "wh", stmt], dir);
        assert!(!o.status.success(), "{stmt} was accepted");
        let err = text(&o.stderr);
        assert!(err.contains("only queries"), "{stmt}: {err}");
    }
    assert!(!dir.join("out.csv").exists());
    let out = ok(callcube(
        &["sql", "--warehouse", "wh", "--format", "csv", "select 1 + 1 as two"],
        dir,
    ));
    assert_eq!(out.trim(), "two\n2");
}

#[test]
fn check_validates_without_running_and_names_what_is_wrong() {
    let s = Scratch::new();
    let dir = s.dir.path();
    std::fs::write(dir.join("p.toml"), format!("models = \"sql\"\n{PIPELINE}")).unwrap();
    std::fs::create_dir_all(dir.join("sql")).unwrap();
    std::fs::write(dir.join("sql/ok.sql"), "select 1 as x").unwrap();
    let out = ok(callcube(&["check", "p.toml"], dir));
    assert!(out.contains("ok") && out.contains("1 SQL model"), "{out}");
    assert!(!dir.join("wh").exists(), "check writes nothing");
    std::fs::write(dir.join("sql/bad.sql"), "drop table x").unwrap();
    let o = callcube(&["check", "p.toml"], dir);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("bad.sql"), "{}", text(&o.stderr));
    std::fs::write(
        dir.join("p.toml"),
        "warehouse = \"wh\"\ninbox = \"in\"\n[params]\nfcr_window_h = 0\n",
    )
    .unwrap();
    let o = callcube(&["check", "p.toml"], dir);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("p.toml") && err.contains("params.fcr_window_h") && err.contains("≥ 1"),
        "{err}"
    );
}

#[test]
fn run_refuses_a_missing_date_and_a_missing_pipeline() {
    let s = Scratch::new();
    let dir = s.dir.path();
    let o = callcube(&["run", "nightly"], dir);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("--date"), "{}", text(&o.stderr));
    let o = callcube(&["run", "nightly", "--date", "2026-11-16"], dir);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("pipelines/nightly.toml"),
        "{}",
        text(&o.stderr)
    );
}
