/* verify.js - the verification grid (/verify; ReaL's protocol): one label
 * at a time, a page of the rater's pending images of that label, each
 * answered yes / maybe / no, the page submitted in one request (POST
 * /api/verify/pages) and the next page loaded.  Answers are kept in
 * localStorage as they are given (a reload or a server restart loses
 * nothing: the same page and answers come back); a submit that failed
 * (network, 5xx) is kept and sent again with the same page id, which the
 * server answers as the first time (replayed); a 409 (another tab answered
 * an image first) says what stands and reloads the page.  Owns the page
 * shown, its answers and the submit in flight. */
import { $, el, fmt, bdi } from './dom.js';
import { api, requireLogin, currentUser, onLogout } from './api.js';
import { setState, showBanner, onRetry, flash } from './status.js';
import { openHelp, openFull, openExemplar, dialogOpen, close as closeDialog, zoomKey } from './overlays.js';
import { takesKeys } from './keys.js';

/* images per page: 24, or ?n= (1 to 100) */
const PAGE = Math.min(100, Math.max(1, Number(new URLSearchParams(location.search).get('n')) || 24));
const NAMES = ['no', 'maybe', 'yes'];             /* answer codes 0, 1, 2 (review/verify.h) */
const ICON = { yes: '\u2714', maybe: '?', no: '\u2716' };
const KEY_ANSWER = { y: 'yes', 1: 'yes', m: 'maybe', 2: 'maybe', n: 'no', 3: 'no' };

const V = {
  labels: [],      /* GET /api/verify/labels: [{class, name, pending, answered}] */
  label: null,     /* the label shown (GET /api/verify/labels/<class>).label */
  pending: 0,      /* the label's pending questions (the server's count when loaded) */
  page: null,      /* {cls, id, items: [{question_id, image, version}], answers: {qid: {answer, bulk, seconds}},
                    *  shownAt, lastAt, body (the submit being sent, or null)} */
  focus: 0,        /* the focused tile */
  failed: new Set(),   /* tiles whose image did not load */
};
let retryTimer = null, retryDelay = 1000, sending = false;

/* ---- local copies ------------------------------------------------------------ */

const prefix = () => `mlfy:verify:${currentUser().user}:`;
const keyOf = (cls) => prefix() + cls;

function persist() {
  if (!V.page) return;
  try {
    localStorage.setItem(keyOf(V.page.cls), JSON.stringify(V.page));
    localStorage.setItem(prefix() + 'current', String(V.page.cls));
  } catch (e) { /* storage full or disabled: answers still go with the submit */ }
}
function dropLocal(cls) { try { localStorage.removeItem(keyOf(cls)); } catch (e) { /* ignore */ } }
function readLocal(cls) {
  try {
    const p = JSON.parse(localStorage.getItem(keyOf(cls)));
    return p && p.cls === cls && Array.isArray(p.items) && p.items.length && p.answers ? p : null;
  } catch (e) { return null; }
}
/* the labels with a page kept in this browser */
function localClasses() {
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(prefix()) && /^\d+$/.test(k.slice(prefix().length))) out.push(Number(k.slice(prefix().length)));
    }
  } catch (e) { /* storage disabled */ }
  return out;
}

