//! The retry plan review's state: a modal wizard that walks each open failed closeout delivery through four
//! fact panes (the failed delivery, the retry decision, the worker evidence, the boundary check) and ends in
//! an owner acceptance form. Its [`ReviewWizard::update`] takes the wizard's keys and says what the model
//! should do (close, ask before discarding, save); saving builds a `closeout.review.v1` record
//! ([`crate::review`]) that the runtime writes atomically, off the draw thread.
//!
//! The facts and checks come from [`crate::review::panes`] (the domain's retry rule, never re-derived here);
//! redacted values keep their `«REDACTED: kind»` form and render in reverse video.

pub use super::input::TextInput;
use crate::evidence::Evidence;
use crate::health::Report;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::review::{self, AcceptanceInput, DeliveryReview, FieldError, PaneOutcome, ReviewRecord};
use crate::tui::action::{Action, Msg};

pub use crate::review::panes::{Check, DeliveryFacts, FACT_PANES, Fact, PaneFacts, Seg};

/// Short names of the five panes, for the progress line.
pub const PANE_SHORT: [&str; 5] = ["delivery", "decision", "worker", "boundary", "acceptance"];

/// Titles of the five panes.
pub const PANE_TITLES: [&str; 5] =
    ["The failed delivery", "The retry decision", "Worker evidence", "Boundary check", "Owner acceptance"];

/// The form's fields: (record field name, label).
pub const FIELDS: [(&str, &str); 6] = [
    ("owner", "Owner (required)"),
    ("external_ref", "External reference (optional)"),
    ("reason", "Reason (required)"),
    ("target_resolution_date", "Target resolution date (optional)"),
    ("expires_at", "Expiry (required)"),
    ("reviewer", "Reviewer (optional; default: the owner)"),
];

/// How the reviewer marked a fact pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Reviewed,
    Flagged,
}

impl Mark {
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Reviewed => "reviewed",
            Mark::Flagged => "flagged",
        }
    }
}

/// The wizard's state.
#[derive(Debug, Clone)]
pub struct ReviewWizard {
    pub deliveries: Vec<DeliveryFacts>,
    /// The delivery shown (0-based).
    pub delivery: usize,
    /// The pane shown (0-based; 4 is the acceptance form).
    pub pane: usize,
    pub marks: Vec<[Option<Mark>; FACT_PANES]>,
    /// The form's text, one entry per [`FIELDS`].
    pub form: [TextInput; 6],
    pub field: usize,
    /// The evaluation time the form is validated against (the model sets it before each message).
    pub as_of: DateTime<Utc>,
    /// A save was asked for once: every field's errors show from then on.
    pub attempted: bool,
    /// Fields typed in; a field's errors show once it was edited and left.
    pub edited: [bool; 6],
    pub scroll: usize,
    /// A record built and shown in the confirm summary, waiting for y/Enter.
    pub pending: Option<(PathBuf, Box<ReviewRecord>)>,
    /// A record waiting for the run loop to write it.
    pub saving: Option<(PathBuf, Box<ReviewRecord>)>,
    pub save_error: Option<String>,
    /// After the record is written: the offer to sign it.
    pub sign: Option<SignOffer>,
}

/// The offer to sign a saved record: the key to sign with (a private key file, or a `.pub` whose key the
/// ssh-agent holds; empty with an agent running: the agent's one key).
#[derive(Debug, Clone)]
pub struct SignOffer {
    pub record: PathBuf,
    pub key: TextInput,
    /// `$SSH_AUTH_SOCK` is set.
    pub agent: bool,
    /// A signature is being made.
    pub signing: bool,
    pub error: Option<String>,
}

impl ReviewWizard {
    /// A wizard over every open failed closeout delivery of the evaluated chain; an explanation when there is
    /// none.
    pub fn open(ev: &Evidence, report: &Report, as_of: DateTime<Utc>) -> Result<ReviewWizard, String> {
        let deliveries = crate::review::panes::failed_deliveries(ev, &report.chain).map_err(|e| e.to_string())?;
        if deliveries.is_empty() {
            return Err("no failed closeout delivery to review: every closeout delivery was delivered".into());
        }
        Ok(ReviewWizard {
            marks: vec![[None; FACT_PANES]; deliveries.len()],
            deliveries,
            delivery: 0,
            pane: 0,
            form: Default::default(),
            field: 0,
            as_of,
            attempted: false,
            edited: [false; 6],
            scroll: 0,
            pending: None,
            saving: None,
            save_error: None,
            sign: None,
        })
    }

    /// "Retry plan review · delivery k of K · pane n of 5".
    pub fn title(&self) -> String {
        format!(
            "Retry plan review · delivery {} of {} · pane {} of 5",
            self.delivery + 1,
            self.deliveries.len(),
            self.pane + 1
        )
    }

    pub fn on_form(&self) -> bool {
        self.pane == FACT_PANES
    }

    /// Anything typed or marked (Esc then asks before discarding).
    pub fn touched(&self) -> bool {
        self.form.iter().any(|f| !f.is_empty()) || self.marks.iter().flatten().any(Option::is_some)
    }

    pub fn current(&self) -> &DeliveryFacts {
        &self.deliveries[self.delivery]
    }

    pub fn next(&mut self, mark: Option<Mark>) {
        if self.on_form() {
            return;
        }
        if let Some(m) = mark {
            self.marks[self.delivery][self.pane] = Some(m);
        }
        self.scroll = 0;
        if self.pane + 1 < FACT_PANES {
            self.pane += 1;
        } else if self.delivery + 1 < self.deliveries.len() {
            self.delivery += 1;
            self.pane = 0;
        } else {
            self.pane = FACT_PANES;
        }
    }

    pub fn back(&mut self) {
        self.scroll = 0;
        if self.pane > 0 {
            self.pane -= 1;
        } else if self.delivery > 0 {
            self.delivery -= 1;
            self.pane = FACT_PANES - 1;
        }
    }

    /// The form as the engine validates it.
    pub fn input(&self) -> AcceptanceInput {
        AcceptanceInput {
            owner: self.form[0].text().to_string(),
            external_ref: self.form[1].text().to_string(),
            reason: self.form[2].text().to_string(),
            target_resolution_date: self.form[3].text().to_string(),
            expires_at: self.form[4].text().to_string(),
        }
    }

    /// The form's errors now: a function of the current field values (recomputed on every edit), shown for
    /// every field once a save was asked for, else for each field edited and left.
    pub fn errors(&self) -> Vec<FieldError> {
        review::validate_acceptance(&self.input(), self.as_of)
            .into_iter()
            .filter(|e| {
                let i = FIELDS.iter().position(|f| f.0 == e.field).unwrap_or(0);
                self.attempted || (self.edited[i] && i != self.field)
            })
            .collect()
    }

    /// The errors for one field.
    pub fn errors_for(&self, field: usize) -> Vec<FieldError> {
        let name = FIELDS[field].0;
        self.errors().into_iter().filter(|e| e.field == name).collect()
    }

