/* Convene badge scanner: service worker (plain JS, no build step).

   Served by checkin.views.service_worker at /scan/sw.js (scope /scan/), which puts
   `self.SCANNER_SW` in front of this file:
     { version, shell, assets: [...], api }
   - `shell` is the scanner page (/scan/); `assets` are the static URLs it loads, as
     rendered by {% static %} (hashed in production).
   - `version` is derived from those URLs (and, when the URLs carry no content hash,
     from the files themselves), so a deploy that changes any of them installs a new
     cache and the old ones are deleted on activate.

   Strategy:
   - the scanner page (a GET navigation to `shell`): network first; when the network
     fails, answers 502/503/504, or takes too long, the cached copy of the page;
   - the precached static assets: cache first;
   - the API (`api`, i.e. /api/...): never cached, never answered here. The page queues
     scans in IndexedDB itself when the API can't be reached;
   - anything else: left to the browser.

   This file alone (without SCANNER_SW) does nothing.
*/
/* global self, caches, URL, URLPattern, Request, fetch, setTimeout, clearTimeout */
(function () {
  "use strict";

  const config = self.SCANNER_SW;
  if (!config || !config.version) return;

  const PREFIX = "convene-scanner-";
  const CACHE = PREFIX + config.version;
  const NAVIGATION_TIMEOUT_MS = 4000; // then the cached page (Wi-Fi that connects but stalls)
  const OFFLINE_STATUSES = new Set([502, 503, 504]); // a proxy with no app behind it

  const absolute = (url) => new URL(url, self.location.href).href;
  const shellUrl = absolute(config.shell);
  const shellPath = new URL(shellUrl).pathname;
  const apiPath = new URL(config.api, self.location.href).pathname;
  const assetUrls = new Set(config.assets.map(absolute));

  function isApi(url) {
    return url.pathname === apiPath.replace(/\/$/, "") || url.pathname.startsWith(apiPath);
  }

  self.addEventListener("install", (event) => {
    // The API bypasses this worker altogether where the browser can route requests
    // (Static Routing API); elsewhere the fetch handler below leaves them alone.
    if (typeof event.addRoutes === "function") {
      try {
        event.waitUntil(
          Promise.resolve(
            event.addRoutes({
              condition: {
                urlPattern:
                  typeof URLPattern === "function"
                    ? new URLPattern({ pathname: apiPath + "*" })
                    : apiPath + "*",
              },
              source: "network",
            })
          ).catch(() => {})
        );
      } catch (error) {
        /* not supported in this form: the fetch handler covers it */
      }
    }
    event.waitUntil(
      caches
        .open(CACHE)
        .then((cache) =>
          // credentials "omit": the page as an anonymous visitor sees it (no account
          // menu, no CSRF token, no flash messages); "reload": not from the HTTP cache.
          cache.addAll(
            [shellUrl, ...assetUrls].map(
              (url) => new Request(url, { credentials: "omit", cache: "reload" })
            )
          )
        )
        .then(() => self.skipWaiting())
    );
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil(
      caches
        .keys()
        .then((names) =>
          Promise.all(
            names
              .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
              .map((name) => caches.delete(name))
          )
        )
        .then(() => self.clients.claim())
    );
  });

  function cachedShell() {
    return caches
      .open(CACHE)
      .then((cache) => cache.match(shellUrl, { ignoreVary: true }))
      .catch(() => undefined);
  }

  /** Network first; the cached page if the network fails, is down, or stalls. */
  function scannerPage(request) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const answer = (response) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(response);
        }
      };
      const fallBack = (response, error) =>
        cachedShell().then((cached) => {
          if (cached) answer(cached);
          else if (response) answer(response);
          else if (!settled) {
            settled = true;
            reject(error);
          }
        });
      const timer = setTimeout(() => {
        cachedShell().then((cached) => {
          if (cached) answer(cached); // else keep waiting for the network
        });
      }, NAVIGATION_TIMEOUT_MS);
      fetch(request).then(
        (response) => {
          if (OFFLINE_STATUSES.has(response.status)) return fallBack(response, null);
          answer(response);
          return undefined;
        },
        (error) => fallBack(null, error)
      );
    });
  }

  /** Cache first (the asset URLs are versioned); the network if it is missing. */
  function asset(request) {
    return caches
      .open(CACHE)
      .then((cache) => cache.match(request, { ignoreVary: true }))
      .then((cached) => cached || fetch(request));
  }

  self.addEventListener("fetch", (event) => {
    const request = event.request;
    if (request.method !== "GET") return;
    const url = new URL(request.url);
    if (url.origin !== self.location.origin) return;
    if (isApi(url)) return; // always the server's answer, never a cached one
    if (request.mode === "navigate") {
      if (url.pathname === shellPath) event.respondWith(scannerPage(request));
      return;
    }
    url.hash = "";
    if (assetUrls.has(url.href)) event.respondWith(asset(request));
  });
})();
