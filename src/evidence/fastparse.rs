//! The fast path of the first parse of a JSON document: the same [`TopDoc`] the serde_json path builds, from a
//! hand-written validating scanner.
//!
//! A store is mostly artifact content the first parse only has to step over. This scanner steps over strings
//! 16 bytes at a time and keeps nothing but the spans the loader needs, validating everything as strictly as
//! serde_json does (string escapes, control characters, number grammar, literals, structure, trailing text)
//! and nesting no deeper than [`MAX_DEPTH`]. It gives up (`None`) on anything it does not accept, and the
//! caller then parses with serde_json, which produces the error message (line and column) or the result.
//! So the fast path only decides speed, never what is accepted: tests compare both paths.
//!
//! A key repeated in one object (at any depth) is one of the things it gives up on: evidence with duplicate
//! keys is refused (parsers disagree on which copy counts), and the slow path says where. The check is cheap:
//! while an object's keys come in order (CAVRA writes sorted keys) each is compared with the one before only;
//! in an object out of order, each key is compared with the keys already seen by a 64-bit fingerprint (its
//! length and first and last eight bytes), the bytes themselves only when fingerprints are equal; an object past
//! [`LINEAR_KEYS`] keys switches to a hash set.

use std::borrow::Cow;

use super::load::MAX_DEPTH;
use super::parse::{ItemHead, TopDoc, span_of};
use super::refscan::Noted;

/// Parse a top-level object. `None`: not handled here (invalid, too deep, or unusual); use serde_json.
pub(crate) fn top_doc(text: &str) -> Option<TopDoc<'_>> {
    let mut items = Vec::new();
    let mut doc = top_doc_with(text, &mut |head| items.push(head))?;
    if doc.items.is_some() {
        // Doubling leaves up to half the list unused.
        items.shrink_to_fit();
        doc.items = Some(items);
    }
    Some(doc)
}

/// [`top_doc`], handing each store item's head to `on_item` as it is read instead of keeping them: a
/// store's nodes can then be built while it is scanned, and no list of every head is ever held. The
/// returned document's `items` is then `Some` and empty when the document had them. Heads may have been
/// handed over before `None` is returned (the document turned out invalid or unusual further on).
pub(crate) fn top_doc_with<'a>(text: &'a str, on_item: &mut dyn FnMut(ItemHead<'a>)) -> Option<TopDoc<'a>> {
    if text.len() > MAX_SCAN_BYTES {
        return None;
    }
    let mut p = Scan::new(text);
    p.notes = Some(Noted::default());
    p.ws();
    p.eat(b'{')?;
    let mut doc = TopDoc { is_object: true, ..TopDoc::default() };
    p.ws();
    if p.eat(b'}').is_none() {
        p.seen.open();
        loop {
            let key = p.key()?;
            p.ws();
            if key == "items" && doc.items.is_none() {
                p.items(on_item)?;
                doc.items = Some(Vec::new());
            } else {
                let raw = p.value(1)?;
                doc.fields.push((key, raw));
            }
            p.ws();
            match p.next()? {
                b',' => p.ws(),
                b'}' => break,
                _ => return None,
            }
        }
        p.seen.close();
    }
    p.ws();
    doc.ref_notes = p.notes.take().map(Noted::finish);
    (p.i == p.b.len()).then_some(doc)
}

/// The largest text the scanner takes (key positions are kept as `u32`; evidence files are at most 1 GiB).
const MAX_SCAN_BYTES: usize = (u32::MAX >> 1) as usize;

/// The raw value of `key` in the JSON object `text` (the last one if repeated, as when decoded); `Some(None)`
/// when absent. `None`: `text` is not an object this scanner accepts.
pub(crate) fn object_field<'a>(text: &'a str, key: &str) -> Option<Option<&'a str>> {
    let mut p = Scan::new(text);
    // Only ever asked of a loaded artifact, whose keys were checked when it was loaded.
    p.seen.off = true;
    p.ws();
    p.eat(b'{')?;
    p.ws();
    let mut found = None;
    if p.eat(b'}').is_some() {
        return Some(None);
    }
    loop {
        let k = p.key()?;
        let raw = p.loaded_value()?;
        if k == key {
            found = Some(raw);
        }
        p.ws();
        match p.next()? {
            b',' => p.ws(),
            b'}' => return Some(found),
            _ => return None,
        }
    }
}

