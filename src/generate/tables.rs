//! Turning the simulated world into the extracts of `sources.md`.

use std::collections::HashMap;

use rayon::prelude::*;

use super::acd::{Call, Caller, Leg, Traffic};
use super::csvout::{F, TableOut, day_of};
use super::rng::{Rng64, mix};
use super::world::{self, BUSINESS_CODES, CAMPAIGNS, PRODUCTS, World, stream};
use crate::schema;
use crate::timefmt::DAY_S;

/// Ids of generated rows.
pub fn call_id(i: u32) -> String {
    format!("CL{:09}", i + 1)
}
pub fn leg_id(i: usize) -> String {
    format!("LG{:09}", i + 1)
}

fn t(name: &str) -> &'static schema::TableDef {
    schema::table(name).expect("generator tables are declared in schema")
}

/// Where rows are delivered: the folder of their business day, except that a
/// share of late-evening rows arrive in the next day's folder (late delivery).
struct Delivery<'w> {
    world: &'w World,
}

impl Delivery<'_> {
    fn in_range(&self, day: i64) -> bool {
        day >= self.world.start_day && day < self.world.start_day + self.world.days
    }

    /// Folder for a row timed `ts`, or `None` if the row falls outside the generated days.
    fn folder(&self, ts: i64, key: u64, late_share: f64) -> Option<i64> {
        let day = day_of(ts);
        if !self.in_range(day) {
            return None;
        }
        let late = ts - day * DAY_S >= 23 * 3600 + 1800
            && self.in_range(day + 1)
            && (mix(key ^ self.world.seed) % 10_000) as f64 / 10_000.0 < late_share;
        Some(if late { day + 1 } else { day })
    }
}

/// Caller number as delivered (PII), or NULL.
pub fn caller_number(c: Caller) -> Option<String> {
    match c {
        Caller::Subscriber(i) => Some(World::msisdn(i as usize)),
        Caller::External(i) => Some(World::external_msisdn(i)),
        Caller::Withheld => None,
    }
}

const LATE_SHARE: f64 = 0.2;

pub fn ivr_calls(world: &World, calls: &[Call]) -> TableOut {
    let mut out = TableOut::new(t("hotline/ivr_calls"));
    let dl = Delivery { world };
    for (i, c) in calls.iter().enumerate() {
        let Some(folder) = dl.folder(c.ivr_start, i as u64, LATE_SHARE) else {
            continue;
        };
        let caller = caller_number(c.caller);
        out.put(
            folder,
            &[
                F::S(&call_id(i as u32)),
                F::opt_s(c.center.map(|x| world::CENTERS[x as usize])),
                F::opt_s(caller.as_deref()),
                F::S(world::CITIES[c.city as usize]),
                F::S(world::BRANDS[c.brand as usize]),
                F::T(c.ivr_start),
                F::T(c.ivr_end),
                F::S(c.outcome.as_str()),
                F::opt_s(c.self_service_code.map(|x| world::SELF_SERVICE_CODES[x as usize])),
            ],
        );
    }
    out
}

pub fn agent_legs(world: &World, legs: &[Leg]) -> TableOut {
    let mut out = TableOut::new(t("hotline/agent_legs"));
    let dl = Delivery { world };
    for (i, l) in legs.iter().enumerate() {
        let Some(folder) = dl.folder(l.queue_start, (i as u64) << 20, LATE_SHARE) else {
            continue;
        };
        out.put(
            folder,
            &[
                F::S(&leg_id(i)),
                F::S(&call_id(l.call)),
                F::I(i64::from(l.seq)),
                F::S(if l.transfer { "transfer" } else { "ivr" }),
                F::S(world.groups[l.group as usize].id),
                F::T(l.queue_start),
                F::opt_t(l.answer),
                F::T(l.end),
                F::opt_s(l.agent.map(|a| world.agents[a as usize].id.as_str())),
                F::I(l.talk_s),
                F::I(l.hold_s),
                F::I(l.acw_s),
                F::B(l.transferred),
                F::S(l.released.as_str()),
            ],
        );
    }
    out
}

