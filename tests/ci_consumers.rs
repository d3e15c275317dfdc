//! closeout's CI formats read by the consumers CI systems use: SARIF 2.1.0 checked by Microsoft's SARIF
//! validator (`Sarif.Multitool validate`, npm `@microsoft/sarif-multitool`), JUnit XML parsed by `junitparser`
//! (PyPI), and the in-toto attestation validated by the in-toto attestation Python bindings
//! (`in-toto-attestation`, PyPI).
//!
//! The tools are installed by `.ci/install-tools` (which .ci/run runs) into `.ci/tools`. Where they are not
//! installed (a fresh clone), the suite says so in one line and runs nothing; with `CLOSEOUT_REQUIRE_TOOLS` set
//! (as .ci/run sets it) a missing tool fails the suite instead, naming it.

mod ci_support;
mod support;

use std::path::{Path, PathBuf};

use ci_support::*;
use serde_json::Value;

/// Run the SARIF validator with every rule (SARIF's and GitHub's ingestion rules) and return the results of
/// level error or warning.
fn sarif_problems(file: &Path) -> Vec<String> {
    let out = file.with_extension("validation.sarif");
    let mut c = std::process::Command::new(sarif_multitool());
    c.arg("validate").arg(file).args([
        "--level",
        "Error;Warning",
        "--rule-kind",
        "Sarif;Gh",
        "--log",
        "ForceOverwrite",
    ]);
    c.arg("--output").arg(&out);
    let r = run_cmd(c);
    assert_eq!(r.code, 0, "the validator ran on {}: {}{}", file.display(), r.stdout, r.stderr);
    let log = read_json(&out);
    log["runs"][0]["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| matches!(r["level"].as_str(), Some("error") | Some("warning") | None))
                .map(|r| format!("{} {}: {}", r["ruleId"], r["level"], r["message"]))
                .collect()
        })
        .unwrap_or_default()
}

