//! Where events come from. The run loop asks an [`EventSource`] for the next terminal event; the live app
//! reads crossterm, tests and scripted demos replay a list through the very same path.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use ratatui::crossterm::event::{
    self, Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// A stream of terminal events.
pub trait EventSource {
    /// The next event, waiting at most `timeout`; `None` when nothing came.
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
    /// True when the source will never produce another event (a script that ran out).
    fn finished(&self) -> bool {
        false
    }
}

/// The real terminal.
#[derive(Debug, Default)]
pub struct CrosstermSource;

impl EventSource for CrosstermSource {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if event::poll(timeout)? { event::read().map(Some) } else { Ok(None) }
    }
}

/// A fixed list of events, replayed in order (tests; the demo's tape player builds one of these).
#[derive(Debug, Default, Clone)]
pub struct ScriptSource {
    events: VecDeque<Event>,
}

impl ScriptSource {
    pub fn new(events: impl IntoIterator<Item = Event>) -> Self {
        ScriptSource { events: events.into_iter().collect() }
    }

    /// One key press per character of `keys` (no special keys; use [`ScriptSource::push_key`] for those).
    pub fn typing(keys: &str) -> Self {
        let mut s = ScriptSource::default();
        for c in keys.chars() {
            s.push_key(KeyCode::Char(c));
        }
        s
    }

    pub fn push(&mut self, ev: Event) -> &mut Self {
        self.events.push_back(ev);
        self
    }

    pub fn push_key(&mut self, code: KeyCode) -> &mut Self {
        self.push(key(code))
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

impl EventSource for ScriptSource {
    fn next(&mut self, _timeout: Duration) -> io::Result<Option<Event>> {
        Ok(self.events.pop_front())
    }
    fn finished(&self) -> bool {
        self.events.is_empty()
    }
}

/// A key press event.
pub fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A key press with modifiers.
pub fn key_with(code: KeyCode, mods: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, mods))
}

/// A left click at a cell.
pub fn click(x: u16, y: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    })
}

/// A wheel step at a cell (`down`: towards the end).
pub fn wheel(x: u16, y: u16, down: bool) -> Event {
    let kind = if down { MouseEventKind::ScrollDown } else { MouseEventKind::ScrollUp };
    Event::Mouse(MouseEvent { kind, column: x, row: y, modifiers: KeyModifiers::NONE })
}

/// A bracketed paste.
pub fn paste(text: &str) -> Event {
    Event::Paste(text.to_string())
}
