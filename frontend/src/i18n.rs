//! The app's language: which [`Locale`] is shown and its [`Catalog`], as a Leptos
//! context every component reads labels from.
//!
//! Catalogs are fetched at run time from `/locales/<tag>.ftl` (copied into `dist/` by
//! `cargo xtask build`), so the wasm carries none of the five; each is parsed once and
//! kept in memory for the tab's life. Switching language only swaps the catalog
//! signal: labels are reactive text nodes, never the parents of inputs, so every form
//! signal and every half-typed value stays as it was.
//!
//! The chosen locale is a non-personal setting and is kept in IndexedDB's `settings`
//! store (key `locale`), never in localStorage. The `<html lang>` attribute follows
//! the choice so screen readers pronounce the page in the right language.

use std::collections::HashMap;
use std::sync::Arc;

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use leptos::prelude::*;
use shared::i18n::{Arg, Catalog, Locale};

use crate::local_db::{self, StorageError, SETTINGS};

/// The `settings` key under which the chosen locale's tag is kept.
pub const LOCALE_SETTING: &str = "locale";

/// The language shown when nothing was chosen yet: Uzbek in Latin script, the
/// official script of most users.
pub const DEFAULT_LOCALE: Locale = Locale::UzLatn;

/// The language state; `Copy`, so closures take it freely. Get it with [`use_i18n`].
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
    catalog: RwSignal<Option<Arc<Catalog>>>,
    cache: StoredValue<HashMap<Locale, Arc<Catalog>>>,
    /// The locale whose catalog could not be loaded (offline before the first visit,
    /// a broken file), so the switcher can say so instead of silently doing nothing.
    failed: RwSignal<Option<Locale>>,
}

/// The language state of the enclosing app (panics outside [`provide_i18n`], a
/// programming error).
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Provides the language state to the components below. `preloaded` catalogs go
/// into the cache (tests and embedded builds); `initial` is shown at once if
/// preloaded, else fetched. The choice is not saved (see [`I18n::switch`]).
pub fn provide_i18n(initial: Locale, preloaded: Vec<Catalog>) -> I18n {
    let i18n = create(initial, preloaded);
    i18n.apply(initial);
    i18n
}

/// Provides the language state with the locale chosen earlier on this device (or
/// [`DEFAULT_LOCALE`]), fetching its catalog. For the app's root. Until the setting
/// is read (a few milliseconds), labels show their keys.
pub fn provide_saved_i18n() -> I18n {
    let i18n = create(DEFAULT_LOCALE, Vec::new());
    leptos::task::spawn_local(async move {
        // A storage that cannot be read (private mode) means the default language.
        let saved = saved_locale().await.ok().flatten().unwrap_or(DEFAULT_LOCALE);
        i18n.apply(saved);
    });
    i18n
}

fn create(initial: Locale, preloaded: Vec<Catalog>) -> I18n {
    let cache: HashMap<Locale, Arc<Catalog>> = preloaded.into_iter().map(|c| (c.locale(), Arc::new(c))).collect();
    let i18n = I18n {
        locale: RwSignal::new(initial),
        catalog: RwSignal::new(None),
        cache: StoredValue::new(cache),
        failed: RwSignal::new(None),
    };
    provide_context(i18n);
    i18n
}

impl I18n {
    /// The locale shown now.
    pub fn locale(&self) -> Signal<Locale> {
        self.locale.into()
    }

    /// The locale whose catalog failed to load, if the last switch failed.
    pub fn failed(&self) -> Signal<Option<Locale>> {
        self.failed.into()
    }

    /// Whether a catalog is loaded (before the first fetch ends, keys show).
    pub fn ready(&self) -> bool {
        self.catalog.with(Option::is_some)
    }

    /// Adds a catalog to the in-memory cache (it is shown if its locale is current).
    pub fn insert(&self, catalog: Catalog) {
        let locale = catalog.locale();
        let catalog = Arc::new(catalog);
        self.cache.update_value(|c| {
            c.insert(locale, Arc::clone(&catalog));
        });
        if self.locale.get_untracked() == locale {
            self.catalog.set(Some(catalog));
        }
    }

    /// Shows `locale` (fetching its catalog if it is not cached yet) and remembers the
    /// choice on this device.
    pub fn switch(&self, locale: Locale) {
        let this = *self;
        this.apply(locale);
        leptos::task::spawn_local(async move {
            // A setting that cannot be saved (private mode) only costs the choice at
            // the next visit; the page keeps working.
            if let Err(e) = save_locale(locale).await {
                leptos::logging::warn!("the language setting was not saved: {e}");
            }
        });
    }

    /// Shows `locale` without saving the choice.
    fn apply(&self, locale: Locale) {
        self.locale.set(locale);
        set_html_lang(locale);
        if let Some(c) = self.cache.with_value(|c| c.get(&locale).cloned()) {
            self.failed.set(None);
            self.catalog.set(Some(c));
            return;
        }
        let this = *self;
        leptos::task::spawn_local(async move {
            match fetch_catalog(locale).await {
                Ok(c) => {
                    this.failed.set(None);
                    this.insert(c);
                }
                Err(e) => {
                    leptos::logging::warn!("the {locale} catalog did not load: {e}");
                    if this.locale.get_untracked() == locale {
                        this.failed.set(Some(locale));
                    }
                }
            }
        });
    }

