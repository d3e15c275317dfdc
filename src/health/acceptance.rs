//! Owner acceptance of risk: who accepted which warnings, why, until when; and whether it still holds.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::CriterionId;
use crate::time::{fmt_instant, parse_instant};

/// Where an acceptance came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AcceptanceSource {
    /// The trial package's `release_decision.accepted_risk`.
    TrialPackage,
    /// A closeout review record (`closeout.review.v1`).
    ReviewRecord { path: String },
}

/// A documented owner acceptance of risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    pub source: AcceptanceSource,
    pub owner: Option<String>,
    pub reason: Option<String>,
    pub external_ref: Option<String>,
    /// As written in the evidence (a date or an RFC 3339 time).
    pub expires_at: Option<String>,
    pub target_date: Option<String>,
    /// Criteria it covers; None covers every warning.
    pub covers: Option<Vec<CriterionId>>,
    /// The artifacts (shown ids) a review record pinned; None for an acceptance the evidence itself carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pins: Option<Vec<String>>,
    /// Why the acceptance no longer counts, when the source already knows (e.g. reviewed evidence changed).
    pub void_reason: Option<String>,
    /// What is known of its signature; `None` when nobody looked (an evaluation without `closeout check`'s
    /// signature checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// The signature of a review record behind an acceptance, as `closeout check` found it. Every text field is
/// neutralised for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Signature {
    /// The signature verifies over the record's exact bytes and the allowed_signers file trusts the key for
    /// the principal, at the evaluation time.
    Verified {
        /// The principal the signer was trusted as: the record's acceptance owner or its reviewer.
        principal: String,
        key_type: String,
        /// `SHA256:…`, as ssh-keygen prints it.
        fingerprint: String,
        signature_algorithm: String,
        namespace: String,
        /// The allowed_signers file and the line that trusted the key.
        allowed_signers: String,
        line: usize,
        /// What a good signature still does not show (cosign-style).
        not_verified: Vec<String>,
    },
    /// There is no signature (no `RECORD.sig`; or the evidence's own acceptance, which cannot carry one).
    Unsigned { path: Option<String> },
    /// A signature file exists, but no allowed_signers file was given to check it against.
    NotChecked { path: String },
    /// The signature does not count: `code` is [`crate::sign::SignatureProblem::code`], `reason` its sentence.
    Invalid { code: String, reason: String },
}

impl Signature {
    /// One line for reports: who signed with which key under which principal, or why it does not count.
    pub fn describe(&self) -> String {
        match self {
            Signature::Verified { principal, key_type, fingerprint, allowed_signers, line, .. } => format!(
                "signed by \"{principal}\" with {key_type} {fingerprint} (trusted by {allowed_signers} line {line})"
            ),
            Signature::Unsigned { path: Some(p) } => format!("unsigned (no signature file {p})"),
            Signature::Unsigned { path: None } => {
                "unsigned (the evidence's own acceptance carries no signature)".into()
            }
            Signature::NotChecked { path } => {
                format!("signature {path} not checked (no --allowed-signers file was given)")
            }
            Signature::Invalid { reason, .. } => format!("signature does not count: {reason}"),
        }
    }

    pub fn is_verified(&self) -> bool {
        matches!(self, Signature::Verified { .. })
    }
}

/// Whether an acceptance counts at the evaluation time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    Valid { until: String },
    Expired { on: String },
    Incomplete { missing: Vec<&'static str> },
    Void { reason: String },
}

