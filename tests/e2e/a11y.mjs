// a11y.mjs - accessibility of every page and state (WCAG 2.1 AA): axe-core
// (npm, pinned in package.json) runs on the login page (empty, and with a
// wrong-password error, and after a session ended), the annotation page
// (normal, class-search results open, a search without a match, help open,
// full-image view open, an exemplar open, saved, save failed, an image that
// cannot be loaded, nothing assigned), the refinement page (the zero-label review
// visible) and the admin dashboard.  Each state must have 0 serious and 0
// critical violations; the counts of every state are printed.  axe does not
// check non-text contrast, so the borders of form fields and the keyboard
// focus outline of every control are measured here (3:1 against what is
// behind them).
//
//   MLFY=path/to/mlfy node a11y.mjs BASE_URL PROJECT ARTIFACTS
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launch, newPage, login, axeRun, nonTextContrast, disagreeAndQueue } from './lib.mjs';

const [base, project, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const step = (msg) => console.log('a11y: ' + msg);
const failures = [];
const table = [];

/* axe on the page as it is now, plus the non-text contrast of its controls */
async function check(page, state) {
  const { counts, violations } = await axeRun(page);
  const contrast = await nonTextContrast(page);
  table.push({ state, ...counts, 'non-text contrast': contrast.length });
  console.log(`a11y: ${state}: critical ${counts.critical}, serious ${counts.serious}, moderate ${counts.moderate},`
    + ` minor ${counts.minor}; non-text contrast failures ${contrast.length}`);
  for (const v of violations) {
    console.log(`a11y:   [${v.impact}] ${v.id}: ${v.help}`);
    for (const n of v.nodes) console.log(`a11y:       ${n}`);
  }
  for (const c of contrast) console.log(`a11y:   [non-text contrast] ${c}`);
  if (counts.critical || counts.serious) failures.push(`${state}: ${counts.critical} critical, ${counts.serious} serious`);
  if (contrast.length) failures.push(`${state}: ${contrast.length} controls below 3:1`);
}

const browser = await launch();
try {
  step('login page');
  const pl = await newPage(browser, failures);
  await pl.goto(base + '/login');
  await pl.waitForSelector('#login-form');
  await check(pl, 'login');
  await pl.fill('#user', 'ann1');
  await pl.fill('#password', 'wrong-password');
  await pl.press('#password', 'Enter');
  await pl.waitForSelector('#login-error:not([hidden])');
  await check(pl, 'login, wrong password');
  await pl.goto(base + '/login?next=%2Fannotate&ended=1');
  await pl.waitForSelector('#login-note:not([hidden])');
  await check(pl, 'login, session ended');
  await pl.context().close();

  step('annotation page');
  const pa = await newPage(browser, failures);
  await login(pa, base, 'ann1');
  await pa.waitForSelector('.prop');
  await pa.waitForFunction(() => /not yet decided/.test(document.getElementById('save-state').textContent));
  await check(pa, 'annotate');
  await pa.keyboard.press('/');
  await pa.keyboard.type('dog');
  await pa.waitForSelector('#search-results li');
  await check(pa, 'annotate, search results open');
  await pa.keyboard.press('Escape');
  await pa.waitForSelector('#search-results', { state: 'hidden' });
  await pa.keyboard.press('/');
  await pa.keyboard.type('zzzzqqq');
  await pa.waitForFunction(() => /no class matches/.test(document.getElementById('search-none').textContent));
  await check(pa, 'annotate, search without a match');
  await pa.keyboard.press('Escape');
  await pa.keyboard.press('?');
  await pa.waitForSelector('#help', { state: 'visible' });
  await check(pa, 'annotate, help open');
  await pa.keyboard.press('Escape');
  await pa.waitForSelector('#help', { state: 'hidden' });
  await pa.keyboard.press('z');
  await pa.waitForSelector('#zoom', { state: 'visible' });
  await pa.waitForFunction(() => document.getElementById('zoom-img').complete);
  await check(pa, 'annotate, full image open');
  await pa.keyboard.press('Escape');
  await pa.waitForSelector('#zoom', { state: 'hidden' });
  const thumb = await pa.$('.prop:not([hidden]) .exemplars img');
  if (thumb) {
    await thumb.click();
    await pa.waitForSelector('#lightbox', { state: 'visible' });
    await check(pa, 'annotate, exemplar open');
    await pa.keyboard.press('Escape');
    await pa.waitForSelector('#lightbox', { state: 'hidden' });
  }
  await pa.keyboard.press('Enter');   /* undecided: refused, the reason shown */
  await pa.waitForFunction(() => /not saved/.test(document.getElementById('save-state').textContent));
  await pa.waitForTimeout(1300);      /* the flash animation */
  await check(pa, 'annotate, not saved (undecided)');
  await pa.keyboard.press('1');
  await pa.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent));
  await check(pa, 'annotate, saved');
  /* the server does not answer saves: "save failed — retrying" and the retry link */
  await pa.route('**/api/tasks/*/annotation', (r) => r.fulfill({ status: 503, contentType: 'application/json',
    body: '{"error":"unavailable"}' }));
  await pa.keyboard.press('2');
  await pa.waitForFunction(() => /failed/.test(document.getElementById('save-state').textContent));
  await pa.screenshot({ path: join(artifacts, 'a11y-save-failed.png') });
  await check(pa, 'annotate, save failed');
  await pa.unroute('**/api/tasks/*/annotation');
  /* the retry with back-off sends it by itself */
  await pa.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent));
  /* the next image's file is missing: "cannot load image N", an alert, the retry link */
  const next = await pa.evaluate(async () => {
    const l = await (await fetch('/api/tasks?stage=annotate')).json();
    return l.ids[l.ids.indexOf(Number(location.hash.slice(1))) + 1];
  });
  await pa.route(new RegExp(`/api/images/${next}\\?`), (r) => r.fulfill({ status: 404, contentType: 'application/json',
    body: '{"error":"image file is missing on the server"}' }));
  await pa.keyboard.press('Enter');
  await pa.waitForFunction(() => /cannot load image/.test(document.getElementById('save-state').textContent));
  await pa.waitForTimeout(1300);      /* the flash animation */
  await check(pa, 'annotate, image cannot be loaded');
  await pa.context().close();

  step('an annotator with no batch');
  const pn = await newPage(browser, failures);
  await login(pn, base, 'ann3');
  await pn.waitForSelector('#done-box:not([hidden])');
  await check(pn, 'annotate, nothing assigned');
  await pn.context().close();

  step('refinement page with the zero-label review');
  await disagreeAndQueue(base, project);
  const pe = await newPage(browser, failures);
  await login(pe, base, 'expert');
  await pe.waitForSelector('.prop');
  await check(pe, 'refine');
  await pe.keyboard.press('n');
  await pe.waitForSelector('#zero-label', { state: 'visible' });
  await pe.screenshot({ path: join(artifacts, 'a11y-zero-label.png') });
  await check(pe, 'refine, zero-label review');
  await pe.context().close();

  step('admin dashboard');
  const pd = await newPage(browser, failures, { width: 1300, height: 900 });
  await login(pd, base, 'admin', '/login?next=/admin');
  await pd.waitForSelector('#grid tbody tr td');
  await pd.waitForTimeout(400);   /* the progress bars' width transition */
  await check(pd, 'admin dashboard');
  await pd.context().close();
} catch (e) {
  failures.push('FAILED: ' + (e.stack || e));
} finally {
  await browser.close();
}
console.log('a11y: summary (axe violations by impact; controls below 3:1)');
console.table(table);
assert.ok(table.length >= 13 || failures.length, 'every state was checked');
if (failures.length) {
  for (const f of failures) console.error('a11y: ' + f);
  process.exit(1);
}
console.log('a11y: ok');
