//! The customer's walkthrough, driven by keys through the same keymap a person's go through: the narration
//! panel never loses a line, items are ticked by cursor, progress resumes (after `w` and after a restart),
//! the clock shows over-time, quitting with unsaved ticks asks, notes are never replaced unasked, every
//! focus target shows what it says, and a walkthrough on evidence without its target says so.

use chrono::{DateTime, Duration, Utc};
use closeout::evidence::LoadOptions;
use closeout::samples;
use closeout::tui::harness::{self, ctrl, press, type_keys};
use closeout::tui::state::Mode;
use closeout::tui::{Model, Msg, Options};
use closeout::walkthrough::{self, FocusPane};
use ratatui::crossterm::event::KeyCode;

fn trial(w: u16, h: u16) -> Model {
    let ev = samples::load("trial-walkthrough", &LoadOptions::default()).expect("sample loads");
    harness::app(ev, None, w, h)
}

fn t0() -> DateTime<Utc> {
    closeout::time::parse_instant("2026-09-14T10:00:00Z").unwrap()
}

fn open(m: &mut Model, name: &str) {
    harness::apply(m, Msg::Tick(t0()));
    let fx = harness::apply(m, Msg::OpenWalk(name.into()));
    harness::run(m, fx);
    assert!(m.walk.is_some(), "{name} opens");
}

/// The narration panel's rows as text (between its borders).
fn panel(m: &Model) -> Vec<String> {
    let a = m.areas().expect("big enough");
    let screen = harness::screen(m);
    let rows: Vec<&str> = screen.lines().collect();
    (a.narration.y + 1..a.narration.bottom() - 1).map(|y| rows[y as usize].to_string()).collect()
}

/// Scroll the panel from its top to its bottom; every body line seen, and whether the key hint showed on
/// the last row every time.
fn read_whole_panel(m: &mut Model) -> (String, bool) {
    while m.walk.as_ref().unwrap().scroll > 0 {
        type_keys(m, "{");
    }
    let mut seen = String::new();
    let mut hint_always = true;
    for _ in 0..200 {
        let rows = panel(m);
        hint_always &= rows.last().is_some_and(|l| l.contains("w close"));
        for r in &rows {
            seen.push_str(r);
            seen.push('\n');
        }
        let before = m.walk.as_ref().unwrap().scroll;
        type_keys(m, "}");
        if m.walk.as_ref().unwrap().scroll == before {
            break;
        }
    }
    (seen, hint_always)
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split_whitespace().filter(|w| w.chars().count() > 2)
}

#[test]
fn the_narration_panel_never_loses_a_line_of_any_step_of_any_walkthrough() {
    for (w, h) in [(80, 24), (120, 36)] {
        for wt in walkthrough::builtin() {
            let mut m = trial(w, h);
            open(&mut m, &wt.name);
            for (i, step) in wt.steps.iter().enumerate() {
                assert_eq!(m.walk.as_ref().unwrap().step, i);
                let (seen, hint) = read_whole_panel(&mut m);
                assert!(hint, "{} step {i} at {w}x{h}: the key hint is always on the last row", wt.name);
                let flat = seen.replace('│', " ");
                let text = [step.narration.clone(), step.checklist.join(" "), step.questions.join(" ")].join(" ");
                for word in words(&text) {
                    assert!(flat.contains(word), "{} step {i} at {w}x{h}: {word:?} never shown:\n{seen}", wt.name);
                }
                type_keys(&mut m, "]");
            }
            // The closing summary: every success item, and the S hint.
            let (seen, hint) = read_whole_panel(&mut m);
            assert!(hint && seen.contains("S save notes"), "{}: the summary shows how to save:\n{seen}", wt.name);
            for word in words(&wt.success_checklist.join(" ")) {
                assert!(seen.contains(word), "{} summary at {w}x{h}: {word:?} never shown:\n{seen}", wt.name);
            }
        }
    }
}

