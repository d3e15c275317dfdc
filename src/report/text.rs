//! The text report: readable at 80 columns, colour only when asked (a terminal without NO_COLOR).

use super::tool_version;
use crate::evidence::{Evidence, RedactedBy};
use crate::health::{Report, Standing, Status, Verdict};
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// Whether to colour the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextStyle {
    Plain,
    Color,
}

const WIDTH: usize = 80;

fn paint(style: TextStyle, code: &str, s: &str) -> String {
    match style {
        TextStyle::Plain => s.to_string(),
        TextStyle::Color => format!("\x1b[{code}m{s}\x1b[0m"),
    }
}

fn status_color(s: Status) -> &'static str {
    match s {
        Status::Pass => "32",
        Status::Warn => "33",
        Status::Fail => "1;31",
    }
}

fn verdict_color(v: Verdict) -> &'static str {
    match v {
        Verdict::ReadyForRelease => "1;32",
        Verdict::ReadyWithAcceptedRisk => "1;33",
        Verdict::Blocked => "1;31",
    }
}

/// Word-wrap `text` to `width`, prefixing every line with `indent`.
pub(crate) fn wrap(text: &str, indent: &str, width: usize) -> Vec<String> {
    let room = width.saturating_sub(indent.chars().count()).max(20);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > room {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            let head: String = word.chars().take(room).collect();
            word = word.chars().skip(room).collect();
            lines.push(head);
        }
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines.into_iter().map(|l| format!("{indent}{l}")).collect()
}

/// [`wrap`] with a label on the first line and its width of blanks on the others.
pub(crate) fn wrap_labelled(text: &str, label: &str, width: usize) -> Vec<String> {
    let blank = " ".repeat(label.chars().count());
    let mut lines = wrap(text, &blank, width);
    if let Some(first) = lines.first_mut() {
        *first = format!("{label}{}", &first[blank.len()..]);
    }
    lines
}

