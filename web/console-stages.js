/* console-stages.js - the Assignment, Analysis and Refinement sections:
 * each has a preview (the library's dry run: nothing is written) and an
 * apply, enabled once the preview of the same settings was seen. */
import { $, el, bdi } from './dom.js';
import { api } from './api.js';
import { act, say, peopleChecks, checked } from './console-util.js';

const num = (id) => ($(id).value === '' ? null : Number($(id).value));

function assignBody(dry) {
  const gold = $('assign-gold').checked
    ? { first: num('assign-first') || 0, rate: num('assign-rate') || 0, seed: num('assign-seed') || 0 } : null;
  return { per_image: num('assign-k'), annotators: checked('assign-people'), gold, dry_run: dry };
}

function showAssign(r) {
  const head = r.dry_run ? 'Preview (nothing written): ' : 'Applied: ';
  const table = el('table', { class: 'grid', id: 'assign-load' },
    el('thead', {}, el('tr', {}, ...['annotator', 'batches', 'images', 'new batches', 'gold tasks', 'gold wanted']
      .map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null, text: h })))), el('tbody'));
  const gold = new Map(r.gold.map((g) => [g.annotator, g]));
  const names = new Set([...r.load.map((l) => l.annotator), ...gold.keys()]);
  for (const n of names) {
    const l = r.load.find((x) => x.annotator === n) || {};
    const g = gold.get(n);
    table.tBodies[0].append(el('tr', {}, el('td', {}, bdi(n)), el('td', { class: 'num', text: l.batches ?? '–' }),
      el('td', { class: 'num', text: l.images ?? '–' }), el('td', { class: 'num', text: l.added ?? '–' }),
      el('td', { class: 'num', text: g ? (g.had || g.placed) : '–' }), el('td', { class: 'num', text: g ? (g.had ? 'kept' : g.wanted) : '–' })));
  }
  $('assign-out').replaceChildren(el('p', { class: 'banner ' + (r.warning ? 'warn' : r.dry_run ? '' : 'ok'), role: 'status' },
    `${head}${r.batches} batches, ${r.added} new assignment${r.added === 1 ? '' : 's'}, ${r.complete}/${r.batches} batches with ${r.per_image || '–'} annotators.`
    + (r.warning ? ` Warning: ${r.warning}.` : '')), table);
}

function showAnalysis(a) {
  const c = a.changes || {};
  const rows = Object.entries(c).map(([k, v]) => [k.replace(/_/g, ' '), v]);
  $('analyze-out').replaceChildren(el('p', { class: 'banner ' + (a.dry_run ? '' : 'ok'), role: 'status' },
    `${a.dry_run ? 'Dry run (nothing written)' : 'Applied'} with rule ${a.rule}: ${a.judged} of ${a.images} images judged, `
    + `${a.agreed} agreed, ${a.refine} to refinement, ${a.missing_annotations} missing annotations`
    + `${a.unassigned ? ', ' + a.unassigned + ' in unassigned batches' : ''}.`),
  el('table', { class: 'grid', id: 'analyze-changes' }, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: a.dry_run ? 'would change' : 'changed' }),
    el('th', { scope: 'col', class: 'num', text: 'images' }))), el('tbody', {}, ...rows.map(([k, v]) => el('tr', {}, el('td', { text: k }), el('td', { class: 'num', text: v }))))));
}

function showRefine(r) {
  const arms = r.arms.drawn ? ` Anchoring arms: ${r.arms.blind} blind, ${r.arms.shown} shown (${r.arms.planted} planted); ${r.arms.kept} kept.` : '';
  $('refine-out').replaceChildren(el('p', { class: 'banner ' + (r.dry_run ? '' : 'ok'), role: 'status' },
    `${r.dry_run ? 'Preview (nothing written)' : 'Applied'}: ${r.experts.reduce((s, e) => s + e.added, 0)} images `
    + `${r.dry_run ? 'would go' : 'went'} to experts.${arms}`),
  el('table', { class: 'grid', id: 'refine-load' }, el('thead', {}, el('tr', {}, ...['expert', 'assigned', 'new', 'refined'].map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null, text: h })))),
    el('tbody', {}, ...r.experts.map((e) => el('tr', {}, el('td', {}, bdi(e.expert)), el('td', { class: 'num', text: e.assigned }),
      el('td', { class: 'num', text: e.added }), el('td', { class: 'num', text: e.refined }))))));
}

/* preview then apply: apply is enabled by a preview of the same settings,
 * and sends that preview ("expect"): the server applies only when its own
 * plan still equals it, else answers 409 with the new preview, shown here
 * for a second look (someone assigned, invited or saved meanwhile) */
const wired = {};
function wire(prefix, url, body, show, onChanged) {
  let seen = null, preview = null;
  const apply = $(prefix + '-apply');
  const reset = () => { seen = null; preview = null; apply.disabled = true; };
  wired[prefix] = reset;
  $(prefix + '-form').addEventListener('input', reset);
  $(prefix + '-form').addEventListener('change', reset);
  $(prefix + '-preview').addEventListener('click', async () => {
    const b = body(true);
    const r = await act($(prefix + '-preview'), prefix + '-out', () => api('POST', url, b));
    if (r) { show(r); seen = JSON.stringify(body(false)); preview = r; apply.disabled = false; }
  });
  apply.addEventListener('click', async () => {
    if (!preview || JSON.stringify(body(false)) !== seen) { reset(); return; }
    apply.disabled = true;
    try {
      show(await api('POST', url, { ...body(false), expect: preview }));
      $(prefix + '-out-note').hidden = true;
      reset();
    } catch (e) {
      if (e.status === 409 && e.body && e.body.preview) {
        preview = e.body.preview;
        show(preview);
        say(prefix + '-out-note', e.message, 'warn');
        apply.disabled = false;
        if (onChanged) onChanged();   /* new people may have come: the check boxes too */
      } else {
        say(prefix + '-out', e.status ? e.message : 'The server cannot be reached: ' + e.message, 'error');
        reset();
      }
    }
  });
}

/* a section shown again starts without a preview: the project may have
 * changed since */
export function forget() {
  for (const reset of Object.values(wired)) reset();
  for (const p of ['assign', 'analyze', 'refine']) { $(p + '-out').replaceChildren(); $(p + '-out-note').hidden = true; }
}

export function init(reloadPeople) {
  wire('assign', '/api/admin/assign', assignBody, showAssign, reloadPeople);
  wire('analyze', '/api/admin/analyze', (dry) => ({ rule: $('analyze-rule').value, dry_run: dry }), showAnalysis);
  wire('refine', '/api/admin/refinement', (dry) => ({
    experts: checked('refine-people'), blind_share: num('refine-blind'), plant_share: num('refine-plant'),
    seed: num('refine-seed') || 0, dry_run: dry,
  }), showRefine, reloadPeople);
}

export function load(users) {
  peopleChecks('assign-people', users, ['annotator'], 'annotators');
  peopleChecks('refine-people', users, ['expert', 'admin'], 'experts');
}

