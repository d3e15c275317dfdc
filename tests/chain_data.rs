//! The closeout-chain test scenarios in `tests/data/chain/` (written by `scripts/gen-test-scenarios.py`) are
//! well-formed CAVRA-shaped evidence and their index is consistent with them.
//!
//! Data checks only. The verdicts and criteria the scenarios expect are asserted by the chain tests, not
//! here; this file checks that every expectation is complete, follows the verdict rule from its own
//! criteria, and describes the data it sits beside (files, releases, references, hashes, holes).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use closeout::evidence::canonical::canonical_sha256_hex;
use closeout::evidence::{LoadOptions, load_path};
use serde_json::Value;

const CRITERIA: [&str; 10] = [
    "final_readiness",
    "signed_archive_manifest",
    "release_closeout",
    "closeout_delivery",
    "retention_approval",
    "artifact_bundle",
    "retention_health",
    "retry_workflow",
    "retention_alerts",
    "community_boundary",
];

const EXPECT_KEYS: [&str; 11] = [
    "verdict",
    "evaluated_release",
    "other_releases",
    "criteria",
    "load_error",
    "notes",
    "load_error_at",
    "acceptance",
    "references",
    "node_counts",
    "hashes",
];

const METADATA_SCHEMA: &str = "cavra.evidence.metadata.v1";
const KIND_PREFIX: &str = "go-backend-rollback-drill-acknowledgement-audit-delivery-final-reporting-";
const SCHEMA_PREFIX: &str = "cavra.go-backend-pilot.rollback-drill-final-reporting-";

/// (metadata_kind suffix, embed key, artifact id field, id prefix) of every kind the scenarios hold.
const KINDS: [(&str, &str, &str, &str); 20] = [
    ("release-readiness-summary", "final_reporting_release_readiness_summary", "summary_id", "gordackfinalready"),
    ("operator-runbook-export", "final_reporting_operator_runbook_export", "export_id", "gordackfinalrunbook"),
    (
        "release-readiness-approval-decision",
        "final_reporting_release_readiness_approval_decision",
        "decision_id",
        "gordackfinalapproval",
    ),
    ("release-record-attachment", "final_reporting_release_record_attachment", "attachment_id", "gordackfinalrecord"),
    (
        "release-closure-packet-verification",
        "final_reporting_release_closure_packet_verification",
        "verification_id",
        "gordackfinalpacket",
    ),
    ("auditor-export", "final_reporting_auditor_export", "export_id", "gordackfinalauditor"),
    (
        "immutable-archive-reference",
        "final_reporting_immutable_archive_reference",
        "reference_id",
        "gordackfinalarchive",
    ),
    ("archive-reference-health", "final_reporting_archive_reference_health", "health_id", "gordackfinalarchivehealth"),
    ("readiness-bundle", "final_reporting_readiness_bundle", "bundle_id", "gordackfinalbundle"),
    ("signed-archive-manifest", "final_reporting_signed_archive_manifest", "manifest_id", "gordackfinalmanifest"),
    ("release-closeout-summary", "final_reporting_release_closeout_summary", "summary_id", "gordackfinalcloseout"),
    ("release-closeout-delivery", "final_reporting_release_closeout_delivery", "event_id", "gordackfinalcloseout"),
    (
        "closeout-retention-review-request",
        "final_reporting_closeout_retention_review_request",
        "review_id",
        "gordackfinalretention",
    ),
    (
        "closeout-retention-review-decision",
        "final_reporting_closeout_retention_review_decision",
        "decision_id",
        "gordackfinalretentiondecision",
    ),
    (
        "closeout-artifact-bundle",
        "final_reporting_closeout_artifact_bundle",
        "artifact_bundle_id",
        "gordackfinalartifact",
    ),
    (
        "closeout-retention-health",
        "final_reporting_closeout_retention_health",
        "health_id",
        "gordackfinalretentionhealth",
    ),
    (
        "closeout-retention-health-alert-plan",
        "final_reporting_closeout_retention_health_alert_plan",
        "plan_id",
        "gordackfinalretenalert",
    ),
    (
        "release-closeout-delivery-retry-plan",
        "final_reporting_release_closeout_delivery_retry_plan",
        "retry_plan_id",
        "gordackfinalcloseoutretry",
    ),
    (
        "release-closeout-delivery-retry-worker-run",
        "final_reporting_release_closeout_delivery_retry_worker_run",
        "run_id",
        "gordackfinalcloseoutworker",
    ),
    (
        "release-closeout-delivery-retry-execution-record",
        "final_reporting_release_closeout_delivery_retry_execution_record",
        "execution_id",
        "gordackfinalcloseoutexec",
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chain")
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn index() -> Value {
    let ix = read_json(&root().join("index.json"));
    assert_eq!(ix["schema"], "closeout.test-scenarios.v1");
    ix
}

fn scenarios(ix: &Value) -> &Vec<Value> {
    ix["scenarios"].as_array().expect("scenarios[]")
}

fn cases(s: &Value) -> &Vec<Value> {
    s["cases"].as_array().expect("cases[]")
}

fn path_of(s: &Value, key: &str) -> Option<PathBuf> {
    s[key].as_str().map(|p| root().join(p))
}

/// A scenario whose evidence itself cannot be loaded (a case that only names an unknown `--release` is an
/// option error, not a hole in the data).
fn has_load_error(s: &Value) -> bool {
    cases(s).iter().any(|c| !c["expect"]["load_error"].is_null() && c["release"].is_null())
}

fn files_under(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.insert(p);
        }
    }
}

