//! Order-independent digests of a partition's rows, kept in the Parquet
//! footer's key-value metadata: a rebuilt partition whose digest equals the
//! one it replaces has the same rows, whatever their order, so the tables
//! that read it need not rebuild that date.
//!
//! A row's bytes are its Arrow row encoding (every column, types included);
//! the digest is the row count with a wrapping sum and a mixed xor of the
//! rows' xxHash64 hashes. A file without one (written by an older version) is
//! treated as changed.

use std::path::Path;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use twox_hash::XxHash64;

use crate::error::Result;

/// The footer key.
pub const DIGEST_KEY: &str = "callcube.rows_digest";

/// The digest of the rows added so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowDigest {
    rows: u64,
    sum: u64,
    mix: u64,
}

impl RowDigest {
    pub fn add(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let fields = batch
            .schema()
            .fields()
            .iter()
            .map(|f| SortField::new(f.data_type().clone()))
            .collect();
        let converter = RowConverter::new(fields)?;
        let rows = converter.convert_columns(batch.columns())?;
        for row in rows.iter() {
            let h = XxHash64::oneshot(0, row.as_ref());
            self.rows += 1;
            self.sum = self.sum.wrapping_add(h);
            // A second, differently mixed accumulator: a sum alone lets two
            // pairs of rows with equal hash sums swap unnoticed.
            self.mix ^= h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        }
        Ok(())
    }

    /// `rows:sum:mix`, as stored in the footer.
    pub fn text(&self) -> String {
        format!("{}:{:016x}:{:016x}", self.rows, self.sum, self.mix)
    }
}

/// The digest stored in the footer of the Parquet file at `path`; `None` if
/// the file is absent, unreadable or has none.
pub fn read_digest(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let reader = SerializedFileReader::new(file).ok()?;
    reader
        .metadata()
        .file_metadata()
        .key_value_metadata()?
        .iter()
        .find(|kv| kv.key == DIGEST_KEY)?
        .value
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    fn batch(ids: &[i64], names: &[&str]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, false),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(ids.to_vec())),
                Arc::new(StringArray::from(names.to_vec())),
            ],
        )
        .unwrap()
    }

    #[test]
    fn equal_rows_in_any_order_and_batching_give_one_digest() {
        let mut a = RowDigest::default();
        a.add(&batch(&[1, 2, 3], &["x", "y", "z"])).unwrap();
        let mut b = RowDigest::default();
        b.add(&batch(&[3], &["z"])).unwrap();
        b.add(&batch(&[2, 1], &["y", "x"])).unwrap();
        assert_eq!(a.text(), b.text());
        // One value changed, or a row repeated, is another digest.
        let mut c = RowDigest::default();
        c.add(&batch(&[1, 2, 3], &["x", "y", "q"])).unwrap();
        assert_ne!(a.text(), c.text());
        let mut d = RowDigest::default();
        d.add(&batch(&[1, 2, 3, 3], &["x", "y", "z", "z"])).unwrap();
        assert_ne!(a.text(), d.text());
    }
}
