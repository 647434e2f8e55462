//! The whole case file laid out for printing on A4: every entry in reading order
//! (intake, consents and follow-ups, closure; corrected ones marked), the attachments
//! named, and on every page "confidential", the date printed and "page n of m" — in
//! the adviser's language.
//!
//! The page furniture is CSS paged media (`@page` margin boxes with `counter(page)` /
//! `counter(pages)`), so the browser's own print numbers the pages. Its words depend on
//! the language and the day, so the rule is added to the app's stylesheet through the
//! CSSOM while the print view is shown and removed when it closes (the app's CSP allows
//! no inline `<style>`). `static/forms.css` prints `.case-print` alone.
//!
//! Selectors: `section.case-print[data-case]`, `#print-case`, `.print-confidential`,
//! `.print-date`.

use leptos::prelude::*;
use shared::i18n::Arg;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{t, use_i18n};
use crate::reading::{CaseEntries, RecordView};

/// The named page the sheet prints on (so the margin boxes touch nothing else).
const PAGE: &str = "amanat-case-file";

/// A CSS string literal of `s`.
fn css_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `@page` rule: `confidential` top left, `printed` top right, and the page
/// numbers from `page_of`, a sentence in which `\u{1}` stands for the page and `\u{2}`
/// for the count.
pub fn page_rule(confidential: &str, printed: &str, page_of: &str) -> String {
    let mut content = Vec::new();
    let mut rest = page_of;
    while let Some(i) = rest.find(['\u{1}', '\u{2}']) {
        if i > 0 {
            content.push(css_string(&rest[..i]));
        }
        content.push(if rest[i..].starts_with('\u{1}') { "counter(page)".into() } else { "counter(pages)".into() });
        rest = &rest[i + 1..];
    }
    if !rest.is_empty() {
        content.push(css_string(rest));
    }
    format!(
        "@page {PAGE} {{ size: A4; margin: 18mm 15mm; \
         @top-left {{ content: {}; font-weight: bold; text-transform: uppercase; }} \
         @top-right {{ content: {}; }} \
         @bottom-center {{ content: {}; }} }}",
        css_string(confidential),
        css_string(printed),
        content.join(" ")
    )
}

/// The last stylesheet of the page (the app's own; CSSOM edits are allowed by the CSP).
fn sheet() -> Option<JsValue> {
    let document = window().document()?;
    let sheets = js_sys::Reflect::get(&document, &"styleSheets".into()).ok()?;
    let len = js_sys::Reflect::get(&sheets, &"length".into()).ok()?.as_f64()? as u32;
    js_sys::Reflect::get(&sheets, &JsValue::from(len.checked_sub(1)?)).ok()
}

fn call(target: &JsValue, method: &str, args: &js_sys::Array) -> Option<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    f.apply(target, args).ok()
}

/// Removes every rule of ours from the sheet.
fn remove_page_rules() {
    let Some(sheet) = sheet() else { return };
    let Ok(rules) = js_sys::Reflect::get(&sheet, &"cssRules".into()) else { return };
    let len = js_sys::Reflect::get(&rules, &"length".into()).ok().and_then(|l| l.as_f64()).unwrap_or(0.0) as u32;
    for i in (0..len).rev() {
        let text = js_sys::Reflect::get(&rules, &JsValue::from(i))
            .and_then(|r| js_sys::Reflect::get(&r, &"cssText".into()))
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        if text.contains(PAGE) {
            call(&sheet, "deleteRule", &js_sys::Array::of1(&JsValue::from(i)));
        }
    }
}

fn set_page_rule(rule: &str) {
    remove_page_rules();
    if let Some(sheet) = sheet() {
        let len = js_sys::Reflect::get(&sheet, &"cssRules".into())
            .and_then(|r| js_sys::Reflect::get(&r, &"length".into()))
            .ok()
            .and_then(|l| l.as_f64())
            .unwrap_or(0.0);
        call(&sheet, "insertRule", &js_sys::Array::of2(&rule.into(), &JsValue::from(len)));
    }
}

/// The print view of one case file, with its "Print" button.
#[component]
pub fn CasePrint(group: CaseEntries) -> impl IntoView {
    let i18n = use_i18n();
    let printed = crate::clock::today().display();
    let printed_line = {
        let printed = printed.clone();
        move || i18n.tr_args("print-printed_on", &[("date", Arg::Str(&printed))])
    };
    // Follows the language: rewritten whenever the catalog changes.
    Effect::new(move |_| {
        let confidential = i18n.tr("print-confidential");
        let on = i18n.tr_args("print-printed_on", &[("date", Arg::Str(&printed))]);
        let page_of = i18n.tr_args("print-page_of", &[("page", Arg::Str("\u{1}")), ("pages", Arg::Str("\u{2}"))]);
        set_page_rule(&page_rule(&confidential, &on, &page_of));
    });
    on_cleanup(remove_page_rules);

    let case = group.case;
    let title = group.family_name().map(str::to_owned);
    let attachments = crate::reading::view::attachment_list(&group, i18n, true);
    let corrected: Vec<shared::EntryId> = group.docs.iter().filter_map(|(_, d)| d.supersedes).collect();
    let authors = group.authors;
    let docs = group
        .docs
        .into_iter()
        .map(|(id, doc)| {
            let authorship = authors.get(&id).copied().unwrap_or(crate::reading::UNSIGNED);
            view! { <RecordView id doc authorship superseded=corrected.contains(&id) /> }
        })
        .collect_view();
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <div class="actions print-actions">
            <button id="print-case" type="button" on:click=print>{t("print-print")}</button>
        </div>
        <section class="case-print" data-case=case.to_string() aria-labelledby="case-print-title">
            <p class="print-confidential">{t("print-confidential")}</p>
            <h2 id="case-print-title">
                {t("print-title")} ": " {title.unwrap_or_default()} " " <code>{case.to_string()}</code>
            </h2>
            <p class="print-date">{printed_line}</p>
            {docs}
            {attachments}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_rule_numbers_pages_in_the_sentence_of_the_language() {
        let rule = page_rule("Конфиденциально", "Напечатано 23.11.2026", "Страница \u{1} из \u{2}");
        assert!(rule.starts_with("@page amanat-case-file {"));
        assert!(rule.contains("@top-left { content: \"Конфиденциально\";"));
        assert!(
            rule.contains("@bottom-center { content: \"Страница \" counter(page) \" из \" counter(pages); }"),
            "{rule}"
        );
        let kk = page_rule("x", "y", "\u{2} беттің \u{1}-беті");
        assert!(kk.contains("content: counter(pages) \" беттің \" counter(page) \"-беті\";"), "{kk}");
        assert!(page_rule("a\"b\\", "", "").contains(r#"content: "a\"b\\";"#));
    }
}
