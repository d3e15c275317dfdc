//! Reference targets read straight from an artifact's raw JSON, without decoding it: every string value (or
//! list of strings) under a reference key. Cheap enough to run over every node of a large store, so the
//! reference check covers every artifact, not only those a criterion decoded.
//!
//! A key is recognised by its separator: a `:` outside strings always follows a key's closing quote, and a
//! quote inside a string is escaped, so "an unescaped quote, optional blanks, then `:`" finds exactly the keys.

use std::borrow::Cow;

use super::parse::raw_str;

/// Keys whose string values (or string lists) name other artifacts (rule book §7). Category values such as
/// `alert_id`, `category`, `checks[].id` and external references such as `signature_key_id` are not here.
#[cfg_attr(not(test), allow(dead_code))]
pub const REF_KEYS: &[&str] = &[
    "bundle_id",
    "manifest_id",
    "summary_id",
    "review_id",
    "decision_id",
    "retention_decision_id",
    "health_id",
    "plan_id",
    "retry_plan_id",
    "run_id",
    "delivery_id",
    "new_delivery_id",
    "event_id",
    "export_id",
    "verification_id",
    "reference_id",
    "attachment_id",
    "approval_decision_id",
    "runbook_export_id",
    "readiness_summary_id",
    "artifact_bundle_id",
    "execution_id",
    "source_delivery_id",
    "evidence_ref",
    "would_retry_delivery_ids",
    "evidence_refs",
    "public_evidence_refs",
    "worker_run_id",
    "closeout_id",
    "report_id",
    "session_id",
];

/// Membership in [`REF_KEYS`], compiled to a length switch (called for every key of every artifact).
pub fn is_ref_key(key: &str) -> bool {
    matches!(
        key,
        "bundle_id"
            | "manifest_id"
            | "summary_id"
            | "review_id"
            | "decision_id"
            | "retention_decision_id"
            | "health_id"
            | "plan_id"
            | "retry_plan_id"
            | "run_id"
            | "delivery_id"
            | "new_delivery_id"
            | "event_id"
            | "export_id"
            | "verification_id"
            | "reference_id"
            | "attachment_id"
            | "approval_decision_id"
            | "runbook_export_id"
            | "readiness_summary_id"
            | "artifact_bundle_id"
            | "execution_id"
            | "source_delivery_id"
            | "evidence_ref"
            | "would_retry_delivery_ids"
            | "evidence_refs"
            | "public_evidence_refs"
            | "worker_run_id"
            | "closeout_id"
            | "report_id"
            | "session_id"
    )
}

