//! The live half of the explorer: the health pane's state ([`HealthView`]), live reloads of the evidence
//! file, and the background [`Workers`] the run loop owns.
//!
//! `update` stays pure: the app asks for work by queueing a [`Request`] (run the criteria, reload the
//! evidence, write a review record); the run loop hands requests to [`Workers`], which run them off the draw
//! thread and turn what comes back into [`Action::Work`] actions. Tests inject those actions directly, or
//! call [`Workers::poll`] / [`Workers::settle`] to run the real workers without a terminal.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::action::Action;
use super::app::{App, Pane};
use super::tree::{Sel, Tree};
use crate::evidence::{Evidence, LoadOptions};
use crate::health::run::{HealthEvent, HealthRun};
use crate::health::{Acceptance, CRITERIA, Finding, Report, Verdict};
use crate::review::ReviewRecord;
use crate::time::{AsOf, AsOfSource};

/// How often the run loop wakes while background work runs (the spinner's frame rate).
pub const WORK_TICK: Duration = Duration::from_millis(100);

/// Spinner frames; the frame shown derives from the tick time, never from a thread.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A payload carried by an action. Compared by identity, so [`Action`] stays `Eq` while it carries reports
/// and evidence.
#[derive(Debug)]
pub struct Msg<T>(pub Arc<T>);

impl<T> Clone for Msg<T> {
    fn clone(&self) -> Self {
        Msg(Arc::clone(&self.0))
    }
}

impl<T> Msg<T> {
    pub fn new(v: T) -> Self {
        Msg(Arc::new(v))
    }
}

impl<T> PartialEq for Msg<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Msg<T> {}

/// A reload that worked: the new evidence, its evaluation and the acceptances it was evaluated with.
#[derive(Debug)]
pub struct Reloaded {
    pub evidence: Arc<Evidence>,
    pub report: Report,
    pub acceptances: Vec<Acceptance>,
}

/// What background work reports back, as actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// One event of a running health evaluation.
    HealthEvent(Msg<HealthEvent>),
    /// Bytes hashed so far by the running evaluation.
    Hashed(u64),
    /// The evidence file changed on disk (debounced).
    EvidenceChanged,
    /// A reload finished (the error text when the file could not be loaded or evaluated).
    Reloaded(Msg<Result<Reloaded, String>>),
    /// A review record was written (its path), or could not be.
    ReviewSaved(Msg<Result<PathBuf, String>>),
}

impl Action {
    /// Actions that come from background work rather than from the user: they never clear the status.
    pub fn is_work(&self) -> bool {
        matches!(self, Action::Work(_))
    }
}

/// Work the app asks the run loop to do.
#[derive(Debug, Clone)]
pub enum Request {
    RunHealth { evidence: Arc<Evidence>, acceptances: Vec<Acceptance>, as_of: AsOf },
    Reload { path: PathBuf, options: LoadOptions, reviews: Vec<PathBuf>, as_of: AsOf },
    SaveReview { path: PathBuf, record: Box<ReviewRecord>, evidence: Arc<Evidence> },
}

/// Where the evidence came from and what it is evaluated with, for re-runs and reloads.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// The evidence path (None for embedded samples): watched and reloaded.
    pub source: Option<PathBuf>,
    pub load: LoadOptions,
    /// A fixed evaluation time for re-runs and reloads. `None`: the startup report's rule, so evidence read
    /// from disk without `--as-of` is evaluated as of the app's clock at each run, an embedded sample as of
    /// its own time, and a `--as-of` time stays.
    pub as_of: Option<AsOf>,
    /// Review records in force (`--review` files and reviews saved in the app).
    pub reviews: Vec<PathBuf>,
    /// Their acceptances against the loaded evidence.
    pub acceptances: Vec<Acceptance>,
    /// Where a review saved in the app goes (`--review-out`); default beside the evidence.
    pub review_out: Option<PathBuf>,
    /// A status message that outlives key presses (what the last reload changed), until the next reload.
    pub notice: Option<String>,
    /// Work queued for the run loop.
    pub requests: Vec<Request>,
}

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
    /// The right column shows this pane instead of the detail.
    pub shown: bool,
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
            shown: false,
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

    fn select_finding(&mut self, i: usize) {
        if let Some(p) = self.items().iter().position(|it| *it == Item::Finding(i)) {
            self.selected = p;
        }
    }

    fn clamp(&mut self) {
        self.selected = self.selected.min(self.items().len().saturating_sub(1));
    }
}

