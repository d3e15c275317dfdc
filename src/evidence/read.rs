//! Getting a file's bytes into memory, with its SHA-256.
//!
//! A large store costs passes that need no parse: the copy out of the page cache and the file hash.
//! * [`read_hashed`] copies the file into a buffer while a second thread hashes each part as soon as the read
//!   has filled it, so by the time the read returns the hash is nearly done.
//! * [`map`] (Linux, for one-shot runs such as `closeout check`) maps the file's page-cache pages instead of
//!   copying them (a fresh buffer's pages can be slow to come by on a virtual machine: 40-350 ms for a
//!   156 MB store). A mapping sees later changes to the file, so the explorer, which keeps evidence open for
//!   a long time and reloads it when it changes, always reads; and should the file be truncated while
//!   mapped, a SIGBUS handler ends the run with a clear error instead of a crash.

use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use sha2::{Digest, Sha256};

/// The shared bytes of one input: the file itself, or the payloads of an SQLite store.
pub(crate) type Bytes = Arc<Backing>;

/// Where an input's bytes live.
pub(crate) enum Backing {
    Heap(Vec<u8>),
    #[cfg(target_os = "linux")]
    Mapped(Mapping),
}

impl std::ops::Deref for Backing {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Backing::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Backing::Mapped(m) => m.bytes(),
        }
    }
}

impl std::fmt::Debug for Backing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes", self.len())
    }
}

/// Bytes held in memory.
pub(crate) fn heap(bytes: Vec<u8>) -> Bytes {
    Arc::new(Backing::Heap(bytes))
}

/// Bytes handed to the hashing thread per step.
const STEP: usize = 4 << 20;

/// The nice value of a load's helper threads (the file hash and the secret prefilter), below the thread that
/// parses, whose work everything after the load waits for. On two cores the three shared them equally and the
/// parse finished last, alone: 82% of both cores used on a 160 MB store, 91% with the helpers deferred. The
/// hash is not put lower than the prefilter: starved through the load, it was left for the report to wait on.
const HELPER_NICE: i32 = 10;

/// Lower the calling thread's scheduling priority to a load helper's ([`HELPER_NICE`]; Linux, where nice
/// values belong to a thread; elsewhere nothing changes). Never raises it. Failure is ignored: priorities
/// change how soon work is done, never what it gives.
pub(crate) fn defer_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on this thread's own id; no memory is passed.
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        // getpriority can return -1 as a value: errno tells an error from it.
        *libc::__errno_location() = 0;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        if *libc::__errno_location() == 0 && now < HELPER_NICE {
            libc::setpriority(libc::PRIO_PROCESS, tid, HELPER_NICE);
        }
    }
}

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
        InputDigest::from_job(std::thread::spawn(move || {
            defer_this_thread();
            super::canonical::sha256_hex(&bytes)
        }))
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

    /// Whether the hashing thread is still owned (started and not yet joined).
    #[cfg(test)]
    fn pending(&self) -> bool {
        self.job.lock().map(|j| j.is_some()).unwrap_or(false)
    }
}

