// The key holder's opening worker (frontend/src/adviser/pool.rs): runs Amanat's own
// wasm off the page's main thread. It holds the identity it is given in its own memory
// only; the page terminates it to forget the key. Messages: { job, key } → { job, out }
// once the key is parsed; { job, open: Uint8Array } (a bulk-read answer, transferred)
// → { job, out: Uint8Array } (result frames, transferred); failures → { job, error }.
import init, { amanat_worker_key, amanat_worker_open } from './amanat.js';

// The glue has no default path: name the module beside this script.
const ready = init({ module_or_path: new URL('./amanat_bg.wasm', import.meta.url) });

self.onmessage = async (event) => {
  const { job, key, open } = event.data;
  try {
    await ready;
    if (key !== undefined) {
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
