//! The ten release criteria, judged on the typed chain of one release (rule book §6).
//!
//! Rules follow CAVRA's release-criteria document, operator guide and code (reference §3); where CAVRA has no
//! code (the verdict itself) the pass / warn / fail mapping is ours, and each reason says what it saw.

use super::retry;
use super::{Ctx, Outcome, Status};
use crate::evidence::{HashStatus, Kind, LoadError, RedactedBy, SecretKind};
use crate::model::*;
use crate::text::Text;
use crate::time::fmt_instant;

type R = Result<Outcome, LoadError>;

const API: &str = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";

fn list(items: &[Text]) -> String {
    items.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}

/// "release REL-…" for reasons that name the evaluated release.
fn release(cx: &Ctx) -> String {
    match &cx.chain.release {
        Some(r) => format!("release {r}"),
        None => "the release (no release_record_ref)".into(),
    }
}

// ---------------------------------------------------------------------------------------------- final readiness

/// Upstream kinds a readiness bundle's evidence index must cover.
const INDEXED_UPSTREAM: &[Kind] = &[
    Kind::ReadinessSummary,
    Kind::ReadinessApproval,
    Kind::ReleaseRecordAttachment,
    Kind::ClosurePacketVerification,
    Kind::AuditorExport,
    Kind::ImmutableArchiveReference,
    Kind::ArchiveReferenceHealth,
];

pub(super) fn final_readiness(cx: &Ctx) -> R {
    let b = match &cx.chain.bundle {
        Member::Present(b) => b,
        Member::Named(id) => {
            let s = cx.chain.summary.as_ref().expect("a named member comes from the summary");
            return Ok(Outcome::fail(
                format!("closeout summary {} names readiness bundle {id}, which the evidence does not include", s.id),
                "Add the readiness bundle the summary names to the evidence, or rebuild the closeout summary.",
            )
            .cite(s.node, "/bundle_id", "names the readiness bundle"));
        }
        Member::Absent => {
            return Ok(Outcome::fail(
                format!("no final readiness bundle for {}", release(cx)),
                format!("Build the final readiness bundle (POST {API}/final-reporting-readiness-bundle)."),
            ));
        }
    };
    let id = &b.id;
    let state_ptr = if cx.trial() { "/state" } else { "/closeout_state" };
    if b.state != BundleState::ReadyForCloseout || !b.blockers.is_empty() {
        let why = if b.blockers.is_empty() { String::new() } else { format!(" with blockers: {}", list(&b.blockers)) };
        return Ok(Outcome::fail(
            format!("readiness bundle {id} is {}{why}", b.state),
            "Resolve the bundle's blockers upstream (approval, release record, closure packet, auditor export, archive reference and its health), then rebuild the bundle.",
        )
        .cite(b.node, state_ptr, "the bundle's state"));
    }
    if cx.trial() {
        let o = if b.trial_refs.is_empty() {
            Outcome::warn(
                format!("readiness bundle {id} is ready but lists no evidence_refs"),
                "Rebuild the bundle so it references the readiness, approval, packet, auditor and archive evidence.",
            )
        } else {
            Outcome::pass(format!(
                "readiness bundle {id} is ready and references {} upstream evidence items (not included in the package)",
                b.trial_refs.len()
            ))
        };
        return Ok(o.cite(b.node, "/evidence_refs", "the upstream evidence it references"));
    }
    let indexed: Vec<&Kind> = b.index.iter().map(|e| &e.kind).collect();
    // The upstream evidence it indexes that this input carries.
    let carried: Vec<usize> = b
        .index
        .iter()
        .filter_map(|e| e.session_id.as_ref())
        .flat_map(|sid| sid.with_raw(|s| cx.ev.find(s).to_vec()))
        .collect();
    let missing: Vec<&str> = INDEXED_UPSTREAM.iter().filter(|k| !indexed.contains(k)).map(|k| k.name()).collect();
    let o = if missing.is_empty() {
        Outcome::pass(format!(
            "readiness bundle {id} is ready_for_closeout with no blockers; its index covers {} upstream items",
            b.index.len()
        ))
    } else {
        Outcome::warn(
            format!("readiness bundle {id} is ready but its evidence index lacks: {}", missing.join(", ")),
            "Rebuild the readiness bundle after recording the missing upstream evidence.",
        )
    };
    Ok(o.cite(b.node, "/evidence_index", "the upstream evidence it indexes")
        .cite_all(carried, "indexed upstream evidence"))
}

