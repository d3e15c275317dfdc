//! The interactive explorer.
//!
//! Layers, each with its own name: [`state`] (the [`Model`] and the state of each mode: TUI state, no I/O),
//! [`update`] (the one routing function: `update(&mut Model, Msg) -> Vec<Effect>`), [`runtime`] (runs the
//! effects off the draw thread), [`ui`] (pure rendering of the model into a frame), [`keymap`] and
//! [`config`] (the one key table and a person's overrides), [`terminal`] (the guard that always gives the
//! terminal back). The domain (`evidence`, `model`, `health`, `review`) knows nothing of any of these.
//!
//! Data flows one way: an [`EventSource`] (the terminal, or a tape) yields events, the keymap turns keys
//! into [`Msg`]s, [`update::update`] applies them and returns effects, the [`runtime::Runtime`] runs those
//! and reports back as messages, and [`ui::render`] draws the model into a [`Screen`]. The live terminal,
//! tests and the demo recorder all go through [`run_loop`].

pub mod action;
pub mod config;
pub mod event;
pub mod harness;
pub mod keymap;
pub mod runtime;
pub mod state;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod ui;
pub mod update;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::Terminal;
use ratatui::backend::Backend;

pub use action::{Action, Msg};
pub use event::{CrosstermSource, EventSource, ScriptSource};
pub use state::{Live, Model, Pane};

use crate::evidence::Evidence;
use crate::health::Report;
use keymap::Keymap;
use runtime::{Clipboard, ClipboardMode, Effect, Runtime};
use theme::ThemeChoice;

/// How the live app runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Capture the mouse (click to select, wheel to scroll).
    pub mouse: bool,
    /// How long to wait for input before a clock tick.
    pub tick: Duration,
    pub theme: ThemeChoice,
    /// Messages applied once the app is built (e.g. open a walkthrough).
    pub start: Vec<Msg>,
    /// Where the evidence came from, review records and `--review-out`: live reloads and reviews.
    pub live: Live,
    pub keymap: Arc<Keymap>,
    /// What the config file asked for that could not be done (shown at start-up).
    pub problems: Vec<String>,
    pub clipboard: ClipboardMode,
    /// The key the offer to sign a saved review starts with (`$CLOSEOUT_SIGNING_KEY`, else the config's).
    pub signing_key: Option<std::path::PathBuf>,
    /// `$SSH_AUTH_SOCK` is set: the offer can sign through the agent.
    pub ssh_agent: bool,
    /// Where walkthrough progress is kept (the state directory); `None`: in memory only.
    pub progress_dir: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mouse: true,
            tick: Duration::from_millis(500),
            theme: ThemeChoice::Auto,
            start: Vec::new(),
            live: Live::default(),
            keymap: Arc::new(Keymap::default()),
            problems: Vec::new(),
            clipboard: ClipboardMode::Auto,
            signing_key: None,
            ssh_agent: false,
            progress_dir: None,
        }
    }
}

impl Options {
    /// Defaults with the environment's theme (mono under `NO_COLOR`); no config file read.
    pub fn from_env() -> Self {
        Options { theme: ThemeChoice::Auto.resolve_env(), ..Options::default() }
    }

    /// The config file (theme, mouse, keys) and the environment (`NO_COLOR`, `COLORFGBG`,
    /// `CLOSEOUT_CLIPBOARD`). An unreadable or invalid config file, or a bad `CLOSEOUT_CLIPBOARD`, is an
    /// error naming what is wrong.
    pub fn load() -> Result<Self, String> {
        let c = config::load()?;
        let clipboard = ClipboardMode::parse(std::env::var("CLOSEOUT_CLIPBOARD").ok().as_deref())?;
        Ok(Options {
            mouse: c.mouse,
            theme: c.theme.resolve_env(),
            keymap: Arc::new(c.keymap),
            problems: c.problems,
            clipboard,
            signing_key: std::env::var_os("CLOSEOUT_SIGNING_KEY")
                .filter(|v| !v.is_empty())
                .map(std::path::PathBuf::from)
                .or(c.signing_key),
            ssh_agent: std::env::var_os("SSH_AUTH_SOCK").is_some_and(|v| !v.is_empty()),
            progress_dir: runtime::progress::dir_from_env(),
            ..Options::default()
        })
    }
}

