//! Each criterion's pass / warn / fail, on variations of the embedded samples, and the verdict rule.

use serde_json::{Value, json};

use super::*;
use crate::evidence::{LoadOptions, load_bytes};
use crate::samples;
use crate::time::parse_instant;

const AS_OF: &str = "2026-09-14T10:00:00Z";

fn sample_json(name: &str) -> Value {
    serde_json::from_slice(samples::bytes(&samples::get(name).unwrap())).unwrap()
}

/// The embedded artifacts of every item whose metadata_kind ends with `suffix`, newest last.
fn artifacts<'a>(store: &'a mut Value, suffix: &str) -> Vec<&'a mut Value> {
    let mut found: Vec<(String, &mut Value)> = store["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|i| i["metadata_kind"].as_str().unwrap().ends_with(suffix))
        .map(|i| {
            let created = i["created_at"].as_str().unwrap_or_default().to_string();
            let key = i.as_object().unwrap().iter().find(|(_, v)| v.is_object()).map(|(k, _)| k.clone()).unwrap();
            (created, &mut i[key.as_str()])
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.into_iter().map(|(_, v)| v).collect()
}

fn latest<'a>(store: &'a mut Value, suffix: &str) -> &'a mut Value {
    artifacts(store, suffix).pop().unwrap_or_else(|| panic!("no {suffix}"))
}

fn evaluate_json(doc: &Value, as_of: &str) -> Report {
    let ev = load_bytes("test.json", serde_json::to_vec(doc).unwrap(), &LoadOptions::default()).unwrap();
    evaluate(&ev, &[], parse_instant(as_of).unwrap()).unwrap()
}

fn status(r: &Report, id: &str) -> Status {
    r.finding(CriterionId::parse(id).unwrap()).unwrap().status
}

/// Assert that the reason of criterion `id` contains `text` (the message shows the whole reason).
#[track_caller]
fn says(r: &Report, id: &str, text: &str) {
    let why = reason(r, id);
    assert!(why.contains(text), "{id}: {why:?} does not say {text:?}");
}

fn reason(r: &Report, id: &str) -> String {
    r.finding(CriterionId::parse(id).unwrap()).unwrap().reason.clone()
}

#[test]
fn final_readiness_pass_warn_fail() {
    let clean = sample_json("clean-store");
    assert_eq!(status(&evaluate_json(&clean, AS_OF), "final_readiness"), Status::Pass);

    let mut warn = clean.clone();
    let idx = latest(&mut warn, "-readiness-bundle")["evidence_index"].as_array_mut().unwrap();
    idx.retain(|e| !e["metadata_kind"].as_str().unwrap().ends_with("-auditor-export"));
    let r = evaluate_json(&warn, AS_OF);
    assert_eq!(status(&r, "final_readiness"), Status::Warn);
    says(&r, "final_readiness", "auditor export");

    let mut fail = clean.clone();
    let b = latest(&mut fail, "-readiness-bundle");
    b["closeout_state"] = json!("incomplete");
    b["blockers"] = json!(["immutable_archive_reference"]);
    let r = evaluate_json(&fail, AS_OF);
    assert_eq!(status(&r, "final_readiness"), Status::Fail);
    assert!(reason(&r, "final_readiness").contains("immutable_archive_reference"));
}

#[test]
fn signed_archive_manifest_fails_on_another_bundle_and_on_private_keys() {
    let mut other = sample_json("clean-store");
    latest(&mut other, "-signed-archive-manifest")["bundle_id"] = json!("gordackfinalbundle-0000000000000000");
    let r = evaluate_json(&other, AS_OF);
    assert_eq!(status(&r, "signed_archive_manifest"), Status::Fail, "{}", reason(&r, "signed_archive_manifest"));
    assert!(reason(&r, "signed_archive_manifest").contains("but the closeout names readiness bundle"));

    let mut key = sample_json("clean-store");
    latest(&mut key, "-signed-archive-manifest")["private_key_stored"] = json!(true);
    let r = evaluate_json(&key, AS_OF);
    assert_eq!(status(&r, "signed_archive_manifest"), Status::Fail);
    assert_eq!(status(&r, "community_boundary"), Status::Fail);

    let mut pem = sample_json("clean-store");
    let material =
        format!("-----BEGIN {} KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END {} KEY-----", "PRIVATE", "PRIVATE");
    latest(&mut pem, "-signed-archive-manifest")["notes"] = json!(material);
    let r = evaluate_json(&pem, AS_OF);
    assert_eq!(status(&r, "signed_archive_manifest"), Status::Fail, "{}", reason(&r, "signed_archive_manifest"));
    says(&r, "community_boundary", "private key");
}

