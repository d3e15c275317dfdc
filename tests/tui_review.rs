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

// ---------------------------------------------------------------------------------------------- signing

/// ssh-keygen from OpenSSH (`openssh-client`, which .ci/run installs); these tests fail, saying so, without it.
fn ssh_keygen() -> std::process::Command {
    let mut c = std::process::Command::new("ssh-keygen");
    c.env_remove("SSH_AUTH_SOCK");
    c
}

/// A new unencrypted ed25519 key in `dir`; its path.
fn new_key(dir: &Path) -> PathBuf {
    let key = dir.join("id_test");
    let out = ssh_keygen()
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "tui-test", "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen runs (install openssh-client)");
    assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
    key
}

/// Type a valid acceptance, confirm it, and let the runtime write it: the app then offers to sign. The
/// record's path.
fn save_review(app: &mut App, rt: &mut Runtime) -> PathBuf {
    type_keys(app, "r");
    for _ in 0..4 {
        press(app, KeyCode::Enter);
    }
    for field in ["release-risk-owner", "CHG-2026-0914-0099", "Webhook outage; redelivery planned", "2026-09-18"] {
        type_keys(app, field);
        press(app, KeyCode::Tab);
    }
    type_keys(app, "2026-09-21");
    harness::ctrl(app, 's');
    let fx = type_keys(app, "y");
    assert!(rt.settle(app, fx, Duration::from_secs(60)), "the save and the re-run finish");
    let offer = app.review().and_then(|w| w.sign.clone()).expect("the app offers to sign the saved record");
    assert!(offer.record.is_file());
    offer.record
}

#[test]
fn the_tui_signs_the_saved_record_and_the_signature_verifies_with_ssh_keygen_and_closeout() {
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key = new_key(keys.path());
    let (mut app, evidence) = open_copy(dir.path());
    // The key the config file or $CLOSEOUT_SIGNING_KEY names is where the offer starts.
    app.live.signing_key = Some(key.clone());
    app.live.ssh_agent = false;
    let mut rt = Runtime::threaded(app.live.source.as_deref(), Clipboard::off());
    let record = save_review(&mut app, &mut rt);
    let w = app.review().unwrap();
    assert_eq!(w.sign.as_ref().unwrap().key.text(), key.display().to_string());
    let screen = harness::screen(&app);
    assert!(screen.contains("Sign it?") && screen.contains("Esc leaves it unsigned"), "{screen}");

    let fx = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(fx.as_slice(), [closeout::tui::runtime::Effect::SignReview { key: Some(k), agent: false, .. }] if k == &key),
        "{fx:?}"
    );
    assert!(rt.settle(&mut app, fx, Duration::from_secs(60)), "the signature is made off the draw thread");
    assert!(app.review().is_none(), "signed: the review closes");
    let status = app.status.clone().unwrap_or_default();
    assert!(status.contains("and signed:") && status.contains("SHA256:"), "{status}");

    let sig = closeout::sign::signature_path(&record);
    assert!(sig.is_file(), "RECORD.sig beside the record");
    let no_tmp =
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp"));
    assert!(no_tmp, "written atomically: no temporary file left");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = keys.path().join("allowed_signers");
    std::fs::write(&allowed, format!("release-risk-owner namespaces=\"closeout-review\" {public}")).unwrap();
    // OpenSSH verifies what closeout signed, over the record's exact bytes.
    let out = ssh_keygen()
        .args(["-Y", "verify", "-n", "closeout-review", "-I", "release-risk-owner", "-f"])
        .arg(&allowed)
        .arg("-s")
        .arg(&sig)
        .stdin(std::fs::File::open(&record).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ssh-keygen -Y verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // So does closeout's own verifier, and the gate counts the signed acceptance.
    let signers = closeout::sign::AllowedSigners::load(&allowed).unwrap();
    let bytes = std::fs::read(&record).unwrap();
    let v = closeout::sign::verify_detached(
        &record,
        &bytes,
        &signers,
        &["release-risk-owner"],
        parse_instant(AS_OF).unwrap(),
    )
    .unwrap();
    assert_eq!(v.principal, "release-risk-owner");
    Command::cargo_bin("closeout")
        .unwrap()
        .args(["check", "--as-of", AS_OF, "--require-signed-acceptance", "--allowed-signers"])
        .arg(&allowed)
        .arg("--review")
        .arg(&record)
        .arg(&evidence)
        .assert()
        .code(0);
}

