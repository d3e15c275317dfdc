//! All state of the explorer, and [`App::update`], the one function that changes it. Pure: no I/O, no
//! clock reads (time arrives as [`Action::Tick`]). Panes are views over this one state.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{Event, MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;

use super::action::Action;
use super::boundary::BoundaryModel;
use super::detail::{self, DLine};
use super::keymap::{self, Context};
use super::tree::{Opened, Sel, Tree};
use super::ui::help;
use super::ui::layout::{self, Areas, inner, text_width};
use crate::evidence::Evidence;
use crate::health::Report;
use crate::sanitize::clean;

/// The panes that can hold focus. (Later: health, review, walkthrough.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Detail,
    /// The health pane, in the right column (see [`super::health`]).
    Health,
}

impl Pane {
    const ORDER: [Pane; 3] = [Pane::Tree, Pane::Detail, Pane::Health];

    fn step(self, forward: bool) -> Pane {
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }
}

/// What is drawn over the panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Boundary,
}

/// Rows the mouse wheel moves.
const WHEEL_STEP: isize = 3;
/// Jumps remembered for going back.
const HISTORY_MAX: usize = 200;

pub struct App {
    pub evidence: Arc<Evidence>,
    pub report: Arc<Report>,
    pub tree: Tree,
    pub focus: Pane,
    pub overlay: Overlay,
    /// The filter as typed (the tree holds it lowercased).
    pub filter_text: String,
    /// Typing a filter: keys are characters.
    pub filter_editing: bool,
    /// Where reference jumps came from, newest last.
    pub history: Vec<Sel>,
    detail_for: Option<Sel>,
    detail_doc: Vec<DLine>,
    detail_lines: Vec<Line<'static>>,
    detail_width: u16,
    pub detail_scroll: usize,
    pub help_scroll: usize,
    /// Built the first time the boundary view opens.
    pub boundary: Option<BoundaryModel>,
    pub boundary_selected: usize,
    pub boundary_offset: usize,
    /// A one-line message for the footer, cleared by the next key.
    pub status: Option<String>,
    /// The terminal's size.
    pub area: Rect,
    pub quit: bool,
    /// The clock's last value (from ticks); None until the first tick.
    pub now: Option<DateTime<Utc>>,
    /// Draw without colour (NO_COLOR): meaning stays in glyphs, words and modifiers.
    pub monochrome: bool,
    /// The open walkthrough, if any (see [`super::walk`]).
    pub walk: Option<super::walk::WalkState>,
    /// Evidence source, evaluation time, acceptances and queued background work (see [`super::health`]).
    pub live: super::health::Live,
    /// The health pane.
    pub health: super::health::HealthView,
    /// The open retry plan review (see [`super::review`]).
    pub review: Option<super::review::ReviewWizard>,
}

impl App {
    pub fn new(evidence: Arc<Evidence>, report: Arc<Report>, width: u16, height: u16) -> App {
        let tree = Tree::new(&evidence, &report);
        let health = super::health::HealthView::from_report(&report);
        let mut app = App {
            evidence,
            report,
            tree,
            focus: Pane::Tree,
            overlay: Overlay::None,
            filter_text: String::new(),
            filter_editing: false,
            history: Vec::new(),
            detail_for: None,
            detail_doc: Vec::new(),
            detail_lines: Vec::new(),
            detail_width: 0,
            detail_scroll: 0,
            help_scroll: 0,
            boundary: None,
            boundary_selected: 0,
            boundary_offset: 0,
            status: None,
            area: Rect::new(0, 0, width, height),
            quit: false,
            now: None,
            monochrome: false,
            walk: None,
            live: super::health::Live::default(),
            health,
            review: None,
        };
        app.sync(true);
        app
    }

    pub fn areas(&self) -> Option<Areas> {
        layout::layout_with(self.area, self.walk.is_some())
    }

