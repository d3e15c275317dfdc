//! The typed artifacts of the closeout chain, decoded once from either of CAVRA's data models: the trial
//! package's sections (model A) and real runtime artifacts (model B). Field names differ between the two
//! (reference §2.4); these types hold what the rules need under one name, with every string an untrusted
//! [`Text`] and every state an enum from [`super::state`].

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::state::*;
use crate::evidence::{Artifact, EValue, Evidence, Kind, LoadError};
use crate::text::Text;

/// Reads typed fields of one decoded artifact; a field of the wrong type is a load error naming the file,
/// the artifact and the field.
pub(crate) struct Fields<'a> {
    ev: &'a Evidence,
    node: usize,
    art: Arc<Artifact>,
}

pub(crate) type R<T> = Result<T, LoadError>;

impl<'a> Fields<'a> {
    pub fn of(ev: &'a Evidence, node: usize) -> R<Fields<'a>> {
        Ok(Fields { ev, node, art: ev.artifact(node)? })
    }

    fn wrong(&self, at: &str, expected: &str, found: &EValue) -> LoadError {
        let n = &self.ev.nodes[self.node];
        let input = &self.ev.inputs[n.input as usize];
        let place = match &n.row {
            Some(row) => format!("row '{}' {}", crate::sanitize::clean(row), n.pointer),
            None => n.pointer.to_string(),
        };
        LoadError::new(&input.path, format!("{place}{at} must be {expected}, found {}", found.type_name()))
    }

    pub fn value(&self, key: &str) -> Option<&EValue> {
        self.art.get(key).filter(|v| !v.is_null())
    }

    pub fn text(&self, key: &str) -> R<Option<Text>> {
        text_at(self.value(key), &format!("/{key}"), |at, exp, v| self.wrong(at, exp, v))
    }

    /// A string field that is also absent when empty (CAVRA writes `""` for "none").
    pub fn id(&self, key: &str) -> R<Option<Text>> {
        Ok(self.text(key)?.filter(|t| !t.is_empty()))
    }

    pub fn bool(&self, key: &str) -> R<Option<bool>> {
        match self.value(key) {
            None => Ok(None),
            Some(EValue::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(&format!("/{key}"), "true or false", other)),
        }
    }

    pub fn int(&self, key: &str) -> R<Option<i64>> {
        int_at(self.value(key), &format!("/{key}"), |at, exp, v| self.wrong(at, exp, v))
    }

    pub fn list(&self, key: &str) -> R<&[EValue]> {
        match self.value(key) {
            None => Ok(&[]),
            Some(EValue::Array(items)) => Ok(items),
            Some(other) => Err(self.wrong(&format!("/{key}"), "a list", other)),
        }
    }

    /// The strings of a list field (non-strings are ignored: lists of ids hold only strings in CAVRA).
    pub fn texts(&self, key: &str) -> R<Vec<Text>> {
        Ok(self.list(key)?.iter().filter_map(value_text).filter(|t| !t.is_empty()).collect())
    }

    /// A string inside a list item or nested object.
    pub fn item_text(&self, item: &EValue, at: &str, key: &str) -> R<Option<Text>> {
        text_at(item.get(key).filter(|v| !v.is_null()), &format!("{at}/{key}"), |at, exp, v| self.wrong(at, exp, v))
    }

    pub fn item_int(&self, item: &EValue, at: &str, key: &str) -> R<Option<i64>> {
        int_at(item.get(key).filter(|v| !v.is_null()), &format!("{at}/{key}"), |at, exp, v| self.wrong(at, exp, v))
    }

    pub fn item_bool(&self, item: &EValue, at: &str, key: &str) -> R<Option<bool>> {
        match item.get(key).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(EValue::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(&format!("{at}/{key}"), "true or false", other)),
        }
    }

    pub fn node_id(&self) -> Text {
        self.ev.nodes[self.node].id.clone()
    }

    pub fn created(&self) -> Option<DateTime<Utc>> {
        self.ev.nodes[self.node].created
    }
}

