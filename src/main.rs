//! `closeout`: parse the command line, install the error and panic hooks, dispatch.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use closeout::cli::{Cli, Command, DemoArgs, SourceArgs, WalkArgs};
use closeout::evidence::{Evidence, LoadError, LoadOptions};
use closeout::output::{self, note};
use closeout::report::{self, OutputFormat, TextStyle};
use closeout::{health, samples};

fn main() -> ExitCode {
    std::sync::LazyLock::force(&closeout::TRACE_START);
    // color-eyre's panic hook first: a later terminal hook chains to it.
    let _ = color_eyre::config::HookBuilder::default().display_env_section(false).install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(clap_exit(&e)),
    };
    if cli.sandbox {
        return ExitCode::from(sandbox(&cli));
    }
    let code = match cli.command {
        Some(Command::Check(args)) => closeout::ci::check(&args),
        Some(Command::Samples) => list_samples(),
        Some(Command::Walk(args)) => walk(args),
        Some(Command::Demo(args)) => demo(args),
        Some(Command::Review(args)) => closeout::sign::command::run(&args),
        Some(Command::Config(args)) => config(&args),
        Some(Command::Site(args)) => closeout::site::command(&args.out, args.player.as_deref()),
        None => explore(&cli.source, cli.review_out.clone()),
    };
    ExitCode::from(code)
}

fn fail(e: &LoadError) -> u8 {
    note(&format!("closeout: error: {e}"));
    output::EXIT_ERROR
}

/// `--help`, `--version` or a usage error: clap's text, with a failed write of help or version treated as
/// any failed output.
fn clap_exit(e: &clap::Error) -> u8 {
    let printed = e.print().and_then(|()| if e.use_stderr() { Ok(()) } else { std::io::stdout().flush() });
    match printed {
        Err(io) if !e.use_stderr() => output::write_failed("the help text", &io),
        _ => u8::try_from(e.exit_code()).unwrap_or(output::EXIT_ERROR),
    }
}

/// Load what the arguments name and evaluate it as of the requested time; a problem is reported on stderr
/// and becomes exit code 2.
fn load_and_evaluate(src: &SourceArgs, one_shot: bool) -> Result<(Evidence, health::Report), u8> {
    let ev = src.load(one_shot).map_err(|e| fail(&e))?;
    let when = src.as_of(&ev).map_err(|e| fail(&e))?;
    let acceptances = closeout::review::acceptances(&src.reviews, &ev).map_err(|e| fail(&e))?;
    let t = std::time::Instant::now();
    let report = health::evaluate(&ev, &acceptances, when).map_err(|e| fail(&e))?;
    closeout::trace("evaluated", t);
    Ok((ev, report))
}

/// Print the report; `Err` holds the exit code when it could not be written (see [`output`]).
fn print_report(ev: &Evidence, report: &health::Report, format: OutputFormat) -> Result<(), u8> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let style = if color { TextStyle::Color } else { TextStyle::Plain };
    output::print_with("the report", |out| report::render_to(format, ev, report, style, out))
}

/// No command: open the explorer, or print the text report (with `check`'s exit code) when stdout is not
/// a terminal. Bad input is reported before the terminal is touched.
fn explore(src: &SourceArgs, review_out: Option<std::path::PathBuf>) -> u8 {
    // Not a terminal: this run only prints the report, like `check`, so it may map large files too.
    let interactive = std::io::stdout().is_terminal();
    let (ev, report) = match load_and_evaluate(src, !interactive) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Err(code) = check_review_out(review_out.as_deref(), &ev) {
        return code;
    }
    if !interactive {
        return match print_report(&ev, &report, OutputFormat::Text) {
            Ok(()) => report::exit_code(report.verdict, false) as u8,
            Err(code) => code,
        };
    }
    let Some(base) = tui_options() else { return output::EXIT_ERROR };
    let live = live_options(src, &ev, review_out);
    let opts = closeout::tui::Options { live, ..base };
    tui_exit(closeout::tui::run(ev, report, opts))
}

/// A `--review-out` that can never be written (a directory, a FIFO, /dev/zero, a missing directory) or that
/// is one of the evidence files is refused before the terminal is touched, not after a review was typed.
fn check_review_out(out: Option<&std::path::Path>, ev: &Evidence) -> Result<(), u8> {
    match out.map(|p| closeout::review::check_review_out(p, ev)) {
        Some(Err(e)) => {
            note(&format!("closeout: error: --review-out {e}"));
            Err(output::EXIT_ERROR)
        }
        _ => Ok(()),
    }
}

/// The explorer's settings (config file, environment); a bad config file is reported and is exit 2.
fn tui_options() -> Option<closeout::tui::Options> {
    match closeout::tui::Options::load() {
        Ok(o) => Some(o),
        Err(e) => {
            note(&format!("closeout: error: {e}"));
            None
        }
    }
}

