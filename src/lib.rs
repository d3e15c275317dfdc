//! closeout: explore CAVRA final closeout evidence, evaluate the release criteria, explain the verdict.
//!
//! The domain ([`evidence`], [`health`]) knows nothing of terminals; [`report`] renders a [`health::Report`]
//! for `closeout check`, and the TUI reads the same report.

#[doc(hidden)]
pub mod bench_support;
pub mod ci;
pub mod cli;
#[doc(hidden)]
pub mod conformance;
pub mod demo;
pub mod evidence;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod health;
pub mod live;
pub mod model;
pub mod output;
pub mod report;
pub mod review;
pub mod samples;
pub mod sanitize;
pub mod sign;
pub mod site;
pub mod text;
pub mod time;
pub mod tui;
pub mod walkthrough;

/// Print a phase timing to stderr when `CLOSEOUT_TRACE` is set (for performance work; off by default).
pub fn trace(phase: &str, since: std::time::Instant) {
    if std::env::var_os("CLOSEOUT_TRACE").is_some() {
        output::note(&format!(
            "closeout: {phase}: {:?} (at {:?}{})",
            since.elapsed(),
            TRACE_START.elapsed(),
            peak_memory().map(|kib| format!(", peak {kib} KiB")).unwrap_or_default()
        ));
    }
}

/// The process's peak resident memory so far (Linux `VmHWM`), for traces.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// When tracing started: [`trace`] also prints each phase's end relative to it.
pub static TRACE_START: std::sync::LazyLock<std::time::Instant> = std::sync::LazyLock::new(std::time::Instant::now);
