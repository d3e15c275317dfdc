//! Large real-shaped stores for benchmarks: CAVRA's fixture items replicated with fresh ids.
//!
//! Each copy rewrites every CAVRA id (`gordack…-<16 hex>`) and release reference consistently, so
//! references still resolve within a copy, and recomputes artifact-bundle hashes so they still verify.

use std::path::{Path, PathBuf};

use crate::evidence::canonical::{self, canonical_sha256_hex};

/// Items in the benchmark store (about 156 MB).
pub const BENCH_ITEMS: usize = 42_000;

/// Cargo's target directory: `$CARGO_TARGET_DIR` when set, else `target/` in the checkout.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

/// Where the generated benchmark store of `items` items lives (`gen_store`, the load bench, the scripts).
pub fn bench_store_path(items: usize) -> PathBuf {
    target_dir().join(format!("bench-store-{items}.json"))
}

/// Where the generated "versions" store of `items` items lives ([`generate_versions_store`]).
pub fn versions_store_path(items: usize) -> PathBuf {
    target_dir().join(format!("bench-versions-{items}.json"))
}

/// Items of CAVRA's three fixture stores (ready, accepted risk, blocked), in order.
pub fn fixture_items(fixtures: &Path) -> std::io::Result<Vec<serde_json::Value>> {
    fixture_items_of(
        fixtures,
        &["ready-for-release.json", "accepted-risk-failed-delivery.json", "blocked-closeout-open.json"],
    )
}

fn fixture_items_of(fixtures: &Path, names: &[&str]) -> std::io::Result<Vec<serde_json::Value>> {
    let mut items = Vec::new();
    for name in names {
        let bytes = std::fs::read(fixtures.join(name))?;
        let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
        items.extend(doc["items"].as_array().cloned().unwrap_or_default());
    }
    Ok(items)
}

/// Rewrite every `gordack…-<hex>` id in `text` so its last five hex digits encode `copy`, and give each copy
/// a release of its own.
fn rewrite_ids(text: &str, copy: usize) -> String {
    rewrite_id_hex(text, copy)
        .replace("REL-2026.06-go-backend-rollback-drill", &format!("REL-2026.06-go-backend-rollback-drill-{copy:05}"))
}

/// Rewrite every `gordack…-<hex>` id in `text` so its last five hex digits encode `copy`.
fn rewrite_id_hex(text: &str, copy: usize) -> String {
    let suffix = format!("{:05x}", copy % 0x10_0000);
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find("gordack") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let letters = tail.bytes().take_while(u8::is_ascii_lowercase).count();
        let after = &tail[letters..];
        let hex = match after.strip_prefix('-') {
            Some(h) => h.bytes().take_while(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()).count(),
            None => 0,
        };
        if hex >= 12 {
            let id_len = letters + 1 + hex;
            out.push_str(&tail[..id_len - 5]);
            out.push_str(&suffix);
            rest = &tail[id_len..];
        } else {
            out.push_str(&tail[..letters]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Recompute `files[].sha256` (and the download manifest) of an artifact-bundle item after rewriting.
fn rehash(item: &mut serde_json::Value) {
    let Some(bundle) = item.get_mut("final_reporting_closeout_artifact_bundle") else { return };
    let mut hashes = Vec::new();
    if let Some(files) = bundle.get_mut("files").and_then(|f| f.as_array_mut()) {
        for f in files {
            if let Some(content) = f.get("content") {
                let h = canonical_sha256_hex(content);
                f["sha256"] = serde_json::Value::String(h.clone());
                hashes.push(h);
            }
        }
    }
    if let Some(manifest) = bundle.get_mut("download_manifest").and_then(|f| f.as_array_mut()) {
        for (entry, h) in manifest.iter_mut().zip(hashes) {
            entry["sha256"] = serde_json::Value::String(h);
        }
    }
}

/// A store `{"items": [...]}` of `count` items, serialized as CAVRA's Python writer would.
pub fn generate_store(fixtures: &Path, count: usize) -> std::io::Result<Vec<u8>> {
    let items = fixture_items(fixtures)?;
    let texts: Vec<String> = items.iter().map(|i| serde_json::to_string(i).expect("serializes")).collect();
    let mut out = Vec::with_capacity(count * 4000);
    out.extend_from_slice(b"{\"items\": [");
    for n in 0..count {
        let copy = n / texts.len();
        let text = rewrite_ids(&texts[n % texts.len()], copy);
        let mut item: serde_json::Value = serde_json::from_str(&text).map_err(std::io::Error::other)?;
        rehash(&mut item);
        if n > 0 {
            out.extend_from_slice(b", ");
        }
        // As CAVRA's store writer does: sorted keys, Python's separators, non-ASCII escaped.
        canonical::python_dumps_sorted(&item, &mut out);
    }
    out.extend_from_slice(b"]}\n");
    Ok(out)
}

/// A store where every kind has thousands of versions, as CAVRA's routes rebuild their inputs: the items of
/// CAVRA's accepted-risk store replicated `count` times over with fresh ids, all in ONE release, each copy's
/// `created_at` a second later than the one before (so the newest versions are the last copy's).
pub fn generate_versions_store(fixtures: &Path, count: usize) -> std::io::Result<Vec<u8>> {
    let items = fixture_items_of(fixtures, &["accepted-risk-failed-delivery.json"])?;
    let texts: Vec<String> = items.iter().map(|i| serde_json::to_string(i).expect("serializes")).collect();
    let mut out = Vec::with_capacity(count * 4000);
    out.extend_from_slice(b"{\"items\": [");
    for n in 0..count {
        let copy = n / texts.len();
        let text = rewrite_id_hex(&texts[n % texts.len()], copy);
        let mut item: serde_json::Value = serde_json::from_str(&text).map_err(std::io::Error::other)?;
        rehash(&mut item);
        if let Some(t) = item.get("created_at").and_then(|t| t.as_str()).and_then(crate::time::parse_instant) {
            let later = t + chrono::Duration::seconds(copy as i64);
            item["created_at"] = serde_json::Value::String(later.format("%Y-%m-%dT%H:%M:%S+00:00").to_string());
        }
        if n > 0 {
            out.extend_from_slice(b", ");
        }
        canonical::python_dumps_sorted(&item, &mut out);
    }
    out.extend_from_slice(b"]}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_rewritten_consistently() {
        let a =
            rewrite_ids("x gordackfinalbundle-2e231b586c36180b y rcd-gordackfinalcloseout-100b99d42b446aad-23af", 3);
        assert_eq!(a, "x gordackfinalbundle-2e231b586c300003 y rcd-gordackfinalcloseout-100b99d42b400003-23af");
        assert_eq!(rewrite_ids("gordack alone", 1), "gordack alone");
    }
}
