// 扫码: the camera through BarcodeDetector where the browser has it, for every page with a scan box (今日任务's
// 扫码, the patrol page's 扫码打卡). Loaded before the page's own script, which calls
// `firegridScan(box, send)`; no inline script (the Content-Security-Policy allows scripts from 'self' only).
//
// The box (`[data-scan]`, with the messages `data-no-camera` and `data-camera-error`) holds a start button
// (`[data-scan-start]`, hidden until the camera can be offered), a `[data-scan-video]`, a
// `[data-scan-status]` line and the form (`[data-scan-form]`) one types the code into. A decoded code is
// put in the form's `code` field and handed to `send(form)` (default: submit it): the same request as a
// typed code, and the server decides what the text names.
(function () {
  "use strict";

  window.firegridScan = function (box, send) {
    const start = box.querySelector("[data-scan-start]");
    const video = box.querySelector("[data-scan-video]");
    const status = box.querySelector("[data-scan-status]");
    const form = box.querySelector("[data-scan-form]");
    const done = send || function (f) { f.submit(); };
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
              video.hidden = true;
              form.elements.code.value = codes[0].rawValue;
              done(form);
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
  };
})();
