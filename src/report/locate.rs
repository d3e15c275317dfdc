//! Where a finding is, in the files closeout read: the input file, line and column of the cited field (from
//! the loader's span of the artifact and the cite's JSON pointer inside it), and the JSON pointer of that
//! field in its document, for the CI formats (SARIF, GitHub annotations).

use std::collections::HashMap;

use serde_json::value::RawValue;

use crate::evidence::{Evidence, Format};
use crate::health::{Cite, Finding, Report};
use crate::sanitize::clean;

/// One place in the evidence. Text fields are neutralised for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Index of the input file in [`Evidence::inputs`].
    pub input: usize,
    /// The input file as shown.
    pub path: String,
    /// 1-based line and column (in characters) of the cited value; `None` where the input is not JSON text
    /// (an SQLite store: its rows are not lines of the file).
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The JSON pointer of the cited value in its document (for an SQLite store, in its row's payload).
    pub pointer: String,
    /// The SQLite row (session_id) holding it.
    pub row: Option<String>,
}

impl Place {
    /// The logical location: the pointer, prefixed by the row for an SQLite store.
    pub fn logical(&self) -> String {
        match &self.row {
            Some(row) => format!("row '{row}' {}", self.pointer),
            None => self.pointer.clone(),
        }
    }
}

/// The places of every finding's cites, in cite order (findings without cites have none). Line numbers of
/// one input are found in one pass over it, however many cites point into it.
pub fn places(ev: &Evidence, r: &Report) -> HashMap<usize, Vec<Place>> {
    // (finding index, cite index) -> (input, byte offset) first; then lines in one pass per input.
    let mut wanted: Vec<(usize, usize, usize, Option<usize>)> = Vec::new();
    for (fi, f) in r.findings.iter().enumerate() {
        for (ci, c) in f.cites.iter().enumerate() {
            let (input, offset) = offset_of(ev, c);
            wanted.push((fi, ci, input, offset));
        }
    }
    let mut lines: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
    let mut by_input: HashMap<usize, Vec<usize>> = HashMap::new();
    for (_, _, input, offset) in &wanted {
        if let Some(o) = offset {
            by_input.entry(*input).or_default().push(*o);
        }
    }
    for (input, offsets) in by_input {
        for (o, lc) in line_cols(&ev.inputs[input].bytes, offsets) {
            lines.insert((input, o), lc);
        }
    }
    let mut out: HashMap<usize, Vec<Place>> = HashMap::new();
    for (fi, ci, input, offset) in wanted {
        let c = &r.findings[fi].cites[ci];
        let node = &ev.nodes[c.node];
        let lc = offset.and_then(|o| lines.get(&(input, o)).copied());
        out.entry(fi).or_default().push(Place {
            input,
            path: clean(&ev.inputs[input].path).into_owned(),
            line: lc.map(|x| x.0),
            column: lc.map(|x| x.1),
            pointer: clean(&format!("{}{}", node.pointer, c.pointer)).into_owned(),
            row: node.row.as_deref().map(|r| clean(r).into_owned()),
        });
    }
    out
}

/// The place a finding is reported at: its first cite, else the start of the first input.
pub fn primary(ev: &Evidence, places: &HashMap<usize, Vec<Place>>, index: usize, _f: &Finding) -> Option<Place> {
    if let Some(p) = places.get(&index).and_then(|v| v.first()) {
        return Some(p.clone());
    }
    let input = ev.inputs.first()?;
    let text = !matches!(input.format, Format::MetadataStoreSqlite);
    Some(Place {
        input: 0,
        path: clean(&input.path).into_owned(),
        line: text.then_some(1),
        column: text.then_some(1),
        pointer: String::new(),
        row: None,
    })
}

/// The input and byte offset of a cite's value (`None` for an SQLite store).
fn offset_of(ev: &Evidence, c: &Cite) -> (usize, Option<usize>) {
    let node = &ev.nodes[c.node];
    let input = &ev.inputs[node.input as usize];
    if matches!(input.format, Format::MetadataStoreSqlite) {
        return (node.input as usize, None);
    }
    let span = node.span.range();
    let inner = input
        .bytes
        .get(span.clone())
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| pointer_offset(t, &c.pointer));
    (node.input as usize, Some(span.start + inner.unwrap_or(0)))
}

/// The byte offset, within the JSON text `doc`, of the value at `pointer` (RFC 6901); `None` when the
/// pointer does not resolve.
pub fn pointer_offset(doc: &str, pointer: &str) -> Option<usize> {
    let base = doc.as_ptr() as usize;
    let lead = doc.len() - doc.trim_start().len();
    let mut cur: &str = doc.trim_start();
    if pointer.is_empty() {
        return Some(lead);
    }
    let rest = pointer.strip_prefix('/')?;
    for raw_token in rest.split('/') {
        let token = raw_token.replace("~1", "/").replace("~0", "~");
        let next: &RawValue = if cur.starts_with('{') {
            let map: HashMap<String, &RawValue> = serde_json::from_str(cur).ok()?;
            map.get(&token).copied()?
        } else if cur.starts_with('[') {
            let items: Vec<&RawValue> = serde_json::from_str(cur).ok()?;
            let i: usize = token.parse().ok()?;
            items.get(i).copied()?
        } else {
            return None;
        };
        cur = next.get();
    }
    Some(cur.as_ptr() as usize - base)
}

/// 1-based line and column (characters) of each offset, in one pass over `bytes`.
fn line_cols(bytes: &[u8], mut offsets: Vec<usize>) -> Vec<(usize, (usize, usize))> {
    offsets.sort_unstable();
    offsets.dedup();
    let mut out = Vec::with_capacity(offsets.len());
    let (mut line, mut line_start, mut pos) = (1usize, 0usize, 0usize);
    for o in offsets {
        let o = o.min(bytes.len());
        for nl in memchr::memchr_iter(b'\n', &bytes[pos..o]) {
            line += 1;
            line_start = pos + nl + 1;
        }
        pos = o;
        let col = String::from_utf8_lossy(&bytes[line_start..o]).chars().count() + 1;
        out.push((o, (line, col)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_resolve_to_the_offset_of_their_value() {
        let doc = r#"{"a": {"b/c": [10, {"d~e": "x"}]}, "z": 1}"#;
        assert_eq!(pointer_offset(doc, ""), Some(0));
        assert_eq!(&doc[pointer_offset(doc, "/z").unwrap()..][..1], "1");
        assert_eq!(&doc[pointer_offset(doc, "/a/b~1c/0").unwrap()..][..2], "10");
        assert_eq!(&doc[pointer_offset(doc, "/a/b~1c/1/d~0e").unwrap()..][..3], "\"x\"");
        assert_eq!(pointer_offset(doc, "/a/missing"), None);
        assert_eq!(pointer_offset(doc, "/a/b~1c/7"), None);
        assert_eq!(pointer_offset(doc, "no-slash"), None);
    }

    #[test]
    fn line_and_column_of_many_offsets_in_one_pass() {
        let text = "ab\ncdé\n\nxyz".as_bytes();
        let got = line_cols(text, vec![text.len(), 0, 4, 8, 4]);
        assert_eq!(got, vec![(0, (1, 1)), (4, (2, 2)), (8, (3, 1)), (text.len(), (4, 4))]);
        for (o, lc) in got {
            assert_eq!(lc, crate::evidence::error::line_col(text, o), "offset {o}");
        }
    }
}
