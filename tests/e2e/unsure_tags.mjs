// unsure_tags.mjs - "unsure" (stage ii) and the problem tags (both stages) on
// the annotation and refinement pages, by keyboard (see unsure_tags.sh):
//   T1  an annotator marks an image unsure with a reason (U, ↓, Esc) and
//       ticks two problem tags (T, Space, Tab, Tab, Space, Esc): the row is
//       marked, the save carries "unsure" and "tags" (GET /api/tasks/<id>)
//   T2  the next image starts clear; back (←) and after a reload the image
//       shows its reason and its tags again, from the saved annotation
//   T3  unsure with "none of these", then cleared with the select (Home)
//       and with the "clear" button: the saved "unsure" is null again
//   T4  the help names U and T; the words are /api/vocabulary's; at
//       1366x768 the buttons stay in view with the tags open
//   T5  the expert (after mlfy analyze + mlfy assign-refinement): each
//       annotator's unsure reason and tags beside their set, no unsure
//       control (U does nothing), the pre-checked boxes are the reply's
//       prefill (also a changed prefill), a problem tag saved in refinement
//   T6  a blind task (--blind-share 1): nothing pre-checked, no sets, no
//       word "blind"; a set is saved without a comment
//
//   MLFY=path/to/mlfy node unsure_tags.mjs BASE_URL PROJECT ARTIFACTS
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launch, newPage, login, mlfy, apiSession, axeRun, nonTextContrast } from './lib.mjs';

const [base, project, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const shots = '/tmp/mlfy-unsure-tags';
mkdirSync(shots, { recursive: true });
const step = (msg) => console.log('unsure-tags: ' + msg);
const failures = [];
async function section(name, fn) {
  step(name);
  try { await fn(); } catch (e) { failures.push(name + ': ' + (e.stack || e)); }
}
async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, name) });
  await page.screenshot({ path: join(shots, name) });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 15000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for ' + what);
    await sleep(150);
  }
}
const W = 1366, H = 768;

/* axe-core (no violation of any impact) and the controls' non-text contrast, on the page as it is now */
async function a11y(page, state) {
  const { counts, violations } = await axeRun(page);
  const contrast = await nonTextContrast(page);
  const n = counts.critical + counts.serious + counts.moderate + counts.minor;
  step(`axe: ${state}: ${n} violations; non-text contrast failures ${contrast.length}`);
  for (const v of violations) step(`  [${v.impact}] ${v.id}: ${v.help} — ${v.nodes.join('; ')}`);
  for (const c of contrast) step(`  [non-text contrast] ${c}`);
  if (n) failures.push(`${state}: ${n} axe violations`);
  if (contrast.length) failures.push(`${state}: ${contrast.length} controls below 3:1`);
}

/* the page's own view of the server (its session) */
const getTask = (page, id, stage) => page.evaluate(async ([i, s]) =>
  (await fetch(`/api/tasks/${i}?stage=${s}`)).json(), [id, stage]);
const shownId = (page) => page.evaluate(() => Number(location.hash.slice(1)));
const status = async (page) => (await page.textContent('#save-state')).trim();
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return a ? (a.id || (a.dataset && (a.dataset.tag || a.dataset.focusKey)) || a.tagName) : null;
});
/* the problem tags ticked on the page, by name */
const tickedTags = (page) => page.$$eval('#tags-list input[data-tag]', (l) => l.filter((c) => c.checked).map((c) => c.dataset.tag));
/* the checked label boxes (proposals of every group, and the other labels) */
const checkedClasses = (page) => page.$$eval('#proposals input[data-class], #extra-labels input[data-class]',
  (l) => [...new Set(l.filter((c) => c.checked).map((c) => Number(c.dataset.class)))].sort((a, b) => a - b));
const sorted = (a) => [...a].sort();
const num = (a) => [...a].sort((x, y) => x - y);

