//! Secrets the detector must find, end to end: planted in our own synthetic store (sample-evidence), loaded
//! with `closeout::evidence::load_bytes` (so the whole-input prefilter and the byte walk run, not just the
//! value converter), and checked in the findings, in every materialized artifact and in `closeout check`'s
//! three formats. Every token below is fake, assembled from pieces, of the right shape only.

use assert_cmd::Command;
use closeout::evidence::{LoadOptions, RedactedBy, SecretKind, load_bytes, secrets};
use serde_json::Value;

const SAMPLE: &str = include_str!("../sample-evidence/leaked-connector-secret.json");

fn gh() -> String {
    ["gh", "p_", "PLANTa1b2C3d4E5f6G7h8I9j0K1l2M3n4O5"].concat()
}

/// (raw JSON text to splice in, distinctive secret text that must never be shown, expected kind, pointer
/// suffix of the finding).
fn plants() -> Vec<(String, String, SecretKind, String)> {
    let aws = ["AK", "IA", "PLANT7QF3XK2M9P4"].concat();
    let jwt = ["ey", "JhbGciOiJIUzI1NiJ9", ".", "eyJzdWIiOiJQTEFOVCJ9", ".", "c2lnbmF0dXJlUExBTlQ"].concat();
    let sendgrid = ["SG", ".", "PLANTm3Np6Rt2Vx9Lk4Hj7", ".", "f5Dd1Ss0Aa2Bb3Cc4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm"].concat();
    let anthropic = ["sk", "-ant-", "api03-", "PLANTm3Np6Rt2Vx9Lk4Hj7Gf5Dd1Ss0Aa2Bb3Cc4"].concat();
    let npm = ["np", "m_", "PLANTd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx"].concat();
    let hf = ["hf", "_", "PLANTy12345AsDfGh6789ZxCv"].concat();
    let google = ["AI", "za", "PLANTw3E4r5T6y7U8i9O0pAsDfGhJkLzXcV"].concat();
    let gitlab = ["gl", "pat-", "PLANTm2Lp7Rt4Vb8Nc3K"].concat();
    let openai = ["sk", "-proj-", "PLANTE4r5T6y7U8i9O0pAsDfGhJkL"].concat();
    let azure = "PLANTWm3Np6Rt2Vx9Lk4Hj7Gf5Dd1Ss0Aa2Bb3Cc4==";
    let token = gh();
    // `\u`-escaped first letter: only the decoded string is a GitHub token.
    let escaped = format!("\"\\u0067{}\"", &token[1..]);
    vec![
        (format!("\"note\": {escaped}"), token[4..].to_string(), SecretKind::GithubToken, "/note".into()),
        (format!("\"aws\": \"{aws}\""), aws[4..].to_string(), SecretKind::AwsAccessKey, "/aws".into()),
        (format!("\"id_token\": \"{jwt}\""), jwt[20..].to_string(), SecretKind::Jwt, "/id_token".into()),
        (format!("\"mail\": \"{sendgrid}\""), sendgrid[3..].to_string(), SecretKind::SendgridKey, "/mail".into()),
        (format!("\"llm\": \"key {anthropic}\""), anthropic[7..].to_string(), SecretKind::AnthropicKey, "/llm".into()),
        (format!("\"npmrc\": \"{npm}\""), npm[4..].to_string(), SecretKind::NpmToken, "/npmrc".into()),
        (format!("\"hub\": \"{hf}\""), hf[3..].to_string(), SecretKind::HuggingfaceToken, "/hub".into()),
        (format!("\"maps\": \"{google}\""), google[4..].to_string(), SecretKind::GoogleApiKey, "/maps".into()),
        (format!("\"scm\": \"{gitlab}\""), gitlab[6..].to_string(), SecretKind::GitlabToken, "/scm".into()),
        (format!("\"ai\": \"{openai}\""), openai[8..].to_string(), SecretKind::OpenaiKey, "/ai".into()),
        (
            format!("\"storage\": \"AccountName=a1;AccountKey={azure};EndpointSuffix=core.windows.net\""),
            azure.to_string(),
            SecretKind::SecretField,
            "/storage".into(),
        ),
        // Secret keys in odd case, and a number under one.
        ("\"PassWord\": \"PLANTpass-1\"".into(), "PLANTpass-1".into(), SecretKind::SecretField, "/PassWord".into()),
        ("\"sEcReT\": 987654321".into(), "987654321".into(), SecretKind::SecretField, "/sEcReT".into()),
        // A secret used as an object key.
        (
            format!("\"routes\": {{\"{npm}\": \"primary\"}}"),
            npm[4..].to_string(),
            SecretKind::NpmToken,
            format!("/routes/{}", secrets::key_marker(SecretKind::NpmToken, &npm).replace('/', "~1")),
        ),
        // A name/value pair naming a secret.
        (
            "\"env\": [{\"name\": \"DB_PASSWORD\", \"value\": \"PLANTdbpass-2\"}]".into(),
            "PLANTdbpass-2".into(),
            SecretKind::SecretField,
            "/env/0/value".into(),
        ),
    ]
}

