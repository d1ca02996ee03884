// Lifeline's service worker: makes the console installable and lets it open
// offline to a clear state. Pages come from the network first; the app shell
// (index.html and the hashed assets) is kept for when the network is gone.
// The API and the realtime sockets are never cached.
const SHELL = 'lifeline-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(['/', '/manifest.webmanifest', '/icon-192.png'])),
  );
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws/')) return;
  // The OAuth provider and the CRM connector pages always come from the server: their answers carry the
  // frame-ancestors policy, which a cached shell would not.
  if (url.pathname.startsWith('/oauth/') || url.pathname.startsWith('/connector/')) return;
  if (event.request.mode === 'navigate') {
    event.respondWith(fetch(event.request).catch(() => caches.match('/')));
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(event.request).then(
        (hit) =>
          hit ??
          fetch(event.request).then((res) => {
            const copy = res.clone();
            if (res.ok) void caches.open(SHELL).then((cache) => cache.put(event.request, copy));
            return res;
          }),
      ),
    );
  }
});
