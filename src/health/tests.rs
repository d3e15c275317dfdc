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

// ------------------------------------------------------------------------- the chain, on small stores

/// One item of a synthetic evidence-metadata store: CAVRA's wrapper around an artifact of `kind` with id
/// `id` (closeout deliveries: the connector delivery wrapper, delivered or not).
fn item(kind: &crate::evidence::Kind, id: &str, created: &str, release: Option<&str>, body: Value) -> Value {
    let mut art = body;
    art[kind.id_field().unwrap()] = json!(id);
    let mut it = json!({"metadata_kind": kind.metadata_kind(), "session_id": id, "created_at": created});
    if let Some(r) = release {
        it["release_record_ref"] = json!(r);
    }
    match kind {
        crate::evidence::Kind::CloseoutDelivery => {
            it["connector_delivery_source"] = json!(crate::evidence::kinds::SOURCE_RELEASE_CLOSEOUT)
        }
        crate::evidence::Kind::AlertDelivery => {
            it["connector_delivery_source"] = json!(crate::evidence::kinds::SOURCE_RETENTION_ALERT)
        }
        _ => {}
    }
    it[kind.embed_key().unwrap()] = art;
    it
}

fn store(items: Vec<Value>) -> crate::evidence::Evidence {
    let doc = json!({ "items": items });
    load_bytes("test.json", serde_json::to_vec(&doc).unwrap(), &LoadOptions::default()).unwrap()
}

fn node_of(ev: &crate::evidence::Evidence, id: &str) -> usize {
    ev.find(id).first().copied().unwrap_or_else(|| panic!("no node {id}"))
}

fn instant(t: &str) -> Option<DateTime<Utc>> {
    Some(parse_instant(t).unwrap())
}

/// Every release seen is listed once, the evaluated one first: its newest summary (a tie goes to the first
/// in load order, an older one loaded later does not replace it), how many summaries it has, and a
/// summary without `release_record_ref` shows as such.
#[test]
fn the_chain_lists_each_release_with_its_newest_summary_and_how_many_it_has() {
    use crate::evidence::Kind;
    use crate::model::Chain;
    let s = |id: &str, created: &str, rel: Option<&str>| item(&Kind::CloseoutSummary, id, created, rel, json!({}));
    let ev = store(vec![
        s("rcs-a1", "2026-09-14T09:00:00Z", Some("REL-A")),
        s("rcs-a2", "2026-09-14T09:10:00Z", Some("REL-A")),
        s("rcs-a3", "2026-09-14T09:10:00Z", Some("REL-A")),
        s("rcs-a4", "2026-09-14T08:00:00Z", Some("REL-A")),
        s("rcs-b1", "2026-09-14T09:30:00Z", Some("REL-B")),
        s("rcs-n1", "2026-09-14T07:00:00Z", None),
    ]);
    let chain = Chain::build(&ev, Some("REL-A")).unwrap();
    let got: Vec<(String, Option<String>, usize, bool)> = chain
        .releases
        .iter()
        .map(|r| (r.label(), r.summary.as_ref().map(|t| t.to_string()), r.summaries, r.evaluated))
        .collect();
    assert_eq!(
        got,
        [
            ("REL-A".to_string(), Some("rcs-a2".to_string()), 4, true),
            ("REL-B".to_string(), Some("rcs-b1".to_string()), 1, false),
            ("(no release_record_ref)".to_string(), Some("rcs-n1".to_string()), 1, false),
        ]
    );
    assert_eq!(chain.releases[0].newest, instant("2026-09-14T09:10:00Z"));
    assert_eq!(chain.summary.as_ref().map(|s| s.id.to_string()).as_deref(), Some("rcs-a2"), "the anchor");

    // Without --release the newest summary of all anchors the chain.
    let chain = Chain::build(&ev, None).unwrap();
    assert_eq!(chain.release.as_ref().map(|r| r.to_string()).as_deref(), Some("REL-B"));
    assert!(!chain.release_requested);
    assert_eq!(chain.releases.iter().map(|r| r.evaluated).collect::<Vec<_>>(), [true, false, false]);
}

