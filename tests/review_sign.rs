//! Signed review records against OpenSSH, both ways: `ssh-keygen -Y sign` signatures verify in closeout,
//! closeout's (from a key file and through a real ssh-agent) verify with `ssh-keygen -Y verify`, for
//! ed25519, ecdsa-sha2-nistp256 and rsa keys; and every way a signature fails comes from a real situation.
//!
//! These tests need OpenSSH's client tools (`ssh-keygen`, `ssh-agent`, `ssh-add`; Debian's openssh-client,
//! which .ci/run installs). Without them they fail, saying so: they are never skipped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use chrono::{DateTime, TimeZone, Utc};
use closeout::review::{AcceptanceRecord, REVIEW_SCHEMA, ReviewRecord};
use closeout::sign::{self, AllowedSigners, NAMESPACE, SignatureProblem, Verified};

fn find_tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "{name} not found on PATH: these tests run against OpenSSH; install it with \
             `apt-get install -y openssh-client` (.ci/run does this in CI)"
        )
    })
}

fn ssh_keygen() -> Command {
    let mut c = Command::new(find_tool("ssh-keygen"));
    c.env_remove("SSH_AUTH_SOCK");
    c
}

fn run_ok(mut c: Command) -> String {
    let out = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        out.status.success(),
        "{c:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[derive(Clone, Copy, Debug)]
enum KeyType {
    Ed25519,
    Ecdsa256,
    Ecdsa384,
    Ecdsa521,
    Rsa,
}

/// The key types closeout signs and verifies (P-521 is not among them).
const ALL_TYPES: [KeyType; 4] = [KeyType::Ed25519, KeyType::Ecdsa256, KeyType::Ecdsa384, KeyType::Rsa];

impl KeyType {
    fn args(self) -> &'static [&'static str] {
        match self {
            KeyType::Ed25519 => &["-t", "ed25519"],
            KeyType::Ecdsa256 => &["-t", "ecdsa", "-b", "256"],
            KeyType::Ecdsa384 => &["-t", "ecdsa", "-b", "384"],
            KeyType::Ecdsa521 => &["-t", "ecdsa", "-b", "521"],
            KeyType::Rsa => &["-t", "rsa", "-b", "2048"],
        }
    }
    fn ssh_name(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ssh-ed25519",
            KeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
            KeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
            KeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
            KeyType::Rsa => "ssh-rsa",
        }
    }
    fn signature_algorithm(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa-sha2-512",
            other => other.ssh_name(),
        }
    }
}

/// A key pair made by ssh-keygen.
struct Key {
    private: PathBuf,
    public: PathBuf,
}

impl Key {
    fn public_line(&self) -> String {
        std::fs::read_to_string(&self.public).unwrap().trim().to_string()
    }
    /// The fingerprint as ssh-keygen prints it.
    fn fingerprint(&self) -> String {
        let mut c = ssh_keygen();
        c.args(["-l", "-E", "sha256", "-f"]).arg(&self.public);
        run_ok(c).split_whitespace().nth(1).unwrap().to_string()
    }
}

fn keygen(dir: &Path, name: &str, t: KeyType, passphrase: &str) -> Key {
    let private = dir.join(name);
    let mut c = ssh_keygen();
    c.arg("-q").args(t.args()).args(["-N", passphrase, "-C", &format!("{name} comment"), "-f"]).arg(&private);
    run_ok(c);
    Key { public: dir.join(format!("{name}.pub")), private }
}

/// A sealed review record with this owner and reviewer, written as closeout writes records.
fn write_record(dir: &Path, name: &str, owner: &str, reviewer: &str) -> PathBuf {
    let rec = ReviewRecord {
        schema: REVIEW_SCHEMA.into(),
        tool: "closeout test".into(),
        reviewer: reviewer.into(),
        reviewed_at: "2026-06-01T09:50:00Z".into(),
        as_of: "2026-06-01T10:00:00Z".into(),
        evidence_label: "synthetic".into(),
        artifacts: vec![],
        deliveries: vec![],
        acceptance: Some(AcceptanceRecord {
            owner: owner.into(),
            external_ref: Some("CHG-1".into()),
            reason: "provider outage".into(),
            target_resolution_date: None,
            expires_at: "2026-06-08".into(),
            covers: vec!["closeout_delivery".into()],
        }),
        record_sha256: String::new(),
    }
    .seal();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&rec).unwrap() + "\n").unwrap();
    path
}

