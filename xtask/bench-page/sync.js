// The browser half of the sync-throughput row of `cargo xtask bench`, served by the
// relay under test (same origin, so the app's own relay client and session cookie work).
// The test calls `amanatSyncBench(name, token, count, size)`: sign in with the account's
// bearer token (the session cookie the app's requests carry), queue `count` sealed
// entries in the app's real IndexedDB outbox, then time the app's real sync loop until
// the relay has acknowledged every one. Results land in body[data-results]; body[data-ready] says the
// function is there.
import init, * as amanat from "./amanat.js";

async function run(name, token, count, size) {
  await init({ module_or_path: "./amanat_bg.wasm" });
  const signIn = await fetch("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, token }),
    cache: "no-store",
  });
  if (!signIn.ok) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);

  document.getElementById("state").textContent = "queueing";
  const queueStart = performance.now();
  const ids = (await amanat.bench_sync_queue(name, count, size)).split("\n").filter((l) => l);
  const queueMs = performance.now() - queueStart;

  document.getElementById("state").textContent = "syncing";
  const syncMs = await amanat.bench_sync_run(name, count, 1200);
  return { count, size, queue_ms: queueMs, sync_ms: syncMs, ids };
}

window.amanatSyncBench = (name, token, count, size) => {
  run(name, token, count, size).then(
    (r) => {
      document.body.dataset.results = JSON.stringify(r);
      document.getElementById("state").textContent = "done";
    },
    (e) => {
      document.body.dataset.error = String((e && e.stack) || e);
      document.getElementById("state").textContent = "failed";
    },
  );
};
document.body.dataset.ready = "1";
