//! Closeout health: the release criteria as a pure function of (evidence, its chain, acceptances, time).
//!
//! [`model::Chain`](crate::model::Chain) says what one release's closeout holds; each criterion in [`rules`]
//! judges one part of it and yields a [`Finding`] that explains itself (stable id, status, one-line reason,
//! the evidence it cites, the next step). [`verdict`] turns findings and acceptances into one [`Verdict`].
//! Criteria can run one at a time ([`CRITERIA`], [`run_criterion`]) so a UI can show progress.

pub mod acceptance;
mod criterion;
pub mod references;
pub mod retry;
mod rules;
pub mod run;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use acceptance::{Acceptance, AcceptanceSource, Signature, Standing};
pub use criterion::CriterionId;
pub use references::{RefState, References};

use crate::evidence::{Evidence, Generation, HashStatus, LoadError};
use crate::model::Chain;
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

/// A piece of evidence a finding rests on: a node, the JSON pointer of the field inside its artifact ("" for
/// the whole artifact), and what about it matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cite {
    #[serde(skip)]
    pub node: usize,
    pub pointer: String,
    pub note: String,
}

/// One criterion's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: CriterionId,
    pub title: &'static str,
    pub status: Status,
    pub reason: String,
    /// The evidence it cites, most important first.
    pub cites: Vec<Cite>,
    /// Ids of the cited nodes (sanitised), in order, without repeats.
    pub evidence: Vec<String>,
    pub next_step: String,
    /// Supporting lines (each a sentence) for detail views.
    pub details: Vec<String>,
}

impl Finding {
    /// Node indexes the finding cites, without repeats.
    pub fn nodes(&self) -> Vec<usize> {
        let mut v: Vec<usize> = Vec::new();
        for c in &self.cites {
            if !v.contains(&c.node) {
                v.push(c.node);
            }
        }
        v
    }

    pub fn cites_node(&self, node: usize) -> bool {
        self.cites.iter().any(|c| c.node == node)
    }
}

/// Settings of an evaluation that a policy may change (`closeout check --policy`, `.closeout.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Days before retention ends that count as expiring (CAVRA's default: 30).
    pub expiry_warning_days: i64,
    /// Per criterion: how a criterion that does not pass counts. Criteria not named keep CAVRA's rules.
    pub criteria: std::collections::BTreeMap<CriterionId, CriterionPolicy>,
    /// An acceptance without a verified signature is void (`--require-signed-acceptance`).
    pub require_signed_acceptance: bool,
    /// Where the policy came from; `None` for CAVRA's defaults.
    pub source: Option<PolicySource>,
}

/// How one criterion counts under a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CriterionPolicy {
    /// What a result other than pass is: `Warn` (an owner may accept it) or `Fail` (it blocks). `None`:
    /// what the criterion itself found.
    pub severity: Option<Status>,
    /// An optional criterion is evaluated and reported, but does not affect the verdict.
    pub required: bool,
}

/// The policy file an evaluation used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicySource {
    /// The file as named (sanitised).
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            expiry_warning_days: EXPIRY_WARNING_DAYS,
            criteria: Default::default(),
            require_signed_acceptance: false,
            source: None,
        }
    }
}

impl Policy {
    /// True when the criterion affects the verdict (every criterion, unless the policy makes it optional).
    pub fn is_required(&self, id: CriterionId) -> bool {
        self.criteria.get(&id).is_none_or(|c| c.required)
    }

    /// One line naming the policy: its file and digest, or CAVRA's defaults.
    pub fn describe(&self) -> String {
        match &self.source {
            Some(s) => format!("{} (sha256 {})", s.path, s.sha256),
            None => "CAVRA's defaults (no policy file)".to_string(),
        }
    }

    /// The finding as this policy counts it: a changed severity or an optional criterion says so in a detail.
    fn apply(&self, mut f: Finding) -> Finding {
        let Some(rule) = self.criteria.get(&f.id) else { return f };
        let from = self.source.as_ref().map_or_else(|| "the policy".to_string(), |s| format!("the policy {}", s.path));
        if let Some(severity) = rule.severity
            && f.status != Status::Pass
            && f.status != severity
        {
            f.details.push(format!(
                "{from} counts a {} result of {} as {} (the criterion found {})",
                f.status.as_str(),
                f.id,
                severity.as_str(),
                f.status.as_str()
            ));
            f.status = severity;
        }
        if !rule.required {
            f.details.push(format!("{from} makes {} optional: it does not affect the verdict", f.id));
        }
        f
    }
}

