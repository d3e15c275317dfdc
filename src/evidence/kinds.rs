//! CAVRA's artifact kinds: metadata kinds, embed keys, schema versions, display names and chain order.

use std::fmt;

/// Prefix shared by every final-reporting metadata kind.
pub const KIND_PREFIX: &str = "go-backend-rollback-drill-acknowledgement-audit-delivery-final-reporting-";
/// Prefix shared by every final-reporting artifact schema version.
pub const SCHEMA_PREFIX: &str = "cavra.go-backend-pilot.rollback-drill-final-reporting-";
/// `metadata_kind` of connector delivery results.
pub const CONNECTOR_DELIVERY_KIND: &str = "release-connector-delivery";
/// `connector_delivery_source` of closeout deliveries (and live retries).
pub const SOURCE_RELEASE_CLOSEOUT: &str =
    "go_backend_rollback_drill_acknowledgement_audit_final_reporting_release_closeout";
/// `connector_delivery_source` of retention health alert deliveries.
pub const SOURCE_RETENTION_ALERT: &str =
    "go_backend_rollback_drill_acknowledgement_audit_final_reporting_closeout_retention_health_alert";
/// Schema version of the trial package.
pub const TRIAL_SCHEMA: &str = "cavra.final_closeout_trial.v1";
/// Schema version CAVRA's evidence store stamps on every metadata wrapper.
pub const METADATA_SCHEMA: &str = "cavra.evidence.metadata.v1";
/// Schema version of a connector delivery result.
pub const CONNECTOR_DELIVERY_SCHEMA: &str = "cavra.connector.delivery.v1";

/// One kind of evidence artifact, named as CAVRA names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    // Upstream final-reporting evidence the readiness bundle indexes.
    ReadinessSummary,
    RunbookExport,
    ReadinessApproval,
    ReleaseRecordAttachment,
    ClosurePacketVerification,
    AuditorExport,
    ImmutableArchiveReference,
    ArchiveReferenceHealth,
    ArchiveHealthAlertPlan,
    ArchiveHealthAlertAck,
    // The final closeout chain.
    ReadinessBundle,
    SignedArchiveManifest,
    CloseoutSummary,
    CloseoutDeliveryEvent,
    CloseoutDelivery,
    RetentionReviewRequest,
    RetentionReviewDecision,
    ArtifactBundle,
    RetentionHealth,
    RetentionAlertPlan,
    AlertDelivery,
    RetryPlan,
    WorkerRun,
    ExecutionRecord,
    /// A connector delivery for some other event (auditor export, archive health alert, ...).
    OtherDelivery,
    // Trial package sections with no store counterpart.
    TrialScenario,
    ReleaseDecision,
    /// A `metadata_kind` closeout does not know; kept as a generic node.
    Unknown(UnknownKind),
}

/// A `metadata_kind` closeout does not know: untrusted text, kept raw for matching and sanitised (and
/// redacted when it is a secret) for display. Shared: a store of a million items of one unknown kind holds
/// its two strings once, and a node's kind stays one pointer wide.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownKind(std::sync::Arc<UnknownText>);

#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct UnknownText {
    raw: String,
    shown: String,
}

/// How many distinct unknown kinds a thread remembers to share; past that each is its own (an input with a
/// million distinct kinds must not grow a cache).
const SHARED_UNKNOWN: usize = 64;

impl UnknownKind {
    pub fn new(raw: &str) -> UnknownKind {
        use std::cell::RefCell;
        thread_local! {
            static SEEN: RefCell<Vec<UnknownKind>> = const { RefCell::new(Vec::new()) };
        }
        SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            if let Some(k) = seen.iter().find(|k| k.0.raw == raw) {
                return k.clone();
            }
            let text = crate::text::Text::new(raw.strip_prefix(KIND_PREFIX).unwrap_or(raw));
            let k = UnknownKind(std::sync::Arc::new(UnknownText { raw: raw.to_string(), shown: text.to_string() }));
            if seen.len() < SHARED_UNKNOWN {
                seen.push(k.clone());
            }
            k
        })
    }
    /// The `metadata_kind` as shown.
    pub fn shown(&self) -> &str {
        &self.0.shown
    }
    pub(crate) fn raw(&self) -> &str {
        &self.0.raw
    }
}

