//! Help's content and state. The lines for every binding are built once from the keymap in force (the
//! person's own keys), in columns that never run together: a key list longer than its column moves the
//! description to the next line. Opening help puts the current mode's keys first; typing `/` filters the
//! lines to those that mention the text.

use ratatui::text::{Line, Span};

use super::input::TextInput;
use crate::evidence::Boundary;
use crate::health::Status;
use crate::tui::keymap::{Binding, Context, Group, Keymap, keys_label};
use crate::tui::text::width;
use crate::tui::theme;

/// Columns of the key list and of the context.
pub const KEYS_COL: usize = 20;
pub const WHERE_COL: usize = 13;
/// Width the descriptions wrap at (the help box is 74 columns inside at 80×24).
pub const WHAT_COL: usize = 39;

/// Help's state while it is open.
#[derive(Debug, Clone, Default)]
pub struct HelpState {
    pub scroll: usize,
    pub query: TextInput,
    /// Typing the query.
    pub typing: bool,
    /// The keys of the mode help was opened from, first.
    pub here: Vec<Line<'static>>,
    /// What `here` is about ("tree").
    pub here_label: String,
}

impl HelpState {
    /// Help opened from where `contexts` are active.
    pub fn open(keymap: &Keymap, contexts: &[Context]) -> HelpState {
        let primary = contexts.iter().copied().find(|c| *c != Context::Always).unwrap_or(Context::Global);
        let label = if primary.label().is_empty() { "here".to_string() } else { primary.label().to_string() };
        let mut here = vec![Line::styled(format!("Keys here ({label})"), theme::heading())];
        let mut seen = Vec::new();
        // The mode's own keys first; those that work anywhere (Ctrl-C) last.
        let ordered = contexts
            .iter()
            .filter(|c| **c != Context::Always)
            .chain(contexts.iter().filter(|c| **c == Context::Always));
        for ctx in ordered {
            for b in keymap.bindings.iter().filter(|b| b.context == *ctx) {
                if seen.contains(&b.action) {
                    continue;
                }
                seen.push(b.action);
                here.extend(binding_lines(b));
            }
        }
        here.push(Line::raw(""));
        HelpState { scroll: 0, query: TextInput::default(), typing: false, here, here_label: label }
    }

    /// The lines shown: the mode's keys, then everything; only those mentioning the query when there is one.
    pub fn visible<'a>(&'a self, all: &'a [Line<'static>]) -> Vec<&'a Line<'static>> {
        let q = self.query.text().to_lowercase();
        let lines = self.here.iter().chain(all.iter());
        if q.is_empty() {
            return lines.collect();
        }
        lines.filter(|l| l.to_string().to_lowercase().contains(&q)).collect()
    }

    /// Keep the scroll within the lines shown (`all`: every line of help) for a box `height` lines tall, so
    /// scrolling back up answers at once after scrolling past the end.
    pub fn clamp(&mut self, all: &[Line<'static>], height: usize) {
        let total = self.visible(all).len();
        self.scroll = self.scroll.min(total.saturating_sub(height));
    }
}