struct Scan<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    seen: Seen,
    /// When set, every reference key's value is noted here (see [`Noted`]).
    notes: Option<Noted>,
}

/// Objects with more keys than this look keys up in a hash set instead of comparing with each.
pub(crate) const LINEAR_KEYS: usize = 32;

/// The keys of the objects being scanned, innermost object last.
#[derive(Default)]
struct Seen {
    /// Where each key of the open objects is (offset and length in the input, or with [`DECODED`] set, in
    /// `decoded`), and the fingerprints of those of objects compared one by one.
    spans: Vec<(u32, u32)>,
    fps: Vec<u64>,
    /// Per open object: where its keys start in `spans`, and how they are compared.
    frames: Vec<Frame>,
    /// Hashes of the keys of each open object past [`LINEAR_KEYS`] keys, innermost last.
    sets: Vec<foldhash::HashSet<u64>>,
    /// Spare hash sets, kept to be reused.
    spare: Vec<foldhash::HashSet<u64>>,
    /// Escaped keys, decoded (a key is compared as serde_json decodes it: `"a"` and `"\u0061"` are one key).
    decoded: Vec<u8>,
    /// Keys are not checked (text already loaded once).
    off: bool,
}

const DECODED: u32 = 1 << 31;

/// One open object.
#[derive(Clone, Copy)]
struct Frame {
    /// Where its keys start in `spans` (and, once [`Mode::Linear`], in `fps`).
    start: u32,
    mode: Mode,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every key so far sorts after the one before it (CAVRA writes sorted keys), so none repeats: each new key
    /// is compared with the last one only.
    Sorted,
    /// Compared with each key by fingerprint.
    Linear,
    /// In a hash set (`sets`, innermost last).
    Large,
}

