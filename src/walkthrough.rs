//! Guided walkthroughs: the customer trial, the timed sales-engineering demo and the operator runbook, as data
//! files in `walkthroughs/` (format: `walkthroughs/README.md`).
//!
//! This module owns the format: loading with clear errors ([`load_str`]), the rules a file must keep
//! ([`Walkthrough::validate`]), the embedded files ([`builtin`], [`find`]), checking a file's focus targets
//! against loaded evidence ([`Walkthrough::missing_targets`]) and the closing summary as markdown
//! ([`follow_up_markdown`]). It knows nothing of terminals: the walkthrough pane reads it.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, Kind};
use crate::health::CRITERIA;
use crate::sanitize::clean;

/// The `schema` value every walkthrough file carries.
pub const SCHEMA: &str = "closeout.walkthrough.v1";

/// The pseudo step id that ticks refer to for items of the top-level `success_checklist`.
pub const SUCCESS_CHECKLIST: &str = "success-checklist";

/// The embedded walkthrough files: (file name, text).
const FILES: &[(&str, &str)] = &[
    ("trial-walkthrough.json", include_str!("../walkthroughs/trial-walkthrough.json")),
    ("sales-demo.json", include_str!("../walkthroughs/sales-demo.json")),
    ("operator-runbook.json", include_str!("../walkthroughs/operator-runbook.json")),
];

/// One walkthrough file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Walkthrough {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Short name for the command line (`closeout walk NAME`).
    pub name: String,
    pub title: String,
    /// Who it is written for.
    pub audience: Vec<String>,
    /// Whether someone presents it to an audience (the default) or the reader walks it alone.
    #[serde(default, skip_serializing_if = "Delivery::is_presented")]
    pub delivery: Delivery,
    /// Planned length; when given, step minutes must add up to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    /// The embedded sample the file's node ids belong to; absent: written for any evidence (focus by kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Where the steps come from (a document name), for people maintaining the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Timed parts of the session (the sales demo's framing, walkthrough, ...); steps name theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    pub steps: Vec<Step>,
    /// What the audience should be able to do by the end.
    #[serde(default)]
    pub success_checklist: Vec<String>,
    /// What to send or agree after the session.
    #[serde(default)]
    pub follow_ups: Vec<String>,
}

/// How a walkthrough is delivered: the voice its text is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// Someone presents it to an audience (the sales demo): presenter notes, questions to ask the room.
    #[default]
    Presented,
    /// The reader walks it alone (the customer trial): the text speaks to the reader, never about a presenter
    /// or an audience (see [`presenter_voice`]).
    SelfGuided,
}

impl Delivery {
    pub fn is_presented(&self) -> bool {
        *self == Delivery::Presented
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Presented => "presented",
            Delivery::SelfGuided => "self-guided",
        }
    }
}

/// Phrases that speak to or about a presenter or an audience, which a self-guided walkthrough may not use
/// (matched case-insensitively, at the start of a word).
pub const PRESENTER_PHRASES: [&str; 4] = ["the customer", "the audience", "the presenter", "ask the"];

/// Why `text` speaks to or about a presenter or an audience: `starts with "Ask"` or `contains "the customer"`;
/// [`None`] when it is written for a reader alone. Case-insensitive; a phrase only counts at the start of a word
/// (so "task the" is not "ask the").
pub fn presenter_voice(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let first = lower.trim_start().split(|c: char| !c.is_alphanumeric()).next().unwrap_or_default();
    if first == "ask" {
        return Some("starts with \"Ask\"".to_string());
    }
    PRESENTER_PHRASES.iter().find_map(|phrase| {
        let hit = lower
            .match_indices(phrase)
            .any(|(i, _)| lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric()));
        hit.then(|| format!("contains {phrase:?}"))
    })
}

/// A timed part of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub minutes: u32,
}

