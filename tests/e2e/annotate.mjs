// annotate.mjs - browser end-to-end test of mlfy serve with playwright-core
// driving Debian's chromium: log in, annotate 3 images by keyboard only,
// reload, check the stored sets in the project (sqlite3 CLI), a stale save
// from a second tab, stage iii with `mlfy analyze` and `mlfy
// assign-refinement`, the expert refinement flow (the saved set is the
// image's final set in `mlfy export`), the admin dashboard and its export
// downloads, and screenshots of every page in ARTIFACTS.
//
//   MLFY=path/to/mlfy node annotate.mjs BASE_URL PROJECT ARTIFACTS
// Passwords: <name>-password-1 (set up by annotate.sh).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const [base, project, artifacts] = process.argv.slice(2);
const mlfyBin = process.env.MLFY;
assert.ok(mlfyBin, 'MLFY must name the mlfy binary');
mkdirSync(artifacts, { recursive: true });

function mlfy(...args) {
  return execFileSync(mlfyBin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
/* the row of image `name` in `mlfy export --format csv` (names here need no CSV quoting) */
function exportRow(name) {
  const [head, ...rows] = mlfy('export', project, '--format', 'csv').trimEnd().split('\n');
  const keys = head.split(',');
  const row = rows.map((l) => l.split(',')).find((r) => r[0] === name);
  return row && Object.fromEntries(keys.map((k, i) => [k, i === keys.length - 1 ? row.slice(i).join(',') : row[i]]));
}

function sql(q) {
  return execFileSync('sqlite3', ['-readonly', project, q], { encoding: 'utf8' }).trim();
}
/* the current stage-ii label set of (image, user) as "1,5,9" ('' = empty set, null = none saved) */
function storedSet(imageId, user, stage = 'annotate') {
  const v = sql(`SELECT n.version, COALESCE((SELECT group_concat(class_idx, ',') FROM
    (SELECT class_idx FROM annotation_labels WHERE annotation_id = n.id ORDER BY class_idx)), '')
    FROM annotations n JOIN annotators u ON u.id = n.annotator_id
    WHERE n.image_id = ${imageId} AND u.name = '${user}' AND n.stage = '${stage}'
    ORDER BY n.version DESC LIMIT 1`);
  return v === '' ? null : v.split('|')[1];
}

const profile = mkdtempSync(join(tmpdir(), 'mlfy-chromium-'));
const browser = await chromium.launch({
  executablePath: process.env.MLFY_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const step = (msg) => console.log('e2e: ' + msg);
let failed = false;

async function login(page, user) {
  await page.goto(base + '/login');
  /* the user field has the focus on load */
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'user');
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(user + '-password-1');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/(annotate|refine|admin)/);
}

/* the task shown (the URL's #id), read from the API with the page's session */
function shownTask(page) {
  return page.evaluate(async () => (await fetch('/api/tasks/' + location.hash.slice(1) + '?stage=annotate')).json());
}
async function position(page) { return (await page.textContent('#position')).trim(); }
async function waitSaved(page) {
  await page.waitForFunction(() => /saved/.test(document.getElementById('save-state').textContent));
}

try {
  const ctxA = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctxA.newPage();
  page.on('pageerror', (e) => { console.error('page error: ' + e.message); failed = true; });

  step('login page');
  await page.goto(base + '/login');
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'user');
  await page.screenshot({ path: join(artifacts, 'login.png') });
  await page.keyboard.type('ann1');
  await page.keyboard.press('Tab');
  await page.keyboard.type('wrong-password');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#login-error:not([hidden])');
  await page.fill('#password', '');

  step('log in as ann1 by keyboard');
  await login(page, 'ann1');
  await page.waitForSelector('.prop');
  const total = Number((await position(page)).split('/')[1].replace(/,/g, ''));
  assert.match(await position(page), /^image 1 \/ /);
  const task1 = await shownTask(page);
  const id1 = task1.image.id;
  assert.equal(task1.proposals.length, 20, 'top-20 proposals shown');
  assert.equal(task1.others, null, 'stage ii never shows others');

  step('image 1: keys 1, ↓, 2 (proposals #1 and #7), then Enter');
  await page.keyboard.press('1');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('2');
  await waitSaved(page);
  await page.screenshot({ path: join(artifacts, 'annotate.png') });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^image 2 \//.test(document.getElementById('position').textContent));
  const want1 = [task1.proposals[0].class, task1.proposals[6].class].sort((a, b) => a - b).join(',');
  assert.equal(storedSet(id1, 'ann1'), want1, 'image 1 stored set');

  step('image 2: Enter without a decision is refused; N (none of these), Enter');
  const id2 = Number(await page.evaluate(() => location.hash.slice(1)));
  await page.keyboard.press('Enter');
  assert.match(await position(page), /^image 2 \//);
  assert.match(await page.textContent('#save-state'), /none of these/i);
  await page.keyboard.press('n');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^image 3 \//.test(document.getElementById('position').textContent));
  assert.equal(storedSet(id2, 'ann1'), '', 'image 2 stored as an explicit empty set');

  step('image 3: key 3, C + comment, Esc, Enter');
  const task3 = await shownTask(page);
  await page.keyboard.press('3');
  await page.keyboard.press('c');
  await page.keyboard.type('a second object at the left edge');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^image 4 \//.test(document.getElementById('position').textContent));
  assert.equal(storedSet(task3.image.id, 'ann1'), String(task3.proposals[2].class));
  assert.equal(sql(`SELECT comment FROM current_annotations WHERE image_id = ${task3.image.id}`),
    'a second object at the left edge');
  assert.ok(Number(sql(`SELECT seconds FROM current_annotations WHERE image_id = ${task3.image.id}`)) > 0,
    'time on image recorded');

  step('reload: resumes at the first open image; ← shows image 3 as saved');
  await page.reload();
  await page.waitForSelector('.prop');
  assert.match(await position(page), /^image 4 \//);
  assert.match(await page.textContent('#progress-text'), /^3 done/);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => /^image 3 \//.test(document.getElementById('position').textContent));
  await page.waitForSelector('.prop.checked');
  assert.equal(await page.inputValue('#comment'), 'a second object at the left edge');
  const checked = await page.$$eval('.prop input:checked', (els) => els.map((e) => Number(e.dataset.class)));
  assert.deepEqual(checked, [task3.proposals[2].class]);

  step('a stale save from a second tab gets 409 and the page shows the newer state');
  const before = Number(sql(`SELECT COUNT(*) FROM annotations WHERE image_id = ${task3.image.id}`));
  const page2 = await ctxA.newPage();
  await page2.goto(base + '/annotate#' + task3.image.id);
  await page2.waitForSelector('.prop.checked');
  await page2.keyboard.press('4');                 // tab 2 saves version 2
  await waitSaved(page2);
  await page.keyboard.press('5');                  // tab 1 still at version 1: 409
  await page.waitForSelector('#banner:not([hidden])');
  assert.match(await page.textContent('#banner'), /another tab/);
  const shown = await page.$$eval('.prop input:checked', (els) => els.map((e) => Number(e.dataset.class)).sort((a, b) => a - b));
  assert.deepEqual(shown, [task3.proposals[2].class, task3.proposals[3].class].sort((a, b) => a - b));
  assert.equal(Number(sql(`SELECT COUNT(*) FROM annotations WHERE image_id = ${task3.image.id}`)), before + 1,
    'the stale save wrote nothing');
  await page2.close();

  step('search adds a class outside the proposals');
  await page.keyboard.press('/');
  const propClasses = task3.proposals.map((p) => p.class);
  let outside = 0;
  while (propClasses.includes(outside)) outside++;
  await page.keyboard.type(String(outside));
  await page.waitForSelector('#search-results li');
  await page.keyboard.press('Enter');
  await waitSaved(page);
  assert.equal(sql(`SELECT l.source FROM annotation_labels l JOIN current_annotations n ON n.id = l.annotation_id
    WHERE n.image_id = ${task3.image.id} AND l.class_idx = ${outside}`), 'search');
  await ctxA.close();

  step('ann2 labels image 1 differently (via the API of a logged-in page)');
  const ctxB = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const pb = await ctxB.newPage();
  await login(pb, 'ann2');
  await pb.waitForSelector('.prop');
  await pb.keyboard.press('1');
  await pb.keyboard.press('2');
  await waitSaved(pb);
  /* an annotator may not read refinement data nor the dashboard */
  const denied = await pb.evaluate(async () => {
    const a = await fetch('/api/tasks?stage=refine'); const b = await fetch('/api/dashboard');
    return [a.status, b.status];
  });
  assert.deepEqual(denied, [403, 403]);
  await ctxB.close();
  const want2 = [task1.proposals[0].class, task1.proposals[1].class].sort((a, b) => a - b).join(',');
  assert.equal(storedSet(id1, 'ann2'), want2);

  step('stage iii: mlfy analyze queues image 1 (the sets differ), mlfy assign-refinement gives it to the expert');
  mlfy('analyze', project);
  assert.equal(sql('SELECT image_id || \' \' || reason FROM refinement_queue'), `${id1} sets_differ`);
  mlfy('assign-refinement', project, '--experts', 'expert');
  const name1 = sql(`SELECT name FROM images WHERE id = ${id1}`);
  assert.equal(exportRow(name1).stage, 'undecided', 'not decided before the refinement');

  step('expert refinement: union pre-checked, original marked, comment required on change');
  const ctxE = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const pe = await ctxE.newPage();
  pe.on('pageerror', (e) => { console.error('page error: ' + e.message); failed = true; });
  await login(pe, 'expert');
  assert.match(pe.url(), /\/refine/);
  await pe.waitForSelector('.prop');
  const union = [...new Set([...want1.split(','), ...want2.split(',')].map(Number))].sort((a, b) => a - b);
  const pre = await pe.$$eval('.prop input:checked', (els) => els.map((e) => Number(e.dataset.class)).sort((a, b) => a - b));
  const preExtra = await pe.$$eval('#extra-labels input:checked', (els) => els.length);
  assert.deepEqual(pre.length + preExtra, union.length, 'union of the stage-ii sets pre-checked');
  assert.ok(await pe.$('.badge.who'), 'who chose each label is shown');
  await pe.screenshot({ path: join(artifacts, 'refine.png') });
  /* untick proposal #2 (only ann2 chose it): a comment becomes required */
  await pe.keyboard.press('2');
  await pe.waitForSelector('#comment-required:not([hidden])');
  await pe.keyboard.press('Enter');
  assert.match(await pe.textContent('#save-state'), /comment is required/);
  await pe.keyboard.press('c');
  await pe.keyboard.type('the second proposal is not visible');
  await pe.keyboard.press('Escape');
  await pe.keyboard.press('Enter');
  await pe.waitForSelector('#done-box:not([hidden])');
  const refined = storedSet(id1, 'expert', 'refine');
  const wantR = union.filter((c) => c !== task1.proposals[1].class).join(',');
  assert.equal(refined, wantR, 'refined set stored');
  assert.equal(sql(`SELECT comment FROM annotations WHERE stage = 'refine' AND image_id = ${id1}`),
    'the second proposal is not visible');
  await ctxE.close();

  step('the refined set is the final set: mlfy export --format csv');
  const row1 = exportRow(name1);
  assert.deepEqual(row1, {
    file: name1, original_label: row1.original_label, labels: wantR.split(',').join(' '),
    label_count: String(wantR.split(',').length), stage: 'refined', comment: 'the second proposal is not visible',
    unsure: '0', tags: '',
  });

  step('admin dashboard: queue and final-label counts, export downloads equal to mlfy export');
  const ctxD = await browser.newContext({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
  const pd = await ctxD.newPage();
  pd.on('pageerror', (e) => { console.error('page error: ' + e.message); failed = true; });
  await login(pd, 'admin');
  await pd.waitForSelector('#grid tbody tr td');
  assert.equal((await pd.textContent('#c-queue')).trim(), '1');
  assert.match(await pd.textContent('#c-queue-sub'), /^1 assigned to experts · 1 refined · 0 waiting/);
  assert.match(await pd.textContent('#c-final'), /1 decided \(0 agreed · 1 refined\)/);
  assert.equal((await pd.textContent('#c-zero')).trim(), '0 / 0');
  assert.deepEqual(await pd.$$eval('#exports a', (as) => as.map((a) => a.dataset.format)),
    ['real', 'multilabelfy', 'csv', 'jsonl', 'labelstudio']);
  await pd.waitForTimeout(400);   /* the progress bars' 0.3 s width transition */
  await pd.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
  await pd.click('.console-nav a[href="#reports"]');   /* the console's exports section */
  await pd.waitForSelector('#exports a', { state: 'visible' });
  for (const fmt of ['csv', 'jsonl']) {
    const [dl] = await Promise.all([pd.waitForEvent('download'), pd.click(`#exports a[data-format=${fmt}]`)]);
    assert.equal(dl.suggestedFilename(), `p-${fmt}.${fmt}`);
    const got = readFileSync(await dl.path(), 'utf8');
    assert.equal(got, mlfy('export', project, '--format', fmt), `the ${fmt} download is mlfy export's output`);
  }
  await ctxD.close();
  console.log(`e2e: ok (${total} images per annotator)`);
} catch (e) {
  console.error('e2e: FAILED: ' + (e.stack || e));
  failed = true;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
