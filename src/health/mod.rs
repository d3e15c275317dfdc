//! Closeout health: the release criteria as a pure function of (evidence, acceptances, evaluation time).
//!
//! Each criterion yields a [`Finding`] that explains itself: a stable id, a status, a one-line reason, the
//! nodes it looked at and the next step. [`verdict`] turns findings and acceptances into one [`Verdict`].
//! Criteria can be run one at a time ([`CRITERIA`], [`run_criterion`]) so a UI can show progress.

pub mod acceptance;
mod criteria;
pub mod run;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use acceptance::{Acceptance, AcceptanceSource, Standing};

use crate::evidence::{Artifact, EValue, Evidence, HashStatus, Kind, LoadError, Model};
use crate::time::AsOf;

/// A criterion's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
    /// The glyph the tree and reports use: ✓ pass, ! warn, ✗ fail.
    pub fn glyph(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
        }
    }
}

/// The release verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    ReadyForRelease,
    ReadyWithAcceptedRisk,
    Blocked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::ReadyForRelease => "ready_for_release",
            Verdict::ReadyWithAcceptedRisk => "ready_with_accepted_risk",
            Verdict::Blocked => "blocked",
        }
    }
    pub fn parse(s: &str) -> Option<Verdict> {
        [Verdict::ReadyForRelease, Verdict::ReadyWithAcceptedRisk, Verdict::Blocked]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One criterion's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub reason: String,
    /// Node indexes the criterion looked at.
    #[serde(skip)]
    pub nodes: Vec<usize>,
    /// Ids of those nodes.
    pub evidence: Vec<String>,
    pub next_step: String,
    /// Supporting lines (each a sentence) for detail views.
    pub details: Vec<String>,
}

/// A criterion: stable id, title, and its evaluation.
pub struct Criterion {
    pub id: &'static str,
    pub title: &'static str,
    eval: fn(&Ctx) -> Result<Outcome, LoadError>,
}

/// The release criteria, in the order they are evaluated and shown.
pub static CRITERIA: &[Criterion] = &[
    Criterion { id: "final_readiness", title: "Final readiness bundle", eval: criteria::final_readiness },
    Criterion {
        id: "signed_archive_manifest",
        title: "Signed archive manifest",
        eval: criteria::signed_archive_manifest,
    },
    Criterion { id: "release_closeout", title: "Release closeout summary", eval: criteria::release_closeout },
    Criterion { id: "closeout_delivery", title: "Closeout delivery", eval: criteria::closeout_delivery },
    Criterion { id: "retention_approval", title: "Retention approval", eval: criteria::retention_approval },
    Criterion { id: "artifact_bundle", title: "Artifact bundle and hashes", eval: criteria::artifact_bundle },
    Criterion { id: "retention_health", title: "Retention health", eval: criteria::retention_health },
    Criterion { id: "retry_workflow", title: "Retry workflow", eval: criteria::retry_workflow },
    Criterion { id: "retention_alerts", title: "Retention alerts", eval: criteria::retention_alerts },
    Criterion { id: "community_boundary", title: "Community boundary", eval: criteria::community_boundary },
];

/// What a criterion function returns; [`run_criterion`] adds id, title and evidence ids.
pub(crate) struct Outcome {
    status: Status,
    reason: String,
    nodes: Vec<usize>,
    next_step: String,
    details: Vec<String>,
}

impl Outcome {
    fn new(status: Status, reason: impl Into<String>, next_step: impl Into<String>) -> Self {
        Outcome { status, reason: reason.into(), nodes: Vec::new(), next_step: next_step.into(), details: Vec::new() }
    }
    fn pass(reason: impl Into<String>) -> Self {
        Outcome::new(Status::Pass, reason, "Nothing to do.")
    }
    fn warn(reason: impl Into<String>, next: impl Into<String>) -> Self {
        Outcome::new(Status::Warn, reason, next)
    }
    fn fail(reason: impl Into<String>, next: impl Into<String>) -> Self {
        Outcome::new(Status::Fail, reason, next)
    }
    fn nodes(mut self, nodes: impl IntoIterator<Item = usize>) -> Self {
        for n in nodes {
            if !self.nodes.contains(&n) {
                self.nodes.push(n);
            }
        }
        self
    }
    fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }
}

/// Everything a criterion may read: the evidence and the evaluation time.
pub struct Ctx<'a> {
    pub ev: &'a Evidence,
    pub as_of: DateTime<Utc>,
}

/// A node with its decoded artifact.
pub(crate) struct Art {
    pub idx: usize,
    pub art: Arc<Artifact>,
}

impl Art {
    fn id<'e>(&self, ev: &'e Evidence) -> &'e str {
        &ev.nodes[self.idx].id
    }
}

