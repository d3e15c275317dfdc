//! Reading evidence from disk or memory: format detection from content, bounds, and the loaders for the
//! trial package, evidence-metadata stores (JSON and SQLite), bare artifacts, API responses and directories.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde_json::value::RawValue;

use super::canonical;
use super::error::{LoadError, describe_json_error_in, line_col};
use super::kinds::{self, Kind};
use super::parse::{ItemHead, TopDoc, object_span, raw_str, span_of};
use super::read::{Bytes, InputDigest, ReadError, heap, read_hashed};
use super::value::{EValue, push_token};
use super::{
    Artifact, Evidence, Format, HashCheck, HashStatus, IdIndex, Input, Model, Node, Reference, Span, Unit, scan,
};
use crate::time::parse_instant;

/// The largest file closeout reads as evidence (1 GiB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// The most files a directory may hold.
const MAX_DIR_FILES: usize = 10_000;
/// How deep a directory is searched.
const MAX_DIR_DEPTH: usize = 4;
/// The largest file an artifact bundle may name for hashing (4 GiB).
const MAX_HASHED_FILE_BYTES: u64 = 4 << 30;

/// How to load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Keep only artifacts of this `release_record_ref` (artifacts with none are shared and kept).
    pub release: Option<String>,
    pub max_file_bytes: u64,
    /// Map large files instead of reading them (Linux). Only for one-shot runs that finish with the evidence
    /// before the files could change (`closeout check`): a mapping sees later changes to the file.
    pub map_files: bool,
    /// Build the evaluated release's chain while the load's last steps (secrets attributed to artifacts,
    /// reference targets read) run on the other cores, for the first evaluation to take. Off only where the
    /// chain's own cost is measured.
    pub prepare_chain: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { release: None, max_file_bytes: MAX_FILE_BYTES, map_files: false, prepare_chain: true }
    }
}

/// Files smaller than this are read even when mapping is allowed (a read is cheaper than a mapping there).
const MAP_THRESHOLD: u64 = 1 << 20;

/// Load a file or a directory.
pub fn load_path(path: &Path, opts: &LoadOptions) -> Result<Evidence, LoadError> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| LoadError::new(&shown, io_problem(&e)))?;
    let mut b = Builder::default();
    if meta.is_dir() {
        load_dir(&mut b, path, opts)?;
        b.root = Some(path.to_path_buf());
    } else {
        let t = std::time::Instant::now();
        let (bytes, sha) = read_bounded(path, &shown, opts)?;
        crate::trace("read", t);
        load_file(&mut b, &shown, Some(path), bytes, Some(sha), false)?;
        crate::trace("read and parsed", t);
        b.root = path.parent().map(Path::to_path_buf);
    }
    b.finish(shown, opts)
}

/// Load evidence held in memory (the embedded samples).
pub fn load_bytes(name: &str, bytes: Vec<u8>, opts: &LoadOptions) -> Result<Evidence, LoadError> {
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(too_large(name, bytes.len() as u64, opts.max_file_bytes));
    }
    let mut b = Builder::default();
    load_file(&mut b, name, None, heap(bytes), None, false)?;
    b.finish(name.to_string(), opts)
}

fn io_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}

fn too_large(path: &str, size: u64, max: u64) -> LoadError {
    LoadError::new(
        path,
        format!("file is {} MiB, larger than the {} MiB closeout reads as evidence", size >> 20, max >> 20),
    )
}

/// Read a whole file, bounded, into shared memory (the parser, the secret scan and the detail view all read
/// the same bytes), with its SHA-256 computed on a second thread; large files are mapped if `opts` allows.
fn read_bounded(path: &Path, shown: &str, opts: &LoadOptions) -> Result<(Bytes, InputDigest), LoadError> {
    let max = opts.max_file_bytes;
    // A FIFO, a socket or a device is refused before it is opened (an open or a read could block forever).
    let (mut file, meta) = crate::files::open_regular(path).map_err(|e| LoadError::new(shown, e.to_string()))?;
    if meta.len() > max {
        return Err(too_large(shown, meta.len(), max));
    }
    #[cfg(target_os = "linux")]
    if opts.map_files
        && meta.len() >= MAP_THRESHOLD
        && let Some(mapped) = super::read::map(&file, meta.len() as usize, shown)
    {
        return Ok(mapped);
    }
    read_hashed(&mut file, meta.len() as usize).map_err(|e| match e {
        ReadError::Io(e) => LoadError::new(shown, io_problem(&e)),
        ReadError::Grew => LoadError::new(shown, "the file grew while it was being read; try again"),
    })
}

#[derive(Default)]
struct Builder {
    inputs: Vec<Input>,
    nodes: Vec<Node>,
    tally: Tally,
    skipped: Vec<(String, String)>,
    review_records: Vec<PathBuf>,
    trial: Option<TrialMeta>,
    root: Option<PathBuf>,
}

/// What the nodes of a load share: the `metadata_kind`s closeout does not know, with how many items each,
/// and the release refs seen so far (a store names a handful of releases across all its items, so each node
/// shares its release's text instead of holding a copy).
#[derive(Default, Clone)]
pub(super) struct Tally {
    unknown: BTreeMap<String, usize>,
    releases: foldhash::HashMap<Box<str>, std::sync::Arc<crate::text::Text>>,
}

impl Tally {
    /// Most releases any store names are kept; past that, each node holds its own.
    const RELEASES: usize = 1024;

    fn release(&mut self, r: &str) -> std::sync::Arc<crate::text::Text> {
        if let Some(t) = self.releases.get(r) {
            return std::sync::Arc::clone(t);
        }
        let t = std::sync::Arc::new(crate::text::Text::new(r));
        if self.releases.len() < Self::RELEASES {
            self.releases.insert(r.into(), std::sync::Arc::clone(&t));
        }
        t
    }
}

struct TrialMeta {
    name: Option<String>,
    edition: Option<String>,
}

/// What a file turned out to be.
enum Outcome {
    Loaded,
    NotEvidence(String),
    /// A closeout review record (`closeout.review.v1`): not evidence, but recognised as what it is.
    ReviewRecord,
}

/// Parse one file's bytes. In a directory (`lenient`), files that are not evidence are skipped; anything that
/// looks like evidence but is broken is still an error.
fn load_file(
    b: &mut Builder,
    shown: &str,
    path: Option<&Path>,
    bytes: Bytes,
    sha: Option<InputDigest>,
    lenient: bool,
) -> Result<Outcome, LoadError> {
    let outcome = classify_and_load(b, shown, path, bytes, sha)?;
    match outcome {
        Outcome::NotEvidence(why) if !lenient => Err(LoadError::new(shown, why)),
        Outcome::ReviewRecord if !lenient => Err(LoadError::new(
            shown,
            "this is a closeout review record (closeout.review.v1), not evidence: pass it with --review",
        )),
        other => Ok(other),
    }
}