/// How each node relates to the evaluated chain: its members are current, their older versions of the
/// release superseded, another release's artifacts out of scope, upstream evidence upstream unless it names
/// another release, and release-less evidence the chain does not use shared.
#[test]
fn the_chain_classifies_every_node_by_how_it_relates_to_the_evaluated_release() {
    use crate::evidence::Kind;
    use crate::model::{Chain, Scope};
    let ev = store(vec![
        item(&Kind::CloseoutSummary, "rcs-a1", "2026-09-14T09:00:00Z", Some("REL-A"), json!({})),
        item(&Kind::CloseoutSummary, "rcs-a2", "2026-09-14T09:10:00Z", Some("REL-A"), json!({})),
        item(&Kind::CloseoutSummary, "rcs-b1", "2026-09-14T09:30:00Z", Some("REL-B"), json!({})),
        item(&Kind::ReadinessBundle, "rb-a1", "2026-09-14T08:00:00Z", Some("REL-A"), json!({})),
        item(&Kind::ReadinessBundle, "rb-a2", "2026-09-14T08:30:00Z", Some("REL-A"), json!({})),
        item(&Kind::ReadinessSummary, "rrs-none", "2026-09-14T07:00:00Z", None, json!({})),
        item(&Kind::ReadinessSummary, "rrs-a", "2026-09-14T07:00:00Z", Some("REL-A"), json!({})),
        item(&Kind::ReadinessSummary, "rrs-b", "2026-09-14T07:00:00Z", Some("REL-B"), json!({})),
        item(&Kind::RetentionHealth, "rh-old", "2026-09-14T09:00:00Z", None, json!({})),
        item(&Kind::RetentionHealth, "rh-new", "2026-09-14T09:20:00Z", None, json!({})),
    ]);
    let chain = Chain::build(&ev, Some("REL-A")).unwrap();
    let scope = |id: &str| chain.scope[node_of(&ev, id)];
    for (id, want) in [
        ("rcs-a2", Scope::Current),
        ("rb-a2", Scope::Current),
        ("rh-new", Scope::Current),
        ("rcs-a1", Scope::Superseded),
        ("rb-a1", Scope::Superseded),
        ("rcs-b1", Scope::OutOfScope),
        ("rrs-b", Scope::OutOfScope),
        ("rrs-none", Scope::Upstream),
        ("rrs-a", Scope::Upstream),
        ("rh-old", Scope::Shared),
    ] {
        assert_eq!(scope(id), want, "{id}");
    }
    assert_eq!(chain.scope.len(), ev.nodes.len());
    assert_eq!(chain.bundle.get().map(|b| b.id.to_string()).as_deref(), Some("rb-a2"), "the release's newest bundle");
}

/// The chain a load prepares is the evaluated release's, and is taken only when that is the one asked for:
/// asked for another release, or for a release by name, the chain is built for it.
#[test]
fn the_prepared_chain_is_taken_only_for_the_release_it_was_built_for() {
    use crate::evidence::Kind;
    use crate::model::Chain;
    let ev = store(vec![
        item(&Kind::CloseoutSummary, "rcs-a", "2026-09-14T09:00:00Z", Some("REL-A"), json!({})),
        item(&Kind::CloseoutSummary, "rcs-b", "2026-09-14T09:30:00Z", Some("REL-B"), json!({})),
    ]);
    let prepared = ev.prepared_chain.clone().expect("the load prepares the chain");
    assert_eq!(prepared.release.as_ref().map(|r| r.to_string()).as_deref(), Some("REL-B"), "the newest summary's");
    let default = Chain::of(&ev, None).unwrap();
    assert!(std::sync::Arc::ptr_eq(&default, &prepared), "the default release takes the prepared chain");
    // Naming the newest release is asking for it (the report says it was requested): a chain of its own.
    let named = Chain::of(&ev, Some(&crate::text::Text::new("REL-B"))).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&named, &prepared));
    assert!(named.release_requested && !prepared.release_requested);
    let other = Chain::of(&ev, Some(&crate::text::Text::new("REL-A"))).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&other, &prepared));
    assert_eq!(other.release.as_ref().map(|r| r.to_string()).as_deref(), Some("REL-A"));
    assert_eq!(other.summary.as_ref().map(|s| s.id.to_string()).as_deref(), Some("rcs-a"));

    // Loaded with `--release REL-A`: that release's chain is prepared, and taken for it.
    let items = json!({ "items": [
        item(&Kind::CloseoutSummary, "rcs-a", "2026-09-14T09:00:00Z", Some("REL-A"), json!({})),
        item(&Kind::CloseoutSummary, "rcs-b", "2026-09-14T09:30:00Z", Some("REL-B"), json!({})),
    ]});
    let opts = LoadOptions { release: Some("REL-A".into()), ..LoadOptions::default() };
    let mut ev = load_bytes("test.json", serde_json::to_vec(&items).unwrap(), &opts).unwrap();
    let prepared = ev.prepared_chain.clone().expect("the load prepares the chain");
    assert!(std::sync::Arc::ptr_eq(&Chain::of(&ev, None).unwrap(), &prepared));
    assert!(std::sync::Arc::ptr_eq(&Chain::of(&ev, Some(&crate::text::Text::new("REL-A"))).unwrap(), &prepared));
    let b = Chain::of(&ev, Some(&crate::text::Text::new("REL-B"))).unwrap();
    assert_eq!(b.summary.as_ref().map(|s| s.id.to_string()).as_deref(), Some("rcs-b"));
    // The chain is judged by what it is, not by the evidence's release at load: change that, and the prepared
    // chain no longer fits.
    ev.release = Some("REL-B".into());
    let now = Chain::of(&ev, None).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&now, &prepared));
    assert_eq!(now.summary.as_ref().map(|s| s.id.to_string()).as_deref(), Some("rcs-b"));
}

