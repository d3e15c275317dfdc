//! Unit tests of `update` driven through the keymap: navigation, expansion, filter, reference jumps back
//! and forward, problems, focus, mouse, boundary view, resize; and the run loop.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use super::event::{click, key_with, wheel};
use super::harness::{self, press, send, type_keys};
use super::state::tree::Sel;
use super::state::{Mode, Model as App, Pane};
use super::ui::layout::inner;
use super::{Msg, ScriptSource};
use crate::evidence::{LoadOptions, load_path};
use crate::health::Status;
use crate::samples;

fn sample(name: &str) -> App {
    let ev = samples::load(name, &LoadOptions::default()).unwrap();
    harness::app(ev, None, 100, 30)
}

/// A sample read from disk, as `closeout PATH` opens it, evaluated as of the samples' time.
fn on_disk(file: &str) -> App {
    let ev = load_path(&samples::on_disk::path(file), &LoadOptions::default()).unwrap();
    harness::app(ev, crate::time::parse_instant(samples::on_disk::AS_OF), 100, 30)
}

fn selected(app: &App) -> Sel {
    app.tree.selection().expect("a selection")
}

fn selected_node(app: &App) -> usize {
    match selected(app) {
        Sel::Node(n) => n,
        other => panic!("expected a node row, got {other:?}"),
    }
}

/// Select the row showing `sel`.
fn select(app: &mut App, sel: Sel) {
    let row = app.tree.rows().iter().position(|r| r.sel == sel).expect("row is visible");
    let cur = app.tree.selected_row();
    let key = if row > cur { 'j' } else { 'k' };
    for _ in 0..row.abs_diff(cur) {
        type_keys(app, &key.to_string());
    }
    assert_eq!(selected(app), sel);
}

#[test]
fn opens_on_the_first_node_with_small_groups_expanded() {
    let app = on_disk("accepted-risk-store.json");
    assert!(matches!(selected(&app), Sel::Node(_)));
    assert_eq!(app.tree.selected_row(), 1, "first row is the readiness bundle group, then its newest node");
    // 22 kinds, 28 nodes, all groups open.
    assert_eq!(app.tree.rows().len(), 22 + 28);
    let first = selected_node(&app);
    assert!(app.evidence.nodes[first].latest, "newest first: the latest readiness bundle leads its group");
}

#[test]
fn navigation_keys_move_the_selection() {
    let mut app = on_disk("accepted-risk-store.json");
    let len = app.tree.rows().len();
    type_keys(&mut app, "j");
    assert_eq!(app.tree.selected_row(), 2);
    type_keys(&mut app, "k");
    assert_eq!(app.tree.selected_row(), 1);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.tree.selected_row(), 2);
    type_keys(&mut app, "G");
    assert_eq!(app.tree.selected_row(), len - 1);
    type_keys(&mut app, "g");
    assert_eq!(app.tree.selected_row(), 0);
    press(&mut app, KeyCode::PageDown);
    let page = app.tree.selected_row();
    assert!(page > 10, "a page moves by the pane height, got {page}");
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.tree.selected_row(), 0);
    type_keys(&mut app, "kkk");
    assert_eq!(app.tree.selected_row(), 0, "clamped at the top");
}

#[test]
fn the_viewport_follows_the_selection() {
    let mut app = on_disk("accepted-risk-store.json");
    type_keys(&mut app, "G");
    let h = inner(app.areas().unwrap().tree).height as usize;
    assert_eq!(app.tree.offset, app.tree.rows().len() - h);
    type_keys(&mut app, "g");
    assert_eq!(app.tree.offset, 0);
}

#[test]
fn collapse_and_expand_a_group() {
    let mut app = on_disk("accepted-risk-store.json");
    let before = app.tree.rows().len();
    type_keys(&mut app, "h");
    assert_eq!(selected(&app), Sel::Group(0), "h on a closed node goes to its group");
    type_keys(&mut app, "h");
    assert_eq!(app.tree.rows().len(), before - 2, "the readiness bundle group hides its 2 nodes");
    assert!(!app.tree.is_group_open(0));
    type_keys(&mut app, "l");
    assert_eq!(app.tree.rows().len(), before);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.tree.rows().len(), before - 2, "Enter toggles a group");
}

