//! E2 customer tags on hand-made customers, as of 2026-11-16 (the subscriber snapshot's date).
//!
//! | customer | snapshot (arpu, network, 5G device, tenure, status) | events                      |
//! |----------|-----------------------------------------------------|-----------------------------|
//! | p1       | 200.00, 4g, yes, 24, active (brand vip)              |                             |
//! | p2       | 100.00, 5g, yes, 2, active                           | complaint W1 CAT1 11-10, archived 11-11; complaint W2 CAT1 11-16 escalated by media (a B11 repeat) |
//! | p3       | 30.00, 4g, no, 12, arrears                           |                             |
//! | p4       | not in the snapshot                                  | 3 manual requests on 11-16  |
//! | p5       | 60.00, 5g, no, 30, active                            | unsubscribe success, refund closed on 11-16 |
//! | p6       | 71.00, 5g, yes, 30, active                           | call K6 on 10-18 (29 days before 11-16), survey result 3 |
//! | p7       | 72.00, 5g, yes, 30, active                           | call K7 on 10-16 (31 days before 11-16), survey result 3 |
//! | p8       | 73.00, 5g, yes, 30, active                           | call K8 on 11-16: survey result 3, then a later result 1 (the valid one); complaint W4 not a service complaint |
//!
//! W1 and W2 are service complaints (服务类投诉). p7's call on 10-16 starts the date spine there.

use std::path::Path;
use std::sync::OnceLock;

use crate::common::copy_dir;
use crate::fixture::{Built, Fixture, build_from, t};

const P: [&str; 9] = [
    "",
    "13700000001",
    "13700000002",
    "13700000003",
    "13700000004",
    "13700000005",
    "13700000006",
    "13700000007",
    "13700000008",
];

fn fixture() -> Fixture {
    let mut f = Fixture::new();
    let subscribers = [
        format!("{},571,vip,PL1,4g,1,24,200.00,active,0", P[1]),
        format!("{},571,gotone,PL1,5g,1,2,100.00,active,0", P[2]),
        format!("{},571,gotone,PL1,4g,0,12,30.00,arrears,0", P[3]),
        format!("{},571,gotone,PL1,5g,0,30,60.00,active,0", P[5]),
        format!("{},571,gotone,PL1,5g,1,30,71.00,active,0", P[6]),
        format!("{},571,gotone,PL1,5g,1,30,72.00,active,0", P[7]),
        format!("{},571,gotone,PL1,5g,1,30,73.00,active,0", P[8]),
    ];
    f.add_lines("boss/subscribers", &subscribers);
    let work_orders = [
        format!(
            "W1,,{},571,gotone,complaint,CAT1,1,0,none,2026-11-10 09:00:00,2026-11-11 09:00:00,2026-11-11 10:00:00,archived,,,",
            P[2]
        ),
        format!(
            "W2,,{},571,gotone,complaint,CAT1,1,0,media,{},,,open,,,",
            P[2],
            t("10:00:00")
        ),
        format!(
            "W3,,{},571,gotone,refund,,,,none,{},{},,closed,5.00,,",
            P[5],
            t("08:00:00"),
            t("12:00:00")
        ),
        format!(
            "W4,,{},571,gotone,complaint,CAT2,0,0,none,{},,,open,,,",
            P[8],
            t("11:30:00")
        ),
    ];
    f.add_lines("crm/work_orders", &work_orders);
    f.add(
        "boss/orders",
        &[format!("R1,{},web,,,P5G,unsubscribe,success,{},0.00,0", P[5], t("09:00:00")).as_str()],
    );
    let mut calls = Vec::new();
    let mut legs = Vec::new();
    for i in 0..3 {
        let at = t(&format!("1{i}:00:00"));
        calls.push(format!("K{i},C1,{},571,gotone,{at},{at},agent_request,", P[4]));
        legs.push(format!("L{i},K{i},1,ivr,S1,{at},,{at},,0,0,0,0,customer"));
    }
    // Surveyed calls of p6, p7 and p8, each one answered leg.
    for (i, at) in [
        (6, "2026-10-18 10:00:00"),
        (7, "2026-10-16 10:00:00"),
        (8, "2026-11-16 11:00:00"),
    ] {
        calls.push(format!("K{i},C1,{},571,gotone,{at},{at},agent_request,", P[i]));
        legs.push(format!("L{i},K{i},1,ivr,S1,{at},{at},{at},A1,100,0,20,0,customer"));
    }
    f.add_lines("hotline/ivr_calls", &calls);
    f.add_lines("hotline/agent_legs", &legs);
    f.add(
        "hotline/surveys",
        &[
            "V6,L6,A1,sms,3,attitude,2026-10-18 10:10:00",
            "V7,L7,A1,sms,3,skill,2026-10-16 10:10:00",
            "V8A,L8,A1,ivr,3,process,2026-11-16 11:10:00",
            "V8B,L8,A1,sms,1,,2026-11-16 11:20:00",
        ],
    );
    f
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| fixture().build())
}

