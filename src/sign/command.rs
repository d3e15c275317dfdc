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

fn sign(args: &ReviewSignArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let shown = clean(&args.record.display().to_string()).into_owned();
    let (bytes, value) = match read_record(&args.record) {
        Ok(x) => x,
        Err(e) => return fail(err, &e),
    };
    // Signing vouches for the record as written: an edited one (record_sha256 no longer matching) is refused.
    match serde_json::from_value::<ReviewRecord>(value) {
        Ok(r) if r.is_intact() => {}
        Ok(_) => {
            return fail(
                err,
                &LoadError::new(
                    &shown,
                    "the record was modified after it was written (record_sha256 does not match); not signing it",
                ),
            );
        }
        Err(e) => return fail(err, &LoadError::new(&shown, format!("review record has the wrong shape: {e}"))),
    }
    if !args.force && std::fs::symlink_metadata(signature_path(&args.record)).is_ok() {
        let sig = clean(&signature_path(&args.record).display().to_string()).into_owned();
        return fail(err, &LoadError::new(sig, "a signature already exists; use --force to replace it"));
    }
    let source = match key_source(args.key.as_deref(), args.agent) {
        Ok(s) => s,
        Err(e) => return fail(err, &e),
    };
    let signed = match sign_message(&bytes, &source) {
        Ok(s) => s,
        Err(e) => return fail(err, &e),
    };
    let path = match super::write_signature(&args.record, &signed.armored, args.force) {
        Ok(p) => p,
        Err(e) => return fail(err, &e),
    };
    let via = match source {
        super::KeySource::Agent { .. } => " via ssh-agent",
        super::KeySource::PrivateKeyFile(_) => "",
    };
    let _ = writeln!(
        out,
        "signed {shown}: {} ({} {}{via}, {}, namespace {})",
        clean(&path.display().to_string()),
        signed.key_type,
        signed.fingerprint,
        signed.signature_algorithm,
        super::NAMESPACE
    );
    0
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
