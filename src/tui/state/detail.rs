//! The detail pane's state: the document of the selected row (a header, the findings that looked at it,
//! every field of the artifact with its boundary tag, hash checks and references), laid out for the pane
//! width, with a cursor line that says which field a copy takes and which reference Enter follows.
//!
//! [`build`] produces width-independent [`DLine`]s when the selection changes; [`wrap`] lays them out for
//! a pane width (when the selection or the terminal size changes), so a frame only copies visible lines.
//! All evidence text is shown through [`crate::text::Text`] or [`untrusted`]; redacted values exist only as
//! `«REDACTED: kind»`.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::tree::{Sel, Tree, state_text};
use crate::evidence::{Boundary, EValue, Evidence, HashStatus};
use crate::health::{Finding, Report, Status};
use crate::tui::text::{char_width, pointer_path, untrusted};
use crate::tui::theme;

/// Width of the right-hand boundary tag column (" pub").
pub const TAG_WIDTH: usize = 4;
/// How many nodes a group's detail lists.
const GROUP_LIST_MAX: usize = 200;

/// One logical line: wrapped to the pane width with a hanging indent, tagged on its first screen line.
#[derive(Debug, Clone, Default)]
pub struct DLine {
    pub indent: u16,
    /// Extra indent of continuation lines.
    pub hang: u16,
    pub spans: Vec<Span<'static>>,
    pub tag: Option<Boundary>,
    /// What the line is about: a reference Enter follows, a field a copy takes.
    pub target: Option<Target>,
}

/// What a detail line points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A reference that resolves to this node.
    Node(usize),
    /// A reference to an id this evidence does not hold.
    Dangling(String),
    /// A field: its JSON pointer inside the artifact and its value as shown (a redaction as its marker).
    Field { pointer: String, value: String },
    /// A hash (as shown): what a SHA-256 copy takes.
    Hash(String),
}

#[derive(Default)]
struct Doc {
    lines: Vec<DLine>,
}

impl Doc {
    fn push(&mut self, indent: u16, hang: u16, spans: Vec<Span<'static>>, tag: Option<Boundary>) {
        self.lines.push(DLine { indent, hang, spans, tag, target: None });
    }
    fn push_at(&mut self, indent: u16, hang: u16, spans: Vec<Span<'static>>, tag: Option<Boundary>, target: Target) {
        self.lines.push(DLine { indent, hang, spans, tag, target: Some(target) });
    }
    fn blank(&mut self) {
        self.lines.push(DLine::default());
    }
    fn heading(&mut self, text: impl Into<String>) {
        self.push(0, 2, vec![Span::styled(text.into(), theme::heading())], None);
    }
    /// `label  value` with a fixed-width dim label.
    fn labelled(&mut self, label: &str, value: Vec<Span<'static>>) {
        let mut spans = vec![Span::styled(format!("{label:<9} "), theme::dim())];
        spans.extend(value);
        self.push(0, 10, spans, None);
    }
}

fn s(text: impl Into<String>) -> Span<'static> {
    Span::raw(text.into())
}

fn styled(text: impl Into<String>, style: Style) -> Span<'static> {
    Span::styled(text.into(), style)
}

fn clean(text: &str) -> String {
    untrusted(text).into_owned()
}

fn status_spans(st: Option<Status>) -> Span<'static> {
    styled(theme::status_glyph(st), theme::status(st))
}

/// The detail document for a selection.
pub fn build(ev: &Evidence, report: &Report, tree: &Tree, sel: Sel) -> Vec<DLine> {
    let mut doc = Doc::default();
    match sel {
        Sel::Group(g) => group_doc(&mut doc, ev, report, tree, g),
        Sel::Node(n) => node_doc(&mut doc, ev, report, tree, n),
        Sel::Ref { node, index } => ref_doc(&mut doc, ev, report, tree, node, index),
    }
    doc.lines
}

fn findings_about<'r>(report: &'r Report, nodes: &[usize]) -> Vec<&'r Finding> {
    report.findings.iter().filter(|f| f.cites.iter().any(|c| nodes.contains(&c.node))).collect()
}

