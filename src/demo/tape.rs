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
//! | `Wait /regex/`, `Wait@10s /re/`, `Wait+Screen /re/`, `Wait+Line /re/` | hold the tape until the screen's text matches (`+Line`: its last non-blank line); past the timeout (default 15 s) the run fails, naming the line |
//! | `Screenshot FILE.txt` | write the screen as plain text (relative to the tape; atomically; never outside the tape's folder, never over an evidence file) |
//! | `Require PROGRAM` | refuse to run at all unless PROGRAM is on `PATH` ([`check_requires`]) |
//! | `Source FILE` | the commands of another tape, relative to the including tape ([`parse_file`]; at most [`MAX_SOURCE_DEPTH`] deep, no cycles) |
//!
//! Times are `500ms`, `1s`, `1.5s`, `2m` or a bare number of seconds. Strings are `"…"` (with `\"` and `\\`
//! escapes), `'…'` or `` `…` ``. So that real VHS tapes load, other `Set` lines (`Set Theme`, `Set FontSize`,
//! `Set TypingSpeed`, …) and `Output` are accepted and ignored. Any other line is an error naming its line
//! number and text (and, for a sourced tape, its file).

use std::fmt;
use std::path::{Component, Path, PathBuf};
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
/// How long `Wait` holds before the run fails, unless `Wait@time` says otherwise (VHS's default).
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(15);
/// How deep `Source` may nest (a tape sourcing a tape sourcing ...).
pub const MAX_SOURCE_DEPTH: usize = 8;
/// Largest tape file read (each, sourced ones too).
pub const MAX_TAPE_BYTES: u64 = 1 << 20;
/// Largest compiled `Wait` pattern.
const MAX_REGEX_BYTES: usize = 1 << 20;

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
    Key {
        key: TapeKey,
        repeat: u32,
        delay: Option<Duration>,
    },
    Type {
        text: String,
        delay: Option<Duration>,
    },
    Sleep(Duration),
    Hide,
    Show,
    SetWidth(u16),
    SetHeight(u16),
    Marker(String),
    /// `Wait[+Screen|+Line][@time] /regex/`.
    Wait(Wait),
    /// `Screenshot FILE`: the path as resolved against the tape's folder.
    Screenshot {
        path: PathBuf,
        at: LineAt,
    },
    /// `Require PROGRAM`.
    Require {
        program: String,
        at: LineAt,
    },
}

/// Where a command was written: the tape file (None: the built-in or an inline tape) and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineAt {
    pub file: Option<String>,
    pub line: usize,
}

impl fmt::Display for LineAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}: line {}", clean(file), self.line),
            None => write!(f, "line {}", self.line),
        }
    }
}

/// What `Wait` matches against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitScope {
    /// The whole screen's text (closeout's default: a TUI's last line is its footer).
    Screen,
    /// The last non-blank line.
    Line,
}

/// One `Wait`: the pattern (checked when parsed), how long to wait, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    pub scope: WaitScope,
    pub pattern: String,
    pub timeout: Duration,
    pub at: LineAt,
}

impl Wait {
    /// The compiled pattern (it compiled when the tape was parsed).
    pub fn regex(&self) -> regex::Regex {
        compile(&self.pattern).unwrap_or_else(|_| regex::Regex::new("$^").expect("an empty-match pattern"))
    }

    /// Whether `screen` (lines of plain text) shows what this waits for.
    pub fn matches(&self, screen: &str) -> bool {
        let re = self.regex();
        match self.scope {
            WaitScope::Screen => re.is_match(screen),
            WaitScope::Line => screen.lines().rev().find(|l| !l.trim().is_empty()).is_some_and(|l| re.is_match(l)),
        }
    }

    /// "line 12: Wait /pane 2 of 5/: the screen did not show it within 15 s".
    pub fn timed_out(&self) -> String {
        let scope = match self.scope {
            WaitScope::Screen => "the screen",
            WaitScope::Line => "the screen's last line",
        };
        format!(
            "{}: Wait /{}/: {scope} did not show it within {} s",
            self.at,
            clean(&self.pattern),
            self.timeout.as_secs_f64()
        )
    }
}

fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern).size_limit(MAX_REGEX_BYTES).dfa_size_limit(MAX_REGEX_BYTES).build()
}

/// A line the parser refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapeError {
    /// The tape file the line is in (None: the tape given as text).
    pub file: Option<String>,
    /// 1-based line number.
    pub line: usize,
    /// The line as written (trimmed).
    pub text: String,
    pub message: String,
}