/// CAVRA's default expiry warning window.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// A criterion: stable id and its evaluation.
pub struct Criterion {
    pub id: CriterionId,
    eval: fn(&Ctx) -> Result<Outcome, LoadError>,
}

impl Criterion {
    pub fn title(&self) -> &'static str {
        self.id.title()
    }
}

/// The release criteria, in the order they are evaluated and shown.
pub static CRITERIA: &[Criterion] = &[
    Criterion { id: CriterionId::FinalReadiness, eval: rules::final_readiness },
    Criterion { id: CriterionId::SignedArchiveManifest, eval: rules::signed_archive_manifest },
    Criterion { id: CriterionId::ReleaseCloseout, eval: rules::release_closeout },
    Criterion { id: CriterionId::CloseoutDelivery, eval: rules::closeout_delivery },
    Criterion { id: CriterionId::RetentionApproval, eval: rules::retention_approval },
    Criterion { id: CriterionId::ArtifactBundle, eval: rules::artifact_bundle },
    Criterion { id: CriterionId::RetentionHealth, eval: rules::retention_health },
    Criterion { id: CriterionId::RetryWorkflow, eval: rules::retry_workflow },
    Criterion { id: CriterionId::RetentionAlerts, eval: rules::retention_alerts },
    Criterion { id: CriterionId::CommunityBoundary, eval: rules::community_boundary },
];

/// What a criterion function returns; [`run_criterion`] adds id, title and evidence ids.
pub(crate) struct Outcome {
    status: Status,
    reason: String,
    cites: Vec<Cite>,
    next_step: String,
    details: Vec<String>,
}

impl Outcome {
    fn new(status: Status, reason: impl Into<String>, next_step: impl Into<String>) -> Self {
        Outcome { status, reason: reason.into(), cites: Vec::new(), next_step: next_step.into(), details: Vec::new() }
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
    /// Cite a node (its whole artifact, or one field of it).
    fn cite(mut self, node: usize, pointer: &str, note: impl Into<String>) -> Self {
        self.cites.push(Cite { node, pointer: pointer.to_string(), note: note.into() });
        self
    }
    fn cite_all(mut self, nodes: impl IntoIterator<Item = usize>, note: &str) -> Self {
        for n in nodes {
            if !self.cites.iter().any(|c| c.node == n) {
                self.cites.push(Cite { node: n, pointer: String::new(), note: note.to_string() });
            }
        }
        self
    }
    fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }
}

/// Everything a criterion may read: the evidence, its chain, the evaluation time and the policy.
pub struct Ctx<'a> {
    pub ev: &'a Evidence,
    pub chain: &'a Chain,
    pub as_of: DateTime<Utc>,
    pub policy: &'a Policy,
}

impl<'a> Ctx<'a> {
    fn trial(&self) -> bool {
        self.ev.is_trial()
    }
}

/// Run one criterion.
pub fn run_criterion(c: &Criterion, ctx: &Ctx) -> Result<Finding, LoadError> {
    let t = std::time::Instant::now();
    let o = (c.eval)(ctx)?;
    crate::trace(c.id.as_str(), t);
    let mut evidence: Vec<String> = Vec::new();
    for cite in &o.cites {
        let id = ctx.ev.nodes[cite.node].id.to_string();
        if !evidence.contains(&id) {
            evidence.push(id);
        }
    }
    Ok(ctx.policy.apply(Finding {
        id: c.id,
        title: c.id.title(),
        status: o.status,
        reason: o.reason,
        cites: o.cites,
        evidence,
        next_step: o.next_step,
        details: o.details,
    }))
}

/// Counts of the hash checks of the chain's artifact bundle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HashCounts {
    pub verified: usize,
    pub mismatched: usize,
    pub not_verifiable: usize,
    pub missing: usize,
}

/// The outcome of a whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The evidence generation this report was computed on.
    pub generation: Generation,
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
    /// The evaluated release and the others the evidence holds.
    #[serde(skip)]
    pub chain: Arc<Chain>,
    pub references: References,
    /// The policy the evaluation ran under.
    pub policy: Policy,
}