/// The target a reference value names: the id after `scheme://` for evidence URIs; None for empty values
/// and `latest` (a route alias, not an id).
pub fn target_of(value: &str) -> Option<&str> {
    // After the first `://` (as `split_once`; found by memchr, as this runs for every reference of a store).
    let b = value.as_bytes();
    let t = match memchr::memchr_iter(b':', b).find(|&i| b[i + 1..].starts_with(b"//")) {
        Some(i) => &value[i + 3..],
        None => value,
    };
    (!t.is_empty() && t != "latest").then_some(t)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// True when the byte at `at` (a quote) is escaped by an odd run of backslashes before it.
fn escaped(b: &[u8], at: usize) -> bool {
    b[..at].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

/// The end (index of the closing quote) of the string whose opening quote is at `open`.
fn string_end(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let q = i + memchr::memchr(b'"', &b[i..])?;
        if !escaped(b, q) {
            return Some(q);
        }
        i = q + 1;
    }
}

/// Call `f(key, target)` for every reference in `text` (one artifact's raw JSON).
pub fn each<'a>(text: &'a [u8], mut f: impl FnMut(&str, Cow<'a, str>)) {
    for colon in memchr::memchr_iter(b':', text) {
        at_colon(text, colon, &mut f);
    }
}

/// Whether a key (its raw text between the quotes) is one whose value the fast scanner notes ([`Noted`]):
/// exactly the keys `each` would take.
#[inline]
pub fn is_noted_key(raw_key: &str) -> bool {
    // Every reference key ends in `id`, `ids`, `ref` or `refs`: two bytes settle nearly every other key.
    matches!(raw_key.as_bytes(), [.., b'i', b'd'] | [.., b'd', b's'] | [.., b'e', b'f'] | [.., b'f', b's'])
        && is_ref_key(raw_key)
}

/// The references a colon introduces, when it follows a reference key.
#[inline]
fn at_colon<'a>(text: &'a [u8], colon: usize, f: &mut impl FnMut(&str, Cow<'a, str>)) {
    let mut j = colon;
    while j > 0 && is_ws(text[j - 1]) {
        j -= 1;
    }
    if j == 0 || text[j - 1] != b'"' || escaped(text, j - 1) {
        return;
    }
    let close = j - 1;
    // Every reference key ends in `id`, `ids`, `ref` or `refs`: reject the rest before finding the key.
    let tail = &text[close.saturating_sub(4)..close];
    if !(tail.ends_with(b"id") || tail.ends_with(b"ids") || tail.ends_with(b"ref") || tail.ends_with(b"refs")) {
        return;
    }
    // The key's opening quote: the nearest unescaped quote before the closing one.
    let mut k = close;
    let open = loop {
        match memchr::memrchr(b'"', &text[..k]) {
            Some(q) if escaped(text, q) => k = q,
            Some(q) => break Some(q),
            None => break None,
        }
    };
    let Some(open) = open else { return };
    let Ok(key) = std::str::from_utf8(&text[open + 1..close]) else { return };
    if !is_ref_key(key) {
        return;
    }
    at_value(text, colon + 1, &mut |t| f(key, t));
}

/// The references of the value from `v` on (see [`each_string`]).
fn at_value<'a>(text: &'a [u8], v: usize, f: &mut impl FnMut(Cow<'a, str>)) {
    each_string(text, v, |start| {
        let end = string_end(text, start)?;
        let raw = std::str::from_utf8(&text[start..=end]).ok()?;
        match raw_str(raw) {
            Some(Cow::Borrowed(s)) => {
                if let Some(t) = target_of(s) {
                    f(Cow::Borrowed(t));
                }
            }
            Some(Cow::Owned(s)) => {
                if let Some(t) = target_of(&s) {
                    f(Cow::Owned(t.to_string()));
                }
            }
            None => {}
        }
        Some(end + 1)
    });
}

/// The strings a reference value holds, from `v` on (blanks first allowed): the value itself when it is a
/// string, or each string of a list up to its first element that is not one. `read(open)` takes the string
/// whose opening quote is at `open` and returns the offset after it, or `None` to stop there; the result is
/// `false` when `read` stopped the walk.
fn each_string(b: &[u8], mut v: usize, mut read: impl FnMut(usize) -> Option<usize>) -> bool {
    while v < b.len() && is_ws(b[v]) {
        v += 1;
    }
    match b.get(v) {
        Some(b'"') => read(v).is_some(),
        Some(b'[') => {
            let mut i = v + 1;
            loop {
                while i < b.len() && (is_ws(b[i]) || b[i] == b',') {
                    i += 1;
                }
                if b.get(i) != Some(&b'"') {
                    return true;
                }
                match read(i) {
                    Some(next) => i = next,
                    None => return false,
                }
            }
        }
        _ => true,
    }
}

/// The hash of a reference target's text, for the tables that gather them ([`Noted`] and
/// `Evidence::collect_ref_targets`; see [`super::seeded`]).
pub(crate) fn target_hash(text: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    super::seeded().hash_one(text)
}

/// One distinct target [`Noted`] keeps: where it was first named in the input, its length and its hash.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Distinct {
    pub at: u32,
    pub len: u32,
    pub hash: u64,
}

