use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::cast::{CastWriter, validate_cast};
use super::tape::{self, ScriptedKind, TapeCommand, TapeKey, parse, parse_time, timeline, to_events};
use super::{DEFAULT_SIZE, DEFAULT_TAPE, DEFAULT_WALKTHROUGH, parse_size, parse_speed};
use crate::tui::keymap::{self, Context, KeySpec};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

const REALISTIC: &str = r#"# A tape in the style of ratatui's examples/vhs, with closeout's marker directive.
Output "target/demo.gif"
Require sh
Set Theme "Aardvark Blue"
Set FontSize 14
Set Width 100
Set Height 30
Set TypingSpeed 75ms

Hide
Type "closeout"
Enter
Sleep 2s
Show

# @marker Open the tree
Down 3
Down@250ms 2
Up
Left
Right
Tab
Space
PageDown
PageUp
Backspace
Escape
Ctrl+C
# @marker   Typing, with "quotes"
Type@80ms "say \"hi\" \\ bye"
Type 'single "quoted"'
Type `back\tick`
Sleep 500ms
Sleep 1.5s
Sleep 2
Screenshot "target/shot.txt"
Wait /pane 2 of 5/
Wait+Line@2.5s /q quit$/
Set Width 80
Set Height 24
   # an indented comment
#@marker no space after the hash
"#;

