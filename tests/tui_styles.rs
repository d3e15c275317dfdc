//! Buffer assertions where style carries meaning (snapshots drop styles), secrets that must never be
//! drawn, and evidence text that must never reach the terminal as control characters.

use closeout::evidence::{LoadOptions, load_bytes};
use closeout::samples;
use closeout::tui::App;
use closeout::tui::harness::{self, press, type_keys};
use closeout::tui::tree::Sel;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

fn sample(name: &str, w: u16, h: u16) -> App {
    let ev = samples::load(name, &LoadOptions::default()).expect("sample loads");
    harness::app(ev, None, w, h)
}

fn select_node(app: &mut App, n: usize) {
    app.update(closeout::tui::Action::FocusNode(n));
    assert_eq!(app.tree.selection(), Some(Sel::Node(n)));
}

/// (x, y) of every cell where `text` starts in the buffer.
fn find(buf: &Buffer, text: &str) -> Vec<(u16, u16)> {
    let mut hits = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let matches = chars.iter().enumerate().all(|(i, c)| {
                let xi = x as usize + i;
                xi < buf.area.width as usize && buf[(xi as u16, y)].symbol() == c.to_string()
            });
            if matches {
                hits.push((x, y));
            }
        }
    }
    hits
}

fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn delivery_detail(monochrome: bool) -> (App, Buffer) {
    let mut app = sample("leaked-connector-secret", 160, 48);
    app.monochrome = monochrome;
    let n = app.evidence.nodes.iter().position(|n| n.kind.name() == "closeout delivery").unwrap();
    app.update(closeout::tui::Action::FocusNode(n));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::PageDown);
    let buf = harness::buffer(&app);
    (app, buf)
}

#[test]
fn redacted_values_are_reverse_video() {
    for monochrome in [false, true] {
        let (_, buf) = delivery_detail(monochrome);
        let hits = find(&buf, "«REDACTED");
        assert!(hits.len() >= 2, "both redacted values are on screen:\n{}", buffer_text(&buf));
        for (x, y) in hits {
            for i in 0..("«REDACTED".chars().count() as u16) {
                let cell = &buf[(x + i, y)];
                assert!(cell.modifier.contains(Modifier::REVERSED), "cell {x}+{i},{y} {cell:?}");
            }
        }
    }
}

#[test]
fn monochrome_keeps_modifiers_and_drops_every_colour() {
    let (_, buf) = delivery_detail(true);
    for cell in &buf.content {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    // The failing node's glyph stays bold, the selection stays reversed.
    let text = buffer_text(&buf);
    assert!(text.contains('✗'));
    assert!(buf.content.iter().any(|c| c.symbol() == "✗" && c.modifier.contains(Modifier::BOLD)));
    assert!(
        buf.content.iter().any(|c| c.symbol() == "▶" && c.modifier.intersects(Modifier::REVERSED | Modifier::BOLD))
    );
}

#[test]
fn status_glyphs_carry_their_colours() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-evidence/accepted-risk-store.json");
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let ev = load_bytes("accepted-risk-store.json", bytes, &LoadOptions::default()).unwrap();
    let mut app = harness::app(ev, closeout::time::parse_instant("2026-09-14T10:00:00Z"), 160, 48);
    // Select the group row so no node row carries the selection style.
    type_keys(&mut app, "g");
    let buf = harness::buffer(&app);
    let tree = closeout::tui::ui::layout::layout(app.area).unwrap().tree;
    let mut seen = [0; 4];
    for y in tree.y + 1..tree.bottom() - 1 {
        for x in tree.x + 1..tree.right() - 1 {
            let cell = &buf[(x, y)];
            match cell.symbol() {
                "✓" => {
                    assert_eq!(cell.fg, Color::Green, "✓ at {x},{y}");
                    seen[0] += 1;
                }
                "!" => {
                    assert_eq!(cell.fg, Color::Yellow, "! at {x},{y}");
                    seen[1] += 1;
                }
                "✗" => {
                    assert_eq!(cell.fg, Color::Red, "✗ at {x},{y}");
                    assert!(cell.modifier.contains(Modifier::BOLD));
                    seen[2] += 1;
                }
                "?" => {
                    assert!(cell.modifier.contains(Modifier::DIM), "? at {x},{y}");
                    seen[3] += 1;
                }
                _ => {}
            }
        }
    }
    assert!(seen[0] > 0 && seen[1] > 0 && seen[3] > 0, "{seen:?}");
    // The accepted-risk store has no failing node; a tampered bundle does.
    let mut app = sample("tampered-artifact-hash", 160, 48);
    type_keys(&mut app, "g");
    let buf = harness::buffer(&app);
    let fails: Vec<_> = buf.content.iter().filter(|c| c.symbol() == "✗").collect();
    assert!(!fails.is_empty());
    for c in fails {
        assert!(c.fg == Color::Red && c.modifier.contains(Modifier::BOLD), "{c:?}");
    }
}