    /// Warnings that do not stop a save, for one field (an expiry before the target date).
    pub fn warnings_for(&self, field: usize) -> Vec<FieldError> {
        let name = FIELDS[field].0;
        review::acceptance_warnings(&self.input()).into_iter().filter(|e| e.field == name).collect()
    }

    /// Each delivery with the outcome of each pane.
    pub fn outcomes(&self) -> Vec<DeliveryReview> {
        self.deliveries
            .iter()
            .zip(&self.marks)
            .map(|(d, marks)| DeliveryReview {
                delivery_id: d.id.clone(),
                panes: review::PANES
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PaneOutcome {
                        pane: p.to_string(),
                        outcome: match marks.get(i) {
                            Some(Some(m)) => m.as_str().to_string(),
                            Some(None) => "skipped".to_string(),
                            None => "reviewed".to_string(),
                        },
                        note: None,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// What a key in the review asks of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewAsk {
    Stay,
    /// Close the review; nothing was recorded.
    Close,
    /// Ask before discarding what was marked or typed.
    ConfirmDiscard,
    /// Validate the form and, when valid, ask to confirm the save.
    Submit,
    /// Sign the saved record with the key typed in the offer.
    Sign,
    /// Leave the saved record unsigned and close the review.
    DeclineSign,
}

impl ReviewWizard {
    /// The wizard's keys and typed text.
    pub fn update(&mut self, msg: &Msg) -> ReviewAsk {
        if self.sign.is_some() {
            return self.sign_update(msg);
        }
        if self.saving.is_some() {
            // The record is being written: the form waits for the result.
            return ReviewAsk::Stay;
        }
        let on_form = self.on_form();
        match msg {
            Msg::Input(c) if on_form => {
                self.form[self.field].insert(*c);
                self.edited[self.field] = true;
            }
            Msg::Paste(text) if on_form => {
                // A paste goes into the current field as text (line breaks and tabs become spaces, other control
                // characters go): it never moves to the next field, submits or saves.
                self.form[self.field].insert_str(text);
                self.edited[self.field] = true;
            }
            Msg::Action(a) => match *a {
                Action::Cancel => return if self.touched() { ReviewAsk::ConfirmDiscard } else { ReviewAsk::Close },
                Action::ReviewNext if !on_form => self.next(Some(Mark::Reviewed)),
                Action::ReviewFlag if !on_form => self.next(Some(Mark::Flagged)),
                Action::ReviewBack => self.back(),
                Action::Up if !on_form => self.scroll = self.scroll.saturating_sub(1),
                Action::Down if !on_form => self.scroll += 1,
                Action::NextField => self.field = (self.field + 1).min(FIELDS.len() - 1),
                Action::PrevField => {
                    if self.field == 0 {
                        self.back();
                    } else {
                        self.field -= 1;
                    }
                }
                Action::Activate if on_form => {
                    if self.field + 1 < FIELDS.len() {
                        self.field += 1;
                    } else {
                        return ReviewAsk::Submit;
                    }
                }
                Action::Submit if on_form => return ReviewAsk::Submit,
                edit if on_form && self.form[self.field].edit(edit) => self.edited[self.field] = true,
                _ => {}
            },
            _ => {}
        }
        ReviewAsk::Stay
    }

    /// Keys while the offer to sign is open: type the key path, Enter (or Ctrl-S) signs, Esc declines.
    fn sign_update(&mut self, msg: &Msg) -> ReviewAsk {
        let Some(offer) = self.sign.as_mut() else { return ReviewAsk::Stay };
        if offer.signing {
            return ReviewAsk::Stay;
        }
        match msg {
            Msg::Input(c) => offer.key.insert(*c),
            Msg::Paste(text) => offer.key.insert_str(text),
            Msg::Action(Action::Cancel) => return ReviewAsk::DeclineSign,
            Msg::Action(Action::Activate) => return ReviewAsk::Sign,
            Msg::Action(a) => {
                offer.key.edit(*a);
            }
            _ => {}
        }
        ReviewAsk::Stay
    }

    /// The reviewer: the form's, else the owner.
    pub fn reviewer(&self) -> String {
        if self.form[5].text().trim().is_empty() {
            self.form[0].text().to_string()
        } else {
            self.form[5].text().to_string()
        }
    }
}

/// The record a finished review would write (tests).
pub fn record_for(w: &ReviewWizard) -> Option<&ReviewRecord> {
    w.saving.as_ref().map(|(_, r)| r.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{LoadOptions, load_bytes};
    use crate::health::{Status, Verdict};
    use crate::time::parse_instant;
    use crate::tui::harness;
    use crate::tui::keymap::Context;
    use crate::tui::runtime::{Effect, Shared, Work};
    use crate::tui::state::{Mode, Model as App};
    use crate::tui::theme;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::style::Modifier;

    const AS_OF: &str = "2026-09-14T10:00:00Z";

    fn app_from(doc: &serde_json::Value) -> App {
        let ev = load_bytes("store.json", serde_json::to_vec(doc).unwrap(), &LoadOptions::default()).unwrap();
        let t = parse_instant(AS_OF).unwrap();
        let mut app = harness::app(ev, Some(t), 100, 30);
        harness::apply(&mut app, Msg::Tick(t));
        app
    }

    /// Our accepted-risk sample: a webhook delivery failed (HTTP 503), a retry plan, a dry-run worker run.
    fn store() -> serde_json::Value {
        serde_json::from_slice(crate::samples::bytes(&crate::samples::get("accepted-risk-store").unwrap())).unwrap()
    }

    fn open(app: &mut App) {
        harness::type_keys(app, "r");
        assert!(app.review().is_some(), "status: {:?}", app.status);
    }

    fn pane_text(app: &App) -> String {
        harness::screen(app)
    }

    type Facts = (Vec<(String, String)>, Vec<(Status, String)>);

    fn facts(app: &App, pane: usize) -> Facts {
        let p = &app.review().unwrap().deliveries[0].panes[pane];
        (
            p.facts.iter().map(|f| (f.label.trim().to_string(), f.plain())).collect(),
            p.checks.iter().map(|c| (c.status, c.text.clone())).collect(),
        )
    }

    fn has(facts: &[(String, String)], label: &str, value: &str) -> bool {
        facts.iter().any(|(l, v)| l == label && v.contains(value))
    }

    #[test]
    fn panes_show_the_failed_delivery_and_the_retry_rules_checks() {
        let mut app = app_from(&store());
        open(&mut app);
        let w = app.review().unwrap();
        assert_eq!(w.deliveries.len(), 1);
        assert_eq!(w.title(), "Retry plan review · delivery 1 of 1 · pane 1 of 5");
        let (f1, c1) = facts(&app, 0);
        assert!(has(&f1, "provider", "webhook"), "{f1:?}");
        assert!(has(&f1, "attempts", "3"), "{f1:?}");
        assert!(has(&f1, "error", "HTTP request failed"), "{f1:?}");
        assert!(has(&f1, "status code", "503"), "{f1:?}");
        assert!(has(&f1, "request url", "?REDACTED"), "{f1:?}");
        assert!(c1.iter().any(|(s, t)| *s == Status::Fail && t.contains("HTTP 503")), "{c1:?}");
        let screen = pane_text(&app);
        assert!(screen.contains("webhook") && screen.contains("503"), "{screen}");

        let (f2, c2) = facts(&app, 1);
        assert!(has(&f2, "action", "retry"), "{f2:?}");
        assert!(has(&f2, "max_retry_attempts", "5"), "{f2:?}");
        assert!(
            c2.iter().any(|(s, t)| *s == Status::Pass && t.contains("decided retry") && t.contains("3 of 5 attempts")),
            "{c2:?}"
        );
        assert!(
            !f2.iter().any(|(_, v)| v.contains("summed attempt_count")),
            "no quirk on a retry below the max: {f2:?}"
        );

        let (f3, c3) = facts(&app, 2);
        assert!(has(&f3, "mode", "dry run"), "{f3:?}");
        assert!(f3.iter().any(|(l, v)| l.starts_with("execution ") && v.contains("skipped (dry_run)")), "{f3:?}");
        assert!(c3.iter().any(|(s, t)| *s == Status::Warn && t.contains("awaits live redelivery")), "{c3:?}");

        let (_, c4) = facts(&app, 3);
        assert_eq!(c4, vec![(Status::Pass, "no secret in the clear in these artifacts".to_string())]);
    }

    #[test]
    fn a_suppressed_decision_at_the_max_flags_cavras_summed_attempts() {
        let mut doc = store();
        for it in doc["items"].as_array_mut().unwrap() {
            let key = "final_reporting_release_closeout_delivery_retry_plan";
            if let Some(plan) = it.get_mut(key) {
                plan["max_retry_attempts"] = 3.into();
                for d in plan["retry_decisions"].as_array_mut().unwrap() {
                    d["action"] = "suppress".into();
                    d["reason"] = "max_retry_attempts_reached".into();
                }
            }
        }
        let mut app = app_from(&doc);
        open(&mut app);
        let (f2, c2) = facts(&app, 1);
        assert!(has(&f2, "action", "suppress"), "{f2:?}");
        assert!(has(&f2, "note", "summed attempt_count"), "{f2:?}");
        assert!(
            c2.iter().any(|(s, t)| *s == Status::Warn
                && t.contains("suppressed the retry")
                && t.contains("summed attempt_count")),
            "{c2:?}"
        );
        harness::press(&mut app, KeyCode::Enter);
        assert!(pane_text(&app).contains("! retry plan"), "{}", pane_text(&app));
    }

    /// The store with every worker run made live: the retry workflow criterion fails.
    fn without_dry_runs(mut doc: serde_json::Value) -> serde_json::Value {
        for it in doc["items"].as_array_mut().unwrap() {
            if let Some(w) = it.get_mut("final_reporting_release_closeout_delivery_retry_worker_run") {
                w["dry_run"] = false.into();
            }
            if it.get("dry_run").is_some() {
                it["dry_run"] = false.into();
            }
        }
        doc
    }

    #[test]
    fn a_live_run_without_a_dry_run_fails_the_worker_check() {
        let doc = without_dry_runs(store());
        let mut app = app_from(&doc);
        open(&mut app);
        let (_, c3) = facts(&app, 2);
        assert!(c3.iter().any(|(s, t)| *s == Status::Fail && t.contains("with no dry run first")), "{c3:?}");
    }

    #[test]
    fn next_flag_and_back_move_between_panes_and_keep_typed_text() {
        let mut app = app_from(&store());
        open(&mut app);
        harness::press(&mut app, KeyCode::Enter);
        harness::type_keys(&mut app, "f");
        harness::press(&mut app, KeyCode::Right);
        harness::type_keys(&mut app, "n");
        let w = app.review().unwrap();
        assert!(w.on_form());
        assert_eq!(w.marks[0], [Some(Mark::Reviewed), Some(Mark::Flagged), Some(Mark::Reviewed), Some(Mark::Reviewed)]);
        assert_eq!(app.contexts(), crate::tui::keymap::stack(Context::ReviewForm, false));
        // Typing: letters the panes bind (q, n, r, v) are characters here.
        harness::type_keys(&mut app, "qa-owner");
        harness::press(&mut app, KeyCode::Backspace);
        harness::press(&mut app, KeyCode::Tab);
        harness::type_keys(&mut app, "CHG-1");
        assert_eq!(app.review().unwrap().form[0].text(), "qa-owne");
        assert!(!app.quit);
        // Back to pane 4 and forward again: nothing typed is lost.
        harness::press(&mut app, KeyCode::PageUp);
        assert_eq!(app.review().unwrap().pane, 3);
        harness::press(&mut app, KeyCode::Left);
        assert_eq!(app.review().unwrap().pane, 2);
        harness::press(&mut app, KeyCode::Enter);
        harness::press(&mut app, KeyCode::Enter);
        let w = app.review().unwrap();
        assert!(w.on_form());
        assert_eq!(w.form[0].text(), "qa-owne");
        assert_eq!(w.form[1].text(), "CHG-1");
        assert!(pane_text(&app).contains("qa-owne"));
    }

    #[test]
    fn validation_errors_show_next_to_their_fields() {
        let mut app = app_from(&store());
        open(&mut app);
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Enter);
        }
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Tab);
        }
        harness::type_keys(&mut app, "2026-09-01");
        let fx = harness::send(&mut app, &crate::tui::event::key_with(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let w = app.review().unwrap();
        let fields: Vec<&str> = w.errors().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["owner", "reason", "expires_at"], "{:?}", w.errors());
        assert_eq!(w.field, 0, "the cursor goes to the first field in error");
        assert!(fx.is_empty(), "nothing is written while the form is invalid");
        let screen = pane_text(&app);
        assert!(screen.contains("✗ owner is required"), "{screen}");
        assert!(screen.contains("✗ must be after the evaluation time 2026-09-14T10:00:00Z"), "{screen}");
        let owner = screen.lines().position(|l| l.contains("› Owner (required)")).unwrap();
        // The label with its (empty) value and the cursor, then the error.
        assert!(screen.lines().nth(owner + 1).unwrap().contains("owner is required"), "{screen}");
    }

    #[test]
    fn a_valid_form_asks_the_loop_to_save_and_the_saved_record_flips_the_verdict() {
        let mut app = app_from(&store());
        let out = tempfile::tempdir().unwrap();
        app.live.review_out = Some(out.path().join("review.json"));
        open(&mut app);
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Enter);
        }
        for text in
            ["risk-owner", "CHG-2026-0914-0099", "webhook outage; redelivery after the fix", "2026-09-18", "2026-09-21"]
        {
            harness::type_keys(&mut app, text);
            harness::press(&mut app, KeyCode::Enter);
        }
        assert_eq!(app.review().unwrap().field, 5);
        let fx = harness::press(&mut app, KeyCode::Enter);
        assert!(fx.is_empty(), "Enter on the last field asks first");
        assert!(matches!(app.mode, Mode::Confirm(_)));
        let fx = harness::type_keys(&mut app, "y");
        let rec = record_for(app.review().unwrap()).expect("a record is waiting to be written").clone();
        assert_eq!(rec.reviewer, "risk-owner", "reviewer defaults to the owner");
        assert_eq!(rec.reviewed_at, AS_OF, "time comes from ticks");
        let [Effect::SaveReview { path, record, evidence, generation }] = fx.as_slice() else { panic!("{fx:?}") };
        assert_eq!(path, &out.path().join("review.json"));
        crate::review::write_atomic(path, record, evidence).unwrap();
        let fx = harness::apply(
            &mut app,
            Msg::Work(Work::ReviewSaved { generation: *generation, result: Shared::new(Ok(path.clone())) }),
        );
        assert!(app.review().unwrap().sign.is_some(), "the review offers to sign the saved record");
        assert_eq!(app.status.as_deref(), Some(format!("review saved to {}", path.display()).as_str()));
        assert_eq!(app.live.acceptances.len(), 1);
        let [Effect::RunHealth { acceptances, .. }] = fx.as_slice() else { panic!("{fx:?}") };
        let report = crate::health::evaluate(&app.evidence, acceptances, parse_instant(AS_OF).unwrap()).unwrap();
        assert_eq!(report.verdict, Verdict::ReadyWithAcceptedRisk, "{}", report.verdict_reason);
    }

