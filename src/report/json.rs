//! The JSON report: a versioned contract, `closeout.report.v1`.

use std::borrow::Cow;
use std::io::Write;

use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use crate::evidence::{Evidence, RedactedBy, Redaction, SecretKind};
use crate::health::Report;
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// Schema name of the JSON report. Fields are only ever added within one version.
pub const REPORT_SCHEMA: &str = "closeout.report.v1";

/// The JSON report, pretty-printed. Strings that came from evidence are cleaned of control characters.
pub fn to_json(ev: &Evidence, r: &Report) -> String {
    let mut out = Vec::new();
    write_json(ev, r, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The JSON report written to `out` as it is serialized: the per-redaction list (one entry for every
/// secret found, which can be most of a large input) is never built as a document in memory.
pub fn write_json(ev: &Evidence, r: &Report, out: &mut (impl Write + ?Sized)) -> std::io::Result<()> {
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
    let kinds: serde_json::Map<String, Value> =
        ev.kind_counts().into_iter().map(|(k, n)| (clean(k.name()).into_owned(), json!(n))).collect();
    let doc = Doc {
        schema: super::REPORT_SCHEMA,
        tool: json!({"name": "closeout", "version": env!("CARGO_PKG_VERSION")}),
        verdict: json!(r.verdict),
        verdict_reason: clean(&r.verdict_reason),
        as_of: fmt_instant(r.as_of),
        as_of_source: json!(r.as_of_source),
        as_of_reason: r.as_of_source.reason(),
        evidence: json!({
            "label": ev.label.to_string(),
            "source": ev.source.to_string(),
            "model": ev.model,
            "edition": ev.edition.as_ref().map(|e| e.to_string()),
            "release": r.chain.release.as_ref().map(|t| t.to_string()),
            "release_requested": r.chain.release_requested,
            "closeout_summary": r.chain.summary.as_ref().map(|s| s.id.to_string()),
            "decision": r.evidence_decision,
            "disagreement": r.disagreement,
        }),
        criteria,
        acceptance: json!(r.acceptance_used),
        acceptances,
        inputs,
        hashes: json!(r.hashes),
        redactions: Redactions(&ev.redactions),
        artifacts: json!({
            "count": ev.nodes.len(),
            "by_kind": kinds,
            "unknown_kinds": ev.unknown_kinds.iter().map(|(k, n)| (clean(k).into_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "duplicates_dropped": ev.duplicates,
            "skipped_files": ev.skipped.iter().map(|(p, why)| json!({"path": clean(p), "reason": why})).collect::<Vec<_>>(),
        }),
        releases: json!(r.chain.releases),
        references: json!(r.references),
        dangling_references: json!(r.references.dangling),
        generation: r.generation.0,
        policy: super::sarif::policy(r),
    };
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut w, &doc).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// The report's top level, in the contract's key order.
#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    tool: Value,
    verdict: Value,
    verdict_reason: Cow<'a, str>,
    as_of: String,
    as_of_source: Value,
    as_of_reason: &'static str,
    evidence: Value,
    criteria: Vec<Value>,
    acceptance: Value,
    acceptances: Vec<Value>,
    inputs: Vec<Value>,
    hashes: Value,
    redactions: Redactions<'a>,
    artifacts: Value,
    releases: Value,
    references: Value,
    dangling_references: Value,
    generation: u64,
    policy: Value,
}

/// Every redaction, serialized one entry at a time.
struct Redactions<'a>(&'a [Redaction]);

impl Serialize for Redactions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a> {
            kind: SecretKind,
            redacted_by: RedactedBy,
            location: Cow<'a, str>,
        }
        s.collect_seq(self.0.iter().map(|x| Entry { kind: x.kind, redacted_by: x.by, location: clean(&x.location) }))
    }
}
