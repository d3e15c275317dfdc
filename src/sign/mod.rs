//! Signed review records: SSH signatures (OpenSSH's SSHSIG format, PROTOCOL.sshsig) over a record file's
//! exact bytes, in a detached `RECORD.sig` beside it, trusted through an OpenSSH `allowed_signers` file.
//!
//! A signature made by `ssh-keygen -Y sign -n closeout-review -f KEY RECORD` verifies here, and one made by
//! [`sign_message`] / `closeout review sign` verifies with `ssh-keygen -Y verify`. Verification is done in
//! Rust ([`verify`]), never by running another program.
//!
//! [`verify`] is the one check everything uses: it says who signed ([`Verified`]) or exactly why the
//! signature does not count ([`SignatureProblem`]). [`NOT_VERIFIED`] lists what a good signature still does
//! not show, for reports.

pub mod agent;
pub mod allowed;
pub mod command;
mod signing;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ssh_encoding::Decode;
use ssh_encoding::base64::{Base64, Encoding};
use ssh_key::{HashAlg, PublicKey, SshSig};

pub use allowed::{AllowedSigners, SignerEntry};
pub use signing::{
    KeySource, Signed, key_source, load_private_key, load_public_key, sign_message, sign_with_agent,
    sign_with_private_key, write_signature,
};

use crate::evidence::LoadError;
use crate::review::REVIEW_SCHEMA;
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// The SSHSIG namespace of review-record signatures (`ssh-keygen -Y sign -n closeout-review`).
pub const NAMESPACE: &str = "closeout-review";

/// The largest signature or allowed_signers file closeout reads.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The largest record closeout signs or verifies (the review loader's limit).
pub const MAX_RECORD_BYTES: u64 = 4 << 20;

/// The hash closeout signs with; verification also accepts `sha256`.
pub const SIGNING_HASH: HashAlg = HashAlg::Sha512;

/// What a valid signature does not establish, cosign-style: say these beside every verified signature.
pub const NOT_VERIFIED: &[&str] = &[
    "the signer's identity beyond the allowed_signers file: whoever controls that file decides who may sign",
    "whether the key was revoked or compromised (no revocation list is checked)",
    "when the signature was made: SSHSIG carries no time, so key validity is judged at the evaluation time",
    "that what the record says is true: the signature shows who vouched for these exact bytes",
];

/// The detached signature of a record: the record's path with `.sig` appended (as `ssh-keygen -Y sign`
/// writes it).
pub fn signature_path(record: &Path) -> PathBuf {
    let mut s = record.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

/// A signature that verified and is trusted for a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The candidate principal the allowed_signers line matched (neutralised).
    pub principal: String,
    /// The key's type as OpenSSH names it: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …
    pub key_type: String,
    /// The signature algorithm: the key type, or `rsa-sha2-512` / `rsa-sha2-256` for RSA keys.
    pub signature_algorithm: String,
    /// `SHA256:…`, as ssh-keygen prints it.
    pub fingerprint: String,
    pub namespace: String,
    /// `sha512` or `sha256`.
    pub hash: String,
    /// The allowed_signers file (as named to closeout, neutralised) and the line that trusted the key.
    pub allowed_signers: String,
    pub line: usize,
    /// The comment on that line (neutralised; may be empty).
    pub comment: String,
}

/// Why a signature does not count. Each case has its own plain sentence ([`fmt::Display`]) and a stable
/// code ([`SignatureProblem::code`]). Every text field is already neutralised for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum SignatureProblem {
    /// There is no signature file.
    NoSignature { path: String },
    /// The signature file exists but cannot be used: not a regular file, too large, not text, unreadable.
    Unreadable { path: String, reason: String },
    /// Not an SSHSIG signature, or a damaged one.
    Malformed { reason: String },
    /// Made for another namespace (e.g. `git` or `file`).
    WrongNamespace { found: String, expected: String },
    /// A hash other than sha512 / sha256.
    UnsupportedHash { hash: String },
    /// A key or signature algorithm closeout does not verify (e.g. ssh-rsa with SHA-1, DSA, P-521, sk-).
    UnsupportedAlgorithm { algorithm: String },
    /// Signed with an OpenSSH certificate: not supported, so not trusted.
    CertificateUnsupported { algorithm: String },
    /// The signature does not match the bytes: the record changed, or it was signed by another key.
    DoesNotVerify { key_type: String, fingerprint: String },
    /// The signing key is not in the allowed_signers file.
    KeyNotAllowed { key_type: String, fingerprint: String, allowed_signers: String, only_as_ca: bool },
    /// The key is in the file, but not for any of the candidate principals.
    PrincipalMismatch { fingerprint: String, allowed_signers: String, candidates: Vec<String>, listed: Vec<String> },
    /// The key's line limits it to other namespaces (`namespaces=`).
    NamespaceNotAllowed { principal: String, namespace: String, allowed: String, allowed_signers: String, line: usize },
    /// `valid-after` is later than the evaluation time.
    NotYetValid {
        principal: String,
        valid_after: DateTime<Utc>,
        at: DateTime<Utc>,
        allowed_signers: String,
        line: usize,
    },
    /// `valid-before` is earlier than the evaluation time.
    Expired { principal: String, valid_before: DateTime<Utc>, at: DateTime<Utc>, allowed_signers: String, line: usize },
}

