//! The evidence graph: every artifact loaded from CAVRA evidence, with where it came from, the id
//! references between artifacts, and the secrets found (already redacted).
//!
//! Loading reads each file once and decodes only what evaluation needs to choose artifacts (kind, id, time,
//! release). Artifacts are decoded, redacted and hash-checked on first use ([`Evidence::artifact`]), so a large
//! store opens fast and the rest stays addressable for the detail view.

pub mod canonical;
pub mod error;
mod fastparse;
pub mod kinds;
mod load;
pub mod parse;
mod read;
pub(crate) mod refscan;
mod scan;
pub mod secrets;
pub mod value;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};

pub(crate) use read::InputDigest;
use serde::Serialize;

pub use error::LoadError;
pub use kinds::Kind;
pub use load::{LoadOptions, MAX_FILE_BYTES, hash_file, load_bytes, load_path};
pub use secrets::SecretKind;
pub use value::Redacted;

/// The fast head scanner against serde_json on one document (tests and [`crate::conformance`]).
#[doc(hidden)]
pub fn fastparse_agrees(text: &str) -> bool {
    fastparse::agree(text)
}

/// The fast head scanner alone on one document: whether it took it (benchmarks).
#[doc(hidden)]
pub fn fastparse_takes(text: &str) -> bool {
    fastparse::top_doc(text).is_some()
}
pub use value::{Boundary, EValue, RedactedBy};

/// Which of CAVRA's two data models the evidence is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// The hand-written trial package, `cavra.final_closeout_trial.v1`.
    TrialPackage,
    /// Real runtime artifacts, from an evidence-metadata store, bare artifacts or API responses.
    Runtime,
}

/// How a file was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    TrialPackage,
    MetadataStoreJson,
    MetadataStoreSqlite,
    MetadataItem,
    Artifact,
    ApiResponse,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::TrialPackage => "trial package",
            Format::MetadataStoreJson => "evidence-metadata store (JSON)",
            Format::MetadataStoreSqlite => "evidence-metadata store (SQLite)",
            Format::MetadataItem => "evidence-metadata item",
            Format::Artifact => "artifact",
            Format::ApiResponse => "API response",
        }
    }
}

/// Nodes by id (hashed with [`seeded`]).
///
/// The index holds node numbers only, hashed by the id they have: the ids themselves stay in the nodes (a copy
/// of each as a key was most of the index's memory).
#[derive(Debug, Default)]
pub(crate) struct IdIndex {
    /// Per id: its node number, or (with [`MANY`] set) the place of its list of nodes in `many`.
    table: hashbrown::HashTable<usize>,
    /// The nodes of ids more than one node has (rare: versions of one artifact, one id in two inputs).
    many: Vec<Vec<usize>>,
}

/// Marks an entry of [`IdIndex::table`] that is a place in `many`, not a node number.
const MANY: usize = 1 << (usize::BITS - 1);

fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    seeded().hash_one(id)
}

/// The hasher of the tables that hold text from evidence (ids, keys, reference targets): foldhash, fast on
/// short keys, with a seed drawn once per process. A fixed seed would let a file be written whose ids all
/// collide, turning each table into a list searched from the start on every insert (quadratic time); nothing
/// that is shown or written depends on the seed, as no such table is iterated into output.
pub(crate) fn seeded() -> &'static foldhash::fast::RandomState {
    static SEED: std::sync::LazyLock<foldhash::fast::RandomState> = std::sync::LazyLock::new(Default::default);
    &SEED
}

