/* admin.js - the coordinator's console (docs/admin.md): a section per
 * task, chosen by the URL's hash (#overview, #people, ...); the overview
 * shows stage-ii progress, the review counts and the live project view
 * (every model's top-1 and ReaL accuracy so far, with the scatter drawn by
 * the server's `mlfy report` code).  While "live" is on, the section is
 * refreshed as soon as a final set changes on any instance (the long poll
 * GET /api/admin/live?after=SEQ&wait=25, docs/serve.md), and every 30 s for
 * what changes without a decision (saves); when the long poll fails it
 * falls back to refreshing every 5 s.  The current section, the timers and
 * the vocabulary are this module's state; each section's own work is in
 * console-*.js. */
import { $, el, fmt, bdi } from './dom.js';
import { api, currentUser, requireLogin } from './api.js';
import { loadVocabulary } from './vocab.js';
import { pci, bar, fillTable } from './console-util.js';
import * as People from './console-people.js';
import * as Stages from './console-stages.js';
import * as Gold from './console-gold.js';
import * as Insight from './console-insight.js';

let timer = null;
let poll = null;        /* the running long poll: { stop: AbortController } */
let vocab = null;
let section = 'overview';
let svgSeen = null;

const EXPORT_NAMES = {
  real: 'ReaL (real.json)', multilabelfy: 'Multilabelfy JSON', csv: 'CSV', jsonl: 'JSONL with provenance',
  labelstudio: 'Label Studio tasks',
};
const TITLES = {
  overview: 'Overview', people: 'People', assign: 'Assignment', analyze: 'Analysis', refine: 'Refinement',
  gold: 'Gold images', zero: 'Zero-label review', quality: 'Quality', progress: 'Progress',
  reports: 'Reports and exports', audit: 'Audit log',
};

function renderDashboard(d) {
  const f = d.final, q = d.refinement, z = d.zero_label;
  $('c-images').textContent = fmt(d.images);
  $('c-final').textContent = `final labels: ${fmt(f.decided)} decided (${fmt(f.agreed)} agreed · `
    + `${fmt(f.refined)} refined${f.aggregated ? ' · ' + fmt(f.aggregated) + ' aggregated' : ''}`
    + `${f.imported ? ' · ' + fmt(f.imported) + ' imported' : ''}), ${fmt(f.undecided)} undecided`;
  $('c-done').textContent = `${fmt(d.done)} / ${fmt(d.assigned)}`;
  $('c-bar').style.width = (d.assigned ? (100 * d.done) / d.assigned : 0) + '%';
  $('c-queue').textContent = fmt(q.queued);
  $('c-queue-sub').textContent = `${fmt(q.assigned)} assigned to experts · ${fmt(q.refined)} refined · ${fmt(q.waiting)} waiting`;
  $('c-queue-bar').style.width = (q.queued ? (100 * q.refined) / q.queued : 0) + '%';
  $('c-zero').textContent = `${fmt(z.reviewed)} / ${fmt(z.empty_sets)}`;
  $('c-zero-sub').textContent = z.pending ? `${fmt(z.pending)} awaiting a review` : 'none pending';
  fillTable('grid', d.rows.map((r) => [r.batch, bdi(r.annotator), `${fmt(r.done)} / ${fmt(r.assigned)}`, bar(r.done, r.assigned),
    r.done ? r.median_seconds.toFixed(1) : '–', r.done ? r.labels_per_image.toFixed(2) : '–', r.done ? r.empty : '–']),
  'No assignments yet (Assignment).');
  renderExports(d.exports);
}

function renderExports(list) {
  const ul = $('exports');
  if (ul.childElementCount === list.length) return;   /* the list never changes: keep focus and hover */
  ul.replaceChildren(...list.map((e) => el('li', {},
    el('a', { href: e.url, download: '', 'data-format': e.format, text: EXPORT_NAMES[e.format] || e.format }),
    el('span', { class: 'muted small', text: `.${e.ext}` }))));
}