// ---------------------------------------------------------------------------------------------- manifest

pub(super) fn signed_archive_manifest(cx: &Ctx) -> R {
    let m = match &cx.chain.manifest {
        Member::Present(m) => m,
        Member::Named(id) => {
            let s = cx.chain.summary.as_ref().expect("a named member comes from the summary");
            return Ok(Outcome::fail(
                format!("closeout summary {} names archive manifest {id}, which the evidence does not include", s.id),
                "Add the signed archive manifest the summary names to the evidence, or rebuild the closeout summary.",
            )
            .cite(s.node, "/manifest_id", "names the manifest"));
        }
        Member::Absent => {
            return Ok(Outcome::fail(
                format!("no signed archive manifest for {}", release(cx)),
                format!(
                    "Create the manifest with external signature metadata (POST {API}/final-reporting-signed-archive-manifest)."
                ),
            ));
        }
    };
    let id = &m.id;
    if m.private_key_stored == Some(true) {
        return Ok(Outcome::fail(
            format!("manifest {id} says private_key_stored: true; Community must never hold signing keys"),
            "Move the signing key to an external KMS or private signing service and record only its key reference.",
        )
        .cite(m.node, "/private_key_stored", "claims a stored private key"));
    }
    let key_material: Vec<&crate::evidence::Redaction> =
        cx.ev.redactions.iter().filter(|r| r.kind == SecretKind::PrivateKey && r.by == RedactedBy::Closeout).collect();
    if !key_material.is_empty() {
        let places: Vec<String> = key_material.iter().map(|r| r.location.clone()).collect();
        return Ok(Outcome::fail(
            format!("private key material is present in the evidence ({})", places.join("; ")),
            "Remove the key from the evidence, rotate it, and sign through an external KMS.",
        )
        .cite_all(key_material.iter().filter_map(|r| r.node), "holds private key material")
        .cite(m.node, "", "the manifest"));
    }
    if m.state != SignatureState::Attached {
        return Ok(Outcome::fail(
            format!("manifest {id} is {}: no external signature is attached", m.state),
            format!("Attach the signature from your external KMS or private signing service (POST {API}/final-reporting-signed-archive-manifest with `signature`)."),
        )
        .cite(m.node, "/signature_state", "signature state"));
    }
    if m.signature_present == Some(false) {
        return Ok(Outcome::fail(
            format!("manifest {id} claims external_signature_attached but records no signature"),
            "Re-create the manifest with the external signature value.",
        )
        .cite(m.node, "/signature", "empty signature"));
    }
    if !cx.trial()
        && let (Some(signed), Some(b)) = (&m.bundle_id, cx.chain.bundle.get())
        && signed != &b.id
    {
        return Ok(Outcome::fail(
            format!("manifest {id} signs readiness bundle {signed}, but the closeout names readiness bundle {}", b.id),
            "Re-sign the manifest over the readiness bundle the closeout summary names, then rebuild the summary.",
        )
        .cite(m.node, "/bundle_id", "the bundle it signs")
        .cite(b.node, "", "the chain's readiness bundle"));
    }
    let algorithm = m.algorithm.as_ref().map_or("unspecified algorithm".to_string(), |a| a.to_string());
    let key = m.key.as_ref().map_or("unnamed".to_string(), |k| k.to_string());
    Ok(Outcome::pass(format!(
        "manifest {id}: external signature attached ({algorithm}, key {key}); closeout does not verify it, the external signer owns that"
    ))
    .cite(m.node, "/signature_state", "signature state"))
}

// ---------------------------------------------------------------------------------------------- closeout

