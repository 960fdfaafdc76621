//! Splitting CSV text into records and fields (RFC 4180 quoting).
//!
//! Hand-written rather than the `csv` crate because landing needs the raw
//! line of every record (for rejects), its physical line number, and cheap
//! splitting of a large file into chunks that parse in parallel.

/// Where a record ends: the index just past its terminating newline (or the end).
/// A newline inside a quoted field does not end the record.
pub fn record_end(buf: &[u8], start: usize) -> usize {
    let mut pos = start;
    let mut quotes = 0usize;
    loop {
        match memchr::memchr(b'\n', &buf[pos..]) {
            None => return buf.len(),
            Some(off) => {
                let nl = pos + off;
                quotes += memchr::memchr_iter(b'"', &buf[pos..nl]).count();
                if quotes.is_multiple_of(2) {
                    return nl + 1;
                }
                pos = nl + 1;
            }
        }
    }
}

/// Split `buf` into at most `n` chunks that start at record boundaries.
/// Only valid when the text has no quotes (so every newline ends a record);
/// otherwise the whole buffer is one chunk.
pub fn chunks(buf: &[u8], n: usize) -> Vec<(usize, usize)> {
    if n <= 1 || buf.len() < 1 << 20 || memchr::memchr(b'"', buf).is_some() {
        return vec![(0, buf.len())];
    }
    let step = buf.len() / n;
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < buf.len() {
        let target = (start + step).min(buf.len());
        let end = if target >= buf.len() {
            buf.len()
        } else {
            memchr::memchr(b'\n', &buf[target..]).map_or(buf.len(), |o| target + o + 1)
        };
        out.push((start, end));
        start = end;
    }
    out
}

/// The fields of one record. Unquoted fields borrow the record; quoted ones
/// are unescaped into `scratch`.
pub struct Fields {
    /// (from scratch?, start, end) per field.
    spans: Vec<(bool, usize, usize)>,
    scratch: Vec<u8>,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            spans: Vec::with_capacity(32),
            scratch: Vec::new(),
        }
    }
}

impl Fields {
    /// Split `record` (without its line terminator) on `delim`.
    pub fn split(&mut self, record: &[u8], delim: u8) {
        self.spans.clear();
        self.scratch.clear();
        if memchr::memchr(b'"', record).is_none() {
            let mut start = 0;
            for i in memchr::memchr_iter(delim, record) {
                self.spans.push((false, start, i));
                start = i + 1;
            }
            self.spans.push((false, start, record.len()));
            return;
        }
        let mut i = 0;
        loop {
            if record.get(i) == Some(&b'"') {
                let s = self.scratch.len();
                i += 1;
                while i < record.len() {
                    if record[i] == b'"' {
                        if record.get(i + 1) == Some(&b'"') {
                            self.scratch.push(b'"');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    self.scratch.push(record[i]);
                    i += 1;
                }
                // Anything between the closing quote and the delimiter is kept, as lenient readers do.
                while i < record.len() && record[i] != delim {
                    self.scratch.push(record[i]);
                    i += 1;
                }
                self.spans.push((true, s, self.scratch.len()));
            } else {
                let end = memchr::memchr(delim, &record[i..]).map_or(record.len(), |o| i + o);
                self.spans.push((false, i, end));
                i = end;
            }
            if i >= record.len() {
                break;
            }
            i += 1; // the delimiter
            if i == record.len() {
                self.spans.push((false, i, i));
                break;
            }
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Field `i` of `record` (the same record passed to `split`).
    pub fn get<'a>(&'a self, record: &'a [u8], i: usize) -> &'a [u8] {
        let (scratch, s, e) = self.spans[i];
        if scratch { &self.scratch[s..e] } else { &record[s..e] }
    }
}

/// Strip a trailing `\n` or `\r\n`.
pub fn trim_newline(record: &[u8]) -> &[u8] {
    let r = record.strip_suffix(b"\n").unwrap_or(record);
    r.strip_suffix(b"\r").unwrap_or(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        let mut f = Fields::default();
        f.split(s.as_bytes(), b',');
        (0..f.len())
            .map(|i| String::from_utf8(f.get(s.as_bytes(), i).to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn splits_plain_and_quoted_fields() {
        assert_eq!(split("a,,c"), ["a", "", "c"]);
        assert_eq!(split("a,"), ["a", ""]);
        assert_eq!(split(r#""x,y","say ""hi""",z"#), ["x,y", r#"say "hi""#, "z"]);
        assert_eq!(split(r#"a,"",b"#), ["a", "", "b"]);
        assert_eq!(split(r#"a,"q""#), ["a", "q"]);
    }

    #[test]
    fn quoted_newline_stays_in_record() {
        let buf = b"a,\"x\ny\",b\nnext\n";
        assert_eq!(record_end(buf, 0), 10);
        assert_eq!(record_end(buf, 10), buf.len());
    }

    #[test]
    fn chunks_end_on_newlines() {
        let line = b"abc,def,ghi\n";
        let buf: Vec<u8> = line.iter().copied().cycle().take(line.len() * 200_000).collect();
        let parts = chunks(&buf, 4);
        assert!(parts.len() >= 4);
        assert_eq!(parts.last().unwrap().1, buf.len());
        for (s, e) in parts {
            assert_eq!(buf[e - 1], b'\n');
            assert!(s == 0 || buf[s - 1] == b'\n');
        }
    }
}