#[test]
fn artifact_bundle_is_judged_on_the_chains_version_not_on_superseded_ones() {
    let mut doc = sample_json("clean-store");
    let items = doc["items"].as_array_mut().unwrap();
    let pos =
        items.iter().position(|i| i["metadata_kind"].as_str().unwrap().ends_with("-closeout-artifact-bundle")).unwrap();
    let mut older = items[pos].clone();
    older["session_id"] = json!("gordackfinalartifact-00000000000000aa");
    older["created_at"] = json!("2026-09-14T08:00:00+00:00");
    let b = older.as_object_mut().unwrap().values_mut().find(|v| v.is_object()).unwrap();
    b["artifact_bundle_id"] = json!("gordackfinalartifact-00000000000000aa");
    b["files"][0]["content"]["closeout_state"] = json!("tampered");
    items.push(older);
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "artifact_bundle"), Status::Pass, "{}", reason(&r, "artifact_bundle"));
    assert_eq!((r.hashes.verified, r.hashes.mismatched), (3, 0), "only the chain's bundle is counted");
    let old = r.chain.scope.iter().zip(0..).find(|(_, i)| {
        r.chain.artifact_bundle.as_ref().is_some_and(|b| b.node != *i)
            && matches!(r.chain.scope[*i], crate::model::Scope::Superseded)
    });
    assert!(old.is_some(), "the tampered version is shown as superseded");
}

#[test]
fn a_bundle_whose_hashes_cannot_be_checked_does_not_pass_on_runtime_evidence() {
    let mut doc = sample_json("clean-store");
    for f in latest(&mut doc, "-closeout-artifact-bundle")["files"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("content");
    }
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "artifact_bundle"), Status::Fail, "{}", reason(&r, "artifact_bundle"));
    says(&r, "artifact_bundle", "3 of 3 file hashes cannot be checked");
    assert_eq!(r.hashes.verified, 0);
}

#[test]
fn retention_health_warns_when_retention_is_expiring() {
    let doc = sample_json("clean-store");
    let mut d = doc.clone();
    let until = latest(&mut d, "-closeout-artifact-bundle")["retention_until"].as_str().unwrap().to_string();
    let end = crate::time::parse_instant(&until).unwrap();
    let ten_days_before = crate::time::fmt_instant(end - chrono::Duration::days(10));
    let r = evaluate_json(&doc, &ten_days_before);
    assert_eq!(status(&r, "retention_health"), Status::Warn, "{}", reason(&r, "retention_health"));
    assert!(reason(&r, "retention_health").contains("within 30 days"));
    let r = evaluate_json(&doc, &crate::time::fmt_instant(end));
    assert_eq!(status(&r, "retention_health"), Status::Fail);
    assert!(reason(&r, "retention_health").contains("retention expired"));
}

/// CAVRA's exact boundaries (reference §3.1): a date-only `retention_until` is 00:00Z of that date; expired
/// when `until <= now`; expiring when `until <= now + 30 days`.
#[test]
fn date_only_retention_follows_cavras_boundaries_to_the_second() {
    let mut doc = sample_json("clean-store");
    latest(&mut doc, "-closeout-artifact-bundle")["retention_until"] = json!("2026-10-14");
    let at = |t: &str| status(&evaluate_json(&doc, t), "retention_health");
    assert_eq!(at("2026-09-13T23:59:59Z"), Status::Pass, "31 days minus a second before");
    assert_eq!(at("2026-09-14T00:00:00Z"), Status::Warn, "exactly 30 days before: expiring");
    assert_eq!(at("2026-10-13T23:59:59Z"), Status::Warn);
    assert_eq!(at("2026-10-14T00:00:00Z"), Status::Fail, "the date itself: expired");
}

