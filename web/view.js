/* view.js - drawing the annotation page from the state (state.js): the
 * image, the groups of proposals with their exemplars, the labels outside
 * the proposals, the refinement box (with each annotator's unsure reason
 * and problem tags), "none of these", unsure and the problem tags, the
 * comment and the zero-label review, the position and progress.  A new image builds the
 * page once (showTask); every change after that updates it in place
 * (update), so the control that has the focus keeps it.  What the controls
 * do is given by the page (initView); this module sends nothing. */
import { $, el, fmt, bdi, joined } from './dom.js';
import { S, needsComment, missingFields, zeroLabelShown, nGroups } from './state.js';
import { labelOf } from './vocab.js';

let on = {   /* the page's handlers (initView): proposal i or extra class c ticked/unticked, an exemplar
              * clicked, problem tag `name` ticked/unticked */
  toggleProposal: () => {}, toggleExtra: () => {}, openExemplar: () => {}, toggleTag: () => {},
};
let extrasKey = '';   /* the labels the "other labels" list shows, to rebuild it only when they change */

export function initView(handlers) { on = { ...on, ...handlers }; }

/* the zero-label choices, the unsure reasons, the problem tags and the
 * comment limit, from GET /api/vocabulary */
export function useVocabulary(v) {
  const fill = (sel, list, none = 'choose…') => sel.replaceChildren(el('option', { value: '', text: none }),
    ...list.map((c) => el('option', { value: c.name, text: c.label })));
  fill($('zl-category'), v.zero_label.categories);
  fill($('zl-verdict'), v.zero_label.verdicts);
  fill($('unsure'), v.unsure_reasons || [], 'no');
  $('tags-list').replaceChildren(...(v.problem_tags || []).map((tg) => {
    const cb = el('input', { type: 'checkbox', 'data-tag': tg.name, 'data-focus-key': 'tag:' + tg.name });
    cb.addEventListener('change', () => on.toggleTag(tg.name));
    return el('li', {}, el('label', {}, cb, el('span', { text: tg.label })));
  }));
  $('comment').maxLength = v.comment_max;
  for (const e of document.querySelectorAll('.group-size')) e.textContent = String(v.group_size);
  document.body.classList.add('stage-' + S.stage);
}

/* ---- focus: a rebuilt part of the page gives the focus back to the same control */

/* Runs fn (which replaces elements), then focuses the element with the
 * data-focus-key of the one that had the focus, if fn replaced it. */
function keepingFocus(fn) {
  const a = document.activeElement;
  const key = a && a.dataset ? a.dataset.focusKey : null;
  fn();
  if (!key || document.activeElement === a && a.isConnected) return;
  const again = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
  if (again && !again.closest('[hidden]')) again.focus({ preventScroll: true });
}

/* ---- the shown image ---------------------------------------------------------- */

const classLabel = (c) => { const k = S.classes.get(c); return k ? k.name : '#' + c; };

function whoChose(c) {
  return (S.task.others || []).filter((o) => o.labels.some((l) => l.class === c)).map((o) => o.annotator);
}

function badges(c) {
  const out = [];
  if (S.stage === 'refine') {
    if (S.task.image.original_label === c) out.push(el('span', { class: 'badge original', text: 'original label' }));
    const who = whoChose(c);
    if (who.length) out.push(el('span', { class: 'badge who', title: 'chosen in stage ii by' }, '✓ ', ...joined(who.map(bdi), ', ')));
  }
  return out;
}

/* the exemplar ranks to show for class entry c (at most 10): the server
 * leaves out the image's own content (exemplars may be project photos) */
export function exemplarRanks(c) {
  if (!c) return [];
  const ranks = c.exemplar_ranks || [...Array(c.exemplars || 0).keys()];
  return ranks.slice(0, 10);
}

const scoreText = (s) => s < 0.001 ? '<0.1%' : (s * 100).toFixed(s < 0.1 ? 1 : 0) + '%';

