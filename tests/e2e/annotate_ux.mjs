// annotate_ux.mjs - the annotation page (stage ii) as an annotator uses it,
// in Debian's chromium driven by playwright-core (see annotate_ux.sh):
//   A  layout: the five proposals of a group fit a 1366x768 window, the top
//      bar stays one line at 1024 wide, no file name under the image
//   B  a held key toggles once
//   C  "None of these" clicked with the mouse, then Enter: saves and moves on
//   D  class search: Enter picks, the list stays inside the window, the next
//      Enter saves and moves on (no page error)
//   E  the server is killed (-9) during a save: "failed — retrying", then it
//      is restarted and the page saves by itself
//   F  a change left unsent on one image is sent after reopening the page
//      at another
//   G  a failed image load keeps the shown image and can be retried
//   H  an expired session goes to /login without a "leave the page?" prompt;
//      the change is saved after logging in again
//
//   node annotate_ux.mjs MLFY PROJECT TMPDIR ARTIFACTS
// Accounts as made by tests/serve/lib.sh (password of NAME: NAME-password-1).
import { chromium } from 'playwright-core';
import { gotoAfterOutage } from './lib.mjs';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const [mlfy, project, tmp, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const step = (msg) => console.log('e2e-ux: ' + msg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---- the server: started, killed and restarted on the same port ------------- */
let server = null, port = 0;
async function startServer(extra = []) {
  for (let attempt = 0; ; attempt++) {
    const child = spawn(mlfy, ['serve', project, '--listen', `127.0.0.1:${port}`, '--threads', '2',
      '--access-log', join(tmp, 'ux-access.log'), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stderr.on('data', (d) => { err += d; });
    const ok = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), 15000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
        if (m) { port = Number(m[1]); clearTimeout(t); resolve(true); }
      });
      child.on('exit', () => { clearTimeout(t); resolve(false); });
    });
    if (ok) { server = child; return; }
    child.kill('SIGKILL');
    /* the port of a killed server can take a moment to be free */
    if (attempt >= 20 || !/cannot listen/.test(err)) throw new Error('mlfy serve did not start: ' + err);
    await sleep(250);
  }
}
function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}
async function killServer() { const c = server; server = null; c.kill('SIGKILL'); await exited(c); }
async function stopServer() {
  const c = server; server = null;
  c.kill('SIGTERM');
  assert.equal(await exited(c), 0, 'mlfy serve exits 0 after SIGTERM');
}
const base = () => `http://127.0.0.1:${port}`;

/* ---- the store ------------------------------------------------------------------ */
function sql(q) {
  return execFileSync('sqlite3', ['-readonly', project, q], { encoding: 'utf8' }).trim();
}
/* the current stage-ii set of (image, user) as "1,5,9" ('' = empty set, null = none saved) */
function storedSet(imageId, user) {
  const v = sql(`SELECT n.version, COALESCE((SELECT group_concat(class_idx, ',') FROM
    (SELECT class_idx FROM annotation_labels WHERE annotation_id = n.id ORDER BY class_idx)), '')
    FROM annotations n JOIN annotators u ON u.id = n.annotator_id
    WHERE n.image_id = ${imageId} AND u.name = '${user}' AND n.stage = 'annotate'
    ORDER BY n.version DESC LIMIT 1`);
  return v === '' ? null : v.split('|')[1];
}
const setOf = (...c) => [...c].sort((a, b) => a - b).join(',');
async function until(what, fn, ms = 20000) {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for ' + what);
    await sleep(200);
  }
}

