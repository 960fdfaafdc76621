//! The ways analysts read the warehouse: the shell (and, as they come, the
//! Flight SQL server and the HTML report), over the models' built warehouse.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::models::built;

/// Run `callcube shell ARGS` with `script` on stdin; (exit success, stdout, stderr).
fn shell(args: &[&str], script: &str) -> (bool, String, String) {
    let root = built().warehouse_root();
    let mut child = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .arg("shell")
        .arg("--warehouse")
        .arg(&root)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("callcube runs");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run `callcube ARGS --warehouse <built>` with no server tokens, expecting
/// it to fail with exit 1; its stderr.
fn refused(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(args)
        .arg("--warehouse")
        .arg(built().warehouse_root())
        .env_remove("CALLCUBE_SERVE_TOKENS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_shell_lists_describes_and_queries_from_stdin() {
    let count = crate::models::built().count("select count(*) from marts_metrics_day where metric_id = 'A1'");
    let script = "\\d\n\\d marts_metrics_day\n\\format csv\nselect count(*) as n\n  from marts_metrics_day\n where metric_id = 'A1';\n";
    let (ok, out, err) = shell(&[], script);
    assert!(ok, "{err}\n{out}");
    // `\d` lists every table, raw included for the engineers' shell.
    assert!(
        out.contains("| raw_hotline_agent_legs ") && out.contains("| marts_metrics_day "),
        "{out}"
    );
    assert!(out.contains("| metric_catalog "), "{out}");
    // `\d TABLE` gives its columns and types.
    assert!(out.contains("| metric_id ") && out.contains("| Date32 "), "{out}");
    // A statement spanning lines runs at its `;`, in the chosen format, timed on stderr.
    assert!(out.ends_with(&format!("n\n{count}\n")), "{out}");
    assert!(count > 0);
    assert!(err.contains("(1 row, "), "{err}");
}

#[test]
fn the_analyst_shell_hides_raw_and_reports_errors_without_stopping() {
    let script = "\\d\nselect count(*) from raw_hotline_agent_legs;\n\\d rejects\n\\timing off\nselect count(*) as n from metric_catalog where id = 'A1';\n";
    let (ok, out, err) = shell(&["--analyst", "--format", "csv"], script);
    // A failed statement makes a script exit 1, after the rest has run.
    assert!(!ok, "{out}");
    assert!(
        out.contains("marts_metrics_day") && !out.contains("raw_") && !out.contains("rejects\n"),
        "{out}"
    );
    assert!(err.contains("raw_hotline_agent_legs' not found"), "{err}");
    assert!(err.contains("no table `rejects`"), "{err}");
    assert!(out.ends_with("timing off\nn\n1\n"), "{out}");
    assert!(!err.contains("row"), "timing is off: {err}");
}

/// The Python that runs the client scripts: `CALLCUBE_TEST_PYTHON`, else the
/// venv `.ci/run` makes (`target/test-venv`, with ADBC, pyarrow, DuckDB and polars).
pub fn python() -> String {
    std::env::var("CALLCUBE_TEST_PYTHON").unwrap_or_else(|_| {
        let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv/bin/python");
        venv.to_string_lossy().into_owned()
    })
}

/// Run `tests/python/SCRIPT ARGS`; its stdout as JSON.
pub fn python_json(script: &str, args: &[&str]) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let out = Command::new(python())
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run .ci/run, which makes the test venv)", python()));
    assert!(
        out.status.success(),
        "{script} failed (its modules come from .ci/run's venv, CALLCUBE_TEST_PYTHON):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{script}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// `callcube serve` on a free loopback port, its stderr collected.
struct Server {
    child: std::process::Child,
    addr: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    fn start(args: &[&str], tokens: &str) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_callcube"))
            .arg("serve")
            .arg("--warehouse")
            .arg(built().warehouse_root())
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("CALLCUBE_SERVE_TOKENS", tokens)
            .stderr(Stdio::piped())
            .spawn()
            .expect("callcube serve starts");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let _ = tx.send(rest.split(':').take(2).collect::<Vec<_>>().join(":"));
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no `listening on` line: {:?}", log.lock().unwrap()));
        Server { child, addr, log }
    }

    /// SIGTERM, as a service manager stops it; its exit status and log.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        (status, self.log.lock().unwrap().join("\n"))
    }
}

