//! Search over the 160 MB benchmark store (the explorer issue's goal: a query answers in ≤ 100 ms). The
//! store is generated once from CAVRA's fixtures, found through the conformance fixture resolver; without
//! them the bench says so and skips. Building the index runs once per evidence, off the draw thread, and is
//! measured on its own. In the explorer a query is a typed character through update (the index scan, the
//! matches in tree order, the detail kept in step); that bench types and deletes one, so each iteration is
//! two queries.
//! Run with `cargo bench --bench search`.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use closeout::bench_support::{BENCH_ITEMS, bench_store_path, target_dir};
use closeout::evidence::{LoadOptions, load_path};
use closeout::health;
use closeout::tui::state::search::SearchIndex;
use closeout::tui::update::update;
use closeout::tui::{Action, Model, Msg};

fn bench(c: &mut Criterion) {
    let path = bench_store_path(BENCH_ITEMS);
    if !path.exists() {
        let fixtures = match closeout::conformance::require() {
            Ok(f) => f,
            Err(why) => {
                eprintln!("search bench skipped: it needs the benchmark store, generated from {why}");
                return;
            }
        };
        let bytes = closeout::bench_support::generate_store(&fixtures, BENCH_ITEMS)
            .unwrap_or_else(|e| panic!("reading CAVRA's fixtures in {}: {e}", fixtures.display()));
        std::fs::create_dir_all(target_dir()).ok();
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let size = std::fs::metadata(&path).unwrap().len();
    let ev = load_path(&path, &LoadOptions::default()).unwrap();
    let as_of = closeout::time::parse_instant("2026-06-01T10:00:00Z").unwrap();
    let report = health::evaluate(&ev, &[], as_of).unwrap();
    let ev = Arc::new(ev);
    eprintln!("search bench: {} MB, {} artifacts", size / 1_000_000, ev.nodes.len());

    let mut g = c.benchmark_group("search_store_42k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("build_index", |b| b.iter(|| SearchIndex::build(&ev).size()));
    let index = SearchIndex::build(&ev);
    eprintln!("search bench: the index holds {} MB of shown text", index.size() / 1_000_000);
    // A rare string (one artifact's id tail) and a common one (in every artifact).
    let rare = ev.nodes[ev.nodes.len() / 2].id.to_string();
    let rare = rare[rare.len().saturating_sub(12)..].to_string();
    for (name, q) in [("find_rare", rare.as_str()), ("find_common", "payments-api")] {
        g.bench_function(name, |b| b.iter(|| index.find(q).len()));
    }
    g.finish();

    // The explorer's path: the index built (as the worker hands it over), then one character typed.
    let mut model = Model::new(Arc::clone(&ev), Arc::new(report), 200, 60);
    let _ = update(&mut model, Action::StartSearch);
    model.search.index = Some(Arc::new(index));
    model.search.waiting = false;
    let mut g = c.benchmark_group("search_keypress_42k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("type_and_delete_the_last_character_of_a_rare_query", |b| {
        for ch in rare.chars().take(rare.len() - 1) {
            let _ = update(&mut model, Msg::Input(ch));
        }
        let last = rare.chars().last().unwrap();
        b.iter(|| {
            let _ = update(&mut model, Msg::Input(last));
            let _ = update(&mut model, Action::DeleteBack);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
