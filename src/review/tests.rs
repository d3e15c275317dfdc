//! Review records: round trip, acceptance, and every way a record stops counting.

use serde_json::{Value, json};

use super::*;
use crate::evidence::{LoadOptions, load_bytes, load_path};
use crate::health::{Verdict, evaluate};
use crate::time::parse_instant;

const AS_OF: &str = "2026-09-14T10:00:00Z";

/// Our accepted-risk sample: one failed webhook delivery, a retry plan, a dry-run worker run.
fn store() -> Value {
    serde_json::from_slice(crate::samples::bytes(&crate::samples::get("accepted-risk-store").unwrap())).unwrap()
}

fn load(doc: &Value) -> Evidence {
    load_bytes("store.json", serde_json::to_vec(doc).unwrap(), &LoadOptions::default()).unwrap()
}

/// The sample written to a file (for records that live beside their evidence).
fn on_disk(dir: &Path) -> PathBuf {
    let p = dir.join("evidence.json");
    std::fs::write(&p, serde_json::to_vec(&store()).unwrap()).unwrap();
    p
}

fn report(ev: &Evidence) -> Report {
    evaluate(ev, &[], parse_instant(AS_OF).unwrap()).unwrap()
}

fn failed_delivery(ev: &Evidence) -> String {
    report(ev).chain.retry[0].delivery.id.to_string()
}

fn form() -> AcceptanceInput {
    AcceptanceInput {
        owner: "release-risk-owner".into(),
        external_ref: "CHG-2026-0914-0099".into(),
        reason: "Webhook outage; redelivery planned after the provider fix.".into(),
        target_resolution_date: "2026-09-18".into(),
        expires_at: "2026-09-21".into(),
    }
}

fn record(ev: &Evidence) -> ReviewRecord {
    let delivery = failed_delivery(ev);
    let panes =
        PANES.iter().map(|p| PaneOutcome { pane: p.to_string(), outcome: "reviewed".into(), note: None }).collect();
    let r = report(ev);
    build_record(
        ev,
        &r,
        RecordInput {
            reviewer: "sample-reviewer",
            reviewed_at: parse_instant("2026-09-14T09:50:00Z").unwrap(),
            as_of: parse_instant(AS_OF).unwrap(),
            deliveries: vec![DeliveryReview { delivery_id: delivery, panes }],
            acceptance: Some(&form()),
            covers: warned(&r),
        },
    )
    .unwrap()
}

fn verdict_with(ev: &Evidence, rec: &ReviewRecord, as_of: &str) -> (Verdict, String) {
    let acc: Vec<Acceptance> = to_acceptance(rec, "review.json", ev).unwrap().into_iter().collect();
    let r = evaluate(ev, &acc, parse_instant(as_of).unwrap()).unwrap();
    (r.verdict, r.verdict_reason)
}

/// The item whose session_id starts with `prefix`.
fn item<'a>(doc: &'a mut Value, prefix: &str) -> &'a mut Value {
    doc["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["session_id"].as_str().unwrap().starts_with(prefix))
        .unwrap()
}

#[test]
fn review_turns_the_accepted_risk_store_ready_with_accepted_risk() {
    let ev = load(&store());
    assert_eq!(report(&ev).verdict, Verdict::Blocked);
    let rec = record(&ev);
    assert!(rec.is_intact());
    let kinds: Vec<&str> = rec.artifacts.iter().map(|a| a.kind.as_str()).collect();
    for k in ["closeout_delivery", "retry_plan", "worker_run", "execution_record", "retention_health"] {
        assert!(kinds.contains(&k), "pins every artifact the accepted warnings cite ({k}): {kinds:?}");
    }
    let (v, why) = verdict_with(&ev, &rec, AS_OF);
    assert_eq!(v, Verdict::ReadyWithAcceptedRisk, "{why}");
    assert!(why.contains("release-risk-owner"), "{why}");
}

#[test]
fn old_records_that_stored_kind_labels_still_read() {
    let ev = load(&store());
    let mut rec = record(&ev);
    for a in &mut rec.artifacts {
        a.kind = Kind::from_stable(&a.kind).unwrap().name().to_string();
    }
    let rec = rec.seal();
    assert_eq!(verdict_with(&ev, &rec, AS_OF).0, Verdict::ReadyWithAcceptedRisk);
}

#[test]
fn a_record_that_pins_nothing_binds_nothing() {
    let ev = load(&store());
    let mut rec = record(&ev);
    rec.artifacts.clear();
    let rec = rec.seal();
    let (v, why) = verdict_with(&ev, &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("pins no artifact"), "{why}");
}