#[test]
fn adbc_clients_query_the_flight_sql_server_and_are_refused_writes_wrong_tokens_and_runaway_queries() {
    let token = "analyst-token-0123456789";
    let server = Server::start(
        &["--query-memory-mb", "16", "--query-timeout-s", "5"],
        &format!("analyst={token}"),
    );
    let out = python_json("flight_sql_client.py", &[&format!("grpc://{}", server.addr), token]);
    let (status, log) = server.stop();
    assert!(status.success(), "SIGTERM ends the server cleanly: {status:?}\n{log}");

    // Tables listed without naming a catalog: the PII-free layers and the catalog, no raw.
    let tables: Vec<&str> = out["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for t in [
        "marts_metrics_day",
        "conformed_fact_agent_leg",
        "cube_leg",
        "metric_catalog",
    ] {
        assert!(tables.contains(&t), "{t} not listed: {tables:?}");
    }
    assert!(
        !tables
            .iter()
            .any(|t| t.starts_with("raw_") || t.starts_with("ledger_") || *t == "rejects"),
        "{tables:?}"
    );
    assert_eq!(out["vendor_name"], "callcube");
    assert_eq!(out["table_types"], serde_json::json!(["TABLE", "VIEW"]));

    // The metric query gives what `callcube sql` gives.
    let sql = "select period, member, cast(value as double) as value from marts_metrics_day \
               where metric_id = 'A1' and dimension = 'skill_group' order by period, member";
    let printed = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(["sql", "--format", "json", "--warehouse"])
        .arg(built().warehouse_root())
        .arg(sql)
        .output()
        .unwrap();
    assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
    let expected: Vec<serde_json::Value> = serde_json::from_slice(&printed.stdout).unwrap();
    let expected: Vec<serde_json::Value> = expected
        .iter()
        .map(|r| serde_json::json!([r["period"], r["member"], r["value"]]))
        .collect();
    assert!(expected.len() > 2, "{expected:?}");
    assert_eq!(out["metric"].as_array().unwrap(), &expected);
    // A prepared statement, bound twice with different values.
    assert_eq!(out["prepared"], serde_json::json!([["A2", "service_level"]]));
    assert_eq!(out["prepared_again"], serde_json::json!([["B1", "consultation_count"]]));

    // Refusals name their cause; the server went on serving.
    for (key, says) in [
        ("insert_error", "`INSERT INTO …` would change data"),
        ("create_error", "`CREATE TABLE …` would change data"),
        ("raw_error", "raw_hotline_agent_legs' not found"),
        ("memory_error", "more memory than the server allows per query (16 MiB"),
        ("timeout_error", "ran past the server's limit of 5 s"),
        ("wrong_token_error", "UNAUTHENTICATED"),
        ("wrong_token_error", "the bearer token is not valid"),
    ] {
        let error = out[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} was not refused: {out}"));
        assert!(error.contains(says), "{key}: {error}");
    }
    assert_eq!(out["after"], serde_json::json!([[callcube::catalog::catalog().len()]]));

    // One log line per query: who, how long, rows.
    assert!(
        log.contains("analyst@127.0.0.1:") && log.contains("rows: select id, key from metric_catalog where id = $1"),
        "{log}"
    );
    assert!(
        log.contains("refused a request from 127.0.0.1:") && log.contains("the bearer token is not valid"),
        "{log}"
    );
    assert!(
        log.contains("failed in ") && log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );
    assert!(log.contains("not run: insert into metric_catalog"), "{log}");
}

#[test]
fn include_raw_needs_client_tokens_even_on_loopback() {
    let err = refused(&["serve", "--include-raw", "--listen", "127.0.0.1:0"]);
    assert!(
        err.contains("--include-raw serves caller numbers and names: it needs client tokens"),
        "{err}"
    );
}

#[test]
fn without_tokens_the_server_refuses_to_listen_beyond_loopback() {
    let err = refused(&["serve", "--listen", "0.0.0.0:0"]);
    assert!(
        err.contains("no client token is configured (CALLCUBE_SERVE_TOKENS)") && err.contains("0.0.0.0:0"),
        "{err}"
    );
}

