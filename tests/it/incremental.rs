//! Incremental builds (issue 11): a warehouse built night by night, each run
//! rebuilding only the dates that changed, equals a warehouse built from
//! scratch over the same inputs in one run — table by table, row by row —
//! through a late delivery that re-opens an earlier date, a corrected
//! re-delivery that moves rows to another date, a parameter change and a
//! model edit; for two generator seeds. The ledger names the dates each run
//! rebuilt per table.

use std::path::{Path, PathBuf};

use callcube::config::{Overrides, Pipeline};
use callcube::generate::{GenerateOptions, generate};
use callcube::ops::nightly::{RunOptions, run_pipeline};
use callcube::timefmt::{date_string, parse_date};

use crate::common::{Scratch, copy_dir, query, to_strings};
use crate::determinism::{built_tables, rows_of};

const DAYS: i64 = 8;

/// The nights run from 2026-11-27 into December: a month (and so a quarter's
/// month and the trend columns' previous period) changes halfway.
fn day(n: i64) -> i64 {
    parse_date(b"2026-11-27").unwrap() + n - 1
}

fn d(n: i64) -> String {
    date_string(day(n))
}

/// The pipeline of warehouse `warehouse`: by-date models build at most
/// `batch_days` dates at once.
fn pipeline_toml(warehouse: &str, fcr_window_h: u32, batch_days: usize) -> String {
    format!(
        "warehouse = \"{warehouse}\"\ninbox = \"inbox\"\nmodels = \"sql\"\n\
         [schedule]\ncron = \"30 2 * * *\"\ntimezone = \"Asia/Shanghai\"\n\
         [params]\nfcr_window_h = {fcr_window_h}\ncost_per_agent_hour = 45.0\n\
         [privacy]\nkey_file = \"key.txt\"\n[quality]\nexpected = []\n\
         [engine]\nrebuild_batch_days = {batch_days}\n"
    )
}

/// Night by night, by-date models rebuild in batches of two dates (a late
/// night, a parameter change and the model edit all take several); from
/// scratch, in one: the batches must add up to the same tables.
const NIGHTLY_BATCH_DAYS: usize = 2;
const SCRATCH_BATCH_DAYS: usize = 1000;

/// The one CSV file of `table` (`system/table`) in the folder of date `n`.
fn extract(inbox: &Path, table: &str, n: i64) -> PathBuf {
    let dir = inbox.join(table).join(d(n));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    files.remove(0)
}

/// Move the last `share` of the data lines of `table`'s file of date `from`
/// into a new file of the folder of date `to`: a late delivery.
fn deliver_late(inbox: &Path, table: &str, from: i64, to: i64, share: f64) {
    let file = extract(inbox, table, from);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let keep = 1 + ((lines.len() - 1) as f64 * (1.0 - share)) as usize;
    std::fs::write(&file, lines[..keep].join("\n") + "\n").unwrap();
    let late = [&[lines[0]], &lines[keep..]].concat();
    let dir = inbox.join(table).join(d(to));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("zz-late.csv"), late.join("\n") + "\n").unwrap();
}

