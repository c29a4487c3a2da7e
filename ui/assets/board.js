// The big screens' live elements (the room's projector, the facilitator's screens).
//
// A page holds one connection per workshop (a Store): the event stream /live/CODE?t=TICKET
// pushes the workshop's board data whenever it changes, and every live part of the page
// (roster, trend map, wall of notes, ballot count, countdown) is patched from that one snapshot
// in one animation frame — never half-updated, never a page run. A page run is asked for only
// when the screen's layout key in the data differs from the one the page was drawn with (a new
// step, a vote opened or revealed, a facilitator's setting).
//
// Participant text only ever reaches the page through textContent.
//
// Exports mountLive (the page's one live element) and mountPart (a patched part), each called
// by a Streamlit component (ui/live.py) with { data, parentElement, setTriggerValue }.

const VERSION = new URL(import.meta.url).search;

async function ensureStyles() {
  const id = 'workshop-board-css';
  let link = document.getElementById(id);
  if (!link) {
    link = document.createElement('link');
    link.id = id;
    link.rel = 'stylesheet';
    link.href = new URL('./board.css' + VERSION, import.meta.url).href;
    document.head.appendChild(link);
  }
  if (link.sheet) return;
  await new Promise((done) => {
    link.addEventListener('load', done, { once: true });
    link.addEventListener('error', done, { once: true });
    setTimeout(done, 3000);
  });
}
await ensureStyles();

// --------------------------------------------------------------------------- text helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// A label template from the page ("Participants: {n}") filled with values, as plain text. A
// template given in plural forms ({one, few, many, other}) takes the form its {n} needs.
const pluralRules = new Map();
function pluralOf(n, lang) {
  if (!pluralRules.has(lang)) pluralRules.set(lang, new Intl.PluralRules(lang));
  return pluralRules.get(lang).select(n);
}

