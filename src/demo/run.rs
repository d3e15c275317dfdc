//! Running a demo tape through the explorer: live on the terminal, or headless into an asciicast v2
//! recording. Either way the tape is an event source of the one run loop, every scripted key goes through
//! the keymap exactly as a person's keys do, and time is the tape's virtual time (the app's clock starts at
//! the evidence's own evaluation time), so the same tape on the same evidence records the same bytes.

use std::io;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::cast::CastWriter;
use super::presenter::{KEYS, Out, Presenter};
use super::tape::{LineAt, ScriptedEvent, ScriptedKind, Timeline};
use crate::tui::runtime::{Clipboard, Runtime};
use crate::tui::{Clock, EventSource, Model, Msg, Screen, ui, update};
use std::sync::Arc;

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
    /// The last frame's text.
    screen: String,
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

/// The screen as plain text, one line per row (trailing spaces trimmed): what `Wait` matches and
/// `Screenshot` writes.
pub fn buffer_text(buf: &Buffer) -> String {
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

/// The bytes that give the terminal back its cursor and plain style: the last event of every recording,
/// and what a live demo prints on its way out.
pub const RESTORE: &str = "\x1b[0m\x1b[?25h";

/// How far virtual time moves on each look at the screen while a headless `Wait` holds.
pub const WAIT_TICK: Duration = Duration::from_millis(100);

/// Largest existing file a `Screenshot` replaces (a screen's text is far smaller).
const MAX_SCREENSHOT_BYTES: u64 = 4 << 20;

/// Write a `Screenshot`: the screen's text, atomically; never over a file that looks like evidence (JSON
/// or SQLite), never into a directory, FIFO or device.
pub fn write_screenshot(path: &std::path::Path, at: &LineAt, screen: &str) -> Result<(), String> {
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    if path.symlink_metadata().is_ok() {
        // Something is there: replaced only when it is a regular file that is not JSON or SQLite.
        let bytes = crate::files::read_regular(path, MAX_SCREENSHOT_BYTES)
            .map_err(|e| format!("{at}: Screenshot {shown}: {e}: not replaced"))?;
        let head = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(head, Some(b'{') | Some(b'[')) || bytes.starts_with(b"SQLite format 3") {
            return Err(format!("{at}: Screenshot {shown}: the file holds JSON or SQLite (evidence?): not replaced"));
        }
    }
    crate::files::write_atomic(path, screen.as_bytes()).map_err(|e| format!("{at}: Screenshot {shown}: {e}"))
}

/// The tape as an event source for the headless recorder: each key at once (time is virtual), markers and
/// Hide/Show written to the recording on the way, a `Wait` held (virtual time moving on by [`WAIT_TICK`]
/// each look) until the screen matches, `Screenshot`s written. Once every event is used it is finished.
struct VirtualTape {
    events: Vec<ScriptedEvent>,
    next: usize,
    /// Virtual time spent holding at `Wait`s so far: every later event moves on by it.
    held: Duration,
    /// When the current `Wait` began holding.
    waiting: Option<Duration>,
    at: Rc<Cell<Duration>>,
    rec: Rc<RefCell<Recording>>,
    /// Why the run failed (a timed-out `Wait`, a screenshot not written).
    failed: Option<String>,
}

impl EventSource for VirtualTape {
    fn next(&mut self, _timeout: Duration) -> io::Result<Option<Event>> {
        while let Some(ScriptedEvent { at, event }) = self.events.get(self.next) {
            let at = (*at + self.held).max(self.at.get());
            self.at.set(at);
            match event {
                ScriptedKind::Key(k) => {
                    self.next += 1;
                    return Ok(Some(Event::Key(*k)));
                }
                ScriptedKind::Marker(label) => self.rec.borrow_mut().cast.marker(at, label),
                ScriptedKind::Hide => self.rec.borrow_mut().hidden = true,
                ScriptedKind::Show => self.rec.borrow_mut().hidden = false,
                ScriptedKind::Resize(..) => {}
                ScriptedKind::Wait(w) => {
                    if !w.matches(&self.rec.borrow().screen) {
                        let since = *self.waiting.get_or_insert(at);
                        if at.saturating_sub(since) >= w.timeout {
                            self.failed = Some(w.timed_out());
                            self.next = self.events.len();
                            return Ok(None);
                        }
                        // Let virtual time pass: the loop ticks the app and draws, and the screen is looked
                        // at again.
                        self.held += WAIT_TICK;
                        self.at.set(at + WAIT_TICK);
                        return Ok(None);
                    }
                    self.waiting = None;
                }
                ScriptedKind::Screenshot(path, line) => {
                    if let Err(e) = write_screenshot(path, line, &self.rec.borrow().screen) {
                        self.failed = Some(e);
                        self.next = self.events.len();
                        return Ok(None);
                    }
                }
            }
            self.next += 1;
        }
        Ok(None)
    }
    fn finished(&self) -> bool {
        self.next >= self.events.len()
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
        let text = buffer_text(self.term.draw(|f| ui::render(model, f))?.buffer);
        let bytes = String::from_utf8_lossy(&std::mem::take(&mut *self.screen.0.borrow_mut())).into_owned();
        let mut r = self.rec.borrow_mut();
        r.screen = text;
        if r.first {
            r.first = false;
            r.cast.output(Duration::ZERO, &format!("\x1b[?25l\x1b[H\x1b[2J{bytes}"));
        } else if !r.hidden && !bytes.is_empty() {
            r.cast.output(self.at.get(), &bytes);
        }
        Ok(())
    }
}

/// Replay `timeline` through `model` headless and return the asciicast v2 text. The tape drives the same
/// loop a person's keys do ([`crate::tui::run_loop`]), with an inline runtime (each effect done before the
/// next key, so the same tape gives the same frames) and a recording screen: one `o` event per changed frame,
/// one `m` event per tape marker, hidden parts drawn but not recorded; the last event gives back the cursor
/// and plain style ([`RESTORE`]). `start` is the virtual clock's origin and the cast's timestamp. A `Wait`
/// that times out, or a `Screenshot` that cannot be written, fails the run (an error naming the tape line).
pub fn record(model: &mut Model, timeline: &Timeline, title: &str, start: DateTime<Utc>) -> io::Result<String> {
    let (w, h) = (model.area.width, model.area.height);
    let opts = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) };
    let screen = Shared::default();
    let term = Terminal::with_options(CrosstermBackend::new(screen.clone()), opts)?;
    let rec = Rc::new(RefCell::new(Recording {
        cast: CastWriter::new(w, h, title, start.timestamp()),
        hidden: false,
        first: true,
        screen: String::new(),
    }));
    let at = Rc::new(Cell::new(Duration::ZERO));
    let clock = VirtualClock { start, at: Rc::clone(&at) };
    let mut source = VirtualTape {
        events: timeline.events.clone(),
        next: 0,
        held: Duration::ZERO,
        waiting: None,
        at: Rc::clone(&at),
        rec: Rc::clone(&rec),
        failed: None,
    };
    let mut rec_screen = Recorder { term, screen, rec: Rc::clone(&rec), at: Rc::clone(&at), size: (w, h) };
    let mut rt = Runtime::inline(Clipboard::off());
    crate::tui::run_loop(&mut rec_screen, model, &mut source, &clock, &mut rt, Duration::ZERO)?;
    if let Some(e) = source.failed.take() {
        return Err(io::Error::other(e));
    }
    // Hold the last screen for the tape's closing Sleep.
    let end = (timeline.end + source.held).max(at.get());
    at.set(end);
    rt.execute(update::update(model, Msg::Tick(virtual_now(start, end))));
    for m in rt.poll() {
        let fx = update::update(model, m);
        rt.execute(fx);
    }
    rec_screen.draw(model)?;
    drop(rec_screen);
    drop(source);
    let mut rec = Rc::try_unwrap(rec).map_err(|_| io::Error::other("the recording is still shared"))?.into_inner();
    rec.cast.output(end, RESTORE);
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

