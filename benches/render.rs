//! Frame rendering on a 100,000-node tree at 200×60 (target: ≤ 1 ms a frame, issue 12), and building the app state
//! (the initial flatten) for the same evidence.
//!
//! `cargo bench --bench render`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use closeout::evidence::kinds::KIND_PREFIX;
use closeout::evidence::{Evidence, Kind, LoadOptions, load_bytes};
use closeout::health::{self, Report};
use closeout::tui::update::update;
use closeout::tui::{Action, Model as App, ui};

const NODES: usize = 100_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;

/// A store of `n` tiny items over five kinds of the chain, each referencing the one before it.
fn synthetic_store(n: usize) -> Vec<u8> {
    let kinds = [
        (Kind::ReadinessBundle, "readiness-bundle", "closeout_state", "ready_for_closeout"),
        (Kind::CloseoutSummary, "release-closeout-summary", "closeout_state", "closed"),
        (Kind::RetryPlan, "release-closeout-delivery-retry-plan", "decision", "retry"),
        (Kind::WorkerRun, "release-closeout-delivery-retry-worker-run", "state", "completed"),
        (Kind::ExecutionRecord, "release-closeout-delivery-retry-execution-record", "execution_status", "skipped"),
    ];
    let mut out = String::with_capacity(n * 360);
    out.push_str("{\"items\":[");
    for i in 0..n {
        let (kind, suffix, state_key, state) = &kinds[i % kinds.len()];
        let id_field = kind.id_field().expect("known kind");
        let embed = kind.embed_key().expect("known kind");
        let minute = i % 60;
        let id = format!("synthetic-{i:06}");
        let prev = format!("synthetic-{:06}", i.saturating_sub(1));
        // The reference to the item before, under a key that is not this kind's own id field.
        let ref_key = if id_field == "summary_id" { "bundle_id" } else { "summary_id" };
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"metadata_kind\":\"{KIND_PREFIX}{suffix}\",\"session_id\":\"{id}\",\
             \"created_at\":\"2026-06-01T09:{minute:02}:00+00:00\",\
             \"{embed}\":{{\"{id_field}\":\"{id}\",\"{state_key}\":\"{state}\",\"{ref_key}\":\"{prev}\",\
             \"controls\":[\"no-secret\"],\"signature_key_id\":\"kms-ref\"}}}}"
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

fn evidence() -> (Arc<Evidence>, Arc<Report>) {
    let ev = load_bytes("synthetic.json", synthetic_store(NODES), &LoadOptions::default()).expect("store loads");
    assert_eq!(ev.nodes.len(), NODES);
    let as_of = closeout::time::parse_instant("2026-06-01T10:00:00Z").unwrap();
    let report = health::evaluate(&ev, &[], as_of).expect("evaluates");
    (Arc::new(ev), Arc::new(report))
}

fn bench(c: &mut Criterion) {
    let (ev, report) = evidence();

    c.bench_function("app_new_100k", |b| {
        b.iter(|| black_box(App::new(ev.clone(), report.clone(), WIDTH, HEIGHT)));
    });

    let mut app = App::new(ev.clone(), report.clone(), WIDTH, HEIGHT);
    update(&mut app, Action::ExpandAll);
    assert!(app.tree.rows().len() >= NODES, "every node has a row");
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();

    c.bench_function("expand_all_100k", |b| {
        b.iter(|| {
            update(&mut app, Action::CollapseAll);
            update(&mut app, Action::ExpandAll);
        });
    });

    c.bench_function("frame_200x60_top_of_100k", |b| {
        b.iter(|| terminal.draw(|f| ui::render(black_box(&app), f)).map(|_| ()).unwrap());
    });

    // The middle of the tree: 50,000 rows down.
    while app.tree.selected_row() < NODES / 2 {
        update(&mut app, Action::PageDown);
    }
    c.bench_function("frame_200x60_middle_of_100k", |b| {
        b.iter(|| terminal.draw(|f| ui::render(black_box(&app), f)).map(|_| ()).unwrap());
    });

    // A key press and its frame: move one row (new detail), draw.
    let mut down = true;
    c.bench_function("keypress_and_frame_200x60_100k", |b| {
        b.iter(|| {
            update(&mut app, if down { Action::Down } else { Action::Up });
            down = !down;
            terminal.draw(|f| ui::render(&app, f)).map(|_| ()).unwrap();
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = bench
}
criterion_main!(benches);
