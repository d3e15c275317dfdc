//! Bounded work (issue 11 §4): a FIFO, a socket or a device is never opened, wherever it is named (the path,
//! a file in an evidence directory, a file an artifact bundle names); an SQLite store is read without writing
//! beside it and with what SQLite may compute capped, so a hostile 8 KB store is refused at once. Every run
//! here has a generous timeout, so a regression fails instead of hanging the suite.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use support::{SAMPLE_TIME, read_json, sample_path, write_sqlite_store};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(args: &[&str]) -> Run {
    let out = Command::cargo_bin("closeout")
        .unwrap()
        .env("RUST_BACKTRACE", "0")
        .arg("check")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A FIFO with no writer: opening it for reading would block forever.
#[cfg(unix)]
#[test]
fn a_fifo_as_the_evidence_path_is_refused_without_opening_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("evidence.json");
    mkfifo(&fifo);
    for format in ["text", "json", "markdown"] {
        let r = check(&[fifo.to_str().unwrap(), "--format", format]);
        assert_eq!(r.code, 2, "{format}: {}", r.stderr);
        assert!(r.stderr.contains("not a regular file (a FIFO)"), "{format}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{format}: {}", r.stdout);
    }
    for dev in ["/dev/zero", "/dev/null"] {
        let r = check(&[dev]);
        assert_eq!(r.code, 2, "{dev}: {}", r.stderr);
        assert!(r.stderr.contains("not a regular file (a character device)"), "{dev}: {}", r.stderr);
    }
}

/// A FIFO inside an evidence directory (even one named like a store) is listed as skipped, never opened.
#[cfg(unix)]
#[test]
fn a_fifo_in_an_evidence_directory_is_skipped_without_opening_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(sample_path("clean-store.json"), dir.path().join("evidence-metadata.json")).unwrap();
    mkfifo(&dir.path().join("more-evidence.json"));
    std::os::unix::fs::symlink(dir.path().join("more-evidence.json"), dir.path().join("link-to-fifo.json")).unwrap();
    let r = check(&[dir.path().to_str().unwrap(), "--format", "json", "--as-of", SAMPLE_TIME]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["verdict"], "ready_for_release");
    let skipped = report["artifacts"]["skipped_files"].to_string();
    assert!(skipped.contains("more-evidence.json") && skipped.contains("a FIFO"), "{skipped}");
    assert!(skipped.contains("link-to-fifo.json") && skipped.contains("links to a FIFO"), "{skipped}");
}

/// A FIFO that an artifact bundle names as one of its files: its hash cannot be checked, and the file is
/// never opened (the run would hang).
#[cfg(unix)]
#[test]
fn a_fifo_named_by_an_artifact_bundle_is_not_opened_to_hash() {
    let dir = tempfile::tempdir().unwrap();
    let store = read_json(&sample_path("clean-store.json"));
    let item = store["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i.get("final_reporting_closeout_artifact_bundle").is_some())
        .unwrap();
    let mut bundle = item["final_reporting_closeout_artifact_bundle"].clone();
    let mut files = Vec::new();
    for (i, f) in bundle["files"].as_array().unwrap().iter().enumerate() {
        let name = f["path"].as_str().unwrap().to_string();
        let sha = if i == 0 {
            mkfifo(&dir.path().join(&name));
            "00".repeat(32)
        } else {
            let body = format!("file body {i}\n");
            std::fs::write(dir.path().join(&name), &body).unwrap();
            closeout::evidence::canonical::sha256_hex(body.as_bytes())
        };
        files.push(serde_json::json!({"path": name, "media_type": "application/json", "sha256": sha}));
    }
    bundle["files"] = Value::from(files);
    std::fs::write(dir.path().join("artifact-bundle.json"), serde_json::to_vec(&bundle).unwrap()).unwrap();
    let r = check(&[dir.path().to_str().unwrap(), "--format", "json", "--as-of", SAMPLE_TIME]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", r.stdout, r.stderr));
    assert_eq!(report["hashes"]["verified"], 2, "{}", report["hashes"]);
    let art = report["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "artifact_bundle").unwrap();
    assert!(art["details"].to_string().contains("a FIFO"), "{art}");
    assert_ne!(report["verdict"], "ready_for_release", "an unverifiable hash does not pass");
}

fn sqlite_store(dir: &Path) -> PathBuf {
    let db = dir.join("evidence.sqlite");
    assert!(write_sqlite_store(&sample_path("clean-store.json"), &db) > 20);
    db
}

/// A WAL-mode store is read as it is: no `-shm` or `-wal` appears beside it, and it still reads.
#[test]
fn a_wal_store_leaves_its_directory_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_store(dir.path());
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }
    let before = listing(dir.path());
    assert_eq!(before, ["evidence.sqlite"], "closing the writer removed its -wal and -shm");
    let bytes = std::fs::read(&db).unwrap();
    assert_eq!(bytes[18..20], [2, 2], "the header says WAL");
    let r = check(&[db.to_str().unwrap(), "--format", "json", "--as-of", SAMPLE_TIME]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["verdict"], "ready_for_release");
    assert_eq!(listing(dir.path()), before, "nothing was written beside the store");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "the store itself is unchanged");
}

