//! A subset of charmbracelet VHS tape syntax, for scripted demos: parse a tape into [`TapeCommand`]s, and lay
//! the commands out on a virtual timeline of key events ([`timeline`], [`to_events`]) that go through the same
//! keymap as a person's keys.
//!
//! One command per line; blank lines and `#` comments are skipped. Supported:
//!
//! | line | meaning |
//! |---|---|
//! | `Type "text"`, `Type@80ms "text"` | one key press per character, 50 ms apart unless `@time` says otherwise |
//! | `Enter` `Tab` `Space` `Escape` `Backspace` `Up` `Down` `Left` `Right` `PageUp` `PageDown` | a key, then 100 ms |
//! | `Ctrl+X` | the key with Control (a letter) |
//! | `Down 3`, `Down@250ms 3` | a key repeated, with `@time` between presses |
//! | `Sleep 2s`, `Sleep 500ms`, `Sleep 1.5` | wait (a bare number is seconds) |
//! | `Hide` / `Show` | stop / resume recording; hidden commands take no time on the timeline |
//! | `Set Width 120`, `Set Height 36` | terminal size in **cells** (VHS uses pixels; closeout refuses values over 1000) |
//! | `# @marker <label>` | a chapter marker (an asciicast `m` event); VHS treats it as a comment |
//!
//! Times are `500ms`, `1s`, `1.5s`, `2m` or a bare number of seconds. Strings are `"…"` (with `\"` and `\\`
//! escapes), `'…'` or `` `…` ``. So that real VHS tapes load, other `Set` lines (`Set Theme`, `Set FontSize`,
//! `Set TypingSpeed`, …) and `Output`, `Require` and `Screenshot` are accepted and ignored. Any other line is an
//! error naming its line number and text.

use std::fmt;
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::sanitize::clean;

/// Gap after each typed character unless `Type@time` says otherwise.
pub const DEFAULT_TYPE_DELAY: Duration = Duration::from_millis(50);
/// Gap after each key press unless `Key@time` says otherwise.
pub const DEFAULT_KEY_DELAY: Duration = Duration::from_millis(100);
/// Largest repeat count a key line may ask for.
pub const MAX_REPEAT: u32 = 10_000;
/// Largest terminal width or height `Set` accepts (in cells).
pub const MAX_CELLS: u16 = 1000;
/// Longest single time a tape may give (one day).
const MAX_TIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A named key of the subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TapeKey {
    Enter,
    Tab,
    Space,
    Escape,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    /// Control plus a lowercase ASCII letter.
    Ctrl(char),
}

impl TapeKey {
    const NAMED: [(&'static str, TapeKey); 11] = [
        ("Enter", TapeKey::Enter),
        ("Tab", TapeKey::Tab),
        ("Space", TapeKey::Space),
        ("Escape", TapeKey::Escape),
        ("Backspace", TapeKey::Backspace),
        ("Up", TapeKey::Up),
        ("Down", TapeKey::Down),
        ("Left", TapeKey::Left),
        ("Right", TapeKey::Right),
        ("PageUp", TapeKey::PageUp),
        ("PageDown", TapeKey::PageDown),
    ];

    /// The key event a terminal would deliver for this key.
    pub fn key_event(self) -> KeyEvent {
        let (code, mods) = match self {
            TapeKey::Enter => (KeyCode::Enter, KeyModifiers::NONE),
            TapeKey::Tab => (KeyCode::Tab, KeyModifiers::NONE),
            TapeKey::Space => (KeyCode::Char(' '), KeyModifiers::NONE),
            TapeKey::Escape => (KeyCode::Esc, KeyModifiers::NONE),
            TapeKey::Backspace => (KeyCode::Backspace, KeyModifiers::NONE),
            TapeKey::Up => (KeyCode::Up, KeyModifiers::NONE),
            TapeKey::Down => (KeyCode::Down, KeyModifiers::NONE),
            TapeKey::Left => (KeyCode::Left, KeyModifiers::NONE),
            TapeKey::Right => (KeyCode::Right, KeyModifiers::NONE),
            TapeKey::PageUp => (KeyCode::PageUp, KeyModifiers::NONE),
            TapeKey::PageDown => (KeyCode::PageDown, KeyModifiers::NONE),
            TapeKey::Ctrl(c) => (KeyCode::Char(c.to_ascii_lowercase()), KeyModifiers::CONTROL),
        };
        KeyEvent::new(code, mods)
    }

    /// The name a tape uses for this key (`Ctrl+C` for control keys).
    pub fn name(self) -> String {
        match self {
            TapeKey::Ctrl(c) => format!("Ctrl+{}", c.to_ascii_uppercase()),
            other => TapeKey::NAMED.iter().find(|(_, k)| *k == other).map_or("?", |(n, _)| n).to_string(),
        }
    }
}

/// The key event a terminal delivers for a typed character: uppercase letters carry SHIFT, as crossterm
/// reports them; a newline is Enter and a tab is Tab.
pub fn char_event(c: char) -> KeyEvent {
    match c {
        '\n' | '\r' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        '\t' => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        c if c.is_uppercase() => KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT),
        c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
    }
}

