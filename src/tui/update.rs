//! [`update`]: the one function that changes the [`Model`], and the only place that routes. A message goes to
//! the mode that holds the keyboard (each modal state has its own update); what the panes do is here. Side
//! effects are returned as [`Effect`]s for the runtime, never run here: no I/O, no clock reads.

use std::sync::Arc;

use ratatui::layout::Position;

use super::action::{Action, Msg};
use super::runtime::{Effect, Loaded, Shared, Source, Work};
use super::state::boundary::BoundaryModel;
use super::state::detail::Target;
use super::state::health::{HealthAsk, HealthView};
use super::state::help::HelpState;
use super::state::input::TextInput;
use super::state::palette::{Jump, PaletteState};
use super::state::review::{ReviewAsk, ReviewWizard};
use super::state::search::{INLINE_INDEX_MAX, SearchIndex};
use super::state::tree::{Opened, Sel, Tree};
use super::state::walk::WalkState;
use super::state::{BoundaryState, Confirm, Mode, Model, OnYes, Pane, Right, WHEEL_STEP};
use super::ui::layout::inner;
use crate::evidence::Model as EvidenceModel;
use crate::health::Report;
use crate::health::run::HealthEvent;
use crate::review::{self, RecordInput};
use crate::sanitize::clean;
use crate::walkthrough::{self, FocusPane};

/// Apply one message; the effects it asks for.
pub fn update(m: &mut Model, msg: impl Into<Msg>) -> Vec<Effect> {
    let msg = msg.into();
    let mut fx = Vec::new();
    if !msg.is_passive() {
        m.status = None;
        if let Some(s) = m.live.sandbox.as_mut() {
            // A sandbox session that ended shows its goodbye; a key then leaves at once, once the goodbye has
            // been up for a moment (a key typed as the session ran out is not taken as "leave").
            if s.ended.is_some() {
                m.quit |= s.goodbye_seen(m.now);
                return fx;
            }
            s.input(m.now);
        }
    }
    let follow = !matches!(msg, Msg::Wheel { .. } | Msg::Tick(_));
    match msg {
        Msg::Tick(t) => {
            m.now = Some(t);
            if let Some(w) = m.walk.as_mut() {
                w.started_at.get_or_insert(t);
            }
            if let Some(s) = m.live.sandbox.as_mut() {
                if s.tick(t) {
                    m.mode = Mode::Normal;
                }
                if s.should_exit(t) {
                    m.quit = true;
                }
            }
        }
        Msg::Resize { width, height } => m.area = ratatui::layout::Rect::new(0, 0, width, height),
        Msg::Click { x, y } => click(m, x, y),
        Msg::Wheel { x, y, down } => wheel(m, x, y, if down { WHEEL_STEP } else { -WHEEL_STEP }),
        Msg::FocusNode(n) if n < m.evidence.nodes.len() => {
            m.mode = Mode::Normal;
            m.focus = Pane::Tree;
            jump(m, n, true);
        }
        Msg::FocusNode(_) => {}
        Msg::FocusPane(p) => {
            m.mode = Mode::Normal;
            focus(m, p);
        }
        Msg::OpenWalk(name) => open_walk(m, &name, &mut fx),
        Msg::Work(w) => work(m, w, &mut fx),
        msg @ (Msg::Action(_) | Msg::Input(_) | Msg::Paste(_)) => route(m, msg, &mut fx),
    }
    m.sync(follow);
    fx
}

/// Send a key's message to the mode that holds the keyboard; each arm says what the mode becomes.
fn route(m: &mut Model, msg: Msg, fx: &mut Vec<Effect>) {
    let action = match &msg {
        Msg::Action(a) => Some(*a),
        _ => None,
    };
    if action == Some(Action::QuitNow) {
        m.quit = true;
        return;
    }
    if action == Some(Action::Quit) {
        ask_before_quitting(m);
        return;
    }
    match std::mem::take(&mut m.mode) {
        Mode::Normal => {
            if let Some(a) = action {
                normal(m, a, fx);
            }
        }
        Mode::Search(input) => search_input(m, input, msg, fx),
        Mode::Filter(input) => filter_input(m, input, msg),
        Mode::Help(h) => help(m, h, msg, fx),
        Mode::Boundary(b) => boundary(m, b, action, fx),
        Mode::Log(scroll) => log(m, scroll, action, fx),
        Mode::Review(w) => review_msg(m, w, &msg, fx),
        Mode::Confirm(c) => confirm(m, *c, action, fx),
        Mode::Palette(p) => palette(m, p, msg, fx),
        Mode::Copy => match action {
            Some(
                a @ (Action::CopyId
                | Action::CopyPointer
                | Action::CopyJq
                | Action::CopySha
                | Action::CopyValue
                | Action::CopyReason
                | Action::CopyCommand),
            ) => copy(m, a, fx),
            _ => m.say("nothing copied"),
        },
        Mode::Releases(sel) => releases(m, sel, action, fx),
    }
}

// ------------------------------------------------------------------------------------------------ the panes

fn page(m: &Model) -> usize {
    match m.focus {
        Pane::Tree => m.tree_height(),
        Pane::Detail | Pane::Health => m.detail_height(),
    }
    .saturating_sub(1)
    .max(1)
}

fn focus(m: &mut Model, p: Pane) {
    m.focus = p;
    match p {
        Pane::Detail => m.right = Right::Detail,
        Pane::Health => m.right = Right::Health,
        Pane::Tree => {}
    }
}