/// A cheap fingerprint: exact for keys under eight bytes, else length and first and last eight bytes.
#[inline]
fn fingerprint(k: &[u8]) -> u64 {
    let n = k.len();
    if n < 8 {
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(k);
        u64::from_le_bytes(buf) | ((n as u64) << 56)
    } else {
        let head = u64::from_le_bytes(k[..8].try_into().expect("eight bytes"));
        let tail = u64::from_le_bytes(k[n - 8..].try_into().expect("eight bytes"));
        head ^ tail.rotate_left(29) ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

fn full_hash(k: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    super::seeded().hash_one(k)
}

/// Whether `a` sorts after `b` (bytewise, as `a > b`), eight bytes at a time: keys are short and mostly differ
/// early, and a call to `memcmp` per key would cost more than the comparison.
#[inline]
fn after(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_be_bytes(a[i..i + 8].try_into().expect("eight bytes"));
        let y = u64::from_be_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        if x != y {
            return x > y;
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
        i += 1;
    }
    a.len() > b.len()
}

/// A seen key's bytes.
#[inline]
fn key_bytes<'s>(input: &'s [u8], decoded: &'s [u8], (at, len): (u32, u32)) -> &'s [u8] {
    let src = if at & DECODED != 0 { decoded } else { input };
    let at = (at & !DECODED) as usize;
    &src[at..at + len as usize]
}

impl Seen {
    /// An object opens.
    #[inline]
    fn open(&mut self) {
        if !self.off {
            self.frames.push(Frame { start: self.spans.len() as u32, mode: Mode::Sorted });
        }
    }

    /// The innermost object closes.
    #[inline]
    fn close(&mut self) {
        if let Some(f) = self.frames.pop() {
            self.spans.truncate(f.start as usize);
            self.fps.truncate(f.start as usize);
            match f.mode {
                Mode::Sorted | Mode::Linear => {}
                Mode::Large => {
                    if let Some(mut set) = self.sets.pop() {
                        set.clear();
                        self.spare.push(set);
                    }
                }
            }
            if self.frames.is_empty() {
                self.decoded.clear();
            }
        }
    }

    /// Record a key of the innermost object: `false` when that object already has it (or, past
    /// [`LINEAR_KEYS`], a key of the same 64-bit hash: the slow path then decides).
    #[inline]
    fn insert(&mut self, input: &[u8], span: (u32, u32)) -> bool {
        let Some(&f) = self.frames.last() else { return true };
        if f.mode == Mode::Sorted {
            let sorted = match self.spans.last() {
                Some(&prev) if self.spans.len() > f.start as usize => {
                    after(key_bytes(input, &self.decoded, span), key_bytes(input, &self.decoded, prev))
                }
                _ => true,
            };
            if sorted {
                self.spans.push(span);
                return true;
            }
        }
        self.insert_slow(input, span)
    }

    /// [`Seen::insert`] for an object whose keys are not in order.
    #[cold]
    #[inline(never)]
    fn insert_slow(&mut self, input: &[u8], span: (u32, u32)) -> bool {
        let Some(f) = self.frames.last_mut() else { return true };
        let start = f.start as usize;
        let k = key_bytes(input, &self.decoded, span);
        match f.mode {
            Mode::Large => return self.sets.last_mut().is_none_or(|set| set.insert(full_hash(k))),
            Mode::Sorted => {
                // Out of order: fingerprint the keys so far and compare one by one from now on. (`fps` runs
                // parallel to `spans` from `start` on; below it, places of sorted objects are left unused.)
                self.fps.resize(start, 0);
                self.fps
                    .extend(self.spans[start..].iter().map(|&old| fingerprint(key_bytes(input, &self.decoded, old))));
                f.mode = Mode::Linear;
            }
            Mode::Linear => {}
        }
        let fp = fingerprint(k);
        for (i, &old) in self.fps[start..].iter().enumerate() {
            if old == fp && key_bytes(input, &self.decoded, self.spans[start + i]) == k {
                return false;
            }
        }
        if self.fps.len() - start < LINEAR_KEYS {
            self.fps.push(fp);
            self.spans.push(span);
            return true;
        }
        // Too many to compare one by one: hash them all from now on.
        let mut set = self.spare.pop().unwrap_or_default();
        set.extend(self.spans[start..].iter().map(|&old| full_hash(key_bytes(input, &self.decoded, old))));
        set.insert(full_hash(k));
        self.fps.truncate(start);
        self.spans.truncate(start);
        self.sets.push(set);
        f.mode = Mode::Large;
        true
    }
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Scan<'a> {
        Scan { s: text, b: text.as_bytes(), i: 0, seen: Seen::default(), notes: None }
    }

    /// The string from `start` (its opening quote) to the current position (past its closing quote) is a key
    /// of the innermost object: `None` when that object already has it, or when it does not decode.
    #[inline]
    fn note_key(&mut self, start: usize, escaped: bool, decoded: Option<&str>) -> Option<()> {
        if self.seen.off {
            return Some(());
        }
        if escaped {
            return self.note_escaped_key(start, decoded);
        }
        let span = ((start + 1) as u32, (self.i - start - 2) as u32);
        self.seen.insert(self.b, span).then_some(())
    }

    #[cold]
    fn note_escaped_key(&mut self, start: usize, decoded: Option<&str>) -> Option<()> {
        let owned;
        let text = match decoded {
            Some(d) => d,
            None => {
                owned = serde_json::from_str::<String>(self.s.get(start..self.i)?).ok()?;
                owned.as_str()
            }
        };
        let at = self.seen.decoded.len();
        if at + text.len() >= DECODED as usize {
            return None;
        }
        self.seen.decoded.extend_from_slice(text.as_bytes());
        let span = (at as u32 | DECODED, text.len() as u32);
        self.seen.insert(self.b, span).then_some(())
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// An object key and the colon after it (whitespace skipped before the key and after the colon).
    fn key(&mut self) -> Option<Cow<'a, str>> {
        let start = self.i;
        if self.peek()? != b'"' {
            return None;
        }
        let escaped = self.string()?;
        let end = self.i;
        let key = if escaped {
            // As serde_json decodes keys (it rejects lone surrogates, for one).
            let k = serde_json::from_str::<String>(self.s.get(start..end)?).ok()?;
            self.note_key(start, true, Some(&k))?;
            Cow::Owned(k)
        } else {
            self.note_key(start, false, None)?;
            Cow::Borrowed(self.s.get(start + 1..end - 1)?)
        };
        self.ws();
        self.eat(b':')?;
        self.ws();
        if !escaped && let Some(notes) = &mut self.notes {
            note_ref(notes, self.s, start, end, self.i);
        }
        Some(key)
    }

    /// The `items` array: one head per item, handed to `on_item`. Anything but an array of objects is left
    /// to serde_json.
    fn items(&mut self, on_item: &mut dyn FnMut(ItemHead<'a>)) -> Option<()> {
        self.eat(b'[')?;
        self.ws();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            on_item(self.head()?);
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b']' => return Some(()),
                _ => return None,
            }
        }
    }

    /// One store item (depth 3: the document, `items`, the item).
    fn head(&mut self) -> Option<ItemHead<'a>> {
        self.eat(b'{')?;
        let mut head = ItemHead { is_object: true, ..ItemHead::default() };
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(head);
        }
        self.seen.open();
        loop {
            let key = self.key()?;
            let raw = self.value(3)?;
            head.add(key, raw);
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b'}' => {
                    self.seen.close();
                    return Some(head);
                }
                _ => return None,
            }
        }
    }

    /// One value of text that was loaded once already (so valid JSON), stepped over without validating it
    /// again: a string to its closing quote, a container by counting brackets outside strings, anything else
    /// up to the next delimiter. Its raw text; `None` when the text ends first.
    fn loaded_value(&mut self) -> Option<&'a str> {
        let start = self.i;
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.i += 1;
                }
            }
        }
        self.s.get(start..self.i)
    }

    /// One value, validated and stepped over; its raw text. `depth`: how many containers hold it.
    fn value(&mut self, depth: usize) -> Option<&'a str> {
        let start = self.i;
        self.skip_value(depth)?;
        self.s.get(start..self.i)
    }

    /// At an opening quote: step past the closing quote. `Some(true)` when the string held an escape.
    #[inline(always)]
    fn string(&mut self) -> Option<bool> {
        // Most strings hold no escape: one search for the closing quote, with the position in a register.
        let i = find_special(self.b, self.i + 1)?;
        if self.b[i] == b'"' {
            self.i = i + 1;
            return Some(false);
        }
        self.string_rest(i)
    }

    /// [`Scan::string`] from its first stop byte that is not the closing quote, at `i`.
    #[inline(never)]
    fn string_rest(&mut self, mut i: usize) -> Option<bool> {
        let start = self.i;
        let mut escaped = false;
        let mut surrogate = false;
        loop {
            match self.b[i] {
                b'"' => {
                    self.i = i + 1;
                    if surrogate {
                        // Surrogates must pair up, as serde_json decodes them.
                        serde_json::from_str::<String>(self.s.get(start..self.i)?).ok()?;
                    }
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    match self.b.get(i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                        b'u' => {
                            let hex = self.b.get(i + 2..i + 6)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            // U+D800 to U+DFFF.
                            surrogate |= matches!(hex[0], b'd' | b'D') && hex[1] > b'7';
                            i += 6;
                        }
                        _ => return None,
                    }
                }
                // A raw control character.
                _ => return None,
            }
            i = find_special(self.b, i)?;
        }
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digit()?;
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digit()?;
            self.digits();
        }
        // serde_json rejects a second leading zero ("01"); so does the caller, which expects a separator.
        Some(())
    }

    fn digit(&mut self) -> Option<()> {
        self.next().filter(u8::is_ascii_digit).map(|_| ())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        (self.b.get(self.i..self.i + word.len())? == word).then(|| self.i += word.len())
    }

    /// Step over one value with an explicit stack (bit set: object), failing past [`MAX_DEPTH`] in all.
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        let mut objects: u128 = 0;
        let mut open = 0usize;
        loop {
            // A value is expected here.
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    let object = self.b[self.i] == b'{';
                    if depth + open + 1 > MAX_DEPTH || open >= 127 {
                        return None;
                    }
                    self.i += 1;
                    self.ws();
                    let empty = self.eat(if object { b'}' } else { b']' }).is_some();
                    if !empty {
                        objects = (objects << 1) | u128::from(object);
                        open += 1;
                        if object {
                            self.seen.open();
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // After a value: close containers, or move to the next element.
            loop {
                if open == 0 {
                    return Some(());
                }
                self.ws();
                let in_object = objects & 1 == 1;
                match self.next()? {
                    b',' => {
                        self.ws();
                        if in_object {
                            self.member_key()?;
                        }
                        break;
                    }
                    b'}' if in_object => self.seen.close(),
                    b']' if !in_object => {}
                    _ => return None,
                }
                objects >>= 1;
                open -= 1;
            }
        }
    }

    /// Inside an object being stepped over: a key, its colon, and whitespace up to the value.
    #[inline]
    fn member_key(&mut self) -> Option<()> {
        let start = self.i;
        if self.peek()? != b'"' {
            return None;
        }
        let escaped = self.string()?;
        let end = self.i;
        self.note_key(start, escaped, None)?;
        self.ws();
        self.eat(b':')?;
        self.ws();
        if !escaped && let Some(notes) = &mut self.notes {
            note_ref(notes, self.s, start, end, self.i);
        }
        Some(())
    }
}

