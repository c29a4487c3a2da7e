// A participant's phone page: the step's part follows the workshop by itself, typed text is
// never lost, and the countdown ticks here (a running timer costs the server nothing).
//
// - The event stream (#live's data-live) says when the step, the vote or the timer changed; the
//   page then fetches the step's part (/phone/screen) and htmx swaps it in. A stream that comes
//   back after a drop refreshes once; every 20 s a cheap check (204 when nothing changed) is the
//   safety net.
// - What is typed into a note or an idea is kept in this phone's storage until it is sent, and
//   put back after every swap (a new step, "time is up", a refused text, a reload).
// - A choice on the ballot not sent yet is put back when the same ballot is swapped in again.
// - A person's tap always has the last word: a refresh asked for before the tap's answer came back
//   may have been drawn before the tap was stored, so it is dropped, and asked for again after.
// - A field at its limit says so: the browser cuts a paste at maxlength, the note tells why.
// Participant text only ever reaches the page as text (textContent), never as markup.
(function () {
  'use strict';
  const live = document.getElementById('live');
  const labels = live ? JSON.parse(live.dataset.labels || '{}') : {};
  const draftKey = live ? 'iw:draft:' + live.dataset.draftKey + ':' : 'iw:draft:join:';
  const SAFETY_NET_MS = 20000;
  let skewMs = 0;
  let timeupFired = false;

  function store(key, value) {
    try {
      if (value) localStorage.setItem(key, value); else localStorage.removeItem(key);
    } catch (e) { /* storage disabled: the field still holds the text */ }
  }
  function stored(key) {
    try { return localStorage.getItem(key) || ''; } catch (e) { return ''; }
  }

  function limitNote(field) {
    let note = field.nextElementSibling;
    if (!note || !note.classList.contains('limit')) {
      note = document.createElement('small');
      note.className = 'limit';
      note.setAttribute('role', 'status');
      field.after(note);
    }
    const max = Number(field.dataset.limit);
    const at = field.value.length >= max;
    note.textContent = at ? (labels.limit || 'Limit: {max}').replace('{max}', String(max)) : '';
    note.hidden = !at;
  }

  // Put back what was typed and not sent (a sent note's form says so: its draft is done).
  function drafts(root) {
    const form = root.querySelector('form.note-form');
    root.querySelectorAll('[data-draft]').forEach(function (field) {
      const key = draftKey + field.dataset.draft;
      if (form && form.hasAttribute('data-just-sent')) store(key, '');
      else if (!field.value && stored(key)) field.value = stored(key);
      else if (field.value) store(key, field.value);
    });
    root.querySelectorAll('[data-limit]').forEach(limitNote);
  }

  // One listener for every field, present and future: the page's parts are swapped in and out.
  document.addEventListener('input', function (e) {
    const field = e.target;
    if (!(field instanceof HTMLElement)) return;
    if (field.dataset.draft) store(draftKey + field.dataset.draft, field.value);
    if (field.dataset.limit) limitNote(field);
  });

  // A choice on the ballot that was not sent yet survives a swap of the same ballot (a reconnect,
  // the safety net, someone else's tap): the person's tap is put back, never silently undone.
  let unsent = null;
  function noteChoice(e) {
    const form = e.target instanceof HTMLElement ? e.target.closest('form.ballot') : null;
    if (!form) return;
    const values = {};
    form.querySelectorAll('input[type="radio"], input[type="number"]').forEach(function (input) {
      if (input.type === 'radio') { if (input.checked) values[input.name + '=' + input.value] = true; }
      else values[input.name] = input.value;
    });
    unsent = { poll: form.dataset.poll, round: form.dataset.round, values: values };
  }
  document.addEventListener('change', noteChoice);
  document.addEventListener('input', noteChoice);
  document.addEventListener('submit', function (e) {
    if (e.target instanceof HTMLElement && e.target.matches('form.ballot')) unsent = null;
  });
  function keepUnsentChoice(root) {
    const form = root.querySelector('form.ballot');
    if (!form || !unsent) return;
    if (form.dataset.poll !== unsent.poll || form.dataset.round !== unsent.round) { unsent = null; return; }
    form.querySelectorAll('input[type="radio"], input[type="number"]').forEach(function (input) {
      if (input.type === 'radio') input.checked = !!unsent.values[input.name + '=' + input.value];
      else if (input.name in unsent.values) input.value = unsent.values[input.name];
    });
  }

  function filters(root) {
    const text = root.querySelector('[data-filter="text"]');
    const category = root.querySelector('[data-filter="category"]');
    if (!text || !category || text.dataset.bound) return;
    text.dataset.bound = '1';
    try {
      text.value = sessionStorage.getItem('iw:filter:text') || '';
      category.value = sessionStorage.getItem('iw:filter:category') || '';
    } catch (e) { /* no storage */ }
    const apply = function () {
      const needle = text.value.trim().toLowerCase();
      let shown = 0;
      root.querySelectorAll('li.trend').forEach(function (row) {
        const ok = (!category.value || row.dataset.category === category.value) &&
          (!needle || row.dataset.search.indexOf(needle) >= 0);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      const nothing = root.querySelector('.nothing');
      if (nothing) nothing.hidden = shown > 0;
      try {
        sessionStorage.setItem('iw:filter:text', text.value);
        sessionStorage.setItem('iw:filter:category', category.value);
      } catch (e) { /* no storage */ }
    };
    text.addEventListener('input', apply);
    category.addEventListener('change', apply);
    apply();
  }

  function two(n) { return (n < 10 ? '0' : '') + n; }

  function tick() {
    const box = document.getElementById('countdown');
    if (!box) return;
    const paused = Number(box.dataset.pausedS || 0);
    const deadline = Number(box.dataset.deadlineMs || 0);
    let left;
    if (paused > 0) left = paused * 1000;
    else left = Math.max(0, deadline - (Date.now() + skewMs));
    const s = Math.ceil(left / 1000);
    box.querySelector('.label').textContent =
      paused > 0 ? (labels.paused || '') : (s > 0 ? (labels.left || '') : (labels.up || ''));
    box.querySelector('.clock').textContent = Math.floor(s / 60) + ':' + two(s % 60);
    box.classList.toggle('over', s <= 0 && paused <= 0);
    if (s <= 0 && paused <= 0 && !timeupFired) {
      timeupFired = true;
      refresh();
    }
  }

  function setUp(root) {
    const box = root.querySelector('#countdown');
    if (box && box.dataset.nowMs) skewMs = Number(box.dataset.nowMs) - Date.now();
    // A screen drawn after the deadline already shows "time is up": it needs no refresh of its own.
    timeupFired = !!(box && (box.classList.contains('over') ||
      (Number(box.dataset.pausedS || 0) <= 0 &&
       Number(box.dataset.deadlineMs || 0) <= Number(box.dataset.nowMs || 0))));
    drafts(root);
    filters(root);
    tick();
  }

  function screen() { return document.getElementById('screen'); }

  function refresh(onlyIfChanged) {
    if (!live || !window.htmx || !screen()) return;
    let url = live.dataset.screen;
    if (onlyIfChanged) url += '&phase=' + encodeURIComponent(screen().dataset.phase || '');
    window.htmx.ajax('GET', url, { target: '#screen', swap: 'outerHTML' });
  }

  function say(kind, text) {
    const root = screen() || document.querySelector('main');
    if (!root) return;
    const p = document.createElement('p');
    p.className = 'flash ' + kind;
    p.setAttribute('role', 'alert');
    p.textContent = text;
    root.prepend(p);
  }

  document.addEventListener('DOMContentLoaded', function () {
    setUp(document);
    setInterval(tick, 1000);
    if (!live) return;
    // Keep the focus and the caret in the field the person was typing in across a swap.
    let focus = null;
    document.body.addEventListener('htmx:beforeSwap', function (e) {
      const active = document.activeElement;
      focus = active && active.id && e.detail.target === screen() && screen().contains(active)
        ? { id: active.id, start: active.selectionStart, end: active.selectionEnd } : null;
    });
    document.body.addEventListener('htmx:afterSwap', function () {
      keepUnsentChoice(screen() || document);
    });
    document.body.addEventListener('htmx:afterSettle', function () {
      setUp(screen() || document);
      if (focus) {
        const again = document.getElementById(focus.id);
        if (again) {
          again.focus();
          try { again.setSelectionRange(focus.start, focus.end); } catch (err) { /* not text */ }
        }
      }
    });
    // Taps (POST) and refreshes (GET) in flight. A refresh asked for before a tap is older than
    // the tap's answer (drawn after the tap was stored), so it is not swapped in over it: it could
    // show the ballot empty after "vote counted". One asked for while a tap was on its way may know
    // something newer: it is asked for again once the taps are back.
    let asked = 0;
    let tapsInFlight = 0;
    let lastTap = 0;
    let lastTapOk = true;
    let againAfterTaps = false;
    let againIfTapFailed = false;
    function refreshIfNeeded() {
      if (againAfterTaps || (againIfTapFailed && !lastTapOk)) refresh();
      againAfterTaps = againIfTapFailed = false;
    }
    document.body.addEventListener('htmx:beforeRequest', function (e) {
      const xhr = e.detail.xhr;
      xhr.__asked = ++asked;
      xhr.__tap = (e.detail.requestConfig && e.detail.requestConfig.verb) !== 'get';
      xhr.__duringTap = tapsInFlight > 0;
      if (xhr.__tap) { tapsInFlight += 1; lastTap = xhr.__asked; }
    });
    document.body.addEventListener('htmx:beforeSwap', function (e) {
      const xhr = e.detail.xhr;
      if (xhr.__tap || !(xhr.__duringTap || xhr.__asked < lastTap)) return;
      e.detail.shouldSwap = false;
      if (xhr.__duringTap) againAfterTaps = true; else againIfTapFailed = true;
      if (tapsInFlight === 0) refreshIfNeeded();
    });
    document.body.addEventListener('htmx:afterRequest', function (e) {
      if (!e.detail.xhr.__tap) return;
      tapsInFlight = Math.max(0, tapsInFlight - 1);
      lastTapOk = !!e.detail.successful;
      if (tapsInFlight === 0) refreshIfNeeded();
    });
    document.body.addEventListener('htmx:responseError', function (e) {
      const doc = new DOMParser().parseFromString(e.detail.xhr.responseText || '', 'text/html');
      const message = doc.querySelector('.flash');
      say('error', message ? message.textContent : String(e.detail.xhr.status));
    });
    document.body.addEventListener('htmx:sendError', function () {
      say('error', labels.offline || '…');
    });
    let boot = null;
    let opened = false;
    const source = new EventSource(live.dataset.live);
    source.addEventListener('hello', function (e) {
      let id = null;
      try { id = JSON.parse(e.data).boot; } catch (err) { /* an old server */ }
      // A stream that comes back (a drop, a new server process) may have missed a change.
      // The first one may come after a change made while the page was on its way: a cheap check.
      if (opened || (boot && id !== boot)) refresh(); else refresh(true);
      boot = id;
      opened = true;
    });
    source.addEventListener('change', function () { refresh(); });
    setInterval(function () { refresh(true); }, SAFETY_NET_MS);
  });
}());
