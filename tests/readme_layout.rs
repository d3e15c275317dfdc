//! The README's layout section is true: it names every top-level module and folder of `src/`, every
//! top-level folder of the repository, and every bench, example and script that exists.

use std::path::Path;

fn layout() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("## Layout").expect("README has a Layout section");
    let rest = &readme[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

fn names(dir: &str, keep: impl Fn(&str, bool) -> bool) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            keep(&name, e.file_type().unwrap().is_dir()).then_some(name)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_layout_names_every_module_folder_and_tool_that_exists() {
    let text = layout();
    let mut missing = Vec::new();
    for m in names("src", |n, dir| dir || (n.ends_with(".rs") && n != "lib.rs")) {
        let want = if m.ends_with(".rs") { format!("src/{m}") } else { format!("src/{m}/") };
        if !text.contains(&want) {
            missing.push(want);
        }
    }
    for d in names(".", |n, dir| dir && !n.starts_with('.') && n != "target" && n != "node_modules") {
        if !text.contains(&format!("{d}/")) {
            missing.push(format!("{d}/"));
        }
    }
    for (dir, ext) in [("benches", ".rs"), ("examples", ".rs"), ("scripts", "")] {
        for f in names(dir, |n, is_dir| !is_dir && n.ends_with(ext)) {
            if !text.contains(&f) {
                missing.push(format!("{dir}/{f}"));
            }
        }
    }
    assert!(missing.is_empty(), "the README's layout section does not name: {}", missing.join(", "));
}
