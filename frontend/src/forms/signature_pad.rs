//! A signature drawn on a canvas with a finger, stylus or mouse (pointer events, so
//! all three work the same), kept as `shared`'s compact vector strokes — or, as the
//! keyboard and paper alternative, "signed on paper" (the scan is attached by the
//! attachments part).
//!
//! The canvas has a fixed drawing size ([`PAD_WIDTH`] × [`PAD_HEIGHT`]) and is scaled
//! by CSS; pointer positions are mapped back to that size, so the strokes are the same
//! whatever the screen. The pad holds the strokes in memory only; its owner gets the
//! `Signature` through `on_change` after every stroke and seals it with the form.

use leptos::html::Canvas;
use leptos::prelude::*;
use shared::forms::consent::Signature;
use shared::forms::signature::{Point, Strokes};
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;

/// The canvas's drawing width, in stored units.
pub const PAD_WIDTH: u16 = 600;
/// The canvas's drawing height, in stored units.
pub const PAD_HEIGHT: u16 = 200;

/// A pointer position in CSS pixels within a box of `box_w` × `box_h`, as a point of
/// the pad's drawing size (clamped to it: a stroke that leaves the box stays on its
/// edge rather than being refused).
pub fn to_pad(x: f64, y: f64, box_w: f64, box_h: f64) -> Point {
    let scale = |v: f64, len: f64, side: u16| {
        let v = if len > 0.0 { v / len * f64::from(side) } else { 0.0 };
        v.clamp(0.0, f64::from(side - 1)).round() as u16
    };
    (scale(x, box_w, PAD_WIDTH), scale(y, box_h, PAD_HEIGHT))
}