pub(super) fn release_closeout(cx: &Ctx) -> R {
    let Some(s) = &cx.chain.summary else {
        return Ok(Outcome::fail(
            format!("no release closeout summary for {}", release(cx)),
            format!("Generate the closeout summary (GET {API}/final-reporting-release-closeout-summary)."),
        ));
    };
    let id = &s.id;
    let count = s.blocker_count.unwrap_or(s.blockers.len() as i64);
    let o = if s.state == SummaryState::Closed && count == 0 && s.blockers.is_empty() {
        Outcome::pass(format!("closeout summary {id} is closed with 0 blockers"))
    } else if s.blockers.is_empty() {
        Outcome::fail(
            format!("closeout summary {id} is {} ({count} blockers)", s.state),
            "Resolve the closeout blockers and regenerate the summary.",
        )
    } else {
        Outcome::fail(
            format!("closeout summary {id} is {} with blockers: {}", s.state, list(&s.blockers)),
            "Resolve each blocker (for a missing signature: attach the external signature to the manifest), then regenerate the summary.",
        )
    };
    Ok(o.cite(s.node, "/closeout_state", "closeout state"))
}

// ---------------------------------------------------------------------------------------------- delivery

/// The open retry case: the release's newest failed attempt, not closed by a later success.
fn open_case<'a>(cx: &Ctx<'a>) -> Option<&'a RetryCase> {
    cx.chain.retry.iter().find(|c| retry::closed(c).is_none())
}

pub(super) fn closeout_delivery(cx: &Ctx) -> R {
    let chain = cx.chain;
    if chain.deliveries.is_empty() {
        let text = match (chain.delivery_event, cx.trial()) {
            (_, true) => "the closeout summary records no delivery_state".to_string(),
            (Some(_), _) => {
                format!("a closeout delivery event of {} exists but no connector delivery result", release(cx))
            }
            (None, _) => format!("no closeout delivery of {} is recorded", release(cx)),
        };
        return Ok(Outcome::fail(
            text,
            format!("Deliver the closeout summary through a non-production connector (POST {API}/final-reporting-release-closeout-summary/deliver)."),
        )
        .cite_all(chain.delivery_event.into_iter().chain(chain.summary.as_ref().map(|s| s.node)), "the closeout"));
    }
    let last = chain.last_delivery.as_ref().expect("a release with deliveries has a newest one");
    let Some(case) = open_case(cx) else {
        if let DeliveryOutcome::Unknown(why) = &last.outcome {
            return Ok(Outcome::fail(
                format!("closeout delivery {} has no recorded outcome ({why})", last.id),
                "Record the delivery result (delivery_success) or redeliver.",
            )
            .cite(last.node, "", "the delivery"));
        }
        let mut o = Outcome::pass(format!("closeout delivery {} succeeded", last.id)).cite(last.node, "", "delivered");
        for c in &chain.retry {
            if let Some(closed) = retry::closed(c) {
                o = o.detail(closed.text).cite_all(c.nodes(), "an earlier failure, since delivered");
            }
        }
        return Ok(o);
    };
    let d = &case.delivery;
    let what = if cx.trial() {
        format!(
            "closeout delivery is {}",
            chain.summary.as_ref().and_then(|s| s.trial_delivery.as_ref()).map_or("failed".into(), |s| s.to_string())
        )
    } else {
        format!("closeout delivery {} failed ({})", d.id, d.failure_text())
    };
    let decision = retry::decision_check(case);
    let nodes = case.nodes();
    if decision.status == Status::Fail {
        return Ok(Outcome::fail(
            format!("{what}; no retry plan holds a decision for it"),
            format!("Create a retry plan (POST {API}/final-reporting-release-closeout-summary/delivery-retry-plan) and a dry-run worker run."),
        )
        .cite(d.node, "", "the failed delivery")
        .cite_all(nodes, "retry evidence"));
    }
    let needs_worker = case.decision.as_ref().is_some_and(|x| x.action == RetryAction::Retry);
    if needs_worker && case.runs.is_empty() {
        return Ok(Outcome::fail(
            format!(
                "{what}; a retry plan decided retry but no worker run {}",
                if case.any_worker_run { "selected it" } else { "exists" }
            ),
            "Run the retry worker as a dry run and review its selection.",
        )
        .cite(d.node, "", "the failed delivery")
        .cite_all(nodes, "retry evidence"));
    }
    Ok(Outcome::warn(
        format!("{what}; retry plan and worker evidence exist: {}", retry::judge(case).text),
        "Redeliver through an approved connector, or record an owner acceptance of the pending retry.",
    )
    .cite(d.node, "", "the failed delivery")
    .cite_all(nodes, "retry evidence"))
}

// ---------------------------------------------------------------------------------------------- retention