impl Report {
    pub fn finding(&self, id: CriterionId) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }

    /// The worst status among findings that cite a node (None: no criterion cites it).
    pub fn node_status(&self, node: usize) -> Option<Status> {
        self.findings.iter().filter(|f| f.cites_node(node)).map(|f| f.status).max()
    }

    /// The evaluated release, as shown.
    pub fn release_label(&self) -> String {
        match &self.chain.release {
            Some(r) => r.to_string(),
            None => "(no release_record_ref)".into(),
        }
    }

    /// Releases in the evidence other than the evaluated one.
    pub fn other_releases(&self) -> Vec<&crate::model::Release> {
        self.chain.releases.iter().filter(|r| !r.evaluated).collect()
    }
}

/// Acceptances the evidence itself carries (the trial package's `release_decision.accepted_risk`).
pub fn evidence_acceptances(ev: &Evidence, chain: &Chain) -> Result<Vec<Acceptance>, LoadError> {
    let Some(d) = &chain.evidence_decision else { return Ok(Vec::new()) };
    let art = ev.artifact(d.node)?;
    let Some(risk) = art.get("accepted_risk").filter(|r| !r.is_null()) else { return Ok(Vec::new()) };
    let text = |k: &str| risk.get(k).and_then(crate::model::value_text).map(|t| t.to_string());
    Ok(vec![Acceptance {
        source: AcceptanceSource::TrialPackage,
        owner: text("owner"),
        reason: text("reason"),
        external_ref: text("external_ref"),
        expires_at: text("expires_at"),
        target_date: text("target_resolution_date"),
        covers: None,
        pins: None,
        void_reason: None,
        signature: None,
    }])
}

/// Evaluate every criterion and reach a verdict (CAVRA's default policy).
pub fn evaluate(ev: &Evidence, extra: &[Acceptance], as_of: impl Into<AsOf>) -> Result<Report, LoadError> {
    evaluate_with(ev, extra, as_of, &Policy::default())
}

/// Evaluate the chain of `release` (None: `--release`, else the newest) with the default policy: how the
/// explorer switches between the releases one evidence holds.
pub fn evaluate_release(
    ev: &Evidence,
    extra: &[Acceptance],
    as_of: impl Into<AsOf>,
    release: Option<&crate::text::Text>,
) -> Result<Report, LoadError> {
    let as_of = as_of.into();
    let chain = Chain::of(ev, release)?;
    let policy = Policy::default();
    let ctx = Ctx { ev, chain: &chain, as_of: as_of.at, policy: &policy };
    let findings = CRITERIA.iter().map(|c| run_criterion(c, &ctx)).collect::<Result<Vec<_>, _>>()?;
    finish(ev, chain, findings, extra, as_of)
}

/// Evaluate every criterion under a policy and reach a verdict.
pub fn evaluate_with(
    ev: &Evidence,
    extra: &[Acceptance],
    as_of: impl Into<AsOf>,
    policy: &Policy,
) -> Result<Report, LoadError> {
    let as_of = as_of.into();
    let chain = Chain::of(ev, None)?;
    let ctx = Ctx { ev, chain: &chain, as_of: as_of.at, policy };
    let findings = CRITERIA.iter().map(|c| run_criterion(c, &ctx)).collect::<Result<Vec<_>, _>>()?;
    finish_with(ev, chain, findings, extra, as_of, policy)
}

/// Turn findings into a report: verdict, acceptance, hash counts, reference states (CAVRA's default policy).
pub fn finish(
    ev: &Evidence,
    chain: Arc<Chain>,
    findings: Vec<Finding>,
    extra: &[Acceptance],
    as_of: impl Into<AsOf>,
) -> Result<Report, LoadError> {
    finish_with(ev, chain, findings, extra, as_of, &Policy::default())
}