/* ---- the page -------------------------------------------------------------------- */
const browser = await chromium.launch({
  executablePath: process.env.MLFY_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
let failed = false;
const dialogs = [];

async function login(page, user) {
  await page.fill('#user', user);
  await page.fill('#password', user + '-password-1');
  await page.press('#password', 'Enter');
  await page.waitForURL(/\/annotate/);
  await page.waitForSelector('.prop');
}
const position = async (page) => (await page.textContent('#position')).trim();
const saveState = async (page) => (await page.textContent('#save-state')).trim();
/* the task shown (the URL's #id) and the task list, read from the API with the page's session */
const task = (page) => page.evaluate(async () => (await fetch('/api/tasks/' + location.hash.slice(1) + '?stage=annotate')).json());
const taskList = (page) => page.evaluate(async () => (await fetch('/api/tasks?stage=annotate')).json());
async function waitSaved(page) {
  await page.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent));
}
async function waitPosition(page, n) {
  await page.waitForFunction((k) => document.getElementById('position').textContent.startsWith(`image ${k} /`), n);
}

try {
  await startServer();
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { console.error('page error: ' + e.message); failed = true; });
  /* a "leave the page?" prompt is answered "leave" (F reloads while a save is failing) */
  page.on('dialog', async (d) => { dialogs.push(d.type()); await d.accept(); });

  step('A: layout at 1366x768 and 1024x768; no file name under the image');
  await page.goto(base() + '/login');
  await login(page, 'ann1');
  await page.waitForFunction(() => document.getElementById('photo').complete);
  const t1 = await task(page);
  const cards = await page.$$eval('.prop:not([hidden])', (els) => els.map((e) => e.getBoundingClientRect().bottom));
  assert.equal(cards.length, 5, 'a group of five');
  assert.ok(Math.max(...cards) <= 768, `all five proposals visible at 1366x768 (bottoms ${cards.map(Math.round)})`);
  const caption = await page.textContent('#image-name');
  assert.match(caption, /^image #\d+$/);
  assert.ok(!('name' in t1.image), 'the stage-ii reply carries no file name (which may hold the label)');
  assert.ok(!('batch' in t1.image), 'nor a batch number (a gold task comes from another batch)');
  await page.screenshot({ path: join(artifacts, 'ux-1366.png') });
  await page.setViewportSize({ width: 1024, height: 768 });
  const bar = await page.$eval('.topbar', (e) => e.getBoundingClientRect().height);
  assert.ok(bar < 50, `the top bar is one line at 1024 wide (${bar} px)`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling');
  await page.screenshot({ path: join(artifacts, 'ux-1024.png') });
  await page.setViewportSize({ width: 1366, height: 768 });

  step('B: a held key toggles once');
  await page.keyboard.down('1');
  await page.keyboard.down('1');   /* auto-repeat */
  await page.keyboard.down('1');
  await page.keyboard.up('1');
  await waitSaved(page);
  assert.equal(storedSet(t1.image.id, 'ann1'), String(t1.proposals[0].class));

  step('C: "None of these" by mouse, then Enter saves the empty set and moves on');
  await page.click('#none');
  await page.waitForFunction(() => document.getElementById('none').classList.contains('on'));
  await waitSaved(page);
  await page.keyboard.press('Enter');
  await waitPosition(page, 2);
  assert.equal(storedSet(t1.image.id, 'ann1'), '', 'image 1: explicit empty set');

  step('D: class search; Enter picks, the next Enter saves and moves on');
  const t2 = await task(page);
  const inProps = new Set(t2.proposals.map((p) => p.class));
  let outside = 0;
  while (inProps.has(outside)) outside++;
  await page.keyboard.press('/');
  await page.keyboard.type(String(outside));
  await page.waitForSelector('#search-results li');
  const list = await page.$eval('#search-results', (e) => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; });
  assert.ok(list[0] >= 0 && list[1] <= 768, `the result list is inside the window (${list.map(Math.round)})`);
  await page.keyboard.press('Enter');
  await waitSaved(page);
  assert.notEqual(await page.evaluate(() => document.activeElement.id), 'search', 'the search box gives the keys back');
  await page.keyboard.press('Enter');
  await waitPosition(page, 3);
  assert.equal(storedSet(t2.image.id, 'ann1'), String(outside));
  assert.equal(sql(`SELECT l.source FROM annotation_labels l JOIN current_annotations n ON n.id = l.annotation_id
    WHERE n.image_id = ${t2.image.id} AND n.stage = 'annotate' AND l.class_idx = ${outside}
    AND n.annotator_id = (SELECT id FROM annotators WHERE name = 'ann1')`), 'search');

  step('E: the server is killed during a save; restarted, the page saves by itself');
  const t3 = await task(page);
  const [a, b, c, d] = t3.proposals.map((p) => p.class);
  await page.keyboard.press('1');
  await waitSaved(page);
  await killServer();
  await page.keyboard.press('2');
  await page.waitForFunction(() => /failed/.test(document.getElementById('save-state').textContent));
  assert.ok(await page.isVisible('#retry'), 'a retry link');
  await page.screenshot({ path: join(artifacts, 'ux-save-failed.png') });
  assert.equal(storedSet(t3.image.id, 'ann1'), String(a));
  await startServer();
  await page.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent), null,
    { timeout: 40000 });
  assert.equal(storedSet(t3.image.id, 'ann1'), setOf(a, b), 'saved after the restart without a click');
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing left unsent');

  step('F: a change left unsent on image 3 is sent after reopening the page at image 4');
  const id4 = (await taskList(page)).ids[3];
  await killServer();
  await page.keyboard.press('3');
  await page.waitForFunction(() => /failed/.test(document.getElementById('save-state').textContent));
  /* reopened without #id, the page starts at the first image without a
   * decision: image 4, not the one with the unsent change */
  await page.goto(base() + '/annotate').catch(() => { /* the server is down */ });
  await startServer();
  await gotoAfterOutage(page, base() + '/annotate');
  await page.waitForSelector('.prop');
  assert.match(await position(page), /^image 4 \//);
  await until('image 3 sent in the background', () => storedSet(t3.image.id, 'ann1') === setOf(a, b, c));
  await until('localStorage emptied', () => page.evaluate(() => localStorage.length === 0));
  const tasks = await taskList(page);
  assert.equal(tasks.done[2], 1, 'image 3 has a saved decision');
  await page.waitForFunction((n) => document.getElementById('progress-text').textContent === `${n} done`, tasks.n_done);

  step('G: a failed image load keeps the shown image and can be retried');
  await page.keyboard.press('n');
  await waitSaved(page);
  await killServer();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => /cannot load image 3/.test(document.getElementById('save-state').textContent));
  assert.match(await position(page), /^image 4 \//, 'the position still names the image shown');
  assert.equal(await page.evaluate(() => location.hash), '#' + id4);
  await startServer();
  await page.click('#retry');
  await waitPosition(page, 3);
  await page.waitForSelector('.prop.checked');

  step('H: an expired session goes to /login without a prompt; the change is saved after logging in');
  /* the session ends on the server while it runs (as an idle timeout ends
   * it; a short --idle-timeout is not used: images are revalidated on every
   * use, so the page's own requests can keep a session of a few seconds
   * alive, and a restart makes the page's image requests fail meanwhile) */
  await sleep(1000);
  execFileSync('sqlite3', [project, 'DELETE FROM sessions'], { encoding: 'utf8' });
  dialogs.length = 0;
  await page.keyboard.press('4');
  await page.waitForURL(/\/login\?next=/);
  assert.deepEqual(dialogs, [], 'no "leave the page?" prompt');
  await login(page, 'ann1');
  assert.match(await position(page), /^image 3 \//, 'back at the image');
  await waitSaved(page);
  assert.equal(storedSet(t3.image.id, 'ann1'), setOf(a, b, c, d), 'the change made as the session expired');
  await ctx.close();
  await stopServer();
  console.log('e2e-ux: ok');
} catch (e) {
  console.error('e2e-ux: FAILED: ' + (e.stack || e));
  failed = true;
} finally {
  await browser.close();
  if (server) { server.kill('SIGKILL'); await exited(server); }
}
process.exit(failed ? 1 : 0);