/// Words of `text` wrapped to `w` columns.
fn wrap_words(text: &str, w: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && width(&cur) + 1 + width(word) > w {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// One binding as help lines: keys, where, what (wrapped); keys too long for their column get a line of
/// their own.
pub fn binding_lines(b: &Binding) -> Vec<Line<'static>> {
    let keys = keys_label(b);
    let mark = if b.user { "*" } else { " " };
    let ctx = b.context.label();
    let what = wrap_words(b.description, WHAT_COL);
    let mut out = Vec::new();
    let pad = " ".repeat(2 + KEYS_COL);
    let mut first_keys = Some(keys.clone());
    if width(&keys) + 2 > KEYS_COL {
        out.push(Line::from(vec![Span::raw(format!(" {mark}")), Span::styled(keys, theme::footer_key())]));
        first_keys = None;
    }
    for (i, w) in what.into_iter().enumerate() {
        let mut spans = Vec::new();
        if i == 0 {
            spans.push(Span::raw(format!(" {mark}")));
            let k = first_keys.clone().unwrap_or_default();
            let fill = KEYS_COL.saturating_sub(width(&k));
            spans.push(Span::styled(k, theme::footer_key()));
            spans.push(Span::raw(" ".repeat(fill)));
            let cfill = WHERE_COL.saturating_sub(width(ctx));
            spans.push(Span::styled(ctx.to_string(), theme::dim()));
            spans.push(Span::raw(" ".repeat(cfill)));
        } else {
            spans.push(Span::raw(format!("{pad}{}", " ".repeat(WHERE_COL))));
        }
        spans.push(Span::raw(w));
        out.push(Line::from(spans));
    }
    out
}

/// Every line of help for a keymap.
pub fn lines(keymap: &Keymap) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = vec![Line::from(vec![
        Span::raw("  "),
        Span::styled(format!("{:<KEYS_COL$}", "keys"), theme::dim()),
        Span::styled(format!("{:<WHERE_COL$}", "where"), theme::dim()),
        Span::styled("what", theme::dim()),
    ])];
    if keymap.bindings.iter().any(|b| b.user) {
        out.push(Line::styled("  * keys from your config file", theme::dim()));
    }
    for group in Group::ALL {
        let bindings: Vec<&Binding> = keymap.bindings.iter().filter(|b| b.group == group).collect();
        if bindings.is_empty() {
            continue;
        }
        out.push(Line::styled(group.title(), theme::heading()));
        for b in bindings {
            out.extend(binding_lines(b));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled("Mouse", theme::heading()));
    out.push(Line::raw("  click selects a row or a pane; click the selected row again to open it"));
    out.push(Line::raw("  the wheel scrolls the pane under the pointer"));
    out.push(Line::raw(""));
    out.push(Line::styled("Status glyphs (from the findings that looked at a node)", theme::heading()));
    let glyph = |s: Option<Status>, what: &'static str| {
        Line::from(vec![
            Span::raw("  "),
            Span::styled(theme::status_glyph(s), theme::status(s)),
            Span::raw(format!("  {what}")),
        ])
    };
    out.push(glyph(Some(Status::Pass), "pass"));
    out.push(glyph(Some(Status::Warn), "warn"));
    out.push(glyph(Some(Status::Fail), "fail"));
    out.push(glyph(None, "not evaluable: no criterion looked at it"));
    out.push(Line::raw(""));
    out.push(Line::styled("Boundary tags (right edge of the detail pane)", theme::heading()));
    for b in [Boundary::PublicMetadata, Boundary::ExternalReference, Boundary::BoundaryAssertion] {
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(b.short(), theme::tag(b)),
            Span::raw(format!("  {}", b.label())),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Marks", theme::heading()));
    out.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("«REDACTED: kind»", theme::redacted()),
        Span::raw("  a secret removed at load; its value is never shown"),
    ]));
    out.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("⚠ dangling", theme::dangling()),
        Span::raw("  a reference to an id that is not in this evidence"),
    ]));
    out.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("latest", theme::latest()),
        Span::raw(" / "),
        Span::styled("superseded", theme::superseded()),
        Span::raw("  CAVRA's pick of its kind, or an older version"),
    ]));
    out.push(Line::raw(""));
    out.push(Line::styled("Clipboard", theme::heading()));
    out.push(Line::raw("  CLOSEOUT_CLIPBOARD=auto|osc52|off. Over SSH, and without a native"));
    out.push(Line::raw("  clipboard, copies go through the terminal (OSC 52), up to a size cap."));
    out.push(Line::raw("  A redaction copies as its marker: a secret never reaches the clipboard."));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn help_lists_every_binding_with_its_keys() {
        let map = Keymap::default();
        let all = lines(&map);
        let help = text(&all);
        for b in &map.bindings {
            let keys = keys_label(b);
            let first = wrap_words(b.description, WHAT_COL).remove(0);
            assert!(help.contains(&keys), "help lacks keys {keys}");
            assert!(help.lines().any(|l| l.contains(&first) && l.contains(b.context.label())), "{first}");
        }
        for g in Group::ALL {
            assert!(help.contains(g.title()), "{}", g.title());
        }
    }

    #[test]
    fn columns_never_run_together() {
        let map = Keymap::default();
        for b in &map.bindings {
            let ls = binding_lines(b);
            let first_desc =
                ls.iter().map(|l| l.to_string()).find(|l| l.contains(&wrap_words(b.description, WHAT_COL)[0])).unwrap();
            // The description starts at its column, after at least two spaces.
            let col = 2 + KEYS_COL + WHERE_COL;
            let chars: Vec<char> = first_desc.chars().collect();
            assert!(chars.len() > col, "{first_desc}");
            assert!(chars[col - 1] == ' ' && chars[col - 2] == ' ', "{first_desc:?}");
            for l in &ls {
                assert!(l.width() <= 74, "{l}");
            }
        }
    }

    #[test]
    fn help_explains_glyphs_tags_and_redactions() {
        let help = text(&lines(&Keymap::default()));
        for needle in [
            "✓  pass",
            "!  warn",
            "✗  fail",
            "?  not evaluable",
            "pub  public metadata",
            "ext  external reference",
            "bnd  boundary assertion",
            "«REDACTED: kind»",
            "⚠ dangling",
        ] {
            assert!(help.contains(needle), "{needle}");
        }
    }

    #[test]
    fn help_lines_fit_the_narrowest_help_box() {
        for l in lines(&Keymap::default()) {
            assert!(l.width() <= 74, "{l}");
        }
    }

    #[test]
    fn the_current_modes_keys_come_first_and_the_query_filters() {
        let map = Keymap::default();
        let all = lines(&map);
        let mut h = HelpState::open(&map, &crate::tui::keymap::stack(Context::Boundary, false));
        let v = h.visible(&all);
        assert_eq!(v[0].to_string(), "Keys here (boundary)");
        assert!(v[1].to_string().contains("close the boundary view"), "{}", v[1]);
        h.query = TextInput::new("SHA");
        let v = h.visible(&all);
        assert!(!v.is_empty() && v.iter().all(|l| l.to_string().to_lowercase().contains("sha")));
    }
}
