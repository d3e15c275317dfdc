//! The one keymap. [`DEFAULTS`] is the table of (context, group, keys, action, description, footer hint);
//! a [`Keymap`] is that table with a person's overrides from the config file applied and checked. The
//! dispatcher, the footer, the `?` help and the palette all read the same [`Keymap`], so help can never lie
//! about a key, and they show the person's own keys.
//!
//! Each binding belongs to a [`Context`]; the model says which contexts are active, innermost first
//! ([`stack`], derived from its mode), and the first binding that holds the key wins. In a stack holding
//! [`Context::Input`], keys that no binding claims are typed characters.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, Msg};

/// One key with its modifiers. Letters carry their case in the character, so SHIFT is ignored for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn ch(c: char) -> KeySpec {
    KeySpec { code: KeyCode::Char(c), mods: KeyModifiers::NONE }
}

const fn ctrl(c: char) -> KeySpec {
    KeySpec { code: KeyCode::Char(c), mods: KeyModifiers::CONTROL }
}

const fn alt(code: KeyCode) -> KeySpec {
    KeySpec { code, mods: KeyModifiers::ALT }
}

const fn k(code: KeyCode) -> KeySpec {
    KeySpec { code, mods: KeyModifiers::NONE }
}

/// Names of the special keys, as labels print them and config files may write them (first: the label).
const NAMED: &[(&[&str], KeyCode)] = &[
    (&["Enter", "Return", "CR"], KeyCode::Enter),
    (&["Esc", "Escape"], KeyCode::Esc),
    (&["Bksp", "Backspace", "BS"], KeyCode::Backspace),
    (&["Del", "Delete"], KeyCode::Delete),
    (&["Tab"], KeyCode::Tab),
    (&["S-Tab", "BackTab", "Shift-Tab"], KeyCode::BackTab),
    (&["PgUp", "PageUp"], KeyCode::PageUp),
    (&["PgDn", "PageDown"], KeyCode::PageDown),
    (&["Home"], KeyCode::Home),
    (&["End"], KeyCode::End),
    (&["↑", "Up"], KeyCode::Up),
    (&["↓", "Down"], KeyCode::Down),
    (&["←", "Left"], KeyCode::Left),
    (&["→", "Right"], KeyCode::Right),
    (&["Space"], KeyCode::Char(' ')),
];

impl KeySpec {
    /// The key as help and the footer print it (`Ctrl-P`, `Alt-←`, `S-Tab`, `j`).
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            code => NAMED.iter().find(|(_, c)| *c == code).map_or_else(|| format!("{code:?}"), |(n, _)| n[0].into()),
        };
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::CONTROL) && base.chars().count() == 1 {
            out.push_str(&base.to_uppercase());
        } else {
            out.push_str(&base);
        }
        out
    }

    /// Parse a key as a config file writes it: `j`, `G`, `Ctrl-p`, `ctrl+P`, `Alt-Left`, `Enter`, `PgDn`, `F5`.
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let bad = || format!("{s:?} is not a key (e.g. \"j\", \"G\", \"Ctrl-p\", \"Alt-Left\", \"Enter\", \"PgDn\")");
        let mut mods = KeyModifiers::NONE;
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err(bad());
        }
        loop {
            let lower = rest.to_ascii_lowercase();
            let cut = ["ctrl-", "ctrl+", "c-"].iter().find(|p| lower.starts_with(**p) && rest.len() > p.len());
            if let Some(p) = cut {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[p.len()..];
                continue;
            }
            let cut = ["alt-", "alt+", "m-", "meta-"].iter().find(|p| lower.starts_with(**p) && rest.len() > p.len());
            if let Some(p) = cut {
                mods |= KeyModifiers::ALT;
                rest = &rest[p.len()..];
                continue;
            }
            break;
        }
        let mut chars = rest.chars();
        let named = NAMED.iter().find(|(names, _)| names.contains(&rest)).map(|(_, c)| *c);
        let code = match (chars.next(), chars.next()) {
            (Some(_), None) if let Some(code) = named => code,
            (Some(c), None) if !c.is_control() => {
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(n) =
                    lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=12).contains(n))
                {
                    KeyCode::F(n)
                } else {
                    NAMED
                        .iter()
                        .find(|(names, _)| names.iter().any(|n| n.to_ascii_lowercase() == lower || *n == rest))
                        .map(|(_, c)| *c)
                        .ok_or_else(bad)?
                }
            }
        };
        Ok(KeySpec { code, mods })
    }

    /// A press of this key.
    pub fn press(&self) -> KeyEvent {
        KeyEvent::new(self.code, self.mods)
    }

    /// The key an event carries, normalised: SHIFT dropped where the key code already says it.
    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code = match ev.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        KeySpec { code, mods }
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere, even while typing.
    Always,
    /// Whenever no text input or modal pane holds the keyboard.
    Global,
    /// The tree, the detail or the health pane has focus.
    Panes,
    Tree,
    Detail,
    Health,
    /// A walkthrough is open (and no text input or modal holds the keyboard).
    Walk,
    /// Typing a search or a filter (or searching help).
    Find,
    /// Editing text: unbound keys are typed characters.
    Input,
    Help,
    Boundary,
    Log,
    /// The retry plan review's fact panes (modal).
    Review,
    /// The review's acceptance form.
    ReviewForm,
    /// The offer to sign a saved review record (typing the key's path).
    ReviewSign,
    /// A yes/no question.
    Confirm,
    Palette,
    /// After `y`: what to copy.
    Copy,
    /// Choosing the evaluated release.
    Releases,
}

