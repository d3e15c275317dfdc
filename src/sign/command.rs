//! `closeout review sign` and `closeout review verify`.

use std::io::Write;

use chrono::{DateTime, Utc};

use super::{
    AllowedSigners, NOT_VERIFIED, Verified, key_source, read_record, record_principals, sign_message, signature_path,
};
use crate::cli::{ReviewArgs, ReviewCommand, ReviewSignArgs, ReviewVerifyArgs};
use crate::evidence::LoadError;
use crate::review::ReviewRecord;
use crate::sanitize::clean;

/// Run a `closeout review` command, printing to stdout and stderr; returns the exit code.
pub fn run(args: &ReviewArgs) -> u8 {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    run_to(args, &mut out, &mut err)
}

/// [`run`] with the output streams given.
pub fn run_to(args: &ReviewArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match &args.command {
        ReviewCommand::Sign(a) => sign(a, out, err),
        ReviewCommand::Verify(a) => verify(a, out, err),
    }
}

fn fail(err: &mut dyn Write, e: &LoadError) -> u8 {
    let _ = writeln!(err, "closeout: error: {e}");
    2
}

/// A record signed by [`sign_record`].
#[derive(Debug, Clone)]
pub struct SignedRecord {
    /// The `RECORD.sig` written.
    pub path: std::path::PathBuf,
    pub signed: super::Signed,
    pub via_agent: bool,
}

impl SignedRecord {
    /// "RECORD.sig (ssh-ed25519 SHA256:… via ssh-agent, ssh-ed25519, namespace closeout-review)".
    pub fn describe(&self) -> String {
        format!(
            "{} ({} {}{}, {}, namespace {})",
            clean(&self.path.display().to_string()),
            self.signed.key_type,
            self.signed.fingerprint,
            if self.via_agent { " via ssh-agent" } else { "" },
            self.signed.signature_algorithm,
            super::NAMESPACE
        )
    }
}

/// Sign the review record at `record` (its exact bytes) with `key` (a private key file, or a `.pub` whose
/// key the agent holds) or, with `agent` and no key, the agent's one key; write `RECORD.sig` beside it
/// atomically. An edited record (record_sha256 no longer matching) is refused, and an existing signature is
/// kept unless `force`. Used by `closeout review sign` and by the explorer after it saves a review.
pub fn sign_record(
    record: &std::path::Path,
    key: Option<&std::path::Path>,
    agent: bool,
    force: bool,
) -> Result<SignedRecord, LoadError> {
    let shown = clean(&record.display().to_string()).into_owned();
    let (bytes, value) = read_record(record)?;
    // Signing vouches for the record as written: an edited one (record_sha256 no longer matching) is refused.
    match serde_json::from_value::<ReviewRecord>(value) {
        Ok(r) if r.is_intact() => {}
        Ok(_) => {
            return Err(LoadError::new(
                &shown,
                "the record was modified after it was written (record_sha256 does not match); not signing it",
            ));
        }
        Err(e) => return Err(LoadError::new(&shown, format!("review record has the wrong shape: {e}"))),
    }
    if !force && std::fs::symlink_metadata(signature_path(record)).is_ok() {
        let sig = clean(&signature_path(record).display().to_string()).into_owned();
        return Err(LoadError::new(sig, "a signature already exists; use --force to replace it"));
    }
    let source = key_source(key, agent)?;
    let signed = sign_message(&bytes, &source)?;
    let path = super::write_signature(record, &signed.armored, force)?;
    Ok(SignedRecord { path, signed, via_agent: matches!(source, super::KeySource::Agent { .. }) })
}

fn sign(args: &ReviewSignArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let shown = clean(&args.record.display().to_string()).into_owned();
    match sign_record(&args.record, args.key.as_deref(), args.agent, args.force) {
        Ok(s) => {
            let _ = writeln!(out, "signed {shown}: {}", s.describe());
            0
        }
        Err(e) => fail(err, &e),
    }
}

fn parse_as_of(s: Option<&str>) -> Result<DateTime<Utc>, LoadError> {
    match s {
        None => Ok(Utc::now()),
        Some(t) => DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&Utc)).map_err(|e| {
            LoadError::new(
                "--as-of",
                format!("{:?} is not an RFC 3339 time ({e}); e.g. 2026-06-01T10:00:00Z", clean(t)),
            )
        }),
    }
}

/// The lines `closeout review verify` prints for a verified signature.
pub fn describe_verified(v: &Verified, at: DateTime<Utc>) -> Vec<String> {
    let mut lines = vec![
        format!("  signer:    \"{}\" ({} line {})", v.principal, v.allowed_signers, v.line),
        format!("  key:       {} {}", v.key_type, v.fingerprint),
        format!("  signature: {}, {}, namespace {}", v.signature_algorithm, v.hash, v.namespace),
        format!("  valid at:  {}", crate::time::fmt_instant(at)),
        "  not verified:".to_string(),
    ];
    lines.extend(NOT_VERIFIED.iter().map(|n| format!("    - {n}")));
    lines
}

fn verify(args: &ReviewVerifyArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let shown = clean(&args.record.display().to_string()).into_owned();
    let (bytes, value) = match read_record(&args.record) {
        Ok(x) => x,
        Err(e) => return fail(err, &e),
    };
    let allowed = match AllowedSigners::load(&args.allowed_signers) {
        Ok(a) => a,
        Err(e) => return fail(err, &e),
    };
    let at = match parse_as_of(args.as_of.as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(err, &e),
    };
    let principals = if args.principals.is_empty() { record_principals(&value) } else { args.principals.clone() };
    if principals.is_empty() {
        return fail(
            err,
            &LoadError::new(&shown, "the record names no reviewer or acceptance owner; say who signs with --principal"),
        );
    }
    let candidates: Vec<&str> = principals.iter().map(String::as_str).collect();
    match super::verify_detached(&args.record, &bytes, &allowed, &candidates, at) {
        Ok(v) => {
            let _ = writeln!(out, "verified: {}", clean(&signature_path(&args.record).display().to_string()));
            for line in describe_verified(&v, at) {
                let _ = writeln!(out, "{line}");
            }
            0
        }
        Err(p) if p.is_bad_input() => {
            let _ = writeln!(err, "closeout: error: {p}");
            2
        }
        Err(p) => {
            let _ = writeln!(out, "not verified: {shown}: {p}");
            1
        }
    }
}
