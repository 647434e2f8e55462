//! The error summary above the form after a refused save: every problem, in form
//! order, each a link that moves focus to its field.

use leptos::prelude::*;
use shared::validate::FieldError;
use wasm_bindgen::JsCast;

use crate::i18n::{t, use_i18n};
use crate::intake_draft::{anchor_id, field_label_key};

/// Moves keyboard focus to the element with `id`, if it is on the page.
pub fn focus_by_id(id: &str) {
    if let Some(el) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[component]
pub fn ErrorSummary(errors: Memo<Vec<FieldError>>, visible: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        (visible.get() && !errors.with(Vec::is_empty)).then(|| {
            let items = errors
                .get()
                .into_iter()
                .map(|e| {
                    let anchor = anchor_id(&e.field);
                    let href = format!("#{anchor}");
                    // The v1 form's label keys are dotted (`intake.family_name`).
                    let label = field_label_key(&e.field).replace('.', "-");
                    let problem = e.problem;
                    let text = move || {
                        let sentence = i18n.with_catalog(|c| c.problem(problem)).unwrap_or_else(|| problem.message().to_owned());
                        format!("{}: {sentence}", i18n.tr(&label))
                    };
                    view! {
                        <li>
                            <a href=href on:click=move |ev| {
                                ev.prevent_default();
                                focus_by_id(&anchor);
                            }>{text}</a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div id="error-summary" class="error-summary" role="alert" tabindex="-1"
                    aria-labelledby="error-summary-title">
                    <h2 id="error-summary-title">{t("intake-summary_title")}</h2>
                    <ul>{items}</ul>
                </div>
            }
        })
    }
}
