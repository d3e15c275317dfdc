//! The closeout chain of ONE release, joined by the ids that link its artifacts (rule book §1–§2).
//!
//! The anchor is the newest closeout summary (of `--release`, when given). Artifacts join by id: summary →
//! readiness bundle and manifest (the summary names them), summary ids → deliveries, reviews and artifact
//! bundles; review → decisions; health → alert plan → alert delivery; failed delivery → retry decisions → worker
//! runs and execution records → redelivery. An artifact of another release never satisfies a criterion.
//!
//! Building the chain decodes a bounded number of artifacts (the chosen version of each kind and the retry
//! evidence of the open failure); everything else is read from node heads or one raw field, so the cost does
//! not grow with how many versions of each kind a store holds.

// Seeded per process (as std's maps are), and several times cheaper than SipHash on the thousands of ids a
// store with many versions joins by.
use foldhash::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::artifacts::*;
use crate::evidence::{Evidence, Kind, LoadError, Model};
use crate::text::Text;

/// A chain member the anchor summary names by id.
#[derive(Debug, Clone)]
pub enum Member<T> {
    Present(T),
    /// The summary names this id, and the evidence does not hold it.
    Named(Text),
    /// Nothing names one and none of the release exists.
    Absent,
}

impl<T> Member<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Member::Present(t) => Some(t),
            _ => None,
        }
    }
}

/// One release seen in the evidence.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Release {
    /// `release_record_ref`; None for artifacts that carry none.
    pub name: Option<Text>,
    /// Its newest closeout summary.
    pub summary: Option<Text>,
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub newest: Option<DateTime<Utc>>,
    pub summaries: usize,
    pub evaluated: bool,
}

impl Release {
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => n.to_string(),
            None => "(no release_record_ref)".to_string(),
        }
    }
}

/// How a node relates to the evaluated closeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A member of the chain the verdict rests on.
    Current,
    /// An older version of a chain member of the evaluated release.
    Superseded,
    /// Evidence CAVRA keeps for every release (health reports, retry plans, worker runs) that is not the
    /// member the chain uses.
    Shared,
    /// Upstream final-reporting evidence (readiness summary, approval, …) the readiness bundle indexes.
    Upstream,
    /// An artifact of another release.
    OutOfScope,
}

/// A failed closeout delivery of the release and everything the retry workflow recorded about it (facts
/// only; the rule that judges them is `health::retry`).
#[derive(Debug, Clone)]
pub struct RetryCase {
    /// The original failure.
    pub delivery: Delivery,
    /// Live redeliveries, following `new_delivery_id` links (oldest first).
    pub redeliveries: Vec<Delivery>,
    /// A later delivery of the release that succeeded (not through the retry worker).
    pub delivered_later: Option<Delivery>,
    /// The newest retry plan holding a decision for this failure (or its latest redelivery), with it.
    pub plan: Option<RetryPlan>,
    pub decision: Option<RetryDecision>,
    /// Every retry plan that holds a decision for it, newest first (CAVRA's stale plans show here).
    pub plans: Vec<usize>,
    /// Worker runs that selected it or wrote an execution record for it, oldest first.
    pub runs: Vec<WorkerRun>,
    /// Execution records for it, oldest first.
    pub records: Vec<ExecutionRecord>,
    /// Whether the evidence holds any worker run at all.
    pub any_worker_run: bool,
}

impl RetryCase {
    /// Every delivery id this case covers: the failure and its redeliveries.
    pub fn delivery_ids(&self) -> Vec<&Text> {
        std::iter::once(&self.delivery.id).chain(self.redeliveries.iter().map(|d| &d.id)).collect()
    }

    /// The redelivery (by execution record) or later delivery that succeeded, if any.
    pub fn closed_by(&self) -> Option<&Delivery> {
        self.redeliveries.iter().find(|d| d.outcome.delivered()).or(self.delivered_later.as_ref())
    }

    /// Nodes the case rests on.
    pub fn nodes(&self) -> Vec<usize> {
        let mut v = vec![self.delivery.node];
        v.extend(self.redeliveries.iter().map(|d| d.node));
        v.extend(self.delivered_later.iter().map(|d| d.node));
        v.extend(self.plan.iter().map(|p| p.node));
        v.extend(self.runs.iter().map(|r| r.node));
        v.extend(self.records.iter().map(|r| r.node));
        v
    }
}