#[test]
fn retention_alerts_pass_warn_fail() {
    let base = sample_json("accepted-risk-store");
    assert_eq!(status(&evaluate_json(&base, AS_OF), "retention_alerts"), Status::Pass);

    let mut failed = base.clone();
    for item in failed["items"].as_array_mut().unwrap() {
        if item["connector_delivery_source"].as_str().is_some_and(|s| s.ends_with("_retention_health_alert")) {
            item["delivery_success"] = json!(false);
            item["delivery"]["success"] = json!(false);
            item["delivery"]["deliveries"][0]["success"] = json!(false);
            item["delivery"]["deliveries"][0]["error"] = json!("connector endpoint unreachable");
        }
    }
    let r = evaluate_json(&failed, AS_OF);
    assert_eq!(status(&r, "retention_alerts"), Status::Warn, "{}", reason(&r, "retention_alerts"));
    assert!(reason(&r, "retention_alerts").contains("connector endpoint unreachable"));

    let mut missing = base.clone();
    missing["items"].as_array_mut().unwrap().retain(|i| !i["metadata_kind"].as_str().unwrap().ends_with("-alert-plan"));
    let r = evaluate_json(&missing, AS_OF);
    assert_eq!(status(&r, "retention_alerts"), Status::Fail);
    assert!(reason(&r, "retention_alerts").contains("no alert plan"));
}

#[test]
fn retry_workflow_flags_the_summed_attempts_quirk() {
    let mut doc = sample_json("accepted-risk-store");
    for plan in artifacts(&mut doc, "-retry-plan") {
        for d in plan["retry_decisions"].as_array_mut().unwrap() {
            d["action"] = json!("suppress");
            d["reason"] = json!("max_retry_attempts_reached");
        }
    }
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "retry_workflow"), Status::Warn);
    says(&r, "retry_workflow", "summed attempt_count");
}

#[test]
fn retry_workflow_fails_on_live_run_without_dry_run() {
    let mut doc = sample_json("accepted-risk-store");
    for w in artifacts(&mut doc, "-retry-worker-run") {
        w["dry_run"] = json!(false);
    }
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "retry_workflow"), Status::Fail, "{}", reason(&r, "retry_workflow"));
    says(&r, "retry_workflow", "no dry run first");
}

#[test]
fn trial_package_criteria_fail_on_their_own_fields() {
    let base = sample_json("trial-walkthrough");
    let mut t = base.clone();
    t["final_readiness_bundle"]["state"] = json!("blocked");
    t["retention_alert_delivery"]["providers"][0]["redacted"] = json!(false);
    t["retry_worker_run"]["live_connector_used"] = json!(true);
    let r = evaluate_json(&t, AS_OF);
    assert_eq!(status(&r, "final_readiness"), Status::Fail);
    assert_eq!(status(&r, "community_boundary"), Status::Fail);
    assert!(reason(&r, "community_boundary").contains("redacted: false"));
    assert_eq!(status(&r, "retry_workflow"), Status::Fail, "{}", reason(&r, "retry_workflow"));
}

const A: CriterionId = CriterionId::CloseoutDelivery;
const B: CriterionId = CriterionId::RetentionHealth;

fn finding(id: CriterionId, status: Status) -> Finding {
    Finding {
        id,
        title: id.title(),
        status,
        reason: String::new(),
        cites: vec![],
        evidence: vec![format!("evidence-of-{id}")],
        next_step: String::new(),
        details: vec![],
    }
}

fn acceptance(covers: Option<Vec<CriterionId>>, expires: &str) -> Acceptance {
    Acceptance {
        source: AcceptanceSource::ReviewRecord { path: "review.json".into() },
        owner: Some("owner".into()),
        reason: Some("accepted".into()),
        external_ref: None,
        expires_at: Some(expires.into()),
        target_date: None,
        covers,
        pins: None,
        void_reason: None,
        signature: None,
    }
}

