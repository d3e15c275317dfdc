//! Key-injection tests of the modes the explorer core added: search and n/N across nodes, the filter
//! toggles, copy (`y` and a follow-up key) with a redaction copying as its marker, the palette, the message
//! log, the release picker, widening the detail, half-page moves, help search; and the race between a
//! reload and a running health evaluation (results of older evidence are dropped).

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use super::event::key_with;
use super::harness::{self, ctrl, press, send, type_keys};
use super::runtime::{self, Effect, Shared, Source, Work};
use super::state::tree::{Sel, Tree};
use super::state::{Mode, Model as App, Pane};
use super::{Action, Msg};
use crate::evidence::{LoadOptions, load_path};
use crate::health::Verdict;
use crate::health::run::{HealthEvent, HealthRun};
use crate::samples;
use crate::time::parse_instant;

fn on_disk(file: &str) -> App {
    let ev = load_path(&samples::on_disk::path(file), &LoadOptions::default()).unwrap();
    harness::app(ev, parse_instant(samples::on_disk::AS_OF), 100, 30)
}

fn sample(name: &str) -> App {
    let ev = samples::load(name, &LoadOptions::default()).unwrap();
    harness::app(ev, None, 100, 30)
}

fn selected_node(app: &App) -> usize {
    app.tree.selection().and_then(Tree::node_of).expect("a node is selected")
}

/// The one copy effect a key sequence asked for.
fn copied(fx: &[Effect]) -> (&'static str, String) {
    match fx {
        [Effect::Copy { what, text }] => (what, text.clone()),
        other => panic!("expected one copy, got {other:?}"),
    }
}

#[test]
fn search_matches_field_values_and_n_steps_across_nodes() {
    let mut app = on_disk("accepted-risk-store.json");
    // "HTTP request failed" is a field value of the failed delivery only, not an id, kind or state.
    let fx = type_keys(&mut app, "/");
    assert!(matches!(app.mode, Mode::Search(_)));
    assert!(fx.is_empty(), "small evidence is indexed inline");
    type_keys(&mut app, "webhook");
    let hits = app.search.matches.clone();
    assert!(hits.len() >= 2, "webhook is in more than one artifact's fields: {hits:?}");
    let screen = harness::screen(&app);
    assert!(screen.contains("[SEARCH] webhook"), "{screen}");
    assert!(screen.contains(&format!("{} artifacts match", hits.len())), "{screen}");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::Normal));
    let first = selected_node(&app);
    assert!(hits.contains(&first));
    assert!(app.status.as_deref().unwrap().starts_with(&format!("match 1 of {}", hits.len())));
    // The detail's cursor sits on a line holding the match.
    let line = app.detail.lines[app.detail.cursor].to_string().to_lowercase();
    assert!(line.contains("webhook"), "{line}");
    type_keys(&mut app, "n");
    let second = selected_node(&app);
    assert_ne!(first, second, "n moves to the next node that matches");
    assert!(hits.contains(&second));
    type_keys(&mut app, "N");
    assert_eq!(selected_node(&app), first, "N moves back");
    // n/N are search keys; next-problem is p, so the two never clash.
    type_keys(&mut app, "p");
    assert!(app.status.as_deref().unwrap().starts_with("problem"));
    press(&mut app, KeyCode::Esc);
    assert!(!app.search.active(), "Esc clears the search");
    type_keys(&mut app, "n");
    assert!(app.status.as_deref().unwrap().starts_with("no search"));
}

#[test]
fn search_for_nothing_says_so_and_a_secret_never_matches() {
    let mut app = sample("leaked-connector-secret");
    type_keys(&mut app, "/zzzz-no-such-text");
    assert!(app.search.matches.is_empty());
    press(&mut app, KeyCode::Enter);
    assert!(app.status.as_deref().unwrap().starts_with("no field of any artifact contains"));
    // The marker is searchable; the redacted value is not there to match.
    type_keys(&mut app, "/");
    ctrl(&mut app, 'u');
    type_keys(&mut app, "«redacted");
    assert!(!app.search.matches.is_empty(), "redaction markers are searchable");
}

