//! The small modal boxes: a yes/no question, the command palette, the copy menu, the release picker, and the
//! message log.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::layout::inner;
use super::{pane_block, scrollbar};
use crate::health::Status;
use crate::tui::action::Action;
use crate::tui::keymap::{Context, stack};
use crate::tui::state::Model;
use crate::tui::state::palette::PaletteState;
use crate::tui::text::{truncate, truncate_middle, untrusted, width};
use crate::tui::theme;

/// A box `w`×`h` centred in `area` (clamped to it).
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 3, width: w, height: h }
}

/// A question with what it decides shown above it (the save summary): wrapped to the popup, never cut; a
/// summary taller than the screen scrolls (Up/Down) while the question stays at the bottom.
pub fn confirm_summary(question: &str, summary: &[String], scroll: usize, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(4).clamp(30, 110);
    let text_w = w.saturating_sub(3) as usize;
    let mut body: Vec<Line<'static>> = Vec::new();
    let mut starts = Vec::new();
    for s in summary {
        starts.push(body.len());
        let style = if s.starts_with('✗') {
            theme::status(Some(Status::Fail)).add_modifier(Modifier::BOLD)
        } else if s.starts_with('!') {
            theme::status(Some(Status::Warn)).add_modifier(Modifier::BOLD)
        } else {
            theme::value()
        };
        for l in super::health::wrap(&untrusted(s), "   ", text_w) {
            body.push(Line::styled(l, style));
        }
    }
    let mut tail = vec![Line::raw("")];
    for l in super::health::wrap(&untrusted(question), " ", text_w) {
        tail.push(Line::styled(l, theme::status(Some(Status::Warn)).add_modifier(Modifier::REVERSED | Modifier::BOLD)));
    }
    let h = (body.len() as u16 + tail.len() as u16 + 2).min(area.height);
    let r = centred(area, w, h);
    let room = (inner(r).height as usize).saturating_sub(tail.len()).max(1);
    let first = starts.get(scroll).copied().unwrap_or(0).min(body.len().saturating_sub(room));
    let more = first + room < body.len();
    let mut lines: Vec<Line<'static>> = body.into_iter().skip(first).take(room).collect();
    if more && let Some(last) = lines.last_mut() {
        *last = Line::styled(" ↓ more: Up/Down scroll", theme::dim());
    }
    lines.extend(tail);
    frame.render_widget(Clear, r);
    frame.render_widget(pane_block(Line::styled(" Confirm the acceptance ", theme::title()), true), r);
    frame.render_widget(Paragraph::new(lines), inner(r));
}

pub fn confirm(question: &str, frame: &mut Frame, area: Rect) {
    let w = (width(question) as u16 + 6).max(30);
    let r = centred(area, w, 3);
    frame.render_widget(Clear, r);
    frame.render_widget(pane_block(Line::styled(" Question ", theme::title()), true), r);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(" {} ", untrusted(question)),
            theme::status(Some(Status::Warn)).add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )),
        inner(r),
    );
}