/// One step of a walkthrough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The section this step belongs to (required when the walkthrough has sections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Planned minutes for the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// What the presenter says, or what the reader should notice.
    pub narration: String,
    pub focus: Focus,
    /// Things to confirm at this step; the user ticks them.
    #[serde(default)]
    pub checklist: Vec<String>,
    /// Questions to ask the audience at this step (self-guided: for the reader to reflect on).
    #[serde(default)]
    pub questions: Vec<String>,
}

/// Where a step moves the app's focus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Focus {
    pub pane: FocusPane,
    /// A CAVRA kind name as [`Kind::name`] returns it ("retry plan"); selects the latest node of that kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A node id in the walkthrough's evidence; wins over `kind` for selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// A criterion id of [`CRITERIA`] to highlight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// For a `review` focus: the retry-plan review's pane to open at, 1-based (1 the failed delivery ...
    /// 5 the owner acceptance); absent: pane 1. Validated to [`REVIEW_PANES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_pane: Option<u32>,
}

/// The retry-plan review's panes a `review_pane` may name (1-based).
pub const REVIEW_PANES: std::ops::RangeInclusive<u32> = 1..=5;

/// The panes a step can focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FocusPane {
    Tree,
    Detail,
    Boundary,
    Health,
    Review,
    Verdict,
}

impl FocusPane {
    pub const ALL: [FocusPane; 6] = [
        FocusPane::Tree,
        FocusPane::Detail,
        FocusPane::Boundary,
        FocusPane::Health,
        FocusPane::Review,
        FocusPane::Verdict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FocusPane::Tree => "tree",
            FocusPane::Detail => "detail",
            FocusPane::Boundary => "boundary",
            FocusPane::Health => "health",
            FocusPane::Review => "review",
            FocusPane::Verdict => "verdict",
        }
    }
}

impl Focus {
    /// The focused kind, if the file names one ([`None`] also for a name that is not a kind; validation
    /// rejects those).
    pub fn kind(&self) -> Option<Kind> {
        let name = self.kind.as_deref()?;
        Kind::known().into_iter().find(|k| k.name() == name)
    }

    /// The node this focus selects in `ev`: the node with the given id (of the given kind, when both are
    /// named), else the latest node of the kind, else the newest one.
    pub fn resolve(&self, ev: &Evidence) -> Option<usize> {
        let kind = self.kind();
        if let Some(id) = &self.node {
            return ev.find(id).iter().copied().find(|&n| kind.as_ref().is_none_or(|k| &ev.nodes[n].kind == k));
        }
        let kind = kind?;
        ev.latest(&kind).or_else(|| ev.all(&kind).last().copied())
    }

    /// "retry plan closeout-retry-plan-… (criterion retry_workflow) in the Retry plan review, pane 2": the
    /// target, and where on screen it shows, named as the screen titles it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(k) = &self.kind {
            parts.push(k.clone());
        }
        if let Some(n) = &self.node {
            parts.push(n.clone());
        }
        if let Some(c) = &self.criterion {
            parts.push(format!("(criterion {c})"));
        }
        let target = if parts.is_empty() { String::new() } else { format!("{} ", parts.join(" ")) };
        format!("{target}{}", self.where_shown())
    }

    /// Where the step's target shows, in the words the screen's titles use.
    pub fn where_shown(&self) -> String {
        match self.pane {
            FocusPane::Tree => "in the Evidence chain".to_string(),
            FocusPane::Detail => "in the Detail pane".to_string(),
            FocusPane::Boundary => "in the Boundary view".to_string(),
            FocusPane::Health => "in the Health pane".to_string(),
            FocusPane::Verdict => "at the verdict, in the header and the Health pane".to_string(),
            FocusPane::Review => format!("in the Retry plan review, pane {}", self.review_pane.unwrap_or(1)),
        }
    }

    /// The words of the screen's title that show this focus is where it should be ("Evidence chain",
    /// "Detail", ...): tests check the screen shows them once the step is applied.
    pub fn screen_title(&self) -> &'static str {
        match self.pane {
            FocusPane::Tree => "Evidence chain",
            FocusPane::Detail => "Detail",
            FocusPane::Boundary => "Boundary",
            FocusPane::Health | FocusPane::Verdict => "Health",
            FocusPane::Review => "Retry plan review",
        }
    }
}

