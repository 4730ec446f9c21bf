/* console-util.js - what the console's sections share: a proportion with
 * its 95 % interval as text, a progress bar, a table body filled from
 * rows, a message box, and running an action with its button disabled and
 * its error shown.  No state. */
import { $, el, fmt } from './dom.js';

/* {p, lo, hi, k, n} (evaluate/proportion_json.c) as "71.2 % (65.0–76.6)" */
export function pci(p) {
  if (!p || p.p === null || p.p === undefined || !p.n) return '–';
  const f = (x) => (100 * x).toFixed(1);
  return `${f(p.p)} % (${f(p.ci_low ?? p.lo)}–${f(p.ci_high ?? p.hi)})`;
}

export function bar(done, total) {
  const pct = total ? (100 * done) / total : 0;
  const b = el('span', { class: 'progress-bar' });
  b.style.width = pct + '%';
  return el('span', { class: 'progress wide', role: 'img', 'aria-label': `${done} of ${total} done (${pct.toFixed(0)} %)`, title: pct.toFixed(1) + '%' }, b);
}

/* rows: arrays of cells (text, numbers or nodes); numbers align right */
export function fillTable(id, rows, empty) {
  const tb = $(id).querySelector('tbody');
  const cols = $(id).querySelectorAll('thead th').length;
  tb.replaceChildren(...rows.map((r) => el('tr', {}, ...r.map((c) =>
    el('td', { class: typeof c === 'number' ? 'num' : null }, typeof c === 'number' ? fmt(c) : c)))));
  if (!rows.length && empty) tb.append(el('tr', {}, el('td', { colspan: cols, class: 'muted', text: empty })));
  /* a column of numbers has its heading on the right too */
  if (rows.length) for (const [i, th] of [...$(id).querySelectorAll('thead th')].entries()) th.classList.toggle('num', typeof rows[0][i] === 'number');
}

/* a message in box id: kind '' (info), 'ok', 'warn' or 'error' */
export function say(id, text, kind) {
  const b = $(id);
  b.replaceChildren(el('p', { class: 'banner ' + (kind || ''), role: kind === 'error' ? 'alert' : 'status' }, text));
  b.hidden = false;
}

/* runs fn with btn disabled; an error goes to box id and returns null */
export async function act(btn, box, fn) {
  btn.disabled = true;
  try {
    return await fn();
  } catch (e) {
    say(box, e.status ? e.message : 'The server cannot be reached: ' + e.message, 'error');
    return null;
  } finally {
    btn.disabled = false;
  }
}

/* checkboxes for accounts of the given roles into container id */
export function peopleChecks(id, users, roles, name) {
  const box = $(id);
  const picked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
  box.replaceChildren(...users.filter((u) => roles.includes(u.role) && !u.disabled).map((u) =>
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name, value: u.name, checked: picked.has(u.name) }),
      ' ' + u.name)));
  if (!box.childElementCount) box.append(el('span', { class: 'muted small', text: 'No enabled account with this role yet (People).' }));
}

export const checked = (id) => [...$(id).querySelectorAll('input:checked')].map((i) => i.value);
