//! Signed acceptance in `closeout check` (issue 14 §1), against OpenSSH: review records signed with
//! `ssh-keygen -Y sign -n closeout-review`, trusted through `--allowed-signers`; every way a signature fails
//! voids the acceptance with a reason saying which; `--require-signed-acceptance` voids an unsigned one; every
//! format says who signed, with which key, under which principal, and what was not verified. And the
//! attestation signed as a DSSE envelope, verified with `ssh-keygen -Y verify`.
//!
//! These tests need ssh-keygen (Debian's openssh-client, which .ci/run installs); without it they fail,
//! saying so.

mod ci_support;
mod support;

use std::path::{Path, PathBuf};

use ci_support::*;
use serde_json::Value;

struct Setup {
    dir: tempfile::TempDir,
    store: PathBuf,
    record: PathBuf,
    owner_key: PathBuf,
    owner_pub: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (store, record) = accepted_risk_review(dir.path(), "release-risk-owner", "reviewer");
    let (owner_key, owner_pub) = keygen(dir.path(), "owner");
    Setup { dir, store, record, owner_key, owner_pub }
}

impl Setup {
    fn allowed(&self, text: &str) -> PathBuf {
        let p = self.dir.path().join("allowed_signers");
        std::fs::write(&p, text).unwrap();
        p
    }
    fn check(&self, extra: &[&str]) -> Run {
        let mut args = vec!["check", self.store.to_str().unwrap(), "--as-of", SAMPLE_TIME];
        args.extend(["--review", self.record.to_str().unwrap()]);
        args.extend_from_slice(extra);
        run(&args)
    }
    fn json(&self, extra: &[&str]) -> (i32, Value) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(extra);
        let r = self.check(&all);
        (r.code, serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr)))
    }
}

fn verdict(v: &Value) -> (&str, &str) {
    (v["verdict"].as_str().unwrap(), v["acceptances"][0]["standing"]["state"].as_str().unwrap())
}

#[test]
fn a_record_signed_by_its_owner_with_ssh_keygen_counts_and_every_format_says_who_signed() {
    let s = setup();
    keygen_sign(&s.owner_key, "closeout-review", &s.record);
    let allowed = s.allowed(&format!("release-risk-owner namespaces=\"closeout-review\" {}\n", s.owner_pub));
    let a = allowed.to_str().unwrap();
    let (code, v) = s.json(&["--allowed-signers", a, "--require-signed-acceptance"]);
    assert_eq!((code, verdict(&v)), (0, ("ready_with_accepted_risk", "valid")), "{}", v["verdict_reason"]);
    let sig = &v["acceptances"][0]["signature"];
    let fp = fingerprint(&s.owner_key);
    assert_eq!(sig["state"], "verified");
    assert_eq!(sig["principal"], "release-risk-owner");
    assert_eq!(sig["fingerprint"], fp.as_str());
    assert_eq!(sig["key_type"], "ssh-ed25519");
    assert!(sig["not_verified"].as_array().unwrap().len() >= 3);
    for fmt in ["text", "markdown", "sarif", "junit", "github"] {
        let mut r = s.check(&["--allowed-signers", a, "--format", fmt]);
        assert_eq!(r.code, 0, "{fmt}: {}", r.stderr);
        r.stdout = ci_support::as_read(fmt, &r.stdout);
        assert!(r.stdout.contains(&fp), "{fmt} names the key fingerprint:\n{}", r.stdout);
        assert!(r.stdout.contains("release-risk-owner"), "{fmt} names the principal");
        assert!(r.stdout.contains("not verified") || r.stdout.contains("not_verified"), "{fmt}: what was not verified");
        assert!(r.stdout.contains("revocation"), "{fmt} lists what a signature does not show:\n{}", r.stdout);
    }
}

#[test]
fn the_reviewer_may_sign_too() {
    let s = setup();
    let (key, public) = keygen(s.dir.path(), "reviewer");
    keygen_sign(&key, "closeout-review", &s.record);
    let allowed = s.allowed(&format!("reviewer {public}\n"));
    let (code, v) = s.json(&["--allowed-signers", allowed.to_str().unwrap(), "--require-signed-acceptance"]);
    assert_eq!((code, verdict(&v)), (0, ("ready_with_accepted_risk", "valid")));
    assert_eq!(v["acceptances"][0]["signature"]["principal"], "reviewer");
}