/// An action while the panes have the keyboard.
fn normal(m: &mut Model, a: Action, fx: &mut Vec<Effect>) {
    let pg = page(m) as isize;
    if m.focus == Pane::Health
        && matches!(
            a,
            Action::Up
                | Action::Down
                | Action::Top
                | Action::Bottom
                | Action::PageUp
                | Action::PageDown
                | Action::HalfPageUp
                | Action::HalfPageDown
                | Action::Expand
                | Action::Collapse
                | Action::Activate
        )
    {
        match m.health.update(a, pg as usize) {
            HealthAsk::Jump(n) if n < m.evidence.nodes.len() => {
                m.right = Right::Detail;
                m.focus = Pane::Tree;
                jump(m, n, true);
            }
            _ => {}
        }
        return;
    }
    match (a, m.focus) {
        (Action::Up, Pane::Tree) => m.tree.move_by(-1),
        (Action::Down, Pane::Tree) => m.tree.move_by(1),
        (Action::PageUp, Pane::Tree) => m.tree.move_by(-pg),
        (Action::PageDown, Pane::Tree) => m.tree.move_by(pg),
        (Action::HalfPageUp, Pane::Tree) => m.tree.move_by(-(pg / 2).max(1)),
        (Action::HalfPageDown, Pane::Tree) => m.tree.move_by((pg / 2).max(1)),
        (Action::Top, Pane::Tree) => m.tree.select_row(0),
        (Action::Bottom, Pane::Tree) => m.tree.select_row(usize::MAX),
        (Action::Up, Pane::Detail) => m.detail.cursor = m.detail.cursor.saturating_sub(1),
        (Action::Down, Pane::Detail) => m.detail.cursor += 1,
        (Action::PageUp, Pane::Detail) => {
            m.detail.cursor = m.detail.cursor.saturating_sub(pg as usize);
            m.detail.scroll = m.detail.scroll.saturating_sub(pg as usize);
        }
        (Action::PageDown, Pane::Detail) => {
            m.detail.cursor += pg as usize;
            m.detail.scroll += pg as usize;
        }
        (Action::HalfPageUp, Pane::Detail) => {
            m.detail.cursor = m.detail.cursor.saturating_sub((pg as usize / 2).max(1))
        }
        (Action::HalfPageDown, Pane::Detail) => m.detail.cursor += (pg as usize / 2).max(1),
        (Action::Top, Pane::Detail) => {
            m.detail.cursor = 0;
            m.detail.scroll = 0;
        }
        (Action::Bottom, Pane::Detail) => {
            m.detail.cursor = usize::MAX;
            m.detail.scroll = usize::MAX;
        }
        (Action::Activate, Pane::Detail) => follow_detail(m),
        (Action::Expand, _) => {
            let r = m.tree.expand(&m.evidence);
            opened(m, r);
        }
        (Action::Collapse, _) => m.tree.collapse(),
        (Action::Activate, _) => activate(m),
        (Action::ExpandAll, _) => expand_all(m),
        (Action::CollapseAll, _) => m.tree.collapse_all(),
        (Action::NextProblem, _) => next_problem(m, true),
        (Action::PrevProblem, _) => next_problem(m, false),
        (Action::Back, _) => back(m, false),
        (Action::Forward, _) => back(m, true),
        (Action::FocusNext, p) => focus(m, p.step(true)),
        (Action::FocusPrev, p) => focus(m, p.step(false)),
        (Action::WidenDetail, _) => {
            m.wide = !m.wide;
            m.say(if m.wide { "detail widened (z again: back)" } else { "detail at its usual width" });
        }
        (Action::StartSearch, _) => {
            m.mode = Mode::Search(TextInput::new(&m.search.query.clone()));
            ensure_index(m, fx);
        }
        (Action::SearchNext, _) => search_step(m, true),
        (Action::SearchPrev, _) => search_step(m, false),
        (Action::StartFilter, _) => {
            m.focus = Pane::Tree;
            m.mode = Mode::Filter(TextInput::new(&m.filter_text.clone()));
        }
        (Action::ToggleProblemsOnly, _) => {
            let on = !m.tree.problems_only();
            m.tree.set_toggles(on, m.tree.hide_superseded());
            m.say(if on {
                "filter: only nodes with a problem (F: all again)"
            } else {
                "filter: every node, problem or not"
            });
        }
        (Action::ToggleHideSuperseded, _) => {
            let on = !m.tree.hide_superseded();
            m.tree.set_toggles(m.tree.problems_only(), on);
            m.say(if on {
                "filter: superseded versions hidden (V: show them)"
            } else {
                "filter: superseded versions shown"
            });
        }
        (Action::Cancel, _) => {
            if m.search.active() {
                m.search.clear();
                m.say("search cleared");
            } else if m.tree.filtering() {
                clear_filter(m);
                m.say("filter cleared");
            } else {
                m.say("nothing to close: q quits, ? shows every key");
            }
        }
        (Action::ToggleHelp, _) => open_help(m),
        (Action::ToggleBoundary, _) => open_boundary(m),
        (Action::ToggleLog, _) => m.mode = Mode::Log(m.log.len().saturating_sub(1)),
        (Action::OpenPalette, _) => {
            m.mode = Mode::Palette(PaletteState::open(&m.evidence, &m.report, &m.keymap, m.walk.is_some()));
        }
        (Action::CopyMenu, _) => m.mode = Mode::Copy,
        (
            a @ (Action::CopyId
            | Action::CopyPointer
            | Action::CopyJq
            | Action::CopySha
            | Action::CopyValue
            | Action::CopyReason
            | Action::CopyCommand),
            _,
        ) => copy(m, a, fx),
        (Action::PickRelease, _) => {
            let named = m.report.chain.releases.iter().filter(|r| r.name.is_some()).count();
            if named < 2 {
                m.say(format!("this evidence holds one release ({}): nothing to choose", m.report.release_label()));
            } else {
                let at = m.report.chain.releases.iter().position(|r| r.evaluated).unwrap_or(0);
                m.mode = Mode::Releases(at);
            }
        }
        (Action::ToggleHealth, _) => {
            if m.health_visible() {
                m.right = Right::Detail;
                if m.focus == Pane::Health {
                    m.focus = Pane::Tree;
                }
            } else {
                m.right = Right::Health;
                m.focus = Pane::Health;
            }
        }
        (Action::RunHealth, _) => {
            m.right = Right::Health;
            m.focus = Pane::Health;
            request_health(m, fx);
        }
        (Action::OpenReview, _) => match ReviewWizard::open(&m.evidence, &m.report, m.as_of().at) {
            Ok(w) => m.mode = Mode::Review(Box::new(w)),
            Err(e) => m.say(e),
        },
        (Action::ToggleWalk, _) => toggle_walk(m, fx),
        (Action::WalkNext | Action::WalkPrev, _) => {
            let moved = match m.walk.as_mut() {
                Some(w) if a == Action::WalkNext => w.advance(),
                Some(w) => w.back(),
                None => false,
            };
            if moved {
                apply_walk_focus(m, fx);
                persist_walk(m, fx);
            } else if m.walk.is_none() {
                m.say("no walkthrough open: w opens one");
            }
        }
        (Action::WalkTick | Action::WalkUntick, _) => {
            let Some(w) = m.walk.as_mut() else { return };
            let changed = if a == Action::WalkTick { w.toggle().is_some() } else { w.untick() };
            if !changed && w.checklist().1.is_empty() {
                m.say("this step has no checklist");
            }
            if changed {
                m.walks.unsaved = true;
                walk_follow_cursor(m);
                persist_walk(m, fx);
            }
        }
        (Action::WalkDown | Action::WalkUp, _) => {
            let Some(w) = m.walk.as_mut() else { return };
            if w.move_cursor(if a == Action::WalkDown { 1 } else { -1 }) {
                walk_follow_cursor(m);
                persist_walk(m, fx);
            }
        }
        (Action::WalkScrollDown | Action::WalkScrollUp, _) => {
            let body = m.walk_body(m.area.width).len();
            let rows = m.walk_rows();
            let Some(w) = m.walk.as_mut() else { return };
            let max = WalkState::max_scroll(body, rows);
            w.scroll = if a == Action::WalkScrollDown { (w.scroll + 1).min(max) } else { w.scroll.saturating_sub(1) };
        }
        (Action::WalkSave, _) => save_notes(m, fx, false),
        _ => {}
    }
}

fn expand_all(m: &mut Model) {
    if !m.tree.expand_all(&m.evidence) {
        let n = m.evidence.nodes.len();
        m.say(format!("expanded every group; {n} artifacts are too many to open all at once: → opens one"));
    }
}

fn opened(m: &mut Model, r: Opened) {
    match r {
        Opened::Done => {}
        Opened::NoReferences => m.say("this artifact references no other artifact"),
        Opened::Failed(e) => m.say(format!("cannot decode this artifact: {}", clean(&e))),
    }
}

/// Enter on a tree row: follow a reference, or open/close a group or node.
fn activate(m: &mut Model) {
    match m.tree.selection() {
        Some(Sel::Ref { node, index }) => {
            let Some(r) = m.tree.reference(node, index) else { return };
            match r.targets.first() {
                Some(&t) => jump(m, t, true),
                None if r.dangling => {
                    let msg = format!("dangling reference: no artifact in this evidence has id {}", clean(&r.target));
                    m.say(msg)
                }
                None => {
                    let msg = format!(
                        "not included in this evidence: {} was not shipped with it (a trial package carries no \
                         upstream evidence)",
                        clean(&r.target)
                    );
                    m.say(msg)
                }
            }
        }
        Some(_) => {
            let r = m.tree.toggle(&m.evidence);
            opened(m, r);
        }
        None => {}
    }
}

/// Enter on a detail line: follow the reference it shows.
fn follow_detail(m: &mut Model) {
    match m.detail.target().cloned() {
        Some(Target::Node(n)) => {
            jump(m, n, true);
            m.focus = Pane::Tree;
        }
        Some(Target::Dangling(id)) => m.say(format!("dangling reference: no artifact in this evidence has id {id}")),
        _ => m.say("no reference on this line: move to a → line under References"),
    }
}