const newPageId = () => {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'p-' + [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
};

/* ---- drawing ------------------------------------------------------------------- */

const answered = () => V.page.items.filter((it) => V.page.answers[it.question_id]).length;

function tileLabel(i) {
  const it = V.page.items[i], a = V.page.answers[it.question_id];
  return `Image ${i + 1} of ${V.page.items.length}: ${a ? a.answer + (a.bulk ? ' (all unanswered: no)' : '') : 'not answered'}`
    + (V.failed.has(i) ? '; the image did not load' : '');
}

function drawTile(i) {
  const li = $('grid').children[i];
  if (!li) return;
  const it = V.page.items[i], a = V.page.answers[it.question_id];
  li.className = 'vtile' + (a ? ' ans-' + a.answer : '') + (V.failed.has(i) ? ' broken' : '');
  li.querySelector('.vtile-img').setAttribute('aria-label', tileLabel(i) + '. Space: full size');
  const st = li.querySelector('.vtile-state');
  st.replaceChildren(a ? el('span', { class: 'vicon', 'aria-hidden': 'true', text: ICON[a.answer] }) : '',
    a ? ' ' + a.answer + (a.bulk ? ' (all)' : '') : 'not answered');
  for (const b of li.querySelectorAll('.vans')) b.setAttribute('aria-pressed', a && a.answer === b.dataset.a ? 'true' : 'false');
}

function drawProgress() {
  const n = V.page ? V.page.items.length : 0, done = V.page ? answered() : 0;
  const bar = $('progress');
  bar.setAttribute('aria-valuemax', String(n));
  bar.setAttribute('aria-valuenow', String(done));
  $('progress-bar').style.width = n ? (100 * done / n) + '%' : '0';
  const all = V.labels.reduce((s, l) => s + l.pending, 0);
  $('position').textContent = V.page ? `${fmt(done)} / ${fmt(n)} answered` : '–';
  $('progress-text').textContent = V.label
    ? `${fmt(V.pending)} pending for this label · ${fmt(all)} in all` : '';
  $('page-note').textContent = V.page && V.page.body ? 'submitted; waiting for the server' : '';
}

function drawLabel(lab) {
  $('label-head').hidden = false;
  $('label-name').replaceChildren(bdi(lab.name));
  $('label-syn').replaceChildren(lab.synonyms && lab.synonyms !== lab.name ? bdi(lab.synonyms) : '');
  $('label-gloss').replaceChildren(lab.gloss ? bdi(lab.gloss) : '');
  const ex = lab.exemplars.slice(0, 10);
  $('label-exemplars').replaceChildren(...ex.map((u, k) => el('li', null,
    el('button', { class: 'vexemplar', title: `Example ${k + 1} of ${lab.name} (click: larger)`,
      onclick: () => openExemplar(u + '?size=full', `${lab.name} \u2014 example ${k + 1}`) },
    el('img', { src: u + '?size=thumb', alt: `${lab.name}, example ${k + 1}`, loading: 'lazy' })))));
  $('label-exemplars').hidden = !ex.length;
  drawPicker();
}

function drawPicker() {
  const sel = $('label-pick');
  const cur = V.page ? V.page.cls : V.label ? V.label.class : null;
  sel.replaceChildren(...V.labels.map((l) => el('option', { value: String(l.class), selected: l.class === cur },
    `${l.name} \u2014 ${fmt(l.pending)} pending, ${fmt(l.answered)} answered`)));
}

function drawGrid() {
  const p = V.page;
  V.failed = new Set();
  $('grid').replaceChildren(...p.items.map((it, i) => el('li', { class: 'vtile', 'data-q': String(it.question_id) },
    el('button', { class: 'vtile-img', tabindex: '-1', onclick: () => { focusTile(i); full(); },
      onfocus: () => { V.focus = i; } },
    el('img', { src: it.image + '?size=thumb', alt: '', onerror: () => { V.failed.add(i); drawTile(i); } }),
    el('span', { class: 'vtile-num', 'aria-hidden': 'true', text: String(i + 1) })),
    el('div', { class: 'vtile-state', 'aria-hidden': 'true' }),
    el('div', { class: 'vtile-answers', role: 'group', 'aria-label': `Answer for image ${i + 1}` },
      ...['yes', 'maybe', 'no'].map((a) => el('button', { class: 'vans vans-' + a, 'data-a': a, tabindex: '-1',
        'aria-pressed': 'false', onclick: () => { focusTile(i); give(i, a); } }, a))))));
  p.items.forEach((_, i) => drawTile(i));
  $('grid').hidden = false;
  $('keys-line').hidden = false;
  $('page-actions').hidden = false;
  $('done-box').hidden = true;
  drawProgress();
}

function focusTile(i, scroll = true) {
  const tiles = $('grid').children;
  if (!tiles.length) return;
  i = Math.max(0, Math.min(tiles.length - 1, i));
  for (let k = 0; k < tiles.length; k++) tiles[k].querySelector('.vtile-img').tabIndex = k === i ? 0 : -1;
  V.focus = i;
  const b = tiles[i].querySelector('.vtile-img');
  b.focus({ preventScroll: true });
  if (scroll) tiles[i].scrollIntoView({ block: 'nearest' });
}

/* tiles per row, as laid out now */
function columns() {
  const t = [...$('grid').children];
  if (!t.length) return 1;
  const top = t[0].offsetTop;
  const n = t.findIndex((x) => x.offsetTop !== top);
  return n < 0 ? t.length : n;
}

/* ---- answering ------------------------------------------------------------------- */

const locked = () => !V.page || !!V.page.body;

function refuseLocked() {
  setState('pending', 'the page is being submitted: answers cannot change now');
  flash();
}

/* answer a ('yes', 'maybe', 'no') for tile i, then focus the next tile */
function give(i, a) {
  if (locked()) { refuseLocked(); return; }
  if (V.failed.has(i)) {
    showBanner(`Image ${i + 1} did not load: it cannot be answered. Reload the page to try again.`, 'error');
    flash();
    return;
  }
  const it = V.page.items[i], now = Date.now(), prev = V.page.answers[it.question_id];
  const sec = Math.max(0, (now - V.page.lastAt) / 1000);
  V.page.lastAt = now;
  V.page.answers[it.question_id] = { answer: a, bulk: false, seconds: Math.round(((prev ? prev.seconds : 0) + sec) * 1000) / 1000 };
  persist();
  drawTile(i);
  drawProgress();
  setState('pending', 'not submitted yet');
  if (i + 1 < V.page.items.length) focusTile(i + 1);
}

function clear(i) {
  if (locked()) { refuseLocked(); return; }
  delete V.page.answers[V.page.items[i].question_id];
  persist();
  drawTile(i);
  drawProgress();
}

/* "no" for every unanswered image of the page (bulk); the time since the
 * last answer is shared among them */
function bulkNo() {
  if (locked()) { refuseLocked(); return; }
  const open = V.page.items.map((it, i) => i).filter((i) => !V.page.answers[V.page.items[i].question_id] && !V.failed.has(i));
  if (!open.length) return;
  const now = Date.now(), share = Math.max(0, (now - V.page.lastAt) / 1000) / open.length;
  V.page.lastAt = now;
  for (const i of open) V.page.answers[V.page.items[i].question_id] = { answer: 'no', bulk: true, seconds: Math.round(share * 1000) / 1000 };
  persist();
  open.forEach(drawTile);
  drawProgress();
  setState('pending', `${open.length} answered "no" at once; Enter submits the page`);
}

function full() {
  const it = V.page && V.page.items[V.focus];
  if (it) openFull(it.image + '?size=full');
}

/* ---- submitting ------------------------------------------------------------------ */

function submit() {
  if (!V.page) return;
  if (V.page.body) { sendNow(); return; }
  const missing = V.page.items.map((it, i) => i).filter((i) => !V.page.answers[V.page.items[i].question_id]);
  if (missing.length) {
    const list = missing.slice(0, 12).map((i) => i + 1).join(', ') + (missing.length > 12 ? ', …' : '');
    showBanner(`Not submitted: ${missing.length === 1 ? 'image' : missing.length + ' images'} ${list} `
      + `${missing.length === 1 ? 'has' : 'have'} no answer yet (A answers "no" for all of them).`, 'warn');
    setState('pending', `${missing.length} not answered`);
    flash();
    focusTile(missing[0]);
    return;
  }
  const p = V.page;
  p.body = {
    class_idx: p.cls, page_id: p.id, seconds: Math.round((Date.now() - p.shownAt) / 100) / 10,
    answers: p.items.map((it) => {
      const a = p.answers[it.question_id];
      return { question_id: it.question_id, answer: a.answer, bulk: a.bulk, seconds: a.seconds, base_version: it.version };
    }),
  };
  persist();
  sendNow();
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { retryTimer = null; sendNow(); }, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 30000);
}

