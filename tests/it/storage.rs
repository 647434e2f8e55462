//! The storage stories, run against both stores: SQLite in the data directory (the
//! embedded default) and PostgreSQL (a throwaway cluster this test starts, see
//! `pg.rs`). The same scenarios, through the same `Store` methods the relay uses:
//! accounts and sessions, entries and their listing, the audit chain under
//! concurrent writers, the vault's queries, and schema migrations from empty and
//! from the previous version with data in it.
//!
//! Each backend is one test that runs every scenario on a fresh store, so the
//! PostgreSQL cluster starts once and is stopped when the test ends, pass or fail.
//! A last story puts two relays on one PostgreSQL database and one data directory, as
//! behind a load balancer, over real HTTP.

use std::future::Future;

use amanat_tests::support::pg::Cluster;
use amanat_tests::support::relay::Relay;
use backend::store::{Backend, EntryFilter, Store, StoreError, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use backend::verify;
use shared::api::{EntryMeta, Role};
use shared::fixtures;
use shared::{CaseId, EntryId};
use sqlx::Row;

/// Where a scenario's store lives: a data directory, and a database URL for PostgreSQL.
struct Place {
    dir: tempfile::TempDir,
    database: Option<String>,
}

impl Place {
    async fn open(&self) -> Store {
        Store::open_with(self.dir.path(), self.database.as_deref()).await.expect("the store opens")
    }
    async fn open_at(&self, version: i64) -> Store {
        Store::open_migrated_to(self.dir.path(), self.database.as_deref(), Some(version))
            .await
            .expect("the store opens")
    }
}

/// Stores an entry as the relay does: durable blob first, then the row.
async fn store_entry(store: &Store, case: CaseId, author: &str, text: &str) -> EntryMeta {
    let bytes = fixtures::sealed_to_a_stranger(text.as_bytes());
    let meta = fixtures::entry_meta(&bytes, case, author, backend::store::now_rfc3339());
    store.blobs().put(&meta.id, &bytes).unwrap();
    assert!(store.insert_entry(&meta).await.unwrap(), "a new entry is recorded once");
    meta
}

fn now_plus_a_day() -> i64 {
    backend::store::now_unix() + 86_400
}

async fn accounts_tokens_and_sessions(place: Place) {
    let store = place.open().await;
    store.add_user("cw", Role::Caseworker).await.unwrap();
    store.add_user("ad", Role::Adviser).await.unwrap();
    assert!(matches!(store.add_user("cw", Role::Admin).await, Err(StoreError::UserExists(_))));
    assert_eq!(store.users().await.unwrap().iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["ad", "cw"]);
    assert_eq!(store.user("ad").await.unwrap().unwrap().role, Role::Adviser);

    store.add_token("cw", "tok1", &[7; 32], now_plus_a_day()).await.unwrap();
    assert!(matches!(
        store.add_token("nobody", "tok2", &[1; 32], now_plus_a_day()).await,
        Err(StoreError::NoSuchUser(_))
    ));
    let live = store.token("tok1").await.unwrap().unwrap();
    assert_eq!((live.user.name.as_str(), live.secret_sha256, live.disabled), ("cw", vec![7u8; 32], false));
    assert!(store.token("tok2").await.unwrap().is_none());

    let now = backend::store::now_unix();
    store.add_session(&[1; 32], "cw", now + 600).await.unwrap();
    store.add_session(&[2; 32], "ad", now - 1).await.unwrap();
    assert_eq!(store.session(&[1; 32]).await.unwrap().unwrap().name, "cw");
    assert!(store.session(&[2; 32]).await.unwrap().is_none(), "an expired session signs nobody in");
    store.delete_session(&[1; 32]).await.unwrap();
    assert!(store.session(&[1; 32]).await.unwrap().is_none());
    store.add_session(&[3; 32], "cw", now + 600).await.unwrap();
    store.delete_sessions_of("cw").await.unwrap();
    assert!(store.session(&[3; 32]).await.unwrap().is_none(), "the vault ends every session of an account");
    assert_eq!(store.relay_secret("decoy", || "first".into()).await.unwrap(), "first");
    assert_eq!(store.relay_secret("decoy", || "second".into()).await.unwrap(), "first", "made once, then kept");

    // The vault's delay counter per (account, address), re-enrolment ending sessions
    // and earlier links, opening a link, and revoking and disabling, on both databases.
    use backend::store::{Delay, EnrolmentKey, NewCredentials};
    let link = |h: &str| EnrolmentKey::Link(h.to_owned());
    let creds = NewCredentials { salt: "s", auth_hash: "h", wrapped_identity: "w", recipient: "r", author_key: None };
    store.add_enrolment("e1", "cw", now + 600).await.unwrap();
    store.add_enrolment("e2", "cw", now + 600).await.unwrap();
    assert!(store.enrolment_account(&link("e1")).await.unwrap().is_none(), "a new link replaces the earlier one");
    assert_eq!(store.enrolment_account(&link("e2")).await.unwrap().as_deref(), Some("cw"));
    store.add_session(&[4; 32], "cw", now + 600).await.unwrap();
    assert!(store.redeem_enrolment(&link("e2"), "cw", &creds).await.unwrap().is_some());
    assert!(store.session(&[4; 32]).await.unwrap().is_none(), "enrolling ends the account's sessions");
    store.add_enrolment("e3", "cw", now + 600).await.unwrap();
    assert_eq!(store.open_enrolment("e3", "s3", now + 900).await.unwrap().as_deref(), Some("cw"));
    assert_eq!(store.open_enrolment("e3", "s4", now + 900).await.unwrap(), None, "an opened link is dead");
    assert!(store.enrolment_account(&link("e3")).await.unwrap().is_none());
    let session = EnrolmentKey::Session("s3".into());
    assert_eq!(store.enrolment_account(&session).await.unwrap().as_deref(), Some("cw"));
    for n in 1..=3 {
        assert_eq!(store.delay_reserve("cw", "10.0.0.1").await.unwrap(), Delay::Attempt(n));
    }
    assert!(matches!(store.delay_reserve("cw", "10.0.0.1").await.unwrap(), Delay::Wait(1)), "the third failure delays");
    assert_eq!(store.delay_reserve("cw", "10.0.0.2").await.unwrap(), Delay::Attempt(1), "another address is free");
    store.delay_reset("cw", "10.0.0.1").await.unwrap();
    assert_eq!(store.delay_reserve("cw", "10.0.0.1").await.unwrap(), Delay::Attempt(1), "a success resets");
    store.add_token("cw", "live", &[5; 32], now + 600).await.unwrap();
    store.add_token("cw", "old", &[6; 32], now - 1).await.unwrap();
    assert!(store.token("old").await.unwrap().is_none(), "an expired token is not live");
    assert_eq!(store.revoke_tokens("cw").await.unwrap(), Some(2), "tok1 and live (the expired one is not counted)");
    assert!(store.token("live").await.unwrap().is_none(), "a revoked token is not live");
    store.add_session(&[5; 32], "cw", now + 600).await.unwrap();
    assert!(store.set_disabled("cw", true).await.unwrap());
    assert!(store.session(&[5; 32]).await.unwrap().is_none(), "disabling ends the sessions");
    assert!(store.enrolment_account(&session).await.unwrap().is_none(), "and the open enrolment");
    assert_eq!(store.disabled("cw").await.unwrap(), Some(true));
    assert!(store.set_disabled("cw", false).await.unwrap());
    assert!(!store.set_disabled("nobody", true).await.unwrap());
    store.close().await;
}

async fn entries_list_in_order_filtered_and_paged(place: Place) {
    let store = place.open().await;
    store.add_user("a", Role::Caseworker).await.unwrap();
    store.add_user("b", Role::Caseworker).await.unwrap();
    let (c1, c2) = (CaseId::random(), CaseId::random());
    let m1 = store_entry(&store, c1, "a", "one").await;
    let m2 = store_entry(&store, c2, "b", "two").await;
    let m3 = store_entry(&store, c1, "b", "three").await;
    assert!(!store.insert_entry(&m1).await.unwrap(), "the same id twice is one row");

    let all = store.entries(&EntryFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(all.iter().map(|e| e.meta.id).collect::<Vec<_>>(), [m1.id, m2.id, m3.id]);
    assert_eq!(all[0].meta, m1, "metadata reads back as written");
    let case1 = store.entries(&EntryFilter { case: Some(c1), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(case1.iter().map(|e| e.meta.id).collect::<Vec<_>>(), [m1.id, m3.id]);
    let by_b = store.entries(&EntryFilter { author: Some("b".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(by_b.len(), 2);
    let both = store
        .entries(&EntryFilter { case: Some(c1), author: Some("b".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(both.iter().map(|e| e.meta.id).collect::<Vec<_>>(), [m3.id]);
    let page1 = store.entries(&EntryFilter { limit: 2, ..Default::default() }).await.unwrap();
    let page2 = store.entries(&EntryFilter { after_seq: page1[1].seq, limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!((page1.len(), page2.iter().map(|e| e.meta.id).collect::<Vec<_>>()), (2, vec![m3.id]));
    assert_eq!(store.entry(&m2.id).await.unwrap().unwrap().meta.author, "b");
    assert!(store.entry(&EntryId::of(b"never stored")).await.unwrap().is_none());
    assert_eq!(store.all_entries().await.unwrap().len(), 3);

    let report = verify::verify(&store).await.unwrap();
    assert!(report.ok(), "{}", report.render());
    assert_eq!((report.entries, report.audit_events), (3, 3));
    store.close().await;
}

/// 48 writers at once (as from several relays): every entry is recorded once and the
/// audit chain has no fork and no gap.
async fn concurrent_writers_keep_one_audit_chain(place: Place) {
    let store = place.open().await;
    store.add_user("cw", Role::Caseworker).await.unwrap();
    let case = CaseId::random();
    let tasks: Vec<_> = (0..48)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store_entry(&store, case, "cw", &format!("entry {i}")).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let report = verify::verify(&store).await.unwrap();
    assert!(report.ok(), "{}", report.render());
    assert_eq!((report.entries, report.audit_events), (48, 48));
    store.close().await;
}

/// A tampered audit event is found by `verify` on either database.
async fn an_edited_audit_event_is_found(place: Place) {
    let store = place.open().await;
    store.add_user("cw", Role::Caseworker).await.unwrap();
    store_entry(&store, CaseId::random(), "cw", "x").await;
    sqlx::query("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1").execute(store.pool()).await.unwrap();
    let report = verify::verify(&store).await.unwrap();
    assert!(report.render().contains("FAIL audit event 1"), "{}", report.render());
    store.close().await;
}

/// An entry whose row and file were deleted behind the relay's back (no
/// `entry_removed` event) fails `verify` by id on either database, and one removed with
/// `remove_entry` (audited) does not.
async fn an_entry_deleted_behind_the_relays_back_is_named(place: Place) {
    let store = place.open().await;
    store.add_user("cw", Role::Caseworker).await.unwrap();
    let case = CaseId::random();
    let (gone, removed) = (store_entry(&store, case, "cw", "x").await, store_entry(&store, case, "cw", "y").await);
    store.remove_entry(&removed.id, "amanat-cli").await.unwrap().unwrap();
    assert!(verify::verify(&store).await.unwrap().ok());
    sqlx::query("DELETE FROM entries WHERE id = $1").bind(gone.id.to_string()).execute(store.pool()).await.unwrap();
    std::fs::remove_file(store.blobs().path(&gone.id)).unwrap();
    let report = verify::verify(&store).await.unwrap();
    assert!(!report.ok(), "{}", report.render());
    assert!(
        report.render().contains(&format!("FAIL {}: the audit log records it stored", gone.id)),
        "{}",
        report.render()
    );
    assert!(!report.render().contains(&removed.id.to_string()), "{}", report.render());
    store.close().await;
}

async fn applied_versions(store: &Store) -> Vec<i64> {
    sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64, _>("version").unwrap())
        .collect()
}

fn latest_versions(backend: Backend) -> Vec<i64> {
    backend.migrator().iter().map(|m| m.version).collect()
}

async fn migrations_run_from_empty(place: Place) {
    let store = place.open().await;
    assert_eq!(applied_versions(&store).await, latest_versions(store.backend()));
    store.close().await;
    // Opening again applies nothing and changes nothing.
    let again = place.open().await;
    assert_eq!(applied_versions(&again).await, latest_versions(again.backend()));
    again.close().await;
}

/// A store left by an earlier relay version (migrations up to 0004, before case owners
/// were recorded) with accounts, entries and audit events in it, upgraded by opening it.
async fn migrations_upgrade_the_previous_version_with_data_intact(place: Place) {
    let backend = Backend::of(place.database.as_deref()).unwrap();
    let versions = latest_versions(backend);
    let kept = versions.iter().filter(|v| **v <= 4).count();
    let previous = versions[kept - 1];
    let old = place.open_at(previous).await;
    assert_eq!(applied_versions(&old).await, versions[..kept]);
    old.add_user("cw", Role::Caseworker).await.unwrap();
    sqlx::query(r#"INSERT INTO tokens (token_id, "user", secret_sha256, created_at) VALUES ('tok', 'cw', $1, 'then')"#)
        .bind(&[9u8; 32][..])
        .execute(old.pool())
        .await
        .unwrap();
    let m = store_entry(&old, CaseId::random(), "cw", "written by the previous version").await;
    old.close().await;

    let new = place.open().await;
    assert_eq!(applied_versions(&new).await, versions);
    let token = new.token("tok").await.unwrap().expect("an old token lives on, with an expiry");
    assert_eq!(token.user.name, "cw");
    let expires: i64 = sqlx::query("SELECT expires_at FROM tokens WHERE token_id = 'tok'")
        .fetch_one(new.pool())
        .await
        .unwrap()
        .get("expires_at");
    let in_days = (expires - backend::store::now_unix()) / 86_400;
    assert!((89..=90).contains(&in_days), "an old token expires 90 days after the upgrade, not never ({in_days})");
    assert_eq!(new.entry(&m.id).await.unwrap().unwrap().meta, m);
    let report = verify::verify(&new).await.unwrap();
    assert!(report.ok(), "{}", report.render());
    assert_eq!(report.audit_events, 1, "the old chain continues");
    // What the newest migrations added works on the upgraded store: the vault, the
    // cases table (filled in from the entries already stored: their case is owned by
    // the author of its first entry) and sessions with an absolute end.
    assert!(new.vault_account("cw").await.unwrap().is_none());
    new.add_user("cw2", Role::Caseworker).await.unwrap();
    assert_eq!(new.claim_case(&m.case.to_string(), "cw2").await.unwrap(), "cw", "the old case keeps its owner");
    let fresh_case = CaseId::random().to_string();
    assert_eq!(new.claim_case(&fresh_case, "cw2").await.unwrap(), "cw2");
    let now = backend::store::now_unix();
    new.add_vault_session(&[7; 32], "cw", now + 600, now + 60).await.unwrap();
    let (user, ends_at) = new.take_session(&[7; 32]).await.unwrap().expect("the session is there");
    assert_eq!((user.name.as_str(), ends_at), ("cw", now + 60));
    assert!(new.take_session(&[7; 32]).await.unwrap().is_none(), "taken once");
    let later = store_entry(&new, m.case, "cw", "written after the upgrade").await;
    assert!(verify::verify(&new).await.unwrap().ok());
    // 0006: an entry written before the upgrade can be superseded and removed.
    assert!(new.record_supersession(&later.id, &m.id, "cw").await.unwrap());
    assert_eq!(new.superseded().await.unwrap()[0].entry.meta, m);
    new.remove_entry(&m.id, "amanat-cli").await.unwrap().expect("it was stored");
    assert!(verify::verify(&new).await.unwrap().ok());
    new.close().await;
}

/// Runs every scenario, each on a fresh place from `place`, naming the one that fails.
async fn run_suite<F, Fut>(place: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Place>,
{
    let started = std::time::Instant::now();
    accounts_tokens_and_sessions(place().await).await;
    entries_list_in_order_filtered_and_paged(place().await).await;
    concurrent_writers_keep_one_audit_chain(place().await).await;
    an_edited_audit_event_is_found(place().await).await;
    an_entry_deleted_behind_the_relays_back_is_named(place().await).await;
    migrations_run_from_empty(place().await).await;
    migrations_upgrade_the_previous_version_with_data_intact(place().await).await;
    eprintln!("storage suite: 7 scenarios in {:.1} s", started.elapsed().as_secs_f64());
}

fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sqlite_store_passes_the_storage_suite() {
    run_suite(|| async { Place { dir: data_dir(), database: None } }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_postgres_store_passes_the_storage_suite() {
    let cluster = Cluster::start();
    run_suite(|| async { Place { dir: data_dir(), database: Some(cluster.database().await) } }).await;
    drop(cluster);
}

/// Two relays behind a load balancer: one PostgreSQL database and one shared data
/// directory. What a caseworker stores through one, an adviser lists and fetches
/// byte for byte through the other; a retry through the other is "already stored".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_relays_on_one_postgres_database_serve_the_same_entries() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let one = Relay::start_with(|c| c.database = Some(url.clone())).await;
    let config = backend::Config {
        data_dir: one.data.clone(),
        database: Some(url.clone()),
        dist_dir: one.data.join("no-app"),
        ..backend::Config::default()
    };
    let state = backend::AppState::open(config).await.expect("the second relay opens the same store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let two = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(backend::serve_on(listener, state.clone(), async {
        let _ = stopped.await;
    }));

    let case = CaseId::random();
    let bytes = one.seal(b"stored through relay one");
    let id = EntryId::of(&bytes);
    assert_eq!(one.put(&case, bytes.clone()).await.status(), 201);

    let http = reqwest::Client::new();
    let page: shared::api::EntryPage = http
        .get(format!("{two}/api/v1/entries?case={case}"))
        .bearer_auth(&one.adviser_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.entries.iter().map(|e| e.id).collect::<Vec<_>>(), [id], "relay two lists it");
    let fetched = http.get(format!("{two}/api/v1/entries/{id}")).bearer_auth(&one.adviser_token).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    let fetched = fetched.bytes().await.unwrap();
    assert_eq!(&fetched[..], &bytes[..], "byte for byte through relay two");
    let opened = shared::seal::open_bytes(&fetched, std::slice::from_ref(&one.adviser_identity)).unwrap();
    assert_eq!(opened, b"stored through relay one");
    let retry = http
        .put(format!("{two}/api/v1/entries/{id}"))
        .bearer_auth(&one.caseworker_token)
        .header(shared::api::CASE_HEADER, case.to_string())
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), 200, "a retry through the other relay is already stored");

    let report = verify::verify(state.store()).await.unwrap();
    assert!(report.ok(), "{}", report.render());
    assert_eq!(report.entries, 1);
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
    one.stop().await;
    drop(cluster);
}

#[test]
fn both_databases_have_the_same_migration_versions() {
    let versions =
        |m: &sqlx::migrate::Migrator| m.iter().map(|m| (m.version, m.description.to_string())).collect::<Vec<_>>();
    assert_eq!(versions(&SQLITE_MIGRATIONS), versions(&POSTGRES_MIGRATIONS));
}
