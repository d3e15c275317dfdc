//! The markdown report, to paste into a pull request or a ticket.

use super::tool_version;
use crate::evidence::{Evidence, RedactedBy};
use crate::health::{Report, Standing};
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// Make text safe inside a markdown table cell or line: no control characters, no pipes, no HTML.
fn cell(s: &str) -> String {
    clean(s).replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;").replace('`', "'")
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
    o.push_str(&format!("\n</details>\n\n<sub>{}</sub>\n", tool_version()));
    o
}
