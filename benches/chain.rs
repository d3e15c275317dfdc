//! The typed chain's performance goals (issue 10), on both benchmark stores: the benchmark store (CAVRA's
//! three fixture stores replicated) and the versions store (one release whose every kind has thousands of
//! versions). `evaluate` is the evaluation alone, on evidence loaded once (the chain, built in every
//! iteration rather than taken from the load, the ten criteria and the reference states);
//! `load_and_evaluate` is what `closeout check` costs in process, at 10k, 42k and 170k items, for the
//! linearity goal (criterion's throughput column: bytes per second, flat when linear).
//! Run with `cargo bench --bench chain`; `scripts/measure-chain.sh` adds `jq empty` and peak memory.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use closeout::bench_support::{
    bench_store_path, generate_store, generate_versions_store, target_dir, versions_store_path,
};
use closeout::evidence::{LoadOptions, load_path};
use closeout::health;

const SIZES: [usize; 3] = [10_000, 42_000, 170_000];

/// The store of `items` items of one shape, generated once under the target directory.
fn store(versions: bool, items: usize) -> PathBuf {
    let path = if versions { versions_store_path(items) } else { bench_store_path(items) };
    if !path.exists() {
        let fixtures = closeout::conformance::require().unwrap_or_else(|why| panic!("the chain bench needs {why}"));
        let bytes = if versions { generate_versions_store(&fixtures, items) } else { generate_store(&fixtures, items) }
            .unwrap_or_else(|e| panic!("reading CAVRA's fixtures in {}: {e}", fixtures.display()));
        std::fs::create_dir_all(target_dir()).ok();
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    path
}

fn shapes() -> [(&'static str, bool); 2] {
    [("bench_store", false), ("versions_store", true)]
}

fn evaluate(c: &mut Criterion) {
    let as_of = closeout::time::parse_instant("2026-06-01T10:00:00Z").unwrap();
    let mut g = c.benchmark_group("evaluate_42k");
    g.sample_size(30).measurement_time(Duration::from_secs(10));
    for (name, versions) in shapes() {
        // No chain prepared at load: every iteration builds it, as the goal counts it.
        let opts = LoadOptions { prepare_chain: false, ..LoadOptions::default() };
        let ev = load_path(&store(versions, 42_000), &opts).unwrap();
        g.bench_function(name, |b| b.iter(|| health::evaluate(&ev, &[], as_of).unwrap().verdict));
    }
    g.finish();
}

fn linear(c: &mut Criterion) {
    let as_of = closeout::time::parse_instant("2026-06-01T10:00:00Z").unwrap();
    let mapped = LoadOptions { map_files: true, ..LoadOptions::default() };
    for (name, versions) in shapes() {
        let mut g = c.benchmark_group(format!("load_and_evaluate/{name}"));
        g.sample_size(10).measurement_time(Duration::from_secs(15));
        for items in SIZES {
            let path = store(versions, items);
            g.throughput(Throughput::Bytes(std::fs::metadata(&path).unwrap().len()));
            g.bench_with_input(BenchmarkId::from_parameter(items), &path, |b, path| {
                b.iter(|| {
                    let ev = load_path(path, &mapped).unwrap();
                    health::evaluate(&ev, &[], as_of).unwrap().verdict
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, evaluate, linear);
criterion_main!(benches);
