//! `closeout site OUT/`, run as a person runs it: the whole command twice (the same bytes), every download
//! checked by `closeout check`, no planted secret in any file, refusals with exit 2; and the site in a real
//! browser: Debian's chromium driven by playwright-core (web/test/site.mjs), with the real asciinema-player
//! from the npm registry (`npm ci --prefix web`, which .ci/run does). Without chromium or web/node_modules
//! the browser test says so in one line and passes, unless `CLOSEOUT_REQUIRE_TOOLS` is set (CI).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn closeout() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_closeout"));
    c.env_remove("CLOSEOUT_PLAYER_DIR").env_remove("NO_COLOR").env("RUST_BACKTRACE", "0");
    c
}

struct Tmp(PathBuf);

impl Tmp {
    fn new(tag: &str) -> Tmp {
        let p = std::env::temp_dir().join(format!("closeout-site-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Tmp(p)
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Stand-in player files (the browser test uses the real ones).
fn fake_player(dir: &Path) -> PathBuf {
    let p = dir.join("player");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("asciinema-player.min.js"), "window.AsciinemaPlayer = undefined;\n").unwrap();
    std::fs::write(p.join("asciinema-player.css"), "/* */\n").unwrap();
    p
}

fn site(out: &Path, player: &Path) -> (i32, String) {
    let o = closeout().arg("site").arg(out).arg("--player").arg(player).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Every file under `dir`, relative path and bytes, sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn site_twice_gives_the_same_bytes_and_its_downloads_pass_check() {
    let tmp = Tmp::new("twice");
    let player = fake_player(&tmp.0);
    let (a, b) = (tmp.0.join("a"), tmp.0.join("b"));
    let (code, err) = site(&a, &player);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("9 scenarios") || err.contains("scenarios"), "{err}");
    assert_eq!(site(&b, &player).0, 0);
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.len(), tb.len());
    for (x, y) in ta.iter().zip(&tb) {
        assert!(x == y, "{} differs between two runs", x.0);
    }
    // Every evidence download is evidence `closeout check` reads (exit 0 or 1, never 2), and its verdict is
    // the one the page shows, unless the page says secrets were redacted from the download.
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo().join("sample-evidence/index.json")).unwrap()).unwrap();
    for s in index["scenarios"].as_array().unwrap() {
        let (name, file) = (s["name"].as_str().unwrap(), s["file"].as_str().unwrap());
        let download = a.join(name).join(file);
        let as_of = s["as_of"].as_str().unwrap();
        let o = closeout().args(["check", "--format", "json", "--as-of", as_of]).arg(&download).output().unwrap();
        let code = o.status.code().unwrap();
        assert!(code == 0 || code == 1, "{name}: check exit {code}: {}", String::from_utf8_lossy(&o.stderr));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let page = std::fs::read_to_string(a.join(name).join("index.html")).unwrap();
        if !page.contains("planted secrets") {
            assert_eq!(report["verdict"], s["expected_verdict"], "{name}: the download's verdict");
            assert!(page.contains(&format!("(<code>{}</code>)", s["expected_verdict"].as_str().unwrap())), "{name}");
            assert!(
                page.contains(&format!("closeout check {file} --as-of {as_of}")),
                "{name}: the command to check it"
            );
        }
    }
}

#[test]
fn site_files_hold_no_planted_secret() {
    let tmp = Tmp::new("secrets");
    let out = tmp.0.join("out");
    assert_eq!(site(&out, &fake_player(&tmp.0)).0, 0);
    // The planted secrets: every value the redactor replaces in any sample.
    let mut planted = Vec::new();
    for e in std::fs::read_dir(repo().join("sample-evidence")).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().is_some_and(|n| n == "index.json") || p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        let (r, _) = closeout::evidence::value::redact_json(v.clone());
        collect(&v, &r, &mut planted);
    }
    assert!(!planted.is_empty(), "the samples plant secrets (leaked-connector-secret.json)");
    for (path, bytes) in tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for s in planted.iter().filter(|s| s.len() >= 8) {
            assert!(!text.contains(s.as_str()), "{path} holds a planted secret");
        }
    }
}

fn collect(a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::String(x), Value::String(y)) if x != y => out.push(x.clone()),
        (Value::Array(x), Value::Array(y)) => x.iter().zip(y).for_each(|(x, y)| collect(x, y, out)),
        (Value::Object(x), Value::Object(y)) => {
            for ((kx, vx), (ky, vy)) in x.iter().zip(y) {
                if kx != ky {
                    out.push(kx.clone());
                }
                collect(vx, vy, out);
            }
        }
        _ => {}
    }
}

#[test]
fn site_refuses_what_it_must_not_write_over_and_a_missing_player() {
    let tmp = Tmp::new("refuse");
    let player = fake_player(&tmp.0);
    let busy = tmp.0.join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("evidence.json"), "{}").unwrap();
    let (code, err) = site(&busy, &player);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not empty") && err.contains("busy"), "{err}");
    assert_eq!(std::fs::read_to_string(busy.join("evidence.json")).unwrap(), "{}");
    let (code, err) = site(&busy.join("evidence.json"), &player);
    assert_eq!(code, 2, "{err}");
    let (code, err) = site(&tmp.0.join("new"), &tmp.0.join("no-player"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("npm ci --prefix web") && !tmp.0.join("new").exists(), "{err}");
    // An earlier site is replaced.
    let out = tmp.0.join("again");
    assert_eq!(site(&out, &player).0, 0);
    assert_eq!(site(&out, &player).0, 0);
}

#[test]
fn site_in_a_real_browser() {
    let chromium =
        std::env::var_os("CLOSEOUT_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
    let modules = repo().join("web/node_modules");
    let player = modules.join("asciinema-player/dist/bundle");
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!("chromium (not at {}; Debian: apt-get install chromium)", chromium.display()));
    }
    if !node {
        missing.push("node".to_string());
    }
    if !modules.join("playwright-core").is_dir() || !player.is_dir() {
        missing.push("web/node_modules (run `npm ci --prefix web`)".to_string());
    }
    if !missing.is_empty() {
        let line = format!("site browser test: skipped: {} missing", missing.join(", "));
        assert!(std::env::var_os("CLOSEOUT_REQUIRE_TOOLS").is_none(), "{line}; CLOSEOUT_REQUIRE_TOOLS is set");
        println!("{line}");
        return;
    }
    let tmp = Tmp::new("browser");
    let out = tmp.0.join("site");
    let (code, err) = site(&out, &player);
    assert_eq!(code, 0, "{err}");
    let o = Command::new("node")
        .arg(repo().join("web/test/site.mjs"))
        .arg(&out)
        .env("CLOSEOUT_CHROMIUM", &chromium)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the browser test failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("scenarios passed"));
}