#[test]
fn demo_tape_parses_every_command_kind() {
    let cmds = parse(REALISTIC).expect("the realistic tape parses");
    use TapeCommand as T;
    let key = |key, repeat, delay| T::Key { key, repeat, delay };
    let at = |line| tape::LineAt { file: None, line };
    assert_eq!(
        cmds,
        vec![
            T::Require { program: "sh".into(), at: at(3) },
            T::SetWidth(100),
            T::SetHeight(30),
            T::Hide,
            T::Type { text: "closeout".into(), delay: None },
            key(TapeKey::Enter, 1, None),
            T::Sleep(ms(2000)),
            T::Show,
            T::Marker("Open the tree".into()),
            key(TapeKey::Down, 3, None),
            key(TapeKey::Down, 2, Some(ms(250))),
            key(TapeKey::Up, 1, None),
            key(TapeKey::Left, 1, None),
            key(TapeKey::Right, 1, None),
            key(TapeKey::Tab, 1, None),
            key(TapeKey::Space, 1, None),
            key(TapeKey::PageDown, 1, None),
            key(TapeKey::PageUp, 1, None),
            key(TapeKey::Backspace, 1, None),
            key(TapeKey::Escape, 1, None),
            key(TapeKey::Ctrl('c'), 1, None),
            T::Marker("Typing, with \"quotes\"".into()),
            T::Type { text: r#"say "hi" \ bye"#.into(), delay: Some(ms(80)) },
            T::Type { text: r#"single "quoted""#.into(), delay: None },
            T::Type { text: r"back\tick".into(), delay: None },
            T::Sleep(ms(500)),
            T::Sleep(ms(1500)),
            T::Sleep(ms(2000)),
            T::Screenshot { path: std::path::PathBuf::from("./target/shot.txt"), at: at(36) },
            T::Wait(tape::Wait {
                scope: tape::WaitScope::Screen,
                pattern: "pane 2 of 5".into(),
                timeout: tape::DEFAULT_WAIT_TIMEOUT,
                at: at(37)
            }),
            T::Wait(tape::Wait {
                scope: tape::WaitScope::Line,
                pattern: "q quit$".into(),
                timeout: ms(2500),
                at: at(38)
            }),
            T::SetWidth(80),
            T::SetHeight(24),
            T::Marker("no space after the hash".into()),
        ]
    );
    assert_eq!(tape::initial_size(&cmds), (Some(100), Some(30)));
    assert_eq!(tape::markers(&cmds), vec!["Open the tree", "Typing, with \"quotes\"", "no space after the hash"]);
}

#[test]
fn demo_tape_errors_name_the_line_and_text() {
    let cases: &[(&str, &str)] = &[
        ("Dwn 3", "unknown command \"Dwn\""),
        ("Down 0", "repeat count"),
        ("Down three", "repeat count"),
        ("Down@fast 2", "is not a time"),
        ("Sleep", "Sleep needs a time"),
        ("Sleep 2 s", "is not a time"),
        ("Sleep@1s 2s", "takes no @time"),
        ("Sleep -1s", "is not a time"),
        ("Sleep 25h", "is not a time"),
        ("Sleep 90000s", "longer than a tape allows"),
        ("Type hello", "quoted string"),
        ("Type \"unclosed", "no closing"),
        ("Type \"a\" extra", "after the string"),
        ("Hide now", "takes no arguments"),
        ("Set", "Set needs a setting"),
        ("Set Width 1200", "cells, not VHS pixels"),
        ("Set Height 0", "from 1 to 1000"),
        ("Ctrl+AB", "one letter"),
        ("Ctrl+1", "one letter"),
        ("Alt+x", "does not support"),
        ("Wait ready", "between slashes"),
        ("Wait //", "between slashes"),
        ("Wait /(/", "not a regular expression"),
        ("Wait+Foo /x/", "is not a Wait"),
        ("Wait@0s /x/", "more than 0"),
        ("Screenshot shot.png", "give a .txt file"),
        ("Screenshot ../shot.txt", "inside the tape's folder"),
        ("Screenshot /tmp/shot.txt", "inside the tape's folder"),
        ("Screenshot", "takes one argument"),
        ("Source other.tape", "given as text"),
        ("Require ./bin/tool", "looked up on PATH"),
        ("Require", "takes one argument"),
        ("# @marker", "needs a label"),
        ("# @marker   ", "needs a label"),
    ];
    for (line, want) in cases {
        let text = format!("# header\n\nEnter\n{line}\nEnter\n");
        let err = parse(&text).expect_err(line);
        assert_eq!(err.line, 4, "{line}: {err}");
        assert_eq!(err.text, line.trim(), "{line}");
        assert!(err.message.contains(want), "{line}: {:?} should mention {want:?}", err.message);
        let shown = err.to_string();
        assert!(shown.starts_with("line 4: "), "{shown}");
        assert!(shown.contains(line.trim()), "{shown}");
    }
    // Other comments, including unknown directives, are skipped.
    assert_eq!(parse("# @markers are fun\n# @chapter x\n").unwrap(), vec![]);
}

#[test]
fn demo_times_parse_exactly() {
    assert_eq!(parse_time("500ms").unwrap(), ms(500));
    assert_eq!(parse_time("1s").unwrap(), ms(1000));
    assert_eq!(parse_time("1.5s").unwrap(), ms(1500));
    assert_eq!(parse_time("0.1").unwrap(), ms(100));
    assert_eq!(parse_time("2m").unwrap(), ms(120_000));
    assert_eq!(parse_time("1.000000001s").unwrap(), Duration::from_nanos(1_000_000_001));
    assert_eq!(parse_time("0.5ms").unwrap(), Duration::from_micros(500));
    for bad in ["", "s", ".5s", "1.s", "1,5s", "1h", "-1", "1.0000000001s"] {
        assert!(parse_time(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn demo_keys_become_the_events_a_terminal_delivers() {
    assert_eq!(TapeKey::Enter.key_event(), key(KeyCode::Enter));
    assert_eq!(TapeKey::Escape.key_event(), key(KeyCode::Esc));
    assert_eq!(TapeKey::Space.key_event(), key(KeyCode::Char(' ')));
    assert_eq!(TapeKey::PageDown.key_event(), key(KeyCode::PageDown));
    assert_eq!(TapeKey::Ctrl('c').key_event(), KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(tape::char_event('j'), key(KeyCode::Char('j')));
    assert_eq!(tape::char_event('G'), KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
    assert_eq!(tape::char_event('\n'), key(KeyCode::Enter));
    assert_eq!(TapeKey::Ctrl('c').name(), "Ctrl+C");
    assert_eq!(TapeKey::PageUp.name(), "PageUp");

    // The same keymap a person's keys go through.
    let tree = keymap::stack(Context::Tree, false);
    let map = keymap::Keymap::default();
    let act = |ev: KeyEvent| map.dispatch(&tree, &ev);
    use crate::tui::{Action, Msg};
    assert_eq!(act(TapeKey::Ctrl('c').key_event()), Some(Msg::Action(Action::QuitNow)));
    assert_eq!(act(TapeKey::Down.key_event()), Some(Msg::Action(Action::Down)));
    assert_eq!(act(tape::char_event('j')), Some(Msg::Action(Action::Down)));
    assert_eq!(act(tape::char_event('G')), Some(Msg::Action(Action::Bottom)));
    assert_eq!(act(TapeKey::Tab.key_event()), Some(Msg::Action(Action::FocusNext)));
}

#[test]
fn demo_timeline_spaces_keys_and_sleeps() {
    let cmds = parse("Type \"ab\"\nEnter\n# @marker m\nSleep 1s\nDown@250ms 2\nType@10ms \"c\"\n").unwrap();
    let events = to_events(&cmds, 1.0);
    let at: Vec<(u64, &ScriptedKind)> = events.iter().map(|e| (e.at.as_millis() as u64, &e.event)).collect();
    let k = |e: KeyEvent| ScriptedKind::Key(e);
    assert_eq!(
        at,
        vec![
            (0, &k(key(KeyCode::Char('a')))),
            (50, &k(key(KeyCode::Char('b')))),
            (100, &k(key(KeyCode::Enter))),
            (200, &ScriptedKind::Marker("m".into())),
            (1200, &k(key(KeyCode::Down))),
            (1450, &k(key(KeyCode::Down))),
            (1700, &k(key(KeyCode::Char('c')))),
        ]
    );
    let t = timeline(&cmds, 1.0, DEFAULT_SIZE);
    assert_eq!(t.end, ms(1710));

    // Speed divides every duration.
    let fast = timeline(&cmds, 2.0, DEFAULT_SIZE);
    assert_eq!(fast.end, ms(855));
    let times: Vec<Duration> = fast.events.iter().map(|e| e.at).collect();
    assert_eq!(times, vec![ms(0), ms(25), ms(50), ms(100), ms(600), ms(725), ms(850)]);
    let slow = timeline(&cmds, 0.5, DEFAULT_SIZE);
    assert_eq!(slow.end, ms(3420));
    // A speed that is not a positive number counts as 1.
    for bad in [0.0, -2.0, f64::NAN, f64::INFINITY] {
        assert_eq!(timeline(&cmds, bad, DEFAULT_SIZE), t, "{bad}");
    }
}

#[test]
fn demo_hidden_commands_take_no_time_and_late_sets_resize() {
    let cmds = parse(
        "Set Width 90\nSleep 1s\nHide\nType \"abc\"\nSleep 5s\nDown 4\nShow\nEnter\nSet Height 20\nSet Width 70\n",
    )
    .unwrap();
    let t = timeline(&cmds, 1.0, (100, 30));
    let shown: Vec<(u64, String)> = t
        .events
        .iter()
        .map(|e| {
            let what = match &e.event {
                ScriptedKind::Key(k) => format!("{:?}", k.code),
                other => format!("{other:?}"),
            };
            (e.at.as_millis() as u64, what)
        })
        .collect();
    let expect: Vec<(u64, String)> = [
        (1000, "Hide"),
        (1000, "Char('a')"),
        (1000, "Char('b')"),
        (1000, "Char('c')"),
        (1000, "Down"),
        (1000, "Down"),
        (1000, "Down"),
        (1000, "Down"),
        (1000, "Show"),
        (1000, "Enter"),
        (1100, "Resize(100, 20)"),
        (1100, "Resize(70, 20)"),
    ]
    .into_iter()
    .map(|(t, s)| (t, s.to_string()))
    .collect();
    assert_eq!(shown, expect);
    assert_eq!(t.end, ms(1100));
    // With no size given, the tape's leading Set lines (or the default) are the start.
    assert!(matches!(to_events(&cmds, 1.0).last().unwrap().event, ScriptedKind::Resize(70, 20)));
}

#[test]
fn demo_size_and_speed_arguments() {
    assert_eq!(parse_size("120x36"), Ok((120, 36)));
    assert_eq!(parse_size("80X24"), Ok((80, 24)));
    for bad in ["120", "0x10", "10x", "x10", "120x36x2", "2000x10", "-1x5"] {
        assert!(parse_size(bad).is_err(), "{bad}");
    }
    assert_eq!(parse_speed("2"), Ok(2.0));
    assert_eq!(parse_speed("0.5"), Ok(0.5));
    for bad in ["0", "-1", "fast", "inf", "NaN"] {
        assert!(parse_speed(bad).is_err(), "{bad}");
    }
}

// ---- the default tape ----

/// Keys the default tape uses that the explorer's keymap binds only in modes the test does not list
/// (the walkthrough's `]`, the review, the boundary view, the confirm's y).
const ASSUMED_KEYS: &[char] = &[']', 'r', 'b', 'y'];

/// The time from each marker of `t` to the next `]` press after it: how long each walkthrough step is held.
fn step_holds(t: &tape::Timeline) -> Vec<Duration> {
    let next = KeyEvent::new(KeyCode::Char(']'), KeyModifiers::NONE);
    let mut out = Vec::new();
    for (i, e) in t.events.iter().enumerate() {
        if matches!(e.event, ScriptedKind::Marker(_)) {
            let until = t.events[i..].iter().find(|n| n.event == ScriptedKind::Key(next)).map_or(t.end, |n| n.at);
            out.push(until - e.at);
        }
    }
    out
}

#[test]
fn demo_default_tape_narrates_the_sales_demo() {
    let cmds = parse(DEFAULT_TAPE).expect("the default tape parses");
    let w = crate::walkthrough::find(DEFAULT_WALKTHROUGH).expect("the default tape's walkthrough exists");
    let want: Vec<String> = w.steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.title)).collect();
    assert_eq!(tape::markers(&cmds), want, "one marker per walkthrough step, in order, named after the step");
    assert_eq!(super::marker_mismatch(&tape::markers(&cmds), &w), None);
    assert_eq!(tape::initial_size(&cmds), (Some(DEFAULT_SIZE.0), Some(DEFAULT_SIZE.1)));

    // It ends on the verdict and the closing summary: the last step focuses the verdict, and after its
    // marker only one `]` (to the summary), Waits and Sleeps follow.
    let last = w.steps.last().unwrap();
    assert_eq!(last.focus.pane, crate::walkthrough::FocusPane::Verdict);
    let after_last: Vec<&TapeCommand> = cmds
        .iter()
        .skip_while(|c| !matches!(c, TapeCommand::Marker(m) if *m == want[want.len() - 1]))
        .skip(1)
        .collect();
    let keys: Vec<&&TapeCommand> =
        after_last.iter().filter(|c| !matches!(c, TapeCommand::Sleep(_) | TapeCommand::Wait(_))).collect();
    assert_eq!(keys, vec![&&TapeCommand::Type { text: "]".into(), delay: None }], "{after_last:?}");
    assert!(
        matches!(after_last.iter().rev().find(|c| matches!(c, TapeCommand::Wait(_))), Some(TapeCommand::Wait(w)) if w.pattern == "Closing summary")
    );
    assert!(!cmds.iter().any(|c| matches!(c, TapeCommand::Type { text, .. } if text == "q")), "it never quits");

    // The review step goes through all five panes, each checked on screen, and saves an acceptance.
    let review_idx = w
        .steps
        .iter()
        .position(|s| {
            s.focus.pane == crate::walkthrough::FocusPane::Review && s.focus.kind.as_deref() == Some("retry plan")
        })
        .expect("the sales demo has a retry plan review step");
    let step_cmds: Vec<&TapeCommand> = cmds
        .iter()
        .skip_while(|c| !matches!(c, TapeCommand::Marker(m) if *m == want[review_idx]))
        .take_while(|c| !matches!(c, TapeCommand::Marker(m) if *m == want[review_idx + 1]))
        .collect();
    let waits: Vec<&str> = step_cmds
        .iter()
        .filter_map(|c| match c {
            TapeCommand::Wait(w) => Some(w.pattern.as_str()),
            _ => None,
        })
        .collect();
    let panes: Vec<String> = (1..=5).map(|k| format!("pane {k} of 5")).collect();
    let seen: Vec<&str> = waits.iter().copied().filter(|p| p.starts_with("pane ")).collect();
    assert_eq!(seen, panes, "{waits:?}");
    assert!(step_cmds.iter().any(|c| matches!(c, TapeCommand::Key { key: TapeKey::Ctrl('s'), .. })), "it saves");
    assert!(waits.iter().any(|p| p.contains("blocked → ready_with_accepted_risk")), "{waits:?}");
    // Every step checks the screen at least once.
    for (i, label) in want.iter().enumerate() {
        let has_wait = cmds
            .iter()
            .skip_while(|c| !matches!(c, TapeCommand::Marker(m) if m == label))
            .skip(1)
            .take_while(|c| !matches!(c, TapeCommand::Marker(_)))
            .any(|c| matches!(c, TapeCommand::Wait(_)));
        assert!(has_wait, "step {} has no Wait", i + 1);
    }

    // Every single key press is one the keymap binds, or one of the documented assumptions.
    for c in &cmds {
        let ev = match c {
            TapeCommand::Key { key, .. } => key.key_event(),
            TapeCommand::Type { text, .. } if text.chars().count() == 1 => {
                tape::char_event(text.chars().next().unwrap())
            }
            _ => continue,
        };
        let spec = KeySpec::from_event(&ev);
        let bound = keymap::Keymap::default().bindings.iter().any(|b| b.keys.contains(&spec));
        let assumed = matches!(ev.code, KeyCode::Char(ch) if ASSUMED_KEYS.contains(&ch));
        assert!(bound || assumed, "{c:?} is neither bound nor an assumed walkthrough key");
    }

    // Readable pacing: every step is held at least its narration's reading time; speed scales it.
    let t = timeline(&cmds, 1.0, DEFAULT_SIZE);
    let holds = step_holds(&t);
    assert_eq!(holds.len(), w.steps.len());
    for (i, (hold, step)) in holds.iter().zip(&w.steps).enumerate() {
        let need = super::reading_time(&step.narration);
        assert!(*hold >= need, "step {} ({}) is held {hold:?}, its narration needs {need:?}", i + 1, step.title);
    }
    assert!((ms(180_000)..ms(600_000)).contains(&t.end), "{:?}", t.end);
    assert_eq!(timeline(&cmds, 2.0, DEFAULT_SIZE).end, t.end / 2);
}

#[test]
fn demo_reading_time_is_about_three_words_a_second_and_at_least_six() {
    assert_eq!(super::reading_time(""), Duration::from_secs(6));
    assert_eq!(super::reading_time("one two three"), Duration::from_secs(6));
    assert_eq!(super::reading_time(&"word ".repeat(30)), Duration::from_secs(10));
    assert_eq!(super::reading_time(&"word ".repeat(31)), Duration::from_secs(11));
}

#[test]
fn demo_every_builtin_walkthrough_has_its_own_tape_with_one_marker_per_step() {
    for w in crate::walkthrough::builtin() {
        let text = super::tape_text(&w);
        let cmds = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", w.name));
        let want: Vec<String> = w.steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.title)).collect();
        assert_eq!(tape::markers(&cmds), want, "{}", w.name);
        assert_eq!(super::marker_mismatch(&tape::markers(&cmds), &w), None, "{}", w.name);
        let holds = step_holds(&timeline(&cmds, 1.0, DEFAULT_SIZE));
        for (hold, step) in holds.iter().zip(&w.steps) {
            assert!(*hold >= super::reading_time(&step.narration), "{}: {}", w.name, step.title);
        }
    }
    // The sales demo's tape for another walkthrough is reported, naming what differs.
    let trial = crate::walkthrough::find("trial-walkthrough").unwrap();
    let sales = parse(DEFAULT_TAPE).unwrap();
    let why = super::marker_mismatch(&tape::markers(&sales), &trial).expect("a mismatch");
    assert!(why.contains("trial-walkthrough"), "{why}");
    let mut renamed: Vec<String> =
        trial.steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.title)).collect();
    renamed[2] = "3. Something else".into();
    let refs: Vec<&str> = renamed.iter().map(String::as_str).collect();
    let why = super::marker_mismatch(&refs, &trial).expect("a mismatch");
    assert!(why.starts_with("marker 3 is \"3. Something else\""), "{why}");
}

#[test]
fn demo_sizes_below_the_explorers_minimum_are_refused() {
    assert_eq!(super::MIN_SIZE, (80, 24));
    assert!(super::check_size((80, 24), "--size").is_ok());
    for small in [(79, 24), (80, 23), (60, 20)] {
        let e = super::check_size(small, "--size").unwrap_err();
        assert!(e.contains("80x24") && e.contains(&format!("{}x{}", small.0, small.1)), "{e}");
    }
    let t = timeline(&parse("Set Width 100\nEnter\nSet Width 70\n").unwrap(), 1.0, (100, 30));
    let e = super::check_timeline_sizes(&t).unwrap_err();
    assert!(e.contains("70x30") && e.contains("80x24"), "{e}");
    assert!(super::check_timeline_sizes(&timeline(&parse("Enter\nSet Width 90\n").unwrap(), 1.0, (100, 30))).is_ok());
}

// ---- Source and Require ----

#[test]
fn demo_source_includes_tapes_relative_to_the_including_one_and_refuses_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("parts");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(dir.path().join("main.tape"), "Enter\nSource parts/open.tape\nScreenshot shot.txt\nEscape\n")
        .unwrap();
    std::fs::write(sub.join("open.tape"), "# @marker opened\nSource \"more.tape\"\nScreenshot here.txt\n").unwrap();
    std::fs::write(sub.join("more.tape"), "Down 2\n").unwrap();
    let cmds = tape::parse_file(&dir.path().join("main.tape")).unwrap();
    let kinds: Vec<String> = cmds
        .iter()
        .map(|c| match c {
            TapeCommand::Key { key, repeat, .. } => format!("{}x{repeat}", key.name()),
            TapeCommand::Marker(m) => format!("marker {m}"),
            TapeCommand::Screenshot { path, at } => {
                format!("shot {} ({at})", path.strip_prefix(dir.path()).unwrap().display())
            }
            other => format!("{other:?}"),
        })
        .collect();
    let open = sub.join("open.tape").display().to_string();
    let main = dir.path().join("main.tape").display().to_string();
    assert_eq!(
        kinds,
        vec![
            "Enterx1".to_string(),
            "marker opened".into(),
            "Downx2".into(),
            format!("shot parts/here.txt ({open}: line 3)"),
            format!("shot shot.txt ({main}: line 3)"),
            "Escapex1".into(),
        ]
    );

    // A cycle names the file and line that closes it.
    std::fs::write(sub.join("more.tape"), "Down\nSource ../main.tape\n").unwrap();
    let e = tape::parse_file(&dir.path().join("main.tape")).unwrap_err();
    assert!(e.to_string().contains("inside the tape's folder"), "{e}");
    std::fs::write(sub.join("more.tape"), "Down\nSource open.tape\n").unwrap();
    let e = tape::parse_file(&dir.path().join("main.tape")).unwrap_err();
    assert_eq!((e.file.as_deref(), e.line), (Some(sub.join("more.tape").display().to_string().as_str()), 2), "{e}");
    assert!(e.message.contains("cycle"), "{e}");
    // A missing tape, and an error inside a sourced tape, name that file.
    std::fs::write(sub.join("more.tape"), "Down\nSource gone.tape\n").unwrap();
    let e = tape::parse_file(&dir.path().join("main.tape")).unwrap_err();
    assert!(e.to_string().contains("more.tape: line 2") && e.to_string().contains("gone.tape"), "{e}");
    std::fs::write(sub.join("more.tape"), "Down\nFrobnicate\n").unwrap();
    let e = tape::parse_file(&dir.path().join("main.tape")).unwrap_err();
    assert!(e.to_string().contains("more.tape: line 2") && e.to_string().contains("Frobnicate"), "{e}");

    // Nesting is bounded.
    for i in 0..12 {
        std::fs::write(dir.path().join(format!("n{i}.tape")), format!("Enter\nSource n{}.tape\n", i + 1)).unwrap();
    }
    std::fs::write(dir.path().join("n12.tape"), "Enter\n").unwrap();
    let e = tape::parse_file(&dir.path().join("n0.tape")).unwrap_err();
    assert!(e.message.contains(&format!("more than {} tapes deep", tape::MAX_SOURCE_DEPTH)), "{e}");
}

#[test]
fn demo_require_fails_before_anything_runs_when_a_program_is_missing() {
    let ok = parse("Require sh\nEnter\n").unwrap();
    assert_eq!(tape::check_requires(&ok), Ok(()));
    let missing = parse("Enter\nRequire closeout-no-such-program-4711\n").unwrap();
    let e = tape::check_requires(&missing).unwrap_err();
    assert_eq!(e, "line 2: Require closeout-no-such-program-4711: not found on PATH");
    // Require takes no time and does not end the tape's leading Set lines.
    let cmds = parse("Require sh\nSet Width 90\nSet Height 30\nEnter\n").unwrap();
    assert_eq!(tape::initial_size(&cmds), (Some(90), Some(30)));
    assert_eq!(timeline(&cmds, 1.0, (90, 30)).events.len(), 1);
}

// ---- Wait and Screenshot, headless ----

fn sample_app() -> (crate::tui::Model, chrono::DateTime<chrono::Utc>) {
    let ev = crate::samples::load(&crate::samples::default_name(), &Default::default()).unwrap();
    let when = ev.default_as_of.unwrap();
    let mut app = crate::tui::harness::app(ev, Some(when), DEFAULT_SIZE.0, DEFAULT_SIZE.1);
    crate::tui::harness::apply(&mut app, crate::tui::Msg::Tick(when));
    crate::tui::harness::apply(&mut app, crate::tui::Msg::OpenWalk(DEFAULT_WALKTHROUGH.into()));
    (app, when)
}

fn record_tape(text: &str) -> std::io::Result<String> {
    let (mut app, when) = sample_app();
    let t = timeline(&parse(text).unwrap(), 1.0, DEFAULT_SIZE);
    super::run::record(&mut app, &t, "t", when)
}

#[test]
fn demo_wait_passes_when_the_screen_shows_it_and_fails_the_run_naming_the_line_when_not() {
    // Shown at once: no time passes.
    let cast = record_tape("Wait /Evidence chain/\nWait+Line /q quit/\nEnter\n").unwrap();
    assert!(validate_cast(&cast).unwrap().duration < 0.2, "{cast}");
    // Shown only after time passes (the walkthrough's clock): virtual time moves on until it does, and the
    // tape's later events move on with it.
    let cast = record_tape("Wait /00:03 elapsed/\n# @marker after\n").unwrap();
    let marker = cast.lines().find(|l| l.contains("\"m\"")).unwrap();
    let at: f64 = marker[1..marker.find(',').unwrap()].parse().unwrap();
    assert!((3.0..3.2).contains(&at), "{marker}");
    // Never shown: the run fails with the line and what was expected, after the timeout.
    let e = record_tape("Enter\n\nWait@2s /no such text anywhere/\nEnter\n").unwrap_err();
    assert_eq!(e.to_string(), "line 3: Wait /no such text anywhere/: the screen did not show it within 2 s");
    let e = record_tape("Wait+Line@1s /Evidence chain/\n").unwrap_err();
    assert!(e.to_string().contains("the screen's last line did not show it within 1 s"), "{e}");
}

#[test]
fn demo_screenshot_writes_the_screen_as_text_atomically_and_never_over_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let tape_path = dir.path().join("shots.tape");
    std::fs::write(&tape_path, "Screenshot first.txt\nType \"]\"\nScreenshot \"second.txt\"\n").unwrap();
    let (mut app, when) = sample_app();
    let t = timeline(&tape::parse_file(&tape_path).unwrap(), 1.0, DEFAULT_SIZE);
    super::run::record(&mut app, &t, "t", when).unwrap();
    let first = std::fs::read_to_string(dir.path().join("first.txt")).unwrap();
    let second = std::fs::read_to_string(dir.path().join("second.txt")).unwrap();
    assert_eq!(first.lines().count(), usize::from(DEFAULT_SIZE.1), "{first}");
    assert!(first.contains("step 1 of 16") && !first.contains('\x1b'), "{first}");
    assert!(second.contains("step 2 of 16"), "{second}");
    assert_eq!(second, crate::tui::harness::screen(&app), "the screen as the app draws it");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 3, "no temporary file left: {leftovers:?}");

    // A file that holds JSON (evidence?) is not replaced: the run fails, naming the line.
    std::fs::write(dir.path().join("first.txt"), "  {\"items\": []}").unwrap();
    let (mut app, when) = sample_app();
    let e = super::run::record(&mut app, &t, "t", when).unwrap_err();
    assert!(e.to_string().contains("line 1: Screenshot") && e.to_string().contains("not replaced"), "{e}");
    assert_eq!(std::fs::read_to_string(dir.path().join("first.txt")).unwrap(), "  {\"items\": []}");
    // A directory in the way is an error too.
    std::fs::remove_file(dir.path().join("first.txt")).unwrap();
    std::fs::create_dir(dir.path().join("first.txt")).unwrap();
    let (mut app, when) = sample_app();
    assert!(super::run::record(&mut app, &t, "t", when).is_err());
}

