//! The secret scan over every loaded byte.
//!
//! Stage 1: a multi-needle automaton finds every place a secret could start. Stage 2: each hit is checked
//! locally, on the one JSON string that holds it (a key is checked with `is_secret_key`, a value with
//! `detect_value_secret` and CAVRA's own `REDACTED` markers). Stage 3: only units (store items, row
//! payloads, documents) with a confirmed hit are decoded, to name every finding by its JSON pointer.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::value::{EValue, RedactedBy};
use super::{Evidence, Redaction, secrets};

static FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let mut needles: Vec<&str> = secrets::PREFILTER_NEEDLES.to_vec();
    needles.push("redacted");
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(needles)
        .expect("valid needles")
});

/// The JSON string token around `at` (which lies inside a string): its byte range including quotes.
fn string_around(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut open = at;
    loop {
        let q = memchr::memrchr(b'"', &bytes[..open])?;
        if !escaped(bytes, q) {
            open = q;
            break;
        }
        open = q;
    }
    let mut close = at;
    loop {
        let q = close + memchr::memchr(b'"', &bytes[close..])?;
        if !escaped(bytes, q) {
            close = q;
            break;
        }
        close = q + 1;
    }
    Some((open, close + 1))
}

fn escaped(bytes: &[u8], quote: usize) -> bool {
    let mut n = 0;
    while quote > n && bytes[quote - 1 - n] == b'\\' {
        n += 1;
    }
    n % 2 == 1
}

/// Does the string token at `range` need a closer look?
fn suspicious(bytes: &[u8], range: (usize, usize)) -> bool {
    let Ok(text) = std::str::from_utf8(&bytes[range.0..range.1]) else { return true };
    let Ok(s) = serde_json::from_str::<String>(text) else { return true };
    let after = bytes[range.1..].iter().find(|c| !c.is_ascii_whitespace());
    if after == Some(&b':') {
        return secrets::is_secret_key(&s);
    }
    secrets::is_cavra_redacted(&s) || secrets::detect_value_secret(&s).is_some()
}

/// Find every secret in the evidence, redacted or not, with its location.
pub(super) fn scan(evidence: &Evidence) -> Vec<Redaction> {
    let mut out = Vec::new();
    let mut by_unit: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (i, n) in evidence.nodes.iter().enumerate() {
        by_unit.entry((n.input, n.unit)).or_default().push(i);
    }
    for (input_idx, input) in evidence.inputs.iter().enumerate() {
        let bytes = input.bytes.as_slice();
        let mut hit_units: Vec<usize> = Vec::new();
        let mut checked_until = 0usize;
        for m in FINDER.find_iter(bytes) {
            let at = m.start();
            if at < checked_until {
                continue;
            }
            let idx = input.units.partition_point(|u| u.span.end <= at);
            if hit_units.last() == Some(&idx) {
                continue;
            }
            let Some(range) = string_around(bytes, at) else { continue };
            checked_until = range.1;
            if suspicious(bytes, range) && idx < input.units.len() && input.units[idx].span.contains(&at) {
                hit_units.push(idx);
            }
        }
        for idx in hit_units {
            let unit = &input.units[idx];
            let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes[unit.span.clone()]) else { continue };
            let mut found = Vec::new();
            let _ = EValue::from_json(json, &mut found);
            let candidates = by_unit.get(&(input_idx, idx)).map(Vec::as_slice).unwrap_or(&[]);
            for f in found {
                let pointer = format!("{}{}", unit.pointer, f.pointer);
                let node = candidates
                    .iter()
                    .copied()
                    .find(|&n| pointer.starts_with(&evidence.nodes[n].pointer))
                    .or_else(|| candidates.first().copied());
                let location = match &unit.row {
                    Some(row) => format!("{} row '{}' {}", input.path, crate::sanitize::clean(row), pointer),
                    None => format!("{} {}", input.path, pointer),
                };
                out.push(Redaction { kind: f.kind, by: f.by, input: input_idx, location, node });
            }
        }
    }
    out.sort_by_key(|r| (r.by != RedactedBy::Closeout, r.input, r.location.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_around_finds_token_with_escapes() {
        let b = br#"{"a": "x\"y token z", "b": 1}"#;
        let at = b.windows(5).position(|w| w == b"token").unwrap();
        let (s, e) = string_around(b, at).unwrap();
        assert_eq!(&b[s..e], br#""x\"y token z""#);
    }

    #[test]
    fn keys_and_values_are_judged_on_their_own() {
        let b = br#"{"token_env": "SPLUNK_HEC_TOKEN", "url": "https://h.example.invalid/a?token=abc123xyz"}"#;
        let key = b.windows(9).position(|w| w == b"token_env").unwrap();
        assert!(!suspicious(b, string_around(b, key).unwrap()));
        let url = b.windows(5).position(|w| w == b"https").unwrap();
        assert!(suspicious(b, string_around(b, url).unwrap()));
    }
}
