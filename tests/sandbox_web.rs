//! `closeout --sandbox` served in a browser through a real web terminal server: Debian's shellinabox runs
//! the sandbox for each connection, and Debian's chromium, driven by playwright-core (web/test/sandbox.mjs),
//! sees the countdown, sends a key the app answers, and watches the idle limit end the session on the goodbye
//! screen. Without shellinabox, chromium or web/node_modules the test says so in one line and passes, unless
//! `CLOSEOUT_REQUIRE_TOOLS` is set (CI, where .ci/run installs them).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn id(flag: &str) -> String {
    let o = Command::new("id").arg(flag).output().expect("id runs");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sandbox_through_a_web_terminal_in_a_real_browser() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium =
        std::env::var_os("CLOSEOUT_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
    let server = PathBuf::from("/usr/bin/shellinaboxd");
    let mut missing = Vec::new();
    if !server.is_file() {
        missing.push("shellinabox (Debian: apt-get install shellinabox)");
    }
    if !chromium.is_file() {
        missing.push("chromium (Debian: apt-get install chromium)");
    }
    if !repo.join("web/node_modules/playwright-core").is_dir() {
        missing.push("web/node_modules (npm ci --prefix web)");
    }
    if !missing.is_empty() {
        let line = format!("sandbox web test: skipped: {} missing", missing.join(", "));
        assert!(std::env::var_os("CLOSEOUT_REQUIRE_TOOLS").is_none(), "{line}; CLOSEOUT_REQUIRE_TOOLS is set");
        println!("{line}");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    // A free port on loopback (released just before the server binds it).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let service = format!(
        "/:{}:{}:{}:{} --sandbox --idle-limit 6s",
        id("-un"),
        id("-gn"),
        work.path().display(),
        env!("CARGO_BIN_EXE_closeout")
    );
    let child = Command::new(&server)
        .args(["--disable-ssl", "--disable-ssl-menu", "--localhost-only", "--no-beep", "--quiet"])
        .args(["--port", &port.to_string(), "--service", &service])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("shellinaboxd starts");
    let _server = Server(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "shellinaboxd never listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = Command::new("node")
        .arg(repo.join("web/test/sandbox.mjs"))
        .arg(format!("http://127.0.0.1:{port}/"))
        .env("CLOSEOUT_CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    assert!(
        o.status.success(),
        "the web test failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0, "the sandbox wrote into its working directory");
}
