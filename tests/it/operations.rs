//! Nightly operations (issue 6): scheduling with catch-up, resumable backfill, the run lock,
//! data-quality gates, missing extracts, late data and the run ledger — through the real
//! binary, on a scratch pipeline with two small models so each run takes a second.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{Scratch, csv, snapshot};

/// Two models: legs as landed, and legs per date (a "mart").
const LEGS_SQL: &str = "SELECT leg_id, call_id, talk_s, dt FROM latest_hotline_agent_legs";
const PER_DAY_SQL: &str = "SELECT dt AS day, COUNT(*) AS legs, SUM(talk_s) AS talk_s FROM conformed_legs GROUP BY dt";

fn pipeline(extra: &str) -> String {
    format!(
        "warehouse = \"wh\"\ninbox = \"inbox\"\nmodels = \"sql\"\n\
         [schedule]\ncron = \"30 2 * * *\"\ntimezone = \"Asia/Shanghai\"\nstart = \"2026-11-16\"\n\
         [sources.hr.tables.agents]\nencoding = \"gbk\"\n\
         [quality]\nexpected = [\"hotline/agent_legs\"]\n{extra}"
    )
}

/// A scratch folder with the pipeline `p.toml`, its models and an inbox.
fn setup(extra: &str) -> Scratch {
    let s = Scratch::new();
    let dir = s.dir.path();
    std::fs::write(dir.join("p.toml"), pipeline(extra)).unwrap();
    std::fs::create_dir_all(dir.join("sql/conformed")).unwrap();
    std::fs::create_dir_all(dir.join("sql/marts")).unwrap();
    std::fs::write(dir.join("sql/conformed/legs.sql"), LEGS_SQL).unwrap();
    std::fs::write(dir.join("sql/marts/per_day.sql"), PER_DAY_SQL).unwrap();
    s
}

/// Deliver `n` legs queued on `day` (ids `<prefix>1…`) into the folder of `folder`.
fn legs(s: &Scratch, folder: &str, day: &str, prefix: &str, n: usize, talk: u32) {
    let rows: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                "{prefix}{i},K{prefix}{i},1,ivr,S1,{day} 10:00:00,{day} 10:00:10,{day} 10:05:00,A1,{talk},0,10,0,customer"
            )
        })
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    s.deliver(
        "hotline/agent_legs",
        folder,
        &format!("legs-{prefix}.csv"),
        &csv("hotline/agent_legs", &refs),
    );
}

