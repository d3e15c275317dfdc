//! `closeout check`, the CI gate: one evaluation, every output.
//!
//! The policy ([`policy`]), the review records with their signatures ([`signed`]) and the evidence are
//! read first; then one evaluation; then every report (`--format` on stdout, each `--output FORMAT=FILE`,
//! the `--attest` attestation) is rendered from that one report and written ([`outputs`]): files atomically
//! as one batch, the job summary appended to `$GITHUB_STEP_SUMMARY` for the GitHub format, stdout last.
//! Any problem is one line on stderr and exit 2; otherwise the verdict's exit code.

pub mod attest;
pub mod outputs;
pub mod policy;
pub mod signed;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::CheckArgs;
use crate::evidence::LoadError;
use crate::evidence::canonical::sha256_hex;
use crate::health;
use crate::output::{self, EXIT_ERROR, note};
use crate::report::{self, OutputFormat, TextStyle};
use crate::sanitize::clean;
use crate::sign::AllowedSigners;

fn fail(e: &LoadError) -> u8 {
    note(&format!("closeout: error: {e}"));
    EXIT_ERROR
}

/// An allowed_signers file read once: parsed, and its digest for the attestation.
fn read_allowed(path: &Path) -> Result<(AllowedSigners, String), LoadError> {
    let shown = clean(&path.display().to_string()).into_owned();
    let bytes = crate::sign::read_bounded(path, crate::sign::MAX_FILE_BYTES).map_err(|p| LoadError::new(&shown, p))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let (line, _) = crate::evidence::error::line_col(&bytes, e.valid_up_to());
        LoadError::new(&shown, format!("line {line}: not UTF-8 text"))
    })?;
    Ok((AllowedSigners::parse(text, &shown)?, sha256_hex(&bytes)))
}

/// The run's URL in GitHub Actions (for the attestation), when its variables are set.
fn run_url() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    Some(format!("{}/{}/actions/runs/{}", var("GITHUB_SERVER_URL")?, var("GITHUB_REPOSITORY")?, var("GITHUB_RUN_ID")?))
        .map(|u| clean(&u).into_owned())
}

/// `closeout check`: the exit code.
pub fn check(args: &CheckArgs) -> u8 {
    let t = std::time::Instant::now();
    // The policy first: a broken gate configuration is reported before any evidence is read.
    let found = match policy::find(args.policy.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let (mut pol, policy_signers) = match found {
        Some(f) => (f.policy, f.allowed_signers),
        None => (health::Policy::default(), None),
    };
    pol.require_signed_acceptance |= args.require_signed_acceptance;
    let signers_path = args.allowed_signers.clone().or(policy_signers);
    if pol.require_signed_acceptance && signers_path.is_none() {
        note(
            "closeout: error: signed acceptance is required, but no allowed_signers file says who may sign: \
             give --allowed-signers FILE (or allowed_signers under [acceptance] in the policy)",
        );
        return EXIT_ERROR;
    }
    let allowed = match signers_path.as_deref().map(read_allowed).transpose() {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let attest_key = match args.attest_key.as_deref().map(|k| crate::sign::key_source(Some(k), false)).transpose() {
        Ok(k) => k,
        Err(e) => return fail(&e),
    };
    let ev = match args.source.load(true) {
        Ok(ev) => ev,
        Err(e) => return fail(&e),
    };
    let when = match args.source.as_of(&ev) {
        Ok(w) => w,
        Err(e) => return fail(&e),
    };
    let reviews = match signed::review_inputs(
        &args.source.reviews,
        &ev,
        allowed.as_ref().map(|a| &a.0),
        pol.require_signed_acceptance,
        when.at,
    ) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    crate::trace("inputs read", t);
    let t = std::time::Instant::now();
    let acceptances: Vec<health::Acceptance> = reviews.iter().filter_map(|r| r.acceptance.clone()).collect();
    let report = match health::evaluate_with(&ev, &acceptances, when, &pol) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    crate::trace("evaluated", t);

    let t = std::time::Instant::now();
    let mut files: Vec<outputs::Pending> = Vec::new();
    for o in &args.outputs {
        let text = report::render(o.format, &ev, &report, TextStyle::Plain);
        files.push(outputs::Pending {
            what: format!("the {} report", o.format.name()),
            path: o.path.clone(),
            bytes: text.into_bytes(),
        });
    }
    if let Some(out) = &args.attest {
        let mut config = Vec::new();
        if let Some(s) = &report.policy.source {
            config.push(attest::ConfigFile { name: s.path.clone(), sha256: s.sha256.clone(), kind: "closeout.policy" });
        }
        if let (Some(p), Some((_, digest))) = (&signers_path, &allowed) {
            config.push(attest::ConfigFile {
                name: p.display().to_string(),
                sha256: digest.clone(),
                kind: "openssh.allowed_signers",
            });
        }
        let statement = match attest::statement(&ev, &report, &reviews, &config, run_url().as_deref()) {
            Ok(s) => s,
            Err(e) => return fail(&e),
        };
        let mut bytes = serde_json::to_vec(&statement).expect("statement serializes");
        if let Some(key) = &attest_key {
            let env = match attest::envelope(&bytes, key) {
                Ok(e) => e,
                Err(e) => return fail(&e),
            };
            bytes = serde_json::to_vec(&env).expect("envelope serializes");
        }
        bytes.push(b'\n');
        files.push(outputs::Pending { what: "the attestation".into(), path: out.clone(), bytes });
    }
    let mut protected: Vec<PathBuf> = ev.inputs.iter().map(|i| PathBuf::from(&i.path)).collect();
    for r in &reviews {
        protected.push(r.path.clone());
        protected.push(crate::sign::signature_path(&r.path));
    }
    protected.extend(signers_path.iter().cloned());
    protected.extend(args.policy.iter().cloned());
    if report.policy.source.is_some() && args.policy.is_none() {
        protected.push(PathBuf::from(policy::DEFAULT_FILE));
    }
    if let Err(e) = outputs::check_targets(&files, &protected).and_then(|()| outputs::write_batch(&files)) {
        note(&format!("closeout: error: {e}"));
        return EXIT_ERROR;
    }
    let github = args.format == OutputFormat::Github || args.outputs.iter().any(|o| o.format == OutputFormat::Github);
    if github && let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) {
        match outputs::append_step_summary(Path::new(&summary), &report::to_markdown(&ev, &report)) {
            Ok(true) => {}
            Ok(false) => note("closeout: warning: the job summary ($GITHUB_STEP_SUMMARY) is full; nothing appended"),
            Err(e) => {
                note(&format!("closeout: error: {e}"));
                return EXIT_ERROR;
            }
        }
    }
    let color = args.format == OutputFormat::Text
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let style = if color { TextStyle::Color } else { TextStyle::Plain };
    let printed = output::print_with("the report", |out| report::render_to(args.format, &ev, &report, style, out));
    crate::trace("reported", t);
    let code = match printed {
        Ok(()) => report::exit_code(report.verdict, args.strict) as u8,
        Err(code) => code,
    };
    // The process ends here: returning the evidence's memory piece by piece (tens of thousands of nodes) would
    // only delay the exit code (~15 ms on a 156 MB store).
    std::mem::forget((ev, report));
    code
}
