//! The health pane's state: one row per criterion (pending, running, done), the verdict of the last complete
//! result, live progress while a run streams in, and which finding is opened. Its [`HealthView::update`]
//! takes the pane's keys; what a run streams in arrives through [`HealthView::apply`].

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::health::run::HealthEvent;
use crate::health::{CRITERIA, Finding, Report, Verdict};
use crate::tui::action::Action;

/// How often the run loop wakes while background work runs (the spinner's frame rate).
pub const WORK_TICK: std::time::Duration = std::time::Duration::from_millis(100);

/// Spinner frames; the frame shown derives from the tick time, never from a thread.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// One criterion's row in the health pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Pending,
    Running,
    Done(Finding),
}

/// A selectable line of the health pane: a finding, or one evidence id of the expanded finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Finding(usize),
    Evidence(usize, usize),
}

/// The health pane's state.
#[derive(Debug, Clone)]
pub struct HealthView {
    /// (id, title, row) per criterion, in evaluation order.
    pub rows: Vec<(crate::health::CriterionId, &'static str, Row)>,
    pub total: usize,
    /// The criterion being evaluated.
    pub index: Option<usize>,
    pub running: bool,
    /// The tick at which the run started (for MB/s).
    pub started_at: Option<DateTime<Utc>>,
    pub bytes: u64,
    /// The last complete result.
    pub report: Option<Arc<Report>>,
    pub error: Option<String>,
    pub expanded: Option<usize>,
    /// Index into [`HealthView::items`].
    pub selected: usize,
}

impl HealthView {
    /// The pane showing a finished result.
    pub fn from_report(report: &Arc<Report>) -> HealthView {
        let rows = report.findings.iter().map(|f| (f.id, f.title, Row::Done(f.clone()))).collect::<Vec<_>>();
        HealthView {
            total: rows.len(),
            rows,
            index: None,
            running: false,
            started_at: None,
            bytes: 0,
            report: Some(Arc::clone(report)),
            error: None,
            expanded: None,
            selected: 0,
        }
    }

    /// A run starts: every criterion pending.
    pub fn start(&mut self, now: Option<DateTime<Utc>>) {
        self.rows = CRITERIA.iter().map(|c| (c.id, c.title(), Row::Pending)).collect();
        self.total = self.rows.len();
        self.index = None;
        self.running = true;
        self.started_at = now;
        self.bytes = 0;
        self.error = None;
        self.expanded = self.expanded.filter(|&e| e < self.rows.len());
    }

    /// Apply one streamed event; a finished report is returned for the app to adopt.
    pub fn apply(&mut self, ev: &HealthEvent) -> Option<Report> {
        match ev {
            HealthEvent::Started { total } => {
                self.total = *total;
                self.running = true;
            }
            HealthEvent::Running { index, .. } => {
                self.index = Some(*index);
                if let Some(r) = self.rows.get_mut(*index) {
                    r.2 = Row::Running;
                }
            }
            HealthEvent::Finding { index, finding } => {
                if let Some(r) = self.rows.get_mut(*index) {
                    r.2 = Row::Done(finding.clone());
                }
            }
            HealthEvent::Done(report) => {
                self.running = false;
                self.index = None;
                self.report = Some(Arc::new((**report).clone()));
                return Some((**report).clone());
            }
            HealthEvent::Failed(e) => {
                self.running = false;
                self.index = None;
                self.error = Some(crate::sanitize::clean(&e.to_string()).into_owned());
            }
        }
        None
    }

    pub fn finding(&self, i: usize) -> Option<&Finding> {
        match self.rows.get(i) {
            Some((_, _, Row::Done(f))) => Some(f),
            _ => None,
        }
    }

    /// The selectable lines, in order.
    pub fn items(&self) -> Vec<Item> {
        let mut out = Vec::new();
        for i in 0..self.rows.len() {
            out.push(Item::Finding(i));
            if self.expanded == Some(i)
                && let Some(f) = self.finding(i)
            {
                out.extend((0..f.nodes().len()).map(|j| Item::Evidence(i, j)));
            }
        }
        out
    }

