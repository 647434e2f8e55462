//! The passphrase rules of the vault: the length and strength a new passphrase must
//! have, and the small, documented strength estimate the meter shows (no dictionary: a
//! dictionary-based meter such as zxcvbn costs ~800 KB of wasm). The browser runs them
//! before deriving anything; the relay can run the same rule.

use serde::{Deserialize, Serialize};

use super::{MAX_PASSPHRASE, MIN_PASSPHRASE_BITS, MIN_PASSPHRASE_CHARS};
use crate::error::ErrorCode;

/// How strong a passphrase looks, for the meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    TooWeak,
    Fair,
    Good,
    Strong,
}

impl Strength {
    pub fn code(self) -> &'static str {
        match self {
            Strength::TooWeak => "too_weak",
            Strength::Fair => "fair",
            Strength::Good => "good",
            Strength::Strong => "strong",
        }
    }
}

/// A small, deliberately pessimistic entropy estimate, in bits.
///
/// Each character adds log2 of the size of the alphabet classes present (lowercase 26,
/// uppercase 26, digits 10, space 1, other ASCII 33, non-ASCII 100 — so Cyrillic and
/// Uzbek letters count), except a character that repeats the previous one or continues
/// a run (`abc`, `321`), which adds 1 bit, and any character after the first 3
/// occurrences of itself, which adds 1 bit. No dictionary: it overrates
/// `Password1234!`-style choices, which the length rule and the meter's advice
/// ("several unrelated words") counter; it never underrates a long random phrase.
pub fn estimate_bits(passphrase: &str) -> f64 {
    let chars: Vec<char> = passphrase.chars().collect();
    let mut pool = 0u32;
    type CharClass = (fn(char) -> bool, u32);
    let classes: [CharClass; 6] = [
        (|c| c.is_ascii_lowercase(), 26),
        (|c| c.is_ascii_uppercase(), 26),
        (|c| c.is_ascii_digit(), 10),
        (|c| c == ' ', 1),
        (|c| c.is_ascii() && !c.is_ascii_alphanumeric() && c != ' ', 33),
        (|c| !c.is_ascii(), 100),
    ];
    for (test, size) in classes {
        if chars.iter().any(|&c| test(c)) {
            pool += size;
        }
    }
    let per_char = f64::from(pool.max(2)).log2();
    let mut seen = std::collections::HashMap::<char, u32>::new();
    let mut bits = 0.0;
    for (i, &c) in chars.iter().enumerate() {
        let n = seen.entry(c).or_insert(0);
        *n += 1;
        let run = i > 0 && {
            let d = c as i64 - chars[i - 1] as i64;
            (-1..=1).contains(&d)
        };
        bits += if run || *n > 3 { 1.0 } else { per_char };
    }
    bits
}

/// Whether a new passphrase is acceptable, and how strong it looks. `name` is the
/// account name (a passphrase containing it is refused). The relay can run the same
/// rule; the browser runs it before deriving anything.
pub fn check_new_passphrase(passphrase: &str, name: &str) -> Result<Strength, ErrorCode> {
    let bits = estimate_bits(passphrase);
    let lower = passphrase.to_lowercase();
    let too_short = passphrase.chars().count() < MIN_PASSPHRASE_CHARS;
    let has_name = !name.is_empty() && lower.contains(&name.to_lowercase());
    if passphrase.len() > MAX_PASSPHRASE {
        return Err(ErrorCode::PassphraseTooLong);
    }
    if too_short || has_name || bits < MIN_PASSPHRASE_BITS {
        return Err(ErrorCode::PassphraseWeak);
    }
    Ok(strength_of_bits(bits))
}

/// The meter's level for an estimate.
pub fn strength_of_bits(bits: f64) -> Strength {
    match bits {
        b if b < MIN_PASSPHRASE_BITS => Strength::TooWeak,
        b if b < 75.0 => Strength::Fair,
        b if b < 100.0 => Strength::Good,
        _ => Strength::Strong,
    }
}

// ---- API bodies of the vault routes (docs/api.md) ----