impl From<&str> for UnknownKind {
    fn from(s: &str) -> UnknownKind {
        UnknownKind::new(s)
    }
}

/// (kind, metadata_kind suffix after [`KIND_PREFIX`], embed key, schema step, display name, id field).
const TABLE: &[(Kind, &str, &str, &str, &str, &str)] = &[
    (
        Kind::ReadinessSummary,
        "release-readiness-summary",
        "final_reporting_release_readiness_summary",
        "release-readiness-summary",
        "readiness summary",
        "summary_id",
    ),
    (
        Kind::RunbookExport,
        "operator-runbook-export",
        "final_reporting_operator_runbook_export",
        "operator-runbook-export",
        "operator runbook export",
        "export_id",
    ),
    (
        Kind::ReadinessApproval,
        "release-readiness-approval-decision",
        "final_reporting_release_readiness_approval_decision",
        "release-readiness-approval-decision",
        "readiness approval",
        "decision_id",
    ),
    (
        Kind::ReleaseRecordAttachment,
        "release-record-attachment",
        "final_reporting_release_record_attachment",
        "release-record-attachment",
        "release record attachment",
        "attachment_id",
    ),
    (
        Kind::ClosurePacketVerification,
        "release-closure-packet-verification",
        "final_reporting_release_closure_packet_verification",
        "release-closure-packet-verification",
        "closure packet verification",
        "verification_id",
    ),
    (
        Kind::AuditorExport,
        "auditor-export",
        "final_reporting_auditor_export",
        "auditor-export",
        "auditor export",
        "export_id",
    ),
    (
        Kind::ImmutableArchiveReference,
        "immutable-archive-reference",
        "final_reporting_immutable_archive_reference",
        "immutable-archive-reference",
        "immutable archive reference",
        "reference_id",
    ),
    (
        Kind::ArchiveReferenceHealth,
        "archive-reference-health",
        "final_reporting_archive_reference_health",
        "archive-reference-health",
        "archive reference health",
        "health_id",
    ),
    (
        Kind::ArchiveHealthAlertPlan,
        "archive-reference-health-alert-plan",
        "final_reporting_archive_reference_health_alert_plan",
        "archive-reference-health-alert-plan",
        "archive health alert plan",
        "plan_id",
    ),
    (
        Kind::ArchiveHealthAlertAck,
        "archive-reference-health-alert-ack",
        "final_reporting_archive_reference_health_alert_ack",
        "archive-reference-health-alert-ack",
        "archive health alert ack",
        "acknowledgement_id",
    ),
    (
        Kind::ReadinessBundle,
        "readiness-bundle",
        "final_reporting_readiness_bundle",
        "readiness-bundle",
        "readiness bundle",
        "bundle_id",
    ),
    (
        Kind::SignedArchiveManifest,
        "signed-archive-manifest",
        "final_reporting_signed_archive_manifest",
        "signed-archive-manifest",
        "signed archive manifest",
        "manifest_id",
    ),
    (
        Kind::CloseoutSummary,
        "release-closeout-summary",
        "final_reporting_release_closeout_summary",
        "release-closeout-summary",
        "closeout summary",
        "summary_id",
    ),
    (
        Kind::CloseoutDeliveryEvent,
        "release-closeout-delivery",
        "final_reporting_release_closeout_delivery",
        "release-closeout-delivery-event",
        "closeout delivery event",
        "event_id",
    ),
    (
        Kind::RetentionReviewRequest,
        "closeout-retention-review-request",
        "final_reporting_closeout_retention_review_request",
        "closeout-retention-review-request",
        "retention review request",
        "review_id",
    ),
    (
        Kind::RetentionReviewDecision,
        "closeout-retention-review-decision",
        "final_reporting_closeout_retention_review_decision",
        "closeout-retention-review-decision",
        "retention review decision",
        "decision_id",
    ),
    (
        Kind::ArtifactBundle,
        "closeout-artifact-bundle",
        "final_reporting_closeout_artifact_bundle",
        "closeout-artifact-bundle",
        "artifact bundle",
        "artifact_bundle_id",
    ),
    (
        Kind::RetentionHealth,
        "closeout-retention-health",
        "final_reporting_closeout_retention_health",
        "closeout-retention-health",
        "retention health",
        "health_id",
    ),
    (
        Kind::RetentionAlertPlan,
        "closeout-retention-health-alert-plan",
        "final_reporting_closeout_retention_health_alert_plan",
        "closeout-retention-health-alert-plan",
        "retention alert plan",
        "plan_id",
    ),
    (
        Kind::RetryPlan,
        "release-closeout-delivery-retry-plan",
        "final_reporting_release_closeout_delivery_retry_plan",
        "release-closeout-delivery-retry-plan",
        "retry plan",
        "retry_plan_id",
    ),
    (
        Kind::WorkerRun,
        "release-closeout-delivery-retry-worker-run",
        "final_reporting_release_closeout_delivery_retry_worker_run",
        "release-closeout-delivery-retry-worker-run",
        "worker run",
        "run_id",
    ),
    (
        Kind::ExecutionRecord,
        "release-closeout-delivery-retry-execution-record",
        "final_reporting_release_closeout_delivery_retry_execution_record",
        "release-closeout-delivery-retry-execution-record",
        "execution record",
        "execution_id",
    ),
];

