//! The runtime: every side effect the explorer asks for ([`Effect`]: run the criteria, load the evidence
//! again, write a review record, write notes, copy to the clipboard, build the search index) runs here, off
//! the draw thread, and comes back as a [`Work`] message. A result carries the evidence [`Generation`] it
//! was computed on, and the model drops it when its evidence is newer.
//!
//! [`Runtime::threaded`] runs effects on worker threads (the live app); [`Runtime::inline`] runs each one to
//! completion before returning (recordings and tests: the same tape always gives the same frames).

pub mod clipboard;
pub mod progress;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

use crate::evidence::{Evidence, Generation, LoadOptions};
use crate::health::run::{HealthEvent, HealthRun};
use crate::health::{Acceptance, Report};
use crate::review::ReviewRecord;
use crate::text::Text;
use crate::time::AsOf;
use crate::tui::action::Msg;
use crate::tui::state::search::SearchIndex;

pub use clipboard::{Clipboard, ClipboardMode};

/// A payload carried by a message, compared by identity so [`Msg`] stays `Eq` while it carries reports and
/// evidence.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Shared<T> {
    pub fn new(v: T) -> Self {
        Shared(Arc::new(v))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Shared<T> {}

/// Where evidence is loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Sample(String),
}

/// What the sandbox's runtime reports instead of doing `e`, when `e` would touch the disk.
fn sandbox_refusal(e: &Effect) -> Option<Work> {
    const NO: &str = "the sandbox writes nothing and reads no files";
    Some(match e {
        Effect::SaveReview { generation, .. } => {
            Work::ReviewSaved { generation: *generation, result: Shared::new(Err(NO.into())) }
        }
        Effect::SignReview { generation, .. } => {
            Work::ReviewSigned { generation: *generation, result: Shared::new(Err(NO.into())) }
        }
        Effect::SaveNotes { .. } => Work::NotesSaved(Shared::new(Err(NO.into()))),
        Effect::Load { source: Source::Path(_), .. } => Work::Loaded(Shared::new(Err(NO.into()))),
        _ => return None,
    })
}

/// Evidence loaded and evaluated again.
#[derive(Debug)]
pub struct Loaded {
    pub evidence: Arc<Evidence>,
    pub report: Report,
    pub acceptances: Vec<Acceptance>,
    pub source: Source,
    /// Review files that could not be read (each a line), for the log.
    pub problems: Vec<String>,
}

/// A side effect for the runtime.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Evaluate the criteria of `release` (None: the default) live, streaming progress.
    RunHealth { evidence: Arc<Evidence>, acceptances: Vec<Acceptance>, as_of: AsOf, release: Option<Text> },
    /// Load and evaluate evidence again (`as_of` None: a sample's own time).
    Load { source: Source, options: LoadOptions, reviews: Vec<PathBuf>, as_of: Option<AsOf>, release: Option<Text> },
    /// Write a review record atomically (synced), never over an evidence file.
    SaveReview { generation: Generation, path: PathBuf, record: Box<ReviewRecord>, evidence: Arc<Evidence> },
    /// Sign a saved review record with the Rust signer ([`crate::sign`]; never a shell-out) and write
    /// `RECORD.sig` beside it atomically: with `key` (a private key file, or a `.pub` the agent holds), else
    /// the agent's one key.
    SignReview { generation: Generation, record: PathBuf, key: Option<PathBuf>, agent: bool },
    /// Write the walkthrough's follow-up notes.
    SaveNotes { path: PathBuf, text: String },
    /// Write walkthrough progress (the whole file's text) through the one progress writer, in order.
    SaveProgress { path: PathBuf, text: String },
    /// Put text on the clipboard (`what` names it in the message).
    Copy { what: &'static str, text: String },
    /// Index every field of every artifact for search.
    BuildIndex { evidence: Arc<Evidence> },
}

/// What background work reports back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// One event of a running health evaluation of evidence `generation`.
    Health {
        generation: Generation,
        event: Shared<HealthEvent>,
    },
    /// Bytes hashed so far by the running evaluation.
    Hashed {
        generation: Generation,
        bytes: u64,
    },
    /// The evidence file changed on disk (debounced).
    EvidenceChanged,
    /// A load finished (the error text when the evidence could not be loaded or evaluated).
    Loaded(Shared<Result<Loaded, String>>),
    /// A review record was written (its path), or could not be.
    ReviewSaved {
        generation: Generation,
        result: Shared<Result<PathBuf, String>>,
    },
    /// A saved review record was signed (what was written, described), or could not be.
    ReviewSigned {
        generation: Generation,
        result: Shared<Result<String, String>>,
    },
    NotesSaved(Shared<Result<PathBuf, String>>),
    /// A copy went to the clipboard (how), or could not.
    Copied {
        what: &'static str,
        result: Result<String, String>,
    },
    /// The search index is ready.
    Index(Shared<SearchIndex>),
}

