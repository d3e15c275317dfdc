//! The one keymap. [`BINDINGS`] is the single table the dispatcher, the footer and the `?` help are all
//! generated from, so help can never lie about a key.
//!
//! Each binding belongs to a [`Context`]; the app says which contexts are active, innermost first
//! ([`stack`]), and the first binding that holds the key wins. In [`Context::Filter`] keys that no binding
//! claims are typed characters.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// One key with its modifiers. Letters carry their case in the character, so SHIFT is ignored for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

const fn k(code: KeyCode) -> KeySpec {
    KeySpec { code, mods: KeyModifiers::NONE }
}

impl KeySpec {
    /// The key as help and the footer print it.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) { format!("Ctrl-{}", base.to_uppercase()) } else { base }
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
        KeySpec { code: ev.code, mods }
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere, even while typing a filter.
    Always,
    /// Whenever no text input or modal pane holds the keyboard.
    Global,
    /// The tree or the detail pane has focus.
    Panes,
    Tree,
    Detail,
    /// Typing a filter.
    Filter,
    Help,
    Boundary,
    /// A walkthrough is open (and no text input holds the keyboard).
    Walk,
    /// The health pane has focus.
    Health,
    /// The retry plan review's fact panes (modal).
    Review,
    /// The review's acceptance form: unbound keys are typed characters.
    ReviewForm,
    /// "Discard this review? y/n".
    ReviewConfirm,
}

/// How help groups the bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Move,
    Tree,
    Filter,
    Detail,
    Views,
    Walkthrough,
    Health,
    Review,
    App,
}

impl Group {
    pub const ALL: [Group; 9] = [
        Group::Move,
        Group::Tree,
        Group::Filter,
        Group::Detail,
        Group::Views,
        Group::Walkthrough,
        Group::Health,
        Group::Review,
        Group::App,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Move",
            Group::Tree => "Evidence tree",
            Group::Filter => "Filter",
            Group::Detail => "Detail pane",
            Group::Views => "Views",
            Group::Walkthrough => "Walkthrough",
            Group::Health => "Health pane",
            Group::Review => "Retry plan review",
            Group::App => "App",
        }
    }
}

/// One row of the keymap.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [KeySpec],
    pub action: Action,
    /// What help says.
    pub description: &'static str,
    /// What the footer says (None: help only). Adjacent bindings with the same hint share one footer entry.
    pub hint: Option<&'static str>,
    pub group: Group,
    pub context: Context,
}

const fn b(
    context: Context,
    group: Group,
    keys: &'static [KeySpec],
    action: Action,
    description: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding { keys, action, description, hint, group, context }
}

use Context as C;
use Group as G;
use KeyCode as K;

