//! The default demo, headless: recorded as asciicast v2 through the same keymap path as a person's keys,
//! valid, deterministic, with a marker per walkthrough step, ending on the verdict; and `closeout demo
//! --record` from the command line. Set `CLOSEOUT_DEMO_CAST_OUT=path.cast` to keep the recording.

use std::sync::Arc;

use assert_cmd::Command;

use closeout::demo::cast::validate_cast;
use closeout::demo::tape::{parse, timeline};
use closeout::demo::{DEFAULT_SIZE, DEFAULT_TAPE, DEFAULT_WALKTHROUGH};
use closeout::tui::{Model as App, Msg, harness};

fn demo_app() -> (App, chrono::DateTime<chrono::Utc>) {
    let ev = closeout::samples::load(&closeout::samples::default_name(), &Default::default()).unwrap();
    let when = ev.default_as_of.unwrap();
    let report = closeout::health::evaluate(&ev, &[], when).unwrap();
    let (w, h) = DEFAULT_SIZE;
    let mut app = App::new(Arc::new(ev), Arc::new(report), w, h);
    harness::apply(&mut app, Msg::Tick(when));
    harness::apply(&mut app, Msg::OpenWalk(DEFAULT_WALKTHROUGH.into()));
    (app, when)
}

fn record(speed: f64) -> (String, App) {
    let cmds = parse(DEFAULT_TAPE).unwrap();
    let (mut app, when) = demo_app();
    let line = timeline(&cmds, speed, DEFAULT_SIZE);
    let cast = closeout::demo::run::record(&mut app, &line, "closeout demo", when).unwrap();
    (cast, app)
}

#[test]
fn default_demo_records_a_valid_deterministic_cast_ending_on_the_verdict() {
    let (cast, app) = record(1.0);
    let summary = validate_cast(&cast).expect("the recording is valid asciicast v2");
    let steps = closeout::walkthrough::find(DEFAULT_WALKTHROUGH).unwrap().steps;
    let want: Vec<String> = steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.title)).collect();
    assert_eq!(summary.markers, want, "an m event per walkthrough step");
    assert_eq!((summary.width, summary.height), (u64::from(DEFAULT_SIZE.0), u64::from(DEFAULT_SIZE.1)));
    assert!(summary.outputs > 10, "{summary:?}");
    assert_eq!(cast, record(1.0).0, "same tape, same evidence: same bytes");
    let fast = validate_cast(&record(4.0).0).unwrap();
    assert!(fast.duration < summary.duration / 3.0, "{} vs {}", fast.duration, summary.duration);
    // The final screen: the last walkthrough step, with the verdict on screen.
    let w = app.walk.as_ref().unwrap();
    assert_eq!(w.step + 1, steps.len(), "the tape walks every step");
    let screen = harness::screen(&app);
    assert!(screen.contains("READY WITH ACCEPTED RISK"), "{screen}");
    // Deterministic by design (injected clock), so the screen is pinned as it is.
    insta::assert_snapshot!("demo_final_screen", screen);
    if let Some(out) = std::env::var_os("CLOSEOUT_DEMO_CAST_OUT") {
        std::fs::write(out, &cast).expect("write the cast");
    }
}

#[test]
fn closeout_demo_record_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.cast");
    let b = dir.path().join("b.cast");
    for p in [&a, &b] {
        let out = Command::cargo_bin("closeout")
            .unwrap()
            .args(["demo", "--record"])
            .arg(p)
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (ta, tb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(ta, tb, "byte-identical recordings");
    let summary = validate_cast(&String::from_utf8(ta).unwrap()).unwrap();
    assert_eq!(summary.markers.len(), closeout::walkthrough::find(DEFAULT_WALKTHROUGH).unwrap().steps.len());
    let bad =
        Command::cargo_bin("closeout").unwrap().args(["demo", "--record", "x.cast", "--size", "10x"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let tape = dir.path().join("bad.tape");
    std::fs::write(&tape, "Type \"ok\"\nFrobnicate 3\n").unwrap();
    let bad = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--record", "x.cast", "--script"])
        .arg(&tape)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bad.tape") && err.contains("line 2"), "{err}");
}

/// `assets/demo.cast` (shown in the README, as a GIF made from it) is what the current code records:
/// `closeout demo --record` of the default demo, byte for byte.
#[test]
fn assets_demo_cast_is_what_the_code_records() {
    let asset = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.cast");
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("demo.cast");
    let out = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--record"])
        .arg(&fresh)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recorded = std::fs::read(&fresh).unwrap();
    let committed = std::fs::read(&asset).unwrap_or_else(|e| panic!("{}: {e}", asset.display()));
    if recorded != committed {
        let at =
            recorded.iter().zip(&committed).position(|(a, b)| a != b).unwrap_or(recorded.len().min(committed.len()));
        let line = committed[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        panic!(
            "{} is stale: the default demo now records differently ({} bytes recorded, {} committed, first \
             difference at byte {at}, line {line}). Regenerate it (and the GIF) with scripts/make-assets.sh, \
             then commit assets/demo.cast and assets/demo.gif.",
            asset.display(),
            recorded.len(),
            committed.len()
        );
    }
}
