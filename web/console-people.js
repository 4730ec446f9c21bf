/* console-people.js - the People section: accounts with their role, state
 * and invitation; create-and-invite, disable, enable, change role, reset.
 * An invitation's link is shown once, here, to be handed to the person. */
import { $, el, bdi } from './dom.js';
import { api, currentUser } from './api.js';
import { fillTable, say, act } from './console-util.js';

let users = [];
export const people = () => users;

function showLink(name, r, what) {
  const link = location.origin + '/invite#' + r.token;
  const box = $('invite-result');
  const input = el('input', { class: 'invite-link', readonly: true, value: link, 'aria-label': 'Invitation link for ' + name, id: 'invite-link' });
  const copy = el('button', { type: 'button', text: 'Copy', onclick: async () => {
    input.select();
    try { await navigator.clipboard.writeText(link); copy.textContent = 'Copied'; } catch (e) { document.execCommand('copy'); }
  } });
  box.className = 'banner ok';
  box.replaceChildren(el('p', {}, `${what} Send this link to `, bdi(name), ` (it works once, until ${r.expires_at}; it is not shown again):`),
    el('p', {}, input, ' ', copy));
  box.hidden = false;
  input.focus();
  input.select();
}

function stateOf(u) {
  if (u.disabled) return 'disabled';
  if (u.has_password) return 'active';
  return u.invite && u.invite.state === 'open' ? 'invited' : 'no password';
}

function inviteText(u) {
  if (!u.invite) return '–';
  const i = u.invite;
  return i.state === 'open' ? `open until ${i.expires_at}` : i.state;
}

async function change(u, action, role) {
  const box = 'invite-result';
  if (action === 'reset' && !window.confirm(u.has_password
    ? `Reset ${u.name}? Their password stops working and their sessions end; they get a new invitation link.`
    : `Make a new invitation link for ${u.name}? Their older link stops working.`)) return;
  if (action === 'disable' && !window.confirm(`Disable ${u.name}? They are logged out and cannot log in; their work is kept.`)) return;
  try {
    const r = await api('POST', '/api/admin/users/' + encodeURIComponent(u.name), { action, role });
    if (r.token) showLink(u.name, r, `Access of ${u.name} reset${r.note ? ' (' + r.note + ')' : ''}.`);
    else say(box, `${u.name}: ${action === 'role' ? 'role is now ' + role : action + 'd'}.`, 'ok');
  } catch (e) {
    say(box, e.message, 'error');
  }
  await load();
}

function actions(u) {
  const me = currentUser();
  const self = me && me.user === u.name;
  const sel = el('select', { 'aria-label': 'Role of ' + u.name, disabled: self },
    ...['annotator', 'expert', 'admin'].map((r) => el('option', { value: r, selected: r === u.role, text: r })));
  /* a keyboard's arrow on a closed select changes it: ask before a role changes */
  sel.addEventListener('change', () => {
    if (window.confirm(`Make ${u.name} ${sel.value}?`)) change(u, 'role', sel.value);
    else sel.value = u.role;
  });
  return el('span', { class: 'row-actions' }, sel,
    u.disabled ? el('button', { type: 'button', text: 'Enable', 'aria-label': 'Enable ' + u.name, onclick: () => change(u, 'enable') })
      : el('button', { type: 'button', text: 'Disable', 'aria-label': 'Disable ' + u.name, disabled: self,
        title: self ? 'not your own account' : null, onclick: () => change(u, 'disable') }),
    el('button', { type: 'button', text: u.has_password ? 'Reset' : 'New link', 'aria-label': (u.has_password ? 'Reset ' : 'New link for ') + u.name,
      disabled: self, title: self ? 'not your own account' : 'a new invitation link; sessions end', onclick: () => change(u, 'reset') }));
}

export async function load() {
  const r = await api('GET', '/api/admin/users');
  users = r.users;
  fillTable('people-table', users.map((u) => [bdi(u.name), u.role, stateOf(u), inviteText(u), u.created_at, actions(u)]), 'No accounts.');
  return users;
}

export function init() {
  $('invite-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('new-name').value.trim(), role = $('new-role').value;
    const btn = ev.submitter || $('invite-form').querySelector('button');
    const r = await act(btn, 'invite-result', () => api('POST', '/api/admin/users', { name, role }));
    if (r) {
      showLink(name, r, `Account ${name} (${role}) created.`);
      $('new-name').value = '';
      await load();
    }
  });
}