fn callcube(s: &Scratch, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(args)
        .current_dir(s.dir.path())
        .env_remove("CALLCUBE_WAREHOUSE")
        .env_remove("CALLCUBE_INBOX")
        .output()
        .expect("callcube runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[track_caller]
fn expect_code(o: &Output, code: i32) -> String {
    let t = text(o);
    assert_eq!(o.status.code(), Some(code), "{t}");
    t
}

fn wh(s: &Scratch) -> std::path::PathBuf {
    s.dir.path().join("wh")
}

fn rows(s: &Scratch, sql: &str) -> Vec<Vec<String>> {
    crate::common::to_strings(&crate::common::query(&wh(s), sql))
}

fn per_day(s: &Scratch) -> Vec<Vec<String>> {
    rows(
        s,
        "SELECT CAST(day AS VARCHAR) AS d, legs FROM marts_per_day ORDER BY d",
    )
}

#[test]
fn schedule_once_catches_up_three_missed_days() {
    let s = setup("");
    for day in ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"] {
        legs(&s, day, day, &day[8..], 2, 100);
    }
    // 03:00 on the 17th (Shanghai): the 16th is due; the pipeline never ran → from `start`.
    let out = expect_code(
        &callcube(
            &s,
            &["schedule", "p.toml", "--once", "--now", "2026-11-17T03:00:00+08:00"],
        ),
        0,
    );
    assert!(out.contains("running 2026-11-16"), "{out}");
    // An outage: the next check is on the 20th. The 17th, 18th and 19th are due, in one run.
    let out = expect_code(
        &callcube(
            &s,
            &["schedule", "p.toml", "--once", "--now", "2026-11-20T03:00:00+08:00"],
        ),
        0,
    );
    assert!(out.contains("running 2026-11-17..2026-11-19"), "{out}");
    assert_eq!(
        per_day(&s),
        [
            ["2026-11-16", "2"],
            ["2026-11-17", "2"],
            ["2026-11-18", "2"],
            ["2026-11-19", "2"]
        ]
    );
    let runs = rows(&s, "SELECT trigger, dates, status FROM ledger_runs ORDER BY started_at");
    assert_eq!(
        runs,
        [
            ["schedule", "2026-11-16", "success"],
            ["schedule", "2026-11-17,2026-11-18,2026-11-19", "success"]
        ]
    );
    // Nothing more is due until the nightly of the 21st.
    let out = expect_code(
        &callcube(
            &s,
            &["schedule", "p.toml", "--once", "--now", "2026-11-21T02:00:00+08:00"],
        ),
        0,
    );
    assert!(out.contains("nothing due"), "{out}");
}

#[test]
fn a_backfill_resumes_where_it_stopped_and_force_redoes() {
    let s = setup("");
    for day in ["2026-11-16", "2026-11-17", "2026-11-18"] {
        legs(&s, day, day, &day[8..], 1, 100);
    }
    expect_code(
        &callcube(&s, &["run", "p.toml", "--from", "2026-11-16", "--to", "2026-11-17"]),
        0,
    );
    // The same range plus one: the two done dates are skipped, the new one landed.
    let out = expect_code(
        &callcube(&s, &["run", "p.toml", "--from", "2026-11-16", "--to", "2026-11-18"]),
        0,
    );
    assert!(
        out.contains("skipped 2026-11-16") && out.contains("skipped 2026-11-17"),
        "{out}"
    );
    assert!(out.contains("landed 2026-11-18"), "{out}");
    // A changed delivery is not "the same inputs": that date is redone.
    legs(&s, "2026-11-17", "2026-11-17", "17b", 1, 100);
    let out = expect_code(
        &callcube(&s, &["run", "p.toml", "--from", "2026-11-16", "--to", "2026-11-18"]),
        0,
    );
    assert!(
        out.contains("skipped 2026-11-16") && out.contains("landed 2026-11-17"),
        "{out}"
    );
    assert!(out.contains("skipped 2026-11-18"), "{out}");
    assert_eq!(per_day(&s)[1], ["2026-11-17", "2"]);
    // --force redoes everything.
    let out = expect_code(
        &callcube(
            &s,
            &["run", "p.toml", "--from", "2026-11-16", "--to", "2026-11-18", "--force"],
        ),
        0,
    );
    assert!(
        !out.contains("skipped 2026") && out.contains("3 landed, 0 skipped"),
        "{out}"
    );
    let actions = rows(
        &s,
        "SELECT d.action, COUNT(*) FROM ledger_run_dates d JOIN ledger_runs r ON r.run_id = d.run_id \
         GROUP BY d.action ORDER BY 1",
    );
    // Landed: 2 (16, 17) + 1 (18) + 1 (17 changed) + 3 (forced) = 7; skipped: 2 + 2 = 4.
    assert_eq!(actions, [["landed", "7"], ["skipped", "4"]]);
}

#[test]
fn a_concurrent_run_is_refused_and_a_killed_runs_lock_taken_over() {
    let s = setup("");
    legs(&s, "2026-11-16", "2026-11-16", "a", 1, 100);
    std::fs::create_dir_all(wh(&s)).unwrap();
    {
        let _held = callcube::ops::lock::RunLock::acquire(&wh(&s), "p", "other-run").unwrap();
        let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 5);
        assert!(out.contains("another run of pipeline `p` is in progress"), "{out}");
        assert!(out.contains("run_id=other-run"), "{out}");
    }
    assert!(!wh(&s).join("marts").exists(), "the refused run wrote nothing");
    // What a SIGKILLed run leaves behind: its details in the lock file, no OS lock.
    std::fs::write(
        callcube::ops::lock::lock_path(&wh(&s), "p"),
        "run_id=killed-run\npid=4242\n",
    )
    .unwrap();
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    assert!(out.contains("did not finish (run_id=killed-run, pid=4242)"), "{out}");
    let took = rows(&s, "SELECT took_over_lock FROM ledger_runs");
    assert_eq!(took, [["run_id=killed-run, pid=4242"]]);
}