impl Walkthrough {
    /// True when the reader walks it alone (`"delivery": "self-guided"`).
    pub fn is_self_guided(&self) -> bool {
        self.delivery == Delivery::SelfGuided
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Planned minutes of all steps that give minutes.
    pub fn planned_minutes(&self) -> u32 {
        sum_minutes(self.steps.iter().filter_map(|s| s.minutes))
    }

    /// Planned minutes from the start up to (not including) step `index`: where a timed session should be
    /// when that step begins.
    pub fn planned_start(&self, index: usize) -> u32 {
        sum_minutes(self.steps.iter().take(index).filter_map(|s| s.minutes))
    }

    /// Every rule a walkthrough file must keep, as a list of problems (empty: valid).
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut push = |at: String, kind: ProblemKind| out.push(Problem { at, kind });
        if self.schema != SCHEMA {
            push("schema".into(), ProblemKind::WrongSchema(self.schema.clone()));
        }
        for (field, value) in [("name", &self.name), ("title", &self.title)] {
            if value.trim().is_empty() {
                push(field.into(), ProblemKind::Empty(field));
            }
        }
        if let Some(sample) = &self.evidence
            && crate::samples::get(sample).is_none()
        {
            push("evidence".into(), ProblemKind::UnknownSample(sample.clone()));
        }
        if self.steps.is_empty() {
            push("steps".into(), ProblemKind::NoSteps);
        }
        let mut section_ids = BTreeSet::new();
        for (i, sec) in self.sections.iter().enumerate() {
            if !section_ids.insert(sec.id.as_str()) {
                push(format!("sections[{i}]"), ProblemKind::DuplicateSection(sec.id.clone()));
            }
        }
        let mut step_ids = BTreeSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            let at = |field: &str| format!("steps[{i}] ({:?}).{field}", step.id);
            if step.id.trim().is_empty() {
                push(at("id"), ProblemKind::Empty("id"));
            } else if step.id == SUCCESS_CHECKLIST {
                push(at("id"), ProblemKind::ReservedStepId);
            } else if !step_ids.insert(step.id.as_str()) {
                push(at("id"), ProblemKind::DuplicateStep(step.id.clone()));
            }
            for (field, value) in [("title", &step.title), ("narration", &step.narration)] {
                if value.trim().is_empty() {
                    push(at(field), ProblemKind::Empty(field));
                }
            }
            if let Some(name) = &step.focus.kind
                && step.focus.kind().is_none()
            {
                push(at("focus.kind"), ProblemKind::UnknownKind(name.clone()));
            }
            if let Some(c) = &step.focus.criterion
                && !CRITERIA.iter().any(|k| k.id.as_str() == c.as_str())
            {
                push(at("focus.criterion"), ProblemKind::UnknownCriterion(c.clone()));
            }
            if matches!(step.focus.pane, FocusPane::Tree | FocusPane::Detail)
                && step.focus.kind.is_none()
                && step.focus.node.is_none()
            {
                push(at("focus"), ProblemKind::NothingToSelect(step.focus.pane));
            }
            if let Some(p) = step.focus.review_pane {
                if step.focus.pane != FocusPane::Review {
                    push(at("focus.review_pane"), ProblemKind::ReviewPaneWithoutReview);
                } else if !REVIEW_PANES.contains(&p) {
                    push(at("focus.review_pane"), ProblemKind::ReviewPaneOutOfRange(p));
                }
            }
            if step.focus.node.is_some() && self.evidence.is_none() {
                push(at("focus.node"), ProblemKind::NodeWithoutEvidence);
            }
            match (&step.section, self.sections.is_empty()) {
                (Some(s), _) if !section_ids.contains(s.as_str()) => {
                    push(at("section"), ProblemKind::UnknownSection(s.clone()))
                }
                (None, false) => push(at("section"), ProblemKind::MissingSection),
                _ => {}
            }
            if self.duration_minutes.is_some() && step.minutes.is_none() {
                push(at("minutes"), ProblemKind::MissingMinutes);
            }
            if self.is_self_guided() {
                let lines = std::iter::once((at("narration"), &step.narration))
                    .chain(step.checklist.iter().enumerate().map(|(j, t)| (at(&format!("checklist[{j}]")), t)))
                    .chain(step.questions.iter().enumerate().map(|(j, t)| (at(&format!("questions[{j}]")), t)));
                for (where_, text) in lines {
                    if let Some(why) = presenter_voice(text) {
                        push(where_, ProblemKind::PresenterVoice(why));
                    }
                }
            }
        }
        if self.is_self_guided() {
            let lines =
                (self.success_checklist.iter().enumerate().map(|(j, t)| (format!("success_checklist[{j}]"), t)))
                    .chain(self.follow_ups.iter().enumerate().map(|(j, t)| (format!("follow_ups[{j}]"), t)));
            for (where_, text) in lines {
                if let Some(why) = presenter_voice(text) {
                    push(where_, ProblemKind::PresenterVoice(why));
                }
            }
        }
        let timed = self.steps.iter().all(|s| s.minutes.is_some());
        if timed {
            for (i, sec) in self.sections.iter().enumerate() {
                let sum = sum_minutes(
                    self.steps
                        .iter()
                        .filter(|s| s.section.as_deref() == Some(sec.id.as_str()))
                        .filter_map(|s| s.minutes),
                );
                if sum != sec.minutes {
                    push(
                        format!("sections[{i}] ({:?}).minutes", sec.id),
                        ProblemKind::MinutesMismatch { planned: sec.minutes, steps: sum },
                    );
                }
            }
        }
        if let Some(total) = self.duration_minutes {
            if timed && !self.steps.is_empty() && self.planned_minutes() != total {
                push(
                    "duration_minutes".into(),
                    ProblemKind::MinutesMismatch { planned: total, steps: self.planned_minutes() },
                );
            }
            let sections = sum_minutes(self.sections.iter().map(|s| s.minutes));
            if !self.sections.is_empty() && sections != total {
                push("duration_minutes".into(), ProblemKind::SectionsMismatch { planned: total, sections });
            }
        }
        out
    }

    /// Focus targets that `ev` does not hold: (step id, what is missing). Kinds must have at least one node;
    /// node ids must be found (and be of the named kind).
    pub fn missing_targets(&self, ev: &Evidence) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for step in &self.steps {
            let f = &step.focus;
            if let Some(k) = f.kind()
                && ev.all(&k).is_empty()
            {
                out.push((step.id.clone(), format!("no {} in the evidence", k.name())));
            }
            if let Some(id) = &f.node {
                if ev.find(id).is_empty() {
                    out.push((step.id.clone(), format!("no node with id {id:?}")));
                } else if f.resolve(ev).is_none() {
                    let kind = f.kind.as_deref().unwrap_or("?");
                    out.push((step.id.clone(), format!("node {id:?} is not of kind {kind:?}")));
                }
            }
        }
        out
    }
}

