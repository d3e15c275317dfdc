//! The evidence chain tree: one group per kind (chain order), its nodes newest first, and each opened node's
//! references as children.
//!
//! The visible rows are kept flattened in [`Tree::rows`] and rebuilt only when expansion or the filter
//! changes, never per frame; a frame renders just the window of rows on screen. The selection is held by
//! identity ([`Sel`]), so it survives rebuilds. Nothing here decodes an artifact except to open a node or to
//! search states in small evidence: opening a 42,000-node store decodes only what is on screen.

use std::collections::{HashMap, HashSet};

use crate::evidence::{EValue, Evidence, Kind};
use crate::health::{Report, Status};

/// Evidence with fewer nodes than this opens with every group expanded; larger evidence opens only the
/// groups of at most [`SMALL_GROUP`] nodes.
pub const EXPAND_GROUPS_BELOW: usize = 500;
pub const SMALL_GROUP: usize = 50;
/// "Expand all" also opens every node (decoding it) only up to this many nodes.
pub const EXPAND_NODES_LIMIT: usize = 5_000;
/// The filter searches state values (which needs every artifact decoded) only up to this many nodes.
pub const STATE_SEARCH_LIMIT: usize = 5_000;

/// All nodes of one kind.
#[derive(Debug)]
pub struct Group {
    pub kind: Kind,
    /// Node indexes, newest first.
    pub nodes: Vec<usize>,
    /// The worst status among its nodes (None: no criterion looked at any).
    pub worst: Option<Status>,
    name_lower: String,
}

/// What a row shows, by identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sel {
    Group(usize),
    Node(usize),
    /// The `index`-th reference of `node`.
    Ref {
        node: usize,
        index: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub sel: Sel,
    pub depth: u8,
}

/// One reference of an opened node, with the nodes it resolves to (empty: dangling). Raw evidence text:
/// sanitize before display.
#[derive(Debug, Clone)]
pub struct RefEntry {
    /// JSON pointer of the field in the artifact.
    pub field: String,
    pub target: String,
    pub targets: Vec<usize>,
    /// Resolves to nothing where the evidence should hold it ([`crate::health::RefState::Dangling`]); a
    /// target a trial package never ships is not included, not dangling.
    pub dangling: bool,
}

/// What opening a row did, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Done,
    NoReferences,
    Failed(String),
}

#[derive(Debug)]
pub struct Tree {
    pub groups: Vec<Group>,
    node_group: Vec<u32>,
    /// Node → its position in full tree order (groups in chain order, nodes newest first).
    order: Vec<u32>,
    /// Node → the worst status of the findings that looked at it.
    pub status: Vec<Option<Status>>,
    /// Nodes with a warn or fail, in tree order.
    problems: Vec<usize>,
    group_open: Vec<bool>,
    node_open: HashSet<usize>,
    refs: HashMap<usize, Vec<RefEntry>>,
    rows: Vec<Row>,
    selected: usize,
    /// First row on screen.
    pub offset: usize,
    /// Lowercased filter text; empty: no filter.
    filter: String,
    /// Node → matches the filter (only meaningful while a filter is set).
    hit: Vec<bool>,
    /// Lowercased "id\0state" per node, built on first filter.
    haystack: Option<Vec<String>>,
    /// Nodes matching the filter.
    pub match_count: usize,
    /// Keep only nodes with a problem.
    problems_only: bool,
    /// Hide older versions (not the latest of their kind, not a chain member).
    hide_superseded: bool,
    /// Node → an older version.
    superseded: Vec<bool>,
}

/// Node → the worst status of the findings that cite it.
fn statuses(n: usize, report: &Report) -> Vec<Option<Status>> {
    let mut status: Vec<Option<Status>> = vec![None; n];
    for f in &report.findings {
        for i in f.nodes() {
            if i < n {
                status[i] = status[i].max(Some(f.status));
            }
        }
    }
    status
}

/// Node → an older version: not CAVRA's latest of its kind and not a member of the evaluated chain.
fn superseded(ev: &Evidence, report: &Report) -> Vec<bool> {
    (0..ev.nodes.len())
        .map(|i| {
            !ev.nodes[i].latest
                && !matches!(
                    report.chain.scope.get(i),
                    Some(crate::model::Scope::Current | crate::model::Scope::OutOfScope)
                )
        })
        .collect()
}

