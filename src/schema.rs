//! The source extracts of `sources.md`, declared once as data.
//!
//! The generator writes these columns, landing parses and checks them, and the
//! raw layer's Arrow schema is derived from them, so the three cannot drift.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Value type of a source column (`sources.md`, "Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// UTF-8 text.
    Str,
    /// 64-bit integer.
    Int,
    /// Exact decimal with precision and scale.
    Dec(u8, i8),
    /// `0/1`, `true/false`, `Y/N` (any case).
    Bool,
    /// Local wall-clock `YYYY-MM-DD HH:MM:SS`.
    Ts,
    /// `YYYY-MM-DD`.
    Date,
}

impl ColType {
    /// Arrow type of the column in the raw layer.
    pub fn arrow_type(self) -> DataType {
        match self {
            ColType::Str => DataType::Utf8,
            ColType::Int => DataType::Int64,
            ColType::Dec(p, s) => DataType::Decimal128(p, s),
            ColType::Bool => DataType::Boolean,
            // Wall-clock time of `data_timezone`, so no zone is attached.
            ColType::Ts => DataType::Timestamp(TimeUnit::Microsecond, None),
            ColType::Date => DataType::Date32,
        }
    }

    /// What a value must look like, for reject messages.
    pub fn expected(self) -> &'static str {
        match self {
            ColType::Str => "text",
            ColType::Int => "an integer",
            ColType::Dec(..) => "a decimal number",
            ColType::Bool => "a boolean (0/1, true/false, Y/N)",
            ColType::Ts => "a timestamp YYYY-MM-DD HH:MM:SS",
            ColType::Date => "a date YYYY-MM-DD",
        }
    }
}

/// One column of a source table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnDef {
    /// Canonical column name (after the pipeline's column mapping).
    pub name: &'static str,
    /// Value type.
    pub ty: ColType,
    /// Whether an empty field (NULL) is allowed.
    pub nullable: bool,
    /// For enumerated text columns, the allowed values; empty otherwise.
    pub allowed: &'static [&'static str],
}