impl Kind {
    /// Kind for a `metadata_kind`, with the delivery source for connector deliveries.
    pub fn from_metadata_kind(metadata_kind: &str, delivery_source: Option<&str>, event_type: Option<&str>) -> Kind {
        if metadata_kind == CONNECTOR_DELIVERY_KIND {
            return Kind::for_delivery(delivery_source, event_type);
        }
        if let Some(suffix) = metadata_kind.strip_prefix(KIND_PREFIX)
            && let Some(row) = TABLE.iter().find(|row| row.1 == suffix)
        {
            return row.0.clone();
        }
        Kind::Unknown(UnknownKind::new(metadata_kind))
    }

    /// Kind of a connector delivery from its source or, for bare results, its event type.
    pub fn for_delivery(delivery_source: Option<&str>, event_type: Option<&str>) -> Kind {
        match delivery_source {
            Some(SOURCE_RELEASE_CLOSEOUT) => return Kind::CloseoutDelivery,
            Some(SOURCE_RETENTION_ALERT) => return Kind::AlertDelivery,
            Some(_) => return Kind::OtherDelivery,
            None => {}
        }
        match event_type {
            Some(t) if t.ends_with(".final_reporting.release_closeout") => Kind::CloseoutDelivery,
            Some(t) if t.ends_with(".final_reporting.closeout_retention_health_alert") => Kind::AlertDelivery,
            _ => Kind::OtherDelivery,
        }
    }

    /// Kind of a bare artifact from its `schema_version`.
    pub fn from_schema_version(schema: &str) -> Option<Kind> {
        let step = schema.strip_prefix(SCHEMA_PREFIX)?.strip_suffix(".v1")?;
        TABLE.iter().find(|row| row.3 == step).map(|row| row.0.clone())
    }

