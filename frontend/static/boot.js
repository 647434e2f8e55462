// Loads the app's WebAssembly. Kept as a file because the relay's CSP forbids inline scripts.
import init from './amanat.js';
init({ module_or_path: './amanat_bg.wasm' });

// The service worker keeps the app shell (public files only) so the app opens offline.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
}
