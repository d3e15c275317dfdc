//! SARIF 2.1.0 (OASIS), for code-scanning dashboards: one rule per criterion, a result for each criterion
//! that does not pass, located in the evidence file (line and column of the cited field, its JSON pointer as
//! a logical location); an owner acceptance is a suppression (kind external, status accepted).

use serde_json::{Map, Value, json};

use super::locate::{self, Place};
use super::{Outcome, outcome};
use crate::evidence::Evidence;
use crate::health::{Acceptance, CriterionId, Report, Signature, Status};
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// Where a criterion's help lives: an absolute URI naming the criterion (`urn:closeout:criterion:<id>`).
/// closeout has no published documentation site; the help text itself is in each rule, and the README's
/// "Criteria" section documents every id.
pub const HELP_URI: &str = "urn:closeout:criterion:";

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `final_readiness` -> `FinalReadiness`: the rule's friendly name.
fn pascal(id: CriterionId) -> String {
    id.as_str()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A URI reference for an input path: relative paths stay relative (percent-encoded), absolute ones become
/// `file://` URIs.
pub(crate) fn path_uri(path: &str) -> String {
    let mut out = String::new();
    let absolute = path.starts_with('/');
    if absolute {
        out.push_str("file://");
    }
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn rule(id: CriterionId, r: &Report) -> Value {
    let level = match r.policy.criteria.get(&id).and_then(|c| c.severity) {
        Some(Status::Warn) => "warning",
        _ => "error",
    };
    json!({
        "id": id.as_str(),
        "name": pascal(id),
        "shortDescription": {"text": format!("{}.", id.title())},
        "fullDescription": {"text": id.help()},
        "help": {"text": id.help(), "markdown": format!("**{}** (`{}`): {}", id.title(), id.as_str(), id.help())},
        "helpUri": format!("{HELP_URI}{}", id.as_str()),
        "defaultConfiguration": {"level": level, "enabled": true},
        "properties": {"required": r.policy.is_required(id)},
    })
}

fn physical(p: &Place) -> Value {
    let mut loc = json!({"artifactLocation": {"uri": path_uri(&p.path), "index": p.input}});
    if let (Some(line), Some(col)) = (p.line, p.column) {
        loc["region"] = json!({"startLine": line, "startColumn": col});
    }
    loc
}

/// A location: the file, line and column where the input is text; always the logical location (the JSON
/// pointer, with the row for an SQLite store, whose rows are not lines of the file).
fn location(p: &Place, id: usize, note: Option<&str>) -> Value {
    let mut v = json!({
        "id": id,
        "logicalLocations": [{
            "fullyQualifiedName": p.logical(),
            "kind": if p.pointer.is_empty() { "object" } else { "value" },
        }],
    });
    if p.line.is_some() {
        v["physicalLocation"] = physical(p);
    }
    if let Some(n) = note.filter(|n| !n.is_empty()) {
        v["message"] = json!({"text": clean(n)});
    }
    v
}

/// The signature of an acceptance, as SARIF properties.
fn signer(a: &Acceptance) -> Value {
    match &a.signature {
        Some(Signature::Verified { principal, key_type, fingerprint, allowed_signers, line, not_verified, .. }) => {
            json!({"state": "verified", "principal": principal, "key_type": key_type, "fingerprint": fingerprint,
                   "allowed_signers": allowed_signers, "line": line, "not_verified": not_verified})
        }
        Some(other) => json!({"state": serde_json::to_value(other).ok().and_then(|v| v.get("state").cloned()),
                              "description": other.describe()}),
        None => Value::Null,
    }
}

fn suppression(a: &Acceptance) -> Value {
    let mut justification = format!(
        "accepted by {}: {}",
        a.describe(),
        a.reason.as_deref().map(|r| clean(r).into_owned()).unwrap_or_default()
    );
    if let Some(until) = a.expires_at.as_deref().or(a.target_date.as_deref()) {
        justification.push_str(&format!(" (until {})", clean(until)));
    }
    if let Some(sig) = &a.signature {
        justification.push_str(&format!("; {}", sig.describe()));
    }
    let mut props = Map::new();
    props.insert("owner".into(), json!(a.owner.as_deref().map(clean)));
    props.insert("source".into(), serde_json::to_value(&a.source).unwrap_or(Value::Null));
    props.insert("expires_at".into(), json!(a.expires_at.as_deref().map(clean)));
    props.insert("external_ref".into(), json!(a.external_ref.as_deref().map(clean)));
    let sig = signer(a);
    if !sig.is_null() {
        props.insert("signature".into(), sig);
    }
    json!({"kind": "external", "status": "accepted", "justification": justification, "properties": props})
}

/// The SARIF log, pretty-printed.
pub fn to_sarif(ev: &Evidence, r: &Report) -> String {
    let places = locate::places(ev, r);
    let rules: Vec<Value> = CriterionId::ALL.iter().map(|&id| rule(id, r)).collect();
    let mut results = Vec::new();
    for (index, f) in r.findings.iter().enumerate() {
        let how = outcome(r, f);
        if how == Outcome::Pass {
            continue;
        }
        let level = match how {
            Outcome::Fail => "error",
            Outcome::Optional => "note",
            _ => "warning",
        };
        let rule_index = CriterionId::ALL.iter().position(|c| *c == f.id).unwrap_or(0);
        let mut text = format!("{}: {}", f.title, clean(&f.reason));
        if !text.ends_with('.') {
            text.push('.');
        }
        text.push_str(&format!(" Next: {}", clean(&f.next_step)));
        let cites = places.get(&index).cloned().unwrap_or_default();
        let primary = locate::primary(ev, &places, index, f);
        let mut res = json!({
            "ruleId": f.id.as_str(),
            "ruleIndex": rule_index,
            "kind": "fail",
            "level": level,
            "message": {"text": text},
            "locations": primary.iter().map(|p| location(p, 0, f.cites.first().map(|c| c.note.as_str()))).collect::<Vec<_>>(),
            "partialFingerprints": {"closeoutCriterion/v1": format!("{}:{}", f.id.as_str(), primary.as_ref().map(|p| p.logical()).unwrap_or_default())},
            "properties": {
                "status": f.status.as_str(),
                "required": r.policy.is_required(f.id),
                "evidence": f.evidence,
                "details": f.details.iter().map(|d| clean(d).into_owned()).collect::<Vec<_>>(),
            },
        });
        if cites.len() > 1 {
            res["relatedLocations"] = Value::Array(
                cites.iter().enumerate().skip(1).map(|(i, p)| location(p, i, Some(&f.cites[i].note))).collect(),
            );
        }
        if let Outcome::Accepted(a) = how {
            res["suppressions"] = json!([suppression(a)]);
        }
        results.push(res);
    }
    let artifacts: Vec<Value> = ev
        .inputs
        .iter()
        .map(|i| {
            json!({
                "location": {"uri": path_uri(&clean(&i.path))},
                "length": i.size,
                "hashes": {"sha-256": i.sha256()},
                "description": {"text": i.format.label()},
            })
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "closeout",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": format!("{HELP_URI}index"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "properties": {"as_of": fmt_instant(r.as_of), "as_of_source": r.as_of_source, "policy": policy(r)},
            }],
            "artifacts": artifacts,
            "results": results,
            "properties": {
                "acceptances": r.acceptances.iter().map(|(a, st)| json!({
                    "acceptance": a.describe(),
                    "standing": st,
                    "signature": signer(a),
                })).collect::<Vec<_>>(),
                "verdict": r.verdict.as_str(),
                "verdict_reason": clean(&r.verdict_reason),
                "evidence": ev.label.to_string(),
                "release": r.chain.release.as_ref().map(|t| t.to_string()),
            },
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("SARIF serializes");
    s.push('\n');
    s
}

/// The policy as report properties: its file and SHA-256 (null for CAVRA's defaults).
pub(crate) fn policy(r: &Report) -> Value {
    json!({
        "path": r.policy.source.as_ref().map(|s| s.path.clone()),
        "sha256": r.policy.source.as_ref().map(|s| s.sha256.clone()),
        "expiry_warning_days": r.policy.expiry_warning_days,
        "require_signed_acceptance": r.policy.require_signed_acceptance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal(CriterionId::SignedArchiveManifest), "SignedArchiveManifest");
        assert_eq!(path_uri("sample-evidence/a b.json"), "sample-evidence/a%20b.json");
        assert_eq!(path_uri("/tmp/x%y.json"), "file:///tmp/x%25y.json");
    }
}