#[test]
fn a_blocking_quality_failure_publishes_nothing_and_exits_3() {
    let checks = "[[quality.check]]\ntable = \"conformed_legs\"\nkind = \"range\"\ncolumns = [\"talk_s\"]\nmin = 0\nmax = 3600\n\
                  [[quality.check]]\ntable = \"conformed_legs\"\nkind = \"unique\"\ncolumns = [\"leg_id\"]\n";
    let s = setup(checks);
    legs(&s, "2026-11-16", "2026-11-16", "a", 2, 100);
    expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    let marts_before = snapshot(&wh(&s).join("marts"));
    let conformed_before = snapshot(&wh(&s).join("conformed"));
    // The 17th brings a leg talking 5000 s, outside [0, 3600].
    legs(&s, "2026-11-17", "2026-11-17", "b", 1, 5000);
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-17"]), 3);
    assert!(out.contains("data-quality check failed"), "{out}");
    assert!(out.contains("range(conformed_legs.talk_s): 1 of 3 rows"), "{out}");
    assert_eq!(snapshot(&wh(&s).join("marts")), marts_before, "marts unchanged");
    assert_eq!(snapshot(&wh(&s).join("conformed")), conformed_before);
    // The ledger says what failed, and what passed.
    let run = rows(&s, "SELECT status, error FROM ledger_runs WHERE dates = '2026-11-17'");
    assert_eq!(run[0][0], "dq_failed");
    assert!(run[0][1].contains("range(conformed_legs.talk_s)"), "{run:?}");
    let checks = rows(
        &s,
        "SELECT c.check_name, c.passed FROM ledger_run_checks c JOIN ledger_runs r ON r.run_id = c.run_id \
         WHERE r.dates = '2026-11-17' AND c.check_name NOT LIKE 'reconcile%' ORDER BY 1",
    );
    assert_eq!(
        checks,
        [
            ["range(conformed_legs.talk_s)", "false"],
            ["unique(conformed_legs.leg_id)", "true"]
        ]
    );
    // The failed date is not done: fixing the delivery and re-running publishes it.
    std::fs::remove_file(s.inbox().join("hotline/agent_legs/2026-11-17/legs-b.csv")).unwrap();
    legs(&s, "2026-11-17", "2026-11-17", "b", 1, 50);
    expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-17"]), 0);
    assert_eq!(per_day(&s), [["2026-11-16", "2"], ["2026-11-17", "1"]]);
}

#[test]
fn a_missing_extract_is_reported_as_input_missing() {
    let s = setup("");
    std::fs::write(
        s.dir.path().join("p.toml"),
        pipeline("").replace(
            "expected = [\"hotline/agent_legs\"]",
            "expected = [\"hotline/agent_legs\", \"hotline/ivr_calls\"]",
        ),
    )
    .unwrap();
    legs(&s, "2026-11-16", "2026-11-16", "a", 1, 100);
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 4);
    assert!(
        out.contains("input missing: 2026-11-16: no file for hotline/ivr_calls"),
        "{out}"
    );
    let run = rows(&s, "SELECT status FROM ledger_runs");
    assert_eq!(run, [["input_missing"]]);
    assert!(!wh(&s).join("marts").exists());
}

