//! The health pane: a verdict banner, live progress while the criteria run, and one row per criterion that
//! opens to its reason, its evidence (each line jumps to the node) and its next step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::layout::{inner, text_width};
use super::{pane_block, scrollbar};
use crate::health::Status;
use crate::tui::state::health::{HealthView, Item, Row, spinner, verdict_words};
use crate::tui::state::{Model, Pane};
use crate::tui::text::{truncate, untrusted, width as width_of};
use crate::tui::theme;

/// Words wrapped to `width` columns, each line starting with `indent` (long words are cut).
pub(crate) fn wrap(text: &str, indent: &str, width: usize) -> Vec<String> {
    let room = width.saturating_sub(width_of(indent)).max(12);
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while width_of(&word) > room {
            if !cur.is_empty() {
                out.push(format!("{indent}{}", std::mem::take(&mut cur)));
            }
            let head: String = word.chars().take(room).collect();
            word = word.chars().skip(room).collect();
            out.push(format!("{indent}{head}"));
        }
        if !cur.is_empty() && width_of(&cur) + 1 + width_of(&word) > room {
            out.push(format!("{indent}{}", std::mem::take(&mut cur)));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        out.push(format!("{indent}{cur}"));
    }
    out
}

/// The pane's lines: (line, item it selects).
pub fn lines(app: &Model, width: usize) -> Vec<(Line<'static>, Option<Item>)> {
    let h: &HealthView = &app.health;
    let mut out: Vec<(Line<'static>, Option<Item>)> = Vec::new();
    if let Some(r) = &h.report {
        let banner = format!(" {} {} ", theme::verdict_glyph(r.verdict), verdict_words(r.verdict));
        let mut spans = vec![Span::styled(banner, theme::verdict(r.verdict).add_modifier(Modifier::BOLD))];
        if h.running {
            spans.push(Span::styled("  (last result; re-running)", theme::dim()));
        }
        out.push((Line::from(spans), None));
        for l in wrap(&untrusted(&r.verdict_reason), " ", width) {
            out.push((Line::styled(l, theme::dim()), None));
        }
    }
    if h.running {
        let n = h.index.map_or(h.done() + 1, |i| i + 1).min(h.total);
        let id = h.index.and_then(|i| h.rows.get(i)).map_or("starting", |r| r.0.as_str());
        out.push((
            Line::from(vec![
                Span::styled(format!(" criterion {n} of {} · {id} ", h.total), theme::title()),
                Span::styled(spinner(app.now).to_string(), theme::matched()),
            ]),
            None,
        ));
        if h.bytes > 0 {
            let mut t = format!(" hashed {:.1} MB", h.bytes as f64 / 1e6);
            if let Some(rate) = h.rate(app.now) {
                t.push_str(&format!(" · {rate:.0} MB/s"));
            }
            out.push((Line::styled(t, theme::dim()), None));
        }
    } else if let Some(e) = &h.error {
        out.push((
            Line::styled(format!(" ✗ the run stopped: {}", untrusted(e)), theme::status(Some(Status::Fail))),
            None,
        ));
    }
    out.push((Line::raw(""), None));
    for item in h.items() {
        match item {
            Item::Finding(i) => {
                let (id, title, row) = &h.rows[i];
                let line = match row {
                    Row::Pending => Line::styled(format!(" · {id:<24} pending"), theme::dim()),
                    Row::Running => Line::from(vec![
                        Span::styled(format!(" {} ", spinner(app.now)), theme::matched()),
                        Span::styled(format!("{id:<24} running…"), theme::title()),
                    ]),
                    Row::Done(f) => {
                        let mark = if h.expanded == Some(i) { "▾" } else { "▸" };
                        Line::from(vec![
                            Span::styled(format!(" {} ", f.status.glyph()), theme::status(Some(f.status))),
                            Span::styled(format!("{id:<24} "), theme::status(Some(f.status))),
                            // Glyph (3), id column (25) and mark (2) come first; the title gets the rest.
                            Span::styled(format!("{mark} {}", truncate(title, width.saturating_sub(30))), theme::dim()),
                        ])
                    }
                };
                out.push((line, Some(item)));
                if h.expanded == Some(i)
                    && let Some(f) = h.finding(i)
                {
                    for l in wrap(&format!("reason: {}", untrusted(&f.reason)), "     ", width) {
                        out.push((Line::raw(l), None));
                    }
                    for d in &f.details {
                        for l in wrap(&format!("· {}", untrusted(d)), "     ", width) {
                            out.push((Line::styled(l, theme::dim()), None));
                        }
                    }
                    if f.cites.is_empty() {
                        out.push((Line::styled("     evidence: none", theme::dim()), None));
                    } else {
                        out.push((Line::styled("     evidence (Enter jumps to the node):", theme::heading()), None));
                    }
                    for (j, n) in f.nodes().into_iter().enumerate() {
                        let node = &app.evidence.nodes[n];
                        let text = format!("       → {} {}", untrusted(node.kind.name()), node.id);
                        out.push((
                            Line::styled(truncate(&text, width).into_owned(), theme::reference()),
                            Some(Item::Evidence(i, j)),
                        ));
                    }
                    for l in wrap(&format!("next step: {}", untrusted(&f.next_step)), "     ", width) {
                        out.push((Line::styled(l, theme::title()), None));
                    }
                }
            }
            Item::Evidence(..) => {}
        }
    }
    out
}

pub fn render(app: &Model, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Health && app.mode.panes_active();
    let width = text_width(area) as usize;
    let all = lines(app, width);
    let body = inner(area);
    let height = body.height as usize;
    let selected = app.health.selected_item();
    let sel_line = all.iter().position(|(_, it)| it.is_some() && *it == selected).unwrap_or(0);
    // Show the selected line, and as much of an opened finding below it as fits.
    let mut want_end = sel_line;
    if matches!(selected, Some(Item::Finding(i)) if app.health.expanded == Some(i)) {
        want_end = all[sel_line + 1..]
            .iter()
            .position(|(_, it)| matches!(it, Some(Item::Finding(_))))
            .map_or(all.len() - 1, |p| sel_line + p);
    }
    let start = (want_end + 1).saturating_sub(height).min(sel_line);
    let end = (start + height).min(all.len());
    let visible: Vec<Line<'static>> = all[start..end]
        .iter()
        .map(|(l, it)| {
            if it.is_some() && *it == selected {
                let style = if focused { theme::selected_focused() } else { theme::selected_unfocused() };
                l.clone().patch_style(style)
            } else {
                l.clone()
            }
        })
        .collect();
    let title = if app.health.running { " Health · running " } else { " Health " };
    frame.render_widget(pane_block(Line::styled(title, theme::title()), focused), area);
    super::lines_into(frame, body, &visible);
    scrollbar(frame, area, all.len(), start);
}
