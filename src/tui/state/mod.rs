//! The explorer's state ([`Model`]): the evidence and its report, the tree and detail state, the health
//! pane, the search, the jump history, the message log, and one [`Mode`] whose variants own the state of each
//! modal (typing a search or filter, help, the boundary view, the message log, the review wizard, a question,
//! the palette, the copy menu, the release picker). The walkthrough runs beside any mode.
//!
//! Which keys work is derived from the mode in one place ([`Model::contexts`]); so is what a click hits
//! ([`super::update`]). Nothing here does I/O or reads a clock.

pub mod boundary;
pub mod copy;
pub mod detail;
pub mod health;
pub mod help;
pub mod history;
pub mod input;
pub mod log;
pub mod palette;
pub mod review;
pub mod sandbox;
pub mod search;
pub mod tree;
pub mod walk;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{Event, MouseButton, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::action::Msg;
use super::keymap::{Context, Keymap, stack};
use super::theme::ThemeChoice;
use super::ui::layout::{self, Areas, inner, text_width};
use crate::evidence::{Evidence, LoadOptions};
use crate::health::{Acceptance, Report};
use crate::text::Text;
use crate::time::{AsOf, AsOfSource};

use boundary::BoundaryModel;
use detail::{DLine, Target};
use health::HealthView;
use help::HelpState;
use history::History;
use input::TextInput;
use log::MessageLog;
use palette::PaletteState;
use review::ReviewWizard;
use search::SearchState;
use tree::{Sel, Tree};
use walk::{PanelLine, WalkState, Walks};

/// The panes that can hold focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Detail,
    /// The health pane, in the right column.
    Health,
}

impl Pane {
    const ORDER: [Pane; 3] = [Pane::Tree, Pane::Detail, Pane::Health];

    pub fn step(self, forward: bool) -> Pane {
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }
}

/// What the right column shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    Detail,
    Health,
}

/// What a question does when answered yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnYes {
    /// Close the review without recording anything.
    DiscardReview,
    /// Write the review record the confirm summary shows (the wizard holds it as `pending`).
    SaveReview,
    /// Write the walkthrough's follow-up notes over the file that is there.
    OverwriteNotes(PathBuf),
    /// Quit although walkthrough ticks are not in saved notes.
    QuitUnsaved,
    /// Put the summary's text on the clipboard (the sandbox shows what it would have written).
    Copy { what: &'static str, text: String },
}

/// A yes/no question over what was open; the mode it interrupted comes back on no.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub question: String,
    /// Lines shown above the question (what a save will record); empty for a plain question.
    pub summary: Vec<String>,
    /// The first summary line shown (Up/Down scroll a summary taller than the screen).
    pub scroll: usize,
    pub on_yes: OnYes,
    pub back: Mode,
}

/// What the boundary view shows and where its cursor is.
#[derive(Debug, Clone)]
pub struct BoundaryState {
    pub model: Arc<BoundaryModel>,
    pub selected: usize,
    pub offset: usize,
}

/// The modal state; exactly one at a time.
#[derive(Debug, Clone, Default)]
pub enum Mode {
    /// The panes have the keyboard.
    #[default]
    Normal,
    /// Typing a search.
    Search(TextInput),
    /// Typing a filter.
    Filter(TextInput),
    Help(HelpState),
    Boundary(BoundaryState),
    /// The message log, scrolled to this line.
    Log(usize),
    Review(Box<ReviewWizard>),
    Confirm(Box<Confirm>),
    Palette(PaletteState),
    /// After `y`: waiting for what to copy.
    Copy,
    /// Choosing the evaluated release: the selected entry of `Report::chain.releases`.
    Releases(usize),
}

impl Mode {
    /// The keymap context that holds the keyboard in this mode (`None`: the focused pane's).
    fn context(&self) -> Option<Context> {
        Some(match self {
            Mode::Normal => return None,
            Mode::Search(_) | Mode::Filter(_) => Context::Find,
            Mode::Help(h) if h.typing => Context::Find,
            Mode::Help(_) => Context::Help,
            Mode::Boundary(_) => Context::Boundary,
            Mode::Log(_) => Context::Log,
            Mode::Review(w) if w.sign.is_some() => Context::ReviewSign,
            Mode::Review(w) if w.on_form() => Context::ReviewForm,
            Mode::Review(_) => Context::Review,
            Mode::Confirm(_) => Context::Confirm,
            Mode::Palette(_) => Context::Palette,
            Mode::Copy => Context::Copy,
            Mode::Releases(_) => Context::Releases,
        })
    }