fn items(store: &Value) -> &Vec<Value> {
    store["items"].as_array().expect("items[]")
}

fn kind_row(metadata_kind: &str) -> Option<&'static (&'static str, &'static str, &'static str, &'static str)> {
    let suffix = metadata_kind.strip_prefix(KIND_PREFIX)?;
    KINDS.iter().find(|k| k.0 == suffix)
}

/// The embedded artifact of a store item (the item itself for a connector delivery).
fn artifact(item: &Value) -> &Value {
    match kind_row(item["metadata_kind"].as_str().unwrap_or("")) {
        Some(k) => &item[k.1],
        None => item,
    }
}

fn release_of(item: &Value) -> String {
    let art = artifact(item);
    art.get("release_record_ref")
        .or_else(|| item.get("release_record_ref"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Every release seen on a closeout summary, a closeout delivery event or a readiness bundle (`releases[]`).
fn releases_seen(store: &Value) -> BTreeSet<String> {
    items(store)
        .iter()
        .filter(|it| {
            let suffix = it["metadata_kind"].as_str().unwrap().strip_prefix(KIND_PREFIX).unwrap_or("");
            ["release-closeout-summary", "release-closeout-delivery", "readiness-bundle"].contains(&suffix)
        })
        .map(release_of)
        .collect()
}

/// (verified, without content) over every artifact bundle's files[] in a store.
fn bundle_hashes(store: &Value) -> (usize, usize) {
    let (mut verified, mut bare) = (0, 0);
    for it in items(store) {
        if it["metadata_kind"] != format!("{KIND_PREFIX}closeout-artifact-bundle") {
            continue;
        }
        let art = artifact(it);
        for f in art["files"].as_array().unwrap() {
            match f.get("content") {
                Some(content) => {
                    assert_eq!(f["sha256"].as_str().unwrap(), canonical_sha256_hex(content), "{}", f["path"]);
                    verified += 1;
                }
                None => bare += 1,
            }
        }
        let listed: Vec<&Value> = art["files"].as_array().unwrap().iter().map(|f| &f["sha256"]).collect();
        let manifest: Vec<&Value> = art["download_manifest"].as_array().unwrap().iter().map(|f| &f["sha256"]).collect();
        assert_eq!(listed, manifest, "download_manifest lists the same hashes");
    }
    (verified, bare)
}

#[test]
fn index_names_every_file_once_and_nothing_else() {
    let ix = index();
    assert_eq!(ix["criteria"], Value::from(CRITERIA.to_vec()));
    let mut named = BTreeSet::new();
    let mut names = BTreeSet::new();
    for s in scenarios(&ix) {
        let name = s["name"].as_str().unwrap();
        assert!(names.insert(name.to_string()), "scenario {name} twice");
        assert!(!s["description"].as_str().unwrap().is_empty(), "{name}: description");
        let mut inputs = 0;
        for key in ["store", "trial", "sqlite_rows"] {
            if let Some(rel) = s[key].as_str() {
                assert!(rel.starts_with(&format!("{name}/")), "{name}: {key} outside its directory");
                let p = root().join(rel);
                assert!(p.is_file(), "{name}: {} missing", p.display());
                named.insert(p);
                inputs += 1;
            }
        }
        if let Some(rel) = s["responses"].as_str() {
            assert_eq!(rel, format!("{name}/responses"));
            let before = named.len();
            files_under(&root().join(rel), &mut named);
            assert!(named.len() > before, "{name}: empty responses directory");
            inputs += 1;
        }
        assert!(inputs > 0, "{name}: no input");
        assert!(!cases(s).is_empty(), "{name}: no case");
    }
    let mut present = BTreeSet::new();
    files_under(&root(), &mut present);
    present.remove(&root().join("index.json"));
    present.remove(&root().join("README.md"));
    assert_eq!(present, named, "files in tests/data/chain and files the index names");
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    for name in &names {
        assert!(readme.contains(&format!("### `{name}`")), "README describes {name}");
    }
}

#[test]
fn every_expectation_is_complete_and_follows_the_verdict_rule() {
    let ix = index();
    let mut total = 0;
    for s in scenarios(&ix) {
        let name = s["name"].as_str().unwrap();
        let mut case_names = BTreeSet::new();
        for c in cases(s) {
            total += 1;
            let cname = format!("{name}/{}", c["name"].as_str().unwrap());
            assert!(case_names.insert(c["name"].as_str().unwrap()), "{cname} twice");
            assert!(DateTime::parse_from_rfc3339(c["as_of"].as_str().unwrap()).is_ok(), "{cname}: as_of");
            assert!(c["release"].is_null() || c["release"].is_string(), "{cname}: release");
            let e = c["expect"].as_object().unwrap();
            for k in e.keys() {
                assert!(EXPECT_KEYS.contains(&k.as_str()), "{cname}: unknown expect key {k}");
            }
            for k in ["verdict", "evaluated_release", "other_releases", "criteria", "load_error", "notes"] {
                assert!(e.contains_key(k), "{cname}: expect.{k} missing");
            }
            assert!(!e["notes"].as_str().unwrap().is_empty(), "{cname}: notes");
            if let Some(msg) = e["load_error"].as_str() {
                assert!(!msg.is_empty(), "{cname}");
                assert!(e["verdict"].is_null() && e["criteria"].is_null(), "{cname}: a load error has no verdict");
                continue;
            }
            let criteria = e["criteria"].as_object().unwrap();
            let ids: Vec<&str> = criteria.keys().map(String::as_str).collect();
            assert_eq!(ids, CRITERIA, "{cname}: all ten criteria, in order");
            let statuses: BTreeSet<&str> = criteria.values().map(|v| v.as_str().unwrap()).collect();
            assert!(statuses.iter().all(|v| ["pass", "warn", "fail"].contains(v)), "{cname}: {statuses:?}");
            // Section 6: any fail -> blocked; warns need one valid owner acceptance (only a trial carries one).
            let acceptance = e.get("acceptance").and_then(Value::as_str);
            if acceptance.is_some() {
                assert!(s["trial"].is_string(), "{cname}: only a trial package carries an acceptance");
            }
            let verdict = if statuses.contains("fail") {
                "blocked"
            } else if statuses.contains("warn") {
                if acceptance == Some("valid") { "ready_with_accepted_risk" } else { "blocked" }
            } else {
                "ready_for_release"
            };
            assert_eq!(e["verdict"], verdict, "{cname}: verdict from its own criteria");
            let evaluated = e["evaluated_release"].as_str().unwrap();
            if let Some(r) = c["release"].as_str() {
                assert_eq!(evaluated, r, "{cname}: --release names the evaluated release");
            }
            let others: Vec<&str> =
                e["other_releases"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let mut sorted = others.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(others, sorted, "{cname}: other_releases sorted and unique");
            assert!(!others.contains(&evaluated), "{cname}");
        }
    }
    assert!(total >= 40, "{total} cases");
}

#[test]
fn stores_are_cavra_evidence_metadata_stores() {
    let ix = index();
    let mut checked = 0;
    for s in scenarios(&ix) {
        let name = s["name"].as_str().unwrap();
        let Some(path) = path_of(s, "store") else { continue };
        if has_load_error(s) {
            continue; // the holes: checked in load_error_holes_are_what_they_say
        }
        let store = read_json(&path);
        assert_eq!(store.as_object().unwrap().len(), 1, "{name}: a store has only items");
        let mut last = String::new();
        for it in items(&store) {
            let sid = it["session_id"].as_str().unwrap();
            assert!(sid > last.as_str(), "{name}: items sorted by session_id, unique ({sid})");
            last = sid.to_string();
            assert_eq!(it["schema_version"], METADATA_SCHEMA, "{name}/{sid}");
            assert_eq!(it["product"], "CAVRA", "{name}/{sid}");
            assert!(DateTime::parse_from_rfc3339(it["created_at"].as_str().unwrap()).is_ok(), "{name}/{sid}");
            assert!(it["signer"].is_string(), "{name}/{sid}");
            for k in ["decision_count", "blocked_count", "approval_required_count"] {
                assert!(it[k].is_u64(), "{name}/{sid}: {k}");
            }
            let mk = it["metadata_kind"].as_str().unwrap();
            if mk == "release-connector-delivery" {
                let event = it["event_id"].as_str().unwrap();
                let rest = sid.strip_prefix(&format!("rcd-{event}-")).unwrap_or_else(|| panic!("{name}/{sid}"));
                assert!(is_hex(rest, 12), "{name}/{sid}");
                assert_eq!(it["delivery"]["schema_version"], "cavra.connector.delivery.v1");
                assert_eq!(it["delivery"]["event_id"], event);
                assert_eq!(
                    it["delivery"]["session_id"], event,
                    "{name}/{sid}: the result's session_id is the event id"
                );
                assert_eq!(it["delivery_success"], it["delivery"]["success"], "{name}/{sid}");
                continue;
            }
            let (suffix, embed, id_field, prefix) = *kind_row(mk).unwrap_or_else(|| panic!("{name}: kind {mk}"));
            let art = &it[embed];
            assert!(art.is_object(), "{name}/{sid}: embedded under {embed}");
            let step = if suffix == "release-closeout-delivery" { "release-closeout-delivery-event" } else { suffix };
            assert_eq!(art["schema_version"], format!("{SCHEMA_PREFIX}{step}.v1"), "{name}/{sid}");
            assert_eq!(art[id_field], sid, "{name}/{sid}: artifact id is the session id");
            let hex = sid.strip_prefix(&format!("{prefix}-")).unwrap_or_else(|| panic!("{name}/{sid}: prefix"));
            assert!(is_hex(hex, 16), "{name}/{sid}");
        }
        let seen = releases_seen(&store);
        for c in cases(s) {
            let e = &c["expect"];
            let Some(evaluated) = e["evaluated_release"].as_str().map(str::to_string) else {
                assert!(!e["load_error"].is_null(), "{name}/{}: only a load error evaluates no release", c["name"]);
                continue;
            };
            let others: BTreeSet<String> =
                e["other_releases"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            let mut expected = seen.clone();
            expected.remove(&evaluated);
            assert_eq!(others, expected, "{name}/{}: other_releases = releases seen minus the evaluated", c["name"]);
        }
        let (verified, bare) = bundle_hashes(&store);
        for c in cases(s) {
            if let Some(h) = c["expect"].get("hashes") {
                assert_eq!(h["verified"], verified, "{name}: verifiable artifact-bundle files");
            }
        }
        if bare > 0 {
            assert_eq!(name, "bundle-without-content", "{name}: files without content");
            assert_eq!(verified, 0);
        }
        checked += 1;
    }
    assert!(checked >= 15, "{checked} stores");
}

#[test]
fn response_directories_hold_the_same_run_as_their_store() {
    let ix = index();
    for s in scenarios(&ix) {
        let Some(dir) = path_of(s, "responses") else { continue };
        let name = s["name"].as_str().unwrap();
        let store = read_json(&path_of(s, "store").expect("a responses scenario also has its store"));
        let by_id: BTreeMap<&str, &Value> =
            items(&store).iter().map(|it| (it["session_id"].as_str().unwrap(), it)).collect();
        let mut files = BTreeSet::new();
        files_under(&dir, &mut files);
        let mut wrappers = 0;
        for f in &files {
            let body = read_json(f);
            let file = f.file_name().unwrap().to_string_lossy().to_string();
            assert!(body.is_object(), "{file}");
            if file.ends_with("-deliver.json") && file.contains("release-closeout-summary") {
                assert_eq!(body["delivery"]["schema_version"], "cavra.connector.delivery.v1", "{file}");
                assert_eq!(body["delivery"]["session_id"], body["summary"]["summary_id"], "{file}");
                assert_eq!(
                    body["metadata"]["delivery"], body["delivery"],
                    "{file}: the wrapper holds the identical result"
                );
                assert_eq!(body["event_metadata"]["session_id"], body["summary_metadata"]["session_id"], "{file}");
            }
            if file.contains("retry-worker-run") {
                for r in body["retry_results"].as_array().unwrap() {
                    let embed = "final_reporting_release_closeout_delivery_retry_execution_record";
                    assert_eq!(r["execution_metadata"][embed], r["execution_record"], "{file}");
                    assert!(r["skipped"] == "dry_run" || r["skipped"].is_null(), "{file}");
                }
                assert_eq!(body["run"]["retry_plan"]["retry_plan_id"], body["retry_metadata"]["session_id"], "{file}");
            }
            // Every wrapper a response returns is the store's item, except a summary the delivery event
            // replaced (CAVRA stores the event under the summary's id).
            for (key, v) in body.as_object().unwrap() {
                let Some(sid) = v.get("session_id").and_then(Value::as_str) else { continue };
                if v["schema_version"] != METADATA_SCHEMA {
                    continue;
                }
                wrappers += 1;
                let stored = by_id.get(sid).unwrap_or_else(|| panic!("{name}/{file}: {key} {sid} not in store"));
                if *stored != v {
                    assert_eq!(key, "summary_metadata", "{file}: {key} differs from the store");
                    assert_eq!(stored["metadata_kind"], format!("{KIND_PREFIX}release-closeout-delivery"), "{file}");
                }
            }
        }
        assert!(wrappers >= 15, "{name}: {wrappers} wrappers");
    }
}

#[test]
fn references_point_where_the_index_says() {
    let ix = index();
    let mut checked = 0;
    for s in scenarios(&ix) {
        let name = s["name"].as_str().unwrap();
        for c in cases(s) {
            let Some(r) = c["expect"].get("references") else { continue };
            checked += 1;
            let evaluated = c["expect"]["evaluated_release"].as_str().unwrap();
            let not_included = r["not_included_targets"].as_array().unwrap();
            let out_of_scope = r["out_of_scope_targets"].as_array().unwrap();
            assert_eq!(r["not_included"], not_included.len(), "{name}");
            assert_eq!(r["out_of_scope"], out_of_scope.len(), "{name}");
            if let Some(trial) = path_of(s, "trial") {
                let text = fs::read_to_string(trial).unwrap();
                assert!(r["dangling"].as_array().unwrap().is_empty() && out_of_scope.is_empty(), "{name}");
                for t in not_included {
                    assert!(text.contains(&format!("\"{}\"", t.as_str().unwrap())), "{name}: {t}");
                }
                continue;
            }
            let store = read_json(&path_of(s, "store").unwrap());
            let by_id: BTreeMap<&str, &Value> =
                items(&store).iter().map(|it| (it["session_id"].as_str().unwrap(), it)).collect();
            for d in r["dangling"].as_array().unwrap() {
                let from = by_id[d["from"].as_str().unwrap()];
                let target = d["target"].as_str().unwrap();
                let value = from.pointer(d["field"].as_str().unwrap()).and_then(Value::as_str).unwrap();
                assert!(value == target || value.ends_with(&format!("://{target}")), "{name}: {d}");
                assert!(!by_id.contains_key(target), "{name}: dangling {target} is absent");
                let family = &target[..target.rfind('-').unwrap()];
                assert!(by_id.keys().any(|k| k.starts_with(&format!("{family}-"))), "{name}: kind of {target} present");
            }
            for t in not_included {
                let t = t.as_str().unwrap();
                let family = &t[..t.rfind('-').unwrap()];
                assert!(!by_id.keys().any(|k| k.starts_with(&format!("{family}-"))), "{name}: no node of {t}'s kind");
            }
            for t in out_of_scope {
                let node = by_id[t.as_str().unwrap()];
                let rel = release_of(node);
                assert!(!rel.is_empty() && rel != evaluated, "{name}: {t} belongs to another release");
            }
        }
    }
    assert!(checked >= 5, "{checked}");
}

/// 1-based (line, column) in characters of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
    (line, col)
}

fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let off = start + text[start..].chars().take(col - 1).map(char::len_utf8).sum::<usize>();
    assert_eq!(line_col(text, off), (line, col));
    off
}

#[test]
fn load_error_holes_are_what_they_say() {
    let ix = index();
    let mut holes = BTreeSet::new();
    for s in scenarios(&ix) {
        if !has_load_error(s) {
            continue;
        }
        let name = s["name"].as_str().unwrap();
        holes.insert(name);
        let e = &cases(s)[0]["expect"];
        match name {
            "duplicate-items-key" | "duplicate-field-key" => {
                let text = fs::read_to_string(path_of(s, "store").unwrap()).unwrap();
                let at = &e["load_error_at"];
                let off =
                    offset_of(&text, at["line"].as_u64().unwrap() as usize, at["column"].as_u64().unwrap() as usize);
                let key = if name == "duplicate-items-key" { "\"items\"" } else { "\"decision_state\"" };
                assert!(text[off..].starts_with(key), "{name}: the location names the second {key}");
                // A JSON library quietly keeps one of the two: exactly the hole.
                let parsed: Value = serde_json::from_str(&text).unwrap();
                if name == "duplicate-items-key" {
                    assert!(text.starts_with("{\"items\": [\n{"), "{name}: the first items key holds the chain");
                    assert!(items(&parsed).is_empty(), "last wins: an empty store");
                } else {
                    let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
                    let object = &text[line_start..off];
                    let embed = "\"final_reporting_closeout_retention_review_decision\": {";
                    let inner = &object[object.find(embed).expect("the decision artifact") + embed.len()..];
                    assert!(inner.starts_with("\"decision_state\": \"denied\", "), "{name}: first occurrence");
                    assert!(text[off..].starts_with("\"decision_state\": \"approved\""), "{name}");
                }
            }
            "sqlite-duplicate-session" => {
                let rows_doc = read_json(&path_of(s, "sqlite_rows").unwrap());
                let sid = e["load_error"].as_str().unwrap();
                let db = rusqlite::Connection::open_in_memory().unwrap();
                db.execute(rows_doc["create_table"].as_str().unwrap(), []).unwrap();
                for r in rows_doc["rows"].as_array().unwrap() {
                    let payload: Value = serde_json::from_str(r["payload"].as_str().unwrap()).unwrap();
                    assert_eq!(payload["session_id"], r["session_id"]);
                    db.execute(
                        "INSERT INTO evidence_metadata VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        rusqlite::params![
                            r["session_id"].as_str().unwrap(),
                            r["created_at"].as_str().unwrap(),
                            r["signer"].as_str().unwrap(),
                            r["decision_count"].as_i64().unwrap(),
                            r["blocked_count"].as_i64().unwrap(),
                            r["approval_required_count"].as_i64().unwrap(),
                            r["payload"].as_str().unwrap(),
                        ],
                    )
                    .unwrap();
                }
                let mut q = db.prepare("SELECT payload FROM evidence_metadata WHERE session_id = ?1").unwrap();
                let payloads: Vec<String> = q.query_map([sid], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
                assert_eq!(payloads.len(), 2, "{name}: two rows share {sid}");
                assert_ne!(payloads[0], payloads[1], "{name}: with different payloads");
                let states: BTreeSet<String> = payloads
                    .iter()
                    .map(|p| serde_json::from_str::<Value>(p).unwrap()["decision_state"].as_str().unwrap().to_string())
                    .collect();
                assert_eq!(states, BTreeSet::from(["approved".to_string(), "denied".to_string()]));
                let dup: i64 = db
                    .query_row(
                        "SELECT COUNT(*) FROM (SELECT session_id FROM evidence_metadata GROUP BY session_id HAVING COUNT(*) > 1)",
                        [],
                        |row| row.get(0),
                    )
                    .unwrap();
                assert_eq!(dup, 1, "{name}: only that session id is duplicated");
            }
            other => panic!("unexpected load-error scenario {other}"),
        }
    }
    assert_eq!(holes, BTreeSet::from(["duplicate-field-key", "duplicate-items-key", "sqlite-duplicate-session"]));
}

#[test]
fn todays_loader_reads_every_well_formed_input() {
    let ix = index();
    for s in scenarios(&ix) {
        if has_load_error(s) {
            continue;
        }
        for key in ["store", "responses", "trial"] {
            if let Some(p) = path_of(s, key)
                && let Err(e) = load_path(&p, &LoadOptions::default())
            {
                panic!("{}: {e}", s["name"]);
            }
        }
    }
}
