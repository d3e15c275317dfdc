//! Evaluation time and the date formats evidence uses.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;

/// Where a report's evaluation time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AsOfSource {
    /// The current time: evidence read from disk, no `--as-of`.
    #[serde(rename = "now")]
    Now,
    /// Given by the caller: `--as-of` on the command line.
    #[serde(rename = "option")]
    Given,
    /// An embedded sample's own time (`sample-evidence/index.json`), so a demo gives the same answer any day.
    #[serde(rename = "embedded_sample")]
    EmbeddedSample,
}

impl AsOfSource {
    /// The JSON report's `as_of_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            AsOfSource::Now => "now",
            AsOfSource::Given => "option",
            AsOfSource::EmbeddedSample => "embedded_sample",
        }
    }

    /// A few words for the explorer's header.
    pub fn short(self) -> &'static str {
        match self {
            AsOfSource::Now => "now",
            AsOfSource::Given => "--as-of",
            AsOfSource::EmbeddedSample => "own time",
        }
    }

    /// Why this time was used, as a sentence (text and markdown reports).
    pub fn reason(self) -> &'static str {
        match self {
            AsOfSource::Now => {
                "the current time: evidence read from disk is evaluated as of now unless --as-of TIME is given"
            }
            AsOfSource::Given => "the time given with --as-of",
            AsOfSource::EmbeddedSample => {
                "the embedded sample's own time, so a sample gives the same answer on any day; --as-of TIME \
                 overrides it"
            }
        }
    }
}

/// An evaluation time and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    pub at: DateTime<Utc>,
    pub source: AsOfSource,
}

impl AsOf {
    /// The current time (evidence read from disk, no `--as-of`).
    pub fn now() -> AsOf {
        AsOf::now_at(Utc::now())
    }

    /// "Now", as a clock other than the system's says it (the explorer's clock).
    pub fn now_at(at: DateTime<Utc>) -> AsOf {
        AsOf { at, source: AsOfSource::Now }
    }

    /// A time given by the caller (`--as-of`).
    pub fn given(at: DateTime<Utc>) -> AsOf {
        AsOf { at, source: AsOfSource::Given }
    }

    /// An embedded sample's own time.
    pub fn sample(at: DateTime<Utc>) -> AsOf {
        AsOf { at, source: AsOfSource::EmbeddedSample }
    }
}

/// A bare instant is a time the caller chose.
impl From<DateTime<Utc>> for AsOf {
    fn from(at: DateTime<Utc>) -> AsOf {
        AsOf::given(at)
    }
}

/// Parse an instant: RFC 3339, Python `isoformat()` without offset (taken as UTC), or a bare date (its start,
/// 00:00 UTC, as CAVRA's `_parse_iso_datetime` reads it). Every date closeout compares (retention dates,
/// acceptance expiries, target dates) goes through this one rule, so `until <= now` means the same everywhere.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")))
}

/// Format an instant the way closeout prints times: RFC 3339, seconds, `Z`.
pub fn fmt_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Serialize an optional instant as RFC 3339 (or null).
pub fn ser_opt_instant<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&fmt_instant(*t)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_cavra_formats() {
        let a = parse_instant("2026-06-01T09:00:00+00:00").unwrap();
        assert_eq!(fmt_instant(a), "2026-06-01T09:00:00Z");
        assert_eq!(parse_instant("2026-06-01T09:00:00").unwrap(), a);
        assert_eq!(parse_instant("2026-06-01T11:00:00+02:00").unwrap(), a);
        assert_eq!(fmt_instant(parse_instant("2026-06-07").unwrap()), "2026-06-07T00:00:00Z");
        assert!(parse_instant("soon").is_none());
    }

    #[test]
    fn a_bare_date_is_the_start_of_that_day_as_cavra_reads_it() {
        assert_eq!(fmt_instant(parse_instant("2026-06-07").unwrap()), "2026-06-07T00:00:00Z");
        assert_eq!(fmt_instant(parse_instant(" 2026-06-07 ").unwrap()), "2026-06-07T00:00:00Z");
    }
}