/* builds the page for a newly loaded task (S.task), then update() */
export function showTask() {
  const t = S.task;
  $('workspace').hidden = false;
  $('done-box').hidden = true;
  const src = `/api/images/${t.image.id}?size=display`;
  const shown = $('photo').getAttribute('src') || '';
  if (shown !== src && !shown.startsWith(src + '&')) loadPhoto(false);
  else if (S.imageError) loadPhoto(true);   /* the same image again, which had failed: try it again */
  /* stage ii shows no file name: names like n01514859_hen.JPEG or a class
   * folder give the original label away and bias the annotator */
  $('image-name').replaceChildren(S.stage === 'refine' ? bdi(t.image.name) : 'image #' + t.image.id,
    t.image.batch === undefined || t.image.batch === null ? '' : ' · batch ' + t.image.batch);
  renderProgress();
  extrasKey = null;
  keepingFocus(() => {
    /* tabs: one per group; the selected one is the tab stop (←/→ move between them) */
    const tabs = $('tabs');
    tabs.replaceChildren();
    const G = S.groupSize;
    for (let g = 0; g < Math.ceil(t.proposals.length / G); g++) {
      const n = Math.min(G, t.proposals.length - g * G);
      tabs.append(el('button', {
        class: 'tab', role: 'tab', id: 'tab-' + g, 'aria-controls': 'proposals', 'data-focus-key': 'tab:' + g,
        'data-group': g, onclick: (e) => { if (e.detail > 0) e.currentTarget.blur(); showGroup(g); },
      }, `${g * G + 1}–${g * G + n}`, el('span', { class: 'tab-count' })));
    }
    /* the proposals of all groups (hidden ones keep their lazy thumbnails unloaded) */
    const list = $('proposals');
    list.replaceChildren();
    if (!t.proposals.length) {
      list.append(el('li', { class: 'prop muted', text: `This image has none of its ${S.vocab.proposals_per_image} ` +
        'model proposals yet (mlfy import-predictions or mlfy propose). Use the search below, or "None of these".' }));
    }
    t.proposals.forEach((p, i) => {
      const c = t.classes[p.class] || { name: '#' + p.class, synonyms: '', gloss: '', exemplars: 0 };
      const cb = el('input', { type: 'checkbox', 'data-class': p.class, 'data-focus-key': 'prop:' + i });
      cb.addEventListener('change', () => on.toggleProposal(i));
      const syn = c.synonyms.split(',').map((x) => x.trim()).filter((x) => x && x !== c.name).join(', ');
      const thumbs = el('div', { class: 'exemplars' });
      exemplarRanks(c).forEach((r, n) => {
        thumbs.append(el('img', {
          src: `/api/exemplars/${p.class}/${r}?size=thumb`, loading: 'lazy', alt: `${c.name} example ${n + 1}`,
          width: 96, height: 72,
          onclick: () => on.openExemplar(`/api/exemplars/${p.class}/${r}?size=full`, `${c.name} — exemplar ${n + 1}`),
        }));
      });
      if (!c.exemplars) thumbs.append(el('span', { class: 'muted small', text: 'no exemplars' }));
      list.append(el('li', { class: 'prop', 'data-index': i },
        el('label', { class: 'prop-head' }, cb,
          el('kbd', { text: String((i % G) + 1) }),
          el('span', { class: 'name', text: c.name }),
          syn ? el('span', { class: 'syn', text: syn }) : null,
          el('span', { class: 'score', title: 'model probability', text: scoreText(p.score) }),
          ...badges(p.class)),
        c.gloss ? el('div', { class: 'gloss', text: c.gloss }) : null,
        thumbs));
    });
    /* refine: the original label and every stage-ii set */
    const info = $('refine-info');
    info.hidden = S.stage !== 'refine';
    if (S.stage === 'refine') {
      info.replaceChildren(el('div', {}, el('b', { text: 'Original label: ' }),
        t.image.original_label === null || t.image.original_label === undefined ? 'none' : bdi(classLabel(t.image.original_label))));
      /* names, class names and comments each isolated (dom.js bdi) */
      for (const o of t.others || []) {
        info.append(el('div', { class: 'other' }, el('b', {}, bdi(o.annotator), ': '),
          ...(o.labels.length ? joined(o.labels.map((l) => bdi(classLabel(l.class))), ', ')
            : [o.unsure ? '(no labels)' : '(none of these)']),
          o.comment ? el('span', { class: 'muted comment' }, ' — “', bdi(o.comment), '”') : null,
          ...otherFlags(o)));
      }
      if (!(t.others || []).length) info.append(el('div', { class: 'muted', text: 'No stage-ii sets shown.' }));
    }
    update();
  });
}

/* an earlier annotator's unsure reason and problem tags (refine), worded as
 * /api/vocabulary words them */
