//! One error type for what the pages report: a coded failure from `shared`, the
//! relay's answer, the browser's storage, or one of the app's own situations. Each
//! becomes one sentence, from the catalog of the language shown (`error-<code>` for a
//! code); English only when no catalog could be loaded.

use shared::i18n::Catalog;
use shared::ErrorCode;

use crate::i18n::{error_in, I18n};
use crate::local_db::StorageError;
use crate::relay_client::RelayError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Code(ErrorCode),
    Relay(RelayError),
    Storage(StorageError),
    /// A situation of the app's own, by catalog key (`vault-offline_unknown`).
    Message(&'static str),
}

impl Problem {
    /// The error code behind it, if it has one (its own, or the relay's).
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Problem::Code(code) => Some(*code),
            Problem::Relay(e) => e.code(),
            Problem::Storage(_) | Problem::Message(_) => None,
        }
    }

    /// The sentence in the language shown now (not tracked: for lists built outside
    /// a view). In a view, use [`Problem::render`] so a switch relabels it.
    pub fn message(&self) -> String {
        crate::i18n::with_current(|c| self.message_in(c))
    }

    /// The sentence in `i18n`'s language (tracked inside a view).
    pub fn render(&self, i18n: &I18n) -> String {
        i18n.with_catalog(|c| self.message_in(Some(c))).unwrap_or_else(|| self.message_in(None))
    }

    /// The sentence from `catalog`; without one, a code's English sentence (compiled
    /// into `shared`) or the bare key.
    pub fn message_in(&self, catalog: Option<&Catalog>) -> String {
        let key = |k: &str| catalog.map_or_else(|| k.to_owned(), |c| c.tr(k, &[]));
        match self {
            Problem::Code(code) => error_in(catalog, *code),
            Problem::Relay(RelayError::Unavailable | RelayError::Busy { code: None, .. }) => key("relay-unreachable"),
            Problem::Relay(
                RelayError::Refused { code: Some(code), .. } | RelayError::Busy { code: Some(code), .. },
            ) => error_in(catalog, *code),
            // The relay's own words for a code this app does not know.
            Problem::Relay(RelayError::Refused { message, .. }) => message.clone(),
            Problem::Storage(_) => key("intake-storage_failed"),
            Problem::Message(k) => key(k),
        }
    }
}

impl From<ErrorCode> for Problem {
    fn from(c: ErrorCode) -> Self {
        Problem::Code(c)
    }
}

impl From<RelayError> for Problem {
    fn from(e: RelayError) -> Self {
        Problem::Relay(e)
    }
}

impl From<StorageError> for Problem {
    fn from(e: StorageError) -> Self {
        Problem::Storage(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(locale: shared::i18n::Locale) -> Catalog {
        let path = format!("{}/../shared/locales/{}.ftl", env!("CARGO_MANIFEST_DIR"), locale.tag());
        Catalog::new(locale, &std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_problem_reads_in_the_language_shown_and_in_english_without_a_catalog() {
        use shared::i18n::Locale;
        let ru = catalog(Locale::Ru);
        let wrong = Problem::Code(ErrorCode::WrongPassphrase);
        assert_eq!(wrong.message_in(Some(&ru)), ru.error(ErrorCode::WrongPassphrase));
        assert_ne!(wrong.message_in(Some(&ru)), ErrorCode::WrongPassphrase.message());
        assert_eq!(wrong.message_in(None), ErrorCode::WrongPassphrase.message(), "English when no catalog loaded");
        let refused = Problem::Relay(RelayError::Refused {
            status: 403,
            code: Some(ErrorCode::Forbidden),
            message: "nope".into(),
        });
        assert_eq!(refused.message_in(Some(&ru)), ru.error(ErrorCode::Forbidden), "a known code is ours to say");
        let unknown = Problem::Relay(RelayError::Refused { status: 400, code: None, message: "Not today.".into() });
        assert_eq!(unknown.message_in(Some(&ru)), "Not today.", "an unknown code keeps the relay's words");
        let kk = catalog(Locale::Kk);
        assert_eq!(Problem::Relay(RelayError::Unavailable).message_in(Some(&kk)), kk.tr("relay-unreachable", &[]));
        assert_eq!(
            Problem::Message("vault-offline_unknown").message_in(Some(&kk)),
            kk.tr("vault-offline_unknown", &[])
        );
        assert!(Problem::Storage(StorageError("quota".into())).message_in(Some(&kk)).starts_with("Браузер"));
    }
}