/// The hostile store of issue 11: 8 KB whose `payload` is a generated column SQLite would compute, a hundred
/// megabytes a row, on every read. Refused from the schema, before any row is computed.
#[test]
fn a_store_with_generated_columns_is_refused_before_computing_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hostile.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE evidence_metadata (session_id TEXT PRIMARY KEY, n INTEGER, \
             payload TEXT GENERATED ALWAYS AS (printf('%.*c', 100000000 + n, 'x')) VIRTUAL);",
        )
        .unwrap();
        for i in 0..40 {
            conn.execute(
                "INSERT INTO evidence_metadata (session_id, n) VALUES (?1, ?2)",
                rusqlite::params![format!("s{i}"), i],
            )
            .unwrap();
        }
    }
    let size = std::fs::metadata(&db).unwrap().len();
    assert!(size <= 16 << 10, "a small file: {size} bytes");
    for format in ["text", "json", "markdown"] {
        let r = check(&[db.to_str().unwrap(), "--format", format]);
        assert_eq!(r.code, 2, "{format}: {}", r.stderr);
        assert!(r.stderr.contains("generated or hidden column \"payload\""), "{format}: {}", r.stderr);
    }
}

/// The same idea through a column default: rows written before a column was added read its default, which a
/// crafted schema makes a long literal, so every row yields kilobytes the file does not hold. The payloads read
/// are bounded by the file's own size, so the store is refused instead of growing memory row by row.
#[test]
fn a_store_whose_defaults_yield_more_than_the_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hostile-default.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE evidence_metadata (session_id TEXT PRIMARY KEY);").unwrap();
        for i in 0..400 {
            conn.execute("INSERT INTO evidence_metadata VALUES (?1)", [format!("s{i}")]).unwrap();
        }
        conn.execute_batch("ALTER TABLE evidence_metadata ADD COLUMN payload TEXT DEFAULT 'x';").unwrap();
        let long = format!("{{\"k\": \"{}\"}}", "x".repeat(4000));
        conn.execute_batch(&format!(
            "PRAGMA writable_schema = ON; \
             UPDATE sqlite_master SET sql = 'CREATE TABLE evidence_metadata (session_id TEXT PRIMARY KEY, \
             payload TEXT DEFAULT ''{long}'')' WHERE name = 'evidence_metadata'; \
             PRAGMA writable_schema = OFF;"
        ))
        .unwrap();
    }
    let size = std::fs::metadata(&db).unwrap().len();
    assert!(size < 400 * 4000, "the rows do not hold the default: {size} bytes");
    let r = check(&[db.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("more payload than the file holds"), "{}", r.stderr);
}

const PLANTED: &str = "ghp_PLANTEDboundsVALUE0123456789abcdefXYZ";
const OSC52: &str = "\u{1b}]52;c;cGxhbnRlZA==\u{7}";

/// What a refusal may print: nothing on stdout, one clean line of stderr (no raw control, C1 or format
/// character, no planted secret), exit 2.
fn assert_refused_inertly(what: &str, r: &Run) {
    assert_eq!(r.code, 2, "{what}: {}", r.stderr);
    assert!(r.stdout.is_empty(), "{what}: stdout {:?}", r.stdout);
    assert!(r.stderr.starts_with("closeout: error: "), "{what}: {:?}", r.stderr);
    let bad: Vec<char> =
        r.stderr.chars().filter(|&c| c != '\n' && !closeout::sanitize::is_clean(&c.to_string())).collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} in {:?}", r.stderr);
    assert!(!r.stderr.contains(PLANTED), "{what}: the planted secret reached stderr: {}", r.stderr);
    assert!(!r.stderr.contains("PLANTEDbounds"), "{what}: part of the secret reached stderr: {}", r.stderr);
}

/// Issue 11 §5: error messages that quote evidence (a missing path, an SQLite row id, an unknown
/// schema_version, a repeated key, a FIFO's name) carry raw ESC, OSC 52, C1 and bidi bytes and a secret; none
/// of it reaches stderr, in any output format.
#[cfg(unix)]
#[test]
fn refusals_quoting_hostile_evidence_print_it_inert_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = format!("{OSC52}\u{9b}31m\u{202e}\u{200b}{PLANTED}");
    let mut cases: Vec<(&str, PathBuf)> = Vec::new();

    let missing = dir.path().join(format!("missing {hostile}.json"));
    cases.push(("a missing path", missing));

    let fifo = dir.path().join(format!("fifo {hostile}.json"));
    mkfifo(&fifo);
    cases.push(("a FIFO", fifo));

    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, serde_json::json!({ "schema_version": hostile }).to_string()).unwrap();
    cases.push(("an unknown schema_version", schema));

    let dup = dir.path().join("dup.json");
    let key = serde_json::to_string(&hostile).unwrap();
    std::fs::write(&dup, format!("{{\"items\": [{{{key}: 1, {key}: 2}}]}}")).unwrap();
    cases.push(("a repeated key", dup));

    let db = dir.path().join("rows.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE evidence_metadata (session_id TEXT PRIMARY KEY, payload TEXT)").unwrap();
        conn.execute("INSERT INTO evidence_metadata VALUES (?1, 42)", [&hostile]).unwrap();
    }
    cases.push(("an SQLite row id", db));

    let db2 = dir.path().join("rows2.sqlite");
    {
        let conn = rusqlite::Connection::open(&db2).unwrap();
        conn.execute_batch("CREATE TABLE evidence_metadata (session_id TEXT PRIMARY KEY, payload TEXT)").unwrap();
        conn.execute("INSERT INTO evidence_metadata VALUES (?1, '{\"a\": 1, \"a\": 2}')", [&hostile]).unwrap();
    }
    cases.push(("an SQLite row with a repeated key", db2));

    for (what, path) in &cases {
        for format in ["text", "json", "markdown"] {
            let r = check(&[path.to_str().unwrap(), "--format", format]);
            assert_refused_inertly(&format!("{what} ({format})"), &r);
        }
    }
}

