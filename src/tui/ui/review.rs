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

/// Columns the form's values start at (after the longest label), when the pane is wide enough.
const VALUE_COLUMN: usize = 43;

/// A field's value as display cells, one per character (each sanitised on its own, so the cursor, a char
/// index, stays on its character); a value that looks like a secret shows only as its redaction marker.
fn cells(text: &str) -> (Vec<String>, bool) {
    if let Some((kind, crate::evidence::RedactedBy::Closeout)) = crate::evidence::value::classify_string(text, false) {
        return (vec![format!("«REDACTED: {}»", kind.label())], true);
    }
    (text.chars().map(|c| untrusted(c.encode_utf8(&mut [0u8; 4])).into_owned()).collect(), false)
}

/// A field's value wrapped to `width` columns (never cut), each line indented by `indent` columns, with the
/// cursor cell in reverse video when `cursor` is given. Returns the lines and the index of the line that
/// holds the cursor.
pub fn value_lines(text: &str, cursor: Option<usize>, width: usize, indent: usize) -> (Vec<Line<'static>>, usize) {
    let width = width.saturating_sub(indent).max(4);
    let (cells, secret) = cells(text);
    let cursor = cursor.map(|c| if secret { cells.len() } else { c.min(cells.len()) });
    let value = theme::value().add_modifier(Modifier::UNDERLINED);
    let under = theme::matched().add_modifier(Modifier::REVERSED);
    let mut out: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    let mut cursor_line = 0;
    let n = cells.len() + usize::from(cursor == Some(cells.len()));
    for i in 0..n {
        let cell = cells.get(i).cloned().unwrap_or_else(|| " ".to_string());
        let w = width_of(&cell).max(1);
        if used + w > width && used > 0 {
            out.push(Vec::new());
            used = 0;
        }
        let style = if cursor == Some(i) {
            cursor_line = out.len() - 1;
            under
        } else if secret {
            theme::redacted().add_modifier(Modifier::REVERSED)
        } else {
            value
        };
        out.last_mut().expect("a line").push(Span::styled(cell, style));
        used += w;
    }
    let lines = out
        .into_iter()
        .map(|mut spans| {
            spans.insert(0, Span::raw(" ".repeat(indent)));
            Line::from(spans)
        })
        .collect();
    (lines, cursor_line)
}

