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
#[repr(usize)]
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
        Index { families: ev.nodes.iter().map(|n| family(n.id.raw()).to_string()).collect() }
    }
}

/// The state of one reference.
pub fn state(ev: &Evidence, chain: &Chain, index: &Index, r: &Reference) -> (RefState, Vec<usize>) {
    (state_of(ev, chain, index, &r.target), ev.find(&r.target).to_vec())
}

fn state_of(ev: &Evidence, chain: &Chain, index: &Index, target: &str) -> RefState {
    let targets = ev.find(target);
    if !targets.is_empty() {
        let all_out = targets.iter().all(|&t| chain.scope.get(t) == Some(&Scope::OutOfScope));
        return if all_out { RefState::OutOfScope } else { RefState::Resolved };
    }
    if ev.is_trial() || !index.families.contains(family(target)) {
        return RefState::NotIncluded;
    }
    RefState::Dangling
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
    type Set<'a> = foldhash::HashSet<std::borrow::Cow<'a, str>>;
    let index = Index::new(ev);
    let all: Vec<usize> = (0..ev.nodes.len()).collect();
    // Pass 1, on every core: the distinct targets every node names.
    let parts = ev.spread_collect(&all, |nodes| {
        let mut seen = Set::default();
        for &n in nodes {
            ev.raw_ref_targets(n, |t| {
                seen.insert(t);
            });
        }
        seen
    });
    let mut targets = Set::default();
    for p in parts {
        if targets.is_empty() {
            targets = p;
        } else {
            targets.extend(p);
        }
    }
    // Each distinct target judged once.
    let mut counts = [0usize; 4];
    let mut dangling_targets: foldhash::HashSet<&str> = foldhash::HashSet::default();
    for t in &targets {
        let s = state_of(ev, chain, &index, t);
        counts[s as usize] += 1;
        if s == RefState::Dangling {
            dangling_targets.insert(t.as_ref());
        }
    }
    let mut out = References {
        checked_nodes: all.len(),
        resolved: counts[RefState::Resolved as usize],
        out_of_scope: counts[RefState::OutOfScope as usize],
        not_included: counts[RefState::NotIncluded as usize],
        dangling: Vec::new(),
    };
    // Pass 2, only when something dangles: the nodes whose bytes mention a dangling target (one automaton
    // over the inputs), decoded to name the field.
    if !dangling_targets.is_empty() {
        let mut pats: Vec<&str> = dangling_targets.iter().copied().collect();
        pats.sort_unstable();
        let ac = aho_corasick::AhoCorasick::new(&pats).expect("targets are plain strings");
        let mut spans: Vec<(usize, usize, usize, usize)> =
            ev.nodes.iter().enumerate().map(|(i, n)| (n.input, n.span.start, n.span.end, i)).collect();
        spans.sort_unstable();
        let mut hit_nodes: Vec<usize> = Vec::new();
        for (input, inp) in ev.inputs.iter().enumerate() {
            for m in ac.find_iter(&inp.bytes[..]) {
                let at = spans.partition_point(|s| (s.0, s.1) <= (input, m.start()));
                if let Some(&(i, start, end, node)) = at.checked_sub(1).map(|k| &spans[k])
                    && i == input
                    && start <= m.start()
                    && m.end() <= end
                    && hit_nodes.last() != Some(&node)
                {
                    hit_nodes.push(node);
                }
            }
        }
        hit_nodes.sort_unstable();
        hit_nodes.dedup();
        for n in hit_nodes {
            for (r, s, _) in of_node(ev, chain, &index, n)? {
                if s == RefState::Dangling {
                    out.dangling.push(Dangling {
                        from: ev.nodes[n].id.to_string(),
                        field: crate::sanitize::clean(&r.field).into_owned(),
                        target: Text::new(r.target.as_str()).to_string(),
                    });
                }
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