pub(super) fn retention_approval(cx: &Ctx) -> R {
    let Some(d) = &cx.chain.decision else {
        return Ok(match cx.chain.requests.last() {
            Some(&r) => Outcome::fail(
                format!("retention review {} was requested but never decided", cx.ev.nodes[r].id),
                format!("Decide the retention review (POST {API}/final-reporting-closeout-retention-review/{{review_id}}/decisions)."),
            )
            .cite(r, "", "the undecided request"),
            None => Outcome::fail(
                format!("no retention review for {}", release(cx)),
                format!("Request a retention review (POST {API}/final-reporting-closeout-retention-review) and record the decision."),
            ),
        });
    };
    let id = &d.id;
    let o = if d.state == DecisionState::Approved {
        let by = d.decided_by.as_ref().map_or("unknown".to_string(), |b| b.to_string());
        let ext = d.external_ref.as_ref().filter(|e| !e.is_empty()).map(|e| format!(", {e}")).unwrap_or_default();
        let until = d.retention_until.as_ref().map_or("no date".to_string(), |u| u.to_string());
        let hold = d.legal_hold.map_or("not recorded".to_string(), |h| h.to_string());
        Outcome::pass(format!("retention review {id} approved by {by}{ext}; retained until {until}, legal hold {hold}"))
    } else {
        Outcome::fail(
            format!("retention review {id} is {}, not approved", d.state),
            "Have the retention owner approve the review (or record an external exception), then rebuild the artifact bundle.",
        )
    };
    Ok(o.cite(d.node, "/decision_state", "decision state"))
}

pub(super) fn artifact_bundle(cx: &Ctx) -> R {
    let Some(b) = &cx.chain.artifact_bundle else {
        return Ok(Outcome::fail(
            format!("no closeout artifact bundle for {}", release(cx)),
            format!(
                "Build the artifact bundle after retention is approved (POST {API}/final-reporting-closeout-artifact-bundle)."
            ),
        ));
    };
    let id = &b.id;
    let hashes = cx.ev.hash_checks(b.node);
    let count = |s: HashStatus| hashes.iter().filter(|h| h.status == s).count();
    let files = |s: HashStatus| hashes.iter().filter(|h| h.status == s).map(|h| h.file.clone()).collect::<Vec<_>>();
    let mut o = if b.decision_state != DecisionState::Approved {
        Outcome::fail(
            format!("artifact bundle {id} has retention_decision_state {}, not approved", b.decision_state),
            "Approve the retention review, then rebuild the artifact bundle so it carries the approved decision.",
        )
        .cite(b.node, "/retention_decision_state", "retention decision state")
    } else if cx.trial() && !b.download_state.as_ref().is_some_and(|s| s.matches("available")) {
        Outcome::fail(
            format!(
                "artifact bundle {id} is not available for download ({})",
                b.download_state.as_ref().map_or("missing".to_string(), |s| s.to_string())
            ),
            "Rebuild the artifact bundle.",
        )
        .cite(b.node, "/download_state", "download state")
    } else if hashes.is_empty() {
        Outcome::fail(
            format!("artifact bundle {id} lists no files"),
            "Rebuild the artifact bundle with the summary, readiness bundle and manifest files.",
        )
        .cite(b.node, "/files", "no files")
    } else if count(HashStatus::Mismatch) > 0 {
        Outcome::fail(
            format!(
                "artifact bundle {id}: hash mismatch for {} (content changed after hashing)",
                files(HashStatus::Mismatch).join(", ")
            ),
            "Treat the bundle as tampered: rebuild it from the source evidence and find out who changed it.",
        )
        .cite(b.node, "/files", "file hashes")
    } else if count(HashStatus::Missing) > 0 {
        Outcome::fail(
            format!("artifact bundle {id}: no sha256 for {}", files(HashStatus::Missing).join(", ")),
            "Rebuild the artifact bundle so every file carries its hash.",
        )
        .cite(b.node, "/files", "file hashes")
    } else if !cx.trial() && count(HashStatus::NotVerifiable) > 0 {
        Outcome::fail(
            format!(
                "artifact bundle {id}: {} of {} file hashes cannot be checked ({}: no embedded content and no file beside the evidence)",
                count(HashStatus::NotVerifiable),
                hashes.len(),
                files(HashStatus::NotVerifiable).join(", ")
            ),
            "Load the artifact bundle with its embedded file content (or the files beside it) so every hash can be verified.",
        )
        .cite(b.node, "/files", "unverifiable hashes")
    } else if let Some(problem) = chain_mismatch(cx, b) {
        problem
    } else {
        let mut reason = format!(
            "artifact bundle {id}: retention approved, {} files, {} hashes verified",
            hashes.len(),
            count(HashStatus::Verified)
        );
        if count(HashStatus::NotVerifiable) > 0 {
            reason.push_str(&format!(
                ", {} not verifiable (the trial package carries no content)",
                count(HashStatus::NotVerifiable)
            ));
        }
        Outcome::pass(reason).cite(b.node, "/files", "file hashes")
    };
    for h in hashes {
        o = o.detail(format!("{}: {} ({})", h.file, h.status.label(), h.note));
    }
    Ok(o)
}