fn clear_filter(m: &mut Model) {
    m.filter_text.clear();
    m.tree.set_filter(&m.evidence, "");
    m.tree.set_toggles(false, false);
}

/// Select a node, revealing it (clearing a filter that hides it); `record` remembers where we were.
pub(crate) fn jump(m: &mut Model, node: usize, record: bool) {
    let from = m.tree.selection();
    if !m.tree.reveal(node) {
        clear_filter(m);
        m.tree.reveal(node);
        m.say("filter cleared to show the target");
    }
    if record
        && let Some(f) = from
        && Some(f) != m.tree.selection()
    {
        m.history.record(f);
    }
}

/// Back (or forward) along the jump history.
fn back(m: &mut Model, forward: bool) {
    let here = m.tree.selection();
    let to = if forward { m.history.forward(here) } else { m.history.back(here) };
    let Some(sel) = to else {
        m.say(if forward { "no jump to go forward to" } else { "no jump to go back to" });
        return;
    };
    if m.tree.select(sel) {
        return;
    }
    match Tree::node_of(sel) {
        Some(n) => {
            if !m.tree.reveal(n) {
                clear_filter(m);
                m.tree.reveal(n);
            }
            m.tree.select(sel);
        }
        None => {
            if !m.tree.select(sel) {
                clear_filter(m);
                m.tree.select(sel);
            }
        }
    }
}

fn next_problem(m: &mut Model, forward: bool) {
    match m.tree.find_problem(forward) {
        Some(n) => {
            jump(m, n, true);
            let total = m.tree.problems().len();
            let rank = m.tree.problem_rank(n).unwrap_or(0);
            let node = &m.evidence.nodes[n];
            let msg = format!("problem {rank} of {total}: {} {}", node.kind.name(), node.id);
            m.say(msg);
        }
        None => m.say(if m.tree.filtering() {
            "no node the filter shows has a problem"
        } else {
            "no node has a problem: every finding that looked at a node passes"
        }),
    }
}

// ------------------------------------------------------------------------------------------------ search

/// Make sure a search index for this evidence exists or is on its way.
fn ensure_index(m: &mut Model, fx: &mut Vec<Effect>) {
    m.search.forget_other(m.evidence.generation);
    if m.search.index.is_some() || m.search.waiting {
        return;
    }
    if m.evidence.nodes.len() <= INLINE_INDEX_MAX {
        m.search.index = Some(Arc::new(SearchIndex::build(&m.evidence)));
    } else {
        m.search.waiting = true;
        fx.push(Effect::BuildIndex { evidence: Arc::clone(&m.evidence) });
    }
}

/// Recompute the matches of the query.
fn run_search(m: &mut Model) {
    m.search.matches.clear();
    m.search.at = None;
    if m.search.query.is_empty() {
        return;
    }
    let Some(idx) = m.search.index.clone() else { return };
    let mut nodes = idx.find(&m.search.query);
    nodes.sort_by_key(|&n| m.tree.order_of(n));
    m.search.matches = nodes;
}

/// What a key did in a one-line prompt (search or filter): the edits and the tree moves are the same for both.
enum Prompt {
    Accept,
    Cancel,
    /// Anything else; `true` when the text changed.
    Edited(bool),
}

fn prompt_key(m: &mut Model, input: &mut TextInput, msg: Msg) -> Prompt {
    let before = input.text().to_string();
    match msg {
        Msg::Input(c) => input.insert(c),
        Msg::Paste(s) => input.insert_str(&s),
        Msg::Action(Action::InputAccept) => return Prompt::Accept,
        Msg::Action(Action::Cancel) => return Prompt::Cancel,
        Msg::Action(Action::Up) => m.tree.move_by(-1),
        Msg::Action(Action::Down) => m.tree.move_by(1),
        Msg::Action(a) => {
            input.edit(a);
        }
        _ => {}
    }
    Prompt::Edited(input.text() != before)
}

fn search_input(m: &mut Model, mut input: TextInput, msg: Msg, fx: &mut Vec<Effect>) {
    match prompt_key(m, &mut input, msg) {
        Prompt::Accept => {
            m.search.query = input.text().to_string();
            run_search(m);
            if m.search.query.is_empty() {
                m.search.clear();
            } else if m.search.waiting {
                m.say("indexing every field for search… the matches come when it is done");
            } else if m.search.matches.is_empty() {
                let q = clean(&m.search.query).into_owned();
                m.say(format!("no field of any artifact contains \"{q}\""));
            } else {
                search_step(m, true);
            }
            return;
        }
        Prompt::Cancel => {
            m.search.clear();
            return;
        }
        Prompt::Edited(true) => {
            m.search.query = input.text().to_string();
            ensure_index(m, fx);
            run_search(m);
        }
        Prompt::Edited(false) => {}
    }
    m.mode = Mode::Search(input);
}

/// Move to the next (or previous) node that matches the search, after the cursor in tree order, wrapping.
fn search_step(m: &mut Model, forward: bool) {
    if !m.search.active() {
        m.say("no search: / searches every field of every artifact");
        return;
    }
    if m.search.matches.is_empty() {
        let q = clean(&m.search.query).into_owned();
        m.say(if m.search.waiting {
            "still indexing for search…".to_string()
        } else {
            format!("no match for \"{q}\"")
        });
        return;
    }
    let cur = m.tree.selection().and_then(Tree::node_of).map(|n| m.tree.order_of(n));
    let orders: Vec<u32> = m.search.matches.iter().map(|&n| m.tree.order_of(n)).collect();
    let i = match (cur, forward) {
        (Some(c), true) => orders.iter().position(|&o| o > c).unwrap_or(0),
        (Some(c), false) => orders.iter().rposition(|&o| o < c).unwrap_or(orders.len() - 1),
        (None, true) => 0,
        (None, false) => orders.len() - 1,
    };
    let n = m.search.matches[i];
    jump(m, n, true);
    m.search.at = Some(i);
    // Show the first line of the detail that holds the match.
    m.sync(true);
    let needle = m.search.needle();
    if let Some(l) = m.detail.lines.iter().position(|l| l.to_string().to_lowercase().contains(&needle)) {
        m.detail.cursor = l;
        m.detail.scroll = l.saturating_sub(2);
    }
    let node = &m.evidence.nodes[n];
    let msg = format!("match {} of {} (n/N): {} {}", i + 1, m.search.matches.len(), node.kind.name(), node.id);
    m.say(msg);
}

fn filter_input(m: &mut Model, mut input: TextInput, msg: Msg) {
    match prompt_key(m, &mut input, msg) {
        Prompt::Accept => {
            if !m.filter_text.is_empty() {
                let t = clean(&m.filter_text).into_owned();
                m.say(format!("filter \"{t}\" kept: {} matches (Esc clears)", m.tree.match_count));
            }
            return;
        }
        Prompt::Cancel => {
            m.filter_text.clear();
            m.tree.set_filter(&m.evidence, "");
            return;
        }
        Prompt::Edited(true) => {
            m.filter_text = input.text().to_string();
            m.tree.set_filter(&m.evidence, &m.filter_text);
        }
        Prompt::Edited(false) => {}
    }
    m.mode = Mode::Filter(input);
}

// ------------------------------------------------------------------------------------------------ overlays

fn open_help(m: &mut Model) {
    let contexts = m.contexts();
    m.mode = Mode::Help(HelpState::open(&m.keymap, &contexts));
}

