/* console-insight.js - the Quality, Progress and Audit log sections: the
 * per-person table of `mlfy quality` (sortable, with intervals and flags)
 * and the anchoring arms; done/assigned, pace, projected finish and stalls
 * per person; the audit log, newest first, paged.  The quality rows, the
 * sort key and the audit cursor are this module's state. */
import { $, el, bdi, fmt } from './dom.js';
import { api } from './api.js';
import { pci, bar, fillTable } from './console-util.js';

let rows = [];
let sortKey = 'name', sortDir = 1;
let auditBefore = 0;

const sortVal = {
  name: (p) => p.name, role: (p) => p.role,
  gold: (p) => p.gold.exact.p ?? -1, final: (p) => p.final.exact.p ?? -1,
  median: (p) => p.time.median_seconds ?? Infinity, per_hour: (p) => p.time.images_per_hour ?? -1,
  flags: (p) => p.flags.length,
};

function renderQuality() {
  const v = sortVal[sortKey];
  const sorted = [...rows].sort((a, b) => (v(a) < v(b) ? -sortDir : v(a) > v(b) ? sortDir : 0));
  fillTable('quality-table', sorted.map((p) => [bdi(p.name), p.role,
    `${pci(p.gold.exact)} n=${p.gold.n}`, `${pci(p.final.exact)} n=${p.final.n}`,
    p.time.median_seconds == null ? '–' : `${p.time.median_seconds.toFixed(1)} (${(p.time.q1_seconds ?? 0).toFixed(1)}–${(p.time.q3_seconds ?? 0).toFixed(1)})`,
    p.time.images_per_hour == null ? '–' : p.time.images_per_hour.toFixed(0),
    p.flags.length ? el('span', { class: 'flag', title: p.flags.map((f) => f.reason).join('\n') }, p.flags.map((f) => f.flag.replace(/_/g, ' ')).join(', ')) : '–']),
  'Nobody has answered yet.');
  for (const b of $('quality-table').querySelectorAll('thead button')) {
    b.closest('th').setAttribute('aria-sort', b.dataset.key === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
  }
}

function renderAnchoring(a) {
  const box = $('anchoring');
  if (!a || !(a.arms.shown.n + a.arms.blind.n)) {
    box.replaceChildren(el('p', { class: 'small muted', text: 'No refinement in either arm yet (Refinement: blind share).' }));
    return;
  }
  const row = (name, f) => el('tr', {}, el('th', { scope: 'row', text: name }), el('td', { text: f(a.arms.shown) }), el('td', { text: f(a.arms.blind) }));
  const pv = (x) => (x == null ? '–' : x.toPrecision(2));
  box.replaceChildren(el('table', { class: 'grid', id: 'anchoring-table' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'measure' }), el('th', { scope: 'col', text: 'shown (pre-checked)' }), el('th', { scope: 'col', text: 'blind' }))),
    el('tbody', {}, row('refinements', (x) => fmt(x.n)), row('labels kept', (x) => pci(x.kept)), row('labels added', (x) => pci(x.added)),
      row('labels removed', (x) => pci(x.removed)), row('exact on gold', (x) => pci(x.gold_exact)),
      row('planted label accepted', (x) => pci(x.planted_accepted)),
      row('median s / image', (x) => (x.seconds.median == null ? '–' : x.seconds.median.toFixed(1))))),
  el('p', { class: 'small muted', text: `p-values (shown vs blind): kept ${pv(a.p_values.kept)}, added ${pv(a.p_values.added)}, removed ${pv(a.p_values.removed)}, gold exact ${pv(a.p_values.gold_exact)}, seconds ${pv(a.p_values.seconds)}` }));
}

export async function loadQuality() {
  const q = await api('GET', '/api/admin/quality');
  rows = q.annotators;
  renderQuality();
  renderAnchoring(q.anchoring);
}

export async function loadProgress() {
  const p = await api('GET', '/api/admin/progress');
  const s2 = p.stage_ii, s3 = p.stage_iii, s4 = p.stage_iv;
  $('progress-stages').textContent = `Stage ii: ${fmt(s2.done)} / ${fmt(s2.assigned)} tasks done (hidden gold tasks included)${s2.projected_finish === 'done' ? '' : ', projected finish ' + s2.projected_finish}. `
    + `Stage iii: ${fmt(s3.decided)} of ${fmt(s3.images)} images decided (${fmt(s3.agreed)} agreed), ${fmt(s3.queued)} queued for refinement. `
    + `Stage iv: ${fmt(s4.refined)} of ${fmt(s4.queued)} refined, ${fmt(s4.assigned)} assigned to experts.`;
  fillTable('progress-table', p.people.map((x) => [bdi(x.name), x.stage, `${fmt(x.done)} / ${fmt(x.assigned)}`, bar(x.done, x.assigned),
    x.pace_per_day == null ? '–' : x.pace_per_day.toFixed(0), x.projected_finish, x.last_answer || 'never',
    x.disabled ? 'disabled' : x.stalled ? el('strong', { class: 'flag', text: `stalled (no save for ${p.stall_hours} h)` }) : x.done === x.assigned ? 'done' : 'working']),
  'Nobody has tasks yet (Assignment).');
}

/* parameters and results as "key: value, ..." with a space after every comma (lines break there), at most 300 characters */
const show = (v) => (Array.isArray(v) ? '[' + v.map(show).join(', ') + ']'
  : v && typeof v === 'object' ? '{' + Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ') + '}' : JSON.stringify(v));
const short = (v) => {
  const t = typeof v === 'string' ? v : show(v).replace(/^\{([^]*)\}$/, '$1') || '–';
  return t.length > 300 ? t.slice(0, 299) + '…' : t;
};

export async function loadAudit(more) {
  if (!more) auditBefore = 0;
  const r = await api('GET', '/api/admin/audit?limit=100' + (auditBefore ? '&before=' + auditBefore : ''));
  const tb = $('audit-table').querySelector('tbody');
  if (!more) tb.replaceChildren();
  for (const e of r.entries) {
    tb.append(el('tr', { class: e.ok ? '' : 'failed' }, el('td', { class: 'num', text: e.id }), el('td', { text: e.at }), el('td', {}, bdi(e.actor)),
      el('td', { text: e.via }), el('td', { text: e.action }), el('td', {}, el('code', { text: short(e.params) })),
      el('td', {}, e.ok ? el('code', { text: short(e.result) }) : el('span', { class: 'error', text: 'failed: ' + short(e.result) }))));
  }
  if (!tb.childElementCount) tb.append(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: 'Nothing yet.' })));
  auditBefore = r.entries.length ? r.entries[r.entries.length - 1].id : auditBefore;
  $('audit-more').hidden = r.entries.length < 100;
}

export function init() {
  for (const b of $('quality-table').querySelectorAll('thead button')) {
    b.addEventListener('click', () => {
      sortDir = sortKey === b.dataset.key ? -sortDir : 1;
      sortKey = b.dataset.key;
      renderQuality();
    });
  }
  $('audit-more').addEventListener('click', () => loadAudit(true));
}
