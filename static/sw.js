/* The visitor's pages with no signal. Served at /sw.js (scope "/") after a first line that sets
   self.HERITAGE: {languages, defaultLanguage, assets: {name: fingerprinted URL}}.

   - Site pages (answers that carry Heritage-Plaque-Code): network first; each one opened is kept,
     under its own address and under its plaque URL /q/CODE, so a later scan opens it offline.
   - Never-saved pages, offline: the offline page in the visitor's language (precached).
   - Our static files and images: from the cache once fetched.
   - A plaque scanned offline is queued and sent once to /api/v1/scans when the network is back. */
"use strict";
var CONFIG = self.HERITAGE;
var PAGES = "heritage-pages-v1";
var FILES = "heritage-files-v1";
var QUEUE = "heritage-scan-queue-v1";
var ASSET_URLS = Object.keys(CONFIG.assets).map(function (name) { return CONFIG.assets[name]; });
var HASHED = /^(.+)\.[0-9a-f]{10}(\.[A-Za-z0-9]+)$/;

self.addEventListener("install", function (event) {
  var offline = CONFIG.languages.map(function (lang) { return "/" + lang + "/offline"; });
  event.waitUntil(
    Promise.all([
      caches.open(PAGES).then(function (cache) { return cache.addAll(offline); }),
      caches.open(FILES).then(function (cache) { return cache.addAll(ASSET_URLS); })
    ]).then(function () { return self.skipWaiting(); })
  );
});

// The page that installed the worker (often the very first scan) was fetched without it: keep it
// now, by its own address (after a scan the page has put its canonical address in the bar).
self.addEventListener("activate", function (event) {
  event.waitUntil(
    self.clients.claim().then(function () {
      return self.clients.matchAll({ type: "window" });
    }).then(function (windows) {
      return Promise.all(windows.map(function (client) {
        var url = new URL(client.url);
        if (url.origin !== self.location.origin || scanCode(url)) return null;
        return fetch(url.pathname, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && response.headers.has("Heritage-Plaque-Code")) return save(url, response);
        }).catch(function () {});
      }));
    }).then(sendScans)
  );
});

self.addEventListener("message", function (event) {
  if (event.data === "send-scans") event.waitUntil(sendScans());
});

self.addEventListener("sync", function (event) {
  if (event.tag === "scans") event.waitUntil(sendScans());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(event, url));
  } else if (url.pathname.indexOf("/static/") === 0 || (request.destination === "image" && !request.headers.has("range"))) {
    event.respondWith(file(request, url));
  }
});

function scanCode(url) {
  var match = /^\/q\/([^/]+)$/i.exec(url.pathname);
  return match ? decodeURIComponent(match[1]).trim().toUpperCase() : null;
}

function languageOf(url) {
  var first = url.pathname.split("/")[1];
  if (CONFIG.languages.indexOf(first) >= 0) return first;
  var wanted = (self.navigator.languages || [self.navigator.language || ""]);
  for (var i = 0; i < wanted.length; i++) {
    var base = String(wanted[i]).toLowerCase().split("-")[0];
    if (CONFIG.languages.indexOf(base) >= 0) return base;
  }
  return CONFIG.defaultLanguage;
}

function page(event, url) {
  var code = scanCode(url);
  return fetch(event.request).then(function (response) {
    if (response.ok && response.headers.has("Heritage-Plaque-Code")) {
      event.waitUntil(save(url, response.clone()));
    }
    event.waitUntil(sendScans());
    return response;
  }, function () {
    return saved(code ? "/q/" + code : url.pathname).then(function (copy) {
      if (code) event.waitUntil(queueScan(code, copy ? copy.lang : languageOf(url)));
      if (copy) return copy.response;
      return caches.open(PAGES).then(function (cache) {
        return cache.match("/" + languageOf(url) + "/offline");
      }).then(function (offline) {
        return offline || Response.error();
      });
    });
  });
}

// One copy under the page's address and one under its plaque URL, with when and what it was.
function save(url, response) {
  var code = response.headers.get("Heritage-Plaque-Code");
  var address = response.headers.get("Content-Location") || url.pathname;
  var savedAt = new Date(response.headers.get("Date") || Date.now());
  return response.text().then(function (html) {
    var title = (/<title>([^<]*)<\/title>/.exec(html) || [])[1] || address;
    var headers = {
      "Content-Type": "text/html; charset=utf-8",
      "Heritage-Plaque-Code": code,
      "Heritage-Saved-At": (isNaN(savedAt) ? new Date() : savedAt).toISOString(),
      "Heritage-Saved-Title": encodeURIComponent(unescapeHtml(title))
    };
    return caches.open(PAGES).then(function (cache) {
      return Promise.all([
        cache.put(address, new Response(html, { headers: headers })),
        cache.put("/q/" + code, new Response(html, { headers: headers }))
      ]);
    });
  });
}

function unescapeHtml(text) {
  return text.replace(/&#39;/g, "'").replace(/&#34;|&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

// A saved copy marked for the page's script (banner: "a copy saved ... ago").
function saved(key) {
  return caches.open(PAGES).then(function (cache) { return cache.match(key); }).then(function (hit) {
    if (!hit) return null;
    var savedAt = hit.headers.get("Heritage-Saved-At") || "";
    return hit.text().then(function (html) {
      var lang = (/<html lang="([^"]+)"/.exec(html) || [])[1];
      return {
        lang: CONFIG.languages.indexOf(lang) >= 0 ? lang : CONFIG.defaultLanguage,
        response: new Response(html.replace("<html ", '<html data-saved-at="' + savedAt + '" '), {
          headers: { "Content-Type": "text/html; charset=utf-8" }
        })
      };
    });
  });
}

// Cache first: fingerprinted files never change; an image, once seen, is good offline.
function file(request, url) {
  return caches.open(FILES).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && response.status === 200) cache.put(request, response.clone());
        return response;
      }, function () {
        // A page saved before a deploy names an older fingerprint: offer today's file instead.
        var match = HASHED.exec(url.pathname);
        var current = match && ASSET_URLS.filter(function (u) {
          var m = HASHED.exec(u);
          return m && m[1] + m[2] === match[1] + match[2];
        })[0];
        return (current ? cache.match(current) : Promise.resolve(null)).then(function (r) { return r || Response.error(); });
      });
    });
  });
}

function queueScan(code, lang) {
  var scan = { id: self.crypto.randomUUID(), code: code, lang: lang };
  return caches.open(QUEUE).then(function (cache) {
    return cache.put("/scan-queue/" + scan.id, new Response(JSON.stringify(scan)));
  }).then(function () {
    if (self.registration.sync) return self.registration.sync.register("scans").catch(function () {});
  });
}

// Each queued scan is sent once: dropped after any answer but "try later" (5xx, 429), and kept
// when the network is still down. The server counts an id only once, should an answer be lost.
var sending = null;
function sendScans() {
  if (sending) return sending;
  sending = caches.open(QUEUE).then(function (cache) {
    return cache.keys().then(function (keys) {
      return keys.reduce(function (previous, key) {
        return previous.then(function () {
          return cache.match(key).then(function (stored) { return stored.text(); }).then(function (body) {
            return fetch("/api/v1/scans", {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: body,
              credentials: "same-origin"
            });
          }).then(function (response) {
            if (response.status < 500 && response.status !== 429) return cache.delete(key);
          });
        });
      }, Promise.resolve());
    });
  }).catch(function () {}).then(function () { sending = null; });
  return sending;
}
