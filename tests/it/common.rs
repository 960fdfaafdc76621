//! Helpers shared by the integration tests: temporary inboxes and warehouses,
//! hand-written extract files, and SQL over the result.

use std::path::{Path, PathBuf};

use callcube::engine;
use callcube::ingest::{LandReport, SourceTable, land_day};
use callcube::schema::TABLES;
use callcube::timefmt::parse_date;
use callcube::warehouse::{Warehouse, WarehouseUrl};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::array_value_to_string;

/// A scratch inbox and warehouse that disappear with the test.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    pub fn inbox(&self) -> PathBuf {
        self.dir.path().join("inbox")
    }
    pub fn warehouse_root(&self) -> PathBuf {
        self.dir.path().join("warehouse")
    }
    pub fn warehouse(&self) -> Warehouse {
        Warehouse::open(&WarehouseUrl::Local(self.warehouse_root())).expect("open warehouse")
    }

    /// Write a delivery file: `<inbox>/<table>/<date>/<file>` with `body` as given.
    pub fn deliver(&self, table: &str, date: &str, file: &str, body: &[u8]) -> PathBuf {
        let (system, name) = table.split_once('/').expect("system/table");
        let dir = self.inbox().join(system).join(name).join(date);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(file);
        std::fs::write(&path, body).unwrap();
        path
    }

    /// Land folder `date` of the given tables (standard delivery settings).
    pub fn land(&self, tables: &[&str], date: &str) -> callcube::error::Result<LandReport> {
        let sources: Vec<SourceTable> = tables
            .iter()
            .map(|t| SourceTable::standard(callcube::schema::table(t).expect("known table")))
            .collect();
        self.land_with(&sources, date)
    }

    pub fn land_with(&self, sources: &[SourceTable], date: &str) -> callcube::error::Result<LandReport> {
        let day = parse_date(date.as_bytes()).expect("date");
        land_day(&self.inbox(), &self.warehouse(), sources, day, "test-run")
    }

    /// Land every table of folder `date`.
    pub fn land_all(&self, date: &str, gbk: &[&str]) -> LandReport {
        let sources: Vec<SourceTable> = TABLES
            .iter()
            .map(|t| {
                let mut s = SourceTable::standard(t);
                if gbk.contains(&t.qualified().as_str()) {
                    s.encoding = callcube::ingest::Encoding::Gbk;
                }
                s
            })
            .collect();
        self.land_with(&sources, date).expect("landing succeeds")
    }

    /// Run SQL over the warehouse.
    pub fn sql(&self, sql: &str) -> Vec<RecordBatch> {
        query(&self.warehouse_root(), sql)
    }

    /// Rows of a query as strings (NULL as "NULL").
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        to_strings(&self.sql(sql))
    }

    /// A single integer.
    pub fn count(&self, sql: &str) -> i64 {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql}");
        rows[0][0].parse().unwrap_or_else(|_| panic!("{sql}: {:?}", rows[0][0]))
    }
}

pub fn query(root: &Path, sql: &str) -> Vec<RecordBatch> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (ctx, _) = engine::session(root).await.expect("session");
        engine::query(&ctx, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    })
}

pub fn to_strings(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            out.push(
                b.columns()
                    .iter()
                    .map(|c| {
                        if c.is_null(r) {
                            "NULL".to_string()
                        } else {
                            array_value_to_string(c, r).unwrap()
                        }
                    })
                    .collect(),
            );
        }
    }
    out
}

/// Every file under `dir` with its bytes, sorted by relative path.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().to_string_lossy().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// The header line of a table, comma-separated.
pub fn header(table: &str) -> String {
    callcube::schema::table(table)
        .unwrap()
        .columns
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(",")
}

/// A CSV body: header + rows.
pub fn csv(table: &str, rows: &[&str]) -> Vec<u8> {
    let mut s = header(table);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

/// Raw partition files of the warehouse (provenance manifests and ledger excluded).
pub fn raw_files(s: &Scratch) -> Vec<(String, Vec<u8>)> {
    snapshot(&s.warehouse_root())
        .into_iter()
        .filter(|(p, _)| p.starts_with("raw/") || p.starts_with("rejects/"))
        .collect()
}

/// Copy the folder `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