/// The memory shapes of `scripts/memory-shapes.py`, small: each still loads and is evaluated (not refused),
/// and no secret planted under a secret key is printed in any format.
#[test]
fn the_memory_shapes_load_small() {
    let base = read_json(&sample_path("clean-store.json"));
    let items = base["items"].as_array().unwrap();
    let note = |i: usize, body: &str| format!("{{\"metadata_kind\": \"note\", \"session_id\": \"n{i}\", {body}}}");
    let store = |extra: String, first: String| {
        let mut parts: Vec<String> = items.iter().map(|i| i.to_string()).collect();
        if !first.is_empty() {
            parts[0] = format!("{}, {first}}}", &parts[0][..parts[0].len() - 1]);
        }
        if !extra.is_empty() {
            parts.push(extra);
        }
        format!("{{\"items\": [{}]}}", parts.join(","))
    };
    let n = 2000;
    let shapes = [
        (
            "tiny items",
            store((0..n).map(|i| note(i, &format!("\"k\": {}", i % 10))).collect::<Vec<_>>().join(","), String::new()),
        ),
        (
            "many keys",
            store(
                String::new(),
                format!("\"extra\": {{{}}}", (0..n).map(|i| format!("\"key{i:07}\": 1")).collect::<Vec<_>>().join(",")),
            ),
        ),
        (
            "secret fields",
            store(
                String::new(),
                format!(
                    "\"config\": {{{}}}",
                    (0..n).map(|i| format!("\"password_{i}\": \"{PLANTED}{i}\"")).collect::<Vec<_>>().join(",")
                ),
            ),
        ),
        (
            "deep nesting",
            store(
                (0..50)
                    .map(|i| note(i, &format!("\"d\": {}0{}", "[".repeat(120), "]".repeat(120))))
                    .collect::<Vec<_>>()
                    .join(","),
                String::new(),
            ),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in shapes {
        let p = dir.path().join("store.json");
        std::fs::write(&p, text).unwrap();
        for format in ["text", "json", "markdown"] {
            let r = check(&[p.to_str().unwrap(), "--format", format, "--as-of", SAMPLE_TIME]);
            assert!(r.code == 0 || r.code == 1, "{name} ({format}): {} {}", r.code, r.stderr);
            assert!(!r.stdout.contains("PLANTEDbounds"), "{name} ({format}): a secret printed");
        }
    }
}

/// The peak resident memory a `closeout check` run reports (`CLOSEOUT_TRACE` prints it after every phase).
fn peak_kib(path: &Path) -> u64 {
    let out = Command::cargo_bin("closeout")
        .unwrap()
        .env("CLOSEOUT_TRACE", "1")
        .args(["check", "--format", "json", "--as-of", SAMPLE_TIME])
        .arg(path)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peaks = stderr.split("peak ").skip(1).filter_map(|s| s.split(" KiB").next()?.parse::<u64>().ok());
    peaks.max().unwrap_or_else(|| panic!("no peak reported: {stderr}"))
}

/// Memory per item of a store of tiny items (issue 11 §4): beside the file and what any run holds, a store item
/// costs its node, its scan unit and its index entries, well under 350 bytes (it was about 440 while every
/// item's head was listed before any node was built, and the duplicate check held a copy of every key).
#[test]
#[cfg(target_os = "linux")]
fn a_store_of_tiny_items_holds_a_bounded_amount_per_item() {
    let dir = tempfile::tempdir().unwrap();
    let base = peak_kib(&sample_path("clean-store.json"));
    let n = 200_000u64;
    let items: Vec<String> =
        (0..n).map(|i| format!(r#"{{"metadata_kind": "note", "session_id": "n{i}", "k": {}}}"#, i % 10)).collect();
    let p = dir.path().join("tiny.json");
    std::fs::write(&p, format!(r#"{{"items": [{}]}}"#, items.join(","))).unwrap();
    let file = std::fs::metadata(&p).unwrap().len();
    let peak = peak_kib(&p) * 1024;
    let per_item = peak.saturating_sub(base * 1024 + file) / n;
    assert!(per_item < 350, "{per_item} bytes per item (peak {peak}, file {file}, a small run's peak {base} KiB)");
}