#[test]
fn late_rows_rebuild_their_date_and_the_ledger_says_so() {
    let s = setup("");
    legs(&s, "2026-11-16", "2026-11-16", "a", 1, 100);
    expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    assert_eq!(per_day(&s), [["2026-11-16", "1"]]);
    // The 17th's folder brings a leg of the 16th.
    legs(&s, "2026-11-17", "2026-11-17", "b", 1, 100);
    legs(&s, "2026-11-17", "2026-11-16", "late", 1, 100);
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-17"]), 0);
    assert!(out.contains("late rows for 2026-11-16"), "{out}");
    assert_eq!(per_day(&s), [["2026-11-16", "2"], ["2026-11-17", "1"]]);
    let late = rows(
        &s,
        "SELECT r.late_dates, d.late_partitions FROM ledger_runs r JOIN ledger_run_dates d ON d.run_id = r.run_id \
         WHERE r.dates = '2026-11-17'",
    );
    assert_eq!(late, [["2026-11-16", "2026-11-16"]]);
}

#[test]
fn the_ledger_after_a_successful_run() {
    let s = setup("");
    legs(&s, "2026-11-16", "2026-11-16", "a", 3, 100);
    // One bad row (talk_s not a number) is rejected, and accounted for.
    s.deliver(
        "hotline/agent_legs",
        "2026-11-16",
        "legs-bad.csv",
        &csv(
            "hotline/agent_legs",
            &["X1,KX1,1,ivr,S1,2026-11-16 10:00:00,,2026-11-16 10:01:00,,lots,0,0,0,customer"],
        ),
    );
    expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    let run = rows(
        &s,
        "SELECT pipeline, trigger, dates, status, error IS NULL, seconds > 0 FROM ledger_runs",
    );
    assert_eq!(run, [["p", "run", "2026-11-16", "success", "true", "true"]]);
    let inputs = rows(
        &s,
        "SELECT file, bytes > 0, length(sha256) FROM ledger_run_inputs ORDER BY file",
    );
    assert_eq!(
        inputs,
        [
            ["hotline/agent_legs/2026-11-16/legs-a.csv", "true", "64"],
            ["hotline/agent_legs/2026-11-16/legs-bad.csv", "true", "64"]
        ]
    );
    let landed = rows(
        &s,
        "SELECT rows_read, rows_rejected, rows_written FROM ledger_run_tables \
         WHERE stage = 'land' AND table_name = 'hotline/agent_legs'",
    );
    assert_eq!(landed, [["4", "1", "3"]]);
    let built = rows(
        &s,
        "SELECT table_name, rows_written FROM ledger_run_tables WHERE stage = 'build' ORDER BY 1",
    );
    assert_eq!(built, [["conformed_legs", "3"], ["marts_per_day", "1"]]);
    let reconciled = rows(
        &s,
        "SELECT passed FROM ledger_run_checks WHERE check_name = 'reconcile(hotline/agent_legs 2026-11-16)'",
    );
    assert_eq!(reconciled, [["true"]]);
    // `callcube runs` lists it; `runs show` shows its parts.
    let out = expect_code(&callcube(&s, &["runs", "--warehouse", "wh"]), 0);
    assert!(out.contains("success") && out.contains("2026-11-16"), "{out}");
    let id = &rows(&s, "SELECT run_id FROM ledger_runs")[0][0];
    let out = expect_code(&callcube(&s, &["runs", "--warehouse", "wh", "show", &id[..12]]), 0);
    for part in ["dates", "inputs", "tables", "data-quality checks", "legs-bad.csv"] {
        if part == "legs-bad.csv" {
            continue; // inputs are shown per table and date
        }
        assert!(out.contains(part), "{part}: {out}");
    }
    assert!(out.contains("conformed_legs"), "{out}");
}

/// Every non-ledger table's rows, sorted, as text.
fn contents(root: &Path) -> Tables {
    let names = crate::common::to_strings(&crate::common::query(
        root,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    ));
    names
        .into_iter()
        .map(|r| r[0].clone())
        .filter(|n| !n.starts_with("ledger_"))
        .map(|n| {
            let mut rows = crate::common::to_strings(&crate::common::query(root, &format!("SELECT * FROM {n}")));
            rows.sort();
            (n, rows)
        })
        .collect()
}

/// Every table of a warehouse, by name, with its rows sorted.
type Tables = Vec<(String, Vec<Vec<String>>)>;

