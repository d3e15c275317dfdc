//! Evidence text is untrusted: before any of it reaches a terminal, a report or a recording, control
//! characters and escape sequences are made visible and harmless (`ESC` becomes the four characters `\x1b`).

use std::borrow::Cow;
use std::fmt::Write;

fn is_dangerous(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || is_format(c)
}

/// Unicode's invisible format characters (general category Cf) and the line/paragraph separators: bidi
/// controls, zero-width spaces and joiners, the BOM, soft hyphens, tag characters. They change how text
/// reads without being seen, so they are shown as escapes.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Make a string safe to print: control characters (C0, DEL, C1) and bidirectional overrides are replaced
/// by visible escapes (`\n`, `\t`, `\x1b`, `\u{202e}`). Borrowed when nothing needed changing.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_dangerous(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) <= 0xFF => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// True when `s` holds no character [`clean`] would replace.
pub fn is_clean(s: &str) -> bool {
    !s.chars().any(is_dangerous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_sent() {
        let s = "ok\x1b[31mred\x07\u{9b}2J\u{202e}evil\n";
        let c = clean(s);
        assert_eq!(c, "ok\\x1b[31mred\\x07\\x9b2J\\u{202e}evil\\n");
        assert!(is_clean(&c));
    }

    #[test]
    fn invisible_format_characters_are_shown() {
        let s = "a\u{200b}b\u{feff}c\u{2028}d\u{00ad}e\u{e0041}f";
        assert_eq!(clean(s), "a\\u{200b}b\\u{feff}c\\u{2028}d\\x{ad}e\\u{e0041}f".replace("\\x{ad}", "\\xad"));
        assert!(is_clean(&clean(s)));
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("gordackfinalbundle-2e23 é 中"), Cow::Borrowed(_)));
    }
}
