//! Walkthrough mode: a narration panel beside the live panes that steps through a walkthrough file, moves
//! the focus to each step's target, lets the presenter tick checklist items, and ends in a closing summary
//! that can be saved as markdown follow-up notes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::walkthrough::{self, Step, Walkthrough};

/// Where a walkthrough is.
#[derive(Debug, Clone)]
pub struct WalkState {
    pub walkthrough: Walkthrough,
    /// Current step; `steps.len()` means the closing summary.
    pub step: usize,
    /// Ticked checklist items: (step id, item index); the success checklist uses
    /// [`walkthrough::SUCCESS_CHECKLIST`] as its step id.
    pub ticked: BTreeSet<(String, usize)>,
    /// When the walkthrough started (the first tick after it opened).
    pub started_at: Option<DateTime<Utc>>,
    /// Set by the save key; the run loop writes the notes and reports back.
    pub save_request: Option<PathBuf>,
}

impl WalkState {
    pub fn new(walkthrough: Walkthrough) -> WalkState {
        WalkState { walkthrough, step: 0, ticked: BTreeSet::new(), started_at: None, save_request: None }
    }

    pub fn total(&self) -> usize {
        self.walkthrough.steps.len()
    }

    pub fn in_summary(&self) -> bool {
        self.step >= self.total()
    }

    pub fn current(&self) -> Option<&Step> {
        self.walkthrough.steps.get(self.step)
    }

    /// The id under which the current checklist's ticks are kept, and its items.
    pub fn checklist(&self) -> (String, &[String]) {
        match self.current() {
            Some(s) => (s.id.clone(), &s.checklist),
            None => (walkthrough::SUCCESS_CHECKLIST.to_string(), &self.walkthrough.success_checklist),
        }
    }

    /// Tick the first unticked item of the current checklist; false when all are ticked.
    pub fn tick_next(&mut self) -> bool {
        let (id, items) = self.checklist();
        let next = (0..items.len()).find(|i| !self.ticked.contains(&(id.clone(), *i)));
        match next {
            Some(i) => self.ticked.insert((id, i)),
            None => false,
        }
    }

    /// Untick the last ticked item of the current checklist.
    pub fn untick_last(&mut self) -> bool {
        let (id, items) = self.checklist();
        let last = (0..items.len()).rev().find(|i| self.ticked.contains(&(id.clone(), *i)));
        match last {
            Some(i) => self.ticked.remove(&(id, i)),
            None => false,
        }
    }

    pub fn is_ticked(&self, step_id: &str, item: usize) -> bool {
        self.ticked.contains(&(step_id.to_string(), item))
    }

    /// Move to the next step (or the closing summary); false at the end.
    pub fn advance(&mut self) -> bool {
        if self.step < self.total() {
            self.step += 1;
            true
        } else {
            false
        }
    }

    pub fn back(&mut self) -> bool {
        if self.step > 0 {
            self.step -= 1;
            true
        } else {
            false
        }
    }

    /// Whole minutes elapsed since the walkthrough started, as of `now`.
    pub fn elapsed_minutes(&self, now: Option<DateTime<Utc>>) -> Option<i64> {
        Some((now? - self.started_at?).num_minutes().max(0))
    }

    /// "step 3 of 16 · 07:12 elapsed · plan 5–6 min" (time parts only when known).
    pub fn progress(&self, now: Option<DateTime<Utc>>) -> String {
        let mut parts = Vec::new();
        if self.in_summary() {
            parts.push(format!("summary after {} steps", self.total()));
        } else {
            parts.push(format!("step {} of {}", self.step + 1, self.total()));
        }
        if let (Some(now), Some(start)) = (now, self.started_at) {
            let secs = (now - start).num_seconds().max(0);
            parts.push(format!("{:02}:{:02} elapsed", secs / 60, secs % 60));
        }
        if let Some(total) = self.walkthrough.duration_minutes {
            let from = self.walkthrough.planned_start(self.step.min(self.total()));
            let to = from + self.current().and_then(|s| s.minutes).unwrap_or(0);
            if self.in_summary() {
                parts.push(format!("plan {total} min"));
            } else {
                parts.push(format!("plan {from}–{to} of {total} min"));
            }
        }
        parts.join(" · ")
    }

