//! The privacy officer's page (`/privacy`): verification one can see.
//!
//! Three sections, each started by its own button and reporting progress in the
//! page's `#status` live region: *This device* (what this browser keeps for the app's
//! origin, sorted by [`crate::privacy::classify`]; no sign-in, it looks at this browser
//! only), *The relay* (after the privacy officer signs in: the relay's verification,
//! the keyring checked here, entries by month, the audit chain; see
//! [`crate::privacy::relay`]; signed in, the caseworker's session rules apply, see
//! `account::session_guard`) and *The app itself* (every served file's SHA-256 beside
//! the release's `hashes.txt`). The page writes nothing to the device.

use leptos::prelude::*;
use shared::api::{Role, SessionInfo};

use crate::account::session_guard;
use crate::account::signin::SignIn;
use crate::components::status::{use_status, Msg};
use crate::i18n::{t, use_i18n, OwnedArg};
use crate::privacy::app_files::{self, FileCheck};
use crate::privacy::chart::BarChart;
use crate::privacy::classify::Kind;
use crate::privacy::device::{self, DeviceScan};
use crate::privacy::relay::{self, RelayReport, SignatureCheck};
use crate::problem::Problem;

fn num(n: usize) -> OwnedArg {
    OwnedArg::Num(n as i64)
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <div class="privacy">
            <h2 id="privacy-title">{t("privacy-title")}</h2>
            <p class="hint">{t("privacy-intro")}</p>
            <DeviceSection />
            <RelaySection />
            <AppSection />
        </div>
    }
}