/// One line of a tape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TapeCommand {
    Key { key: TapeKey, repeat: u32, delay: Option<Duration> },
    Type { text: String, delay: Option<Duration> },
    Sleep(Duration),
    Hide,
    Show,
    SetWidth(u16),
    SetHeight(u16),
    Marker(String),
}

/// A line the parser refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapeError {
    /// 1-based line number.
    pub line: usize,
    /// The line as written (trimmed).
    pub text: String,
    pub message: String,
}

impl fmt::Display for TapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: `{}`", self.line, clean(&self.message), clean(&self.text))
    }
}

impl std::error::Error for TapeError {}

/// Commands VHS has that this subset does not run; named in errors so the message says "not supported"
/// rather than "unknown".
const UNSUPPORTED: &[&str] = &["Wait", "Copy", "Paste", "Source", "Delete", "Insert", "Env", "ScrollUp", "ScrollDown"];
/// Lines accepted and ignored.
const IGNORED: &[&str] = &["Output", "Require", "Screenshot"];

/// Parse a whole tape.
pub fn parse(text: &str) -> Result<Vec<TapeCommand>, TapeError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let fail = |message: String| TapeError { line: i + 1, text: line.to_string(), message };
        if let Some(cmd) = parse_line(line).map_err(fail)? {
            out.push(cmd);
        }
    }
    Ok(out)
}

fn parse_line(line: &str) -> Result<Option<TapeCommand>, String> {
    if line.is_empty() {
        return Ok(None);
    }
    if let Some(comment) = line.strip_prefix('#') {
        return marker(comment.trim_start());
    }
    let (word, rest) = split_word(line);
    let (name, at) = match word.split_once('@') {
        Some((name, time)) => (name, Some(parse_time(time).map_err(|e| format!("after @: {e}"))?)),
        None => (word, None),
    };
    let no_time = |what: &str| match at {
        Some(_) => Err(format!("{what} takes no @time")),
        None => Ok(()),
    };
    let no_args = |what: &str| {
        if rest.is_empty() { Ok(()) } else { Err(format!("{what} takes no arguments, found {rest:?}")) }
    };
    match name {
        "Type" => Ok(Some(TapeCommand::Type { text: parse_string(rest)?, delay: at })),
        "Sleep" => {
            no_time("Sleep")?;
            if rest.is_empty() {
                return Err("Sleep needs a time, such as 500ms or 2s".into());
            }
            Ok(Some(TapeCommand::Sleep(parse_time(rest)?)))
        }
        "Hide" | "Show" => {
            no_time(name)?;
            no_args(name)?;
            Ok(Some(if name == "Hide" { TapeCommand::Hide } else { TapeCommand::Show }))
        }
        "Set" => {
            no_time("Set")?;
            set(rest)
        }
        n if IGNORED.contains(&n) => {
            no_time(n)?;
            Ok(None)
        }
        n if UNSUPPORTED.contains(&n) || n.starts_with("Alt+") || n.starts_with("Shift+") => {
            Err(format!("{n} is VHS syntax that closeout's tape subset does not support"))
        }
        n => {
            let key = key_named(n)?;
            let repeat = match rest {
                "" => 1,
                count => parse_count(count)?,
            };
            Ok(Some(TapeCommand::Key { key, repeat, delay: at }))
        }
    }
}

/// `# @marker label` is a marker; any other comment is skipped.
fn marker(comment: &str) -> Result<Option<TapeCommand>, String> {
    let Some(rest) = comment.strip_prefix("@marker") else { return Ok(None) };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return Ok(None);
    }
    let label = rest.trim();
    if label.is_empty() {
        return Err("a marker needs a label: # @marker <label>".into());
    }
    Ok(Some(TapeCommand::Marker(label.to_string())))
}

