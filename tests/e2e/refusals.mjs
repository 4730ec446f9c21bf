// refusals.mjs - the annotation and refinement pages when the server cannot
// give them what they need or says no for good (see refusals.sh):
//   R3   an image whose file cannot be loaded (404): the page says "cannot
//        load image N" (status and alert) with a retry link; 1-5, N and Enter
//        save nothing (Enter repeats the message), → still goes on; retried
//        once the file is back, the image can be annotated; the same on /refine
//   R4   a saved set unticked: the status names the saved set that still
//        stands; a reload shows the stored set, not an empty one
//   R8a  the expert's open image leaves the refinement queue (403 "not in your
//        refinement tasks"): dropped from the list (counter), the status says
//        so, no retry link, the next image is shown
//   R8b  the annotator's batch is unassigned (403): the same
//   R8c  a save refused because the image is closed (409 {"closed": true}):
//        the same, also for a change waiting in the offline re-send queue
//   R12  an account disabled mid-session: the login page says the session ended
//   R13  a class search without a match says "no class matches '…'" (announced)
//
//   MLFY=path/to/mlfy node refusals.mjs BASE_URL PROJECT ARTIFACTS
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launch, newPage, login, sql, mlfy, apiSession } from './lib.mjs';

const [base, project, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const step = (msg) => console.log('refusals: ' + msg);
const failures = [];
/* one part of the test: a failure is recorded and the next part still runs */
async function section(name, fn) {
  step(name);
  try { await fn(); } catch (e) { failures.push(name + ': ' + (e.stack || e)); }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T = { timeout: 10000 };

/* a change to the project behind the server's back (what analyze, assign or an admin's tool would do) */
const write = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', project, q], { encoding: 'utf8' }).trim();
/* the current set of (image, user, stage) as "1,5,9" ('' = empty set, null = none saved) */
function storedSet(imageId, user, stage = 'annotate') {
  const v = sql(project, `SELECT n.version, COALESCE((SELECT group_concat(class_idx, ',') FROM
    (SELECT class_idx FROM annotation_labels WHERE annotation_id = n.id ORDER BY class_idx)), '')
    FROM annotations n JOIN annotators u ON u.id = n.annotator_id
    WHERE n.image_id = ${imageId} AND u.name = '${user}' AND n.stage = '${stage}'
    ORDER BY n.version DESC LIMIT 1`);
  return v === '' ? null : v.split('|')[1];
}
const text = async (page, sel) => (await page.textContent(sel)).trim();
const stage = (page) => (new URL(page.url()).pathname === '/refine' ? 'refine' : 'annotate');
const taskList = (page) => page.evaluate(async (s) => (await fetch('/api/tasks?stage=' + s)).json(), stage(page));
const task = (page) => page.evaluate(async (s) => (await fetch('/api/tasks/' + location.hash.slice(1) + '?stage=' + s)).json(),
  stage(page));
const shownId = (page) => page.evaluate(() => Number(location.hash.slice(1)));
const waitState = (page, re) => page.waitForFunction((src) => new RegExp(src).test(document.getElementById('save-state').textContent),
  re.source, T);
const waitPosition = (page, re) => page.waitForFunction((src) => new RegExp(src).test(document.getElementById('position').textContent),
  re.source, T);
/* "image 3 / 11" -> [3, 11] */
const position = async (page) => (await text(page, '#position')).match(/(\d+) \/ (\d+)/).slice(1).map(Number);
const localKeys = (page) => page.evaluate(() => Object.keys(localStorage));
/* the image of `id` answers 404 as a missing file does */
const missingFile = (page, id) => page.route(new RegExp(`/api/images/${id}\\?`), (r) => r.fulfill({
  status: 404, contentType: 'application/json', body: JSON.stringify({ error: 'image file is missing on the server' }),
}));
/* saves of image `id` answer as the server does for a decided image */
const closedImage = (page, id) => page.route(new RegExp(`/api/tasks/${id}/annotation$`), (r) => r.fulfill({
  status: 409, contentType: 'application/json',
  body: JSON.stringify({ error: `image ${id} is decided (agreed): stage ii is closed for it`, closed: true }),
}));
/* a page whose first image is `id` */
async function openAt(user, id, path = '/annotate') {
  const p = await newPage(browser, failures);
  await login(p, base, user, '/login?next=' + encodeURIComponent(path + (id ? '#' + id : '')));
  await p.waitForSelector('.prop');
  return p;
}

const browser = await launch();
let ids = [];            /* ann1's task list */
let pAnn2 = null;        /* ann2's page (R8b, then R12) */
try {
  /* stage ii on the first three images (ann1 and ann2 disagree), stage iii
   * queues them, and the expert gets them (R8a) */
  {
    const a = await apiSession(base, 'ann1'), b = await apiSession(base, 'ann2');
    ids = (await a.get('/api/tasks?stage=annotate')).ids;
    for (const id of ids.slice(0, 3)) {
      const t = await a.get(`/api/tasks/${id}?stage=annotate`);
      for (const [s, k] of [[a, 0], [b, 1]]) {
        await s.put(`/api/tasks/${id}/annotation`, {
          stage: 'annotate', base_version: 0, labels: [{ class: t.proposals[k].class, source: 'proposal' }], comment: '', seconds: 1,
        });
      }
    }
    await a.close();
    await b.close();
    mlfy('analyze', project);
    mlfy('assign-refinement', project, '--experts', 'expert');
  }

  await section('R3: an image whose file cannot be loaded', async () => {
    const bad = ids[4];
    const p = await newPage(browser, failures);
    await missingFile(p, bad);
    const puts = [];
    p.on('request', (r) => { if (r.method() === 'PUT') puts.push(r.url()); });
    await login(p, base, 'ann1', '/login?next=' + encodeURIComponent('/annotate#' + bad));
    await p.waitForSelector('.prop');
    await waitState(p, /cannot load image 5\b/);
    assert.match(await text(p, '#save-state'), /missing on the server/, 'the status says why');
    assert.ok(await p.isVisible('#retry'), 'a retry link');
    assert.ok(await p.isVisible('#banner'), 'an alert');
    assert.equal(await p.getAttribute('#banner', 'role'), 'alert');
    assert.match(await text(p, '#banner'), /cannot load image 5\b/i);
    assert.match(await p.getAttribute('#photo', 'alt'), /cannot be loaded|not loaded|cannot load/i, 'the image says it is missing');
    await p.screenshot({ path: join(artifacts, 'refusals-cannot-load.png') });
    for (const k of ['1', 'n', 'Enter']) { await p.keyboard.press(k); await sleep(300); }
    await sleep(700);
    assert.deepEqual(puts, [], 'nothing is saved for an image that never loaded');
    assert.equal(storedSet(bad, 'ann1'), null);
    assert.equal((await position(p))[0], 5, 'Enter stays');
    assert.match(await text(p, '#save-state'), /cannot load image 5\b/, 'and repeats the message');
    assert.equal(await p.$$eval('#proposals input:checked', (l) => l.length), 0, 'nothing ticked');
    await p.keyboard.press('ArrowRight');
    await waitPosition(p, /^image 6 \//);
    await p.keyboard.press('ArrowLeft');
    await waitState(p, /cannot load image 5\b/);
    await p.unroute(new RegExp(`/api/images/${bad}\\?`));
    await p.click('#retry');
    await p.waitForFunction(() => document.getElementById('photo').complete && document.getElementById('photo').naturalWidth > 0, null, T);
    await p.waitForFunction(() => !/cannot load/.test(document.getElementById('save-state').textContent), null, T);
    assert.ok(await p.isHidden('#retry'), 'no retry link once loaded');
    const t = await task(p);
    await p.keyboard.press('1');
    await waitState(p, /^saved/);
    assert.equal(storedSet(bad, 'ann1'), String(t.proposals[0].class), 'annotated once it loaded');
    await p.context().close();
  });

  await section('R4: a saved set unticked; the status names it; a reload shows it', async () => {
    const id = ids[5];
    const p = await openAt('ann1', id);
    const t = await task(p);
    const c = t.proposals[0].class, name = t.classes[c].name;
    await p.keyboard.press('1');
    await waitState(p, /^saved/);
    assert.equal(storedSet(id, 'ann1'), String(c));
    await p.keyboard.press('1');
    await waitState(p, /still stands/);
    const s = await text(p, '#save-state');
    assert.ok(s.includes(name), `the status names the saved set (${name}): "${s}"`);
    await p.reload();
    await p.waitForSelector('.prop');
    await waitState(p, /^saved/);
    assert.ok(await p.isChecked(`#proposals input[data-class="${c}"]`), 'the reload shows the stored set');
    assert.equal(storedSet(id, 'ann1'), String(c));
    await p.context().close();
  });

  await section('R8a: the expert\'s open image leaves the refinement queue', async () => {
    const p = await openAt('expert', null, '/refine');
    const first = await shownId(p);
    const [at, n] = await position(p);
    assert.ok(n >= 2, 'at least two queued images');
    write(`UPDATE refinement_queue SET expert_id = NULL WHERE image_id = ${first}`);
    await p.keyboard.press('Enter');
    await waitPosition(p, new RegExp(`^image ${at} / ${n - 1}$`));
    await waitState(p, /not in your refinement tasks/);
    assert.notEqual(await shownId(p), first, 'the next image is shown');
    assert.ok(await p.isHidden('#retry'), 'no retry for a permanent refusal');
    assert.ok(!(await localKeys(p)).some((k) => k.endsWith(':' + first)), 'nothing left to re-send');
    await p.screenshot({ path: join(artifacts, 'refusals-dequeued.png') });
    const puts = [];
    p.on('request', (r) => { if (r.method() === 'PUT') puts.push(r.url()); });
    await p.keyboard.press('ArrowRight');
    await sleep(1500);
    assert.ok(!puts.some((u) => u.includes(`/tasks/${first}/`)), 'no more saves of the dropped image');

    /* the refinement page refuses to save an image it could not load, too */
    const cur = await shownId(p);
    await missingFile(p, cur);
    await p.reload();
    await p.waitForSelector('.prop');
    await waitState(p, /cannot load image/);
    puts.length = 0;
    await p.keyboard.press('Enter');
    await sleep(800);
    assert.deepEqual(puts, [], 'no save on /refine either');
    assert.equal(await shownId(p), cur);
    await p.context().close();
  });

  await section('R8b: the annotator\'s batch is unassigned', async () => {
    pAnn2 = await openAt('ann2', null);
    const first = await shownId(pAnn2);
    const [, n] = await position(pAnn2);
    const batch = sql(project, `SELECT batch FROM images WHERE id = ${first}`);
    write(`DELETE FROM assignments WHERE batch = ${batch} AND annotator_id = (SELECT id FROM annotators WHERE name = 'ann2')`);
    await pAnn2.keyboard.press('1');
    await pAnn2.waitForFunction((k) => !document.getElementById('position').textContent.endsWith('/ ' + k), String(n), T);
    await waitState(pAnn2, /not in your annotation tasks/);
    assert.ok((await position(pAnn2))[1] < n, 'the counter lost the image');
    const now = await shownId(pAnn2);
    assert.notEqual(now, first);
    assert.notEqual(sql(project, `SELECT batch FROM images WHERE id = ${now}`), batch, 'an image still assigned is shown');
    assert.match(await text(pAnn2, '#save-state'), /not in your annotation tasks/);
    assert.ok(await pAnn2.isHidden('#retry'));
    assert.equal(storedSet(first, 'ann2'), null);
  });

  await section('R8c: a save refused because the image is closed (409), and the offline queue', async () => {
    const p = await openAt('ann1', null);
    const first = await shownId(p);
    const [at, n] = await position(p);
    await closedImage(p, first);
    await p.keyboard.press('1');
    await waitPosition(p, new RegExp(`^image ${at} / ${n - 1}$`));
    await waitState(p, /decided/);
    assert.notEqual(await shownId(p), first);
    assert.ok(await p.isHidden('#retry'));
    /* a change kept for re-sending, to an image closed meanwhile */
    const other = ids[8];
    const t = await p.evaluate(async (id) => (await fetch(`/api/tasks/${id}?stage=annotate`)).json(), other);
    await closedImage(p, other);
    await p.evaluate(([id, c]) => localStorage.setItem(`mlfy:ann1:annotate:${id}`, JSON.stringify({
      base: 0, labels: [[c, 'proposal']], none: false, comment: '', zl: { category: '', verdict: '' }, seconds: 2,
    })), [other, t.proposals[0].class]);
    const total = (await taskList(p)).total;
    await p.goto(base + '/annotate');
    await p.waitForSelector('.prop');
    await p.waitForFunction((k) => !Object.keys(localStorage).some((x) => x.endsWith(':' + k)), other, T);
    await p.waitForFunction((k) => document.getElementById('position').textContent.endsWith('/ ' + k), String(total - 1), T);
    assert.equal(storedSet(other, 'ann1'), null);
    await p.context().close();
  });

  await section('R13: a class search without a match says so', async () => {
    const p = await openAt('ann1', null);
    await p.keyboard.press('/');
    await p.keyboard.type('zzzzqqq');
    await p.waitForFunction(() => [...document.querySelectorAll('[role=status], [aria-live]')].some((e) =>
      /no class matches .zzzzqqq./.test(e.textContent) && e.getClientRects().length > 0), null, T);
    await p.screenshot({ path: join(artifacts, 'refusals-no-match.png') });
    await p.keyboard.press('Backspace');
    await p.keyboard.press('Escape');
    await p.waitForFunction(() => ![...document.querySelectorAll('[role=status], [aria-live]')].some((e) =>
      /no class matches/.test(e.textContent) && e.getClientRects().length > 0), null, T);
    await p.context().close();
  });

  await section('R12: an account disabled mid-session', async () => {
    assert.ok(pAnn2, 'ann2\'s page from R8b');
    mlfy('user', 'disable', project, 'ann2');
    await pAnn2.keyboard.press('n');
    await pAnn2.waitForURL(/\/login/, T);
    await pAnn2.waitForSelector('#login-form');
    await pAnn2.waitForFunction(() => /Your session ended \(account disabled, password changed, or it expired\)/
      .test(document.body.innerText), null, T);
    await pAnn2.screenshot({ path: join(artifacts, 'refusals-session-ended.png') });
    /* a plain visit to the login page says nothing of the kind */
    await pAnn2.goto(base + '/login');
    await pAnn2.waitForSelector('#login-form');
    assert.doesNotMatch(await pAnn2.evaluate(() => document.body.innerText), /session ended/);
    await pAnn2.context().close();
  });
} catch (e) {
  failures.push('setup: ' + (e.stack || e));
} finally {
  await browser.close();
}
for (const f of failures) console.error('refusals: FAILED: ' + f);
console.log(failures.length ? `refusals: ${failures.length} failed` : 'refusals: ok');
process.exit(failures.length ? 1 : 0);
