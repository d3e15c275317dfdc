//! The command palette (`:` or Ctrl-P): every action of the keymap with its key, and jumps to a criterion,
//! an artifact id, a release or an embedded sample, fuzzy-matched as one types.
//!
//! The matcher is a small subsequence scorer written here (a bonus for consecutive letters and word starts, a
//! cost for gaps): the palette ranks at most a few hundred thousand short labels per key, and a dependency
//! would buy nothing measurable for that.

use std::sync::Arc;

use super::input::TextInput;
use crate::evidence::Evidence;
use crate::health::{CRITERIA, CriterionId, Report};
use crate::tui::action::Action;
use crate::tui::keymap::{Context, Keymap, stack};

/// What an entry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jump {
    Action(Action),
    Node(usize),
    Criterion(CriterionId),
    /// An entry of `Report::chain.releases`.
    Release(usize),
    Sample(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What the list shows and the query matches (clean text).
    pub label: String,
    /// The key, or what kind of jump it is.
    pub hint: String,
    pub jump: Jump,
}

/// Entries shown at most.
pub const SHOWN_MAX: usize = 200;

#[derive(Debug, Clone)]
pub struct PaletteState {
    pub input: TextInput,
    pub entries: Arc<Vec<Entry>>,
    /// (entry, matched character positions), best first.
    pub shown: Vec<(usize, Vec<usize>)>,
    pub selected: usize,
}