/// A string value as [`Text`]; a redaction stays a redaction.
pub(crate) fn value_text(v: &EValue) -> Option<Text> {
    match v {
        EValue::String(s) => Some(s.clone()),
        EValue::Redacted(r) => Some(Text::new(r.to_string())),
        _ => None,
    }
}

fn text_at(v: Option<&EValue>, at: &str, wrong: impl Fn(&str, &str, &EValue) -> LoadError) -> R<Option<Text>> {
    match v {
        None => Ok(None),
        Some(v @ (EValue::String(_) | EValue::Redacted(_))) => Ok(value_text(v)),
        Some(other) => Err(wrong(at, "a string", other)),
    }
}

fn int_at(v: Option<&EValue>, at: &str, wrong: impl Fn(&str, &str, &EValue) -> LoadError) -> R<Option<i64>> {
    match v {
        None => Ok(None),
        Some(v @ EValue::Number(_)) => v.as_i64().map(Some).ok_or_else(|| wrong(at, "a whole number", v)),
        Some(other) => Err(wrong(at, "a number", other)),
    }
}

// ------------------------------------------------------------------------------------------------- the types

/// The release closeout summary (B11; trial `release_closeout_summary`).
#[derive(Debug, Clone)]
pub struct Summary {
    pub node: usize,
    pub id: Text,
    pub state: SummaryState,
    pub blockers: Vec<Text>,
    pub blocker_count: Option<i64>,
    pub bundle_id: Option<Text>,
    pub manifest_id: Option<Text>,
    /// Trial package only: the summary's own delivery result.
    pub trial_delivery: Option<TrialDeliveryState>,
    pub public_refs: Vec<Text>,
}

impl Summary {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<Summary> {
        let f = Fields::of(ev, node)?;
        let trial = ev.is_trial();
        Ok(Summary {
            node,
            id: f.node_id(),
            state: SummaryState::from_text(f.text("closeout_state")?.as_ref()),
            blockers: f.texts("blockers")?,
            blocker_count: f.int("blocker_count")?,
            bundle_id: f.id("bundle_id")?,
            manifest_id: f.id("manifest_id")?,
            trial_delivery: if trial {
                Some(TrialDeliveryState::from_text(f.text("delivery_state")?.as_ref()))
            } else {
                None
            },
            public_refs: f.texts("public_evidence_refs")?,
        })
    }
}

/// One `evidence_index` entry of a readiness bundle.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    pub kind: Kind,
    pub session_id: Option<Text>,
}

/// The final readiness bundle (B9; trial `final_readiness_bundle`).
#[derive(Debug, Clone)]
pub struct ReadinessBundle {
    pub node: usize,
    pub id: Text,
    pub state: BundleState,
    pub blockers: Vec<Text>,
    pub index: Vec<IndexEntry>,
    /// Trial package: `evidence_refs`.
    pub trial_refs: Vec<Text>,
}

impl ReadinessBundle {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<ReadinessBundle> {
        let f = Fields::of(ev, node)?;
        let trial = ev.is_trial();
        let mut index = Vec::new();
        for (i, e) in f.list("evidence_index")?.iter().enumerate() {
            let at = format!("/evidence_index/{i}");
            let mk = f.item_text(e, &at, "metadata_kind")?;
            let source = f.item_text(e, &at, "connector_delivery_source")?;
            let kind = match &mk {
                Some(mk) => mk.with_raw(|m| {
                    source.as_ref().map_or(Kind::from_metadata_kind(m, None, None), |s| {
                        s.with_raw(|s| Kind::from_metadata_kind(m, Some(s), None))
                    })
                }),
                None => Kind::Unknown("".into()),
            };
            index.push(IndexEntry { kind, session_id: f.item_text(e, &at, "session_id")? });
        }
        Ok(ReadinessBundle {
            node,
            id: f.node_id(),
            state: BundleState::from_text(f.text(if trial { "state" } else { "closeout_state" })?.as_ref()),
            blockers: f.texts("blockers")?,
            index,
            trial_refs: if trial { f.texts("evidence_refs")? } else { Vec::new() },
        })
    }
}