/* sends the page's submit (again: the same body and page id) */
async function sendNow() {
  const p = V.page;
  if (!p || !p.body || sending) return;
  clearTimeout(retryTimer);
  sending = true;
  setState('saving', 'submitting the page…');
  drawProgress();
  try {
    const res = await api('POST', '/api/verify/pages', p.body);
    retryDelay = 1000;
    dropLocal(p.cls);
    showBanner('');
    const note = `page stored \u2713 ${res.stored || p.body.answers.length} answers` + (res.replayed ? ' (sent before)' : '');
    setState('saved', note);
    V.page = null;
    await next(p.cls, note);
  } catch (e) {
    if (e.status === 409 && e.body && e.body.conflict) {
      const c = e.body.conflict, i = p.items.findIndex((it) => it.question_id === c.question_id);
      dropLocal(p.cls);
      V.page = null;
      showBanner(`Image ${i + 1} of that page had been answered meanwhile (in another tab or window): its answer `
        + `"${c.answer}" (version ${c.version}) stands. The page was not stored, and its answers were set aside: `
        + 'the images still pending are shown (the next label when this one has none left).', 'warn');
      setState('pending', 'page reloaded');
      await showLabel(p.cls);
    } else if (e.status && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
      p.body = null;   /* refused: no retry can change it; the answers stay, editable */
      persist();
      setState('failed', 'not submitted: ' + e.message);
      showBanner('The server refused this page: ' + e.message, 'error');
      drawProgress();
    } else {
      setState('failed', 'submit failed (' + (e.status ? e.message : 'the server cannot be reached') + ') \u2014 retrying');
      scheduleRetry();
    }
  } finally {
    sending = false;
  }
}