const pts = (p) => (p && p.n ? 100 * p.p : null);

function renderLive(v) {
  fillTable('live-models', v.models.map((m) => [el('span', {}, bdi(m.model), m.active ? el('span', { class: 'muted small', text: ' (proposals)' }) : null),
    pci(m.top1), m.top1.n, pci(m.real), m.real.n,
    pts(m.top1) === null || pts(m.real) === null ? '–' : `${(pts(m.real) - pts(m.top1)) >= 0 ? '+' : ''}${(pts(m.real) - pts(m.top1)).toFixed(1)} points`]),
  'No model imported yet (mlfy import-predictions).');
  const lc = v.label_counts;
  fillTable('live-counts', lc.counts.map((c) => [String(c.labels), c.images,
    pci({ p: c.images / lc.images, n: lc.images, ...wilson(c.images, lc.images) })]), 'No image decided yet.');
  const cv = v.coverage;
  fillTable('live-coverage', cv ? [[`within the top-${cv.k} of ${cv.model}`, pci(cv.within), cv.within.n],
    ['outside: added through search', pci(cv.outside), cv.outside.n]] : [], 'No proposals or no decided image yet.');
  $('live-note').textContent = `${fmt(v.decided)} of ${fmt(v.images)} images decided (change ${v.seq}). Top-1 accuracy against the original `
    + 'labels; ReaL accuracy against the final labels decided so far (empty sets left out, as mlfy evaluate); 95 % Wilson intervals.';
  const img = $('live-svg');
  if (v.scatter && v.scatter.url) {
    if (svgSeen !== v.scatter.url) { img.src = v.scatter.url; svgSeen = v.scatter.url; }
    img.hidden = false;
    $('live-fig-note').textContent = v.fit ? `ReaL = ${v.fit.slope.toFixed(3)} × top-1 ${v.fit.intercept >= 0 ? '+' : '−'} ${Math.abs(v.fit.intercept).toFixed(2)}, R² = ${v.fit.r2.toFixed(3)}, ${v.fit.n} models` : '';
  } else {
    img.hidden = true;
    svgSeen = null;
    $('live-fig-note').textContent = 'No scatter yet: ' + ((v.scatter && v.scatter.reason) || v.fit_reason || 'too few models');
  }
}

/* the 95 % Wilson interval of k of n, for a share the page derives (the
 * label-count table): the same formula as evaluate/metrics.c */
function wilson(k, n) {
  if (!n) return { ci_low: null, ci_high: null };
  const z = 1.96, p = k / n, d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d, h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { ci_low: Math.max(0, c - h), ci_high: Math.min(1, c + h) };
}

async function renderReports() {
  const r = await api('GET', '/api/admin/reports');
  fillTable('reports-table', r.reports.map((x) => [el('a', { href: x.url, target: '_blank', rel: 'noopener', text: `${x.generated_at} (${x.id})` }),
    x.files, `${fmt(Math.round(x.bytes / 1024))} KiB`]), 'No report generated yet.');
}

async function makeReport() {
  const btn = $('report-make');
  btn.disabled = true;
  $('report-out').replaceChildren(el('p', { class: 'banner', role: 'status', text: 'Generating the report…' }));
  try {
    const r = await api('POST', '/api/admin/reports', {});
    $('report-out').replaceChildren(el('p', { class: 'banner ok', role: 'status' }, 'Report ready: ',
      el('a', { href: r.url, target: '_blank', rel: 'noopener', text: 'open index.html' }), ` (${r.files.length} files)`),
    ...(r.warnings || []).map((w) => el('p', { class: 'small muted', text: w })));
    await renderReports();
  } catch (e) {
    $('report-out').replaceChildren(el('p', { class: 'banner error', role: 'alert', text: e.message }));
  } finally {
    btn.disabled = false;
  }
}

