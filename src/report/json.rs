//! The JSON report: a versioned contract, `closeout.report.v1`.

use serde_json::{Value, json};

use crate::evidence::Evidence;
use crate::health::Report;
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// Schema name of the JSON report. Fields are only ever added within one version.
pub const REPORT_SCHEMA: &str = "closeout.report.v1";

/// The JSON report, pretty-printed. Strings that came from evidence are cleaned of control characters.
pub fn to_json(ev: &Evidence, r: &Report) -> String {
    let criteria: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            json!({
                "id": f.id.as_str(),
                "title": f.title,
                "status": f.status,
                "reason": clean(&f.reason),
                "evidence": f.evidence.iter().map(|e| clean(e).into_owned()).collect::<Vec<_>>(),
                "next_step": f.next_step,
                "details": f.details.iter().map(|d| clean(d).into_owned()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let acceptances: Vec<Value> = r
        .acceptances
        .iter()
        .map(|(a, s)| {
            let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
            v["standing"] = serde_json::to_value(s).unwrap_or(Value::Null);
            v
        })
        .collect();
    let inputs: Vec<Value> = ev
        .inputs
        .iter()
        .map(|i| json!({"path": clean(&i.path), "format": i.format, "sha256": i.sha256(), "size": i.size}))
        .collect();
    let redactions: Vec<Value> = ev
        .redactions
        .iter()
        .map(|x| json!({"kind": x.kind, "redacted_by": x.by, "location": clean(&x.location)}))
        .collect();
    let kinds: serde_json::Map<String, Value> =
        ev.kind_counts().into_iter().map(|(k, n)| (clean(k.name()).into_owned(), json!(n))).collect();
    let doc = json!({
        "schema": super::REPORT_SCHEMA,
        "tool": {"name": "closeout", "version": env!("CARGO_PKG_VERSION")},
        "verdict": r.verdict,
        "verdict_reason": clean(&r.verdict_reason),
        "as_of": fmt_instant(r.as_of),
        "as_of_source": r.as_of_source,
        "as_of_reason": r.as_of_source.reason(),
        "evidence": {
            "label": ev.label.to_string(),
            "source": ev.source.to_string(),
            "model": ev.model,
            "edition": ev.edition.as_ref().map(|e| e.to_string()),
            "release": r.chain.release.as_ref().map(|t| t.to_string()),
            "release_requested": r.chain.release_requested,
            "closeout_summary": r.chain.summary.as_ref().map(|s| s.id.to_string()),
            "decision": r.evidence_decision,
            "disagreement": r.disagreement,
        },
        "criteria": criteria,
        "acceptance": r.acceptance_used,
        "acceptances": acceptances,
        "inputs": inputs,
        "hashes": r.hashes,
        "redactions": redactions,
        "artifacts": {
            "count": ev.nodes.len(),
            "by_kind": kinds,
            "unknown_kinds": ev.unknown_kinds.iter().map(|(k, n)| (clean(k).into_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "duplicates_dropped": ev.duplicates,
            "skipped_files": ev.skipped.iter().map(|(p, why)| json!({"path": clean(p), "reason": why})).collect::<Vec<_>>(),
        },
        "releases": r.chain.releases,
        "references": r.references,
        "dangling_references": r.references.dangling,
        "generation": r.generation.0,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("report serializes");
    s.push('\n');
    s
}
