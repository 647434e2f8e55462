// The browser half of `cargo xtask bench`: the same four operations on the same bytes
// with Amanat's wasm (`shared::seal` compiled to wasm32) and with typage. Each side
// opens the other's ciphertext once first, so both do real, compatible age work.
import * as typage from "./typage.js";
import init, * as amanat from "./amanat.js";

const RECORD = 10 * 1024;
const STREAM = 10 * 1024 * 1024;

function bytes(n, m) {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = i % m;
  return a;
}

// Median over `runs` samples of the time per call, each sample timing `batch` calls in a
// row: the browser's clock ticks in 0.1 ms steps, coarser than one 10 KB record.
async function median(runs, f, batch = 1) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    for (let j = 0; j < batch; j++) await f();
    t.push((performance.now() - s) / batch);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

async function drain(stream) {
  const reader = stream.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.length;
  }
}

function chunked(data) {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= data.length) return c.close();
      c.enqueue(data.subarray(off, off + 65536));
      off += 65536;
    },
  });
}

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function run() {
  await init({ module_or_path: "./amanat_bg.wasm" });
  const record = bytes(RECORD, 251);
  const stream = bytes(STREAM, 253);
  const id1 = await typage.generateX25519Identity();
  const id2 = await typage.generateX25519Identity();
  const recipients = [await typage.identityToRecipient(id1), await typage.identityToRecipient(id2)];

  const encrypter = () => {
    const e = new typage.Encrypter();
    for (const r of recipients) e.addRecipient(r);
    return e;
  };
  const decrypter = () => {
    const d = new typage.Decrypter();
    d.addIdentity(id2);
    return d;
  };

  // Interop first: each side opens the other's record.
  const wasmRecord = amanat.bench_seal(record, recipients.join("\n"));
  const typageRecord = await encrypter().encrypt(record);
  if (!same(await decrypter().decrypt(wasmRecord), record)) throw new Error("typage could not open wasm's record");
  if (!same(amanat.bench_open(typageRecord, id2), record)) throw new Error("wasm could not open typage's record");

  const wasm = {};
  wasm["seal 10 KB record"] = await median(31, () => amanat.bench_seal(record, recipients.join("\n")), 20);
  wasm["open 10 KB record"] = await median(31, () => amanat.bench_open(wasmRecord, id2), 20);
  const wasmStream = amanat.bench_seal(stream, recipients.join("\n"));
  wasm["seal 10 MB stream"] = await median(5, () => amanat.bench_seal(stream, recipients.join("\n")));
  wasm["open 10 MB stream"] = await median(5, () => amanat.bench_open(wasmStream, id2));
  const vaultSetup = amanat.bench_vault_setup("saffron window pelican 58 drum");
  wasm["unlock (Argon2id + unwrap)"] = await median(5, () => amanat.bench_unlock("saffron window pelican 58 drum", vaultSetup));

  const js = {};
  js["seal 10 KB record"] = await median(31, () => encrypter().encrypt(record), 20);
  js["open 10 KB record"] = await median(31, () => decrypter().decrypt(typageRecord), 20);
  const typageStream = await encrypter().encrypt(stream);
  js["seal 10 MB stream"] = await median(5, async () => drain(await encrypter().encrypt(chunked(stream))));
  js["open 10 MB stream"] = await median(5, async () => drain(await decrypter().decrypt(chunked(typageStream))));

  return { wasm, typage: js };
}

run().then(
  (r) => {
    document.body.dataset.results = JSON.stringify(r);
    document.getElementById("state").textContent = "done";
  },
  (e) => {
    document.body.dataset.error = String(e && e.stack || e);
    document.getElementById("state").textContent = "failed";
  },
);
