//! Fuzz target: the relay's ingest steps on hostile bytes. [`shared::ingest::ingest`]
//! runs `shared::ingest::run`, the function the relay's `PUT /api/v1/entries/{id}`
//! calls, on a body held in memory (nothing stored, a keyring of `min` recipients).
//!
//! The first input byte chooses how the id and case header are made, so that most
//! inputs reach the age header parser instead of dying at the id check: its low two
//! bits pick the shape (0: the body's own id and a good case; 1: the id taken from the
//! input; 2: the case taken from the input; 3: no case header) and the rest is the
//! least recipient count asked for. Whatever is accepted must really be what the rule
//! promises; a panic, a hang or an accepted bad upload is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::age_header;
use shared::ingest::ingest;
use shared::EntryId;

const CASE: &str = "0123456789abcdef0123456789abcdef";

fn split_str(rest: &[u8], n: usize) -> (String, &[u8]) {
    let n = n.min(rest.len());
    (String::from_utf8_lossy(&rest[..n]).into_owned(), &rest[n..])
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let min = usize::from(mode >> 2) % 8;
    let (id, case, body) = match mode & 3 {
        0 => (EntryId::of(rest).to_string(), Some(CASE.to_owned()), rest),
        1 => {
            let (id, body) = split_str(rest, 64);
            (id, Some(CASE.to_owned()), body)
        }
        2 => {
            let (case, body) = split_str(rest, 32);
            (EntryId::of(body).to_string(), Some(case), body)
        }
        _ => (EntryId::of(rest).to_string(), None, rest),
    };
    if let Ok(accepted) = ingest(&id, case.as_deref(), body.to_vec(), min) {
        // Accepted means: the id is the hash, the case parsed, the bytes are what was
        // sent, the header is age-shaped with enough X25519 recipients and no scrypt.
        assert_eq!(accepted.target.id, EntryId::of(body));
        assert_eq!(accepted.target.id.to_string(), id);
        assert_eq!(accepted.target.case.to_string(), case.expect("a case was given"));
        assert_eq!(accepted.body, body);
        // The relay checked only the first HEADER_WINDOW bytes; the whole file agrees.
        let summary = age_header::inspect(body).expect("an accepted body parses again");
        assert_eq!(summary, accepted.summary);
        assert!(summary.x25519 >= min.max(1) && summary.scrypt == 0);
        assert!(summary.header_len <= age_header::MAX_HEADER_BYTES && summary.header_len < body.len());
    }
});
