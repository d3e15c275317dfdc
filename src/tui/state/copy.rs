//! What `y` and its follow-up key copy, as text closeout shows (never a secret: a redaction copies as its
//! marker, every string sanitised): the artifact id, its JSON pointer, a jq path, a SHA-256, a field's value,
//! a criterion's reason, or the `closeout check` command that reproduces the view.

use super::detail::Target;
use super::tree::{Sel, Tree};
use super::{Model, Pane};
use crate::health::Status;
use crate::sanitize::clean;
use crate::tui::action::Action;

/// A JSON pointer as a jq path: `/items/3/a b/0` → `.items[3]["a b"][0]`.
pub fn jq_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else if !token.is_empty()
            && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !token.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('.');
            out.push_str(&token);
        } else {
            if out.is_empty() {
                out.push('.');
            }
            out.push_str(&format!("[{}]", serde_json::to_string(&token).unwrap_or_default()));
        }
    }
    if out.is_empty() { ".".into() } else { out }
}

/// Quote a word for a POSIX shell when it needs it.
pub fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The node the selection is about.
fn node(m: &Model) -> Option<usize> {
    m.tree.selection().and_then(Tree::node_of)
}

/// The detail cursor's field, when the detail pane has focus.
fn field(m: &Model) -> Option<(&str, &str)> {
    if m.focus != Pane::Detail {
        return None;
    }
    match m.detail.target()? {
        Target::Field { pointer, value } => Some((pointer, value)),
        _ => None,
    }
}

/// The pointer of the selection inside its file (the node's, plus the detail cursor's field).
fn full_pointer(m: &Model) -> Option<String> {
    let n = node(m)?;
    let base = clean(&m.evidence.nodes[n].pointer).into_owned();
    Some(match field(m) {
        Some((p, _)) => format!("{base}{p}"),
        None => base,
    })
}

/// The command that reproduces the view.
pub fn check_command(m: &Model) -> String {
    let mut words = vec!["closeout".to_string(), "check".to_string()];
    match (&m.live.source, &m.live.sample) {
        (Some(p), _) => words.push(shell_word(&clean(&p.display().to_string()))),
        (None, Some(s)) => words.extend(["--sample".to_string(), shell_word(s)]),
        (None, None) => {}
    }
    words.extend(["--as-of".to_string(), crate::time::fmt_instant(m.report.as_of)]);
    if let Some(r) = &m.report.chain.release
        && (m.live.release.is_some() || m.live.load.release.is_some())
    {
        words.extend(["--release".to_string(), shell_word(&r.to_string())]);
    }
    for r in &m.live.reviews {
        words.extend(["--review".to_string(), shell_word(&clean(&r.display().to_string()))]);
    }
    words.join(" ")
}

/// (what, text) for a copy action; Err says why there is nothing to copy.
pub fn text_for(m: &Model, action: Action) -> Result<(&'static str, String), String> {
    let no_node = || "select an artifact first".to_string();
    match action {
        Action::CopyId => match m.tree.selection() {
            Some(Sel::Group(g)) => Ok(("the kind", m.tree.groups[g].kind.name().to_string())),
            Some(Sel::Ref { node, index }) => match m.tree.reference(node, index) {
                Some(r) => Ok(("the reference's target id", clean(&r.target).into_owned())),
                None => Err(no_node()),
            },
            Some(Sel::Node(n)) => Ok(("the artifact id", m.evidence.nodes[n].id.to_string())),
            None => Err(no_node()),
        },
        Action::CopyPointer => full_pointer(m).map(|p| ("the JSON pointer", p)).ok_or_else(no_node),
        Action::CopyJq => full_pointer(m).map(|p| ("the jq path", jq_path(&p))).ok_or_else(no_node),
        Action::CopySha => {
            if m.focus == Pane::Detail
                && let Some(Target::Hash(h)) = m.detail.target()
                && !h.is_empty()
            {
                return Ok(("the file's SHA-256", h.clone()));
            }
            let n = node(m).ok_or_else(no_node)?;
            let a = m.evidence.artifact(n).map_err(|e| clean(&e.to_string()).into_owned())?;
            Ok(("the artifact's SHA-256 (canonical JSON)", a.digest.clone()))
        }
        Action::CopyValue => {
            if let Some((_, v)) = field(m) {
                return Ok(("the field's value", v.to_string()));
            }
            let n = node(m).ok_or_else(no_node)?;
            let a = m.evidence.artifact(n).map_err(|e| clean(&e.to_string()).into_owned())?;
            Ok(("the artifact as JSON", super::detail::copy_value(&a.fields)))
        }
        Action::CopyReason => {
            if m.health_visible()
                && let Some(f) = m.health.selected_finding()
            {
                return Ok(("the criterion's reason", format!("{}: {}", f.id, clean(&f.reason))));
            }
            if let Some(n) = node(m)
                && let Some(f) = m.report.findings.iter().find(|f| f.status != Status::Pass && f.cites_node(n))
            {
                return Ok(("the criterion's reason", format!("{}: {}", f.id, clean(&f.reason))));
            }
            Ok(("the verdict's reason", format!("{}: {}", m.report.verdict.as_str(), clean(&m.report.verdict_reason))))
        }
        Action::CopyCommand => Ok(("the closeout check command", check_command(m))),
        _ => Err("not a copy".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_jq_paths() {
        assert_eq!(jq_path("/items/3/final_reporting_x/files/0/sha256"), ".items[3].final_reporting_x.files[0].sha256");
        assert_eq!(jq_path("/a b/x~1y/9z"), ".[\"a b\"][\"x/y\"][\"9z\"]");
        assert_eq!(jq_path(""), ".");
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("sample-evidence/x.json"), "sample-evidence/x.json");
        assert_eq!(shell_word("my file's.json"), "'my file'\\''s.json'");
    }
}