/// An item of `kind` that names the artifacts in `links` (field -> id), e.g. a review request's summary.
fn linked_item(
    kind: &crate::evidence::Kind,
    id: &str,
    created: &str,
    release: Option<&str>,
    links: &[(&str, &str)],
) -> Value {
    let body: serde_json::Map<String, Value> = links.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    item(kind, id, created, release, Value::Object(body))
}

fn ids<'a>(ev: &crate::evidence::Evidence, nodes: impl IntoIterator<Item = &'a usize>) -> Vec<String> {
    nodes.into_iter().map(|&i| ev.nodes[i].id.to_string()).collect()
}

/// The chain joins deliveries, review requests and decisions, and artifact bundles to the evaluated release
/// by the summary (or request) id they name, and by their release only when the id they name is not one of
/// a stored summary: an artifact of another release, or naming another release's summary, never joins.
#[test]
fn the_chain_joins_its_members_by_the_ids_they_name_and_else_by_release() {
    use crate::evidence::Kind;
    use crate::model::Chain;
    let (a, b) = (Some("REL-A"), Some("REL-B"));
    let delivery = |id: &str, created: &str, rel: Option<&str>, summary: &str| {
        let mut it = item(&Kind::CloseoutDelivery, id, created, rel, json!({"success": true}));
        it["delivery_success"] = json!(true);
        it["summary_id"] = json!(summary);
        it
    };
    let mut items = vec![
        item(&Kind::CloseoutSummary, "rcs-a", "2026-09-14T09:00:00Z", a, json!({})),
        item(&Kind::CloseoutSummary, "rcs-b", "2026-09-14T08:00:00Z", b, json!({})),
        // Deliveries: by the summary they delivered; a summary the evidence lacks falls back to the release.
        delivery("rcd-1-a-named", "2026-09-14T09:01:00Z", None, "rcs-a"),
        delivery("rcd-2-a-unknown-summary", "2026-09-14T09:02:00Z", a, "rcs-not-stored"),
        delivery("rcd-3-a-names-b", "2026-09-14T09:03:00Z", a, "rcs-b"),
        delivery("rcd-4-b", "2026-09-14T09:04:00Z", b, "rcs-b"),
        // Review requests.
        linked_item(
            &Kind::RetentionReviewRequest,
            "rrq-1-a-named",
            "2026-09-14T09:05:00Z",
            None,
            &[("summary_id", "rcs-a")],
        ),
        linked_item(
            &Kind::RetentionReviewRequest,
            "rrq-2-a-unknown",
            "2026-09-14T09:05:00Z",
            a,
            &[("summary_id", "rcs-gone")],
        ),
        linked_item(&Kind::RetentionReviewRequest, "rrq-3-b", "2026-09-14T09:05:00Z", b, &[("summary_id", "rcs-b")]),
        // Says it is of this release but names the other release's stored summary: joins that one, by the id.
        linked_item(
            &Kind::RetentionReviewRequest,
            "rrq-4-a-names-b",
            "2026-09-14T09:05:00Z",
            a,
            &[("summary_id", "rcs-b")],
        ),
        // Decisions: the newest one joined by its request (or else its summary); another release's newer one
        // does not count.
        linked_item(
            &Kind::RetentionReviewDecision,
            "rrd-1-a",
            "2026-09-14T09:06:00Z",
            None,
            &[("review_id", "rrq-1-a-named")],
        ),
        linked_item(&Kind::RetentionReviewDecision, "rrd-2-b", "2026-09-14T09:07:00Z", b, &[("review_id", "rrq-3-b")]),
        // Artifact bundles: another release's bundle is skipped even when it names this release's summary.
        linked_item(&Kind::ArtifactBundle, "cab-1-a", "2026-09-14T09:08:00Z", None, &[("summary_id", "rcs-a")]),
        linked_item(&Kind::ArtifactBundle, "cab-2-b", "2026-09-14T09:09:00Z", b, &[("summary_id", "rcs-a")]),
    ];
    let ev = store(items.clone());
    let chain = Chain::build(&ev, Some("REL-A")).unwrap();
    assert_eq!(ids(&ev, &chain.deliveries), ["rcd-1-a-named", "rcd-2-a-unknown-summary"]);
    assert_eq!(chain.last_delivery.as_ref().map(|d| d.id.to_string()).as_deref(), Some("rcd-2-a-unknown-summary"));
    let last = chain.last_delivery.as_ref().unwrap();
    assert_eq!(last.summary_id.as_ref().map(|t| t.to_string()).as_deref(), Some("rcs-not-stored"));
    assert_eq!(ids(&ev, &chain.requests), ["rrq-1-a-named", "rrq-2-a-unknown"]);
    assert_eq!(chain.decision.as_ref().map(|d| d.id.to_string()).as_deref(), Some("rrd-1-a"));
    assert_eq!(chain.artifact_bundle.as_ref().map(|b| b.id.to_string()).as_deref(), Some("cab-1-a"));

    // A newer release-less bundle that names the other release's summary is that release's, not this one's.
    items.push(linked_item(
        &Kind::ArtifactBundle,
        "cab-3-none",
        "2026-09-14T09:30:00Z",
        None,
        &[("summary_id", "rcs-b")],
    ));
    let ev = store(items);
    let chain = Chain::build(&ev, Some("REL-A")).unwrap();
    assert_eq!(chain.artifact_bundle.as_ref().map(|b| b.id.to_string()).as_deref(), Some("cab-1-a"));
    let chain = Chain::build(&ev, Some("REL-B")).unwrap();
    assert_eq!(ids(&ev, &chain.deliveries), ["rcd-3-a-names-b", "rcd-4-b"]);
    assert_eq!(ids(&ev, &chain.requests), ["rrq-3-b", "rrq-4-a-names-b"]);
    assert_eq!(chain.decision.as_ref().map(|d| d.id.to_string()).as_deref(), Some("rrd-2-b"));
    assert_eq!(chain.artifact_bundle.as_ref().map(|b| b.id.to_string()).as_deref(), Some("cab-3-none"));
}