pub fn agent_states(world: &World, traffic: &Traffic) -> TableOut {
    let mut out = TableOut::new(t("hotline/agent_states"));
    let dl = Delivery { world };
    for (i, s) in traffic.states.iter().enumerate() {
        let Some(folder) = dl.folder(s.start, (i as u64) << 40, LATE_SHARE) else {
            continue;
        };
        out.put(
            folder,
            &[
                F::S(&world.agents[s.agent as usize].id),
                F::S(s.state.as_str()),
                F::opt_s(s.state.reason()),
                F::T(s.start),
                F::T(s.end),
            ],
        );
    }
    out
}

fn each_day(world: &World) -> impl Iterator<Item = i64> {
    world.start_day..world.start_day + world.days
}

pub fn skill_groups(world: &World) -> TableOut {
    let mut out = TableOut::new(t("hotline/skill_groups"));
    for day in each_day(world) {
        for g in &world.groups {
            out.put(
                day,
                &[
                    F::S(g.id),
                    F::S(world::CENTERS[g.center]),
                    F::S(g.name),
                    F::opt_s(g.brand),
                    F::opt_s(g.routing_mode),
                ],
            );
        }
    }
    out
}

pub fn reference_tables(world: &World) -> Vec<TableOut> {
    let mut categories = TableOut::new(t("crm/categories"));
    let mut products = TableOut::new(t("boss/products"));
    let mut teams = TableOut::new(t("hr/teams"));
    let cats = world::categories();
    for day in each_day(world) {
        for (code, parent, name, level) in &cats {
            categories.put(
                day,
                &[F::S(code), F::opt_s(parent.as_deref()), F::S(name), F::I(*level)],
            );
        }
        for p in PRODUCTS {
            products.put(
                day,
                &[
                    F::S(p.code),
                    F::S(p.name),
                    F::S(p.category),
                    F::Cents(p.unit_price_cents),
                    F::Cents(p.commission_cents),
                ],
            );
        }
        for tm in &world.teams {
            teams.put(
                day,
                &[
                    F::S(&tm.id),
                    F::S(world::CENTERS[tm.center]),
                    F::S(&tm.name),
                    F::S(world::SITES[tm.center]),
                    F::opt_s(tm.supervisor.map(|s| world.agents[s].id.as_str())),
                ],
            );
        }
    }
    vec![categories, products, teams]
}

pub fn agents(world: &World) -> TableOut {
    let mut out = TableOut::new(t("hr/agents"));
    for day in each_day(world) {
        for a in world.agents.iter().filter(|a| a.hire_day <= day) {
            let (team, group) = a.placement(day);
            let mut skills = world.groups[group].id.to_string();
            if let Some(x) = a.extra_group.filter(|&x| x != group) {
                skills.push('|');
                skills.push_str(world.groups[x].id);
            }
            let takes_calls = a.takes_calls() || a.role == "online_agent";
            out.put(
                day,
                &[
                    F::S(&a.id),
                    F::S(&a.name),
                    F::S(&world.teams[team].id),
                    F::S(world::SITES[world.teams[team].center]),
                    F::D(a.hire_day),
                    a.leave_day.filter(|&l| l <= day).map_or(F::Null, F::D),
                    if takes_calls { F::S(&skills) } else { F::Null },
                    if takes_calls {
                        F::S(world.groups[group].id)
                    } else {
                        F::Null
                    },
                    F::S(a.role),
                ],
            );
        }
    }
    out
}

pub fn schedules(world: &World, traffic: &Traffic) -> TableOut {
    let mut out = TableOut::new(t("hr/schedules"));
    for s in traffic.shifts.iter().filter(|s| s.work_day >= world.start_day) {
        out.put(
            s.work_day,
            &[
                F::S(&world.agents[s.agent as usize].id),
                F::D(s.work_day),
                F::T(s.start),
                F::T(s.end),
                F::opt_t(s.meal_start),
                F::I(s.meal_minutes),
            ],
        );
    }
    out
}

pub fn exams(world: &World) -> TableOut {
    let mut out = TableOut::new(t("hr/exams"));
    for day in each_day(world) {
        let mut rng = Rng64::new(world.seed, stream::HR, day as u64);
        out.touch(day);
        for a in world.agents.iter().filter(|a| a.takes_calls() && a.employed_on(day)) {
            if rng.chance(0.04) {
                let subject = ["product", "service", "system"][rng.between(0, 2) as usize];
                out.put(
                    day,
                    &[
                        F::S(&a.id),
                        F::D(day),
                        F::S(subject),
                        F::Cents(rng.between(5500, 10_000)),
                    ],
                );
            }
        }
    }
    out
}

