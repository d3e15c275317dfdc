//! OpenSSH `allowed_signers` files (ssh-keygen(1), "ALLOWED SIGNERS"): who may sign, with which key, for
//! which namespaces and when.
//!
//! One entry a line: `principals [options] keytype base64-key [comment]`. Principals are a comma-separated
//! list of patterns (`*`, `?`, `!` to exclude), optionally in double quotes. Options, comma-separated, are
//! `cert-authority`, `namespaces="patterns"`, `valid-after="time"` and `valid-before="time"`; values are in
//! double quotes, as OpenSSH requires, and option names are case-insensitive. `#` starts a comment line;
//! blank lines are ignored.
//!
//! Times are `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, with an optional trailing `Z`. OpenSSH reads a
//! time without `Z` in the verifier's local time zone; closeout always reads it as UTC, so a verdict never
//! depends on the machine's time zone. Write the `Z` form: then closeout and ssh-keygen agree everywhere.
//!
//! Unlike OpenSSH, which only parses the lines of the principal it looks for, closeout parses every line and
//! rejects the whole file on the first bad one (naming the file and the line): a typo in a trust file should
//! be found when it is made, not when someone else's signature is checked.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use ssh_key::{Algorithm, HashAlg, PublicKey};

use crate::evidence::LoadError;
use crate::sanitize::clean;

/// One line of an allowed_signers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerEntry {
    /// 1-based line number in the file.
    pub line: usize,
    /// The principals field as written: comma-separated patterns.
    pub principals: String,
    /// `cert-authority`: the key is a CA for certificate keys (not supported: such lines never match).
    pub cert_authority: bool,
    /// `namespaces="…"`: comma-separated namespace patterns; `None` allows every namespace.
    pub namespaces: Option<String>,
    /// `valid-after`: the key is not valid before this instant.
    pub valid_after: Option<DateTime<Utc>>,
    /// `valid-before`: the key is not valid after this instant.
    pub valid_before: Option<DateTime<Utc>>,
    /// The public key.
    pub key: PublicKey,
    /// Free text after the key (may be empty).
    pub comment: String,
}

impl SignerEntry {
    /// True when `principal` is allowed by this line's principal patterns.
    pub fn allows_principal(&self, principal: &str) -> bool {
        match_pattern_list(principal, &self.principals)
    }

    /// True when `namespace` is allowed by this line's `namespaces=` option (or there is none).
    pub fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces.as_deref().is_none_or(|n| match_pattern_list(namespace, n))
    }

    /// `SHA256:…`, as ssh-keygen prints it.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }
}

/// A parsed allowed_signers file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedSigners {
    /// The file as named in messages (already neutralised).
    pub source: String,
    pub entries: Vec<SignerEntry>,
}

impl AllowedSigners {
    /// Read and parse an allowed_signers file: a regular file of at most [`super::MAX_FILE_BYTES`].
    pub fn load(path: &std::path::Path) -> Result<Self, LoadError> {
        let shown = clean(&path.display().to_string()).into_owned();
        let bytes = super::read_small_file(path).map_err(|p| LoadError::new(&shown, p))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let (line, _) = crate::evidence::error::line_col(&bytes, e.valid_up_to());
            LoadError::new(&shown, format!("line {line}: not UTF-8 text"))
        })?;
        Self::parse(text, &shown)
    }

    /// Parse allowed_signers text; `source` names it in errors (`FILE: line N: …`).
    pub fn parse(text: &str, source: &str) -> Result<Self, LoadError> {
        let source = clean(source).into_owned();
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim_matches(|c| c == ' ' || c == '\t' || c == '\r');
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let entry = parse_line(trimmed, line)
                .map_err(|problem| LoadError::new(&source, format!("line {line}: {problem}")))?;
            entries.push(entry);
        }
        Ok(AllowedSigners { source, entries })
    }

    /// The non-CA lines whose key is `key`.
    pub fn lines_for_key<'a>(&'a self, key: &'a ssh_key::public::KeyData) -> impl Iterator<Item = &'a SignerEntry> {
        self.entries.iter().filter(move |e| !e.cert_authority && e.key.key_data() == key)
    }
}

/// Split off the first whitespace-delimited token; a token starting with `"` runs to the closing quote.
fn next_token(s: &str) -> Result<(&str, &str), String> {
    let s = s.trim_start_matches([' ', '\t']);
    if let Some(rest) = s.strip_prefix('"') {
        let end = rest.find('"').ok_or("unterminated quoted principals")?;
        let after = &rest[end + 1..];
        if !(after.is_empty() || after.starts_with([' ', '\t'])) {
            return Err("text directly after the closing quote of the principals".into());
        }
        return Ok((&rest[..end], after));
    }
    let end = s.find([' ', '\t']).unwrap_or(s.len());
    Ok((&s[..end], &s[end..]))
}