fn write_allowed(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("allowed_signers");
    std::fs::write(&p, text).unwrap();
    p
}

fn keygen_sign(key: &Path, namespace: &str, record: &Path, extra: &[&str]) {
    let mut c = ssh_keygen();
    c.args(["-Y", "sign", "-n", namespace]).args(extra).arg("-f").arg(key).arg(record);
    run_ok(c);
}

/// `ssh-keygen -Y verify -f allowed -I principal -n closeout-review -s RECORD.sig < RECORD`: success?
fn keygen_verify(allowed: &Path, principal: &str, record: &Path, extra: &[&str]) -> (bool, String) {
    let mut c = ssh_keygen();
    c.args(["-Y", "verify", "-f"]).arg(allowed).args(["-I", principal, "-n", NAMESPACE]).args(extra);
    c.arg("-s").arg(sign::signature_path(record)).stdin(std::fs::File::open(record).unwrap());
    let out = c.output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

/// closeout's verification of `record`'s detached signature.
fn closeout_verify(
    record: &Path,
    allowed: &Path,
    who: &[&str],
    when: DateTime<Utc>,
) -> Result<Verified, SignatureProblem> {
    let bytes = std::fs::read(record).unwrap();
    let allowed = AllowedSigners::load(allowed).unwrap();
    sign::verify_detached(record, &bytes, &allowed, who, when)
}

fn closeout() -> Command {
    let mut c = Command::cargo_bin("closeout").unwrap();
    c.env_remove("SSH_AUTH_SOCK").env("NO_COLOR", "1");
    c
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut c: Command) -> Out {
    let o = c.output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn ssh_keygen_signatures_verify_in_closeout() {
    let dir = tempfile::tempdir().unwrap();
    for t in ALL_TYPES {
        let key = keygen(dir.path(), &format!("k-{}", t.ssh_name()), t, "");
        let record = write_record(dir.path(), &format!("r-{}.json", t.ssh_name()), "owner@example.com", "rev");
        keygen_sign(&key.private, NAMESPACE, &record, &[]);
        let allowed = write_allowed(dir.path(), &format!("owner@example.com {}\n", key.public_line()));
        let v = closeout_verify(&record, &allowed, &["owner@example.com", "rev"], at(2026, 6, 1))
            .unwrap_or_else(|p| panic!("{t:?}: {p}"));
        assert_eq!(v.principal, "owner@example.com");
        assert_eq!(v.key_type, t.ssh_name());
        assert_eq!(v.signature_algorithm, t.signature_algorithm(), "{t:?}");
        assert_eq!(v.hash, "sha512");
        assert_eq!(v.fingerprint, key.fingerprint(), "{t:?}: the fingerprint as ssh-keygen prints it");
        // The command line, with the principals taken from the record.
        let mut c = closeout();
        c.args(["review", "verify"]).arg(&record).arg("--allowed-signers").arg(&allowed);
        let o = run(c);
        assert_eq!(o.code, 0, "{t:?}: {}{}", o.stdout, o.stderr);
        assert!(o.stdout.contains(&format!("{} {}", t.ssh_name(), key.fingerprint())), "{}", o.stdout);
        assert!(o.stdout.contains("not verified:") && o.stdout.contains("revoked"), "{}", o.stdout);
    }
    // sha256 is accepted too.
    let key = keygen(dir.path(), "k256", KeyType::Ed25519, "");
    let record = write_record(dir.path(), "r256.json", "o", "r");
    keygen_sign(&key.private, NAMESPACE, &record, &["-O", "hashalg=sha256"]);
    let allowed = write_allowed(dir.path(), &format!("o {}\n", key.public_line()));
    assert_eq!(closeout_verify(&record, &allowed, &["o"], at(2026, 6, 1)).unwrap().hash, "sha256");
}

#[test]
fn closeout_signatures_verify_with_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    for t in ALL_TYPES {
        let key = keygen(dir.path(), &format!("k-{}", t.ssh_name()), t, "");
        let record = write_record(dir.path(), &format!("r-{}.json", t.ssh_name()), "owner", "reviewer");
        let before = std::fs::read(&record).unwrap();
        let mut c = closeout();
        c.args(["review", "sign"]).arg(&record).arg("--key").arg(&key.private);
        let o = run(c);
        assert_eq!(o.code, 0, "{t:?}: {}{}", o.stdout, o.stderr);
        assert!(o.stdout.contains(&key.fingerprint()) && o.stdout.contains(t.signature_algorithm()), "{}", o.stdout);
        assert_eq!(std::fs::read(&record).unwrap(), before, "the record is never modified");
        let allowed = write_allowed(dir.path(), &format!("reviewer {}\n", key.public_line()));
        let (ok, said) = keygen_verify(&allowed, "reviewer", &record, &[]);
        assert!(ok, "{t:?}: ssh-keygen -Y verify: {said}");
        assert!(said.contains("Good \"closeout-review\" signature for reviewer"), "{said}");
        // And closeout agrees with itself.
        let v = closeout_verify(&record, &allowed, &["owner", "reviewer"], at(2026, 6, 1)).unwrap();
        assert_eq!((v.principal.as_str(), v.key_type.as_str()), ("reviewer", t.ssh_name()));
    }
}

/// An ssh-agent of our own, on a socket in a temporary directory; stopped on drop.
struct AgentProcess {
    child: Child,
    socket: PathBuf,
}

impl AgentProcess {
    fn start(dir: &Path) -> AgentProcess {
        let socket = dir.join("agent.sock");
        let child = Command::new(find_tool("ssh-agent"))
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let agent = AgentProcess { child, socket };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !agent.socket.exists() {
            assert!(Instant::now() < deadline, "ssh-agent did not create its socket within 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        agent
    }

    fn add(&self, key: &Path) {
        let mut c = Command::new(find_tool("ssh-add"));
        c.arg("-q").arg(key).env("SSH_AUTH_SOCK", &self.socket).stdin(Stdio::null());
        run_ok(c);
    }
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn signing_through_ssh_agent_verifies_with_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let agent = AgentProcess::start(dir.path());
    let keys: Vec<(KeyType, Key)> =
        ALL_TYPES.iter().map(|&t| (t, keygen(dir.path(), &format!("a-{}", t.ssh_name()), t, ""))).collect();
    for (_, k) in &keys {
        agent.add(&k.private);
    }
    // Keep only the public halves: the agent alone can sign.
    for (_, k) in &keys {
        std::fs::remove_file(&k.private).unwrap();
    }
    for (t, key) in &keys {
        let record = write_record(dir.path(), &format!("ra-{}.json", t.ssh_name()), "owner", "reviewer");
        let mut c = closeout();
        c.args(["review", "sign"]).arg(&record).arg("--key").arg(&key.public).env("SSH_AUTH_SOCK", &agent.socket);
        let o = run(c);
        assert_eq!(o.code, 0, "{t:?}: {}{}", o.stdout, o.stderr);
        assert!(o.stdout.contains("via ssh-agent") && o.stdout.contains(t.signature_algorithm()), "{}", o.stdout);
        let allowed = write_allowed(dir.path(), &format!("owner {}\n", key.public_line()));
        let (ok, said) = keygen_verify(&allowed, "owner", &record, &[]);
        assert!(ok, "{t:?}: ssh-keygen -Y verify: {said}");
        assert_eq!(
            closeout_verify(&record, &allowed, &["owner"], at(2026, 6, 1)).unwrap().fingerprint,
            key.fingerprint()
        );
    }
    // --agent with several keys in the agent and no --key: closeout asks which.
    let record = write_record(dir.path(), "rb.json", "owner", "reviewer");
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&record).arg("--agent").env("SSH_AUTH_SOCK", &agent.socket);
    let o = run(c);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains(&format!("holds {} keys", ALL_TYPES.len())), "{}", o.stderr);
    // A key the agent does not hold.
    let stranger = keygen(dir.path(), "stranger", KeyType::Ed25519, "");
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&record).arg("--agent").arg("--key").arg(&stranger.private);
    c.env("SSH_AUTH_SOCK", &agent.socket);
    let o = run(c);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("does not hold the key") && o.stderr.contains(&stranger.fingerprint()), "{}", o.stderr);
    assert!(!sign::signature_path(&record).exists(), "nothing written on failure");
    // No agent at all.
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&record).arg("--key").arg(&keys[0].1.public);
    let o = run(c);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("SSH_AUTH_SOCK is not set"), "{}", o.stderr);
}

