/* annotate.js - the annotation page (stage ii, /annotate) and the
 * refinement page (stage iv, /refine): one image, its 20 proposals in four
 * groups of five with exemplars, a class search for labels outside the
 * proposals, "none of these", a comment; every change is saved at once
 * (version-checked; a stale save from another tab gets 409 and the page
 * shows the newer state); unsent changes are kept in localStorage so they
 * survive a reload or a server restart. */
'use strict';

const GROUP = 5;
const $ = (id) => document.getElementById(id);

const S = {
  stage: location.pathname.startsWith('/refine') ? 'refine' : 'annotate',
  ids: [], done: [], pos: 0,
  task: null, version: 0,
  labels: new Map(),        /* class idx -> source */
  none: false,              /* explicit empty set */
  comment: '',
  zl: { category: '', verdict: '' },
  union: [],                /* refine: union of the stage-ii sets */
  group: 0,
  dirty: false, saving: null, changeSeq: 0, retryTimer: null, retryDelay: 1000,
  going: false,             /* a navigation (save, then load) is under way */
  retryAction: null,        /* what the "retry" link does when it is not a save (a failed load) */
  bannerUntilSave: false,   /* the banner is about this image's saving: a successful save clears it */
  secondsBase: 0, activeMs: 0, activeSince: null,
  cache: new Map(),         /* image id -> task JSON (prefetched) */
  classes: new Map(),       /* idx -> class info */
};

/* ---- time on image ----------------------------------------------------------- */

function clockRunning() { return document.visibilityState === 'visible' && document.hasFocus(); }
function clockTick() {
  const now = performance.now();
  if (S.activeSince !== null) S.activeMs += now - S.activeSince;
  S.activeSince = clockRunning() ? now : null;
}
function seconds() { clockTick(); return Math.round((S.secondsBase + S.activeMs / 1000) * 10) / 10; }
['visibilitychange', 'focus', 'blur'].forEach((ev) => window.addEventListener(ev, clockTick));

/* ---- state helpers ------------------------------------------------------------- */

function decided() { return S.labels.size > 0 || S.none; }
function sortedLabels() { return [...S.labels.keys()].sort((a, b) => a - b); }
function sameSet(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }
function needsComment() { return S.stage === 'refine' && !sameSet(sortedLabels(), S.union); }
function localKey(id) { return `mlfy:${mlfy.me.user}:${S.stage}:${id}`; }
function currentId() { return S.ids[S.pos]; }

function payload() {
  return {
    stage: S.stage,
    base_version: S.version,
    labels: sortedLabels().map((c) => ({ class: c, source: S.labels.get(c) })),
    comment: S.comment,
    seconds: seconds(),
    zero_label: S.stage === 'refine' && S.labels.size === 0 && S.zl.category && S.zl.verdict
      ? { category: S.zl.category, verdict: S.zl.verdict } : null,
  };
}

function persistLocal() {
  try {
    localStorage.setItem(localKey(currentId()), JSON.stringify({
      base: S.version, labels: [...S.labels.entries()], none: S.none, comment: S.comment, zl: S.zl,
      seconds: seconds(),
    }));
  } catch (e) { /* storage full or disabled: the server save still runs */ }
}
function clearLocal(id) { try { localStorage.removeItem(localKey(id)); } catch (e) { /* ignore */ } }

/* ---- save state display ---------------------------------------------------------- */

/* kind: saved, saving, loading, pending or failed; a failed state shows the
 * "retry" link, which runs retryAction (default: send what is unsent). */
function setState(kind, text, retryAction) {
  const el = $('save-state');
  el.className = 'save-state ' + kind;
  el.textContent = text;
  el.title = text;
  $('retry').hidden = kind !== 'failed';
  S.retryAction = retryAction || null;
}

function showBanner(text, kind, untilSave) {
  const b = $('banner');
  b.textContent = text;
  b.className = 'banner ' + (kind || 'info');
  b.hidden = !text;
  S.bannerUntilSave = !!(text && untilSave);
}

/* ---- saving ------------------------------------------------------------------------- */

function blockReason() {
  if (!decided()) return 'choose labels or "None of these" (N)';
  if (needsComment() && !S.comment.trim()) return 'a comment is required: the set differs from the annotators\'';
  if (S.stage === 'refine' && S.labels.size === 0 && (!S.zl.category || !S.zl.verdict))
    return 'fill in the zero-label review';
  return null;
}