impl fmt::Display for TapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", clean(file))?;
        }
        write!(f, "line {}: {}: `{}`", self.line, clean(&self.message), clean(&self.text))
    }
}

impl std::error::Error for TapeError {}

/// Commands VHS has that this subset does not run; named in errors so the message says "not supported"
/// rather than "unknown".
const UNSUPPORTED: &[&str] = &["Copy", "Paste", "Delete", "Insert", "Env", "ScrollUp", "ScrollDown"];
/// Lines accepted and ignored.
const IGNORED: &[&str] = &["Output"];

/// Parse a tape given as text (the built-in one, a test's). `Screenshot` paths are relative to the current
/// folder; `Source` is refused (a tape given as text has no folder to source from: use [`parse_file`]).
pub fn parse(text: &str) -> Result<Vec<TapeCommand>, TapeError> {
    let mut out = Vec::new();
    parse_into(text, None, &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// Read and parse a tape file, with its `Source` lines replaced by the commands of the tapes they name
/// (relative to the including tape's folder; at most [`MAX_SOURCE_DEPTH`] deep; a tape that sources itself,
/// directly or not, is an error naming the line). `Screenshot` paths are relative to the tape's folder.
pub fn parse_file(path: &Path) -> Result<Vec<TapeCommand>, TapeError> {
    let mut out = Vec::new();
    let text = read_tape(path).map_err(|message| TapeError {
        file: Some(path.display().to_string()),
        line: 0,
        text: String::new(),
        message,
    })?;
    let mut stack = vec![canonical(path)];
    parse_into(&text, Some(path), &mut stack, &mut out)?;
    Ok(out)
}

fn read_tape(path: &Path) -> Result<String, String> {
    let bytes = crate::files::read_regular(path, MAX_TAPE_BYTES)?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The folder relative paths of a tape are resolved against.
fn folder(file: Option<&Path>) -> PathBuf {
    file.and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A path a tape names, relative to its folder; absolute paths and `..` are refused (a tape never reaches
/// outside its folder).
fn inside(file: Option<&Path>, name: &str, what: &str) -> Result<PathBuf, String> {
    let rel = Path::new(name);
    if name.is_empty() {
        return Err(format!("{what} needs a file name"));
    }
    if rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(format!("{what} takes a path inside the tape's folder (no absolute path, no ..), found {name:?}"));
    }
    Ok(folder(file).join(rel))
}

fn parse_into(
    text: &str,
    file: Option<&Path>,
    stack: &mut Vec<PathBuf>,
    out: &mut Vec<TapeCommand>,
) -> Result<(), TapeError> {
    let shown = file.map(|f| f.display().to_string());
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = LineAt { file: shown.clone(), line: i + 1 };
        let fail = |message: String| TapeError { file: shown.clone(), line: i + 1, text: line.to_string(), message };
        match parse_line(line, file, &at).map_err(fail)? {
            Some(Parsed::Command(cmd)) => out.push(cmd),
            Some(Parsed::Source(name)) => {
                let Some(including) = file else {
                    return Err(fail("Source needs a tape file to be relative to: this tape was given as text".into()));
                };
                let path = inside(Some(including), &name, "Source").map_err(fail)?;
                let key = canonical(&path);
                if stack.contains(&key) {
                    return Err(fail(format!("Source {name:?} is a cycle: that tape is already being read")));
                }
                if stack.len() >= MAX_SOURCE_DEPTH {
                    return Err(fail(format!("Source nests more than {MAX_SOURCE_DEPTH} tapes deep")));
                }
                let text = read_tape(&path).map_err(|e| fail(format!("Source {}: {e}", path.display())))?;
                stack.push(key);
                parse_into(&text, Some(&path), stack, out)?;
                stack.pop();
            }
            None => {}
        }
    }
    Ok(())
}

/// A parsed line: a command, or a tape to include.
enum Parsed {
    Command(TapeCommand),
    Source(String),
}

/// Every `Require PROGRAM` of the tape is on `PATH`; else the first one that is not, with its line.
pub fn check_requires(commands: &[TapeCommand]) -> Result<(), String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for c in commands {
        if let TapeCommand::Require { program, at } = c {
            let found = std::env::split_paths(&path).any(|dir| {
                let p = dir.join(program);
                std::fs::metadata(&p).is_ok_and(|m| m.is_file() && is_executable(&m))
            });
            if !found {
                return Err(format!("{at}: Require {}: not found on PATH", clean(program)));
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    true
}

fn parse_line(line: &str, file: Option<&Path>, here: &LineAt) -> Result<Option<Parsed>, String> {
    if line.is_empty() {
        return Ok(None);
    }
    if let Some(comment) = line.strip_prefix('#') {
        return Ok(marker(comment.trim_start())?.map(Parsed::Command));
    }
    let (word, rest) = split_word(line);
    match word {
        "Source" => return Ok(Some(Parsed::Source(one_arg(rest, "Source")?))),
        "Require" => {
            let program = one_arg(rest, "Require")?;
            if program.contains('/') {
                return Err(format!("Require takes a program name looked up on PATH, found {program:?}"));
            }
            return Ok(Some(Parsed::Command(TapeCommand::Require { program, at: here.clone() })));
        }
        "Screenshot" => {
            let name = one_arg(rest, "Screenshot")?;
            if !name.ends_with(".txt") {
                return Err(format!(
                    "closeout's Screenshot writes the screen as text: give a .txt file, found {name:?}"
                ));
            }
            let path = inside(file, &name, "Screenshot")?;
            return Ok(Some(Parsed::Command(TapeCommand::Screenshot { path, at: here.clone() })));
        }
        w if w == "Wait" || w.starts_with("Wait+") || w.starts_with("Wait@") => {
            return Ok(Some(Parsed::Command(TapeCommand::Wait(wait(w, rest, here)?))));
        }
        _ => {}
    }
    parse_command(line).map(|c| c.map(Parsed::Command))
}

/// A file or program argument: quoted, or one bare word.
fn one_arg(rest: &str, what: &str) -> Result<String, String> {
    if rest.starts_with(['"', '\'', '`']) {
        return parse_string(rest).map_err(|e| e.replace("Type needs", &format!("{what} needs")));
    }
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(format!("{what} takes one argument (quote it if it has spaces), found {rest:?}"));
    }
    Ok(rest.to_string())
}

/// `Wait[+Screen|+Line][@time] /regex/`.
fn wait(word: &str, rest: &str, here: &LineAt) -> Result<Wait, String> {
    let (name, timeout) = match word.split_once('@') {
        Some((name, t)) => (name, parse_time(t).map_err(|e| format!("after @: {e}"))?),
        None => (word, DEFAULT_WAIT_TIMEOUT),
    };
    let scope = match name {
        "Wait" | "Wait+Screen" => WaitScope::Screen,
        "Wait+Line" => WaitScope::Line,
        other => return Err(format!("{other} is not a Wait: Wait, Wait+Screen or Wait+Line")),
    };
    if timeout.is_zero() {
        return Err("a Wait timeout must be more than 0".into());
    }
    let pattern =
        rest.strip_prefix('/').and_then(|r| r.strip_suffix('/')).filter(|p| !p.is_empty()).ok_or_else(|| {
            format!("Wait takes a regular expression between slashes, such as Wait /pane 2 of 5/; found {rest:?}")
        })?;
    compile(pattern).map_err(|e| {
        format!("Wait /{pattern}/ is not a regular expression: {}", e.to_string().lines().last().unwrap_or(""))
    })?;
    Ok(Wait { scope, pattern: pattern.to_string(), timeout, at: here.clone() })
}

fn parse_command(line: &str) -> Result<Option<TapeCommand>, String> {
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
        "unknown command {name:?} (known: Type, Sleep, Hide, Show, Set, Wait, Screenshot, Require, Source, {}, \
         Ctrl+<letter>, # @marker)",
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
    /// Hold the tape until the screen shows this (the tape's later events move on by the time held).
    Wait(Wait),
    /// Write the screen as text to this file.
    Screenshot(PathBuf, LineAt),
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
            TapeCommand::Require { .. } => {}
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
        let is_set = matches!(cmd, TapeCommand::SetWidth(_) | TapeCommand::SetHeight(_) | TapeCommand::Require { .. });
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
            TapeCommand::Wait(w) => emit(t, ScriptedKind::Wait(w.clone())),
            TapeCommand::Screenshot { path, at } => emit(t, ScriptedKind::Screenshot(path.clone(), at.clone())),
            // Checked before the run ([`check_requires`]).
            TapeCommand::Require { .. } => {}
        }
    }
    Timeline { events, end: at(t) }
}
