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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Delivery, DeliveryOutcome, ExecutionRecord, RetryDecision, RetryPlan, WorkerRun};
    use crate::text::Text;
    use crate::time::parse_instant;

    fn delivery(id: &str, node: usize, outcome: DeliveryOutcome) -> Delivery {
        Delivery {
            node,
            id: Text::new(id),
            created: None,
            event_id: None,
            summary_id: None,
            outcome,
            providers: Vec::new(),
        }
    }

    /// A failed delivery `d-1` with nothing recorded about it yet.
    fn case() -> RetryCase {
        RetryCase {
            delivery: delivery("d-1", 0, DeliveryOutcome::Failed),
            redeliveries: Vec::new(),
            delivered_later: None,
            plan: None,
            decision: None,
            plans: Vec::new(),
            runs: Vec::new(),
            records: Vec::new(),
            any_worker_run: false,
        }
    }

    fn decide(c: &mut RetryCase, action: RetryAction, reason: Option<&str>, attempts: Option<i64>, max: Option<i64>) {
        let d =
            RetryDecision { delivery_id: Text::new("d-1"), action, reason: reason.map(Text::new), attempts, index: 0 };
        c.plan = Some(RetryPlan {
            node: 1,
            id: Text::new("plan-1"),
            created: None,
            decisions: vec![d.clone()],
            max_attempts: max,
            trial_mode: None,
            owner: None,
            target_date: None,
        });
        c.decision = Some(d);
    }

    fn run(id: &str, node: usize, at: &str, mode: WorkerMode) -> WorkerRun {
        WorkerRun {
            node,
            id: Text::new(id),
            created: parse_instant(at),
            mode,
            selected: vec![Text::new("d-1")],
            plan_id: None,
            live_connector_used: None,
            state: None,
        }
    }

    fn record(id: &str, run: &str, status: ExecStatus, skip: Option<&str>, new: Option<&str>) -> ExecutionRecord {
        ExecutionRecord {
            node: 20,
            id: Text::new(id),
            created: None,
            run_id: Some(Text::new(run)),
            delivery_id: Some(Text::new("d-1")),
            status,
            skip_reason: skip.map(Text::new),
            new_delivery_id: new.map(Text::new),
        }
    }

    /// Decided retry, dry-run worker run `run-dry` at 10:00 selected it.
    fn dry_run_case() -> RetryCase {
        let mut c = case();
        decide(&mut c, RetryAction::Retry, None, None, None);
        c.runs.push(run("run-dry", 5, "2026-09-01T10:00:00Z", WorkerMode::DryRun));
        c.any_worker_run = true;
        c
    }

    #[test]
    fn a_successful_redelivery_closes_the_failure_and_names_the_run_that_made_it() {
        let mut c = case();
        decide(&mut c, RetryAction::Wait, None, None, None);
        c.redeliveries.push(delivery("d-2", 3, DeliveryOutcome::Delivered));
        // A record for another redelivery comes first: only the one that made d-2 names the run.
        c.records.push(record("rec-a", "run-other", ExecStatus::Failed, None, Some("d-9")));
        c.records.push(record("rec-b", "run-live", ExecStatus::Delivered, None, Some("d-2")));
        let closed = closed(&c).expect("closed");
        assert_eq!(closed.status, Status::Pass);
        assert!(closed.text.contains("redelivered by live worker run run-live as d-2"), "{}", closed.text);
        assert!(!closed.text.contains("run-other"), "{}", closed.text);
        // The plan decided wait, not retry: no stale-plan note.
        assert!(!closed.text.contains("stale"), "{}", closed.text);

        // A plan that still says retry is CAVRA's stale state, and the text says so.
        decide(&mut c, RetryAction::Retry, None, None, None);
        let closed = super::closed(&c).expect("closed");
        assert!(closed.text.contains("still says retry"), "{}", closed.text);

        // Without a record for it the redelivery still closes the failure, naming no run.
        c.records.clear();
        let closed = super::closed(&c).expect("closed");
        assert!(closed.text.contains("delivery d-1 was redelivered as d-2"), "{}", closed.text);
    }

    #[test]
    fn a_failed_redelivery_does_not_close_but_a_later_delivery_does() {
        let mut c = case();
        c.redeliveries.push(delivery("d-2", 3, DeliveryOutcome::Failed));
        assert_eq!(closed(&c), None);
        c.delivered_later = Some(delivery("d-7", 4, DeliveryOutcome::Delivered));
        let closed = closed(&c).expect("closed");
        assert_eq!(closed.status, Status::Pass);
        assert!(closed.text.contains("later delivery of the release, d-7, succeeded"), "{}", closed.text);
    }

    #[test]
    fn decision_check_reads_the_action_and_counts_attempts_against_the_plan_maximum() {
        let mut c = case();
        let none = decision_check(&c);
        assert_eq!(none.status, Status::Fail);
        assert!(none.text.contains("no retry plan holds a decision"), "{}", none.text);

        decide(&mut c, RetryAction::Retry, Some("transient"), Some(2), Some(3));
        let d = decision_check(&c);
        assert_eq!(d.status, Status::Pass);
        assert_eq!(d.text, "retry plan plan-1 decided retry (transient), 2 of 3 attempts");

        // Attempts without a plan maximum are still counted.
        decide(&mut c, RetryAction::Retry, None, Some(2), None);
        assert_eq!(decision_check(&c).text, "retry plan plan-1 decided retry, 2 attempts");

        // No attempts recorded: nothing is claimed about them, maximum or not.
        decide(&mut c, RetryAction::Retry, None, None, Some(3));
        assert_eq!(decision_check(&c).text, "retry plan plan-1 decided retry");

        decide(&mut c, RetryAction::Wait, Some("retry_delay_not_elapsed"), Some(1), Some(3));
        let w = decision_check(&c);
        assert_eq!(w.status, Status::Warn);
        assert!(w.text.contains("decided wait (retry_delay_not_elapsed), 1 of 3 attempts"), "{}", w.text);

        decide(&mut c, RetryAction::Unknown(Text::new("later")), None, None, None);
        let u = decision_check(&c);
        assert_eq!(u.status, Status::Fail);
        assert!(u.text.contains("for delivery d-1"), "{}", u.text);
    }

    #[test]
    fn suppression_warns_and_explains_the_summed_attempts_quirk_only_when_it_applies() {
        let mut c = case();
        decide(&mut c, RetryAction::Suppress, Some("max_retry_attempts_reached"), Some(3), Some(3));
        let s = decision_check(&c);
        assert_eq!(s.status, Status::Warn);
        assert!(s.text.contains("suppressed the retry (max_retry_attempts_reached), 3 of 3 attempts"), "{}", s.text);
        assert!(s.text.contains(SUMMED_ATTEMPTS_NOTE), "{}", s.text);

        decide(&mut c, RetryAction::Suppress, Some("owner_request"), None, None);
        let s = decision_check(&c);
        assert_eq!(s.status, Status::Warn);
        assert!(!s.text.contains("note:"), "{}", s.text);
    }

    #[test]
    fn a_closed_failure_needs_no_decision() {
        let mut c = case();
        c.delivered_later = Some(delivery("d-7", 4, DeliveryOutcome::Delivered));
        assert_eq!(decision_check(&c).status, Status::Pass);
        assert_eq!(worker_check(&c).status, Status::Pass);
        assert_eq!(judge(&c).status, Status::Pass);
    }

    #[test]
    fn violations_unknown_mode_and_a_dry_run_on_a_live_connector() {
        let mut c = dry_run_case();
        assert_eq!(violation(&c), None);

        c.runs[0].live_connector_used = Some(false);
        assert_eq!(violation(&c), None);
        c.runs[0].live_connector_used = Some(true);
        let v = violation(&c).expect("violation");
        assert_eq!(v.status, Status::Fail);
        assert!(v.text.contains("run-dry says dry_run but live_connector_used is true"), "{}", v.text);

        // A live run after the dry run may use the live connector: that is what it is for.
        let mut c = dry_run_case();
        let mut live = run("run-live", 6, "2026-09-01T11:00:00Z", WorkerMode::Live);
        live.live_connector_used = Some(true);
        c.runs.push(live);
        assert_eq!(violation(&c), None);

        let mut c = dry_run_case();
        c.runs.push(run("run-odd", 6, "2026-09-01T11:00:00Z", WorkerMode::Unknown("dry_run not recorded".into())));
        let v = violation(&c).expect("violation");
        assert_eq!(v.status, Status::Fail);
        assert!(v.text.contains("run-odd") && v.text.contains("cannot tell a dry run from a live one"), "{}", v.text);
    }

    #[test]
    fn a_live_redelivery_needs_a_dry_run_before_it() {
        let mut c = case();
        decide(&mut c, RetryAction::Retry, None, None, None);
        c.runs.push(run("run-live", 6, "2026-09-01T11:00:00Z", WorkerMode::Live));
        let v = violation(&c).expect("violation");
        assert!(v.text.contains("redelivered live by worker run run-live with no dry run first"), "{}", v.text);

        // A dry run after the live one does not excuse it.
        c.runs.push(run("run-dry", 5, "2026-09-01T12:00:00Z", WorkerMode::DryRun));
        let v = violation(&c).expect("violation");
        assert!(v.text.contains("run-live before any dry run"), "{}", v.text);

        // Dry run first, then live: no violation.
        let mut c = dry_run_case();
        c.runs.push(run("run-live", 6, "2026-09-01T11:00:00Z", WorkerMode::Live));
        assert_eq!(violation(&c), None);

        // Same creation time: the evidence order (node) decides.
        let mut c = dry_run_case();
        c.runs.push(run("run-live", 6, "2026-09-01T10:00:00Z", WorkerMode::Live));
        assert_eq!(violation(&c), None);
        c.runs[1].node = 4;
        assert!(violation(&c).is_some());
    }

    #[test]
    fn a_violation_fails_the_lifecycle_even_after_a_successful_redelivery() {
        let mut c = case();
        decide(&mut c, RetryAction::Retry, None, None, None);
        c.runs.push(run("run-live", 6, "2026-09-01T11:00:00Z", WorkerMode::Live));
        c.redeliveries.push(delivery("d-2", 3, DeliveryOutcome::Delivered));
        assert!(closed(&c).is_some());
        for check in [worker_check(&c), judge(&c)] {
            assert_eq!(check.status, Status::Fail);
            assert!(check.text.contains("with no dry run first"), "{}", check.text);
        }
    }

    #[test]
    fn worker_check_without_a_retry_decision_or_without_runs() {
        let mut c = case();
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Fail);
        assert!(w.text.contains("no retry decision for d-1"), "{}", w.text);

        decide(&mut c, RetryAction::Wait, None, None, None);
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Pass);
        assert!(w.text.contains("nothing to run yet"), "{}", w.text);

        decide(&mut c, RetryAction::Retry, None, None, None);
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Fail);
        assert!(w.text.contains("due a retry but no worker run exists"), "{}", w.text);
        c.any_worker_run = true;
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Fail);
        assert!(w.text.contains("due a retry but no worker run selected it"), "{}", w.text);
    }

    #[test]
    fn worker_check_after_a_dry_run_lists_the_execution_records() {
        let mut c = dry_run_case();
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Warn);
        assert!(w.text.contains("awaits live redelivery: dry-run worker run run-dry selected it"), "{}", w.text);
        assert!(w.text.ends_with("execution records: none"), "{}", w.text);

        c.records.push(record("rec-1", "run-dry", ExecStatus::Skipped, Some("dry_run"), None));
        c.records.push(record("rec-2", "run-dry", ExecStatus::Skipped, Some(""), None));
        c.records.push(record("rec-3", "run-dry", ExecStatus::Skipped, None, None));
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Warn);
        assert!(w.text.ends_with("execution records: skipped (dry_run), skipped, skipped"), "{}", w.text);
    }

    #[test]
    fn worker_check_reports_a_failed_live_attempt_from_any_of_its_traces() {
        // A live run with a failed execution record.
        let mut c = dry_run_case();
        c.runs.push(run("run-live", 6, "2026-09-01T11:00:00Z", WorkerMode::Live));
        c.records.push(record("rec-1", "run-live", ExecStatus::Failed, None, None));
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Warn);
        assert!(
            w.text.contains("live redelivery of d-1 failed (worker run run-live after a dry run; execution: failed)"),
            "{}",
            w.text
        );

        // A live run with no record of how it went.
        c.records.clear();
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Warn);
        assert!(w.text.contains("execution: no execution record"), "{}", w.text);

        // Only a failed redelivery (no live run among the case's runs): still a failed live attempt.
        let mut c = dry_run_case();
        c.redeliveries.push(delivery("d-2", 3, DeliveryOutcome::Failed));
        let w = worker_check(&c);
        assert_eq!(w.status, Status::Warn);
        assert!(w.text.contains("worker run ? after a dry run; execution: new delivery d-2 failed"), "{}", w.text);

        // Only a live execution record: the same.
        let mut c = dry_run_case();
        c.records.push(record("rec-1", "run-x", ExecStatus::Failed, None, None));
        let w = worker_check(&c);
        assert!(w.text.contains("live redelivery of d-1 failed"), "{}", w.text);
        assert!(w.text.contains("execution: failed"), "{}", w.text);
    }

    #[test]
    fn judge_names_only_what_fails_but_both_halves_of_a_warning() {
        // Decision passes, worker evidence fails: the failure alone.
        let mut c = case();
        decide(&mut c, RetryAction::Retry, None, None, None);
        let j = judge(&c);
        assert_eq!(j.status, Status::Fail);
        assert_eq!(j.text, worker_check(&c).text);

        // Decision fails, worker evidence passes: the failure alone.
        let mut c = case();
        decide(&mut c, RetryAction::Unknown(Text::new("later")), None, None, None);
        assert_eq!(worker_check(&c).status, Status::Pass);
        let j = judge(&c);
        assert_eq!(j.status, Status::Fail);
        assert_eq!(j.text, decision_check(&c).text);

        // Decision passes, worker evidence warns: both, decision first.
        let c = dry_run_case();
        let j = judge(&c);
        assert_eq!(j.status, Status::Warn);
        assert_eq!(j.text, format!("{}; {}", decision_check(&c).text, worker_check(&c).text));

        // Decision warns (wait), worker evidence passes: both.
        let mut c = case();
        decide(&mut c, RetryAction::Wait, None, None, None);
        let j = judge(&c);
        assert_eq!(j.status, Status::Warn);
        assert_eq!(j.text, format!("{}; {}", decision_check(&c).text, worker_check(&c).text));

        // Both fail: both named.
        let c = case();
        let j = judge(&c);
        assert_eq!(j.status, Status::Fail);
        assert_eq!(j.text, format!("{}; {}", decision_check(&c).text, worker_check(&c).text));
    }
}
