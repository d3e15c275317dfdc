//! `closeout check` as a CI gate, without external tools: `--output FORMAT=FILE` (one evaluation, atomic
//! files, exit 2 and no partial file when one cannot be written), the GitHub format's escaping and job
//! summary, and the policy file (`.closeout.toml` / `--policy`): overrides that change a verdict, its digest in
//! every format, and errors with file and line. The formats are read by their real consumers in
//! tests/ci_consumers.rs.

mod ci_support;
mod support;

use std::path::Path;

use ci_support::*;
use serde_json::Value;

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", r.stdout, r.stderr))
}

#[test]
fn every_output_comes_from_one_evaluation_and_matches_its_format_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample_path("accepted-risk-store.json");
    let s = store.to_str().unwrap();
    let out = |f: &str| dir.path().join(f);
    let spec = |fmt: &str, f: &str| format!("{fmt}={}", out(f).display());
    let mut c = closeout();
    c.env("CLOSEOUT_TRACE", "1").args(["check", s, "--as-of", SAMPLE_TIME, "--format", "json"]);
    for (fmt, f) in
        [("sarif", "r.sarif"), ("junit", "r.xml"), ("markdown", "r.md"), ("github", "r.txt"), ("text", "r.text")]
    {
        c.args(["--output", &spec(fmt, f)]);
    }
    let r = run_cmd(c);
    assert_eq!(r.code, 1, "blocked: {}", r.stderr);
    assert_eq!(r.stderr.matches("closeout: evaluated:").count(), 1, "one evaluation for every output: {}", r.stderr);
    assert_eq!(json(&r)["verdict"], "blocked");
    for (fmt, f) in
        [("sarif", "r.sarif"), ("junit", "r.xml"), ("markdown", "r.md"), ("github", "r.txt"), ("text", "r.text")]
    {
        let alone = run(&["check", s, "--as-of", SAMPLE_TIME, "--format", fmt]);
        assert_eq!(read_text(&out(f)), alone.stdout, "{fmt}: the file is what --format {fmt} prints");
    }
    let sarif: Value = read_json(&out("r.sarif"));
    assert_eq!(sarif["version"], "2.1.0");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 5, "no temporary file is left: {names:?}");
}

