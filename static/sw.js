/* The visitor's pages with no signal. Served at /sw.js (scope "/") after a first line that sets
   self.HERITAGE: {languages, defaultLanguage, assets: {name: fingerprinted URL}}.

   - Site pages (answers that carry Heritage-Plaque-Code): network first; each one opened is kept,
     under its own address and under its plaque URL /q/CODE, so a later scan opens it offline.
   - Never-saved pages, offline: the offline page in the visitor's language (precached).
   - Our static files and images: from the cache once fetched.
   - A plaque scanned offline is queued and sent once to /api/v1/scans when the network is back.
   - "Save for offline" (static/js/offline-pack.js) hands over a trail's or a district's pages and
     files; they are saved like opened pages, marked as the pack's, and its record lists them so
     removing it deletes what no other pack and no visit of the visitor's own still needs. */
"use strict";
var CONFIG = self.HERITAGE;
var PAGES = "heritage-pages-v1";
var FILES = "heritage-files-v1";
var QUEUE = "heritage-scan-queue-v1";
var PACKS = "heritage-packs-v1";
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
  var data = event.data;
  if (data === "send-scans") event.waitUntil(sendScans());
  else if (data && data.type === "save-pack") event.waitUntil(savePack(data.pack, event.ports[0]));
  else if (data && data.type === "remove-pack") event.waitUntil(removePack(data.key, event.ports[0]));
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
    return saved(code ? "/q/" + code : pageKey(url)).then(function (copy) {
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

// A page's cache key: its path and its query without empty fields, in a fixed order, so a
// district list saved from a link opens from the filter form's address too.
function pageKey(url) {
  var fields = [];
  new URLSearchParams(url.search).forEach(function (value, name) { if (value !== "") fields.push([name, value]); });
  fields.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
  var query = new URLSearchParams(fields).toString();
  return url.pathname + (query ? "?" + query : "");
}

// One copy under the page's address and, for a site page, one under its plaque URL, with when
// and what it was. A copy a pack saves is marked as the pack's, unless the visitor opened that
// page first: removing the pack then leaves it.
function save(url, response, byPack) {
  var code = response.headers.get("Heritage-Plaque-Code");
  var address = pageKey(new URL(response.headers.get("Content-Location") || url.pathname + url.search, self.location.origin));
  var savedAt = new Date(response.headers.get("Date") || Date.now());
  return Promise.all([response.text(), caches.open(PAGES)]).then(function (opened) {
    var html = opened[0], cache = opened[1];
    return (byPack ? cache.match(address) : Promise.resolve(null)).then(function (before) {
      var title = (/<title>([^<]*)<\/title>/.exec(html) || [])[1] || address;
      var headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Heritage-Saved-At": (isNaN(savedAt) ? new Date() : savedAt).toISOString(),
        "Heritage-Saved-Title": encodeURIComponent(unescapeHtml(title))
      };
      if (code) headers["Heritage-Plaque-Code"] = code;
      if (byPack && (!before || before.headers.get("Heritage-Saved-By") === "pack")) headers["Heritage-Saved-By"] = "pack";
      var puts = [cache.put(address, new Response(html, { headers: headers }))];
      if (code) puts.push(cache.put("/q/" + code, new Response(html, { headers: headers })));
      return Promise.all(puts);
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
        // A photo in another rendition than the one a pack saved (the screen was turned): that one.
        var standIn = current ? Promise.resolve(current) : aliasOf(url.pathname);
        return standIn.then(function (other) { return other ? cache.match(other) : null; }).then(function (r) {
          return r || Response.error();
        });
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

// --- Packs: a trail or a district saved for offline ---------------------------------------------

function packAddress(key) {
  return "/offline-packs/" + encodeURIComponent(key);
}

function packRecords() {
  return caches.open(PACKS).then(function (cache) { return cache.matchAll(); }).then(function (answers) {
    return Promise.all(answers.map(function (answer) { return answer.json(); }));
  });
}

function aliasOf(path) {
  return packRecords().then(function (records) {
    for (var i = 0; i < records.length; i++) {
      if (records[i].aliases && records[i].aliases[path]) return records[i].aliases[path];
    }
    return null;
  }).catch(function () { return null; });
}

// `width` downloads at a time: a weak link is shared, not flooded.
function inTurns(items, width, work) {
  var next = 0;
  function lane() {
    if (next >= items.length) return Promise.resolve();
    var item = items[next++];
    return work(item).then(lane);
  }
  var lanes = [];
  for (var i = 0; i < Math.min(width, items.length); i++) lanes.push(lane());
  return Promise.all(lanes);
}

// pack: {key, name, lang, page, pages: [{url, bytes}], files: [{url, bytes}], aliases: {url: url}}.
// Progress goes back through `port`; the record is written last, so a pack is saved or it is not.
function savePack(pack, port) {
  var items = pack.pages.map(function (p) { return { url: p.url, bytes: p.bytes, page: true }; })
    .concat(pack.files.map(function (f) { return { url: f.url, bytes: f.bytes }; }));
  var total = items.reduce(function (sum, item) { return sum + item.bytes; }, 0);
  var done = 0;
  function tell(message) { if (port) port.postMessage(message); }
  tell({ type: "progress", bytes: 0, total: total });
  return caches.open(FILES).then(function (files) {
    return inTurns(items, 3, function (item) {
      return fetch(item.url, { credentials: "same-origin", cache: item.page ? "no-cache" : "default" }).then(function (response) {
        if (!response.ok) throw new Error(item.url + " answered " + response.status);
        return item.page ? save(new URL(item.url, self.location.origin), response, true) : files.put(item.url, response);
      }).then(function () {
        done += item.bytes;
        tell({ type: "progress", bytes: done, total: total });
      });
    });
  }).then(function () {
    var record = {
      key: pack.key,
      name: pack.name,
      lang: pack.lang,
      page: pack.page,
      savedAt: new Date().toISOString(),
      pages: pack.pages.map(function (p) { return p.url; }),
      files: pack.files.map(function (f) { return f.url; }),
      aliases: pack.aliases || {},
      bytes: total
    };
    return caches.open(PACKS).then(function (cache) {
      return cache.put(packAddress(pack.key), new Response(JSON.stringify(record), { headers: { "Content-Type": "application/json" } }));
    }).then(function () { tell({ type: "saved", savedAt: record.savedAt }); });
  }).catch(function (error) { tell({ type: "failed", message: String(error) }); });
}

// Deletes the pack's pages and files, but not what another pack lists, the precached files, or a
// page the visitor opened themselves (no longer marked as the pack's).
function removePack(key, port) {
  function tell(message) { if (port) port.postMessage(message); }
  return packRecords().then(function (records) {
    var mine = records.filter(function (r) { return r.key === key; })[0];
    if (!mine) return null;
    var kept = {};
    records.forEach(function (r) {
      if (r.key !== key) r.pages.concat(r.files).forEach(function (u) { kept[u] = true; });
    });
    ASSET_URLS.forEach(function (u) { kept[u] = true; });
    return Promise.all([caches.open(PAGES), caches.open(FILES)]).then(function (open) {
      var pages = open[0], files = open[1];
      var work = mine.pages.filter(function (u) { return !kept[u]; }).map(function (u) {
        var address = pageKey(new URL(u, self.location.origin));
        return pages.match(address).then(function (hit) {
          if (!hit || hit.headers.get("Heritage-Saved-By") !== "pack") return null;
          var code = hit.headers.get("Heritage-Plaque-Code");
          return Promise.all([pages.delete(address), code ? pages.delete("/q/" + code) : null]);
        });
      }).concat(mine.files.filter(function (u) { return !kept[u]; }).map(function (u) { return files.delete(u); }));
      return Promise.all(work);
    });
  }).then(function () {
    return caches.open(PACKS).then(function (cache) { return cache.delete(packAddress(key)); });
  }).then(function () { tell({ type: "removed" }); }, function (error) { tell({ type: "failed", message: String(error) }); });
}