/// The secrets the leaked-connector-secret sample carries in the clear, read from the sample itself.
fn leaked_secrets() -> Vec<String> {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../sample-evidence/leaked-connector-secret.json")).unwrap();
    let mut found = Vec::new();
    fn walk(v: &serde_json::Value, key: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, k, out)),
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, key, out)),
            serde_json::Value::String(s) if key == "authorization" || (key == "url" && s.contains("/services/T")) => {
                out.push(s.clone())
            }
            _ => {}
        }
    }
    walk(&raw, "", &mut found);
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_leaked_secret_is_drawn_nowhere() {
    let secrets = leaked_secrets();
    assert!(secrets.len() >= 2, "{secrets:?}");
    // Every 10-character piece of every secret's distinctive part (after the scheme or the "Bearer " word).
    let pieces: Vec<String> = secrets
        .iter()
        .flat_map(|s| {
            let tail = s.rsplit(['/', ' ']).next().unwrap_or(s).to_string();
            let chars: Vec<char> = tail.chars().collect();
            chars.windows(10).map(|w| w.iter().collect::<String>()).collect::<Vec<_>>()
        })
        .collect();
    assert!(!pieces.is_empty());
    let mut screens = Vec::new();
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = sample("leaked-connector-secret", w, h);
        type_keys(&mut app, "E");
        // Every row, with the detail scrolled through.
        let rows = app.tree.rows().len();
        for _ in 0..rows {
            screens.push(harness::screen(&app));
            press(&mut app, KeyCode::Tab);
            for _ in 0..40 {
                press(&mut app, KeyCode::PageDown);
                screens.push(harness::screen(&app));
                if app.detail_scroll + 10 >= app.detail_lines().len() {
                    break;
                }
            }
            press(&mut app, KeyCode::Tab);
            type_keys(&mut app, "j");
        }
        type_keys(&mut app, "b");
        screens.push(harness::screen(&app));
        press(&mut app, KeyCode::Esc);
        type_keys(&mut app, "?");
        screens.push(harness::screen(&app));
    }
    for screen in &screens {
        let flat: String = screen.split_whitespace().collect();
        for p in &pieces {
            assert!(!screen.contains(p.as_str()) && !flat.contains(p.as_str()), "secret piece {p:?} drawn:\n{screen}");
        }
    }
}

#[test]
fn control_characters_in_evidence_are_shown_not_sent() {
    let src = include_str!("../sample-evidence/trial-walkthrough.json");
    assert!(src.contains("frb-payments-api-2026-09-14-001"));
    let evil = src.replace("frb-payments-api-2026-09-14-001", "frb-\\u001b[31mred\\u0007-001");
    let ev = load_bytes("evil.json", evil.into_bytes(), &LoadOptions::default()).unwrap();
    let mut app = harness::app(ev, closeout::time::parse_instant("2026-09-14T10:00:00Z"), 160, 48);
    let n = app
        .evidence
        .nodes
        .iter()
        .position(|n| n.id.matches("frb-\u{1b}[31mred\u{7}-001"))
        .expect("the id kept its ESC");
    select_node(&mut app, n);
    let buf = harness::buffer(&app);
    let text = buffer_text(&buf);
    assert!(text.contains("frb-\\x1b[31mred\\x07-001"), "the escape is visible in the detail:\n{text}");
    for cell in &buf.content {
        assert!(!cell.symbol().chars().any(|c| c.is_control()), "control character in a cell: {cell:?}");
    }
}
