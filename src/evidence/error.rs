//! Load errors: one clear message naming the file and what is wrong.

use std::fmt;

/// Why evidence could not be loaded. Always names the file; JSON problems carry line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: String,
    pub problem: String,
}

impl LoadError {
    pub fn new(path: impl Into<String>, problem: impl Into<String>) -> Self {
        LoadError { path: path.into(), problem: problem.into() }
    }

    /// Describe a serde_json error in words, with its line and column.
    pub fn json(path: impl Into<String>, err: &serde_json::Error) -> Self {
        LoadError::new(path, describe_json_error(err))
    }

    /// [`LoadError::json`] for an error in `text`: the column counts characters, and a repeated key is placed
    /// at the key itself.
    pub fn json_in(path: impl Into<String>, text: &[u8], err: &serde_json::Error) -> Self {
        LoadError::new(path, describe_json_error_in(text, err))
    }
}

/// [`describe_json_error`] for an error in `text`: line and column (in characters) of where it is, and for a
/// repeated key (see [`super::parse::check_unique`]) of the repeated key's opening quote.
pub fn describe_json_error_in(text: &[u8], err: &serde_json::Error) -> String {
    let Some(at) = error_offset(text, err) else { return describe_json_error(err) };
    let full = err.to_string();
    let msg = full.rfind(" at line ").map_or(full.as_str(), |i| &full[..i]);
    if let Some(key) = msg.strip_prefix(super::parse::DUPLICATE_KEY) {
        // serde_json stops just past the key: step back over it to its opening quote.
        let close = at.saturating_sub(1);
        let open = opening_quote(text, close).unwrap_or(close);
        let (line, col) = line_col(text, open);
        return format!(
            "duplicate key {key} at line {line}, column {col}: an object names it twice, and JSON readers \
             disagree on which one counts (closeout refuses evidence with repeated keys)"
        );
    }
    // The last byte read, at the start of its character.
    let mut last = if err.column() == 0 { at } else { at - 1 };
    while last > 0 && text.get(last).is_some_and(|&b| b & 0xc0 == 0x80) {
        last -= 1;
    }
    let (line, col) = line_col(text, last);
    if msg == super::parse::TOO_DEEP {
        return format!(
            "JSON nested too deeply (more than {} levels) at line {line}, column {col}",
            super::load::MAX_DEPTH
        );
    }
    let described = describe_json_error(err);
    // Same words, the column in characters.
    let (l, c) = (err.line(), err.column());
    described.replacen(&format!("at line {l}, column {c}"), &format!("at line {line}, column {col}"), 1)
}

/// The byte offset serde_json's line and column stand for (just past the last byte it read).
fn error_offset(text: &[u8], err: &serde_json::Error) -> Option<usize> {
    let line = err.line();
    if line == 0 {
        return None;
    }
    let start = if line == 1 { 0 } else { memchr::memchr_iter(b'\n', text).nth(line - 2)? + 1 };
    Some((start + err.column()).min(text.len()))
}

/// The opening quote of the JSON string whose closing quote is at `close`.
fn opening_quote(text: &[u8], close: usize) -> Option<usize> {
    let mut i = close;
    loop {
        i = memchr::memrchr(b'"', &text[..i])?;
        let backslashes = text[..i].iter().rev().take_while(|&&c| c == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(i);
        }
    }
}

/// "truncated JSON at line 3, column 7" / "invalid JSON at line 1, column 2: expected value" / ...
pub fn describe_json_error(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let full = err.to_string();
    // serde_json appends " at line L column C"; we say it our way.
    let msg = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full.clone(),
    };
    let (line, col) = (err.line(), err.column());
    match err.classify() {
        Category::Eof => {
            format!("truncated JSON: input ends at line {line}, column {col} before the document is complete")
        }
        Category::Syntax if msg.contains("recursion limit") => {
            format!("JSON nested too deeply (more than 128 levels) at line {line}, column {col}")
        }
        Category::Syntax => format!("invalid JSON at line {line}, column {col}: {msg}"),
        Category::Data => format!("wrong type at line {line}, column {col}: {msg}"),
        Category::Io => format!("could not read: {msg}"),
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both parts may quote evidence (a path, a row id, an unknown value): shown sanitised and redacted here,
        // so no caller can print them raw.
        write!(f, "{}: {}", crate::text::shown_message(&self.path), crate::text::shown_message(&self.problem))
    }
}

impl std::error::Error for LoadError {}

/// Line and column (1-based, columns in characters) of a byte offset, for errors we find ourselves.
pub fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11 §5: an error quoting evidence (an SQLite row id, a missing path, an unknown schema_version)
    /// reaches stderr with no raw escape, OSC 52 or C1 byte, and no secret.
    #[test]
    fn display_escapes_controls_and_redacts_secrets_in_every_part() {
        let secret = "ghp_PLANTEDsecretVALUE0123456789abcdefXYZ";
        let e = LoadError::new(
            format!("/tmp/ev\x1b]52;c;aGk=\x07{secret}.json"),
            format!("row '\u{9b}31m{secret}': unknown schema_version \"{secret}\" \u{202e}\u{200b}"),
        );
        let shown = e.to_string();
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("«REDACTED"), "{shown}");
        assert!(!shown.chars().any(|c| c.is_control() || matches!(c, '\u{202e}' | '\u{200b}')), "{shown:?}");
        assert!(shown.contains("\\x1b]52;c;aGk=\\x07"), "{shown}");
        assert!(shown.contains("unknown schema_version"), "the message itself survives: {shown}");
    }

    #[test]
    fn truncated_json_names_line_and_column() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"items\": [").unwrap_err();
        let e = LoadError::json("store.json", &err);
        assert!(e.to_string().starts_with("store.json: truncated JSON"), "{e}");
        assert!(e.problem.contains("line 2"), "{e}");
    }

    #[test]
    fn syntax_error_has_position() {
        let err = serde_json::from_str::<serde_json::Value>("{\"a\": tru}").unwrap_err();
        let msg = describe_json_error(&err);
        assert!(msg.starts_with("invalid JSON at line 1, column"), "{msg}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\nxé!".as_bytes(), 6), (2, 3));
    }
}