#[test]
fn record_round_trips_through_an_atomic_write() {
    let dir = tempfile::tempdir().unwrap();
    let ev = load_path(&on_disk(dir.path()), &LoadOptions::default()).unwrap();
    let rec = record(&ev);
    let path = dir.path().join("review.json");
    write_atomic(&path, &rec, &ev).unwrap();
    let back = load_record(&path).unwrap();
    assert_eq!(back, rec);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"schema\": \"closeout.review.v1\""));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "the evidence and the record, no temporary file left: {leftovers:?}");
    // An existing record may be replaced.
    write_atomic(&path, &rec, &ev).unwrap();
}

#[test]
fn atomic_write_refuses_evidence_and_leaves_nothing_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let evidence_copy = on_disk(dir.path());
    let ev = load_path(&evidence_copy, &LoadOptions::default()).unwrap();
    let rec = record(&ev);
    let before = std::fs::read(&evidence_copy).unwrap();
    let err = write_atomic(&evidence_copy, &rec, &ev).unwrap_err();
    assert!(err.problem.contains("over an evidence file"), "{err}");
    assert_eq!(std::fs::read(&evidence_copy).unwrap(), before, "evidence untouched");
    let notes = dir.path().join("notes.json");
    std::fs::write(&notes, "{\"not\": \"a record\"}").unwrap();
    assert!(write_atomic(&notes, &rec, &ev).unwrap_err().problem.contains("not a closeout review record"));
    let missing_dir = dir.path().join("no-such-dir").join("review.json");
    assert!(write_atomic(&missing_dir, &rec, &ev).is_err());
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn changed_retry_plan_voids_the_acceptance() {
    let doc = store();
    let ev = load(&doc);
    let rec = record(&ev);
    let plan_id = report(&ev).chain.retry[0].plan.as_ref().unwrap().id.to_string();
    // The reviewed plan is edited in place.
    let mut edited = doc.clone();
    item(&mut edited, &plan_id)["final_reporting_release_closeout_delivery_retry_plan"]["retry_delay_minutes"] =
        json!(60);
    let (v, why) = verdict_with(&load(&edited), &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains(&format!("retry plan {plan_id} changed since the review")), "{why}");

    // A newer plan replaces it: the warnings now rest on an artifact the review never saw.
    let mut replaced = doc.clone();
    let mut newer = item(&mut replaced, &plan_id).clone();
    newer["session_id"] = json!("gordackfinalcloseoutretry-00000000000000ff");
    newer["created_at"] = json!("2026-09-14T09:55:00+00:00");
    newer["final_reporting_release_closeout_delivery_retry_plan"]["retry_plan_id"] =
        json!("gordackfinalcloseoutretry-00000000000000ff");
    replaced["items"].as_array_mut().unwrap().push(newer);
    let (v, why) = verdict_with(&load(&replaced), &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("gordackfinalcloseoutretry-00000000000000ff, which the review did not see"), "{why}");
}

#[test]
fn expired_acceptance_blocks_again() {
    let ev = load(&store());
    let rec = record(&ev);
    assert_eq!(verdict_with(&ev, &rec, "2026-09-20T23:59:59Z").0, Verdict::ReadyWithAcceptedRisk);
    let (v, why) = verdict_with(&ev, &rec, "2026-09-21T00:00:00Z");
    assert_eq!(v, Verdict::Blocked, "a date-only expiry ends at 00:00Z of that date");
    assert!(why.contains("expired on 2026-09-21"), "{why}");
}

#[test]
fn tampered_record_is_void() {
    let ev = load(&store());
    let mut rec = record(&ev);
    rec.acceptance.as_mut().unwrap().expires_at = "2030-01-01".into();
    let (v, why) = verdict_with(&ev, &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("modified after it was written"), "{why}");
}

#[test]
fn a_new_failed_delivery_voids_the_review() {
    let doc = store();
    let ev = load(&doc);
    let rec = record(&ev);
    let old = failed_delivery(&ev);
    let new_id = format!("{}-ffffffffffff", &old[..old.len() - 13]);
    let mut more = doc.clone();
    let mut second = item(&mut more, &old).clone();
    second["session_id"] = json!(new_id);
    second["created_at"] = json!("2026-09-14T09:40:00+00:00");
    more["items"].as_array_mut().unwrap().push(second);
    // Without a retry decision the new failure fails outright.
    let (v, why) = verdict_with(&load(&more), &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("fail: closeout_delivery") || why.contains("fails: closeout_delivery"), "{why}");
}

#[test]
fn a_newer_health_report_voids_the_review() {
    let doc = store();
    let ev = load(&doc);
    let rec = record(&ev);
    let health_id = report(&ev).chain.health.as_ref().unwrap().id.to_string();
    let mut more = doc.clone();
    let mut newer = item(&mut more, &health_id).clone();
    newer["session_id"] = json!("gordackfinalretentionhealth-00000000000000ee");
    newer["created_at"] = json!("2026-09-14T09:59:00+00:00");
    newer["final_reporting_closeout_retention_health"]["health_id"] =
        json!("gordackfinalretentionhealth-00000000000000ee");
    more["items"].as_array_mut().unwrap().push(newer);
    let ev2 = load(&more);
    let r = evaluate(&ev2, &[], parse_instant(AS_OF).unwrap()).unwrap();
    assert!(r.findings.iter().all(|f| f.status != crate::health::Status::Fail), "{}", r.verdict_reason);
    let (v, why) = verdict_with(&ev2, &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("gordackfinalretentionhealth-00000000000000ee, which the review did not see"), "{why}");
}

