// keyboard.mjs - the annotation page's keyboard model and its dialogs:
//   K0  the page's scripts are ES modules: no globals
//   K1  a focused checkbox keeps the focus when the page re-renders (Space
//       toggles it, a shortcut key toggles another label)
//   K2  Tab / Shift+Tab move the focus from control to control, as in any
//       page (they do not switch the group of five)
//   K3  ↓ / ↑ switch the group; a focused checkbox hands the focus to the one
//       at the same place in the new group
//   K4  in the comment box, the search box and a select the keys are text
//       (or the select's own): no label toggled, no dialog opened
//   K5  help, full image and exemplar are modal dialogs: role dialog, modal,
//       labelled, focus inside while open (Tab stays inside), Escape closes,
//       the focus returns to where it was; the page's keys do not act
//       behind them
//
//   MLFY=path/to/mlfy node keyboard.mjs BASE_URL PROJECT ARTIFACTS
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launch, newPage, login, sql } from './lib.mjs';

const [base, project, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const step = (msg) => console.log('keyboard: ' + msg);
const failures = [];
/* one part of the test: a failure is recorded and the next part still runs */
async function section(name, fn) {
  step(name);
  try { await fn(); } catch (e) { failures.push(name + ': ' + (e.stack || e)); }
}

/* what has the focus: {id, cls (data-class), type, inDialog (id of the open dialog around it)} */
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  const d = a && a.closest('dialog, [role=dialog]');
  return a && { tag: a.tagName, id: a.id, cls: a.dataset.class ? Number(a.dataset.class) : null, type: a.type || '',
    inDialog: d ? d.id : null };
});
const checkedClasses = (page) => page.$$eval('.prop input:checked', (els) => els.map((e) => Number(e.dataset.class)));
const selectedTab = (page) => page.$eval('[role=tab][aria-selected=true]', (e) => e.textContent.trim().split(' ')[0]);
async function waitSaved(page) {
  await page.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent));
}
/* the task shown, read as the page reads it (the URL's #id, the API) */
const shownTask = (page) => page.evaluate(async () => {
  const r = await fetch('/api/tasks/' + location.hash.slice(1) + '?stage=annotate');
  return r.json();
});
/* a dialog as assistive technology sees it */
const dialogInfo = (page, id) => page.evaluate((id) => {
  const d = document.getElementById(id);
  const role = d.getAttribute('role') || (d.tagName === 'DIALOG' ? 'dialog' : '');
  const modal = d.getAttribute('aria-modal') === 'true' || d.matches(':modal');
  let name = d.getAttribute('aria-label') || '';
  for (const ref of (d.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)) {
    const l = document.getElementById(ref);
    if (l) name += l.textContent.trim();
  }
  const r = d.getBoundingClientRect();
  return { role, modal, name, visible: r.width > 0 && r.height > 0 && getComputedStyle(d).visibility !== 'hidden',
    hasFocus: d.contains(document.activeElement) };
}, id);

async function checkDialog(page, id, open, what) {
  await open();
  await page.waitForSelector('#' + id, { state: 'visible' });
  const d = await dialogInfo(page, id);
  assert.equal(d.role, 'dialog', `${what}: role dialog`);
  assert.ok(d.modal, `${what}: modal`);
  assert.ok(d.name.length > 2, `${what}: has a name (${JSON.stringify(d.name)})`);
  assert.ok(d.hasFocus, `${what}: the focus moved into it`);
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).inDialog, id, `${what}: Tab keeps the focus inside (press ${i + 1})`);
  }
  return d;
}

