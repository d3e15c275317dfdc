//! Live evidence: watch the loaded files for changes (debounced) and describe what a re-evaluation changed.
//!
//! The TUI reloads on a background thread when [`Watch`] reports a change; a file caught mid-write fails to
//! load, the error is shown and the last good evidence stays; the next good write recovers.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use crate::evidence::Evidence;
use crate::health::{CriterionId, Report, Status, Verdict};

/// How long the files must be quiet before a change is reported.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// A debounced watch over evidence paths.
pub struct Watch {
    rx: Receiver<()>,
    _watcher: RecommendedWatcher,
}

impl Watch {
    /// Watch `path` (a file or a directory). A file is watched through its directory, so a writer that
    /// replaces it by renaming a temporary file is seen too.
    pub fn new(path: &Path, debounce: Duration) -> notify::Result<Watch> {
        let target = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let is_dir = target.is_dir();
        let (raw_tx, raw_rx) = channel::<()>();
        let wanted = target.clone();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(event) = res {
                let relevant = is_dir || event.paths.iter().any(|p| p == &wanted || same_file_name(p, &wanted));
                let kind_matters = !matches!(event.kind, notify::EventKind::Access(_));
                if relevant && kind_matters {
                    let _ = raw_tx.send(());
                }
            }
        })?;
        let (watch_path, mode) = if is_dir {
            (target.clone(), RecursiveMode::Recursive)
        } else {
            (target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(".")), RecursiveMode::NonRecursive)
        };
        watcher.watch(&watch_path, mode)?;
        let (tx, rx) = channel::<()>();
        std::thread::spawn(move || {
            // Wait for a first event, then for `debounce` of quiet, then report once.
            while raw_rx.recv().is_ok() {
                let mut deadline = Instant::now() + debounce;
                loop {
                    match raw_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(()) => deadline = Instant::now() + debounce,
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                if tx.send(()).is_err() {
                    return;
                }
            }
        });
        Ok(Watch { rx, _watcher: watcher })
    }

    /// True when the evidence changed since the last call (never blocks).
    pub fn changed(&self) -> bool {
        let mut any = false;
        while self.rx.try_recv().is_ok() {
            any = true;
        }
        any
    }

    /// Wait up to `timeout` for a change.
    pub fn wait(&self, timeout: Duration) -> bool {
        let got = self.rx.recv_timeout(timeout).is_ok();
        got | self.changed()
    }
}

fn same_file_name(p: &Path, wanted: &Path) -> bool {
    p.file_name() == wanted.file_name()
        && p.parent().and_then(|d| d.canonicalize().ok()) == wanted.parent().map(Path::to_path_buf)
}

/// What changed between two evaluations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Criteria whose status moved: (id, before, after).
    pub moved: Vec<(CriterionId, Status, Status)>,
    pub verdict: Option<(Verdict, Verdict)>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.moved.is_empty() && self.verdict.is_none() && self.added.is_empty() && self.removed.is_empty()
    }

    /// One line for a status bar.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "evidence reloaded: nothing changed".into();
        }
        let mut parts = Vec::new();
        if let Some((a, b)) = self.verdict {
            parts.push(format!("verdict {} → {}", a.as_str(), b.as_str()));
        }
        for (id, a, b) in &self.moved {
            parts.push(format!("{id} {} → {}", a.as_str(), b.as_str()));
        }
        if !self.added.is_empty() {
            parts.push(format!("{} artifact(s) added", self.added.len()));
        }
        if !self.removed.is_empty() {
            parts.push(format!("{} removed", self.removed.len()));
        }
        format!("evidence reloaded: {}", parts.join(", "))
    }
}

/// Compare two evaluations: criteria that moved, the verdict, artifacts added and removed (by kind and id).
pub fn diff(old_ev: &Evidence, old: &Report, new_ev: &Evidence, new: &Report) -> Changes {
    let before: BTreeMap<CriterionId, Status> = old.findings.iter().map(|f| (f.id, f.status)).collect();
    let moved = new
        .findings
        .iter()
        .filter_map(|f| before.get(&f.id).filter(|&&s| s != f.status).map(|&s| (f.id, s, f.status)))
        .collect();
    let key = |ev: &Evidence| -> HashSet<(String, crate::text::Text)> {
        ev.nodes.iter().map(|n| (n.kind.stable(), n.id.clone())).collect()
    };
    let (a, b) = (key(old_ev), key(new_ev));
    let mut added: Vec<String> = b.difference(&a).map(|(_, id)| id.to_string()).collect();
    let mut removed: Vec<String> = a.difference(&b).map(|(_, id)| id.to_string()).collect();
    added.sort();
    removed.sort();
    let verdict = (old.verdict != new.verdict).then_some((old.verdict, new.verdict));
    Changes { moved, verdict, added, removed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{LoadOptions, load_path};
    use crate::health::evaluate;
    use crate::time::parse_instant;

    use crate::samples::on_disk;

    #[test]
    fn diff_names_moved_criteria_and_nodes() {
        let t = parse_instant(on_disk::AS_OF).unwrap();
        let a = load_path(&on_disk::path("clean-store.json"), &LoadOptions::default()).unwrap();
        let b = load_path(&on_disk::path("accepted-risk-store.json"), &LoadOptions::default()).unwrap();
        let (ra, rb) = (evaluate(&a, &[], t).unwrap(), evaluate(&b, &[], t).unwrap());
        let c = diff(&a, &ra, &b, &rb);
        assert_eq!(c.verdict, Some((Verdict::ReadyForRelease, Verdict::Blocked)));
        assert!(c.moved.contains(&(CriterionId::RetryWorkflow, Status::Pass, Status::Warn)), "{:?}", c.moved);
        assert!(c.added.iter().any(|id| id.starts_with("gordackfinalcloseoutexec-")), "{:?}", c.added);
        assert!(!c.removed.is_empty());
        assert!(c.summary().starts_with("evidence reloaded: verdict ready_for_release → blocked"), "{}", c.summary());
        assert!(diff(&a, &ra, &a, &ra).is_empty());
    }

    /// A test rewrites the evidence file and the watch reports it (debounced to one signal).
    #[test]
    fn watch_sees_an_atomic_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("store.json");
        std::fs::copy(on_disk::path("clean-store.json"), &p).unwrap();
        let w = Watch::new(&p, Duration::from_millis(100)).unwrap();
        assert!(!w.changed());
        let tmp = dir.path().join(".store.json.tmp");
        std::fs::copy(on_disk::path("accepted-risk-store.json"), &tmp).unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        assert!(w.wait(Duration::from_secs(10)), "the rename was seen");
        std::fs::write(dir.path().join("unrelated.txt"), "x").unwrap();
        assert!(!w.wait(Duration::from_millis(500)), "other files in the directory are ignored");
    }
}