/// The signed archive manifest (B10; trial `signed_archive_manifest`).
#[derive(Debug, Clone)]
pub struct Manifest {
    pub node: usize,
    pub id: Text,
    pub state: SignatureState,
    /// Runtime: whether the `signature` field holds a value (trial packages carry no signature value).
    pub signature_present: Option<bool>,
    pub private_key_stored: Option<bool>,
    pub bundle_id: Option<Text>,
    pub algorithm: Option<Text>,
    /// `signature_key_id` (runtime) or `key_reference` (trial).
    pub key: Option<Text>,
}

impl Manifest {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<Manifest> {
        let f = Fields::of(ev, node)?;
        let trial = ev.is_trial();
        Ok(Manifest {
            node,
            id: f.node_id(),
            state: SignatureState::from_text(f.text("signature_state")?.as_ref()),
            signature_present: if trial { None } else { Some(f.text("signature")?.is_some_and(|s| !s.is_empty())) },
            private_key_stored: f.bool("private_key_stored")?,
            bundle_id: f.id("bundle_id")?,
            algorithm: f.text("signature_algorithm")?,
            key: f.text(if trial { "key_reference" } else { "signature_key_id" })?,
        })
    }
}

/// One provider's part of a connector delivery.
#[derive(Debug, Clone)]
pub struct ProviderResult {
    pub provider: Option<Text>,
    pub success: Option<bool>,
    pub status_code: Option<i64>,
    pub attempts: Option<i64>,
    pub error: Option<Text>,
}

/// A connector delivery result (B13), or the trial package's summary delivery / alert provider results.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub node: usize,
    pub id: Text,
    pub created: Option<DateTime<Utc>>,
    pub event_id: Option<Text>,
    pub summary_id: Option<Text>,
    pub outcome: DeliveryOutcome,
    pub providers: Vec<ProviderResult>,
}

impl Delivery {
    /// A runtime connector delivery (bare result or wrapper).
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<Delivery> {
        let f = Fields::of(ev, node)?;
        let mut providers = Vec::new();
        for (i, p) in f.list("deliveries")?.iter().enumerate() {
            let at = format!("/deliveries/{i}");
            providers.push(ProviderResult {
                provider: f.item_text(p, &at, "provider")?,
                success: f.item_bool(p, &at, "success")?,
                status_code: f.item_int(p, &at, "status_code")?,
                attempts: f.item_int(p, &at, "attempt_count")?,
                error: f.item_text(p, &at, "error")?,
            });
        }
        let success = match ev.nodes[node].delivery_success {
            Some(b) => Some(b),
            None => f.bool("success")?,
        };
        Ok(Delivery {
            node,
            id: f.node_id(),
            created: f.created(),
            event_id: f.id("event_id")?,
            summary_id: ev.wrapper_text(node, "summary_id")?.filter(|t| !t.is_empty()),
            outcome: DeliveryOutcome::from_success(success),
            providers,
        })
    }

    /// "webhook: HTTP request failed, HTTP 503, 3 attempts" for each provider that did not succeed.
    pub fn failure_text(&self) -> String {
        let mut parts = Vec::new();
        for p in self.providers.iter().filter(|p| p.success != Some(true)) {
            let mut s = p.provider.as_ref().map_or("provider".to_string(), |t| t.to_string());
            if let Some(e) = &p.error {
                s.push_str(&format!(": {e}"));
            }
            if let Some(code) = p.status_code {
                s.push_str(&format!(", HTTP {code}"));
            }
            if let Some(n) = p.attempts {
                s.push_str(&format!(", {n} attempt{}", if n == 1 { "" } else { "s" }));
            }
            parts.push(s);
        }
        if parts.is_empty()
            && let DeliveryOutcome::Unknown(why) = &self.outcome
        {
            return why.clone();
        }
        parts.join("; ")
    }
}

/// A retention review request (B14).
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    pub node: usize,
    pub id: Text,
}

