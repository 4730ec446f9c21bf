// verify.mjs - the verification grid (/verify, ReaL's protocol) as a rater
// uses it, in Debian's chromium driven by playwright-core (see verify.sh).
// ann3 has every verification question of the project (one rater each);
// pages of 8 images (/verify?n=8).
//   V1  a page answered entirely by keyboard at 10 answers per second (100
//       ms between key presses; Y M N 1 2 3 and Shift+Y / Shift+N), after
//       the arrow keys moved the focus in two dimensions; Enter submits:
//       every answer stored exactly once with its value, per-answer and
//       page seconds recorded; the next page follows (same label while it
//       has pending images, else the next label)
//   V2  Enter with images unanswered: refused, the banner names them, the
//       focus goes to the first; nothing stored
//   V3  a reload mid-page: the same page and the same answers come back
//   V4  A answers "no" for every unanswered image (stored as bulk), the
//       answers given before stay as they were
//   V5  the server killed mid-page and restarted: the page goes on and
//       submits; killed again at the submit: "retrying", and after the
//       restart the page is sent by itself (once)
//   V6  the same label open in two browsers: the second submit gets 409, the
//       page says what stands and loads the images still pending; the first
//       browser's answers stand
//   V7  the label picker lists the labels with counts and switches label
//   axe-core (no serious or critical violation) and non-text contrast on
//   the grid, the help, the full image and an exemplar; no page error.
//   At the end `mlfy aggregate --method majority` has one vote per
//   answered question, with the answer's value.
//   MLFY_SCREENSHOTS=1: docs/img/verify-grid.png and verify-label.png.
//
//   MLFY=path/to/mlfy node verify.mjs MLFY PROJECT TMPDIR ARTIFACTS
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launch, axeRun, nonTextContrast } from './lib.mjs';

