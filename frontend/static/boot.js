// Loads the app's WebAssembly. Kept as a file because the relay's CSP forbids inline scripts.
import init from './amanat.js';
init({ module_or_path: './amanat_bg.wasm' });

// The service worker keeps the app shell (public files only) so the app opens offline.
// It also refuses app files that are not the build's, and says so: the paths are kept
// here for the page to show (`frontend/src/components/integrity.rs`).
window.amanatIntegrity = [];
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
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
}
