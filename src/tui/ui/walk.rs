//! The walkthrough's narration panel: the walkthrough's name, with step n of N and the clock against the plan
//! (over-time in warning colour) on its border; the step's body (heading, target, criterion, narration,
//! checklist with the cursor, questions), scrolled when taller than the panel with "+N more" saying so; and
//! on its last line, always, the keys that go on.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::layout::inner;
use super::pane_block;
use crate::health::Status;
use crate::tui::state::Model;
use crate::tui::state::walk::{PanelLine, Role, WalkState, shown_rows};
use crate::tui::text::truncate;
use crate::tui::theme;

fn styled(l: &PanelLine) -> Line<'static> {
    let style = match l.role {
        Role::Heading => theme::heading(),
        Role::Target | Role::Dim => theme::dim(),
        Role::Criterion(s) => theme::status(Some(s)),
        Role::Notice => theme::status(Some(Status::Warn)),
        Role::Narration => Style::new(),
        Role::Question => theme::key(),
        Role::Item { ticked, cursor, .. } => {
            let base = if ticked { theme::latest() } else { Style::new() };
            if cursor { base.add_modifier(Modifier::BOLD) } else { base }
        }
    };
    if let Role::Item { ticked, first: true, .. } = l.role {
        // The box keeps its own colour: ticked green, open dim.
        let cut = l.text.char_indices().nth(5).map_or(l.text.len(), |(i, _)| i);
        let (mark, rest) = l.text.split_at(cut);
        let mark_style = if ticked { theme::latest() } else { theme::dim() };
        return Line::from(vec![
            Span::styled(mark.to_string(), mark_style.add_modifier(style.add_modifier.intersection(Modifier::BOLD))),
            Span::styled(rest.to_string(), style),
        ]);
    }
    Line::styled(l.text.clone(), style)
}

pub fn render(app: &Model, w: &WalkState, frame: &mut Frame, area: Rect) {
    if area.height < 3 {
        return;
    }
    let width = area.width;
    let progress = w.progress(app.now);
    let over = w.over_plan(app.now).is_some();
    let room = width.saturating_sub(4) as usize;
    let right = truncate(&format!(" {progress} "), room).into_owned();
    let left_room = room.saturating_sub(crate::tui::text::width(&right) + 1);
    let left = truncate(&format!(" Walkthrough · {} ", w.walkthrough.title), left_room).into_owned();
    let block = pane_block(Line::styled(left, theme::title()), false).title(
        Line::styled(right, if over { theme::status(Some(Status::Warn)) } else { theme::dim() }).right_aligned(),
    );
    let body = app.walk_body(width);
    let rows = area.height.saturating_sub(3) as usize;
    let scroll = w.scroll.min(WalkState::max_scroll(body.len(), rows));
    let shown = shown_rows(body.len(), rows, scroll);
    let mut lines: Vec<Line<'static>> = body.iter().skip(scroll).take(shown).map(styled).collect();
    let below = body.len().saturating_sub(scroll + shown);
    if below > 0 {
        lines.push(Line::styled(
            format!("… +{below} more line{}: }} scrolls", if below == 1 { "" } else { "s" }),
            theme::key(),
        ));
    }
    while lines.len() < rows {
        lines.push(Line::raw(""));
    }
    let mut hint = w.hint().to_string();
    if scroll > 0 {
        hint = format!("↑ {scroll} above · {hint}");
    }
    lines.push(Line::styled(truncate(&hint, inner(area).width as usize).into_owned(), theme::dim()));
    frame.render_widget(block, area);
    super::lines_into(frame, inner(area), &lines);
    super::scrollbar(frame, Rect { height: area.height - 1, ..area }, body.len(), scroll);
}
