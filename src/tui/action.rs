//! What the app can be asked to do. Keys, mouse events, scripts and (later) workers all become an [`Action`];
//! [`crate::tui::app::App::update`] is the only place that changes state.
//!
//! Room for the panes to come: the live health pane's worker sends a "finding arrived" action per
//! criterion, the retry-review wizard gets its own modal context with text input (as the filter has), and
//! walkthroughs steer with [`Action::FocusNode`] and [`Action::FocusPane`]. Time only ever arrives as
//! [`Action::Tick`], so a scripted demo replays deterministically.

use chrono::{DateTime, Utc};

use super::app::Pane;

/// One request to the app. Everything is plain data, so a script or a test can build any sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Move up in the focused pane (tree: previous row; detail: scroll; overlays: previous line or entry).
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Open the selected group or node (a node opens to its references).
    Expand,
    /// Close the selected group or node, or move to its parent.
    Collapse,
    /// Enter: follow a reference, toggle a group or node, pick a boundary entry.
    Activate,
    ExpandAll,
    CollapseAll,
    /// Select the next node whose findings warn or fail.
    NextProblem,
    PrevProblem,
    /// Go back along the reference-jump history.
    Back,
    FocusNext,
    FocusPrev,
    /// Move focus to a pane (walkthroughs).
    FocusPane(Pane),
    /// Select a node by index, revealing it (boundary view entries, walkthroughs).
    FocusNode(usize),
    StartFilter,
    FilterInput(char),
    FilterBackspace,
    /// Empty the filter text but keep typing.
    FilterClear,
    /// Keep the filter and return to the tree.
    FilterAccept,
    /// Esc: close what is open (filter, overlay), innermost first.
    Cancel,
    ToggleHelp,
    ToggleBoundary,
    Quit,
    Resize {
        width: u16,
        height: u16,
    },
    /// A left click at a screen cell.
    ClickAt {
        x: u16,
        y: u16,
    },
    /// Mouse wheel over a screen cell.
    ScrollUp {
        x: u16,
        y: u16,
    },
    ScrollDown {
        x: u16,
        y: u16,
    },
    /// Time passes: the clock's value comes in here, never from inside update or render.
    Tick(DateTime<Utc>),
    /// Show the health pane in the right column, or the detail again.
    ToggleHealth,
    /// Run the closeout criteria again, live, with progress.
    RunHealth,
    /// Open the retry plan review over every open failed closeout delivery.
    OpenReview,
    /// Review: mark the pane reviewed (or flagged) and go on; go back a pane.
    ReviewNext,
    ReviewFlag,
    ReviewBack,
    /// Review form: move between fields, type, delete, validate and save.
    ReviewNextField,
    ReviewPrevField,
    ReviewInput(char),
    ReviewBackspace,
    ReviewSubmit,
    /// Answer a y/n question.
    ConfirmYes,
    ConfirmNo,
    /// Background work reports back (health events, reloads, saved reviews); see [`super::health::Work`].
    Work(super::health::Work),
    /// Open the evidence's default walkthrough, or close the open one.
    ToggleWalk,
    /// Open a walkthrough by name (`closeout walk NAME`, `closeout demo`).
    OpenWalk(String),
    /// Next walkthrough step (after the last: the closing summary).
    WalkNext,
    WalkPrev,
    /// Tick the next checklist item of the current step; untick the last ticked one.
    WalkTick,
    WalkUntick,
    /// Save the closing summary as markdown follow-up notes.
    WalkSave,
}