impl Acceptance {
    /// The instant from which the acceptance no longer holds: the expiry, else the target date (a bare date
    /// is 00:00Z of that day, the one rule closeout applies to every date; see `time::parse_instant`).
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.expires_at.as_deref().or(self.target_date.as_deref()).and_then(parse_instant)
    }

    pub fn standing(&self, as_of: DateTime<Utc>) -> Standing {
        if let Some(reason) = &self.void_reason {
            return Standing::Void { reason: reason.clone() };
        }
        let mut missing = Vec::new();
        if self.owner.as_deref().is_none_or(|s| s.trim().is_empty()) {
            missing.push("owner");
        }
        if self.reason.as_deref().is_none_or(|s| s.trim().is_empty()) {
            missing.push("reason");
        }
        let when = self.expires_at.as_deref().or(self.target_date.as_deref());
        match when {
            None => missing.push("expiry or target date"),
            Some(w) if parse_instant(w).is_none() => missing.push("a parseable expiry date"),
            _ => {}
        }
        if !missing.is_empty() {
            return Standing::Incomplete { missing };
        }
        let deadline = self.deadline().expect("checked above");
        let shown = when.unwrap_or_default().to_string();
        if deadline <= as_of {
            Standing::Expired { on: shown }
        } else {
            Standing::Valid { until: if shown.len() == 10 { shown } else { fmt_instant(deadline) } }
        }
    }

    /// Its standing against the findings it would accept: a pinned acceptance is void as soon as a warning
    /// it covers cites an artifact it did not pin (a new failed delivery, a rebuilt retry plan, a new worker
    /// run or health report): the evidence it relied on is no longer the evidence.
    pub fn standing_against(&self, as_of: DateTime<Utc>, findings: &[super::Finding]) -> Standing {
        let standing = self.standing(as_of);
        if !matches!(standing, Standing::Valid { .. }) {
            return standing;
        }
        if let Some(pins) = &self.pins {
            for f in findings.iter().filter(|f| f.status == super::Status::Warn && self.covers(f.id)) {
                if let Some(new) = f.evidence.iter().find(|e| !pins.contains(e)) {
                    return Standing::Void {
                        reason: format!("{} now rests on {new}, which the review did not see", f.id),
                    };
                }
            }
        }
        standing
    }

    pub fn covers(&self, criterion: CriterionId) -> bool {
        self.covers.as_ref().is_none_or(|c| c.contains(&criterion))
    }

    pub fn describe(&self) -> String {
        let owner = self.owner.as_deref().unwrap_or("(no owner)");
        let src = match &self.source {
            AcceptanceSource::TrialPackage => "release_decision.accepted_risk".to_string(),
            AcceptanceSource::ReviewRecord { path } => format!("review record {path}"),
        };
        format!("{} ({src})", crate::sanitize::clean(owner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn acc(expires: Option<&str>) -> Acceptance {
        Acceptance {
            source: AcceptanceSource::TrialPackage,
            owner: Some("risk-owner".into()),
            reason: Some("retry pending".into()),
            external_ref: None,
            expires_at: expires.map(Into::into),
            target_date: None,
            covers: None,
            pins: None,
            void_reason: None,
            signature: None,
        }
    }

    #[test]
    fn date_only_expiry_ends_at_the_start_of_that_day() {
        let a = acc(Some("2026-06-07"));
        assert!(matches!(a.standing(parse_instant("2026-06-06T23:59:59Z").unwrap()), Standing::Valid { .. }));
        assert_eq!(
            a.standing(parse_instant("2026-06-07T00:00:00Z").unwrap()),
            Standing::Expired { on: "2026-06-07".into() }
        );
    }

    #[test]
    fn incomplete_acceptance_names_what_is_missing() {
        let mut a = acc(None);
        a.owner = Some(" ".into());
        match a.standing(parse_instant("2026-01-01T00:00:00Z").unwrap()) {
            Standing::Incomplete { missing } => assert_eq!(missing, vec!["owner", "expiry or target date"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unparseable_expiry_is_incomplete_not_a_deadline() {
        // A written but unreadable date must be named, not treated as no deadline or as a valid one.
        let a = acc(Some("next quarter"));
        assert_eq!(
            a.standing(parse_instant("2026-01-01T00:00:00Z").unwrap()),
            Standing::Incomplete { missing: vec!["a parseable expiry date"] }
        );
        // The target date stands in for a missing expiry, under the same rule.
        let mut t = acc(None);
        t.target_date = Some("soon".into());
        assert_eq!(
            t.standing(parse_instant("2026-01-01T00:00:00Z").unwrap()),
            Standing::Incomplete { missing: vec!["a parseable expiry date"] }
        );
    }

    #[test]
    fn valid_until_keeps_a_bare_date_and_normalises_a_time_to_utc() {
        let as_of = parse_instant("2026-01-01T00:00:00Z").unwrap();
        // A date as written stays a date.
        assert_eq!(acc(Some("2030-01-01")).standing(as_of), Standing::Valid { until: "2030-01-01".into() });
        // A time with an offset is shown as the UTC instant it means, not as written.
        assert_eq!(
            acc(Some("2030-01-01T12:30:00+02:00")).standing(as_of),
            Standing::Valid { until: "2030-01-01T10:30:00Z".into() }
        );
    }

    fn finding(id: CriterionId, status: crate::health::Status, evidence: &[&str]) -> crate::health::Finding {
        crate::health::Finding {
            id,
            title: "test",
            status,
            reason: String::new(),
            cites: Vec::new(),
            evidence: evidence.iter().map(|e| e.to_string()).collect(),
            next_step: String::new(),
            details: Vec::new(),
        }
    }

    #[test]
    fn pinned_acceptance_is_void_only_for_a_covered_warning_on_unseen_evidence() {
        use crate::health::Status;
        let as_of = parse_instant("2026-01-01T00:00:00Z").unwrap();
        let mut a = acc(Some("2030-01-01"));
        a.covers = Some(vec![CriterionId::RetryWorkflow]);
        a.pins = Some(vec!["plan-1".into(), "run-1".into()]);
        let valid = Standing::Valid { until: "2030-01-01".into() };

        // A covered warning that rests only on pinned evidence keeps the acceptance.
        let seen = [finding(CriterionId::RetryWorkflow, Status::Warn, &["plan-1", "run-1"])];
        assert_eq!(a.standing_against(as_of, &seen), valid);
        // New evidence under a criterion that is not a warning does not concern the acceptance...
        let passing = [finding(CriterionId::RetryWorkflow, Status::Pass, &["run-2"])];
        assert_eq!(a.standing_against(as_of, &passing), valid);
        let failing = [finding(CriterionId::RetryWorkflow, Status::Fail, &["run-2"])];
        assert_eq!(a.standing_against(as_of, &failing), valid);
        // ...nor does a warning the acceptance does not cover.
        let uncovered = [finding(CriterionId::RetentionHealth, Status::Warn, &["report-9"])];
        assert_eq!(a.standing_against(as_of, &uncovered), valid);
        // A covered warning on evidence the review did not pin voids it, naming both.
        let unseen = [finding(CriterionId::RetryWorkflow, Status::Warn, &["plan-1", "run-2"])];
        match a.standing_against(as_of, &unseen) {
            Standing::Void { reason } => {
                assert!(reason.contains("retry_workflow") && reason.contains("run-2"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        // Without pins (the evidence's own acceptance) there is nothing to go stale.
        a.pins = None;
        assert_eq!(a.standing_against(as_of, &unseen), valid);
    }

    fn verified() -> Signature {
        Signature::Verified {
            principal: "risk-owner@example.org".into(),
            key_type: "ED25519".into(),
            fingerprint: "SHA256:abc123".into(),
            signature_algorithm: "ssh-ed25519".into(),
            namespace: "closeout-review".into(),
            allowed_signers: "allowed_signers".into(),
            line: 3,
            not_verified: vec!["that the owner read the evidence".into()],
        }
    }

    #[test]
    fn only_a_verified_signature_is_verified() {
        assert!(verified().is_verified());
        for s in [
            Signature::Unsigned { path: Some("review.json.sig".into()) },
            Signature::Unsigned { path: None },
            Signature::NotChecked { path: "review.json.sig".into() },
            Signature::Invalid { code: "untrusted_key".into(), reason: "the key is not trusted".into() },
        ] {
            assert!(!s.is_verified(), "{s:?}");
        }
    }

    #[test]
    fn signature_description_names_signer_key_and_trust_or_why_it_does_not_count() {
        let d = verified().describe();
        for part in ["risk-owner@example.org", "ED25519", "SHA256:abc123", "allowed_signers line 3"] {
            assert!(d.contains(part), "{part:?} missing from {d:?}");
        }
        let d = Signature::Unsigned { path: Some("review.json.sig".into()) }.describe();
        assert!(d.starts_with("unsigned") && d.contains("review.json.sig"), "{d}");
        let d = Signature::Unsigned { path: None }.describe();
        assert!(d.starts_with("unsigned") && d.contains("evidence"), "{d}");
        let d = Signature::NotChecked { path: "review.json.sig".into() }.describe();
        assert!(d.contains("review.json.sig") && d.contains("not checked"), "{d}");
        let d = Signature::Invalid { code: "untrusted_key".into(), reason: "the key is not trusted".into() }.describe();
        assert!(d.contains("does not count") && d.contains("the key is not trusted"), "{d}");
    }

    #[test]
    fn scoped_acceptance_covers_only_its_criteria() {
        let mut a = acc(Some("2030-01-01"));
        a.covers = Some(vec![CriterionId::RetryWorkflow]);
        assert!(a.covers(CriterionId::RetryWorkflow));
        assert!(!a.covers(CriterionId::RetentionHealth));
    }
}
