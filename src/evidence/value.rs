//! The evidence value tree: JSON with secrets already replaced by [`Redacted`] values, and each field's
//! Community boundary class.
//!
//! Conversion from raw JSON happens once, when an artifact is materialized; after that no pane, report or
//! recording can reach a secret's original text, because the tree no longer holds it.

use std::fmt;

use serde::Serialize;

use super::secrets::{self, SecretKind};

/// A secret that was removed at load time. It records what kind of secret it was and, for URLs, the
/// harmless scheme and host; it has no field that could hold the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    kind: SecretKind,
    hint: Option<String>,
}

impl Redacted {
    pub fn new(kind: SecretKind, hint: Option<String>) -> Self {
        Redacted { kind, hint }
    }
    pub fn kind(&self) -> SecretKind {
        self.kind
    }
    /// The scheme and host of a redacted URL (never its userinfo, path or query).
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.hint {
            Some(h) => write!(f, "{h}/«REDACTED: {}»", self.kind.label()),
            None => write!(f, "«REDACTED: {}»", self.kind.label()),
        }
    }
}

/// Who redacted a value: CAVRA before it stored the evidence, or closeout at load time (the evidence
/// carried the secret in the clear, which is a boundary violation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedactedBy {
    Cavra,
    Closeout,
}

/// A secret found while converting a value, with its JSON pointer relative to the converted root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSecret {
    pub kind: SecretKind,
    pub by: RedactedBy,
    pub pointer: String,
}

/// A JSON value from evidence, with secrets redacted.
#[derive(Debug, Clone, PartialEq)]
pub enum EValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    /// A string: untrusted text (the detector found no secret in it, or CAVRA's own marker).
    String(crate::text::Text),
    Array(Vec<EValue>),
    /// Keys are untrusted text too (a key that is a secret is already its marker).
    Object(Vec<(crate::text::Text, EValue)>),
    Redacted(Redacted),
}

impl EValue {
    /// Convert raw JSON, redacting secrets and recording where each was found (pointers relative to `value`).
    pub fn from_json(value: serde_json::Value, found: &mut Vec<FoundSecret>) -> EValue {
        let mut pointer = String::new();
        convert(value, false, &mut pointer, found)
    }