#[test]
fn verdict_rule() {
    let t = parse_instant(AS_OF).unwrap();
    let pass = [finding(A, Status::Pass), finding(B, Status::Pass)];
    assert_eq!(verdict(&pass, &[], t).0, Verdict::ReadyForRelease);

    let warn = [finding(A, Status::Warn), finding(B, Status::Warn)];
    let (v, why, ..) = verdict(&warn, &[], t);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("risk not accepted") && why.contains("To accept it"), "{why}");

    let all = acceptance(None, "2026-12-31");
    assert_eq!(verdict(&warn, std::slice::from_ref(&all), t).0, Verdict::ReadyWithAcceptedRisk);

    let only_a = acceptance(Some(vec![A]), "2026-12-31");
    let (v, why, ..) = verdict(&warn, &[only_a], t);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("retention_health has no valid owner acceptance"), "{why}");

    let mut pinned = acceptance(None, "2026-12-31");
    pinned.pins = Some(vec!["evidence-of-closeout_delivery".into(), "evidence-of-retention_health".into()]);
    assert_eq!(verdict(&warn, std::slice::from_ref(&pinned), t).0, Verdict::ReadyWithAcceptedRisk);
    pinned.pins = Some(vec!["evidence-of-closeout_delivery".into()]);
    let (v, why, ..) = verdict(&warn, &[pinned], t);
    assert_eq!(v, Verdict::Blocked, "a warning resting on an artifact the review did not pin");
    assert!(why.contains("retention_health now rests on evidence-of-retention_health"), "{why}");

    let today = acceptance(None, "2026-09-14");
    let (v, why, ..) = verdict(&warn, &[today], t);
    assert_eq!(v, Verdict::Blocked, "a date-only expiry ends at 00:00Z of that date");
    assert!(why.contains("expired on 2026-09-14"), "{why}");

    let expired = acceptance(None, "2026-09-01");
    let (v, why, ..) = verdict(&warn, &[expired], t);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("expired on 2026-09-01"), "{why}");

    let mut void = acceptance(None, "2026-12-31");
    void.void_reason = Some("the reviewed retry plan changed".into());
    assert_eq!(verdict(&warn, &[void], t).0, Verdict::Blocked);

    let fail = [finding(A, Status::Fail), finding(B, Status::Warn)];
    let (v, why, used, _) = verdict(&fail, &[all], t);
    assert_eq!(v, Verdict::Blocked, "an acceptance never overrides a failure");
    assert!(used.is_none());
    assert!(why.starts_with("1 criterion fails: closeout_delivery"), "{why}");
}

#[test]
fn reference_states_are_labelled_by_what_they_mean() {
    let states = [RefState::Resolved, RefState::OutOfScope, RefState::NotIncluded, RefState::Dangling];
    for (s, meaning) in states.iter().zip(["resolved", "another release", "not included", "dangling"]) {
        assert!(s.label().contains(meaning), "{s:?} is labelled {:?}", s.label());
    }
}

#[test]
fn a_target_that_is_the_only_reference_of_its_node_is_reported_dangling() {
    // A retry plan whose one reference names a connector delivery the evidence does not hold, in a store
    // that holds other connector deliveries: dangling, and named with the node and field.
    let mut doc = sample_json("clean-store");
    let plan = latest(&mut doc, "-release-closeout-delivery-retry-plan");
    let from = plan["retry_plan_id"].as_str().unwrap().to_string();
    let target = "rcd-gordackfinalcloseout-0000000000000000-000000000000";
    plan["retry_decisions"] = json!([{"delivery_id": target, "action": "wait", "reason": "retry_delay_not_elapsed"}]);
    let r = evaluate_json(&doc, AS_OF);
    let d = r.references.dangling.iter().find(|d| d.target == target);
    let d = d.unwrap_or_else(|| panic!("{target} not reported dangling: {:?}", r.references.dangling));
    assert_eq!(d.from, from);
    assert!(d.field.contains("delivery_id"), "{d:?}");
}

// ------------------------------------------------------------------------------------- rules, case by case

/// Evaluate an embedded sample as of its own time.
fn evaluate_sample(name: &str) -> Report {
    let ev = samples::load(name, &LoadOptions::default()).unwrap();
    evaluate(&ev, &[], ev.default_as_of.unwrap()).unwrap()
}

fn without_kind(doc: &mut Value, suffix: &str) {
    doc["items"].as_array_mut().unwrap().retain(|i| !i["metadata_kind"].as_str().unwrap().ends_with(suffix));
}

#[test]
fn every_sample_fails_and_warns_on_the_criteria_its_index_names() {
    for s in samples::all() {
        let r = evaluate_sample(&s.name);
        let with = |st: Status| -> Vec<String> {
            r.findings.iter().filter(|f| f.status == st).map(|f| f.id.as_str().to_string()).collect()
        };
        assert_eq!(with(Status::Fail), s.expected_failing, "{}: failing criteria", s.name);
        assert_eq!(with(Status::Warn), s.expected_warning, "{}: warning criteria", s.name);
    }
}

#[test]
fn reasons_name_the_release_or_say_the_evidence_names_none() {
    let mut doc = sample_json("clean-store");
    without_kind(&mut doc, "-release-closeout-summary");
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "release_closeout"), Status::Fail);
    assert_eq!(reason(&r, "release_closeout"), "no release closeout summary for release REL-2026.09-payments-api");

    for item in doc["items"].as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("release_record_ref");
    }
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(reason(&r, "release_closeout"), "no release closeout summary for the release (no release_record_ref)");
}