/// [`finish`] under a policy (the findings already ran under it: see [`run_criterion`]).
pub fn finish_with(
    ev: &Evidence,
    chain: Arc<Chain>,
    findings: Vec<Finding>,
    extra: &[Acceptance],
    as_of: impl Into<AsOf>,
    policy: &Policy,
) -> Result<Report, LoadError> {
    let AsOf { at: as_of, source: as_of_source } = as_of.into();
    let mut acceptances = evidence_acceptances(ev, &chain)?;
    for a in &mut acceptances {
        // The evidence's own acceptance is text anyone who can edit the evidence can write: it carries no
        // signature, so a policy that requires signed acceptance cannot count it.
        a.signature = Some(Signature::Unsigned { path: None });
        if policy.require_signed_acceptance {
            a.void_reason.get_or_insert_with(|| {
                "unsigned: the evidence's own accepted_risk carries no signature, and signed acceptance is \
                 required"
                    .to_string()
            });
        }
    }
    acceptances.extend(extra.iter().cloned());
    let (verdict, verdict_reason, acceptance_used, standings) = verdict_with(&findings, &acceptances, as_of, policy);
    let evidence_decision = chain.evidence_decision.as_ref().and_then(|d| d.state.as_ref()).map(|s| s.to_string());
    let disagreement = evidence_decision.as_ref().and_then(|d| {
        (d != verdict.as_str()).then(|| {
            format!(
                "the evidence records release_decision.state {d:?}; closeout evaluates {} as of {}",
                verdict.as_str(),
                crate::time::fmt_instant(as_of)
            )
        })
    });
    let mut hashes = HashCounts::default();
    if let Some(b) = &chain.artifact_bundle {
        for h in ev.hash_checks(b.node) {
            match h.status {
                HashStatus::Verified => hashes.verified += 1,
                HashStatus::Mismatch => hashes.mismatched += 1,
                HashStatus::NotVerifiable => hashes.not_verifiable += 1,
                HashStatus::Missing => hashes.missing += 1,
            }
        }
    }
    let t = std::time::Instant::now();
    let references = references::check(ev, &chain)?;
    crate::trace("references", t);
    Ok(Report {
        generation: ev.generation,
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
        chain,
        references,
        policy: policy.clone(),
    })
}

type VerdictParts = (Verdict, String, Option<Acceptance>, Vec<(Acceptance, Standing)>);

/// The verdict rule: any fail blocks; warnings need a valid owner acceptance that covers every one of them.
pub fn verdict(findings: &[Finding], acceptances: &[Acceptance], as_of: DateTime<Utc>) -> VerdictParts {
    verdict_with(findings, acceptances, as_of, &Policy::default())
}

/// [`verdict`] under a policy: criteria the policy makes optional do not count.
pub fn verdict_with(
    findings: &[Finding],
    acceptances: &[Acceptance],
    as_of: DateTime<Utc>,
    policy: &Policy,
) -> VerdictParts {
    let standings: Vec<(Acceptance, Standing)> =
        acceptances.iter().map(|a| (a.clone(), a.standing_against(as_of, findings))).collect();
    let counted = || findings.iter().filter(|f| policy.is_required(f.id));
    let fails: Vec<&str> = counted().filter(|f| f.status == Status::Fail).map(|f| f.id.as_str()).collect();
    let warns: Vec<CriterionId> = counted().filter(|f| f.status == Status::Warn).map(|f| f.id).collect();
    let warn_names: Vec<&str> = warns.iter().map(|w| w.as_str()).collect();
    if !fails.is_empty() {
        let reason = match fails.len() {
            1 => format!("1 criterion fails: {}", fails[0]),
            n => format!("{n} criteria fail: {}", fails.join(", ")),
        };
        return (Verdict::Blocked, reason, None, standings);
    }
    if warns.is_empty() {
        let optional: Vec<&str> = findings.iter().filter(|f| f.status != Status::Pass).map(|f| f.id.as_str()).collect();
        let reason = if optional.is_empty() {
            "every criterion passes".to_string()
        } else {
            format!("every required criterion passes ({} optional under the policy)", optional.join(", "))
        };
        return (Verdict::ReadyForRelease, reason, None, standings);
    }
    let valid: Vec<&(Acceptance, Standing)> =
        standings.iter().filter(|(_, s)| matches!(s, Standing::Valid { .. })).collect();
    if let Some((a, Standing::Valid { until })) =
        valid.iter().find(|(a, _)| warns.iter().all(|w| a.covers(*w))).map(|x| (&x.0, &x.1))
    {
        let reason = format!(
            "{} warning(s) ({}) accepted by {} until {until}",
            warns.len(),
            warn_names.join(", "),
            a.describe()
        );
        return (Verdict::ReadyWithAcceptedRisk, reason, Some(a.clone()), standings);
    }
    let uncovered: Vec<&str> =
        warns.iter().filter(|w| !valid.iter().any(|(a, _)| a.covers(**w))).map(|w| w.as_str()).collect();
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
        format!("risk not accepted: no single acceptance covers every warning ({})", warn_names.join(", "))
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
