//! The ten release criteria, for the trial package and for real runtime artifacts.
//!
//! Rules follow CAVRA's release-criteria document and operator guide; where CAVRA has no code (the
//! verdict itself), the per-criterion pass / warn / fail mapping is ours and each reason says what it saw.

use super::{Art, Ctx, Outcome};
use crate::evidence::{EValue, HashStatus, Kind, LoadError, RedactedBy, SecretKind};
use crate::sanitize::clean;
use crate::time::{fmt_instant, parse_deadline};

type R = Result<Outcome, LoadError>;

/// Days before retention ends that count as "expiring", as CAVRA's health report uses.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

const API: &str = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";

fn c(s: &str) -> String {
    clean(s).into_owned()
}

fn list(items: &[&str]) -> String {
    items.iter().map(|s| c(s)).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------------- final readiness

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
    let Some(b) = cx.latest(Kind::ReadinessBundle)? else {
        return Ok(Outcome::fail(
            "no final readiness bundle in the evidence",
            format!("Build the final readiness bundle (POST {API}/final-reporting-readiness-bundle)."),
        ));
    };
    let id = c(b.id(cx.ev));
    if cx.trial() {
        let state = cx.s(&b, "state")?.unwrap_or("missing");
        let refs = cx.strs(&b, "evidence_refs")?;
        let o = if state != "ready" {
            Outcome::fail(
                format!("readiness bundle {id} is {:?}, not \"ready\"", c(state)),
                "Resolve what keeps the readiness bundle from being ready, then rebuild it.",
            )
        } else if refs.is_empty() {
            Outcome::warn(
                format!("readiness bundle {id} is ready but lists no evidence_refs"),
                "Rebuild the bundle so it references the readiness, approval, packet, auditor and archive evidence.",
            )
        } else {
            Outcome::pass(format!(
                "readiness bundle {id} is ready and references {} upstream evidence items",
                refs.len()
            ))
        };
        return Ok(o.nodes([b.idx]));
    }
    let state = cx.s(&b, "closeout_state")?.unwrap_or("missing");
    let blockers = cx.strs(&b, "blockers")?;
    if state != "ready_for_closeout" || !blockers.is_empty() {
        let why = if blockers.is_empty() { String::new() } else { format!(" with blockers: {}", list(&blockers)) };
        return Ok(Outcome::fail(
            format!("readiness bundle {id} is {}{why}", c(state)),
            "Resolve the bundle's blockers upstream (approval, release record, closure packet, auditor export, archive reference and its health), then rebuild the bundle.",
        )
        .nodes([b.idx]));
    }
    // Which upstream kinds does the evidence index cover?
    let mut covered_nodes = Vec::new();
    let mut indexed_kinds: Vec<Kind> = Vec::new();
    for entry in cx.arr(&b, "evidence_index")? {
        if let Some(mk) = entry.get("metadata_kind").and_then(EValue::as_str) {
            indexed_kinds.push(Kind::from_metadata_kind(
                mk,
                entry.get("connector_delivery_source").and_then(EValue::as_str),
                None,
            ));
        }
        if let Some(sid) = entry.get("session_id").and_then(EValue::as_str) {
            covered_nodes.extend(cx.ev.find(sid).iter().copied());
        }
    }
    let missing: Vec<&str> = INDEXED_UPSTREAM.iter().filter(|k| !indexed_kinds.contains(k)).map(|k| k.name()).collect();
    let count = cx.arr(&b, "evidence_index")?.len();
    let o = if missing.is_empty() {
        Outcome::pass(format!(
            "readiness bundle {id} is ready_for_closeout with no blockers; its index covers {count} upstream items"
        ))
    } else {
        Outcome::warn(
            format!("readiness bundle {id} is ready but its evidence index lacks: {}", missing.join(", ")),
            "Rebuild the readiness bundle after recording the missing upstream evidence.",
        )
    };
    Ok(o.nodes([b.idx]).nodes(covered_nodes))
}

// ---------------------------------------------------------------------------------------------- manifest