fn help(m: &mut Model, mut h: HelpState, msg: Msg, fx: &mut Vec<Effect>) {
    let page = m.help_height().saturating_sub(1).max(1);
    if h.typing {
        match msg {
            Msg::Input(c) => h.query.insert(c),
            Msg::Paste(s) => h.query.insert_str(&s),
            Msg::Action(Action::InputAccept) => h.typing = false,
            Msg::Action(Action::Cancel) => {
                h.query.clear();
                h.typing = false;
            }
            Msg::Action(Action::Up) => h.scroll = h.scroll.saturating_sub(1),
            Msg::Action(Action::Down) => h.scroll += 1,
            Msg::Action(a) => {
                h.query.edit(a);
            }
            _ => {}
        }
        h.scroll = h.scroll.min(h.visible(&m.help_lines).len().saturating_sub(1));
        m.mode = Mode::Help(h);
        return;
    }
    let Msg::Action(a) = msg else {
        m.mode = Mode::Help(h);
        return;
    };
    let len = h.visible(&m.help_lines).len();
    match a {
        Action::Cancel | Action::ToggleHelp => return,
        Action::StartSearch => {
            h.typing = true;
            h.scroll = 0;
        }
        Action::Up => h.scroll = h.scroll.saturating_sub(1),
        Action::Down => h.scroll += 1,
        Action::PageUp => h.scroll = h.scroll.saturating_sub(page),
        Action::PageDown => h.scroll += page,
        Action::Top => h.scroll = 0,
        Action::Bottom => h.scroll = usize::MAX,
        other => {
            // A global key: help gives way to what it opens.
            normal(m, other, fx);
            return;
        }
    }
    h.scroll = h.scroll.min(len.saturating_sub(m.help_height()));
    m.mode = Mode::Help(h);
}

fn open_boundary(m: &mut Model) {
    let model = match &m.boundary {
        Some(b) => Arc::clone(b),
        None => {
            let b = Arc::new(BoundaryModel::build(&m.evidence, &m.report));
            m.boundary = Some(Arc::clone(&b));
            b
        }
    };
    m.mode = Mode::Boundary(BoundaryState { model, selected: 0, offset: 0 });
}

fn boundary(m: &mut Model, mut b: BoundaryState, action: Option<Action>, fx: &mut Vec<Effect>) {
    let len = b.model.entries.len();
    match action {
        Some(Action::Cancel | Action::ToggleBoundary) => return,
        Some(Action::Up) => b.selected = b.selected.saturating_sub(1),
        Some(Action::Down) => b.selected = (b.selected + 1).min(len.saturating_sub(1)),
        Some(Action::Top) => b.selected = 0,
        Some(Action::Bottom) => b.selected = len.saturating_sub(1),
        Some(Action::Activate) => match b.model.entries.get(b.selected).and_then(|e| e.node) {
            Some(n) => {
                m.focus = Pane::Tree;
                jump(m, n, true);
                return;
            }
            None => m.say("this entry is not inside an artifact"),
        },
        Some(other) => {
            normal(m, other, fx);
            return;
        }
        None => {}
    }
    m.mode = Mode::Boundary(b);
}

fn log(m: &mut Model, mut scroll: usize, action: Option<Action>, fx: &mut Vec<Effect>) {
    let page = m.help_height().saturating_sub(1).max(1);
    let last = m.log.len().saturating_sub(1);
    match action {
        Some(Action::Cancel | Action::ToggleLog) => return,
        Some(Action::Up) => scroll = scroll.saturating_sub(1),
        Some(Action::Down) => scroll = (scroll + 1).min(last),
        Some(Action::PageUp) => scroll = scroll.saturating_sub(page),
        Some(Action::PageDown) => scroll = (scroll + page).min(last),
        Some(Action::Top) => scroll = 0,
        Some(Action::Bottom) => scroll = last,
        Some(other) => {
            normal(m, other, fx);
            return;
        }
        None => {}
    }
    m.mode = Mode::Log(scroll);
}

fn confirm(m: &mut Model, c: Confirm, action: Option<Action>, fx: &mut Vec<Effect>) {
    match action {
        // Enter answers yes only to the save question (its summary says so); elsewhere it does nothing.
        Some(Action::ConfirmYes) | Some(Action::Activate) if c.on_yes == OnYes::SaveReview => match c.back {
            Mode::Review(mut w) => {
                if save_pending(m, &mut w, fx) {
                    m.mode = Mode::Review(w);
                }
                // A demo writes nothing: its record counts at once, through the path a written one takes.
                let kept = match &m.mode {
                    Mode::Review(w) if m.live.demo => w.saving.as_ref().map(|(p, _)| p.clone()),
                    _ => None,
                };
                if let Some(path) = kept {
                    review_saved(m, &Ok(path), fx);
                    // The sandbox also shows the record a save would have written, to copy.
                    if m.live.sandbox.is_some()
                        && let Some((_, record)) = m.live.demo_records.last()
                    {
                        let text = serde_json::to_string_pretty(record).unwrap_or_default();
                        show_to_copy(
                            m,
                            "review record",
                            text,
                            "Applied in memory; the sandbox writes nothing. This is the record a save would write: y \
                             copies it · n/Esc closes",
                        );
                    }
                }
            }
            other => m.mode = other,
        },
        Some(Action::ConfirmYes) => match c.on_yes {
            OnYes::SaveReview => {}
            OnYes::DiscardReview => m.say("review discarded: nothing was recorded"),
            OnYes::OverwriteNotes(path) => {
                m.mode = c.back;
                write_notes(m, fx, path);
            }
            OnYes::QuitUnsaved => m.quit = true,
            OnYes::Copy { what, text } => {
                m.mode = c.back;
                fx.push(Effect::Copy { what, text });
            }
        },
        // No to replacing notes keeps the file and writes the notes beside it under a new name.
        Some(Action::ConfirmNo) if matches!(c.on_yes, OnYes::OverwriteNotes(_)) => {
            m.mode = c.back;
            if let OnYes::OverwriteNotes(path) = c.on_yes {
                write_notes(m, fx, free_name(&path));
            }
        }
        Some(Action::ConfirmNo | Action::Cancel) => {
            if matches!(c.on_yes, OnYes::OverwriteNotes(_)) {
                m.say("follow-up notes not saved");
            }
            m.mode = c.back;
            if let Mode::Review(w) = &mut m.mode
                && w.pending.take().is_some()
            {
                m.say("not saved: back to the form, nothing changed");
            }
        }
        Some(Action::Up) => {
            let mut c = c;
            c.scroll = c.scroll.saturating_sub(1);
            m.mode = Mode::Confirm(Box::new(c));
        }
        Some(Action::Down) => {
            let mut c = c;
            c.scroll = (c.scroll + 1).min(c.summary.len().saturating_sub(1));
            m.mode = Mode::Confirm(Box::new(c));
        }
        _ => m.mode = Mode::Confirm(Box::new(c)),
    }
}

fn palette(m: &mut Model, mut p: PaletteState, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Input(c) => {
            p.input.insert(c);
            p.refilter();
        }
        Msg::Paste(s) => {
            p.input.insert_str(&s);
            p.refilter();
        }
        Msg::Action(Action::Cancel) => return,
        Msg::Action(Action::Up) => p.selected = p.selected.saturating_sub(1),
        Msg::Action(Action::Down) => p.selected = (p.selected + 1).min(p.shown.len().saturating_sub(1)),
        Msg::Action(Action::Activate) => {
            let Some(e) = p.chosen().cloned() else {
                m.mode = Mode::Palette(p);
                return;
            };
            match e.jump {
                Jump::Action(a) => normal(m, a, fx),
                Jump::Node(n) => {
                    m.focus = Pane::Tree;
                    jump(m, n, true);
                }
                Jump::Criterion(id) => {
                    m.health.open_criterion(id);
                    focus(m, Pane::Health);
                }
                Jump::Release(i) => choose_release(m, i, fx),
                Jump::Sample(name) => {
                    m.notice(format!("opening the embedded sample {name}…"));
                    fx.push(Effect::Load {
                        source: Source::Sample(name),
                        options: m.live.load.clone(),
                        reviews: Vec::new(),
                        as_of: None,
                        release: None,
                    });
                }
            }
            return;
        }
        Msg::Action(a) if p.input.edit(a) => p.refilter(),
        _ => {}
    }
    m.mode = Mode::Palette(p);
}

