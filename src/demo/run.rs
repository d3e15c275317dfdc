//! Running a demo tape through the explorer: live on the terminal, or headless into an asciicast v2
//! recording. Either way every scripted key goes through the app's keymap, exactly as a person's keys do,
//! and time is the tape's virtual time (the app's clock starts at the evidence's own evaluation time), so
//! the same tape on the same evidence records the same bytes.

use std::io;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use super::cast::CastWriter;
use super::tape::{ScriptedEvent, ScriptedKind, Timeline};
use crate::tui::{Action, App, Clock, EventSource, harness, ui};

/// A writer whose bytes can be taken after each frame.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn virtual_now(start: DateTime<Utc>, at: Duration) -> DateTime<Utc> {
    start + chrono::Duration::from_std(at).unwrap_or_default()
}

/// Replay `timeline` through `app` headless and return the asciicast v2 text: frames drawn by the crossterm
/// backend into memory (one `o` event per changed frame), one `m` event per tape marker, hidden parts
/// drawn but not recorded. `start` is the virtual clock's origin and the cast's timestamp.
pub fn record(app: &mut App, timeline: &Timeline, title: &str, start: DateTime<Utc>) -> io::Result<String> {
    let (w, h) = (app.area.width, app.area.height);
    let opts = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) };
    let screen = Shared::default();
    let mut term = Terminal::with_options(CrosstermBackend::new(screen.clone()), opts)?;
    let mut cast = CastWriter::new(w, h, title, start.timestamp());
    let mut draw = |app: &App| -> io::Result<String> {
        term.draw(|f| ui::render(app, f))?;
        Ok(String::from_utf8_lossy(&std::mem::take(&mut *screen.0.borrow_mut())).into_owned())
    };
    app.update(Action::Tick(start));
    let first = draw(app)?;
    cast.output(Duration::ZERO, &format!("\x1b[?25l\x1b[H\x1b[2J{first}"));
    let mut hidden = false;
    for ScriptedEvent { at, event } in &timeline.events {
        app.update(Action::Tick(virtual_now(start, *at)));
        match event {
            ScriptedKind::Key(k) => {
                harness::send(app, &Event::Key(*k));
                crate::tui::save_walk_notes(app);
            }
            ScriptedKind::Marker(label) => {
                cast.marker(*at, label);
                continue;
            }
            ScriptedKind::Hide => {
                hidden = true;
                continue;
            }
            ScriptedKind::Show => hidden = false,
            ScriptedKind::Resize(..) => continue,
        }
        let bytes = draw(app)?;
        if !hidden && !bytes.is_empty() {
            cast.output(*at, &bytes);
        }
    }
    // Hold the last screen for the tape's closing Sleep.
    app.update(Action::Tick(virtual_now(start, timeline.end)));
    let bytes = draw(app)?;
    cast.output(timeline.end, &bytes);
    Ok(cast.finish())
}

/// Plays a timeline in real time on the terminal, yielding each scripted key when its moment comes. While
/// it plays, the person's `q` and Ctrl-C still quit (other keys wait, so they cannot derail the script);
/// when the tape ends, the person drives.
pub struct TapeSource {
    events: std::vec::IntoIter<ScriptedEvent>,
    next: Option<ScriptedEvent>,
    started: Instant,
}

impl TapeSource {
    pub fn new(timeline: &Timeline) -> TapeSource {
        let mut events = timeline.events.clone().into_iter();
        let next = events.next();
        TapeSource { events, next, started: Instant::now() }
    }
}

impl EventSource for TapeSource {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        let deadline = Instant::now() + timeout;
        loop {
            let Some(due) = self.next.as_ref().map(|e| self.started + e.at) else {
                return if event::poll(timeout)? { event::read().map(Some) } else { Ok(None) };
            };
            let now = Instant::now();
            if now >= due {
                let ev = self.next.take().expect("checked");
                self.next = self.events.next();
                if let ScriptedKind::Key(k) = ev.event {
                    return Ok(Some(Event::Key(k)));
                }
                continue;
            }
            let wait = due.min(deadline).saturating_duration_since(now);
            if event::poll(wait)? {
                let ev = event::read()?;
                if let Event::Key(k) = &ev
                    && ((k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL))
                        || k.code == KeyCode::Char('q'))
                {
                    return Ok(Some(ev));
                }
                if matches!(ev, Event::Resize(..)) {
                    return Ok(Some(ev));
                }
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }
}

/// Virtual time for the live demo: the evidence's own time plus real elapsed time.
pub struct DemoClock {
    pub start: DateTime<Utc>,
    pub started: Instant,
}

impl Clock for DemoClock {
    fn now(&self) -> DateTime<Utc> {
        virtual_now(self.start, self.started.elapsed())
    }
}