pub(super) fn signed_archive_manifest(cx: &Ctx) -> R {
    let Some(m) = cx.latest(Kind::SignedArchiveManifest)? else {
        return Ok(Outcome::fail(
            "no signed archive manifest in the evidence",
            format!(
                "Create the manifest with external signature metadata (POST {API}/final-reporting-signed-archive-manifest)."
            ),
        ));
    };
    let id = c(m.id(cx.ev));
    let key_material: Vec<String> = cx
        .ev
        .redactions
        .iter()
        .filter(|r| r.kind == SecretKind::PrivateKey && r.by == RedactedBy::Closeout)
        .map(|r| r.location.clone())
        .collect();
    if cx.b(&m, "private_key_stored")? == Some(true) {
        return Ok(Outcome::fail(
            format!("manifest {id} says private_key_stored: true; Community must never hold signing keys"),
            "Move the signing key to an external KMS or private signing service and record only its key reference.",
        )
        .nodes([m.idx]));
    }
    if !key_material.is_empty() {
        return Ok(Outcome::fail(
            format!("private key material is present in the evidence ({})", key_material.join("; ")),
            "Remove the key from the evidence, rotate it, and sign through an external KMS.",
        )
        .nodes([m.idx]));
    }
    let state = cx.s(&m, "signature_state")?.unwrap_or("missing");
    if state != "external_signature_attached" {
        return Ok(Outcome::fail(
            format!("manifest {id} is {}: no external signature is attached", c(state)),
            format!("Attach the signature from your external KMS or private signing service (POST {API}/final-reporting-signed-archive-manifest with `signature`)."),
        )
        .nodes([m.idx]));
    }
    let algorithm = cx.s(&m, "signature_algorithm")?.unwrap_or("unspecified algorithm");
    let key = if cx.trial() { cx.s(&m, "key_reference")? } else { cx.s(&m, "signature_key_id")? };
    if !cx.trial() && cx.s(&m, "signature")?.is_none_or(str::is_empty) {
        return Ok(Outcome::fail(
            format!("manifest {id} claims external_signature_attached but records no signature"),
            "Re-create the manifest with the external signature value.",
        )
        .nodes([m.idx]));
    }
    let mut o = Outcome::pass(format!(
        "manifest {id}: external signature attached ({}, key {}); closeout does not verify it, the external signer owns that",
        c(algorithm),
        c(key.unwrap_or("unnamed"))
    ))
    .nodes([m.idx]);
    if !cx.trial()
        && let (Some(signed), Some(b)) = (cx.s(&m, "bundle_id")?, cx.latest(Kind::ReadinessBundle)?)
        && signed != b.id(cx.ev)
    {
        o = Outcome::warn(
            format!("manifest {id} signs readiness bundle {} but the latest bundle is {}", c(signed), c(b.id(cx.ev))),
            "Re-sign the manifest over the latest readiness bundle.",
        )
        .nodes([m.idx, b.idx]);
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------- closeout

pub(super) fn release_closeout(cx: &Ctx) -> R {
    let Some(s) = cx.latest(Kind::CloseoutSummary)? else {
        return Ok(Outcome::fail(
            "no release closeout summary in the evidence",
            format!("Generate the closeout summary (GET {API}/final-reporting-release-closeout-summary)."),
        ));
    };
    let id = c(s.id(cx.ev));
    let state = cx.s(&s, "closeout_state")?.unwrap_or("missing");
    let blockers = cx.strs(&s, "blockers")?;
    let count = cx.i(&s, "blocker_count")?.unwrap_or(blockers.len() as i64);
    let o = if state == "closed" && count == 0 && blockers.is_empty() {
        Outcome::pass(format!("closeout summary {id} is closed with 0 blockers"))
    } else if blockers.is_empty() {
        Outcome::fail(
            format!("closeout summary {id} is {} ({count} blockers)", c(state)),
            "Resolve the closeout blockers and regenerate the summary.",
        )
    } else {
        Outcome::fail(
            format!("closeout summary {id} is {} with blockers: {}", c(state), list(&blockers)),
            "Resolve each blocker (for a missing signature: attach the external signature to the manifest), then regenerate the summary.",
        )
    };
    Ok(o.nodes([s.idx]))
}

// ---------------------------------------------------------------------------------------------- delivery

/// Open failed closeout deliveries and successful ones (see [`super::closeout_deliveries`]).
/// Open failed closeout deliveries (decoded: their failures are described) and successful ones (node indices).
fn open_failures(cx: &Ctx) -> Result<(Vec<Art>, Vec<usize>), LoadError> {
    let (open, ok) = super::closeout_deliveries(cx.ev)?;
    let open = open.into_iter().map(|idx| Ok(Art { idx, art: cx.ev.artifact(idx)? })).collect::<Result<Vec<_>, _>>()?;
    Ok((open, ok))
}

fn delivered(cx: &Ctx, d: &Art) -> Result<bool, LoadError> {
    super::delivery_succeeded(cx.ev, d.idx)
}

/// "webhook: HTTP request failed, HTTP 503, 3 attempts"
fn delivery_failure_text(d: &Art) -> String {
    let mut parts = Vec::new();
    for p in d.art.get("deliveries").and_then(EValue::as_array).unwrap_or(&[]) {
        if p.get("success").and_then(EValue::as_bool) == Some(true) {
            continue;
        }
        let provider = p.get("provider").and_then(EValue::as_str).unwrap_or("provider");
        let mut s = c(provider);
        if let Some(e) = p.get("error").and_then(EValue::as_str) {
            s.push_str(&format!(": {}", c(e)));
        }
        if let Some(code) = p.get("status_code").and_then(EValue::as_i64) {
            s.push_str(&format!(", HTTP {code}"));
        }
        if let Some(n) = p.get("attempt_count").and_then(EValue::as_i64) {
            s.push_str(&format!(", {n} attempts"));
        }
        parts.push(s);
    }
    parts.join("; ")
}

pub(super) fn closeout_delivery(cx: &Ctx) -> R {
    if cx.trial() {
        let Some(s) = cx.latest(Kind::CloseoutSummary)? else {
            return Ok(Outcome::fail(
                "no closeout summary, so no delivery result",
                "Generate and deliver the closeout summary.",
            ));
        };
        let state = cx.s(&s, "delivery_state")?;
        return Ok(match state {
            None => Outcome::fail(
                "the closeout summary records no delivery_state",
                "Deliver the closeout summary and record the result.",
            ),
            Some("delivered" | "success" | "succeeded") => {
                Outcome::pass("closeout summary delivered to every connector")
            }
            Some(st) => {
                let plan = cx.latest(Kind::RetryPlan)?;
                let worker = cx.latest(Kind::WorkerRun)?;
                let refs = cx.strs(&s, "public_evidence_refs")?;
                let planned = match &plan {
                    Some(p) => cx.s(p, "source_delivery_id")?.is_some_and(|d| refs.contains(&d)),
                    None => false,
                };
                let nodes: Vec<usize> = [Some(s.idx), plan.as_ref().map(|p| p.idx), worker.as_ref().map(|w| w.idx)]
                    .into_iter()
                    .flatten()
                    .collect();
                if planned && worker.is_some() {
                    Outcome::warn(
                        format!(
                            "closeout delivery is {}; the failed delivery has a retry plan and a dry-run worker run",
                            c(st)
                        ),
                        "Record an owner acceptance of the pending redelivery, or redeliver and re-run the check.",
                    )
                    .nodes(nodes)
                } else {
                    Outcome::fail(
                        format!(
                            "closeout delivery is {} and the failed delivery has no retry plan and worker run",
                            c(st)
                        ),
                        "Create a retry plan and a dry-run worker run for the failed delivery.",
                    )
                    .nodes(nodes)
                }
            }
        });
    }
    let (open, ok) = open_failures(cx)?;
    if open.is_empty() && ok.is_empty() {
        let event = cx.latest(Kind::CloseoutDeliveryEvent)?;
        return Ok(Outcome::fail(
            if event.is_some() { "a closeout delivery event exists but no connector delivery result is recorded" } else { "no closeout delivery is recorded" },
            format!("Deliver the closeout summary through a non-production connector (POST {API}/final-reporting-release-closeout-summary/deliver)."),
        )
        .nodes(event.map(|e| e.idx)));
    }
    if open.is_empty() {
        let last = *ok.last().expect("non-empty");
        return Ok(Outcome::pass(format!("closeout delivery {} succeeded", c(&cx.ev.nodes[last].id))).nodes(ok));
    }
    let plan = cx.latest(Kind::RetryPlan)?;
    let worker = cx.latest(Kind::WorkerRun)?;
    let mut unplanned = Vec::new();
    let mut o_nodes: Vec<usize> = open.iter().map(|d| d.idx).collect();
    o_nodes.extend(plan.iter().map(|p| p.idx));
    o_nodes.extend(worker.iter().map(|w| w.idx));
    let mut texts = Vec::new();
    for d in &open {
        let has_decision = match &plan {
            Some(p) => decisions(cx, p)?.iter().any(|dec| dec.delivery_id == d.id(cx.ev)),
            None => false,
        };
        if !has_decision {
            unplanned.push(c(d.id(cx.ev)));
        }
        texts.push(format!("{} ({})", c(d.id(cx.ev)), delivery_failure_text(d)));
    }
    if !unplanned.is_empty() {
        return Ok(Outcome::fail(
            format!("closeout delivery failed with no retry plan: {}", texts.join("; ")),
            format!("Create a retry plan (POST {API}/final-reporting-release-closeout-summary/delivery-retry-plan) and a dry-run worker run."),
        )
        .nodes(o_nodes));
    }
    if worker.is_none() {
        return Ok(Outcome::fail(
            format!("closeout delivery failed: {}; a retry plan exists but no worker run", texts.join("; ")),
            "Run the retry worker as a dry run and review its selection.",
        )
        .nodes(o_nodes));
    }
    Ok(Outcome::warn(
        format!("closeout delivery failed: {}; retry plan and worker evidence exist", texts.join("; ")),
        "Redeliver through an approved connector, or record an owner acceptance of the pending retry.",
    )
    .nodes(o_nodes))
}

// ---------------------------------------------------------------------------------------------- retention

pub(super) fn retention_approval(cx: &Ctx) -> R {
    let Some(d) = cx.latest(Kind::RetentionReviewDecision)? else {
        let req = cx.latest(Kind::RetentionReviewRequest)?;
        return Ok(match req {
            Some(r) => Outcome::fail(
                format!("retention review {} was requested but never decided", c(r.id(cx.ev))),
                format!("Decide the retention review (POST {API}/final-reporting-closeout-retention-review/{{review_id}}/decisions)."),
            )
            .nodes([r.idx]),
            None => Outcome::fail(
                "no retention review in the evidence",
                format!("Request a retention review (POST {API}/final-reporting-closeout-retention-review) and record the decision."),
            ),
        });
    };
    let id = c(d.id(cx.ev));
    let state = cx.s(&d, "decision_state")?.unwrap_or("missing");
    let by = if cx.trial() { cx.s(&d, "approved_by")? } else { cx.s(&d, "decided_by")? };
    let until = cx.s(&d, "retention_until")?.unwrap_or("no date");
    let hold = cx.b(&d, "legal_hold")?;
    let o = if state == "approved" {
        let ext = cx.s(&d, "external_ref")?.map(|e| format!(", {}", c(e))).unwrap_or_default();
        Outcome::pass(format!(
            "retention review {id} approved by {}{ext}; retained until {}, legal hold {}",
            c(by.unwrap_or("unknown")),
            c(until),
            hold.map_or("not recorded".to_string(), |h| h.to_string())
        ))
    } else {
        Outcome::fail(
            format!("retention review {id} is {}, not approved", c(state)),
            "Have the retention owner approve the review (or record an external exception), then rebuild the artifact bundle.",
        )
    };
    Ok(o.nodes([d.idx]))
}

pub(super) fn artifact_bundle(cx: &Ctx) -> R {
    let Some(b) = cx.latest(Kind::ArtifactBundle)? else {
        return Ok(Outcome::fail(
            "no closeout artifact bundle in the evidence",
            format!(
                "Build the artifact bundle after retention is approved (POST {API}/final-reporting-closeout-artifact-bundle)."
            ),
        ));
    };
    let id = c(b.id(cx.ev));
    let state = cx.s(&b, "retention_decision_state")?.unwrap_or("missing");
    let mut o = if state != "approved" {
        Outcome::fail(
            format!("artifact bundle {id} has retention_decision_state {}, not approved", c(state)),
            "Approve the retention review, then rebuild the artifact bundle so it carries the approved decision.",
        )
    } else if cx.trial() && cx.s(&b, "download_state")? != Some("available") {
        Outcome::fail(
            format!(
                "artifact bundle {id} is not available for download ({})",
                c(cx.s(&b, "download_state")?.unwrap_or("missing"))
            ),
            "Rebuild the artifact bundle.",
        )
    } else if b.art.hashes.is_empty() {
        Outcome::fail(
            format!("artifact bundle {id} lists no files"),
            "Rebuild the artifact bundle with the summary, readiness bundle and manifest files.",
        )
    } else {
        let mismatch: Vec<String> =
            b.art.hashes.iter().filter(|h| h.status == HashStatus::Mismatch).map(|h| h.file.clone()).collect();
        let missing: Vec<String> =
            b.art.hashes.iter().filter(|h| h.status == HashStatus::Missing).map(|h| h.file.clone()).collect();
        let verified = b.art.hashes.iter().filter(|h| h.status == HashStatus::Verified).count();
        let unverifiable = b.art.hashes.iter().filter(|h| h.status == HashStatus::NotVerifiable).count();
        if !mismatch.is_empty() {
            Outcome::fail(
                format!(
                    "artifact bundle {id}: hash mismatch for {} (content changed after hashing)",
                    mismatch.join(", ")
                ),
                "Treat the bundle as tampered: rebuild it from the source evidence and find out who changed it.",
            )
        } else if !missing.is_empty() {
            Outcome::fail(
                format!("artifact bundle {id}: no sha256 for {}", missing.join(", ")),
                "Rebuild the artifact bundle so every file carries its hash.",
            )
        } else {
            let mut reason = format!(
                "artifact bundle {id}: retention approved, {} files, {verified} hashes verified",
                b.art.hashes.len()
            );
            if unverifiable > 0 {
                reason.push_str(&format!(", {unverifiable} not verifiable"));
            }
            Outcome::pass(reason)
        }
    };
    for h in &b.art.hashes {
        o = o.detail(format!("{}: {} ({})", h.file, h.status.label(), h.note));
    }
    // Older bundle versions that do not verify are worth a warning on their own.
    if o.status == super::Status::Pass {
        cx.ev.verify_all_bundles();
        for older in cx.ev.all(&Kind::ArtifactBundle) {
            if older != b.idx && cx.ev.hash_checks(older).iter().any(|h| h.status == HashStatus::Mismatch) {
                o = Outcome::warn(
                    format!(
                        "latest artifact bundle {id} verifies, but older bundle {} has a hash mismatch",
                        c(&cx.ev.nodes[older].id)
                    ),
                    "Find out how the older bundle's content changed after hashing.",
                )
                .nodes([older]);
                break;
            }
        }
    }
    Ok(o.nodes([b.idx]))
}

/// When retention ends, from the latest artifact bundle, else the latest decision.
fn retention_until(cx: &Ctx) -> Result<Option<(String, usize)>, LoadError> {
    for kind in [Kind::ArtifactBundle, Kind::RetentionReviewDecision] {
        if let Some(a) = cx.latest(kind)?
            && let Some(u) = cx.s(&a, "retention_until")?
        {
            return Ok(Some((u.to_string(), a.idx)));
        }
    }
    Ok(None)
}

pub(super) fn retention_health(cx: &Ctx) -> R {
    use super::Status;
    let Some(h) = cx.latest(Kind::RetentionHealth)? else {
        return Ok(Outcome::fail(
            "retention health was never checked",
            format!("Run the retention health check (GET {API}/final-reporting-closeout-retention-health)."),
        ));
    };
    let id = c(h.id(cx.ev));
    let mut nodes = vec![h.idx];
    let mut parts: Vec<(Status, String)> = Vec::new();
    // CAVRA's own report.
    let (level, checked, findings): (&str, Option<i64>, Vec<String>) = if cx.trial() {
        let level = cx.s(&h, "health_state")?.unwrap_or("missing");
        let checked = h.art.get("summary").map(|s| {
            ["critical_findings", "warning_findings", "healthy_checks"]
                .iter()
                .filter_map(|k| s.get(k).and_then(EValue::as_i64))
                .sum::<i64>()
        });
        let f =
            cx.arr(&h, "findings")?.iter().filter_map(|f| f.get("category").and_then(EValue::as_str)).map(c).collect();
        (level, checked, f)
    } else {
        let level = cx.s(&h, "alert_level")?.unwrap_or("missing");
        let checked = cx.i(&h, "artifact_bundle_count")?;
        let f =
            cx.arr(&h, "findings")?.iter().filter_map(|f| f.get("category").and_then(EValue::as_str)).map(c).collect();
        (level, checked, f)
    };
    let cats = if findings.is_empty() { String::new() } else { format!(": {}", findings.join(", ")) };
    match level {
        "critical" => parts.push((Status::Fail, format!("health report {id} is critical{cats}"))),
        "warning" => parts.push((Status::Warn, format!("health report {id} is warning{cats}"))),
        "healthy" if checked == Some(0) => parts.push((
            Status::Fail,
            format!("health report {id} says healthy but checked zero artifact bundles, so it shows nothing"),
        )),
        "healthy" => parts.push((Status::Pass, format!("health report {id} is healthy"))),
        other => parts.push((Status::Fail, format!("health report {id} has unknown state {:?}", c(other)))),
    }
    // Our own check of the retention date at the evaluation time.
    match retention_until(cx)? {
        Some((until, idx)) => {
            nodes.push(idx);
            match parse_deadline(&until) {
                None => parts.push((Status::Warn, format!("retention_until {:?} is not a date", c(&until)))),
                Some(end) if end <= cx.as_of => parts.push((
                    Status::Fail,
                    format!("retention expired on {} (as of {})", c(&until), fmt_instant(cx.as_of)),
                )),
                Some(end) if end <= cx.as_of + chrono::Duration::days(EXPIRY_WARNING_DAYS) => parts
                    .push((Status::Warn, format!("retention ends {}, within {EXPIRY_WARNING_DAYS} days", c(&until)))),
                Some(_) => parts.push((Status::Pass, format!("retention runs until {}", c(&until)))),
            }
        }
        None if level != "healthy" || checked != Some(0) => {
            parts.push((Status::Warn, "no retention_until recorded on the artifact bundle or decision".to_string()))
        }
        None => {}
    }
    let status = parts.iter().map(|p| p.0).max().unwrap_or(Status::Fail);
    let reason = parts.iter().map(|p| p.1.clone()).collect::<Vec<_>>().join("; ");
    let next = match status {
        Status::Pass => "Nothing to do.".to_string(),
        Status::Warn => "Have the risk owner review each warning finding and record an acceptance with a target date, or fix the cause and re-run health.".to_string(),
        Status::Fail => "Fix the critical findings (approve or extend retention, build the artifact bundle) and re-run retention health; a critical finding blocks unless an authorized owner records an external exception.".to_string(),
    };
    let mut o = Outcome::new(status, reason, next).nodes(nodes);
    for f in findings {
        o = o.detail(format!("finding: {f}"));
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------- retry

pub(crate) struct Decision {
    pub delivery_id: String,
    pub action: String,
    pub reason: String,
    pub attempts: Option<i64>,
}

pub(crate) fn decisions(cx: &Ctx, plan: &Art) -> Result<Vec<Decision>, LoadError> {
    Ok(cx
        .arr(plan, "retry_decisions")?
        .iter()
        .map(|d| Decision {
            delivery_id: d.get("delivery_id").and_then(EValue::as_str).unwrap_or_default().to_string(),
            action: d.get("action").and_then(EValue::as_str).unwrap_or("missing").to_string(),
            reason: d.get("reason").and_then(EValue::as_str).unwrap_or_default().to_string(),
            attempts: d.get("attempts").and_then(EValue::as_i64),
        })
        .collect())
}

pub(super) fn retry_workflow(cx: &Ctx) -> R {
    if cx.trial() {
        return trial_retry(cx);
    }
    let (open, _) = open_failures(cx)?;
    if open.is_empty() {
        return Ok(Outcome::pass("no failed closeout deliveries need a retry"));
    }
    let plan = cx.latest(Kind::RetryPlan)?;
    let worker = cx.latest(Kind::WorkerRun)?;
    let records = cx.all(Kind::ExecutionRecord)?;
    let mut nodes: Vec<usize> = open.iter().map(|d| d.idx).collect();
    nodes.extend(plan.iter().map(|p| p.idx));
    nodes.extend(worker.iter().map(|w| w.idx));
    let Some(plan) = plan else {
        return Ok(Outcome::fail(
            format!("{} failed closeout deliver{} and no retry plan", open.len(), if open.len() == 1 { "y" } else { "ies" }),
            format!("Create a retry plan (POST {API}/final-reporting-release-closeout-summary/delivery-retry-plan), then run the worker as a dry run."),
        )
        .nodes(nodes));
    };
    let plan_id = c(plan.id(cx.ev));
    let max = cx.i(&plan, "max_retry_attempts")?;
    let decs = decisions(cx, &plan)?;
    let worker_dry = match &worker {
        Some(w) => cx.b(w, "dry_run")?,
        None => None,
    };
    let selected: Vec<String> = match &worker {
        Some(w) => cx
            .arr(w, "selected_retries")?
            .iter()
            .filter_map(|s| s.get("delivery_id").and_then(EValue::as_str))
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    let any_dry_run =
        cx.all(Kind::WorkerRun)?.iter().any(|w| w.art.get("dry_run").and_then(EValue::as_bool) == Some(true));
    let mut fails = Vec::new();
    let mut warns = Vec::new();
    let mut details = Vec::new();
    for d in &open {
        let did = d.id(cx.ev);
        let Some(dec) = decs.iter().find(|x| x.delivery_id == did) else {
            fails.push(format!("delivery {} has no decision in retry plan {plan_id}", c(did)));
            continue;
        };
        let attempts = dec
            .attempts
            .map(|a| format!("{a} of {} attempts", max.map_or("?".into(), |m| m.to_string())))
            .unwrap_or_default();
        let recs: Vec<&Art> = records.iter().filter(|r| r.art.str("delivery_id") == Some(did)).collect();
        nodes.extend(recs.iter().map(|r| r.idx));
        let rec_text = recs
            .iter()
            .map(|r| {
                let st = r.art.str("execution_status").unwrap_or("?");
                match r.art.str("skip_reason") {
                    Some(why) if !why.is_empty() => format!("{} ({})", c(st), c(why)),
                    _ => c(st),
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        details.push(format!(
            "{}: action {} ({}), {attempts}; execution records: {}",
            c(did),
            c(&dec.action),
            c(&dec.reason),
            if rec_text.is_empty() { "none".to_string() } else { rec_text.clone() }
        ));
        match dec.action.as_str() {
            "retry" => {
                if worker.is_none() {
                    fails.push(format!("delivery {} is due a retry but no worker run exists", c(did)));
                } else if worker_dry == Some(false) && !any_dry_run {
                    fails.push(format!("delivery {} was redelivered live with no dry run first", c(did)));
                } else if !selected.iter().any(|s| s == did) && recs.is_empty() {
                    fails.push(format!("the worker run did not select delivery {} for retry", c(did)));
                } else {
                    warns.push(format!(
                        "delivery {} awaits redelivery: plan {plan_id} decided retry ({attempts}); {} worker selected it; execution: {}",
                        c(did),
                        if worker_dry == Some(true) { "dry-run" } else { "live" },
                        if rec_text.is_empty() { "no record".into() } else { rec_text }
                    ));
                }
            }
            "wait" => warns.push(format!("delivery {} waits for the retry delay window ({})", c(did), c(&dec.reason))),
            "suppress" => {
                let quirk = if dec.reason == "max_retry_attempts_reached" {
                    " — note: CAVRA compares the summed attempt_count over providers (3 with API defaults: retries 2 + 1) to max_retry_attempts (3), so with defaults a failed delivery is never retried"
                } else {
                    ""
                };
                warns.push(format!("delivery {} is suppressed ({}, {attempts}){quirk}", c(did), c(&dec.reason)))
            }
            other => fails.push(format!("delivery {} has unknown retry action {:?}", c(did), c(other))),
        }
    }
    let mut o = if !fails.is_empty() {
        Outcome::fail(
            fails.join("; "),
            "Give every failed delivery a retry decision and dry-run worker evidence before any live redelivery.",
        )
    } else {
        Outcome::warn(
            warns.join("; "),
            "Review the retry plan, then redeliver through an approved connector or record an owner acceptance with a target resolution date.",
        )
    };
    for d in details {
        o = o.detail(d);
    }
    Ok(o.nodes(nodes))
}

fn trial_retry(cx: &Ctx) -> R {
    let summary = cx.latest(Kind::CloseoutSummary)?;
    let failed = match &summary {
        Some(s) => cx.s(s, "delivery_state")?.is_some_and(|st| !matches!(st, "delivered" | "success" | "succeeded")),
        None => false,
    };
    let plan = cx.latest(Kind::RetryPlan)?;
    let worker = cx.latest(Kind::WorkerRun)?;
    let nodes: Vec<usize> =
        [plan.as_ref().map(|p| p.idx), worker.as_ref().map(|w| w.idx)].into_iter().flatten().collect();
    if !failed {
        return Ok(Outcome::pass("no failed delivery needs a retry").nodes(nodes));
    }
    let Some(plan) = plan else {
        return Ok(Outcome::fail(
            "the failed delivery has no retry plan",
            "Create a retry plan for the failed delivery.",
        ));
    };
    let source = cx.s(&plan, "source_delivery_id")?.unwrap_or("");
    let decision = cx.s(&plan, "decision")?.unwrap_or("missing");
    let owner = cx.s(&plan, "owner")?;
    let target = cx.s(&plan, "target_resolution_date")?;
    let Some(worker) = worker else {
        return Ok(Outcome::fail(
            format!("retry plan for {} has no worker run", c(source)),
            "Run the retry worker as a dry run first.",
        )
        .nodes(nodes));
    };
    let mode = cx.s(&worker, "mode")?.unwrap_or("missing");
    let live = cx.b(&worker, "live_connector_used")?;
    let would = cx.strs(&worker, "would_retry_delivery_ids")?;
    if mode == "dry_run" && live == Some(true) {
        return Ok(Outcome::fail(
            "worker run says dry_run but live_connector_used is true",
            "Investigate the worker run: a dry run must not call a live connector.",
        )
        .nodes(nodes));
    }
    if mode != "dry_run" && cx.s(&plan, "mode")? == Some("dry_run_first") {
        return Ok(Outcome::fail(
            format!("retry plan requires dry_run_first but the worker ran {}", c(mode)),
            "Run the worker as a dry run before any live redelivery.",
        )
        .nodes(nodes));
    }
    if !would.contains(&source) {
        return Ok(Outcome::fail(
            format!("the worker run does not cover delivery {}", c(source)),
            "Re-run the worker so it selects the failed delivery.",
        )
        .nodes(nodes));
    }
    let mut reason = format!(
        "delivery {} awaits redelivery: plan decided {}, {} worker run {} selected it, live_connector_used {}",
        c(source),
        c(decision),
        c(mode),
        c(cx.s(&worker, "state")?.unwrap_or("?")),
        live.map_or("not recorded".into(), |l| l.to_string())
    );
    if let Some(o) = owner {
        reason.push_str(&format!("; owner {}", c(o)));
    }
    if let Some(t) = target {
        match parse_deadline(t) {
            Some(end) if end <= cx.as_of => reason.push_str(&format!("; target resolution date {} has passed", c(t))),
            _ => reason.push_str(&format!("; target resolution {}", c(t))),
        }
    }
    Ok(Outcome::warn(
        reason,
        "Redeliver through an approved connector path, or keep the owner acceptance current until the target date.",
    )
    .nodes(nodes))
}

// ---------------------------------------------------------------------------------------------- alerts

pub(super) fn retention_alerts(cx: &Ctx) -> R {
    let Some(h) = cx.latest(Kind::RetentionHealth)? else {
        return Ok(Outcome::fail("no retention health report to alert on", "Run retention health first."));
    };
    let level =
        if cx.trial() { cx.s(&h, "health_state")? } else { cx.s(&h, "alert_level")? }.unwrap_or("missing").to_string();
    if cx.trial() {
        let Some(a) = cx.latest(Kind::AlertDelivery)? else {
            return Ok(if level == "healthy" {
                Outcome::pass("retention health is healthy; no alert is required").nodes([h.idx])
            } else {
                Outcome::fail(
                    format!("retention health is {} but no alert delivery is recorded", c(&level)),
                    "Send the retention alert through a non-production connector.",
                )
                .nodes([h.idx])
            });
        };
        let providers = cx.arr(&a, "providers")?;
        let failed: Vec<String> = providers
            .iter()
            .filter(|p| p.get("delivery_state").and_then(EValue::as_str) != Some("delivered"))
            .map(|p| c(p.get("provider").and_then(EValue::as_str).unwrap_or("?")))
            .collect();
        let names: Vec<String> =
            providers.iter().map(|p| c(p.get("provider").and_then(EValue::as_str).unwrap_or("?"))).collect();
        let o = if providers.is_empty() && level != "healthy" {
            Outcome::fail("the alert delivery lists no provider", "Route the alert to at least one provider.")
        } else if !failed.is_empty() {
            Outcome::warn(
                format!("alert delivery to {} did not deliver", failed.join(", ")),
                "Retry the alert delivery through the connector.",
            )
        } else {
            Outcome::pass(format!(
                "retention health is {}; alert delivered to {} (redacted)",
                c(&level),
                names.join(", ")
            ))
        };
        return Ok(o.nodes([h.idx, a.idx]));
    }
    if level == "healthy" {
        return Ok(Outcome::pass("retention health is healthy; no alert is required").nodes([h.idx]));
    }
    let hid = h.id(cx.ev).to_string();
    let plans = cx.all(Kind::RetentionAlertPlan)?;
    let plan = plans.iter().rev().find(|p| p.art.str("health_id") == Some(hid.as_str())).or(plans.last());
    let Some(plan) = plan else {
        return Ok(Outcome::fail(
            format!("retention health is {} but no alert plan exists", c(&level)),
            format!(
                "Send the retention health alert (POST {API}/final-reporting-closeout-retention-health-alerts/deliver)."
            ),
        )
        .nodes([h.idx]));
    };
    let pid = plan.id(cx.ev).to_string();
    let selected = cx.strs(plan, "selected_providers")?;
    if selected.is_empty() {
        return Ok(Outcome::fail(
            format!("alert plan {} selected no provider for a {} health report", c(&pid), c(&level)),
            "Re-run the alert with a provider (or force) so the alert is routed.",
        )
        .nodes([h.idx, plan.idx]));
    }
    let stale = plan.art.str("health_id") != Some(hid.as_str());
    let deliveries = cx.all(Kind::AlertDelivery)?;
    let delivery = deliveries
        .iter()
        .rev()
        .find(|d| d.art.str("event_id") == Some(pid.as_str()) || d.art.str("session_id") == Some(pid.as_str()));
    let mut o = match delivery {
        None => Outcome::fail(
            format!("alert plan {} selected {} but no delivery result is recorded", c(&pid), list(&selected)),
            "Deliver the alert and keep the redacted delivery result.",
        )
        .nodes([h.idx, plan.idx]),
        Some(d) if !delivered(cx, d)? => Outcome::warn(
            format!("alert to {} failed: {}", list(&selected), delivery_failure_text(d)),
            "Retry the alert delivery through the connector, or accept the risk with an owner.",
        )
        .nodes([h.idx, plan.idx, d.idx]),
        Some(d) => Outcome::pass(format!(
            "alert plan {} routed the {} health report to {}; delivered",
            c(&pid),
            c(&level),
            list(&selected)
        ))
        .nodes([h.idx, plan.idx, d.idx]),
    };
    if stale && o.status == super::Status::Pass {
        o = Outcome::warn(
            format!("the latest alert plan {} is for an older health report, not {}", c(&pid), c(&hid)),
            "Re-send the alert for the latest health report.",
        )
        .nodes([h.idx, plan.idx]);
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------- boundary

pub(super) fn community_boundary(cx: &Ctx) -> R {
    let exposed: Vec<&crate::evidence::Redaction> = cx.ev.exposed_secrets().collect();
    let cavra = cx.ev.redactions.len() - exposed.len();
    let mut problems: Vec<String> = Vec::new();
    let mut nodes: Vec<usize> = exposed.iter().filter_map(|r| r.node).collect();
    if !exposed.is_empty() {
        let mut kinds: Vec<&str> = exposed.iter().map(|r| r.kind.label()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        problems.push(format!("{} secret value(s) in the clear ({})", exposed.len(), kinds.join(", ")));
    }
    if let Some(m) = cx.latest(Kind::SignedArchiveManifest)?
        && cx.b(&m, "private_key_stored")? == Some(true)
    {
        problems.push("the manifest says a private key is stored".into());
        nodes.push(m.idx);
    }
    if cx.trial() {
        if let Some(a) = cx.latest(Kind::AlertDelivery)? {
            let unredacted: Vec<String> = cx
                .arr(&a, "providers")?
                .iter()
                .filter(|p| p.get("redacted").and_then(EValue::as_bool) == Some(false))
                .map(|p| c(p.get("provider").and_then(EValue::as_str).unwrap_or("?")))
                .collect();
            if !unredacted.is_empty() {
                problems.push(format!("alert delivery to {} is marked redacted: false", unredacted.join(", ")));
                nodes.push(a.idx);
            }
        }
        if let Some(w) = cx.latest(Kind::WorkerRun)?
            && cx.b(&w, "live_connector_used")? == Some(true)
        {
            problems.push("the retry worker used a live connector from Community evidence".into());
            nodes.push(w.idx);
        }
    }
    let mut o = if problems.is_empty() {
        Outcome::pass(format!(
            "no secret in the clear; {cavra} value(s) carry CAVRA's REDACTED markers; no private key material"
        ))
    } else {
        Outcome::fail(
            problems.join("; "),
            "Remove the secrets from the evidence and rotate them; store only redacted requests and key references (Community never holds credentials or signing keys).",
        )
    };
    for r in exposed.iter().take(20) {
        o = o.detail(format!("{} at {}", r.kind.label(), r.location));
    }
    Ok(o.nodes(nodes))
}