impl Tree {
    pub fn new(ev: &Evidence, report: &Report) -> Tree {
        let n = ev.nodes.len();
        let status = statuses(n, report);
        let mut by_kind: HashMap<Kind, usize> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for (kind, count) in ev.kind_counts() {
            by_kind.insert(kind.clone(), groups.len());
            let name_lower = kind.name().to_lowercase();
            groups.push(Group { kind, nodes: Vec::with_capacity(count), worst: None, name_lower });
        }
        let mut node_group = vec![0u32; n];
        for (i, node) in ev.nodes.iter().enumerate() {
            let g = by_kind[&node.kind];
            node_group[i] = g as u32;
            groups[g].nodes.push(i);
        }
        for g in &mut groups {
            // Newest first; the latest (CAVRA's pick) leads among equal times.
            g.nodes.sort_by(|&a, &b| {
                let (na, nb) = (&ev.nodes[a], &ev.nodes[b]);
                nb.created.cmp(&na.created).then(nb.latest.cmp(&na.latest)).then(a.cmp(&b))
            });
            g.worst = g.nodes.iter().filter_map(|&i| status[i]).max();
        }
        let mut order = vec![0u32; n];
        let mut problems = Vec::new();
        let mut pos = 0u32;
        for g in &groups {
            for &i in &g.nodes {
                order[i] = pos;
                pos += 1;
                if matches!(status[i], Some(Status::Warn | Status::Fail)) {
                    problems.push(i);
                }
            }
        }
        let group_open =
            groups.iter().map(|g| n < EXPAND_GROUPS_BELOW || g.nodes.len() <= SMALL_GROUP).collect::<Vec<bool>>();
        let mut tree = Tree {
            groups,
            node_group,
            order,
            status,
            problems,
            group_open,
            node_open: HashSet::new(),
            refs: HashMap::new(),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            hit: Vec::new(),
            haystack: None,
            match_count: 0,
            problems_only: false,
            hide_superseded: false,
            superseded: superseded(ev, report),
        };
        tree.rebuild();
        // Start on the first node, so the detail pane has something to show.
        if let Some(i) = tree.rows.iter().position(|r| matches!(r.sel, Sel::Node(_))) {
            tree.selected = i;
        }
        tree
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn selected_row(&self) -> usize {
        self.selected
    }

    pub fn selection(&self) -> Option<Sel> {
        self.rows.get(self.selected).map(|r| r.sel)
    }

    /// The node a selection is about (a reference: the node holding it).
    pub fn node_of(sel: Sel) -> Option<usize> {
        match sel {
            Sel::Group(_) => None,
            Sel::Node(n) | Sel::Ref { node: n, .. } => Some(n),
        }
    }

    pub fn group_of(&self, node: usize) -> usize {
        self.node_group[node] as usize
    }

    pub fn is_group_open(&self, g: usize) -> bool {
        self.group_open[g]
    }

    pub fn is_node_open(&self, n: usize) -> bool {
        self.node_open.contains(&n)
    }

    /// References of a node that was opened (or probed) before.
    pub fn refs_of(&self, node: usize) -> Option<&[RefEntry]> {
        self.refs.get(&node).map(Vec::as_slice)
    }

    pub fn reference(&self, node: usize, index: usize) -> Option<&RefEntry> {
        self.refs.get(&node).and_then(|r| r.get(index))
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn problems(&self) -> &[usize] {
        &self.problems
    }

    /// Select a row by index (clamped).
    pub fn select_row(&mut self, row: usize) {
        self.selected = row.min(self.rows.len().saturating_sub(1));
    }

    /// Move the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        let target = (self.selected as isize + delta).max(0) as usize;
        self.select_row(target);
    }

    /// Select a row by identity; false when no row shows it.
    pub fn select(&mut self, sel: Sel) -> bool {
        match self.rows.iter().position(|r| r.sel == sel) {
            Some(i) => {
                self.selected = i;
                true
            }
            None => false,
        }
    }

    /// Keep the selected row inside a viewport of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.clamp_offset(height);
    }

