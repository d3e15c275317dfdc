//! The retry lifecycle rule (rule book §5), written once: the criteria (`closeout_delivery`, `retry_workflow`)
//! and the review wizard's panes all ask it.
//!
//! failed → retry decision → dry run → live run → execution record delivered or failed; `wait` and `suppress`
//! with their reasons; a redelivery that succeeded closes the failure.

use super::Status;
use crate::model::{ExecStatus, RetryAction, RetryCase, WorkerMode};

/// One check's outcome, with a sentence that says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    pub text: String,
}

impl Check {
    fn new(status: Status, text: impl Into<String>) -> Check {
        Check { status, text: text.into() }
    }
}

/// CAVRA compares the summed `attempt_count` over providers with `max_retry_attempts`.
pub const SUMMED_ATTEMPTS_NOTE: &str = "CAVRA compares the summed attempt_count over providers (3 with the API defaults: retries 2 + 1) to max_retry_attempts (3), so with defaults a failed delivery is never retried";

/// Whether the failure is closed, and by what.
pub fn closed(case: &RetryCase) -> Option<Check> {
    if let Some(r) = case.redeliveries.iter().find(|d| d.outcome.delivered()) {
        let run = case
            .records
            .iter()
            .find(|x| x.new_delivery_id.as_ref() == Some(&r.id))
            .and_then(|x| x.run_id.as_ref())
            .map(|r| format!(" by live worker run {r}"))
            .unwrap_or_default();
        let stale = if case.decision.as_ref().is_some_and(|d| d.action == RetryAction::Retry) {
            "; CAVRA's retry plan still says retry and its health keeps failed_closeout_delivery (CAVRA's stale state; the execution record decides)"
        } else {
            ""
        };
        return Some(Check::new(
            Status::Pass,
            format!("delivery {} was redelivered{run} as {}, which succeeded{stale}", case.delivery.id, r.id),
        ));
    }
    case.delivered_later.as_ref().map(|later| {
        Check::new(
            Status::Pass,
            format!("delivery {} failed; a later delivery of the release, {}, succeeded", case.delivery.id, later.id),
        )
    })
}

/// Pane 2 of the review, and half of the lifecycle: is there a decision, and what does it say.
pub fn decision_check(case: &RetryCase) -> Check {
    if let Some(c) = closed(case) {
        return c;
    }
    let id = &case.delivery.id;
    let Some(d) = &case.decision else {
        return Check::new(Status::Fail, format!("delivery {id} failed and no retry plan holds a decision for it"));
    };
    let plan = case.plan.as_ref().map(|p| p.id.to_string()).unwrap_or_default();
    let max = case.plan.as_ref().and_then(|p| p.max_attempts);
    let attempts = match (d.attempts, max) {
        (Some(a), Some(m)) => format!(", {a} of {m} attempts"),
        (Some(a), None) => format!(", {a} attempts"),
        _ => String::new(),
    };
    let reason = d.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
    match &d.action {
        RetryAction::Retry => Check::new(Status::Pass, format!("retry plan {plan} decided retry{reason}{attempts}")),
        RetryAction::Wait => Check::new(
            Status::Warn,
            format!("retry plan {plan} decided wait{reason}{attempts}: the retry delay window has not elapsed"),
        ),
        RetryAction::Suppress => {
            let quirk = if d.reason.as_ref().is_some_and(|r| r.matches("max_retry_attempts_reached")) {
                format!(" — note: {SUMMED_ATTEMPTS_NOTE}")
            } else {
                String::new()
            };
            Check::new(Status::Warn, format!("retry plan {plan} suppressed the retry{reason}{attempts}{quirk}"))
        }
        other => Check::new(Status::Fail, format!("retry plan {plan} has retry action {other} for delivery {id}")),
    }
}

