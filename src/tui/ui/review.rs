//! The retry plan review overlay: one fact pane at a time (facts, then computed ✓/!/✗ checks), or the
//! owner acceptance form with each validation error under its field.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::health::wrap;
use super::layout::{Areas, inner};
use super::pane_block;
use crate::health::Status;
use crate::tui::state::Model;
use crate::tui::state::review::{FACT_PANES, FIELDS, Mark, PANE_SHORT, PANE_TITLES, ReviewWizard, Seg};
use crate::tui::text::{truncate, untrusted, width as width_of};
use crate::tui::theme;

/// Where the overlay goes: over the panes, a modal.
pub fn area(areas: &Areas) -> Rect {
    areas.body
}

fn progress(w: &ReviewWizard) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (i, title) in PANE_SHORT.iter().enumerate() {
        let mark = if i < FACT_PANES {
            match w.marks[w.delivery][i] {
                Some(Mark::Reviewed) => "✓",
                Some(Mark::Flagged) => "⚑",
                None => "·",
            }
        } else {
            "·"
        };
        let style = if i == w.pane { theme::title().add_modifier(Modifier::REVERSED) } else { theme::dim() };
        spans.push(Span::styled(format!(" {} {mark} {} ", i + 1, title), style));
    }
    Line::from(spans)
}

/// The overlay's lines for the current pane.
pub fn lines(app: &Model, w: &ReviewWizard, width: usize) -> Vec<Line<'static>> {
    let mut out = vec![progress(w), Line::raw("")];
    if w.on_form() {
        form(app, w, width, &mut out);
        return out;
    }
    let d = w.current();
    let p = &d.panes[w.pane];
    out.push(Line::styled(format!(" {} · delivery {}", PANE_TITLES[w.pane], untrusted(&d.id)), theme::heading()));
    out.push(Line::raw(""));
    let label_w = p.facts.iter().map(|f| width_of(&f.label)).max().unwrap_or(0).min(34);
    for f in &p.facts {
        let label = truncate(&f.label, label_w).into_owned();
        let pad = label_w.saturating_sub(width_of(&label));
        let mut spans = vec![Span::styled(format!(" {label}{} ", " ".repeat(pad)), theme::key())];
        for s in &f.value {
            match s {
                Seg::Text(t) => spans.push(Span::styled(t.clone(), theme::value())),
                Seg::Secret(t) => {
                    spans.push(Span::styled(t.clone(), theme::redacted().add_modifier(Modifier::REVERSED)))
                }
            }
        }
        out.push(Line::from(spans));
    }
    out.push(Line::raw(""));
    for c in &p.checks {
        let style = theme::status(Some(c.status));
        for (i, l) in wrap(&c.text, "   ", width).into_iter().enumerate() {
            if i == 0 {
                let rest = l.trim_start().to_string();
                out.push(Line::from(vec![
                    Span::styled(format!(" {} ", c.status.glyph()), style.add_modifier(Modifier::BOLD)),
                    Span::styled(rest, style),
                ]));
            } else {
                out.push(Line::styled(l, style));
            }
        }
    }
    out
}

fn form(app: &Model, w: &ReviewWizard, width: usize, out: &mut Vec<Line<'static>>) {
    out.push(Line::styled(" Owner acceptance", theme::heading()));
    let covers: Vec<&str> =
        app.report.findings.iter().filter(|f| f.status == Status::Warn).map(|f| f.id.as_str()).collect();
    let flagged = w.marks.iter().flatten().filter(|m| **m == Some(Mark::Flagged)).count();
    for l in wrap(
        &format!(
            "Accepts the risk of {} for {} failed deliver{}{}. Owner and reason are required; dates are YYYY-MM-DD \
             or RFC 3339; the expiry must be after {}.",
            if covers.is_empty() { "no warning".to_string() } else { covers.join(", ") },
            w.deliveries.len(),
            if w.deliveries.len() == 1 { "y" } else { "ies" },
            if flagged > 0 { format!(" ({flagged} pane(s) flagged)") } else { String::new() },
            crate::time::fmt_instant(app.as_of().at),
        ),
        " ",
        width,
    ) {
        out.push(Line::styled(l, theme::dim()));
    }
    out.push(Line::raw(""));
    for (i, (_, label)) in FIELDS.iter().enumerate() {
        let focused = i == w.field;
        let (before, after) = w.form[i].split();
        let mut spans = vec![
            Span::styled(format!(" {} ", if focused { "›" } else { " " }), theme::title()),
            Span::styled(format!("{label:<36} "), if focused { theme::title() } else { theme::key() }),
            Span::styled(untrusted(before).into_owned(), theme::value().add_modifier(Modifier::UNDERLINED)),
        ];
        if focused {
            spans.push(Span::styled("▏", theme::matched()));
        }
        spans.push(Span::styled(untrusted(after).into_owned(), theme::value().add_modifier(Modifier::UNDERLINED)));
        out.push(Line::from(spans));
        for e in w.errors_for(i) {
            out.push(Line::styled(
                format!("     ✗ {}", untrusted(&e.message)),
                theme::status(Some(Status::Fail)).add_modifier(Modifier::BOLD),
            ));
        }
    }
    out.push(Line::raw(""));
    let dest = match (&app.live.review_out, app.evidence.root()) {
        (Some(p), _) => p.display().to_string(),
        (None, Some(dir)) if !dir.as_os_str().is_empty() => format!("{}/closeout-review-<time>.json", dir.display()),
        _ => "./closeout-review-<time>.json".into(),
    };
    out.push(Line::styled(format!(" Ctrl-S saves a closeout.review.v1 record to {}", untrusted(&dest)), theme::dim()));
    if let Some((p, _)) = &w.saving {
        out.push(Line::styled(format!(" saving to {}…", untrusted(&p.display().to_string())), theme::title()));
    }
    if let Some(e) = &w.save_error {
        out.push(Line::styled(format!(" ✗ not saved: {}", untrusted(e)), theme::status(Some(Status::Fail))));
    }
}

pub fn render(app: &Model, w: &ReviewWizard, frame: &mut Frame, areas: &Areas) {
    let rect = area(areas);
    let body = inner(rect);
    let width = body.width.saturating_sub(1) as usize;
    let all = lines(app, w, width);
    let room = body.height as usize;
    let start = w.scroll.min(all.len().saturating_sub(room));
    let visible: Vec<Line<'static>> = all.into_iter().skip(start).take(room).collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(pane_block(Line::styled(format!(" {} ", w.title()), theme::title()), true), rect);
    frame.render_widget(Paragraph::new(visible), body);
}
