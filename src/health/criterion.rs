//! Stable criterion identifiers: what review records, walkthrough files, policies and every report store.
//! Display titles are for display only.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One release criterion, by its stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionId {
    FinalReadiness,
    SignedArchiveManifest,
    ReleaseCloseout,
    CloseoutDelivery,
    RetentionApproval,
    ArtifactBundle,
    RetentionHealth,
    RetryWorkflow,
    RetentionAlerts,
    CommunityBoundary,
}

impl CriterionId {
    /// Every criterion, in the order they are evaluated and shown.
    pub const ALL: [CriterionId; 10] = [
        CriterionId::FinalReadiness,
        CriterionId::SignedArchiveManifest,
        CriterionId::ReleaseCloseout,
        CriterionId::CloseoutDelivery,
        CriterionId::RetentionApproval,
        CriterionId::ArtifactBundle,
        CriterionId::RetentionHealth,
        CriterionId::RetryWorkflow,
        CriterionId::RetentionAlerts,
        CriterionId::CommunityBoundary,
    ];

    /// The stable id (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionId::FinalReadiness => "final_readiness",
            CriterionId::SignedArchiveManifest => "signed_archive_manifest",
            CriterionId::ReleaseCloseout => "release_closeout",
            CriterionId::CloseoutDelivery => "closeout_delivery",
            CriterionId::RetentionApproval => "retention_approval",
            CriterionId::ArtifactBundle => "artifact_bundle",
            CriterionId::RetentionHealth => "retention_health",
            CriterionId::RetryWorkflow => "retry_workflow",
            CriterionId::RetentionAlerts => "retention_alerts",
            CriterionId::CommunityBoundary => "community_boundary",
        }
    }

    /// The title people read.
    pub fn title(self) -> &'static str {
        match self {
            CriterionId::FinalReadiness => "Final readiness bundle",
            CriterionId::SignedArchiveManifest => "Signed archive manifest",
            CriterionId::ReleaseCloseout => "Release closeout summary",
            CriterionId::CloseoutDelivery => "Closeout delivery",
            CriterionId::RetentionApproval => "Retention approval",
            CriterionId::ArtifactBundle => "Artifact bundle and hashes",
            CriterionId::RetentionHealth => "Retention health",
            CriterionId::RetryWorkflow => "Retry workflow",
            CriterionId::RetentionAlerts => "Retention alerts",
            CriterionId::CommunityBoundary => "Community boundary",
        }
    }

    /// One sentence on what the criterion asks (help text for reports, SARIF rules, the TUI).
    pub fn help(self) -> &'static str {
        match self {
            CriterionId::FinalReadiness => {
                "The readiness bundle the closeout summary names is ready_for_closeout, has no blockers, and indexes the upstream readiness, approval, release-record, closure-packet, auditor-export and archive evidence."
            }
            CriterionId::SignedArchiveManifest => {
                "The archive manifest carries external signature metadata (the signature itself lives in an external KMS or signing service); no private key material is anywhere in the evidence."
            }
            CriterionId::ReleaseCloseout => "The release's newest closeout summary is closed with zero blockers.",
            CriterionId::CloseoutDelivery => {
                "The closeout summary was delivered to its connectors; a failed delivery needs a retry decision and worker evidence (then it is a risk an owner can accept)."
            }
            CriterionId::RetentionApproval => "The release's newest retention review decision is approved.",
            CriterionId::ArtifactBundle => {
                "The release's artifact bundle exists, carries the approved retention decision, and every file hash is recorded and verifies."
            }
            CriterionId::RetentionHealth => {
                "Retention health checked the release's artifact bundle, and CAVRA's retention rules applied at the evaluation time find approval in place and retention neither expired nor expiring."
            }
            CriterionId::RetryWorkflow => {
                "Every failed closeout delivery has a retry decision, a dry run before any live redelivery, and is either redelivered or awaiting it."
            }
            CriterionId::RetentionAlerts => {
                "A retention health report that is not healthy was routed to a provider and the alert was delivered."
            }
            CriterionId::CommunityBoundary => {
                "Community evidence holds no secret in the clear and no private key material; credentials stay in operator or Enterprise/SaaS systems."
            }
        }
    }

    /// Parse a stable id; also accepts a title (records written with display labels still read).
    pub fn parse(s: &str) -> Option<CriterionId> {
        let s = s.trim();
        CriterionId::ALL.into_iter().find(|c| c.as_str() == s || c.title().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for CriterionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<&str> for CriterionId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_serde_and_parse() {
        for c in CriterionId::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<CriterionId>(&json).unwrap(), c);
            assert_eq!(CriterionId::parse(c.as_str()), Some(c));
            assert_eq!(CriterionId::parse(c.title()), Some(c), "titles still read");
        }
        assert_eq!(CriterionId::parse("no_such"), None);
    }
}
