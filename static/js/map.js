// The map page: every listed site from /api/v1/map, clustered, one shape and colour per kind,
// approximate locations drawn as circles of their radius. Strings come translated in data-*.
(function () {
  "use strict";
  var box = document.getElementById("site-map");
  var status = document.getElementById("map-status");
  if (!box || !window.L) return;
  var COLOURS = {
    heritage_relic: "#9b2c1f",
    red_address: "#c98a00",
    border_marker: "#1f4e5f",
    scenic_spot: "#2f7d32"
  };
  var map = L.map(box, { scrollWheelZoom: false }).setView([21.0, 107.3], 9);
  L.tileLayer(box.dataset.tiles, {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
  }).addTo(map);
  var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
  var circles = L.layerGroup();

  function popup(props) {
    var wrap = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = props.name;
    if (props.is_fallback) name.lang = props.lang;
    wrap.appendChild(name);
    if (props.precision === "approximate") {
      var note = document.createElement("div");
      note.textContent = box.dataset.approximate;
      wrap.appendChild(note);
    }
    var link = document.createElement("a");
    link.href = props.page_path;
    link.textContent = box.dataset.read;
    wrap.appendChild(document.createElement("br"));
    wrap.appendChild(link);
    return wrap;
  }

  function draw(collection) {
    var bounds = [];
    collection.features.forEach(function (feature) {
      var props = feature.properties;
      var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
      var marker = L.marker(at, {
        icon: L.divIcon({ className: "pin pin-" + props.kind, iconSize: [18, 18] }),
        title: props.name,
        alt: props.name,
        keyboard: true
      });
      marker.bindPopup(popup(props));
      clusters.addLayer(marker);
      if (props.precision === "approximate" && props.radius_m) {
        circles.addLayer(L.circle(at, {
          radius: props.radius_m,
          color: COLOURS[props.kind] || "#5f5a54",
          weight: 1,
          fillOpacity: 0.08,
          interactive: false
        }));
      }
      bounds.push(at);
    });
    circles.addTo(map);
    clusters.addTo(map);
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    box.dataset.markers = String(bounds.length);
  }

  fetch(box.dataset.sites, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (body) {
      if (!body.ok) throw new Error(body.error && body.error.message);
      draw(body.data);
    })
    .catch(function () { status.textContent = box.dataset.failed; });
})();