function changed() {
  S.dirty = true;
  S.changeSeq++;
  persistLocal();
  renderStatus();
  save();
}

async function save() {
  if (S.saving) { S.again = true; return S.saving; }
  if (!S.dirty && S.version > 0) return;
  const why = blockReason();
  if (why) { setState('pending', 'not saved: ' + why); return; }
  const id = currentId(), seq = S.changeSeq;
  clearTimeout(S.retryTimer);
  setState('saving', 'saving…');
  S.saving = (async () => {
    try {
      const res = await mlfy.api('PUT', `/api/tasks/${id}/annotation`, payload(), { keepalive: true });
      if (id !== currentId()) return;
      S.version = res.version;
      S.task.annotation = { version: res.version };
      if (seq === S.changeSeq) { S.dirty = false; clearLocal(id); } else persistLocal();
      S.retryDelay = 1000;
      if (!S.done[S.pos]) { S.done[S.pos] = 1; renderProgress(); }
      setState('saved', 'saved ✓ ' + new Date().toLocaleTimeString());
      if (S.bannerUntilSave) showBanner('');
      flushPending();
    } catch (e) {
      if (id !== currentId()) return;
      if (e.status === 409 && e.body && e.body.annotation) {
        conflict(e.body.annotation);
      } else if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
        setState('failed', 'not saved: ' + e.message);
      } else {
        setState('failed', 'save failed — retrying');
        scheduleRetry();
      }
    }
  })();
  try { await S.saving; } finally {
    S.saving = null;
    if (S.again) { S.again = false; if (S.dirty) await save(); }
  }
}

/* One timer retries whatever is unsent, with back-off (1 s to 30 s): this
 * image's changes, and other images' changes kept in localStorage. */
function scheduleRetry() {
  clearTimeout(S.retryTimer);
  S.retryTimer = setTimeout(() => {
    S.retryTimer = null;
    if (S.dirty) save(); else flushPending();
  }, S.retryDelay);
  S.retryDelay = Math.min(S.retryDelay * 2, 30000);
}

function retryNow() {
  S.retryDelay = 1000;
  if (S.retryAction) { S.retryAction(); return; }
  if (S.dirty) save(); else flushPending();
}

/* Changes to other images that never reached the server (it was down when
 * the annotator moved on, reloaded at another image or closed the tab) are
 * kept in localStorage: send each on top of the version it was based on.
 * A 409 means a newer version was saved meanwhile (another tab); it stands,
 * as in conflict().  A save the server refuses (4xx, e.g. a refinement that
 * needs a comment) waits until the image is opened again. */
let flushing = false;
const flushRefused = new Set();
async function flushPending() {
  if (flushing || !mlfy.me || !S.ids.length) return;
  flushing = true;
  let down = false, superseded = 0;
  try {
    const prefix = `mlfy:${mlfy.me.user}:${S.stage}:`;
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(prefix) && !flushRefused.has(k)) keys.push(k);
    }
    for (const k of keys) {
      const id = Number(k.slice(prefix.length)), pos = S.ids.indexOf(id);
      if (id === currentId()) continue;            /* save() sends this image's */
      if (pos < 0) { clearLocal(id); continue; }   /* no longer one of our tasks */
      let loc = null;
      try { loc = JSON.parse(localStorage.getItem(k)); } catch (e) { /* unreadable: dropped below */ }
      if (!loc || !Array.isArray(loc.labels)) { clearLocal(id); continue; }
      if (!loc.none && !loc.labels.length) continue;   /* undecided: nothing to save */
      const zl = loc.zl || {};
      const body = {
        stage: S.stage, base_version: loc.base,
        labels: loc.labels.map(([c, src]) => ({ class: c, source: src })).sort((a, b) => a.class - b.class),
        comment: loc.comment || '', seconds: loc.seconds || 0,
        zero_label: S.stage === 'refine' && !loc.labels.length && zl.category && zl.verdict
          ? { category: zl.category, verdict: zl.verdict } : null,
      };
      try {
        await mlfy.api('PUT', `/api/tasks/${id}/annotation`, body);
        clearLocal(id);
        S.cache.delete(id);
        if (!S.done[pos]) { S.done[pos] = 1; renderProgress(); }
      } catch (e) {
        if (e.status === 409) {
          const ann = e.body && e.body.annotation;
          const theirs = ann ? ann.labels.map((l) => l.class).sort((a, b) => a - b) : null;
          if (!ann || !sameSet(theirs, body.labels.map((l) => l.class)) || (ann.comment || '') !== body.comment)
            superseded++;
          clearLocal(id);
          S.cache.delete(id);
        } else if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
          flushRefused.add(k);
        } else {
          down = true;
          break;
        }
      }
    }
  } finally {
    flushing = false;
  }
  if (down) { if (!S.retryTimer && !S.saving) scheduleRetry(); }
  else if (!S.dirty) S.retryDelay = 1000;
  if (superseded) {
    showBanner(`Unsent changes to ${superseded === 1 ? 'one other image were' : superseded + ' other images were'} ` +
               'not applied: a newer version had been saved in another tab or window.', 'warn');
  }
}

