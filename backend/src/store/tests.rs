//! Unit tests of the store: group commit, audited writes that run whole although their
//! request is dropped, the write lock, and listings.

use std::sync::Arc;
use std::time::Duration;

use shared::api::{EntryMeta, Role};
use shared::{CaseId, EntryId};
use sqlx::Executor;

use super::*;
use crate::audit::{self, AuditAction, NewEvent};

fn meta(bytes: &[u8], case: CaseId, author: &str) -> EntryMeta {
    shared::fixtures::entry_meta(bytes, case, author, now_rfc3339())
}

/// `text` sealed to a stranger and stored whole (blob, then row) in `case` by `author`,
/// as an upload would leave it; the other stores' tests (supersessions, the CLI) share it.
pub(crate) async fn stored(store: &Store, case: CaseId, author: &str, text: &[u8]) -> EntryId {
    let bytes = shared::fixtures::sealed_to_a_stranger(text);
    let meta = meta(&bytes, case, author);
    store.blobs().put(&meta.id, &bytes).unwrap();
    assert!(store.insert_entry(&meta).await.unwrap());
    meta.id
}

/// As [`stored`], declaring keyring version `version` (`None`: declaring none).
pub(crate) async fn stored_at(store: &Store, case: CaseId, author: &str, text: &[u8], version: Option<u64>) -> EntryId {
    let bytes = shared::fixtures::sealed_to_a_stranger(text);
    let meta = EntryMeta { keyring_version: version, ..meta(&bytes, case, author) };
    store.blobs().put(&meta.id, &bytes).unwrap();
    assert!(store.insert_entry(&meta).await.unwrap());
    meta.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_of_the_same_bytes_are_one_entry_and_one_audit_event() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Caseworker).await.unwrap();
    let case = CaseId::random();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (store, m) = (store.clone(), meta(format!("{}", i % 10).as_bytes(), case, "a"));
            tokio::spawn(async move { store.insert_entry(&m).await.unwrap() })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        created += usize::from(t.await.unwrap());
    }
    assert_eq!(created, 10, "each of the 10 distinct entries is created exactly once");
    let events = store.audit_events(0, 100).await.unwrap();
    assert_eq!(events.len(), 10);
    assert_eq!(audit::check_chain(&events), Ok(()));
}

/// Polls `fut` at most `polls` times, pausing `pause` between polls so the
/// database's worker thread gets ahead, then drops it unfinished (as hyper drops a
/// handler whose client hung up), unless it finished before.
async fn poll_then_drop<F: std::future::Future>(fut: F, polls: usize, pause: Duration) {
    use std::task::Poll;
    let mut fut = std::pin::pin!(fut);
    for _ in 0..polls {
        if std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await {
            return;
        }
        std::thread::sleep(pause);
        tokio::task::yield_now().await;
    }
}

