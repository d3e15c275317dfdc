//! The explorer's config file: `closeout config --print-default` writes a file that loads to the built-in
//! keymap; a file's key override works, a conflicting one is reported with its file and line (in the message
//! log at start-up), and help and the footer show the person's keys. `closeout config` names where the file
//! is looked for ($XDG_CONFIG_HOME).

use std::sync::Arc;

use assert_cmd::Command;
use closeout::tui::keymap::{Context, KeySpec, Keymap, stack};
use closeout::tui::{Action, Options, config, harness};

#[test]
fn print_default_writes_a_file_that_loads_to_the_built_in_keymap() {
    let out = Command::cargo_bin("closeout").unwrap().args(["config", "--print-default"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("theme = \"auto\"") && text.contains("mouse = true") && text.contains("[keys]"));
    let c = config::parse(&text, "default.toml").unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let d = Keymap::default();
    let pairs: Vec<_> = c.keymap.bindings.iter().map(|b| (b.context, b.action, b.keys.clone())).collect();
    let want: Vec<_> = d.bindings.iter().map(|b| (b.context, b.action, b.keys.clone())).collect();
    assert_eq!(pairs, want);
}

#[test]
fn config_names_the_file_it_looks_for() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        Command::cargo_bin("closeout").unwrap().arg("config").env("XDG_CONFIG_HOME", dir.path()).output().unwrap();
    assert!(out.status.success());
    let want = dir.path().join("closeout").join("config.toml");
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), want.display().to_string());
}

#[test]
fn an_override_applies_a_conflict_is_reported_with_its_line_and_help_shows_the_users_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "theme = \"high-contrast\"\nmouse = false\n\n[keys]\nhelp = \"F1\"\nquit = [\"j\"]\n")
        .unwrap();
    let c = config::load_from(&path).unwrap();
    assert!(!c.mouse);
    let tree = stack(Context::Tree, false);
    assert_eq!(c.keymap.action_for(&tree, &KeySpec::parse("F1").unwrap()), Some(Action::ToggleHelp));
    assert_eq!(c.keymap.action_for(&tree, &KeySpec::parse("?").unwrap()), None, "F1 replaced ?");
    assert_eq!(c.keymap.action_for(&tree, &KeySpec::parse("q").unwrap()), Some(Action::Quit), "quit kept q");
    assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
    let shown = path.display().to_string();
    assert!(c.problems[0].starts_with(&format!("{shown} line 6: quit: key j is already")), "{:?}", c.problems);

    // At start-up: the problem is in the message log; the footer and help show F1.
    let ev = closeout::samples::load("clean-store", &Default::default()).unwrap();
    let report = closeout::health::evaluate(&ev, &[], ev.default_as_of.unwrap()).unwrap();
    let opts =
        Options { keymap: Arc::new(c.keymap), problems: c.problems.clone(), mouse: c.mouse, ..Options::default() };
    let (mut m, _) = closeout::tui::start_model(ev, report, &opts, 100, 30);
    assert!(m.log.entries().iter().any(|(_, t)| t.starts_with("config: ") && t.contains("line 6")), "{:?}", m.log);
    let screen = harness::screen(&m);
    let footer = screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(footer.contains("F1 help"), "{footer}");
    harness::send(&mut m, &ratatui::crossterm::event::Event::Key(KeySpec::parse("F1").unwrap().press()));
    let screen = harness::screen(&m);
    assert!(screen.contains("Help: every key"), "{screen}");
    let help: String = m.help_lines.iter().map(|l| format!("{l}\n")).collect();
    assert!(help.contains("* keys from your config file"), "{help}");
    assert!(help.lines().any(|l| l.contains("*F1") && l.contains("help: every key")), "{help}");
}

#[test]
fn a_broken_file_names_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "theme = \"auto\"\nmouse = maybe\n").unwrap();
    let e = config::load_from(&path).unwrap_err();
    assert!(e.starts_with(&format!("{}: line 2, column", path.display())), "{e}");
    std::fs::write(&path, "theme = \"neon\"\n").unwrap();
    let e = config::load_from(&path).unwrap_err();
    assert!(e.contains("line 1") && e.contains("not one of auto, dark, light, high-contrast, mono"), "{e}");
}
