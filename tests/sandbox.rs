//! `closeout --sandbox`, as a visitor of a public host meets it: every flag that could read or write a file
//! the visitor names is refused (exit 2, before the terminal is touched), and in a real pseudo-terminal a
//! session that ends by its idle or session limit shows the goodbye screen, exits 0, gives the terminal back
//! and leaves its working directory and home as empty as it found them. Every wait is bounded.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

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

type Screen = Arc<Mutex<vt100::Parser>>;

fn wait_for(screen: &Screen, what: &str, limit: Duration, done: impl Fn(&vt100::Screen) -> bool) {
    let start = Instant::now();
    loop {
        {
            let p = screen.lock().unwrap();
            if done(p.screen()) {
                return;
            }
            assert!(start.elapsed() < limit, "timed out waiting for {what}; screen:\n{}", p.screen().contents());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Run `closeout --sandbox ARGS` in a pty in an empty directory with an empty home; `drive` sends keys.
/// Returns the exit status, the final screen, and whether the directories stayed empty.
fn session(args: &[&str], drive: impl FnOnce(&Screen, &mut dyn FnMut(&[u8]))) -> (u32, vt100::Screen, bool) {
    let dir = tempfile::tempdir().unwrap();
    let (work, home) = (dir.path().join("work"), dir.path().join("home"));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let pair =
        native_pty_system().openpty(PtySize { rows: 30, cols: 110, pixel_width: 0, pixel_height: 0 }).expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_closeout"));
    cmd.arg("--sandbox");
    for a in args {
        cmd.arg(a);
    }
    cmd.cwd(&work);
    cmd.env("HOME", &home);
    cmd.env("XDG_CONFIG_HOME", home.join(".config"));
    cmd.env("XDG_STATE_HOME", home.join(".state"));
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).expect("closeout starts");
    drop(pair.slave);
    let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let screen: Screen = Arc::new(Mutex::new(vt100::Parser::new(size(30), size(110), 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let feed = screen.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buf[..n]);
        }
    });
    let mut send = |b: &[u8]| {
        writer.write_all(b).unwrap();
        writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    };
    wait_for(&screen, "the sandbox countdown", Duration::from_secs(20), |s| s.contents().contains("sandbox "));
    drive(&screen, &mut send);
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(start.elapsed() < Duration::from_secs(40), "the session did not end");
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(pair.master);
    let _ = reading.join();
    let final_screen = screen.lock().unwrap().screen().clone();
    let empty = |p: &Path| std::fs::read_dir(p).map(|d| d.count() == 0).unwrap_or(false);
    (status.exit_code(), final_screen, empty(&work) && empty(&home))
}

#[test]
fn sandbox_idle_limit_says_goodbye_exits_0_and_writes_nothing() {
    let goodbye_seen = Arc::new(Mutex::new(String::new()));
    let seen = goodbye_seen.clone();
    let (code, screen, empty) = session(&["--idle-limit", "3s"], move |s, send| {
        let header = s.lock().unwrap().screen().contents();
        assert!(header.contains("left · idle"), "{header}");
        // Walk a little: keys reset the idle clock, and a review save shows the record instead of writing.
        send(b"j");
        send(b"\t");
        send(b"b");
        send(b"\x1b");
        wait_for(s, "the goodbye screen", Duration::from_secs(20), |s| s.contents().contains("Thank you for trying"));
        *seen.lock().unwrap() = s.lock().unwrap().screen().contents();
    });
    let text = goodbye_seen.lock().unwrap().clone();
    assert!(text.contains("3 seconds without a key press"), "{text}");
    assert_eq!(code, 0);
    assert!(!screen.alternate_screen() && !screen.hide_cursor(), "the terminal is given back");
    assert!(empty, "the sandbox wrote a file");
}

#[test]
fn sandbox_session_limit_ends_a_busy_session() {
    let (code, screen, empty) = session(&["--session-limit", "4s", "--idle-limit", "1h"], |s, send| {
        // Busy all along: a key every 150 ms until the goodbye shows; then a key leaves at once.
        let start = Instant::now();
        while !s.lock().unwrap().screen().contents().contains("reached its limit of 4 seconds") {
            send(b"j");
            assert!(start.elapsed() < Duration::from_secs(20), "the session limit did not end the session");
        }
        send(b"x");
    });
    assert_eq!(code, 0);
    assert!(!screen.alternate_screen(), "the terminal is given back");
    assert!(empty);
}