/// The daily subscriber snapshot: the biggest table, built in parallel.
pub fn subscribers(world: &World) -> TableOut {
    let mut out = TableOut::new(t("boss/subscribers"));
    const CHUNK: usize = 50_000;
    for day in each_day(world) {
        let months_since_start = (day - world.start_day) / 30;
        let chunks: Vec<Vec<u8>> = (0..world.subscriber_count.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut buf = Vec::with_capacity(CHUNK * 80);
                for i in c * CHUNK..((c + 1) * CHUNK).min(world.subscriber_count) {
                    let s = world.subscriber(i);
                    let tenure_months = s.tenure_months + months_since_start;
                    super::csvout::put_row(
                        &mut buf,
                        &[
                            F::S(&World::msisdn(i)),
                            F::S(world::CITIES[s.city]),
                            F::S(world::BRANDS[s.brand]),
                            F::S(&format!("PLAN{:02}", s.plan)),
                            F::S(if s.five_g { "5g" } else { "4g" }),
                            F::B(s.device_5g),
                            F::I(tenure_months),
                            s.arpu_3m_cents(tenure_months).map_or(F::Null, F::Cents),
                            F::S(s.status),
                            F::I(s.points),
                        ],
                    );
                }
                buf
            })
            .collect();
        out.touch(day);
        let file = out
            .files
            .get_mut(&(day, super::csvout::MAIN_FILE.to_string()))
            .expect("touched");
        for c in chunks {
            file.extend_from_slice(&c);
        }
    }
    out
}

/// CRM and BOSS: contacts, surveys, offers, work orders, orders and QA, all
/// derived from the answered legs so that every reference resolves.
pub struct CrmOut {
    pub contacts: TableOut,
    pub surveys: TableOut,
    pub offers: TableOut,
    pub work_orders: TableOut,
    pub orders: TableOut,
    pub qa: TableOut,
}

const REQUEST_TYPES: &[&str] = &["consult", "query", "handle", "complaint", "suggestion", "other"];
const TYPE_WEIGHTS: &[f64] = &[0.33, 0.30, 0.22, 0.05, 0.03, 0.07];
const COMPLAINT_DESK_WEIGHTS: &[f64] = &[0.10, 0.10, 0.10, 0.60, 0.05, 0.05];

struct WorkOrder {
    call: Option<u32>,
    caller: Option<String>,
    city: &'static str,
    brand: &'static str,
    wo_type: &'static str,
    category: String,
    service_complaint: Option<bool>,
    established: Option<bool>,
    escalation: &'static str,
    accepted: i64,
    closed: Option<i64>,
    archived: Option<i64>,
    refund_cents: Option<i64>,
    transfer_correct: Option<bool>,
    satisfaction: Option<&'static str>,
}

const ESCALATIONS: &[&str] = &[
    "hotline_repeat",
    "higher_level",
    "government",
    "social_organisation",
    "media",
    "regulator",
    "supervision_hotline",
];

fn new_work_order(
    rng: &mut Rng64,
    wo_type: &'static str,
    accepted: i64,
    leaves: &[String],
    caller_key: u64,
) -> WorkOrder {
    let complaint = wo_type == "complaint";
    // A caller tends to complain about the same thing again (repeat complaints).
    let category = if complaint && rng.chance(0.7) {
        leaves[(mix(caller_key) % leaves.len() as u64) as usize].clone()
    } else {
        leaves[rng.between(0, leaves.len() as i64 - 1) as usize].clone()
    };
    let closed = rng.chance(0.9).then(|| accepted + rng.between(3600, 10 * DAY_S));
    let archived = closed
        .filter(|_| rng.chance(0.7))
        .map(|c| c + rng.between(600, 2 * DAY_S));
    let satisfaction = (complaint && closed.is_some())
        .then(|| {
            let x = rng.unit();
            match x {
                x if x < 0.40 => Some("very_satisfied"),
                x if x < 0.75 => Some("satisfied"),
                x if x < 0.85 => Some("neutral"),
                x if x < 0.95 => Some("unsatisfied"),
                _ => None,
            }
        })
        .flatten();
    WorkOrder {
        call: None,
        caller: None,
        city: "",
        brand: "",
        wo_type,
        category,
        service_complaint: complaint.then(|| rng.chance(0.3)),
        established: complaint.then(|| rng.chance(0.5)),
        escalation: if complaint && rng.chance(0.15) {
            ESCALATIONS[rng.between(0, ESCALATIONS.len() as i64 - 1) as usize]
        } else {
            "none"
        },
        accepted,
        closed,
        archived,
        refund_cents: (wo_type == "refund").then(|| rng.between(100, 30_000)),
        transfer_correct: if rng.chance(0.05) { None } else { Some(rng.chance(0.92)) },
        satisfaction,
    }
}

