// Landlord sign-in: after a code is asked for, 获取验证码 waits out the resend interval with a countdown.
// The server enforces the interval anyway; without JavaScript the button simply stays usable.
(function () {
  "use strict";
  function countdown(button) {
    let left = parseInt(button.dataset.wait, 10) || 0;
    const label = button.textContent;
    const template = button.dataset.countdown || "%s";
    function tick() {
      if (left > 0) {
        button.disabled = true;
        button.textContent = template.replace("%s", left);
        left -= 1;
        window.setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = label;
      }
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-wait]").forEach(countdown);
  });
})();