/// Runs effects and hands back what they report.
pub struct Runtime {
    inline: bool,
    watch: Option<crate::live::Watch>,
    health: Option<HealthRun>,
    tx: Sender<Work>,
    rx: Receiver<Work>,
    /// Jobs on worker threads not yet reported.
    jobs: usize,
    clipboard: Clipboard,
    /// `closeout --sandbox`: every write and every read from disk is refused here, whatever asked for it.
    sandboxed: bool,
    /// Writes progress files in order; started with the first.
    progress: Option<progress::Writer>,
}

impl Runtime {
    /// Worker threads; a debounced watch on the evidence path, when there is one.
    pub fn threaded(watch: Option<&Path>, clipboard: Clipboard) -> Runtime {
        let (tx, rx) = channel();
        let watch = watch.and_then(|p| crate::live::Watch::new(p, crate::live::DEBOUNCE).ok());
        Runtime { inline: false, watch, health: None, tx, rx, jobs: 0, clipboard, sandboxed: false, progress: None }
    }

    /// The sandbox's runtime: worker threads, no watch, and no effect that writes a file or reads one from
    /// disk (a review, its signature, notes, a load of a path) is done; each reports that the sandbox refused.
    pub fn sandboxed(clipboard: Clipboard) -> Runtime {
        Runtime { sandboxed: true, ..Runtime::threaded(None, clipboard) }
    }

    /// Every effect run to its end before [`Runtime::execute`] returns; no watch.
    pub fn inline(clipboard: Clipboard) -> Runtime {
        let (tx, rx) = channel();
        Runtime {
            inline: true,
            watch: None,
            health: None,
            tx,
            rx,
            jobs: 0,
            clipboard,
            sandboxed: false,
            progress: None,
        }
    }

    /// Wait until every progress write asked for is done; what could not be written.
    pub fn finish_progress(&mut self) -> Vec<String> {
        self.progress.take().map(|mut w| w.finish()).unwrap_or_default()
    }

    /// True while work is under way (the loop ticks faster so the spinner moves).
    pub fn busy(&self) -> bool {
        self.health.is_some() || self.jobs > 0
    }