/// Re-deliver, in the folder of date `to`, corrected agent legs of date
/// `from`: ten with another talk time, three moved a day later (their key
/// leaves the partition of `from`).
fn correct_legs(inbox: &Path, from: i64, to: i64) {
    let text = std::fs::read_to_string(extract(inbox, "hotline/agent_legs", from)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let (talk, times) = (col("talk_s"), [col("queue_start"), col("answer_time"), col("end_time")]);
    let next = |ts: &str| -> String {
        let day = parse_date(&ts.as_bytes()[..10]).unwrap();
        format!("{}{}", date_string(day + 1), &ts[10..])
    };
    let mut out = vec![header.to_string()];
    for (i, line) in lines.filter(|l| l.contains(",ivr,")).take(13).enumerate() {
        let mut f: Vec<String> = line.split(',').map(String::from).collect();
        if i < 10 {
            f[talk] = (f[talk].parse::<i64>().unwrap_or(0) + 7).to_string();
        } else {
            for &t in &times {
                if !f[t].is_empty() {
                    f[t] = next(&f[t]);
                }
            }
        }
        out.push(f.join(","));
    }
    let dir = inbox.join("hotline/agent_legs").join(d(to));
    std::fs::write(dir.join("zz-correction.csv"), out.join("\n") + "\n").unwrap();
}

/// `days` generated days from the 1st (seed `seed`, scale 0.002) in `dir/inbox`.
fn small_inbox(dir: &Path, seed: u64, days: i64) -> PathBuf {
    generate(&GenerateOptions {
        seed,
        days,
        start_day: day(1),
        scale: 0.002,
        out: dir.join("inbox"),
        gbk: vec![],
        gzip: vec![],
        defects: false,
    })
    .unwrap();
    dir.join("inbox")
}

/// The models, the customer key `key`, and pipelines `inc.toml` (built night by night) and
/// `full.toml` (from scratch) over `dir/inbox`, batches of 7 dates.
fn two_pipelines(dir: &Path, key: &str) {
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), &dir.join("sql"));
    std::fs::write(dir.join("key.txt"), format!("{key}\n")).unwrap();
    std::fs::write(dir.join("inc.toml"), pipeline_toml("inc", 24, 7)).unwrap();
    std::fs::write(dir.join("full.toml"), pipeline_toml("full", 24, 7)).unwrap();
}

/// Whether the ledger's `dates` (ranges `a..b`, open `a..`, or single dates, comma-separated)
/// hold `day`: ISO dates compare as text.
fn covers(dates: &str, day: &str) -> bool {
    dates == "all"
        || dates.split(',').any(|r| {
            let (a, b) = r.split_once("..").unwrap_or((r, r));
            (a.is_empty() || a <= day) && (b.is_empty() || day <= b)
        })
}

fn run(dir: &Path, toml: &str, days: &[i64]) -> callcube::ops::nightly::RunOutcome {
    let path = dir.join(toml);
    let pipeline = Pipeline::load(&path, &Overrides::default()).unwrap();
    let opts = RunOptions {
        quiet: true,
        trigger: "run".into(),
        ..RunOptions::default()
    };
    run_pipeline(&pipeline, days, &opts).unwrap()
}

/// `table → dates` the run rebuilt, from the ledger.
fn rebuilt(root: &Path, run_id: &str) -> std::collections::BTreeMap<String, String> {
    let rows = to_strings(&query(
        root,
        &format!("SELECT table_name, dates FROM ledger_run_models WHERE run_id = '{run_id}'"),
    ));
    rows.into_iter().map(|r| (r[0].clone(), r[1].clone())).collect()
}

