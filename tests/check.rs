//! `closeout check` end to end on the repository's own evidence (`sample-evidence/`, and SQLite stores written
//! from it): verdicts as JSON and SQLite, hash verification, which time a report is evaluated as of, secrets
//! in no output, control characters, and every kind of bad input. CAVRA's own output is checked by the
//! conformance suite (`tests/conformance.rs`).

mod support;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use support::{SAMPLE_TIME, read, read_json, read_text, sample_path, write_sqlite_store};

fn closeout() -> Command {
    let mut c = Command::cargo_bin("closeout").unwrap();
    c.env_remove("NO_COLOR").env("RUST_BACKTRACE", "0");
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = closeout().args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json_report(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert!(r.stderr.is_empty(), "stderr: {}", r.stderr);
    (r.code, serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout)))
}

fn ids_with(report: &Value, status: &str) -> Vec<String> {
    report["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_sample_reaches_its_documented_verdict() {
    let index: Value = serde_json::from_str(include_str!("../sample-evidence/index.json")).unwrap();
    let scenarios = index["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 9);
    for s in scenarios {
        let name = s["name"].as_str().unwrap();
        let (code, r) = json_report(&["--sample", name]);
        assert_eq!(r["verdict"], s["expected_verdict"], "{name}: {}", r["verdict_reason"]);
        let fails: Vec<Value> = ids_with(&r, "fail").into_iter().map(Value::from).collect();
        let warns: Vec<Value> = ids_with(&r, "warn").into_iter().map(Value::from).collect();
        assert_eq!(Value::from(fails), s["expected_failing"], "{name} failing");
        assert_eq!(Value::from(warns), s["expected_warning"], "{name} warning");
        let expected_code = if s["expected_verdict"] == "blocked" { 1 } else { 0 };
        assert_eq!(code, expected_code, "{name} exit code");
        assert_eq!(r["as_of"], s["as_of"], "{name} evaluates as of its own time");
        assert_eq!(r["as_of_source"], "embedded_sample", "{name}");
    }
}

#[test]
fn default_run_is_the_trial_walkthrough_sample() {
    let (code, r) = json_report(&[]);
    assert_eq!(code, 0);
    assert_eq!(r["verdict"], "ready_with_accepted_risk");
    assert_eq!(r["evidence"]["source"], "embedded sample: trial-walkthrough");
}

/// The trial package on disk: ready with accepted risk at the time it was written for, blocked once its
/// acceptance expired, and blocked today without `--as-of` (disk evidence is judged as of now).
#[test]
fn trial_package_on_disk_is_accepted_risk_then_expires() {
    let p = sample_path("trial-walkthrough.json");
    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!(r["verdict"], "ready_with_accepted_risk", "{}", r["verdict_reason"]);
    assert_eq!(code, 0);
    assert_eq!(r["acceptance"]["owner"], "sample-risk-owner");
    assert_eq!(r["evidence"]["decision"], "ready_with_accepted_risk");
    assert!(r["evidence"]["disagreement"].is_null());
    assert_eq!(r["as_of_source"], "option");
    // The sample's hashes are placeholders: never reported as verified.
    assert_eq!(r["hashes"]["verified"], 0);
    assert_eq!(r["hashes"]["not_verifiable"], 3);

    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", "2026-10-01T00:00:00Z"]);
    assert_eq!(r["verdict"], "blocked");
    assert_eq!(code, 1);
    let reason = r["verdict_reason"].as_str().unwrap();
    assert!(reason.contains("expired on 2026-09-21"), "{reason}");
    assert!(r["evidence"]["disagreement"].as_str().unwrap().contains("ready_with_accepted_risk"));
    assert!(r["criteria"][7]["reason"].as_str().unwrap().contains("target resolution date 2026-09-21 has passed"));
}

/// Evidence read from disk is evaluated as of now unless `--as-of` is given; only an embedded sample uses
/// its own time. Every format says which time was used and why.
#[test]
fn disk_evidence_is_judged_as_of_now_and_every_format_says_so() {
    let p = sample_path("trial-walkthrough.json");
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let (code, r) = json_report(&[p.to_str().unwrap()]);
    let after = chrono::Utc::now() + chrono::Duration::seconds(1);
    assert_eq!((code, r["verdict"].as_str().unwrap()), (1, "blocked"), "{}", r["verdict_reason"]);
    assert!(r["verdict_reason"].as_str().unwrap().contains("expired on 2026-09-21"), "{}", r["verdict_reason"]);
    let at = closeout::time::parse_instant(r["as_of"].as_str().unwrap()).unwrap();
    assert!(before <= at && at <= after, "as_of {at} is not now");
    assert_eq!(r["as_of_source"], "now");
    assert!(r["as_of_reason"].as_str().unwrap().contains("unless --as-of"), "{}", r["as_of_reason"]);

    // The same file embedded: its own time, the same answer on any day.
    let (code, r) = json_report(&["--sample", "trial-walkthrough"]);
    assert_eq!((code, r["verdict"].as_str().unwrap()), (0, "ready_with_accepted_risk"));
    assert_eq!((r["as_of"].as_str().unwrap(), r["as_of_source"].as_str().unwrap()), (SAMPLE_TIME, "embedded_sample"));
    let (_, r) = json_report(&["--sample", "trial-walkthrough", "--as-of", "2026-10-01T00:00:00Z"]);
    assert_eq!((r["verdict"].as_str().unwrap(), r["as_of_source"].as_str().unwrap()), ("blocked", "option"));

    let help = run(&["check", "--help"]).stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("Default: now for evidence read from disk"), "{help}");
    assert!(help.contains("an embedded sample uses its own time"), "{help}");

    let path = p.to_str().unwrap();
    for (args, want) in [
        (vec!["check", path], "evidence read from disk is evaluated as of now"),
        (vec!["check", path, "--as-of", SAMPLE_TIME], "the time given with --as-of"),
        (vec!["check", "--sample", "clean-store"], "the embedded sample's own time"),
    ] {
        for format in ["text", "markdown"] {
            let mut all = args.clone();
            all.extend(["--format", format]);
            let r = run(&all);
            let flat = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(want), "{all:?}: {}", r.stdout);
        }
    }
}

