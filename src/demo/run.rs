//! Running a demo tape through the explorer: live on the terminal, or headless into an asciicast v2
//! recording. Either way the tape is an event source of the one run loop, every scripted key goes through
//! the keymap exactly as a person's keys do, and time is the tape's virtual time (the app's clock starts at
//! the evidence's own evaluation time), so the same tape on the same evidence records the same bytes.

use std::io;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::cast::CastWriter;
use super::tape::{ScriptedEvent, ScriptedKind, Timeline};
use crate::tui::runtime::{Clipboard, Runtime};
use crate::tui::{Clock, EventSource, Model, Msg, Screen, ui, update};

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

/// The recording in progress: written by the tape source (markers, Hide/Show) and the screen (frames).
struct Recording {
    cast: CastWriter,
    hidden: bool,
    first: bool,
}

/// Virtual time: where on the tape's timeline the last event was.
#[derive(Clone)]
struct VirtualClock {
    start: DateTime<Utc>,
    at: Rc<Cell<Duration>>,
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        virtual_now(self.start, self.at.get())
    }
}

/// The tape as an event source for the headless recorder: each key at once (time is virtual), markers and
/// Hide/Show written to the recording on the way.
struct VirtualTape {
    events: std::iter::Peekable<std::vec::IntoIter<ScriptedEvent>>,
    at: Rc<Cell<Duration>>,
    rec: Rc<RefCell<Recording>>,
}

impl EventSource for VirtualTape {
    fn next(&mut self, _timeout: Duration) -> io::Result<Option<Event>> {
        for ScriptedEvent { at, event } in self.events.by_ref() {
            self.at.set(at);
            match event {
                ScriptedKind::Key(k) => return Ok(Some(Event::Key(k))),
                ScriptedKind::Marker(label) => self.rec.borrow_mut().cast.marker(at, &label),
                ScriptedKind::Hide => self.rec.borrow_mut().hidden = true,
                ScriptedKind::Show => self.rec.borrow_mut().hidden = false,
                ScriptedKind::Resize(..) => {}
            }
        }
        Ok(None)
    }
    fn finished(&self) -> bool {
        // `next` consumes trailing markers; once nothing is left, the recording ends.
        false
    }
}

/// Frames drawn by the crossterm backend into memory, each changed one an `o` event at the virtual time.
struct Recorder {
    term: Terminal<CrosstermBackend<Shared>>,
    screen: Shared,
    rec: Rc<RefCell<Recording>>,
    at: Rc<Cell<Duration>>,
    size: (u16, u16),
}

impl Screen for Recorder {
    fn size(&self) -> io::Result<(u16, u16)> {
        Ok(self.size)
    }
    fn draw(&mut self, model: &Model) -> io::Result<()> {
        self.term.draw(|f| ui::render(model, f))?;
        let bytes = String::from_utf8_lossy(&std::mem::take(&mut *self.screen.0.borrow_mut())).into_owned();
        let mut r = self.rec.borrow_mut();
        if r.first {
            r.first = false;
            r.cast.output(Duration::ZERO, &format!("\x1b[?25l\x1b[H\x1b[2J{bytes}"));
        } else if !r.hidden && !bytes.is_empty() {
            r.cast.output(self.at.get(), &bytes);
        }
        Ok(())
    }
}

/// A tape source that says it is finished once its events are used up (so the shared loop stops).
struct Ending(VirtualTape, Rc<Cell<bool>>);

impl EventSource for Ending {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        let e = self.0.next(timeout)?;
        if self.0.events.peek().is_none() {
            self.1.set(true);
        }
        if e.is_none() {
            self.1.set(true);
        }
        Ok(e)
    }
    fn finished(&self) -> bool {
        self.1.get()
    }
}

/// Replay `timeline` through `model` headless and return the asciicast v2 text. The tape drives the same
/// loop a person's keys do ([`crate::tui::run_loop`]), with an inline runtime (each effect done before the
/// next key, so the same tape gives the same frames) and a recording screen: one `o` event per changed frame,
/// one `m` event per tape marker, hidden parts drawn but not recorded. `start` is the virtual clock's origin
/// and the cast's timestamp.
pub fn record(model: &mut Model, timeline: &Timeline, title: &str, start: DateTime<Utc>) -> io::Result<String> {
    let (w, h) = (model.area.width, model.area.height);
    let opts = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) };
    let screen = Shared::default();
    let term = Terminal::with_options(CrosstermBackend::new(screen.clone()), opts)?;
    let rec = Rc::new(RefCell::new(Recording {
        cast: CastWriter::new(w, h, title, start.timestamp()),
        hidden: false,
        first: true,
    }));
    let at = Rc::new(Cell::new(Duration::ZERO));
    let done = Rc::new(Cell::new(timeline.events.is_empty()));
    let clock = VirtualClock { start, at: Rc::clone(&at) };
    let mut source = Ending(
        VirtualTape {
            events: timeline.events.clone().into_iter().peekable(),
            at: Rc::clone(&at),
            rec: Rc::clone(&rec),
        },
        Rc::clone(&done),
    );
    let mut rec_screen = Recorder { term, screen, rec: Rc::clone(&rec), at: Rc::clone(&at), size: (w, h) };
    let mut rt = Runtime::inline(Clipboard::off());
    crate::tui::run_loop(&mut rec_screen, model, &mut source, &clock, &mut rt, Duration::ZERO)?;
    // Hold the last screen for the tape's closing Sleep.
    at.set(timeline.end);
    rt.execute(update::update(model, Msg::Tick(virtual_now(start, timeline.end))));
    for m in rt.poll() {
        let fx = update::update(model, m);
        rt.execute(fx);
    }
    rec_screen.draw(model)?;
    drop(rec_screen);
    drop(source);
    let rec = Rc::try_unwrap(rec).map_err(|_| io::Error::other("the recording is still shared"))?.into_inner();
    Ok(rec.cast.finish())
}

/// Record a demo of `walkthrough` over evidence: the model as `closeout demo --record` builds it.
pub fn record_demo(
    evidence: crate::evidence::Evidence,
    report: crate::health::Report,
    walkthrough: &str,
    timeline: &Timeline,
    size: (u16, u16),
    monochrome: bool,
) -> io::Result<String> {
    let start = report.as_of;
    let mut model = Model::new(std::sync::Arc::new(evidence), std::sync::Arc::new(report), size.0, size.1);
    model.set_monochrome(monochrome);
    // A recorded demo never writes a review record.
    model.live.demo = true;
    update::update(&mut model, Msg::Tick(start));
    update::update(&mut model, Msg::OpenWalk(walkthrough.to_string()));
    record(&mut model, timeline, &format!("closeout demo: {walkthrough}"), start)
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
