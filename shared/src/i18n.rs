//! Translation catalogs: every label, help text, option label, error message and the
//! consent text, in Uzbek (Latin and Cyrillic), Russian, Kazakh and English.
//!
//! The catalogs are Fluent files, one per locale, in `shared/locales/{tag}.ftl`. A
//! [`Catalog`] is built from a locale's text at run time (`Catalog::new(locale, ftl)`),
//! so the browser app fetches only the locale it shows instead of carrying five in its
//! wasm; native tools and tests may compile all five in with the `embedded-locales`
//! feature ([`Catalog::embedded`]). The Fluent crates are the ones age already brings
//! into the app (through i18n-embed), at the same versions, and the bundle type is the
//! same (`Arc<FluentResource>`, concurrent memoizer), so the catalogs add no crate and
//! little code.
//!
//! Key scheme: Fluent ids allow only letters, digits, `-` and `_`, so keys are
//! hyphenated: an option's label is `{list}-{code}` ([`crate::forms::codes::Code`]), a
//! field problem's message `problem-{code}`, an error code's sentence `error-{code}`, a
//! field's name in the error summary `field-{path}` ([`crate::forms::check::field_label_key`]),
//! and the app's own strings `{page}-{name}` (the v1 app's `intake.family_name` is
//! `intake-family_name`). A missing key formats as the key itself, so a gap shows on the
//! page instead of a blank, and the catalog tests fail first.

use std::fmt;
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::error::ErrorCode;
use crate::forms::codes::Code;
use crate::record::Date;
use crate::validate::{FieldError, FieldProblem};

/// Largest catalog text accepted, in bytes (the real ones are a few tens of KB).
pub const MAX_CATALOG_BYTES: usize = 512 * 1024;

/// A language the app is offered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Locale {
    #[serde(rename = "uz-Latn")]
    UzLatn,
    #[serde(rename = "uz-Cyrl")]
    UzCyrl,
    #[serde(rename = "ru")]
    Ru,
    #[serde(rename = "kk")]
    Kk,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    /// Every locale, in the order the language switcher shows them.
    pub const ALL: &'static [Locale] = &[Locale::UzLatn, Locale::UzCyrl, Locale::Ru, Locale::Kk, Locale::En];

    /// The BCP 47 tag, also the catalog's file name (`uz-Latn.ftl`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::UzLatn => "uz-Latn",
            Locale::UzCyrl => "uz-Cyrl",
            Locale::Ru => "ru",
            Locale::Kk => "kk",
            Locale::En => "en",
        }
    }

    /// The language's own name, for the switcher (always shown in itself).
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::UzLatn => "Oʻzbekcha",
            Locale::UzCyrl => "Ўзбекча",
            Locale::Ru => "Русский",
            Locale::Kk => "Қазақша",
            Locale::En => "English",
        }
    }

    /// The locale for a tag (case-insensitive; `uz` alone means Latin script, the
    /// official one).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let t = tag.to_ascii_lowercase();
        match t.as_str() {
            "uz-latn" | "uz" | "uz-latn-uz" => Some(Locale::UzLatn),
            "uz-cyrl" | "uz-cyrl-uz" => Some(Locale::UzCyrl),
            "ru" | "ru-ru" | "ru-uz" | "ru-kz" => Some(Locale::Ru),
            "kk" | "kk-kz" | "kk-cyrl" => Some(Locale::Kk),
            "en" | "en-gb" | "en-us" => Some(Locale::En),
            _ => None,
        }
    }

    fn langid(self) -> LanguageIdentifier {
        self.tag().parse().expect("our tags are valid BCP 47")
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// Why a catalog could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogError {
    TooLarge,
    /// Fluent syntax errors, as "line: message".
    Syntax(Vec<String>),
    /// A message id defined twice.
    Duplicate(Vec<String>),
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::TooLarge => write!(f, "the catalog is larger than {MAX_CATALOG_BYTES} bytes"),
            CatalogError::Syntax(e) => write!(f, "catalog syntax errors: {}", e.join("; ")),
            CatalogError::Duplicate(e) => write!(f, "catalog keys defined twice: {}", e.join(", ")),
        }
    }
}

impl std::error::Error for CatalogError {}

/// An argument of a message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg<'a> {
    Str(&'a str),
    /// A number (plural forms select on it).
    Num(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Num(n as i64)
    }
}

/// One locale's messages.
pub struct Catalog {
    locale: Locale,
    bundle: FluentBundle<Arc<FluentResource>>,
    resource: Arc<FluentResource>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog").field("locale", &self.locale).finish_non_exhaustive()
    }
}