/// Process violations that no later success excuses: a run whose mode cannot be told, a "dry run" that used
/// a live connector, a live redelivery with no dry run before it (CAVRA: live redelivery only after a dry run).
pub fn violation(case: &RetryCase) -> Option<Check> {
    let id = &case.delivery.id;
    if let Some(run) = case.runs.iter().find(|r| matches!(r.mode, WorkerMode::Unknown(_))) {
        return Some(Check::new(
            Status::Fail,
            format!(
                "worker run {} has an {}: closeout cannot tell a dry run from a live one",
                run.id,
                run.mode.label()
            ),
        ));
    }
    if let Some(run) = case.runs.iter().find(|r| r.mode == WorkerMode::DryRun && r.live_connector_used == Some(true)) {
        return Some(Check::new(
            Status::Fail,
            format!("worker run {} says dry_run but live_connector_used is true", run.id),
        ));
    }
    let dry: Vec<_> = case.runs.iter().filter(|r| r.mode == WorkerMode::DryRun).collect();
    for live in case.runs.iter().filter(|r| r.mode == WorkerMode::Live) {
        if !dry.iter().any(|d| (d.created, d.node) < (live.created, live.node)) {
            let why = if dry.is_empty() { "with no dry run first" } else { "before any dry run" };
            return Some(Check::new(
                Status::Fail,
                format!("delivery {id} was redelivered live by worker run {} {why}", live.id),
            ));
        }
    }
    None
}

/// Pane 3 of the review, and the other half: worker evidence, dry run before live, and how the live attempt went.
pub fn worker_check(case: &RetryCase) -> Check {
    if let Some(v) = violation(case) {
        return v;
    }
    if let Some(c) = closed(case) {
        return c;
    }
    let id = &case.delivery.id;
    let retry = case.decision.as_ref().is_some_and(|d| d.action == RetryAction::Retry);
    if !retry {
        return match &case.decision {
            Some(_) => Check::new(Status::Pass, "the decision is not retry, so the worker has nothing to run yet"),
            None => Check::new(Status::Fail, format!("no retry decision for {id}, so no worker evidence can follow")),
        };
    }
    if case.runs.is_empty() {
        return if case.any_worker_run {
            Check::new(Status::Fail, format!("delivery {id} is due a retry but no worker run selected it"))
        } else {
            Check::new(Status::Fail, format!("delivery {id} is due a retry but no worker run exists"))
        };
    }
    let live_records: Vec<_> =
        case.records.iter().filter(|r| matches!(r.status, ExecStatus::Delivered | ExecStatus::Failed)).collect();
    let lives: Vec<_> = case.runs.iter().filter(|r| r.mode == WorkerMode::Live).collect();
    if !lives.is_empty() || !live_records.is_empty() || !case.redeliveries.is_empty() {
        let status = live_records
            .last()
            .map(|r| r.status.to_string())
            .or_else(|| case.redeliveries.last().map(|d| format!("new delivery {} failed", d.id)))
            .unwrap_or_else(|| "no execution record".into());
        let run = lives.last().map(|r| r.id.to_string()).unwrap_or_else(|| "?".into());
        return Check::new(
            Status::Warn,
            format!("live redelivery of {id} failed (worker run {run} after a dry run; execution: {status})"),
        );
    }
    let recs: Vec<String> = case
        .records
        .iter()
        .map(|r| match &r.skip_reason {
            Some(why) if !why.is_empty() => format!("{} ({why})", r.status),
            _ => r.status.to_string(),
        })
        .collect();
    let run = &case.runs.last().expect("non-empty").id;
    Check::new(
        Status::Warn,
        format!(
            "delivery {id} awaits live redelivery: dry-run worker run {run} selected it; execution records: {}",
            if recs.is_empty() { "none".to_string() } else { recs.join(", ") }
        ),
    )
}

/// The whole lifecycle of one failure: a process violation fails it (even when it was delivered since);
/// otherwise closed passes, and open is the worse of the decision and the worker evidence (a failing
/// lifecycle names only what fails; a warning names both halves).
pub fn judge(case: &RetryCase) -> Check {
    if let Some(v) = violation(case) {
        return v;
    }
    if let Some(c) = closed(case) {
        return c;
    }
    let checks = [decision_check(case), worker_check(case)];
    let status = checks.iter().map(|c| c.status).max().unwrap_or(Status::Pass);
    let mut texts: Vec<&str> =
        checks.iter().filter(|c| c.status == status || status == Status::Warn).map(|c| c.text.as_str()).collect();
    texts.dedup();
    Check::new(status, texts.join("; "))
}
