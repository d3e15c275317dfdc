//! Evidence-level tests that need files on disk.

use super::*;

#[test]
fn hash_file_matches_in_memory_hash_for_small_and_pipelined_sizes() {
    let dir = tempfile::tempdir().unwrap();
    for size in [0usize, 1, 5_000, 9 << 20, (9 << 20) + 12_345] {
        let data: Vec<u8> = (0..size).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1]).collect();
        let p = dir.path().join(format!("f{size}"));
        std::fs::write(&p, &data).unwrap();
        assert_eq!(hash_file(&p, u64::MAX).unwrap(), canonical::sha256_hex(&data), "size {size}");
    }
    let p = dir.path().join("f1");
    assert!(hash_file(&p, 0).unwrap_err().contains("larger than"));
    assert!(hash_file(dir.path(), u64::MAX).is_err(), "a directory is not hashed");
}

/// The deadline SQLite works under: a query past it is interrupted, and said so (issue 11 §4).
#[test]
fn sqlite_work_past_the_deadline_is_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite");
    rusqlite::Connection::open(&db).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let conn = super::load::open_store("store.sqlite", &db, 1 << 20, std::time::Duration::ZERO).unwrap();
    // A recursive query that would run for a very long time.
    let e = conn
        .query_row("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert_eq!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::OperationInterrupted), "{e}");
    let shown = super::load::store_problem("store.sqlite", "cannot read", &e).to_string();
    assert!(shown.contains("took longer than"), "{shown}");
    // The store was opened read-only: writing is refused.
    assert!(conn.execute_batch("CREATE TABLE u (y)").is_err());
}

