//! JUnit XML, for CI test-report views: one test suite, one test case per criterion. A failure is a
//! failure; a warning no acceptance covers is a failure of type `warning`; an accepted warning passes, with
//! a property naming the acceptance; a criterion the policy makes optional is skipped, saying so.

use super::{Outcome, outcome, signature_lines};
use crate::evidence::Evidence;
use crate::health::Report;
use crate::sanitize::clean;
use crate::time::fmt_instant;

/// Text safe inside an XML attribute or element: control characters made visible (XML 1.0 cannot carry
/// most of them at all), then the five markup characters escaped.
pub(crate) fn xml(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Noncharacters XML forbids.
            '\u{FFFE}' | '\u{FFFF}' => out.push_str("\\u{fffe}"),
            c => out.push(c),
        }
    }
    out
}

fn property(name: &str, value: &str) -> String {
    format!("      <property name=\"{}\" value=\"{}\"/>\n", xml(name), xml(value))
}

/// The JUnit XML report.
pub fn to_junit(ev: &Evidence, r: &Report) -> String {
    let mut failures = 0;
    let mut skipped = 0;
    let mut cases = String::new();
    for f in &r.findings {
        let how = outcome(r, f);
        cases.push_str(&format!(
            "    <testcase classname=\"closeout.criteria\" name=\"{}\" time=\"0\">\n",
            xml(f.id.as_str())
        ));
        let mut body = format!("{}: {}\n", f.title, f.reason);
        if how != Outcome::Pass {
            body.push_str(&format!("next: {}\n", f.next_step));
        }
        for d in &f.details {
            body.push_str(&format!("{d}\n"));
        }
        if !f.evidence.is_empty() {
            body.push_str(&format!("evidence: {}\n", f.evidence.join(", ")));
        }
        match how {
            Outcome::Pass => {}
            Outcome::Fail => {
                failures += 1;
                cases.push_str(&format!(
                    "      <failure type=\"fail\" message=\"{}\">{}</failure>\n",
                    xml(&f.reason),
                    xml(&body)
                ));
            }
            Outcome::Warning => {
                failures += 1;
                cases.push_str(&format!(
                    "      <failure type=\"warning\" message=\"{}\">{}</failure>\n",
                    xml(&format!("warning not accepted: {}", f.reason)),
                    xml(&body)
                ));
            }
            Outcome::Accepted(a) => {
                cases.push_str("      <properties>\n");
                cases.push_str(&property("accepted_by", &a.describe()));
                if let Some(until) = a.expires_at.as_deref().or(a.target_date.as_deref()) {
                    cases.push_str(&property("accepted_until", until));
                }
                if let Some(reason) = &a.reason {
                    cases.push_str(&property("acceptance_reason", reason));
                }
                if let Some(sig) = &a.signature {
                    cases.push_str(&property("acceptance_signature", &sig.describe()));
                }
                cases.push_str("      </properties>\n");
                body.push_str(&format!("accepted warning: {}\n", a.describe()));
                for l in signature_lines(a) {
                    body.push_str(&format!("{l}\n"));
                }
            }
            Outcome::Optional => {
                skipped += 1;
                cases.push_str(&format!(
                    "      <skipped message=\"{}\"/>\n",
                    xml(&format!("optional under the policy ({}): {}", f.status.as_str(), f.reason))
                ));
            }
        }
        cases.push_str(&format!("      <system-out>{}</system-out>\n", xml(&body)));
        cases.push_str("    </testcase>\n");
    }
    let tests = r.findings.len();
    let mut props = String::new();
    props.push_str(&property("verdict", r.verdict.as_str()));
    props.push_str(&property("verdict_reason", &r.verdict_reason));
    props.push_str(&property("as_of", &fmt_instant(r.as_of)));
    props.push_str(&property("evidence", &ev.label.to_string()));
    props.push_str(&property("policy", &r.policy.describe()));
    if let Some(s) = &r.policy.source {
        props.push_str(&property("policy_sha256", &s.sha256));
    }
    for (i, (a, s)) in r.acceptances.iter().enumerate() {
        let standing = serde_json::to_value(s).ok().and_then(|v| v["state"].as_str().map(str::to_string));
        props.push_str(&property(
            &format!("acceptance.{i}"),
            &format!("{}: {}", a.describe(), standing.unwrap_or_default()),
        ));
        if let Some(sig) = &a.signature {
            props.push_str(&property(&format!("acceptance.{i}.signature"), &sig.describe()));
            if let crate::health::Signature::Verified { not_verified, .. } = sig {
                props.push_str(&property(&format!("acceptance.{i}.not_verified"), &not_verified.join("; ")));
            }
        }
    }
    for i in &ev.inputs {
        props.push_str(&property(&format!("input.{}", i.path), &format!("sha256:{}", i.sha256())));
    }
    let name = xml(&format!("closeout: {}", ev.label));
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str(&format!(
        "<testsuites name=\"closeout\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">\n"
    ));
    o.push_str(&format!(
        "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\" timestamp=\"{}\">\n",
        r.as_of.format("%Y-%m-%dT%H:%M:%S")
    ));
    o.push_str("    <properties>\n");
    o.push_str(&props);
    o.push_str("    </properties>\n");
    o.push_str(&cases);
    o.push_str("  </testsuite>\n</testsuites>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(xml("a<b>&\"c'\x1b\u{202e}"), "a&lt;b&gt;&amp;&quot;c&apos;\\x1b\\u{202e}");
    }
}
