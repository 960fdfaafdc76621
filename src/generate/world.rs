//! The static world of a generated province: centers, skill groups, cities,
//! teams, agents, subscribers, products, categories. Everything is a pure
//! function of the seed and the scale, so any part can be rebuilt on demand.

use super::rng::{Rng64, mix};

/// Streams of the generator's randomness, kept apart so that adding a draw in
/// one place does not shift every other table.
pub mod stream {
    pub const AGENTS: u64 = 1;
    pub const SUBSCRIBERS: u64 = 2;
    pub const ARRIVALS: u64 = 3;
    pub const SERVICE: u64 = 4;
    pub const SHIFTS: u64 = 5;
    pub const CRM: u64 = 6;
    pub const BOSS: u64 = 7;
    pub const HR: u64 = 8;
}

/// A queue of the ACD.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: &'static str,
    pub name: &'static str,
    pub center: usize,
    pub brand: Option<&'static str>,
    pub routing_mode: Option<&'static str>,
    /// Mean talk seconds of a call in this queue.
    pub talk_mean_s: f64,
}

pub const CENTERS: &[&str] = &["C01", "C02"];
pub const SITES: &[&str] = &["HZ-West", "NB-East"];
pub const BRANDS: &[&str] = &["gotone", "mzone", "easyown", "vip"];
const BRAND_WEIGHTS: &[f64] = &[0.25, 0.30, 0.40, 0.05];
/// City codes; the first five are served by C01's access node, the rest by C02's.
pub const CITIES: &[&str] = &["571", "572", "573", "574", "575", "576", "577", "578", "579", "580"];
const CITY_WEIGHTS: &[f64] = &[0.22, 0.08, 0.08, 0.14, 0.06, 0.05, 0.13, 0.07, 0.09, 0.08];

pub fn groups() -> Vec<Group> {
    let g = |id, name, center, brand, routing_mode, talk_mean_s| Group {
        id,
        name,
        center,
        brand,
        routing_mode,
        talk_mean_s,
    };
    vec![
        g("SG01", "全球通技能组", 0, Some("gotone"), Some("by_brand"), 125.0),
        g("SG02", "动感地带技能组", 0, Some("mzone"), Some("by_brand"), 100.0),
        g(
            "SG03",
            "神州行技能组",
            1,
            Some("easyown"),
            Some("brand_region_fixed"),
            105.0,
        ),
        g("SG04", "VIP技能组", 0, Some("vip"), Some("by_brand"), 150.0),
        g("SG05", "综合业务技能组", 1, None, Some("brand_region_tiered"), 110.0),
        g("SG06", "投诉处理技能组", 1, None, None, 240.0),
    ]
}

/// Group that a caller of `brand` is routed to (before the general/complaint split).
pub fn brand_group(brand: usize) -> usize {
    brand // SG01..SG04 follow BRANDS order
}
pub const GENERAL_GROUP: usize = 4;
pub const COMPLAINT_GROUP: usize = 5;

/// Shift patterns: (start second of day, length seconds, share of agents).
pub const SHIFT_PATTERNS: &[(i64, i64, f64)] = &[
    (6 * 3600 + 1800, 9 * 3600, 0.22),
    (8 * 3600 + 1800, 9 * 3600, 0.28),
    (12 * 3600, 9 * 3600, 0.24),
    (15 * 3600, 9 * 3600, 0.18),
    (22 * 3600, 9 * 3600, 0.08),
];

#[derive(Debug, Clone)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub team: usize,
    pub role: &'static str,
    pub hire_day: i64,
    pub leave_day: Option<i64>,
    /// Primary skill group before and after `move_day` (same when it never moves).
    pub group: usize,
    pub moved: Option<(i64, usize, usize)>,
    pub extra_group: Option<usize>,
    pub shift: usize,
}

impl Agent {
    /// (team, primary group) in force on `day`.
    pub fn placement(&self, day: i64) -> (usize, usize) {
        match self.moved {
            Some((move_day, team, group)) if day >= move_day => (team, group),
            _ => (self.team, self.group),
        }
    }
    pub fn takes_calls(&self) -> bool {
        self.role == "agent"
    }
    pub fn employed_on(&self, day: i64) -> bool {
        self.hire_day <= day && self.leave_day.is_none_or(|l| l > day)
    }
}