#[test]
fn a_panel_taller_than_its_room_says_how_much_more_there_is() {
    let mut m = trial(80, 24);
    open(&mut m, "trial-walkthrough");
    let rows = panel(&m);
    let body = m.walk_body(80).len();
    assert!(body > rows.len() - 1, "the first step is taller than the 80x24 panel");
    let more = rows.iter().find(|r| r.contains("more line")).expect("a +N more line");
    let shown = rows.len() - 2; // one row for "+N more", one for the hint
    assert!(more.contains(&format!("+{} more", body - shown)), "{more}");
    // Scrolled to the end, the last body line is shown and "+N more" is gone.
    let (seen, _) = read_whole_panel(&mut m);
    assert!(!panel(&m).iter().any(|r| r.contains("more line")), "{seen}");
    assert!(panel(&m).last().unwrap().contains("above"), "scrolled: the hint says what is above");
}

/// The step with the most checklist items (the longest, among those with as many), and the closing summary,
/// as a snapshot of the panel at 80x24 and 120x36.
#[test]
fn narration_panel_snapshots_for_the_fullest_step() {
    let wt = walkthrough::find("trial-walkthrough").unwrap();
    let most = wt.steps.iter().map(|s| s.checklist.len()).max().unwrap();
    let (idx, _) = wt
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.checklist.len() == most)
        .max_by_key(|(_, s)| s.checklist.iter().map(String::len).sum::<usize>())
        .unwrap();
    for (w, h) in [(80u16, 24u16), (120, 36)] {
        let mut m = trial(w, h);
        open(&mut m, "trial-walkthrough");
        for _ in 0..idx {
            type_keys(&mut m, "]");
        }
        // Press Esc in case the step opened a modal over the panes: the panel is what is looked at.
        if matches!(m.mode, Mode::Review(_)) {
            press(&mut m, KeyCode::Esc);
        }
        type_keys(&mut m, "Jx");
        let name = format!("walk_panel_fullest_step_{w}x{h}");
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, panel(&m).join("\n"));
        });
        while !m.walk.as_ref().unwrap().in_summary() {
            type_keys(&mut m, "]");
        }
        let name = format!("walk_panel_summary_{w}x{h}");
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, panel(&m).join("\n"));
        });
    }
}

#[test]
fn items_are_ticked_by_cursor_not_in_order() {
    let mut m = trial(120, 36);
    open(&mut m, "trial-walkthrough");
    let id = m.walk.as_ref().unwrap().current().unwrap().id.clone();
    type_keys(&mut m, "JJx");
    let w = m.walk.as_ref().unwrap();
    assert!(w.is_ticked(&id, 2) && !w.is_ticked(&id, 0) && !w.is_ticked(&id, 1), "{:?}", w.ticked);
    let rows = panel(&m);
    let third = &m.walk.as_ref().unwrap().current().unwrap().checklist[2];
    let ticked_row = rows.iter().find(|r| r.contains("[x]")).expect("a ticked box on screen");
    assert!(third.starts_with(ticked_row.split("[x] ").nth(1).unwrap().trim_end_matches('│').trim()));
    // The cursor moved on to the first open item; x there ticks it, x again unticks it.
    assert_eq!(m.walk.as_ref().unwrap().cursor, 0);
    type_keys(&mut m, "x");
    assert!(m.walk.as_ref().unwrap().is_ticked(&id, 0));
    assert_eq!(m.walk.as_ref().unwrap().cursor, 1);
    type_keys(&mut m, "Kx");
    assert!(!m.walk.as_ref().unwrap().is_ticked(&id, 0), "x on a ticked item unticks it");
    // X unticks the item under the cursor, and only that one.
    type_keys(&mut m, "JX");
    assert!(m.walk.as_ref().unwrap().is_ticked(&id, 2), "X on an open item changes nothing");
    type_keys(&mut m, "JX");
    assert!(m.walk.as_ref().unwrap().ticked.is_empty(), "{:?}", m.walk.as_ref().unwrap().ticked);
}