/* A newer version exists (another tab, or our own save whose reply was lost). */
function conflict(ann) {
  const theirs = ann.labels.map((l) => l.class).sort((a, b) => a - b);
  const mine = sortedLabels();
  S.version = ann.version;
  S.task.annotation = ann;
  if (sameSet(theirs, mine) && (ann.comment || '') === S.comment) {
    S.dirty = false;
    clearLocal(currentId());
    setState('saved', 'saved ✓');
    return;
  }
  /* show the newer state instead of overwriting it */
  S.dirty = false;
  clearLocal(currentId());
  applyAnnotation(ann);
  render();
  showBanner('This image was changed in another tab or window. The newer saved state is shown; ' +
             'change it here if needed.', 'warn', true);
  setState('saved', 'newer version loaded');
}

/* ---- loading tasks --------------------------------------------------------------------- */

async function fetchTask(id) {
  if (S.cache.has(id)) { const t = S.cache.get(id); S.cache.delete(id); return t; }
  return mlfy.api('GET', `/api/tasks/${id}?stage=${S.stage}`);
}

function applyAnnotation(ann) {
  S.labels = new Map();
  S.none = false;
  S.comment = '';
  S.zl = { category: '', verdict: '' };
  if (ann) {
    for (const l of ann.labels) S.labels.set(l.class, l.source);
    S.none = ann.labels.length === 0;
    S.comment = ann.comment || '';
    S.version = ann.version;
  }
}

async function loadTask(pos) {
  const shown = S.task ? S.pos : -1;
  S.pos = pos;
  const id = currentId();
  history.replaceState(null, '', '#' + id);
  setState('loading', 'loading…');
  showBanner('');
  let t;
  try {
    t = await fetchTask(id);
  } catch (e) {
    if (id !== currentId()) return;
    /* stay on the image that is shown (its position, its #id), so that the
     * position and the keys keep matching what the annotator sees */
    if (shown >= 0 && shown !== pos) {
      S.pos = shown;
      history.replaceState(null, '', '#' + S.ids[shown]);
      renderProgress();
    }
    setState('failed', `cannot load image ${mlfy.fmt(pos + 1)}: ${e.message}`, () => loadTask(pos));
    return;
  }
  if (id !== currentId()) return;
  S.task = t;
  for (const [k, c] of Object.entries(t.classes)) S.classes.set(Number(k), c);
  S.version = 0;
  S.group = 0;
  S.dirty = false;
  applyAnnotation(t.annotation);
  S.union = [];
  if (S.stage === 'refine') {
    const u = new Set();
    for (const o of t.others || []) for (const l of o.labels) u.add(l.class);
    S.union = [...u].sort((a, b) => a - b);
    if (!t.annotation) {
      for (const c of S.union) S.labels.set(c, 'prefill');
      S.none = S.union.length === 0 && (t.others || []).length > 0;
    }
    if (t.zero_label) S.zl = { category: t.zero_label.category, verdict: t.zero_label.verdict };
  }
  S.secondsBase = t.annotation ? t.annotation.seconds : 0;
  S.activeMs = 0;
  S.activeSince = clockRunning() ? performance.now() : null;
  /* unsent local changes made on top of the current version win */
  try {
    const raw = localStorage.getItem(localKey(id));
    if (raw) {
      const loc = JSON.parse(raw);
      if (loc.base === S.version) {
        S.labels = new Map(loc.labels);
        S.none = loc.none;
        S.comment = loc.comment || '';
        S.zl = loc.zl || S.zl;
        S.secondsBase = loc.seconds || S.secondsBase;
        S.dirty = true;
      } else {
        clearLocal(id);
      }
    }
  } catch (e) { /* ignore bad local data */ }
  render();
  window.scrollTo(0, 0);   /* a new image starts at the top: image, tabs, first group */
  if (S.dirty) { showBanner('Unsaved changes from an earlier visit were restored and are being saved.', 'info', true); save(); }
  else if (t.annotation) setState('saved', 'saved ✓');
  else if (S.stage === 'refine') setState('pending', 'pre-checked from stage ii, not saved yet');
  else setState('pending', 'not yet decided');
  prefetch(S.pos + 1);
}