/// Every key the app knows.
pub static BINDINGS: &[Binding] = &[
    // Anywhere.
    b(C::Always, G::App, &[ctrl('c')], Action::Quit, "quit at once, from anywhere", None),
    // Typing a filter.
    b(C::Filter, G::Filter, &[k(K::Enter)], Action::FilterAccept, "keep the filter, back to the tree", Some("keep")),
    b(C::Filter, G::Filter, &[k(K::Esc)], Action::Cancel, "clear the filter", Some("clear")),
    b(C::Filter, G::Filter, &[k(K::Backspace)], Action::FilterBackspace, "delete the last character", None),
    b(C::Filter, G::Filter, &[ctrl('u')], Action::FilterClear, "empty the filter text", None),
    b(C::Filter, G::Filter, &[k(K::Up)], Action::Up, "move up while typing", Some("move")),
    b(C::Filter, G::Filter, &[k(K::Down)], Action::Down, "move down while typing", Some("move")),
    // Help overlay.
    b(C::Help, G::Views, &[k(K::Esc), ch('?'), ch('q')], Action::Cancel, "close help", Some("close")),
    b(C::Help, G::Views, &[k(K::Up), ch('k')], Action::Up, "scroll help up", Some("scroll")),
    b(C::Help, G::Views, &[k(K::Down), ch('j')], Action::Down, "scroll help down", Some("scroll")),
    b(C::Help, G::Views, &[k(K::PageUp)], Action::PageUp, "help page up", None),
    b(C::Help, G::Views, &[k(K::PageDown), ch(' ')], Action::PageDown, "help page down", None),
    // Boundary view.
    b(C::Boundary, G::Views, &[k(K::Esc), ch('b')], Action::Cancel, "close the boundary view", Some("close")),
    b(C::Boundary, G::Views, &[k(K::Up), ch('k')], Action::Up, "previous redaction or violation", Some("select")),
    b(C::Boundary, G::Views, &[k(K::Down), ch('j')], Action::Down, "next redaction or violation", Some("select")),
    b(C::Boundary, G::Views, &[k(K::Home), ch('g')], Action::Top, "first entry", None),
    b(C::Boundary, G::Views, &[k(K::End), ch('G')], Action::Bottom, "last entry", None),
    b(C::Boundary, G::Views, &[k(K::Enter)], Action::Activate, "show the entry's node in the tree", Some("go to node")),
    // The tree.
    b(C::Tree, G::Move, &[k(K::Up), ch('k')], Action::Up, "previous row", Some("move")),
    b(C::Tree, G::Move, &[k(K::Down), ch('j')], Action::Down, "next row", Some("move")),
    b(C::Tree, G::Move, &[k(K::PageUp), ctrl('b')], Action::PageUp, "page up", None),
    b(C::Tree, G::Move, &[k(K::PageDown), ctrl('f'), ch(' ')], Action::PageDown, "page down", None),
    b(C::Tree, G::Move, &[k(K::Home), ch('g')], Action::Top, "first row", None),
    b(C::Tree, G::Move, &[k(K::End), ch('G')], Action::Bottom, "last row", None),
    b(C::Tree, G::Tree, &[k(K::Enter)], Action::Activate, "follow a reference, or open/close the row", Some("open")),
    b(C::Tree, G::Tree, &[k(K::Left), ch('h')], Action::Collapse, "collapse, or go to the parent row", Some("fold")),
    b(
        C::Tree,
        G::Tree,
        &[k(K::Right), ch('l')],
        Action::Expand,
        "expand a group, or a node to its references",
        Some("fold"),
    ),
    b(C::Tree, G::Tree, &[ch('E')], Action::ExpandAll, "expand all", None),
    b(C::Tree, G::Tree, &[ch('C')], Action::CollapseAll, "collapse all", None),
    // The detail pane.
    b(C::Detail, G::Detail, &[k(K::Up), ch('k')], Action::Up, "scroll up", Some("scroll")),
    b(C::Detail, G::Detail, &[k(K::Down), ch('j')], Action::Down, "scroll down", Some("scroll")),
    b(C::Detail, G::Detail, &[k(K::PageUp), ctrl('b')], Action::PageUp, "scroll a page up", None),
    b(C::Detail, G::Detail, &[k(K::PageDown), ctrl('f'), ch(' ')], Action::PageDown, "scroll a page down", None),
    b(C::Detail, G::Detail, &[k(K::Home), ch('g')], Action::Top, "top of the detail", None),
    b(C::Detail, G::Detail, &[k(K::End), ch('G')], Action::Bottom, "end of the detail", None),
    b(C::Detail, G::Detail, &[k(K::Left), ch('h')], Action::FocusPrev, "back to the tree", None),
    // Either pane.
    b(C::Panes, G::Tree, &[ch('n')], Action::NextProblem, "next node with a problem (warn or fail)", Some("problem")),
    b(C::Panes, G::Tree, &[ch('N')], Action::PrevProblem, "previous node with a problem", None),
    b(C::Panes, G::Filter, &[ch('/')], Action::StartFilter, "filter by id, kind or state", Some("filter")),
    b(C::Panes, G::Filter, &[k(K::Esc)], Action::Cancel, "clear the filter", None),
    b(C::Panes, G::Tree, &[k(K::Backspace), ctrl('o')], Action::Back, "go back along the jump history", Some("back")),
    b(C::Panes, G::Views, &[k(K::Tab)], Action::FocusNext, "next pane", Some("pane")),
    b(C::Panes, G::Views, &[k(K::BackTab)], Action::FocusPrev, "previous pane", None),
    // No text input and no modal pane.
    b(
        C::Global,
        G::Views,
        &[ch('b')],
        Action::ToggleBoundary,
        "boundary view: Community vs Enterprise/SaaS",
        Some("boundary"),
    ),
    b(C::Global, G::Views, &[ch('?')], Action::ToggleHelp, "help: every key", Some("help")),
    b(C::Global, G::Walkthrough, &[ch('w')], Action::ToggleWalk, "open or close the guided walkthrough", None),
    // A walkthrough is open.
    b(C::Walk, G::Walkthrough, &[ch(']')], Action::WalkNext, "next walkthrough step", Some("step")),
    b(C::Walk, G::Walkthrough, &[ch('[')], Action::WalkPrev, "previous walkthrough step", Some("step")),
    b(C::Walk, G::Walkthrough, &[ch('x')], Action::WalkTick, "tick the next checklist item", Some("tick")),
    b(C::Walk, G::Walkthrough, &[ch('X')], Action::WalkUntick, "untick the last ticked item", None),
    b(C::Walk, G::Walkthrough, &[ch('S')], Action::WalkSave, "save the closing summary as markdown notes", None),
    b(C::Global, G::Health, &[ch('v')], Action::ToggleHealth, "health pane: criteria, findings, verdict", None),
    b(C::Global, G::Health, &[ch('c')], Action::RunHealth, "run the criteria again, live", None),
    b(C::Global, G::Review, &[ch('r')], Action::OpenReview, "retry plan review of failed deliveries", None),
    // The health pane.
    b(C::Health, G::Health, &[k(K::Up), ch('k')], Action::Up, "previous finding or evidence line", Some("select")),
    b(C::Health, G::Health, &[k(K::Down), ch('j')], Action::Down, "next finding or evidence line", Some("select")),
    b(C::Health, G::Health, &[k(K::Home), ch('g')], Action::Top, "first finding", None),
    b(C::Health, G::Health, &[k(K::End), ch('G')], Action::Bottom, "last line", None),
    b(
        C::Health,
        G::Health,
        &[k(K::Enter)],
        Action::Activate,
        "open a finding, or jump to its evidence",
        Some("open/jump"),
    ),
    b(C::Health, G::Health, &[k(K::Right), ch('l')], Action::Expand, "expand: reason, evidence, next step", None),
    b(C::Health, G::Health, &[k(K::Left), ch('h')], Action::Collapse, "collapse the finding", None),
    b(C::Health, G::Health, &[ch('c')], Action::RunHealth, "run the criteria again, live", Some("re-run")),
    b(C::Health, G::Review, &[ch('r')], Action::OpenReview, "retry plan review of failed deliveries", Some("review")),
    // The retry plan review's fact panes.
    b(
        C::Review,
        G::Review,
        &[k(K::Enter), k(K::Right), ch('n')],
        Action::ReviewNext,
        "mark the pane reviewed, next pane",
        Some("reviewed, next"),
    ),
    b(C::Review, G::Review, &[ch('f')], Action::ReviewFlag, "flag the pane, next pane", Some("flag")),
    b(C::Review, G::Review, &[k(K::Left), ch('p'), k(K::BackTab)], Action::ReviewBack, "previous pane", Some("back")),
    b(C::Review, G::Review, &[k(K::Up), ch('k')], Action::Up, "scroll the pane up", Some("scroll")),
    b(C::Review, G::Review, &[k(K::Down), ch('j')], Action::Down, "scroll the pane down", Some("scroll")),
    b(C::Review, G::Review, &[k(K::Esc)], Action::Cancel, "close the review (asks first)", Some("close")),
    // The review's acceptance form.
    b(C::ReviewForm, G::Review, &[k(K::Tab), k(K::Down)], Action::ReviewNextField, "next field", Some("field")),
    b(
        C::ReviewForm,
        G::Review,
        &[k(K::BackTab), k(K::Up)],
        Action::ReviewPrevField,
        "previous field (on the first: back a pane)",
        None,
    ),
    b(C::ReviewForm, G::Review, &[k(K::Enter)], Action::Activate, "next field; on the last: save", Some("next/save")),
    b(
        C::ReviewForm,
        G::Review,
        &[ctrl('s')],
        Action::ReviewSubmit,
        "validate and save the review record",
        Some("save"),
    ),
    b(C::ReviewForm, G::Review, &[k(K::Backspace)], Action::ReviewBackspace, "delete the last character", None),
    b(C::ReviewForm, G::Review, &[k(K::PageUp)], Action::ReviewBack, "back to the boundary check", Some("back")),
    b(C::ReviewForm, G::Review, &[k(K::Esc)], Action::Cancel, "close the review (asks first)", Some("close")),
    // Discard the review?
    b(C::ReviewConfirm, G::Review, &[ch('y')], Action::ConfirmYes, "discard the review", Some("discard")),
    b(C::ReviewConfirm, G::Review, &[ch('n'), k(K::Esc)], Action::ConfirmNo, "keep reviewing", Some("keep")),
    b(C::Global, G::App, &[ch('q')], Action::Quit, "quit", Some("quit")),
];