#[test]
fn acceptance_form_validation() {
    let as_of = parse_instant(AS_OF).unwrap();
    assert!(validate_acceptance(&form(), as_of).is_empty());
    let empty = AcceptanceInput::default();
    let fields: Vec<&str> = validate_acceptance(&empty, as_of).iter().map(|e| e.field).collect();
    assert_eq!(fields, ["owner", "reason", "expires_at"]);
    let mut past = form();
    past.expires_at = "2026-09-13".into();
    past.target_resolution_date = "soon".into();
    let errs = validate_acceptance(&past, as_of);
    assert!(
        errs.iter().any(|e| e.field == "expires_at" && e.message.contains("after the evaluation time")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.field == "target_resolution_date"), "{errs:?}");
    let mut secret = form();
    secret.reason = format!("use token {}{}", "ghp_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8");
    assert!(validate_acceptance(&secret, as_of).iter().any(|e| e.field == "reason" && e.message.contains("secret")));
}

#[test]
fn records_never_hold_a_secret() {
    let ev = load(&store());
    let r = report(&ev);
    let token = format!("{}{}", "xoxb-", "1234567890-abcdefABCDEF");
    let mut f = form();
    f.reason = token.clone();
    let rec = build_record(
        &ev,
        &r,
        RecordInput {
            reviewer: "r",
            reviewed_at: parse_instant(AS_OF).unwrap(),
            as_of: parse_instant(AS_OF).unwrap(),
            deliveries: vec![DeliveryReview {
                delivery_id: failed_delivery(&ev),
                panes: vec![PaneOutcome {
                    pane: "boundary_check".into(),
                    outcome: "flagged".into(),
                    note: Some(token.clone()),
                }],
            }],
            acceptance: Some(&f),
            covers: vec![crate::health::CriterionId::RetryWorkflow],
        },
    )
    .unwrap();
    let text = serde_json::to_string(&rec).unwrap();
    assert!(!text.contains(&token), "{text}");
    assert!(text.contains("«REDACTED: Slack token»"), "{text}");
}

#[test]
fn load_record_rejects_other_files_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.json");
    std::fs::write(&p, "{\"schema\": \"something.else\"}").unwrap();
    assert!(load_record(&p).unwrap_err().problem.contains("not a closeout review record"));
    std::fs::write(&p, "{\"schema\": \"closeout.review.v1\", \"reviewer\": 5}").unwrap();
    assert!(load_record(&p).unwrap_err().problem.contains("wrong shape"));
    std::fs::write(&p, "{\"schema\": ").unwrap();
    assert!(load_record(&p).unwrap_err().problem.contains("truncated JSON"));
}

/// `--review-out /dev/zero` (issue 11 §4) used to read the target forever to see whether it was a record. Every
/// target that is not a regular file is refused at once, and never read.
#[cfg(target_os = "linux")]
#[test]
fn write_targets_that_are_not_regular_files_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let ev = load_path(&on_disk(dir.path()), &LoadOptions::default()).unwrap();
    let rec = record(&ev);
    let fifo = dir.path().join("review-fifo.json");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let cases = [
        (PathBuf::from("/dev/zero"), "a character device"),
        (PathBuf::from("/dev/null"), "a character device"),
        (fifo.clone(), "a FIFO"),
        (dir.path().to_path_buf(), "a directory"),
    ];
    for (target, what) in cases {
        let err = write_atomic(&target, &rec, &ev).unwrap_err();
        assert!(err.problem.contains(what), "{}: {err}", target.display());
        // Reading one as a record is refused as well, before it is opened.
        assert!(load_record(&target).unwrap_err().problem.contains("not a regular file"), "{}", target.display());
    }
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_record_with_a_repeated_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ev = load_path(&on_disk(dir.path()), &LoadOptions::default()).unwrap();
    let path = dir.path().join("review.json");
    write_atomic(&path, &record(&ev), &ev).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let doubled = text.replacen(
        "\"schema\": \"closeout.review.v1\",",
        "\"schema\": \"closeout.review.v1\",\n  \"schema\": \"closeout.review.v1\",",
        1,
    );
    assert_ne!(doubled, text);
    std::fs::write(&path, doubled).unwrap();
    let err = load_record(&path).unwrap_err();
    assert!(err.problem.contains("duplicate key \"schema\" at line 3, column 3"), "{err}");
}