/// The closeout chain of the evaluated release.
#[derive(Debug)]
pub struct Chain {
    pub model: Model,
    /// The evaluated release (None: the artifacts carry no `release_record_ref`).
    pub release: Option<Text>,
    /// Every release seen, newest first; the evaluated one marked.
    pub releases: Vec<Release>,
    /// Whether `--release` chose it.
    pub release_requested: bool,
    /// The anchor: the release's newest closeout summary.
    pub summary: Option<Summary>,
    pub bundle: Member<ReadinessBundle>,
    pub manifest: Member<Manifest>,
    pub delivery_event: Option<usize>,
    /// The release's closeout deliveries (nodes), oldest first (trial package: the summary).
    pub deliveries: Vec<usize>,
    /// The newest of them, decoded (trial package: the summary's delivery result).
    pub last_delivery: Option<Delivery>,
    pub requests: Vec<usize>,
    /// The newest retention review decision of the release.
    pub decision: Option<RetentionDecision>,
    pub artifact_bundle: Option<ArtifactBundle>,
    /// The newest retention health report (CAVRA does not scope them to a release).
    pub health: Option<RetentionHealth>,
    /// The newest alert plan for that report; and, when there is none, the newest plan of any report.
    pub alert_plan: Option<AlertPlan>,
    pub stale_alert_plan: Option<AlertPlan>,
    pub alert_delivery: Option<Delivery>,
    pub trial_alert: Option<TrialAlert>,
    /// The failed closeout deliveries of the release: the open one (the newest attempt, when it failed) and
    /// those closed by a later success.
    pub retry: Vec<RetryCase>,
    /// The trial package's own decision.
    pub evidence_decision: Option<EvidenceDecision>,
    /// How each node relates to the chain (indexed like `Evidence::nodes`).
    pub scope: Vec<Scope>,
}

/// Nodes of one kind, newest first (ties: first in load order).
fn newest_first(ev: &Evidence, nodes: &[usize]) -> Vec<usize> {
    let mut v = nodes.to_vec();
    v.sort_by(|&a, &b| ev.nodes[b].created.cmp(&ev.nodes[a].created).then(a.cmp(&b)));
    v
}

fn newest(ev: &Evidence, nodes: &[usize]) -> Option<usize> {
    newest_first(ev, nodes).into_iter().next()
}

impl Chain {
    /// Build the chain of a release named by evidence text (None: `--release`, else the newest).
    pub fn build_for(ev: &Evidence, release: Option<&Text>) -> Result<Chain, LoadError> {
        match release {
            Some(r) => Self::build(ev, Some(r.raw())),
            None => Self::build(ev, ev.release.as_deref()),
        }
    }

    /// [`Chain::build_for`], taking the chain the load prepared when it is the one asked for: by what it says
    /// of itself (the release it was asked for, or that it was asked for none), not by how it was made.
    pub fn of(ev: &Evidence, release: Option<&Text>) -> Result<std::sync::Arc<Chain>, LoadError> {
        let wanted = release.map_or(ev.release.as_deref(), |r| Some(r.raw()));
        let asked_for = |c: &Chain| match wanted {
            Some(r) => c.release_requested && c.release.as_ref().is_some_and(|c| c.raw() == r),
            None => !c.release_requested,
        };
        match &ev.prepared_chain {
            Some(c) if asked_for(c) => Ok(std::sync::Arc::clone(c)),
            _ => Self::build_for(ev, release).map(std::sync::Arc::new),
        }
    }

    /// Build the chain of `release` (None: of the newest closeout summary).
    pub fn build(ev: &Evidence, release: Option<&str>) -> Result<Chain, LoadError> {
        let t = std::time::Instant::now();
        let mut by_kind: HashMap<&Kind, Vec<usize>> = HashMap::default();
        // The chain asks only for kinds closeout knows: nodes of unknown kinds (a store can be mostly those)
        // are not listed.
        for (i, n) in ev.nodes.iter().enumerate().filter(|(_, n)| !matches!(n.kind, Kind::Unknown(_))) {
            by_kind.entry(&n.kind).or_default().push(i);
        }
        let of = |k: Kind| by_kind.get(&k).cloned().unwrap_or_default();
        let chain = if ev.is_trial() { Self::trial(ev, &of)? } else { Self::runtime(ev, release, &of)? };
        crate::trace("chain built", t);
        Ok(chain)
    }

