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
    /* a session that ended under a working page (account disabled, password
     * changed, expired) is explained on the login page (ended=1) */
    location.href = '/login?next=' + encodeURIComponent(location.pathname + location.hash) + (me ? '&ended=1' : '');
  }
  if (!res.ok) {
    const err = new Error((data && data.error) || ('HTTP ' + res.status));
    err.status = res.status;
    err.body = data;
    throw err;
  }
  return data;
}

/* A refusal of a task that no retry can change: the image is not (or no
 * longer) one of this user's tasks (403 "not in your … tasks"), does not
 * exist (404), or is closed because it was decided (409 {"closed": true},
 * or a 409 without the newer annotation that says so).  Other 403s (CSRF,
 * role) and a 409 with the newer version are not about the image. */
export function refusedForGood(e) {
  if (!e || !e.status) return false;
  const msg = String(e.message || '');
  if (e.status === 403) return /not in your .*tasks/.test(msg);
  if (e.status === 404 || e.status === 410) return true;
  if (e.status === 409) return !!(e.body && (e.body.closed || (!e.body.annotation && /decided|closed/i.test(msg))));
  return false;
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
  try {
    await api('POST', '/api/logout', {}, { noRedirect: true });
  } catch (e) {
    /* 401: the session had already ended.  Anything else (the server
     * unreachable, a 5xx) leaves the session open: going to /login then
     * would leave the next person at this computer logged in as this one
     * (QA, issue 12) */
    if (e.status !== 401) {
      window.alert('Could not log out: ' + (e.status ? e.message : 'the server cannot be reached') +
        '. You are still logged in on this computer; try again when the server is back (or close the browser).');
      return;
    }
  }
  leaving = true;
  location.href = '/login';
}

/* the logged-in user, or a redirect to /login; fills the top bar's #who and
 * wires its #logout button when the page has them */
export async function requireLogin() {
  me = await api('GET', '/api/me');
  const who = $('who');
  if (who) who.replaceChildren(bdi(me.user), ' (' + me.role + ')');
  /* the project's name (mlfy init --name) beside the brand and in the title */
  const brand = document.querySelector('.brand');
  if (brand && me.project && !brand.dataset.project) {
    brand.dataset.project = me.project;
    brand.append(' \u00b7 ', bdi(me.project));
    document.title = document.title + ' \u2014 ' + me.project;
  }
  const out = $('logout');
  if (out) out.addEventListener('click', logout);
  return me;
}
