//! Rendering: pure functions of [`App`] into a [`Frame`], one file per pane. Nothing here changes state,
//! reads a clock or touches the terminal; every rectangle comes from [`layout::layout`].

pub mod boundary;
pub mod detail;
pub mod footer;
pub mod header;
pub mod health;
pub mod help;
pub mod layout;
pub mod popup;
pub mod review;
pub mod tree;
pub mod walk;

use ratatui::Frame;
use ratatui::layout::{Alignment, Margin, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

use super::state::{Mode, Model};
use super::theme;

/// Draw the whole screen.
pub fn render(app: &Model, frame: &mut Frame) {
    let area = frame.area();
    if let Some(s) = app.live.sandbox.as_ref().filter(|s| s.ended.is_some()) {
        goodbye(s, frame, area);
        theme::apply(app.theme, frame.buffer_mut());
        return;
    }
    let Some(areas) =
        layout::layout_for(area, app.narration_want(area.width), header::height(app, area.width), app.wide)
    else {
        too_small(frame, area);
        return;
    };
    panes(app, frame, &areas);
    theme::apply(app.theme, frame.buffer_mut());
}

fn panes(app: &Model, frame: &mut Frame, areas: &layout::Areas) {
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
    mode(app, &app.mode, frame, areas);
}

/// Draw what a mode puts over the panes (a question draws over the mode it interrupted).
fn mode(app: &Model, m: &Mode, frame: &mut Frame, areas: &layout::Areas) {
    match m {
        Mode::Normal | Mode::Search(_) | Mode::Filter(_) => {}
        Mode::Help(h) => help::render(app, h, frame, areas.help),
        Mode::Boundary(b) => boundary::render(app, b, frame, areas),
        Mode::Log(scroll) => popup::log(app, *scroll, frame, areas.help),
        Mode::Review(w) => review::render(app, w, frame, areas),
        Mode::Confirm(c) => {
            mode(app, &c.back, frame, areas);
            if c.summary.is_empty() {
                popup::confirm(&c.question, frame, areas.body);
            } else {
                popup::confirm_summary(&c.question, &c.summary, c.scroll, frame, areas.body);
            }
        }
        Mode::Palette(p) => popup::palette(p, frame, areas.body),
        Mode::Copy => popup::copy_menu(app, frame, areas.body),
        Mode::Releases(sel) => popup::releases(app, *sel, frame, areas.body),
    }
}

/// `line` with every case-insensitive occurrence of `needle` (lowercase) in the match style.
pub(crate) fn highlight(line: &ratatui::text::Line<'static>, needle: &str) -> ratatui::text::Line<'static> {
    use ratatui::text::Span;
    if needle.is_empty() {
        return line.clone();
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let ranges = super::text::match_ranges(&text, needle);
    if ranges.is_empty() {
        return line.clone();
    }
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut at = 0usize;
    for sp in &line.spans {
        let start = at;
        let end = at + sp.content.len();
        at = end;
        let mut cur = start;
        for &(a, b) in &ranges {
            if b <= cur || a >= end {
                continue;
            }
            let (a, b) = (a.max(cur), b.min(end));
            if a > cur {
                out.push(Span::styled(text[cur..a].to_string(), sp.style));
            }
            out.push(Span::styled(text[a..b].to_string(), sp.style.patch(theme::matched())));
            cur = b;
        }
        if cur < end {
            out.push(Span::styled(text[cur..end].to_string(), sp.style));
        }
    }
    let mut l = ratatui::text::Line::from(out);
    l.style = line.style;
    l
}

/// The sandbox's last screen: why the session ended and what to do next, centred, wrapped to the width.
fn goodbye(s: &crate::tui::state::sandbox::Sandbox, frame: &mut Frame, area: Rect) {
    let lines: Vec<Line<'static>> = s
        .goodbye()
        .into_iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { Line::styled(l, theme::title()) } else { Line::raw(l) })
        .collect();
    let text_height = (lines.len() as u16 + 2).min(area.height);
    let y = area.y + area.height.saturating_sub(text_height) / 2;
    let rect = Rect { y, height: text_height, ..area };
    frame.render_widget(
        Paragraph::new(lines).alignment(Alignment::Center).wrap(ratatui::widgets::Wrap { trim: true }),
        rect,
    );
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

/// Lines written straight into the buffer, one a row, each cut at the area's right edge (what a `Paragraph`
/// without wrapping draws, without its per-grapheme line composer: the panes redrawn every frame use this).
/// A line's own alignment is kept.
pub(crate) fn lines_into(frame: &mut Frame, area: Rect, lines: &[Line<'_>]) {
    let buf = frame.buffer_mut();
    let area = area.intersection(buf.area);
    for (line, y) in lines.iter().zip(area.top()..area.bottom()) {
        let w = line.width().min(area.width as usize) as u16;
        let x = match line.alignment {
            Some(Alignment::Right) => area.x + area.width - w,
            Some(Alignment::Center) => area.x + (area.width - w) / 2,
            _ => area.x,
        };
        set_line(buf, x, y, line, area.width - (x - area.x));
    }
}

/// `Buffer::set_line`, with printable ASCII (most of what the panes show) written a byte a cell instead of
/// through grapheme segmentation; anything else goes through the buffer's own grapheme-aware writer.
fn set_line(buf: &mut ratatui::buffer::Buffer, mut x: u16, y: u16, line: &Line<'_>, max_width: u16) {
    let mut remaining = max_width.min(buf.area.right().saturating_sub(x));
    for span in line {
        if remaining == 0 {
            break;
        }
        let style = line.style.patch(span.style);
        let text = span.content.as_ref();
        if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            let n = text.len().min(remaining as usize);
            let at = buf.index_of(x, y);
            for (cell, b) in buf.content[at..at + n].iter_mut().zip(text.bytes()) {
                cell.set_char(b as char).set_style(style);
            }
            x += n as u16;
            remaining -= n as u16;
        } else {
            let (nx, _) = buf.set_stringn(x, y, text, remaining as usize, style);
            remaining = remaining.saturating_sub(nx.saturating_sub(x));
            x = nx;
        }
    }
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

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Color, Style};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;

    use super::*;

    /// The fast writer draws exactly what a `Paragraph` without wrapping draws: cut at the edge (a wide
    /// character that does not fit is dropped whole), line and span styles, alignment, more lines than rows.
    #[test]
    fn lines_into_draws_what_a_paragraph_draws() {
        let lines = vec![
            Line::from(vec![Span::raw("▶ "), Span::styled("synthetic-000123", Style::new().fg(Color::Cyan))]),
            Line::styled("a line wider than the area it is drawn into, cut at the edge", Style::new().fg(Color::Red)),
            Line::from("wide 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字"),
            Line::from(Span::styled("right", Style::new().bg(Color::Blue))).right_aligned(),
            Line::from("centred").centered(),
            Line::from(""),
            Line::from(vec![
                Span::raw("ascii "),
                Span::styled("é then ascii", Style::new().fg(Color::Green)),
                Span::raw(" x"),
            ]),
            Line::from("one row too many"),
        ];
        let area = Rect::new(2, 1, 27, 7);
        let draw = |fast: bool| {
            let mut t = Terminal::new(TestBackend::new(32, 9)).unwrap();
            t.draw(|f| {
                if fast {
                    lines_into(f, area, &lines);
                } else {
                    f.render_widget(Paragraph::new(lines.clone()), area);
                }
            })
            .unwrap();
            t.backend().buffer().clone()
        };
        let (fast, reference) = (draw(true), draw(false));
        assert_eq!(fast, reference);
        assert_eq!(fast[(2, 4)].symbol(), " ", "right-aligned text starts at the right");
        assert_eq!(fast[(24, 4)].symbol(), "r");
    }
}