    /// Scroll the viewport without moving the selection (mouse wheel).
    pub fn scroll_by(&mut self, delta: isize, height: usize) {
        self.offset = (self.offset as isize + delta).max(0) as usize;
        self.clamp_offset(height);
    }

    fn clamp_offset(&mut self, height: usize) {
        self.offset = self.offset.min(self.rows.len().saturating_sub(height.max(1)));
    }

    /// Open the selected row: a group shows its nodes, a node its references. On an open row, move to its
    /// first child.
    pub fn expand(&mut self, ev: &Evidence) -> Opened {
        match self.selection() {
            Some(Sel::Group(g)) => {
                if self.group_open[g] {
                    self.move_by(1);
                } else {
                    self.group_open[g] = true;
                    self.rebuild();
                }
                Opened::Done
            }
            Some(Sel::Node(n)) => {
                if self.node_open.contains(&n) {
                    self.move_by(1);
                    return Opened::Done;
                }
                match self.load_refs(ev, n) {
                    Ok(0) => Opened::NoReferences,
                    Ok(_) => {
                        self.node_open.insert(n);
                        self.rebuild();
                        Opened::Done
                    }
                    Err(e) => Opened::Failed(e),
                }
            }
            _ => Opened::Done,
        }
    }

    /// Close the selected row, or select its parent when it is closed.
    pub fn collapse(&mut self) {
        match self.selection() {
            Some(Sel::Group(g)) if self.group_open[g] => {
                self.group_open[g] = false;
                self.rebuild();
            }
            Some(Sel::Group(_)) => {}
            Some(Sel::Node(n)) => {
                if self.node_open.remove(&n) {
                    self.rebuild();
                } else {
                    self.select(Sel::Group(self.group_of(n)));
                }
            }
            Some(Sel::Ref { node, .. }) => {
                self.select(Sel::Node(node));
            }
            None => {}
        }
    }

    /// Toggle the selected group or node.
    pub fn toggle(&mut self, ev: &Evidence) -> Opened {
        let open = match self.selection() {
            Some(Sel::Group(g)) => self.group_open[g],
            Some(Sel::Node(n)) => self.node_open.contains(&n),
            _ => return Opened::Done,
        };
        if open {
            self.collapse();
            Opened::Done
        } else {
            self.expand(ev)
        }
    }

    /// Open every group, and every node when there are at most [`EXPAND_NODES_LIMIT`]. Returns whether the
    /// nodes were opened too.
    pub fn expand_all(&mut self, ev: &Evidence) -> bool {
        self.group_open.iter_mut().for_each(|o| *o = true);
        let nodes = ev.nodes.len() <= EXPAND_NODES_LIMIT;
        if nodes {
            for n in 0..ev.nodes.len() {
                if matches!(self.load_refs(ev, n), Ok(c) if c > 0) {
                    self.node_open.insert(n);
                }
            }
        }
        self.rebuild();
        nodes
    }

    pub fn collapse_all(&mut self) {
        let keep = self.selection();
        self.group_open.iter_mut().for_each(|o| *o = false);
        self.node_open.clear();
        self.rebuild();
        if let Some(sel) = keep {
            let g = match sel {
                Sel::Group(g) => g,
                Sel::Node(n) | Sel::Ref { node: n, .. } => self.group_of(n),
            };
            self.select(Sel::Group(g));
        }
    }

    /// Make a node visible (open its group) and select it. False when the filter hides it.
    pub fn reveal(&mut self, node: usize) -> bool {
        let g = self.group_of(node);
        if !self.group_open[g] {
            self.group_open[g] = true;
            self.rebuild();
        }
        self.select(Sel::Node(node))
    }

    /// Decode a node's references into the cache; returns how many it has.
    fn load_refs(&mut self, ev: &Evidence, node: usize) -> Result<usize, String> {
        if let Some(r) = self.refs.get(&node) {
            return Ok(r.len());
        }
        let refs = ev.references(node).map_err(|e| e.to_string())?;
        let index = crate::health::references::Index::new(ev);
        let entries: Vec<RefEntry> = refs
            .into_iter()
            .map(|(r, targets)| {
                let dangling = targets.is_empty()
                    && crate::health::references::missing_state(ev, &index, &r.target)
                        == crate::health::RefState::Dangling;
                RefEntry { field: r.field, target: r.target, targets, dangling }
            })
            .collect();
        let len = entries.len();
        self.refs.insert(node, entries);
        Ok(len)
    }

