//! Landing: reject reasons, encodings, duplicates, late rows, idempotency, atomicity.

use std::io::Write;

use crate::common::{Scratch, csv, raw_files};

const D: &str = "2026-11-16";
const D1: &str = "2026-11-17";

fn ivr(id: &str, start: &str, end: &str, outcome: &str) -> String {
    format!("{id},C01,13800000001,571,gotone,{start},{end},{outcome},")
}

/// Deliver hung-up IVR calls `(call_id, ivr_start, ivr_end)` into `folder`.
fn deliver_calls(s: &Scratch, folder: &str, file: &str, calls: &[(&str, &str, &str)]) {
    let rows: Vec<String> = calls
        .iter()
        .map(|(id, start, end)| ivr(id, start, end, "hangup"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    s.deliver("hotline/ivr_calls", folder, file, &csv("hotline/ivr_calls", &rows));
}

#[test]
fn every_reject_reason_is_kept_with_file_line_and_reason() {
    let s = Scratch::new();
    s.deliver(
        "hotline/ivr_calls",
        D,
        "part-0001.csv",
        &csv(
            "hotline/ivr_calls",
            &[
                &ivr("C1", "2026-11-16 10:00:00", "2026-11-16 10:01:00", "hangup"), // line 2: good
                "C2,C01,13800000001,571,gotone,2026-11-16 10:00:00,2026-11-16 10:01:00,hangup", // 3: 8 fields
                &ivr("", "2026-11-16 10:00:00", "2026-11-16 10:01:00", "hangup"),   // 4: no call_id
                &ivr("C4", "2026-11-16 10:00:00", "2026-11-16 10:01:00", "voicemail"), // 5: enum
                &ivr("C5", "2026-11-16 10:00:00", "2026-11-16 09:00:00", "hangup"), // 6: end < start
                &ivr("C6", "2026-11-16 25:00:00", "2026-11-16 10:01:00", "hangup"), // 7: bad ts
            ],
        ),
    );
    s.deliver(
        "hotline/agent_legs",
        D,
        "part-0001.csv",
        &csv(
            "hotline/agent_legs",
            &["L1,C1,1,ivr,SG01,2026-11-16 10:01:00,2026-11-16 10:01:10,2026-11-16 10:03:00,A1,100,-5,10,0,customer"],
        ),
    );
    s.deliver(
        "hr/qa_inspections",
        D,
        "part-0001.csv",
        &csv(
            "hr/qa_inspections",
            &[
                "Q1,L1,A1,2026-11-16 12:00:00,100.50",
                "Q2,L1,A1,2026-11-16 12:00:00,99.50",
            ],
        ),
    );
    let mut gbk = callcube::schema::table("hr/agents")
        .unwrap()
        .columns
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(",");
    gbk.push('\n');
    let mut body = encoding_rs::GBK.encode(&gbk).0.into_owned();
    body.extend_from_slice(
        &encoding_rs::GBK
            .encode("A1,王伟,T001,HZ-West,2020-01-01,,SG01,SG01,agent\n")
            .0,
    );
    body.extend_from_slice(b"A2,\x81\x20,T001,HZ-West,2020-01-01,,SG01,SG01,agent\n");
    s.deliver("hr/agents", D, "part-0001.csv", &body);

    let mut sources: Vec<_> = [
        "hotline/ivr_calls",
        "hotline/agent_legs",
        "hr/qa_inspections",
        "hr/agents",
    ]
    .iter()
    .map(|t| callcube::ingest::SourceTable::standard(callcube::schema::table(t).unwrap()))
    .collect();
    sources[3].encoding = callcube::ingest::Encoding::Gbk;
    let report = s.land_with(&sources, D).unwrap();

    let ivr_counts = &report.tables[0];
    // 6 records read: 1 landed, 5 rejected.
    assert_eq!((ivr_counts.read, ivr_counts.landed, ivr_counts.rejected), (6, 1, 5));
    let rows = s.rows(
        "select table_name, source_file, line, column_name, reason_code, dt from rejects order by table_name, line",
    );
    let got: Vec<(String, String, String, String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone(), r[4].clone()))
        .collect();
    let f = format!("{D}/part-0001.csv");
    let want = [
        ("agent_legs", &f, "2", "hold_s", "negative_duration"),
        ("agents", &f, "3", "NULL", "undecodable"),
        ("ivr_calls", &f, "3", "NULL", "column_count"),
        ("ivr_calls", &f, "4", "call_id", "missing_value"),
        ("ivr_calls", &f, "5", "ivr_outcome", "unknown_enum"),
        ("ivr_calls", &f, "6", "ivr_end", "end_before_start"),
        ("ivr_calls", &f, "7", "ivr_start", "unparsable"),
        ("qa_inspections", &f, "2", "score", "out_of_range"),
    ];
    let want: Vec<(String, String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d, e)| {
            (
                a.to_string(),
                b.to_string(),
                c.to_string(),
                d.to_string(),
                e.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(
        rows.iter().all(|r| r[5] == D),
        "rejects are filed under the delivery folder's date"
    );
    // The raw line is kept as delivered, and the reason says what was wrong.
    let raw = s.rows("select raw_line, reason from rejects where reason_code = 'unknown_enum'");
    assert!(raw[0][0].starts_with("C4,C01,"), "{raw:?}");
    assert!(
        raw[0][1].contains("voicemail") && raw[0][1].contains("agent_request"),
        "{raw:?}"
    );
    // The good GBK row landed with its Chinese name intact.
    assert_eq!(
        s.rows("select agent_id, name from raw_hr_agents"),
        vec![vec!["A1".to_string(), "王伟".to_string()]]
    );
    assert_eq!(s.count("select count(*) from raw_hotline_ivr_calls"), 1);
}

#[test]
fn gzip_and_crlf_deliveries_land() {
    let s = Scratch::new();
    let body = String::from_utf8(csv(
        "hotline/ivr_calls",
        &[&ivr("C1", "2026-11-16 10:00:00", "2026-11-16 10:00:30", "self_service")],
    ))
    .unwrap()
    .replace('\n', "\r\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).unwrap();
    s.deliver("hotline/ivr_calls", D, "part-0001.csv.gz", &gz.finish().unwrap());
    let report = s.land(&["hotline/ivr_calls"], D).unwrap();
    assert_eq!(
        (
            report.tables[0].read,
            report.tables[0].landed,
            report.tables[0].rejected
        ),
        (1, 1, 0)
    );
    assert_eq!(
        s.rows("select call_id, ivr_outcome, cast(ivr_end as varchar), _src_file from raw_hotline_ivr_calls"),
        vec![vec![
            "C1".to_string(),
            "self_service".into(),
            "2026-11-16T10:00:30".into(),
            format!("{D}/part-0001.csv.gz")
        ]]
    );
}

#[test]
fn duplicate_delivery_keeps_the_latest_once() {
    let s = Scratch::new();
    let survey = |id: &str, result: i32| format!("{id},L1,A1,ivr,{result},,2026-11-16 10:00:00");
    s.deliver(
        "hotline/surveys",
        D,
        "part-0001.csv",
        &csv("hotline/surveys", &[&survey("S1", 1), &survey("S2", 2)]),
    );
    // The same folder repeats S1 with a corrected result in a later file.
    s.deliver(
        "hotline/surveys",
        D,
        "part-0002.csv",
        &csv("hotline/surveys", &[&survey("S1", 3)]),
    );
    let r = s.land(&["hotline/surveys"], D).unwrap();
    // read 3 = landed 2 + duplicate 1
    assert_eq!(
        (r.tables[0].read, r.tables[0].landed, r.tables[0].duplicates),
        (3, 2, 1)
    );
    assert_eq!(
        s.rows("select survey_id, result, _src_file from raw_hotline_surveys order by survey_id"),
        vec![
            vec!["S1".to_string(), "3".into(), format!("{D}/part-0002.csv")],
            vec!["S2".to_string(), "2".into(), format!("{D}/part-0001.csv")]
        ]
    );
    // The next day's folder re-sends S2 (a late correction): the later folder wins.
    s.deliver(
        "hotline/surveys",
        D1,
        "part-0001.csv",
        &csv("hotline/surveys", &[&survey("S2", 9)]),
    );
    let r = s.land(&["hotline/surveys"], D1).unwrap();
    assert_eq!((r.tables[0].landed, r.tables[0].duplicates), (1, 0));
    assert_eq!(
        s.rows("select survey_id, result, cast(dt as varchar) from raw_hotline_surveys order by survey_id"),
        vec![
            vec!["S1".to_string(), "3".into(), D.into()],
            vec!["S2".to_string(), "9".into(), D.into()]
        ]
    );
}

#[test]
fn late_rows_land_in_their_own_business_date() {
    let s = Scratch::new();
    deliver_calls(
        &s,
        D,
        "part-0001.csv",
        &[("C1", "2026-11-16 09:00:00", "2026-11-16 09:01:00")],
    );
    s.land(&["hotline/ivr_calls"], D).unwrap();
    // The next day's folder carries a call of the 16th (23:50) and one of the 17th.
    deliver_calls(
        &s,
        D1,
        "part-0001.csv",
        &[
            ("C2", "2026-11-16 23:50:00", "2026-11-17 00:00:10"),
            ("C3", "2026-11-17 08:00:00", "2026-11-17 08:01:00"),
        ],
    );
    let r = s.land(&["hotline/ivr_calls"], D1).unwrap();
    assert_eq!(r.tables[0].partitions.len(), 2, "both dates are rewritten");
    assert_eq!(
        s.rows("select cast(dt as varchar), call_id, cast(_src_folder as varchar) from raw_hotline_ivr_calls order by call_id"),
        vec![
            vec![D.to_string(), "C1".into(), D.into()],
            vec![D.to_string(), "C2".into(), D1.into()],
            vec![D1.to_string(), "C3".into(), D1.into()],
        ]
    );
}

#[test]
fn relanding_a_folder_is_idempotent_and_follows_corrections() {
    let s = Scratch::new();
    deliver_calls(
        &s,
        D,
        "part-0001.csv",
        &[("C1", "2026-11-16 09:00:00", "2026-11-16 09:01:00")],
    );
    s.land(&["hotline/ivr_calls"], D).unwrap();
    deliver_calls(
        &s,
        D1,
        "part-0001.csv",
        &[("C2", "2026-11-16 23:50:00", "2026-11-17 00:00:10")],
    );
    s.land(&["hotline/ivr_calls"], D1).unwrap();
    let first = raw_files(&s);
    s.land(&["hotline/ivr_calls"], D1).unwrap();
    s.land(&["hotline/ivr_calls"], D).unwrap();
    assert_eq!(raw_files(&s), first, "re-running dates gives byte-identical partitions");
    // A corrected re-delivery of D1 moves C2 to the 17th: the 16th must lose it.
    deliver_calls(
        &s,
        D1,
        "part-0001.csv",
        &[("C2", "2026-11-17 00:10:00", "2026-11-17 00:11:00")],
    );
    s.land(&["hotline/ivr_calls"], D1).unwrap();
    assert_eq!(
        s.rows("select cast(dt as varchar), call_id from raw_hotline_ivr_calls order by call_id"),
        vec![vec![D.to_string(), "C1".into()], vec![D1.to_string(), "C2".into()]]
    );
}

#[test]
fn a_failed_run_leaves_the_previous_partitions_intact() {
    let s = Scratch::new();
    deliver_calls(
        &s,
        D,
        "part-0001.csv",
        &[("C1", "2026-11-16 09:00:00", "2026-11-16 09:01:00")],
    );
    s.deliver(
        "hotline/surveys",
        D,
        "part-0001.csv",
        &csv("hotline/surveys", &["S1,L1,A1,ivr,1,,2026-11-16 10:00:00"]),
    );
    let tables = ["hotline/ivr_calls", "hotline/surveys"];
    s.land(&tables, D).unwrap();
    let before = raw_files(&s);
    // A new delivery: ivr_calls changes (and would be written first), surveys is corrupt.
    deliver_calls(
        &s,
        D,
        "part-0002.csv",
        &[("C9", "2026-11-16 11:00:00", "2026-11-16 11:01:00")],
    );
    let bad = s.deliver("hotline/surveys", D, "part-0002.csv.gz", b"this is not gzip");
    let err = s.land(&tables, D).unwrap_err().to_string();
    assert!(
        err.contains(&bad.display().to_string()) && err.contains("gzip"),
        "{err}"
    );
    assert_eq!(raw_files(&s), before, "nothing changed");
    let leftovers: Vec<_> = crate::common::snapshot(&s.warehouse_root())
        .into_iter()
        .filter(|(p, _)| p.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_missing_column_names_the_file_and_the_column() {
    let s = Scratch::new();
    let path = s.deliver("hotline/ivr_calls", D, "part-0001.csv", b"call_id,center_id\nC1,C01\n");
    let err = s.land(&["hotline/ivr_calls"], D).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("caller") && err.contains("ivr_start"), "{err}");
}

#[test]
fn renamed_columns_and_other_delimiters_are_mapped_by_config() {
    let s = Scratch::new();
    s.deliver(
        "hotline/ivr_calls",
        D,
        "part-0001.csv",
        b"CALLID;center_id;caller;city_code;brand;ivr_start;ivr_end;ivr_outcome;self_service_code;extra\nC1;C01;13800000001;571;gotone;2026-11-16 09:00:00;2026-11-16 09:01:00;hangup;;x\n",
    );
    let mut src = callcube::ingest::SourceTable::standard(callcube::schema::table("hotline/ivr_calls").unwrap());
    src.delimiter = b';';
    src.rename.insert("CALLID".into(), "call_id".into());
    let r = s.land_with(&[src], D).unwrap();
    assert_eq!((r.tables[0].landed, r.tables[0].rejected), (1, 0));
    assert_eq!(
        s.rows("select call_id from raw_hotline_ivr_calls"),
        vec![vec!["C1".to_string()]]
    );
}