#[test]
fn filter_toggles_keep_problems_or_hide_superseded_versions() {
    let mut app = on_disk("accepted-risk-store.json");
    let all = app.tree.rows().len();
    type_keys(&mut app, "F");
    assert!(app.tree.problems_only());
    let rows = app.tree.rows().to_vec();
    assert!(rows.len() < all);
    for r in &rows {
        if let Sel::Node(n) = r.sel {
            assert!(app.tree.problems().contains(&n), "only problem nodes are kept");
        }
    }
    assert!(harness::screen(&app).contains("problems only"));
    type_keys(&mut app, "F");
    assert_eq!(app.tree.rows().len(), all);
    type_keys(&mut app, "V");
    assert!(app.tree.hide_superseded());
    for r in app.tree.rows() {
        if let Sel::Node(n) = r.sel {
            assert!(app.evidence.nodes[n].latest, "superseded versions are hidden");
        }
    }
    assert!(app.tree.rows().len() < all, "the store has superseded versions");
    press(&mut app, KeyCode::Esc);
    assert!(!app.tree.hide_superseded(), "Esc clears the filter and its toggles");
}

#[test]
fn copy_takes_a_follow_up_key_and_a_redaction_copies_as_its_marker() {
    let mut app = sample("leaked-connector-secret");
    let n = selected_node(&app);
    let fx = type_keys(&mut app, "y");
    assert!(fx.is_empty() && matches!(app.mode, Mode::Copy));
    assert!(harness::screen(&app).contains("jq"), "the footer lists what can be copied");
    let (what, text) = copied(&type_keys(&mut app, "i"));
    assert_eq!(what, "the artifact id");
    assert_eq!(text, app.evidence.nodes[n].id.to_string());
    assert!(matches!(app.mode, Mode::Normal));
    let (_, pointer) = copied(&type_keys(&mut app, "yp"));
    assert_eq!(pointer, crate::sanitize::clean(&app.evidence.nodes[n].pointer));
    let (_, jq) = copied(&type_keys(&mut app, "yj"));
    assert!(jq.starts_with('.'), "{jq}");
    let (_, cmd) = copied(&type_keys(&mut app, "yc"));
    assert!(cmd.starts_with("closeout check ") && cmd.contains("--as-of"), "{cmd}");
    let (_, sha) = copied(&type_keys(&mut app, "ys"));
    assert_eq!(sha.len(), 64, "{sha}");
    type_keys(&mut app, "y");
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.status.as_deref(), Some("nothing copied"));

    // The delivery whose authorization header is in the clear in the file: walk its detail lines and copy
    // each value; the secret's distinctive tail must never be in a copy.
    let raw: serde_json::Value =
        serde_json::from_slice(samples::bytes(&samples::get("leaked-connector-secret").unwrap())).unwrap();
    let mut secrets = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, c) in o {
                    match c {
                        serde_json::Value::String(s) if k == "authorization" => {
                            out.push(s.chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect())
                        }
                        _ => walk(c, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    walk(&raw, &mut secrets);
    assert!(!secrets.is_empty());
    let d = app.evidence.nodes.iter().position(|n| n.kind.name() == "closeout delivery").unwrap();
    harness::apply(&mut app, Msg::FocusNode(d));
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Detail);
    let mut markers = 0;
    for _ in 0..app.detail.lines.len() {
        let fx = type_keys(&mut app, "yv");
        if let [Effect::Copy { text, .. }] = fx.as_slice() {
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "a secret reached the clipboard: {text}");
            }
            if text.contains("«REDACTED") {
                markers += 1;
            }
        }
        type_keys(&mut app, "j");
    }
    assert!(markers >= 1, "a redacted field copies as its marker");
}

#[test]
fn the_palette_runs_actions_and_jumps_to_artifacts_and_criteria() {
    let mut app = on_disk("accepted-risk-store.json");
    type_keys(&mut app, ":");
    assert!(matches!(app.mode, Mode::Palette(_)));
    type_keys(&mut app, "boundry");
    let screen = harness::screen(&app);
    assert!(screen.contains("boundary"), "fuzzy: a typo still finds it\n{screen}");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::Boundary(_)), "{:?}", app.mode);
    press(&mut app, KeyCode::Esc);
    // An artifact id.
    let target = app.evidence.nodes.iter().position(|n| n.kind.name() == "closeout delivery").unwrap();
    let id = app.evidence.nodes[target].id.to_string();
    ctrl(&mut app, 'p');
    type_keys(&mut app, &id);
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected_node(&app), target, "Enter on an artifact entry jumps to it");
    // A criterion opens the health pane on it.
    type_keys(&mut app, ":retry_workflow");
    press(&mut app, KeyCode::Enter);
    assert!(app.health_visible());
    // Esc closes without doing anything.
    type_keys(&mut app, ":q");
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
    assert!(!app.quit, "q was typed into the palette, not run");
}

