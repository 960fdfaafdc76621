//! `callcube generate`: synthetic but internally consistent extracts of every
//! source table, from a discrete-event simulation of a province hotline.

mod acd;
mod csvout;
mod rng;
mod tables;
mod world;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::timefmt::date_string;
use csvout::TableOut;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Seed: the same seed and options give byte-identical files.
    pub seed: u64,
    /// Number of business days.
    pub days: i64,
    /// First business day (days since the epoch).
    pub start_day: i64,
    /// 1.0 = one province-day (≈1.5 M IVR calls, ≈400 k legs, ≈3,000 agents).
    pub scale: f64,
    /// Inbox folder to write into (`<out>/<system>/<table>/<date>/…`).
    pub out: PathBuf,
    /// Tables (`system/table`) delivered GBK-encoded.
    pub gbk: Vec<String>,
    /// Tables delivered as `.csv.gz`.
    pub gzip: Vec<String>,
    /// Plant bad rows, at least one per reject reason, on the first day.
    pub defects: bool,
}

/// Rows and bytes written, per table.
#[derive(Debug, Default)]
pub struct GenerateSummary {
    /// (`system/table`, rows, bytes written)
    pub tables: Vec<(String, u64, u64)>,
}

/// Generate the extracts.
pub fn generate(opts: &GenerateOptions) -> Result<GenerateSummary> {
    validate(opts)?;
    let world = world::World::new(opts.seed, opts.scale, opts.start_day, opts.days);
    let traffic = acd::simulate(&world);
    let mut outs: Vec<TableOut> = Vec::new();
    let ((a, b), (c, d)) = rayon::join(
        || {
            rayon::join(
                || tables::ivr_calls(&world, &traffic.calls),
                || tables::agent_legs(&world, &traffic.legs),
            )
        },
        || {
            rayon::join(
                || tables::agent_states(&world, &traffic),
                || tables::crm(&world, &traffic),
            )
        },
    );
    outs.extend([a, b, c]);
    outs.extend([d.contacts, d.surveys, d.offers, d.work_orders, d.orders, d.qa]);
    outs.push(tables::skill_groups(&world));
    outs.extend(tables::reference_tables(&world));
    outs.push(tables::agents(&world));
    outs.push(tables::schedules(&world, &traffic));
    outs.push(tables::exams(&world));
    outs.push(tables::subscribers(&world));
    repeat_some_deliveries(&mut outs);
    if opts.defects {
        plant_defects(&mut outs, opts.start_day);
    }
    outs.sort_by_key(|t| {
        (
            crate::schema::TABLES.iter().position(|d| std::ptr::eq(*d, t.table)),
            t.table.name,
        )
    });
    let written: Vec<Result<(String, u64, u64)>> = outs.par_iter().map(|t| write_table(t, opts)).collect();
    let mut summary = GenerateSummary::default();
    for w in written {
        summary.tables.push(w?);
    }
    Ok(summary)
}

fn validate(opts: &GenerateOptions) -> Result<()> {
    if opts.days < 1 {
        bail!("--days must be at least 1");
    }
    if !(opts.scale > 0.0 && opts.scale <= 10.0) {
        bail!("--scale must be in (0, 10], got {}", opts.scale);
    }
    for name in opts.gbk.iter().chain(&opts.gzip) {
        if crate::schema::table(name).is_none() {
            bail!("unknown table `{name}`: expected system/table, e.g. hr/agents");
        }
    }
    Ok(())
}

/// Sources re-send data: every 50th survey of a day comes again in a second
/// file of the same folder, identical (a repeated delivery).
fn repeat_some_deliveries(outs: &mut [TableOut]) {
    for t in outs.iter_mut().filter(|t| t.table.name == "surveys") {
        let mains: Vec<(i64, Vec<u8>)> = t
            .files
            .iter()
            .filter(|((_, f), _)| f == csvout::MAIN_FILE)
            .map(|((d, _), b)| (*d, b.clone()))
            .collect();
        for (day, body) in mains {
            let again: Vec<u8> = body
                .split_inclusive(|&b| b == b'\n')
                .step_by(50)
                .flat_map(|l| l.iter().copied())
                .collect();
            if !again.is_empty() {
                t.files.insert((day, "part-0002".to_string()), again);
            }
        }
    }
}