#[derive(Debug, Clone)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub center: usize,
    pub group: usize,
    pub supervisor: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
pub struct Subscriber {
    pub city: usize,
    pub brand: usize,
    pub plan: u8,
    pub five_g: bool,
    pub device_5g: bool,
    pub tenure_months: i64,
    pub arpu_cents: i64,
    pub status: &'static str,
    pub points: i64,
}

impl Subscriber {
    /// Months below which BOSS has no three-month ARPU for a subscriber.
    pub const ARPU_MIN_TENURE_MONTHS: i64 = 3;

    /// `arpu_3m` as the snapshot of a day carries it, given the subscriber's tenure on that
    /// day: empty (NULL) until three months have been billed, so the sample has subscribers
    /// without an ARPU (about 1% at the start, tenure being uniform over 0–240 months) for E1's
    /// historical score and the value-tier tags to meet.
    pub fn arpu_3m_cents(&self, tenure_months: i64) -> Option<i64> {
        (tenure_months >= Self::ARPU_MIN_TENURE_MONTHS).then_some(self.arpu_cents)
    }
}

pub struct Product {
    pub code: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub unit_price_cents: i64,
    pub commission_cents: i64,
}

pub const PRODUCTS: &[Product] = &[
    Product {
        code: "P001",
        name: "10GB流量包",
        category: "data",
        unit_price_cents: 3000,
        commission_cents: 300,
    },
    Product {
        code: "P002",
        name: "30GB流量包",
        category: "data",
        unit_price_cents: 5000,
        commission_cents: 500,
    },
    Product {
        code: "P003",
        name: "5G升级包",
        category: "5g",
        unit_price_cents: 2000,
        commission_cents: 400,
    },
    Product {
        code: "P004",
        name: "宽带融合套餐",
        category: "broadband",
        unit_price_cents: 12800,
        commission_cents: 1500,
    },
    Product {
        code: "P005",
        name: "视频会员",
        category: "value_added",
        unit_price_cents: 1500,
        commission_cents: 200,
    },
    Product {
        code: "P006",
        name: "国际漫游包",
        category: "roaming",
        unit_price_cents: 2500,
        commission_cents: 250,
    },
    Product {
        code: "P007",
        name: "语音加油包",
        category: "voice",
        unit_price_cents: 1000,
        commission_cents: 100,
    },
    Product {
        code: "P008",
        name: "家庭亲情网",
        category: "voice",
        unit_price_cents: 800,
        commission_cents: 100,
    },
];

/// Marketing campaigns and the products each offers.
pub const CAMPAIGNS: &[(&str, &[usize])] = &[
    ("CMP01", &[0, 1]),
    ("CMP02", &[2]),
    ("CMP03", &[3, 4]),
    ("CMP04", &[5, 6, 7]),
];

/// CRM business codes: (code, request types it is used for, BOSS op_type of a handling).
pub const BUSINESS_CODES: &[(&str, &str)] = &[
    ("BAL_QUERY", "query"),
    ("BILL_QUERY", "query"),
    ("POINTS_QUERY", "query"),
    ("PLAN_INFO", "consult"),
    ("5G_INFO", "consult"),
    ("ROAMING_INFO", "consult"),
    ("PLAN_CHANGE", "handle"),
    ("DATA_PACK", "handle"),
    ("5G_UPGRADE", "handle"),
    ("UNSUBSCRIBE", "handle"),
    ("PAYMENT", "handle"),
    ("ARREARS_STOP", "handle"),
    ("BATCH_OPEN", "handle"),
    ("SERVICE_ISSUE", "complaint"),
    ("NETWORK_ISSUE", "complaint"),
    ("BILLING_DISPUTE", "complaint"),
    ("PRODUCT_IDEA", "suggestion"),
    ("GENERAL", "other"),
];

/// IVR self-service codes.
pub const SELF_SERVICE_CODES: &[&str] = &["SS_BAL", "SS_BILL", "SS_PAY", "SS_DATA", "SS_POINTS"];