/// `closeout config --print-default`.
fn config(args: &closeout::cli::ConfigArgs) -> u8 {
    if !args.print_default {
        let path = closeout::tui::config::default_path()
            .map_or_else(|| "(no $XDG_CONFIG_HOME or $HOME)".to_string(), |p| p.display().to_string());
        return match output::print("the config path", &format!("{path}\n")) {
            Ok(()) => 0,
            Err(code) => code,
        };
    }
    match output::print("the default config", &closeout::tui::config::default_text()) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// The exit code of a TUI session: 0, or 2 (reported) when the terminal failed.
fn tui_exit(result: std::io::Result<()>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            note(&format!("closeout: error: terminal: {e}"));
            output::EXIT_ERROR
        }
    }
}

/// `closeout --sandbox`: the explorer safe to expose. Everything that could read a file the person names,
/// write one, or start a process is refused here, before the terminal is touched, and again by the sandbox's
/// runtime (see `tui::state::sandbox`).
fn sandbox(cli: &Cli) -> u8 {
    use closeout::tui::state::sandbox::{self, Sandbox};
    let refuse = |what: &str| {
        note(&format!("closeout: error: --sandbox {what}"));
        output::EXIT_ERROR
    };
    if cli.command.is_some() {
        return refuse("runs only the explorer: give no command");
    }
    if cli.source.path.is_some() {
        return refuse("loads only the embedded samples: give no PATH (--sample NAME picks one)");
    }
    if !cli.source.reviews.is_empty() {
        return refuse("reads no review records: --review is refused");
    }
    if cli.review_out.is_some() {
        return refuse("writes nothing: --review-out is refused");
    }
    let limit = |v: &Option<String>, name: &str, default| match v {
        None => Ok(default),
        Some(s) => sandbox::parse_limit(s).map_err(|e| refuse(&format!("{name}: {e}"))),
    };
    let session = match limit(&cli.session_limit, "--session-limit", sandbox::DEFAULT_SESSION) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let idle = match limit(&cli.idle_limit, "--idle-limit", sandbox::DEFAULT_IDLE) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if !std::io::stdout().is_terminal() {
        return refuse("needs a terminal (stdout is not one)");
    }
    let (ev, report) = match load_and_evaluate(&cli.source, false) {
        Ok(x) => x,
        Err(code) => return code,
    };
    closeout::tui::terminal::limit_sandbox_resources();
    let sample = cli.source.sample.clone().unwrap_or_else(samples::default_name);
    let live = closeout::tui::Live {
        sample: Some(sample),
        load: LoadOptions { release: cli.source.release.clone(), ..LoadOptions::default() },
        sandbox: Some(Sandbox::new(session, idle)),
        // Like a demo, the sandbox writes no review and keeps no walkthrough progress: an acceptance is
        // applied in memory (and shown to copy).
        demo: true,
        ..Default::default()
    };
    // No config file and no signing key: the sandbox's settings are its own.
    let opts = closeout::tui::Options { live, ..closeout::tui::Options::from_env() };
    tui_exit(closeout::tui::run(ev, report, opts))
}

/// `closeout walk [NAME] [PATH]`: the explorer with a walkthrough open beside it.
fn walk(mut args: WalkArgs) -> u8 {
    // `closeout walk PATH`: a single argument that is not a walkthrough but exists is the evidence.
    if let Some(name) = args.name.clone()
        && closeout::walkthrough::find(&name).is_none()
        && args.source.path.is_none()
        && std::path::Path::new(&name).exists()
    {
        args.source.path = Some(name.into());
        args.name = None;
    }
    if let Some(name) = &args.name
        && closeout::walkthrough::find(name).is_none()
    {
        note(&format!(
            "closeout: error: no walkthrough {name:?} (available: {})",
            closeout::walkthrough::names().join(", ")
        ));
        return 2;
    }
    let (ev, report) = match load_and_evaluate(&args.source, false) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Err(code) = check_review_out(args.review_out.as_deref(), &ev) {
        return code;
    }
    if !std::io::stdout().is_terminal() {
        note("closeout: error: walkthroughs need a terminal (stdout is not one); try `closeout check`");
        return 2;
    }
    let open = match args.name {
        Some(name) => closeout::tui::Msg::OpenWalk(name),
        None => closeout::tui::Msg::Action(closeout::tui::Action::ToggleWalk),
    };
    let Some(base) = tui_options() else { return output::EXIT_ERROR };
    let live = live_options(&args.source, &ev, args.review_out.clone());
    let opts = closeout::tui::Options { start: vec![open], live, ..base };
    tui_exit(closeout::tui::run(ev, report, opts))
}