/// One bad row per reject reason, appended to the first day's files. Their ids
/// start with `BAD` so they are easy to find.
fn plant_defects(outs: &mut [TableOut], day: i64) {
    let d = date_string(day);
    let rows: &[(&str, String)] = &[
        // column_count: the last field is missing
        (
            "hotline/ivr_calls",
            format!("BAD-CALL-1,C01,13800000001,571,gotone,{d} 10:00:00,{d} 10:01:00,self_service"),
        ),
        // missing_value: call_id is required
        (
            "hotline/ivr_calls",
            format!(",C01,13800000002,571,gotone,{d} 10:00:00,{d} 10:01:00,hangup,"),
        ),
        // unknown_enum: no such outcome
        (
            "hotline/ivr_calls",
            format!("BAD-CALL-3,C01,13800000003,571,gotone,{d} 10:00:00,{d} 10:01:00,voicemail,"),
        ),
        // end_before_start: the IVR ended before it started
        (
            "hotline/ivr_calls",
            format!("BAD-CALL-4,C01,13800000004,571,gotone,{d} 10:00:00,{d} 09:59:00,hangup,"),
        ),
        // unparsable: talk_s is not a number
        (
            "hotline/agent_legs",
            format!(
                "BAD-LEG-1,CL000000001,1,ivr,SG01,{d} 10:00:00,{d} 10:00:05,{d} 10:02:00,A00002,12x,0,10,0,customer"
            ),
        ),
        // negative_duration: hold_s < 0
        (
            "hotline/agent_legs",
            format!(
                "BAD-LEG-2,CL000000001,1,ivr,SG01,{d} 10:00:00,{d} 10:00:05,{d} 10:02:00,A00002,100,-5,10,0,customer"
            ),
        ),
        // end_before_start on a state row
        (
            "hotline/agent_states",
            format!("A00002,READY,,{d} 03:10:00,{d} 03:00:00"),
        ),
        // unparsable timestamp
        (
            "hotline/surveys",
            format!("BAD-SURVEY-1,LG000000001,A00002,ivr,1,,{d} 25:61:00"),
        ),
        // unknown_enum in CRM
        (
            "crm/contacts",
            "BAD-LEG-3,CL000000001,13800000005,complain,GENERAL,0,0,0,".to_string(),
        ),
        // out_of_range: a QA score above 100
        (
            "hr/qa_inspections",
            format!("BAD-QA-1,LG000000001,A00002,{d} 11:00:00,120.00"),
        ),
    ];
    for (table, row) in rows {
        if let Some(t) = outs.iter_mut().find(|t| t.table.qualified() == *table) {
            let f = t.files.entry((day, csvout::MAIN_FILE.to_string())).or_default();
            f.extend_from_slice(row.as_bytes());
            f.push(b'\n');
        }
    }
    // undecodable: a byte sequence that is not GBK (0x81 must be followed by 0x40..0xFE),
    // only meaningful in a GBK-delivered table, so it is planted at write time.
}

/// The planted undecodable row of a GBK table (see `plant_defects`).
fn undecodable_row(day: i64) -> Vec<u8> {
    let mut row = b"BAD-AGENT-1,".to_vec();
    row.extend_from_slice(&[0x81, 0x20, 0xFF]);
    row.extend_from_slice(format!(",T001,HZ-West,{},,SG01,SG01,agent\n", date_string(day - 100)).as_bytes());
    row
}

fn write_table(t: &TableOut, opts: &GenerateOptions) -> Result<(String, u64, u64)> {
    let name = t.table.qualified();
    let gbk = opts.gbk.contains(&name);
    let gzip = opts.gzip.contains(&name);
    let (mut rows, mut bytes) = (0u64, 0u64);
    for ((day, file), body) in &t.files {
        let dir = opts.out.join(t.table.system).join(t.table.name).join(date_string(*day));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut content = t.header();
        content.extend_from_slice(body);
        rows += body.iter().filter(|&&b| b == b'\n').count() as u64;
        if gbk {
            let text = String::from_utf8(content).context("generated rows are UTF-8")?;
            let (encoded, _, unmappable) = encoding_rs::GBK.encode(&text);
            if unmappable {
                bail!("{name}: a generated value has no GBK encoding");
            }
            content = encoded.into_owned();
            if opts.defects && *day == opts.start_day && file == csvout::MAIN_FILE {
                content.extend_from_slice(&undecodable_row(*day));
                rows += 1;
            }
        }
        let path = dir.join(format!("{file}.csv{}", if gzip { ".gz" } else { "" }));
        bytes += write_file(&path, &content, gzip)?;
    }
    Ok((name, rows, bytes))
}

fn write_file(path: &Path, content: &[u8], gzip: bool) -> Result<u64> {
    let data = if gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(content)?;
        enc.finish()?
    } else {
        content.to_vec()
    };
    std::fs::write(path, &data).with_context(|| format!("writing {}", path.display()))?;
    Ok(data.len() as u64)
}