impl SignatureProblem {
    /// A stable snake_case name of the case, for machine-readable reports.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureProblem::NoSignature { .. } => "no_signature",
            SignatureProblem::Unreadable { .. } => "unreadable",
            SignatureProblem::Malformed { .. } => "malformed",
            SignatureProblem::WrongNamespace { .. } => "wrong_namespace",
            SignatureProblem::UnsupportedHash { .. } => "unsupported_hash",
            SignatureProblem::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            SignatureProblem::CertificateUnsupported { .. } => "certificate_unsupported",
            SignatureProblem::DoesNotVerify { .. } => "does_not_verify",
            SignatureProblem::KeyNotAllowed { .. } => "key_not_allowed",
            SignatureProblem::PrincipalMismatch { .. } => "principal_mismatch",
            SignatureProblem::NamespaceNotAllowed { .. } => "namespace_not_allowed",
            SignatureProblem::NotYetValid { .. } => "not_yet_valid",
            SignatureProblem::Expired { .. } => "expired",
        }
    }

    /// True for a signature file closeout refuses to read (not a regular file, too large, not text): bad
    /// input rather than a signature that failed.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, SignatureProblem::Unreadable { .. })
    }
}

fn quoted_list(items: &[String]) -> String {
    if items.is_empty() {
        return "no principal".into();
    }
    items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SignatureProblem::*;
        match self {
            NoSignature { path } => write!(f, "not signed: there is no signature file {path}"),
            Unreadable { path, reason } => write!(f, "the signature file {path} cannot be used: {reason}"),
            Malformed { reason } => write!(f, "the signature is malformed: {reason}"),
            WrongNamespace { found, expected } => write!(
                f,
                "the signature was made for namespace \"{found}\", not \"{expected}\" (sign with -n {expected})"
            ),
            UnsupportedHash { hash } => {
                write!(f, "the signature uses hash \"{hash}\"; only sha512 and sha256 are accepted")
            }
            UnsupportedAlgorithm { algorithm } => write!(
                f,
                "the signature algorithm {algorithm} is not supported (closeout verifies ssh-ed25519, \
                 ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, rsa-sha2-512 and rsa-sha2-256)"
            ),
            CertificateUnsupported { algorithm } => write!(
                f,
                "the signature was made with an SSH certificate ({algorithm}); certificates are not supported, \
                 so it is not trusted"
            ),
            DoesNotVerify { key_type, fingerprint } => write!(
                f,
                "the signature does not verify with its {key_type} key {fingerprint}: the record changed after \
                 it was signed, or the signature is for other bytes"
            ),
            KeyNotAllowed { key_type, fingerprint, allowed_signers, only_as_ca } => {
                write!(f, "the signing key {key_type} {fingerprint} is not in {allowed_signers}")?;
                if *only_as_ca {
                    write!(f, " (it is listed only as a cert-authority, and certificates are not supported)")?;
                }
                Ok(())
            }
            PrincipalMismatch { fingerprint, allowed_signers, candidates, listed } => write!(
                f,
                "the signing key {fingerprint} is in {allowed_signers} for {}, not for {}",
                quoted_list(listed),
                quoted_list(candidates)
            ),
            NamespaceNotAllowed { principal, namespace, allowed, allowed_signers, line } => write!(
                f,
                "{allowed_signers} line {line} allows the key of \"{principal}\" only for namespaces \
                 \"{allowed}\", not \"{namespace}\""
            ),
            NotYetValid { principal, valid_after, at, allowed_signers, line } => write!(
                f,
                "the key of \"{principal}\" is not valid until {} ({allowed_signers} line {line}, valid-after); \
                 the evaluation time is {}",
                fmt_instant(*valid_after),
                fmt_instant(*at)
            ),
            Expired { principal, valid_before, at, allowed_signers, line } => write!(
                f,
                "the key of \"{principal}\" stopped being valid at {} ({allowed_signers} line {line}, \
                 valid-before); the evaluation time is {}",
                fmt_instant(*valid_before),
                fmt_instant(*at)
            ),
        }
    }
}