impl<'a> Ctx<'a> {
    pub fn new(ev: &'a Evidence, as_of: DateTime<Utc>) -> Self {
        Ctx { ev, as_of }
    }

    fn latest(&self, kind: Kind) -> Result<Option<Art>, LoadError> {
        match self.ev.latest(&kind) {
            Some(idx) => Ok(Some(Art { idx, art: self.ev.artifact(idx)? })),
            None => Ok(None),
        }
    }

    fn all(&self, kind: Kind) -> Result<Vec<Art>, LoadError> {
        self.ev.all(&kind).into_iter().map(|idx| Ok(Art { idx, art: self.ev.artifact(idx)? })).collect()
    }

    fn wrong_type(&self, a: &Art, key: &str, expected: &str, found: &EValue) -> LoadError {
        let node = &self.ev.nodes[a.idx];
        let input = &self.ev.inputs[node.input];
        let at = match &node.row {
            Some(row) => format!("row '{}' {}", crate::sanitize::clean(row), node.pointer),
            None => node.pointer.clone(),
        };
        LoadError::new(&input.path, format!("{at}/{key} must be {expected}, found {}", found.type_name()))
    }

    /// A string field; absent or null is None; any other type is a load error naming the field.
    fn s<'x>(&self, a: &'x Art, key: &str) -> Result<Option<&'x str>, LoadError> {
        match a.art.get(key) {
            None | Some(EValue::Null) => Ok(None),
            Some(EValue::String(s)) => Ok(Some(s.as_str())),
            Some(EValue::Redacted(_)) => Ok(Some("«redacted»")),
            Some(other) => Err(self.wrong_type(a, key, "a string", other)),
        }
    }

    fn b(&self, a: &Art, key: &str) -> Result<Option<bool>, LoadError> {
        match a.art.get(key) {
            None | Some(EValue::Null) => Ok(None),
            Some(EValue::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong_type(a, key, "true or false", other)),
        }
    }

    fn i(&self, a: &Art, key: &str) -> Result<Option<i64>, LoadError> {
        match a.art.get(key) {
            None | Some(EValue::Null) => Ok(None),
            Some(v @ EValue::Number(_)) => {
                v.as_i64().map(Some).ok_or_else(|| self.wrong_type(a, key, "a whole number", v))
            }
            Some(other) => Err(self.wrong_type(a, key, "a number", other)),
        }
    }

    fn arr<'x>(&self, a: &'x Art, key: &str) -> Result<&'x [EValue], LoadError> {
        match a.art.get(key) {
            None | Some(EValue::Null) => Ok(&[]),
            Some(EValue::Array(items)) => Ok(items),
            Some(other) => Err(self.wrong_type(a, key, "a list", other)),
        }
    }

    /// Strings of a list field (non-strings are ignored).
    fn strs<'x>(&self, a: &'x Art, key: &str) -> Result<Vec<&'x str>, LoadError> {
        Ok(self.arr(a, key)?.iter().filter_map(EValue::as_str).collect())
    }

    fn trial(&self) -> bool {
        self.ev.model == Model::TrialPackage
    }
}

/// Run one criterion.
pub fn run_criterion(c: &Criterion, ctx: &Ctx) -> Result<Finding, LoadError> {
    let t = std::time::Instant::now();
    let o = (c.eval)(ctx)?;
    crate::trace(c.id, t);
    let evidence = o.nodes.iter().map(|&i| ctx.ev.nodes[i].id.clone()).collect();
    Ok(Finding {
        id: c.id,
        title: c.title,
        status: o.status,
        reason: o.reason,
        nodes: o.nodes,
        evidence,
        next_step: o.next_step,
        details: o.details,
    })
}

/// Counts of artifact-bundle hash checks across every artifact bundle in scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HashCounts {
    pub verified: usize,
    pub mismatched: usize,
    pub not_verifiable: usize,
    pub missing: usize,
}

/// A reference to an id that is not in the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dangling {
    pub from: String,
    pub field: String,
    pub target: String,
}

/// The outcome of a whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    pub verdict_reason: String,
    pub findings: Vec<Finding>,
    /// The acceptance the verdict relied on.
    pub acceptance_used: Option<Acceptance>,
    /// Every acceptance considered, with its standing.
    pub acceptances: Vec<(Acceptance, Standing)>,
    /// The decision the evidence records itself (the trial package's `release_decision.state`).
    pub evidence_decision: Option<String>,
    /// Set when the evidence's own decision differs from ours.
    pub disagreement: Option<String>,
    pub as_of: DateTime<Utc>,
    /// Where `as_of` came from (now, `--as-of`, an embedded sample's own time).
    pub as_of_source: crate::time::AsOfSource,
    pub hashes: HashCounts,
    pub dangling: Vec<Dangling>,
}

