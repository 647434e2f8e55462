//! Story: the relay is killed (SIGKILL, no shutdown) at random moments while 64
//! clients upload, 20 times over, and restarted each time. Afterwards every upload it
//! answered 201/200 is there byte for byte, the listing and downloads agree (no partial
//! or orphaned blob is served), no temporary file outlives the clean-up at start-up,
//! and `amanat verify` passes.
//!
//! Bounded: the kills take about 20 × (0.1–0.4 s of load + a restart); the whole story
//! runs well under a minute on two cores.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amanat_tests::support::relay::{amanat, stdout, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use backend::blobs::TEMP_PREFIX;
use rand::Rng;
use shared::api::{EntryPage, CASE_HEADER};
use shared::keyring::{Keyring, OrgSigningKey};
use shared::{CaseId, EntryId};

const UPLOADERS: usize = 64;
const KILLS: usize = 20;

/// Seals like the app: to the relay's keyring, checked with the demo organisation key.
fn sealer(relay: &RelayProcess) -> impl Fn(&[u8]) -> Vec<u8> + Send + Sync + 'static {
    let demo = backend::demo::DemoFiles::in_data_dir(&relay.data);
    let org = OrgSigningKey::from_file(&std::fs::read_to_string(&demo.org_key).unwrap()).unwrap();
    let keyring = Keyring::from_json(&std::fs::read(relay.data.join("keyring.json")).unwrap()).unwrap();
    let verified = keyring.verify(&org.public()).unwrap();
    let own = shared::seal::generate_identity().to_public();
    move |plaintext: &[u8]| verified.seal(plaintext, std::slice::from_ref(&own)).unwrap().into_bytes()
}

