// console.mjs - Chromium drives a whole project from the coordinator's
// console (/admin, docs/admin.md); see console.sh.  The project starts with
// the fixture's images and proposals, three imported models and one
// account, the admin; nothing is assigned.
//   C1  #people: the admin creates annotator dana with "Create and invite"
//       and reads the link from the page; in a second browser context dana
//       opens it (/invite: the token leaves the address bar), sets her
//       password, lands on /login?user=dana with the name filled in, logs
//       in and reaches /annotate; the used link is refused.  ann1, ann2 and
//       the expert are created on the same form (their links redeemed
//       through the API)
//   C2  #assign: annotators ticked (dana among them), a preview with its
//       load table that writes nothing (sqlite3), then the apply
//   C3  dana annotates an image in the browser (a click on a proposal,
//       "Save & next"); every other task is saved through the API (ann2
//       disagrees on some images; one image is "none of these" for all)
//   C4  #analyze: a dry run (counts shown, nothing written), the apply;
//       #refine: the expert ticked, a preview (nothing written), the apply;
//       the expert refines one image through the API
//   C5  #gold: a CSV with an unknown image is refused naming its entry and
//       adds nothing; a good one is added, listed and removed
//   C6  #zero: the image all its annotators called "none of these" awaits
//       a review (listed by the API and the table); one is recorded
//   C7  #quality (sorted by clicking column headers), #progress, #audit
//       (the console's actions, the refused upload as failed, no token)
//   C8  #reports: an export downloads (CSV and ReaL JSON, non-empty); a
//       report is generated and its index.html loads with its figures
//   C9  #overview: the live view lists every model; its figures are those
//       of `mlfy evaluate --project` on the same .npy files; the scatter
//       loads
//   axe-core: no serious or critical violation on every section (in the
//   states above), on /invite with a valid and an invalid token and on
//   /login?user=.  No page error anywhere.
//   MLFY_SCREENSHOTS=1: docs/img/console-<section>.png at 1366x900.
//
//   MLFY=path/to/mlfy node console.mjs BASE_URL PROJECT TMPDIR ARTIFACTS
import { request } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launch, login, sql, mlfy, apiSession, axeRun } from './lib.mjs';

