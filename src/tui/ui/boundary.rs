//! The boundary view: what Community records in this evidence against what only Enterprise or SaaS
//! provides, then every redaction and boundary violation, each a way to its node.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::layout::{Areas, inner};
use super::{pane_block, scrollbar};
use crate::health::Status;
use crate::tui::app::App;
use crate::tui::boundary::{BoundaryModel, ENTERPRISE_ONLY, EntryKind};
use crate::tui::text::{truncate, truncate_left, untrusted, width};
use crate::tui::theme;

pub fn render(app: &App, frame: &mut Frame, areas: &Areas) {
    let Some(m) = &app.boundary else { return };
    frame.render_widget(Clear, areas.body);
    top(m, frame, areas.boundary_top);
    list(app, m, frame, areas.boundary_list);
}

fn ok(good: bool) -> Span<'static> {
    let st = Some(if good { Status::Pass } else { Status::Fail });
    Span::styled(format!("{} ", theme::status_glyph(st)), theme::status(st))
}

fn fit(spans: Vec<Span<'static>>, w: usize) -> Line<'static> {
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        let sw = s.width();
        if used + sw <= w {
            used += sw;
            out.push(s);
        } else {
            let room = w.saturating_sub(used);
            if room > 0 {
                out.push(Span::styled(truncate(&s.content, room).into_owned(), s.style));
            }
            break;
        }
    }
    Line::from(out)
}

/// The comparison rows as a table: glyph, what, a right-aligned count, and the explanations only when
/// every one of them fits (so the column stays even).
fn table(rows: &[(bool, &str, String, &str)], w: usize) -> Vec<Line<'static>> {
    let name_w = rows.iter().map(|r| width(r.1)).max().unwrap_or(0);
    let count_w = rows.iter().map(|r| width(&r.2)).max().unwrap_or(0) + 2;
    let why_w = rows.iter().map(|r| width(r.3)).max().unwrap_or(0);
    let explain = 2 + name_w + count_w + 3 + why_w < w;
    rows.iter()
        .map(|(good, what, count, why)| {
            let mut spans = vec![
                ok(*good),
                Span::styled(format!("{what:<name_w$}"), theme::title()),
                Span::raw(format!("{count:>count_w$}")),
            ];
            if explain && !why.is_empty() {
                spans.push(Span::styled(format!("  ({why})"), theme::dim()));
            }
            fit(spans, w)
        })
        .collect()
}

fn top(m: &BoundaryModel, frame: &mut Frame, area: Rect) {
    let block =
        pane_block(Line::styled(" Boundary: Community records vs Enterprise / SaaS only ", theme::title()), true)
            .title(Line::styled(" b or Esc closes ", theme::dim()).right_aligned());
    let body = inner(area);
    frame.render_widget(block, area);
    let left_w = body.width / 2;
    let left = Rect { width: left_w.saturating_sub(1), ..body };
    let right = Rect { x: body.x + left_w + 1, width: body.width.saturating_sub(left_w + 1), ..body };
    let lw = left.width as usize;
    let rw = right.width as usize;
    let mut l = vec![fit(
        vec![Span::styled("Community records", theme::heading()), Span::styled(" (in this evidence)", theme::dim())],
        lw,
    )];
    let exposed = if m.exposed > 0 { m.exposed.to_string() } else { "none".to_string() };
    let rows = [
        (true, "public-safe metadata", format!("{} fields", m.public_fields), "ids, hashes, states, counts"),
        (
            true,
            "external references",
            format!("{} fields", m.external_fields),
            "signatures, key ids, archive refs, release records",
        ),
        (true, "redacted delivery results", format!("{} markers", m.cavra_redacted), "redacted by CAVRA"),
        (true, "boundary assertions", format!("{} fields", m.assertion_fields), "controls, notes, key storage"),
        (true, "controls[]", format!("on {} artifacts", m.controls_artifacts), "what each artifact promises"),
        (m.exposed == 0, "secrets in the clear", exposed, "closeout redacted them on load"),
    ];
    l.extend(table(&rows, lw));
    let scope = if m.partial() {
        format!("fields counted in the latest of each kind ({} of {} artifacts)", m.counted, m.artifacts)
    } else {
        format!("fields counted in all {} artifacts", m.artifacts)
    };
    l.push(Line::styled(truncate(&scope, lw).into_owned(), theme::dim()));
    frame.render_widget(Paragraph::new(l), left);
    let mut r = vec![fit(
        vec![
            Span::styled("Enterprise / SaaS only", theme::heading()),
            Span::styled(" (not in Community)", theme::dim()),
        ],
        rw,
    )];
    // Notes ("what Community records instead") only when every one fits, so the column stays even.
    let name_w = ENTERPRISE_ONLY.iter().map(|(w, _)| width(w)).max().unwrap_or(0);
    let note_w = ENTERPRISE_ONLY.iter().map(|(_, n)| width(n)).max().unwrap_or(0);
    let notes = 2 + name_w + 1 + note_w <= rw;
    for (what, instead) in ENTERPRISE_ONLY {
        let mut spans = vec![Span::styled("· ", theme::dim()), Span::raw(format!("{what:<name_w$}"))];
        if notes {
            spans.push(Span::styled(format!(" {instead}"), theme::dim()));
        }
        r.push(fit(spans, rw));
    }
    frame.render_widget(Paragraph::new(r), right);
}