impl Context {
    /// What help calls it ("" for the global context).
    pub fn label(self) -> &'static str {
        match self {
            Context::Always => "anywhere",
            Context::Global => "",
            Context::Panes => "panes",
            Context::Tree => "tree",
            Context::Detail => "detail",
            Context::Health => "health pane",
            Context::Walk => "walkthrough",
            Context::Find => "typing",
            Context::Input => "text input",
            Context::Help => "help",
            Context::Boundary => "boundary",
            Context::Log => "message log",
            Context::Review => "review",
            Context::ReviewForm => "review form",
            Context::ReviewSign => "review sign",
            Context::Confirm => "question",
            Context::Palette => "palette",
            Context::Copy => "copy",
            Context::Releases => "releases",
        }
    }

    /// The name a config file uses to override a key in one context only (`tree.down`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Always => "always",
            Context::Global => "global",
            Context::Panes => "panes",
            Context::Tree => "tree",
            Context::Detail => "detail",
            Context::Health => "health",
            Context::Walk => "walk",
            Context::Find => "find",
            Context::Input => "input",
            Context::Help => "help",
            Context::Boundary => "boundary",
            Context::Log => "log",
            Context::Review => "review",
            Context::ReviewForm => "review_form",
            Context::ReviewSign => "review_sign",
            Context::Confirm => "confirm",
            Context::Palette => "palette",
            Context::Copy => "copy",
            Context::Releases => "releases",
        }
    }

    pub const ALL: [Context; 19] = [
        Context::Always,
        Context::Global,
        Context::Panes,
        Context::Tree,
        Context::Detail,
        Context::Health,
        Context::Walk,
        Context::Find,
        Context::Input,
        Context::Help,
        Context::Boundary,
        Context::Log,
        Context::Review,
        Context::ReviewForm,
        Context::ReviewSign,
        Context::Confirm,
        Context::Palette,
        Context::Copy,
        Context::Releases,
    ];
}

/// The contexts active when `primary` has the keyboard, innermost first; `walk`: a walkthrough is open.
pub fn stack(primary: Context, walk: bool) -> Vec<Context> {
    use Context as C;
    let mut v = vec![C::Always];
    match primary {
        C::Always => {}
        C::Global | C::Walk => {}
        C::Panes | C::Tree => v.extend([C::Tree, C::Panes]),
        C::Detail => v.extend([C::Detail, C::Panes]),
        C::Health => v.extend([C::Health, C::Panes]),
        C::Help | C::Boundary | C::Log => v.push(primary),
        C::Find | C::Input => return vec![C::Always, C::Find, C::Input],
        C::ReviewForm => return vec![C::Always, C::ReviewForm, C::Input],
        C::ReviewSign => return vec![C::Always, C::ReviewSign, C::Input],
        C::Palette => return vec![C::Always, C::Palette, C::Input],
        // The retry-plan review keeps the walkthrough's keys (a review step is a step like any other).
        C::Review if walk => return vec![C::Always, C::Review, C::Walk],
        C::Review | C::Confirm | C::Copy | C::Releases => return vec![C::Always, primary],
    }
    if walk {
        v.push(C::Walk);
    }
    v.push(C::Global);
    v
}

/// How help groups the bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Move,
    Tree,
    Find,
    Detail,
    Copy,
    Views,
    Walkthrough,
    Health,
    Review,
    Text,
    App,
}

impl Group {
    pub const ALL: [Group; 11] = [
        Group::Move,
        Group::Tree,
        Group::Find,
        Group::Detail,
        Group::Copy,
        Group::Views,
        Group::Walkthrough,
        Group::Health,
        Group::Review,
        Group::Text,
        Group::App,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Move",
            Group::Tree => "Evidence tree",
            Group::Find => "Search and filter",
            Group::Detail => "Detail pane",
            Group::Copy => "Copy",
            Group::Views => "Views",
            Group::Walkthrough => "Walkthrough",
            Group::Health => "Health pane",
            Group::Review => "Retry plan review",
            Group::Text => "Typing text",
            Group::App => "App",
        }
    }
}

/// One row of the default table.
#[derive(Debug)]
pub struct Def {
    pub context: Context,
    pub group: Group,
    pub keys: &'static [KeySpec],
    pub action: Action,
    /// What help says.
    pub description: &'static str,
    /// What the footer says (None: help only). Adjacent bindings with the same hint share one footer entry.
    pub hint: Option<&'static str>,
}

const fn b(
    context: Context,
    group: Group,
    keys: &'static [KeySpec],
    action: Action,
    description: &'static str,
    hint: Option<&'static str>,
) -> Def {
    Def { context, group, keys, action, description, hint }
}