fn parse_line(line: &str, number: usize) -> Result<SignerEntry, String> {
    let (principals, rest) = next_token(line)?;
    if principals.is_empty() {
        return Err("no principals".into());
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        return Err("missing key (expected: principals [options] keytype base64-key [comment])".into());
    }
    // Options come before the key when the next word is not a key type.
    let (opts, key_text) = if looks_like_key_type(first_word(rest)) {
        (Options::default(), rest)
    } else {
        let (opts, after) = parse_options(rest)?;
        let after = after.trim_start_matches([' ', '\t']);
        if after.is_empty() {
            return Err("missing key after the options".into());
        }
        (opts, after)
    };
    let key_type = first_word(key_text);
    if !looks_like_key_type(key_type) {
        return Err(format!(
            "{:?} is not an SSH key type (e.g. ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa)",
            clean(key_type)
        ));
    }
    if key_type.ends_with("-cert-v01@openssh.com") {
        return Err("a certificate is not a key: list the CA's key with cert-authority, or the plain key".into());
    }
    let kt = key_type;
    let after_type = key_text[kt.len()..].trim_start_matches([' ', '\t']);
    let b64 = first_word(after_type);
    let comment = after_type[b64.len()..].trim().to_string();
    if b64.is_empty() {
        return Err(format!("the {} key has no base64 data", clean(kt)));
    }
    let key = PublicKey::from_openssh(&format!("{kt} {b64}"))
        .map_err(|e| format!("the {} key does not parse ({e})", clean(kt)))?;
    if key.algorithm().as_str() != kt {
        return Err(format!("the key type says {} but the key data is {}", clean(kt), key.algorithm().as_str()));
    }
    Ok(SignerEntry {
        line: number,
        principals: principals.to_string(),
        cert_authority: opts.cert_authority,
        namespaces: opts.namespaces,
        valid_after: opts.valid_after,
        valid_before: opts.valid_before,
        key,
        comment,
    })
}

fn first_word(s: &str) -> &str {
    s.split([' ', '\t']).next().unwrap_or("")
}

/// Key type names as OpenSSH spells them (plain keys and certificates, including the security-key types).
fn looks_like_key_type(word: &str) -> bool {
    Algorithm::new(word).is_ok()
        || Algorithm::new_certificate(word).is_ok()
        || word.starts_with("ssh-")
        || word.starts_with("ecdsa-")
        || word.starts_with("sk-")
        || word.starts_with("rsa-sha2-")
}

#[derive(Debug, Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<DateTime<Utc>>,
    valid_before: Option<DateTime<Utc>>,
}

/// Parse `opt[,opt…]` up to the first unquoted whitespace; returns the options and the rest of the line.
fn parse_options(s: &str) -> Result<(Options, &str), String> {
    let mut opts = Options::default();
    let mut rest = s;
    loop {
        let (name, value, after) = one_option(rest)?;
        match name.to_ascii_lowercase().as_str() {
            "cert-authority" => {
                if value.is_some() {
                    return Err("cert-authority takes no value".into());
                }
                opts.cert_authority = true;
            }
            "namespaces" => {
                let v = value.ok_or("namespaces needs a value: namespaces=\"a,b\"")?;
                if opts.namespaces.replace(v).is_some() {
                    return Err("more than one namespaces= option".into());
                }
            }
            "valid-after" | "valid-before" => {
                let v = value.ok_or_else(|| format!("{name} needs a value: {name}=\"YYYYMMDD[HHMM[SS]]Z\""))?;
                let t = parse_time(&v).ok_or_else(|| {
                    format!("{name}={:?} is not a time (YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, then Z)", clean(&v))
                })?;
                let slot = if name.eq_ignore_ascii_case("valid-after") {
                    &mut opts.valid_after
                } else {
                    &mut opts.valid_before
                };
                if slot.replace(t).is_some() {
                    return Err(format!("more than one {name}= option"));
                }
            }
            other => {
                return Err(format!(
                    "unknown option {:?} (closeout knows cert-authority, namespaces, valid-after, valid-before)",
                    clean(other)
                ));
            }
        }
        match after.chars().next() {
            Some(',') => {
                rest = &after[1..];
                if rest.is_empty() || rest.starts_with([' ', '\t']) {
                    return Err("the options end with a comma".into());
                }
            }
            None | Some(' ') | Some('\t') => {
                rest = after;
                break;
            }
            Some(_) => return Err("options must be separated by commas".into()),
        }
    }
    if let (Some(a), Some(b)) = (opts.valid_after, opts.valid_before)
        && b <= a
    {
        return Err("valid-before is not after valid-after".into());
    }
    Ok((opts, rest))
}

/// One option: `name`, or `name="value"` (the value dequoted, `\"` for a quote).
fn one_option(s: &str) -> Result<(&str, Option<String>, &str), String> {
    let end = s.find([',', ' ', '\t', '=']).unwrap_or(s.len());
    let name = &s[..end];
    if name.is_empty() {
        return Err("empty option".into());
    }
    let rest = &s[end..];
    let Some(rest) = rest.strip_prefix('=') else { return Ok((name, None, rest)) };
    let Some(body) = rest.strip_prefix('"') else {
        return Err(format!("the value of {} must be in double quotes, as OpenSSH requires", clean(name)));
    };
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if body[i + 1..].starts_with('"') => {
                value.push('"');
                chars.next();
            }
            '"' => return Ok((name, Some(value), &body[i + 1..])),
            c => value.push(c),
        }
    }
    Err(format!("the value of {} has no closing quote", clean(name)))
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optional `Z`; always UTC (see the module documentation).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let digits = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = match digits.len() {
        8 => NaiveDate::parse_from_str(digits, "%Y%m%d").ok()?.and_hms_opt(0, 0, 0)?,
        12 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M").ok()?,
        14 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S").ok()?,
        _ => return None,
    };
    Some(Utc.from_utc_datetime(&t))
}

/// OpenSSH's pattern matching: `*` any run of characters, `?` one character, case-sensitive.
pub fn match_pattern(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A comma-separated pattern list, as OpenSSH's `match_pattern_list`: true when some pattern matches and no
/// `!pattern` does.
pub fn match_pattern_list(text: &str, list: &str) -> bool {
    let mut positive = false;
    for pat in list.split(',') {
        if let Some(neg) = pat.strip_prefix('!') {
            if match_pattern(text, neg) {
                return false;
            }
        } else if match_pattern(text, pat) {
            positive = true;
        }
    }
    positive
}