    fn trial(ev: &Evidence, of: &dyn Fn(Kind) -> Vec<usize>) -> Result<Chain, LoadError> {
        let one = |k: Kind| newest(ev, &of(k));
        let summary = one(Kind::CloseoutSummary).map(|i| Summary::read(ev, i)).transpose()?;
        let bundle = match one(Kind::ReadinessBundle) {
            Some(i) => Member::Present(ReadinessBundle::read(ev, i)?),
            None => Member::Absent,
        };
        let manifest = match one(Kind::SignedArchiveManifest) {
            Some(i) => Member::Present(Manifest::read(ev, i)?),
            None => Member::Absent,
        };
        let plan = one(Kind::RetryPlan).map(|i| RetryPlan::read(ev, i)).transpose()?;
        let run = one(Kind::WorkerRun).map(|i| WorkerRun::read(ev, i)).transpose()?;
        // The trial package records the summary's delivery as a state, not as a delivery artifact: the failed
        // delivery is the one the retry plan names, when the summary lists it among its refs.
        let mut deliveries = Vec::new();
        if let Some(s) = &summary
            && let Some(state) = &s.trial_delivery
        {
            let named = plan.as_ref().and_then(|p| p.decisions.first()).map(|d| d.delivery_id.clone());
            let id = named
                .filter(|n| s.public_refs.contains(n))
                .or_else(|| s.public_refs.iter().find(|r| r.with_raw(|r| r.contains("delivery"))).cloned())
                .unwrap_or_else(|| s.id.clone());
            deliveries.push(Delivery {
                node: s.node,
                id,
                created: ev.nodes[s.node].created,
                event_id: Some(s.id.clone()),
                summary_id: Some(s.id.clone()),
                outcome: super::state::DeliveryOutcome::from_trial(state),
                providers: Vec::new(),
            });
        }
        let mut retry = Vec::new();
        if let Some(d) = deliveries.first().filter(|d| !d.outcome.delivered()) {
            let decision = plan.as_ref().and_then(|p| p.decision_for(&d.id)).cloned();
            let runs: Vec<WorkerRun> = run.iter().filter(|r| r.selected.contains(&d.id)).cloned().collect();
            retry.push(RetryCase {
                delivery: d.clone(),
                redeliveries: Vec::new(),
                delivered_later: None,
                plans: plan.iter().filter(|_| decision.is_some()).map(|p| p.node).collect(),
                plan: plan.clone().filter(|_| decision.is_some()),
                decision,
                runs,
                records: Vec::new(),
                any_worker_run: run.is_some(),
            });
        }
        let release = bundle.get().and_then(|b| ev.nodes[b.node].release_ref.as_deref().cloned());
        let scope = vec![Scope::Current; ev.nodes.len()];
        Ok(Chain {
            model: Model::TrialPackage,
            releases: vec![Release {
                name: release.clone(),
                summary: summary.as_ref().map(|s| s.id.clone()),
                newest: summary.as_ref().and_then(|s| ev.nodes[s.node].created),
                summaries: summary.iter().count(),
                evaluated: true,
            }],
            release,
            release_requested: false,
            bundle,
            manifest,
            delivery_event: None,
            deliveries: deliveries.iter().map(|d| d.node).collect(),
            last_delivery: deliveries.last().cloned(),
            requests: Vec::new(),
            decision: one(Kind::RetentionReviewDecision).map(|i| RetentionDecision::read(ev, i)).transpose()?,
            artifact_bundle: one(Kind::ArtifactBundle).map(|i| ArtifactBundle::read(ev, i)).transpose()?,
            health: one(Kind::RetentionHealth).map(|i| RetentionHealth::read(ev, i)).transpose()?,
            alert_plan: None,
            stale_alert_plan: None,
            alert_delivery: None,
            trial_alert: one(Kind::AlertDelivery).map(|i| TrialAlert::read(ev, i)).transpose()?,
            retry,
            evidence_decision: one(Kind::ReleaseDecision).map(|i| EvidenceDecision::read(ev, i)).transpose()?,
            summary,
            scope,
        })
    }