/// The category tree: (code, parent, name, level).
pub fn categories() -> Vec<(String, Option<String>, String, i64)> {
    const TOP: &[&str] = &["网络质量", "资费争议", "服务质量", "业务办理"];
    const MID: &[&str] = &["一般", "严重"];
    const LEAF: &[&str] = &["首次", "反复"];
    let mut out = Vec::new();
    for (i, top) in TOP.iter().enumerate() {
        let c1 = format!("CAT{}", i + 1);
        out.push((c1.clone(), None, (*top).to_string(), 1));
        for (j, mid) in MID.iter().enumerate() {
            let c2 = format!("{c1}-{}", j + 1);
            out.push((c2.clone(), Some(c1.clone()), format!("{top}/{mid}"), 2));
            for (k, leaf) in LEAF.iter().enumerate() {
                let c3 = format!("{c2}-{}", k + 1);
                out.push((c3, Some(c2.clone()), format!("{top}/{mid}/{leaf}"), 3));
            }
        }
    }
    out
}

/// Leaf category codes, for work orders.
pub fn leaf_categories() -> Vec<String> {
    categories().into_iter().filter(|c| c.3 == 3).map(|c| c.0).collect()
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平",
    "刚",
];

/// The province at a given scale.
pub struct World {
    pub seed: u64,
    pub scale: f64,
    pub start_day: i64,
    pub days: i64,
    pub groups: Vec<Group>,
    pub teams: Vec<Team>,
    pub agents: Vec<Agent>,
    pub subscriber_count: usize,
}

/// How many of something at `scale`, never below `floor`.
pub fn scaled(base: f64, scale: f64, floor: usize) -> usize {
    ((base * scale).round() as usize).max(floor)
}