/// Score `text` against a lowercased query; the matched character positions.
pub fn fuzzy(query: &[char], text: &str) -> Option<(i64, Vec<usize>)> {
    if query.is_empty() {
        return Some((0, Vec::new()));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut positions = Vec::with_capacity(query.len());
    let mut score = 0i64;
    let mut qi = 0;
    let mut last: Option<usize> = None;
    for (i, c) in chars.iter().enumerate() {
        if qi == query.len() {
            break;
        }
        let lc = c.to_lowercase().next().unwrap_or(*c);
        if lc != query[qi] {
            continue;
        }
        score += 16;
        let word_start = i == 0 || matches!(chars[i - 1], ' ' | '-' | '_' | '/' | '.' | ':' | '(');
        if word_start {
            score += 10;
        }
        match last {
            Some(l) if l + 1 == i => score += 15,
            Some(l) => score -= (i - l - 1).min(20) as i64,
            None => score -= i.min(10) as i64,
        }
        positions.push(i);
        last = Some(i);
        qi += 1;
    }
    (qi == query.len()).then_some((score, positions))
}

impl PaletteState {
    /// The palette over this evidence and report, with the keys of `keymap` as they work in the panes.
    pub fn open(ev: &Evidence, report: &Report, keymap: &Keymap, walk: bool) -> PaletteState {
        let contexts = stack(Context::Tree, walk);
        let mut entries = Vec::new();
        let mut seen = Vec::new();
        for b in &keymap.bindings {
            if !matches!(
                b.context,
                Context::Global | Context::Panes | Context::Tree | Context::Detail | Context::Health | Context::Walk
            ) || seen.contains(&b.action)
                || matches!(b.action, Action::OpenPalette | Action::Cancel)
            {
                continue;
            }
            seen.push(b.action);
            let key = keymap.key_of(&contexts, b.action).or_else(|| b.keys.first().map(|k| k.label()));
            entries.push(Entry {
                label: b.description.to_string(),
                hint: key.unwrap_or_default(),
                jump: Jump::Action(b.action),
            });
        }
        for (action, what) in [
            (Action::CopyId, "copy the artifact id"),
            (Action::CopyPointer, "copy the JSON pointer"),
            (Action::CopyJq, "copy a jq path"),
            (Action::CopySha, "copy the SHA-256"),
            (Action::CopyValue, "copy the field's value"),
            (Action::CopyReason, "copy a criterion's reason"),
            (Action::CopyCommand, "copy the closeout check command"),
        ] {
            entries.push(Entry { label: what.to_string(), hint: "copy".into(), jump: Jump::Action(action) });
        }
        for c in CRITERIA {
            let status = report.finding(c.id).map_or("", |f| f.status.as_str());
            entries.push(Entry {
                label: format!("criterion {} · {}", c.id.as_str(), c.title()),
                hint: status.to_string(),
                jump: Jump::Criterion(c.id),
            });
        }
        for (i, r) in report.chain.releases.iter().enumerate() {
            if r.name.is_some() {
                let mark = if r.evaluated { "evaluated" } else { "release" };
                entries.push(Entry {
                    label: format!("release {}", r.label()),
                    hint: mark.into(),
                    jump: Jump::Release(i),
                });
            }
        }
        for s in crate::samples::all() {
            entries.push(Entry {
                label: format!("sample {} · {}", s.name, s.title),
                hint: "open sample".into(),
                jump: Jump::Sample(s.name.clone()),
            });
        }
        for (i, n) in ev.nodes.iter().enumerate() {
            entries.push(Entry {
                label: format!("{} {}", n.kind.name(), n.id),
                hint: "artifact".into(),
                jump: Jump::Node(i),
            });
        }
        let mut p =
            PaletteState { input: TextInput::default(), entries: Arc::new(entries), shown: Vec::new(), selected: 0 };
        p.refilter();
        p
    }

    /// Rank the entries against the query.
    pub fn refilter(&mut self) {
        let q: Vec<char> = self.input.text().to_lowercase().chars().filter(|c| *c != ' ').collect();
        let mut scored: Vec<(i64, usize, Vec<usize>)> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if q.is_empty() && matches!(e.jump, Jump::Node(_)) {
                continue;
            }
            if let Some((s, pos)) = fuzzy(&q, &e.label) {
                scored.push((s, i, pos));
            }
        }
        scored.sort_by(|a, b| {
            b.0.cmp(&a.0).then(self.entries[a.1].label.len().cmp(&self.entries[b.1].label.len())).then(a.1.cmp(&b.1))
        });
        scored.truncate(SHOWN_MAX);
        self.shown = scored.into_iter().map(|(_, i, p)| (i, p)).collect();
        self.selected = 0;
    }

    pub fn chosen(&self) -> Option<&Entry> {
        self.shown.get(self.selected).map(|(i, _)| &self.entries[*i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_prefers_word_starts_and_runs() {
        let q: Vec<char> = "nepr".chars().collect();
        let a = fuzzy(&q, "next problem").unwrap();
        let b = fuzzy(&q, "an entry, a prior").unwrap();
        assert!(a.0 > b.0, "{a:?} {b:?}");
        assert_eq!(a.1, vec![0, 1, 5, 6]);
        assert!(fuzzy(&['x', 'q'], "next problem").is_none());
    }

    #[test]
    fn actions_criteria_and_artifacts_are_listed() {
        let ev = crate::samples::load("accepted-risk-store", &Default::default()).unwrap();
        let report = crate::health::evaluate(&ev, &[], ev.default_as_of.unwrap()).unwrap();
        let mut p = PaletteState::open(&ev, &report, &Keymap::default(), false);
        assert!(p.entries.iter().any(|e| e.jump == Jump::Action(Action::NextProblem) && e.hint == "p"));
        assert!(p.entries.iter().any(|e| e.jump == Jump::Criterion(CriterionId::RetryWorkflow)));
        assert!(p.entries.iter().any(|e| matches!(e.jump, Jump::Sample(_))));
        p.input = TextInput::new("retry_workflow");
        p.refilter();
        assert_eq!(p.chosen().map(|e| e.jump.clone()), Some(Jump::Criterion(CriterionId::RetryWorkflow)));
        let id = ev.nodes[3].id.to_string();
        p.input = TextInput::new(&id);
        p.refilter();
        assert!(p.shown.iter().take(3).any(|(i, _)| p.entries[*i].jump == Jump::Node(3)), "{id}");
    }
}
