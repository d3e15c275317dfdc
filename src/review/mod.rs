//! Retry-plan review records (`closeout.review.v1`): the outcome of a reviewer stepping through each failed
//! closeout delivery, and the owner acceptance they recorded.
//!
//! A record is evidence: [`to_acceptance`] turns it into an [`Acceptance`] that counts only while it is
//! unexpired and every artifact it reviewed still has the digest it had when reviewed. Records are written
//! atomically (temporary file, then rename), never over an evidence file, and never hold a secret: free text
//! typed by a person is checked with the same detector as evidence and redacted before it is stored.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod panes;

use crate::evidence::canonical::{canonical_sha256_hex, sha256_hex};
use crate::evidence::value::classify_string;
use crate::evidence::{Evidence, Kind, LoadError, RedactedBy};
use crate::health::{Acceptance, AcceptanceSource, CriterionId, Report, Status};
use crate::text::Text;
use crate::time::{fmt_instant, parse_instant};

/// Schema of a review record.
pub const REVIEW_SCHEMA: &str = "closeout.review.v1";

/// The largest review record closeout reads.
const MAX_RECORD_BYTES: u64 = 4 << 20;

/// The five panes of a retry-plan review, in order.
pub const PANES: [&str; 5] =
    ["failed_delivery", "retry_decision", "worker_evidence", "boundary_check", "owner_acceptance"];

/// One reviewed artifact, pinned by the SHA-256 of its canonical JSON. `id` is the artifact id as closeout
/// shows it (sanitised; a secret id is its redaction marker and fingerprint), so a record never stores a
/// secret and still names the artifact; `kind` is the stable kind name (older records' labels still read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewedArtifact {
    pub id: String,
    pub kind: String,
    pub sha256: String,
}

/// What the reviewer concluded on one pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaneOutcome {
    pub pane: String,
    /// `reviewed`, `flagged` or `skipped`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The review of one failed delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReview {
    pub delivery_id: String,
    pub panes: Vec<PaneOutcome>,
}

/// The owner acceptance typed in the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceRecord {
    pub owner: String,
    #[serde(default)]
    pub external_ref: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub target_resolution_date: Option<String>,
    pub expires_at: String,
    /// Criterion ids the acceptance covers (stable ids; titles written by older builds still read).
    pub covers: Vec<String>,
}

/// A review record, as written to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub schema: String,
    pub tool: String,
    pub reviewer: String,
    /// When the review was recorded.
    pub reviewed_at: String,
    /// The evaluation time the reviewer saw.
    pub as_of: String,
    pub evidence_label: String,
    pub artifacts: Vec<ReviewedArtifact>,
    pub deliveries: Vec<DeliveryReview>,
    #[serde(default)]
    pub acceptance: Option<AcceptanceRecord>,
    /// SHA-256 of the record's canonical JSON without this field: edits after writing are detected.
    #[serde(default)]
    pub record_sha256: String,
}

impl ReviewRecord {
    fn body_digest(&self) -> String {
        let mut copy = self.clone();
        copy.record_sha256 = String::new();
        let mut v = serde_json::to_value(&copy).expect("record serializes");
        if let Some(o) = v.as_object_mut() {
            o.remove("record_sha256");
        }
        canonical_sha256_hex(&v)
    }

    /// Seal the record: compute `record_sha256`.
    pub fn seal(mut self) -> Self {
        self.record_sha256 = self.body_digest();
        self
    }

    pub fn is_intact(&self) -> bool {
        self.record_sha256 == self.body_digest()
    }
}

/// What the reviewer typed in the acceptance pane, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcceptanceInput {
    pub owner: String,
    pub external_ref: String,
    pub reason: String,
    pub target_resolution_date: String,
    pub expires_at: String,
}