#[test]
fn w_resumes_the_same_walkthrough_with_its_step_ticks_and_clock() {
    let mut m = trial(120, 36);
    open(&mut m, "sales-demo");
    type_keys(&mut m, "]]x");
    harness::apply(&mut m, Msg::Tick(t0() + Duration::seconds(95)));
    let before = m.walk.as_ref().unwrap().clone();
    type_keys(&mut m, "w");
    assert!(m.walk.is_none());
    // Time passes while it is closed: the clock does not count it.
    harness::apply(&mut m, Msg::Tick(t0() + Duration::seconds(1000)));
    type_keys(&mut m, "w");
    let w = m.walk.as_ref().expect("w opens it again");
    assert_eq!(w.walkthrough.name, "sales-demo", "the same walkthrough, not the evidence's default");
    assert_eq!(w.step, before.step);
    assert_eq!(w.ticked, before.ticked);
    assert_eq!(w.elapsed_seconds(m.now), 95);
    harness::apply(&mut m, Msg::Tick(t0() + Duration::seconds(1010)));
    assert_eq!(m.walk.as_ref().unwrap().elapsed_seconds(m.now), 105, "and counts on from there");
}

fn model_with_progress(dir: &std::path::Path) -> Model {
    let ev = samples::load("trial-walkthrough", &LoadOptions::default()).unwrap();
    let when = closeout::time::AsOf::sample(ev.default_as_of.unwrap());
    let report = closeout::health::evaluate(&ev, &[], when).unwrap();
    let opts = Options { progress_dir: Some(dir.to_path_buf()), ..Options::default() };
    let (m, fx) = closeout::tui::start_model(ev, report, &opts, 120, 36);
    let mut m = m;
    harness::run(&mut m, fx);
    m
}

#[test]
fn progress_survives_a_restart_on_the_same_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = model_with_progress(dir.path());
    harness::apply(&mut m, Msg::Tick(t0()));
    let fx = type_keys(&mut m, "w]]]Jx");
    assert!(fx.iter().any(|e| matches!(e, closeout::tui::runtime::Effect::SaveProgress { .. })));
    harness::run(&mut m, fx);
    harness::apply(&mut m, Msg::Tick(t0() + Duration::seconds(42)));
    let fx = closeout::tui::update::finish(&mut m);
    harness::run(&mut m, fx);
    let step = m.walk.as_ref().unwrap().step;
    let ticked = m.walk.as_ref().unwrap().ticked.clone();
    assert_eq!(step, 3);
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "one progress file for this evidence: {files:?}");

    // A new app on the same evidence: w picks up at step 4 with the tick and the 42 seconds.
    let mut again = model_with_progress(dir.path());
    harness::apply(&mut again, Msg::Tick(t0() + Duration::seconds(5000)));
    let fx = type_keys(&mut again, "w");
    harness::run(&mut again, fx);
    let w = again.walk.as_ref().expect("opens");
    assert_eq!((w.walkthrough.name.as_str(), w.step), ("trial-walkthrough", step));
    assert_eq!(w.ticked, ticked);
    assert_eq!(w.elapsed_seconds(again.now), 42);
    assert!(again.log.entries().iter().any(|(_, l)| l.contains("resumed at step 4 of 10")), "it says it resumed");

    // Other evidence starts afresh.
    let ev = samples::load("closeout-open", &LoadOptions::default()).unwrap();
    let when = closeout::time::AsOf::sample(ev.default_as_of.unwrap());
    let report = closeout::health::evaluate(&ev, &[], when).unwrap();
    let opts = Options { progress_dir: Some(dir.path().to_path_buf()), ..Options::default() };
    let (other, _) = closeout::tui::start_model(ev, report, &opts, 120, 36);
    assert!(other.walks.saved.is_empty());

    // A damaged progress file is reported and the walkthrough starts afresh; nothing panics.
    std::fs::write(&files[0], "{ not json").unwrap();
    let broken = model_with_progress(dir.path());
    assert!(broken.walks.saved.is_empty());
    assert!(broken.log.entries().iter().any(|(_, l)| l.contains("not resumed") && l.contains("line 1")), "it says why");
}

