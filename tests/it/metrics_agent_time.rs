//! Agent-time metrics (A7, C8–C13, C16, C18–C21) on one hand-made agent day.
//!
//! Agent A1 (primary skill group S1), 2026-11-16, state rows:
//!
//! | row | state          | from  | to          | s    | note                                   |
//! |-----|----------------|-------|-------------|------|----------------------------------------|
//! | S1  | READY          | 09:50 | 10:20       | 1800 | 600 in 09:30, 1200 in 10:00            |
//! | S2  | TALK           | 10:20 | 10:40       | 1200 |                                        |
//! | S3  | HOLD           | 10:40 | 10:45       | 300  |                                        |
//! | S4  | ACW            | 10:45 | 10:50       | 300  |                                        |
//! | S5  | NOT_READY brk  | 10:50 | 11:00       | 600  | S5+S6: one break                       |
//! | S6  | NOT_READY brk  | 11:00 | 11:05       | 300  |                                        |
//! | S7  | READY          | 11:05 | 11:30       | 1500 |                                        |
//! | S8  | TALK           | 11:10 | 11:20       | –    | overlaps S7: rejected, never summed    |
//! | S10 | TALK           | 12:30 | 12:40       | 600  | new login (1 h gap); inside the meal   |
//! | S11 | ACW            | 12:40 | 13:10       | 1800 | 1200 inside the meal, 600 after        |
//! | S9  | READY          | 23:50 | 00:10 (+1d) | 600  | new login; 600 more on 2026-11-17      |
//!
//! On 2026-11-16: logged-in 9000 = READY 3900 + TALK 1800 + HOLD 300 + ACW 2100 + NOT_READY 900.
//! Shifts: A1 09:00–18:00 with meal 12:00 + 60 min → 32400 − 3600 = 28800 scheduled seconds.
//! A2 (primary S2) 08:00–12:00, meal minutes 60 with no meal_start → pro rata: each
//! half hour 1800 − 3600 × 1800 / 14400 = 1350, total 10800; A2 has no state rows.

use std::sync::OnceLock;

use crate::fixture::{Built, DAY, Fixture, assert_count, assert_ratio, t};

fn agent_day(f: &mut Fixture) {
    let state = |s: &str, reason: &str, from: &str, to: &str| format!("A1,{s},{reason},{},{to}", t(from));
    let rows = [
        state("READY", "", "09:50:00", &t("10:20:00")),
        state("TALK", "", "10:20:00", &t("10:40:00")),
        state("HOLD", "", "10:40:00", &t("10:45:00")),
        state("ACW", "", "10:45:00", &t("10:50:00")),
        state("NOT_READY", "break", "10:50:00", &t("11:00:00")),
        state("NOT_READY", "break", "11:00:00", &t("11:05:00")),
        state("READY", "", "11:05:00", &t("11:30:00")),
        state("TALK", "", "11:10:00", &t("11:20:00")),
        state("TALK", "", "12:30:00", &t("12:40:00")),
        state("ACW", "", "12:40:00", &t("13:10:00")),
        state("READY", "", "23:50:00", "2026-11-17 00:10:00"),
    ];
    f.add_lines("hotline/agent_states", &rows);
    let shifts = [
        format!("A1,{DAY},{},{},{},60", t("09:00:00"), t("18:00:00"), t("12:00:00")),
        format!("A2,{DAY},{},{},,60", t("08:00:00"), t("12:00:00")),
    ];
    f.add_lines("hr/schedules", &shifts);
    // Two legs answered by A1 in hour 10 (LB queued at 09:59:58).
    let legs = [
        format!(
            "LA,KA,1,ivr,S1,{},{},{},A1,60,0,10,0,customer",
            t("10:20:00"),
            t("10:20:05"),
            t("10:21:15")
        ),
        format!(
            "LB,KB,1,ivr,S1,{},{},{},A1,60,0,10,0,customer",
            t("09:59:58"),
            t("10:00:03"),
            t("10:01:13")
        ),
    ];
    f.add_lines("hotline/agent_legs", &legs);
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let mut f = Fixture::new();
        agent_day(&mut f);
        f.params.cost_per_agent_hour = Some(50.0);
        f.build()
    })
}

fn a1(id: &str) -> crate::fixture::Answer {
    built().metric(id, "day", "agent", DAY, "A1")
}

#[test]
fn overlapping_state_rows_are_rejected_and_listed() {
    let rows = built()
        .scratch
        .rows("select agent_id, state, cast(start_ts as varchar) from conformed_dq_state_overlap");
    assert_eq!(rows, vec![vec!["A1", "TALK", "2026-11-16T11:10:00"]]);
}

