//! Single-pass, borrowing parse of an evidence JSON document.
//!
//! The whole document is validated in one pass, but only what evaluation needs is decoded: the top-level
//! keys, and for each store item its wrapper's kind, id, time and release reference plus the raw text (a
//! slice of the input, so also its span) of every value. Artifacts stay as spans into the input and are
//! decoded on demand. The types here are filled by serde_json (below) or by the faster scanner in
//! `fastparse`, which accepts exactly the same documents.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// The byte range of a raw value (a slice of `base`) inside `base`.
pub fn span_of(base: &[u8], raw: &str) -> Range<usize> {
    let start = raw.as_ptr() as usize - base.as_ptr() as usize;
    start..start + raw.len()
}

/// Decode a raw JSON string value cheaply: borrowed when it holds no escapes.
pub fn raw_str(raw: &str) -> Option<Cow<'_, str>> {
    let s = raw;
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(s).ok().map(Cow::Owned)
}

/// A store item's wrapper, with spans.
#[derive(Debug, Default)]
pub struct ItemHead<'a> {
    pub metadata_kind: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub created_at: Option<&'a str>,
    pub release_record_ref: Option<&'a str>,
    pub connector_delivery_source: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub event_id: Option<&'a str>,
    pub delivery_success: Option<&'a str>,
    /// Object-valued fields: the artifact is one of them (chosen by kind). A CAVRA item has one, kept inline:
    /// a heap list per item would be most of a store's memory beside its nodes while the items are read.
    pub objects: smallvec::SmallVec<[(Cow<'a, str>, &'a str); 1]>,
    /// Raw text of the first and last values, to recover the item's own span.
    pub first: Option<&'a str>,
    pub last: Option<&'a str>,
    /// False when the item was not a JSON object.
    pub is_object: bool,
    pub field_count: usize,
}

