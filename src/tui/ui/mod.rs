//! Rendering: pure functions of [`App`] into a [`Frame`], one file per pane. Nothing here changes state,
//! reads a clock or touches the terminal; every rectangle comes from [`layout::layout`].

pub mod boundary;
pub mod detail;
pub mod footer;
pub mod header;
pub mod health;
pub mod help;
pub mod layout;
pub mod review;
pub mod tree;
pub mod walk;

use ratatui::Frame;
use ratatui::layout::{Alignment, Margin, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

use super::app::{App, Overlay};
use super::theme;

/// Draw the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let Some(areas) = layout::layout_with(area, app.walk.is_some()) else {
        too_small(frame, area);
        return;
    };
    panes(app, frame, &areas);
}

fn panes(app: &App, frame: &mut Frame, areas: &layout::Areas) {
    header::render(app, frame, areas.header);
    tree::render(app, frame, areas.tree);
    if app.health_visible() {
        health::render(app, frame, areas.detail);
    } else {
        detail::render(app, frame, areas.detail);
    }
    footer::render(app, frame, areas.footer);
    if let Some(w) = &app.walk {
        walk::render(app, w, frame, areas.narration);
    }
    match app.overlay {
        Overlay::None => {}
        Overlay::Help => help::render(app, frame, areas.help),
        Overlay::Boundary => boundary::render(app, frame, areas),
    }
    if app.review.is_some() {
        review::render(app, frame, areas);
    }
    if app.monochrome {
        strip_colours(frame.buffer_mut());
    }
}

/// Drop every colour, keeping modifiers. Done here rather than left to crossterm's NO_COLOR support:
/// crossterm 0.29 writes an empty SGR (`ESC[m`, a full reset) for each colour change under NO_COLOR,
/// which also wipes the REVERSED and BOLD cues set just before it.
fn strip_colours(buf: &mut ratatui::buffer::Buffer) {
    for cell in &mut buf.content {
        cell.fg = ratatui::style::Color::Reset;
        cell.bg = ratatui::style::Color::Reset;
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let msg = format!(
        "terminal too small (need {}×{}, have {}×{})",
        layout::MIN_WIDTH,
        layout::MIN_HEIGHT,
        area.width,
        area.height
    );
    let y = area.y + area.height / 2;
    let line = Rect { y, height: 1.min(area.height), ..area };
    frame.render_widget(Paragraph::new(Line::styled(msg, theme::title())).alignment(Alignment::Center), line);
}

/// A pane's frame: thick border when it has focus (visible without colour).
pub(crate) fn pane_block(title: Line<'static>, focused: bool) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(theme::border(focused))
        .title(title)
}

/// A scrollbar over a bordered pane's right border, when the content is taller than the pane.
pub(crate) fn scrollbar(frame: &mut Frame, area: Rect, content: usize, position: usize) {
    let visible = area.height.saturating_sub(2) as usize;
    if content <= visible || visible == 0 {
        return;
    }
    let mut state =
        ScrollbarState::new(content.saturating_sub(visible)).position(position).viewport_content_length(visible);
    let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
        .begin_symbol(None)
        .end_symbol(None)
        .track_symbol(Some("│"))
        .thumb_symbol("█")
        .style(theme::dim());
    frame.render_stateful_widget(bar, area.inner(Margin { vertical: 1, horizontal: 0 }), &mut state);
}
