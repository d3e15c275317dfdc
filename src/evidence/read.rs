//! Reading a file into memory with its SHA-256 computed as the bytes land.
//!
//! A large store costs two passes that need no parse: the copy out of the page cache and the file hash.
//! Here a second thread hashes each part of the buffer as soon as the read has filled it, so by the time the
//! read returns the hash is nearly done, and parsing and the secret scan get both cores.

use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use sha2::{Digest, Sha256};

/// The shared bytes of one input: the file itself, or the payloads of an SQLite store.
pub(crate) type Bytes = Arc<Vec<u8>>;

/// Bytes handed to the hashing thread per step.
const STEP: usize = 4 << 20;

/// A digest computed on its own thread, so hashing a large input overlaps reading, parsing and scanning
/// instead of adding to them; joined the first time it is read.
#[derive(Debug)]
pub(crate) struct InputDigest {
    value: OnceLock<String>,
    job: Mutex<Option<std::thread::JoinHandle<String>>>,
}

impl InputDigest {
    /// Start hashing bytes already in memory.
    pub(crate) fn spawn(bytes: Bytes) -> InputDigest {
        InputDigest::from_job(std::thread::spawn(move || super::canonical::sha256_hex(&bytes)))
    }

    fn from_job(job: std::thread::JoinHandle<String>) -> InputDigest {
        InputDigest { value: OnceLock::new(), job: Mutex::new(Some(job)) }
    }

    /// A digest already known.
    pub(crate) fn ready(hex: String) -> InputDigest {
        InputDigest { value: OnceLock::from(hex), job: Mutex::new(None) }
    }

    pub(crate) fn get(&self) -> &str {
        self.value.get_or_init(|| {
            let job = self.job.lock().map(|mut j| j.take()).unwrap_or(None);
            job.and_then(|j| j.join().ok()).unwrap_or_default()
        })
    }
}

/// How far the read has got: bytes below `ready` are final. `done` once the read has stopped.
#[derive(Default)]
struct Landing {
    ready: usize,
    done: bool,
}

#[derive(Default)]
struct Progress {
    state: Mutex<Landing>,
    moved: Condvar,
}

impl Progress {
    fn publish(&self, ready: usize, done: bool) {
        if let Ok(mut s) = self.state.lock() {
            s.ready = ready;
            s.done |= done;
        }
        self.moved.notify_one();
    }

    /// Wait until more than `seen` bytes are ready or the read is over: (ready, done).
    fn wait_past(&self, seen: usize) -> (usize, bool) {
        let Ok(mut s) = self.state.lock() else { return (seen, true) };
        while s.ready <= seen && !s.done {
            s = match self.moved.wait(s) {
                Ok(s) => s,
                Err(_) => return (seen, true),
            };
        }
        (s.ready, s.done)
    }
}

/// The buffer's address, for the hashing thread. It reads only bytes the read has finished with.
struct Base(*const u8);
// SAFETY: the pointer is only dereferenced for ranges no thread writes any more (see `read_hashed`), while an
// `Arc` of the allocation it points into is held by the same thread.
unsafe impl Send for Base {}

/// Why a read stopped early.
pub(crate) enum ReadError {
    Io(std::io::Error),
    Grew,
}