#[test]
fn duckdb_pyarrow_and_polars_read_every_mart_as_callcube_does() {
    let s = built();
    let root = s.warehouse_root();
    let out = python_json("read_marts.py", &[root.to_str().unwrap()]);
    let read = out.as_object().unwrap();
    let marts: Vec<String> = s
        .rows("select table_name from information_schema.tables where table_name like 'marts_%' order by 1")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert!(marts.len() >= 15, "{marts:?}");
    assert_eq!(
        read.keys().cloned().collect::<Vec<_>>(),
        marts,
        "the outside readers find the same mart folders"
    );
    for table in &marts {
        let rows = s.count(&format!("select count(*) from {table}"));
        let columns: Vec<String> = s
            .rows(&format!(
                "select column_name from information_schema.columns where table_name = '{table}' order by ordinal_position"
            ))
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        for (reader, seen) in read[table].as_object().unwrap() {
            assert_eq!(seen["rows"].as_i64().unwrap(), rows, "{reader} counts {table}");
            let seen: Vec<&str> = seen["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            assert_eq!(seen, columns, "{reader} reads the columns of {table}");
        }
    }
}

/// Headless Chromium (`CALLCUBE_TEST_CHROMIUM`, else `chromium`, which `.ci/run`
/// installs) on a page from disk with the network cut off; returns its stdout.
fn chromium(page: &std::path::Path, extra: &[&str]) -> String {
    let binary = std::env::var("CALLCUBE_TEST_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(&binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // No network: every host name fails to resolve and any proxy is a dead port.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{binary}: {e} (.ci/run installs Debian's chromium)"));
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{binary} did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{binary} failed: {:?}", out.status);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_html_report_opens_offline_in_chromium_with_the_marts_scorecard() {
    let s = built();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(["report", "--month", "2026-11", "--out"])
        .arg(&page)
        .arg("--warehouse")
        .arg(s.warehouse_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing to fetch (the SVG namespace is a name, not a fetch).
    let outside = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !outside.contains("http://") && !outside.contains("https://") && !outside.contains(" src="),
        "the page fetches something"
    );
    crate::models::KnownPii::of(s).assert_text_clean("report.html", &html);

    let dom = chromium(&page, &["--dump-dom"]);
    // Every center's and skill group's weighted total and A1 points, as the mart holds them.
    let rows = s.rows(
        "select member, weighted_total, a1_points, is_final from marts_scorecard_monthly \
         where month = '2026-11' and dimension in ('center', 'skill_group') and member <> '(none)'",
    );
    assert!(rows.len() >= 4, "{rows:?}");
    for r in &rows {
        let total: f64 = r[1].parse().unwrap();
        let cell = format!("<td class=\"total\" data-member=\"{}\"><b>{total:.2}</b></td>", r[0]);
        assert!(dom.contains(&cell), "the DOM lacks {cell}");
        if r[2] != "NULL" {
            let a1 = dom
                .split(&format!("<td data-member=\"{}\" data-metric=\"A1\">", r[0]))
                .nth(1)
                .unwrap_or_else(|| panic!("no A1 cell for {}", r[0]));
            assert!(
                a1.split("</td>").next().unwrap().contains(&format!(">{}</span>", r[2])),
                "A1 points of {}",
                r[0]
            );
        }
    }
    // Two days of a month are not final: the page says so.
    assert!(rows.iter().any(|r| r[3] == "false"));
    assert!(dom.contains("id=\"provisional\""), "no provisional banner");
    assert!(
        dom.contains("id=\"intraday-A2\"") && dom.contains("<polyline"),
        "no intraday curves"
    );
    let peers = s.count("select count(*) from marts_agent_performance_monthly where level = 'agent' and is_peer");
    let intervals = s.count("select count(*) from marts_staffing_interval");
    assert!(intervals > 0, "the fixture has staffing intervals");
    assert!(dom.contains("id=\"staffing\""), "no staffing chart");
    // The fixture's agents are too few to be peers (d_min_answered): the page says so.
    assert_eq!(dom.contains("id=\"agents-"), peers > 0, "{peers} peers");
    assert_eq!(dom.contains("No peers ranked this month."), peers == 0, "{peers} peers");

    let shot = dir.path().join("report.png");
    chromium(
        &page,
        &["--window-size=1400,2400", &format!("--screenshot={}", shot.display())],
    );
    let image = python_json("image_colors.py", &[shot.to_str().unwrap()]);
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(1400), Some(2400))
    );
    // A blank page is one colour; text, badges and charts make hundreds.
    assert!(
        image["colors"].as_i64().unwrap() > 100,
        "the screenshot looks blank: {image}"
    );
}