/* what each section loads when shown (and, for live ones, when the project changes) */
const loaders = {
  overview: async () => {
    const [d, v] = await Promise.all([api('GET', '/api/dashboard'), api('GET', '/api/admin/live')]);
    renderDashboard(d);
    renderLive(v);
  },
  people: () => People.load(),
  assign: async () => Stages.load(await People.load()),
  analyze: async () => {},
  refine: async () => Stages.load(await People.load()),
  gold: () => Gold.loadGold(),
  zero: () => Gold.loadZero(vocab),
  quality: () => Insight.loadQuality(),
  progress: () => Insight.loadProgress(),
  reports: async () => { renderExports((await api('GET', '/api/dashboard')).exports); await renderReports(); },
  audit: () => Insight.loadAudit(false),
};
const LIVE = new Set(['overview', 'progress']);

async function refresh() {
  try {
    await loaders[section]();
    $('banner').hidden = true;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (e.status === 403) { location.href = currentUser() ? currentUser().home : '/login'; return; }
    $('banner').textContent = 'Cannot refresh: ' + e.message;
    $('banner').className = 'banner error';
    $('banner').hidden = false;
  }
}

/* Waits for the project's change sequence to move (any instance), then
 * refreshes the section; again and again until stopped.  On an error other
 * than the stop, falls back to the fixed 5 s refresh. */
async function longPoll(me) {
  let seq = 0;
  let first = true;
  for (;;) {
    let r;
    try {
      r = await api('GET', `/api/admin/live?after=${seq}&wait=${first ? 0 : 25}`, undefined, { signal: me.stop.signal });
    } catch (e) {
      if (poll !== me) return;   /* stopped */
      clearInterval(timer);
      timer = setInterval(refresh, 5000);
      return;
    }
    if (poll !== me) return;
    if (r.changed !== false && !first) await refresh();
    seq = r.seq;
    first = false;
  }
}

function schedule() {
  clearInterval(timer);
  if (poll) { const p = poll; poll = null; p.stop.abort(); }
  $('live').closest('label').hidden = !LIVE.has(section);   /* only sections that refresh offer it */
  if ($('live').checked && LIVE.has(section)) {
    timer = setInterval(refresh, 30000);
    poll = { stop: new AbortController() };
    longPoll(poll);
  }
}

function show() {
  const want = location.hash.slice(1);
  const before = section;
  section = TITLES[want] ? want : 'overview';
  if (section !== before) Stages.forget();
  for (const s of document.querySelectorAll('section.tab')) s.hidden = s.id !== 'tab-' + section;
  for (const a of document.querySelectorAll('.console-nav a')) {
    if (a.getAttribute('href') === '#' + section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  $('page-title').textContent = TITLES[section];
  document.title = `${TITLES[section]} · Console · multilabelfy` + (currentUser() && currentUser().project ? ' \u2014 ' + currentUser().project : '');
  schedule();
  return refresh();
}

(async function start() {
  const me = await requireLogin();
  if (me.role !== 'admin') { location.href = me.home; return; }
  vocab = await loadVocabulary();
  People.init();
  Stages.init(async () => Stages.load(await People.load()));
  Gold.init();
  Insight.init();
  $('report-make').addEventListener('click', makeReport);
  $('live').addEventListener('change', schedule);
  /* the skip link moves focus, not the hash (the hash picks the section) */
  document.querySelector('.skip-link').addEventListener('click', (ev) => { ev.preventDefault(); $('main').focus(); });
  window.addEventListener('hashchange', show);
  /* the link of the section shown reloads it (the hash does not change) */
  for (const a of document.querySelectorAll('.console-nav a')) {
    a.addEventListener('click', () => { if (a.getAttribute('href') === '#' + section) refresh(); });
  }
  await show();
})().catch((e) => { if (e.status !== 401) { $('banner').textContent = e.message; $('banner').hidden = false; } });