/// A problem with one field of the acceptance form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Validate the acceptance form: owner and reason required, dates parse, expiry after the evaluation time,
/// and no secret in any field.
pub fn validate_acceptance(input: &AcceptanceInput, as_of: DateTime<Utc>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut need = |field: &'static str, value: &str, what: &str| {
        if value.trim().is_empty() {
            errors.push(FieldError { field, message: format!("{what} is required") });
        }
    };
    need("owner", &input.owner, "owner");
    need("reason", &input.reason, "reason");
    need("expires_at", &input.expires_at, "expiry");
    if !input.expires_at.trim().is_empty() {
        match parse_instant(&input.expires_at) {
            None => errors
                .push(FieldError { field: "expires_at", message: "not a date (use YYYY-MM-DD or RFC 3339)".into() }),
            Some(end) if end <= as_of => errors.push(FieldError {
                field: "expires_at",
                message: format!("must be after the evaluation time {}", fmt_instant(as_of)),
            }),
            Some(_) => {}
        }
    }
    if !input.target_resolution_date.trim().is_empty() && parse_instant(&input.target_resolution_date).is_none() {
        errors.push(FieldError {
            field: "target_resolution_date",
            message: "not a date (use YYYY-MM-DD or RFC 3339)".into(),
        });
    }
    for (field, value) in [("owner", &input.owner), ("external_ref", &input.external_ref), ("reason", &input.reason)] {
        if let Some((kind, RedactedBy::Closeout)) = classify_string(value, false) {
            errors.push(FieldError {
                field,
                message: format!("looks like a secret ({}); records never hold secrets", kind.label()),
            });
        }
    }
    errors
}

/// Free text with anything secret-looking replaced, so a record never stores a secret.
pub fn scrub(text: &str) -> String {
    match classify_string(text, false) {
        Some((kind, RedactedBy::Closeout)) => format!("«REDACTED: {}»", kind.label()),
        _ => crate::sanitize::clean(text).into_owned(),
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| scrub(t))
}

/// The artifacts a review pins: every artifact the findings it accepts cite (the failed delivery, the retry
/// plan, worker runs and execution records, the health report, …). If any of them changes, or a finding it
/// covers comes to cite an artifact it did not pin, the acceptance is void.
pub fn reviewed_artifacts(
    ev: &Evidence,
    report: &Report,
    covers: &[CriterionId],
) -> Result<Vec<ReviewedArtifact>, LoadError> {
    let mut nodes: Vec<usize> = Vec::new();
    for f in report.findings.iter().filter(|f| covers.contains(&f.id)) {
        for n in f.nodes() {
            if !nodes.contains(&n) {
                nodes.push(n);
            }
        }
    }
    nodes
        .into_iter()
        .map(|i| {
            Ok(ReviewedArtifact {
                id: ev.nodes[i].id.to_string(),
                kind: ev.nodes[i].kind.stable(),
                sha256: ev.artifact(i)?.digest.clone(),
            })
        })
        .collect()
}

/// Everything needed to build a record.
pub struct RecordInput<'a> {
    pub reviewer: &'a str,
    pub reviewed_at: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub deliveries: Vec<DeliveryReview>,
    pub acceptance: Option<&'a AcceptanceInput>,
    /// Criteria the acceptance covers (the ones that warn).
    pub covers: Vec<CriterionId>,
}

/// The criteria an acceptance recorded now would cover: every criterion that warns.
pub fn warned(report: &Report) -> Vec<CriterionId> {
    report.findings.iter().filter(|f| f.status == Status::Warn).map(|f| f.id).collect()
}

