//! End to end in a real pseudo-terminal: open the explorer on the embedded sample, navigate, open and close
//! help, quit; then check that the terminal was given back as it was found (main screen, cursor shown,
//! mouse reporting and bracketed paste off, raw mode off). The same after SIGTERM, SIGHUP, SIGINT and SIGQUIT
//! sent to the running explorer. Every wait is bounded, so the test cannot hang.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

mod support;
use support::pty;

const ROWS: u16 = 30;
const COLS: u16 = 100;

#[test]
fn opens_navigates_quits_and_restores_the_terminal() {
    let mut app = pty::closeout(&[], &[], ROWS, COLS);
    app.wait_for("the verdict badge", |s| s.contents().contains("READY WITH ACCEPTED RISK"));
    {
        let p = app.screen.lock().unwrap();
        let s = p.screen();
        assert!(s.alternate_screen(), "the app draws on the alternate screen");
        assert_ne!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse reporting is on while it runs");
        assert!(s.contents().contains("Evidence chain"));
    }
    app.send(b"j");
    app.wait_for("the selection to move", |s| s.contents().contains("row 3 of"));
    app.send(b"\r");
    app.send(b"?");
    app.wait_for("help", |s| s.contents().contains("Help: every key"));
    app.send(b"\x1b");
    app.wait_for("help to close", |s| !s.contents().contains("Help: every key"));
    app.send(b"q");
    let status = app.wait_exit("q");
    assert!(status.success(), "exit status {status:?}");
    let screen = app.finish();
    let p = screen.lock().unwrap();
    let s = p.screen();
    assert!(!s.alternate_screen(), "back on the main screen");
    assert!(!s.hide_cursor(), "the cursor is visible");
    assert_eq!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse reporting is off");
    assert!(!s.bracketed_paste(), "bracketed paste is off");
    assert!(!s.contents().contains("Evidence chain"), "the app's screen is gone:\n{}", s.contents());
}

/// The pty's local modes, as the line discipline reports them (raw mode clears ICANON and ISIG).
fn local_modes(master: &dyn portable_pty::MasterPty) -> String {
    format!("{:?}", master.get_termios().expect("termios of the pty").local_flags)
}

#[test]
fn every_terminating_signal_gives_the_terminal_back() {
    for (name, number) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let pty = native_pty_system();
        let pair = pty.openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 }).expect("a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_closeout"));
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        let before = local_modes(&*pair.master);
        assert!(before.contains("ICANON") && before.contains("ISIG"), "a cooked terminal to start: {before}");
        let mut app = pty::spawn(pair, cmd, ROWS, COLS);
        // The first frame drawn, with every mode the app switches on (the cursor is hidden after the frame).
        app.wait_for("the verdict badge and the app's modes", |s| {
            s.contents().contains("READY WITH ACCEPTED RISK")
                && s.alternate_screen()
                && s.hide_cursor()
                && s.bracketed_paste()
                && s.mouse_protocol_mode() != vt100::MouseProtocolMode::None
        });
        let raw = local_modes(&*app.master);
        assert!(!raw.contains("ICANON"), "SIG{name}: raw mode while it runs: {raw}");
        let pid = app.child.process_id().expect("a pid").to_string();
        let sent = std::process::Command::new("kill").args([format!("-{name}"), pid]).status().expect("kill runs");
        assert!(sent.success(), "SIG{name} sent");
        let status = app.wait_exit(&format!("SIG{name}"));
        assert!(!status.success(), "SIG{name} is not a clean exit: {status:?} (signal {number})");
        let after = local_modes(&*app.master);
        assert!(after.contains("ICANON") && after.contains("ISIG"), "SIG{name}: raw mode is off again: {after}");
        let screen = app.finish();
        let p = screen.lock().unwrap();
        let s = p.screen();
        assert!(!s.alternate_screen(), "SIG{name}: back on the main screen");
        assert!(!s.hide_cursor(), "SIG{name}: the cursor is visible");
        assert!(!s.bracketed_paste(), "SIG{name}: bracketed paste is off");
        assert_eq!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "SIG{name}: mouse reporting is off");
    }
}

/// A config file that is not valid TOML stops the explorer before it touches the terminal: exit 2, one
/// line naming the file, the line and the column.
#[test]
fn a_broken_config_file_is_exit_2_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("closeout")).unwrap();
    let file = dir.path().join("closeout").join("config.toml");
    std::fs::write(&file, "theme = \"dark\"\nmouse = maybe\n").unwrap();
    let pty = native_pty_system();
    let pair = pty.openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 }).expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_closeout"));
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_CONFIG_HOME", dir.path());
    let mut child = pair.slave.spawn_command(cmd).expect("closeout starts");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let output = Arc::new(Mutex::new(Vec::new()));
    let out = output.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("child status") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("closeout did not exit on a broken config file");
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    assert_eq!(status.exit_code(), 2, "{status:?}");
    drop(pair.master);
    let start = Instant::now();
    while !reading.is_finished() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(25));
    }
    let text = String::from_utf8_lossy(&output.lock().unwrap()).into_owned();
    assert!(text.contains(&format!("{}: line 2, column", file.display())), "{text:?}");
    assert!(!text.contains("\x1b[?1049h"), "the alternate screen was never entered: {text:?}");
}