/// What the fast scanner notes of every reference value as it steps over a document, while the value's bytes
/// are in cache: each target it names, as a place in the input and one of the document's distinct targets
/// (each text hashed and compared once here, not again for every reference after the load). A value this
/// does not settle (an escape in it) is noted by where it starts, to be read again with the rules of
/// [`each`]. The targets of a node are then the noted ones inside its span ([`Noted::each_in`]), exactly
/// those [`each`] finds, whenever every reference key's value was noted.
#[derive(Debug, Default)]
pub(crate) struct Noted {
    /// Per target named, in order: where it is (or, for a value to read again, where that value starts).
    pub at: Vec<u32>,
    /// Per target named: its place in `distinct`, or [`Noted::AGAIN`].
    pub target: Vec<u32>,
    pub distinct: Vec<Distinct>,
    /// While scanning: the distinct targets by hash (each slot where its text is in `texts`, its length and
    /// its place in `distinct`), and a copy of their texts, compared without going back to a first mention
    /// far behind in the input; dropped by [`Noted::finish`].
    table: hashbrown::HashTable<(u32, u32, u32)>,
    texts: Vec<u8>,
}

impl Noted {
    /// A `target` of a value to be read again.
    pub const AGAIN: u32 = u32::MAX;

    /// Note the value of a reference key, starting at `v` (its first byte after the blanks) in `text`, the
    /// whole input (offsets fit in `u32`: the scanner takes no larger text).
    pub fn value(&mut self, text: &str, v: usize) {
        let mark = self.at.len();
        // A string with an escape (or none that ends) leaves the value to be read again, whole.
        let settled = each_string(text.as_bytes(), v, |open| self.string(text, open));
        if !settled {
            self.at.truncate(mark);
            self.target.truncate(mark);
            self.at.push(v as u32);
            self.target.push(Self::AGAIN);
        }
    }

    /// The string opening at `open`, when it has no escape and ends: its target noted, and the offset after it.
    #[inline]
    fn string(&mut self, text: &str, open: usize) -> Option<usize> {
        let (close, colon) = super::fastparse::plain_string(text.as_bytes(), open + 1)?;
        // Between two ASCII quotes of text that is UTF-8 throughout; without a `:` it is its own target.
        let content = text.get(open + 1..close)?;
        let target =
            if colon { target_of(content) } else { (!content.is_empty() && content != "latest").then_some(content) };
        if let Some(t) = target {
            let at = t.as_ptr() as usize - text.as_ptr() as usize;
            let k = self.intern(at, t.as_bytes());
            self.at.push(at as u32);
            self.target.push(k);
        }
        Some(close + 1)
    }

    fn intern(&mut self, at: usize, t: &[u8]) -> u32 {
        let hash = target_hash(t);
        let texts = &self.texts;
        // A slot holds what the comparison needs (one read beside the text), not a place in `distinct`.
        let same = |&(from, len, _): &(u32, u32, u32)| {
            len as usize == t.len() && texts.get(from as usize..from as usize + t.len()) == Some(t)
        };
        if let Some(&(.., k)) = self.table.find(hash, same) {
            return k;
        }
        let k = self.distinct.len() as u32;
        self.distinct.push(Distinct { at: at as u32, len: t.len() as u32, hash });
        let from = self.texts.len() as u32;
        self.texts.extend_from_slice(t);
        let distinct = &self.distinct;
        self.table.insert_unique(hash, (from, t.len() as u32, k), |&(.., k)| distinct[k as usize].hash);
        k
    }

    /// Done scanning: drop what only the scan needs, and the room the lists grew into.
    pub fn finish(mut self) -> Noted {
        self.table = Default::default();
        self.texts = Vec::new();
        self.at.shrink_to_fit();
        self.target.shrink_to_fit();
        self.distinct.shrink_to_fit();
        self
    }

