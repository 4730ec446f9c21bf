/* annotate.js - the annotation page (stage ii, /annotate) and the refinement
 * page (stage iv, /refine): starts the page and wires what each control and
 * key does to the modules that do it - state.js (the state and its rules),
 * view.js (drawing), sync.js (saving), nav.js (moving between images),
 * keys.js (the keyboard), overlays.js (dialogs), search.js (class search),
 * status.js (save state, banner), vocab.js (/api/vocabulary).  Owns nothing
 * but this wiring, and which image's failed load is shown (an image whose
 * file did not load takes no decision: S.imageError). */
import { $, fmt } from './dom.js';
import { api, requireLogin, onLogout } from './api.js';
import { loadVocabulary, sourceRoles } from './vocab.js';
import { S, useVocabulary, useWindow, toggleLabel, toggleNone, toggleTag, setUnsure, nGroups } from './state.js';
import { initView, useVocabulary as viewVocabulary, update, showGroup, allDone, nothingToDo, loadPhoto,
  preloadPhoto, showPhotoFailed, showTags, tagsShown } from './view.js';
import { changed, persistLocal, flushPending, retryNow, save, sendBeforeLogout } from './sync.js';
import { loadTask, loadLast, go, listWindow, primeTask } from './nav.js';
import { setState, showBanner, onRetry, flash } from './status.js';
import { openHelp, openFull, openExemplar } from './overlays.js';
import { initSearch, focusSearch } from './search.js';
import { initKeys } from './keys.js';

/* ---- an image that did not load ---------------------------------------------- */

/* No decision is saved for an image the annotator could not see: the status
 * and an alert say so, with a retry link; → (Skip) still goes on. */
function tellUnloaded() {
  setState('failed', S.imageError, () => { setState('loading', 'loading the image…'); loadPhoto(true); });
  showBanner(`${S.imageError[0].toUpperCase()}${S.imageError.slice(1)}. No decision can be saved for an image ` +
             'you cannot see: retry, or go on to the next image with → (Skip).', 'error');
  flash();
}

/* a change or Enter on an image that did not load: refused, the page
 * redrawn as it was (a clicked checkbox unticks again); true when refused */
function refusedUnloaded() {
  if (!S.imageError) return false;
  update();
  tellUnloaded();
  return true;
}

let unloaded = null;   /* the image whose failed load the page is showing */

/* the image's file did not load: ask the server why (its JSON error) */
async function photoFailed() {
  const t = S.task, src = $('photo').getAttribute('src');
  if (!t || !src || !src.startsWith(`/api/images/${t.image.id}?`)) return;
  let why = 'the image did not load';
  try {
    await api('GET', src);
    why = 'the file is not an image this browser can show';
  } catch (e) {
    why = e.status ? e.message : 'the server cannot be reached';
  }
  if (S.task !== t || $('photo').getAttribute('src') !== src) return;
  S.imageError = `cannot load image ${fmt(S.offset + S.pos + 1)}: ${why}`;
  unloaded = t.image.id;
  showPhotoFailed(true);
  tellUnloaded();
}

/* loaded after all (the retry link): the page is as for a newly shown image */
function photoLoaded() {
  const again = S.task && S.task.image.id === unloaded;
  unloaded = null;
  if (!again) return;
  showBanner('');
  if (S.dirty) save();
  else if (S.version > 0) setState('saved', 'saved ✓');
  else setState('pending', S.stage === 'refine' && S.compared ? 'pre-checked from stage ii, not saved yet' : 'not yet decided');
}

$('photo').addEventListener('error', photoFailed);
$('photo').addEventListener('load', photoLoaded);

/* ---- what the controls do ------------------------------------------------------ */

/* proposal i ticked or unticked (its checkbox, or its number key) */
function toggleProposal(i) {
  if (refusedUnloaded()) return;
  const c = S.task.proposals[i].class;
  toggleLabel(c, S.stage === 'refine' && S.union.includes(c) ? S.sources.prefill : S.sources.proposal);
  changed();
}

