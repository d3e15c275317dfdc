//! The `?` help overlay: every binding of the keymap grouped, then the mouse, glyph and tag legends.
//! Generated from [`BINDINGS`], so it lists exactly the keys the dispatcher knows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::layout::inner;
use super::{pane_block, scrollbar};
use crate::evidence::Boundary;
use crate::health::Status;
use crate::tui::app::App;
use crate::tui::keymap::{BINDINGS, Context, Group, keys_label};
use crate::tui::theme;

fn context_label(c: Context) -> &'static str {
    match c {
        Context::Always => "anywhere",
        Context::Global => "",
        Context::Panes => "panes",
        Context::Tree => "tree",
        Context::Detail => "detail",
        Context::Filter => "filtering",
        Context::Help => "help",
        Context::Boundary => "boundary",
        Context::Walk => "walkthrough",
        Context::Health => "health pane",
        Context::Review => "review",
        Context::ReviewForm => "review form",
        Context::ReviewConfirm => "discard?",
    }
}

/// Every line of help.
pub fn lines() -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = vec![Line::from(vec![
        Span::raw("  "),
        Span::styled(format!("{:<19}", "keys"), theme::dim()),
        Span::styled(format!("{:<10}", "where"), theme::dim()),
        Span::styled("what", theme::dim()),
    ])];
    for group in Group::ALL {
        let bindings: Vec<_> = BINDINGS.iter().filter(|b| b.group == group).collect();
        if bindings.is_empty() {
            continue;
        }
        out.push(Line::styled(group.title(), theme::heading()));
        for b in bindings {
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(format!("{:<19}", keys_label(b)), theme::footer_key()),
                Span::styled(format!("{:<10}", context_label(b.context)), theme::dim()),
                Span::raw(b.description),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled("Mouse", theme::heading()));
    out.push(Line::raw("  click selects a row or a pane; click the selected row again to open it"));
    out.push(Line::raw("  the wheel scrolls the pane under the pointer"));
    out.push(Line::raw(""));
    out.push(Line::styled("Status glyphs (from the findings that looked at a node)", theme::heading()));
    let glyph = |s: Option<Status>, what: &'static str| {
        Line::from(vec![
            Span::raw("  "),
            Span::styled(theme::status_glyph(s), theme::status(s)),
            Span::raw(format!("  {what}")),
        ])
    };
    out.push(glyph(Some(Status::Pass), "pass"));
    out.push(glyph(Some(Status::Warn), "warn"));
    out.push(glyph(Some(Status::Fail), "fail"));
    out.push(glyph(None, "not evaluable: no criterion looked at it"));
    out.push(Line::raw(""));
    out.push(Line::styled("Boundary tags (right edge of the detail pane)", theme::heading()));
    for b in [Boundary::PublicMetadata, Boundary::ExternalReference, Boundary::BoundaryAssertion] {
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(b.short(), theme::tag(b)),
            Span::raw(format!("  {}", b.label())),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Marks", theme::heading()));
    out.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("«REDACTED: kind»", theme::redacted()),
        Span::raw("  a secret removed at load; its value is never shown"),
    ]));
    out.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("⚠ dangling", theme::dangling()),
        Span::raw("  a reference to an id that is not in this evidence"),
    ]));
    out.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("latest", theme::latest()),
        Span::raw(" / "),
        Span::styled("superseded", theme::superseded()),
        Span::raw("  CAVRA's pick of its kind, or an older version"),
    ]));
    out
}

/// How many lines help has (for scrolling).
pub fn line_count() -> usize {
    lines().len()
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let all = lines();
    let body = inner(area);
    let h = body.height as usize;
    let start = app.help_scroll.min(all.len().saturating_sub(h));
    let end = (start + h).min(all.len());
    frame.render_widget(Clear, area);
    let block = pane_block(Line::styled(" Help: every key ", theme::title()), true)
        .title(Line::styled(" Esc closes ", theme::dim()).right_aligned());
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(all[start..end].to_vec()), body);
    scrollbar(frame, area, all.len(), start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> String {
        lines().iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn help_lists_every_binding_with_its_keys() {
        let help = text();
        for b in BINDINGS {
            let keys = keys_label(b);
            let ctx = context_label(b.context);
            assert!(
                help.lines().any(|l| l.contains(b.description) && l.contains(&keys) && l.contains(ctx)),
                "help lacks {:?} with keys {keys} in {ctx}",
                b.description
            );
        }
        for g in Group::ALL {
            assert!(help.contains(g.title()), "{}", g.title());
        }
    }

    #[test]
    fn help_explains_glyphs_tags_and_redactions() {
        let help = text();
        for needle in [
            "✓  pass",
            "!  warn",
            "✗  fail",
            "?  not evaluable",
            "pub  public metadata",
            "ext  external reference",
            "bnd  boundary assertion",
            "«REDACTED: kind»",
            "⚠ dangling",
        ] {
            assert!(help.contains(needle), "{needle}");
        }
    }

    #[test]
    fn help_lines_fit_the_narrowest_help_box() {
        // The help box is 76 columns at 80×24, 74 inside its borders.
        for l in lines() {
            assert!(l.width() <= 74, "{l}");
        }
    }
}
