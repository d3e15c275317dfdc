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
    /// Object-valued fields: the artifact is one of them (chosen by kind).
    pub objects: Vec<(Cow<'a, str>, &'a str)>,
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
