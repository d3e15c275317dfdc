//! Every scenario of `tests/data/chain/` (our own real-shaped evidence in CAVRA's formats), evaluated as the
//! rule book says: as a JSON store, as the same items in SQLite, as a directory of API responses or a trial
//! package; verdict, every criterion, the evaluated release and the others, reference states, hash counts,
//! and the load errors of the holes. One line per mismatch, all of them reported at once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use closeout::evidence::{LoadOptions, load_path};
use closeout::health::{Status, evaluate};
use closeout::time::parse_instant;
use serde_json::Value;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chain")
}

fn index() -> Value {
    serde_json::from_slice(&std::fs::read(data().join("index.json")).unwrap()).unwrap()
}

/// The store's items as CAVRA's SQLite store holds them (table `evidence_metadata`, JSON in `payload`).
fn to_sqlite(store: &Path, out: &Path) {
    let doc: Value = serde_json::from_slice(&std::fs::read(store).unwrap()).unwrap();
    let db = rusqlite::Connection::open(out).unwrap();
    db.execute_batch(
        "CREATE TABLE evidence_metadata(session_id TEXT PRIMARY KEY, created_at, signer, decision_count INT, \
         blocked_count INT, approval_required_count INT, payload TEXT)",
    )
    .unwrap();
    for it in doc["items"].as_array().unwrap() {
        db.execute(
            "INSERT INTO evidence_metadata VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                it["session_id"].as_str(),
                it["created_at"].as_str(),
                it["signer"].as_str(),
                it["decision_count"].as_i64(),
                it["blocked_count"].as_i64(),
                it["approval_required_count"].as_i64(),
                serde_json::to_string(it).unwrap(),
            ],
        )
        .unwrap();
    }
}

/// A SQLite store built from a `sqlite_rows` description (a table without CAVRA's primary key).
fn rows_to_sqlite(rows: &Path, out: &Path) {
    let doc: Value = serde_json::from_slice(&std::fs::read(rows).unwrap()).unwrap();
    let db = rusqlite::Connection::open(out).unwrap();
    let create = doc["create"].as_str().unwrap_or(
        "CREATE TABLE evidence_metadata(session_id TEXT, created_at, signer, decision_count INT, blocked_count INT, \
         approval_required_count INT, payload TEXT)",
    );
    db.execute_batch(create).unwrap();
    for r in doc["rows"].as_array().unwrap() {
        let payload = match &r["payload"] {
            Value::String(s) => s.clone(),
            other => serde_json::to_string(other).unwrap(),
        };
        db.execute(
            "INSERT INTO evidence_metadata(session_id, created_at, payload) VALUES (?1, ?2, ?3)",
            rusqlite::params![r["session_id"].as_str(), r["created_at"].as_str(), payload],
        )
        .unwrap();
    }
}

/// Every input form of a scenario: (form, path).
fn inputs(s: &Value, tmp: &Path) -> Vec<(&'static str, PathBuf)> {
    let name = s["name"].as_str().unwrap();
    let mut out = Vec::new();
    let holes =
        s["cases"].as_array().unwrap().iter().any(|c| !c["expect"]["load_error"].is_null() && c["release"].is_null());
    if let Some(store) = s["store"].as_str() {
        let p = data().join(store);
        out.push(("json", p.clone()));
        if !holes {
            let q = tmp.join(format!("{name}.sqlite"));
            to_sqlite(&p, &q);
            out.push(("sqlite", q));
        }
    }
    if let Some(dir) = s["responses"].as_str() {
        out.push(("responses", data().join(dir)));
    }
    if let Some(t) = s["trial"].as_str() {
        out.push(("trial", data().join(t)));
    }
    if let Some(rows) = s["sqlite_rows"].as_str() {
        let q = tmp.join(format!("{name}.sqlite"));
        rows_to_sqlite(&data().join(rows), &q);
        out.push(("sqlite", q));
    }
    out
}

