//! The interactive explorer: the evidence chain tree, the detail of each artifact with its boundary tags,
//! the boundary view and help, over one [`App`] state.
//!
//! Data flows one way: an [`EventSource`] yields terminal events, the [`keymap`] turns keys into
//! [`Action`]s, [`App::update`] applies them, and [`ui::render`] draws the state into any ratatui
//! [`Backend`]. The live terminal, tests (TestBackend + [`ScriptSource`]) and a future demo recorder all
//! go through [`run_app`].

pub mod action;
pub mod app;
pub mod boundary;
pub mod detail;
pub mod event;
pub mod harness;
pub mod health;
pub mod keymap;
pub mod review;
pub mod text;
pub mod theme;
pub mod tree;
pub mod ui;
pub mod walk;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{Clear, ClearType};

pub use action::Action;
pub use app::App;
pub use event::{CrosstermSource, EventSource, ScriptSource};

use crate::evidence::Evidence;
use crate::health::Report;

/// How the live app runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Capture the mouse (click to select, wheel to scroll).
    pub mouse: bool,
    /// How long to wait for input before a clock tick.
    pub tick: Duration,
    /// Draw without colour (the meaning stays in glyphs, words and modifiers).
    pub monochrome: bool,
    /// Actions applied once the app is built (e.g. open a walkthrough).
    pub start: Vec<Action>,
    /// Where the evidence came from, review records and `--review-out`: live reloads and reviews.
    pub live: health::Live,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mouse: true,
            tick: Duration::from_millis(500),
            monochrome: false,
            start: Vec::new(),
            live: health::Live::default(),
        }
    }
}

impl Options {
    /// Defaults, monochrome when `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Self {
        let monochrome = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Options { monochrome, ..Options::default() }
    }
}

/// Where time comes from: the live app reads the system clock here, in the run loop, and hands the value
/// to the app as a tick; scripted runs use a fixed clock.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Restores the terminal when dropped: on normal exit, on error and while unwinding from a panic.
struct TerminalGuard {
    mouse: bool,
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        release(self.mouse);
        ratatui::restore();
    }
}

/// Undo what ratatui's own restore does not: mouse reporting, and the alternate screen's content (tmux
/// 3.3 copies it into the main screen on exit when the window was resized meanwhile, unless it is blank).
fn release(mouse: bool) {
    if mouse {
        let _ = execute!(io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(io::stdout(), Clear(ClearType::All));
}

/// Open the explorer on the terminal until the user quits.
///
/// Call after installing color-eyre's hooks: ratatui's panic hook, installed here, restores the terminal
/// and then chains to them.
pub fn run(evidence: Evidence, report: Report, opts: Options) -> io::Result<()> {
    run_with(evidence, report, opts, &mut CrosstermSource, &SystemClock)
}

/// [`run`] with another event source and clock (the live demo replays a tape in real time).
pub fn run_with(
    evidence: Evidence,
    report: Report,
    opts: Options,
    source: &mut dyn EventSource,
    clock: &dyn Clock,
) -> io::Result<()> {
    let t = std::time::Instant::now();
    let mut terminal = ratatui::try_init()?;
    let guard = TerminalGuard { mouse: opts.mouse };
    // A panic must not leave the terminal reporting mouse events: turn that off first, then let ratatui's
    // hook (and color-eyre's behind it) restore the rest and report.
    let previous = std::panic::take_hook();
    let mouse = opts.mouse;
    std::panic::set_hook(Box::new(move |info| {
        release(mouse);
        previous(info);
    }));
    if opts.mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    let size = terminal.size()?;
    let mut app = App::new(Arc::new(evidence), Arc::new(report), size.width, size.height);
    app.monochrome = opts.monochrome;
    app.set_live(opts.live);
    app.update(Action::Tick(clock.now()));
    for action in opts.start {
        app.update(action);
    }
    crate::trace("explorer state built", t);
    let result = run_app(&mut terminal, &mut app, source, clock, opts.tick);
    drop(guard);
    result
}

/// The loop: draw, wait for an event, turn it into an action, apply it; until the app quits or the
/// source runs dry. Generic over the backend so tests and recorders drive the same code.
pub fn run_app<B>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    source: &mut dyn EventSource,
    clock: &dyn Clock,
    tick: Duration,
) -> io::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size().map_err(io::Error::other)?;
    if (size.width, size.height) != (app.area.width, app.area.height) {
        app.update(Action::Resize { width: size.width, height: size.height });
    }
    app.update(Action::Tick(clock.now()));
    let mut dirty = true;
    let mut first = Some(std::time::Instant::now());
    let mut workers = health::Workers::new(app);
    while !app.quit {
        dirty |= workers.poll(app);
        if dirty {
            terminal.draw(|f| ui::render(app, f)).map_err(io::Error::other)?;
            dirty = false;
            if let Some(t) = first.take() {
                crate::trace("first frame drawn", t);
            }
        }
        if source.finished() {
            break;
        }
        let wait = if workers.busy() { tick.min(health::WORK_TICK) } else { tick };
        match source.next(wait)? {
            Some(ev) => {
                if let Some(action) = app.action_for(&ev) {
                    // A resize needs no terminal call: drawing a full-screen viewport autoresizes.
                    app.update(action);
                    dirty = true;
                }
            }
            None => {
                app.update(Action::Tick(clock.now()));
                // The spinner and the MB/s move with the clock.
                dirty |= workers.busy();
            }
        }
        save_walk_notes(app);
    }
    Ok(())
}

/// Write walkthrough follow-up notes when the app asked for it (I/O stays out of `update`).
pub fn save_walk_notes(app: &mut App) {
    let Some(path) = app.walk.as_mut().and_then(|w| w.save_request.take()) else { return };
    let Some(w) = app.walk.as_ref() else { return };
    let as_of = app.report.as_of;
    let notes = w.notes(&app.evidence.label.to_string(), as_of);
    let tmp = path.with_extension("md.tmp");
    let written = std::fs::write(&tmp, notes).and_then(|_| std::fs::rename(&tmp, &path));
    app.status = Some(match written {
        Ok(()) => format!("follow-up notes saved to {}", path.display()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            format!("could not save follow-up notes to {}: {e}", path.display())
        }
    });
}

#[cfg(test)]
mod tests;
