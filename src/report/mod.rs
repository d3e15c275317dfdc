//! Renderings of a [`Report`]: text for people at 80 columns, JSON as a versioned contract
//! (`closeout.report.v1`), markdown for pull requests and tickets.

mod json;
mod markdown;
mod text;

pub use json::{REPORT_SCHEMA, to_json};
pub use markdown::to_markdown;
pub use text::{TextStyle, to_text};

use crate::evidence::Evidence;
use crate::health::{Report, Verdict};

/// The three output formats of `closeout check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Markdown,
}

/// Render a report in a format.
pub fn render(format: OutputFormat, ev: &Evidence, report: &Report, style: TextStyle) -> String {
    match format {
        OutputFormat::Text => to_text(ev, report, style),
        OutputFormat::Json => to_json(ev, report),
        OutputFormat::Markdown => to_markdown(ev, report),
    }
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