/// The spinner frame for a time.
pub fn spinner(now: Option<DateTime<Utc>>) -> &'static str {
    let ms = now.map_or(0, |t| t.timestamp_millis());
    SPINNER[(ms / 100).rem_euclid(SPINNER.len() as i64) as usize]
}

impl App {
    /// Tell the app where its evidence came from, so it can watch, reload and re-run it.
    pub fn set_live(&mut self, live: Live) {
        self.live = live;
    }

    /// Work the app asked for since the last call.
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.live.requests)
    }

    /// The evaluation time of the next run or reload (see [`Live::as_of`]).
    pub fn as_of(&self) -> AsOf {
        match self.live.as_of {
            Some(fixed) => fixed,
            None if self.report.as_of_source == AsOfSource::Now => AsOf::now_at(self.now.unwrap_or_else(Utc::now)),
            None => AsOf { at: self.report.as_of, source: self.report.as_of_source },
        }
    }

    /// Start a live health run (the run loop executes it).
    pub fn request_health(&mut self) {
        self.health.start(self.now);
        self.live.requests.retain(|r| !matches!(r, Request::RunHealth { .. }));
        self.live.requests.push(Request::RunHealth {
            evidence: Arc::clone(&self.evidence),
            acceptances: self.live.acceptances.clone(),
            as_of: self.as_of(),
        });
    }

    /// Keys and work for the health pane and the live evidence. Returns false when the action is not one
    /// of these (the panes handle it).
    pub(crate) fn update_live(&mut self, action: &Action) -> bool {
        match action {
            Action::Work(w) => self.apply_work(w.clone()),
            Action::ToggleHealth => {
                self.overlay = super::app::Overlay::None;
                if self.health_visible() {
                    self.health.shown = false;
                    if self.focus == Pane::Health {
                        self.focus = Pane::Tree;
                    }
                } else {
                    self.health.shown = true;
                    self.focus = Pane::Health;
                }
            }
            Action::RunHealth => {
                self.overlay = super::app::Overlay::None;
                self.health.shown = true;
                self.focus = Pane::Health;
                self.request_health();
            }
            _ if self.focus == Pane::Health => return self.update_health_pane(action),
            _ => return false,
        }
        true
    }

    fn update_health_pane(&mut self, action: &Action) -> bool {
        let len = self.health.items().len();
        let h = &mut self.health;
        match action {
            Action::Up => h.selected = h.selected.saturating_sub(1),
            Action::Down => h.selected = (h.selected + 1).min(len.saturating_sub(1)),
            Action::Top => h.selected = 0,
            Action::Bottom => h.selected = len.saturating_sub(1),
            Action::PageUp => h.selected = h.selected.saturating_sub(10),
            Action::PageDown => h.selected = (h.selected + 10).min(len.saturating_sub(1)),
            Action::Expand => {
                if let Some(Item::Finding(i)) = h.selected_item()
                    && h.finding(i).is_some()
                {
                    h.expanded = Some(i);
                }
            }
            Action::Collapse => {
                if let Some(Item::Finding(i) | Item::Evidence(i, _)) = h.selected_item() {
                    h.expanded = None;
                    h.select_finding(i);
                }
            }
            Action::Activate => match h.selected_item() {
                Some(Item::Finding(i)) => {
                    if h.expanded == Some(i) {
                        h.expanded = None;
                    } else if h.finding(i).is_some() {
                        h.expanded = Some(i);
                    }
                }
                Some(Item::Evidence(i, j)) => {
                    let node = h.finding(i).and_then(|f| f.nodes().get(j).copied());
                    if let Some(n) = node.filter(|&n| n < self.evidence.nodes.len()) {
                        self.health.shown = false;
                        self.update(Action::FocusNode(n));
                    }
                }
                None => {}
            },
            _ => return false,
        }
        true
    }

    fn apply_work(&mut self, w: Work) {
        match w {
            Work::HealthEvent(Msg(ev)) => {
                if let Some(report) = self.health.apply(&ev) {
                    self.adopt(None, report);
                }
            }
            Work::Hashed(b) => self.health.bytes = b,
            Work::EvidenceChanged => {
                // What the reload will say replaces an older one-shot message.
                self.status = None;
                if let Some(path) = self.live.source.clone() {
                    self.live.requests.retain(|r| !matches!(r, Request::Reload { .. }));
                    self.live.requests.push(Request::Reload {
                        path,
                        options: self.live.load.clone(),
                        reviews: self.live.reviews.clone(),
                        as_of: self.as_of(),
                    });
                    self.live.notice = Some("evidence changed on disk: reloading…".into());
                }
            }
            Work::Reloaded(Msg(result)) => match &*result {
                Ok(r) => {
                    let changes = crate::live::diff(&self.evidence, &self.report, &r.evidence, &r.report);
                    self.live.acceptances = r.acceptances.clone();
                    self.adopt(Some(Arc::clone(&r.evidence)), r.report.clone());
                    self.live.notice = Some(changes.summary());
                }
                Err(e) => {
                    self.live.notice =
                        Some(format!("reload failed: {} — showing the last good evidence", crate::sanitize::clean(e)));
                }
            },
            Work::ReviewSaved(Msg(result)) => self.review_saved(&result),
        }
    }

    /// Swap in a new report (and evidence, after a reload): rebuild the tree keeping the selection by node
    /// id, refresh the health pane.
    pub(crate) fn adopt(&mut self, evidence: Option<Arc<Evidence>>, report: Report) {
        let keep = self.tree.selection().and_then(Tree::node_of).map(|n| self.evidence.nodes[n].id.clone());
        let group = match self.tree.selection() {
            Some(Sel::Group(g)) => Some(self.tree.groups[g].kind.clone()),
            _ => None,
        };
        let reloaded = evidence.is_some();
        if let Some(ev) = evidence {
            self.evidence = ev;
            self.boundary = None;
            self.history.clear();
        }
        let report = Arc::new(report);
        self.report = Arc::clone(&report);
        let (shown, selected, expanded) = (self.health.shown, self.health.selected, self.health.expanded);
        if !self.health.running || reloaded {
            self.health = HealthView::from_report(&report);
            self.health.shown = shown;
            self.health.selected = selected;
            self.health.expanded = expanded;
            self.health.clamp();
        }
        self.tree = Tree::new(&self.evidence, &self.report);
        if !self.filter_text.is_empty() {
            self.tree.set_filter(&self.evidence, &self.filter_text);
        }
        if let Some(id) = keep
            && let Some(&n) = self.evidence.find_text(&id).first()
        {
            self.tree.reveal(n);
        } else if let Some(kind) = group
            && let Some(g) = self.tree.groups.iter().position(|x| x.kind == kind)
        {
            self.tree.select(Sel::Group(g));
        }
        self.invalidate_detail();
    }
}

