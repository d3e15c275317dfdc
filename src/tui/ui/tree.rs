//! The evidence chain pane: only the rows on screen are built, from the tree's flattened rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layout::inner;
use super::{pane_block, scrollbar};
use crate::tui::state::tree::{Row, Sel, state_text};
use crate::tui::state::{Mode, Model, Pane};
use crate::tui::text::{match_ranges, truncate, truncate_middle, untrusted, width};
use crate::tui::theme;

/// The fewest columns an id is cut to before the state gives way.
const ID_MIN: usize = 16;
/// A state shorter than this is not worth showing cut.
const STATE_MIN: usize = 6;
/// How much of a state an id leaves room for when both do not fit.
const STATE_STUB: usize = 10;

/// The last named key of a JSON pointer: `/files/1/content/manifest_id` → `manifest_id`.
fn last_key(pointer: &str) -> &str {
    pointer.rsplit('/').find(|t| !t.is_empty() && !t.bytes().all(|b| b.is_ascii_digit())).unwrap_or(pointer)
}

pub fn render(app: &Model, frame: &mut Frame, area: Rect) {
    let tree = &app.tree;
    let focused = app.focus == Pane::Tree && app.mode.panes_active();
    let count = if !tree.filtering() {
        format!(" {} artifacts ", app.evidence.nodes.len())
    } else {
        format!(" {} of {} shown ", tree.visible_count(), app.evidence.nodes.len())
    };
    let mut block = pane_block(Line::styled(" Evidence chain ", theme::title()), focused)
        .title(Line::styled(count, theme::dim()).right_aligned());
    let mut bottom = Vec::new();
    if !tree.filter().is_empty() && !matches!(app.mode, Mode::Filter(_)) {
        bottom.push(format!("filter {}", untrusted(&app.filter_text)));
    }
    if tree.problems_only() {
        bottom.push("problems only".to_string());
    }
    if tree.hide_superseded() {
        bottom.push("latest versions".to_string());
    }
    if app.search.active() && !matches!(app.mode, Mode::Search(_)) {
        bottom.push(format!("/{} {}", untrusted(&app.search.query), app.search.matches.len()));
    }
    if !bottom.is_empty() {
        block = block.title_bottom(Line::styled(format!(" {} ", bottom.join(" · ")), theme::matched()));
    }
    let body = inner(area);
    frame.render_widget(block, area);
    let h = body.height as usize;
    let rows = tree.rows();
    let start = tree.offset.min(rows.len());
    let end = (start + h).min(rows.len());
    let w = body.width as usize;
    let needle = app.search.needle();
    let lines: Vec<Line<'static>> = (start..end)
        .map(|i| super::highlight(&row_line(app, &rows[i], w, i == tree.selected_row(), focused), &needle))
        .collect();
    if rows.is_empty() {
        let msg = if !tree.filtering() { "no artifacts" } else { "nothing matches the filter (Esc clears it)" };
        frame.render_widget(Paragraph::new(Line::styled(msg, theme::dim())), body);
    } else {
        super::lines_into(frame, body, &lines);
    }
    scrollbar(frame, area, rows.len(), start);
}

/// Spans of `text` with the filter's matches highlighted.
fn highlighted(text: String, needle: &str, base: Style) -> Vec<Span<'static>> {
    let ranges = match_ranges(&text, needle);
    if ranges.is_empty() {
        return vec![Span::styled(text, base)];
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in ranges {
        if s > at {
            out.push(Span::styled(text[at..s].to_string(), base));
        }
        out.push(Span::styled(text[s..e].to_string(), base.patch(theme::matched())));
        at = e;
    }
    if at < text.len() {
        out.push(Span::styled(text[at..].to_string(), base));
    }
    out
}

