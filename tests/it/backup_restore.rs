//! The IT person's night: `amanat backup` copies a relay while caseworkers keep
//! uploading, `amanat restore` puts the copy into an empty data directory, and `amanat
//! verify` passes on the result; a damaged copy is refused before anything is written.
//! The same for a relay on PostgreSQL (`pg_dump` / `pg_restore`).

use std::path::Path;

use amanat_tests::support::pg::Cluster;
use amanat_tests::support::relay::{amanat, stdout, Relay};
use reqwest::StatusCode;
use shared::{CaseId, EntryId};

/// Entries acknowledged by the relay (201), with when: what a backup must hold if it
/// started after the acknowledgement.
type Acked = std::sync::Arc<std::sync::Mutex<Vec<(EntryId, Vec<u8>, std::time::Instant)>>>;

/// `UPLOADERS` caseworker clients upload sealed entries at once until told to stop.
const UPLOADERS: usize = 64;

fn keep_uploading(relay: &Relay, stop: tokio::sync::watch::Receiver<bool>, acked: Acked) -> tokio::task::JoinSet<()> {
    let mut set = tokio::task::JoinSet::new();
    for u in 0..UPLOADERS {
        let (http, url, token) = (relay.http.clone(), relay.base.clone(), relay.caseworker_token.clone());
        let sealed: Vec<Vec<u8>> = (0..20).map(|i| relay.seal(format!("visit note {u}/{i}").as_bytes())).collect();
        let (stop, acked) = (stop.clone(), acked.clone());
        set.spawn(async move {
            for bytes in sealed {
                if *stop.borrow() {
                    break;
                }
                let id = EntryId::of(&bytes);
                let res = http
                    .put(format!("{url}/api/v1/entries/{id}"))
                    .bearer_auth(&token)
                    .header(shared::api::CASE_HEADER, CaseId::random().to_string())
                    .body(bytes.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::CREATED);
                acked.lock().unwrap().push((id, bytes, std::time::Instant::now()));
            }
        });
    }
    set
}