impl IdIndex {
    /// Index every node by its id.
    pub(crate) fn build(nodes: &[Node]) -> IdIndex {
        let mut table = hashbrown::HashTable::with_capacity(nodes.len());
        let mut many: Vec<Vec<usize>> = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            let id = n.id.raw();
            let first = |many: &[Vec<usize>], e: usize| if e & MANY == 0 { e } else { many[e & !MANY][0] };
            let entry = table.entry(
                id_hash(id),
                |&e: &usize| nodes[first(&many, e)].id.raw() == id,
                |&e: &usize| id_hash(nodes[first(&many, e)].id.raw()),
            );
            match entry {
                hashbrown::hash_table::Entry::Occupied(mut e) => {
                    let v = *e.get();
                    if v & MANY == 0 {
                        *e.get_mut() = MANY | many.len();
                        many.push(vec![v, i]);
                    } else {
                        many[v & !MANY].push(i);
                    }
                }
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
        IdIndex { table, many }
    }

    /// The nodes of `id`, in node order.
    fn get<'a>(&'a self, nodes: &[Node], id: &str) -> Option<&'a [usize]> {
        let first = |&e: &usize| if e & MANY == 0 { e } else { self.many[e & !MANY][0] };
        let e = self.table.find(id_hash(id), |e| nodes.get(first(e)).is_some_and(|n| n.id.raw() == id))?;
        Some(if e & MANY == 0 { std::slice::from_ref(e) } else { &self.many[e & !MANY] })
    }
}

/// One file that was read.
#[derive(Debug)]
pub struct Input {
    /// The path as shown to people.
    pub path: String,
    pub format: Format,
    /// SHA-256 of the file's bytes, computed on a background thread from load time (see [`Input::sha256`]).
    pub(crate) sha: InputDigest,
    pub size: u64,
    /// The JSON text: the file itself, or for SQLite every row's payload one after another.
    pub(crate) bytes: read::Bytes,
    /// Regions that the secret scan treats as one unit (store items, row payloads, whole documents).
    pub(crate) units: Vec<Unit>,
    /// Offsets of strings the secret scan flagged (see `scan::flag`).
    pub(crate) flags: Vec<usize>,
    /// Every reference key's value, noted when the fast scanner read the file: reference targets are then
    /// taken from there ([`refscan::Noted`]) instead of by a pass over every byte.
    pub(crate) ref_notes: Option<refscan::Noted>,
}

impl Input {
    /// SHA-256 of the file's bytes (waits for the background hash the first time it is asked for).
    pub fn sha256(&self) -> &str {
        self.sha.get()
    }
}

/// A byte range of an input, in half the room of a `Range<usize>` (a store of tiny items holds one per item,
/// twice): inputs are at most [`load::MAX_FILE_BYTES`], well under 4 GiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

const _: () = assert!(load::MAX_FILE_BYTES < u32::MAX as u64);

impl Span {
    pub(crate) fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
    pub(crate) fn end(self) -> usize {
        self.end as usize
    }
    pub(crate) fn contains(self, at: usize) -> bool {
        self.range().contains(&at)
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        // Offsets into an input, which is never 4 GiB (see above).
        let at = |x: usize| u32::try_from(x).expect("inputs are smaller than 4 GiB");
        Span { start: at(r.start), end: at(r.end) }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub span: Span,
    /// The store item the unit is (its JSON pointer is "/items/3"), or `None` for a whole document or row
    /// payload (pointer ""): a number, not a pointer's text, as a store of tiny items holds one unit per item.
    pub item: Option<u32>,
    /// SQLite row (session_id) holding the unit.
    pub row: Option<Box<str>>,
}

impl Unit {
    /// JSON pointer of the unit in its document ("/items/3", or "" for a whole document / row payload).
    pub fn pointer(&self) -> String {
        self.item.map(|i| format!("/items/{i}")).unwrap_or_default()
    }
}

/// One artifact.
#[derive(Debug)]
pub struct Node {
    pub kind: Kind,
    /// The artifact's id: untrusted text, shown sanitised (and redacted with a fingerprint if it is a secret).
    pub id: crate::text::Text,
    /// The time CAVRA stamped (`created_at`, or the artifact's own `generated_at` & co.).
    pub created_at: Option<crate::text::Text>,
    pub created: Option<DateTime<Utc>>,
    /// The release it belongs to (shared by the nodes of one release).
    pub release_ref: Option<Arc<crate::text::Text>>,
    pub input: u32,
    /// SQLite row (session_id) the artifact was read from.
    pub row: Option<Box<str>>,
    /// JSON pointer of the artifact in its document.
    pub pointer: compact_str::CompactString,
    pub(crate) span: Span,
    /// The metadata wrapper's span, when the artifact was embedded in one (its denormalised link fields).
    pub(crate) wrapper: Option<Span>,
    /// Index of the scan unit (store item, row, document) holding the artifact.
    pub(crate) unit: u32,
    /// Connector deliveries: the wrapper's `delivery_success`.
    pub delivery_success: Option<bool>,
    /// Newest of its kind (within the release scope), as CAVRA picks.
    pub latest: bool,
    artifact: OnceLock<Result<Arc<Artifact>, Arc<LoadError>>>,
}

impl Node {
    pub(crate) fn new(
        kind: Kind,
        id: String,
        input: usize,
        pointer: impl Into<compact_str::CompactString>,
        span: Range<usize>,
    ) -> Node {
        Node {
            kind,
            id: crate::text::Text::new(id),
            created_at: None,
            created: None,
            release_ref: None,
            input: u32::try_from(input).expect("fewer than 4 billion inputs"),
            row: None,
            pointer: pointer.into(),
            span: span.into(),
            wrapper: None,
            unit: 0,
            delivery_success: None,
            latest: false,
            artifact: OnceLock::new(),
        }
    }