/// A retention review decision (B15; trial `retention_review`, which merges request and decision).
#[derive(Debug, Clone)]
pub struct RetentionDecision {
    pub node: usize,
    pub id: Text,
    pub review_id: Option<Text>,
    pub state: DecisionState,
    pub decided_by: Option<Text>,
    pub external_ref: Option<Text>,
    pub retention_until: Option<Text>,
    pub legal_hold: Option<bool>,
}

impl RetentionDecision {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<RetentionDecision> {
        let f = Fields::of(ev, node)?;
        let trial = ev.is_trial();
        Ok(RetentionDecision {
            node,
            id: f.node_id(),
            review_id: f.id("review_id")?,
            state: DecisionState::from_text(f.text("decision_state")?.as_ref()),
            decided_by: f.text(if trial { "approved_by" } else { "decided_by" })?,
            external_ref: f.text("external_ref")?,
            retention_until: f.text("retention_until")?,
            legal_hold: f.bool("legal_hold")?,
        })
    }
}

/// The closeout artifact bundle (B16; trial `closeout_artifact_bundle`).
#[derive(Debug, Clone)]
pub struct ArtifactBundle {
    pub node: usize,
    pub id: Text,
    pub summary_id: Option<Text>,
    pub bundle_id: Option<Text>,
    pub manifest_id: Option<Text>,
    pub decision_state: DecisionState,
    pub decision_id: Option<Text>,
    pub retention_until: Option<Text>,
    pub file_count: usize,
    /// Trial package: `download_state`.
    pub download_state: Option<Text>,
}

impl ArtifactBundle {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<ArtifactBundle> {
        let f = Fields::of(ev, node)?;
        Ok(ArtifactBundle {
            node,
            id: f.node_id(),
            summary_id: f.id("summary_id")?,
            bundle_id: f.id("bundle_id")?,
            manifest_id: f.id("manifest_id")?,
            decision_state: DecisionState::from_text(f.text("retention_decision_state")?.as_ref()),
            decision_id: f.id("retention_decision_id")?,
            retention_until: f.text("retention_until")?,
            file_count: f.list("files")?.len(),
            download_state: if ev.is_trial() { f.text("download_state")? } else { None },
        })
    }
}

/// One `bundle_statuses[]` entry of a retention health report.
#[derive(Debug, Clone)]
pub struct BundleStatus {
    pub artifact_bundle_id: Option<Text>,
    pub status: Option<Text>,
}

/// One finding of a retention health report.
#[derive(Debug, Clone)]
pub struct HealthFinding {
    pub severity: Option<Text>,
    pub category: Option<Text>,
    pub artifact_bundle_id: Option<Text>,
}

/// The closeout retention health report (B17; trial `retention_health_report`).
#[derive(Debug, Clone)]
pub struct RetentionHealth {
    pub node: usize,
    pub id: Text,
    pub level: HealthLevel,
    /// Bundles the report checked: `artifact_bundle_count` (runtime), the sum of the summary's counts (trial).
    pub checked: Option<i64>,
    pub statuses: Vec<BundleStatus>,
    pub findings: Vec<HealthFinding>,
}

impl RetentionHealth {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<RetentionHealth> {
        let f = Fields::of(ev, node)?;
        let trial = ev.is_trial();
        let checked = if trial {
            f.value("summary").map(|s| {
                ["critical_findings", "warning_findings", "healthy_checks"]
                    .iter()
                    .filter_map(|k| s.get(k).and_then(EValue::as_i64))
                    .sum::<i64>()
            })
        } else {
            f.int("artifact_bundle_count")?
        };
        let mut statuses = Vec::new();
        for (i, s) in f.list("bundle_statuses")?.iter().enumerate() {
            let at = format!("/bundle_statuses/{i}");
            statuses.push(BundleStatus {
                artifact_bundle_id: f.item_text(s, &at, "artifact_bundle_id")?,
                status: f.item_text(s, &at, "status")?,
            });
        }
        let mut findings = Vec::new();
        for (i, x) in f.list("findings")?.iter().enumerate() {
            let at = format!("/findings/{i}");
            findings.push(HealthFinding {
                severity: f.item_text(x, &at, "severity")?,
                category: f.item_text(x, &at, "category")?,
                artifact_bundle_id: f.item_text(x, &at, "artifact_bundle_id")?,
            });
        }
        Ok(RetentionHealth {
            node,
            id: f.node_id(),
            level: HealthLevel::from_text(f.text(if trial { "health_state" } else { "alert_level" })?.as_ref()),
            checked,
            statuses,
            findings,
        })
    }
}