/// Customers are keyed by an HMAC; find each by a column only it has on the date.
fn who(column_test: &str) -> String {
    format!("(SELECT customer_key FROM conformed_customer_day WHERE dt = DATE '2026-11-16' AND {column_test})")
}

fn tags_of(b: &Built, customer: &str, date: &str) -> Vec<Vec<String>> {
    b.scratch.rows(&format!(
        "SELECT tag, strategy, CAST(since AS VARCHAR), evidence FROM marts_customer_tags \
         WHERE dt = DATE '{date}' AND customer_key = {} ORDER BY tag",
        who(customer)
    ))
}

/// tag_count, tags, strategies of a customer's profile on `date`.
fn profile_of(b: &Built, customer: &str, date: &str) -> Vec<Vec<String>> {
    b.scratch.rows(&format!(
        "SELECT tag_count, tags, strategies FROM marts_customer_profile \
         WHERE dt = DATE '{date}' AND customer_key = {}",
        who(customer)
    ))
}

fn names(rows: &[Vec<String>]) -> Vec<&str> {
    rows.iter().map(|r| r[0].as_str()).collect()
}

#[test]
fn snapshot_tags() {
    let b = built();
    // p1: arpu 200 ≥ 150 → value_high; 4g → network_4g; 5G device on 4g → upgrade candidate.
    let p1 = tags_of(b, "arpu_3m = 200", "2026-11-16");
    assert_eq!(names(&p1), ["network_4g", "upgrade_5g_candidate", "value_high"]);
    assert_eq!(p1[2][1], "priority_routing");
    assert_eq!(p1[2][3], "arpu_3m=200.00");
    // p3: 30 < 50 → value_low; 4g without a 5G device; status arrears.
    let p3 = tags_of(b, "arpu_3m = 30", "2026-11-16");
    assert_eq!(names(&p3), ["arrears_suspended", "network_4g", "value_low"]);
    // The snapshot stays in force the next day; since = the first date it held.
    let p1_next = tags_of(b, "arpu_3m = 200", "2026-11-17");
    assert_eq!(p1_next[2][0], "value_high");
    assert_eq!(p1_next[2][2], "2026-11-16");
}

#[test]
fn event_window_tags() {
    let b = built();
    // p2: 50 ≤ 100 < 150 → value_mid; tenure 2 < 3 → new_customer; complaints W1 + W2 in 90 d
    // → complainer since 11-10 (W1's date); W2 is a B11 repeat of W1 (archived 11-11 before
    // 11-16) → repeat_complainer; 2 complaints in 30 days and an escalated one → escalation_risk;
    // both are service complaints → dissatisfied (see `dissatisfied_customers`).
    let p2 = tags_of(b, "arpu_3m = 100", "2026-11-16");
    assert_eq!(
        names(&p2),
        [
            "complainer",
            "dissatisfied",
            "escalation_risk",
            "new_customer",
            "repeat_complainer",
            "value_mid"
        ]
    );
    assert_eq!(p2[0][2], "2026-11-10");
    assert_eq!(p2[0][3], "complaints_90d=2");
    assert_eq!(p2[2][1], "retention");
    assert_eq!(p2[2][2], "2026-11-16");
    // p4 is not a subscriber: 3 manual requests in 30 days → frequent_caller only.
    let p4 = tags_of(b, "manual_requests_30d = 3", "2026-11-16");
    assert_eq!(names(&p4), ["frequent_caller"]);
    // p5: arpu 60 → value_mid; an unsubscribe and a closed refund on the date.
    let p5 = tags_of(b, "arpu_3m = 60", "2026-11-16");
    assert_eq!(names(&p5), ["recent_unsubscriber", "refund_recipient", "value_mid"]);
    // The day before, p2 had one complaint and no escalation: complainer, and dissatisfied by
    // the service complaint W1 (no snapshot).
    let before = b.scratch.rows(
        "SELECT t.tag FROM marts_customer_tags AS t JOIN conformed_customer_day AS c \
         ON c.dt = t.dt AND c.customer_key = t.customer_key \
         WHERE t.dt = DATE '2026-11-15' AND c.complaints_90d = 1 ORDER BY t.tag",
    );
    assert_eq!(before, [["complainer"], ["dissatisfied"]]);
}