/// Build and seal a review record over the loaded evidence and its report.
pub fn build_record(ev: &Evidence, report: &Report, input: RecordInput) -> Result<ReviewRecord, LoadError> {
    let artifacts = reviewed_artifacts(ev, report, &input.covers)?;
    if input.acceptance.is_some() && artifacts.is_empty() {
        return Err(LoadError::new(
            "review",
            "nothing to accept: no warning cites an artifact, so the record would pin nothing",
        ));
    }
    let deliveries = input
        .deliveries
        .into_iter()
        .map(|d| DeliveryReview {
            delivery_id: scrub(&d.delivery_id),
            panes: d
                .panes
                .into_iter()
                .map(|p| PaneOutcome { pane: p.pane, outcome: p.outcome, note: p.note.as_deref().and_then(opt) })
                .collect(),
        })
        .collect();
    let acceptance = input.acceptance.map(|a| AcceptanceRecord {
        owner: scrub(a.owner.trim()),
        external_ref: opt(&a.external_ref),
        reason: scrub(a.reason.trim()),
        target_resolution_date: opt(&a.target_resolution_date),
        expires_at: scrub(a.expires_at.trim()),
        covers: input.covers.iter().map(|c| c.as_str().to_string()).collect(),
    });
    Ok(ReviewRecord {
        schema: REVIEW_SCHEMA.into(),
        tool: crate::report::tool_version(),
        reviewer: scrub(input.reviewer.trim()),
        reviewed_at: fmt_instant(input.reviewed_at),
        as_of: fmt_instant(input.as_of),
        evidence_label: ev.label.to_string(),
        artifacts,
        deliveries,
        acceptance,
        record_sha256: String::new(),
    }
    .seal())
}

/// Read a review record, with clear errors.
pub fn load_record(path: &Path) -> Result<ReviewRecord, LoadError> {
    let shown = path.display().to_string();
    // Bounded, and a regular file only: a FIFO or /dev/zero named as a record is refused before it is opened.
    let bytes = crate::files::read_regular(path, MAX_RECORD_BYTES).map_err(|e| LoadError::new(&shown, e))?;
    check_record_json(&shown, &bytes)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| LoadError::json_in(&shown, &bytes, &e))?;
    if value.get("schema").and_then(|s| s.as_str()) != Some(REVIEW_SCHEMA) {
        return Err(LoadError::new(
            &shown,
            format!("not a closeout review record (expected \"schema\": \"{REVIEW_SCHEMA}\")"),
        ));
    }
    serde_json::from_value(value).map_err(|e| LoadError::new(&shown, format!("review record has the wrong shape: {e}")))
}

/// A review record's JSON, validated as evidence is: a key repeated in one object is refused (which copy
/// counts would decide what the record accepts).
pub(crate) fn check_record_json(shown: &str, bytes: &[u8]) -> Result<(), LoadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| LoadError::new(shown, "not UTF-8 text"))?;
    crate::evidence::parse::check_unique(text).map_err(|e| LoadError::json_in(shown, bytes, &e))
}

/// The acceptance a record grants against the loaded evidence. Void (with the reason) when the record was
/// edited, pins nothing, or an artifact it pinned is gone or changed; expiry and whether the findings it
/// covers still rest only on what it pinned are judged at evaluation (`Acceptance::standing`).
pub fn to_acceptance(record: &ReviewRecord, path: &str, ev: &Evidence) -> Result<Option<Acceptance>, LoadError> {
    let Some(a) = &record.acceptance else { return Ok(None) };
    let void_reason = void_reason(record, ev)?;
    let text = |s: &str| Text::new(s).to_string();
    let mut covers = Vec::new();
    let mut unknown = Vec::new();
    for c in &a.covers {
        match CriterionId::parse(c) {
            Some(id) => covers.push(id),
            None => unknown.push(text(c)),
        }
    }
    let void_reason = void_reason.or_else(|| {
        (!unknown.is_empty()).then(|| format!("the record covers unknown criteria: {}", unknown.join(", ")))
    });
    Ok(Some(Acceptance {
        source: AcceptanceSource::ReviewRecord { path: crate::sanitize::clean(path).into_owned() },
        owner: Some(text(&a.owner)),
        reason: Some(text(&a.reason)),
        external_ref: a.external_ref.as_deref().map(text),
        expires_at: Some(text(&a.expires_at)),
        target_date: a.target_resolution_date.as_deref().map(text),
        covers: Some(covers),
        pins: Some(record.artifacts.iter().map(|p| p.id.clone()).collect()),
        void_reason,
        signature: None,
    }))
}

