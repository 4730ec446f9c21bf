/* login.js - the login page: the form's POST /api/login, then the role's
 * page (or the page that sent the user here, when it is one of ours). */
import { $ } from './dom.js';
import { login } from './api.js';

/* from an invitation (invite.js: /login?user=NAME): the name is known */
const invited = new URLSearchParams(location.search).get('user');
if (invited && /^[A-Za-z0-9._-]{1,64}$/.test(invited)) {
  $('user').value = invited;
  $('password').focus();
} else {
  $('user').focus();
}

/* sent here by a page whose session ended under it (api.js adds ended=1):
 * say why the login form is back, and what to do */
if (new URLSearchParams(location.search).get('ended') === '1') {
  $('login-note').textContent = 'Your session ended (account disabled, password changed, or it expired); '
    + 'log in again or ask the coordinator.';
  $('login-note').hidden = false;
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/* POST /api/login; while the server answers 503 (its queue of password
 * checks is full, e.g. during a flood of logins), waits its Retry-After and
 * tries again, a few times, saying so. */
async function loginPatiently(user, password, errBox) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await login(user, password);
    } catch (e) {
      if (e.status !== 503 || attempt >= 5) throw e;
      const wait = Math.min(10, Number((e.body && e.body.retry_after) || 1));
      errBox.textContent = 'The server is busy with other logins; trying again in ' + wait + ' s…';
      errBox.hidden = false;
      await sleep(wait * 1000);
    }
  }
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const errBox = $('login-error');
  const btn = $('login-btn');
  errBox.hidden = true;
  btn.disabled = true;
  try {
    const me = await loginPatiently($('user').value.trim(), $('password').value, errBox);
    const next = new URLSearchParams(location.search).get('next');
    /* only same-site paths: never an absolute URL from the query string */
    location.href = next && /^\/(annotate|refine|admin|verify)(#\d+|#[a-z-]+)?$/.test(next) ? next : me.home;
  } catch (e) {
    errBox.textContent = e.status === 429
      ? 'Too many attempts. Wait ' + ((e.body && e.body.retry_after) || 'a few') + ' seconds and try again.'
      : e.status === 401 ? 'Wrong user name or password.' : 'Login failed: ' + e.message;
    errBox.hidden = false;
    $('password').select();
  } finally {
    btn.disabled = false;
  }
});
