//! Untrusted text: every string that came from evidence (a value, a key, an id, a label, a kind, a line of an
//! error message) is a [`Text`]. It can be compared, hashed and parsed, but it can only be *shown* sanitised
//! (control and format characters made visible) and redacted (a secret becomes a marker with a short stable
//! fingerprint, so an id that is a secret stays navigable). There is no accessor that hands the raw string to
//! a renderer; the domain reads it through [`Text::matches`], [`Text::parse`] and friends.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

use crate::evidence::secrets::{self, SecretKind};

/// A string from evidence.
pub struct Text {
    raw: Box<str>,
    /// Whether the text itself is a secret: [`UNKNOWN`] until first asked, then [`NOT_SECRET`] or
    /// [`FIRST_KIND`] plus the kind's place in [`SecretKind::ALL`]; with [`FIXED`] set when the constructor
    /// said so (a value under a secret key, or one already judged). Detection is deferred because it costs
    /// more than most texts are ever used for: a store's ids and links are compared and hashed, and few are
    /// shown. Any thread may settle it; all compute the same value.
    state: AtomicU8,
}

const UNKNOWN: u8 = 0;
const NOT_SECRET: u8 = 1;
const FIRST_KIND: u8 = 2;
const FIXED: u8 = 0x80;

const fn encode(kind: Option<SecretKind>) -> u8 {
    match kind {
        None => NOT_SECRET,
        Some(k) => FIRST_KIND + k as u8,
    }
}

fn decode(state: u8) -> Option<SecretKind> {
    match state & !FIXED {
        NOT_SECRET | UNKNOWN => None,
        n => Some(SecretKind::from_place(usize::from(n - FIRST_KIND))),
    }
}

impl Text {
    fn with_state(raw: Box<str>, state: u8) -> Text {
        Text { raw, state: AtomicU8::new(state) }
    }

    /// Wrap a string from evidence; whether it is itself a secret is detected when first asked.
    pub fn new(raw: impl Into<Box<str>>) -> Text {
        Text::with_state(raw.into(), UNKNOWN)
    }

    /// Wrap a string already known to be a secret of `kind` (a value under a secret key).
    pub fn secret(raw: impl Into<Box<str>>, kind: SecretKind) -> Text {
        Text::with_state(raw.into(), FIXED | encode(Some(kind)))
    }

    /// The secret kind, when the text is one.
    pub fn secret_kind(&self) -> Option<SecretKind> {
        let mut state = self.state.load(Relaxed);
        if state == UNKNOWN {
            state = encode(detect(&self.raw));
            self.state.store(state, Relaxed);
        }
        decode(state)
    }

    /// Whether the secret kind was set by the constructor rather than detected.
    fn fixed(&self) -> bool {
        self.state.load(Relaxed) & FIXED != 0
    }

    pub fn is_secret(&self) -> bool {
        self.secret_kind().is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.trim().is_empty()
    }

    /// Equality with a known string (a constant, an id read elsewhere).
    pub fn matches(&self, s: &str) -> bool {
        &*self.raw == s
    }

    /// Whether the raw text ends with `suffix` (classifying keys, never for display).
    pub fn ends_with(&self, suffix: &str) -> bool {
        self.raw.ends_with(suffix)
    }

    /// One of several known values (state enums map through this).
    pub fn one_of(&self, values: &[&str]) -> bool {
        values.contains(&&*self.raw)
    }

    /// Parse the text as a time (see [`crate::time::parse_instant`]).
    pub fn instant(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        crate::time::parse_instant(&self.raw)
    }

    /// Map the raw text through a function (a state parser, a lookup): domain only, like [`Text::raw`].
    pub(crate) fn with_raw<T>(&self, f: impl FnOnce(&str) -> T) -> T {
        f(&self.raw)
    }

    /// The raw text, for the domain's lookups only (id indexes, joins, hashing): never displayed or written.
    /// The presentation layers (`tui`, `report`, `demo`, `walkthrough`, `main`) must not call it; a test
    /// (`tests/untrusted_text.rs`) reads their sources and fails if they do.
    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }

    /// The text as it may be displayed or written: sanitised, and redacted when it is a secret.
    pub fn shown(&self) -> Cow<'_, str> {
        match self.secret_kind() {
            Some(kind) => Cow::Owned(marker(kind, &self.raw)),
            None => crate::sanitize::clean(&self.raw),
        }
    }
}

