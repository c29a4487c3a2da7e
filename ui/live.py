"""The live element every screen mounts inside its fragment.

It shows the step's countdown from the deadline kept in the database (ticking in the browser,
so a running timer costs the server nothing), listens to the workshop's event stream and asks
for a rerun of its fragment when something it cares about changes, when the time runs out,
or when a dropped connection comes back. A slow fingerprint poll is the safety net.
"""

from __future__ import annotations

import time
from datetime import datetime

import streamlit as st

_JS = r"""
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const host = parentElement;
  let s = host.__live;
  if (!s) { s = host.__live = { n: 0 }; }
  s.data = data;
  s.setTrigger = setTriggerValue;
  s.offset = data.server_now_ms - Date.now();
  const deadlineKey = String(data.deadline_ms) + '/' + String(data.paused_s);
  if (s.deadlineKey !== deadlineKey) { s.deadlineKey = deadlineKey; s.armed = false; s.firedUp = false; }

  let el = host.querySelector('.cd');
  if (!el) {
    el = document.createElement('div');
    el.className = 'cd';
    el.setAttribute('role', 'timer');
    host.appendChild(el);
  }
  el.dataset.size = data.size;

  // The projector can go full screen (no browser or Streamlit chrome) with one click.
  if (data.fullscreen && !host.querySelector('.fs')) {
    const button = document.createElement('button');
    button.className = 'fs';
    button.type = 'button';
    button.textContent = data.labels.fullscreen;
    button.addEventListener('click', () => {
      const root = document.documentElement;
      if (document.fullscreenElement) document.exitFullscreen();
      else if (root.requestFullscreen) root.requestFullscreen();
    });
    host.appendChild(button);
    // On the wall the button would only be in the way: hidden while full screen.
    document.addEventListener('fullscreenchange', () => {
      button.style.display = document.fullscreenElement ? 'none' : '';
    });
  }
  // A short two-tone chime when time is up (browsers play it once the page was touched).
  const chime = () => {
    try {
      const ctx = s.audio || (s.audio = new (window.AudioContext || window.webkitAudioContext)());
      ctx.resume();
      [880, 660].forEach((hz, i) => {
        const osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.25, ctx.currentTime + i * 0.35);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.35 + 0.3);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + i * 0.35);
        osc.stop(ctx.currentTime + i * 0.35 + 0.32);
      });
      s.chimed = (s.chimed || 0) + 1;
      document.body.dataset.chimed = String(s.chimed);
    } catch (e) { /* no audio here */ }
  };

  const fire = (why) => { s.n += 1; s.setTrigger('event', why + ':' + s.n); };
  const fmt = (sec) => {
    sec = Math.max(0, Math.ceil(sec));
    const m = Math.floor(sec / 60), r = sec % 60;
    return m + ':' + String(r).padStart(2, '0');
  };
  const render = () => {
    const d = s.data;
    if (d.deadline_ms === null && d.paused_s === null) {
      el.textContent = ''; el.dataset.state = 'none'; el.setAttribute('aria-label', ''); return;
    }
    let left, state;
    if (d.paused_s !== null) { left = d.paused_s; state = 'paused'; }
    else {
      left = (d.deadline_ms - (Date.now() + s.offset)) / 1000;
      state = left > 0 ? (left <= 30 ? 'soon' : 'running') : 'up';
    }
    if (state === 'up') {
      el.textContent = d.labels.up;
      if (s.armed && !s.firedUp) {
        s.firedUp = true;
        if (d.sound) chime();
        fire('timeup');
      }
    } else {
      if (state !== 'paused') s.armed = true;
      el.replaceChildren();
      const label = document.createElement('span');
      label.className = 'cd-label';
      label.textContent = state === 'paused' ? d.labels.paused : d.labels.left;
      el.append(label, document.createTextNode(fmt(left)));
    }
    el.dataset.state = state;
  };
  render();
  if (!s.tick) s.tick = setInterval(render, 250);

  const url = '/live/' + data.code + '?kinds=' + data.kinds;
  const connect = () => {
    const es = new EventSource(url);
    // After a drop (network, server restart) the first hello refreshes the view once.
    es.addEventListener('hello', (e) => {
      let boot = null;
      try { boot = JSON.parse(e.data).boot; } catch (err) { /* older server */ }
      if (s.boot && boot && s.boot !== boot) { window.location.reload(); return; }
      s.boot = boot;
      if (s.broken) { s.broken = false; setTimeout(() => fire('reconnect'), 300); }
    });
    es.addEventListener('change', () => fire('change'));
    es.onerror = () => {
      s.broken = true;
      // A refused answer closes an EventSource for good: open a new one ourselves.
      if (es.readyState === EventSource.CLOSED) {
        clearTimeout(s.retry);
        s.retry = setTimeout(() => { if (s.es === es) s.es = connect(); }, 2000);
      }
    };
    return es;
  };
  if (!s.es || s.url !== url) {
    if (s.es) s.es.close();
    s.url = url; s.broken = false;
    s.es = connect();
  }
  if (!s.poll) {
    s.poll = setInterval(async () => {
      try {
        const r = await fetch('/live/' + s.data.code + '/sig', { cache: 'no-store' });
        const j = await r.json();
        const now = s.data.watch === 'phase' ? j.phase : j.rev;
        if (now && now !== s.data.sig) fire('poll');
      } catch (e) { /* offline: the event stream's reconnect will refresh */ }
    }, data.poll_ms);
  }
  return () => {
    clearInterval(s.tick); clearInterval(s.poll); clearTimeout(s.retry);
    if (s.es) s.es.close();
    delete host.__live;
  };
}
"""

_CSS = """
.cd { font-family: system-ui, sans-serif; font-weight: 700; font-variant-numeric: tabular-nums;
      color: #111; text-align: right; line-height: 1.1; }
.cd[data-size='big'] { font-size: 56px; }
.cd[data-size='small'] { font-size: 22px; }
.cd[data-size='hidden'] { display: none; }
.fs { display: block; margin: 4px 0 0 auto; font: 14px system-ui, sans-serif; min-height: 44px;
      padding: 0 14px; border: 1px solid #8c959f; border-radius: 8px; background: #fff; color: #111;
      cursor: pointer; }
.cd-label { display: block; font-size: 0.4em; font-weight: 600; color: #555; }
.cd[data-state='soon'] { color: #b35900; }
.cd[data-state='up'] { color: #b3261e; }
.cd[data-state='paused'] { color: #555; }
"""

_component = st.components.v2.component("workshop_live", css=_CSS, js=_JS)


def _noop() -> None:
    """The trigger itself reruns the fragment; nothing else to do."""


def _ms(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None


def live(
    *,
    code: str,
    for_phone: bool,
    signature: dict[str, str],
    deadline: datetime | None,
    paused_remaining: float | None,
    labels: dict[str, str],
    size: str = "small",
    key: str = "live",
    poll_seconds: float = 20.0,
    sound: bool = False,
    fullscreen: bool = False,
) -> None:
    watch = "phase" if for_phone else "rev"
    _component(
        key=key,
        data={
            "code": code,
            "kinds": "step,poll,timer" if for_phone else "all",
            "watch": watch,
            "sig": signature.get(watch, ""),
            "deadline_ms": _ms(deadline),
            "paused_s": paused_remaining,
            "server_now_ms": int(time.time() * 1000),
            "labels": labels,
            "size": size,
            "poll_ms": int(poll_seconds * 1000),
            "sound": sound,
            "fullscreen": fullscreen,
        },
        on_event_change=_noop,
    )