fn check_to(dir: &Path, name: &str, args: &[&str]) -> (i32, PathBuf, PathBuf) {
    let sarif = dir.join(format!("{name}.sarif"));
    let junit = dir.join(format!("{name}.xml"));
    let mut all = vec!["check".to_string()];
    all.extend(args.iter().map(|s| s.to_string()));
    all.push("--output".into());
    all.push(format!("sarif={}", sarif.display()));
    all.push("--output".into());
    all.push(format!("junit={}", junit.display()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let r = run(&all);
    assert!(r.code == 0 || r.code == 1, "{name}: {}", r.stderr);
    (r.code, sarif, junit)
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().unwrap()
}

fn sarif_passes_microsofts_validator_for_every_kind_of_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("store.sqlite");
    support::write_sqlite_store(&sample_path("failed-delivery-no-retry-plan.json"), &sqlite);
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[criteria.retention_health]\nrequired = false\n[criteria.retry_workflow]\nseverity = \"warn\"\n",
    )
    .unwrap();
    let (store, record) = accepted_risk_review(dir.path(), "release-risk-owner", "reviewer");
    let blocked = sample_path("failed-delivery-no-retry-plan.json");
    let runs: Vec<(&str, Vec<String>)> = vec![
        ("blocked", vec![blocked.display().to_string(), "--as-of".into(), SAMPLE_TIME.into()]),
        ("sqlite", vec![sqlite.display().to_string(), "--as-of".into(), SAMPLE_TIME.into()]),
        ("accepted", vec!["--sample".into(), "trial-walkthrough".into()]),
        ("clean", vec!["--sample".into(), "clean-store".into()]),
        (
            "policy",
            vec!["--sample".into(), "accepted-risk-store".into(), "--policy".into(), policy.display().to_string()],
        ),
        (
            "review",
            vec![
                store.display().to_string(),
                "--as-of".into(),
                SAMPLE_TIME.into(),
                "--review".into(),
                record.display().to_string(),
            ],
        ),
        ("secret", vec!["--sample".into(), "leaked-connector-secret".into()]),
    ];
    for (name, args) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, sarif, _) = check_to(dir.path(), name, &args);
        let problems = sarif_problems(&sarif);
        assert!(problems.is_empty(), "{name}: the SARIF validator found:\n{}", problems.join("\n"));
    }
    // What the logs say: a rule per criterion with help; results only for criteria that do not pass.
    let blocked_log = read_json(&dir.path().join("blocked.sarif"));
    let rules = blocked_log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 10);
    for r in rules {
        let id = closeout::health::CriterionId::parse(r["id"].as_str().unwrap()).unwrap();
        assert_eq!(r["fullDescription"]["text"], id.help());
        assert_eq!(r["help"]["text"], id.help());
        assert!(r["helpUri"].as_str().unwrap().ends_with(id.as_str()));
        assert!(!r["name"].as_str().unwrap().contains('_'));
    }
    let ids: Vec<&str> = results(&blocked_log).iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["closeout_delivery", "retention_health", "retry_workflow"]);
    assert_eq!(results(&read_json(&dir.path().join("clean.sarif"))).len(), 0);

    // Accepted warnings are suppressions of kind external, status accepted, naming who accepted them.
    let accepted = read_json(&dir.path().join("accepted.sarif"));
    for r in results(&accepted) {
        let s = &r["suppressions"][0];
        assert_eq!((s["kind"].as_str(), s["status"].as_str()), (Some("external"), Some("accepted")), "{r}");
        assert!(s["justification"].as_str().unwrap().contains("sample-risk-owner"));
    }
    let reviewed = read_json(&dir.path().join("review.sarif"));
    assert!(results(&reviewed).iter().all(|r| r["suppressions"][0]["properties"]["signature"]["state"] == "unsigned"));
    // Optional criteria are notes; a failure the policy makes a warning is a warning.
    let policy_log = read_json(&dir.path().join("policy.sarif"));
    let level = |id: &str| results(&policy_log).iter().find(|r| r["ruleId"] == id).unwrap()["level"].clone();
    assert_eq!(level("retention_health"), "note");
    assert_eq!(level("closeout_delivery"), "warning");
    // An SQLite store has no lines: the row and pointer are the logical location.
    let sq = read_json(&dir.path().join("sqlite.sarif"));
    let loc = &results(&sq)[0]["locations"][0];
    assert!(loc.get("physicalLocation").is_none(), "{loc}");
    assert!(loc["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().starts_with("row '"));
}

fn sarif_regions_point_at_the_cited_json_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let file = sample_path("failed-delivery-no-retry-plan.json");
    let (_, sarif, _) = check_to(dir.path(), "r", &[file.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    let log = read_json(&sarif);
    let text = read_text(&file);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for r in results(&log) {
        let loc = &r["locations"][0];
        let region = &loc["physicalLocation"]["region"];
        let (line, col) =
            (region["startLine"].as_u64().unwrap() as usize, region["startColumn"].as_u64().unwrap() as usize);
        let pointer = loc["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap();
        let expected = doc.pointer(pointer).unwrap_or_else(|| panic!("{pointer} resolves in the file"));
        let offset: usize = text.lines().take(line - 1).map(|l| l.len() + 1).sum::<usize>()
            + text.lines().nth(line - 1).unwrap().chars().take(col - 1).map(char::len_utf8).sum::<usize>();
        let mut de = serde_json::Deserializer::from_str(&text[offset..]).into_iter::<Value>();
        let at = de.next().unwrap().unwrap();
        assert_eq!(&at, expected, "{}: the value at {line}:{col} is the one at {pointer}", r["ruleId"]);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            format!("file://{}", file.display())
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

fn junit_parses_with_junitparser_one_case_per_criterion() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, blocked) = check_to(dir.path(), "blocked", &["--sample", "failed-delivery-no-retry-plan"]);
    assert_eq!(code, 1);
    let j = consume("junit", &blocked);
    assert_eq!(j["suites"].as_array().unwrap().len(), 1, "one suite");
    let suite = &j["suites"][0];
    assert_eq!((suite["tests"].as_u64(), suite["failures"].as_u64()), (Some(10), Some(3)));
    assert_eq!(suite["properties"]["verdict"], "blocked");
    let case = |s: &Value, id: &str| s["cases"].as_array().unwrap().iter().find(|c| c["name"] == id).unwrap().clone();
    let names: Vec<&str> = suite["cases"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, closeout::health::CriterionId::ALL.map(|c| c.as_str()));
    assert_eq!(case(suite, "closeout_delivery")["results"][0]["type"], "fail");
    assert_eq!(case(suite, "retention_health")["results"][0]["type"], "warning", "an unaccepted warning fails");
    assert_eq!(case(suite, "final_readiness")["passed"], true);

    // Accepted warnings pass, with a property naming the acceptance.
    let (code, _, accepted) = check_to(dir.path(), "accepted", &["--sample", "trial-walkthrough"]);
    assert_eq!(code, 0);
    let j = consume("junit", &accepted);
    let suite = &j["suites"][0];
    assert_eq!(suite["failures"].as_u64(), Some(0));
    let retry = case(suite, "retry_workflow");
    assert_eq!(retry["passed"], true);
    assert!(retry["properties"]["accepted_by"].as_str().unwrap().contains("sample-risk-owner"), "{retry}");
    assert!(retry["properties"]["acceptance_signature"].as_str().unwrap().contains("unsigned"));

    // Optional criteria are skipped, saying why.
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "[criteria.retention_health]\nrequired = false\n").unwrap();
    let (_, _, opt) = check_to(
        dir.path(),
        "optional",
        &["--sample", "failed-delivery-no-retry-plan", "--policy", policy.to_str().unwrap()],
    );
    let j = consume("junit", &opt);
    let health = case(&j["suites"][0], "retention_health");
    assert_eq!((health["skipped"].as_bool(), health["results"][0]["kind"].as_str()), (Some(true), Some("skipped")));
    assert!(health["results"][0]["message"].as_str().unwrap().contains("optional under the policy"));
    assert_eq!(j["suites"][0]["properties"]["policy_sha256"], sha256_file(&policy).as_str());
}

fn junit_escapes_what_evidence_puts_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = read_text(&sample_path("failed-delivery-no-retry-plan.json"));
    let p = dir.path().join("odd.json");
    std::fs::write(&p, text.replace("HTTP request failed", "<failure type=\\\"x\\\"/>]]>&amp; \\u001b[31m\\u0000"))
        .unwrap();
    let (_, _, junit) = check_to(dir.path(), "odd", &[p.to_str().unwrap(), "--as-of", SAMPLE_TIME]);
    let raw = read_text(&junit);
    assert!(!raw.chars().any(|c| c.is_control() && c != '\n'), "no raw control character");
    let j = consume("junit", &junit);
    let delivery =
        j["suites"][0]["cases"].as_array().unwrap().iter().find(|c| c["name"] == "closeout_delivery").unwrap().clone();
    assert_eq!(delivery["results"].as_array().unwrap().len(), 1, "the evidence's markup is text, not a second result");
    assert!(delivery["results"][0]["message"].as_str().unwrap().contains("<failure type=\"x\"/>]]>&amp;"));
}

fn the_attestation_validates_with_the_in_toto_bindings_for_each_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (store, record) = accepted_risk_review(dir.path(), "release-risk-owner", "reviewer");
    let policy = dir.path().join("gate.toml");
    std::fs::write(&policy, "expiry_warning_days = 30\n").unwrap();
    let clean = sample_path("clean-store.json");
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        ("passed", vec![clean.display().to_string(), "--as-of".into(), SAMPLE_TIME.into()], "PASSED"),
        (
            "warned",
            vec![
                store.display().to_string(),
                "--as-of".into(),
                SAMPLE_TIME.into(),
                "--review".into(),
                record.display().to_string(),
                "--policy".into(),
                policy.display().to_string(),
            ],
            "WARNED",
        ),
        ("failed", vec![store.display().to_string(), "--as-of".into(), SAMPLE_TIME.into()], "FAILED"),
    ];
    for (name, args, result) in cases {
        let out = dir.path().join(format!("{name}.intoto.json"));
        let mut all: Vec<&str> = vec!["check"];
        all.extend(args.iter().map(String::as_str));
        all.extend(["--attest", out.to_str().unwrap()]);
        let r = run(&all);
        assert!(r.code == 0 || r.code == 1, "{name}: {}", r.stderr);
        let a = consume("statement", &out);
        assert_eq!(a["type"], "https://in-toto.io/Statement/v1");
        assert_eq!(a["predicate_type"], "https://in-toto.io/attestation/test-result/v0.1");
        assert_eq!(a["result"], result, "{name}");
        let input = if name == "passed" { clean.clone() } else { store.clone() };
        assert_eq!(a["subjects"][0]["name"], input.display().to_string());
        assert_eq!(a["subjects"][0]["digest"]["sha256"], sha256_file(&input), "{name}: the subject is the evidence");
        let n = |k: &str| a[k].as_array().unwrap().len();
        assert_eq!(n("passed") + n("warned") + n("failed"), 10, "{name}: every criterion, once");
        match result {
            "PASSED" => assert_eq!((n("warned"), n("failed")), (0, 0)),
            "WARNED" => assert!(n("warned") > 0 && n("failed") == 0),
            _ => assert!(n("warned") > 0),
        }
        if name == "warned" {
            let config = a["configuration"].as_array().unwrap();
            assert_eq!(config[0]["name"], record.display().to_string());
            assert_eq!(config[0]["digest"]["sha256"], sha256_file(&record), "the review record and its digest");
            assert_eq!(config[0]["annotations"]["standing"]["state"], "valid");
            assert_eq!(config[1]["digest"]["sha256"], sha256_file(&policy), "the policy and its digest");
        }
    }
}