use Action as A;
use Context as C;
use Group as G;
use KeyCode as K;

/// Every key the app knows, before a config file changes any.
pub static DEFAULTS: &[Def] = &[
    b(C::Always, G::App, &[ctrl('c')], A::QuitNow, "quit at once, from anywhere", None),
    // Typing a search or a filter.
    b(C::Find, G::Find, &[k(K::Enter)], A::InputAccept, "keep it, back to the panes", Some("keep")),
    b(C::Find, G::Find, &[k(K::Esc)], A::Cancel, "clear it", Some("clear")),
    b(C::Find, G::Find, &[k(K::Up)], A::Up, "move up while typing", Some("move")),
    b(C::Find, G::Find, &[k(K::Down)], A::Down, "move down while typing", Some("move")),
    // Editing any text.
    b(C::Input, G::Text, &[k(K::Backspace)], A::DeleteBack, "delete before the cursor", None),
    b(C::Input, G::Text, &[k(K::Delete)], A::DeleteForward, "delete at the cursor", None),
    b(C::Input, G::Text, &[ctrl('w')], A::DeleteWord, "delete the word before the cursor", None),
    b(C::Input, G::Text, &[ctrl('u')], A::ClearInput, "delete to the start", None),
    b(C::Input, G::Text, &[k(K::Left), ctrl('b')], A::CursorLeft, "cursor left", None),
    b(C::Input, G::Text, &[k(K::Right), ctrl('f')], A::CursorRight, "cursor right", None),
    b(C::Input, G::Text, &[k(K::Home), ctrl('a')], A::CursorHome, "cursor to the start", None),
    b(C::Input, G::Text, &[k(K::End), ctrl('e')], A::CursorEnd, "cursor to the end", None),
    // Help overlay.
    b(C::Help, G::Views, &[k(K::Esc), ch('?'), ch('q')], A::Cancel, "close help", Some("close")),
    b(C::Help, G::Views, &[ch('/')], A::StartSearch, "search help", Some("search")),
    b(C::Help, G::Views, &[k(K::Up), ch('k')], A::Up, "scroll help up", Some("scroll")),
    b(C::Help, G::Views, &[k(K::Down), ch('j')], A::Down, "scroll help down", Some("scroll")),
    b(C::Help, G::Views, &[k(K::PageUp)], A::PageUp, "help page up", None),
    b(C::Help, G::Views, &[k(K::PageDown), ch(' ')], A::PageDown, "help page down", None),
    b(C::Help, G::Views, &[k(K::Home), ch('g')], A::Top, "top of help", None),
    b(C::Help, G::Views, &[k(K::End), ch('G')], A::Bottom, "end of help", None),
    // Boundary view.
    b(C::Boundary, G::Views, &[k(K::Esc), ch('b')], A::Cancel, "close the boundary view", Some("close")),
    b(C::Boundary, G::Views, &[k(K::Up), ch('k')], A::Up, "previous redaction or violation", Some("select")),
    b(C::Boundary, G::Views, &[k(K::Down), ch('j')], A::Down, "next redaction or violation", Some("select")),
    b(C::Boundary, G::Views, &[k(K::Home), ch('g')], A::Top, "first entry", None),
    b(C::Boundary, G::Views, &[k(K::End), ch('G')], A::Bottom, "last entry", None),
    b(C::Boundary, G::Views, &[k(K::Enter)], A::Activate, "show the entry's node in the tree", Some("go to node")),
    // Message log.
    b(C::Log, G::Views, &[k(K::Esc), ch('L'), ch('q')], A::Cancel, "close the message log", Some("close")),
    b(C::Log, G::Views, &[k(K::Up), ch('k')], A::Up, "scroll the log up", Some("scroll")),
    b(C::Log, G::Views, &[k(K::Down), ch('j')], A::Down, "scroll the log down", Some("scroll")),
    b(C::Log, G::Views, &[k(K::PageUp)], A::PageUp, "log page up", None),
    b(C::Log, G::Views, &[k(K::PageDown), ch(' ')], A::PageDown, "log page down", None),
    b(C::Log, G::Views, &[k(K::Home), ch('g')], A::Top, "oldest message", None),
    b(C::Log, G::Views, &[k(K::End), ch('G')], A::Bottom, "newest message", None),
    // The tree.
    b(C::Tree, G::Move, &[k(K::Up), ch('k')], A::Up, "previous row", Some("move")),
    b(C::Tree, G::Move, &[k(K::Down), ch('j')], A::Down, "next row", Some("move")),
    b(C::Tree, G::Move, &[k(K::PageUp), ctrl('b')], A::PageUp, "page up", None),
    b(C::Tree, G::Move, &[k(K::PageDown), ctrl('f'), ch(' ')], A::PageDown, "page down", None),
    b(C::Tree, G::Move, &[ctrl('u')], A::HalfPageUp, "half a page up", None),
    b(C::Tree, G::Move, &[ctrl('d')], A::HalfPageDown, "half a page down", None),
    b(C::Tree, G::Move, &[k(K::Home), ch('g')], A::Top, "first row", None),
    b(C::Tree, G::Move, &[k(K::End), ch('G')], A::Bottom, "last row", None),
    b(C::Tree, G::Tree, &[k(K::Enter)], A::Activate, "follow a reference, or open/close the row", Some("open")),
    b(C::Tree, G::Tree, &[k(K::Left), ch('h')], A::Collapse, "collapse, or go to the parent row", Some("fold")),
    b(
        C::Tree,
        G::Tree,
        &[k(K::Right), ch('l')],
        A::Expand,
        "expand a group, or a node to its references",
        Some("fold"),
    ),
    b(C::Tree, G::Tree, &[ch('E')], A::ExpandAll, "expand all", None),
    b(C::Tree, G::Tree, &[ch('C')], A::CollapseAll, "collapse all", None),
    // The detail pane.
    b(C::Detail, G::Detail, &[k(K::Up), ch('k')], A::Up, "previous line", Some("move")),
    b(C::Detail, G::Detail, &[k(K::Down), ch('j')], A::Down, "next line", Some("move")),
    b(C::Detail, G::Detail, &[k(K::PageUp), ctrl('b')], A::PageUp, "a page up", None),
    b(C::Detail, G::Detail, &[k(K::PageDown), ctrl('f'), ch(' ')], A::PageDown, "a page down", None),
    b(C::Detail, G::Detail, &[ctrl('u')], A::HalfPageUp, "half a page up", None),
    b(C::Detail, G::Detail, &[ctrl('d')], A::HalfPageDown, "half a page down", None),
    b(C::Detail, G::Detail, &[k(K::Home), ch('g')], A::Top, "top of the detail", None),
    b(C::Detail, G::Detail, &[k(K::End), ch('G')], A::Bottom, "end of the detail", None),
    b(C::Detail, G::Detail, &[k(K::Enter)], A::Activate, "follow the reference on this line", Some("follow")),
    b(C::Detail, G::Detail, &[k(K::Left), ch('h')], A::FocusPrev, "back to the tree", None),
    // The health pane.
    b(C::Health, G::Health, &[k(K::Up), ch('k')], A::Up, "previous finding or evidence line", Some("select")),
    b(C::Health, G::Health, &[k(K::Down), ch('j')], A::Down, "next finding or evidence line", Some("select")),
    b(C::Health, G::Health, &[ctrl('u')], A::HalfPageUp, "half a page up", None),
    b(C::Health, G::Health, &[ctrl('d')], A::HalfPageDown, "half a page down", None),
    b(C::Health, G::Health, &[k(K::Home), ch('g')], A::Top, "first finding", None),
    b(C::Health, G::Health, &[k(K::End), ch('G')], A::Bottom, "last line", None),
    b(C::Health, G::Health, &[k(K::Enter)], A::Activate, "open a finding, or jump to its evidence", Some("open/jump")),
    b(C::Health, G::Health, &[k(K::Right), ch('l')], A::Expand, "expand: reason, evidence, next step", None),
    b(C::Health, G::Health, &[k(K::Left), ch('h')], A::Collapse, "collapse the finding", None),
    b(C::Health, G::Health, &[ch('c')], A::RunHealth, "run the criteria again, live", Some("re-run")),
    // Any pane.
    b(C::Panes, G::Find, &[ch('/')], A::StartSearch, "search every field of every artifact", Some("search")),
    b(C::Panes, G::Find, &[ch('n')], A::SearchNext, "next search match (across nodes)", None),
    b(C::Panes, G::Find, &[ch('N')], A::SearchPrev, "previous search match", None),
    b(C::Panes, G::Find, &[ch('f')], A::StartFilter, "filter the tree by id, kind or state", Some("filter")),
    b(C::Panes, G::Find, &[ch('F')], A::ToggleProblemsOnly, "filter: only nodes with a problem (on/off)", None),
    b(C::Panes, G::Find, &[ch('V')], A::ToggleHideSuperseded, "filter: hide superseded versions (on/off)", None),
    b(C::Panes, G::Find, &[k(K::Esc)], A::Cancel, "clear the search, then the filter", None),
    b(C::Panes, G::Tree, &[ch('p')], A::NextProblem, "next node with a problem (warn or fail)", Some("problem")),
    b(C::Panes, G::Tree, &[ch('P')], A::PrevProblem, "previous node with a problem", None),
    b(C::Panes, G::Tree, &[k(K::Backspace), ctrl('o'), alt(K::Left)], A::Back, "back along the jump history", None),
    b(C::Panes, G::Tree, &[alt(K::Right), ctrl('n')], A::Forward, "forward along the jump history", None),
    b(
        C::Panes,
        G::Copy,
        &[ch('y')],
        A::CopyMenu,
        "copy: id, pointer, jq path, SHA-256, value, reason, command",
        Some("copy"),
    ),
    b(C::Panes, G::Views, &[k(K::Tab)], A::FocusNext, "next pane", None),
    b(C::Panes, G::Views, &[k(K::BackTab)], A::FocusPrev, "previous pane", None),
    b(C::Panes, G::Views, &[ch('z')], A::WidenDetail, "widen the detail pane (and back)", None),
    // A walkthrough is open.
    b(C::Walk, G::Walkthrough, &[ch(']')], A::WalkNext, "next walkthrough step", Some("step")),
    b(C::Walk, G::Walkthrough, &[ch('[')], A::WalkPrev, "previous walkthrough step", Some("step")),
    b(C::Walk, G::Walkthrough, &[ch('x')], A::WalkTick, "tick or untick the item under the cursor", Some("tick")),
    b(C::Walk, G::Walkthrough, &[ch('X')], A::WalkUntick, "untick the item under the cursor", None),
    b(C::Walk, G::Walkthrough, &[ch('J')], A::WalkDown, "cursor to the next checklist item", None),
    b(C::Walk, G::Walkthrough, &[ch('K')], A::WalkUp, "cursor to the previous checklist item", None),
    b(C::Walk, G::Walkthrough, &[ch('}')], A::WalkScrollDown, "scroll the narration panel down", None),
    b(C::Walk, G::Walkthrough, &[ch('{')], A::WalkScrollUp, "scroll the narration panel up", None),
    b(C::Walk, G::Walkthrough, &[ch('S')], A::WalkSave, "save the closing summary as markdown notes", None),
    // No text input and no modal pane.
    b(C::Global, G::Health, &[ch('v')], A::ToggleHealth, "health pane: criteria, findings, verdict", Some("health")),
    b(C::Global, G::Review, &[ch('r')], A::OpenReview, "retry plan review of failed deliveries", Some("review")),
    b(
        C::Global,
        G::Walkthrough,
        &[ch('w')],
        A::ToggleWalk,
        "open or close the guided walkthrough",
        Some("walkthrough"),
    ),
    b(C::Global, G::Health, &[ch('c')], A::RunHealth, "run the criteria again, live", None),
    b(C::Global, G::Views, &[ch('b')], A::ToggleBoundary, "boundary view: Community vs Enterprise/SaaS", None),
    b(C::Global, G::Views, &[ch('L')], A::ToggleLog, "message log: every status message", None),
    b(C::Global, G::Views, &[ch('R')], A::PickRelease, "choose the release that is evaluated", None),
    b(C::Global, G::App, &[ch(':'), ctrl('p')], A::OpenPalette, "command palette: every action, jump anywhere", None),
    b(C::Global, G::Views, &[ch('?')], A::ToggleHelp, "help: every key", Some("help")),
    b(C::Global, G::App, &[ch('q')], A::Quit, "quit", Some("quit")),
    // The retry plan review's fact panes.
    b(
        C::Review,
        G::Review,
        &[k(K::Enter), k(K::Right), ch('n')],
        A::ReviewNext,
        "mark the pane reviewed, next pane",
        Some("reviewed, next"),
    ),
    b(C::Review, G::Review, &[ch('f')], A::ReviewFlag, "flag the pane, next pane", Some("flag")),
    b(C::Review, G::Review, &[k(K::Left), ch('p'), k(K::BackTab)], A::ReviewBack, "previous pane", Some("back")),
    b(C::Review, G::Review, &[k(K::Up), ch('k')], A::Up, "scroll the pane up", Some("scroll")),
    b(C::Review, G::Review, &[k(K::Down), ch('j')], A::Down, "scroll the pane down", Some("scroll")),
    b(C::Review, G::Review, &[k(K::Esc)], A::Cancel, "close the review (asks first)", Some("close")),
    // The review's acceptance form.
    b(C::ReviewForm, G::Review, &[k(K::Tab), k(K::Down)], A::NextField, "next field", Some("field")),
    b(
        C::ReviewForm,
        G::Review,
        &[k(K::BackTab), k(K::Up)],
        A::PrevField,
        "previous field (on the first: back a pane)",
        None,
    ),
    b(
        C::ReviewForm,
        G::Review,
        &[k(K::Enter)],
        A::Activate,
        "next field; on the last: confirm, then save",
        Some("next/save"),
    ),
    b(
        C::ReviewForm,
        G::Review,
        &[ctrl('s')],
        A::Submit,
        "validate, show what will be accepted, then save (y/Enter)",
        Some("save"),
    ),
    b(C::ReviewForm, G::Review, &[k(K::PageUp)], A::ReviewBack, "back to the boundary check", Some("back")),
    b(C::ReviewForm, G::Review, &[k(K::Esc)], A::Cancel, "close the review (asks first)", Some("close")),
    // The offer to sign a saved review.
    b(C::ReviewSign, G::Review, &[k(K::Enter), ctrl('s')], A::Activate, "sign the saved record", Some("sign")),
    b(C::ReviewSign, G::Review, &[k(K::Esc)], A::Cancel, "leave the saved record unsigned", Some("unsigned")),
    // A question.
    b(C::Confirm, G::App, &[ch('y')], A::ConfirmYes, "yes", Some("yes")),
    b(C::Confirm, G::App, &[ch('n'), k(K::Esc)], A::ConfirmNo, "no", Some("no")),
    b(C::Confirm, G::App, &[k(K::Enter)], A::Activate, "yes, to the save question only", None),
    b(C::Confirm, G::App, &[k(K::Up)], A::Up, "scroll the save summary up", None),
    b(C::Confirm, G::App, &[k(K::Down)], A::Down, "scroll the save summary down", None),
    // The palette.
    b(C::Palette, G::App, &[k(K::Enter)], A::Activate, "run the chosen entry", Some("run")),
    b(C::Palette, G::App, &[k(K::Up), ctrl('k')], A::Up, "previous entry", Some("select")),
    b(C::Palette, G::App, &[k(K::Down), ctrl('j')], A::Down, "next entry", Some("select")),
    b(C::Palette, G::App, &[k(K::Esc)], A::Cancel, "close the palette", Some("close")),
    // What to copy.
    b(C::Copy, G::Copy, &[ch('i')], A::CopyId, "the artifact id", Some("id")),
    b(C::Copy, G::Copy, &[ch('p')], A::CopyPointer, "the JSON pointer (file and path)", Some("pointer")),
    b(C::Copy, G::Copy, &[ch('j')], A::CopyJq, "a jq path", Some("jq")),
    b(C::Copy, G::Copy, &[ch('s')], A::CopySha, "the SHA-256", Some("sha256")),
    b(
        C::Copy,
        G::Copy,
        &[ch('v')],
        A::CopyValue,
        "the field's value (a redaction copies as its marker)",
        Some("value"),
    ),
    b(C::Copy, G::Copy, &[ch('r')], A::CopyReason, "a criterion's reason", Some("reason")),
    b(C::Copy, G::Copy, &[ch('c')], A::CopyCommand, "the closeout check command for this view", Some("command")),
    b(C::Copy, G::Copy, &[k(K::Esc), ch('q')], A::Cancel, "copy nothing", Some("cancel")),
    // Choosing a release.
    b(C::Releases, G::Views, &[k(K::Up), ch('k')], A::Up, "previous release", Some("select")),
    b(C::Releases, G::Views, &[k(K::Down), ch('j')], A::Down, "next release", Some("select")),
    b(C::Releases, G::Views, &[k(K::Enter)], A::Activate, "evaluate this release", Some("evaluate")),
    b(C::Releases, G::Views, &[k(K::Esc), ch('q')], A::Cancel, "keep the current release", Some("close")),
];

