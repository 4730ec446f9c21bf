/* sync.js - getting the annotator's changes to the server: every change
 * (labels, "none", unsure, problem tags, comment, zero-label review) is
 * saved at once (version-checked), a failed save is retried with back-off
 * (1 s to 30 s), unsent changes are kept in localStorage so they survive a
 * reload or a server restart and are re-sent (other images' too), and a
 * 409 (a newer version saved in another tab) shows the newer state instead
 * of overwriting it.  A save refused for good (the image is no longer this
 * user's task, or is closed) is never retried: the image leaves the list
 * (onRefusedForGood).  Owns the save in flight, the retry timer and the
 * local copies. */
import { api, currentUser, isLeaving, refusedForGood } from './api.js';
import { S, currentId, sameSet, blockReason, payload, applyAnnotation, sameAsState, markDone } from './state.js';
import { seconds } from './clock.js';
import { setState, showBanner, savedClearsBanner } from './status.js';
import { update, renderProgress } from './view.js';

let saving = null;        /* the save in flight (a promise) */
let again = false;        /* a change came while saving: save once more */
let changeSeq = 0;        /* counts changes: a save clears "dirty" only if none came meanwhile */
let retryTimer = null;
let retryDelay = 1000;
let flushing = false;
const flushRefused = new Set();   /* local keys whose save the server refused (4xx) */

/* ---- local copies ------------------------------------------------------------ */

const localPrefix = () => `mlfy:${currentUser().user}:${S.stage}:`;
const localKey = (id) => localPrefix() + id;

export function persistLocal() {
  try {
    localStorage.setItem(localKey(currentId()), JSON.stringify({
      base: S.version, labels: [...S.labels.entries()], none: S.none, comment: S.comment, zl: S.zl,
      unsure: S.unsure, tags: [...S.tags], seconds: seconds(),
    }));
  } catch (e) { /* storage full or disabled: the server save still runs */ }
}

export function clearLocal(id) { try { localStorage.removeItem(localKey(id)); } catch (e) { /* ignore */ } }

/* Unsent changes to image `id` made on top of the version shown now win:
 * they replace the state (and make it dirty).  Returns their seconds, or
 * null when there were none; a copy based on another version is dropped. */
export function restoreLocal(id) {
  try {
    const raw = localStorage.getItem(localKey(id));
    if (!raw) return null;
    const loc = JSON.parse(raw);
    if (loc.base !== S.version) { clearLocal(id); return null; }
    S.labels = new Map(loc.labels);
    S.none = loc.none;
    S.comment = loc.comment || '';
    S.zl = loc.zl || S.zl;
    if ('unsure' in loc) S.unsure = S.stage === 'annotate' ? loc.unsure || null : null;
    if (Array.isArray(loc.tags)) S.tags = new Set(loc.tags);
    S.dirty = true;
    return loc.seconds || 0;
  } catch (e) { return null; /* bad local data */ }
}

/* ---- saving ------------------------------------------------------------------ */

/* the state changed: keep it locally, show it, save it */
export function changed() {
  S.dirty = true;
  changeSeq++;
  persistLocal();
  update();
  save();
}

/* the save in flight, if any (navigation waits for it) */
export const inFlight = () => saving;

export async function save() {
  if (saving) { again = true; return saving; }
  if (!S.dirty && S.version > 0) return undefined;
  const why = blockReason();
  if (why) { setState('pending', 'not saved: ' + why); return undefined; }
  const id = currentId(), seq = changeSeq;
  clearTimeout(retryTimer);
  setState('saving', 'saving…');
  saving = (async () => {
    try {
      const body = payload(seconds());
      const res = await api('PUT', `/api/tasks/${id}/annotation`, body, { keepalive: true });
      if (id !== currentId()) return;
      S.version = res.version;
      S.task.annotation = { version: res.version, labels: body.labels, comment: body.comment,   /* the saved set */
        unsure: body.unsure || null, tags: body.tags };
      if (seq === changeSeq) { S.dirty = false; clearLocal(id); } else persistLocal();
      retryDelay = 1000;
      if (markDone(id, S.pos, body.base_version > 0)) renderProgress();
      setState('saved', 'saved ✓ ' + new Date().toLocaleTimeString());
      savedClearsBanner();
      flushPending();
    } catch (e) {
      if (id !== currentId()) return;
      if (refusedForGood(e)) {
        gone(id, e.message);   /* never retried: out of the list, on to the next image */
      } else if (e.status === 409 && e.body && e.body.annotation) {
        conflict(e.body.annotation);
      } else if (e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
        setState('failed', 'not saved: ' + e.message);
      } else {
        setState('failed', 'save failed — retrying');
        scheduleRetry();
      }
    }
  })();
  try { await saving; } finally {
    saving = null;
    if (again) { again = false; if (S.dirty) await save(); }
  }
  return undefined;
}

/* One timer retries whatever is unsent, with back-off (1 s to 30 s): this
 * image's changes, and other images' changes kept in localStorage. */
function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (S.dirty) save(); else flushPending();
  }, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 30000);
}

/* the "retry" link after a failed save: now, and back-off from 1 s again */
export function retryNow() {
  retryDelay = 1000;
  if (S.dirty) save(); else flushPending();
}

/* Changes to other images that never reached the server (it was down when
 * the annotator moved on, reloaded at another image or closed the tab) are
 * kept in localStorage: send each on top of the version it was based on.
 * A 409 means a newer version was saved meanwhile (another tab); it stands,
 * as in conflict().  A save the server refuses (4xx, e.g. a refinement that
 * needs a comment) waits until the image is opened again.  `forget(id)` is
 * told of each image whose saved state changed (its prefetched task is stale). */
