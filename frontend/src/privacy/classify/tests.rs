//! Native tests of the privacy scan's classification: what counts as age ciphertext
//! (and the base64 it may come in), which envelope fields fit their shapes, previews.

use super::*;

fn idb(store: &str) -> Area {
    Area::IndexedDb { db: APP_DB.into(), store: store.into() }
}

fn text(s: &str) -> Leaf {
    Leaf::Text(s.into(), s.chars().count())
}

fn sealed() -> Vec<u8> {
    let r = shared::seal::generate_identity().to_public();
    shared::seal::seal_bytes(b"Aziza Karimova, born 2016", std::iter::once(&r)).unwrap().into_bytes()
}

/// The hand-written decoder this module had before it used the `base64` crate: the
/// behaviour [`base64_decode`] keeps.
fn reference_base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()).take_while(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[test]
fn base64_decodes_as_the_hand_written_decoder_did() {
    for fixed in [
        "",
        "YWdl",
        "YWdlLQ",
        "YWdlLQ==",
        "YWdlLQ=garbage!",
        "YWdlL",
        "YWdlL!",
        "YW dl\nLQ\n",
        "-_+/",
        "YWd=",
        "YR",
        "YR==",
        "====",
        "ab\tc",
        "é",
    ] {
        assert_eq!(base64_decode(fixed), reference_base64_decode(fixed), "{fixed:?}");
    }
    // Every string of up to nine characters over letters, both alphabets' extra
    // characters, padding, whitespace and a stray symbol, drawn at random.
    const CHARS: &[u8] = b"AQgwzZ09+-/_= \n!";
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..50_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 10) as usize;
        let s: String =
            (0..len).map(|i| CHARS[((seed >> (4 * i + 8)) % CHARS.len() as u64) as usize] as char).collect();
        assert_eq!(base64_decode(&s), reference_base64_decode(&s), "{s:?}");
    }
}

#[test]
fn a_binary_preview_shows_its_first_bytes_in_hex() {
    assert_eq!(preview(&Leaf::Bytes(vec![0, 0xab, 7, 0xff, 1], 5)), "00 ab 07 ff… (5 B)");
    assert_eq!(preview(&Leaf::Bytes(b"age-x".to_vec(), 300)), "age-… (300 B)");
}

#[test]
fn age_ciphertext_is_recognised_binary_base64_and_armored_but_not_a_look_alike() {
    let c = sealed();
    assert!(is_age(&Leaf::Bytes(c.clone(), c.len() as u64)));
    let b64 = shared::vault::encode_wrapped(&shared::seal::Ciphertext::check(c.clone(), 1).unwrap().0);
    assert!(is_age(&text(&b64)));
    let mut armored = String::from("-----BEGIN AGE ENCRYPTED FILE-----\n");
    let std64 = b64.replace('-', "+").replace('_', "/");
    for chunk in std64.as_bytes().chunks(64) {
        armored.push_str(std::str::from_utf8(chunk).unwrap());
        armored.push('\n');
    }
    armored.push_str("-----END AGE ENCRYPTED FILE-----\n");
    assert!(is_age(&text(&armored)));
    // The version line followed by plaintext is not a sealed file.
    let fake = b"age-encryption.org/v1\nAziza Karimova lives in Urgut\n".to_vec();
    assert!(!is_age(&Leaf::Bytes(fake.clone(), fake.len() as u64)));
    assert!(!is_age(&text("Aziza Karimova")));
}

#[test]
fn an_outbox_entry_is_ciphertext_and_envelope_fields_only() {
    let c = sealed();
    let id = EntryId::of(&c).to_string();
    let case = CaseId::random().to_string();
    let a = idb(OUTBOX);
    assert_eq!(classify(&a, &id, KEY_FIELD, &text(&id)), Kind::Envelope);
    assert_eq!(classify(&a, &id, "ciphertext", &Leaf::Bytes(c.clone(), c.len() as u64)), Kind::Ciphertext);
    assert_eq!(classify(&a, &id, "envelope.case", &text(&case)), Kind::Envelope);
    assert_eq!(classify(&a, &id, "envelope.size", &Leaf::Num(1234.0)), Kind::Envelope);
    assert_eq!(classify(&a, &id, "envelope.sealed_at", &text("2026-11-23T10:00:00.123Z")), Kind::Envelope);
    assert_eq!(classify(&a, &id, "state", &text("waiting")), Kind::Envelope);
    assert_eq!(classify(&a, &id, "owner", &text("demo-caseworker")), Kind::Envelope);
    assert_eq!(classify(&a, &id, "refusal", &Leaf::Null), Kind::Envelope);
    let msg = ErrorCode::IdMismatch.message();
    assert_eq!(classify(&a, &id, "refusal.message", &text(msg)), Kind::Envelope);
}