/// The retention health alert plan (B18).
#[derive(Debug, Clone)]
pub struct AlertPlan {
    pub node: usize,
    pub id: Text,
    pub health_id: Option<Text>,
    pub selected: Vec<Text>,
}

impl AlertPlan {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<AlertPlan> {
        let f = Fields::of(ev, node)?;
        Ok(AlertPlan { node, id: f.node_id(), health_id: f.id("health_id")?, selected: f.texts("selected_providers")? })
    }
}

/// The trial package's `retention_alert_delivery`: one result per provider.
#[derive(Debug, Clone)]
pub struct TrialAlert {
    pub node: usize,
    pub providers: Vec<TrialAlertProvider>,
}

#[derive(Debug, Clone)]
pub struct TrialAlertProvider {
    pub provider: Option<Text>,
    pub state: TrialDeliveryState,
    pub redacted: Option<bool>,
}

impl TrialAlert {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<TrialAlert> {
        let f = Fields::of(ev, node)?;
        let mut providers = Vec::new();
        for (i, p) in f.list("providers")?.iter().enumerate() {
            let at = format!("/providers/{i}");
            providers.push(TrialAlertProvider {
                provider: f.item_text(p, &at, "provider")?,
                state: TrialDeliveryState::from_text(f.item_text(p, &at, "delivery_state")?.as_ref()),
                redacted: f.item_bool(p, &at, "redacted")?,
            });
        }
        Ok(TrialAlert { node, providers })
    }
}

/// One retry decision of a retry plan (B19), or the trial plan's single decision.
#[derive(Debug, Clone)]
pub struct RetryDecision {
    pub delivery_id: Text,
    pub action: RetryAction,
    pub reason: Option<Text>,
    pub attempts: Option<i64>,
    /// Index in `retry_decisions[]` (for JSON pointers).
    pub index: usize,
}

/// A closeout delivery retry plan (B19; trial `closeout_retry_plan`).
#[derive(Debug, Clone)]
pub struct RetryPlan {
    pub node: usize,
    pub id: Text,
    pub created: Option<DateTime<Utc>>,
    pub decisions: Vec<RetryDecision>,
    pub max_attempts: Option<i64>,
    /// Trial package: `mode` (e.g. `dry_run_first`), `owner`, `target_resolution_date`.
    pub trial_mode: Option<Text>,
    pub owner: Option<Text>,
    pub target_date: Option<Text>,
}

impl RetryPlan {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<RetryPlan> {
        let f = Fields::of(ev, node)?;
        let mut decisions = Vec::new();
        if ev.is_trial() {
            if let Some(source) = f.id("source_delivery_id")? {
                decisions.push(RetryDecision {
                    delivery_id: source,
                    action: RetryAction::from_text(f.text("decision")?.as_ref()),
                    reason: None,
                    attempts: None,
                    index: 0,
                });
            }
        } else {
            for (i, d) in f.list("retry_decisions")?.iter().enumerate() {
                let at = format!("/retry_decisions/{i}");
                let Some(delivery_id) = f.item_text(d, &at, "delivery_id")?.filter(|t| !t.is_empty()) else {
                    continue;
                };
                decisions.push(RetryDecision {
                    delivery_id,
                    action: RetryAction::from_text(f.item_text(d, &at, "action")?.as_ref()),
                    reason: f.item_text(d, &at, "reason")?,
                    attempts: f.item_int(d, &at, "attempts")?,
                    index: i,
                });
            }
        }
        Ok(RetryPlan {
            node,
            id: f.node_id(),
            created: f.created(),
            decisions,
            max_attempts: f.int("max_retry_attempts")?,
            trial_mode: f.text("mode")?,
            owner: f.text("owner")?,
            target_date: f.text("target_resolution_date")?,
        })
    }

