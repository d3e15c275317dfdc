//! Files closeout reads and writes, bounded: only regular files are ever opened for reading (a FIFO, a socket
//! or a device is refused before it is opened, so an `open` never blocks and a read never runs forever), and
//! every output path is checked before anything is written, and never read.

use std::fs::{File, Metadata};
use std::io::{self, Read, Write};
use std::path::Path;

/// Why a file could not be opened for reading.
#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    /// It exists but is not a regular file: what it is ("a directory", "a FIFO", ...).
    NotRegular(&'static str),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(e) => match e.kind() {
                io::ErrorKind::NotFound => f.write_str("no such file or directory"),
                io::ErrorKind::PermissionDenied => f.write_str("permission denied"),
                _ => write!(f, "cannot read: {e}"),
            },
            OpenError::NotRegular(what) => write!(f, "not a regular file ({what}); closeout reads regular files only"),
        }
    }
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// What a file that is not regular is, in words.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a directory";
    }
    if ft.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
    }
    if ft.is_file() { "a regular file" } else { "not a file" }
}

/// Open a regular file for reading (following links). Anything else is refused before it is opened, and the
/// open itself cannot block (non-blocking on Linux; checked again on the open file, so a file swapped for a
/// FIFO in between is refused too).
pub fn open_regular(path: &Path) -> Result<(File, Metadata), OpenError> {
    let before = std::fs::metadata(path)?;
    if !before.is_file() {
        return Err(OpenError::NotRegular(kind_of(&before)));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO returns at once; a regular file reads as usual.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular(kind_of(&meta)));
    }
    Ok((file, meta))
}

/// Read a whole regular file of at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let (file, meta) = open_regular(path).map_err(|e| e.to_string())?;
    if meta.len() > max {
        return Err(format!("file is {} bytes, more than the {max} closeout reads here", meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| OpenError::Io(e).to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("file grew past the {max} bytes closeout reads here while it was read"));
    }
    Ok(bytes)
}

/// Check a path closeout is about to write (a report, a review record, a recording): refused at once, without
/// reading or opening it, when it is a directory, a FIFO, a socket, a device, or a link to one, or when its
/// directory does not exist. `Ok(true)` when a regular file is already there (the caller decides whether
/// it may be replaced).
pub fn check_output(path: &Path) -> Result<bool, String> {
    if path.as_os_str().is_empty() {
        return Err("an empty path".into());
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) => {
            let meta = if meta.file_type().is_symlink() {
                match std::fs::metadata(path) {
                    Ok(target) => target,
                    // A dangling link: writing would create a file wherever it points.
                    Err(_) => return Err("refusing to write through a symbolic link that points nowhere".into()),
                }
            } else {
                meta
            };
            if !meta.is_file() {
                return Err(format!("refusing to write to {}: not a regular file", kind_of(&meta)));
            }
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            match std::fs::metadata(dir) {
                Ok(m) if m.is_dir() => Ok(false),
                Ok(m) => Err(format!("cannot write here: the parent is {}, not a directory", kind_of(&m))),
                Err(_) => Err(format!(
                    "cannot write here: no directory {}",
                    crate::sanitize::clean(&dir.display().to_string())
                )),
            }
        }
        Err(e) => Err(format!("cannot write here: {e}")),
    }
}

/// Write `bytes` to `path` atomically, after [`check_output`]: a new temporary file in the same directory,
/// flushed and synced, renamed over the target. On any failure nothing is left behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    check_output(path)?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let nonce = crate::evidence::canonical::sha256_hex(
        format!("{}{:?}{}", std::process::id(), std::time::SystemTime::now(), bytes.len()).as_bytes(),
    );
    let tmp = dir.join(format!(".{name}.{}.tmp", &nonce[..12]));
    let result = (|| -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("could not write: {e}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    fn fifo(dir: &Path) -> std::path::PathBuf {
        let p = dir.join("fifo");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        p
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = fifo(dir.path());
        // No writer: opening it for reading would block forever.
        let e = open_regular(&p).unwrap_err().to_string();
        assert!(e.contains("not a regular file (a FIFO)"), "{e}");
        assert!(read_regular(&p, 10).unwrap_err().contains("FIFO"));
        let e = check_output(&p).unwrap_err();
        assert!(e.contains("a FIFO"), "{e}");
        assert!(write_atomic(&p, b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing left behind");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_and_directories_are_refused_as_outputs_and_inputs() {
        for p in ["/dev/zero", "/dev/null"] {
            let e = check_output(Path::new(p)).unwrap_err();
            assert!(e.contains("character device"), "{p}: {e}");
            assert!(open_regular(Path::new(p)).unwrap_err().to_string().contains("character device"));
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(check_output(dir.path()).unwrap_err().contains("a directory"));
        assert!(check_output(&dir.path().join("no/such/dir/out.json")).unwrap_err().contains("no directory"));
        let link = dir.path().join("to-zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(check_output(&link).unwrap_err().contains("character device"));
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(check_output(&dangling).is_err());
    }

    #[test]
    fn regular_files_are_written_atomically_and_read_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        assert_eq!(check_output(&p), Ok(false));
        write_atomic(&p, b"first").unwrap();
        assert_eq!(check_output(&p), Ok(true));
        write_atomic(&p, b"second").unwrap();
        assert_eq!(read_regular(&p, 100).unwrap(), b"second");
        assert!(read_regular(&p, 3).unwrap_err().contains("more than the 3"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
}