/// Evidence that names no release at all is evaluated as one: a member that names a summary the evidence
/// does not hold joins it by release (as one naming none does), the same rule as for deliveries; one naming
/// a stored summary joins by that summary only.
#[test]
fn without_any_release_a_member_naming_a_summary_the_evidence_lacks_still_joins() {
    use crate::evidence::Kind;
    use crate::model::Chain;
    let items = vec![
        linked_item(&Kind::RetentionReviewRequest, "rrq-none", "2026-09-14T09:05:00Z", None, &[]),
        linked_item(
            &Kind::RetentionReviewRequest,
            "rrq-gone",
            "2026-09-14T09:06:00Z",
            None,
            &[("summary_id", "rcs-gone")],
        ),
        linked_item(&Kind::ArtifactBundle, "cab-gone", "2026-09-14T09:08:00Z", None, &[("summary_id", "rcs-gone")]),
    ];
    let ev = store(items);
    let chain = Chain::build(&ev, None).unwrap();
    assert!(chain.release.is_none(), "no release is named");
    assert_eq!(ids(&ev, &chain.requests), ["rrq-none", "rrq-gone"]);
    assert_eq!(chain.artifact_bundle.as_ref().map(|b| b.id.to_string()).as_deref(), Some("cab-gone"));
}

/// Retention health is global: the newest report, the newest alert plan for that report (a newer plan for
/// an older report is only kept as the stale one when none is for it), and the alert delivery that names
/// the plan by `event_id` or by `plan_id`.
#[test]
fn the_chain_takes_the_alert_plan_of_the_newest_health_report_and_the_delivery_of_that_plan() {
    use crate::evidence::Kind;
    use crate::model::Chain;
    let alert = |id: &str, created: &str, event: Option<&str>, plan: Option<&str>| {
        let mut it = item(&Kind::AlertDelivery, id, created, None, json!({"success": true}));
        it["delivery_success"] = json!(true);
        if let Some(e) = event {
            it["delivery"]["event_id"] = json!(e);
        }
        if let Some(p) = plan {
            it["plan_id"] = json!(p);
        }
        it
    };
    let base = vec![
        item(&Kind::CloseoutSummary, "rcs-a", "2026-09-14T09:00:00Z", Some("REL-A"), json!({})),
        item(&Kind::RetentionHealth, "rh-old", "2026-09-14T09:10:00Z", None, json!({})),
        item(&Kind::RetentionHealth, "rh-new", "2026-09-14T09:20:00Z", None, json!({})),
        linked_item(&Kind::RetentionAlertPlan, "ap-old", "2026-09-14T09:30:00Z", None, &[("health_id", "rh-old")]),
    ];
    let ev = store(base.clone());
    let chain = Chain::build(&ev, None).unwrap();
    assert_eq!(chain.health.as_ref().map(|h| h.id.to_string()).as_deref(), Some("rh-new"));
    assert!(chain.alert_plan.is_none());
    assert_eq!(chain.stale_alert_plan.as_ref().map(|p| p.id.to_string()).as_deref(), Some("ap-old"));

    let mut items = base;
    items.push(linked_item(
        &Kind::RetentionAlertPlan,
        "ap-new",
        "2026-09-14T09:25:00Z",
        None,
        &[("health_id", "rh-new")],
    ));
    items.push(alert("ad-other", "2026-09-14T09:40:00Z", Some("ap-old"), None));
    items.push(alert("ad-by-event", "2026-09-14T09:26:00Z", Some("ap-new"), None));
    let ev = store(items.clone());
    let chain = Chain::build(&ev, None).unwrap();
    assert_eq!(chain.alert_plan.as_ref().map(|p| p.id.to_string()).as_deref(), Some("ap-new"));
    assert!(chain.stale_alert_plan.is_none(), "a plan for the newest report exists");
    assert_eq!(chain.alert_delivery.as_ref().map(|d| d.id.to_string()).as_deref(), Some("ad-by-event"));

    items.push(alert("ad-by-plan", "2026-09-14T09:27:00Z", None, Some("ap-new")));
    let ev = store(items);
    let chain = Chain::build(&ev, None).unwrap();
    assert_eq!(chain.alert_delivery.as_ref().map(|d| d.id.to_string()).as_deref(), Some("ad-by-plan"));
}