#[test]
fn acknowledged_uploads_survive_twenty_sigkills_under_load_and_verify_passes() {
    let _turn = heavy_story();
    let started = Instant::now();
    let mut relay = RelayProcess::start(&["--body-timeout", "1", "--uploads-per-hour", "0"]);
    let token = relay.demo_file("caseworker.token");
    let adviser = relay.demo_file("adviser.token");
    let base = relay.base.clone();
    let seal = Arc::new(sealer(&relay));

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let acked: Arc<Mutex<BTreeMap<EntryId, Vec<u8>>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let attempts = Arc::new(AtomicUsize::new(0));
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();

    let uploaders: Vec<_> = (0..UPLOADERS)
        .map(|n| {
            let (acked, stop, attempts, http, seal) =
                (acked.clone(), stop.clone(), attempts.clone(), http.clone(), seal.clone());
            let (base, token) = (base.clone(), token.clone());
            rt.spawn(async move {
                let case = CaseId::random().to_string();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let bytes =
                        seal(format!("uploader {n} entry {i} {}", "x".repeat((i as usize * 37) % 4000)).as_bytes());
                    let id = EntryId::of(&bytes);
                    attempts.fetch_add(1, Ordering::Relaxed);
                    let res = http
                        .put(format!("{base}/api/v1/entries/{id}"))
                        .bearer_auth(&token)
                        .header(CASE_HEADER, &case)
                        .header("content-type", "application/octet-stream")
                        .body(bytes.clone())
                        .send()
                        .await;
                    match res.map(|r| r.status().as_u16()) {
                        Ok(200 | 201) => {
                            acked.lock().unwrap().insert(id, bytes);
                        }
                        // Killed mid-request, or not up yet: back off a little.
                        _ => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
            })
        })
        .collect();

    let mut rng = rand::thread_rng();
    let mut acked_at_kill = Vec::new();
    for _ in 0..KILLS {
        // Kill only once uploads are flowing again (a few new acknowledgements since the
        // restart, however loaded the machine is), then at a random moment after that.
        let before = acked.lock().unwrap().len();
        let flowing = std::time::Instant::now();
        while acked.lock().unwrap().len() < before + 5 && flowing.elapsed() < Duration::from_secs(15) {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..300)));
        relay.crash();
        acked_at_kill.push(acked.lock().unwrap().len());
        relay.restart();
    }
    stop.store(true, Ordering::Relaxed);
    rt.block_on(async {
        for u in uploaders {
            u.await.unwrap();
        }
    });
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 100,
        "too little load to mean anything: {} acknowledged of {} attempts",
        acked.len(),
        attempts.load(Ordering::Relaxed)
    );
    assert!(
        acked_at_kill.windows(2).filter(|w| w[1] > w[0]).count() >= KILLS / 4,
        "uploads were not running between kills: {acked_at_kill:?}"
    );

    // One last kill, then leave the temporary files idle past the clean-up age
    // (2 × --body-timeout) so the start-up clean-up must remove them.
    relay.crash();
    let temp_before = temp_files(&relay);
    std::thread::sleep(Duration::from_millis(2200));
    relay.restart();

    rt.block_on(async {
        // Every acknowledged entry is there, byte for byte.
        for (id, bytes) in &acked {
            let res = http.get(format!("{base}/api/v1/entries/{id}")).bearer_auth(&adviser).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "acknowledged entry {id} is missing");
            assert!(res.bytes().await.unwrap() == bytes[..], "acknowledged entry {id} changed");
        }
        // The listing and the downloads agree: each listed entry downloads and hashes to its id.
        let mut listed = BTreeSet::new();
        let mut after = String::new();
        loop {
            let page: EntryPage = http
                .get(format!("{base}/api/v1/entries?after={after}"))
                .bearer_auth(&adviser)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for e in &page.entries {
                listed.insert(e.id);
                if !acked.contains_key(&e.id) {
                    // Stored but the answer was lost in a kill: must still be whole.
                    let res =
                        http.get(format!("{base}/api/v1/entries/{}", e.id)).bearer_auth(&adviser).send().await.unwrap();
                    assert_eq!(res.status().as_u16(), 200);
                    let body = res.bytes().await.unwrap();
                    assert_eq!(EntryId::of(&body), e.id, "listed entry {} is partial", e.id);
                    assert_eq!(body.len() as u64, e.size);
                }
            }
            match page.next {
                Some(n) => after = n,
                None => break,
            }
        }
        assert!(acked.keys().all(|id| listed.contains(id)), "an acknowledged entry is not listed");
        // Any blob file that is not a listed entry (an orphan from a kill between the
        // blob and its row) is not served.
        for (name, _) in blob_files(&relay) {
            if let Ok(id) = name.parse::<EntryId>() {
                if !listed.contains(&id) {
                    let res =
                        http.get(format!("{base}/api/v1/entries/{id}")).bearer_auth(&adviser).send().await.unwrap();
                    assert_eq!(res.status().as_u16(), 404, "orphan blob {id} is served");
                }
            }
        }
    });
    let temp_after = temp_files(&relay);
    assert!(
        temp_after.is_empty(),
        "temporary files survived the start-up clean-up: {temp_after:?} (before: {temp_before:?})"
    );

    relay.terminate();
    let out = amanat(&relay.data, &["verify"]);
    assert!(out.status.success(), "amanat verify failed:\n{}", stdout(&out));
    eprintln!(
        "crash safety: {} kills, {} uploads acknowledged of {} attempts, {} temporary files cleaned at start-up, {:?}",
        KILLS + 1,
        acked.len(),
        attempts.load(Ordering::Relaxed),
        temp_before.len(),
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(180), "the story must stay under 3 minutes");
}

fn blob_files(relay: &RelayProcess) -> Vec<(String, std::path::PathBuf)> {
    backend::blobs::Blobs::new(relay.data.join("blobs")).list_files().unwrap()
}

fn temp_files(relay: &RelayProcess) -> Vec<String> {
    blob_files(relay).into_iter().map(|(n, _)| n).filter(|n| n.starts_with(TEMP_PREFIX)).collect()
}
