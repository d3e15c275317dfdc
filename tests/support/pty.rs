//! closeout in a real pseudo-terminal: spawn it, read what it draws into a vt100 screen on a thread, send
//! keys, wait for a condition on the screen (bounded: a wait that times out fails with the screen), wait for
//! the exit (bounded, the child killed on timeout).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub type Screen = Arc<Mutex<vt100::Parser>>;

/// The longest any wait takes before it fails.
pub const LIMIT: Duration = Duration::from_secs(20);

/// A running closeout and its screen.
pub struct Session {
    pub screen: Screen,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    reading: std::thread::JoinHandle<()>,
}

/// Start closeout with `args` in a `rows`×`cols` pty, from the repository, with `env` set (a `None` value
/// removes the variable); `NO_COLOR` is removed unless set here.
pub fn closeout(args: &[&str], env: &[(&str, Option<&str>)], rows: u16, cols: u16) -> Session {
    closeout_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), args, env, rows, cols)
}

/// [`closeout`] from the directory `cwd`.
pub fn closeout_in(
    cwd: &std::path::Path,
    args: &[&str],
    env: &[(&str, Option<&str>)],
    rows: u16,
    cols: u16,
) -> Session {
    let pair = native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_closeout"));
    cmd.args(args);
    cmd.cwd(cwd);
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        }
    }
    spawn(pair, cmd, rows, cols)
}

/// Start `cmd` on the pty `pair` (opened as `rows`×`cols`) and read its screen.
pub fn spawn(pair: portable_pty::PtyPair, cmd: CommandBuilder, rows: u16, cols: u16) -> Session {
    let child = pair.slave.spawn_command(cmd).expect("closeout starts");
    drop(pair.slave);
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
    let screen: Screen = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let writer = pair.master.take_writer().expect("pty writer");
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
    Session { screen, child, master: pair.master, writer, reading }
}

/// Wait until `done` holds for `screen`, or fail after [`LIMIT`] showing the screen.
pub fn wait_on(screen: &Screen, what: &str, done: impl Fn(&vt100::Screen) -> bool) {
    let start = Instant::now();
    loop {
        {
            let p = screen.lock().unwrap();
            if done(p.screen()) {
                return;
            }
            if start.elapsed() > LIMIT {
                panic!("timed out waiting for {what}; screen:\n{}", p.screen().contents());
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

impl Session {
    /// Send keys, then give the app a moment to read them on their own (a lone ESC followed at once by a
    /// letter reads as Alt+letter).
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("key sent");
        self.writer.flush().expect("key flushed");
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Wait until `done` holds for the screen, or fail after [`LIMIT`] showing the screen.
    pub fn wait_for(&self, what: &str, done: impl Fn(&vt100::Screen) -> bool) {
        wait_on(&self.screen, what, done)
    }

    /// The screen's text now.
    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Wait for the exit, or kill the child and fail after [`LIMIT`].
    pub fn wait_exit(&mut self, after: &str) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status;
            }
            if start.elapsed() > LIMIT {
                let _ = self.child.kill();
                panic!("closeout did not exit after {after}; screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Close the pty and let the reader take the last bytes (the restore sequence); the final screen.
    pub fn finish(self) -> Screen {
        drop(self.master);
        drop(self.writer);
        let start = Instant::now();
        while !self.reading.is_finished() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(25));
        }
        self.screen
    }
}
