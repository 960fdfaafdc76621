//! Writing extract rows: CSV text per (table, delivery folder, file).

use std::collections::BTreeMap;

use crate::schema::TableDef;
use crate::timefmt::{DAY_S, write_date, write_ts};

/// One field of an extract row.
#[derive(Debug, Clone, Copy)]
pub enum F<'a> {
    S(&'a str),
    I(i64),
    /// Epoch seconds, written as a local timestamp.
    T(i64),
    /// Days since the epoch, written as a date.
    D(i64),
    B(bool),
    /// Hundredths, written with two decimals.
    Cents(i64),
    Null,
}

impl<'a> F<'a> {
    pub fn opt_s(v: Option<&'a str>) -> F<'a> {
        v.map_or(F::Null, F::S)
    }
    pub fn opt_t(v: Option<i64>) -> F<'a> {
        v.map_or(F::Null, F::T)
    }
    pub fn opt_b(v: Option<bool>) -> F<'a> {
        v.map_or(F::Null, F::B)
    }
}

/// Append one CSV row.
pub fn put_row(buf: &mut Vec<u8>, fields: &[F<'_>]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        match *f {
            F::S(s) => {
                if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
                    buf.push(b'"');
                    buf.extend_from_slice(s.replace('"', "\"\"").as_bytes());
                    buf.push(b'"');
                } else {
                    buf.extend_from_slice(s.as_bytes());
                }
            }
            F::I(v) => buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
            F::T(t) => write_ts(buf, t),
            F::D(d) => write_date(buf, d),
            F::B(b) => buf.push(if b { b'1' } else { b'0' }),
            F::Cents(c) => {
                if c < 0 {
                    buf.push(b'-');
                }
                let c = c.abs();
                buf.extend_from_slice(itoa::Buffer::new().format(c / 100).as_bytes());
                buf.push(b'.');
                buf.push(b'0' + (c % 100 / 10) as u8);
                buf.push(b'0' + (c % 10) as u8);
            }
            F::Null => {}
        }
    }
    buf.push(b'\n');
}

/// The rows of one table, per delivery folder (day) and file name.
#[derive(Debug)]
pub struct TableOut {
    pub table: &'static TableDef,
    /// (folder day, file name) -> CSV body without header.
    pub files: BTreeMap<(i64, String), Vec<u8>>,
}

/// The ordinary file of a delivery.
pub const MAIN_FILE: &str = "part-0001";

impl TableOut {
    pub fn new(table: &'static TableDef) -> Self {
        TableOut {
            table,
            files: BTreeMap::new(),
        }
    }

    /// Append a row to the main file of folder `day`.
    pub fn put(&mut self, day: i64, fields: &[F<'_>]) {
        debug_assert_eq!(fields.len(), self.table.columns.len(), "{}", self.table.name);
        put_row(self.files.entry((day, MAIN_FILE.to_string())).or_default(), fields);
    }

    /// Make sure folder `day` has a main file even when it has no rows.
    pub fn touch(&mut self, day: i64) {
        self.files.entry((day, MAIN_FILE.to_string())).or_default();
    }

    /// The header line.
    pub fn header(&self) -> Vec<u8> {
        let mut h = self
            .table
            .columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(",")
            .into_bytes();
        h.push(b'\n');
        h
    }
}

/// Business day of epoch seconds.
pub fn day_of(ts: i64) -> i64 {
    ts.div_euclid(DAY_S)
}
