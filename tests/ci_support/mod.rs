//! Helpers for the CI-gate tests (tests/ci_outputs.rs, tests/ci_consumers.rs, tests/check_signed.rs): running
//! `closeout check`, a review record that accepts the risk of a copy of `sample-evidence/`, and the external
//! tools the outputs are checked with. A missing tool fails a test that needs it, naming the tool and how to
//! install it; tests/ci_consumers.rs asks [`tools_missing`] first and announces a skip in one line instead
//! (unless `CLOSEOUT_REQUIRE_TOOLS` is set, as in CI).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

#[allow(unused_imports)]
pub use crate::support::{SAMPLE_TIME, read_json, read_text, sample_path};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `closeout` with a clean environment for CI variables.
pub fn closeout() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_closeout"));
    c.env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_RUN_ID")
        .env_remove("CLOSEOUT_TRACE")
        .env_remove("SSH_AUTH_SOCK")
        .env("RUST_BACKTRACE", "0");
    c
}

pub fn run_cmd(mut c: Command) -> Run {
    let out = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `closeout ARGS` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let mut c = closeout();
    c.current_dir(dir).args(args);
    run_cmd(c)
}

pub fn run(args: &[&str]) -> Run {
    let mut c = closeout();
    c.args(args);
    run_cmd(c)
}

/// A copy of `sample-evidence/accepted-risk-store.json` (blocked until its warnings are accepted) in `dir`,
/// and a review record accepting them, written as closeout writes records: (store, record).
pub fn accepted_risk_review(dir: &Path, owner: &str, reviewer: &str) -> (PathBuf, PathBuf) {
    use closeout::review::{
        AcceptanceInput, DeliveryReview, PANES, PaneOutcome, RecordInput, build_record, write_atomic,
    };
    let store = dir.join("evidence-metadata.json");
    std::fs::copy(sample_path("accepted-risk-store.json"), &store).unwrap();
    let ev = closeout::evidence::load_path(&store, &Default::default()).unwrap();
    let delivery = ev.nodes[ev.all(&closeout::evidence::Kind::CloseoutDelivery)[0]].id.clone();
    let form = AcceptanceInput {
        owner: owner.into(),
        external_ref: "CHG-1".into(),
        reason: "redelivery after the webhook fix".into(),
        target_resolution_date: "2026-09-18".into(),
        expires_at: "2026-09-21".into(),
    };
    let panes =
        PANES.iter().map(|p| PaneOutcome { pane: p.to_string(), outcome: "reviewed".into(), note: None }).collect();
    let t = closeout::time::parse_instant(SAMPLE_TIME).unwrap();
    let report = closeout::health::evaluate(&ev, &[], t).unwrap();
    let rec = build_record(
        &ev,
        &report,
        RecordInput {
            reviewer,
            reviewed_at: t,
            as_of: t,
            deliveries: vec![DeliveryReview { delivery_id: delivery.to_string(), panes }],
            acceptance: Some(&form),
            covers: closeout::review::warned(&report),
        },
    )
    .unwrap();
    let rec_path = dir.join("review.json");
    write_atomic(&rec_path, &rec, &ev).unwrap();
    (store, rec_path)
}