    /// "/items/3/final_reporting_…" or "row 'id' /final_reporting_…" (sanitised), within its input.
    pub fn location_in_input(&self) -> String {
        match &self.row {
            Some(row) => format!("row '{}' {}", crate::sanitize::clean(row), self.pointer),
            None => self.pointer.to_string(),
        }
    }

    /// "file.json /items/3/final_reporting_…" or "file.sqlite row 'id' /final_reporting_…".
    pub fn location(&self, evidence: &Evidence) -> String {
        let path = &evidence.inputs[self.input as usize].path;
        match &self.row {
            Some(row) => format!("{path} row '{row}' {}", self.pointer),
            None => format!("{path} {}", self.pointer),
        }
    }
}

/// An artifact decoded on demand: its fields (secrets redacted), references and hash checks.
#[derive(Debug)]
pub struct Artifact {
    pub fields: EValue,
    pub refs: Vec<Reference>,
    pub hashes: Vec<HashCheck>,
    /// SHA-256 of the artifact's canonical JSON (Python `json.dumps(sort_keys=True)`), as review records pin it.
    pub digest: String,
}

impl Artifact {
    /// A string field, as untrusted text.
    pub fn text(&self, key: &str) -> Option<&crate::text::Text> {
        self.fields.get(key).and_then(EValue::as_text)
    }
    pub fn get(&self, key: &str) -> Option<&EValue> {
        self.fields.get(key)
    }
}

/// A reference from one artifact's field to another artifact's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// JSON pointer of the field, relative to the artifact.
    pub field: String,
    pub target: String,
}

/// The outcome of checking one file hash of an artifact bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HashStatus {
    Verified,
    Mismatch,
    NotVerifiable,
    Missing,
}