/* the exemplar ranks to show for class entry c (at most 10): the server
 * leaves out the image's own content (exemplars may be project photos) */
function exemplarRanks(c) {
  if (!c) return [];
  const ranks = c.exemplar_ranks || [...Array(c.exemplars || 0).keys()];
  return ranks.slice(0, 10);
}

function preloadImages(t) {
  new Image().src = `/api/images/${t.image.id}?size=display`;
  for (const p of t.proposals.slice(0, GROUP)) {
    const c = t.classes[p.class];
    for (const r of exemplarRanks(c)) new Image().src = `/api/exemplars/${p.class}/${r}?size=thumb`;
  }
}

async function prefetch(pos) {
  if (pos < 0 || pos >= S.ids.length) return;
  const id = S.ids[pos];
  if (S.cache.has(id)) return;
  try {
    const t = await mlfy.api('GET', `/api/tasks/${id}?stage=${S.stage}`);
    if (S.cache.size > 4) S.cache.clear();
    S.cache.set(id, t);
    preloadImages(t);
  } catch (e) { /* prefetch is best effort */ }
}

/* ---- rendering ----------------------------------------------------------------------------- */

function renderProgress() {
  const n = S.ids.length, d = S.done.reduce((a, b) => a + b, 0);
  $('position').textContent = n ? `image ${mlfy.fmt(S.pos + 1)} / ${mlfy.fmt(n)}` : 'no images';
  $('progress-bar').style.width = (n ? (100 * d) / n : 0) + '%';
  $('progress-text').textContent = `${mlfy.fmt(d)} done`;
}

function classLabel(c) {
  const k = S.classes.get(c);
  return k ? k.name : '#' + c;
}

function whoChose(c) {
  return (S.task.others || []).filter((o) => o.labels.some((l) => l.class === c)).map((o) => o.annotator);
}

function badges(c) {
  const out = [];
  if (S.stage === 'refine') {
    if (S.task.image.original_label === c) out.push(mlfy.el('span', { class: 'badge original', text: 'original label' }));
    const who = whoChose(c);
    if (who.length) out.push(mlfy.el('span', { class: 'badge who', title: 'chosen in stage ii by', text: '✓ ' + who.join(', ') }));
  }
  return out;
}

function toggle(c, source) {
  if (S.labels.has(c)) S.labels.delete(c);
  else { S.labels.set(c, source); S.none = false; }
  changed();
  render();
}

