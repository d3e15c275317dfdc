//! The default demo tape, replayed headless through the explorer and recorded as asciicast v2: a prototype
//! of `closeout demo --record`. Set `CLOSEOUT_DEMO_CAST_OUT=path.cast` to keep the recording (for example to
//! watch it with `asciinema play`).

use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::Event;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use closeout::demo::cast::{CastWriter, validate_cast};
use closeout::demo::tape::{ScriptedEvent, ScriptedKind, parse, timeline};
use closeout::demo::{DEFAULT_SIZE, DEFAULT_TAPE, DEFAULT_WALKTHROUGH};

/// A writer whose bytes the test can take after each frame.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Drive the explorer with the default tape and record it, the way `closeout demo --record` will: key events
/// through the app's keymap, frames drawn by the crossterm backend into memory, one `o` event per changed
/// frame, one `m` event per tape marker. Hidden frames are drawn but not recorded.
fn record_default_demo(speed: f64) -> String {
    let cmds = parse(DEFAULT_TAPE).unwrap();
    let (w, h) = DEFAULT_SIZE;
    let ev = closeout::samples::load(&closeout::samples::default_name(), &Default::default()).unwrap();
    let when = ev.default_as_of.unwrap();
    let mut app = closeout::tui::harness::app(ev, Some(when), w, h);
    app.update(closeout::tui::Action::Tick(when));
    let opts = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) };
    let screen = Shared::default();
    let mut term = Terminal::with_options(CrosstermBackend::new(screen.clone()), opts).unwrap();
    let mut cast = CastWriter::new(w, h, "closeout: sales-engineering demo", when.timestamp());
    let draw = |app: &closeout::tui::App, term: &mut Terminal<CrosstermBackend<Shared>>| -> String {
        term.draw(|f| closeout::tui::ui::render(app, f)).unwrap();
        String::from_utf8(std::mem::take(&mut *screen.0.borrow_mut())).unwrap()
    };
    let first = draw(&app, &mut term);
    cast.output(Duration::ZERO, &format!("\x1b[?25l\x1b[H\x1b[2J{first}"));
    let mut hidden = false;
    let line = timeline(&cmds, speed, DEFAULT_SIZE);
    for ScriptedEvent { at, event } in line.events {
        match event {
            ScriptedKind::Key(k) => {
                closeout::tui::harness::send(&mut app, &Event::Key(k));
                let bytes = draw(&app, &mut term);
                if !hidden && !bytes.is_empty() {
                    cast.output(at, &bytes);
                }
            }
            ScriptedKind::Marker(label) => cast.marker(at, &label),
            ScriptedKind::Hide => hidden = true,
            ScriptedKind::Show => hidden = false,
            ScriptedKind::Resize(..) => {}
        }
    }
    // Hold the last screen for the tape's closing Sleep.
    cast.output(line.end, "");
    cast.finish()
}

#[test]
fn default_tape_records_a_valid_deterministic_cast() {
    let cast = record_default_demo(1.0);
    let summary = validate_cast(&cast).expect("the recording is valid asciicast v2");
    let steps = closeout::walkthrough::find(DEFAULT_WALKTHROUGH).unwrap().steps;
    let want: Vec<String> = steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.title)).collect();
    assert_eq!(summary.markers, want, "an m event per walkthrough step");
    assert_eq!((summary.width, summary.height), (u64::from(DEFAULT_SIZE.0), u64::from(DEFAULT_SIZE.1)));
    assert!(summary.outputs > 10, "{summary:?}");
    assert_eq!(cast, record_default_demo(1.0), "same tape, same evidence: same bytes");
    let fast = validate_cast(&record_default_demo(4.0)).unwrap();
    assert!(fast.duration < summary.duration / 3.0, "{} vs {}", fast.duration, summary.duration);
    if let Some(out) = std::env::var_os("CLOSEOUT_DEMO_CAST_OUT") {
        std::fs::write(out, &cast).expect("write the cast");
    }
}
