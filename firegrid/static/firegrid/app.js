// Small behaviours: sidebar toggle, column chooser (remembered per list), large-type mode.
(function () {
  "use strict";
  const KEY = "firegrid.columns.";
  // Where the stylesheet leaves out wide-only columns (Column.wide_only) that the user has not chosen.
  const NARROW = window.matchMedia("(min-width: 769px) and (max-width: 1599px)");

  function applyColumns(chooser) {
    const list = chooser.dataset.list;
    const saved = JSON.parse(localStorage.getItem(KEY + list) || "null");
    chooser.querySelectorAll("input[data-col]").forEach(function (box) {
      const chosen = Boolean(saved && box.dataset.col in saved);
      if (chosen) box.checked = saved[box.dataset.col];
      else if (box.hasAttribute("data-wide-only")) box.checked = box.dataset.default === "1" && !NARROW.matches;
      const hidden = !box.checked;
      document.querySelectorAll('table[data-list="' + list + '"] [data-col="' + box.dataset.col + '"]')
        .forEach(function (cell) { cell.hidden = hidden; cell.classList.toggle("col-chosen", chosen && !hidden); });
    });
  }

  function init(root) {
    root.querySelectorAll(".column-chooser").forEach(function (chooser) {
      if (!chooser.dataset.bound) {
        chooser.dataset.bound = "1";
        chooser.addEventListener("change", function (event) {
          // Only the column the user changed is remembered: the others keep following their default
          // (a wide-only one, the screen's width).
          const box = event.target.closest("input[data-col]");
          if (!box) return;
          const state = JSON.parse(localStorage.getItem(KEY + chooser.dataset.list) || "null") || {};
          state[box.dataset.col] = box.checked;
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
  NARROW.addEventListener("change", function () { init(document); });
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

// Progress pages poll with htmx (hx-trigger="every 1s"). They stop on their own when the job ends: the
// server answers a fragment without the trigger (batch printing) or reloads the page (ledger import).
// A job that never answers — the same fragment, or failed requests, for a bounded time — would be asked
// forever; here polling stops instead, with a message and a button to look again. The messages come from
// <body data-msg-*> (the templates translate them); the bound is <body data-poll-stall> seconds, or
// window.firegridPollStall (browser tests).
(function () {
  "use strict";
  const seen = {}; // by poller: {body: last answer, since: when it last changed (ms)}

  function isPoller(elt) { return /(^|,)\s*every\s/.test(elt.getAttribute("hx-trigger") || ""); }
  function keyOf(elt) { return elt.id || elt.getAttribute("hx-get") || ""; }
  function stallMs() {
    return 1000 * Number(window.firegridPollStall || document.body.dataset.pollStall || 300);
  }

  function stop(elt) {
    // A copy without the hx attributes takes the element's place: htmx's timer finds its element gone
    // from the page and ends, and nothing can start it again.
    const copy = elt.cloneNode(true);
    ["hx-get", "hx-trigger", "hx-swap"].forEach(function (name) { copy.removeAttribute(name); });
    copy.dataset.pollStopped = "1";
    const note = document.createElement("div");
    note.className = "errors";
    note.setAttribute("role", "alert");
    const text = document.createElement("p");
    text.textContent = document.body.dataset.msgPollStalled || "";
    const again = document.createElement("button");
    again.type = "button";
    again.className = "btn";
    again.dataset.reload = "1";
    again.textContent = document.body.dataset.msgPollAgain || "↻";
    note.append(text, again);
    copy.append(note);
    elt.replaceWith(copy);
    delete seen[keyOf(elt)];
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    const elt = event.detail.elt;
    if (!elt || !isPoller(elt)) return;
    const state = seen[keyOf(elt)] || (seen[keyOf(elt)] = { body: null, since: Date.now() });
    const body = event.detail.successful ? event.detail.xhr.responseText : null;
    if (body !== null && body !== state.body) { state.body = body; state.since = Date.now(); }
  });

  window.setInterval(function () {
    document.querySelectorAll("[hx-trigger]").forEach(function (elt) {
      if (!isPoller(elt)) return;
      const key = keyOf(elt);
      const state = seen[key] || (seen[key] = { body: null, since: Date.now() });
      if (Date.now() - state.since > stallMs()) stop(elt);
    });
  }, 1000);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-reload]")) window.location.reload();
  });
})();

// Links to files that take seconds to make (report PDF, exports, the premises file): the file is fetched
// here while the link shows it is working, then saved, instead of a page that seems not to have heard the
// click. Fetched rather than navigated to because a page cannot tell when a download it started has
// arrived (phones download PDFs rather than show them). A refusal or error is shown beside the link.
(function () {
  "use strict";
  function busy(link, on) {
    if (on) {
      link.dataset.label = link.dataset.label || link.textContent;
      link.textContent = document.body.dataset.msgBusy || link.dataset.label;
      link.setAttribute("aria-busy", "true");
      link.setAttribute("aria-disabled", "true");
      link.classList.add("busy");
    } else {
      if (link.dataset.label) link.textContent = link.dataset.label;
      link.removeAttribute("aria-busy");
      link.removeAttribute("aria-disabled");
      link.classList.remove("busy");
    }
  }

  function failed(link) {
    busy(link, false);
    let note = link.parentNode.querySelector("[data-busy-error]");
    if (!note) {
      note = document.createElement("span");
      note.className = "error";
      note.setAttribute("role", "alert");
      note.dataset.busyError = "1";
      link.after(note);
    }
    note.textContent = document.body.dataset.msgBusyFailed || "";
  }

  function filename(response, link) {
    const header = response.headers.get("Content-Disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : link.getAttribute("download") || "";
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-busy]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (link.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    event.preventDefault();
    busy(link, true);
    fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      // Signed out meanwhile: the answer is the sign-in page, which this tab should show.
      if (response.redirected) { window.location.assign(response.url); return null; }
      if (!response.ok) throw new Error(String(response.status));
      return response.blob().then(function (blob) {
        const save = document.createElement("a");
        save.href = URL.createObjectURL(blob);
        save.download = filename(response, link);
        document.body.append(save);
        save.click();
        save.remove();
        window.setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
        busy(link, false);
      });
    }).catch(function () { failed(link); });
  });
})();

// Rows ticked for a bulk action (core/bulk.py): the header box ticks or clears every box of the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const all = event.target.closest("input[data-select-all]");
    if (!all) return;
    document.querySelectorAll('input[name="selected"][form="' + all.dataset.selectAll + '"]')
      .forEach(function (box) { box.checked = all.checked; });
  });
})();