pub fn palette(p: &PaletteState, frame: &mut Frame, area: Rect) {
    let r = centred(area, area.width.saturating_sub(8).min(100), area.height.saturating_sub(2));
    frame.render_widget(Clear, r);
    let title = format!(" Palette · {} of {} ", p.shown.len(), p.entries.len());
    frame.render_widget(
        pane_block(Line::styled(title, theme::title()), true)
            .title(Line::styled(" Enter runs · Esc closes ", theme::dim()).right_aligned()),
        r,
    );
    let body = inner(r);
    let w = body.width as usize;
    let (a, b) = p.input.split();
    let mut lines = vec![
        Line::from(vec![
            Span::styled(" : ", theme::filter_prompt()),
            Span::raw(" "),
            Span::styled(untrusted(a).into_owned(), theme::title()),
            Span::styled("▏", theme::matched()),
            Span::styled(untrusted(b).into_owned(), theme::title()),
        ]),
        Line::styled("─".repeat(w), theme::dim()),
    ];
    let room = (body.height as usize).saturating_sub(2);
    let start = p.selected.saturating_sub(room.saturating_sub(1));
    for (row, (i, pos)) in p.shown.iter().enumerate().skip(start).take(room) {
        let e = &p.entries[*i];
        let hint_w = width(&e.hint).min(w / 3);
        let label_w = w.saturating_sub(hint_w + 4);
        let label = truncate(&e.label, label_w).into_owned();
        let mut spans = vec![Span::raw(if row == p.selected { "▶ " } else { "  " })];
        for (ci, c) in label.chars().enumerate() {
            let st = if pos.contains(&ci) { theme::matched() } else { theme::value() };
            spans.push(Span::styled(c.to_string(), st));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        spans.push(Span::raw(" ".repeat(w.saturating_sub(used + hint_w))));
        spans.push(Span::styled(truncate(&e.hint, hint_w).into_owned(), theme::footer_key()));
        let mut line = Line::from(spans);
        if row == p.selected {
            line = line.patch_style(theme::selected_focused());
        }
        lines.push(line);
    }
    if p.shown.is_empty() {
        lines.push(Line::styled("  nothing matches", theme::dim()));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

pub fn copy_menu(app: &Model, frame: &mut Frame, area: Rect) {
    let ctx = stack(Context::Copy, false);
    let items: Vec<(String, &str, String)> = [
        Action::CopyId,
        Action::CopyPointer,
        Action::CopyJq,
        Action::CopySha,
        Action::CopyValue,
        Action::CopyReason,
        Action::CopyCommand,
    ]
    .into_iter()
    .filter_map(|a| {
        let key = app.keymap.key_of(&ctx, a)?;
        let desc = match a {
            Action::CopyId => "artifact id",
            Action::CopyPointer => "JSON pointer",
            Action::CopyJq => "jq path",
            Action::CopySha => "SHA-256",
            Action::CopyValue => "field value",
            Action::CopyReason => "criterion's reason",
            _ => "check command",
        };
        let preview = crate::tui::state::copy::text_for(app, a).map(|(_, t)| t).unwrap_or_else(|e| format!("({e})"));
        Some((key, desc, preview.lines().next().unwrap_or("").to_string()))
    })
    .collect();
    let r = centred(area, area.width.saturating_sub(6).min(100), items.len() as u16 + 3);
    frame.render_widget(Clear, r);
    frame.render_widget(
        pane_block(Line::styled(" Copy ", theme::title()), true)
            .title(Line::styled(" Esc: nothing ", theme::dim()).right_aligned()),
        r,
    );
    let body = inner(r);
    let w = body.width as usize;
    let mut lines = Vec::new();
    for (key, desc, preview) in items {
        let d = format!("{desc:<18}");
        let room = w.saturating_sub(width(&key) + 2 + width(&d) + 2);
        lines.push(Line::from(vec![
            Span::styled(format!(" {key} "), theme::footer_key()),
            Span::raw(format!(" {d} ")),
            Span::styled(truncate(&untrusted(&preview), room).into_owned(), theme::dim()),
        ]));
    }
    lines.push(Line::styled(" a redaction copies as its marker; copies never hold a secret", theme::dim()));
    frame.render_widget(Paragraph::new(lines), body);
}

pub fn releases(app: &Model, sel: usize, frame: &mut Frame, area: Rect) {
    let rels = &app.report.chain.releases;
    // The release column is as wide as the longest name (at least its heading's 28), as far as the screen
    // allows; a name cut short keeps both ends, since a store's releases often share a long prefix.
    const REST: usize = 2 + 1 + 9 + 2 + 20 + 12; // marker, gap, summaries, gap, newest, " (evaluated)"
    let longest = rels.iter().map(|r| width(&r.label())).max().unwrap_or(0).max(28);
    let w = ((longest + REST + 2) as u16).max(area.width.saturating_sub(4).min(90)).min(area.width.saturating_sub(4));
    let r = centred(area, w, rels.len() as u16 + 3);
    frame.render_widget(Clear, r);
    frame.render_widget(
        pane_block(Line::styled(" Releases in this evidence ", theme::title()), true)
            .title(Line::styled(" Enter evaluates · Esc keeps ", theme::dim()).right_aligned()),
        r,
    );
    let body = inner(r);
    let col = longest.min((body.width as usize).saturating_sub(REST)).max(7);
    // As many rows as fit under the heading, scrolled so the selected one is among them.
    let rows = (body.height as usize).saturating_sub(1).max(1);
    let start = sel.saturating_sub(rows - 1).min(rels.len().saturating_sub(rows));
    let mut lines = vec![Line::styled(format!("  {:<col$} summaries  newest", "release"), theme::dim())];
    for (i, rel) in rels.iter().enumerate().skip(start).take(rows) {
        let newest = rel.newest.map(crate::time::fmt_instant).unwrap_or_else(|| "—".into());
        let mark = if rel.evaluated { " (evaluated)" } else { "" };
        let name = truncate_middle(&rel.label(), col).into_owned();
        let pad = col.saturating_sub(width(&name));
        let text = format!("{name}{:pad$} {:>9}  {newest}{mark}", "", rel.summaries);
        let mut line = Line::from(vec![Span::raw(if i == sel { "▶ " } else { "  " }), Span::raw(text)]);
        if i == sel {
            line = line.patch_style(theme::selected_focused());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), body);
    scrollbar(frame, r, rels.len() + 1, start);
}

pub fn log(app: &Model, scroll: usize, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let body = inner(area);
    let w = body.width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (at, text) in app.log.entries() {
        let t = at.map(|t| t.format("%H:%M:%S").to_string()).unwrap_or_else(|| "--:--:--".into());
        let wrapped = super::health::wrap(&untrusted(text), "          ", w);
        for (i, l) in wrapped.into_iter().enumerate() {
            if i == 0 {
                lines.push(Line::from(vec![
                    Span::styled(format!("{t} "), theme::dim()),
                    Span::raw(l.trim_start().to_string()),
                ]));
            } else {
                lines.push(Line::raw(l));
            }
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("no messages yet", theme::dim()));
    }
    let h = body.height as usize;
    // `scroll` counts messages; show the screen that ends at it.
    let total = lines.len();
    let end = if scroll + 1 >= app.log.len() {
        total
    } else {
        (total * (scroll + 1) / app.log.len().max(1)).max(h.min(total))
    };
    let start = end.saturating_sub(h);
    frame.render_widget(
        pane_block(Line::styled(format!(" Message log ({}) ", app.log.len()), theme::title()), true)
            .title(Line::styled(" Esc closes ", theme::dim()).right_aligned()),
        area,
    );
    frame.render_widget(Paragraph::new(lines[start..end].to_vec()), body);
    scrollbar(frame, area, total, start);
}