/// The form; returns the index (in `out`) of the line holding the cursor.
fn form(app: &Model, w: &ReviewWizard, width: usize, out: &mut Vec<Line<'static>>) -> usize {
    out.push(Line::styled(" Owner acceptance", theme::heading()));
    let covers: Vec<&str> = crate::review::warned(&app.report).iter().map(|c| c.as_str()).collect();
    let flagged = w.marks.iter().flatten().filter(|m| **m == Some(Mark::Flagged)).count();
    for l in wrap(
        &format!(
            "Accepts the risk of {} for {} failed deliver{}{}. Owner, reason and expiry are required; dates are \
             YYYY-MM-DD or RFC 3339; the expiry must be after {}.",
            if covers.is_empty() { "no warning".to_string() } else { covers.join(", ") },
            w.deliveries.len(),
            if w.deliveries.len() == 1 { "y" } else { "ies" },
            if flagged > 0 { format!(" ({flagged} pane(s) flagged)") } else { String::new() },
            crate::time::fmt_instant(w.as_of),
        ),
        " ",
        width,
    ) {
        out.push(Line::styled(l, theme::dim()));
    }
    // Said before anything is saved: when a criterion fails, no acceptance changes the verdict.
    if let Some(reason) = crate::review::cannot_change_verdict(&app.report, w.as_of) {
        for l in wrap(
            &format!(
                "✗ This acceptance cannot change the verdict: {reason}. A failed criterion is not acceptable risk; \
                 the verdict stays blocked whatever is accepted here.",
                reason = untrusted(&reason)
            ),
            "   ",
            width,
        ) {
            out.push(Line::styled(l, theme::status(Some(Status::Fail)).add_modifier(Modifier::BOLD)));
        }
    }
    out.push(Line::raw(""));
    let mut cursor_at = 0;
    let sign_open = w.sign.is_some();
    for (i, (_, label)) in FIELDS.iter().enumerate() {
        let focused = i == w.field && !sign_open;
        let input = &w.form[i];
        // The value beside its label (continuation lines under the value) when the pane is wide; else under it.
        let beside = width >= VALUE_COLUMN + 20;
        let indent = if beside { VALUE_COLUMN } else { 5 };
        let (mut lines, at) = value_lines(input.text(), focused.then(|| input.cursor()), width, indent);
        let label_spans = vec![
            Span::styled(format!(" {} ", if focused { "›" } else { " " }), theme::title()),
            Span::styled(
                if beside { format!("{label:<w$}", w = VALUE_COLUMN - 3) } else { label.to_string() },
                if focused { theme::title() } else { theme::key() },
            ),
        ];
        if beside {
            let mut first = label_spans;
            first.extend(lines[0].spans.drain(1..));
            lines[0] = Line::from(first);
        } else {
            lines.insert(0, Line::from(label_spans));
        }
        if focused {
            cursor_at = out.len() + at + usize::from(!beside);
        }
        out.extend(lines);
        for e in w.errors_for(i) {
            for (k, l) in wrap(&untrusted(&e.message), "       ", width).into_iter().enumerate() {
                let l = if k == 0 { format!("     ✗ {}", l.trim_start()) } else { l };
                out.push(Line::styled(l, theme::status(Some(Status::Fail)).add_modifier(Modifier::BOLD)));
            }
        }
        for e in w.warnings_for(i) {
            for (k, l) in wrap(&untrusted(&e.message), "       ", width).into_iter().enumerate() {
                let l = if k == 0 { format!("     ! {}", l.trim_start()) } else { l };
                out.push(Line::styled(l, theme::status(Some(Status::Warn)).add_modifier(Modifier::BOLD)));
            }
        }
    }
    out.push(Line::raw(""));
    let at = app.now.unwrap_or(w.as_of);
    if w.sign.is_none() {
        save_hint(app, at, width, out);
    }
    if let Some((p, _)) = &w.saving {
        out.push(Line::styled(format!(" saving to {}…", untrusted(&p.display().to_string())), theme::title()));
    }
    if let Some(e) = &w.save_error {
        for l in wrap(&format!("✗ not saved: {}", untrusted(e)), " ", width) {
            out.push(Line::styled(l, theme::status(Some(Status::Fail))));
        }
    }
    if let Some(offer) = &w.sign {
        out.push(Line::raw(""));
        let record = untrusted(&offer.record.display().to_string()).into_owned();
        for l in wrap(&format!("✓ Saved to {record}. Sign it? (SSHSIG, namespace closeout-review)"), " ", width) {
            out.push(Line::styled(l, theme::status(Some(Status::Pass)).add_modifier(Modifier::BOLD)));
        }
        let hint = if offer.agent {
            "SSH key: a private key file, or a .pub whose key ssh-agent holds; empty: the agent's one key"
        } else {
            "SSH key: a private key file (no ssh-agent: $SSH_AUTH_SOCK is not set)"
        };
        out.push(Line::from(vec![Span::styled(" › ", theme::title()), Span::styled(hint, theme::title())]));
        let (lines, _) = value_lines(offer.key.text(), (!offer.signing).then(|| offer.key.cursor()), width, 3);
        out.extend(lines);
        for l in wrap("Enter signs (writes RECORD.sig beside the record) · Esc leaves it unsigned", " ", width) {
            out.push(Line::styled(l, theme::dim()));
        }
        if offer.signing {
            out.push(Line::styled(" signing…", theme::title()));
        }
        if let Some(e) = &offer.error {
            for l in wrap(&format!("✗ not signed (the record stays, unsigned): {}", untrusted(e)), " ", width) {
                out.push(Line::styled(l, theme::status(Some(Status::Fail))));
            }
        }
        // The whole offer (its key field, keys and any failure) stays on screen.
        cursor_at = out.len() - 1;
    }
    cursor_at
}