/// SHA-256 of a file, hex.
pub fn sha256_file(p: &Path) -> String {
    closeout::evidence::canonical::sha256_hex(&std::fs::read(p).unwrap())
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const INSTALL: &str = "run `bash .ci/install-tools` (which .ci/run does), or set the variable named above";

/// Microsoft's SARIF validator: `$CLOSEOUT_SARIF_MULTITOOL`, else the one `.ci/install-tools` installs from
/// npm (`@microsoft/sarif-multitool`).
/// Why the consumer tools cannot run here, if they cannot (None: both are installed).
pub fn tools_missing() -> Option<String> {
    let mut missing = Vec::new();
    if !sarif_multitool_path().is_file() {
        missing.push(format!("the SARIF validator (not at {})", sarif_multitool_path().display()));
    }
    if !python_ok(&python_path()) {
        missing.push(format!("junitparser and in-toto-attestation ({} cannot import them)", python_path().display()));
    }
    (!missing.is_empty()).then(|| missing.join(", "))
}

fn sarif_multitool_path() -> PathBuf {
    std::env::var_os("CLOSEOUT_SARIF_MULTITOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".ci/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"))
}

fn python_path() -> PathBuf {
    std::env::var_os("CLOSEOUT_PYTHON").map(PathBuf::from).unwrap_or_else(|| repo().join(".ci/tools/venv/bin/python"))
}

fn python_ok(p: &Path) -> bool {
    Command::new(p)
        .args(["-c", "import junitparser, in_toto_attestation"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

pub fn sarif_multitool() -> PathBuf {
    let p = std::env::var_os("CLOSEOUT_SARIF_MULTITOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".ci/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"));
    assert!(
        p.is_file(),
        "the SARIF validator (npm package @microsoft/sarif-multitool) is missing: not at {} \
         ($CLOSEOUT_SARIF_MULTITOOL); {INSTALL}",
        p.display()
    );
    p
}

/// A Python with junitparser and in-toto-attestation: `$CLOSEOUT_PYTHON`, else `.ci/tools/venv`.
pub fn python() -> PathBuf {
    let p = std::env::var_os("CLOSEOUT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".ci/tools/venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import junitparser, in_toto_attestation"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "Python with junitparser and in-toto-attestation (PyPI) is missing: {} ($CLOSEOUT_PYTHON) cannot import \
         them; {INSTALL}",
        p.display()
    );
    p
}

/// What a real consumer read from a file (tests/consumers/validate.py).
pub fn consume(what: &str, file: &Path) -> serde_json::Value {
    let mut c = Command::new(python());
    c.arg(repo().join("tests/consumers/validate.py")).arg(what).arg(file);
    let r = run_cmd(c);
    assert_eq!(r.code, 0, "{what} consumer refused {}: {}{}", file.display(), r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// ssh-keygen (Debian's openssh-client; .ci/run installs it).
pub fn ssh_keygen() -> Command {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let tool = std::env::split_paths(&path).map(|d| d.join("ssh-keygen")).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("ssh-keygen not found on PATH: install it with `apt-get install -y openssh-client` (.ci/run does this)")
    });
    let mut c = Command::new(tool);
    c.env_remove("SSH_AUTH_SOCK");
    c
}

pub fn run_ok(c: Command) -> String {
    let r = run_cmd(c);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    r.stdout
}

/// An ed25519 key pair made by ssh-keygen: (private key, public key line).
pub fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let private = dir.join(name);
    let mut c = ssh_keygen();
    c.args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"]).arg(&private);
    run_ok(c);
    let public = std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap().trim().to_string();
    (private, public)
}

/// The key's fingerprint as ssh-keygen prints it.
pub fn fingerprint(private: &Path) -> String {
    let mut c = ssh_keygen();
    c.args(["-l", "-E", "sha256", "-f"]).arg(private);
    run_ok(c).split_whitespace().nth(1).unwrap().to_string()
}

/// `ssh-keygen -Y sign -n NAMESPACE -f KEY FILE` (writes FILE.sig).
pub fn keygen_sign(key: &Path, namespace: &str, file: &Path) {
    let mut c = ssh_keygen();
    c.args(["-Y", "sign", "-n", namespace, "-f"]).arg(key).arg(file);
    run_ok(c);
}

/// What a reader sees of a report: markdown's backslash escapes (closeout escapes every ASCII punctuation mark
/// in text that carries evidence, so it stays inert) removed; other formats as they are.
pub fn as_read(fmt: &str, out: &str) -> String {
    if fmt != "markdown" {
        return out.to_string();
    }
    let mut s = String::with_capacity(out.len());
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            s.push(chars.next().unwrap());
        } else {
            s.push(c);
        }
    }
    s
}
