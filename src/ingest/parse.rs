//! Parsing records of one extract file into typed Arrow columns, with every
//! bad row kept as a reject that names its line and the reason.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::record_batch::RecordBatch;

use super::csvsplit::{Fields, record_end, trim_newline};
use super::rejects::{Reason, Reject};
use crate::schema::{ColType, ColumnDef, DateRule, RowCheck, TableDef};
use crate::timefmt::{DAY_S, parse_date, parse_ts};

/// A parsed field value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    Null,
    /// Byte range of the field within the record (or scratch); strings are copied at append.
    Str,
    Int(i64),
    Dec(i128),
    Bool(bool),
    /// Epoch seconds.
    Ts(i64),
    /// Epoch days.
    Date(i64),
}

impl Val {
    /// A comparable number for range and order checks (timestamps in seconds, dates in days × 86400).
    fn ordinal(self) -> Option<i128> {
        match self {
            Val::Int(v) | Val::Ts(v) => Some(i128::from(v)),
            Val::Date(d) => Some(i128::from(d * DAY_S)),
            Val::Dec(v) => Some(v),
            _ => None,
        }
    }
}

enum Builder {
    Str(StringBuilder),
    Int(Int64Builder),
    Dec(Decimal128Builder),
    Bool(BooleanBuilder),
    Ts(TimestampMicrosecondBuilder),
    Date(Date32Builder),
}