/// A sum of minutes that cannot overflow, whatever a file says.
fn sum_minutes(minutes: impl Iterator<Item = u32>) -> u32 {
    minutes.fold(0, u32::saturating_add)
}

/// A rule a walkthrough file breaks, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path of the field: `steps[3] ("retry-plan").focus.kind`.
    pub at: String,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    WrongSchema(String),
    Empty(&'static str),
    NoSteps,
    DuplicateStep(String),
    ReservedStepId,
    DuplicateSection(String),
    UnknownSection(String),
    MissingSection,
    UnknownKind(String),
    UnknownCriterion(String),
    UnknownSample(String),
    NothingToSelect(FocusPane),
    NodeWithoutEvidence,
    /// `review_pane` on a focus whose pane is not `review`.
    ReviewPaneWithoutReview,
    /// `review_pane` outside [`REVIEW_PANES`].
    ReviewPaneOutOfRange(u32),
    MissingMinutes,
    MinutesMismatch {
        planned: u32,
        steps: u32,
    },
    SectionsMismatch {
        planned: u32,
        sections: u32,
    },
    /// Text of a self-guided walkthrough that speaks to or about a presenter or an audience; says why
    /// (`starts with "Ask"`, `contains "the customer"`), as [`presenter_voice`] finds it.
    PresenterVoice(String),
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::WrongSchema(found) => write!(f, "schema is {found:?}; expected {SCHEMA:?}"),
            ProblemKind::Empty(field) => write!(f, "{field} is empty"),
            ProblemKind::NoSteps => f.write_str("a walkthrough needs at least one step"),
            ProblemKind::DuplicateStep(id) => write!(f, "step id {id:?} is used by an earlier step"),
            ProblemKind::ReservedStepId => {
                write!(f, "step id {SUCCESS_CHECKLIST:?} is reserved for the success checklist")
            }
            ProblemKind::DuplicateSection(id) => write!(f, "section id {id:?} is used by an earlier section"),
            ProblemKind::UnknownSection(id) => {
                write!(f, "section {id:?} is not one of the walkthrough's sections")
            }
            ProblemKind::MissingSection => f.write_str("the walkthrough has sections, so every step names one"),
            ProblemKind::UnknownKind(name) => {
                let known: Vec<String> = Kind::known().iter().map(|k| k.name().to_string()).collect();
                write!(f, "{name:?} is not a CAVRA kind (known: {})", known.join(", "))
            }
            ProblemKind::UnknownCriterion(id) => {
                let known: Vec<&str> = CRITERIA.iter().map(|c| c.id.as_str()).collect();
                write!(f, "{id:?} is not a criterion id (known: {})", known.join(", "))
            }
            ProblemKind::UnknownSample(name) => {
                let known: Vec<String> = crate::samples::all().into_iter().map(|s| s.name).collect();
                write!(f, "{name:?} is not an embedded sample (known: {})", known.join(", "))
            }
            ProblemKind::NothingToSelect(pane) => {
                write!(f, "a {} focus needs a kind or a node to select", pane.as_str())
            }
            ProblemKind::NodeWithoutEvidence => f.write_str(
                "a node id only makes sense for a walkthrough written for one sample: set `evidence`, or focus by kind",
            ),
            ProblemKind::ReviewPaneWithoutReview => {
                f.write_str("review_pane only applies to a focus whose pane is \"review\"")
            }
            ProblemKind::ReviewPaneOutOfRange(p) => {
                write!(f, "review_pane {p} is not a pane of the retry-plan review (1 to {})", REVIEW_PANES.end())
            }
            ProblemKind::MissingMinutes => {
                f.write_str("the walkthrough is timed (duration_minutes), so every step gives minutes")
            }
            ProblemKind::MinutesMismatch { planned, steps } => {
                write!(f, "planned {planned} minutes but the steps add up to {steps}")
            }
            ProblemKind::SectionsMismatch { planned, sections } => {
                write!(f, "planned {planned} minutes but the sections add up to {sections}")
            }
            ProblemKind::PresenterVoice(why) => write!(
                f,
                "the walkthrough is self-guided (the reader is alone), but this text {why}: write it to the reader, \
                 not to or about a presenter or an audience"
            ),
        }
    }
}