    /// Whether the panes under the mode are drawn as having focus.
    pub fn panes_active(&self) -> bool {
        matches!(self, Mode::Normal | Mode::Search(_) | Mode::Filter(_) | Mode::Copy)
    }
}

/// Where the evidence came from and what it is evaluated with, for re-runs and reloads.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// The evidence path (None for embedded samples): watched and reloaded.
    pub source: Option<PathBuf>,
    /// The embedded sample shown (when there is no path).
    pub sample: Option<String>,
    pub load: LoadOptions,
    /// A fixed evaluation time for re-runs and reloads. `None`: the startup report's rule, so evidence read
    /// from disk without `--as-of` is evaluated as of the app's clock at each run, an embedded sample as of
    /// its own time, and a `--as-of` time stays.
    pub as_of: Option<AsOf>,
    /// Review records in force (`--review` files, records found beside the evidence, reviews saved here).
    pub reviews: Vec<PathBuf>,
    /// Of those, the ones found beside the evidence (the header says so).
    pub found_reviews: Vec<PathBuf>,
    /// Their acceptances against the loaded evidence.
    pub acceptances: Vec<Acceptance>,
    /// Where a review saved in the app goes (`--review-out`); default beside the evidence.
    pub review_out: Option<PathBuf>,
    /// A demo: a review is never written to disk (the confirm says so and nothing is saved); a saved
    /// acceptance is applied in memory instead ([`Live::demo_records`]).
    pub demo: bool,
    /// Review records a demo "saved": never written, but their acceptances count exactly as a written
    /// record's do (path: where a real save would have gone).
    pub demo_records: Vec<(PathBuf, crate::review::ReviewRecord)>,
    /// The key the offer to sign a saved review starts with (`$CLOSEOUT_SIGNING_KEY`, else the config
    /// file's `signing_key`).
    pub signing_key: Option<PathBuf>,
    /// An ssh-agent is reachable (`$SSH_AUTH_SOCK` is set): an empty key signs with the agent's one key.
    pub ssh_agent: bool,
    /// The release chosen in the app (None: `--release`, else the newest).
    pub release: Option<Text>,
    /// A status message that outlives key presses (what the last reload changed), until the next reload.
    pub notice: Option<String>,
    /// `closeout --sandbox`: its limits and clock (see [`sandbox`]).
    pub sandbox: Option<sandbox::Sandbox>,
}

impl Live {
    /// What writes nothing here, for messages: "the sandbox" or "a demo" (capitalised when `start`).
    pub fn writes_nothing_as(&self, start: bool) -> &'static str {
        match (self.sandbox.is_some(), start) {
            (true, true) => "The sandbox",
            (true, false) => "the sandbox",
            (false, true) => "A demo",
            (false, false) => "a demo",
        }
    }
}

/// The detail pane's layout of the selection's document.
#[derive(Debug, Default)]
pub struct Detail {
    for_sel: Option<Sel>,
    pub doc: Vec<DLine>,
    pub lines: Vec<Line<'static>>,
    /// Document line of each screen line.
    pub line_doc: Vec<u32>,
    width: u16,
    pub scroll: usize,
    /// The cursor line (what a copy takes and Enter follows), a screen line index.
    pub cursor: usize,
}

impl Detail {
    /// What the cursor line points at.
    pub fn target(&self) -> Option<&Target> {
        let d = *self.line_doc.get(self.cursor)? as usize;
        self.doc.get(d)?.target.as_ref()
    }
}

/// All state of the explorer.
pub struct Model {
    pub evidence: Arc<Evidence>,
    pub report: Arc<Report>,
    pub keymap: Arc<Keymap>,
    pub tree: Tree,
    pub detail: Detail,
    pub focus: Pane,
    pub right: Right,
    pub mode: Mode,
    pub walk: Option<WalkState>,
    /// Every walkthrough's progress on this evidence, and where it is kept.
    pub walks: Walks,
    pub health: HealthView,
    pub search: SearchState,
    pub history: History,
    pub log: MessageLog,
    /// The filter as typed and kept (the tree holds it lowercased).
    pub filter_text: String,
    /// A one-line message for the footer, cleared by the next key (every one also goes to the log).
    pub status: Option<String>,
    /// The terminal's size.
    pub area: Rect,
    /// The detail pane is widened.
    pub wide: bool,
    pub quit: bool,
    /// The clock's last value (from ticks); None until the first tick.
    pub now: Option<DateTime<Utc>>,
    pub theme: ThemeChoice,
    pub live: Live,
    /// Help's lines for the keymap in force, built once.
    pub help_lines: Arc<Vec<Line<'static>>>,
    /// Built the first time the boundary view opens (per evidence).
    pub boundary: Option<Arc<BoundaryModel>>,
}

