// 360° scene editor: the panorama's tiles in Pannellum (our own copy under /static); "Use this view",
// "Set north here" and "Add the hotspot here" copy the viewer's angles at the centre of the view
// into their form's number inputs before it posts. Without JavaScript the numbers are typed.
(function () {
  "use strict";
  var box = document.querySelector("[data-scene-editor]");
  if (!box) { return; }
  var viewer = null;

  function number(name) {
    var value = box.getAttribute(name);
    return value === "" || value === null ? null : Number(value);
  }

  function start() {
    var config = {
      type: "multires",
      multiRes: JSON.parse(box.getAttribute("data-multires")),
      preview: box.getAttribute("data-preview"),
      autoLoad: true,
      yaw: number("data-yaw") || 0,
      pitch: number("data-pitch") || 0,
      hfov: number("data-hfov") || 100,
      minHfov: 30,
      maxHfov: 120,
      escapeHTML: true,
      showFullscreenCtrl: false,
      hotSpots: JSON.parse(box.getAttribute("data-hotspots") || "[]").map(function (spot) {
        // Drawn with its own icon; a scene link has no sceneId here, so it does not walk away.
        return { type: spot.kind === "scene" ? "scene" : "info", yaw: spot.yaw, pitch: spot.pitch, text: spot.text };
      })
    };
    if (number("data-north") !== null) {
      config.northOffset = number("data-north");
      config.compass = true;
    }
    viewer = window.pannellum.viewer(box, config);
    box.heritageViewer = viewer; // for the browser tests
    var now = document.querySelector("[data-view-now]");
    if (now) {
      now.hidden = false;
      var show = function () {
        now.textContent = now.getAttribute("data-format")
          .replace("{yaw}", viewer.getYaw().toFixed(1))
          .replace("{pitch}", viewer.getPitch().toFixed(1))
          .replace("{hfov}", viewer.getHfov().toFixed(1));
      };
      setInterval(show, 300);
    }
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = box.getAttribute("data-viewer-css");
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = box.getAttribute("data-viewer-js");
  script.onload = start;
  document.head.appendChild(script);

  var buttons = document.querySelectorAll("form[data-takes-view] [data-use-view]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) {
      if (!viewer) { return; } // not loaded: the typed numbers post
      var form = event.currentTarget.form;
      var values = { yaw: viewer.getYaw(), pitch: viewer.getPitch(), hfov: viewer.getHfov() };
      var inputs = form.querySelectorAll("[data-angle]");
      for (var j = 0; j < inputs.length; j++) {
        var angle = inputs[j].getAttribute("data-angle");
        inputs[j].value = (Math.round(values[angle] * 10) / 10).toFixed(1);
      }
    });
  }
})();
