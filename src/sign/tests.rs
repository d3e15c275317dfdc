//! allowed_signers parsing, pattern matching and the verification decisions, with keys made from fixed
//! seeds. Interoperability with OpenSSH itself is tested in tests/review_sign.rs.

use chrono::TimeZone;
use ssh_key::private::Ed25519Keypair;

use super::*;

fn key(seed: u8) -> ssh_key::PrivateKey {
    ssh_key::PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
}

fn pub_line(k: &ssh_key::PrivateKey) -> String {
    k.public_key().to_openssh().unwrap()
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn allowed(text: &str) -> AllowedSigners {
    AllowedSigners::parse(text, "allowed_signers").unwrap()
}

fn parse_err(text: &str) -> String {
    AllowedSigners::parse(text, "allowed_signers").unwrap_err().to_string()
}

fn signed(k: &ssh_key::PrivateKey, msg: &[u8], ns: &str) -> String {
    sign_with_private_key(msg, k, ns).unwrap().armored
}

const MSG: &[u8] = b"{\"schema\": \"closeout.review.v1\"}\n";

#[test]
fn patterns_follow_openssh() {
    use allowed::{match_pattern, match_pattern_list};
    assert!(match_pattern("alice@example.com", "*@example.com"));
    assert!(match_pattern("alice", "al?ce"));
    assert!(match_pattern("", "*"));
    assert!(!match_pattern("alice", "al?"));
    assert!(!match_pattern("Alice", "alice"), "case-sensitive, as for principals in OpenSSH");
    assert!(match_pattern("aXbXc", "a*b*c"));
    assert!(!match_pattern("aXbXd", "a*b*c"));
    assert!(match_pattern_list("bob@example.com", "alice,*@example.com"));
    assert!(!match_pattern_list("mallory@example.com", "*@example.com,!mallory@*"));
    assert!(!match_pattern_list("mallory@example.com", "!mallory@*"), "a negation alone allows nothing");
    assert!(match_pattern_list("closeout-review", "git,closeout-*"));
}

#[test]
fn parses_every_form_of_line() {
    let (a, b) = (key(1), key(2));
    let text = format!(
        "# trust file\n\n   \n\
         alice@example.com,bob {a_line} alice laptop\n\
         \"carol smith\" namespaces=\"closeout-review,git\",valid-after=\"20260101Z\",VALID-BEFORE=\"202701011230Z\" {b_line}\n\
         dave cert-authority {b_line}\n",
        a_line = pub_line(&a),
        b_line = pub_line(&b)
    );
    let text = format!("{text}erin\t{}  \t spaced   comment \n", pub_line(&a).replacen(' ', "   ", 1));
    let s = allowed(&text);
    assert_eq!(s.entries.len(), 4);
    assert_eq!((s.entries[3].principals.as_str(), s.entries[3].comment.as_str()), ("erin", "spaced   comment"));
    let e = &s.entries[0];
    assert_eq!((e.line, e.principals.as_str(), e.comment.as_str()), (4, "alice@example.com,bob", "alice laptop"));
    assert!(e.namespaces.is_none() && e.valid_after.is_none() && !e.cert_authority);
    assert_eq!(e.fingerprint(), a.public_key().fingerprint(HashAlg::Sha256).to_string());
    let e = &s.entries[1];
    assert_eq!((e.line, e.principals.as_str()), (5, "carol smith"));
    assert_eq!(e.namespaces.as_deref(), Some("closeout-review,git"));
    assert_eq!(e.valid_after, Some(at(2026, 1, 1)));
    assert_eq!(e.valid_before, Some(Utc.with_ymd_and_hms(2027, 1, 1, 12, 30, 0).unwrap()));
    assert!(s.entries[2].cert_authority);
}

#[test]
fn times_without_z_are_utc() {
    use allowed::parse_time;
    assert_eq!(parse_time("20260601"), Some(at(2026, 6, 1)));
    assert_eq!(parse_time("20260601Z"), Some(at(2026, 6, 1)));
    assert_eq!(parse_time("202606011530"), Some(Utc.with_ymd_and_hms(2026, 6, 1, 15, 30, 0).unwrap()));
    assert_eq!(parse_time("20260601153045Z"), Some(Utc.with_ymd_and_hms(2026, 6, 1, 15, 30, 45).unwrap()));
    for bad in ["2026060", "2026-06-01", "20261301", "20260601T1530", "Z", "202606011530456"] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
}

#[test]
fn parse_errors_name_the_file_and_line() {
    let k = pub_line(&key(1));
    let cases = [
        ("# ok\nalice\n".to_string(), "line 2: missing key"),
        (format!("alice valid-before=20260101Z {k}\n"), "line 1: the value of valid-before must be in double quotes"),
        (format!("alice foo=\"x\" {k}\n"), "line 1: unknown option \"foo\""),
        (format!("\nalice valid-after=\"tomorrow\" {k}\n"), "line 2: valid-after=\"tomorrow\" is not a time"),
        (
            format!("alice valid-after=\"20270101Z\",valid-before=\"20260101Z\" {k}\n"),
            "line 1: valid-before is not after valid-after",
        ),
        (format!("alice namespaces=\"a\",namespaces=\"b\" {k}\n"), "line 1: more than one namespaces= option"),
        (format!("alice namespaces=\"a\", {k}\n"), "line 1: the options end with a comma"),
        ("alice ssh-ed25519 AAAAnotbase64!!\n".to_string(), "line 1: the ssh-ed25519 key does not parse"),
        ("alice ssh-ed25519\n".to_string(), "line 1: the ssh-ed25519 key has no base64 data"),
        (format!("\"alice {k}\n"), "line 1: unterminated quoted principals"),
        (format!("alice namespaces=\"a {k}\n"), "line 1: the value of namespaces has no closing quote"),
    ];
    for (text, want) in cases {
        let e = parse_err(&text);
        assert!(e.starts_with("allowed_signers: "), "{e}");
        assert!(e.contains(want), "{text:?}: {e}");
    }
    // The key type must match the key data.
    let k2 = k.replacen("ssh-ed25519", "ecdsa-sha2-nistp256", 1);
    assert!(parse_err(&format!("alice {k2}\n")).contains("line 1:"));
}

#[test]
fn untrusted_text_in_errors_is_neutralised() {
    let k = pub_line(&key(1));
    let e = parse_err(&format!("alice \x1b[31mevil=\"x\" {k}\n"));
    assert!(!e.contains('\x1b') && e.contains("\\x1b"), "{e}");
    let e = AllowedSigners::parse("alice\n", "allow\x1b]0;t\x07ed").unwrap_err().to_string();
    assert!(crate::sanitize::is_clean(&e), "{e}");
    // A principal with control characters is shown escaped in a verification problem.
    let s = allowed(&format!("bob {k}\n"));
    let sig = signed(&key(1), MSG, NAMESPACE);
    let p = verify(MSG, &sig, &s, &["ev\x1b[2Jil"], NAMESPACE, at(2026, 6, 1)).unwrap_err();
    assert!(crate::sanitize::is_clean(&p.to_string()), "{p}");
    assert!(p.to_string().contains("ev\\x1b[2Jil"), "{p}");
}

#[test]
fn verifies_and_says_who_signed() {
    let k = key(7);
    let s = allowed(&format!("# x\nalice@example.com {} work key\n", pub_line(&k)));
    let sig = signed(&k, MSG, NAMESPACE);
    let v = verify(MSG, &sig, &s, &["nobody", "alice@example.com"], NAMESPACE, at(2026, 6, 1)).unwrap();
    assert_eq!(v.principal, "alice@example.com");
    assert_eq!(v.key_type, "ssh-ed25519");
    assert_eq!(v.signature_algorithm, "ssh-ed25519");
    assert_eq!(v.hash, "sha512");
    assert_eq!((v.allowed_signers.as_str(), v.line, v.comment.as_str()), ("allowed_signers", 2, "work key"));
    assert_eq!(v.fingerprint, k.public_key().fingerprint(HashAlg::Sha256).to_string());
    assert!(v.fingerprint.starts_with("SHA256:"));
}

#[test]
fn each_problem_has_its_own_case() {
    let (k, other) = (key(3), key(4));
    let line = pub_line(&k);
    let sig = signed(&k, MSG, NAMESPACE);
    let t = at(2026, 6, 1);
    let check = |text: &str, sig: &str, msg: &[u8], who: &[&str], code: &str, words: &str| {
        let p = verify(msg, sig, &allowed(text), who, NAMESPACE, t).unwrap_err();
        assert_eq!(p.code(), code, "{p}");
        assert!(p.to_string().contains(words), "{p}");
    };
    let base = format!("alice {line}\n");
    check(
        &base,
        &signed(&k, MSG, "git"),
        MSG,
        &["alice"],
        "wrong_namespace",
        "namespace \"git\", not \"closeout-review\"",
    );
    check(&base, "not a signature", MSG, &["alice"], "malformed", "does not start with");
    check(&base, &sig, b"{\"schema\": \"closeout.review.v2\"}\n", &["alice"], "does_not_verify", "does not verify");
    check(
        &format!("alice {}\n", pub_line(&other)),
        &sig,
        MSG,
        &["alice"],
        "key_not_allowed",
        "is not in allowed_signers",
    );
    check(
        &format!("alice cert-authority {line}\n"),
        &sig,
        MSG,
        &["alice"],
        "key_not_allowed",
        "only as a cert-authority",
    );
    check(&base, &sig, MSG, &["bob", "carol"], "principal_mismatch", "for \"alice\", not for \"bob\", \"carol\"");
    check(&format!("*,!alice {line}\n"), &sig, MSG, &["alice"], "principal_mismatch", "not for \"alice\"");
    check(
        &format!("alice namespaces=\"git,file\" {line}\n"),
        &sig,
        MSG,
        &["alice"],
        "namespace_not_allowed",
        "only for namespaces \"git,file\", not \"closeout-review\"",
    );
    check(
        &format!("alice valid-after=\"20260602Z\" {line}\n"),
        &sig,
        MSG,
        &["alice"],
        "not_yet_valid",
        "not valid until 2026-06-02T00:00:00Z (allowed_signers line 1, valid-after); the evaluation time is 2026-06-01T00:00:00Z",
    );
    check(
        &format!("alice valid-before=\"20260531Z\" {line}\n"),
        &sig,
        MSG,
        &["alice"],
        "expired",
        "stopped being valid at 2026-05-31T00:00:00Z",
    );
    // Boundaries as OpenSSH: valid at exactly valid-after and at exactly valid-before.
    let edge = format!("alice valid-after=\"20260601Z\",valid-before=\"20260601000000Z\" {line}\n");
    assert!(
        verify(MSG, &sig, &allowed(&format!("alice valid-after=\"20260601Z\" {line}")), &["alice"], NAMESPACE, t)
            .is_ok()
    );
    assert!(parse_err(&edge).contains("valid-before is not after valid-after"));
    assert!(
        verify(MSG, &sig, &allowed(&format!("alice valid-before=\"20260601Z\" {line}")), &["alice"], NAMESPACE, t)
            .is_ok()
    );
}

#[test]
fn the_line_that_gets_furthest_decides() {
    let k = key(5);
    let line = pub_line(&k);
    let sig = signed(&k, MSG, NAMESPACE);
    let text = format!("alice namespaces=\"git\" {line}\nalice valid-before=\"20250101Z\" {line}\nbob {line}\n");
    let p = verify(MSG, &sig, &allowed(&text), &["alice"], NAMESPACE, at(2026, 6, 1)).unwrap_err();
    assert_eq!(p.code(), "expired", "{p}");
    let text = format!("{text}alice {line} good\n");
    let v = verify(MSG, &sig, &allowed(&text), &["alice"], NAMESPACE, at(2026, 6, 1)).unwrap();
    assert_eq!((v.line, v.comment.as_str()), (4, "good"));
}

/// Re-armor a signature after changing its decoded bytes.
fn tamper(armored: &str, f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut blob = dearmor(armored).unwrap();
    f(&mut blob);
    let b64 = Base64::encode_string(&blob);
    let body: Vec<&str> = b64.as_bytes().chunks(70).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("{ARMOR_BEGIN}\n{}\n{ARMOR_END}\n", body.join("\n"))
}

fn replace(blob: &mut Vec<u8>, from: &[u8], to: &[u8]) {
    let i = blob.windows(from.len()).position(|w| w == from).unwrap();
    blob.splice(i..i + from.len(), to.iter().copied());
}

#[test]
fn hashes_versions_and_damage() {
    let k = key(6);
    let s = allowed(&format!("alice {}\n", pub_line(&k)));
    let sig = signed(&k, MSG, NAMESPACE);
    let t = at(2026, 6, 1);
    let run = |armored: &str| verify(MSG, armored, &s, &["alice"], NAMESPACE, t);
    let p = run(&tamper(&sig, |b| replace(b, b"sha512", b"sha384"))).unwrap_err();
    assert_eq!(p.code(), "unsupported_hash", "{p}");
    assert!(p.to_string().contains("\"sha384\""));
    let p = run(&tamper(&sig, |b| b[9] = 2)).unwrap_err();
    assert!(p.to_string().contains("SSHSIG version 2"), "{p}");
    let p = run(&tamper(&sig, |b| b.truncate(b.len() - 10))).unwrap_err();
    assert_eq!(p.code(), "malformed", "{p}");
    let p = run(&tamper(&sig, |b| b.push(0))).unwrap_err();
    assert!(p.to_string().contains("1 bytes follow"), "{p}");
    let p =
        run(&tamper(&sig, |b| replace(b, b"\x00\x00\x00\x0bssh-ed25519", b"\x00\x00\x00\x0bssh-ed44444"))).unwrap_err();
    assert_eq!(p.code(), "unsupported_algorithm", "{p}");
    let p = run(&sig.replace("-----END SSH SIGNATURE-----", "")).unwrap_err();
    assert!(p.to_string().contains("no -----END SSH SIGNATURE----- line"), "{p}");
    let p = run(&format!("{sig}trailing")).unwrap_err();
    assert!(p.to_string().contains("text after the END line"), "{p}");
    // Surrounding blank space and CRLF line ends are fine.
    assert!(run(&format!("\n\n{}\r\n", sig.replace('\n', "\r\n"))).is_ok());
    // A changed signature byte (the last one) no longer verifies.
    let p = run(&tamper(&sig, |b| *b.last_mut().unwrap() ^= 1)).unwrap_err();
    assert_eq!(p.code(), "does_not_verify", "{p}");
}

#[test]
fn signature_files_are_bounded_and_regular() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("r.json");
    assert_eq!(signature_path(&record), dir.path().join("r.json.sig"));
    let p = read_signature(&signature_path(&record)).unwrap_err();
    assert_eq!(p.code(), "no_signature");
    assert!(!p.is_bad_input());
    std::fs::create_dir(signature_path(&record)).unwrap();
    let p = read_signature(&signature_path(&record)).unwrap_err();
    assert!(p.is_bad_input() && p.to_string().contains("not a regular file"), "{p}");
    let big = dir.path().join("big.sig");
    std::fs::write(&big, vec![b'A'; MAX_FILE_BYTES as usize + 1]).unwrap();
    let p = read_signature(&big).unwrap_err();
    assert!(p.to_string().contains("more than the 1048576 bytes"), "{p}");
    let e = AllowedSigners::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
    let e = AllowedSigners::load(&big).unwrap_err();
    assert!(e.to_string().contains("more than the"), "{e}");
}