fn split_word(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

fn key_named(name: &str) -> Result<TapeKey, String> {
    if let Some((_, k)) = TapeKey::NAMED.iter().find(|(n, _)| *n == name) {
        return Ok(*k);
    }
    if let Some(key) = name.strip_prefix("Ctrl+") {
        let mut chars = key.chars();
        return match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Ok(TapeKey::Ctrl(c.to_ascii_lowercase())),
            _ => Err(format!("Ctrl+ takes one letter (Ctrl+C), found {key:?}")),
        };
    }
    let named: Vec<&str> = TapeKey::NAMED.iter().map(|(n, _)| *n).collect();
    Err(format!(
        "unknown command {name:?} (known: Type, Sleep, Hide, Show, Set, {}, Ctrl+<letter>, # @marker)",
        named.join(", ")
    ))
}

fn parse_count(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=MAX_REPEAT).contains(&n) => Ok(n),
        _ => Err(format!("a repeat count is a whole number from 1 to {MAX_REPEAT}, found {s:?}")),
    }
}

fn set(rest: &str) -> Result<Option<TapeCommand>, String> {
    let (setting, value) = split_word(rest);
    match setting {
        "" => Err("Set needs a setting and a value, such as Set Width 120".into()),
        "Width" | "Height" => {
            let n = match value.parse::<u16>() {
                Ok(n) if (1..=MAX_CELLS).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "Set {setting} takes terminal cells from 1 to {MAX_CELLS} (closeout tapes give cells, \
                         not VHS pixels), found {value:?}"
                    ));
                }
            };
            Ok(Some(if setting == "Width" { TapeCommand::SetWidth(n) } else { TapeCommand::SetHeight(n) }))
        }
        _ => Ok(None),
    }
}

/// `"text"` with `\"` and `\\` escapes (other backslashes are kept), `'text'` or `` `text` ``; nothing may
/// follow the closing quote.
fn parse_string(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    let quote = match chars.next() {
        Some(q @ ('"' | '\'' | '`')) => q,
        _ => return Err(format!("Type needs a quoted string, such as Type \"text\"; found {s:?}")),
    };
    let mut out = String::new();
    loop {
        match chars.next() {
            None => return Err(format!("the string has no closing {quote}")),
            Some('\\') if quote == '"' => match chars.next() {
                Some(c @ ('"' | '\\')) => out.push(c),
                Some(c) => {
                    out.push('\\');
                    out.push(c);
                }
                None => return Err(format!("the string has no closing {quote}")),
            },
            Some(c) if c == quote => break,
            Some(c) => out.push(c),
        }
    }
    let trailing = chars.as_str().trim();
    if !trailing.is_empty() {
        return Err(format!("unexpected text after the string: {trailing:?}"));
    }
    Ok(out)
}

/// `500ms`, `1s`, `1.5s`, `2m`, or a bare number of seconds.
pub fn parse_time(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a time (500ms, 1s, 1.5s, 2m)");
    let (num, unit_nanos): (&str, u128) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1_000_000)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1_000_000_000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000_000_000)
    } else {
        (s, 1_000_000_000)
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, "0"));
    let digits = |d: &str| !d.is_empty() && d.len() <= 12 && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || frac.len() > 9 {
        return Err(bad());
    }
    // Exact decimal arithmetic: value = int.frac × unit, in nanoseconds.
    let scale = 10u128.pow(frac.len() as u32);
    let whole: u128 = int.parse::<u128>().map_err(|_| bad())? * scale + frac.parse::<u128>().unwrap_or(0);
    let nanos = whole * unit_nanos / scale;
    if nanos > MAX_TIME.as_nanos() {
        return Err(format!("{s:?} is longer than a tape allows (24 hours)"));
    }
    Ok(Duration::from_nanos(nanos as u64))
}

/// What happens at one instant of a scripted run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptedKind {
    /// A key press, for the app's keymap.
    Key(KeyEvent),
    /// A chapter marker (from `# @marker`).
    Marker(String),
    /// Stop recording output.
    Hide,
    /// Resume recording output.
    Show,
    /// The terminal becomes this many columns and rows.
    Resize(u16, u16),
}

/// An event on the virtual timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedEvent {
    /// Virtual time since the start of the run.
    pub at: Duration,
    pub event: ScriptedKind,
}

/// A tape laid out in time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timeline {
    pub events: Vec<ScriptedEvent>,
    /// When the last command (often a closing `Sleep`) is over.
    pub end: Duration,
}