/// The contexts active when `primary` has the keyboard, innermost first.
pub fn stack(primary: Context) -> &'static [Context] {
    match primary {
        C::Always => &[C::Always],
        C::Global => &[C::Always, C::Global],
        C::Panes | C::Tree => &[C::Always, C::Tree, C::Panes, C::Global],
        C::Detail => &[C::Always, C::Detail, C::Panes, C::Global],
        C::Filter => &[C::Always, C::Filter],
        C::Help => &[C::Always, C::Help, C::Global],
        C::Boundary => &[C::Always, C::Boundary, C::Global],
        C::Walk => &[C::Always, C::Walk, C::Global],
        C::Health => &[C::Always, C::Health, C::Panes, C::Global],
        C::Review => &[C::Always, C::Review],
        C::ReviewForm => &[C::Always, C::ReviewForm],
        C::ReviewConfirm => &[C::Always, C::ReviewConfirm],
    }
}

/// The same stacks with the walkthrough's keys added (before the global ones).
pub fn stack_walk(primary: Context) -> &'static [Context] {
    match primary {
        C::Always => &[C::Always],
        C::Global => &[C::Always, C::Walk, C::Global],
        C::Panes | C::Tree => &[C::Always, C::Tree, C::Panes, C::Walk, C::Global],
        C::Detail => &[C::Always, C::Detail, C::Panes, C::Walk, C::Global],
        C::Filter => &[C::Always, C::Filter],
        C::Help => &[C::Always, C::Help, C::Walk, C::Global],
        C::Boundary => &[C::Always, C::Boundary, C::Walk, C::Global],
        C::Walk => &[C::Always, C::Walk, C::Global],
        C::Health => &[C::Always, C::Health, C::Panes, C::Walk, C::Global],
        C::Review | C::ReviewForm | C::ReviewConfirm => stack(primary),
    }
}