/// A connector token in the clear is a boundary failure; it is not signing-key material, so the manifest
/// still passes (only a private key found in the evidence fails it).
#[test]
fn a_leaked_connector_secret_is_not_private_key_material() {
    let r = evaluate_sample("leaked-connector-secret");
    assert_eq!(status(&r, "community_boundary"), Status::Fail);
    assert_eq!(status(&r, "signed_archive_manifest"), Status::Pass, "{}", reason(&r, "signed_archive_manifest"));
}

/// Closed means all three: closeout_state closed, blocker_count 0 and no blocker listed.
#[test]
fn release_closeout_passes_only_when_closed_with_no_blocker_counted_or_listed() {
    let base = sample_json("trial-walkthrough");
    assert_eq!(status(&evaluate_json(&base, AS_OF), "release_closeout"), Status::Pass);

    let mut open = base.clone();
    open["release_closeout_summary"]["closeout_state"] = json!("open");
    let r = evaluate_json(&open, AS_OF);
    assert_eq!(status(&r, "release_closeout"), Status::Fail, "open with no blockers");
    assert_eq!(reason(&r, "release_closeout"), "closeout summary closeout-payments-api-001 is open (0 blockers)");

    let mut counted = base.clone();
    counted["release_closeout_summary"]["blocker_count"] = json!(2);
    let r = evaluate_json(&counted, AS_OF);
    assert_eq!(status(&r, "release_closeout"), Status::Fail, "closed, but counting 2 blockers");
    says(&r, "release_closeout", "(2 blockers)");

    let mut listed = base.clone();
    listed["release_closeout_summary"]["blockers"] = json!(["archive_manifest_external_signature_missing"]);
    let r = evaluate_json(&listed, AS_OF);
    assert_eq!(status(&r, "release_closeout"), Status::Fail, "closed with blocker_count 0, but listing a blocker");
    assert!(reason(&r, "release_closeout").contains("with blockers: archive_manifest_external_signature_missing"));
}

/// A retry decision needs a worker run before the failure is pending rather than unhandled; a wait
/// decision does not.
#[test]
fn a_retry_decision_without_a_worker_run_fails_the_delivery_and_a_wait_does_not() {
    let mut doc = sample_json("accepted-risk-store");
    without_kind(&mut doc, "-retry-worker-run");
    without_kind(&mut doc, "-retry-execution-record");
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "closeout_delivery"), Status::Fail, "{}", reason(&r, "closeout_delivery"));
    says(&r, "closeout_delivery", "a retry plan decided retry but no worker run exists");

    for plan in artifacts(&mut doc, "-retry-plan") {
        for d in plan["retry_decisions"].as_array_mut().unwrap() {
            d["action"] = json!("wait");
            d["reason"] = json!("retry_delay_window_not_elapsed");
        }
    }
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "closeout_delivery"), Status::Warn, "{}", reason(&r, "closeout_delivery"));
}

#[test]
fn retention_approval_names_the_approver_and_the_external_reference() {
    let mut doc = sample_json("clean-store");
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "retention_approval"), Status::Pass);
    assert!(
        reason(&r, "retention_approval")
            .contains("approved by sample-risk-owner, CHG-SAMPLE-20260914-11; retained until 2027-09-14"),
        "{}",
        reason(&r, "retention_approval")
    );

    latest(&mut doc, "-retention-review-decision")["external_ref"] = json!("");
    let r = evaluate_json(&doc, AS_OF);
    assert!(
        reason(&r, "retention_approval").contains("approved by sample-risk-owner; retained until"),
        "an empty external_ref is not shown: {}",
        reason(&r, "retention_approval")
    );
}