/// With no closeout summary at all, the evaluated release is that of the newest chain artifact naming one
/// (upstream evidence and release-less chain artifacts do not decide it).
#[test]
fn without_a_closeout_summary_the_newest_chain_artifact_names_the_release() {
    use crate::evidence::Kind;
    use crate::model::Chain;
    let ev = store(vec![
        item(&Kind::ReadinessBundle, "rb-a", "2026-09-14T09:00:00Z", Some("REL-A"), json!({})),
        item(&Kind::ReadinessSummary, "rrs-b", "2026-09-14T09:10:00Z", Some("REL-B"), json!({})),
        item(&Kind::RetentionHealth, "rh", "2026-09-14T09:20:00Z", None, json!({})),
    ]);
    let chain = Chain::build(&ev, None).unwrap();
    assert!(chain.summary.is_none());
    assert_eq!(chain.release.as_ref().map(|r| r.to_string()).as_deref(), Some("REL-A"));
    assert_eq!(chain.bundle.get().map(|b| b.id.to_string()).as_deref(), Some("rb-a"));
}

/// Retry evidence of release REL-A, whose closeout summary is `rcs-a`.
mod retry_store {
    use serde_json::{Value, json};

    use super::item;
    use crate::evidence::Kind;

    pub const REL: Option<&str> = Some("REL-A");