#[test]
fn the_clock_ticks_on_its_own_and_shows_over_time_in_warning_colour() {
    let mut m = trial(120, 36);
    open(&mut m, "sales-demo");
    let title_row =
        |m: &Model| harness::screen(m).lines().nth(m.areas().unwrap().narration.y as usize).unwrap().to_string();
    // Ticks alone (no key) move the clock.
    harness::apply(&mut m, Msg::Tick(t0() + Duration::seconds(61)));
    assert!(title_row(&m).contains("01:01 elapsed"), "{}", title_row(&m));
    assert!(!title_row(&m).contains("over"));
    // Step 1 plans 3 minutes: at 3:20 it is 20 s over, said in the panel's title in warning colour.
    harness::apply(&mut m, Msg::Tick(t0() + Duration::seconds(200)));
    let row = title_row(&m);
    assert!(row.contains("00:20 over"), "{row}");
    let a = m.areas().unwrap();
    let buf = harness::buffer(&m);
    let x = (a.narration.x..a.narration.right())
        .find(|&x| buf[(x, a.narration.y)].symbol() == "o" && buf[(x + 1, a.narration.y)].symbol() == "v")
        .expect("over on the border");
    assert_eq!(buf[(x, a.narration.y)].fg, ratatui::style::Color::Yellow, "over-time is a warning");
    // On to step 2 (planned to end at minute 5): on time again.
    type_keys(&mut m, "]");
    assert!(!title_row(&m).contains("over"), "{}", title_row(&m));
}

#[test]
fn quitting_with_unsaved_ticks_asks_first_and_ctrl_c_does_not() {
    let mut m = trial(120, 36);
    type_keys(&mut m, "q");
    assert!(m.quit, "nothing ticked: q quits");

    let mut m = trial(120, 36);
    open(&mut m, "trial-walkthrough");
    type_keys(&mut m, "xq");
    assert!(!m.quit, "asks first");
    assert!(matches!(&m.mode, Mode::Confirm(c) if c.question.contains("Quit without saving")));
    assert!(harness::screen(&m).contains("Quit without saving follow-up notes?"));
    type_keys(&mut m, "n");
    assert!(!m.quit && matches!(m.mode, Mode::Normal | Mode::Boundary(_)), "n stays");
    type_keys(&mut m, "q");
    type_keys(&mut m, "y");
    assert!(m.quit, "y quits");

    let mut m = trial(120, 36);
    open(&mut m, "trial-walkthrough");
    type_keys(&mut m, "x");
    ctrl(&mut m, 'c');
    assert!(m.quit, "Ctrl-C quits at once");
}

#[test]
fn saved_notes_clear_the_question_and_are_never_replaced_unasked() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence/trial-walkthrough.json");
    let (mut m, _) = harness::live_copy(dir.path(), &src, t0(), 120, 36);
    open(&mut m, "trial-walkthrough");
    type_keys(&mut m, "x");
    while !m.walk.as_ref().unwrap().in_summary() {
        type_keys(&mut m, "]");
    }
    if matches!(m.mode, Mode::Review(_)) {
        press(&mut m, KeyCode::Esc);
    }
    let fx = type_keys(&mut m, "S");
    harness::run(&mut m, fx);
    let notes = dir.path().join("closeout-follow-up-trial-walkthrough.md");
    let first = std::fs::read_to_string(&notes).expect("notes written");
    assert!(
        m.log.entries().iter().any(|(_, l)| l.contains("follow-up notes saved to") && l.contains("closeout-follow-up"))
    );
    type_keys(&mut m, "q");
    assert!(m.quit, "the ticks are in saved notes: q quits without asking");
    m.quit = false;

    // Saving again asks; n keeps the file and writes a new one beside it, saying where.
    type_keys(&mut m, "x");
    let fx = type_keys(&mut m, "S");
    assert!(fx.is_empty(), "nothing written before the answer");
    assert!(matches!(&m.mode, Mode::Confirm(c) if c.question.contains("exists")));
    let fx = type_keys(&mut m, "n");
    harness::run(&mut m, fx);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), first, "the first notes are untouched");
    let second = dir.path().join("closeout-follow-up-trial-walkthrough-2.md");
    assert!(second.exists());
    assert!(m.log.entries().iter().any(|(_, l)| l.contains("trial-walkthrough-2.md")), "it says where they went");
    // Esc cancels: nothing is written.
    let fx = type_keys(&mut m, "S");
    assert!(fx.is_empty());
    press(&mut m, KeyCode::Esc);
    assert!(!dir.path().join("closeout-follow-up-trial-walkthrough-3.md").exists());
    // y replaces.
    type_keys(&mut m, "S");
    let fx = type_keys(&mut m, "y");
    harness::run(&mut m, fx);
    assert_ne!(std::fs::read_to_string(&notes).unwrap(), first);
}