#[test]
fn writing_a_signature_never_clobbers() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("r.json");
    std::fs::write(&record, MSG).unwrap();
    let p = write_signature(&record, "one\n", false).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "one\n");
    let e = write_signature(&record, "two\n", false).unwrap_err();
    assert!(e.to_string().contains("use --force"), "{e}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "one\n");
    write_signature(&record, "two\n", true).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "two\n");
    assert_eq!(std::fs::read(&record).unwrap(), MSG, "the record is untouched");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_file(&p).unwrap();
    std::fs::create_dir(&p).unwrap();
    let e = write_signature(&record, "three\n", true).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

#[test]
fn record_principals_are_owner_then_reviewer() {
    let v = serde_json::json!({"reviewer": "rev", "acceptance": {"owner": "own"}});
    assert_eq!(record_principals(&v), ["own", "rev"]);
    let v = serde_json::json!({"reviewer": "same", "acceptance": {"owner": "same"}});
    assert_eq!(record_principals(&v), ["same"]);
    let v = serde_json::json!({"reviewer": 3, "acceptance": null});
    assert!(record_principals(&v).is_empty());
}

#[test]
fn private_key_sources_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(9);
    let priv_path = dir.path().join("id");
    std::fs::write(&priv_path, k.to_openssh(ssh_key::LineEnding::LF).unwrap().as_bytes()).unwrap();
    let pub_path = dir.path().join("id.pub");
    std::fs::write(&pub_path, pub_line(&k)).unwrap();
    assert_eq!(load_private_key(&priv_path).unwrap().public_key().key_data(), k.public_key().key_data());
    assert_eq!(load_public_key(&priv_path).unwrap().key_data(), k.public_key().key_data());
    assert_eq!(load_public_key(&pub_path).unwrap().key_data(), k.public_key().key_data());
    let e = load_private_key(&pub_path).unwrap_err();
    assert!(e.to_string().contains("public key"), "{e}");
    std::fs::write(dir.path().join("junk"), "hello").unwrap();
    let e = load_private_key(&dir.path().join("junk")).unwrap_err();
    assert!(e.to_string().contains("not an OpenSSH private key"), "{e}");
    assert!(matches!(key_source(Some(&priv_path), false).unwrap(), KeySource::PrivateKeyFile(_)));
}