impl std::error::Error for SignatureProblem {}

/// Why a small file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadProblem {
    Missing,
    Other(String),
}

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadProblem::Missing => f.write_str("no such file"),
            ReadProblem::Other(s) => f.write_str(s),
        }
    }
}

impl From<ReadProblem> for String {
    fn from(p: ReadProblem) -> String {
        p.to_string()
    }
}

/// Read a regular file of at most `max` bytes. The type is checked before opening (a FIFO is never opened)
/// and again on the open handle; the read is bounded even if the file grows.
pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, ReadProblem> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadProblem::Missing,
        _ => ReadProblem::Other(e.to_string()),
    };
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err(ReadProblem::Other("not a regular file".into()));
        }
        if meta.len() > max {
            return Err(ReadProblem::Other(format!(
                "{} bytes, more than the {} bytes closeout reads",
                meta.len(),
                max
            )));
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(io)?)?;
    // Non-blocking open and a second check on the handle (a file swapped for a FIFO meanwhile).
    let (file, meta) = crate::files::open_regular(path).map_err(|e| match e {
        crate::files::OpenError::Io(e) => io(e),
        other => ReadProblem::Other(other.to_string()),
    })?;
    check(&meta)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(ReadProblem::Other(format!("grew past the {max} bytes closeout reads while it was read")));
    }
    Ok(bytes)
}

/// [`read_bounded`] with [`MAX_FILE_BYTES`].
pub(crate) fn read_small_file(path: &Path) -> Result<Vec<u8>, ReadProblem> {
    read_bounded(path, MAX_FILE_BYTES)
}

/// Read a detached signature file: [`SignatureProblem::NoSignature`] when it does not exist,
/// [`SignatureProblem::Unreadable`] when it is not a small regular text file.
pub fn read_signature(path: &Path) -> Result<String, SignatureProblem> {
    let shown = clean(&path.display().to_string()).into_owned();
    match read_small_file(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| SignatureProblem::Unreadable {
            path: shown,
            reason: "not text (an armored SSH signature)".into(),
        }),
        Err(ReadProblem::Missing) => Err(SignatureProblem::NoSignature { path: shown }),
        Err(ReadProblem::Other(reason)) => Err(SignatureProblem::Unreadable { path: shown, reason }),
    }
}

const ARMOR_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const ARMOR_END: &str = "-----END SSH SIGNATURE-----";
const MAGIC: &[u8] = b"SSHSIG";
const CERT_SUFFIX: &str = "-cert-v01@openssh.com";

/// The binary signature inside the armor (BEGIN line, base64 lines, END line; surrounding blank space is
/// allowed, as in OpenSSH).
fn dearmor(armored: &str) -> Result<Vec<u8>, SignatureProblem> {
    let malformed = |reason: &str| SignatureProblem::Malformed { reason: reason.to_string() };
    let text = armored.trim();
    let body =
        text.strip_prefix(ARMOR_BEGIN).ok_or_else(|| malformed(&format!("it does not start with {ARMOR_BEGIN}")))?;
    let end = body.find(ARMOR_END).ok_or_else(|| malformed(&format!("there is no {ARMOR_END} line")))?;
    if !body[end + ARMOR_END.len()..].trim().is_empty() {
        return Err(malformed("there is text after the END line"));
    }
    let b64: String = body[..end].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    Base64::decode_vec(&b64).map_err(|_| malformed("the text between BEGIN and END is not base64"))
}

/// The fields of an SSHSIG blob closeout classifies before verifying.
struct Outer {
    key_algorithm: String,
    namespace: String,
    hash: String,
    signature_algorithm: String,
}

/// A length-prefixed SSH string from `buf`, advancing it.
fn take_string<'a>(buf: &mut &'a [u8], what: &str) -> Result<&'a [u8], SignatureProblem> {
    let short = || SignatureProblem::Malformed { reason: format!("it ends inside the {what}") };
    if buf.len() < 4 {
        return Err(short());
    }
    let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    let rest = &buf[4..];
    if rest.len() < len {
        return Err(short());
    }
    let (s, after) = rest.split_at(len);
    *buf = after;
    Ok(s)
}

fn text(bytes: &[u8]) -> String {
    clean(&String::from_utf8_lossy(bytes)).into_owned()
}