/// The key quoted from `start` to `end` in `text`, whose value starts at `v`: note the value when the key is
/// a reference key.
#[inline]
fn note_ref(notes: &mut Noted, text: &str, start: usize, end: usize, v: usize) {
    // The key lies between two ASCII quotes of text already checked as UTF-8: a `str` as it is.
    if text.get(start + 1..end - 1).is_some_and(super::refscan::is_noted_key) {
        notes.value(text, v);
    }
}

/// The first byte at or after `i` that ends a run of plain string content: `"`, `\` or a control character.
#[inline(always)]
fn find_special(b: &[u8], i: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86_64 baseline, so the CPU has it.
    let i = match unsafe { skip_plain_sse2(b, i) } {
        Ok(found) => return Some(found),
        Err(rest) => rest,
    };
    b[i.min(b.len())..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| i + p)
}

/// The plain string content from `i` on: the offset of its closing quote, and whether a `:` comes before it.
/// `None` when a backslash or a control character comes first, or the text ends.
#[inline]
pub(crate) fn plain_string(b: &[u8], i: usize) -> Option<(usize, bool)> {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86_64 baseline, so the CPU has it.
    let (i, colon) = match unsafe { plain_string_sse2(b, i) } {
        Ok(found) => return found,
        Err(rest) => rest,
    };
    #[cfg(not(target_arch = "x86_64"))]
    let colon = false;
    let end = i.min(b.len()) + b[i.min(b.len())..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
    (b[end] == b'"').then(|| (end, colon || b[i..end].contains(&b':')))
}

/// [`plain_string`] 16 bytes at a time: `Ok` with its answer, or `Err` with where the last partial block
/// (under 16 bytes) starts and whether a `:` came before it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn plain_string_sse2(b: &[u8], mut i: usize) -> Result<Option<(usize, bool)>, (usize, bool)> {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set1_epi8};
    let colon = _mm_set1_epi8(b':' as i8);
    let mut colons = false;
    while i + 16 <= b.len() {
        let v = block(b, i);
        let mask = stop_mask(v);
        let colon_mask = _mm_movemask_epi8(_mm_cmpeq_epi8(v, colon)) as u32;
        if mask != 0 {
            let at = mask.trailing_zeros();
            colons |= colon_mask & ((1 << at) - 1) != 0;
            let end = i + at as usize;
            return Ok((b[end] == b'"').then_some((end, colons)));
        }
        colons |= colon_mask != 0;
        i += 16;
    }
    Err((i, colons))
}

