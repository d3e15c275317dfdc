//! The retry plan review end to end: open the app on a copy of the accepted-risk sample store, walk the review
//! through the real keymap, save the record, and see the verdict flip in the app and in `closeout check`.
//! Plus snapshots of the health pane (mid-run and done) and review panes 1, 2 and 5 at 100×30.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use closeout::evidence::{LoadOptions, load_bytes};
use closeout::health::Verdict;
use closeout::health::run::HealthEvent;
use closeout::time::parse_instant;
use closeout::tui::harness::{self, press, send, type_keys};
use closeout::tui::runtime::{Clipboard, Runtime, Shared, Work};
use closeout::tui::{Model as App, Msg};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use support::{SAMPLE_TIME as AS_OF, read, sample_path};

fn open_copy(dir: &Path) -> (App, PathBuf) {
    let t = parse_instant(AS_OF).unwrap();
    let (mut app, path) = harness::live_copy(dir, &sample_path("accepted-risk-store.json"), t, 120, 36);
    harness::apply(&mut app, Msg::Tick(t));
    (app, path)
}

#[test]
fn a_review_typed_in_the_app_is_saved_and_flips_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, evidence) = open_copy(dir.path());
    let mut rt = Runtime::threaded(app.live.source.as_deref(), Clipboard::off());
    assert_eq!(app.report.verdict, Verdict::Blocked);
    type_keys(&mut app, "r");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    for field in ["release-risk-owner", "CHG-2026-0914-0099", "Webhook outage; redelivery planned", "2026-09-18"] {
        type_keys(&mut app, field);
        press(&mut app, KeyCode::Tab);
    }
    type_keys(&mut app, "2026-09-21");
    let fx = send(&mut app, &closeout::tui::event::key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(fx.is_empty(), "Ctrl-S on a valid form shows what will be accepted first");
    let fx = type_keys(&mut app, "y");
    assert!(!fx.is_empty(), "y asks for the record to be written");
    assert!(rt.settle(&mut app, fx, Duration::from_secs(60)), "the save and the re-run finish");
    assert!(app.review().unwrap().sign.is_some(), "the review offers to sign the record");
    press(&mut app, KeyCode::Esc);

    let records: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("closeout-review-"))
        .collect();
    assert_eq!(records.len(), 1, "one record beside the evidence: {records:?}");
    let record_path = &records[0];
    assert_eq!(record_path.file_name().unwrap(), "closeout-review-20260914T100000Z.json");
    let text = std::fs::read_to_string(record_path).unwrap();
    assert!(text.contains("\"schema\": \"closeout.review.v1\""), "{text}");
    let rec = closeout::review::load_record(record_path).unwrap();
    assert!(rec.is_intact());
    assert_eq!(rec.reviewer, "release-risk-owner");
    assert_eq!(rec.deliveries[0].panes.len(), 5);
    assert!(rec.deliveries[0].panes.iter().all(|p| p.outcome == "reviewed"), "{:?}", rec.deliveries);
    assert!(app.review().is_none());
    assert_eq!(app.report.verdict, Verdict::ReadyWithAcceptedRisk, "{}", app.report.verdict_reason);
    assert!(harness::screen(&app).contains("READY WITH ACCEPTED RISK"));
    let no_tmp =
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp"));
    assert!(no_tmp, "no temporary file left behind");

    Command::cargo_bin("closeout")
        .unwrap()
        .args(["check", "--as-of", AS_OF, "--review"])
        .arg(record_path)
        .arg(&evidence)
        .assert()
        .code(0);
    Command::cargo_bin("closeout").unwrap().args(["check", "--as-of", AS_OF]).arg(&evidence).assert().code(1);

    // Opening the explorer on the evidence again finds the record beside it, loads it, and says so.
    let ev = closeout::evidence::load_path(&evidence, &LoadOptions::default()).unwrap();
    let report = closeout::health::evaluate(&ev, &[], parse_instant(AS_OF).unwrap()).unwrap();
    assert_eq!(report.verdict, Verdict::Blocked);
    let opts = closeout::tui::Options {
        live: closeout::tui::Live {
            source: Some(evidence.clone()),
            as_of: Some(parse_instant(AS_OF).unwrap().into()),
            ..Default::default()
        },
        ..closeout::tui::Options::default()
    };
    let (mut again, fx) = closeout::tui::start_model(ev, report, &opts, 120, 36);
    assert_eq!(again.live.found_reviews, vec![record_path.clone()]);
    assert_eq!(again.live.acceptances.len(), 1);
    let mut inline = Runtime::inline(Clipboard::off());
    assert!(inline.settle(&mut again, fx, Duration::from_secs(60)));
    assert_eq!(again.report.verdict, Verdict::ReadyWithAcceptedRisk, "{}", again.report.verdict_reason);
    let screen = harness::screen(&again);
    assert!(screen.contains(" · 1 review found") || screen.contains(" · 1 review record beside"), "{screen}");
}

