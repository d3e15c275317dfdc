//! The header: what is open (label, source, edition, model), when it is evaluated, and the verdict.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::time::fmt_instant;
use crate::tui::app::App;
use crate::tui::text::{truncate, truncate_left, untrusted, width};
use crate::tui::theme;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let ev = &app.evidence;
    let r = &app.report;
    let w = area.width as usize;

    let badge =
        format!(" {} {} ", theme::verdict_glyph(r.verdict), r.verdict.as_str().to_uppercase().replace('_', " "));
    let edition: Span<'static> = match &ev.edition {
        Some(e) => Span::styled(format!(" {} ", e.to_string().to_uppercase()), theme::edition_badge()),
        None => Span::styled("edition not recorded", theme::dim()),
    };
    let room = w.saturating_sub(width(&badge) + width(&edition.content) + 4);
    let label = truncate(&ev.label.to_string(), room).into_owned();
    let used = 1 + width(&label) + 2 + width(&edition.content);
    let fill = w.saturating_sub(used + width(&badge));
    let line1 = Line::from(vec![
        Span::raw(" "),
        Span::styled(label, theme::title()),
        Span::raw("  "),
        edition,
        Span::raw(" ".repeat(fill)),
        Span::styled(badge, theme::verdict(r.verdict)),
    ]);

    let as_of = format!("as of {} ({})", fmt_instant(r.as_of), r.as_of_source.short());
    let mut facts = vec![ev.model_label().to_string()];
    if let Some(rel) = &ev.release {
        facts.push(format!("release {}", untrusted(rel)));
    }
    let room = w.saturating_sub(width(&as_of) + 4);
    let source = ev.source.to_string();
    let full = format!("{source} · {}", facts.join(" · "));
    let facts_text = if width(&full) <= room { full } else { truncate_left(&source, room).into_owned() };
    let fill2 = w.saturating_sub(1 + width(&facts_text) + width(&as_of) + 1);
    let line2 = Line::from(vec![
        Span::raw(" "),
        Span::styled(facts_text, theme::dim()),
        Span::raw(" ".repeat(fill2)),
        Span::styled(as_of, theme::title()),
    ]);

    let mut third: Vec<Span<'static>> = vec![Span::raw(" ")];
    let mut room3 = w.saturating_sub(2);
    if let Some(d) = &r.evidence_decision
        && r.disagreement.is_some()
    {
        let note = format!("≠ the evidence itself says {} · ", untrusted(d));
        room3 = room3.saturating_sub(width(&note));
        third.push(Span::styled(note, theme::status(Some(crate::health::Status::Warn))));
    }
    third.push(Span::styled(truncate(&untrusted(&r.verdict_reason), room3).into_owned(), theme::dim()));
    frame.render_widget(Paragraph::new(vec![line1, line2, Line::from(third)]), area);
}