function otherFlags(o) {
  const out = [];
  if (o.unsure) {
    out.push(' ', el('span', { class: 'badge unsure-badge', title: 'this annotator was unsure' },
      'unsure: ', labelOf(S.vocab && S.vocab.unsure_reasons, o.unsure)));
  }
  for (const tg of o.tags || []) {
    out.push(' ', el('span', { class: 'badge tag-badge', title: 'problem tag' }, labelOf(S.vocab && S.vocab.problem_tags, tg)));
  }
  return out;
}

/* asks for image `id`'s display file before it is shown (the photo then
 * takes it from the browser's cache); a failed load is the photo's to tell */
let early = null;
export function preloadPhoto(id) {
  early = new Image();
  early.src = `/api/images/${id}?size=display`;
}

/* (re)loads the shown image's file; `again` asks for it anew (a failed load
 * is not taken from the cache) */
let photoTries = 0;
export function loadPhoto(again) {
  S.imageError = '';
  showPhotoFailed(false);
  $('photo').src = `/api/images/${S.task.image.id}?size=display` + (again ? `&try=${++photoTries}` : '');
}

/* the image did not load (S.imageError says why): its alt text says so, and
 * "Save & next" becomes "Skip" (nothing can be saved for it) */
export function showPhotoFailed(failed) {
  $('photo').alt = failed ? `image ${fmt(S.offset + S.pos + 1)} cannot be loaded` : 'the image to annotate';
  $('next').textContent = failed ? 'Skip →' : 'Save & next →';
  $('next').title = failed ? 'Next image without saving (→): this one did not load' : 'Save and next (Enter or →)';
}

/* a ticked label says where it came from (the source's label from the API) */
function markSource(e, c) {
  if (S.labels.has(c)) {
    const src = S.labels.get(c);
    e.dataset.source = src;
    e.title = labelOf(S.vocab && S.vocab.label_sources, src);
  } else {
    delete e.dataset.source;
    e.removeAttribute('title');
  }
}

/* brings the page in line with the state, in place */
export function update() {
  const t = S.task;
  if (!t) return;
  const G = S.groupSize;
  /* proposals */
  for (const li of $('proposals').querySelectorAll('li[data-index]')) {
    const i = Number(li.dataset.index), c = t.proposals[i].class;
    const cb = li.querySelector('input');
    cb.checked = S.labels.has(c);
    markSource(cb, c);
    li.classList.toggle('checked', cb.checked);
    li.hidden = Math.floor(i / G) !== S.group;
  }
  /* tabs */
  for (const b of $('tabs').children) {
    const g = Number(b.dataset.group), sel = g === S.group;
    b.classList.toggle('active', sel);
    b.setAttribute('aria-selected', sel ? 'true' : 'false');
    b.tabIndex = sel ? 0 : -1;
    const n = t.proposals.slice(g * G, (g + 1) * G).filter((p) => S.labels.has(p.class)).length;
    b.querySelector('.tab-count').textContent = n ? ` ${n}✓` : '';
  }
  updateExtras();
  if (document.activeElement !== $('comment')) $('comment').value = S.comment;
  updateStatus();
}

/* the labels outside the proposals: rebuilt when the list changes */
function updateExtras() {
  const t = S.task;
  const inProps = new Set(t.proposals.map((p) => p.class));
  const extras = new Set([...S.labels.keys()].filter((c) => !inProps.has(c)));
  if (S.stage === 'refine') for (const c of S.union) if (!inProps.has(c)) extras.add(c);
  const list = [...extras].sort((a, b) => a - b);
  const ul = $('extra-labels');
  if (list.join(',') !== extrasKey) {
    extrasKey = list.join(',');
    keepingFocus(() => {
      ul.replaceChildren();
      for (const c of list) {
        const cb = el('input', { type: 'checkbox', 'data-class': c, 'data-focus-key': 'extra:' + c });
        cb.addEventListener('change', () => on.toggleExtra(c));
        const k = S.classes.get(c);
        ul.append(el('li', { 'data-class': c },
          el('label', {}, cb, el('span', { class: 'name', text: classLabel(c) }),
            k && k.gloss ? el('span', { class: 'gloss small', text: ' — ' + k.gloss }) : null, ...badges(c)),
          el('span', { class: 'src small muted' })));
      }
      if (!list.length) ul.append(el('li', { class: 'muted small', text: 'none' }));
    });
  }
  for (const li of ul.querySelectorAll('li[data-class]')) {
    const c = Number(li.dataset.class), cb = li.querySelector('input');
    cb.checked = S.labels.has(c);
    markSource(cb, c);
    li.classList.toggle('checked', cb.checked);
    li.querySelector('.src').textContent = cb.checked ? cb.title : '';
  }
}

