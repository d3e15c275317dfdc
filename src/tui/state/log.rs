//! The message log: every status message and notice, with the time it was said, so nothing is lost to the
//! footer's width or the next key press (`L` shows it).

use chrono::{DateTime, Utc};

/// Messages kept (the oldest go first).
pub const LOG_MAX: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct MessageLog {
    entries: Vec<(Option<DateTime<Utc>>, String)>,
}

impl MessageLog {
    pub fn push(&mut self, at: Option<DateTime<Utc>>, text: &str) {
        if self.entries.last().is_some_and(|(_, t)| t == text) {
            return;
        }
        self.entries.push((at, text.to_string()));
        if self.entries.len() > LOG_MAX {
            self.entries.remove(0);
        }
    }

    pub fn entries(&self) -> &[(Option<DateTime<Utc>>, String)] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