#[test]
fn strict_makes_accepted_risk_fail() {
    let p = sample_path("trial-walkthrough.json");
    let r = run(&["check", p.to_str().unwrap(), "--as-of", SAMPLE_TIME, "--strict"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("ready_with_accepted_risk"));
}

/// Our stores, as JSON and as SQLite (written from the JSON in CAVRA's table layout), reach the verdicts
/// `sample-evidence/README.md` documents.
#[test]
fn sample_stores_reach_their_verdicts_as_json_and_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["json", "sqlite"] {
        let store = |name: &str| {
            let json = sample_path(&format!("{name}.json"));
            if ext == "json" {
                return json;
            }
            let db = dir.path().join(format!("{name}.sqlite"));
            assert!(write_sqlite_store(&json, &db) > 20, "{name}: rows written");
            db
        };
        let ready = store("clean-store");
        let (code, r) = json_report(&[ready.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
        assert_eq!((code, r["verdict"].as_str().unwrap()), (0, "ready_for_release"), "{ext}: {}", r["verdict_reason"]);
        assert_eq!(r["hashes"]["verified"], 3, "{ext}: real artifact-bundle hashes verify");
        assert_eq!(
            r["inputs"][0]["format"],
            if ext == "json" { "metadata_store_json" } else { "metadata_store_sqlite" }
        );

        let risk = store("accepted-risk-store");
        let (code, r) = json_report(&[risk.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
        assert_eq!((code, r["verdict"].as_str().unwrap()), (1, "blocked"), "{ext}");
        assert!(ids_with(&r, "fail").is_empty(), "{ext}: only warnings, no acceptance recorded");
        assert_eq!(ids_with(&r, "warn"), ["closeout_delivery", "retention_health", "retry_workflow"], "{ext}");
        assert!(r["verdict_reason"].as_str().unwrap().contains("risk not accepted"));

        let open = store("closeout-open");
        let (code, r) = json_report(&[open.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
        assert_eq!((code, r["verdict"].as_str().unwrap()), (1, "blocked"), "{ext}");
        let fails = ids_with(&r, "fail");
        assert!(
            fails.contains(&"release_closeout".to_string()) && fails.contains(&"signed_archive_manifest".to_string()),
            "{fails:?}"
        );
        // Healthy because nothing was checked is not a pass.
        let health = r["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "retention_health").unwrap();
        assert_eq!(health["status"], "fail");
        assert!(health["reason"].as_str().unwrap().contains("zero artifact bundles"));
    }
}

/// A store over 1 MiB is mapped rather than read by `check`: same report as the small file, including the
/// input's SHA-256 (computed from the mapping).
#[test]
fn a_large_store_is_judged_exactly_as_a_small_one() {
    let text = read(&sample_path("accepted-risk-store.json"));
    let mut big = text.clone();
    let body_end = big.iter().rposition(|&c| c == b'}').unwrap();
    big.splice(body_end..body_end, std::iter::repeat_n(b' ', 3 << 20));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("small")).unwrap();
    std::fs::create_dir(dir.path().join("big")).unwrap();
    // One name in both, so redaction locations (which name the file) compare equal.
    let (small_p, big_p) = (dir.path().join("small/store.json"), dir.path().join("big/store.json"));
    std::fs::write(&small_p, &text).unwrap();
    std::fs::write(&big_p, &big).unwrap();
    let (code_s, small) = json_report(&[small_p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    let (code_b, large) = json_report(&[big_p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!(code_s, code_b);
    let relocated = |v: &Value| v.to_string().replace("/small/", "/big/");
    for key in ["verdict", "criteria", "hashes", "redactions"] {
        assert_eq!(relocated(&small[key]), large[key].to_string(), "{key}");
    }
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(&big).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(large["inputs"][0]["sha256"], want.as_str());
    assert_eq!(large["inputs"][0]["size"].as_u64(), Some(big.len() as u64), "{}", large["inputs"]);
}

#[test]
fn latest_version_of_each_kind_is_evaluated() {
    let p = sample_path("accepted-risk-store.json");
    let (_, r) = json_report(&[p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    let closeout = r["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "release_closeout").unwrap();
    // Three closeout summaries exist (09:12, 09:14, 09:16); 09:16 is the newest.
    assert_eq!(closeout["evidence"][0], "gordackfinalcloseout-4b58af6e7d3d58fe");
    // Two retry plans (09:30, 09:31): the newer one is judged.
    let retry = r["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "retry_workflow").unwrap();
    assert!(retry["reason"].as_str().unwrap().contains("gordackfinalcloseoutretry-8c88aa412995af1c"), "{retry}");
    assert!(!retry.to_string().contains("gordackfinalcloseoutretry-8a36c1ecde6b68fe"), "{retry}");
}

/// Change one byte inside an artifact bundle's embedded content: its hash must stop verifying.
#[test]
fn one_byte_change_in_bundle_content_fails_artifact_bundle() {
    let text = read_text(&sample_path("clean-store.json"));
    let needle = "final reporting is clos";
    let bundle_at = text.find("\"final_reporting_closeout_artifact_bundle\"").unwrap();
    let at = bundle_at + text[bundle_at..].find(needle).unwrap() + needle.len();
    let mut bytes = text.into_bytes();
    assert_eq!(bytes[at], b'e');
    bytes[at] = b'E';
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("store.json");
    std::fs::write(&p, bytes).unwrap();
    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!(code, 1);
    assert_eq!(ids_with(&r, "fail"), ["artifact_bundle"]);
    assert_eq!(r["hashes"]["mismatched"], 1);
    assert_eq!(r["hashes"]["verified"], 2);
}

/// A directory bundle: files beside the evidence are hashed as bytes; paths outside it are refused.
#[test]
fn directory_bundle_files_are_hashed_inside_the_directory_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = read_json(&sample_path("clean-store.json"));
    // A bare artifact bundle whose files are on disk, not embedded.
    let item = store["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i.get("final_reporting_closeout_artifact_bundle").is_some())
        .unwrap();
    let mut bundle = item["final_reporting_closeout_artifact_bundle"].clone();
    let mut files = Vec::new();
    for (i, f) in bundle["files"].as_array().unwrap().iter().enumerate() {
        let body = format!("file body {i}\n");
        let name = f["path"].as_str().unwrap().to_string();
        std::fs::write(dir.path().join(&name), &body).unwrap();
        let sha = closeout::evidence::canonical::sha256_hex(body.as_bytes());
        files.push(serde_json::json!({"path": name, "media_type": "application/json", "sha256": sha}));
    }
    files.push(serde_json::json!({"path": "../outside.json", "sha256": "00".repeat(32)}));
    bundle["files"] = Value::from(files);
    std::fs::write(dir.path().join("artifact-bundle.json"), serde_json::to_vec(&bundle).unwrap()).unwrap();
    std::fs::write(dir.path().parent().unwrap().join("outside.json"), "x").ok();
    let (_, r) = json_report(&[dir.path().to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!(r["hashes"]["verified"], 3, "{}", r["hashes"]);
    assert_eq!(r["hashes"]["not_verifiable"], 1, "the ../ path is refused, not followed");
    let art = r["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "artifact_bundle").unwrap();
    assert!(art["details"].to_string().contains("outside the evidence directory"), "{art}");

    // One byte changed on disk: mismatch.
    let first = dir.path().join("release-closeout-summary.json");
    std::fs::write(&first, "file body X\n").unwrap();
    let (_, r) = json_report(&[dir.path().to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!(r["hashes"]["mismatched"], 1);
    assert!(ids_with(&r, "fail").contains(&"artifact_bundle".to_string()));
}

#[test]
fn directory_mixes_store_and_unrelated_files() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("evidence-metadata.json");
    std::fs::copy(sample_path("clean-store.json"), &json).unwrap();
    let rows = write_sqlite_store(&json, &dir.path().join("evidence.db"));
    assert_eq!(rows, 26);
    std::fs::write(dir.path().join("README.md"), "# notes\n").unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}").unwrap();
    let (code, r) = json_report(&[dir.path().to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!((code, r["verdict"].as_str().unwrap()), (0, "ready_for_release"));
    assert_eq!(r["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(r["artifacts"]["duplicates_dropped"], 26, "the same store as JSON and SQLite");
    assert_eq!(r["artifacts"]["skipped_files"].as_array().unwrap().len(), 2);
}

const PLANTED: &str = "ghp_PLANTEDsecretVALUE0123456789abcdefXYZ";

/// A secret planted in a delivery request is redacted everywhere: no format prints it.
#[test]
fn planted_secret_appears_in_no_output_format() {
    let text = read_text(&sample_path("clean-store.json"));
    let planted = text.replacen(
        // In place of CAVRA's own redaction (a second `authorization` key would be refused as a repeated key).
        "\"authorization\": \"REDACTED\"",
        &format!("\"authorization\": \"token {PLANTED}\""),
        1,
    );
    assert_ne!(planted, text);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("store.json");
    std::fs::write(&p, planted).unwrap();
    for format in ["text", "json", "markdown", "sarif", "junit", "github"] {
        let r = run(&["check", p.to_str().unwrap(), "--as-of", SAMPLE_TIME, "--format", format]);
        assert_eq!(r.code, 1, "{format}");
        assert!(!r.stdout.contains("PLANTED") && !r.stderr.contains("PLANTED"), "{format} leaked the secret");
        assert!(r.stdout.contains("community_boundary"), "{format}");
    }
    let (_, r) = json_report(&[p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!(ids_with(&r, "fail"), ["community_boundary"]);
    let exposed: Vec<&Value> =
        r["redactions"].as_array().unwrap().iter().filter(|x| x["redacted_by"] == "closeout").collect();
    assert_eq!(exposed.len(), 1, "{exposed:?}");
    assert!(exposed[0]["location"].as_str().unwrap().ends_with("/request/headers/authorization"), "{exposed:?}");
}

#[test]
fn leaked_sample_secrets_never_print() {
    let raw = String::from_utf8(
        closeout::samples::bytes(&closeout::samples::get("leaked-connector-secret").unwrap()).to_vec(),
    )
    .unwrap();
    assert!(raw.contains("SYNTHETICnotArealSecret0"));
    for format in ["text", "json", "markdown", "sarif", "junit", "github"] {
        let r = run(&["check", "--sample", "leaked-connector-secret", "--format", format]);
        assert!(
            !r.stdout.contains("SYNTHETICnotArealSecret0") && !r.stdout.contains("synthetic-token-0000"),
            "{format}"
        );
    }
}

/// Control characters in evidence never reach the output.
#[test]
fn control_characters_from_evidence_are_neutralised() {
    let text = read_text(&sample_path("clean-store.json"));
    let evil = text.replace("REL-2026.09-payments-api", "REL-\\u001b[2J\\u001b]0;pwned\\u0007-api");
    assert_ne!(evil, text);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("store.json");
    std::fs::write(&p, evil).unwrap();
    for format in ["text", "json", "markdown", "sarif", "junit", "github"] {
        let r = run(&["check", p.to_str().unwrap(), "--as-of", SAMPLE_TIME, "--format", format]);
        assert!(r.code == 0 || r.code == 1, "{format}: {}", r.stderr);
        assert!(!r.stdout.bytes().any(|b| b == 0x1b || b == 0x07), "{format} carried a control character");
        if format == "text" {
            assert!(r.stdout.contains("\\x1b[2J"), "{format} should show the escape visibly");
        }
        if format == "markdown" {
            // Markdown-escaped, so it renders as the visible `\x1b[2J`.
            assert!(r.stdout.contains("\\\\x1b\\[2J"), "{format} should show the escape visibly");
        }
    }
}

#[test]
fn text_report_fits_80_columns_without_colour_when_piped() {
    for sample in ["trial-walkthrough", "closeout-open", "leaked-connector-secret"] {
        let r = run(&["check", "--sample", sample]);
        assert!(!r.stdout.contains('\x1b'), "no ANSI when stdout is not a terminal");
        for line in r.stdout.lines() {
            assert!(line.chars().count() <= 80, "{sample}: {} columns: {line}", line.chars().count());
        }
    }
}

#[test]
fn json_report_is_a_versioned_contract() {
    let (_, r) = json_report(&["--sample", "accepted-risk-store"]);
    assert_eq!(r["schema"], "closeout.report.v1");
    assert_eq!(r["tool"]["name"], "closeout");
    assert_eq!(r["tool"]["version"], env!("CARGO_PKG_VERSION"));
    for key in [
        "verdict",
        "verdict_reason",
        "criteria",
        "acceptance",
        "inputs",
        "hashes",
        "redactions",
        "as_of",
        "as_of_source",
        "as_of_reason",
    ] {
        assert!(r.get(key).is_some(), "missing {key}");
    }
    let c = &r["criteria"][0];
    for key in ["id", "title", "status", "reason", "evidence", "next_step"] {
        assert!(c.get(key).is_some(), "criterion missing {key}");
    }
    assert_eq!(r["criteria"].as_array().unwrap().len(), 10);
    let input = &r["inputs"][0];
    assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn markdown_report_has_a_table_and_next_steps() {
    let r = run(&["check", "--sample", "closeout-open", "--format", "markdown"]);
    assert!(r.stdout.starts_with("## ⛔ Closeout verdict: `blocked`"));
    assert!(r.stdout.contains("| | Criterion | Status | Reason |"));
    assert!(r.stdout.contains("### Next steps"));
    assert!(r.stdout.contains("- [ ] **release_closeout**"));
}

#[test]
fn release_scope_selects_one_release() {
    let p = sample_path("clean-store.json");
    let (code, r) =
        json_report(&[p.to_str().unwrap(), "--as-of", SAMPLE_TIME, "--release", "REL-2026.09-payments-api"]);
    assert_eq!((code, r["verdict"].as_str().unwrap()), (0, "ready_for_release"));
    assert_eq!(r["evidence"]["release"], "REL-2026.09-payments-api");
    let r = run(&["check", p.to_str().unwrap(), "--release", "REL-nope"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no evidence for release \"REL-nope\""), "{}", r.stderr);
}

#[test]
fn unknown_metadata_kinds_are_kept_and_counted() {
    let mut store = read_json(&sample_path("clean-store.json"));
    store["items"].as_array_mut().unwrap().push(serde_json::json!({
        "metadata_kind": "some-future-kind", "session_id": "future-1",
        "created_at": "2026-09-14T09:00:00+00:00", "future": {"x": 1}
    }));
    let extra = serde_json::to_vec(&store).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("store.json");
    std::fs::write(&p, extra).unwrap();
    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    assert_eq!(code, 0);
    assert_eq!(r["artifacts"]["unknown_kinds"]["some-future-kind"], 1);
    assert_eq!(r["artifacts"]["count"], 27, "the 26 items and the unknown one");
}

// ------------------------------------------------------------------------------------------ bad input

fn bad(path: &Path, expect: &str) {
    let r = run(&["check", path.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}: exit code; stderr: {}", path.display(), r.stderr);
    assert!(r.stdout.is_empty(), "{}: nothing on stdout", path.display());
    let err = r.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "one clear message, got: {err}");
    assert!(err.contains(&path.display().to_string()), "names the file: {err}");
    assert!(err.contains(expect), "says what is wrong ({expect}): {err}");
    assert!(!err.contains("panicked") && !err.contains("BACKTRACE"), "{err}");
}

#[test]
fn bad_inputs_give_one_clear_error_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    bad(&d.join("does-not-exist.json"), "no such file or directory");
    let empty_dir = d.join("empty-dir");
    std::fs::create_dir(&empty_dir).unwrap();
    bad(&empty_dir, "no CAVRA evidence in this directory");
    bad(&w("empty.json", b""), "file is empty");
    bad(&w("blank.json", b"  \n\t "), "file is empty");
    let store = read(&sample_path("clean-store.json"));
    bad(&w("truncated.json", &store[..5000]), "truncated JSON: input ends at line");
    bad(&w("invalid.json", b"{\"items\": [}\n"), "invalid JSON at line 1, column 12");
    bad(
        &w("wrong-type.json", br#"{"items": [{"metadata_kind": 5, "session_id": "x"}]}"#),
        "/items/0/metadata_kind must be a string",
    );
    bad(&w("items-number.json", br#"{"items": 5}"#), "`items` must be an array");
    bad(&w("item-string.json", br#"{"items": ["x"]}"#), "/items/0 is not an evidence-metadata item");
    bad(
        &w(
            "wrong-section.json",
            br#"{"schema_version": "cavra.final_closeout_trial.v1", "final_readiness_bundle": []}"#,
        ),
        "`final_readiness_bundle` must be an object",
    );
    bad(
        &w("wrong-field.json", br#"{"schema_version": "cavra.final_closeout_trial.v1", "release_closeout_summary": {"closeout_id": "c", "closeout_state": 7}}"#),
        "/release_closeout_summary/closeout_state must be a string",
    );
    bad(&w("unknown-schema.json", br#"{"schema_version": "cavra.final_closeout_trial.v2"}"#), "unknown schema_version");
    bad(&w("latin1.json", b"{\"items\": [{\"metadata_kind\": \"caf\xe9\"}]}"), "invalid UTF-8 at line 1, column 34");
    let mut binary = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    binary.extend((0..4000u32).map(|i| (i * 7) as u8));
    bad(&w("program.bin", &binary), "binary file");
    // Starts like JSON, holds a NUL: still binary, not a JSON syntax error.
    bad(&w("nul.json", b"{\"items\": [\"a\0b\"]}"), "binary file");
    let deep = format!(
        "{{\"items\": [{{\"metadata_kind\": \"x\", \"session_id\": \"s\", \"a\": {}1{}}}]}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    bad(&w("deep.json", deep.as_bytes()), "nested too deeply");
    let deep_obj = format!(
        "{{\"schema_version\": \"cavra.final_closeout_trial.v1\", \"scenario\": {}1{}}}",
        "{\"a\": ".repeat(200_000),
        "}".repeat(200_000)
    );
    bad(&w("deep-object.json", deep_obj.as_bytes()), "nested too deeply");
    let sqlite = d.join("other.sqlite");
    {
        let c = rusqlite_free_db(&sqlite);
        assert!(c, "made an SQLite file");
    }
    bad(&sqlite, "has no `evidence_metadata` table");
    let huge = d.join("huge.json");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(closeout::evidence::MAX_FILE_BYTES + 1).unwrap();
    bad(&huge, "larger than the 1024 MiB");
    let r = run(&["check", "--as-of", "yesterday"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--as-of: \"yesterday\" is not an RFC 3339 time"), "{}", r.stderr);
}

/// An SQLite database with some other table, written with the sqlite3 file format by hand via the
/// library's own dependency (no extra test crate).
fn rusqlite_free_db(path: &Path) -> bool {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE other (a TEXT); INSERT INTO other VALUES ('x');").unwrap();
    path.exists()
}

/// A review record makes the accepted-risk store ready with accepted risk, until its retry plan changes.
#[test]
fn review_record_accepts_the_risk_until_the_evidence_changes() {
    use closeout::review::{
        AcceptanceInput, DeliveryReview, PANES, PaneOutcome, RecordInput, build_record, write_atomic,
    };
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("evidence-metadata.json");
    std::fs::copy(sample_path("accepted-risk-store.json"), &store).unwrap();
    let ev = closeout::evidence::load_path(&store, &Default::default()).unwrap();
    let delivery = ev.nodes[ev.all(&closeout::evidence::Kind::CloseoutDelivery)[0]].id.clone();
    let form = AcceptanceInput {
        owner: "release-risk-owner".into(),
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
            reviewer: "reviewer",
            reviewed_at: t,
            as_of: t,
            deliveries: vec![DeliveryReview { delivery_id: delivery.to_string(), panes }],
            acceptance: Some(&form),
            covers: closeout::review::warned(&report),
        },
    )
    .unwrap();
    let rec_path = dir.path().join("review.json");
    write_atomic(&rec_path, &rec, &ev).unwrap();
    let (s, r) = (store.to_str().unwrap(), rec_path.to_str().unwrap());

    let (code, report) = json_report(&[s, "--as-of", SAMPLE_TIME]);
    assert_eq!((code, report["verdict"].as_str().unwrap()), (1, "blocked"));
    let (code, report) = json_report(&[s, "--as-of", SAMPLE_TIME, "--review", r]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "ready_with_accepted_risk"),
        "{}",
        report["verdict_reason"]
    );
    assert_eq!(report["acceptance"]["owner"], "release-risk-owner");
    let (code, _) = json_report(&[s, "--as-of", "2026-09-25T00:00:00Z", "--review", r]);
    assert_eq!(code, 1, "expired");

    let changed =
        std::fs::read_to_string(&store).unwrap().replace("\"retry_delay_minutes\": 15", "\"retry_delay_minutes\": 20");
    std::fs::write(&store, changed).unwrap();
    let (code, report) = json_report(&[s, "--as-of", SAMPLE_TIME, "--review", r]);
    assert_eq!(code, 1);
    assert!(
        report["verdict_reason"].as_str().unwrap().contains("changed since the review"),
        "{}",
        report["verdict_reason"]
    );

    let bad = run(&["check", s, "--review", store.to_str().unwrap()]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("not a closeout review record"), "{}", bad.stderr);
}

/// A bad `--as-of` is exit 2 with one line naming the option, and what was typed is shown inert, both through
/// `check` and through the explorer's entry (which shares the one source-argument parser).
#[test]
fn a_bad_as_of_is_exit_2_with_its_text_neutralised() {
    for args in [&["check", "--sample", "clean-store"][..], &["--sample", "clean-store"][..]] {
        let mut all = args.to_vec();
        all.extend(["--as-of", "\u{1b}]52;c;aGk=\u{7}yesterday"]);
        let r = run(&all);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("--as-of") && r.stderr.contains("RFC 3339"), "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains('\u{1b}') && !r.stderr.contains('\u{7}'),
            "{args:?}: raw control bytes: {:?}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{args:?}");
    }
}