#[test]
fn declining_or_a_failed_signature_leaves_the_record_saved_and_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = open_copy(dir.path());
    app.live.signing_key = None;
    app.live.ssh_agent = false;
    let mut rt = Runtime::threaded(app.live.source.as_deref(), Clipboard::off());
    let record = save_review(&mut app, &mut rt);
    let sig = closeout::sign::signature_path(&record);
    // No key and no agent: Enter says what is missing and starts nothing.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(harness::screen(&app).contains("type the path of an SSH key"), "{}", harness::screen(&app));
    // A key that is not one: the failure is shown, the record stays, unsigned, and the offer stays open.
    let not_a_key = dir.path().join("not-a-key");
    std::fs::write(&not_a_key, "hello\n").unwrap();
    type_keys(&mut app, &not_a_key.display().to_string());
    let fx = press(&mut app, KeyCode::Enter);
    assert!(rt.settle(&mut app, fx, Duration::from_secs(60)));
    let w = app.review().expect("the offer stays open after a failure");
    let err = w.sign.as_ref().unwrap().error.clone().expect("the failure is kept");
    assert!(err.contains("not-a-key"), "{err}");
    let screen = harness::screen(&app);
    assert!(screen.contains("✗ not signed (the record stays, unsigned)"), "{screen}");
    assert!(!sig.exists(), "no signature written");
    assert!(closeout::review::load_record(&record).unwrap().is_intact(), "the record is untouched");
    // Declining is one key.
    let fx = press(&mut app, KeyCode::Esc);
    assert!(fx.is_empty());
    assert!(app.review().is_none());
    assert_eq!(app.status.as_deref(), Some(format!("review saved to {} (not signed)", record.display()).as_str()));
    assert!(!sig.exists());
    assert_eq!(app.live.acceptances.len(), 1, "the unsigned acceptance still counts in the app");
}

// ---------------------------------------------------------------------------------------------- --review-out

#[test]
fn walk_accepts_review_out_and_a_bad_target_is_exit_2_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("store.json");
    std::fs::copy(sample_path("accepted-risk-store.json"), &evidence).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::cargo_bin("closeout").unwrap().args(args).env_remove("SSH_AUTH_SOCK").output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let os = |s: &str| std::ffi::OsString::from(s);
    let good = dir.path().join("review.json");
    // Accepted: the run gets as far as needing a terminal (stdout is a pipe here), not a usage error.
    let (code, err) = run(&[&os("walk"), &os("--review-out"), good.as_os_str(), evidence.as_os_str()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("walkthroughs need a terminal"), "--review-out is accepted: {err}");
    assert!(!good.exists(), "nothing written");
    // Refused before the terminal is touched: a directory, a device, a missing directory, the evidence itself.
    for (target, says) in [
        (dir.path().to_path_buf(), "a directory"),
        (PathBuf::from("/dev/null"), "character device"),
        (dir.path().join("no/such/dir/r.json"), "no directory"),
        (evidence.clone(), "refusing to write a review record over an evidence file"),
    ] {
        for cmd in [&["walk"][..], &[][..]] {
            let mut args: Vec<&std::ffi::OsStr> = cmd.iter().map(std::ffi::OsStr::new).collect();
            args.push(std::ffi::OsStr::new("--review-out"));
            args.push(target.as_os_str());
            args.push(evidence.as_os_str());
            let (code, err) = run(&args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(err.contains("--review-out") && err.contains(says), "{args:?}: {err}");
            assert!(!err.contains("walkthroughs need a terminal"), "checked first: {err}");
        }
    }
    let before = std::fs::read(&evidence).unwrap();
    assert_eq!(before, read(&sample_path("accepted-risk-store.json")), "the evidence was not touched");
    // A file that is not a review record is not replaced either.
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, "mine\n").unwrap();
    let (code, err) = run(&[&os("walk"), &os("--review-out"), other.as_os_str(), evidence.as_os_str()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a closeout review record"), "{err}");
    // A demo never writes a review: it has no --review-out.
    let (code, err) = run(&[&os("demo"), &os("--review-out"), good.as_os_str()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("unexpected argument"), "{err}");
}