impl Catalog {
    /// A catalog from a locale's `.ftl` text (fetched by the app, or embedded).
    pub fn new(locale: Locale, ftl: &str) -> Result<Self, CatalogError> {
        if ftl.len() > MAX_CATALOG_BYTES {
            return Err(CatalogError::TooLarge);
        }
        let resource = FluentResource::try_new(ftl.to_owned()).map_err(|(res, errors)| {
            CatalogError::Syntax(
                errors
                    .iter()
                    .map(|e| {
                        let line = res.source()[..e.pos.start.min(res.source().len())].lines().count();
                        format!("{line}: {:?}", e.kind)
                    })
                    .collect(),
            )
        })?;
        let resource = Arc::new(resource);
        let mut bundle = FluentBundle::new_concurrent(vec![locale.langid()]);
        // Unicode isolation marks help right-to-left text; every locale here is
        // left-to-right, and the marks would end up in copied text and field values.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(Arc::clone(&resource))
            .map_err(|errors| CatalogError::Duplicate(errors.iter().map(|e| e.to_string()).collect()))?;
        Ok(Self { locale, bundle, resource })
    }

    /// The embedded catalog of `locale` (feature `embedded-locales`).
    #[cfg(feature = "embedded-locales")]
    pub fn embedded(locale: Locale) -> Self {
        Self::new(locale, embedded_ftl(locale)).expect("the embedded catalogs are tested")
    }

    /// The catalog's locale.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// Whether the catalog has a message `key`.
    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    /// The message `key` with `args`; the key itself when there is no such message.
    pub fn tr(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let fluent_args = (!args.is_empty()).then(|| {
            let mut a = FluentArgs::with_capacity(args.len());
            for (name, value) in args {
                match *value {
                    Arg::Str(s) => a.set(*name, FluentValue::from(s)),
                    Arg::Num(n) => a.set(*name, FluentValue::from(n)),
                }
            }
            a
        });
        let mut errors = Vec::new();
        self.bundle.format_pattern(pattern, fluent_args.as_ref(), &mut errors).into_owned()
    }

    /// The label of a code (`channel-home_visit`).
    pub fn label<C: Code>(&self, code: C) -> String {
        self.tr(&code.label_key(), &[])
    }

    /// Every option of a code list with its label, in display order (for a `<select>`
    /// or a group of checkboxes).
    pub fn options<C: Code>(&self) -> Vec<(C, String)> {
        C::all().iter().map(|&c| (c, self.label(c))).collect()
    }

    /// The sentence for a field problem, shown beside the field.
    pub fn problem(&self, problem: FieldProblem) -> String {
        self.tr(&problem.message_key(), &[])
    }

    /// A field problem for the error summary: "Field name: sentence".
    pub fn field_error(&self, error: &FieldError) -> String {
        let field = self.tr(&error.field_label_key(), &[]);
        format!("{field}: {}", self.problem(error.problem))
    }

    /// The sentence for an error code.
    pub fn error(&self, code: ErrorCode) -> String {
        self.tr(&format!("error-{}", code.code()), &[])
    }

    /// Why consent does not allow an action, in this language.
    pub fn refusal(&self, refusal: &crate::forms::consent::Refusal) -> String {
        let permission = self.tr(&refusal.permission.label_key(), &[]);
        let missing = self.tr(&refusal.missing.label_key(), &[]);
        let date = refusal.since.map(Date::display).unwrap_or_default();
        self.tr(
            refusal.message_key(),
            &[("permission", Arg::Str(&permission)), ("missing", Arg::Str(&missing)), ("date", Arg::Str(&date))],
        )
    }

    /// Every message id of the catalog (terms excluded), in file order.
    pub fn keys(&self) -> Vec<&str> {
        use fluent_syntax::ast::Entry;
        self.resource
            .entries()
            .filter_map(|e| match e {
                Entry::Message(m) => Some(m.id.name),
                _ => None,
            })
            .collect()
    }
}

/// The catalog text of `locale` compiled into the binary.
#[cfg(any(test, feature = "embedded-locales"))]
pub fn embedded_ftl(locale: Locale) -> &'static str {
    match locale {
        Locale::UzLatn => include_str!("../locales/uz-Latn.ftl"),
        Locale::UzCyrl => include_str!("../locales/uz-Cyrl.ftl"),
        Locale::Ru => include_str!("../locales/ru.ftl"),
        Locale::Kk => include_str!("../locales/kk.ftl"),
        Locale::En => include_str!("../locales/en.ftl"),
    }
}

#[cfg(test)]
mod tests;