/// Only a guard against a test that hangs: long enough never to fire on a busy machine.
/// What these tests check never depends on how fast anything runs.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// No pooled connection was left inside a transaction or holding the write lock (it
/// would answer the next `BEGIN IMMEDIATE` with an error, or make other writes wait out
/// the busy timeout and fail): every connection of the pool, held at once, takes the
/// write lock without waiting (`busy_timeout = 0` turns any wait into an error). Then
/// audited and plain writes go through.
async fn assert_every_connection_writes(store: &Store) {
    let mut conns = Vec::new();
    for _ in 0..SQLITE_CONNECTIONS {
        let conn = tokio::time::timeout(HANG_GUARD, store.pool().acquire()).await.expect("every connection returns");
        conns.push(conn.unwrap());
    }
    // First one statement on each: a rollback queued by a dropped transaction runs
    // before it, so none is still pending when the write lock is tried below.
    for conn in &mut conns {
        conn.execute("SELECT 1").await.unwrap();
    }
    for conn in &mut conns {
        conn.execute("PRAGMA busy_timeout = 0").await.unwrap();
        conn.execute("BEGIN IMMEDIATE").await.expect("no connection is inside a transaction or holds the write lock");
        conn.execute("ROLLBACK; PRAGMA busy_timeout = 10000").await.unwrap();
    }
    drop(conns);
    let event = NewEvent { actor: "a", action: AuditAction::SignedIn, subject: "a", size: None };
    for _ in 0..32 {
        tokio::time::timeout(HANG_GUARD, store.audit(&event)).await.expect("no write lock left held").unwrap();
        let session = store.add_session(&[7; 32], "a", now_unix() + 60);
        tokio::time::timeout(HANG_GUARD, session).await.expect("no write lock left held").unwrap();
        store.delete_session(&[7; 32]).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_transaction_dropped_while_it_begins_leaves_no_connection_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Adviser).await.unwrap();
    for i in 0..300 {
        let pause = Duration::from_micros(25 * (i % 9) as u64);
        poll_then_drop(async { drop(store.begin_write().await) }, 1 + i % 4, pause).await;
    }
    assert_every_connection_writes(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_event_whose_request_is_dropped_midway_is_still_recorded_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Adviser).await.unwrap();
    let event = NewEvent { actor: "a", action: AuditAction::SignedOut, subject: "a", size: None };
    for i in 0..100 {
        poll_then_drop(store.audit(&event), 1 + i % 3, Duration::from_micros(25 * (i % 9) as u64)).await;
    }
    // Each was handed to its own task at its first poll: waiting for those tasks is
    // waiting for every event.
    tokio::time::timeout(HANG_GUARD, store.detached_writes_done()).await.expect("the dropped writes end");
    assert_eq!(store.audit_events(0, 1000).await.unwrap().len(), 100, "an event whose request was dropped is missing");
    assert_every_connection_writes(&store).await;
    let events = store.audit_events(0, 1000).await.unwrap();
    assert_eq!(events.len(), 132);
    assert_eq!(audit::check_chain(&events), Ok(()));
}

/// How many events of `action` the chain holds (after checking the chain).
async fn events_of(store: &Store, action: AuditAction) -> usize {
    let events = store.audit_events(0, 100_000).await.unwrap();
    assert_eq!(audit::check_chain(&events), Ok(()));
    events.iter().filter(|(e, _)| e.action == action.code()).count()
}

fn session(i: u8, user: &str) -> NewSession {
    let now = now_unix();
    NewSession { id_sha256: [i; 32], user: user.into(), expires_at: now + 600, ends_at: Some(now + 900) }
}