    /// The message `key` now (tracked: a view re-renders its text on a switch).
    pub fn tr(&self, key: &str) -> String {
        self.tr_args(key, &[])
    }

    /// The message `key` with `args` now (tracked).
    pub fn tr_args(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.catalog.with(|c| match c {
            Some(c) => c.tr(key, args),
            None => key.to_owned(),
        })
    }

    /// Runs `f` with the current catalog, if one is loaded (tracked).
    pub fn with_catalog<R>(&self, f: impl FnOnce(&Catalog) -> R) -> Option<R> {
        self.catalog.with(|c| c.as_deref().map(f))
    }

    /// The message `key` as a signal that follows the language.
    pub fn t(&self, key: impl Into<String>) -> Signal<String> {
        let this = *self;
        let key = key.into();
        Signal::derive(move || this.tr(&key))
    }

    /// The message `key` with arguments computed by `args` (tracked, so arguments may
    /// read signals) as a signal that follows the language.
    pub fn t_args(&self, key: impl Into<String>, args: impl Fn() -> Vec<(&'static str, OwnedArg)> + Send + Sync + 'static) -> Signal<String> {
        let this = *self;
        let key = key.into();
        Signal::derive(move || {
            let owned = args();
            let borrowed: Vec<(&str, Arg<'_>)> = owned.iter().map(|(n, a)| (*n, a.as_arg())).collect();
            this.tr_args(&key, &borrowed)
        })
    }
}

/// A message argument that owns its text, for [`I18n::t_args`].
#[derive(Clone, Debug, PartialEq)]
pub enum OwnedArg {
    Str(String),
    Num(i64),
}

impl OwnedArg {
    fn as_arg(&self) -> Arg<'_> {
        match self {
            OwnedArg::Str(s) => Arg::Str(s),
            OwnedArg::Num(n) => Arg::Num(*n),
        }
    }
}

/// `t(key)` of the context's language, as a signal.
pub fn t(key: impl Into<String>) -> Signal<String> {
    use_i18n().t(key)
}

/// `t_args(key, args)` of the context's language, as a signal.
pub fn t_args(key: impl Into<String>, args: impl Fn() -> Vec<(&'static str, OwnedArg)> + Send + Sync + 'static) -> Signal<String> {
    use_i18n().t_args(key, args)
}

/// The path a locale's catalog is served at.
pub fn catalog_url(locale: Locale) -> String {
    format!("/locales/{}.ftl", locale.tag())
}

async fn fetch_catalog(locale: Locale) -> Result<Catalog, String> {
    let res = gloo_net::http::Request::get(&catalog_url(locale)).send().await.map_err(|e| e.to_string())?;
    if !res.ok() {
        return Err(format!("HTTP {}", res.status()));
    }
    // `text()` decodes UTF-8 whatever the content type; Catalog::new caps the size.
    let text = res.text().await.map_err(|e| e.to_string())?;
    Catalog::new(locale, &text).map_err(|e| e.to_string())
}

fn set_html_lang(locale: Locale) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", locale.tag());
    }
}

/// The locale chosen earlier on this device, if any.
pub async fn saved_locale() -> Result<Option<Locale>, StorageError> {
    let db = local_db::open().await?;
    let tx = db.transaction(SETTINGS).build()?;
    let store = tx.object_store(SETTINGS)?;
    let value: Option<String> = store.get(LOCALE_SETTING).primitive()?.await?;
    Ok(value.as_deref().and_then(Locale::from_tag))
}

async fn save_locale(locale: Locale) -> Result<(), StorageError> {
    let db = local_db::open().await?;
    let tx = db.transaction(SETTINGS).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(SETTINGS)?;
    store.put(locale.tag().to_owned()).with_key(LOCALE_SETTING).primitive()?.await?;
    tx.commit().await?;
    Ok(())
}

/// The language switcher: a labelled `<select>` (keyboard usable as is), each
/// language named in itself and marked with its own `lang`.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let options = Locale::ALL
        .iter()
        .map(|&l| view! { <option value=l.tag() lang=l.tag() selected=move || i18n.locale.get() == l>{l.endonym()}</option> })
        .collect_view();
    view! {
        <div class="language-switch">
            <label for="language-switch">{i18n.t("app-language")}</label>
            <select id="language-switch" autocomplete="off"
                prop:value=move || i18n.locale.get().tag()
                on:change=move |ev| {
                    if let Some(l) = Locale::from_tag(&event_target_value(&ev)) {
                        i18n.switch(l);
                    }
                }>
                {options}
            </select>
            <p class="field-error" role="alert">
                {move || i18n.failed.get().map(|_| i18n.tr("relay-unreachable"))}
            </p>
        </div>
    }
}
