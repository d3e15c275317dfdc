//! One fuzz input through the loaders and every report format, with the invariants a finding breaks: no
//! panic (the caller catches it), a refusal whose message holds no raw control or format character, and for
//! accepted evidence, reports in all three formats with no raw control byte (other than the newlines and tabs
//! of the layout) and no invisible format character. Shared by the cargo-fuzz target (`fuzz/`) and the
//! stable-Rust mutation loop (`tests/fuzz_loaders.rs`).

use std::path::Path;

use crate::evidence::{LoadOptions, load_bytes, load_path};
use crate::report::{self, OutputFormat, TextStyle};

/// Which loader an input goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Bytes given to the JSON loader as they are.
    Json,
    /// Bytes written to a `.sqlite` file in `dir` and loaded from it.
    Sqlite,
}

/// Run one input: whether it was accepted as evidence; `Err` describes a broken invariant (a finding).
pub fn one(bytes: &[u8], shape: Shape, dir: &Path) -> Result<bool, String> {
    let opts = LoadOptions::default();
    let loaded = match shape {
        Shape::Json => load_bytes("fuzz.json", bytes.to_vec(), &opts),
        Shape::Sqlite => {
            let p = dir.join("fuzz.sqlite");
            std::fs::write(&p, bytes).map_err(|e| format!("harness: {e}"))?;
            load_path(&p, &opts)
        }
    };
    let ev = match loaded {
        Ok(ev) => ev,
        Err(e) => return refused(&e),
    };
    let at = chrono::DateTime::parse_from_rfc3339("2026-09-15T00:00:00Z").expect("a valid time").to_utc();
    let report = match crate::health::evaluate(&ev, &[], at) {
        Ok(r) => r,
        Err(e) => return refused(&e),
    };
    for format in [OutputFormat::Text, OutputFormat::Json, OutputFormat::Markdown] {
        let out = report::render(format, &ev, &report, TextStyle::Plain);
        for line in out.lines() {
            if !crate::sanitize::is_clean(&line.replace('\t', " ")) {
                return Err(format!("{format:?} report: raw control or format character in {line:?}"));
            }
        }
    }
    Ok(true)
}

/// A refusal is a correct outcome as long as its message is inert.
fn refused(e: &crate::evidence::LoadError) -> Result<bool, String> {
    let shown = e.to_string();
    if crate::sanitize::is_clean(&shown) { Ok(false) } else { Err(format!("raw control in error: {shown:?}")) }
}
