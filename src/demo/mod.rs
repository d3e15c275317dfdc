//! Scripted demos: a tape player's input side ([`tape`]: a VHS tape subset turned into key events on a virtual
//! timeline) and a terminal-free recorder's output side ([`cast`]: asciicast v2). The runner that feeds the
//! events to the app and the app's output to the recording lives with the TUI; nothing here reads a clock.

pub mod cast;
pub mod run;
pub mod tape;

/// The default demo: the 30-minute sales-engineering walkthrough (`walkthroughs/sales-demo.json`) over the
/// embedded sample, one `# @marker` per walkthrough step, ending on the verdict.
pub const DEFAULT_TAPE: &str = include_str!("default.tape");

/// The walkthrough the default tape narrates.
pub const DEFAULT_WALKTHROUGH: &str = "sales-demo";

/// Terminal size of a demo when neither `--size` nor the tape's `Set Width`/`Set Height` give one.
pub const DEFAULT_SIZE: (u16, u16) = (120, 36);

/// A tape that narrates any walkthrough: one `# @marker N. title` per step, in order, each step held long
/// enough to read its narration (about three words a second, at least six seconds), `]` to go on, and the
/// closing summary held at the end; the first chapter starts after a second on the opening screen.
pub fn walkthrough_tape(w: &crate::walkthrough::Walkthrough) -> String {
    let mut t = format!("# closeout: the {} walkthrough, one chapter per step.\n", crate::sanitize::clean(&w.name));
    t.push_str(&format!("Set Width {}\nSet Height {}\n", DEFAULT_SIZE.0, DEFAULT_SIZE.1));
    // The opening screen for a second before the first chapter (a player skips a marker at 0).
    t.push_str("Sleep 1s\n");
    for (i, step) in w.steps.iter().enumerate() {
        if i > 0 {
            t.push_str("Type \"]\"\n");
        }
        let title: String = crate::sanitize::clean(&step.title).chars().filter(|c| !c.is_control()).collect();
        t.push_str(&format!("# @marker {}. {}\n", i + 1, title));
        let words = step.narration.split_whitespace().count()
            + step.checklist.iter().map(|c| c.split_whitespace().count()).sum::<usize>();
        t.push_str(&format!("Sleep {}s\n", (words / 3).max(6)));
    }
    t.push_str("Type \"]\"\nSleep 6s\n");
    t
}

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
