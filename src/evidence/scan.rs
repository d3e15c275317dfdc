//! The secret scan over every loaded byte.
//!
//! Stage 1: a multi-needle automaton finds every place a secret could start. Stage 2: each hit is checked
//! locally, on the one JSON string that holds it (a key is checked with `is_secret_key`, a value with
//! `detect_value_secret` and CAVRA's own `REDACTED` markers). Stage 3: only units (store items, row
//! payloads, documents) with a confirmed hit are decoded, to name every finding by its JSON pointer.

use std::collections::HashMap;

use super::value::{EValue, FoundSecret, RedactedBy, classify_string, is_pair_name_key, push_token};
use super::{Evidence, Redaction, secrets};

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

/// The key of the member whose value is the string opening at `open`, when that key is short (name/value
/// pair names are): `"name": "DB_PASSWORD"` gives `name`.
fn preceding_key(bytes: &[u8], open: usize) -> Option<String> {
    const MAX_KEY: usize = 64;
    let mut i = open;
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b':' {
        return None;
    }
    i -= 1;
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b'"' {
        return None;
    }
    let close = i - 1;
    let lo = close.saturating_sub(MAX_KEY);
    let mut j = close;
    loop {
        let q = lo + memchr::memrchr(b'"', &bytes[lo..j])?;
        if !escaped(bytes, q) {
            return unescape(&bytes[q..=close]);
        }
        j = q;
    }
}

/// The string opening at `open` is the name of a name/value pair (`"name": "…"`, `"Key": "…"`, …).
fn is_pair_name(bytes: &[u8], open: usize) -> bool {
    preceding_key(bytes, open).is_some_and(|k| is_pair_name_key(&k))
}

/// Does the string token at `range` need a closer look? A key when it names a secret or is one; a value when
/// it holds a secret or a CAVRA marker, or names a secret as the name of a name/value pair.
fn suspicious(bytes: &[u8], range: (usize, usize)) -> bool {
    let Ok(text) = std::str::from_utf8(&bytes[range.0..range.1]) else { return true };
    let inner = &text[1..text.len() - 1];
    let unescaped;
    let s: &str = if inner.contains('\\') {
        match serde_json::from_str::<String>(text) {
            Ok(v) => {
                unescaped = v;
                &unescaped
            }
            Err(_) => return true,
        }
    } else {
        inner
    };
    let after = bytes[range.1..].iter().find(|c| !c.is_ascii_whitespace());
    if after == Some(&b':') {
        return secrets::is_secret_key(s) || secrets::detect_value_secret(s).is_some();
    }
    let (finding, marker) = secrets::classify_value(s);
    marker || finding.is_some() || (secrets::is_secret_key(s) && is_pair_name(bytes, range.0))
}

enum Frame {
    Obj(Option<Key>),
    Arr(usize),
}

/// The key an object frame stands under: most keys only as where their token is (unescaped only if a pointer
/// through them is ever written), a flagged key as the text it is shown as.
enum Key {
    At(usize, usize),
    Shown(String),
}

impl Key {
    fn text<'a>(&'a self, bytes: &[u8]) -> Option<std::borrow::Cow<'a, str>> {
        match self {
            Key::At(open, close) => unescape(&bytes[*open..=*close]).map(std::borrow::Cow::Owned),
            Key::Shown(s) => Some(std::borrow::Cow::Borrowed(s)),
        }
    }
}

/// Closing quote of the string token opening at `open`.
fn string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let q = i + memchr::memchr2(b'"', b'\\', &bytes[i..])?;
        if bytes[q] == b'\\' {
            i = q + 2;
        } else {
            return Some(q);
        }
    }
}

fn unescape(token: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(token).ok()?;
    if !text.contains('\\') {
        return Some(text[1..text.len() - 1].to_string());
    }
    serde_json::from_str(text).ok()
}