/// A message that quotes evidence (an error naming a row id, a path, an unknown value), made safe to show:
/// every word that is a secret becomes its marker, then control and format characters are escaped. Words
/// are split at whitespace, quotes, brackets and commas, so a secret quoted in a sentence is found.
pub fn shown_message(s: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut last = 0;
    for (start, word) in words(s) {
        if let Some(kind) = detect(word) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[last..start]);
            o.push_str(&marker(kind, word));
            last = start + word.len();
        }
    }
    match out {
        None => crate::sanitize::clean(s),
        Some(mut o) => {
            o.push_str(&s[last..]);
            Cow::Owned(crate::sanitize::clean(&o).into_owned())
        }
    }
}

/// The words of a message with their byte offsets: runs between whitespace, quotes, brackets, commas, control
/// and format characters, and terminal escape sequences (a CSI such as `ESC [ 31 m` or an OSC up to its BEL),
/// which are skipped whole so the word a terminal would show after them is the word examined.
fn words(s: &str) -> Vec<(usize, &str)> {
    let is_gap = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || !crate::sanitize::is_clean(c.encode_utf8(&mut [0; 4]))
            || matches!(c, '"' | '\'' | '`' | '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';')
    };
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut start: Option<usize> = None;
    while i < chars.len() {
        let (at, c) = chars[i];
        // The length of an escape sequence starting here, in chars.
        let seq = match (c, chars.get(i + 1).map(|x| x.1)) {
            ('\u{1b}', Some('[')) | ('\u{9b}', _) => {
                let from = if c == '\u{9b}' { i + 1 } else { i + 2 };
                let end = (from..chars.len()).find(|&j| ('\u{40}'..='\u{7e}').contains(&chars[j].1));
                end.map_or(chars.len() - i, |j| j + 1 - i)
            }
            ('\u{1b}', Some(']')) | ('\u{9d}', _) => {
                let end = (i + 1..chars.len()).find(|&j| matches!(chars[j].1, '\u{7}' | '\u{9c}' | '\u{1b}'));
                end.map_or(chars.len() - i, |j| j + 1 - i)
            }
            _ if is_gap(c) => 1,
            _ => 0,
        };
        if seq > 0 {
            if let Some(st) = start.take() {
                out.push((st, &s[st..at]));
            }
            i += seq;
        } else {
            start.get_or_insert(at);
            i += 1;
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

fn detect(raw: &str) -> Option<SecretKind> {
    if raw.is_empty() || raw.len() > 1 << 16 {
        return None;
    }
    match secrets::classify_value(raw) {
        (Some(kind), false) => Some(kind),
        _ => None,
    }
}

/// `«REDACTED: GitHub token #1a2b3c4d»`: the kind and a short fingerprint of the secret (the detector's
/// [`secrets::key_marker`]), stable across runs so recordings and reports stay byte-identical.
pub fn marker(kind: SecretKind, raw: &str) -> String {
    secrets::key_marker(kind, raw)
}

impl Text {
    /// Wrap a string the detector has already judged not to be a secret (values converted at load).
    pub(crate) fn checked(raw: impl Into<Box<str>>) -> Text {
        Text::with_state(raw.into(), FIXED | NOT_SECRET)
    }
}

impl Clone for Text {
    fn clone(&self) -> Text {
        Text::with_state(self.raw.clone(), self.state.load(Relaxed))
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new("")
    }
}

// Two texts with the same raw string are one text unless a constructor fixed a different secret kind on
// one of them (detection is a function of the string). Hashing the string alone agrees with that.
impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.raw == other.raw && ((!self.fixed() && !other.fixed()) || self.secret_kind() == other.secret_kind())
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.raw.cmp(&other.raw).then_with(|| {
            if !self.fixed() && !other.fixed() {
                std::cmp::Ordering::Equal
            } else {
                self.secret_kind().cmp(&other.secret_kind())
            }
        })
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.shown())
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.shown())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_sent() {
        let t = Text::new("id\x1b[2Jx\u{202e}");
        assert_eq!(t.shown(), "id\\x1b[2Jx\\u{202e}");
        assert_eq!(t.to_string(), "id\\x1b[2Jx\\u{202e}");
        assert!(t.matches("id\x1b[2Jx\u{202e}"));
    }

    #[test]
    fn a_secret_id_is_a_marker_with_a_stable_fingerprint() {
        let raw = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
        let t = Text::new(raw);
        assert!(t.is_secret());
        let shown = t.to_string();
        assert!(!shown.contains("ghp_0123"), "{shown}");
        assert!(shown.starts_with("«REDACTED: GitHub token #"), "{shown}");
        assert_eq!(shown, Text::new(raw).to_string(), "stable");
        assert_ne!(shown, Text::new("ghp_0123456789abcdefghijklmnopqrstuvwxyzAC").to_string(), "distinct");
        assert!(!format!("{t:?}").contains("ghp_0123"));
        assert!(!serde_json::to_string(&t).unwrap().contains("ghp_0123"));
        assert!(t.matches(raw), "still navigable by its raw id");
    }

    #[test]
    fn plain_ids_show_as_themselves() {
        let t = Text::new("gordackfinalbundle-2e231b586c36180b");
        assert!(!t.is_secret());
        assert_eq!(t.to_string(), "gordackfinalbundle-2e231b586c36180b");
    }

    #[test]
    fn every_secret_kind_has_its_own_place_in_the_table() {
        for (i, &k) in SecretKind::ALL.iter().enumerate() {
            assert_eq!(k as usize, i, "{k:?}");
            assert_eq!(decode(encode(Some(k))), Some(k));
            assert_eq!(decode(FIXED | encode(Some(k))), Some(k));
        }
        assert_eq!(decode(encode(None)), None);
        assert!(usize::from(FIRST_KIND) + SecretKind::ALL.len() < usize::from(FIXED), "the kinds fit below the flag");
        // A place past the table still decodes as a secret: a kind missing from it is never shown in the clear.
        assert_eq!(decode(FIRST_KIND + SecretKind::ALL.len() as u8), Some(SecretKind::SecretField));
    }

    /// Detection is deferred, but a text is judged the same whenever and however it is asked: before or after
    /// a clone, shown or compared, on any thread.
    #[test]
    fn a_deferred_judgement_is_the_same_whenever_it_is_made() {
        let raw = "Bearer abcDEF1234567890abcdef";
        let t = Text::new(raw);
        let early = t.clone();
        assert_eq!(t.state.load(Relaxed), UNKNOWN, "not detected until asked");
        assert_eq!(t.secret_kind(), Some(SecretKind::BearerCredential));
        assert_ne!(t.state.load(Relaxed), UNKNOWN);
        let late = t.clone();
        assert_eq!(early.secret_kind(), t.secret_kind());
        assert_eq!(late.secret_kind(), t.secret_kind());
        assert!(!early.to_string().contains("abcDEF"), "{early}");
        let shared = Text::new(raw);
        let kinds: Vec<Option<SecretKind>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4).map(|_| s.spawn(|| shared.secret_kind())).collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(kinds.iter().all(|&k| k == Some(SecretKind::BearerCredential)), "{kinds:?}");
    }

    /// Equality, order and hashing follow the string, and a kind fixed by a constructor where it differs
    /// from what detection says.
    #[test]
    fn texts_compare_by_string_and_by_a_fixed_kind() {
        use std::hash::BuildHasher;
        let (a, b) = (Text::new("id-1"), Text::new("id-1"));
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        assert_eq!(a.state.load(Relaxed), UNKNOWN, "comparing two detected texts detects nothing");
        let state = std::collections::hash_map::RandomState::new();
        assert_eq!(state.hash_one(&a), state.hash_one(&b));
        assert_ne!(Text::new("id-1"), Text::new("id-2"));
        assert!(Text::new("id-1") < Text::new("id-2"));
        // A plain string fixed as a secret (a value under a secret key) is not the detected plain text.
        let fixed = Text::secret("id-1", SecretKind::SecretField);
        assert_ne!(fixed, a);
        assert!(a < fixed, "not a secret sorts before a secret, as Option does");
        assert!(fixed.is_secret() && !a.is_secret());
        // Fixed as what detection finds anyway: the same text.
        let raw = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
        assert_eq!(Text::secret(raw, SecretKind::GithubToken), Text::new(raw));
        assert_ne!(Text::secret(raw, SecretKind::SecretField), Text::new(raw));
        // Judged not a secret at load: kept so, even where detection would say otherwise.
        let judged = Text::checked(raw);
        assert!(!judged.is_secret());
        assert_ne!(judged, Text::new(raw));
        assert_eq!(judged.clone(), judged);
        assert_eq!(Text::default(), Text::new(""));
    }
}
