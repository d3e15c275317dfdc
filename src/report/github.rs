//! GitHub Actions workflow commands: an `::error` or `::warning` annotation (with file, line, column and
//! title) for each criterion that does not pass, a `::notice` for accepted warnings and optional criteria,
//! and one for the verdict, naming the evidence. Values are escaped as GitHub's runner unescapes them: `%`,
//! CR and LF in the message; those and `:` and `,` in properties.

use super::locate;
use super::{Outcome, outcome, signature_lines};
use crate::evidence::Evidence;
use crate::health::{Report, Verdict};
use crate::sanitize::clean;

/// Escape a workflow command's message: `%` → `%25`, CR → `%0D`, LF → `%0A`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a workflow command's property value: as [`escape_data`], and `:` → `%3A`, `,` → `%2C`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command: `::command key=value,…::message`.
fn command(name: &str, props: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = props.iter().map(|(k, v)| format!("{k}={}", escape_property(v))).collect();
    let sep = if props.is_empty() { "" } else { " " };
    format!("::{name}{sep}{}::{}\n", props.join(","), escape_data(message))
}

/// The workflow commands, one a line.
pub fn to_github(ev: &Evidence, r: &Report) -> String {
    let places = locate::places(ev, r);
    let mut o = String::new();
    for (index, f) in r.findings.iter().enumerate() {
        let how = outcome(r, f);
        let (name, what) = match how {
            Outcome::Pass => continue,
            Outcome::Fail => ("error", "fails"),
            Outcome::Warning => ("warning", "warns (not accepted)"),
            Outcome::Accepted(_) => ("notice", "warns (risk accepted)"),
            Outcome::Optional => ("notice", "does not pass (optional under the policy)"),
        };
        let mut props: Vec<(&str, String)> = Vec::new();
        if let Some(p) = locate::primary(ev, &places, index, f) {
            props.push(("file", p.path.clone()));
            if let (Some(line), Some(col)) = (p.line, p.column) {
                props.push(("line", line.to_string()));
                props.push(("col", col.to_string()));
            }
        }
        props.push(("title", format!("closeout {}: {} {what}", f.id, f.title)));
        let mut msg = clean(&f.reason).into_owned();
        if let Some(p) = places.get(&index).and_then(|v| v.first()) {
            msg.push_str(&format!("\nat {}", p.logical()));
        }
        msg.push_str(&format!("\nnext: {}", clean(&f.next_step)));
        if let Outcome::Accepted(a) = how {
            msg.push_str(&format!("\naccepted by {}", a.describe()));
            for l in signature_lines(a) {
                msg.push_str(&format!("\n{}", clean(&l)));
            }
        }
        o.push_str(&command(name, &props, &msg));
    }
    let mut msg = format!("{}: {}\nevidence: {}", r.verdict.as_str(), clean(&r.verdict_reason), ev.label);
    for (a, s) in &r.acceptances {
        let standing = serde_json::to_value(s).ok().and_then(|v| v["state"].as_str().map(str::to_string));
        msg.push_str(&format!("\nacceptance {}: {}", a.describe(), standing.unwrap_or_default()));
        for l in signature_lines(a) {
            msg.push_str(&format!("\n  {}", clean(&l)));
        }
    }
    msg.push_str(&format!("\npolicy: {}", r.policy.describe()));
    let name = if r.verdict == Verdict::Blocked { "error" } else { "notice" };
    o.push_str(&command(name, &[("title", format!("closeout verdict: {}", r.verdict.as_str()))], &msg));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_cr_and_lf_are_escaped_and_properties_also_escape_colon_and_comma() {
        assert_eq!(escape_data("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(
            command("error", &[("file", "a,b.json".into()), ("title", "x: y".into())], "m%\nn"),
            "::error file=a%2Cb.json,title=x%3A y::m%25%0An\n"
        );
    }
}
