// The app shell's service worker: keeps the public files of the app (HTML, the
// wasm, its JS glue, styles, icon) so the app opens when the relay cannot be reached
// (mahalla offices are often offline). It never touches /api/: answers of the relay
// (records, keyring, sessions) are not cached here or anywhere (they carry
// Cache-Control: no-store). Nothing personal is ever in these files.
// `cargo xtask build` writes the list of the build's files (the wasm chunks' names come
// from the build) and a name that changes with their hashes in place of the two lines below.
const SHELL = 'amanat-shell-dev';
const FILES = ['/', '/index.html'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Network first (a new build is picked up at once), the kept copy when offline.
self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return;
  }
  const key = req.mode === 'navigate' ? '/index.html' : url.pathname;
  if (req.mode !== 'navigate' && !FILES.includes(key)) {
    return;
  }
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(SHELL).then((c) => c.put(key, copy));
        }
        return res;
      })
      .catch(() => caches.match(key).then((hit) => hit || Response.error())),
  );
});