fn copy(m: &mut Model, a: Action, fx: &mut Vec<Effect>) {
    match super::state::copy::text_for(m, a) {
        Ok((what, text)) => fx.push(Effect::Copy { what, text }),
        Err(e) => m.say(format!("nothing copied: {e}")),
    }
}

fn releases(m: &mut Model, mut sel: usize, action: Option<Action>, fx: &mut Vec<Effect>) {
    let len = m.report.chain.releases.len();
    match action {
        Some(Action::Cancel) => return,
        Some(Action::Up) => sel = sel.saturating_sub(1),
        Some(Action::Down) => sel = (sel + 1).min(len.saturating_sub(1)),
        Some(Action::Activate) => {
            choose_release(m, sel, fx);
            return;
        }
        _ => {}
    }
    m.mode = Mode::Releases(sel);
}

/// Evaluate another release of the same evidence.
fn choose_release(m: &mut Model, i: usize, fx: &mut Vec<Effect>) {
    let Some(r) = m.report.chain.releases.get(i) else { return };
    let Some(name) = r.name.clone() else {
        m.say("artifacts without a release_record_ref are not a release to evaluate");
        return;
    };
    if r.evaluated {
        m.say(format!("release {name} is the one evaluated"));
        return;
    }
    m.live.release = Some(name.clone());
    m.say(format!("evaluating release {name}…"));
    focus(m, Pane::Health);
    request_health(m, fx);
}

// ------------------------------------------------------------------------------------------------ review

fn review_msg(m: &mut Model, mut w: Box<ReviewWizard>, msg: &Msg, fx: &mut Vec<Effect>) {
    // The walkthrough's keys reach it over the review (the keymap gives them only where the review binds
    // nothing of its own): a review step steps, ticks and scrolls like any other.
    if let Msg::Action(
        a @ (Action::WalkNext
        | Action::WalkPrev
        | Action::WalkTick
        | Action::WalkUntick
        | Action::WalkDown
        | Action::WalkUp
        | Action::WalkScrollDown
        | Action::WalkScrollUp
        | Action::WalkSave
        | Action::ToggleWalk),
    ) = msg
        && m.walk.is_some()
    {
        m.mode = Mode::Review(w);
        normal(m, *a, fx);
        return;
    }
    w.as_of = m.as_of().at;
    match w.update(msg) {
        ReviewAsk::Stay => m.mode = Mode::Review(w),
        ReviewAsk::Close => m.say("review closed: nothing was recorded"),
        ReviewAsk::ConfirmDiscard => {
            m.mode = Mode::Confirm(Box::new(Confirm {
                question: "Discard this review? y/n".into(),
                summary: Vec::new(),
                scroll: 0,
                on_yes: OnYes::DiscardReview,
                back: Mode::Review(w),
            }))
        }
        ReviewAsk::Submit => submit_review(m, w),
        ReviewAsk::Sign => {
            sign_saved(m, &mut w, fx);
            m.mode = Mode::Review(w);
        }
        ReviewAsk::DeclineSign => {
            let shown = w.sign.as_ref().map(|o| clean(&o.record.display().to_string()).into_owned());
            m.say(format!("review saved to {} (not signed)", shown.unwrap_or_default()));
        }
    }
}

/// Validate the form; when valid, build the record and show what it will accept, asking to confirm.
fn submit_review(m: &mut Model, mut w: Box<ReviewWizard>) {
    let as_of = m.as_of().at;
    let now = m.now.unwrap_or(as_of);
    w.as_of = as_of;
    w.attempted = true;
    w.save_error = None;
    let errors = w.errors();
    if let Some(first) = errors.first() {
        w.field = super::state::review::FIELDS.iter().position(|f| f.0 == first.field).unwrap_or(w.field);
        m.say(format!("{} problem(s) in the acceptance: see the marked fields", errors.len()));
        m.mode = Mode::Review(w);
        return;
    }
    let input = w.input();
    let reviewer = w.reviewer();
    let record = review::build_record(
        &m.evidence,
        &m.report,
        RecordInput {
            reviewer: &reviewer,
            reviewed_at: now,
            as_of,
            deliveries: w.outcomes(),
            acceptance: Some(&input),
            covers: review::warned(&m.report),
        },
    );
    match record {
        Ok(record) => {
            let path = review_path(m, now);
            let summary = super::ui::review::summary(m, &record, &path);
            w.pending = Some((path, Box::new(record)));
            let question = if m.live.demo {
                format!(
                    "{} writes nothing: y/Enter applies the acceptance in memory · n/Esc back to the form",
                    m.live.writes_nothing_as(true)
                )
            } else {
                "Save this acceptance? y/Enter save · n/Esc back to the form".into()
            };
            m.mode = Mode::Confirm(Box::new(Confirm {
                question,
                summary,
                scroll: 0,
                on_yes: OnYes::SaveReview,
                back: Mode::Review(w),
            }));
        }
        Err(e) => {
            w.save_error = Some(clean(&e.to_string()).into_owned());
            m.mode = Mode::Review(w);
        }
    }
}

/// Where a review saved at `at` goes: the same function for the form's preview and the save.
pub fn review_path(m: &Model, at: chrono::DateTime<chrono::Utc>) -> std::path::PathBuf {
    review::save_path(m.live.review_out.as_deref(), &m.evidence, at)
}

/// The confirm was answered yes: ask the runtime to write the pending record. A demo writes nothing: the
/// record is kept in memory ([`super::state::Live::demo_records`]) and the caller applies it as written.
/// False when the review closes.
fn save_pending(m: &mut Model, w: &mut ReviewWizard, fx: &mut Vec<Effect>) -> bool {
    let Some((path, record)) = w.pending.take() else { return true };
    if m.live.demo {
        m.live.demo_records.push((path.clone(), (*record).clone()));
        w.saving = Some((path, record));
        return true;
    }
    w.saving = Some((path.clone(), record.clone()));
    fx.push(Effect::SaveReview { generation: m.evidence.generation, path, record, evidence: Arc::clone(&m.evidence) });
    m.say("saving the review record…");
    true
}

/// The runtime wrote (or failed to write) the record. Written: its acceptance counts at once (a health run),
/// and the review offers to sign it.
fn review_saved(m: &mut Model, result: &Result<std::path::PathBuf, String>, fx: &mut Vec<Effect>) {
    let waiting = match &mut m.mode {
        Mode::Review(w) => w.saving.take().is_some(),
        _ => false,
    };
    if !waiting {
        // The review closed while its record was being written (a reload): the write still happened or
        // failed, and the person is told which. The record reviewed the evidence before the change, so it
        // is not applied to the new evidence unasked (`--review` or reopening the review does that).
        match result {
            Ok(path) => m.notice(format!(
                "review saved to {} but not applied: the evidence changed while it was written",
                clean(&path.display().to_string())
            )),
            Err(e) => m.notice(format!("review not saved: {} (its review had closed: the evidence changed)", clean(e))),
        }
        return;
    }
    let Mode::Review(w) = &mut m.mode else { return };
    match result {
        Ok(path) => {
            let shown = clean(&path.display().to_string()).into_owned();
            if m.live.demo {
                // Nothing to sign: nothing was written. The review closes on the re-run verdict.
                m.mode = Mode::Normal;
            } else {
                let key = m.live.signing_key.as_ref().map(|k| k.display().to_string()).unwrap_or_default();
                w.sign = Some(super::state::review::SignOffer {
                    record: path.clone(),
                    key: super::state::input::TextInput::new(&key),
                    agent: m.live.ssh_agent,
                    signing: false,
                    error: None,
                });
                m.live.reviews.push(path.clone());
            }
            let (acceptances, problems) = acceptances_in_force(m);
            m.live.acceptances = acceptances;
            for p in problems {
                m.notice(p);
            }
            request_health(m, fx);
            if m.live.demo {
                m.notice(format!(
                    "acceptance applied in memory: {} writes nothing (a real save would write {shown})",
                    m.live.writes_nothing_as(false)
                ));
            } else {
                m.say(format!("review saved to {shown}"));
            }
        }
        Err(e) => {
            let e = clean(e).into_owned();
            w.save_error = Some(e.clone());
            m.say(format!("review not saved: {e}"));
        }
    }
}

