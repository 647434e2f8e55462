//! Transitional: the v1 lookups `t("page.name")` still used by pages that have not
//! moved to [`crate::i18n`] yet (the caseworker page and the v1 intake form). Each
//! reads the catalog shown now under the hyphenated key (`app.name` → `app-name`),
//! once, when the view is built: it does not relabel on a language switch. New code
//! uses `i18n::t` (reactive); this file goes when its last caller does.

/// The message `key` (dotted v1 form) in the language shown now.
pub fn t(key: &str) -> String {
    crate::i18n::tr_now(&key.replace('.', "-"))
}