fn classify_and_load(
    b: &mut Builder,
    shown: &str,
    path: Option<&Path>,
    bytes: Bytes,
    sha: Option<InputDigest>,
) -> Result<Outcome, LoadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Outcome::NotEvidence("file is empty".into()));
    }
    if bytes.starts_with(b"SQLite format 3\0") {
        let Some(path) = path else {
            return Err(LoadError::new(shown, "SQLite evidence can only be read from a file"));
        };
        return load_sqlite(b, shown, path, &bytes, sha);
    }
    // simdutf8 validates the ASCII-heavy text of a store several times faster than the standard library (a
    // pass over every byte, before the scan can start, so a large file's halves are validated on two cores);
    // on failure the standard library says where.
    let text = match validate_utf8(&bytes).map_err(|_| std::str::from_utf8(&bytes)) {
        Ok(text) => text,
        Err(Ok(text)) => text,
        Err(Err(e)) => {
            let head = &bytes[..bytes.len().min(8192)];
            let controls = head.iter().filter(|&&c| c == 0 || (c < 0x20 && !b"\t\r\n\x0c".contains(&c))).count();
            if controls > 0 {
                return Ok(Outcome::NotEvidence(BINARY.into()));
            }
            let (line, col) = line_col(&bytes, e.valid_up_to());
            return Err(LoadError::new(
                shown,
                format!("invalid UTF-8 at line {line}, column {col} (byte {})", e.valid_up_to()),
            ));
        }
    };
    let first = bytes.iter().copied().find(|c| !c.is_ascii_whitespace()).unwrap_or(b' ');
    // A NUL byte means binary. JSON cannot hold one, so a document the fast scanner accepts has none: the
    // search is made only when it does not (`parse_document`), or here when the file cannot be JSON evidence.
    if first != b'{' && first != b'[' {
        if has_nul(&bytes) {
            return Ok(Outcome::NotEvidence(BINARY.into()));
        }
        return Ok(Outcome::NotEvidence(format!(
            "not JSON evidence (starts with {:?}; expected a JSON object)",
            char::from(first)
        )));
    }
    let input = b.inputs.len();
    let mut nodes = Vec::new();
    let mut units = Vec::new();
    let mut format = Format::Artifact;
    let mut ref_notes = None;
    // The file's SHA-256 on its own thread (joined when a report needs it), unless the read already hashed it;
    // the secret prefilter on a second core while this one parses. Both run below the parse's priority
    // (`read::defer_this_thread`): the parse is what the rest of the load waits for.
    let sha = sha.unwrap_or_else(|| InputDigest::spawn(Arc::clone(&bytes)));
    let job = scan::FlagJob::new(&bytes);
    let parsed = std::thread::scope(|s| {
        let side = s.spawn(|| {
            super::read::defer_this_thread();
            job.work()
        });
        let parsed = parse_document(b, shown, text, input, &mut nodes, &mut units, (&mut format, &mut ref_notes));
        // Done parsing: take the prefilter's remaining parts alongside the second core; or, when the file
        // turned out broken or not evidence, stop it (its flags will not be used).
        match parsed {
            Ok(None) => job.work(),
            _ => job.cancel(),
        }
        side.join().expect("prefilter thread does not panic");
        parsed
    });
    let flags = job.finish();
    if let Some(outcome) = parsed? {
        return Ok(outcome);
    }
    // The first file's nodes are taken as they are: copying them would hold two copies at the peak.
    if b.nodes.is_empty() {
        b.nodes = nodes;
    } else {
        b.nodes.append(&mut nodes);
    }
    let size = bytes.len() as u64;
    b.inputs.push(Input { path: shown.to_string(), format, sha, size, bytes, units, flags, ref_notes });
    Ok(Outcome::Loaded)
}

const BINARY: &str = "binary file, not JSON or SQLite evidence";

/// Below this size a file is validated as UTF-8 on one thread (a second one costs more than it saves).
const SPLIT_VALIDATION_BYTES: usize = 4 << 20;

/// `bytes` as UTF-8 text, validated with simdutf8; a large file in two halves at once. The halves meet at an
/// ASCII byte: no character can straddle one (a continuation byte is never ASCII), so the halves are valid
/// exactly when the whole is.
fn validate_utf8(bytes: &[u8]) -> Result<&str, ()> {
    let valid = |b: &[u8]| simdutf8::basic::from_utf8(b).is_ok();
    let split = (bytes.len() >= SPLIT_VALIDATION_BYTES)
        .then_some(bytes.len() / 2)
        .and_then(|mid| bytes[mid..].iter().take(64).position(u8::is_ascii).map(|k| mid + k));
    let ok = match split {
        Some(at) => std::thread::scope(|s| {
            let tail = s.spawn(|| valid(&bytes[at..]));
            let head = valid(&bytes[..at]);
            tail.join().expect("UTF-8 validation does not panic") && head
        }),
        None => valid(bytes),
    };
    // SAFETY: every byte was validated as UTF-8 above (both halves, split at a character boundary).
    if ok { Ok(unsafe { std::str::from_utf8_unchecked(bytes) }) } else { Err(()) }
}

fn has_nul(bytes: &[u8]) -> bool {
    memchr::memchr(0, bytes).is_some()
}

/// Parse one JSON document into nodes and scan units. `Ok(Some(outcome))` when it is not evidence.
#[allow(clippy::too_many_arguments)]
fn parse_document(
    b: &mut Builder,
    shown: &str,
    text: &str,
    input: usize,
    nodes: &mut Vec<Node>,
    units: &mut Vec<Unit>,
    (format_out, ref_notes_out): (&mut Format, &mut Option<super::refscan::Noted>),
) -> Result<Option<Outcome>, LoadError> {
    let t0 = std::time::Instant::now();
    let format;
    let depth_checked;
    // Validated as UTF-8 once, by the caller: parsing from &str spares serde_json re-checking every raw value
    // it keeps (measurably faster on large stores).
    let bytes = text.as_bytes();
    {
        // The fast scanner takes well-formed documents; anything else goes through serde_json, which accepts
        // exactly the same documents and says what is wrong with the others.
        let t = std::time::Instant::now();
        // A store's nodes are built from each item's head as the scanner reads it (no list of every head is
        // held: for a store of tiny items it would be the largest thing in memory). When the scanner gives up,
        // what it built is dropped and serde_json's pass starts over.
        let (node0, unit0) = (nodes.len(), units.len());
        let tally_before = b.tally.clone();
        let mut item_error = None;
        let fast = {
            let mut count = 0usize;
            let mut pointer = String::new();
            let tally = &mut b.tally;
            let (nodes, units) = (&mut *nodes, &mut *units);
            super::fastparse::top_doc_with(text, &mut |head| {
                let i = count;
                count += 1;
                if item_error.is_some() {
                    return;
                }
                if let Err(e) = push_item(shown, bytes, input, &head, i, &mut pointer, tally, (nodes, units)) {
                    item_error = Some(e);
                }
            })
        };
        if fast.is_none() {
            nodes.truncate(node0);
            units.truncate(unit0);
            b.tally = tally_before;
            item_error = None;
        }
        crate::trace(if fast.is_some() { "scanned (fast path)" } else { "scanned (fast path gave up)" }, t);
        depth_checked = fast.is_some();
        let streamed = fast.is_some();
        let mut doc: TopDoc = match fast {
            Some(doc) => doc,
            None if has_nul(bytes) => return Ok(Some(Outcome::NotEvidence(BINARY.into()))),
            None => {
                // The fast path also gives up on a repeated key, which serde_json would take silently: this pass
                // refuses it (and says where), as it does anything else wrong.
                super::parse::check_unique(text).map_err(|e| LoadError::json_in(shown, bytes, &e))?;
                serde_json::from_str(text).map_err(|e| LoadError::json_in(shown, bytes, &e))?
            }
        };
        *ref_notes_out = doc.ref_notes.take();
        if !doc.is_object {
            return Ok(Some(Outcome::NotEvidence("a JSON array, not CAVRA evidence (expected an object)".into())));
        }
        if let Some(what) = doc.items_wrong_type {
            return Err(LoadError::new(
                shown,
                format!("`items` must be an array of evidence-metadata items, found {what}"),
            ));
        }
        let schema = doc.field("schema_version");
        let schema_str = schema.and_then(raw_str);
        if streamed && doc.items.is_some() {
            format = Format::MetadataStoreJson;
            // The first bad item in store order.
            if let Some(e) = item_error {
                return Err(e);
            }
            nodes.shrink_to_fit();
            units.shrink_to_fit();
        } else if let Some(mut items) = doc.items.take() {
            format = Format::MetadataStoreJson;
            // The items are taken from the end, so the list of heads shrinks as the nodes grow: the two are
            // never both whole (a store of tiny items would otherwise hold both at its peak). Then both lists
            // are put back in store order; an error names the first bad item in store order.
            let (node0, unit0) = (nodes.len(), units.len());
            nodes.reserve(items.len());
            units.reserve(items.len());
            let mut pointer = String::new();
            let mut first_error = None;
            while let Some(head) = items.pop() {
                let i = items.len();
                if let Err(e) = push_item(shown, bytes, input, &head, i, &mut pointer, &mut b.tally, (nodes, units)) {
                    first_error = Some(e);
                }
                drop(head);
                if items.capacity() > 4096 && items.len() * 2 < items.capacity() {
                    items.shrink_to_fit();
                }
            }
            if let Some(e) = first_error {
                return Err(e);
            }
            if let Some(last_unit) = units.len().checked_sub(1) {
                units[unit0..].reverse();
                nodes[node0..].reverse();
                for n in &mut nodes[node0..] {
                    n.unit = (unit0 + (last_unit - n.unit as usize)) as u32;
                }
            }
        } else if let Some(schema_str) = schema_str.as_deref() {
            if schema_str == kinds::TRIAL_SCHEMA {
                format = Format::TrialPackage;
                b.trial = Some(trial_nodes(shown, bytes, input, &doc, nodes)?);
                units.push(Unit { span: (0..bytes.len()).into(), item: None, row: None });
            } else if schema_str == kinds::METADATA_SCHEMA {
                format = Format::MetadataItem;
                let head: ItemHead = serde_json::from_slice(bytes).map_err(|e| LoadError::json(shown, &e))?;
                let (node, unit) = item_node(shown, bytes, input, &head, "", None, &mut b.tally)?;
                nodes.extend(node);
                units.push(unit);
            } else if let Some(node) = bare_node(shown, bytes, input, &doc, 0..bytes.len(), String::new())? {
                format = Format::Artifact;
                nodes.push(node);
                units.push(Unit { span: (0..bytes.len()).into(), item: None, row: None });
            } else {
                return Err(LoadError::new(
                    shown,
                    format!(
                        "unknown schema_version {:?}: closeout reads {} packages, evidence-metadata stores and CAVRA final-reporting artifacts",
                        crate::sanitize::clean(schema_str),
                        kinds::TRIAL_SCHEMA
                    ),
                ));
            }
        } else if schema.is_some() {
            return Err(LoadError::new(shown, "`schema_version` must be a string"));
        } else {
            // An API response: {"bundle": {...}, "metadata": {...}, ...}
            if doc.field("schema").and_then(raw_str).as_deref() == Some(crate::review::REVIEW_SCHEMA) {
                return Ok(Some(Outcome::ReviewRecord));
            }
            response_nodes(shown, bytes, input, &doc, "", 0, nodes, &mut b.tally)?;
            if nodes.is_empty() {
                return Ok(Some(Outcome::NotEvidence(
                    "not CAVRA evidence: no schema_version, no `items`, and no artifacts under API response keys"
                        .into(),
                )));
            }
            format = Format::ApiResponse;
            units.push(Unit { span: (0..bytes.len()).into(), item: None, row: None });
        }
    }
    crate::trace("nodes built", t0);
    if !depth_checked {
        for unit in units.iter() {
            check_depth(shown, bytes, unit.span.range())?;
        }
    }
    *format_out = format;
    Ok(None)
}