impl Report {
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }

    /// The worst status among findings that looked at a node (None: no criterion looked at it).
    pub fn node_status(&self, node: usize) -> Option<Status> {
        self.findings.iter().filter(|f| f.nodes.contains(&node)).map(|f| f.status).max()
    }
}

/// Whether a closeout delivery succeeded: the wrapper's `delivery_success`, else the result's `success`.
pub fn delivery_succeeded(ev: &Evidence, node: usize) -> Result<bool, LoadError> {
    if let Some(b) = ev.nodes[node].delivery_success {
        return Ok(b);
    }
    match ev.raw_field(node, "success") {
        Some(None | Some("null" | "false")) => return Ok(false),
        Some(Some("true")) => return Ok(true),
        // Anything else: decode, and say what is wrong.
        _ => {}
    }
    match ev.artifact(node)?.get("success") {
        None | Some(EValue::Null) => Ok(false),
        Some(EValue::Bool(b)) => Ok(*b),
        Some(other) => {
            let n = &ev.nodes[node];
            Err(LoadError::new(
                &ev.inputs[n.input].path,
                format!("{}/success must be true or false, found {}", n.pointer, other.type_name()),
            ))
        }
    }
}

/// Closeout deliveries split as the retry rules see them: the failed ones not delivered later for the same
/// event (open), and the successful ones; both oldest first. The criteria, review records and the review
/// pane all use this one rule.
pub fn closeout_deliveries(ev: &Evidence) -> Result<(Vec<usize>, Vec<usize>), LoadError> {
    let (mut failed, mut ok) = (Vec::new(), Vec::new());
    for d in ev.all(&Kind::CloseoutDelivery) {
        if delivery_succeeded(ev, d)? { ok.push(d) } else { failed.push(d) }
    }
    // One field of every delivery: read it raw rather than decode each delivery.
    let event = |d: usize| match ev.raw_field(d, "event_id") {
        Some(raw) => {
            Ok(raw.filter(|r| r.starts_with('"')).and_then(crate::evidence::parse::raw_str).map(|s| s.into_owned()))
        }
        None => ev.artifact(d).map(|a| a.str("event_id").map(str::to_string)),
    };
    // The latest successful delivery per event, so each failure is matched in one lookup.
    let mut delivered: HashMap<Option<String>, Option<DateTime<Utc>>> = HashMap::new();
    for &o in &ok {
        let created = ev.nodes[o].created;
        delivered.entry(event(o)?).and_modify(|c| *c = (*c).max(created)).or_insert(created);
    }
    let mut open = Vec::new();
    for f in failed {
        let redelivered = delivered.get(&event(f)?).is_some_and(|&c| c >= ev.nodes[f].created);
        if !redelivered {
            open.push(f);
        }
    }
    Ok((open, ok))
}

/// Acceptances the evidence itself carries (the trial package's `release_decision.accepted_risk`).
pub fn evidence_acceptances(ev: &Evidence) -> Result<Vec<Acceptance>, LoadError> {
    let Some(idx) = ev.latest(&Kind::ReleaseDecision) else { return Ok(Vec::new()) };
    let art = ev.artifact(idx)?;
    let Some(risk) = art.get("accepted_risk") else { return Ok(Vec::new()) };
    if risk.is_null() {
        return Ok(Vec::new());
    }
    let text = |k: &str| risk.get(k).and_then(EValue::as_str).map(|s| crate::sanitize::clean(s).into_owned());
    Ok(vec![Acceptance {
        source: AcceptanceSource::TrialPackage,
        owner: text("owner"),
        reason: text("reason"),
        external_ref: text("external_ref"),
        expires_at: text("expires_at"),
        target_date: text("target_resolution_date"),
        covers: None,
        void_reason: None,
    }])
}

/// Evaluate every criterion and reach a verdict.
pub fn evaluate(ev: &Evidence, extra: &[Acceptance], as_of: impl Into<AsOf>) -> Result<Report, LoadError> {
    let as_of = as_of.into();
    let ctx = Ctx::new(ev, as_of.at);
    let findings = CRITERIA.iter().map(|c| run_criterion(c, &ctx)).collect::<Result<Vec<_>, _>>()?;
    finish(ev, findings, extra, as_of)
}