fn run(args: &[&str], data: &Path) -> std::process::Output {
    let out = amanat(data, args);
    println!("amanat {args:?}:\n{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_during_uploads_restores_into_an_empty_dir_and_verifies() {
    // Without the hourly upload limit: 64 clients upload far more than 600 an hour.
    let relay = Relay::start_with(|c| c.uploads_per_hour = 0).await;
    for text in ["intake", "consent"] {
        assert_eq!(relay.put(&CaseId::random(), relay.seal(text.as_bytes())).await.status(), StatusCode::CREATED);
    }
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let acked: Acked = Default::default();
    let uploads = keep_uploading(&relay, stop, acked.clone());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let backup_started = std::time::Instant::now();

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup");
    let data = relay.data.clone();
    let copy_arg = copy.to_str().unwrap().to_owned();
    let out = tokio::task::spawn_blocking(move || run(&["backup", "--to", &copy_arg], &data)).await.unwrap();
    stop_tx.send(true).unwrap();
    uploads.join_all().await;
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let stored_meanwhile = acked.len();
    assert!(out.status.success());
    assert!(copy.join("MANIFEST.sha256").is_file() && copy.join("amanat.sqlite").is_file());
    assert!(copy.join("keyring.json").is_file(), "the keyring comes along");
    assert!(!copy.join("demo").exists(), "the demo organisation's keys never do");
    assert!(stored_meanwhile > 0, "uploads went on during the backup");

    // Into an empty data directory: whole, and verified.
    let restored = dir.path().join("restored");
    let out = run(&["restore", "--from", copy.to_str().unwrap()], &restored);
    assert!(out.status.success());
    let verify = run(&["verify"], &restored);
    assert!(verify.status.success(), "amanat verify passes on the restored relay");
    let total = relay.state.store().all_entries().await.unwrap().len();
    let restored_store = backend::store::Store::open_with(&restored, None).await.unwrap();
    let restored_entries = restored_store.all_entries().await.unwrap();
    restored_store.close().await;
    assert!(restored_entries.len() >= 2 && restored_entries.len() <= total, "{} of {total}", restored_entries.len());
    // Every entry acknowledged before the backup began is in it, byte for byte.
    let before: Vec<_> = acked.iter().filter(|(_, _, at)| *at < backup_started).collect();
    assert!(!before.is_empty(), "some uploads were acknowledged before the backup");
    for (id, bytes, _) in &before {
        let hex = id.to_string();
        let file = restored.join("blobs").join(&hex[..2]).join(&hex);
        assert_eq!(&std::fs::read(&file).unwrap_or_default(), bytes, "entry {id} acknowledged before the backup");
    }
    println!("{} entries acknowledged before the backup began, all restored; {total} stored by the end", before.len());

    // A restore never overwrites: the data directory must be empty.
    let again = run(&["restore", "--from", copy.to_str().unwrap()], &restored);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // One flipped byte in one ciphertext file: refused, by name, with nothing written.
    let first = &restored_entries[0].meta.id.to_string();
    let blob = copy.join("blobs").join(&first[..2]).join(first);
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let elsewhere = dir.path().join("elsewhere");
    let damaged = run(&["restore", "--from", copy.to_str().unwrap()], &elsewhere);
    assert!(!damaged.status.success());
    let why = String::from_utf8_lossy(&damaged.stderr);
    assert!(why.contains(&format!("blobs/{}/{first}", &first[..2])) && why.contains("differs"), "{why}");
    assert!(!elsewhere.exists() || std::fs::read_dir(&elsewhere).unwrap().next().is_none(), "nothing was written");
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_relay_backs_up_with_pg_dump_under_uploads_and_restores_into_an_empty_database() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let relay = Relay::start_with(|c| {
        c.database = Some(url.clone());
        c.uploads_per_hour = 0;
    })
    .await;
    let mut ids = Vec::new();
    for text in ["intake", "consent", "follow-up"] {
        let bytes = relay.seal(text.as_bytes());
        ids.push(EntryId::of(&bytes));
        assert_eq!(relay.put(&CaseId::random(), bytes).await.status(), StatusCode::CREATED);
    }
    // 64 caseworkers keep uploading while pg_dump takes its snapshot.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let acked: Acked = Default::default();
    let uploads = keep_uploading(&relay, stop, acked.clone());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let backup_started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup");
    let (data, copy_arg, db) = (relay.data.clone(), copy.to_str().unwrap().to_owned(), url.clone());
    let out = tokio::task::spawn_blocking(move || run(&["--database", &db, "backup", "--to", &copy_arg], &data))
        .await
        .unwrap();
    stop_tx.send(true).unwrap();
    uploads.join_all().await;
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(copy.join("amanat.pgdump").is_file());
    assert!(!acked.is_empty(), "uploads went on during the backup");

    let empty = cluster.database().await;
    let restored = dir.path().join("restored");
    let out = run(&["--database", &empty, "restore", "--from", copy.to_str().unwrap()], &restored);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(run(&["--database", &empty, "verify"], &restored).status.success());
    let store = backend::store::Store::open_with(&restored, Some(&empty)).await.unwrap();
    let got: Vec<EntryId> = store.all_entries().await.unwrap().into_iter().map(|e| e.meta.id).collect();
    store.close().await;
    assert_eq!(got[..3], ids[..], "the first entries, in order, with their files");
    // Every entry acknowledged before the backup began is in it, byte for byte.
    let before: Vec<_> = acked.iter().filter(|(_, _, at)| *at < backup_started).collect();
    assert!(!before.is_empty(), "some uploads were acknowledged before the backup");
    for (id, bytes, _) in &before {
        assert!(got.contains(id), "entry {id} acknowledged before the backup is restored");
        let hex = id.to_string();
        let file = restored.join("blobs").join(&hex[..2]).join(&hex);
        assert_eq!(&std::fs::read(&file).unwrap_or_default(), bytes, "entry {id}, byte for byte");
    }
    println!("PostgreSQL: {} entries acknowledged before the backup began, all restored", before.len());
    // Into a database that is not empty: pg_restore refuses, and so does restore.
    let busy = dir.path().join("busy");
    let out = run(&["--database", &url, "restore", "--from", copy.to_str().unwrap()], &busy);
    assert!(!out.status.success());
    assert!(!busy.exists(), "nothing was written");
    relay.stop().await;
    drop(cluster);
}
