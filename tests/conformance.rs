//! The conformance suite: closeout against CAVRA's own published output (its fixtures, found by
//! `closeout::conformance`: `$CLOSEOUT_FIXTURES`, else the shared folder beside the checkout).
//!
//! The fixtures are checked against the pinned manifest (`tests/conformance/fixtures.sha256`) before any
//! test runs. Where the folder is absent, the suite prints one line saying so and how to get it, and runs
//! nothing (unless `CLOSEOUT_REQUIRE_FIXTURES` is set, as `.ci/run` does: then it fails). The base suite
//! covers the same behaviour on the repository's own samples.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use assert_cmd::Command;
use closeout::conformance;
use libtest_mimic::{Arguments, Trial};
use serde_json::Value;

/// A test: it gets the fixtures folder and panics on failure.
type Test = fn(&Path);

/// Every test, by name.
const TESTS: &[(&str, Test)] = &[
    ("fixtures_match_the_pinned_manifest", fixtures_match_the_pinned_manifest),
    ("cavra_trial_package_is_accepted_risk_then_expires", cavra_trial_package_is_accepted_risk_then_expires),
    ("cavra_trial_package_is_blocked_today_without_as_of", cavra_trial_package_is_blocked_today_without_as_of),
    ("strict_makes_cavra_accepted_risk_fail", strict_makes_cavra_accepted_risk_fail),
    (
        "cavra_stores_reach_the_readme_verdicts_as_json_and_sqlite",
        cavra_stores_reach_the_readme_verdicts_as_json_and_sqlite,
    ),
    ("latest_version_of_each_kind_is_evaluated", latest_version_of_each_kind_is_evaluated),
    ("one_byte_change_in_cavra_bundle_content_fails_artifact_bundle", one_byte_change_in_cavra_bundle_content_fails),
    ("cavra_json_and_sqlite_stores_in_one_directory_are_one_store", cavra_json_and_sqlite_in_one_directory),
    ("a_large_cavra_store_is_judged_exactly_as_a_small_one", a_large_cavra_store_is_judged_exactly_as_a_small_one),
    ("planted_secret_in_a_cavra_store_appears_in_no_output", planted_secret_in_a_cavra_store_appears_in_no_output),
    ("release_scope_selects_cavras_release", release_scope_selects_cavras_release),
    ("review_record_accepts_cavras_risk_until_the_evidence_changes", review_record_accepts_cavras_risk),
    ("reproduces_cavra_artifact_bundle_hashes", reproduces_cavra_artifact_bundle_hashes),
    ("one_changed_character_changes_a_cavra_hash", one_changed_character_changes_a_cavra_hash),
    ("cavra_fixtures_have_no_secret_findings", cavra_fixtures_have_no_secret_findings),
    ("the_sweep_would_catch_a_secret_injected_into_a_cavra_store", sweep_catches_a_secret_injected_into_a_cavra_store),
    ("fast_scanner_agrees_with_serde_json_on_every_fixture", fast_scanner_agrees_with_serde_json_on_every_fixture),
    ("review_panes_show_the_cavra_failed_delivery", review_panes_show_the_cavra_failed_delivery),
    ("cavras_summed_attempts_at_the_max_are_flagged", cavras_summed_attempts_at_the_max_are_flagged),
    ("the_cavra_trial_package_reviews_its_source_delivery", the_cavra_trial_package_reviews_its_source_delivery),
    ("operator_runbook_targets_exist_in_cavra_stores", operator_runbook_targets_exist_in_cavra_stores),
    ("benchmark_store_generated_from_cavra_items_verifies", benchmark_store_generated_from_cavra_items_verifies),
];

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let Some(dir) = conformance::fixtures_dir() else {
        let line = conformance::skipped_line(TESTS.len());
        if conformance::required() {
            eprintln!("{line}");
            eprintln!("conformance suite: failed: {} is set, so the fixtures are required", conformance::REQUIRE_ENV);
            return ExitCode::FAILURE;
        }
        println!("{line}");
        return ExitCode::SUCCESS;
    };
    // Pinned first: a changed fixture would silently change what every test below asserts.
    let pinned = conformance::manifest_text().and_then(|m| conformance::verify_manifest(&dir, &m));
    if let Err(e) = pinned {
        eprintln!("conformance suite: {e}");
        return ExitCode::FAILURE;
    }
    let trials = TESTS
        .iter()
        .map(|&(name, test)| {
            let dir = dir.clone();
            Trial::test(name, move || {
                test(&dir);
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

// ------------------------------------------------------------------------------------------------ helpers

/// The time CAVRA's stores are written for (their README: evaluate as of this, so they do not age).
const FIXTURE_TIME: &str = "2026-06-01T10:00:00Z";

fn path(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    assert!(p.is_file(), "CAVRA fixture {} missing", p.display());
    p
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn read_text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::cargo_bin("closeout")
        .unwrap()
        .env_remove("NO_COLOR")
        .env("RUST_BACKTRACE", "0")
        .args(args)
        .output()
        .unwrap();
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

fn criterion<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["criteria"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()
}

// -------------------------------------------------------------------------------------- the fixtures

fn fixtures_match_the_pinned_manifest(dir: &Path) {
    let manifest = conformance::manifest_text().unwrap();
    assert_eq!(conformance::verify_manifest(dir, &manifest), Ok(8), "the README and 7 evidence files");
}

// ------------------------------------------------------------------------------------ verdicts (check)

fn cavra_trial_package_is_accepted_risk_then_expires(dir: &Path) {
    let p = path(dir, "sample-evidence-package.json");
    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", "2026-05-31T08:30:00Z"]);
    assert_eq!(r["verdict"], "ready_with_accepted_risk", "{}", r["verdict_reason"]);
    assert_eq!(code, 0);
    assert_eq!(r["acceptance"]["owner"], "demo-release-risk-owner");
    assert_eq!(r["evidence"]["decision"], "ready_with_accepted_risk");
    assert!(r["evidence"]["disagreement"].is_null());
    // The sample's hashes are synthetic: never reported as verified.
    assert_eq!(r["hashes"]["verified"], 0);
    assert_eq!(r["hashes"]["not_verifiable"], 3);

    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", "2026-11-24T00:00:00Z"]);
    assert_eq!(r["verdict"], "blocked");
    assert_eq!(code, 1);
    let reason = r["verdict_reason"].as_str().unwrap();
    assert!(reason.contains("expired on 2026-06-07"), "{reason}");
    assert!(r["evidence"]["disagreement"].as_str().unwrap().contains("ready_with_accepted_risk"));
    assert!(r["criteria"][7]["reason"].as_str().unwrap().contains("target resolution date 2026-06-07 has passed"));
}

/// The issue's case: `closeout check sample-evidence-package.json` today, without `--as-of`, is blocked (its
/// acceptance expired on 2026-06-07), not judged as of its own `generated_at`.
fn cavra_trial_package_is_blocked_today_without_as_of(dir: &Path) {
    let p = path(dir, "sample-evidence-package.json");
    let (code, r) = json_report(&[p.to_str().unwrap()]);
    assert_eq!((code, r["verdict"].as_str().unwrap()), (1, "blocked"), "{}", r["verdict_reason"]);
    assert_eq!(r["as_of_source"], "now");
    assert_ne!(r["as_of"], "2026-05-31T08:30:00Z");
    assert!(r["verdict_reason"].as_str().unwrap().contains("expired on 2026-06-07"), "{}", r["verdict_reason"]);
}

fn strict_makes_cavra_accepted_risk_fail(dir: &Path) {
    let p = path(dir, "sample-evidence-package.json");
    let r = run(&["check", p.to_str().unwrap(), "--as-of", "2026-05-31T08:30:00Z", "--strict"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("ready_with_accepted_risk"));
}

fn cavra_stores_reach_the_readme_verdicts_as_json_and_sqlite(dir: &Path) {
    for ext in ["json", "sqlite"] {
        let ready = path(dir, &format!("ready-for-release.{ext}"));
        let (code, r) = json_report(&[ready.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
        assert_eq!((code, r["verdict"].as_str().unwrap()), (0, "ready_for_release"), "{ext}: {}", r["verdict_reason"]);
        assert_eq!(r["hashes"]["verified"], 3, "{ext}: real artifact-bundle hashes verify");

        let risk = path(dir, &format!("accepted-risk-failed-delivery.{ext}"));
        let (code, r) = json_report(&[risk.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
        assert_eq!((code, r["verdict"].as_str().unwrap()), (1, "blocked"), "{ext}");
        assert!(ids_with(&r, "fail").is_empty(), "{ext}: only warnings, no acceptance recorded");
        assert_eq!(ids_with(&r, "warn"), ["closeout_delivery", "retention_health", "retry_workflow"], "{ext}");
        assert!(r["verdict_reason"].as_str().unwrap().contains("risk not accepted"));

        let open = path(dir, &format!("blocked-closeout-open.{ext}"));
        let (code, r) = json_report(&[open.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
        assert_eq!((code, r["verdict"].as_str().unwrap()), (1, "blocked"), "{ext}");
        let fails = ids_with(&r, "fail");
        assert!(
            fails.contains(&"release_closeout".to_string()) && fails.contains(&"signed_archive_manifest".to_string()),
            "{fails:?}"
        );
        // Healthy because nothing was checked is not a pass.
        let health = criterion(&r, "retention_health");
        assert_eq!(health["status"], "fail");
        assert!(health["reason"].as_str().unwrap().contains("zero artifact bundles"));
    }
}

fn latest_version_of_each_kind_is_evaluated(dir: &Path) {
    let p = path(dir, "accepted-risk-failed-delivery.json");
    let (_, r) = json_report(&[p.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
    // Three closeout summaries exist; 09:13 is the newest.
    assert_eq!(criterion(&r, "release_closeout")["evidence"][0], "gordackfinalcloseout-ca9ca46e29c07ac0");
    let retry = criterion(&r, "retry_workflow");
    assert!(retry["reason"].as_str().unwrap().contains("gordackfinalcloseoutretry-4589246f8adeeed9"), "{retry}");
}

/// Change one byte inside an artifact bundle's embedded content: its hash must stop verifying.
fn one_byte_change_in_cavra_bundle_content_fails(dir: &Path) {
    let text = read_text(&path(dir, "ready-for-release.json"));
    let needle = "final reporting is clos";
    let bundle_at = text.find("\"final_reporting_closeout_artifact_bundle\"").unwrap();
    let at = bundle_at + text[bundle_at..].find(needle).unwrap() + needle.len();
    let mut bytes = text.into_bytes();
    assert_eq!(bytes[at], b'e');
    bytes[at] = b'E';
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("store.json");
    std::fs::write(&p, bytes).unwrap();
    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
    assert_eq!(code, 1);
    assert_eq!(ids_with(&r, "fail"), ["artifact_bundle"]);
    assert_eq!(r["hashes"]["mismatched"], 1);
    assert_eq!(r["hashes"]["verified"], 2);
}

/// CAVRA's JSON export and its SQLite store of the same run, side by side: one store, every duplicate dropped.
fn cavra_json_and_sqlite_in_one_directory(dir: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(path(dir, "ready-for-release.json"), tmp.path().join("evidence-metadata.json")).unwrap();
    std::fs::copy(path(dir, "ready-for-release.sqlite"), tmp.path().join("evidence.db")).unwrap();
    std::fs::write(tmp.path().join("README.md"), "# notes\n").unwrap();
    let (code, r) = json_report(&[tmp.path().to_str().unwrap(), "--as-of", FIXTURE_TIME]);
    assert_eq!((code, r["verdict"].as_str().unwrap()), (0, "ready_for_release"));
    assert_eq!(r["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(r["artifacts"]["duplicates_dropped"], 27, "the same store as JSON and SQLite");
    assert_eq!(r["artifacts"]["skipped_files"].as_array().unwrap().len(), 1);
}

/// A store over 1 MiB is mapped rather than read by `check`: the same report as the small file.
fn a_large_cavra_store_is_judged_exactly_as_a_small_one(dir: &Path) {
    let text = read(&path(dir, "accepted-risk-failed-delivery.json"));
    let mut big = text.clone();
    let body_end = big.iter().rposition(|&c| c == b'}').unwrap();
    big.splice(body_end..body_end, std::iter::repeat_n(b' ', 3 << 20));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("small")).unwrap();
    std::fs::create_dir(tmp.path().join("big")).unwrap();
    let (small_p, big_p) = (tmp.path().join("small/store.json"), tmp.path().join("big/store.json"));
    std::fs::write(&small_p, &text).unwrap();
    std::fs::write(&big_p, &big).unwrap();
    let (code_s, small) = json_report(&[small_p.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
    let (code_b, large) = json_report(&[big_p.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
    assert_eq!(code_s, code_b);
    let relocated = |v: &Value| v.to_string().replace("/small/", "/big/");
    for key in ["verdict", "criteria", "hashes", "redactions"] {
        assert_eq!(relocated(&small[key]), large[key].to_string(), "{key}");
    }
}

fn planted_secret_in_a_cavra_store_appears_in_no_output(dir: &Path) {
    const PLANTED: &str = "ghp_PLANTEDsecretVALUE0123456789abcdefXYZ";
    let text = read_text(&path(dir, "ready-for-release.json"));
    let planted = text.replacen(
        // In place of CAVRA's own redaction (a second `authorization` key would be refused as a repeated key).
        "\"authorization\": \"REDACTED\"",
        &format!("\"authorization\": \"token {PLANTED}\""),
        1,
    );
    assert_ne!(planted, text);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("store.json");
    std::fs::write(&p, planted).unwrap();
    for format in ["text", "json", "markdown"] {
        let r = run(&["check", p.to_str().unwrap(), "--as-of", FIXTURE_TIME, "--format", format]);
        assert_eq!(r.code, 1, "{format}");
        assert!(!r.stdout.contains("PLANTED") && !r.stderr.contains("PLANTED"), "{format} leaked the secret");
    }
    let (_, r) = json_report(&[p.to_str().unwrap(), "--as-of", FIXTURE_TIME]);
    assert_eq!(ids_with(&r, "fail"), ["community_boundary"]);
    let exposed: Vec<&Value> =
        r["redactions"].as_array().unwrap().iter().filter(|x| x["redacted_by"] == "closeout").collect();
    assert_eq!(exposed.len(), 1, "{exposed:?}");
    assert!(exposed[0]["location"].as_str().unwrap().ends_with("/request/headers/authorization"), "{exposed:?}");
}

fn release_scope_selects_cavras_release(dir: &Path) {
    let p = path(dir, "ready-for-release.json");
    let rel = "REL-2026.06-go-backend-rollback-drill";
    let (code, r) = json_report(&[p.to_str().unwrap(), "--as-of", FIXTURE_TIME, "--release", rel]);
    assert_eq!((code, r["verdict"].as_str().unwrap()), (0, "ready_for_release"));
    assert_eq!(r["evidence"]["release"], rel);
}

/// A review record makes CAVRA's accepted-risk store ready with accepted risk, until its retry plan changes.
fn review_record_accepts_cavras_risk(dir: &Path) {
    use closeout::review::{
        AcceptanceInput, DeliveryReview, PANES, PaneOutcome, RecordInput, build_record, write_atomic,
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("evidence-metadata.json");
    std::fs::copy(path(dir, "accepted-risk-failed-delivery.json"), &store).unwrap();
    let ev = closeout::evidence::load_path(&store, &Default::default()).unwrap();
    let delivery = ev.nodes[ev.all(&closeout::evidence::Kind::CloseoutDelivery)[0]].id.clone();
    let form = AcceptanceInput {
        owner: "release-risk-owner".into(),
        external_ref: "CHG-1".into(),
        reason: "redelivery after the webhook fix".into(),
        target_resolution_date: "2026-06-05".into(),
        expires_at: "2026-06-08".into(),
    };
    let panes =
        PANES.iter().map(|p| PaneOutcome { pane: p.to_string(), outcome: "reviewed".into(), note: None }).collect();
    let t = closeout::time::parse_instant(FIXTURE_TIME).unwrap();
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
    let kinds: Vec<&str> = rec.artifacts.iter().map(|a| a.kind.as_str()).collect();
    for k in ["closeout_delivery", "retry_plan", "worker_run", "execution_record", "retention_health"] {
        assert!(kinds.contains(&k), "the record pins every artifact the accepted warnings cite ({k}): {kinds:?}");
    }
    let rec_path = tmp.path().join("review.json");
    write_atomic(&rec_path, &rec, &ev).unwrap();
    let (s, r) = (store.to_str().unwrap(), rec_path.to_str().unwrap());

    let (code, report) = json_report(&[s, "--as-of", FIXTURE_TIME, "--review", r]);
    assert_eq!(
        (code, report["verdict"].as_str().unwrap()),
        (0, "ready_with_accepted_risk"),
        "{}",
        report["verdict_reason"]
    );
    assert_eq!(report["acceptance"]["owner"], "release-risk-owner");
    let (code, _) = json_report(&[s, "--as-of", "2026-06-10T00:00:00Z", "--review", r]);
    assert_eq!(code, 1, "expired");
    let changed = read_text(&store).replace("\"retry_delay_minutes\": 15", "\"retry_delay_minutes\": 20");
    std::fs::write(&store, changed).unwrap();
    let (code, report) = json_report(&[s, "--as-of", FIXTURE_TIME, "--review", r]);
    assert_eq!(code, 1);
    assert!(
        report["verdict_reason"].as_str().unwrap().contains("changed since the review"),
        "{}",
        report["verdict_reason"]
    );
}

// ---------------------------------------------------------------------------------- hashing and parsing

/// Every `files[]` entry of every artifact bundle in a store.
fn bundle_files(store: &Value) -> Vec<&Value> {
    store["items"]
        .as_array()
        .expect("store has items[]")
        .iter()
        .filter_map(|item| item.get("final_reporting_closeout_artifact_bundle"))
        .filter_map(|bundle| bundle.get("files").and_then(Value::as_array))
        .flatten()
        .collect()
}

fn reversed_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().rev().map(|(k, v)| (k.clone(), reversed_keys(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(reversed_keys).collect()),
        other => other.clone(),
    }
}

/// CAVRA's `files[].sha256` is SHA-256 of Python's `json.dumps(content, sort_keys=True)`: reproduced exactly.
fn reproduces_cavra_artifact_bundle_hashes(dir: &Path) {
    use closeout::evidence::canonical::canonical_sha256_hex;
    for name in ["ready-for-release.json", "accepted-risk-failed-delivery.json"] {
        let store = read_json(&path(dir, name));
        let files = bundle_files(&store);
        assert!(files.len() >= 3, "{name}: expected bundle files, found {}", files.len());
        for file in files {
            let content = file.get("content").expect("files[] entry has content");
            let expected = file["sha256"].as_str().expect("files[] entry has sha256");
            assert_eq!(canonical_sha256_hex(content), expected, "{name}: {}", file["path"]);
            assert_eq!(canonical_sha256_hex(&reversed_keys(content)), expected, "{name}: key order must not matter");
        }
    }
}

fn one_changed_character_changes_a_cavra_hash(dir: &Path) {
    use closeout::evidence::canonical::canonical_sha256_hex;
    let store = read_json(&path(dir, "ready-for-release.json"));
    let file = bundle_files(&store)[0];
    let expected = file["sha256"].as_str().unwrap();
    let mut content = file["content"].clone();
    assert_eq!(canonical_sha256_hex(&content), expected);
    let Value::Object(map) = &mut content else { panic!("content is an object") };
    let text = map.values_mut().find_map(|v| if let Value::String(s) = v { Some(s) } else { None }).unwrap();
    text.push('x');
    assert_ne!(canonical_sha256_hex(&content), expected);
}

/// The JSON fixtures (every one but the README).
fn json_fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    out.sort();
    assert_eq!(out.len(), 4, "{out:?}");
    out
}

fn cavra_fixtures_have_no_secret_findings(dir: &Path) {
    let (mut markers, mut findings) = (0, Vec::new());
    for p in json_fixtures(dir) {
        let text = read_text(&p);
        let s = conformance::sweep(&read_json(&p), &p.display().to_string());
        assert!(s.keys > 10 && s.strings > 10, "{}: walked too little", p.display());
        // Real evidence always carries needles (`://` URIs, `secret` in control strings): the prefilter fires.
        assert!(closeout::evidence::secrets::has_candidate(text.as_bytes()), "{}: prefilter should match", p.display());
        markers += s.markers;
        findings.extend(s.findings);
    }
    assert!(findings.is_empty(), "false positives: {findings:#?}");
    assert!(markers > 0, "no CAVRA redaction markers seen");
}

fn sweep_catches_a_secret_injected_into_a_cavra_store(dir: &Path) {
    let text = read_text(&path(dir, "ready-for-release.json"));
    let needle = "\"authorization\": \"REDACTED\"";
    assert!(text.contains(needle), "fixture layout changed");
    let injected = text.replacen(needle, "\"authorization\": \"Bearer A1b2C3d4E5f6G7h8\"", 1);
    let s = conformance::sweep(&serde_json::from_str(&injected).unwrap(), "injected");
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
}

fn fast_scanner_agrees_with_serde_json_on_every_fixture(dir: &Path) {
    for p in json_fixtures(dir) {
        assert!(conformance::fast_scanner_agrees(&read_text(&p)), "fast path gave up on {}", p.display());
    }
}

// ------------------------------------------------------------------------------------------- explorer

fn review_app(dir: &Path, doc: Option<Value>) -> closeout::tui::App {
    use closeout::tui::{Action, harness};
    let doc = doc.unwrap_or_else(|| read_json(&path(dir, "accepted-risk-failed-delivery.json")));
    let ev =
        closeout::evidence::load_bytes("store.json", serde_json::to_vec(&doc).unwrap(), &Default::default()).unwrap();
    let t = closeout::time::parse_instant(FIXTURE_TIME).unwrap();
    let mut app = harness::app(ev, Some(t), 100, 30);
    app.update(Action::Tick(t));
    harness::type_keys(&mut app, "r");
    assert!(app.review.is_some(), "status: {:?}", app.status);
    app
}

type Facts = (Vec<(String, String)>, Vec<(closeout::health::Status, String)>);

fn facts(app: &closeout::tui::App, pane: usize) -> Facts {
    let p = &app.review.as_ref().unwrap().deliveries[0].panes[pane];
    (
        p.facts.iter().map(|f| (f.label.trim().to_string(), f.plain())).collect(),
        p.checks.iter().map(|c| (c.status, c.text.clone())).collect(),
    )
}

fn has(facts: &[(String, String)], label: &str, value: &str) -> bool {
    facts.iter().any(|(l, v)| l == label && v.contains(value))
}

/// How CAVRA records a failed webhook: provider `webhook`, "HTTP request failed", the query redacted.
fn review_panes_show_the_cavra_failed_delivery(dir: &Path) {
    use closeout::health::Status;
    let app = review_app(dir, None);
    assert_eq!(app.review.as_ref().unwrap().deliveries.len(), 1);
    let (f1, c1) = facts(&app, 0);
    assert!(has(&f1, "provider", "webhook"), "{f1:?}");
    assert!(has(&f1, "attempts", "3"), "{f1:?}");
    assert!(has(&f1, "error", "HTTP request failed"), "{f1:?}");
    assert!(has(&f1, "status code", "503"), "{f1:?}");
    assert!(has(&f1, "request url", "https://closeout-hooks.example.invalid/cavra/final-closeout?REDACTED"), "{f1:?}");
    assert!(c1.iter().any(|(s, t)| *s == Status::Fail && t.contains("HTTP 503")), "{c1:?}");
    let (f2, c2) = facts(&app, 1);
    assert!(has(&f2, "action", "retry"), "{f2:?}");
    assert!(has(&f2, "max_retry_attempts", "5"), "{f2:?}");
    assert!(
        c2.iter().any(|(s, t)| *s == Status::Pass && t.contains("decided retry") && t.contains("3 of 5 attempts")),
        "{c2:?}"
    );
    let (f3, c3) = facts(&app, 2);
    assert!(has(&f3, "mode", "dry run"), "{f3:?}");
    assert!(c3.iter().any(|(s, t)| *s == Status::Warn && t.contains("awaits live redelivery")), "{c3:?}");
    let (_, c4) = facts(&app, 3);
    assert!(c4.iter().all(|(s, _)| *s == Status::Pass), "{c4:?}");
}

/// With CAVRA's API defaults a failed delivery reaches the max at once (attempts are summed): flagged.
fn cavras_summed_attempts_at_the_max_are_flagged(dir: &Path) {
    use closeout::health::Status;
    let mut doc = read_json(&path(dir, "accepted-risk-failed-delivery.json"));
    for it in doc["items"].as_array_mut().unwrap() {
        if let Some(plan) = it.get_mut("final_reporting_release_closeout_delivery_retry_plan") {
            plan["max_retry_attempts"] = 3.into();
            for d in plan["retry_decisions"].as_array_mut().unwrap() {
                d["action"] = "suppress".into();
                d["reason"] = "max_retry_attempts_reached".into();
            }
        }
    }
    let app = review_app(dir, Some(doc));
    let (f2, c2) = facts(&app, 1);
    assert!(has(&f2, "action", "suppress"), "{f2:?}");
    assert!(has(&f2, "note", "summed attempt_count"), "{f2:?}");
    assert!(
        c2.iter().any(|(s, t)| *s == Status::Warn
            && t.contains("suppressed the retry")
            && t.contains("summed attempt_count"))
    );
}

fn the_cavra_trial_package_reviews_its_source_delivery(dir: &Path) {
    use closeout::tui::harness;
    let ev = closeout::evidence::load_path(&path(dir, "sample-evidence-package.json"), &Default::default()).unwrap();
    let mut app = harness::app(ev, closeout::time::parse_instant("2026-05-31T08:30:00Z"), 100, 30);
    harness::type_keys(&mut app, "r");
    let w = app.review.as_ref().expect("opened");
    assert_eq!(w.deliveries[0].id, "connector-delivery-demo-001");
    assert!(w.deliveries[0].panes[3].checks.iter().all(|c| c.status == closeout::health::Status::Pass));
}

/// The operator runbook focuses by kind, so it must work on real CAVRA output.
fn operator_runbook_targets_exist_in_cavra_stores(dir: &Path) {
    let w = closeout::walkthrough::find("operator-runbook").unwrap();
    for name in ["ready-for-release.json", "accepted-risk-failed-delivery.json", "accepted-risk-failed-delivery.sqlite"]
    {
        let ev = closeout::evidence::load_path(&path(dir, name), &Default::default()).unwrap();
        assert_eq!(w.missing_targets(&ev), vec![], "{name}");
        for step in w.steps.iter().filter(|s| s.focus.kind.is_some()) {
            let n = step.focus.resolve(&ev).unwrap_or_else(|| panic!("{name}: {}", step.id));
            assert!(ev.nodes[n].latest, "{name}: {}: a kind focus selects the latest node", step.id);
        }
    }
}

// ---------------------------------------------------------------------------------------- benchmarks

/// The load benchmark's store (CAVRA's items replicated with fresh ids): references still resolve within a
/// copy and every rehashed bundle still verifies.
fn benchmark_store_generated_from_cavra_items_verifies(dir: &Path) {
    let items = closeout::bench_support::fixture_items(dir).unwrap().len();
    let bytes = closeout::bench_support::generate_store(dir, items * 3).unwrap();
    let ev = closeout::evidence::load_bytes("bench-store.json", bytes, &Default::default()).unwrap();
    assert_eq!(ev.nodes.len() + ev.duplicates, items * 3);
    let t = closeout::time::parse_instant(FIXTURE_TIME).unwrap();
    let report = closeout::health::evaluate(&ev, &[], t).unwrap();
    assert_eq!((report.hashes.verified, report.hashes.mismatched), (3, 0), "the chain's bundle: {:?}", report.hashes);
    // Every bundle of every copy (the report counts only the evaluated release's) still verifies.
    let bundles = ev.all(&closeout::evidence::Kind::ArtifactBundle);
    assert!(bundles.len() >= 3, "{}", bundles.len());
    for b in bundles {
        let checks = ev.hash_checks(b);
        assert!(
            !checks.is_empty() && checks.iter().all(|c| c.status == closeout::evidence::HashStatus::Verified),
            "{}: {checks:?}",
            ev.nodes[b].id
        );
    }
    // Copies are releases of their own: one evaluated, the others listed.
    assert_eq!(report.other_releases().len(), 2, "{:?}", report.chain.releases);
}