fn cut(i: usize) -> (usize, Duration) {
    (1 + i % 4, Duration::from_micros(25 * (i % 9) as u64))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_and_sign_outs_whose_requests_are_dropped_midway_are_each_recorded_with_their_event() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Adviser).await.unwrap();
    for i in 0..60u8 {
        let (polls, pause) = cut(i.into());
        poll_then_drop(store.sign_in(&session(i, "a")), polls, pause).await;
    }
    store.detached_writes_done().await;
    for i in 0..60u8 {
        assert!(store.session(&[i; 32]).await.unwrap().is_some(), "session {i} was started");
    }
    assert_eq!(events_of(&store, AuditAction::SignedIn).await, 60);
    for i in 0..60u8 {
        let (polls, pause) = cut(i.into());
        poll_then_drop(store.sign_out(&[i; 32]), polls, pause).await;
    }
    store.detached_writes_done().await;
    for i in 0..60u8 {
        assert!(store.session(&[i; 32]).await.unwrap().is_none(), "session {i} was ended");
    }
    assert_eq!(events_of(&store, AuditAction::SignedOut).await, 60, "every ended session has its event");
    assert_eq!(store.sign_out(&[0; 32]).await.unwrap(), None, "an ended session is not ended (or recorded) twice");
    assert_every_connection_writes(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolments_and_passphrase_changes_whose_requests_are_dropped_midway_are_each_recorded_with_their_event() {
    use super::NewCredentials;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Adviser).await.unwrap();
    let creds =
        NewCredentials { salt: "s1", auth_hash: "h1", wrapped_identity: "w1", recipient: "r", author_key: None };
    for i in 0..40u8 {
        let name = format!("cw{i}");
        store.add_user(&name, Role::Caseworker).await.unwrap();
        store.add_enrolment(&format!("token{i}"), &name, now_unix() + 600).await.unwrap();
    }
    for i in 0..40u8 {
        let (polls, pause) = cut(i.into());
        poll_then_drop(store.redeem_enrolment(&EnrolmentKey::Link(format!("token{i}")), &format!("cw{i}"), &creds), polls, pause).await;
    }
    store.detached_writes_done().await;
    for i in 0..40u8 {
        let account = store.vault_account(&format!("cw{i}")).await.unwrap().expect("enrolled");
        assert_eq!(account.salt, "s1");
        assert_eq!(store.enrolment_account(&EnrolmentKey::Link(format!("token{i}"))).await.unwrap(), None, "the link was used up");
        store.sign_in(&session(i, &format!("cw{i}"))).await.unwrap();
    }
    assert_eq!(events_of(&store, AuditAction::Enrolled).await, 40);
    for i in 0..40u8 {
        let (polls, pause) = cut(i.into());
        poll_then_drop(store.change_passphrase(&format!("cw{i}"), "s2", "h2", "w2"), polls, pause).await;
    }
    store.detached_writes_done().await;
    for i in 0..40u8 {
        let account = store.vault_account(&format!("cw{i}")).await.unwrap().unwrap();
        let stored = (account.salt.as_str(), account.auth_hash.as_str(), account.wrapped_identity.as_str());
        assert_eq!(stored, ("s2", "h2", "w2"));
        assert!(store.session(&[i; 32]).await.unwrap().is_none(), "the change ended the earlier session");
    }
    assert_eq!(events_of(&store, AuditAction::PassphraseChanged).await, 40);
    assert_every_connection_writes(&store).await;
}

#[tokio::test]
async fn an_account_change_whose_audit_event_cannot_be_written_is_not_made() {
    use super::NewCredentials;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Adviser).await.unwrap();
    store.add_user("cw", Role::Caseworker).await.unwrap();
    store.add_enrolment("t1", "cw", now_unix() + 600).await.unwrap();
    let creds =
        NewCredentials { salt: "s1", auth_hash: "h1", wrapped_identity: "w1", recipient: "r", author_key: None };
    store.redeem_enrolment(&EnrolmentKey::Link("t1".into()), "cw", &creds).await.unwrap().expect("enrolled");
    store.sign_in(&session(1, "cw")).await.unwrap();
    store.add_enrolment("t2", "cw", now_unix() + 600).await.unwrap();
    let before = store.audit_events(0, 100).await.unwrap().len();
    let refuse = "CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'refused'); END";
    sqlx::query(refuse).execute(store.pool()).await.unwrap();

    assert!(store.sign_in(&session(2, "cw")).await.is_err());
    assert!(store.session(&[2; 32]).await.unwrap().is_none(), "no session without its signed_in event");
    assert!(store.sign_out(&[1; 32]).await.is_err());
    assert!(store.session(&[1; 32]).await.unwrap().is_some(), "not ended without its signed_out event");
    assert!(store.change_passphrase("cw", "s2", "h2", "w2").await.is_err());
    assert_eq!(store.vault_account("cw").await.unwrap().unwrap().salt, "s1", "not changed without its event");
    assert!(store.session(&[1; 32]).await.unwrap().is_some(), "nor the account's sessions ended");
    let again = NewCredentials { salt: "s3", ..creds };
    assert!(store.redeem_enrolment(&EnrolmentKey::Link("t2".into()), "cw", &again).await.is_err());
    assert_eq!(store.vault_account("cw").await.unwrap().unwrap().salt, "s1", "not enrolled without its event");
    assert_eq!(store.enrolment_account(&EnrolmentKey::Link("t2".into())).await.unwrap().as_deref(), Some("cw"), "the link still works");

    sqlx::query("DROP TRIGGER no_audit").execute(store.pool()).await.unwrap();
    assert_eq!(store.audit_events(0, 100).await.unwrap().len(), before);
    assert_every_connection_writes(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_store_waits_for_writes_whose_requests_were_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Adviser).await.unwrap();
    // Each dropped at its first poll: queued on the write lock when the store closes.
    for i in 0..40u8 {
        poll_then_drop(store.sign_in(&session(i, "a")), 1, Duration::ZERO).await;
    }
    store.close().await;
    let store = Store::open(dir.path()).await.unwrap();
    for i in 0..40u8 {
        assert!(store.session(&[i; 32]).await.unwrap().is_some(), "session {i} was lost at close");
    }
    assert_eq!(events_of(&store, AuditAction::SignedIn).await, 40);
}

