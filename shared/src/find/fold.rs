//! Text as the search compares it: lower-cased, Cyrillic letters (Uzbek, Russian,
//! Kazakh) folded to Uzbek Latin ones and the several apostrophes of Uzbek Latin
//! (`oʻ`, `o'`, `o‘`) dropped, so a name typed in either script finds the family.
//! Document numbers are also compared without spaces and dashes ([`compact`]).
//!
//! Comparison only: what is stored and shown keeps the text as typed.

/// Lower-cases, folds Cyrillic to Uzbek Latin letters and drops apostrophes, so text in
/// either script compares equal.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let latin: &str = match c {
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'ё' => "yo",
            'ж' => "j",
            'з' => "z",
            'и' | 'і' => "i",
            'й' => "y",
            'к' => "k",
            'қ' => "q",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' => "n",
            'о' | 'ө' | 'ў' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' => "u",
            'ф' => "f",
            'х' => "x",
            'ҳ' | 'һ' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' | 'щ' => "sh",
            'ы' => "i",
            'ю' => "yu",
            'я' => "ya",
            'ъ' | 'ь' | '\'' | 'ʻ' | 'ʼ' | '‘' | '’' | '`' => "",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(latin);
    }
    out
}

/// A document number as compared: folded, without spaces, dashes, dots and slashes.
pub fn compact(s: &str) -> String {
    fold(s).chars().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '/')).collect()
}
