//! The same inputs give the same tables, bit for bit (issue 15): a generated
//! warehouse built with one partition, and again from the same raw files laid
//! down in reverse order with four partitions and a smaller memory pool, holds
//! equal values in every conformed, cube, mart and model table — compared as
//! text of full precision, not within a tolerance. A build in a pool small
//! enough to spill gives the same tables too.

use std::path::{Path, PathBuf};

use callcube::config::{EngineConfig, Params};
use callcube::generate::{GenerateOptions, generate};
use callcube::timefmt::parse_date;

use crate::common::{Scratch, query, to_strings};
use crate::fixture::{build_with_engine, try_build_with_engine};

fn sql_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sql")
}

/// Copy `from` into `to`, entries of each folder in reverse name order, so
/// the file system lists them differently.
fn copy_reversed(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    entries.reverse();
    for p in entries {
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_reversed(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Every table the build wrote: conformed, cube and marts.
pub(crate) fn built_tables(root: &Path) -> Vec<String> {
    callcube::warehouse::table_dirs(root)
        .into_iter()
        .map(|t| t.name)
        .filter(|n| n.starts_with("conformed_") || n.starts_with("cube_") || n.starts_with("marts_"))
        .collect()
}

/// A table's rows as full-precision text, sorted (row order is not content).
pub(crate) fn rows_of(root: &Path, table: &str) -> Vec<Vec<String>> {
    let mut rows = to_strings(&query(root, &format!("SELECT * FROM {table}")));
    rows.sort();
    rows
}

/// A warehouse with two generated days landed (defects included).
fn generated_warehouse() -> Scratch {
    let a = Scratch::new();
    generate(&GenerateOptions {
        seed: 20261102,
        days: 2,
        start_day: parse_date(b"2026-11-16").unwrap(),
        scale: 0.003,
        out: a.inbox(),
        gbk: vec![],
        gzip: vec![],
        defects: true,
    })
    .unwrap();
    a.land_all("2026-11-16", &[]);
    a.land_all("2026-11-17", &[]);
    a
}

/// `from`'s raw tables and customer-key secret in a new scratch warehouse.
fn same_inputs(from: &Scratch) -> Scratch {
    let b = Scratch::new();
    copy_reversed(&from.warehouse_root().join("raw"), &b.warehouse_root().join("raw"));
    copy_reversed(
        &from.warehouse_root().join("_secrets"),
        &b.warehouse_root().join("_secrets"),
    );
    b
}

/// Every conformed, cube and mart table of `a` equals `b`'s, row by row.
fn assert_same_tables(a: &Path, b: &Path) {
    let tables = built_tables(a);
    assert_eq!(tables, built_tables(b));
    assert!(tables.len() > 50, "every model and mart was built: {tables:?}");
    for t in &tables {
        let (ra, rb) = (rows_of(a, t), rows_of(b, t));
        assert_eq!(ra.len(), rb.len(), "{t}: row counts differ");
        for (x, y) in ra.iter().zip(&rb) {
            assert_eq!(x, y, "{t}: a row differs");
        }
    }
}

/// The pool of the spilling build, in MiB: the build needs more, so its sorts,
/// aggregations and joins write to disk (the control below proves it).
const SPILLING_POOL_MB: u64 = 24;

#[test]
fn a_build_that_spills_to_disk_gives_the_same_tables() {
    let a = generated_warehouse();
    let params = Params::default();
    build_with_engine(&a.warehouse_root(), &params, &sql_dir(), true, &EngineConfig::default());

    let small = |max_spill_mb| EngineConfig {
        target_partitions: Some(2),
        memory_limit_mb: SPILLING_POOL_MB,
        max_spill_mb,
        ..EngineConfig::default()
    };
    // The control: in the same pool with no disk to spill to, the build fails on the disk limit.
    let control = same_inputs(&a);
    let err = try_build_with_engine(&control.warehouse_root(), &params, &sql_dir(), true, &small(Some(0)))
        .expect_err("the small pool needs the disk");
    assert!(format!("{err}").contains("exceeded the allowable limit"), "{err}");

    let b = same_inputs(&a);
    build_with_engine(&b.warehouse_root(), &params, &sql_dir(), true, &small(None));
    assert_same_tables(&a.warehouse_root(), &b.warehouse_root());
}

#[test]
fn every_table_is_the_same_whatever_the_partitions_and_listing_order() {
    let a = generated_warehouse();
    let b = Scratch::new();
    copy_reversed(&a.warehouse_root().join("raw"), &b.warehouse_root().join("raw"));

    let params = Params::default();
    let one = EngineConfig {
        target_partitions: Some(1),
        ..EngineConfig::default()
    };
    let four = EngineConfig {
        target_partitions: Some(4),
        memory_limit_mb: 256,
        ..EngineConfig::default()
    };
    build_with_engine(&a.warehouse_root(), &params, &sql_dir(), true, &one);
    // The same customer-key secret, or every customer key differs.
    copy_reversed(
        &a.warehouse_root().join("_secrets"),
        &b.warehouse_root().join("_secrets"),
    );
    build_with_engine(&b.warehouse_root(), &params, &sql_dir(), true, &four);

    assert_same_tables(&a.warehouse_root(), &b.warehouse_root());

    // Min-max peer scores: the lowest peer exactly 0, the highest exactly 100,
    // for every indicator whose peers do not all tie (then every peer is 100).
    for i in 1..=7 {
        let sql = format!(
            "SELECT level, month, center_id, CAST(MIN(d{i}_score) AS VARCHAR), CAST(MAX(d{i}_score) AS VARCHAR), \
             COUNT(DISTINCT d{i}_score) FROM marts_agent_performance_monthly \
             WHERE is_peer AND d{i}_score IS NOT NULL GROUP BY 1, 2, 3"
        );
        let groups = to_strings(&query(&a.warehouse_root(), &sql));
        assert!(!groups.is_empty(), "D{i} has peers");
        for g in groups {
            let (lo, hi, distinct) = (&g[3], &g[4], &g[5]);
            if distinct == "1" {
                assert_eq!(hi, "100.0", "D{i}: all peers tie at 100: {g:?}");
            } else {
                assert_eq!((lo.as_str(), hi.as_str()), ("0.0", "100.0"), "D{i} bounds: {g:?}");
            }
        }
    }
}
