//! The footer: a status line (filter prompt, message, or where you are) and the keys that work here,
//! generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keymap::{self, Context};
use crate::tui::text::{truncate, untrusted, width};
use crate::tui::theme;
use crate::tui::tree::Tree;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let w = area.width as usize;
    let status = status_line(app, w);
    let keys = keys_line(app.contexts(), w);
    frame.render_widget(Paragraph::new(vec![status, keys]), area);
}

fn status_line(app: &App, w: usize) -> Line<'static> {
    if app.filter_editing {
        let mut spans = vec![
            Span::styled(" [FILTER]", theme::filter_prompt()),
            Span::raw(" "),
            Span::styled(untrusted(&app.filter_text).into_owned(), theme::title()),
            Span::styled("▏", theme::matched()),
        ];
        let what = if Tree::searches_states(&app.evidence) { "id, kind or state" } else { "id or kind" };
        let n = if app.filter_text.is_empty() {
            format!("  type to filter by {what}")
        } else {
            format!("  {} matches ({what})", app.tree.match_count)
        };
        spans.push(Span::styled(n, theme::dim()));
        return Line::from(spans);
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
    let problems = app.tree.problems().len();
    text.push_str(&format!(" · {problems} with a problem"));
    let redactions = app.evidence.redactions.len();
    let exposed = app.evidence.exposed_secrets().count();
    text.push_str(&format!(" · {redactions} redaction{}", if redactions == 1 { "" } else { "s" }));
    if exposed > 0 {
        text.push_str(&format!(" ({exposed} exposed)"));
    }
    if !app.history.is_empty() {
        let n = app.history.len();
        text.push_str(&format!(" · {n} jump{} to go back", if n == 1 { "" } else { "s" }));
    }
    Line::styled(truncate(&text, w).into_owned(), theme::dim())
}

/// Key hints that fit the width; the global ones (boundary, help, quit) are always kept.
fn keys_line(contexts: &[Context], w: usize) -> Line<'static> {
    let hints = keymap::hints(contexts);
    let entry_w = |(k, h): &(String, &str)| width(k) + 1 + width(h) + 2;
    let global: Vec<(String, &str)> = keymap::hints(&[Context::Global]);
    let keep_global = contexts.contains(&Context::Global);
    let reserved: usize = if keep_global { global.iter().map(entry_w).sum() } else { 0 };
    let mut used = 1 + reserved;
    let mut shown: Vec<&(String, &str)> = Vec::new();
    for hint in &hints {
        let is_global = keep_global && global.iter().any(|g| g == hint);
        if is_global {
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