/// Turn findings into a report: verdict, acceptance, hash counts, dangling references.
pub fn finish(
    ev: &Evidence,
    findings: Vec<Finding>,
    extra: &[Acceptance],
    as_of: impl Into<AsOf>,
) -> Result<Report, LoadError> {
    let AsOf { at: as_of, source: as_of_source } = as_of.into();
    let mut acceptances = evidence_acceptances(ev)?;
    acceptances.extend(extra.iter().cloned());
    let (verdict, verdict_reason, acceptance_used, standings) = verdict(&findings, &acceptances, as_of);
    let evidence_decision = match ev.latest(&Kind::ReleaseDecision) {
        Some(idx) => ev.artifact(idx)?.str("state").map(|s| crate::sanitize::clean(s).into_owned()),
        None => None,
    };
    let disagreement = evidence_decision.as_ref().and_then(|d| {
        (d != verdict.as_str()).then(|| {
            format!(
                "the evidence records release_decision.state {d:?}; closeout evaluates {} as of {}",
                verdict.as_str(),
                crate::time::fmt_instant(as_of)
            )
        })
    });
    let t = std::time::Instant::now();
    let mut hashes = HashCounts::default();
    ev.verify_all_bundles();
    for idx in ev.all(&Kind::ArtifactBundle) {
        for h in ev.hash_checks(idx) {
            match h.status {
                HashStatus::Verified => hashes.verified += 1,
                HashStatus::Mismatch => hashes.mismatched += 1,
                HashStatus::NotVerifiable => hashes.not_verifiable += 1,
                HashStatus::Missing => hashes.missing += 1,
            }
        }
    }
    crate::trace("hashes counted", t);
    // Dangling references among the artifacts the criteria looked at.
    let mut looked: Vec<usize> = findings.iter().flat_map(|f| f.nodes.iter().copied()).collect();
    looked.sort_unstable();
    looked.dedup();
    ev.decode_all(&looked);
    let mut dangling = Vec::new();
    for idx in looked {
        for (r, targets) in ev.references(idx)? {
            if targets.is_empty() {
                dangling.push(Dangling {
                    from: ev.nodes[idx].id.clone(),
                    field: r.field,
                    target: crate::sanitize::clean(&r.target).into_owned(),
                });
            }
        }
    }
    crate::trace("dangling references", t);
    Ok(Report {
        verdict,
        verdict_reason,
        findings,
        acceptance_used,
        acceptances: standings,
        evidence_decision,
        disagreement,
        as_of,
        as_of_source,
        hashes,
        dangling,
    })
}

type VerdictParts = (Verdict, String, Option<Acceptance>, Vec<(Acceptance, Standing)>);

/// The verdict rule: any fail blocks; warnings need a valid owner acceptance that covers every one of them.
pub fn verdict(findings: &[Finding], acceptances: &[Acceptance], as_of: DateTime<Utc>) -> VerdictParts {
    let standings: Vec<(Acceptance, Standing)> = acceptances.iter().map(|a| (a.clone(), a.standing(as_of))).collect();
    let fails: Vec<&str> = findings.iter().filter(|f| f.status == Status::Fail).map(|f| f.id).collect();
    let warns: Vec<&str> = findings.iter().filter(|f| f.status == Status::Warn).map(|f| f.id).collect();
    if !fails.is_empty() {
        let reason = format!("{} criteria fail: {}", fails.len(), fails.join(", "));
        return (Verdict::Blocked, reason, None, standings);
    }
    if warns.is_empty() {
        return (Verdict::ReadyForRelease, "every criterion passes".into(), None, standings);
    }
    let valid: Vec<&(Acceptance, Standing)> =
        standings.iter().filter(|(_, s)| matches!(s, Standing::Valid { .. })).collect();
    if let Some((a, Standing::Valid { until })) =
        valid.iter().find(|(a, _)| warns.iter().all(|w| a.covers(w))).map(|x| (&x.0, &x.1))
    {
        let reason =
            format!("{} warning(s) ({}) accepted by {} until {until}", warns.len(), warns.join(", "), a.describe());
        return (Verdict::ReadyWithAcceptedRisk, reason, Some(a.clone()), standings);
    }
    let uncovered: Vec<&str> = warns.iter().copied().filter(|w| !valid.iter().any(|(a, _)| a.covers(w))).collect();
    let mut why = Vec::new();
    for (a, s) in &standings {
        match s {
            Standing::Expired { on } => why.push(format!("the acceptance by {} expired on {on}", a.describe())),
            Standing::Incomplete { missing } => {
                why.push(format!("the acceptance by {} lacks {}", a.describe(), missing.join(", ")))
            }
            Standing::Void { reason } => why.push(format!("the acceptance by {} is void: {reason}", a.describe())),
            Standing::Valid { .. } => {}
        }
    }
    let mut reason = if uncovered.is_empty() {
        format!("risk not accepted: no single acceptance covers every warning ({})", warns.join(", "))
    } else {
        format!("risk not accepted: {} has no valid owner acceptance", uncovered.join(", "))
    };
    if !why.is_empty() {
        reason.push_str(&format!(" ({})", why.join("; ")));
    }
    reason.push_str(". To accept it, record an owner acceptance (owner, reason, expiry or target date) in a retry plan review and pass it with --review");
    (Verdict::Blocked, reason, None, standings)
}

#[cfg(test)]
mod tests;
