//! The terminal guard: raw mode, the alternate screen, the hidden cursor, mouse reporting and bracketed paste
//! are switched on together and always given back together: on a normal exit, on an error, while unwinding
//! from a panic, and on SIGTERM, SIGHUP, SIGINT and SIGQUIT (the signal's default action then runs, so the
//! exit status still says which signal ended it).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{Clear, ClearType};

/// Whether the terminal is in the app's state (so it is restored once).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Give the terminal back: every switch off, the screen cleared (tmux 3.3 copies the alternate screen into the
/// main one when the window was resized meanwhile, unless it is blank), the cursor shown, raw mode off.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(out, DisableBracketedPaste);
    if MOUSE.load(Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, Clear(ClearType::All));
    ratatui::restore();
    let _ = execute!(out, ratatui::crossterm::cursor::Show);
    let _ = out.flush();
}

/// Restores the terminal when dropped.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Switch the terminal to the app's state and return it with its guard. Call after installing color-eyre's
/// hooks: the panic hook installed here restores the terminal and then chains to them.
pub fn enter(mouse: bool) -> io::Result<(Terminal<CrosstermBackend<io::Stdout>>, Guard)> {
    let terminal = ratatui::try_init()?;
    MOUSE.store(mouse, Ordering::SeqCst);
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = Guard;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    watch_signals();
    let mut out = io::stdout();
    execute!(out, EnableBracketedPaste)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Ok((terminal, guard))
}

/// CPU seconds a sandbox session may use (walking every pane of every sample takes about one).
pub const SANDBOX_CPU_SECONDS: u64 = 120;
/// Memory a sandbox session may map for its data (its peak resident size is about 30 MB; README).
pub const SANDBOX_DATA_BYTES: u64 = 1 << 30;

/// Bound what one sandbox session can take: [`SANDBOX_CPU_SECONDS`] of CPU (then SIGXCPU, on which the
/// terminal is restored) and [`SANDBOX_DATA_BYTES`] of data memory (an allocation past it fails, which ends
/// the process). Linux only; elsewhere the host's jail has to (README).
pub fn limit_sandbox_resources() {
    #[cfg(target_os = "linux")]
    {
        let set = |res, soft: u64, hard: u64| {
            let lim = libc::rlimit { rlim_cur: soft as libc::rlim_t, rlim_max: hard as libc::rlim_t };
            // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
            unsafe { libc::setrlimit(res, &lim) }
        };
        set(libc::RLIMIT_CPU, SANDBOX_CPU_SECONDS, SANDBOX_CPU_SECONDS + 5);
        set(libc::RLIMIT_DATA, SANDBOX_DATA_BYTES, SANDBOX_DATA_BYTES);
        // No core file of a session's memory.
        set(libc::RLIMIT_CORE, 0, 0);
    }
}

/// On SIGTERM, SIGHUP, SIGINT, SIGQUIT or SIGXCPU (the sandbox's CPU limit): restore the terminal, then let the
/// signal do what it does by default.
#[cfg(unix)]
fn watch_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGXCPU};
    static STARTED: AtomicBool = AtomicBool::new(false);
    if STARTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGXCPU]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            restore();
            let _ = signal_hook::low_level::emulate_default_handler(sig);
            std::process::exit(128 + sig);
        }
    });
}

#[cfg(not(unix))]
fn watch_signals() {}