#[test]
fn a_name_in_an_allowed_field_or_an_unknown_field_is_else() {
    let a = idb(OUTBOX);
    assert_eq!(classify(&a, "k", "envelope.case", &text("Karimova")), Kind::Else);
    assert_eq!(classify(&a, "k", "owner", &text("Aziza Karimova")), Kind::Else);
    assert_eq!(classify(&a, "k", "envelope.sealed_at", &text("born 2016-03-01")), Kind::Else);
    assert_eq!(classify(&a, "k", "envelope.size", &Leaf::Num(-1.5)), Kind::Else);
    assert_eq!(classify(&a, "k", "family_name", &text("Karimov")), Kind::Else);
    assert_eq!(classify(&a, "k", "refusal.message", &text("Aziza was refused")), Kind::Else);
    // A field that must be sealed is else when it is not.
    assert_eq!(classify(&a, "k", "ciphertext", &Leaf::Bytes(b"plain".to_vec(), 5)), Kind::Else);
    // Keys are checked too.
    assert_eq!(classify(&a, "Aziza", KEY_FIELD, &text("Aziza")), Kind::Else);
}

#[test]
fn settings_are_judged_by_their_key_and_unknown_settings_are_else() {
    let s = idb(SETTINGS);
    assert_eq!(classify(&s, "locale", "", &text("ru")), Kind::Envelope);
    assert_eq!(classify(&s, "idle_lock_minutes", "", &text("5")), Kind::Envelope);
    assert_eq!(classify(&s, "locale", "", &text("Aziza")), Kind::Else);
    assert_eq!(classify(&s, "note", "", &text("ru")), Kind::Else);
    assert_eq!(classify(&s, "locale", KEY_FIELD, &text("locale")), Kind::Envelope);
    assert_eq!(classify(&s, "note", KEY_FIELD, &text("note")), Kind::Else);
    let key = shared::keyring::OrgSigningKey::generate().public().to_string();
    assert_eq!(classify(&s, "org_public_key", "", &text(&key)), Kind::Envelope);
}

#[test]
fn drafts_and_vault_records_pass_and_outside_the_app_database_only_ciphertext_does() {
    let d = idb(DRAFTS);
    let case = CaseId::random();
    assert_eq!(classify(&d, "", KEY_FIELD, &text(&format!("demo-caseworker/intake/{case}"))), Kind::Envelope);
    assert_eq!(classify(&d, "", KEY_FIELD, &text("demo-caseworker/intake/new")), Kind::Envelope);
    assert_eq!(classify(&d, "", KEY_FIELD, &text("demo-caseworker/intake/Aziza")), Kind::Else);
    let v = idb(VAULT);
    let r = shared::seal::generate_identity().to_public().to_string();
    assert_eq!(classify(&v, "a", "recipient", &text(&r)), Kind::Envelope);
    let author = shared::authorship::AuthorKey::generate().public().to_string();
    assert_eq!(classify(&v, "a", "author_key", &text(&author)), Kind::Envelope, "the public half only");
    assert_eq!(classify(&v, "a", "author_key", &text("Aziza Karimova")), Kind::Else);
    assert_eq!(classify(&v, "a", "salt", &text(&shared::vault::Salt::random().encode())), Kind::Envelope);
    assert_eq!(classify(&v, "a", "role", &text("caseworker")), Kind::Envelope);
    for area in [
        Area::LocalStorage,
        Area::SessionStorage,
        Area::Cookie,
        Area::IndexedDb { db: "other".into(), store: OUTBOX.into() },
    ] {
        assert_eq!(classify(&area, "k", "", &text("ru")), Kind::Else, "{area:?}");
        let c = sealed();
        assert_eq!(classify(&area, "k", "", &Leaf::Bytes(c.clone(), c.len() as u64)), Kind::Ciphertext);
    }
}

#[test]
fn every_allowed_line_names_a_store_of_the_app_database_once() {
    for a in ALLOWED {
        assert!([OUTBOX, BLOBS, VAULT, DRAFTS, SETTINGS].contains(&a.store), "{a:?}");
        assert_eq!(ALLOWED.iter().filter(|b| b.store == a.store && b.field == a.field).count(), 1, "{a:?}");
    }
}

#[test]
fn times_are_rfc3339() {
    assert!(is_rfc3339("2026-11-23T10:00:00Z"));
    assert!(is_rfc3339("2026-11-23T10:00:00.5+05:00"));
    assert!(!is_rfc3339("2026-11-23 10:00:00Z"));
    assert!(!is_rfc3339("2026-11-23T10:00:00Z Aziza"));
}

#[test]
fn a_preview_shows_four_characters_and_the_length_never_the_rest() {
    assert_eq!(preview(&text("Aziza Karimova")), "Aziz•••• (14)");
    assert_eq!(preview(&text("ab")), "a• (2)");
    assert!(!preview(&text("Rustam Karimov")).contains("Karimov"));
    assert_eq!(preview(&Leaf::Bytes(vec![0, 1, 2, 3, 4], 5)), "00 01 02 03… (5 B)");
}