function fill(template, values, lang) {
  if (template && typeof template === 'object') {
    const form = pluralOf(Number(values.n || 0), lang || document.documentElement.lang || 'ru');
    template = template[form] ?? template.other ?? template.many ?? Object.values(template)[0];
  }
  return String(template || '').replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

function setText(node, text) {
  const value = String(text ?? '');
  if (node.textContent !== value) node.textContent = value;
}

// Keep a container's children in the order of `items`, reusing each item's node by its key.
function reconcile(container, items, keyOf, make, update) {
  const byKey = container.__byKey || (container.__byKey = new Map());
  const wanted = new Set();
  let before = container.firstChild;
  for (const item of items) {
    const key = String(keyOf(item));
    wanted.add(key);
    let node = byKey.get(key);
    if (!node) {
      node = make(item);
      byKey.set(key, node);
    }
    update(node, item);
    if (node !== before) container.insertBefore(node, before);
    else before = before.nextSibling;
  }
  for (const [key, node] of byKey) {
    if (!wanted.has(key)) {
      node.remove();
      byKey.delete(key);
    }
  }
}

// --------------------------------------------------------------------------- one store per workshop

const stores = new Map();

class Store {
  constructor(code) {
    this.code = code;
    this.ticket = null;
    this.state = null;
    this.offset = 0;
    this.listeners = new Set();
    this.refusedListeners = new Set();
    this.es = null;
    this.boot = null;
    this.pending = false;
    this.poll = null;
  }

  url(path) {
    return `/live/${encodeURIComponent(this.code)}${path}?t=${encodeURIComponent(this.ticket)}`;
  }

  seed(state, nowMs) {
    if (state) this.accept({ state, now_ms: nowMs });
  }

  accept(message) {
    const state = message && message.state;
    if (!state || typeof state.rev !== 'number') return;
    if (typeof message.now_ms === 'number') this.offset = message.now_ms - Date.now();
    if (this.state && state.rev <= this.state.rev) return;
    this.state = state;
    this.schedule();
  }

  // Every part is patched in the same frame from the same snapshot.
  schedule() {
    if (this.pending) return;
    this.pending = true;
    const run = () => {
      if (!this.pending) return;
      this.pending = false;
      for (const listener of [...this.listeners]) {
        try { listener(this.state); } catch (err) { console.error(err); }
      }
    };
    requestAnimationFrame(run);
    setTimeout(run, 150); // a hidden tab gets no frames: patch anyway
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRefused(listener) {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  connect(ticket, pollMs) {
    // A newer ticket for the same screen is kept for the next reconnect; an open stream stays.
    const open = this.es && this.es.readyState !== EventSource.CLOSED;
    this.ticket = ticket;
    if (!open) this.open();
    if (!this.poll) {
      // The safety net: a change the stream missed is found within pollMs.
      this.poll = setInterval(() => this.read(), pollMs || 20000);
    }
  }

  open() {
    const es = new EventSource(this.url(''));
    this.es = es;
    es.addEventListener('hello', (event) => {
      let boot = null;
      try { boot = JSON.parse(event.data).boot; } catch (err) { /* an older server */ }
      // A new server process: this page's Streamlit session died with the old one.
      if (this.boot && boot && this.boot !== boot) { window.location.reload(); return; }
      this.boot = boot;
    });
    // The stream sends the current state right after hello, so a reconnect refreshes by itself.
    es.addEventListener('state', (event) => {
      try { this.accept(JSON.parse(event.data)); } catch (err) { /* a torn message: the next one */ }
    });
    es.onerror = () => {
      // A refused answer closes an EventSource for good: find out why, then open a new one.
      if (es.readyState === EventSource.CLOSED && this.es === es) {
        clearTimeout(this.retry);
        this.retry = setTimeout(async () => {
          if (this.es !== es) return;
          if ((await this.read()) === 'refused') return;
          this.open();
        }, 2000);
      }
    };
  }

  async read() {
    if (!this.ticket) return 'none';
    try {
      const answer = await fetch(this.url('/state'), { cache: 'no-store' });
      if (answer.status === 404) {
        for (const listener of [...this.refusedListeners]) listener();
        return 'refused';
      }
      if (answer.ok) this.accept(await answer.json());
      return 'ok';
    } catch (err) {
      return 'offline';
    }
  }
}

function storeFor(code) {
  let store = stores.get(code);
  if (!store) {
    store = new Store(code);
    stores.set(code, store);
  }
  return store;
}

// --------------------------------------------------------------------------- the countdown

function formatLeft(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const m = Math.floor(s / 60);
  return m + ':' + String(s % 60).padStart(2, '0');
}

function chime(live) {
  try {
    const ctx = live.audio || (live.audio = new (window.AudioContext || window.webkitAudioContext)());
    ctx.resume();
    [880, 660].forEach((hz, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.25, ctx.currentTime + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.35 + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.35);
      osc.stop(ctx.currentTime + i * 0.35 + 0.32);
    });
    live.chimed = (live.chimed || 0) + 1;
    document.body.dataset.chimed = String(live.chimed);
  } catch (err) { /* no audio here */ }
}

function renderCountdown(live) {
  const { data } = live;
  const timer = live.timer();
  const node = live.clock;
  const key = `${timer.deadline_ms}/${timer.paused_s}`;
  if (live.deadlineKey !== key) { live.deadlineKey = key; live.armed = false; live.firedUp = false; }
  if (timer.deadline_ms === null && timer.paused_s === null) {
    setText(node, '');
    node.dataset.state = 'none';
    node.setAttribute('aria-label', '');
    return;
  }
  let left;
  let state;
  if (timer.paused_s !== null) { left = timer.paused_s; state = 'paused'; }
  else {
    left = (timer.deadline_ms - (Date.now() + live.offset())) / 1000;
    state = left > 0 ? (left <= 30 ? 'soon' : 'running') : 'up';
  }
  if (state === 'up') {
    setText(node, data.labels.up);
    if (live.armed && !live.firedUp) {
      live.firedUp = true;
      if (live.sound()) chime(live);
    }
  } else {
    if (state !== 'paused') live.armed = true;
    const text = formatLeft(left);
    const label = state === 'paused' ? data.labels.paused : data.labels.left;
    if (node.__shown !== label + text) {
      node.__shown = label + text;
      node.replaceChildren(el('span', 'cd-label', label), document.createTextNode(text));
    }
  }
  node.dataset.state = state;
}

// --------------------------------------------------------------------------- the live element

export function mountLive(component) {
  const { data, setTriggerValue, parentElement: host } = component;
  let live = host.__live;
  if (!live) {
    live = host.__live = { n: 0 };
    live.clock = el('div', 'cd');
    live.clock.setAttribute('role', 'timer');
    host.appendChild(live.clock);
  }
  live.data = data;
  live.setTrigger = setTriggerValue;
  live.fire = (why) => { live.n += 1; live.setTrigger('event', `${why}:${live.n}`); };
  live.clock.dataset.size = data.size;

  // The projector can go full screen (no browser or Streamlit chrome) with one click.
  if (data.fullscreen && !live.fs) {
    const button = el('button', 'fs', data.labels.fullscreen);
    button.type = 'button';
    button.addEventListener('click', () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
    });
    document.addEventListener('fullscreenchange', () => {
      button.style.display = document.fullscreenElement ? 'none' : '';
    });
    host.appendChild(button);
    live.fs = button;
  }

  mountBoardLive(live, data);

  renderCountdown(live);
  if (!live.tick) live.tick = setInterval(() => renderCountdown(live), 250);
  return () => setTimeout(() => {
    if (host.isConnected) return; // still on the page: a newer call took over
    clearInterval(live.tick);
    clearInterval(live.poll);
    clearTimeout(live.retry);
    if (live.es) live.es.close();
    if (live.unsubscribe) live.unsubscribe();
    if (live.unrefused) live.unrefused();
    delete host.__live;
  }, 0);
}

function mountBoardLive(live, data) {
  const store = storeFor(data.code);
  store.seed(data.state, data.server_now_ms);
  store.connect(data.ticket, data.poll_ms);
  live.timer = () => (store.state ? store.state.timer : { deadline_ms: null, paused_s: null });
  live.offset = () => store.offset;
  live.sound = () => Boolean(live.data.sound);
  const check = (state) => {
    if (!state) return;
    const want = state.layout && state.layout[live.data.screen];
    const drawn = live.data.layout;
    // A layout the page was not drawn with: one page run (asked once per pair of layouts).
    if (want !== undefined && want !== drawn && live.asked !== `${drawn}>${want}`) {
      live.asked = `${drawn}>${want}`;
      live.fire('layout');
    }
    renderCountdown(live);
  };
  if (!live.unsubscribe) live.unsubscribe = store.subscribe(check);
  // The ticket ran out or the server forgot it: a page run hands out a new one.
  if (!live.unrefused) live.unrefused = store.onRefused(() => live.fire('ticket'));
  check(store.state);
}

// --------------------------------------------------------------------------- patched parts

export function mountPart(component) {
  const { data, parentElement: host, setTriggerValue } = component;
  let part = host.__part;
  if (!part) {
    part = host.__part = { root: el('div', 'board-part') };
    host.appendChild(part.root);
  }
  part.data = data;
  part.setTrigger = setTriggerValue;
  part.root.dataset.part = data.part;
  part.root.dataset.screen = data.screen || 'projector';
  if (data.lang) part.root.lang = data.lang;
  const store = storeFor(data.code || '');
  store.seed(data.state, data.server_now_ms);
  const render = PARTS[data.part];
  if (!render) return undefined;
  if (!part.unsubscribe) part.unsubscribe = store.subscribe((state) => render(part, state));
  render(part, store.state);
  return () => setTimeout(() => {
    if (host.isConnected) return;
    part.unsubscribe();
    delete host.__part;
  }, 0);
}

function once(part, name, make) {
  if (!part[name]) {
    part[name] = make();
  }
  return part[name];
}

function renderRoster(part, state) {
  const { labels } = part.data;
  const people = (state && state.roster) || [];
  const title = once(part, 'title', () => part.root.appendChild(el('h2', 'board-h')));
  const list = once(part, 'list', () => part.root.appendChild(el('div', 'roster')));
  const empty = once(part, 'empty', () => part.root.appendChild(el('p', 'board-empty', labels.empty)));
  setText(title, fill(labels.title, { n: people.length }, part.data.lang));
  empty.hidden = people.length > 0;
  reconcile(
    list,
    people,
    (p) => p.id,
    () => {
      const row = el('div', 'roster-row');
      row.append(el('span', 'name'), document.createTextNode(' '), el('span', 'dept'));
      return row;
    },
    (row, p) => {
      setText(row.firstChild, p.name);
      setText(row.lastChild, `· ${p.department}`);
    },
  );
}

function renderWarnings(part, state) {
  const { labels } = part.data;
  const warnings = (state && state.warnings) || [];
  reconcile(
    part.root,
    warnings,
    ([key]) => key,
    () => {
      const box = el('div', 'board-warn');
      box.setAttribute('role', 'status');
      return box;
    },
    (box, [key, args]) => setText(box, fill(labels[key] || key, args || {})),
  );
}

function renderPickLine(part, state) {
  const { labels } = part.data;
  const picks = (state && state.picks) || { done: 0, total: 0 };
  const line = once(part, 'line', () => {
    const h = part.root.appendChild(el('h3', 'board-pick-line'));
    h.append(el('span', 'task', labels.title), el('span', 'progress'));
    return h;
  });
  setText(line.lastChild, ` · ${fill(labels.progress, { n: picks.done, total: (state && state.people) || 0, picks: picks.total }, part.data.lang)}`);
}

function renderMap(part, state) {
  const { map, labels } = part.data;
  const counts = (state && state.picks && state.picks.counts) || {};
  if (!part.stations) {
    part.stations = new Map();
    const root = el('div', 'metro');
    root.style.setProperty('--cols', String(map.columns));
    root.dataset.lines = String(map.lines.length);
    if (labels && labels.caption) root.setAttribute('aria-label', labels.caption);
    part.rows = [];
    for (const line of map.lines) {
      const row = el('div', 'metro-line');
      row.style.setProperty('--c', line.colour);
      part.rows.push(row);
      // A long line goes on in the next row: its name is said once.
      const name = row.appendChild(el('div', 'metro-name', line.continued ? '' : line.category));
      if (line.continued) name.setAttribute('aria-hidden', 'true');
      const track = el('div', 'metro-track');
      const rail = el('div', 'metro-rail');
      const xs = line.stations.map((s) => s.x);
      if (xs.length) {
        rail.style.setProperty('--x0', String(Math.min(...xs)));
        rail.style.setProperty('--x1', String(Math.max(...xs)));
      }
      track.appendChild(rail);
      const stations = el('div', 'metro-stations');
      for (const s of line.stations) {
        const station = el('div', 'metro-station');
        station.style.setProperty('--x', String(s.x));
        station.dataset.code = s.code;
        const dot = el('div', 'metro-dot');
        dot.appendChild(el('span', 'metro-count'));
        const label = el('div', 'metro-label');
        label.append(el('span', 'metro-code', s.code), el('span', 'metro-title', s.title));
        station.append(dot, label);
        stations.appendChild(station);
        if (s.key !== null && s.key !== undefined) part.stations.set(String(s.key), station);
      }
      track.appendChild(stations);
      row.appendChild(track);
      root.appendChild(row);
    }
    part.root.appendChild(root);
    if (part.data.screen === 'projector') pageTheMap(part, root);
  }
  if (!part.data.counts) return;
  for (const [key, station] of part.stations) {
    const n = Number(counts[key] || 0);
    const shown = station.dataset.picks || '0';
    if (shown === String(n)) continue;
    station.dataset.picks = String(n);
    station.style.setProperty('--picks', String(Math.min(n, 8)));
    setText(station.querySelector('.metro-count'), n ? String(n) : '');
  }
}

// A map with more rows than the screen holds shows a page of them at a time: the page measures
// its rows and groups as many as fit. The pages turn by themselves, and the arrow keys (a
// presenter's clicker) or the page buttons turn them too.
const PAGE_TURN_MS = 15000;

function pageTheMap(part, root) {
  const { labels } = part.data;
  const bar = el('div', 'metro-pages');
  root.appendChild(bar);
  let pages = [];
  let current = 0;
  let timer = null;
  const show = (i, byHand) => {
    if (pages.length < 2) return;
    current = (i + pages.length) % pages.length;
    const visible = new Set(pages[current]);
    part.rows.forEach((row, r) => { row.hidden = !visible.has(r); });
    [...bar.children].forEach((button, b) => button.setAttribute('aria-current', b === current ? 'page' : 'false'));
    clearInterval(timer);
    timer = setInterval(() => show(current + 1, false), byHand ? PAGE_TURN_MS * 2 : PAGE_TURN_MS);
  };
  const measure = () => {
    part.rows.forEach((row) => { row.hidden = false; });
    bar.hidden = true;
    const room = window.innerHeight - root.getBoundingClientRect().top - 70; // the page buttons
    const gap = parseFloat(getComputedStyle(root).rowGap) || 0;
    pages = [[]];
    let used = 0;
    part.rows.forEach((row, r) => {
      const height = row.getBoundingClientRect().height + gap;
      if (pages[pages.length - 1].length && used + height > room) { pages.push([]); used = 0; }
      pages[pages.length - 1].push(r);
      used += height;
    });
    bar.replaceChildren(...pages.map((_rows, i) => {
      const button = el('button', 'metro-page', String(i + 1));
      button.type = 'button';
      button.setAttribute('aria-label', fill(labels.page || '{n}', { n: i + 1, total: pages.length }, part.data.lang));
      button.addEventListener('click', () => show(i, true));
      return button;
    }));
    bar.hidden = pages.length < 2;
    if (pages.length < 2) { clearInterval(timer); return; }
    show(Math.min(current, pages.length - 1), false);
  };
  document.addEventListener('keydown', (event) => {
    if (!root.isConnected || pages.length < 2) return;
    if (event.key === 'ArrowRight' || event.key === 'PageDown') show(current + 1, true);
    if (event.key === 'ArrowLeft' || event.key === 'PageUp') show(current - 1, true);
  });
  let again = null;
  window.addEventListener('resize', () => { clearTimeout(again); again = setTimeout(measure, 200); });
  requestAnimationFrame(measure);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(measure);
}

function renderBallots(part, state) {
  const { labels } = part.data;
  const poll = state && state.poll;
  const big = part.data.variant === 'big';
  const node = once(part, 'node', () => {
    if (!big) return part.root.appendChild(el('div', 'board-line'));
    const line = part.root.appendChild(el('div', 'ballot-line'));
    const count = line.appendChild(el('span', 'big-number'));
    part.caption = line.appendChild(el('span', 'ballot-status'));
    return count;
  });
  const values = { n: poll ? poll.ballots : 0, total: (state && state.people) || 0 };
  setText(node, fill(labels.text, values, part.data.lang));
  // The caption follows the vote (not yet open → open → closed): the page's host, and so this
  // part, lives on across the reruns that bring a new caption.
  if (part.caption) {
    part.caption.hidden = !labels.caption;
    setText(part.caption, labels.caption || '');
  }
}

function cardText(card, node) {
  setText(node.querySelector('.text'), card.text);
  const why = node.querySelector('.why');
  why.hidden = !card.rationale;
  setText(why, card.rationale ? `→ ${card.rationale}` : '');
}

const DENSE_WALL = 12; // more notes than this: the wall packs tighter (page.css)

function renderWall(part, state) {
  const { labels } = part.data;
  const wall = state && state.wall;
  const cards = (wall && wall.cards) || [];
  const count = once(part, 'count', () => part.root.appendChild(el('p', 'board-count')));
  const box = once(part, 'box', () => part.root.appendChild(el('div', 'note-wall')));
  const empty = once(part, 'empty', () => part.root.appendChild(el('div', 'board-info', labels.empty)));
  setText(count, fill(labels.count, { n: cards.length }, part.data.lang));
  empty.hidden = cards.length > 0;
  box.dataset.count = String(cards.length);
  if (cards.length > DENSE_WALL) box.dataset.dense = ''; else delete box.dataset.dense;
  reconcile(
    box,
    cards,
    (c) => c.id,
    () => {
      const card = el('div', `note-card ${part.data.css || ''}`);
      card.append(el('span', 'text'), el('span', 'why'), el('span', 'merged'), el('span', 'who'));
      return card;
    },
    (node, c) => {
      cardText(c, node);
      const merged = node.querySelector('.merged');
      merged.hidden = !c.merged.length;
      setText(merged, c.merged.length ? `+${c.merged.length} ${labels.similar}` : '');
      const who = node.querySelector('.who');
      who.hidden = !c.authors.length;
      setText(who, c.authors.join(', '));
    },
  );
}

// The facilitator's tidy-up of the wall: tick the notes that say the same thing, choose the
// wording to keep, merge with one click; fix a typo; undo a merge. Each action is one page run.
function renderTidy(part, state) {
  const wall = state && state.wall;
  part.cards = (wall && wall.cards) || [];
  part.suggested = (wall && wall.suggested) || [];
  const picked = part.picked || (part.picked = new Set());
  const ids = new Set(part.cards.map((c) => c.id));
  for (const id of [...picked]) if (!ids.has(id)) picked.delete(id);
  if (part.keep !== undefined && !picked.has(part.keep)) part.keep = undefined;
  drawTidy(part);
}

function tidySend(part, action) {
  part.seq = (part.seq || 0) + 1;
  part.setTrigger('action', { ...action, seq: part.seq });
}

function tidyKept(part) {
  if (part.keep !== undefined) return part.keep;
  return part.cards.map((c) => c.id).find((id) => part.picked.has(id));
}

function tidyItem(part, card) {
  const { labels } = part.data;
  const item = el('li', 'tidy-item');
  item.dataset.id = String(card.id);
  const row = el('div', 'tidy-row');
  const pick = el('label', 'tidy-pick');
  const box = el('input');
  box.type = 'checkbox';
  box.addEventListener('change', () => {
    if (box.checked) part.picked.add(card.id); else part.picked.delete(card.id);
    drawTidy(part);
  });
  pick.append(box, el('span', 'tidy-text'));
  const keep = el('label', 'tidy-keep');
  const radio = el('input');
  radio.type = 'radio';
  radio.name = `keep-${part.data.code}`;
  radio.addEventListener('change', () => { part.keep = card.id; drawTidy(part); });
  keep.append(radio, el('span', null, labels.keep));
  const edit = el('button', 'tidy-edit', '✎');
  edit.type = 'button';
  edit.title = labels.edit;
  edit.setAttribute('aria-label', `${labels.edit}: ${card.text}`);
  edit.addEventListener('click', () => { part.editing = card.id; drawTidy(part); });
  row.append(pick, edit, keep);
  const editor = el('div', 'tidy-editor');
  editor.hidden = true;
  const area = el('textarea');
  area.maxLength = part.data.max;
  area.rows = 2;
  area.setAttribute('aria-label', labels.edit);
  const save = el('button', 'tidy-save', labels.save);
  save.type = 'button';
  save.addEventListener('click', () => {
    tidySend(part, { op: 'edit', note: card.id, text: area.value });
    part.editing = undefined;
    drawTidy(part);
  });
  const cancel = el('button', 'tidy-cancel', labels.cancel);
  cancel.type = 'button';
  cancel.addEventListener('click', () => { part.editing = undefined; drawTidy(part); });
  editor.append(area, save, cancel);
  item.append(row, editor, el('div', 'tidy-children'));
  return item;
}

function drawTidy(part) {
  const { labels } = part.data;
  const { cards, picked } = part;
  const title = once(part, 'title', () => part.root.appendChild(el('div', 'tidy-title')));
  drawSuggested(part);
  const list = once(part, 'list', () => part.root.appendChild(el('ul', 'tidy-list')));
  const bar = once(part, 'bar', () => {
    const node = part.root.appendChild(el('div', 'tidy-bar'));
    const button = el('button', 'tidy-merge');
    button.type = 'button';
    button.addEventListener('click', () => {
      if (part.picked.size < 2) return;
      const order = part.cards.map((c) => c.id).filter((id) => part.picked.has(id));
      const keep = tidyKept(part);
      tidySend(part, { op: 'merge', keep, others: order.filter((id) => id !== keep) });
      part.picked.clear();
      part.keep = undefined;
      drawTidy(part);
    });
    node.append(el('span', 'tidy-hint'), button);
    return node;
  });
  setText(title, fill(labels.title, { n: cards.length }, part.data.lang));
  const kept = tidyKept(part);
  reconcile(
    list,
    cards,
    (c) => c.id,
    (c) => tidyItem(part, c),
    (item, c) => {
      setText(item.querySelector('.tidy-text'), c.text);
      item.querySelector('.tidy-pick input').checked = picked.has(c.id);
      const keep = item.querySelector('.tidy-keep');
      keep.hidden = !(picked.size >= 2 && picked.has(c.id));
      keep.querySelector('input').checked = kept === c.id;
      const editor = item.querySelector('.tidy-editor');
      const editing = part.editing === c.id;
      if (editing && editor.hidden) item.querySelector('textarea').value = c.text;
      editor.hidden = !editing;
      reconcile(
        item.querySelector('.tidy-children'),
        c.merged,
        (m) => m.id,
        (m) => {
          const child = el('div', 'tidy-child');
          const undo = el('button', 'tidy-unmerge', labels.unmerge);
          undo.type = 'button';
          undo.addEventListener('click', () => tidySend(part, { op: 'unmerge', note: m.id }));
          child.append(el('span', 'tidy-child-text'), undo);
          return child;
        },
        (child, m) => setText(child.firstChild, `↳ ${m.text}`),
      );
    },
  );
  const n = picked.size;
  const button = bar.querySelector('.tidy-merge');
  button.disabled = n < 2;
  setText(button, n >= 2 ? fill(labels.merge_n, { n }, part.data.lang) : labels.merge);
  setText(bar.querySelector('.tidy-hint'), n >= 2 ? '' : labels.hint);
}

// Suggested merges: notes that say the same thing in other words (found on the server), each
// merged or turned down with one click. The texts go in as text only.
function drawSuggested(part) {
  const { labels } = part.data;
  const box = once(part, 'suggestBox', () => {
    const node = part.root.appendChild(el('section', 'tidy-suggested'));
    node.setAttribute('aria-label', labels.suggested);
    node.append(el('div', 'suggest-title', labels.suggested), el('div', 'suggest-hint', labels.suggest_hint));
    node.append(el('ul', 'suggest-list'));
    return node;
  });
  const texts = new Map(part.cards.map((c) => [c.id, c.text]));
  const groups = part.suggested.filter((g) => g.ids.every((id) => texts.has(id)));
  box.hidden = !groups.length;
  reconcile(
    box.querySelector('.suggest-list'),
    groups,
    (g) => g.key,
    (g) => {
      const item = el('li', 'suggest-item');
      item.dataset.key = g.key;
      const merge = el('button', 'suggest-merge', labels.suggest_merge);
      merge.type = 'button';
      merge.addEventListener('click', () => {
        tidySend(part, { op: 'merge', keep: g.ids[0], others: g.ids.slice(1) });
        item.remove();
      });
      const dismiss = el('button', 'suggest-dismiss', labels.suggest_dismiss);
      dismiss.type = 'button';
      dismiss.addEventListener('click', () => {
        tidySend(part, { op: 'dismiss', key: g.key });
        item.remove();
      });
      const actions = el('div', 'suggest-actions');
      actions.append(merge, dismiss);
      item.append(el('div', 'suggest-texts'), actions);
      return item;
    },
    (item, g) => {
      const line = item.querySelector('.suggest-texts');
      line.replaceChildren(...g.ids.map((id) => el('span', 'suggest-text', texts.get(id))));
      const names = g.ids.map((id) => texts.get(id)).join(' / ');
      item.querySelector('.suggest-merge').setAttribute('aria-label', `${labels.suggest_merge}: ${names}`);
      item.querySelector('.suggest-dismiss').setAttribute('aria-label', `${labels.suggest_dismiss}: ${names}`);
    },
  );
}

// The door of a locked room: who asks to join, let in or turned away with one click each.
function renderWaiting(part, state) {
  const { labels } = part.data;
  const people = (state && state.waiting) || [];
  const title = once(part, 'title', () => part.root.appendChild(el('div', 'tidy-title')));
  const list = once(part, 'list', () => part.root.appendChild(el('ul', 'tidy-list')));
  setText(title, fill(labels.title, { n: people.length }, part.data.lang));
  title.hidden = people.length === 0;
  reconcile(
    list,
    people,
    (p) => p.id,
    (p) => {
      const item = el('li', 'tidy-item waiting-item');
      const who = el('div', 'tidy-text');
      const row = el('div', 'tidy-row');
      for (const [op, label] of [['let_in', labels.let_in], ['turn_away', labels.turn_away]]) {
        const button = el('button', `door-${op}`, label);
        button.type = 'button';
        button.addEventListener('click', () => {
          button.disabled = true;
          tidySend(part, { op, person: p.id });
        });
        row.appendChild(button);
      }
      item.append(who, row);
      return item;
    },
    (item, p) => setText(item.firstChild, `${p.name} · ${p.department}`),
  );
}

const PARTS = {
  roster: renderRoster,
  warnings: renderWarnings,
  pick_line: renderPickLine,
  map: renderMap,
  ballots: renderBallots,
  wall: renderWall,
  tidy: renderTidy,
  waiting: renderWaiting,
};

// --------------------------------------------------------------------------- text limits

// A text field keeps to its limit in the browser as the server does: typing stops at the limit,
// and a paste longer than the limit is cut there and kept, with a note saying so (nothing
// typed is thrown away). The server still refuses anything longer, with a message.
export function mountLimit(component) {
  const { data } = component;
  const apply = () => {
    for (const field of document.querySelectorAll(`.st-key-${CSS.escape(data.key)} :is(input, textarea)`)) {
      if (field.__limited === data.max) continue;
      field.__limited = data.max;
      field.maxLength = data.max;
      field.addEventListener('paste', (event) => {
        const pasted = (event.clipboardData && event.clipboardData.getData('text')) || '';
        const room = data.max - (field.value.length - (field.selectionEnd - field.selectionStart));
        if (pasted.length <= room) return;
        const box = field.closest(`.st-key-${CSS.escape(data.key)}`);
        let note = box && box.querySelector('.field-cut');
        if (box && !note) {
          note = el('div', 'field-cut');
          note.setAttribute('role', 'status');
          box.appendChild(note);
        }
        if (note) setText(note, fill(data.message, { max: data.max }));
      });
    }
  };
  apply();
  if (!window.__limitObserver) {
    window.__limitObserver = new MutationObserver(() => {
      for (const again of window.__limitAppliers || []) again();
    });
    window.__limitObserver.observe(document.body, { childList: true, subtree: true });
  }
  window.__limitAppliers = window.__limitAppliers || new Set();
  window.__limitAppliers.add(apply);
  return () => setTimeout(() => window.__limitAppliers.delete(apply), 0);
}