    pub fn get(&self, key: &str) -> Option<&EValue> {
        match self {
            EValue::Object(entries) => entries.iter().find(|(k, _)| k.matches(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follow a JSON pointer (`/a/0/b`).
    pub fn pointer(&self, pointer: &str) -> Option<&EValue> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut cur = self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            cur = match cur {
                EValue::Object(_) => cur.get(&token)?,
                EValue::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The string, as untrusted text.
    pub fn as_text(&self) -> Option<&crate::text::Text> {
        match self {
            EValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the value is the string `s` (matching known values, never for display).
    pub fn is_str(&self, s: &str) -> bool {
        self.as_text().is_some_and(|t| t.matches(s))
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            EValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            EValue::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[EValue]> {
        match self {
            EValue::Array(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&[(crate::text::Text, EValue)]> {
        match self {
            EValue::Object(entries) => Some(entries),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, EValue::Null)
    }

    /// The JSON type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            EValue::Null => "null",
            EValue::Bool(_) => "boolean",
            EValue::Number(_) => "number",
            EValue::String(_) => "string",
            EValue::Array(_) => "array",
            EValue::Object(_) => "object",
            EValue::Redacted(_) => "redacted secret",
        }
    }

    /// A one-line rendering for scalars (strings unquoted, sanitised); containers summarised.
    pub fn scalar_text(&self) -> String {
        match self {
            EValue::Null => "null".into(),
            EValue::Bool(b) => b.to_string(),
            EValue::Number(n) => n.to_string(),
            EValue::String(s) => s.to_string(),
            EValue::Array(items) => format!("[{} items]", items.len()),
            EValue::Object(entries) => format!("{{{} fields}}", entries.len()),
            EValue::Redacted(r) => r.to_string(),
        }
    }
}

impl Serialize for EValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            EValue::Null => s.serialize_unit(),
            EValue::Bool(b) => s.serialize_bool(*b),
            EValue::Number(n) => n.serialize(s),
            EValue::String(v) => s.serialize_str(&v.shown()),
            EValue::Redacted(r) => s.serialize_str(&r.to_string()),
            EValue::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            EValue::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(&*k.shown(), v)?;
                }
                map.end()
            }
        }
    }
}

/// Append one JSON pointer token, escaped.
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    if token.contains(['~', '/']) {
        pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
    } else {
        pointer.push_str(token);
    }
}

/// Keys whose string value names what a sibling [`PAIR_VALUE_KEYS`] member holds (compared ASCII
/// case-insensitively): `{"name": "DB_PASSWORD", "value": "…"}`, `{"header": "Authorization", "value": …}`.
pub const PAIR_NAME_KEYS: &[&str] = &["name", "key", "header", "variable", "var", "param", "parameter"];

/// The member of a name/value pair that holds the value.
pub const PAIR_VALUE_KEYS: &[&str] = &["value"];

/// `key` names the name of a name/value pair.
pub fn is_pair_name_key(key: &str) -> bool {
    PAIR_NAME_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

fn is_pair_value_key(key: &str) -> bool {
    PAIR_VALUE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// The object is a name/value pair whose name is a secret-looking key (`DB_PASSWORD`, `Authorization`).
fn names_a_secret(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    map.iter().any(|(k, v)| is_pair_name_key(k) && v.as_str().is_some_and(secrets::is_secret_key))
        && map.keys().any(|k| is_pair_value_key(k))
}

fn convert(
    value: serde_json::Value,
    under_secret_key: bool,
    pointer: &mut String,
    found: &mut Vec<FoundSecret>,
) -> EValue {
    match value {
        serde_json::Value::Null => EValue::Null,
        serde_json::Value::Bool(b) => EValue::Bool(b),
        // A number under a secret key is the secret (`"password": 12345678`); booleans and null stay.
        serde_json::Value::Number(_) if under_secret_key => {
            found.push(FoundSecret {
                kind: SecretKind::SecretField,
                by: RedactedBy::Closeout,
                pointer: pointer.clone(),
            });
            EValue::Redacted(Redacted::new(SecretKind::SecretField, None))
        }
        serde_json::Value::Number(n) => EValue::Number(n),
        serde_json::Value::String(s) => convert_string(s, under_secret_key, pointer, found),
        serde_json::Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = pointer.len();
                push_token(pointer, &i.to_string());
                out.push(convert(item, under_secret_key, pointer, found));
                pointer.truncate(len);
            }
            EValue::Array(out)
        }
        serde_json::Value::Object(map) => {
            let pair = names_a_secret(&map);
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map {
                let len = pointer.len();
                // A key that is itself a secret (`{"ghp_…": 1}`) is kept only as its redaction marker.
                let token = secrets::detect_value_secret(&k);
                let secret = under_secret_key || secrets::is_secret_key(&k) || (pair && is_pair_value_key(&k));
                let shown = match token {
                    Some(kind) => secrets::key_marker(kind, &k),
                    None => k,
                };
                push_token(pointer, &shown);
                if let Some(kind) = token {
                    found.push(FoundSecret { kind, by: RedactedBy::Closeout, pointer: pointer.clone() });
                }
                let value = convert(v, secret, pointer, found);
                out.push((crate::text::Text::checked(shown), value));
                pointer.truncate(len);
            }
            EValue::Object(out)
        }
    }
}

/// How a string found in evidence counts: a CAVRA redaction marker, a secret closeout must redact, or
/// nothing. `under_secret_key` is true when the string sits under a secret-looking key.
pub fn classify_string(s: &str, under_secret_key: bool) -> Option<(SecretKind, RedactedBy)> {
    if s.is_empty() {
        return None;
    }
    let (finding, marker) = secrets::classify_value(s);
    if marker {
        let kind = if s.contains("?REDACTED") {
            SecretKind::UrlQuery
        } else if s.contains("/services/REDACTED") {
            SecretKind::WebhookPath
        } else {
            SecretKind::SecretField
        };
        return Some((kind, RedactedBy::Cavra));
    }
    match finding {
        Some(kind) => Some((kind, RedactedBy::Closeout)),
        None if under_secret_key => Some((SecretKind::SecretField, RedactedBy::Closeout)),
        None => None,
    }
}

fn convert_string(s: String, under_secret_key: bool, pointer: &str, found: &mut Vec<FoundSecret>) -> EValue {
    match classify_string(&s, under_secret_key) {
        None => EValue::String(crate::text::Text::checked(s)),
        Some((kind, by)) => {
            found.push(FoundSecret { kind, by, pointer: pointer.to_string() });
            match by {
                RedactedBy::Cavra => EValue::String(crate::text::Text::checked(s)),
                RedactedBy::Closeout => {
                    let hint = url_origin(&s);
                    EValue::Redacted(Redacted::new(kind, hint))
                }
            }
        }
    }
}

/// CAVRA's own redaction marker, which [`redact_json`] writes in place of every secret it removes.
pub const CAVRA_MARKER: &str = "REDACTED";

/// The same JSON with every secret the loader would redact replaced by CAVRA's own marker ([`CAVRA_MARKER`]):
/// a string or number under a secret key, the value of a name/value pair naming a secret, a string holding a
/// token, and a key that is itself a token (kept as its closeout marker, so keys stay unique). The rules are
/// the loader's ([`convert`]), so what is left loads with nothing exposed. Returns the copy and how many
/// secrets were replaced; CAVRA's own markers stay as they are.
pub fn redact_json(value: serde_json::Value) -> (serde_json::Value, usize) {
    let mut n = 0;
    let v = redact_inner(value, false, &mut n);
    (v, n)
}

fn redact_inner(value: serde_json::Value, under_secret_key: bool, n: &mut usize) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(_) if under_secret_key => {
            *n += 1;
            Value::String(CAVRA_MARKER.into())
        }
        Value::String(s) => match classify_string(&s, under_secret_key) {
            Some((_, RedactedBy::Closeout)) => {
                *n += 1;
                Value::String(CAVRA_MARKER.into())
            }
            _ => Value::String(s),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(|v| redact_inner(v, under_secret_key, n)).collect()),
        Value::Object(map) => {
            let pair = names_a_secret(&map);
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let secret = under_secret_key || secrets::is_secret_key(&k) || (pair && is_pair_value_key(&k));
                let key = match secrets::detect_value_secret(&k) {
                    Some(kind) => {
                        *n += 1;
                        secrets::key_marker(kind, &k)
                    }
                    None => k,
                };
                out.insert(key, redact_inner(v, secret, n));
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// `scheme://host` of a string that is a URL, without userinfo; None otherwise.
fn url_origin(s: &str) -> Option<String> {
    let (scheme, rest) = s.split_once("://")?;
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b)) {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

/// How a field relates to the Community metadata boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    /// Public-safe metadata Community records: ids, hashes, states, counts, timestamps.
    PublicMetadata,
    /// A pointer to a system an operator or Enterprise/SaaS owns: signatures, key ids, archive refs, release records.
    ExternalReference,
    /// A statement about the boundary itself: `controls[]`, the boundary note, `private_key_stored`, ...
    BoundaryAssertion,
}

impl Boundary {
    /// The class of the field named by this key (evidence text).
    pub fn of_key(key: &crate::text::Text) -> Boundary {
        key.with_raw(classify_key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Boundary::PublicMetadata => "public metadata",
            Boundary::ExternalReference => "external reference",
            Boundary::BoundaryAssertion => "boundary assertion",
        }
    }
    pub fn short(self) -> &'static str {
        match self {
            Boundary::PublicMetadata => "pub",
            Boundary::ExternalReference => "ext",
            Boundary::BoundaryAssertion => "bnd",
        }
    }
}

const EXTERNAL_KEYS: &[&str] = &[
    "signature",
    "signature_key_id",
    "signature_algorithm",
    "key_reference",
    "archive_ref",
    "archive_provider",
    "archive_hash",
    "external_ref",
    "release_record_ref",
    "release_id",
    "retention_until",
    "legal_hold",
    "route",
    "url",
    "headers",
    "signed_by",
    "criteria_document",
    "delivery_evidence",
];

const ASSERTION_KEYS: &[&str] = &[
    "controls",
    "boundary_note",
    "private_key_stored",
    "live_connector_used",
    "redacted",
    "dry_run",
    "edition",
    "data_classification",
];

/// Classify the field at `key` (its own name; list items inherit their parent's class).
pub fn classify_key(key: &str) -> Boundary {
    if ASSERTION_KEYS.contains(&key) {
        Boundary::BoundaryAssertion
    } else if EXTERNAL_KEYS.contains(&key) || key.ends_with("_external_ref") {
        Boundary::ExternalReference
    } else {
        Boundary::PublicMetadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert_str(src: &str) -> (EValue, Vec<FoundSecret>) {
        let mut found = Vec::new();
        let v = EValue::from_json(serde_json::from_str(src).unwrap(), &mut found);
        (v, found)
    }

    #[test]
    fn secret_under_secret_key_is_redacted_with_pointer() {
        let (v, found) = convert_str(r#"{"request": {"headers": {"authorization": "Bearer abcdefgh12345678"}}}"#);
        let got = v.pointer("/request/headers/authorization").unwrap();
        assert!(matches!(got, EValue::Redacted(_)), "{got:?}");
        assert!(!format!("{got:?}").contains("abcdefgh12345678"));
        assert!(!got.scalar_text().contains("abcdefgh"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/request/headers/authorization");
        assert_eq!(found[0].by, RedactedBy::Closeout);
    }

    #[test]
    fn cavra_markers_stay_and_are_counted() {
        let (v, found) =
            convert_str(r#"{"url": "https://h.example.invalid/x?REDACTED", "headers": {"authorization": "REDACTED"}}"#);
        assert!(v.get("url").unwrap().is_str("https://h.example.invalid/x?REDACTED"));
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.by == RedactedBy::Cavra));
    }

    #[test]
    fn url_secret_keeps_only_origin() {
        let (v, _) = convert_str(r#"{"url": "https://user:hunter2pass@hooks.example.invalid/a?token=zzz"}"#);
        let shown = v.get("url").unwrap().scalar_text();
        assert!(shown.starts_with("https://hooks.example.invalid/«REDACTED"), "{shown}");
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains("zzz"));
    }

    #[test]
    fn booleans_under_secret_looking_keys_are_not_secrets() {
        let (v, found) = convert_str(r#"{"private_key_stored": false, "token_env": "SPLUNK_HEC_TOKEN"}"#);
        assert_eq!(v.get("private_key_stored"), Some(&EValue::Bool(false)));
        assert!(found.is_empty(), "{found:?}");
    }

    /// Fake tokens of the right shape, built from pieces.
    fn gh() -> String {
        ["gh", "p_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].concat()
    }

    #[test]
    fn unicode_escaped_secrets_are_decoded_before_detecting() {
        let token = gh();
        let escaped = format!("\\u0067{}", &token[1..]);
        let (v, found) =
            convert_str(&format!(r#"{{"note": "{escaped}", "k\u0065y": "gl\u0070at-Zx9Qm2Lp7Rt4Vb8Nc3Kd"}}"#));
        assert!(matches!(v.get("note"), Some(EValue::Redacted(r)) if r.kind() == SecretKind::GithubToken), "{v:?}");
        assert!(matches!(v.get("key"), Some(EValue::Redacted(r)) if r.kind() == SecretKind::GitlabToken), "{v:?}");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(!format!("{v:?}").contains("A1b2C3d4"));
    }

    #[test]
    fn secret_keys_in_any_case_and_non_string_values() {
        let (v, found) = convert_str(
            r#"{"PassWord": "hunter2", "sEcReT": "s3", "API_KEY": 12345678, "Client-Secret": {"a": "x", "n": [7, false]},
                "password": -1.5, "private_key_stored": false, "token_env": "SPLUNK_HEC_TOKEN", "max_tokens": 4}"#,
        );
        for key in ["PassWord", "sEcReT", "API_KEY", "password"] {
            assert!(matches!(v.get(key), Some(EValue::Redacted(_))), "{key}: {:?}", v.get(key));
        }
        assert!(matches!(v.pointer("/Client-Secret/a"), Some(EValue::Redacted(_))));
        assert!(matches!(v.pointer("/Client-Secret/n/0"), Some(EValue::Redacted(_))), "a nested number");
        assert_eq!(v.pointer("/Client-Secret/n/1"), Some(&EValue::Bool(false)), "booleans stay");
        assert_eq!(v.get("private_key_stored"), Some(&EValue::Bool(false)));
        assert!(v.get("token_env").unwrap().is_str("SPLUNK_HEC_TOKEN"));
        assert_eq!(v.get("max_tokens").and_then(EValue::as_i64), Some(4));
        let pointers: Vec<&str> = found.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/PassWord", "/sEcReT", "/API_KEY", "/Client-Secret/a", "/Client-Secret/n/0", "/password"]
        );
        assert!(!format!("{v:?}").contains("12345678") && !format!("{v:?}").contains("hunter2"));
    }

    #[test]
    fn a_secret_used_as_a_key_is_replaced_by_a_fingerprinted_marker() {
        let token = gh();
        let (v, found) = convert_str(&format!(r#"{{"index": {{"{token}": {{"n": 1, "password": "x"}}}}}}"#));
        let marker = secrets::key_marker(SecretKind::GithubToken, &token);
        assert!(marker.starts_with("«REDACTED: GitHub token #") && marker.ends_with('»'), "{marker}");
        let inner = v.get("index").and_then(EValue::as_object).unwrap();
        assert_eq!(inner.len(), 1);
        assert!(inner[0].0.matches(&marker));
        assert!(!format!("{v:?}").contains(&token[4..]), "the key is not kept in the clear");
        assert_eq!(found[0].kind, SecretKind::GithubToken);
        assert_eq!(found[0].pointer, format!("/index/{marker}"));
        // Deeper pointers name the key by its marker too.
        assert_eq!(found[1].pointer, format!("/index/{marker}/password"));
        assert!(found.iter().all(|f| !f.pointer.contains(&token[4..])));
        // Same secret, same marker: recordings stay byte-identical.
        let (again, _) = convert_str(&format!(r#"{{"index": {{"{token}": 2}}}}"#));
        assert!(again.get("index").and_then(EValue::as_object).unwrap()[0].0.matches(&marker));
    }

    #[test]
    fn name_value_pairs_naming_a_secret() {
        for (name_key, name, value_key) in [
            ("name", "DB_PASSWORD", "value"),
            ("key", "api_key", "value"),
            ("Name", "Client_Secret", "Value"),
            ("header", "X-Api-Key", "value"),
            ("variable", "SPLUNK_HEC_TOKEN", "value"),
            ("name", "Authorization", "value"),
        ] {
            for value in [r#""hunter2-db""#, "12345678"] {
                let src = format!(r#"{{"env": [{{"{name_key}": "{name}", "{value_key}": {value}}}]}}"#);
                let (v, found) = convert_str(&src);
                assert!(matches!(v.pointer(&format!("/env/0/{value_key}")), Some(EValue::Redacted(_))), "{src}");
                assert_eq!(found.len(), 1, "{src}: {found:?}");
                assert_eq!(
                    v.pointer(&format!("/env/0/{name_key}"))
                        .and_then(EValue::as_text)
                        .map(|t| t.to_string())
                        .as_deref(),
                    Some(name),
                    "the name stays"
                );
            }
        }
        let (v, found) = convert_str(r#"{"name": "Authorization", "value": "Bearer abcDEF1234567890"}"#);
        assert!(matches!(v.get("value"), Some(EValue::Redacted(r)) if r.kind() == SecretKind::BearerCredential));
        assert_eq!(found.len(), 1);
        // Not secret names, references and CAVRA's markers stay.
        for src in [
            r#"{"name": "DB_HOST", "value": "db.internal"}"#,
            r#"{"name": "token_env", "value": "SPLUNK_HEC_TOKEN"}"#,
            r#"{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": "db"}}"#,
            r#"{"name": "DB_PASSWORD", "value": true}"#,
        ] {
            let (_, found) = convert_str(src);
            assert!(found.is_empty(), "{src}: {found:?}");
        }
        let (v, found) = convert_str(r#"{"name": "DB_PASSWORD", "value": "REDACTED"}"#);
        assert!(v.get("value").unwrap().is_str("REDACTED"));
        assert_eq!(found[0].by, RedactedBy::Cavra);
    }

    #[test]
    fn pointer_escaping() {
        let (v, _) = convert_str(r#"{"a/b": {"c~d": [1, 2]}}"#);
        assert_eq!(v.pointer("/a~1b/c~0d/1").and_then(EValue::as_i64), Some(2));
    }

    #[test]
    fn boundary_classes() {
        assert_eq!(classify_key("controls"), Boundary::BoundaryAssertion);
        assert_eq!(classify_key("signature_key_id"), Boundary::ExternalReference);
        assert_eq!(classify_key("bundle_id"), Boundary::PublicMetadata);
    }
}
