//! The project's own synthetic scenarios (`sample-evidence/`), embedded in the binary.

use serde::Deserialize;

use crate::evidence::{Evidence, LoadError, LoadOptions, load_bytes};

const INDEX: &str = include_str!("../sample-evidence/index.json");

const FILES: &[(&str, &[u8])] = &[
    ("trial-walkthrough.json", include_bytes!("../sample-evidence/trial-walkthrough.json")),
    ("clean-store.json", include_bytes!("../sample-evidence/clean-store.json")),
    ("accepted-risk-store.json", include_bytes!("../sample-evidence/accepted-risk-store.json")),
    ("closeout-open.json", include_bytes!("../sample-evidence/closeout-open.json")),
    ("retention-denied.json", include_bytes!("../sample-evidence/retention-denied.json")),
    ("retention-expired.json", include_bytes!("../sample-evidence/retention-expired.json")),
    ("failed-delivery-no-retry-plan.json", include_bytes!("../sample-evidence/failed-delivery-no-retry-plan.json")),
    ("tampered-artifact-hash.json", include_bytes!("../sample-evidence/tampered-artifact-hash.json")),
    ("leaked-connector-secret.json", include_bytes!("../sample-evidence/leaked-connector-secret.json")),
];

/// One embedded scenario, as `sample-evidence/index.json` describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    pub name: String,
    pub file: String,
    pub title: String,
    pub description: String,
    pub format: String,
    pub as_of: String,
    pub expected_verdict: String,
    #[serde(default)]
    pub expected_failing: Vec<String>,
    #[serde(default)]
    pub expected_warning: Vec<String>,
}

#[derive(Deserialize)]
struct Index {
    default: String,
    scenarios: Vec<Sample>,
}

fn index() -> &'static Index {
    static PARSED: std::sync::LazyLock<Index> = std::sync::LazyLock::new(|| {
        serde_json::from_str(INDEX).expect("sample-evidence/index.json is valid (checked by tests)")
    });
    &PARSED
}

/// Every embedded scenario.
pub fn all() -> Vec<Sample> {
    index().scenarios.clone()
}

/// The scenario `closeout` opens with no PATH.
pub fn default_name() -> String {
    index().default.clone()
}

pub fn get(name: &str) -> Option<Sample> {
    index().scenarios.iter().find(|s| s.name == name).cloned()
}

/// The embedded bytes of a sample's file.
pub fn bytes(sample: &Sample) -> &'static [u8] {
    FILES.iter().find(|(f, _)| *f == sample.file).map(|(_, b)| *b).unwrap_or(&[])
}

/// Load an embedded scenario; it evaluates as of its own time ([`Evidence::default_as_of`]) unless the caller
/// gives one.
pub fn load(name: &str, opts: &LoadOptions) -> Result<Evidence, LoadError> {
    let sample = get(name).ok_or_else(|| {
        let names: Vec<String> = all().into_iter().map(|s| s.name).collect();
        LoadError::new(format!("sample {name:?}"), format!("no such embedded sample (available: {})", names.join(", ")))
    })?;
    let mut ev = load_bytes(&format!("embedded:{}", sample.file), bytes(&sample).to_vec(), opts)?;
    ev.source = crate::text::Text::new(format!("embedded sample: {}", sample.name));
    ev.default_as_of = crate::time::parse_instant(&sample.as_of);
    Ok(ev)
}

/// The samples as files on disk, for unit tests that need a path (live reloads, review records).
#[cfg(test)]
pub(crate) mod on_disk {
    use std::path::PathBuf;

    /// The time every sample is written for (`index.json`'s `as_of`).
    pub const AS_OF: &str = "2026-09-14T10:00:00Z";

    /// `sample-evidence/<file>`.
    pub fn path(file: &str) -> PathBuf {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-evidence").join(file);
        assert!(p.is_file(), "sample evidence {} missing", p.display());
        p
    }

    /// A sample file parsed as JSON.
    pub fn json(file: &str) -> serde_json::Value {
        let p = path(file);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn the_index_time_is_the_one_tests_use() {
        assert!(super::all().iter().all(|s| s.as_of == AS_OF));
    }
}