#[test]
fn a_report_for_a_month_without_a_scorecard_says_which_months_there_are() {
    let err = refused(&["report", "--month", "2025-01", "--out", "/dev/null"]);
    assert!(
        err.contains("no scorecard for 2025-01") && err.contains("months built: 2026-11"),
        "{err}"
    );
}

#[test]
fn docs_describe_every_table_column_and_metric_from_the_code() {
    let s = built();
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("p.toml");
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sql");
    std::fs::write(
        &pipeline,
        format!(
            "warehouse = {:?}\ninbox = \"inbox\"\nmodels = {:?}\n",
            s.warehouse_root().to_str().unwrap(),
            models.to_str().unwrap()
        ),
    )
    .unwrap();
    let out_dir = dir.path().join("docs");
    let out = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .arg("docs")
        .arg(&pipeline)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let index = std::fs::read_to_string(out_dir.join("index.md")).unwrap();
    // Every table the warehouse holds past raw, and every source table, has a page
    // listing exactly the columns the warehouse has.
    let tables = s.rows(
        "select table_name from information_schema.tables where table_schema = 'public' \
         and (table_name like 'conformed_%' or table_name like 'cube_%' or table_name like 'marts_%')",
    );
    assert!(tables.len() > 40, "{tables:?}");
    for t in tables.iter().map(|r| &r[0]) {
        assert!(
            index.contains(&format!("[`{t}`](tables/{t}.md)")),
            "{t} not in the index"
        );
        let page = std::fs::read_to_string(out_dir.join("tables").join(format!("{t}.md"))).unwrap();
        let columns = s.rows(&format!(
            "select column_name, data_type from information_schema.columns where table_name = '{t}' order by ordinal_position"
        ));
        let listed: Vec<&str> = page.lines().filter(|l| l.starts_with("| `")).collect();
        assert_eq!(listed.len(), columns.len(), "{t}: {listed:?}");
        for (line, c) in listed.iter().zip(&columns) {
            assert!(
                line.starts_with(&format!("| `{}` | {} |", c[0], c[1])),
                "{t}: {line} against {c:?}"
            );
        }
        assert!(page.contains("PII-free"), "{t}");
    }
    let raw = std::fs::read_to_string(out_dir.join("tables/raw_hotline_ivr_calls.md")).unwrap();
    assert!(
        raw.contains("| `caller` |") && raw.contains("holds caller numbers or agent names"),
        "{raw}"
    );
    // A model's page carries its own file's description and header.
    let leg = std::fs::read_to_string(out_dir.join("tables/conformed_fact_agent_leg.md")).unwrap();
    assert!(
        leg.contains("one row per queue entry") && leg.contains("window: latest_hotline_agent_legs -1..1"),
        "{leg}"
    );
    let metrics = std::fs::read_to_string(out_dir.join("metrics.md")).unwrap();
    for m in callcube::catalog::catalog() {
        assert!(
            metrics.contains(&format!("## {} `{}`", m.id, m.key)),
            "{} missing",
            m.id
        );
    }
}

#[test]
fn include_raw_serves_raw_and_rejects_and_says_so_in_the_log() {
    let token = "engineer-token-0123456789";
    let server = Server::start(&["--include-raw"], &format!("engineer={token}"));
    let tables = python_json("list_tables.py", &[&format!("grpc://{}", server.addr), token]);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    let tables: Vec<&str> = tables.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(
        tables.contains(&"raw_hotline_ivr_calls") && tables.contains(&"rejects"),
        "{tables:?}"
    );
    assert!(
        log.contains("--include-raw: raw, rejects and ledger tables are served"),
        "{log}"
    );
}
