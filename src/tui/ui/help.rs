//! The `?` help overlay: the current mode's keys first, then every binding of the keymap in force grouped,
//! then the mouse, glyph and tag legends; `/` filters it. The lines are built once per keymap
//! ([`crate::tui::state::help`]), so help lists exactly the keys the dispatcher knows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::layout::inner;
use super::{pane_block, scrollbar};
use crate::tui::state::Model;
use crate::tui::state::help::HelpState;
use crate::tui::text::untrusted;
use crate::tui::theme;

pub fn render(app: &Model, h: &HelpState, frame: &mut Frame, area: Rect) {
    let all = h.visible(&app.help_lines);
    let body = inner(area);
    let height = body.height as usize;
    let start = h.scroll.min(all.len().saturating_sub(height));
    let end = (start + height).min(all.len());
    frame.render_widget(Clear, area);
    let title = if h.query.is_empty() {
        " Help: every key · / searches ".to_string()
    } else {
        format!(" Help: lines with \"{}\" ({}) ", untrusted(h.query.text()), all.len())
    };
    let block = pane_block(Line::styled(title, theme::title()), true)
        .title(Line::styled(" Esc closes ", theme::dim()).right_aligned());
    frame.render_widget(block, area);
    let lines: Vec<Line<'static>> = if all.is_empty() {
        vec![Line::styled("  no line of help mentions that (Esc clears the search)", theme::dim())]
    } else {
        let needle = h.query.text().to_lowercase();
        all[start..end].iter().map(|l| super::highlight(l, &needle)).collect()
    };
    frame.render_widget(Paragraph::new(lines), body);
    scrollbar(frame, area, all.len(), start);
}
