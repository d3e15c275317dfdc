//! A deterministic mutation fuzzer for the loaders on stable Rust (the `fuzz/` cargo-fuzz target needs a
//! nightly toolchain and libFuzzer). Seeds: the repository's sample evidence, the chain test data, and SQLite
//! stores written from them. Each input goes through `closeout::fuzzing::one` (load, evaluate, all three
//! report formats) and must not panic or let a raw control character out.
//!
//! In the suite it runs a few hundred inputs; for a longer run:
//! `FUZZ_ITERS=200000 FUZZ_SEED=7 cargo test --release --test fuzz_loaders -- --nocapture`.
//! A finding is written to `target/fuzz-findings/` and fails the test.

mod support;

use std::path::{Path, PathBuf};

use closeout::fuzzing::{Shape, one};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Byte strings a mutation may insert: JSON syntax, escapes, control and format characters, secret prefixes.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\",
    b",",
    b":",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"99999999999999999999",
    b"\"items\"",
    b"\"items\": []",
    b"\"kind\"",
    b"\"schema_version\"",
    b"\"session_id\"",
    b"\\u0000",
    b"\\ud800",
    b"\\u001b]52;c;aGk=\\u0007",
    b"\x1b[2J",
    b"\xc2\x9b",
    b"\xe2\x80\xae",
    b"\xe2\x80\x8b",
    b"\xef\xbb\xbf",
    b"\xff",
    b"ghp_FUZZsecretVALUE0123456789abcdefXYZ",
    b"\\u0067hp_FUZZsecretVALUE0123456789abcdefXYZ",
    b"\"password\": ",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    b"]]]]]]]]]]]]]]]]",
    b"\"a\": 1, \"a\": 2",
];

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(7) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            2 if !v.is_empty() => {
                let len = 1 + rng.below(64.min(v.len() - at.min(v.len() - 1)));
                let from = at.min(v.len() - 1);
                v.drain(from..(from + len).min(v.len()));
            }
            3 if !v.is_empty() => {
                let from = rng.below(v.len());
                let len = 1 + rng.below(256.min(v.len() - from));
                let chunk = v[from..from + len].to_vec();
                v.splice(at..at, chunk);
            }
            4 if !other.is_empty() => {
                let from = rng.below(other.len());
                let len = 1 + rng.below(512.min(other.len() - from));
                v.splice(at..at, other[from..from + len].iter().copied());
            }
            5 => v.truncate(at),
            _ if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = [0u8, 0x1b, 0x7f, 0x9b, b'"', b'\\', 0xff][rng.below(7)];
            }
            _ => {}
        }
    }
    v
}

fn seeds(dir: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut json = Vec::new();
    let mut stack = vec![root.join("sample-evidence"), root.join("tests/data/chain")];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "json") && p.metadata().unwrap().len() < 1 << 20 {
                json.push(std::fs::read(&p).unwrap());
            }
        }
    }
    let mut sqlite = Vec::new();
    for name in ["clean-store.json", "leaked-connector-secret.json", "tampered-artifact-hash.json"] {
        let db = dir.join(format!("{name}.sqlite"));
        support::write_sqlite_store(&support::sample_path(name), &db);
        sqlite.push(std::fs::read(&db).unwrap());
    }
    (json, sqlite)
}

#[test]
fn mutated_evidence_never_panics_or_leaks_control_characters() {
    let iters: usize = std::env::var("FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed);
    let dir = tempfile::tempdir().unwrap();
    let (json, sqlite) = seeds(dir.path());
    assert!(json.len() >= 10 && sqlite.len() == 3, "seeds: {} JSON, {} SQLite", json.len(), sqlite.len());
    // Spread the seed so that no two seeds give one sequence (xorshift needs a non-zero state).
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut findings = Vec::new();
    let (mut refused, mut accepted) = (0usize, 0usize);
    for i in 0..iters {
        // One in four inputs is SQLite-shaped.
        let (pool, shape) = if i % 4 == 3 { (&sqlite, Shape::Sqlite) } else { (&json, Shape::Json) };
        let base = &pool[rng.below(pool.len())];
        let other = &json[rng.below(json.len())];
        let input = mutate(&mut rng, base, other);
        let result = std::panic::catch_unwind(|| one(&input, shape, dir.path()));
        let problem = match result {
            Ok(Ok(loaded)) => {
                if loaded {
                    accepted += 1;
                } else {
                    refused += 1;
                }
                None
            }
            Ok(Err(e)) => Some(e),
            Err(p) => Some(format!(
                "panic: {:?}",
                p.downcast_ref::<String>().map(String::as_str).or(p.downcast_ref::<&str>().copied())
            )),
        };
        if let Some(problem) = problem {
            let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings");
            std::fs::create_dir_all(&out).unwrap();
            let file = out.join(format!("{seed}-{i}.{}", if shape == Shape::Sqlite { "sqlite" } else { "json" }));
            std::fs::write(&file, &input).unwrap();
            findings.push(format!("{}: {problem}", file.display()));
        }
    }
    eprintln!(
        "fuzz_loaders: {iters} inputs (seed {seed}), {accepted} accepted, {refused} refused, {} findings",
        findings.len()
    );
    assert!(findings.is_empty(), "{} findings:\n{}", findings.len(), findings.join("\n"));
}
