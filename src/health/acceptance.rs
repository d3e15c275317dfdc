//! Owner acceptance of risk: who accepted which warnings, why, until when; and whether it still holds.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::time::{fmt_instant, parse_deadline};

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
    /// Criterion ids it covers; None covers every warning.
    pub covers: Option<Vec<String>>,
    /// Why the acceptance no longer counts, when the source already knows (e.g. reviewed evidence changed).
    pub void_reason: Option<String>,
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
    /// The instant from which the acceptance no longer holds: the expiry, else the target date.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.expires_at.as_deref().or(self.target_date.as_deref()).and_then(parse_deadline)
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
            Some(w) if parse_deadline(w).is_none() => missing.push("a parseable expiry date"),
            _ => {}
        }
        if !missing.is_empty() {
            return Standing::Incomplete { missing };
        }
        let deadline = self.deadline().expect("checked above");
        let shown = when.unwrap_or_default().to_string();
        if as_of >= deadline {
            Standing::Expired { on: shown }
        } else {
            Standing::Valid { until: if shown.len() == 10 { shown } else { fmt_instant(deadline) } }
        }
    }

    pub fn covers(&self, criterion: &str) -> bool {
        self.covers.as_ref().is_none_or(|c| c.iter().any(|id| id == criterion))
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
            void_reason: None,
        }
    }

    #[test]
    fn date_only_expiry_holds_through_that_day() {
        let a = acc(Some("2026-06-07"));
        assert!(matches!(a.standing(parse_instant("2026-06-07T23:59:59Z").unwrap()), Standing::Valid { .. }));
        assert_eq!(
            a.standing(parse_instant("2026-06-08T00:00:00Z").unwrap()),
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
    fn scoped_acceptance_covers_only_its_criteria() {
        let mut a = acc(Some("2030-01-01"));
        a.covers = Some(vec!["retry_workflow".into()]);
        assert!(a.covers("retry_workflow"));
        assert!(!a.covers("retention_health"));
    }
}