/// What Ctrl-S does and where the record will go (the same path the save uses).
fn save_hint(app: &Model, at: chrono::DateTime<chrono::Utc>, width: usize, out: &mut Vec<Line<'static>>) {
    let dest = crate::tui::update::review_path(app, at).display().to_string();
    let never =
        format!("Ctrl-S shows what would be accepted; {} never writes a review", app.live.writes_nothing_as(false));
    let (ask, to) = if app.live.demo {
        (never.as_str(), "Would save to")
    } else {
        ("Ctrl-S shows what will be accepted and asks before it saves a closeout.review.v1 record", "Saves to")
    };
    for l in wrap(ask, " ", width) {
        out.push(Line::styled(l, theme::dim()));
    }
    for l in wrap(&format!("{to}: {}", untrusted(&dest)), " ", width) {
        out.push(Line::styled(l, theme::dim()));
    }
}

/// What the confirm question shows before a save: the criteria accepted, the artifacts and their digests,
/// the owner, change reference, reason and dates, the verdict once saved, and the save path. Every value is
/// the record's own (secrets already redacted) and is sanitised again here.
pub fn summary(app: &Model, record: &crate::review::ReviewRecord, path: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let Some(a) = &record.acceptance else { return out };
    let u = |s: &str| untrusted(s).into_owned();
    out.push(format!("Accepts the risk of: {}", u(&a.covers.join(", "))));
    let ids: Vec<String> = record.deliveries.iter().map(|d| u(&d.delivery_id)).collect();
    out.push(format!("For {} failed delivery(ies): {}", ids.len(), ids.join(", ")));
    out.push(format!("Pins {} artifact(s) by SHA-256:", record.artifacts.len()));
    for art in &record.artifacts {
        out.push(format!("  {} {}  sha256:{}", u(&art.kind), u(&art.id), u(&art.sha256)));
    }
    out.push(format!(
        "Owner: {} · Reviewer: {} · External reference: {}",
        u(&a.owner),
        u(&record.reviewer),
        a.external_ref.as_deref().map_or("(none)".into(), u)
    ));
    out.push(format!("Reason: {}", u(&a.reason)));
    out.push(format!(
        "Target resolution date: {} · Expiry: {}",
        a.target_resolution_date.as_deref().map_or("(none)".into(), u),
        u(&a.expires_at)
    ));
    let input = crate::review::AcceptanceInput {
        owner: a.owner.clone(),
        external_ref: a.external_ref.clone().unwrap_or_default(),
        reason: a.reason.clone(),
        target_resolution_date: a.target_resolution_date.clone().unwrap_or_default(),
        expires_at: a.expires_at.clone(),
    };
    for wn in crate::review::acceptance_warnings(&input) {
        out.push(format!("! {}", u(&wn.message)));
    }
    let as_of = app.as_of().at;
    let shown = path.display().to_string();
    let (verdict, reason) =
        crate::review::verdict_if_accepted(&app.report, &app.live.acceptances, &input, as_of, &shown);
    out.push(format!("Verdict once saved: {} ({})", verdict.as_str(), u(&reason)));
    if crate::review::cannot_change_verdict(&app.report, as_of).is_some() {
        out.push("✗ This acceptance cannot change the verdict: a failed criterion is not acceptable risk.".into());
    }
    if app.live.demo {
        out.push(format!(
            "{}: nothing is written (it would go to {})",
            app.live.writes_nothing_as(true),
            u(&path.display().to_string())
        ));
    } else {
        out.push(format!("Written to: {}", u(&path.display().to_string())));
    }
    out
}

pub fn render(app: &Model, w: &ReviewWizard, frame: &mut Frame, areas: &Areas) {
    let rect = area(areas);
    let body = inner(rect);
    let width = body.width.saturating_sub(1) as usize;
    let mut all = vec![progress(w), Line::raw("")];
    let room = body.height as usize;
    let start = if w.on_form() {
        let cursor = form(app, w, width, &mut all);
        // The form scrolls so the cursor is always on screen.
        if cursor >= room { cursor + 1 - room } else { 0 }
    } else {
        all = lines(app, w, width);
        w.scroll.min(all.len().saturating_sub(room))
    };
    let visible: Vec<Line<'static>> = all.into_iter().skip(start).take(room).collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(pane_block(Line::styled(format!(" {} ", w.title()), theme::title()), true), rect);
    frame.render_widget(Paragraph::new(visible), body);
}