    pub fn summary() -> Value {
        item(&Kind::CloseoutSummary, "rcs-a", "2026-09-14T08:00:00Z", REL, json!({}))
    }

    pub fn delivery(id: &str, created: &str, ok: bool) -> Value {
        let mut it = item(&Kind::CloseoutDelivery, id, created, REL, json!({"success": ok}));
        it["delivery_success"] = json!(ok);
        it["summary_id"] = json!("rcs-a");
        it
    }

    pub fn record(id: &str, created: &str, delivery: &str, new_delivery: Option<&str>, run: Option<&str>) -> Value {
        let status = if new_delivery.is_some() { "delivered" } else { "skipped" };
        let body = json!({"delivery_id": delivery, "new_delivery_id": new_delivery, "run_id": run, "execution_status": status});
        item(&Kind::ExecutionRecord, id, created, REL, body)
    }

    pub fn run(id: &str, created: &str, selected: &[&str]) -> Value {
        let selected: Vec<Value> = selected.iter().map(|d| json!({"delivery_id": d})).collect();
        item(&Kind::WorkerRun, id, created, None, json!({"dry_run": false, "selected_retries": selected}))
    }

    pub fn plan(id: &str, created: &str, decisions: &[(&str, &str)]) -> Value {
        let decisions: Vec<Value> = decisions.iter().map(|(d, a)| json!({"delivery_id": d, "action": a})).collect();
        item(&Kind::RetryPlan, id, created, None, json!({"retry_decisions": decisions}))
    }
}

/// An open failure and everything the retry workflow recorded for it: its live redeliveries (each once, a
/// link to a delivery of no release ignored), the plan holding its decision, the worker runs that selected
/// it or that an execution record names (not one that did neither), and its execution records. A successful
/// redelivery closes it; it is not a later delivery.
#[test]
fn a_retry_case_collects_the_redeliveries_plan_runs_and_records_of_its_failure() {
    use crate::model::{Chain, Scope};
    use retry_store::*;
    let ev = store(vec![
        summary(),
        delivery("del-1", "2026-09-14T09:00:00Z", false),
        plan("rp-1", "2026-09-14T09:05:00Z", &[("del-1", "retry")]),
        plan("rp-0", "2026-09-14T09:04:00Z", &[("del-9", "wait")]),
        run("wr-1", "2026-09-14T09:10:00Z", &["del-1"]),
        record("ex-1", "2026-09-14T09:11:00Z", "del-1", Some("del-2"), Some("wr-1")),
        delivery("del-2", "2026-09-14T09:11:00Z", false),
        record("ex-2", "2026-09-14T09:12:00Z", "del-1", Some("del-3"), Some("wr-1")),
        record("ex-2b", "2026-09-14T09:12:30Z", "del-1", Some("del-3"), Some("wr-1")),
        record("ex-4", "2026-09-14T09:12:40Z", "del-1", Some("del-elsewhere"), Some("wr-1")),
        delivery("del-3", "2026-09-14T09:12:00Z", true),
        run("wr-2", "2026-09-14T09:13:00Z", &[]),
        record("ex-3", "2026-09-14T09:13:00Z", "del-1", None, Some("wr-2")),
        run("wr-3", "2026-09-14T09:14:00Z", &["del-1"]),
        run("wr-4", "2026-09-14T09:15:00Z", &["del-9"]),
    ]);
    let chain = Chain::build(&ev, Some("REL-A")).unwrap();
    assert_eq!(chain.retry.len(), 1);
    let case = &chain.retry[0];
    assert_eq!(case.delivery.id.to_string(), "del-1");
    let redeliveries: Vec<String> = case.redeliveries.iter().map(|d| d.id.to_string()).collect();
    assert_eq!(redeliveries, ["del-2", "del-3"]);
    assert_eq!(case.delivery_ids().iter().map(|t| t.to_string()).collect::<Vec<_>>(), ["del-1", "del-2", "del-3"]);
    assert!(case.delivered_later.is_none(), "its own redelivery is not a later delivery");
    assert_eq!(case.closed_by().map(|d| d.id.to_string()).as_deref(), Some("del-3"));
    assert_eq!(case.plan.as_ref().map(|p| p.id.to_string()).as_deref(), Some("rp-1"));
    assert_eq!(case.decision.as_ref().map(|d| d.delivery_id.to_string()).as_deref(), Some("del-1"));
    assert_eq!(ids(&ev, &case.plans), ["rp-1"]);
    assert_eq!(case.runs.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), ["wr-1", "wr-2", "wr-3"]);
    assert_eq!(
        case.records.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
        ["ex-1", "ex-2", "ex-2b", "ex-4", "ex-3"]
    );
    assert!(case.any_worker_run);
    assert_eq!(case.plan.as_ref().and_then(|p| p.created), instant("2026-09-14T09:05:00Z"));
    assert_eq!(case.runs[1].created, instant("2026-09-14T09:13:00Z"));
    assert_eq!(case.records[0].created, instant("2026-09-14T09:11:00Z"));
    // The case's evidence is part of the chain.
    for id in ["del-1", "del-2", "del-3", "rp-1", "wr-1", "wr-2", "wr-3", "ex-1", "ex-3"] {
        assert_eq!(chain.scope[node_of(&ev, id)], Scope::Current, "{id}");
    }
    assert_ne!(chain.scope[node_of(&ev, "wr-4")], Scope::Current);
    assert_ne!(chain.scope[node_of(&ev, "rp-0")], Scope::Current);
}

