//! Running the criteria in the background, one at a time, so a UI can show progress and each finding as
//! it completes while it keeps drawing and answering keys.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;

use super::{Acceptance, CRITERIA, CriterionId, Ctx, Finding, Policy, Report, finish, run_criterion};
use crate::evidence::{Evidence, Generation, LoadError};
use crate::model::Chain;
use crate::time::AsOf;

/// What a background run reports, in order: `Started`, then per criterion `Running` and `Finding`, then
/// `Done` (or `Failed`).
#[derive(Debug, Clone)]
pub enum HealthEvent {
    Started {
        total: usize,
    },
    /// Criterion `index` (0-based) of `total` is being evaluated.
    Running {
        index: usize,
        id: CriterionId,
    },
    Finding {
        index: usize,
        finding: Finding,
    },
    Done(Box<Report>),
    Failed(LoadError),
}

/// A run in progress.
pub struct HealthRun {
    pub events: Receiver<HealthEvent>,
    /// The generation of the evidence this run evaluates: its events mean nothing for any other.
    pub generation: Generation,
    handle: Option<JoinHandle<()>>,
    evidence: Arc<Evidence>,
    start_bytes: u64,
}

impl HealthRun {
    /// Start evaluating on a worker thread.
    pub fn start(evidence: Arc<Evidence>, acceptances: Vec<Acceptance>, as_of: impl Into<AsOf>) -> HealthRun {
        HealthRun::start_release(evidence, acceptances, as_of, None)
    }

    /// Start evaluating the chain of `release` (None: `--release`, else the newest) on a worker thread.
    pub fn start_release(
        evidence: Arc<Evidence>,
        acceptances: Vec<Acceptance>,
        as_of: impl Into<AsOf>,
        release: Option<crate::text::Text>,
    ) -> HealthRun {
        let as_of: AsOf = as_of.into();
        let (tx, rx) = channel();
        let ev = Arc::clone(&evidence);
        let start_bytes = evidence.hashed_bytes.load(Ordering::Relaxed);
        let generation = evidence.generation;
        let handle = std::thread::spawn(move || {
            let _ = tx.send(HealthEvent::Started { total: CRITERIA.len() });
            let chain = match Chain::of(&ev, release.as_ref()) {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(HealthEvent::Failed(e));
                    return;
                }
            };
            let policy = Policy::default();
            let ctx = Ctx { ev: &ev, chain: &chain, as_of: as_of.at, policy: &policy };
            let mut findings = Vec::with_capacity(CRITERIA.len());
            for (index, c) in CRITERIA.iter().enumerate() {
                if tx.send(HealthEvent::Running { index, id: c.id }).is_err() {
                    return;
                }
                match run_criterion(c, &ctx) {
                    Ok(finding) => {
                        findings.push(finding.clone());
                        if tx.send(HealthEvent::Finding { index, finding }).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(HealthEvent::Failed(e));
                        return;
                    }
                }
            }
            let _ = tx.send(match finish(&ev, Arc::clone(&chain), findings, &acceptances, as_of) {
                Ok(report) => HealthEvent::Done(Box::new(report)),
                Err(e) => HealthEvent::Failed(e),
            });
        });
        HealthRun { events: rx, generation, handle: Some(handle), evidence, start_bytes }
    }

    /// Bytes hashed by this run so far (artifact-bundle verification), for an MB/s display.
    pub fn hashed_bytes(&self) -> u64 {
        self.evidence.hashed_bytes.load(Ordering::Relaxed).saturating_sub(self.start_bytes)
    }

    /// Wait for the run to end and return its report (tests and non-interactive callers).
    pub fn wait(mut self) -> Result<Report, LoadError> {
        let mut last = None;
        for ev in self.events.iter() {
            match ev {
                HealthEvent::Done(r) => last = Some(Ok(*r)),
                HealthEvent::Failed(e) => last = Some(Err(e)),
                _ => {}
            }
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        last.unwrap_or_else(|| Err(LoadError::new("health", "the evaluation stopped before it finished")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::LoadOptions;
    use crate::health::{Verdict, evaluate};

    #[test]
    fn background_run_streams_every_finding_then_the_same_report() {
        let ev = Arc::new(crate::samples::load("accepted-risk-store", &LoadOptions::default()).unwrap());
        let as_of = ev.default_as_of.unwrap();
        let run = HealthRun::start(Arc::clone(&ev), Vec::new(), as_of);
        let run_generation = run.generation;
        let events: Vec<HealthEvent> = run.events.iter().collect();
        assert!(matches!(events[0], HealthEvent::Started { total: 10 }));
        let findings: Vec<&Finding> = events
            .iter()
            .filter_map(|e| if let HealthEvent::Finding { finding, .. } = e { Some(finding) } else { None })
            .collect();
        assert_eq!(findings.len(), 10);
        let ids: Vec<CriterionId> = findings.iter().map(|f| f.id).collect();
        assert_eq!(ids, CRITERIA.iter().map(|c| c.id).collect::<Vec<_>>());
        let Some(HealthEvent::Done(report)) = events.last() else { panic!("no Done: {:?}", events.last()) };
        let direct = evaluate(&ev, &[], as_of).unwrap();
        assert_eq!(report.verdict, Verdict::Blocked);
        assert_eq!(report.findings, direct.findings);
        assert_eq!(report.generation, ev.generation);
        assert_eq!(run_generation, ev.generation);
    }

    #[test]
    fn hashing_progress_counts_bytes() {
        let ev = Arc::new(crate::samples::load("clean-store", &LoadOptions::default()).unwrap());
        let run = HealthRun::start(Arc::clone(&ev), Vec::new(), ev.default_as_of.unwrap());
        let _ = run.events.iter().count();
        assert!(ev.hashed_bytes.load(Ordering::Relaxed) > 1000, "bundle contents were hashed");
    }
}