#[test]
fn every_focus_target_shows_what_it_says() {
    for wt in walkthrough::builtin() {
        let mut m = trial(120, 36);
        open(&mut m, &wt.name);
        for (i, step) in wt.steps.iter().enumerate() {
            let screen = harness::screen(&m);
            let title = step.focus.screen_title();
            assert!(screen.contains(title), "{} step {i}: {title:?} not on screen:\n{screen}", wt.name);
            match step.focus.pane {
                FocusPane::Review => {
                    let pane = step.focus.review_pane.unwrap_or(1);
                    assert!(screen.contains(&format!("pane {pane} of 5")), "{} step {i}:\n{screen}", wt.name);
                    assert!(matches!(m.mode, Mode::Review(_)));
                }
                FocusPane::Boundary => assert!(matches!(m.mode, Mode::Boundary(_))),
                FocusPane::Health | FocusPane::Verdict => assert!(m.health_visible(), "{} step {i}", wt.name),
                FocusPane::Tree | FocusPane::Detail => {}
            }
            // The narration names the panes the way the screen titles them.
            assert!(step.focus.describe().contains(&step.focus.where_shown()));
            // A criterion step highlights that criterion: in the panel, with its status, and selected in
            // the health pane when that is the pane shown.
            if let Some(c) = &step.focus.criterion {
                let body: String = m.walk_body(120).iter().map(|l| l.text.clone()).collect::<Vec<_>>().join(" ");
                assert!(body.contains(&format!("{c} ")), "{} step {i}: criterion {c} not in the panel", wt.name);
                if matches!(step.focus.pane, FocusPane::Health | FocusPane::Verdict) {
                    let sel = m.health.selected_finding().map(|f| f.id.as_str());
                    assert_eq!(sel, Some(c.as_str()), "{} step {i}", wt.name);
                }
            }
            type_keys(&mut m, "]");
        }
    }
}

#[test]
fn a_walkthrough_on_evidence_without_its_target_says_so_and_falls_back() {
    // The trial names node ids of the trial package; another sample has other ids for the same kinds.
    let ev = samples::load("closeout-open", &LoadOptions::default()).unwrap();
    let mut m = harness::app(ev, None, 120, 36);
    open(&mut m, "trial-walkthrough");
    type_keys(&mut m, "]"); // the evidence chain step: a readiness bundle named by id
    let w = m.walk.as_ref().unwrap();
    let notice = w.notice.clone().expect("it says the target is missing");
    assert!(notice.contains("frb-payments-api-2026-09-14-001") && notice.contains("nearest"), "{notice}");
    let rb = closeout::evidence::Kind::known().into_iter().find(|k| k.name() == "readiness bundle").unwrap();
    let selected = match m.tree.selection() {
        Some(closeout::tui::state::tree::Sel::Node(n)) => Some(n),
        _ => None,
    };
    assert_eq!(selected, m.evidence.latest(&rb), "the latest readiness bundle is shown instead");
    let body: String = panel(&m).join("\n");
    assert!(body.contains("⚠ this evidence has no readiness bundle"), "{body}");
    // On its own evidence, no notice.
    let mut m = trial(120, 36);
    open(&mut m, "trial-walkthrough");
    type_keys(&mut m, "]");
    assert!(m.walk.as_ref().unwrap().notice.is_none());
}