/* ---- loading ------------------------------------------------------------------------ */

async function loadLabels() {
  const r = await api('GET', '/api/verify/labels');
  V.labels = r.labels;
  return r;
}

/* shows label cls: the page kept in this browser for it, else a new page
 * of its pending images; note: what the status says then (the page just
 * stored), instead of "not answered yet" */
async function showLabel(cls, note) {
  if (!note) setState('loading', 'loading…');
  const r = await api('GET', `/api/verify/labels/${cls}?limit=${PAGE}`);
  V.label = r.label;
  V.pending = r.pending;
  if (!V.labels.some((l) => l.class === cls)) await loadLabels();
  history.replaceState(null, '', '#' + cls);
  const kept = readLocal(cls);
  if (kept) {
    V.page = kept;
  } else if (r.items.length) {
    V.page = { cls, id: newPageId(), items: r.items.map((it) => ({ question_id: it.question_id, image: it.image,
      version: it.version })), answers: {}, shownAt: Date.now(), lastAt: Date.now(), body: null };
  } else {
    V.page = null;
  }
  drawLabel(r.label);
  if (!V.page) { await next(cls, note); return; }
  persist();
  drawGrid();
  const n = answered();
  if (kept && V.page.body) {
    setState('saving', 'sending the page kept in this browser…');
    sendNow();
  } else if (kept && n) {
    setState('pending', `${n} answers of this page restored from this browser`);
  } else if (note) {
    setState('saved', note);
  } else {
    setState('pending', 'not answered yet');
  }
  const first = V.page.items.findIndex((it) => !V.page.answers[it.question_id]);
  focusTile(first < 0 ? V.page.items.length - 1 : first, false);
  window.scrollTo(0, 0);
}

/* after label cls's page: the same label while it has pending images, else the next one */
async function next(cls, note) {
  await loadLabels();
  drawPicker();
  const same = V.labels.find((l) => l.class === cls && l.pending > 0);
  const other = V.labels.find((l) => l.pending > 0);
  const to = same || other;
  if (to) { await showLabel(to.class, note); return; }
  V.page = null;
  $('grid').hidden = true;
  $('keys-line').hidden = true;
  $('page-actions').hidden = true;
  $('label-head').hidden = !V.labels.length;
  $('done-box').hidden = false;
  $('done-title').textContent = V.labels.length ? 'All done' : 'Nothing to verify';
  $('done-text').textContent = V.labels.length
    ? `Every verification question given to you is answered (${fmt(V.labels.reduce((s, l) => s + l.answered, 0))} answers). Thank you!`
    : 'You have no verification questions. The coordinator gives them with mlfy assign --protocol verify.';
  drawProgress();
}