/// A hash problem names the files it is about, and only those.
#[test]
fn artifact_bundle_hash_problems_name_exactly_the_files_concerned() {
    let mut changed = sample_json("clean-store");
    latest(&mut changed, "-closeout-artifact-bundle")["files"][1]["content"]["closeout_state"] = json!("tampered");
    let r = evaluate_json(&changed, AS_OF);
    assert_eq!(status(&r, "artifact_bundle"), Status::Fail);
    assert_eq!(
        reason(&r, "artifact_bundle"),
        "artifact bundle gordackfinalartifact-8956482f7570b861: hash mismatch for readiness-bundle.json (content changed after hashing)"
    );

    let mut unhashed = sample_json("clean-store");
    latest(&mut unhashed, "-closeout-artifact-bundle")["files"][2].as_object_mut().unwrap().remove("sha256");
    let r = evaluate_json(&unhashed, AS_OF);
    assert_eq!(status(&r, "artifact_bundle"), Status::Fail, "{}", reason(&r, "artifact_bundle"));
    assert_eq!(
        reason(&r, "artifact_bundle"),
        "artifact bundle gordackfinalartifact-8956482f7570b861: no sha256 for signed-archive-manifest.json"
    );
}

/// A trial package carries hashes but no content: its bundle passes, and the reason says how many hashes
/// could not be verified.
#[test]
fn a_trial_bundle_passes_and_says_its_hashes_are_not_verifiable() {
    let r = evaluate_sample("trial-walkthrough");
    assert_eq!(status(&r, "artifact_bundle"), Status::Pass);
    assert_eq!(
        reason(&r, "artifact_bundle"),
        "artifact bundle closeout-artifact-payments-api-001: retention approved, 3 files, 0 hashes verified, 3 not verifiable (the trial package carries no content)"
    );
    let clean = evaluate_sample("clean-store");
    assert!(!reason(&clean, "artifact_bundle").contains("not verifiable"), "{}", reason(&clean, "artifact_bundle"));
}

/// The artifact bundle must package the readiness bundle and manifest the closeout names.
#[test]
fn an_artifact_bundle_packaging_another_readiness_bundle_or_manifest_fails() {
    for (field, what) in [("bundle_id", "readiness bundle"), ("manifest_id", "archive manifest")] {
        let mut doc = sample_json("clean-store");
        latest(&mut doc, "-closeout-artifact-bundle")[field] = json!("gordackfinalother-0000000000000000");
        let r = evaluate_json(&doc, AS_OF);
        assert_eq!(status(&r, "artifact_bundle"), Status::Fail, "{field}: {}", reason(&r, "artifact_bundle"));
        let why = reason(&r, "artifact_bundle");
        assert!(
            why.contains(&format!("packages {what} gordackfinalother-0000000000000000, but the closeout names {what}")),
            "{why}"
        );
    }
}

/// Reference §3.1: the decision state is the bundle's, falling back to the decision's only when the bundle
/// records none.
#[test]
fn retention_health_takes_the_decision_state_from_the_bundle_before_the_decision() {
    let mut unrecorded = sample_json("clean-store");
    latest(&mut unrecorded, "-closeout-artifact-bundle").as_object_mut().unwrap().remove("retention_decision_state");
    let r = evaluate_json(&unrecorded, AS_OF);
    assert_eq!(
        status(&r, "retention_health"),
        Status::Pass,
        "the approved decision counts: {}",
        reason(&r, "retention_health")
    );

    let mut unattached = sample_json("clean-store");
    latest(&mut unattached, "-closeout-artifact-bundle")["retention_decision_state"] = json!("not_attached");
    let r = evaluate_json(&unattached, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Fail, "{}", reason(&r, "retention_health"));
    says(&r, "retention_health", "retention approval is missing for artifact bundle");
}

fn retention_health_doc(level: &str, findings: Value) -> Value {
    let mut doc = sample_json("clean-store");
    for h in artifacts(&mut doc, "-closeout-retention-health") {
        h["alert_level"] = json!(level);
        h["findings"] = findings.clone();
    }
    doc
}

#[test]
fn a_healthy_report_that_checked_no_bundle_fails() {
    let mut doc = sample_json("clean-store");
    latest(&mut doc, "-closeout-retention-health")["artifact_bundle_count"] = json!(0);
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Fail);
    says(&r, "retention_health", "checked zero artifact bundles");
}