#[test]
fn agent_with_one_key_signs_with_agent_flag_alone() {
    let dir = tempfile::tempdir().unwrap();
    let agent = AgentProcess::start(dir.path());
    let key = keygen(dir.path(), "only", KeyType::Ed25519, "");
    agent.add(&key.private);
    let record = write_record(dir.path(), "r.json", "owner", "reviewer");
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&record).arg("--agent").env("SSH_AUTH_SOCK", &agent.socket);
    let o = run(c);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let allowed = write_allowed(dir.path(), &format!("reviewer {}\n", key.public_line()));
    assert!(keygen_verify(&allowed, "reviewer", &record, &[]).0);
}

#[test]
fn encrypted_keys_point_to_the_agent() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "locked", KeyType::Ed25519, "correct horse");
    let record = write_record(dir.path(), "r.json", "owner", "reviewer");
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&record).arg("--key").arg(&key.private).stdin(Stdio::null());
    let o = run(c);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("passphrase") && o.stderr.contains("ssh-add"), "{}", o.stderr);
    assert!(!sign::signature_path(&record).exists());
    // What the message says works: add the key to an agent (the passphrase given through SSH_ASKPASS),
    // then sign with --agent and the private key's path.
    let agent = AgentProcess::start(dir.path());
    let askpass = dir.path().join("askpass.sh");
    std::fs::write(&askpass, "#!/bin/sh\necho 'correct horse'\n").unwrap();
    std::fs::set_permissions(&askpass, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let mut c = Command::new(find_tool("ssh-add"));
    c.arg("-q").arg(&key.private).env("SSH_AUTH_SOCK", &agent.socket).stdin(Stdio::null());
    c.env("SSH_ASKPASS", &askpass).env("SSH_ASKPASS_REQUIRE", "force").env("DISPLAY", ":0");
    run_ok(c);
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&record).arg("--agent").arg("--key").arg(&key.private);
    c.env("SSH_AUTH_SOCK", &agent.socket);
    let o = run(c);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let allowed = write_allowed(dir.path(), &format!("reviewer {}\n", key.public_line()));
    assert!(keygen_verify(&allowed, "reviewer", &record, &[]).0);
}

