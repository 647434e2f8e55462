//! The programme's figures for a period, from the cases the adviser opened
//! (`shared::indicators` computes them): headline counts, bar charts (inline SVG, each
//! with a `<title>` and an accessible name, and the same numbers in a data table beside
//! it for screen readers and for copying) and the aggregate-only CSV with small cells
//! suppressed.
//!
//! Everything is recomputed in memory from the opened entries; nothing is stored.
//!
//! Selectors: `#indicators`, `#indicators-from`, `#indicators-to`, `#indicators-group`,
//! `table.indicators-areas`, `td[data-figure]`, `svg.bar-chart`, `#indicators-export`.

use leptos::prelude::*;
use shared::i18n::Arg;
use shared::indicators::{CaseSummary, Figure, GroupBy, Period, Report};
use shared::record::Date;

use crate::components::status::{use_status, Msg};
use crate::i18n::{t, use_i18n, I18n};
use crate::reading::CaseEntries;

use super::export::download;

/// Summaries already made, by case, with the stamp of the documents they were made from.
type Cache = std::collections::HashMap<shared::CaseId, (u64, Option<CaseSummary>)>;

/// The summaries of the opened cases (one per case with an intake). Entries arrive in
/// batches while the page opens thousands: only cases whose documents changed are
/// summarised again. The cache is rebuilt from `cases` each time, so it holds nothing
/// of cases no longer opened (after "forget key" or a lock it is empty).
fn summaries(cases: &[CaseEntries], today: Date, cache: &mut Cache) -> Vec<CaseSummary> {
    let mut old = std::mem::take(cache);
    cases
        .iter()
        .filter_map(|g| {
            let stamp = g.stamp();
            let s = match old.remove(&g.case) {
                Some((m, s)) if m == stamp => s,
                _ => {
                    // Only a verified author's entries count toward the figures.
                    CaseSummary::of(&g.counted(), today)
                }
            };
            cache.insert(g.case, (stamp, s.clone()));
            s
        })
        .collect()
}