/// `closeout demo --step` in a real terminal: it pauses at the first chapter and says so, `?` shows the
/// presenter keys, Space resumes, `]` jumps to the next chapter, a paused presenter's own keys reach the
/// app, and q quits with the terminal given back (cursor shown, plain style).
#[test]
fn live_demo_presenter_mode_in_a_real_terminal() {
    let mut app = pty::closeout(&["demo", "--step"], &[], ROWS, COLS);
    let paused = "paused · Space resumes · ? keys";
    app.wait_for("the pause at chapter 1", |s| s.contents().contains(paused));
    assert!(app.contents().contains("step 1 of 16"));
    app.send(b"?");
    app.wait_for("the presenter keys", |s| s.contents().contains("presenter keys"));
    app.send(b"?");
    app.wait_for("the keys to close", |s| !s.contents().contains("presenter keys"));
    // ] while paused: chapter 2, still paused (step mode).
    app.send(b"]");
    app.wait_for("chapter 2", |s| s.contents().contains("step 2 of 16") && s.contents().contains(paused));
    // Space resumes; the pause line goes.
    app.send(b" ");
    app.wait_for("playing", |s| !s.contents().contains(paused));
    app.send(b" ");
    app.wait_for("paused again", |s| s.contents().contains(paused));
    // Paused, the presenter's keys go to the app: Esc closes chapter 2's boundary view.
    let boundary = "b or Esc closes";
    assert!(app.contents().contains(boundary));
    app.send(b"\x1b");
    app.wait_for("the presenter's key to reach the app", |s| !s.contents().contains(boundary));
    // Space hands back: the tape is replayed to where it was, so the boundary view is back.
    app.send(b" ");
    app.wait_for("the hand-back", |s| s.contents().contains(boundary) && !s.contents().contains(paused));
    app.send(b"q");
    let status = app.wait_exit("q");
    assert!(status.success(), "exit status {status:?}");
    let screen = app.finish();
    let p = screen.lock().unwrap();
    let s = p.screen();
    assert!(!s.alternate_screen(), "back on the main screen");
    assert!(!s.hide_cursor(), "the cursor is visible");
}

/// A customer's walkthrough in a real terminal: the clock moves with no key pressed, a tick by cursor, `q`
/// asks before dropping unsaved ticks, and a restart on the same evidence resumes where it was left (the
/// progress file is in the state directory, nowhere else).
#[test]
fn a_walkthrough_keeps_time_asks_before_quitting_and_resumes_after_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().to_str().unwrap();
    let env = [("XDG_STATE_HOME", Some(dir))];
    let mut app = pty::closeout(&["walk", "trial-walkthrough"], &env, 36, 120);
    app.wait_for("the narration panel", |s| s.contents().contains("step 1 of 10"));
    // No key is pressed: the clock moves on its own.
    app.wait_for("the clock to count to two seconds", |s| s.contents().contains("00:02 elapsed"));
    app.send(b"]J");
    app.send(b"x");
    app.wait_for("the tick", |s| s.contents().contains("[x]"));
    app.send(b"q");
    app.wait_for("the question", |s| s.contents().contains("Quit without saving follow-up notes?"));
    app.send(b"y");
    assert!(app.wait_exit("q y").success());
    drop(app.finish());
    let files: Vec<_> = std::fs::read_dir(state.path().join("closeout/walkthroughs"))
        .expect("the state directory holds the progress")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(saved["walkthroughs"]["trial-walkthrough"]["step"], 1);
    assert!(saved["walkthroughs"]["trial-walkthrough"]["elapsed_seconds"].as_i64().unwrap() >= 2);

    let mut again = pty::closeout(&["walk", "trial-walkthrough"], &env, 36, 120);
    again.wait_for("step 2 again, its tick kept", |s| {
        let c = s.contents();
        c.contains("step 2 of 10") && c.contains("[x]")
    });
    again.send(b"\x03");
    assert!(again.wait_exit("Ctrl-C").success(), "Ctrl-C quits at once, without asking");
    let screen = again.finish();
    assert!(!screen.lock().unwrap().screen().alternate_screen(), "the terminal is given back");
}
