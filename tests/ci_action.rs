//! The composite GitHub Action (`action.yml`): its gate step's script, run with bash as the runner runs it
//! (inputs as environment variables, `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`, `$RUNNER_TEMP`), with the
//! closeout this test suite built on PATH: exit status, outputs, reports and the job summary.

mod ci_support;
mod support;

use std::path::Path;

use ci_support::*;

/// The `run: |` block of the step with `id: gate`, de-indented.
fn gate_script() -> String {
    let text = read_text(&Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"));
    let lines: Vec<&str> = text.lines().collect();
    let step = lines.iter().position(|l| l.trim() == "id: gate").expect("a step with id: gate");
    let run = (step..lines.len()).find(|&i| lines[i].trim() == "run: |").expect("its run: | block");
    let indent = lines[run + 1].len() - lines[run + 1].trim_start().len();
    let mut script = String::new();
    for l in &lines[run + 1..] {
        if !l.trim().is_empty() && l.len() - l.trim_start().len() < indent {
            break;
        }
        script.push_str(l.get(indent..).unwrap_or(""));
        script.push('\n');
    }
    assert!(script.contains("closeout \"${args[@]}\""), "{script}");
    script
}

fn run_gate(dir: &Path, env: &[(&str, &str)]) -> (Run, String, String) {
    let script = dir.join("gate.sh");
    std::fs::write(&script, gate_script()).unwrap();
    let output = dir.join("github_output");
    let summary = dir.join("summary.md");
    let bin = Path::new(env!("CARGO_BIN_EXE_closeout")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut c = std::process::Command::new("bash");
    c.arg(&script).current_dir(dir).env("PATH", path).env("RUNNER_TEMP", dir).env("GITHUB_OUTPUT", &output);
    c.env("GITHUB_STEP_SUMMARY", &summary).env_remove("GITHUB_RUN_ID");
    for k in [
        "REVIEWS",
        "ALLOWED_SIGNERS",
        "REQUIRE_SIGNED",
        "POLICY",
        "AS_OF",
        "RELEASE",
        "STRICT",
        "ATTEST",
        "ATTEST_KEY",
        "OUTPUT_DIR",
    ] {
        c.env(format!("CO_{k}"), "");
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let r = run_cmd(c);
    let outputs = std::fs::read_to_string(&output).unwrap_or_default();
    let summary = std::fs::read_to_string(&summary).unwrap_or_default();
    (r, outputs, summary)
}

#[test]
fn the_action_runs_the_gate_with_annotations_reports_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (store, record) = accepted_risk_review(dir.path(), "release-risk-owner", "reviewer");
    let s = store.to_str().unwrap();
    let (r, outputs, summary) = run_gate(dir.path(), &[("CO_EVIDENCE", s), ("CO_AS_OF", SAMPLE_TIME)]);
    assert_eq!(r.code, 1, "blocked: {}", r.stderr);
    assert!(r.stdout.contains("::warning file="), "{}", r.stdout);
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    let sarif = outputs.lines().find_map(|l| l.strip_prefix("sarif=")).unwrap();
    assert_eq!(read_json(Path::new(sarif))["version"], "2.1.0");
    assert!(summary.contains("Closeout verdict: `blocked`"), "{summary}");

    // With the review (a glob), an attestation, into a chosen directory: ready with accepted risk.
    let reports = dir.path().join("reports");
    let attest = dir.path().join("verdict.json");
    let (r, outputs, _) = run_gate(
        dir.path(),
        &[
            ("CO_EVIDENCE", s),
            ("CO_AS_OF", SAMPLE_TIME),
            ("CO_REVIEWS", "review*.json"),
            ("CO_OUTPUT_DIR", reports.to_str().unwrap()),
            ("CO_ATTEST", attest.to_str().unwrap()),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(outputs.contains("exit-code=0"));
    assert!(reports.join("closeout.xml").is_file() && reports.join("closeout.json").is_file());
    assert_eq!(read_json(&attest)["predicate"]["result"], "WARNED");
    assert!(record.is_file());

    // A pattern that matches nothing is an error, not a silently unreviewed run.
    let (r, _, _) = run_gate(dir.path(), &[("CO_EVIDENCE", s), ("CO_REVIEWS", "nothing-*.json")]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("::error title=closeout::no review record matches nothing-*.json"), "{}", r.stdout);
    // Signed acceptance required without a signature: void, blocked.
    let allowed = dir.path().join("allowed_signers");
    std::fs::write(&allowed, "").unwrap();
    let (r, _, _) = run_gate(
        dir.path(),
        &[
            ("CO_EVIDENCE", s),
            ("CO_AS_OF", SAMPLE_TIME),
            ("CO_REVIEWS", "review.json"),
            ("CO_ALLOWED_SIGNERS", allowed.to_str().unwrap()),
            ("CO_REQUIRE_SIGNED", "true"),
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}