#[test]
fn demo_recording_ends_by_restoring_the_cursor_and_style() {
    let cast = record_tape("Enter\nSleep 1s\n").unwrap();
    let last = cast.lines().last().unwrap();
    let ev: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(ev[1], "o");
    assert_eq!(ev[2].as_str(), Some(super::run::RESTORE));
    assert_eq!(super::run::RESTORE, "\x1b[0m\x1b[?25h");
    assert!((ev[0].as_f64().unwrap() - 1.1).abs() < 1e-6, "{last}");
}

// ---- presenter ----

mod presenter {
    use super::*;
    use crate::demo::presenter::{Out, PAUSED_LINE, Presenter};

    fn tl() -> tape::Timeline {
        // Chapter one at 0 (a at 0, b at 1.05 s, ] at 1.95 s), chapter two at 2 s (c; ] at 3.9 s), chapter
        // three at 3.95 s (d), end 6 s.
        let text = "# @marker one\nType \"a\"\nSleep 1s\nType \"b\"\nSleep 850ms\nType \"]\"\n# @marker two\nType \"c\"\nSleep 1850ms\nType \"]\"\n# @marker three\nType \"d\"\nSleep 2s\n";
        timeline(&parse(text).unwrap(), 1.0, DEFAULT_SIZE)
    }

