/* nav.js - moving between the images of the task list: loading a task
 * (with the unsent local changes that belong to it), prefetching the next
 * one, "save and next" / "previous" one navigation at a time, the #<image
 * id> in the address bar, and the end of the list.  Owns the prefetched
 * tasks and the "navigation under way" flag. */
import { api } from './api.js';
import { fmt } from './dom.js';
import { S, currentId, blockReason, applyAnnotation } from './state.js';
import { restart as restartClock } from './clock.js';
import { setState, showBanner, flash } from './status.js';
import { save, inFlight, restoreLocal, onSentElsewhere } from './sync.js';
import { showTask, renderProgress, allDone, exemplarRanks } from './view.js';

const cache = new Map();   /* image id -> task JSON (prefetched) */
let going = false;         /* a navigation (save, then load) is under way */

/* an image whose saved state changed elsewhere: its prefetched task is stale */
onSentElsewhere((id) => cache.delete(id));

async function fetchTask(id) {
  if (cache.has(id)) { const t = cache.get(id); cache.delete(id); return t; }
  return api('GET', `/api/tasks/${id}?stage=${S.stage}`);
}

/* shows the image at position pos of the list */
export async function loadTask(pos) {
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
    setState('failed', `cannot load image ${fmt(pos + 1)}: ${e.message}`, () => loadTask(pos));
    return;
  }
  if (id !== currentId()) return;
  S.task = t;
  for (const [k, c] of Object.entries(t.classes)) S.classes.set(Number(k), c);
  S.version = 0;
  S.group = 0;
  S.dirty = false;
  S.closed = false;
  applyAnnotation(t.annotation);
  S.union = [];
  if (S.stage === 'refine') {
    const u = new Set();
    for (const o of t.others || []) for (const l of o.labels) u.add(l.class);
    S.union = [...u].sort((a, b) => a - b);
    if (!t.annotation) {
      for (const c of S.union) S.labels.set(c, S.sources.prefill);
      S.none = S.union.length === 0 && (t.others || []).length > 0;
    }
    if (t.zero_label) S.zl = { category: t.zero_label.category, verdict: t.zero_label.verdict };
  }
  /* unsent local changes made on top of the current version win */
  const localSeconds = restoreLocal(id);
  restartClock(localSeconds !== null && localSeconds > 0 ? localSeconds : (t.annotation ? t.annotation.seconds : 0));
  showTask();
  window.scrollTo(0, 0);   /* a new image starts at the top: image, tabs, first group */
  if (S.dirty) { showBanner('Unsaved changes from an earlier visit were restored and are being saved.', 'info', true); save(); }
  else if (t.annotation) setState('saved', 'saved ✓');
  else if (S.stage === 'refine') setState('pending', 'pre-checked from stage ii, not saved yet');
  else setState('pending', 'not yet decided');
  prefetch(S.pos + 1);
}

function preloadImages(t) {
  new Image().src = `/api/images/${t.image.id}?size=display`;
  for (const p of t.proposals.slice(0, S.groupSize)) {
    for (const r of exemplarRanks(t.classes[p.class])) new Image().src = `/api/exemplars/${p.class}/${r}?size=thumb`;
  }
}

async function prefetch(pos) {
  if (pos < 0 || pos >= S.ids.length) return;
  const id = S.ids[pos];
  if (cache.has(id)) return;
  try {
    const t = await api('GET', `/api/tasks/${id}?stage=${S.stage}`);
    if (cache.size > 4) cache.clear();
    cache.set(id, t);
    preloadImages(t);
  } catch (e) { /* prefetch is best effort */ }
}

/* One navigation at a time: a held Enter or → must not skip images. */
export async function go(delta) {
  if (going || !S.task) return;
  going = true;
  try { await goStep(delta); } finally { going = false; }
}

async function goStep(delta) {
  if (delta > 0) {
    const why = blockReason();
    if (why) { setState('pending', 'not saved: ' + why); flash(); return; }
    if (!S.closed && (S.dirty || S.version === 0)) { S.dirty = true; await save(); }
    /* a change made while a save was on its way is saved right after it: wait for that one too */
    while (inFlight()) await inFlight();
    if (!S.closed && (S.dirty || S.version === 0)) { flash(); return; }   /* failed: stay (a closed image: move on) */
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

/* from "all done" (← there): the last image */
export function loadLast() {
  if (S.ids.length && !going) loadTask(S.ids.length - 1);
}

/* #<image id> typed into the address bar (or a link to one) opens that image */
window.addEventListener('hashchange', () => {
  const pos = S.ids.indexOf(Number(location.hash.slice(1)));
  if (pos < 0 || going || (S.task && pos === S.pos)) return;
  if (!S.task) { loadTask(pos); return; }   /* the first image is still loading: this one wins */
  going = true;
  (async () => {
    if (S.dirty && !blockReason()) await save();   /* as ← does: an undecided image stays so */
    await loadTask(pos);
  })().finally(() => { going = false; });
});
