/* state.js - the annotation page's state and the rules read from it: which
 * images are this user's tasks, the shown task, the labels being chosen
 * ("none of these", unsure and its reason, problem tags, comment,
 * zero-label review), and what still blocks a save.  Owns the state object S; other modules read it and change it
 * through the functions here or in sync.js / nav.js.  No DOM, no requests. */

export const S = {
  stage: location.pathname.startsWith('/refine') ? 'refine' : 'annotate',
  /* the task list, a window of it at a time (GET /api/tasks): the window's
   * image ids and 0/1 "has a saved decision", the shown one's index in it,
   * the window's position in the list, and the whole list's counts */
  ids: [], done: [], pos: 0, offset: 0, total: 0, nDone: 0,
  task: null, version: 0,      /* GET /api/tasks/<id> of the shown image, the version saves build on */
  labels: new Map(),           /* class idx -> label source name */
  none: false,                 /* explicit empty set ("none of these") */
  comment: '',
  zl: { category: '', verdict: '' },
  unsure: null,                /* stage ii: null, or the name of the reason the annotator is unsure */
  tags: new Set(),             /* problem tag names ticked (both stages) */
  union: [],                   /* refine: the pre-checked labels (the reply's prefill), sorted */
  compared: false,             /* refine: stage-ii sets are shown, so a changed set needs a comment */
  group: 0,                    /* the visible group of proposals */
  /* from GET /api/vocabulary (useVocabulary), before any task is shown: */
  groupSize: 0,                /* proposals per group */
  sources: null,               /* label source names by role: {proposal, search, prefill} */
  vocab: null,                 /* the whole reply */
  dirty: false,                /* changes not yet saved */
  imageError: '',              /* the shown image's file did not load: "cannot load image N: why" */
  classes: new Map(),          /* idx -> class info ({name, synonyms, gloss, …}) seen so far */
};

/* takes the vocabulary (GET /api/vocabulary) the page works with */
export function useVocabulary(v, roles) {
  S.vocab = v;
  S.groupSize = v.group_size;
  S.sources = roles;
}

export const currentId = () => S.ids[S.pos];
/* the shown image's position in the whole list (0-based) */
export const listPos = () => S.offset + S.pos;

/* takes a window of the task list (a GET /api/tasks reply) */
export function useWindow(w) {
  S.ids = w.ids;
  S.done = w.done;
  S.offset = w.offset;
  S.total = w.total;
  S.nDone = w.n_done;
}

/* image `id` (at window index `pos`, or -1 outside the window) has a saved
 * decision now; `before`: whether it had one already (outside the window:
 * its save built on a version) */
export function markDone(id, pos, before) {
  if (pos >= 0 && S.ids[pos] === id) {
    if (S.done[pos]) return false;
    S.done[pos] = 1;
  } else if (before) {
    return false;
  }
  S.nDone = Math.min(S.total, S.nDone + 1);
  return true;
}
/* a decision: labels, "none of these", or (stage ii) unsure with its reason */
export const decided = () => S.labels.size > 0 || S.none || !!S.unsure;
export const sortedTags = () => [...S.tags].sort();
export const sortedLabels = () => [...S.labels.keys()].sort((a, b) => a - b);
export const sameSet = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
export const nGroups = () => Math.max(1, Math.ceil(((S.task && S.task.proposals.length) || 0) / S.groupSize));

/* refine: a comment is required when the set differs from the pre-checked one
 * (only where stage-ii sets are shown: otherwise there is nothing to differ from) */
export const needsComment = () => S.stage === 'refine' && S.compared && !sameSet(sortedLabels(), S.union);

/* refine with an empty set: the zero-label review is part of the save */
export const zeroLabelShown = () => S.stage === 'refine' && S.labels.size === 0 && S.none;

/* the fields a save still needs, in the page's order: 'category' and
 * 'verdict' (zero-label review), 'comment' (refine, set changed) */
export function missingFields() {
  const out = [];
  if (S.stage === 'refine' && S.labels.size === 0) {
    if (!S.zl.category) out.push('category');
    if (!S.zl.verdict) out.push('verdict');
  }
  if (needsComment() && !S.comment.trim()) out.push('comment');
  return out;
}

const words = (a) => a.length < 2 ? a.join('') : a.slice(0, -1).join(', ') + ' and ' + a[a.length - 1];

