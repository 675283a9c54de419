// Berdaya's service worker, for facilitators in the field: the pages they opened (their groups, the visit form) still
// open without signal, and outbox.js keeps the reports they write there until there is signal. Version {{ version }}.
"use strict";

const SHELL = "berdaya-shell-{{ version }}";
const PAGES = "berdaya-pages"; // the user's own pages: emptied at login and logout
const SHELL_URLS = {{ shell_urls|safe }};
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const STATIC_PREFIX = "{{ static_prefix|escapejs }}";
const FORGET_ON = ["{{ login_url|escapejs }}", "{{ logout_url|escapejs }}"];
// Pages kept for use without signal; nothing from the registry (NIKs) is ever kept on the phone.
const KEPT = [{% for pattern in kept %}new RegExp("{{ pattern|escapejs }}"){% if not forloop.last %}, {% endif %}{% endfor %}];
const PATIENCE_MS = 6000; // on a weak signal, after this long the kept copy is shown instead of waiting on
const KEPT_FOR_MS = 14 * 24 * 3600 * 1000; // a kept page older than two weeks is no longer shown (a lost phone)

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll([...SHELL_URLS, OFFLINE_URL])).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("berdaya-shell-") && n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && FORGET_ON.includes(url.pathname)) {
    event.waitUntil(caches.delete(PAGES)); // another person may use this phone next
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(fromCacheThenRefresh(event, request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, KEPT.some((pattern) => pattern.test(url.pathname))));
  }
});

async function fromCacheThenRefresh(event, request) {
  const cached = await caches.match(request);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => undefined));
    return cached;
  }
  return network;
}

async function kept(request) {
  const cached = await caches.match(request, { cacheName: PAGES });
  if (cached && Date.now() - new Date(cached.headers.get("Date") || 0).getTime() > KEPT_FOR_MS) {
    await (await caches.open(PAGES)).delete(request);
    return undefined;
  }
  return cached;
}

async function page(request, keep) {
  const cached = keep ? await kept(request) : undefined;
  const network = fetch(request).then(async (response) => {
    // A redirect (to the login page, say) or an error page is not the page that was asked for.
    if (keep && response.ok && !response.redirected) await (await caches.open(PAGES)).put(request, response.clone());
    return response;
  });
  if (!cached) {
    try {
      return await network;
    } catch (error) {
      return (await caches.match(OFFLINE_URL)) || Response.error();
    }
  }
  const patience = new Promise((resolve) => setTimeout(() => resolve(cached), PATIENCE_MS));
  return Promise.race([network.catch(() => cached), patience]);
}