/// The acceptances of the review records in force: the files (`--review`, found, saved here) and the
/// records a demo kept in memory, each turned into an acceptance by the same rule.
fn acceptances_in_force(m: &Model) -> (Vec<crate::health::Acceptance>, Vec<String>) {
    let (mut out, mut problems) = super::runtime::acceptances(&m.live.reviews, &m.evidence);
    for (path, record) in &m.live.demo_records {
        match review::to_acceptance(record, &format!("{} (demo: not written)", path.display()), &m.evidence) {
            Ok(a) => out.extend(a),
            Err(e) => problems.push(format!("review record not used: {e}")),
        }
    }
    (out, problems)
}

/// Enter in the offer to sign: sign with the key typed (or the agent's one key), off the draw thread.
fn sign_saved(m: &mut Model, w: &mut ReviewWizard, fx: &mut Vec<Effect>) {
    let Some(offer) = w.sign.as_mut() else { return };
    let typed = offer.key.text().trim();
    if typed.is_empty() && !offer.agent {
        offer.error = Some("type the path of an SSH key (no ssh-agent: $SSH_AUTH_SOCK is not set)".into());
        return;
    }
    let key = (!typed.is_empty()).then(|| std::path::PathBuf::from(typed));
    offer.error = None;
    offer.signing = true;
    fx.push(Effect::SignReview {
        generation: m.evidence.generation,
        record: offer.record.clone(),
        agent: key.is_none(),
        key,
    });
    m.say("signing the review record…");
}

/// The runtime signed (or failed to sign) the saved record. Signed: the review closes; a failure is shown
/// in the offer and the record stays, unsigned.
fn review_signed(m: &mut Model, result: &Result<String, String>) {
    let Mode::Review(w) = &mut m.mode else { return };
    let Some(offer) = w.sign.as_mut() else { return };
    if !offer.signing {
        return;
    }
    offer.signing = false;
    let record = clean(&offer.record.display().to_string()).into_owned();
    match result {
        Ok(what) => {
            m.mode = Mode::Normal;
            m.say(format!("review saved to {record} and signed: {}", clean(what)));
        }
        Err(e) => {
            let e = clean(e).into_owned();
            offer.error = Some(e.clone());
            m.say(format!("not signed (the record stays, unsigned): {e}"));
        }
    }
}

// ------------------------------------------------------------------------------------------------ health and work

/// Start a live health run (the runtime executes it).
pub fn request_health(m: &mut Model, fx: &mut Vec<Effect>) {
    m.health.start(m.now);
    fx.push(Effect::RunHealth {
        evidence: Arc::clone(&m.evidence),
        acceptances: m.live.acceptances.clone(),
        as_of: m.as_of(),
        release: m.live.release.clone(),
    });
}

fn work(m: &mut Model, w: Work, fx: &mut Vec<Effect>) {
    match w {
        Work::Health { generation, event } => {
            if generation != m.evidence.generation {
                // A run on evidence that has since been replaced: its findings mean nothing here.
                return;
            }
            if let Some(report) = m.health.apply(&event.0) {
                adopt_report(m, report);
            }
            if let HealthEvent::Failed(_) = &*event.0 {
                m.say("the health run stopped: see the health pane");
            }
        }
        Work::Hashed { generation, bytes } => {
            if generation == m.evidence.generation {
                m.health.bytes = bytes;
            }
        }
        Work::EvidenceChanged => {
            // What the reload will say replaces an older one-shot message.
            m.status = None;
            if let Some(path) = m.live.source.clone() {
                fx.push(Effect::Load {
                    source: Source::Path(path),
                    options: m.live.load.clone(),
                    reviews: m.live.reviews.clone(),
                    as_of: Some(m.as_of()),
                    release: m.live.release.clone(),
                });
                m.notice("evidence changed on disk: reloading…");
            }
        }
        Work::Loaded(Shared(result)) => match &*result {
            Ok(l) => adopt_evidence(m, l),
            Err(e) => m.notice(format!("reload failed: {} — showing the last good evidence", clean(e))),
        },
        Work::ReviewSaved { result, .. } => review_saved(m, &result.0, fx),
        Work::ReviewSigned { result, .. } => review_signed(m, &result.0),
        Work::NotesSaved(Shared(r)) => match &*r {
            Ok(p) => {
                m.walks.unsaved = false;
                m.say(format!("follow-up notes saved to {}", clean(&p.display().to_string())))
            }
            Err(e) => m.say(format!("could not save follow-up notes: {}", clean(e))),
        },
        Work::Copied { what, result } => match result {
            Ok(how) => m.say(format!("copied {what} {how}")),
            Err(e) => m.say(format!("could not copy {what}: {}", clean(&e))),
        },
        Work::Index(Shared(idx)) => {
            if idx.generation == m.evidence.generation {
                m.search.index = Some(idx);
                let was_waiting = m.search.waiting;
                m.search.waiting = false;
                run_search(m);
                if was_waiting && m.search.active() && !matches!(m.mode, Mode::Search(_)) {
                    search_step(m, true);
                }
            }
        }
    }
}

/// A new report for the same evidence (a re-run, another release): the tree stays as it was.
fn adopt_report(m: &mut Model, report: Report) {
    let before = m.report.verdict;
    let release_before = m.report.release_label();
    let report = Arc::new(report);
    m.report = Arc::clone(&report);
    m.tree.set_report(&m.evidence, &report);
    m.health.adopt(&report);
    m.boundary = None;
    m.invalidate_detail();
    let after = report.verdict.as_str();
    let release = report.release_label();
    let msg = if release != release_before {
        format!("evaluated release {release}: verdict {after} (was {} for {release_before})", before.as_str())
    } else if before == report.verdict {
        format!("health re-ran: verdict {after}, unchanged; the tree is as it was")
    } else {
        format!("health re-ran: verdict {} → {after}; the tree is as it was", before.as_str())
    };
    // A re-run that follows a saved review keeps saying where the record went.
    match m.status.take().filter(|s| s.starts_with("review saved to ")) {
        Some(saved) => {
            m.log.push(m.now, &msg);
            m.status = Some(format!("{saved} · {msg}"));
        }
        None => m.say(msg),
    }
}