/// Why a walkthrough file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkthroughError {
    /// The file could not be read.
    Io { file: String, message: String },
    /// Not JSON, or not the walkthrough shape (unknown field, wrong type, unknown pane).
    Syntax { file: String, line: usize, column: usize, message: String },
    /// Well-formed, but breaks the rules.
    Invalid { file: String, problems: Vec<Problem> },
}

impl WalkthroughError {
    pub fn file(&self) -> &str {
        match self {
            WalkthroughError::Io { file, .. }
            | WalkthroughError::Syntax { file, .. }
            | WalkthroughError::Invalid { file, .. } => file,
        }
    }
}

impl fmt::Display for WalkthroughError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkthroughError::Io { file, message } => write!(f, "{}: {}", clean(file), clean(message)),
            WalkthroughError::Syntax { file, line, column, message } => {
                write!(f, "{}: line {line}, column {column}: {}", clean(file), clean(message))
            }
            WalkthroughError::Invalid { file, problems } => {
                let n = problems.len();
                write!(f, "{}: {n} problem{}", clean(file), if n == 1 { "" } else { "s" })?;
                for p in problems {
                    write!(f, "\n  {}: {}", clean(&p.at), clean(&p.kind.to_string()))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for WalkthroughError {}

/// Parse and validate one walkthrough file's text; `file` names it in errors.
pub fn load_str(file: &str, text: &str) -> Result<Walkthrough, WalkthroughError> {
    let w: Walkthrough = serde_json::from_str(text).map_err(|e| WalkthroughError::Syntax {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
    })?;
    let problems = w.validate();
    if problems.is_empty() { Ok(w) } else { Err(WalkthroughError::Invalid { file: file.to_string(), problems }) }
}

/// Read, parse and validate a walkthrough file (at most 4 MiB).
pub fn load_file(path: &Path) -> Result<Walkthrough, WalkthroughError> {
    const MAX: u64 = 4 << 20;
    let file = path.display().to_string();
    let io = |message: String| WalkthroughError::Io { file: file.clone(), message };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if meta.len() > MAX {
        return Err(io(format!("{} bytes is more than a walkthrough file may hold ({MAX})", meta.len())));
    }
    let bytes = crate::files::read_regular(path, MAX).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| io("not UTF-8 text".to_string()))?;
    load_str(&file, &text)
}

/// The embedded files' names and texts (for tests and `--list`).
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    FILES
}

