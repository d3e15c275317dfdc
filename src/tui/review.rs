//! The retry plan review: a modal wizard that walks each open failed closeout delivery through four fact
//! panes (the failed delivery, the retry decision, the worker evidence, the boundary check) and ends in an
//! owner acceptance form. Saving builds a `closeout.review.v1` record ([`crate::review`]), which the run
//! loop writes atomically; the acceptance then counts in the app's verdict at once.
//!
//! Facts come from the artifacts, every string through [`crate::sanitize::clean`]; redacted values keep
//! their `«REDACTED: kind»` form and render in reverse video.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::action::Action;
use super::health::{Msg, Request};
use crate::evidence::{EValue, Evidence, Kind, Model, RedactedBy};
use crate::health::Status;
use crate::review::{self, AcceptanceInput, DeliveryReview, FieldError, PaneOutcome, RecordInput, ReviewRecord};
use crate::sanitize::clean;
use crate::tui::app::App;

/// Panes per delivery before the acceptance form.
pub const FACT_PANES: usize = 4;

/// Short names of the five panes, for the progress line.
pub const PANE_SHORT: [&str; 5] = ["delivery", "decision", "worker", "boundary", "acceptance"];

/// Titles of the five panes.
pub const PANE_TITLES: [&str; 5] =
    ["The failed delivery", "The retry decision", "Worker evidence", "Boundary check", "Owner acceptance"];

/// The form's fields: (record field name, label).
pub const FIELDS: [(&str, &str); 6] = [
    ("owner", "Owner"),
    ("external_ref", "External reference"),
    ("reason", "Reason"),
    ("target_resolution_date", "Target resolution date"),
    ("expires_at", "Expiry"),
    ("reviewer", "Reviewer (optional; default: owner)"),
];

/// A piece of a fact's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Text(String),
    /// A redacted value, as its `«REDACTED: kind»` display.
    Secret(String),
}

/// One labelled fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: String,
    pub value: Vec<Seg>,
}

impl Fact {
    fn text(label: impl Into<String>, value: impl Into<String>) -> Fact {
        Fact { label: label.into(), value: vec![Seg::Text(value.into())] }
    }

    /// The value as plain text.
    pub fn plain(&self) -> String {
        self.value
            .iter()
            .map(|s| match s {
                Seg::Text(t) | Seg::Secret(t) => t.as_str(),
            })
            .collect()
    }
}

/// A computed check: ✓ pass, ! warn, ✗ fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    pub text: String,
}

fn check(status: Status, text: impl Into<String>) -> Check {
    Check { status, text: text.into() }
}

/// What one fact pane shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaneFacts {
    pub facts: Vec<Fact>,
    pub checks: Vec<Check>,
}

/// One failed delivery under review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFacts {
    pub id: String,
    pub panes: [PaneFacts; FACT_PANES],
}

/// How the reviewer marked a fact pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Reviewed,
    Flagged,
}

impl Mark {
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Reviewed => "reviewed",
            Mark::Flagged => "flagged",
        }
    }
}

/// The wizard's state.
#[derive(Debug, Clone)]
pub struct ReviewWizard {
    pub deliveries: Vec<DeliveryFacts>,
    /// The delivery shown (0-based).
    pub delivery: usize,
    /// The pane shown (0-based; 4 is the acceptance form).
    pub pane: usize,
    pub marks: Vec<[Option<Mark>; FACT_PANES]>,
    /// The form's text, one entry per [`FIELDS`].
    pub form: [String; 6],
    pub field: usize,
    pub errors: Vec<FieldError>,
    /// "Discard this review? y/n" is showing.
    pub confirm: bool,
    pub scroll: usize,
    /// A record waiting for the run loop to write it.
    pub saving: Option<(std::path::PathBuf, Box<ReviewRecord>)>,
    pub save_error: Option<String>,
}

impl ReviewWizard {
    /// A wizard over every open failed closeout delivery; an explanation when there is none.
    pub fn open(ev: &Evidence) -> Result<ReviewWizard, String> {
        let deliveries = failed_deliveries(ev).map_err(|e| e.to_string())?;
        if deliveries.is_empty() {
            return Err("no failed closeout delivery to review: every closeout delivery was delivered".into());
        }
        Ok(ReviewWizard {
            marks: vec![[None; FACT_PANES]; deliveries.len()],
            deliveries,
            delivery: 0,
            pane: 0,
            form: Default::default(),
            field: 0,
            errors: Vec::new(),
            confirm: false,
            scroll: 0,
            saving: None,
            save_error: None,
        })
    }

    /// "Retry plan review · delivery k of K · pane n of 5".
    pub fn title(&self) -> String {
        format!(
            "Retry plan review · delivery {} of {} · pane {} of 5",
            self.delivery + 1,
            self.deliveries.len(),
            self.pane + 1
        )
    }

    pub fn on_form(&self) -> bool {
        self.pane == FACT_PANES
    }

    /// Anything typed or marked (Esc then asks before discarding).
    pub fn touched(&self) -> bool {
        self.form.iter().any(|f| !f.is_empty()) || self.marks.iter().flatten().any(Option::is_some)
    }

