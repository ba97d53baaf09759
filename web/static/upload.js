// Staff uploads with a progress bar, speed, time left and a cancel button.
// Without JavaScript the same forms post normally.
(function () {
  "use strict";
  function fmtBytes(n) {
    var u = ["B", "KB", "MB", "GB"], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0).replace(".", ",") + " " + u[i];
  }
  function fmtTime(s) {
    if (!isFinite(s)) return "";
    s = Math.round(s);
    var m = Math.floor(s / 60);
    return m > 0 ? m + " min " + (s % 60) + " s" : s + " s";
  }
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var box = form.querySelector(".progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".progress-text");
    var cancel = box.querySelector(".cancel");
    var submit = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var xhr = new XMLHttpRequest();
      var started = Date.now();
      var lastAnnounced = -10;
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=_csrf]").value);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.floor(e.loaded / e.total * 100);
        var secs = (Date.now() - started) / 1000;
        var speed = e.loaded / Math.max(secs, 0.001);
        bar.value = pct;
        // Announce every 10 % to screen readers, not on every event.
        if (pct - lastAnnounced >= 10 || pct === 100) {
          lastAnnounced = pct;
          text.textContent = pct + " % (" + fmtBytes(e.loaded) + " av " + fmtBytes(e.total) + ", " +
            fmtBytes(speed) + "/s, " + fmtTime((e.total - e.loaded) / speed) + " kvar)";
        }
      };
      xhr.onload = function () {
        var msg = "Uppladdningen misslyckades.";
        try { var body = JSON.parse(xhr.responseText); if (body.error) msg = body.error.message; } catch (e) {}
        if (xhr.status >= 200 && xhr.status < 300) {
          text.textContent = "Klart! Sidan laddas om.";
          window.location.reload();
        } else {
          text.textContent = msg;
          submit.disabled = false;
        }
      };
      xhr.onerror = function () { text.textContent = "Anslutningen bröts. Inget sparades; försök igen."; submit.disabled = false; };
      xhr.onabort = function () { text.textContent = "Uppladdningen avbröts. Inget sparades."; submit.disabled = false; };
      cancel.onclick = function () { xhr.abort(); };
      box.hidden = false;
      submit.disabled = true;
      text.textContent = "Laddar upp…";
      xhr.send(new FormData(form));
    });
  });
})();