impl HashStatus {
    pub fn label(self) -> &'static str {
        match self {
            HashStatus::Verified => "verified",
            HashStatus::Mismatch => "MISMATCH",
            HashStatus::NotVerifiable => "not verifiable",
            HashStatus::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HashCheck {
    pub file: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub status: HashStatus,
    pub note: String,
}

/// A secret found in the evidence: what kind, who redacted it, and where. Never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    pub kind: SecretKind,
    pub by: RedactedBy,
    #[serde(skip)]
    pub input: usize,
    pub location: String,
    #[serde(skip)]
    pub node: Option<usize>,
}

/// Everything loaded, as one graph.
#[derive(Debug)]
pub struct Evidence {
    /// Scenario name or release id, for headers (untrusted text).
    pub label: crate::text::Text,
    /// Where it came from, for headers ("path" or "embedded sample: name"): a path is untrusted text too.
    pub source: crate::text::Text,
    pub edition: Option<crate::text::Text>,
    pub model: Model,
    pub inputs: Vec<Input>,
    pub nodes: Vec<Node>,
    by_id: IdIndex,
    /// `metadata_kind`s closeout does not know, with how many items each.
    pub unknown_kinds: BTreeMap<String, usize>,
    pub redactions: Vec<Redaction>,
    /// Files in a directory that were not evidence, and why.
    pub skipped: Vec<(String, String)>,
    /// `closeout.review.v1` records a directory held (recognised, not evidence: the explorer loads them).
    pub review_records: Vec<PathBuf>,
    /// Duplicate artifacts dropped (same kind, id and time in two places).
    pub duplicates: usize,
    pub release: Option<String>,
    /// An embedded sample's own evaluation time, used when none is given; `None` for evidence read from disk,
    /// which is evaluated as of now.
    pub default_as_of: Option<DateTime<Utc>>,
    /// Directory the evidence was loaded from: files an artifact bundle names are looked for only here.
    pub(crate) root: Option<PathBuf>,
    /// Bytes hashed so far verifying artifact bundles (for progress displays).
    pub hashed_bytes: std::sync::atomic::AtomicU64,
    /// Which load this is: every load gets a new one, so a result computed on older evidence is recognised.
    pub generation: Generation,
    /// Every distinct id an artifact names under a reference key (read from the raw JSON once, at load, so
    /// evaluation only judges them; [`Evidence::nodes_naming`] finds the nodes behind one). See
    /// [`Evidence::ref_targets`].
    pub(crate) ref_targets: RefTargets,
    /// The hash checks of each artifact bundle (by node), computed once when first asked for.
    bundle_hashes: foldhash::HashMap<usize, OnceLock<Box<[HashCheck]>>>,
    /// The chain of `release` (the load's `--release`, else the newest closeout summary's), built while the
    /// load's last steps ran on the other cores ([`LoadOptions::prepare_chain`]); `None` when not built or
    /// when building it failed (an evaluation then builds it again and reports why).
    pub(crate) prepared_chain: Option<std::sync::Arc<crate::model::Chain>>,
}

/// What the evidence holds of a reference target's id, found when the targets are read at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// No node has it as its id.
    Nothing,
    /// One node has it.
    One(usize),
    /// Several nodes (or not recorded): look it up by its text.
    Several,
}

impl Held {
    const NOTHING: u32 = u32::MAX;
    const SEVERAL: u32 = u32::MAX - 1;
    /// Not packed from any list: a place for "not looked up yet" beside the packed values.
    const UNSEEN: u32 = u32::MAX - 2;

    fn pack(nodes: &[usize]) -> u32 {
        match nodes {
            [] => Self::NOTHING,
            [n] if *n < Self::UNSEEN as usize => *n as u32,
            _ => Self::SEVERAL,
        }
    }

    fn unpack(v: u32) -> Held {
        match v {
            Self::NOTHING => Held::Nothing,
            Self::SEVERAL => Held::Several,
            n => Held::One(n as usize),
        }
    }
}

/// Ids searched for as quoted JSON strings in nodes' raw text ([`Evidence::mentions`]), each search built
/// once for every node it is run over.
pub(crate) struct Mentions {
    quoted: Vec<memchr::memmem::Finder<'static>>,
    /// `\u`, the escape that could spell an id differently.
    escape: memchr::memmem::Finder<'static>,
    /// An id is empty or has characters JSON might escape: every node may mention it.
    always: bool,
}

impl Mentions {
    pub(crate) fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> Mentions {
        let mut m = Mentions { quoted: Vec::new(), escape: memchr::memmem::Finder::new(b"\\u"), always: false };
        for id in ids {
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)) {
                m.always = true;
                continue;
            }
            let quoted = [b"\"", id.as_bytes(), b"\""].concat();
            m.quoted.push(memchr::memmem::Finder::new(&quoted).into_owned());
        }
        m
    }
}

/// The distinct reference targets of the evidence: where each is in an input (input, offset, length), those
/// decoded from escapes, and the nodes behind each target the evidence holds nothing of.
#[derive(Debug, Default)]
pub(crate) struct RefTargets {
    places: Vec<(u32, u32, u32, u32)>,
    decoded: Vec<Box<str>>,
    /// The targets no node has as its id, with the nodes naming each.
    missing: Vec<(Box<str>, Vec<u32>)>,
}

impl RefTargets {
    fn place<'e>(&self, ev: &'e Evidence, (input, at, len, _): (u32, u32, u32, u32)) -> &'e str {
        let bytes = &ev.inputs[input as usize].bytes;
        std::str::from_utf8(&bytes[at as usize..(at + len) as usize]).unwrap_or_default()
    }
}

/// The identity of one load of the evidence. A node index, a report or a health run only means something
/// with the evidence of its generation; results of an older generation are dropped, never paired with newer
/// evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Generation(pub u64);

