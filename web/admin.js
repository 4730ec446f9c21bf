/* admin.js - the admin dashboard: stage-ii progress per batch x annotator
 * (done/assigned, median seconds per image, labels per image), the final
 * labels, the refinement queue and the zero-label reviews, refreshed every
 * 5 s while "live" is on, and download links for every export format. */
'use strict';

const $ = (id) => document.getElementById(id);
let timer = null;

/* display names of the zero-label categories and verdicts (the values are
 * the store's names, MLFY_ZERO_CATEGORIES / MLFY_ZERO_VERDICTS) */
const ZL_NAMES = {
  no_valid_proposal: 'no valid proposal', low_resolution: 'low resolution',
  fine_grained: 'fine-grained, needs an expert', unusual_object_or_view: 'unusual object or viewpoint',
  agree: 'correct (agree)', disagree: 'wrong (disagree)', unsure: 'unsure',
};
const EXPORT_NAMES = {
  real: 'ReaL (real.json)', multilabelfy: 'Multilabelfy JSON', csv: 'CSV', jsonl: 'JSONL with provenance',
  labelstudio: 'Label Studio tasks',
};

function bar(done, total) {
  const pct = total ? (100 * done) / total : 0;
  const b = mlfy.el('span', { class: 'progress-bar' });
  b.style.width = pct + '%';
  return mlfy.el('span', { class: 'progress wide', title: pct.toFixed(1) + '%' }, b);
}

function countRows(tbody, counts) {
  tbody.replaceChildren();
  for (const [k, n] of Object.entries(counts)) {
    tbody.append(mlfy.el('tr', {}, mlfy.el('td', { text: ZL_NAMES[k] || k }),
      mlfy.el('td', { class: 'num', text: mlfy.fmt(n) })));
  }
}

function renderExports(list) {
  const ul = $('exports');
  if (ul.childElementCount === list.length) return;   /* the list never changes: keep focus and hover */
  ul.replaceChildren(...list.map((e) => mlfy.el('li', {},
    mlfy.el('a', { href: e.url, download: '', 'data-format': e.format, text: EXPORT_NAMES[e.format] || e.format }),
    mlfy.el('span', { class: 'muted small', text: `.${e.ext}` }))));
}

function render(d) {
  const f = d.final, q = d.refinement, z = d.zero_label;
  $('c-images').textContent = mlfy.fmt(d.images);
  $('c-final').textContent = `final labels: ${mlfy.fmt(f.decided)} decided (${mlfy.fmt(f.agreed)} agreed · `
    + `${mlfy.fmt(f.refined)} refined${f.aggregated ? ' · ' + mlfy.fmt(f.aggregated) + ' aggregated' : ''}`
    + `${f.imported ? ' · ' + mlfy.fmt(f.imported) + ' imported' : ''}), ${mlfy.fmt(f.undecided)} undecided`;
  $('c-done').textContent = `${mlfy.fmt(d.done)} / ${mlfy.fmt(d.assigned)}`;
  $('c-bar').style.width = (d.assigned ? (100 * d.done) / d.assigned : 0) + '%';
  $('c-queue').textContent = mlfy.fmt(q.queued);
  $('c-queue-sub').textContent = `${mlfy.fmt(q.assigned)} assigned to experts · ${mlfy.fmt(q.refined)} refined · `
    + `${mlfy.fmt(q.waiting)} waiting`;
  $('c-queue-bar').style.width = (q.queued ? (100 * q.refined) / q.queued : 0) + '%';
  $('c-zero').textContent = `${mlfy.fmt(z.reviewed)} / ${mlfy.fmt(z.empty_sets)}`;
  $('c-zero-sub').textContent = z.pending ? `${mlfy.fmt(z.pending)} awaiting a review` : 'none pending';
  countRows($('zl-category').querySelector('tbody'), z.by_category);
  countRows($('zl-verdict').querySelector('tbody'), z.by_verdict);
  renderExports(d.exports);

  const tb = $('grid').querySelector('tbody');
  tb.replaceChildren();
  const people = new Map();
  for (const r of d.rows) {
    tb.append(mlfy.el('tr', { class: r.done === r.assigned ? 'complete' : '' },
      mlfy.el('td', { text: r.batch }), mlfy.el('td', { text: r.annotator }),
      mlfy.el('td', { class: 'num', text: `${mlfy.fmt(r.done)} / ${mlfy.fmt(r.assigned)}` }),
      mlfy.el('td', {}, bar(r.done, r.assigned)),
      mlfy.el('td', { class: 'num', text: r.done ? r.median_seconds.toFixed(1) : '–' }),
      mlfy.el('td', { class: 'num', text: r.done ? r.labels_per_image.toFixed(2) : '–' }),
      mlfy.el('td', { class: 'num', text: r.done ? mlfy.fmt(r.empty) : '–' })));
    const p = people.get(r.annotator) || { batches: 0, done: 0, assigned: 0 };
    p.batches++; p.done += r.done; p.assigned += r.assigned;
    people.set(r.annotator, p);
  }
  if (!d.rows.length) tb.append(mlfy.el('tr', {}, mlfy.el('td', { colspan: 7, class: 'muted', text: 'No assignments yet: run mlfy assign.' })));
  const pb = $('people').querySelector('tbody');
  pb.replaceChildren();
  for (const [name, p] of [...people.entries()].sort()) {
    pb.append(mlfy.el('tr', {}, mlfy.el('td', { text: name }), mlfy.el('td', { class: 'num', text: p.batches }),
      mlfy.el('td', { class: 'num', text: `${mlfy.fmt(p.done)} / ${mlfy.fmt(p.assigned)}` }),
      mlfy.el('td', {}, bar(p.done, p.assigned))));
  }
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

async function refresh() {
  try {
    render(await mlfy.api('GET', '/api/dashboard'));
    $('banner').hidden = true;
  } catch (e) {
    if (e.status === 403) { location.href = mlfy.me ? mlfy.me.home : '/login'; return; }
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
  const me = await mlfy.requireLogin();
  if (me.role !== 'admin') { location.href = me.home; return; }
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
