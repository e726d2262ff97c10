// 巡查 (patrol pages, staff and portal; no inline script: the Content-Security-Policy allows scripts from
// 'self' only). The phone's position is asked once, when a scan is sent, and kept with that scan only:
// never a track, and a scan without a position is recorded all the same.
(function () {
  "use strict";

  // Fill the form's position fields if the phone gives a position within a few seconds, then send it.
  function sendWithPosition(form) {
    if (form.dataset.sending) return;
    form.dataset.sending = "1";
    const lat = form.querySelector("[data-position=latitude]");
    const lng = form.querySelector("[data-position=longitude]");
    const send = function () { form.submit(); };
    if (!lat || !lng || lat.value || !navigator.geolocation) { send(); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      send();
    }, send, { timeout: 6000, maximumAge: 30000, enableHighAccuracy: true });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-with-position]");
    if (!form) return;
    event.preventDefault();
    sendWithPosition(form);
  });

  document.addEventListener("DOMContentLoaded", function () {
    // A building's plate scanned during a patrol: the 打卡 form sends itself once (its client id makes a
    // second send the same scan).
    const auto = document.querySelector("form[data-auto-submit]");
    if (auto) {
      const key = "patrol-auto:" + (auto.elements.client_uuid ? auto.elements.client_uuid.value : "");
      if (!window.sessionStorage || !window.sessionStorage.getItem(key)) {
        try { window.sessionStorage.setItem(key, "1"); } catch (e) { /* private mode: send anyway */ }
        sendWithPosition(auto);
      }
    }

    // 扫码打卡 (scan.js): the decoded text goes to the same form as a typed building number, with the
    // position; the server decides what it names.
    const box = document.querySelector("[data-scan]");
    if (box) window.firegridScan(box, sendWithPosition);
  });
})();
