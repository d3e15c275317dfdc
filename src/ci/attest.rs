//! An attestation of the verdict: an in-toto Statement v1 with the test-result predicate
//! (`https://in-toto.io/attestation/test-result/v0.1`), optionally signed as a DSSE envelope with an SSH key.
//!
//! - `subject`: every evidence input, by name and SHA-256.
//! - `predicate.result`: `PASSED` (ready_for_release), `WARNED` (ready_with_accepted_risk), `FAILED`
//!   (blocked); `passedTests` / `warnedTests` / `failedTests`: the criterion ids by status.
//! - `predicate.configuration`: the review records (with their SHA-256 and signature state), the policy file
//!   and the allowed_signers file the verdict depended on.
//!
//! Signing (`--attest-key KEY`): a DSSE envelope (`payloadType` `application/vnd.in-toto+json`) whose one
//! signature is an SSHSIG signature (namespace [`NAMESPACE`], sha512) over DSSE's pre-authentication encoding
//! of the payload: `sig` is the base64 of the SSHSIG blob, `keyid` the key's `SHA256:` fingerprint. It
//! verifies with `ssh-keygen -Y verify -n closeout-attestation` over the PAE bytes (the signature re-armored),
//! and with [`verify_envelope`].

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use ssh_encoding::base64::{Base64, Encoding};

use super::signed::ReviewInput;
use crate::evidence::{Evidence, LoadError};
use crate::health::{Report, Status, Verdict};
use crate::sanitize::clean;
use crate::sign::{self, AllowedSigners, KeySource, SignatureProblem, Verified};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://in-toto.io/attestation/test-result/v0.1";
/// DSSE's payload type for in-toto statements.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The SSHSIG namespace of attestation signatures.
pub const NAMESPACE: &str = "closeout-attestation";

/// A file the verdict depended on, for `predicate.configuration`.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub name: String,
    pub sha256: String,
    pub kind: &'static str,
}

/// The test-result `result` of a verdict.
pub fn result(v: Verdict) -> &'static str {
    match v {
        Verdict::ReadyForRelease => "PASSED",
        Verdict::ReadyWithAcceptedRisk => "WARNED",
        Verdict::Blocked => "FAILED",
    }
}

/// The in-toto Statement, as JSON. `Err` when there is nothing to name as a subject.
pub fn statement(
    ev: &Evidence,
    r: &Report,
    reviews: &[ReviewInput],
    config: &[ConfigFile],
    url: Option<&str>,
) -> Result<Value, LoadError> {
    if ev.inputs.is_empty() {
        return Err(LoadError::new("--attest", "the evidence has no input file to name as the attestation's subject"));
    }
    let subject: Vec<Value> =
        ev.inputs.iter().map(|i| json!({"name": clean(&i.path), "digest": {"sha256": i.sha256()}})).collect();
    let ids = |s: Status| -> Vec<&str> { r.findings.iter().filter(|f| f.status == s).map(|f| f.id.as_str()).collect() };
    let mut configuration: Vec<Value> = reviews
        .iter()
        .map(|rv| {
            let mut annotations = serde_json::Map::new();
            annotations.insert("kind".into(), json!(crate::review::REVIEW_SCHEMA));
            if let Some(a) = &rv.acceptance {
                let standing = r
                    .acceptances
                    .iter()
                    .find(|(x, _)| x == a || x.source == a.source)
                    .and_then(|(_, s)| serde_json::to_value(s).ok());
                if let Some(s) = standing {
                    annotations.insert("standing".into(), s);
                }
                if let Some(sig) = &a.signature {
                    annotations.insert("signature".into(), serde_json::to_value(sig).unwrap_or(Value::Null));
                }
            }
            json!({"name": rv.shown, "digest": {"sha256": rv.sha256}, "mediaType": "application/json",
                   "annotations": annotations})
        })
        .collect();
    configuration.extend(
        config
            .iter()
            .map(|c| json!({"name": clean(&c.name), "digest": {"sha256": c.sha256}, "annotations": {"kind": c.kind}})),
    );
    let mut predicate = json!({
        "result": result(r.verdict),
        "configuration": configuration,
        "passedTests": ids(Status::Pass),
        "warnedTests": ids(Status::Warn),
        "failedTests": ids(Status::Fail),
    });
    if let Some(u) = url {
        predicate["url"] = json!(u);
    }
    Ok(json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }))
}