/// A finding about another artifact bundle is not held against this release; one about this release's
/// bundle is.
#[test]
fn health_findings_count_only_for_this_releases_artifact_bundle() {
    let finding =
        |bundle: &str| json!([{"severity": "warning", "category": "retention_expiring", "artifact_bundle_id": bundle}]);
    let other = retention_health_doc("warning", finding("gordackfinalartifact-0000000000000000"));
    let r = evaluate_json(&other, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Pass, "{}", reason(&r, "retention_health"));
    assert!(reason(&r, "retention_health").contains("none of its findings applies to this release"));
    let f = r.finding(CriterionId::RetentionHealth).unwrap();
    assert!(
        f.details.iter().any(|d| d.contains("retention_expiring (about another artifact bundle)")),
        "{:?}",
        f.details
    );

    let own = retention_health_doc("warning", finding("gordackfinalartifact-8956482f7570b861"));
    let r = evaluate_json(&own, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Warn, "{}", reason(&r, "retention_health"));
    says(&r, "retention_health", "is warning: retention_expiring");

    // The release has no artifact bundle (its closeout never got that far): a finding about a bundle is
    // about another release's.
    let mut none = other.clone();
    without_kind(&mut none, "-closeout-artifact-bundle");
    let r = evaluate_json(&none, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Fail);
    assert!(!reason(&r, "retention_health").contains("retention_expiring"), "{}", reason(&r, "retention_health"));
    let f = r.finding(CriterionId::RetentionHealth).unwrap();
    assert!(
        f.details.iter().any(|d| d.contains("retention_expiring (about another artifact bundle)")),
        "{:?}",
        f.details
    );
}

/// A report without findings is judged on its level alone: warning warns, critical fails.
#[test]
fn a_report_without_findings_is_judged_on_its_level() {
    let r = evaluate_json(&retention_health_doc("warning", json!([])), AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Warn, "{}", reason(&r, "retention_health"));
    assert!(reason(&r, "retention_health").contains("is warning with no findings"));
    let r = evaluate_json(&retention_health_doc("critical", json!([])), AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Fail, "{}", reason(&r, "retention_health"));
    assert!(reason(&r, "retention_health").contains("is critical with no findings"));
}

/// The retention date is cited only when it is the problem, and on the node that holds it: the bundle's
/// own date, else the decision's.
#[test]
fn retention_health_cites_the_node_that_holds_the_retention_date_when_it_is_the_problem() {
    let date_cites = |r: &Report| -> Vec<usize> {
        let f = r.finding(CriterionId::RetentionHealth).unwrap();
        f.cites.iter().filter(|c| c.pointer == "/retention_until").map(|c| c.node).collect()
    };
    let mut doc = sample_json("clean-store");
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Pass);
    assert!(date_cites(&r).is_empty(), "a date that is no problem is not cited");

    // Expired, the date on the bundle.
    let r = evaluate_json(&doc, "2027-09-14T00:00:00Z");
    assert_eq!(status(&r, "retention_health"), Status::Fail);
    assert_eq!(date_cites(&r), vec![r.chain.artifact_bundle.as_ref().unwrap().node]);

    // Expired, the bundle has no date: the decision's counts and is cited.
    latest(&mut doc, "-closeout-artifact-bundle").as_object_mut().unwrap().remove("retention_until");
    let r = evaluate_json(&doc, "2027-09-14T00:00:00Z");
    assert_eq!(status(&r, "retention_health"), Status::Fail, "{}", reason(&r, "retention_health"));
    assert_eq!(date_cites(&r), vec![r.chain.decision.as_ref().unwrap().node]);

    // Neither has a date: the bundle is what lacks one.
    latest(&mut doc, "-retention-review-decision").as_object_mut().unwrap().remove("retention_until");
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Warn, "{}", reason(&r, "retention_health"));
    assert!(reason(&r, "retention_health").contains("records no retention_until"));
    assert_eq!(date_cites(&r), vec![r.chain.artifact_bundle.as_ref().unwrap().node]);
}

/// Without an artifact bundle, a trial package's retention is judged on its review's date; runtime evidence
/// fails, since retention health checks bundles.
#[test]
fn retention_without_an_artifact_bundle_trial_uses_the_review_runtime_fails() {
    let mut trial = sample_json("trial-walkthrough");
    trial.as_object_mut().unwrap().remove("closeout_artifact_bundle");
    let r = evaluate_json(&trial, AS_OF);
    says(&r, "retention_health", "retention runs until 2027-09-14");
    assert!(!reason(&r, "retention_health").contains("no artifact bundle"), "{}", reason(&r, "retention_health"));
    let review = r.chain.decision.as_ref().unwrap().node;
    let cited = |r: &Report| {
        r.finding(CriterionId::RetentionHealth)
            .unwrap()
            .cites
            .iter()
            .any(|c| c.node == review && c.pointer == "/retention_until")
    };
    assert!(!cited(&r), "a date that is no problem is not cited");
    let r = evaluate_json(&trial, "2027-09-14T00:00:00Z");
    says(&r, "retention_health", "retention expired on 2027-09-14");
    assert!(cited(&r), "the review's expired date is cited");

    let mut runtime = sample_json("clean-store");
    without_kind(&mut runtime, "-closeout-artifact-bundle");
    let r = evaluate_json(&runtime, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Fail);
    assert!(
        reason(&r, "retention_health")
            .contains("no artifact bundle of release REL-2026.09-payments-api for retention health to check"),
        "{}",
        reason(&r, "retention_health")
    );
}

