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
Require closeout
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
Screenshot "target/shot.png"
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
    assert_eq!(
        cmds,
        vec![
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
        ("Wait /ready/", "does not support"),
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
    assert_eq!(act(TapeKey::Ctrl('c').key_event()), Some(Msg::Action(Action::Quit)));
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

/// Keys the default tape uses that the explorer's keymap does not bind yet; the walkthrough mode and the
/// retry plan review must bind them (see the module docs of `default.tape`).
const ASSUMED_KEYS: &[char] = &[']', 'r'];

#[test]
fn demo_default_tape_narrates_the_sales_demo() {
    let cmds = parse(DEFAULT_TAPE).expect("the default tape parses");
    let w = crate::walkthrough::find(DEFAULT_WALKTHROUGH).expect("the default tape's walkthrough exists");
    let want: Vec<String> = w.steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, s.title)).collect();
    assert_eq!(tape::markers(&cmds), want, "one marker per walkthrough step, in order, named after the step");
    assert_eq!(tape::initial_size(&cmds), (Some(DEFAULT_SIZE.0), Some(DEFAULT_SIZE.1)));

    // It ends on the verdict: the last step focuses the verdict, and nothing but sleeping follows its marker.
    let last = w.steps.last().unwrap();
    assert_eq!(last.focus.pane, crate::walkthrough::FocusPane::Verdict);
    let after_last: Vec<&TapeCommand> = cmds
        .iter()
        .skip_while(|c| !matches!(c, TapeCommand::Marker(m) if *m == want[want.len() - 1]))
        .skip(1)
        .collect();
    assert!(!after_last.is_empty() && after_last.iter().all(|c| matches!(c, TapeCommand::Sleep(_))), "{after_last:?}");
    assert!(!cmds.iter().any(|c| matches!(c, TapeCommand::Type { text, .. } if text.contains('q'))), "it never quits");

    // It reviews the retry plan: the review step opens the review and moves through it.
    let (review_idx, _) = w
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| {
            s.focus.pane == crate::walkthrough::FocusPane::Review && s.focus.kind.as_deref() == Some("retry plan")
        })
        .expect("the sales demo has a retry plan review step");
    let step_cmds: Vec<&TapeCommand> = cmds
        .iter()
        .skip_while(|c| !matches!(c, TapeCommand::Marker(m) if *m == want[review_idx]))
        .take_while(|c| !matches!(c, TapeCommand::Marker(m) if *m == want[review_idx + 1]))
        .collect();
    assert!(step_cmds.iter().any(|c| matches!(c, TapeCommand::Type { text, .. } if text == "r")), "{step_cmds:?}");
    assert!(step_cmds.iter().any(|c| matches!(c, TapeCommand::Key { key: TapeKey::Down, .. })));

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

    // About a minute and a half of screen time; speed scales it.
    let t = timeline(&cmds, 1.0, DEFAULT_SIZE);
    assert!((ms(60_000)..ms(180_000)).contains(&t.end), "{:?}", t.end);
    assert_eq!(timeline(&cmds, 2.0, DEFAULT_SIZE).end, t.end / 2);
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
