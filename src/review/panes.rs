//! What each pane of a retry-plan review shows: the facts of one open failed delivery's retry case, and the
//! checks, which come from the one retry rule (`health::retry`) the criteria use — the wizard never
//! re-derives a rule. Every string is shown sanitised; redactions keep their marker and are flagged so a
//! renderer can mark them.

use crate::evidence::{EValue, Evidence, LoadError, RedactedBy};
use crate::health::{Status, retry};
use crate::model::{Chain, RetryCase, WorkerMode};
use crate::text::Text;

/// Fact panes per delivery before the acceptance form.
pub const FACT_PANES: usize = 4;

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
    pub fn text(label: impl Into<String>, value: impl Into<String>) -> Fact {
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
pub type Check = retry::Check;

/// What one fact pane shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaneFacts {
    pub facts: Vec<Fact>,
    pub checks: Vec<Check>,
}

impl PaneFacts {
    /// The worst check of the pane (Pass when it has none).
    pub fn status(&self) -> Status {
        self.checks.iter().map(|c| c.status).max().unwrap_or(Status::Pass)
    }
}

/// One failed delivery under review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFacts {
    /// The delivery id, as shown (sanitised; a secret id is its marker and fingerprint).
    pub id: String,
    pub panes: [PaneFacts; FACT_PANES],
    /// Nodes the review of this delivery looked at.
    pub nodes: Vec<usize>,
}

fn shown(v: Option<&EValue>) -> String {
    match v {
        None | Some(EValue::Null) => "not recorded".into(),
        Some(EValue::String(s)) if s.is_empty() => "(empty)".into(),
        Some(EValue::String(s)) => s.to_string(),
        Some(other) => crate::sanitize::clean(&other.scalar_text()).into_owned(),
    }
}

fn fact(label: &str, v: Option<&EValue>) -> Fact {
    let value = match v {
        Some(EValue::Redacted(r)) => vec![Seg::Secret(r.to_string())],
        Some(EValue::String(s)) if s.is_secret() => {
            vec![Seg::Secret(s.to_string())]
        }
        other => vec![Seg::Text(shown(other))],
    };
    Fact { label: label.to_string(), value }
}

fn opt(t: Option<&Text>) -> String {
    t.map_or("not recorded".to_string(), |t| t.to_string())
}

/// The open failed deliveries of the chain, with the facts and checks of each pane.
pub fn failed_deliveries(ev: &Evidence, chain: &Chain) -> Result<Vec<DeliveryFacts>, LoadError> {
    chain.retry.iter().filter(|c| retry::closed(c).is_none()).map(|c| delivery_facts(ev, c)).collect()
}