    /// The key a metadata wrapper embeds this kind's artifact under.
    pub fn embed_key(&self) -> Option<&'static str> {
        match self {
            Kind::CloseoutDelivery | Kind::AlertDelivery | Kind::OtherDelivery => Some("delivery"),
            _ => self.row().map(|row| row.2),
        }
    }

    /// The artifact field that holds this kind's own id.
    pub fn id_field(&self) -> Option<&'static str> {
        match self {
            Kind::CloseoutDelivery | Kind::AlertDelivery | Kind::OtherDelivery => Some("session_id"),
            _ => self.row().map(|row| row.5),
        }
    }

    /// The full `metadata_kind` string CAVRA uses for this kind.
    pub fn metadata_kind(&self) -> String {
        match self {
            Kind::CloseoutDelivery | Kind::AlertDelivery | Kind::OtherDelivery => CONNECTOR_DELIVERY_KIND.to_string(),
            Kind::Unknown(k) => k.raw().to_string(),
            _ => self.row().map(|row| format!("{KIND_PREFIX}{}", row.1)).unwrap_or_default(),
        }
    }

    fn row(&self) -> Option<&'static (Kind, &'static str, &'static str, &'static str, &'static str, &'static str)> {
        TABLE.iter().find(|row| &row.0 == self)
    }

    /// CAVRA's name for this kind, as shown to people.
    pub fn name(&self) -> &str {
        match self {
            Kind::CloseoutDelivery => "closeout delivery",
            Kind::AlertDelivery => "alert delivery",
            Kind::OtherDelivery => "connector delivery",
            Kind::TrialScenario => "trial scenario",
            Kind::ReleaseDecision => "release decision",
            Kind::Unknown(k) => k.shown(),
            _ => self.row().map(|row| row.4).unwrap_or("artifact"),
        }
    }

    /// The stable identifier of this kind (snake_case, never a display label): what review records and
    /// walkthrough files store. Unknown kinds keep their `metadata_kind`.
    pub fn stable(&self) -> String {
        match self {
            Kind::Unknown(k) => k.shown().to_string(),
            other => other.name().replace(' ', "_"),
        }
    }

    /// The kind a stable identifier names; display labels (as older records stored) and `metadata_kind`s
    /// also read.
    pub fn from_stable(s: &str) -> Option<Kind> {
        let s = s.trim();
        if let Some(k) = Kind::known().into_iter().find(|k| k.stable() == s || k.name() == s) {
            return Some(k);
        }
        match Kind::from_metadata_kind(s, None, None) {
            Kind::Unknown(_) => None,
            k => Some(k),
        }
    }

    /// Where this kind sits in the evidence chain, for ordering trees and lists.
    pub fn chain_rank(&self) -> u8 {
        match self {
            Kind::TrialScenario => 0,
            Kind::ReadinessBundle => 10,
            Kind::SignedArchiveManifest => 11,
            Kind::CloseoutSummary => 12,
            Kind::CloseoutDeliveryEvent => 13,
            Kind::CloseoutDelivery => 14,
            Kind::RetentionReviewRequest => 15,
            Kind::RetentionReviewDecision => 16,
            Kind::ArtifactBundle => 17,
            Kind::RetentionHealth => 18,
            Kind::RetentionAlertPlan => 19,
            Kind::AlertDelivery => 20,
            Kind::RetryPlan => 21,
            Kind::WorkerRun => 22,
            Kind::ExecutionRecord => 23,
            Kind::ReleaseDecision => 24,
            Kind::ReadinessSummary => 30,
            Kind::RunbookExport => 31,
            Kind::ReadinessApproval => 32,
            Kind::ReleaseRecordAttachment => 33,
            Kind::ClosurePacketVerification => 34,
            Kind::AuditorExport => 35,
            Kind::ImmutableArchiveReference => 36,
            Kind::ArchiveReferenceHealth => 37,
            Kind::ArchiveHealthAlertPlan => 38,
            Kind::ArchiveHealthAlertAck => 39,
            Kind::OtherDelivery => 40,
            Kind::Unknown(_) => 50,
        }
    }

    /// True for the kinds of the final closeout chain proper (not upstream or unknown).
    pub fn in_chain(&self) -> bool {
        (10..30).contains(&self.chain_rank())
    }

    /// The field that carries this kind's state, for display.
    pub fn state_field(&self) -> Option<&'static str> {
        Some(match self {
            Kind::ReadinessBundle => "closeout_state",
            Kind::SignedArchiveManifest => "signature_state",
            Kind::CloseoutSummary => "closeout_state",
            Kind::CloseoutDeliveryEvent => "closeout_state",
            Kind::CloseoutDelivery | Kind::AlertDelivery | Kind::OtherDelivery => "success",
            Kind::RetentionReviewRequest => "review_state",
            Kind::RetentionReviewDecision => "decision_state",
            Kind::ArtifactBundle => "retention_decision_state",
            Kind::RetentionHealth => "alert_level",
            Kind::RetentionAlertPlan => "alert_level",
            Kind::RetryPlan => "retryable_count",
            Kind::WorkerRun => "dry_run",
            Kind::ExecutionRecord => "execution_status",
            Kind::ReadinessSummary => "readiness_state",
            Kind::ReadinessApproval => "approval_state",
            Kind::ReleaseRecordAttachment => "attachment_state",
            Kind::ClosurePacketVerification => "verification_state",
            Kind::AuditorExport => "verification_state",
            Kind::ArchiveReferenceHealth => "alert_level",
            Kind::ReleaseDecision => "state",
            _ => return None,
        })
    }

    /// Every kind closeout knows, in chain order (for legends and tests).
    pub fn known() -> Vec<Kind> {
        let mut all: Vec<Kind> = TABLE.iter().map(|row| row.0.clone()).collect();
        all.extend([
            Kind::CloseoutDelivery,
            Kind::AlertDelivery,
            Kind::OtherDelivery,
            Kind::TrialScenario,
            Kind::ReleaseDecision,
        ]);
        all.sort_by_key(Kind::chain_rank);
        all
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_kinds_round_trip() {
        for kind in Kind::known() {
            if matches!(kind, Kind::TrialScenario | Kind::ReleaseDecision) {
                continue;
            }
            let mk = kind.metadata_kind();
            let source = match kind {
                Kind::CloseoutDelivery => Some(SOURCE_RELEASE_CLOSEOUT),
                Kind::AlertDelivery => Some(SOURCE_RETENTION_ALERT),
                Kind::OtherDelivery => {
                    Some("go_backend_rollback_drill_acknowledgement_audit_final_reporting_auditor_export")
                }
                _ => None,
            };
            assert_eq!(Kind::from_metadata_kind(&mk, source, None), kind, "{mk}");
        }
    }

    #[test]
    fn stable_names_round_trip_and_labels_still_read() {
        for kind in Kind::known() {
            let stable = kind.stable();
            assert!(stable.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{stable}");
            assert_eq!(Kind::from_stable(&stable), Some(kind.clone()), "{stable}");
            assert_eq!(Kind::from_stable(kind.name()), Some(kind.clone()), "label {}", kind.name());
        }
        assert_eq!(Kind::RetryPlan.stable(), "retry_plan");
        assert_eq!(Kind::from_stable("no such kind"), None);
    }

    #[test]
    fn unknown_kind_is_kept() {
        let k = Kind::from_metadata_kind("some-future-kind", None, None);
        assert_eq!(k, Kind::Unknown("some-future-kind".into()));
        assert!(!k.in_chain());
    }

    #[test]
    fn schema_versions_map_to_kinds() {
        assert_eq!(
            Kind::from_schema_version(
                "cavra.go-backend-pilot.rollback-drill-final-reporting-release-closeout-summary.v1"
            ),
            Some(Kind::CloseoutSummary)
        );
        assert_eq!(
            Kind::from_schema_version(
                "cavra.go-backend-pilot.rollback-drill-final-reporting-release-closeout-delivery-event.v1"
            ),
            Some(Kind::CloseoutDeliveryEvent)
        );
        assert_eq!(Kind::from_schema_version("cavra.something.v1"), None);
    }

    #[test]
    fn deliveries_split_by_event_type_when_bare() {
        assert_eq!(
            Kind::for_delivery(None, Some("cavra.go_backend.rollback_drill.final_reporting.release_closeout")),
            Kind::CloseoutDelivery
        );
        assert_eq!(
            Kind::for_delivery(
                None,
                Some("cavra.go_backend.rollback_drill.final_reporting.closeout_retention_health_alert")
            ),
            Kind::AlertDelivery
        );
    }
}