#[test]
fn the_walkthrough_keys_work_over_the_review() {
    let mut m = trial(120, 36);
    open(&mut m, "trial-walkthrough");
    let review_step = walkthrough::find("trial-walkthrough")
        .unwrap()
        .steps
        .iter()
        .position(|s| s.focus.pane == FocusPane::Review)
        .unwrap();
    for _ in 0..review_step {
        type_keys(&mut m, "]");
    }
    assert!(matches!(m.mode, Mode::Review(_)));
    let id = m.walk.as_ref().unwrap().current().unwrap().id.clone();
    type_keys(&mut m, "}Jx");
    assert!(matches!(m.mode, Mode::Review(_)), "the review stays open");
    let w = m.walk.as_ref().unwrap();
    assert!(w.scroll > 0 || m.walk_body(120).len() <= m.walk_rows(), "}} scrolled the panel");
    assert!(w.is_ticked(&id, 1), "J then x ticked the second item: {:?}", w.ticked);
    type_keys(&mut m, "]");
    assert_eq!(m.walk.as_ref().unwrap().step, review_step + 1);
}

#[test]
fn the_self_guided_trial_speaks_to_the_reader_and_the_demo_asks_its_audience() {
    let mut m = trial(120, 36);
    open(&mut m, "trial-walkthrough");
    let mut all = String::new();
    while !m.walk.as_ref().unwrap().in_summary() {
        all.push_str(&read_whole_panel(&mut m).0);
        type_keys(&mut m, "]");
        if matches!(m.mode, Mode::Review(_)) {
            press(&mut m, KeyCode::Esc);
        }
    }
    assert!(!all.contains("Ask:") && !all.to_lowercase().contains("the customer"), "{all}");
    let mut m = trial(120, 36);
    open(&mut m, "sales-demo");
    let mut asked = false;
    while !m.walk.as_ref().unwrap().in_summary() {
        asked |= read_whole_panel(&mut m).0.contains("Ask: ");
        type_keys(&mut m, "]");
    }
    assert!(asked, "the sales demo keeps its discovery questions");
}

#[test]
fn the_header_says_when_closeout_agrees_with_the_evidence() {
    let m = trial(120, 36);
    assert!(m.report.evidence_decision.is_some() && m.report.disagreement.is_none());
    assert!(harness::screen(&m).contains("= the evidence agrees"));
    let ev = samples::load("trial-walkthrough", &LoadOptions::default()).unwrap();
    let late = closeout::time::parse_instant("2026-10-01T00:00:00Z").unwrap();
    let m = harness::app(ev, Some(late), 120, 36);
    assert!(m.report.disagreement.is_some());
    assert!(harness::screen(&m).contains("≠ the evidence itself says"));
}

/// Narration names the panes as the screen titles them: "the evidence chain", "the detail pane", "the
/// health pane", "the boundary view", "the retry plan review"; never a name the screen does not show.
#[test]
fn narration_names_panes_the_way_the_screen_titles_them() {
    let named = regex::Regex::new(r"(?i)\bthe ([a-z-]+) (pane|view)\b").unwrap();
    let shown = ["detail", "health", "boundary"];
    // Positions are fine: the review's panes are numbered on screen ("the fifth pane", "pane 5 of 5").
    let positional = ["first", "second", "third", "fourth", "fifth", "next", "previous", "right", "left", "same"];
    for wt in walkthrough::builtin() {
        for step in &wt.steps {
            let text = [step.narration.as_str()].into_iter().chain(step.checklist.iter().map(String::as_str));
            for t in text {
                for c in named.captures_iter(t) {
                    let name = c[1].to_lowercase();
                    assert!(
                        shown.contains(&name.as_str()) || positional.contains(&name.as_str()),
                        "{} {}: \"{}\" is not a pane on screen",
                        wt.name,
                        step.id,
                        &c[0]
                    );
                }
                let lower = t.to_lowercase();
                for unshown in ["the tree", "retry-plan review", "review pane", "verdict pane"] {
                    assert!(
                        !lower.contains(unshown),
                        "{} {}: {unshown:?} is not what the screen calls it",
                        wt.name,
                        step.id
                    );
                }
            }
        }
    }
    // And those names are on screen: the titles the panes carry.
    let mut m = trial(120, 36);
    open(&mut m, "trial-walkthrough");
    type_keys(&mut m, "]");
    let screen = harness::screen(&m);
    assert!(screen.contains("Evidence chain") && screen.contains("Detail · "), "{screen}");
}
