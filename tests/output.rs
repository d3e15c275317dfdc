//! What closeout does when its output cannot be written, as a real process: a full disk on stdout is one line
//! on stderr and exit 2; a reader that went away (a closed pipe, `| head`) ends quietly with exit 141, never
//! 0 and never a panic; a message on a closed stderr never panics. Every subcommand that prints is covered.
#![cfg(target_os = "linux")]

use std::process::{Command, Output, Stdio};

const CLOSED_PIPE: i32 = 141;

fn closeout() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_closeout"));
    c.env_remove("NO_COLOR").env("RUST_BACKTRACE", "0").stdin(Stdio::null());
    c
}

fn sample(file: &str) -> String {
    format!("{}/sample-evidence/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Every command that prints to stdout, with the exit code it has when the output is written.
fn printing_commands() -> Vec<(Vec<String>, i32)> {
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let clean = sample("clean-store.json");
    let open = sample("closeout-open.json");
    vec![
        (s(&["check"]), 0),
        (s(&["check", "--format", "json", &clean]), 0),
        (s(&["check", "--format", "markdown", &open]), 1),
        (s(&["check", "--sample", "closeout-open"]), 1),
        (s(&["samples"]), 0),
        // No command and stdout not a terminal: the explorer prints the text report.
        (s(&[&clean]), 0),
        (s(&["--help"]), 0),
        (s(&["check", "--help"]), 0),
        (s(&["--version"]), 0),
    ]
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn every_command_prints_when_stdout_is_fine() {
    for (args, code) in printing_commands() {
        let out = closeout().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(!out.stdout.is_empty(), "{args:?} printed nothing");
    }
}

#[test]
fn a_full_disk_on_stdout_is_one_line_and_exit_2() {
    for (args, _) in printing_commands() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let out = closeout().args(&args).stdout(full).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line: {err}");
        assert!(err.starts_with("closeout: error: writing "), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: says why: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly_and_never_with_success() {
    for (args, _) in printing_commands() {
        // The reader is gone before closeout writes: every write is EPIPE, deterministically.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = closeout().args(&args).stdout(writer).output().unwrap();
        assert_eq!(out.status.code(), Some(CLOSED_PIPE), "{args:?}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{args:?}: quiet, got {}", stderr(&out));
    }
}

/// As a person types it: `| head -1` in a shell with pipefail. Whether closeout wrote everything before
/// head left depends on timing, so either outcome is allowed, but never a panic or a message.
#[test]
fn piping_into_head_is_quiet() {
    let bin = env!("CARGO_BIN_EXE_closeout");
    let clean = sample("clean-store.json");
    for cmd in [format!("'{bin}' samples | head -1"), format!("'{bin}' check --format json '{clean}' | head -1")] {
        let out =
            Command::new("bash").args(["-o", "pipefail", "-c", &cmd]).env("RUST_BACKTRACE", "0").output().unwrap();
        let code = out.status.code();
        assert!(code == Some(0) || code == Some(CLOSED_PIPE), "{cmd}: {code:?}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{cmd}: {}", stderr(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1, "{cmd}");
    }
}

/// Messages go to stderr; a closed stderr loses them but never panics, and never changes the exit code.
#[test]
fn messages_on_a_closed_stderr_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cast = dir.path().join("demo.cast");
    let cases: Vec<(Vec<String>, i32)> = vec![
        (vec!["demo".into(), "--record".into(), cast.display().to_string()], 0),
        (vec!["demo".into(), "--record".into(), cast.display().to_string(), "--size".into(), "10x".into()], 2),
        (vec!["check".into(), dir.path().join("missing.json").display().to_string()], 2),
        (vec!["check".into(), "--no-such-option".into()], 2),
    ];
    for (args, code) in cases {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = closeout().args(&args).stdout(Stdio::null()).stderr(writer).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
    assert!(cast.exists(), "the recording was written although its message could not be");
}

/// An output file that cannot be written (`demo --record` into a missing folder): one line naming it, exit 2.
#[test]
fn an_output_file_that_cannot_be_written_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("no-such-dir").join("demo.cast");
    let out = closeout().args(["demo", "--record"]).arg(&out_path).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&out_path.display().to_string()), "names the file: {err}");
    assert!(!dir.path().join("no-such-dir").exists());
}
