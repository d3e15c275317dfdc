//! The boundary view's content: what Community records in this evidence (counted by boundary class), what
//! only Enterprise or SaaS provides, and every redaction and boundary violation with the node it is in.

use crate::evidence::{Boundary, EValue, Evidence, RedactedBy};
use crate::health::{Report, Status};

use super::tree::STATE_SEARCH_LIMIT;

/// What only Enterprise or SaaS provides, with what Community records in its place.
pub const ENTERPRISE_ONLY: &[(&str, &str)] = &[
    ("license validation", "no license keys"),
    ("authenticated connector delivery", "redacted results only"),
    ("SSO / RBAC", "actor names only"),
    ("private archive mutation", "archive refs, no writes"),
    ("paid policy packs", "public criteria only"),
    ("organization dashboards", "one release at a time"),
    ("customer templates", "CAVRA's default formats"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A secret that was in the clear in the evidence (closeout redacted it): a violation.
    Exposed,
    /// Another boundary violation (private key stored, live connector used, unredacted delivery).
    Violation,
    /// A value CAVRA redacted before storing: as it should be.
    CavraRedacted,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    /// What it is, e.g. "bearer credential" or "private_key_stored: true". Clean text.
    pub label: String,
    /// Where (file and JSON pointer). Raw evidence text: sanitize before display.
    pub location: String,
    pub node: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct BoundaryModel {
    pub artifacts: usize,
    /// Artifacts whose fields were counted (all, or the latest of each kind in large evidence).
    pub counted: usize,
    pub public_fields: usize,
    pub external_fields: usize,
    pub assertion_fields: usize,
    pub controls: usize,
    pub controls_artifacts: usize,
    pub cavra_redacted: usize,
    pub exposed: usize,
    /// The community_boundary finding: status and reason.
    pub finding: Option<(Status, String)>,
    pub entries: Vec<Entry>,
}

impl EntryKind {
    /// The column that says what kind of entry it is.
    pub fn word(self) -> &'static str {
        match self {
            EntryKind::Exposed => "exposed",
            EntryKind::Violation => "violation",
            EntryKind::CavraRedacted => "redacted",
        }
    }
}

impl BoundaryModel {
    pub fn build(ev: &Evidence, report: &Report) -> BoundaryModel {
        let mut m = BoundaryModel { artifacts: ev.nodes.len(), ..BoundaryModel::default() };
        let all = ev.nodes.len() <= STATE_SEARCH_LIMIT;
        let counted: Vec<usize> = (0..ev.nodes.len()).filter(|&i| all || ev.nodes[i].latest).collect();
        m.counted = counted.len();
        for &i in &counted {
            let Ok(art) = ev.artifact(i) else { continue };
            if let Some(entries) = art.fields.as_object() {
                for (k, v) in entries {
                    count(&mut m, v, Boundary::of_key(k));
                }
            }
            if let Some(c) = art.get("controls").and_then(EValue::as_array).filter(|c| !c.is_empty()) {
                m.controls += c.len();
                m.controls_artifacts += 1;
            }
        }
        m.cavra_redacted = ev.redactions.iter().filter(|r| r.by == RedactedBy::Cavra).count();
        m.exposed = ev.redactions.len() - m.cavra_redacted;
        if let Some(f) = report.finding(crate::health::CriterionId::CommunityBoundary) {
            m.finding = Some((f.status, f.reason.clone()));
        }
        let redactions = |by: RedactedBy, kind: EntryKind| {
            ev.redactions.iter().filter(move |r| r.by == by).map(move |r| Entry {
                kind,
                label: r.kind.label().to_string(),
                location: r.location.clone(),
                node: r.node,
            })
        };
        m.entries.extend(redactions(RedactedBy::Closeout, EntryKind::Exposed));
        if let Some(f) =
            report.finding(crate::health::CriterionId::CommunityBoundary).filter(|f| f.status != Status::Pass)
        {
            let exposed_nodes: Vec<usize> = m.entries.iter().filter_map(|e| e.node).collect();
            for n in f.nodes().into_iter().filter(|n| !exposed_nodes.contains(n)) {
                let label = violation_label(ev, n).unwrap_or_else(|| "flagged by community_boundary".into());
                m.entries.push(Entry {
                    kind: EntryKind::Violation,
                    label,
                    location: ev.nodes[n].location(ev),
                    node: Some(n),
                });
            }
        }
        m.entries.extend(redactions(RedactedBy::Cavra, EntryKind::CavraRedacted));
        m
    }

    /// True when only the latest artifact of each kind was counted.
    pub fn partial(&self) -> bool {
        self.counted < self.artifacts
    }
}

fn count(m: &mut BoundaryModel, v: &EValue, class: Boundary) {
    match v {
        EValue::Object(entries) => {
            for (k, child) in entries {
                let own = Boundary::of_key(k);
                count(m, child, if own == Boundary::PublicMetadata { class } else { own });
            }
        }
        EValue::Array(items) => items.iter().for_each(|i| count(m, i, class)),
        _ => match class {
            Boundary::PublicMetadata => m.public_fields += 1,
            Boundary::ExternalReference => m.external_fields += 1,
            Boundary::BoundaryAssertion => m.assertion_fields += 1,
        },
    }
}

/// The boundary assertion a flagged node breaks, as `field: value`.
fn violation_label(ev: &Evidence, n: usize) -> Option<String> {
    let art = ev.artifact(n).ok()?;
    const BAD: &[(&str, bool)] = &[("private_key_stored", true), ("live_connector_used", true), ("redacted", false)];
    let mut found = None;
    find_bad(&art.fields, BAD, &mut found);
    found
}

fn find_bad(v: &EValue, bad: &[(&str, bool)], found: &mut Option<String>) {
    match v {
        EValue::Object(entries) => {
            for (k, child) in entries {
                if found.is_some() {
                    return;
                }
                if let Some(b) = child.as_bool()
                    && bad.iter().any(|&(name, bad_value)| k.matches(name) && bad_value == b)
                {
                    *found = Some(format!("{k}: {b}"));
                    return;
                }
                find_bad(child, bad, found);
            }
        }
        EValue::Array(items) => items.iter().for_each(|i| find_bad(i, bad, found)),
        _ => {}
    }
}
