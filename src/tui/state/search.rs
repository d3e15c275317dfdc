//! Search over the text of every field of every artifact: ids, kinds, states, times, releases, and each
//! field's key and value, as closeout shows them. The index holds the shown text only (a redaction is its
//! marker, a secret id its fingerprint), so a redacted value can never match its secret.
//!
//! [`SearchIndex::build`] decodes every artifact once (off the draw thread for large evidence); a query is
//! then one substring scan of the lowercased index ([`SearchIndex::find`]), each node counted once.

use std::sync::Arc;

use crate::evidence::{EValue, Evidence, Generation};

use super::tree::state_text;

/// Evidence up to this many nodes is indexed at once, inside update; larger evidence on a worker.
pub const INLINE_INDEX_MAX: usize = 5_000;

/// The lowercased shown text of every node, one after another.
#[derive(Debug)]
pub struct SearchIndex {
    pub generation: Generation,
    text: String,
    /// Byte offset where each node's text starts (and, last, the end).
    starts: Vec<usize>,
}

fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| b.to_ascii_lowercase() as char));
    } else {
        out.push_str(&s.to_lowercase());
    }
}

fn push_value(out: &mut String, v: &EValue) {
    match v {
        EValue::Object(entries) => {
            for (k, child) in entries {
                out.push('\n');
                push_lower(out, &k.shown());
                out.push_str(": ");
                push_value(out, child);
            }
        }
        EValue::Array(items) => {
            for item in items {
                out.push('\n');
                push_value(out, item);
            }
        }
        EValue::String(t) => push_lower(out, &t.shown()),
        EValue::Redacted(r) => push_lower(out, &r.to_string()),
        other => push_lower(out, &other.scalar_text()),
    }
}

impl SearchIndex {
    /// Index every node of the evidence (decodes every artifact, spread over the cores).
    pub fn build(ev: &Evidence) -> SearchIndex {
        let all: Vec<usize> = (0..ev.nodes.len()).collect();
        ev.decode_all(&all);
        let parts = ev.spread_range(ev.nodes.len(), |chunk| {
            let mut text = String::new();
            let mut starts = Vec::with_capacity(chunk.len());
            for i in chunk {
                starts.push(text.len());
                let n = &ev.nodes[i];
                text.push('\0');
                push_lower(&mut text, &n.id.shown());
                text.push('\n');
                push_lower(&mut text, n.kind.name());
                if let Some(s) = state_text(ev, i) {
                    text.push('\n');
                    push_lower(&mut text, &crate::sanitize::clean(&s));
                }
                for t in [n.created_at.as_ref(), n.release_ref.as_deref()].into_iter().flatten() {
                    text.push('\n');
                    push_lower(&mut text, &t.shown());
                }
                if let Ok(a) = ev.artifact(i) {
                    push_value(&mut text, &a.fields);
                }
            }
            (text, starts)
        });
        let mut text = String::with_capacity(parts.iter().map(|p| p.0.len()).sum());
        let mut starts = Vec::with_capacity(ev.nodes.len() + 1);
        for (t, s) in parts {
            let base = text.len();
            starts.extend(s.into_iter().map(|x| x + base));
            text.push_str(&t);
        }
        starts.push(text.len());
        SearchIndex { generation: ev.generation, text, starts }
    }

    /// Nodes whose text contains `query` (any case), in node order, each once.
    pub fn find(&self, query: &str) -> Vec<usize> {
        let mut needle = String::new();
        push_lower(&mut needle, query);
        if needle.is_empty() {
            return Vec::new();
        }
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let hay = self.text.as_bytes();
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < hay.len() {
            let Some(h) = finder.find(&hay[pos..]) else { break };
            let at = pos + h;
            let node = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
            out.push(node);
            pos = self.starts.get(node + 1).copied().unwrap_or(hay.len());
        }
        out
    }

    /// Bytes the index holds.
    pub fn size(&self) -> usize {
        self.text.len()
    }
}

/// The search in force.
#[derive(Debug, Clone, Default)]
pub struct SearchState {
    /// The query as typed (empty: no search).
    pub query: String,
    pub index: Option<Arc<SearchIndex>>,
    /// Matching nodes, in tree order.
    pub matches: Vec<usize>,
    /// The match the cursor is on (an index into `matches`).
    pub at: Option<usize>,
    /// The index is being built; the query runs when it arrives.
    pub waiting: bool,
}

impl SearchState {
    pub fn active(&self) -> bool {
        !self.query.is_empty()
    }

    /// The lowercased query, for highlights.
    pub fn needle(&self) -> String {
        let mut s = String::new();
        push_lower(&mut s, &self.query);
        s
    }

    pub fn clear(&mut self) {
        self.query.clear();
        self.matches.clear();
        self.at = None;
        self.waiting = false;
    }

    /// Drop an index of another evidence generation.
    pub fn forget_other(&mut self, generation: Generation) {
        if self.index.as_ref().is_some_and(|i| i.generation != generation) {
            self.index = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::LoadOptions;

    #[test]
    fn every_field_is_searched_and_each_node_counts_once() {
        let ev = crate::samples::load("accepted-risk-store", &LoadOptions::default()).unwrap();
        let idx = SearchIndex::build(&ev);
        // A value deep inside one artifact (the failed delivery's HTTP status).
        let hits = idx.find("HTTP request failed");
        assert!(!hits.is_empty());
        for &n in &hits {
            let a = ev.artifact(n).unwrap();
            let json = serde_json::to_string(&a.fields).unwrap().to_lowercase();
            assert!(json.contains("http request failed"), "{json}");
        }
        let mut dedup = hits.clone();
        dedup.dedup();
        assert_eq!(dedup, hits, "each node once");
        assert!(idx.find("zzzz-not-there").is_empty());
        assert!(idx.find("").is_empty());
    }

    #[test]
    fn a_redacted_secret_never_matches_but_its_marker_does() {
        let raw =
            String::from_utf8_lossy(crate::samples::bytes(&crate::samples::get("leaked-connector-secret").unwrap()))
                .into_owned();
        let secrets = ["synthetic-token-0000", "SYNTHETICnotAreal"];
        for s in secrets {
            assert!(raw.contains(s), "the sample holds {s}");
        }
        let ev = crate::samples::load("leaked-connector-secret", &LoadOptions::default()).unwrap();
        let idx = SearchIndex::build(&ev);
        for s in secrets {
            assert!(idx.find(s).is_empty(), "{s:?} matched");
        }
        assert!(!idx.find("«redacted").is_empty());
    }
}