/// An older failure superseded by a later failed attempt (not its redelivery) and never delivered is not
/// reported; the newest attempt is the open case. Without any worker run, it says so.
#[test]
fn only_the_newest_of_two_failed_attempts_is_an_open_retry_case() {
    use crate::model::Chain;
    use retry_store::*;
    let ev = store(vec![
        summary(),
        delivery("del-1", "2026-09-14T09:00:00Z", false),
        delivery("del-2", "2026-09-14T09:10:00Z", false),
    ]);
    let chain = Chain::build(&ev, Some("REL-A")).unwrap();
    let cases: Vec<String> = chain.retry.iter().map(|c| c.delivery.id.to_string()).collect();
    assert_eq!(cases, ["del-2"]);
    assert!(!chain.retry[0].any_worker_run);
    assert!(chain.retry[0].closed_by().is_none());
}

/// Failures closed by a later delivery are reported without reading the retry workflow, the newest three of
/// them, oldest first; each says whether the evidence holds any worker run at all.
#[test]
fn the_newest_three_failures_closed_by_a_later_delivery_are_reported() {
    use crate::model::Chain;
    use retry_store::*;
    let mut items = vec![summary()];
    for (i, hour) in ["01", "02", "03", "04"].iter().enumerate() {
        items.push(delivery(&format!("del-{i}-failed"), &format!("2026-09-14T{hour}:00:00Z"), false));
        items.push(delivery(&format!("del-{i}-ok"), &format!("2026-09-14T{hour}:30:00Z"), true));
    }
    items.push(delivery("del-9-open", "2026-09-14T05:00:00Z", false));
    let ev = store(items.clone());
    let chain = Chain::build(&ev, Some("REL-A")).unwrap();
    let cases: Vec<(String, Option<String>)> = chain
        .retry
        .iter()
        .map(|c| (c.delivery.id.to_string(), c.delivered_later.as_ref().map(|d| d.id.to_string())))
        .collect();
    assert_eq!(
        cases,
        [
            ("del-1-failed".to_string(), Some("del-1-ok".to_string())),
            ("del-2-failed".to_string(), Some("del-2-ok".to_string())),
            ("del-3-failed".to_string(), Some("del-3-ok".to_string())),
            ("del-9-open".to_string(), None),
        ]
    );
    assert_eq!(chain.retry[0].closed_by().map(|d| d.id.to_string()).as_deref(), Some("del-1-ok"));
    assert!(chain.retry.iter().all(|c| !c.any_worker_run));

    items.push(run("wr-unrelated", "2026-09-14T06:00:00Z", &["del-elsewhere"]));
    let chain = Chain::build(&store(items), Some("REL-A")).unwrap();
    assert_eq!(chain.retry.len(), 4);
    assert!(chain.retry.iter().all(|c| c.any_worker_run && c.runs.is_empty()));
}