    fn ch(c: char) -> KeyEvent {
        tape::char_event(c)
    }

    /// Everything due at `now`: the keys the app gets, as text, and the other outputs.
    fn drain(p: &mut Presenter, now: Duration) -> (String, Vec<Out>) {
        let (mut keys, mut other) = (String::new(), Vec::new());
        while let Some(o) = p.poll(now, "") {
            match o {
                Out::Key(k) => match k.code {
                    KeyCode::Char(c) => keys.push(c),
                    other => keys.push_str(&format!("<{other:?}>")),
                },
                o => other.push(o),
            }
        }
        (keys, other)
    }

    #[test]
    fn demo_presenter_plays_on_time_and_space_pauses_and_resumes() {
        let mut p = Presenter::new(&tl(), false);
        assert_eq!(drain(&mut p, ms(0)).0, "a");
        assert_eq!(drain(&mut p, ms(1000)).0, "");
        assert_eq!(drain(&mut p, ms(1050)).0, "b");
        assert_eq!(p.chapter(), Some(0));
        // Paused at 1.5 s for 10 s: nothing plays and the tape position stands still.
        assert_eq!(p.on_key(ch(' '), ms(1500)), Some(Out::Redraw));
        assert!(p.paused());
        assert_eq!(p.footer().as_deref(), Some(PAUSED_LINE));
        assert_eq!(drain(&mut p, ms(11_500)).0, "");
        assert_eq!(p.position(ms(11_500)), ms(1500));
        // Resumed: the tape goes on from 1.5 s.
        assert_eq!(p.on_key(ch(' '), ms(11_500)), Some(Out::Redraw));
        assert!(!p.paused());
        assert_eq!(p.footer(), None);
        assert_eq!(drain(&mut p, ms(11_900)).0, "");
        assert_eq!(drain(&mut p, ms(12_000)).0, "]c");
        assert_eq!(p.chapter(), Some(1));
        // Keys other than the presenter's are not the app's while the tape plays.
        assert!(matches!(p.on_key(ch('j'), ms(12_100)), Some(Out::Redraw)));
        assert!(p.footer().unwrap().contains("Space pauses"));
        // q and Ctrl-C always reach the app.
        assert_eq!(p.on_key(ch('q'), ms(12_200)), Some(Out::Key(ch('q'))));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(p.on_key(ctrl_c, ms(12_200)), Some(Out::Key(ctrl_c)));
        // To the end.
        assert_eq!(drain(&mut p, ms(20_000)), ("]d".to_string(), vec![Out::Redraw]));
        assert!(p.ended());
        assert!(p.footer().unwrap().contains("ended"));
        // Once ended, the keys drive the app.
        assert_eq!(p.on_key(ch('j'), ms(20_100)), Some(Out::Key(ch('j'))));
    }

