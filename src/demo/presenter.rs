//! Presenter mode for a live demo: a pure state machine over a tape's timeline. It is given the presenter's
//! keys and the time (a [`Duration`] since the demo started, from any clock: tests use a fake one) and says
//! what the run loop should do ([`Out`]): hand a key to the app, replay the tape up to an event on a fresh
//! model, write a screenshot, or just redraw. Nothing here reads a clock or a terminal.
//!
//! Keys (asciinema's player keys are the convention): Space pauses and resumes, `]` / `[` jump to the next /
//! previous chapter (the tape's `# @marker`s), `?` shows or hides the presenter keys; `q` and Ctrl-C go to the
//! app (which quits). While paused (and once the tape has ended) every other key goes to the app: the
//! presenter drives. Resuming after that hands back: the tape replays on a fresh model up to where it was,
//! so the screen and the tape agree again. `--step` pauses at every chapter. A `Wait` holds the tape until
//! the screen matches; past its timeout the demo pauses and says which line timed out.

use std::path::PathBuf;
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tape::{LineAt, ScriptedEvent, ScriptedKind, Timeline};

/// The presenter keys, as the `?` overlay lists them.
pub const KEYS: &[(&str, &str)] = &[
    ("Space", "pause / resume (while paused, the app's keys work: take over; resuming hands back)"),
    ("]", "next chapter"),
    ("[", "previous chapter (again: the one before)"),
    ("?", "show / hide these keys"),
    ("q, Ctrl-C", "quit"),
];

/// The line shown while the tape is paused.
pub const PAUSED_LINE: &str = "paused · Space resumes · ? keys";

/// What the run loop should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// Give this key to the app (a scripted key, or the presenter's own).
    Key(KeyEvent),
    /// Build the model afresh and replay the tape's first `n` events on it at once (no recording, no
    /// waiting); the tape then goes on from event `n`.
    Replay(usize),
    /// Write the screen as text to this file (a tape's `Screenshot`).
    Screenshot(PathBuf, LineAt),
    /// Only the presenter's overlay or footer changed.
    Redraw,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Playing since real time `anchor`, when the tape was at `base`.
    Playing { anchor: Duration },
    /// Paused by the presenter (or by `--step`, or a timed-out `Wait`).
    Paused,
    /// Holding at a `Wait` since real time `since`.
    Waiting { since: Duration },
    /// Every event was played.
    Ended,
}

/// The presenter's state machine.
#[derive(Debug, Clone)]
pub struct Presenter {
    events: Vec<ScriptedEvent>,
    /// When the tape is over (its closing `Sleep` included).
    end: Duration,
    /// Indices of the marker events, in order.
    chapters: Vec<usize>,
    /// The next event to play.
    next: usize,
    /// Tape position (virtual time on the timeline) when the state last changed.
    base: Duration,
    state: State,
    step: bool,
    help: bool,
    /// The presenter gave the app keys during this pause: resuming replays so the tape and screen agree.
    took_over: bool,
    status: Option<String>,
}

fn is_quit(k: &KeyEvent) -> bool {
    k.code == KeyCode::Char('q') && !k.modifiers.contains(KeyModifiers::CONTROL)
        || k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)
}

