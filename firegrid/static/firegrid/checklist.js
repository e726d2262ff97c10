// The phone checklist keeps every answer in the browser until the server has it: stairwells and
// basements have no signal. Each change is written to localStorage (keyed by inspection id and
// version) at once and autosaved to the server a moment later; when the network is down the copy
// waits, marked 已离线保存 · 等待同步, and is sent when the connection returns (the `online` event,
// or a retry every few seconds). A page reloaded offline-then-online restores the copy before the
// server has it. A submit made offline is queued and sent when the connection returns — the same
// form to the same inspection, which the server submits once however often it arrives (the
// inspection was opened under the client's UUID, and a submitted one is returned unchanged).
//
// Fewer taps: the 已查 n / N counter, each group's answered / total and the review before submitting
// (failed items first) follow every answer; 其余合格 passes every unanswered item after one
// confirmation (items the registry suggests failing are left to the inspector).
//
// Photos are shrunk on the phone (a 12 MP picture is ≈ 6 MB; the server keeps a 1600 px long edge, so
// sending more only costs signal in a stairwell and server time): drawn upright on a canvas at the
// stored size, JPEG, the original's EXIF (time, position) carried over with its orientation reset.
// The original waits in IndexedDB (the page's memory if that is unavailable) until the server has
// confirmed the upload; offline it waits and goes when the connection returns, before a queued submit.
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

  // "已查 {n} / {total} 项" with its values (messages come translated from the page's data attributes).
  function format(text, values) {
    return (text || "").replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  // --- the counter, the groups and the review ----------------------------------------------------------

  function resultOf(item) {
    const checked = item.querySelector("input[type=radio][name^='result-']:checked");
    return checked ? checked.value : "";
  }

  function inspected(form) {
    const outcome = form.querySelector("input[data-outcome]:checked");
    return !outcome || outcome.value === "inspected";
  }

  function setGroupOpen(group, open) {
    const toggle = group.querySelector(".group-toggle");
    const items = group.querySelector(".group-items");
    if (toggle) toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (items) items.hidden = !open;
  }

  function Progress(form) {
    this.form = form;
    this.dialog = document.getElementById("pass-rest-dialog");
    this.passRest = form.querySelector("[data-pass-rest]");
  }

  Progress.prototype.items = function () { return Array.prototype.slice.call(this.form.querySelectorAll(".item[data-item]")); };

  // Unanswered items 其余合格 may pass, and those it leaves to the inspector (the registry suggests a failure).
  Progress.prototype.rest = function () {
    const open = this.items().filter(function (item) { return !resultOf(item) && item.querySelector("input[value=pass]"); });
    return {
      pass: open.filter(function (item) { return !item.hasAttribute("data-suggests-fail"); }),
      held: open.filter(function (item) { return item.hasAttribute("data-suggests-fail"); }),
    };
  };

  Progress.prototype.update = function () {
    const form = this.form, data = form.dataset, items = this.items();
    const results = items.map(resultOf);
    const answered = results.filter(Boolean).length;
    document.querySelectorAll("[data-progress]").forEach(function (el) {
      el.textContent = format(data.msgProgress, { n: answered, total: items.length });
    });
    form.querySelectorAll("[data-group]").forEach(function (group) {
      const own = Array.prototype.slice.call(group.querySelectorAll(".item[data-item]")).map(resultOf);
      const failed = own.filter(function (r) { return r === "fail"; }).length;
      group.querySelector("[data-group-count]").textContent = own.filter(Boolean).length + "/" + own.length;
      const badge = group.querySelector("[data-group-failed]");
      badge.textContent = format(data.msgReviewFailed, { n: failed });
      badge.hidden = failed === 0;
    });
    const asked = inspected(form);
    if (this.passRest) this.passRest.hidden = !asked || this.rest().pass.length === 0;
    this.review(items, results, asked);
  };

  function reviewLink(item, extra) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "#" + item.id;
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = item.dataset.item;
    const title = item.querySelector(".item-head strong");
    a.append(code, " ", title ? title.textContent : "");
    li.append(a);
    if (extra) {
      const more = document.createElement("span");
      more.className = "muted small";
      more.textContent = " " + extra;
      li.append(more);
    }
    return li;
  }

  function reviewList(heading, kind, rows) {
    const h = document.createElement("h3");
    h.className = "review-" + kind;
    h.textContent = heading;
    const ul = document.createElement("ul");
    ul.className = "review-list review-" + kind;
    rows.forEach(function (li) { ul.append(li); });
    return [h, ul];
  }

  // Failed items first (with their note and photos, which a hazard needs), then what is unanswered.
  Progress.prototype.review = function (items, results, asked) {
    const box = document.getElementById("review");
    if (!box) return;
    box.hidden = !asked;
    const data = this.form.dataset, parts = [];
    const failed = items.filter(function (item, i) { return results[i] === "fail"; });
    const missing = items.filter(function (item, i) { return !results[i]; });
    if (failed.length) {
      parts.push.apply(parts, reviewList(format(data.msgReviewFailed, { n: failed.length }), "failed", failed.map(function (item) {
        const photos = document.querySelectorAll("#photos-" + item.dataset.item + " .thumb").length;
        const note = item.querySelector("input.note");
        const extra = [note && note.value ? note.value : "", photos ? format(data.msgPhotos, { n: photos }) : data.msgNoPhoto];
        return reviewLink(item, extra.filter(Boolean).join(" · "));
      })));
    }
    if (missing.length) {
      parts.push.apply(parts, reviewList(format(data.msgReviewMissing, { n: missing.length }), "missing", missing.map(function (item) { return reviewLink(item, ""); })));
    }
    const rest = document.createElement("p");
    rest.className = "muted";
    rest.textContent = format(data.msgReviewRest, {
      pass: results.filter(function (r) { return r === "pass"; }).length,
      na: results.filter(function (r) { return r === "na"; }).length,
    });
    parts.push(rest);
    box.querySelector("[data-review]").replaceChildren.apply(box.querySelector("[data-review]"), parts);
  };

  // 其余合格: one confirmation naming how many, then every unanswered item passes; a group left with
  // nothing failed folds away so that the page shows what matters.
  Progress.prototype.askPassRest = function () {
    const rest = this.rest(), dialog = this.dialog, data = this.form.dataset;
    if (!rest.pass.length) return;
    const question = format(data.msgPassRest, { n: rest.pass.length });
    const heldText = rest.held.length
      ? format(data.msgPassRestHeld, { n: rest.held.length, codes: rest.held.map(function (i) { return i.dataset.item; }).join("、") })
      : "";
    if (!dialog || !dialog.showModal) {
      if (window.confirm(question + (heldText ? "\n" + heldText : ""))) this.passAll(rest.pass);
      return;
    }
    dialog.querySelector("[data-question]").textContent = question;
    const held = dialog.querySelector("[data-held]");
    held.textContent = heldText;
    held.hidden = !heldText;
    dialog.showModal();
  };

  Progress.prototype.passAll = function (items) {
    let last = null;
    items.forEach(function (item) {
      const pass = item.querySelector("input[type=radio][value=pass]");
      if (pass && !resultOf(item)) { pass.checked = true; last = pass; }
    });
    // One change event: one copy kept and one autosave for all of them.
    if (last) last.dispatchEvent(new Event("change", { bubbles: true }));
    this.form.querySelectorAll("[data-group]").forEach(function (group) {
      const own = Array.prototype.slice.call(group.querySelectorAll(".item[data-item]")).map(resultOf);
      if (own.every(function (r) { return r && r !== "fail"; })) setGroupOpen(group, false);
    });
    this.update();
  };

  Progress.prototype.start = function () {
    const self = this, form = this.form, dialog = this.dialog;
    form.addEventListener("change", function () { self.update(); });
    form.addEventListener("click", function (event) {
      const toggle = event.target.closest(".group-toggle");
      if (toggle) {
        setGroupOpen(toggle.closest("[data-group]"), toggle.getAttribute("aria-expanded") !== "true");
        return;
      }
      if (event.target.closest("[data-pass-rest]")) { self.askPassRest(); return; }
      // A review entry opens its group before the browser scrolls to the item.
      const link = event.target.closest("#review a[href^='#item-']");
      if (link) {
        const item = document.getElementById(link.getAttribute("href").slice(1));
        const group = item && item.closest("[data-group]");
        if (group) setGroupOpen(group, true);
      }
    });
    if (dialog) {
      dialog.querySelector("[data-confirm]").addEventListener("click", function () {
        dialog.close();
        self.passAll(self.rest().pass);
        form.querySelector("button[type=submit]").focus();
      });
      dialog.querySelector("[data-cancel]").addEventListener("click", function () { dialog.close(); });
    }
    this.update();
  };

  // --- photos: shrunk on the phone, kept there until the server has them -------------------------------

  const PHOTO_DB = "firegrid-photos";
  const PHOTO_STORE = "queue";
  const JPEG_QUALITY = 0.85;  // the server re-encodes at 82: a little headroom against a second loss

  function photoDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      const request = indexedDB.open(PHOTO_DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(PHOTO_STORE, { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // One IndexedDB operation; resolves with its result. Any failure rejects (the page's memory still holds the photo).
  function photoStore(mode, operation) {
    return photoDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(PHOTO_STORE, mode);
        const request = operation(tx.objectStore(PHOTO_STORE));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function forgetPhotos(inspection) {
    photoStore("readwrite", function (store) { return store.getAll(); }).then(function (entries) {
      const gone = entries.filter(function (e) { return e.inspection === inspection; });
      if (gone.length) photoStore("readwrite", function (store) { gone.forEach(function (e) { store.delete(e.id); }); return store.count(); });
    }).catch(function () {});
  }

  function u16(view, at, little) { return view.getUint16(at, little); }

  // The original's EXIF segment (APP1), its orientation set to 1: the canvas drew the picture upright.
  // Null when there is none (PNG, or a JPEG without EXIF).
  function exifSegment(buffer) {
    const view = new DataView(buffer);
    if (view.byteLength < 4 || u16(view, 0) !== 0xFFD8) return null;
    let at = 2;
    while (at + 4 <= view.byteLength) {
      const marker = u16(view, at), length = u16(view, at + 2);
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) return null;  // not a marker, or the image data
      if (marker === 0xFFE1 && at + 2 + length <= view.byteLength && u16(view, at + 4) === 0x4578 && u16(view, at + 6) === 0x6966) {
        const segment = buffer.slice(at, at + 2 + length);
        const seg = new DataView(segment), tiff = 10, little = u16(seg, tiff) === 0x4949;
        try {
          const ifd = tiff + seg.getUint32(tiff + 4, little), count = u16(seg, ifd, little);
          for (let i = 0; i < count; i++) {
            const entry = ifd + 2 + 12 * i;
            if (u16(seg, entry, little) === 0x0112) seg.setUint16(entry + 8, 1, little);
          }
        } catch (e) { return null; }  // a malformed block: better no EXIF than a wrong orientation
        return segment;
      }
      at += 2 + length;
    }
    return null;
  }

  // The canvas's JPEG with the original's EXIF after its JFIF header (the server reads time and position there).
  function withExif(original, shrunk) {
    return Promise.all([original.slice(0, 256 * 1024).arrayBuffer(), shrunk.arrayBuffer()]).then(function (buffers) {
      const segment = exifSegment(buffers[0]);
      if (!segment) return shrunk;
      const view = new DataView(buffers[1]);
      let at = 2;
      if (view.byteLength > 6 && u16(view, 2) === 0xFFE0) at = 4 + u16(view, 4);
      return new Blob([buffers[1].slice(0, at), segment, buffers[1].slice(at)], { type: "image/jpeg" });
    });
  }

  function canvasBlob(bitmap, width, height) {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { if (blob) resolve(blob); else reject(new Error("toBlob")); }, "image/jpeg", JPEG_QUALITY);
    });
  }

  // The photo as the server will keep it: long edge at most `edge`, upright, JPEG. Anything the browser
  // cannot decode (HEIC in most browsers) or a photo already small goes as it is: the server checks and
  // converts it in any case.
  function shrink(file, edge) {
    if (!window.createImageBitmap || !edge) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.type === "image/jpeg") { bitmap.close(); return file; }
      const width = Math.round(bitmap.width * scale), height = Math.round(bitmap.height * scale);
      return canvasBlob(bitmap, width, height).then(function (blob) {
        bitmap.close();
        return withExif(file, blob);
      });
    }).then(function (blob) {
      return blob.size < file.size ? blob : file;
    }).catch(function () { return file; });
  }

  function Photos(form, checklist) {
    this.form = form;
    this.checklist = checklist;
    this.entries = {};  // id → entry: the originals not yet confirmed by the server
    this.busy = {};
  }

  Photos.prototype.pending = function () { return Object.keys(this.entries).length; };

  Photos.prototype.status = function (item, text, html) {
    const box = document.getElementById("photo-status-" + item);
    if (!box) return;
    if (html !== undefined) box.innerHTML = html;  // the server's refusal, as the photo view writes it
    else box.textContent = text || "";
  };

  Photos.prototype.load = function () {
    const self = this, inspection = this.form.dataset.inspection;
    return photoStore("readonly", function (store) { return store.getAll(); }).then(function (entries) {
      entries.forEach(function (e) { if (e.inspection === inspection) self.entries[e.id] = e; });
    }).catch(function () {});
  };

  Photos.prototype.add = function (input) {
    const self = this, form = this.form;
    Array.prototype.forEach.call(input.files || [], function (file, n) {
      const entry = {
        id: form.dataset.inspection + "." + Date.now() + "." + n + "." + Math.random().toString(36).slice(2),
        inspection: form.dataset.inspection, url: input.dataset.photoUrl, item: input.dataset.item,
        role: input.dataset.role, blob: file, name: file.name || "photo.jpg",
      };
      self.entries[entry.id] = entry;
      photoStore("readwrite", function (store) { return store.put(entry); }).catch(function () {});
      self.send(entry);
    });
    input.value = "";  // the same picture may be chosen again
  };

  Photos.prototype.drop = function (entry) {
    delete this.entries[entry.id];
    photoStore("readwrite", function (store) { return store.delete(entry.id); }).catch(function () {});
  };

  Photos.prototype.send = function (entry) {
    const self = this, form = this.form, data = form.dataset;
    if (this.busy[entry.id]) return;
    if (!navigator.onLine) { this.status(entry.item, data.msgPhotoWaiting); return; }
    this.busy[entry.id] = true;
    this.status(entry.item, data.msgPhotoShrinking);
    shrink(entry.blob, parseInt(data.photoLongEdge, 10)).then(function (blob) {
      self.status(entry.item, data.msgPhotoSending);
      const body = new FormData();
      body.append("role", entry.role);
      // The item needs an answer before a photo can hang on it: the one shown on screen goes along.
      const result = form.querySelector("input[name='result-" + entry.item + "']:checked");
      if (result) body.append(result.name, result.value);
      body.append("photo", blob, blob === entry.blob ? entry.name : "photo.jpg");
      return self.checklist.post(entry.url, body);
    }).then(function (response) {
      if (response.redirected) {  // the session ended: the photo stays on the phone
        self.status(entry.item, data.msgSignIn);
        return;
      }
      if (response.status >= 500) throw new Error("server " + response.status);
      return response.text().then(function (html) {
        self.drop(entry);  // confirmed, or refused for its content (sending it again would not change that)
        if (response.ok) {
          document.getElementById("photos-" + entry.item).innerHTML = html;
          self.status(entry.item, "");
        } else {
          self.status(entry.item, "", html);
        }
        self.checklist.progress.update();
        if (!self.pending()) self.checklist.resume();  // a submit waiting for its photos goes now
      });
    }).catch(function () {
      self.status(entry.item, data.msgPhotoWaiting);
      setTimeout(function () { if (navigator.onLine) self.send(entry); }, RETRY_MS);
    }).finally(function () {
      delete self.busy[entry.id];
    });
  };

  Photos.prototype.flush = function () {
    const self = this;
    Object.keys(this.entries).forEach(function (id) { self.send(self.entries[id]); });
  };

  function Checklist(form) {
    this.form = form;
    this.timer = null;
    this.sending = false;
    this.again = false;
    this.submitting = false;
    this.progress = new Progress(form);
    this.photos = new Photos(form, this);
    this.chain = Promise.resolve();
    this.writes = 0;
    this.submitWaiting = false;
  }

  // Posts to the draft (autosave, photos) go one at a time, and the submit only after them: one request
  // at a time on a weak signal, and no two writes racing on the same draft.
  Checklist.prototype.post = function (url, body) {
    const self = this;
    const token = this.form.querySelector("input[name=csrfmiddlewaretoken]").value;
    this.writes += 1;
    const run = this.chain.then(function () {
      return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token } });
    });
    this.chain = run.catch(function () {}).then(function () {
      self.writes -= 1;
      if (!self.writes && self.submitWaiting) { self.submitWaiting = false; self.resume(); }
    });
    return run;
  };

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
    if (draft.submit && this.photos.pending()) this.photos.flush();  // the photos first: a submitted inspection takes none
    else if (draft.submit) this.submit();
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
    this.post(form.dataset.autosaveUrl, body).then(function (response) {
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
      if (event.target.type === "file") {  // a photo goes up on its own
        if (event.target.dataset.photoUrl) self.photos.add(event.target);
        return;
      }
      self.keep();
      self.later(DELAY_MS);
    });
    form.addEventListener("submit", function (event) {
      const draft = self.keep();
      draft.submit = true;
      store(form, draft);
      clearTimeout(self.timer);  // the submit carries every answer: no autosave after it
      // Online with every photo and autosave delivered: the ordinary post; the copy stays until the next
      // page shows the inspection submitted.
      if (navigator.onLine && !self.photos.pending() && !self.writes) return;
      // Offline, or photos or answers still on their way: the submit waits here (not on the browser's
      // error page) and goes when they have arrived.
      event.preventDefault();
      self.submitting = false;
      if (navigator.onLine) {
        show(form, form.dataset.msgSending, "offline");
        self.submitWaiting = true;
        self.photos.flush();
      } else showWaiting(form, draft);
    });
    window.addEventListener("online", function () { self.photos.flush(); self.resume(); });
    window.addEventListener("offline", function () {
      const draft = load(form);
      if (draft && (draft.pending || draft.submit)) showWaiting(form, draft);
    });
    setInterval(function () {
      const draft = load(form);
      if (self.photos.pending() && navigator.onLine) self.photos.flush();
      else if (draft && (draft.pending || draft.submit) && !self.sending) self.resume();
    }, RETRY_MS * 3);
    this.progress.start();
    // Photos still on the phone from before a reload go first; then answers still waiting (after a
    // refused submit too: that post saved nothing) or a queued submit.
    this.photos.load().then(function () {
      self.photos.flush();
      self.resume();
      form.dataset.offlineReady = "1";
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-inspection-done]").forEach(function (el) {
      forgetInspection(el.dataset.inspectionDone);
      forgetPhotos(el.dataset.inspectionDone);
    });
    const form = document.querySelector("form.checklist[data-inspection]");
    if (form) new Checklist(form).start();
  });
})();
