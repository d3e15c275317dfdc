//! The walkthrough files: every one validates, every focus target exists in the evidence it is written for,
//! every rule of the format is enforced with a clear error, and the closing summary renders as markdown.

use std::path::Path;

use chrono::{TimeZone, Utc};

use closeout::evidence::{LoadOptions, load_path};
use closeout::samples;
use closeout::walkthrough::{
    self, FocusPane, ProblemKind, SUCCESS_CHECKLIST, Walkthrough, WalkthroughError, follow_up_markdown, load_str,
};

#[test]
fn every_builtin_walkthrough_validates() {
    let all = walkthrough::builtin();
    let names: Vec<&str> = all.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["trial-walkthrough", "sales-demo", "operator-runbook"]);
    for w in &all {
        assert_eq!(w.schema, walkthrough::SCHEMA);
        assert!(w.validate().is_empty(), "{}: {:?}", w.name, w.validate());
        assert_eq!(walkthrough::find(&w.name).as_ref(), Some(w));
    }
    assert_eq!(walkthrough::find("no-such-walkthrough"), None);
    assert_eq!(walkthrough::names(), names);
}

#[test]
fn every_file_in_the_directory_is_embedded_and_loads_from_disk() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("walkthroughs");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = walkthrough::builtin_files().iter().map(|(f, _)| f.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "every walkthrough file is embedded, and only those");
    for name in &on_disk {
        let w = walkthrough::load_file(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{}.json", w.name), *name, "a file is named after its walkthrough");
    }
    let err = walkthrough::load_file(&dir.join("missing.json")).unwrap_err();
    assert!(matches!(err, WalkthroughError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("missing.json"), "{err}");
}

/// Steps' focus targets exist in the embedded sample each file is written for.
#[test]
fn focus_targets_exist_in_the_embedded_sample() {
    for name in ["trial-walkthrough", "sales-demo"] {
        let w = walkthrough::find(name).unwrap();
        let sample = w.evidence.clone().expect("written for a sample");
        assert_eq!(sample, samples::default_name(), "{name} is written for the default sample");
        let ev = samples::load(&sample, &LoadOptions::default()).unwrap();
        assert_eq!(w.missing_targets(&ev), vec![], "{name}");
        for step in &w.steps {
            let f = &step.focus;
            if f.kind.is_some() || f.node.is_some() {
                let n = f.resolve(&ev).unwrap_or_else(|| panic!("{name}/{}: {}", step.id, f.describe()));
                if let Some(id) = &f.node {
                    assert!(ev.nodes[n].id.matches(id), "{name}/{}", step.id);
                }
                if let Some(kind) = f.kind() {
                    assert_eq!(ev.nodes[n].kind, kind, "{name}/{}", step.id);
                }
            }
        }
    }
}

/// The operator runbook focuses by kind, so it works on any store in CAVRA's runtime format (CAVRA's own:
/// the conformance suite).
#[test]
fn operator_runbook_targets_exist_in_a_runtime_evidence_store() {
    let w = walkthrough::find("operator-runbook").unwrap();
    assert_eq!(w.evidence, None);
    assert!(w.steps.iter().all(|s| s.focus.node.is_none()), "a real store's ids differ: focus by kind");
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-evidence/accepted-risk-store.json");
    let ev = load_path(&store, &LoadOptions::default()).unwrap();
    assert_eq!(w.missing_targets(&ev), vec![]);
    for step in w.steps.iter().filter(|s| s.focus.kind.is_some()) {
        let n = step.focus.resolve(&ev).unwrap_or_else(|| panic!("{}", step.id));
        assert!(ev.nodes[n].latest, "{}: a kind focus selects the latest node", step.id);
    }
    // And on every other store sample.
    for s in samples::all().into_iter().filter(|s| s.format == "metadata_store") {
        let ev = samples::load(&s.name, &LoadOptions::default()).unwrap();
        let missing = w.missing_targets(&ev);
        assert!(missing.iter().all(|(_, why)| why.starts_with("no ")), "{}: {missing:?}", s.name);
    }
}

#[test]
fn missing_targets_are_reported() {
    let ev = samples::load(&samples::default_name(), &LoadOptions::default()).unwrap();
    let mut w = walkthrough::find("trial-walkthrough").unwrap();
    w.steps[0].focus.node = Some("no-such-node".into());
    w.steps[1].focus.kind = Some("execution record".into()); // the trial package has none
    w.steps[1].focus.node = None;
    w.steps[2].focus.kind = Some("retry plan".into()); // node is a retention review decision
    let missing = w.missing_targets(&ev);
    assert_eq!(
        missing,
        vec![
            ("operating-model".to_string(), "no node with id \"no-such-node\"".to_string()),
            ("evidence-chain".to_string(), "no execution record in the evidence".to_string()),
            (
                "retention-approval".to_string(),
                "node \"retention-review-payments-api-001\" is not of kind \"retry plan\"".to_string()
            ),
        ]
    );
}

#[test]
fn the_trial_walkthrough_follows_the_ten_step_variant() {
    let w = walkthrough::find("trial-walkthrough").unwrap();
    assert_eq!(w.steps.len(), 10);
    assert_eq!(w.duration_minutes, None);
    assert_eq!(w.success_checklist.len(), 6);
    assert_eq!(w.follow_ups.len(), 5);
    let questions: usize = w.steps.iter().map(|s| s.questions.len()).sum();
    assert_eq!(questions, 6, "the six discovery questions, asked where they fit");
    let kinds: Vec<Option<&str>> = w.steps.iter().map(|s| s.focus.kind.as_deref()).collect();
    for needed in ["retention review decision", "artifact bundle", "retention health", "alert delivery", "retry plan"] {
        assert!(kinds.contains(&Some(needed)), "{needed}");
    }
    let criteria = w.steps.iter().position(|s| s.id == "release-criteria").unwrap();
    assert_eq!(w.steps[criteria].focus.pane, FocusPane::Verdict);
    assert_eq!(w.steps.last().unwrap().id, "upgrade-path");
}

#[test]
fn the_sales_demo_is_thirty_minutes_in_five_sections() {
    let w = walkthrough::find("sales-demo").unwrap();
    assert_eq!(w.duration_minutes, Some(30));
    let sections: Vec<(&str, u32)> = w.sections.iter().map(|s| (s.id.as_str(), s.minutes)).collect();
    assert_eq!(sections, [("framing", 5), ("evidence", 10), ("criteria", 5), ("upgrade", 7), ("qa", 3)]);
    for sec in &w.sections {
        let sum: u32 =
            w.steps.iter().filter(|s| s.section.as_deref() == Some(sec.id.as_str())).map(|s| s.minutes.unwrap()).sum();
        assert_eq!(sum, sec.minutes, "{}", sec.id);
    }
    assert_eq!(w.planned_minutes(), 30);
    assert_eq!(w.planned_start(0), 0);
    assert_eq!(w.planned_start(w.steps.len()), 30);
    // Steps run in section order.
    let order: Vec<&str> = w.steps.iter().map(|s| s.section.as_deref().unwrap()).collect();
    let mut dedup = order.clone();
    dedup.dedup();
    assert_eq!(dedup, ["framing", "evidence", "criteria", "upgrade", "qa"]);
    // A retry plan review, and the demo ends on the verdict.
    assert!(w.steps.iter().any(|s| s.focus.pane == FocusPane::Review && s.focus.kind.as_deref() == Some("retry plan")));
    let last = w.steps.last().unwrap();
    assert_eq!((last.focus.pane, last.focus.kind.as_deref()), (FocusPane::Verdict, Some("release decision")));
}

#[test]
fn the_operator_runbook_has_nine_steps_ending_on_the_decision() {
    let w = walkthrough::find("operator-runbook").unwrap();
    assert_eq!(w.steps.len(), 9);
    assert_eq!(w.steps.last().unwrap().focus.pane, FocusPane::Verdict);
    assert!(w.steps.iter().all(|s| !s.checklist.is_empty()), "every runbook step says what to check");
}

/// Sentences end in `.`, `?` or `!` followed by a space or the end.
fn sentences(text: &str) -> usize {
    let b = text.as_bytes();
    (0..b.len()).filter(|&i| matches!(b[i], b'.' | b'?' | b'!') && (i + 1 == b.len() || b[i + 1] == b' ')).count()
}

#[test]
fn narration_is_two_to_five_sentences() {
    for w in walkthrough::builtin() {
        for s in &w.steps {
            let n = sentences(&s.narration);
            assert!((2..=5).contains(&n), "{}/{}: {n} sentences", w.name, s.id);
            assert!(s.narration.ends_with('.') || s.narration.ends_with('?'), "{}/{}", w.name, s.id);
        }
    }
}

// ---- errors ----

const MINIMAL: &str = r#"{
  "schema": "closeout.walkthrough.v1",
  "name": "t",
  "title": "T",
  "audience": ["tester"],
  "steps": [
    {
      "id": "one",
      "title": "One",
      "narration": "First. Second.",
      "focus": { "pane": "tree", "kind": "retry plan", "criterion": "retry_workflow" }
    }
  ]
}"#;