/// A digest nobody asked for (a load that failed, or evidence dropped before its report) still ends its
/// thread here: no hashing thread outlives the input it hashes (reloads in the explorer never pile them up).
impl Drop for InputDigest {
    fn drop(&mut self) {
        let job = match self.job.get_mut() {
            Ok(j) => j.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(j) = job {
            let _ = j.join();
        }
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
    let mut buffer = vec![0u8; len];
    // `Vec::as_mut_ptr` makes no reference to the elements, and moving the `Vec` does not move them, so this
    // pointer stays usable while the buffer is shared.
    let base = buffer.as_mut_ptr();
    // (No MADV_HUGEPAGE: on this VM a fresh huge-page buffer took ~500 ms to fill when the process started a
    // second after the last one, against ~90 ms with normal pages.)
    let bytes = heap(buffer);
    let progress = Arc::new(Progress::default());
    let job = {
        let keep = Arc::clone(&bytes);
        let progress = Arc::clone(&progress);
        let at = Base(base);
        std::thread::spawn(move || {
            defer_this_thread();
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
    Ok((heap(bytes[..filled].to_vec()), digest))
}

/// A read-only private mapping of a whole file.
#[cfg(target_os = "linux")]
pub(crate) struct Mapping {
    ptr: *const u8,
    len: usize,
}

// SAFETY: the mapping is read-only and owned by this value; nothing in it is tied to a thread.
#[cfg(target_os = "linux")]
unsafe impl Send for Mapping {}
// SAFETY: as above; shared access only reads.
#[cfg(target_os = "linux")]
unsafe impl Sync for Mapping {}

#[cfg(target_os = "linux")]
impl Mapping {
    fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes until `drop`. (Should another process truncate the file, a
        // read past its new end raises SIGBUS, which `guard_sigbus` turns into a clean exit.)
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

#[cfg(target_os = "linux")]
impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly what `map` mapped, once.
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.len);
        }
    }
}

/// Map a whole file (at least one byte long) read-only, and hash it on a second thread. Its pages are not
/// populated up front: each is mapped by the first thread to read it (the parse, a part of the secret
/// prefilter, the hash), on every core at once, instead of all of them on one core before any work starts.
/// `None` when it cannot be mapped (the caller reads it instead). For one-shot runs only: see the module
/// notes. `shown` names the file in the error printed if it is truncated while mapped.
#[cfg(target_os = "linux")]
pub(crate) fn map(file: &std::fs::File, len: usize, shown: &str) -> Option<(Bytes, InputDigest)> {
    use std::os::fd::AsRawFd;
    if len == 0 {
        return None;
    }
    guard_sigbus(shown);
    // SAFETY: a fresh read-only private mapping of an open file; the kernel picks the address.
    let ptr = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0) };
    if ptr == libc::MAP_FAILED {
        return None;
    }
    let bytes: Bytes = Arc::new(Backing::Mapped(Mapping { ptr: ptr as *const u8, len }));
    let digest = InputDigest::spawn(Arc::clone(&bytes));
    Some((bytes, digest))
}

/// The message the SIGBUS handler prints (leaked: it must outlive any mapping, and a handler cannot allocate).
#[cfg(target_os = "linux")]
static SIGBUS_MESSAGE: std::sync::atomic::AtomicPtr<Vec<u8>> = std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

/// A truncated mapped file raises SIGBUS on the next read of a page past its end: print what happened and
/// exit 2, as for any input that cannot be read.
#[cfg(target_os = "linux")]
fn guard_sigbus(shown: &str) {
    use std::sync::atomic::Ordering;
    extern "C" fn on_sigbus(_: libc::c_int) {
        let msg = SIGBUS_MESSAGE.load(Ordering::Acquire);
        if !msg.is_null() {
            // SAFETY: a leaked, never-freed Vec; write(2) and _exit(2) are async-signal-safe.
            unsafe {
                let msg = &*msg;
                libc::write(2, msg.as_ptr().cast(), msg.len());
            }
        }
        // SAFETY: ends the process without running anything else.
        unsafe { libc::_exit(2) }
    }
    let text = format!(
        "closeout: error: {}: the file was truncated while it was being read; try again\n",
        crate::sanitize::clean(shown)
    );
    let old = SIGBUS_MESSAGE.swap(Box::into_raw(Box::new(text.into_bytes())), Ordering::AcqRel);
    if old.is_null() {
        let handler: extern "C" fn(libc::c_int) = on_sigbus;
        // SAFETY: installs a handler that only calls async-signal-safe functions.
        unsafe {
            libc::signal(libc::SIGBUS, handler as libc::sighandler_t);
        }
    }
    // A previous message is left leaked on purpose: the handler may be reading it right now.
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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_deferred_thread_runs_below_its_spawner_and_is_never_raised() {
        // SAFETY: reading and setting this thread's own nice value.
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let set = |n: i32| unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, n) };
        let before = nice();
        let (deferred, lower, lower_first) = std::thread::spawn(move || {
            defer_this_thread();
            let deferred = nice();
            // A thread already lower than a helper stays where it is (set lower only: a run under `nice -n 19`
            // as root would otherwise be raised by the test itself).
            let lower = (HELPER_NICE + 5).max(nice());
            set(lower);
            defer_this_thread();
            (deferred, lower, nice())
        })
        .join()
        .unwrap();
        // A new thread starts at its spawner's value, so a run that is niced already stays at least that low.
        assert_eq!(deferred, before.max(HELPER_NICE));
        assert_eq!(lower_first, lower, "a thread is never raised");
        assert_eq!(nice(), before, "only the helper thread changed");
    }

    #[test]
    fn digest_of_a_streamed_read_matches_a_plain_hash() {
        // Several steps, a partial last step.
        let content: Vec<u8> = (0..(STEP * 3 + 12_345)).map(|i| (i * 31 % 251) as u8).collect();
        let (_d, path) = temp_with(&content);
        let mut f = std::fs::File::open(&path).unwrap();
        let Ok((bytes, digest)) = read_hashed(&mut f, content.len()) else { panic!("read failed") };
        assert_eq!(&bytes[..], content.as_slice());
        assert_eq!(digest.get(), super::super::canonical::sha256_hex(&content));
    }

    #[test]
    fn a_file_shorter_than_announced_keeps_what_is_there_and_hashes_that() {
        let (_d, path) = temp_with(b"{\"a\": 1}");
        let mut f = std::fs::File::open(&path).unwrap();
        let Ok((bytes, digest)) = read_hashed(&mut f, 100) else { panic!("read failed") };
        assert_eq!(&bytes[..], b"{\"a\": 1}");
        assert_eq!(digest.get(), super::super::canonical::sha256_hex(b"{\"a\": 1}"));
    }

    #[test]
    fn a_file_longer_than_announced_is_an_error() {
        let (_d, path) = temp_with(b"0123456789");
        let mut f = std::fs::File::open(&path).unwrap();
        assert!(matches!(read_hashed(&mut f, 4), Err(ReadError::Grew)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_mapped_file_reads_and_hashes_like_a_read_one() {
        let content: Vec<u8> = (0..100_000).map(|i| (i % 253) as u8).collect();
        let (_d, path) = temp_with(&content);
        let f = std::fs::File::open(&path).unwrap();
        let (bytes, digest) = map(&f, content.len(), "f.json").expect("maps");
        assert!(matches!(*bytes, Backing::Mapped(_)));
        assert_eq!(&bytes[..], content.as_slice());
        assert_eq!(digest.get(), super::super::canonical::sha256_hex(&content));
        assert!(map(&f, 0, "f.json").is_none(), "an empty file is read, not mapped");
    }

    /// In a child process (this test binary again): map a file, truncate it, touch the lost page. The SIGBUS
    /// handler must print the file's name and exit 2.
    #[cfg(target_os = "linux")]
    #[test]
    fn truncating_a_mapped_file_ends_the_run_with_a_clear_error() {
        if let Some(path) = std::env::var_os("CLOSEOUT_SIGBUS_CHILD") {
            let f = std::fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
            let (bytes, _digest) = map(&f, 1 << 20, "victim.json").expect("maps");
            f.set_len(0).unwrap();
            let touched: u64 = bytes.iter().step_by(4096).map(|&b| u64::from(b)).sum();
            panic!("no SIGBUS (sum {touched})");
        }
        let (_d, path) = temp_with(&vec![b' '; 1 << 20]);
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "evidence::read::tests::truncating_a_mapped_file_ends_the_run_with_a_clear_error"])
            .env("CLOSEOUT_SIGBUS_CHILD", &path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("closeout: error: victim.json: the file was truncated while it was being read"),
            "{stderr}"
        );
    }

    #[test]
    fn empty_file() {
        let (_d, path) = temp_with(b"");
        let mut f = std::fs::File::open(&path).unwrap();
        let Ok((bytes, digest)) = read_hashed(&mut f, 0) else { panic!("read failed") };
        assert!(bytes.is_empty());
        assert_eq!(digest.get(), super::super::canonical::sha256_hex(b""));
    }

    #[test]
    fn a_digest_nobody_asked_for_ends_its_thread_when_dropped() {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = done.clone();
        let digest = InputDigest::from_job(std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            String::new()
        }));
        assert!(digest.pending());
        drop(digest);
        assert!(done.load(std::sync::atomic::Ordering::SeqCst), "the hashing thread ended before the drop returned");
    }
}