function render() {
  const t = S.task;
  $('workspace').hidden = false;
  $('done-box').hidden = true;
  $('photo').src = `/api/images/${t.image.id}?size=display`;
  /* stage ii shows no file name: names like n01514859_hen.JPEG or a class
   * folder give the original label away and bias the annotator */
  $('image-name').textContent = (S.stage === 'refine' ? t.image.name : 'image #' + t.image.id) +
    ' · batch ' + t.image.batch;
  renderProgress();

  /* tabs */
  const tabs = $('tabs');
  tabs.replaceChildren();
  const nGroups = Math.ceil(t.proposals.length / GROUP);
  for (let g = 0; g < nGroups; g++) {
    const inGroup = t.proposals.slice(g * GROUP, (g + 1) * GROUP);
    const checked = inGroup.filter((p) => S.labels.has(p.class)).length;
    tabs.append(mlfy.el('button', {
      class: 'tab' + (g === S.group ? ' active' : ''), role: 'tab', 'aria-selected': g === S.group ? 'true' : 'false',
      onclick: (e) => { e.currentTarget.blur(); S.group = g; render(); },
    }, `${g * GROUP + 1}–${g * GROUP + inGroup.length}`, checked ? mlfy.el('span', { class: 'tab-count', text: ` ${checked}✓` }) : null));
  }

  /* proposals of all groups (hidden ones keep their lazy thumbnails unloaded) */
  const list = $('proposals');
  list.replaceChildren();
  if (!t.proposals.length) {
    list.append(mlfy.el('li', { class: 'prop muted', text: 'This image has no model proposals yet ' +
      '(mlfy import-predictions or mlfy propose). Use the search below, or "None of these".' }));
  }
  t.proposals.forEach((p, i) => {
    const c = t.classes[p.class] || { name: '#' + p.class, synonyms: '', gloss: '', exemplars: 0 };
    const g = Math.floor(i / GROUP), key = (i % GROUP) + 1;
    const on = S.labels.has(p.class);
    const cb = mlfy.el('input', { type: 'checkbox', 'data-class': p.class });
    cb.checked = on;
    cb.addEventListener('change', () => toggle(p.class, S.stage === 'refine' && S.union.includes(p.class) ? 'prefill' : 'proposal'));
    const syn = c.synonyms.split(',').map((x) => x.trim()).filter((x) => x && x !== c.name).join(', ');
    const thumbs = mlfy.el('div', { class: 'exemplars' });
    exemplarRanks(c).forEach((r, n) => {
      thumbs.append(mlfy.el('img', {
        src: `/api/exemplars/${p.class}/${r}?size=thumb`, loading: 'lazy', alt: `${c.name} example ${n + 1}`,
        width: 96, height: 72, onclick: () => openLightbox(p.class, r, c.name, n),
      }));
    });
    if (!c.exemplars) thumbs.append(mlfy.el('span', { class: 'muted small', text: 'no exemplars' }));
    list.append(mlfy.el('li', { class: 'prop' + (on ? ' checked' : ''), hidden: g !== S.group },
      mlfy.el('label', { class: 'prop-head' }, cb,
        mlfy.el('kbd', { text: String(key) }),
        mlfy.el('span', { class: 'name', text: c.name }),
        syn ? mlfy.el('span', { class: 'syn', text: syn }) : null,
        mlfy.el('span', { class: 'score', title: 'model probability', text: p.score < 0.001 ? '<0.1%' : (p.score * 100).toFixed(p.score < 0.1 ? 1 : 0) + '%' }),
        ...badges(p.class)),
      c.gloss ? mlfy.el('div', { class: 'gloss', text: c.gloss }) : null,
      thumbs));
  });

  /* labels outside the proposals */
  const inProps = new Set(t.proposals.map((p) => p.class));
  const extras = new Set([...S.labels.keys()].filter((c) => !inProps.has(c)));
  if (S.stage === 'refine') for (const c of S.union) if (!inProps.has(c)) extras.add(c);
  const ul = $('extra-labels');
  ul.replaceChildren();
  for (const c of [...extras].sort((a, b) => a - b)) {
    const cb = mlfy.el('input', { type: 'checkbox' });
    cb.checked = S.labels.has(c);
    cb.addEventListener('change', () => toggle(c, S.union.includes(c) ? 'prefill' : 'search'));
    const k = S.classes.get(c);
    ul.append(mlfy.el('li', { class: S.labels.has(c) ? 'checked' : '' },
      mlfy.el('label', {}, cb, mlfy.el('span', { class: 'name', text: classLabel(c) }),
        k && k.gloss ? mlfy.el('span', { class: 'gloss small', text: ' — ' + k.gloss }) : null, ...badges(c))));
  }
  if (!extras.size) ul.append(mlfy.el('li', { class: 'muted small', text: 'none' }));

  /* refine: who chose what, original label */
  const info = $('refine-info');
  info.hidden = S.stage !== 'refine';
  if (S.stage === 'refine') {
    info.replaceChildren(mlfy.el('div', {}, mlfy.el('b', { text: 'Original label: ' }),
      t.image.original_label === null || t.image.original_label === undefined ? 'none' : classLabel(t.image.original_label)));
    for (const o of t.others || []) {
      info.append(mlfy.el('div', {}, mlfy.el('b', { text: o.annotator + ': ' }),
        o.labels.length ? o.labels.map((l) => classLabel(l.class)).join(', ') : '(none of these)',
        o.comment ? mlfy.el('span', { class: 'muted', text: ' — “' + o.comment + '”' }) : null));
    }
    if (!(t.others || []).length) info.append(mlfy.el('div', { class: 'muted', text: 'No stage-ii annotations.' }));
  }

  if (document.activeElement !== $('comment')) $('comment').value = S.comment;
  renderStatus();
}