/// A `MakeWriter` into a shared buffer, to read what was logged.
#[derive(Clone, Default)]
struct Logged(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logged {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn a_write_that_fails_after_its_request_was_dropped_is_logged_once_and_without_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("someone", Role::Adviser).await.unwrap();
    let refuse = "CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'refused'); END";
    sqlx::query(refuse).execute(store.pool()).await.unwrap();
    let log = Logged::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let _default = tracing::subscriber::set_default(subscriber);

    // Its caller still waiting: the error is the caller's to log (a handler does).
    assert!(store.sign_in(&session(1, "someone")).await.is_err());
    assert_eq!(log.text(), "");
    // Its caller gone (this test runs on one thread: the task logs to this subscriber).
    // Polled once and dropped at once, with no yield in between: a yield would let the
    // write finish while its caller still exists, and then nobody is gone to log for.
    {
        let second = session(2, "someone");
        let mut fut = std::pin::pin!(store.sign_in(&second));
        let first =
            std::future::poll_fn(|cx| std::task::Poll::Ready(std::future::Future::poll(fut.as_mut(), cx).is_ready()))
                .await;
        assert!(!first, "a write to SQLite does not finish in its first poll");
    }
    store.detached_writes_done().await;
    let text = log.text();
    assert_eq!(text.matches("a write whose request was dropped failed").count(), 1, "{text}");
    assert!(text.contains("ERROR") && text.contains("starting a session") && text.contains("refused"), "{text}");
    assert!(!text.contains("someone") && !text.contains(&hex::encode([2u8; 32])), "no account or session id: {text}");
    assert!(store.session(&[2; 32]).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolment_queues_for_the_write_lock_in_tokio_without_holding_sqlites() {
    use super::NewCredentials;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("cw", Role::Caseworker).await.unwrap();
    store.add_enrolment("t1", "cw", now_unix() + 600).await.unwrap();
    let held = store.writes.lock.clone().lock_owned().await;
    let redeem = tokio::spawn({
        let store = store.clone();
        async move {
            let creds =
                NewCredentials { salt: "s", auth_hash: "h", wrapped_identity: "w", recipient: "r", author_key: None };
            store.redeem_enrolment(&EnrolmentKey::Link("t1".into()), "cw", &creds).await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!redeem.is_finished(), "it waits for the chain's writers");
    // Meanwhile SQLite's write lock is free: another connection takes it at once.
    let mut conn = store.pool().acquire().await.unwrap();
    conn.execute("PRAGMA busy_timeout = 0").await.unwrap();
    conn.execute("BEGIN IMMEDIATE").await.expect("the enrolment does not hold SQLite's write lock while it waits");
    conn.execute("ROLLBACK; PRAGMA busy_timeout = 10000").await.unwrap();
    drop(conn);
    drop(held);
    assert_eq!(redeem.await.unwrap().unwrap().map(|u| u.name).as_deref(), Some("cw"));
    assert_eq!(events_of(&store, AuditAction::Enrolled).await, 1);
}

#[tokio::test]
async fn a_new_store_has_its_blob_directory_before_the_first_upload() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    assert!(dir.path().join("blobs").is_dir(), "made (and its parent fsynced) at open");
    store.close().await;
}

#[tokio::test]
async fn entries_list_in_upload_order_filtered_by_case_and_author() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Caseworker).await.unwrap();
    store.add_user("b", Role::Caseworker).await.unwrap();
    assert!(matches!(store.add_user("a", Role::Admin).await, Err(StoreError::UserExists(_))));
    let (c1, c2) = (CaseId::random(), CaseId::random());
    assert!(store.insert_entry(&meta(b"1", c1, "a")).await.unwrap());
    assert!(store.insert_entry(&meta(b"2", c2, "b")).await.unwrap());
    assert!(store.insert_entry(&meta(b"3", c1, "b")).await.unwrap());
    assert!(!store.insert_entry(&meta(b"1", c1, "a")).await.unwrap(), "same id twice is one row");

    let all = store.entries(&EntryFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(all.iter().map(|e| e.meta.id).collect::<Vec<_>>(), [b"1", b"2", b"3"].map(|b| EntryId::of(b)));
    let by_case = store.entries(&EntryFilter { case: Some(c1), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(by_case.len(), 2);
    let by_b = store
        .entries(&EntryFilter { author: Some("b".into()), after_seq: all[1].seq, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(by_b.len(), 1);
    assert_eq!(by_b[0].meta.id, EntryId::of(b"3"));
    assert_eq!(store.entry(&EntryId::of(b"2")).await.unwrap().unwrap().meta.author, "b");
}

/// The check above fails on the fault it looks for (a connection handed back to the
/// pool inside a transaction), without waiting for anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "no connection is inside a transaction")]
async fn the_connection_check_catches_one_left_inside_a_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    store.add_user("a", Role::Adviser).await.unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    conn.execute("BEGIN IMMEDIATE").await.unwrap();
    drop(conn);
    assert_every_connection_writes(&store).await;
}

/// Case claims ride with the entry (issue 17): of many first entries racing into one new
/// case, by several caseworkers, only one author's are recorded and that author owns
/// the case; an entry already recorded claims nothing; a refused entry writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_case_is_claimed_only_with_an_entry_recorded_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    for name in ["a", "b", "c"] {
        store.add_user(name, Role::Caseworker).await.unwrap();
    }
    let case = CaseId::random();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let author = ["a", "b", "c"][i % 3];
            let (store, m) = (store.clone(), meta(format!("race {i}").as_bytes(), case, author));
            tokio::spawn(async move { (author, store.record_entry(&m, true).await.unwrap()) })
        })
        .collect();
    let mut created = std::collections::BTreeMap::<&str, usize>::new();
    for t in tasks {
        let (author, recorded) = t.await.unwrap();
        assert_ne!(recorded, Recorded::AlreadyThere);
        *created.entry(author).or_default() += usize::from(recorded == Recorded::Created);
    }
    let winners: Vec<_> = created.iter().filter(|(_, n)| **n > 0).collect();
    assert_eq!(winners.len(), 1, "one author's entries are recorded: {created:?}");
    let (owner, count) = winners[0];
    assert_eq!(*count, 10, "all of the winner's, none of the others'");
    assert_eq!(store.case_owner(&case).await.unwrap().as_deref(), Some(*owner));
    assert_eq!(store.all_entries().await.unwrap().len(), 10);
    assert_eq!(store.audit_events(0, 100).await.unwrap().len(), 10, "an event per recorded entry");

    // Bytes recorded already (here without a claim) claim nothing when sent again.
    let (free, first) = (CaseId::random(), meta(b"placed", CaseId::random(), "a"));
    assert!(store.insert_entry(&first).await.unwrap());
    let again = EntryMeta { case: free, author: "b".into(), ..first.clone() };
    assert_eq!(store.record_entry(&again, true).await.unwrap(), Recorded::AlreadyThere);
    assert_eq!(store.case_owner(&free).await.unwrap(), None);
    // Without a claim, an entry may go into a case another owns (an adviser's re-seal).
    let reseal = meta(b"re-sealed", case, "c");
    assert_eq!(store.record_entry(&reseal, false).await.unwrap(), Recorded::Created);
    assert_eq!(store.case_owner(&case).await.unwrap().as_deref(), Some(*owner));
}