#[test]
fn expand_a_node_to_its_references_and_collapse_it() {
    let mut app = on_disk("accepted-risk-store.json");
    let n = selected_node(&app);
    let refs = app.evidence.references(n).unwrap().len();
    assert!(refs > 0);
    let before = app.tree.rows().len();
    type_keys(&mut app, "l");
    assert_eq!(app.tree.rows().len(), before + refs);
    assert!(app.tree.is_node_open(n));
    type_keys(&mut app, "l");
    assert_eq!(selected(&app), Sel::Ref { node: n, index: 0 }, "l on an open node moves to its first reference");
    type_keys(&mut app, "h");
    assert_eq!(selected(&app), Sel::Node(n), "h on a reference goes to its node");
    type_keys(&mut app, "h");
    assert_eq!(app.tree.rows().len(), before);
}

#[test]
fn expand_all_opens_nodes_and_collapse_all_closes_groups() {
    let mut app = on_disk("accepted-risk-store.json");
    let total_refs: usize = (0..app.evidence.nodes.len()).map(|n| app.evidence.references(n).unwrap().len()).sum();
    type_keys(&mut app, "E");
    assert_eq!(app.tree.rows().len(), 22 + 28 + total_refs);
    type_keys(&mut app, "C");
    assert_eq!(app.tree.rows().len(), 22);
    assert_eq!(selected(&app), Sel::Group(0), "the selection moves to the group that held it");
}

#[test]
fn filter_typing_counts_matches_and_esc_clears() {
    let mut app = on_disk("accepted-risk-store.json");
    let all = app.tree.rows().len();
    type_keys(&mut app, "f");
    assert!(matches!(app.mode, Mode::Filter(_)));
    type_keys(&mut app, "retry");
    assert_eq!(app.filter_text, "retry");
    // Kind "retry plan" (2 nodes) and the ids containing "retry" (the same 2 retry plans).
    assert_eq!(app.tree.match_count, 2);
    assert_eq!(app.tree.rows().len(), 1 + 2);
    assert!(harness::screen(&app).contains("[FILTER] retry"));
    press(&mut app, KeyCode::Backspace);
    assert_eq!(app.filter_text, "retr");
    type_keys(&mut app, "y");
    press(&mut app, KeyCode::Esc);
    assert!(!matches!(app.mode, Mode::Filter(_)));
    assert_eq!(app.filter_text, "");
    assert_eq!(app.tree.rows().len(), all);
}

#[test]
fn filter_matches_state_text_and_enter_keeps_it() {
    let mut app = on_disk("accepted-risk-store.json");
    type_keys(&mut app, "fskipped");
    assert_eq!(app.tree.match_count, 1, "one execution record has execution_status skipped");
    press(&mut app, KeyCode::Enter);
    assert!(!matches!(app.mode, Mode::Filter(_)));
    assert_eq!(app.tree.filter(), "skipped");
    // j and q are keys again, not text.
    type_keys(&mut app, "j");
    assert_eq!(app.filter_text, "skipped");
    let n = selected_node(&app);
    assert_eq!(app.evidence.nodes[n].kind.name(), "execution record");
    // Esc in the tree clears a kept filter; the selection survives by identity.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.tree.filter(), "");
    assert_eq!(selected(&app), Sel::Node(n));
}

#[test]
fn filter_is_case_insensitive_and_can_match_nothing() {
    let mut app = on_disk("accepted-risk-store.json");
    type_keys(&mut app, "fGORDACKFINALMANIFEST");
    assert_eq!(app.tree.match_count, 1);
    press(&mut app, KeyCode::Esc);
    type_keys(&mut app, "fzzzz-no-such");
    assert_eq!(app.tree.match_count, 0);
    assert!(app.tree.rows().is_empty());
    assert!(harness::screen(&app).contains("nothing matches"));
}

#[test]
fn reference_jump_and_back() {
    let mut app = on_disk("accepted-risk-store.json");
    // The latest retention alert plan references the retention health report.
    let plan = app.evidence.nodes.iter().position(|n| n.kind.name() == "retention alert plan").unwrap();
    select(&mut app, Sel::Node(plan));
    type_keys(&mut app, "ll");
    let r = selected(&app);
    let Sel::Ref { node, index } = r else { panic!("{r:?}") };
    assert_eq!(node, plan);
    let target = app.tree.reference(node, index).unwrap().targets[0];
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected(&app), Sel::Node(target), "Enter on a reference jumps to its target");
    assert_eq!(app.history.backs(), &[r]);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(selected(&app), r, "Backspace goes back to the reference row");
    assert_eq!(app.history.back_len(), 0);
    press(&mut app, KeyCode::Backspace);
    assert!(app.status.as_deref().unwrap_or("").contains("no jump"));
    send(&mut app, &key_with(KeyCode::Right, KeyModifiers::ALT));
    assert_eq!(selected(&app), Sel::Node(target), "Alt-→ goes forward again");
    send(&mut app, &key_with(KeyCode::Char('o'), KeyModifiers::CONTROL));
    assert_eq!(selected(&app), r, "Ctrl-O goes back");
}