/* ---- keys ------------------------------------------------------------------------ */

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  const k = e.key, t = e.target;
  const d = dialogOpen();
  if (d) {
    if ((d === 'zoom' && (k === 'o' || k === 'O')) || k === '?') closeDialog();
    else if (!(d === 'zoom' && zoomKey(k))) return;
    e.preventDefault();
    return;
  }
  if (takesKeys(t)) {
    if (k === 'Escape') { t.blur(); e.preventDefault(); }
    return;
  }
  if (k === 'Tab') return;
  const onTile = t && t.classList && t.classList.contains('vtile-img');
  const onControl = !onTile && t && (t.tagName === 'BUTTON' || t.tagName === 'A');
  if (onControl && (k === 'Enter' || k === ' ')) return;   /* the control's own click */
  if (k === '?') { openHelp(); e.preventDefault(); return; }
  if (!V.page) return;
  if (e.repeat && /^[ymnaYMNA123 oO]$/.test(k)) { e.preventDefault(); return; }
  const lower = k.length === 1 ? k.toLowerCase() : k;
  if (KEY_ANSWER[lower]) give(V.focus, KEY_ANSWER[lower]);
  else if (lower === 'a') bulkNo();
  else if (k === 'Enter') submit();
  else if (k === ' ' || lower === 'o') full();
  else if (k === 'Backspace' || k === 'Delete') clear(V.focus);
  else if (k === 'ArrowRight') focusTile(V.focus + 1);
  else if (k === 'ArrowLeft') focusTile(V.focus - 1);
  else if (k === 'ArrowDown') focusTile(Math.min(V.page.items.length - 1, V.focus + columns()));
  else if (k === 'ArrowUp') focusTile(V.focus - columns() < 0 ? V.focus : V.focus - columns());
  else if (k === 'Home') focusTile(0);
  else if (k === 'End') focusTile(V.page.items.length - 1);
  else return;
  e.preventDefault();
});

/* ---- start --------------------------------------------------------------------- */

$('help-btn').addEventListener('click', openHelp);
$('submit').addEventListener('click', submit);
$('bulk-no').addEventListener('click', bulkNo);
/* The label picker.  A closed <select> changes its value on every arrow
 * key and on typed letters (type-ahead): a label chosen by the keyboard is
 * only shown on Enter or when the picker loses focus, so a keyboard user can
 * step through the labels (WCAG 3.2.2), and the focus stays in the picker
 * (typed letters never reach the grid as answers); Escape goes back to the
 * label shown; a choice from the opened list (mouse, or Alt+Down then Enter)
 * is shown at once. */
let pickByArrow = false, pickPending = false;
function pickLabel() {
  const sel = $('label-pick');
  pickPending = false;
  if (V.page && Number(sel.value) === V.page.cls) return;
  if (V.page && V.page.body) { refuseLocked(); drawPicker(); return; }
  showLabel(Number(sel.value)).catch(failedLoad);
}
$('label-pick').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') { if (pickPending) { e.preventDefault(); pickLabel(); } }
  else if (e.key === 'Escape') {   /* back to the label shown */
    pickPending = pickByArrow = false;
    if (V.page) e.target.value = String(V.page.cls);
  } else if (!e.altKey && !e.ctrlKey && !e.metaKey && e.key !== 'Tab' && e.key !== 'Escape') pickByArrow = true;
});
$('label-pick').addEventListener('change', () => {
  if (pickByArrow) { pickByArrow = false; pickPending = true; return; }
  pickLabel();
});
$('label-pick').addEventListener('blur', () => { pickByArrow = false; if (pickPending) pickLabel(); });
onRetry(() => (V.page && V.page.body ? sendNow() : start()));

/* logging out: pages kept in this browser are this person's; the logout
 * reply clears the storage, so say what would be lost */
onLogout(async () => {
  const kept = localClasses().filter((c) => { const p = readLocal(c); return p && Object.keys(p.answers).length; });
  if (!kept.length) return true;
  return window.confirm(`Answers on ${kept.length === 1 ? 'one page have' : kept.length + ' pages have'} not been `
    + 'submitted yet. Logging out discards them.\n\nOK: log out and discard them.  Cancel: stay logged in.');
});

function failedLoad(e) {
  setState('failed', 'cannot load: ' + (e.status ? e.message : 'the server cannot be reached'));
  showBanner('The page could not be loaded: ' + (e.status ? e.message : 'the server cannot be reached')
    + '. Your answers kept in this browser are safe; use retry.', 'error');
}

async function start() {
  await loadLabels();
  const hash = Number((location.hash || '').slice(1));
  let cur = null;
  try { cur = Number(localStorage.getItem(prefix() + 'current')); } catch (e) { /* ignore */ }
  const known = (c) => Number.isInteger(c) && c >= 0 && V.labels.some((l) => l.class === c);
  /* a page kept in this browser first (a reload or restart mid-page), then the address, then the most pending */
  const kept = localClasses().filter(known);
  const cls = kept.includes(cur) ? cur : kept.length ? kept[0] : location.hash && known(hash) ? hash
    : (V.labels.find((l) => l.pending > 0) || {}).class;
  if (cls === undefined) { await next(-1); return; }
  await showLabel(cls);
}

requireLogin().then(start).catch((e) => { if (e.status !== 401) failedLoad(e); });