fn check_case(s: &Value, c: &Value, form: &str, path: &Path, problems: &mut Vec<String>) {
    let name = format!("{}/{}/{form}", s["name"].as_str().unwrap(), c["name"].as_str().unwrap());
    let e = &c["expect"];
    let opts = LoadOptions { release: c["release"].as_str().map(str::to_string), ..LoadOptions::default() };
    let as_of = parse_instant(c["as_of"].as_str().unwrap()).unwrap();
    let loaded = load_path(path, &opts);
    if let Some(want) = e["load_error"].as_str() {
        match loaded {
            Ok(_) => problems.push(format!("{name}: loaded, expected the load error {want:?}")),
            Err(err) if !err.to_string().to_lowercase().contains(&want.to_lowercase()) => {
                problems.push(format!("{name}: load error {err}, expected it to say {want:?}"))
            }
            Err(err) => {
                if let Some(at) = e.get("load_error_at").filter(|a| a.is_object()) {
                    let lc = format!("line {}, column {}", at["line"], at["column"]);
                    if !err.to_string().contains(&lc) {
                        problems.push(format!("{name}: load error {err} does not say {lc}"));
                    }
                }
            }
        }
        return;
    }
    let ev = match loaded {
        Ok(ev) => ev,
        Err(err) => return problems.push(format!("{name}: does not load: {err}")),
    };
    let r = match evaluate(&ev, &[], as_of) {
        Ok(r) => r,
        Err(err) => return problems.push(format!("{name}: does not evaluate: {err}")),
    };
    // The chain the load prepared is the one an evaluation builds itself.
    let unprepared = LoadOptions { prepare_chain: false, ..opts.clone() };
    match load_path(path, &unprepared).and_then(|ev| evaluate(&ev, &[], as_of)) {
        Ok(fresh) if fresh.verdict == r.verdict && fresh.findings == r.findings => {}
        Ok(fresh) => problems.push(format!(
            "{name}: with no chain prepared at load, {} ({:?}), against {} with one",
            fresh.verdict.as_str(),
            fresh.findings.iter().map(|f| f.status.as_str()).collect::<Vec<_>>(),
            r.verdict.as_str()
        )),
        Err(err) => problems.push(format!("{name}: with no chain prepared at load: {err}")),
    }
    if r.verdict.as_str() != e["verdict"].as_str().unwrap() {
        problems.push(format!(
            "{name}: verdict {} (expected {}): {}",
            r.verdict.as_str(),
            e["verdict"],
            r.verdict_reason
        ));
    }
    for f in &r.findings {
        let want = e["criteria"][f.id.as_str()].as_str().unwrap_or("(none)");
        if f.status.as_str() != want {
            problems.push(format!("{name}: {} is {} (expected {want}): {}", f.id, f.status.as_str(), f.reason));
        }
    }
    if let Some(want) = e["evaluated_release"].as_str()
        && r.release_label() != want
    {
        problems.push(format!("{name}: evaluated release {} (expected {want})", r.release_label()));
    }
    let others: BTreeSet<String> =
        r.other_releases().iter().filter_map(|o| o.name.as_ref().map(|n| n.to_string())).collect();
    let want: BTreeSet<String> =
        e["other_releases"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    if others != want {
        problems.push(format!("{name}: other releases {others:?} (expected {want:?})"));
    }
    if let Some(refs) = e.get("references").filter(|x| x.is_object()) {
        let got: BTreeSet<(String, String)> =
            r.references.dangling.iter().map(|d| (d.from.clone(), d.target.clone())).collect();
        let want: BTreeSet<(String, String)> = refs["dangling"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| (d["from"].as_str().unwrap().to_string(), d["target"].as_str().unwrap().to_string()))
            .collect();
        if got != want {
            problems.push(format!("{name}: dangling {got:?} (expected {want:?})"));
        }
        for (k, v) in [("not_included", r.references.not_included), ("out_of_scope", r.references.out_of_scope)] {
            if let Some(w) = refs[k].as_u64()
                && w as usize != v
            {
                problems.push(format!("{name}: {k} {v} (expected {w})"));
            }
        }
    }
    if let Some(h) = e.get("hashes").filter(|x| x.is_object()) {
        let got = serde_json::to_value(r.hashes).unwrap();
        for (k, v) in h.as_object().unwrap() {
            if &got[k] != v {
                problems.push(format!("{name}: hashes.{k} {} (expected {v})", got[k]));
            }
        }
    }
    if let Some(counts) = e.get("node_counts").filter(|x| x.is_object()) {
        for (kind, n) in counts.as_object().unwrap() {
            let got = ev.nodes.iter().filter(|x| x.kind.stable() == *kind).count();
            if Some(got as u64) != n.as_u64() {
                problems.push(format!("{name}: {got} {kind} nodes (expected {n}): one artifact, one node"));
            }
        }
    }
    // Every failure and warning explains itself.
    for f in r.findings.iter().filter(|f| f.status != Status::Pass) {
        if f.reason.is_empty() || f.next_step.is_empty() {
            problems.push(format!("{name}: {} gives no reason or next step", f.id));
        }
    }
}

#[test]
fn every_scenario_reaches_the_rule_books_outcome_in_every_input_form() {
    let tmp = tempfile::tempdir().unwrap();
    let ix = index();
    let mut problems = Vec::new();
    let mut runs = 0;
    for s in ix["scenarios"].as_array().unwrap() {
        for (form, path) in inputs(s, tmp.path()) {
            for c in s["cases"].as_array().unwrap() {
                check_case(s, c, form, &path, &mut problems);
                runs += 1;
            }
        }
    }
    assert!(runs >= 80, "{runs} runs");
    assert!(problems.is_empty(), "{} of {runs} runs differ:\n{}", problems.len(), problems.join("\n"));
}

/// A store, its SQLite copy and a directory of API responses of the same chain give the same criteria.
#[test]
fn the_same_chain_gives_the_same_criteria_in_every_form() {
    let tmp = tempfile::tempdir().unwrap();
    let ix = index();
    let s = ix["scenarios"].as_array().unwrap().iter().find(|s| s["name"] == "response-directory").unwrap();
    let c = &s["cases"][0];
    let as_of = parse_instant(c["as_of"].as_str().unwrap()).unwrap();
    let mut seen: Vec<(String, Vec<(String, Status)>)> = Vec::new();
    for (form, path) in inputs(s, tmp.path()) {
        let ev = load_path(&path, &LoadOptions::default()).unwrap();
        let r = evaluate(&ev, &[], as_of).unwrap();
        seen.push((form.to_string(), r.findings.iter().map(|f| (f.id.to_string(), f.status)).collect()));
    }
    assert_eq!(seen.len(), 3, "json, sqlite, responses");
    assert!(seen.windows(2).all(|w| w[0].1 == w[1].1), "{seen:?}");
}

/// The review wizard and the criteria agree on every scenario: the wizard's decision and worker panes are the
/// retry rule's own checks, so their worst status is `retry_workflow`'s; a failing boundary pane means a
/// failing `community_boundary`; a failing `closeout_delivery` shows as a failing decision or worker pane.
#[test]
fn the_review_wizard_and_the_criteria_agree_on_every_scenario() {
    use closeout::health::CriterionId;
    let tmp = tempfile::tempdir().unwrap();
    let ix = index();
    let mut checked = 0;
    let mut problems = Vec::new();
    for s in ix["scenarios"].as_array().unwrap() {
        for (form, path) in inputs(s, tmp.path()) {
            for c in s["cases"].as_array().unwrap() {
                if !c["expect"]["load_error"].is_null() {
                    continue;
                }
                let name = format!("{}/{}/{form}", s["name"].as_str().unwrap(), c["name"].as_str().unwrap());
                let opts = LoadOptions { release: c["release"].as_str().map(str::to_string), ..LoadOptions::default() };
                let ev = load_path(&path, &opts).unwrap();
                let r = evaluate(&ev, &[], parse_instant(c["as_of"].as_str().unwrap()).unwrap()).unwrap();
                let status = |id: CriterionId| r.finding(id).unwrap().status;
                let panes = closeout::review::panes::failed_deliveries(&ev, &r.chain).unwrap();
                let retry = status(CriterionId::RetryWorkflow);
                match panes.iter().map(|d| d.panes[1].status().max(d.panes[2].status())).max() {
                    Some(worst) if worst != retry => problems.push(format!(
                        "{name}: the wizard's decision/worker panes say {worst:?}, retry_workflow says {retry:?}"
                    )),
                    None if retry == Status::Warn => {
                        problems.push(format!("{name}: retry_workflow warns but the wizard has nothing to review"))
                    }
                    None if retry == Status::Fail
                        && !r.chain.retry.iter().any(|c| closeout::health::retry::violation(c).is_some()) =>
                    {
                        problems.push(format!("{name}: retry_workflow fails but the wizard has nothing to review"))
                    }
                    _ => {}
                }
                if panes.iter().any(|d| d.panes[3].status() == Status::Fail)
                    && status(CriterionId::CommunityBoundary) != Status::Fail
                {
                    problems.push(format!("{name}: the boundary pane fails, community_boundary does not"));
                }
                if status(CriterionId::CloseoutDelivery) == Status::Fail
                    && !panes.is_empty()
                    && !panes.iter().any(|d| d.panes[1].status() == Status::Fail || d.panes[2].status() == Status::Fail)
                {
                    problems.push(format!("{name}: closeout_delivery fails, no decision or worker pane does"));
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 70, "{checked}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