let forget = () => {};
export function onSentElsewhere(fn) { forget = fn; }

/* `gone(id, why)` is told of each image the server refused for good (not in
 * this user's tasks, no such image, closed: api.js refusedForGood) */
let gone = () => {};
export function onRefusedForGood(fn) { gone = fn; }

export async function flushPending() {
  if (flushing || !currentUser() || !S.ids.length) return;
  flushing = true;
  let down = false, superseded = 0, refused = 0, why = '';
  try {
    const prefix = localPrefix();
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(prefix) && !flushRefused.has(k)) keys.push(k);
    }
    for (const k of keys) {
      const id = Number(k.slice(prefix.length)), pos = S.ids.indexOf(id);
      if (id === currentId()) continue;            /* save() sends this image's */
      /* outside the window (pos < 0) it is sent too: the server refuses it
       * for good when it is no longer one of our tasks */
      let loc = null;
      try { loc = JSON.parse(localStorage.getItem(k)); } catch (e) { /* unreadable: dropped below */ }
      if (!loc || !Array.isArray(loc.labels)) { clearLocal(id); continue; }
      const unsure = S.stage === 'annotate' ? loc.unsure || null : null;
      if (!loc.none && !loc.labels.length && !unsure) continue;   /* undecided: nothing to save */
      const zl = loc.zl || {};
      const body = {
        stage: S.stage, base_version: loc.base,
        labels: loc.labels.map(([c, src]) => ({ class: c, source: src })).sort((a, b) => a.class - b.class),
        comment: loc.comment || '', seconds: loc.seconds || 0,
        zero_label: S.stage === 'refine' && !loc.labels.length && zl.category && zl.verdict
          ? { category: zl.category, verdict: zl.verdict } : null,
        tags: Array.isArray(loc.tags) ? [...loc.tags].sort() : [],
      };
      if (S.stage === 'annotate') body.unsure = unsure;
      try {
        await api('PUT', `/api/tasks/${id}/annotation`, body);
        clearLocal(id);
        forget(id);
        if (markDone(id, pos, loc.base > 0)) renderProgress();
      } catch (e) {
        if (refusedForGood(e)) {   /* no longer ours, or closed: drop the change and the image */
          refused++;
          why = e.message;
          clearLocal(id);
          forget(id);
          gone(id, e.message);
        } else if (e.status === 409) {
          const ann = e.body && e.body.annotation;
          const theirs = ann ? ann.labels.map((l) => l.class).sort((a, b) => a - b) : null;
          if (!ann || !sameSet(theirs, body.labels.map((l) => l.class)) || (ann.comment || '') !== body.comment
              || (S.stage === 'annotate' && (ann.unsure || null) !== body.unsure)
              || !sameSet([...(ann.tags || [])].sort(), body.tags))
            superseded++;
          clearLocal(id);
          forget(id);
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
  if (down) { if (!retryTimer && !saving) scheduleRetry(); }
  else if (!S.dirty) retryDelay = 1000;
  if (superseded) {
    showBanner(`Unsent changes to ${superseded === 1 ? 'one other image were' : superseded + ' other images were'} ` +
               'not applied: a newer version had been saved in another tab or window.', 'warn');
  }
  if (refused) {
    showBanner(`Unsent changes to ${refused === 1 ? 'one other image were' : refused + ' other images were'} ` +
               `dropped, and the image${refused === 1 ? '' : 's'} taken out of your list: ${why}.`, 'warn');
  }
}

/* Logging out (api.js onLogout): unsent changes kept in localStorage belong
 * to the person logging out, and the logout reply clears the storage
 * anyway.  Send them first; what still cannot be sent (the server is
 * unreachable, or refused a save, e.g. a refinement without its comment)
 * is named, and discarded only when the person agrees (else they stay
 * logged in and can fix it).  Resolves to true to go on with the logout. */
export async function sendBeforeLogout() {
  if (!currentUser()) return true;
  if (saving) await saving;
  if (S.dirty) await save();
  await flushPending();
  const prefix = `mlfy:${currentUser().user}:`, left = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(prefix)) left.push(k);
    }
  } catch (e) { return true; /* storage disabled: nothing kept */ }
  if (!left.length) return true;
  const what = left.length === 1 ? 'A change to one image has' : `Changes to ${left.length} images have`;
  if (!window.confirm(`${what} not been saved on the server (it could not be reached, or refused the save).\n\n` +
                      'Logging out discards them: they are not kept on this computer for the next person.\n\n' +
                      'OK: log out and discard them.  Cancel: stay logged in.')) {
    showBanner(`${what} not been saved yet; you are still logged in.`, 'warn', true);
    return false;
  }
  for (const k of left) { try { localStorage.removeItem(k); } catch (e) { /* ignore */ } }
  S.dirty = false;
  return true;
}

/* A newer version exists (another tab, or our own save whose reply was lost). */
function conflict(ann) {
  S.version = ann.version;
  S.task.annotation = ann;
  if (sameAsState(ann)) {
    S.dirty = false;
    clearLocal(currentId());
    setState('saved', 'saved ✓');
    return;
  }
  /* show the newer state instead of overwriting it */
  S.dirty = false;
  clearLocal(currentId());
  applyAnnotation(ann);
  update();
  showBanner('This image was changed in another tab or window. The newer saved state is shown; ' +
             'change it here if needed.', 'warn', true);
  setState('saved', 'newer version loaded');
}

/* the tab is being closed or reloaded with unsaved changes: keep them, try
 * to send them, and ask to stay (unless the session ended: going to /login) */
window.addEventListener('beforeunload', (e) => {
  if (!S.dirty) return;
  persistLocal();
  if (isLeaving()) return;
  save();
  e.preventDefault();
  e.returnValue = '';
});
