//! Review records: round trip, acceptance, and every way a record stops counting.

use serde_json::{Value, json};

use super::*;
use crate::evidence::{LoadOptions, load_bytes, load_path};
use crate::health::{Verdict, evaluate};
use crate::time::parse_instant;

use crate::samples::on_disk::{self, AS_OF};

/// The accepted-risk store: one failed closeout delivery with a retry plan, a dry-run worker run and a
/// skipped execution record, and no owner acceptance.
fn store_path() -> PathBuf {
    on_disk::path("accepted-risk-store.json")
}

/// The newest retry plan of the store (09:31), the one a review captures.
const PLAN: &str = "gordackfinalcloseoutretry-8c88aa412995af1c";

fn store() -> Value {
    on_disk::json("accepted-risk-store.json")
}

fn load(doc: &Value) -> Evidence {
    load_bytes("store.json", serde_json::to_vec(doc).unwrap(), &LoadOptions::default()).unwrap()
}

fn failed_delivery(ev: &Evidence) -> String {
    let d = ev.all(&Kind::CloseoutDelivery);
    ev.nodes[d[0]].id.clone()
}

fn form() -> AcceptanceInput {
    AcceptanceInput {
        owner: "release-risk-owner".into(),
        external_ref: "CHG-2026-0601-0099".into(),
        reason: "Webhook outage; redelivery planned after the provider fix.".into(),
        target_resolution_date: "2026-09-18".into(),
        expires_at: "2026-09-21".into(),
    }
}

fn record(ev: &Evidence) -> ReviewRecord {
    let delivery = failed_delivery(ev);
    let panes =
        PANES.iter().map(|p| PaneOutcome { pane: p.to_string(), outcome: "reviewed".into(), note: None }).collect();
    build_record(
        ev,
        RecordInput {
            reviewer: "sample-reviewer",
            reviewed_at: parse_instant("2026-09-14T09:50:00Z").unwrap(),
            as_of: parse_instant(AS_OF).unwrap(),
            deliveries: vec![DeliveryReview { delivery_id: delivery, panes }],
            acceptance: Some(&form()),
            covers: vec!["closeout_delivery".into(), "retention_health".into(), "retry_workflow".into()],
        },
    )
    .unwrap()
}

fn verdict_with(ev: &Evidence, rec: &ReviewRecord, as_of: &str) -> (Verdict, String) {
    let acc: Vec<Acceptance> = to_acceptance(rec, "review.json", ev).unwrap().into_iter().collect();
    let r = evaluate(ev, &acc, parse_instant(as_of).unwrap()).unwrap();
    (r.verdict, r.verdict_reason)
}

#[test]
fn review_turns_the_accepted_risk_store_ready_with_accepted_risk() {
    let ev = load_path(&store_path(), &LoadOptions::default()).unwrap();
    let without = evaluate(&ev, &[], parse_instant(AS_OF).unwrap()).unwrap();
    assert_eq!(without.verdict, Verdict::Blocked);
    let rec = record(&ev);
    assert!(rec.is_intact());
    assert_eq!(rec.artifacts.len(), 4, "delivery, retry plan, worker run, execution record: {:?}", rec.artifacts);
    let (v, why) = verdict_with(&ev, &rec, AS_OF);
    assert_eq!(v, Verdict::ReadyWithAcceptedRisk, "{why}");
    assert!(why.contains("release-risk-owner"), "{why}");
}

#[test]
fn record_round_trips_through_an_atomic_write() {
    let ev = load_path(&store_path(), &LoadOptions::default()).unwrap();
    let rec = record(&ev);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.json");
    write_atomic(&path, &rec, &ev).unwrap();
    let back = load_record(&path).unwrap();
    assert_eq!(back, rec);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"schema\": \"closeout.review.v1\""));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    // An existing record may be replaced.
    write_atomic(&path, &rec, &ev).unwrap();
}

#[test]
fn atomic_write_refuses_evidence_and_leaves_nothing_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let evidence_copy = dir.path().join("evidence.json");
    std::fs::copy(store_path(), &evidence_copy).unwrap();
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
    // The reviewed plan is edited in place.
    let mut edited = doc.clone();
    for item in edited["items"].as_array_mut().unwrap() {
        if item["session_id"] == PLAN {
            item["final_reporting_release_closeout_delivery_retry_plan"]["retry_delay_minutes"] = json!(60);
        }
    }
    let (v, why) = verdict_with(&load(&edited), &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains(&format!("retry plan {PLAN} changed since the review")), "{why}");

    // A newer plan replaces it.
    let mut replaced = doc.clone();
    let items = replaced["items"].as_array_mut().unwrap();
    let mut newer = items.iter().find(|i| i["session_id"] == PLAN).unwrap().clone();
    newer["session_id"] = json!("gordackfinalcloseoutretry-00000000000000ff");
    newer["created_at"] = json!("2026-09-14T09:55:00+00:00");
    newer["final_reporting_release_closeout_delivery_retry_plan"]["retry_plan_id"] =
        json!("gordackfinalcloseoutretry-00000000000000ff");
    items.push(newer);
    let (v, why) = verdict_with(&load(&replaced), &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("the retry plan changed"), "{why}");
}

#[test]
fn expired_acceptance_blocks_again() {
    let ev = load_path(&store_path(), &LoadOptions::default()).unwrap();
    let rec = record(&ev);
    assert_eq!(verdict_with(&ev, &rec, "2026-09-21T23:00:00Z").0, Verdict::ReadyWithAcceptedRisk);
    let (v, why) = verdict_with(&ev, &rec, "2026-09-22T00:00:00Z");
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("expired on 2026-09-21"), "{why}");
}

#[test]
fn tampered_record_is_void() {
    let ev = load_path(&store_path(), &LoadOptions::default()).unwrap();
    let mut rec = record(&ev);
    rec.acceptance.as_mut().unwrap().expires_at = "2030-01-01".into();
    let (v, why) = verdict_with(&ev, &rec, AS_OF);
    assert_eq!(v, Verdict::Blocked);
    assert!(why.contains("modified after it was written"), "{why}");
}

#[test]
fn a_new_failed_delivery_voids_the_review() {
    let doc = store();
    let rec = record(&load(&doc));
    let mut more = doc.clone();
    let items = more["items"].as_array_mut().unwrap();
    let mut second = items
        .iter()
        .find(|i| i["session_id"].as_str().unwrap().starts_with("rcd-gordackfinalcloseout"))
        .unwrap()
        .clone();
    second["session_id"] = json!("rcd-gordackfinalcloseout-75f13a81ee5c86db-ffffffffffff");
    second["created_at"] = json!("2026-09-14T09:20:00+00:00");
    items.push(second);
    let ev = load(&more);
    let acc = to_acceptance(&rec, "review.json", &ev).unwrap().unwrap();
    let why = acc.void_reason.unwrap_or_default();
    assert!(why.contains("failed and was not part of the review"), "{why}");
    assert_eq!(verdict_with(&ev, &rec, AS_OF).0, Verdict::Blocked);
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
    let ev = load_path(&store_path(), &LoadOptions::default()).unwrap();
    let token = format!("{}{}", "xoxb-", "1234567890-abcdefABCDEF");
    let mut f = form();
    f.reason = token.clone();
    let rec = build_record(
        &ev,
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
            covers: vec!["retry_workflow".into()],
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
