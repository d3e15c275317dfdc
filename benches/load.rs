//! Loading and evaluating a large real-shaped store (the engine issue's performance goal), and file
//! hashing throughput. Run with `cargo bench --bench load`; `scripts/measure-load.sh` adds peak memory and
//! the `jq empty` / `openssl speed` comparisons.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use closeout::evidence::{LoadOptions, hash_file, load_path};
use closeout::health;

use closeout::bench_support::{BENCH_ITEMS, bench_store_path, target_dir};

/// The generated store (as `cargo run --release --example gen_store` writes it), written once under the
/// target directory from CAVRA's fixtures.
fn store() -> PathBuf {
    let path = bench_store_path(BENCH_ITEMS);
    if !path.exists() {
        let fixtures = closeout::conformance::require().unwrap_or_else(|why| panic!("the load bench needs {why}"));
        let bytes = closeout::bench_support::generate_store(&fixtures, BENCH_ITEMS)
            .unwrap_or_else(|e| panic!("reading CAVRA's fixtures in {}: {e}", fixtures.display()));
        std::fs::create_dir_all(target_dir()).ok();
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    path
}

fn load_and_evaluate(c: &mut Criterion) {
    let path = store();
    let size = std::fs::metadata(&path).unwrap().len();
    let as_of = closeout::time::parse_instant("2026-06-01T10:00:00Z").unwrap();
    let mut g = c.benchmark_group("store_42k");
    g.sample_size(10).measurement_time(Duration::from_secs(20)).throughput(Throughput::Bytes(size));
    g.bench_function("load_and_evaluate", |b| {
        b.iter(|| {
            let ev = load_path(&path, &LoadOptions::default()).unwrap();
            health::evaluate(&ev, &[], as_of).unwrap().verdict
        })
    });
    // As `closeout check` loads: large files mapped rather than read.
    let mapped = LoadOptions { map_files: true, ..LoadOptions::default() };
    g.bench_function("load_and_evaluate_mapped", |b| {
        b.iter(|| {
            let ev = load_path(&path, &mapped).unwrap();
            health::evaluate(&ev, &[], as_of).unwrap().verdict
        })
    });
    g.bench_function("closeout_check_process", |b| {
        b.iter(|| {
            Command::new(env!("CARGO_BIN_EXE_closeout"))
                .args(["check", "--as-of", "2026-06-01T10:00:00Z"])
                .arg(&path)
                .output()
                .unwrap()
                .status
        })
    });
    if Command::new("jq").arg("--version").output().is_ok() {
        g.bench_function("jq_empty_process", |b| {
            b.iter(|| Command::new("jq").arg("empty").arg(&path).output().unwrap().status)
        });
    }
    g.finish();
}

fn hashing(c: &mut Criterion) {
    let path = target_dir().join("bench-hash-256m.bin");
    if !path.exists() {
        let block: Vec<u8> = (0..1 << 20).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let mut data = Vec::with_capacity(256 << 20);
        for _ in 0..256 {
            data.extend_from_slice(&block);
        }
        std::fs::write(&path, data).unwrap();
    }
    let mut g = c.benchmark_group("hash_file");
    g.sample_size(10).throughput(Throughput::Bytes(256 << 20));
    g.bench_function("sha256_256MiB", |b| b.iter(|| hash_file(&path, u64::MAX).unwrap()));
    g.finish();
}

/// The first parse's fast scanner alone over the store (what duplicate-key detection adds to).
fn scanner(c: &mut Criterion) {
    let text = std::fs::read_to_string(store()).unwrap();
    let mut g = c.benchmark_group("store_42k");
    g.sample_size(10).measurement_time(Duration::from_secs(10)).throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("fast_scan", |b| b.iter(|| assert!(closeout::evidence::fastparse_takes(&text))));
    g.finish();
}

criterion_group!(benches, load_and_evaluate, hashing, scanner);
criterion_main!(benches);