/// The artifact bundle packages a readiness bundle or manifest other than the ones the closeout names.
fn chain_mismatch(cx: &Ctx, b: &ArtifactBundle) -> Option<Outcome> {
    if cx.trial() {
        return None;
    }
    let pairs = [
        ("readiness bundle", "/bundle_id", &b.bundle_id, cx.chain.bundle.get().map(|x| (&x.id, x.node))),
        ("archive manifest", "/manifest_id", &b.manifest_id, cx.chain.manifest.get().map(|x| (&x.id, x.node))),
    ];
    for (what, ptr, packaged, chain) in pairs {
        if let (Some(p), Some((c, node))) = (packaged, chain)
            && p != c
        {
            return Some(
                Outcome::fail(
                    format!("artifact bundle {} packages {what} {p}, but the closeout names {what} {c}", b.id),
                    "Rebuild the artifact bundle from the closeout's current readiness bundle and manifest.",
                )
                .cite(b.node, ptr, "what it packages")
                .cite(node, "", "what the closeout names"),
            );
        }
    }
    None
}

/// CAVRA's retention rule (reference §3.1), applied at the evaluation time to one bundle.
fn retention_status(cx: &Ctx, b: &ArtifactBundle, decision: Option<&RetentionDecision>) -> (Status, String) {
    let state = match decision {
        Some(d) if !b.decision_state.is_known() => &d.state,
        _ => &b.decision_state,
    };
    if *state != DecisionState::Approved {
        return (Status::Fail, format!("retention approval is missing for artifact bundle {} ({state})", b.id));
    }
    let until = b.retention_until.clone().or_else(|| decision.and_then(|d| d.retention_until.clone()));
    let Some(until) = until.filter(|u| !u.is_empty()) else {
        return (Status::Warn, format!("artifact bundle {} records no retention_until", b.id));
    };
    let Some(end) = until.instant() else {
        return (Status::Warn, format!("retention_until {until:?} is not a date (CAVRA: retention_expiry_missing)"));
    };
    let window = cx.policy.expiry_warning_days;
    if end <= cx.as_of {
        (Status::Fail, format!("retention expired on {until} (as of {})", fmt_instant(cx.as_of)))
    } else if end <= cx.as_of + chrono::Duration::days(window) {
        (Status::Warn, format!("retention ends {until}, within {window} days of {}", fmt_instant(cx.as_of)))
    } else {
        (Status::Pass, format!("retention runs until {until}"))
    }
}