    /// The closing summary as markdown follow-up notes.
    pub fn notes(&self, evidence_label: &str, as_of: DateTime<Utc>) -> String {
        let ticked: Vec<(&str, usize)> = self.ticked.iter().map(|(s, i)| (s.as_str(), *i)).collect();
        walkthrough::follow_up_markdown(&self.walkthrough, &ticked, evidence_label, as_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk() -> WalkState {
        WalkState::new(walkthrough::find("sales-demo").unwrap())
    }

    #[test]
    fn steps_and_summary() {
        let mut w = walk();
        assert_eq!(w.progress(None), "step 1 of 16 · plan 0–3 of 30 min");
        assert!(!w.back());
        for _ in 0..16 {
            assert!(w.advance());
        }
        assert!(w.in_summary());
        assert!(!w.advance());
        assert!(w.progress(None).starts_with("summary after 16 steps"));
    }

    #[test]
    fn ticking_is_per_checklist_and_reversible() {
        let mut w = walk();
        let n = w.current().unwrap().checklist.len();
        for _ in 0..n {
            assert!(w.tick_next());
        }
        assert!(!w.tick_next(), "all ticked");
        assert!(w.untick_last());
        let id = w.current().unwrap().id.clone();
        assert!(w.is_ticked(&id, 0) && !w.is_ticked(&id, n - 1));
        w.advance();
        assert!(w.tick_next());
        assert_eq!(w.ticked.len(), n);
    }

    #[test]
    fn elapsed_time_against_the_plan() {
        let mut w = walk();
        let t0 = crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap();
        w.started_at = Some(t0);
        w.advance();
        let p = w.progress(Some(t0 + chrono::Duration::seconds(200)));
        assert_eq!(p, "step 2 of 16 · 03:20 elapsed · plan 3–5 of 30 min");
        assert_eq!(w.elapsed_minutes(Some(t0 + chrono::Duration::seconds(200))), Some(3));
    }

    #[test]
    fn notes_list_ticked_and_open_items() {
        let mut w = walk();
        while !w.in_summary() {
            w.advance();
        }
        w.tick_next();
        let notes = w.notes("payments-api", crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap());
        assert!(notes.contains("[x]") && notes.contains("[ ]"), "{notes}");
    }
}

use super::action::Action;
use super::app::{App, Overlay, Pane};
use crate::evidence::Model;
use crate::walkthrough::FocusPane;

impl App {
    /// Walkthrough actions (called from [`App::update`]).
    pub(super) fn update_walk(&mut self, action: Action) {
        match action {
            Action::ToggleWalk if self.walk.is_some() => {
                self.walk = None;
                self.status = Some("walkthrough closed (w opens it again)".into());
            }
            Action::ToggleWalk => {
                let name =
                    if self.evidence.model == Model::TrialPackage { "trial-walkthrough" } else { "operator-runbook" };
                self.update_walk(Action::OpenWalk(name.into()));
            }
            Action::OpenWalk(name) => match walkthrough::find(&name) {
                Some(w) => {
                    let mut state = WalkState::new(w);
                    state.started_at = self.now;
                    self.walk = Some(state);
                    self.apply_walk_focus();
                }
                None => {
                    self.status = Some(format!("no walkthrough {:?} (have: {})", name, walkthrough::names().join(", ")))
                }
            },
            Action::WalkNext | Action::WalkPrev => {
                let moved = match self.walk.as_mut() {
                    Some(w) if action == Action::WalkNext => w.advance(),
                    Some(w) => w.back(),
                    None => false,
                };
                if moved {
                    self.apply_walk_focus();
                } else if self.walk.is_none() {
                    self.status = Some("no walkthrough open: w opens one".into());
                }
            }
            Action::WalkTick => {
                if let Some(w) = self.walk.as_mut()
                    && !w.tick_next()
                {
                    self.status = Some("every item of this checklist is ticked (X unticks)".into());
                }
            }
            Action::WalkUntick => {
                if let Some(w) = self.walk.as_mut() {
                    w.untick_last();
                }
            }
            Action::WalkSave => {
                let dir = self.evidence.root().map(std::path::Path::to_path_buf).unwrap_or_else(|| ".".into());
                if let Some(w) = self.walk.as_mut() {
                    w.save_request = Some(dir.join(format!("closeout-follow-up-{}.md", w.walkthrough.name)));
                }
            }
            _ => {}
        }
    }

    /// Move the focus to the current step's target.
    fn apply_walk_focus(&mut self) {
        let Some(step) = self.walk.as_ref().and_then(|w| w.current()).cloned() else { return };
        let focus = step.focus;
        let node = focus.resolve(&self.evidence).or_else(|| {
            let kind = focus.kind()?;
            self.evidence.latest(&kind).or_else(|| self.evidence.all(&kind).last().copied())
        });
        match focus.pane {
            FocusPane::Boundary => {
                if let Some(n) = node {
                    self.update(Action::FocusNode(n));
                }
                if self.overlay != Overlay::Boundary {
                    self.update(Action::ToggleBoundary);
                }
            }
            pane => {
                if let Some(n) = node {
                    self.update(Action::FocusNode(n));
                } else {
                    self.overlay = Overlay::None;
                }
                let target = match pane {
                    FocusPane::Tree => Pane::Tree,
                    FocusPane::Health | FocusPane::Verdict => Pane::Health,
                    _ => Pane::Detail,
                };
                // Health and verdict steps show the health pane (verdict banner and findings) in the right
                // column; the others the artifact's detail.
                self.health.shown = target == Pane::Health;
                self.update(Action::FocusPane(target));
            }
        }
    }
}

#[cfg(test)]
mod app_tests {
    use ratatui::crossterm::event::KeyCode;

    use crate::tui::app::{Overlay, Pane};
    use crate::tui::harness;
    use crate::tui::tree::Tree;
    use crate::tui::{Action, App};

    fn app() -> App {
        let ev = crate::samples::load("trial-walkthrough", &Default::default()).unwrap();
        let mut app = harness::app(ev, None, 120, 36);
        app.update(Action::Tick(crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap()));
        app
    }

    fn selected_id(app: &App) -> String {
        let n = app.tree.selection().and_then(Tree::node_of).expect("a node is selected");
        app.evidence.nodes[n].id.to_string()
    }

    #[test]
    fn w_opens_the_trial_walkthrough_and_brackets_move_the_focus() {
        let mut app = app();
        harness::type_keys(&mut app, "w");
        let w = app.walk.as_ref().expect("walkthrough open");
        assert_eq!(w.walkthrough.name, "trial-walkthrough");
        // Step 1 focuses the boundary view.
        assert_eq!(app.overlay, Overlay::Boundary);
        harness::type_keys(&mut app, "]");
        assert_eq!(app.overlay, Overlay::None);
        assert_eq!(selected_id(&app), "frb-payments-api-2026-09-14-001");
        assert_eq!(app.focus, Pane::Tree);
        harness::type_keys(&mut app, "]");
        assert_eq!(selected_id(&app), "retention-review-payments-api-001");
        assert_eq!(app.focus, Pane::Detail);
        harness::type_keys(&mut app, "[");
        assert_eq!(selected_id(&app), "frb-payments-api-2026-09-14-001");
        let screen = harness::screen(&app);
        assert!(screen.contains("step 2 of 10"), "{screen}");
        assert!(screen.contains("[ ]"), "{screen}");
    }

    #[test]
    fn ticking_shows_in_the_panel_and_the_summary_can_be_saved() {
        let mut app = app();
        harness::type_keys(&mut app, "w]xx");
        let screen = harness::screen(&app);
        assert_eq!(screen.matches("[x]").count(), 2, "{screen}");
        harness::type_keys(&mut app, "X");
        assert_eq!(harness::screen(&app).matches("[x]").count(), 1);
        for _ in 0..10 {
            harness::type_keys(&mut app, "]");
        }
        assert!(app.walk.as_ref().unwrap().in_summary());
        harness::type_keys(&mut app, "x");
        let screen = harness::screen(&app);
        assert!(screen.contains("Closing summary: 1 of"), "{screen}");
        let dir = tempfile::tempdir().unwrap();
        app.walk.as_mut().unwrap().save_request = Some(dir.path().join("notes.md"));
        crate::tui::save_walk_notes(&mut app);
        let notes = std::fs::read_to_string(dir.path().join("notes.md")).unwrap();
        assert!(notes.contains("[x]") && notes.contains("[ ]"), "{notes}");
        assert!(app.status.as_deref().unwrap().starts_with("follow-up notes saved to"));
        harness::type_keys(&mut app, "w");
        assert!(app.walk.is_none());
    }

    #[test]
    fn walk_keys_are_in_help_and_inactive_without_a_walkthrough() {
        let mut app = app();
        harness::type_keys(&mut app, "]");
        assert!(app.walk.is_none(), "] does nothing without a walkthrough");
        harness::press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.overlay, Overlay::Help);
        let help: String = crate::tui::ui::help::lines().iter().map(|l| format!("{l}\n")).collect();
        assert!(help.contains("Walkthrough") && help.contains("next walkthrough step"), "{help}");
    }

    #[test]
    fn the_narration_panel_fits_at_80_by_24() {
        let ev = crate::samples::load("trial-walkthrough", &Default::default()).unwrap();
        let mut app = harness::app(ev, None, 80, 24);
        app.update(Action::OpenWalk("sales-demo".into()));
        let screen = harness::screen(&app);
        assert!(screen.contains("Walkthrough · Final closeout"), "{screen}");
        assert!(screen.contains("Evidence chain"), "{screen}");
    }
}
