//! The default demo, headless: recorded as asciicast v2 through the same keymap path as a person's keys,
//! valid, deterministic, with a marker per walkthrough step, ending on the verdict; and `closeout demo
//! --record` from the command line. Set `CLOSEOUT_DEMO_CAST_OUT=path.cast` to keep the recording.

use std::sync::Arc;

use assert_cmd::Command;

use closeout::demo::cast::validate_cast;
use closeout::demo::tape::{parse, timeline};
use closeout::demo::{DEFAULT_AS_OF, DEFAULT_SIZE, DEFAULT_TAPE, DEFAULT_WALKTHROUGH};
use closeout::tui::{Model as App, Msg, harness};

fn demo_app() -> (App, chrono::DateTime<chrono::Utc>) {
    let ev = closeout::samples::load(&closeout::samples::default_name(), &Default::default()).unwrap();
    // `closeout demo` judges the default walkthrough over its own sample as of DEFAULT_AS_OF.
    let when = closeout::time::parse_instant(DEFAULT_AS_OF).unwrap();
    let report = closeout::health::evaluate(&ev, &[], when).unwrap();
    let (w, h) = DEFAULT_SIZE;
    let mut app = App::new(Arc::new(ev), Arc::new(report), w, h);
    app.live.demo = true;
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

/// What a player shows: the screen after each output event (a terminal emulator fed the cast), and each
/// marker with the index of the screen it falls on.
struct Played {
    screens: Vec<String>,
    markers: Vec<(String, usize)>,
    last: serde_json::Value,
}

fn play(cast: &str) -> Played {
    let mut lines = cast.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let (w, h) = (header["width"].as_u64().unwrap() as u16, header["height"].as_u64().unwrap() as u16);
    let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let mut term = vt100::Parser::new(nz(h), nz(w), 0);
    let (mut screens, mut markers, mut last) = (Vec::new(), Vec::new(), serde_json::Value::Null);
    for line in lines {
        let ev: serde_json::Value = serde_json::from_str(line).unwrap();
        match ev[1].as_str() {
            Some("o") => {
                term.process(ev[2].as_str().unwrap().as_bytes());
                screens.push(term.screen().contents());
            }
            Some("m") => markers.push((ev[2].as_str().unwrap().to_string(), screens.len())),
            _ => {}
        }
        last = ev;
    }
    Played { screens, markers, last }
}

fn first(screens: &[String], from: usize, text: &str) -> Option<usize> {
    screens.iter().skip(from).position(|s| s.contains(text)).map(|i| i + from)
}

#[test]
fn default_demo_records_a_valid_deterministic_cast_ending_on_the_verdict_and_summary() {
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
    // The final screen: past the last step, the closing summary, with the verdict on screen.
    let w = app.walk.as_ref().unwrap();
    assert_eq!(w.step, steps.len(), "the tape walks every step, then opens the closing summary");
    let screen = harness::screen(&app);
    assert!(screen.contains("READY WITH ACCEPTED RISK"), "{screen}");
    assert!(screen.contains("Closing summary"), "{screen}");
    // Deterministic by design (injected clock), so the screen is pinned as it is.
    insta::assert_snapshot!("demo_final_screen", screen);
    if let Some(out) = std::env::var_os("CLOSEOUT_DEMO_CAST_OUT") {
        std::fs::write(out, &cast).expect("write the cast");
    }
}

/// The story, as a viewer of the recording sees it.
#[test]
fn default_demo_cast_tells_the_sales_story() {
    let (cast, _) = record(1.0);
    let p = play(&cast);
    let opening = &p.screens[0];
    assert!(opening.contains("BLOCKED"), "{opening}");
    assert!(
        !opening.contains('⚠') && !opening.contains("dangling"),
        "no dangling reference opens the story: {opening}"
    );
    assert!(!p.screens.iter().any(|s| s.contains("⚠")), "no ⚠ anywhere in the sample's story");

    // The retry plan review goes through all five panes, in order.
    let mut at = 0;
    for k in 1..=5 {
        at = first(&p.screens, at, &format!("pane {k} of 5")).unwrap_or_else(|| panic!("pane {k} of 5 never shown"));
    }
    let review = p.markers.iter().find(|(m, _)| m == "10. Retry plan review").unwrap().1;
    assert!(first(&p.screens, review, "pane 1 of 5") < first(&p.screens, review, "pane 5 of 5"));

    // The verdict changes after the acceptance: blocked until it is saved, ready_with_accepted_risk after.
    let saved = first(&p.screens, at, "verdict blocked → ready_with_accepted_risk").expect("the re-run says so");
    assert!(p.screens[..saved].iter().all(|s| !s.contains("READY WITH ACCEPTED RISK")), "not ready before the save");
    assert!(p.screens[..at].iter().all(|s| s.contains("BLOCKED")), "blocked until the acceptance");
    assert!(p.screens[saved..].iter().all(|s| s.contains("READY WITH ACCEPTED RISK")), "ready after it");
    let flat = p.screens[saved].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("accepted by payments-release-owner"), "{}", p.screens[saved]);

    // Each evidence step shows what its narration speaks of.
    let on = |marker: &str, text: &str| {
        let i = p.markers.iter().find(|(m, _)| m.ends_with(marker)).unwrap_or_else(|| panic!("{marker}")).1;
        let end = p.markers.iter().map(|(_, j)| *j).find(|&j| j > i).unwrap_or(p.screens.len());
        assert!(p.screens[i.saturating_sub(1)..end].iter().any(|s| s.contains(text)), "{marker}: {text:?} not shown");
    };
    on("Final readiness bundle", "not included");
    on("Signed archive manifest", "external_signature_attached");
    on("Release closeout summary", "partial_failure");
    on("Retention review", "legal hold false");
    on("Artifact bundle and file hashes", "not verifiable");
    on("Redacted alert delivery", "redacted");
    on("The verdict", "READY WITH ACCEPTED RISK");
    on("Enterprise", "pane 3 of 5");

    // It ends on the verdict and the closing summary, and gives the viewer's terminal back.
    let end = p.screens.last().unwrap();
    assert!(end.contains("Closing summary") && end.contains("READY WITH ACCEPTED RISK"), "{end}");
    assert_eq!(p.last[1], "o");
    assert_eq!(p.last[2].as_str(), Some("\u{1b}[0m\u{1b}[?25h"), "the last event restores style and cursor");
}