const [mlfy, project, tmp, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const docsImg = process.env.MLFY_SCREENSHOTS === '1' ? process.env.MLFY_DOCS_IMG : null;
const t0 = Date.now();
const step = (msg) => console.log(`verify: [${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const failures = [];

/* ---- the server: started, killed and restarted on the same port ------------- */
let server = null, port = 0;
async function startServer() {
  for (let attempt = 0; ; attempt++) {
    const child = spawn(mlfy, ['serve', project, '--listen', `127.0.0.1:${port}`, '--threads', '2',
      '--access-log', join(tmp, 'verify-access.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    if (attempt >= 20 || !/cannot listen/.test(err)) throw new Error('mlfy serve did not start: ' + err);
    await sleep(250);
  }
}
const exited = (c) => new Promise((resolve) => {
  if (c.exitCode !== null || c.signalCode !== null) resolve(c.exitCode);
  else c.on('exit', (code) => resolve(code));
});
async function killServer() { const c = server; server = null; c.kill('SIGKILL'); await exited(c); }
async function stopServer() {
  const c = server; server = null;
  c.kill('SIGTERM');
  assert.equal(await exited(c), 0, 'mlfy serve exits 0 after SIGTERM');
}
const base = () => `http://127.0.0.1:${port}`;

/* ---- the store ------------------------------------------------------------------ */
const sql = (q) => execFileSync('sqlite3', ['-readonly', project, q], { encoding: 'utf8' }).trim();
const count = (q) => Number(sql(q));
/* every stored answer row of ann3 to the questions qids: [{q, answer, bulk, seconds, version}] */
function stored(qids) {
  const rows = sql(`SELECT question_id, answer, bulk, seconds, version FROM verify_answers
    WHERE question_id IN (${qids.join(',')}) ORDER BY id`);
  return rows ? rows.split('\n').map((r) => {
    const [q, answer, bulk, seconds, version] = r.split('|').map(Number);
    return { q, answer, bulk, seconds, version };
  }) : [];
}
const CODE = { yes: 2, maybe: 1, no: 0 };
/* every expected answer stored once, and nothing else for these questions */
function assertStored(expect, what) {
  const qids = Object.keys(expect).map(Number);
  const rows = stored(qids);
  assert.equal(rows.length, qids.length, `${what}: ${rows.length} rows for ${qids.length} answers (lost or doubled)`);
  for (const r of rows) assert.equal(r.answer, CODE[expect[r.q].answer], `${what}: question ${r.q}`);
  for (const r of rows) assert.equal(r.bulk, expect[r.q].bulk ? 1 : 0, `${what}: bulk of question ${r.q}`);
  return rows;
}

/* ---- the page ------------------------------------------------------------------- */
async function loginAs(page, user) {
  await page.goto(base() + '/login');
  await page.fill('#user', user);
  await page.fill('#password', user + '-password-1');
  await page.press('#password', 'Enter');
  await page.waitForURL((u) => /^\/(annotate|refine|admin|verify)$/.test(u.pathname));
  /* ann3's only work is the grid: the login leads there; the page it shows
   * (24 images) is kept in localStorage as the label's page, so it is
   * dropped here: the tests below open their own pages of 8 */
  if (user === 'ann3') {
    assert.equal(new URL(page.url()).pathname, '/verify', 'a rater lands on the grid');
    await page.waitForSelector('#grid:not([hidden]) .vtile');
    await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('mlfy:verify:'))
      .forEach((k) => localStorage.removeItem(k)));
  }
}
async function openVerify(page, hash = '') {
  await page.goto(base() + '/verify?n=8' + hash);
  await page.waitForSelector('#grid:not([hidden]) .vtile');
}
/* the page shown: its label, question ids, tile states */
const shown = (page) => page.evaluate(() => ({
  cls: Number(location.hash.slice(1)),
  qids: [...document.querySelectorAll('#grid .vtile')].map((t) => Number(t.dataset.q)),
  states: [...document.querySelectorAll('#grid .vtile-state')].map((t) => t.textContent.trim()),
}));
const focused = (page) => page.evaluate(() => {
  const li = document.activeElement && document.activeElement.closest('.vtile');
  return li ? [...li.parentNode.children].indexOf(li) : -1;
});
const state = (page) => page.textContent('#save-state');
async function waitState(page, re, timeout = 10000) {
  await page.waitForFunction((s) => new RegExp(s).test(document.getElementById('save-state').textContent), re.source,
    { timeout });
}
/* a new page shown after `before` (other question ids) */
async function waitNewPage(page, before) {
  await page.waitForFunction((b) => {
    const q = [...document.querySelectorAll('#grid .vtile')].map((t) => t.dataset.q).join(',');
    return q && q !== b;
  }, before.join(','));
}
async function labels(page) {
  return page.evaluate(async () => (await (await fetch('/api/verify/labels')).json()).labels);
}

/* axe and non-text contrast on the page as it is now */
async function a11y(page, what) {
  const { counts, violations } = await axeRun(page);
  const contrast = await nonTextContrast(page);
  step(`axe: ${what}: critical ${counts.critical}, serious ${counts.serious}, moderate ${counts.moderate}, `
    + `minor ${counts.minor}; non-text contrast failures ${contrast.length}`);
  for (const v of violations) step(`  [${v.impact}] ${v.id}: ${v.help} — ${v.nodes.join('; ')}`);
  for (const c of contrast) step(`  [non-text contrast] ${c}`);
  if (counts.critical + counts.serious) failures.push(`${what}: ${counts.critical + counts.serious} serious or critical axe violations`);
  if (contrast.length) failures.push(`${what}: ${contrast.length} controls below 3:1`);
}

const answeredAll = {};   /* question id -> {answer, bulk}: everything ann3 submitted */
function remember(qids, answers, bulk = []) {
  qids.forEach((q, i) => { answeredAll[q] = { answer: answers[i], bulk: !!bulk[i] }; });
}
const KEYS = { y: 'yes', Y: 'yes', 1: 'yes', m: 'maybe', M: 'maybe', 2: 'maybe', n: 'no', N: 'no', 3: 'no' };