/// `closeout demo`: replay a tape through the explorer, live (presenter mode) or recorded.
fn demo(args: DemoArgs) -> u8 {
    use closeout::demo::{self, tape};
    let fail = |msg: String| {
        note(&format!("closeout: error: {msg}"));
        2
    };
    let Some(walk) = closeout::walkthrough::find(&args.walkthrough) else {
        return fail(format!(
            "no walkthrough {:?} (available: {})",
            closeout::sanitize::clean(&args.walkthrough),
            closeout::walkthrough::names().join(", ")
        ));
    };
    let commands = match &args.script {
        Some(p) => match tape::parse_file(p) {
            Ok(c) => c,
            Err(e) if e.line == 0 => {
                return fail(format!("{}: {}", closeout::sanitize::clean(&p.display().to_string()), e.message));
            }
            Err(e) => return fail(e.to_string()),
        },
        None => match tape::parse(&demo::tape_text(&walk)) {
            Ok(c) => c,
            Err(e) => return fail(format!("the built-in tape for {}: {e}", walk.name)),
        },
    };
    if let Err(e) = tape::check_requires(&commands) {
        return fail(e);
    }
    if args.script.is_some()
        && let Some(why) = demo::marker_mismatch(&tape::markers(&commands), &walk)
    {
        // A warning, not an error: a tape may show part of a walkthrough on purpose.
        note(&format!("closeout: warning: the tape's chapters do not match the walkthrough's steps: {why}"));
    }
    let speed = match demo::parse_speed(&args.speed) {
        Ok(s) => s,
        Err(e) => return fail(format!("--speed: {e}")),
    };
    let size = match &args.size {
        Some(s) => match demo::parse_size(s).and_then(|size| demo::check_size(size, "--size").map(|()| size)) {
            Ok(s) => s,
            Err(e) => return fail(format!("--size: {e}")),
        },
        None => {
            let (w, h) = tape::initial_size(&commands);
            let size = (w.unwrap_or(demo::DEFAULT_SIZE.0), h.unwrap_or(demo::DEFAULT_SIZE.1));
            if let Err(e) = demo::check_size(size, "the tape's Set Width/Height") {
                return fail(e);
            }
            size
        }
    };
    let timeline = tape::timeline(&commands, speed, size);
    if let Err(e) = demo::check_timeline_sizes(&timeline) {
        return fail(e);
    }
    let mut source = args.source.clone();
    if demo::uses_default_as_of(&walk, source.path.is_some(), source.sample.as_deref(), source.as_of.is_some()) {
        source.as_of = Some(demo::DEFAULT_AS_OF.to_string());
    }
    let (ev, report) = match load_and_evaluate(&source, false) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let open = closeout::tui::Msg::OpenWalk(walk.name.clone());
    if let Some(out) = &args.record {
        // Checked before the recording is made: a directory, a FIFO or a device is refused at once.
        if let Err(e) = closeout::files::check_output(out) {
            return fail(format!("{}: {e}", closeout::sanitize::clean(&out.display().to_string())));
        }
        let mono = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let cast = match demo::run::record_demo(ev, report, &walk.name, &timeline, size, mono) {
            Ok(c) => c,
            Err(e) => return fail(format!("recording: {e}")),
        };
        if let Err(e) = closeout::files::write_atomic(out, cast.as_bytes()) {
            return fail(format!("{}: {e}", closeout::sanitize::clean(&out.display().to_string())));
        }
        let summary = demo::cast::validate_cast(&cast);
        note(&format!(
            "recorded {} ({} events, {:.1} s, {} bytes)",
            closeout::sanitize::clean(&out.display().to_string()),
            cast.lines().count() - 1,
            summary.map_or(timeline.end.as_secs_f64(), |s| s.duration),
            cast.len()
        ));
        return 0;
    }
    if !std::io::stdout().is_terminal() {
        return fail("a live demo needs a terminal; use --record OUT.cast to record without one".into());
    }
    let Some(base) = tui_options() else { return output::EXIT_ERROR };
    // A demo never writes a review record (see `Live::demo`): an acceptance is applied in memory.
    let live = closeout::tui::Live { demo: true, ..Default::default() };
    let opts = closeout::tui::Options { start: vec![open], live, ..base };
    tui_exit(demo::run::play(ev, report, opts, &timeline, args.step))
}

/// What the explorer needs to watch, reload and re-run the evidence, and to save reviews. Re-runs keep the
/// startup report's time rule (`Live::as_of` unset): now for evidence on disk, unless `--as-of` was given.
pub fn live_options(src: &SourceArgs, ev: &Evidence, review_out: Option<std::path::PathBuf>) -> closeout::tui::Live {
    closeout::tui::Live {
        source: src.path.clone(),
        sample: if src.path.is_none() { Some(src.sample.clone().unwrap_or_else(samples::default_name)) } else { None },
        load: LoadOptions { release: src.release.clone(), ..LoadOptions::default() },
        as_of: None,
        reviews: src.reviews.clone(),
        acceptances: closeout::review::acceptances(&src.reviews, ev).unwrap_or_default(),
        review_out,
        ..Default::default()
    }
}

fn list_samples() -> u8 {
    let default = samples::default_name();
    let mut text = String::new();
    for s in samples::all() {
        let mark = if s.name == default { "*" } else { " " };
        text.push_str(&format!("{mark} {:<32} {:<26} {}\n", s.name, s.expected_verdict, s.title));
    }
    text.push_str(&format!(
        "\n(* opens by default; use --sample NAME; each evaluates as of {})\n",
        samples::all().first().map(|s| s.as_of.clone()).unwrap_or_default()
    ));
    match output::print("the sample list", &text) {
        Ok(()) => 0,
        Err(code) => code,
    }
}