    fn tree_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.tree).height as usize)
    }

    fn detail_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.detail).height as usize)
    }

    fn help_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.help).height as usize)
    }

    fn boundary_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.boundary_list).height.saturating_sub(2) as usize)
    }

    /// The detail pane's lines, laid out for its width.
    pub fn detail_lines(&self) -> &[Line<'static>] {
        &self.detail_lines
    }

    /// The keymap contexts active now, innermost first.
    pub fn contexts(&self) -> &'static [Context] {
        if let Some(ctx) = self.review_context() {
            return keymap::stack(ctx);
        }
        if self.filter_editing {
            return keymap::stack(Context::Filter);
        }
        let primary = match (self.overlay, self.focus) {
            (Overlay::Help, _) => Context::Help,
            (Overlay::Boundary, _) => Context::Boundary,
            (Overlay::None, Pane::Tree) => Context::Tree,
            (Overlay::None, Pane::Detail) => Context::Detail,
            (Overlay::None, Pane::Health) => Context::Health,
        };
        if self.walk.is_some() { keymap::stack_walk(primary) } else { keymap::stack(primary) }
    }

    /// The action a terminal event asks for here (keys through the keymap; presses only).
    pub fn action_for(&self, ev: &Event) -> Option<Action> {
        match ev {
            Event::Key(k) => keymap::dispatch(self.contexts(), k),
            Event::Mouse(m) => match m.kind {
                MouseEventKind::Down(MouseButton::Left) => Some(Action::ClickAt { x: m.column, y: m.row }),
                MouseEventKind::ScrollUp => Some(Action::ScrollUp { x: m.column, y: m.row }),
                MouseEventKind::ScrollDown => Some(Action::ScrollDown { x: m.column, y: m.row }),
                _ => None,
            },
            Event::Resize(w, h) => Some(Action::Resize { width: *w, height: *h }),
            _ => None,
        }
    }

    /// Apply one action.
    pub fn update(&mut self, action: Action) {
        if !matches!(action, Action::Tick(_) | Action::Resize { .. }) && !action.is_work() {
            self.status = None;
        }
        let follow = !matches!(action, Action::ScrollUp { .. } | Action::ScrollDown { .. } | Action::Tick(_));
        match action {
            Action::Quit => self.quit = true,
            Action::Tick(t) => {
                self.now = Some(t);
                if let Some(w) = self.walk.as_mut() {
                    w.started_at.get_or_insert(t);
                }
            }
            Action::Resize { width, height } => self.area = Rect::new(0, 0, width, height),
            Action::ClickAt { x, y } => self.click(x, y),
            Action::ScrollUp { x, y } => self.wheel(x, y, -WHEEL_STEP),
            Action::ScrollDown { x, y } => self.wheel(x, y, WHEEL_STEP),
            Action::FocusNode(n) if n < self.evidence.nodes.len() => {
                self.overlay = Overlay::None;
                self.filter_editing = false;
                self.focus = Pane::Tree;
                self.jump(n, true);
            }
            Action::FocusPane(p) => {
                self.overlay = Overlay::None;
                self.filter_editing = false;
                self.focus = p;
            }
            Action::ToggleWalk | Action::OpenWalk(_) | Action::WalkNext | Action::WalkPrev => {
                self.update_walk(action);
            }
            Action::WalkTick | Action::WalkUntick | Action::WalkSave => self.update_walk(action),
            other if (self.review.is_some() && !other.is_work()) || other == Action::OpenReview => {
                self.update_review(&other);
            }
            other if self.handles_live(&other) => {
                self.update_live(&other);
            }
            other if self.filter_editing => self.update_filter(other),
            other => match self.overlay {
                Overlay::Help => self.update_help(other),
                Overlay::Boundary => self.update_boundary(other),
                Overlay::None => self.update_panes(other),
            },
        }
        self.sync(follow);
    }

    /// Bring derived state up to date: the detail document for the selection, its layout for the pane
    /// width, and (when `follow`) the tree viewport around the selection.
    fn sync(&mut self, follow: bool) {
        let sel = self.tree.selection();
        let width = self.areas().map_or(0, |a| text_width(a.detail));
        let changed = sel != self.detail_for;
        if changed {
            self.detail_for = sel;
            self.detail_doc = match sel {
                Some(s) => detail::build(&self.evidence, &self.report, &self.tree, s),
                None => Vec::new(),
            };
            self.detail_scroll = 0;
        }
        if changed || width != self.detail_width {
            self.detail_width = width;
            self.detail_lines = if width > 0 { detail::wrap(&self.detail_doc, width) } else { Vec::new() };
        }
        self.detail_scroll = self.detail_scroll.min(self.detail_max_scroll());
        let h = self.tree_height();
        if follow {
            self.tree.scroll_into_view(h);
        } else {
            self.tree.scroll_by(0, h);
        }
        self.help_scroll = self.help_scroll.min(help::line_count().saturating_sub(self.help_height()));
        let entries = self.boundary.as_ref().map_or(0, |b| b.entries.len());
        self.boundary_selected = self.boundary_selected.min(entries.saturating_sub(1));
        let bh = self.boundary_height().max(1);
        if self.boundary_selected < self.boundary_offset {
            self.boundary_offset = self.boundary_selected;
        } else if self.boundary_selected >= self.boundary_offset + bh {
            self.boundary_offset = self.boundary_selected + 1 - bh;
        }
    }

    /// Rebuild the detail document on the next sync (after the evidence or the report changed).
    pub(crate) fn invalidate_detail(&mut self) {
        self.detail_for = None;
        self.detail_width = 0;
    }

    fn detail_max_scroll(&self) -> usize {
        self.detail_lines.len().saturating_sub(self.detail_height())
    }

    fn update_filter(&mut self, action: Action) {
        match action {
            Action::FilterInput(c) => {
                self.filter_text.push(c);
                self.apply_filter();
            }
            Action::FilterBackspace => {
                self.filter_text.pop();
                self.apply_filter();
            }
            Action::FilterClear => {
                self.filter_text.clear();
                self.apply_filter();
            }
            Action::FilterAccept => {
                self.filter_editing = false;
                if !self.filter_text.is_empty() {
                    self.status = Some(format!(
                        "filter \"{}\" kept: {} matches (Esc clears)",
                        clean(&self.filter_text),
                        self.tree.match_count
                    ));
                }
            }
            Action::Cancel => self.clear_filter(),
            Action::Up => self.tree.move_by(-1),
            Action::Down => self.tree.move_by(1),
            _ => {}
        }
    }

    fn apply_filter(&mut self) {
        self.tree.set_filter(&self.evidence, &self.filter_text);
    }

    fn clear_filter(&mut self) {
        self.filter_editing = false;
        if !self.filter_text.is_empty() {
            self.filter_text.clear();
            self.apply_filter();
        }
    }

    fn update_help(&mut self, action: Action) {
        let page = self.help_height().saturating_sub(1).max(1);
        match action {
            Action::Cancel | Action::ToggleHelp => self.overlay = Overlay::None,
            Action::ToggleBoundary => self.open_boundary(),
            Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
            Action::Down => self.help_scroll += 1,
            Action::PageUp => self.help_scroll = self.help_scroll.saturating_sub(page),
            Action::PageDown => self.help_scroll += page,
            Action::Top => self.help_scroll = 0,
            Action::Bottom => self.help_scroll = usize::MAX,
            _ => {}
        }
    }

    fn open_boundary(&mut self) {
        if self.boundary.is_none() {
            self.boundary = Some(BoundaryModel::build(&self.evidence, &self.report));
        }
        self.overlay = Overlay::Boundary;
    }

    fn update_boundary(&mut self, action: Action) {
        let len = self.boundary.as_ref().map_or(0, |b| b.entries.len());
        match action {
            Action::Cancel | Action::ToggleBoundary => self.overlay = Overlay::None,
            Action::ToggleHelp => self.overlay = Overlay::Help,
            Action::Up => self.boundary_selected = self.boundary_selected.saturating_sub(1),
            Action::Down => self.boundary_selected = (self.boundary_selected + 1).min(len.saturating_sub(1)),
            Action::Top => self.boundary_selected = 0,
            Action::Bottom => self.boundary_selected = len.saturating_sub(1),
            Action::Activate => self.activate_boundary_entry(),
            _ => {}
        }
    }

    fn activate_boundary_entry(&mut self) {
        let node = self.boundary.as_ref().and_then(|b| b.entries.get(self.boundary_selected)).and_then(|e| e.node);
        match node {
            Some(n) => {
                self.overlay = Overlay::None;
                self.focus = Pane::Tree;
                self.jump(n, true);
            }
            None => self.status = Some("this entry is not inside an artifact".into()),
        }
    }

    fn update_panes(&mut self, action: Action) {
        let tree_page = self.tree_height().saturating_sub(1).max(1) as isize;
        let detail_page = self.detail_height().saturating_sub(1).max(1);
        match (action, self.focus) {
            (Action::Up, Pane::Tree) => self.tree.move_by(-1),
            (Action::Down, Pane::Tree) => self.tree.move_by(1),
            (Action::PageUp, Pane::Tree) => self.tree.move_by(-tree_page),
            (Action::PageDown, Pane::Tree) => self.tree.move_by(tree_page),
            (Action::Top, Pane::Tree) => self.tree.select_row(0),
            (Action::Bottom, Pane::Tree) => self.tree.select_row(usize::MAX),
            (Action::Up, Pane::Detail) => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            (Action::Down, Pane::Detail) => self.detail_scroll += 1,
            (Action::PageUp, Pane::Detail) => self.detail_scroll = self.detail_scroll.saturating_sub(detail_page),
            (Action::PageDown, Pane::Detail) => self.detail_scroll += detail_page,
            (Action::Top, Pane::Detail) => self.detail_scroll = 0,
            (Action::Bottom, Pane::Detail) => self.detail_scroll = usize::MAX,
            (Action::Expand, _) => {
                let r = self.tree.expand(&self.evidence);
                self.report_opened(r);
            }
            (Action::Collapse, _) => self.tree.collapse(),
            (Action::Activate, _) => self.activate(),
            (Action::ExpandAll, _) => {
                let nodes = self.tree.expand_all(&self.evidence);
                if !nodes {
                    self.status = Some(format!(
                        "expanded every group; {} artifacts are too many to open all at once: → opens one",
                        self.evidence.nodes.len()
                    ));
                }
            }
            (Action::CollapseAll, _) => self.tree.collapse_all(),
            (Action::NextProblem, _) => self.next_problem(true),
            (Action::PrevProblem, _) => self.next_problem(false),
            (Action::Back, _) => self.back(),
            (Action::FocusNext, p) => self.focus = p.step(true),
            (Action::FocusPrev, p) => self.focus = p.step(false),
            (Action::StartFilter, _) => {
                self.focus = Pane::Tree;
                self.filter_editing = true;
            }
            (Action::Cancel, _) => {
                if self.filter_text.is_empty() {
                    self.status = Some("nothing to close: q quits, ? shows every key".into());
                } else {
                    self.clear_filter();
                }
            }
            (Action::ToggleHelp, _) => {
                self.overlay = Overlay::Help;
                self.help_scroll = 0;
            }
            (Action::ToggleBoundary, _) => self.open_boundary(),
            _ => {}
        }
    }

    fn report_opened(&mut self, r: Opened) {
        match r {
            Opened::Done => {}
            Opened::NoReferences => self.status = Some("this artifact references no other artifact".into()),
            Opened::Failed(e) => self.status = Some(format!("cannot decode this artifact: {}", clean(&e))),
        }
    }

    /// Enter on a row: follow a reference, or open/close a group or node.
    fn activate(&mut self) {
        match self.tree.selection() {
            Some(Sel::Ref { node, index }) => {
                let Some(r) = self.tree.reference(node, index) else { return };
                match r.targets.first() {
                    Some(&t) => self.jump(t, true),
                    None => {
                        self.status = Some(format!(
                            "dangling reference: no artifact in this evidence has id {}",
                            clean(&r.target)
                        ))
                    }
                }
            }
            Some(_) => {
                let r = self.tree.toggle(&self.evidence);
                self.report_opened(r);
            }
            None => {}
        }
    }

    /// Select a node, revealing it (clearing a filter that hides it); `record` remembers where we were.
    fn jump(&mut self, node: usize, record: bool) {
        let from = self.tree.selection();
        if !self.tree.reveal(node) {
            self.clear_filter();
            self.tree.reveal(node);
            self.status = Some("filter cleared to show the target".into());
        }
        if record
            && let Some(f) = from
            && Some(f) != self.tree.selection()
        {
            self.history.push(f);
            if self.history.len() > HISTORY_MAX {
                self.history.remove(0);
            }
        }
    }

    fn back(&mut self) {
        let Some(sel) = self.history.pop() else {
            self.status = Some("no jump to go back to".into());
            return;
        };
        if self.tree.select(sel) {
            return;
        }
        match Tree::node_of(sel) {
            Some(n) => self.jump(n, false),
            None => {
                if let Sel::Group(g) = sel
                    && !self.tree.select(sel)
                {
                    self.clear_filter();
                    self.tree.select(Sel::Group(g));
                }
            }
        }
    }

    fn next_problem(&mut self, forward: bool) {
        match self.tree.find_problem(forward) {
            Some(n) => {
                self.jump(n, false);
                let total = self.tree.problems().len();
                let rank = self.tree.problem_rank(n).unwrap_or(0);
                let node = &self.evidence.nodes[n];
                self.status = Some(format!("problem {rank} of {total}: {} {}", clean(node.kind.name()), node.id));
            }
            None => {
                self.status = Some(if self.tree.filter().is_empty() {
                    "no node has a problem: every finding that looked at a node passes".into()
                } else {
                    "no node matching the filter has a problem".into()
                })
            }
        }
    }

    fn click(&mut self, x: u16, y: u16) {
        let Some(a) = self.areas() else { return };
        if self.review.is_some() {
            // The review is modal: nothing under it is clickable.
            return;
        }
        let p = Position { x, y };
        match self.overlay {
            Overlay::Boundary => {
                let list = inner(a.boundary_list);
                // The list's first two lines are the finding summary and a rule.
                if list.contains(p) && y >= list.y + 2 {
                    let idx = self.boundary_offset + (y - list.y - 2) as usize;
                    let len = self.boundary.as_ref().map_or(0, |b| b.entries.len());
                    if idx < len {
                        if idx == self.boundary_selected {
                            self.activate_boundary_entry();
                        } else {
                            self.boundary_selected = idx;
                        }
                    }
                }
                return;
            }
            Overlay::Help => {
                if !a.help.contains(p) {
                    self.overlay = Overlay::None;
                }
                return;
            }
            Overlay::None => {}
        }
        self.filter_editing = false;
        let tree_inner = inner(a.tree);
        if tree_inner.contains(p) {
            let row = self.tree.offset + (y - tree_inner.y) as usize;
            if row < self.tree.rows().len() {
                if row == self.tree.selected_row() && self.focus == Pane::Tree {
                    self.activate();
                } else {
                    self.tree.select_row(row);
                }
            }
            self.focus = Pane::Tree;
        } else if a.tree.contains(p) {
            self.focus = Pane::Tree;
        } else if a.detail.contains(p) {
            self.focus = if self.health_visible() { Pane::Health } else { Pane::Detail };
        }
    }

    fn wheel(&mut self, x: u16, y: u16, delta: isize) {
        let Some(a) = self.areas() else { return };
        let p = Position { x, y };
        match self.overlay {
            Overlay::Help => {
                self.help_scroll = (self.help_scroll as isize + delta).max(0) as usize;
            }
            Overlay::Boundary => {
                let len = self.boundary.as_ref().map_or(0, |b| b.entries.len());
                let s = (self.boundary_selected as isize + delta.signum()).max(0) as usize;
                self.boundary_selected = s.min(len.saturating_sub(1));
            }
            Overlay::None => {
                if a.tree.contains(p) {
                    let h = self.tree_height();
                    self.tree.scroll_by(delta, h);
                } else if a.detail.contains(p) {
                    self.detail_scroll = (self.detail_scroll as isize + delta).max(0) as usize;
                }
            }
        }
    }
}
