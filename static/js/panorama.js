// 360° scenes: the page shows a preview; Pannellum (static/vendor, from npm) is loaded only when
// the visitor taps "View in 360°". No WebGL, or tiles that fail: the flat panorama and a note.
(function () {
  "use strict";
  var loading = null;

  function webgl() {
    try {
      var canvas = document.createElement("canvas");
      return !!(window.WebGLRenderingContext && (canvas.getContext("webgl") || canvas.getContext("experimental-webgl")));
    } catch (e) {
      return false;
    }
  }

  // The level Pannellum draws on a canvas `width` device pixels wide at `hfov` degrees (its
  // checkZoom, libpannellum.js).
  function levelFor(multiRes, width, hfov) {
    var level = 1;
    while (level < multiRes.maxLevel &&
           width > multiRes.tileResolution * Math.pow(2, level - 1) * Math.tan(hfov * Math.PI / 360) * 0.707) {
      level++;
    }
    return level;
  }

  // Pannellum fetches every level below the one it draws, down to one tile per face, and paints
  // over them: at device pixel ratio 3 that was a quarter of the first view's bytes. Below the
  // level this screen needs, the tiles come as small placeholders instead (`from<N>/`,
  // heritage/web/media.py; a tileset stored without them gets its real tiles there), and the
  // view may not widen past what keeps that level. `width`: the canvas's narrowest width, device
  // pixels (a phone turned upright again must not fall to a placeholder level).
  function floored(scene, width) {
    var multiRes = scene.multiRes;
    var floor = levelFor(multiRes, width, scene.hfov || 100);
    if (floor < 2) { return scene; }
    // levelFor() gives `floor` while width > T · 2^(floor-2) · tan(hfov/2) · 0.707.
    var widest = 360 / Math.PI * Math.atan(width / (multiRes.tileResolution * Math.pow(2, floor - 2) * 0.707));
    scene.maxHfov = Math.min(scene.maxHfov || 120, Math.floor(widest * 10 - 1) / 10);
    multiRes.basePath = multiRes.basePath + "/from" + floor;
    return scene;
  }

  function narrowest(box) {
    var width = Math.min(box.clientWidth || Infinity, screen.width || Infinity, screen.height || Infinity);
    return width * (window.devicePixelRatio || 1);
  }

  function loadViewer(figure) {
    if (window.pannellum) { return Promise.resolve(); }
    if (loading) { return loading; }
    // Both the script and its stylesheet: a viewer started before the stylesheet applies sizes
    // its canvas to the unstyled box, and keeps drawing into that (stretched) until a resize.
    var styled = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = figure.getAttribute("data-viewer-css");
      css.onload = resolve;
      css.onerror = reject;
      document.head.appendChild(css);
    });
    var scripted = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = figure.getAttribute("data-viewer-js");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    loading = Promise.all([styled, scripted]);
    return loading;
  }

  function flat(figure) {
    var view = figure.querySelector(".scene-view");
    view.innerHTML = "";
    view.classList.add("scene-flat");
    var image = document.createElement("img");
    image.src = figure.getAttribute("data-fallback");
    image.alt = figure.querySelector("figcaption") ? figure.querySelector("figcaption").textContent : "";
    var note = document.createElement("p");
    note.className = "scene-note";
    note.textContent = figure.getAttribute("data-failed");
    view.appendChild(image);
    // A walk-through: every scene's flat image, so no scene is lost without WebGL.
    var flats = JSON.parse(figure.getAttribute("data-flats") || "[]");
    if (flats.length) {
      image.src = flats[0].src;
      image.alt = flats[0].alt || image.alt;
      for (var f = 1; f < flats.length; f++) {
        var more = document.createElement("img");
        more.src = flats[f].src;
        more.alt = flats[f].alt;
        more.loading = "lazy";
        view.appendChild(more);
      }
    }
    view.appendChild(note);
    figure.setAttribute("data-state", "flat");
  }

  // A scene's own recording plays as the scene opens, but only after the visitor pressed the
  // button (browsers refuse sound nobody asked for, and a visitor in a temple may not want it).
  function narration(figure, viewer) {
    var sources = JSON.parse(figure.getAttribute("data-narrations") || "{}");
    if (!Object.keys(sources).length) { return; }
    var audio = new Audio();
    audio.preload = "none";
    var on = false;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "scene-narration";
    button.setAttribute("aria-pressed", "false");
    button.textContent = figure.getAttribute("data-narration-play");
    figure.insertBefore(button, figure.querySelector("figcaption"));

    function playScene(sceneId) {
      audio.pause();
      var choices = sources[sceneId] || [];
      var chosen = null;
      for (var i = 0; i < choices.length && !chosen; i++) {
        if (audio.canPlayType(choices[i].type)) { chosen = choices[i]; }
      }
      figure.setAttribute("data-narrating", chosen && on ? sceneId : "");
      if (!chosen || !on) { return; }
      audio.src = chosen.src;
      audio.play().catch(function () { figure.setAttribute("data-narrating", ""); });
    }

    button.addEventListener("click", function () {
      on = !on;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = figure.getAttribute(on ? "data-narration-stop" : "data-narration-play");
      if (on) { playScene(viewer.getScene()); } else { audio.pause(); figure.setAttribute("data-narrating", ""); }
    });
    viewer.on("scenechange", function (sceneId) { playScene(sceneId); });
    figure.heritageNarration = audio; // for the browser tests
  }

  function open(figure) {
    if (!webgl()) { flat(figure); return; }
    figure.setAttribute("data-state", "loading");
    loadViewer(figure).then(function () {
      var view = figure.querySelector(".scene-view");
      view.innerHTML = "";
      var box = document.createElement("div");
      box.className = "scene-viewer";
      view.appendChild(box);
      var viewer;
      var tour = figure.getAttribute("data-tour");
      if (tour) {
        // The site's scenes as one tour: hotspots walk between them. Texts are editors' words:
        // Pannellum escapes them only when asked.
        tour = JSON.parse(tour);
        tour.escapeHTML = true;
        for (var key in tour.scenes) {
          if (tour.scenes[key].multiRes) { floored(tour.scenes[key], narrowest(box)); }
        }
        viewer = window.pannellum.viewer(box, tour);
      } else {
        var multiRes = JSON.parse(figure.getAttribute("data-config"));
        multiRes.basePath = figure.getAttribute("data-base");
        viewer = window.pannellum.viewer(box, floored({
          type: "multires",
          multiRes: multiRes,
          autoLoad: true,
          preview: figure.getAttribute("data-preview"),
          showFullscreenCtrl: true,
          compass: false
        }, narrowest(box)));
      }
      figure.heritageViewer = viewer; // for the page's other scripts and the browser tests
      narration(figure, viewer);
      viewer.on("error", function () { flat(figure); });
      // Pannellum's "load" event may fire before a listener can be added; ask it instead.
      var waited = 0;
      var check = setInterval(function () {
        waited += 200;
        if (viewer.isLoaded()) {
          clearInterval(check);
          figure.setAttribute("data-state", "open");
        } else if (waited > 60000) {
          clearInterval(check);
          flat(figure);
        }
      }, 200);
    }, function () { flat(figure); });
  }

  window.heritagePanorama = { floored: floored, narrowest: narrowest }; // for bench/panorama.py
  var scenes = document.querySelectorAll("[data-scene]");
  for (var i = 0; i < scenes.length; i++) {
    (function (figure) {
      var button = figure.querySelector("[data-open]");
      button.hidden = false;
      button.addEventListener("click", function () { open(figure); });
    })(scenes[i]);
  }
})();
