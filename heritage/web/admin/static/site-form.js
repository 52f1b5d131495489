// The site form, better with JavaScript (it works without): "Use my location", a map with a
// draggable pin, a preview of the photo, and typing that is never lost. The draft is kept in
// localStorage as the volunteer types; a save that fails because the connection dropped stays
// on the phone ("saved on this phone, not sent yet") and is sent when the `online` event fires.
(function () {
  "use strict";
  var QUANG_NINH = [21.1, 107.3];
  var pending = null; // a FormData waiting for the network
  var retriedToken = false;
  var inFlight = false; // one request at a time: the retry timer never doubles a save

  function byName(form, name) {
    return form.elements.namedItem(name);
  }

  function say(text, withDiscard, form) {
    var box = document.getElementById("draft-state");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
    if (withDiscard) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = form.dataset.msgDiscard;
      button.addEventListener("click", function () {
        localStorage.removeItem(form.dataset.draftKey);
        window.location.reload();
      });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(button);
    }
  }

  // --- Drafts -------------------------------------------------------------------------------
  function readDraft(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrf_token" || el.type === "submit") return;
      if (el.type === "checkbox") {
        if (!values[el.name]) values[el.name] = [];
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function saveDraft(form) {
    try {
      localStorage.setItem(form.dataset.draftKey, JSON.stringify({ at: Date.now(), values: readDraft(form) }));
    } catch (e) {
      /* storage full or refused: the form itself still holds the typing */
    }
  }

  function restoreDraft(form) {
    var stored = localStorage.getItem(form.dataset.draftKey);
    if (!stored) return false;
    var values;
    try {
      values = JSON.parse(stored).values || {};
    } catch (e) {
      return false;
    }
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || el.type === "file" || el.name === "csrf_token") return;
      if (el.type === "checkbox") {
        var on = values[el.name].indexOf(el.value) !== -1;
        if (el.checked !== on) changed = true;
        el.checked = on;
      } else if (el.value !== values[el.name]) {
        el.value = values[el.name];
        changed = true;
      }
    });
    return changed;
  }

  // --- Sending ------------------------------------------------------------------------------
  function send(form, data) {
    if (inFlight) return;
    inFlight = true;
    say(form.dataset.msgSending, false, form);
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        inFlight = false;
        if (response.redirected && response.ok) {
          pending = null;
          var landed = new URL(response.url);
          if (landed.pathname.indexOf("/admin/login") === 0) {
            // The session ended while the phone was away: sign in, then the form (and draft) again.
            landed.searchParams.set("next", window.location.pathname);
            window.location.assign(landed.toString());
            return null;
          }
          localStorage.removeItem(form.dataset.draftKey);
          window.location.assign(response.url);
          return null;
        }
        return response.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var again = doc.getElementById("site-form");
          if (!again && response.status === 400 && !retriedToken) {
            return freshToken(form, data); // the CSRF token expired while the phone was offline
          }
          pending = null;
          var photo = byName(form, "photo");
          var chosen = photo && photo.files && photo.files.length ? photo.files : null;
          document.title = doc.title;
          document.getElementById("main").replaceWith(doc.getElementById("main"));
          window.scrollTo(0, 0);
          init(); // focuses the first refused field, if any
          // A value refused elsewhere need not cost the photo: it stays chosen, unless it was the problem.
          var fresh = document.getElementById("site-form");
          if (chosen && fresh && !document.getElementById("e-photo")) {
            byName(fresh, "photo").files = chosen;
            byName(fresh, "photo").dispatchEvent(new Event("change"));
          }
          return null;
        });
      })
      .catch(function () {
        inFlight = false;
        // No answer at all: the connection dropped. Keep everything, send when it returns.
        pending = data;
        saveDraft(form);
        say(form.dataset.msgOffline, false, form);
      });
  }

  function freshToken(form, data) {
    retriedToken = true;
    say(form.dataset.msgExpired, false, form);
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var token = doc.querySelector("input[name=csrf_token]");
        if (token) {
          data.set("csrf_token", token.value);
          byName(form, "csrf_token").value = token.value;
        }
        send(form, data);
      });
  }

  function retry() {
    var form = document.getElementById("site-form");
    if (pending && form) send(form, pending);
  }
  window.addEventListener("online", retry);
  // "online" only fires when the phone itself lost the network; a server out of reach is retried.
  setInterval(function () {
    if (pending && navigator.onLine !== false) retry();
  }, 20000);

  // --- Location and map ---------------------------------------------------------------------
  function setupLocation(form) {
    var box = document.getElementById("locate");
    if (!box) return;
    box.hidden = false;
    var lat = byName(form, "latitude");
    var lon = byName(form, "longitude");
    var radius = byName(form, "location_radius_m");
    var precision = byName(form, "location_precision");
    var status = document.getElementById("locate-status");
    var map = null;
    var pin = null;

    function current() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      return isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180 ? [a, b] : null;
    }

    function write(at) {
      lat.value = at[0].toFixed(6);
      lon.value = at[1].toFixed(6);
      if (precision && precision.value === "unknown") precision.value = "approximate";
      saveDraft(form);
    }

    function place(at, zoom) {
      if (!map) return;
      if (!pin) {
        pin = L.marker(at, { draggable: true, autoPan: true, keyboard: true }).addTo(map);
        pin.on("dragend", function () {
          var p = pin.getLatLng();
          write([p.lat, p.lng]);
          status.textContent = box.dataset.moved;
        });
      } else {
        pin.setLatLng(at);
      }
      map.setView(at, zoom || Math.max(map.getZoom(), 16));
    }

    if (window.L) {
      map = L.map("point-map", { scrollWheelZoom: false }).setView(QUANG_NINH, 9);
      L.tileLayer(box.dataset.tiles, {
        maxZoom: 19,
        attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
      }).addTo(map);
      map.on("click", function (event) {
        place([event.latlng.lat, event.latlng.lng]);
        write([event.latlng.lat, event.latlng.lng]);
        status.textContent = box.dataset.moved;
      });
      if (current()) place(current(), 15);
      [lat, lon].forEach(function (input) {
        input.addEventListener("change", function () {
          if (current()) place(current());
        });
      });
    } else {
      document.getElementById("point-map").hidden = true;
    }

    document.getElementById("use-location").addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = box.dataset.unsupported;
        return;
      }
      status.textContent = box.dataset.locating;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var c = position.coords;
          var at = [c.latitude, c.longitude];
          write(at);
          var metres = Math.max(1, Math.round(c.accuracy));
          if (radius) radius.value = String(metres);
          // A phone's fix within a few tens of metres is as good as a survey for a plaque.
          if (precision) precision.value = metres <= 30 ? "surveyed" : "approximate";
          saveDraft(form);
          place(at, 17);
          status.textContent = box.dataset.found.replace("{m}", String(metres));
        },
        function () {
          status.textContent = box.dataset.denied;
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
      );
    });
  }

  // --- Photo preview ------------------------------------------------------------------------
  function setupPhoto(form) {
    var input = byName(form, "photo");
    var preview = document.getElementById("photo-preview");
    if (!input || !preview) return;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !/^image\//.test(file.type)) {
        preview.hidden = true;
        return;
      }
      var reader = new FileReader(); // a data: URL: the page's CSP allows data: images, not blob:
      reader.onload = function () {
        preview.src = reader.result;
        preview.hidden = false;
      };
      reader.readAsDataURL(file);
    });
  }

  function init() {
    var form = document.getElementById("site-form");
    if (!form) return;
    retriedToken = false;
    var showedErrors = !!document.querySelector(".field-error");
    if (!showedErrors && restoreDraft(form)) say(form.dataset.msgRestored, true, form);
    var firstBad = form.querySelector("[aria-invalid=true]");
    if (firstBad) firstBad.focus(); // on a phone the message may be a long scroll away
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { saveDraft(form); }, 300);
    });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saveDraft(form);
      var data = new FormData(form);
      if (navigator.onLine === false) {
        pending = data;
        say(form.dataset.msgOffline, false, form);
        return;
      }
      send(form, data);
    });
    setupLocation(form);
    setupPhoto(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