    /// Set the filter (case-insensitive substring of id, kind name, or state). Groups with matches open.
    pub fn set_filter(&mut self, ev: &Evidence, text: &str) {
        self.filter = text.to_lowercase();
        if self.filter.is_empty() {
            self.match_count = 0;
            self.hit.clear();
            self.rebuild();
            return;
        }
        let haystack = self.haystack.get_or_insert_with(|| {
            let states = ev.nodes.len() <= STATE_SEARCH_LIMIT;
            (0..ev.nodes.len())
                .map(|i| {
                    let mut s = ev.nodes[i].id.to_string().to_lowercase();
                    if states && let Some(state) = state_text(ev, i) {
                        s.push('\0');
                        s.push_str(&state.to_lowercase());
                    }
                    s
                })
                .collect()
        });
        let needle = &self.filter;
        self.hit = haystack.iter().map(|h| h.contains(needle.as_str())).collect();
        for (g, group) in self.groups.iter().enumerate() {
            let kind_hit = group.name_lower.contains(needle.as_str());
            if kind_hit {
                for &i in &group.nodes {
                    self.hit[i] = true;
                }
            }
            if group.nodes.iter().any(|&i| self.hit[i]) {
                self.group_open[g] = true;
            }
        }
        self.match_count = self.hit.iter().filter(|h| **h).count();
        self.rebuild();
    }

    /// True when the state filter covers this evidence (small enough to decode every artifact).
    pub fn searches_states(ev: &Evidence) -> bool {
        ev.nodes.len() <= STATE_SEARCH_LIMIT
    }

    fn visible(&self, node: usize) -> bool {
        (self.filter.is_empty() || self.hit.get(node).copied().unwrap_or(false))
            && (!self.problems_only || matches!(self.status[node], Some(Status::Warn | Status::Fail)))
            && (!self.hide_superseded || !self.superseded[node])
    }

    /// Whether any filter (text or toggle) hides nodes.
    pub fn filtering(&self) -> bool {
        !self.filter.is_empty() || self.problems_only || self.hide_superseded
    }

    pub fn problems_only(&self) -> bool {
        self.problems_only
    }

    pub fn hide_superseded(&self) -> bool {
        self.hide_superseded
    }

    /// Nodes the filters let through.
    pub fn visible_count(&self) -> usize {
        (0..self.status.len()).filter(|&n| self.visible(n)).count()
    }

    /// Turn the toggles on or off, keeping the selection by identity.
    pub fn set_toggles(&mut self, problems_only: bool, hide_superseded: bool) {
        self.problems_only = problems_only;
        self.hide_superseded = hide_superseded;
        if problems_only || hide_superseded {
            let open: Vec<usize> =
                (0..self.groups.len()).filter(|&g| self.groups[g].nodes.iter().any(|&n| self.visible(n))).collect();
            for g in open {
                self.group_open[g] = true;
            }
        }
        self.rebuild();
    }

    /// Adopt a new report for the same evidence (a re-run, another release): statuses, problems and the older
    /// versions change; expansion, references, the filter and the selection stay as they were.
    pub fn set_report(&mut self, ev: &Evidence, report: &Report) {
        self.status = statuses(ev.nodes.len(), report);
        self.superseded = superseded(ev, report);
        for g in &mut self.groups {
            g.worst = g.nodes.iter().filter_map(|&i| self.status[i]).max();
        }
        let mut problems: Vec<usize> =
            (0..ev.nodes.len()).filter(|&i| matches!(self.status[i], Some(Status::Warn | Status::Fail))).collect();
        problems.sort_by_key(|&i| self.order[i]);
        self.problems = problems;
        self.rebuild();
    }

    /// A node's position in full tree order.
    pub fn order_of(&self, node: usize) -> u32 {
        self.order[node]
    }