/// Each way a signature does not count: blocked, the acceptance void, and the reason says which.
#[test]
fn every_signature_problem_voids_the_acceptance_with_its_reason() {
    let s = setup();
    let (other_key, _) = keygen(s.dir.path(), "stranger");
    let owner = |opts: &str| format!("release-risk-owner {opts}{}\n", s.owner_pub);
    type Prepare<'a> = Box<dyn Fn(&Setup) + 'a>;
    let sign_owner: Prepare = Box::new(|s: &Setup| keygen_sign(&s.owner_key, "closeout-review", &s.record));
    let cases: Vec<(&str, Prepare, String, &str)> = vec![
        (
            "key_not_allowed",
            Box::new(|s: &Setup| keygen_sign(&other_key, "closeout-review", &s.record)),
            owner(""),
            "is not in",
        ),
        (
            "wrong_namespace",
            Box::new(|s: &Setup| keygen_sign(&s.owner_key, "git", &s.record)),
            owner(""),
            "namespace \"git\"",
        ),
        (
            "expired",
            Box::new(|s: &Setup| keygen_sign(&s.owner_key, "closeout-review", &s.record)),
            owner("valid-before=\"20260901Z\" "),
            "stopped being valid",
        ),
        (
            "not_yet_valid",
            Box::new(|s: &Setup| keygen_sign(&s.owner_key, "closeout-review", &s.record)),
            owner("valid-after=\"20261001Z\" "),
            "is not valid until",
        ),
        (
            "namespace_not_allowed",
            Box::new(|s: &Setup| keygen_sign(&s.owner_key, "closeout-review", &s.record)),
            owner("namespaces=\"git\" "),
            "only for namespaces",
        ),
        ("principal_mismatch", sign_owner, format!("someone-else {}\n", s.owner_pub), "not for"),
        (
            "does_not_verify",
            Box::new(|s: &Setup| {
                keygen_sign(&s.owner_key, "closeout-review", &s.record);
                // One byte more after signing: the record still parses and its record_sha256 (over
                // canonical JSON) still matches; only the signature sees the change.
                let mut bytes = std::fs::read(&s.record).unwrap();
                bytes.push(b' ');
                std::fs::write(&s.record, bytes).unwrap();
            }),
            owner(""),
            "does not verify",
        ),
        (
            "malformed",
            Box::new(|s: &Setup| {
                std::fs::write(closeout::sign::signature_path(&s.record), "not a signature\n").unwrap()
            }),
            owner(""),
            "malformed",
        ),
    ];
    for (code_name, prepare, allowed_text, says) in cases {
        let s = setup_with_keys(&s);
        prepare(&s);
        let allowed = s.allowed(&allowed_text);
        let (code, v) = s.json(&["--allowed-signers", allowed.to_str().unwrap()]);
        assert_eq!((code, verdict(&v)), (1, ("blocked", "void")), "{code_name}: {}", v["verdict_reason"]);
        let a = &v["acceptances"][0];
        assert_eq!(a["signature"]["state"], "invalid", "{code_name}");
        assert_eq!(a["signature"]["code"], code_name);
        let reason = a["standing"]["reason"].as_str().unwrap();
        assert!(reason.contains(code_name) && reason.contains(says), "{code_name}: {reason}");
        assert!(v["verdict_reason"].as_str().unwrap().contains(says), "{code_name}: {}", v["verdict_reason"]);
    }
}

/// A fresh record and store beside the same keys (each case signs its own record).
fn setup_with_keys(base: &Setup) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (store, record) = accepted_risk_review(dir.path(), "release-risk-owner", "reviewer");
    Setup { dir, store, record, owner_key: base.owner_key.clone(), owner_pub: base.owner_pub.clone() }
}

