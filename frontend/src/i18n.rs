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
//! the catalog shown so screen readers pronounce the page in the right language.
//!
//! Two ways to read a message: reactively ([`I18n::t`], [`I18n::tr`] inside a view,
//! so a switch relabels), and "now" ([`tr_now`], [`error_now`]) for code that builds a
//! sentence outside any view (a problem kept in a list). The app's root renders only
//! once the first catalog has arrived or failed ([`I18n::settled`]), so raw keys never
//! flash on the first paint; the catalog is a few milliseconds behind the wasm.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use leptos::prelude::*;
use shared::i18n::{Arg, Catalog, Locale};
use shared::ErrorCode;

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
    /// Whether the first catalog has arrived or failed to (the root waits for it).
    settled: RwSignal<bool>,
}

thread_local! {
    /// The catalog shown now, for [`tr_now`] (the browser runs the app on one thread).
    static CURRENT: RefCell<Option<Arc<Catalog>>> = const { RefCell::new(None) };
}

/// The message `key` in the language shown now (not tracked: for sentences built
/// outside a view). The key itself before any catalog has loaded.
pub fn tr_now(key: &str) -> String {
    CURRENT.with(|c| c.borrow().as_ref().map_or_else(|| key.to_owned(), |c| c.tr(key, &[])))
}

/// The sentence for an error code in the language shown now; English (the code's own
/// sentence, compiled in) only when no catalog could be loaded.
pub fn error_now(code: ErrorCode) -> String {
    with_current(|c| error_in(c, code))
}

/// Runs `f` with the catalog shown now, if any (not tracked).
pub fn with_current<R>(f: impl FnOnce(Option<&Catalog>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_deref()))
}

/// The sentence for an error code in `catalog`, English without one.
pub fn error_in(catalog: Option<&Catalog>, code: ErrorCode) -> String {
    match catalog {
        Some(c) => c.error(code),
        None => code.message().to_owned(),
    }
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
    use futures::FutureExt;
    use gloo_timers::future::TimeoutFuture;

    let i18n = create(DEFAULT_LOCALE, Vec::new());
    leptos::task::spawn_local(async move {
        // A storage that cannot be read (private mode) means the default language;
        // so does one that does not answer (an open blocked by another tab's older
        // version of the database): the page must not stay blank waiting for it.
        let read = saved_locale().fuse();
        let timer = TimeoutFuture::new(SETTING_WAIT_MS).fuse();
        futures::pin_mut!(read, timer);
        let saved = futures::select! {
            r = read => r.ok().flatten(),
            _ = timer => None,
        };
        i18n.apply(saved.unwrap_or(DEFAULT_LOCALE));
    });
    leptos::task::spawn_local(async move {
        // A network that neither answers nor fails keeps the catalog away: show the
        // page (labels as keys) after a while; the catalog relabels it when it comes.
        TimeoutFuture::new(FIRST_PAINT_WAIT_MS).await;
        if i18n.settled.try_get_untracked() == Some(false) {
            i18n.settled.try_set(true);
        }
    });
    i18n
}

/// How long the saved language may take to read before the default is shown.
const SETTING_WAIT_MS: u32 = 1_500;

/// How long the page waits for its first catalog before it shows itself anyway.
const FIRST_PAINT_WAIT_MS: u32 = 4_000;