fn row_line(app: &Model, row: &Row, w: usize, selected: bool, focused: bool) -> Line<'static> {
    let ev = &app.evidence;
    let tree = &app.tree;
    let needle = tree.filter();
    let mut spans: Vec<Span<'static>> = Vec::with_capacity(10);
    spans.push(Span::raw(if selected { "▶ " } else { "  " }));
    spans.push(Span::raw("  ".repeat(row.depth as usize)));
    let lead = 2 + 2 * row.depth as usize;
    match row.sel {
        Sel::Group(g) => {
            let group = &tree.groups[g];
            let fold = if tree.is_group_open(g) { "▾ " } else { "▸ " };
            spans.push(Span::styled(fold, theme::dim()));
            spans.push(Span::styled(theme::status_glyph(group.worst), theme::status(group.worst)));
            spans.push(Span::raw(" "));
            let count = format!(" ({})", group.nodes.len());
            let room = w.saturating_sub(lead + 4 + width(&count));
            let name = truncate(&untrusted(group.kind.name()), room).into_owned();
            spans.extend(highlighted(name, needle, theme::title()));
            spans.push(Span::styled(count, theme::dim()));
        }
        Sel::Node(n) => {
            let node = &ev.nodes[n];
            let has_refs =
                tree.refs_of(n).map(|r| !r.is_empty()).or_else(|| ev.artifact(n).ok().map(|a| !a.refs.is_empty()));
            let fold = if tree.is_node_open(n) {
                "▾ "
            } else if has_refs == Some(false) {
                "  "
            } else {
                "▸ "
            };
            spans.push(Span::styled(fold, theme::dim()));
            let st = tree.status[n];
            spans.push(Span::styled(theme::status_glyph(st), theme::status(st)));
            spans.push(Span::raw(" "));
            let id = node.id.to_string();
            let state = state_text(ev, n).map(|s| untrusted(&s).into_owned()).unwrap_or_default();
            let (label, label_style) =
                if node.latest { ("latest", theme::latest()) } else { ("superseded", theme::superseded()) };
            let id_style = if node.latest { theme::value() } else { theme::superseded_id() };
            let avail = w.saturating_sub(lead + 4);
            let (idw, sw, lw) = (width(&id), width(&state), width(label));
            let id_min = idw.min(ID_MIN);
            // Room, in order of importance: the id, "latest", the state, "superseded".
            let show_label = node.latest && avail >= id_min + 1 + lw || idw + 1 + sw + 1 + lw <= avail;
            let after_label = avail.saturating_sub(if show_label { lw + 1 } else { 0 });
            // The id keeps at least ID_MIN columns and the state at least a readable stub (it is what
            // tells versions apart: approved or denied); past those, the id takes what the state leaves.
            let stub = sw.min(STATE_MIN);
            let (id_room, state_room) = if sw == 0 || after_label < id_min + 1 + stub {
                (after_label.min(idw), 0)
            } else {
                let id_room = idw.min(id_min.max(after_label.saturating_sub(1 + sw.min(STATE_STUB))));
                (id_room, after_label.saturating_sub(id_room + 1).min(sw))
            };
            spans.extend(highlighted(truncate_middle(&id, id_room).into_owned(), needle, id_style));
            if state_room > 0 {
                spans.push(Span::raw(" "));
                spans.extend(highlighted(truncate(&state, state_room).into_owned(), needle, theme::dim()));
            }
            if show_label {
                spans.push(Span::raw(" "));
                spans.push(Span::styled(label, label_style));
            }
        }
        Sel::Ref { node, index } => {
            spans.push(Span::styled("→ ", theme::reference()));
            match tree.reference(node, index) {
                Some(r) => {
                    let field = untrusted(last_key(&r.field)).into_owned();
                    let target = untrusted(&r.target).into_owned();
                    let avail = w.saturating_sub(lead + 2);
                    let fw = width(&field).min(avail * 2 / 5);
                    spans.push(Span::styled(truncate(&field, fw).into_owned(), theme::key()));
                    spans.push(Span::raw(" "));
                    let rest = avail.saturating_sub(fw + 1);
                    match r.targets.first() {
                        Some(&t) => {
                            let st = tree.status[t];
                            spans.push(Span::styled(theme::status_glyph(st), theme::status(st)));
                            spans.push(Span::raw(" "));
                            let kind = untrusted(ev.nodes[t].kind.name());
                            let tw = width(&target)
                                .min(rest.saturating_sub(2 + 2 + width(&kind).min(8)).max(ID_MIN.min(rest)));
                            spans.push(Span::raw(truncate_middle(&target, tw).into_owned()));
                            let kw = rest.saturating_sub(2 + tw + 2);
                            if kw >= 4 {
                                spans.push(Span::styled(format!("  {}", truncate(&kind, kw)), theme::dim()));
                            }
                        }
                        None if r.dangling => {
                            // "⚠ target", then the word when it fits: the target is what one needs to see.
                            spans.push(Span::styled("⚠ ", theme::dangling()));
                            let tw = width(&target).min(rest.saturating_sub(2));
                            spans.push(Span::raw(truncate_middle(&target, tw).into_owned()));
                            if rest >= 2 + tw + 10 {
                                spans.push(Span::styled("  dangling", theme::dangling()));
                            }
                        }
                        None => {
                            // Not shipped with this evidence (a trial package's upstream): not a problem.
                            spans.push(Span::styled("· ", theme::dim()));
                            let tw = width(&target).min(rest.saturating_sub(2));
                            spans.push(Span::raw(truncate_middle(&target, tw).into_owned()));
                            if rest >= 2 + tw + 14 {
                                spans.push(Span::styled("  not included", theme::dim()));
                            }
                        }
                    }
                }
                None => spans.push(Span::styled("?", theme::dim())),
            }
        }
    }
    if selected {
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if used < w {
            spans.push(Span::raw(" ".repeat(w - used)));
        }
        let patch = if focused { theme::selected_focused() } else { theme::selected_unfocused() };
        for s in &mut spans {
            s.style = s.style.patch(patch);
        }
    }
    Line::from(spans)
}