/// Background work, owned by the run loop (never by the app).
pub struct Workers {
    watch: Option<crate::live::Watch>,
    health: Option<HealthRun>,
    reload: Option<Receiver<Result<Reloaded, String>>>,
}

impl Workers {
    /// Workers for an app: a debounced watch on its evidence path, when it has one.
    pub fn new(app: &App) -> Workers {
        let watch = app.live.source.as_deref().and_then(|p| crate::live::Watch::new(p, crate::live::DEBOUNCE).ok());
        Workers { watch, health: None, reload: None }
    }

    /// True while a health run or a reload is under way (the loop ticks faster so the spinner moves).
    pub fn busy(&self) -> bool {
        self.health.is_some() || self.reload.is_some()
    }

    /// Run what the app asked for, and feed back what the workers and the watch report. Never blocks.
    /// Returns true when anything reached the app.
    pub fn poll(&mut self, app: &mut App) -> bool {
        let mut any = false;
        for _ in 0..64 {
            let mut actions: Vec<Action> = Vec::new();
            for req in app.take_requests() {
                if let Some(a) = self.execute(req) {
                    actions.push(a);
                }
            }
            if let Some(run) = &self.health {
                let mut done = false;
                loop {
                    match run.events.try_recv() {
                        Ok(ev) => {
                            done |= matches!(ev, HealthEvent::Done(_) | HealthEvent::Failed(_));
                            actions.push(Action::Work(Work::Hashed(run.hashed_bytes())));
                            actions.push(Action::Work(Work::HealthEvent(Msg::new(ev))));
                        }
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Disconnected) => {
                            done = true;
                            break;
                        }
                    }
                }
                if !done && app.health.bytes != run.hashed_bytes() {
                    actions.push(Action::Work(Work::Hashed(run.hashed_bytes())));
                }
                if done {
                    self.health = None;
                }
            }
            if let Some(rx) = &self.reload {
                match rx.try_recv() {
                    Ok(r) => {
                        actions.push(Action::Work(Work::Reloaded(Msg::new(r))));
                        self.reload = None;
                    }
                    Err(TryRecvError::Disconnected) => {
                        actions.push(Action::Work(Work::Reloaded(Msg::new(Err("the reload stopped".into())))));
                        self.reload = None;
                    }
                    Err(TryRecvError::Empty) => {}
                }
            }
            if self.watch.as_ref().is_some_and(|w| w.changed()) {
                actions.push(Action::Work(Work::EvidenceChanged));
            }
            if actions.is_empty() {
                break;
            }
            any = true;
            for a in actions {
                app.update(a);
            }
        }
        any
    }

    /// Poll until no work is under way or queued, or `timeout` passes (tests and scripted runs).
    pub fn settle(&mut self, app: &mut App, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            self.poll(app);
            if !self.busy() && app.live.requests.is_empty() {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn execute(&mut self, req: Request) -> Option<Action> {
        match req {
            Request::RunHealth { evidence, acceptances, as_of } => {
                self.health = Some(HealthRun::start(evidence, acceptances, as_of));
                None
            }
            Request::Reload { path, options, reviews, as_of } => {
                let (tx, rx) = channel();
                std::thread::spawn(move || {
                    let _ = tx.send(reload(&path, &options, &reviews, as_of));
                });
                self.reload = Some(rx);
                None
            }
            Request::SaveReview { path, record, evidence } => {
                let r =
                    crate::review::write_atomic(&path, &record, &evidence).map(|()| path).map_err(|e| e.to_string());
                Some(Action::Work(Work::ReviewSaved(Msg::new(r))))
            }
        }
    }
}

/// Load and evaluate the evidence again, with the review records in force.
pub fn reload(path: &Path, options: &LoadOptions, reviews: &[PathBuf], as_of: AsOf) -> Result<Reloaded, String> {
    let evidence = crate::evidence::load_path(path, options).map_err(|e| e.to_string())?;
    let acceptances = crate::review::acceptances(reviews, &evidence).map_err(|e| e.to_string())?;
    let report = crate::health::evaluate(&evidence, &acceptances, as_of).map_err(|e| e.to_string())?;
    Ok(Reloaded { evidence: Arc::new(evidence), report, acceptances })
}

/// The verdict's words for the banner.
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::ReadyForRelease => "READY FOR RELEASE",
        Verdict::ReadyWithAcceptedRisk => "READY WITH ACCEPTED RISK",
        Verdict::Blocked => "BLOCKED",
    }
}