    /// Start (or, inline, do) these effects.
    pub fn execute(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.start(e);
        }
    }

    fn job(&mut self, f: impl FnOnce() -> Work + Send + 'static) {
        if self.inline {
            let _ = self.tx.send(f());
        } else {
            let tx = self.tx.clone();
            self.jobs += 1;
            std::thread::spawn(move || {
                let _ = tx.send(f());
            });
        }
    }

    fn start(&mut self, e: Effect) {
        if self.sandboxed
            && let Some(refused) = sandbox_refusal(&e)
        {
            let _ = self.tx.send(refused);
            return;
        }
        match e {
            Effect::RunHealth { evidence, acceptances, as_of, release } => {
                let run = HealthRun::start_release(evidence, acceptances, as_of, release);
                if self.inline {
                    let generation = run.generation;
                    for event in run.events.iter() {
                        let _ = self.tx.send(Work::Health { generation, event: Shared::new(event) });
                    }
                } else {
                    // A newer run replaces an older one: dropping its receiver stops it.
                    self.health = Some(run);
                }
            }
            Effect::Load { source, options, reviews, as_of, release } => {
                self.job(move || Work::Loaded(Shared::new(load(&source, &options, &reviews, as_of, release.as_ref()))))
            }
            Effect::SaveReview { generation, path, record, evidence } => self.job(move || {
                let r =
                    crate::review::write_atomic(&path, &record, &evidence).map(|()| path).map_err(|e| e.to_string());
                Work::ReviewSaved { generation, result: Shared::new(r) }
            }),
            Effect::SignReview { generation, record, key, agent } => self.job(move || {
                let r = crate::sign::command::sign_record(&record, key.as_deref(), agent, false)
                    .map(|s| s.describe())
                    .map_err(|e| e.to_string());
                Work::ReviewSigned { generation, result: Shared::new(r) }
            }),
            Effect::SaveNotes { path, text } => {
                self.job(move || Work::NotesSaved(Shared::new(write_notes(&path, &text))))
            }
            // The sandbox keeps progress in memory only.
            Effect::SaveProgress { .. } if self.sandboxed => {}
            Effect::SaveProgress { path, text } => {
                if self.inline {
                    if let Err(e) = progress::write(&path, &text) {
                        crate::trace(&format!("progress not saved: {e}"), Instant::now());
                    }
                } else {
                    self.progress.get_or_insert_with(progress::Writer::new).send(path, text);
                }
            }
            Effect::Copy { what, text } => {
                let result = self.clipboard.copy(&text);
                let _ = self.tx.send(Work::Copied { what, result });
            }
            Effect::BuildIndex { evidence } => {
                self.job(move || Work::Index(Shared::new(SearchIndex::build(&evidence))))
            }
        }
    }

    /// What work has reported since the last call (never waits).
    pub fn poll(&mut self) -> Vec<Msg> {
        let mut out = Vec::new();
        if let Some(run) = &self.health {
            let generation = run.generation;
            let mut done = false;
            loop {
                match run.events.try_recv() {
                    Ok(event) => {
                        done |= matches!(event, HealthEvent::Done(_) | HealthEvent::Failed(_));
                        out.push(Msg::Work(Work::Health { generation, event: Shared::new(event) }));
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        done = true;
                        break;
                    }
                }
            }
            if !done {
                out.push(Msg::Work(Work::Hashed { generation, bytes: run.hashed_bytes() }));
            }
            if done {
                self.health = None;
            }
        }
        while let Ok(w) = self.rx.try_recv() {
            if !self.inline && !matches!(w, Work::Copied { .. }) {
                self.jobs = self.jobs.saturating_sub(1);
            }
            out.push(Msg::Work(w));
        }
        if self.watch.as_ref().is_some_and(|w| w.changed()) {
            out.push(Msg::Work(Work::EvidenceChanged));
        }
        out
    }

    /// Run effects and feed what they report back into the model until nothing is under way, or `timeout`
    /// passes (tests and scripted runs). True when it settled.
    pub fn settle(&mut self, model: &mut crate::tui::Model, effects: Vec<Effect>, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        self.execute(effects);
        loop {
            let msgs = self.poll();
            let idle = msgs.is_empty() && !self.busy();
            for m in msgs {
                let more = crate::tui::update::update(model, m);
                self.execute(more);
            }
            if idle {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            if self.busy() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// Write notes atomically (a synced temporary file renamed into place), after checking the target is one a
/// file can be written to: a directory, FIFO or device is refused, never opened.
fn write_notes(path: &Path, text: &str) -> Result<PathBuf, String> {
    match crate::files::write_atomic(path, text.as_bytes()) {
        Ok(()) => Ok(path.to_path_buf()),
        Err(e) => Err(format!("{}: {e}", crate::sanitize::clean(&path.display().to_string()))),
    }
}

/// Load and evaluate the evidence again, with the review records in force.
pub fn load(
    source: &Source,
    options: &LoadOptions,
    reviews: &[PathBuf],
    as_of: Option<AsOf>,
    release: Option<&Text>,
) -> Result<Loaded, String> {
    let evidence = match source {
        Source::Path(p) => crate::evidence::load_path(p, options),
        Source::Sample(name) => crate::samples::load(name, options),
    }
    .map_err(|e| e.to_string())?;
    let (acceptances, problems) = acceptances(reviews, &evidence);
    let as_of = match (as_of, evidence.default_as_of) {
        (Some(a), _) => a,
        (None, Some(own)) => AsOf::sample(own),
        (None, None) => AsOf::now(),
    };
    let report = crate::health::evaluate_release(&evidence, &acceptances, as_of, release).map_err(|e| e.to_string())?;
    Ok(Loaded { evidence: Arc::new(evidence), report, acceptances, source: source.clone(), problems })
}

/// The acceptances of each readable record; a line per record that could not be read.
pub fn acceptances(reviews: &[PathBuf], ev: &Evidence) -> (Vec<Acceptance>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for p in reviews {
        match crate::review::acceptances(std::slice::from_ref(p), ev) {
            Ok(a) => out.extend(a),
            Err(e) => problems.push(format!("review record not used: {e}")),
        }
    }
    (out, problems)
}

/// Review records beside the evidence: `closeout.review.v1` files a directory held, and for a file, the
/// `closeout-review-*.json` files next to it (where the explorer saves them).
pub fn found_reviews(ev: &Evidence, source: Option<&Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ev.review_records.clone();
    if let Some(p) = source
        && p.is_file()
        && let Some(dir) = p.parent().map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d })
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|f| {
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                name.starts_with("closeout-review-") && name.ends_with(".json")
            })
            .filter(|f| crate::review::load_record(f).is_ok())
            .collect();
        found.sort();
        out.extend(found);
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::write_notes;

    #[test]
    fn notes_are_written_whole_and_never_into_a_directory_or_fifo() {
        let dir = std::env::temp_dir().join(format!("closeout-notes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("notes.md");
        assert_eq!(write_notes(&file, "first\n").unwrap(), file);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "first\n");
        let err = write_notes(&dir, "x").unwrap_err();
        assert!(err.contains(&dir.display().to_string()), "{err}");
        #[cfg(unix)]
        {
            let fifo = dir.join("pipe.md");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
            if made {
                assert!(write_notes(&fifo, "x").is_err(), "a FIFO is refused, not opened (which would block)");
            }
        }
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.iter().all(|n| n == "notes.md" || n == "pipe.md"), "no temporary file left: {left:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
