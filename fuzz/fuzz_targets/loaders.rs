//! The loaders under libFuzzer: the first byte picks JSON or SQLite, the rest is the input; it goes through
//! load, evaluate and the three report formats (`closeout::fuzzing::one`), which must not panic or let a raw
//! control character out. Seed the corpus with `fuzz/seed.sh`; run with
//! `cargo +nightly fuzz run loaders fuzz/corpus/loaders -- -max_total_time=900`.
#![no_main]

use closeout::fuzzing::{Shape, one};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("a temporary directory");
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let shape = if first & 1 == 1 { Shape::Sqlite } else { Shape::Json };
    DIR.with(|dir| {
        if let Err(finding) = one(rest, shape, dir.path()) {
            panic!("{finding}");
        }
    });
});