    #[test]
    fn a_failed_write_keeps_the_form_and_says_why() {
        let mut app = app_from(&store());
        open(&mut app);
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Enter);
        }
        let Mode::Review(w) = &mut app.mode else { panic!() };
        w.form = [
            TextInput::new("o"),
            TextInput::default(),
            TextInput::new("r"),
            TextInput::default(),
            TextInput::new("2026-09-21"),
            TextInput::default(),
        ];
        harness::apply(&mut app, Action::Submit);
        harness::apply(&mut app, Action::ConfirmYes);
        assert!(record_for(app.review().unwrap()).is_some());
        let generation = app.evidence.generation;
        harness::apply(
            &mut app,
            Msg::Work(Work::ReviewSaved { generation, result: Shared::new(Err("disk full".into())) }),
        );
        let w = app.review().expect("still open");
        assert_eq!(w.form[0].text(), "o");
        assert!(pane_text(&app).contains("not saved: disk full"));
        assert!(app.live.acceptances.is_empty());
    }

    #[test]
    fn esc_closes_at_once_when_untouched_and_asks_otherwise() {
        let mut app = app_from(&store());
        open(&mut app);
        harness::press(&mut app, KeyCode::Down);
        harness::press(&mut app, KeyCode::Tab);
        harness::press(&mut app, KeyCode::Esc);
        assert!(app.review().is_none(), "nothing marked: Esc closes");
        open(&mut app);
        harness::press(&mut app, KeyCode::Enter);
        harness::press(&mut app, KeyCode::Esc);
        assert!(matches!(app.mode, Mode::Confirm(_)));
        assert!(pane_text(&app).contains("Discard this review? y/n"));
        harness::type_keys(&mut app, "n");
        assert!(matches!(app.mode, Mode::Review(_)));
        let w = app.review().unwrap();
        assert_eq!(w.pane, 1, "n returns to the review where it was");
        harness::press(&mut app, KeyCode::Esc);
        harness::press(&mut app, KeyCode::Esc);
        assert!(app.review().is_some(), "Esc answers no");
        harness::press(&mut app, KeyCode::Esc);
        let fx = harness::type_keys(&mut app, "y");
        assert!(app.review().is_none());
        assert!(fx.is_empty());
    }

    #[test]
    fn clean_evidence_has_nothing_to_review() {
        let ev = crate::samples::load("clean-store", &LoadOptions::default()).unwrap();
        let mut app = harness::app(ev, Some(parse_instant(AS_OF).unwrap()), 100, 30);
        harness::type_keys(&mut app, "r");
        assert!(app.review().is_none());
        assert!(app.status.as_deref().unwrap().starts_with("no failed closeout delivery to review"));
    }

    #[test]
    fn the_trial_package_reviews_its_retry_plans_source_delivery() {
        let ev = crate::samples::load("trial-walkthrough", &LoadOptions::default()).unwrap();
        let mut app = harness::app(ev, None, 100, 30);
        harness::type_keys(&mut app, "r");
        let w = app.review().expect("opened");
        let plan: serde_json::Value =
            serde_json::from_slice(crate::samples::bytes(&crate::samples::get("trial-walkthrough").unwrap())).unwrap();
        assert_eq!(w.deliveries[0].id, plan["closeout_retry_plan"]["source_delivery_id"].as_str().unwrap());
        assert!(
            w.deliveries[0].panes[3].checks.iter().all(|c| c.status == Status::Pass),
            "{:?}",
            w.deliveries[0].panes[3]
        );
    }

    #[test]
    fn a_paste_fills_one_field_and_never_submits() {
        let mut app = app_from(&store());
        open(&mut app);
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Enter);
        }
        let fx = harness::send(&mut app, &crate::tui::event::paste("owner\nCHG-1\nreason\n2026-09-20\n2026-09-21\n\n"));
        assert!(fx.is_empty(), "a paste saves nothing: {fx:?}");
        let w = app.review().unwrap();
        assert_eq!(w.field, 0, "a paste does not move to the next field");
        assert_eq!(w.form[0].text(), "owner CHG-1 reason 2026-09-20 2026-09-21  ");
        assert!(w.form[1].is_empty());
        // The cursor edits in place, and an error clears as its field changes.
        harness::ctrl(&mut app, 'u');
        let fx = harness::ctrl(&mut app, 's');
        assert!(fx.is_empty());
        assert!(app.review().unwrap().errors().iter().any(|e| e.field == "owner"));
        harness::type_keys(&mut app, "own");
        assert!(!app.review().unwrap().errors().iter().any(|e| e.field == "owner"), "the owner error cleared");
        harness::press(&mut app, KeyCode::Home);
        harness::type_keys(&mut app, "x");
        assert_eq!(app.review().unwrap().form[0].text(), "xown");
    }

    /// Open the review and go to the form.
    fn to_form(app: &mut App) {
        open(app);
        for _ in 0..4 {
            harness::press(app, KeyCode::Enter);
        }
        assert!(app.review().unwrap().on_form());
    }

    /// Fill the form with a valid acceptance (the cursor ends on the reviewer field).
    fn fill(app: &mut App, target: &str, expiry: &str) {
        for text in ["risk-owner", "CHG-2026-0914-0099", "webhook outage; redelivery after the fix", target, expiry] {
            harness::type_keys(app, text);
            harness::press(app, KeyCode::Tab);
        }
    }

    /// The screen position of the first cell whose symbol starts `text` on a line containing `line_has`.
    fn cell_style(app: &App, line_has: &str, col_of: impl Fn(&str) -> Option<usize>) -> ratatui::style::Style {
        let buf = harness::buffer(app);
        let screen = harness::screen(app);
        let (y, line) = screen.lines().enumerate().find(|(_, l)| l.contains(line_has)).expect("the line is shown");
        let byte = col_of(line).expect("the column");
        let x = line[..byte].chars().count() as u16;
        buf[(x, y as u16)].style()
    }

    #[test]
    fn a_paste_on_the_last_field_of_a_valid_form_neither_moves_nor_saves() {
        let mut app = app_from(&store());
        to_form(&mut app);
        fill(&mut app, "2026-09-18", "2026-09-21");
        assert_eq!(app.review().unwrap().field, 5);
        let fx = harness::send(&mut app, &crate::tui::event::paste("a-reviewer\r\n\n\tnext\x1b[2J\u{7}\n"));
        assert!(fx.is_empty(), "{fx:?}");
        assert!(matches!(app.mode, Mode::Review(_)), "a paste never asks to save: {:?}", app.mode);
        let w = app.review().unwrap();
        assert_eq!(w.field, 5);
        assert_eq!(w.form[5].text(), "a-reviewer    next[2J ");
        assert!(w.pending.is_none() && w.saving.is_none());
        // The other fields are as typed: the paste went only into the current one.
        assert_eq!(w.form[0].text(), "risk-owner");
        assert_eq!(w.form[4].text(), "2026-09-21");
    }

    #[test]
    fn saving_shows_what_will_be_accepted_and_n_or_esc_go_back_with_everything_kept() {
        let mut app = app_from(&store());
        let out = tempfile::tempdir().unwrap();
        app.live.review_out = Some(out.path().join("review.json"));
        to_form(&mut app);
        fill(&mut app, "2026-09-18", "2026-09-21");
        let fx = harness::ctrl(&mut app, 's');
        assert!(fx.is_empty(), "nothing is written before the confirm");
        let Mode::Confirm(c) = &app.mode else { panic!("a confirm: {:?}", app.mode) };
        assert_eq!(c.on_yes, crate::tui::state::OnYes::SaveReview);
        let (_, record) = app.review().unwrap().pending.clone().expect("the record the summary shows");
        let all = c.summary.join("\n");
        for want in [
            "Accepts the risk of: closeout_delivery, retention_health, retry_workflow",
            "For 1 failed delivery(ies): ",
            "Owner: risk-owner · Reviewer: risk-owner · External reference: CHG-2026-0914-0099",
            "Reason: webhook outage; redelivery after the fix",
            "Target resolution date: 2026-09-18 · Expiry: 2026-09-21",
            "Verdict once saved: ready_with_accepted_risk",
        ] {
            assert!(all.contains(want), "{want:?} missing:\n{all}");
        }
        // On screen: the summary from its top, the question at the bottom; Down scrolls, the question stays.
        let screen = pane_text(&app);
        for want in
            ["Confirm the acceptance", "Accepts the risk of: closeout_delivery", "Save this acceptance? y/Enter save"]
        {
            assert!(screen.contains(want), "{want:?} missing:\n{screen}");
        }
        let mut scrolled = screen.clone();
        for _ in 0..30 {
            harness::press(&mut app, KeyCode::Down);
            scrolled = pane_text(&app);
        }
        assert!(scrolled.contains("Written to: ") && scrolled.contains("Save this acceptance?"), "{scrolled}");
        assert!(!scrolled.contains("Accepts the risk of: closeout_delivery"), "{scrolled}");
        let Mode::Confirm(c) = &app.mode else { panic!() };
        assert!(!record.artifacts.is_empty());
        for art in &record.artifacts {
            let summary = &c.summary;
            assert!(
                summary.iter().any(|l| l.contains(&art.id) && l.contains(&format!("sha256:{}", art.sha256))),
                "{} with its digest: {summary:?}",
                art.id
            );
        }
        assert!(c.summary.iter().any(|l| l == &format!("Written to: {}", out.path().join("review.json").display())));
        // n: back to the form, everything kept, nothing written.
        let fx = harness::type_keys(&mut app, "n");
        assert!(fx.is_empty());
        let w = app.review().unwrap();
        assert!(matches!(app.mode, Mode::Review(_)));
        assert!(w.pending.is_none() && w.saving.is_none());
        assert_eq!((w.form[0].text(), w.form[4].text(), w.field), ("risk-owner", "2026-09-21", 5));
        // Esc too.
        harness::ctrl(&mut app, 's');
        assert!(matches!(app.mode, Mode::Confirm(_)));
        assert!(harness::press(&mut app, KeyCode::Esc).is_empty());
        assert!(matches!(app.mode, Mode::Review(_)));
        assert_eq!(app.review().unwrap().form[2].text(), "webhook outage; redelivery after the fix");
        // Enter saves.
        harness::ctrl(&mut app, 's');
        let fx = harness::press(&mut app, KeyCode::Enter);
        let [Effect::SaveReview { path, record: saved, .. }] = fx.as_slice() else { panic!("{fx:?}") };
        assert_eq!(path, &out.path().join("review.json"));
        assert_eq!(saved.acceptance.as_ref().unwrap().owner, "risk-owner");
    }

    #[test]
    fn enter_answers_only_the_save_question() {
        let mut app = app_from(&store());
        open(&mut app);
        harness::press(&mut app, KeyCode::Enter);
        harness::press(&mut app, KeyCode::Esc);
        assert!(matches!(app.mode, Mode::Confirm(_)), "the discard question");
        harness::press(&mut app, KeyCode::Enter);
        assert!(matches!(app.mode, Mode::Confirm(_)), "Enter does not discard a review");
        harness::type_keys(&mut app, "n");
        assert!(app.review().is_some());
    }

    #[test]
    fn errors_are_recomputed_from_the_fields_on_every_edit() {
        let mut app = app_from(&store());
        to_form(&mut app);
        harness::ctrl(&mut app, 's');
        assert!(pane_text(&app).contains("✗ owner is required"));
        harness::type_keys(&mut app, "o");
        let screen = pane_text(&app);
        assert!(!screen.contains("owner is required"), "the error cleared as the owner was typed:\n{screen}");
        assert!(screen.contains("✗ reason is required"), "other fields keep theirs:\n{screen}");
        harness::press(&mut app, KeyCode::Backspace);
        assert!(pane_text(&app).contains("✗ owner is required"), "and it comes back when the owner is emptied");
        // An expiry that is not after the evaluation time, then one that is.
        for _ in 0..4 {
            harness::press(&mut app, KeyCode::Tab);
        }
        harness::type_keys(&mut app, "2026-09-01");
        assert!(pane_text(&app).contains("✗ must be after the evaluation time 2026-09-14T10:00:00Z"));
        harness::ctrl(&mut app, 'u');
        harness::type_keys(&mut app, "2026-09-19");
        assert!(!pane_text(&app).contains("must be after"), "{}", pane_text(&app));
        harness::ctrl(&mut app, 'u');
        assert!(pane_text(&app).contains("✗ expiry is required"));
        // Wording matches what is required: the form says owner, reason and expiry.
        let screen = pane_text(&app);
        assert!(screen.contains("Owner (required)") && screen.contains("Expiry (required)"), "{screen}");
        assert!(screen.contains("External reference (optional)"), "{screen}");
    }

    #[test]
    fn before_a_save_is_asked_a_field_shows_its_errors_once_left() {
        let mut app = app_from(&store());
        to_form(&mut app);
        for _ in 0..3 {
            harness::press(&mut app, KeyCode::Tab);
        }
        harness::type_keys(&mut app, "next week");
        assert!(!pane_text(&app).contains("not a date"), "no error while the field is being typed");
        harness::press(&mut app, KeyCode::Tab);
        assert!(pane_text(&app).contains("✗ not a date (use YYYY-MM-DD or RFC 3339)"), "{}", pane_text(&app));
        assert!(!pane_text(&app).contains("owner is required"), "untouched fields show nothing yet");
    }

    #[test]
    fn the_cursor_edits_in_place_by_character_and_is_shown_where_it_is() {
        let mut app = app_from(&store());
        to_form(&mut app);
        harness::type_keys(&mut app, "héllo wörld");
        harness::press(&mut app, KeyCode::Left);
        harness::press(&mut app, KeyCode::Left);
        harness::press(&mut app, KeyCode::Backspace);
        assert_eq!(app.review().unwrap().form[0].text(), "héllo wöld");
        harness::press(&mut app, KeyCode::Delete);
        assert_eq!(app.review().unwrap().form[0].text(), "héllo wöd");
        harness::ctrl(&mut app, 'a');
        harness::press(&mut app, KeyCode::Right);
        harness::press(&mut app, KeyCode::Delete);
        assert_eq!(app.review().unwrap().form[0].text(), "hllo wöd", "é deleted whole, never split");
        harness::type_keys(&mut app, "€");
        assert_eq!(app.review().unwrap().form[0].text(), "h€llo wöd");
        // The cursor is drawn on the character after it (l), in reverse video.
        let style = cell_style(&app, "h€llo wöd", |l| l.find("h€l").map(|b| b + "h€".len()));
        assert!(style.add_modifier.contains(Modifier::REVERSED), "{style:?}");
        let before = cell_style(&app, "h€llo wöd", |l| l.find("h€l"));
        assert!(!before.add_modifier.contains(Modifier::REVERSED), "{before:?}");
        harness::ctrl(&mut app, 'e');
        harness::ctrl(&mut app, 'w');
        assert_eq!(app.review().unwrap().form[0].text(), "h€llo ");
        harness::press(&mut app, KeyCode::Home);
        harness::press(&mut app, KeyCode::End);
        harness::press(&mut app, KeyCode::Left);
        harness::ctrl(&mut app, 'u');
        assert_eq!(app.review().unwrap().form[0].text(), " ");
        assert_eq!(app.review().unwrap().form[0].cursor(), 0);
    }

    #[test]
    fn long_text_wraps_inside_the_pane() {
        let mut app = app_from(&store());
        to_form(&mut app);
        harness::press(&mut app, KeyCode::Tab);
        harness::press(&mut app, KeyCode::Tab);
        let words: Vec<String> = (0..40).map(|i| format!("w{i:02}")).collect();
        let reason = words.join(" ");
        harness::type_keys(&mut app, &reason);
        let screen = pane_text(&app);
        let width = app.area.width as usize;
        assert!(screen.lines().all(|l| l.chars().count() <= width));
        // Every character is on screen, in order, across the value's lines (inside the pane's borders).
        let shown: String = screen
            .lines()
            .skip_while(|l| !l.contains("Reason (required)"))
            .take_while(|l| !l.contains("Target resolution date"))
            .map(|l| {
                l.replace("› Reason (required)", "").trim_matches(|c: char| c == '┃' || c.is_whitespace()).to_string()
            })
            .collect::<Vec<_>>()
            .join("");
        assert_eq!(shown.replace(' ', ""), reason.replace(' ', ""), "{screen}");
        assert!(screen.matches("w39").count() == 1, "the end of the reason is shown:\n{screen}");
    }

    #[test]
    fn it_warns_when_the_expiry_is_before_the_target_date() {
        let mut app = app_from(&store());
        to_form(&mut app);
        fill(&mut app, "2026-09-25", "2026-09-20");
        let screen = pane_text(&app);
        assert!(screen.contains("! the expiry 2026-09-20T00:00:00Z is before the target resolution date"), "{screen}");
        let style = cell_style(&app, "! the expiry", |l| l.find("! the"));
        assert_eq!(style.fg, theme::status(Some(Status::Warn)).fg, "a warning, in the warning colour");
        // A warning, not an error: the save can still be confirmed, and the summary repeats it.
        harness::ctrl(&mut app, 's');
        let Mode::Confirm(c) = &app.mode else { panic!("{:?}", app.mode) };
        assert!(c.summary.iter().any(|l| l.starts_with("! the expiry")), "{:?}", c.summary);
        harness::type_keys(&mut app, "n");
        harness::press(&mut app, KeyCode::BackTab);
        harness::ctrl(&mut app, 'u');
        harness::type_keys(&mut app, "2026-09-30");
        assert!(!pane_text(&app).contains("! the expiry"));
    }

    #[test]
    fn it_says_before_saving_when_a_failure_means_no_acceptance_can_change_the_verdict() {
        let mut app = app_from(&store());
        to_form(&mut app);
        assert!(!pane_text(&app).contains("cannot change the verdict"), "warnings only: an acceptance counts");
        // A live run without a dry run: the retry workflow criterion fails.
        let doc = without_dry_runs(store());
        let mut app = app_from(&doc);
        let fails: Vec<_> = app.report.findings.iter().filter(|f| f.status == Status::Fail).map(|f| f.id).collect();
        assert!(!fails.is_empty(), "the changed store fails a criterion");
        to_form(&mut app);
        let screen = pane_text(&app);
        assert!(screen.contains("✗ This acceptance cannot change the verdict"), "{screen}");
        assert!(screen.contains(fails[0].as_str()), "it names the failing criterion:\n{screen}");
        fill(&mut app, "", "2026-09-21");
        harness::ctrl(&mut app, 's');
        let Mode::Confirm(c) = &app.mode else { panic!("{:?}", app.mode) };
        assert!(c.summary.iter().any(|l| l.starts_with("Verdict once saved: blocked")), "{:?}", c.summary);
        assert!(c.summary.iter().any(|l| l.contains("cannot change the verdict")), "{:?}", c.summary);
        // The same rule the verdict uses: evaluating with the record gives the same verdict.
        let (_, record) = app.review().unwrap().pending.clone().unwrap();
        let a = crate::review::to_acceptance(&record, "r.json", &app.evidence).unwrap().unwrap();
        let report = crate::health::evaluate(&app.evidence, &[a], parse_instant(AS_OF).unwrap()).unwrap();
        assert_eq!(report.verdict, Verdict::Blocked);
    }

    #[test]
    fn the_save_path_preview_is_the_save_path_for_a_bare_file_name() {
        // Evidence opened as `closeout store.json`: its directory is the empty path.
        let mut ev = load_bytes("store.json", serde_json::to_vec(&store()).unwrap(), &LoadOptions::default()).unwrap();
        ev.root = std::path::Path::new("store.json").parent().map(std::path::Path::to_path_buf);
        assert_eq!(ev.root().map(|p| p.as_os_str().is_empty()), Some(true));
        let t = parse_instant(AS_OF).unwrap();
        let mut app = harness::app(ev, Some(t), 100, 30);
        harness::apply(&mut app, Msg::Tick(t));
        to_form(&mut app);
        let screen = pane_text(&app);
        assert!(screen.contains("Saves to: ./closeout-review-20260914T100000Z.json"), "{screen}");
        assert!(!screen.contains(" /closeout-review"), "{screen}");
        fill(&mut app, "", "2026-09-21");
        harness::ctrl(&mut app, 's');
        let (path, _) = app.review().unwrap().pending.clone().unwrap();
        assert_eq!(path, std::path::Path::new("./closeout-review-20260914T100000Z.json"));
        let Mode::Confirm(c) = &app.mode else { panic!("{:?}", app.mode) };
        assert!(
            c.summary.iter().any(|l| l == "Written to: ./closeout-review-20260914T100000Z.json"),
            "{:?}",
            c.summary
        );
        harness::type_keys(&mut app, "n");
        app.live.review_out = Some("elsewhere/r.json".into());
        assert!(pane_text(&app).contains("Saves to: elsewhere/r.json"));
    }

    #[test]
    fn a_demo_shows_the_summary_and_never_writes_a_review() {
        let mut app = app_from(&store());
        app.live.demo = true;
        to_form(&mut app);
        assert!(pane_text(&app).contains("a demo never writes a review"));
        fill(&mut app, "", "2026-09-21");
        harness::ctrl(&mut app, 's');
        assert!(pane_text(&app).contains("A demo writes nothing: y/Enter applies the acceptance in memory"));
        assert_eq!(app.report.verdict, Verdict::Blocked);
        let dir = std::env::current_dir().unwrap();
        let before: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        let fx = harness::type_keys(&mut app, "y");
        // No write is asked for: the acceptance counts at once, as a written record's does (a health run).
        assert!(!fx.iter().any(|e| matches!(e, Effect::SaveReview { .. })), "{fx:?}");
        let [Effect::RunHealth { acceptances, .. }] = fx.as_slice() else { panic!("{fx:?}") };
        let acceptances = acceptances.clone();
        assert_eq!(acceptances.len(), 1);
        assert_eq!(acceptances[0].owner.as_deref(), Some("risk-owner"));
        assert!(app.review().is_none(), "nothing to sign: the review closes");
        assert_eq!(app.live.demo_records.len(), 1);
        assert!(app.live.reviews.is_empty(), "no file joins the records in force");
        assert!(app.live.notice.as_deref().unwrap().starts_with("acceptance applied in memory: a demo writes nothing"));
        harness::run(&mut app, fx);
        assert_eq!(app.report.verdict, Verdict::ReadyWithAcceptedRisk, "{}", app.report.verdict_reason);
        assert!(app.report.verdict_reason.contains("demo: not written"), "{}", app.report.verdict_reason);
        let after: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(before, after, "nothing was written");
        // The same acceptance a written record would give.
        let (path, record) = &app.live.demo_records[0];
        let written =
            crate::review::to_acceptance(record, &path.display().to_string(), &app.evidence).unwrap().unwrap();
        assert_eq!(
            (written.owner, written.expires_at, written.covers),
            (acceptances[0].owner.clone(), acceptances[0].expires_at.clone(), acceptances[0].covers.clone())
        );
    }

    #[test]
    fn a_secret_typed_in_a_field_is_shown_redacted_and_never_saved() {
        let mut app = app_from(&store());
        to_form(&mut app);
        let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        harness::send(&mut app, &crate::tui::event::paste(secret));
        let screen = pane_text(&app);
        assert!(!screen.contains(secret), "{screen}");
        assert!(screen.contains("«REDACTED"), "{screen}");
        harness::ctrl(&mut app, 's');
        assert!(matches!(app.mode, Mode::Review(_)), "a secret is an error: no confirm");
        assert!(pane_text(&app).contains("looks like a secret"));
    }

    /// Save (the write simulated) so the review offers to sign `record`.
    fn saved(app: &mut App, record: &std::path::Path) {
        to_form(app);
        fill(app, "", "2026-09-21");
        harness::ctrl(app, 's');
        let fx = harness::type_keys(app, "y");
        let [Effect::SaveReview { generation, .. }] = fx.as_slice() else { panic!("{fx:?}") };
        harness::apply(
            app,
            Msg::Work(Work::ReviewSaved { generation: *generation, result: Shared::new(Ok(record.to_path_buf())) }),
        );
        assert!(app.review().unwrap().sign.is_some());
    }

    #[test]
    fn with_an_agent_and_no_key_the_offer_signs_with_the_agents_key_and_keeps_a_failure() {
        let mut app = app_from(&store());
        app.live.ssh_agent = true;
        saved(&mut app, std::path::Path::new("r.json"));
        let screen = pane_text(&app);
        assert!(screen.contains("empty: the agent's one key"), "{screen}");
        assert_eq!(app.contexts(), crate::tui::keymap::stack(Context::ReviewSign, false));
        let footer = screen.lines().last().unwrap();
        assert!(footer.contains("Enter sign") && footer.contains("Esc unsigned"), "{footer}");
        assert!(
            !footer.contains("Ctrl-S save") && !screen.contains("Saves to:"),
            "the form's keys are gone:\n{screen}"
        );
        let fx = harness::press(&mut app, KeyCode::Enter);
        let [Effect::SignReview { key: None, agent: true, record, generation }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        assert_eq!(record, std::path::Path::new("r.json"));
        // Keys wait while the signature is being made.
        assert!(harness::press(&mut app, KeyCode::Enter).is_empty());
        assert!(pane_text(&app).contains("signing…"));
        harness::apply(
            &mut app,
            Msg::Work(Work::ReviewSigned {
                generation: *generation,
                result: Shared::new(Err("ssh-agent: the agent holds no keys (add one with ssh-add)".into())),
            }),
        );
        let offer = app.review().unwrap().sign.clone().unwrap();
        assert!(!offer.signing);
        assert!(pane_text(&app).contains("✗ not signed (the record stays, unsigned): ssh-agent: the agent holds"));
        // A pasted key path goes into the key field (one line).
        harness::send(&mut app, &crate::tui::event::paste("/k/id\n"));
        assert_eq!(app.review().unwrap().sign.as_ref().unwrap().key.text(), "/k/id ");
        let fx = harness::press(&mut app, KeyCode::Enter);
        assert!(
            matches!(fx.as_slice(), [Effect::SignReview { key: Some(k), agent: false, .. }] if k == std::path::Path::new("/k/id")),
            "{fx:?}"
        );
        let generation = app.evidence.generation;
        harness::apply(
            &mut app,
            Msg::Work(Work::ReviewSigned {
                generation,
                result: Shared::new(Ok("r.json.sig (ssh-ed25519 SHA256:x)".into())),
            }),
        );
        assert!(app.review().is_none());
        assert_eq!(app.status.as_deref(), Some("review saved to r.json and signed: r.json.sig (ssh-ed25519 SHA256:x)"));
    }

    #[test]
    fn a_save_that_lands_after_a_reload_closed_its_review_is_still_reported() {
        for (result, says) in [
            (Ok(std::path::PathBuf::from("late.json")), "review saved to late.json but not applied"),
            (Err("disk full".to_string()), "review not saved: disk full"),
        ] {
            let mut app = app_from(&store());
            to_form(&mut app);
            fill(&mut app, "", "2026-09-21");
            harness::ctrl(&mut app, 's');
            let fx = harness::type_keys(&mut app, "y");
            let [Effect::SaveReview { generation, .. }] = fx.as_slice() else { panic!("{fx:?}") };
            let generation = *generation;
            let loaded = crate::tui::runtime::load(
                &crate::tui::runtime::Source::Sample("accepted-risk-store".into()),
                &LoadOptions::default(),
                &[],
                None,
                None,
            )
            .unwrap();
            harness::apply(&mut app, Msg::Work(Work::Loaded(Shared::new(Ok(loaded)))));
            assert!(app.review().is_none(), "the reload closed the review");
            harness::apply(&mut app, Msg::Work(Work::ReviewSaved { generation, result: Shared::new(result) }));
            let log = app.log.entries().iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
            assert!(log.contains(says), "{log}");
            assert!(
                !app.live.reviews.iter().any(|p| p.ends_with("late.json")),
                "a record of the old evidence is not applied"
            );
        }
    }

    #[test]
    fn the_offer_to_sign_outlives_a_reload_but_an_unsaved_review_does_not() {
        let reload = |app: &mut App| {
            let loaded = crate::tui::runtime::load(
                &crate::tui::runtime::Source::Sample("accepted-risk-store".into()),
                &LoadOptions::default(),
                &[],
                None,
                None,
            )
            .unwrap();
            harness::apply(app, Msg::Work(Work::Loaded(Shared::new(Ok(loaded)))));
        };
        let mut app = app_from(&store());
        saved(&mut app, std::path::Path::new("r.json"));
        reload(&mut app);
        assert!(app.review().and_then(|w| w.sign.as_ref()).is_some(), "the saved record can still be signed");
        let mut app = app_from(&store());
        to_form(&mut app);
        reload(&mut app);
        assert!(app.review().is_none());
    }

    #[test]
    fn the_sandbox_shows_the_record_to_copy_and_asks_the_runtime_for_no_write() {
        let mut app = app_from(&store());
        // As `closeout --sandbox` sets it up: a sandbox writes nothing, as a demo does.
        app.live.sandbox = Some(crate::tui::state::sandbox::Sandbox::new(
            std::time::Duration::from_secs(600),
            std::time::Duration::from_secs(600),
        ));
        app.live.demo = true;
        to_form(&mut app);
        fill(&mut app, "", "2026-09-21");
        harness::ctrl(&mut app, 's');
        let Mode::Confirm(q) = &app.mode else { panic!("the save asks first") };
        assert!(q.question.starts_with("The sandbox writes nothing"), "{}", q.question);
        let fx = harness::type_keys(&mut app, "y");
        assert!(
            fx.iter().all(|e| matches!(e, Effect::RunHealth { .. })),
            "no write is asked for, only the health re-run with the acceptance: {fx:?}"
        );
        assert_eq!(app.live.demo_records.len(), 1, "the acceptance is applied in memory");
        let Mode::Confirm(c) = &app.mode else { panic!("the record is shown: {:?}", app.status) };
        assert!(c.question.contains("the sandbox writes nothing"), "{}", c.question);
        let text = c.summary.join("\n");
        let record: serde_json::Value = serde_json::from_str(&text).expect("the record as JSON");
        assert_eq!(record["acceptance"]["owner"], "risk-owner", "{text}");
        assert!(pane_text(&app).contains("Applied in memory"), "{}", pane_text(&app));
        let fx = harness::type_keys(&mut app, "y");
        let [Effect::Copy { what, text: copied }] = fx.as_slice() else { panic!("{fx:?}") };
        assert_eq!((*what, copied.as_str()), ("review record", text.as_str()));
        assert!(matches!(app.mode, Mode::Normal));
    }

    #[test]
    fn the_sandboxed_runtime_refuses_every_write_whatever_asks() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app_from(&store());
        to_form(&mut app);
        fill(&mut app, "", "2026-09-21");
        harness::ctrl(&mut app, 's');
        let ev = std::sync::Arc::clone(&app.evidence);
        let record = app.review().unwrap().pending.clone().map(|(_, r)| *r);
        let mut rt = crate::tui::runtime::Runtime::sandboxed(crate::tui::runtime::Clipboard::off());
        let path = dir.path().join("r.json");
        let mut effects = vec![
            Effect::SaveNotes { path: dir.path().join("notes.md"), text: "x".into() },
            Effect::SignReview { generation: ev.generation, record: path.clone(), key: None, agent: false },
            Effect::Load {
                source: crate::tui::runtime::Source::Path(dir.path().join("evidence.json")),
                options: LoadOptions::default(),
                reviews: Vec::new(),
                as_of: None,
                release: None,
            },
        ];
        let record = record.expect("the record the save would write");
        effects.push(Effect::SaveReview { generation: ev.generation, path, record: Box::new(record), evidence: ev });
        let n = effects.len();
        rt.execute(effects);
        let start = std::time::Instant::now();
        let mut got = Vec::new();
        while got.len() < n && start.elapsed() < std::time::Duration::from_secs(20) {
            got.extend(rt.poll());
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(got.len(), n, "{got:?}");
        for m in &got {
            let text = format!("{m:?}");
            assert!(text.contains("the sandbox writes nothing"), "{text}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
    }
}