pub(super) fn retention_health(cx: &Ctx) -> R {
    let chain = cx.chain;
    let Some(h) = &chain.health else {
        return Ok(Outcome::fail(
            "retention health was never checked",
            format!("Run the retention health check (GET {API}/final-reporting-closeout-retention-health)."),
        ));
    };
    let id = &h.id;
    let level_ptr = if cx.trial() { "/health_state" } else { "/alert_level" };
    let mut parts: Vec<(Status, String)> = Vec::new();
    let mut o = Outcome::pass("").cite(h.node, level_ptr, "CAVRA's health level");
    let open_failure = open_case(cx).is_some();
    let bundle = chain.artifact_bundle.as_ref();
    // CAVRA's own report: its level, what it checked, and which findings apply to this release.
    match &h.level {
        HealthLevel::Healthy if h.checked == Some(0) => parts.push((
            Status::Fail,
            format!("health report {id} says healthy but checked zero artifact bundles, so it shows nothing"),
        )),
        HealthLevel::Healthy => parts.push((Status::Pass, format!("health report {id} is healthy"))),
        HealthLevel::Warning | HealthLevel::Critical => {
            let mut applies = Vec::new();
            let mut stale = Vec::new();
            for f in &h.findings {
                let cat = f.category.as_ref().map_or("finding".to_string(), |c| c.to_string());
                let critical = f.severity.as_ref().is_some_and(|s| s.matches("critical"));
                let about_delivery = f
                    .category
                    .as_ref()
                    .is_some_and(|c| c.one_of(&["failed_closeout_delivery", "delivery_retry_required"]));
                let about_other_bundle = match (&f.artifact_bundle_id, bundle) {
                    (Some(fb), Some(b)) => fb != &b.id,
                    (Some(_), None) => true,
                    _ => false,
                };
                if about_delivery && !open_failure {
                    stale.push(format!("{cat} (no open failed delivery of this release: CAVRA's stale state)"));
                } else if about_other_bundle {
                    stale.push(format!("{cat} (about another artifact bundle)"));
                } else {
                    applies.push((if critical { Status::Fail } else { Status::Warn }, cat));
                }
            }
            if applies.is_empty() && h.findings.is_empty() {
                let st = if h.level == HealthLevel::Critical { Status::Fail } else { Status::Warn };
                parts.push((st, format!("health report {id} is {} with no findings", h.level)));
            }
            for (st, cat) in applies {
                parts.push((st, format!("health report {id} is {}: {cat}", h.level)));
            }
            for s in stale {
                o = o.detail(format!("not held against this release: {s}"));
            }
            if parts.is_empty() {
                parts.push((
                    Status::Pass,
                    format!("health report {id} is {}, but none of its findings applies to this release", h.level),
                ));
            }
        }
        other => parts.push((Status::Fail, format!("health report {id} has {other} alert level"))),
    }
    // CAVRA's retention rule at the evaluation time, on the release's artifact bundle.
    // The node holding the retention date is cited only when the date is the problem.
    let date_node = |b: &ArtifactBundle| match (&b.retention_until, &chain.decision) {
        (None, Some(d)) if d.retention_until.is_some() => d.node,
        _ => b.node,
    };
    match bundle {
        Some(b) => {
            let (st, text) = retention_status(cx, b, chain.decision.as_ref());
            if st != Status::Pass {
                o = o.cite(date_node(b), "/retention_until", "retention date");
            }
            parts.push((st, text));
            if !cx.trial() && !h.statuses.iter().any(|s| s.artifact_bundle_id.as_ref() == Some(&b.id)) {
                parts.push((
                    Status::Warn,
                    format!("health report {id} did not check artifact bundle {} (it predates it)", b.id),
                ));
            }
        }
        None if cx.trial() => {
            if let Some(d) = &chain.decision
                && let Some(u) = &d.retention_until
            {
                let pseudo = ArtifactBundle {
                    node: d.node,
                    id: d.id.clone(),
                    summary_id: None,
                    bundle_id: None,
                    manifest_id: None,
                    decision_state: d.state.clone(),
                    decision_id: None,
                    retention_until: Some(u.clone()),
                    file_count: 0,
                    download_state: None,
                };
                let (st, text) = retention_status(cx, &pseudo, Some(d));
                if st != Status::Pass {
                    o = o.cite(d.node, "/retention_until", "retention date");
                }
                parts.push((st, text));
            }
        }
        None => {
            parts.push((Status::Fail, format!("no artifact bundle of {} for retention health to check", release(cx))))
        }
    }
    let status = parts.iter().map(|p| p.0).max().unwrap_or(Status::Fail);
    let reason = parts.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join("; ");
    let next = match status {
        Status::Pass => "Nothing to do.".to_string(),
        Status::Warn => "Have the risk owner review each warning finding and record an acceptance with a target date, or fix the cause and re-run health.".to_string(),
        Status::Fail => "Fix the critical findings (approve or extend retention, build the artifact bundle) and re-run retention health; a critical finding blocks unless an authorized owner records an external exception.".to_string(),
    };
    o.status = status;
    o.reason = reason;
    o.next_step = next;
    for f in &h.findings {
        if let Some(c) = &f.category {
            o = o.detail(format!("CAVRA finding: {c}"));
        }
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------- retry

pub(super) fn retry_workflow(cx: &Ctx) -> R {
    let chain = cx.chain;
    // A process violation on any failure (even one delivered since) fails the workflow.
    if let Some((case, v)) = chain.retry.iter().find_map(|c| retry::violation(c).map(|v| (c, v))) {
        return Ok(Outcome::fail(
            v.text,
            "Run the retry worker as a dry run before any live redelivery, and keep its execution records.",
        )
        .cite(case.delivery.node, "", "the failed delivery")
        .cite_all(case.nodes(), "retry evidence"));
    }
    let Some(case) = open_case(cx) else {
        let mut o = Outcome::pass(if chain.retry.is_empty() {
            "no failed closeout delivery needs a retry".to_string()
        } else {
            "every failed closeout delivery was delivered since".to_string()
        });
        for c in &chain.retry {
            if let Some(closed) = retry::closed(c) {
                o = o.detail(closed.text).cite_all(c.nodes(), "retry evidence");
            }
        }
        return Ok(o);
    };
    let judged = retry::judge(case);
    let next = match judged.status {
        Status::Fail => {
            "Give every failed delivery a retry decision and dry-run worker evidence before any live redelivery."
        }
        _ => {
            "Review the retry plan, then redeliver through an approved connector or record an owner acceptance with a target resolution date."
        }
    };
    let mut reason = judged.text.clone();
    if cx.trial()
        && let Some(plan) = &case.plan
    {
        if let Some(owner) = &plan.owner {
            reason.push_str(&format!("; owner {owner}"));
        }
        if let Some(t) = &plan.target_date {
            match t.instant() {
                Some(end) if end <= cx.as_of => reason.push_str(&format!("; target resolution date {t} has passed")),
                _ => reason.push_str(&format!("; target resolution {t}")),
            }
        }
    }
    Ok(Outcome::new(judged.status, reason, next)
        .cite(case.delivery.node, "", "the failed delivery")
        .cite_all(case.nodes(), "retry evidence"))
}

// ---------------------------------------------------------------------------------------------- alerts

pub(super) fn retention_alerts(cx: &Ctx) -> R {
    let chain = cx.chain;
    let Some(h) = &chain.health else {
        return Ok(Outcome::fail("no retention health report to alert on", "Run retention health first."));
    };
    let level = &h.level;
    if cx.trial() {
        let Some(a) = &chain.trial_alert else {
            return Ok(if *level == HealthLevel::Healthy {
                Outcome::pass("retention health is healthy; no alert is required").cite(h.node, "", "health")
            } else {
                Outcome::fail(
                    format!("retention health is {level} but no alert delivery is recorded"),
                    "Send the retention alert through a non-production connector.",
                )
                .cite(h.node, "", "health")
            });
        };
        let names: Vec<String> =
            a.providers.iter().map(|p| p.provider.as_ref().map_or("?".into(), |t| t.to_string())).collect();
        let failed: Vec<String> = a
            .providers
            .iter()
            .filter(|p| p.state != TrialDeliveryState::Delivered)
            .map(|p| format!("{} ({})", p.provider.as_ref().map_or("?".into(), |t| t.to_string()), p.state))
            .collect();
        let o = if a.providers.is_empty() && *level != HealthLevel::Healthy {
            Outcome::fail("the alert delivery lists no provider", "Route the alert to at least one provider.")
        } else if !failed.is_empty() {
            Outcome::warn(
                format!("alert delivery to {} did not deliver", failed.join(", ")),
                "Retry the alert delivery through the connector.",
            )
        } else {
            Outcome::pass(format!("retention health is {level}; alert delivered to {} (redacted)", names.join(", ")))
        };
        return Ok(o.cite(h.node, "", "health").cite(a.node, "/providers", "alert providers"));
    }
    if *level == HealthLevel::Healthy {
        return Ok(Outcome::pass("retention health is healthy; no alert is required").cite(h.node, "", "health"));
    }
    let Some(plan) = &chain.alert_plan else {
        if let Some(old) = &chain.stale_alert_plan {
            return Ok(Outcome::warn(
                format!("the newest alert plan {} is for an older health report, not {}", old.id, h.id),
                "Re-send the alert for the latest health report.",
            )
            .cite(h.node, "", "health")
            .cite(old.node, "/health_id", "the report it alerted on"));
        }
        return Ok(Outcome::fail(
            format!("retention health is {level} but no alert plan exists"),
            format!(
                "Send the retention health alert (POST {API}/final-reporting-closeout-retention-health-alerts/deliver)."
            ),
        )
        .cite(h.node, "", "health"));
    };
    if plan.selected.is_empty() {
        return Ok(Outcome::fail(
            format!("alert plan {} selected no provider for a {level} health report", plan.id),
            "Re-run the alert with a provider (or force) so the alert is routed.",
        )
        .cite(h.node, "", "health")
        .cite(plan.node, "/selected_providers", "no provider selected"));
    }
    let o = match &chain.alert_delivery {
        None => Outcome::fail(
            format!("alert plan {} selected {} but no delivery result is recorded", plan.id, list(&plan.selected)),
            "Deliver the alert and keep the redacted delivery result.",
        )
        .cite(plan.node, "", "alert plan"),
        Some(d) if !d.outcome.delivered() => Outcome::warn(
            format!("alert to {} failed: {}", list(&plan.selected), d.failure_text()),
            "Retry the alert delivery through the connector, or accept the risk with an owner.",
        )
        .cite(plan.node, "", "alert plan")
        .cite(d.node, "", "alert delivery"),
        Some(d) => Outcome::pass(format!(
            "alert plan {} routed the {level} health report to {}; delivered",
            plan.id,
            list(&plan.selected)
        ))
        .cite(plan.node, "", "alert plan")
        .cite(d.node, "", "alert delivery"),
    };
    Ok(o.cite(h.node, "", "health"))
}

// ---------------------------------------------------------------------------------------------- boundary

pub(super) fn community_boundary(cx: &Ctx) -> R {
    let exposed: Vec<&crate::evidence::Redaction> = cx.ev.exposed_secrets().collect();
    let mut problems: Vec<String> = Vec::new();
    let mut o = Outcome::pass("");
    if !exposed.is_empty() {
        let mut kinds: Vec<&str> = exposed.iter().map(|r| r.kind.label()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        problems.push(format!("{} secret value(s) in the clear ({})", exposed.len(), kinds.join(", ")));
        o = o.cite_all(exposed.iter().filter_map(|r| r.node), "holds a secret in the clear");
    }
    if let Some(m) = cx.chain.manifest.get()
        && m.private_key_stored == Some(true)
    {
        problems.push("the manifest says a private key is stored".into());
        o = o.cite(m.node, "/private_key_stored", "claims a stored private key");
    }
    if cx.trial() {
        if let Some(a) = &cx.chain.trial_alert {
            let unredacted: Vec<String> = a
                .providers
                .iter()
                .filter(|p| p.redacted == Some(false))
                .map(|p| p.provider.as_ref().map_or("?".into(), |t| t.to_string()))
                .collect();
            if !unredacted.is_empty() {
                problems.push(format!("alert delivery to {} is marked redacted: false", unredacted.join(", ")));
                o = o.cite(a.node, "/providers", "unredacted alert delivery");
            }
        }
        for case in &cx.chain.retry {
            for w in case.runs.iter().filter(|w| w.live_connector_used == Some(true)) {
                problems.push("the retry worker used a live connector from Community evidence".into());
                o = o.cite(w.node, "/live_connector_used", "used a live connector");
            }
        }
    }
    o.status = if problems.is_empty() { Status::Pass } else { Status::Fail };
    if problems.is_empty() {
        // No secret in the clear: every redaction found is one of CAVRA's markers.
        let cavra = cx.ev.redactions.len();
        o.reason =
            format!("no secret in the clear; {cavra} value(s) carry CAVRA's REDACTED markers; no private key material");
        o.next_step = "Nothing to do.".into();
    } else {
        o.reason = problems.join("; ");
        o.next_step = "Remove the secrets from the evidence and rotate them; store only redacted requests and key references (Community never holds credentials or signing keys).".into();
    }
    for r in exposed.iter().take(20) {
        o = o.detail(format!("{} at {}", r.kind.label(), r.location));
    }
    Ok(o)
}
