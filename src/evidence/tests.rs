//! Evidence-level tests that need files on disk.

use super::*;

#[test]
fn hash_file_matches_in_memory_hash_for_small_and_pipelined_sizes() {
    let dir = tempfile::tempdir().unwrap();
    for size in [0usize, 1, 5_000, 9 << 20, (9 << 20) + 12_345] {
        let data: Vec<u8> = (0..size).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1]).collect();
        let p = dir.path().join(format!("f{size}"));
        std::fs::write(&p, &data).unwrap();
        assert_eq!(hash_file(&p, u64::MAX).unwrap(), canonical::sha256_hex(&data), "size {size}");
    }
    let p = dir.path().join("f1");
    assert!(hash_file(&p, 0).unwrap_err().contains("larger than"));
    assert!(hash_file(dir.path(), u64::MAX).is_err(), "a directory is not hashed");
}