    #[test]
    fn demo_presenter_jumps_between_chapters_by_replaying() {
        let t = tl();
        let marker = |n: usize| {
            t.events.iter().enumerate().filter(|(_, e)| matches!(e.event, ScriptedKind::Marker(_))).nth(n).unwrap().0
        };
        let mut p = Presenter::new(&t, false);
        drain(&mut p, ms(100));
        // ] : the model is rebuilt and the tape replayed up to chapter two's marker; play goes on from there.
        assert_eq!(p.on_key(ch(']'), ms(100)), Some(Out::Replay(marker(1) + 1)));
        assert_eq!(p.chapter(), Some(1));
        assert_eq!(p.position(ms(100)), t.events[marker(1)].at);
        assert_eq!(drain(&mut p, ms(100)).0, "c");
        assert_eq!(p.on_key(ch(']'), ms(200)), Some(Out::Replay(marker(2) + 1)));
        // No chapter after the last.
        assert_eq!(p.on_key(ch(']'), ms(300)), Some(Out::Redraw));
        assert!(p.footer().unwrap().contains("last chapter"));
        // [ just after a chapter began: the one before; later in a chapter: its start.
        assert_eq!(p.on_key(ch('['), ms(400)), Some(Out::Replay(marker(1) + 1)));
        drain(&mut p, ms(3_000));
        assert_eq!(p.position(ms(3_000)), ms(4_600));
        assert_eq!(p.chapter(), Some(2), "played into chapter three");
        assert_eq!(drain(&mut p, ms(5_000)), (String::new(), vec![Out::Redraw]));
        assert!(p.ended());
        assert_eq!(p.on_key(ch('['), ms(5_000)), Some(Out::Replay(marker(2) + 1)), "the current chapter's start");
        assert!(p.paused(), "from the end, a jump lands paused");
        assert_eq!(p.on_key(ch('['), ms(5_100)), Some(Out::Replay(marker(1) + 1)));
        assert_eq!(p.on_key(ch('['), ms(5_200)), Some(Out::Replay(marker(0) + 1)));
        assert_eq!(p.on_key(ch('['), ms(5_300)), Some(Out::Replay(marker(0) + 1)), "chapter one again");
        // A jump while paused stays paused.
        assert_eq!(p.on_key(ch(']'), ms(5_500)), Some(Out::Replay(marker(1) + 1)));
        assert!(p.paused());
        assert_eq!(drain(&mut p, ms(9_000)).0, "");
    }