#[component]
fn DeviceSection() -> impl IntoView {
    let status = use_status();
    let i18n = use_i18n();
    let scan = RwSignal::new(None::<DeviceScan>);
    // Counts finished scans, so a reader (or a test) can tell a new result from the last.
    let runs = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    let run = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let found = device::scan(|place| {
                status.info(Msg::args("privacy-device-scanning", vec![("place", OwnedArg::Str(place.to_owned()))]))
            })
            .await;
            status.info(Msg::args("privacy-device-done", vec![("else", num(found.count(Kind::Else)))]));
            scan.try_set(Some(found));
            runs.try_update(|n| *n += 1);
            busy.try_set(false);
        });
    };
    let counts = move || {
        scan.with(|s| {
            s.as_ref()
                .map(|s| {
                    Kind::ALL
                        .iter()
                        .map(|k| (i18n.tr(&format!("privacy-kind-{}", k.code())), s.count(*k)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <section class="card privacy-device" aria-labelledby="privacy-device-title">
            <h2 id="privacy-device-title">{t("privacy-device-title")}</h2>
            <p class="hint">{t("privacy-device-hint")}</p>
            <button id="privacy-scan" type="button" class="primary" on:click=run prop:disabled=move || busy.get()>
                {t("privacy-device-scan")}
            </button>
            <p class="hint">{t("privacy-device-httponly")}</p>
            {move || scan.get().map(|s| {
                let clean = s.count(Kind::Else) == 0;
                let places: Vec<(String, String)> = s.places.iter().map(|(place, by)| {
                    let parts = Kind::ALL.iter().filter_map(|k| by.get(k).map(|n| format!("{} {n}", k.code()))).collect::<Vec<_>>().join(", ");
                    (place.clone(), parts)
                }).collect();
                view! {
                    <dl class="privacy-counts" id="privacy-counts" data-run=move || runs.get().to_string()>
                        {Kind::ALL.iter().map(|k| view! {
                            <div class=format!("privacy-count privacy-count-{}", k.code())>
                                <dt>{t(format!("privacy-kind-{}", k.code()))}</dt>
                                <dd id=format!("privacy-count-{}", k.code()) data-count=s.count(*k).to_string()>{s.count(*k).to_string()}</dd>
                            </div>
                        }).collect_view()}
                    </dl>
                    <p id="privacy-device-verdict" data-clean=clean.to_string() class:ok=clean class:problem=!clean>
                        {if clean { t("privacy-device-clean") } else { t("privacy-device-else") }}
                    </p>
                    {(!s.hashes_known).then(|| view! { <p class="hint">{t("privacy-device-no_hashes")}</p> })}
                    <BarChart id="privacy-device-chart" title=t("privacy-device-counts")
                        head=Signal::derive(move || (i18n.tr("privacy-col-kind"), i18n.tr("privacy-col-count")))
                        rows=Signal::derive(counts) />
                    {(!s.findings.is_empty()).then(|| view! {
                        <table id="privacy-else" class="privacy-table">
                            <caption>{t("privacy-device-else")}</caption>
                            <thead><tr>
                                <th scope="col">{t("privacy-col-place")}</th>
                                <th scope="col">{t("privacy-col-key")}</th>
                                <th scope="col">{t("privacy-col-field")}</th>
                                <th scope="col">{t("privacy-col-preview")}</th>
                            </tr></thead>
                            <tbody>
                                {s.findings.iter().map(|f| view! {
                                    <tr class="privacy-else-item" data-area=f.area.clone()>
                                        <td>{f.area.clone()}</td><td><code>{f.key.clone()}</code></td>
                                        <td><code>{f.field.clone()}</code></td><td><code>{f.preview.clone()}</code></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                    <table id="privacy-places" class="privacy-table">
                        <caption>{t("privacy-places")}</caption>
                        <thead><tr><th scope="col">{t("privacy-col-place")}</th><th scope="col">{t("privacy-col-count")}</th></tr></thead>
                        <tbody>
                            {places.into_iter().map(|(p, n)| view! { <tr><th scope="row">{p}</th><td>{n}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                    {(!s.unreadable.is_empty()).then(|| view! {
                        <p class="problem">{t("privacy-device-unreadable")} ": " {s.unreadable.join("; ")}</p>
                    })}
                }
            })}
        </section>
    }
}

#[component]
fn RelaySection() -> impl IntoView {
    let session = RwSignal::new(None::<SessionInfo>);
    let on_signed_in = Callback::new(move |s| session.set(Some(s)));
    view! {
        <section class="card privacy-relay" aria-labelledby="privacy-relay-title">
            <h2 id="privacy-relay-title">{t("privacy-relay-title")}</h2>
            {move || match session.get() {
                None => view! {
                    <p class="hint">{t("privacy-relay-hint")}</p>
                    <SignIn role=Role::PrivacyOfficer on_signed_in=on_signed_in />
                }.into_any(),
                Some(s) => view! { <RelayChecks session=s on_end=Callback::new(move |()| session.set(None)) /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RelayChecks(session: SessionInfo, on_end: Callback<()>) -> impl IntoView {
    let status = use_status();
    let i18n = use_i18n();
    let report = RwSignal::new(None::<RelayReport>);
    let busy = RwSignal::new(false);
    let run = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match relay::run(|step| status.info(Msg::key(step))).await {
                Ok(r) => {
                    status.info(Msg::key(if r.all_pass() && !crate::keyring_pin::is_demo_build() {
                        "privacy-relay-all_pass"
                    } else {
                        "privacy-relay-some_fail"
                    }));
                    report.try_set(Some(r));
                }
                Err(e) => status.error(Problem::from(e)),
            }
            busy.try_set(false);
        });
    };
    // Signing in is asking for the check.
    run();
    // The caseworker's rules (idle, other tabs, leaving the page, renewal): every lock
    // signs out and reloads the page.
    let guard = session_guard::install(move || {
        let _ = report.try_set(None);
    });
    let end = move |_| {
        guard.end();
        // Reached only where the page does not reload (a test page).
        status.info(Msg::key("signin-ended"));
        on_end.run(());
    };
    view! {
        <div class="session-bar">
            <span>{t("app-signed_in_as")} " " <strong id="session-name">{session.name.clone()}</strong></span>
            <button id="privacy-relay-run" type="button" on:click=move |_| run() prop:disabled=move || busy.get()>{t("privacy-relay-run")}</button>
            <button id="end-session" type="button" on:click=end>{t("app-end_session")}</button>
        </div>
        {move || report.get().map(|r| {
            // A demo build trusts whatever keyring it saw first: a finding of its own.
            let pinned_build = !crate::keyring_pin::is_demo_build();
            let ok = r.all_pass() && pinned_build;
            let v = &r.verification;
            let check = |id: &'static str, pass: bool, text: Signal<String>| view! {
                <li class="privacy-check" data-check=id data-ok=pass.to_string() class:ok=pass class:problem=!pass>
                    <span class="privacy-check-mark">{if pass { t("privacy-pass") } else { t("privacy-fail") }}</span> ": " {text}
                </li>
            };
            let (entries, passed, fewest, size, events) = (v.entries, v.passed, r.fewest_stanzas().unwrap_or(0), r.keyring_size, v.audit_events);
            let listed = r.listed;
            let audit = r.audit();
            let audit_text = match audit.clone() {
                Ok(()) => Signal::derive(move || i18n.tr_args("privacy-check-audit", &[("events", shared::i18n::Arg::Num(events as i64))])),
                Err(why) => Signal::derive(move || i18n.tr_args("privacy-check-audit_broken", &[("why", shared::i18n::Arg::Str(&why))])),
            };
            let keyring_text = match r.signature {
                SignatureCheck::Pinned => t("privacy-check-keyring-pinned"),
                SignatureCheck::OwnSigner => t("privacy-check-keyring-own"),
                SignatureCheck::Failed(code) => Signal::derive(move || i18n.tr_args("privacy-check-keyring-failed", &[("why", shared::i18n::Arg::Str(&i18n.error(code)))])),
            };
            let months: Vec<(String, usize)> = r.by_month.iter().map(|(m, n)| (m.clone(), *n)).collect();
            let actions: Vec<(String, usize)> = r.audit_actions.iter().map(|(a, n)| (a.clone(), *n)).collect();
            let failing: Vec<_> = v.checks.iter().filter(|c| c.failure.is_some() || c.x25519 < size).cloned().collect();
            view! {
                <p id="privacy-relay-result" data-ok=ok.to_string() class:ok=ok class:problem=!ok>
                    {if ok { t("privacy-relay-all_pass") } else { t("privacy-relay-some_fail") }}
                </p>
                <ul class="privacy-checks" aria-label=move || i18n.tr("privacy-checks")>
                    {check("headers", r.bad_headers() == 0 && passed == entries, Signal::derive(move || i18n.tr_args("privacy-check-headers", &[("passed", shared::i18n::Arg::Num(passed as i64)), ("entries", shared::i18n::Arg::Num(entries as i64))])))}
                    {check("stanzas", r.below_keyring() == 0, Signal::derive(move || i18n.tr_args("privacy-check-stanzas", &[("size", shared::i18n::Arg::Num(size as i64)), ("fewest", shared::i18n::Arg::Num(fewest as i64))])))}
                    {check("audit", audit.is_ok(), audit_text)}
                    {check("build", pinned_build, if pinned_build { t("privacy-check-build-pinned") } else { t("privacy-check-build-demo") })}
                    {check("keyring", !matches!(r.signature, SignatureCheck::Failed(_)), keyring_text)}
                    {check("listing", r.listing_agrees(), Signal::derive(move || i18n.tr_args("privacy-check-listing", &[("entries", shared::i18n::Arg::Num(entries as i64)), ("listed", shared::i18n::Arg::Num(listed as i64))])))}
                </ul>
                {v.audit_head.clone().map(|h| view! { <p class="hint">{t("privacy-audit-head")} " " <code id="privacy-audit-head">{h}</code></p> })}
                {r.audit_rewritten().then(|| {
                    let (seq, since) = r.kept_before.as_ref().map(|k| (k.seq as i64, k.kept_at.clone())).unwrap_or_default();
                    view! {
                        <p id="privacy-audit-rewritten" class="problem" role="alert">
                            {move || i18n.tr_args("privacy-audit-rewritten", &[("seq", shared::i18n::Arg::Num(seq)), ("time", shared::i18n::Arg::Str(&since))])}
                        </p>
                    }
                })}
                {r.kept_now.clone().map(|k| {
                    let (seq, prefix, at) = (k.seq as i64, k.hash.chars().take(16).collect::<String>(), k.kept_at.clone());
                    view! {
                        <p id="privacy-audit-kept" class="hint" data-seq=k.seq.to_string() data-hash=k.hash.clone()>
                            {move || i18n.tr_args("privacy-audit-kept", &[("seq", shared::i18n::Arg::Num(seq)), ("hash", shared::i18n::Arg::Str(&prefix)), ("time", shared::i18n::Arg::Str(&at))])}
                        </p>
                    }
                })}
                {(!failing.is_empty()).then(|| view! {
                    <table id="privacy-failing" class="privacy-table">
                        <caption>{t("privacy-failing-entries")}</caption>
                        <thead><tr><th scope="col">{t("privacy-col-entry")}</th><th scope="col">{t("privacy-col-why")}</th></tr></thead>
                        <tbody>{failing.into_iter().map(|c| view! {
                            <tr class="privacy-failing-entry" data-id=c.id.to_string()>
                                <td><code>{c.id.to_string().chars().take(16).collect::<String>()}</code></td>
                                <td>{c.failure.clone().unwrap_or_else(|| format!("X25519 {} < {size}", c.x25519))}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                })}
                <p id="privacy-entries-total" data-count=r.listed.to_string()>{move || i18n.tr_args("privacy-entries-total", &[("count", shared::i18n::Arg::Num(listed as i64))])}</p>
                <BarChart id="privacy-months" title=t("privacy-entries-by-month")
                    head=Signal::derive(move || (i18n.tr("privacy-col-month"), i18n.tr("privacy-col-entries")))
                    rows=Signal::derive(move || months.clone()) />
                <BarChart id="privacy-audit-actions" title=t("privacy-audit-by-action")
                    head=Signal::derive(move || (i18n.tr("privacy-col-action"), i18n.tr("privacy-col-events")))
                    rows=Signal::derive(move || actions.clone()) />
                <h3 id="privacy-keyring-title">{let version = r.keyring_version; move || i18n.tr_args("privacy-keyring-title", &[("version", shared::i18n::Arg::Num(version as i64))])}</h3>
                <p>{t("privacy-keyring-signer")} " " <code id="privacy-signer-fingerprint" class="privacy-fingerprint">{r.signer_fingerprint.clone()}</code></p>
                <p class="hint">{t("privacy-keyring-compare")}</p>
                <table id="privacy-keyring" class="privacy-table">
                    <caption>{t("privacy-keyring-holders")}</caption>
                    <thead><tr>
                        <th scope="col">{t("privacy-col-label")}</th><th scope="col">{t("privacy-col-role")}</th>
                        <th scope="col">{t("privacy-col-fingerprint")}</th><th scope="col">{t("privacy-col-recipient")}</th>
                    </tr></thead>
                    <tbody>{r.holders.iter().map(|h| view! {
                        <tr class="privacy-holder" data-recipient=h.recipient.clone()>
                            <th scope="row">{h.label.clone()}</th>
                            <td>{t(format!("privacy-role-{}", h.role))}</td>
                            <td><code class="privacy-fingerprint">{h.fingerprint.clone()}</code></td>
                            <td><code class="privacy-recipient">{h.recipient.clone()}</code></td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            }
        })}
    }
}

#[component]
fn AppSection() -> impl IntoView {
    let status = use_status();
    let i18n = use_i18n();
    let files = RwSignal::new(Vec::<FileCheck>::new());
    let list_hash = RwSignal::new(None::<String>);
    let signed = RwSignal::new(None::<app_files::Signature>);
    let done = RwSignal::new(false);
    let runs = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    let run = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        done.set(false);
        files.set(Vec::new());
        leptos::task::spawn_local(async move {
            match app_files::recorded().await {
                None => status.error(Msg::key("privacy-app-no_list")),
                Some((list, own, signature)) => {
                    list_hash.try_set(Some(own));
                    signed.try_set(Some(signature));
                    let count = list.len();
                    for (i, (path, expected)) in list.iter().enumerate() {
                        status
                            .info(Msg::args("privacy-app-checking", vec![("done", num(i + 1)), ("count", num(count))]));
                        let c = app_files::check(path, expected).await;
                        files.try_update(|v| v.push(c));
                    }
                    let bad = files.with_untracked(|v| v.iter().filter(|c| !c.matches()).count());
                    status.info(if bad == 0 {
                        Msg::args("privacy-app-all_match", vec![("count", num(count))])
                    } else {
                        Msg::args("privacy-app-mismatch", vec![("bad", num(bad)), ("count", num(count))])
                    });
                    runs.try_update(|n| *n += 1);
                    done.try_set(true);
                }
            }
            busy.try_set(false);
        });
    };
    let summary = move || {
        let (count, bad) = files.with(|v| (v.len(), v.iter().filter(|c| !c.matches()).count()));
        let args = [("bad", shared::i18n::Arg::Num(bad as i64)), ("count", shared::i18n::Arg::Num(count as i64))];
        (
            count,
            bad,
            if bad == 0 {
                i18n.tr_args("privacy-app-all_match", &args)
            } else {
                i18n.tr_args("privacy-app-mismatch", &args)
            },
        )
    };
    view! {
        <section class="card privacy-app" aria-labelledby="privacy-app-title">
            <h2 id="privacy-app-title">{t("privacy-app-title")}</h2>
            <p class="hint">{t("privacy-app-hint")}</p>
            <button id="privacy-app-run" type="button" on:click=run prop:disabled=move || busy.get()>{t("privacy-app-run")}</button>
            {move || list_hash.get().map(|h| view! { <p class="hint">{t("privacy-app-list_hash")} " " <code id="privacy-hash-list-sha256">{h}</code></p> })}
            {move || signed.get().map(|s| {
                let text = match s {
                    app_files::Signature::Signed => i18n.tr("privacy-app-signed"),
                    app_files::Signature::NotPinned => i18n.tr("privacy-app-not_pinned"),
                    app_files::Signature::Refused(code) => i18n.error(code),
                };
                view! { <p id="privacy-app-signature" role="status" data-state=s.state() class:ok=s == app_files::Signature::Signed class:problem=matches!(s, app_files::Signature::Refused(_))>{text}</p> }
            })}
            {move || done.get().then(|| {
                let (count, bad, text) = summary();
                view! { <p id="privacy-app-summary" data-run=runs.get_untracked().to_string() data-count=count.to_string() data-bad=bad.to_string() class:ok=bad == 0 class:problem=bad != 0>{text}</p> }
            })}
            <table id="privacy-app-files" class="privacy-table" class:hidden=move || files.with(Vec::is_empty)>
                <caption>{t("privacy-app-files")}</caption>
                <thead><tr><th scope="col">{t("privacy-col-file")}</th><th scope="col">{t("privacy-col-result")}</th><th scope="col">SHA-256</th></tr></thead>
                <tbody>
                    <For each=move || files.get() key=|c| c.path.clone() let:c>
                        <tr class="privacy-app-file" data-path=c.path.clone() data-match=c.matches().to_string()>
                            <th scope="row"><code>{c.path.clone()}</code></th>
                            <td>{match (c.matches(), c.served.is_some()) {
                                (true, _) => t("privacy-match"),
                                (false, true) => t("privacy-mismatch"),
                                (false, false) => t("privacy-unreachable"),
                            }}</td>
                            <td><code>{c.served.clone().unwrap_or_default().chars().take(16).collect::<String>()}</code></td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </section>
    }
}
