//! Reference states (rule book §7): every id an artifact names is resolved, out of scope (another release's
//! artifact), not included (upstream or external evidence this input does not carry), or dangling (the
//! evidence carries that kind but not this id). Only dangling references are a warning sign.

use std::collections::HashSet;

use serde::Serialize;

use crate::evidence::{Evidence, LoadError, Reference};
use crate::model::{Chain, Scope};
use crate::text::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefState {
    Resolved,
    OutOfScope,
    NotIncluded,
    Dangling,
}

impl RefState {
    pub fn label(self) -> &'static str {
        match self {
            RefState::Resolved => "resolved",
            RefState::OutOfScope => "out of scope (another release)",
            RefState::NotIncluded => "not included in this evidence",
            RefState::Dangling => "dangling",
        }
    }
}

/// A reference to an id the evidence should hold and does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dangling {
    pub from: String,
    pub field: String,
    pub target: String,
}

/// The reference states of the nodes a report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct References {
    /// How many nodes were checked.
    pub checked_nodes: usize,
    pub resolved: usize,
    pub out_of_scope: usize,
    pub not_included: usize,
    pub dangling: Vec<Dangling>,
}

/// The family of an id: everything before its last `-` (CAVRA ids are `<prefix>-<hex>`); connector
/// deliveries (`rcd-<event>-<hex>`) are one family.
fn family(id: &str) -> &str {
    if id.starts_with("rcd-") {
        return "rcd";
    }
    id.rsplit_once('-').map_or(id, |(head, _)| head)
}

/// What the evidence holds, for judging targets it does not.
pub struct Index {
    families: HashSet<String>,
}

impl Index {
    pub fn new(ev: &Evidence) -> Index {
        Index { families: ev.nodes.iter().map(|n| family(&n.id).to_string()).collect() }
    }
}

/// The state of one reference.
pub fn state(ev: &Evidence, chain: &Chain, index: &Index, r: &Reference) -> (RefState, Vec<usize>) {
    let targets = ev.find(&r.target).to_vec();
    if !targets.is_empty() {
        let all_out = targets.iter().all(|&t| chain.scope.get(t) == Some(&Scope::OutOfScope));
        return (if all_out { RefState::OutOfScope } else { RefState::Resolved }, targets);
    }
    if ev.is_trial() || !index.families.contains(family(&r.target)) {
        return (RefState::NotIncluded, targets);
    }
    (RefState::Dangling, targets)
}

/// The references of one node with their states (for detail views).
pub fn of_node(
    ev: &Evidence,
    chain: &Chain,
    index: &Index,
    node: usize,
) -> Result<Vec<(Reference, RefState, Vec<usize>)>, LoadError> {
    let art = ev.artifact(node)?;
    Ok(art
        .refs
        .iter()
        .map(|r| {
            let (s, t) = state(ev, chain, index, r);
            (r.clone(), s, t)
        })
        .collect())
}

/// Check the references of every node: each node's raw JSON is scanned for reference targets (on every
/// core); only a node with a dangling target is decoded, to name the field. Counts are of distinct targets.
pub fn check(ev: &Evidence, chain: &Chain) -> Result<References, LoadError> {
    let index = Index::new(ev);
    let all: Vec<usize> = (0..ev.nodes.len()).collect();
    let parts = ev.spread_collect(&all, |nodes| {
        let mut seen: HashSet<(RefState, String)> = HashSet::new();
        let mut dangling_nodes: Vec<usize> = Vec::new();
        for &n in nodes {
            let mut has_dangling = false;
            ev.raw_ref_targets(n, |t| {
                let r = Reference { field: String::new(), target: t.to_string() };
                let (s, _) = state(ev, chain, &index, &r);
                has_dangling |= s == RefState::Dangling;
                seen.insert((s, r.target));
            });
            if has_dangling {
                dangling_nodes.push(n);
            }
        }
        (seen, dangling_nodes)
    });
    let mut seen: HashSet<(RefState, String)> = HashSet::new();
    let mut dangling_nodes = Vec::new();
    for (s, d) in parts {
        seen.extend(s);
        dangling_nodes.extend(d);
    }
    let count = |st: RefState| seen.iter().filter(|(s, _)| *s == st).count();
    let mut out = References {
        checked_nodes: all.len(),
        resolved: count(RefState::Resolved),
        out_of_scope: count(RefState::OutOfScope),
        not_included: count(RefState::NotIncluded),
        dangling: Vec::new(),
    };
    for n in dangling_nodes {
        for (r, s, _) in of_node(ev, chain, &index, n)? {
            if s == RefState::Dangling {
                out.dangling.push(Dangling {
                    from: Text::new(ev.nodes[n].id.as_str()).to_string(),
                    field: crate::sanitize::clean(&r.field).into_owned(),
                    target: Text::new(r.target.as_str()).to_string(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_group_ids_by_prefix() {
        assert_eq!(family("gordackfinalretention-86983fe255ceaac5"), "gordackfinalretention");
        assert_eq!(family("gordackfinalretentiondecision-ebe3142e67bcb399"), "gordackfinalretentiondecision");
        assert_eq!(family("rcd-gordackfinalcloseout-100b99d42b446aad-23af1cefec38"), "rcd");
        assert_eq!(family("plain"), "plain");
    }
}
