//! The relay's bulk read (`POST /api/v1/entries/read`), over real HTTP, in the style of
//! `relay_contract.rs`: the frames come back in the order asked and byte for byte, with
//! the same access as single reads (a caseworker's view of another's entry and an
//! unknown id are "missing" frames; a privacy officer gets 403), every entry sent is
//! audited once like a single read, and oversized or empty asks are refused.

use amanat_tests::support::relay::Relay;
use reqwest::StatusCode;
use shared::api::{frames, ApiError, ReadMany, Role, READ_MANY_MAX};
use shared::{CaseId, EntryId, ErrorCode};

async fn read_many(relay: &Relay, token: &str, ids: &[EntryId]) -> reqwest::Response {
    relay
        .http
        .post(relay.url("/api/v1/entries/read"))
        .bearer_auth(token)
        .json(&ReadMany { ids: ids.to_vec() })
        .send()
        .await
        .expect("the relay answers")
}

async fn entry_reads(relay: &Relay) -> Vec<(String, String, Option<u64>)> {
    relay
        .state
        .store()
        .audit_events(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|(e, _)| e.action == "entry_read")
        .map(|(e, _)| (e.actor, e.subject, e.size))
        .collect()
}

#[tokio::test]
async fn an_adviser_gets_every_asked_entry_in_order_byte_for_byte_and_each_read_is_audited() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let mut stored = Vec::new();
    for i in 0..5 {
        // Sizes across the 64 KiB piece boundary of the stream.
        let bytes = relay.seal(&vec![b'a' + i as u8; 30_000 * i + 10]);
        assert_eq!(relay.put(&case, bytes.clone()).await.status(), StatusCode::CREATED);
        stored.push(bytes);
    }
    let unknown = EntryId::of(b"never uploaded");
    // Asked out of upload order, with an unknown id in the middle (a repeat is refused:
    // `hostile_clients`).
    let ids = [EntryId::of(&stored[3]), EntryId::of(&stored[0]), unknown, EntryId::of(&stored[4])];
    let res = read_many(&relay, &relay.adviser_token, &ids).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.bytes().await.unwrap();
    let got = frames::parse(&body).unwrap();
    assert_eq!(got.iter().map(|f| f.id).collect::<Vec<_>>(), ids);
    assert_eq!(got[0].bytes, Some(&stored[3][..]));
    assert_eq!(got[1].bytes, Some(&stored[0][..]));
    assert_eq!(got[2].bytes, None, "an unknown id is a missing frame");
    assert_eq!(got[3].bytes, Some(&stored[4][..]));
    let opened =
        shared::seal::open_bytes(got[3].bytes.unwrap(), std::slice::from_ref(&relay.adviser_identity)).unwrap();
    assert_eq!(opened, vec![b'e'; 120_010]);

    // One `entry_read` per entry sent, as single reads record them; none for the unknown id.
    let reads = entry_reads(&relay).await;
    let expected: Vec<_> = [3, 0, 4]
        .iter()
        .map(|&i| ("demo-adviser".to_owned(), EntryId::of(&stored[i]).to_string(), Some(stored[i].len() as u64)))
        .collect();
    assert_eq!(reads, expected);
    let report = backend::verify::verify(relay.state.store()).await.unwrap();
    assert!(report.ok(), "the store and its audit chain stay intact: {:?}", report.failures);
}

#[tokio::test]
async fn a_caseworker_reads_in_bulk_only_their_own_entries_and_a_privacy_officer_none() {
    let relay = Relay::start().await;
    let other = relay.add_user("other-caseworker", Role::Caseworker).await;
    let officer = relay.add_user("officer", Role::PrivacyOfficer).await;
    let mine = relay.seal(b"mine");
    assert_eq!(relay.put(&CaseId::random(), mine.clone()).await.status(), StatusCode::CREATED);
    let theirs = relay.seal(b"theirs");
    let theirs_id = EntryId::of(&theirs);
    let put = relay.put_as(&other, &theirs_id.to_string(), &CaseId::random().to_string(), theirs).await;
    assert_eq!(put.status(), StatusCode::CREATED);

    let body =
        read_many(&relay, &relay.caseworker_token, &[EntryId::of(&mine), theirs_id]).await.bytes().await.unwrap();
    let got = frames::parse(&body).unwrap();
    assert_eq!(got[0].bytes, Some(&mine[..]));
    assert_eq!(got[1].bytes, None, "another caseworker's entry is answered as if it did not exist");
    assert!(entry_reads(&relay).await.iter().all(|(_, subject, _)| *subject != theirs_id.to_string()));

    let res = read_many(&relay, &officer, &[theirs_id]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::Forbidden);
    let res = relay
        .http
        .post(relay.url("/api/v1/entries/read"))
        .json(&ReadMany { ids: vec![theirs_id] })
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_empty_or_oversized_or_malformed_bulk_read_is_refused_with_a_json_error() {
    let relay = Relay::start().await;
    let too_many: Vec<EntryId> = (0..=READ_MANY_MAX as u32).map(|i| EntryId::of(&i.to_be_bytes())).collect();
    for ids in [vec![], too_many] {
        let res = read_many(&relay, &relay.adviser_token, &ids).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::BadRequest);
    }
    for body in [r#"{"ids":["not-an-id"]}"#, r#"{"ids":[],"more":1}"#, "ids"] {
        let res = relay
            .http
            .post(relay.url("/api/v1/entries/read"))
            .bearer_auth(&relay.adviser_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{body}: {}", res.status());
        assert_eq!(res.headers()["content-type"], "application/json", "{body}");
    }
    assert!(entry_reads(&relay).await.is_empty());
}
