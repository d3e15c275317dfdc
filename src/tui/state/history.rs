//! The jump history: where reference jumps, problem jumps, search jumps and palette jumps came from, walked
//! back and forward like a browser's (a new jump after going back drops the forward part).

use super::tree::Sel;

/// Jumps remembered.
pub const HISTORY_MAX: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    back: Vec<Sel>,
    forward: Vec<Sel>,
}

impl History {
    /// A jump from `from`.
    pub fn record(&mut self, from: Sel) {
        self.back.push(from);
        if self.back.len() > HISTORY_MAX {
            self.back.remove(0);
        }
        self.forward.clear();
    }

    /// Where going back leads, given where we are.
    pub fn back(&mut self, here: Option<Sel>) -> Option<Sel> {
        let to = self.back.pop()?;
        if let Some(h) = here {
            self.forward.push(h);
        }
        Some(to)
    }

    /// Where going forward leads, given where we are.
    pub fn forward(&mut self, here: Option<Sel>) -> Option<Sel> {
        let to = self.forward.pop()?;
        if let Some(h) = here {
            self.back.push(h);
        }
        Some(to)
    }

    pub fn back_len(&self) -> usize {
        self.back.len()
    }

    pub fn forward_len(&self) -> usize {
        self.forward.len()
    }

    pub fn is_empty(&self) -> bool {
        self.back.is_empty() && self.forward.is_empty()
    }

    pub fn clear(&mut self) {
        self.back.clear();
        self.forward.clear();
    }

    /// The back list, oldest first (tests).
    pub fn backs(&self) -> &[Sel] {
        &self.back
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_and_forward_like_a_browser() {
        let mut h = History::default();
        h.record(Sel::Node(1));
        h.record(Sel::Node(2));
        assert_eq!(h.back(Some(Sel::Node(3))), Some(Sel::Node(2)));
        assert_eq!(h.back(Some(Sel::Node(2))), Some(Sel::Node(1)));
        assert_eq!(h.back(Some(Sel::Node(1))), None);
        assert_eq!(h.forward(Some(Sel::Node(1))), Some(Sel::Node(2)));
        assert_eq!(h.forward(Some(Sel::Node(2))), Some(Sel::Node(3)));
        assert_eq!(h.forward(Some(Sel::Node(3))), None);
        h.back(Some(Sel::Node(3)));
        h.record(Sel::Node(9));
        assert_eq!(h.forward_len(), 0, "a new jump drops the forward part");
    }
}