/// The walkthroughs shipped in the binary, in a fixed order (trial, sales demo, operator runbook).
pub fn builtin() -> Vec<Walkthrough> {
    FILES
        .iter()
        .map(|(file, text)| {
            load_str(&format!("walkthroughs/{file}"), text)
                .unwrap_or_else(|e| panic!("embedded walkthrough is valid (checked by tests): {e}"))
        })
        .collect()
}

/// The embedded walkthrough with this name.
pub fn find(name: &str) -> Option<Walkthrough> {
    builtin().into_iter().find(|w| w.name == name)
}

/// The names of the embedded walkthroughs.
pub fn names() -> Vec<String> {
    builtin().into_iter().map(|w| w.name).collect()
}

/// The closing summary as markdown follow-up notes: each step's checklist with ticked and open items, the
/// success checklist, the discovery questions asked along the way and the agreed follow-ups.
///
/// `ticked` lists (step id, checklist item index); use [`SUCCESS_CHECKLIST`] as the step id for items of
/// the success checklist. Ticks that name no item are ignored.
pub fn follow_up_markdown(
    w: &Walkthrough,
    ticked: &[(&str, usize)],
    evidence_label: &str,
    as_of: DateTime<Utc>,
) -> String {
    let is_ticked = |step: &str, i: usize| ticked.iter().any(|(s, j)| *s == step && *j == i);
    let line = |s: &str| md_line(s);
    let mut out = String::new();
    let mut push = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };

    let items: usize = w.steps.iter().map(|s| s.checklist.len()).sum::<usize>() + w.success_checklist.len();
    let done = w
        .steps
        .iter()
        .flat_map(|s| (0..s.checklist.len()).map(move |i| (s.id.as_str(), i)))
        .chain((0..w.success_checklist.len()).map(|i| (SUCCESS_CHECKLIST, i)))
        .filter(|(s, i)| is_ticked(s, *i))
        .count();

    push(format!("# Follow-up notes: {}", line(&w.title)));
    push(String::new());
    push(format!("- Evidence: {}", line(evidence_label)));
    push(format!("- As of: {}", crate::time::fmt_instant(as_of)));
    push(format!("- Walkthrough: `{}`, {} steps", line(&w.name), w.steps.len()));
    push(format!("- Checklist: {done} of {items} items ticked, {} open", items - done));
    push(String::new());

    if !w.success_checklist.is_empty() {
        push("## Success checklist".into());
        push(String::new());
        for (i, item) in w.success_checklist.iter().enumerate() {
            push(format!("- [{}] {}", if is_ticked(SUCCESS_CHECKLIST, i) { "x" } else { " " }, line(item)));
        }
        push(String::new());
    }

    let open: Vec<(usize, &Step, &String)> = w
        .steps
        .iter()
        .enumerate()
        .flat_map(|(n, s)| s.checklist.iter().enumerate().map(move |(i, item)| (n, s, i, item)))
        .filter(|(_, s, i, _)| !is_ticked(&s.id, *i))
        .map(|(n, s, _, item)| (n, s, item))
        .collect();
    push("## Open items".into());
    push(String::new());
    if open.is_empty() {
        push("None: every step's checklist was ticked.".into());
    }
    for (n, s, item) in &open {
        push(format!("- [ ] {} (step {}: {})", line(item), n + 1, line(&s.title)));
    }
    push(String::new());

    push("## Steps".into());
    for (n, s) in w.steps.iter().enumerate() {
        push(String::new());
        let minutes = s.minutes.map(|m| format!(" ({m} min)")).unwrap_or_default();
        push(format!("### {}. {}{minutes}", n + 1, line(&s.title)));
        if s.checklist.is_empty() {
            push(String::new());
            push("No checklist.".into());
            continue;
        }
        push(String::new());
        for (i, item) in s.checklist.iter().enumerate() {
            push(format!("- [{}] {}", if is_ticked(&s.id, i) { "x" } else { " " }, line(item)));
        }
    }
    push(String::new());

    let questions: Vec<(&Step, &String)> =
        w.steps.iter().flat_map(|s| s.questions.iter().map(move |q| (s, q))).collect();
    if !questions.is_empty() {
        push("## Discovery questions".into());
        push(String::new());
        for (s, q) in questions {
            push(format!("- {} ({})", line(q), line(&s.title)));
        }
        push(String::new());
    }

    if !w.follow_ups.is_empty() {
        push("## Follow-ups".into());
        push(String::new());
        for f in &w.follow_ups {
            push(format!("- [ ] {}", line(f)));
        }
        push(String::new());
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Text made safe for one markdown line: control characters escaped (see [`clean`]).
fn md_line(s: &str) -> String {
    clean(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial() -> Walkthrough {
        find("trial-walkthrough").expect("the trial walkthrough is embedded")
    }

    fn voice_problems(w: &Walkthrough) -> Vec<(String, String)> {
        w.validate()
            .into_iter()
            .filter_map(|p| match p.kind {
                ProblemKind::PresenterVoice(why) => Some((p.at, why)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn delivery_defaults_to_presented_and_parses_kebab_case() {
        let minimal = r#"{"schema": "closeout.walkthrough.v1", "name": "t", "title": "T", "audience": ["a"],
            "steps": [{"id": "one", "title": "One", "narration": "First. Second.",
                       "focus": {"pane": "health"}}]}"#;
        let w = load_str("t.json", minimal).unwrap();
        assert_eq!(w.delivery, Delivery::Presented);
        assert!(!w.is_self_guided());
        assert!(!serde_json::to_string(&w).unwrap().contains("delivery"), "the default is not written out");

        let guided = minimal.replace("\"audience\"", "\"delivery\": \"self-guided\", \"audience\"");
        let w = load_str("t.json", &guided).unwrap();
        assert!(w.is_self_guided());
        assert!(serde_json::to_string(&w).unwrap().contains("\"delivery\":\"self-guided\""));
        let presented = minimal.replace("\"audience\"", "\"delivery\": \"presented\", \"audience\"");
        assert!(!load_str("t.json", &presented).unwrap().is_self_guided());

        for bad in ["\"self_guided\"", "\"SelfGuided\"", "\"alone\""] {
            let text = minimal.replace("\"audience\"", &format!("\"delivery\": {bad}, \"audience\""));
            let err = load_str("t.json", &text).unwrap_err();
            assert!(matches!(err, WalkthroughError::Syntax { .. }), "{bad}: {err:?}");
            assert!(err.to_string().contains("unknown variant"), "{err}");
        }
    }

    #[test]
    fn presenter_voice_finds_asks_and_the_room() {
        for text in [
            "Ask: which providers matter?",
            "ask whether the window fits.",
            "  ASK the room.",
            "The customer can tell the sides apart",
            "Record the criteria decision the customer reached",
            "Check that THE AUDIENCE follows.",
            "Pause so the presenter can catch up.",
            "Then ask the security architect.",
            "Confirm (the customer's) choice.",
        ] {
            assert!(presenter_voice(text).is_some(), "{text}");
        }
        for text in [
            "You can tell which fields are Community metadata",
            "Reflect: how long must your release evidence be kept?",
            "Asked and answered: the verdict.",
            "Press ] for the next step; the task the worker ran was a dry run.",
            "Contact CAVRA about a customer pilot.",
            "",
        ] {
            assert_eq!(presenter_voice(text), None, "{text}");
        }
        assert_eq!(presenter_voice("Ask: x").as_deref(), Some("starts with \"Ask\""));
        assert_eq!(presenter_voice("so the Customer sees").as_deref(), Some("contains \"the customer\""));
    }

    #[test]
    fn a_self_guided_walkthrough_may_not_speak_for_a_presenter() {
        let mut w = trial();
        assert!(w.is_self_guided(), "the trial is walked alone");
        assert_eq!(voice_problems(&w), vec![], "the embedded trial passes the rule");

        w.steps[0].narration = "Ask the room who owns release risk. Then move on.".into();
        w.steps[1].checklist[2] = "The customer can find the manifest".into();
        w.steps[2].questions[0] = "Ask: how long is evidence kept?".into();
        w.success_checklist[0] = "The audience can explain the chain".into();
        w.follow_ups[1] = "Record the criteria decision the customer reached".into();
        let ids: Vec<String> = w.steps.iter().take(3).map(|s| s.id.clone()).collect();
        assert_eq!(
            voice_problems(&w),
            vec![
                (format!("steps[0] ({:?}).narration", ids[0]), "starts with \"Ask\"".to_string()),
                (format!("steps[1] ({:?}).checklist[2]", ids[1]), "contains \"the customer\"".to_string()),
                (format!("steps[2] ({:?}).questions[0]", ids[2]), "starts with \"Ask\"".to_string()),
                ("success_checklist[0]".to_string(), "contains \"the audience\"".to_string()),
                ("follow_ups[1]".to_string(), "contains \"the customer\"".to_string()),
            ]
        );
        assert!(w.validate().iter().all(|p| matches!(p.kind, ProblemKind::PresenterVoice(_))));
        let text = serde_json::to_string_pretty(&w).unwrap();
        let err = load_str("walkthroughs/t.json", &text).unwrap_err().to_string();
        assert!(err.starts_with("walkthroughs/t.json: 5 problems\n"), "{err}");
        assert!(
            err.contains(
                "success_checklist[0]: the walkthrough is self-guided (the reader is alone), but this text contains \
                 \"the audience\": write it to the reader, not to or about a presenter or an audience"
            ),
            "{err}"
        );

        // The same text in a presented walkthrough is the presenter's voice, and fine.
        w.delivery = Delivery::Presented;
        assert_eq!(w.validate(), vec![]);
    }

    #[test]
    fn the_rule_applies_only_to_self_guided_files_among_the_embedded_ones() {
        for w in builtin() {
            assert_eq!(voice_problems(&w), vec![], "{}", w.name);
        }
        assert_eq!(
            builtin().iter().filter(|w| w.is_self_guided()).map(|w| w.name.as_str()).collect::<Vec<_>>(),
            ["trial-walkthrough"]
        );
        // The sales demo keeps the presenter's voice: walked alone, it would break the rule.
        let mut demo = find("sales-demo").unwrap();
        assert!(!demo.is_self_guided());
        demo.delivery = Delivery::SelfGuided;
        assert!(!voice_problems(&demo).is_empty(), "the sales demo speaks to an audience");
    }
}
