//! Scripted demos: a tape player's input side ([`tape`]: a VHS tape subset turned into key events on a virtual
//! timeline) and a terminal-free recorder's output side ([`cast`]: asciicast v2). The runner that feeds the
//! events to the app and the app's output to the recording lives with the TUI; nothing here reads a clock.

pub mod cast;
pub mod presenter;
pub mod run;
pub mod tape;

use std::time::Duration;

use crate::walkthrough::Walkthrough;

/// The default demo: the 30-minute sales-engineering walkthrough (`walkthroughs/sales-demo.json`) over the
/// embedded sample, one `# @marker` per walkthrough step, ending on the verdict and the closing summary.
pub const DEFAULT_TAPE: &str = include_str!("default.tape");

/// The smallest screen a demo may have: the explorer's own minimum (below it, it draws only "terminal too
/// small").
pub const MIN_SIZE: (u16, u16) = (crate::tui::ui::layout::MIN_WIDTH, crate::tui::ui::layout::MIN_HEIGHT);

/// Reading pace a demo step is held for: about 3 words a second.
pub const WORDS_PER_SECOND: f64 = 3.0;
/// The least time a step is held.
pub const MIN_STEP: Duration = Duration::from_secs(6);

/// How long a step with this narration should stay on screen at speed 1: its words at
/// [`WORDS_PER_SECOND`], at least [`MIN_STEP`] (rounded up to a whole second).
pub fn reading_time(narration: &str) -> Duration {
    let words = narration.split_whitespace().count() as f64;
    Duration::from_secs((words / WORDS_PER_SECOND).ceil() as u64).max(MIN_STEP)
}

/// The tape that narrates `w`: the built-in default tape for the default walkthrough, else one made from
/// the walkthrough's steps ([`tape_for`]).
pub fn tape_text(w: &Walkthrough) -> String {
    if w.name == DEFAULT_WALKTHROUGH { DEFAULT_TAPE.to_string() } else { tape_for(w) }
}

/// A tape made from a walkthrough's steps: for each step, `]` to reach it (the walkthrough opens on step
/// 1), its `# @marker` ("k. title") and a pause of the step's [`reading_time`] (a review step's review is
/// closed with Esc after it); after the last step, `]` once more to the closing summary. The first chapter
/// starts after a second on the opening screen.
pub fn tape_for(w: &Walkthrough) -> String {
    let mut out = format!(
        "# closeout demo --walkthrough {}: made from the walkthrough's steps.\nSet Width {}\nSet Height {}\n",
        tape_line(&w.name),
        DEFAULT_SIZE.0,
        DEFAULT_SIZE.1
    );
    // A second on the opening screen before the first chapter (a web player skips a marker at 0).
    out.push_str("Sleep 1s\n");
    for (i, step) in w.steps.iter().enumerate() {
        if i > 0 {
            out.push_str("Type \"]\"\n");
        }
        out.push_str(&format!("# @marker {}\n", marker_label(i, &step.title)));
        out.push_str(&format!("Sleep {}s\n", reading_time(&step.narration).as_secs()));
        if step.focus.pane == crate::walkthrough::FocusPane::Review {
            // The review is a modal: close it (nothing was marked) before the next step.
            out.push_str("Escape\n");
        }
    }
    out.push_str("Type \"]\"\nSleep 8s\n");
    out
}

/// The marker a walkthrough's step `index` (0-based) has: "k. title" (control characters neutralised,
/// kept on one line).
pub fn marker_label(index: usize, title: &str) -> String {
    format!("{}. {}", index + 1, tape_line(title))
}

fn tape_line(s: &str) -> String {
    crate::sanitize::clean(s).replace(['\n', '\r'], " ")
}

/// Whether a tape's markers are the walkthrough's steps, one per step, in order: None when they are, else
/// what differs (for the warning `closeout demo --script` gives).
pub fn marker_mismatch(markers: &[&str], w: &Walkthrough) -> Option<String> {
    let want: Vec<String> = w.steps.iter().enumerate().map(|(i, s)| marker_label(i, &s.title)).collect();
    if markers.len() != want.len() {
        return Some(format!(
            "the tape has {} chapter marker(s) but walkthrough {:?} has {} step(s)",
            markers.len(),
            w.name,
            want.len()
        ));
    }
    let (i, (got, exp)) = markers.iter().zip(&want).enumerate().find(|(_, (g, e))| **g != e.as_str())?;
    Some(format!("marker {} is {:?}; step {} of {:?} is {:?}", i + 1, tape_line(got), i + 1, w.name, exp))
}

/// A demo screen must be at least [`MIN_SIZE`]: the error names the minimum.
pub fn check_size(size: (u16, u16), what: &str) -> Result<(), String> {
    let (mw, mh) = MIN_SIZE;
    if size.0 < mw || size.1 < mh {
        return Err(format!(
            "{what} {}x{} is smaller than the explorer's minimum {mw}x{mh} (it would only show \"terminal too small\")",
            size.0, size.1
        ));
    }
    Ok(())
}

/// Every size the tape's timeline takes (its resizes) is at least [`MIN_SIZE`].
pub fn check_timeline_sizes(t: &tape::Timeline) -> Result<(), String> {
    for e in &t.events {
        if let tape::ScriptedKind::Resize(w, h) = e.event {
            check_size((w, h), "the tape's Set Width/Height")?;
        }
    }
    Ok(())
}

/// The walkthrough the default tape narrates.
pub const DEFAULT_WALKTHROUGH: &str = "sales-demo";

/// The time the default walkthrough is judged at over its own sample when no `--as-of` is given: the day
/// after the trial package's own owner acceptance lapsed (2026-09-21), so the release opens blocked and the
/// acceptance the demo saves in the retry plan review turns it ready_with_accepted_risk. Fixed, so the
/// demo records the same bytes on any day.
pub const DEFAULT_AS_OF: &str = "2026-09-22T10:00:00Z";

/// Whether `closeout demo` judges its evidence as of [`DEFAULT_AS_OF`]: the default walkthrough, over the
/// embedded sample it was written for, with no `--as-of`.
pub fn uses_default_as_of(
    walkthrough: &Walkthrough,
    path_given: bool,
    sample: Option<&str>,
    as_of_given: bool,
) -> bool {
    walkthrough.name == DEFAULT_WALKTHROUGH
        && !path_given
        && !as_of_given
        && sample.is_none_or(|s| Some(s) == walkthrough.evidence.as_deref())
}

/// Terminal size of a demo when neither `--size` nor the tape's `Set Width`/`Set Height` give one.
pub const DEFAULT_SIZE: (u16, u16) = (120, 36);

/// Parse `--size COLSxROWS` (e.g. `120x36`).
pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("{s:?} is not a size: give COLSxROWS, e.g. 120x36 (each 1 to {})", tape::MAX_CELLS);
    let (w, h) = s.trim().split_once(['x', 'X']).ok_or_else(bad)?;
    let cells = |v: &str| v.parse::<u16>().ok().filter(|n| (1..=tape::MAX_CELLS).contains(n));
    match (cells(w), cells(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(bad()),
    }
}

/// Check `--speed X`: a positive, finite number.
pub fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("{s:?} is not a speed: give a positive number, e.g. 2 for twice as fast")),
    }
}

#[cfg(test)]
mod tests;