/// Swap in reloaded evidence: rebuild the tree keeping the selection by node id, refresh the panes.
fn adopt_evidence(m: &mut Model, l: &Loaded) {
    let changes = crate::live::diff(&m.evidence, &m.report, &l.evidence, &l.report);
    let keep = m.tree.selection().and_then(Tree::node_of).map(|n| m.evidence.nodes[n].id.clone());
    let group = match m.tree.selection() {
        Some(Sel::Group(g)) => Some(m.tree.groups[g].kind.clone()),
        _ => None,
    };
    let toggles = (m.tree.problems_only(), m.tree.hide_superseded());
    m.evidence = Arc::clone(&l.evidence);
    let report = Arc::new(l.report.clone());
    m.report = Arc::clone(&report);
    m.live.acceptances = l.acceptances.clone();
    match &l.source {
        Source::Path(p) => m.live.source = Some(p.clone()),
        Source::Sample(s) => {
            m.live.source = None;
            m.live.sample = Some(s.clone());
            m.live.reviews.clear();
            m.live.found_reviews.clear();
            m.live.release = None;
        }
    }
    m.boundary = None;
    m.history.clear();
    m.search.forget_other(m.evidence.generation);
    m.search.matches.clear();
    m.health = HealthView::from_report(&report);
    m.tree = Tree::new(&m.evidence, &m.report);
    if !m.filter_text.is_empty() {
        m.tree.set_filter(&m.evidence, &m.filter_text);
    }
    m.tree.set_toggles(toggles.0, toggles.1);
    if let Some(id) = keep
        && let Some(&n) = m.evidence.find_text(&id).first()
    {
        m.tree.reveal(n);
    } else if let Some(kind) = group
        && let Some(g) = m.tree.groups.iter().position(|x| x.kind == kind)
    {
        m.tree.select(Sel::Group(g));
    }
    // Modal state that points into the old evidence cannot stay open.
    match &m.mode {
        // The offer to sign a saved record needs only the record (its bytes are what is signed): it stays.
        Mode::Review(w) if w.sign.is_some() => {}
        Mode::Review(_) | Mode::Confirm(_) => {
            m.mode = Mode::Normal;
            m.say("the review was closed: the evidence changed under it");
        }
        Mode::Boundary(_) | Mode::Palette(_) | Mode::Releases(_) => m.mode = Mode::Normal,
        _ => {}
    }
    m.invalidate_detail();
    for p in &l.problems {
        m.log.push(m.now, p);
    }
    let summary = match &l.source {
        Source::Sample(s) => format!("opened the embedded sample {s}: verdict {}", m.report.verdict.as_str()),
        Source::Path(_) => changes.summary(),
    };
    // The full list of what changed goes to the log, line by line.
    for (id, a, b) in &changes.moved {
        m.log.push(m.now, &format!("  {id}: {} → {}", a.as_str(), b.as_str()));
    }
    for id in &changes.added {
        m.log.push(m.now, &format!("  added {id}"));
    }
    for id in &changes.removed {
        m.log.push(m.now, &format!("  removed {id}"));
    }
    m.notice(summary);
}

// ------------------------------------------------------------------------------------------------ walkthroughs

fn toggle_walk(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Some(mut w) = m.walk.take() {
        w.stop_clock(m.now);
        m.walks.keep(&w, m.now);
        write_progress(m, fx);
        m.say("walkthrough closed: w opens it again where you left it");
        return;
    }
    let name = match &m.walks.last {
        Some(last) => last.clone(),
        None if m.evidence.model == EvidenceModel::TrialPackage => "trial-walkthrough".to_string(),
        None => "operator-runbook".to_string(),
    };
    open_walk(m, &name, fx);
}

/// Open a walkthrough: where it was left when this evidence has progress for it, else at step 1.
fn open_walk(m: &mut Model, name: &str, fx: &mut Vec<Effect>) {
    let Some(w) = walkthrough::find(name) else {
        m.say(format!("no walkthrough {:?} (have: {})", clean(name), walkthrough::names().join(", ")));
        return;
    };
    let mut state = match m.walks.saved.get(name) {
        Some(saved) => {
            let s = WalkState::resume(w, saved);
            let at = if s.in_summary() { "the closing summary".to_string() } else { s.progress(None) };
            let from = match &m.walks.file {
                Some(f) => format!(" (progress kept in {})", clean(&f.display().to_string())),
                None => String::new(),
            };
            m.say(format!("walkthrough resumed at {at}, {} item(s) ticked{from}", s.ticked.len()));
            s
        }
        None => WalkState::new(w),
    };
    state.start_clock(m.now);
    m.walk = Some(state);
    apply_walk_focus(m, fx);
    persist_walk(m, fx);
}

/// Keep the checklist item under the cursor in view in the narration panel.
fn walk_follow_cursor(m: &mut Model) {
    let body = m.walk_body(m.area.width);
    let rows = m.walk_rows();
    if let Some(w) = m.walk.as_mut() {
        w.follow_cursor(&body, rows);
    }
}

/// Note the open walkthrough's progress and write it, where progress is kept.
fn persist_walk(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Some(w) = &m.walk {
        m.walks.keep(w, m.now);
    }
    write_progress(m, fx);
}

fn write_progress(m: &Model, fx: &mut Vec<Effect>) {
    let Some(path) = m.walks.file.clone() else { return };
    let file = super::runtime::progress::ProgressFile {
        schema: super::runtime::progress::SCHEMA.to_string(),
        evidence: m.evidence.label.shown().into_owned(),
        last: m.walks.last.clone(),
        walkthroughs: m.walks.saved.clone(),
    };
    if let Ok(text) = serde_json::to_string_pretty(&file) {
        fx.push(Effect::SaveProgress { path, text });
    }
}

/// What to do when the app is about to end: the open walkthrough's clock is kept with its progress.
pub fn finish(m: &mut Model) -> Vec<Effect> {
    let mut fx = Vec::new();
    if m.walk.is_some() {
        persist_walk(m, &mut fx);
    }
    fx
}

/// `q`: quit, but ask first while ticks are not in saved notes (Ctrl-C quits at once).
fn ask_before_quitting(m: &mut Model) {
    if let Some(w) = &m.walk {
        m.walks.keep(w, m.now);
    }
    let ticks = m.walks.unsaved && !m.live.demo && m.walks.saved.values().any(|s| !s.ticked.is_empty());
    if !ticks || matches!(m.mode, Mode::Confirm(_)) {
        m.quit = true;
        return;
    }
    let kept = if m.walks.file.is_some() {
        "Your ticks are kept for next time, but they are not in saved follow-up notes."
    } else {
        "Your ticks are not saved anywhere: they go when the app does."
    };
    let back = std::mem::take(&mut m.mode);
    m.mode = Mode::Confirm(Box::new(Confirm {
        question: "Quit without saving follow-up notes? y quits · n stays (S in the closing summary saves notes)"
            .into(),
        summary: vec![kept.to_string()],
        scroll: 0,
        on_yes: OnYes::QuitUnsaved,
        back,
    }));
}

/// Move the focus to the current step's target.
fn apply_walk_focus(m: &mut Model, fx: &mut Vec<Effect>) {
    let Some(step) = m.walk.as_ref().and_then(|w| w.current()).cloned() else { return };
    let f = step.focus;
    let (node, notice) = walk_target(&m.evidence, &f);
    if let Some(w) = m.walk.as_mut() {
        w.notice = notice;
    }
    if !matches!(m.mode, Mode::Normal | Mode::Boundary(_)) {
        m.mode = Mode::Normal;
    }
    match f.pane {
        FocusPane::Boundary => {
            if let Some(n) = node {
                update_inner(m, Msg::FocusNode(n), fx);
            }
            if !matches!(m.mode, Mode::Boundary(_)) {
                open_boundary(m);
            }
        }
        FocusPane::Review if open_review_at(m, node, f.review_pane, fx) => {}
        pane => {
            m.mode = Mode::Normal;
            if let Some(n) = node {
                update_inner(m, Msg::FocusNode(n), fx);
            }
            let target = match pane {
                FocusPane::Tree => Pane::Tree,
                FocusPane::Health | FocusPane::Verdict => Pane::Health,
                _ => Pane::Detail,
            };
            // Health and verdict steps show the health pane (verdict banner and findings) in the right
            // column; the others the artifact's detail.
            m.right = if target == Pane::Health { Right::Health } else { Right::Detail };
            if let Some(c) = f.criterion.as_deref().and_then(crate::health::CriterionId::parse) {
                m.health.open_criterion(c);
            }
            focus(m, target);
        }
    }
}

