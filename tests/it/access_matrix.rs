//! Story: every API route, asked by every role, by nobody and by a bad token, answers
//! what the access table (backend/src/access.rs) says, and a refused request changes
//! nothing: not the entries, not the audit log, not the accounts.
//!
//! The expectations are one table ([`expectations`]). The routes the relay really has
//! are read from its router source (`backend/src/routes/mod.rs`), and a route missing
//! from the table fails the test: a new route cannot ship without deciding who may
//! call it.

use std::collections::BTreeSet;

use amanat_tests::support::relay::{workspace_root, Relay};
use reqwest::{Method, StatusCode};
use shared::api::Role;
use shared::CaseId;

/// Who is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Nobody,
    BadToken,
    /// The demo caseworker, who owns the case of the setup entry.
    Caseworker,
    /// Another caseworker: not the owner of that case.
    OtherCaseworker,
    Adviser,
    PrivacyOfficer,
    Admin,
}

const EVERYONE: [Who; 7] =
    [Who::Nobody, Who::BadToken, Who::Caseworker, Who::OtherCaseworker, Who::Adviser, Who::PrivacyOfficer, Who::Admin];

/// What a request must answer and change: status, entries added, audit events added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Outcome {
    status: u16,
    entries: usize,
    audit: usize,
}

const fn refused(status: u16) -> Outcome {
    Outcome { status, entries: 0, audit: 0 }
}
const fn ok(status: u16) -> Outcome {
    Outcome { status, entries: 0, audit: 0 }
}
const fn audited(status: u16) -> Outcome {
    Outcome { status, entries: 0, audit: 1 }
}
/// Stored, naming the entry it supersedes: `entry_stored` and `entry_superseded`.
const STORED_SUPERSEDING: Outcome = Outcome { status: 201, entries: 1, audit: 2 };

/// One route (method and path as the router names it) and its outcome per caller.
struct Row {
    method: &'static str,
    route: &'static str,
    outcome: fn(Who) -> Outcome,
}