/// Read the outer fields (magic, version, key type, namespace, hash, signature type) without trusting them.
fn inspect(blob: &[u8]) -> Result<Outer, SignatureProblem> {
    let mut b = blob;
    if !b.starts_with(MAGIC) {
        return Err(SignatureProblem::Malformed { reason: "it does not begin with the SSHSIG magic".into() });
    }
    b = &b[MAGIC.len()..];
    if b.len() < 4 {
        return Err(SignatureProblem::Malformed { reason: "it ends inside the version".into() });
    }
    let version = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    b = &b[4..];
    if version != 1 {
        return Err(SignatureProblem::Malformed {
            reason: format!("SSHSIG version {version} (closeout reads version 1)"),
        });
    }
    let mut key = take_string(&mut b, "public key")?;
    let key_algorithm = text(take_string(&mut key, "public key type")?);
    let namespace = text(take_string(&mut b, "namespace")?);
    let _reserved = take_string(&mut b, "reserved field")?;
    let hash = text(take_string(&mut b, "hash algorithm")?);
    let mut sig = take_string(&mut b, "signature")?;
    let signature_algorithm = text(take_string(&mut sig, "signature type")?);
    if !b.is_empty() {
        return Err(SignatureProblem::Malformed { reason: format!("{} bytes follow the signature", b.len()) });
    }
    Ok(Outer { key_algorithm, namespace, hash, signature_algorithm })
}

/// Key types closeout verifies, and the signature algorithms each may use.
fn supported(key_algorithm: &str, signature_algorithm: &str) -> bool {
    match key_algorithm {
        "ssh-ed25519" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" => signature_algorithm == key_algorithm,
        "ssh-rsa" => matches!(signature_algorithm, "rsa-sha2-512" | "rsa-sha2-256"),
        _ => false,
    }
}

/// Verify an armored SSHSIG signature over `message` and decide whether it is trusted: signed in
/// `namespace`, by a key that `allowed` lists for one of `candidate_principals`, for that namespace, valid
/// at `at`. The first failing check decides the problem, in this order: format, certificate, namespace,
/// hash, algorithm, the signature itself, then the allowed_signers file (key, principal, `namespaces=`,
/// `valid-after` / `valid-before`). When several lines list the key, the line that gets furthest decides.
pub fn verify(
    message: &[u8],
    armored_sig: &str,
    allowed: &AllowedSigners,
    candidate_principals: &[&str],
    namespace: &str,
    at: DateTime<Utc>,
) -> Result<Verified, SignatureProblem> {
    let blob = dearmor(armored_sig)?;
    let outer = inspect(&blob)?;
    if outer.key_algorithm.ends_with(CERT_SUFFIX) {
        return Err(SignatureProblem::CertificateUnsupported { algorithm: outer.key_algorithm });
    }
    if outer.namespace != namespace {
        return Err(SignatureProblem::WrongNamespace {
            found: outer.namespace,
            expected: clean(namespace).into_owned(),
        });
    }
    if !matches!(outer.hash.as_str(), "sha512" | "sha256") {
        return Err(SignatureProblem::UnsupportedHash { hash: outer.hash });
    }
    if !supported(&outer.key_algorithm, &outer.signature_algorithm) {
        let algorithm = if outer.key_algorithm == "ssh-rsa" && outer.signature_algorithm == "ssh-rsa" {
            "ssh-rsa (RSA with SHA-1)".to_string()
        } else if outer.key_algorithm == outer.signature_algorithm {
            outer.key_algorithm
        } else {
            format!("{} with a {} key", outer.signature_algorithm, outer.key_algorithm)
        };
        return Err(SignatureProblem::UnsupportedAlgorithm { algorithm });
    }
    let mut reader: &[u8] = &blob;
    let sig = SshSig::decode(&mut reader).map_err(|e| SignatureProblem::Malformed { reason: e.to_string() })?;
    let key = PublicKey::from(sig.public_key().clone());
    let key_type = key.algorithm().as_str().to_string();
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    if key.verify(namespace, message, &sig).is_err() {
        return Err(SignatureProblem::DoesNotVerify { key_type, fingerprint });
    }
    trusted(&sig, key_type, fingerprint, allowed, candidate_principals, namespace, at)
}