/// Store items become nodes as they are scanned (or, on serde_json's path, from the end of the list of heads):
/// either way the nodes come out in store order, each naming its own unit, and a bad item is reported by the
/// first one in store order.
#[test]
fn store_items_keep_their_order_and_the_first_bad_item_is_named() {
    let item = |i: usize, created: &str| {
        format!(
            r#"{{"metadata_kind": "note", "session_id": "n{i}", "created_at": {created}, "note": {{"id": "n{i}"}}}}"#
        )
    };
    let good: Vec<String> = (0..5000).map(|i| item(i, "\"2026-06-01T09:00:00+00:00\"")).collect();
    let ev =
        load_bytes("s.json", format!(r#"{{"items": [{}]}}"#, good.join(",")).into_bytes(), &LoadOptions::default())
            .expect("loads");
    assert_eq!(ev.nodes.len(), 5000);
    for (i, n) in ev.nodes.iter().enumerate() {
        assert_eq!(n.id.to_string(), format!("n{i}"));
        assert!(n.pointer.starts_with(&format!("/items/{i}")), "{}", n.pointer);
        assert_eq!(ev.inputs[0].units[n.unit as usize].pointer(), format!("/items/{i}"));
    }
    let mut bad = good.clone();
    bad[3] = item(3, "7");
    bad[4000] = item(4000, "[]");
    let e = load_bytes("s.json", format!(r#"{{"items": [{}]}}"#, bad.join(",")).into_bytes(), &LoadOptions::default())
        .unwrap_err();
    assert!(e.problem.contains("/items/3/created_at"), "{e}");
    let empty = load_bytes("s.json", br#"{"items": []}"#.to_vec(), &LoadOptions::default()).expect("loads");
    assert!(empty.nodes.is_empty());
    // The same bad store with its items list past the fast scanner (a non-object item after them): serde_json's
    // path reads it, and names the same first bad item.
    let e =
        load_bytes("s.json", format!(r#"{{"items": [{}, 5]}}"#, bad.join(",")).into_bytes(), &LoadOptions::default())
            .unwrap_err();
    assert!(e.problem.contains("/items/3/created_at"), "{e}");
}

/// Nodes the fast scanner built from items before it gave up are not what the load reports: serde_json's
/// reading is, and it names the item the fast scanner stopped at.
#[test]
fn nodes_streamed_before_the_fast_scanner_gives_up_are_dropped() {
    let items = (0..3000)
        .map(|i| format!(r#"{{"metadata_kind": "odd_kind_{}", "session_id": "n{i}", "odd": {{"id": "n{i}"}}}}"#, i % 3))
        .collect::<Vec<_>>()
        .join(",");
    // Well formed, but the fast scanner takes only objects in `items`.
    let whole = format!(r#"{{"items": [{items}]}}"#);
    let tail = format!(r#"{{"items": [{items}, 7]}}"#);
    assert!(super::fastparse::top_doc(&whole).is_some() && super::fastparse::top_doc(&tail).is_none());
    let ev = load_bytes("s.json", whole.into_bytes(), &LoadOptions::default()).expect("loads");
    assert_eq!((ev.nodes.len(), ev.unknown_kinds.values().sum::<usize>()), (3000, 3000));
    let e = load_bytes("s.json", tail.into_bytes(), &LoadOptions::default()).unwrap_err();
    assert!(e.problem.contains("/items/3000") && e.problem.contains("not an evidence-metadata item"), "{e}");
}

/// Every node's reference targets, read by a pass over its bytes (`refscan::each`).
fn targets_by_pass(ev: &Evidence) -> Vec<Vec<String>> {
    (0..ev.nodes.len())
        .map(|i| {
            let n = &ev.nodes[i];
            let mut v = Vec::new();
            refscan::each(&ev.inputs[n.input as usize].bytes[n.span.range()], |_, t| {
                if *t != *n.id.raw() {
                    v.push(t.into_owned())
                }
            });
            v
        })
        .collect()
}

/// The reference targets the fast scanner notes give every node the same targets as a pass over its bytes:
/// on the samples, and on a store whose keys and values try to fool it (escaped keys and quotes, keys that
/// only end like reference keys, blanks before the colon, lists cut short by an escape or a non-string,
/// schemes late in long values, nesting, the envelope's own `session_id`).
#[test]
fn reference_targets_the_scanner_notes_are_those_of_a_pass_over_the_bytes() {
    let item = |i: usize| {
        format!(
            r#"{{"metadata_kind": "release-closeout-retry-plan", "session_id": "p{i}", "created_at": "2026-06-01T09:00:00Z",
                "retry_plan": {{"retry_plan_id": "p{i}", "delivery_id" : "d{i}", "paid": "x{i}", "bundle\u005fid": "e{i}",
                  "a\"plan_id": "q{i}", "note": "run_id\": \"fake{i}\"", "decisions": [{{"evidence_refs": ["cavra://r{i}", "latest", "s{i}"],
                  "run_id"
                    :   "w{i}", "nested": {{"summary_id": "s\u002d{i}", "closeout_id": null}}}},
                  {{"public_evidence_refs": ["a:b{i}", "x://y://z{i}", "", "latest", "u{i}", "a-target-longer-than-one-block-{i}:x"],
                    "evidence_refs": [ "v{i}" , 7, "never{i}"], "would_retry_delivery_ids": ["w{i}", "t\u0041{i}", "after{i}"],
                    "report_id": "", "export_id": "ab:{i}", "event_id": "p{i}", "health_id": [["deep{i}"], "no{i}"],
                    "attachment_id": "a-long-enough-value-with-an-escape-\"{i}", "reference_id": "ünïcode-{i}://é{i}",
                    "verification_id": "a-target-whose-scheme-comes-late-in-it-{i}://v{i}", "bundle_id": {{"x": "y{i}"}}}}]}}}}"#
        )
    };
    let store =
        format!(r#"{{"items": [{}], "schema_version": "x"}}"#, (0..300).map(item).collect::<Vec<_>>().join(","));
    let mut docs = vec![("tricky.json".to_string(), store.into_bytes())];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") && !p.ends_with("index.json") {
            docs.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    let mut noted = 0;
    for (name, bytes) in docs {
        let ev = load_bytes(&name, bytes, &LoadOptions::default()).expect("loads");
        assert!(ev.inputs.iter().all(|i| i.ref_notes.is_some()), "{name}: read by the fast scanner");
        noted += ev.inputs[0].ref_notes.as_ref().map_or(0, |n| n.at.len());
        let want = targets_by_pass(&ev);
        for (i, want) in want.iter().enumerate() {
            let mut got = Vec::new();
            ev.raw_ref_targets(i, |t| got.push(t.into_owned()));
            assert_eq!(&got, want, "{name}: node {i} ({})", ev.nodes[i].pointer);
        }
        if name == "tricky.json" {
            let late = "a-target-whose-scheme-comes-late-in-it-7://v7";
            assert_eq!(want[7][..5], ["d7", "r7", "s7", "w7", "s-7"], "{name}: node 7");
            assert!(want[7].iter().any(|t| t == "v7") && !want[7].iter().any(|t| t == late), "{:?}", want[7]);
        }
    }
    assert!(noted > 300, "targets noted: {noted}");
}

/// A node may mention an id only where its raw text holds the id as a whole quoted string, or holds a `\u`
/// escape (which can spell any id); ids with characters JSON might escape (or empty ones) are always "maybe",
/// so no node is ruled out wrongly.
#[test]
fn mentions_finds_ids_as_whole_quoted_strings_only() {
    let items = [
        r#"{"metadata_kind": "note", "session_id": "a", "note": {"delivery_id": "d-1", "x": "d-10"}}"#,
        r#"{"metadata_kind": "note", "session_id": "b", "note": {"delivery_id": "d-100"}}"#,
        r#"{"metadata_kind": "note", "session_id": "c", "note": {"ids": ["q.2:x", "d\u002d1"]}}"#,
    ];
    let ev =
        load_bytes("s.json", format!(r#"{{"items": [{}]}}"#, items.join(",")).into_bytes(), &LoadOptions::default())
            .expect("loads");
    let nodes = |ids: &[&str]| -> Vec<usize> {
        let m = Mentions::new(ids.iter().copied());
        (0..ev.nodes.len()).filter(|&i| ev.mentions(i, &m)).collect()
    };
    assert_eq!(nodes(&["d-1"]), vec![0, 2], "not d-10 or d-100; and a node with a \\u escape may spell it");
    assert_eq!(nodes(&["d-100"]), vec![1, 2]);
    assert_eq!(nodes(&["d-1", "d-100"]), vec![0, 1, 2], "any of several ids");
    assert_eq!(nodes(&["q.2:x"]), vec![2]);
    assert_eq!(nodes(&["nowhere"]), vec![2], "only the node with an escape may still spell it");
    assert_eq!(nodes(&[]), Vec::<usize>::new());
    assert_eq!(nodes(&["nowhere", "with space"]), vec![0, 1, 2], "an id JSON might escape rules nothing out");
    assert_eq!(nodes(&[""]), vec![0, 1, 2]);
}
