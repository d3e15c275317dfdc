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
