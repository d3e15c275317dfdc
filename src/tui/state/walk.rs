//! Walkthrough mode: a narration panel beside the live panes that steps through a walkthrough file, moves
//! the focus to each step's target, lets the reader tick checklist items by cursor, keeps its clock against
//! the plan, and ends in a closing summary that can be saved as markdown follow-up notes.
//!
//! The state is plain data: [`WalkState::saved`] and [`WalkState::resume`] turn it into the record a
//! progress file keeps (step, ticks, cursor, seconds on the clock) and back, so `w` and a restart of the
//! app pick up where the reader left off. The panel's lines ([`WalkState::body`]) are built here, wrapped
//! to a width, so the layout can size the panel to them and the cursor can be kept in view.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::health::Status;
use crate::tui::text::untrusted;
use crate::tui::ui::health::wrap;
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
    /// The checklist item under the cursor (an index into the current checklist).
    pub cursor: usize,
    /// The first panel body line shown.
    pub scroll: usize,
    /// Seconds on the clock before it last started (progress carried over from earlier sessions).
    pub elapsed_before: i64,
    /// When the clock last started; `None` until the first tick.
    pub started_at: Option<DateTime<Utc>>,
    /// What the current step's focus fell back to, said in the panel (the evidence lacks its target).
    pub notice: Option<String>,
}

/// Every walkthrough's progress on this evidence, open or closed, and where it is kept.
#[derive(Debug, Clone, Default)]
pub struct Walks {
    /// The progress file for this evidence; `None`: progress is kept in memory only (tests, recordings,
    /// the sandbox).
    pub file: Option<PathBuf>,
    /// Progress by walkthrough name (the open one's as of when it was last saved here).
    pub saved: BTreeMap<String, Saved>,
    /// The walkthrough open last: what `w` opens again.
    pub last: Option<String>,
    /// Ticks changed since the follow-up notes were last saved (quitting asks first).
    pub unsaved: bool,
}

impl Walks {
    /// Keep `w`'s progress as of `now`, as the walkthrough open last.
    pub fn keep(&mut self, w: &WalkState, now: Option<DateTime<Utc>>) {
        self.saved.insert(w.walkthrough.name.clone(), w.saved(now));
        self.last = Some(w.walkthrough.name.clone());
    }
}

/// What a progress file keeps of one walkthrough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saved {
    pub step: usize,
    pub ticked: Vec<(String, usize)>,
    #[serde(default)]
    pub cursor: usize,
    pub elapsed_seconds: i64,
}

/// What a panel line is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Heading,
    /// Where the step looks (dim).
    Target,
    /// The step's criterion and its status now.
    Criterion(Status),
    /// The evidence lacks the step's target: what is shown instead.
    Notice,
    Narration,
    /// A checklist item's line; `first` is its first wrapped line (the one with the box).
    Item {
        ticked: bool,
        cursor: bool,
        first: bool,
    },
    /// A question (asked of the audience, or of oneself when self-guided).
    Question,
    Dim,
}

/// One wrapped line of the panel's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelLine {
    pub role: Role,
    pub text: String,
}

impl WalkState {
    pub fn new(walkthrough: Walkthrough) -> WalkState {
        WalkState {
            walkthrough,
            step: 0,
            ticked: BTreeSet::new(),
            cursor: 0,
            scroll: 0,
            elapsed_before: 0,
            started_at: None,
            notice: None,
        }
    }

    /// Pick up saved progress: ticks that name no item of this walkthrough (the file changed since) are
    /// dropped, the step and cursor are kept in range, a negative clock is read as zero.
    pub fn resume(walkthrough: Walkthrough, saved: &Saved) -> WalkState {
        let mut w = WalkState::new(walkthrough);
        w.step = saved.step.min(w.total());
        w.ticked = saved
            .ticked
            .iter()
            .filter(|(id, i)| w.items_of(id).is_some_and(|items| *i < items.len()))
            .cloned()
            .collect();
        w.cursor = saved.cursor.min(w.checklist().1.len().saturating_sub(1));
        w.elapsed_before = saved.elapsed_seconds.clamp(0, i64::from(u32::MAX));
        w
    }

