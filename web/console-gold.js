/* console-gold.js - the Gold and Zero-label sections: gold images from an
 * uploaded label file or from the refined images, their list and removal;
 * the images whose empty final set awaits a review, the reviews by
 * category and verdict, and recording a review. */
import { $, el, bdi, fmt } from './dom.js';
import { api, currentUser } from './api.js';
import { fillTable, say, act } from './console-util.js';
import { labelOf } from './vocab.js';

let vocab = null;

export async function loadGold() {
  const r = await api('GET', '/api/admin/gold');
  fillTable('gold-table', r.gold.map((g) => [bdi(g.image), g.labels.length ? g.labels.join(' ') : '(empty set)', g.tasks, g.answered, bdi(g.source),
    el('button', { type: 'button', text: 'Remove', 'aria-label': 'Remove ' + g.image + ' from gold', onclick: async (ev) => {
      if (!window.confirm(`Stop ${g.image} being gold? Its unanswered gold tasks are dropped.`)) return;
      const x = await act(ev.target, 'gold-out', () => api('POST', '/api/admin/gold/remove', { images: [g.image] }));
      if (x) { say('gold-out', `${g.image} is no longer gold; ${x.dropped_tasks} unanswered gold task${x.dropped_tasks === 1 ? '' : 's'} dropped.`, 'ok'); await loadGold(); $('gold-table').focus(); }
    } })]), 'No gold images yet.');
}

async function upload() {
  const f = $('gold-file').files[0];
  if (!f) { say('gold-out', 'Choose a label file first.', 'warn'); $('gold-file').focus(); return; }
  if (f.size > 256 * 1024) { say('gold-out', `${f.name} is ${fmt(f.size)} bytes; uploads are limited to 256 KiB (use mlfy gold add on the server).`, 'error'); return; }
  const text = await f.text();
  const r = await act($('gold-upload'), 'gold-out', async () => {
    const res = await fetch('/api/admin/gold/add?file=' + encodeURIComponent(f.name), {
      method: 'POST', credentials: 'same-origin', body: text,
      headers: { 'Content-Type': f.name.endsWith('.json') ? 'application/json' : 'text/csv', 'X-CSRF-Token': currentUser().csrf },
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) { const e = new Error((data && data.error) || 'HTTP ' + res.status); e.status = res.status; throw e; }
    return data;
  });
  if (r) { say('gold-out', `${f.name}: ${r.added} gold image${r.added === 1 ? '' : 's'} added, ${r.replaced} replaced.`, 'ok'); await loadGold(); }
}

async function fromFinal() {
  const r = await act($('gold-final'), 'gold-out', () => api('POST', '/api/admin/gold/add?from_final=1'));
  if (r) { say('gold-out', `${r.added} refined images became gold; ${r.kept} were gold already (kept).`, 'ok'); await loadGold(); }
}

function reviewForm(p) {
  const cat = el('select', { 'aria-label': 'Why no label of ' + p.image + ' is valid' },
    el('option', { value: '', text: 'why no label fits…' }),
    ...vocab.zero_label.categories.map((c) => el('option', { value: c.name, text: c.label })));
  const ver = el('select', { 'aria-label': 'Verdict on the original label of ' + p.image },
    el('option', { value: '', text: 'the original label is…' }),
    ...vocab.zero_label.verdicts.map((c) => el('option', { value: c.name, text: c.label })));
  const btn = el('button', { type: 'button', text: 'Record', 'aria-label': 'Record the review of ' + p.image });
  btn.addEventListener('click', async () => {
    if (!cat.value || !ver.value) { say('zero-note', 'Choose both why no label fits and the verdict first.', 'warn'); (cat.value ? ver : cat).focus(); return; }
    const r = await act(btn, 'zero-note', () => api('POST', '/api/admin/zero-label', { image: p.image, category: cat.value, verdict: ver.value }));
    if (r) { say('zero-note', `Review of ${p.image} recorded.`, 'ok'); await loadZero(); $('zero-pending').focus(); }
  });
  return el('span', { class: 'row-actions' }, cat, ver, btn);
}

export async function loadZero(v) {
  if (v) vocab = v;
  const z = await api('GET', '/api/admin/zero-label');
  $('zero-summary').textContent = `${fmt(z.empty_sets)} decided image${z.empty_sets === 1 ? ' has' : 's have'} an empty final set; ${fmt(z.reviewed)} reviewed, ${fmt(z.pending_total)} awaiting a review.`;
  fillTable('zero-category', z.by_category.map((c) => [labelOf(vocab.zero_label.categories, c.name), c.images]));
  fillTable('zero-verdict', z.by_verdict.map((c) => [labelOf(vocab.zero_label.verdicts, c.name), c.images]));
  fillTable('zero-pending', z.pending.map((p) => [el('a', { href: `/api/images/${p.id}?size=display`, target: '_blank', rel: 'noopener' }, bdi(p.image)),
    p.original || 'none', reviewForm(p)]), 'None awaiting a review.');
}

export function init() {
  $('gold-upload').addEventListener('click', upload);
  $('gold-final').addEventListener('click', fromFinal);
}
