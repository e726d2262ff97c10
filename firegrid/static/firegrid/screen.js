/* 指挥大屏: the map of the area's child outlines (Leaflet, no tiles unless a tile server is configured),
 * a click on an area drills into it, and the whole screen refreshes every N seconds while the tab is
 * visible. Every refresh and drill asks the JSON view for the page's fragments (rendered by the server's
 * own templates) and the map's GeoJSON; the URL carries the area, mode and campaign, so a screen can be
 * bookmarked and the browser's back button goes up again. The page stays in full screen throughout. */
(function () {
  "use strict";

  var body = document.body;
  var mapEl = document.getElementById("screen-map");
  if (!mapEl || !window.L) return;
  var dataUrl = body.dataset.dataUrl;
  var refreshMs = Math.max(15, parseInt(body.dataset.refresh, 10) || 60) * 1000;
  var stale = document.getElementById("screen-stale");

  // No attribution flag on a government screen: Leaflet's prefix is plain text here (Leaflet 1.9 option).
  var map = L.map(mapEl, { crs: L.CRS.EPSG3857, attributionControl: false, zoomSnap: 0.25, minZoom: 6 });
  L.control.attribution({ prefix: "Leaflet" }).addTo(map);
  if (mapEl.dataset.tiles) {
    L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19, attribution: mapEl.dataset.attribution || "" }).addTo(map);
  }
  var frameLayer = L.layerGroup().addTo(map);
  var areaLayer = L.layerGroup().addTo(map);
  var pointLayer = L.layerGroup().addTo(map);
  var shownArea = null;
  var timer = null;

  function drill(id) {
    var params = new URLSearchParams(location.search);
    params.set("area", id);
    load("?" + params.toString(), true);
  }

  function label(props) {
    var box = document.createElement("div");
    box.appendChild(document.createTextNode(props.name));
    var value = document.createElement("small");
    value.textContent = props.text;
    box.appendChild(value);
    return box;
  }

  function drawPoints(url) {
    pointLayer.clearLayers();
    if (!url) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.points.forEach(function (p) {
          var colour = data.colours[p[2]] || "#909399";
          L.circleMarker([p[0], p[1]], { radius: 6, color: "#0b1526", weight: 1, fillColor: colour, fillOpacity: 0.95 })
            .bindTooltip(p[3] + " · " + (data.labels[p[2]] || p[2]))
            .addTo(pointLayer);
        });
      });
  }

  function drawMap(data) {
    frameLayer.clearLayers();
    areaLayer.clearLayers();
    var frame = data.frame ? L.geoJSON(data.frame, {
      interactive: false, style: { color: "#e6edf6", weight: 3, fill: false }
    }).addTo(frameLayer) : null;
    var areas = L.geoJSON(data.features, {
      style: function (f) {
        return { color: "#cfe3ff", weight: 1.5, opacity: 0.9, fillColor: f.properties.colour, fillOpacity: 0.72 };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(label(f.properties), { permanent: true, direction: "center", className: "screen-label" });
        layer.on("click", function () { drill(f.properties.id); });
        layer.on("mouseover", function () { layer.setStyle({ weight: 4, color: "#ffffff" }); });
        layer.on("mouseout", function () { areas.resetStyle(layer); });
        // For tests and assistive tools: which area a shape is, and that it can be clicked.
        layer.on("add", function () {
          var el = layer.getElement && layer.getElement();
          if (el) {
            el.setAttribute("data-area", f.properties.id);
            el.setAttribute("aria-label", [f.properties.name, f.properties.text, f.properties.detail].join(" "));
          }
        });
      }
    }).addTo(areaLayer);
    // Fit the view only when the area changes: a refresh must not move what people are looking at.
    if (shownArea !== data.area.id) {
      var bounds = (frame && frame.getBounds().isValid()) ? frame.getBounds() : areas.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24] });
      else map.setView([28.96, 118.93], 11);
      shownArea = data.area.id;
    }
    drawPoints(data.points);
    mapEl.dataset.area = data.area.id;
    mapEl.dataset.loaded = String(data.features.features.length);
  }

  function render(data) {
    Object.keys(data.html).forEach(function (key) {
      var el = document.getElementById("screen-" + key);
      if (el) el.innerHTML = data.html[key];
    });
    document.title = data.title;
    drawMap(data.map);
    bindControls();
  }

  function load(search, push) {
    return fetch(dataUrl + search, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) {
        render(data);
        stale.hidden = true;
        if (push) history.pushState({}, "", location.pathname + data.query);
        else if (location.search !== data.query) history.replaceState({}, "", location.pathname + data.query);
      })
      .catch(function () {
        stale.textContent = body.dataset.msgStale;
        stale.hidden = false;
      });
  }

  // --- controls: links that stay on the screen, the campaign chooser, full screen ---------------------

  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-nav]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    load(link.search, true);
  });

  function bindControls() {
    var form = document.querySelector("form[data-nav-form]");
    if (form && !form.dataset.bound) {
      form.dataset.bound = "true";
      form.addEventListener("change", function () {
        load("?" + new URLSearchParams(new FormData(form)).toString(), true);
      });
    }
    var button = document.getElementById("screen-fullscreen");
    if (!button) return;
    if (!document.fullscreenEnabled) { button.hidden = true; return; }
    button.textContent = document.fullscreenElement ? body.dataset.msgExitFullscreen : body.dataset.msgFullscreen;
    button.onclick = function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    };
  }
  document.addEventListener("fullscreenchange", function () {
    bindControls();
    // The map's box changed size with the window.
    setTimeout(function () { map.invalidateSize(); }, 200);
  });

  window.addEventListener("popstate", function () { load(location.search, false); });

  // --- auto-refresh, only while someone can see it ---------------------------------------------------

  function start() {
    stop();
    timer = setInterval(function () { load(location.search, false); }, refreshMs);
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else {
      load(location.search, false);
      start();
    }
  });

  // The address bar says what is shown (area, mode, campaign) from the start: a bookmark keeps it.
  if (body.dataset.query && location.search !== body.dataset.query) {
    history.replaceState({}, "", location.pathname + body.dataset.query);
  }
  drawMap(JSON.parse(document.getElementById("screen-map-data").textContent));
  bindControls();
  if (!document.hidden) start();
})();