/// The action a key event asks for in these contexts. Only presses count (not repeats or releases).
pub fn dispatch(contexts: &[Context], ev: &KeyEvent) -> Option<Action> {
    if ev.kind != KeyEventKind::Press {
        return None;
    }
    let key = KeySpec::from_event(ev);
    for ctx in contexts {
        if let Some(bnd) = BINDINGS.iter().find(|b| b.context == *ctx && b.keys.contains(&key)) {
            return Some(bnd.action.clone());
        }
    }
    if contexts.contains(&C::ReviewForm)
        && let KeyCode::Char(c) = key.code
        && !key.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Some(Action::ReviewInput(c));
    }
    if contexts.contains(&C::Filter)
        && let KeyCode::Char(c) = key.code
        && !key.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Some(Action::FilterInput(c));
    }
    None
}

/// Footer entries for these contexts: (keys, hint), in table order, innermost context first.
pub fn hints(contexts: &[Context]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut seen: Vec<&Action> = Vec::new();
    for ctx in contexts {
        let mut last_hint: Option<&'static str> = None;
        for bnd in BINDINGS.iter().filter(|b| b.context == *ctx) {
            let Some(hint) = bnd.hint else {
                last_hint = None;
                continue;
            };
            // Only what the key really does here: an inner context may shadow it (q closes help).
            if seen.contains(&&bnd.action) || dispatch(contexts, &bnd.keys[0].press()).as_ref() != Some(&bnd.action) {
                continue;
            }
            seen.push(&bnd.action);
            let key = bnd.keys[0].label();
            match out.last_mut() {
                Some((keys, h)) if last_hint == Some(hint) && *h == hint => keys.push_str(&key),
                _ => out.push((key, hint)),
            }
            last_hint = Some(hint);
        }
    }
    out
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
        for bnd in BINDINGS {
            for key in bnd.keys {
                let got = dispatch(stack(bnd.context), &press(*key));
                assert_eq!(
                    got.as_ref(),
                    Some(&bnd.action),
                    "{} in {:?} ({})",
                    key.label(),
                    bnd.context,
                    bnd.description
                );
            }
        }
    }

    #[test]
    fn releases_and_repeats_are_ignored() {
        let mut ev = press(ch('j'));
        ev.kind = KeyEventKind::Release;
        assert_eq!(dispatch(stack(C::Tree), &ev), None);
        ev.kind = KeyEventKind::Repeat;
        assert_eq!(dispatch(stack(C::Tree), &ev), None);
    }

    #[test]
    fn ctrl_c_quits_everywhere_and_filter_types_letters() {
        for ctx in [C::Tree, C::Detail, C::Filter, C::Help, C::Boundary] {
            assert_eq!(dispatch(stack(ctx), &press(ctrl('c'))), Some(Action::Quit), "{ctx:?}");
        }
        assert_eq!(dispatch(stack(C::Filter), &press(ch('q'))), Some(Action::FilterInput('q')));
        assert_eq!(dispatch(stack(C::Filter), &press(ch('j'))), Some(Action::FilterInput('j')));
    }

    #[test]
    fn shifted_letters_match_their_uppercase_binding() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(dispatch(stack(C::Tree), &ev), Some(Action::Bottom));
    }

    #[test]
    fn footer_shows_only_keys_that_do_what_it_says() {
        for ctx in [C::Tree, C::Detail, C::Filter, C::Help, C::Boundary] {
            let contexts = stack(ctx);
            for (keys, hint) in hints(contexts) {
                let bnd = BINDINGS
                    .iter()
                    .find(|b| {
                        b.hint == Some(hint) && keys.starts_with(&b.keys[0].label()) && contexts.contains(&b.context)
                    })
                    .unwrap();
                assert_eq!(
                    dispatch(contexts, &bnd.keys[0].press()).as_ref(),
                    Some(&bnd.action),
                    "{ctx:?}: {keys} {hint}"
                );
            }
        }
        let help = hints(stack(C::Help));
        assert!(
            !help.iter().any(|(_, h)| *h == "quit"),
            "q closes help, so the footer must not say it quits: {help:?}"
        );
    }

    #[test]
    fn footer_merges_pairs_and_skips_help_only_keys() {
        let h = hints(stack(C::Tree));
        assert_eq!(h[0], ("↑↓".to_string(), "move"));
        assert!(h.iter().any(|(k, h)| k == "?" && *h == "help"));
        assert!(!h.iter().any(|(_, h)| h.contains("expand all")));
    }
}