impl Generation {
    /// A generation no load has had yet.
    pub fn next() -> Generation {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Generation(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Evidence {
    /// Every reference target in a node's raw JSON (without decoding it), excluding its own id.
    pub(crate) fn raw_ref_targets<'a>(&'a self, node: usize, mut f: impl FnMut(std::borrow::Cow<'a, str>)) {
        let n = &self.nodes[node];
        let input = &self.inputs[n.input as usize];
        let Some(bytes) = input.bytes.get(n.span.range()) else { return };
        let mut each = |t: std::borrow::Cow<'a, str>| {
            if *t != *n.id.raw() {
                f(t)
            }
        };
        match &input.ref_notes {
            Some(notes) => notes.each_in(&input.bytes, n.span.range(), each),
            None => refscan::each(bytes, |_, t| each(t)),
        }
    }

    /// Every distinct reference target of every node (one pass, on every core). The targets are kept as
    /// places in the input (a store names tens of thousands; a copy of each would be most of the memory this
    /// adds), and only a target the evidence holds nothing of keeps the nodes naming it: only such a target
    /// can be dangling ([`Evidence::nodes_naming`]).
    pub(crate) fn collect_ref_targets<'s>(&'s self) -> RefTargets {
        const UNSEEN: u32 = Held::UNSEEN;
        type Missing<'a> = foldhash::HashMap<std::borrow::Cow<'a, str>, Vec<u32>>;
        // A place is (input, offset, length, held): the table of places seen holds no text of its own, and
        // hashes and compares the text at the place.
        let text = |&(input, at, len, _): &(u32, u32, u32, u32)| -> &[u8] {
            &self.inputs[input as usize].bytes[at as usize..(at + len) as usize]
        };
        let hash = refscan::target_hash;
        // Per part: the places of the targets read as they are, those decoded from escapes, and the missing.
        let parts = self.spread_range(self.nodes.len(), |nodes| {
            let mut seen = hashbrown::HashTable::<(u32, u32, u32, u32)>::new();
            let mut decoded = foldhash::HashSet::<String>::default();
            let mut missing = Missing::default();
            // A target as text, from node `n` of `input`, with its hash when the scan noted it.
            let mut read = |n: usize, input: u32, t: std::borrow::Cow<'s, str>, noted: Option<u64>| {
                let b = match &t {
                    std::borrow::Cow::Borrowed(b) => b.as_bytes(),
                    std::borrow::Cow::Owned(o) => {
                        // Decoded targets are judged by their text.
                        if !decoded.contains(o) && decoded.insert(o.clone()) && self.find(o).is_empty() {
                            missing.entry(t).or_default().push(n as u32);
                        }
                        return UNSEEN;
                    }
                };
                let h = noted.unwrap_or_else(|| hash(b));
                match seen.find(h, |p| text(p) == b) {
                    None => {
                        // Borrowed from the node's input, so inside it.
                        let base = self.inputs[input as usize].bytes.as_ptr() as usize;
                        let at = (b.as_ptr() as usize - base) as u32;
                        let held = Held::pack(self.find(&t));
                        seen.insert_unique(h, (input, at, b.len() as u32, held), |p| hash(text(p)));
                        if held == Held::NOTHING {
                            missing.entry(t).or_default().push(n as u32);
                        }
                        held
                    }
                    Some(&(.., held)) => {
                        if held == Held::NOTHING
                            && let Some(v) = missing.get_mut(t.as_ref())
                            && v.last() != Some(&(n as u32))
                        {
                            v.push(n as u32);
                        }
                        held
                    }
                }
            };
            // Per input the fast scanner noted: what this part found each of its distinct targets to be.
            let mut found: Vec<Vec<u32>> = (self.inputs.iter())
                .map(|i| i.ref_notes.as_ref().map_or_else(Vec::new, |r| vec![UNSEEN; r.distinct.len()]))
                .collect();
            // Per input, where the last node's noted targets started (nodes come in input order).
            let mut hints = vec![0usize; self.inputs.len()];
            for n in nodes {
                let node = &self.nodes[n];
                let input = &self.inputs[node.input as usize];
                let Some(notes) = &input.ref_notes else {
                    self.raw_ref_targets(n, |t| {
                        read(n, node.input, t, None);
                    });
                    continue;
                };
                let id = node.id.raw();
                let id_hash = hash(id.as_bytes());
                let found = &mut found[node.input as usize];
                let hint = &mut hints[node.input as usize];
                notes.each_named(&input.bytes, node.span.range(), hint, |named| match named {
                    refscan::Named::Read(t) => {
                        if *t != *id {
                            read(n, node.input, t, None);
                        }
                    }
                    refscan::Named::Distinct(t) => {
                        let d = notes.distinct[t as usize];
                        // Its own id is no reference (judged by hash and length before the text).
                        let text = || notes.text(&input.bytes, t);
                        if d.hash == id_hash && d.len as usize == id.len() && text() == id {
                            return;
                        }
                        // Seen before in this part: only a target the evidence lacks needs this node.
                        match found[t as usize] {
                            UNSEEN => {
                                found[t as usize] =
                                    read(n, node.input, std::borrow::Cow::Borrowed(text()), Some(d.hash))
                            }
                            Held::NOTHING => {
                                read(n, node.input, std::borrow::Cow::Borrowed(text()), Some(d.hash));
                            }
                            _ => {}
                        }
                    }
                });
            }
            (seen, decoded, missing)
        });
        let mut parts = parts.into_iter();
        let (mut seen, mut decoded, mut missing) = parts.next().unwrap_or_default();
        for (s, d, m) in parts {
            for p in s {
                let h = hash(text(&p));
                if seen.find(h, |q| text(q) == text(&p)).is_none() {
                    seen.insert_unique(h, p, |q| hash(text(q)));
                }
            }
            decoded.extend(d);
            for (t, v) in m {
                missing.entry(t).or_default().extend(v);
            }
        }
        // A decoded target equal to one read as it is counts once.
        decoded.retain(|d| seen.find(hash(d.as_bytes()), |q| text(q) == d.as_bytes()).is_none());
        let mut out = RefTargets { places: seen.into_iter().collect(), ..RefTargets::default() };
        out.places.shrink_to_fit();
        out.decoded = decoded.into_iter().map(String::into_boxed_str).collect();
        out.missing = missing
            .into_iter()
            .map(|(t, mut v)| {
                v.sort_unstable();
                v.dedup();
                (Box::from(t.as_ref()), v)
            })
            .collect();
        out
    }

