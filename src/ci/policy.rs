//! The policy file (`.closeout.toml` in the working directory, or `--policy FILE`): the expiry-warning
//! window, how each criterion counts (warn or fail; required or optional), and whether acceptances must be
//! signed and by whom. Its SHA-256 goes into every report.
//!
//! ```toml
//! expiry_warning_days = 30            # CAVRA's default
//!
//! [acceptance]
//! require_signed = true
//! allowed_signers = "allowed_signers" # relative to this file's directory
//!
//! [criteria.retention_alerts]
//! severity = "fail"                   # a warning here blocks; "warn" lets an owner accept a failure
//! required = false                    # reported, but does not affect the verdict
//! ```
//!
//! Unknown keys and criteria are errors: a typo in a gate's policy must not silently loosen it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::evidence::LoadError;
use crate::evidence::canonical::sha256_hex;
use crate::health::{CriterionId, CriterionPolicy, Policy, PolicySource, Status};
use crate::sanitize::clean;

/// The policy file closeout looks for in the working directory.
pub const DEFAULT_FILE: &str = ".closeout.toml";

/// The largest policy file closeout reads.
const MAX_BYTES: u64 = 1 << 20;

/// The longest expiry-warning window a policy may set (ten years).
const MAX_WINDOW_DAYS: i64 = 3650;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    expiry_warning_days: Option<toml::Spanned<i64>>,
    #[serde(default)]
    acceptance: Option<AcceptanceSection>,
    #[serde(default)]
    criteria: BTreeMap<CriterionId, CriterionSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptanceSection {
    require_signed: Option<bool>,
    allowed_signers: Option<toml::Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionSection {
    severity: Option<Severity>,
    required: Option<bool>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Warn,
    Fail,
}

/// A policy read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    /// The evaluation settings, with [`Policy::source`] naming the file and its digest.
    pub policy: Policy,
    /// `[acceptance] allowed_signers`, resolved against the policy file's directory.
    pub allowed_signers: Option<PathBuf>,
}

/// The policy to use: `--policy FILE` when given (it must exist), else `.closeout.toml` in the working
/// directory when there is one, else CAVRA's defaults.
pub fn find(explicit: Option<&Path>) -> Result<Option<PolicyFile>, LoadError> {
    match explicit {
        Some(p) => load(p).map(Some),
        None => {
            let p = Path::new(DEFAULT_FILE);
            if std::fs::symlink_metadata(p).is_ok() { load(p).map(Some) } else { Ok(None) }
        }
    }
}

/// Read and check a policy file. Every problem names the file, and the line and column when it is in the
/// text.
pub fn load(path: &Path) -> Result<PolicyFile, LoadError> {
    let shown = clean(&path.display().to_string()).into_owned();
    let bytes = crate::sign::read_bounded(path, MAX_BYTES).map_err(|p| LoadError::new(&shown, p))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let (line, col) = crate::evidence::error::line_col(&bytes, e.valid_up_to());
        LoadError::new(&shown, format!("line {line}, column {col}: not UTF-8 text"))
    })?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parse(text, &shown, dir, &sha256_hex(&bytes))
}

