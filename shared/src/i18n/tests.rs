//! The catalogs are complete and consistent: every locale has exactly the same keys,
//! the same variables in each message, a label for every code, problem, error code and
//! field, and every message formats without an error.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;
use crate::forms::codes::option_lists;

fn catalog(locale: Locale) -> Catalog {
    Catalog::new(locale, embedded_ftl(locale)).unwrap_or_else(|e| panic!("{locale}: {e}"))
}

fn inline_vars<'a>(e: &InlineExpression<&'a str>, out: &mut BTreeSet<&'a str>) {
    match e {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name);
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, out);
            }
            for a in &arguments.named {
                inline_vars(&a.value, out);
            }
        }
        InlineExpression::Placeable { expression } => expr_vars(expression, out),
        _ => {}
    }
}

fn expr_vars<'a>(e: &Expression<&'a str>, out: &mut BTreeSet<&'a str>) {
    match e {
        Expression::Inline(i) => inline_vars(i, out),
        Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                pattern_vars(&v.value, out);
            }
        }
    }
}

fn pattern_vars<'a>(p: &Pattern<&'a str>, out: &mut BTreeSet<&'a str>) {
    for el in &p.elements {
        if let PatternElement::Placeable { expression } = el {
            expr_vars(expression, out);
        }
    }
}

/// Every entry (messages, and terms as `-name`) with the variables it uses.
fn entries(locale: Locale) -> BTreeMap<String, BTreeSet<&'static str>> {
    let text = embedded_ftl(locale);
    let res = fluent_syntax::parser::parse(text).unwrap_or_else(|(_, e)| panic!("{locale}: {e:?}"));
    let mut out = BTreeMap::new();
    for entry in res.body {
        let (id, pattern, attrs) = match &entry {
            Entry::Message(m) => (m.id.name.to_owned(), m.value.as_ref(), &m.attributes),
            Entry::Term(t) => (format!("-{}", t.id.name), Some(&t.value), &t.attributes),
            _ => continue,
        };
        assert!(attrs.is_empty(), "{locale}: {id} has attributes; use separate keys");
        let mut vars = BTreeSet::new();
        if let Some(p) = pattern {
            pattern_vars(p, &mut vars);
        }
        assert!(out.insert(id.clone(), vars).is_none(), "{locale}: {id} defined twice");
    }
    out
}

/// Every catalog a language switch loads parses, whole. How fast (within a frame) is a
/// benchmark row, not an assert here: `cargo xtask bench` (`tests/bench/checks.rs`).
#[test]
fn every_catalog_loads() {
    for &l in Locale::ALL {
        let c = catalog(l);
        assert!(c.keys().len() > 300, "{l}: only {} keys", c.keys().len());
    }
}