/// One binding in force.
#[derive(Debug, Clone)]
pub struct Binding {
    pub context: Context,
    pub group: Group,
    pub keys: Vec<KeySpec>,
    pub action: Action,
    pub description: &'static str,
    pub hint: Option<&'static str>,
    /// The keys come from the config file.
    pub user: bool,
}

/// A key override asked for by a config file: `action` (every context it is bound in) or `context.action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub name: String,
    pub keys: Vec<String>,
    /// Where it was written ("config.toml line 4"), for problems.
    pub at: String,
}

/// The keymap in force: the defaults with a person's overrides.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: DEFAULTS
                .iter()
                .map(|d| Binding {
                    context: d.context,
                    group: d.group,
                    keys: d.keys.to_vec(),
                    action: d.action,
                    description: d.description,
                    hint: d.hint,
                    user: false,
                })
                .collect(),
        }
    }
}

/// Every stack the model can produce (to check overrides against each).
fn all_stacks() -> Vec<Vec<Context>> {
    let mut out = Vec::new();
    for c in Context::ALL {
        for walk in [false, true] {
            let s = stack(c, walk);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

impl Keymap {
    /// The defaults with `overrides` applied. An override that names no action, holds a key that cannot be
    /// parsed, or would take a key another binding holds where it is active is not applied; each such problem
    /// is returned as one line naming where it was written.
    pub fn with_overrides(overrides: &[Override]) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        for o in overrides {
            let (ctx, action_name) = match o.name.split_once('.') {
                Some((c, a)) => (Context::ALL.iter().copied().find(|x| x.name() == c).map(Some), a),
                None => (Some(None), o.name.as_str()),
            };
            let Some(ctx) = ctx else {
                problems.push(format!("{}: {:?}: no such context (e.g. tree, detail, help)", o.at, o.name));
                continue;
            };
            let Some(action) = Action::parse(action_name) else {
                problems.push(format!(
                    "{}: {:?}: no such action (`closeout config --print-default` lists them)",
                    o.at, o.name
                ));
                continue;
            };
            let mut keys = Vec::new();
            let mut bad = false;
            for s in &o.keys {
                match KeySpec::parse(s) {
                    Ok(k) => keys.push(k),
                    Err(e) => {
                        problems.push(format!("{}: {}: {e}", o.at, o.name));
                        bad = true;
                    }
                }
            }
            if bad {
                continue;
            }
            if keys.is_empty() {
                problems.push(format!("{}: {}: give at least one key", o.at, o.name));
                continue;
            }
            let targets: Vec<usize> = (0..map.bindings.len())
                .filter(|&i| map.bindings[i].action == action && ctx.is_none_or(|c| map.bindings[i].context == c))
                .collect();
            if targets.is_empty() {
                problems.push(format!("{}: {}: that action has no key in that context", o.at, o.name));
                continue;
            }
            let mut trial = map.clone();
            for &i in &targets {
                trial.bindings[i].keys = keys.clone();
                trial.bindings[i].user = true;
            }
            // Keys a binding holds by default shadow what they shadow by design (q closes help, quits elsewhere):
            // only the keys the override adds are checked.
            match trial.conflict(&targets) {
                Some(msg) => problems.push(format!("{}: {}: {msg}; kept the default keys", o.at, o.name)),
                None => map = trial,
            }
        }
        (map, problems)
    }

    /// A key of one of `changed` that another binding holds in a stack where both are active.
    fn conflict(&self, changed: &[usize]) -> Option<String> {
        for stack in all_stacks() {
            for &i in changed {
                let bi = &self.bindings[i];
                if !stack.contains(&bi.context) {
                    continue;
                }
                for key in bi.keys.iter().filter(|k| !DEFAULTS[i].keys.contains(k)) {
                    for (j, bj) in self.bindings.iter().enumerate() {
                        if j == i || !stack.contains(&bj.context) || bj.action == bi.action {
                            continue;
                        }
                        if bj.keys.contains(key) {
                            return Some(format!(
                                "key {} is already {} ({}){}",
                                key.label(),
                                bj.action.name(),
                                bj.description,
                                if bj.context.label().is_empty() {
                                    String::new()
                                } else {
                                    format!(" in the {}", bj.context.label())
                                }
                            ));
                        }
                    }
                }
            }
        }
        None
    }

    /// The message a key event asks for in these contexts. Only presses count (not repeats or releases).
    pub fn dispatch(&self, contexts: &[Context], ev: &KeyEvent) -> Option<Msg> {
        if ev.kind != KeyEventKind::Press {
            return None;
        }
        let key = KeySpec::from_event(ev);
        for ctx in contexts {
            if let Some(bnd) = self.bindings.iter().find(|b| b.context == *ctx && b.keys.contains(&key)) {
                return Some(Msg::Action(bnd.action));
            }
        }
        if contexts.contains(&C::Input)
            && let KeyCode::Char(c) = key.code
            && !key.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return Some(Msg::Input(c));
        }
        None
    }

    /// The action a key asks for (for the footer's check and tests).
    pub fn action_for(&self, contexts: &[Context], key: &KeySpec) -> Option<Action> {
        match self.dispatch(contexts, &key.press()) {
            Some(Msg::Action(a)) => Some(a),
            _ => None,
        }
    }

    /// Footer entries for these contexts: (keys, hint), in table order, innermost context first.
    pub fn hints(&self, contexts: &[Context]) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = Vec::new();
        let mut seen: Vec<Action> = Vec::new();
        for ctx in contexts {
            let mut last_hint: Option<&'static str> = None;
            for bnd in self.bindings.iter().filter(|b| b.context == *ctx) {
                let Some(hint) = bnd.hint else {
                    last_hint = None;
                    continue;
                };
                let Some(first) = bnd.keys.first() else { continue };
                // Only what the key really does here: an inner context may shadow it (q closes help).
                if seen.contains(&bnd.action) || self.action_for(contexts, first) != Some(bnd.action) {
                    continue;
                }
                seen.push(bnd.action);
                let key = first.label();
                match out.last_mut() {
                    Some((keys, h)) if last_hint == Some(hint) && *h == hint => keys.push_str(&key),
                    _ => out.push((key, hint)),
                }
                last_hint = Some(hint);
            }
        }
        out
    }

    /// The first key of an action in these contexts ("p"), for messages and the palette.
    pub fn key_of(&self, contexts: &[Context], action: Action) -> Option<String> {
        for ctx in contexts {
            if let Some(b) = self.bindings.iter().find(|b| b.context == *ctx && b.action == action)
                && let Some(k) = b.keys.first()
                && self.action_for(contexts, k) == Some(action)
            {
                return Some(k.label());
            }
        }
        None
    }
}

