//! Semantic styles, and the themes that recolour them. With `NO_COLOR` (or the `mono` theme) every colour is
//! dropped and modifiers stay, so every meaning a colour carries here also has a glyph, a word or a modifier:
//! fail is BOLD, redactions are REVERSED, the selection is REVERSED and marked, the focused pane has a thick
//! border.
//!
//! The styles below are written for a dark background; a [`ThemeChoice`] other than dark maps the finished
//! frame's colours ([`apply`]) rather than threading a theme through every pane, so render stays one set of
//! pure functions and a theme cannot miss a pane.

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

/// The theme a config file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Mono under NO_COLOR; light when `COLORFGBG` says the background is light; else dark.
    Auto,
    Dark,
    Light,
    HighContrast,
    Mono,
}

impl ThemeChoice {
    pub fn parse(s: &str) -> Option<ThemeChoice> {
        match s {
            "auto" => Some(ThemeChoice::Auto),
            "dark" => Some(ThemeChoice::Dark),
            "light" => Some(ThemeChoice::Light),
            "high-contrast" => Some(ThemeChoice::HighContrast),
            "mono" => Some(ThemeChoice::Mono),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::Auto => "auto",
            ThemeChoice::Dark => "dark",
            ThemeChoice::Light => "light",
            ThemeChoice::HighContrast => "high-contrast",
            ThemeChoice::Mono => "mono",
        }
    }

    /// The theme `auto` stands for, from `NO_COLOR` and `COLORFGBG` (e.g. "0;15": light background).
    pub fn resolve(self, no_color: bool, colorfgbg: Option<&str>) -> ThemeChoice {
        if no_color {
            return ThemeChoice::Mono;
        }
        match self {
            ThemeChoice::Auto => {
                let bg = colorfgbg.and_then(|v| v.rsplit(';').next()).and_then(|b| b.trim().parse::<u8>().ok());
                if matches!(bg, Some(7 | 9..=15)) { ThemeChoice::Light } else { ThemeChoice::Dark }
            }
            other => other,
        }
    }

    /// The theme from the environment: `NO_COLOR` set to anything non-empty, `COLORFGBG`.
    pub fn resolve_env(self) -> ThemeChoice {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        self.resolve(no_color, std::env::var("COLORFGBG").ok().as_deref())
    }
}

/// Recolour a finished frame for a theme (dark: as drawn).
pub fn apply(theme: ThemeChoice, buf: &mut ratatui::buffer::Buffer) {
    let map: fn(Color) -> Color = match theme {
        ThemeChoice::Dark | ThemeChoice::Auto => return,
        ThemeChoice::Mono => |_| Color::Reset,
        ThemeChoice::Light => |c| match c {
            Color::Yellow => Color::Rgb(0x8a, 0x5a, 0x00),
            Color::Cyan => Color::Blue,
            Color::Green => Color::Rgb(0x00, 0x6e, 0x1f),
            Color::DarkGray => Color::Rgb(0x60, 0x60, 0x60),
            Color::White => Color::Black,
            Color::Magenta => Color::Rgb(0x80, 0x10, 0x80),
            other => other,
        },
        ThemeChoice::HighContrast => |c| match c {
            Color::DarkGray => Color::White,
            Color::Yellow => Color::LightYellow,
            Color::Cyan => Color::LightCyan,
            Color::Green => Color::LightGreen,
            Color::Red => Color::LightRed,
            Color::Blue => Color::LightBlue,
            Color::Magenta => Color::LightMagenta,
            other => other,
        },
    };
    for cell in &mut buf.content {
        cell.fg = map(cell.fg);
        cell.bg = map(cell.bg);
        if theme == ThemeChoice::HighContrast {
            cell.modifier.remove(Modifier::DIM);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_no_color_and_the_background() {
        assert_eq!(ThemeChoice::Auto.resolve(true, None), ThemeChoice::Mono);
        assert_eq!(ThemeChoice::Light.resolve(true, None), ThemeChoice::Mono, "NO_COLOR wins");
        assert_eq!(ThemeChoice::Auto.resolve(false, Some("0;15")), ThemeChoice::Light);
        assert_eq!(ThemeChoice::Auto.resolve(false, Some("15;0")), ThemeChoice::Dark);
        assert_eq!(ThemeChoice::Auto.resolve(false, None), ThemeChoice::Dark);
        assert_eq!(ThemeChoice::HighContrast.resolve(false, Some("0;15")), ThemeChoice::HighContrast);
        for t in ["auto", "dark", "light", "high-contrast", "mono"] {
            assert_eq!(ThemeChoice::parse(t).map(ThemeChoice::name), Some(t));
        }
    }

    #[test]
    fn themes_recolour_and_mono_keeps_modifiers() {
        let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 2, 1));
        buf[(0, 0)].set_style(Style::new().fg(Color::DarkGray).add_modifier(Modifier::DIM));
        buf[(1, 0)].set_style(redacted());
        let mut hc = buf.clone();
        apply(ThemeChoice::HighContrast, &mut hc);
        assert_eq!(hc[(0, 0)].fg, Color::White);
        assert!(!hc[(0, 0)].modifier.contains(Modifier::DIM));
        let mut mono = buf.clone();
        apply(ThemeChoice::Mono, &mut mono);
        assert!(mono.content.iter().all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
        assert!(mono[(1, 0)].modifier.contains(Modifier::REVERSED));
        let mut light = buf.clone();
        apply(ThemeChoice::Light, &mut light);
        assert_ne!(light[(0, 0)].fg, Color::DarkGray);
    }
}