    /// The places in `at`/`target` of what was noted inside `span` (a node's range of the input).
    pub fn within(&self, hint: usize, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let at = &self.at;
        let before = |a: &u32| (*a as usize) < span.start;
        // A hint is used only when every target below it is before the span (nodes come in input order, so
        // the last node's first target is one); the search then steps forward from it.
        let usable = hint <= at.len() && (hint == 0 || before(&at[hint - 1]));
        let from = if usable { gallop(at, hint, before) } else { at.partition_point(before) };
        from..gallop(at, from, |a| (*a as usize) < span.end)
    }

    /// Call `f` for every reference in `input[span]`, as [`each`] would find them in those bytes: a noted
    /// target as its place in `distinct`, a value noted to read again as what `each`'s rules read there.
    /// `hint`: where the last call's targets started (0 for none); set to where this one's start.
    pub fn each_named<'a>(
        &self,
        input: &'a [u8],
        span: std::ops::Range<usize>,
        hint: &mut usize,
        mut f: impl FnMut(Named<'a>),
    ) {
        let text = &input[span.clone()];
        let found = self.within(*hint, span.clone());
        *hint = found.start;
        for k in found {
            match self.target[k] {
                Self::AGAIN => at_value(text, self.at[k] as usize - span.start, &mut |t| f(Named::Read(t))),
                t => f(Named::Distinct(t)),
            }
        }
    }

    /// The text of a distinct target (`input`: the bytes it was noted in).
    pub fn text<'a>(&self, input: &'a [u8], t: u32) -> &'a str {
        let d = self.distinct[t as usize];
        // A noted target lies between ASCII quotes of UTF-8 text.
        std::str::from_utf8(&input[d.at as usize..(d.at + d.len) as usize]).unwrap_or_default()
    }

    /// [`Noted::each_named`], every target as its text.
    pub fn each_in<'a>(&self, input: &'a [u8], span: std::ops::Range<usize>, mut f: impl FnMut(Cow<'a, str>)) {
        self.each_named(input, span, &mut 0, |named| match named {
            Named::Distinct(t) => f(Cow::Borrowed(self.text(input, t))),
            Named::Read(t) => f(t),
        })
    }
}

/// The first index at or after `from` where `holds` stops holding (it holds on a prefix of `v`, and on all of
/// `v[..from]`), found in steps doubling from `from`: a few reads when that index is near, where a binary
/// search over all of `v` reads far-apart places.
fn gallop(v: &[u32], from: usize, holds: impl Fn(&u32) -> bool) -> usize {
    let (mut lo, mut step) = (from, 1);
    while lo + step <= v.len() && holds(&v[lo + step - 1]) {
        lo += step;
        step *= 2;
    }
    lo + v[lo..(lo + step).min(v.len())].partition_point(holds)
}

