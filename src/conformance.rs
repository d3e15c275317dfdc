//! Where CAVRA's own published evidence (its fixtures) is found, and how it is pinned.
//!
//! The base test suite uses only what this repository holds. What checks closeout against CAVRA's own
//! output (the conformance suite, `tests/conformance.rs`), the load benchmark and the `gen_store` example
//! read CAVRA's fixtures from one folder, found here and nowhere else:
//!
//! - `$CLOSEOUT_FIXTURES`, when set and not empty;
//! - else `../shared/fixtures/cavra` beside the checkout (the layout CI uses).
//!
//! The folder is pinned by `tests/conformance/fixtures.sha256` (a `sha256sum` listing of every file in it):
//! [`verify_manifest`] says which file changed, is missing or is extra.
//!
//! It also lends the suite two checks it runs on CAVRA's files and the base suite runs on ours: [`sweep`] (the
//! secret detectors over a whole document) and [`fast_scanner_agrees`] (the loader's fast path against
//! serde_json).

use std::path::{Path, PathBuf};

/// The environment variable that overrides where the fixtures are.
pub const ENV: &str = "CLOSEOUT_FIXTURES";

/// Set (to anything but empty) to make a missing fixtures folder a failure rather than a skip (`.ci/run`).
pub const REQUIRE_ENV: &str = "CLOSEOUT_REQUIRE_FIXTURES";

/// The manifest pinning the fixtures, relative to the checkout.
pub const MANIFEST: &str = "tests/conformance/fixtures.sha256";

/// The folder the fixtures are looked for in: `$CLOSEOUT_FIXTURES`, else `../shared/fixtures/cavra` beside
/// the checkout.
pub fn fixtures_path() -> PathBuf {
    match std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
            checkout.parent().unwrap_or(checkout).join("shared/fixtures/cavra")
        }
    }
}

/// The fixtures folder, when it exists.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = fixtures_path();
    dir.is_dir().then_some(dir)
}

/// Whether a missing folder must fail the run (`CLOSEOUT_REQUIRE_FIXTURES` is set).
pub fn required() -> bool {
    std::env::var_os(REQUIRE_ENV).is_some_and(|v| !v.is_empty())
}

/// One line saying the fixtures are missing, where they were looked for and how to get them.
pub fn missing_message() -> String {
    format!(
        "CAVRA fixtures not found at {} (set {ENV}=DIR, or check out the shared folder beside the repository; \
         see README)",
        fixtures_path().display()
    )
}

/// The one line the conformance suite prints when it cannot run.
pub fn skipped_line(tests: usize) -> String {
    format!("conformance suite: {tests} tests skipped: {}", missing_message())
}

/// The fixtures folder, or [`missing_message`].
pub fn require() -> Result<PathBuf, String> {
    fixtures_dir().ok_or_else(missing_message)
}

/// The committed manifest's text.
pub fn manifest_text() -> Result<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(MANIFEST);
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parse a `sha256sum` listing: `<64 hex>  <name>` per line (`#` comments and blank lines skipped).
pub fn parse_manifest(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("{MANIFEST}: line {}: expected `<sha256>  <file name>`, found {line:?}", i + 1);
        let (digest, name) = line.split_once("  ").ok_or_else(bad)?;
        let digest_ok = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !digest_ok || name.is_empty() || name.contains('/') {
            return Err(bad());
        }
        out.push((name.to_string(), digest.to_string()));
    }
    if out.is_empty() {
        return Err(format!("{MANIFEST}: lists no file"));
    }
    Ok(out)
}

/// Check `dir` against a manifest: every listed file present with its digest, and nothing else in the folder.
/// `Err` lists every difference, one per line, each naming its file.
pub fn verify_manifest(dir: &Path, manifest: &str) -> Result<usize, String> {
    let expected = parse_manifest(manifest)?;
    let mut problems = Vec::new();
    for (name, digest) in &expected {
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => match crate::evidence::hash_file(&path, u64::MAX) {
                Ok(actual) if actual == *digest => {}
                Ok(actual) => problems.push(format!("changed: {} (sha256 {actual}, pinned {digest})", path.display())),
                Err(e) => problems.push(format!("unreadable: {}: {e}", path.display())),
            },
            Ok(_) => problems.push(format!("not a regular file: {}", path.display())),
            Err(_) => problems.push(format!("missing: {}", path.display())),
        }
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut extra: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !expected.iter().any(|(name, _)| name == n))
        .collect();
    extra.sort();
    problems.extend(extra.iter().map(|n| format!("extra: {} (not in {MANIFEST})", dir.join(n).display())));
    if problems.is_empty() {
        Ok(expected.len())
    } else {
        Err(format!(
            "the CAVRA fixtures in {} differ from {MANIFEST}:\n  {}\nIf CAVRA's fixtures were updated on purpose, \
             review what changed and update the manifest (sha256sum * in the folder).",
            dir.display(),
            problems.join("\n  ")
        ))
    }
}