const browser = await launch();
let vocab = null, id1 = 0, id2 = 0, reason = '', tagA = '', tagB = '';
let pa = null;
try {
  await section('T1: unsure with a reason and two problem tags, by keyboard', async () => {
    pa = await newPage(browser, failures, { width: W, height: H });
    await login(pa, base, 'ann1');
    await pa.waitForSelector('.prop');
    vocab = await pa.evaluate(async () => (await fetch('/api/vocabulary')).json());
    assert.ok(vocab.unsure_reasons.length >= 2 && vocab.problem_tags.length >= 3, 'the vocabulary has reasons and tags');
    id1 = await shownId(pa);
    assert.equal(await pa.isVisible('#unsure'), true, 'the unsure control is shown in stage ii');
    assert.equal(await pa.isVisible('#tags-panel'), false, 'the tags start closed');
    /* a label too: unsure is not "none of these" */
    await pa.keyboard.press('1');
    await pa.keyboard.press('u');
    assert.equal(await focused(pa), 'unsure', 'U goes to the reason');
    await pa.keyboard.press('ArrowDown');
    await pa.keyboard.press('ArrowDown');
    reason = vocab.unsure_reasons[1].name;
    assert.equal(await pa.$eval('#unsure', (s) => s.value), reason, '↓ ↓ chooses the second reason');
    await pa.keyboard.press('Escape');
    assert.notEqual(await focused(pa), 'unsure', 'Esc leaves the select');
    assert.ok(await pa.$eval('#flags', (e) => e.classList.contains('unsure-on')), 'the row is marked unsure');
    assert.ok(await pa.isVisible('#unsure-clear'), 'and offers "clear"');
    const beforeT = await focused(pa);
    await pa.keyboard.press('t');
    assert.ok(await pa.isVisible('#tags-panel'), 'T opens the tags');
    tagA = vocab.problem_tags[0].name;
    tagB = vocab.problem_tags[2].name;
    assert.equal(await focused(pa), tagA, 'T goes to the first tag');
    await pa.keyboard.press('Space');
    await pa.keyboard.press('Tab');
    await pa.keyboard.press('Tab');
    assert.equal(await focused(pa), tagB, 'Tab, Tab: the third tag');
    await pa.keyboard.press('Space');
    assert.deepEqual(sorted(await tickedTags(pa)), sorted([tagA, tagB]));
    /* the labels of the page are the vocabulary's */
    const shown = await pa.$$eval('#tags-list label', (l) => l.map((x) => x.textContent.trim()));
    assert.deepEqual(shown, vocab.problem_tags.map((t) => t.label), 'tag labels from /api/vocabulary');
    const opts = await pa.$$eval('#unsure option', (l) => l.slice(1).map((o) => o.textContent));
    assert.deepEqual(opts, vocab.unsure_reasons.map((r) => r.label), 'reason labels from /api/vocabulary');
    await shot(pa, 'unsure-tags-open.png');
    const next = await pa.$eval('#next', (e) => e.getBoundingClientRect().bottom);
    assert.ok(next <= H, `Save & next stays in view with the tags open (bottom ${Math.round(next)})`);
    await pa.keyboard.press('Escape');
    assert.equal(await pa.isVisible('#tags-panel'), false, 'Esc closes the tags');
    assert.equal(await focused(pa), beforeT, 'and gives the focus back to where T was pressed (so Enter is "save & next")');
    const summary = await pa.textContent('#tags-summary');
    assert.ok(summary.includes(vocab.problem_tags[0].label) && summary.includes(vocab.problem_tags[2].label),
      `the closed tags name what is ticked (${summary})`);
    const t = await until('the save with unsure and tags', async () => {
      const x = await getTask(pa, id1, 'annotate');
      return x.annotation && x.annotation.unsure === reason && x.annotation.tags.length === 2 ? x : null;
    });
    assert.deepEqual(sorted(t.annotation.tags), sorted([tagA, tagB]), 'the saved tags');
    assert.equal(t.annotation.labels.length, 1, 'the label stays ticked beside unsure');
    assert.ok(!('batch' in t.image), 'a stage-ii reply has no batch');
    assert.match(await pa.textContent('#image-name'), /^image #\d+$/, 'and the page shows none');
    await until('saved', async () => /^saved/.test(await status(pa)));
    await shot(pa, 'unsure-tags-annotate.png');
  });

  await section('T1b: axe-core on the page marked unsure, with the tags open', async () => {
    await pa.click('#tags-btn');
    await pa.waitForSelector('#tags-panel', { state: 'visible' });
    await a11y(pa, 'unsure, tags open');
    await pa.click('#tags-btn');
    await pa.waitForSelector('#tags-panel', { state: 'hidden' });
    await a11y(pa, 'unsure, tags closed');
  });

  await section('T2: the next image starts clear; back, and after a reload, restored', async () => {
    /* T, T closes the tags where T was pressed: Enter then saves and moves on (a QA finding:
     * it used to press the tags button and reopen them) */
    await pa.keyboard.press('t');
    await pa.keyboard.press('t');
    assert.equal(await pa.isVisible('#tags-panel'), false, 'T again closes the tags');
    assert.notEqual(await focused(pa), 'tags-btn', 'not on the tags button');
    await pa.keyboard.press('Enter');
    await pa.waitForFunction((id) => Number(location.hash.slice(1)) !== id, id1);
    id2 = await shownId(pa);
    assert.equal(await pa.$eval('#unsure', (s) => s.value), '', 'the next image: not unsure');
    assert.deepEqual(await tickedTags(pa), [], 'the next image: no tags');
    assert.ok(!(await pa.$eval('#flags', (e) => e.classList.contains('unsure-on'))));
    await pa.keyboard.press('ArrowLeft');
    await pa.waitForFunction((id) => Number(location.hash.slice(1)) === id, id1);
    await pa.waitForSelector('#flags.unsure-on');
    assert.equal(await pa.$eval('#unsure', (s) => s.value), reason, 'back: the reason');
    assert.deepEqual(sorted(await tickedTags(pa)), sorted([tagA, tagB]), 'back: the tags');
    await pa.reload();
    await pa.waitForFunction((id) => Number(location.hash.slice(1)) === id && document.querySelector('.prop'), id1);
    await pa.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent));
    assert.equal(await pa.$eval('#unsure', (s) => s.value), reason, 'reloaded: the reason');
    assert.deepEqual(sorted(await tickedTags(pa)), sorted([tagA, tagB]), 'reloaded: the tags');
    assert.equal(await pa.evaluate(() => localStorage.length), 0, 'nothing left unsent');
  });

  await section('T3: unsure beside "none of these", cleared by the select and by "clear"', async () => {
    await pa.keyboard.press('ArrowRight');
    await pa.waitForFunction((id) => Number(location.hash.slice(1)) === id, id2);
    await pa.keyboard.press('n');
    await pa.keyboard.press('u');
    await pa.keyboard.press('ArrowDown');
    await pa.keyboard.press('Escape');
    const r0 = vocab.unsure_reasons[0].name;
    await until('unsure beside an empty set', async () => {
      const x = await getTask(pa, id2, 'annotate');
      return x.annotation && x.annotation.unsure === r0 && x.annotation.labels.length === 0;
    });
    assert.equal(await pa.getAttribute('#none', 'aria-pressed'), 'true', '"none of these" stays pressed');
    await pa.keyboard.press('u');
    await pa.keyboard.press('Home');
    await pa.keyboard.press('Escape');
    assert.equal(await pa.$eval('#unsure', (s) => s.value), '', 'Home: "no"');
    await until('unsure cleared by the select', async () => {
      const x = await getTask(pa, id2, 'annotate');
      return x.annotation && x.annotation.unsure === null && x.annotation.labels.length === 0;
    });
    assert.ok(!(await pa.isVisible('#unsure-clear')), 'not unsure: no "clear"');
    await pa.keyboard.press('u');
    await pa.keyboard.press('ArrowDown');
    await until('unsure again', async () => (await getTask(pa, id2, 'annotate')).annotation.unsure === r0);
    await pa.keyboard.press('Tab');
    assert.equal(await focused(pa), 'unsure-clear', 'Tab from the reason: "clear"');
    await pa.keyboard.press('Enter');
    await until('unsure cleared by "clear"', async () => (await getTask(pa, id2, 'annotate')).annotation.unsure === null);
    assert.equal(await focused(pa), 'unsure', '"clear" gives the focus to the reason');
    assert.ok(!(await pa.$eval('#flags', (e) => e.classList.contains('unsure-on'))), 'the mark is gone');
    await pa.keyboard.press('Escape');
  });

  await section('T4: the help names U and T', async () => {
    await pa.keyboard.press('?');
    await pa.waitForSelector('#help', { state: 'visible' });
    const rows = await pa.$$eval('#help tr', (l) => l.filter((r) => r.getClientRects().length).map((r) => r.textContent));
    assert.ok(rows.some((r) => /^U\s*unsure/.test(r.trim())), 'U in the help');
    assert.ok(rows.some((r) => /^T\s*problem tags/.test(r.trim())), 'T in the help');
    await shot(pa, 'unsure-tags-help.png');
    await pa.keyboard.press('Escape');
  });

  /* ann2 labels image 1 differently, with a tag */
  await section('stage iii: mlfy analyze, mlfy assign-refinement', async () => {
    const b = await apiSession(base, 'ann2');
    const t1 = await b.get(`/api/tasks/${id1}?stage=annotate`);
    await b.put(`/api/tasks/${id1}/annotation`, { stage: 'annotate', base_version: 0, comment: '', seconds: 1,
      labels: [{ class: t1.proposals[1].class, source: 'proposal' }], tags: [vocab.problem_tags[3].name] });
    await b.close();
    mlfy('analyze', project);
    mlfy('assign-refinement', project, '--experts', 'expert');
  });

  let pe = null;
  await section('T5: the expert sees each annotator\'s reason and tags; prefill is pre-checked', async () => {
    pe = await newPage(browser, failures, { width: W, height: H });
    await login(pe, base, 'expert', '/login?next=' + encodeURIComponent('/refine#' + id1));
    await pe.waitForFunction((id) => Number(location.hash.slice(1)) === id && document.querySelector('.prop'), id1);
    const t = await getTask(pe, id1, 'refine');
    assert.ok(Array.isArray(t.prefill) && t.prefill.length >= 2, `a prefill (${JSON.stringify(t.prefill)})`);
    assert.deepEqual(await checkedClasses(pe), num(t.prefill), 'the pre-checked boxes are the prefill');
    const rows = await pe.$$eval('#refine-info .other', (l) => l.map((r) => r.textContent));
    const r1 = rows.find((r) => r.startsWith('ann1'));
    const r2 = rows.find((r) => r.startsWith('ann2'));
    const label = (list, n) => list.find((x) => x.name === n).label;
    assert.ok(r1 && r1.includes('unsure: ' + label(vocab.unsure_reasons, reason)), `ann1's reason (${r1})`);
    assert.ok(r1.includes(label(vocab.problem_tags, tagA)) && r1.includes(label(vocab.problem_tags, tagB)), 'ann1\'s tags');
    assert.ok(r2 && r2.includes(vocab.problem_tags[3].label) && !r2.includes('unsure'), `ann2's tag, not unsure (${r2})`);
    assert.equal(await pe.isVisible('#unsure'), false, 'no unsure control in refinement');
    assert.equal(await pe.isVisible('#tags-btn'), true, 'the problem tags are');
    await pe.keyboard.press('u');
    assert.notEqual(await focused(pe), 'unsure', 'U does nothing in refinement');
    await shot(pe, 'unsure-tags-refine.png');
    await a11y(pe, 'refinement with the annotators\' reasons and tags');
    /* the expert's own tag: T, Space, Esc; saved with the prefilled set */
    await pe.keyboard.press('t');
    await pe.keyboard.press('Space');
    await pe.keyboard.press('Escape');
    const saved = await until('the refinement saved with a tag', async () => {
      const x = await getTask(pe, id1, 'refine');
      return x.annotation && x.annotation.tags.length === 1 ? x : null;
    });
    assert.deepEqual(saved.annotation.tags, [tagA]);
    assert.deepEqual(num(saved.annotation.labels.map((l) => l.class)), num(t.prefill), 'the prefilled set kept');
    assert.ok(saved.annotation.labels.every((l) => l.source === 'prefill'), 'with source prefill');
    assert.equal(saved.annotation.unsure, null, 'no unsure in refinement');
    await shot(pe, 'unsure-tags-refine-saved.png');
  });

  await section('T5b: a reply\'s prefill, not the union of the sets, decides what is pre-checked', async () => {
    const pp = await newPage(browser, failures, { width: W, height: H });
    /* the route first: the page may prefetch the task */
    const ex = await apiSession(base, 'expert');
    const real = await ex.get(`/api/tasks/${id1}?stage=refine`);
    await ex.close();
    const union = new Set(real.others.flatMap((o) => o.labels.map((l) => l.class)));
    const extra = real.proposals.map((p) => p.class).find((c) => !union.has(c));
    const patch = (body) => {
      body.annotation = null;   /* as before the expert's save */
      body.others = [{ ...body.others[0] }];
      body.prefill = [extra];
    };
    await pp.route(new RegExp(`/api/tasks/${id1}\\?stage=refine$`), async (r) => {
      const res = await r.fetch();
      const body = await res.json();
      patch(body);
      await r.fulfill({ response: res, json: body });
    });
    /* the page's first task comes inline with the list (include=task) */
    await pp.route(/\/api\/tasks\?stage=refine&.*include=task/, async (r) => {
      const res = await r.fetch();
      const body = await res.json();
      if (body.task && body.task.image.id === id1) patch(body.task);
      await r.fulfill({ response: res, json: body });
    });
    await login(pp, base, 'expert', '/login?next=' + encodeURIComponent('/refine#' + id1));
    await pp.waitForSelector('.prop');
    await pp.waitForFunction((id) => Number(location.hash.slice(1)) === id && /pre-checked/.test(
      document.getElementById('save-state').textContent), id1);
    assert.deepEqual(await checkedClasses(pp), [extra], 'only the prefill is pre-checked');
    const src = await pp.$eval(`#proposals input[data-class="${extra}"]`, (c) => c.dataset.source);
    assert.equal(src, 'prefill', 'marked with the prefill source');
    await pp.context().close();
  });

  /* a second image, queued after image 1 was refined, given out blind */
  let id3 = 0;
  await section('stage iii again: a task given out blind (--blind-share 1)', async () => {
    const a = await apiSession(base, 'ann1'), b = await apiSession(base, 'ann2');
    const ids = (await b.get('/api/tasks?stage=annotate')).ids;
    id3 = ids.find((i) => i !== id1 && i !== id2);
    for (const [s, k] of [[a, 0], [b, 1]]) {
      const t = await s.get(`/api/tasks/${id3}?stage=annotate`);
      await s.put(`/api/tasks/${id3}/annotation`, { stage: 'annotate', base_version: t.annotation ? t.annotation.version : 0,
        comment: '', seconds: 1, labels: [{ class: t.proposals[k].class, source: 'proposal' }] });
    }
    await a.close();
    await b.close();
    mlfy('analyze', project);
    mlfy('assign-refinement', project, '--experts', 'expert', '--blind-share', '1', '--seed', '1');
  });

  await section('T6: a blind task: nothing pre-checked, no sets, saved without a comment', async () => {
    const id = id3;
    await pe.reload();   /* the task list has grown */
    await pe.waitForSelector('.prop');
    await pe.evaluate((i) => { location.hash = '#' + i; }, id);
    await pe.waitForFunction((i) => Number(location.hash.slice(1)) === i && /not yet decided/.test(
      document.getElementById('save-state').textContent), id);
    const t = await getTask(pe, id, 'refine');
    assert.deepEqual(t.prefill, [], 'a blind reply pre-checks nothing');
    assert.deepEqual(t.others, [], 'and shows no sets');
    assert.deepEqual(await checkedClasses(pe), [], 'nothing pre-checked');
    assert.match(await pe.textContent('#refine-info'), /No stage-ii sets shown\./);
    assert.doesNotMatch(await pe.evaluate(() => document.body.innerText), /blind/i, 'the page never says "blind"');
    assert.equal(await pe.getAttribute('#none', 'aria-pressed'), 'false', '"none of these" not pressed');
    await pe.keyboard.press('2');
    const saved = await until('the blind refinement saved', async () => {
      const x = await getTask(pe, id, 'refine');
      return x.annotation ? x : null;
    });
    assert.deepEqual(saved.annotation.labels.map((l) => l.source), ['proposal']);
    assert.ok(await pe.$eval('#comment-required', (e) => e.hidden), 'no comment asked for');
    await shot(pe, 'unsure-tags-blind.png');
  });
} catch (e) {
  failures.push('unexpected: ' + (e.stack || e));
} finally {
  await browser.close();
}
for (const f of failures) console.error('FAIL ' + f);
if (failures.length) process.exit(1);
console.log(`unsure-tags: ok (screenshots in ${artifacts} and ${shots})`);