/// Every built-in walkthrough, recorded with its own tape: one marker per step, with the step's title, in
/// order, and each marker falls on that step's screen.
#[test]
fn every_walkthrough_records_one_marker_per_step() {
    for w in closeout::walkthrough::builtin() {
        let sample = w.evidence.clone().unwrap_or_else(closeout::samples::default_name);
        let ev = closeout::samples::load(&sample, &Default::default()).unwrap();
        let when = if closeout::demo::uses_default_as_of(&w, false, None, false) {
            closeout::time::parse_instant(DEFAULT_AS_OF).unwrap()
        } else {
            ev.default_as_of.unwrap()
        };
        let report = closeout::health::evaluate(&ev, &[], when).unwrap();
        let cmds = parse(&closeout::demo::tape_text(&w)).unwrap();
        let line = timeline(&cmds, 8.0, DEFAULT_SIZE);
        let cast = closeout::demo::run::record_demo(ev, report, &w.name, &line, DEFAULT_SIZE, true).unwrap();
        let p = play(&cast);
        let want: Vec<String> = w.steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.title)).collect();
        let got: Vec<&str> = p.markers.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(got, want, "{}", w.name);
        for (k, (_, at)) in p.markers.iter().enumerate() {
            let screen = &p.screens[at.saturating_sub(1).min(p.screens.len() - 1)..];
            let shows = format!("step {} of {}", k + 1, w.steps.len());
            assert!(
                screen.iter().take(3).any(|s| s.contains(&shows)),
                "{}: marker {} is not on its step",
                w.name,
                k + 1
            );
        }
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
    // Below the explorer's minimum: an error naming it, and no recording.
    let small = dir.path().join("small.cast");
    let bad = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--size", "60x20", "--record"])
        .arg(&small)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--size 60x20 is smaller than the explorer's minimum 80x24"), "{err}");
    assert!(!small.exists());
    let narrow = dir.path().join("narrow.tape");
    std::fs::write(&narrow, "Set Width 70\nSet Height 30\nEnter\n").unwrap();
    let bad = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--record"])
        .arg(&small)
        .arg("--script")
        .arg(&narrow)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("70x30 is smaller than the explorer's minimum 80x24"));
    // A Wait that never matches fails the run, naming the tape and line; nothing is written.
    let waits = dir.path().join("waits.tape");
    std::fs::write(&waits, "Enter\nWait@1s /no such screen/\n").unwrap();
    let bad = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--record"])
        .arg(&small)
        .arg("--script")
        .arg(&waits)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("waits.tape: line 2: Wait /no such screen/: the screen did not show it within 1 s"), "{err}");
    assert!(!small.exists());
    // Require: refused before anything runs.
    let req = dir.path().join("req.tape");
    std::fs::write(&req, "Require closeout-no-such-program-4711\nEnter\n").unwrap();
    let bad = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--record"])
        .arg(&small)
        .arg("--script")
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("req.tape: line 1: Require closeout-no-such-program-4711: not found on PATH")
    );
    // A script whose chapters are not the walkthrough's steps is recorded, with a warning.
    let partial = dir.path().join("partial.tape");
    std::fs::write(&partial, "# @marker 1. Something\nEnter\n").unwrap();
    let out = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--record"])
        .arg(&small)
        .arg("--script")
        .arg(&partial)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: the tape's chapters do not match the walkthrough's steps: the tape has 1 chapter marker(s) but walkthrough \"sales-demo\" has 16 step(s)"), "{err}");
    // Another walkthrough without --script plays its own tape: its steps' markers, not the sales demo's.
    let trial = dir.path().join("trial.cast");
    let out = Command::cargo_bin("closeout")
        .unwrap()
        .args(["demo", "--walkthrough", "trial-walkthrough", "--speed", "20", "--record"])
        .arg(&trial)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).lines().all(|l| !l.contains("warning")));
    let s = validate_cast(&std::fs::read_to_string(&trial).unwrap()).unwrap();
    let steps = closeout::walkthrough::find("trial-walkthrough").unwrap().steps;
    assert_eq!(
        s.markers,
        steps.iter().enumerate().map(|(i, st)| format!("{}. {}", i + 1, st.title)).collect::<Vec<_>>()
    );
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