#[test]
fn jumping_reveals_a_target_in_a_closed_group_and_clears_a_hiding_filter() {
    let mut app = on_disk("accepted-risk-store.json");
    let plan = app.evidence.nodes.iter().position(|n| n.kind.name() == "retention alert plan").unwrap();
    select(&mut app, Sel::Node(plan));
    type_keys(&mut app, "ll");
    let Sel::Ref { node, index } = selected(&app) else { panic!() };
    let target = app.tree.reference(node, index).unwrap().targets[0];
    let g = app.tree.group_of(target);
    // Close the target's group and filter the target out.
    let r = selected(&app);
    type_keys(&mut app, "C");
    assert!(!app.tree.is_group_open(g));
    type_keys(&mut app, "E");
    assert!(app.tree.select(r));
    type_keys(&mut app, "falert");
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected(&app), r);
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected(&app), Sel::Node(target));
    assert_eq!(app.tree.filter(), "", "the filter hid the target, so it was cleared");
}

#[test]
fn dangling_references_say_so() {
    // A trial package never ships its upstream evidence: those references are "not included", not dangling.
    let mut app = sample("trial-walkthrough");
    let bundle = app.evidence.nodes.iter().position(|n| n.kind.name() == "readiness bundle").unwrap();
    select(&mut app, Sel::Node(bundle));
    type_keys(&mut app, "ll");
    let screen = harness::screen(&app);
    assert!(screen.contains("not included") && !screen.contains('⚠') && !screen.contains("dangling"), "{screen}");
    let before = selected(&app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected(&app), before, "an unshipped reference goes nowhere");
    assert!(app.status.as_deref().unwrap().starts_with("not included in this evidence"), "{:?}", app.status);

    // A store that holds the id's family but not the id: dangling.
    // (tests/data/chain/references: one genuinely dangling review_id.)
    let store = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chain/references/store.json");
    let ev = load_path(&store, &LoadOptions::default()).unwrap();
    let node = ev.find("gordackfinalretentiondecision-875a90e35d6e07f3")[0];
    let mut app = harness::app(ev, crate::time::parse_instant(samples::on_disk::AS_OF), 100, 30);
    select(&mut app, Sel::Node(node));
    type_keys(&mut app, "ll");
    let rows = app.tree.refs_of(node).unwrap();
    let index = rows.iter().position(|r| r.targets.is_empty()).unwrap();
    assert!(rows[index].dangling);
    select(&mut app, Sel::Ref { node, index });
    let screen = harness::screen(&app);
    assert!(screen.contains("⚠ gordackfin…01780a8a0a") && screen.contains("resolves  ⚠ dangling"), "{screen}");
    let before = selected(&app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected(&app), before, "a dangling reference goes nowhere");
    assert!(app.status.as_deref().unwrap().contains("dangling reference"));
}

#[test]
fn next_problem_cycles_through_warn_and_fail_nodes() {
    let mut app = on_disk("accepted-risk-store.json");
    let problems = app.tree.problems().to_vec();
    assert!(problems.len() >= 3, "{problems:?}");
    let mut seen = Vec::new();
    for _ in 0..problems.len() {
        type_keys(&mut app, "p");
        let n = selected_node(&app);
        assert!(matches!(app.tree.status[n], Some(Status::Warn | Status::Fail)));
        seen.push(n);
    }
    assert_eq!(seen, problems, "n visits the problems in tree order");
    type_keys(&mut app, "p");
    assert_eq!(selected_node(&app), problems[0], "and wraps around");
    type_keys(&mut app, "P");
    assert_eq!(selected_node(&app), *problems.last().unwrap());
    assert!(app.status.as_deref().unwrap().starts_with("problem"));
}

#[test]
fn next_problem_on_clean_evidence_says_there_is_none() {
    let mut app = sample("clean-store");
    let before = selected(&app);
    type_keys(&mut app, "p");
    assert_eq!(selected(&app), before);
    assert!(app.status.as_deref().unwrap().contains("no node has a problem"));
}

