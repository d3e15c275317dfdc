//! The presentation layers never reach the raw text of evidence: `Text::raw` and `Text::with_raw` are for the
//! domain's lookups, and a renderer that called them could show a secret or a control character. This test
//! reads the presentation sources and fails on any call.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = entry.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn presentation_code_never_reads_raw_evidence_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["tui", "report", "demo", "site"] {
        sources(&root.join(dir), &mut files);
    }
    for f in ["walkthrough.rs", "main.rs", "output.rs", "sign/command.rs"] {
        files.push(root.join(f));
    }
    assert!(files.len() > 20, "found the presentation sources: {files:?}");
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for (n, line) in text.lines().enumerate() {
            for needle in [".raw()", ".with_raw(", "raw_field(", "Text::raw"] {
                if line.contains(needle) {
                    hits.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(hits.is_empty(), "presentation code reads raw evidence text:\n{}", hits.join("\n"));
}
