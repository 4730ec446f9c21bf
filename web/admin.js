/* admin.js - the admin dashboard: stage-ii progress per batch x annotator
 * (done/assigned, median seconds per image, labels per image), the
 * refinement queue, refreshed every 5 s while "live" is on. */
'use strict';

const $ = (id) => document.getElementById(id);
let timer = null;

function bar(done, total) {
  const pct = total ? (100 * done) / total : 0;
  const b = mlfy.el('span', { class: 'progress-bar' });
  b.style.width = pct + '%';
  return mlfy.el('span', { class: 'progress wide', title: pct.toFixed(1) + '%' }, b);
}

function render(d) {
  $('c-images').textContent = mlfy.fmt(d.images);
  $('c-done').textContent = `${mlfy.fmt(d.done)} / ${mlfy.fmt(d.assigned)}`;
  $('c-bar').style.width = (d.assigned ? (100 * d.done) / d.assigned : 0) + '%';
  $('c-queue').textContent = `${mlfy.fmt(d.refinement.queued)} (${mlfy.fmt(d.refinement.assigned)} · ${mlfy.fmt(d.refinement.done)})`;
  $('c-zero').textContent = mlfy.fmt(d.refinement.zero_label_reviews);

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
    'mlfy export PROJECT --format csv --out labels.csv',
    'mlfy export PROJECT --format jsonl --out labels.jsonl   # full provenance',
  ].join('\n');
  $('live').addEventListener('change', schedule);
  await refresh();
  schedule();
})().catch((e) => { if (e.status !== 401) { $('banner').textContent = e.message; $('banner').hidden = false; } });