impl World {
    pub fn new(seed: u64, scale: f64, start_day: i64, days: i64) -> World {
        let groups = groups();
        // Agents per group in proportion to each queue's workload (share × talk time).
        let load: Vec<f64> = [0.18, 0.21, 0.28, 0.04, 0.25, 0.04]
            .iter()
            .zip(&groups)
            .map(|(share, g)| share * (g.talk_mean_s + 45.0))
            .collect();
        let total_load: f64 = load.iter().sum();
        let voice_agents = scaled(3000.0, scale, 4 * groups.len());
        let mut rng = Rng64::new(seed, stream::AGENTS, 0);
        let mut teams = Vec::new();
        let mut agents: Vec<Agent> = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            // At least one agent per shift pattern and a spare, so a tiny sample still covers the day.
            let n = ((voice_agents as f64 * load[gi] / total_load).round() as usize).max(SHIFT_PATTERNS.len() + 2);
            let team_count = n.div_ceil(15);
            for t in 0..team_count {
                let team = teams.len();
                teams.push(Team {
                    id: format!("T{:03}", team + 1),
                    name: format!("{}{}组", g.name.trim_end_matches("技能组"), t + 1),
                    center: g.center,
                    group: gi,
                    supervisor: None,
                });
                let members = n / team_count + usize::from(t < n % team_count);
                // The team leader supervises and takes no calls.
                let leader = agents.len();
                agents.push(new_agent(&mut rng, leader, team, gi, "team_leader", start_day, 0));
                teams[team].supervisor = Some(leader);
                for m in 0..members {
                    let idx = agents.len();
                    let role = if rng.chance(0.02) { "online_agent" } else { "agent" };
                    agents.push(new_agent(&mut rng, idx, team, gi, role, start_day, m));
                }
            }
        }
        // Back-office staff of each center, in a team of its own.
        for (ci, _) in CENTERS.iter().enumerate() {
            let team = teams.len();
            let gi = groups
                .iter()
                .position(|g| g.center == ci)
                .expect("every center has a group");
            teams.push(Team {
                id: format!("T{:03}", team + 1),
                name: format!("{}质检培训组", SITES[ci]),
                center: ci,
                group: gi,
                supervisor: None,
            });
            for role in ["manager", "qa_inspector", "qa_inspector", "trainer"] {
                let idx = agents.len();
                let mut a = new_agent(&mut rng, idx, team, gi, role, start_day, 0);
                a.extra_group = None;
                agents.push(a);
            }
            teams[team].supervisor = Some(agents.len() - 4);
        }
        // Moves between teams within a center, hires and leavers during the
        // generated days, giving the agent history something to keep.
        let team_count = teams.len();
        for a in agents.iter_mut().filter(|a| a.role == "agent") {
            if days > 1 && a.leave_day.is_none() && rng.chance(0.002 * days as f64) {
                a.leave_day = Some(start_day + rng.between(1, days - 1));
            } else if days > 1 && rng.chance(0.002 * days as f64) {
                a.hire_day = start_day + rng.between(1, days - 1);
                a.leave_day = None;
            }
            if days > 1 && rng.chance(0.02) {
                let center = teams[a.team].center;
                let candidates: Vec<usize> = (0..team_count)
                    .filter(|&t| t != a.team && teams[t].center == center && teams[t].supervisor.is_some())
                    .filter(|&t| !teams[t].name.contains("质检"))
                    .collect();
                if let Some(&to) = candidates.get(rng.between(0, candidates.len().max(1) as i64 - 1) as usize) {
                    let day = start_day + rng.between(1, days - 1);
                    a.moved = Some((day, to, teams[to].group));
                }
            }
        }
        World {
            seed,
            scale,
            start_day,
            days,
            groups,
            teams,
            agents,
            subscriber_count: scaled(1_000_000.0, scale, 2_000),
        }
    }

    /// Subscriber `i`, a pure function of the seed and the index.
    pub fn subscriber(&self, i: usize) -> Subscriber {
        let mut r = Rng64::new(self.seed, stream::SUBSCRIBERS, i as u64);
        let brand = r.pick_weighted(BRAND_WEIGHTS);
        let five_g = r.chance(0.4);
        let arpu = match brand {
            3 => r.lognormal(260.0, 0.5),
            0 => r.lognormal(120.0, 0.6),
            _ => r.lognormal(60.0, 0.7),
        };
        let status_draw = r.unit();
        Subscriber {
            city: r.pick_weighted(CITY_WEIGHTS),
            brand,
            plan: r.between(1, 12) as u8,
            five_g,
            device_5g: five_g || r.chance(0.45),
            tenure_months: r.between(0, 240),
            arpu_cents: (arpu * 100.0).round() as i64,
            status: match status_draw {
                x if x < 0.93 => "active",
                x if x < 0.95 => "suspended",
                x if x < 0.98 => "arrears",
                _ => "closed",
            },
            points: r.between(0, 20_000),
        }
    }

    /// The 11-digit number of subscriber `i` (distinct for every index below 10^8).
    pub fn msisdn(i: usize) -> String {
        const PREFIXES: &[&str] = &["138", "139", "135", "150", "187"];
        let body = (i as u64).wrapping_mul(7919).wrapping_add(12_345) % 100_000_000;
        format!("{}{body:08}", PREFIXES[i % PREFIXES.len()])
    }

    /// A caller from another carrier: never in the subscriber snapshot.
    pub fn external_msisdn(i: u64) -> String {
        format!("170{:08}", mix(i) % 100_000_000)
    }
}

fn new_agent(
    rng: &mut Rng64,
    idx: usize,
    team: usize,
    group: usize,
    role: &'static str,
    start_day: i64,
    member: usize,
) -> Agent {
    let name = format!(
        "{}{}{}",
        SURNAMES[rng.between(0, SURNAMES.len() as i64 - 1) as usize],
        GIVEN[rng.between(0, GIVEN.len() as i64 - 1) as usize],
        if rng.chance(0.5) {
            GIVEN[rng.between(0, GIVEN.len() as i64 - 1) as usize]
        } else {
            ""
        }
    );
    let weights: Vec<f64> = SHIFT_PATTERNS.iter().map(|p| p.2).collect();
    // Spread the first members of a team over the patterns so small teams still cover the day.
    let shift = if member < SHIFT_PATTERNS.len() {
        member
    } else {
        rng.pick_weighted(&weights)
    };
    let hire_day = start_day - rng.between(30, 2500);
    let leave_day = if rng.chance(0.03) {
        Some(start_day - rng.between(1, 25))
    } else {
        None
    };
    Agent {
        id: format!("A{:05}", idx + 1),
        name,
        team,
        role,
        hire_day,
        leave_day,
        group,
        moved: None,
        extra_group: if rng.chance(0.3) { Some((group + 1) % 6) } else { None },
        shift,
    }
}
