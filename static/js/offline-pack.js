/* "Save for offline" on trail pages and district lists: first the size (the pack's list of pages
   and files, each with its bytes), then the service worker downloads it with the progress shown
   here, or removes it. Photos: the one rendition this phone would show, the way the page's
   <picture> chooses (format it decodes, width for its screen). Strings come translated in data-*. */
(function () {
  "use strict";
  var box = document.getElementById("save-offline");
  if (!box || !("serviceWorker" in navigator) || !window.caches || !window.MessageChannel) return;
  var PACKS = "heritage-packs-v1";
  var lang = document.documentElement.lang;
  var key = box.getAttribute("data-pack-key");
  var parts = {};
  ["check", "start", "remove", "progress", "status"].forEach(function (name) {
    parts[name] = box.querySelector('[data-pack="' + name + '"]');
  });
  // One pixel of each format, to learn what this browser decodes before choosing a rendition.
  var PROBES = {
    "image/avif": "data:image/avif;base64,AAAAIGZ0eXBhdmlmAAAAAGF2aWZtaWYxbWlhZk1BMUIAAADrbWV0YQAAAAAAAAAhaGRscgAAAAAAAAAAcGljdAAAAAAAAAAAAAAAAAAAAAAOcGl0bQAAAAAAAQAAAB5pbG9jAAAAAEQAAAEAAQAAAAEAAAETAAAAIAAAAChpaW5mAAAAAAABAAAAGmluZmUCAAAAAAEAAGF2MDFDb2xvcgAAAABqaXBycAAAAEtpcGNvAAAAFGlzcGUAAAAAAAAAAQAAAAEAAAAQcGl4aQAAAAADCAgIAAAADGF2MUOBAAwAAAAAE2NvbHJuY2x4AAEADQAGgAAAABdpcG1hAAAAAAAAAAEAAQQBAoMEAAAAKG1kYXQSAAoIGAAGiAhoNCAyEh7Hh4VZ3///4sAAAJA1jjx9Nw==",
    "image/webp": "data:image/webp;base64,UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAB0CWJaQAA3AA/u9gAAA="
  };
  var plan = null;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }

  function size(bytes) {
    var mega = bytes >= 1e6;
    var value = mega ? bytes / 1e6 : Math.max(1, Math.round(bytes / 1e3));
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: mega ? "megabyte" : "kilobyte", maximumFractionDigits: 1 }).format(value);
    } catch (e) {
      return value + (mega ? " MB" : " kB");
    }
  }

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
    } catch (e) {
      return new Date(iso).toLocaleString();
    }
  }

  function show(state, message) {
    parts.check.hidden = state !== "new";
    parts.start.hidden = state !== "sized";
    parts.remove.hidden = state !== "saved";
    parts.progress.hidden = state !== "saving";
    parts.status.textContent = message || "";
    box.setAttribute("data-state", state);
  }

  function decodes(type) {
    if (!PROBES[type]) return Promise.resolve(false);
    return new Promise(function (resolve) {
      var probe = new Image();
      probe.onload = function () { resolve(probe.width === 1); };
      probe.onerror = function () { resolve(false); };
      probe.src = PROBES[type];
    });
  }

  // As the page's sizes attribute: the whole screen up to 46rem, else a 42rem column.
  function pick(group, decoded) {
    var type = null;
    for (var i = 0; i < group.length; i++) {
      if (group[i].type && decoded[group[i].type]) { type = group[i].type; break; }
    }
    var sized = group.filter(function (r) { return r.type === type && r.width; });
    if (!sized.length) return group.filter(function (r) { return !r.type; })[0] || group[0];
    sized.sort(function (a, b) { return a.width - b.width; });
    var rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    var slot = (window.innerWidth <= 46 * rem ? window.innerWidth : 42 * rem) * (window.devicePixelRatio || 1);
    for (var j = 0; j < sized.length; j++) if (sized[j].width >= slot) return sized[j];
    return sized[sized.length - 1];
  }

  function measure() {
    show("checking", box.getAttribute("data-checking"));
    var types = Object.keys(PROBES);
    Promise.all([
      fetch(box.getAttribute("data-pack-url"), { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }),
      Promise.all(types.map(decodes))
    ]).then(function (answers) {
      var body = answers[0];
      if (!body.ok) throw new Error(body.error && body.error.message);
      var decoded = {};
      types.forEach(function (type, i) { decoded[type] = answers[1][i]; });
      var pack = body.data, files = pack.files.slice(), aliases = {};
      pack.photos.forEach(function (group) {
        var chosen = pick(group, decoded);
        files.push({ url: chosen.url, bytes: chosen.bytes });
        // Offline, a rendition the browser picks otherwise (a rotated screen) is answered by this one.
        group.forEach(function (r) { aliases[r.url] = chosen.url; });
      });
      plan = { key: pack.key, name: pack.name, lang: pack.lang, page: pack.page, pages: pack.pages, files: files, aliases: aliases };
      var total = pack.pages.concat(files).reduce(function (sum, f) { return sum + f.bytes; }, 0);
      var message = say(box.getAttribute("data-size"), { size: size(total), pages: pack.pages.length, photos: pack.photos.length });
      if (body.meta.sites < body.meta.sites_total) {
        message += " " + say(box.getAttribute("data-partial"), { count: body.meta.sites, total: body.meta.sites_total });
      }
      show("sized", message);
      parts.progress.max = total;
      parts.start.focus();
    }).catch(function () { show("new", box.getAttribute("data-failed")); });
  }

  function ask(message, onAnswer) {
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) { onAnswer(event.data); };
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage(message, [channel.port2]);
    }).catch(function () { show("new", box.getAttribute("data-failed")); });
  }

  function download() {
    if (!plan) return;
    parts.progress.value = 0;
    show("saving");
    ask({ type: "save-pack", pack: plan }, function (answer) {
      if (answer.type === "progress") {
        parts.progress.max = answer.total;
        parts.progress.value = answer.bytes;
        parts.status.textContent = say(box.getAttribute("data-progress"), { done: size(answer.bytes), size: size(answer.total) });
      } else if (answer.type === "saved") {
        show("saved", say(box.getAttribute("data-saved"), { date: when(answer.savedAt) }));
        parts.remove.focus();
      } else {
        show("sized", box.getAttribute("data-failed"));
      }
    });
  }

  function removePack() {
    ask({ type: "remove-pack", key: key }, function (answer) {
      if (answer.type === "removed") {
        plan = null;
        show("new", box.getAttribute("data-removed"));
        parts.check.focus();
      } else {
        show("saved", box.getAttribute("data-failed"));
      }
    });
  }

  parts.check.addEventListener("click", measure);
  parts.start.addEventListener("click", download);
  parts.remove.addEventListener("click", removePack);
  box.hidden = false;
  caches.open(PACKS).then(function (cache) {
    return cache.match("/offline-packs/" + encodeURIComponent(key));
  }).then(function (hit) {
    return hit ? hit.json() : null;
  }).then(function (record) {
    if (record) show("saved", say(box.getAttribute("data-saved"), { date: when(record.savedAt) }));
    else show("new");
  }).catch(function () { show("new"); });
})();