/// A health report that predates the release's artifact bundle did not check it: a warning, not a pass.
#[test]
fn a_health_report_that_did_not_check_the_bundle_warns() {
    let mut doc = sample_json("clean-store");
    for h in artifacts(&mut doc, "-closeout-retention-health") {
        h["bundle_statuses"][0]["artifact_bundle_id"] = json!("gordackfinalartifact-0000000000000000");
    }
    let r = evaluate_json(&doc, AS_OF);
    assert_eq!(status(&r, "retention_health"), Status::Warn, "{}", reason(&r, "retention_health"));
    assert!(
        reason(&r, "retention_health")
            .contains("did not check artifact bundle gordackfinalartifact-8956482f7570b861 (it predates it)"),
        "{}",
        reason(&r, "retention_health")
    );
}

#[test]
fn retry_workflow_next_step_follows_its_status() {
    let r = evaluate_sample("failed-delivery-no-retry-plan");
    let f = r.finding(CriterionId::RetryWorkflow).unwrap();
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.next_step,
        "Give every failed delivery a retry decision and dry-run worker evidence before any live redelivery."
    );
    let r = evaluate_sample("accepted-risk-store");
    let f = r.finding(CriterionId::RetryWorkflow).unwrap();
    assert_eq!(f.status, Status::Warn);
    assert!(f.next_step.starts_with("Review the retry plan"), "{}", f.next_step);
}

/// A trial plan's date-only target resolution date passes at 00:00Z of that date.
#[test]
fn a_trial_retry_plans_target_date_has_passed_from_its_first_second() {
    let doc = sample_json("trial-walkthrough");
    let at = |t: &str| reason(&evaluate_json(&doc, t), "retry_workflow");
    assert!(at(AS_OF).ends_with("; owner sample-platform-owner; target resolution 2026-09-21"), "{}", at(AS_OF));
    assert!(at("2026-09-20T23:59:59Z").ends_with("; target resolution 2026-09-21"), "{}", at("2026-09-20T23:59:59Z"));
    assert!(
        at("2026-09-21T00:00:00Z").ends_with("; target resolution date 2026-09-21 has passed"),
        "{}",
        at("2026-09-21T00:00:00Z")
    );
}

/// A trial package's alert delivery: none is needed while health is healthy; otherwise it must list a
/// provider, and each provider must have delivered.
#[test]
fn trial_retention_alerts_pass_warn_fail() {
    let base = sample_json("trial-walkthrough");
    let r = evaluate_json(&base, AS_OF);
    assert_eq!(status(&r, "retention_alerts"), Status::Pass, "{}", reason(&r, "retention_alerts"));

    let mut none = base.clone();
    none.as_object_mut().unwrap().remove("retention_alert_delivery");
    let r = evaluate_json(&none, AS_OF);
    assert_eq!(status(&r, "retention_alerts"), Status::Fail);
    assert_eq!(reason(&r, "retention_alerts"), "retention health is warning but no alert delivery is recorded");
    none["retention_health_report"]["health_state"] = json!("healthy");
    let r = evaluate_json(&none, AS_OF);
    assert_eq!(status(&r, "retention_alerts"), Status::Pass, "{}", reason(&r, "retention_alerts"));

    let mut failed = base.clone();
    failed["retention_alert_delivery"]["providers"][0]["delivery_state"] = json!("failed");
    let r = evaluate_json(&failed, AS_OF);
    assert_eq!(status(&r, "retention_alerts"), Status::Warn);
    assert_eq!(reason(&r, "retention_alerts"), "alert delivery to slack (failed) did not deliver");

    let mut empty = base.clone();
    empty["retention_alert_delivery"]["providers"] = json!([]);
    let r = evaluate_json(&empty, AS_OF);
    assert_eq!(status(&r, "retention_alerts"), Status::Fail);
    assert_eq!(reason(&r, "retention_alerts"), "the alert delivery lists no provider");
}
