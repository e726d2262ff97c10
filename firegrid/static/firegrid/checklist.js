// The phone checklist keeps every answer in the browser until the server has it: stairwells and
// basements have no signal. Each change is written to localStorage (keyed by inspection id and
// version) at once and autosaved to the server a moment later; when the network is down the copy
// waits, marked 已离线保存 · 等待同步, and is sent when the connection returns (the `online` event,
// or a retry every few seconds). A page reloaded offline-then-online restores the copy before the
// server has it. A submit made offline is queued and sent when the connection returns — the same
// form to the same inspection, which the server submits once however often it arrives (the
// inspection was opened under the client's UUID, and a submitted one is returned unchanged).
(function () {
  "use strict";
  const PREFIX = "firegrid.checklist.";
  const RETRY_MS = 5000;
  const DELAY_MS = 600;

  function keyOf(form) { return PREFIX + form.dataset.inspection + "." + form.dataset.version; }

  function load(form) {
    try { return JSON.parse(localStorage.getItem(keyOf(form)) || "null"); } catch (e) { return null; }
  }

  function store(form, draft) {
    try { localStorage.setItem(keyOf(form), JSON.stringify(draft)); } catch (e) { /* storage full or off: the server autosave still runs */ }
  }

  // Every copy of an inspection, whatever version: once it is submitted none is needed.
  function forgetInspection(id) {
    const prefix = PREFIX + id + ".";
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) localStorage.removeItem(key);
    }
  }

  function fields(form) {
    const pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") pairs.push([name, value]);
    });
    return pairs;
  }

  function restore(form, pairs) {
    const values = {};
    pairs.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    form.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (el) {
      if (el.type === "file" || el.type === "hidden" || el.disabled) return;
      const given = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") el.checked = given.indexOf(el.value) !== -1;
      else el.value = given.length ? given[0] : "";
    });
    const outcome = form.querySelector("input[data-outcome]:checked");
    if (outcome) outcome.dispatchEvent(new Event("change", { bubbles: true }));  // app.js shows the items or not
  }

  function show(form, text, kind) {
    const box = document.getElementById("autosave");
    if (!box) return;
    const span = document.createElement("span");
    span.className = "autosave " + kind;
    span.setAttribute("role", kind === "ok" ? "status" : "alert");
    span.textContent = text;
    box.replaceChildren(span);
  }

  function showWaiting(form, draft) {
    show(form, draft && draft.submit ? form.dataset.msgQueued : form.dataset.msgOffline, "offline");
  }

  function Checklist(form) {
    this.form = form;
    this.timer = null;
    this.sending = false;
    this.again = false;
    this.submitting = false;
  }

  // The form as it is now becomes the copy to send; a queued submit stays queued.
  Checklist.prototype.keep = function () {
    const before = load(this.form) || {};
    const draft = { fields: fields(this.form), pending: true, submit: !!before.submit, seq: (before.seq || 0) + 1 };
    store(this.form, draft);
    return draft;
  };

  Checklist.prototype.later = function (delay) {
    const self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.resume(); }, delay);
  };

  // Whatever is waiting goes now: the queued submit, else the answers.
  Checklist.prototype.resume = function () {
    const draft = load(this.form);
    if (!draft) return;
    if (!navigator.onLine) { showWaiting(this.form, draft); return; }
    if (draft.submit) this.submit();
    else if (draft.pending) this.send();
  };

  Checklist.prototype.send = function () {
    const self = this, form = this.form;
    if (this.sending) { this.again = true; return; }
    const draft = load(form);
    if (!draft || !draft.pending) return;
    this.sending = true;
    const body = new URLSearchParams();
    draft.fields.forEach(function (p) { body.append(p[0], p[1]); });
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token },
    }).then(function (response) {
      if (response.redirected) {  // the session ended: the sign-in page answered
        show(form, form.dataset.msgSignIn, "error");
        return;
      }
      if (response.status >= 500) throw new Error("server " + response.status);  // retried like a lost network
      if (!response.ok) {  // refused (403, 404 …): nothing was saved, so the copy stays for a reload
        show(form, form.dataset.msgRefused, "error");
        return;
      }
      return response.text().then(function (html) {
        // Only what was sent is known to be saved: a change typed meanwhile stays pending. (A 200 that
        // lists problems is an answer too: sending the same answers again would not change it.)
        const current = load(form);
        if (current && current.seq === draft.seq) { current.pending = false; store(form, current); }
        document.getElementById("autosave").innerHTML = html;
      });
    }).catch(function () {
      showWaiting(form, load(form));
      self.later(RETRY_MS);
    }).finally(function () {
      self.sending = false;
      if (self.again) { self.again = false; self.send(); }
    });
  };

  // The ordinary form post (the server answers with the record, or the form with its errors).
  Checklist.prototype.submit = function () {
    if (this.submitting) return;
    this.submitting = true;
    show(this.form, this.form.dataset.msgSending, "offline");
    if (this.form.requestSubmit) this.form.requestSubmit(); else this.form.submit();
  };

  Checklist.prototype.start = function () {
    const self = this, form = this.form;
    const saved = load(form);
    if (form.dataset.rejected) {
      // The server answered the submit with errors: it is no longer queued (the typed values are shown).
      if (saved && saved.submit) { saved.submit = false; store(form, saved); }
    } else if (saved && (saved.pending || saved.submit)) {
      restore(form, saved.fields);
      showWaiting(form, saved);
    }
    form.addEventListener("input", function () { self.keep(); });
    form.addEventListener("change", function (event) {
      if (event.target.type === "file") return;  // a photo goes up on its own (htmx)
      self.keep();
      self.later(DELAY_MS);
    });
    form.addEventListener("submit", function (event) {
      const draft = self.keep();
      draft.submit = true;
      store(form, draft);
      // Online: the ordinary post; the copy stays until the next page shows the inspection submitted.
      if (navigator.onLine) return;
      // Offline: the submit waits here instead of leaving the page for the browser's error page.
      event.preventDefault();
      self.submitting = false;
      showWaiting(form, draft);
    });
    window.addEventListener("online", function () { self.resume(); });
    window.addEventListener("offline", function () {
      const draft = load(form);
      if (draft && (draft.pending || draft.submit)) showWaiting(form, draft);
    });
    // A photo cannot wait in the browser (too large for it): say so instead of failing silently.
    document.body.addEventListener("htmx:sendError", function (event) {
      if (form.contains(event.target)) show(form, form.dataset.msgPhotoOffline, "error");
    });
    setInterval(function () {
      const draft = load(form);
      if (draft && (draft.pending || draft.submit) && !self.sending) self.resume();
    }, RETRY_MS * 3);
    this.resume();  // answers still waiting go now (after a refused submit too: that post saved nothing)
    form.dataset.offlineReady = "1";
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-inspection-done]").forEach(function (el) {
      forgetInspection(el.dataset.inspectionDone);
    });
    const form = document.querySelector("form.checklist[data-inspection]");
    if (form) new Checklist(form).start();
  });
})();
