/* nav.js - moving between the images of the task list: loading a task
 * (with the unsent local changes that belong to it), prefetching the next
 * one, "save and next" / "previous" one navigation at a time, the #<image
 * id> in the address bar, and the end of the list.  The list comes a
 * window at a time (GET /api/tasks: WINDOW tasks, the whole list's counts):
 * a step out of the window, a #id outside it and "the first image without
 * a decision" fetch the window that holds it.  Owns the prefetched tasks
 * and the "navigation under way" flag. */
import { api, refusedForGood } from './api.js';
import { fmt } from './dom.js';
import { S, currentId, blockReason, applyAnnotation, decided, dropFromList, sortedTags, sameSet, useWindow }
  from './state.js';
import { restart as restartClock } from './clock.js';
import { setState, showBanner, flash } from './status.js';
import { save, inFlight, restoreLocal, clearLocal, onSentElsewhere, onRefusedForGood } from './sync.js';
import { showTask, renderProgress, allDone, nothingToDo, exemplarRanks } from './view.js';

const cache = new Map();   /* image id -> task JSON (prefetched) */
const WINDOW = 200;        /* tasks per window of the list */
let going = false;         /* a navigation (save, then load) is under way */
let dropped = null;        /* images refused for good on the way here: {ids, why}, said once the next is shown */
let drops = 0;             /* counts the shown images taken out of the list */

/* an image whose saved state changed elsewhere: its prefetched task is stale */
onSentElsewhere((id) => cache.delete(id));
onRefusedForGood((id, why) => dropImage(id, why));

/* Image `id` was refused for good (no longer this user's task, no such
 * image, closed): it leaves the list, the counter and the re-send queue,
 * and is never tried again; the shown one gives way to the next image
 * (at once, or where the navigation under way goes on: goStep). */
async function dropImage(id, why) {
  const shown = !!S.task && S.task.image.id === id && currentId() === id;
  if (dropFromList(id) < 0) return;
  cache.clear();   /* other prefetched tasks may have gone with it */
  clearLocal(id);
  renderProgress();
  if (!shown) return;
  S.dirty = false;
  drops++;
  noteDrop(id, why);
  if (going) return;
  going = true;
  try { await showAfterDrop(); } finally { going = false; }
}

function noteDrop(id, why) {
  if (!dropped) dropped = { ids: [], why };
  dropped.ids.push(id);
  dropped.why = why;
}

/* says which images left the list and why: the status and an alert */
function tellDropped() {
  if (!dropped) return;
  const { ids, why } = dropped;
  dropped = null;
  const next = S.task ? ' This is the next image.' : '';
  if (ids.length === 1) {
    setState('pending', `${why}; taken out of your list`);
    showBanner(`${why[0].toUpperCase()}${why.slice(1)}: the server refuses it for good, so it was taken out of your ` +
               `list and any unsaved change to it dropped.${next}`, 'warn');
  } else {
    setState('pending', `${ids.length} images taken out of your list (${why})`);
    showBanner(`${ids.length} images (#${ids.join(', #')}) were taken out of your list: the server refuses them for ` +
               `good (${why}), and any unsaved change to them was dropped.${next}`, 'warn');
  }
}

/* GET /api/tasks: a window of the list (params: offset=N, around=<id> or
 * around=open), with the task at its position when withTask */
export function listWindow(params, withTask, opts) {
  return api('GET', `/api/tasks?stage=${S.stage}&limit=${WINDOW}&${params}${withTask ? '&include=task' : ''}`,
    undefined, opts);
}

/* takes window w; the shown image keeps its place (S.pos follows it; when
 * the window does not hold it, the window's end it is nearest to) */
function takeWindow(w) {
  const shown = currentId(), before = S.offset + S.pos;
  useWindow(w);
  const at = S.ids.indexOf(shown);
  S.pos = at >= 0 ? at : Math.max(0, Math.min(S.ids.length - 1, before - S.offset));
}