/// Every key of a binding, as help prints them ("↑ k").
pub fn keys_label(bnd: &Binding) -> String {
    bnd.keys.iter().map(KeySpec::label).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn press(spec: KeySpec) -> KeyEvent {
        KeyEvent { code: spec.code, modifiers: spec.mods, kind: KeyEventKind::Press, state: KeyEventState::NONE }
    }

    #[test]
    fn every_listed_key_dispatches_to_its_action_in_its_context() {
        let map = Keymap::default();
        for walk in [false, true] {
            for bnd in &map.bindings {
                for key in &bnd.keys {
                    // Walkthrough keys work only while a walkthrough is open.
                    let walk = walk || bnd.context == C::Walk;
                    let got = map.dispatch(&stack(bnd.context, walk), &press(*key));
                    assert_eq!(
                        got,
                        Some(Msg::Action(bnd.action)),
                        "{} in {:?} ({}), walk {walk}",
                        key.label(),
                        bnd.context,
                        bnd.description
                    );
                }
            }
        }
    }

    #[test]
    fn releases_and_repeats_are_ignored() {
        let map = Keymap::default();
        let mut ev = press(ch('j'));
        ev.kind = KeyEventKind::Release;
        assert_eq!(map.dispatch(&stack(C::Tree, false), &ev), None);
        ev.kind = KeyEventKind::Repeat;
        assert_eq!(map.dispatch(&stack(C::Tree, false), &ev), None);
    }

    #[test]
    fn ctrl_c_quits_everywhere_and_text_contexts_type_letters() {
        let map = Keymap::default();
        for ctx in Context::ALL {
            assert_eq!(map.dispatch(&stack(ctx, true), &press(ctrl('c'))), Some(Msg::Action(A::QuitNow)), "{ctx:?}");
        }
        for ctx in [C::Find, C::Palette, C::ReviewForm] {
            assert_eq!(map.dispatch(&stack(ctx, false), &press(ch('q'))), Some(Msg::Input('q')), "{ctx:?}");
            assert_eq!(map.dispatch(&stack(ctx, false), &press(ch('j'))), Some(Msg::Input('j')), "{ctx:?}");
        }
    }

    #[test]
    fn shifted_letters_match_their_uppercase_binding() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Keymap::default().dispatch(&stack(C::Tree, false), &ev), Some(Msg::Action(A::Bottom)));
        let ev = KeyEvent::new(KeyCode::Char('P'), KeyModifiers::CONTROL | KeyModifiers::SHIFT);
        assert_eq!(Keymap::default().dispatch(&stack(C::Tree, false), &ev), Some(Msg::Action(A::OpenPalette)));
    }

    #[test]
    fn search_and_next_problem_do_not_share_keys() {
        let map = Keymap::default();
        let s = stack(C::Tree, true);
        for (key, action) in [(ch('n'), A::SearchNext), (ch('N'), A::SearchPrev), (ch('p'), A::NextProblem)] {
            assert_eq!(map.action_for(&s, &key), Some(action));
        }
    }

    #[test]
    fn footer_shows_only_keys_that_do_what_it_says() {
        let map = Keymap::default();
        for ctx in Context::ALL {
            let contexts = stack(ctx, true);
            for (keys, hint) in map.hints(&contexts) {
                let bnd = map
                    .bindings
                    .iter()
                    .find(|b| {
                        b.hint == Some(hint) && keys.starts_with(&b.keys[0].label()) && contexts.contains(&b.context)
                    })
                    .unwrap();
                assert_eq!(map.action_for(&contexts, &bnd.keys[0]), Some(bnd.action), "{ctx:?}: {keys} {hint}");
            }
        }
        let help = map.hints(&stack(C::Help, false));
        assert!(
            !help.iter().any(|(_, h)| *h == "quit"),
            "q closes help, so the footer must not say it quits: {help:?}"
        );
        let tree = map.hints(&stack(C::Tree, false));
        for headline in ["health", "review", "walkthrough", "help", "quit"] {
            assert!(tree.iter().any(|(_, h)| *h == headline), "{headline}: {tree:?}");
        }
        assert_eq!(tree[0], ("↑↓".to_string(), "move"));
    }

    #[test]
    fn keys_parse_as_config_files_write_them() {
        for (s, label) in [
            ("j", "j"),
            ("G", "G"),
            ("Ctrl-p", "Ctrl-P"),
            ("ctrl+P", "Ctrl-P"),
            ("Alt-Left", "Alt-←"),
            ("Enter", "Enter"),
            ("pgdn", "PgDn"),
            ("Space", "Space"),
            ("F5", "F5"),
            ("S-Tab", "S-Tab"),
            ("?", "?"),
        ] {
            assert_eq!(KeySpec::parse(s).map(|k| k.label()), Ok(label.to_string()), "{s}");
        }
        for bad in ["", "Ctrl-", "Hyper-x", "jj", "F13"] {
            assert!(KeySpec::parse(bad).is_err(), "{bad}");
        }
        for d in DEFAULTS {
            for key in d.keys {
                assert_eq!(KeySpec::parse(&key.label()), Ok(*key), "{}", key.label());
            }
        }
    }

    #[test]
    fn overrides_apply_and_conflicts_are_refused_with_where_they_were_written() {
        let o = |name: &str, keys: &[&str], line: usize| Override {
            name: name.into(),
            keys: keys.iter().map(|s| s.to_string()).collect(),
            at: format!("config.toml line {line}"),
        };
        let (map, problems) = Keymap::with_overrides(&[
            o("next_problem", &["!"], 3),
            o("quit", &["j"], 4),
            o("frobnicate", &["x"], 5),
            o("tree.down", &["Ctrl-x"], 6),
        ]);
        let s = stack(C::Tree, false);
        assert_eq!(map.action_for(&s, &ch('!')), Some(A::NextProblem));
        assert_eq!(map.action_for(&s, &ch('p')), None, "the default key is replaced");
        assert_eq!(map.action_for(&s, &ctrl('x')), Some(A::Down));
        assert_eq!(map.action_for(&s, &ch('j')), None, "tree.down moved to Ctrl-X");
        assert_eq!(map.action_for(&s, &ch('q')), Some(A::Quit), "the conflicting override was not applied");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("config.toml line 4: quit: key j is already down"), "{problems:?}");
        assert!(problems[1].starts_with("config.toml line 5: \"frobnicate\": no such action"), "{problems:?}");
        assert!(map.bindings.iter().any(|b| b.user && b.action == A::NextProblem));
    }
}