/// Walk one unit's bytes, keeping the JSON path, and classify each flagged string (`targets`: opening-quote
/// offsets, ascending) where it stands: a flagged key that names a secret classifies the string or number
/// after it; a flagged key that is a secret is recorded under its redaction marker (which also stands for it
/// in every deeper pointer). Returns None when a flagged key holds an object or list, or a flagged string is
/// the name of a name/value pair, so the caller decodes the unit instead.
fn locate(bytes: &[u8], span: std::ops::Range<usize>, targets: &[usize], out: &mut Vec<FoundSecret>) -> Option<()> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut expecting_key = false;
    let mut secret_value = false;
    let mut next = 0usize;
    let mut i = span.start;
    while i < span.end {
        match bytes[i] {
            b'{' | b'[' if secret_value => return None,
            b'{' => {
                stack.push(Frame::Obj(None));
                expecting_key = true;
            }
            b'[' => {
                stack.push(Frame::Arr(0));
                expecting_key = false;
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Arr(n)) => *n += 1,
                Some(Frame::Obj(_)) => expecting_key = true,
                None => {}
            },
            b':' => expecting_key = false,
            b'"' => {
                let end = string_end(bytes, i)?;
                while next < targets.len() && targets[next] < i {
                    next += 1;
                }
                let is_target = next < targets.len() && targets[next] == i;
                if expecting_key && matches!(stack.last(), Some(Frame::Obj(_))) {
                    let mut token = None;
                    let key = if is_target {
                        let key = unescape(&bytes[i..=end])?;
                        secret_value = secrets::is_secret_key(&key);
                        token = secrets::detect_value_secret(&key);
                        Key::Shown(match token {
                            Some(kind) => secrets::key_marker(kind, &key),
                            None => key,
                        })
                    } else {
                        secret_value = false;
                        Key::At(i, end)
                    };
                    if let Some(Frame::Obj(k)) = stack.last_mut() {
                        *k = Some(key);
                    }
                    if let Some(kind) = token {
                        out.push(FoundSecret { kind, by: RedactedBy::Closeout, pointer: pointer_of(bytes, &stack)? });
                    }
                } else {
                    if is_target || secret_value {
                        let s = unescape(&bytes[i..=end])?;
                        let pair_name = || match stack.last() {
                            Some(Frame::Obj(Some(k))) => k.text(bytes).is_some_and(|k| is_pair_name_key(&k)),
                            _ => false,
                        };
                        if is_target && !secret_value && secrets::is_secret_key(&s) && pair_name() {
                            // A name/value pair naming a secret: its value may come before or after it.
                            return None;
                        }
                        if let Some((kind, by)) = classify_string(&s, secret_value) {
                            out.push(FoundSecret { kind, by, pointer: pointer_of(bytes, &stack)? });
                        }
                    }
                    secret_value = false;
                }
                i = end + 1;
                continue;
            }
            c if !c.is_ascii_whitespace() => {
                // A number under a secret key is the secret (`"password": 12345678`); booleans and null stay.
                if secret_value && (c == b'-' || c.is_ascii_digit()) {
                    out.push(FoundSecret {
                        kind: secrets::SecretKind::SecretField,
                        by: RedactedBy::Closeout,
                        pointer: pointer_of(bytes, &stack)?,
                    });
                }
                secret_value = false;
            }
            _ => {}
        }
        i += 1;
    }
    Some(())
}

/// The JSON pointer of the value the walk stands at (`bytes`: what the keys' places are in).
fn pointer_of(bytes: &[u8], stack: &[Frame]) -> Option<String> {
    let mut pointer = String::new();
    for f in stack {
        match f {
            Frame::Obj(Some(k)) => push_token(&mut pointer, &k.text(bytes)?),
            Frame::Obj(None) => {}
            Frame::Arr(n) => push_token(&mut pointer, &n.to_string()),
        }
    }
    Some(pointer)
}

/// Stages 1 and 2 over one input's bytes: the opening-quote offsets of every string that needs a closer
/// look, ascending. Needs only the bytes, so it runs beside the parse (see [`FlagJob`]).
pub(super) fn flag(bytes: &[u8]) -> Vec<usize> {
    let job = FlagJob::new(bytes);
    job.work();
    job.finish()
}

/// The secret prefilter over one input, cut into parts that any number of threads take in turn: a second
/// core starts on it while the first parses, and the first joins in when its parse is done, so both finish
/// together. Each part gives the same flags it would in one pass over everything (a string that crosses a
/// part's end is looked at from whichever part holds the candidate; duplicates are dropped at the end).
pub(super) struct FlagJob<'a> {
    bytes: &'a [u8],
    next: std::sync::atomic::AtomicUsize,
    parts: usize,
    flags: std::sync::Mutex<Vec<usize>>,
    /// Candidates, strings examined, bytes examined, CPU nanoseconds spent (Linux; else 0).
    counts: std::sync::Mutex<[usize; 4]>,
    started: std::time::Instant,
}

