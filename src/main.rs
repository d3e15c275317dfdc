//! `closeout`: parse the command line, install the error and panic hooks, dispatch.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use closeout::cli::{Cli, Command, SourceArgs};
use closeout::evidence::{Evidence, LoadError, LoadOptions, load_path};
use closeout::report::{self, OutputFormat, TextStyle};
use closeout::{health, samples, time};

fn main() -> ExitCode {
    // color-eyre's panic hook first: a later terminal hook chains to it.
    let _ = color_eyre::config::HookBuilder::default().display_env_section(false).install();
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Check(args)) => check(&args.source, args.format, args.strict),
        Some(Command::Samples) => list_samples(),
        None => explore(&cli.source),
    };
    ExitCode::from(code)
}

fn fail(e: &LoadError) -> u8 {
    eprintln!("closeout: error: {e}");
    2
}

/// Load what the arguments name.
pub fn load(src: &SourceArgs) -> Result<Evidence, LoadError> {
    let opts = LoadOptions { release: src.release.clone(), ..LoadOptions::default() };
    match (&src.path, &src.sample) {
        (Some(p), _) => load_path(p, &opts),
        (None, Some(name)) => samples::load(name, &opts),
        (None, None) => samples::load(&samples::default_name(), &opts),
    }
}

fn as_of(src: &SourceArgs, ev: &Evidence) -> Result<chrono::DateTime<chrono::Utc>, LoadError> {
    match &src.as_of {
        Some(t) => chrono::DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&chrono::Utc)).map_err(|e| {
            LoadError::new("--as-of", format!("{t:?} is not an RFC 3339 time ({e}); e.g. 2026-06-01T10:00:00Z"))
        }),
        None => Ok(ev.default_as_of.unwrap_or_else(chrono::Utc::now)),
    }
}

/// Load what the arguments name and evaluate it as of the requested time; a problem is reported on stderr
/// and becomes exit code 2.
fn load_and_evaluate(src: &SourceArgs) -> Result<(Evidence, health::Report), u8> {
    let ev = load(src).map_err(|e| fail(&e))?;
    let when = as_of(src, &ev).map_err(|e| fail(&e))?;
    let acceptances = closeout::review::acceptances(&src.reviews, &ev).map_err(|e| fail(&e))?;
    let t = std::time::Instant::now();
    let report = health::evaluate(&ev, &acceptances, when).map_err(|e| fail(&e))?;
    closeout::trace("evaluated", t);
    Ok((ev, report))
}

fn print_report(ev: &Evidence, report: &health::Report, format: OutputFormat) {
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let style = if color { TextStyle::Color } else { TextStyle::Plain };
    let text = report::render(format, ev, report, style);
    let mut out = stdout.lock();
    if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
        // A closed pipe (e.g. `| head`) is not an evaluation failure.
    }
}

fn check(src: &SourceArgs, format: OutputFormat, strict: bool) -> u8 {
    let (ev, report) = match load_and_evaluate(src) {
        Ok(x) => x,
        Err(code) => return code,
    };
    print_report(&ev, &report, format);
    report::exit_code(report.verdict, strict) as u8
}

/// No command: open the explorer, or print the text report (with `check`'s exit code) when stdout is not
/// a terminal. Bad input is reported before the terminal is touched.
fn explore(src: &SourceArgs) -> u8 {
    let (ev, report) = match load_and_evaluate(src) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if !std::io::stdout().is_terminal() {
        print_report(&ev, &report, OutputFormat::Text);
        return report::exit_code(report.verdict, false) as u8;
    }
    match closeout::tui::run(ev, report, closeout::tui::Options::from_env()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("closeout: error: terminal: {e}");
            2
        }
    }
}

fn list_samples() -> u8 {
    let default = samples::default_name();
    for s in samples::all() {
        let mark = if s.name == default { "*" } else { " " };
        println!("{mark} {:<32} {:<26} {}", s.name, s.expected_verdict, s.title);
    }
    println!(
        "\n(* opens by default; use --sample NAME; each evaluates as of {})",
        samples::all().first().map(|s| s.as_of.clone()).unwrap_or_default()
    );
    let _ = time::fmt_instant;
    0
}