fn findings_section(doc: &mut Doc, findings: &[&Finding], none: &str) {
    doc.heading(format!("Findings ({})", findings.len()));
    if findings.is_empty() {
        doc.push(2, 2, vec![styled("? ", theme::status(None)), styled(none.to_string(), theme::dim())], None);
    }
    for f in findings {
        let st = Some(f.status);
        doc.push(
            2,
            2,
            vec![
                status_spans(st),
                s(" "),
                styled(f.status.as_str(), theme::status(st)),
                s("  "),
                styled(f.id.as_str(), theme::id()),
                styled(format!("  {}", f.title), theme::dim()),
            ],
            None,
        );
        doc.push(4, 0, vec![s(clean(&f.reason))], None);
        if f.status != Status::Pass {
            doc.push(4, 6, vec![styled("next: ", theme::dim()), s(clean(&f.next_step))], None);
        }
    }
}

fn node_header(doc: &mut Doc, ev: &Evidence, tree: &Tree, n: usize) {
    let node = &ev.nodes[n];
    let st = tree.status[n];
    let mark = if node.latest { styled("latest", theme::latest()) } else { styled("superseded", theme::superseded()) };
    doc.push(
        0,
        2,
        vec![status_spans(st), s(" "), styled(clean(node.kind.name()), theme::heading()), s("  "), mark],
        None,
    );
    doc.labelled("id", vec![styled(node.id.to_string(), theme::id())]);
    if let Some(state) = state_text(ev, n) {
        doc.labelled("state", vec![s(clean(&state))]);
    }
    if let Some(t) = &node.created_at {
        doc.labelled("created", vec![s(t.to_string())]);
    }
    if let Some(r) = &node.release_ref {
        doc.labelled("release", vec![s(r.to_string())]);
    }
    doc.labelled("source", vec![s(clean(&node.location(ev)))]);
    if let Ok(art) = ev.artifact(n) {
        doc.labelled("digest", vec![styled(format!("sha256:{}", short_hash(&art.digest)), theme::dim())]);
    }
}

fn node_doc(doc: &mut Doc, ev: &Evidence, report: &Report, tree: &Tree, n: usize) {
    node_header(doc, ev, tree, n);
    doc.blank();
    findings_section(doc, &findings_about(report, &[n]), "no criterion looked at this artifact");
    doc.blank();
    let art = match ev.artifact(n) {
        Ok(a) => a,
        Err(e) => {
            doc.heading("Fields");
            doc.push(2, 2, vec![styled(format!("cannot decode: {}", clean(&e.to_string())), theme::dangling())], None);
            return;
        }
    };
    if !art.hashes.is_empty() {
        let verified = art.hashes.iter().filter(|h| h.status == HashStatus::Verified).count();
        doc.heading(format!("Hashes ({verified} of {} verified)", art.hashes.len()));
        for h in &art.hashes {
            let (glyph, style) = match h.status {
                HashStatus::Verified => ("✓", theme::status(Some(Status::Pass))),
                HashStatus::Mismatch => ("✗", theme::status(Some(Status::Fail))),
                HashStatus::NotVerifiable => ("?", theme::status(None)),
                HashStatus::Missing => ("!", theme::status(Some(Status::Warn))),
            };
            doc.push(
                2,
                4,
                vec![styled(glyph, style), s(" "), styled(h.status.label(), style), s("  "), s(clean(&h.file))],
                None,
            );
            let short = |x: &Option<String>| x.as_deref().map_or("—".to_string(), |v| clean(&short_hash(v)));
            let full = h.actual.as_deref().or(h.expected.as_deref()).map(clean).unwrap_or_default();
            doc.push_at(
                4,
                2,
                vec![
                    styled("expected ", theme::dim()),
                    s(short(&h.expected)),
                    styled("  actual ", theme::dim()),
                    s(short(&h.actual)),
                ],
                None,
                Target::Hash(full),
            );
            if !h.note.is_empty() {
                doc.push(4, 2, vec![styled(clean(&h.note), theme::dim())], None);
            }
        }
        doc.blank();
    }
    let refs: Vec<(String, String, Vec<usize>)> = match tree.refs_of(n) {
        Some(r) => r.iter().map(|e| (e.field.clone(), e.target.clone(), e.targets.clone())).collect(),
        None => ev.references(n).unwrap_or_default().into_iter().map(|(r, t)| (r.field, r.target, t)).collect(),
    };
    doc.heading(format!("References ({})", refs.len()));
    if refs.is_empty() {
        doc.push(2, 2, vec![styled("none", theme::dim())], None);
    }
    let index = crate::health::references::Index::new(ev);
    for (field, target, targets) in &refs {
        let mut spans = vec![
            styled("→ ", theme::reference()),
            styled(clean(&pointer_path(field)), theme::key()),
            s("  "),
            s(clean(target)),
            s("  "),
        ];
        spans.push(match targets.first() {
            Some(_) => target_kind(ev, targets),
            None => missing_kind(ev, &index, target),
        });
        let t = match targets.first() {
            Some(&n) => Target::Node(n),
            None => Target::Dangling(clean(target)),
        };
        doc.push_at(2, 4, spans, None, t);
    }
    doc.blank();
    doc.heading("Fields");
    let mut legend = vec![styled("tags:", theme::dim())];
    for (i, b) in
        [Boundary::PublicMetadata, Boundary::ExternalReference, Boundary::BoundaryAssertion].into_iter().enumerate()
    {
        legend.push(styled(if i == 0 { " " } else { " · " }, theme::dim()));
        legend.push(styled(b.short(), theme::tag(b)));
        legend.push(styled(format!(" {}", b.label()), theme::dim()));
    }
    doc.push(2, 6, legend, None);
    match &art.fields {
        EValue::Object(entries) => {
            for (k, v) in entries {
                field(doc, 2, Some(k), v, Boundary::of_key(k), &child_pointer("", &k.to_string()));
            }
        }
        other => field(doc, 2, None, other, Boundary::PublicMetadata, ""),
    }
}

