//! The clipboard. `CLOSEOUT_CLIPBOARD=auto|osc52|off`: over SSH (`$SSH_TTY`), and when no native clipboard
//! tool is found, a copy is an OSC 52 sequence written to the terminal (wrapped for tmux when `$TMUX` is set),
//! which the person's own terminal puts on its clipboard; otherwise the native tool (`wl-copy`, `xclip`,
//! `xsel`, `pbcopy`) gets the text. A copy larger than [`MAX_COPY`] is refused: terminals drop or truncate long
//! OSC 52 sequences. What is copied is always text closeout shows, so a secret cannot reach the clipboard.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// The largest copy (bytes of text; OSC 52 sends it base64-encoded, 4/3 as long).
pub const MAX_COPY: usize = 74_994;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardMode {
    Auto,
    Osc52,
    Off,
}

impl ClipboardMode {
    /// From `CLOSEOUT_CLIPBOARD` (unset or empty: auto).
    pub fn parse(v: Option<&str>) -> Result<ClipboardMode, String> {
        match v.map(str::trim) {
            None | Some("") | Some("auto") => Ok(ClipboardMode::Auto),
            Some("osc52") => Ok(ClipboardMode::Osc52),
            Some("off") => Ok(ClipboardMode::Off),
            Some(other) => {
                Err(format!("CLOSEOUT_CLIPBOARD={:?}: use auto, osc52 or off", crate::sanitize::clean(other)))
            }
        }
    }
}

/// Where OSC 52 bytes go: the terminal (shared, so tests can read what was written).
pub type Sink = Arc<Mutex<dyn Write + Send>>;

pub struct Clipboard {
    mode: ClipboardMode,
    /// Over SSH: always OSC 52.
    ssh: bool,
    tmux: bool,
    sink: Option<Sink>,
    /// Native tools to try, in order (program and arguments).
    native: Vec<Vec<String>>,
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

/// The OSC 52 sequence that puts `text` on the clipboard (inside tmux: wrapped in its passthrough).
pub fn osc52(text: &str, tmux: bool) -> String {
    let seq = format!("\x1b]52;c;{}\x07", base64(text.as_bytes()));
    if tmux { format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b")) } else { seq }
}

impl Clipboard {
    /// No clipboard at all.
    pub fn off() -> Clipboard {
        Clipboard { mode: ClipboardMode::Off, ssh: false, tmux: false, sink: None, native: Vec::new() }
    }

    /// From the environment, writing OSC 52 to `sink` (the terminal).
    pub fn from_env(mode: ClipboardMode, sink: Option<Sink>) -> Clipboard {
        let var = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        let mut native = Vec::new();
        if var("WAYLAND_DISPLAY") {
            native.push(vec!["wl-copy".to_string()]);
        }
        if var("DISPLAY") {
            native.push(vec!["xclip".into(), "-selection".into(), "clipboard".into()]);
            native.push(vec!["xsel".into(), "--clipboard".into(), "--input".into()]);
        }
        if cfg!(target_os = "macos") {
            native.push(vec!["pbcopy".to_string()]);
        }
        Clipboard { mode, ssh: var("SSH_TTY") || var("SSH_CONNECTION"), tmux: var("TMUX"), sink, native }
    }

    /// A clipboard that only writes OSC 52 to `sink` (tests).
    pub fn osc52_to(sink: Sink, tmux: bool) -> Clipboard {
        Clipboard { mode: ClipboardMode::Osc52, ssh: false, tmux, sink: Some(sink), native: Vec::new() }
    }

    /// Copy; Ok says how it went.
    pub fn copy(&self, text: &str) -> Result<String, String> {
        if self.mode == ClipboardMode::Off {
            return Err("the clipboard is off (CLOSEOUT_CLIPBOARD=off)".into());
        }
        if text.len() > MAX_COPY {
            return Err(format!("{} bytes is more than a copy may hold ({MAX_COPY})", text.len()));
        }
        if self.mode == ClipboardMode::Auto && !self.ssh {
            for tool in &self.native {
                if native(tool, text).is_ok() {
                    return Ok(format!("with {}", tool[0]));
                }
            }
        }
        let Some(sink) = &self.sink else { return Err("no terminal to send the copy to".into()) };
        let mut w = sink.lock().map_err(|_| "the terminal is busy".to_string())?;
        w.write_all(osc52(text, self.tmux).as_bytes()).and_then(|()| w.flush()).map_err(|e| e.to_string())?;
        Ok("through the terminal (OSC 52)".into())
    }
}

fn native(tool: &[String], text: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut child = Command::new(&tool[0])
        .args(&tool[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    child.stdin.take().expect("piped").write_all(text.as_bytes())?;
    let status = child.wait()?;
    if status.success() { Ok(()) } else { Err(std::io::Error::other("the clipboard tool failed")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (i, o) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn osc52_bytes_and_the_size_cap() {
        let sink: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
        let cb = Clipboard::osc52_to(sink.clone(), false);
        assert!(cb.copy("gordack-1").is_ok());
        assert_eq!(&*sink.lock().unwrap(), b"\x1b]52;c;Z29yZGFjay0x\x07");
        let big = "x".repeat(MAX_COPY + 1);
        assert!(cb.copy(&big).unwrap_err().contains("more than a copy may hold"));
        let tmux: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
        Clipboard::osc52_to(tmux.clone(), true).copy("a").unwrap();
        assert_eq!(&*tmux.lock().unwrap(), b"\x1bPtmux;\x1b\x1b]52;c;YQ==\x07\x1b\\");
        assert!(Clipboard::off().copy("a").is_err());
        assert_eq!(ClipboardMode::parse(Some("osc52")), Ok(ClipboardMode::Osc52));
        assert!(ClipboardMode::parse(Some("x11")).is_err());
    }
}