fn a_signed_attestation_envelope_carries_a_statement_the_bindings_accept() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = keygen(dir.path(), "ci");
    let out = dir.path().join("v.dsse.json");
    let r = run(&[
        "check",
        "--sample",
        "trial-walkthrough",
        "--attest",
        out.to_str().unwrap(),
        "--attest-key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = consume("statement", &out);
    assert_eq!(a["envelope"]["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(a["envelope"]["keyids"][0], fingerprint(&key).as_str());
    assert_eq!(a["result"], "WARNED");
}

const TESTS: &[(&str, fn())] = &[
    (
        "sarif_passes_microsofts_validator_for_every_kind_of_outcome",
        sarif_passes_microsofts_validator_for_every_kind_of_outcome,
    ),
    ("sarif_regions_point_at_the_cited_json_pointer", sarif_regions_point_at_the_cited_json_pointer),
    ("junit_parses_with_junitparser_one_case_per_criterion", junit_parses_with_junitparser_one_case_per_criterion),
    ("junit_escapes_what_evidence_puts_in_it", junit_escapes_what_evidence_puts_in_it),
    (
        "the_attestation_validates_with_the_in_toto_bindings_for_each_verdict",
        the_attestation_validates_with_the_in_toto_bindings_for_each_verdict,
    ),
    (
        "a_signed_attestation_envelope_carries_a_statement_the_bindings_accept",
        a_signed_attestation_envelope_carries_a_statement_the_bindings_accept,
    ),
];

fn main() -> std::process::ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    if let Some(why) = ci_support::tools_missing() {
        let line = format!(
            "consumer suite: {} tests skipped: {why} not installed; run `bash .ci/install-tools` to install them",
            TESTS.len()
        );
        if std::env::var_os("CLOSEOUT_REQUIRE_TOOLS").is_some() {
            eprintln!("{line}");
            eprintln!("consumer suite: failed: CLOSEOUT_REQUIRE_TOOLS is set, so the tools are required");
            return std::process::ExitCode::FAILURE;
        }
        println!("{line}");
        return std::process::ExitCode::SUCCESS;
    }
    let trials = TESTS
        .iter()
        .map(|&(name, test)| {
            libtest_mimic::Trial::test(name, move || {
                test();
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