/// The deepest nesting closeout accepts, as serde_json's own limit when decoding artifacts.
pub const MAX_DEPTH: usize = 128;

/// Reject JSON nested deeper than [`MAX_DEPTH`] anywhere in `span`. Values the first parse only skipped
/// are not depth-checked by serde_json, so this closes the gap: a count of `[`/`{` bytes rules out almost
/// every unit at memchr speed; only a unit with more openers than the limit gets an exact, string-aware walk.
fn check_depth(shown: &str, bytes: &[u8], span: std::ops::Range<usize>) -> Result<(), LoadError> {
    let region = &bytes[span.clone()];
    if memchr::memchr2_iter(b'[', b'{', region).nth(MAX_DEPTH).is_none() {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < region.len() {
        match region[i] {
            b'"' => {
                i += 1;
                while i < region.len() {
                    match memchr::memchr2(b'"', b'\\', &region[i..]) {
                        Some(p) if region[i + p] == b'\\' => i += p + 2,
                        Some(p) => {
                            i += p;
                            break;
                        }
                        None => i = region.len(),
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let (line, col) = line_col(bytes, span.start + i);
                    return Err(LoadError::new(
                        shown,
                        format!("JSON nested too deeply (more than {MAX_DEPTH} levels) at line {line}, column {col}"),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn str_of<'a>(
    shown: &str,
    bytes: &[u8],
    raw: Option<&'a str>,
    what: &str,
    at: &str,
) -> Result<Option<std::borrow::Cow<'a, str>>, LoadError> {
    match raw {
        None => Ok(None),
        Some("null") => Ok(None),
        Some(r) => match raw_str(r) {
            Some(s) => Ok(Some(s)),
            None => {
                let (line, col) = line_col(bytes, span_of(bytes, r).start);
                Err(LoadError::new(
                    shown,
                    format!("{at}/{what} must be a string, found {} (line {line}, column {col})", json_type(r)),
                ))
            }
        },
    }
}

fn json_type(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// A node for one metadata wrapper item.
/// Store item `i`: its node (naming its unit) and its unit, appended.
#[allow(clippy::too_many_arguments)]
fn push_item(
    shown: &str,
    bytes: &[u8],
    input: usize,
    head: &ItemHead,
    i: usize,
    pointer: &mut String,
    tally: &mut Tally,
    (nodes, units): (&mut Vec<Node>, &mut Vec<Unit>),
) -> Result<(), LoadError> {
    use std::fmt::Write as _;
    pointer.clear();
    let _ = write!(pointer, "/items/{i}");
    let (node, mut unit) = item_node(shown, bytes, input, head, pointer, None, tally)?;
    unit.item = Some(u32::try_from(i).expect("a store of under 1 GiB has fewer than 4 billion items"));
    nodes.extend(node.map(|mut n| {
        n.unit = units.len() as u32;
        n
    }));
    units.push(unit);
    Ok(())
}

fn item_node(
    shown: &str,
    bytes: &[u8],
    input: usize,
    head: &ItemHead,
    pointer: &str,
    row: Option<&str>,
    unknown: &mut Tally,
) -> Result<(Option<Node>, Unit), LoadError> {
    let at = if pointer.is_empty() { "item" } else { pointer };
    // Only for messages: made when one is needed.
    let at_row = || row.map(|r| format!("row '{r}'")).unwrap_or_else(|| at.to_string());
    if !head.is_object {
        return Err(LoadError::new(
            shown,
            format!("{} is not an evidence-metadata item (expected a JSON object)", at_row()),
        ));
    }
    let metadata_kind = str_of(shown, bytes, head.metadata_kind, "metadata_kind", at)?
        .ok_or_else(|| LoadError::new(shown, format!("{} has no `metadata_kind`", at_row())))?;
    let session_id = str_of(shown, bytes, head.session_id, "session_id", at)?
        .ok_or_else(|| LoadError::new(shown, format!("{} has no `session_id`", at_row())))?;
    let source = str_of(shown, bytes, head.connector_delivery_source, "connector_delivery_source", at)?;
    let event_type = str_of(shown, bytes, head.event_type, "event_type", at)?;
    let kind = Kind::from_metadata_kind(&metadata_kind, source.as_deref(), event_type.as_deref());
    let unit_span = match (head.first, head.last) {
        (Some(f), Some(l)) => object_span(bytes, f, l),
        _ => None,
    };
    let (embed_key, span) = match kind.embed_key().and_then(|k| head.objects.iter().find(|(key, _)| key == k)) {
        Some((key, raw)) => (Some(key.as_ref()), span_of(bytes, raw)),
        None if head.objects.len() == 1 && matches!(kind, Kind::Unknown(_)) => {
            (Some(head.objects[0].0.as_ref()), span_of(bytes, head.objects[0].1))
        }
        // Builders also accept a bare artifact in place of a wrapper: use the wrapper itself.
        None => (None, unit_span.clone().unwrap_or(0..bytes.len())),
    };
    if let Kind::Unknown(k) = &kind {
        match unknown.unknown.get_mut(k.shown()) {
            Some(count) => *count += 1,
            None => {
                unknown.unknown.insert(k.shown().to_string(), 1);
            }
        }
    }
    let mut node_pointer = String::with_capacity(pointer.len() + 1 + embed_key.map_or(0, str::len));
    node_pointer.push_str(pointer);
    if let Some(key) = embed_key {
        push_token(&mut node_pointer, key);
    }
    let mut node = Node::new(kind, session_id.into_owned(), input, node_pointer, span);
    if embed_key.is_some() {
        node.wrapper = unit_span.clone().map(Span::from);
    }
    let created = str_of(shown, bytes, head.created_at, "created_at", at)?;
    node.created = created.as_deref().and_then(parse_instant);
    node.created_at = created.map(|c| crate::text::Text::new(c.into_owned()));
    node.release_ref = str_of(shown, bytes, head.release_record_ref, "release_record_ref", at)?
        .filter(|r| !r.is_empty())
        .map(|r| unknown.release(&r));
    node.delivery_success = head.delivery_success.and_then(|r| match r {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    });
    node.row = row.map(Box::from);
    let unit = Unit { span: unit_span.unwrap_or(0..bytes.len()).into(), item: None, row: row.map(Box::from) };
    Ok((Some(node), unit))
}

/// The trial package's sections, each a node.
const TRIAL_SECTIONS: &[(&str, Kind, &str)] = &[
    ("scenario", Kind::TrialScenario, "name"),
    ("final_readiness_bundle", Kind::ReadinessBundle, "bundle_id"),
    ("signed_archive_manifest", Kind::SignedArchiveManifest, "manifest_id"),
    ("release_closeout_summary", Kind::CloseoutSummary, "closeout_id"),
    ("retention_review", Kind::RetentionReviewDecision, "review_id"),
    ("closeout_artifact_bundle", Kind::ArtifactBundle, "artifact_bundle_id"),
    ("retention_health_report", Kind::RetentionHealth, "report_id"),
    ("retention_alert_delivery", Kind::AlertDelivery, "alert_id"),
    ("closeout_retry_plan", Kind::RetryPlan, "retry_plan_id"),
    ("retry_worker_run", Kind::WorkerRun, "worker_run_id"),
    ("release_decision", Kind::ReleaseDecision, ""),
];

fn trial_nodes(
    shown: &str,
    bytes: &[u8],
    input: usize,
    doc: &TopDoc,
    nodes: &mut Vec<Node>,
) -> Result<TrialMeta, LoadError> {
    let generated_at = str_of(shown, bytes, doc.field("generated_at"), "generated_at", "")?.map(|s| s.into_owned());
    let mut meta = TrialMeta { name: None, edition: None };
    for (key, kind, id_field) in TRIAL_SECTIONS {
        let Some(raw) = doc.field(key) else { continue };
        if !raw.starts_with('{') {
            let (line, col) = line_col(bytes, span_of(bytes, raw).start);
            return Err(LoadError::new(
                shown,
                format!("`{key}` must be an object, found {} (line {line}, column {col})", json_type(raw)),
            ));
        }
        let fields: HashMap<std::borrow::Cow<str>, &RawValue> =
            serde_json::from_str(raw).map_err(|e| LoadError::json(shown, &e))?;
        let field = |k: &str| fields.get(k).map(|r| r.get());
        let at = format!("/{key}");
        let id = if id_field.is_empty() { None } else { str_of(shown, bytes, field(id_field), id_field, &at)? };
        let id = id.map(|s| s.into_owned()).unwrap_or_else(|| key.replace('_', "-"));
        let mut node = Node::new(kind.clone(), id, input, at.clone(), span_of(bytes, raw));
        node.created_at = generated_at.clone().map(crate::text::Text::new);
        node.created = generated_at.as_deref().and_then(parse_instant);
        if *key == "final_readiness_bundle" {
            node.release_ref = str_of(shown, bytes, field("release_id"), "release_id", &at)?
                .map(|s| std::sync::Arc::new(crate::text::Text::new(s.into_owned())));
        }
        if *key == "scenario" {
            meta.name = str_of(shown, bytes, field("name"), "name", &at)?.map(|s| s.into_owned());
            meta.edition = str_of(shown, bytes, field("edition"), "edition", &at)?.map(|s| s.into_owned());
        }
        nodes.push(node);
    }
    Ok(meta)
}

/// A node for a bare artifact (identified by its `schema_version`).
fn bare_node(
    shown: &str,
    bytes: &[u8],
    input: usize,
    doc: &TopDoc,
    span: std::ops::Range<usize>,
    pointer: String,
) -> Result<Option<Node>, LoadError> {
    let Some(schema) = doc.field("schema_version").and_then(raw_str) else { return Ok(None) };
    let at_owned = pointer.clone();
    let at = at_owned.as_str();
    let kind = if schema == kinds::CONNECTOR_DELIVERY_SCHEMA {
        let et = str_of(shown, bytes, doc.field("event_type"), "event_type", at)?;
        Kind::for_delivery(None, et.as_deref())
    } else {
        match Kind::from_schema_version(&schema) {
            Some(k) => k,
            None => return Ok(None),
        }
    };
    let id_field = kind.id_field().unwrap_or("id");
    let id = str_of(shown, bytes, doc.field(id_field), id_field, at)?.ok_or_else(|| {
        LoadError::new(
            shown,
            format!(
                "{} artifact{} has no `{id_field}`",
                kind.name(),
                if at.is_empty() { String::new() } else { format!(" at {at}") }
            ),
        )
    })?;
    let mut node = Node::new(kind, id.into_owned(), input, pointer, span);
    for key in ["generated_at", "requested_at", "decided_at", "executed_at", "archived_at", "attached_at"] {
        if let Some(t) = str_of(shown, bytes, doc.field(key), key, at)? {
            node.created = parse_instant(&t);
            node.created_at = Some(crate::text::Text::new(t.into_owned()));
            break;
        }
    }
    node.release_ref = str_of(shown, bytes, doc.field("release_record_ref"), "release_record_ref", at)?
        .filter(|r| !r.is_empty())
        .map(|r| std::sync::Arc::new(crate::text::Text::new(r.into_owned())));
    if let Some(r) = doc.field("success") {
        node.delivery_success = match r {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
    }
    Ok(Some(node))
}

/// Artifacts inside an API response: wrappers (with `metadata_kind`) and bare artifacts, searched a few levels down.
#[allow(clippy::too_many_arguments)]
fn response_nodes(
    shown: &str,
    bytes: &[u8],
    input: usize,
    doc: &TopDoc,
    pointer: &str,
    depth: usize,
    nodes: &mut Vec<Node>,
    unknown: &mut Tally,
) -> Result<(), LoadError> {
    for (key, raw) in &doc.fields {
        let mut p = pointer.to_string();
        push_token(&mut p, key);
        visit_response_value(shown, bytes, input, raw, &p, depth, nodes, unknown)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn visit_response_value(
    shown: &str,
    bytes: &[u8],
    input: usize,
    raw: &str,
    pointer: &str,
    depth: usize,
    nodes: &mut Vec<Node>,
    unknown: &mut Tally,
) -> Result<(), LoadError> {
    if depth > 3 {
        return Ok(());
    }
    let text = raw;
    if text.starts_with('{') {
        let inner: TopDoc = serde_json::from_str(text).map_err(|e| LoadError::json(shown, &e))?;
        let base_off = span_of(bytes, raw).start;
        // `text` is a slice of `bytes`, so spans from the inner parse line up with the input.
        if inner.field("metadata_kind").is_some() {
            let head: ItemHead = serde_json::from_str(text).map_err(|e| LoadError::json(shown, &e))?;
            let (node, _) = item_node(shown, bytes, input, &head, pointer, None, unknown)?;
            nodes.extend(node);
        } else if let Some(node) =
            bare_node(shown, bytes, input, &inner, base_off..base_off + text.len(), pointer.to_string())?
        {
            nodes.push(node);
        } else {
            response_nodes(shown, bytes, input, &inner, pointer, depth + 1, nodes, unknown)?;
        }
    } else if text.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| LoadError::json(shown, &e))?;
        for (i, item) in items.iter().enumerate() {
            let mut p = pointer.to_string();
            push_token(&mut p, &i.to_string());
            visit_response_value(shown, bytes, input, item.get(), &p, depth + 1, nodes, unknown)?;
        }
    }
    Ok(())
}

/// How long SQLite may work on one evidence store (opening, reading the schema, reading every row) before the
/// store is refused.
const STORE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);
/// The most memory SQLite may hold at once, for every connection of the process.
const SQLITE_HEAP_LIMIT: i64 = 512 << 20;
/// The longest single value (a payload) SQLite may build.
const SQLITE_MAX_VALUE: i32 = 256 << 20;

/// A `file:` URI for `path`, with `immutable=1`: SQLite reads the file as it is and writes nothing beside it
/// (no `-shm`, no `-wal`, no lock), whatever journal mode the store was written in.
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        abs.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = abs.to_string_lossy().replace('\\', "/").into_bytes();
    for &c in &bytes {
        if c.is_ascii_alphanumeric() || b"/-._~".contains(&c) {
            uri.push(c as char);
        } else {
            uri.push_str(&format!("%{c:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

/// Open an SQLite evidence store read-only and bounded: nothing is written beside it, the schema is not
/// trusted (no functions or virtual tables it names run with side effects), and what SQLite may compute and
/// allocate is capped: a small page cache, no memory map, a process-wide heap limit, a longest value, short SQL
/// and shallow expressions, and a deadline (checked every few thousand virtual-machine steps).
pub(crate) fn open_store(
    shown: &str,
    path: &Path,
    file_len: u64,
    deadline: std::time::Duration,
) -> Result<rusqlite::Connection, LoadError> {
    use rusqlite::limits::Limit;
    use rusqlite::{Connection, OpenFlags};
    static HEAP: std::sync::Once = std::sync::Once::new();
    HEAP.call_once(|| {
        // SAFETY: sets a process-wide soft cap; callable at any time.
        unsafe { rusqlite::ffi::sqlite3_hard_heap_limit64(SQLITE_HEAP_LIMIT) };
    });
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(immutable_uri(path), flags)
        .map_err(|e| LoadError::new(shown, format!("cannot open SQLite database: {e}")))?;
    let started = std::time::Instant::now();
    let _ = conn.progress_handler(4096, Some(move || started.elapsed() > deadline));
    let longest = SQLITE_MAX_VALUE.min(i32::try_from(file_len.max(1 << 16)).unwrap_or(i32::MAX));
    for (limit, value) in [
        (Limit::SQLITE_LIMIT_LENGTH, longest),
        (Limit::SQLITE_LIMIT_SQL_LENGTH, 1 << 16),
        (Limit::SQLITE_LIMIT_COLUMN, 256),
        (Limit::SQLITE_LIMIT_EXPR_DEPTH, 64),
        (Limit::SQLITE_LIMIT_COMPOUND_SELECT, 8),
        (Limit::SQLITE_LIMIT_VDBE_OP, 100_000),
        (Limit::SQLITE_LIMIT_FUNCTION_ARG, 8),
        (Limit::SQLITE_LIMIT_ATTACHED, 0),
        (Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 256),
        (Limit::SQLITE_LIMIT_TRIGGER_DEPTH, 1),
        (Limit::SQLITE_LIMIT_WORKER_THREADS, 0),
    ] {
        conn.set_limit(limit, value).map_err(|e| LoadError::new(shown, format!("cannot bound SQLite: {e}")))?;
    }
    let bounded = "PRAGMA trusted_schema = OFF; PRAGMA query_only = ON; PRAGMA cache_size = -2048; \
                   PRAGMA mmap_size = 0; PRAGMA temp_store = FILE;";
    conn.execute_batch(bounded).map_err(|e| store_problem(shown, "cannot bound SQLite", &e))?;
    Ok(conn)
}

/// An SQLite error, said as the deadline when that is what stopped it.
pub(crate) fn store_problem(shown: &str, what: &str, e: &rusqlite::Error) -> LoadError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) {
        return LoadError::new(
            shown,
            format!("SQLite took longer than the {} s closeout allows on one store; refused", STORE_DEADLINE.as_secs()),
        );
    }
    LoadError::new(shown, format!("{what}: {e}"))
}

/// `evidence_metadata` must be a plain table: columns SQLite computes on every read (generated columns) or a
/// virtual table could make an 8 KB file take gigabytes and minutes, and CAVRA writes neither.
fn check_store_table(shown: &str, conn: &rusqlite::Connection) -> Result<(), LoadError> {
    let bad = |e: rusqlite::Error| store_problem(shown, "`evidence_metadata` cannot be read", &e);
    let sql: String = conn
        .query_row(
            "SELECT coalesce(sql, '') FROM sqlite_master WHERE type = 'table' AND name = 'evidence_metadata'",
            [],
            |r| r.get(0),
        )
        .map_err(bad)?;
    if sql.trim_start().get(..14).is_some_and(|s| s.eq_ignore_ascii_case("create virtual")) {
        return Err(LoadError::new(shown, "`evidence_metadata` is a virtual table; not a CAVRA evidence store"));
    }
    let mut stmt = conn.prepare("SELECT name, hidden FROM pragma_table_xinfo('evidence_metadata')").map_err(bad)?;
    let mut rows = stmt.query([]).map_err(bad)?;
    while let Some(row) = rows.next().map_err(bad)? {
        let hidden: i64 = row.get(1).unwrap_or(0);
        if hidden != 0 {
            let name: String = row.get(0).unwrap_or_default();
            return Err(LoadError::new(
                shown,
                format!(
                    "`evidence_metadata` has a generated or hidden column {:?}; CAVRA stores plain columns only",
                    crate::text::Text::new(name.as_str()).shown()
                ),
            ));
        }
    }
    Ok(())
}

fn load_sqlite(
    b: &mut Builder,
    shown: &str,
    path: &Path,
    file_bytes: &[u8],
    sha: Option<InputDigest>,
) -> Result<Outcome, LoadError> {
    let conn = open_store(shown, path, file_bytes.len() as u64, STORE_DEADLINE)?;
    let has_table: bool = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'evidence_metadata'", [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n > 0)
        .map_err(|e| store_problem(shown, "not a readable SQLite database", &e))?;
    if !has_table {
        return Err(LoadError::new(
            shown,
            "SQLite database has no `evidence_metadata` table (not a CAVRA evidence store)",
        ));
    }
    check_store_table(shown, &conn)?;
    let mut stmt = conn
        .prepare("SELECT session_id, payload FROM evidence_metadata ORDER BY session_id")
        .map_err(|e| store_problem(shown, "`evidence_metadata` table has an unexpected shape", &e))?;
    let mut rows = stmt.query([]).map_err(|e| store_problem(shown, "cannot query evidence_metadata", &e))?;
    let mut text = Vec::new();
    let mut spans = Vec::new();
    let mut seen_ids: foldhash::HashSet<String> = foldhash::HashSet::default();
    while let Some(row) = rows.next().map_err(|e| store_problem(shown, "cannot read evidence_metadata", &e))? {
        let sid: String = row.get::<_, Option<String>>(0).ok().flatten().unwrap_or_default();
        // CAVRA's table keys rows by session_id; two rows of one id (a table built without the key) would make
        // one of them invisible, so the store is refused rather than read half.
        if !seen_ids.insert(sid.clone()) {
            return Err(LoadError::new(
                shown,
                format!(
                    "two rows of evidence_metadata have session_id {:?}; CAVRA keeps one row per session_id, so this store is ambiguous",
                    crate::text::Text::new(sid.as_str()).shown()
                ),
            ));
        }
        let payload = match row.get_ref(1) {
            Ok(rusqlite::types::ValueRef::Text(t)) => t,
            Ok(rusqlite::types::ValueRef::Blob(t)) => t,
            Err(e) => {
                let row = format!("{shown} (row '{}')", crate::sanitize::clean(&sid));
                return Err(store_problem(&row, "payload cannot be read", &e));
            }
            _ => {
                return Err(LoadError::new(
                    shown,
                    format!("row '{}': payload is not JSON text", crate::sanitize::clean(&sid)),
                ));
            }
        };
        if text.len() as u64 + payload.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(shown, text.len() as u64 + payload.len() as u64, MAX_FILE_BYTES));
        }
        // Stored payloads live in the file, so together they cannot be larger than it: more means SQLite made
        // them up (a default or computed value), and the store is refused before it takes more memory.
        if text.len() as u64 + payload.len() as u64 > file_bytes.len() as u64 {
            return Err(LoadError::new(
                shown,
                "evidence_metadata yields more payload than the file holds (computed or default values); not a CAVRA evidence store",
            ));
        }
        let start = text.len();
        text.extend_from_slice(payload);
        spans.push((sid, start..text.len()));
        text.push(b'\n');
    }
    drop(rows);
    drop(stmt);
    let input = b.inputs.len();
    let mut units = Vec::with_capacity(spans.len());
    for (sid, span) in &spans {
        let row_shown = format!("{shown} (row '{}')", crate::sanitize::clean(sid));
        let slice = &text[span.clone()];
        let row_text =
            std::str::from_utf8(slice).map_err(|_| LoadError::new(&row_shown, "payload is not valid UTF-8"))?;
        // As for a JSON file: the fast scanner takes a well-formed payload without repeated keys; anything else
        // is checked by the slow path, which says what is wrong and where.
        if super::fastparse::top_doc(row_text).is_none() {
            super::parse::check_unique(row_text)
                .map_err(|e| LoadError::new(&row_shown, format!("payload: {}", describe_json_error_in(slice, &e))))?;
        }
        let head: ItemHead = serde_json::from_str(row_text)
            .map_err(|e| LoadError::new(&row_shown, format!("payload: {}", describe_json_error_in(slice, &e))))?;
        check_depth(&row_shown, &text, span.clone())?;
        // Spans from the row parse are relative to `slice`, which lives inside `text`: rebase by pointer.
        let (node, mut unit) = item_node(&row_shown, &text, input, &head, "", Some(sid), &mut b.tally)?;
        if unit.span == Span::from(0..text.len()) {
            unit.span = span.clone().into();
        }
        b.nodes.extend(node.map(|mut n| {
            n.unit = units.len() as u32;
            n
        }));
        units.push(unit);
    }
    b.inputs.push(Input {
        path: shown.to_string(),
        format: Format::MetadataStoreSqlite,
        sha: sha.unwrap_or_else(|| InputDigest::ready(canonical::sha256_hex(file_bytes))),
        size: file_bytes.len() as u64,
        flags: scan::flag(&text),
        bytes: heap(text),
        units,
        ref_notes: None,
    });
    Ok(Outcome::Loaded)
}

fn load_dir(b: &mut Builder, dir: &Path, opts: &LoadOptions) -> Result<(), LoadError> {
    let shown_dir = dir.display().to_string();
    let mut files = Vec::new();
    collect_files(dir, dir, 0, &mut files, &mut b.skipped).map_err(|e| LoadError::new(&shown_dir, io_problem(&e)))?;
    if files.len() > MAX_DIR_FILES {
        return Err(LoadError::new(
            &shown_dir,
            format!("directory holds more than {MAX_DIR_FILES} files; point closeout at the evidence folder itself"),
        ));
    }
    files.sort();
    for f in &files {
        let shown = f.display().to_string();
        let (bytes, sha) = read_bounded(f, &shown, opts)?;
        match load_file(b, &shown, Some(f), bytes, Some(sha), true)? {
            Outcome::NotEvidence(why) => b.skipped.push((shown, why)),
            Outcome::ReviewRecord => b.review_records.push(f.clone()),
            Outcome::Loaded => {}
        }
    }
    if b.nodes.is_empty() {
        let looked = if files.is_empty() {
            "it holds no files".to_string()
        } else {
            format!("looked at {} file(s), none is CAVRA evidence", files.len())
        };
        return Err(LoadError::new(&shown_dir, format!("no CAVRA evidence in this directory ({looked})")));
    }
    Ok(())
}

/// The regular files of an evidence directory, a few levels down; a FIFO, a socket or a device in it is never
/// opened, only listed as skipped.
fn collect_files(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
    skipped: &mut Vec<(String, String)>,
) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') && depth > 0 {
            continue;
        }
        let ft = entry.file_type()?;
        let p = entry.path();
        if ft.is_symlink() {
            // Follow a link only when it stays inside the evidence directory.
            match (fs::canonicalize(&p), fs::canonicalize(root)) {
                (Ok(target), Ok(root)) if target.starts_with(&root) && target.is_file() => out.push(p),
                (Ok(target), Ok(root)) if target.starts_with(&root) && !target.is_dir() => {
                    let what = fs::metadata(&target).map_or("not a file", |m| crate::files::kind_of(&m));
                    skipped.push((p.display().to_string(), format!("not a regular file (links to {what})")));
                }
                _ => {}
            }
        } else if ft.is_dir() {
            if depth < MAX_DIR_DEPTH && name != "target" && name != "node_modules" {
                collect_files(root, &p, depth + 1, out, skipped)?;
            }
        } else if ft.is_file() {
            out.push(p);
        } else if let Ok(meta) = entry.metadata() {
            skipped.push((p.display().to_string(), format!("not a regular file ({})", crate::files::kind_of(&meta))));
        }
        if out.len() > MAX_DIR_FILES {
            break;
        }
    }
    Ok(())
}

impl Builder {
    fn finish(mut self, source: String, opts: &LoadOptions) -> Result<Evidence, LoadError> {
        let trial_inputs = self.inputs.iter().filter(|i| i.format == Format::TrialPackage).count();
        let model = if trial_inputs > 0 {
            if trial_inputs > 1 || self.inputs.len() > 1 {
                return Err(LoadError::new(
                    &source,
                    "a trial package must be loaded on its own (this mixes it with other evidence)",
                ));
            }
            Model::TrialPackage
        } else {
            Model::Runtime
        };
        // Release scope: the chain is anchored on the release later (`model::Chain`); every artifact stays
        // loaded so other releases can be listed and shown as out of scope. A release nothing names is an error.
        if let Some(rel) = &opts.release
            && !self.nodes.iter().any(|n| n.release_ref.as_ref().is_some_and(|r| r.matches(rel)))
        {
            let mut known: Vec<&crate::text::Text> =
                self.nodes.iter().filter_map(|n| n.release_ref.as_deref()).collect();
            known.sort_unstable();
            known.dedup();
            let known: Vec<String> = known.iter().take(10).map(|r| r.to_string()).collect();
            return Err(LoadError::new(
                &source,
                format!(
                    "no evidence for release {:?} (--release); the evidence names {}",
                    crate::text::Text::new(rel.as_str()).shown(),
                    if known.is_empty() { "no release_record_ref".to_string() } else { known.join(", ") }
                ),
            ));
        }
        let t = std::time::Instant::now();
        // One artifact, one node: drop duplicates (one store given as both JSON and SQLite, API responses
        // repeating an artifact as a bare object and inside its metadata wrapper).
        let keep: Vec<bool> = {
            // Node numbers, hashed by what makes two nodes one artifact (a set of those keys was, for a store
            // of tiny items, the largest thing in memory while it was built).
            let key = |n: &Node| {
                use std::hash::BuildHasher;
                super::seeded().hash_one((&n.kind, n.id.raw(), n.created))
            };
            let same = |a: &Node, b: &Node| a.kind == b.kind && a.id.raw() == b.id.raw() && a.created == b.created;
            let nodes = &self.nodes;
            let mut seen = hashbrown::HashTable::<u32>::with_capacity(nodes.len());
            nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let h = key(n);
                    if seen.find(h, |&j| same(&nodes[j as usize], n)).is_some() {
                        return false;
                    }
                    seen.insert_unique(h, i as u32, |&j| key(&nodes[j as usize]));
                    true
                })
                .collect()
        };
        let before = self.nodes.len();
        let mut keep = keep.into_iter();
        self.nodes.retain(|_| keep.next().unwrap_or(true));
        drop_bare_deliveries_wrapped_elsewhere(&mut self.nodes, &self.inputs);
        let duplicates = before - self.nodes.len();
        crate::trace("duplicates dropped", t);
        // Latest per kind: newest created_at; on a tie, the first in store order.
        let mut best: foldhash::HashMap<Kind, usize> = foldhash::HashMap::default();
        for (i, n) in self.nodes.iter().enumerate() {
            match best.get(&n.kind) {
                Some(&j) if self.nodes[j].created >= n.created => {}
                _ => {
                    best.insert(n.kind.clone(), i);
                }
            }
        }
        for &i in best.values() {
            self.nodes[i].latest = true;
        }
        let by_id = IdIndex::build(&self.nodes);
        crate::trace("indexed", t);
        // No default evaluation time: evidence is judged as of now unless the caller says otherwise (a trial
        // package's `generated_at` is when it was written, not when it is judged). Embedded samples set theirs.
        let (label, edition) = match &self.trial {
            Some(t) => (t.name.clone().unwrap_or_else(|| "trial package".into()), t.edition.clone()),
            None => {
                let rel = opts.release.clone().or_else(|| {
                    [Kind::CloseoutSummary, Kind::ReadinessBundle, Kind::SignedArchiveManifest]
                        .iter()
                        .filter_map(|k| best.get(k))
                        .find_map(|&i| self.nodes[i].release_ref.as_ref().map(|r| r.raw().to_string()))
                });
                (rel.unwrap_or_else(|| "CAVRA evidence".into()), None)
            }
        };
        let mut evidence = Evidence {
            hashed_bytes: std::sync::atomic::AtomicU64::new(0),
            label: crate::text::Text::new(label),
            source: crate::text::Text::new(source),
            edition: edition.map(crate::text::Text::new),
            model,
            inputs: self.inputs,
            nodes: self.nodes,
            by_id,
            unknown_kinds: self.tally.unknown,
            redactions: Vec::new(),
            skipped: self.skipped,
            review_records: self.review_records,
            duplicates,
            release: opts.release.clone(),
            default_as_of: None,
            root: self.root,
            generation: super::Generation::next(),
            ref_targets: Default::default(),
            bundle_hashes: Default::default(),
            prepared_chain: None,
        };
        // Only artifact bundles have hash checks: their cells are kept here, not in every node.
        evidence.bundle_hashes = (0..evidence.nodes.len())
            .filter(|&i| evidence.nodes[i].kind == Kind::ArtifactBundle)
            .map(|i| (i, std::sync::OnceLock::new()))
            .collect();
        // Secrets are attributed to nodes on one thread while the reference targets are read on the others,
        // and the chain is built on this one: none of them reads what another computes.
        let (redactions, ref_targets, chain) = std::thread::scope(|s| {
            let secrets = s.spawn(|| {
                let t = std::time::Instant::now();
                let found = scan::attribute(&evidence);
                crate::trace("secrets attributed", t);
                found
            });
            let targets = s.spawn(|| {
                let t = std::time::Instant::now();
                let targets = evidence.collect_ref_targets();
                crate::trace("reference targets read", t);
                targets
            });
            let chain = opts.prepare_chain.then(|| crate::model::Chain::build(&evidence, evidence.release.as_deref()));
            (
                secrets.join().expect("secret attribution does not panic"),
                targets.join().expect("reading reference targets does not panic"),
                chain,
            )
        });
        evidence.redactions = redactions;
        evidence.ref_targets = ref_targets;
        evidence.prepared_chain = chain.and_then(Result::ok).map(std::sync::Arc::new);
        Ok(evidence)
    }
}

/// A bare connector delivery result (`cavra.connector.delivery.v1`, as an API response carries it) that a
/// `release-connector-delivery` wrapper in the evidence embeds identically is the same delivery: keep the
/// wrapper's node only (it carries the delivery's own id and the denormalised links).
fn drop_bare_deliveries_wrapped_elsewhere(nodes: &mut Vec<Node>, inputs: &[Input]) {
    let is_delivery = |k: &Kind| matches!(k, Kind::CloseoutDelivery | Kind::AlertDelivery | Kind::OtherDelivery);
    let bytes_of = |n: &Node| inputs.get(n.input as usize).and_then(|i| i.bytes.get(n.span.range()));
    let canonical = |n: &Node| -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(bytes_of(n)?).ok()?;
        Some(canonical::canonical_sha256_hex(&v))
    };
    let bare: Vec<usize> =
        (0..nodes.len()).filter(|&i| is_delivery(&nodes[i].kind) && nodes[i].wrapper.is_none()).collect();
    if bare.is_empty() {
        return;
    }
    let wrapped: foldhash::HashSet<String> =
        nodes.iter().filter(|n| is_delivery(&n.kind) && n.wrapper.is_some()).filter_map(&canonical).collect();
    let drop: foldhash::HashSet<usize> =
        bare.into_iter().filter(|&i| canonical(&nodes[i]).is_some_and(|d| wrapped.contains(&d))).collect();
    if drop.is_empty() {
        return;
    }
    let mut i = 0;
    nodes.retain(|_| {
        i += 1;
        !drop.contains(&(i - 1))
    });
}

/// Decode, hash-check and redact one artifact.
pub(super) fn materialize(evidence: &Evidence, i: usize) -> Result<Artifact, LoadError> {
    let node = &evidence.nodes[i];
    let input = &evidence.inputs[node.input as usize];
    let raw = &input.bytes[node.span.range()];
    let shown = match &node.row {
        Some(r) => format!("{} (row '{}')", input.path, crate::sanitize::clean(r)),
        None => input.path.clone(),
    };
    let json: serde_json::Value = serde_json::from_slice(raw).map_err(|e| LoadError::json(&shown, &e))?;
    if !json.is_object() {
        return Err(LoadError::new(&shown, format!("{} must be an object", node.pointer)));
    }
    let digest = canonical::canonical_sha256_hex(&json);
    let hashes = node_hashes(evidence, i).to_vec();
    let mut found = Vec::new();
    let fields = EValue::from_json(json, &mut found);
    let mut refs = Vec::new();
    collect_refs(&fields, node.id.raw(), &mut String::new(), false, &mut refs);
    Ok(Artifact { fields, refs, hashes, digest })
}

fn collect_refs(v: &EValue, own_id: &str, pointer: &mut String, ref_key: bool, out: &mut Vec<Reference>) {
    match v {
        EValue::String(s) if ref_key => {
            if let Some(target) = s.with_raw(|s| super::refscan::target_of(s).map(str::to_string))
                && target != own_id
                && !out.iter().any(|r| r.target == target)
            {
                out.push(Reference { field: pointer.clone(), target });
            }
        }
        EValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                push_token(pointer, &i.to_string());
                collect_refs(item, own_id, pointer, ref_key, out);
                pointer.truncate(len);
            }
        }
        EValue::Object(entries) => {
            for (k, item) in entries {
                let len = pointer.len();
                k.with_raw(|k| push_token(pointer, k));
                let is_ref = k.with_raw(super::refscan::is_ref_key);
                collect_refs(item, own_id, pointer, is_ref, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// The hash checks of an artifact-bundle node, computed once from just its `files[]`.
pub(super) fn node_hashes(evidence: &Evidence, i: usize) -> &[HashCheck] {
    let Some(cell) = evidence.bundle_hashes.get(&i) else { return &[] };
    cell.get_or_init(|| {
        let node = &evidence.nodes[i];
        #[derive(serde::Deserialize)]
        struct FilesOnly<'a> {
            #[serde(default, borrow)]
            files: Option<&'a RawValue>,
        }
        let raw = &evidence.inputs[node.input as usize].bytes[node.span.range()];
        let Ok(FilesOnly { files: Some(files) }) = serde_json::from_slice::<FilesOnly>(raw) else {
            return Box::default();
        };
        let Ok(entries) = serde_json::from_str::<Vec<&RawValue>>(files.get()) else { return Box::default() };
        hash_checks(evidence, &entries).into_boxed_slice()
    })
}

/// Check every `files[]` hash of an artifact bundle: embedded content is hashed as CAVRA hashes it, files
/// beside a directory bundle are hashed as bytes, anything else is not verifiable.
fn hash_checks(evidence: &Evidence, files: &[&RawValue]) -> Vec<HashCheck> {
    let trial = evidence.model == Model::TrialPackage;
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // An entry's fields, raw (a repeated key: the last one counts, as in a decoded object).
            let fields: HashMap<std::borrow::Cow<str>, &RawValue> =
                if f.get().starts_with('{') { serde_json::from_str(f.get()).unwrap_or_default() } else { HashMap::new() };
            let text = |k: &str| fields.get(k).and_then(|r| raw_str(r.get()));
            let file_name = fields.get("path").or_else(|| fields.get("name")).and_then(|r| raw_str(r.get()));
            let name = file_name
                .as_deref()
                .map(|n| crate::sanitize::clean(n).into_owned())
                .unwrap_or_else(|| format!("files[{i}]"));
            let expected = text("sha256").map(|s| s.trim().to_ascii_lowercase());
            let Some(expected) = expected.filter(|s| !s.is_empty()) else {
                return HashCheck { file: name, expected: None, actual: None, status: HashStatus::Missing, note: "no sha256 recorded".into() };
            };
            let well_formed = expected.len() == 64 && expected.bytes().all(|c| c.is_ascii_hexdigit());
            if let Some(content) = fields.get("content") {
                let actual = content_sha256(evidence, content.get());
                let status = if actual == expected { HashStatus::Verified } else { HashStatus::Mismatch };
                let note = if status == HashStatus::Verified {
                    "embedded content hashes to the recorded sha256".to_string()
                } else {
                    "embedded content does not hash to the recorded sha256".to_string()
                };
                return HashCheck { file: name, expected: Some(expected), actual: Some(actual), status, note };
            }
            match bundle_file(evidence, file_name.as_deref()) {
                Some(Ok(actual)) => {
                    let status = if actual == expected { HashStatus::Verified } else { HashStatus::Mismatch };
                    HashCheck { file: name, expected: Some(expected), actual: Some(actual), status, note: "hashed the file beside the evidence".into() }
                }
                Some(Err(why)) => HashCheck { file: name, expected: Some(expected), actual: None, status: HashStatus::NotVerifiable, note: why },
                None => {
                    let note = if !well_formed {
                        "recorded value is not a SHA-256 hex digest".to_string()
                    } else if trial {
                        "the trial package records hashes without content (CAVRA's published sample's hashes are synthetic)".to_string()
                    } else {
                        "no embedded content and no file beside the evidence to hash".to_string()
                    };
                    HashCheck { file: name, expected: Some(expected), actual: None, status: HashStatus::NotVerifiable, note }
                }
            }
        })
        .collect()
}

/// SHA-256 of embedded content as CAVRA computes it: of Python's `json.dumps(content, sort_keys=True)`.
/// Content that does not decode cannot match: it is hashed as it stands.
fn content_sha256(evidence: &Evidence, raw: &str) -> String {
    let mut canon = Vec::new();
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(content) => canonical::python_dumps_sorted(&content, &mut canon),
        Err(_) => canon.extend_from_slice(raw.as_bytes()),
    }
    evidence.hashed_bytes.fetch_add(canon.len() as u64, std::sync::atomic::Ordering::Relaxed);
    canonical::sha256_hex(&canon)
}

/// Hash the file an artifact-bundle entry names, if it is inside the evidence directory.
fn bundle_file(evidence: &Evidence, name: Option<&str>) -> Option<Result<String, String>> {
    let root = evidence.root.as_ref()?;
    let name = name?;
    let rel = Path::new(name);
    if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Some(Err(format!("refused: {:?} points outside the evidence directory", crate::sanitize::clean(name))));
    }
    let path = root.join(rel);
    if !path.exists() {
        return None;
    }
    let (Ok(real), Ok(real_root)) = (fs::canonicalize(&path), fs::canonicalize(root)) else {
        return Some(Err("cannot resolve the file".into()));
    };
    if !real.starts_with(&real_root) {
        return Some(Err("refused: the file links outside the evidence directory".into()));
    }
    let result = hash_file(&real, MAX_HASHED_FILE_BYTES);
    if result.is_ok() {
        let size = fs::metadata(&real).map_or(0, |m| m.len());
        evidence.hashed_bytes.fetch_add(size, std::sync::atomic::Ordering::Relaxed);
    }
    Some(result)
}

