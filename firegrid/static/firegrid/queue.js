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

  // Scanning a premises' QR code: the camera through BarcodeDetector where the browser has it; the
  // decoded text goes to the same form as a typed code, and the server decides what it opens.
  document.addEventListener("DOMContentLoaded", function () {
    const box = document.querySelector("[data-scan]");
    if (!box) return;
    const start = box.querySelector("[data-scan-start]");
    const video = box.querySelector("[data-scan-video]");
    const status = box.querySelector("[data-scan-status]");
    const form = box.querySelector("[data-scan-form]");
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = box.dataset.noCamera;
      return;
    }
    start.hidden = false;
    start.addEventListener("click", function () {
      let detector;
      try {
        detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      } catch (e) {
        status.textContent = box.dataset.noCamera;
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
        start.hidden = true;
        video.hidden = false;
        video.srcObject = stream;
        video.play();
        const stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); };
        const look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stop();
              form.elements.code.value = codes[0].rawValue;
              form.submit();
            } else {
              window.setTimeout(look, 250);
            }
          }).catch(function () { window.setTimeout(look, 500); });
        };
        look();
      }).catch(function () {
        status.textContent = box.dataset.cameraError;
      });
    });
  });
})();