/// Rows the mouse wheel moves.
pub const WHEEL_STEP: isize = 3;

impl Model {
    pub fn new(evidence: Arc<Evidence>, report: Arc<Report>, width: u16, height: u16) -> Model {
        Model::with_keymap(evidence, report, width, height, Arc::new(Keymap::default()))
    }

    pub fn with_keymap(
        evidence: Arc<Evidence>,
        report: Arc<Report>,
        width: u16,
        height: u16,
        keymap: Arc<Keymap>,
    ) -> Model {
        let tree = Tree::new(&evidence, &report);
        let health = HealthView::from_report(&report);
        let help_lines = Arc::new(help::lines(&keymap));
        let mut m = Model {
            evidence,
            report,
            keymap,
            tree,
            detail: Detail::default(),
            focus: Pane::Tree,
            right: Right::Detail,
            mode: Mode::Normal,
            walk: None,
            walks: Walks::default(),
            health,
            search: SearchState::default(),
            history: History::default(),
            log: MessageLog::default(),
            filter_text: String::new(),
            status: None,
            area: Rect::new(0, 0, width, height),
            wide: false,
            quit: false,
            now: None,
            theme: ThemeChoice::Dark,
            live: Live::default(),
            help_lines,
            boundary: None,
        };
        m.sync(true);
        m
    }

    /// Draw without colour (NO_COLOR): the mono theme.
    pub fn set_monochrome(&mut self, mono: bool) {
        self.theme = if mono { ThemeChoice::Mono } else { ThemeChoice::Dark };
    }

    /// Tell the model where its evidence came from, so it can watch, reload and re-run it.
    pub fn set_live(&mut self, live: Live) {
        self.live = live;
    }

    /// Lines the header needs (the verdict reason wraps instead of being cut).
    pub fn header_height(&self) -> u16 {
        super::ui::header::height(self, self.area.width)
    }

    /// The current walkthrough step's criterion, as the report has it now: its status and a line saying
    /// so, for the narration panel.
    pub fn walk_criterion(&self) -> Option<(crate::health::Status, String)> {
        let step = self.walk.as_ref()?.current()?;
        let id = crate::health::CriterionId::parse(step.focus.criterion.as_deref()?)?;
        let f = self.report.finding(id)?;
        let glyph = super::theme::status_glyph(Some(f.status));
        Some((
            f.status,
            format!("{glyph} {} {}: {}", id.as_str(), f.status.as_str(), super::text::untrusted(&f.reason)),
        ))
    }

    /// The narration panel's body lines at a panel `width` (borders included).
    pub fn walk_body(&self, width: u16) -> Vec<PanelLine> {
        match &self.walk {
            Some(w) => w.body(width.saturating_sub(3) as usize, self.walk_criterion()),
            None => Vec::new(),
        }
    }

    /// Lines the narration panel would like at a terminal `width`: its body, the hint line and borders;
    /// 0 when no walkthrough is open.
    pub fn narration_want(&self, width: u16) -> u16 {
        if self.walk.is_none() {
            return 0;
        }
        (self.walk_body(width).len() + 3).min(u16::MAX as usize) as u16
    }

    /// Rows the narration panel has for its body (inside its borders, above the hint line).
    pub fn walk_rows(&self) -> usize {
        self.areas().map_or(1, |a| a.narration.height.saturating_sub(3).max(1) as usize)
    }

    pub fn areas(&self) -> Option<Areas> {
        layout::layout_for(self.area, self.narration_want(self.area.width), self.header_height(), self.wide)
    }