/// The node a step's focus shows in `ev`, and what to say when it is not the one the step names: a node id
/// the evidence lacks falls back to the latest artifact of the step's kind; a kind the evidence lacks shows
/// nothing and says so.
fn walk_target(ev: &crate::evidence::Evidence, f: &walkthrough::Focus) -> (Option<usize>, Option<String>) {
    if let Some(n) = f.resolve(ev) {
        return (Some(n), None);
    }
    let kind = f.kind();
    // The same focus without its node: the latest of the kind, as `resolve` picks it.
    let fallback = walkthrough::Focus { node: None, ..f.clone() }.resolve(ev);
    let named = f.node.as_deref().map(|id| format!("{:?}", clean(id)));
    let notice = match (&named, &kind, fallback) {
        (Some(id), Some(k), Some(n)) => Some(format!(
            "this evidence has no {} {id}: showing the nearest of that kind, {}",
            k.name(),
            ev.nodes[n].id.shown()
        )),
        (Some(id), Some(k), None) => {
            Some(format!("this evidence has no {} {id}, and no {} at all", k.name(), k.name()))
        }
        (Some(id), None, _) => Some(format!("this evidence has no artifact {id}")),
        (None, Some(k), None) => Some(format!("this evidence has no {}: nothing to show for this step", k.name())),
        _ => None,
    };
    (fallback, notice)
}

/// A `review` step: open the retry-plan review on the delivery whose review looks at `node` (the step's plan;
/// the first delivery when none does), at `pane` (1-based, default 1). The tree selects the plan behind the
/// modal. False when there is nothing to review (the step then shows the plan's detail).
fn open_review_at(m: &mut Model, node: Option<usize>, pane: Option<u32>, fx: &mut Vec<Effect>) -> bool {
    let mut w = match ReviewWizard::open(&m.evidence, &m.report, m.as_of().at) {
        Ok(w) => w,
        Err(e) => {
            m.say(e);
            return false;
        }
    };
    m.mode = Mode::Normal;
    if let Some(n) = node {
        update_inner(m, Msg::FocusNode(n), fx);
        if let Some(d) = w.deliveries.iter().position(|d| d.nodes.contains(&n)) {
            w.delivery = d;
        }
    }
    let last = super::state::review::PANE_TITLES.len();
    w.pane = pane.map_or(0, |p| (p as usize).clamp(1, last) - 1);
    m.mode = Mode::Review(Box::new(w));
    true
}

fn update_inner(m: &mut Model, msg: Msg, fx: &mut Vec<Effect>) {
    fx.extend(update(m, msg));
}

/// Ask the runtime to write the closing summary as notes; asks first before replacing a file.
fn save_notes(m: &mut Model, fx: &mut Vec<Effect>, overwrite: bool) {
    let Some(w) = m.walk.as_ref() else { return };
    if m.live.sandbox.is_some() {
        let text = w.notes(&m.evidence.label.to_string(), m.report.as_of);
        show_to_copy(m, "follow-up notes", text, "The sandbox writes nothing: y copies these notes · n/Esc closes");
        return;
    }
    let dir = m.evidence.root().map(std::path::Path::to_path_buf).unwrap_or_else(|| ".".into());
    let path = dir.join(format!("closeout-follow-up-{}.md", w.walkthrough.name));
    if !overwrite && path.exists() {
        let shown = clean(&path.display().to_string()).into_owned();
        let back = std::mem::take(&mut m.mode);
        m.mode = Mode::Confirm(Box::new(Confirm {
            question: format!("{shown} exists: y replaces it · n keeps it and saves as a new file · Esc cancels"),
            summary: Vec::new(),
            scroll: 0,
            on_yes: OnYes::OverwriteNotes(path),
            back,
        }));
        return;
    }
    write_notes(m, fx, path);
}

/// `closeout-follow-up-x.md` → the first of `closeout-follow-up-x-2.md`, `-3`, ... that does not exist.
fn free_name(path: &std::path::Path) -> std::path::PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    (2..10_000)
        .map(|n| path.with_file_name(format!("{stem}-{n}{ext}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| path.with_file_name(format!("{stem}-{}{ext}", std::process::id())))
}

/// The sandbox's stand-in for a write: the text on screen, to scroll and copy.
fn show_to_copy(m: &mut Model, what: &'static str, text: String, question: &str) {
    let back = match std::mem::take(&mut m.mode) {
        Mode::Review(_) | Mode::Confirm(_) => Mode::Normal,
        other => other,
    };
    m.mode = Mode::Confirm(Box::new(Confirm {
        question: question.into(),
        summary: text.lines().map(|l| clean(l).into_owned()).collect(),
        scroll: 0,
        on_yes: OnYes::Copy { what, text },
        back,
    }));
}

fn write_notes(m: &mut Model, fx: &mut Vec<Effect>, path: std::path::PathBuf) {
    let Some(w) = m.walk.as_ref() else { return };
    let text = w.notes(&m.evidence.label.to_string(), m.report.as_of);
    fx.push(Effect::SaveNotes { path, text });
}

// ------------------------------------------------------------------------------------------------ mouse

/// A click, hit-tested against the same rectangles render draws into; modal modes take no clicks.
fn click(m: &mut Model, x: u16, y: u16) {
    let Some(a) = m.areas() else { return };
    let p = Position { x, y };
    match &mut m.mode {
        Mode::Boundary(b) => {
            let list = inner(a.boundary_list);
            // The list's first two lines are the finding summary and a rule.
            if list.contains(p) && y >= list.y + 2 {
                let idx = b.offset + (y - list.y - 2) as usize;
                if idx < b.model.entries.len() {
                    if idx == b.selected {
                        let b = b.clone();
                        let mut fx = Vec::new();
                        boundary(m, b, Some(Action::Activate), &mut fx);
                    } else {
                        b.selected = idx;
                    }
                }
            }
            return;
        }
        Mode::Help(_) | Mode::Log(_) => {
            if !a.help.contains(p) {
                m.mode = Mode::Normal;
            }
            return;
        }
        Mode::Normal | Mode::Search(_) | Mode::Filter(_) | Mode::Copy => {}
        // The review, questions, the palette and the release picker are modal: nothing under them is clickable.
        _ => return,
    }
    if matches!(m.mode, Mode::Search(_) | Mode::Filter(_) | Mode::Copy) {
        m.mode = Mode::Normal;
    }
    let tree_inner = inner(a.tree);
    if tree_inner.contains(p) {
        let row = m.tree.offset + (y - tree_inner.y) as usize;
        if row < m.tree.rows().len() {
            if row == m.tree.selected_row() && m.focus == Pane::Tree {
                activate(m);
            } else {
                m.tree.select_row(row);
            }
        }
        m.focus = Pane::Tree;
    } else if a.tree.contains(p) {
        m.focus = Pane::Tree;
    } else if a.detail.contains(p) {
        if m.health_visible() {
            focus(m, Pane::Health);
        } else {
            focus(m, Pane::Detail);
            let di = inner(a.detail);
            if di.contains(p) {
                m.detail.cursor = m.detail.scroll + (y - di.y) as usize;
            }
        }
    }
}

fn wheel(m: &mut Model, x: u16, y: u16, delta: isize) {
    let Some(a) = m.areas() else { return };
    let p = Position { x, y };
    match &mut m.mode {
        Mode::Help(h) => h.scroll = (h.scroll as isize + delta).max(0) as usize,
        Mode::Log(s) => *s = (*s as isize + delta.signum()).max(0) as usize,
        Mode::Boundary(b) => {
            let len = b.model.entries.len();
            let s = (b.selected as isize + delta.signum()).max(0) as usize;
            b.selected = s.min(len.saturating_sub(1));
        }
        Mode::Normal | Mode::Search(_) | Mode::Filter(_) | Mode::Copy => {
            if a.tree.contains(p) {
                let h = m.tree_height();
                m.tree.scroll_by(delta, h);
            } else if a.detail.contains(p) {
                if m.health_visible() {
                    let _ = m.health.update(if delta > 0 { Action::Down } else { Action::Up }, 1);
                } else {
                    m.detail.scroll = (m.detail.scroll as isize + delta).max(0) as usize;
                    let dh = m.detail_height();
                    m.detail.cursor = m.detail.cursor.clamp(m.detail.scroll, m.detail.scroll + dh.saturating_sub(1));
                }
            }
        }
        _ => {}
    }
}