/// DSSE's pre-authentication encoding: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {payload_type} {} ", payload_type.len(), payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The base64 inside an armored SSH signature (the SSHSIG blob's base64).
fn armor_body(armored: &str) -> String {
    armored.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect()
}

/// An armored SSH signature from a DSSE `sig` (base64 of the SSHSIG blob), as ssh-keygen reads it.
pub fn rearmor(sig_b64: &str) -> String {
    let mut out = String::from("-----BEGIN SSH SIGNATURE-----\n");
    let chars: Vec<char> = sig_b64.chars().collect();
    for line in chars.chunks(70) {
        out.extend(line);
        out.push('\n');
    }
    out.push_str("-----END SSH SIGNATURE-----\n");
    out
}

/// Sign a statement into a DSSE envelope with an SSH key (a private key file, or through ssh-agent).
pub fn envelope(statement: &[u8], key: &KeySource) -> Result<Value, LoadError> {
    let message = pae(PAYLOAD_TYPE, statement);
    let signed = match key {
        KeySource::PrivateKeyFile(path) => {
            let k = sign::load_private_key(path)?;
            sign::sign_with_private_key(&message, &k, NAMESPACE)
                .map_err(|e| LoadError::new(clean(&path.display().to_string()), e))?
        }
        KeySource::Agent { public_key, socket } => sign::sign_with_agent(&message, public_key, socket, NAMESPACE)?,
    };
    Ok(json!({
        "payloadType": PAYLOAD_TYPE,
        "payload": Base64::encode_string(statement),
        "signatures": [{"keyid": signed.fingerprint, "sig": armor_body(&signed.armored)}],
    }))
}

/// Verify a DSSE envelope closeout wrote: the payload type, then each signature until one is trusted by
/// `allowed` for one of `principals` at `at`. Returns the statement's bytes and who signed.
pub fn verify_envelope(
    envelope: &Value,
    allowed: &AllowedSigners,
    principals: &[&str],
    at: DateTime<Utc>,
) -> Result<(Vec<u8>, Verified), String> {
    if envelope["payloadType"] != PAYLOAD_TYPE {
        return Err(format!("payloadType is not {PAYLOAD_TYPE}"));
    }
    let payload = envelope["payload"].as_str().ok_or("no payload")?;
    let statement = Base64::decode_vec(payload).map_err(|_| "the payload is not base64".to_string())?;
    let message = pae(PAYLOAD_TYPE, &statement);
    let mut last: Option<SignatureProblem> = None;
    for s in envelope["signatures"].as_array().ok_or("no signatures")? {
        let sig = s["sig"].as_str().ok_or("a signature without sig")?;
        match sign::verify(&message, &rearmor(sig), allowed, principals, NAMESPACE, at) {
            Ok(v) => return Ok((statement, v)),
            Err(p) => last = Some(p),
        }
    }
    Err(last.map_or_else(|| "the envelope has no signature".to_string(), |p| p.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_dsse_v1() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn an_envelope_signed_with_a_key_file_verifies_and_a_changed_payload_does_not() {
        use ssh_key::private::Ed25519Keypair;
        use ssh_key::{LineEnding, PrivateKey};
        let dir = tempfile::tempdir().unwrap();
        let key = PrivateKey::from(Ed25519Keypair::from_seed(&[7; 32]));
        let path = dir.path().join("k");
        std::fs::write(&path, key.to_openssh(LineEnding::LF).unwrap().as_bytes()).unwrap();
        let allowed = AllowedSigners::parse(
            &format!("ci@example.com namespaces=\"{NAMESPACE}\" {}\n", key.public_key().to_openssh().unwrap()),
            "allowed",
        )
        .unwrap();
        let env = envelope(br#"{"_type":"x"}"#, &KeySource::PrivateKeyFile(path)).unwrap();
        let at = Utc::now();
        let (stmt, who) = verify_envelope(&env, &allowed, &["ci@example.com"], at).unwrap();
        assert_eq!(stmt, br#"{"_type":"x"}"#);
        assert_eq!(who.fingerprint, env["signatures"][0]["keyid"]);
        let mut forged = env.clone();
        forged["payload"] = json!(Base64::encode_string(br#"{"_type":"y"}"#));
        assert!(verify_envelope(&forged, &allowed, &["ci@example.com"], at).unwrap_err().contains("does not verify"));
    }
}