    pub fn selected_item(&self) -> Option<Item> {
        self.items().get(self.selected).copied()
    }

    /// Criteria done so far.
    pub fn done(&self) -> usize {
        self.rows.iter().filter(|r| matches!(r.2, Row::Done(_))).count()
    }

    /// Megabytes per second hashed since the run started, when it can be told.
    pub fn rate(&self, now: Option<DateTime<Utc>>) -> Option<f64> {
        let secs = (now? - self.started_at?).num_milliseconds() as f64 / 1000.0;
        (secs > 0.0).then(|| self.bytes as f64 / 1e6 / secs)
    }

    pub fn select_finding(&mut self, i: usize) {
        if let Some(p) = self.items().iter().position(|it| *it == Item::Finding(i)) {
            self.selected = p;
        }
    }

    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.items().len().saturating_sub(1));
    }
}

/// What a key in the health pane asks of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthAsk {
    Nothing,
    /// Jump to this node in the tree.
    Jump(usize),
    /// The key is not the pane's.
    NotMine,
}

impl HealthView {
    /// The pane's own keys; `page`: lines in a page.
    pub fn update(&mut self, action: Action, page: usize) -> HealthAsk {
        let len = self.items().len();
        let last = len.saturating_sub(1);
        let half = (page / 2).max(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::PageUp => self.selected = self.selected.saturating_sub(page.max(1)),
            Action::PageDown => self.selected = (self.selected + page.max(1)).min(last),
            Action::HalfPageUp => self.selected = self.selected.saturating_sub(half),
            Action::HalfPageDown => self.selected = (self.selected + half).min(last),
            Action::Expand => {
                if let Some(Item::Finding(i)) = self.selected_item()
                    && self.finding(i).is_some()
                {
                    self.expanded = Some(i);
                }
            }
            Action::Collapse => {
                if let Some(Item::Finding(i) | Item::Evidence(i, _)) = self.selected_item() {
                    self.expanded = None;
                    self.select_finding(i);
                }
            }
            Action::Activate => match self.selected_item() {
                Some(Item::Finding(i)) => {
                    if self.expanded == Some(i) {
                        self.expanded = None;
                    } else if self.finding(i).is_some() {
                        self.expanded = Some(i);
                    }
                }
                Some(Item::Evidence(i, j)) => {
                    if let Some(n) = self.finding(i).and_then(|f| f.nodes().get(j).copied()) {
                        return HealthAsk::Jump(n);
                    }
                }
                None => {}
            },
            _ => return HealthAsk::NotMine,
        }
        HealthAsk::Nothing
    }

    /// Open a criterion's finding and select it (palette jumps, walkthrough steps).
    pub fn open_criterion(&mut self, id: crate::health::CriterionId) {
        if let Some(i) = self.rows.iter().position(|r| r.0 == id) {
            if self.finding(i).is_some() {
                self.expanded = Some(i);
            }
            self.select_finding(i);
        }
    }

    /// The finding the selection is on or inside.
    pub fn selected_finding(&self) -> Option<&Finding> {
        match self.selected_item()? {
            Item::Finding(i) | Item::Evidence(i, _) => self.finding(i),
        }
    }

    /// Adopt a complete report (keeping which finding is opened and selected).
    pub fn adopt(&mut self, report: &Arc<Report>) {
        let (selected, expanded) = (self.selected, self.expanded);
        *self = HealthView::from_report(report);
        self.selected = selected;
        self.expanded = expanded;
        self.clamp();
    }
}

/// The spinner frame for a time.
pub fn spinner(now: Option<DateTime<Utc>>) -> &'static str {
    let ms = now.map_or(0, |t| t.timestamp_millis());
    SPINNER[(ms / 100).rem_euclid(SPINNER.len() as i64) as usize]
}

/// The verdict's words for the banner.
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::ReadyForRelease => "READY FOR RELEASE",
        Verdict::ReadyWithAcceptedRisk => "READY WITH ACCEPTED RISK",
        Verdict::Blocked => "BLOCKED",
    }
}