fn context(canvas: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Draws `strokes` afresh (after a clear, or when the pad is shown again).
fn redraw(canvas: &web_sys::HtmlCanvasElement, strokes: &[Vec<Point>]) {
    let Some(cx) = context(canvas) else { return };
    cx.clear_rect(0.0, 0.0, f64::from(PAD_WIDTH), f64::from(PAD_HEIGHT));
    cx.set_line_width(2.5);
    cx.set_line_cap("round");
    cx.set_line_join("round");
    for s in strokes {
        let Some(&(x0, y0)) = s.first() else { continue };
        cx.begin_path();
        cx.move_to(f64::from(x0), f64::from(y0));
        for &(x, y) in &s[1..] {
            cx.line_to(f64::from(x), f64::from(y));
        }
        if s.len() == 1 {
            cx.line_to(f64::from(x0) + 0.5, f64::from(y0) + 0.5);
        }
        cx.stroke();
    }
}

/// The signature pad with its "clear" button and the "signed on paper" alternative.
/// `value` is the current signature (drawn strokes are redrawn from it);
/// `on_change` gets each new state (`None` when cleared).
#[component]
pub fn SignaturePad(
    /// The DOM id prefix (`{id}` is the group, `{id}-paper` the checkbox).
    id: String,
    value: Signal<Option<Signature>>,
    on_change: Callback<Option<Signature>>,
    /// The id of the element saying what is wrong with the signature, if the owner
    /// shows one (`aria-describedby` of the group).
    #[prop(optional, into)]
    described_by: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let canvas_ref = NodeRef::<Canvas>::new();
    let initial: Vec<Vec<Point>> = match value.get_untracked() {
        Some(Signature::Drawn { strokes }) => strokes.decode().unwrap_or_default(),
        _ => Vec::new(),
    };
    let strokes = StoredValue::new(initial);
    let drawing = StoredValue::new(false);
    let on_paper = Signal::derive(move || matches!(value.get(), Some(Signature::OnPaper { .. })));

    // Draw what is already signed once the canvas is in the page.
    Effect::new(move |_| {
        if let Some(c) = canvas_ref.get() {
            strokes.with_value(|s| redraw(&c, s));
        }
    });

    let point = move |ev: &web_sys::PointerEvent| -> Option<Point> {
        let c = canvas_ref.get_untracked()?;
        let r = c.get_bounding_client_rect();
        Some(to_pad(f64::from(ev.client_x()) - r.left(), f64::from(ev.client_y()) - r.top(), r.width(), r.height()))
    };
    let publish = move || {
        let signature = strokes.with_value(|s| Strokes::encode(PAD_WIDTH, PAD_HEIGHT, s).ok());
        on_change.run(signature.map(|strokes| Signature::Drawn { strokes }));
    };
    let down = move |ev: web_sys::PointerEvent| {
        let Some(p) = point(&ev) else { return };
        ev.prevent_default();
        if let Some(c) = canvas_ref.get_untracked() {
            // Keep receiving the stroke when the finger slides off the box.
            let _ = c.set_pointer_capture(ev.pointer_id());
        }
        drawing.set_value(true);
        let full = strokes.with_value(|s| {
            s.len() >= shared::forms::signature::MAX_STROKES
                || s.iter().map(Vec::len).sum::<usize>() >= shared::forms::signature::MAX_POINTS
        });
        if !full {
            strokes.update_value(|s| s.push(vec![p]));
        }
    };
    let moved = move |ev: web_sys::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        let Some(p) = point(&ev) else { return };
        let total = strokes.with_value(|s| s.iter().map(Vec::len).sum::<usize>());
        if total >= shared::forms::signature::MAX_POINTS {
            return;
        }
        let mut segment = None;
        strokes.update_value(|s| {
            if let Some(last) = s.last_mut() {
                if last.last() != Some(&p) {
                    segment = last.last().copied().map(|q| (q, p));
                    last.push(p);
                }
            }
        });
        if let (Some((a, b)), Some(c)) = (segment, canvas_ref.get_untracked()) {
            if let Some(cx) = context(&c) {
                cx.set_line_width(2.5);
                cx.set_line_cap("round");
                cx.begin_path();
                cx.move_to(f64::from(a.0), f64::from(a.1));
                cx.line_to(f64::from(b.0), f64::from(b.1));
                cx.stroke();
            }
        }
    };
    let up = move |_ev: web_sys::PointerEvent| {
        if drawing.get_value() {
            drawing.set_value(false);
            if let Some(c) = canvas_ref.get_untracked() {
                strokes.with_value(|s| redraw(&c, s));
            }
            publish();
        }
    };
    let clear = move |_| {
        strokes.set_value(Vec::new());
        if let Some(c) = canvas_ref.get_untracked() {
            redraw(&c, &[]);
        }
        on_change.run(None);
    };
    let paper_id = format!("{id}-paper");
    let hint_id = format!("{id}-hint");
    let toggle_paper = move |ev: leptos::ev::Event| {
        if event_target_checked(&ev) {
            on_change.run(Some(Signature::OnPaper { scan: None }));
        } else {
            // Back to drawing: what was drawn before is still there.
            publish();
        }
    };
    view! {
        <fieldset class="field signature" id=id.clone() tabindex="-1" aria-describedby=described_by>
            <legend>{i18n.t("field-signature")}</legend>
            <Show when=move || !on_paper.get()>
                <p class="field-help" id=hint_id.clone()>{i18n.t("consent-signature-draw")}</p>
                <canvas class="signature-pad" node_ref=canvas_ref width=PAD_WIDTH height=PAD_HEIGHT
                    role="img" aria-label=move || i18n.tr("field-signature") aria-describedby=hint_id.clone()
                    on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up></canvas>
                <button type="button" class="clear" on:click=clear>{i18n.t("consent-signature-clear")}</button>
            </Show>
            <div class="choice">
                <input type="checkbox" id=paper_id.clone() autocomplete="off" prop:checked=on_paper on:change=toggle_paper />
                <label for=paper_id>{i18n.t("consent-signature-on_paper")}</label>
            </div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stroke_maps_to_the_pad_whatever_the_screen_size_and_stays_inside_it() {
        assert_eq!(to_pad(0.0, 0.0, 300.0, 100.0), (0, 0));
        assert_eq!(to_pad(150.0, 50.0, 300.0, 100.0), (300, 100));
        assert_eq!(to_pad(150.0, 50.0, 1200.0, 400.0), (75, 25));
        // Slid off the box: on its edge, never out of the canvas shared refuses.
        assert_eq!(to_pad(-20.0, 500.0, 300.0, 100.0), (0, PAD_HEIGHT - 1));
        assert_eq!(to_pad(10.0, 10.0, 0.0, 0.0), (0, 0));
        let strokes = vec![vec![to_pad(1.0, 1.0, 300.0, 100.0), to_pad(299.9, 99.9, 300.0, 100.0)]];
        assert!(Strokes::encode(PAD_WIDTH, PAD_HEIGHT, &strokes).is_ok());
    }
}
