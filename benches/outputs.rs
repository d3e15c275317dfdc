//! Issue 15's goal: `closeout check` writing four formats in one run (`--output` json, sarif, junit and
//! github, one evaluation) is not slower than writing one by more than 5%, on the 42,000-item (~156 MB)
//! benchmark store. Run with `cargo bench --bench outputs`; `scripts/measure-outputs.sh` times the same two
//! commands with hyperfine.
//!
//! - `check_process/one` and `check_process/four`: the whole `closeout check` process, as CI runs it.
//! - `render/one` and `render/four`: only the rendering, on one evaluated report: what the extra formats cost.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use closeout::bench_support::{BENCH_ITEMS, bench_store_path, target_dir};
use closeout::evidence::{LoadOptions, load_path};
use closeout::report::{OutputFormat, TextStyle, render};

const AS_OF: &str = "2026-06-01T10:00:00Z";

fn store() -> PathBuf {
    let path = bench_store_path(BENCH_ITEMS);
    if !path.exists() {
        let fixtures = closeout::conformance::require().unwrap_or_else(|why| panic!("the outputs bench needs {why}"));
        let bytes = closeout::bench_support::generate_store(&fixtures, BENCH_ITEMS)
            .unwrap_or_else(|e| panic!("reading CAVRA's fixtures in {}: {e}", fixtures.display()));
        std::fs::create_dir_all(target_dir()).ok();
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    path
}

fn check(store: &Path, outputs: &[String]) -> std::process::ExitStatus {
    let mut c = Command::new(env!("CARGO_BIN_EXE_closeout"));
    c.args(["check", "--as-of", AS_OF, "--format", "json"]).arg(store);
    for o in outputs {
        c.args(["--output", o]);
    }
    c.output().unwrap().status
}

fn outputs(c: &mut Criterion) {
    let path = store();
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).display().to_string();
    let one = vec![format!("json={}", out("one.json"))];
    let four = vec![
        format!("json={}", out("r.json")),
        format!("sarif={}", out("r.sarif")),
        format!("junit={}", out("r.xml")),
        format!("github={}", out("r.txt")),
    ];
    let mut g = c.benchmark_group("check_process");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("one", |b| b.iter(|| check(&path, &one)));
    g.bench_function("four", |b| b.iter(|| check(&path, &four)));
    g.finish();

    let ev = load_path(&path, &LoadOptions { map_files: true, ..LoadOptions::default() }).unwrap();
    let report = closeout::health::evaluate(&ev, &[], closeout::time::parse_instant(AS_OF).unwrap()).unwrap();
    let mut g = c.benchmark_group("render");
    g.sample_size(20);
    // --format json on stdout plus the outputs.
    g.bench_function("one", |b| {
        b.iter(|| [OutputFormat::Json, OutputFormat::Json].map(|f| render(f, &ev, &report, TextStyle::Plain).len()))
    });
    g.bench_function("four", |b| {
        b.iter(|| {
            [OutputFormat::Json, OutputFormat::Json, OutputFormat::Sarif, OutputFormat::Junit, OutputFormat::Github]
                .map(|f| render(f, &ev, &report, TextStyle::Plain).len())
        })
    });
    g.finish();
}

criterion_group!(benches, outputs);
criterion_main!(benches);