/// Where time comes from: the live app reads the system clock here, in the run loop, and hands the value
/// to the model as a tick; scripted runs use a fixed or virtual clock.
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

/// Where frames go: a terminal, or a recording.
pub trait Screen {
    fn size(&self) -> io::Result<(u16, u16)>;
    fn draw(&mut self, model: &Model) -> io::Result<()>;
}

/// Frames drawn into a ratatui terminal (any backend).
pub struct TerminalScreen<'a, B: Backend>(pub &'a mut Terminal<B>);

impl<B> Screen for TerminalScreen<'_, B>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    fn size(&self) -> io::Result<(u16, u16)> {
        let s = self.0.size().map_err(io::Error::other)?;
        Ok((s.width, s.height))
    }
    fn draw(&mut self, model: &Model) -> io::Result<()> {
        self.0.draw(|f| ui::render(model, f)).map(|_| ()).map_err(io::Error::other)
    }
}

/// Build the model the live app starts with: keymap and theme, where the evidence came from, the config
/// file's problems in the log; review records found beside the evidence are loaded and counted (the effects
/// to run for that are returned).
pub fn start_model(
    evidence: Evidence,
    report: Report,
    opts: &Options,
    width: u16,
    height: u16,
) -> (Model, Vec<Effect>) {
    start_model_shared(Arc::new(evidence), Arc::new(report), opts, width, height)
}

/// [`start_model`] over evidence and a report already shared (the live demo builds the model afresh to
/// replay its tape).
pub fn start_model_shared(
    evidence: Arc<Evidence>,
    report: Arc<Report>,
    opts: &Options,
    width: u16,
    height: u16,
) -> (Model, Vec<Effect>) {
    let mut model = Model::with_keymap(evidence, report, width, height, Arc::clone(&opts.keymap));
    model.theme = opts.theme;
    let mut live = opts.live.clone();
    if live.signing_key.is_none() {
        live.signing_key = opts.signing_key.clone();
    }
    live.ssh_agent |= opts.ssh_agent;
    // Walkthrough progress on this evidence; recordings and the sandbox keep theirs in memory only.
    if let Some(dir) = opts.progress_dir.as_deref().filter(|_| !live.demo && live.sandbox.is_none()) {
        let path = runtime::progress::path_for(dir, &model.evidence);
        match runtime::progress::load(&path) {
            Ok(Some(file)) => {
                model.walks.saved = file.walkthroughs;
                model.walks.last = file.last;
            }
            Ok(None) => {}
            Err(e) => model.notice(format!("walkthrough progress not resumed ({e}); it starts afresh")),
        }
        model.walks.file = Some(path);
    }
    let found = runtime::found_reviews(&model.evidence, live.source.as_deref());
    let mut fx = Vec::new();
    for p in &opts.problems {
        model.say(format!("config: {p}"));
    }
    let new: Vec<_> = found.into_iter().filter(|p| !live.reviews.contains(p)).collect();
    if !new.is_empty() {
        live.reviews.extend(new.iter().cloned());
        live.found_reviews = new;
        let (acceptances, problems) = runtime::acceptances(&live.reviews, &model.evidence);
        live.acceptances = acceptances;
        model.set_live(live);
        for p in problems {
            model.notice(p);
        }
        let n = model.live.found_reviews.len();
        model.notice(format!(
            "{n} review record{} found beside the evidence and loaded: re-evaluating with {}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        ));
        update::request_health(&mut model, &mut fx);
    } else {
        model.set_live(live);
    }
    (model, fx)
}

/// Open the explorer on the terminal until the user quits.
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
    let (mut terminal, guard) = terminal::enter(opts.mouse)?;
    let size = terminal.size()?;
    let (mut model, mut fx) = start_model(evidence, report, &opts, size.width, size.height);
    fx.extend(update::update(&mut model, Msg::Tick(clock.now())));
    for msg in opts.start.clone() {
        fx.extend(update::update(&mut model, msg));
    }
    let sink: runtime::clipboard::Sink = Arc::new(std::sync::Mutex::new(io::stdout()));
    let clipboard = Clipboard::from_env(opts.clipboard, Some(sink));
    let mut rt = if model.live.sandbox.is_some() {
        Runtime::sandboxed(clipboard)
    } else {
        Runtime::threaded(model.live.source.as_deref(), clipboard)
    };
    rt.execute(fx);
    crate::trace("explorer state built", t);
    let result = run_loop(&mut TerminalScreen(&mut terminal), &mut model, source, clock, &mut rt, opts.tick);
    // The open walkthrough's clock and place are kept for next time; the writer is waited for.
    rt.execute(update::finish(&mut model));
    let unsaved = rt.finish_progress();
    drop(guard);
    for e in &unsaved {
        crate::output::note(&format!("closeout: walkthrough progress not saved: {e}"));
    }
    result
}

/// [`run_loop`] into a ratatui terminal with a runtime of its own (threaded, watching the evidence path):
/// tests drive the app this way without a real terminal.
pub fn run_app<B>(
    terminal: &mut Terminal<B>,
    model: &mut Model,
    source: &mut dyn EventSource,
    clock: &dyn Clock,
    tick: Duration,
) -> io::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let mut rt = Runtime::threaded(model.live.source.as_deref(), Clipboard::off());
    run_loop(&mut TerminalScreen(terminal), model, source, clock, &mut rt, tick)
}