    fn runtime(ev: &Evidence, requested: Option<&str>, of: &dyn Fn(Kind) -> Vec<usize>) -> Result<Chain, LoadError> {
        let t = std::time::Instant::now();
        let rel_of = |i: usize| ev.nodes[i].release_ref.as_deref().map(Text::raw);
        let summaries = of(Kind::CloseoutSummary);
        let events = of(Kind::CloseoutDeliveryEvent);

        // Releases: every release a summary, delivery event or readiness bundle names.
        let mut seen: Vec<Option<&str>> = Vec::new();
        let mut seen_set: HashSet<Option<&str>> = HashSet::default();
        for i in summaries.iter().chain(&events).chain(&of(Kind::ReadinessBundle)) {
            if seen_set.insert(rel_of(*i)) {
                seen.push(rel_of(*i));
            }
        }
        // The anchor summary and the evaluated release.
        let anchor = match requested {
            Some(r) => newest(ev, &summaries.iter().copied().filter(|&i| rel_of(i) == Some(r)).collect::<Vec<_>>()),
            None => newest(ev, &summaries),
        };
        let release: Option<String> = match (requested, anchor) {
            (Some(r), _) => Some(r.to_string()),
            (None, Some(a)) => rel_of(a).map(str::to_string),
            // No closeout summary: the release of the newest chain artifact that names one.
            (None, None) => newest(
                ev,
                &(0..ev.nodes.len())
                    .filter(|&i| ev.nodes[i].kind.in_chain() && rel_of(i).is_some())
                    .collect::<Vec<_>>(),
            )
            .and_then(|i| rel_of(i).map(str::to_string)),
        };
        let rel = release.as_deref();
        let in_release = |i: usize| rel_of(i) == rel;
        let summary = anchor.map(|a| Summary::read(ev, a)).transpose()?;

        crate::trace("chain: anchor", t);
        // S(R): every summary id of the release (summary versions and delivery events).
        let summary_ids: HashSet<&str> =
            summaries.iter().chain(&events).filter(|&&i| in_release(i)).map(|&i| ev.nodes[i].id.raw()).collect();
        let known_summary = |s: &str| {
            ev.find(s).iter().any(|&n| matches!(ev.nodes[n].kind, Kind::CloseoutSummary | Kind::CloseoutDeliveryEvent))
        };
        // One rule for every member that names a summary: joined by a summary id of the release; one naming
        // another release's stored summary does not join (whatever release it says it is of); one that names
        // none, or a summary the evidence does not hold at all (a live redelivery's rebuilt summary is not
        // stored), joins by its release.
        let joins = |i: usize, summary: Option<Text>| match summary {
            Some(s) if s.with_raw(|s| summary_ids.contains(s)) => true,
            Some(s) if s.with_raw(known_summary) => false,
            _ => in_release(i),
        };
        let linked = |i: usize, key: &str| -> Result<bool, LoadError> { Ok(joins(i, ev.wrapper_text(i, key)?)) };

        let member = |kind: Kind, named: Option<&Text>| -> Result<(Member<usize>, Option<usize>), LoadError> {
            let nodes = of(kind);
            if let Some(id) = named {
                let hits: Vec<usize> =
                    id.with_raw(|id| ev.find(id).iter().copied().filter(|i| nodes.contains(i)).collect());
                return Ok(match newest(ev, &hits) {
                    Some(i) => (Member::Present(i), Some(i)),
                    None => (Member::Named(id.clone()), None),
                });
            }
            let mine: Vec<usize> = nodes.into_iter().filter(|&i| in_release(i)).collect();
            Ok(match newest(ev, &mine) {
                Some(i) => (Member::Present(i), Some(i)),
                None => (Member::Absent, None),
            })
        };
        let (bundle_m, _) = member(Kind::ReadinessBundle, summary.as_ref().and_then(|s| s.bundle_id.as_ref()))?;
        let (manifest_m, _) =
            member(Kind::SignedArchiveManifest, summary.as_ref().and_then(|s| s.manifest_id.as_ref()))?;
        let bundle = match bundle_m {
            Member::Present(i) => Member::Present(ReadinessBundle::read(ev, i)?),
            Member::Named(t) => Member::Named(t),
            Member::Absent => Member::Absent,
        };
        let manifest = match manifest_m {
            Member::Present(i) => Member::Present(Manifest::read(ev, i)?),
            Member::Named(t) => Member::Named(t),
            Member::Absent => Member::Absent,
        };
        let delivery_event = newest(ev, &events.iter().copied().filter(|&i| in_release(i)).collect::<Vec<_>>());

        crate::trace("chain: members", t);
        // Deliveries of the release: joined by the summary id they delivered (the wrapper's, else the event id).
        let mut delivery_nodes = keep_where(ev, &of(Kind::CloseoutDelivery), |i| {
            let sid = match ev.wrapper_text(i, "summary_id")? {
                Some(s) => Some(s),
                None => ev.field_text(i, "event_id")?,
            };
            Ok(joins(i, sid))
        })?;
        delivery_nodes.sort_by_key(|&i| (ev.nodes[i].created, i));
        // What the rules need of every delivery, read without decoding it; the newest one decoded.
        let heads: Vec<Head> = delivery_nodes.iter().map(|&i| Head::of(ev, i)).collect();
        let last_delivery = delivery_nodes.last().map(|&i| Delivery::read(ev, i)).transpose()?;

        crate::trace("chain: deliveries", t);
        // Retention: requests and decisions of the release, the newest decision.
        let requests = keep_where(ev, &of(Kind::RetentionReviewRequest), |i| linked(i, "summary_id"))?;
        let request_ids: HashSet<&str> = requests.iter().map(|&i| ev.nodes[i].id.raw()).collect();
        let mut decision = None;
        for i in newest_first(ev, &of(Kind::RetentionReviewDecision)) {
            let joined = match ev.wrapper_text(i, "review_id")? {
                Some(r) if r.with_raw(|r| request_ids.contains(r)) => true,
                _ => linked(i, "summary_id")?,
            };
            if joined {
                decision = Some(RetentionDecision::read(ev, i)?);
                break;
            }
        }
        let mut artifact_bundle = None;
        for i in newest_first(ev, &of(Kind::ArtifactBundle)) {
            if rel_of(i).is_some() && !in_release(i) {
                continue;
            }
            if linked(i, "summary_id")? {
                artifact_bundle = Some(ArtifactBundle::read(ev, i)?);
                break;
            }
        }

        crate::trace("chain: retention", t);
        // Retention health is global: the newest report; its alert plan and the alert's delivery.
        let health = newest(ev, &of(Kind::RetentionHealth)).map(|i| RetentionHealth::read(ev, i)).transpose()?;
        let plans = newest_first(ev, &of(Kind::RetentionAlertPlan));
        let mut alert_plan = None;
        if let Some(h) = &health {
            for &i in &plans {
                if ev.field_text(i, "health_id")?.as_ref() == Some(&h.id) {
                    alert_plan = Some(AlertPlan::read(ev, i)?);
                    break;
                }
            }
        }
        let stale_alert_plan = match (&alert_plan, plans.first()) {
            (None, Some(&i)) => Some(AlertPlan::read(ev, i)?),
            _ => None,
        };
        let mut alert_delivery = None;
        if let Some(p) = &alert_plan {
            for i in newest_first(ev, &of(Kind::AlertDelivery)) {
                let event = ev.field_text(i, "event_id")?;
                let plan_id = ev.wrapper_text(i, "plan_id")?;
                if event.as_ref() == Some(&p.id) || plan_id.as_ref() == Some(&p.id) {
                    alert_delivery = Some(Delivery::read(ev, i)?);
                    break;
                }
            }
        }

        crate::trace("chain: health", t);
        let retry = retry_cases(ev, of, &heads)?;

        crate::trace("chain: retry", t);
        let mut chain = Chain {
            model: Model::Runtime,
            releases: Vec::new(),
            release: release.as_deref().map(Text::new),
            release_requested: requested.is_some(),
            summary,
            bundle,
            manifest,
            delivery_event,
            deliveries: delivery_nodes,
            last_delivery,
            requests,
            decision,
            artifact_bundle,
            health,
            alert_plan,
            stale_alert_plan,
            alert_delivery,
            trial_alert: None,
            retry,
            evidence_decision: None,
            scope: Vec::new(),
        };
        chain.releases = releases(ev, &seen, &summaries, rel);
        chain.scope = chain.classify(ev, rel, &summary_ids);
        Ok(chain)
    }