#[test]
fn review_out_puts_the_record_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = open_copy(dir.path());
    let out = dir.path().join("elsewhere.json");
    app.live.review_out = Some(out.clone());
    let mut rt = Runtime::threaded(app.live.source.as_deref(), Clipboard::off());
    type_keys(&mut app, "r");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    type_keys(&mut app, "owner");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_keys(&mut app, "reason");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_keys(&mut app, "2026-09-21");
    press(&mut app, KeyCode::Tab);
    type_keys(&mut app, "a-reviewer");
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "the confirm summary comes first");
    let fx = press(&mut app, KeyCode::Enter);
    assert!(rt.settle(&mut app, fx, Duration::from_secs(60)));
    let rec = closeout::review::load_record(&out).unwrap();
    assert_eq!(rec.reviewer, "a-reviewer");
    // The footer says where the record went and that health re-ran with it; the log keeps both.
    let status = app.status.clone().unwrap_or_default();
    assert!(status.starts_with(&format!("review saved to {} · health re-ran", out.display())), "{status}");
    let log: Vec<&str> = app.log.entries().iter().map(|(_, t)| t.as_str()).collect();
    assert!(log.contains(&format!("review saved to {}", out.display()).as_str()), "{log:?}");
    assert!(log.iter().any(|t| t.starts_with("health re-ran: verdict blocked → ready_with_accepted_risk")), "{log:?}");
}

// ---------------------------------------------------------------------------------------------- snapshots

fn sample_app() -> App {
    let name = "accepted-risk-store.json";
    let bytes = read(&sample_path(name));
    let ev = load_bytes(name, bytes, &LoadOptions::default()).unwrap();
    let t = parse_instant(AS_OF).unwrap();
    let mut app = harness::app(ev, Some(t), 100, 30);
    harness::apply(&mut app, Msg::Tick(t));
    app
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"[0-9a-f]{64}", "#".repeat(64));
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn snapshot_health_pane_mid_run_and_done() {
    let mut app = sample_app();
    type_keys(&mut app, "c");
    let generation = app.evidence.generation;
    let events: Vec<HealthEvent> =
        closeout::health::run::HealthRun::start(Arc::clone(&app.evidence), Vec::new(), parse_instant(AS_OF).unwrap())
            .events
            .iter()
            .collect();
    let mid = events.iter().position(|e| matches!(e, HealthEvent::Running { index: 4, .. })).unwrap();
    for e in &events[..=mid] {
        harness::apply(&mut app, Msg::Work(Work::Health { generation, event: Shared::new(e.clone()) }));
    }
    settings().bind(|| insta::assert_snapshot!("health_mid_run_100x30", harness::screen(&app)));
    for e in &events[mid + 1..] {
        harness::apply(&mut app, Msg::Work(Work::Health { generation, event: Shared::new(e.clone()) }));
    }
    settings().bind(|| insta::assert_snapshot!("health_done_100x30", harness::screen(&app)));
}

#[test]
fn snapshot_review_panes_1_2_and_5() {
    let mut app = sample_app();
    type_keys(&mut app, "r");
    settings().bind(|| insta::assert_snapshot!("review_pane1_100x30", harness::screen(&app)));
    press(&mut app, KeyCode::Enter);
    settings().bind(|| insta::assert_snapshot!("review_pane2_100x30", harness::screen(&app)));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    type_keys(&mut app, "release-risk-owner");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    send(&mut app, &closeout::tui::event::key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
    settings().bind(|| insta::assert_snapshot!("review_pane5_100x30", harness::screen(&app)));
}

#[test]
fn snapshot_review_panes_3_and_4_and_the_discard_question() {
    let mut app = sample_app();
    type_keys(&mut app, "r");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    settings().bind(|| insta::assert_snapshot!("review_pane3_100x30", harness::screen(&app)));
    press(&mut app, KeyCode::Enter);
    settings().bind(|| insta::assert_snapshot!("review_pane4_100x30", harness::screen(&app)));
    press(&mut app, KeyCode::Esc);
    let screen = harness::screen(&app);
    assert!(screen.contains("Discard this review? y/n"), "{screen}");
    settings().bind(|| insta::assert_snapshot!("review_confirm_discard_100x30", screen));
}

#[test]
fn snapshot_an_expanded_health_finding() {
    let mut app = sample_app();
    type_keys(&mut app, "v");
    // Down to the first finding that warns, then open it.
    for _ in 0..20 {
        if app.health.selected_finding().is_some_and(|f| f.status != closeout::health::Status::Pass) {
            break;
        }
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    let screen = harness::screen(&app);
    assert!(
        screen.contains("reason: closeout delivery") && screen.contains("evidence (Enter jumps to the node)"),
        "the finding opened to its reason and evidence\n{screen}"
    );
    settings().bind(|| insta::assert_snapshot!("health_finding_expanded_100x30", screen));
}

#[test]
fn a_review_record_in_an_evidence_directory_is_recognised_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(sample_path("accepted-risk-store.json"), dir.path().join("store.json")).unwrap();
    // A record of another evidence (its digest cannot match): recognised as a review record, then refused.
    std::fs::write(dir.path().join("old-review.json"), br#"{"schema": "closeout.review.v1", "deliveries": []}"#)
        .unwrap();
    let ev = closeout::evidence::load_path(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(ev.review_records, vec![dir.path().join("old-review.json")]);
    assert!(ev.skipped.iter().all(|(f, _)| !f.ends_with("old-review.json")), "{:?}", ev.skipped);
    let report = closeout::health::evaluate(&ev, &[], parse_instant(AS_OF).unwrap()).unwrap();
    let opts = closeout::tui::Options {
        live: closeout::tui::Live { source: Some(dir.path().to_path_buf()), ..Default::default() },
        ..closeout::tui::Options::default()
    };
    let (app, _) = closeout::tui::start_model(ev, report, &opts, 120, 36);
    assert_eq!(app.live.found_reviews.len(), 1);
    assert!(app.log.entries().iter().any(|(_, t)| t.starts_with("review record not used:")), "{:?}", app.log);
}
