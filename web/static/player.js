// Watch page: caption control and settings, the interactive transcript,
// chapter links and deep links (?t=754, #t=12m34s).
//
// The page works without this file: the transcript and chapters are lists
// of ?t= links that the server answers with the video starting there.
// Here those links seek in place instead. Text from cues is only ever set
// with textContent.
(function () {
  'use strict';

  var video = document.getElementById('player');
  if (!video) return;

  // --- Times --------------------------------------------------------------

  // parseTime reads what webinar.ParseClock reads: 754, 754.5, 12:34,
  // 1:02:03, 12m34s, 1h2m3s. It returns seconds, or null.
  function parseTime(s) {
    s = String(s == null ? '' : s).trim().toLowerCase();
    var m, h = 0, mi = 0, se = 0, frac = '';
    if ((m = /^(?:(\d+):)?(\d+):(\d{2})(?:[.,](\d{1,3}))?$/.exec(s))) {
      h = +(m[1] || 0); mi = +m[2]; se = +m[3]; frac = m[4] || '';
      if (se >= 60 || (m[1] && mi >= 60)) return null;
    } else if ((m = /^(\d{1,6})(?:[.,](\d{1,3}))?$/.exec(s))) {
      se = +m[1]; frac = m[2] || '';
    } else if (s && (m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)(?:[.,](\d{1,3}))?s)?$/.exec(s))) {
      h = +(m[1] || 0); mi = +(m[2] || 0); se = +(m[3] || 0); frac = m[4] || '';
      if (((m[1] || m[2]) && se >= 60) || (m[1] && mi >= 60)) return null;
    } else {
      return null;
    }
    var t = h * 3600 + mi * 60 + se + (frac ? Number('0.' + frac) : 0);
    return t <= 86400 ? t : null;
  }

  // clock writes whole seconds as 0:05, 12:34 or 1:02:03.
  function clock(t) {
    var s = Math.floor(t), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    return h > 0 ? h + ':' + two(m) + ':' + two(r) : m + ':' + two(r);
  }

  // format fills %d with counts grouped the page's way (1 500, 1,500).
  function format(template) {
    var args = Array.prototype.slice.call(arguments, 1), lang = document.documentElement.lang || 'sv';
    return template.replace(/%d/g, function () { return Number(args.shift()).toLocaleString(lang); });
  }

  function play() {
    var p = video.play();
    if (p && p.catch) p.catch(function () { /* autoplay refused: stays put at the moment */ });
  }

  // seek plays from t seconds. reveal brings the video back into view when
  // it is wholly off screen (on narrow screens the transcript, chapters and
  // slides sit below it).
  function seek(t, reveal) {
    if (!(t >= 0)) return;
    video.currentTime = t;
    play();
    if (reveal) {
      var r = video.getBoundingClientRect();
      if (r.bottom < 0 || r.top > window.innerHeight) video.scrollIntoView({ block: 'start' });
    }
  }

  // A plain left click without modifiers: others open the ?t= link as usual.
  function plainClick(e) {
    return !e.defaultPrevented && e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
  }

  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };

  // --- Captions -------------------------------------------------------------

  function subtitleTracks() {
    return Array.prototype.filter.call(video.textTracks, function (t) {
      return t.kind === 'subtitles' || t.kind === 'captions';
    });
  }
  function trackFor(lang) {
    return subtitleTracks().filter(function (t) { return t.language === lang; })[0] || null;
  }

  var defaultEl = video.querySelector('track[default]');
  var captionLang = defaultEl ? defaultEl.srclang : (subtitleTracks()[0] || {}).language || '';
  var captionsOn = captionLang !== '';

  var settings = document.querySelector('.caption-settings');
  var toggle = document.getElementById('cc-toggle');
  var langSelect = document.getElementById('cc-lang');
  var sizeSelect = document.getElementById('cc-size');
  var coloursSelect = document.getElementById('cc-colours');

  // applyCaptions sets the modes: the chosen language shows, or stays
  // hidden when captions are off (so the transcript still follows it).
  function applyCaptions() {
    subtitleTracks().forEach(function (t) {
      if (t.language === captionLang) t.mode = captionsOn ? 'showing' : 'hidden';
      else if (t.mode !== 'disabled') t.mode = 'disabled';
    });
    showCaptionState();
  }

  function showCaptionState() {
    if (!toggle) return;
    toggle.setAttribute('aria-pressed', captionsOn ? 'true' : 'false');
    var state = toggle.querySelector('.cc-state');
    state.textContent = captionsOn ? state.dataset.textOn : state.dataset.textOff;
    if (langSelect) langSelect.value = captionLang;
  }

  function chooseLang(lang) {
    if (!trackFor(lang)) return;
    captionLang = lang;
    applyCaptions();
    transcript.show(lang);
  }

  function toggleCaptions() {
    captionsOn = !captionsOn;
    applyCaptions();
  }

  // The browser's own caption menu changes modes too: follow it.
  video.textTracks.addEventListener('change', function () {
    var showing = subtitleTracks().filter(function (t) { return t.mode === 'showing'; });
    if (showing.length) {
      captionsOn = true;
      var other = showing.filter(function (t) { return t.language !== captionLang; })[0];
      if (other) {
        captionLang = other.language;
        transcript.show(captionLang);
      }
    } else {
      captionsOn = false;
      var chosen = trackFor(captionLang);
      if (chosen && chosen.mode === 'disabled') chosen.mode = 'hidden';
    }
    showCaptionState();
  });

  var SIZES = ['normal', 'large', 'xlarge'];
  var COLOURS = ['white', 'yellow', 'black'];
  function applyLook() {
    var size = store.get('portal.captionSize'), colours = store.get('portal.captionColours');
    if (SIZES.indexOf(size) < 0) size = 'normal';
    if (COLOURS.indexOf(colours) < 0) colours = 'white';
    SIZES.forEach(function (s) { video.classList.toggle('cc-size-' + s, s === size); });
    COLOURS.forEach(function (c) { video.classList.toggle('cc-colours-' + c, c === colours); });
    if (sizeSelect) sizeSelect.value = size;
    if (coloursSelect) coloursSelect.value = colours;
  }

  if (settings && toggle) {
    settings.hidden = false;
    toggle.addEventListener('click', toggleCaptions);
    if (langSelect) langSelect.addEventListener('change', function () { chooseLang(langSelect.value); });
    sizeSelect.addEventListener('change', function () { store.set('portal.captionSize', sizeSelect.value); applyLook(); });
    coloursSelect.addEventListener('change', function () { store.set('portal.captionColours', coloursSelect.value); applyLook(); });
    // C toggles captions while the video has focus (only then, so the key
    // never interferes with typing elsewhere).
    video.addEventListener('keydown', function (e) {
      if ((e.key === 'c' || e.key === 'C') && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        toggleCaptions();
      }
    });
  }
  applyLook();

  // --- Transcript -----------------------------------------------------------

  var transcript = (function () {
    var section = document.getElementById('transcript');
    var list = section && section.querySelector('.transcript-cues');
    if (!list) return { show: function () {} };
    var lang = section.dataset.lang;
    var cues = [];     // {start, end, li, textEl, text, lower}
    var current = -1;  // index into cues
    var userScrolledAt = 0;
    var query = document.getElementById('transcript-q');
    var count = document.getElementById('transcript-count');
    var countTimer = 0;

    function index() {
      current = -1;
      cues = Array.prototype.map.call(list.children, function (li, i) {
        var textEl = li.querySelector('.cue-text');
        var text = textEl.textContent;
        if (li.getAttribute('aria-current') === 'true') current = i;
        return { start: Number(li.dataset.start), end: Number(li.dataset.end), li: li, textEl: textEl,
          text: text, lower: text.toLocaleLowerCase() };
      });
    }

    // at is the last cue that started at or before t (-1: none yet), so
    // the line just spoken stays marked through a pause.
    function at(t) {
      var lo = 0, hi = cues.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (cues[mid].start <= t + 0.0005) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return found;
    }

    function mark(i) {
      if (i === current) return;
      if (current >= 0 && cues[current]) cues[current].li.removeAttribute('aria-current');
      current = i;
      if (i < 0) return;
      cues[i].li.setAttribute('aria-current', 'true');
      follow(cues[i].li);
    }

    // follow keeps the current cue in view inside the list, unless the
    // reader is scrolling or moving through it with the keyboard.
    function follow(li) {
      if (li.hidden || Date.now() - userScrolledAt < 5000) return;
      var a = document.activeElement;
      if (a && list.contains(a) && a.matches(':focus-visible')) return;
      var top = li.offsetTop - list.clientHeight / 3;
      list.scrollTop = Math.max(0, top);
    }
    ['wheel', 'touchmove'].forEach(function (ev) {
      list.addEventListener(ev, function () { userScrolledAt = Date.now(); }, { passive: true });
    });

    function onCueChange(e) {
      var tr = e.target;
      if (tr.language !== lang || !tr.activeCues || !tr.activeCues.length) return;
      var latest = tr.activeCues[0];
      for (var i = 1; i < tr.activeCues.length; i++) {
        if (tr.activeCues[i].startTime > latest.startTime) latest = tr.activeCues[i];
      }
      mark(at(latest.startTime));
    }
    subtitleTracks().forEach(function (t) { t.addEventListener('cuechange', onCueChange); });
    ['timeupdate', 'seeked'].forEach(function (ev) {
      video.addEventListener(ev, function () { mark(at(video.currentTime)); });
    });

    list.addEventListener('click', function (e) {
      var li = e.target.closest('li[data-start]');
      if (!li || !plainClick(e)) return;
      // Selecting text in a cue is not a request to seek.
      if (!e.target.closest('a') && String(window.getSelection()) !== '') return;
      e.preventDefault();
      seek(Number(li.dataset.start), true);
    });

    // Filter as you type; the count is announced once typing pauses.
    function highlight(c, needle) {
      var el = c.textEl;
      if (!needle) { if (el.childElementCount) el.textContent = c.text; return; }
      var parts = [], from = 0, pos;
      while ((pos = c.lower.indexOf(needle, from)) >= 0) {
        if (pos > from) parts.push(document.createTextNode(c.text.slice(from, pos)));
        var m = document.createElement('mark');
        m.textContent = c.text.slice(pos, pos + needle.length);
        parts.push(m);
        from = pos + needle.length;
      }
      if (from < c.text.length) parts.push(document.createTextNode(c.text.slice(from)));
      el.replaceChildren.apply(el, parts);
    }
    function filter() {
      var needle = query ? query.value.trim().toLocaleLowerCase() : '';
      var shown = 0;
      cues.forEach(function (c) {
        var hit = !needle || c.lower.indexOf(needle) >= 0;
        c.li.hidden = !hit;
        if (hit) shown++;
        if (hit || c.textEl.childElementCount) highlight(c, hit ? needle : '');
      });
      return { needle: needle, shown: shown };
    }
    function announce() {
      var r = filter();
      if (!count) return;
      count.textContent = r.needle ? format(count.dataset.some, r.shown, cues.length) : format(count.dataset.all, cues.length);
    }
    if (query) {
      query.closest('.transcript-filter').hidden = false;
      query.addEventListener('input', function () {
        filter();
        clearTimeout(countTimer);
        countTimer = setTimeout(announce, 400);
      });
    }

    // show switches the transcript to another language from the cues of
    // its caption track (loaded once the track is at least hidden).
    function show(newLang) {
      if (newLang === lang) return;
      var track = trackFor(newLang);
      var el = Array.prototype.filter.call(video.querySelectorAll('track'), function (t) { return t.track === track; })[0];
      if (!track || !el) return;
      if (track.mode === 'disabled') track.mode = 'hidden';
      var build = function () {
        if (!track.cues) return;
        var several = section.querySelector('.transcript-langs') !== null;
        var prefix = several ? '?transcript=' + encodeURIComponent(newLang) + '&t=' : '?t=';
        var playFrom = section.dataset.playFrom + ' ';
        var items = Array.prototype.map.call(track.cues, function (cue) {
          var li = document.createElement('li');
          li.dataset.start = cue.startTime.toFixed(3);
          li.dataset.end = cue.endTime.toFixed(3);
          var a = document.createElement('a');
          a.href = prefix + Number(cue.startTime.toFixed(3));
          var hidden = document.createElement('span');
          hidden.className = 'visually-hidden';
          hidden.textContent = playFrom;
          a.append(hidden, clock(cue.startTime));
          var text = document.createElement('span');
          text.className = 'cue-text';
          text.lang = newLang;
          text.textContent = cue.text.replace(/\s+/g, ' ').trim();
          li.append(a, ' ', text);
          return li;
        });
        list.replaceChildren.apply(list, items);
        lang = newLang;
        section.dataset.lang = newLang;
        section.querySelector('.transcript-label').textContent = '(' + track.label + ')';
        section.querySelectorAll('.transcript-langs a[data-lang]').forEach(function (a) {
          if (a.dataset.lang === newLang) a.setAttribute('aria-current', 'true');
          else a.removeAttribute('aria-current');
        });
        index();
        filter();
        mark(at(video.currentTime));
      };
      if (el.readyState === 2) build(); else el.addEventListener('load', build, { once: true });
    }

    section.querySelectorAll('.transcript-langs a[data-lang]').forEach(function (a) {
      a.addEventListener('click', function (e) {
        if (!plainClick(e) || !trackFor(a.dataset.lang)) return;
        e.preventDefault();
        chooseLang(a.dataset.lang);
      });
    });

    index();
    return { show: show };
  })();

  applyCaptions();

  // --- Chapters and other seek links -----------------------------------------

  var chapterItems = Array.prototype.slice.call(document.querySelectorAll('.chapters li[data-start]'));
  var chapterNow = null;
  video.addEventListener('timeupdate', function () {
    var now = null;
    chapterItems.forEach(function (li) { if (Number(li.dataset.start) <= video.currentTime + 0.0005) now = li; });
    if (now === chapterNow) return;
    if (chapterNow) chapterNow.querySelector('a').removeAttribute('aria-current');
    chapterNow = now;
    if (now) now.querySelector('a').setAttribute('aria-current', 'true');
  });

  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-seek]');
    if (!a || !plainClick(e)) return;
    e.preventDefault();
    seek(Number(a.dataset.seek), true);
  });

  // --- Deep links --------------------------------------------------------------

  function linkedStart() {
    var h = /^#t=([^&]*)/.exec(window.location.hash);
    if (h) {
      var t = parseTime(decodeURIComponent(h[1]).split(',')[0]);
      if (t !== null) return t;
    }
    var q = new URLSearchParams(window.location.search).get('t');
    return q === null ? null : parseTime(q);
  }

  function startFromLink(t) {
    if (t === null) return;
    var go = function () {
      if (isFinite(video.duration) && t >= video.duration) return;
      seek(t, false);
    };
    if (video.readyState >= 1) go(); else video.addEventListener('loadedmetadata', go, { once: true });
  }
  startFromLink(linkedStart());
  // Later, only a #t= fragment seeks (not the skip link's #after-transcript).
  window.addEventListener('hashchange', function () {
    var h = /^#t=([^&]*)/.exec(window.location.hash);
    if (h) startFromLink(parseTime(decodeURIComponent(h[1]).split(',')[0]));
  });

  // --- Where a logged-in viewer stopped ------------------------------------
  // Saved every 5 s while playing, on pause and when leaving, so the next
  // visit starts there (the server puts it in the page).
  var positionURL = video.getAttribute('data-position-url');
  if (positionURL) {
    var csrfMeta = document.querySelector('meta[name=csrf-token]');
    var lastSaved = -1;
    var savePosition = function (leaving) {
      var t = Math.floor(video.currentTime * 10) / 10;
      if (!isFinite(t) || Math.abs(t - lastSaved) < 1) return;
      lastSaved = t;
      fetch(positionURL, {
        method: 'PUT', keepalive: !!leaving, credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfMeta ? csrfMeta.getAttribute('content') : '' },
        body: JSON.stringify({ seconds: t })
      }).catch(function () { lastSaved = -1; });
    };
    setInterval(function () { if (!video.paused) savePosition(false); }, 5000);
    video.addEventListener('pause', function () { savePosition(false); });
    window.addEventListener('pagehide', function () { savePosition(true); });
  }
})();