    /// Every node this chain rests on (the current member of each kind and the retry evidence).
    pub fn current_nodes(&self) -> Vec<usize> {
        let mut v = Vec::new();
        v.extend(self.summary.iter().map(|s| s.node));
        v.extend(self.bundle.get().map(|b| b.node));
        v.extend(self.manifest.get().map(|m| m.node));
        v.extend(self.delivery_event);
        v.extend(self.deliveries.iter().copied());
        v.extend(self.requests.iter().copied());
        v.extend(self.decision.iter().map(|d| d.node));
        v.extend(self.artifact_bundle.iter().map(|b| b.node));
        v.extend(self.health.iter().map(|h| h.node));
        v.extend(self.alert_plan.iter().map(|p| p.node));
        v.extend(self.alert_delivery.iter().map(|d| d.node));
        v.extend(self.trial_alert.iter().map(|a| a.node));
        for case in &self.retry {
            v.extend(case.nodes());
        }
        v.extend(self.evidence_decision.iter().map(|d| d.node));
        v.sort_unstable();
        v.dedup();
        v
    }

    fn classify(&self, ev: &Evidence, rel: Option<&str>, summary_ids: &HashSet<&str>) -> Vec<Scope> {
        let current: HashSet<usize> = self.current_nodes().into_iter().collect();
        ev.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if current.contains(&i) {
                    Scope::Current
                } else if matches!(
                    n.kind,
                    Kind::ReadinessSummary
                        | Kind::RunbookExport
                        | Kind::ReadinessApproval
                        | Kind::ReleaseRecordAttachment
                        | Kind::ClosurePacketVerification
                        | Kind::AuditorExport
                        | Kind::ImmutableArchiveReference
                        | Kind::ArchiveReferenceHealth
                        | Kind::ArchiveHealthAlertPlan
                        | Kind::ArchiveHealthAlertAck
                        | Kind::OtherDelivery
                ) {
                    if n.release_ref.is_some() && n.release_ref.as_deref().map(Text::raw) != rel {
                        Scope::OutOfScope
                    } else {
                        Scope::Upstream
                    }
                } else if n.release_ref.is_some() {
                    if n.release_ref.as_deref().map(Text::raw) == rel { Scope::Superseded } else { Scope::OutOfScope }
                } else if summary_ids.contains(n.id.raw()) {
                    Scope::Superseded
                } else {
                    Scope::Shared
                }
            })
            .collect()
    }
}