/// For a target the evidence does not hold: "⚠ dangling", or "not included" (dim) where the evidence never
/// ships it (a trial package's upstream evidence; see [`crate::health::references::missing_state`]).
fn missing_kind(ev: &Evidence, index: &crate::health::references::Index, target: &str) -> Span<'static> {
    match crate::health::references::missing_state(ev, index, target) {
        crate::health::RefState::Dangling => styled("⚠ dangling", theme::dangling()),
        _ => styled("not included", theme::dim()),
    }
}

/// "readiness bundle" or "⚠ dangling" for a reference's resolution.
pub fn target_kind(ev: &Evidence, targets: &[usize]) -> Span<'static> {
    match targets.first() {
        Some(&t) => styled(clean(ev.nodes[t].kind.name()), theme::dim()),
        None => styled("⚠ dangling", theme::dangling()),
    }
}

fn short_hash(h: &str) -> String {
    if h.chars().count() > 16 { format!("{}…", h.chars().take(16).collect::<String>()) } else { h.to_string() }
}

/// The stronger of two boundary classes (assertion > external > public).
fn stronger(a: Boundary, b: Boundary) -> Boundary {
    let rank = |x: Boundary| match x {
        Boundary::PublicMetadata => 0,
        Boundary::ExternalReference => 1,
        Boundary::BoundaryAssertion => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn scalar_span(v: &EValue) -> Span<'static> {
    match v {
        EValue::Redacted(r) => styled(r.to_string(), theme::redacted()),
        EValue::Null => styled("null", theme::dim()),
        EValue::String(x) if x.is_empty() => styled("\"\"", theme::dim()),
        EValue::String(x) => styled(x.to_string(), theme::value()),
        other => styled(clean(&other.scalar_text()), theme::value()),
    }
}

/// `pointer` with one more token, escaped as JSON pointers escape `~` and `/`.
pub fn child_pointer(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// A value as a copy takes it: a scalar as shown (a redaction as its marker, a string unquoted), a container
/// as its JSON (shown text only).
pub fn copy_value(v: &EValue) -> String {
    match v {
        EValue::Object(_) | EValue::Array(_) => serde_json::to_string_pretty(v).unwrap_or_default(),
        other => clean(&other.scalar_text()),
    }
}

/// One field (and its children) as lines; `tag` is the field's class, inherited by list items; `pointer` is
/// the field's JSON pointer inside the artifact.
fn field(doc: &mut Doc, indent: u16, key: Option<&crate::text::Text>, v: &EValue, tag: Boundary, pointer: &str) {
    let target = || Target::Field { pointer: pointer.to_string(), value: copy_value(v) };
    let key_spans = |suffix: &str| -> Vec<Span<'static>> {
        match key {
            Some(k) => vec![styled(k.to_string(), theme::key()), styled(suffix.to_string(), theme::dim())],
            None => Vec::new(),
        }
    };
    match v {
        EValue::Object(entries) => {
            let mut spans = key_spans(":");
            if entries.is_empty() {
                spans.push(styled(" {}", theme::dim()));
            }
            if !spans.is_empty() {
                doc.push_at(indent, 2, spans, Some(tag), target());
            }
            let child_indent = if key.is_some() { indent + 2 } else { indent };
            for (k, child) in entries {
                let p = child_pointer(pointer, &k.to_string());
                field(doc, child_indent, Some(k), child, stronger(Boundary::of_key(k), tag), &p);
            }
        }
        EValue::Array(items) => {
            let mut spans = key_spans(":");
            spans.push(styled(
                if items.is_empty() { " []".to_string() } else { format!(" ({})", items.len()) },
                theme::dim(),
            ));
            doc.push_at(indent, 2, spans, Some(tag), target());
            for (i, item) in items.iter().enumerate() {
                let p = format!("{pointer}/{i}");
                match item {
                    EValue::Object(_) | EValue::Array(_) => {
                        let label = crate::text::Text::new(format!("[{i}]"));
                        field(doc, indent + 2, Some(&label), item, tag, &p);
                    }
                    scalar => doc.push_at(
                        indent + 2,
                        2,
                        vec![styled("- ", theme::dim()), scalar_span(scalar)],
                        Some(tag),
                        Target::Field { pointer: p, value: copy_value(scalar) },
                    ),
                }
            }
        }
        scalar => {
            let mut spans = key_spans(": ");
            let hang = if key.is_some() { 4 } else { 2 };
            spans.push(scalar_span(scalar));
            doc.push_at(indent, hang, spans, Some(tag), target());
        }
    }
}

fn group_doc(doc: &mut Doc, ev: &Evidence, report: &Report, tree: &Tree, g: usize) {
    let group = &tree.groups[g];
    doc.push(0, 2, vec![status_spans(group.worst), s(" "), styled(clean(group.kind.name()), theme::heading())], None);
    let count = group.nodes.len();
    doc.labelled("artifacts", vec![s(format!("{count} (newest first)"))]);
    if let Some(&latest) = group.nodes.iter().find(|&&n| ev.nodes[n].latest) {
        doc.labelled("latest", vec![styled(ev.nodes[latest].id.to_string(), theme::id())]);
    }
    let problems = group.nodes.iter().filter(|&&n| matches!(tree.status[n], Some(Status::Warn | Status::Fail))).count();
    let unchecked = group.nodes.iter().filter(|&&n| tree.status[n].is_none()).count();
    doc.labelled("checked", vec![s(format!("{} by a criterion, {problems} with a problem", count - unchecked))]);
    doc.blank();
    findings_section(doc, &findings_about(report, &group.nodes), "no criterion looked at this kind");
    doc.blank();
    doc.heading("Artifacts");
    for &n in group.nodes.iter().take(GROUP_LIST_MAX) {
        let node = &ev.nodes[n];
        let mut spans = vec![status_spans(tree.status[n]), s(" "), s(node.id.to_string())];
        if node.latest {
            spans.push(styled("  latest", theme::latest()));
        }
        doc.push(2, 4, spans, None);
    }
    if count > GROUP_LIST_MAX {
        doc.push(2, 2, vec![styled(format!("… and {} more", count - GROUP_LIST_MAX), theme::dim())], None);
    }
}

fn ref_doc(doc: &mut Doc, ev: &Evidence, report: &Report, tree: &Tree, node: usize, index: usize) {
    let Some(r) = tree.reference(node, index) else {
        return node_doc(doc, ev, report, tree, node);
    };
    doc.heading("→ Reference");
    doc.labelled(
        "from",
        vec![s(clean(ev.nodes[node].kind.name())), s(" "), styled(ev.nodes[node].id.to_string(), theme::id())],
    );
    doc.labelled("field", vec![styled(clean(&pointer_path(&r.field)), theme::key())]);
    doc.labelled("target", vec![s(clean(&r.target))]);
    match r.targets.first() {
        Some(&t) => {
            let mut v = vec![status_spans(tree.status[t]), s(" "), s(clean(ev.nodes[t].kind.name()))];
            if r.targets.len() > 1 {
                v.push(styled(format!(" (+{} more with this id)", r.targets.len() - 1), theme::dim()));
            }
            doc.labelled("resolves", v);
            doc.push(0, 0, vec![styled("Enter follows it; Bksp comes back.", theme::dim())], None);
            doc.blank();
            node_doc(doc, ev, report, tree, t);
        }
        None => {
            let index = crate::health::references::Index::new(ev);
            let target = r.target.as_str();
            doc.labelled("resolves", vec![missing_kind(ev, &index, target)]);
            doc.push(0, 0, vec![styled("No artifact in this evidence has this id.", theme::dim())], None);
        }
    }
}

/// Lay the document out for a pane `width` columns wide.
pub fn wrap(doc: &[DLine], width: u16) -> Vec<Line<'static>> {
    wrap_mapped(doc, width).0
}