#[test]
fn the_message_log_keeps_every_message() {
    let mut app = sample("clean-store");
    type_keys(&mut app, "p");
    let said = app.status.clone().unwrap();
    type_keys(&mut app, "j");
    assert!(app.status.is_none(), "the footer message goes with the next key");
    type_keys(&mut app, "L");
    assert!(matches!(app.mode, Mode::Log(_)));
    assert!(app.log.entries().iter().any(|(_, t)| *t == said));
    assert!(harness::screen(&app).contains(&said[..40.min(said.len())]));
    type_keys(&mut app, "q");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(!app.quit, "q closes the log");
}

#[test]
fn widen_and_half_page_moves() {
    let mut app = on_disk("accepted-risk-store.json");
    let narrow = app.areas().unwrap().detail.width;
    type_keys(&mut app, "z");
    assert!(app.wide);
    assert!(app.areas().unwrap().detail.width > narrow, "z gives the detail more room");
    type_keys(&mut app, "z");
    assert_eq!(app.areas().unwrap().detail.width, narrow);
    let h = app.tree_height();
    let row = app.tree.selected_row();
    ctrl(&mut app, 'd');
    let half = app.tree.selected_row() - row;
    assert!(half > 1 && half < h, "half a page: {half} of {h}");
    ctrl(&mut app, 'u');
    assert_eq!(app.tree.selected_row(), row);
}

#[test]
fn help_search_filters_lines_and_shows_this_modes_keys_first() {
    let mut app = sample("clean-store");
    type_keys(&mut app, "?");
    assert!(harness::screen(&app).contains("Keys here (tree)"));
    type_keys(&mut app, "/sha");
    let Mode::Help(h) = &app.mode else { panic!("{:?}", app.mode) };
    assert!(h.typing);
    let all = app.help_lines.clone();
    let v = h.visible(&all);
    assert!(!v.is_empty() && v.iter().all(|l| l.to_string().to_lowercase().contains("sha")));
    press(&mut app, KeyCode::Enter);
    type_keys(&mut app, "q");
    assert!(matches!(app.mode, Mode::Normal), "q closes help once the query is kept");
}

#[test]
fn the_release_picker_evaluates_another_release() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chain/two-releases/store.json");
    let ev = load_path(&path, &LoadOptions::default()).unwrap();
    let mut app = harness::app(ev, parse_instant("2026-09-14T10:00:00Z"), 120, 36);
    assert_eq!(app.report.release_label(), "REL-2026.09-payments-api");
    let screen = harness::screen(&app);
    assert!(screen.contains("REL-2026.09-payments-api"), "the header names the evaluated release\n{screen}");
    type_keys(&mut app, "R");
    let Mode::Releases(at) = app.mode else { panic!("{:?}", app.mode) };
    assert!(harness::screen(&app).contains("REL-2026.08-payments-api"), "the other release is listed");
    let other = app.report.chain.releases.iter().position(|r| !r.evaluated && r.name.is_some()).unwrap();
    let key = if other > at { KeyCode::Down } else { KeyCode::Up };
    for _ in 0..other.abs_diff(at) {
        press(&mut app, key);
    }
    let fx = press(&mut app, KeyCode::Enter);
    let [Effect::RunHealth { release: Some(r), .. }] = fx.as_slice() else { panic!("{fx:?}") };
    assert_eq!(r.to_string(), "REL-2026.08-payments-api");
    harness::run(&mut app, fx);
    assert_eq!(app.report.release_label(), "REL-2026.08-payments-api");
    assert!(app.status.as_deref().unwrap().starts_with("evaluated release REL-2026.08-payments-api"));
    // The copied command reproduces the view.
    let (_, cmd) = copied(&type_keys(&mut app, "yc"));
    assert!(cmd.contains("--release REL-2026.08-payments-api"), "{cmd}");
}