function renderStatus() {
  $('none').setAttribute('aria-pressed', S.none ? 'true' : 'false');
  $('none').classList.toggle('on', S.none);
  const req = needsComment();
  $('comment-required').hidden = !req;
  $('comment').classList.toggle('required-box', req && !S.comment.trim());
  const zl = S.stage === 'refine' && S.labels.size === 0 && S.none;
  $('zero-label').hidden = !zl;
  $('zl-category').value = S.zl.category;
  $('zl-verdict').value = S.zl.verdict;
}

/* ---- navigation ----------------------------------------------------------------------------- */

/* One navigation at a time: a held Enter or → must not skip images. */
async function go(delta) {
  if (!S.task || S.going) return;
  S.going = true;
  try { await goStep(delta); } finally { S.going = false; }
}

async function goStep(delta) {
  if (delta > 0) {
    const why = blockReason();
    if (why) { setState('pending', 'not saved: ' + why); flash(); return; }
    if (S.dirty || S.version === 0) { S.dirty = true; await save(); }
    if (S.saving) await S.saving;
    if (S.dirty || S.version === 0) { flash(); return; }   /* failed: stay */
  } else if (S.dirty && !blockReason()) {
    await save();
  }
  const next = S.pos + delta;
  if (next >= S.ids.length) {
    const firstOpen = S.done.indexOf(0);
    if (firstOpen >= 0) { await loadTask(firstOpen); return; }
    allDone();
    return;
  }
  if (next < 0) return;
  await loadTask(next);
}

function flash() {
  const el = $('save-state');
  el.classList.remove('flash');
  void el.offsetWidth;
  el.classList.add('flash');
}

function allDone() {
  $('workspace').hidden = true;
  $('done-box').hidden = false;
  $('done-text').textContent = `All ${mlfy.fmt(S.ids.length)} images have a saved decision. Thank you! ` +
    'You can still go back with ← to change any of them.';
  renderProgress();
}

/* ---- overlays ----------------------------------------------------------------------------------- */

const Z = { scale: 1, x: 0, y: 0, drag: null };
function zoomApply() { $('zoom-img').style.transform = `translate(${Z.x}px, ${Z.y}px) scale(${Z.scale})`; }
function openZoom() {
  Z.scale = 1; Z.x = 0; Z.y = 0; zoomApply();
  $('zoom-img').src = `/api/images/${S.task.image.id}?size=full`;
  $('zoom').hidden = false;
}
function zoomBy(f) { Z.scale = Math.min(16, Math.max(0.25, Z.scale * f)); zoomApply(); }
$('zoom').addEventListener('wheel', (e) => { e.preventDefault(); zoomBy(e.deltaY < 0 ? 1.2 : 1 / 1.2); }, { passive: false });
$('zoom').addEventListener('pointerdown', (e) => { Z.drag = { x: e.clientX - Z.x, y: e.clientY - Z.y, moved: false }; });
$('zoom').addEventListener('pointermove', (e) => {
  if (!Z.drag) return;
  Z.x = e.clientX - Z.drag.x; Z.y = e.clientY - Z.drag.y; Z.drag.moved = true; zoomApply();
});
$('zoom').addEventListener('pointerup', () => { const moved = Z.drag && Z.drag.moved; Z.drag = null; if (!moved) closeOverlays(); });

function openLightbox(c, r, name, n) {
  $('lightbox-img').src = `/api/exemplars/${c}/${r}?size=full`;
  $('lightbox-caption').textContent = `${name} — exemplar ${n + 1} · click or Esc to close`;
  $('lightbox').hidden = false;
}
$('lightbox').addEventListener('click', () => closeOverlays());
$('help').addEventListener('click', () => closeOverlays());

function overlayOpen() { return !$('zoom').hidden || !$('lightbox').hidden || !$('help').hidden; }
function closeOverlays() { $('zoom').hidden = true; $('lightbox').hidden = true; $('help').hidden = true; }

/* ---- search ------------------------------------------------------------------------------------- */

