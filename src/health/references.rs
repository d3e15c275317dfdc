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
pub struct Index<'a> {
    ev: &'a Evidence,
    /// Built the first time a target is not found (most evidence resolves every reference).
    families: std::sync::OnceLock<HashSet<&'a str>>,
}

impl<'a> Index<'a> {
    pub fn new(ev: &'a Evidence) -> Index<'a> {
        Index { ev, families: std::sync::OnceLock::new() }
    }

    fn holds_family(&self, f: &str) -> bool {
        self.families.get_or_init(|| self.ev.nodes.iter().map(|n| family(n.id.raw())).collect()).contains(f)
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
    missing_state(ev, index, target)
}

/// The state of a reference whose target the evidence does not hold: [`RefState::NotIncluded`] in a trial
/// package (its upstream evidence is never shipped) or when the evidence holds nothing of the target's id
/// family, else [`RefState::Dangling`]. The same rule [`check`] counts by, for views that show one target.
pub fn missing_state(ev: &Evidence, index: &Index, target: &str) -> RefState {
    if ev.is_trial() || !index.holds_family(family(target)) { RefState::NotIncluded } else { RefState::Dangling }
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

/// Check the references of every node: the targets every node's raw JSON names were read at load (see
/// [`crate::evidence::Evidence::collect_ref_targets`]); each distinct target is judged once here, and only a node with a dangling
/// target is decoded, to name the field. Counts are of distinct targets.
pub fn check(ev: &Evidence, chain: &Chain) -> Result<References, LoadError> {
    let index = Index::new(ev);
    // Each distinct target judged once, on every core.
    let parts = ev.spread_range(ev.ref_target_count(), |part| {
        let mut counts = [0usize; 4];
        let mut dangling = Vec::new();
        for i in part {
            // A target one node has needs only that node's scope (found at load); any other is judged by its
            // text.
            let s = match ev.ref_target_held(i) {
                crate::evidence::Held::One(n) if chain.scope.get(n) == Some(&Scope::OutOfScope) => RefState::OutOfScope,
                crate::evidence::Held::One(_) => RefState::Resolved,
                _ => state_of(ev, chain, &index, ev.ref_target(i)),
            };
            counts[s as usize] += 1;
            if s == RefState::Dangling {
                dangling.push(ev.ref_target(i));
            }
        }
        (counts, dangling)
    });
    let mut counts = [0usize; 4];
    let mut dangling_targets: foldhash::HashSet<&str> = foldhash::HashSet::default();
    for (c, d) in parts {
        for (total, n) in counts.iter_mut().zip(c) {
            *total += n;
        }
        dangling_targets.extend(d);
    }
    let dangling_nodes = ev.nodes_naming(&dangling_targets);
    let mut out = References {
        checked_nodes: ev.nodes.len(),
        resolved: counts[RefState::Resolved as usize],
        out_of_scope: counts[RefState::OutOfScope as usize],
        not_included: counts[RefState::NotIncluded as usize],
        dangling: Vec::new(),
    };
    // The nodes behind a dangling target, decoded to name the field.
    for n in dangling_nodes {
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