fn create(initial: Locale, preloaded: Vec<Catalog>) -> I18n {
    let cache: HashMap<Locale, Arc<Catalog>> = preloaded.into_iter().map(|c| (c.locale(), Arc::new(c))).collect();
    let i18n = I18n {
        locale: RwSignal::new(initial),
        catalog: RwSignal::new(None),
        cache: StoredValue::new(cache),
        failed: RwSignal::new(None),
        settled: RwSignal::new(false),
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

    /// Whether the first catalog has loaded or failed to (tracked): the app's root
    /// shows its pages from then on, so labels never flash as raw keys.
    pub fn settled(&self) -> bool {
        self.settled.get()
    }

    /// Adds a catalog to the in-memory cache (it is shown if its locale is current).
    pub fn insert(&self, catalog: Catalog) {
        let locale = catalog.locale();
        let catalog = Arc::new(catalog);
        self.cache.update_value(|c| {
            c.insert(locale, Arc::clone(&catalog));
        });
        if self.locale.get_untracked() == locale {
            self.show(catalog);
        }
    }

    /// Makes `catalog` the one every label reads.
    fn show(&self, catalog: Arc<Catalog>) {
        set_html_lang(catalog.locale());
        CURRENT.with(|c| *c.borrow_mut() = Some(Arc::clone(&catalog)));
        self.catalog.set(Some(catalog));
        self.settled.set(true);
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
        if let Some(c) = self.cache.with_value(|c| c.get(&locale).cloned()) {
            self.failed.set(None);
            self.show(c);
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
                    // Show the page anyway (in the language still loaded, if any).
                    this.settled.set(true);
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

    /// The sentence for an error code now (tracked); English if no catalog loaded.
    pub fn error(&self, code: ErrorCode) -> String {
        self.catalog.with(|c| error_in(c.as_deref(), code))
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
    pub fn t_args(
        &self,
        key: impl Into<String>,
        args: impl Fn() -> Vec<(&'static str, OwnedArg)> + Send + Sync + 'static,
    ) -> Signal<String> {
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
    pub fn as_arg(&self) -> Arg<'_> {
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
pub fn t_args(
    key: impl Into<String>,
    args: impl Fn() -> Vec<(&'static str, OwnedArg)> + Send + Sync + 'static,
) -> Signal<String> {
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

/// What the switcher says when no catalog could be loaded at all.
const LANGUAGE_FAILED_EN: &str = "This language could not be loaded. Check the connection and choose it again.";

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
                {move || i18n.failed.get().map(|_| {
                    // With no catalog at all there is nothing to translate with.
                    if i18n.ready() { i18n.tr("app-language_failed") } else { LANGUAGE_FAILED_EN.to_owned() }
                })}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use shared::i18n::{Catalog, Locale};

    /// The calls whose first argument is a catalog key (`t("app-name")`,
    /// `i18n.tr("…")`, `Msg::key("…")`, …), by the name just before `("`.
    const LOOKUPS: &[&str] = &["t", "tr", "t_args", "tr_args", "tr_now", "key", "args"];

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }

    /// Every key named in a lookup in the sources, with the file it is in.
    fn keys_used() -> Vec<(String, String)> {
        let mut files = Vec::new();
        sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut used = Vec::new();
        for (file, src) in &files {
            for (at, _) in src.match_indices("(\"") {
                let name: String = src[..at].chars().rev().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let name: String = name.chars().rev().collect();
                let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
                if !LOOKUPS.contains(&name.as_str()) || src[line_start..at].contains("//") {
                    continue;
                }
                let rest = &src[at + 2..];
                let key = &rest[..rest.find('"').unwrap()];
                used.push((file.clone(), key.to_owned()));
            }
        }
        used
    }

    /// Issue 3: "a test fails when any key is missing in any locale". The catalogs'
    /// own parity is tested in `shared`; this ties the app's sources to them.
    #[test]
    fn every_key_the_app_names_is_in_every_catalog() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/locales");
        let catalogs: Vec<Catalog> = Locale::ALL
            .iter()
            .map(|&l| {
                let text = std::fs::read_to_string(root.join(format!("{}.ftl", l.tag()))).unwrap();
                Catalog::new(l, &text).unwrap_or_else(|e| panic!("{l}: {e}"))
            })
            .collect();
        let used = keys_used();
        let mut missing = Vec::new();
        for (file, key) in &used {
            for c in &catalogs {
                if !c.has(key) {
                    missing.push(format!("{file}: {key} is not in {}", c.locale()));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
        // The scan must see the app's labels, or it proves nothing.
        assert!(used.len() > 80, "only {} keys found", used.len());
        assert!(used.iter().any(|(_, k)| k == "app-name") && used.iter().any(|(_, k)| k == "enrol-title"));
    }
}