/// The text report.
pub fn to_text(ev: &Evidence, r: &Report, style: TextStyle) -> String {
    let mut out: Vec<String> = Vec::new();
    out.push(format!("{} — CAVRA final closeout check", tool_version()));
    let mut what = vec![ev.model_label().to_string()];
    if let Some(e) = &ev.edition {
        what.push(format!("{e} edition"));
    }
    out.extend(wrap_labelled(&format!("{}  ({})", ev.label, what.join(", ")), "Evidence   ", WIDTH));
    out.extend(wrap_labelled(&ev.source.to_string(), "Source     ", WIDTH));
    if !ev.is_trial() || r.chain.release.is_some() {
        let summary =
            r.chain.summary.as_ref().map(|s| format!(" (newest closeout summary {})", s.id)).unwrap_or_default();
        let how = if r.chain.release_requested { ", chosen with --release" } else { "" };
        out.extend(wrap_labelled(&format!("{}{summary}{how}", r.release_label()), "Release    ", WIDTH));
        let others = r.other_releases();
        if !others.is_empty() {
            let names: Vec<String> = others.iter().take(8).map(|o| o.label()).collect();
            let more = if others.len() > 8 { format!(" and {} more", others.len() - 8) } else { String::new() };
            out.extend(wrap(
                &format!(
                    "also in the evidence, not evaluated: {}{more} (choose one with --release REF)",
                    names.join(", ")
                ),
                "           ",
                WIDTH,
            ));
        }
    }
    // The time, then why it was used.
    out.extend(wrap_labelled(&format!("{} ({})", fmt_instant(r.as_of), r.as_of_source.reason()), "As of      ", WIDTH));
    out.push(String::new());
    out.push(format!("VERDICT    {}", paint(style, verdict_color(r.verdict), r.verdict.as_str())));
    out.extend(wrap(&r.verdict_reason, "           ", WIDTH));
    if let Some(d) = &r.evidence_decision {
        let mark = if r.disagreement.is_some() { "  ≠ DISAGREES" } else { "  = agrees" };
        out.push(format!(
            "Evidence's own decision: {}{}",
            clean(d),
            paint(style, if r.disagreement.is_some() { "1;33" } else { "32" }, mark)
        ));
    }
    out.push(String::new());
    out.push("Criteria".to_string());
    for f in &r.findings {
        let badge = format!("{} {}", f.status.glyph(), f.status.as_str());
        out.push(format!(
            "  {}  {:<24} {}",
            paint(style, status_color(f.status), &format!("{badge:<6}")),
            f.id,
            f.title
        ));
        out.extend(wrap(&f.reason, "          ", WIDTH));
        if f.status != Status::Pass {
            out.extend(wrap(&format!("next: {}", f.next_step), "          ", WIDTH));
        }
    }
    out.push(String::new());
    if !r.acceptances.is_empty() {
        out.push("Acceptance".to_string());
        for (a, s) in &r.acceptances {
            let standing = match s {
                Standing::Valid { until } => format!("valid until {until}"),
                Standing::Expired { on } => format!("EXPIRED on {on}"),
                Standing::Incomplete { missing } => format!("incomplete (missing {})", missing.join(", ")),
                Standing::Void { reason } => format!("void: {reason}"),
            };
            out.extend(wrap(&format!("{}: {standing}", a.describe()), "  ", WIDTH));
            if let Some(reason) = &a.reason {
                out.extend(wrap(&format!("reason: {}", clean(reason)), "    ", WIDTH));
            }
        }
        out.push(String::new());
    }
    let h = r.hashes;
    out.push(format!(
        "Hashes     {} verified, {} mismatched, {} not verifiable, {} missing",
        h.verified, h.mismatched, h.not_verifiable, h.missing
    ));
    let exposed = ev.redactions.iter().filter(|x| x.by == RedactedBy::Closeout).count();
    out.extend(wrap_labelled(
        &format!(
            "{} exposed in the evidence (redacted by closeout), {} already redacted by CAVRA",
            exposed,
            ev.redactions.len() - exposed
        ),
        "Secrets    ",
        WIDTH,
    ));
    for x in ev.redactions.iter().filter(|x| x.by == RedactedBy::Closeout).take(10) {
        out.extend(wrap(&format!("{} at {}", x.kind.label(), clean(&x.location)), "  - ", WIDTH));
    }
    out.push(format!(
        "Artifacts  {} loaded, {} unknown kinds",
        ev.nodes.len(),
        ev.unknown_kinds.values().sum::<usize>()
    ));
    let refs = &r.references;
    out.extend(wrap_labelled(
        &format!(
            "{} resolved, {} out of scope (another release), {} not included in this evidence, {} dangling",
            refs.resolved,
            refs.out_of_scope,
            refs.not_included,
            refs.dangling.len()
        ),
        "References ",
        WIDTH,
    ));
    for d in refs.dangling.iter().take(10) {
        out.extend(wrap(&format!("{} {} -> {} (not in the evidence)", d.from, d.field, d.target), "  - ", WIDTH));
    }
    out.push(String::new());
    out.push("Inputs".to_string());
    for i in &ev.inputs {
        out.extend(wrap(&format!("{} ({}, {} bytes)", clean(&i.path), i.format.label(), i.size), "  ", WIDTH));
        out.push(format!("    sha256 {}", i.sha256()));
    }
    for (p, why) in &ev.skipped {
        out.extend(wrap(&format!("skipped {}: {}", clean(p), why), "  ", WIDTH));
    }
    let mut text: String = out.iter().map(|l| format!("{l}\n")).collect();
    if style == TextStyle::Plain {
        text = text.lines().map(|l| format!("{}\n", clean(l))).collect();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_lines_within_width() {
        let lines = wrap(&"word ".repeat(60), "    ", 80);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{lines:?}");
        let long = wrap(&"x".repeat(200), "  ", 80);
        assert!(long.iter().all(|l| l.chars().count() <= 80), "{long:?}");
    }
}