/* the window's index of list position lp, fetching the window around it
 * when it is outside; -1 when the list has no such position (any more) */
async function indexOf(lp) {
  if (lp >= S.offset && lp < S.offset + S.ids.length) return lp - S.offset;
  takeWindow(await listWindow('offset=' + Math.max(0, lp - Math.floor(WINDOW / 4))));
  return lp >= S.offset && lp < S.offset + S.ids.length ? lp - S.offset : -1;
}

/* the window's index of the first image without a saved decision, -1 when
 * every image has one: from the window when it starts the list and holds
 * one (or holds the whole list), else the server's */
async function firstOpen() {
  const local = S.offset === 0 ? S.done.indexOf(0) : -1;
  if (local >= 0 || (S.offset === 0 && S.ids.length >= S.total)) return local;
  const w = await listWindow('around=open');
  takeWindow(w);
  return w.position === null ? -1 : w.position - w.offset;
}

/* a task sent along with the list (include=task): the first loadTask takes it */
export function primeTask(t) {
  if (t) cache.set(t.image.id, t);
}

/* after the shown image left the list: the one now at its place, or the first without a decision */
async function showAfterDrop() {
  if (!S.total) {
    S.task = null;
    nothingToDo('No images are left in your list.');
    tellDropped();
    return;
  }
  let at = S.pos;
  try {
    if (at >= S.ids.length) at = S.offset + at < S.total ? await indexOf(S.offset + at) : -1;
    if (at < 0) at = await firstOpen();
  } catch (e) {
    setState('failed', `cannot load the task list: ${e.message}`, () => showAfterDrop());
    return;
  }
  if (at < 0) { S.pos = S.ids.length - 1; S.task = null; allDone(); tellDropped(); return; }
  S.pos = at;
  await loadTask(S.pos);
}

async function fetchTask(id) {
  if (cache.has(id)) { const t = cache.get(id); cache.delete(id); return t; }
  return api('GET', `/api/tasks/${id}?stage=${S.stage}`);
}

/* shows the image at position pos of the list */
export async function loadTask(pos) {
  const shown = S.task ? currentId() : null;
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
    if (refusedForGood(e)) {   /* no longer ours (or gone): out of the list, on to the next */
      dropFromList(id);
      cache.clear();
      clearLocal(id);
      renderProgress();
      noteDrop(id, e.message);
      await showAfterDrop();
      return;
    }
    /* stay on the image that is shown (its position, its #id), so that the
     * position and the keys keep matching what the annotator sees */
    const back = shown === null ? -1 : S.ids.indexOf(shown);
    if (back >= 0 && back !== pos) {
      S.pos = back;
      history.replaceState(null, '', '#' + shown);
      renderProgress();
    }
    setState('failed', `cannot load image ${fmt(S.offset + pos + 1)}: ${e.message}`, () => loadTask(pos));
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
  S.compared = false;
  if (S.stage === 'refine') {
    S.union = prefillOf(t);
    S.compared = (t.others || []).length > 0;
    if (!t.annotation) {
      for (const c of S.union) S.labels.set(c, S.sources.prefill);
      S.none = S.union.length === 0 && S.compared;
    }
    if (t.zero_label) S.zl = { category: t.zero_label.category, verdict: t.zero_label.verdict };
  }
  /* unsent local changes made on top of the current version win */
  const localSeconds = restoreLocal(id);
  /* but an unsendable one (everything unticked) does not hide the saved set:
   * the store keeps it, so the page shows it (a comment typed meanwhile stays) */
  if (S.dirty && !decided() && t.annotation) keepSavedSet(id, t);
  restartClock(localSeconds !== null && localSeconds > 0 ? localSeconds : (t.annotation ? t.annotation.seconds : 0));
  showTask();
  window.scrollTo(0, 0);   /* a new image starts at the top: image, tabs, first group */
  if (S.dirty) { showBanner('Unsaved changes from an earlier visit were restored and are being saved.', 'info', true); save(); }
  else if (t.annotation) setState('saved', 'saved ✓');
  else if (S.stage === 'refine' && S.compared) setState('pending', 'pre-checked from stage ii, not saved yet');
  else setState('pending', 'not yet decided');
  tellDropped();
  prefetch(S.pos + 1);
}