/// Apply the first `n` events of a tape to `model` at once, as the headless recorder would (keys through
/// the keymap, the clock at each key's virtual time, every effect done inline); markers, `Wait`s and
/// `Screenshot`s do nothing here. The presenter's replay after a jump or a take-over.
pub fn replay(model: &mut Model, events: &[ScriptedEvent], start: DateTime<Utc>, rt: &mut Runtime) {
    for ev in events {
        let ScriptedKind::Key(k) = &ev.event else { continue };
        let now = virtual_now(start, ev.at);
        if model.now != Some(now) {
            rt.execute(update::update(model, Msg::Tick(now)));
        }
        if let Some(msg) = model.msg_for(&Event::Key(*k)) {
            let fx = update::update(model, msg);
            rt.execute(fx);
        }
        loop {
            let msgs = rt.poll();
            if msgs.is_empty() {
                break;
            }
            for m in msgs {
                let fx = update::update(model, m);
                rt.execute(fx);
            }
        }
    }
}

/// The live demo's event source: the presenter's state machine ([`Presenter`]) driven by real time and the
/// terminal's keys. A replay it asks for ends the run loop ([`EventSource::finished`]) so that [`play`]
/// rebuilds the model.
struct LiveTape {
    presenter: Rc<RefCell<Presenter>>,
    started: Instant,
    screen: Rc<RefCell<String>>,
    replay: Option<usize>,
    /// A screenshot could not be written: shown on the presenter's line, and the demo goes on.
    problem: Rc<RefCell<Option<String>>>,
}