/// [`wrap`], with the index of the document line each screen line comes from.
pub fn wrap_mapped(doc: &[DLine], width: u16) -> (Vec<Line<'static>>, Vec<u32>) {
    let width = width as usize;
    let mut out = Vec::with_capacity(doc.len());
    let mut from = Vec::with_capacity(doc.len());
    for (di, dl) in doc.iter().enumerate() {
        let tag_w = if dl.tag.is_some() { TAG_WIDTH } else { 0 };
        let indent = dl.indent as usize;
        let first_avail = width.saturating_sub(indent + tag_w).max(8);
        let cont_avail = first_avail.saturating_sub(dl.hang as usize).max(8);
        let chars: Vec<StyledChar> =
            dl.spans.iter().flat_map(|sp| sp.content.chars().map(move |c| (c, sp.style))).collect();
        let mut pieces: Vec<&[StyledChar]> = Vec::new();
        let mut rest: &[StyledChar] = &chars;
        loop {
            let avail = if pieces.is_empty() { first_avail } else { cont_avail };
            let (piece, next) = split_fit(rest, avail);
            pieces.push(piece);
            rest = next;
            if rest.is_empty() {
                break;
            }
        }
        for (i, piece) in pieces.iter().enumerate() {
            let pad = indent + if i == 0 { 0 } else { dl.hang as usize };
            let mut spans: Vec<Span<'static>> = vec![Span::raw(" ".repeat(pad))];
            let mut used = pad;
            let mut cur = String::new();
            let mut cur_style = Style::new();
            for &(c, st) in piece.iter() {
                if st != cur_style && !cur.is_empty() {
                    spans.push(Span::styled(std::mem::take(&mut cur), cur_style));
                }
                cur_style = st;
                cur.push(c);
                used += char_width(c);
            }
            if !cur.is_empty() {
                spans.push(Span::styled(cur, cur_style));
            }
            if i == 0
                && let Some(tag) = dl.tag
            {
                let fill = width.saturating_sub(used + TAG_WIDTH - 1);
                spans.push(Span::raw(" ".repeat(fill)));
                spans.push(Span::styled(tag.short(), theme::tag(tag)));
            }
            out.push(Line::from(spans));
            from.push(di as u32);
        }
    }
    (out, from)
}

