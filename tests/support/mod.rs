//! Test data from the repository itself: the `sample-evidence/` files on disk, their evaluation time, and
//! SQLite stores written from them in CAVRA's format. Every failure names its file.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The time every sample in `sample-evidence/` is written for (`index.json`'s `as_of`).
pub const SAMPLE_TIME: &str = "2026-09-14T10:00:00Z";

/// A file of `sample-evidence/`, on disk.
pub fn sample_path(file: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence").join(file);
    assert!(p.is_file(), "sample evidence {} missing", p.display());
    p
}

/// Read a file, or fail naming it.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Read a text file, or fail naming it.
pub fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parse a JSON file, or fail naming it.
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Write the items of a JSON evidence-metadata store (`{"items": [...]}`) as an SQLite store the way CAVRA's
/// SQLite backend holds them: table `evidence_metadata`, one row per item keyed by `session_id`, the item's
/// JSON in `payload`. Returns how many rows were written.
pub fn write_sqlite_store(json_store: &Path, sqlite: &Path) -> usize {
    let store = read_json(json_store);
    let items = store["items"].as_array().unwrap_or_else(|| panic!("{}: no items[]", json_store.display()));
    let conn = rusqlite::Connection::open(sqlite).unwrap_or_else(|e| panic!("{}: {e}", sqlite.display()));
    conn.execute_batch(
        "CREATE TABLE evidence_metadata (session_id TEXT PRIMARY KEY, created_at TEXT, signer TEXT, \
         decision_count INTEGER, blocked_count INTEGER, approval_required_count INTEGER, payload TEXT)",
    )
    .unwrap();
    let mut insert =
        conn.prepare("INSERT OR REPLACE INTO evidence_metadata VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)").unwrap();
    for item in items {
        let text = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let count = |k: &str| item.get(k).and_then(|v| v.as_i64()).unwrap_or(0);
        let payload = serde_json::to_string(item).unwrap();
        insert
            .execute(rusqlite::params![
                text("session_id"),
                text("created_at"),
                text("signer"),
                count("decision_count"),
                count("blocked_count"),
                count("approval_required_count"),
                payload
            ])
            .unwrap();
    }
    let rows: i64 = conn.query_row("SELECT count(*) FROM evidence_metadata", [], |r| r.get(0)).unwrap();
    rows as usize
}

pub mod pty;