let searchTimer = null, searchSel = -1, searchItems = [];
function renderSearch() {
  const ul = $('search-results');
  ul.replaceChildren();
  /* open upwards when the box is near the bottom of the window */
  const r = $('search').getBoundingClientRect(), below = window.innerHeight - r.bottom;
  ul.classList.toggle('up', below < 330 && r.top > below);
  searchItems.forEach((c, i) => {
    ul.append(mlfy.el('li', {
      class: i === searchSel ? 'sel' : '', role: 'option',
      onmousedown: (e) => { e.preventDefault(); pick(c); },
    }, mlfy.el('b', { text: c.name }), ' ', mlfy.el('span', { class: 'muted small', text: c.synonyms })));
  });
  ul.hidden = !searchItems.length;
}
function pick(c) {
  S.classes.set(c.idx, c);
  const inProps = S.task.proposals.findIndex((p) => p.class === c.idx);
  if (!S.labels.has(c.idx)) {
    S.labels.set(c.idx, inProps >= 0 ? 'proposal' : (S.union.includes(c.idx) ? 'prefill' : 'search'));
    S.none = false;
    changed();
  }
  if (inProps >= 0) S.group = Math.floor(inProps / GROUP);
  $('search').value = '';
  searchItems = [];
  searchSel = -1;
  renderSearch();
  /* back to the page's keys (the next Enter saves and moves on); / searches again */
  $('search').blur();
  render();
}
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  const q = $('search').value.trim();
  if (!q) { searchItems = []; renderSearch(); return; }
  searchTimer = setTimeout(async () => {
    try {
      const r = await mlfy.api('GET', '/api/classes?limit=12&q=' + encodeURIComponent(q));
      if ($('search').value.trim() !== q) return;
      searchItems = r.classes;
      searchSel = searchItems.length ? 0 : -1;
      renderSearch();
    } catch (e) { /* keep typing */ }
  }, 120);
});
$('search').addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') { searchSel = Math.min(searchItems.length - 1, searchSel + 1); renderSearch(); e.preventDefault(); }
  else if (e.key === 'ArrowUp') { searchSel = Math.max(0, searchSel - 1); renderSearch(); e.preventDefault(); }
  else if (e.key === 'Enter') {
    const c = searchItems[searchSel];
    if (c) pick(c);
    else if (!$('search').value.trim()) $('search').blur();   /* empty box: leave it */
    e.preventDefault();
    e.stopPropagation();
  }
  else if (e.key === 'Escape') { searchItems = []; renderSearch(); $('search').blur(); }
});
$('search').addEventListener('blur', () => setTimeout(() => { searchItems = []; renderSearch(); }, 100));

/* ---- inputs ---------------------------------------------------------------------------------- */

let commentTimer = null;
$('comment').addEventListener('input', () => {
  S.comment = $('comment').value;
  persistLocal();
  clearTimeout(commentTimer);
  commentTimer = setTimeout(() => changed(), 600);
  renderStatus();
});
$('comment').addEventListener('blur', () => {
  if (S.comment !== (S.task && S.task.annotation ? S.task.annotation.comment : '') && commentTimer) {
    clearTimeout(commentTimer); commentTimer = null; changed();
  }
});
$('comment').addEventListener('keydown', (e) => { if (e.key === 'Escape') $('comment').blur(); });
['zl-category', 'zl-verdict'].forEach((id) => $(id).addEventListener('change', () => {
  S.zl = { category: $('zl-category').value, verdict: $('zl-verdict').value };
  changed();
}));
/* Buttons give the focus back after a click: Enter must not press "None of
 * these" again (undoing it) when the annotator means "save and next". */
const clicked = (fn) => (e) => { if (e.detail > 0) e.currentTarget.blur(); fn(); };
$('none').addEventListener('click', clicked(() => toggleNone()));
$('next').addEventListener('click', clicked(() => go(1)));
$('prev').addEventListener('click', clicked(() => go(-1)));
$('retry').addEventListener('click', clicked(retryNow));
$('photo').addEventListener('click', () => openZoom());
$('help-btn').addEventListener('click', clicked(() => { $('help').hidden = false; }));

