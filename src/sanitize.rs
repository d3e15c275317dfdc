//! Evidence text is untrusted: before any of it reaches a terminal, a report or a recording, control
//! characters and escape sequences are made visible and harmless (`ESC` becomes the four characters `\x1b`).

use std::borrow::Cow;
use std::fmt::Write;

fn is_dangerous(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
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
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("gordackfinalbundle-2e23 é 中"), Cow::Borrowed(_)));
    }
}