fn problems(text: &str) -> Vec<ProblemKind> {
    match load_str("walkthroughs/test.json", text) {
        Err(WalkthroughError::Invalid { file, problems }) => {
            assert_eq!(file, "walkthroughs/test.json");
            problems.into_iter().map(|p| p.kind).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

fn edit(f: impl FnOnce(&mut Walkthrough)) -> String {
    let mut w: Walkthrough = serde_json::from_str(MINIMAL).unwrap();
    f(&mut w);
    serde_json::to_string_pretty(&w).unwrap()
}

#[test]
fn the_minimal_file_loads() {
    let w = load_str("walkthroughs/test.json", MINIMAL).unwrap();
    assert_eq!(w.steps[0].focus.kind(), Some(closeout::evidence::Kind::RetryPlan));
}

#[test]
fn bad_json_reports_file_line_and_column() {
    let broken = MINIMAL.replace("\"title\": \"One\",", "\"title\": \"One\"");
    let err = load_str("walkthroughs/test.json", &broken).unwrap_err();
    match &err {
        WalkthroughError::Syntax { file, line, column, .. } => {
            assert_eq!(file, "walkthroughs/test.json");
            assert_eq!((*line, *column), (10, 7), "{err}");
        }
        other => panic!("{other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.starts_with("walkthroughs/test.json: line 10, column 7: expected"), "{shown}");
}

#[test]
fn unknown_fields_and_panes_are_syntax_errors_with_position() {
    let typo = MINIMAL.replace("\"narration\"", "\"narative\"");
    let err = load_str("x.json", &typo).unwrap_err().to_string();
    assert!(err.contains("line 10") && err.contains("unknown field `narative`"), "{err}");

    let pane = MINIMAL.replace("\"pane\": \"tree\"", "\"pane\": \"sidebar\"");
    let err = load_str("x.json", &pane).unwrap_err().to_string();
    assert!(err.contains("line 11") && err.contains("unknown variant `sidebar`"), "{err}");
    for p in ["tree", "detail", "boundary", "health", "review", "verdict"] {
        assert!(err.contains(p), "{err} lists {p}");
    }

    let missing = MINIMAL.replace("\"title\": \"T\",", "");
    let err = load_str("x.json", &missing).unwrap_err().to_string();
    assert!(err.contains("missing field `title`"), "{err}");
}

#[test]
fn wrong_schema_is_reported() {
    let text = MINIMAL.replace("closeout.walkthrough.v1", "closeout.walkthrough.v0");
    assert_eq!(problems(&text), [ProblemKind::WrongSchema("closeout.walkthrough.v0".into())]);
    let err = load_str("walkthroughs/test.json", &text).unwrap_err().to_string();
    assert_eq!(
        err,
        "walkthroughs/test.json: 1 problem\n  schema: schema is \"closeout.walkthrough.v0\"; expected \"closeout.walkthrough.v1\""
    );
}

#[test]
fn duplicate_step_ids_are_reported() {
    let text = edit(|w| {
        let again = w.steps[0].clone();
        w.steps.push(again);
    });
    assert_eq!(problems(&text), [ProblemKind::DuplicateStep("one".into())]);
    let err = load_str("walkthroughs/test.json", &text).unwrap_err().to_string();
    assert!(err.contains("steps[1] (\"one\").id: step id \"one\" is used by an earlier step"), "{err}");
}

#[test]
fn unknown_kind_is_reported_with_the_known_names() {
    let text = MINIMAL.replace("\"retry plan\"", "\"retry plans\"");
    assert_eq!(problems(&text), [ProblemKind::UnknownKind("retry plans".into())]);
    let err = load_str("t.json", &text).unwrap_err().to_string();
    assert!(err.contains("steps[0] (\"one\").focus.kind: \"retry plans\" is not a CAVRA kind"), "{err}");
    assert!(err.contains("retry plan,") && err.contains("release decision"), "{err}");
}

#[test]
fn unknown_criterion_is_reported_with_the_known_ids() {
    let text = MINIMAL.replace("retry_workflow", "retry_flow");
    assert_eq!(problems(&text), [ProblemKind::UnknownCriterion("retry_flow".into())]);
    let err = load_str("t.json", &text).unwrap_err().to_string();
    assert!(err.contains("\"retry_flow\" is not a criterion id (known: final_readiness,"), "{err}");
}

#[test]
fn minutes_must_add_up() {
    let text = edit(|w| {
        w.duration_minutes = Some(30);
        w.steps[0].minutes = Some(25);
    });
    assert_eq!(problems(&text), [ProblemKind::MinutesMismatch { planned: 30, steps: 25 }]);
    let err = load_str("t.json", &text).unwrap_err().to_string();
    assert!(err.contains("duration_minutes: planned 30 minutes but the steps add up to 25"), "{err}");

    let text = edit(|w| w.duration_minutes = Some(30));
    assert_eq!(problems(&text), [ProblemKind::MissingMinutes]);

    // Minutes without a duration are fine.
    let text = edit(|w| w.steps[0].minutes = Some(4));
    assert!(load_str("t.json", &text).is_ok());
}

#[test]
fn sections_must_add_up_and_be_named() {
    use closeout::walkthrough::Section;
    let sec = |id: &str, minutes| Section { id: id.into(), title: id.into(), minutes };
    let text = edit(|w| {
        w.duration_minutes = Some(10);
        w.sections = vec![sec("a", 4), sec("b", 5)];
        w.steps[0].minutes = Some(10);
        w.steps[0].section = Some("a".into());
    });
    assert_eq!(
        problems(&text),
        [
            ProblemKind::MinutesMismatch { planned: 4, steps: 10 },
            ProblemKind::MinutesMismatch { planned: 5, steps: 0 },
            ProblemKind::SectionsMismatch { planned: 10, sections: 9 },
        ]
    );
    let text = edit(|w| {
        w.sections = vec![sec("a", 1), sec("a", 1)];
        let mut two = w.steps[0].clone();
        two.id = "two".into();
        two.section = Some("z".into());
        w.steps.push(two);
    });
    assert_eq!(
        problems(&text),
        [
            ProblemKind::DuplicateSection("a".into()),
            ProblemKind::MissingSection,
            ProblemKind::UnknownSection("z".into())
        ]
    );
}

#[test]
fn other_rules_are_reported() {
    let text = edit(|w| w.steps.clear());
    assert_eq!(problems(&text), [ProblemKind::NoSteps]);

    let text = edit(|w| w.steps[0].id = SUCCESS_CHECKLIST.into());
    assert_eq!(problems(&text), [ProblemKind::ReservedStepId]);

    let text = edit(|w| {
        w.steps[0].narration = "  ".into();
        w.name = String::new();
    });
    assert_eq!(problems(&text), [ProblemKind::Empty("name"), ProblemKind::Empty("narration")]);

    let text = edit(|w| w.steps[0].focus.kind = None);
    assert_eq!(problems(&text), [ProblemKind::NothingToSelect(FocusPane::Tree)]);
    let text = edit(|w| {
        w.steps[0].focus.kind = None;
        w.steps[0].focus.pane = FocusPane::Health;
    });
    assert!(load_str("t.json", &text).is_ok(), "a health focus needs no node");

    let text = edit(|w| w.steps[0].focus.node = Some("frb-payments-api-2026-09-14-001".into()));
    assert_eq!(problems(&text), [ProblemKind::NodeWithoutEvidence]);
    let text = edit(|w| {
        w.steps[0].focus.node = Some("frb-payments-api-2026-09-14-001".into());
        w.evidence = Some("trial-walkthrough".into());
    });
    assert!(load_str("t.json", &text).is_ok());

    let text = edit(|w| w.evidence = Some("no-such-sample".into()));
    assert_eq!(problems(&text), [ProblemKind::UnknownSample("no-such-sample".into())]);
    let err = load_str("t.json", &text).unwrap_err().to_string();
    assert!(err.contains("known: trial-walkthrough,"), "{err}");

    // Several problems are all reported, one per line.
    let text = edit(|w| {
        w.schema = "x".into();
        w.steps[0].focus.criterion = Some("nope".into());
    });
    let err = load_str("t.json", &text).unwrap_err().to_string();
    assert_eq!(err.lines().count(), 3, "{err}");
    assert!(err.starts_with("t.json: 2 problems\n"), "{err}");
}

// ---- the closing summary ----

#[test]
fn follow_up_notes_list_ticked_and_open_items() {
    let w = walkthrough::find("trial-walkthrough").unwrap();
    let as_of = Utc.with_ymd_and_hms(2026, 9, 14, 11, 30, 0).unwrap();
    let ticked =
        [("operating-model", 0), ("operating-model", 2), (SUCCESS_CHECKLIST, 1), ("nope", 0), ("retry-planning", 99)];
    let md = follow_up_markdown(&w, &ticked, "payments-api\x1b[31m walkthrough", as_of);
    assert_eq!(md, follow_up_markdown(&w, &ticked, "payments-api\x1b[31m walkthrough", as_of), "deterministic");

    assert!(md.starts_with("# Follow-up notes: Final closeout trial walkthrough\n\n"), "{md}");
    assert!(md.contains("- Evidence: payments-api\\x1b[31m walkthrough\n"), "control characters are escaped");
    assert!(!md.contains('\x1b'));
    assert!(md.contains("- As of: 2026-09-14T11:30:00Z\n"));
    let items: usize = w.steps.iter().map(|s| s.checklist.len()).sum::<usize>() + w.success_checklist.len();
    assert!(md.contains(&format!("- Checklist: 3 of {items} items ticked, {} open\n", items - 3)), "{md}");

    assert!(md.contains(&format!(
        "## Success checklist\n\n- [ ] {}\n- [x] {}\n",
        w.success_checklist[0], w.success_checklist[1]
    )));
    let s0 = &w.steps[0];
    assert!(md.contains(&format!(
        "### 1. The operating model\n\n- [x] {}\n- [ ] {}\n- [x] {}\n",
        s0.checklist[0], s0.checklist[1], s0.checklist[2]
    )));
    // Open items name their step; ticked ones are not listed as open.
    let open = md.split("## Open items").nth(1).unwrap().split("## Steps").next().unwrap();
    assert!(open.contains(&format!("- [ ] {} (step 1: The operating model)", s0.checklist[1])));
    assert!(!open.contains(&s0.checklist[0]));
    assert!(open.contains("(step 10: The upgrade path)"));

    let questions = md.split("## Discovery questions").nth(1).unwrap();
    for s in &w.steps {
        for q in &s.questions {
            assert!(questions.contains(&format!("- {q} ({})", s.title)), "{q}");
        }
    }
    for f in &w.follow_ups {
        assert!(md.contains(&format!("- [ ] {f}\n")), "{f}");
    }
    assert!(md.ends_with('\n') && !md.ends_with("\n\n"));
}

#[test]
fn follow_up_notes_when_everything_is_ticked() {
    let w = walkthrough::find("operator-runbook").unwrap();
    let mut ticks: Vec<(&str, usize)> =
        w.steps.iter().flat_map(|s| (0..s.checklist.len()).map(move |i| (s.id.as_str(), i))).collect();
    ticks.extend((0..w.success_checklist.len()).map(|i| (SUCCESS_CHECKLIST, i)));
    let md = follow_up_markdown(&w, &ticks, "store", Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap());
    assert!(md.contains("None: every step's checklist was ticked."), "{md}");
    assert!(!md.split("## Follow-ups").next().unwrap().contains("- [ ] "), "{md}");
    assert!(!md.contains("## Discovery questions"), "the runbook asks no questions");
    assert!(md.contains("## Steps\n\n### 1. Readiness evidence\n\n- [x] "), "{md}");
}

#[test]
fn review_pane_is_one_to_five_and_only_on_a_review_focus() {
    for p in 1..=5 {
        let text = edit(|w| {
            w.steps[0].focus.pane = FocusPane::Review;
            w.steps[0].focus.review_pane = Some(p);
        });
        assert_eq!(load_str("t.json", &text).unwrap().steps[0].focus.review_pane, Some(p));
    }
    for bad in [0, 6, 99] {
        let text = edit(|w| {
            w.steps[0].focus.pane = FocusPane::Review;
            w.steps[0].focus.review_pane = Some(bad);
        });
        assert_eq!(problems(&text), [ProblemKind::ReviewPaneOutOfRange(bad)]);
        let err = load_str("t.json", &text).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "focus.review_pane: review_pane {bad} is not a pane of the retry-plan review (1 to 5)"
            )),
            "{err}"
        );
    }
    let text = edit(|w| {
        w.steps[0].focus.pane = FocusPane::Detail;
        w.steps[0].focus.review_pane = Some(2);
    });
    assert_eq!(problems(&text), [ProblemKind::ReviewPaneWithoutReview]);
    // A negative or fractional pane is not a number of the format: a syntax error with its position.
    let text = edit(|w| {
        w.steps[0].focus.pane = FocusPane::Review;
        w.steps[0].focus.review_pane = Some(1);
    })
    .replace("\"review_pane\": 1", "\"review_pane\": -1");
    assert!(matches!(load_str("t.json", &text), Err(WalkthroughError::Syntax { .. })));
}