/// Following redelivery links is bounded: a failure with more live redeliveries than that keeps 64 of them.
#[test]
fn a_failure_keeps_at_most_64_redeliveries() {
    use crate::model::Chain;
    use retry_store::*;
    let mut items = vec![summary(), delivery("del-0", "2026-09-14T09:00:00Z", false)];
    for i in 1..=70 {
        let (id, at) = (format!("del-r{i:02}"), format!("2026-09-14T10:{:02}:{:02}Z", i / 60, i % 60));
        items.push(record(&format!("ex-{i:02}"), &at, "del-0", Some(&id), None));
        items.push(delivery(&id, &at, false));
    }
    let chain = Chain::build(&store(items), Some("REL-A")).unwrap();
    assert_eq!(chain.retry.len(), 1);
    assert_eq!(chain.retry[0].redeliveries.len(), 64);
}

// ------------------------------------------------------------------ artifacts, read from small stores

/// A closeout delivery's fields: its time, the summary it delivered (absent when empty), and the failure
/// text naming each provider that did not succeed with its error, HTTP status and attempts.
#[test]
fn a_delivery_reads_its_time_summary_and_the_providers_that_failed() {
    use crate::evidence::Kind;
    use crate::model::{Delivery, DeliveryOutcome};
    let providers = json!([
        {"provider": "webhook", "success": false, "status_code": 503, "attempt_count": 3, "error": "HTTP request failed"},
        {"provider": "slack", "success": true, "status_code": 200, "attempt_count": 1},
        {"provider": "email", "success": false, "attempt_count": 1},
        {"success": null},
    ]);
    let mut failed = item(&Kind::CloseoutDelivery, "rcd-failed", "2026-09-14T09:13:00Z", Some("REL-A"), json!({}));
    failed["delivery"]["deliveries"] = providers;
    failed["delivery_success"] = json!(false);
    failed["summary_id"] = json!("rcs-a");
    let mut unknown = item(&Kind::CloseoutDelivery, "rcd-unknown", "2026-09-14T09:14:00Z", Some("REL-A"), json!({}));
    unknown["summary_id"] = json!("");
    let ev = store(vec![failed, unknown]);

    let d = Delivery::read(&ev, node_of(&ev, "rcd-failed")).unwrap();
    assert_eq!(d.created, instant("2026-09-14T09:13:00Z"));
    assert_eq!(d.summary_id.as_ref().map(|t| t.to_string()).as_deref(), Some("rcs-a"));
    assert_eq!(d.outcome, DeliveryOutcome::Failed);
    assert_eq!(d.providers.len(), 4);
    assert_eq!(d.providers[1].success, Some(true));
    assert_eq!(d.providers[3].success, None, "null is not a success either way");
    assert_eq!(d.failure_text(), "webhook: HTTP request failed, HTTP 503, 3 attempts; email, 1 attempt; provider");

    let d = Delivery::read(&ev, node_of(&ev, "rcd-unknown")).unwrap();
    assert!(d.summary_id.is_none(), "an empty summary_id names none");
    assert!(matches!(d.outcome, DeliveryOutcome::Unknown(_)));
    assert_eq!(d.failure_text(), "no success recorded");
}

/// An execution record is a dry run only when it was skipped because of a dry run.
#[test]
fn an_execution_record_is_a_dry_run_only_when_skipped_for_a_dry_run() {
    use crate::evidence::Kind;
    use crate::model::ExecutionRecord;
    let rec = |id: &str, status: &str, reason: Option<&str>| {
        item(
            &Kind::ExecutionRecord,
            id,
            "2026-09-14T09:31:00Z",
            None,
            json!({"execution_status": status, "skip_reason": reason}),
        )
    };
    let ev = store(vec![
        rec("ex-dry", "skipped", Some("dry_run")),
        rec("ex-other", "skipped", Some("max_attempts_reached")),
        rec("ex-none", "skipped", None),
        rec("ex-live", "delivered", Some("dry_run")),
    ]);
    let dry = |id: &str| ExecutionRecord::read(&ev, node_of(&ev, id)).unwrap().is_dry_run();
    assert!(dry("ex-dry"));
    assert!(!dry("ex-other"));
    assert!(!dry("ex-none"));
    assert!(!dry("ex-live"), "a delivered record is not a dry run whatever its skip reason");
    let r = ExecutionRecord::read(&ev, node_of(&ev, "ex-dry")).unwrap();
    assert_eq!(r.created, instant("2026-09-14T09:31:00Z"));
}
