//! One line of text being typed (a search, a filter, the palette, a review form field): the text and a cursor,
//! edited in place (Left/Right/Home/End, Backspace/Delete, Ctrl-W, Ctrl-U). Pasted text is inserted at the
//! cursor with its line breaks and control characters dropped, so a paste can never act as keys.

use crate::tui::action::Action;

/// The longest text an input holds (a paste beyond it is cut).
pub const MAX_INPUT: usize = 4096;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl TextInput {
    pub fn new(text: &str) -> TextInput {
        let mut t = TextInput::default();
        t.insert_str(text);
        t
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text.char_indices().nth(chars).map_or(self.text.len(), |(b, _)| b)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Type one character at the cursor (control characters are ignored).
    pub fn insert(&mut self, c: char) {
        if c.is_control() || self.text.len() + c.len_utf8() > MAX_INPUT {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Insert pasted text at the cursor: line breaks and tabs become spaces, other control characters go.
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '\n' | '\r' | '\t' => self.insert(' '),
                c => self.insert(c),
            }
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Apply an editing action; false when the action is not an edit.
    pub fn edit(&mut self, action: Action) -> bool {
        match action {
            Action::DeleteBack => {
                if self.cursor > 0 {
                    let at = self.byte_at(self.cursor - 1);
                    self.text.remove(at);
                    self.cursor -= 1;
                }
            }
            Action::DeleteForward => {
                if self.cursor < self.len() {
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            Action::DeleteWord => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
            Action::ClearInput => {
                let b = self.byte_at(self.cursor);
                self.text.replace_range(..b, "");
                self.cursor = 0;
            }
            Action::CursorLeft => self.cursor = self.cursor.saturating_sub(1),
            Action::CursorRight => self.cursor = (self.cursor + 1).min(self.len()),
            Action::CursorHome => self.cursor = 0,
            Action::CursorEnd => self.cursor = self.len(),
            _ => return false,
        }
        true
    }

    /// The text before and after the cursor (for drawing the cursor in place).
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte_at(self.cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_in_place() {
        let mut t = TextInput::new("owner name");
        assert_eq!(t.cursor(), 10);
        t.edit(Action::CursorHome);
        t.edit(Action::CursorRight);
        t.insert('X');
        assert_eq!(t.text(), "oXwner name");
        t.edit(Action::CursorEnd);
        t.edit(Action::DeleteWord);
        assert_eq!(t.text(), "oXwner ");
        t.edit(Action::DeleteBack);
        t.edit(Action::CursorLeft);
        t.edit(Action::DeleteForward);
        assert_eq!(t.text(), "oXwne");
        t.edit(Action::CursorLeft);
        t.edit(Action::ClearInput);
        assert_eq!((t.text(), t.cursor()), ("e", 0));
        assert_eq!(t.split(), ("", "e"));
    }

    #[test]
    fn a_paste_is_one_line_of_text() {
        let mut t = TextInput::default();
        t.insert_str("owner\nCHG-1\treason\x1b[2J\n");
        assert_eq!(t.text(), "owner CHG-1 reason[2J ");
        let mut big = TextInput::default();
        big.insert_str(&"x".repeat(MAX_INPUT * 2));
        assert_eq!(big.text().len(), MAX_INPUT);
    }
}
