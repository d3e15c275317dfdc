//! Our own attack corpus, through every surface: secrets planted in the roles redaction used to miss (an
//! artifact id, a release ref, an unknown metadata_kind, an object key, a value) and control / format
//! characters in ids, keys and values. `closeout check` in its three formats, the explorer walked row by row,
//! a recorded demo, walkthrough notes and a saved review record must show none of them raw.
//!
//! Every planted token is synthetic: the right shape for the detector, never a real credential.

use std::path::Path;

use closeout::evidence::{LoadOptions, load_path};
use closeout::tui::harness;
use ratatui::crossterm::event::KeyCode;
use serde_json::{Value, json};

/// A GitHub-token-shaped id, a Slack-token-shaped release ref, a token-shaped unknown kind and key.
const ID_TOKEN: &str = "ghp_PLANTEDid0000000000000000000000000000";
const RELEASE_TOKEN: &str = "xoxb-1234567890-PLANTEDrelease";
const KIND_TOKEN: &str = "ghp_PLANTEDkind00000000000000000000000000";
const KEY_TOKEN: &str = "ghp_PLANTEDkey000000000000000000000000000";
const VALUE_TOKEN: &str = "ghp_PLANTEDvalue0000000000000000000000000";
/// OSC 52 (clipboard write), a CSI introduced by C1, a bidi override and a zero-width space.
const CONTROLS: &str = "x\u{1b}]52;c;UExBTlRFRA==\u{7}y\u{9b}2Jz\u{202e}w\u{200b}v";
const AS_OF: &str = "2026-09-14T10:00:00Z";

fn planted() -> Vec<&'static str> {
    vec!["PLANTED"]
}

/// Our accepted-risk sample with every plant in place, the chain still linked (the failed delivery's id is
/// the token, and the plan, worker run and execution record name it).
fn hostile_store() -> Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence/accepted-risk-store.json"))
            .unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let delivery = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metadata_kind"] == "release-connector-delivery" && i["delivery_success"] == false)
        .unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let release =
        doc["items"].as_array().unwrap().iter().find_map(|i| i["release_record_ref"].as_str()).unwrap().to_string();
    let text = text.replace(&delivery, ID_TOKEN).replace(&release, RELEASE_TOKEN);
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let items = doc["items"].as_array_mut().unwrap();
    items.push(json!({
        "schema_version": "cavra.evidence.metadata.v1", "product": "CAVRA", "metadata_kind": KIND_TOKEN,
        "session_id": format!("unknown-{CONTROLS}"), "created_at": "2026-09-14T09:59:00+00:00",
        "future_artifact": {"note": CONTROLS, KEY_TOKEN: 1, format!("ke{CONTROLS}y"): "v", "secret_value": VALUE_TOKEN}
    }));
    doc
}

fn write(dir: &Path, doc: &Value) -> std::path::PathBuf {
    let p = dir.join("hostile.json");
    std::fs::write(&p, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    p
}

/// No planted secret and no raw control or format character in `out` (which is `what`).
fn assert_inert(what: &str, out: &str) {
    for p in planted() {
        assert!(!out.contains(p), "{what} shows a planted secret:\n{out}");
    }
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{200b}'] {
        assert!(!out.contains(c), "{what} carries the raw character {c:?}:\n{out}");
    }
}

fn closeout(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_closeout")).args(args).env_remove("NO_COLOR").output().unwrap()
}

#[test]
fn check_shows_no_planted_secret_or_control_character_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &hostile_store());
    for format in ["text", "json", "markdown"] {
        let out = closeout(&["check", p.to_str().unwrap(), "--as-of", AS_OF, "--format", format]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_inert(&format!("check --format {format}"), &stdout);
        assert_inert(&format!("check --format {format} (stderr)"), &String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{format}: blocked (community_boundary fails)");
        assert!(stdout.contains("«REDACTED: Slack token #"), "{format}: the release ref shows as its marker");
        if format == "json" {
            let r: Value = serde_json::from_str(&stdout).unwrap();
            let boundary = r["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "community_boundary").unwrap();
            assert_eq!(boundary["status"], "fail", "the planted secrets are exposures: {boundary}");
            assert!(
                r["evidence"]["release"].as_str().unwrap().starts_with("«REDACTED: Slack token #"),
                "{}",
                r["evidence"]
            );
        }
    }
}

#[test]
fn the_explorer_walked_row_by_row_shows_nothing_raw() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &hostile_store());
    let ev = load_path(&p, &LoadOptions::default()).unwrap();
    let mut app = harness::app(ev, closeout::time::parse_instant(AS_OF), 160, 48);
    // Open every group, then step through every row, rendering each screen.
    let mut screens = 0;
    let mut seen = String::new();
    for _ in 0..400 {
        let screen = harness::screen(&app);
        assert_inert("the explorer", &screen);
        seen.push_str(&screen);
        for cell in &harness::buffer(&app).content {
            assert!(!cell.symbol().chars().any(|c| c.is_control()), "control character in a cell: {cell:?}");
        }
        screens += 1;
        harness::press(&mut app, KeyCode::Right);
        harness::press(&mut app, KeyCode::Down);
    }
    assert!(screens >= 400);
    // The walk did meet every plant, shown as a marker or a visible escape.
    for shown in ["«REDACTED: Slack token #", "«REDACTED: GitHub token #", "\\x1b]52;c;", "\\u{202e}"] {
        assert!(seen.contains(shown), "the walk never showed {shown:?}");
    }
    // The boundary view and the review wizard over the token-named delivery.
    harness::type_keys(&mut app, "b");
    assert_inert("the boundary view", &harness::screen(&app));
    harness::press(&mut app, KeyCode::Esc);
    harness::type_keys(&mut app, "r");
    for _ in 0..5 {
        let screen = harness::screen(&app);
        assert_inert("the review wizard", &screen);
        harness::press(&mut app, KeyCode::Enter);
    }
}