/// Run `run` (building the warehouse `dir/clean`); that warehouse's tables, checked to hold
/// `days` days in `marts_per_day`, and how long `run` took in milliseconds.
fn clean_run(dir: &Path, days: usize, run: impl FnOnce()) -> (Tables, u64) {
    let started = std::time::Instant::now();
    run();
    let ms = started.elapsed().as_millis() as u64;
    let clean = contents(&dir.join("clean"));
    assert!(
        clean.iter().any(|(n, r)| n == "marts_per_day" && r.len() == days),
        "{clean:?}"
    );
    (clean, ms)
}

/// Milliseconds into a run of `run_ms`: each share of it, plus a jitter under 50 ms from a
/// fixed pseudo-random sequence (`seed`), so a failure can be replayed.
fn kill_points(run_ms: u64, shares: &[f64], mut seed: u64) -> Vec<u64> {
    shares
        .iter()
        .map(|share| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((run_ms as f64 * share) as u64).saturating_add((seed >> 33) % 50)
        })
        .collect()
}

/// Start `callcube ARGS` in `dir` and SIGKILL it after `ms` milliseconds.
fn kill_after<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S], ms: u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(args)
        .current_dir(dir)
        .env_remove("CALLCUBE_WAREHOUSE")
        .env_remove("CALLCUBE_INBOX")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(ms));
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

#[test]
fn a_run_killed_at_any_point_is_repaired_by_the_next_run() {
    let s = setup("");
    let dir = s.dir.path();
    let generated = callcube(
        &s,
        &[
            "generate",
            "--seed",
            "11",
            "--days",
            "2",
            "--start",
            "2026-11-16",
            "--scale",
            "0.002",
            "--out",
            "inbox",
        ],
    );
    expect_code(&generated, 0);
    std::fs::write(
        dir.join("p.toml"),
        pipeline("").replace("warehouse = \"wh\"", "warehouse = \"clean\""),
    )
    .unwrap();
    let args = ["run", "p.toml", "--from", "2026-11-16", "--to", "2026-11-17", "--quiet"];
    let (clean, clean_ms) = clean_run(dir, 2, || {
        expect_code(&callcube(&s, &args), 0);
    });
    // Kill points spread over the clean run's duration (landing, building, swapping), with a
    // fixed pseudo-random jitter so a failure can be replayed.
    for (i, at) in kill_points(clean_ms, &[0.05, 0.2, 0.4, 0.6, 0.8, 0.95], 0x5eed)
        .into_iter()
        .enumerate()
    {
        let name = format!("killed{i}");
        std::fs::write(
            dir.join("p.toml"),
            pipeline("").replace("warehouse = \"wh\"", &format!("warehouse = \"{name}\"")),
        )
        .unwrap();
        kill_after(dir, &args, at);
        expect_code(&callcube(&s, &args), 0);
        assert_eq!(contents(&dir.join(&name)), clean, "killed after {at} ms");
    }
}

