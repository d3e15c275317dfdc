//! Walkthrough mode: a narration panel beside the live panes that steps through a walkthrough file, moves
//! the focus to each step's target, lets the presenter tick checklist items, and ends in a closing summary
//! that can be saved as markdown follow-up notes.

use std::collections::BTreeSet;

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
}

impl WalkState {
    pub fn new(walkthrough: Walkthrough) -> WalkState {
        WalkState { walkthrough, step: 0, ticked: BTreeSet::new(), started_at: None }
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