    #[test]
    fn demo_presenter_step_mode_pauses_at_every_chapter() {
        let mut p = Presenter::new(&tl(), true);
        assert_eq!(drain(&mut p, ms(0)), (String::new(), vec![Out::Redraw]));
        assert!(p.paused(), "paused at chapter one before its first key");
        assert!(p.footer().unwrap().contains("--step"));
        assert_eq!(drain(&mut p, ms(5_000)).0, "");
        p.on_key(ch(' '), ms(5_000));
        assert_eq!(drain(&mut p, ms(6_100)).0, "ab");
        assert_eq!(drain(&mut p, ms(7_000)), ("]".to_string(), vec![Out::Redraw]));
        assert!(p.paused(), "paused at chapter two");
        assert_eq!(p.chapter(), Some(1));
        // ] in step mode lands paused on the next chapter.
        assert!(matches!(p.on_key(ch(']'), ms(7_100)), Some(Out::Replay(_))));
        assert!(p.paused());
        assert_eq!(p.chapter(), Some(2));
    }

    #[test]
    fn demo_presenter_hands_the_keys_over_while_paused_and_replays_on_resume() {
        let mut p = Presenter::new(&tl(), false);
        drain(&mut p, ms(1_200));
        let at = p.next_event();
        p.on_key(ch(' '), ms(1_200));
        // Paused: the presenter's keys go to the app.
        assert_eq!(p.on_key(ch('j'), ms(1_300)), Some(Out::Key(ch('j'))));
        assert_eq!(
            p.on_key(tape::TapeKey::Enter.key_event(), ms(1_400)),
            Some(Out::Key(tape::TapeKey::Enter.key_event()))
        );
        // ? is the presenter's: the keys overlay, not the app's help.
        assert_eq!(p.on_key(ch('?'), ms(1_500)), Some(Out::Redraw));
        assert!(p.help_shown());
        assert_eq!(p.on_key(tape::TapeKey::Escape.key_event(), ms(1_600)), Some(Out::Redraw));
        assert!(!p.help_shown());
        // Resuming hands back: the model is rebuilt and replayed to where the tape was.
        assert_eq!(p.on_key(ch(' '), ms(2_000)), Some(Out::Replay(at)));
        assert_eq!(p.next_event(), at);
        assert_eq!(drain(&mut p, ms(2_700)).0, "");
        assert_eq!(drain(&mut p, ms(2_800)).0, "]c");
        // A pause without taking over resumes without a replay.
        p.on_key(ch(' '), ms(2_900));
        assert_eq!(p.on_key(ch(' '), ms(3_000)), Some(Out::Redraw));
    }

