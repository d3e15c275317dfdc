//! Where every pane goes, as one pure function of the terminal area. Render draws into these rectangles and
//! update hit-tests mouse events against the same ones, so a click always lands where it was drawn.

use ratatui::layout::{Margin, Rect};

/// The smallest terminal the layout works in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub const HEADER_HEIGHT: u16 = 3;
const FOOTER_HEIGHT: u16 = 2;
/// Lines of the boundary view's two-column comparison (with its borders).
const BOUNDARY_TOP: u16 = 10;
/// The fewest lines left for the boundary view's entry list.
const BOUNDARY_LIST_MIN: u16 = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// Between header and footer.
    pub body: Rect,
    pub tree: Rect,
    pub detail: Rect,
    pub footer: Rect,
    pub help: Rect,
    /// The boundary view's comparison columns and its entry list (both with borders).
    pub boundary_top: Rect,
    pub boundary_list: Rect,
    /// The walkthrough's narration panel (zero height when no walkthrough is open).
    pub narration: Rect,
}

/// The panes for a terminal area; `None` below the minimum size.
pub fn layout(area: Rect) -> Option<Areas> {
    layout_for(area, 0, HEADER_HEIGHT, false)
}

/// The panes, with room below them for a walkthrough's narration panel that would like `narration` lines
/// (0: no walkthrough is open).
pub fn layout_with(area: Rect, narration: u16) -> Option<Areas> {
    layout_for(area, narration, HEADER_HEIGHT, false)
}

/// The fewest lines a narration panel gets, and the fewest the panes above it keep.
pub const NARRATION_MIN: u16 = 7;
const PANES_MIN: u16 = 10;

/// The lines a narration panel that wants `want` lines gets in a body of `full` lines: what it wants,
/// within [`NARRATION_MIN`] and the larger of half the body and what leaves the panes [`PANES_MIN`].
pub fn narration_height(full: u16, want: u16) -> u16 {
    let most = (full / 2).min(full.saturating_sub(PANES_MIN)).max(NARRATION_MIN);
    want.clamp(NARRATION_MIN, most)
}

/// The panes with a header of `header_h` lines (the verdict reason wraps), the detail pane widened when
/// `wide` is set, and a narration panel that wants `narration` lines (0: none) below them.
pub fn layout_for(area: Rect, narration: u16, header_h: u16, wide: bool) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let header_h = header_h.clamp(HEADER_HEIGHT, HEADER_HEIGHT + 3);
    let header = Rect { height: header_h, ..area };
    let footer = Rect { y: area.bottom() - FOOTER_HEIGHT, height: FOOTER_HEIGHT, ..area };
    let full = Rect { y: header.bottom(), height: footer.y - header.bottom(), ..area };
    let narration_h = if narration > 0 { narration_height(full.height, narration) } else { 0 };
    let body = Rect { height: full.height - narration_h, ..full };
    let narration = Rect { y: body.bottom(), height: narration_h, ..full };
    let tree_w = if wide { (area.width / 4).clamp(28, 48) } else { (area.width / 2).clamp(40, 72) };
    let tree = Rect { width: tree_w, ..body };
    let detail = Rect { x: body.x + tree_w, width: body.width - tree_w, ..body };
    let help_w = body.width.saturating_sub(4).min(96);
    let help = Rect { x: body.x + (body.width - help_w) / 2, y: body.y, width: help_w, height: body.height };
    let top_h = BOUNDARY_TOP.min(body.height.saturating_sub(BOUNDARY_LIST_MIN));
    let boundary_top = Rect { height: top_h, ..body };
    let boundary_list = Rect { y: body.y + top_h, height: body.height - top_h, ..body };
    Some(Areas { header, body, tree, detail, footer, help, boundary_top, boundary_list, narration })
}

/// Inside a bordered block.
pub fn inner(r: Rect) -> Rect {
    r.inner(Margin { horizontal: 1, vertical: 1 })
}

/// Columns a pane's text may use, leaving the right border column for the scrollbar.
pub fn text_width(r: Rect) -> u16 {
    inner(r).width.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen() {
        for (w, h) in [(80, 24), (120, 36), (160, 48), (200, 60)] {
            let a = layout(Rect::new(0, 0, w, h)).unwrap();
            assert_eq!(a.header.height + a.body.height + a.footer.height, h);
            assert_eq!(a.tree.width + a.detail.width, w);
            assert!(a.tree.width >= 40);
            assert!(a.boundary_list.height >= 5);
        }
        for (w, h) in [(80, 24), (120, 36), (200, 60)] {
            for want in [1, 9, 40] {
                let a = layout_with(Rect::new(0, 0, w, h), want).unwrap();
                assert_eq!(a.header.height + a.body.height + a.narration.height + a.footer.height, h);
                assert!(a.narration.height >= NARRATION_MIN && a.body.height >= PANES_MIN, "{a:?}");
                assert!(a.narration.height <= want.max(NARRATION_MIN), "{a:?}");
            }
        }
        // The panel grows to what it needs while the panes keep their share.
        assert_eq!(narration_height(31, 11), 11);
        assert_eq!(narration_height(31, 40), 15);
        assert_eq!(narration_height(17, 40), NARRATION_MIN);
        assert_eq!(narration_height(18, 40), 8);
        assert!(layout(Rect::new(0, 0, 79, 24)).is_none());
        assert!(layout(Rect::new(0, 0, 80, 23)).is_none());
        assert!(layout(Rect::new(0, 0, 0, 0)).is_none());
    }
}