/* a label outside the proposals ticked or unticked */
function toggleExtra(c) {
  if (refusedUnloaded()) return;
  toggleLabel(c, S.union.includes(c) ? S.sources.prefill : S.sources.search);
  changed();
}

/* a class picked in the search */
function pick(c) {
  if (refusedUnloaded()) return;
  S.classes.set(c.idx, c);
  const inProps = S.task.proposals.findIndex((p) => p.class === c.idx);
  if (!S.labels.has(c.idx)) {
    toggleLabel(c.idx, inProps >= 0 ? S.sources.proposal : (S.union.includes(c.idx) ? S.sources.prefill : S.sources.search));
    changed();
  }
  if (inProps >= 0) showGroup(Math.floor(inProps / S.groupSize));
  else update();
}

function none() { if (!refusedUnloaded()) { toggleNone(); changed(); } }

/* stage ii: unsure for a reason, or not (null); labels stay as they are */
function unsure(reason) {
  if (refusedUnloaded()) return;
  setUnsure(reason);
  changed();
}

/* a problem tag ticked or unticked */
function tag(name) {
  if (refusedUnloaded()) return;
  toggleTag(name);
  changed();
}

/* where the focus was when T opened the tags: closing them goes back there,
 * so that Enter after T ... T is "save & next" again (null: opened by the
 * button, which then gets the focus back) */
let tagsReturn = null;

/* T: opens the problem tags and goes to the first; again (from inside them) closes them */
function tagsKey() {
  const panel = $('tags-panel');
  if (tagsShown() && panel.contains(document.activeElement)) { closeTags(); return; }
  tagsReturn = panel.contains(document.activeElement) ? null : document.activeElement;
  showTags(true);
  const first = panel.querySelector('input');
  if (first) first.focus();
}

/* closes the problem tags; the focus, if it was inside, goes back to where T
 * was pressed, else to their button */
function closeTags() {
  const inside = $('tags-panel').contains(document.activeElement);
  const back = tagsReturn;
  tagsReturn = null;
  showTags(false);
  if (!inside) return;
  if (back === document.body) document.activeElement.blur();
  else if (back && document.contains(back)) back.focus({ preventScroll: true });
  else $('tags-btn').focus({ preventScroll: true });
}

const ready = () => !!S.task && !$('workspace').hidden;

initView({ toggleProposal, toggleExtra, openExemplar, toggleTag: tag });
initSearch(pick);
onRetry(retryNow);
onLogout(sendBeforeLogout);

/* Buttons give the focus back after a mouse click: Enter must not press
 * "None of these" again (undoing it) when the annotator means "save and
 * next".  Pressed by keyboard, they keep it. */
const clicked = (fn) => (e) => { if (e.detail > 0) e.currentTarget.blur(); fn(); };
$('none').addEventListener('click', clicked(none));
$('next').addEventListener('click', clicked(() => go(1)));
$('prev').addEventListener('click', clicked(() => go(-1)));
$('help-btn').addEventListener('click', openHelp);
$('tags-btn').addEventListener('click', clicked(() => showTags(!tagsShown())));
$('unsure').addEventListener('change', () => unsure($('unsure').value || null));
$('unsure-clear').addEventListener('click', () => { unsure(null); $('unsure').focus({ preventScroll: true }); });
$('photo-btn').addEventListener('click', () => openFull(`/api/images/${S.task.image.id}?size=full`));

let commentTimer = null;
$('comment').addEventListener('input', () => {
  if (S.imageError) { $('comment').value = S.comment; refusedUnloaded(); return; }
  S.comment = $('comment').value;
  persistLocal();
  clearTimeout(commentTimer);
  commentTimer = setTimeout(() => { commentTimer = null; changed(); }, 600);
  update();
});
$('comment').addEventListener('blur', () => {
  if (commentTimer) { clearTimeout(commentTimer); commentTimer = null; changed(); }
});
for (const id of ['zl-category', 'zl-verdict']) {
  $(id).addEventListener('change', () => {
    if (refusedUnloaded()) return;
    S.zl = { category: $('zl-category').value, verdict: $('zl-verdict').value };
    changed();
  });
}