fn op_for_code(code: &str) -> (&'static str, usize) {
    match code {
        "PLAN_CHANGE" => ("change", 6),
        "DATA_PACK" => ("subscribe", 0),
        "5G_UPGRADE" => ("subscribe", 2),
        "UNSUBSCRIBE" => ("unsubscribe", 4),
        "PAYMENT" => ("payment", 7),
        "ARREARS_STOP" => ("suspend", 7),
        _ => ("subscribe", 1),
    }
}

pub fn crm(world: &World, traffic: &Traffic) -> CrmOut {
    let dl = Delivery { world };
    let mut out = CrmOut {
        contacts: TableOut::new(t("crm/contacts")),
        surveys: TableOut::new(t("hotline/surveys")),
        offers: TableOut::new(t("hotline/offers")),
        work_orders: TableOut::new(t("crm/work_orders")),
        orders: TableOut::new(t("boss/orders")),
        qa: TableOut::new(t("hr/qa_inspections")),
    };
    let leaves = world::leaf_categories();
    let mut last_answered: Vec<Option<usize>> = vec![None; traffic.calls.len()];
    for (i, l) in traffic.legs.iter().enumerate() {
        if l.answer.is_some() && last_answered[l.call as usize].is_none_or(|p| traffic.legs[p].seq < l.seq) {
            last_answered[l.call as usize] = Some(i);
        }
    }
    let mut previous_contact: HashMap<u32, (usize, usize)> = HashMap::new();
    let mut work_orders: Vec<WorkOrder> = Vec::new();
    let (mut surveys, mut offers, mut orders, mut qa) = (0u64, 0u64, 0u64, 0u64);
    let codes_of = |ty: &str| -> Vec<usize> {
        (0..BUSINESS_CODES.len())
            .filter(|&c| BUSINESS_CODES[c].1 == ty)
            .collect()
    };
    let codes_by_type: Vec<Vec<usize>> = REQUEST_TYPES.iter().map(|ty| codes_of(ty)).collect();
    // Process legs in the order they started so ids follow time.
    let mut order: Vec<usize> = (0..traffic.legs.len()).collect();
    order.sort_by_key(|&i| (traffic.legs[i].queue_start, i));
    for i in order {
        let l = &traffic.legs[i];
        let (Some(answer), Some(agent)) = (l.answer, l.agent) else {
            continue;
        };
        let call = &traffic.calls[l.call as usize];
        let mut rng = Rng64::new(world.seed, stream::CRM, i as u64);
        let caller = caller_number(call.caller);
        let agent_id = world.agents[agent as usize].id.as_str();
        let lid = leg_id(i);
        let cid = call_id(l.call);
        // Contact: a transferred call often keeps the first leg's classification.
        let (ty, code) = match previous_contact.get(&l.call) {
            Some(&prev) if l.transfer && rng.chance(0.6) => prev,
            _ => {
                let w = if l.group as usize == world::COMPLAINT_GROUP {
                    COMPLAINT_DESK_WEIGHTS
                } else {
                    TYPE_WEIGHTS
                };
                let ty = rng.pick_weighted(w);
                let codes = &codes_by_type[ty];
                (ty, codes[rng.between(0, codes.len() as i64 - 1) as usize])
            }
        };
        previous_contact.insert(l.call, (ty, code));
        let ty_name = REQUEST_TYPES[ty];
        let code_name = BUSINESS_CODES[code].0;
        let guided = matches!(ty_name, "consult" | "handle") && rng.chance(0.08);
        let indirect = ty_name == "query" && rng.chance(0.06);
        let misrouted = l.transfer && rng.chance(0.12);
        let wo_type = match ty_name {
            "complaint" if rng.chance(0.9) => Some("complaint"),
            "suggestion" if rng.chance(0.8) => Some(if rng.chance(0.5) { "suggestion" } else { "requirement" }),
            "handle" if rng.chance(0.02) => Some("refund"),
            _ => None,
        };
        let wo_id = wo_type.map(|wt| {
            let accepted = l.end + rng.between(60, 900);
            let mut wo = new_work_order(&mut rng, wt, accepted, &leaves, mix(l.call as u64));
            wo.call = Some(l.call);
            wo.caller = caller.clone();
            wo.city = world::CITIES[call.city as usize];
            wo.brand = world::BRANDS[call.brand as usize];
            work_orders.push(wo);
            format!("WO{:09}", work_orders.len())
        });
        if let Some(folder) = dl.folder(l.queue_start, (i as u64) << 20, LATE_SHARE) {
            out.contacts.put(
                folder,
                &[
                    F::S(&lid),
                    F::S(&cid),
                    F::opt_s(caller.as_deref()),
                    F::S(ty_name),
                    F::S(code_name),
                    F::B(guided),
                    F::B(indirect),
                    F::B(misrouted),
                    F::opt_s(wo_id.as_deref()),
                ],
            );
        }
        // An order the agent placed in BOSS during this call.
        let hotline_order = |id, product, op, success, created, amount_cents, marketing| OrderRow {
            id,
            msisdn: caller.as_deref(),
            channel: "hotline",
            call: Some(&cid),
            agent: Some(agent_id),
            product,
            op,
            success,
            created,
            amount_cents,
            marketing,
        };
        // A handling request usually becomes a BOSS order.
        if ty_name == "handle" && !guided && rng.chance(0.65) {
            let (op, product) = op_for_code(code_name);
            let created = l.end + rng.between(5, 600);
            let amount = if op == "payment" {
                rng.between(1000, 20_000)
            } else {
                PRODUCTS[product].unit_price_cents
            };
            orders += 1;
            let row = hotline_order(
                orders,
                PRODUCTS[product].code,
                op,
                rng.chance(0.92),
                created,
                amount,
                false,
            );
            put_order(&mut out.orders, &dl, &row);
        }
        // Survey on the call's last answered leg; some callers answer twice.
        if last_answered[l.call as usize] == Some(i) && rng.chance(0.35) {
            for n in 0..(1 + usize::from(rng.chance(0.05))) {
                let channel = if n == 0 && rng.chance(0.8) { "ivr" } else { "sms" };
                let at = l.end
                    + if channel == "ivr" {
                        rng.between(5, 60)
                    } else {
                        rng.between(300, 3600)
                    };
                let x = rng.unit();
                let result: Option<i64> = match x {
                    x if x < 0.72 => Some(1),
                    x if x < 0.91 => Some(2),
                    x if x < 0.97 => Some(3),
                    x if x < 0.99 => Some([0, 4, 9][rng.between(0, 2) as usize]),
                    _ => None,
                };
                let reason =
                    (result == Some(3)).then(|| ["attitude", "skill", "process", "other"][rng.between(0, 3) as usize]);
                let survey_agent = if rng.chance(0.005) { "A99999" } else { agent_id };
                surveys += 1;
                if let Some(folder) = dl.folder(at, surveys << 8, LATE_SHARE) {
                    out.surveys.put(
                        folder,
                        &[
                            F::S(&format!("SV{surveys:09}")),
                            F::S(&lid),
                            F::S(survey_agent),
                            F::S(channel),
                            result.map_or(F::Null, F::I),
                            F::opt_s(reason),
                            F::T(at),
                        ],
                    );
                }
            }
        }
        // Marketing pop-up during longer calls.
        if l.talk_s >= 60 && rng.chance(0.2) {
            let (campaign, products) = CAMPAIGNS[rng.between(0, CAMPAIGNS.len() as i64 - 1) as usize];
            let n_products = if products.len() > 1 && rng.chance(0.2) { 2 } else { 1 };
            for &p in products.iter().take(n_products) {
                offers += 1;
                let popup = answer + rng.between(5, 40);
                let pitch = if rng.chance(0.15) {
                    None
                } else {
                    Some(rng.between(10, 90).min(l.talk_s))
                };
                let recommended = rng.chance(0.7);
                let accepted = recommended && rng.chance(0.35);
                let order_id = accepted.then(|| {
                    orders += 1;
                    let row = hotline_order(
                        orders,
                        PRODUCTS[p].code,
                        "subscribe",
                        rng.chance(0.9),
                        l.end + rng.between(5, 300),
                        PRODUCTS[p].unit_price_cents,
                        true,
                    );
                    put_order(&mut out.orders, &dl, &row);
                    format!("OD{orders:09}")
                });
                if let Some(folder) = dl.folder(popup, offers << 12, LATE_SHARE) {
                    out.offers.put(
                        folder,
                        &[
                            F::S(&format!("OF{offers:09}")),
                            F::S(&lid),
                            F::S(agent_id),
                            F::S(campaign),
                            F::S(PRODUCTS[p].code),
                            F::T(popup),
                            pitch.map_or(F::Null, F::I),
                            F::B(recommended),
                            F::B(accepted),
                            F::opt_s(order_id.as_deref()),
                        ],
                    );
                }
            }
        }
        // Quality inspection, days after the call.
        if rng.chance(0.02) {
            qa += 1;
            let at = (day_of(l.end) + rng.between(1, 10)) * DAY_S + rng.between(9 * 3600, 17 * 3600);
            if dl.in_range(day_of(at)) {
                out.qa.put(
                    day_of(at),
                    &[
                        F::S(&format!("QA{qa:09}")),
                        F::S(&lid),
                        F::S(agent_id),
                        F::T(at),
                        F::Cents(rng.between(6000, 10_000)),
                    ],
                );
            }
        }
    }
    background_orders(world, &dl, &mut out.orders, &mut orders);
    regulator_complaints(world, &mut work_orders, &leaves);
    deliver_work_orders(&dl, &work_orders, &mut out.work_orders);
    for day in each_day(world) {
        for t in [
            &mut out.contacts,
            &mut out.surveys,
            &mut out.offers,
            &mut out.work_orders,
            &mut out.orders,
            &mut out.qa,
        ] {
            t.touch(day);
        }
    }
    out
}

