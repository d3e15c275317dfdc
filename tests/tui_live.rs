//! Watch mode: the test rewrites the evidence file under a running app and sees the new verdict; a file
//! caught mid-write shows its error and keeps the last good evidence; the next good write recovers. The
//! watch (notify, debounced) and the reload worker are the real ones, driven by the run loop's
//! [`Runtime::poll`] with ticks between, and each state is drawn through the TestBackend.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use closeout::health::Verdict;
use closeout::time::parse_instant;
use closeout::tui::runtime::{Clipboard, Runtime};
use closeout::tui::{Model as App, Msg, harness};

use support::{SAMPLE_TIME as AS_OF, read, sample_path};

/// Replace the file the way an editor or CAVRA's exporter does: write a temporary file, rename it over.
fn replace(path: &Path, bytes: &[u8]) {
    let tmp = path.with_file_name(".store.json.tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Tick and poll the workers until `done` holds (or a generous timeout for a busy 2-core machine).
fn run_until(app: &mut App, rt: &mut Runtime, what: &str, done: impl Fn(&App) -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    let t = parse_instant(AS_OF).unwrap();
    while !done(app) {
        assert!(Instant::now() < end, "timed out waiting for {what}; status: {:?}", app.live.notice);
        for msg in rt.poll() {
            let fx = harness::apply(app, msg);
            rt.execute(fx);
        }
        harness::apply(app, Msg::Tick(t));
        std::thread::sleep(Duration::from_millis(20));
    }
    // The state draws.
    let _ = harness::screen(app);
}

fn start(dir: &Path) -> (App, PathBuf) {
    harness::live_copy(dir, &sample_path("clean-store.json"), parse_instant(AS_OF).unwrap(), 120, 36)
}

#[test]
fn rewriting_the_evidence_file_reloads_it_and_a_broken_write_keeps_the_last_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, path) = start(dir.path());
    let mut rt = Runtime::threaded(app.live.source.as_deref(), Clipboard::off());
    assert_eq!(app.report.verdict, Verdict::ReadyForRelease);
    // A few quiet ticks: nothing changes.
    for _ in 0..5 {
        for msg in rt.poll() {
            let fx = harness::apply(&mut app, msg);
            rt.execute(fx);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(app.live.notice.is_none());

    // 1. A good rewrite: the failed-delivery store blocks.
    replace(&path, &read(&sample_path("accepted-risk-store.json")));
    run_until(&mut app, &mut rt, "the blocked verdict", |a| a.report.verdict == Verdict::Blocked);
    let notice = app.live.notice.clone().unwrap();
    assert!(notice.starts_with("evidence reloaded: verdict ready_for_release → blocked"), "{notice}");
    assert!(notice.contains("retry_workflow pass → warn"), "{notice}");
    assert!(harness::screen(&app).contains("evidence reloaded: verdict ready_for_release → blocked"));
    assert!(harness::screen(&app).contains("✗ BLOCKED"));

    // 2. Caught mid-write: a truncated file. The error shows; the verdict and evidence stay.
    let good = read(&sample_path("clean-store.json"));
    let nodes = app.evidence.nodes.len();
    replace(&path, &good[..good.len() / 2]);
    run_until(&mut app, &mut rt, "the reload error", |a| {
        a.live.notice.as_deref().is_some_and(|n| n.starts_with("reload failed:"))
    });
    let notice = app.live.notice.clone().unwrap();
    assert!(notice.ends_with("— showing the last good evidence"), "{notice}");
    assert_eq!(app.report.verdict, Verdict::Blocked);
    assert_eq!(app.evidence.nodes.len(), nodes);
    assert!(harness::screen(&app).contains("reload failed:"));

    // 3. The next good write recovers.
    replace(&path, &good);
    run_until(&mut app, &mut rt, "recovery", |a| a.report.verdict == Verdict::ReadyForRelease);
    assert!(app.live.notice.as_deref().unwrap().contains("verdict blocked → ready_for_release"));
}

#[test]
fn the_run_loop_drives_workers_without_a_terminal() {
    // run_app with a script that asks for a live health run: the loop runs it to the end before the script
    // runs dry (a Done event arrives through the loop's poll).
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = start(dir.path());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 36)).unwrap();
    struct Slow(Vec<ratatui::crossterm::event::Event>, Instant);
    impl closeout::tui::EventSource for Slow {
        fn next(&mut self, timeout: Duration) -> std::io::Result<Option<ratatui::crossterm::event::Event>> {
            if let Some(e) = (!self.0.is_empty()).then(|| self.0.remove(0)) {
                return Ok(Some(e));
            }
            std::thread::sleep(timeout.min(Duration::from_millis(50)));
            Ok(None)
        }
        fn finished(&self) -> bool {
            self.0.is_empty() && self.1.elapsed() > Duration::from_secs(3)
        }
    }
    let mut source =
        Slow(vec![closeout::tui::event::key(ratatui::crossterm::event::KeyCode::Char('c'))], Instant::now());
    let clock = closeout::tui::FixedClock(parse_instant(AS_OF).unwrap());
    closeout::tui::run_app(&mut terminal, &mut app, &mut source, &clock, Duration::from_millis(500)).unwrap();
    assert!(!app.health.running, "the run finished inside the loop");
    assert_eq!(app.health.done(), 10);
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("READY FOR RELEASE"), "{screen}");
}
