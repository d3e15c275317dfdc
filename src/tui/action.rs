//! What a person can ask the explorer to do ([`Action`]: the keymap's targets, named in the config file and
//! listed in the palette), and everything else that reaches [`crate::tui::update::update`] ([`Msg`]: time, the
//! terminal's size, the mouse, typed text and pasted text, and what background work reports back).
//!
//! Time only ever arrives as [`Msg::Tick`], so a scripted run replays deterministically.

use chrono::{DateTime, Utc};

use super::runtime::Work;
use super::state::Pane;

/// One keymap action. Plain data with a stable snake_case name ([`Action::name`]) that a config file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Move up in what has focus (tree: previous row; detail: previous line; lists: previous entry).
    Up,
    Down,
    PageUp,
    PageDown,
    HalfPageUp,
    HalfPageDown,
    Top,
    Bottom,
    /// Open the selected group or node (a node opens to its references).
    Expand,
    /// Close the selected group or node, or move to its parent.
    Collapse,
    /// Enter: follow a reference, toggle a row, pick an entry.
    Activate,
    ExpandAll,
    CollapseAll,
    /// Select the next node whose findings warn or fail.
    NextProblem,
    PrevProblem,
    /// Back and forward along the jump history.
    Back,
    Forward,
    FocusNext,
    FocusPrev,
    /// Give the detail pane more of the screen (and back).
    WidenDetail,
    /// Search the text of every field of every artifact.
    StartSearch,
    SearchNext,
    SearchPrev,
    /// Filter the tree by id, kind or state.
    StartFilter,
    /// Keep only nodes with a problem in the tree.
    ToggleProblemsOnly,
    /// Hide older versions of each artifact.
    ToggleHideSuperseded,
    /// Esc: close what is open, innermost first.
    Cancel,
    ToggleHelp,
    ToggleBoundary,
    ToggleLog,
    OpenPalette,
    /// `y`: copy something about the selection (a follow-up key says what).
    CopyMenu,
    /// Choose which release is evaluated.
    PickRelease,
    Quit,
    /// Quit at once, whatever is unsaved (Ctrl-C).
    QuitNow,
    ToggleHealth,
    RunHealth,
    OpenReview,
    ReviewNext,
    ReviewFlag,
    ReviewBack,
    NextField,
    PrevField,
    Submit,
    ConfirmYes,
    ConfirmNo,
    ToggleWalk,
    WalkNext,
    WalkPrev,
    WalkTick,
    WalkUntick,
    WalkDown,
    WalkUp,
    WalkScrollDown,
    WalkScrollUp,
    WalkSave,
    /// Text input: accept (Enter), delete, move the cursor.
    InputAccept,
    DeleteBack,
    DeleteForward,
    DeleteWord,
    ClearInput,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    /// Copy follow-ups.
    CopyId,
    CopyPointer,
    CopyJq,
    CopySha,
    CopyValue,
    CopyReason,
    CopyCommand,
}

macro_rules! names {
    ($($v:ident => $n:literal),* $(,)?) => {
        /// Every action, in the order help and the default config list them.
        pub const ALL_ACTIONS: &[Action] = &[$(Action::$v),*];
        impl Action {
            /// The stable name a config file uses (`next_problem`).
            pub fn name(self) -> &'static str {
                match self { $(Action::$v => $n),* }
            }
            /// The action a config file names.
            pub fn parse(name: &str) -> Option<Action> {
                match name { $($n => Some(Action::$v),)* _ => None }
            }
        }
    };
}

names! {
    Up => "up", Down => "down", PageUp => "page_up", PageDown => "page_down", HalfPageUp => "half_page_up",
    HalfPageDown => "half_page_down", Top => "top", Bottom => "bottom", Expand => "expand", Collapse => "collapse",
    Activate => "activate", ExpandAll => "expand_all", CollapseAll => "collapse_all", NextProblem => "next_problem",
    PrevProblem => "prev_problem", Back => "back", Forward => "forward", FocusNext => "focus_next",
    FocusPrev => "focus_prev", WidenDetail => "widen_detail", StartSearch => "search", SearchNext => "search_next",
    SearchPrev => "search_prev", StartFilter => "filter", ToggleProblemsOnly => "filter_problems",
    ToggleHideSuperseded => "filter_superseded", Cancel => "cancel", ToggleHelp => "help",
    ToggleBoundary => "boundary", ToggleLog => "message_log", OpenPalette => "palette", CopyMenu => "copy",
    PickRelease => "release", Quit => "quit", QuitNow => "quit_now", ToggleHealth => "health", RunHealth => "run_health",
    OpenReview => "review", ReviewNext => "review_next", ReviewFlag => "review_flag", ReviewBack => "review_back",
    NextField => "next_field", PrevField => "prev_field", Submit => "submit", ConfirmYes => "confirm_yes",
    ConfirmNo => "confirm_no", ToggleWalk => "walkthrough", WalkNext => "walk_next", WalkPrev => "walk_prev",
    WalkTick => "walk_tick", WalkUntick => "walk_untick", WalkDown => "walk_down", WalkUp => "walk_up",
    WalkScrollDown => "walk_scroll_down", WalkScrollUp => "walk_scroll_up", WalkSave => "walk_save", InputAccept => "input_accept",
    DeleteBack => "delete_back", DeleteForward => "delete_forward", DeleteWord => "delete_word",
    ClearInput => "clear_input", CursorLeft => "cursor_left", CursorRight => "cursor_right",
    CursorHome => "cursor_home", CursorEnd => "cursor_end", CopyId => "copy_id", CopyPointer => "copy_pointer",
    CopyJq => "copy_jq_path", CopySha => "copy_sha256", CopyValue => "copy_value", CopyReason => "copy_reason",
    CopyCommand => "copy_command",
}

/// Everything that can change the explorer's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// A keymap action.
    Action(Action),
    /// Time passes: the clock's value comes in here, never from inside update or render.
    Tick(DateTime<Utc>),
    Resize {
        width: u16,
        height: u16,
    },
    /// A left click at a screen cell.
    Click {
        x: u16,
        y: u16,
    },
    /// The mouse wheel over a cell (`down`: towards the end).
    Wheel {
        x: u16,
        y: u16,
        down: bool,
    },
    /// A character typed into the text input that has the keyboard.
    Input(char),
    /// Text pasted (bracketed paste): inserted into the text input, never acted on.
    Paste(String),
    /// Select a node by index, revealing it (boundary entries, walkthroughs, palette jumps).
    FocusNode(usize),
    /// Move focus to a pane (walkthroughs).
    FocusPane(Pane),
    /// Open a walkthrough by name (`closeout walk NAME`, `closeout demo`).
    OpenWalk(String),
    /// Background work reports back (see [`super::runtime`]).
    Work(Work),
}

impl From<Action> for Msg {
    fn from(a: Action) -> Msg {
        Msg::Action(a)
    }
}

impl Msg {
    /// Messages that come from background work or the clock rather than from the person: they never clear the
    /// status line.
    pub fn is_passive(&self) -> bool {
        matches!(self, Msg::Work(_) | Msg::Tick(_) | Msg::Resize { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_unique_name_that_parses_back() {
        let mut seen = std::collections::HashSet::new();
        for a in ALL_ACTIONS {
            assert!(seen.insert(a.name()), "{} twice", a.name());
            assert_eq!(Action::parse(a.name()), Some(*a));
        }
        assert_eq!(Action::parse("no_such_action"), None);
    }
}