struct OrderRow<'a> {
    id: u64,
    msisdn: Option<&'a str>,
    channel: &'static str,
    call: Option<&'a str>,
    agent: Option<&'a str>,
    product: &'static str,
    op: &'static str,
    success: bool,
    created: i64,
    amount_cents: i64,
    marketing: bool,
}

fn put_order(out: &mut TableOut, dl: &Delivery<'_>, o: &OrderRow<'_>) {
    let Some(folder) = dl.folder(o.created, o.id << 16, 0.0) else {
        return;
    };
    out.put(
        folder,
        &[
            F::S(&format!("OD{:09}", o.id)),
            F::opt_s(o.msisdn),
            F::S(o.channel),
            F::opt_s(o.call),
            F::opt_s(o.agent),
            F::S(o.product),
            F::S(o.op),
            F::S(if o.success { "success" } else { "failed" }),
            F::T(o.created),
            F::Cents(o.amount_cents),
            F::B(o.marketing),
        ],
    );
}

/// Orders from the other channels (web, app, store, …): payments, unsubscribes and so on.
fn background_orders(world: &World, dl: &Delivery<'_>, out: &mut TableOut, next_id: &mut u64) {
    const CHANNELS: &[&str] = &["web", "sms", "app", "store", "batch"];
    const OPS: &[(&str, f64)] = &[
        ("subscribe", 0.25),
        ("unsubscribe", 0.10),
        ("change", 0.10),
        ("points", 0.05),
        ("payment", 0.45),
        ("suspend", 0.02),
        ("resume", 0.03),
    ];
    let op_weights: Vec<f64> = OPS.iter().map(|o| o.1).collect();
    for day in each_day(world) {
        let mut rng = Rng64::new(world.seed, stream::BOSS, day as u64);
        let n = (40_000.0 * world.scale).round() as u64;
        let mut rows: Vec<(i64, usize, usize, usize, bool, i64, bool)> = (0..n)
            .map(|_| {
                let created = day * DAY_S + rng.between(0, DAY_S - 1);
                let sub = (rng.unit().powf(1.6) * world.subscriber_count as f64) as usize;
                let op = rng.pick_weighted(&op_weights);
                let product = rng.between(0, PRODUCTS.len() as i64 - 1) as usize;
                let amount = if OPS[op].0 == "payment" {
                    rng.between(1000, 30_000)
                } else {
                    PRODUCTS[product].unit_price_cents
                };
                (created, sub, op, product, rng.chance(0.95), amount, rng.chance(0.1))
            })
            .collect();
        rows.sort_by_key(|r| r.0);
        for (created, sub, op, product, success, amount, marketing) in rows {
            *next_id += 1;
            let msisdn = World::msisdn(sub);
            put_order(
                out,
                dl,
                &OrderRow {
                    id: *next_id,
                    msisdn: Some(&msisdn),
                    channel: CHANNELS[(mix(*next_id) % CHANNELS.len() as u64) as usize],
                    call: None,
                    agent: None,
                    product: PRODUCTS[product].code,
                    op: OPS[op].0,
                    success,
                    created,
                    amount_cents: amount,
                    marketing,
                },
            );
        }
    }
}

