//! Text helpers for panes: display widths, truncation with `…`, case-insensitive match positions, and the
//! one door evidence text passes through on its way to the screen ([`untrusted`]).

use std::borrow::Cow;

use ratatui::text::Span;

use crate::sanitize;

/// Evidence text made harmless: control characters and escapes become visible (`\x1b`), never sent.
pub fn untrusted(s: &str) -> Cow<'_, str> {
    sanitize::clean(s)
}

/// Columns a character takes on screen (as ratatui measures it).
pub fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// Columns a string takes on screen.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// `s` cut to at most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// `s` cut from the left to at most `max` columns, starting with `…` when cut (keeps the informative end).
pub fn truncate_left(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        kept.push(c);
        used += w;
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    Cow::Owned(out)
}

/// `s` cut to at most `max` columns by replacing its middle with `…`: ids that share a long prefix stay
/// tellable apart by their ends.
pub fn truncate_middle(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max < 4 {
        return truncate(s, max);
    }
    let tail_w = (max - 1) / 2;
    let head_w = max - 1 - tail_w;
    let head = truncate(s, head_w + 1);
    let head = head.trim_end_matches('…');
    let tail = truncate_left(s, tail_w + 1);
    let tail = tail.trim_start_matches('…');
    Cow::Owned(format!("{head}…{tail}"))
}

/// Byte ranges of `s` where `needle_lower` (already lowercase) occurs, ignoring case. Empty when the needle
/// is empty or lowercasing changes byte offsets (then nothing is highlighted, which is harmless).
pub fn match_ranges(s: &str, needle_lower: &str) -> Vec<(usize, usize)> {
    if needle_lower.is_empty() {
        return Vec::new();
    }
    let lower = s.to_lowercase();
    if lower.len() != s.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(needle_lower) {
        let start = from + pos;
        let end = start + needle_lower.len();
        if !s.is_char_boundary(start) || !s.is_char_boundary(end) {
            break;
        }
        out.push((start, end));
        from = end;
    }
    out
}

/// A JSON pointer as a short path: `/files/1/content/evidence_index/4/evidence_ref` →
/// `files[1].content.evidence_index[4].evidence_ref`.
pub fn pointer_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(&token);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_width() {
        assert_eq!(truncate("gordackfinalbundle-2e231b586c36180b", 12), "gordackfina…");
        assert_eq!(truncate("short", 12), "short");
        assert_eq!(truncate_left("a/b/c/defgh", 5), "…efgh");
        assert_eq!(width(&truncate("中文中文中文", 5)), 5);
        assert_eq!(truncate_middle("gordackfinalbundle-2e231b586c36180b", 15), "gordack…c36180b");
        assert_eq!(truncate_middle("short", 15), "short");
    }

    #[test]
    fn matches_ignore_case() {
        assert_eq!(match_ranges("Gordack-GORD", "gord"), vec![(0, 4), (8, 12)]);
        assert!(match_ranges("abc", "").is_empty());
    }

    #[test]
    fn pointers_read_as_paths() {
        assert_eq!(
            pointer_path("/files/1/content/evidence_index/4/evidence_ref"),
            "files[1].content.evidence_index[4].evidence_ref"
        );
        assert_eq!(pointer_path("/bundle_id"), "bundle_id");
    }
}