impl App {
    /// Whether the right column shows the health pane (else the detail).
    pub fn health_visible(&self) -> bool {
        self.focus == Pane::Health || (self.health.shown && self.focus != Pane::Detail)
    }

    /// Actions for the health pane and background work, which [`App::update_live`] handles.
    pub(crate) fn handles_live(&self, action: &Action) -> bool {
        match action {
            Action::Work(_) | Action::ToggleHealth | Action::RunHealth => true,
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown
            | Action::Expand
            | Action::Collapse
            | Action::Activate => {
                self.focus == Pane::Health && self.overlay == super::app::Overlay::None && !self.filter_editing
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::load_path;
    use crate::health::Status;
    use crate::time::parse_instant;
    use crate::tui::harness;
    use ratatui::crossterm::event::KeyCode;

    use crate::samples::on_disk;

    /// An app on a sample file read from disk (so it can reload), evaluated as of the samples' time.
    pub(crate) fn app_on(file: &str) -> App {
        let ev = load_path(&on_disk::path(file), &LoadOptions::default()).unwrap();
        let mut app = harness::app(ev, Some(parse_instant(on_disk::AS_OF).unwrap()), 100, 30);
        app.update(Action::Tick(parse_instant(on_disk::AS_OF).unwrap()));
        app
    }

    fn events(app: &App) -> Vec<HealthEvent> {
        HealthRun::start(Arc::clone(&app.evidence), Vec::new(), app.report.as_of).events.iter().collect()
    }

    #[test]
    fn the_pane_opens_on_the_startup_result() {
        let app = app_on("accepted-risk-store.json");
        assert!(!app.health.running);
        assert_eq!(app.health.rows.len(), CRITERIA.len());
        assert!(app.health.rows.iter().all(|r| matches!(r.2, Row::Done(_))));
        assert_eq!(app.health.report.as_ref().unwrap().verdict, Verdict::Blocked);
    }

    #[test]
    fn streamed_events_move_each_row_from_pending_to_running_to_done() {
        let mut app = app_on("accepted-risk-store.json");
        harness::type_keys(&mut app, "c");
        let reqs = app.take_requests();
        assert!(matches!(reqs.as_slice(), [Request::RunHealth { .. }]), "{reqs:?}");
        assert!(app.health.running);
        assert!(app.health.rows.iter().all(|r| r.2 == Row::Pending));
        assert_eq!(app.focus, Pane::Health);
        for ev in events(&app) {
            let before_done = app.health.done();
            let expect = ev.clone();
            app.update(Action::Work(Work::HealthEvent(Msg::new(ev))));
            match expect {
                HealthEvent::Started { total } => assert_eq!(app.health.total, total),
                HealthEvent::Running { index, id } => {
                    assert_eq!(app.health.rows[index].2, Row::Running);
                    assert_eq!(app.health.index, Some(index));
                    assert_eq!(app.health.rows[index].0, id);
                    assert_eq!(app.health.done(), index, "every earlier row is done");
                    let screen = harness::screen(&app);
                    assert!(screen.contains(&format!("criterion {} of 10 · {id}", index + 1)), "{screen}");
                }
                HealthEvent::Finding { index, .. } => {
                    assert!(matches!(app.health.rows[index].2, Row::Done(_)));
                    assert_eq!(app.health.done(), before_done + 1);
                }
                HealthEvent::Done(_) => {
                    assert!(!app.health.running);
                    assert_eq!(app.report.verdict, Verdict::Blocked);
                }
                HealthEvent::Failed(e) => panic!("{e}"),
            }
        }
        assert!(harness::screen(&app).contains("✗ BLOCKED"));
    }

    #[test]
    fn a_failed_run_says_why_and_keeps_the_last_verdict() {
        let mut app = app_on("accepted-risk-store.json");
        app.update(Action::RunHealth);
        let err = crate::evidence::LoadError::new("store.json", "boom");
        app.update(Action::Work(Work::HealthEvent(Msg::new(HealthEvent::Failed(err)))));
        assert!(!app.health.running);
        assert!(app.health.error.as_deref().unwrap().contains("boom"));
        assert_eq!(app.report.verdict, Verdict::Blocked);
        assert!(harness::screen(&app).contains("the run stopped"));
    }

    #[test]
    fn a_finding_expands_and_its_evidence_line_jumps_to_the_node() {
        let mut app = app_on("accepted-risk-store.json");
        harness::type_keys(&mut app, "v");
        assert_eq!(app.focus, Pane::Health);
        let retry = CRITERIA.iter().position(|c| c.id == crate::health::CriterionId::RetryWorkflow).unwrap();
        for _ in 0..retry {
            harness::press(&mut app, KeyCode::Down);
        }
        assert_eq!(app.health.selected_item(), Some(Item::Finding(retry)));
        harness::press(&mut app, KeyCode::Enter);
        assert_eq!(app.health.expanded, Some(retry));
        let f = app.health.finding(retry).unwrap().clone();
        assert_eq!(f.status, Status::Warn);
        let screen = harness::screen(&app);
        assert!(screen.contains("reason: retry plan"), "{screen}");
        assert!(screen.contains("next step:"), "{screen}");
        harness::press(&mut app, KeyCode::Down);
        assert_eq!(app.health.selected_item(), Some(Item::Evidence(retry, 0)));
        harness::press(&mut app, KeyCode::Enter);
        assert_eq!(app.focus, Pane::Tree);
        assert!(!app.health_visible());
        assert_eq!(app.tree.selection().and_then(Tree::node_of), Some(f.nodes()[0]));
        // Back to the pane: the finding is still open.
        harness::type_keys(&mut app, "v");
        assert_eq!(app.health.expanded, Some(retry));
        harness::press(&mut app, KeyCode::Left);
        assert_eq!(app.health.expanded, None);
        assert_eq!(app.health.selected_item(), Some(Item::Finding(retry)));
    }

    #[test]
    fn tab_cycles_through_the_health_pane() {
        let mut app = app_on("clean-store.json");
        harness::press(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Detail);
        assert!(!app.health_visible());
        harness::press(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Health);
        assert!(harness::screen(&app).contains("READY FOR RELEASE"));
        harness::press(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Tree);
    }

    #[test]
    fn progress_shows_bytes_hashed_and_rate_from_ticks() {
        let mut app = app_on("clean-store.json");
        app.update(Action::RunHealth);
        let t0 = app.now.unwrap();
        app.update(Action::Work(Work::HealthEvent(Msg::new(HealthEvent::Started { total: 10 }))));
        app.update(Action::Work(Work::HealthEvent(Msg::new(HealthEvent::Running {
            index: 5,
            id: crate::health::CriterionId::ArtifactBundle,
        }))));
        app.update(Action::Work(Work::Hashed(12_400_000)));
        app.update(Action::Tick(t0 + chrono::Duration::milliseconds(400)));
        let screen = harness::screen(&app);
        assert!(screen.contains("criterion 6 of 10 · artifact_bundle"), "{screen}");
        assert!(screen.contains("hashed 12.4 MB · 31 MB/s"), "{screen}");
        assert_ne!(spinner(Some(t0)), spinner(Some(t0 + chrono::Duration::milliseconds(100))));
    }

    #[test]
    fn reloads_swap_the_evidence_or_keep_the_last_good_one() {
        let mut app = app_on("clean-store.json");
        app.set_live(Live { source: Some(on_disk::path("clean-store.json")), ..Live::default() });
        app.status = Some("review saved to x.json".into());
        app.update(Action::Work(Work::EvidenceChanged));
        assert_eq!(app.status, None, "an older one-shot message gives way to the reload's");
        assert!(matches!(app.take_requests().as_slice(), [Request::Reload { .. }]));
        let as_of = app.as_of();
        let good = reload(&on_disk::path("accepted-risk-store.json"), &LoadOptions::default(), &[], as_of);
        app.update(Action::Work(Work::Reloaded(Msg::new(good))));
        assert_eq!(app.report.verdict, Verdict::Blocked);
        let notice = app.live.notice.clone().unwrap();
        assert!(notice.contains("retry_workflow pass → warn"), "{notice}");
        // A key does not clear what the reload changed.
        harness::press(&mut app, KeyCode::Down);
        assert!(harness::screen(&app).contains("evidence reloaded: verdict"));
        app.update(Action::Work(Work::Reloaded(Msg::new(Err("store.json: unexpected end of input".into())))));
        assert_eq!(app.report.verdict, Verdict::Blocked);
        assert!(app.live.notice.as_deref().unwrap().starts_with("reload failed: store.json: unexpected end"));
    }

    /// Re-runs and reloads keep the startup report's time rule: evidence on disk judged "now" is judged as of
    /// the app's clock at each run; a `--as-of` time and a sample's own time stay.
    #[test]
    fn re_runs_keep_the_time_rule_of_the_startup_report() {
        let t0 = parse_instant(on_disk::AS_OF).unwrap();
        let later = t0 + chrono::Duration::days(30);
        let ev = load_path(&on_disk::path("trial-walkthrough.json"), &LoadOptions::default()).unwrap();
        assert_eq!(ev.default_as_of, None, "a trial package on disk carries no evaluation time of its own");
        let report = crate::health::evaluate(&ev, &[], AsOf::now_at(t0)).unwrap();
        assert_eq!(report.verdict, Verdict::ReadyWithAcceptedRisk);
        let mut app = App::new(Arc::new(ev), Arc::new(report), 100, 30);
        app.set_live(Live { source: Some(on_disk::path("trial-walkthrough.json")), ..Live::default() });
        app.update(Action::Tick(later));
        assert_eq!(app.as_of(), AsOf::now_at(later));
        assert!(harness::screen(&app).contains("(now)"), "the header says which time");
        app.update(Action::Work(Work::EvidenceChanged));
        let reqs = app.take_requests();
        let [Request::Reload { as_of, .. }] = reqs.as_slice() else { panic!("{reqs:?}") };
        assert_eq!(*as_of, AsOf::now_at(later));
        let reloaded = reload(&on_disk::path("trial-walkthrough.json"), &LoadOptions::default(), &[], *as_of);
        app.update(Action::Work(Work::Reloaded(Msg::new(reloaded))));
        assert_eq!(app.report.verdict, Verdict::Blocked, "the acceptance expired in the meantime");
        assert_eq!(app.report.as_of_source, AsOfSource::Now);

        // --as-of: the given time stays, whatever the clock says.
        let mut given = app_on("clean-store.json");
        given.update(Action::Tick(later));
        assert_eq!(given.as_of(), AsOf::given(t0));
        assert!(harness::screen(&given).contains("(--as-of)"));
        // An embedded sample: its own time.
        let ev = crate::samples::load("clean-store", &LoadOptions::default()).unwrap();
        let mut sample = harness::app(ev, None, 100, 30);
        sample.update(Action::Tick(later));
        assert_eq!(sample.as_of(), AsOf::sample(t0));
        assert!(harness::screen(&sample).contains("(own time)"));
    }

    #[test]
    fn workers_run_a_real_health_run_to_its_verdict() {
        let mut app = app_on("accepted-risk-store.json");
        let mut w = Workers::new(&app);
        app.update(Action::RunHealth);
        assert!(w.settle(&mut app, Duration::from_secs(60)));
        assert!(!app.health.running);
        assert_eq!(app.health.done(), CRITERIA.len());
        assert_eq!(app.report.verdict, Verdict::Blocked);
    }
}