    /// How many distinct reference targets the nodes name (see [`Evidence::collect_ref_targets`]).
    pub(crate) fn ref_target_count(&self) -> usize {
        self.ref_targets.places.len() + self.ref_targets.decoded.len()
    }

    /// What the evidence holds of the `i`th distinct reference target's id.
    pub(crate) fn ref_target_held(&self, i: usize) -> Held {
        self.ref_targets.places.get(i).map_or(Held::Several, |p| Held::unpack(p.3))
    }

    /// The `i`th distinct reference target, `i < ref_target_count()`.
    pub(crate) fn ref_target(&self, i: usize) -> &str {
        let t = &self.ref_targets;
        match t.places.get(i) {
            Some(&p) => t.place(self, p),
            None => t.decoded.get(i - t.places.len()).map_or("", |d| d),
        }
    }

    /// The nodes whose raw JSON names any of `targets` under a reference key, in order. Only targets the
    /// evidence holds nothing of are found (any other is not dangling).
    pub(crate) fn nodes_naming(&self, targets: &foldhash::HashSet<&str>) -> Vec<usize> {
        let mut nodes: Vec<usize> = (self.ref_targets.missing.iter())
            .filter(|(t, _)| targets.contains(&**t))
            .flat_map(|(_, v)| v.iter().map(|&n| n as usize))
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// Run `each` over the numbers `0..len`, in one range per thread on up to four threads, and collect what
    /// each range returns (ranges, not a list of the numbers: a store of a million items would hold one of 8 MB).
    pub(crate) fn spread_range<T: Send>(&self, len: usize, each: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        if len < 256 || threads < 2 {
            return vec![each(0..len)];
        }
        let chunk = len.div_ceil(threads);
        let each = &each;
        std::thread::scope(|s| {
            let handles: Vec<_> =
                (0..len).step_by(chunk).map(|at| s.spawn(move || each(at..(at + chunk).min(len)))).collect();
            handles.into_iter().map(|h| h.join().expect("worker does not panic")).collect()
        })
    }

    /// Nodes whose id is this text.
    pub fn find_text(&self, id: &crate::text::Text) -> &[usize] {
        self.find(id.raw())
    }

    /// Nodes whose id is `id` (several kinds can share one: a closeout summary and its delivery event).
    pub fn find(&self, id: &str) -> &[usize] {
        self.by_id.get(&self.nodes, id).unwrap_or(&[])
    }

    /// The newest node of a kind, as CAVRA picks it.
    pub fn latest(&self, kind: &Kind) -> Option<usize> {
        self.nodes.iter().position(|n| n.latest && &n.kind == kind)
    }

    /// All nodes of a kind, oldest first.
    pub fn all(&self, kind: &Kind) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.nodes.len()).filter(|&i| &self.nodes[i].kind == kind).collect();
        v.sort_by_key(|&i| (self.nodes[i].created, i));
        v
    }

    /// One top-level field of a node's artifact, as raw JSON text, read without decoding the artifact (cheap
    /// for rules that look at one field of many artifacts). `Some(None)`: the field is absent. `None`: not
    /// readable this way; decode the artifact with [`Evidence::artifact`] instead.
    pub(crate) fn raw_field(&self, node: usize, key: &str) -> Option<Option<&str>> {
        let n = &self.nodes[node];
        self.raw_field_in(n.input as usize, n.span.range(), key)
    }

    fn raw_field_in(&self, input: usize, span: Range<usize>, key: &str) -> Option<Option<&str>> {
        // Checked again here (a span is only bytes), with the SIMD validator: rules read fields of thousands
        // of artifacts.
        let text = simdutf8::basic::from_utf8(self.inputs[input].bytes.get(span)?).ok()?;
        fastparse::object_field(text, key)
    }

    /// A top-level string field of a node's artifact, read without decoding the whole artifact when the raw
    /// text allows (absent, null or `""`: None). A field of another type is a load error naming it.
    pub(crate) fn field_text(&self, node: usize, key: &str) -> Result<Option<crate::text::Text>, LoadError> {
        match self.raw_field(node, key) {
            Some(raw) => self.raw_text(node, key, raw),
            None => Ok(self.artifact(node)?.get(key).and_then(crate::model::value_text).filter(|t| !t.is_empty())),
        }
    }

    /// A field of the metadata wrapper around a node's artifact (CAVRA denormalises link fields such as
    /// `summary_id` onto it); the artifact's own field when it has no wrapper or the wrapper lacks it.
    pub(crate) fn wrapper_text(&self, node: usize, key: &str) -> Result<Option<crate::text::Text>, LoadError> {
        let n = &self.nodes[node];
        if let Some(span) = n.wrapper
            && let Some(raw) = self.raw_field_in(n.input as usize, span.range(), key)
            && raw.is_some()
        {
            return self.raw_text(node, key, raw);
        }
        self.field_text(node, key)
    }

    fn raw_text(&self, node: usize, key: &str, raw: Option<&str>) -> Result<Option<crate::text::Text>, LoadError> {
        match raw {
            None | Some("null") => Ok(None),
            Some(r) => match parse::raw_str(r) {
                Some(s) if s.is_empty() => Ok(None),
                Some(s) => Ok(Some(crate::text::Text::new(s.as_ref()))),
                None => {
                    let n = &self.nodes[node];
                    Err(LoadError::new(
                        &self.inputs[n.input as usize].path,
                        format!("{}/{key} must be a string", n.location_in_input()),
                    ))
                }
            },
        }
    }

    /// Whether a node's raw JSON may mention any of the ids of `ids` as a string value: a fast filter before
    /// decoding. False only when it certainly does not: a node whose text holds a `\u` escape (which can spell
    /// any character of an id) may mention anything.
    pub(crate) fn mentions(&self, node: usize, ids: &Mentions) -> bool {
        if ids.always {
            return true;
        }
        let n = &self.nodes[node];
        let Some(hay) = self.inputs[n.input as usize].bytes.get(n.span.range()) else { return true };
        ids.quoted.iter().any(|f| f.find(hay).is_some()) || (!ids.quoted.is_empty() && ids.escape.find(hay).is_some())
    }

    /// True for a CAVRA trial package.
    pub fn is_trial(&self) -> bool {
        self.model == Model::TrialPackage
    }

    /// Decode (once) and return a node's artifact.
    pub fn artifact(&self, node: usize) -> Result<Arc<Artifact>, LoadError> {
        let n = &self.nodes[node];
        match n.artifact.get_or_init(|| load::materialize(self, node).map(Arc::new).map_err(Arc::new)) {
            Ok(a) => Ok(Arc::clone(a)),
            Err(e) => Err(LoadError::clone(e)),
        }
    }

    /// File-hash checks of an artifact bundle (empty for other kinds). Decodes only `files[]`, once; cheaper
    /// than [`Evidence::artifact`] when only hashes are needed.
    pub fn hash_checks(&self, node: usize) -> &[HashCheck] {
        load::node_hashes(self, node)
    }

    /// Check the hashes of every artifact bundle, spread over the machine's cores.
    pub fn verify_all_bundles(&self) {
        let bundles: Vec<usize> = self
            .all(&Kind::ArtifactBundle)
            .into_iter()
            .filter(|i| self.bundle_hashes.get(i).is_some_and(|c| c.get().is_none()))
            .collect();
        self.spread(&bundles, 64, |i| {
            let _ = self.hash_checks(i);
        });
    }

    /// Decode these nodes' artifacts (each once), spread over the machine's cores; errors surface when an
    /// artifact is next asked for.
    pub fn decode_all(&self, nodes: &[usize]) {
        let todo: Vec<usize> = nodes.iter().copied().filter(|&i| self.nodes[i].artifact.get().is_none()).collect();
        self.spread(&todo, 32, |i| {
            let _ = self.artifact(i);
        });
    }

    /// Run `each` over `items` on up to four threads, or on this one when there are fewer than `min` items.
    fn spread(&self, items: &[usize], min: usize, each: impl Fn(usize) + Sync) {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        if items.len() < min || threads < 2 {
            items.iter().for_each(|&i| each(i));
            return;
        }
        let chunk = items.len().div_ceil(threads);
        let each = &each;
        std::thread::scope(|s| {
            for part in items.chunks(chunk) {
                s.spawn(move || part.iter().for_each(|&i| each(i)));
            }
        });
    }

    /// References of a node, each with the nodes it resolves to (empty: dangling).
    pub fn references(&self, node: usize) -> Result<Vec<(Reference, Vec<usize>)>, LoadError> {
        let art = self.artifact(node)?;
        Ok(art.refs.iter().map(|r| (r.clone(), self.find(&r.target).to_vec())).collect())
    }

    /// Count of nodes per kind, in chain order.
    pub fn kind_counts(&self) -> Vec<(Kind, usize)> {
        let mut counts: BTreeMap<(u8, Kind), usize> = BTreeMap::new();
        for n in &self.nodes {
            *counts.entry((n.kind.chain_rank(), n.kind.clone())).or_default() += 1;
        }
        counts.into_iter().map(|((_, k), c)| (k, c)).collect()
    }

    /// The directory the evidence was loaded from (files an artifact bundle names are looked for here).
    pub fn root(&self) -> Option<&std::path::Path> {
        self.root.as_deref()
    }

    /// "trial package" or "runtime evidence".
    pub fn model_label(&self) -> &'static str {
        match self.model {
            Model::TrialPackage => "trial package",
            Model::Runtime => "runtime evidence",
        }
    }

    /// Secrets that were in the clear in the evidence (closeout had to redact them).
    pub fn exposed_secrets(&self) -> impl Iterator<Item = &Redaction> {
        self.redactions.iter().filter(|r| r.by == RedactedBy::Closeout)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod node_size {
    /// What one artifact costs before any of its text: a store of a million tiny items holds a million of
    /// these (issue 11 §4). A field added here should be rare enough to go behind a box.
    #[test]
    fn a_node_stays_small() {
        let size = std::mem::size_of::<super::Node>();
        assert!(size <= 264, "Node grew to {size} bytes");
    }
}