/// Complaints that reach the center from a regulator, with no call behind them.
fn regulator_complaints(world: &World, work_orders: &mut Vec<WorkOrder>, leaves: &[String]) {
    for day in each_day(world) {
        let mut rng = Rng64::new(world.seed, stream::CRM, (1 << 40) + day as u64);
        let n = rng.poisson(200.0 * world.scale + 0.5);
        for _ in 0..n {
            let sub = rng.between(0, world.subscriber_count as i64 - 1) as usize;
            let s = world.subscriber(sub);
            let accepted = day * DAY_S + rng.between(8 * 3600, 18 * 3600);
            let mut wo = new_work_order(&mut rng, "complaint", accepted, leaves, sub as u64);
            wo.caller = Some(World::msisdn(sub));
            wo.city = world::CITIES[s.city];
            wo.brand = world::BRANDS[s.brand];
            wo.escalation = ["regulator", "supervision_hotline", "government"][rng.between(0, 2) as usize];
            work_orders.push(wo);
        }
    }
}

/// A work order is delivered as it stands at the end of each day it changes:
/// accepted, closed, archived. Later deliveries of the same `wo_id` supersede earlier ones.
fn deliver_work_orders(dl: &Delivery<'_>, work_orders: &[WorkOrder], out: &mut TableOut) {
    let mut rows: Vec<(i64, usize)> = Vec::new();
    for (i, wo) in work_orders.iter().enumerate() {
        let mut days = vec![day_of(wo.accepted)];
        days.extend(wo.closed.map(day_of));
        days.extend(wo.archived.map(day_of));
        days.dedup();
        for d in days.into_iter().filter(|&d| dl.in_range(d)) {
            rows.push((d, i));
        }
    }
    rows.sort_unstable();
    for (folder, i) in rows {
        let wo = &work_orders[i];
        let end_of_day = (folder + 1) * DAY_S;
        let closed = wo.closed.filter(|&c| c < end_of_day);
        let archived = wo.archived.filter(|&a| a < end_of_day);
        let status = if archived.is_some() {
            "archived"
        } else if closed.is_some() {
            "closed"
        } else {
            "open"
        };
        let cid = wo.call.map(call_id);
        out.put(
            folder,
            &[
                F::S(&format!("WO{:09}", i + 1)),
                F::opt_s(cid.as_deref()),
                F::opt_s(wo.caller.as_deref()),
                F::S(wo.city),
                F::S(wo.brand),
                F::S(wo.wo_type),
                F::S(&wo.category),
                F::opt_b(wo.service_complaint),
                F::opt_b(wo.established),
                F::S(wo.escalation),
                F::T(wo.accepted),
                F::opt_t(closed),
                F::opt_t(archived),
                F::S(status),
                wo.refund_cents.map_or(F::Null, F::Cents),
                F::opt_b(wo.transfer_correct.filter(|_| wo.wo_type != "refund")),
                F::opt_s(wo.satisfaction.filter(|_| closed.is_some())),
            ],
        );
    }
}