fn void_reason(record: &ReviewRecord, ev: &Evidence) -> Result<Option<String>, LoadError> {
    if !record.is_intact() {
        return Ok(Some("the record was modified after it was written (record_sha256 does not match)".into()));
    }
    if record.acceptance.is_some() && record.artifacts.is_empty() {
        return Ok(Some("the record pins no artifact, so it binds to no evidence".into()));
    }
    // Shown ids of the evidence's nodes, for the pins (records store ids as closeout shows them).
    let shown: std::collections::HashMap<String, Vec<usize>> = {
        let mut m: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        let wanted: std::collections::HashSet<&str> = record.artifacts.iter().map(|a| a.id.as_str()).collect();
        for (i, n) in ev.nodes.iter().enumerate() {
            let s = n.id.to_string();
            if wanted.contains(s.as_str()) {
                m.entry(s).or_default().push(i);
            }
        }
        m
    };
    for art in &record.artifacts {
        let kind = Kind::from_stable(&art.kind);
        let label = kind.as_ref().map_or_else(|| Text::new(art.kind.as_str()).to_string(), |k| k.name().to_string());
        let nodes: Vec<usize> = shown
            .get(&art.id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&n| kind.as_ref().is_none_or(|k| &ev.nodes[n].kind == k))
            .collect();
        if nodes.is_empty() {
            return Ok(Some(format!("reviewed {label} {} is not in the evidence", Text::new(art.id.as_str()))));
        }
        let mut matched = false;
        for n in nodes {
            if ev.artifact(n)?.digest == art.sha256 {
                matched = true;
            }
        }
        if !matched {
            return Ok(Some(format!("{label} {} changed since the review", Text::new(art.id.as_str()))));
        }
    }
    Ok(None)
}

/// Load review records and turn them into acceptances against the evidence.
pub fn acceptances(paths: &[PathBuf], ev: &Evidence) -> Result<Vec<Acceptance>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        let record = load_record(p)?;
        if let Some(a) = to_acceptance(&record, &p.display().to_string(), ev)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// The directory a review record goes to by default: the evidence's directory, else the current one (`.`,