/// CPU time this thread has used, in nanoseconds (0 where the platform has no per-thread clock): the
/// prefilter's cost, which wall time on a busy machine does not show.
fn thread_cpu_ns() -> usize {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid timespec for the call to write into.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return (ts.tv_sec as usize).saturating_mul(1_000_000_000).saturating_add(ts.tv_nsec as usize);
        }
    }
    0
}

/// Bytes per part of a [`FlagJob`].
const PART: usize = 2 << 20;

impl<'a> FlagJob<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> FlagJob<'a> {
        FlagJob {
            bytes,
            next: std::sync::atomic::AtomicUsize::new(0),
            parts: bytes.len().div_ceil(PART),
            flags: std::sync::Mutex::new(Vec::new()),
            counts: std::sync::Mutex::new([0; 4]),
            started: std::time::Instant::now(),
        }
    }

    /// Take parts until none are left.
    pub(super) fn work(&self) {
        let mut scratch = secrets::Scratch::default();
        loop {
            let part = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if part >= self.parts {
                return;
            }
            let range = part * PART..((part + 1) * PART).min(self.bytes.len());
            let cpu = thread_cpu_ns();
            let (found, [candidates, examined, bytes]) = flag_part(self.bytes, range, &mut scratch);
            let cpu = thread_cpu_ns().saturating_sub(cpu);
            if let Ok(mut flags) = self.flags.lock() {
                flags.extend(found);
            }
            if let Ok(mut c) = self.counts.lock() {
                c.iter_mut().zip([candidates, examined, bytes, cpu]).for_each(|(a, b)| *a += b);
            }
        }
    }

    /// Take no more parts (parts under way finish).
    pub(super) fn cancel(&self) {
        self.next.fetch_max(self.parts, std::sync::atomic::Ordering::Relaxed);
    }

    /// The flags, once every part is done (every `work` call has returned).
    pub(super) fn finish(self) -> Vec<usize> {
        let mut flags = self.flags.into_inner().unwrap_or_default();
        flags.sort_unstable();
        flags.dedup();
        if let Ok([candidates, examined, bytes, cpu]) = self.counts.into_inner() {
            crate::trace(
                &format!(
                    "secret prefilter ({candidates} candidates, {examined} strings of {bytes} bytes examined, {} \
                     flagged, {:.1} ms CPU)",
                    flags.len(),
                    cpu as f64 / 1e6
                ),
                self.started,
            );
        }
        flags
    }
}

/// Stages 1 and 2 for the candidates that start in `range`: flags, and (candidates, strings examined, bytes).
fn flag_part(bytes: &[u8], range: std::ops::Range<usize>, scratch: &mut secrets::Scratch) -> (Vec<usize>, [usize; 3]) {
    use secrets::Gates;
    let cands = secrets::candidate_hits_in(bytes, range, scratch);
    let mut flags = Vec::new();
    let mut checked_until = 0usize;
    let (mut examined, mut examined_bytes) = (0usize, 0usize);
    for hit in &cands {
        let (at, gates) = (hit.at, hit.gates);
        if at < checked_until {
            continue;
        }
        // The gates of the rules the needle serves (see `secrets::Gates`); the cheap ones first.
        let open = gates.has(Gates::ALWAYS) || (gates.has(Gates::MARKER) && bytes[at..].starts_with(b"REDACTED"));
        if !open && !gates.has(Gates::KEY_WORD) {
            continue;
        }
        let Some(range) = string_around(bytes, at) else { continue };
        if !open && idle_key_word(bytes, at, range, gates.has(Gates::SCHEME)) {
            // Not `checked_until`: a later needle in the same string (a token prefix) is still looked at.
            continue;
        }
        checked_until = range.1;
        examined += 1;
        examined_bytes += range.1 - range.0;
        if suspicious(bytes, range) {
            flags.push(range.0);
        }
    }
    (flags, [cands.len(), examined, examined_bytes])
}

