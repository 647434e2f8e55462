//! The privacy officer's checks (issue 5), behind the `/privacy` page
//! ([`crate::pages::privacy`]): what this device keeps ([`device`], sorted by
//! [`classify`]), what the relay holds and logs ([`relay`]), and whether the app's
//! served files are the release's ([`app_files`]); [`chart`] draws the figures and
//! [`js`] reaches the browser storage APIs the rest of the app never needs.
//!
//! **Invariant:** these checks only read. Nothing here writes to browser storage or
//! to the relay (the relay records the verification run in its audit log itself).

pub mod app_files;
pub mod chart;
pub mod classify;
pub mod device;
pub mod js;
pub mod relay;

#[cfg(test)]
mod tests {
    use shared::i18n::{Arg, Catalog, Locale};

    fn catalog(locale: Locale) -> Catalog {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../shared/locales/{}.ftl", locale.tag()));
        Catalog::new(locale, &std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Every number a message of the app can take, set to `n`.
    fn all(n: i64) -> Vec<(&'static str, Arg<'static>)> {
        [
            "count", "n", "events", "size", "fewest", "entries", "listed", "passed", "bad", "done", "total", "shown",
            "resealed", "current", "skipped", "ok", "waiting", "uploaded", "minutes", "else",
        ]
        .into_iter()
        .map(|v| (v, Arg::Num(n)))
        .collect()
    }

    #[test]
    fn no_english_message_says_one_with_a_plural_noun() {
        let en = catalog(Locale::En);
        let plural = [
            "events",
            "files",
            "entries",
            "recipients",
            "cases",
            "values",
            "identities",
            "members",
            "minutes",
            "keys",
            "holders",
            "families",
            "children",
            "records",
            "documents",
            "photos",
            "scans",
            "attachments",
            "workers",
            "devices",
            "accounts",
            "caseworkers",
            "advisers",
            "uploads",
            "downloads",
            "rows",
            "errors",
            "stanzas",
            "days",
            "hours",
            "seconds",
            "tabs",
            "versions",
            "forms",
            "households",
            "services",
            "regions",
            "risks",
        ];
        // Words that may stand between "1" and its noun ("1 sealed entries", "1 new
        // superseded files"); anything else (a preposition, another number) ends the
        // look-ahead, so "1 of 40 files" is not taken for one.
        let ends = [
            "of", "in", "out", "from", "and", "or", "to", "for", "per", "at", "by", "on", "with", "than", "is", "are",
            "was", "were",
        ];
        // Said of what was counted, after a count of 1 (the message selects on the
        // number, so the pronoun must follow it: "1 sealed entry … It opens", not "They").
        let plural_pronouns = ["They", "they", "them", "these", "These", "those", "Those"];
        let mut found = Vec::new();
        for key in en.keys() {
            let text = en.tr(key, &all(1));
            let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            for (i, _) in words.iter().enumerate().filter(|(_, w)| **w == "1") {
                let after = words[i + 1..]
                    .iter()
                    .take(3)
                    .take_while(|w| w.chars().all(|c| c.is_alphabetic()) && !ends.contains(w));
                let mut after = after.peekable();
                let counts_something = after.peek().is_some();
                if let Some(noun) = after.find(|w| plural.contains(w)) {
                    found.push(format!("{key} (\"1 … {noun}\"): {text}"));
                } else if counts_something && words[i + 1..].iter().any(|w| plural_pronouns.contains(w)) {
                    found.push(format!("{key} (a plural pronoun after 1): {text}"));
                }
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    #[test]
    fn the_privacy_checks_count_in_english_and_russian_plurals() {
        let (en, ru) = (catalog(Locale::En), catalog(Locale::Ru));
        let tr = |c: &Catalog, key: &str, args: &[(&str, i64)]| {
            c.tr(key, &args.iter().map(|(k, v)| (*k, Arg::Num(*v))).collect::<Vec<_>>())
        };
        assert!(tr(&en, "privacy-check-audit", &[("events", 1)]).ends_with("(1 event)"));
        assert!(tr(&en, "privacy-check-audit", &[("events", 12)]).ends_with("(12 events)"));
        assert!(
            tr(&en, "privacy-app-mismatch", &[("bad", 1), ("count", 40)]).starts_with("1 of 40 files does not match")
        );
        assert!(tr(&en, "privacy-app-mismatch", &[("bad", 2), ("count", 40)]).starts_with("2 of 40 files do not match"));
        let stanzas = |n| tr(&ru, "privacy-check-stanzas", &[("size", n), ("fewest", n)]);
        assert!(stanzas(1).contains("для 1 получателя "), "{}", stanzas(1));
        assert!(stanzas(21).contains("для 21 получателя "), "{}", stanzas(21));
        assert!(stanzas(3).contains("для 3 получателей "), "{}", stanzas(3));
        assert!(tr(&ru, "privacy-app-mismatch", &[("bad", 1), ("count", 21)]).ends_with("из 21 файла."));
        assert!(tr(&ru, "privacy-app-mismatch", &[("bad", 1), ("count", 40)]).ends_with("из 40 файлов."));
    }
}
