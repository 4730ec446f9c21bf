/* common.js - what every page shares: the JSON API client (session cookie +
 * CSRF header), the current user, and small DOM helpers. */
'use strict';

const mlfy = {
  me: null,
  leaving: false,           /* set when the page is being sent to /login */

  /* fetch JSON; throws an Error with .status and .body on non-2xx */
  async api(method, url, body, opts) {
    const headers = { 'Accept': 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && mlfy.me && mlfy.me.csrf) headers['X-CSRF-Token'] = mlfy.me.csrf;
    const res = await fetch(url, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      keepalive: !!(opts && opts.keepalive),
      signal: opts && opts.signal,
    });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 401 && !(opts && opts.noRedirect)) {
      mlfy.leaving = true;   /* pages keep unsent work locally instead of asking to stay */
      location.href = '/login?next=' + encodeURIComponent(location.pathname + location.hash);
    }
    if (!res.ok) {
      const err = new Error((data && data.error) || ('HTTP ' + res.status));
      err.status = res.status;
      err.body = data;
      throw err;
    }
    return data;
  },

  /* the logged-in user, or a redirect to /login */
  async requireLogin() {
    mlfy.me = await mlfy.api('GET', '/api/me');
    const who = document.getElementById('who');
    if (who) who.textContent = mlfy.me.user + ' (' + mlfy.me.role + ')';
    const out = document.getElementById('logout');
    if (out) out.addEventListener('click', mlfy.logout);
    return mlfy.me;
  },

  async logout() {
    try { await mlfy.api('POST', '/api/logout', {}); } catch (e) { /* already gone */ }
    location.href = '/login';
  },

  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },

  fmt(n) { return Number(n).toLocaleString('en-US'); },
};