/// What a walk over a JSON document found: how many keys and strings it saw, CAVRA's own redaction markers,
/// and every secret finding (where, and what kind). Run on CAVRA's fixtures by the conformance suite and on
/// our samples by the base suite.
#[derive(Debug, Default)]
pub struct Sweep {
    pub keys: usize,
    pub strings: usize,
    pub markers: usize,
    pub findings: Vec<String>,
}

/// Walk `value` (named `name` in findings) through the secret detectors, as a caller that knows each string's
/// key reports it: a secret-looking value, or a non-empty, unredacted value under a secret-looking key.
pub fn sweep(value: &serde_json::Value, name: &str) -> Sweep {
    use crate::evidence::secrets::{detect_value_secret, is_cavra_redacted, is_secret_key};
    fn walk(value: &serde_json::Value, key: Option<&str>, path: &str, out: &mut Sweep) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.keys += 1;
                    if let Some(kind) = detect_value_secret(k) {
                        out.findings.push(format!("{path}: key {kind:?}"));
                    }
                    walk(v, Some(k), &format!("{path}.{k}"), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, key, &format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Number(_) if key.is_some_and(is_secret_key) => {
                out.findings.push(format!("{path}: number under a secret key"));
            }
            serde_json::Value::String(s) => {
                out.strings += 1;
                if is_cavra_redacted(s) {
                    out.markers += 1;
                }
                let keyed = || {
                    let key = key.unwrap_or("");
                    (is_secret_key(key) && !s.is_empty() && !is_cavra_redacted(s))
                        .then_some(crate::evidence::SecretKind::SecretField)
                };
                if let Some(kind) = detect_value_secret(s).or_else(keyed) {
                    out.findings.push(format!("{path}: {kind:?}"));
                }
            }
            _ => {}
        }
    }
    let mut out = Sweep::default();
    walk(value, None, name, &mut out);
    out
}

/// Whether the loader's fast head scanner takes `text` and agrees with serde_json on every head and span
/// (panics saying where they differ; `false` when the scanner gives up).
pub fn fast_scanner_agrees(text: &str) -> bool {
    crate::evidence::fastparse_agrees(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> String {
        std::fs::write(dir.join(name), body).unwrap();
        crate::evidence::canonical::sha256_hex(body.as_bytes())
    }

    #[test]
    fn a_pinned_folder_verifies_and_every_difference_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a.json", "{}");
        let b = write(dir.path(), "b.sqlite", "x");
        let manifest = format!("# pinned\n{a}  a.json\n{b}  b.sqlite\n");
        assert_eq!(verify_manifest(dir.path(), &manifest), Ok(2));

        write(dir.path(), "a.json", "{ }");
        std::fs::remove_file(dir.path().join("b.sqlite")).unwrap();
        write(dir.path(), "new.json", "[]");
        let err = verify_manifest(dir.path(), &manifest).unwrap_err();
        let at = |n: &str| dir.path().join(n).display().to_string();
        assert!(err.contains(&format!("changed: {} (sha256 ", at("a.json"))), "{err}");
        assert!(err.contains(&format!("missing: {}", at("b.sqlite"))), "{err}");
        assert!(err.contains(&format!("extra: {} (not in {MANIFEST})", at("new.json"))), "{err}");
    }

    #[test]
    fn a_malformed_manifest_is_refused_with_its_line() {
        for (text, want) in [
            ("", "lists no file"),
            ("abc  a.json\n", "line 1"),
            (&format!("{}  ../a.json\n", "0".repeat(64)), "line 1"),
            (&format!("# c\n{} a.json\n", "0".repeat(64)), "line 2"),
        ] {
            let err = parse_manifest(text).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn the_committed_manifest_parses_and_pins_cavras_files() {
        let names: Vec<String> =
            parse_manifest(&manifest_text().unwrap()).unwrap().into_iter().map(|(n, _)| n).collect();
        for name in ["sample-evidence-package.json", "ready-for-release.json", "ready-for-release.sqlite"] {
            assert!(names.iter().any(|n| n == name), "{name} not pinned: {names:?}");
        }
    }

    #[test]
    fn the_missing_message_names_the_folder_and_the_way_out() {
        assert!(skipped_line(22).starts_with("conformance suite: 22 tests skipped: CAVRA fixtures not found at "));
        let msg = missing_message();
        assert!(msg.contains(&fixtures_path().display().to_string()), "{msg}");
        assert!(msg.contains("CLOSEOUT_FIXTURES=DIR") && msg.contains("README"), "{msg}");
        assert!(!msg.contains('\n'));
    }
}