/* the class names of the last saved set ("none of these" for an empty
 * one), or null when nothing is saved yet */
export function savedSetWords() {
  const a = S.task && S.task.annotation;
  if (!S.version || !a || !Array.isArray(a.labels)) return null;
  if (!a.labels.length) return a.unsure ? 'no labels, unsure' : '"None of these"';
  return a.labels.map((l) => { const k = S.classes.get(l.class); return k ? k.name : '#' + l.class; }).join(', ');
}

/* why the current state cannot be saved, or null; names every missing field */
export function blockReason() {
  if (S.imageError) return S.imageError + ' (a decision needs the image)';
  if (!decided()) {
    /* nothing ticked after a save: the store still has the saved set, and says so */
    const saved = savedSetWords();
    const choose = S.stage === 'annotate' ? 'choose labels, "None of these" (N) or Unsure (U)'
      : 'choose labels or "None of these" (N)';
    return saved === null ? choose : `the last saved set (${saved}) still stands until you ${choose}`;
  }
  const miss = missingFields();
  if (!miss.length) return null;
  if (miss.length === 1 && miss[0] === 'comment') return 'a comment is required: the set differs from the annotators\'';
  return 'fill in ' + words(miss);
}

/* takes image `id` out of the task list (refused for good: no longer this
 * user's task, or closed); returns its index in the window, or -1 (not in
 * the window: the counts stay, the next window will not hold it).  S.pos
 * keeps naming the same image, or, when `id` is the shown one, the one
 * after it. */
export function dropFromList(id) {
  const pos = S.ids.indexOf(id);
  if (pos < 0) return -1;
  if (S.done[pos]) S.nDone = Math.max(0, S.nDone - 1);
  S.total = Math.max(0, S.total - 1);
  S.ids.splice(pos, 1);
  S.done.splice(pos, 1);
  if (pos < S.pos) S.pos--;
  return pos;
}

export function toggleLabel(c, source) {
  if (S.labels.has(c)) S.labels.delete(c);
  else { S.labels.set(c, source); S.none = false; }
}

export function toggleTag(name) {
  if (S.tags.has(name)) S.tags.delete(name);
  else S.tags.add(name);
}

/* stage ii: unsure for `reason` (a name of /api/vocabulary's unsure_reasons), or not (null) */
export function setUnsure(reason) { S.unsure = reason || null; }

export function toggleNone() {
  S.none = !S.none;
  if (S.none) S.labels.clear();
}

/* the saved annotation (or none) as the state to show */
export function applyAnnotation(ann) {
  S.labels = new Map();
  S.none = false;
  S.comment = '';
  S.zl = { category: '', verdict: '' };
  S.unsure = null;
  S.tags = new Set();
  if (ann) {
    for (const l of ann.labels) S.labels.set(l.class, l.source);
    S.unsure = S.stage === 'annotate' && ann.unsure ? ann.unsure : null;
    /* an empty set saved with "unsure" is that, not "none of these" */
    S.none = ann.labels.length === 0 && !S.unsure;
    S.tags = new Set(ann.tags || []);
    S.comment = ann.comment || '';
    S.version = ann.version;
  }
}

/* the body of PUT /api/tasks/<id>/annotation for the current state:
 * "unsure" only in stage ii (the server refuses it in refinement), "tags"
 * in both */
export function payload(seconds) {
  const body = {
    stage: S.stage,
    base_version: S.version,
    labels: sortedLabels().map((c) => ({ class: c, source: S.labels.get(c) })),
    comment: S.comment,
    seconds,
    zero_label: S.stage === 'refine' && S.labels.size === 0 && S.zl.category && S.zl.verdict
      ? { category: S.zl.category, verdict: S.zl.verdict } : null,
    tags: sortedTags(),
  };
  if (S.stage === 'annotate') body.unsure = S.unsure;
  return body;
}

/* whether saved annotation `ann` (a reply's, or a 409's) holds what the page
 * would save now: the set, the comment, unsure and the tags */
export function sameAsState(ann) {
  const theirs = ann.labels.map((l) => l.class).sort((a, b) => a - b);
  return sameSet(theirs, sortedLabels()) && (ann.comment || '') === S.comment
    && (S.stage !== 'annotate' || (ann.unsure || null) === S.unsure)
    && sameSet([...(ann.tags || [])].sort(), sortedTags());
}
