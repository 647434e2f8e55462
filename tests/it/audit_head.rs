//! The audit chain's head, kept away from the relay: `amanat audit head` prints the head
//! of the chain the relay lists (to write down or sign), and `amanat verify` names an
//! entry whose row and file were deleted behind the relay's back, which the chain alone
//! would not show.

use amanat_tests::support::relay::{amanat, stdout, Relay};
use reqwest::StatusCode;
use shared::audit_chain::Head;
use shared::{CaseId, EntryId};

#[tokio::test(flavor = "multi_thread")]
async fn audit_head_prints_the_last_listed_events_seq_hash_and_time_one_fact_a_line_and_as_json() {
    let relay = Relay::start().await;
    for text in ["intake", "follow-up"] {
        assert_eq!(relay.put(&CaseId::random(), relay.seal(text.as_bytes())).await.status(), StatusCode::CREATED);
    }
    let out = amanat(&relay.data, &["audit", "head"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);

    let events = relay.state.store().audit_events(0, usize::MAX).await.unwrap();
    let (last, _) = events.last().unwrap();
    let facts: Vec<&str> = text.lines().collect();
    let expected = [
        "amanat audit head".to_owned(),
        format!("seq {}", last.seq),
        format!("hash {}", last.hash),
        format!("at {}", last.at),
        format!("events {}", events.len()),
    ];
    assert_eq!(facts, expected, "{text}");
    assert_eq!(last.action, "entry_stored", "the last event is the last upload");

    let json = amanat(&relay.data, &["audit", "head", "--json"]);
    let head: Head = serde_json::from_slice(&json.stdout).unwrap();
    let want = Head { seq: last.seq, hash: last.hash.clone(), at: Some(last.at.clone()), events: events.len() as u64 };
    assert_eq!(head, want);

    // An event cut from the middle: no head is printed, and the reason names the event.
    sqlx::query("DELETE FROM audit_events WHERE seq = 2").execute(relay.state.store().pool()).await.unwrap();
    let broken = amanat(&relay.data, &["audit", "head"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(stdout(&broken).is_empty(), "a broken chain has no head to write down");
    let why = String::from_utf8_lossy(&broken.stderr);
    assert!(why.contains("breaks at event 3") && why.contains("amanat verify"), "{why}");
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_fails_and_names_an_entry_whose_row_and_file_were_deleted_behind_the_relays_back() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let mut ids = Vec::new();
    for text in ["intake", "consent"] {
        let bytes = relay.seal(text.as_bytes());
        ids.push(EntryId::of(&bytes));
        assert_eq!(relay.put(&case, bytes).await.status(), StatusCode::CREATED);
    }
    assert!(amanat(&relay.data, &["verify"]).status.success());

    // Someone with the relay's disk deletes the row and the file, and writes no event.
    let gone = ids[0].to_string();
    sqlx::query("DELETE FROM entries WHERE id = $1").bind(&gone).execute(relay.state.store().pool()).await.unwrap();
    std::fs::remove_file(relay.data.join("blobs").join(&gone[..2]).join(&gone)).unwrap();

    let out = amanat(&relay.data, &["verify"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains(&format!("FAIL {gone}: the audit log records it stored")), "{report}");
    assert!(report.contains("1 entries checked: 1 passed, 1 failed"), "{report}");
    assert!(!report.contains(&format!("FAIL {}", ids[1])), "{report}");
    assert!(amanat(&relay.data, &["audit", "head"]).status.success(), "the chain itself still verifies");
    relay.stop().await;
}
