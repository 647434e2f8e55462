//! The organisation's roster of approved author keys, as a reader uses it: fetched
//! from the relay (`GET /api/v1/roster`), checked against the organisation key this
//! device pins (`keyring_pin::current`), and used to judge each opened entry's author
//! (`shared::authorship::VerifiedRoster::status`). No roster published yet, or no pin
//! to check it with: the empty roster (every signed entry is "author not yet
//! approved"). A roster that does not verify: the empty roster *and* `RosterInvalid`
//! to show. Either way nothing counts that the organisation did not vouch for.

use indexed_db_futures::database::Database;
use shared::authorship::{Roster, VerifiedRoster};
use shared::ErrorCode;

use crate::keyring_pin::{self, Pin};
use crate::problem::Problem;
use crate::relay_client;

/// Checks a served roster against the pinned key. Pure, so it is tested natively.
pub fn check(served: Option<&[u8]>, pin: Option<&Pin>) -> Result<VerifiedRoster, ErrorCode> {
    let Some(bytes) = served else { return Ok(VerifiedRoster::empty()) };
    let Some(pin) = pin else { return Err(ErrorCode::RosterInvalid) };
    Roster::from_json(bytes)?.verify(&pin.key)
}

/// The roster to read with, and the problem to show beside it (if any).
pub async fn load(db: &Database) -> (VerifiedRoster, Option<Problem>) {
    let pin = match keyring_pin::current(db).await {
        Ok(pin) => pin,
        Err(p) => return (VerifiedRoster::empty(), Some(p)),
    };
    match relay_client::roster_bytes().await {
        Ok(served) => match check(served.as_deref(), pin.as_ref()) {
            Ok(r) => (r, None),
            Err(code) => (VerifiedRoster::empty(), Some(code.into())),
        },
        Err(e) => (VerifiedRoster::empty(), Some(e.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::authorship::{ApprovedAuthor, AuthorKey, AuthorStatus, Signer};
    use shared::keyring::OrgSigningKey;

    #[test]
    fn only_a_roster_signed_by_the_pinned_key_approves_anyone() {
        let org = OrgSigningKey::generate();
        let pin = Pin { key: org.public(), source: keyring_pin::PinSource::BuiltIn };
        let dilnoza = AuthorKey::generate();
        let signed = |by: &OrgSigningKey| {
            let a = vec![ApprovedAuthor { name: "dilnoza".into(), key: dilnoza.public().to_string() }];
            Roster::sign(1, "Org", a, by).to_json().into_bytes()
        };
        let hers = Signer::Signed { key: dilnoza.public(), valid: true };
        let good = check(Some(&signed(&org)), Some(&pin)).unwrap();
        assert_eq!(good.status("dilnoza", hers), AuthorStatus::Verified);
        let none_yet = check(None, Some(&pin)).unwrap();
        assert_eq!(none_yet.status("dilnoza", hers), AuthorStatus::Unapproved);
        let relays_own = signed(&OrgSigningKey::generate());
        assert_eq!(check(Some(&relays_own), Some(&pin)).err(), Some(ErrorCode::RosterInvalid));
        assert_eq!(check(Some(&signed(&org)), None).err(), Some(ErrorCode::RosterInvalid), "nothing to check it with");
        assert_eq!(check(Some(b"not json"), Some(&pin)).err(), Some(ErrorCode::RosterInvalid));
    }
}