    pub fn current(&self) -> &DeliveryFacts {
        &self.deliveries[self.delivery]
    }

    fn next(&mut self, mark: Option<Mark>) {
        if self.on_form() {
            return;
        }
        if let Some(m) = mark {
            self.marks[self.delivery][self.pane] = Some(m);
        }
        self.scroll = 0;
        if self.pane + 1 < FACT_PANES {
            self.pane += 1;
        } else if self.delivery + 1 < self.deliveries.len() {
            self.delivery += 1;
            self.pane = 0;
        } else {
            self.pane = FACT_PANES;
        }
    }

    fn back(&mut self) {
        self.scroll = 0;
        if self.pane > 0 {
            self.pane -= 1;
        } else if self.delivery > 0 {
            self.delivery -= 1;
            self.pane = FACT_PANES - 1;
        }
    }

    /// The form as the engine validates it.
    pub fn input(&self) -> AcceptanceInput {
        AcceptanceInput {
            owner: self.form[0].clone(),
            external_ref: self.form[1].clone(),
            reason: self.form[2].clone(),
            target_resolution_date: self.form[3].clone(),
            expires_at: self.form[4].clone(),
        }
    }

    /// The errors for one field.
    pub fn errors_for(&self, field: usize) -> Vec<&FieldError> {
        let name = FIELDS[field].0;
        self.errors.iter().filter(|e| e.field == name).collect()
    }

    /// Each delivery with the outcome of each pane.
    pub fn outcomes(&self) -> Vec<DeliveryReview> {
        self.deliveries
            .iter()
            .zip(&self.marks)
            .map(|(d, marks)| DeliveryReview {
                delivery_id: d.id.clone(),
                panes: review::PANES
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PaneOutcome {
                        pane: p.to_string(),
                        outcome: match marks.get(i) {
                            Some(Some(m)) => m.as_str().to_string(),
                            Some(None) => "skipped".to_string(),
                            None => "reviewed".to_string(),
                        },
                        note: None,
                    })
                    .collect(),
            })
            .collect()
    }
}

impl App {
    /// The review's keys. Returns false when the review is not open.
    pub(crate) fn update_review(&mut self, action: &Action) -> bool {
        let Some(w) = self.review.as_mut() else {
            if *action == Action::OpenReview {
                self.open_review();
                return true;
            }
            return false;
        };
        if w.confirm {
            match action {
                Action::ConfirmYes => {
                    self.review = None;
                    self.status = Some("review discarded: nothing was recorded".into());
                }
                Action::ConfirmNo | Action::Cancel => w.confirm = false,
                _ => {}
            }
            return true;
        }
        match action {
            Action::Cancel => {
                if w.touched() {
                    w.confirm = true;
                } else {
                    self.review = None;
                    self.status = Some("review closed: nothing was recorded".into());
                }
            }
            Action::ReviewNext if !w.on_form() => w.next(Some(Mark::Reviewed)),
            Action::ReviewFlag if !w.on_form() => w.next(Some(Mark::Flagged)),
            Action::ReviewBack => w.back(),
            Action::Up => w.scroll = w.scroll.saturating_sub(1),
            Action::Down => w.scroll += 1,
            Action::ReviewNextField => w.field = (w.field + 1).min(FIELDS.len() - 1),
            Action::ReviewPrevField => {
                if w.field == 0 {
                    w.back();
                } else {
                    w.field -= 1;
                }
            }
            Action::ReviewInput(c) if w.on_form() => w.form[w.field].push(*c),
            Action::ReviewBackspace if w.on_form() => {
                w.form[w.field].pop();
            }
            Action::Activate if w.on_form() => {
                if w.field + 1 < FIELDS.len() {
                    w.field += 1;
                } else {
                    self.submit_review();
                }
            }
            Action::ReviewSubmit if w.on_form() => self.submit_review(),
            _ => {}
        }
        true
    }

    fn open_review(&mut self) {
        match ReviewWizard::open(&self.evidence) {
            Ok(w) => {
                self.overlay = super::app::Overlay::None;
                self.filter_editing = false;
                self.review = Some(w);
            }
            Err(e) => self.status = Some(e),
        }
    }

    /// Validate the form; when valid, build the record and ask the run loop to write it.
    fn submit_review(&mut self) {
        let as_of = self.as_of().at;
        let now = self.now.unwrap_or(as_of);
        let covers: Vec<String> =
            self.report.findings.iter().filter(|f| f.status == Status::Warn).map(|f| f.id.to_string()).collect();
        let out = self.live.review_out.clone();
        let evidence = Arc::clone(&self.evidence);
        let Some(w) = self.review.as_mut() else { return };
        let input = w.input();
        w.errors = review::validate_acceptance(&input, as_of);
        w.save_error = None;
        if !w.errors.is_empty() {
            let first = w.errors[0].field;
            w.field = FIELDS.iter().position(|f| f.0 == first).unwrap_or(w.field);
            self.status = Some(format!("{} problem(s) in the acceptance: see the marked fields", w.errors.len()));
            return;
        }
        let reviewer = if w.form[5].trim().is_empty() { w.form[0].clone() } else { w.form[5].clone() };
        let record = review::build_record(
            &evidence,
            RecordInput {
                reviewer: &reviewer,
                reviewed_at: now,
                as_of,
                deliveries: w.outcomes(),
                acceptance: Some(&input),
                covers,
            },
        );
        match record {
            Ok(record) => {
                let path = out.unwrap_or_else(|| review::default_path(&evidence, now));
                w.saving = Some((path.clone(), Box::new(record.clone())));
                self.live.requests.push(Request::SaveReview { path, record: Box::new(record), evidence });
                self.status = Some("saving the review record…".into());
            }
            Err(e) => w.save_error = Some(clean(&e.to_string()).into_owned()),
        }
    }