#[test]
fn tab_switches_focus_and_keys_follow_it() {
    let mut app = on_disk("accepted-risk-store.json");
    let row = app.tree.selected_row();
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Detail);
    type_keys(&mut app, "jjj");
    assert_eq!(app.detail.cursor, 3);
    assert_eq!(app.tree.selected_row(), row, "j moves in the detail, not the tree");
    type_keys(&mut app, "G");
    assert!(app.detail.scroll > 3);
    let bottom = app.detail.cursor;
    assert_eq!(bottom, app.detail.lines.len() - 1);
    type_keys(&mut app, "j");
    assert_eq!(app.detail.cursor, bottom, "clamped at the end");
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, Pane::Tree);
    type_keys(&mut app, "j");
    assert_eq!(app.tree.selected_row(), row + 1);
    assert_eq!((app.detail.scroll, app.detail.cursor), (0, 0), "a new selection shows its detail from the top");
}

#[test]
fn mouse_click_selects_the_row_under_it_and_wheel_scrolls() {
    let mut app = on_disk("accepted-risk-store.json");
    let tree = inner(app.areas().unwrap().tree);
    send(&mut app, &click(tree.x + 5, tree.y + 4));
    assert_eq!(app.tree.selected_row(), 4);
    let a = app.areas().unwrap();
    send(&mut app, &click(a.detail.x + 3, a.detail.y + 3));
    assert_eq!(app.focus, Pane::Detail);
    send(&mut app, &wheel(a.detail.x + 3, a.detail.y + 3, true));
    assert_eq!(app.detail.scroll, 3);
    send(&mut app, &wheel(tree.x + 3, tree.y + 3, true));
    assert_eq!(app.tree.offset, 3, "the wheel scrolls the tree viewport");
    assert_eq!(app.tree.selected_row(), 4, "without moving the selection");
    send(&mut app, &click(tree.x + 5, tree.y));
    assert_eq!(app.tree.selected_row(), 3, "clicks hit the scrolled rows");
    assert_eq!(app.focus, Pane::Tree);
}

#[test]
fn help_and_boundary_overlays_open_and_close() {
    let mut app = sample("leaked-connector-secret");
    type_keys(&mut app, "?");
    assert!(matches!(app.mode, Mode::Help(_)));
    type_keys(&mut app, "jj");
    let Mode::Help(h) = &app.mode else { panic!() };
    assert_eq!(h.scroll, 2);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
    type_keys(&mut app, "b");
    let Mode::Boundary(b) = &app.mode else { panic!("{:?}", app.mode) };
    assert_eq!(b.model.exposed, 2);
    let first = b.model.entries[0].node.unwrap();
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(selected(&app), Sel::Node(first), "Enter on an entry selects its node");
    press(&mut app, KeyCode::Backspace);
    assert_ne!(selected(&app), Sel::Node(first), "and it is a jump you can go back from");
}

#[test]
fn ctrl_c_quits_even_while_typing_a_filter() {
    let mut app = sample("clean-store");
    type_keys(&mut app, "fab");
    send(&mut app, &key_with(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.quit);
    let mut app = sample("clean-store");
    type_keys(&mut app, "fq");
    assert!(!app.quit, "q is text while filtering");
    press(&mut app, KeyCode::Esc);
    type_keys(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn resize_below_the_minimum_shows_a_message_and_keys_still_work() {
    let mut app = sample("trial-walkthrough");
    harness::apply(&mut app, Msg::Resize { width: 60, height: 20 });
    let screen = harness::screen(&app);
    assert!(screen.contains("terminal too small (need 80×24, have 60×20)"), "{screen}");
    for c in "jjjlhECfx/y".chars() {
        type_keys(&mut app, &c.to_string());
    }
    press(&mut app, KeyCode::Esc);
    send(&mut app, &click(10, 10));
    send(&mut app, &wheel(10, 10, true));
    let _ = harness::screen(&app);
    for (w, h) in [(1, 1), (0, 0), (79, 24), (80, 23), (80, 24), (300, 100)] {
        harness::apply(&mut app, Msg::Resize { width: w, height: h });
        let _ = harness::screen(&app);
    }
    assert_eq!(app.area.width, 300);
}

#[test]
fn the_run_loop_drives_the_app_from_a_script() {
    let mut app = sample("clean-store");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    let mut source = ScriptSource::typing("jj?");
    source.push_key(KeyCode::Esc).push_key(KeyCode::Char('q'));
    let clock = super::FixedClock(crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap());
    super::run_app(&mut terminal, &mut app, &mut source, &clock, std::time::Duration::ZERO).unwrap();
    assert!(app.quit);
    assert_eq!(app.now, Some(clock.0));
    assert_eq!(app.tree.selected_row(), 3);
    let shown = format!("{}", terminal.backend());
    assert!(shown.contains("READY FOR RELEASE"), "{shown}");
}