/// SHA-256 of a file's bytes, streamed. Large files are read on one thread while another hashes, so reading
/// costs no hashing time (an mmap would be as fast but can fault if the file is truncated under us).
pub fn hash_file(path: &Path, max: u64) -> Result<String, String> {
    use sha2::Digest;
    const CHUNK: usize = 4 << 20;
    let (mut file, meta) = crate::files::open_regular(path).map_err(|e| e.to_string())?;
    if meta.len() > max {
        return Err(format!("file is larger than {} MiB", max >> 20));
    }
    let mut hasher = sha2::Sha256::new();
    if meta.len() < 2 * CHUNK as u64 {
        let mut buf = Vec::with_capacity(meta.len() as usize);
        file.read_to_end(&mut buf).map_err(|e| io_problem(&e))?;
        hasher.update(&buf);
        return Ok(canonical::hex(&hasher.finalize()));
    }
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(2);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    for _ in 0..3 {
        empty_tx.send(vec![0u8; CHUNK]).expect("receiver alive");
    }
    let read_result = std::thread::scope(|s| {
        let reader = s.spawn(move || -> Result<(), String> {
            for mut buf in empty_rx.iter() {
                let mut filled = 0;
                while filled < buf.len() {
                    match file.read(&mut buf[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(io_problem(&e)),
                    }
                }
                if filled == 0 || full_tx.send((buf, filled)).is_err() {
                    break;
                }
            }
            Ok(())
        });
        for (buf, n) in full_rx.iter() {
            hasher.update(&buf[..n]);
            // Once the reader is done it stops taking buffers back; keep draining what it queued.
            let _ = empty_tx.send(buf);
        }
        drop(empty_tx);
        reader.join().unwrap_or_else(|_| Err("reader thread failed".into()))
    });
    read_result?;
    Ok(canonical::hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Split validation answers as the standard library does, whatever falls at or around the split: a
    /// character across the middle, an invalid byte in either half, a half with no ASCII byte near the middle.
    #[test]
    fn utf8_validated_in_halves_agrees_with_the_standard_library() {
        let len = SPLIT_VALIDATION_BYTES + 10;
        let mid = len / 2;
        let filled = |fill: &[u8]| -> Vec<u8> { fill.iter().copied().cycle().take(len).collect() };
        let mut cases: Vec<Vec<u8>> = vec![filled(b"ab"), filled("é".as_bytes()), filled("ab€".as_bytes())];
        for at in [0, mid - 2, mid - 1, mid, mid + 1, len - 1] {
            let mut bad = filled(b"xy");
            bad[at] = 0xff;
            cases.push(bad);
            // A lone continuation byte, and a lead byte whose continuation is cut off by an ASCII byte.
            let mut lone = filled(b"xy");
            lone[at] = 0x80;
            cases.push(lone);
            let mut cut = filled(b"xy");
            cut[at] = 0xc3;
            cases.push(cut);
        }
        // Three-byte characters on both sides of the middle, one of them cut short right after it.
        let mut straddle = filled(b"a");
        straddle[mid - 1..mid + 2].copy_from_slice("€".as_bytes());
        cases.push(straddle.clone());
        straddle[mid + 1] = b'a';
        cases.push(straddle);
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(validate_utf8(case).is_ok(), std::str::from_utf8(case).is_ok(), "case {i}");
        }
        assert_eq!(validate_utf8(b"short \xc3\xa9").ok(), Some("short é"));
    }
}