#[test]
fn profile_lists_tags_and_strategies() {
    assert_eq!(
        profile_of(built(), "arpu_3m = 100", "2026-11-16"),
        [[
            "6",
            "complainer,dissatisfied,escalation_risk,new_customer,repeat_complainer,value_mid",
            "care_service,guided_service,retention,service_repair,standard_service"
        ]]
    );
}

#[test]
fn dissatisfied_customers() {
    let b = built();
    let dissatisfied = |customer: &str, date: &str| -> Vec<Vec<String>> {
        tags_of(b, customer, date)
            .into_iter()
            .filter(|r| r[0] == "dissatisfied")
            .collect()
    };
    // Windows: 30 days ending on d = event date in (d − 30, d]; for 11-16 that is 10-18 … 11-16.
    // p6: valid survey result 3 on a leg queued 10-18 → tagged on 11-16, since 10-18 (the
    // survey's date, tagged every day from then).
    assert_eq!(
        dissatisfied("arpu_3m = 71", "2026-11-16"),
        [[
            "dissatisfied",
            "service_repair",
            "2026-10-18",
            "unsatisfied_surveys_30d=1,service_complaints_30d=0"
        ]]
    );
    // On 11-17 the window is 10-19 … 11-17: the survey, 30 days before, is out.
    assert!(dissatisfied("arpu_3m = 71", "2026-11-17").is_empty());
    // p7: result 3 on 10-16, 31 days before 11-16 → not tagged; it was last on 11-14 (window
    // 10-16 … 11-14), not on 11-15 (10-17 … 11-15).
    assert!(dissatisfied("arpu_3m = 72", "2026-11-16").is_empty());
    assert!(dissatisfied("arpu_3m = 72", "2026-11-15").is_empty());
    assert_eq!(dissatisfied("arpu_3m = 72", "2026-11-14")[0][2], "2026-10-16");
    // p8: call K8's valid survey is the later V8B (result 1), so V8A's 3 does not count; W4 is
    // a complaint but not a service complaint → complainer, not dissatisfied.
    assert_eq!(
        names(&tags_of(b, "arpu_3m = 73", "2026-11-16")),
        ["complainer", "value_mid"]
    );
    // p2: service complaints W1 (11-10) and W2 (11-16) → tagged since 11-10 (W1's date).
    assert_eq!(
        dissatisfied("arpu_3m = 100", "2026-11-16"),
        [[
            "dissatisfied",
            "service_repair",
            "2026-11-10",
            "unsatisfied_surveys_30d=0,service_complaints_30d=2"
        ]]
    );
}

#[test]
fn a_tag_added_from_a_file() {
    // The README's example: a new file under sql/tags/ adds a tag, no code. This one uses the
    // `sql` form (any query returning dt, customer_key, evidence).
    let f = fixture();
    let b = f.build();
    let sql = b.scratch.inbox().parent().unwrap().join("sql-with-extra-tag");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sql"), &sql);
    std::fs::write(
        sql.join("tags").join("vip_desk.toml"),
        r#"
[[tag]]
name = "vip_brand"
label = "VIP品牌客户"
description = "Subscribers of the vip brand go to the VIP desk"
strategy = "vip_desk"
sql = """
SELECT dt, customer_key, 'brand=' || brand AS evidence
FROM conformed_customer_day
WHERE brand = 'vip'
"""
"#,
    )
    .unwrap();
    build_from(&b.scratch.warehouse_root(), &f.params, &sql, false);
    let p1 = tags_of(&b, "arpu_3m = 200", "2026-11-16");
    assert_eq!(
        names(&p1),
        ["network_4g", "upgrade_5g_candidate", "value_high", "vip_brand"]
    );
    assert_eq!(p1[3][1], "vip_desk");
    assert_eq!(p1[3][3], "brand=vip");
    let others = b
        .scratch
        .count("SELECT COUNT(*) FROM marts_customer_tags WHERE tag = 'vip_brand'");
    assert_eq!(others, 2, "p1 on 11-16 and 11-17 only");
    // The profile lists a `sql` tag among the others, in name order, and its strategy.
    assert_eq!(
        profile_of(&b, "arpu_3m = 200", "2026-11-16"),
        [[
            "4",
            "network_4g,upgrade_5g_candidate,value_high,vip_brand",
            "guided_service,priority_routing,vip_desk"
        ]]
    );
}