/// Parse a policy's text (`shown` names it in errors; `dir` resolves relative paths in it).
pub fn parse(text: &str, shown: &str, dir: &Path, sha256: &str) -> Result<PolicyFile, LoadError> {
    let at = |span: Option<std::ops::Range<usize>>, msg: &str| {
        let msg = clean(msg.trim()).into_owned();
        match span {
            Some(s) => {
                let (line, col) = crate::evidence::error::line_col(text.as_bytes(), s.start);
                LoadError::new(shown, format!("line {line}, column {col}: {msg}"))
            }
            None => LoadError::new(shown, msg),
        }
    };
    let file: File = toml::from_str(text).map_err(|e| at(e.span(), e.message()))?;
    let mut policy = Policy {
        source: Some(PolicySource { path: shown.to_string(), sha256: sha256.to_string() }),
        ..Policy::default()
    };
    if let Some(days) = &file.expiry_warning_days {
        let d = *days.get_ref();
        if !(0..=MAX_WINDOW_DAYS).contains(&d) {
            return Err(at(
                Some(days.span()),
                &format!("expiry_warning_days must be between 0 and {MAX_WINDOW_DAYS} days, not {d}"),
            ));
        }
        policy.expiry_warning_days = d;
    }
    for (id, c) in &file.criteria {
        policy.criteria.insert(
            *id,
            CriterionPolicy {
                severity: c.severity.map(|s| match s {
                    Severity::Warn => Status::Warn,
                    Severity::Fail => Status::Fail,
                }),
                required: c.required.unwrap_or(true),
            },
        );
    }
    let mut allowed_signers = None;
    if let Some(a) = &file.acceptance {
        policy.require_signed_acceptance = a.require_signed.unwrap_or(false);
        if let Some(p) = &a.allowed_signers {
            if p.get_ref().trim().is_empty() {
                return Err(at(Some(p.span()), "allowed_signers is empty: name an OpenSSH allowed_signers file"));
            }
            allowed_signers = Some(dir.join(p.get_ref()));
        }
    }
    Ok(PolicyFile { policy, allowed_signers })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> PolicyFile {
        parse(text, "p.toml", Path::new("/etc/gate"), "ab").unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(text, "p.toml", Path::new("."), "ab").unwrap_err().to_string()
    }

    #[test]
    fn a_full_policy_reads() {
        let p = parse_ok(
            "expiry_warning_days = 45\n[acceptance]\nrequire_signed = true\nallowed_signers = \"keys/allowed\"\n\
             [criteria.retention_alerts]\nseverity = \"fail\"\n[criteria.community_boundary]\nrequired = false\n",
        );
        assert_eq!(p.policy.expiry_warning_days, 45);
        assert!(p.policy.require_signed_acceptance);
        assert_eq!(p.allowed_signers.as_deref(), Some(Path::new("/etc/gate/keys/allowed")));
        let alerts = p.policy.criteria[&CriterionId::RetentionAlerts];
        assert_eq!((alerts.severity, alerts.required), (Some(Status::Fail), true));
        assert!(!p.policy.is_required(CriterionId::CommunityBoundary));
        assert!(p.policy.is_required(CriterionId::FinalReadiness));
        assert_eq!(p.policy.source.unwrap().sha256, "ab");
    }

    #[test]
    fn an_empty_policy_is_cavras_defaults_with_a_source() {
        let p = parse_ok("# nothing\n");
        assert_eq!(Policy { source: None, ..p.policy }, Policy::default());
    }

    #[test]
    fn problems_name_the_file_line_and_column() {
        let e = parse_err("expiry_warning_days = 30\n[criteria.no_such_criterion]\nrequired = false\n");
        assert!(e.starts_with("p.toml: line 2, column "), "{e}");
        assert!(e.contains("no_such_criterion"), "{e}");
        let e = parse_err("\n\nexpiry_warning_days = -1\n");
        assert!(e.starts_with("p.toml: line 3, column 23: expiry_warning_days must be between 0"), "{e}");
        let e = parse_err("[criteria.retry_workflow]\nseverity = \"block\"\n");
        assert!(e.starts_with("p.toml: line 2, column 12:"), "{e}");
        let e = parse_err("expiry_warning_dayz = 3\n");
        assert!(e.starts_with("p.toml: line 1, column 1:") && e.contains("expiry_warning_dayz"), "{e}");
        let e = parse_err("expiry_warning_days = \n");
        assert!(e.starts_with("p.toml: line 1, column "), "{e}");
        let e = parse_err("[acceptance]\nallowed_signers = \"\"\n");
        assert!(e.contains("line 2") && e.contains("allowed_signers is empty"), "{e}");
    }
}
