/* api.js - the JSON API client every page uses: requests with the session
 * cookie and the CSRF header, the logged-in user (GET /api/me), logging out,
 * and sending the page to /login when the session has ended.  The user and
 * the "leaving" flag are this module's state. */
import { $, bdi } from './dom.js';

let me = null;          /* GET /api/me's reply: {user, role, csrf, home, idle_timeout} */
let leaving = false;    /* the page is being sent to /login */

export const currentUser = () => me;

/* true once a 401 sent the page to /login: pages keep unsent work locally
 * instead of asking "leave the page?" */
export const isLeaving = () => leaving;

/* fetch JSON; throws an Error with .status and .body on a non-2xx reply.
 * opts: keepalive, signal, noRedirect (a 401 does not go to /login). */
export async function api(method, url, body, opts) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && me && me.csrf) headers['X-CSRF-Token'] = me.csrf;
  const res = await fetch(url, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
    keepalive: !!(opts && opts.keepalive),
    signal: opts && opts.signal,
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && !(opts && opts.noRedirect)) {
    leaving = true;
    location.href = '/login?next=' + encodeURIComponent(location.pathname + location.hash);
  }
  if (!res.ok) {
    const err = new Error((data && data.error) || ('HTTP ' + res.status));
    err.status = res.status;
    err.body = data;
    throw err;
  }
  return data;
}

/* POST /api/login; resolves to the user (as /api/me) */
export async function login(user, password) {
  me = await api('POST', '/api/login', { user, password }, { noRedirect: true });
  return me;
}

/* A page with unsent work registers how to deal with it before logging out
 * (sync.js): an async function that resolves to false to stay logged in. */
let beforeLogout = null;
export function onLogout(fn) { beforeLogout = fn; }

/* Logging out ends the session; the reply also clears what this browser
 * kept for the site (Clear-Site-Data: cached images, localStorage): a lab
 * computer is shared, and the next person must not see this person's images
 * or send their unsent changes. */
export async function logout() {
  if (beforeLogout && !(await beforeLogout())) return;
  try { await api('POST', '/api/logout', {}); } catch (e) { /* already gone */ }
  leaving = true;
  location.href = '/login';
}

/* the logged-in user, or a redirect to /login; fills the top bar's #who and
 * wires its #logout button when the page has them */
export async function requireLogin() {
  me = await api('GET', '/api/me');
  const who = $('who');
  if (who) who.replaceChildren(bdi(me.user), ' (' + me.role + ')');
  const out = $('logout');
  if (out) out.addEventListener('click', logout);
  return me;
}
