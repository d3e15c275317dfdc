//! Review records for `closeout check`, with their signatures: each record is read once
//! ([`sign::read_record`]), its detached signature is verified over exactly those bytes, and the acceptance
//! is built from the parse of the same bytes, so what was signed is what is evaluated.
//!
//! - Verified and trusted for the record's acceptance owner or reviewer: the acceptance counts (when it is
//!   otherwise valid), and every report says who signed it, with which key, under which principal, and what
//!   was not verified.
//! - Any [`SignatureProblem`] (a key outside the allowed_signers file, a wrong namespace, a key not valid at
//!   the evaluation time, a changed byte, …): the acceptance is void, and the reason says which.
//! - No signature: void when signed acceptance is required; otherwise it counts, and reports say unsigned.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::evidence::canonical::sha256_hex;
use crate::evidence::{Evidence, LoadError};
use crate::health::{Acceptance, Signature};
use crate::review::ReviewRecord;
use crate::sanitize::clean;
use crate::sign::{self, AllowedSigners, SignatureProblem};

/// One review record given with `--review`.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub path: PathBuf,
    /// The path as shown (neutralised).
    pub shown: String,
    /// SHA-256 of the record's bytes (what the signature covers).
    pub sha256: String,
    /// The acceptance it grants, with its signature state (`None` when the record holds no acceptance).
    pub acceptance: Option<Acceptance>,
}

/// Read each record, verify its signature when `allowed` is given, and turn it into an acceptance against
/// the evidence; `require_signed` voids an acceptance without a verified signature. Key validity is judged
/// at `at`, the evaluation time.
pub fn review_inputs(
    paths: &[PathBuf],
    ev: &Evidence,
    allowed: Option<&AllowedSigners>,
    require_signed: bool,
    at: DateTime<Utc>,
) -> Result<Vec<ReviewInput>, LoadError> {
    paths.iter().map(|p| review_input(p, ev, allowed, require_signed, at)).collect()
}

fn review_input(
    path: &Path,
    ev: &Evidence,
    allowed: Option<&AllowedSigners>,
    require_signed: bool,
    at: DateTime<Utc>,
) -> Result<ReviewInput, LoadError> {
    let shown = clean(&path.display().to_string()).into_owned();
    let (bytes, value) = sign::read_record(path)?;
    let record: ReviewRecord = serde_json::from_value(value.clone())
        .map_err(|e| LoadError::new(&shown, format!("review record has the wrong shape: {e}")))?;
    let mut acceptance = crate::review::to_acceptance(&record, &path.display().to_string(), ev)?;
    if let Some(a) = &mut acceptance {
        let (signature, problem) = check_signature(path, &bytes, &value, allowed, require_signed, at);
        if let Some(problem) = problem {
            a.void_reason = Some(match a.void_reason.take() {
                Some(other) => format!("{problem}; and {other}"),
                None => problem,
            });
        }
        a.signature = Some(signature);
    }
    Ok(ReviewInput { path: path.to_path_buf(), shown, sha256: sha256_hex(&bytes), acceptance })
}

/// The signature state of a record, and the reason its acceptance is void because of it (if it is).
fn check_signature(
    path: &Path,
    bytes: &[u8],
    value: &serde_json::Value,
    allowed: Option<&AllowedSigners>,
    require_signed: bool,
    at: DateTime<Utc>,
) -> (Signature, Option<String>) {
    let sig_path = sign::signature_path(path);
    let sig_shown = clean(&sig_path.display().to_string()).into_owned();
    let Some(allowed) = allowed else {
        // Nothing to check a signature against (refused earlier when signatures are required).
        let state = if std::fs::symlink_metadata(&sig_path).is_ok() {
            Signature::NotChecked { path: sig_shown }
        } else {
            Signature::Unsigned { path: Some(sig_shown) }
        };
        let void = require_signed.then(|| "unsigned: no allowed_signers file to verify it against".to_string());
        return (state, void);
    };
    let principals = sign::record_principals(value);
    let candidates: Vec<&str> = principals.iter().map(String::as_str).collect();
    match sign::verify_detached(path, bytes, allowed, &candidates, at) {
        Ok(v) => (
            Signature::Verified {
                principal: v.principal,
                key_type: v.key_type,
                fingerprint: v.fingerprint,
                signature_algorithm: v.signature_algorithm,
                namespace: v.namespace,
                allowed_signers: v.allowed_signers,
                line: v.line,
                not_verified: sign::NOT_VERIFIED.iter().map(|s| s.to_string()).collect(),
            },
            None,
        ),
        Err(SignatureProblem::NoSignature { path }) => {
            let void = require_signed
                .then(|| format!("unsigned: there is no signature file {path}, and signed acceptance is required"));
            (Signature::Unsigned { path: Some(path) }, void)
        }
        Err(p) => {
            let reason = p.to_string();
            (
                Signature::Invalid { code: p.code().to_string(), reason: reason.clone() },
                Some(format!("its signature does not count ({}): {reason}", p.code())),
            )
        }
    }
}