impl LiveTape {
    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    /// Turn what the presenter says into an event for the loop (None: nothing for the app, but redraw).
    fn handle(&mut self, out: Out) -> Option<Event> {
        match out {
            Out::Key(k) => Some(Event::Key(k)),
            Out::Replay(n) => {
                self.replay = Some(n);
                None
            }
            Out::Screenshot(path, at) => {
                if let Err(e) = write_screenshot(&path, &at, &self.screen.borrow()) {
                    *self.problem.borrow_mut() = Some(e);
                }
                None
            }
            Out::Redraw => None,
        }
    }
}

impl EventSource for LiveTape {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        let deadline = Instant::now() + timeout;
        loop {
            let out = {
                let screen = self.screen.borrow().clone();
                self.presenter.borrow_mut().poll(self.now(), &screen)
            };
            if let Some(out) = out {
                let e = self.handle(out);
                return Ok(e);
            }
            let due = self.presenter.borrow().due_in(self.now());
            let wait = due.map_or(timeout, |d| d.min(timeout)).min(deadline.saturating_duration_since(Instant::now()));
            if event::poll(wait)? {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        let out = self.presenter.borrow_mut().on_key(k, self.now());
                        return Ok(out.and_then(|o| self.handle(o)));
                    }
                    Event::Key(_) => {}
                    // Mouse and paste are the app's only while the presenter drives.
                    e @ (Event::Mouse(_) | Event::Paste(_)) => {
                        if self.presenter.borrow_mut().take_over() {
                            return Ok(Some(e));
                        }
                    }
                    other => return Ok(Some(other)),
                }
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }
    fn finished(&self) -> bool {
        self.replay.is_some()
    }
}

/// The live demo's clock: the evidence's own time plus the tape's position (it stands still while paused).
struct PresenterClock {
    start: DateTime<Utc>,
    started: Instant,
    presenter: Rc<RefCell<Presenter>>,
}

impl Clock for PresenterClock {
    fn now(&self) -> DateTime<Utc> {
        virtual_now(self.start, self.presenter.borrow().position(self.started.elapsed()))
    }
}

/// The terminal, with the presenter's line (paused, waiting, ended) and its `?` keys drawn over the app.
struct PresenterScreen<'a> {
    term: &'a mut Terminal<CrosstermBackend<io::Stdout>>,
    presenter: Rc<RefCell<Presenter>>,
    screen: Rc<RefCell<String>>,
    problem: Rc<RefCell<Option<String>>>,
}

impl Screen for PresenterScreen<'_> {
    fn size(&self) -> io::Result<(u16, u16)> {
        let s = self.term.size()?;
        Ok((s.width, s.height))
    }
    fn draw(&mut self, model: &Model) -> io::Result<()> {
        let p = self.presenter.borrow();
        let problem = self.problem.borrow().clone();
        let frame = self.term.draw(|f| {
            ui::render(model, f);
            overlay(f, &p, problem.as_deref());
        })?;
        *self.screen.borrow_mut() = buffer_text(frame.buffer);
        Ok(())
    }
}