    /// The record a progress file keeps, as of `now`.
    pub fn saved(&self, now: Option<DateTime<Utc>>) -> Saved {
        Saved {
            step: self.step,
            ticked: self.ticked.iter().cloned().collect(),
            cursor: self.cursor,
            elapsed_seconds: self.elapsed_seconds(now),
        }
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

    fn items_of(&self, id: &str) -> Option<&[String]> {
        if id == walkthrough::SUCCESS_CHECKLIST {
            return Some(&self.walkthrough.success_checklist);
        }
        self.walkthrough.step(id).map(|s| s.checklist.as_slice())
    }

    /// The id under which the current checklist's ticks are kept, and its items.
    pub fn checklist(&self) -> (String, &[String]) {
        match self.current() {
            Some(s) => (s.id.clone(), &s.checklist),
            None => (walkthrough::SUCCESS_CHECKLIST.to_string(), &self.walkthrough.success_checklist),
        }
    }

    /// Move the cursor by `by` items, within the current checklist; false when it cannot move.
    pub fn move_cursor(&mut self, by: isize) -> bool {
        let n = self.checklist().1.len();
        if n == 0 {
            return false;
        }
        let to = self.cursor.saturating_add_signed(by).min(n - 1);
        let moved = to != self.cursor;
        self.cursor = to;
        moved
    }

    /// Tick or untick the item under the cursor; after a tick the cursor moves on to the next open item.
    /// `None` when the checklist is empty, else whether the item is ticked now.
    pub fn toggle(&mut self) -> Option<bool> {
        let (id, items) = self.checklist();
        let n = items.len();
        if n == 0 {
            return None;
        }
        let at = self.cursor.min(n - 1);
        let key = (id.clone(), at);
        if self.ticked.remove(&key) {
            return Some(false);
        }
        self.ticked.insert(key);
        if let Some(next) = (at + 1..n).chain(0..at).find(|i| !self.ticked.contains(&(id.clone(), *i))) {
            self.cursor = next;
        }
        Some(true)
    }

    /// Untick the item under the cursor; false when it was not ticked.
    pub fn untick(&mut self) -> bool {
        let (id, _) = self.checklist();
        self.ticked.remove(&(id, self.cursor))
    }

    pub fn is_ticked(&self, step_id: &str, item: usize) -> bool {
        self.ticked.contains(&(step_id.to_string(), item))
    }

    /// A new step was entered: the panel starts at its top, the cursor on its first open item.
    fn entered(&mut self) {
        self.scroll = 0;
        let (id, items) = self.checklist();
        self.cursor = (0..items.len()).find(|i| !self.ticked.contains(&(id.clone(), *i))).unwrap_or(0);
        self.notice = None;
    }

    /// Move to the next step (or the closing summary); false at the end.
    pub fn advance(&mut self) -> bool {
        if self.step < self.total() {
            self.step += 1;
            self.entered();
            true
        } else {
            false
        }
    }

    pub fn back(&mut self) -> bool {
        if self.step > 0 {
            self.step -= 1;
            self.entered();
            true
        } else {
            false
        }
    }

    /// Start the clock (a walkthrough opened or resumed): from now it counts on top of what it held.
    pub fn start_clock(&mut self, now: Option<DateTime<Utc>>) {
        self.started_at = now;
    }

    /// Stop the clock (the walkthrough is closed): what it counted is kept.
    pub fn stop_clock(&mut self, now: Option<DateTime<Utc>>) {
        self.elapsed_before = self.elapsed_seconds(now);
        self.started_at = None;
    }

    /// Seconds on the clock as of `now`.
    pub fn elapsed_seconds(&self, now: Option<DateTime<Utc>>) -> i64 {
        let running = match (now, self.started_at) {
            (Some(now), Some(start)) => (now - start).num_seconds().max(0),
            _ => 0,
        };
        self.elapsed_before.saturating_add(running)
    }

    /// Whole minutes elapsed, as of `now` (`None` before the clock has started or counted anything).
    pub fn elapsed_minutes(&self, now: Option<DateTime<Utc>>) -> Option<i64> {
        (self.started_at.is_some() || self.elapsed_before > 0).then(|| self.elapsed_seconds(now) / 60)
    }

    /// Minutes the plan gives up to the end of the current step (the whole plan in the summary); `None`
    /// for a walkthrough without a time plan.
    pub fn planned_end_minutes(&self) -> Option<u32> {
        self.walkthrough.duration_minutes?;
        Some(self.walkthrough.planned_start((self.step + 1).min(self.total())))
    }

    /// Seconds the clock is past the plan's end of the current step; `None` when on time or untimed.
    pub fn over_plan(&self, now: Option<DateTime<Utc>>) -> Option<i64> {
        let end = i64::from(self.planned_end_minutes()?) * 60;
        let over = self.elapsed_seconds(now) - end;
        (over > 0 && self.elapsed_minutes(now).is_some()).then_some(over)
    }

    /// "step 3 of 16 · 07:12 elapsed · plan 5–6 of 30 min · 01:12 over" (time parts only when known).
    pub fn progress(&self, now: Option<DateTime<Utc>>) -> String {
        let mut parts = Vec::new();
        if self.in_summary() {
            parts.push(format!("summary after {} steps", self.total()));
        } else {
            parts.push(format!("step {} of {}", self.step + 1, self.total()));
        }
        if self.elapsed_minutes(now).is_some() {
            parts.push(format!("{} elapsed", clock(self.elapsed_seconds(now))));
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
        if let Some(over) = self.over_plan(now) {
            parts.push(format!("{} over", clock(over)));
        }
        parts.join(" · ")
    }

    /// The panel's body, wrapped to `width` columns: the step's heading, a fallback notice, the narration, its
    /// criterion (`criterion`: the status and reason now), the checklist with the cursor, the questions and
    /// where the step looks; in the summary, the success checklist and what is still open.
    pub fn body(&self, width: usize, criterion: Option<(Status, String)>) -> Vec<PanelLine> {
        let mut out = Vec::new();
        let mut push = |role: Role, text: &str, indent: &str| {
            for t in wrap(&untrusted(text), indent, width) {
                out.push(PanelLine { role, text: t });
            }
        };
        let (id, items) = self.checklist();
        match self.current() {
            Some(step) => {
                let minutes = step.minutes.map(|m| format!("  ({m} min)")).unwrap_or_default();
                push(Role::Heading, &format!("{}. {}{minutes}", self.step + 1, step.title), "");
                if let Some(n) = &self.notice {
                    push(Role::Notice, &format!("⚠ {n}"), "  ");
                }
                push(Role::Narration, &step.narration, "");
                if let Some((status, reason)) = criterion {
                    push(Role::Criterion(status), &reason, "  ");
                }
            }
            None => {
                let done = (0..items.len()).filter(|&i| self.is_ticked(&id, i)).count();
                push(Role::Heading, &format!("Closing summary: {done} of {} success items ticked", items.len()), "");
            }
        }
        for (i, item) in items.iter().enumerate() {
            let ticked = self.is_ticked(&id, i);
            let cursor = i == self.cursor;
            let mark = format!("{}{} ", if cursor { "▸" } else { " " }, if ticked { "[x]" } else { "[ ]" });
            for (n, line) in wrap(&untrusted(item), "      ", width).into_iter().enumerate() {
                let text = if n == 0 { format!("{mark}{}", line.trim_start()) } else { line };
                out.push(PanelLine { role: Role::Item { ticked, cursor, first: n == 0 }, text });
            }
        }
        let mut push = |role: Role, text: &str, indent: &str| {
            for t in wrap(&untrusted(text), indent, width) {
                out.push(PanelLine { role, text: t });
            }
        };
        match self.current() {
            Some(step) => {
                let label = if self.walkthrough.is_self_guided() { "" } else { "Ask: " };
                for q in &step.questions {
                    push(Role::Question, &format!("{label}{q}"), "  ");
                }
                push(Role::Target, &format!("→ {}", step.focus.describe()), "  ");
            }
            None => {
                let open: usize = self
                    .walkthrough
                    .steps
                    .iter()
                    .map(|s| (0..s.checklist.len()).filter(|&i| !self.is_ticked(&s.id, i)).count())
                    .sum();
                push(Role::Dim, &format!("{open} step checklist item(s) still open; S saves follow-up notes"), "");
            }
        }
        out
    }

    /// The key hint the panel always shows on its last line.
    pub fn hint(&self) -> &'static str {
        if self.in_summary() {
            "S save notes · [ back · J/K item · x tick · {/} scroll · w close"
        } else {
            "] next · [ back · J/K item · x tick · {/} scroll · w close"
        }
    }

    /// The body line the cursor's item starts on.
    pub fn cursor_line(body: &[PanelLine]) -> Option<(usize, usize)> {
        let start = body.iter().position(|l| matches!(l.role, Role::Item { cursor: true, first: true, .. }))?;
        let len = body[start + 1..]
            .iter()
            .take_while(|l| matches!(l.role, Role::Item { cursor: true, first: false, .. }))
            .count()
            + 1;
        Some((start, len))
    }

    /// The furthest the body can scroll with `rows` rows to show it in.
    pub fn max_scroll(body_len: usize, rows: usize) -> usize {
        body_len.saturating_sub(rows.max(1))
    }

    /// Scroll so that the cursor's item is in view (`rows` body rows; the last is taken by "+N more"
    /// while more follows).
    pub fn follow_cursor(&mut self, body: &[PanelLine], rows: usize) {
        let Some((start, len)) = Self::cursor_line(body) else { return };
        let rows = rows.max(1);
        self.scroll = self.scroll.min(Self::max_scroll(body.len(), rows));
        if start < self.scroll {
            self.scroll = start;
        }
        // While more follows, the last row is the "+N more" line: the item must end above it.
        let end = start + len;
        while end > self.scroll + shown_rows(body.len(), rows, self.scroll) && self.scroll < start {
            self.scroll += 1;
        }
    }

    /// The closing summary as markdown follow-up notes.
    pub fn notes(&self, evidence_label: &str, as_of: DateTime<Utc>) -> String {
        let ticked: Vec<(&str, usize)> = self.ticked.iter().map(|(s, i)| (s.as_str(), *i)).collect();
        walkthrough::follow_up_markdown(&self.walkthrough, &ticked, evidence_label, as_of)
    }
}

/// Body rows that show body lines when the body starts at `scroll` in `rows` rows: one fewer while more
/// follows (that row says "+N more").
pub fn shown_rows(body_len: usize, rows: usize, scroll: usize) -> usize {
    if body_len.saturating_sub(scroll) > rows { rows.saturating_sub(1) } else { rows }
}

/// "07:05" (minutes may pass 99).
fn clock(secs: i64) -> String {
    let secs = secs.max(0);
    format!("{:02}:{:02}", secs / 60, secs % 60)
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
    fn the_cursor_ticks_any_item_and_moves_on() {
        let mut w = walk();
        let id = w.current().unwrap().id.clone();
        let n = w.current().unwrap().checklist.len();
        assert!(n >= 2, "the first step has a checklist of two or more");
        assert!(!w.move_cursor(-1), "already at the top");
        assert!(w.move_cursor(1));
        assert_eq!(w.toggle(), Some(true));
        assert!(w.is_ticked(&id, 1) && !w.is_ticked(&id, 0), "the item under the cursor, not the first");
        // The cursor moved on to an open item, wrapping round to the first.
        assert!(!w.is_ticked(&id, w.cursor));
        w.cursor = 1;
        assert_eq!(w.toggle(), Some(false), "toggling again unticks");
        assert!(!w.is_ticked(&id, 1));
        assert!(!w.move_cursor(100) || w.cursor == n - 1);
        assert_eq!(w.cursor, n - 1, "the cursor stays in the checklist");
        w.toggle();
        w.cursor = n - 1;
        assert!(w.untick());
        assert!(w.ticked.is_empty());
    }

    #[test]
    fn a_new_step_puts_the_cursor_on_its_first_open_item() {
        let mut w = walk();
        w.advance();
        let id = w.current().unwrap().id.clone();
        w.toggle();
        w.back();
        w.advance();
        assert!(w.is_ticked(&id, 0));
        assert_eq!(w.cursor, 1);
    }

    #[test]
    fn elapsed_time_against_the_plan_and_over_time() {
        let mut w = walk();
        let t0 = crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap();
        w.start_clock(Some(t0));
        w.advance();
        let p = w.progress(Some(t0 + chrono::Duration::seconds(200)));
        assert_eq!(p, "step 2 of 16 · 03:20 elapsed · plan 3–5 of 30 min");
        assert_eq!(w.elapsed_minutes(Some(t0 + chrono::Duration::seconds(200))), Some(3));
        // Step 2 ends at minute 5 of the plan: at 6:30 the clock is 1:30 over.
        let late = Some(t0 + chrono::Duration::seconds(390));
        assert_eq!(w.over_plan(late), Some(90));
        assert!(w.progress(late).ends_with("· 01:30 over"), "{}", w.progress(late));
        // Moving on to the next step gives the clock until that step's planned end.
        w.advance();
        let end = i64::from(w.planned_end_minutes().unwrap()) * 60;
        assert!(end > 300);
        assert_eq!(w.over_plan(Some(t0 + chrono::Duration::seconds(end))), None, "on time at its end");
        assert_eq!(w.over_plan(Some(t0 + chrono::Duration::seconds(end + 1))), Some(1));
    }

    #[test]
    fn the_clock_stops_when_closed_and_carries_on_when_resumed() {
        let mut w = walk();
        let t0 = crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap();
        w.start_clock(Some(t0));
        w.stop_clock(Some(t0 + chrono::Duration::seconds(100)));
        assert_eq!(w.elapsed_seconds(Some(t0 + chrono::Duration::seconds(5000))), 100, "stopped");
        let saved = w.saved(Some(t0 + chrono::Duration::seconds(5000)));
        let mut back = WalkState::resume(walkthrough::find("sales-demo").unwrap(), &saved);
        back.start_clock(Some(t0 + chrono::Duration::seconds(6000)));
        assert_eq!(back.elapsed_seconds(Some(t0 + chrono::Duration::seconds(6030))), 130);
    }

    #[test]
    fn resume_keeps_what_still_names_an_item() {
        let w = walkthrough::find("sales-demo").unwrap();
        let first = w.steps[0].id.clone();
        let saved = Saved {
            step: 3,
            ticked: vec![(first.clone(), 0), (first.clone(), 99), ("no-such-step".into(), 0)],
            cursor: 99,
            elapsed_seconds: -5,
        };
        let r = WalkState::resume(w, &saved);
        assert_eq!(r.step, 3);
        assert_eq!(r.ticked.iter().cloned().collect::<Vec<_>>(), vec![(first, 0)]);
        assert!(r.cursor < r.checklist().1.len());
        assert_eq!(r.elapsed_before, 0);
        let past_end = Saved { step: 999, ticked: vec![], cursor: 0, elapsed_seconds: 10 };
        assert!(WalkState::resume(walkthrough::find("sales-demo").unwrap(), &past_end).in_summary());
    }

    #[test]
    fn the_body_wraps_every_item_and_marks_the_cursor() {
        let mut w = walk();
        w.move_cursor(1);
        let body = w.body(30, None);
        assert!(body.iter().all(|l| crate::tui::text::width(&l.text) <= 30), "{body:#?}");
        let items = &w.current().unwrap().checklist;
        let firsts: Vec<&PanelLine> =
            body.iter().filter(|l| matches!(l.role, Role::Item { first: true, .. })).collect();
        assert_eq!(firsts.len(), items.len());
        assert!(firsts[1].text.starts_with("▸[ ] "), "{:?}", firsts[1].text);
        // Every word of every item is in the body.
        let all: String = body.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ");
        for word in items.iter().flat_map(|i| i.split_whitespace()) {
            assert!(all.contains(word), "{word} lost");
        }
        let (start, len) = WalkState::cursor_line(&body).unwrap();
        assert!(matches!(body[start].role, Role::Item { cursor: true, first: true, .. }));
        assert!(len >= 1);
    }

    #[test]
    fn following_the_cursor_keeps_its_item_in_view() {
        let mut w = walk();
        let n = w.current().unwrap().checklist.len();
        w.cursor = n - 1;
        let body = w.body(40, None);
        let rows = 4;
        w.follow_cursor(&body, rows);
        let (start, len) = WalkState::cursor_line(&body).unwrap();
        let shown = shown_rows(body.len(), rows, w.scroll);
        assert!(start >= w.scroll && start + len <= w.scroll + shown, "{start}+{len} in {}+{shown}", w.scroll);
        w.cursor = 0;
        let body = w.body(40, None);
        w.follow_cursor(&body, rows);
        let (start, _) = WalkState::cursor_line(&body).unwrap();
        assert_eq!(w.scroll, start);
    }

    #[test]
    fn notes_list_ticked_and_open_items() {
        let mut w = walk();
        while !w.in_summary() {
            w.advance();
        }
        w.toggle();
        let notes = w.notes("payments-api", crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap());
        assert!(notes.contains("[x]") && notes.contains("[ ]"), "{notes}");
    }
}
