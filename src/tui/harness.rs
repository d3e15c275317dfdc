//! Driving the explorer without a terminal: build a model from evidence, feed it events through the same
//! keymap path as the live app, and render it into a [`TestBackend`]. Used by tests and benchmarks.
//!
//! `send` and friends return the effects a key asked for without running them, so a test can look at them;
//! [`run`] runs effects on an inline runtime and feeds what they report back, as the live loop does.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers};

use super::event::{key, key_with};
use super::runtime::{Clipboard, Effect, Runtime};
use super::state::Model;
use super::{Msg, ui, update};
use crate::evidence::Evidence;
use crate::health::{self, Report};

/// Evaluate evidence as of `as_of` (or, for an embedded sample, its own time) and open a model of the given
/// size.
pub fn app(evidence: Evidence, as_of: Option<chrono::DateTime<chrono::Utc>>, width: u16, height: u16) -> Model {
    let when = match (as_of, evidence.default_as_of) {
        (Some(t), _) => crate::time::AsOf::given(t),
        (None, Some(t)) => crate::time::AsOf::sample(t),
        (None, None) => panic!("an evaluation time: evidence read from disk needs one (as_of)"),
    };
    let report: Report = health::evaluate(&evidence, &[], when).expect("evidence evaluates");
    Model::new(Arc::new(evidence), Arc::new(report), width, height)
}

/// Copy an evidence file into `dir`, load the copy, and open a model that watches it live (as
/// `closeout PATH` does), evaluated as of `as_of`. Returns the model and the copy's path.
pub fn live_copy(
    dir: &std::path::Path,
    source: &std::path::Path,
    as_of: chrono::DateTime<chrono::Utc>,
    width: u16,
    height: u16,
) -> (Model, std::path::PathBuf) {
    let path = dir.join(source.file_name().expect("a file"));
    std::fs::copy(source, &path).expect("copy evidence");
    let ev = crate::evidence::load_path(&path, &crate::evidence::LoadOptions::default()).expect("evidence loads");
    let mut m = self::app(ev, Some(as_of), width, height);
    m.set_live(super::state::Live { source: Some(path.clone()), as_of: Some(as_of.into()), ..Default::default() });
    (m, path)
}

/// Apply one message; the effects it asked for (not run).
pub fn apply(m: &mut Model, msg: impl Into<Msg>) -> Vec<Effect> {
    update::update(m, msg)
}

/// Feed one terminal event through the keymap, as the run loop does; the effects it asked for (not run).
pub fn send(m: &mut Model, ev: &Event) -> Vec<Effect> {
    match m.msg_for(ev) {
        Some(msg) => update::update(m, msg),
        None => Vec::new(),
    }
}

/// Press each character of `keys`.
pub fn type_keys(m: &mut Model, keys: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in keys.chars() {
        fx.extend(send(m, &key(KeyCode::Char(c))));
    }
    fx
}

/// Press a special key.
pub fn press(m: &mut Model, code: KeyCode) -> Vec<Effect> {
    send(m, &key(code))
}

/// Press a key with Control.
pub fn ctrl(m: &mut Model, c: char) -> Vec<Effect> {
    send(m, &key_with(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Run effects on an inline runtime (no clipboard) and feed what they report back until nothing is left.
pub fn run(m: &mut Model, fx: Vec<Effect>) {
    let mut rt = Runtime::inline(Clipboard::off());
    assert!(rt.settle(m, fx, std::time::Duration::from_secs(120)), "inline effects settle");
}

/// Render the model into a fresh test terminal of its own size.
pub fn render(m: &Model) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(m.area.width, m.area.height)).expect("test backend");
    terminal.draw(|f| ui::render(m, f)).expect("test backend draws");
    terminal
}

/// The rendered buffer.
pub fn buffer(m: &Model) -> Buffer {
    render(m).backend().buffer().clone()
}

/// The rendered screen as text, one line per row (trailing spaces trimmed).
pub fn screen(m: &Model) -> String {
    let buf = buffer(m);
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
