//! The detail pane: the selected row's document, already laid out for the pane width; a frame only copies
//! the visible lines, with search matches highlighted and (when focused) the cursor line marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::layout::inner;
use super::{pane_block, scrollbar};
use crate::tui::state::tree::Sel;
use crate::tui::state::{Model, Pane};
use crate::tui::text::untrusted;
use crate::tui::theme;

pub fn render(app: &Model, frame: &mut Frame, area: Rect) {
    let focused = app.focus == Pane::Detail && app.mode.panes_active();
    let title = match app.tree.selection() {
        Some(Sel::Group(g)) => format!(" Detail · {} ", untrusted(app.tree.groups[g].kind.name())),
        Some(Sel::Node(n)) => format!(" Detail · {} ", untrusted(app.evidence.nodes[n].kind.name())),
        Some(Sel::Ref { .. }) => " Detail · reference ".to_string(),
        None => " Detail ".to_string(),
    };
    let lines = app.detail_lines();
    let body = inner(area);
    let h = body.height as usize;
    let start = app.detail.scroll.min(lines.len());
    let end = (start + h).min(lines.len());
    let mut block = pane_block(Line::styled(title, theme::title()), focused);
    if lines.len() > h {
        block =
            block.title(Line::styled(format!(" {}–{}/{} ", start + 1, end, lines.len()), theme::dim()).right_aligned());
    }
    frame.render_widget(block, area);
    let needle = app.search.needle();
    let shown: Vec<Line<'static>> = (start..end)
        .map(|i| {
            let l = super::highlight(&lines[i], &needle);
            if focused && i == app.detail.cursor { l.patch_style(theme::selected_unfocused()) } else { l }
        })
        .collect();
    super::lines_into(frame, body, &shown);
    scrollbar(frame, area, lines.len(), start);
}
