//! The footer: a status line (a search or filter prompt, a message, or where you are) and the keys that work
//! here, generated from the keymap in force (the person's own keys).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::keymap::{Context, stack};
use crate::tui::state::input::TextInput;
use crate::tui::state::tree::Tree;
use crate::tui::state::{Mode, Model};
use crate::tui::text::{truncate, untrusted, width};
use crate::tui::theme;

pub fn render(app: &Model, frame: &mut Frame, area: Rect) {
    let w = area.width as usize;
    let status = status_line(app, w);
    let keys = keys_line(app, w);
    super::lines_into(frame, area, &[status, keys]);
}

/// A prompt with the text and the cursor in place.
fn prompt(tag: &'static str, input: &TextInput, after: String) -> Line<'static> {
    let (a, b) = input.split();
    Line::from(vec![
        Span::styled(tag, theme::filter_prompt()),
        Span::raw(" "),
        Span::styled(untrusted(a).into_owned(), theme::title()),
        Span::styled("▏", theme::matched()),
        Span::styled(untrusted(b).into_owned(), theme::title()),
        Span::styled(after, theme::dim()),
    ])
}

fn status_line(app: &Model, w: usize) -> Line<'static> {
    match &app.mode {
        Mode::Filter(input) => {
            let what = if Tree::searches_states(&app.evidence) { "id, kind or state" } else { "id or kind" };
            let n = if input.is_empty() {
                format!("  type to filter by {what}")
            } else {
                format!("  {} matches ({what})", app.tree.match_count)
            };
            return prompt(" [FILTER]", input, n);
        }
        Mode::Search(input) => {
            let n = if input.is_empty() {
                "  type to search every field of every artifact".to_string()
            } else if app.search.waiting {
                "  indexing…".to_string()
            } else {
                format!("  {} artifacts match · Enter jumps, then n/N", app.search.matches.len())
            };
            return prompt(" [SEARCH]", input, n);
        }
        Mode::Help(h) if h.typing => return prompt(" [HELP SEARCH]", &h.query, String::new()),
        _ => {}
    }
    if let Some(msg) = app.status.as_ref().or(app.live.notice.as_ref()) {
        return Line::styled(format!(" {}", truncate(&untrusted(msg), w.saturating_sub(2))), theme::status_message());
    }
    let rows = app.tree.rows().len();
    let pos = if rows == 0 { 0 } else { app.tree.selected_row() + 1 };
    let mut text = format!(" row {pos} of {rows}");
    if !app.tree.filter().is_empty() {
        text.push_str(&format!(" · filter \"{}\": {} matches", untrusted(&app.filter_text), app.tree.match_count));
    }
    if app.tree.problems_only() {
        text.push_str(" · problems only");
    }
    if app.tree.hide_superseded() {
        text.push_str(" · latest versions only");
    }
    if app.search.active() {
        let at = app.search.at.map_or(String::new(), |i| format!("{} of ", i + 1));
        text.push_str(&format!(" · search \"{}\": {at}{}", untrusted(&app.search.query), app.search.matches.len()));
    }
    let problems = app.tree.problems().len();
    text.push_str(&format!(" · {problems} with a problem"));
    let redactions = app.evidence.redactions.len();
    let exposed = app.evidence.exposed_secrets().count();
    text.push_str(&format!(" · {redactions} redaction{}", if redactions == 1 { "" } else { "s" }));
    if exposed > 0 {
        text.push_str(&format!(" ({exposed} exposed)"));
    }
    let n = app.history.back_len();
    if n > 0 {
        text.push_str(&format!(" · {n} jump{} to go back", if n == 1 { "" } else { "s" }));
    }
    Line::styled(truncate(&text, w).into_owned(), theme::dim())
}

/// Key hints that fit the width; the headline ones (health, review, walkthrough, help, quit) are always kept
/// in the default footer.
fn keys_line(app: &Model, w: usize) -> Line<'static> {
    let contexts = app.contexts();
    let hints = app.keymap.hints(&contexts);
    let entry_w = |(k, h): &(String, &str)| width(k) + 1 + width(h) + 2;
    // The default footer always names the headline keys; a view of its own (boundary, help, log) keeps
    // only help and quit, so its own keys come first.
    let normal = matches!(app.mode, Mode::Normal);
    let global: Vec<(String, &str)> = app
        .keymap
        .hints(&stack(Context::Global, false))
        .into_iter()
        .filter(|(_, h)| normal || matches!(*h, "help" | "quit"))
        .collect();
    let keep_global = contexts.contains(&Context::Global);
    let reserved: usize = if keep_global { hints.iter().filter(|h| global.contains(h)).map(entry_w).sum() } else { 0 };
    let mut used = 1 + reserved;
    let mut shown: Vec<&(String, &str)> = Vec::new();
    for hint in &hints {
        if keep_global && global.contains(hint) {
            shown.push(hint);
            continue;
        }
        let ew = entry_w(hint);
        if used + ew <= w {
            used += ew;
            shown.push(hint);
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for (k, h) in shown {
        spans.push(Span::styled(k.clone(), theme::footer_key()));
        spans.push(Span::raw(format!(" {h}  ")));
    }
    Line::from(spans)
}