const browser = await launch();
try {
  const page = await newPage(browser, failures);
  await login(page, base, 'ann1');
  await page.waitForSelector('.prop');
  const t = await shownTask(page);
  const cls = t.proposals.map((p) => p.class);

  await section('K0: the page\'s scripts are modules: no globals', async () => {
    const blank = await page.context().newPage();
    await blank.goto(base + '/api/health');
    const before = new Set(await blank.evaluate(() => Object.getOwnPropertyNames(window)));
    await blank.close();
    const added = (await page.evaluate(() => Object.getOwnPropertyNames(window))).filter((k) => !before.has(k));
    assert.deepEqual(added, [], 'no properties added to window');
    /* top-level const/let of a classic script are globals without being window's properties */
    assert.deepEqual(await page.evaluate(() => [typeof S, typeof mlfy, typeof GROUP, typeof $]),
      ['undefined', 'undefined', 'undefined', 'undefined'], 'no global bindings');
    assert.ok(await page.$$eval('script', (ss) => ss.length > 0 && ss.every((x) => x.type === 'module')), 'module scripts');
  });
  await section('K1: a focused checkbox keeps the focus through re-renders', async () => {
    await page.focus(`.prop input[data-class="${cls[0]}"]`);
    await page.keyboard.press('Space');
    await waitSaved(page);
    assert.deepEqual(await checkedClasses(page), [cls[0]], 'Space ticked proposal 1');
    const f = await focused(page);
    assert.equal(f.cls, cls[0], `the focus stays on proposal 1's checkbox after the save (it is on ${JSON.stringify(f)})`);
    await page.keyboard.press('3');
    await waitSaved(page);
    assert.deepEqual((await checkedClasses(page)).sort((a, b) => a - b), [cls[0], cls[2]].sort((a, b) => a - b),
      'key 3 works while a checkbox has the focus');
    assert.equal((await focused(page)).cls, cls[0], 'key 3 leaves the focus where it was');
  });
  await section('K2: Tab and Shift+Tab move the focus; the group stays', async () => {
    await page.keyboard.press('Tab');
    let f = await focused(page);
    assert.equal(f.cls, cls[1], `Tab moves to proposal 2's checkbox (got ${JSON.stringify(f)})`);
    assert.equal(await selectedTab(page), '1–5', 'Tab does not switch the group');
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).cls, cls[0], 'Shift+Tab moves back');
    await page.keyboard.press('Shift+Tab');
    f = await focused(page);
    assert.ok(f.tag !== 'BODY' && f.cls === null, `Shift+Tab from the first checkbox leaves the list (got ${JSON.stringify(f)})`);
  });
  await section('K3: ↓ switches the group and the focus follows to the same place', async () => {
    await page.focus(`.prop input[data-class="${cls[1]}"]`);
    await page.keyboard.press('ArrowDown');
    assert.equal(await selectedTab(page), '6–10', '↓ shows the next group');
    assert.equal((await focused(page)).cls, cls[6], 'the focus is on the second checkbox of the new group');
    await page.keyboard.press('ArrowUp');
    assert.equal(await selectedTab(page), '1–5');
    assert.equal((await focused(page)).cls, cls[1]);
  });
  await section('K4: keys typed in the comment box and the search box are text', async () => {
    const before = await checkedClasses(page);
    await page.keyboard.press('c');
    assert.equal((await focused(page)).id, 'comment');
    await page.keyboard.type('1 n z ? / 2');
    assert.equal(await page.inputValue('#comment'), '1 n z ? / 2');
    assert.deepEqual(await checkedClasses(page), before, 'no label toggled from the comment box');
    assert.ok(!(await page.isVisible('#help')) && !(await page.isVisible('#zoom')), 'no dialog opened');
    await page.keyboard.press('Tab');
    assert.notEqual((await focused(page)).id, 'comment', 'Tab leaves the comment box');
    await page.focus('#comment');
    await page.keyboard.press('Escape');
    assert.notEqual((await focused(page)).id, 'comment', 'Esc leaves the comment box');
    await page.keyboard.press('/');
    assert.equal((await focused(page)).id, 'search');
    await page.keyboard.type('n1');
    assert.equal(await page.inputValue('#search'), 'n1');
    assert.deepEqual(await checkedClasses(page), before, 'no label toggled from the search box');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.getElementById('comment').value === '1 n z ? / 2');
  });
  await section('K5: the help is a modal dialog; Escape returns the focus', async () => {
    await page.focus(`.prop input[data-class="${cls[0]}"]`);
    await checkDialog(page, 'help', () => page.keyboard.press('?'), 'help');
    await page.screenshot({ path: join(artifacts, 'keyboard-help.png') });
    const under = await checkedClasses(page);
    await page.keyboard.press('2');
    assert.deepEqual(await checkedClasses(page), under, 'the page\'s keys do not act behind the dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#help', { state: 'hidden' });
    assert.equal((await focused(page)).cls, cls[0], 'the focus is back on the checkbox');
  });
  await section('K5: the help button by keyboard: Enter opens, Escape returns to the button', async () => {
    await page.focus('#help-btn');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#help', { state: 'visible' });
    assert.ok((await dialogInfo(page, 'help')).hasFocus);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#help', { state: 'hidden' });
    assert.equal((await focused(page)).id, 'help-btn', 'the focus is back on the help button');
  });
  await section('K5: the full image is a modal dialog; Z closes it too', async () => {
    await page.focus(`.prop input[data-class="${cls[0]}"]`);
    await checkDialog(page, 'zoom', () => page.keyboard.press('z'), 'full image');
    await page.keyboard.press('z');
    await page.waitForSelector('#zoom', { state: 'hidden' });
    assert.equal((await focused(page)).cls, cls[0], 'the focus is back after the full image');

    const thumb = await page.$('.prop:not([hidden]) .exemplars img, .prop:not([hidden]) .exemplars button');
    if (thumb) {
      step('K5: an exemplar is a modal dialog');
      await checkDialog(page, 'lightbox', () => thumb.click(), 'exemplar');
      await page.keyboard.press('Escape');
      await page.waitForSelector('#lightbox', { state: 'hidden' });
    }
  });
  await section('the saved set is what the keys made', async () => {
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^image 2 \//.test(document.getElementById('position').textContent), null,
      { timeout: 20000 }).catch(async (e) => {
      throw new Error(e.message + ' — the page says: ' + JSON.stringify(await page.evaluate(() => ({
        position: document.getElementById('position').textContent, state: document.getElementById('save-state').textContent,
        focus: document.activeElement.tagName + '#' + document.activeElement.id,
        open: [...document.querySelectorAll('dialog[open]')].map((d) => d.id) }))));
    });
    const got = sql(project, `SELECT group_concat(class_idx) FROM (SELECT l.class_idx FROM annotation_labels l
      JOIN current_annotations n ON n.id = l.annotation_id JOIN annotators u ON u.id = n.annotator_id
      WHERE n.image_id = ${t.image.id} AND u.name = 'ann1' AND n.stage = 'annotate' ORDER BY l.class_idx)`);
    assert.equal(got, [cls[0], cls[2]].sort((a, b) => a - b).join(','));
    assert.equal(sql(project, `SELECT comment FROM current_annotations n JOIN annotators u ON u.id = n.annotator_id
      WHERE n.image_id = ${t.image.id} AND u.name = 'ann1'`), '1 n z ? / 2');
    await page.context().close();
  });
} catch (e) {
  failures.push('FAILED: ' + (e.stack || e));
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error('keyboard: ' + f);
  process.exit(1);
}
console.log('keyboard: ok');