#[test]
fn a_night_killed_while_rebuilding_some_dates_is_repaired_by_the_next_run() {
    // conformed_legs rebuilds by date: the second night rebuilds the 17th (and the 16th its
    // late rows touch), carries the other partitions over by hard links and swaps the table
    // in. A kill anywhere in that night — landing, the partial rebuild, the links, the swaps,
    // saving the build state — is repaired by running the night again.
    let s = setup("");
    let dir = s.dir.path();
    std::fs::write(
        dir.join("sql/conformed/legs.sql"),
        format!("-- kind: by_date\n{LEGS_SQL}"),
    )
    .unwrap();
    legs(&s, "2026-11-15", "2026-11-15", "a", 3, 100);
    legs(&s, "2026-11-16", "2026-11-16", "b", 3, 100);
    legs(&s, "2026-11-17", "2026-11-17", "c", 4, 100);
    legs(&s, "2026-11-17", "2026-11-16", "late", 2, 100);
    let night = |name: &str, date: &str| -> Vec<String> {
        let toml = format!("{name}.toml");
        std::fs::write(
            dir.join(&toml),
            pipeline("").replace("warehouse = \"wh\"", &format!("warehouse = \"{name}\"")),
        )
        .unwrap();
        ["run", &toml, "--date", date, "--quiet"].map(String::from).to_vec()
    };
    let run = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        expect_code(&callcube(&s, &args), 0)
    };
    run(&night("clean", "2026-11-15"));
    run(&night("clean", "2026-11-16"));
    let (clean, night_ms) = clean_run(dir, 3, || {
        run(&night("clean", "2026-11-17"));
    });
    for (i, at) in kill_points(night_ms, &[0.3, 0.6, 0.8, 0.9, 0.95, 0.98], 0x17)
        .into_iter()
        .enumerate()
    {
        let name = format!("killed{i}");
        run(&night(&name, "2026-11-15"));
        run(&night(&name, "2026-11-16"));
        let args = night(&name, "2026-11-17");
        kill_after(dir, &args, at);
        run(&args);
        assert_eq!(contents(&dir.join(&name)), clean, "killed after {at} ms of {night_ms}");
    }
}

#[test]
fn the_daemon_runs_what_is_due_then_waits() {
    // A midnight schedule: yesterday (Shanghai) is always due. The daemon runs it at once,
    // then sleeps until the next midnight; the test stops it after the run is recorded.
    let yesterday = (chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai) - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let s = setup("");
    std::fs::write(
        s.dir.path().join("p.toml"),
        pipeline("")
            .replace("cron = \"30 2 * * *\"", "cron = \"0 0 * * *\"")
            .replace("start = \"2026-11-16\"", &format!("start = \"{yesterday}\"")),
    )
    .unwrap();
    legs(&s, &yesterday, &yesterday, "d", 2, 100);
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(["schedule", "p.toml"])
        .current_dir(s.dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut done = false;
    while std::time::Instant::now() < deadline && !done {
        std::thread::sleep(std::time::Duration::from_millis(500));
        done = wh(&s).join("ledger/runs").exists() && rows(&s, "SELECT status FROM ledger_runs") == [["success"]];
    }
    let still_running = daemon.try_wait().unwrap().is_none();
    let _ = daemon.kill();
    let out = daemon.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(done, "the daemon recorded no successful run: {out}");
    assert!(still_running, "the daemon keeps running after its run: {out}");
    assert_eq!(per_day(&s), [[yesterday.as_str(), "2"]]);
}

/// `(table, reason)` of every table the latest run built, by table.
fn latest_run_models(s: &Scratch) -> Vec<Vec<String>> {
    rows(
        s,
        "SELECT m.table_name, m.reason FROM ledger_run_models AS m \
         WHERE m.run_id = (SELECT MAX(run_id) FROM ledger_runs) ORDER BY 1",
    )
}

#[test]
fn an_edited_model_is_rebuilt_with_what_reads_it_without_force() {
    let s = setup("");
    legs(&s, "2026-11-16", "2026-11-16", "a", 2, 100);
    expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    assert_eq!(
        latest_run_models(&s),
        [["conformed_legs", "new"], ["marts_per_day", "new"]]
    );
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    assert!(out.contains("nothing new to build"), "{out}");

    // Edit the mart: it is rebuilt on the same inputs; what it reads is unchanged.
    std::fs::write(
        s.dir.path().join("sql/marts/per_day.sql"),
        PER_DAY_SQL.replace("COUNT(*) AS legs", "COUNT(*) * 10 AS legs"),
    )
    .unwrap();
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    assert!(
        out.contains("definitions changed since the last build (marts_per_day): rebuilding"),
        "{out}"
    );
    assert_eq!(per_day(&s), [["2026-11-16", "20"]]);
    // Only the edited table: nothing else is rebuilt (before the per-date runner, every table was).
    assert_eq!(latest_run_models(&s), [["marts_per_day", "definition"]]);
    // `runs show` says which tables were built and why.
    let latest = rows(&s, "SELECT MAX(run_id) FROM ledger_runs")[0][0].clone();
    let out = expect_code(&callcube(&s, &["runs", "--warehouse", "wh", "show", &latest]), 0);
    assert!(out.contains("tables built (why"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("marts_per_day") && l.contains("definition")),
        "{out}"
    );

    // Edit the conformed model: its fingerprint changes, and so does that of the mart reading it.
    std::fs::write(
        s.dir.path().join("sql/conformed/legs.sql"),
        format!("{LEGS_SQL} WHERE talk_s > 0"),
    )
    .unwrap();
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    assert!(
        out.contains("definitions changed since the last build (conformed_legs, marts_per_day)"),
        "{out}"
    );
    assert_eq!(
        latest_run_models(&s),
        [["conformed_legs", "definition"], ["marts_per_day", "definition"]]
    );
    let out = expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    assert!(out.contains("nothing new to build"), "{out}");

    // `--full-refresh TABLE` rebuilds that table whatever changed; its rows are the same, so
    // the mart reading it is not rebuilt. Without a table, every table; an unknown one is refused.
    let refresh = ["run", "p.toml", "--date", "2026-11-16", "--full-refresh"];
    expect_code(&callcube(&s, &[&refresh[..], &["conformed_legs"]].concat()), 0);
    assert_eq!(latest_run_models(&s), [["conformed_legs", "forced"]]);
    expect_code(&callcube(&s, &refresh), 0);
    assert_eq!(
        latest_run_models(&s),
        [["conformed_legs", "forced"], ["marts_per_day", "forced"]]
    );
    let out = expect_code(&callcube(&s, &[&refresh[..], &["conformed_lgs"]].concat()), 1);
    assert!(out.contains("no table `conformed_lgs`"), "{out}");
}

/// The repository's sample pipeline file.
fn sample_pipeline() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pipelines/nightly.toml")
        .to_string_lossy()
        .to_string()
}