const [base, project, tmp, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const docsImg = process.env.MLFY_SCREENSHOTS === '1' ? process.env.MLFY_DOCS_IMG : null;
const t0 = Date.now();
const step = (msg) => console.log(`console: [${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
const failures = [];
async function section(name, fn) {
  step(name);
  try { await fn(); } catch (e) { failures.push(name + ': ' + (e.stack || e)); }
}
const W = 1366, H = 900;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SECTIONS = ['overview', 'people', 'assign', 'analyze', 'refine', 'gold', 'zero', 'quality', 'progress', 'reports', 'audit'];
const pw = (u) => u + '-password-1';
const count = (q) => Number(sql(project, q));

/* axe-core: no serious or critical violation (the others are printed) */
const axeDone = new Set();
async function a11y(page, state) {
  const { counts, violations } = await axeRun(page);
  step(`axe: ${state}: critical ${counts.critical}, serious ${counts.serious}, moderate ${counts.moderate}, minor ${counts.minor}`);
  for (const v of violations) step(`  [${v.impact}] ${v.id}: ${v.help} — ${v.nodes.join('; ')}`);
  if (counts.critical + counts.serious) failures.push(`${state}: ${counts.critical + counts.serious} serious or critical axe violations`);
  axeDone.add(state);
}
/* a console section as it is now: axe, a screenshot in artifacts (and docs/img when asked) */
async function check(page, name) {
  await a11y(page, '#' + name);
  await page.screenshot({ path: join(artifacts, `console-${name}.png`) });
  if (docsImg) await page.screenshot({ path: join(docsImg, `console-${name}.png`) });
}

/* opens a section by its link in the nav; resolves once its data is in */
async function open(page, name, ready) {
  await page.click(`.console-nav a[href="#${name}"]`);
  await page.waitForFunction((n) => !document.getElementById('tab-' + n).hidden
    && document.querySelector(`.console-nav a[href="#${n}"]`).getAttribute('aria-current') === 'page', name);
  if (ready) await page.waitForSelector(ready);
}
const banner = async (page, box) => (await page.textContent(`#${box} .banner`)).trim();
const cells = (page, table) => page.$$eval(`#${table} tbody tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));

const browser = await launch();
const admin = await browser.newContext({ viewport: { width: W, height: H }, acceptDownloads: true });
const pa = await admin.newPage();
const pageErrors = (p, who) => p.on('pageerror', (e) => failures.push(`page error (${who}): ${e.message}`));
pageErrors(pa, 'admin');
/* any server error (5xx) seen by a page fails the test */
admin.on('response', (r) => { if (r.status() >= 500) failures.push(`HTTP ${r.status()} ${r.url()}`); });
pa.on('dialog', (d) => d.accept());   /* the confirm() of Remove / Disable / Reset */
const anon = await request.newContext({ baseURL: base });
let dana = null, pd = null;

try {
  await section('C1: #people: invitations, the invitee sets her password in another browser', async () => {
    await login(pa, base, 'admin');
    assert.equal(new URL(pa.url()).pathname, '/admin');
    await open(pa, 'people', '#people-table tbody tr');
    assert.deepEqual((await cells(pa, 'people-table')).map((r) => r[0]), ['admin']);
    const invite = async (name, role) => {
      await pa.fill('#new-name', name);
      await pa.selectOption('#new-role', role);
      await pa.click('#invite-form button[type=submit]');
      await pa.waitForFunction((n) => {
        const i = document.getElementById('invite-link');
        return i && i.getAttribute('aria-label') === 'Invitation link for ' + n;
      }, name);
      const link = await pa.inputValue('#invite-link');
      assert.match(link, new RegExp('^' + base.replace(/[.]/g, '\\.') + '/invite#[0-9a-f]{64}$'), 'the link: ' + link);
      assert.equal(await pa.evaluate(() => document.activeElement.id), 'invite-link', 'the link has the focus, selected');
      await pa.waitForFunction((n) => [...document.querySelectorAll('#people-table tbody tr')]
        .some((r) => r.cells[0].textContent === n && r.cells[2].textContent === 'invited'), name);
      return link;
    };
    const link = await invite('dana', 'annotator');
    assert.equal(count("SELECT count(*) FROM invites WHERE token_hash = '" + link.split('#')[1] + "'"), 0, 'the token is stored hashed');
    await check(pa, 'people');

    /* dana, in a browser of her own */
    dana = await browser.newContext({ viewport: { width: W, height: H } });
    pd = await dana.newPage();
    pageErrors(pd, 'dana');
    await pd.goto(link);
    await pd.waitForSelector('#invite-form:not([hidden])');
    assert.equal(new URL(pd.url()).hash, '', 'the token left the address bar');
    assert.equal(await pd.inputValue('#invite-user'), 'dana');
    assert.match(await pd.textContent('#invite-intro'), /as annotator/);
    await a11y(pd, '/invite (a valid link)');
    await pd.fill('#pw1', pw('dana'));
    await pd.fill('#pw2', pw('dana') + 'x');
    await pd.click('#invite-btn');
    await pd.waitForSelector('#invite-form-error:not([hidden])');
    assert.match(await pd.textContent('#invite-form-error'), /differ/);
    await pd.fill('#pw2', pw('dana'));
    await pd.click('#invite-btn');
    await pd.waitForURL((u) => u.pathname === '/login');
    assert.equal(new URL(pd.url()).searchParams.get('user'), 'dana');
    assert.equal(await pd.inputValue('#user'), 'dana', 'the name is filled in');
    assert.equal(await pd.evaluate(() => document.activeElement.id), 'password', 'the password field has the focus');
    await a11y(pd, '/login?user=dana');
    await pd.fill('#password', pw('dana'));
    await pd.press('#password', 'Enter');
    await pd.waitForURL((u) => u.pathname === '/annotate');
    assert.equal(count("SELECT count(*) FROM annotators WHERE name = 'dana' AND role = 'annotator'"), 1);

    /* the link works once */
    const used = await dana.newPage();
    pageErrors(used, 'invitee, used link');
    await used.goto(link);
    await used.waitForSelector('#invite-error:not([hidden])');
    assert.ok(await used.$eval('#invite-form', (f) => f.hidden), 'no form for a used link');
    await a11y(used, '/invite (a used, invalid link)');
    /* another link in the same tab: only the fragment changes, the page starts again */
    await used.goto(base + '/invite#1234');
    await used.waitForFunction(() => /incomplete/.test(document.getElementById('invite-error').textContent));
    await used.close();

    /* the others: the same form, their links redeemed through the API */
    for (const [name, role] of [['ann1', 'annotator'], ['ann2', 'annotator'], ['expert', 'expert']]) {
      const l = await invite(name, role);
      const r = await anon.post('/api/invite', { data: { token: l.split('#')[1], password: pw(name) } });
      assert.equal(r.status(), 200, `${name} accepts the invitation: ${await r.text()}`);
    }
    await pa.reload();
    await pa.waitForSelector('#people-table tbody tr:nth-child(5)');
    const rows = await cells(pa, 'people-table');
    assert.deepEqual(rows.map((r) => r[0] + ' ' + r[2]).sort(),
      ['admin active', 'ann1 active', 'ann2 active', 'dana active', 'expert active']);
    assert.ok(rows.filter((r) => r[0] !== 'admin').every((r) => r[3] === 'used'), 'every invitation used: ' + JSON.stringify(rows));
  });

  await section('C2: #assign: preview (nothing written), apply', async () => {
    await open(pa, 'assign', '#assign-people input[value="dana"]');
    const offered = await pa.$$eval('#assign-people input', (l) => l.map((i) => i.value).sort());
    assert.deepEqual(offered, ['ann1', 'ann2', 'dana'], 'annotators offered (not the expert nor the admin)');
    await pa.fill('#assign-k', '2');
    for (const u of ['ann1', 'ann2', 'dana']) await pa.check(`#assign-people input[value="${u}"]`);
    assert.ok(await pa.isDisabled('#assign-apply'), 'apply waits for a preview');
    await pa.click('#assign-preview');
    await pa.waitForSelector('#assign-load tbody tr');
    assert.match(await banner(pa, 'assign-out'), /^Preview \(nothing written\): 2 batches, 4 new assignments/);
    const preview = await cells(pa, 'assign-load');
    assert.equal(preview.length, 3, 'one row per annotator');
    assert.equal(preview.reduce((s, r) => s + Number(r[1]), 0), 4, 'four batch assignments in all');
    assert.equal(count('SELECT count(*) FROM assignments'), 0, 'the preview wrote nothing');
    await check(pa, 'assign');
    assert.ok(!(await pa.isDisabled('#assign-apply')));
    await pa.click('#assign-apply');
    await pa.waitForFunction(() => /^Applied/.test(document.querySelector('#assign-out .banner').textContent));
    assert.deepEqual(await cells(pa, 'assign-load'), preview, 'the apply did what the preview showed');
    assert.equal(count('SELECT count(*) FROM assignments'), 4);
    assert.equal(count("SELECT count(*) FROM assignments a JOIN annotators u ON u.id = a.annotator_id WHERE u.name = 'dana'"),
      Number(preview.find((r) => r[0] === 'dana')[1]));
  });

  let zeroId = 0;
  await section('C3: annotation: dana in the browser, the rest through the API', async () => {
    zeroId = count('SELECT max(id) FROM images');
    await pd.goto(base + '/annotate');
    await pd.waitForSelector('#proposals .prop input[data-class]');
    const id = Number(await pd.evaluate(() => location.hash.slice(1)));
    assert.notEqual(id, zeroId);
    const cls = Number(await pd.getAttribute('#proposals .prop input[data-class] >> nth=0', 'data-class'));
    await pd.click('#proposals .prop input[data-class] >> nth=0');
    await pd.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent.trim()));
    await pd.click('#next');
    await pd.waitForFunction((i) => Number(location.hash.slice(1)) !== i, id);
    assert.equal(sql(project, `SELECT group_concat(l.class_idx) FROM current_annotations n JOIN annotation_labels l ON l.annotation_id = n.id
      JOIN annotators u ON u.id = n.annotator_id WHERE u.name = 'dana' AND n.image_id = ${id}`), String(cls), 'dana\'s set stored');
    /* every task is fetched first, then saved: the server caps a save's seconds at the time since it
     * served the task, so the screenshots' times are the ones claimed only after a pause */
    const sessions = [], todo = [];
    for (const u of ['ann1', 'ann2', 'dana']) {
      const s = await apiSession(base, u);
      sessions.push(s);
      const list = await s.get('/api/tasks?stage=annotate');
      for (const [k, i] of list.ids.entries()) if (!list.done[k]) todo.push([u, s, i, await s.get(`/api/tasks/${i}?stage=annotate`)]);
    }
    if (docsImg) await sleep(7500);
    for (const [u, s, i, t] of todo) {
      const pick = u === 'ann2' && i % 3 === 0 ? 1 : 0;
      await s.put(`/api/tasks/${i}/annotation`, {
        stage: 'annotate', base_version: t.annotation ? t.annotation.version : 0, comment: '', seconds: 3 + (i % 5),
        labels: i === zeroId ? [] : [{ class: t.proposals[pick].class, source: 'proposal' }],
      });
    }
    for (const s of sessions) await s.close();
    assert.equal(count('SELECT count(*) FROM current_annotations WHERE stage = \'annotate\''), 24, 'every image annotated twice');
  });

  let queued = 0;
  await section('C4: #analyze dry run and apply; #refine preview and apply; a refinement', async () => {
    await open(pa, 'analyze');
    await pa.selectOption('#analyze-rule', 'unanimous');
    await pa.click('#analyze-preview');
    await pa.waitForSelector('#analyze-changes');
    const dry = await banner(pa, 'analyze-out');
    assert.match(dry, /^Dry run \(nothing written\) with rule unanimous: 12 of 12 images judged, \d+ agreed, \d+ to refinement/);
    queued = Number(dry.match(/(\d+) to refinement/)[1]);
    assert.ok(queued > 0, 'ann2 disagreed on some images');
    assert.equal(count('SELECT count(*) FROM final_status') + count('SELECT count(*) FROM refinement_queue'), 0, 'the dry run wrote nothing');
    await check(pa, 'analyze');
    await pa.click('#analyze-apply');
    await pa.waitForFunction(() => /^Applied/.test(document.querySelector('#analyze-out .banner').textContent));
    assert.equal(count('SELECT count(*) FROM refinement_queue'), queued);

    await open(pa, 'refine', '#refine-people input[value="expert"]');
    await pa.check('#refine-people input[value="expert"]');
    await pa.fill('#refine-blind', '0.5');
    await pa.fill('#refine-seed', '3');
    await pa.click('#refine-preview');
    await pa.waitForSelector('#refine-load tbody tr');
    assert.match(await banner(pa, 'refine-out'), new RegExp(`^Preview \\(nothing written\\): ${queued} images would go to experts`));
    assert.equal(count('SELECT count(*) FROM refinement_queue WHERE expert_id IS NOT NULL') + count('SELECT count(*) FROM refinement_arms'), 0,
      'the preview wrote nothing');
    await check(pa, 'refine');
    await pa.click('#refine-apply');
    await pa.waitForFunction(() => /^Applied/.test(document.querySelector('#refine-out .banner').textContent));
    assert.equal(count('SELECT count(*) FROM refinement_queue WHERE expert_id IS NOT NULL'), queued);

    const e = await apiSession(base, 'expert');
    const r1 = (await e.get('/api/tasks?stage=refine')).ids[0];
    const t1 = await e.get(`/api/tasks/${r1}?stage=refine`);
    /* ann1's set (the first proposal); a comment, as the set may differ from the pre-checked one */
    await e.put(`/api/tasks/${r1}/annotation`, { stage: 'refine', base_version: 0, labels: [{ class: t1.proposals[0].class, source: 'proposal' }],
      comment: 'the first proposal only' });
    await e.close();
    assert.equal(sql(project, `SELECT stage FROM final_status WHERE image_id = ${r1}`), 'refined');
  });

  await section('C5: #gold: a bad upload names its entry and adds nothing; a good one; remove', async () => {
    await open(pa, 'gold', '#gold-table tbody tr');
    const n1 = sql(project, 'SELECT name FROM images ORDER BY name LIMIT 1');
    await pa.setInputFiles('#gold-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(`file,labels\n${n1},1\nno_such.jpg,2\n`) });
    await pa.click('#gold-upload');
    await pa.waitForSelector('#gold-out .banner.error');
    const err = await banner(pa, 'gold-out');
    assert.match(err, /bad\.csv: entry 2\b/, 'the error names the entry: ' + err);
    assert.match(err, /no_such\.jpg/);
    assert.equal(count('SELECT count(*) FROM gold_images'), 0, 'nothing added');
    await pa.setInputFiles('#gold-file', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(`file,labels\n${n1},1\n`) });
    await pa.click('#gold-upload');
    await pa.waitForFunction(() => /good\.csv: 1 gold image added/.test(document.querySelector('#gold-out .banner').textContent));
    await pa.waitForFunction((n) => document.querySelector('#gold-table tbody tr td').textContent === n, n1);
    assert.equal(count('SELECT count(*) FROM gold_images'), 1);
    await check(pa, 'gold');
    await pa.click(`#gold-table button[aria-label="Remove ${n1} from gold"]`);
    await pa.waitForFunction(() => /is no longer gold/.test(document.querySelector('#gold-out .banner').textContent));
    await pa.waitForFunction(() => /No gold images yet/.test(document.querySelector('#gold-table tbody').textContent));
    assert.equal(count('SELECT count(*) FROM gold_images'), 0);
  });

  let zeroReviewed = false;
  await section('C6: #zero: the agreed empty set awaits a review; one is recorded', async () => {
    await open(pa, 'zero', '#zero-pending tbody tr');
    await pa.waitForFunction(() => document.getElementById('zero-summary').textContent !== '');
    await check(pa, 'zero');
    const z = await pa.evaluate(async () => (await fetch('/api/admin/zero-label')).json());
    assert.equal(z.pending.length, Math.min(z.pending_total, 500),
      `GET /api/admin/zero-label lists the images it counts (pending_total ${z.pending_total}, pending ${JSON.stringify(z.pending)})`);
    const pending = await cells(pa, 'zero-pending');
    const name0 = sql(project, `SELECT name FROM images WHERE id = ${zeroId}`);
    assert.ok(pending.some((r) => r[0] === name0), `the agreed empty set awaits a review: ${JSON.stringify(pending)}`);
    const row = pa.locator('#zero-pending tbody tr', { hasText: name0 });
    /* nothing is pre-chosen: Record without choices only asks for them */
    await row.locator('button').click();
    await pa.waitForFunction(() => /Choose both/.test(document.getElementById('zero-note').textContent));
    assert.equal(count(`SELECT count(*) FROM zero_label_reviews WHERE image_id = ${zeroId}`), 0, 'nothing recorded yet');
    await row.locator('select >> nth=0').selectOption({ index: 1 });
    await row.locator('select >> nth=1').selectOption({ index: 1 });
    await row.locator('button').click();
    await pa.waitForFunction((n) => ![...document.querySelectorAll('#zero-pending tbody tr')].some((r) => r.cells[0].textContent === n), name0);
    assert.equal(count(`SELECT count(*) FROM zero_label_reviews WHERE image_id = ${zeroId}`), 1, 'the review recorded');
    zeroReviewed = true;
  });

  await section('C7: #quality (sorted by a column), #progress, #audit', async () => {
    await open(pa, 'quality', '#quality-table tbody tr:nth-child(3)');
    const names = async () => (await cells(pa, 'quality-table')).map((r) => r[0]);
    const asc = await names();
    assert.deepEqual(asc, [...asc].sort(), 'sorted by name');
    await pa.click('#quality-table thead button[data-key="name"]');
    assert.deepEqual(await names(), [...asc].reverse(), 'a second click: descending');
    assert.equal(await pa.getAttribute('#quality-table thead th:first-child', 'aria-sort'), 'descending');
    await pa.click('#quality-table thead button[data-key="per_hour"]');
    assert.equal(await pa.getAttribute('#quality-table thead th:nth-child(6)', 'aria-sort'), 'ascending');
    await check(pa, 'quality');

    await open(pa, 'progress', '#progress-table tbody tr:nth-child(4)');
    assert.match(await pa.textContent('#progress-stages'), /Stage ii: 24 \/ 24 tasks done/);
    const prog = await cells(pa, 'progress-table');
    assert.deepEqual(prog.map((r) => r[0]).sort(), ['ann1', 'ann2', 'dana', 'expert']);
    await check(pa, 'progress');

    await open(pa, 'audit', '#audit-table tbody tr:nth-child(5)');
    const acts = new Set((await cells(pa, 'audit-table')).map((r) => r[4]));
    for (const a of ['user.invite', 'invite.accept', 'assign', 'analyze', 'refinement', 'gold.add', 'gold.remove', ...(zeroReviewed ? ['zero_review'] : [])]) {
      assert.ok(acts.has(a), `the audit log lists ${a}: ${[...acts].join(' ')}`);
    }
    assert.ok(await pa.$('#audit-table tr.failed'), 'the refused gold upload is listed as failed');
    assert.doesNotMatch(await pa.textContent('#audit-table'), /[0-9a-f]{64}/, 'no token in the audit log');
    await check(pa, 'audit');
  });

  await section('C8: #reports: downloads, a generated report', async () => {
    await open(pa, 'reports', '#exports a[data-format="csv"]');
    for (const [format, test] of [['csv', (t) => /^file,/.test(t) && t.trim().split('\n').length === 13],
      ['real', (t) => JSON.parse(t).length === 12]]) {
      const [dl] = await Promise.all([pa.waitForEvent('download'), pa.click(`#exports a[data-format="${format}"]`)]);
      const text = readFileSync(await dl.path(), 'utf8');
      assert.ok(text.length > 0 && test(text), `${format} download (${dl.suggestedFilename()}): ${text.slice(0, 120)}`);
    }
    await pa.click('#report-make');
    await pa.waitForSelector('#report-out .banner.ok a', { timeout: 30000 });
    await pa.waitForSelector('#reports-table tbody tr a');
    await check(pa, 'reports');
    const href = await pa.getAttribute('#report-out .banner.ok a', 'href');
    const res = await pa.request.get(base + href);
    assert.equal(res.status(), 200, 'index.html: HTTP ' + res.status());
    const [rp] = await Promise.all([admin.waitForEvent('page'), pa.click('#report-out .banner.ok a')]);
    pageErrors(rp, 'report');
    await rp.waitForLoadState('load');
    const figs = await rp.$$eval('img, svg', (l) => l.map((e) => (e.tagName === 'IMG' ? e.naturalWidth : 1)));
    assert.ok(figs.length > 0, `the report (${rp.url()}) has figures: ${(await rp.content()).slice(0, 400)}`);
    assert.ok(figs.every((w) => w > 0), 'every figure loads: ' + JSON.stringify(figs));
    await rp.close();
  });

  await section('C9: #overview: the live view = mlfy evaluate --project', async () => {
    await open(pa, 'overview', '#live-models tbody tr:nth-child(4)');
    await pa.waitForFunction(() => document.getElementById('live-svg').complete && document.getElementById('live-svg').naturalWidth > 0);
    const live = await pa.evaluate(async () => (await fetch('/api/admin/live')).json());
    const ev = JSON.parse(mlfy('evaluate', '--project', project, '--format', 'json',
      ...[1, 2, 3].flatMap((m) => ['--predictions', `m${m}=${join(tmp, `m${m}.npy`)}`])));
    const evModels = ev.models || ev;
    const rows = await cells(pa, 'live-models');
    assert.equal(rows.length, live.models.length);
    assert.equal(live.models.length, 4, 'the fixture\'s model and m1, m2, m3');
    assert.deepEqual(rows.filter((r) => / \(proposals\)$/.test(r[0])).map((r) => r[0]), [`${sql(project, 'SELECT name FROM models WHERE id = 1')} (proposals)`],
      'the fixture\'s model makes the proposals');
    const pct = (p) => (!p || p.p === null || !p.n ? '–' : `${(100 * p.p).toFixed(1)} % (${(100 * p.ci_low).toFixed(1)}–${(100 * p.ci_high).toFixed(1)})`);
    for (const m of evModels) {
      const lv = live.models.find((x) => x.model === m.model);
      assert.ok(lv, `${m.model} in the live view`);
      for (const k of ['top1', 'real']) {
        assert.deepEqual([lv[k].k, lv[k].n], [m[k].correct, m[k].images], `${m.model} ${k}: correct/images`);
        assert.ok(Math.abs(100 * lv[k].p - m[k].accuracy) < 1e-3, `${m.model} ${k} accuracy`);
        assert.ok(Math.abs(100 * lv[k].ci_low - m[k].wilson[0]) < 1e-3 && Math.abs(100 * lv[k].ci_high - m[k].wilson[1]) < 1e-3,
          `${m.model} ${k} Wilson interval`);
      }
      const row = rows.find((r) => r[0].replace(/ \(proposals\)$/, '') === m.model);
      assert.ok(row, `${m.model} in the table: ${JSON.stringify(rows)}`);
      assert.deepEqual([row[1], row[2], row[3], row[4]], [pct(lv.top1), String(m.top1.images), pct(lv.real), String(m.real.images)],
        `${m.model}: the table shows the figures`);
    }
    assert.equal(live.decided, count('SELECT count(*) FROM final_status'));
    await check(pa, 'overview');
  });

  for (const s of SECTIONS) if (!axeDone.has('#' + s)) failures.push(`section #${s} was not checked`);
} catch (e) {
  failures.push('unexpected: ' + (e.stack || e));
} finally {
  await anon.dispose();
  await browser.close();
}
for (const f of failures) console.error('FAIL ' + f);
step(`${axeDone.size} pages and sections checked with axe-core`);
if (failures.length) process.exit(1);
console.log(`console: ok in ${((Date.now() - t0) / 1000).toFixed(1)} s (screenshots in ${artifacts}${docsImg ? ' and ' + docsImg : ''})`);