    /// Rebuild the visible rows, keeping the selection by identity.
    fn rebuild(&mut self) {
        let keep = self.selection();
        let old = self.selected;
        let mut rows = std::mem::take(&mut self.rows);
        rows.clear();
        let filtering = self.filtering();
        for (g, group) in self.groups.iter().enumerate() {
            if filtering && !group.nodes.iter().any(|&i| self.visible(i)) {
                continue;
            }
            rows.push(Row { sel: Sel::Group(g), depth: 0 });
            if !self.group_open[g] {
                continue;
            }
            for &n in &group.nodes {
                if filtering && !self.visible(n) {
                    continue;
                }
                rows.push(Row { sel: Sel::Node(n), depth: 1 });
                if self.node_open.contains(&n)
                    && let Some(refs) = self.refs.get(&n)
                {
                    for index in 0..refs.len() {
                        rows.push(Row { sel: Sel::Ref { node: n, index }, depth: 2 });
                    }
                }
            }
        }
        self.rows = rows;
        let restored = match keep {
            Some(sel) => {
                self.select(sel)
                    || match sel {
                        Sel::Ref { node, .. } => {
                            self.select(Sel::Node(node)) || self.select(Sel::Group(self.group_of(node)))
                        }
                        Sel::Node(n) => self.select(Sel::Group(self.group_of(n))),
                        Sel::Group(_) => false,
                    }
            }
            None => false,
        };
        if !restored {
            self.selected = old.min(self.rows.len().saturating_sub(1));
        }
    }

    /// A sort key for "where the cursor is" in full tree order.
    fn cursor_key(&self) -> u64 {
        match self.selection() {
            Some(Sel::Group(g)) => self.groups[g].nodes.first().map_or(0, |&n| self.order[n] as u64 * 2),
            Some(Sel::Node(n) | Sel::Ref { node: n, .. }) => self.order[n] as u64 * 2 + 1,
            None => 0,
        }
    }

    /// The next (or previous) node with a problem after the cursor, wrapping; among filter matches while
    /// a filter is set.
    pub fn find_problem(&self, forward: bool) -> Option<usize> {
        let cur = self.cursor_key();
        let key = |n: usize| self.order[n] as u64 * 2 + 1;
        let mut cands = self.problems.iter().copied().filter(|&n| self.visible(n));
        if forward {
            let all: Vec<usize> = cands.collect();
            all.iter().copied().find(|&n| key(n) > cur).or_else(|| all.first().copied())
        } else {
            let mut last_before = None;
            let mut last = None;
            for n in cands.by_ref() {
                if key(n) < cur {
                    last_before = Some(n);
                }
                last = Some(n);
            }
            last_before.or(last)
        }
    }

    /// Position (1-based) of a node among the problems, for "2 of 5".
    pub fn problem_rank(&self, node: usize) -> Option<usize> {
        self.problems.iter().position(|&n| n == node).map(|i| i + 1)
    }
}

/// A node's state as the tree shows it: its kind's state field (or a `state` / `*_state` field). Decodes
/// the artifact (cached by the evidence).
pub fn state_text(ev: &Evidence, idx: usize) -> Option<String> {
    let art = ev.artifact(idx).ok()?;
    let kind = &ev.nodes[idx].kind;
    let found = kind
        .state_field()
        .and_then(|f| art.get(f).map(|v| (f, v)))
        .or_else(|| art.get("state").map(|v| ("state", v)))
        .or_else(|| {
            art.fields
                .as_object()?
                .iter()
                .find(|(k, v)| k.ends_with("_state") && v.as_text().is_some())
                .map(|(_, v)| ("state", v))
        });
    let (key, v) = found?;
    match v {
        EValue::String(s) if s.is_empty() => None,
        EValue::String(s) => Some(s.to_string()),
        EValue::Null | EValue::Array(_) | EValue::Object(_) => None,
        EValue::Bool(b) if key == "success" => Some(if *b { "succeeded" } else { "failed" }.to_string()),
        EValue::Bool(b) if key == "dry_run" => Some(if *b { "dry run" } else { "live run" }.to_string()),
        other => Some(format!("{key}: {}", other.scalar_text())),
    }
}
