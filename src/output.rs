//! What closeout prints, and what a failed write means: an output that could not be written is never a
//! success.
//!
//! - A write error on stdout or an output file: one line on stderr, exit [`EXIT_ERROR`] (2).
//! - A closed pipe (the reader went away, e.g. `closeout samples | head -1`): nothing is said, and the exit
//!   code is [`EXIT_CLOSED_PIPE`] (141), the status a shell reports for a program ended by SIGPIPE, as
//!   `yes | head -1` ends `yes`. Never 0: what should have been printed was not.

use std::io::{self, Write};

/// Could not run, or could not write what it was asked to.
pub const EXIT_ERROR: u8 = 2;

/// The reader of stdout went away before everything was written (128 + SIGPIPE).
pub const EXIT_CLOSED_PIPE: u8 = 141;

/// Write all of `bytes` to `out`, then flush it.
pub fn write_all(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(bytes)?;
    out.flush()
}

/// The exit code for a failed write of `what` (e.g. "the report"), after saying so on stderr; a closed
/// pipe is not reported.
pub fn write_failed(what: &str, e: &io::Error) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return EXIT_CLOSED_PIPE;
    }
    note(&format!("closeout: error: writing {what} to standard output: {e}"));
    EXIT_ERROR
}

/// Print `text` (`what` names it in an error) on stdout; `Err` holds the exit code when it failed.
pub fn print(what: &str, text: &str) -> Result<(), u8> {
    write_all(&mut io::stdout().lock(), text.as_bytes()).map_err(|e| write_failed(what, &e))
}

/// Print what `write` writes on stdout as it writes it (`what` names it in an error); `Err` holds the exit code
/// when it failed.
pub fn print_with(what: &str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), u8> {
    let mut out = io::stdout().lock();
    write(&mut out).and_then(|()| out.flush()).map_err(|e| write_failed(what, &e))
}

/// One line on stderr. A failure to write it is ignored: there is nowhere left to say it, and a message
/// must never turn into a panic.
pub fn note(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}").and_then(|()| err.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing(io::ErrorKind, usize);

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            // Accept part of the first write, then fail: a full disk, or a reader that left.
            if self.1 == 0 {
                self.1 = buf.len().min(3);
                return Ok(self.1);
            }
            Err(io::Error::from(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_short_write_then_an_error_is_an_error() {
        let err = write_all(&mut Failing(io::ErrorKind::StorageFull, 0), b"the whole report").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(write_failed("the report", &err), EXIT_ERROR);
        let err = write_all(&mut Failing(io::ErrorKind::BrokenPipe, 0), b"the whole report").unwrap_err();
        assert_eq!(write_failed("the report", &err), EXIT_CLOSED_PIPE);
        let mut ok = Vec::new();
        write_all(&mut ok, b"all of it").unwrap();
        assert_eq!(ok, b"all of it");
    }
}
