/* Visitor pages: the canonical address after a scan, the offline copy (service worker), "Listen".
   Every page reads fully without this file; it only adds. No library, no other host. */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;

  // A plaque URL answers with the page itself: show the page's own address (bookmarks, shares).
  var canonical = doc.querySelector('link[rel="canonical"]');
  if (canonical && window.history && history.replaceState) {
    var path = new URL(canonical.href).pathname;
    if (location.pathname !== path) history.replaceState(history.state, "", path + location.hash);
  }

  if ("serviceWorker" in navigator) {
    // After the page has loaded: starting the worker and filling its cache never delays the story.
    var register = function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    };
    if (doc.readyState === "complete") register();
    else window.addEventListener("load", register);
    var flush = function () {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("send-scans");
    };
    window.addEventListener("online", flush);
    if (navigator.onLine) flush();
  }

  savedCopyBanner();
  savedPagesList();
  var listen = doc.getElementById("listen");
  if (listen) setUpListen(listen);

  // Set by the service worker on a page it answered from its cache: say so, and how old it is.
  function savedCopyBanner() {
    var savedAt = root.getAttribute("data-saved-at");
    var banner = doc.getElementById("saved-copy");
    if (!savedAt || !banner || isNaN(Date.parse(savedAt))) return;
    var time = banner.querySelector("time");
    time.setAttribute("datetime", savedAt);
    time.textContent = age(Date.parse(savedAt));
    banner.hidden = false;
  }

  function age(when) {
    var seconds = (when - Date.now()) / 1000;
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    try {
      var format = new Intl.RelativeTimeFormat(root.lang, { numeric: "auto" });
      for (var i = 0; i < units.length; i++) {
        if (Math.abs(seconds) >= units[i][1]) return format.format(Math.round(seconds / units[i][1]), units[i][0]);
      }
      return format.format(0, "minute");
    } catch (e) {
      return new Date(when).toLocaleString(root.lang);
    }
  }

  // The offline page lists what the service worker saved (titles kept beside each copy).
  function savedPagesList() {
    var list = doc.getElementById("saved-pages");
    if (!list || !window.caches) return;
    caches.open("heritage-pages-v1").then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return cache.match(key).then(function (r) { return [key, r]; }); }));
      });
    }).then(function (entries) {
      // Site pages only: not their copies under plaque URLs, not the precached offline pages.
      var pages = entries.filter(function (e) {
        return e[1].headers.has("Heritage-Saved-Title") && new URL(e[0].url).pathname.indexOf("/q/") !== 0;
      });
      pages.sort(function (a, b) {
        return (b[1].headers.get("Heritage-Saved-At") || "").localeCompare(a[1].headers.get("Heritage-Saved-At") || "");
      });
      pages.forEach(function (entry) {
        var url = new URL(entry[0].url);
        var title = decodeURIComponent(entry[1].headers.get("Heritage-Saved-Title") || "") || url.pathname;
        var item = doc.createElement("li");
        var link = doc.createElement("a");
        link.href = url.pathname + url.search;
        link.lang = url.pathname.split("/")[1];
        link.textContent = title;
        item.appendChild(link);
        list.appendChild(item);
      });
      var none = doc.getElementById("saved-none");
      if (none) none.hidden = pages.length > 0;
    }).catch(function () {});
  }

  function setUpListen(box) {
    var audio = box.querySelector("audio");
    var session = navigator.mediaSession;
    function mediaSession(state) {
      if (!session || !window.MediaMetadata) return;
      session.metadata = new MediaMetadata({
        title: box.getAttribute("data-title"),
        artist: box.getAttribute("data-artist"),
        artwork: [{ src: box.getAttribute("data-artwork"), sizes: "512x512", type: "image/png" }]
      });
      session.playbackState = state;
    }
    if (audio) {
      audio.addEventListener("play", function () { mediaSession("playing"); });
      audio.addEventListener("pause", function () { mediaSession("paused"); });
      return;
    }
    var synth = window.speechSynthesis;
    if (!synth || !window.SpeechSynthesisUtterance) return; // the controls stay hidden
    var tts = box.querySelector(".tts");
    var play = box.querySelector('[data-listen="play"]');
    var stop = box.querySelector('[data-listen="stop"]');
    var noVoice = box.querySelector('[data-listen="no-voice"]');
    var lang = tts.getAttribute("data-lang");
    var tags = { vi: "vi-VN", en: "en-GB", zh: "zh-CN", ko: "ko-KR" };
    var state = "idle";
    tts.hidden = false;

    function voiceFor() {
      var voices = synth.getVoices() || [];
      var exact = null, near = null;
      for (var i = 0; i < voices.length; i++) {
        var tag = voices[i].lang.replace("_", "-").toLowerCase();
        if (tag === (tags[lang] || lang).toLowerCase()) exact = exact || voices[i];
        else if (tag === lang || tag.indexOf(lang + "-") === 0) near = near || voices[i];
      }
      noVoice.hidden = !(voices.length && !exact && !near);
      return exact || near;
    }
    // Voices are looked up on the first tap, not at load: waking the speech engine costs time.
    var watching = false;

    // The title, the summary and the story, a paragraph per utterance (long ones stop in Chrome).
    function passages() {
      var parts = [];
      doc.querySelectorAll("article h1, [data-read], article .story").forEach(function (el) {
        var blocks = el.querySelectorAll("p, li, h2, h3, h4, blockquote");
        (blocks.length ? Array.prototype.slice.call(blocks) : [el]).forEach(function (b) {
          var text = b.textContent.replace(/\s+/g, " ").trim();
          if (text) parts.push(text);
        });
      });
      return parts;
    }

    function setState(next) {
      state = next;
      play.textContent = play.getAttribute(next === "playing" ? "data-pause" : next === "paused" ? "data-resume" : "data-play");
      stop.hidden = next === "idle";
      mediaSession(next === "idle" ? "none" : next);
    }

    function start() {
      synth.cancel();
      if (!watching && synth.addEventListener) synth.addEventListener("voiceschanged", voiceFor);
      watching = true;
      var voice = voiceFor();
      var parts = passages();
      parts.forEach(function (text, i) {
        var utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = tags[lang] || lang;
        if (voice) utterance.voice = voice;
        if (i === parts.length - 1) utterance.onend = function () { setState("idle"); };
        synth.speak(utterance);
      });
      setState("playing");
    }

    function toggle() {
      if (state === "idle") start();
      else if (state === "playing") { synth.pause(); setState("paused"); }
      else { synth.resume(); setState("playing"); }
    }
    function halt() { synth.cancel(); setState("idle"); }

    play.addEventListener("click", toggle);
    stop.addEventListener("click", halt);
    window.addEventListener("pagehide", function () { synth.cancel(); });
    if (session) {
      try {
        session.setActionHandler("play", function () { if (state !== "playing") toggle(); });
        session.setActionHandler("pause", function () { if (state === "playing") toggle(); });
        session.setActionHandler("stop", halt);
      } catch (e) { /* an action this browser does not know */ }
    }
  }
})();