/// Build `seed`'s inbox night by night into `inc`, then in one run into
/// `full`, and compare; returns the scratch folder and each night's run id.
fn night_by_night_equals_one_build(seed: u64, check_ledger: bool) {
    let s = Scratch::new();
    let dir = s.dir.path();
    generate(&GenerateOptions {
        seed,
        days: DAYS,
        start_day: day(1),
        scale: 0.002,
        out: dir.join("inbox"),
        gbk: vec![],
        gzip: vec![],
        defects: true,
    })
    .unwrap();
    let inbox = dir.join("inbox");
    // Night 5 brings the last fifth of the 2nd's legs; night 6 corrects legs of the 3rd.
    deliver_late(&inbox, "hotline/agent_legs", 2, 5, 0.2);
    correct_legs(&inbox, 3, 6);
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), &dir.join("sql"));
    // One customer-key secret for both warehouses, outside them.
    std::fs::write(dir.join("key.txt"), "incremental-test-key-0123456789\n").unwrap();
    std::fs::write(dir.join("inc.toml"), pipeline_toml("inc", 24, NIGHTLY_BATCH_DAYS)).unwrap();
    let inc = dir.join("inc");

    let mut runs = Vec::new();
    for n in 1..=DAYS {
        if n == 7 {
            // A parameter change: the FCR window doubles.
            std::fs::write(dir.join("inc.toml"), pipeline_toml("inc", 48, NIGHTLY_BATCH_DAYS)).unwrap();
        }
        if n == 8 {
            // A model edit that changes every row of cube_leg.
            let path = dir.join("sql/cube/leg.sql");
            let sql = std::fs::read_to_string(&path).unwrap();
            let edited = sql.replacen("SELECT", "SELECT 2 AS model_version,", 1);
            assert_ne!(sql, edited);
            std::fs::write(&path, edited).unwrap();
        }
        let outcome = run(dir, "inc.toml", &[day(n)]);
        assert!(outcome.built, "night {n} built");
        runs.push(outcome.run_id);
    }

    if check_ledger {
        // A normal night (the 4th): the raw dates it landed (its own and the 3rd's late
        // rows) through each model's window — never every date for a 0..0 or bounded
        // model — and nothing for the tables nothing reaches.
        let night = rebuilt(&inc, &runs[3]);
        assert_eq!(
            night["conformed_fact_ivr_call"],
            format!("{}..{}", d(3), d(4)),
            "{night:?}"
        );
        assert_eq!(night["cube_ivr"], night["conformed_fact_ivr_call"], "{night:?}");
        let legs = &night["conformed_fact_agent_leg"];
        assert!(
            legs.starts_with(&d(2)) && legs.ends_with(&d(5)),
            "-1..1 around 3..4: {legs}"
        );
        // Surveys found by their legs (around -1..1) and legs -1..1 around 2..5: bounded.
        let surveys = &night["conformed_fact_survey"];
        assert!(surveys != "all" && !surveys.contains(&d(7)), "{night:?}");
        // Key windows: contacts found by leg and call, only the landed dates.
        assert_eq!(
            night["conformed_fact_contact"],
            format!("{}..{}", d(3), d(4)),
            "{night:?}"
        );
        // By month: the months its windows reach from the legs of 11-28 … 12-01 (night_surge
        // reads up to night_baseline_days ahead), whole — not every month.
        assert_eq!(
            night["marts_agent_performance_monthly"], "2026-11-01..2026-12-31",
            "by month: {night:?}"
        );
        assert!(!night.contains_key("conformed_dim_interval") && !night.contains_key("cube_params"));
        // The late night (the 5th) re-opens the 2nd: read through -1..1, the 1st to the 3rd too.
        let late = rebuilt(&inc, &runs[4]);
        let legs = &late["conformed_fact_agent_leg"];
        assert!(legs.starts_with(&d(1)), "the re-opened 2nd and its window: {legs}");
        assert_ne!(legs, "all");
        // The model edit (night 8): cube_leg and what reads it over every date, by definition.
        let edit = to_strings(&query(
            &inc,
            &format!(
                "SELECT table_name, reason, dates FROM ledger_run_models WHERE run_id = '{}' \
                 AND reason = 'definition' ORDER BY 1",
                runs[7]
            ),
        ));
        let names: Vec<&str> = edit.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            names,
            [
                "cube_leg",
                "marts_agent_extremes_monthly",
                "marts_agent_performance_monthly",
                "marts_alerts_daily",
                "marts_metrics_day",
                "marts_metrics_hour",
                "marts_metrics_month",
                "marts_metrics_quarter",
                "marts_metrics_week",
                "marts_metrics_year",
                "marts_scorecard_monthly",
                "marts_scorecard_quarterly",
                "marts_scorecard_yearly"
            ],
            "{edit:?}"
        );
        assert!(edit.iter().all(|r| r[2] == "all"), "{edit:?}");
    }

    // From scratch: the final inputs, parameters and models, one run, the same customer key.
    std::fs::write(dir.join("full.toml"), pipeline_toml("full", 48, SCRATCH_BATCH_DAYS)).unwrap();
    let days: Vec<i64> = (1..=DAYS).map(day).collect();
    run(dir, "full.toml", &days);
    let full = dir.join("full");

    let tables = built_tables(&full);
    assert_eq!(built_tables(&inc), tables);
    assert!(tables.len() > 50, "{tables:?}");
    let mut differ = Vec::new();
    for t in &tables {
        let (a, b) = (rows_of(&inc, t), rows_of(&full, t));
        if a != b {
            let row = a.iter().zip(&b).find(|(x, y)| x != y);
            differ.push(format!(
                "{t} ({} rows vs {}; first difference {row:?})",
                a.len(),
                b.len()
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "seed {seed}: night by night differs from scratch in {} tables:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

#[test]
fn night_by_night_equals_from_scratch_seed_11() {
    night_by_night_equals_one_build(11, true);
}

#[test]
fn night_by_night_equals_from_scratch_seed_20261102() {
    night_by_night_equals_one_build(20261102, false);
}

/// `conformed_dim_customer` carries its published rows and reads its inputs from the first
/// changed date on. The hard case: a corrected snapshot drops a customer whose latest
/// snapshot it was; their snapshot before it must be found again.
///
/// Snapshots (msisdn, city): night 1 A 571, B 571; night 2 A 572, B 571; night 3 B only (A
/// churned). Then the 2nd's snapshot is corrected: A's row becomes C's (another number).
/// By hand: before the correction A's latest snapshot is the 2nd (city 572); after it, A is
/// in the 1st's only (571, first seen the 1st), C in the 2nd's (572, first seen the 2nd), B
/// in the 3rd's (first seen the 1st).
#[test]
fn a_customer_dropped_by_a_corrected_snapshot_keeps_the_one_before() {
    let s = crate::common::Scratch::new();
    let dir = s.dir.path();
    let (a, b, c) = ("13900000001", "13900000002", "13900000003");
    let row = |msisdn: &str, city: &str| format!("{msisdn},{city},gotone,PL1,4g,1,12,80.00,active,0");
    let deliver = |n: i64, rows: &[String]| {
        let lines: Vec<&str> = rows.iter().map(String::as_str).collect();
        s.deliver(
            "boss/subscribers",
            &d(n),
            "part-0001.csv",
            &crate::common::csv("boss/subscribers", &lines),
        );
    };
    deliver(1, &[row(a, "571"), row(b, "571")]);
    deliver(2, &[row(a, "572"), row(b, "571")]);
    deliver(3, &[row(b, "571")]);
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), &dir.join("sql"));
    std::fs::write(dir.join("key.txt"), "dim-customer-test-key-0123456789\n").unwrap();
    for name in ["inc", "full"] {
        std::fs::write(dir.join(format!("{name}.toml")), pipeline_toml(name, 24, 7)).unwrap();
    }
    let inc = dir.join("inc");
    let customers = |root: &Path| {
        to_strings(&query(
            root,
            "SELECT city_code, CAST(snapshot_dt AS VARCHAR), CAST(first_seen_dt AS VARCHAR) \
             FROM conformed_dim_customer ORDER BY 2, 1, 3",
        ))
    };
    let runs: Vec<String> = (1..=3).map(|n| run(dir, "inc.toml", &[day(n)]).run_id).collect();
    assert_eq!(rebuilt(&inc, &runs[2])["conformed_dim_customer"], format!("{}..", d(3)));
    let row_of = |city: &str, snapshot: i64, first: i64| vec![city.to_string(), d(snapshot), d(first)];
    assert_eq!(
        customers(&inc),
        [row_of("572", 2, 1), row_of("571", 3, 1)],
        "A's latest is the 2nd, B's the 3rd"
    );

    deliver(2, &[row(c, "572"), row(b, "571")]);
    let corrected = run(dir, "inc.toml", &[day(2)]);
    assert!(corrected.built);
    assert_eq!(
        rebuilt(&inc, &corrected.run_id)["conformed_dim_customer"],
        format!("{}..", d(2))
    );
    let expected = [row_of("571", 1, 1), row_of("572", 2, 2), row_of("571", 3, 1)];
    assert_eq!(
        customers(&inc),
        expected,
        "A back to the 1st's snapshot, C new on the 2nd"
    );
    // The same as a build over every date.
    run(dir, "full.toml", &[day(1), day(2), day(3)]);
    assert_eq!(customers(&dir.join("full")), expected);

    // A definition that carries a column the published table lacks rebuilds whole, without
    // planning against the old table (which has no `model_version`).
    let path = dir.join("sql/conformed/dim_customer.sql");
    let sql = std::fs::read_to_string(&path).unwrap();
    let edited = sql
        .replace("first_seen_dt DATE\n", "first_seen_dt DATE, model_version BIGINT\n")
        .replace(
            "snapshot_dt, first_seen_dt\n    FROM conformed_dim_customer",
            "snapshot_dt, first_seen_dt, model_version\n    FROM conformed_dim_customer",
        )
        .replace(
            "s.first_seen_dt\nFROM seen",
            "s.first_seen_dt, 2 AS model_version\nFROM seen",
        );
    assert_eq!(edited.matches("model_version").count(), 3, "{edited}");
    std::fs::write(&path, edited).unwrap();
    let edit = run(dir, "inc.toml", &[day(3)]);
    assert_eq!(rebuilt(&inc, &edit.run_id)["conformed_dim_customer"], "all");
    assert_eq!(customers(&inc), expected);
}

/// A corrected re-delivery of an old day's agent states (another `reason` on NOT_READY rows
/// that start on the 2nd and are not an agent's last row starting that day, so no `kept` and
/// no `agent_last_state` changes), delivered with the 5th night's own: one batch rebuilds the
/// 2nd and the 4th on (a night reaches back a day) but not the 3rd — a gap — and the
/// agent-state tables equal a build from scratch. (Rows of another day would close the gap: a
/// delivery folder also holds rows starting after midnight.)
#[test]
fn an_old_days_corrected_agent_states_equal_a_build_from_scratch() {
    let s = crate::common::Scratch::new();
    let dir = s.dir.path();
    let inbox = small_inbox(dir, 5, 6);
    let text = std::fs::read_to_string(extract(&inbox, "hotline/agent_states", 2)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let col = |name: &str| header.split(',').position(|c| c == name).unwrap();
    let (agent, state, start, reason) = (col("agent_id"), col("state"), col("start_ts"), col("reason"));
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(String::from).collect::<Vec<String>>())
        .filter(|f| f[start].starts_with(&d(2)))
        .collect();
    // Not an agent's last row of the day: agent_last_state of the 2nd stays as it was.
    let mut last: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for f in &rows {
        let e = last.entry(f[agent].as_str()).or_insert(f[start].as_str());
        if f[start].as_str() > *e {
            *e = f[start].as_str();
        }
    }
    let mut corrected = vec![header.to_string()];
    for f in rows
        .iter()
        .filter(|f| f[state] == "NOT_READY" && f[start] != last[f[agent].as_str()])
    {
        let mut f = f.clone();
        f[reason] = if f[reason] == "other" { "meeting" } else { "other" }.to_string();
        corrected.push(f.join(","));
    }
    assert!(corrected.len() > 5, "NOT_READY rows to correct");
    let folder = inbox.join("hotline/agent_states").join(d(5));
    std::fs::write(folder.join("zz-correction.csv"), corrected.join("\n") + "\n").unwrap();
    two_pipelines(dir, "agent-state-gap-test-key-0123456");
    let inc = dir.join("inc");
    let runs: Vec<String> = (1..=6).map(|n| run(dir, "inc.toml", &[day(n)]).run_id).collect();
    let night5 = rebuilt(&inc, &runs[4]);
    let states = &night5["conformed_fact_agent_state"];
    let covers = |day: &str| covers(states, day);
    assert!(
        covers(&d(2)) && !covers(&d(3)) && covers(&d(5)),
        "the corrected 2nd and the night's 5th are rebuilt, not the 3rd: {states}"
    );
    run(dir, "full.toml", &(1..=6).map(day).collect::<Vec<_>>());
    let full = dir.join("full");
    for t in [
        "conformed_agent_last_state",
        "conformed_fact_agent_state",
        "cube_agent_time",
    ] {
        assert_eq!(rows_of(&inc, t), rows_of(&full, t), "{t}");
    }
}

/// A corrected re-delivery that takes keys back out of the date they had moved to: three legs
/// of the 1st, delivered again two days later in the 4th's folder, sit in the raw partitions
/// of the 1st and the 3rd (the view keeps the 3rd's). The 4th's folder is then delivered again
/// without them: the 1st's partition does not change (nor is it in reach of a changed one's
/// window, ±1 day), yet the view keeps its rows again — the 1st must be rebuilt, found from
/// the re-delivered keys listed before the change, also when the first try of that night
/// fails before publishing.
#[test]
fn keys_taken_back_out_of_the_date_they_moved_to_reopen_the_date_they_came_from() {
    let s = crate::common::Scratch::new();
    let dir = s.dir.path();
    let inbox = small_inbox(dir, 9, 5);
    let text = std::fs::read_to_string(extract(&inbox, "hotline/agent_legs", 1)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let (leg, times) = (col("leg_id"), [col("queue_start"), col("answer_time"), col("end_time")]);
    let mut moved = vec![header.to_string()];
    let mut legs = Vec::new();
    for line in lines
        .filter(|l| l.split(',').nth(times[0]).is_some_and(|t| t.starts_with(&d(1))))
        .take(3)
    {
        let mut f: Vec<String> = line.split(',').map(String::from).collect();
        for &t in &times {
            if !f[t].is_empty() {
                let day = parse_date(&f[t].as_bytes()[..10]).unwrap();
                f[t] = format!("{}{}", date_string(day + 2), &f[t][10..]);
            }
        }
        legs.push(format!("'{}'", f[leg]));
        moved.push(f.join(","));
    }
    assert_eq!(legs.len(), 3);
    let correction = inbox.join("hotline/agent_legs").join(d(4)).join("zz-moved.csv");
    std::fs::write(&correction, moved.join("\n") + "\n").unwrap();
    two_pipelines(dir, "moved-back-keys-test-key-0123456");
    let inc = dir.join("inc");
    let legs_on = |root: &Path| {
        to_strings(&query(
            root,
            &format!(
                "SELECT CAST(dt AS VARCHAR) FROM conformed_fact_agent_leg WHERE leg_id IN ({}) ORDER BY 1",
                legs.join(", ")
            ),
        ))
        .into_iter()
        .map(|r| r[0].clone())
        .collect::<Vec<_>>()
    };
    for n in 1..=4 {
        run(dir, "inc.toml", &[day(n)]);
    }
    assert_eq!(legs_on(&inc), vec![d(3); 3], "moved to the 3rd");
    // The 4th's folder delivered again without the moved legs: the first try fails a blocking
    // check after its models are built, and publishes nothing; the retry must still find the
    // 1st (the re-delivered keys are saved only with a published build).
    std::fs::remove_file(&correction).unwrap();
    let toml = std::fs::read_to_string(dir.join("inc.toml")).unwrap();
    let failing = "[[quality.check]]\ntable = \"conformed_fact_agent_leg\"\nkind = \"range\"\n\
                   columns = [\"talk_s\"]\nmin = 0\nmax = 0\n";
    std::fs::write(dir.join("inc.toml"), format!("{toml}{failing}")).unwrap();
    let path = dir.join("inc.toml");
    let pipeline = Pipeline::load(&path, &Overrides::default()).unwrap();
    let opts = RunOptions {
        quiet: true,
        trigger: "run".into(),
        ..RunOptions::default()
    };
    assert!(run_pipeline(&pipeline, &[day(4)], &opts).is_err(), "the check blocks");
    std::fs::write(dir.join("inc.toml"), toml).unwrap();
    let again = run(dir, "inc.toml", &[day(4)]).run_id;
    let legs_rebuilt = &rebuilt(&inc, &again)["conformed_fact_agent_leg"];
    assert!(covers(legs_rebuilt, &d(1)), "the 1st is rebuilt: {legs_rebuilt}");
    assert_eq!(legs_on(&inc), vec![d(1); 3], "back on the 1st");
    run(dir, "inc.toml", &[day(5)]);
    run(dir, "full.toml", &(1..=5).map(day).collect::<Vec<_>>());
    let full = dir.join("full");
    for t in [
        "conformed_fact_agent_leg",
        "conformed_fact_contact",
        "cube_leg",
        "marts_metrics_day",
    ] {
        assert_eq!(rows_of(&inc, t), rows_of(&full, t), "{t}");
    }
}

/// E4's price of a marketing success is its product's latest row on or before the offer's
/// date, else the product's earliest: a product first sent on night 6 (in December) prices
/// the successes of nights 1–3 (in November: `latest_or_earliest_by product_code` reaches
/// back before its first row), while a night whose products change only on its own date
/// rebuilds only its own month.
#[test]
fn a_product_first_sent_late_prices_the_earlier_successes_night_by_night() {
    let s = crate::common::Scratch::new();
    let dir = s.dir.path();
    let inbox = small_inbox(dir, 5, 6);
    two_pipelines(dir, "late-product-test-key-0123456789");
    let (inc, full) = (dir.join("inc"), dir.join("full"));
    // The product of the most accepted offers with an order on the first three dates.
    let mut accepted: std::collections::BTreeMap<String, usize> = Default::default();
    for n in 1..=3 {
        let text = std::fs::read_to_string(extract(&inbox, "hotline/offers", n)).unwrap();
        let mut lines = text.lines();
        let cols: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
        for l in lines {
            let f: Vec<&str> = l.split(',').collect();
            if f[col("recommended")] == "1" && f[col("accepted")] == "1" && !f[col("order_id")].is_empty() {
                *accepted.entry(f[col("product_code")].to_string()).or_default() += 1;
            }
        }
    }
    let product = accepted
        .iter()
        .max_by_key(|(p, n)| (**n, std::cmp::Reverse(*p)))
        .unwrap()
        .0
        .clone();
    // It is first sent on the 6th: the files of the 1st to the 5th leave it out.
    for n in 1..=5 {
        let path = extract(&inbox, "boss/products", n);
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with(&format!("{product},")))
            .collect();
        assert!(kept.len() < text.lines().count(), "{product} on the {n}th");
        std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    }
    let runs: Vec<String> = (1..=6).map(|n| run(dir, "inc.toml", &[day(n)]).run_id).collect();
    let benefit = "marts_marketing_benefit_monthly";
    // The 5th (2026-12-01): its products change on its own date, December only.
    assert_eq!(
        rebuilt(&inc, &runs[4])[benefit],
        "2026-12-01..",
        "November is left alone"
    );
    let sixth = &rebuilt(&inc, &runs[5])[benefit];
    assert!(covers(sixth, &d(1)), "the product's first row reaches back: {sixth}");
    run(dir, "full.toml", &(1..=6).map(day).collect::<Vec<_>>());
    assert_eq!(rows_of(&inc, benefit), rows_of(&full, benefit));
    let early = format!(
        "SELECT COUNT(*) FROM conformed_fact_offer WHERE is_success AND product_code = '{product}' \
         AND dt <= DATE '{}'",
        d(3)
    );
    assert_ne!(
        to_strings(&query(&inc, &early)),
        [["0"]],
        "successes of {product} before its first row"
    );
    let unpriced = format!("SELECT SUM(unpriced_successes) FROM {benefit}");
    assert_eq!(to_strings(&query(&inc, &unpriced)), [["0"]], "every success is priced");
}

/// E2's windows carried night by night: `customer_day` starts from its own counts of the day
/// before the first date it rebuilds, adds the events entering and takes away those leaving
/// each window. Nights across the 30-, 90- and 180-day edges of one customer's events, some
/// far apart (89 dates rebuilt in batches of 7, each carrying the one before), and a complaint
/// of day 31 delivered late on night 181 (which re-opens day 31 on: 151 dates carried from
/// day 30's published row) equal a build of every date at once (nothing carried) and the
/// counts worked out by hand.
#[test]
fn customer_windows_carried_night_by_night_equal_a_whole_build() {
    let s = crate::common::Scratch::new();
    let dir = s.dir.path();
    let (x, y) = ("13900000011", "13900000012");
    let nights = [1, 30, 31, 90, 91, 180, 181, 212];
    for n in nights {
        // Y calls on every night's date, so every run has a delivery; X calls twice on day 1
        // and once on day 31, and has a complaint (not a service one) accepted on day 1.
        let mut callers = vec![y];
        match n {
            1 => callers.extend([x, x]),
            31 => callers.push(x),
            _ => {}
        }
        let (mut calls, mut legs) = (Vec::new(), Vec::new());
        for (i, who) in callers.iter().enumerate() {
            let at = format!("{} 1{i}:00:00", d(n));
            calls.push(format!("K{n}-{i},C1,{who},571,gotone,{at},{at},agent_request,"));
            legs.push(format!("L{n}-{i},K{n}-{i},1,ivr,S1,{at},,{at},,0,0,0,0,customer"));
        }
        let deliver = |table: &str, rows: &[String]| {
            let lines: Vec<&str> = rows.iter().map(String::as_str).collect();
            s.deliver(table, &d(n), "part-0001.csv", &crate::common::csv(table, &lines));
        };
        deliver("hotline/ivr_calls", &calls);
        deliver("hotline/agent_legs", &legs);
        let complaint = |id: &str, on: i64| {
            format!(
                "{id},,{x},571,gotone,complaint,CAT2,0,0,none,{} 09:00:00,,,open,,,",
                d(on)
            )
        };
        match n {
            1 => deliver("crm/work_orders", &[complaint("W1", 1)]),
            // Late: accepted on day 31, delivered with night 181's files.
            181 => deliver("crm/work_orders", &[complaint("W2", 31)]),
            _ => {}
        }
    }
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), &dir.join("sql"));
    // Without tag files: the tags build a date at a time, 212 of them twice, and add nothing here.
    std::fs::remove_dir_all(dir.join("sql/tags")).unwrap();
    std::fs::write(dir.join("key.txt"), "customer-window-test-key-0123456\n").unwrap();
    std::fs::write(dir.join("inc.toml"), pipeline_toml("inc", 24, 7)).unwrap();
    std::fs::write(dir.join("full.toml"), pipeline_toml("full", 24, SCRATCH_BATCH_DAYS)).unwrap();
    let inc = dir.join("inc");
    for n in nights {
        let night = run(dir, "inc.toml", &[day(n)]);
        if n == 181 {
            let dates = &rebuilt(&inc, &night.run_id)["conformed_customer_day"];
            assert!(
                dates.starts_with(&d(31)),
                "the late complaint re-opens day 31 on: {dates}"
            );
        }
    }
    run(dir, "full.toml", &nights.map(day));
    let full = dir.join("full");
    assert_eq!(
        rows_of(&inc, "conformed_customer_day"),
        rows_of(&full, "conformed_customer_day")
    );
    // X's rows: requests 30d, complaints 30d and 90d, events 180d. Day 31: day 1's two
    // requests and its complaint left the 30-day windows ((1, 31]), day 31's request and
    // complaint entered (complaints 90d: 1 + 1; events: 3 + 2); day 91: day 1's complaint left
    // the 90-day window, day 121 day 31's; day 181: day 1's three events left the 180-day
    // one (5 − 3); day 211: day 31's two too, and X (not in any snapshot) has no row from then on.
    let x_rows = to_strings(&query(
        &inc,
        &format!(
            "SELECT CAST(c.dt AS VARCHAR), manual_requests_30d, complaints_30d, complaints_90d, events_180d \
             FROM conformed_customer_day AS c \
             WHERE customer_key = (SELECT customer_key FROM conformed_customer_day \
                 WHERE dt = DATE '{}' AND complaints_30d = 1) \
             AND dt IN ({}) ORDER BY 1",
            d(1),
            [30, 31, 90, 91, 120, 121, 180, 181, 210, 211]
                .map(|n| format!("DATE '{}'", d(n)))
                .join(", ")
        ),
    ));
    let row = |n: i64, counts: [i64; 4]| {
        std::iter::once(d(n))
            .chain(counts.iter().map(i64::to_string))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        x_rows,
        [
            row(30, [2, 1, 1, 3]),
            row(31, [1, 1, 2, 5]),
            row(90, [0, 0, 2, 5]),
            row(91, [0, 0, 1, 5]),
            row(120, [0, 0, 1, 5]),
            row(121, [0, 0, 0, 5]),
            row(180, [0, 0, 0, 5]),
            row(181, [0, 0, 0, 2]),
            row(210, [0, 0, 0, 2]),
        ]
    );
}
