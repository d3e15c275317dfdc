//! Evaluation time and the date formats evidence uses.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

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