#[test]
fn c8_c9_c10_c11_c20_utilisations() {
    // C8 (TALK + READY) / logged-in = (1800 + 3900) / 9000.
    assert_ratio(&a1("C8"), "5700", "9000", 5700.0 / 9000.0);
    // C9 (TALK+HOLD+ACW) / (TALK+HOLD+ACW+READY) = 4200 / 8100.
    assert_ratio(&a1("C9"), "4200", "8100", 4200.0 / 8100.0);
    // C10 TALK / logged-in = 1800 / 9000 = 0.2 (HOLD is not talk).
    assert_ratio(&a1("C10"), "1800", "9000", 0.2);
    // C11 (READY+TALK+HOLD) / logged-in = 6000 / 9000.
    assert_ratio(&a1("C11"), "6000", "9000", 6000.0 / 9000.0);
    // C20 (TALK+HOLD+ACW) / logged-in = 4200 / 9000.
    assert_ratio(&a1("C20"), "4200", "9000", 4200.0 / 9000.0);
    // The same by skill group S1 (A1's primary group) and by center.
    assert_ratio(
        &built().metric("C20", "day", "skill_group", DAY, "S1"),
        "4200",
        "9000",
        4200.0 / 9000.0,
    );
    assert_ratio(&built().day("C20"), "4200", "9000", 4200.0 / 9000.0);
}

#[test]
fn state_rows_are_split_at_the_half_hour_the_hour_and_midnight() {
    // Hour 10:00–11:00: S1 1200 READY, S2 1200 TALK, S3 300 HOLD, S4 300 ACW, S5 600 NOT_READY.
    // C20 = (1200 + 300 + 300) / 3600 = 0.5.
    assert_ratio(
        &built().metric("C20", "hour", "agent", "2026-11-16 10:00", "A1"),
        "1800",
        "3600",
        0.5,
    );
    // Interval 09:30: only S1's first 600 s, all READY: C8 = 600 / 600.
    assert_ratio(
        &built().metric("C8", "interval", "agent", "2026-11-16 09:30", "A1"),
        "600",
        "600",
        1.0,
    );
    // S9 crosses midnight: 600 s READY on 2026-11-17.
    assert_ratio(
        &built().metric("C8", "day", "agent", "2026-11-17", "A1"),
        "600",
        "600",
        1.0,
    );
}

#[test]
fn c12_breaks_and_c19_logins() {
    // S5 and S6 are consecutive break rows: one break.
    assert_count(&a1("C12"), "1");
    // Sessions start at S1, S10 (after a 1 h gap) and S9; S9 counts on the 16th where it starts.
    assert_count(&a1("C19"), "3");
    assert_count(&built().metric("C19", "day", "agent", "2026-11-17", "A1"), "0");
}

#[test]
fn a7_work_saturation_inside_shifts_outside_the_meal() {
    // Busy (TALK+HOLD+ACW) inside 09:00–18:00 and outside 12:00–13:00:
    // S2 1200 + S3 300 + S4 300 + S10 0 (all in the meal) + S11 600 (13:00–13:10) = 2400.
    // S1 by skill group: 2400 / 28800 = 8.33 % → out of the 70–80 band.
    let a = built().metric("A7", "day", "skill_group", DAY, "S1");
    assert_ratio(&a, "2400", "28800", 2400.0 / 28800.0);
    assert_eq!(a.flag.as_deref(), Some("out_of_band"));
    // S2: A2 was scheduled 10800 s (meal pro rata) and did nothing.
    assert_ratio(
        &built().metric("A7", "day", "skill_group", DAY, "S2"),
        "0",
        "10800",
        0.0,
    );
    // Pro rata meal: A2's 08:00 half hour is 1800 − 450 = 1350 scheduled seconds.
    assert_ratio(
        &built().metric("A7", "interval", "skill_group", "2026-11-16 08:00", "S2"),
        "0",
        "1350",
        0.0,
    );
    // Center: (2400 + 0) / (28800 + 10800).
    assert_ratio(&built().day("A7"), "2400", "39600", 2400.0 / 39600.0);
}

#[test]
fn c13_adherence() {
    // READY/TALK/HOLD/ACW inside the shift and outside the meal:
    // S1 1800 + S2 1200 + S3 300 + S4 300 + S7 1500 + S11 600 = 5700 (S9 is after the shift).
    assert_ratio(&a1("C13"), "5700", "28800", 5700.0 / 28800.0);
}

#[test]
fn c10_on_scheduled_seconds() {
    // talk_rate_base = scheduled: TALK 1800 / 28800 scheduled seconds.
    let mut f = Fixture::new();
    agent_day(&mut f);
    f.params.talk_rate_base = callcube::config::TalkRateBase::Scheduled;
    let b = f.build();
    assert_ratio(&b.metric("C10", "day", "agent", DAY, "A1"), "1800", "28800", 0.0625);
}

#[test]
fn c16_calls_per_hour_and_c21_cost_per_call() {
    // C16: 2 answered legs / (9000 s / 3600) = 0.8 per logged-in hour.
    assert_ratio(&a1("C16"), "2", "9000", 0.8);
    // Both were answered in hour 10, when A1 was logged in 3600 s: 2 per hour.
    assert_ratio(
        &built().metric("C16", "hour", "agent", "2026-11-16 10:00", "A1"),
        "2",
        "3600",
        2.0,
    );
    // C21: 9000 / 3600 × 50 元 / 2 answered legs = 62.5 元.
    assert_ratio(&a1("C21"), "9000", "2", 62.5);
}

#[test]
fn c18_attendance() {
    // Agent-days scheduled: A1 and A2 on the 16th. A1 has state rows inside the shift, A2 none: 1 / 2.
    assert_ratio(&built().day("C18"), "1", "2", 0.5);
}
