//! The walkthrough's narration panel: step n of N with time against the plan, the narration, the step's
//! checklist (ticked or open) and questions; after the last step, the closing summary.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_block;
use crate::tui::state::Model;
use crate::tui::state::walk::WalkState;
use crate::tui::theme;
use crate::walkthrough::SUCCESS_CHECKLIST;

fn item(ticked: bool, text: &str) -> Line<'static> {
    let (mark, style) = if ticked { ("[x] ", theme::latest()) } else { ("[ ] ", theme::dim()) };
    Line::from(vec![Span::styled(mark, style), Span::raw(text.to_string())])
}

pub fn render(app: &Model, w: &WalkState, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let progress = w.progress(app.now);
    let title = Line::from(vec![
        Span::styled(format!(" Walkthrough · {} ", w.walkthrough.title), theme::title()),
        Span::styled(format!("· {progress} "), theme::dim()),
    ]);
    let block = pane_block(title, false);
    let mut lines: Vec<Line<'static>> = Vec::new();
    match w.current() {
        Some(step) => {
            let mut head = vec![Span::styled(format!("{}. {}", w.step + 1, step.title), theme::heading())];
            if let Some(m) = step.minutes {
                head.push(Span::styled(format!("  ({m} min)"), theme::dim()));
            }
            head.push(Span::styled(format!("  → {}", step.focus.describe()), theme::dim()));
            lines.push(Line::from(head));
            lines.push(Line::raw(step.narration.clone()));
            for (i, c) in step.checklist.iter().enumerate() {
                lines.push(item(w.is_ticked(&step.id, i), c));
            }
            for q in &step.questions {
                lines.push(Line::from(vec![Span::styled("Ask: ", theme::key()), Span::raw(q.clone())]));
            }
            lines.push(Line::styled("] next  [ previous  x tick  X untick  w close", theme::dim()));
        }
        None => {
            let done =
                (0..w.walkthrough.success_checklist.len()).filter(|&i| w.is_ticked(SUCCESS_CHECKLIST, i)).count();
            lines.push(Line::styled(
                format!("Closing summary: {done} of {} success items ticked", w.walkthrough.success_checklist.len()),
                theme::heading(),
            ));
            for (i, c) in w.walkthrough.success_checklist.iter().enumerate() {
                lines.push(item(w.is_ticked(SUCCESS_CHECKLIST, i), c));
            }
            let open: usize = w
                .walkthrough
                .steps
                .iter()
                .map(|s| (0..s.checklist.len()).filter(|&i| !w.is_ticked(&s.id, i)).count())
                .sum();
            lines.push(Line::styled(
                format!("{open} step checklist item(s) still open · S saves follow-up notes as markdown"),
                theme::dim(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), area);
}
