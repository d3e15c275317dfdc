//! Write a large real-shaped evidence store for benchmarks, from CAVRA's fixture items (found as the
//! conformance suite finds them: `$CLOSEOUT_FIXTURES`, else the shared folder beside the checkout):
//! `cargo run --release --example gen_store -- [--versions] [OUT.json] [ITEMS]`.
//!
//! `--versions` writes the other benchmark store: CAVRA's accepted-risk items replicated as versions of ONE
//! release (every kind with thousands of versions, as CAVRA's routes rebuild their inputs).
//!
//! Defaults: 42,000 items (about 160 MB) written to `$CARGO_TARGET_DIR/bench-store-42000.json` (else
//! `target/`), the file `cargo bench --bench load` and `scripts/measure-*.sh` use.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let versions = args.peek().is_some_and(|a| a == "--versions");
    if versions {
        args.next();
    }
    let out = args.next().map(std::path::PathBuf::from);
    let count = match args.next().map(|n| n.parse::<usize>()) {
        None => closeout::bench_support::BENCH_ITEMS,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("gen_store: ITEMS must be a positive number; usage: gen_store [OUT.json] [ITEMS]");
            return ExitCode::from(2);
        }
    };
    let out = out.unwrap_or_else(|| {
        if versions {
            closeout::bench_support::versions_store_path(count)
        } else {
            closeout::bench_support::bench_store_path(count)
        }
    });
    let fixtures = match closeout::conformance::require() {
        Ok(dir) => dir,
        Err(why) => {
            eprintln!("gen_store: {why}");
            return ExitCode::from(2);
        }
    };
    let generated = if versions {
        closeout::bench_support::generate_versions_store(&fixtures, count)
    } else {
        closeout::bench_support::generate_store(&fixtures, count)
    };
    let bytes = match generated {
        Ok(b) => b,
        Err(e) => {
            eprintln!("gen_store: reading CAVRA's fixtures in {}: {e}", fixtures.display());
            return ExitCode::from(2);
        }
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(e) = std::fs::write(&out, &bytes) {
        eprintln!("gen_store: writing {}: {e}", out.display());
        return ExitCode::from(2);
    }
    eprintln!("wrote {}: {count} items, {:.1} MB", out.display(), bytes.len() as f64 / 1e6);
    ExitCode::SUCCESS
}