/// Many releases whose names share a long prefix: the picker keeps each name whole where the screen has room
/// and both of its ends where it has not, and scrolls so the selected release is always on screen.
#[test]
fn the_release_picker_tells_long_names_apart_and_scrolls_to_the_selection() {
    use crate::evidence::Kind;
    let name = |i: usize| format!("REL-2026.06-go-backend-rollback-drill-{i:05}");
    let items: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            let k = Kind::CloseoutSummary;
            let mut it = serde_json::json!({
                "metadata_kind": k.metadata_kind(), "session_id": format!("rcs-{i}"),
                "created_at": format!("2026-06-01T09:{:02}:00Z", i % 60), "release_record_ref": name(i),
            });
            it[k.embed_key().unwrap()] = serde_json::json!({ k.id_field().unwrap(): format!("rcs-{i}") });
            it
        })
        .collect();
    let doc = serde_json::to_vec(&serde_json::json!({ "items": items })).unwrap();
    let ev = crate::evidence::load_bytes("store.json", doc, &LoadOptions::default()).unwrap();
    let mut app = harness::app(ev, parse_instant("2026-06-02T10:00:00Z"), 120, 24);
    type_keys(&mut app, "R");
    let Mode::Releases(at) = app.mode else { panic!("{:?}", app.mode) };
    let rels = app.report.chain.releases.clone();
    assert_eq!(rels.len(), 40);
    for _ in at..rels.len() - 1 {
        press(&mut app, KeyCode::Down);
    }
    let last = rels.last().unwrap().label();
    let screen = harness::screen(&app);
    let row = screen.lines().find(|l| l.contains("┃▶")).unwrap_or_else(|| panic!("no selected row\n{screen}"));
    assert!(row.contains(&last), "the selected release is on screen, named in full\n{screen}");
    // Narrow: names are cut in the middle, so each still ends as it does.
    harness::apply(&mut app, Msg::Resize { width: 80, height: 24 });
    let screen = harness::screen(&app);
    let row = screen.lines().find(|l| l.contains("┃▶")).unwrap_or_else(|| panic!("no selected row\n{screen}"));
    assert!(!row.contains(&last) && row.contains('…'), "{screen}");
    assert!(row.contains(&last[last.len() - 5..]), "the end of the name is kept\n{screen}");
}

#[test]
fn rerunning_health_keeps_the_tree_and_says_so() {
    let mut app = on_disk("accepted-risk-store.json");
    type_keys(&mut app, "jjjl");
    let (sel, rows, offset) = (app.tree.selection(), app.tree.rows().len(), app.tree.offset);
    type_keys(&mut app, "c");
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    let fx = type_keys(&mut app, "c");
    assert!(matches!(fx.as_slice(), [Effect::RunHealth { .. }]), "{fx:?}");
    harness::run(&mut app, fx);
    assert_eq!((app.tree.selection(), app.tree.rows().len(), app.tree.offset), (sel, rows, offset));
    let status = app.status.clone().unwrap();
    assert!(status.starts_with("health re-ran: verdict blocked, unchanged; the tree is as it was"), "{status}");
}