#[test]
fn an_unsigned_acceptance_is_void_when_signatures_are_required() {
    let s = setup();
    let allowed = s.allowed(&format!("release-risk-owner {}\n", s.owner_pub));
    let a = allowed.to_str().unwrap();
    let (code, v) = s.json(&["--allowed-signers", a]);
    assert_eq!((code, verdict(&v)), (0, ("ready_with_accepted_risk", "valid")), "unsigned still counts");
    assert_eq!(v["acceptances"][0]["signature"]["state"], "unsigned");
    let (code, v) = s.json(&["--allowed-signers", a, "--require-signed-acceptance"]);
    assert_eq!((code, verdict(&v)), (1, ("blocked", "void")));
    assert!(
        v["acceptances"][0]["standing"]["reason"].as_str().unwrap().starts_with("unsigned: there is no signature file")
    );

    // The policy file can require it, with the allowed_signers file relative to the policy.
    let policy = s.dir.path().join("gate.toml");
    std::fs::write(&policy, "[acceptance]\nrequire_signed = true\nallowed_signers = \"allowed_signers\"\n").unwrap();
    let (code, v) = s.json(&["--policy", policy.to_str().unwrap()]);
    assert_eq!((code, verdict(&v)), (1, ("blocked", "void")));
    keygen_sign(&s.owner_key, "closeout-review", &s.record);
    let (code, v) = s.json(&["--policy", policy.to_str().unwrap()]);
    assert_eq!((code, verdict(&v)), (0, ("ready_with_accepted_risk", "valid")), "{}", v["verdict_reason"]);

    // The evidence's own accepted_risk cannot carry a signature: void when signatures are required.
    let r = run(&[
        "check",
        "--sample",
        "trial-walkthrough",
        "--format",
        "json",
        "--allowed-signers",
        a,
        "--require-signed-acceptance",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!((r.code, verdict(&v)), (1, ("blocked", "void")));
    assert!(v["acceptances"][0]["standing"]["reason"].as_str().unwrap().contains("carries no signature"));
}

#[test]
fn a_signature_without_allowed_signers_is_reported_as_not_checked() {
    let s = setup();
    keygen_sign(&s.owner_key, "closeout-review", &s.record);
    let (code, v) = s.json(&[]);
    assert_eq!((code, verdict(&v)), (0, ("ready_with_accepted_risk", "valid")));
    assert_eq!(v["acceptances"][0]["signature"]["state"], "not_checked");
    let r = s.check(&[]);
    assert!(r.stdout.contains("not checked (no --allowed-signers"), "{}", r.stdout);
}

/// `ssh-keygen -Y verify` of a DSSE envelope's signature over its pre-authentication encoding.
fn keygen_verify_envelope(dir: &Path, env: &Value, allowed: &Path, principal: &str) -> bool {
    use ssh_encoding::base64::{Base64, Encoding};
    let payload = Base64::decode_vec(env["payload"].as_str().unwrap()).unwrap();
    let pae = closeout::ci::attest::pae(env["payloadType"].as_str().unwrap(), &payload);
    let msg = dir.join("pae.bin");
    std::fs::write(&msg, &pae).unwrap();
    let sig = dir.join("pae.sig");
    std::fs::write(&sig, closeout::ci::attest::rearmor(env["signatures"][0]["sig"].as_str().unwrap())).unwrap();
    let mut c = ssh_keygen();
    c.args(["-Y", "verify", "-n", "closeout-attestation", "-I", principal, "-f"]).arg(allowed).arg("-s").arg(&sig);
    c.stdin(std::fs::File::open(&msg).unwrap());
    run_cmd(c).code == 0
}

#[test]
fn a_signed_attestation_verifies_with_ssh_keygen_and_a_changed_payload_does_not() {
    let s = setup();
    let (ci_key, ci_pub) = keygen(s.dir.path(), "ci");
    let out = s.dir.path().join("verdict.intoto.json");
    let r = s.check(&["--attest", out.to_str().unwrap(), "--attest-key", ci_key.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let env = read_json(&out);
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(env["signatures"][0]["keyid"], fingerprint(&ci_key).as_str());
    let allowed = s.dir.path().join("ci_signers");
    std::fs::write(&allowed, format!("ci@example.com namespaces=\"closeout-attestation\" {ci_pub}\n")).unwrap();
    assert!(keygen_verify_envelope(s.dir.path(), &env, &allowed, "ci@example.com"), "ssh-keygen verifies it");
    let signers = closeout::sign::AllowedSigners::load(&allowed).unwrap();
    let (statement, who) =
        closeout::ci::attest::verify_envelope(&env, &signers, &["ci@example.com"], chrono::Utc::now()).unwrap();
    assert_eq!(who.fingerprint, fingerprint(&ci_key));
    let statement: Value = serde_json::from_slice(&statement).unwrap();
    assert_eq!(statement["predicate"]["result"], "WARNED");

    use ssh_encoding::base64::{Base64, Encoding};
    let mut forged = env.clone();
    let mut changed = statement.clone();
    changed["predicate"]["result"] = "PASSED".into();
    forged["payload"] = Base64::encode_string(&serde_json::to_vec(&changed).unwrap()).into();
    assert!(!keygen_verify_envelope(s.dir.path(), &forged, &allowed, "ci@example.com"), "a changed payload fails");
    assert!(closeout::ci::attest::verify_envelope(&forged, &signers, &["ci@example.com"], chrono::Utc::now()).is_err());

    // A key closeout cannot read is exit 2 before anything is written.
    let bad = s.dir.path().join("verdict2.json");
    let r = s.check(&["--attest", bad.to_str().unwrap(), "--attest-key", s.record.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(!bad.exists());
}
