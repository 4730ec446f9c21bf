/* login.js - the login page: the form's POST /api/login, then the role's
 * page (or the page that sent the user here, when it is one of ours). */
import { $ } from './dom.js';
import { login } from './api.js';

$('user').focus();

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const errBox = $('login-error');
  const btn = $('login-btn');
  errBox.hidden = true;
  btn.disabled = true;
  try {
    const me = await login($('user').value.trim(), $('password').value);
    const next = new URLSearchParams(location.search).get('next');
    /* only same-site paths: never an absolute URL from the query string */
    location.href = next && /^\/(annotate|refine|admin)(#\d+)?$/.test(next) ? next : me.home;
  } catch (e) {
    errBox.textContent = e.status === 429
      ? 'Too many failed attempts. Wait ' + ((e.body && e.body.retry_after) || 'a few') + ' seconds and try again.'
      : e.status === 401 ? 'Wrong user name or password.' : 'Login failed: ' + e.message;
    errBox.hidden = false;
    $('password').select();
  } finally {
    btn.disabled = false;
  }
});