/* the problem tags' panel shown or not (T, its button) */
export function showTags(open) {
  $('tags-panel').hidden = !open;
  $('tags-btn').setAttribute('aria-expanded', open ? 'true' : 'false');
}
export const tagsShown = () => !$('tags-panel').hidden;

/* unsure and its reason (stage ii), the problem tags */
function updateFlags() {
  const unsure = S.stage === 'annotate' && !!S.unsure;
  $('flags').classList.toggle('unsure-on', unsure);
  if (document.activeElement !== $('unsure') || $('unsure').value !== (S.unsure || '')) $('unsure').value = S.unsure || '';
  $('unsure-clear').hidden = !unsure;
  $('unsure-mark').hidden = !unsure;
  for (const cb of $('tags-list').querySelectorAll('input[data-tag]')) {
    cb.checked = S.tags.has(cb.dataset.tag);
    cb.closest('li').classList.toggle('checked', cb.checked);
  }
  const ticked = (S.vocab && S.vocab.problem_tags || []).filter((tg) => S.tags.has(tg.name)).map((tg) => tg.label);
  $('tags-count').textContent = ticked.length ? ` ${ticked.length}✓` : '';
  $('tags-summary').textContent = ticked.join(', ');
  $('tags-summary').title = ticked.join(', ');
}

/* "none of these", unsure, the problem tags, the comment rule, the zero-label review */
export function updateStatus() {
  $('none').setAttribute('aria-pressed', S.none ? 'true' : 'false');
  $('none').classList.toggle('on', S.none);
  updateFlags();
  const miss = new Set(missingFields());
  const req = needsComment();
  $('comment-required').hidden = !req;
  $('comment').classList.toggle('required-box', miss.has('comment'));
  $('comment').setAttribute('aria-invalid', miss.has('comment') ? 'true' : 'false');
  const zl = zeroLabelShown();
  $('zero-label').hidden = !zl;
  $('zl-category').value = S.zl.category;
  $('zl-verdict').value = S.zl.verdict;
  for (const [f, id] of [['category', 'zl-category'], ['verdict', 'zl-verdict']]) {
    $(id).classList.toggle('required-box', zl && miss.has(f));
    $(id).setAttribute('aria-invalid', zl && miss.has(f) ? 'true' : 'false');
  }
}

/* shows group g; a focused checkbox hands the focus to the one at the same
 * place in the new group (or its last) */
export function showGroup(g) {
  const a = document.activeElement;
  const li = a && a.type === 'checkbox' ? a.closest('#proposals li[data-index]') : null;
  const at = li ? Number(li.dataset.index) % S.groupSize : -1;
  const tabHadFocus = a && a.getAttribute && a.getAttribute('role') === 'tab';
  S.group = Math.max(0, Math.min(nGroups() - 1, g));
  update();
  if (at >= 0) {
    const first = S.group * S.groupSize, last = Math.min(S.task.proposals.length, first + S.groupSize) - 1;
    const target = $('proposals').querySelector(`input[data-focus-key="prop:${Math.min(first + at, last)}"]`);
    if (target) target.focus({ preventScroll: true });
  } else if (tabHadFocus) {
    $('tab-' + S.group).focus({ preventScroll: true });
  }
}

/* ---- position, progress, the end -------------------------------------------------- */

export function renderProgress() {
  const n = S.total, d = S.nDone;
  $('position').textContent = n ? `image ${fmt(S.offset + S.pos + 1)} / ${fmt(n)}` : 'no images';
  $('progress-bar').style.width = (n ? (100 * d) / n : 0) + '%';
  $('progress').setAttribute('aria-valuenow', String(d));
  $('progress').setAttribute('aria-valuemax', String(n));
  $('progress-text').textContent = `${fmt(d)} done`;
}

/* every image has a saved decision */
export function allDone() {
  $('workspace').hidden = true;
  $('done-box').hidden = false;
  $('done-title').textContent = 'All done';
  $('done-text').textContent = `All ${fmt(S.total)} images have a saved decision. Thank you! ` +
    'You can still go back with ← to change any of them.';
  renderProgress();
}

/* the list is empty */
export function nothingToDo(text) {
  $('workspace').hidden = true;
  $('done-box').hidden = false;
  $('done-title').textContent = 'Nothing to do yet';
  $('done-text').textContent = text;
  renderProgress();
}
