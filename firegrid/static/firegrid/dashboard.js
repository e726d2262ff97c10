/* The campaign dashboard: ECharts charts whose every bar or slice leads to the list behind it, and a
 * Leaflet map of the target premises. The server builds each chart's options; each clickable data point
 * carries its list's `url`. The chart instances are kept in window.firegridCharts (the browser test
 * reads bar positions from them). */
(function () {
  "use strict";

  function initCharts() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) return;
    var options = JSON.parse(source.textContent);
    var charts = {};
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.dataset.chart;
      var axis = options[name].yAxis;
      // Horizontal bars: room for every bar's label (the options ask ECharts to show each one).
      if (axis && axis.type === "category" && axis.data) {
        el.style.height = Math.max(el.clientHeight, axis.data.length * 26 + 90) + "px";
      }
      var chart = echarts.init(el);
      chart.setOption(options[name]);
      chart.on("click", function (p) {
        if (p.data && p.data.url) location.href = p.data.url;
      });
      // A pointer over a clickable point says so.
      chart.on("mouseover", function (p) {
        el.style.cursor = p.data && p.data.url ? "pointer" : "";
      });
      // Drawn, animations over: what a test waits for before it clicks a bar.
      chart.on("finished", function () { el.dataset.ready = "true"; });
      charts[name] = chart;
    });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
    window.firegridCharts = charts;
  }

  function initMap() {
    var el = document.getElementById("campaign-map");
    if (!el || !window.L) return;
    // Web Mercator with no tile layer still places points correctly: with no tile server configured
    // (or reachable) the map is a plain background with the points on it.
    // No flag in the credit line of a government screen: Leaflet's prefix as plain text (Leaflet 1.9).
    var map = L.map(el, { crs: L.CRS.EPSG3857, preferCanvas: true, attributionControl: false })
      .setView([28.96, 118.87], 12);
    L.control.attribution({ prefix: "Leaflet" }).addTo(map);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    var layer = L.layerGroup().addTo(map);
    var message = document.getElementById("map-message");
    var form = document.getElementById("map-filter");

    function popup(point, labels) {
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = point[4];
      link.textContent = point[3];
      box.appendChild(link);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(labels[point[2]] || point[2]));
      return box;
    }

    function load() {
      var area = form ? form.elements.area.value : "";
      var url = el.dataset.points + (area ? "?area=" + encodeURIComponent(area) : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          var bounds = [];
          data.points.forEach(function (p) {
            var colour = data.colours[p[2]] || "#909399";
            L.circleMarker([p[0], p[1]], {
              radius: 5, color: colour, weight: 1, fillColor: colour, fillOpacity: 0.85
            }).bindPopup(popup(p, data.labels)).addTo(layer);
            bounds.push([p[0], p[1]]);
          });
          if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
          var notes = [];
          if (data.message) notes.push(data.message);
          if (data.unlocated) notes.push(el.dataset.unlocatedText.replace("%s", data.unlocated));
          message.textContent = notes.join(" ");
          message.hidden = notes.length === 0;
          el.dataset.loaded = String(data.points.length);
        });
    }

    if (form) form.addEventListener("change", load);
    load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCharts();
    initMap();
  });
})();