/// The check results of the latest run: (check, passed, detail).
fn latest_checks(s: &Scratch, like: &str) -> Vec<Vec<String>> {
    rows(
        s,
        &format!(
            "SELECT check_name, CAST(passed AS VARCHAR), detail FROM ledger_run_checks \
             WHERE run_id = (SELECT MAX(run_id) FROM ledger_runs) AND check_name LIKE '{like}'"
        ),
    )
}

#[test]
fn a_first_night_passes_the_sample_gates_and_a_truly_missing_call_still_fails() {
    let s = Scratch::new();
    let generated = callcube(
        &s,
        &[
            "generate",
            "--seed",
            "20261102",
            "--days",
            "3",
            "--start",
            "2026-11-16",
            "--scale",
            "0.01",
            "--out",
            "inbox",
        ],
    );
    expect_code(&generated, 0);
    let run = |date: &str| {
        callcube(
            &s,
            &[
                "run",
                &sample_pipeline(),
                "--date",
                date,
                "--inbox",
                "inbox",
                "--warehouse",
                "wh",
            ],
        )
    };
    // The first night: legs queued in the last half hour have no call row yet (the calls come
    // late, in the next folder). They lie at the edge of the loaded dates: reported apart, and
    // the gate (0.1 %) passes — on the previous main it failed with exit 3 (10 of 4031 legs).
    expect_code(&run("2026-11-16"), 0);
    let check = latest_checks(&s, "references(conformed_fact_agent_leg.call_id%");
    assert_eq!(check.len(), 1, "{check:?}");
    assert_eq!(check[0][1], "true", "{check:?}");
    assert!(check[0][2].starts_with("0 of "), "{check:?}");
    assert!(check[0][2].contains("lie at an edge of the loaded dates"), "{check:?}");
    // The second night passes too: the 16th's late calls arrive and resolve its edge legs.
    expect_code(&run("2026-11-17"), 0);

    // A loaded date whose call rows were partly lost: every 25th call of the 18th is removed
    // (4 % of the calls; far more legs than 0.1 % lose their call), none excused.
    let dir = s.dir.path().join("inbox/hotline/ivr_calls/2026-11-18");
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i == 0 || i % 25 != 0)
            .map(|(_, l)| l)
            .collect();
        std::fs::write(e.path(), kept.join("\n") + "\n").unwrap();
    }
    let out = expect_code(&run("2026-11-18"), 3);
    assert!(out.contains("references(conformed_fact_agent_leg.call_id"), "{out}");
    let check = latest_checks(&s, "references(conformed_fact_agent_leg.call_id%");
    assert_eq!(check[0][1], "false", "{check:?}");
}

