//! Write a large real-shaped evidence store for benchmarks:
//! `cargo run --release --example gen_store -- OUT.json [ITEMS]` (default 42,000 items, about 160 MB).

use std::path::Path;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "target/bench-store.json".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(42_000);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/cavra");
    let bytes = closeout::bench_support::generate_store(&fixtures, count)?;
    std::fs::write(&out, &bytes)?;
    eprintln!("wrote {out}: {count} items, {:.1} MB", bytes.len() as f64 / 1e6);
    Ok(())
}