/// also for a bare file name such as `store.json`, whose parent is the empty path).
pub fn default_dir(ev: &Evidence) -> PathBuf {
    ev.root().filter(|d| !d.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Where a review record goes by default: beside the evidence ([`default_dir`]), named after the review time.
pub fn default_path(ev: &Evidence, reviewed_at: DateTime<Utc>) -> PathBuf {
    default_dir(ev).join(format!("closeout-review-{}.json", reviewed_at.format("%Y%m%dT%H%M%SZ")))
}

/// Where a review saved now goes: `review_out` when given (`--review-out`), else [`default_path`]. The form's
/// preview and the save both call this.
pub fn save_path(review_out: Option<&Path>, ev: &Evidence, reviewed_at: DateTime<Utc>) -> PathBuf {
    review_out.map(Path::to_path_buf).unwrap_or_else(|| default_path(ev, reviewed_at))
}

/// Whether a record may be written at `path`: never over (or through a link to) a loaded evidence file, never
/// to a directory, FIFO or device, and never over an existing file that is not a review record. Checked at
/// start-up for `--review-out` and again when the record is written.
pub fn check_review_out(path: &Path, ev: &Evidence) -> Result<(), LoadError> {
    let shown = crate::sanitize::clean(&path.display().to_string()).into_owned();
    let target = path.canonicalize().ok();
    for input in &ev.inputs {
        let input_path = Path::new(&input.path).canonicalize().ok();
        if target.is_some() && input_path == target {
            return Err(LoadError::new(&shown, "refusing to write a review record over an evidence file"));
        }
    }
    // Checked before anything is read: a directory, a FIFO or a device (`--review-out /dev/zero`) is refused at
    // once; only an existing regular file is read, bounded, to see whether it is a record.
    let exists = crate::files::check_output(path).map_err(|e| LoadError::new(&shown, e))?;
    if exists && load_record(path).is_err() {
        return Err(LoadError::new(&shown, "refusing to replace a file that is not a closeout review record"));
    }
    Ok(())
}

/// The acceptance an input would grant over every warning of `report` (for the verdict preview).
fn candidate(input: &AcceptanceInput, report: &Report, path: &str) -> Acceptance {
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Acceptance {
        source: AcceptanceSource::ReviewRecord { path: crate::sanitize::clean(path).into_owned() },
        owner: opt(&input.owner),
        reason: opt(&input.reason),
        external_ref: opt(&input.external_ref),
        expires_at: opt(&input.expires_at),
        target_date: opt(&input.target_resolution_date),
        covers: Some(warned(report)),
        pins: None,
        void_reason: None,
        signature: None,
    }
}

/// The verdict and its reason once this acceptance (to be saved at `path`) is added to those in force, by
/// the verdict rule itself ([`crate::health::verdict_with`] under the report's policy).
pub fn verdict_if_accepted(
    report: &Report,
    in_force: &[Acceptance],
    input: &AcceptanceInput,
    as_of: DateTime<Utc>,
    path: &str,
) -> (crate::health::Verdict, String) {
    let mut all = in_force.to_vec();
    all.push(candidate(input, report, path));
    let (verdict, reason, _, _) = crate::health::verdict_with(&report.findings, &all, as_of, &report.policy);
    (verdict, reason)
}

/// Why no acceptance can change this report's verdict, when none can: even a complete, unexpired acceptance
/// of every warning leaves it blocked (a criterion that fails is not acceptable risk). `None` when an
/// acceptance can make the release ready.
pub fn cannot_change_verdict(report: &Report, as_of: DateTime<Utc>) -> Option<String> {
    let full = AcceptanceInput {
        owner: "owner".into(),
        external_ref: String::new(),
        reason: "reason".into(),
        target_resolution_date: String::new(),
        expires_at: "9999-12-31".into(),
    };
    let (verdict, reason) = verdict_if_accepted(report, &[], &full, as_of, "this review");
    (verdict == crate::health::Verdict::Blocked).then_some(reason)
}

/// A warning that does not block saving: the expiry falls before the target resolution date.
pub fn acceptance_warnings(input: &AcceptanceInput) -> Vec<FieldError> {
    let mut out = Vec::new();
    if let (Some(target), Some(expiry)) =
        (parse_instant(&input.target_resolution_date), parse_instant(&input.expires_at))
        && expiry < target
    {
        out.push(FieldError {
            field: "expires_at",
            message: format!(
                "the expiry {} is before the target resolution date {}: the acceptance ends before the fix is due",
                fmt_instant(expiry),
                fmt_instant(target)
            ),
        });
    }
    out
}

/// Write a record atomically: a temporary file in the same directory, flushed and synced, then renamed over
/// the target. Refuses to replace an evidence file (any loaded input, or an existing file that is not a
/// review record). On any failure no partial file is left behind.
pub fn write_atomic(path: &Path, record: &ReviewRecord, ev: &Evidence) -> Result<(), LoadError> {
    let shown = path.display().to_string();
    check_review_out(path, ev)?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "review.json".into());
    let mut text = serde_json::to_string_pretty(record).expect("record serializes");
    text.push('\n');
    let nonce = sha256_hex(format!("{}{}", record.record_sha256, std::process::id()).as_bytes());
    let tmp = dir.join(format!(".{name}.{}.tmp", &nonce[..12]));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(LoadError::new(&shown, format!("could not write the review record: {e}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