#[test]
fn a_recorded_demo_over_hostile_evidence_carries_nothing_raw() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &hostile_store());
    let tape = dir.path().join("walk.tape");
    let mut t = String::from("Set Width 120\nSet Height 36\n");
    for _ in 0..60 {
        t.push_str("Right\nDown\nSleep 50ms\n");
    }
    t.push_str("Type \"b\"\nSleep 200ms\nEscape\nType \"r\"\nSleep 200ms\nEnter\nSleep 200ms\n");
    std::fs::write(&tape, t).unwrap();
    let cast = dir.path().join("demo.cast");
    let out = closeout(&[
        "demo",
        "--script",
        tape.to_str().unwrap(),
        "--record",
        cast.to_str().unwrap(),
        "--as-of",
        AS_OF,
        p.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&cast).unwrap();
    assert!(text.contains("REDACTED: Slack token"), "the recording shows the release ref as its marker");
    for p in planted() {
        assert!(!text.contains(p), "the cast carries a planted secret");
    }
    // The cast is JSON lines whose output strings hold the terminal's own CSI sequences only: no OSC
    // (clipboard, title), no C1 introducer, no bidi or zero-width character from the evidence.
    for line in text.lines().skip(1) {
        let ev: Value = serde_json::from_str(line).unwrap();
        let data = ev[2].as_str().unwrap();
        assert!(!data.contains("\u{1b}]"), "an OSC sequence reached the cast: {data:?}");
        for c in ['\u{9b}', '\u{202e}', '\u{200b}', '\u{7}'] {
            assert!(!data.contains(c), "{c:?} reached the cast");
        }
    }
}

#[test]
fn walkthrough_notes_and_review_records_hold_nothing_raw() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), &hostile_store());
    let ev = load_path(&p, &LoadOptions::default()).unwrap();
    let t = closeout::time::parse_instant(AS_OF).unwrap();
    let w = closeout::walkthrough::find("operator-runbook").unwrap();
    let notes = closeout::walkthrough::follow_up_markdown(&w, &[], &ev.label.to_string(), t);
    assert_inert("walkthrough notes", &notes);

    let report = closeout::health::evaluate(&ev, &[], t).unwrap();
    let facts = closeout::review::panes::failed_deliveries(&ev, &report.chain).unwrap();
    assert_eq!(facts.len(), 1, "the token-named delivery is reviewable");
    assert!(facts[0].id.starts_with("«REDACTED: GitHub token #"), "{}", facts[0].id);
    let panes = closeout::review::PANES
        .iter()
        .map(|p| closeout::review::PaneOutcome {
            pane: p.to_string(),
            outcome: "reviewed".into(),
            note: Some(CONTROLS.into()),
        })
        .collect();
    let form = closeout::review::AcceptanceInput {
        owner: format!("owner{CONTROLS}"),
        external_ref: "CHG-1".into(),
        reason: format!("redeliver; see {VALUE_TOKEN}"),
        target_resolution_date: "2026-09-18".into(),
        expires_at: "2026-09-21".into(),
    };
    let rec = closeout::review::build_record(
        &ev,
        &report,
        closeout::review::RecordInput {
            reviewer: "reviewer",
            reviewed_at: t,
            as_of: t,
            deliveries: vec![closeout::review::DeliveryReview { delivery_id: facts[0].id.clone(), panes }],
            acceptance: Some(&form),
            covers: closeout::review::warned(&report),
        },
    )
    .unwrap();
    let out = dir.path().join("review.json");
    closeout::review::write_atomic(&out, &rec, &ev).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_inert("the review record", &text);
    // The record still binds: read back, it accepts the same evidence.
    let acc = closeout::review::acceptances(&[out], &ev).unwrap();
    let r = closeout::health::evaluate(&ev, &acc, t).unwrap();
    assert!(
        r.acceptances.iter().all(|(_, s)| !matches!(s, closeout::health::Standing::Void { .. })),
        "{:?}",
        r.acceptances
    );
}