fn list(app: &App, m: &BoundaryModel, frame: &mut Frame, area: Rect) {
    let title = format!(" Redactions and boundary violations ({}) ", m.entries.len());
    let block = pane_block(Line::styled(title, theme::title()), true)
        .title(Line::styled(" Enter shows the node ", theme::dim()).right_aligned());
    let body = inner(area);
    frame.render_widget(block, area);
    let w = body.width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    match &m.finding {
        Some((st, reason)) => lines.push(fit(
            vec![
                Span::styled(format!("{} {} ", theme::status_glyph(Some(*st)), st.as_str()), theme::status(Some(*st))),
                Span::styled("community_boundary: ", theme::title()),
                Span::raw(untrusted(reason).into_owned()),
            ],
            w,
        )),
        None => lines.push(Line::styled("no community_boundary finding", theme::dim())),
    }
    lines.push(Line::styled("─".repeat(w), theme::dim()));
    let h = (body.height as usize).saturating_sub(2);
    if m.entries.is_empty() {
        lines.push(Line::styled("No redactions and no boundary violations in this evidence.", theme::dim()));
    }
    let start = app.boundary_offset.min(m.entries.len());
    let end = (start + h).min(m.entries.len());
    for (i, e) in m.entries.iter().enumerate().take(end).skip(start) {
        let selected = i == app.boundary_selected;
        let (glyph, style) = match e.kind {
            EntryKind::Exposed | EntryKind::Violation => ("✗", theme::status(Some(Status::Fail))),
            EntryKind::CavraRedacted => ("✓", theme::status(Some(Status::Pass))),
        };
        let where_ = match e.node {
            Some(n) => {
                format!("{} {}", untrusted(app.evidence.nodes[n].kind.name()), app.evidence.nodes[n].id)
            }
            None => "not in an artifact".to_string(),
        };
        let label_w = 24.min(w / 4);
        let label = format!("{:<label_w$}", truncate(&untrusted(&e.label), label_w));
        let where_w = width(&where_).min(w / 3);
        let loc_room = w.saturating_sub(2 + 2 + 10 + label_w + 2 + where_w + 2);
        let loc = truncate_left(&untrusted(&e.location), loc_room).into_owned();
        let mut spans = vec![
            Span::raw(if selected { "▶ " } else { "  " }),
            Span::styled(format!("{glyph} "), style),
            Span::styled(format!("{:<10}", e.kind.word()), style),
            Span::styled(label, if e.kind == EntryKind::CavraRedacted { Style::new() } else { theme::title() }),
            Span::raw("  "),
            Span::styled(truncate(&where_, where_w).into_owned(), theme::value()),
            Span::raw("  "),
            Span::styled(loc, theme::dim()),
        ];
        if selected {
            let used: usize = spans.iter().map(|s| s.width()).sum();
            spans.push(Span::raw(" ".repeat(w.saturating_sub(used))));
            for s in &mut spans {
                s.style = s.style.patch(theme::selected_focused());
            }
        }
        lines.push(fit(spans, w));
    }
    frame.render_widget(Paragraph::new(lines), body);
    scrollbar(frame, area, m.entries.len() + 2, start);
}
