// Rankings on a phone (daily report, 本单位认领): a long ranking shows its first rows and the reader's own;
// 展开全部 shows the rest in place (its link reloads the page with the ranking unfolded where scripts do not
// run). A link to a folded section (…/#survey from the dashboard's curve) opens that section.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-show-all]");
    if (!button) return;
    const list = document.getElementById(button.dataset.showAll);
    if (!list) return;
    event.preventDefault();
    list.classList.add("show-all");
    button.hidden = true;
  });

  function openTarget() {
    const target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    const details = target ? target.closest("details") : null;
    if (details) details.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  // After app.js has folded the sections for a phone (both scripts are deferred, app.js first).
  document.addEventListener("DOMContentLoaded", openTarget);
})();