/// A key word (token, secret, credential, authorization, …) that sits where it cannot introduce a secret. A
/// key word matters only as a key (`"secret_key":`, also inside JSON-in-a-string as `\"secret_key\":`), in an
/// assignment (`password=…`, `Authorization: …`) or as a scheme before a credential (`Bearer abc…`); in prose
/// and kebab-case `controls[]` (`…-does-not-store-connector-credentials`, most hits in real stores) it does
/// not, and skipping those without decoding the string halves the prefilter's time on long payload strings.
/// A key word in a value is never idle when the value is the name of a name/value pair
/// (`"name": "DB_PASSWORD"`). Token prefixes, webhook hosts, CAVRA's upper-case `REDACTED` marker, `?`, `@`
/// and `\u` hits never come here (their gates open before).
fn idle_key_word(bytes: &[u8], at: usize, range: (usize, usize), scheme: bool) -> bool {
    let idle = idle_word(bytes, at, range.1, scheme);
    idle && !is_pair_name(bytes, range.0)
}

fn idle_word(bytes: &[u8], at: usize, end: usize, scheme: bool) -> bool {
    // The end of the word the needle starts (letters, digits, `_`, `-`).
    let mut i = at;
    while i < end && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-')) {
        i += 1;
    }
    let after = &bytes[i..];
    // A key: the word closes a string (`"` or `\"`) followed by `:`.
    let closed = if after.starts_with(b"\\\"") {
        Some(2)
    } else if after.starts_with(b"\"") {
        Some(1)
    } else {
        None
    };
    if let Some(n) = closed {
        let next = after[n..].iter().find(|c| !c.is_ascii_whitespace());
        return next != Some(&b':');
    }
    // An assignment or a header line, or a scheme followed by a credential (`private URLs` in prose is none).
    match after.first() {
        Some(b'=' | b':') => false,
        Some(b' ') => !(scheme && after.get(1).is_some_and(|c| c.is_ascii_alphanumeric())),
        _ => true,
    }
}

