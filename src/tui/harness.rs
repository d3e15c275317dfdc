//! Driving the app without a terminal: build it from evidence, feed it events through the same keymap
//! path as the live app, and render it into a [`TestBackend`]. Used by tests, benchmarks and (later) the
//! headless demo recorder.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode};

use super::app::App;
use super::event::key;
use super::ui;
use crate::evidence::Evidence;
use crate::health::{self, Report};

/// Evaluate evidence as of `as_of` (or, for an embedded sample, its own time) and open an app of the given size.
pub fn app(evidence: Evidence, as_of: Option<chrono::DateTime<chrono::Utc>>, width: u16, height: u16) -> App {
    let when = match (as_of, evidence.default_as_of) {
        (Some(t), _) => crate::time::AsOf::given(t),
        (None, Some(t)) => crate::time::AsOf::sample(t),
        (None, None) => panic!("an evaluation time: evidence read from disk needs one (as_of)"),
    };
    let report: Report = health::evaluate(&evidence, &[], when).expect("evidence evaluates");
    App::new(Arc::new(evidence), Arc::new(report), width, height)
}

/// Copy an evidence file into `dir`, load the copy, and open an app that watches it live (as
/// `closeout PATH` does), evaluated as of `as_of`. Returns the app and the copy's path.
pub fn live_copy(
    dir: &std::path::Path,
    source: &std::path::Path,
    as_of: chrono::DateTime<chrono::Utc>,
    width: u16,
    height: u16,
) -> (App, std::path::PathBuf) {
    let path = dir.join(source.file_name().expect("a file"));
    std::fs::copy(source, &path).expect("copy evidence");
    let ev = crate::evidence::load_path(&path, &crate::evidence::LoadOptions::default()).expect("evidence loads");
    let mut app = self::app(ev, Some(as_of), width, height);
    app.set_live(super::health::Live { source: Some(path.clone()), as_of: Some(as_of.into()), ..Default::default() });
    (app, path)
}

/// Feed one terminal event through the keymap, as the run loop does.
pub fn send(app: &mut App, ev: &Event) {
    if let Some(action) = app.action_for(ev) {
        app.update(action);
    }
}

/// Press each character of `keys`.
pub fn type_keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        send(app, &key(KeyCode::Char(c)));
    }
}

/// Press a special key.
pub fn press(app: &mut App, code: KeyCode) {
    send(app, &key(code));
}

/// Render the app into a fresh test terminal of its own size.
pub fn render(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.area.width, app.area.height)).expect("test backend");
    terminal.draw(|f| ui::render(app, f)).expect("test backend draws");
    terminal
}

/// The rendered buffer.
pub fn buffer(app: &App) -> Buffer {
    render(app).backend().buffer().clone()
}

/// The rendered screen as text, one line per row (trailing spaces trimmed).
pub fn screen(app: &App) -> String {
    let buf = buffer(app);
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