/// Every [`SignatureProblem`] a real situation produces, and ssh-keygen's verdict on the same files where
/// it has one (it must refuse too).
#[test]
fn every_failure_comes_from_a_real_situation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let alice = keygen(d, "alice", KeyType::Ed25519, "");
    let mallory = keygen(d, "mallory", KeyType::Ecdsa256, "");
    let when = at(2026, 6, 1);
    let expect = |record: &Path, allowed: &Path, who: &[&str], code: &str, words: &str| {
        let p = closeout_verify(record, allowed, who, when).unwrap_err();
        assert_eq!(p.code(), code, "{p}");
        assert!(p.to_string().contains(words), "{code}: {p}");
        p
    };
    let line = alice.public_line();
    let plain = write_allowed(d, &format!("alice {line}\n"));

    // Not signed at all.
    let unsigned = write_record(d, "unsigned.json", "alice", "bob");
    expect(&unsigned, &plain, &["alice"], "no_signature", "unsigned.json.sig");

    // Signed by ssh-keygen for another namespace.
    let other_ns = write_record(d, "ns.json", "alice", "bob");
    keygen_sign(&alice.private, "file", &other_ns, &[]);
    expect(&other_ns, &plain, &["alice"], "wrong_namespace", "namespace \"file\", not \"closeout-review\"");
    assert!(!keygen_verify(&plain, "alice", &other_ns, &[]).0);

    // A key that is not in the file.
    let by_mallory = write_record(d, "mallory.json", "alice", "bob");
    keygen_sign(&mallory.private, NAMESPACE, &by_mallory, &[]);
    let p = expect(&by_mallory, &plain, &["alice"], "key_not_allowed", &mallory.fingerprint());
    assert!(p.to_string().contains("ecdsa-sha2-nistp256"), "{p}");
    assert!(!keygen_verify(&plain, "alice", &by_mallory, &[]).0);

    // One byte of the record changed after signing.
    let changed = write_record(d, "changed.json", "alice", "bob");
    keygen_sign(&alice.private, NAMESPACE, &changed, &[]);
    let mut bytes = std::fs::read(&changed).unwrap();
    let i = bytes.iter().position(|&b| b == b'6').unwrap(); // a digit of a date
    bytes[i] = b'7';
    std::fs::write(&changed, &bytes).unwrap();
    expect(&changed, &plain, &["alice"], "does_not_verify", &alice.fingerprint());
    assert!(!keygen_verify(&plain, "alice", &changed, &[]).0);

    // A good signature, checked in situations the allowed_signers file refuses.
    let good = write_record(d, "good.json", "alice", "bob");
    keygen_sign(&alice.private, NAMESPACE, &good, &[]);
    assert!(closeout_verify(&good, &plain, &["alice"], when).is_ok());

    // The key is listed, but for someone else than the record's owner and reviewer.
    let carol = write_allowed(d, &format!("carol@example.com {line}\n"));
    expect(
        &good,
        &carol,
        &["alice", "bob"],
        "principal_mismatch",
        "for \"carol@example.com\", not for \"alice\", \"bob\"",
    );
    assert!(!keygen_verify(&carol, "alice", &good, &[]).0);

    // namespaces="other".
    let ns_file = write_allowed(d, &format!("alice namespaces=\"other\" {line}\n"));
    expect(&good, &ns_file, &["alice"], "namespace_not_allowed", "only for namespaces \"other\"");
    assert!(!keygen_verify(&ns_file, "alice", &good, &[]).0);

    // valid-before in the past relative to the evaluation time; valid-after in its future. ssh-keygen is
    // given the same time with -Overify-time.
    let expired = write_allowed(d, &format!("alice valid-before=\"20260501Z\" {line}\n"));
    let p = expect(&good, &expired, &["alice"], "expired", "2026-05-01T00:00:00Z");
    assert!(p.to_string().contains("the evaluation time is 2026-06-01T00:00:00Z"), "{p}");
    assert!(!keygen_verify(&expired, "alice", &good, &["-Overify-time=20260601Z"]).0);
    assert!(keygen_verify(&expired, "alice", &good, &["-Overify-time=20260401Z"]).0);
    assert!(closeout_verify(&good, &expired, &["alice"], at(2026, 4, 1)).is_ok());
    let early = write_allowed(d, &format!("alice valid-after=\"20260701Z\" {line}\n"));
    expect(&good, &early, &["alice"], "not_yet_valid", "not valid until 2026-07-01T00:00:00Z");
    assert!(!keygen_verify(&early, "alice", &good, &["-Overify-time=20260601Z"]).0);
    assert!(keygen_verify(&early, "alice", &good, &["-Overify-time=20260801Z"]).0);

    // A certificate key, trusted through cert-authority by ssh-keygen: closeout does not support it.
    let ca = keygen(d, "ca", KeyType::Ed25519, "");
    let user = keygen(d, "user", KeyType::Ed25519, "");
    let mut c = ssh_keygen();
    c.args(["-q", "-s"]).arg(&ca.private).args(["-I", "user-id", "-n", "alice"]).arg(&user.public);
    run_ok(c);
    let by_cert = write_record(d, "cert.json", "alice", "bob");
    keygen_sign(&d.join("user-cert.pub"), NAMESPACE, &by_cert, &[]);
    let ca_file = write_allowed(d, &format!("alice cert-authority {}\n", ca.public_line()));
    assert!(keygen_verify(&ca_file, "alice", &by_cert, &[]).0, "ssh-keygen accepts the certificate");
    expect(&by_cert, &ca_file, &["alice"], "certificate_unsupported", "ssh-ed25519-cert-v01@openssh.com");

    // A hash ssh-keygen cannot make: the signature's hash name changed from sha512 to sha384.
    let odd_hash = write_record(d, "hash.json", "alice", "bob");
    std::fs::copy(sign::signature_path(&good), sign::signature_path(&odd_hash)).unwrap();
    std::fs::copy(&good, &odd_hash).unwrap();
    rewrite_signature(&sign::signature_path(&odd_hash), b"sha512", b"sha384");
    expect(&odd_hash, &plain, &["alice"], "unsupported_hash", "\"sha384\"");
    assert!(!keygen_verify(&plain, "alice", &odd_hash, &[]).0);

    // A key type closeout does not verify (P-521), even when the file lists it.
    let p521 = keygen(d, "p521", KeyType::Ecdsa521, "");
    let by_p521 = write_record(d, "p521.json", "alice", "bob");
    keygen_sign(&p521.private, NAMESPACE, &by_p521, &[]);
    let p521_file = write_allowed(d, &format!("alice {}\n", p521.public_line()));
    assert!(keygen_verify(&p521_file, "alice", &by_p521, &[]).0, "ssh-keygen accepts it");
    expect(&by_p521, &p521_file, &["alice"], "unsupported_algorithm", "ecdsa-sha2-nistp521 is not supported");

    // Garbage where the signature should be.
    let garbage = write_record(d, "garbage.json", "alice", "bob");
    std::fs::write(
        sign::signature_path(&garbage),
        "-----BEGIN SSH SIGNATURE-----\nnot base64!\n-----END SSH SIGNATURE-----\n",
    )
    .unwrap();
    expect(&garbage, &plain, &["alice"], "malformed", "not base64");
}