/// The allowed_signers half of [`verify`], once the signature is known to be good.
fn trusted(
    sig: &SshSig,
    key_type: String,
    fingerprint: String,
    allowed: &AllowedSigners,
    candidates: &[&str],
    namespace: &str,
    at: DateTime<Utc>,
) -> Result<Verified, SignatureProblem> {
    let file = allowed.source.clone();
    let lines: Vec<&SignerEntry> = allowed.lines_for_key(sig.public_key()).collect();
    if lines.is_empty() {
        let only_as_ca = allowed.entries.iter().any(|e| e.cert_authority && e.key.key_data() == sig.public_key());
        return Err(SignatureProblem::KeyNotAllowed { key_type, fingerprint, allowed_signers: file, only_as_ca });
    }
    // Later stages outrank earlier ones: a namespace refusal (1) is reported only if no line got to the
    // validity check (2).
    let mut best: Option<(u8, SignatureProblem)> = None;
    let mut keep = |rank: u8, p: SignatureProblem| {
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, p));
        }
    };
    let now = at.timestamp();
    for entry in &lines {
        for &candidate in candidates {
            if !entry.allows_principal(candidate) {
                continue;
            }
            let principal = clean(candidate).into_owned();
            if !entry.allows_namespace(namespace) {
                keep(
                    1,
                    SignatureProblem::NamespaceNotAllowed {
                        principal,
                        namespace: clean(namespace).into_owned(),
                        allowed: clean(entry.namespaces.as_deref().unwrap_or("")).into_owned(),
                        allowed_signers: file.clone(),
                        line: entry.line,
                    },
                );
                continue;
            }
            // As OpenSSH: not yet valid when now < valid-after, expired when now > valid-before (seconds).
            if let Some(va) = entry.valid_after
                && now < va.timestamp()
            {
                keep(
                    2,
                    SignatureProblem::NotYetValid {
                        principal,
                        valid_after: va,
                        at,
                        allowed_signers: file.clone(),
                        line: entry.line,
                    },
                );
                continue;
            }
            if let Some(vb) = entry.valid_before
                && now > vb.timestamp()
            {
                keep(
                    2,
                    SignatureProblem::Expired {
                        principal,
                        valid_before: vb,
                        at,
                        allowed_signers: file.clone(),
                        line: entry.line,
                    },
                );
                continue;
            }
            return Ok(Verified {
                principal,
                key_type,
                signature_algorithm: sig.algorithm().as_str().to_string(),
                fingerprint,
                namespace: clean(namespace).into_owned(),
                hash: sig.hash_alg().as_str().to_string(),
                allowed_signers: file,
                line: entry.line,
                comment: clean(&entry.comment).into_owned(),
            });
        }
    }
    if let Some((_, p)) = best {
        return Err(p);
    }
    Err(SignatureProblem::PrincipalMismatch {
        fingerprint,
        allowed_signers: file,
        candidates: candidates.iter().map(|c| clean(c).into_owned()).collect(),
        listed: lines.iter().map(|e| clean(&e.principals).into_owned()).collect(),
    })
}

/// Read `record`'s detached signature ([`signature_path`]) and [`verify`] it over `record_bytes` (the
/// exact bytes the caller read and evaluates).
pub fn verify_detached(
    record: &Path,
    record_bytes: &[u8],
    allowed: &AllowedSigners,
    candidate_principals: &[&str],
    at: DateTime<Utc>,
) -> Result<Verified, SignatureProblem> {
    let armored = read_signature(&signature_path(record))?;
    verify(record_bytes, &armored, allowed, candidate_principals, NAMESPACE, at)
}

/// The principals a review record names, in order and without repeats: its `acceptance.owner`, then its
/// `reviewer` (the raw JSON strings; absent or non-string fields are skipped).
pub fn record_principals(record: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let owner = record.get("acceptance").and_then(|a| a.get("owner")).and_then(|o| o.as_str());
    let reviewer = record.get("reviewer").and_then(|r| r.as_str());
    for p in [owner, reviewer].into_iter().flatten() {
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// A review record's exact bytes (what a signature covers) and its JSON, read bounded
/// ([`MAX_RECORD_BYTES`]); an error naming the file unless it is a `closeout.review.v1` record. Verify the
/// signature over these bytes and evaluate the record parsed from them, so both see the same content.
pub fn read_record(path: &Path) -> Result<(Vec<u8>, serde_json::Value), LoadError> {
    let shown = clean(&path.display().to_string()).into_owned();
    let bytes = read_bounded(path, MAX_RECORD_BYTES).map_err(|p| LoadError::new(&shown, p))?;
    crate::review::check_record_json(&shown, &bytes)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| LoadError::json_in(&shown, &bytes, &e))?;
    if value.get("schema").and_then(|s| s.as_str()) != Some(REVIEW_SCHEMA) {
        return Err(LoadError::new(
            &shown,
            format!("not a closeout review record (expected \"schema\": \"{REVIEW_SCHEMA}\")"),
        ));
    }
    Ok((bytes, value))
}
