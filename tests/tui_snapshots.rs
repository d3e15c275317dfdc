//! Snapshots of the explorer's main screens (TestBackend buffers as text) at 80×24 and 160×48.
//!
//! Sample files are read from `sample-evidence/` but loaded under their file name, so the paths on screen do
//! not depend on where the repository lives. Times and digests are masked with same-width placeholders.

mod support;

use closeout::evidence::{LoadOptions, load_bytes};
use closeout::samples;
use closeout::tui::Model as App;
use closeout::tui::harness::{self, press, type_keys};
use closeout::tui::state::tree::Sel;
use ratatui::crossterm::event::KeyCode;

/// A sample file as `closeout FILE` loads it (from disk, not embedded), as of the samples' time.
fn sample_file(name: &str, w: u16, h: u16) -> App {
    let bytes = support::read(&support::sample_path(name));
    let ev = load_bytes(name, bytes, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    harness::app(ev, closeout::time::parse_instant(support::SAMPLE_TIME), w, h)
}

fn sample(name: &str, w: u16, h: u16) -> App {
    let ev = samples::load(name, &LoadOptions::default()).expect("sample loads");
    harness::app(ev, None, w, h)
}

fn default_sample(w: u16, h: u16) -> App {
    sample(&samples::default_name(), w, h)
}

/// Mask what may churn: RFC 3339 times and hex digests, keeping every column where it was.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "YYYY-MM-DDThh:mm:ss");
    s.add_filter(r"[0-9a-f]{64}", "#".repeat(64));
    s.add_filter(r"sha256:[0-9a-f]{16}…", format!("sha256:{}…", "#".repeat(16)));
    s.add_filter(r"(expected|actual) [0-9a-f]{16}…", format!("$1 {}…", "#".repeat(16)));
    s.set_prepend_module_to_snapshot(false);
    s
}

fn snap(name: &str, app: &App) {
    let screen = harness::screen(app);
    settings().bind(|| insta::assert_snapshot!(name, screen));
}

fn select_kind(app: &mut App, kind: &str) {
    let n = app
        .evidence
        .nodes
        .iter()
        .position(|n| n.kind.name() == kind && n.latest)
        .unwrap_or_else(|| panic!("no latest {kind}"));
    let row = app.tree.rows().iter().position(|r| r.sel == Sel::Node(n)).expect("node row visible");
    while app.tree.selected_row() < row {
        type_keys(app, "j");
    }
    while app.tree.selected_row() > row {
        type_keys(app, "k");
    }
}

#[test]
fn main_screen_default_sample() {
    snap("main_default_80x24", &default_sample(80, 24));
    snap("main_default_160x48", &default_sample(160, 48));
}

#[test]
fn main_screen_accepted_risk_store() {
    snap("main_accepted_risk_80x24", &sample_file("accepted-risk-store.json", 80, 24));
    snap("main_accepted_risk_160x48", &sample_file("accepted-risk-store.json", 160, 48));
}

#[test]
fn artifact_bundle_detail() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = sample_file("accepted-risk-store.json", w, h);
        select_kind(&mut app, "artifact bundle");
        snap(&format!("artifact_bundle_{w}x{h}"), &app);
        press(&mut app, KeyCode::Tab);
        type_keys(&mut app, "G");
        snap(&format!("artifact_bundle_hashes_{w}x{h}"), &app);
    }
}

#[test]
fn boundary_view_on_leaked_connector_secret() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = sample("leaked-connector-secret", w, h);
        type_keys(&mut app, "b");
        snap(&format!("boundary_leaked_{w}x{h}"), &app);
    }
}

#[test]
fn redacted_delivery_detail_on_leaked_connector_secret() {
    let mut app = sample("leaked-connector-secret", 160, 48);
    select_kind(&mut app, "closeout delivery");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::PageDown);
    snap("redacted_delivery_160x48", &app);
}

#[test]
fn help_overlay() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = default_sample(w, h);
        type_keys(&mut app, "?");
        snap(&format!("help_{w}x{h}"), &app);
    }
}

#[test]
fn active_filter() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = sample_file("accepted-risk-store.json", w, h);
        type_keys(&mut app, "fretry");
        snap(&format!("filter_typing_{w}x{h}"), &app);
        press(&mut app, KeyCode::Enter);
        snap(&format!("filter_kept_{w}x{h}"), &app);
    }
}

#[test]
fn references_expanded_with_dangling_ones() {
    let mut app = default_sample(80, 24);
    select_kind(&mut app, "readiness bundle");
    type_keys(&mut app, "ll");
    snap("dangling_references_80x24", &app);
}

#[test]
fn terminal_too_small() {
    snap("too_small_60x20", &default_sample(60, 20));
}

#[test]
fn search_typing_and_kept() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = sample_file("accepted-risk-store.json", w, h);
        type_keys(&mut app, "/webhook");
        snap(&format!("search_typing_{w}x{h}"), &app);
        press(&mut app, KeyCode::Enter);
        snap(&format!("search_kept_{w}x{h}"), &app);
    }
}

#[test]
fn palette_copy_menu_and_message_log() {
    let mut app = sample_file("accepted-risk-store.json", 80, 24);
    type_keys(&mut app, ":bound");
    snap("palette_80x24", &app);
    press(&mut app, KeyCode::Esc);
    type_keys(&mut app, "y");
    snap("copy_menu_80x24", &app);
    press(&mut app, KeyCode::Esc);
    type_keys(&mut app, "pL");
    snap("message_log_80x24", &app);
}

#[test]
fn release_picker() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chain/two-releases/store.json");
    let bytes = support::read(&path);
    let ev = load_bytes("store.json", bytes, &LoadOptions::default()).unwrap();
    let mut app = harness::app(ev, closeout::time::parse_instant("2026-09-14T10:00:00Z"), 80, 24);
    type_keys(&mut app, "R");
    snap("release_picker_80x24", &app);
}
