//! `closeout --sandbox`, as a visitor of a public host meets it: every flag that could read or write a file
//! the visitor names is refused (exit 2, before the terminal is touched), and in a real pseudo-terminal a
//! session that ends by its idle or session limit shows the goodbye screen, exits 0, gives the terminal back
//! and leaves its working directory and home as empty as it found them. Every wait is bounded.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;
use support::pty;

fn closeout() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_closeout"));
    c.env("RUST_BACKTRACE", "0");
    c
}

#[test]
fn sandbox_refuses_paths_reviews_outputs_commands_and_bad_limits() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence/clean-store.json");
    let sample = sample.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--sandbox", sample], "give no PATH"),
        (&["--sandbox", "--review", "r.json"], "--review is refused"),
        (&["--sandbox", "--review-out", "r.json"], "--review-out is refused"),
        (&["--sandbox", "check"], "give no command"),
        (&["--sandbox", "site", "out"], "give no command"),
        (&["--sandbox", "--idle-limit", "0s"], "--idle-limit"),
        (&["--sandbox", "--session-limit", "forever"], "--session-limit"),
        (&["--sandbox"], "needs a terminal"),
    ];
    for (args, says) in cases {
        let o = closeout().args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    // The limits mean nothing without --sandbox.
    let o = closeout().args(["--idle-limit", "5m"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// Run `closeout --sandbox ARGS` in a pty in an empty directory with an empty home; `drive` sends keys.
/// Returns the exit status, the final screen, and whether the directories stayed empty.
fn session(args: &[&str], drive: impl FnOnce(&mut pty::Session)) -> (u32, vt100::Screen, bool) {
    let dir = tempfile::tempdir().unwrap();
    let (work, home) = (dir.path().join("work"), dir.path().join("home"));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let mut all = vec!["--sandbox"];
    all.extend_from_slice(args);
    let (config, state) = (home.join(".config"), home.join(".state"));
    let env = [
        ("HOME", Some(home.to_str().unwrap())),
        ("XDG_CONFIG_HOME", Some(config.to_str().unwrap())),
        ("XDG_STATE_HOME", Some(state.to_str().unwrap())),
        ("NO_COLOR", None),
    ];
    let mut app = pty::closeout_in(&work, &all, &env, 30, 110);
    app.wait_for("the sandbox countdown", |s| s.contents().contains("sandbox "));
    drive(&mut app);
    let status = app.wait_exit("the session's end");
    let final_screen = app.finish().lock().unwrap().screen().clone();
    let empty = |p: &Path| std::fs::read_dir(p).map(|d| d.count() == 0).unwrap_or(false);
    (status.exit_code(), final_screen, empty(&work) && empty(&home))
}

#[test]
fn sandbox_idle_limit_says_goodbye_exits_0_and_writes_nothing() {
    let goodbye_seen = Arc::new(Mutex::new(String::new()));
    let seen = goodbye_seen.clone();
    let (code, screen, empty) = session(&["--idle-limit", "3s"], move |app| {
        let header = app.contents();
        assert!(header.contains("left · idle"), "{header}");
        // Walk a little: keys reset the idle clock, and a review save shows the record instead of writing.
        app.send(b"j");
        app.send(b"\t");
        app.send(b"b");
        app.send(b"\x1b");
        app.wait_for("the goodbye screen", |s| s.contents().contains("Thank you for trying"));
        *seen.lock().unwrap() = app.contents();
    });
    let text = goodbye_seen.lock().unwrap().clone();
    assert!(text.contains("3 seconds without a key press"), "{text}");
    assert_eq!(code, 0);
    assert!(!screen.alternate_screen() && !screen.hide_cursor(), "the terminal is given back");
    assert!(empty, "the sandbox wrote a file");
}

#[test]
fn sandbox_session_limit_ends_a_busy_session() {
    let (code, screen, empty) = session(&["--session-limit", "4s", "--idle-limit", "1h"], |app| {
        // Busy all along: a key every 150 ms until the goodbye shows; then a key leaves at once.
        let start = Instant::now();
        while !app.contents().contains("reached its limit of 4 seconds") {
            app.send(b"j");
            assert!(start.elapsed() < Duration::from_secs(20), "the session limit did not end the session");
        }
        app.send(b"x");
    });
    assert_eq!(code, 0);
    assert!(!screen.alternate_screen(), "the terminal is given back");
    assert!(empty);
}
