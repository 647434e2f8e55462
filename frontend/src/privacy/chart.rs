//! A horizontal bar chart as inline SVG, for figures people would rather look at than
//! read: a `<figure>` whose SVG has a `<title>` (and one per bar), followed by the same
//! figures as a table with a caption, which screen readers and keyboards use instead
//! (the SVG is hidden from them so nothing is read twice).

use leptos::prelude::*;

/// Geometry of one bar, computed apart from the view so it can be tested natively.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: usize,
    pub y: u32,
    pub width: f64,
}

const ROW: u32 = 22;
const LABEL_W: f64 = 150.0;
const BAR_W: f64 = 260.0;

/// Bars scaled so the largest value spans the bar area (a value of 0 has no bar).
pub fn layout(rows: &[(String, usize)]) -> Vec<Bar> {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    rows.iter()
        .enumerate()
        .map(|(i, (label, value))| Bar {
            label: label.clone(),
            value: *value,
            y: i as u32 * ROW,
            width: BAR_W * (*value as f64) / max,
        })
        .collect()
}

/// `id` names the figure (the table is `{id}-table`); `title` is the chart's title and
/// the table's caption; `head` names the two columns.
#[component]
pub fn BarChart(
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] head: Signal<(String, String)>,
    #[prop(into)] rows: Signal<Vec<(String, usize)>>,
) -> impl IntoView {
    let bars = Memo::new(move |_| layout(&rows.get()));
    let height = move || (bars.with(Vec::len) as u32).max(1) * ROW;
    let width = LABEL_W + BAR_W + 60.0;
    view! {
        <figure class="privacy-chart" id=id>
            <svg class="privacy-chart-svg" aria-hidden="true" focusable="false"
                width=width height=height viewBox=move || format!("0 0 {width} {}", height())>
                <title>{move || title.get()}</title>
                <For each=move || bars.get() key=|b| (b.label.clone(), b.value, b.y) let:b>
                    <g>
                        <title>{format!("{}: {}", b.label, b.value)}</title>
                        <text x="0" y=b.y + 15 font-size="12">{b.label.clone()}</text>
                        <rect x=LABEL_W y=b.y + 4 width=b.width height="14" class="privacy-bar" />
                        <text x=LABEL_W + b.width + 6.0 y=b.y + 15 font-size="12">{b.value.to_string()}</text>
                    </g>
                </For>
            </svg>
            <table id=format!("{id}-table") class="privacy-table">
                <caption>{move || title.get()}</caption>
                <thead><tr><th scope="col">{move || head.get().0}</th><th scope="col">{move || head.get().1}</th></tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.clone() let:r>
                        <tr><th scope="row">{r.0.clone()}</th><td data-value=r.1.to_string()>{r.1.to_string()}</td></tr>
                    </For>
                </tbody>
            </table>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_largest_value_fills_the_bar_area_and_zero_draws_nothing() {
        let bars = super::layout(&[("a".into(), 4), ("b".into(), 2), ("c".into(), 0)]);
        assert_eq!(bars[0].width, super::BAR_W);
        assert_eq!(bars[1].width, super::BAR_W / 2.0);
        assert_eq!(bars[2].width, 0.0);
        assert_eq!(bars[2].y, 2 * super::ROW);
        assert!(super::layout(&[]).is_empty());
    }
}
