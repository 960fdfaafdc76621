//! Targets and alerts (metrics.md F): `marts_alerts_daily`, `callcube alerts` and the
//! `[alerts] command`, through a pipeline run of the shipped models on one hand-made day.
//!
//! 2026-11-16, center C1, skill group S1, every call 571 gotone:
//!
//! | leg | queued   | answered | wait | acw | note                 |
//! |-----|----------|----------|------|-----|----------------------|
//! | L1  | 09:00:00 | 09:00:10 | 10   | 30  |                      |
//! | L2  | 09:10:00 | 09:10:10 | 10   | 30  |                      |
//! | L3  | 09:20:00 | 09:20:10 | 10   | 30  |                      |
//! | L4  | 09:30:00 | –        | 20   |     | abandoned (customer) |
//!
//! A1 = 3 / 4 = 75 % → 2 points: below the default 4 points → alert, except for skill group
//! S1 whose own target `min = 0.75` is met exactly. C4 = 20 / 1 = 20 s and C7_acw = 90 / 3 =
//! 30 s sit on the lower bounds of their default ranges (20–60, 30–60): no alert. C3 = 30 / 3
//! = 10 s breaks the pipeline's `max = 9.5`.

use std::path::Path;
use std::process::Command;

use callcube::config::{Overrides, Pipeline};
use callcube::ops::nightly::{RunOptions, run_pipeline};
use callcube::timefmt::parse_date;

use crate::common::{Scratch, copy_dir, query, to_strings};
use crate::fixture::{Fixture, t};

fn day(f: &mut Fixture) {
    let call =
        |id: &str, n: u32, at: &str| format!("{id},C1,139000000{n:02},571,gotone,{},{},agent_request,", t(at), t(at));
    f.add_lines(
        "hotline/ivr_calls",
        &[
            call("K1", 1, "08:59:00"),
            call("K2", 2, "09:09:00"),
            call("K3", 3, "09:19:00"),
            call("K4", 4, "09:29:00"),
        ],
    );
    let answered = |id: &str, k: &str, q: &str, a: &str, e: &str| {
        format!("{id},{k},1,ivr,S1,{},{},{},A1,100,0,30,0,customer", t(q), t(a), t(e))
    };
    f.add_lines(
        "hotline/agent_legs",
        &[
            answered("L1", "K1", "09:00:00", "09:00:10", "09:02:00"),
            answered("L2", "K2", "09:10:00", "09:10:10", "09:12:00"),
            answered("L3", "K3", "09:20:00", "09:20:10", "09:22:00"),
            format!("L4,K4,1,ivr,S1,{},,{},,0,0,0,0,customer", t("09:30:00"), t("09:30:20")),
        ],
    );
}

fn pipeline(dir: &Path, command: &str) -> std::path::PathBuf {
    let toml = format!(
        "warehouse = \"wh\"\ninbox = \"inbox\"\nmodels = \"sql\"\n\
         [quality]\nexpected = []\n\
         [targets]\n\"A1 skill_group=S1\" = {{ min = 0.75, severity = \"critical\" }}\n\
         C3 = {{ max = 9.5, severity = \"info\" }}\n\
         [alerts]\ncommand = \"{command}\"\n"
    );
    let path = dir.join("p.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn run(path: &Path, force: bool) -> callcube::ops::nightly::RunOutcome {
    let pipeline = Pipeline::load(path, &Overrides::default()).unwrap();
    let opts = RunOptions {
        quiet: true,
        force,
        trigger: "run".into(),
        ..RunOptions::default()
    };
    run_pipeline(&pipeline, &[parse_date(b"2026-11-16").unwrap()], &opts).unwrap()
}

#[test]
fn a_day_breaching_its_targets_alerts_and_the_command_gets_the_json() {
    let s = Scratch::new();
    let dir = s.dir.path();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), &dir.join("sql"));
    let mut f = Fixture::new();
    day(&mut f);
    f.deliver(&s);
    let sent = dir.join("sent.json");
    let path = pipeline(dir, &format!("cat > '{}'", sent.display()));
    run(&path, false);

    let wh = dir.join("wh");
    let alerts = |metric: &str| {
        to_strings(&query(
            &wh,
            &format!(
                "SELECT dimension, member, CAST(value AS DOUBLE), target, severity FROM marts_alerts_daily \
                 WHERE metric_id = '{metric}' AND dt = DATE '2026-11-16' ORDER BY dimension, member"
            ),
        ))
    };
    // A1: the default (≥ 4 points) for center, city and brand; S1 meets its own 0.75 exactly.
    assert_eq!(
        alerts("A1"),
        [
            ["brand", "gotone", "0.75", "≥ 4 points", "warning"],
            ["center", "C1", "0.75", "≥ 4 points", "warning"],
            ["city", "571", "0.75", "≥ 4 points", "warning"]
        ]
    );
    // On the bounds of their ranges: no alert.
    assert!(alerts("C4").is_empty(), "{:?}", alerts("C4"));
    assert!(alerts("C7_acw").is_empty(), "{:?}", alerts("C7_acw"));
    // C3 = 10 s > 9.5 s.
    let c3 = alerts("C3");
    assert!(
        c3.contains(&["center", "C1", "10.0", "≤ 9.5", "info"].map(String::from).to_vec()),
        "{c3:?}"
    );

    // The command got the day's alerts as a JSON array.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&sent).unwrap()).unwrap();
    let items = json.as_array().unwrap();
    let total = query(
        &wh,
        "SELECT count(*) FROM marts_alerts_daily WHERE dt = DATE '2026-11-16'",
    );
    assert_eq!(items.len().to_string(), to_strings(&total)[0][0]);
    assert!(
        items
            .iter()
            .any(|a| a["metric_id"] == "A1" && a["dimension"] == "center" && a["member"] == "C1"),
        "{json}"
    );
    let check = to_strings(&query(
        &wh,
        "SELECT passed, detail FROM ledger_run_checks WHERE check_name = 'alerts_command'",
    ));
    assert_eq!(check.len(), 1, "{check:?}");
    assert_eq!(check[0][0], "true");

    // `callcube alerts` prints the same rows.
    let out = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(["alerts", "--date", "2026-11-16", "--format", "csv", "--warehouse"])
        .arg(&wh)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.lines().count(), items.len() + 1, "{text}");
    assert!(text.lines().any(|l| l.contains("A1,answer_rate,center,C1")), "{text}");

    // A failing command is recorded and the run stays green.
    let path = pipeline(dir, "echo no mail server >&2; exit 3");
    let outcome = run(&path, true);
    assert!(outcome.built);
    let failed = to_strings(&query(
        &wh,
        &format!(
            "SELECT passed, detail FROM ledger_run_checks WHERE check_name = 'alerts_command' AND run_id = '{}'",
            outcome.run_id
        ),
    ));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0][0], "false");
    assert!(failed[0][1].contains("exit status: 3"), "{failed:?}");
    let status = to_strings(&query(
        &wh,
        &format!("SELECT status FROM ledger_runs WHERE run_id = '{}'", outcome.run_id),
    ));
    assert_eq!(status, [["success"]]);
}