    pub fn tree_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.tree).height as usize)
    }

    pub fn detail_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.detail).height as usize)
    }

    pub fn help_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.help).height as usize)
    }

    pub fn boundary_height(&self) -> usize {
        self.areas().map_or(1, |a| inner(a.boundary_list).height.saturating_sub(2) as usize)
    }

    /// The detail pane's lines, laid out for its width.
    pub fn detail_lines(&self) -> &[Line<'static>] {
        &self.detail.lines
    }

    /// Whether the right column shows the health pane (else the detail).
    pub fn health_visible(&self) -> bool {
        match self.focus {
            Pane::Health => true,
            Pane::Detail => false,
            Pane::Tree => self.right == Right::Health,
        }
    }

    /// The review being worked on (also while a question interrupts it).
    pub fn review(&self) -> Option<&ReviewWizard> {
        match &self.mode {
            Mode::Review(w) => Some(w),
            Mode::Confirm(c) => match &c.back {
                Mode::Review(w) => Some(w),
                _ => None,
            },
            _ => None,
        }
    }

    /// The keymap contexts active now, innermost first: derived from the mode, the focus and the walkthrough.
    pub fn contexts(&self) -> Vec<Context> {
        let primary = self.mode.context().unwrap_or(match self.focus {
            Pane::Tree => Context::Tree,
            Pane::Detail => Context::Detail,
            Pane::Health => Context::Health,
        });
        stack(primary, self.walk.is_some())
    }

    /// The message a terminal event asks for here (keys through the keymap; presses only).
    pub fn msg_for(&self, ev: &Event) -> Option<Msg> {
        match ev {
            Event::Key(k) => self.keymap.dispatch(&self.contexts(), k),
            Event::Mouse(m) => match m.kind {
                MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click { x: m.column, y: m.row }),
                MouseEventKind::ScrollUp => Some(Msg::Wheel { x: m.column, y: m.row, down: false }),
                MouseEventKind::ScrollDown => Some(Msg::Wheel { x: m.column, y: m.row, down: true }),
                _ => None,
            },
            Event::Resize(w, h) => Some(Msg::Resize { width: *w, height: *h }),
            Event::Paste(s) if self.contexts().contains(&Context::Input) => Some(Msg::Paste(s.clone())),
            _ => None,
        }
    }

    /// Say something in the footer; the message log keeps it.
    pub fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.log.push(self.now, &text);
        self.status = Some(text);
    }

    /// A notice that outlives key presses (what a reload changed), logged too.
    pub fn notice(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.log.push(self.now, &text);
        self.live.notice = Some(text);
    }

    /// The evaluation time of the next run or reload (see [`Live::as_of`]).
    pub fn as_of(&self) -> AsOf {
        match self.live.as_of {
            Some(fixed) => fixed,
            None if self.report.as_of_source == AsOfSource::Now => AsOf::now_at(self.now.unwrap_or_else(Utc::now)),
            None => AsOf { at: self.report.as_of, source: self.report.as_of_source },
        }
    }

    /// Bring derived state up to date: the detail document for the selection, its layout for the pane
    /// width, and (when `follow`) the tree viewport around the selection.
    pub fn sync(&mut self, follow: bool) {
        let sel = self.tree.selection();
        let width = self.areas().map_or(0, |a| text_width(a.detail));
        let changed = sel != self.detail.for_sel;
        if changed {
            self.detail.for_sel = sel;
            self.detail.doc = match sel {
                Some(s) => detail::build(&self.evidence, &self.report, &self.tree, s),
                None => Vec::new(),
            };
            self.detail.scroll = 0;
            self.detail.cursor = 0;
        }
        if changed || width != self.detail.width {
            self.detail.width = width;
            let (lines, from) =
                if width > 0 { detail::wrap_mapped(&self.detail.doc, width) } else { Default::default() };
            self.detail.lines = lines;
            self.detail.line_doc = from;
        }
        let dh = self.detail_height().max(1);
        let len = self.detail.lines.len();
        self.detail.cursor = self.detail.cursor.min(len.saturating_sub(1));
        self.detail.scroll = self.detail.scroll.min(len.saturating_sub(dh));
        if self.focus == Pane::Detail {
            if self.detail.cursor < self.detail.scroll {
                self.detail.scroll = self.detail.cursor;
            } else if self.detail.cursor >= self.detail.scroll + dh {
                self.detail.scroll = self.detail.cursor + 1 - dh;
            }
        }
        let h = self.tree_height();
        if follow {
            self.tree.scroll_into_view(h);
        } else {
            self.tree.scroll_by(0, h);
        }
        let help_h = self.help_height();
        let bh = self.boundary_height().max(1);
        match &mut self.mode {
            Mode::Help(hs) => hs.clamp(&self.help_lines, help_h),
            Mode::Boundary(b) => {
                let entries = b.model.entries.len();
                b.selected = b.selected.min(entries.saturating_sub(1));
                if b.selected < b.offset {
                    b.offset = b.selected;
                } else if b.selected >= b.offset + bh {
                    b.offset = b.selected + 1 - bh;
                }
            }
            Mode::Log(scroll) => *scroll = (*scroll).min(self.log.len().saturating_sub(1)),
            _ => {}
        }
    }

    /// Rebuild the detail document on the next sync (after the evidence or the report changed).
    pub fn invalidate_detail(&mut self) {
        self.detail.for_sel = None;
        self.detail.width = 0;
    }
}