impl Builder {
    fn new(ty: ColType, cap: usize) -> Builder {
        match ty {
            ColType::Str => Builder::Str(StringBuilder::with_capacity(cap, cap * 8)),
            ColType::Int => Builder::Int(Int64Builder::with_capacity(cap)),
            ColType::Dec(p, s) => Builder::Dec(
                Decimal128Builder::with_capacity(cap)
                    .with_precision_and_scale(p, s)
                    .expect("declared decimals are valid"),
            ),
            ColType::Bool => Builder::Bool(BooleanBuilder::with_capacity(cap)),
            ColType::Ts => Builder::Ts(TimestampMicrosecondBuilder::with_capacity(cap)),
            ColType::Date => Builder::Date(Date32Builder::with_capacity(cap)),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Dec(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Ts(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
        }
    }
}

/// How one file's header maps onto the table's declared columns.
#[derive(Debug, Clone)]
pub struct Layout {
    /// For each declared column, its position in the file's records.
    pub positions: Vec<usize>,
    /// Number of fields each record must have.
    pub width: usize,
    /// Field delimiter.
    pub delimiter: u8,
}

/// The rows of one chunk of one file, typed.
pub struct Parsed {
    /// Declared columns (no provenance yet).
    pub columns: Vec<ArrayRef>,
    /// 1-based line number of each row.
    pub lines: Vec<i64>,
    /// Business date (epoch days) of each row.
    pub dates: Vec<i32>,
    /// Rows that failed.
    pub rejects: Vec<Reject>,
    /// Records read (good + bad).
    pub read: u64,
}

/// Parse records of `text[start..end]`, whose first record is on line `first_line`.
pub fn parse_chunk(
    table: &TableDef,
    layout: &Layout,
    text: &[u8],
    (start, end): (usize, usize),
    first_line: u64,
    folder_day: i64,
) -> Parsed {
    let cap = (end - start) / 64 + 16;
    let mut builders: Vec<Builder> = table.columns.iter().map(|c| Builder::new(c.ty, cap)).collect();
    let mut out = Parsed {
        columns: Vec::new(),
        lines: Vec::with_capacity(cap),
        dates: Vec::with_capacity(cap),
        rejects: Vec::new(),
        read: 0,
    };
    let mut fields = Fields::default();
    let mut vals: Vec<Val> = vec![Val::Null; table.columns.len()];
    let date_col = match table.date {
        DateRule::Column(c) => Some(table.column_index(c).expect("date column is declared")),
        DateRule::Folder => None,
    };
    let (mut pos, mut line) = (start, first_line);
    while pos < end {
        let rec_end = record_end(text, pos).min(end);
        let raw = &text[pos..rec_end];
        let record = trim_newline(raw);
        let this_line = line;
        line += memchr::memchr_iter(b'\n', raw).count() as u64;
        pos = rec_end;
        if record.is_empty() {
            continue;
        }
        out.read += 1;
        fields.split(record, layout.delimiter);
        let result = if fields.len() != layout.width {
            Err((
                None,
                Reason::ColumnCount {
                    expected: layout.width,
                    found: fields.len(),
                },
            ))
        } else {
            parse_values(table, layout, &fields, record, &mut vals).and_then(|()| check_row(table, &vals))
        };
        match result {
            Ok(()) => {
                for (i, col) in table.columns.iter().enumerate() {
                    append(&mut builders[i], col, vals[i], fields.get(record, layout.positions[i]));
                }
                let day = match date_col.map(|c| vals[c]) {
                    Some(Val::Ts(t)) => t.div_euclid(DAY_S),
                    Some(Val::Date(d)) => d,
                    _ => folder_day,
                };
                out.lines.push(this_line as i64);
                out.dates.push(day as i32);
            }
            Err((column, reason)) => out.rejects.push(Reject {
                line: this_line,
                column: column.map(str::to_string),
                reason,
                raw: String::from_utf8_lossy(record).into_owned(),
            }),
        }
    }
    out.columns = builders.iter_mut().map(Builder::finish).collect();
    out
}

type RowError = (Option<&'static str>, Reason);

fn parse_values(
    table: &TableDef,
    layout: &Layout,
    fields: &Fields,
    record: &[u8],
    vals: &mut [Val],
) -> Result<(), RowError> {
    for (i, col) in table.columns.iter().enumerate() {
        let raw = fields.get(record, layout.positions[i]);
        vals[i] = parse_value(col, raw).map_err(|r| (Some(col.name), r))?;
    }
    Ok(())
}

fn parse_value(col: &ColumnDef, raw: &[u8]) -> Result<Val, Reason> {
    let trimmed = raw.trim_ascii();
    if trimmed.is_empty() {
        return if col.nullable {
            Ok(Val::Null)
        } else {
            Err(Reason::MissingValue)
        };
    }
    let bad = || Reason::Unparsable {
        value: String::from_utf8_lossy(raw).into_owned(),
        expected: col.ty.expected(),
    };
    Ok(match col.ty {
        ColType::Str => {
            if !col.allowed.is_empty() && !col.allowed.iter().any(|a| a.as_bytes() == raw) {
                return Err(Reason::UnknownEnum {
                    value: String::from_utf8_lossy(raw).into_owned(),
                    allowed: col.allowed,
                });
            }
            Val::Str
        }
        ColType::Int => Val::Int(parse_int(trimmed).ok_or_else(bad)?),
        ColType::Dec(p, s) => Val::Dec(parse_decimal(trimmed, p, s).ok_or_else(bad)?),
        ColType::Bool => Val::Bool(parse_bool(trimmed).ok_or_else(bad)?),
        ColType::Ts => Val::Ts(parse_ts(trimmed).ok_or_else(bad)?),
        ColType::Date => Val::Date(parse_date(trimmed).ok_or_else(bad)?),
    })
}

fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(if neg { -v } else { v })
}

/// Exact decimal: more fractional digits than the scale, or more digits than
/// the precision, is an error rather than a silent rounding.
fn parse_decimal(s: &[u8], precision: u8, scale: i8) -> Option<i128> {
    let (neg, body) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match memchr::memchr(b'.', body) {
        Some(dot) => (&body[..dot], &body[dot + 1..]),
        None => (body, &body[..0]),
    };
    let scale = scale.max(0) as usize;
    if (int_part.is_empty() && frac_part.is_empty()) || frac_part.len() > scale {
        return None;
    }
    let int_digits = int_part.iter().skip_while(|&&c| c == b'0').count();
    if int_digits + scale > precision as usize {
        return None;
    }
    let mut v: i128 = 0;
    for &c in int_part.iter().chain(frac_part) {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i128::from(c - b'0');
    }
    for _ in frac_part.len()..scale {
        v *= 10;
    }
    Some(if neg { -v } else { v })
}

fn parse_bool(s: &[u8]) -> Option<bool> {
    match s {
        b"1" => Some(true),
        b"0" => Some(false),
        _ if s.eq_ignore_ascii_case(b"true") || s.eq_ignore_ascii_case(b"y") => Some(true),
        _ if s.eq_ignore_ascii_case(b"false") || s.eq_ignore_ascii_case(b"n") => Some(false),
        _ => None,
    }
}

fn check_row(table: &TableDef, vals: &[Val]) -> Result<(), RowError> {
    let get = |name: &str| vals[table.column_index(name).expect("checks name declared columns")];
    for check in table.checks {
        match *check {
            RowCheck::NonNegative(c) => {
                if let Val::Int(v) = get(c)
                    && v < 0
                {
                    return Err((Some(c), Reason::NegativeDuration { value: v }));
                }
            }
            RowCheck::Ordered { start, end, strict } => {
                if let (Some(s), Some(e)) = (get(start).ordinal(), get(end).ordinal())
                    && (e < s || (strict && e == s))
                {
                    return Err((Some(end), Reason::EndBeforeStart { start, end }));
                }
            }
            RowCheck::Range { column, min, max } => {
                let col = &table.columns[table.column_index(column).expect("declared")];
                let unit: i128 = match col.ty {
                    ColType::Dec(_, s) => 10i128.pow(s.max(0) as u32),
                    _ => 1,
                };
                if let Some(v) = get(column).ordinal()
                    && (v < i128::from(min) * unit || v > i128::from(max) * unit)
                {
                    return Err((Some(column), Reason::OutOfRange { min, max }));
                }
            }
        }
    }
    Ok(())
}

fn append(b: &mut Builder, col: &ColumnDef, v: Val, raw: &[u8]) {
    match (b, v) {
        (Builder::Str(b), Val::Str) => b.append_value(std::str::from_utf8(raw).expect("text was decoded to UTF-8")),
        (Builder::Str(b), _) => b.append_null(),
        (Builder::Int(b), Val::Int(x)) => b.append_value(x),
        (Builder::Int(b), _) => b.append_null(),
        (Builder::Dec(b), Val::Dec(x)) => b.append_value(x),
        (Builder::Dec(b), _) => b.append_null(),
        (Builder::Bool(b), Val::Bool(x)) => b.append_value(x),
        (Builder::Bool(b), _) => b.append_null(),
        (Builder::Ts(b), Val::Ts(x)) => b.append_value(x * 1_000_000),
        (Builder::Ts(b), _) => b.append_null(),
        (Builder::Date(b), Val::Date(x)) => b.append_value(x as i32),
        (Builder::Date(b), _) => {
            debug_assert!(col.nullable);
            b.append_null()
        }
    }
}

/// Attach provenance columns to parsed columns.
pub fn with_provenance(
    table: &TableDef,
    mut columns: Vec<ArrayRef>,
    folder_day: i64,
    file: &str,
    lines: Vec<i64>,
) -> RecordBatch {
    use datafusion::arrow::array::{Date32Array, Int64Array, StringArray};
    let n = lines.len();
    columns.push(Arc::new(Date32Array::from(vec![folder_day as i32; n])));
    columns.push(Arc::new(StringArray::from(vec![file; n])));
    columns.push(Arc::new(Int64Array::from(lines)));
    RecordBatch::try_new(table.raw_schema(), columns).expect("parsed columns follow the declared schema")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal(b"12.5", 12, 2), Some(1250));
        assert_eq!(parse_decimal(b"-0.05", 12, 2), Some(-5));
        assert_eq!(parse_decimal(b"7", 5, 2), Some(700));
        assert_eq!(parse_decimal(b"1.234", 12, 2), None);
        assert_eq!(parse_decimal(b"1234.00", 5, 2), None);
        assert_eq!(parse_decimal(b"1e3", 12, 2), None);
        assert_eq!(parse_decimal(b".", 12, 2), None);
    }

    #[test]
    fn booleans_take_the_documented_spellings() {
        for (s, v) in [
            ("1", true),
            ("0", false),
            ("TRUE", true),
            ("false", false),
            ("Y", true),
            ("n", false),
        ] {
            assert_eq!(parse_bool(s.as_bytes()), Some(v), "{s}");
        }
        assert_eq!(parse_bool(b"yes"), None);
    }
}