    /// The run loop wrote (or failed to write) the record.
    pub(crate) fn review_saved(&mut self, result: &Result<std::path::PathBuf, String>) {
        let Some(w) = self.review.as_mut() else { return };
        let Some((_, record)) = w.saving.take() else { return };
        match result {
            Ok(path) => {
                let shown = path.display().to_string();
                match review::to_acceptance(&record, &shown, &self.evidence) {
                    Ok(Some(a)) => self.live.acceptances.push(a),
                    Ok(None) => {}
                    Err(e) => self.live.notice = Some(clean(&e.to_string()).into_owned()),
                }
                self.live.reviews.push(path.clone());
                self.review = None;
                self.request_health();
                self.status = Some(format!("review saved to {}", clean(&shown)));
            }
            Err(e) => {
                w.save_error = Some(clean(e).into_owned());
                self.status = Some(format!("review not saved: {}", clean(e)));
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------ facts

fn text_of(v: Option<&EValue>) -> String {
    match v {
        None | Some(EValue::Null) => "not recorded".into(),
        Some(EValue::String(s)) if s.is_empty() => "(empty)".into(),
        Some(EValue::String(s)) => clean(s).into_owned(),
        Some(other) => clean(&other.scalar_text()).into_owned(),
    }
}

fn segs(v: Option<&EValue>) -> Vec<Seg> {
    match v {
        Some(EValue::Redacted(r)) => vec![Seg::Secret(r.to_string())],
        other => vec![Seg::Text(text_of(other))],
    }
}

fn fact(label: &str, v: Option<&EValue>) -> Fact {
    Fact { label: label.to_string(), value: segs(v) }
}

/// The open failed closeout deliveries, with the facts of each pane. Runtime evidence: deliveries that
/// failed and were not delivered later for the same event (what the retry criterion considers); a trial
/// package: the retry plan's `source_delivery_id` when the closeout summary records a failed delivery.
pub fn failed_deliveries(ev: &Evidence) -> Result<Vec<DeliveryFacts>, crate::evidence::LoadError> {
    if ev.model == Model::TrialPackage {
        return trial_deliveries(ev);
    }
    let (open, _) = crate::health::closeout_deliveries(ev)?;
    open.into_iter().map(|d| runtime_delivery(ev, d)).collect()
}

fn runtime_delivery(ev: &Evidence, d: usize) -> Result<DeliveryFacts, crate::evidence::LoadError> {
    let id = ev.nodes[d].id.clone();
    let art = ev.artifact(d)?;
    // Pane 1: the failed delivery.
    let mut p1 = PaneFacts::default();
    p1.facts.push(Fact::text("delivery", clean(&id)));
    p1.facts.push(fact("event", art.get("event_id")));
    let providers: Vec<&EValue> =
        art.get("deliveries").and_then(EValue::as_array).map(|a| a.iter().collect()).unwrap_or_default();
    let mut total_attempts = 0;
    for p in &providers {
        let name = text_of(p.get("provider"));
        total_attempts += p.get("attempt_count").and_then(EValue::as_i64).unwrap_or(0);
        p1.facts.push(Fact::text("provider", name.clone()));
        p1.facts.push(fact("  attempts", p.get("attempt_count")));
        p1.facts.push(fact("  success", p.get("success")));
        p1.facts.push(fact("  error", p.get("error")));
        p1.facts.push(fact("  status code", p.get("status_code")));
        if let Some(req) = p.get("request") {
            p1.facts.push(fact("  request method", req.get("method")));
            p1.facts.push(fact("  request url", req.get("url")));
            if let Some(EValue::Object(h)) = req.get("headers") {
                for (k, v) in h {
                    p1.facts.push(fact(&format!("  header {}", clean(k)), Some(v)));
                }
            }
        }
        if p.get("success").and_then(EValue::as_bool) != Some(true) {
            let mut why = format!("{name} not delivered");
            if let Some(e) = p.get("error").and_then(EValue::as_str) {
                why.push_str(&format!(": {}", clean(e)));
            }
            if let Some(c) = p.get("status_code").and_then(EValue::as_i64) {
                why.push_str(&format!(" (HTTP {c})"));
            }
            p1.checks.push(check(Status::Fail, why));
        }
    }
    p1.facts.insert(2, Fact::text("attempts", total_attempts.to_string()));
    p1.checks.push(check(Status::Pass, "the request is shown as recorded: its secrets stay redacted"));

    // Pane 2: the retry decision.
    let mut p2 = PaneFacts::default();
    let plan = ev.latest(&Kind::RetryPlan);
    let mut nodes = vec![d];
    match plan {
        None => p2.checks.push(check(Status::Fail, "no retry plan in the evidence")),
        Some(pi) => {
            nodes.push(pi);
            let pa = ev.artifact(pi)?;
            p2.facts.push(Fact::text("retry plan", clean(&ev.nodes[pi].id)));
            let max = pa.get("max_retry_attempts").and_then(EValue::as_i64);
            let dec = pa
                .get("retry_decisions")
                .and_then(EValue::as_array)
                .and_then(|a| a.iter().find(|x| x.get("delivery_id").and_then(EValue::as_str) == Some(id.as_str())));
            match dec {
                None => p2.checks.push(check(Status::Fail, "the retry plan has no decision for this delivery")),
                Some(dec) => {
                    let action = dec.get("action").and_then(EValue::as_str).unwrap_or("missing");
                    let reason = dec.get("reason").and_then(EValue::as_str).unwrap_or("");
                    let attempts = dec.get("attempts").and_then(EValue::as_i64);
                    p2.facts.push(fact("action", dec.get("action")));
                    p2.facts.push(fact("reason", dec.get("reason")));
                    p2.facts.push(fact("attempts", dec.get("attempts")));
                    p2.facts.push(fact("max_retry_attempts", pa.get("max_retry_attempts")));
                    p2.facts.push(fact("age (minutes)", dec.get("age_minutes")));
                    p2.facts.push(fact("retry delay (minutes)", pa.get("retry_delay_minutes")));
                    p2.facts.push(fact("allow immediate retry", pa.get("allow_immediate_retry")));
                    let shown = |n: Option<i64>| n.map_or("?".to_string(), |n| n.to_string());
                    let at_max = matches!((attempts, max), (Some(a), Some(m)) if a >= m);
                    p2.checks.push(check(
                        if at_max { Status::Warn } else { Status::Pass },
                        format!("attempts {} of max {}", shown(attempts), shown(max)),
                    ));
                    let status = match action {
                        "retry" => Status::Pass,
                        "wait" | "suppress" => Status::Warn,
                        _ => Status::Fail,
                    };
                    p2.checks.push(check(status, format!("action {} ({})", clean(action), clean(reason))));
                    if (action == "suppress" && reason == "max_retry_attempts_reached") || at_max {
                        p2.checks.push(check(
                            Status::Warn,
                            "CAVRA sums attempt_count over providers; with API defaults (2 retries, max 3) a failed \
                             delivery is classified suppress, never retried",
                        ));
                    }
                    if action == "wait" {
                        p2.checks.push(check(
                            Status::Warn,
                            format!(
                                "inside the retry delay window ({} of {} minutes)",
                                text_of(dec.get("age_minutes")),
                                text_of(pa.get("retry_delay_minutes"))
                            ),
                        ));
                    }
                }
            }
        }
    }

    // Pane 3: worker evidence.
    let mut p3 = PaneFacts::default();
    let worker = ev.latest(&Kind::WorkerRun);
    match worker {
        None => p3.checks.push(check(Status::Fail, "no retry worker run in the evidence")),
        Some(wi) => {
            nodes.push(wi);
            let wa = ev.artifact(wi)?;
            let dry = wa.get("dry_run").and_then(EValue::as_bool);
            p3.facts.push(Fact::text("worker run", clean(&ev.nodes[wi].id)));
            p3.facts.push(Fact::text(
                "mode",
                match dry {
                    Some(true) => "dry run",
                    Some(false) => "live",
                    None => "not recorded",
                },
            ));
            let selected: Vec<String> = wa
                .get("selected_retries")
                .and_then(EValue::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(|s| s.get("delivery_id").and_then(EValue::as_str))
                .map(|s| clean(s).into_owned())
                .collect();
            p3.facts.push(Fact::text(
                "selected retries",
                if selected.is_empty() { "none".to_string() } else { selected.join(", ") },
            ));
            p3.facts.push(fact("live_connector_used", wa.get("live_connector_used")));
            let run_id = ev.nodes[wi].id.clone();
            let mut recs = 0;
            for r in ev.all(&Kind::ExecutionRecord) {
                let ra = ev.artifact(r)?;
                if ra.str("delivery_id") != Some(id.as_str()) || ra.str("run_id").is_some_and(|x| x != run_id) {
                    continue;
                }
                recs += 1;
                nodes.push(r);
                let mut t = text_of(ra.get("execution_status"));
                if let Some(why) = ra.str("skip_reason").filter(|s| !s.is_empty()) {
                    t.push_str(&format!(" ({})", clean(why)));
                }
                p3.facts.push(Fact::text(format!("execution {}", clean(&ev.nodes[r].id)), t));
                if let Some(l) = ra.get("live_connector_used") {
                    p3.facts.push(fact("  live_connector_used", Some(l)));
                }
            }
            p3.checks.push(match dry {
                Some(true) => check(Status::Pass, "dry run: no connector was called"),
                Some(false) => check(Status::Warn, "live run: the worker called the connector"),
                None => check(Status::Warn, "the worker run does not say whether it was a dry run"),
            });
            p3.checks.push(if selected.contains(&clean(&id).into_owned()) {
                check(Status::Pass, "the worker selected this delivery")
            } else {
                check(Status::Warn, "the worker did not select this delivery")
            });
            if recs == 0 {
                p3.checks.push(check(Status::Warn, "no execution record for this delivery"));
            }
        }
    }

    // Pane 4: the boundary check.
    let p4 = boundary(ev, &nodes)?;
    Ok(DeliveryFacts { id, panes: [p1, p2, p3, p4] })
}

fn boundary(ev: &Evidence, nodes: &[usize]) -> Result<PaneFacts, crate::evidence::LoadError> {
    let mut p = PaneFacts::default();
    let mine: Vec<_> = ev.redactions.iter().filter(|r| r.node.is_some_and(|n| nodes.contains(&n))).collect();
    let exposed = mine.iter().filter(|r| r.by == RedactedBy::Closeout).count();
    let by_cavra = mine.len() - exposed;
    p.facts.push(Fact::text("artifacts reviewed", nodes.len().to_string()));
    p.facts.push(Fact::text("values redacted by CAVRA", by_cavra.to_string()));
    p.facts.push(Fact::text("secrets found in the clear (redacted by closeout on load)", exposed.to_string()));
    for r in mine.iter().filter(|r| r.by == RedactedBy::Closeout) {
        p.facts.push(Fact {
            label: format!("  {}", clean(&r.location)),
            value: vec![Seg::Secret(format!("«REDACTED: {}»", r.kind.label()))],
        });
    }
    p.checks.push(if exposed == 0 {
        check(Status::Pass, "no secret in the clear in these artifacts")
    } else {
        check(Status::Fail, format!("{exposed} secret(s) in the clear in these artifacts"))
    });
    // Dry run before live: no live worker run unless an earlier dry run exists.
    let mut runs: Vec<(Option<DateTime<Utc>>, Option<bool>)> = Vec::new();
    for w in ev.all(&Kind::WorkerRun) {
        let a = ev.artifact(w)?;
        let dry = match a.get("dry_run").and_then(EValue::as_bool) {
            Some(b) => Some(b),
            None => a.str("mode").map(|m| m == "dry_run"),
        };
        runs.push((ev.nodes[w].created, dry));
    }
    runs.sort_by_key(|r| r.0);
    let mut seen_dry = false;
    let mut ok = true;
    for (_, dry) in &runs {
        match dry {
            Some(true) => seen_dry = true,
            Some(false) if !seen_dry => ok = false,
            _ => {}
        }
    }
    p.checks.push(if runs.is_empty() {
        check(Status::Warn, "dry run before live: no worker run yet")
    } else if ok {
        check(Status::Pass, "dry run before live")
    } else {
        check(Status::Fail, "a live worker run came before any dry run")
    });
    Ok(p)
}

fn trial_deliveries(ev: &Evidence) -> Result<Vec<DeliveryFacts>, crate::evidence::LoadError> {
    let failed = match ev.latest(&Kind::CloseoutSummary) {
        Some(s) => {
            ev.artifact(s)?.str("delivery_state").is_some_and(|st| !matches!(st, "delivered" | "success" | "succeeded"))
        }
        None => false,
    };
    let Some(plan) = ev.latest(&Kind::RetryPlan) else { return Ok(Vec::new()) };
    if !failed {
        return Ok(Vec::new());
    }
    let pa = ev.artifact(plan)?;
    let id = pa.str("source_delivery_id").unwrap_or("").to_string();
    let mut nodes = vec![plan];
    let mut p1 = PaneFacts::default();
    p1.facts.push(Fact::text("delivery", clean(&id)));
    if let Some(s) = ev.latest(&Kind::CloseoutSummary) {
        let sa = ev.artifact(s)?;
        nodes.push(s);
        p1.facts.push(fact("closeout summary delivery_state", sa.get("delivery_state")));
        p1.checks.push(check(Status::Fail, format!("delivery state {}", text_of(sa.get("delivery_state")))));
    }
    let mut p2 = PaneFacts::default();
    p2.facts.push(Fact::text("retry plan", clean(&ev.nodes[plan].id)));
    for k in ["decision", "mode", "owner", "target_resolution_date"] {
        p2.facts.push(fact(k, pa.get(k)));
    }
    let decision = pa.str("decision").unwrap_or("missing");
    p2.checks.push(check(
        if decision == "retry" { Status::Pass } else { Status::Warn },
        format!("decision {}", clean(decision)),
    ));
    let mut p3 = PaneFacts::default();
    if let Some(w) = ev.latest(&Kind::WorkerRun) {
        nodes.push(w);
        let wa = ev.artifact(w)?;
        p3.facts.push(Fact::text("worker run", clean(&ev.nodes[w].id)));
        for k in ["mode", "state", "live_connector_used"] {
            p3.facts.push(fact(k, wa.get(k)));
        }
        let would: Vec<String> = wa
            .get("would_retry_delivery_ids")
            .and_then(EValue::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(EValue::as_str)
            .map(|s| clean(s).into_owned())
            .collect();
        p3.facts.push(Fact::text("selected retries", would.join(", ")));
        let dry = wa.str("mode") == Some("dry_run");
        p3.checks.push(if dry {
            check(Status::Pass, "dry run: no connector was called")
        } else {
            check(Status::Warn, "live run")
        });
        p3.checks.push(if would.contains(&clean(&id).into_owned()) {
            check(Status::Pass, "the worker selected this delivery")
        } else {
            check(Status::Warn, "the worker did not select this delivery")
        });
    } else {
        p3.checks.push(check(Status::Fail, "no retry worker run in the evidence"));
    }
    let p4 = boundary(ev, &nodes)?;
    Ok(vec![DeliveryFacts { id, panes: [p1, p2, p3, p4] }])
}

/// The record a finished review would write (tests).
pub fn record_for(app: &App) -> Option<&ReviewRecord> {
    app.review.as_ref().and_then(|w| w.saving.as_ref()).map(|(_, r)| r.as_ref())
}

/// Keeps [`Msg`] in scope for callers that build save results by hand (tests).
pub fn saved(path: std::path::PathBuf) -> Action {
    Action::Work(super::health::Work::ReviewSaved(Msg::new(Ok(path))))
}

impl App {
    /// The keymap context the open review holds the keyboard with.
    pub fn review_context(&self) -> Option<crate::tui::keymap::Context> {
        use crate::tui::keymap::Context;
        let w = self.review.as_ref()?;
        Some(if w.confirm {
            Context::ReviewConfirm
        } else if w.on_form() {
            Context::ReviewForm
        } else {
            Context::Review
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{LoadOptions, load_bytes};
    use crate::health::Verdict;
    use crate::time::parse_instant;
    use crate::tui::harness;
    use crate::tui::health::Work;
    use crate::tui::keymap::Context;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use crate::samples::on_disk::{self, AS_OF};

    fn app_from(doc: &serde_json::Value) -> App {
        let ev = load_bytes("store.json", serde_json::to_vec(doc).unwrap(), &LoadOptions::default()).unwrap();
        let t = parse_instant(AS_OF).unwrap();
        let mut app = harness::app(ev, Some(t), 100, 30);
        app.update(Action::Tick(t));
        app
    }

    /// The accepted-risk store: a closeout webhook failed with HTTP 503, retry plan, dry-run worker run.
    fn store() -> serde_json::Value {
        on_disk::json("accepted-risk-store.json")
    }

    fn open(app: &mut App) {
        harness::type_keys(app, "r");
        assert!(app.review.is_some(), "status: {:?}", app.status);
    }

    fn pane_text(app: &App) -> String {
        harness::screen(app)
    }

    type Facts = (Vec<(String, String)>, Vec<(Status, String)>);

    fn facts(app: &App, pane: usize) -> Facts {
        let p = &app.review.as_ref().unwrap().deliveries[0].panes[pane];
        (
            p.facts.iter().map(|f| (f.label.trim().to_string(), f.plain())).collect(),
            p.checks.iter().map(|c| (c.status, c.text.clone())).collect(),
        )
    }

    fn has(facts: &[(String, String)], label: &str, value: &str) -> bool {
        facts.iter().any(|(l, v)| l == label && v.contains(value))
    }

    #[test]
    fn panes_show_the_failed_delivery() {
        let mut app = app_from(&store());
        open(&mut app);
        let w = app.review.as_ref().unwrap();
        assert_eq!(w.deliveries.len(), 1);
        assert_eq!(w.title(), "Retry plan review · delivery 1 of 1 · pane 1 of 5");
        let (f1, c1) = facts(&app, 0);
        assert!(has(&f1, "provider", "webhook"), "{f1:?}");
        assert!(has(&f1, "attempts", "3"), "{f1:?}");
        assert!(has(&f1, "error", "HTTP request failed"), "{f1:?}");
        assert!(has(&f1, "status code", "503"), "{f1:?}");
        assert!(has(&f1, "request url", "https://hooks.example.invalid/closeout?REDACTED"), "{f1:?}");
        assert!(c1.iter().any(|(s, t)| *s == Status::Fail && t.contains("HTTP 503")), "{c1:?}");
        let screen = pane_text(&app);
        assert!(screen.contains("webhook") && screen.contains("503"), "{screen}");

        let (f2, c2) = facts(&app, 1);
        assert!(has(&f2, "action", "retry"), "{f2:?}");
        assert!(has(&f2, "max_retry_attempts", "5"), "{f2:?}");
        assert!(c2.contains(&(Status::Pass, "attempts 3 of max 5".into())), "{c2:?}");
        assert!(!c2.iter().any(|(_, t)| t.contains("CAVRA sums")), "no quirk on a retry below the max: {c2:?}");

        let (f3, c3) = facts(&app, 2);
        assert!(has(&f3, "mode", "dry run"), "{f3:?}");
        assert!(f3.iter().any(|(l, v)| l.starts_with("execution ") && v.contains("skipped (dry_run)")), "{f3:?}");
        assert!(c3.iter().all(|(s, _)| *s == Status::Pass), "{c3:?}");

        let (_, c4) = facts(&app, 3);
        assert!(c4.contains(&(Status::Pass, "no secret in the clear in these artifacts".into())), "{c4:?}");
        assert!(c4.contains(&(Status::Pass, "dry run before live".into())), "{c4:?}");
        assert!(c4.iter().all(|(s, _)| *s == Status::Pass), "{c4:?}");
    }

    #[test]
    fn a_suppressed_decision_at_the_max_flags_cavras_summed_attempts() {
        let mut doc = store();
        for it in doc["items"].as_array_mut().unwrap() {
            let key = "final_reporting_release_closeout_delivery_retry_plan";
            if let Some(plan) = it.get_mut(key) {
                plan["max_retry_attempts"] = 3.into();
                for d in plan["retry_decisions"].as_array_mut().unwrap() {
                    d["action"] = "suppress".into();
                    d["reason"] = "max_retry_attempts_reached".into();
                }
            }
        }
        let mut app = app_from(&doc);
        open(&mut app);
        let (f2, c2) = facts(&app, 1);
        assert!(has(&f2, "action", "suppress"), "{f2:?}");
        assert!(c2.contains(&(Status::Warn, "attempts 3 of max 3".into())), "{c2:?}");
        assert!(
            c2.iter().any(|(s, t)| *s == Status::Warn && t.starts_with("CAVRA sums attempt_count over providers")),
            "{c2:?}"
        );
        harness::press(&mut app, KeyCode::Enter);
        assert!(pane_text(&app).contains("! CAVRA sums attempt_count"), "{}", pane_text(&app));
    }

    #[test]
    fn a_live_run_without_a_dry_run_fails_the_boundary_check() {
        let mut doc = store();
        for it in doc["items"].as_array_mut().unwrap() {
            if let Some(w) = it.get_mut("final_reporting_release_closeout_delivery_retry_worker_run") {
                w["dry_run"] = false.into();
            }
            if it.get("dry_run").is_some() {
                it["dry_run"] = false.into();
            }
        }
        let mut app = app_from(&doc);
        open(&mut app);
        let (_, c4) = facts(&app, 3);
        assert!(c4.contains(&(Status::Fail, "a live worker run came before any dry run".into())), "{c4:?}");
    }

    #[test]
    fn next_flag_and_back_move_between_panes_and_keep_typed_text() {
        let mut app = app_from(&store());
        open(&mut app);
        harness::press(&mut app, KeyCode::Enter);
        harness::type_keys(&mut app, "f");
        harness::press(&mut app, KeyCode::Right);
        harness::type_keys(&mut app, "n");
        let w = app.review.as_ref().unwrap();
        assert!(w.on_form());
        assert_eq!(w.marks[0], [Some(Mark::Reviewed), Some(Mark::Flagged), Some(Mark::Reviewed), Some(Mark::Reviewed)]);
        assert_eq!(app.contexts(), crate::tui::keymap::stack(Context::ReviewForm));
        // Typing: letters the panes bind (q, n, r, v) are characters here.
        harness::type_keys(&mut app, "qa-owner");
        harness::press(&mut app, KeyCode::Backspace);
        harness::press(&mut app, KeyCode::Tab);
        harness::type_keys(&mut app, "CHG-1");
        assert_eq!(app.review.as_ref().unwrap().form[0], "qa-owne");
        assert!(!app.quit);
        // Back to pane 4 and forward again: nothing typed is lost.
        harness::press(&mut app, KeyCode::PageUp);
        assert_eq!(app.review.as_ref().unwrap().pane, 3);
        harness::press(&mut app, KeyCode::Left);
        assert_eq!(app.review.as_ref().unwrap().pane, 2);
        harness::press(&mut app, KeyCode::Enter);
        harness::press(&mut app, KeyCode::Enter);
        let w = app.review.as_ref().unwrap();
        assert!(w.on_form());
        assert_eq!(w.form[0], "qa-owne");
        assert_eq!(w.form[1], "CHG-1");
        assert!(pane_text(&app).contains("qa-owne"));
    }

    #[test]
    fn validation_errors_show_next_to_their_fields() {
        let mut app = app_from(&store());
        open(&mut app);
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Enter);
        }
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Tab);
        }
        harness::type_keys(&mut app, "2026-09-01");
        harness::send(&mut app, &crate::tui::event::key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let w = app.review.as_ref().unwrap();
        let fields: Vec<&str> = w.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["owner", "reason", "expires_at"], "{:?}", w.errors);
        assert_eq!(w.field, 0, "the cursor goes to the first field in error");
        assert!(app.take_requests().is_empty(), "nothing is written while the form is invalid");
        let screen = pane_text(&app);
        assert!(screen.contains("✗ owner is required"), "{screen}");
        assert!(screen.contains(&format!("✗ must be after the evaluation time {AS_OF}")), "{screen}");
        let owner = screen.lines().position(|l| l.contains("› Owner")).unwrap();
        assert!(screen.lines().nth(owner + 1).unwrap().contains("owner is required"), "{screen}");
    }

    #[test]
    fn a_valid_form_asks_the_loop_to_save_and_the_saved_record_flips_the_verdict() {
        let mut app = app_from(&store());
        let out = tempfile::tempdir().unwrap();
        app.live.review_out = Some(out.path().join("review.json"));
        open(&mut app);
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Enter);
        }
        for text in
            ["risk-owner", "CHG-2026-0914-0099", "webhook outage; redelivery after the fix", "2026-09-18", "2026-09-21"]
        {
            harness::type_keys(&mut app, text);
            harness::press(&mut app, KeyCode::Enter);
        }
        assert_eq!(app.review.as_ref().unwrap().field, 5);
        harness::press(&mut app, KeyCode::Enter);
        let rec = record_for(&app).expect("a record is waiting to be written").clone();
        assert_eq!(rec.reviewer, "risk-owner", "reviewer defaults to the owner");
        assert_eq!(rec.reviewed_at, AS_OF, "time comes from ticks");
        let reqs = app.take_requests();
        let [Request::SaveReview { path, record, evidence }] = reqs.as_slice() else { panic!("{reqs:?}") };
        assert_eq!(path, &out.path().join("review.json"));
        crate::review::write_atomic(path, record, evidence).unwrap();
        app.update(saved(path.clone()));
        assert!(app.review.is_none());
        assert_eq!(app.status.as_deref(), Some(format!("review saved to {}", path.display()).as_str()));
        assert_eq!(app.live.acceptances.len(), 1);
        let reqs = app.take_requests();
        let [Request::RunHealth { acceptances, .. }] = reqs.as_slice() else { panic!("{reqs:?}") };
        let report = crate::health::evaluate(&app.evidence, acceptances, parse_instant(AS_OF).unwrap()).unwrap();
        assert_eq!(report.verdict, Verdict::ReadyWithAcceptedRisk, "{}", report.verdict_reason);
    }

    #[test]
    fn a_failed_write_keeps_the_form_and_says_why() {
        let mut app = app_from(&store());
        open(&mut app);
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Enter);
        }
        app.review.as_mut().unwrap().form =
            ["o".into(), String::new(), "r".into(), String::new(), "2026-09-21".into(), String::new()];
        app.update(Action::ReviewSubmit);
        assert!(record_for(&app).is_some());
        app.update(Action::Work(Work::ReviewSaved(Msg::new(Err("disk full".into())))));
        let w = app.review.as_ref().expect("still open");
        assert_eq!(w.form[0], "o");
        assert!(pane_text(&app).contains("not saved: disk full"));
        assert!(app.live.acceptances.is_empty());
    }

    #[test]
    fn esc_closes_at_once_when_untouched_and_asks_otherwise() {
        let mut app = app_from(&store());
        open(&mut app);
        harness::press(&mut app, KeyCode::Down);
        harness::press(&mut app, KeyCode::Tab);
        harness::press(&mut app, KeyCode::Esc);
        assert!(app.review.is_none(), "nothing marked: Esc closes");
        open(&mut app);
        harness::press(&mut app, KeyCode::Enter);
        harness::press(&mut app, KeyCode::Esc);
        assert!(app.review.as_ref().unwrap().confirm);
        assert!(pane_text(&app).contains("Discard this review? y/n"));
        harness::type_keys(&mut app, "n");
        let w = app.review.as_ref().unwrap();
        assert!(!w.confirm);
        assert_eq!(w.pane, 1, "n returns to the review where it was");
        harness::press(&mut app, KeyCode::Esc);
        harness::press(&mut app, KeyCode::Esc);
        assert!(app.review.is_some(), "Esc answers no");
        harness::press(&mut app, KeyCode::Esc);
        harness::type_keys(&mut app, "y");
        assert!(app.review.is_none());
        assert!(app.take_requests().is_empty());
    }

    #[test]
    fn clean_evidence_has_nothing_to_review() {
        let ev = crate::evidence::load_path(&on_disk::path("clean-store.json"), &LoadOptions::default()).unwrap();
        let mut app = harness::app(ev, Some(parse_instant(AS_OF).unwrap()), 100, 30);
        harness::type_keys(&mut app, "r");
        assert!(app.review.is_none());
        assert!(app.status.as_deref().unwrap().starts_with("no failed closeout delivery to review"));
    }

    #[test]
    fn the_trial_package_reviews_its_retry_plans_source_delivery() {
        let ev = crate::evidence::load_path(&on_disk::path("trial-walkthrough.json"), &LoadOptions::default()).unwrap();
        let mut app = harness::app(ev, Some(parse_instant(AS_OF).unwrap()), 100, 30);
        harness::type_keys(&mut app, "r");
        let w = app.review.as_ref().expect("opened");
        assert_eq!(w.deliveries[0].id, "connector-delivery-payments-api-001");
        assert!(
            w.deliveries[0].panes[3].checks.iter().all(|c| c.status == Status::Pass),
            "{:?}",
            w.deliveries[0].panes[3]
        );
    }
}