function toggleNone() {
  S.none = !S.none;
  if (S.none) S.labels.clear();
  changed();
  render();
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (overlayOpen()) {
    if (e.key === 'Escape' || (e.key.toLowerCase() === 'z' && !$('zoom').hidden) || e.key === '?') closeOverlays();
    else if (!$('zoom').hidden && (e.key === '+' || e.key === '=')) zoomBy(1.25);
    else if (!$('zoom').hidden && e.key === '-') zoomBy(0.8);
    e.preventDefault();
    return;
  }
  const tag = (e.target && e.target.tagName) || '';
  if (tag === 'INPUT' && e.target.type !== 'checkbox' || tag === 'TEXTAREA' || tag === 'SELECT') return;
  if (tag === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return;   /* the button's own click */
  if (!S.task || $('workspace').hidden) { if (e.key === 'ArrowLeft' && S.ids.length) loadTask(S.ids.length - 1); return; }
  const nGroups = Math.max(1, Math.ceil(S.task.proposals.length / GROUP));
  const k = e.key;
  /* a held key toggles once (auto-repeat would flip the label back and forth) */
  if (e.repeat && /^[1-5nNzZcC/?]$/.test(k)) { e.preventDefault(); return; }
  if (k >= '1' && k <= '5') {
    const i = S.group * GROUP + Number(k) - 1, p = S.task.proposals[i];
    if (p) {
      toggle(p.class, S.stage === 'refine' && S.union.includes(p.class) ? 'prefill' : 'proposal');
      const li = $('proposals').children[i];
      if (li) li.scrollIntoView({ block: 'nearest' });
    }
  } else if (k === 'Tab' || k === 'ArrowDown' || k === 'ArrowUp') {
    const back = k === 'ArrowUp' || (k === 'Tab' && e.shiftKey);
    S.group = (S.group + (back ? nGroups - 1 : 1)) % nGroups;
    render();
    $('tabs').scrollIntoView({ block: 'nearest' });
  } else if (k === 'Enter' || k === 'ArrowRight') {
    go(1);
  } else if (k === 'ArrowLeft') {
    go(-1);
  } else if (k === 'n' || k === 'N') {
    toggleNone();
  } else if (k === 'z' || k === 'Z') {
    openZoom();
  } else if (k === 'c' || k === 'C') {
    $('comment').focus();
  } else if (k === '/') {
    $('search').focus();
  } else if (k === '?') {
    $('help').hidden = false;
  } else {
    return;
  }
  e.preventDefault();
});

/* #<image id> typed into the address bar (or a link to one) opens that image */
window.addEventListener('hashchange', () => {
  const pos = S.ids.indexOf(Number(location.hash.slice(1)));
  if (pos < 0 || S.going || (S.task && pos === S.pos)) return;
  if (!S.task) { loadTask(pos); return; }   /* the first image is still loading: this one wins */
  S.going = true;
  (async () => {
    if (S.dirty && !blockReason()) await save();   /* as ← does: an undecided image stays so */
    await loadTask(pos);
  })().finally(() => { S.going = false; });
});

window.addEventListener('beforeunload', (e) => {
  if (!S.dirty) return;
  persistLocal();
  /* going to the login page (session ended): the changes are kept locally
   * and sent after logging in again; asking "leave the page?" would only
   * strand the annotator on a page that can no longer save */
  if (mlfy.leaving) return;
  save();
  e.preventDefault();
  e.returnValue = '';
});

/* ---- start --------------------------------------------------------------------------------- */

(async function start() {
  /* both requests at once: the page is one round trip shorter */
  const listReq = mlfy.api('GET', '/api/tasks?stage=' + S.stage, undefined, { noRedirect: true });
  listReq.catch(() => {});
  const me = await mlfy.requireLogin();
  if (S.stage === 'refine' && me.role === 'annotator') { location.href = '/annotate'; return; }
  $('stage-title').textContent = S.stage === 'refine' ? 'Refinement (stage iv)' : 'Annotation (stage ii)';
  document.title = (S.stage === 'refine' ? 'Refine' : 'Annotate') + ' · multilabelfy';
  const list = await listReq;
  S.ids = list.ids;
  S.done = list.done;
  if (!S.ids.length) {
    $('workspace').hidden = true;
    $('done-box').hidden = false;
    $('done-box').querySelector('h2').textContent = 'Nothing to do yet';
    $('done-text').textContent = S.stage === 'refine'
      ? 'No images are in your refinement queue.'
      : 'No batch is assigned to you yet (an admin runs "mlfy assign").';
    setState('saved', '–');
    renderProgress();
    return;
  }
  const want = Number(location.hash.slice(1));
  let pos = want ? S.ids.indexOf(want) : -1;
  if (pos < 0) pos = S.done.indexOf(0);
  if (pos < 0) { S.pos = S.ids.length - 1; allDone(); flushPending(); return; }
  loadTask(pos);
  /* changes to other images that a reload, a closed tab or a server restart
   * left unsent (the current image's are restored by loadTask) */
  flushPending();
})().catch((e) => { if (e.status !== 401) showBanner('Cannot start: ' + e.message, 'error'); });
