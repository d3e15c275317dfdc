//! Renderings of a [`Report`]: text for people at 80 columns, JSON as a versioned contract
//! (`closeout.report.v1`), markdown for pull requests and tickets, and the formats CI systems read: SARIF
//! 2.1.0, JUnit XML and GitHub Actions workflow commands.

mod github;
mod json;
mod junit;
pub mod locate;
mod markdown;
mod sarif;
mod text;

pub use github::{escape_data, escape_property, to_github};
pub use json::{REPORT_SCHEMA, to_json};
pub use junit::to_junit;
pub use markdown::to_markdown;
pub use sarif::{HELP_URI, to_sarif};
pub use text::{TextStyle, to_text};

use crate::evidence::Evidence;
use crate::health::{Acceptance, Finding, Report, Signature, Standing, Status, Verdict};

/// The output formats of `closeout check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML: one test case per criterion.
    Junit,
    /// GitHub Actions workflow commands (`::error` / `::warning` annotations).
    Github,
}

impl OutputFormat {
    /// The name `--format` and `--output` take.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Junit => "junit",
            OutputFormat::Github => "github",
        }
    }

    pub const ALL: [OutputFormat; 6] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Markdown,
        OutputFormat::Sarif,
        OutputFormat::Junit,
        OutputFormat::Github,
    ];

    /// Parse a format name (as `--output FORMAT=FILE` names it).
    pub fn parse(s: &str) -> Option<OutputFormat> {
        OutputFormat::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// Render a report in a format.
pub fn render(format: OutputFormat, ev: &Evidence, report: &Report, style: TextStyle) -> String {
    match format {
        OutputFormat::Text => to_text(ev, report, style),
        OutputFormat::Json => to_json(ev, report),
        OutputFormat::Markdown => to_markdown(ev, report),
        OutputFormat::Sarif => to_sarif(ev, report),
        OutputFormat::Junit => to_junit(ev, report),
        OutputFormat::Github => to_github(ev, report),
    }
}

/// The report in `format` written to `out`; the JSON report is streamed as it is serialized.
pub fn render_to(
    format: OutputFormat,
    ev: &Evidence,
    report: &Report,
    style: TextStyle,
    out: &mut (impl std::io::Write + ?Sized),
) -> std::io::Result<()> {
    match format {
        OutputFormat::Json => json::write_json(ev, report, out),
        _ => {
            out.write_all(render(format, ev, report, style).as_bytes())?;
            out.flush()
        }
    }
}

/// How a criterion counts in the CI formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome<'a> {
    Pass,
    /// A failure (blocks the release).
    Fail,
    /// A warning no valid acceptance covers.
    Warning,
    /// A warning a valid owner acceptance covers.
    Accepted(&'a Acceptance),
    /// Not passing, but the policy makes the criterion optional.
    Optional,
}

/// How a finding counts: pass, fail, unaccepted or accepted warning, or optional under the policy. A
/// warning is accepted when an acceptance that stands valid covers it (the one the verdict relied on first).
pub(crate) fn outcome<'a>(r: &'a Report, f: &Finding) -> Outcome<'a> {
    match f.status {
        Status::Pass => Outcome::Pass,
        _ if !r.policy.is_required(f.id) => Outcome::Optional,
        Status::Fail => Outcome::Fail,
        Status::Warn => {
            let used = r.acceptance_used.as_ref().filter(|a| a.covers(f.id));
            let valid = || {
                r.acceptances.iter().find(|(a, s)| matches!(s, Standing::Valid { .. }) && a.covers(f.id)).map(|x| &x.0)
            };
            match used.or_else(valid) {
                Some(a) => Outcome::Accepted(a),
                None => Outcome::Warning,
            }
        }
    }
}

/// The lines every format prints for an acceptance's signature: who signed with which key under which
/// principal, and what was not verified; or that it is unsigned, or why the signature does not count.
pub fn signature_lines(a: &Acceptance) -> Vec<String> {
    let Some(sig) = &a.signature else { return Vec::new() };
    let mut lines = vec![sig.describe()];
    if let Signature::Verified { not_verified, .. } = sig {
        lines.push("not verified:".to_string());
        lines.extend(not_verified.iter().map(|n| format!("- {n}")));
    }
    lines
}

/// `closeout check`'s exit code: 0 ready, 1 blocked (and accepted risk under `--strict`).
pub fn exit_code(verdict: Verdict, strict: bool) -> i32 {
    match verdict {
        Verdict::ReadyForRelease => 0,
        Verdict::ReadyWithAcceptedRisk if strict => 1,
        Verdict::ReadyWithAcceptedRisk => 0,
        Verdict::Blocked => 1,
    }
}

/// The tool's name and version, as reports print it.
pub fn tool_version() -> String {
    format!("closeout {}", env!("CARGO_PKG_VERSION"))
}