initKeys({
  ready,
  toggle: (n) => {
    if (n > S.groupSize) return false;
    const i = S.group * S.groupSize + n - 1;
    if (!S.task.proposals[i]) return true;
    toggleProposal(i);
    const li = $('proposals').children[i];
    if (li) li.scrollIntoView({ block: 'nearest' });
    return true;
  },
  group: (delta) => {
    showGroup((S.group + delta + nGroups()) % nGroups());
    $('tabs').scrollIntoView({ block: 'nearest' });
  },
  tab: (to) => showGroup(to === 'first' ? 0 : to === 'last' ? nGroups() - 1 : (S.group + to + nGroups()) % nGroups()),
  next: (key) => { if (!(key === 'Enter' && refusedUnloaded())) go(1); },   /* → skips an image that did not load */
  prev: () => (ready() ? go(-1) : loadLast()),
  none,
  full: () => openFull(`/api/images/${S.task.image.id}?size=full`),
  comment: () => $('comment').focus(),
  search: focusSearch,
  help: openHelp,
  zeroCategory: () => { if ($('zero-label').hidden) return false; $('zl-category').focus(); return true; },
  zeroVerdict: () => { if ($('zero-label').hidden) return false; $('zl-verdict').focus(); return true; },
  unsure: () => { if (S.stage !== 'annotate') return false; $('unsure').focus(); return true; },
  tags: tagsKey,
  escape: (t) => { if (!tagsShown() || !$('tags-panel').contains(t)) return false; closeTags(); return true; },
});

/* ---- start --------------------------------------------------------------------- */

(async function start() {
  /* the three requests at once: the page is a round trip shorter.  The
   * list's window comes with its first task (the #<image id>, else the
   * first without a decision), whose photo is asked for as soon as its id
   * is known */
  const want = Number(location.hash.slice(1));
  const around = Number.isSafeInteger(want) && want > 0 ? 'around=' + want : 'around=open';
  const listReq = listWindow(around, true, { noRedirect: true })
    .catch((e) => (e.status === 404 && around !== 'around=open'
      ? listWindow('around=open', true, { noRedirect: true }) : Promise.reject(e)));
  listReq.then((l) => { if (l.task) preloadPhoto(l.task.image.id); }).catch(() => {});
  const vocabReq = loadVocabulary();
  vocabReq.catch(() => {});
  const me = await requireLogin();
  if (S.stage === 'refine' && me.role === 'annotator') { location.href = '/annotate'; return; }
  /* a link to the verification grid (/verify) for people with verification questions */
  api('GET', '/api/verify/labels', undefined, { noRedirect: true })
    .then((v) => { $('verify-link').hidden = !v.labels.length; }).catch(() => {});
  $('stage-title').textContent = S.stage === 'refine' ? 'Refinement (stage iv)' : 'Annotation (stage ii)';
  document.title = (S.stage === 'refine' ? 'Refine' : 'Annotate') + ' · multilabelfy';
  const [list, vocab] = await Promise.all([listReq, vocabReq]);
  useVocabulary(vocab, sourceRoles(vocab));
  viewVocabulary(vocab);
  useWindow(list);
  if (!S.total) {
    /* an admin without work here has the dashboard */
    if (me.role === 'admin') { location.replace('/admin'); return; }
    nothingToDo(S.stage === 'refine' ? 'No images are in your refinement queue.'
      : 'No batch is assigned to you yet (an admin runs "mlfy assign").');
    setState('saved', '–');
    return;
  }
  if (list.position === null) { S.pos = S.ids.length - 1; allDone(); flushPending(); return; }
  primeTask(list.task);
  loadTask(list.position - list.offset);
  /* changes to other images that a reload, a closed tab or a server restart
   * left unsent (the current image's are restored by loadTask) */
  flushPending();
})().catch((e) => { if (e.status !== 401) showBanner('Cannot start: ' + e.message, 'error'); });