#[test]
fn an_output_that_cannot_be_written_is_exit_2_and_no_file_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.sarif");
    let bad = dir.path().join("no-such-dir").join("r.xml");
    let r = run(&[
        "check",
        "--sample",
        "clean-store",
        "--output",
        &format!("sarif={}", ok.display()),
        "--output",
        &format!("junit={}", bad.display()),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    assert!(r.stderr.starts_with("closeout: error: ") && r.stderr.contains("r.xml"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing printed when an output failed: {}", r.stdout);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "neither output nor temporary file written");

    // Never over the evidence, a review record, or the policy; never one file for two outputs.
    let store = dir.path().join("store.json");
    std::fs::copy(sample_path("clean-store.json"), &store).unwrap();
    let before = std::fs::read(&store).unwrap();
    let r = run(&["check", store.to_str().unwrap(), "--output", &format!("sarif={}", store.display())]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("refusing to write the sarif report over an input"), "{}", r.stderr);
    assert_eq!(std::fs::read(&store).unwrap(), before);
    let twice = dir.path().join("twice");
    let r = run(&[
        "check",
        "--sample",
        "clean-store",
        "--output",
        &format!("json={}", twice.display()),
        "--attest",
        twice.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("named for both the json report and the attestation"), "{}", r.stderr);
    let r = run(&["check", "--sample", "clean-store", "--output", "yaml=x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown format \"yaml\""), "{}", r.stderr);
}

#[test]
fn a_full_disk_is_exit_2_with_one_line() {
    if !Path::new("/dev/full").exists() {
        panic!("/dev/full is needed to test a full disk (Linux)");
    }
    // The outputs are written before stdout; a full stdout after them is still exit 2.
    let dir = tempfile::tempdir().unwrap();
    let mut c = closeout();
    c.args(["check", "--sample", "clean-store", "--output", &format!("json={}", dir.path().join("r.json").display())]);
    c.stdout(std::fs::File::create("/dev/full").unwrap());
    let r = run_cmd(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

/// A copy of a sample whose delivery error message holds `%`, and whose file name holds `%` and `,`.
fn awkward_copy(dir: &Path) -> std::path::PathBuf {
    let text = read_text(&sample_path("failed-delivery-no-retry-plan.json"));
    assert!(text.contains("HTTP request failed"));
    let p = dir.join("evidence 100%,final.json");
    std::fs::write(&p, text.replace("HTTP request failed", "HTTP request failed at 100% \\r\\n::error::forged"))
        .unwrap();
    p
}

#[test]
fn github_annotations_carry_file_line_and_title_escaped_as_github_requires() {
    let dir = tempfile::tempdir().unwrap();
    let p = awkward_copy(dir.path());
    let r = run(&["check", p.to_str().unwrap(), "--as-of", SAMPLE_TIME, "--format", "github"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stdout.contains('\r'), "no raw CR");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines.iter().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
    );
    let delivery =
        lines.iter().find(|l| l.contains("title=closeout closeout_delivery")).expect("a closeout_delivery annotation");
    assert!(delivery.starts_with("::error file="), "{delivery}");
    let file = p.display().to_string().replace('%', "%25").replace(',', "%2C").replace(':', "%3A");
    assert!(delivery.contains(&format!("file={file},line=")), "file property escaped ({file}): {delivery}");
    assert!(delivery.contains("title=closeout closeout_delivery%3A Closeout delivery fails::"), "{delivery}");
    // In the message: % as %25, the evidence's CR/LF made visible by closeout and never raw, and a forged
    // command stays inside the message.
    let message = delivery.split_once("::").unwrap().1.split_once("::").unwrap().1;
    assert!(message.contains("100%25"), "{message}");
    assert!(!message.contains("100% "), "{message}");
    assert!(message.contains("%0Anext: "), "LF as %0A: {message}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("::error::")).count(), 0, "the forged command is not a line");
    // The line and column point at the cited field in the file.
    let props = delivery.split_once(' ').unwrap().1.split_once("::").unwrap().0;
    let get = |k: &str| props.split(',').find_map(|kv| kv.strip_prefix(&format!("{k}="))).unwrap().to_string();
    let (line, col): (usize, usize) = (get("line").parse().unwrap(), get("col").parse().unwrap());
    let text = read_text(&p);
    let at = text.lines().nth(line - 1).unwrap();
    let rest: String = at.chars().skip(col - 1).collect();
    assert!(
        rest.starts_with('{') || rest.starts_with('"') || rest.starts_with('['),
        "a value starts at {line}:{col}: {at}"
    );
    let verdict = lines.last().unwrap();
    assert!(verdict.starts_with("::error title=closeout verdict%3A blocked::blocked: "), "{verdict}");
}

#[test]
fn the_job_summary_gets_the_markdown_report_within_githubs_limit() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# earlier step output\n").unwrap();
    let mut c = closeout();
    c.env("GITHUB_STEP_SUMMARY", &summary).args(["check", "--sample", "accepted-risk-store", "--format", "github"]);
    let r = run_cmd(c);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let text = read_text(&summary);
    let markdown = run(&["check", "--sample", "accepted-risk-store", "--format", "markdown"]).stdout;
    assert_eq!(text, format!("# earlier step output\n\n{markdown}"), "appended after what was there");

    // Nearly full: what is appended is cut at a line so the file stays within 1 MiB, and says so.
    let limit = 1usize << 20;
    std::fs::write(&summary, "x".repeat(limit - 3000) + "\n").unwrap();
    let r = run_cmd({
        let mut c = closeout();
        c.env("GITHUB_STEP_SUMMARY", &summary).args(["check", "--sample", "accepted-risk-store", "--format", "github"]);
        c
    });
    assert_eq!(r.code, 1, "{}", r.stderr);
    let len = std::fs::metadata(&summary).unwrap().len() as usize;
    assert!(len <= limit && len > limit - 3000, "{len}");
    assert!(read_text(&summary).contains("cut to fit GitHub's 1 MiB job summary limit"));

    // Not set, or another format: no summary is written.
    let other = dir.path().join("other.md");
    let mut c = closeout();
    c.env("GITHUB_STEP_SUMMARY", &other).args(["check", "--sample", "clean-store", "--format", "json"]);
    assert_eq!(run_cmd(c).code, 0);
    assert!(!other.exists());
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn policy_overrides_change_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    // The trial walkthrough's warnings are accepted by its own accepted_risk: ready_with_accepted_risk.
    let r = run_in(dir.path(), &["check", "--sample", "trial-walkthrough", "--format", "json"]);
    assert_eq!((r.code, json(&r)["verdict"].as_str().unwrap().to_string()), (0, "ready_with_accepted_risk".into()));
    // .closeout.toml in the working directory: a retry_workflow warning is a failure.
    write(dir.path(), ".closeout.toml", "[criteria.retry_workflow]\nseverity = \"fail\"\n");
    let r = run_in(dir.path(), &["check", "--sample", "trial-walkthrough", "--format", "json"]);
    let v = json(&r);
    assert_eq!((r.code, v["verdict"].as_str().unwrap()), (1, "blocked"), "{}", v["verdict_reason"]);
    let retry = v["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "retry_workflow").unwrap();
    assert_eq!(retry["status"], "fail");
    assert!(retry["details"].to_string().contains("counts a warn result of retry_workflow as fail"), "{retry}");
    assert_eq!(v["policy"]["path"], ".closeout.toml");
    assert_eq!(v["policy"]["sha256"], sha256_file(&dir.path().join(".closeout.toml")));

    // --policy: the two failing criteria of a blocked sample made optional: ready.
    let lenient = write(
        dir.path(),
        "lenient.toml",
        "[criteria.closeout_delivery]\nrequired = false\n[criteria.retry_workflow]\nrequired = false\n\
         [criteria.retention_health]\nrequired = false\n",
    );
    let r = run_in(dir.path(), &["check", "--sample", "failed-delivery-no-retry-plan", "--format", "json"]);
    assert_eq!(r.code, 1);
    let r = run_in(
        dir.path(),
        &[
            "check",
            "--sample",
            "failed-delivery-no-retry-plan",
            "--format",
            "json",
            "--policy",
            lenient.to_str().unwrap(),
        ],
    );
    let v = json(&r);
    assert_eq!((r.code, v["verdict"].as_str().unwrap()), (0, "ready_for_release"), "{}", v["verdict_reason"]);
    assert!(v["verdict_reason"].as_str().unwrap().contains("optional under the policy"), "{}", v["verdict_reason"]);

    // A failure made a warning can be accepted: still blocked without an acceptance, but a warning now.
    let warn = write(dir.path(), "warn.toml", "[criteria.closeout_delivery]\nseverity = \"warn\"\n");
    let r = run_in(
        dir.path(),
        &["check", "--sample", "failed-delivery-no-retry-plan", "--format", "json", "--policy", warn.to_str().unwrap()],
    );
    let v = json(&r);
    let delivery = v["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "closeout_delivery").unwrap();
    assert_eq!((r.code, delivery["status"].as_str().unwrap()), (1, "warn"));

    // The expiry-warning window: the clean store's retention runs a year past its evaluation time, so a
    // 400-day window makes it expiring.
    let wide = write(dir.path(), "wide.toml", "expiry_warning_days = 400\n");
    let r = run_in(dir.path(), &["check", "--sample", "clean-store", "--format", "json"]);
    assert_eq!(r.code, 0);
    let r = run_in(
        dir.path(),
        &["check", "--sample", "clean-store", "--format", "json", "--policy", wide.to_str().unwrap()],
    );
    let v = json(&r);
    let health = v["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "retention_health").unwrap();
    assert_eq!(health["status"], "warn", "{health}");
    assert_eq!(v["policy"]["expiry_warning_days"], 400);
}

#[test]
fn the_policy_digest_is_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "gate.toml", "expiry_warning_days = 30\n");
    let digest = sha256_file(&p);
    for fmt in ["text", "json", "markdown", "sarif", "junit", "github"] {
        let r = run(&["check", "--sample", "clean-store", "--format", fmt, "--policy", p.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{fmt}: {}", r.stderr);
        assert!(r.stdout.contains(&digest), "{fmt} names the policy's SHA-256:\n{}", r.stdout);
        let none = run_in(dir.path(), &["check", "--sample", "clean-store", "--format", fmt]);
        assert!(!none.stdout.contains(&digest));
        if fmt != "json" && fmt != "sarif" {
            assert!(
                ci_support::as_read(fmt, &none.stdout).contains("defaults (no policy file)"),
                "{fmt} says no policy file was used"
            );
        }
    }
}

#[test]
fn an_invalid_policy_is_exit_2_naming_file_line_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    for (text, line, says) in [
        ("expiry_warning_days = 30\n[criteria.no_such]\nrequired = false\n", 2, "no_such"),
        ("expiry_warning_days = \"thirty\"\n", 1, "invalid type: string"),
        ("\n[criteria.retry_workflow]\nseverity = \"block\"\n", 3, "block"),
        ("expiry_warning_days = 99999\n", 1, "between 0 and 3650"),
        ("[acceptance]\nrequire_signed = yes\n", 2, ""),
        ("[acceptanse]\n", 1, "acceptanse"),
    ] {
        write(dir.path(), ".closeout.toml", text);
        let r = run_in(dir.path(), &["check", "--sample", "clean-store"]);
        assert_eq!(r.code, 2, "{text:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.starts_with(&format!("closeout: error: .closeout.toml: line {line}, column ")),
            "{text:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(says), "{text:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let r = run_in(dir.path(), &["check", "--sample", "clean-store", "--policy", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn signed_acceptance_required_without_allowed_signers_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["check", "--sample", "trial-walkthrough", "--require-signed-acceptance"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no allowed_signers file"), "{}", r.stderr);
    write(dir.path(), ".closeout.toml", "[acceptance]\nrequire_signed = true\n");
    let r = run_in(dir.path(), &["check", "--sample", "trial-walkthrough"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--allowed-signers FILE"), "{}", r.stderr);
}

#[test]
fn unsigned_acceptance_counts_but_every_format_says_it_is_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let (store, record) = accepted_risk_review(dir.path(), "release-risk-owner", "reviewer");
    let (s, rec) = (store.to_str().unwrap(), record.to_str().unwrap());
    for fmt in ["text", "json", "markdown", "sarif", "junit", "github"] {
        let r = run(&["check", s, "--as-of", SAMPLE_TIME, "--review", rec, "--format", fmt]);
        assert_eq!(r.code, 0, "{fmt}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("unsigned"), "{fmt} says the acceptance is unsigned:\n{}", r.stdout);
    }
    let r = run(&["check", s, "--as-of", SAMPLE_TIME, "--review", rec, "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["verdict"], "ready_with_accepted_risk");
    assert_eq!(v["acceptances"][0]["signature"]["state"], "unsigned");
}