fn delivery_facts(ev: &Evidence, case: &RetryCase) -> Result<DeliveryFacts, LoadError> {
    let d = &case.delivery;
    // Pane 1: the failed delivery.
    let mut p1 = PaneFacts::default();
    p1.facts.push(Fact::text("delivery", d.id.to_string()));
    if ev.is_trial() {
        let sa = ev.artifact(d.node)?;
        p1.facts.push(fact("closeout summary delivery_state", sa.get("delivery_state")));
        p1.checks
            .push(Check { status: Status::Fail, text: format!("delivery state {}", shown(sa.get("delivery_state"))) });
    } else {
        let art = ev.artifact(d.node)?;
        p1.facts.push(fact("event", art.get("event_id")));
        let attempts: i64 = d.providers.iter().filter_map(|p| p.attempts).sum();
        p1.facts.push(Fact::text("attempts", attempts.to_string()));
        let providers = art.get("deliveries").and_then(EValue::as_array).unwrap_or(&[]);
        for p in providers {
            p1.facts.push(Fact::text("provider", shown(p.get("provider"))));
            p1.facts.push(fact("  attempts", p.get("attempt_count")));
            p1.facts.push(fact("  success", p.get("success")));
            p1.facts.push(fact("  error", p.get("error")));
            p1.facts.push(fact("  status code", p.get("status_code")));
            if let Some(req) = p.get("request") {
                p1.facts.push(fact("  request method", req.get("method")));
                p1.facts.push(fact("  request url", req.get("url")));
                if let Some(EValue::Object(h)) = req.get("headers") {
                    for (k, v) in h {
                        p1.facts.push(fact(&format!("  header {k}"), Some(v)));
                    }
                }
            }
        }
        p1.checks.push(Check { status: Status::Fail, text: format!("not delivered: {}", d.failure_text()) });
        for r in &case.redeliveries {
            p1.facts.push(Fact::text("live redelivery", format!("{} ({})", r.id, r.failure_text())));
        }
    }
    p1.checks.push(Check {
        status: Status::Pass,
        text: "the request is shown as recorded: its secrets stay redacted".into(),
    });

    // Pane 2: the retry decision (the rule's decision check).
    let mut p2 = PaneFacts::default();
    match (&case.plan, &case.decision) {
        (Some(plan), Some(dec)) => {
            p2.facts.push(Fact::text("retry plan", plan.id.to_string()));
            p2.facts.push(Fact::text("action", dec.action.to_string()));
            p2.facts.push(Fact::text("reason", opt(dec.reason.as_ref())));
            p2.facts.push(Fact::text("attempts", dec.attempts.map_or("not recorded".into(), |a| a.to_string())));
            let pa = ev.artifact(plan.node)?;
            if ev.is_trial() {
                for k in ["mode", "owner", "target_resolution_date"] {
                    p2.facts.push(fact(k, pa.get(k)));
                }
            } else {
                p2.facts.push(fact("max_retry_attempts", pa.get("max_retry_attempts")));
                let entry = pa.get("retry_decisions").and_then(EValue::as_array).and_then(|a| a.get(dec.index));
                p2.facts.push(fact("age (minutes)", entry.and_then(|e| e.get("age_minutes"))));
                p2.facts.push(fact("retry delay (minutes)", pa.get("retry_delay_minutes")));
                p2.facts.push(fact("allow immediate retry", pa.get("allow_immediate_retry")));
                if let (Some(a), Some(m)) = (dec.attempts, plan.max_attempts)
                    && a >= m
                {
                    p2.facts.push(Fact::text("note", retry::SUMMED_ATTEMPTS_NOTE));
                }
            }
            if case.plans.len() > 1 {
                p2.facts.push(Fact::text("plans holding a decision", case.plans.len().to_string()));
            }
        }
        _ => p2.facts.push(Fact::text("retry plan", "none holds a decision for this delivery")),
    }
    p2.checks.push(retry::decision_check(case));

    // Pane 3: worker evidence (the rule's worker check: selection, dry run before live, the live outcome).
    let mut p3 = PaneFacts::default();
    if case.runs.is_empty() {
        p3.facts.push(Fact::text(
            "worker runs",
            if case.any_worker_run { "none selected this delivery" } else { "none in the evidence" },
        ));
    }
    for run in &case.runs {
        p3.facts.push(Fact::text("worker run", run.id.to_string()));
        p3.facts.push(Fact::text("  mode", run.mode.label()));
        if let Some(at) = ev.nodes[run.node].created {
            p3.facts.push(Fact::text("  created", crate::time::fmt_instant(at)));
        }
        p3.facts.push(Fact::text(
            "  selected",
            if run.selected.is_empty() {
                "none".to_string()
            } else {
                run.selected.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
            },
        ));
        if let Some(l) = run.live_connector_used {
            p3.facts.push(Fact::text("  live_connector_used", l.to_string()));
        }
        if run.mode == WorkerMode::DryRun {
            p3.facts.push(Fact::text("  connector", "not called (dry run)"));
        }
    }
    for r in &case.records {
        let mut t = r.status.to_string();
        if let Some(why) = r.skip_reason.as_ref().filter(|s| !s.is_empty()) {
            t.push_str(&format!(" ({why})"));
        }
        if let Some(n) = &r.new_delivery_id {
            t.push_str(&format!(", new delivery {n}"));
        }
        p3.facts.push(Fact::text(format!("execution {}", r.id), t));
    }
    p3.checks.push(retry::worker_check(case));

    // Pane 4: the boundary check over every artifact the review looked at.
    let nodes = case.nodes();
    let p4 = boundary(ev, &nodes);
    Ok(DeliveryFacts { id: d.id.to_string(), panes: [p1, p2, p3, p4], nodes })
}

fn boundary(ev: &Evidence, nodes: &[usize]) -> PaneFacts {
    let mut p = PaneFacts::default();
    let mine: Vec<_> = ev.redactions.iter().filter(|r| r.node.is_some_and(|n| nodes.contains(&n))).collect();
    let exposed = mine.iter().filter(|r| r.by == RedactedBy::Closeout).count();
    p.facts.push(Fact::text("artifacts reviewed", nodes.len().to_string()));
    p.facts.push(Fact::text("values redacted by CAVRA", (mine.len() - exposed).to_string()));
    p.facts.push(Fact::text("secrets found in the clear (redacted by closeout on load)", exposed.to_string()));
    for r in mine.iter().filter(|r| r.by == RedactedBy::Closeout) {
        p.facts.push(Fact {
            label: format!("  {}", crate::sanitize::clean(&r.location)),
            value: vec![Seg::Secret(format!("«REDACTED: {}»", r.kind.label()))],
        });
    }
    p.checks.push(if exposed == 0 {
        Check { status: Status::Pass, text: "no secret in the clear in these artifacts".into() }
    } else {
        Check { status: Status::Fail, text: format!("{exposed} secret(s) in the clear in these artifacts") }
    });
    p
}
