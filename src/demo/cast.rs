//! asciicast v2 recordings, written without a terminal: a header line, then one `[time, code, data]` line per
//! event (`o` output, `m` marker, `r` resize). Nothing here reads a clock or draws randomness: the caller
//! gives every time and the header's timestamp, so the same calls give the same bytes.
//!
//! [`validate_cast`] checks a recording the way a player would read it (tests and CI use it).

use std::io::{self, Write};
use std::time::Duration;

use serde_json::Value;

/// The `TERM` a recording says it was made for.
pub const TERM: &str = "xterm-256color";

/// Builds one asciicast v2 recording in memory.
#[derive(Debug, Clone)]
pub struct CastWriter {
    header: String,
    events: String,
    /// Time of the last event written, in microseconds (times never go backwards).
    last_micros: u128,
    outputs: usize,
    markers: usize,
}

/// Quote a string as JSON (escapes control characters, quotes and backslashes).
fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

impl CastWriter {
    /// A recording of a `width`×`height` terminal. `timestamp` is Unix seconds, given by the caller (for a
    /// reproducible file, a fixed time such as the evidence's own).
    pub fn new(width: u16, height: u16, title: &str, timestamp: i64) -> CastWriter {
        let header = format!(
            "{{\"version\": 2, \"width\": {width}, \"height\": {height}, \"timestamp\": {timestamp}, \"title\": {}, \
             \"env\": {{\"TERM\": {}}}}}",
            json_str(title),
            json_str(TERM)
        );
        CastWriter { header, events: String::new(), last_micros: 0, outputs: 0, markers: 0 }
    }

    /// Append one event; a time before the previous event's is written as the previous time.
    fn event(&mut self, at: Duration, code: &str, data: &str) {
        let micros = at.as_micros().max(self.last_micros);
        self.last_micros = micros;
        let secs = micros / 1_000_000;
        let frac = micros % 1_000_000;
        self.events.push_str(&format!("[{secs}.{frac:06}, \"{code}\", {}]\n", json_str(data)));
    }

    /// Bytes written to the terminal at `at`. Each call is one event: nothing is merged.
    pub fn output(&mut self, at: Duration, data: &str) {
        self.outputs += 1;
        self.event(at, "o", data);
    }

    /// A chapter marker (players list these and can jump to them).
    pub fn marker(&mut self, at: Duration, label: &str) {
        self.markers += 1;
        self.event(at, "m", label);
    }

    /// The terminal was resized.
    pub fn resize(&mut self, at: Duration, width: u16, height: u16) {
        self.event(at, "r", &format!("{width}x{height}"));
    }

    /// Time of the last event so far.
    pub fn last_time(&self) -> Duration {
        Duration::from_micros(u64::try_from(self.last_micros).unwrap_or(u64::MAX))
    }

    pub fn output_count(&self) -> usize {
        self.outputs
    }

    pub fn marker_count(&self) -> usize {
        self.markers
    }

    /// The whole recording: the header line and every event line, each ending in a newline.
    pub fn finish(self) -> String {
        let mut out = self.header;
        out.push('\n');
        out.push_str(&self.events);
        out
    }

    /// Write the whole recording.
    pub fn write_to(self, mut w: impl Write) -> io::Result<()> {
        w.write_all(self.finish().as_bytes())?;
        w.flush()
    }
}

/// What [`validate_cast`] found in a valid recording.
#[derive(Debug, Clone, PartialEq)]
pub struct CastSummary {
    pub width: u64,
    pub height: u64,
    pub title: Option<String>,
    /// `o` events.
    pub outputs: usize,
    /// `i` events.
    pub inputs: usize,
    /// `m` events, with their labels in order.
    pub markers: Vec<String>,
    /// `r` events.
    pub resizes: usize,
    /// Time of the last event, in seconds.
    pub duration: f64,
}

/// Check an asciicast v2 recording: the first line is a JSON object with `version` 2 and positive integer
/// `width` and `height`; every other line is `[time, code, data]` with a non-negative number time that never
/// decreases, a code of `o`, `i`, `m` or `r`, and a string (for `r`, `COLSxROWS`). A final newline is allowed;
/// blank lines elsewhere are not.
pub fn validate_cast(text: &str) -> Result<CastSummary, String> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = body.split('\n');
    let header_line = lines.next().filter(|l| !l.trim().is_empty()).ok_or("line 1: the header is missing")?;
    let header: Value =
        serde_json::from_str(header_line).map_err(|e| format!("line 1: the header is not JSON: {e}"))?;
    let obj = header.as_object().ok_or("line 1: the header is not a JSON object")?;
    if obj.get("version").and_then(Value::as_u64) != Some(2) {
        return Err(format!(
            "line 1: version must be 2, found {}",
            obj.get("version").map_or("nothing".into(), |v| v.to_string())
        ));
    }
    let dim = |key: &str| -> Result<u64, String> {
        match obj.get(key).and_then(Value::as_u64) {
            Some(n) if n > 0 => Ok(n),
            _ => Err(format!("line 1: {key} must be a positive integer")),
        }
    };
    let mut summary = CastSummary {
        width: dim("width")?,
        height: dim("height")?,
        title: obj.get("title").and_then(Value::as_str).map(str::to_string),
        outputs: 0,
        inputs: 0,
        markers: Vec::new(),
        resizes: 0,
        duration: 0.0,
    };
    let mut last = 0.0f64;
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let ev: Value = serde_json::from_str(line).map_err(|e| format!("line {n}: not JSON: {e}"))?;
        let arr = ev.as_array().filter(|a| a.len() == 3).ok_or(format!("line {n}: an event is a 3-element array"))?;
        let time = arr[0].as_f64().ok_or(format!("line {n}: the time is not a number"))?;
        if !(time.is_finite() && time >= 0.0) {
            return Err(format!("line {n}: the time {time} is negative"));
        }
        if time < last {
            return Err(format!("line {n}: the time {time} is before the previous event's {last}"));
        }
        last = time;
        let data = arr[2].as_str().ok_or(format!("line {n}: the data is not a string"))?;
        match arr[1].as_str() {
            Some("o") => summary.outputs += 1,
            Some("i") => summary.inputs += 1,
            Some("m") => summary.markers.push(data.to_string()),
            Some("r") => {
                let ok = data.split_once('x').is_some_and(|(w, h)| {
                    w.parse::<u16>().is_ok_and(|w| w > 0) && h.parse::<u16>().is_ok_and(|h| h > 0)
                });
                if !ok {
                    return Err(format!("line {n}: a resize's data is COLSxROWS, found {data:?}"));
                }
                summary.resizes += 1;
            }
            _ => {
                return Err(format!("line {n}: the event code must be \"o\", \"i\", \"m\" or \"r\", found {}", arr[1]));
            }
        }
    }
    summary.duration = last;
    Ok(summary)
}