/* refine: the labels to pre-check, as the server says (the reply's prefill:
 * the stage-ii union, perhaps with one more label, or nothing); a reply
 * without it, the union of the stage-ii sets */
function prefillOf(t) {
  if (Array.isArray(t.prefill)) return [...new Set(t.prefill)].sort((a, b) => a - b);
  const u = new Set();
  for (const o of t.others || []) for (const l of o.labels) u.add(l.class);
  return [...u].sort((a, b) => a - b);
}

/* the saved annotation of task t as the state, with the local comment and
 * problem tags if they differ */
function keepSavedSet(id, t) {
  const comment = S.comment, tags = sortedTags();
  applyAnnotation(t.annotation);
  if (S.stage === 'refine' && t.zero_label) S.zl = { category: t.zero_label.category, verdict: t.zero_label.verdict };
  const tagsDiffer = !sameSet(tags, sortedTags());
  if (comment !== S.comment || tagsDiffer) { S.comment = comment; S.tags = new Set(tags); }
  else { S.dirty = false; clearLocal(id); }
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
  const dropsBefore = drops;
  if (delta > 0 && S.imageError) {
    /* → past an image that did not load: nothing can be saved for it */
  } else if (delta > 0) {
    const why = blockReason();
    if (why) { setState('pending', 'not saved: ' + why); flash(); return; }
    if (S.dirty || S.version === 0) { S.dirty = true; await save(); }
    /* a change made while a save was on its way is saved right after it: wait for that one too */
    while (inFlight()) await inFlight();
    if (drops !== dropsBefore) { await showAfterDrop(); return; }   /* refused for good: left the list */
    if (S.dirty || S.version === 0) { flash(); return; }   /* failed: stay */
  } else if (S.dirty && !blockReason()) {
    await save();
    if (drops !== dropsBefore) { await showAfterDrop(); return; }
  }
  const next = S.offset + S.pos + delta;   /* in the whole list */
  if (next < 0) return;
  let at;
  try {
    at = next < S.total ? await indexOf(next) : -1;
    if (at < 0) at = await firstOpen();   /* past the end: the first image without a decision */
  } catch (e) {
    setState('failed', `cannot load the task list: ${e.message}`, () => go(delta));
    return;
  }
  if (at < 0) { allDone(); return; }
  await loadTask(at);
}

/* from "all done" (← there): the last image */
export async function loadLast() {
  if (!S.total || going) return;
  going = true;
  try {
    const at = await indexOf(S.total - 1);
    if (at >= 0) await loadTask(at);
  } catch (e) {
    setState('failed', `cannot load the task list: ${e.message}`, () => loadLast());
  } finally { going = false; }
}

/* #<image id> typed into the address bar (or a link to one) opens that
 * image, when it is in the list (outside the window: the server says) */
window.addEventListener('hashchange', () => {
  const want = Number(location.hash.slice(1));
  if (!Number.isSafeInteger(want) || want <= 0 || going || (S.task && want === currentId())) return;
  const pos = S.ids.indexOf(want);
  if (!S.task) { if (pos >= 0) loadTask(pos); return; }   /* the first image is still loading: this one wins */
  going = true;
  (async () => {
    if (S.dirty && !blockReason()) await save();   /* as ← does: an undecided image stays so */
    if (!S.ids.includes(want)) {
      try {
        takeWindow(await listWindow('around=' + want));
      } catch (e) {
        if (e.status !== 404) setState('failed', `cannot load the task list: ${e.message}`);
        return;   /* not in the list: the # is ignored */
      }
    }
    if (S.ids.includes(want)) await loadTask(S.ids.indexOf(want));   /* the list may have lost the shown one */
    else await showAfterDrop();
  })().finally(() => { going = false; });
});