#[test]
fn every_locale_has_exactly_the_same_keys() {
    let all: Vec<_> = Locale::ALL.iter().map(|&l| (l, entries(l))).collect();
    let union: BTreeSet<&String> = all.iter().flat_map(|(_, e)| e.keys()).collect();
    let mut report = Vec::new();
    for (l, e) in &all {
        for k in &union {
            if !e.contains_key(*k) {
                let has: Vec<_> = all.iter().filter(|(_, o)| o.contains_key(*k)).map(|(o, _)| o.tag()).collect();
                report.push(format!("{l} lacks {k} (in {})", has.join(", ")));
            }
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn every_message_uses_the_same_variables_in_every_locale() {
    let en = entries(Locale::En);
    let mut report = Vec::new();
    for &l in &Locale::ALL[..4] {
        for (k, vars) in entries(l) {
            if let Some(en_vars) = en.get(&k) {
                if *en_vars != vars {
                    report.push(format!("{k}: {l} uses {vars:?}, en uses {en_vars:?}"));
                }
            }
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn every_option_problem_error_and_field_has_a_label() {
    let c = catalog(Locale::En);
    let mut missing = Vec::new();
    let mut need = |key: String| {
        if !c.has(&key) {
            missing.push(key);
        }
    };
    for list in option_lists() {
        list.label_keys().for_each(&mut need);
    }
    for p in FieldProblem::ALL {
        need(format!("problem-{}", p.code()));
    }
    for e in ErrorCode::ALL {
        need(format!("error-{}", e.code()));
    }
    for path in crate::forms::check::every_field_path() {
        need(crate::forms::check::field_label_key(&path));
    }
    for p in crate::forms::consent::Permission::all() {
        need(p.label_key());
    }
    for key in [
        crate::forms::consent::RIGHTS_TEXT_KEY,
        "consent-refusal-not_asked",
        "consent-refusal-refused",
        "consent-refusal-withdrawn",
        "consent-refusal-expired",
    ] {
        need(key.to_owned());
    }
    assert!(missing.is_empty(), "missing in en: {missing:#?}");
}

#[test]
fn every_message_formats_without_errors_in_every_locale() {
    for &l in Locale::ALL {
        let c = catalog(l);
        for (key, vars) in entries(l) {
            if key.starts_with('-') {
                continue;
            }
            let pattern =
                c.bundle.get_message(&key).and_then(|m| m.value()).unwrap_or_else(|| panic!("{l}: {key} has no value"));
            for n in [0i64, 1, 2, 5, 21] {
                let mut args = FluentArgs::new();
                for v in &vars {
                    if *v == "count" {
                        args.set(*v, FluentValue::from(n));
                    } else {
                        args.set(*v, FluentValue::from("X"));
                    }
                }
                let mut errors = Vec::new();
                let out = c.bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{l}: {key}: {errors:?}");
                assert!(!out.trim().is_empty(), "{l}: {key} is empty");
            }
        }
    }
}

#[test]
fn russian_and_english_plurals_follow_their_rules() {
    let ru = catalog(Locale::Ru);
    let n = |c: &Catalog, k: i64| c.tr("household-members_count", &[("count", Arg::Num(k))]);
    assert_eq!(n(&ru, 1), "1 член семьи");
    assert_eq!(n(&ru, 3), "3 члена семьи");
    assert_eq!(n(&ru, 5), "5 членов семьи");
    assert_eq!(n(&ru, 21), "21 член семьи");
    let en = catalog(Locale::En);
    assert_eq!(n(&en, 1), "1 household member");
    assert_eq!(n(&en, 12), "12 household members");
}

#[test]
fn a_record_filled_in_one_language_reads_in_every_other() {
    use crate::forms::intake::Service;
    let labels: Vec<String> = Locale::ALL.iter().map(|&l| catalog(l).label(Service::SpeechTherapy)).collect();
    assert_eq!(labels[4], "Speech therapy and defectology");
    let distinct: BTreeSet<_> = labels.iter().collect();
    assert_eq!(distinct.len(), 5, "each language has its own label: {labels:?}");
    let kk = catalog(Locale::Kk).options::<crate::forms::address::District>();
    let temirtau = kk.iter().find(|(d, _)| *d == crate::forms::address::District::KarTemirtauCity).unwrap();
    assert_eq!(temirtau.1, "Теміртау қаласы");
}

#[test]
fn errors_read_as_field_and_sentence_and_refusals_name_the_date() {
    use crate::forms::consent::{Permission, Refusal, RefusalReason, SharingParty};
    let ru = catalog(Locale::Ru);
    let e = FieldError { field: "household[2].document.personal_number".into(), problem: FieldProblem::IinChecksum };
    let s = ru.field_error(&e);
    assert!(s.starts_with("ИИН") || s.contains("ИИН"), "{s}");
    let r = Refusal {
        permission: Permission::Sharing(SharingParty::School),
        missing: Permission::Sharing(SharingParty::School),
        reason: RefusalReason::Withdrawn,
        since: Date::new(2026, 6, 1),
    };
    let uz = catalog(Locale::UzLatn);
    assert!(uz.refusal(&r).contains("01.06.2026"), "{}", uz.refusal(&r));
    assert_eq!(uz.tr("no-such-key", &[]), "no-such-key");
}

#[test]
fn a_broken_or_oversized_catalog_is_refused() {
    assert!(matches!(Catalog::new(Locale::En, "a = \n b = { $"), Err(CatalogError::Syntax(_))));
    assert!(matches!(Catalog::new(Locale::En, "a = 1\na = 2\n"), Err(CatalogError::Duplicate(_))));
    assert_eq!(Catalog::new(Locale::En, &"#".repeat(MAX_CATALOG_BYTES + 1)).unwrap_err(), CatalogError::TooLarge);
    assert_eq!(Locale::from_tag("UZ-cyrl"), Some(Locale::UzCyrl));
    assert_eq!(Locale::from_tag("de"), None);
}

// The app's own strings (`{page}-{name}`) are checked where they are used: the
// frontend's native test reads every key its sources name and looks it up in all five
// catalogs (frontend/src/i18n.rs, `every_key_the_app_names_is_in_every_catalog`).

#[test]
fn no_word_mixes_latin_and_cyrillic_letters() {
    // A Cyrillic "о" inside a Latin word looks right and breaks search and sorting.
    let cyr = |c: char| ('\u{400}'..='\u{4ff}').contains(&c);
    for &l in Locale::ALL {
        for line in embedded_ftl(l).lines().filter(|l| !l.starts_with('#')) {
            let value = line.split_once(" = ").map_or(line, |(_, v)| v);
            for word in value.split(|c: char| !c.is_alphabetic()) {
                let has_latin = word.chars().any(|c| c.is_ascii_alphabetic());
                assert!(!(has_latin && word.chars().any(cyr)), "{l}: mixed-script word {word:?} in {line:?}");
            }
            if matches!(l, Locale::UzLatn | Locale::En) {
                assert!(!value.chars().any(cyr), "{l}: Cyrillic in {line:?}");
            }
        }
    }
}

#[test]
fn the_english_catalog_says_what_the_codes_say() {
    // `ErrorCode::message` and `FieldProblem::message` stay for callers without a
    // catalog (the relay's JSON errors); they must not drift from the catalog.
    let en = catalog(Locale::En);
    for &e in ErrorCode::ALL {
        assert_eq!(en.error(e), e.message(), "error-{}", e.code());
    }
    for &p in FieldProblem::ALL {
        assert_eq!(en.problem(p), p.message(), "problem-{}", p.code());
    }
}

/// Uzbek in Latin script writes oʻ and gʻ with the modifier letter turned comma (U+02BB)
/// and the tutuq belgisi with the modifier apostrophe (U+02BC), as the 1995 alphabet
/// does: an ASCII apostrophe, a backtick or a typographic quote between letters is a
/// typing slip that breaks search and screen readers (they read it as punctuation).
#[test]
fn uzbek_latin_writes_its_apostrophe_letters_with_the_modifier_characters() {
    let text = embedded_ftl(Locale::UzLatn);
    let mut report = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with('#')) {
        let chars: Vec<char> = line.chars().collect();
        for w in chars.windows(3) {
            let slip = matches!(w[1], '\'' | '`' | '\u{2018}' | '\u{2019}');
            if slip && w[0].is_alphabetic() && w[2].is_alphabetic() {
                report.push(format!("line {}: {}{}{}", n + 1, w[0], w[1], w[2]));
            }
            if w[1] == '\u{02BC}' && matches!(w[0], 'o' | 'O' | 'g' | 'G') && w[2].is_alphabetic() {
                report.push(format!("line {}: {}ʼ{} should be ʻ (U+02BB)", n + 1, w[0], w[2]));
            }
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// Messages a locale writes exactly as English does, on purpose: the app's name in
/// every language, and in Uzbek the unit `KB` and *mahalla*, the Uzbek word English
/// borrowed. Anything else equal to the English text is an untranslated label.
const SAME_AS_ENGLISH: &[(&str, &str)] = &[
    ("*", "app-name"),
    ("uz-Latn", "record-kb"),
    ("uz-Latn", "referral_source-mahalla"),
    ("uz-Latn", "party-mahalla"),
];

/// Each message's text as written (its pattern, compared as the parsed syntax).
fn patterns(locale: Locale) -> BTreeMap<String, String> {
    let res = fluent_syntax::parser::parse(embedded_ftl(locale)).unwrap_or_else(|(_, e)| panic!("{locale}: {e:?}"));
    res.body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => m.value.as_ref().map(|p| (m.id.name.to_owned(), format!("{p:?}"))),
            _ => None,
        })
        .collect()
}

#[test]
fn every_label_is_translated_unless_it_is_a_listed_loanword() {
    let english = patterns(Locale::En);
    let mut untranslated = Vec::new();
    for &l in Locale::ALL.iter().filter(|&&l| l != Locale::En) {
        for (key, text) in patterns(l) {
            let listed = SAME_AS_ENGLISH.iter().any(|(loc, k)| (*loc == "*" || *loc == l.tag()) && *k == key);
            if english.get(&key) == Some(&text) && !listed {
                untranslated.push(format!("{l}: {key}"));
            }
        }
    }
    assert!(
        untranslated.is_empty(),
        "the same as English (translate, or list as a loanword):\n{}",
        untranslated.join("\n")
    );
    // The list stays true: each listed message is still written as in English.
    for (loc, key) in SAME_AS_ENGLISH {
        let locales: Vec<Locale> =
            if *loc == "*" { Locale::ALL.to_vec() } else { vec![Locale::from_tag(loc).unwrap()] };
        for l in locales {
            assert_eq!(patterns(l).get(*key), english.get(*key), "{l}: {key} is listed as a loanword but now differs");
        }
    }
}