/// Step over plain string content 16 bytes at a time: `Ok` with the offset of the first stop byte, or `Err`
/// with where the last partial block (under 16 bytes, searched byte by byte) starts.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn skip_plain_sse2(b: &[u8], mut i: usize) -> Result<usize, usize> {
    while i + 16 <= b.len() {
        let mask = stop_mask(block(b, i));
        if mask != 0 {
            return Ok(i + mask.trailing_zeros() as usize);
        }
        i += 16;
    }
    Err(i)
}

/// The 16 bytes of `b` from `i` (the caller checked `i + 16 <= b.len()`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn block(b: &[u8], i: usize) -> std::arch::x86_64::__m128i {
    assert!(i + 16 <= b.len());
    // SAFETY: `i + 16 <= b.len()` (asserted), and an unaligned load reads exactly those 16 bytes.
    unsafe { std::arch::x86_64::_mm_loadu_si128(b.as_ptr().add(i).cast()) }
}

/// Which of the 16 bytes of `v` end plain string content (`"`, `\`, a control character), as a bit mask.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn stop_mask(v: std::arch::x86_64::__m128i) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let control = _mm_set1_epi8(0x1f);
    let stops = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
        // max(v, 0x1f) == 0x1f exactly when v <= 0x1f (unsigned).
        _mm_cmpeq_epi8(_mm_max_epu8(v, control), control),
    );
    _mm_movemask_epi8(stops) as u32
}