type StyledChar = (char, Style);

/// The longest prefix of `chars` that fits `avail` columns, broken after a space when one is near; and the
/// rest (without the space it broke at).
fn split_fit(chars: &[StyledChar], avail: usize) -> (&[StyledChar], &[StyledChar]) {
    let mut used = 0;
    let mut end = 0;
    for (i, &(c, _)) in chars.iter().enumerate() {
        let w = char_width(c);
        if used + w > avail {
            break;
        }
        used += w;
        end = i + 1;
    }
    if end >= chars.len() {
        return (chars, &[]);
    }
    if end == 0 {
        // Not even one character fits: take one anyway, so wrapping always advances.
        return (&chars[..1], &chars[1..]);
    }
    // Prefer breaking at the last space in the second half of the line.
    if let Some(sp) = chars[..end].iter().rposition(|&(c, _)| c == ' ')
        && sp >= end / 2
    {
        return (&chars[..sp], &chars[sp + 1..]);
    }
    (&chars[..end], &chars[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_lines_within_width_and_tags_first_line() {
        let dl = DLine {
            indent: 2,
            hang: 4,
            spans: vec![Span::raw("key: "), Span::raw("word ".repeat(30))],
            tag: Some(Boundary::ExternalReference),
            target: None,
        };
        let lines = wrap(&[dl], 40);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(l.width() <= 40, "{l:?}");
        }
        assert!(lines[0].to_string().ends_with("ext"));
        assert!(lines[1].to_string().starts_with("      word"));
    }

    #[test]
    fn unbreakable_text_is_cut_hard() {
        let dl = DLine { indent: 0, hang: 2, spans: vec![Span::raw("x".repeat(100))], tag: None, target: None };
        let lines = wrap(&[dl], 30);
        assert_eq!(lines.len(), 4);
        assert!(lines.iter().all(|l| l.width() <= 30));
    }
}