const fn req(name: &'static str, ty: ColType) -> ColumnDef {
    ColumnDef {
        name,
        ty,
        nullable: false,
        allowed: &[],
    }
}
const fn opt(name: &'static str, ty: ColType) -> ColumnDef {
    ColumnDef {
        name,
        ty,
        nullable: true,
        allowed: &[],
    }
}
const fn one_of(name: &'static str, allowed: &'static [&'static str]) -> ColumnDef {
    ColumnDef {
        name,
        ty: ColType::Str,
        nullable: false,
        allowed,
    }
}
const fn opt_one_of(name: &'static str, allowed: &'static [&'static str]) -> ColumnDef {
    ColumnDef {
        name,
        ty: ColType::Str,
        nullable: true,
        allowed,
    }
}

use ColType::{Bool, Date, Dec, Int, Str, Ts};

/// Where a row's business date (its raw partition) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// The local date of this column (the table's primary time column).
    Column(&'static str),
    /// The delivery folder's date: snapshots and tables without a time column.
    Folder,
}

/// A row-level rule beyond types, checked at landing.
#[derive(Debug, Clone, Copy)]
pub enum RowCheck {
    /// Seconds or minutes that must be ≥ 0.
    NonNegative(&'static str),
    /// `end` must not be before `start` (`strict`: must be after it).
    Ordered {
        start: &'static str,
        end: &'static str,
        strict: bool,
    },
    /// A number that must lie in `min..=max`.
    Range { column: &'static str, min: i64, max: i64 },
}

/// One source table of `sources.md`.
#[derive(Debug)]
pub struct TableDef {
    /// Source system: `hotline`, `crm`, `boss`, `hr`.
    pub system: &'static str,
    /// Table name within the system.
    pub name: &'static str,
    /// Columns in delivery order.
    pub columns: &'static [ColumnDef],
    /// Columns that identify a row; a key delivered twice keeps the latest delivery.
    pub key: &'static [&'static str],
    /// Where the business date comes from.
    pub date: DateRule,
    /// Row checks beyond types.
    pub checks: &'static [RowCheck],
}

/// Provenance columns appended to every raw table: which delivery a row came from.
/// They decide which duplicate wins and let a user trace a value back to its file.
pub const SRC_FOLDER: &str = "_src_folder";
/// Inbox-relative file the row was read from.
pub const SRC_FILE: &str = "_src_file";
/// 1-based line number within that file (the header is line 1).
pub const SRC_LINE: &str = "_src_line";

impl TableDef {
    /// `system/table`, as used in messages and config keys.
    pub fn qualified(&self) -> String {
        format!("{}/{}", self.system, self.name)
    }

    /// SQL name of the raw table: `raw_<system>_<table>`.
    pub fn raw_table_name(&self) -> String {
        format!("raw_{}_{}", self.system, self.name)
    }

    /// Position of a column by canonical name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// A daily snapshot (or reference list) delivered whole each day: each
    /// folder date is its own version, so a key repeats across dates by design.
    pub fn is_snapshot(&self) -> bool {
        matches!(
            self.name,
            "skill_groups" | "agents" | "subscribers" | "products" | "teams" | "categories"
        )
    }

    /// Arrow schema of the raw layer: the declared columns plus provenance.
    pub fn raw_schema(&self) -> SchemaRef {
        let mut fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| Field::new(c.name, c.ty.arrow_type(), c.nullable))
            .collect();
        fields.push(Field::new(SRC_FOLDER, DataType::Date32, false));
        fields.push(Field::new(SRC_FILE, DataType::Utf8, false));
        fields.push(Field::new(SRC_LINE, DataType::Int64, false));
        Arc::new(Schema::new(fields))
    }
}

static IVR_CALLS: TableDef = TableDef {
    system: "hotline",
    name: "ivr_calls",
    columns: &[
        req("call_id", Str),
        opt("center_id", Str),
        opt("caller", Str),
        opt("city_code", Str),
        opt("brand", Str),
        req("ivr_start", Ts),
        req("ivr_end", Ts),
        one_of("ivr_outcome", &["self_service", "agent_request", "hangup"]),
        opt("self_service_code", Str),
    ],
    key: &["call_id"],
    date: DateRule::Column("ivr_start"),
    checks: &[RowCheck::Ordered {
        start: "ivr_start",
        end: "ivr_end",
        strict: false,
    }],
};

static AGENT_LEGS: TableDef = TableDef {
    system: "hotline",
    name: "agent_legs",
    columns: &[
        req("leg_id", Str),
        req("call_id", Str),
        req("seq", Int),
        one_of("origin", &["ivr", "transfer"]),
        req("skill_group", Str),
        req("queue_start", Ts),
        opt("answer_time", Ts),
        req("end_time", Ts),
        opt("agent_id", Str),
        req("talk_s", Int),
        req("hold_s", Int),
        req("acw_s", Int),
        req("transferred", Bool),
        one_of("released_by", &["customer", "agent", "system"]),
    ],
    key: &["leg_id"],
    date: DateRule::Column("queue_start"),
    checks: &[
        RowCheck::NonNegative("talk_s"),
        RowCheck::NonNegative("hold_s"),
        RowCheck::NonNegative("acw_s"),
        RowCheck::Ordered {
            start: "queue_start",
            end: "end_time",
            strict: false,
        },
        RowCheck::Ordered {
            start: "queue_start",
            end: "answer_time",
            strict: false,
        },
        RowCheck::Ordered {
            start: "answer_time",
            end: "end_time",
            strict: false,
        },
    ],
};

static SKILL_GROUPS: TableDef = TableDef {
    system: "hotline",
    name: "skill_groups",
    columns: &[
        req("skill_group", Str),
        opt("center_id", Str),
        req("name", Str),
        opt("brand", Str),
        opt_one_of(
            "routing_mode",
            &["by_brand", "brand_region_fixed", "brand_region_tiered"],
        ),
    ],
    key: &["skill_group"],
    date: DateRule::Folder,
    checks: &[],
};

static AGENT_STATES: TableDef = TableDef {
    system: "hotline",
    name: "agent_states",
    columns: &[
        req("agent_id", Str),
        one_of("state", &["READY", "NOT_READY", "TALK", "HOLD", "ACW"]),
        opt_one_of("reason", &["break", "meal", "training", "meeting", "other"]),
        req("start_ts", Ts),
        req("end_ts", Ts),
    ],
    key: &["agent_id", "start_ts"],
    date: DateRule::Column("start_ts"),
    checks: &[RowCheck::Ordered {
        start: "start_ts",
        end: "end_ts",
        strict: true,
    }],
};

static SURVEYS: TableDef = TableDef {
    system: "hotline",
    name: "surveys",
    columns: &[
        req("survey_id", Str),
        req("leg_id", Str),
        opt("agent_id", Str),
        one_of("channel", &["ivr", "sms", "wechat"]),
        // Any integer: values outside 1..=3 are invalid key presses, which the
        // metrics ignore, not bad rows.
        opt("result", Int),
        opt_one_of("reason", &["attitude", "skill", "process", "other"]),
        req("survey_ts", Ts),
    ],
    key: &["survey_id"],
    date: DateRule::Column("survey_ts"),
    checks: &[],
};

static OFFERS: TableDef = TableDef {
    system: "hotline",
    name: "offers",
    columns: &[
        req("offer_id", Str),
        req("leg_id", Str),
        opt("agent_id", Str),
        req("campaign_id", Str),
        req("product_code", Str),
        req("popup_ts", Ts),
        opt("pitch_s", Int),
        req("recommended", Bool),
        req("accepted", Bool),
        opt("order_id", Str),
    ],
    key: &["offer_id"],
    date: DateRule::Column("popup_ts"),
    checks: &[RowCheck::NonNegative("pitch_s")],
};

static CONTACTS: TableDef = TableDef {
    system: "crm",
    name: "contacts",
    columns: &[
        req("leg_id", Str),
        req("call_id", Str),
        opt("caller", Str),
        one_of(
            "request_type",
            &["consult", "query", "handle", "complaint", "suggestion", "other"],
        ),
        opt("business_code", Str),
        req("guided_to_self_service", Bool),
        req("indirect", Bool),
        req("misrouted", Bool),
        opt("work_order_id", Str),
    ],
    key: &["leg_id"],
    // No time column in the extract: the folder is the only date it carries.
    date: DateRule::Folder,
    checks: &[],
};

static WORK_ORDERS: TableDef = TableDef {
    system: "crm",
    name: "work_orders",
    columns: &[
        req("wo_id", Str),
        opt("call_id", Str),
        opt("caller", Str),
        opt("city_code", Str),
        opt("brand", Str),
        one_of("wo_type", &["complaint", "suggestion", "requirement", "refund"]),
        opt("category_code", Str),
        opt("service_complaint", Bool),
        opt("established", Bool),
        one_of(
            "escalation_source",
            &[
                "none",
                "hotline_repeat",
                "higher_level",
                "government",
                "social_organisation",
                "media",
                "regulator",
                "supervision_hotline",
            ],
        ),
        req("accepted_ts", Ts),
        opt("closed_ts", Ts),
        opt("archived_ts", Ts),
        one_of("status", &["open", "closed", "archived"]),
        opt("refund_amount", Dec(12, 2)),
        opt("transfer_correct", Bool),
        opt_one_of(
            "satisfaction",
            &["very_satisfied", "satisfied", "neutral", "unsatisfied"],
        ),
    ],
    key: &["wo_id"],
    date: DateRule::Column("accepted_ts"),
    checks: &[
        RowCheck::Ordered {
            start: "accepted_ts",
            end: "closed_ts",
            strict: false,
        },
        RowCheck::Ordered {
            start: "closed_ts",
            end: "archived_ts",
            strict: false,
        },
    ],
};

static CATEGORIES: TableDef = TableDef {
    system: "crm",
    name: "categories",
    columns: &[
        req("category_code", Str),
        opt("parent_code", Str),
        req("name", Str),
        req("level", Int),
    ],
    key: &["category_code"],
    date: DateRule::Folder,
    checks: &[RowCheck::Range {
        column: "level",
        min: 1,
        max: 9,
    }],
};

static ORDERS: TableDef = TableDef {
    system: "boss",
    name: "orders",
    columns: &[
        req("order_id", Str),
        opt("msisdn", Str),
        one_of("channel", &["hotline", "web", "sms", "app", "store", "batch"]),
        opt("call_id", Str),
        opt("agent_id", Str),
        req("product_code", Str),
        one_of(
            "op_type",
            &[
                "subscribe",
                "unsubscribe",
                "change",
                "points",
                "payment",
                "suspend",
                "resume",
            ],
        ),
        one_of("status", &["success", "failed"]),
        req("created_ts", Ts),
        req("amount", Dec(12, 2)),
        req("marketing", Bool),
    ],
    key: &["order_id"],
    date: DateRule::Column("created_ts"),
    checks: &[],
};

static SUBSCRIBERS: TableDef = TableDef {
    system: "boss",
    name: "subscribers",
    columns: &[
        req("msisdn", Str),
        opt("city_code", Str),
        opt("brand", Str),
        opt("plan_code", Str),
        one_of("network", &["4g", "5g"]),
        req("device_5g", Bool),
        req("tenure_months", Int),
        opt("arpu_3m", Dec(10, 2)),
        one_of("status", &["active", "suspended", "arrears", "closed"]),
        opt("points", Int),
    ],
    key: &["msisdn"],
    date: DateRule::Folder,
    checks: &[RowCheck::NonNegative("tenure_months")],
};

static PRODUCTS: TableDef = TableDef {
    system: "boss",
    name: "products",
    columns: &[
        req("product_code", Str),
        req("name", Str),
        opt("category", Str),
        req("unit_price", Dec(10, 2)),
        req("commission", Dec(10, 2)),
    ],
    key: &["product_code"],
    date: DateRule::Folder,
    checks: &[],
};

static AGENTS: TableDef = TableDef {
    system: "hr",
    name: "agents",
    columns: &[
        req("agent_id", Str),
        opt("name", Str),
        req("team_id", Str),
        opt("site", Str),
        req("hire_date", Date),
        opt("leave_date", Date),
        opt("skill_groups", Str),
        opt("primary_skill_group", Str),
        one_of(
            "role",
            &[
                "agent",
                "online_agent",
                "team_leader",
                "qa_inspector",
                "trainer",
                "manager",
            ],
        ),
    ],
    key: &["agent_id"],
    date: DateRule::Folder,
    checks: &[RowCheck::Ordered {
        start: "hire_date",
        end: "leave_date",
        strict: false,
    }],
};

static TEAMS: TableDef = TableDef {
    system: "hr",
    name: "teams",
    columns: &[
        req("team_id", Str),
        req("center_id", Str),
        req("name", Str),
        opt("site", Str),
        opt("supervisor_id", Str),
    ],
    key: &["team_id"],
    date: DateRule::Folder,
    checks: &[],
};

static SCHEDULES: TableDef = TableDef {
    system: "hr",
    name: "schedules",
    columns: &[
        req("agent_id", Str),
        req("work_date", Date),
        req("shift_start", Ts),
        req("shift_end", Ts),
        opt("meal_start", Ts),
        req("meal_minutes", Int),
    ],
    key: &["agent_id", "shift_start"],
    date: DateRule::Column("work_date"),
    checks: &[
        RowCheck::Ordered {
            start: "shift_start",
            end: "shift_end",
            strict: true,
        },
        RowCheck::NonNegative("meal_minutes"),
    ],
};

static QA_INSPECTIONS: TableDef = TableDef {
    system: "hr",
    name: "qa_inspections",
    columns: &[
        req("inspection_id", Str),
        req("leg_id", Str),
        opt("agent_id", Str),
        req("inspected_at", Ts),
        req("score", Dec(5, 2)),
    ],
    key: &["inspection_id"],
    date: DateRule::Column("inspected_at"),
    checks: &[RowCheck::Range {
        column: "score",
        min: 0,
        max: 100,
    }],
};

static EXAMS: TableDef = TableDef {
    system: "hr",
    name: "exams",
    columns: &[
        req("agent_id", Str),
        req("exam_date", Date),
        req("subject", Str),
        req("score", Dec(5, 2)),
    ],
    key: &["agent_id", "exam_date", "subject"],
    date: DateRule::Column("exam_date"),
    checks: &[RowCheck::Range {
        column: "score",
        min: 0,
        max: 100,
    }],
};

/// Every source table, in `sources.md` order.
pub static TABLES: &[&TableDef] = &[
    &IVR_CALLS,
    &AGENT_LEGS,
    &SKILL_GROUPS,
    &AGENT_STATES,
    &SURVEYS,
    &OFFERS,
    &CONTACTS,
    &WORK_ORDERS,
    &CATEGORIES,
    &ORDERS,
    &SUBSCRIBERS,
    &PRODUCTS,
    &AGENTS,
    &TEAMS,
    &SCHEDULES,
    &QA_INSPECTIONS,
    &EXAMS,
];

/// Look a table up by `system/table` (or `system.table`).
pub fn table(qualified: &str) -> Option<&'static TableDef> {
    let (system, name) = qualified.split_once(['/', '.'])?;
    TABLES.iter().copied().find(|t| t.system == system && t.name == name)
}

/// The source systems, in delivery order.
pub const SYSTEMS: &[&str] = &["hotline", "crm", "boss", "hr"];