fn releases(ev: &Evidence, seen: &[Option<&str>], summaries: &[usize], evaluated: Option<&str>) -> Vec<Release> {
    // One pass over the summaries: per release, its count and newest summary.
    let mut by_release: HashMap<Option<&str>, (usize, usize)> = HashMap::default();
    for &i in summaries {
        let key = ev.nodes[i].release_ref.as_deref().map(Text::raw);
        let e = by_release.entry(key).or_insert((0, i));
        e.0 += 1;
        // Strictly newer only: of equal times, the first in load order stays (as `newest` picks).
        if ev.nodes[i].created > ev.nodes[e.1].created {
            e.1 = i;
        }
    }
    let mut out: Vec<Release> = seen
        .iter()
        .map(|&name| {
            let (count, top) = by_release.get(&name).copied().map_or((0, None), |(c, t)| (c, Some(t)));
            Release {
                name: name.map(Text::new),
                summary: top.map(|i| ev.nodes[i].id.clone()),
                newest: top.and_then(|i| ev.nodes[i].created),
                summaries: count,
                evaluated: name == evaluated,
            }
        })
        .collect();
    out.sort_by(|a, b| b.evaluated.cmp(&a.evaluated).then(b.newest.cmp(&a.newest)));
    out
}

/// What the chain needs of a delivery of the release, read without decoding it.
struct Head {
    node: usize,
    id: Text,
    delivered: bool,
}

