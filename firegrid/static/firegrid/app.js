// Small behaviours: sidebar toggle, column chooser (remembered per list), large-type mode.
(function () {
  "use strict";
  const KEY = "firegrid.columns.";

  function applyColumns(chooser) {
    const list = chooser.dataset.list;
    const saved = JSON.parse(localStorage.getItem(KEY + list) || "null");
    chooser.querySelectorAll("input[data-col]").forEach(function (box) {
      if (saved && box.dataset.col in saved) box.checked = saved[box.dataset.col];
      const hidden = !box.checked;
      document.querySelectorAll('table[data-list="' + list + '"] [data-col="' + box.dataset.col + '"]')
        .forEach(function (cell) { cell.hidden = hidden; });
    });
  }

  function init(root) {
    root.querySelectorAll(".column-chooser").forEach(function (chooser) {
      if (!chooser.dataset.bound) {
        chooser.dataset.bound = "1";
        chooser.addEventListener("change", function () {
          const state = {};
          chooser.querySelectorAll("input[data-col]").forEach(function (b) { state[b.dataset.col] = b.checked; });
          localStorage.setItem(KEY + chooser.dataset.list, JSON.stringify(state));
          applyColumns(chooser);
        });
      }
      applyColumns(chooser);
    });
  }

  // Area tree links keep the other search parameters of the list.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-area]");
    if (!link) return;
    event.preventDefault();
    const params = new URLSearchParams(window.location.search);
    params.set("area", link.dataset.area);
    params.delete("page");
    window.location.search = params.toString();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-toggle=sidebar]")) {
      document.getElementById("sidebar").classList.toggle("open");
    }
    // No inline handlers anywhere (the Content-Security-Policy allows scripts from our files only).
    if (event.target.closest("[data-print]")) window.print();
    if (event.target.closest("[data-toggle-large]")) {
      document.documentElement.classList.toggle("large");
      localStorage.setItem("firegrid.large", document.documentElement.classList.contains("large") ? "1" : "");
    }
  });

  // A select that applies itself (the job list's status filter): no inline onchange.
  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  if (localStorage.getItem("firegrid.large")) document.documentElement.classList.add("large");
  document.addEventListener("DOMContentLoaded", function () {
    // Extra filters start open on a desktop, folded on a phone (they would push the results off screen).
    const wide = window.matchMedia("(min-width: 769px)").matches;
    document.querySelectorAll("details[data-open-on-desktop]").forEach(function (d) { d.open = wide || d.querySelector("input:checked, select option:checked:not([value=''])") !== null; });
    init(document);
  });
  document.addEventListener("htmx:afterSwap", function () { init(document); });
})();

// Checklist: when the door was not inspected, the items are not asked for.
(function () {
  "use strict";
  function sync() {
    const checked = document.querySelector("input[data-outcome]:checked");
    const items = document.querySelector("[data-when-inspected]");
    if (checked && items) items.hidden = checked.value !== "inspected";
  }
  document.addEventListener("change", function (event) { if (event.target.matches("input[data-outcome]")) sync(); });
  document.addEventListener("DOMContentLoaded", sync);
})();

// Starting an inspection: keep the device's position if the device offers it without asking twice.
// Optional evidence only — the form submits the same without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const fields = document.querySelectorAll("input[data-position]");
    if (!fields.length || !navigator.geolocation || !navigator.permissions) return;
    navigator.permissions.query({ name: "geolocation" }).then(function (status) {
      if (status.state !== "granted") return;
      navigator.geolocation.getCurrentPosition(function (pos) {
        fields.forEach(function (f) { f.value = pos.coords[f.dataset.position].toFixed(6); });
      });
    }).catch(function () {});
  });
})();