/// Read exactly `len` bytes of `file` (fewer if it shrank meanwhile), hashing on a second thread as the bytes
/// land. The digest is of the bytes returned.
pub(crate) fn read_hashed(file: &mut std::fs::File, len: usize) -> Result<(Bytes, InputDigest), ReadError> {
    // Zeroed by the allocator: fresh pages cost nothing until the read fills them.
    let mut bytes: Bytes = Arc::new(vec![0u8; len]);
    // `Vec::as_mut_ptr` makes no reference to the elements, so this pointer may be used while the `Arc` is shared.
    let base = Arc::get_mut(&mut bytes).expect("a fresh Arc is unique").as_mut_ptr();
    advise_huge_pages(base, len);
    let progress = Arc::new(Progress::default());
    let job = {
        let keep = Arc::clone(&bytes);
        let progress = Arc::clone(&progress);
        let at = Base(base);
        std::thread::spawn(move || {
            let _alive = keep;
            let at = at;
            let mut sha = Sha256::new();
            let mut hashed = 0;
            loop {
                let (ready, done) = progress.wait_past(hashed);
                if ready > hashed {
                    // SAFETY: `[hashed, ready)` lies in the allocation `_alive` keeps; the reader published it after
                    // its last write there and never writes below `ready` again; no `&mut` covers it.
                    sha.update(unsafe { std::slice::from_raw_parts(at.0.add(hashed), ready - hashed) });
                    hashed = ready;
                } else if done {
                    break;
                }
            }
            super::canonical::hex(&sha.finalize())
        })
    };
    let mut filled = 0;
    let mut failure = None;
    while filled < len {
        let step = (len - filled).min(STEP);
        // SAFETY: `[filled, filled + step)` is inside the allocation; only this thread touches bytes at or above
        // `filled`, and no reference to them exists (the hashing thread reads below the published mark only).
        let dst = unsafe { std::slice::from_raw_parts_mut(base.add(filled), step) };
        match file.read(dst) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                progress.publish(filled, false);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                failure = Some(ReadError::Io(e));
                break;
            }
        }
    }
    progress.publish(filled, true);
    let digest = InputDigest::from_job(job);
    if let Some(e) = failure {
        return Err(e);
    }
    let mut extra = [0u8; 1];
    if filled == len {
        match file.read(&mut extra) {
            Ok(0) => {}
            Ok(_) => return Err(ReadError::Grew),
            Err(e) => return Err(ReadError::Io(e)),
        }
        return Ok((bytes, digest));
    }
    // The file shrank while it was read: keep what is there (the digest covers exactly that).
    Ok((Arc::new(bytes[..filled].to_vec()), digest))
}

/// Ask Linux to back a large buffer with huge pages: filling 150 MB then takes 75 page faults, not 38,000
/// (measured: the read of a 156 MB store went from ~80 to ~40 ms).
fn advise_huge_pages(base: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        if len < 4 * HUGE {
            return;
        }
        let addr = base as usize;
        let start = addr.next_multiple_of(4096);
        let end = addr + len;
        if start < end {
            // SAFETY: an advice on pages of our own live allocation; it changes no contents and may fail harmlessly.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (base, len);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_with(content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    #[test]
    fn digest_of_a_streamed_read_matches_a_plain_hash() {
        // Several steps, a partial last step.
        let content: Vec<u8> = (0..(STEP * 3 + 12_345)).map(|i| (i * 31 % 251) as u8).collect();
        let (_d, path) = temp_with(&content);
        let mut f = std::fs::File::open(&path).unwrap();
        let Ok((bytes, digest)) = read_hashed(&mut f, content.len()) else { panic!("read failed") };
        assert_eq!(bytes.as_slice(), content.as_slice());
        assert_eq!(digest.get(), super::super::canonical::sha256_hex(&content));
    }

    #[test]
    fn a_file_shorter_than_announced_keeps_what_is_there_and_hashes_that() {
        let (_d, path) = temp_with(b"{\"a\": 1}");
        let mut f = std::fs::File::open(&path).unwrap();
        let Ok((bytes, digest)) = read_hashed(&mut f, 100) else { panic!("read failed") };
        assert_eq!(bytes.as_slice(), b"{\"a\": 1}");
        assert_eq!(digest.get(), super::super::canonical::sha256_hex(b"{\"a\": 1}"));
    }

    #[test]
    fn a_file_longer_than_announced_is_an_error() {
        let (_d, path) = temp_with(b"0123456789");
        let mut f = std::fs::File::open(&path).unwrap();
        assert!(matches!(read_hashed(&mut f, 4), Err(ReadError::Grew)));
    }

    #[test]
    fn empty_file() {
        let (_d, path) = temp_with(b"");
        let mut f = std::fs::File::open(&path).unwrap();
        let Ok((bytes, digest)) = read_hashed(&mut f, 0) else { panic!("read failed") };
        assert!(bytes.is_empty());
        assert_eq!(digest.get(), super::super::canonical::sha256_hex(b""));
    }
}