impl<'a> ItemHead<'a> {
    pub fn str_field(raw: Option<&'a str>) -> Option<Cow<'a, str>> {
        raw.and_then(raw_str)
    }

    /// One field of the wrapper object, in document order (a repeated key: the last one counts).
    pub(crate) fn add(&mut self, key: Cow<'a, str>, raw: &'a str) {
        self.is_object = true;
        self.first.get_or_insert(raw);
        self.last = Some(raw);
        self.field_count += 1;
        let slot = match key.as_ref() {
            "metadata_kind" => &mut self.metadata_kind,
            "session_id" => &mut self.session_id,
            "created_at" => &mut self.created_at,
            "release_record_ref" => &mut self.release_record_ref,
            "connector_delivery_source" => &mut self.connector_delivery_source,
            "event_type" => &mut self.event_type,
            "event_id" => &mut self.event_id,
            "delivery_success" => &mut self.delivery_success,
            _ => {
                if raw.starts_with('{') {
                    self.objects.push((key, raw));
                }
                return;
            }
        };
        *slot = Some(raw);
    }
}

/// A key, borrowed when possible.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for ItemHead<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct HeadVisitor;
        impl<'de> Visitor<'de> for HeadVisitor {
            type Value = ItemHead<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an evidence-metadata item (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemHead<'de>, A::Error> {
                let mut head = ItemHead { is_object: true, ..ItemHead::default() };
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    let raw: &'de RawValue = map.next_value()?;
                    head.add(key, raw.get());
                }
                Ok(head)
            }
            // Anything else is kept as a non-object so the loader can say which item is wrong.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ItemHead<'de>, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(ItemHead::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<ItemHead<'de>, E> {
                Ok(ItemHead::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<ItemHead<'de>, E> {
                Ok(ItemHead::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<ItemHead<'de>, E> {
                Ok(ItemHead::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<ItemHead<'de>, E> {
                Ok(ItemHead::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<ItemHead<'de>, E> {
                Ok(ItemHead::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<ItemHead<'de>, E> {
                Ok(ItemHead::default())
            }
        }
        d.deserialize_any(HeadVisitor)
    }
}

/// A top-level JSON document: its `items` (if a store), its `schema_version`, and every other key raw.
#[derive(Debug, Default)]
pub struct TopDoc<'a> {
    pub is_object: bool,
    pub items: Option<Vec<ItemHead<'a>>>,
    /// `items` was present but not an array.
    pub items_wrong_type: Option<&'static str>,
    pub fields: Vec<(Cow<'a, str>, &'a str)>,
    /// Every reference key's value, noted when the fast scanner read the document (`None` from serde_json):
    /// see [`super::refscan::Noted`].
    pub(crate) ref_notes: Option<super::refscan::Noted>,
}

impl<'a> TopDoc<'a> {
    pub fn field(&self, key: &str) -> Option<&'a str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// `items`: an array of heads, or a note of what it was instead.
enum Items<'a> {
    Array(Vec<ItemHead<'a>>),
    Wrong(&'static str),
}

impl<'de> Deserialize<'de> for Items<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ItemsVisitor;
        impl<'de> Visitor<'de> for ItemsVisitor {
            type Value = Items<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of items")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items<'de>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(64));
                while let Some(item) = seq.next_element::<ItemHead<'de>>()? {
                    out.push(item);
                }
                Ok(Items::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items<'de>, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Items::Wrong("an object"))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Items<'de>, E> {
                Ok(Items::Wrong("a string"))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Items<'de>, E> {
                Ok(Items::Wrong("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Items<'de>, E> {
                Ok(Items::Wrong("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Items<'de>, E> {
                Ok(Items::Wrong("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Items<'de>, E> {
                Ok(Items::Wrong("a number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Items<'de>, E> {
                Ok(Items::Wrong("null"))
            }
        }
        d.deserialize_any(ItemsVisitor)
    }
}

impl<'de> Deserialize<'de> for TopDoc<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> Visitor<'de> for TopVisitor {
            type Value = TopDoc<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON document")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopDoc<'de>, A::Error> {
                let mut doc = TopDoc { is_object: true, ..TopDoc::default() };
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    if key == "items" && doc.items.is_none() && doc.items_wrong_type.is_none() {
                        match map.next_value::<Items<'de>>()? {
                            Items::Array(items) => doc.items = Some(items),
                            Items::Wrong(what) => doc.items_wrong_type = Some(what),
                        }
                    } else {
                        let raw: &'de RawValue = map.next_value()?;
                        doc.fields.push((key, raw.get()));
                    }
                }
                Ok(doc)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopDoc<'de>, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(TopDoc::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<TopDoc<'de>, E> {
                Ok(TopDoc::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<TopDoc<'de>, E> {
                Ok(TopDoc::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<TopDoc<'de>, E> {
                Ok(TopDoc::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<TopDoc<'de>, E> {
                Ok(TopDoc::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<TopDoc<'de>, E> {
                Ok(TopDoc::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<TopDoc<'de>, E> {
                Ok(TopDoc::default())
            }
        }
        d.deserialize_any(TopVisitor)
    }
}

/// What a repeated key's error message starts with (serde_json places the error just past the repeated key;
/// [`super::error::describe_json_error_in`] turns that into the key's own line and column).
pub(crate) const DUPLICATE_KEY: &str = "duplicate key ";
/// What the error for nesting past [`super::load::MAX_DEPTH`] says.
pub(crate) const TOO_DEEP: &str = "nested too deeply";

/// Validate a whole JSON document as serde_json reads it, and refuse a key repeated in any object at any depth
/// and nesting deeper than [`super::load::MAX_DEPTH`]. The slow path of the first parse (the fast scanner
/// refuses the same documents), and for documents read no other way (SQLite payloads, review records).
pub(crate) fn check_unique(text: &str) -> Result<(), serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    // The depth is bounded here, by `Unique` itself (serde_json's own limit is one level shallower than the
    // one the fast path and CAVRA's documents keep to).
    de.disable_recursion_limit();
    Unique { depth: 0 }.deserialize(&mut de)?;
    de.end()
}

/// The key serde_json's `arbitrary_precision` feature wraps numbers in.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// One JSON value at `depth` containers deep, validated (see [`check_unique`]).
#[derive(Clone, Copy)]
struct Unique {
    depth: usize,
}

impl<'de> de::DeserializeSeed<'de> for Unique {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Unique {
    fn inner<E: de::Error>(self) -> Result<Unique, E> {
        if self.depth >= super::load::MAX_DEPTH {
            return Err(E::custom(TOO_DEEP));
        }
        Ok(Unique { depth: self.depth + 1 })
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(Key(first)) = map.next_key::<Key<'de>>()? else {
            self.inner::<A::Error>()?;
            return Ok(());
        };
        // A number: `arbitrary_precision` hands numbers to visitors as a one-entry map under this key. (An object
        // that really has the key and more is checked as any other, from its second key on.)
        let number = first == NUMBER_TOKEN;
        let mut inner = Unique { depth: self.depth + 1 };
        if !number {
            inner = self.inner()?;
        }
        // Small objects: compare with each key seen; large ones: a hash set.
        let mut few: Vec<Cow<'de, str>> = vec![first];
        let mut many: Option<foldhash::HashSet<Cow<'de, str>>> = None;
        map.next_value_seed(inner)?;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if number && few.len() == 1 {
                self.inner::<A::Error>()?;
            }
            let repeated = match many.as_mut() {
                Some(set) => set.contains(&key),
                None => few.contains(&key),
            };
            if repeated {
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE_KEY}{:?}",
                    crate::text::Text::new(key.as_ref()).shown()
                )));
            }
            match many.as_mut() {
                Some(set) => {
                    set.insert(key);
                }
                None if few.len() < super::fastparse::LINEAR_KEYS => few.push(key),
                None => {
                    let mut set: foldhash::HashSet<Cow<'de, str>> = few.drain(..).collect();
                    set.insert(key);
                    many = Some(set);
                }
            }
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.inner()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Recover an object's full span from the spans of its first and last values: step back over the first key
/// to the opening brace and forward from the last value to the closing brace.
pub fn object_span(base: &[u8], first: &str, last: &str) -> Option<Range<usize>> {
    let first_start = span_of(base, first).start;
    let last_end = span_of(base, last).end;
    let mut i = first_start;
    // back over whitespace, ':' and whitespace
    i = skip_ws_back(base, i);
    if i == 0 || base[i - 1] != b':' {
        return None;
    }
    i = skip_ws_back(base, i - 1);
    if i == 0 || base[i - 1] != b'"' {
        return None;
    }
    i -= 1; // at the closing quote of the key
    loop {
        let q = memchr::memrchr(b'"', &base[..i])?;
        let mut backslashes = 0;
        while q > backslashes && base[q - 1 - backslashes] == b'\\' {
            backslashes += 1;
        }
        i = q;
        if backslashes % 2 == 0 {
            break;
        }
    }
    let open = skip_ws_back(base, i);
    if open == 0 || base[open - 1] != b'{' {
        return None;
    }
    let mut end = last_end;
    while end < base.len() && base[end].is_ascii_whitespace() {
        end += 1;
    }
    if end >= base.len() || base[end] != b'}' {
        return None;
    }
    Some(open - 1..end + 1)
}

fn skip_ws_back(base: &[u8], mut i: usize) -> usize {
    while i > 0 && base[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_items_keep_spans_and_heads() {
        let src = br#"{"items": [ {"a": 1, "final_x": {"k": "v"}, "metadata_kind": "mk", "session_id": "s\"1", "created_at": "t"} , {"z": [1]} ], "extra": true}"#;
        let doc: TopDoc = serde_json::from_slice(src).unwrap();
        let items = doc.items.as_ref().unwrap();
        assert_eq!(items.len(), 2);
        let it = &items[0];
        assert_eq!(ItemHead::str_field(it.metadata_kind).unwrap(), "mk");
        assert_eq!(ItemHead::str_field(it.session_id).unwrap(), "s\"1");
        assert_eq!(it.objects.len(), 1);
        let span = span_of(src, it.objects[0].1);
        assert_eq!(&src[span], br#"{"k": "v"}"#);
        let whole = object_span(src, it.first.unwrap(), it.last.unwrap()).unwrap();
        let text = std::str::from_utf8(&src[whole]).unwrap();
        assert!(text.starts_with("{\"a\": 1") && text.ends_with("\"t\"}"), "{text}");
        assert!(doc.field("extra").is_some());
    }

    #[test]
    fn object_span_handles_escaped_quotes_in_first_key() {
        let src = br#"[{ "a\"b" : 1, "c": 2 }]"#;
        let items: Vec<ItemHead> = serde_json::from_slice(src).unwrap();
        let span = object_span(src, items[0].first.unwrap(), items[0].last.unwrap()).unwrap();
        assert_eq!(&src[span], br#"{ "a\"b" : 1, "c": 2 }"#);
    }

    #[test]
    fn items_of_wrong_type_are_reported_not_panicked() {
        let doc: TopDoc = serde_json::from_slice(br#"{"items": 5}"#).unwrap();
        assert_eq!(doc.items_wrong_type, Some("a number"));
        let doc: TopDoc = serde_json::from_slice(br#"{"items": [3, "x"]}"#).unwrap();
        assert!(doc.items.unwrap().iter().all(|i| !i.is_object));
    }
}