/// Whether both paths agree (tests and the conformance suite; panics saying where they differ): the fast path
/// gives up, or accepts only what serde_json accepts and yields the same heads and spans.
#[doc(hidden)]
pub(crate) fn agree(src: &str) -> bool {
    let fast = top_doc(src);
    let slow: Result<TopDoc, _> = serde_json::from_str(src);
    match (fast, slow) {
        (None, _) => false,
        (Some(_), Err(e)) => panic!("fast path accepted what serde_json rejects ({e}): {src:?}"),
        (Some(_), Ok(_)) if super::parse::check_unique(src).is_err() => {
            panic!("fast path accepted what the slow path refuses: {src:?}")
        }
        (Some(f), Ok(s)) => {
            let b = src.as_bytes();
            let spans = |v: Option<&str>| v.map(|r| span_of(b, r));
            assert_eq!(f.is_object, s.is_object);
            assert_eq!(f.items_wrong_type, s.items_wrong_type);
            let fields = |d: &TopDoc| d.fields.iter().map(|(k, r)| (k.to_string(), span_of(b, r))).collect::<Vec<_>>();
            assert_eq!(fields(&f), fields(&s), "{src:?}");
            let (fi, si) = (f.items.unwrap_or_default(), s.items.unwrap_or_default());
            assert_eq!(fi.len(), si.len());
            for (x, y) in fi.iter().zip(&si) {
                for (a, c) in [
                    (x.metadata_kind, y.metadata_kind),
                    (x.session_id, y.session_id),
                    (x.created_at, y.created_at),
                    (x.release_record_ref, y.release_record_ref),
                    (x.connector_delivery_source, y.connector_delivery_source),
                    (x.event_type, y.event_type),
                    (x.event_id, y.event_id),
                    (x.delivery_success, y.delivery_success),
                    (x.first, y.first),
                    (x.last, y.last),
                ] {
                    assert_eq!(spans(a), spans(c), "{src:?}");
                }
                let objects =
                    |h: &ItemHead| h.objects.iter().map(|(k, r)| (k.to_string(), span_of(b, r))).collect::<Vec<_>>();
                assert_eq!(objects(x), objects(y));
                assert_eq!((x.is_object, x.field_count), (y.is_object, y.field_count));
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_serde_json_on_well_formed_documents() {
        let docs = [
            r#"{}"#,
            r#" { "items" : [ ] } "#,
            r#"{"items": [{}]}"#,
            r#"{"items": [{"metadata_kind": "final_x", "session_id": "s\"1", "created_at": "t", "final_x": {"a": [1, -2.5e+3, 0, true, false, null, "\u00e9\n"], "b": {}}, "delivery_success": false}], "extra": [[], {"k": 1}]}"#,
            r#"{"items": [{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}, {"a": 1}], "a": {"a": []}}"#,
            "{\"schema_version\":\"x\",\t\"n\":\r\n-0.0E-0}",
            r#"{"k\u0041y": "v", "\ud83d\ude00": 1}"#,
            r#"{"s": "\ud83d\ude00 paired surrogates", "\ud83d\ude00": "\uD83D\uDE00"}"#,
            r#"{"long": "0123456789abcdef0123456789abcdef0123456789\"abcdef0123456789abcdef\\"}"#,
            "{\"utf8\": \"caf\u{e9} \u{1f600} \u{2028}\"}",
        ];
        for d in docs {
            assert!(agree(d), "fast path gave up on a well-formed document: {d:?}");
        }
    }

    /// Our samples: the fast path takes every one and agrees with serde_json (CAVRA's own output: the
    /// conformance suite).
    #[test]
    fn agrees_with_serde_json_on_every_sample() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(agree(&text), "fast path gave up on {}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 10, "{seen} files");
    }

    #[test]
    fn gives_up_on_everything_serde_json_rejects() {
        let bad = [
            "",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":[1,]}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":+1}",
            "{\"a\":.5}",
            "{\"a\":tru}",
            "{\"a\":nul}",
            "{\"a\":\"x\ny\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12G4\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"abc}",
            "{\"a\":1} x",
            "{\"a\":1}}",
            "{\"a\":[}",
            "{\"a\":{]}",
            "{\"a\" 1}",
            "{1:2}",
            "{\"a\":{\"b\"}}",
            "{\"a\":[1 2]}",
            "{\"items\":[{\"a\":1}{\"b\":2}]}",
            "{\"items\": 5}",
            "{\"items\": [3]}",
            "[]",
            "\"s\"",
            "{\"\\ud800\": 1}",
            "{\"a\": \"\\ud800 a lone surrogate\"}",
            "{\"a\": [\"\\udc00\\ud800\"]}",
            "{\"a\": {\"\\ud800\": 1}}",
            "{\"a\":\"\u{7f}\t\"}",
        ];
        for d in bad {
            let fast = top_doc(d);
            if fast.is_some() {
                assert!(serde_json::from_str::<TopDoc>(d).is_ok(), "fast path accepted {d:?}");
                assert!(super::super::parse::check_unique(d).is_ok(), "fast path accepted {d:?}");
            }
        }
        // The ones that must not be accepted at all (serde_json rejects them).
        for d in [
            "{\"a\": \"\\ud800 lone\"}",
            "{\"a\": [\"\\udc00\\ud800\"]}",
            "{\"a\":01}",
            "{\"a\":\"x\ny\"}",
            "{\"a\":[1,]}",
            "{\"a\":1} x",
            "{\"a\":\"\\u12G4\"}",
        ] {
            assert!(top_doc(d).is_none(), "{d:?}");
        }
    }

    /// Keys repeated in one object, at every depth and in every way of writing them: the fast path gives up
    /// (and serde_json's slow path refuses them: `load` tests).
    #[test]
    fn gives_up_on_a_key_repeated_in_one_object() {
        let many = |n: usize, dup: Option<(usize, usize)>| {
            let keys: Vec<String> = (0..n)
                .map(|i| match dup {
                    Some((a, b)) if i == b => format!("\"key-{a:05}-long-enough-to-share-head-and-tail\": {i}"),
                    _ => format!("\"key-{i:05}-long-enough-to-share-head-and-tail\": {i}"),
                })
                .collect();
            format!("{{\"items\": [{{\"x\": {{{}}}}}]}}", keys.join(", "))
        };
        let repeated = [
            r#"{"items": [], "items": []}"#.to_string(),
            r#"{"a": 1, "b": 2, "a": 1}"#.into(),
            r#"{"items": [{"session_id": "s", "metadata_kind": "k", "session_id": "t"}]}"#.into(),
            r#"{"items": [{"final_x": {"decision_state": "denied", "decision_state": "approved"}}]}"#.into(),
            r#"{"x": [[{"ok": 1}, {"deep": {"z": 1, "y": {"k": 1, "k": 2}}}]]}"#.into(),
            r#"{"a\u0062": 1, "ab": 2}"#.into(),
            r#"{"x": {"\u00e9": 1, "é": 2}}"#.into(),
            r#"{"x": {"\n": 1, "\u000a": 2}}"#.into(),
            r#"{"x": {"": 1, "": 2}}"#.into(),
            many(40, Some((3, 39))),
            many(40, Some((35, 38))),
            many(2000, Some((1, 1999))),
            many(33, Some((0, 32))),
        ];
        for d in &repeated {
            assert!(serde_json::from_str::<serde_json::Value>(d).is_ok(), "valid JSON: {d:.80}");
            assert!(top_doc(d).is_none(), "fast path took a repeated key: {d:.120}");
            assert!(super::super::parse::check_unique(d).is_err(), "slow path took a repeated key: {d:.120}");
        }
        // Distinct keys, however many and however alike, and one key in many objects, are fine.
        for d in [
            many(2000, None),
            many(32, None),
            many(33, None),
            r#"{"x": {"ab": 1, "a\u0063": 2, "abc": 3, "abcdefghijklmnopq": 4, "abcdefghXjklmnopq": 5}}"#.into(),
            r#"{"k": {"k": {"k": 1}}, "l": [{"k": 1}, {"k": 1}]}"#.into(),
        ] {
            assert!(agree(&d), "gave up on distinct keys: {d:.120}");
            assert!(super::super::parse::check_unique(&d).is_ok(), "{d:.120}");
        }
    }

    #[test]
    fn after_orders_keys_as_bytes_do() {
        let keys =
            ["", "a", "ab", "ab\0", "abcdefgh", "abcdefgh\0", "abcdefghi", "abcdefgz", "b", "é", "\u{7f}xxxxxxxxx"];
        for a in keys {
            for b in keys {
                assert_eq!(after(a.as_bytes(), b.as_bytes()), a.as_bytes() > b.as_bytes(), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn object_field_reads_one_top_level_field_raw() {
        let obj = r#" {"a": {"success": false}, "success": true, "event_id": "e\u0031", "success": null} "#;
        assert_eq!(object_field(obj, "success"), Some(Some("null")), "the last of a repeated key");
        assert_eq!(object_field(obj, "event_id"), Some(Some(r#""e\u0031""#)));
        assert_eq!(object_field(obj, "missing"), Some(None));
        assert_eq!(object_field("{}", "a"), Some(None));
        assert_eq!(object_field("[1]", "a"), None);
        assert_eq!(object_field(r#"{"a": 1,}"#, "a"), None);
    }

    /// Every top-level field of every object in our samples, read raw, is the text serde_json gives it.
    #[test]
    fn object_field_reads_what_serde_json_reads_in_every_sample_object() {
        fn objects<'a>(v: &'a serde_json::value::RawValue, out: &mut Vec<&'a str>) {
            let text = v.get();
            if text.starts_with('{') {
                out.push(text);
                let map: std::collections::BTreeMap<String, &serde_json::value::RawValue> =
                    serde_json::from_str(text).unwrap();
                map.values().for_each(|v| objects(v, out));
            } else if text.starts_with('[') {
                let list: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).unwrap();
                list.iter().for_each(|v| objects(v, out));
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let root: &serde_json::value::RawValue = serde_json::from_str(&text).unwrap();
            let mut found = Vec::new();
            objects(root, &mut found);
            for obj in found {
                let map: std::collections::BTreeMap<String, &serde_json::value::RawValue> =
                    serde_json::from_str(obj).unwrap();
                for (k, v) in &map {
                    assert_eq!(object_field(obj, k), Some(Some(v.get())), "{}: {k}", path.display());
                    checked += 1;
                }
                assert_eq!(object_field(obj, "no such key \u{1}"), Some(None));
            }
        }
        assert!(checked > 1000, "{checked} fields");
    }

    #[test]
    fn object_field_steps_over_nested_values_of_every_shape() {
        let obj = r#"{"a": {"x": [1, {"y": "}]\"{["}], "z": "a,b"}, "b": [[], {}, "]", -1.5e3, true, null], "c": -0.0, "d": false, "e": "\\", "f": {}}"#;
        let want = [
            ("a", r#"{"x": [1, {"y": "}]\"{["}], "z": "a,b"}"#),
            ("b", r#"[[], {}, "]", -1.5e3, true, null]"#),
            ("c", "-0.0"),
            ("d", "false"),
            ("e", r#""\\""#),
            ("f", "{}"),
        ];
        for (k, v) in want {
            assert_eq!(object_field(obj, k), Some(Some(v)), "{k}");
        }
        assert_eq!(object_field(r#"{"a": {"b": [1, 2}"#, "z"), None, "ends inside a value");
        assert_eq!(object_field(r#"{"a": "unterminated}"#, "z"), None);
    }

    #[test]
    fn nesting_past_the_limit_is_left_to_the_slow_path() {
        let deep = |n: usize| format!("{{\"a\": {}1{}}}", "[".repeat(n), "]".repeat(n));
        assert!(agree(&deep(MAX_DEPTH - 1)));
        assert!(top_doc(&deep(MAX_DEPTH)).is_none());
        assert!(top_doc(&deep(200_000)).is_none());
    }

    #[test]
    fn every_one_byte_corruption_of_a_real_item_is_judged_as_serde_json_judges_it() {
        let src = r#"{"items": [{"created_at": "2026-06-01T09:00:00Z", "metadata_kind": "final_release_closeout_summary", "session_id": "rcs-1", "final_release_closeout_summary": {"n": [1.5, -2, 3e4], "ok": true, "note": "a\"b\\c\u00e9", "z": null}}]}"#;
        let alphabet = b"{}[]\":,\\ \n0-.eEtfnu\x01x";
        let mut accepted = 0;
        for i in 0..src.len() {
            for &c in alphabet {
                let mut v = src.as_bytes().to_vec();
                v[i] = c;
                let Ok(text) = std::str::from_utf8(&v) else { continue };
                if agree(text) {
                    accepted += 1;
                }
            }
        }
        // Many corruptions are still valid JSON (inside strings); the fast path must have taken some.
        assert!(accepted > 100, "{accepted}");
    }

    #[test]
    fn find_special_finds_the_first_stop_at_every_offset() {
        for len in 0..70 {
            for at in 0..len {
                for stop in [b'"', b'\\', 0x00, 0x1f] {
                    let mut v = vec![b'a'; len];
                    v[at] = stop;
                    if at + 1 < len {
                        v[at + 1] = b'"';
                    }
                    assert_eq!(find_special(&v, 0), Some(at));
                    assert_eq!(find_special(&v, at + 1), if at + 1 < len { Some(at + 1) } else { None });
                }
            }
            assert_eq!(find_special(&vec![0x80u8; len], 0), None);
        }
    }
}