/// Replace `from` by `to` (same length) inside an armored signature's bytes.
fn rewrite_signature(path: &Path, from: &[u8], to: &[u8]) {
    use ssh_encoding::base64::{Base64, Encoding};
    let text = std::fs::read_to_string(path).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut blob = Base64::decode_vec(&b64).unwrap();
    let i = blob.windows(from.len()).position(|w| w == from).unwrap();
    blob[i..i + to.len()].copy_from_slice(to);
    let enc = Base64::encode_string(&blob);
    let lines: Vec<&str> = enc.as_bytes().chunks(70).map(|c| std::str::from_utf8(c).unwrap()).collect();
    std::fs::write(path, format!("-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n", lines.join("\n")))
        .unwrap();
}

#[test]
fn verify_command_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = keygen(d, "k", KeyType::Ed25519, "");
    let record = write_record(d, "r.json", "owner@example.com", "rev");
    keygen_sign(&key.private, NAMESPACE, &record, &[]);
    let allowed = write_allowed(d, &format!("owner@example.com {}\n", key.public_line()));
    let verify = |extra: &[&str], allowed: &Path| {
        let mut c = closeout();
        c.args(["review", "verify"]).arg(&record).arg("--allowed-signers").arg(allowed).args(extra);
        run(c)
    };
    let o = verify(&[], &allowed);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("signer:    \"owner@example.com\""), "{}", o.stdout);
    // 1: not verified, with the reason.
    let o = verify(&["--principal", "someone-else"], &allowed);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("not verified:") && o.stdout.contains("not for \"someone-else\""), "{}", o.stdout);
    let expired = d.join("expired");
    std::fs::write(&expired, format!("owner@example.com valid-before=\"20260101Z\" {}\n", key.public_line())).unwrap();
    let o = verify(&["--as-of", "2026-06-01T10:00:00Z"], &expired);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("the evaluation time is 2026-06-01T10:00:00Z"), "{}", o.stdout);
    assert_eq!(verify(&["--as-of", "2025-12-31T23:00:00Z"], &expired).code, 0);
    // 2: bad input.
    let o = verify(&["--as-of", "yesterday"], &allowed);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--as-of"), "{}", o.stderr);
    let broken = d.join("broken");
    std::fs::write(&broken, format!("# trust\nowner@example.com nope=\"1\" {}\n", key.public_line())).unwrap();
    let o = verify(&[], &broken);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("broken: line 2: unknown option \"nope\""), "{}", o.stderr);
    let o = verify(&[], &d.join("missing"));
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("missing: no such file"), "{}", o.stderr);
    std::fs::remove_file(sign::signature_path(&record)).unwrap();
    std::fs::create_dir(sign::signature_path(&record)).unwrap();
    let o = verify(&[], &allowed);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("not a regular file"), "{}", o.stderr);
    std::fs::remove_dir(sign::signature_path(&record)).unwrap();
    let o = verify(&[], &allowed);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("there is no signature file"), "{}", o.stdout);
    let mut c = closeout();
    c.args(["review", "verify"]).arg(&allowed).arg("--allowed-signers").arg(&allowed);
    let o = run(c);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("invalid JSON at line 1"), "{}", o.stderr);
}

