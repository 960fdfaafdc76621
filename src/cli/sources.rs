//! `callcube sources`: the declared source tables and their columns.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::schema::{ColType, DateRule, TABLES};

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Print JSON (for tools) instead of text.
    #[arg(long)]
    json: bool,
}

fn type_name(t: ColType) -> String {
    match t {
        ColType::Str => "str".into(),
        ColType::Int => "int".into(),
        ColType::Dec(p, s) => format!("dec({p},{s})"),
        ColType::Bool => "bool".into(),
        ColType::Ts => "ts".into(),
        ColType::Date => "date".into(),
    }
}

pub fn run(args: SourcesArgs) -> Result<ExitCode> {
    if args.json {
        let tables: Vec<serde_json::Value> = TABLES
            .iter()
            .map(|t| {
                serde_json::json!({
                    "system": t.system,
                    "name": t.name,
                    "key": t.key,
                    "business_date": match t.date { DateRule::Column(c) => c, DateRule::Folder => "(folder date)" },
                    "columns": t.columns.iter().map(|c| serde_json::json!({
                        "name": c.name, "type": type_name(c.ty), "nullable": c.nullable, "allowed": c.allowed,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&tables)?);
        return Ok(ExitCode::SUCCESS);
    }
    for t in TABLES {
        let date = match t.date {
            DateRule::Column(c) => format!("business date from {c}"),
            DateRule::Folder => "business date = delivery folder".into(),
        };
        println!(
            "{} -> {}  (key: {}; {date})",
            t.qualified(),
            t.raw_table_name(),
            t.key.join(", ")
        );
        for c in t.columns {
            let null = if c.nullable { "null" } else { "not null" };
            let allowed = if c.allowed.is_empty() {
                String::new()
            } else {
                format!("  one of: {}", c.allowed.join(", "))
            };
            println!("    {:<24} {:<10} {null}{allowed}", c.name, type_name(c.ty));
        }
    }
    Ok(ExitCode::SUCCESS)
}