/// A reload finishes while a health run on the old evidence is still reporting: the old run's events carry
/// the old generation and are dropped, so its verdict never replaces the reloaded one.
#[test]
fn a_reload_during_a_health_run_drops_the_old_runs_results() {
    let dir = tempfile::tempdir().unwrap();
    let t = parse_instant(samples::on_disk::AS_OF).unwrap();
    let (mut app, path) =
        harness::live_copy(dir.path(), &samples::on_disk::path("accepted-risk-store.json"), t, 100, 30);
    assert_eq!(app.report.verdict, Verdict::Blocked);
    let old = app.evidence.generation;
    // 1. A live health run starts on the old evidence.
    let fx = type_keys(&mut app, "c");
    let [Effect::RunHealth { evidence, acceptances, as_of, release }] = fx.as_slice() else { panic!("{fx:?}") };
    let run = HealthRun::start_release(Arc::clone(evidence), acceptances.clone(), *as_of, release.clone());
    assert_eq!(run.generation, old);
    let events: Vec<HealthEvent> = run.events.iter().collect();
    let (first_half, rest) = events.split_at(events.len() / 2);
    for e in first_half {
        harness::apply(&mut app, Msg::Work(Work::Health { generation: old, event: Shared::new(e.clone()) }));
    }
    assert!(app.health.running, "half-way through the run");
    // 2. The file changes on disk and the reload lands first: clean evidence, ready for release.
    std::fs::copy(samples::on_disk::path("clean-store.json"), &path).unwrap();
    let fx = harness::apply(&mut app, Msg::Work(Work::EvidenceChanged));
    let [Effect::Load { source, options, reviews, as_of, release }] = fx.as_slice() else { panic!("{fx:?}") };
    assert_eq!(source, &Source::Path(path.clone()));
    let loaded = runtime::load(source, options, reviews, *as_of, release.as_ref()).unwrap();
    harness::apply(&mut app, Msg::Work(Work::Loaded(Shared::new(Ok(loaded)))));
    assert_ne!(app.evidence.generation, old);
    assert_eq!(app.report.verdict, Verdict::ReadyForRelease);
    // 3. The old run's remaining events, its verdict among them, arrive late: dropped.
    assert!(rest.iter().any(|e| matches!(e, HealthEvent::Done(_))));
    for e in rest {
        harness::apply(&mut app, Msg::Work(Work::Health { generation: old, event: Shared::new(e.clone()) }));
    }
    assert_eq!(app.report.verdict, Verdict::ReadyForRelease, "the stale run's blocked verdict was dropped");
    assert_eq!(app.report.generation, app.evidence.generation);
    assert!(harness::screen(&app).contains("READY FOR RELEASE"));
    // A review save that lands after the reload closed its review is not applied (and is reported).
    let before = app.live.reviews.len();
    harness::apply(
        &mut app,
        Msg::Work(Work::ReviewSaved { generation: old, result: Shared::new(Ok(dir.path().join("r.json"))) }),
    );
    assert_eq!(app.live.reviews.len(), before);
}

#[test]
fn bracketed_paste_goes_into_the_text_input_only() {
    let mut app = sample("clean-store");
    let paste = super::event::paste("jjjq");
    assert_eq!(app.msg_for(&paste), None, "a paste over the panes is not keys");
    type_keys(&mut app, "f");
    send(&mut app, &paste);
    assert_eq!(app.filter_text, "jjjq");
    assert!(!app.quit);
    // Alt-→ and Ctrl-N go forward through the jump history (none yet: says so).
    send(&mut app, &key_with(KeyCode::Esc, KeyModifiers::NONE));
    harness::apply(&mut app, Action::Forward);
    assert_eq!(app.status.as_deref(), Some("no jump to go forward to"));
}

#[test]
fn search_matches_are_highlighted_in_the_tree_and_the_detail() {
    use ratatui::style::Modifier;
    let mut app = on_disk("accepted-risk-store.json");
    type_keys(&mut app, "/webhook");
    press(&mut app, KeyCode::Enter);
    let buf = harness::buffer(&app);
    let detail = app.areas().unwrap().detail;
    let mut in_detail = 0;
    for y in 0..buf.area.height {
        let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
        let chars: Vec<char> = row.chars().collect();
        let text: String = chars.iter().collect::<String>().to_lowercase();
        if let Some(at) = text.find("webhook") {
            let x = text[..at].chars().count() as u16;
            if (detail.x..detail.right()).contains(&x) {
                in_detail += 1;
            }
            for i in 0..7 {
                assert!(buf[(x + i, y)].modifier.contains(Modifier::UNDERLINED), "row {y}: {row}");
            }
        }
    }
    assert!(in_detail >= 1, "the match is highlighted in the detail pane");
}

#[test]
fn references_are_followed_from_the_detail_pane() {
    let mut app = on_disk("accepted-risk-store.json");
    let start = selected_node(&app);
    press(&mut app, KeyCode::Tab);
    let line = (0..app.detail.lines.len())
        .find(|&i| {
            app.detail.cursor = i;
            matches!(app.detail.target(), Some(super::state::detail::Target::Node(_)))
        })
        .expect("the detail lists a reference to another artifact");
    app.detail.cursor = line;
    let Some(super::state::detail::Target::Node(to)) = app.detail.target().cloned() else { unreachable!() };
    press(&mut app, KeyCode::Enter);
    assert_eq!(selected_node(&app), to, "Enter on a reference line jumps to its target");
    assert_eq!(app.focus, Pane::Tree);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(selected_node(&app), start, "and it is a jump to go back from");
}
