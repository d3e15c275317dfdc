//! Walkthrough progress on disk: one small JSON file per evidence under the state directory
//! (`$XDG_STATE_HOME/closeout/walkthroughs/`, else `~/.local/state/closeout/walkthroughs/`), named by a
//! digest of the evidence's content, so a restart on the same evidence resumes each walkthrough at its
//! step with its ticks and clock, and other evidence starts afresh.
//!
//! Writes go through one writer thread, in the order they were asked for, each atomic (a synced temporary
//! file renamed into place); the app waits for the writer before it exits. Nothing here is evidence: a
//! progress file that cannot be read is reported and replaced by the next write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};

use crate::evidence::Evidence;
use crate::tui::state::walk::Saved;

/// The `schema` every progress file carries.
pub const SCHEMA: &str = "closeout.walk-progress.v1";

/// The most a progress file may hold (a few walkthroughs' ticks take a few KiB).
const MAX: u64 = 1 << 20;

/// One evidence's walkthrough progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressFile {
    pub schema: String,
    /// The evidence's label, for people reading the file.
    pub evidence: String,
    /// The walkthrough open last (what `w` resumes).
    #[serde(default)]
    pub last: Option<String>,
    /// Progress by walkthrough name.
    #[serde(default)]
    pub walkthroughs: BTreeMap<String, Saved>,
}

/// The state directory for progress files, from the environment: `$XDG_STATE_HOME/closeout/walkthroughs`,
/// else `$HOME/.local/state/closeout/walkthroughs`; `None` when neither is set.
pub fn dir_from_env() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".local/state"),
    };
    Some(base.join("closeout").join("walkthroughs"))
}

/// The file that keeps `ev`'s progress in `dir`: named by a digest of where the evidence came from and the
/// SHA-256 of every input, so the same evidence finds it again and changed evidence does not.
pub fn path_for(dir: &Path, ev: &Evidence) -> PathBuf {
    let mut key = String::new();
    key.push_str(&ev.source.shown());
    for input in &ev.inputs {
        key.push('\n');
        key.push_str(input.sha256());
    }
    let digest = crate::evidence::canonical::sha256_hex(key.as_bytes());
    dir.join(format!("{}.json", &digest[..32]))
}

/// Read a progress file: `Ok(None)` when there is none yet; an error names the file and what is wrong
/// (with line and column for JSON).
pub fn load(path: &Path) -> Result<Option<ProgressFile>, String> {
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{shown}: {e}")),
        Ok(_) => {}
    }
    let bytes = crate::files::read_regular(path, MAX).map_err(|e| format!("{shown}: {e}"))?;
    let file: ProgressFile = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{shown}: line {}, column {}: {}", e.line(), e.column(), strip_position(&e)))?;
    if file.schema != SCHEMA {
        return Err(format!("{shown}: schema is {:?}; expected {SCHEMA:?}", crate::sanitize::clean(&file.schema)));
    }
    Ok(Some(file))
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    crate::sanitize::clean(s.split(" at line ").next().unwrap_or_default()).into_owned()
}

/// Write a progress file atomically, making its directory first.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{shown}: {e}"))?;
    }
    crate::files::write_atomic(path, text.as_bytes()).map_err(|e| format!("{shown}: {e}"))
}

/// The one thread that writes progress files, in order.
pub struct Writer {
    tx: Option<Sender<(PathBuf, String)>>,
    thread: Option<JoinHandle<Vec<String>>>,
}

impl Writer {
    pub fn new() -> Writer {
        let (tx, rx) = channel::<(PathBuf, String)>();
        let thread = std::thread::spawn(move || {
            let mut errors = Vec::new();
            while let Ok((path, mut text)) = rx.recv() {
                let mut path = path;
                // Only the newest of what is waiting matters: each write holds the whole state.
                while let Ok((p, t)) = rx.try_recv() {
                    (path, text) = (p, t);
                }
                if let Err(e) = write(&path, &text) {
                    errors.push(e);
                }
            }
            errors
        });
        Writer { tx: Some(tx), thread: Some(thread) }
    }

    pub fn send(&self, path: PathBuf, text: String) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((path, text));
        }
    }

    /// Wait until everything asked for is written; what could not be.
    pub fn finish(&mut self) -> Vec<String> {
        drop(self.tx.take());
        self.thread.take().and_then(|t| t.join().ok()).unwrap_or_default()
    }
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> ProgressFile {
        let mut walkthroughs = BTreeMap::new();
        walkthroughs.insert(
            "trial-walkthrough".to_string(),
            Saved { step: 2, ticked: vec![("evidence-chain".into(), 1)], cursor: 1, elapsed_seconds: 75 },
        );
        ProgressFile {
            schema: SCHEMA.into(),
            evidence: "trial".into(),
            last: Some("trial-walkthrough".into()),
            walkthroughs,
        }
    }

    #[test]
    fn written_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/er/p.json");
        assert_eq!(load(&path).unwrap(), None, "no file yet");
        let mut w = Writer::new();
        // Only the last of these matters; each is whole.
        let mut older = file();
        older.walkthroughs.get_mut("trial-walkthrough").unwrap().step = 1;
        w.send(path.clone(), serde_json::to_string(&older).unwrap());
        w.send(path.clone(), serde_json::to_string(&file()).unwrap());
        assert!(w.finish().is_empty());
        assert_eq!(load(&path).unwrap(), Some(file()));
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left beside it");
    }

    #[test]
    fn a_bad_file_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, "{\n  \"schema\": 3\n}").unwrap();
        let e = load(&path).unwrap_err();
        assert!(e.contains("p.json") && e.contains("line 2"), "{e}");
        std::fs::write(&path, r#"{"schema":"other","evidence":"x"}"#).unwrap();
        assert!(load(&path).unwrap_err().contains("expected"));
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(load(&fifo).is_err(), "a FIFO is refused, never opened");
    }

    #[test]
    fn the_same_evidence_finds_its_file_and_other_evidence_does_not() {
        let opts = crate::evidence::LoadOptions::default();
        let a = crate::samples::load("trial-walkthrough", &opts).unwrap();
        let b = crate::samples::load("trial-walkthrough", &opts).unwrap();
        let c = crate::samples::load("closeout-open", &opts).unwrap();
        let dir = Path::new("/state");
        assert_eq!(path_for(dir, &a), path_for(dir, &b));
        assert_ne!(path_for(dir, &a), path_for(dir, &c));
        assert!(path_for(dir, &a).starts_with(dir));
    }
}
