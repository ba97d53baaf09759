// The caption editor on /staff/webinars/{slug}/subtitles/{lang}/edit.
//
// It loads the track's cues and revision from the JSON API, lets staff
// edit text and times beside the video (play a cue, nudge its times, split,
// merge, add, delete), checks the cues as the server will, and saves them
// with the revision it read: a track changed meanwhile gives 409, and the
// editor then keeps the user's edits and offers a choice. Unsaved edits are
// also kept in localStorage (restored after a reload or a crash), and
// leaving the page with unsaved edits asks first.
//
// Text from cues is only ever put into the page as text (textContent,
// value), never as HTML. Without JavaScript the page shows the cues
// read-only (the table this script hides).
(function () {
  "use strict";

  var root = document.getElementById("caption-editor");
  var app = document.getElementById("ce-app");
  if (!root || !app || !window.fetch || !window.JSON) return;

  var slug = root.getAttribute("data-slug");
  var lang = root.getAttribute("data-lang");
  var recordingMs = parseInt(root.getAttribute("data-recording-ms"), 10) || 0;
  var apiURL = "/api/v1/webinars/" + encodeURIComponent(slug) + "/subtitles/" + encodeURIComponent(lang);
  var storageKey = "caption-editor:" + slug + ":" + lang;
  var csrfMeta = document.querySelector("meta[name=csrf-token]");
  var video = document.getElementById("ce-video");
  var readonly = document.getElementById("ce-readonly");
  var loading = document.getElementById("ce-loading");

  // The page's texts, in its language, from a JSON block the server renders
  // from its message catalogue. Only ever used as text, never as HTML.
  var texts = {};
  try { texts = JSON.parse(document.getElementById("ce-texts").textContent) || {}; } catch (e) { /* keys show instead */ }
  function tx(key, args) {
    var s = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    return s.replace(/\{(\w+)\}/g, function (m, k) { return args && Object.prototype.hasOwnProperty.call(args, k) ? String(args[k]) : m; });
  }

  var NUDGE = 100; // ms per nudge
  var MAX_LINE = 5000; // characters per line, as the server checks
  var NEW_CUE = 2000; // length of an added cue, ms

  // cues is the working copy: [{start, end, text}] with times in ms (NaN
  // while a time field holds something that is not a time). baseRevision
  // is the revision the edits are based on; savedJSON the last state the
  // server confirmed, to tell whether there are unsaved edits.
  var cues = [];
  var baseRevision = 0;
  var savedJSON = "[]";
  var saving = false;
  var liveTrack = null;
  var stopAt = null;

  // ---- times ----

  function pad(n, w) { n = String(n); while (n.length < w) n = "0" + n; return n; }

  // fmt writes 00:01:02,500 (SRT style, as the server's messages do).
  function fmt(ms) {
    if (!isFinite(ms)) return "";
    var sign = ms < 0 ? "-" : "";
    ms = Math.abs(Math.round(ms));
    return sign + pad(Math.floor(ms / 3600000), 2) + ":" + pad(Math.floor(ms / 60000) % 60, 2) + ":" +
      pad(Math.floor(ms / 1000) % 60, 2) + "," + pad(ms % 1000, 3);
  }

  // parseTime reads 01:02:03,456, 1:02:03.4, 02:03,5, 3,5 or 3 (seconds);
  // anything else gives NaN.
  function parseTime(s) {
    var m = /^\s*(-)?(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2}|\d+)(?:[.,](\d{1,3}))?\s*$/.exec(s);
    if (!m) return NaN;
    var h = parseInt(m[2] || "0", 10), min = parseInt(m[3] || "0", 10), sec = parseInt(m[4], 10);
    if ((m[3] !== undefined || m[2] !== undefined) && (sec > 59 || min > 59)) return NaN;
    var frac = m[5] ? parseInt((m[5] + "00").slice(0, 3), 10) : 0;
    var ms = ((h * 60 + min) * 60 + sec) * 1000 + frac;
    return m[1] ? -ms : ms;
  }

  function nowMs() { return video ? Math.round(video.currentTime * 1000) : NaN; }

  // ---- small DOM helpers (text only) ----

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
      if (k === "text") e.textContent = attrs[k];
      else if (k === "className") e.className = attrs[k];
      else if (k === "hidden") e.hidden = !!attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  // button makes a button whose accessible name starts with its visible
  // text and goes on with hidden context ("−0,1 s starttid, text 3").
  function button(visible, context, onClick, cls) {
    var b = el("button", { type: "button", className: cls || "ce-btn" }, [visible]);
    if (context) b.appendChild(el("span", { className: "ce-vh", text: " " + context }));
    b.addEventListener("click", onClick);
    return b;
  }

  // ---- status, alerts and drafts ----

  var status = el("p", { id: "ce-status", role: "status", "aria-live": "polite", className: "ce-status" });
  var alertBox = el("div", { id: "ce-alert", role: "alert", className: "ce-alert", hidden: true });
  var summary = el("div", { id: "ce-errors", className: "error-summary ce-summary", tabindex: "-1", hidden: true });
  var saveBtn = el("button", { type: "button", id: "ce-save" }, [tx("save")]);
  var revertBtn = el("button", { type: "button", id: "ce-revert", className: "ce-secondary" }, [tx("revert")]);
  var addBtn = el("button", { type: "button", id: "ce-add-here", className: "ce-secondary" }, [tx("add_here")]);
  var dirtyNote = el("span", { id: "ce-dirty", className: "ce-dirty", hidden: true, text: tx("dirty") });
  var list = el("ol", { id: "ce-list", className: "ce-list", "aria-label": tx("cues") });

  function say(msg) {
    // Emptying first makes screen readers announce a repeated message.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = msg; }, 30);
  }

  function showAlert(title, text, actions) {
    while (alertBox.firstChild) alertBox.removeChild(alertBox.firstChild);
    alertBox.appendChild(el("h2", { text: title }));
    alertBox.appendChild(el("p", { text: text }));
    if (actions && actions.length) {
      var row = el("p", { className: "ce-actions" });
      actions.forEach(function (a) { row.appendChild(a); row.appendChild(document.createTextNode(" ")); });
      alertBox.appendChild(row);
    }
    alertBox.hidden = false;
  }

  function hideAlert() { alertBox.hidden = true; }

  function plainCues() {
    return cues.map(function (c) { return { start_ms: c.start, end_ms: c.end, text: c.text }; });
  }

  function isDirty() { return JSON.stringify(plainCues()) !== savedJSON; }

  var draftTimer = null;
  function storeDraftSoon() {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(storeDraft, 250);
  }
  function storeDraft() {
    window.clearTimeout(draftTimer);
    try {
      if (isDirty()) {
        localStorage.setItem(storageKey, JSON.stringify({ revision: baseRevision, saved_at: new Date().toISOString(), cues: plainCues() }));
      } else {
        localStorage.removeItem(storageKey);
      }
    } catch (e) { /* storage full or disabled: the page still warns before leaving */ }
  }
  function readDraft() {
    try {
      var d = JSON.parse(localStorage.getItem(storageKey) || "null");
      if (d && Array.isArray(d.cues) && typeof d.revision === "number") return d;
    } catch (e) { /* a broken draft is ignored */ }
    return null;
  }

  function changed() {
    var dirty = isDirty();
    dirtyNote.hidden = !dirty;
    revertBtn.disabled = !dirty;
    storeDraftSoon();
    syncTrackSoon();
    validate();
  }

  window.addEventListener("beforeunload", function (e) {
    storeDraft();
    if (isDirty()) {
      e.preventDefault();
      e.returnValue = "";
    }
  });

  // ---- validation (the server checks the same again) ----

  function problems() {
    var out = [];
    if (cues.length === 0) out.push({ n: 0, msg: tx("err_empty_track") });
    cues.forEach(function (c, i) {
      var n = i + 1, prev = cues[i - 1], msg = null;
      var text = c.text.replace(/\s+/g, "");
      if (!isFinite(c.start)) msg = tx("err_start", { n: n });
      else if (!isFinite(c.end)) msg = tx("err_end", { n: n });
      else if (c.start < 0 || c.end < 0) msg = tx("err_negative", { n: n });
      else if (c.end <= c.start) msg = tx("err_order_end", { n: n });
      else if (prev && isFinite(prev.start) && c.start < prev.start) msg = tx("err_order", { n: n, prev: n - 1 });
      else if (prev && isFinite(prev.end) && c.start < prev.end) msg = tx("err_overlap", { n: n, start: fmt(c.start), prev: n - 1, end: fmt(prev.end) });
      else if (recordingMs > 0 && c.end > recordingMs) msg = tx("err_after_end", { n: n, end: fmt(c.end), length: fmt(recordingMs) });
      else if (text === "") msg = tx("err_blank", { n: n });
      else if (c.text.split("\n").some(function (l) { return l.length > MAX_LINE; })) msg = tx("err_line", { n: n, max: MAX_LINE });
      if (msg) out.push({ n: n, msg: msg });
    });
    return out;
  }

  // validate marks every row's error and returns the problems.
  function validate(serverProblem) {
    var found = problems();
    if (serverProblem && !found.some(function (p) { return p.n === serverProblem.n; })) found.push(serverProblem);
    var byN = {};
    found.forEach(function (p) { byN[p.n] = p.msg; });
    Array.prototype.forEach.call(list.children, function (li, i) {
      var msg = byN[i + 1] || "";
      var err = li.querySelector(".ce-error");
      err.textContent = msg;
      err.hidden = !msg;
      li.classList.toggle("invalid", !!msg);
      Array.prototype.forEach.call(li.querySelectorAll("input, textarea"), function (f) {
        if (msg) f.setAttribute("aria-invalid", "true"); else f.removeAttribute("aria-invalid");
      });
    });
    if (found.length === 0) summary.hidden = true;
    else if (!summary.hidden) fillSummary(found);
    return found;
  }

  function fillSummary(found) {
    while (summary.firstChild) summary.removeChild(summary.firstChild);
    summary.appendChild(el("h2", { text: found.length === 1 ? tx("summary_one") : tx("summary_other", { count: found.length }) }));
    var ul = el("ul");
    found.slice(0, 20).forEach(function (p) {
      var target = p.n > 0 ? "#cue-" + p.n + "-start" : "#ce-add-here";
      ul.appendChild(el("li", null, [el("a", { href: target, text: p.msg })]));
    });
    summary.appendChild(ul);
    summary.hidden = false;
  }

  summary.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a") : null;
    if (!a) return;
    var f = document.querySelector(a.getAttribute("href"));
    if (f) { e.preventDefault(); f.focus(); }
  });

  // ---- the list ----

  function render(focusSelector) {
    while (list.firstChild) list.removeChild(list.firstChild);
    cues.forEach(function (c, i) { list.appendChild(row(c, i)); });
    document.getElementById("ce-count").textContent = String(cues.length);
    changed();
    if (focusSelector) {
      var f = list.querySelector(focusSelector) || document.querySelector(focusSelector);
      if (f) f.focus();
    }
    markCurrent();
  }

  function timeField(c, i, which, label) {
    var n = i + 1, id = "cue-" + n + "-" + which;
    var input = el("input", { id: id, className: "ce-time", inputmode: "decimal", autocomplete: "off", spellcheck: "false",
      "aria-describedby": "cue-" + n + "-error", value: fmt(c[which]) });
    input.value = fmt(c[which]);
    input.addEventListener("input", function () { c[which] = parseTime(input.value); changed(); });
    input.addEventListener("change", function () { if (isFinite(c[which])) input.value = fmt(c[which]); });
    var kind = which === "start" ? tx("start_time") : tx("end_time");
    function nudge(d) {
      return function () {
        if (!isFinite(c[which])) { say(tx("fix_time_first", { n: n, kind: which === "start" ? tx("the_start_time") : tx("the_end_time") })); return; }
        c[which] = Math.max(0, c[which] + d);
        input.value = fmt(c[which]);
        changed();
        say(tx("time_now", { n: n, kind: kind, time: fmt(c[which]) }));
      };
    }
    return el("div", { className: "ce-timefield" }, [
      el("label", { "for": id, text: label }),
      input,
      el("span", { className: "ce-nudges" }, [
        button(tx("nudge_back"), tx("nudge_context", { kind: kind, n: n }), nudge(-NUDGE)),
        button(tx("nudge_forward"), tx("nudge_context", { kind: kind, n: n }), nudge(NUDGE)),
        video ? button(tx("now"), tx("now_context", { n: n, kind: which === "start" ? tx("the_start_time") : tx("the_end_time") }), function () {
          c[which] = nowMs();
          input.value = fmt(c[which]);
          changed();
          say(tx("time_now", { n: n, kind: kind, time: fmt(c[which]) }));
        }) : null
      ])
    ]);
  }

  function row(c, i) {
    var n = i + 1;
    var text = el("textarea", { id: "cue-" + n + "-text", rows: "2", "aria-describedby": "cue-" + n + "-error", spellcheck: "true" });
    text.value = c.text;
    text.addEventListener("input", function () { c.text = text.value; changed(); });
    var last = i === cues.length - 1;
    var actions = el("div", { className: "ce-actions" }, [
      video ? button(tx("play"), tx("cue_n_lower", { n: n }), function () { play(i); }) : null,
      button(tx("split"), tx("split_context", { n: n }), function () { split(i); }),
      last ? null : button(tx("merge"), tx("merge_context", { n: n, next: n + 1 }), function () { merge(i); }),
      button(tx("add_after"), tx("cue_n_lower", { n: n }), function () { addAfter(i); }),
      button(tx("remove"), tx("cue_n_lower", { n: n }), function () { remove(i); }, "ce-btn ce-danger")
    ]);
    var fs = el("fieldset", { className: "ce-fields" }, [
      el("legend", { text: tx("cue_n", { n: n }) }),
      el("div", { className: "ce-times" }, [timeField(c, i, "start", tx("start")), timeField(c, i, "end", tx("end"))]),
      el("div", { className: "ce-textfield" }, [el("label", { "for": "cue-" + n + "-text", text: tx("text") }), text]),
      actions,
      el("p", { id: "cue-" + n + "-error", className: "field-error ce-error", hidden: true })
    ]);
    return el("li", { id: "cue-" + n, className: "ce-cue" }, [fs]);
  }

  // ---- editing operations ----

  function split(i) {
    var c = cues[i], n = i + 1;
    if (!isFinite(c.start) || !isFinite(c.end) || c.end - c.start < 2) { say(tx("split_fix_times", { n: n })); return; }
    var t = nowMs();
    var at = isFinite(t) && t > c.start && t < c.end ? t : Math.round((c.start + c.end) / 2);
    var words = c.text.trim().split(/\s+/).filter(Boolean);
    var first = c.text, second = "";
    if (words.length >= 2) {
      var k = Math.min(words.length - 1, Math.max(1, Math.round(words.length * (at - c.start) / (c.end - c.start))));
      first = words.slice(0, k).join(" ");
      second = words.slice(k).join(" ");
    }
    cues.splice(i, 1, { start: c.start, end: at, text: first }, { start: at, end: c.end, text: second });
    render("#cue-" + (n + 1) + "-text");
    say(tx(second ? "split_done" : "split_done_empty", { n: n, at: fmt(at), next: n + 1 }));
  }

  function merge(i) {
    var a = cues[i], b = cues[i + 1], n = i + 1;
    if (!b) return;
    var text = [a.text.trim(), b.text.trim()].filter(Boolean).join("\n");
    cues.splice(i, 2, { start: a.start, end: b.end, text: text });
    render("#cue-" + n + "-text");
    say(tx("merge_done", { n: n, next: n + 1 }));
  }

  function addAfter(i) {
    var c = cues[i], next = cues[i + 1], n = i + 2;
    var start = isFinite(c.end) ? c.end : 0;
    var end = start + NEW_CUE;
    if (next && isFinite(next.start)) end = Math.min(end, next.start);
    if (recordingMs > 0) end = Math.min(end, recordingMs);
    cues.splice(i + 1, 0, { start: start, end: end, text: "" });
    render("#cue-" + n + "-text");
    say(tx(end > start ? "added" : "added_no_gap", { n: n, prev: n - 1 }));
  }

  function addAtPlayhead() {
    var t = nowMs();
    if (!isFinite(t)) t = 0;
    var i = 0;
    while (i < cues.length && cues[i].start <= t) i++;
    var prev = cues[i - 1], next = cues[i];
    if (prev && prev.end > t) { say(tx("playhead_in_cue", { time: fmt(t), n: i })); return; }
    var end = t + NEW_CUE;
    if (next && isFinite(next.start)) end = Math.min(end, next.start);
    if (recordingMs > 0) end = Math.min(end, recordingMs);
    cues.splice(i, 0, { start: t, end: end, text: "" });
    render("#cue-" + (i + 1) + "-text");
    say(tx("added_at", { n: i + 1, time: fmt(t) }));
  }

  function remove(i) {
    var n = i + 1;
    cues.splice(i, 1);
    var focus = cues.length === 0 ? "#ce-add-here" : "#cue-" + Math.min(n, cues.length) + "-start";
    render(focus);
    say(tx("removed", { n: n }));
  }

  function play(i) {
    var c = cues[i];
    if (!video || !isFinite(c.start) || !isFinite(c.end)) return;
    stopAt = c.end / 1000;
    video.currentTime = c.start / 1000;
    var p = video.play();
    if (p && p.catch) p.catch(function () { say(tx("play_failed")); });
    watchStop();
  }

  // watchStop pauses at the end of the cue being played, checking every
  // frame: timeupdate comes only about four times a second.
  // A pause by the user ends the watch (see setUpVideo).
  function watchStop() {
    if (stopAt === null) return;
    if (video.currentTime >= stopAt) { stopAt = null; video.pause(); return; }
    window.requestAnimationFrame(watchStop);
  }

  // ---- the video's live caption track ----

  var trackTimer = null;
  function syncTrackSoon() {
    if (!liveTrack) return;
    window.clearTimeout(trackTimer);
    trackTimer = window.setTimeout(syncTrack, 200);
  }
  function syncTrack() {
    if (!liveTrack || !window.VTTCue) return;
    var old = liveTrack.cues ? Array.prototype.slice.call(liveTrack.cues) : [];
    old.forEach(function (c) { liveTrack.removeCue(c); });
    cues.forEach(function (c) {
      if (isFinite(c.start) && isFinite(c.end) && c.end > c.start) liveTrack.addCue(new window.VTTCue(c.start / 1000, c.end / 1000, c.text));
    });
  }

  function setUpVideo() {
    if (!video) return;
    // The stored track stays for viewers without JavaScript; the editor
    // shows a live one that follows the unsaved edits.
    Array.prototype.forEach.call(video.textTracks, function (t) { t.mode = "disabled"; });
    if (video.addTextTrack) {
      liveTrack = video.addTextTrack(root.getAttribute("data-kind") || "subtitles", tx("live_track", { label: root.getAttribute("data-label") || lang }), lang);
      liveTrack.mode = "showing";
    }
    var clock = document.getElementById("ce-time");
    var clockRow = document.getElementById("ce-clock");
    if (clockRow) clockRow.hidden = false; // only JavaScript keeps it current
    video.addEventListener("timeupdate", function () {
      if (clock) clock.textContent = fmt(nowMs());
      markCurrent();
    });
    video.addEventListener("pause", function () { stopAt = null; });
    video.addEventListener("seeked", function () { if (clock) clock.textContent = fmt(nowMs()); markCurrent(); });
  }

  var currentRow = null;
  function markCurrent() {
    if (!video) return;
    var t = nowMs(), idx = -1;
    for (var i = 0; i < cues.length; i++) if (cues[i].start <= t && t < cues[i].end) { idx = i; break; }
    var li = idx >= 0 ? list.children[idx] : null;
    if (li === currentRow) return;
    if (currentRow) { currentRow.classList.remove("ce-current"); currentRow.removeAttribute("aria-current"); }
    if (li) { li.classList.add("ce-current"); li.setAttribute("aria-current", "time"); }
    currentRow = li;
  }

  // ---- loading and saving ----

  function fromServer(data) {
    baseRevision = data.revision;
    if (data.recording_ms) recordingMs = data.recording_ms;
    cues = data.cues.map(function (c) { return { start: c.start_ms, end: c.end_ms, text: c.text }; });
    savedJSON = JSON.stringify(plainCues());
    showRevision(data.revision);
  }

  function showRevision(rev) {
    document.getElementById("ce-revision").textContent = String(rev);
    var hidden = document.querySelector("#shift-form input[name=revision]");
    if (hidden) hidden.value = String(rev);
  }

  function request(method, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrfMeta) headers["X-CSRF-Token"] = csrfMeta.getAttribute("content");
    return fetch(apiURL + (method === "PUT" ? "/cues" : ""), {
      method: method, headers: headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (j) { return { status: res.status, json: j }; }, function () { return { status: res.status, json: null }; });
    });
  }

  function errorMessage(r, fallback) {
    return r.json && r.json.error && r.json.error.message ? r.json.error.message : fallback;
  }

  function save(revision) {
    if (saving) return;
    hideAlert();
    var found = validate();
    if (found.length) {
      fillSummary(found);
      summary.focus();
      say(tx("not_saved_errors", { count: found.length }));
      return;
    }
    saving = true;
    saveBtn.disabled = true;
    say(tx("saving"));
    request("PUT", { revision: revision, cues: plainCues() }).then(function (r) {
      saving = false;
      saveBtn.disabled = false;
      if (r.status === 200 && r.json) {
        var focused = document.activeElement && document.activeElement.id;
        fromServer(r.json);
        render(focused ? "#" + focused : null);
        storeDraft();
        say(tx("saved", { revision: r.json.revision }));
        return;
      }
      if (r.status === 409) { conflict(); return; }
      if (r.status === 400 && r.json && r.json.error && r.json.error.fields) {
        var key = Object.keys(r.json.error.fields)[0] || "";
        var n = parseInt(key.replace("cues.", ""), 10) || 0;
        var found2 = validate({ n: n, msg: r.json.error.fields[key] });
        fillSummary(found2);
        summary.focus();
        say(tx("not_saved_dot"));
        return;
      }
      showAlert(tx("not_saved"), errorMessage(r, tx("server_said", { status: r.status })) + " " + tx("edits_kept"));
    }, function () {
      saving = false;
      saveBtn.disabled = false;
      showAlert(tx("not_saved"), tx("unreachable"));
    });
  }

  // conflict: someone else changed the track. The edits stay; the user
  // chooses to overwrite the newer version or to take it and drop theirs.
  function conflict() {
    storeDraft();
    request("GET").then(function (r) {
      var current = r.status === 200 && r.json ? r.json : null;
      var text = current ? tx("conflict_versions", { revision: current.revision, base: baseRevision }) : tx("conflict");
      var actions = [];
      if (current) {
        actions.push(button(tx("save_anyway"), tx("save_anyway_context", { revision: current.revision }), function () { save(current.revision); }));
        actions.push(button(tx("discard_show", { revision: current.revision }), "", function () {
          fromServer(current);
          render();
          hideAlert();
          storeDraft();
          say(tx("discarded_show", { revision: current.revision }));
        }, "ce-btn ce-secondary"));
      }
      showAlert(tx("conflict_heading"), text, actions);
      say(tx("conflict_say"));
      var first = alertBox.querySelector("button");
      if (first) first.focus();
    });
  }

  function revert() {
    if (!isDirty()) return;
    if (!window.confirm(tx("revert_confirm"))) return;
    cues = JSON.parse(savedJSON).map(function (c) { return { start: c.start_ms, end: c.end_ms, text: c.text }; });
    render();
    say(tx("reverted"));
  }

  function start(data) {
    fromServer(data);
    var draft = readDraft();
    var restored = null;
    if (draft && JSON.stringify(draft.cues) !== savedJSON) {
      var server = data;
      cues = draft.cues.map(function (c) { return { start: c.start_ms, end: c.end_ms, text: String(c.text) }; });
      baseRevision = draft.revision;
      restored = { draft: draft, server: server };
    } else if (draft) {
      try { localStorage.removeItem(storageKey); } catch (e) { /* ignored */ }
    }

    var toolbar = el("div", { className: "ce-toolbar" }, [saveBtn, revertBtn, addBtn, dirtyNote]);
    saveBtn.addEventListener("click", function () { save(baseRevision); });
    revertBtn.addEventListener("click", revert);
    addBtn.addEventListener("click", addAtPlayhead);
    if (!video) addBtn.hidden = true;
    var help = el("p", { className: "hint", id: "ce-help", text: tx("help") });
    app.appendChild(el("h2", { id: "h-cues", text: tx("cues") }));
    app.appendChild(help);
    app.appendChild(alertBox);
    app.appendChild(summary);
    app.appendChild(toolbar);
    app.appendChild(status);
    app.appendChild(list);
    app.appendChild(el("div", { className: "ce-toolbar ce-bottom" }, [button(tx("save"), tx("save_bottom_context"), function () { save(baseRevision); })]));

    readonly.hidden = true;
    if (loading) loading.hidden = true;
    app.hidden = false;
    setUpVideo();
    render();
    syncTrack();
    if (restored) {
      var when = new Date(restored.draft.saved_at);
      var changedSince = restored.draft.revision !== restored.server.revision;
      showAlert(tx("restored_heading"),
        tx("restored", { when: isNaN(when) ? tx("earlier") : when.toLocaleString(tx("locale")) }) +
        (changedSince ? " " + tx("restored_changed", { from: restored.draft.revision, to: restored.server.revision }) : ""),
        [button(tx("restored_discard"), "", function () {
          fromServer(restored.server);
          render();
          hideAlert();
          storeDraft();
          say(tx("saved_shown"));
        }, "ce-btn ce-secondary")]);
    }
  }

  if (loading) loading.hidden = false;
  request("GET").then(function (r) {
    if (r.status === 200 && r.json) { start(r.json); return; }
    if (loading) loading.textContent = tx("load_failed", { reason: errorMessage(r, tx("server_said_lower", { status: r.status })) });
  }, function () {
    if (loading) loading.textContent = tx("load_unreachable");
  });
})();