/// One reference [`Noted::each_named`] hands over.
pub(crate) enum Named<'a> {
    /// A noted target, by its place in [`Noted::distinct`].
    Distinct(u32),
    /// A target read from a value noted to read again.
    Read(Cow<'a, str>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(s: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        each(s.as_bytes(), |k, t| out.push((k.to_string(), t.into_owned())));
        out
    }

    /// Whatever hint it is given (right, stale, past the end), `within` finds what a binary search over all of
    /// `at` finds.
    #[test]
    fn within_finds_the_same_places_whatever_the_hint() {
        let at: Vec<u32> = (0..300u32).map(|i| i * 7 + (i % 3)).collect();
        let noted = Noted { at: at.clone(), target: vec![0; at.len()], ..Noted::default() };
        let plain = |span: std::ops::Range<usize>| {
            let from = at.partition_point(|&a| (a as usize) < span.start);
            from..from + at[from..].partition_point(|&a| (a as usize) < span.end)
        };
        let mut cases = 0;
        for start in (0..2200).step_by(37) {
            for len in [0, 1, 6, 7, 50, 900, 3000] {
                let span = start..start + len;
                for hint in [0, 1, 2, 5, 64, 150, 299, 300, 301, 10_000] {
                    assert_eq!(noted.within(hint, span.clone()), plain(span.clone()), "{span:?} hint {hint}");
                    cases += 1;
                }
            }
        }
        assert!(cases > 1000);
        // Nodes in input order, each call's hint the last one's start: every node's places are found.
        let mut hint = 0;
        for start in (0..2100).step_by(13) {
            let found = noted.within(hint, start..start + 20);
            assert_eq!(found, plain(start..start + 20));
            hint = found.start;
        }
    }

    #[test]
    fn a_target_is_what_follows_the_first_scheme_separator() {
        for v in
            ["b-1", "cavra://b-1", "x:y://z://w", "a:/b", "://", "cavra://", "cavra://latest", "", "latest", "a:b:c"]
        {
            let want = match v.split_once("://") {
                Some((_, rest)) => rest,
                None => v,
            };
            assert_eq!(target_of(v), (!want.is_empty() && want != "latest").then_some(want), "{v:?}");
        }
        assert_eq!(target_of("x:y://z://w"), Some("z://w"));
    }

    #[test]
    fn the_key_switch_is_the_key_table() {
        for k in REF_KEYS {
            assert!(is_ref_key(k), "{k}");
            assert!(is_noted_key(k), "the scanner notes {k}");
            assert!(k.ends_with("id") || k.ends_with("ids") || k.ends_with("ref") || k.ends_with("refs"), "{k}");
        }
        assert!(!is_ref_key("alert_id") && !is_ref_key("category"));
        for k in ["alert_id", "category", "controls", "d", "id", "s", "", "fs", "bundle_ids", "summary_idx"] {
            assert!(!is_noted_key(k), "{k}");
        }
    }

    #[test]
    fn finds_reference_strings_and_lists_only() {
        let got = refs(
            r#"{"bundle_id": "b-1", "note": "x\"bundle_id\": \"not-a-key\"", "at": "09:00:00",
                "public_evidence_refs": ["go-rollback-drill-final-readiness-bundle://b-1", "x://latest", ""],
                "alerts": [{"alert_id": "archive_reference_missing", "export_id":"e-2"}],
                "summary_id": null, "evidence_index": [{"session_id" : "u\u002d3"}]}"#,
        );
        assert_eq!(
            got,
            vec![
                ("bundle_id".into(), "b-1".into()),
                ("public_evidence_refs".into(), "b-1".into()),
                ("export_id".into(), "e-2".into()),
                ("session_id".into(), "u-3".into()),
            ]
        );
    }

    /// What the raw scan must find, from the decoded JSON: every string, or string in a list, under a key of
    /// the table, at any depth, in document order.
    fn decoded(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if is_ref_key(k) {
                        let strings: Vec<&str> = match v {
                            serde_json::Value::String(s) => vec![s.as_str()],
                            serde_json::Value::Array(a) => a.iter().map_while(|x| x.as_str()).collect(),
                            _ => Vec::new(),
                        };
                        out.extend(strings.into_iter().filter_map(target_of).map(|t| (k.clone(), t.to_string())));
                    }
                    decoded(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| decoded(x, out)),
            _ => {}
        }
    }

    fn agree(text: &str) {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut want = Vec::new();
        decoded(&v, &mut want);
        let mut got = refs(text);
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn the_raw_scan_finds_what_decoding_finds() {
        agree(
            r#"{"a\"bundle_id": "x", "bundle_id\"": "y", "paid": "z", "note": "run_id\": \"fake\"",
                "run_id"   :
                  "r-1", "nested": {"evidence_refs": [ "e-1" ,"e-2", 3, "e-3"], "say": "id\"", "kid": "k"},
                "ids": ["no"], "plan_id": "\u0070-1", "delivery_id": "caf\u00e9-2"}"#,
        );
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                agree(&std::fs::read_to_string(&path).unwrap());
                files += 1;
            }
        }
        assert!(files >= 5, "sample evidence in {}", dir.display());
    }
}