/// What `pick` makes of each of `nodes` that it keeps, in node order. Each judgement reads raw fields of one
/// artifact, and a store with thousands of versions scatters them through its whole text, so they are made on
/// every core; the error returned is the first in node order, the one a single pass would have met.
fn pick_where<T: Send>(
    ev: &Evidence,
    nodes: &[usize],
    pick: impl Fn(usize) -> Result<Option<T>, LoadError> + Sync,
) -> Result<Vec<T>, LoadError> {
    let parts = ev.spread_range(nodes.len(), |part| -> Result<Vec<T>, LoadError> {
        let mut picked = Vec::new();
        for &i in &nodes[part] {
            picked.extend(pick(i)?);
        }
        Ok(picked)
    });
    let mut picked = Vec::new();
    for part in parts {
        picked.extend(part?);
    }
    Ok(picked)
}

/// The nodes of `nodes` for which `keep` holds, in their order ([`pick_where`]).
fn keep_where(
    ev: &Evidence,
    nodes: &[usize],
    keep: impl Fn(usize) -> Result<bool, LoadError> + Sync,
) -> Result<Vec<usize>, LoadError> {
    pick_where(ev, nodes, |i| Ok(keep(i)?.then_some(i)))
}

impl Head {
    fn of(ev: &Evidence, node: usize) -> Head {
        let delivered = match ev.nodes[node].delivery_success {
            Some(b) => b,
            None => matches!(ev.raw_field(node, "success"), Some(Some("true"))),
        };
        Head { node, id: ev.nodes[node].id.clone(), delivered }
    }
}

/// An execution record's links, read without decoding it.
struct RecordHead {
    node: usize,
    delivery: Text,
    new_delivery: Option<Text>,
}

