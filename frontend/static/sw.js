// The app shell's service worker: keeps the public files of the app (HTML, the
// wasm, its JS glue, styles, icon) so the app opens when the relay cannot be reached
// (mahalla offices are often offline). It never touches /api/, nor any request to
// another origin (a relay on its own origin, `--relay-origin`): answers of the relay
// (records, keyring, sessions) are not cached here or anywhere (they carry
// Cache-Control: no-store). Nothing personal is ever in these files.
//
// It also guards the app's code: `cargo xtask build` writes every file of the build
// with its SHA-256 in place of the two lines below (this file's own hash is then in
// the build's hashes.txt, which the organisation signs). A file whose bytes do not
// have the build's hash is never cached and never handed to the page: the page gets
// the copy kept from before (checked when it was kept) or an error, and every open
// page is told (message `amanat-integrity`), so it can raise the alarm.
const SHELL = 'amanat-shell-dev';
const FILES = { '/': null, '/index.html': null };

async function sha256(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Whether `res` holds exactly the build's bytes for `key` (a development build, with
// no hashes filled in, checks nothing).
async function genuine(key, res) {
  const expected = FILES[key];
  if (!expected) {
    return true;
  }
  return (await sha256(await res.clone().arrayBuffer())) === expected;
}

async function alarm(path) {
  const pages = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
  for (const page of pages) {
    page.postMessage({ type: 'amanat-integrity', path });
  }
}

// A refused page (index.html on a navigation) is refused before the page it becomes
// exists, so `alarm` finds no one to tell: tell that page once it is there (its
// messages wait until boot.js listens).
async function alarmNewPage(clientId, path) {
  for (let i = 0; i < 100; i++) {
    const page = await self.clients.get(clientId);
    if (page) {
      page.postMessage({ type: 'amanat-integrity', path });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    for (const key of Object.keys(FILES)) {
      // The browser's own cache may answer: a content-tagged file the page has just
      // loaded (`amanat_bg.<tag>.wasm`, kept immutable) is not fetched a second time,
      // and the others (no-cache) are asked again, cheaply (304). Every answer is
      // checked against the build's hash below either way.
      const res = await fetch(key);
      if (!res.ok || !(await genuine(key, res))) {
        // Refuse to install a shell that is not the build's: the old worker stays.
        await alarm(key);
        throw new Error(`${key} is not the build's file`);
      }
      await cache.put(key, res);
    }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Network first (a new build is picked up at once), the kept copy when offline or
// when the network's copy is not the build's.
self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return;
  }
  // The privacy page's check of the served files asks past every cache (no-store):
  // it must see what the relay serves, not this worker's kept copy.
  if (req.cache === 'no-store') {
    return;
  }
  const key = req.mode === 'navigate' ? '/index.html' : url.pathname;
  if (req.mode !== 'navigate' && !(key in FILES)) {
    return;
  }
  const kept = () => caches.match(key).then((hit) => hit || Response.error());
  event.respondWith(
    fetch(req)
      .then(async (res) => {
        if (!res.ok) {
          return res;
        }
        if (!(await genuine(key, res))) {
          await alarm(key);
          if (req.mode === 'navigate' && event.resultingClientId) {
            event.waitUntil(alarmNewPage(event.resultingClientId, key));
          }
          return kept();
        }
        const copy = res.clone();
        caches.open(SHELL).then((c) => c.put(key, copy));
        return res;
      })
      .catch(kept),
  );
});
