//! The markdown report, to paste into a pull request or a ticket.

use super::tool_version;
use crate::evidence::{Evidence, RedactedBy};
use crate::health::{Report, Standing};
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// Make text inert inside a markdown table cell or line, as GitHub renders it in a pull request: no control
/// or format characters; every ASCII punctuation mark CommonMark could read as syntax is backslash-escaped
/// (so no image, link, HTML, emphasis, heading, list or code span starts); and a word GitHub would turn into
/// something live after rendering (an `@mention`, a `#123` or `GH-1` reference, a bare `https://` or `www.`
/// link, an e-mail address) is put in a code span, where GitHub links nothing.
fn cell(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        if live_on_github(word) {
            // Inside a code span only a backtick (which would close it) and a pipe (a table cell) matter.
            out.push('`');
            out.push_str(&word.replace('`', "'").replace('|', "\\|"));
            out.push('`');
        } else {
            for c in word.chars() {
                if c.is_ascii_punctuation() {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        word.clear();
    };
    let mut rest: &str = &s;
    while !rest.is_empty() {
        // A redaction marker (`«REDACTED: GitHub token #1a2b3c4d»`) is kept whole, as one code span: its `#` is
        // no reference, and it reads as one unit.
        if rest.starts_with('«')
            && let Some((end, _)) = rest.char_indices().take_while(|&(i, _)| i < 200).find(|&(_, c)| c == '»')
        {
            flush(&mut word, &mut out);
            let marker = &rest[..end + '»'.len_utf8()];
            out.push('`');
            out.push_str(&marker.replace('`', "'").replace('|', "\\|"));
            out.push('`');
            rest = &rest[marker.len()..];
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        rest = &rest[c.len_utf8()..];
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(' ');
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Whether GitHub would make `word` live after markdown is rendered (it scans text, not syntax).
fn live_on_github(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    word.contains('@')
        || word.contains('#')
        || lower.contains("://")
        || lower.contains("www.")
        || lower.contains("gh-")
        || lower.contains("mailto:")
        || lower.contains("xmpp:")
}

pub fn to_markdown(ev: &Evidence, r: &Report) -> String {
    let mut o = String::new();
    let icon = match r.verdict {
        crate::health::Verdict::ReadyForRelease => "✅",
        crate::health::Verdict::ReadyWithAcceptedRisk => "⚠️",
        crate::health::Verdict::Blocked => "⛔",
    };
    o.push_str(&format!("## {icon} Closeout verdict: `{}`\n\n", r.verdict.as_str()));
    o.push_str(&format!("{}\n\n", cell(&r.verdict_reason)));
    o.push_str(&format!(
        "**Evidence:** {} ({}) · **Source:** {} · **As of:** {} ({})\n\n",
        cell(&ev.label.to_string()),
        ev.model_label(),
        cell(&ev.source.to_string()),
        fmt_instant(r.as_of),
        r.as_of_source.reason()
    ));
    if !ev.is_trial() {
        o.push_str(&format!("**Release:** {}", cell(&r.release_label())));
        let others = r.other_releases();
        if !others.is_empty() {
            let names: Vec<String> = others.iter().take(8).map(|x| cell(&x.label())).collect();
            o.push_str(&format!(
                " (also in the evidence, not evaluated: {}{})",
                names.join(", "),
                if others.len() > 8 { format!(" and {} more", others.len() - 8) } else { String::new() }
            ));
        }
        o.push_str("\n\n");
    }
    if let Some(d) = &r.evidence_decision {
        match &r.disagreement {
            Some(why) => o.push_str(&format!("> **Disagreement:** {}\n\n", cell(why))),
            None => o.push_str(&format!("The evidence's own decision (`{}`) agrees.\n\n", cell(d))),
        }
    }
    o.push_str("| | Criterion | Status | Reason |\n|---|---|---|---|\n");
    for f in &r.findings {
        o.push_str(&format!(
            "| {} | {} (`{}`) | **{}** | {} |\n",
            f.status.glyph(),
            f.title,
            f.id,
            f.status.as_str(),
            cell(&f.reason)
        ));
    }
    let todo: Vec<_> = r.findings.iter().filter(|f| f.status != crate::health::Status::Pass).collect();
    if !todo.is_empty() {
        o.push_str("\n### Next steps\n\n");
        for f in todo {
            o.push_str(&format!("- [ ] **{}**: {}\n", f.id, cell(&f.next_step)));
        }
    }
    if !r.acceptances.is_empty() {
        o.push_str("\n### Acceptance\n\n");
        for (a, s) in &r.acceptances {
            let st = match s {
                Standing::Valid { until } => format!("valid until {until}"),
                Standing::Expired { on } => format!("**expired** on {on}"),
                Standing::Incomplete { missing } => format!("incomplete: missing {}", missing.join(", ")),
                Standing::Void { reason } => format!("void: {}", cell(reason)),
            };
            o.push_str(&format!("- {}: {st}", cell(&a.describe())));
            if let Some(reason) = &a.reason {
                o.push_str(&format!(" — {}", cell(reason)));
            }
            o.push('\n');
            for l in super::signature_lines(a) {
                match l.strip_prefix("- ") {
                    Some(item) => o.push_str(&format!("    - {}\n", cell(item))),
                    None => o.push_str(&format!("  - {}\n", cell(&l))),
                }
            }
        }
    }
    let exposed = ev.redactions.iter().filter(|x| x.by == RedactedBy::Closeout).count();
    o.push_str(&format!(
        "\n**Hashes:** {} verified, {} mismatched, {} not verifiable, {} missing · **Secrets:** {} exposed, {} redacted by CAVRA · **Artifacts:** {} · **Dangling references:** {}\n",
        r.hashes.verified,
        r.hashes.mismatched,
        r.hashes.not_verifiable,
        r.hashes.missing,
        exposed,
        ev.redactions.len() - exposed,
        ev.nodes.len(),
        r.references.dangling.len()
    ));
    o.push_str("\n<details><summary>Inputs</summary>\n\n| File | Format | SHA-256 |\n|---|---|---|\n");
    for i in &ev.inputs {
        o.push_str(&format!("| {} | {} | `{}` |\n", cell(&i.path), i.format.label(), i.sha256()));
    }
    o.push_str(&format!("\n</details>\n\n**Policy:** {}\n", cell(&r.policy.describe())));
    o.push_str(&format!("\n<sub>{}</sub>\n", tool_version()));
    o
}

#[cfg(test)]
mod tests {
    use super::cell;

    /// Issue 11 §5: evidence text in the markdown report renders as plain text in a pull request.
    #[test]
    fn evidence_text_is_inert_markdown() {
        let shown = cell(
            "![x](https://evil.example/p.png) [click](javascript:alert) <img src=x> @octocat #12 GH-3 *b* a|b \u{1b}[2J",
        );
        // Outside code spans, every ASCII punctuation mark is escaped: nothing is read as syntax.
        for part in shown.split('`').step_by(2) {
            let mut escaped = false;
            for c in part.chars() {
                assert!(!c.is_ascii_punctuation() || escaped || c == '\\', "{c:?} unescaped in {shown}");
                escaped = c == '\\' && !escaped;
            }
        }
        assert!(shown.contains("\\[click\\]\\(javascript"), "{shown}");
        assert!(shown.contains("\\<img"), "{shown}");
        // Words GitHub links after rendering are code spans.
        for live in ["`![x](https://evil.example/p.png)`", "`@octocat`", "`#12`", "`GH-3`"] {
            assert!(shown.contains(live), "{live} in {shown}");
        }
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
        assert!(shown.contains("a\\|b"), "a pipe cannot end a table cell: {shown}");
        assert_eq!(cell("plain words"), "plain words");
        assert_eq!(cell("id «REDACTED: GitHub token #1a2b3c4d»."), "id `«REDACTED: GitHub token #1a2b3c4d»`\\.");
        assert_eq!(cell("`c`"), "\\`c\\`", "a backtick starts no code span");
    }
}