#[test]
fn landing_rows_in_the_ledger_reconcile_with_duplicates() {
    let s = setup("");
    // The same three legs in two files, legs-a.csv and legs-b.csv: the later file name wins,
    // the other three rows are duplicates.
    legs(&s, "2026-11-16", "2026-11-16", "a", 3, 200);
    let file = s.dir.path().join("inbox/hotline/agent_legs/2026-11-16/legs-a.csv");
    std::fs::rename(&file, file.with_file_name("legs-b.csv")).unwrap();
    legs(&s, "2026-11-16", "2026-11-16", "a", 3, 100);
    expect_code(&callcube(&s, &["run", "p.toml", "--date", "2026-11-16"]), 0);
    // read 6 = rejected 0 + duplicate 3 + written 3.
    assert_eq!(
        rows(
            &s,
            "SELECT rows_read, rows_rejected, rows_duplicate, rows_written FROM ledger_run_tables \
             WHERE stage = 'land' AND table_name = 'hotline/agent_legs'"
        ),
        [["6", "0", "3", "3"]]
    );
}

fn callcube_with_key(s: &Scratch, key: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callcube"))
        .args(args)
        .current_dir(s.dir.path())
        .env_remove("CALLCUBE_WAREHOUSE")
        .env_remove("CALLCUBE_INBOX")
        .env("CALLCUBE_HMAC_KEY", key)
        .output()
        .expect("callcube runs")
}

#[test]
fn a_run_with_another_customer_key_is_refused_and_changes_nothing() {
    let s = setup("");
    legs(&s, "2026-11-16", "2026-11-16", "a", 2, 100);
    legs(&s, "2026-11-17", "2026-11-17", "b", 2, 100);
    let first = "first-key-0123456789";
    expect_code(
        &callcube_with_key(&s, first, &["run", "p.toml", "--date", "2026-11-16"]),
        0,
    );
    let out = expect_code(&callcube_with_key(&s, first, &["check", "p.toml"]), 0);
    assert!(
        out.contains("customer key: from the environment (CALLCUBE_HMAC_KEY)"),
        "{out}"
    );
    let before: Vec<_> = snapshot(&wh(&s))
        .into_iter()
        .filter(|(p, _)| !p.starts_with("_locks"))
        .collect();

    // Another key, and a new date to land: refused before anything is written.
    let second = "second-key-0123456789";
    let out = expect_code(
        &callcube_with_key(&s, second, &["run", "p.toml", "--date", "2026-11-17"]),
        1,
    );
    assert!(
        out.contains("is not the one this warehouse was built with") && out.contains("--accept-new-key"),
        "{out}"
    );
    let after: Vec<_> = snapshot(&wh(&s))
        .into_iter()
        .filter(|(p, _)| !p.starts_with("_locks"))
        .collect();
    assert!(before == after, "the warehouse changed");

    // A deliberate rotation rebuilds everything past raw with the new key.
    let out = expect_code(
        &callcube_with_key(
            &s,
            second,
            &["run", "p.toml", "--date", "2026-11-17", "--accept-new-key"],
        ),
        0,
    );
    assert!(out.contains("customer key rotated"), "{out}");
    assert_eq!(
        latest_run_models(&s),
        [["conformed_legs", "definition"], ["marts_per_day", "definition"]]
    );
    // From now on the new key is the warehouse's.
    let out = expect_code(
        &callcube_with_key(&s, second, &["run", "p.toml", "--date", "2026-11-17"]),
        0,
    );
    assert!(out.contains("nothing new to build"), "{out}");
}
