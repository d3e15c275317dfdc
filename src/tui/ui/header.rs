//! The header: what is open (label, source, edition, model), which release is evaluated and which others the
//! evidence holds, review records found beside the evidence, when it is evaluated, and the verdict with its
//! reason, wrapped rather than cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::health::wrap;
use crate::time::fmt_instant;
use crate::tui::state::Model;
use crate::tui::text::{truncate, truncate_left, untrusted, width};
use crate::tui::theme;

/// Lines of the verdict reason shown at most.
const REASON_LINES: usize = 3;

/// The verdict reason's lines at this width.
fn reason_lines(app: &Model, w: usize) -> Vec<String> {
    let r = &app.report;
    let mut text = String::new();
    // Whether closeout agrees with the evidence's own decision is said either way.
    if let Some(d) = &r.evidence_decision {
        if r.disagreement.is_some() {
            text.push_str(&format!("≠ the evidence itself says {} · ", untrusted(d)));
        } else {
            text.push_str("= the evidence agrees · ");
        }
    }
    text.push_str(&untrusted(&r.verdict_reason));
    let mut lines = wrap(&text, " ", w.saturating_sub(1));
    // A short terminal with the narration panel open keeps its rows for the panes: two lines of reason
    // there, the log has the rest.
    let most = if app.area.height < 30 && app.walk.is_some() { REASON_LINES - 1 } else { REASON_LINES };
    if lines.len() > most {
        lines.truncate(most);
        let last = lines.pop().unwrap_or_default();
        lines.push(format!("{} (L: the log has it all)", truncate(&last, w.saturating_sub(24))));
    }
    lines
}

/// Lines the header takes at a terminal width.
pub fn height(app: &Model, w: u16) -> u16 {
    2 + reason_lines(app, w as usize).len().max(1) as u16
}

/// The evaluated release, how many others there are, and the review records found beside the evidence: as
/// a phrase, and shorter for narrow terminals.
fn release_facts(app: &Model) -> (String, String) {
    let r = &app.report;
    let others = r.other_releases().iter().filter(|x| x.name.is_some()).count();
    let mut long = format!("release {}", r.release_label());
    let mut short = r.release_label();
    if others > 0 {
        long.push_str(&format!(" (+{others} other{}: R)", if others == 1 { "" } else { "s" }));
        short.push_str(&format!(" (+{others}: R)"));
    }
    let found = app.live.found_reviews.len();
    if found > 0 {
        let s = if found == 1 { "" } else { "s" };
        long.push_str(&format!(" · {found} review record{s} beside the evidence"));
        short.push_str(&format!(" · {found} review{s} found"));
    }
    (long, short)
}

pub fn render(app: &Model, frame: &mut Frame, area: Rect) {
    let ev = &app.evidence;
    let r = &app.report;
    let w = area.width as usize;

    let badge =
        format!(" {} {} ", theme::verdict_glyph(r.verdict), r.verdict.as_str().to_uppercase().replace('_', " "));
    let edition: Span<'static> = match &ev.edition {
        Some(e) => Span::styled(format!(" {} ", e.to_string().to_uppercase()), theme::edition_badge()),
        None => Span::styled("edition not recorded", theme::dim()),
    };
    // The sandbox's countdown sits beside the verdict, as long as the label keeps some room.
    let countdown = app
        .live
        .sandbox
        .as_ref()
        .map(|s| s.countdown(app.now))
        .filter(|(c, _)| w >= width(&badge) + width(&edition.content) + width(c) + 3 + 20);
    let count_w = countdown.as_ref().map_or(0, |(c, _)| width(c) + 3);
    let room = w.saturating_sub(width(&badge) + width(&edition.content) + 4 + count_w);
    let label = truncate(&ev.label.to_string(), room).into_owned();
    let used = 1 + width(&label) + 2 + width(&edition.content);
    let fill = w.saturating_sub(used + width(&badge) + count_w);
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(label, theme::title()),
        Span::raw("  "),
        edition,
        Span::raw(" ".repeat(fill)),
    ];
    if let Some((c, close)) = countdown {
        let style = if close { theme::status(Some(crate::health::Status::Warn)) } else { theme::key() };
        spans.push(Span::styled(format!(" {c} "), style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(badge, theme::verdict(r.verdict)));
    let line1 = Line::from(spans);

    let as_of = format!("as of {} ({})", fmt_instant(r.as_of), r.as_of_source.short());
    let room = w.saturating_sub(width(&as_of) + 4);
    let source = ev.source.to_string();
    let (release, short) = release_facts(app);
    let cut = |facts: &str| truncate_left(&source, room.saturating_sub(width(facts) + 3).max(12)).into_owned();
    let candidates = [
        format!("{source} · {} · {release}", ev.model_label()),
        format!("{source} · {release}"),
        format!("{} · {release}", cut(&release)),
        format!("{source} · {short}"),
        format!("{} · {short}", cut(&short)),
        truncate(&short, room).into_owned(),
    ];
    let facts_text = candidates.into_iter().find(|c| width(c) <= room).unwrap_or_default();
    let fill2 = w.saturating_sub(1 + width(&facts_text) + width(&as_of) + 1);
    let line2 = Line::from(vec![
        Span::raw(" "),
        Span::styled(facts_text, theme::dim()),
        Span::raw(" ".repeat(fill2)),
        Span::styled(as_of, theme::title()),
    ]);
    let mut lines = vec![line1, line2];
    let first = match (&r.evidence_decision, &r.disagreement) {
        (Some(_), Some(_)) => theme::status(Some(crate::health::Status::Warn)),
        (Some(_), None) => theme::status(Some(crate::health::Status::Pass)),
        _ => theme::dim(),
    };
    for (i, l) in reason_lines(app, w).into_iter().enumerate() {
        let style = if i == 0 { first } else { theme::dim() };
        lines.push(Line::styled(l, style));
    }
    super::lines_into(frame, area, &lines);
}