/// The terminal size the tape asks for: `Set Width`/`Set Height` lines before the first other command.
pub fn initial_size(commands: &[TapeCommand]) -> (Option<u16>, Option<u16>) {
    let (mut w, mut h) = (None, None);
    for c in commands {
        match c {
            TapeCommand::SetWidth(n) => w = Some(*n),
            TapeCommand::SetHeight(n) => h = Some(*n),
            _ => break,
        }
    }
    (w, h)
}

/// The markers of a tape, in order.
pub fn markers(commands: &[TapeCommand]) -> Vec<&str> {
    commands
        .iter()
        .filter_map(|c| match c {
            TapeCommand::Marker(m) => Some(m.as_str()),
            _ => None,
        })
        .collect()
}

/// The events of a tape on the virtual timeline, for a terminal that starts at the tape's own size (or
/// [`super::DEFAULT_SIZE`]). See [`timeline`].
pub fn to_events(commands: &[TapeCommand], speed: f64) -> Vec<ScriptedEvent> {
    let (w, h) = initial_size(commands);
    let (fw, fh) = super::DEFAULT_SIZE;
    timeline(commands, speed, (w.unwrap_or(fw), h.unwrap_or(fh))).events
}

/// Lay a tape out in virtual time, for a terminal that starts at `size`.
///
/// Each key press (typed characters included) happens at the current time, which then moves on by the
/// command's `@time` (default: 50 ms per typed character, 100 ms per key); `Sleep` moves it on; markers,
/// `Hide` and `Show` happen at the current time. Every duration is divided by `speed` (2.0 runs twice as
/// fast; a speed that is not a positive finite number counts as 1). Between `Hide` and `Show` nothing takes
/// time: hidden setup runs instantly and a recording has no gap for it. `Set Width`/`Set Height` before
/// the first other command describe the starting size and produce no event; later ones produce a
/// [`ScriptedKind::Resize`] to the new size.
pub fn timeline(commands: &[TapeCommand], speed: f64, size: (u16, u16)) -> Timeline {
    let speed = if speed.is_finite() && speed > 0.0 { speed } else { 1.0 };
    let scale = |d: Duration| -> u128 {
        if speed == 1.0 { d.as_nanos() } else { (d.as_nanos() as f64 / speed).round() as u128 }
    };
    let mut t: u128 = 0;
    let mut hidden = false;
    let mut size = size;
    let mut leading = true;
    let mut events = Vec::new();
    let at = |t: u128| Duration::from_nanos(u64::try_from(t).unwrap_or(u64::MAX));
    for cmd in commands {
        let is_set = matches!(cmd, TapeCommand::SetWidth(_) | TapeCommand::SetHeight(_));
        leading &= is_set;
        let mut emit = |t: u128, event: ScriptedKind| events.push(ScriptedEvent { at: at(t), event });
        match cmd {
            TapeCommand::Key { key, repeat, delay } => {
                let gap = if hidden { 0 } else { scale(delay.unwrap_or(DEFAULT_KEY_DELAY)) };
                for _ in 0..*repeat {
                    emit(t, ScriptedKind::Key(key.key_event()));
                    t += gap;
                }
            }
            TapeCommand::Type { text, delay } => {
                let gap = if hidden { 0 } else { scale(delay.unwrap_or(DEFAULT_TYPE_DELAY)) };
                for c in text.chars() {
                    emit(t, ScriptedKind::Key(char_event(c)));
                    t += gap;
                }
            }
            TapeCommand::Sleep(d) => {
                if !hidden {
                    t += scale(*d);
                }
            }
            TapeCommand::Hide => {
                hidden = true;
                emit(t, ScriptedKind::Hide);
            }
            TapeCommand::Show => {
                hidden = false;
                emit(t, ScriptedKind::Show);
            }
            // Leading Set lines gave the starting size, which the caller has already resolved.
            TapeCommand::SetWidth(_) | TapeCommand::SetHeight(_) if leading => {}
            TapeCommand::SetWidth(n) => {
                size.0 = *n;
                emit(t, ScriptedKind::Resize(size.0, size.1));
            }
            TapeCommand::SetHeight(n) => {
                size.1 = *n;
                emit(t, ScriptedKind::Resize(size.0, size.1));
            }
            TapeCommand::Marker(label) => emit(t, ScriptedKind::Marker(label.clone())),
        }
    }
    Timeline { events, end: at(t) }
}