/// A horizontal bar chart of `bars` (label, value), drawn to scale in SVG.
fn bar_chart(id: &'static str, title: String, bars: Vec<(String, u64)>) -> impl IntoView {
    const ROW: u64 = 22;
    const LABEL: u64 = 260;
    const WIDTH: u64 = 320;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let height = ROW * bars.len().max(1) as u64;
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, (label, n))| {
            let y = i as u64 * ROW;
            let w = n * WIDTH / max;
            let tip = format!("{label}: {n}");
            view! {
                <g>
                    <title>{tip}</title>
                    <text x="0" y=(y + 15).to_string() class="bar-label">{label}</text>
                    <rect x=LABEL.to_string() y=(y + 4).to_string() width=w.to_string() height="14" class="bar" />
                    <text x=(LABEL + w + 4).to_string() y=(y + 15).to_string() class="bar-value">{n.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    let title_id = format!("{id}-title");
    let title_id_inner = title_id.clone();
    view! {
        <figure class="chart">
            <svg class="bar-chart" id=id role="img" aria-labelledby=title_id.clone()
                viewBox=format!("0 0 {} {height}", LABEL + WIDTH + 60) width="100%">
                <title id=title_id_inner>{title.clone()}</title>
                {rows}
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// The data table of a report's areas (the charts' fallback), every figure a column.
fn area_table(i18n: I18n, report: &Report) -> impl IntoView {
    let figures = Figure::all();
    let head = figures.iter().map(|f| view! { <th scope="col">{i18n.tr(&f.label_key())}</th> }).collect_view();
    let row = |label: String, code: String, get: &dyn Fn(Figure) -> u64| {
        let cells =
            figures.iter().map(|f| view! { <td data-figure=f.code()>{get(*f).to_string()}</td> }).collect_view();
        view! { <tr data-area=code><th scope="row">{label}</th>{cells}</tr> }
    };
    let mut rows: Vec<_> =
        report.by_area.iter().map(|(a, f)| row(i18n.tr(&a.label_key()), a.code().to_owned(), &|x| f.get(x))).collect();
    rows.push(row(i18n.tr("indicators-total"), "total".into(), &|x| report.total.get(x)));
    view! {
        // Scrolls sideways on a tablet: focusable and named, so a keyboard can scroll it.
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="indicators-areas-caption">
            <table class="indicators-areas">
                <caption id="indicators-areas-caption">{i18n.tr("indicators-by_area")}</caption>
                <thead><tr><th scope="col">{i18n.tr("indicators-col-label")}</th>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The indicators section over the opened cases.
#[component]
pub fn Indicators(#[prop(into)] cases: Signal<Vec<CaseEntries>>) -> impl IntoView {
    let i18n = use_i18n();
    let status = use_status();
    let today = crate::clock::today();
    let year_start = Date::parse_iso(&format!("{}-01-01", &today.to_string()[..4])).unwrap_or(today);
    let from = RwSignal::new(year_start);
    let to = RwSignal::new(today);
    let by = RwSignal::new(GroupBy::Region);
    let cache = StoredValue::new(Cache::new());
    let summaries = Memo::new(move |_| {
        cases.with(|c| cache.try_update_value(|cache| summaries(c, today, cache)).unwrap_or_default())
    });
    let report = Memo::new(move |_| {
        let (f, t) = (from.get(), to.get());
        let period = if f <= t { Period { from: f, to: t } } else { Period { from: t, to: f } };
        summaries.with(|s| Report::new(s, period, by.get()))
    });

    let export = move |_| {
        let csv = report.with_untracked(|r| r.csv(&|k| i18n.tr(k)));
        let name = report.with_untracked(|r| format!("amanat-indicators-{}-{}.csv", r.period.from, r.period.to));
        match download(csv.as_bytes(), &name) {
            Ok(()) => status.info(Msg::key("indicators-exported")),
            Err(_) => status.error(Msg::key("export-failed")),
        }
    };
    let date_input = move |id: &'static str, label: &'static str, sig: RwSignal<Date>| {
        view! {
            <div class="field">
                <label for=id>{t(label)}</label>
                <input id=id type="date" autocomplete="off" prop:value=move || sig.get().to_string()
                    on:change=move |ev| if let Some(d) = Date::parse_iso(&event_target_value(&ev)) { sig.set(d) } />
            </div>
        }
    };
    let body = move || {
        report.with(|r| {
            let headline =
                [Figure::FamiliesServed, Figure::ChildrenServed, Figure::ChildrenReturned, Figure::FamiliesExited];
            let cards = headline
                .iter()
                .map(|f| {
                    view! {
                        <div class="figure" data-figure=f.code()>
                            <span class="figure-value">{r.total.get(*f).to_string()}</span>
                            <span class="figure-label">{i18n.tr(&f.label_key())}</span>
                        </div>
                    }
                })
                .collect_view();
            let served: Vec<(String, u64)> =
                r.by_area.iter().map(|(a, f)| (i18n.tr(&a.label_key()), f.families_served)).collect();
            let services: Vec<(String, u64)> = shared::forms::intake::Service::ALL
                .iter()
                .map(|s| (i18n.tr(&shared::forms::codes::Code::label_key(*s)), r.total.get(Figure::Service(*s))))
                .filter(|(_, n)| *n > 0)
                .collect();
            let months: Vec<(String, u64)> = r.by_month.iter().map(|(m, f)| (m.display(), f.families_served)).collect();
            let left_out = (r.not_counted > 0).then(|| {
                view! {
                    <p class="hint not-counted">
                        {i18n.tr_args("indicators-not_counted", &[("count", Arg::Num(r.not_counted as i64))])}
                    </p>
                }
            });
            view! {
                {left_out}
                <div class="figures">{cards}</div>
                {bar_chart("chart-served-by-area", i18n.tr("indicators-chart-served_by_area"), served)}
                {bar_chart("chart-services", i18n.tr("indicators-chart-services"), services)}
                {bar_chart("chart-served-by-month", i18n.tr("indicators-chart-served_by_month"), months)}
                {area_table(i18n, r)}
            }
        })
    };
    view! {
        <section id="indicators" class="card indicators" aria-labelledby="indicators-title">
            <h2 id="indicators-title">{t("indicators-title")}</h2>
            <div class="filters">
                {date_input("indicators-from", "indicators-from", from)}
                {date_input("indicators-to", "indicators-to", to)}
                <div class="field">
                    <label for="indicators-group">{t("indicators-group")}</label>
                    <select id="indicators-group" on:change=move |ev| {
                        by.set(if event_target_value(&ev) == "city" { GroupBy::City } else { GroupBy::Region })
                    }>
                        <option value="region" selected>{t("indicators-by_region")}</option>
                        <option value="city">{t("indicators-by_city")}</option>
                    </select>
                </div>
            </div>
            {body}
            <p class="hint">{t("indicators-suppression")}</p>
            <div class="actions">
                <button id="indicators-export" type="button" on:click=export>{t("indicators-export")}</button>
            </div>
        </section>
    }
}
