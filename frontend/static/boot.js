// Loads the app's WebAssembly. Kept as a file because the relay's CSP forbids inline scripts.
import init from './amanat.js';

// The language catalog the app asks for first (`frontend/src/i18n.rs`: the one chosen on
// this device, kept in IndexedDB `settings` under `locale`, else Uzbek in Latin script),
// asked for now, while the wasm downloads, rather than a round trip after it starts:
// the app's own fetch of the same URL takes this preload's answer.
const LOCALES = ['uz-Latn', 'uz-Cyrl', 'ru', 'kk', 'en'];
function preloadCatalog(tag) {
  if (!LOCALES.includes(tag) || tag === LOCALES[0]) {
    return; // index.html preloads the default's
  }
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'fetch';
  link.crossOrigin = 'anonymous';
  link.href = `/locales/${tag}.ftl`;
  document.head.appendChild(link);
}
function savedLocale(done) {
  let req;
  try {
    req = indexedDB.open('amanat');
  } catch {
    done(null);
    return;
  }
  // No database yet (a first visit): create none, the app makes it at its own version.
  req.onupgradeneeded = () => req.transaction.abort();
  req.onerror = () => done(null);
  req.onsuccess = () => {
    const db = req.result;
    try {
      const get = db.transaction('settings').objectStore('settings').get('locale');
      get.onsuccess = () => done(typeof get.result === 'string' ? get.result : null);
      get.onerror = () => done(null);
    } catch {
      done(null);
    } finally {
      // Never in the way of the app's own open (a version change waits for every
      // connection to close); the read above completes after close().
      db.close();
    }
  };
}
savedLocale(preloadCatalog);

// The service worker keeps the app shell (public files only) so the app opens offline.
// It also refuses app files that are not the build's, and says so: the paths are kept
// here for the page to show (`frontend/src/components/integrity.rs`).
window.amanatIntegrity = [];
let registered = false;
function registerWorker() {
  if (registered || !('serviceWorker' in navigator)) {
    return;
  }
  registered = true;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
}
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data || {};
    if (data.type === 'amanat-integrity' && typeof data.path === 'string') {
      if (!window.amanatIntegrity.includes(data.path)) {
        window.amanatIntegrity.push(data.path);
      }
      window.dispatchEvent(new Event('amanat-integrity'));
    }
  });
  navigator.serviceWorker.startMessages();
  // Registered once the app has drawn its first page (`amanat-painted`, sent by
  // `frontend/src/app.rs`), or at once when the app cannot start: on a first visit the
  // worker's install fetches every file of the app, and on a slow link those bytes
  // would share the line with what the first page still needs.
  window.addEventListener('amanat-painted', registerWorker, { once: true });
}
init({ module_or_path: './amanat_bg.wasm' })
  .then(() => setTimeout(registerWorker, 30000))
  .catch(registerWorker);