await startServer();
const browser = await launch();
let failed = false;
try {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => failures.push('page error: ' + e.message));
  await loginAs(page, 'ann3');
  await page.goto(base() + '/annotate');
  await page.waitForSelector('#verify-link:not([hidden])');   /* the annotation page links to the grid */

  step('V1: a page answered by keyboard at 10 answers per second');
  const before = await labels(page);
  await openVerify(page);
  let p = await shown(page);
  const lab = before.find((l) => l.class === p.cls);
  assert.ok(lab && lab.pending >= 8, `the page's label comes first with its pending images: ${JSON.stringify(lab)}`);
  assert.equal(p.qids.length, 8, 'a page of 8');
  assert.equal(await page.textContent('#label-name'), lab.name, 'the label on top');
  assert.ok(await page.isVisible('#keys-line'), 'the keys are named on the page');
  assert.equal(await focused(page), 0, 'the first image has the focus');
  const cols = await page.evaluate(() => {
    const t = [...document.querySelectorAll('#grid .vtile')];
    return t.filter((x) => x.offsetTop === t[0].offsetTop).length;
  });
  assert.ok(cols >= 2 && cols < 8, `several tiles per row and more than one row (${cols} per row)`);
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused(page), 1);
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(page), 1 + cols, 'ArrowDown moves one row down');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(page), 0, 'back to the first');
  const seq = ['y', 'm', 'n', '1', '2', '3', 'Y', 'N'];
  const t1 = Date.now();
  for (const k of seq) { await page.keyboard.press(k); await sleep(100); }
  const rate = seq.length / ((Date.now() - t1) / 1000);
  step(`  ${seq.length} answers in ${((Date.now() - t1) / 1000).toFixed(2)} s (${rate.toFixed(1)} per second)`);
  p = await shown(page);
  assert.deepEqual(p.states, seq.map((k) => `${{ yes: '\u2714', maybe: '?', no: '\u2716' }[KEYS[k]]} ${KEYS[k]}`),
    'each tile says its answer (icon and word)');
  assert.equal(count('SELECT count(*) FROM verify_answers'), 0, 'nothing stored before the submit');
  await page.keyboard.press('Enter');
  await waitState(page, /page stored/);
  const expect1 = {};
  p.qids.forEach((q, i) => { expect1[q] = { answer: KEYS[seq[i]], bulk: false }; });
  const rows1 = assertStored(expect1, 'V1');
  remember(p.qids, seq.map((k) => KEYS[k]));
  for (const r of rows1.slice(1)) assert.ok(r.seconds >= 0.05 && r.seconds < 3, `per-answer seconds ${r.seconds}`);
  assert.ok(Number(sql(`SELECT seconds FROM verify_pages ORDER BY id DESC LIMIT 1`)) > 0.5, 'page seconds');
  await waitNewPage(page, p.qids);
  const p2 = await shown(page);
  if (lab.pending > 8) assert.equal(p2.cls, p.cls, 'the same label while it has pending images');
  else assert.notEqual(p2.cls, p.cls, 'the next label');
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('mlfy:verify:ann3:')
    && /\d$/.test(k)).length), 1, 'only the new page is kept locally');

  step('V2: Enter with images unanswered is refused and names them');
  await page.keyboard.press('y');             /* image 1 */
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('m');             /* image 3 */
  await page.keyboard.press('Enter');
  await page.waitForSelector('#banner:not([hidden])');
  const banner = await page.textContent('#banner');
  assert.match(banner, /Not submitted: 6 images 2, 4, 5, 6, 7, 8 have no answer/, banner);
  assert.equal(await focused(page), 1, 'the focus goes to the first unanswered image');
  assert.equal(count('SELECT count(*) FROM verify_answers'), 8, 'nothing stored');

  step('V3: a reload mid-page keeps the page and its answers');
  await page.reload();
  await page.waitForSelector('#grid:not([hidden]) .vtile');
  const p3 = await shown(page);
  assert.deepEqual(p3.qids, p2.qids, 'the same page');
  assert.equal(p3.states[0], '\u2714 yes');
  assert.equal(p3.states[2], '? maybe');
  assert.equal(p3.states.filter((s) => s === 'not answered').length, 6);
  assert.match(await state(page), /2 answers of this page restored/);
  assert.equal(await focused(page), 1, 'the focus on the first unanswered image');

  if (docsImg) {
    await page.keyboard.press('Shift+N');       /* image 2: no */
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');    /* image 5 */
    await page.keyboard.press('ArrowLeft');     /* image 4: focus shown, unanswered */
    await page.screenshot({ path: join(docsImg, 'verify-grid.png') });
    const box = await page.locator('#label-head').boundingBox();
    await page.screenshot({ path: join(docsImg, 'verify-label.png'),
      clip: { x: 0, y: 0, width: 1366, height: Math.ceil(box.y + box.height + 60) } });
  }
  await page.screenshot({ path: join(artifacts, 'verify-grid.png') });
  await a11y(page, 'grid, some answers');

  step('V4: A answers "no" for every unanswered image');
  await page.keyboard.press('a');
  const p4 = await shown(page);
  assert.equal(p4.states[0], '\u2714 yes', 'an answer given before stays');
  assert.equal(p4.states[2], '? maybe');
  assert.ok(p4.states.every((s, i) => i === 0 || i === 2 || (docsImg && i === 1) || s === '\u2716 no (all)'), p4.states.join(' | '));
  await page.keyboard.press('Enter');
  await waitState(page, /page stored/);
  const answers4 = p4.states.map((s) => s.replace(/^\S+ /, '').replace(' (all)', ''));
  const bulk4 = p4.states.map((s) => / \(all\)$/.test(s));
  const expect4 = {};
  p4.qids.forEach((q, i) => { expect4[q] = { answer: answers4[i], bulk: bulk4[i] }; });
  assertStored(expect4, 'V4');
  remember(p4.qids, answers4, bulk4);
  await waitNewPage(page, p4.qids);

  step('V5: the server restarts mid-page, then at the submit');
  const p5 = await shown(page);
  for (const k of ['y', 'y', 'n']) { await page.keyboard.press(k); await sleep(100); }
  await killServer();
  for (const k of ['m', 'n']) { await page.keyboard.press(k); await sleep(100); }
  await startServer();
  for (const k of ['1', '2', '3']) { await page.keyboard.press(k); await sleep(100); }
  await page.keyboard.press('Enter');
  await waitState(page, /page stored/);
  const ans5 = ['yes', 'yes', 'no', 'maybe', 'no', 'yes', 'maybe', 'no'];
  const expect5 = {};
  p5.qids.forEach((q, i) => { expect5[q] = { answer: ans5[i], bulk: false }; });
  assertStored(expect5, 'V5 (restart mid-page)');
  remember(p5.qids, ans5);
  await waitNewPage(page, p5.qids);
  const p6 = await shown(page);
  for (let i = 0; i < p6.qids.length; i++) { await page.keyboard.press('y'); await sleep(100); }
  await killServer();
  await page.keyboard.press('Enter');
  await waitState(page, /retrying/);
  assert.ok(await page.isVisible('#retry'), 'a retry link');
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem(
    Object.keys(localStorage).find((k) => /^mlfy:verify:ann3:\d+$/.test(k)))).body !== null), true, 'the submit is kept');
  await page.screenshot({ path: join(artifacts, 'verify-retrying.png') });
  await startServer();
  await waitState(page, /page stored/, 40000);
  const expect6 = {};
  p6.qids.forEach((q) => { expect6[q] = { answer: 'yes', bulk: false }; });
  assertStored(expect6, 'V5 (sent again after the restart)');
  remember(p6.qids, p6.qids.map(() => 'yes'));

  step('V6: the same label in two browsers: the second submit gets 409');
  await waitNewPage(page, p6.qids);
  const pa = await shown(page);
  const ctx2 = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page2 = await ctx2.newPage();
  page2.on('pageerror', (e) => failures.push('page error (second browser): ' + e.message));
  await loginAs(page2, 'ann3');
  await openVerify(page2, '#' + pa.cls);
  const pb = await shown(page2);
  assert.deepEqual(pb.qids, pa.qids, 'both browsers show the same page');
  for (let i = 0; i < pa.qids.length; i++) await page.keyboard.press('y');
  await page.keyboard.press('Enter');
  await waitState(page, /page stored/);
  for (let i = 0; i < pb.qids.length; i++) await page2.keyboard.press('n');
  await page2.keyboard.press('Enter');
  await page2.waitForFunction(() => /answered meanwhile/.test(document.getElementById('banner').textContent));
  assert.match(await page2.textContent('#banner'), /Image 1 of that page had been answered meanwhile .* "yes" \(version 1\) stands/);
  const expectA = {};
  pa.qids.forEach((q) => { expectA[q] = { answer: 'yes', bulk: false }; });
  assertStored(expectA, 'V6: the first browser\'s answers stand');
  remember(pa.qids, pa.qids.map(() => 'yes'));
  await waitNewPage(page2, pb.qids);
  const pb2 = await shown(page2);
  assert.ok(pb2.qids.every((q) => !pa.qids.includes(q)), 'the second browser shows the images still pending');
  await ctx2.close();

  step('V6b: the same label in two tabs of one browser (one localStorage): never a false "stored"');
  await waitNewPage(page, pa.qids);
  const pc = await shown(page);
  const tab2 = await page.context().newPage();
  tab2.on('pageerror', (e) => failures.push('page error (second tab): ' + e.message));
  await openVerify(tab2, '#' + pc.cls);
  const pd = await shown(tab2);
  assert.deepEqual(pd.qids, pc.qids, 'both tabs show the same page');
  for (let i = 0; i < pc.qids.length; i++) await page.keyboard.press('y');
  await page.keyboard.press('Enter');
  await waitState(page, /page stored/);
  await tab2.bringToFront();
  for (let i = 0; i < pd.qids.length; i++) await tab2.keyboard.press('n');
  await tab2.keyboard.press('Enter');
  await tab2.waitForFunction(() => /answered meanwhile/.test(document.getElementById('banner').textContent));
  assert.doesNotMatch(await tab2.textContent('#save-state'), /page stored/, 'the second tab is not told its page was stored');
  const expectC = {};
  pc.qids.forEach((q) => { expectC[q] = { answer: 'yes', bulk: false }; });
  assertStored(expectC, 'V6b: the first tab\'s answers stand, once');
  remember(pc.qids, pc.qids.map(() => 'yes'));
  await tab2.close();
  await page.bringToFront();

  step('V7: the label picker');
  const opts = await page.$$eval('#label-pick option', (o) => o.map((x) => ({ v: Number(x.value), t: x.textContent })));
  const now = await labels(page);
  assert.equal(opts.length, now.length, 'every label in the picker');
  assert.match(opts[0].t, /\d+ pending, \d+ answered/);
  const cur = (await shown(page)).cls;
  const other = now.find((l) => l.class !== cur && l.pending > 0);
  await page.selectOption('#label-pick', String(other.class));
  await page.waitForFunction((c) => location.hash === '#' + c && document.querySelector('#grid .vtile'), other.class);
  assert.equal(await page.textContent('#label-name'), other.name);
  /* by keyboard: arrows step through the labels without loading them;
   * Enter shows the chosen one */
  if (opts.length >= 3) {
    await page.focus('#label-pick');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => location.hash), '#' + other.class, 'arrows do not switch the label');
    const chosen = Number(await page.$eval('#label-pick', (e) => e.value));
    assert.notEqual(chosen, other.class, 'the arrows moved the choice');
    await page.keyboard.press('Enter');
    await page.waitForFunction((c) => location.hash === '#' + c && document.querySelector('#grid .vtile'), chosen);
    /* typing a label's letters selects it and stays in the picker: the
     * letters never answer images ("n" and "y" after the "c" that picks one) */
    const stored = (await labels(page)).reduce((k, l) => k + l.answered, 0);
    await page.focus('#label-pick');
    await page.keyboard.type('cny');   /* the fixture's labels are class_<i> */
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'label-pick', 'the focus stays in the picker');
    assert.ok((await shown(page)).states.every((t) => !/\b(yes|no|maybe)\b/.test(t)), 'no image answered by typing');
    await page.keyboard.press('Escape');
    assert.equal(Number(await page.$eval('#label-pick', (e) => e.value)), chosen, 'Escape: back to the label shown');
    assert.equal((await labels(page)).reduce((k, l) => k + l.answered, 0), stored, 'nothing stored by typing');
  }

  step('a11y: help, full image, exemplar');
  await page.focus('#grid .vtile-img');
  await page.keyboard.press('?');
  await page.waitForSelector('#help[open]');
  await a11y(page, 'help');
  await page.keyboard.press('Escape');
  await page.keyboard.press('o');
  await page.waitForSelector('#zoom[open]');
  await a11y(page, 'full image');
  await page.keyboard.press('o');
  await page.waitForFunction(() => !document.getElementById('zoom').open);
  assert.equal(await focused(page), 0, 'the focus back on the tile');
  const ex = await page.$('.vexemplar');
  if (ex) {
    await ex.focus();                 /* by keyboard: the exemplar's own button */
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lightbox[open]');
    await a11y(page, 'exemplar');
    await page.keyboard.press('Escape');
  } else {
    step('note: this label has no exemplar to open');
  }
  await ctx.close();
  await stopServer();

  step('the votes reach the aggregation');
  execFileSync(mlfy, ['aggregate', project, '--method', 'majority', '--out', join(tmp, 'agg.csv')], { stdio: 'pipe' });
  const names = new Map(sql('SELECT id, image_name, class_idx FROM questions').split('\n').map((r) => {
    const [id, img, c] = r.split('|');
    return [`${img}|${c}`, Number(id)];
  }));
  const lines = readFileSync(join(tmp, 'agg.csv'), 'utf8').trim().split('\n');
  const head = lines.shift().split(',');
  /* questions nobody answered yet, if listed, have no vote */
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v]))).filter((r) => r.votes !== '0');
  assert.equal(rows.length, Object.keys(answeredAll).length, 'one aggregated question per answered question');
  for (const r of rows) {
    const q = names.get(`${r.file}|${r.label}`);
    assert.ok(answeredAll[q], `aggregated question ${r.file} ${r.label} was answered`);
    assert.equal(r.votes, '1', `one vote for question ${q}`);
    assert.equal(Number(r.posterior), CODE[answeredAll[q].answer] / 2, `the answer of question ${q}`);
  }
  step(`  ${rows.length} questions, one vote each, as answered`);
} catch (e) {
  console.error('verify: FAILED: ' + (e.stack || e));
  for (const pg of browser.contexts().flatMap((c) => c.pages())) {
    const st = await pg.evaluate(() => [document.getElementById('save-state').textContent,
      document.getElementById('banner').textContent, document.activeElement && document.activeElement.outerHTML.slice(0, 120)])
      .catch(() => null);
    console.error('verify:   page state: ' + JSON.stringify(st));
    await pg.screenshot({ path: join(artifacts, 'verify-failed.png') }).catch(() => {});
  }
  failed = true;
} finally {
  await browser.close();
  if (server) { server.kill('SIGKILL'); await exited(server); }
}
for (const f of failures) console.error('verify: FAILED: ' + f);
process.exit(failed || failures.length ? 1 : 0);