/// The presenter's line on the top row (right-aligned, reverse video) and, with `?`, its keys in a box.
pub fn overlay(f: &mut ratatui::Frame, p: &Presenter, problem: Option<&str>) {
    use ratatui::style::{Modifier, Style};
    use ratatui::text::Line;
    use ratatui::widgets::{Block, Borders, Clear, Paragraph};
    let area = f.area();
    let line = match (p.footer(), problem) {
        (Some(l), Some(e)) => Some(format!("{e} · {l}")),
        (l, e) => l.or(e.map(str::to_string)),
    };
    if let Some(text) = line {
        let text = format!(" {} ", crate::sanitize::clean(&text));
        let width = (text.chars().count() as u16).min(area.width);
        let r = Rect::new(area.x + area.width - width, area.y, width, 1.min(area.height));
        f.render_widget(Clear, r);
        f.render_widget(Paragraph::new(text).style(Style::default().add_modifier(Modifier::REVERSED)), r);
    }
    if p.help_shown() {
        let lines: Vec<Line> = KEYS.iter().map(|(k, what)| Line::from(format!(" {k:<10} {what}"))).collect();
        let h = (lines.len() as u16 + 2).min(area.height);
        let w = (lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 3).min(area.width);
        let r = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" presenter keys (? hides) ")),
            r,
        );
    }
}

/// Play `timeline` live on the terminal in presenter mode (see [`super::presenter`]): the model is built as
/// `closeout walk` builds it (a demo: reviews are applied in memory, never written), the tape's keys go
/// through the keymap at their moments, and a jump or a hand-back rebuilds the model and replays the tape
/// up to there. The terminal gets its cursor and plain style back at the end.
pub fn play(
    evidence: crate::evidence::Evidence,
    report: crate::health::Report,
    opts: crate::tui::Options,
    timeline: &Timeline,
    step: bool,
) -> io::Result<()> {
    let start = report.as_of;
    let (evidence, report) = (std::sync::Arc::new(evidence), std::sync::Arc::new(report));
    let (mut terminal, guard) = crate::tui::terminal::enter(opts.mouse)?;
    let presenter = Rc::new(RefCell::new(Presenter::new(timeline, step)));
    let screen_text = Rc::new(RefCell::new(String::new()));
    let problem = Rc::new(RefCell::new(None));
    let started = Instant::now();
    let clock = PresenterClock { start, started, presenter: Rc::clone(&presenter) };
    let mut source = LiveTape {
        presenter: Rc::clone(&presenter),
        started,
        screen: Rc::clone(&screen_text),
        replay: None,
        problem: Rc::clone(&problem),
    };
    let mut upto = 0;
    let result = loop {
        let size = terminal.size()?;
        let (mut model, fx) =
            crate::tui::start_model_shared(Arc::clone(&evidence), Arc::clone(&report), &opts, size.width, size.height);
        let mut rt = Runtime::inline(Clipboard::from_env(opts.clipboard, None));
        rt.execute(fx);
        rt.execute(update::update(&mut model, Msg::Tick(start)));
        for msg in opts.start.clone() {
            rt.execute(update::update(&mut model, msg));
        }
        replay(&mut model, &timeline.events[..upto.min(timeline.events.len())], start, &mut rt);
        let mut screen = PresenterScreen {
            term: &mut terminal,
            presenter: Rc::clone(&presenter),
            screen: Rc::clone(&screen_text),
            problem: Rc::clone(&problem),
        };
        let r = crate::tui::run_loop(&mut screen, &mut model, &mut source, &clock, &mut rt, opts.tick);
        match (r, source.replay.take()) {
            (Err(e), _) => break Err(e),
            (Ok(()), Some(n)) if !model.quit => upto = n,
            (Ok(()), _) => break Ok(()),
        }
    };
    drop(guard);
    use io::Write;
    let mut out = io::stdout();
    let _ = out.write_all(RESTORE.as_bytes());
    let _ = out.flush();
    result
}
