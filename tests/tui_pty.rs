//! End to end in a real pseudo-terminal: open the explorer on the embedded sample, navigate, open and close
//! help, quit; then check that the terminal was given back as it was found (main screen, cursor shown,
//! mouse reporting and bracketed paste off, raw mode off). The same after SIGTERM, SIGHUP, SIGINT and SIGQUIT
//! sent to the running explorer. Every wait is bounded, so the test cannot hang.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 30;
const COLS: u16 = 100;

type Screen = Arc<Mutex<vt100::Parser>>;

/// Wait until `done` holds for the screen, or fail after `limit`.
fn wait_for(screen: &Screen, what: &str, limit: Duration, done: impl Fn(&vt100::Screen) -> bool) {
    let start = Instant::now();
    loop {
        {
            let p = screen.lock().unwrap();
            if done(p.screen()) {
                return;
            }
            if start.elapsed() > limit {
                panic!("timed out waiting for {what}; screen:\n{}", p.screen().contents());
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn opens_navigates_quits_and_restores_the_terminal() {
    let pty = native_pty_system();
    let pair = pty.openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 }).expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_closeout"));
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    let mut child = pair.slave.spawn_command(cmd).expect("closeout starts");
    drop(pair.slave);

    let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
    let screen: Screen = Arc::new(Mutex::new(vt100::Parser::new(size(ROWS), size(COLS), 0)));
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let mut writer = pair.master.take_writer().expect("pty writer");
    let feed = screen.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => feed.lock().unwrap().process(&buf[..n]),
            }
        }
    });
    let mut send = |bytes: &[u8]| {
        writer.write_all(bytes).expect("key sent");
        writer.flush().expect("key flushed");
        // Let the app read this key on its own: a lone ESC followed at once by a letter reads as Alt+letter.
        std::thread::sleep(Duration::from_millis(150));
    };
    let limit = Duration::from_secs(20);

    wait_for(&screen, "the verdict badge", limit, |s| s.contents().contains("READY WITH ACCEPTED RISK"));
    {
        let p = screen.lock().unwrap();
        let s = p.screen();
        assert!(s.alternate_screen(), "the app draws on the alternate screen");
        assert_ne!(s.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse reporting is on while it runs");
        assert!(s.contents().contains("Evidence chain"));
    }
    send(b"j");
    wait_for(&screen, "the selection to move", limit, |s| s.contents().contains("row 3 of"));
    send(b"\r");
    send(b"?");
    wait_for(&screen, "help", limit, |s| s.contents().contains("Help: every key"));
    send(b"\x1b");
    wait_for(&screen, "help to close", limit, |s| !s.contents().contains("Help: every key"));
    send(b"q");

    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("child status") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("closeout did not exit after q");
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    assert!(status.success(), "exit status {status:?}");
    // Give the reader the last bytes (the restore sequence), then stop waiting for more.
    drop(pair.master);
    let start = Instant::now();
    while !reading.is_finished() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(25));
    }
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
        let mut child = pair.slave.spawn_command(cmd).expect("closeout starts");
        drop(pair.slave);
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
        let screen: Screen = Arc::new(Mutex::new(vt100::Parser::new(size(ROWS), size(COLS), 0)));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let feed = screen.clone();
        let reading = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => feed.lock().unwrap().process(&buf[..n]),
                }
            }
        });
        let limit = Duration::from_secs(20);
        // The first frame drawn, with every mode the app switches on (the cursor is hidden after the frame).
        wait_for(&screen, "the verdict badge and the app's modes", limit, |s| {
            s.contents().contains("READY WITH ACCEPTED RISK")
                && s.alternate_screen()
                && s.hide_cursor()
                && s.bracketed_paste()
                && s.mouse_protocol_mode() != vt100::MouseProtocolMode::None
        });
        let raw = local_modes(&*pair.master);
        assert!(!raw.contains("ICANON"), "SIG{name}: raw mode while it runs: {raw}");
        let pid = child.process_id().expect("a pid").to_string();
        let sent = std::process::Command::new("kill").args([format!("-{name}"), pid]).status().expect("kill runs");
        assert!(sent.success(), "SIG{name} sent");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("child status") {
                break status;
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                panic!("closeout did not exit on SIG{name}");
            }
            std::thread::sleep(Duration::from_millis(25));
        };
        assert!(!status.success(), "SIG{name} is not a clean exit: {status:?} (signal {number})");
        let after = local_modes(&*pair.master);
        assert!(after.contains("ICANON") && after.contains("ISIG"), "SIG{name}: raw mode is off again: {after}");
        drop(pair.master);
        let start = Instant::now();
        while !reading.is_finished() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(25));
        }
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
    let pty = native_pty_system();
    let pair = pty.openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 }).expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_closeout"));
    cmd.args(["demo", "--step"]);
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).expect("closeout starts");
    drop(pair.slave);
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
    let screen: Screen = Arc::new(Mutex::new(vt100::Parser::new(size(ROWS), size(COLS), 0)));
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let mut writer = pair.master.take_writer().expect("pty writer");
    let feed = screen.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => feed.lock().unwrap().process(&buf[..n]),
            }
        }
    });
    let mut send = |bytes: &[u8]| {
        writer.write_all(bytes).expect("key sent");
        writer.flush().expect("key flushed");
        std::thread::sleep(Duration::from_millis(150));
    };
    let limit = Duration::from_secs(20);
    let paused = "paused · Space resumes · ? keys";
    wait_for(&screen, "the pause at chapter 1", limit, |s| s.contents().contains(paused));
    assert!(screen.lock().unwrap().screen().contents().contains("step 1 of 16"));
    send(b"?");
    wait_for(&screen, "the presenter keys", limit, |s| s.contents().contains("presenter keys"));
    send(b"?");
    wait_for(&screen, "the keys to close", limit, |s| !s.contents().contains("presenter keys"));
    // ] while paused: chapter 2, still paused (step mode).
    send(b"]");
    wait_for(&screen, "chapter 2", limit, |s| s.contents().contains("step 2 of 16") && s.contents().contains(paused));
    // Space resumes; the pause line goes.
    send(b" ");
    wait_for(&screen, "playing", limit, |s| !s.contents().contains(paused));
    send(b" ");
    wait_for(&screen, "paused again", limit, |s| s.contents().contains(paused));
    // Paused, the presenter's keys go to the app: Esc closes chapter 2's boundary view.
    let boundary = "b or Esc closes";
    assert!(screen.lock().unwrap().screen().contents().contains(boundary));
    send(b"\x1b");
    wait_for(&screen, "the presenter's key to reach the app", limit, |s| !s.contents().contains(boundary));
    // Space hands back: the tape is replayed to where it was, so the boundary view is back.
    send(b" ");
    wait_for(&screen, "the hand-back", limit, |s| s.contents().contains(boundary) && !s.contents().contains(paused));
    send(b"q");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("child status") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("closeout demo did not exit after q");
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    assert!(status.success(), "exit status {status:?}");
    drop(pair.master);
    let start = Instant::now();
    while !reading.is_finished() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(25));
    }
    let p = screen.lock().unwrap();
    let s = p.screen();
    assert!(!s.alternate_screen(), "back on the main screen");
    assert!(!s.hide_cursor(), "the cursor is visible");
}