/// Stage 3: name every flagged string by unit and JSON pointer, and attribute it to its node.
pub(super) fn attribute(evidence: &Evidence) -> Vec<Redaction> {
    let mut out = Vec::new();
    // Group each input's flags by the unit holding them (both are in file order).
    let hits: Vec<Vec<(usize, Vec<usize>)>> = evidence
        .inputs
        .iter()
        .map(|input| {
            let mut hit_units: Vec<(usize, Vec<usize>)> = Vec::new();
            for &at in &input.flags {
                let idx = input.units.partition_point(|u| u.span.end() <= at);
                if idx >= input.units.len() || !input.units[idx].span.contains(at) {
                    continue;
                }
                match hit_units.last_mut() {
                    Some((last, targets)) if *last == idx => targets.push(at),
                    _ => hit_units.push((idx, vec![at])),
                }
            }
            hit_units
        })
        .collect();
    // The nodes of the units that hold a secret only: a large store without secrets maps nothing.
    let hit: std::collections::HashSet<(usize, usize)> =
        hits.iter().enumerate().flat_map(|(i, units)| units.iter().map(move |(u, _)| (i, *u))).collect();
    let mut by_unit: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    if !hit.is_empty() {
        for (i, n) in evidence.nodes.iter().enumerate() {
            if hit.contains(&(n.input as usize, n.unit as usize)) {
                by_unit.entry((n.input as usize, n.unit as usize)).or_default().push(i);
            }
        }
    }
    for ((input_idx, input), hit_units) in evidence.inputs.iter().enumerate().zip(hits) {
        let bytes: &[u8] = &input.bytes;
        for (idx, targets) in hit_units {
            let unit = &input.units[idx];
            let mut found = Vec::new();
            if locate(bytes, unit.span.range(), &targets, &mut found).is_none() {
                // A secret key holding a whole object or list: decode the unit and convert it field by field.
                found.clear();
                let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes[unit.span.range()]) else { continue };
                let _ = EValue::from_json(json, &mut found);
            }
            let candidates = by_unit.get(&(input_idx, idx)).map(Vec::as_slice).unwrap_or(&[]);
            for f in found {
                let pointer = format!("{}{}", unit.pointer(), f.pointer);
                let node = candidates
                    .iter()
                    .copied()
                    .find(|&n| pointer.starts_with(evidence.nodes[n].pointer.as_str()))
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

    /// The byte walk names the same secrets at the same pointers as decoding the unit.
    #[test]
    fn locate_agrees_with_full_decode() {
        let src = r#"{"a": [1, {"url": "https://h.example.invalid/x?REDACTED"}], "b\\/c": {"authorization": "Bearer abcDEF1234567890", "n": 2}, "headers": {"authorization": "REDACTED", "x": "ok"}, "d": "https://u:hunter2pass@h.example.invalid/"}"#;
        let bytes = src.as_bytes();
        let targets: Vec<usize> = secrets::candidates(bytes)
            .into_iter()
            .filter_map(|at| string_around(bytes, at))
            .filter(|r| suspicious(bytes, *r))
            .map(|r| r.0)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut walked = Vec::new();
        locate(bytes, 0..bytes.len(), &targets, &mut walked).unwrap();
        let mut decoded = Vec::new();
        let _ = EValue::from_json(serde_json::from_str(src).unwrap(), &mut decoded);
        walked.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        decoded.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        assert_eq!(walked, decoded);
        assert_eq!(walked.len(), 4, "{walked:?}");
    }

    #[test]
    fn secret_key_holding_a_list_falls_back_to_decoding() {
        let src = br#"{"credentials": ["p1-abcdefgh", "p2-abcdefgh"]}"#;
        let at = src.windows(10).position(|w| w == b"credential").unwrap();
        let (open, _) = string_around(src, at).unwrap();
        assert!(locate(src, 0..src.len(), &[open], &mut Vec::new()).is_none());
    }

    #[test]
    fn stage_one_is_case_insensitive_across_chunk_borders() {
        let mut text = vec![b' '; (1 << 20) - 3];
        text.extend_from_slice(b"\"Connection-String\": \"x\", \"APIKEY\": 1, \"x\": \"Splunk abc\"");
        let hits = secrets::candidates(&text);
        assert!(hits.contains(&((1 << 20) - 2)), "a needle straddling the chunk border: {hits:?}");
        assert_eq!(hits.len(), 3, "{hits:?}");
    }

    #[test]
    fn string_around_finds_token_with_escapes() {
        let b = br#"{"a": "x\"y token z", "b": 1}"#;
        let at = b.windows(5).position(|w| w == b"token").unwrap();
        let (s, e) = string_around(b, at).unwrap();
        assert_eq!(&b[s..e], br#""x\"y token z""#);
    }

    /// Every kind of secret the detector knows, as keys and as values, is hit by stage 1.
    #[test]
    fn stage_one_hits_every_known_secret() {
        let gh = format!("gh{}_{}", "p", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8");
        let slack = format!("xo{}-{}", "xb", "1234567890-abcdefABCDEF");
        let stripe = format!("sk_{}_{}", "live", "4eC39HqLyjWDarjtT1zdp7dc");
        let pem = format!("-----BEGIN {} KEY-----\\nMIIE", "RSA PRIVATE");
        let values = [
            gh,
            slack,
            stripe,
            pem,
            "Bearer abcDEF1234567890".to_string(),
            "Basic dXNlcjpwYXNzd29yZDEyMw==".to_string(),
            "https://user:hunter2pass@h.example.invalid/x".to_string(),
            "https://h.example.invalid/x?token=abc123".to_string(),
            "https://hooks.slack.com/services/T000/B000/XYZabc123".to_string(),
            "https://x.webhook.office.com/webhookb2/abc".to_string(),
            "https://discord.com/api/webhooks/1/abcdef".to_string(),
        ];
        for v in &values {
            assert!(secrets::detect_value_secret(v).is_some(), "detector should flag {v}");
            let json = serde_json::to_string(&serde_json::json!({ "v": v })).unwrap();
            assert!(!secrets::candidates(json.as_bytes()).is_empty(), "stage 1 missed {v}");
            assert!(!flag(json.as_bytes()).is_empty(), "stage 2 dropped {v}");
            // The same secret inside a JSON payload string (escaped JSON in a string, as delivery events carry).
            let inner =
                serde_json::to_string(&serde_json::json!({ "note": "the connector-credentials are rotated", "v": v }))
                    .unwrap();
            let payload = serde_json::to_string(&serde_json::json!({ "payload": inner })).unwrap();
            assert!(!flag(payload.as_bytes()).is_empty(), "stage 2 dropped {v} inside a payload string");
        }
        for key in [
            "token",
            "access_token",
            "Authorization",
            "api_key",
            "apiKey",
            "API_KEY",
            "x-api-key",
            "private_key",
            "signing_key",
            "client_secret",
            "webhook_secret",
            "password",
            "PASSWORD",
            "credentials",
            "cookie",
            "session_token",
            "connection_string",
            "secret_key",
            "pwd",
        ] {
            assert!(secrets::is_secret_key(key), "detector should flag key {key}");
            let json = format!("{{\"{key}\": \"value-1234567\"}}");
            assert!(!secrets::candidates(json.as_bytes()).is_empty(), "stage 1 missed key {key}");
            assert!(!flag(json.as_bytes()).is_empty(), "stage 2 dropped key {key}");
            let assignment = format!("{{\"text\": \"connect with {key}=hunter2pass\"}}");
            assert!(!flag(assignment.as_bytes()).is_empty(), "stage 2 dropped the assignment {key}=");
            let payload = serde_json::to_string(&serde_json::json!({ "payload": json })).unwrap();
            assert!(!flag(payload.as_bytes()).is_empty(), "stage 2 dropped key {key} inside a payload string");
        }
    }

    #[test]
    fn idle_key_words_are_skipped_but_secrets_are_not() {
        let src = br#"{"controls": ["community-edition-does-not-store-connector-credentials"], "x": "secret-ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "secret_key": "v", "h": "REDACTED"}"#;
        let flags = flag(src);
        let texts: Vec<String> = flags
            .iter()
            .map(|&o| {
                let (s, e) = string_around(src, o + 1).unwrap();
                String::from_utf8_lossy(&src[s..e]).into_owned()
            })
            .collect();
        assert!(!texts.iter().any(|t| t.contains("credentials")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("ghp_")), "the token after the plain word is still found: {texts:?}");
        assert!(texts.iter().any(|t| t == "\"secret_key\""), "{texts:?}");
        assert!(texts.iter().any(|t| t == "\"REDACTED\""), "{texts:?}");
    }

    /// Findings by the scan path: stage 1 and 2 flags, then the byte walk (or a decode where it gives up).
    fn scan_path(src: &str) -> Vec<FoundSecret> {
        let bytes = src.as_bytes();
        let targets = flag(bytes);
        let mut found = Vec::new();
        if targets.is_empty() {
            return found;
        }
        if locate(bytes, 0..bytes.len(), &targets, &mut found).is_none() {
            found.clear();
            let _ = EValue::from_json(serde_json::from_str(src).unwrap(), &mut found);
        }
        sorted(found)
    }

    fn decode_path(src: &str) -> Vec<FoundSecret> {
        let mut found = Vec::new();
        let _ = EValue::from_json(serde_json::from_str(src).unwrap(), &mut found);
        sorted(found)
    }

    fn sorted(mut v: Vec<FoundSecret>) -> Vec<FoundSecret> {
        v.sort_by(|a, b| (&a.pointer, a.kind).cmp(&(&b.pointer, b.kind)));
        v
    }

    /// JSON string body (no quotes) with every character `\u`-escaped up to `n`, the rest plainly.
    fn u_escaped(s: &str, n: usize) -> String {
        let mut out: String = s.chars().take(n).map(|c| format!("\\u{:04x}", c as u32)).collect();
        let rest: String = s.chars().skip(n).collect();
        let quoted = serde_json::to_string(&rest).unwrap();
        out.push_str(&quoted[1..quoted.len() - 1]);
        out
    }

    /// Every secret the detector knows, in every JSON role and spelling: the prefilter flags it, and the
    /// byte walk names the same findings at the same pointers as decoding the document.
    #[test]
    fn prefilter_never_misses_what_the_detector_flags() {
        let mut values: Vec<String> = Vec::new();
        for rule in secrets::token_rules() {
            values.extend((1..=12).map(|seed| secrets::sample_matching(rule.regex, seed)));
        }
        values.extend(
            [
                concat!("gh", "p_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"),
                concat!("github", "_pat_", "11ABCDEFG0123456789_abcdefghijKLMNOP"),
                concat!("xo", "xb-", "123456789012-AbCdEfGhIjKl"),
                concat!("sk", "_live_", "51H8abcdEFGHijkl0123"),
                concat!("wh", "sec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX\n-----END RSA PRIVATE KEY-----",
                "Bearer abcDEF1234567890",
                "Splunk 12345678-aaaa-bbbb-cccc-1234567890ab",
                "https://user:hunter2pass@h.example.invalid/x",
                "https://h.example.invalid/x?sig=Ab1Cd2",
                "https://hooks.slack.com/services/T000/B000/XYZabc123",
                "https://discord.com/api/webhooks/1/abcdef",
                "password=hunter22",
                "AccountName=a1;AccountKey=Zq8Wm3Np6Rt2Vx9Lk4Hj7Gf5Dd1Ss0Aa2Bb3Cc4==;EndpointSuffix=x",
                "REDACTED",
                "https://h.example.invalid/x?REDACTED",
            ]
            .map(String::from),
        );
        let mut docs = Vec::new();
        let mut flagged = 0;
        for v in &values {
            if secrets::classify_value(v) == (None, false) {
                continue;
            }
            flagged += 1;
            let q = serde_json::to_string(v).unwrap();
            let body = &q[1..q.len() - 1];
            docs.push(format!(r#"{{"a": {q}}}"#));
            docs.push(format!(r#"{{"a": ["x", {{"b": "note: {body} end"}}]}}"#));
            docs.push(format!(r#"{{"a": "line one\nand {body}"}}"#));
            docs.push(format!(r#"{{"a": "{}"}}"#, u_escaped(v, 1)));
            docs.push(format!(r#"{{"a": "{}"}}"#, u_escaped(v, 3)));
            let inner = serde_json::to_string(&serde_json::json!({ "x": v, "note": "connector-credentials" })).unwrap();
            docs.push(serde_json::to_string(&serde_json::json!({ "payload": inner })).unwrap());
            // The secret as an object key, plainly and escaped.
            docs.push(format!(r#"{{"a": {{{q}: 1, "b": {{"c": "Bearer abcDEF1234567890"}}}}}}"#));
            docs.push(format!(r#"{{"{}": {{"n": 2}}}}"#, u_escaped(v, 2)));
        }
        assert!(flagged > 60, "only {flagged} generated values are secrets");
        for key in ["PassWord", "sEcReT", "API_KEY", "Client-Secret", "\\u0070assword", "x-api-key", "AccountKey"] {
            docs.push(format!(r#"{{"a": {{"{key}": 12345678, "n": 1}}}}"#));
            docs.push(format!(r#"{{"a": {{"{key}": -1.5e3}}}}"#));
            docs.push(format!(r#"{{"a": {{"{key}": "opaque-value"}}}}"#));
            docs.push(format!(r#"{{"a": {{"{key}": {{"inner": [1, "two", true]}}}}}}"#));
            docs.push(format!(r#"{{"a": {{"{key}": false, "token_env": "SPLUNK_HEC_TOKEN"}}}}"#));
        }
        for (name_key, name, value_key) in [
            ("name", "DB_PASSWORD", "value"),
            ("key", "api_key", "value"),
            ("Name", "SECRET", "Value"),
            ("header", "Authorization", "value"),
            ("variable", "SPLUNK_HEC_TOKEN", "value"),
            ("name", "Authorization", "value"),
            ("name", "token_env", "value"),
            ("name", "DB_HOST", "value"),
        ] {
            for value in [r#""hunter2-db""#, "12345", r#""Bearer abcDEF1234567890""#, "true", r#""REDACTED""#] {
                docs.push(format!(r#"{{"env": [{{"{name_key}": "{name}", "{value_key}": {value}}}]}}"#));
                docs.push(format!(r#"{{"env": [{{"{value_key}": {value}, "{name_key}": "{name}"}}]}}"#));
            }
        }
        let mut with_findings = 0;
        for doc in &docs {
            let decoded = decode_path(doc);
            if !decoded.is_empty() {
                with_findings += 1;
                assert!(!flag(doc.as_bytes()).is_empty(), "prefilter flags nothing in {doc}");
            }
            assert_eq!(scan_path(doc), decoded, "scan and decode disagree on {doc}");
        }
        assert!(with_findings > 500, "only {with_findings} documents have findings");
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