impl Presenter {
    /// A presenter at the start of `timeline`, playing (or, with `step`, about to pause at the first chapter).
    pub fn new(timeline: &Timeline, step: bool) -> Presenter {
        let chapters = timeline
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.event, ScriptedKind::Marker(_)))
            .map(|(i, _)| i)
            .collect();
        Presenter {
            events: timeline.events.clone(),
            end: timeline.end,
            chapters,
            next: 0,
            base: Duration::ZERO,
            state: State::Playing { anchor: Duration::ZERO },
            step,
            help: false,
            took_over: false,
            status: None,
        }
    }

    /// Where on the tape's timeline the demo is at real time `now`.
    pub fn position(&self, now: Duration) -> Duration {
        match self.state {
            State::Playing { anchor } => self.base + now.saturating_sub(anchor),
            _ => self.base,
        }
    }

    pub fn paused(&self) -> bool {
        self.state == State::Paused
    }

    pub fn ended(&self) -> bool {
        self.state == State::Ended
    }

    pub fn help_shown(&self) -> bool {
        self.help
    }

    /// The index of the next event the tape will play.
    pub fn next_event(&self) -> usize {
        self.next
    }

    /// The chapter the tape is in: the index (into the markers) of the last marker played.
    pub fn chapter(&self) -> Option<usize> {
        self.chapters.iter().rposition(|&i| i < self.next)
    }

    /// The line to show while the presenter has something to say (paused, waiting, ended), else None.
    pub fn footer(&self) -> Option<String> {
        let base = match self.state {
            State::Paused => PAUSED_LINE.to_string(),
            State::Waiting { .. } => "waiting for the screen · Space pauses · ? keys".to_string(),
            State::Ended => "the tape has ended: the keys drive the app · [ previous chapter · ? keys".to_string(),
            State::Playing { .. } => return self.status.clone(),
        };
        Some(match &self.status {
            Some(s) => format!("{s} · {base}"),
            None => base,
        })
    }

    /// How long (real time) until the next scripted event is due, from `now`; None when nothing is due
    /// on its own (paused, ended).
    pub fn due_in(&self, now: Duration) -> Option<Duration> {
        match self.state {
            State::Playing { .. } => {
                let at = self.events.get(self.next).map_or(self.end, |e| e.at);
                Some(at.saturating_sub(self.position(now)))
            }
            // A Wait looks at the screen again each tick.
            State::Waiting { .. } => Some(Duration::from_millis(50)),
            State::Paused | State::Ended => None,
        }
    }

    fn pause(&mut self, now: Duration) {
        self.base = self.position(now);
        self.state = State::Paused;
    }

    fn play(&mut self, now: Duration) {
        self.state = State::Playing { anchor: now };
    }

    /// A key the presenter pressed at real time `now`.
    pub fn on_key(&mut self, key: KeyEvent, now: Duration) -> Option<Out> {
        if is_quit(&key) {
            return Some(Out::Key(key));
        }
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match key.code {
            KeyCode::Char(' ') if plain && self.state != State::Ended => {
                if self.state == State::Paused {
                    self.status = None;
                    self.play(now);
                    if std::mem::take(&mut self.took_over) {
                        // Hand back: the screen is the presenter's; rebuild it to where the tape is.
                        return Some(Out::Replay(self.next));
                    }
                } else {
                    self.pause(now);
                }
                Some(Out::Redraw)
            }
            KeyCode::Char(']') if plain => self.jump(true, now),
            KeyCode::Char('[') if plain => self.jump(false, now),
            KeyCode::Char('?') if plain => {
                self.help = !self.help;
                Some(Out::Redraw)
            }
            KeyCode::Esc if self.help => {
                self.help = false;
                Some(Out::Redraw)
            }
            _ if matches!(self.state, State::Paused | State::Ended) => {
                self.took_over |= self.state == State::Paused;
                Some(Out::Key(key))
            }
            _ => {
                self.status = Some("the tape is playing: Space pauses, then the keys are yours".into());
                Some(Out::Redraw)
            }
        }
    }

    /// An event that is not a key (a click, a paste) came: whether the app may have it. Only while the
    /// presenter drives (paused, or the tape ended); during a pause it counts as taking over.
    pub fn take_over(&mut self) -> bool {
        match self.state {
            State::Paused => {
                self.took_over = true;
                true
            }
            State::Ended => true,
            _ => false,
        }
    }

    /// Jump to the next chapter, or the previous one (from a chapter's first moments, or when the tape has
    /// not reached the current chapter's events yet, the one before that).
    fn jump(&mut self, forward: bool, now: Duration) -> Option<Out> {
        let current = self.chapter();
        let target = if forward {
            current.map_or(0, |c| c + 1)
        } else {
            match current {
                None => {
                    self.status = Some("at the start: no previous chapter".into());
                    return Some(Out::Redraw);
                }
                Some(0) => 0,
                Some(c) => {
                    let started = self.events[self.chapters[c]].at;
                    // Just after a chapter began, `[` goes to the one before (as a player's previous key).
                    if self.position(now).saturating_sub(started) < Duration::from_secs(2) && !self.took_over {
                        c - 1
                    } else {
                        c
                    }
                }
            }
        };
        let Some(&marker) = self.chapters.get(target) else {
            self.status = Some("this is the last chapter".into());
            return Some(Out::Redraw);
        };
        self.next = marker + 1;
        self.base = self.events[marker].at;
        self.took_over = false;
        self.status = None;
        match self.state {
            State::Paused | State::Ended => self.state = State::Paused,
            _ if self.step => self.state = State::Paused,
            _ => self.play(now),
        }
        Some(Out::Replay(self.next))
    }

    /// What is due at real time `now`, given the screen's current text (for `Wait`). Call until it returns
    /// None.
    pub fn poll(&mut self, now: Duration, screen: &str) -> Option<Out> {
        loop {
            match self.state {
                State::Paused | State::Ended => return None,
                State::Waiting { since } => {
                    let Some(ScriptedKind::Wait(w)) = self.events.get(self.next).map(|e| &e.event) else {
                        self.play(now);
                        continue;
                    };
                    if w.matches(screen) {
                        self.next += 1;
                        self.play(now);
                        continue;
                    }
                    if now.saturating_sub(since) >= w.timeout {
                        self.status = Some(w.timed_out());
                        self.next += 1;
                        self.state = State::Paused;
                        return Some(Out::Redraw);
                    }
                    return None;
                }
                State::Playing { .. } => {}
            }
            let Some(ev) = self.events.get(self.next) else {
                // The tape's closing Sleep plays out, then the presenter has the keys.
                if self.position(now) < self.end {
                    return None;
                }
                self.base = self.end;
                self.state = State::Ended;
                return Some(Out::Redraw);
            };
            if ev.at > self.position(now) {
                return None;
            }
            match &ev.event {
                ScriptedKind::Key(k) => {
                    let k = *k;
                    self.next += 1;
                    return Some(Out::Key(k));
                }
                ScriptedKind::Marker(_) => {
                    let at = ev.at;
                    self.next += 1;
                    if self.step {
                        self.base = at;
                        self.state = State::Paused;
                        self.status = Some("--step".into());
                        return Some(Out::Redraw);
                    }
                }
                ScriptedKind::Wait(_) => {
                    self.base = ev.at;
                    self.state = State::Waiting { since: now };
                }
                ScriptedKind::Screenshot(path, at) => {
                    let out = Out::Screenshot(path.clone(), at.clone());
                    self.next += 1;
                    return Some(out);
                }
                ScriptedKind::Hide | ScriptedKind::Show | ScriptedKind::Resize(..) => self.next += 1,
            }
        }
    }
}