    #[test]
    fn demo_presenter_wait_holds_until_the_screen_matches_and_pauses_on_timeout() {
        let t = timeline(
            &parse("Type \"a\"\nWait@3s /ready/\nType \"b\"\nSleep 1s\nType \"c\"\n").unwrap(),
            1.0,
            DEFAULT_SIZE,
        );
        let mut p = Presenter::new(&t, false);
        assert_eq!(p.poll(ms(0), ""), Some(Out::Key(ch('a'))));
        assert_eq!(p.poll(ms(1_000), "not yet"), None);
        assert!(p.footer().unwrap().contains("waiting"));
        assert_eq!(p.position(ms(1_900)), ms(50), "the tape stands still while it waits");
        assert_eq!(p.poll(ms(2_000), "all ready now"), Some(Out::Key(ch('b'))));
        assert_eq!(p.poll(ms(2_500), ""), None);
        assert_eq!(p.poll(ms(3_050), ""), Some(Out::Key(ch('c'))));

        let mut p = Presenter::new(&t, false);
        p.poll(ms(0), "");
        assert_eq!(p.poll(ms(100), ""), None);
        assert_eq!(p.poll(ms(3_100), ""), Some(Out::Redraw));
        assert!(p.paused());
        let f = p.footer().unwrap();
        assert!(f.contains("line 2: Wait /ready/") && f.contains(PAUSED_LINE), "{f}");
        p.on_key(ch(' '), ms(4_000));
        assert_eq!(p.poll(ms(4_000), ""), Some(Out::Key(ch('b'))));
    }
}

// ---- casts ----

