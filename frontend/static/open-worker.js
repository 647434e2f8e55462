// The key holder's opening worker (frontend/src/adviser/pool.rs): runs Amanat's own
// wasm off the page's main thread. It holds the identity it is given in its own memory
// only; the page terminates it to forget the key. Messages: { job, key } → { job, out }
// once the key is parsed; { job, open: Uint8Array } (a bulk-read answer, transferred)
// → { job, out: Uint8Array } (result frames, transferred); failures → { job, error }.
// A one-off unlocking worker (frontend/src/adviser/unlock.rs) gets { job, unlock:
// Uint8Array (a passphrase-protected identity file), passphrase: Uint8Array (UTF-8,
// transferred; wiped here after use) } → { job, out: Uint8Array } (the identities as an
// identity file, transferred) or { job, error: code }; the page then ends it.
// The caseworker vault's one-off Argon2id worker (frontend/src/vault/kdf_worker.rs)
// gets { job, derive: Uint8Array (the passphrase, UTF-8, transferred; wiped here after
// use), salt: Uint8Array } → { job, out: Uint8Array (the 32-byte master key,
// transferred) } or { job, error: code }; the page then ends it.
import init, { amanat_worker_derive, amanat_worker_key, amanat_worker_open, amanat_worker_unlock } from './amanat.js';

// The glue has no default path: name the module beside this script.
const ready = init({ module_or_path: new URL('./amanat_bg.wasm', import.meta.url) });

self.onmessage = async (event) => {
  const { job, key, open, unlock, passphrase, derive, salt } = event.data;
  try {
    await ready;
    if (derive !== undefined) {
      let out;
      try {
        out = await amanat_worker_derive(derive, salt);
      } finally {
        derive.fill(0);
      }
      self.postMessage({ job, out }, [out.buffer]);
    } else if (unlock !== undefined) {
      let out;
      try {
        out = await amanat_worker_unlock(unlock, passphrase);
      } finally {
        passphrase.fill(0);
      }
      self.postMessage({ job, out }, [out.buffer]);
    } else if (key !== undefined) {
      await amanat_worker_key(key);
      self.postMessage({ job, out: new Uint8Array(0) });
    } else {
      const out = await amanat_worker_open(open);
      self.postMessage({ job, out }, [out.buffer]);
    }
  } catch (e) {
    self.postMessage({ job, error: String(e && e.message ? e.message : e) });
  }
};
