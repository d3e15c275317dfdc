//! Semantic styles. With `NO_COLOR` crossterm drops colours but keeps modifiers, so every meaning a colour
//! carries here also has a glyph, a word or a modifier: fail is BOLD, redactions are REVERSED, the
//! selection is REVERSED and marked, the focused pane has a thick border.

use ratatui::style::{Color, Modifier, Style};

use crate::evidence::Boundary;
use crate::health::{Status, Verdict};

/// The glyph for a node status; `?` when no criterion looked at the node.
pub fn status_glyph(s: Option<Status>) -> &'static str {
    s.map_or("?", Status::glyph)
}

pub fn status(s: Option<Status>) -> Style {
    match s {
        Some(Status::Pass) => Style::new().fg(Color::Green),
        Some(Status::Warn) => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Some(Status::Fail) => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        None => Style::new().fg(Color::DarkGray).add_modifier(Modifier::DIM),
    }
}

/// The verdict badge: reversed, so it stays a badge without colour.
pub fn verdict(v: Verdict) -> Style {
    let c = match v {
        Verdict::ReadyForRelease => Color::Green,
        Verdict::ReadyWithAcceptedRisk => Color::Yellow,
        Verdict::Blocked => Color::Red,
    };
    Style::new().fg(c).add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

pub fn verdict_glyph(v: Verdict) -> &'static str {
    match v {
        Verdict::ReadyForRelease => "✓",
        Verdict::ReadyWithAcceptedRisk => "!",
        Verdict::Blocked => "✗",
    }
}

/// A redacted secret: reverse video, the cue that survives NO_COLOR.
pub fn redacted() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

pub fn tag(b: Boundary) -> Style {
    match b {
        Boundary::PublicMetadata => Style::new().fg(Color::DarkGray),
        Boundary::ExternalReference => Style::new().fg(Color::Cyan),
        Boundary::BoundaryAssertion => Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
    }
}

pub fn edition_badge() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn heading() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn key() -> Style {
    Style::new().fg(Color::Blue)
}

pub fn value() -> Style {
    Style::new()
}

pub fn id() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn latest() -> Style {
    Style::new().fg(Color::Green)
}

pub fn superseded() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// An older version of an artifact: dimmed (a modifier, so it shows without colour).
pub fn superseded_id() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

pub fn dangling() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn reference() -> Style {
    Style::new().fg(Color::Cyan)
}

/// Matched filter text.
pub fn matched() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
}

/// The selected row of the focused pane.
pub fn selected_focused() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// The selected row when its pane does not have focus.
pub fn selected_unfocused() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

pub fn border(focused: bool) -> Style {
    if focused { Style::new().fg(Color::Cyan) } else { Style::new().fg(Color::DarkGray) }
}

pub fn footer_key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn filter_prompt() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn status_message() -> Style {
    Style::new().fg(Color::Yellow)
}