    pub fn decision_for(&self, delivery: &Text) -> Option<&RetryDecision> {
        self.decisions.iter().find(|d| &d.delivery_id == delivery)
    }
}

/// A retry worker run (B20; trial `retry_worker_run`).
#[derive(Debug, Clone)]
pub struct WorkerRun {
    pub node: usize,
    pub id: Text,
    pub created: Option<DateTime<Utc>>,
    pub mode: WorkerMode,
    /// Delivery ids it selected (`selected_retries[].delivery_id`; trial `would_retry_delivery_ids`).
    pub selected: Vec<Text>,
    /// The plan it ran (`retry_plan.retry_plan_id`).
    pub plan_id: Option<Text>,
    /// Trial package: `live_connector_used`, `state`.
    pub live_connector_used: Option<bool>,
    pub state: Option<Text>,
}

impl WorkerRun {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<WorkerRun> {
        let f = Fields::of(ev, node)?;
        if ev.is_trial() {
            return Ok(WorkerRun {
                node,
                id: f.node_id(),
                created: f.created(),
                mode: WorkerMode::from_trial(f.text("mode")?.as_ref()),
                selected: f.texts("would_retry_delivery_ids")?,
                plan_id: None,
                live_connector_used: f.bool("live_connector_used")?,
                state: f.text("state")?,
            });
        }
        let mut selected = Vec::new();
        for (i, s) in f.list("selected_retries")?.iter().enumerate() {
            if let Some(d) = f.item_text(s, &format!("/selected_retries/{i}"), "delivery_id")? {
                selected.push(d);
            }
        }
        let plan_id = match f.value("retry_plan") {
            Some(p) => f.item_text(p, "/retry_plan", "retry_plan_id")?,
            None => None,
        };
        Ok(WorkerRun {
            node,
            id: f.node_id(),
            created: f.created(),
            mode: WorkerMode::from_dry_run(f.bool("dry_run")?),
            selected,
            plan_id,
            live_connector_used: None,
            state: None,
        })
    }
}

/// A retry execution record (B21).
#[derive(Debug, Clone)]
pub struct ExecutionRecord {
    pub node: usize,
    pub id: Text,
    pub created: Option<DateTime<Utc>>,
    pub run_id: Option<Text>,
    pub delivery_id: Option<Text>,
    pub status: ExecStatus,
    pub skip_reason: Option<Text>,
    pub new_delivery_id: Option<Text>,
}

impl ExecutionRecord {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<ExecutionRecord> {
        let f = Fields::of(ev, node)?;
        Ok(ExecutionRecord {
            node,
            id: f.node_id(),
            created: f.created(),
            run_id: f.id("run_id")?,
            delivery_id: f.id("delivery_id")?,
            status: ExecStatus::from_text(f.text("execution_status")?.as_ref()),
            skip_reason: f.text("skip_reason")?,
            new_delivery_id: f.id("new_delivery_id")?,
        })
    }

    /// A dry-run record: `skipped` because of a dry run.
    pub fn is_dry_run(&self) -> bool {
        self.status == ExecStatus::Skipped && self.skip_reason.as_ref().is_some_and(|r| r.matches("dry_run"))
    }
}

/// The trial package's `release_decision`: the decision the evidence records itself.
#[derive(Debug, Clone)]
pub struct EvidenceDecision {
    pub node: usize,
    pub state: Option<Text>,
}

impl EvidenceDecision {
    pub(crate) fn read(ev: &Evidence, node: usize) -> R<EvidenceDecision> {
        let f = Fields::of(ev, node)?;
        Ok(EvidenceDecision { node, state: f.text("state")? })
    }
}