/// The loop: apply what the runtime reports, draw when something changed, wait for an event, turn it into a
/// message, apply it and hand its effects to the runtime; until the model quits or the source runs dry.
pub fn run_loop(
    screen: &mut dyn Screen,
    model: &mut Model,
    source: &mut dyn EventSource,
    clock: &dyn Clock,
    rt: &mut Runtime,
    tick: Duration,
) -> io::Result<()> {
    let (w, h) = screen.size()?;
    if (w, h) != (model.area.width, model.area.height) {
        rt.execute(update::update(model, Msg::Resize { width: w, height: h }));
    }
    rt.execute(update::update(model, Msg::Tick(clock.now())));
    let mut dirty = true;
    let mut first = Some(std::time::Instant::now());
    while !model.quit {
        for msg in rt.poll() {
            let fx = update::update(model, msg);
            rt.execute(fx);
            dirty = true;
        }
        if dirty {
            screen.draw(model)?;
            dirty = false;
            if let Some(t) = first.take() {
                crate::trace("first frame drawn", t);
            }
        }
        if source.finished() {
            break;
        }
        let wait = if rt.busy() { tick.min(state::health::WORK_TICK) } else { tick };
        match source.next(wait)? {
            Some(ev) => {
                let now = clock.now();
                if model.now != Some(now) {
                    rt.execute(update::update(model, Msg::Tick(now)));
                }
                if let Some(msg) = model.msg_for(&ev) {
                    // A resize needs no terminal call: drawing a full-screen viewport autoresizes.
                    let fx = update::update(model, msg);
                    rt.execute(fx);
                    dirty = true;
                }
            }
            None => {
                rt.execute(update::update(model, Msg::Tick(clock.now())));
                // The spinner, the MB/s and the walkthrough's clock move with the clock.
                dirty |= rt.busy() || model.walk.is_some() || model.live.sandbox.is_some();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests_model;
#[cfg(test)]
mod tests_modes;
