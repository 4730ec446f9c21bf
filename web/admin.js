/* admin.js - the admin dashboard: stage-ii progress per batch x annotator
 * (done/assigned, median seconds per image, labels per image), the final
 * labels, the refinement queue and the zero-label reviews, refreshed every
 * 5 s while "live" is on, and download links for every export format.  The
 * refresh timer and the vocabulary are this module's state. */
import { $, el, fmt, bdi } from './dom.js';
import { api, currentUser, requireLogin } from './api.js';
import { loadVocabulary, labelOf } from './vocab.js';

let timer = null;
let vocab = null;   /* GET /api/vocabulary: the zero-label categories' and verdicts' labels */
const EXPORT_NAMES = {
  real: 'ReaL (real.json)', multilabelfy: 'Multilabelfy JSON', csv: 'CSV', jsonl: 'JSONL with provenance',
  labelstudio: 'Label Studio tasks',
};

function bar(done, total) {
  const pct = total ? (100 * done) / total : 0;
  const b = el('span', { class: 'progress-bar' });
  b.style.width = pct + '%';
  return el('span', { class: 'progress wide', title: pct.toFixed(1) + '%' }, b);
}

/* one row per category (or verdict) name, labelled as the library labels it */
function countRows(tbody, counts, names) {
  tbody.replaceChildren();
  for (const [k, n] of Object.entries(counts)) {
    tbody.append(el('tr', {}, el('td', { text: labelOf(names, k) }), el('td', { class: 'num', text: fmt(n) })));
  }
}

function renderExports(list) {
  const ul = $('exports');
  if (ul.childElementCount === list.length) return;   /* the list never changes: keep focus and hover */
  ul.replaceChildren(...list.map((e) => el('li', {},
    el('a', { href: e.url, download: '', 'data-format': e.format, text: EXPORT_NAMES[e.format] || e.format }),
    el('span', { class: 'muted small', text: `.${e.ext}` }))));
}

function render(d) {
  const f = d.final, q = d.refinement, z = d.zero_label;
  $('c-images').textContent = fmt(d.images);
  $('c-final').textContent = `final labels: ${fmt(f.decided)} decided (${fmt(f.agreed)} agreed · `
    + `${fmt(f.refined)} refined${f.aggregated ? ' · ' + fmt(f.aggregated) + ' aggregated' : ''}`
    + `${f.imported ? ' · ' + fmt(f.imported) + ' imported' : ''}), ${fmt(f.undecided)} undecided`;
  $('c-done').textContent = `${fmt(d.done)} / ${fmt(d.assigned)}`;
  $('c-bar').style.width = (d.assigned ? (100 * d.done) / d.assigned : 0) + '%';
  $('c-queue').textContent = fmt(q.queued);
  $('c-queue-sub').textContent = `${fmt(q.assigned)} assigned to experts · ${fmt(q.refined)} refined · `
    + `${fmt(q.waiting)} waiting`;
  $('c-queue-bar').style.width = (q.queued ? (100 * q.refined) / q.queued : 0) + '%';
  $('c-zero').textContent = `${fmt(z.reviewed)} / ${fmt(z.empty_sets)}`;
  $('c-zero-sub').textContent = z.pending ? `${fmt(z.pending)} awaiting a review` : 'none pending';
  countRows($('zl-category').querySelector('tbody'), z.by_category, vocab.zero_label.categories);
  countRows($('zl-verdict').querySelector('tbody'), z.by_verdict, vocab.zero_label.verdicts);
  renderExports(d.exports);

  const tb = $('grid').querySelector('tbody');
  tb.replaceChildren();
  const people = new Map();
  for (const r of d.rows) {
    tb.append(el('tr', { class: r.done === r.assigned ? 'complete' : '' },
      el('td', { text: r.batch }), el('td', {}, bdi(r.annotator)),
      el('td', { class: 'num', text: `${fmt(r.done)} / ${fmt(r.assigned)}` }),
      el('td', {}, bar(r.done, r.assigned)),
      el('td', { class: 'num', text: r.done ? r.median_seconds.toFixed(1) : '–' }),
      el('td', { class: 'num', text: r.done ? r.labels_per_image.toFixed(2) : '–' }),
      el('td', { class: 'num', text: r.done ? fmt(r.empty) : '–' })));
    const p = people.get(r.annotator) || { batches: 0, done: 0, assigned: 0 };
    p.batches++; p.done += r.done; p.assigned += r.assigned;
    people.set(r.annotator, p);
  }
  if (!d.rows.length) tb.append(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: 'No assignments yet: run mlfy assign.' })));
  const pb = $('people').querySelector('tbody');
  pb.replaceChildren();
  for (const [name, p] of [...people.entries()].sort()) {
    pb.append(el('tr', {}, el('td', {}, bdi(name)), el('td', { class: 'num', text: p.batches }),
      el('td', { class: 'num', text: `${fmt(p.done)} / ${fmt(p.assigned)}` }),
      el('td', {}, bar(p.done, p.assigned))));
  }
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

async function refresh() {
  try {
    render(await api('GET', '/api/dashboard'));
    $('banner').hidden = true;
  } catch (e) {
    if (e.status === 403) { location.href = currentUser() ? currentUser().home : '/login'; return; }
    $('banner').textContent = 'Cannot refresh: ' + e.message;
    $('banner').className = 'banner error';
    $('banner').hidden = false;
  }
}

function schedule() {
  clearInterval(timer);
  if ($('live').checked) timer = setInterval(refresh, 5000);
}

(async function start() {
  const me = await requireLogin();
  if (me.role !== 'admin') { location.href = me.home; return; }
  vocab = await loadVocabulary();
  $('commands').textContent = [
    'mlfy assign PROJECT --per-image 2            # give new batches to annotators',
    'mlfy analyze PROJECT                         # stage iii: agreement, refinement queue',
    'mlfy assign-refinement PROJECT --experts a,b # split the queue among experts',
    'mlfy zero-review PROJECT --list              # empty final sets awaiting a review',
    'mlfy agreement PROJECT                       # kappa / alpha between the annotators',
    'mlfy export PROJECT --format real --out real.json   # as the links above',
  ].join('\n');
  $('live').addEventListener('change', schedule);
  await refresh();
  schedule();
})().catch((e) => { if (e.status !== 401) { $('banner').textContent = e.message; $('banner').hidden = false; } });