/// The retry cases of a release's deliveries (rule book §5): the newest attempt, when it failed, is open;
/// an older failure is closed by a later success, and superseded by a later attempt that is not its own
/// redelivery. Live redeliveries (an execution record's `new_delivery_id`) belong to their original failure.
/// Only the artifacts of the cases reported are decoded, so the cost does not grow with versions.
fn retry_cases(ev: &Evidence, of: &dyn Fn(Kind) -> Vec<usize>, heads: &[Head]) -> Result<Vec<RetryCase>, LoadError> {
    if heads.iter().all(|d| d.delivered) {
        return Ok(Vec::new());
    }
    let ids: HashSet<&Text> = heads.iter().map(|d| &d.id).collect();
    // Each record's links, read from its raw text ([`pick_where`]).
    let mut records = pick_where(ev, &of(Kind::ExecutionRecord), |i| {
        Ok(match ev.wrapper_text(i, "delivery_id")? {
            Some(d) if ids.contains(&d) => {
                Some(RecordHead { node: i, delivery: d, new_delivery: ev.field_text(i, "new_delivery_id")? })
            }
            _ => None,
        })
    })?;
    records.sort_by_key(|r| (ev.nodes[r.node].created, r.node));
    // Redelivery links: original delivery id -> new delivery ids.
    let mut new_of: HashMap<&Text, Vec<&Text>> = HashMap::default();
    let mut is_redelivery: HashSet<&Text> = HashSet::default();
    for r in &records {
        if let Some(n) = &r.new_delivery
            && ids.contains(n)
            && n != &r.delivery
        {
            new_of.entry(&r.delivery).or_default().push(n);
            is_redelivery.insert(n);
        }
    }
    let by_id: HashMap<&Text, &Head> = heads.iter().map(|d| (&d.id, d)).collect();
    // With their places in `heads`, which is in delivery order (created_at, then store order).
    let primaries: Vec<(usize, &Head)> =
        heads.iter().enumerate().filter(|(_, d)| !is_redelivery.contains(&d.id)).collect();
    // For each place in `heads`, the first delivered head at or after it (`heads.len()`: none), so the
    // delivery that closed a failure later is found in a few steps, not by a search of every head per failure.
    let mut next_delivered = vec![heads.len(); heads.len() + 1];
    for i in (0..heads.len()).rev() {
        next_delivered[i] = if heads[i].delivered { i } else { next_delivered[i + 1] };
    }
    let worker_runs = of(Kind::WorkerRun);
    let retry_plans = newest_first(ev, &of(Kind::RetryPlan));
    let mut cases = Vec::new();
    // Failures closed by a later delivery are reported, the newest few of them (notes, not rules).
    let mut closed_later = 0;
    for (pos, &(at, d)) in primaries.iter().enumerate().rev() {
        if d.delivered {
            continue;
        }
        // Follow the redelivery links (bounded; a cycle cannot loop).
        let mut chain_heads: Vec<&Head> = Vec::new();
        let mut frontier = vec![&d.id];
        while let Some(at) = frontier.pop() {
            for n in new_of.get(at).into_iter().flatten() {
                if chain_heads.len() < 64 && !chain_heads.iter().any(|r| &r.id == *n) && *n != &d.id {
                    chain_heads.push(by_id[n]);
                    frontier.push(n);
                }
            }
        }
        chain_heads.sort_by_key(|r| (ev.nodes[r.node].created, r.node));
        // The first delivered head after this one that is not one of its own redeliveries.
        let later = {
            let mut j = next_delivered[at + 1];
            while j < heads.len() && chain_heads.iter().any(|r| r.id == heads[j].id) {
                j = next_delivered[j + 1];
            }
            heads.get(j)
        };
        let superseded = pos + 1 < primaries.len();
        let redelivered = chain_heads.iter().any(|r| r.delivered);
        if superseded && !redelivered && later.is_none() {
            continue;
        }
        let redeliveries: Vec<Delivery> =
            chain_heads.iter().map(|h| Delivery::read(ev, h.node)).collect::<Result<_, _>>()?;
        let delivered_later = later.map(|h| Delivery::read(ev, h.node)).transpose()?;
        if delivered_later.is_some() && redeliveries.is_empty() {
            // Closed by a later delivery of the release: nothing of the retry workflow needs reading.
            closed_later += 1;
            if closed_later > 3 {
                continue;
            }
            cases.push(RetryCase {
                delivery: Delivery::read(ev, d.node)?,
                redeliveries,
                delivered_later,
                plans: Vec::new(),
                plan: None,
                decision: None,
                runs: Vec::new(),
                records: Vec::new(),
                any_worker_run: !worker_runs.is_empty(),
            });
            continue;
        }
        let case_ids: Vec<&Text> = std::iter::once(&d.id).chain(chain_heads.iter().map(|r| &r.id)).collect();
        // Plans and worker runs that may name an id of the case, found on every core without decoding them.
        let mentioned = crate::evidence::Mentions::new(case_ids.iter().map(|id| id.raw()));
        // Decisions: the newest plan holding one for the latest failed attempt, else for any attempt.
        let mut holding = Vec::new();
        for p in keep_where(ev, &retry_plans, |p| Ok(ev.mentions(p, &mentioned)))? {
            let plan = RetryPlan::read(ev, p)?;
            if case_ids.iter().any(|id| plan.decision_for(id).is_some()) {
                holding.push(plan);
            }
        }
        let mut chosen = None;
        'ids: for id in case_ids.iter().rev() {
            for plan in &holding {
                if let Some(dec) = plan.decision_for(id) {
                    chosen = Some((plan.clone(), dec.clone()));
                    break 'ids;
                }
            }
        }
        let my_records: Vec<ExecutionRecord> = records
            .iter()
            .filter(|r| case_ids.contains(&&r.delivery))
            .map(|r| ExecutionRecord::read(ev, r.node))
            .collect::<Result<_, _>>()?;
        let record_runs: HashSet<&Text> = my_records.iter().filter_map(|r| r.run_id.as_ref()).collect();
        let mut runs = Vec::new();
        let named = |w: usize| record_runs.iter().any(|r| *r == &ev.nodes[w].id);
        for w in keep_where(ev, &worker_runs, |w| Ok(named(w) || ev.mentions(w, &mentioned)))? {
            let run = WorkerRun::read(ev, w)?;
            if named(w) || run.selected.iter().any(|s| case_ids.contains(&s)) {
                runs.push(run);
            }
        }
        runs.sort_by_key(|r| (r.created, r.node));
        let (plan, decision) = match chosen {
            Some((p, dec)) => (Some(p), Some(dec)),
            None => (None, None),
        };
        cases.push(RetryCase {
            delivery: Delivery::read(ev, d.node)?,
            redeliveries,
            delivered_later,
            plans: holding.iter().map(|p| p.node).collect(),
            plan,
            decision,
            runs,
            records: my_records,
            any_worker_run: !worker_runs.is_empty(),
        });
    }
    cases.reverse();
    Ok(cases)
}