/// The sample with every plant spliced into the delivery request of its delivery record.
fn planted_store() -> String {
    let anchor = "\"method\": \"POST\"";
    assert!(SAMPLE.contains(anchor), "sample layout changed");
    let extra: Vec<String> = plants().into_iter().map(|(raw, ..)| raw).collect();
    SAMPLE.replacen(anchor, &format!("{anchor}, {}", extra.join(", ")), 1)
}

#[test]
fn planted_secrets_are_found_by_the_scan_path_with_kind_and_pointer() {
    let store = planted_store();
    let ev = load_bytes("planted.json", store.into_bytes(), &LoadOptions::default()).unwrap();
    let exposed: Vec<_> = ev.redactions.iter().filter(|r| r.by == RedactedBy::Closeout).collect();
    for (_, secret, kind, suffix) in plants() {
        let hit = exposed.iter().find(|r| r.location.ends_with(&format!("/request{suffix}")));
        let hit = hit.unwrap_or_else(|| panic!("no finding at …/request{suffix}: {exposed:#?}"));
        assert_eq!(hit.kind, kind, "{suffix}");
        assert!(!hit.location.contains(&secret), "{suffix}: the location shows the secret");
    }
    // The sample's own two leaks, and nothing else.
    assert_eq!(exposed.len(), plants().len() + 2, "{exposed:#?}");
    // The flags the prefilter raised are exactly what decoding each artifact finds.
    for (i, _) in ev.nodes.iter().enumerate() {
        let art = ev.artifact(i).unwrap();
        let text = serde_json::to_string(&art.fields).unwrap();
        for (_, secret, ..) in plants() {
            assert!(!text.contains(&secret), "artifact {i} keeps {secret} in its value tree");
        }
    }
}

#[test]
fn planted_secrets_appear_in_no_check_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("planted.json");
    std::fs::write(&path, planted_store()).unwrap();
    for format in ["text", "json", "markdown"] {
        let out = Command::cargo_bin("closeout")
            .unwrap()
            .args(["check", "--as-of", "2026-06-01T10:00:00Z", "--format", format])
            .arg(&path)
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{format}: {stderr}");
        for (_, secret, ..) in plants() {
            assert!(!stdout.contains(&secret) && !stderr.contains(&secret), "{format} shows {secret}");
        }
        assert!(stdout.contains("community_boundary"), "{format}");
        if format == "json" {
            let r: Value = serde_json::from_str(&stdout).unwrap();
            let kinds: Vec<&str> = r["redactions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["redacted_by"] == "closeout")
                .filter_map(|x| x["kind"].as_str())
                .collect();
            for kind in ["aws_access_key", "jwt", "sendgrid_key", "anthropic_key", "npm_token", "github_token"] {
                assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
            }
        }
    }
}

#[test]
fn references_and_flags_under_secret_keys_stay_clean() {
    let clean = SAMPLE.replacen(
        "\"method\": \"POST\"",
        "\"method\": \"POST\", \"token_env\": \"SPLUNK_HEC_TOKEN\", \"private_key_stored\": false, \
         \"env\": [{\"name\": \"DB_HOST\", \"value\": \"db.internal\"}], \"max_tokens\": 4096",
        1,
    );
    let base = load_bytes("sample.json", SAMPLE.as_bytes().to_vec(), &LoadOptions::default()).unwrap();
    let ev = load_bytes("clean.json", clean.into_bytes(), &LoadOptions::default()).unwrap();
    let kinds = |e: &closeout::evidence::Evidence| {
        e.redactions
            .iter()
            .map(|r| (r.kind, r.by, r.location.split_once(' ').map(|x| x.1.to_string())))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&ev), kinds(&base), "references, booleans and plain names add no finding");
}
