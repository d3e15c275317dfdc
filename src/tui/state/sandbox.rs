//! `closeout --sandbox`: the explorer safe to expose to the public. It loads only the embedded samples,
//! writes nothing (the runtime refuses every write, and reviews and notes are shown to copy instead), watches
//! no files and starts no processes. A session has two limits: its length and how long it may sit idle. The
//! header counts both down, and when one runs out the app shows a goodbye screen and exits 0.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// How long the goodbye screen stays before the app exits (a key exits at once).
pub const GOODBYE_HOLD: Duration = Duration::from_secs(8);

/// How long the goodbye screen is up before a key may end the app.
pub const GOODBYE_KEY_AFTER: Duration = Duration::from_secs(1);

/// Below this much time left, the countdown is shown as a warning.
pub const WARN_BELOW: Duration = Duration::from_secs(60);

/// Default limits: a session of 30 minutes, 5 of them idle.
pub const DEFAULT_SESSION: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_IDLE: Duration = Duration::from_secs(5 * 60);

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The session limit was reached.
    Session,
    /// Nobody pressed a key for the idle limit.
    Idle,
}

/// A sandbox session's limits and clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    pub session: Duration,
    pub idle: Duration,
    /// The first tick.
    pub started: Option<DateTime<Utc>>,
    /// The last key, click or paste (the first tick before any).
    pub last_input: Option<DateTime<Utc>>,
    /// When and why the session ended.
    pub ended: Option<(DateTime<Utc>, End)>,
}

fn since(now: DateTime<Utc>, then: Option<DateTime<Utc>>) -> Duration {
    then.and_then(|t| (now - t).to_std().ok()).unwrap_or_default()
}

/// `mm:ss` (or `h:mm:ss`).
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

impl Sandbox {
    pub fn new(session: Duration, idle: Duration) -> Sandbox {
        Sandbox { session, idle, started: None, last_input: None, ended: None }
    }

    /// Time passes. True when this tick ended the session.
    pub fn tick(&mut self, now: DateTime<Utc>) -> bool {
        self.started.get_or_insert(now);
        self.last_input.get_or_insert(now);
        if self.ended.is_some() {
            return false;
        }
        let end = if since(now, self.started) >= self.session {
            End::Session
        } else if since(now, self.last_input) >= self.idle {
            End::Idle
        } else {
            return false;
        };
        self.ended = Some((now, end));
        true
    }

    /// The person did something.
    pub fn input(&mut self, now: Option<DateTime<Utc>>) {
        if let Some(now) = now {
            self.last_input = Some(now);
        }
    }

    /// Time left in the session and before the idle limit.
    pub fn left(&self, now: Option<DateTime<Utc>>) -> (Duration, Duration) {
        let Some(now) = now else { return (self.session, self.idle) };
        (self.session.saturating_sub(since(now, self.started)), self.idle.saturating_sub(since(now, self.last_input)))
    }

    /// The header's countdown: `sandbox 29:12 left · idle 4:59`, and whether it is close to the end.
    pub fn countdown(&self, now: Option<DateTime<Utc>>) -> (String, bool) {
        let (session, idle) = self.left(now);
        (format!("sandbox {} left · idle {}", clock(session), clock(idle)), session.min(idle) < WARN_BELOW)
    }

    /// The goodbye screen has been shown long enough.
    pub fn should_exit(&self, now: DateTime<Utc>) -> bool {
        self.ended.is_some_and(|(at, _)| since(now, Some(at)) >= GOODBYE_HOLD)
    }

    /// The goodbye screen has been up for [`GOODBYE_KEY_AFTER`], so a key may end the app.
    pub fn goodbye_seen(&self, now: Option<DateTime<Utc>>) -> bool {
        match (self.ended, now) {
            (Some((at, _)), Some(now)) => since(now, Some(at)) >= GOODBYE_KEY_AFTER,
            _ => false,
        }
    }

    /// The goodbye screen's lines.
    pub fn goodbye(&self) -> Vec<String> {
        let why = match self.ended.map(|(_, e)| e) {
            Some(End::Idle) => format!("This sandbox session ended after {} without a key press.", human(self.idle)),
            _ => format!("This sandbox session reached its limit of {}.", human(self.session)),
        };
        vec![
            "Thank you for trying closeout.".into(),
            String::new(),
            why,
            "Nothing was written: the sandbox only ever shows the embedded samples.".into(),
            String::new(),
            "Reload the page to start a new session, or install closeout to run it on your own evidence:".into(),
            "cargo install --locked --path .   then   closeout check FILE".into(),
        ]
    }
}

/// `30 minutes`, `90 seconds`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s % 60 == 0 && s >= 60 => format!("{} minute{}", s / 60, if s == 60 { "" } else { "s" }),
        s => format!("{s} second{}", if s == 1 { "" } else { "s" }),
    }
}

/// Parse a limit: `30m`, `90s`, `1h`, or bare seconds; between 1 second and 24 hours.
pub fn parse_limit(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a duration: give e.g. 30m, 90s or 1h"))?;
    let secs = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => None,
    }
    .ok_or_else(|| format!("{s:?} is not a duration: give e.g. 30m, 90s or 1h"))?;
    if !(1..=24 * 3600).contains(&secs) {
        return Err(format!("{s:?} is out of range: between 1s and 24h"));
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        crate::time::parse_instant("2026-09-14T10:00:00Z").unwrap() + chrono::Duration::seconds(s)
    }

    #[test]
    fn sandbox_idle_limit_ends_the_session_and_input_resets_it() {
        let mut s = Sandbox::new(Duration::from_secs(600), Duration::from_secs(60));
        assert!(!s.tick(t(0)));
        assert!(!s.tick(t(59)));
        s.input(Some(t(59)));
        assert!(!s.tick(t(118)), "a key at 59 s resets the idle clock");
        assert_eq!(s.countdown(Some(t(118))), ("sandbox 08:02 left · idle 00:01".into(), true));
        assert!(s.tick(t(119)));
        assert_eq!(s.ended, Some((t(119), End::Idle)));
        assert!(!s.tick(t(120)), "ends once");
        assert!(!s.should_exit(t(126)) && s.should_exit(t(127)));
        assert!(!s.goodbye_seen(Some(t(119))) && s.goodbye_seen(Some(t(120))));
        assert!(s.goodbye()[2].contains("1 minute without a key press"), "{:?}", s.goodbye());
    }

    #[test]
    fn sandbox_session_limit_ends_the_session_however_busy() {
        let mut s = Sandbox::new(Duration::from_secs(120), Duration::from_secs(60));
        for i in 0..120 {
            s.input(Some(t(i)));
            assert!(!s.tick(t(i)), "{i}");
        }
        assert_eq!(s.countdown(Some(t(100))).0, "sandbox 00:20 left · idle 01:00");
        assert!(s.tick(t(120)));
        assert_eq!(s.ended.map(|e| e.1), Some(End::Session));
        assert!(s.goodbye()[2].contains("limit of 2 minutes"));
    }

    #[test]
    fn sandbox_limits_parse() {
        assert_eq!(parse_limit("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_limit("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_limit("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_limit("45"), Ok(Duration::from_secs(45)));
        for bad in ["", "0s", "25h", "1d", "-5m", "m", "1.5m"] {
            assert!(parse_limit(bad).is_err(), "{bad}");
        }
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }
}
