/* login.js - the login form: POST /api/login, then go to the role's page
 * (or the page that sent us here). */
'use strict';

document.getElementById('user').focus();

document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const errBox = document.getElementById('login-error');
  const btn = document.getElementById('login-btn');
  errBox.hidden = true;
  btn.disabled = true;
  try {
    const me = await mlfy.api('POST', '/api/login', {
      user: document.getElementById('user').value.trim(),
      password: document.getElementById('password').value,
    }, { noRedirect: true });
    const next = new URLSearchParams(location.search).get('next');
    /* only same-site paths: never an absolute URL from the query string */
    const safe = next && /^\/(annotate|refine|admin)(#\d+)?$/.test(next) ? next : me.home;
    location.href = safe;
  } catch (e) {
    errBox.textContent = e.status === 429
      ? 'Too many failed attempts. Wait ' + ((e.body && e.body.retry_after) || 'a few') + ' seconds and try again.'
      : e.status === 401 ? 'Wrong user name or password.' : 'Login failed: ' + e.message;
    errBox.hidden = false;
    document.getElementById('password').select();
  } finally {
    btn.disabled = false;
  }
});
