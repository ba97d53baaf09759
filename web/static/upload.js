// Staff uploads with a progress bar, speed and time left.
// Recordings and slide decks (forms with data-resumable) use the tus
// protocol: they survive a dropped connection or a restart and resume from
// the last byte that arrived, with pause, resume and cancel. Other forms
// (subtitles, posters) are small and sent in one request. Without
// JavaScript every form posts normally.
(function () {
  "use strict";
  // The page's texts, in its language, from a JSON block the server renders
  // from its message catalogue. Only ever used as text, never as HTML.
  var texts = {};
  try { texts = JSON.parse(document.getElementById("upload-texts").textContent) || {}; } catch (e) { /* keys show instead */ }
  function tx(key, args) {
    var s = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    return s.replace(/\{(\w+)\}/g, function (m, k) { return args && Object.prototype.hasOwnProperty.call(args, k) ? String(args[k]) : m; });
  }
  function fmtBytes(n) {
    var u = ["B", "KB", "MB", "GB"], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0).replace(".", tx("decimal")) + " " + u[i];
  }
  function fmtTime(s) {
    if (!isFinite(s) || s < 0) return "";
    s = Math.round(s);
    var m = Math.floor(s / 60);
    return m > 0 ? m + " min " + (s % 60) + " s" : s + " s";
  }
  function errorText(body, fallback) {
    try { var j = JSON.parse(body); if (j.error && j.error.message) return j.error.message; } catch (e) {}
    return fallback;
  }

  // progressReporter updates the bar on every event and the text that
  // screen readers announce every 10 %.
  function progressReporter(bar, text) {
    var started = Date.now(), startBytes = 0, last = -10;
    return {
      restart: function (from) { started = Date.now(); startBytes = from || 0; last = -10; },
      update: function (loaded, total) {
        var pct = Math.floor(loaded / total * 100);
        var secs = (Date.now() - started) / 1000;
        var speed = (loaded - startBytes) / Math.max(secs, 0.001);
        bar.value = pct;
        if (pct - last >= 10 || pct === 100) {
          last = pct;
          text.textContent = tx(speed > 0 ? "progress_left" : "progress", { pct: pct, loaded: fmtBytes(loaded), total: fmtBytes(total),
            speed: fmtBytes(speed), left: fmtTime((total - loaded) / speed) });
        }
      }
    };
  }

  function plainUpload(form, box, bar, text, submit, cancel) {
    var xhr = new XMLHttpRequest();
    var report = progressReporter(bar, text);
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=_csrf]").value);
    xhr.setRequestHeader("Accept", "application/json");
    var file = form.querySelector("input[type=file]").files[0];
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      // e.total counts the whole form; show the file's own size.
      var total = file ? file.size : e.total;
      report.update(Math.round(e.loaded / e.total * total), total);
    };
    xhr.onload = function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        text.textContent = tx("done");
        window.location.reload();
      } else {
        failed(errorText(xhr.responseText, tx("failed")));
      }
    };
    xhr.onerror = function () { failed(tx("connection_lost")); };
    xhr.onabort = function () { failed(tx("aborted_nothing_saved")); };
    function failed(msg) {
      text.textContent = msg;
      bar.value = 0;
      cancel.hidden = true;
      submit.disabled = false;
    }
    cancel.onclick = function () { xhr.abort(); };
    xhr.send(new FormData(form));
  }

  function resumableUpload(form, box, bar, text, submit, cancel, pause) {
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) { text.textContent = tx("choose_file"); return; }
    var report = progressReporter(bar, text);
    var paused = false;
    var upload = new tus.Upload(file, {
      endpoint: "/api/v1/uploads",
      chunkSize: 16 * 1024 * 1024,         // one S3 part per chunk, committed when stored
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      storeFingerprintForResuming: true,     // a reload or restart continues the same upload
      removeFingerprintOnSuccess: true,
      headers: { "X-CSRF-Token": form.querySelector("input[name=_csrf]").value },
      metadata: { slug: form.dataset.slug, kind: form.dataset.resumable, filename: file.name, filetype: file.type },
      onProgress: function (loaded, total) { report.update(loaded, total); },
      onShouldRetry: function (err) {
        var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        return status === 0 || status === 409 || status === 423 || status >= 500;
      },
      onError: function (err) {
        var body = err.originalResponse ? err.originalResponse.getBody() : "";
        text.textContent = errorText(body, tx("resumable_failed"));
        bar.value = 0;
        cancel.hidden = true;
        submit.disabled = false;
        pause.hidden = true;
      },
      onSuccess: function () {
        text.textContent = tx("done");
        window.location.reload();
      }
    });
    pause.hidden = false;
    pause.textContent = tx("pause");
    pause.onclick = function () {
      if (!paused) {
        upload.abort();
        paused = true;
        pause.textContent = tx("resume");
        text.textContent = tx("paused", { pct: bar.value });
      } else {
        paused = false;
        pause.textContent = tx("pause");
        report.restart();
        upload.start();
      }
    };
    cancel.onclick = function () {
      upload.abort(true).then(function () {
        text.textContent = tx("cancelled_removed");
      }, function () {
        text.textContent = tx("cancelled");
      });
      submit.disabled = false;
      pause.hidden = true;
    };
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        text.textContent = tx("resuming");
      }
      report.restart();
      upload.start();
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var box = form.querySelector(".progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".progress-text");
    var cancel = box.querySelector(".cancel");
    var pause = box.querySelector(".pause");
    var submit = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      box.hidden = false;
      cancel.hidden = false;
      bar.value = 0;
      submit.disabled = true;
      text.textContent = tx("uploading");
      if (form.dataset.resumable && window.tus && tus.isSupported && pause) {
        resumableUpload(form, box, bar, text, submit, cancel, pause);
      } else {
        plainUpload(form, box, bar, text, submit, cancel);
      }
    });
  });
})();