#[test]
fn sign_command_refuses_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = keygen(d, "k", KeyType::Ed25519, "");
    let other = keygen(d, "other", KeyType::Ed25519, "");
    let record = write_record(d, "r.json", "owner", "rev");
    let sign_with = |k: &Key, extra: &[&str]| {
        let mut c = closeout();
        c.args(["review", "sign"]).arg(&record).arg("--key").arg(&k.private).args(extra);
        run(c)
    };
    assert_eq!(sign_with(&key, &[]).code, 0);
    let first = std::fs::read(sign::signature_path(&record)).unwrap();
    let o = sign_with(&other, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("already exists; use --force"), "{}", o.stderr);
    assert_eq!(std::fs::read(sign::signature_path(&record)).unwrap(), first, "kept");
    assert_eq!(sign_with(&other, &["--force"]).code, 0);
    let allowed = write_allowed(d, &format!("owner {}\n", other.public_line()));
    assert!(keygen_verify(&allowed, "owner", &record, &[]).0, "replaced by the other key's signature");

    // An edited record (record_sha256 no longer matches) is not signed.
    let edited = write_record(d, "edited.json", "owner", "rev");
    let text = std::fs::read_to_string(&edited).unwrap().replace("provider outage", "anything goes");
    std::fs::write(&edited, text).unwrap();
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&edited).arg("--key").arg(&key.private);
    let o = run(c);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("record_sha256 does not match"), "{}", o.stderr);
    assert!(!sign::signature_path(&edited).exists());

    // Not a review record.
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&key.public).arg("--key").arg(&key.private);
    let o = run(c);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("invalid JSON"), "{}", o.stderr);
    let not_review = d.join("x.json");
    std::fs::write(&not_review, "{\"schema\": \"something.else\"}").unwrap();
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&not_review).arg("--key").arg(&key.private);
    let o = run(c);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("not a closeout review record"), "{}", o.stderr);

    // No key named.
    let fresh = write_record(d, "fresh.json", "owner", "rev");
    let mut c = closeout();
    c.args(["review", "sign"]).arg(&fresh);
    let o = run(c);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--key"), "{}", o.stderr);
}