#[test]
fn demo_cast_writer_writes_valid_asciicast_v2() {
    let mut w = CastWriter::new(80, 24, "closeout \"demo\"", 1_789_380_000);
    w.output(ms(0), "\x1b[2J\x1b[H");
    w.marker(ms(0), "1. Start");
    w.output(Duration::from_micros(1_500_000), "héllo \"world\"\r\n\\ \u{7}");
    w.resize(ms(2000), 100, 30);
    w.marker(ms(2500), "2. Next");
    assert_eq!((w.output_count(), w.marker_count()), (2, 2));
    assert_eq!(w.last_time(), ms(2500));
    let text = w.finish();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"version": 2, "width": 80, "height": 24, "timestamp": 1789380000, "title": "closeout \"demo\"", "env": {"TERM": "xterm-256color"}}"#
    );
    assert_eq!(lines[1], r#"[0.000000, "o", "\u001b[2J\u001b[H"]"#);
    assert_eq!(lines[2], r#"[0.000000, "m", "1. Start"]"#);
    assert_eq!(lines[3], r#"[1.500000, "o", "héllo \"world\"\r\n\\ \u0007"]"#);
    assert_eq!(lines[4], r#"[2.000000, "r", "100x30"]"#);
    assert!(text.ends_with("[2.500000, \"m\", \"2. Next\"]\n"));

    let s = validate_cast(&text).expect("valid cast");
    assert_eq!((s.width, s.height, s.outputs, s.resizes), (80, 24, 2, 1));
    assert_eq!(s.markers, vec!["1. Start", "2. Next"]);
    assert_eq!(s.title.as_deref(), Some("closeout \"demo\""));
    assert!((s.duration - 2.5).abs() < 1e-9);
    // Data survives the round trip.
    let ev: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    assert_eq!(ev[2].as_str(), Some("héllo \"world\"\r\n\\ \u{7}"));
}

#[test]
fn demo_cast_times_never_go_backwards() {
    let mut w = CastWriter::new(80, 24, "t", 0);
    w.output(ms(3000), "a");
    w.output(ms(1000), "b");
    w.marker(ms(2999), "m");
    w.output(Duration::from_nanos(3_000_000_999), "c");
    w.output(ms(4000), "d");
    let text = w.finish();
    let times: Vec<&str> = text.lines().skip(1).map(|l| &l[1..l.find(',').unwrap()]).collect();
    assert_eq!(times, vec!["3.000000", "3.000000", "3.000000", "3.000000", "4.000000"]);
    validate_cast(&text).expect("clamped times validate");
}

#[test]
fn demo_cast_is_deterministic() {
    let build = || {
        let mut w = CastWriter::new(120, 36, "closeout demo", 1_789_380_000);
        for i in 0..50u64 {
            w.output(ms(i * 37), &format!("\x1b[{i};1Hline {i}"));
            if i % 10 == 0 {
                w.marker(ms(i * 37), &format!("step {i}"));
            }
        }
        w.finish()
    };
    assert_eq!(build(), build());
    let mut out = Vec::new();
    let mut w = CastWriter::new(120, 36, "closeout demo", 1_789_380_000);
    w.output(ms(0), "x");
    w.clone().write_to(&mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), w.finish());
}

#[test]
fn demo_validate_cast_rejects_broken_recordings() {
    let header = r#"{"version": 2, "width": 80, "height": 24}"#;
    let cases: &[(String, &str)] = &[
        (String::new(), "header is missing"),
        ("[0.1, \"o\", \"x\"]".into(), "not a JSON object"),
        ("not json".into(), "not JSON"),
        (r#"{"version": 1, "width": 80, "height": 24}"#.into(), "version must be 2"),
        (r#"{"version": 3, "term": {"cols": 80, "rows": 24}}"#.into(), "version must be 2"),
        (r#"{"version": 2, "width": 0, "height": 24}"#.into(), "width must be a positive integer"),
        (r#"{"version": 2, "width": 80}"#.into(), "height must be a positive integer"),
        (format!("{header}\n[0.1, \"o\"]"), "line 2: an event is a 3-element array"),
        (format!("{header}\n{{\"t\": 1}}"), "line 2: an event is a 3-element array"),
        (format!("{header}\n[\"0.1\", \"o\", \"x\"]"), "line 2: the time is not a number"),
        (format!("{header}\n[-0.1, \"o\", \"x\"]"), "line 2: the time -0.1 is negative"),
        (format!("{header}\n[1.0, \"o\", \"x\"]\n[0.5, \"o\", \"y\"]"), "line 3: the time 0.5 is before"),
        (format!("{header}\n[0.1, \"x\", \"x\"]"), "line 2: the event code"),
        (format!("{header}\n[0.1, \"o\", 5]"), "line 2: the data is not a string"),
        (format!("{header}\n[0.1, \"r\", \"80by24\"]"), "line 2: a resize's data"),
        (format!("{header}\n\n[0.1, \"o\", \"x\"]"), "line 2: not JSON"),
    ];
    for (text, want) in cases {
        let err = validate_cast(text).expect_err(text);
        assert!(err.contains(want), "{text:?}: {err:?} should mention {want:?}");
    }
    let ok = validate_cast(&format!("{header}\n[0, \"o\", \"x\"]\n[0, \"i\", \"y\"]\n[0.25, \"m\", \"\"]\n")).unwrap();
    assert_eq!((ok.outputs, ok.inputs, ok.markers.len(), ok.duration), (1, 1, 1, 0.25));
    assert_eq!(validate_cast(header).unwrap().outputs, 0);
}

// ---- walkthrough focus: review steps ----

#[test]
fn demo_a_review_step_opens_the_retry_plan_review_on_its_plan_at_its_pane() {
    let (mut app, _) = sample_app();
    let w = crate::walkthrough::find(DEFAULT_WALKTHROUGH).unwrap();
    let review_steps: Vec<(usize, u32)> = w
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.focus.pane == crate::walkthrough::FocusPane::Review)
        .map(|(i, s)| (i, s.focus.review_pane.unwrap_or(1)))
        .collect();
    assert_eq!(review_steps, vec![(9, 1), (13, 3)], "the retry plan review, and Enterprise on the worker pane");
    for (i, pane) in review_steps {
        // Walk there as a presenter does (Esc leaves an open review first).
        let (mut fresh, _) = sample_app();
        for _ in 0..i {
            if fresh.review().is_some() {
                crate::tui::harness::press(&mut fresh, KeyCode::Esc);
            }
            crate::tui::harness::type_keys(&mut fresh, "]");
        }
        let r = fresh.review().unwrap_or_else(|| panic!("step {} opens the review", i + 1));
        assert_eq!(r.pane + 1, pane as usize, "step {}", i + 1);
        let screen = crate::tui::harness::screen(&fresh);
        assert!(screen.contains(&format!("pane {pane} of 5")), "{screen}");
        // The review is on the step's plan: its delivery's review looks at the plan node.
        let plan = w.steps[i].focus.resolve(&fresh.evidence).unwrap();
        assert!(r.current().nodes.contains(&plan), "step {}", i + 1);
        app = fresh;
    }
    // From a review step, ] goes on as from any other step once the review is closed.
    crate::tui::harness::press(&mut app, KeyCode::Esc);
    crate::tui::harness::type_keys(&mut app, "]");
    assert!(app.review().is_none());
    assert_eq!(app.walk.as_ref().unwrap().step, 14);
}
