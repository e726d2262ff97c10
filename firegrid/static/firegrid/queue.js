// 今日任务 and 扫码 (no inline script: the Content-Security-Policy allows scripts from 'self' only).
(function () {
  "use strict";

  // The route starts where the worker stands when they allow the browser to tell: the page is asked
  // again with lat/lng. Nothing is stored; without it the route starts at the grid's centre.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-locate]");
    if (!button || !navigator.geolocation) return;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      const url = new URL(window.location.href);
      url.searchParams.set("lat", pos.coords.latitude.toFixed(6));
      url.searchParams.set("lng", pos.coords.longitude.toFixed(6));
      url.searchParams.delete("page");
      window.location.assign(url.toString());
    }, function () {
      button.disabled = false;
      button.textContent = button.dataset.locateError;
    }, { timeout: 10000, maximumAge: 60000 });
  });

  // Scanning a premises' QR code (scan.js): the decoded text goes to the same form as a typed code, and
  // the server decides what it opens.
  document.addEventListener("DOMContentLoaded", function () {
    const box = document.querySelector("[data-scan]");
    if (box) window.firegridScan(box);
  });
})();
