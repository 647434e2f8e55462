//! The rules' speed, native: what unit tests once asserted against the wall clock (and
//! could fail on a busy machine), measured here instead and printed with the bar each
//! should meet (`cargo xtask bench` says "missed" when one does not; nothing fails).
//!
//! - validating a full intake with a 12-member household (`forms::check::intake`), as
//!   the form does on every keystroke: under one frame;
//! - loading each locale's catalog, as a language switch does, and formatting every
//!   message in it: a load within one frame;
//! - refusing, from the header alone, a passphrase-protected identity file whose scrypt
//!   work factor (2^21) would take seconds to run, and a record sealed to a passphrase
//!   (the relay's ingest check): neither runs scrypt.
//!
//! Into `target/bench/checks.json`, which `xtask/src/bench.rs` prints as table rows.

use std::io::Write;

use amanat_tests::support::relay::workspace_root;
use shared::i18n::{embedded_ftl, Catalog, Locale};
use shared::record::Date;
use shared::{fixtures, ErrorCode};

use super::median_ms;

/// An age file protected by a passphrase with scrypt work factor 2^`log_n`, made
/// cheaply: sealed at 2^10, then its stanza's work factor rewritten (the header MAC no
/// longer matches, which a refusal from the header must not need to find out).
fn passphrase_protected(plaintext: &[u8], log_n: u8) -> Vec<u8> {
    use age::secrecy::SecretString;
    let mut r = age::scrypt::Recipient::new(SecretString::from("pw".to_owned()));
    r.set_work_factor(10);
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
    let mut sealed = Vec::new();
    let mut w = enc.wrap_output(&mut sealed).unwrap();
    w.write_all(plaintext).unwrap();
    w.finish().unwrap();
    let header_end = shared::age_header::inspect(&sealed).unwrap().header_len;
    let header = String::from_utf8(sealed[..header_end].to_vec()).unwrap();
    let costly = header.replacen(" 10\n", &format!(" {log_n}\n"), 1);
    assert_ne!(costly, header, "the scrypt stanza names its work factor");
    let mut bytes = costly.into_bytes();
    bytes.extend_from_slice(&sealed[header_end..]);
    bytes
}

#[test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
fn native_bench_validates_formats_and_refuses_without_waiting() {
    let today = Date::new(2026, 11, 23).unwrap();
    let intake = fixtures::twelve_member_intake(today);
    assert_eq!(intake.household.len(), 12);
    assert!(shared::forms::check::intake(&intake, today).is_empty(), "the bench's intake is valid");
    let validate_ms = median_ms(101, || {
        assert!(shared::forms::check::intake(&intake, today).is_empty());
    });

    let catalogs: Vec<serde_json::Value> = Locale::ALL
        .iter()
        .map(|&locale| {
            let load_ms = median_ms(21, || {
                Catalog::new(locale, embedded_ftl(locale)).unwrap();
            });
            let catalog = Catalog::embedded(locale);
            let keys = catalog.keys();
            let format_ms = median_ms(21, || {
                for key in &keys {
                    assert!(!catalog.tr(key, &[]).is_empty());
                }
            });
            serde_json::json!({
                "locale": locale.tag(),
                "keys": keys.len(),
                "load_ms": load_ms,
                "format_all_ms": format_ms,
            })
        })
        .collect();

    let identity = passphrase_protected(b"AGE-SECRET-KEY-1", 21);
    let refuse_identity_ms = median_ms(21, || {
        assert_eq!(shared::seal::read_identity_file(&identity).err(), Some(ErrorCode::IdentityTooCostly));
    });
    let record = passphrase_protected(br#"{"family_name":"Yusupova"}"#, 18);
    let refuse_record_ms = median_ms(21, || {
        assert_eq!(shared::ingest::check_age(&record, 1).err(), Some(ErrorCode::ScryptInRecord));
    });

    let figures = serde_json::json!({
        "validate_12_member_intake_ms": validate_ms,
        "catalogs": catalogs,
        "refuse_costly_identity_file_ms": refuse_identity_ms,
        "refuse_passphrase_sealed_record_ms": refuse_record_ms,
    });
    let dir = workspace_root().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("checks.json"), figures.to_string()).unwrap();
    println!("checks figures (ms): {figures}");
}
