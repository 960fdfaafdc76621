//! The sample-data generator: determinism, and the consistency a real ACD has.

use std::sync::OnceLock;

use callcube::generate::{GenerateOptions, generate};
use callcube::schema::TABLES;
use callcube::timefmt::parse_date;

use crate::common::{Scratch, snapshot};

fn options(out: std::path::PathBuf, seed: u64) -> GenerateOptions {
    GenerateOptions {
        seed,
        days: 2,
        start_day: parse_date(b"2026-11-16").unwrap(),
        scale: 0.002,
        out,
        gbk: vec!["hr/agents".into()],
        gzip: vec!["hotline/agent_states".into()],
        defects: true,
    }
}

/// Two generated days, landed once and shared by the tests below.
fn landed() -> &'static Scratch {
    static LANDED: OnceLock<Scratch> = OnceLock::new();
    LANDED.get_or_init(|| {
        let s = Scratch::new();
        generate(&options(s.inbox(), 7)).unwrap();
        s.land_all("2026-11-16", &["hr/agents"]);
        s.land_all("2026-11-17", &["hr/agents"]);
        s
    })
}

#[test]
fn the_same_seed_gives_the_same_files_and_another_seed_does_not() {
    let (a, b, c) = (Scratch::new(), Scratch::new(), Scratch::new());
    generate(&options(a.inbox(), 7)).unwrap();
    generate(&options(b.inbox(), 7)).unwrap();
    generate(&options(c.inbox(), 8)).unwrap();
    let (sa, sb, sc) = (snapshot(&a.inbox()), snapshot(&b.inbox()), snapshot(&c.inbox()));
    assert!(sa.len() > 30, "every table for every day: {}", sa.len());
    assert!(sa == sb, "same seed, same bytes");
    assert!(sa != sc, "another seed, other data");
}

#[test]
fn every_table_lands_with_its_declared_schema() {
    let s = landed();
    for t in TABLES {
        let name = t.raw_table_name();
        // DataFusion reads Parquet strings as Utf8View; the file itself stores plain UTF-8.
        let rows: Vec<Vec<String>> = s.rows(&format!(
            "select column_name, data_type from information_schema.columns where table_name = '{name}' order by ordinal_position"
        ))
        .into_iter()
        .map(|r| vec![r[0].clone(), r[1].replace("Utf8View", "Utf8")])
        .collect();
        let mut want: Vec<Vec<String>> = t
            .raw_schema()
            .fields()
            .iter()
            .map(|f| vec![f.name().clone(), f.data_type().to_string()])
            .collect();
        want.push(vec!["dt".into(), "Date32".into()]);
        assert_eq!(rows, want, "{name}");
        assert!(s.count(&format!("select count(*) from {name}")) > 0, "{name} has rows");
    }
}

#[test]
fn planted_defects_cover_every_reject_reason() {
    let s = landed();
    let codes: Vec<String> = s
        .rows("select distinct reason_code from rejects order by 1")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        codes,
        [
            "column_count",
            "end_before_start",
            "missing_value",
            "negative_duration",
            "out_of_range",
            "undecodable",
            "unknown_enum",
            "unparsable"
        ]
    );
}

#[test]
fn every_talk_state_matches_a_leg_and_every_answered_leg_a_talk_state() {
    let s = landed();
    // Answered legs whose TALK row would start inside the generated days.
    let legs_without_talk = s.count(
        "select count(*) from raw_hotline_agent_legs l where l.answer_time is not null \
         and l.answer_time < timestamp '2026-11-18 00:00:00' and not exists ( \
           select 1 from raw_hotline_agent_states st where st.agent_id = l.agent_id and st.state = 'TALK' \
           and st.start_ts = l.answer_time \
           and extract(epoch from st.end_ts) = extract(epoch from l.answer_time) + l.talk_s)",
    );
    assert_eq!(legs_without_talk, 0);
    let talk_without_leg = s.count(
        "select count(*) from raw_hotline_agent_states st where st.state = 'TALK' and not exists ( \
           select 1 from raw_hotline_agent_legs l where l.agent_id = st.agent_id and l.answer_time = st.start_ts)",
    );
    assert_eq!(talk_without_leg, 0);
    assert!(s.count("select count(*) from raw_hotline_agent_states where state = 'TALK'") > 100);
}

#[test]
fn no_agent_is_in_two_states_at_once() {
    let s = landed();
    let overlaps = s.count(
        "select count(*) from (select agent_id, start_ts, \
           lag(end_ts) over (partition by agent_id order by start_ts, end_ts) as prev_end \
           from raw_hotline_agent_states) where prev_end > start_ts",
    );
    assert_eq!(overlaps, 0);
}

#[test]
fn answered_legs_have_contacts_and_references_resolve() {
    let s = landed();
    let without_contact = s.count(
        "select count(*) from raw_hotline_agent_legs l where l.answer_time is not null \
         and not exists (select 1 from raw_crm_contacts c where c.leg_id = l.leg_id)",
    );
    assert_eq!(without_contact, 0);
    let legs_without_call = s.count(
        "select count(*) from raw_hotline_agent_legs l where l.leg_id not like 'BAD%' \
         and not exists (select 1 from raw_hotline_ivr_calls c where c.call_id = l.call_id)",
    );
    assert_eq!(legs_without_call, 0);
    let accepted_offers_without_order = s.count(
        "select count(*) from raw_hotline_offers o where o.accepted and o.order_id is not null and \
         not exists (select 1 from raw_boss_orders b where b.order_id = o.order_id)",
    );
    assert_eq!(accepted_offers_without_order, 0);
}

#[test]
fn the_sample_has_the_realistic_irregularities_landing_must_handle() {
    let s = landed();
    // Late rows: rows of the 16th delivered in the 17th's folder.
    assert!(s.count("select count(*) from raw_hotline_agent_legs where dt = date '2026-11-16' and _src_folder = date '2026-11-17'") > 0);
    // Repeated deliveries were counted as duplicates and kept once.
    let dups = s.count("select count(*) - count(distinct survey_id) from raw_hotline_surveys");
    assert_eq!(dups, 0);
    assert!(s.count("select count(*) from raw_hotline_surveys where _src_file like '%part-0002%'") > 0);
    // Abandons, transfers, invalid survey keys, complaints and refunds all occur.
    assert!(
        s.count("select count(*) from raw_hotline_agent_legs where answer_time is null and released_by = 'customer'")
            > 0
    );
    assert!(s.count("select count(*) from raw_hotline_agent_legs where origin = 'transfer'") > 0);
    assert!(s.count("select count(*) from raw_hotline_surveys where result not in (1, 2, 3) or result is null") > 0);
    assert!(s.count("select count(*) from raw_crm_work_orders where wo_type = 'complaint'") > 0);
    assert!(s.count("select count(*) from raw_hr_schedules where meal_start is null") > 0);
}

#[test]
fn subscribers_under_three_months_have_no_arpu() {
    let s = landed();
    // BOSS has no three-month ARPU before three months are billed: arpu_3m is empty exactly
    // when tenure_months < 3, which with tenure uniform over 0–240 months is about 1 %.
    let total = s.count("select count(*) from raw_boss_subscribers");
    let without = s.count("select count(*) from raw_boss_subscribers where arpu_3m is null");
    assert!(without > 0, "some subscribers without an ARPU");
    assert!(without * 20 < total, "a small share: {without} of {total}");
    assert_eq!(
        s.count("select count(*) from raw_boss_subscribers where (arpu_3m is null) <> (tenure_months < 3)"),
        0
    );
}
