// The map page: the listed sites of the area in view from /api/v1/map (asked again as the visitor
// pans and zooms; many sites come as server clusters), clustered, one shape and colour per kind,
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
  var counted = L.layerGroup(); // the server's clusters: never merged again by the client
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

  // Server clusters (many sites in one grid cell): a count, opening to their area on a tap.
  function clusterMarker(feature) {
    var props = feature.properties;
    var size = props.count < 10 ? "small" : props.count < 100 ? "medium" : "large";
    var label = box.dataset.cluster.replace("{count}", props.count);
    var marker = L.marker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], {
      icon: L.divIcon({
        className: "marker-cluster marker-cluster-" + size,
        html: "<div><span>" + props.count + "</span></div>",
        iconSize: [40, 40]
      }),
      title: label,
      alt: label,
      keyboard: true
    });
    marker.on("click", function () {
      var b = props.bbox;
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [24, 24] });
    });
    return marker;
  }

  function siteMarker(feature) {
    var props = feature.properties;
    var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    var marker = L.marker(at, {
      icon: L.divIcon({ className: "pin pin-" + props.kind, iconSize: [18, 18] }),
      title: props.name,
      alt: props.name,
      keyboard: true
    });
    marker.bindPopup(popup(props));
    if (props.precision === "approximate" && props.radius_m) {
      circles.addLayer(L.circle(at, {
        radius: props.radius_m,
        color: COLOURS[props.kind] || "#5f5a54",
        weight: 1,
        fillOpacity: 0.08,
        interactive: false
      }));
    }
    return marker;
  }

  function draw(collection) {
    var sites = 0;
    clusters.clearLayers();
    counted.clearLayers();
    circles.clearLayers();
    collection.features.forEach(function (feature) {
      if (feature.properties.cluster) {
        counted.addLayer(clusterMarker(feature));
        sites += feature.properties.count;
      } else {
        clusters.addLayer(siteMarker(feature));
        sites += 1;
      }
    });
    box.dataset.markers = String(sites);
  }

  // The area asked for: the view and half again around it, on the server's grid at this zoom, so
  // a small pan needs no new request and answers are the same for every visitor (cacheable).
  var fetched = null, asked = 0;
  function area(zoom) {
    var cell = 360 / (Math.pow(2, zoom) * 4);
    var view = map.getBounds().pad(0.5);
    function down(v) { return Math.floor(v / cell) * cell; }
    function up(v) { return Math.ceil(v / cell) * cell; }
    return L.latLngBounds(
      [Math.max(-90, down(view.getSouth())), Math.max(-180, down(view.getWest()))],
      [Math.min(90, up(view.getNorth())), Math.min(180, up(view.getEast()))]
    );
  }

  function load(first) {
    var zoom = map.getZoom();
    if (!first && fetched && (fetched.all || (fetched.zoom === zoom && fetched.bounds.contains(map.getBounds())))) return;
    var url = box.dataset.sites, bounds = null;
    if (!first) {
      bounds = area(zoom);
      url += "&zoom=" + zoom + "&bbox=" + [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
        .map(function (v) { return +v.toFixed(6); }).join(",");
    }
    var ticket = ++asked;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!body.ok) throw new Error(body.error && body.error.message);
        if (ticket !== asked) return; // the visitor has moved on: a newer answer is coming
        status.textContent = "";
        if (first) {
          // Few sites: this answer holds them all, and panning needs nothing more. Many: it says
          // where they are, then the view asks by area.
          if (!body.meta.clustered) {
            fetched = { all: true };
            draw(body.data);
          }
          var b = body.meta.bounds;
          if (b) map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [24, 24], maxZoom: 13 });
          load(false);
          return;
        }
        fetched = { zoom: zoom, bounds: bounds };
        draw(body.data);
      })
      .catch(function () { if (ticket === asked) status.textContent = box.dataset.failed; });
  }

  circles.addTo(map);
  clusters.addTo(map);
  counted.addTo(map);
  map.on("moveend", function () { load(false); });
  load(true);
})();
