// lib.mjs - what the browser tests (tests/e2e/*.mjs) share: Debian's chromium
// launched by playwright-core, logging in, navigating once a stopped server
// is back, the project's tables (sqlite3 CLI), stage-ii saves through the
// API, and axe-core run inside a page.  Not a test itself.
import { chromium, request } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/* playwright-core gives each browser a fresh temporary profile (--user-data-dir) */
export function launch() {
  return chromium.launch({
    executablePath: process.env.MLFY_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
  });
}

/* a new page whose script errors fail the test (failures: an array the caller reports) */
export async function newPage(browser, failures, viewport = { width: 1366, height: 768 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => failures.push('page error: ' + e.message));
  return page;
}

/* page.goto(url) once a server that was down is back: a goto made while it
 * was down ends in Chromium's error page, whose own navigation can commit
 * after that goto has already failed and interrupt the next goto ("is
 * interrupted by another navigation to chrome-error://chromewebdata/");
 * such an interrupted or refused goto is tried again, up to `tries` times,
 * 250 ms apart.  Any other error is thrown at once. */
export async function gotoAfterOutage(page, url, tries = 20) {
  for (let i = 1; ; i++) {
    try {
      return await page.goto(url);
    } catch (e) {
      const transient = /interrupted by another navigation|ERR_CONNECTION_REFUSED|ERR_ABORTED/.test(e.message);
      if (!transient || i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/* logs in through the form; resolves once the role's page has its first content */
export async function login(page, base, user, path = '/login') {
  await page.goto(base + path);
  await page.fill('#user', user);
  await page.fill('#password', user + '-password-1');
  await page.press('#password', 'Enter');
  await page.waitForURL((u) => /^\/(annotate|refine|admin)$/.test(u.pathname));
}

export function sql(project, q) {
  return execFileSync('sqlite3', ['-readonly', project, q], { encoding: 'utf8' }).trim();
}

export function mlfy(...args) {
  return execFileSync(process.env.MLFY, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/* An API session of `user` (no browser): get(path), put(path, body). */
export async function apiSession(base, user) {
  const ctx = await request.newContext({ baseURL: base });
  const r = await ctx.post('/api/login', { data: { user, password: user + '-password-1' } });
  if (!r.ok()) throw new Error(`login ${user}: HTTP ${r.status()}`);
  const { csrf } = await r.json();
  const call = async (method, path, body) => {
    const res = await ctx.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': csrf } });
    if (!res.ok()) throw new Error(`${method} ${path}: HTTP ${res.status()} ${await res.text()}`);
    return res.json();
  };
  return {
    get: (path) => call('GET', path),
    put: (path, body) => call('PUT', path, body),
    close: () => ctx.dispose(),
  };
}

/* Stage ii for the first image of ann1's list: ann1 ticks proposal 1, ann2
 * proposal 2; then `mlfy analyze` queues it and `mlfy assign-refinement`
 * gives it to the expert.  Returns the image id. */
export async function disagreeAndQueue(base, project) {
  const a = await apiSession(base, 'ann1'), b = await apiSession(base, 'ann2');
  const id = (await a.get('/api/tasks?stage=annotate')).ids[0];
  const t = await a.get(`/api/tasks/${id}?stage=annotate`);
  const save = async (s, c) => {
    const mine = await s.get(`/api/tasks/${id}?stage=annotate`);
    await s.put(`/api/tasks/${id}/annotation`, {
      stage: 'annotate', base_version: mine.annotation ? mine.annotation.version : 0,
      labels: [{ class: c, source: 'proposal' }], comment: '', seconds: 1,
    });
  };
  await save(a, t.proposals[0].class);
  await save(b, t.proposals[1].class);
  await a.close();
  await b.close();
  mlfy('analyze', project);
  mlfy('assign-refinement', project, '--experts', 'expert');
  return id;
}

/* ---- axe-core ---------------------------------------------------------------- */

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/* Runs axe-core (WCAG 2.0/2.1 A and AA rules and best practices) on the page
 * as it is now.  The source goes in through the debugger protocol
 * (page.evaluate), which the page's CSP (script-src 'self') does not govern,
 * so the page is checked under its real headers.  Returns
 * { counts: {critical, serious, moderate, minor}, violations: [{id, impact, help, nodes}] }. */
export async function axeRun(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    /* eslint-disable-next-line no-undef */
    const r = await axe.run(document, { resultTypes: ['violations'] });
    const counts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
    for (const v of r.violations) counts[v.impact] = (counts[v.impact] || 0) + 1;
    return {
      counts,
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 6).map((n) => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\n').slice(1).join(' ').trim() : '')),
      })),
    };
  });
}

/* ---- contrast (WCAG 2.1: relative luminance, ratio (L1 + 0.05) / (L2 + 0.05)) -- */

/* For every visible form control (text inputs, search, textarea, select,
 * checkbox) and focusable button/link: the contrast of its border against
 * the colour behind it (WCAG 1.4.11, 3:1), and of its focus outline when
 * focused by keyboard (2.4.7 / 1.4.11, 3:1).  Returns a list of failures
 * "selector: what ratio". */
export async function nonTextContrast(page) {
  return page.evaluate(async () => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (x, y) => { const a = lum(x), b = lum(y); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
    const over = (top, under) => ({
      r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a), a: 1,
    });
    /* the opaque colour behind el: its ancestors' backgrounds composited */
    const behind = (el) => {
      const layers = [];
      for (let e = el.parentElement; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
      }
      let col = { r: 255, g: 255, b: 255, a: 1 };
      for (const c of layers.reverse()) col = over(c, col);
      return col;
    };
    const name = (el) => el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
      + (el.type ? `[type=${el.type}]` : '');
    const out = [];
    const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
    const controls = [...document.querySelectorAll('input, textarea, select, button, a[href]')].filter(visible);
    for (const el of controls) {
      const cs = getComputedStyle(el);
      const bg = behind(el);
      const isField = /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && el.type !== 'checkbox';
      if (isField && parseFloat(cs.borderTopWidth) > 0) {
        const own = parse(cs.backgroundColor);
        /* the boundary that identifies the field: its border against the page
         * behind it, or its own fill when that alone stands out */
        const b = ratio(over(parse(cs.borderTopColor), bg), bg);
        const fill = own && own.a > 0 ? ratio(over(own, bg), bg) : 1;
        if (b < 3 && fill < 3) out.push(`${name(el)}: border ${b.toFixed(2)}:1 against its background`);
      }
    }
    /* the focus indicator, as the keyboard shows it */
    for (const el of controls) {
      if (el.disabled || el.tabIndex < 0) continue;
      el.focus({ focusVisible: true });
      if (document.activeElement !== el) continue;
      const cs = getComputedStyle(el);
      const w = parseFloat(cs.outlineWidth);
      if (cs.outlineStyle === 'none' || !(w > 0)) { out.push(`${name(el)}: no focus outline`); continue; }
      /* an outline drawn inside the element (negative offset) lies on the element's own background */
      let bg = behind(el);
      const own = parse(cs.backgroundColor);
      if (parseFloat(cs.outlineOffset) + w <= 0 && own && own.a > 0) bg = over(own, bg);
      const r = ratio(over(parse(cs.outlineColor), bg), bg);
      if (r < 3) out.push(`${name(el)}: focus outline ${r.toFixed(2)}:1`);
    }
    if (document.activeElement) document.activeElement.blur();
    return out;
  });
}
