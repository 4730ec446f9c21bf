/* invite.js - the invitee's page: /invite#TOKEN.  The token travels in the
 * URL fragment, which browsers never send to the server (so it is in no
 * access log); the page removes it from the address bar at once, checks it
 * (POST /api/invite/check), and sets the chosen password with it (POST
 * /api/invite), which uses the link up; then the login page, with the user
 * name filled in. */
import { $ } from './dom.js';
import { api } from './api.js';

/* as pasted: a mail program may add punctuation after the link or change
 * its case; the token itself is 64 hex digits */
const raw = location.hash.slice(1);
const token = (/^[0-9a-f]{64}(?![0-9a-f])/i.exec(raw) || [raw])[0].toLowerCase();
/* out of the address bar and the history: a shared screen or a later
 * visitor of this tab must not find a working link */
history.replaceState(null, '', '/invite');
/* another link opened in this tab changes only the fragment (no new page
 * load): start again with it */
window.addEventListener('hashchange', () => location.reload());

function fail(msg) {
  $('invite-intro').hidden = true;
  $('invite-error').replaceChildren(/[.!?]$/.test(msg) ? msg : msg + '.', ' If you have set your password already, ',
    Object.assign(document.createElement('a'), { href: '/login', textContent: 'log in' }), '.');
  $('invite-error').hidden = false;
  $('invite-form').hidden = true;
}

async function start() {
  if (!raw) {
    /* the page takes the code out of the address bar: a reload has none */
    fail('Open the invitation link again from the message the coordinator sent you (this page forgets its code once it is open).');
    return;
  }
  if (!/^[0-9a-f]{64}$/.test(token)) {
    fail('This invitation link is incomplete: copy the whole link the coordinator sent you.');
    return;
  }
  let who;
  try {
    who = await api('POST', '/api/invite/check', { token }, { noRedirect: true });
  } catch (e) {
    fail(e.status ? e.message : 'The server cannot be reached; try again in a moment.');
    return;
  }
  $('invite-intro').textContent = `You are invited to ${who.project} as ${who.role}. Choose your password.`;
  $('invite-user').value = who.user;
  $('invite-form').hidden = false;
  $('pw1').focus();
}

$('invite-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const box = $('invite-form-error');
  box.hidden = true;
  if ($('pw1').value !== $('pw2').value) {
    box.textContent = 'The two passwords differ.';
    box.hidden = false;
    $('pw2').select();
    return;
  }
  $('invite-btn').disabled = true;
  try {
    const r = await api('POST', '/api/invite', { token, password: $('pw1').value }, { noRedirect: true });
    location.href = r.login;
  } catch (e) {
    if (e.status === 404) { fail(e.message); return; }
    box.textContent = e.status ? e.message : 'The server cannot be reached; try again.';
    box.hidden = false;
  } finally {
    $('invite-btn').disabled = false;
  }
});

start();