/// The access matrix. Authenticated-but-not-allowed is 403; another caseworker's entry
/// is 404 (as if it did not exist); no or bad credentials are 401.
fn expectations() -> Vec<Row> {
    use Who::*;
    fn auth(who: Who, f: fn(Who) -> Outcome) -> Outcome {
        match who {
            Nobody | BadToken => refused(401),
            _ => f(who),
        }
    }
    vec![
        Row { method: "GET", route: "/api/v1/health", outcome: |_| ok(200) },
        // Whether uploads could be stored now, for a load balancer: public, like health.
        Row { method: "GET", route: "/api/v1/ready", outcome: |_| ok(200) },
        Row { method: "GET", route: "/api/v1/keyring", outcome: |_| ok(200) },
        // The organisation's signed settings, public like the keyring (the demo
        // organisation installs some).
        Row { method: "GET", route: "/api/v1/settings", outcome: |_| ok(200) },
        // The signed roster of approved author keys, to every signed-in role; none has
        // been published here: 404 `roster_missing`.
        Row { method: "GET", route: "/api/v1/roster", outcome: |w| auth(w, |_| refused(404)) },
        // Listing is audited (`entries_listed`), as are downloads and verification runs.
        Row { method: "GET", route: "/api/v1/entries", outcome: |w| auth(w, |_| audited(200)) },
        // The upload names the setup entry as the one it supersedes (a re-seal): the
        // case's caseworker and advisers (who upload nothing else) may.
        Row {
            method: "PUT",
            route: "/api/v1/entries/{id}",
            outcome: |w| {
                auth(w, |w| match w {
                    Caseworker | Adviser => STORED_SUPERSEDING,
                    _ => refused(403),
                })
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/entries/{id}",
            outcome: |w| {
                auth(w, |w| match w {
                    Caseworker | Adviser => audited(200),
                    OtherCaseworker => refused(404),
                    _ => refused(403),
                })
            },
        },
        // Bulk read of the setup entry: as a single read, but another caseworker's entry
        // is a "missing" frame (200, nothing sent, nothing audited) rather than a 404.
        Row {
            method: "POST",
            route: "/api/v1/entries/read",
            outcome: |w| {
                auth(w, |w| match w {
                    Caseworker | Adviser => audited(200),
                    OtherCaseworker => ok(200),
                    _ => refused(403),
                })
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/audit",
            outcome: |w| {
                auth(w, |w| match w {
                    PrivacyOfficer | Admin => ok(200),
                    _ => refused(403),
                })
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/verification",
            outcome: |w| {
                auth(w, |w| match w {
                    PrivacyOfficer | Admin => audited(200),
                    _ => refused(403),
                })
            },
        },
        Row { method: "GET", route: "/api/v1/session", outcome: |w| auth(w, |_| ok(200)) },
        // Signing in carries its credentials in a JSON body: nobody sends none (415), a
        // bad token for an existing account is 401 and audited (`sign_in_failed`),
        // every account may sign in (`signed_in`).
        Row {
            method: "POST",
            route: "/api/v1/session",
            outcome: |w| match w {
                Nobody => refused(415),
                BadToken => Outcome { status: 401, entries: 0, audit: 1 },
                _ => audited(200),
            },
        },
        // Signing out always succeeds; with a bearer token there is no session to end.
        Row { method: "DELETE", route: "/api/v1/session", outcome: |_| ok(204) },
        // The caseworker vault (passphrase accounts). Settings are public; enrolment,
        // salt and passphrase sign-in carry their credentials in a JSON body (none here:
        // 415 whoever asks); renewing needs a session cookie (a bearer token is not one).
        Row { method: "GET", route: "/api/v1/vault/settings", outcome: |_| ok(200) },
        Row { method: "POST", route: "/api/v1/vault/enrol", outcome: |_| refused(415) },
        Row { method: "POST", route: "/api/v1/vault/enrol/open", outcome: |_| refused(415) },
        Row { method: "POST", route: "/api/v1/vault/salt", outcome: |_| refused(415) },
        Row { method: "POST", route: "/api/v1/vault/session", outcome: |_| refused(415) },
        Row { method: "POST", route: "/api/v1/session/renew", outcome: |_| refused(401) },
        // No account here has enrolled a vault: `not_enrolled` (400), whatever the role;
        // a passphrase change without a JSON body is 415.
        Row { method: "GET", route: "/api/v1/vault/identity", outcome: |w| auth(w, |_| refused(400)) },
        Row { method: "PUT", route: "/api/v1/vault/passphrase", outcome: |w| auth(w, |_| refused(415)) },
        // Registering an author key: caseworkers only (the role is checked before the
        // body, so the others are 403 and a caseworker without a JSON body 415).
        Row {
            method: "PUT",
            route: "/api/v1/vault/author-key",
            outcome: |w| {
                auth(w, |w| match w {
                    Caseworker | OtherCaseworker => refused(415),
                    _ => refused(403),
                })
            },
        },
        Row { method: "GET", route: "/api/{*rest}", outcome: |_| refused(404) },
        Row { method: "GET", route: "/api", outcome: |_| refused(404) },
    ]
}

/// The route paths `shared::api::paths` names (`pub const NAME: &str = "…";`), read
/// from its source, by name.
fn path_constants() -> std::collections::BTreeMap<String, String> {
    let src = std::fs::read_to_string(workspace_root().join("shared/src/api.rs")).unwrap();
    src.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub const ")?;
            let (name, rest) = rest.split_once(": &str = \"")?;
            let (value, _) = rest.split_once('"')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// The (method, route) pairs the router declares, read from its source: a route is a
/// string literal or a `paths::NAME` of `shared::api::paths`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = std::fs::read_to_string(workspace_root().join("backend/src/routes/mod.rs")).unwrap();
    let constants = path_constants();
    let mut out = BTreeSet::new();
    for part in src.split(".route(").skip(1) {
        let (route, rest) = if let Some(literal) = part.strip_prefix('"') {
            literal.split_once('"').map(|(r, rest)| (r.to_owned(), rest)).unwrap()
        } else {
            let name = part.strip_prefix("paths::").expect("a route is a literal or a paths:: constant");
            let end = name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap();
            let route = constants.get(&name[..end]).unwrap_or_else(|| panic!("no paths::{}", &name[..end]));
            (route.clone(), &name[end..])
        };
        let call = &rest[..rest.find("))").map_or(rest.len(), |i| i + 1)];
        for method in ["get", "put", "post", "delete", "patch", "any"] {
            if call.contains(&format!("{method}(")) {
                // `any` routes are checked with GET.
                let m = if method == "any" { "GET".to_owned() } else { method.to_uppercase() };
                out.insert((m, route.clone()));
            }
        }
    }
    out
}

#[test]
fn every_route_the_router_declares_is_in_the_access_matrix() {
    let declared = declared_routes();
    assert!(declared.len() >= 10, "the router source was not understood: {declared:?}");
    let table: BTreeSet<_> = expectations().iter().map(|r| (r.method.to_owned(), r.route.to_owned())).collect();
    let missing: Vec<_> = declared.difference(&table).collect();
    let stale: Vec<_> = table.difference(&declared).collect();
    assert!(missing.is_empty(), "routes with no row in the access matrix (add them to expectations()): {missing:?}");
    assert!(stale.is_empty(), "rows for routes the router no longer has: {stale:?}");
}

/// The store's size, to see that a request changed nothing (or exactly what it should).
async fn snapshot(relay: &Relay) -> (usize, usize, Vec<String>) {
    let store = relay.state.store();
    let entries = store.all_entries().await.unwrap().len();
    let audit = store.audit_events(0, usize::MAX).await.unwrap().len();
    let mut users: Vec<_> =
        store.users().await.unwrap().into_iter().map(|u| format!("{}:{}", u.name, u.role.code())).collect();
    users.sort();
    (entries, audit, users)
}

struct Scene {
    relay: Relay,
    other_caseworker: String,
    privacy_officer: String,
    admin: String,
    /// The setup entry: uploaded by the demo caseworker into `case`.
    entry: String,
    case: CaseId,
}

impl Scene {
    async fn new() -> Self {
        let relay = Relay::start().await;
        let other_caseworker = relay.add_user("cw-other", Role::Caseworker).await;
        let privacy_officer = relay.add_user("po", Role::PrivacyOfficer).await;
        let admin = relay.add_user("root", Role::Admin).await;
        let case = CaseId::random();
        let bytes = relay.seal(b"setup entry");
        let entry = shared::EntryId::of(&bytes).to_string();
        assert_eq!(relay.put(&case, bytes).await.status(), StatusCode::CREATED);
        Scene { relay, other_caseworker, privacy_officer, admin, entry, case }
    }

    fn token(&self, who: Who) -> Option<(String, String)> {
        let r = &self.relay;
        match who {
            Who::Nobody => None,
            // A real token with its last character changed: shaped right, wrong secret.
            Who::BadToken => {
                let mut t = r.caseworker_token.clone();
                let last = if t.ends_with('A') { 'B' } else { 'A' };
                t.pop();
                t.push(last);
                Some((backend::demo::CASEWORKER.into(), t))
            }
            Who::Caseworker => Some((backend::demo::CASEWORKER.into(), r.caseworker_token.clone())),
            Who::OtherCaseworker => Some(("cw-other".into(), self.other_caseworker.clone())),
            Who::Adviser => Some((backend::demo::ADVISER.into(), r.adviser_token.clone())),
            Who::PrivacyOfficer => Some(("po".into(), self.privacy_officer.clone())),
            Who::Admin => Some(("root".into(), self.admin.clone())),
        }
    }

    /// Sends `method route` as `who`, with whatever the route needs to be a request
    /// that only access could refuse (a fresh valid entry, real ids, real credentials).
    async fn send(&self, method: &str, route: &str, who: Who) -> u16 {
        let r = &self.relay;
        let path = match route {
            "/api/v1/entries/{id}" if method == "PUT" => String::new(),
            "/api/v1/entries/{id}" => format!("/api/v1/entries/{}", self.entry),
            "/api/{*rest}" => "/api/v2/anything".into(),
            other => other.to_owned(),
        };
        let creds = self.token(who);
        let mut req = if method == "PUT" && route == "/api/v1/entries/{id}" {
            let bytes = r.seal(format!("entry by {who:?}").as_bytes());
            let id = shared::EntryId::of(&bytes).to_string();
            r.http
                .put(r.url(&format!("/api/v1/entries/{id}")))
                .header(shared::api::CASE_HEADER, self.case.to_string())
                .header(shared::api::SUPERSEDES_HEADER, &self.entry)
                .header("content-type", "application/octet-stream")
                .body(bytes)
        } else {
            r.http.request(Method::from_bytes(method.as_bytes()).unwrap(), r.url(&path))
        };
        if method == "POST" && route == "/api/v1/entries/read" {
            req = req.json(&serde_json::json!({ "ids": [self.entry] }));
        }
        if method == "POST" && route == "/api/v1/session" {
            // Credentials go in the body, not a header.
            if let Some((name, token)) = &creds {
                req = req.json(&serde_json::json!({ "name": name, "token": token }));
            }
        } else if let Some((_, token)) = &creds {
            req = req.bearer_auth(token);
        }
        req.send().await.expect("the relay answers").status().as_u16()
    }
}

#[tokio::test]
async fn every_route_by_every_role_answers_as_the_table_says_and_refusals_change_nothing() {
    let scene = Scene::new().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in expectations() {
        for who in EVERYONE {
            let want = (row.outcome)(who);
            let before = snapshot(&scene.relay).await;
            let status = scene.send(row.method, row.route, who).await;
            let after = snapshot(&scene.relay).await;
            let got =
                Outcome { status, entries: after.0.wrapping_sub(before.0), audit: after.1.wrapping_sub(before.1) };
            checked += 1;
            if got != want {
                failures.push(format!("{} {} as {who:?}: expected {want:?}, got {got:?}", row.method, row.route));
            }
            if after.2 != before.2 {
                failures.push(format!("{} {} as {who:?} changed the accounts", row.method, row.route));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
    scene.relay.stop().await;
}

/// Someone holding a copy of a colleague's sealed entry (an outbox export, a shared
/// tablet) uploads it first into their own case: the colleague's upload of the same
/// bytes is then 409 `entry_conflict`, not a 200 that would tell them it is theirs
/// while it is listed under someone else.
#[tokio::test]
async fn the_same_bytes_under_another_author_or_case_are_a_conflict_not_already_stored() {
    let scene = Scene::new().await;
    let r = &scene.relay;
    let bytes = r.seal(b"the demo caseworker's entry");
    let id = shared::EntryId::of(&bytes).to_string();
    let thief_case = CaseId::random();
    let res = r.put_as(&scene.other_caseworker, &id, &thief_case.to_string(), bytes.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = r.put_as(&r.caseworker_token, &id, &scene.case.to_string(), bytes.clone()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "entry_conflict");
    // The same author into another of their own cases: also a conflict.
    let res = r.put_as(&scene.other_caseworker, &id, &CaseId::random().to_string(), bytes.clone()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // A true retry (same author, same case) is still "already stored".
    let res = r.put_as(&scene.other_caseworker, &id, &thief_case.to_string(), bytes).await;
    assert_eq!(res.status(), StatusCode::OK);
    scene.relay.stop().await;
}

/// Two caseworkers racing to start the same new case: exactly one owns it.
#[tokio::test]
async fn two_caseworkers_racing_into_a_new_case_cannot_both_own_it() {
    let scene = Scene::new().await;
    let r = &scene.relay;
    for _ in 0..5 {
        let case = CaseId::random().to_string();
        let (a, b) = (r.seal(b"race a"), r.seal(b"race b"));
        let (ida, idb) = (shared::EntryId::of(&a).to_string(), shared::EntryId::of(&b).to_string());
        let (ra, rb) = tokio::join!(
            r.put_as(&r.caseworker_token, &ida, &case, a),
            r.put_as(&scene.other_caseworker, &idb, &case, b)
        );
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 403], "one starts the case, the other is refused");
    }
    scene.relay.stop().await;
}

#[tokio::test]
async fn a_caseworker_cannot_add_to_another_caseworkers_case_and_does_not_see_it() {
    let scene = Scene::new().await;
    let r = &scene.relay;
    // The other caseworker starts their own case: allowed; the demo caseworker cannot add to it.
    let own_case = CaseId::random();
    let bytes = r.seal(b"other's entry");
    let id = shared::EntryId::of(&bytes).to_string();
    assert_eq!(
        r.put_as(&scene.other_caseworker, &id, &own_case.to_string(), bytes).await.status(),
        StatusCode::CREATED
    );
    let intruding = r.seal(b"intruding entry");
    let intruding_id = shared::EntryId::of(&intruding).to_string();
    let res = r.put_as(&r.caseworker_token, &intruding_id, &own_case.to_string(), intruding).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");
    // Each sees only their own case's entries.
    let page: shared::api::EntryPage = r.get_as(&r.caseworker_token, "/api/v1/entries").await.json().await.unwrap();
    assert!(page.entries.iter().all(|e| e.case == scene.case), "{page:?}");
    let page: shared::api::EntryPage = r.get_as(&scene.other_caseworker, "/api/v1/entries").await.json().await.unwrap();
    assert_eq!(page.entries.iter().map(|e| e.id.to_string()).collect::<Vec<_>>(), vec![id]);
    assert!(
        r.state.store().entry(&intruding_id.parse().unwrap()).await.unwrap().is_none(),
        "the refused entry was stored"
    );
    scene.relay.stop().await;
}

#[tokio::test]
async fn the_privacy_officer_gets_a_verification_report_with_recipient_counts_and_no_ciphertext() {
    let scene = Scene::new().await;
    let r = &scene.relay;
    let res = r.get_as(&scene.privacy_officer, "/api/v1/verification").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let report: shared::api::VerificationReport = serde_json::from_str(&text).unwrap();
    assert!(report.ok, "{text}");
    assert_eq!((report.entries, report.passed, report.checks.len()), (1, 1, 1));
    let keyring = r.keyring().recipients().len();
    assert_eq!(report.keyring_recipients, Some(keyring));
    // The app seals to the keyring and the caseworker's own key.
    assert_eq!(report.checks[0].x25519, keyring + 1);
    assert!(!report.checks[0].below_keyring);
    assert!(report.audit_head.is_some() && report.audit_failure.is_none());
    assert!(!text.contains("age-encryption.org"), "no ciphertext in the report");
    assert!(!text.contains(&r.data.display().to_string()), "no file paths in the report");
    // A damaged blob shows up with its reason.
    let blob = r.state.store().blobs().path(&scene.entry.parse().unwrap());
    let mut bytes = std::fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let report: shared::api::VerificationReport =
        r.get_as(&scene.privacy_officer, "/api/v1/verification").await.json().await.unwrap();
    assert!(!report.ok);
    assert!(report.checks[0].failure.as_deref().is_some_and(|f| f.contains("SHA-256")), "{report:?}");
    scene.relay.stop().await;
}

/// An adviser uploads only re-seals: an entry with no `Amanat-Supersedes`, or naming an
/// entry of another case or none at all, is refused and stores nothing; a caseworker
/// cannot name another caseworker's entry (their case is not theirs).
#[tokio::test]
async fn an_adviser_uploads_only_re_seals_of_entries_already_in_the_case() {
    let scene = Scene::new().await;
    let r = &scene.relay;
    let put = |token: &str, case: CaseId, supersedes: Option<String>, text: &str| {
        let bytes = r.seal(text.as_bytes());
        let id = shared::EntryId::of(&bytes).to_string();
        let mut req = r
            .http
            .put(r.url(&format!("/api/v1/entries/{id}")))
            .bearer_auth(token)
            .header(shared::api::CASE_HEADER, case.to_string())
            .header("content-type", "application/octet-stream")
            .body(bytes);
        if let Some(old) = supersedes {
            req = req.header(shared::api::SUPERSEDES_HEADER, old);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let adviser = r.adviser_token.clone();
    let before = snapshot(r).await;
    assert_eq!(put(&adviser, scene.case, None, "a record of the adviser's own").await, 403);
    assert_eq!(put(&adviser, CaseId::random(), None, "a new case").await, 403);
    assert_eq!(put(&adviser, CaseId::random(), Some(scene.entry.clone()), "wrong case").await, 400);
    let unknown = shared::EntryId::of(b"never stored").to_string();
    assert_eq!(put(&adviser, scene.case, Some(unknown), "unknown entry").await, 400);
    assert_eq!(put(&adviser, scene.case, Some("not-an-id".into()), "bad id").await, 400);
    assert_eq!(put(&scene.other_caseworker, scene.case, Some(scene.entry.clone()), "intruder").await, 403);
    let after = snapshot(r).await;
    assert_eq!((after.0, after.1), (before.0, before.1), "refusals stored and audited nothing");
    assert_eq!(put(&adviser, scene.case, Some(scene.entry.clone()), "the re-seal").await, 201);
    let old: shared::EntryId = scene.entry.parse().unwrap();
    let superseded = r.state.store().superseded().await.unwrap();
    assert_eq!(superseded.len(), 1);
    assert_eq!((superseded[0].entry.meta.id, superseded[0].actor.as_str()), (old, backend::demo::ADVISER));
    scene.relay.stop().await;
}
