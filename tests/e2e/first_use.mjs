// first_use.mjs - what a researcher hit using the tool as a new user would,
// and the page's words and limits coming from GET /api/vocabulary:
//   F1  (a) a small photo (168 px) fills the image pane (scaled up), (b)
//       the full-image view opens fitted to the screen; 1 shows it at 1:1
//       and 0 fits it again; the help names those keys
//   F2  the zero-label review on /refine: (a) the fields are in view without
//       scrolling at 1366x768, (b) the status names every missing field
//       (category, verdict, comment), (c) their keys (W, V, C) are in the
//       help and work
//   F3  an admin opening /annotate or /refine with nothing assigned goes to
//       /admin; an admin given a batch may annotate it
//   F4  the zero-label choices, the group size, the comment limit and the
//       label sources' names are the API's (a changed reply changes the page)
//
//   MLFY=path/to/mlfy node first_use.mjs BASE_URL PROJECT ARTIFACTS SMALL_IMAGE_ID
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { launch, newPage, login, sql, mlfy, disagreeAndQueue } from './lib.mjs';

const [base, project, artifacts, smallId] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const step = (msg) => console.log('first-use: ' + msg);
const failures = [];
/* one part of the test: a failure is recorded and the next part still runs */
async function section(name, fn) {
  step(name);
  try { await fn(); } catch (e) { failures.push(name + ': ' + (e.stack || e)); }
}
const W = 1366, H = 768;

/* the photo as drawn: the element's box, and the picture inside it (object-fit) */
const drawn = (page, sel) => page.$eval(sel, (img) => {
  const r = img.getBoundingClientRect();
  const fit = getComputedStyle(img).objectFit;
  const nw = img.naturalWidth, nh = img.naturalHeight;
  let s = r.width / nw;
  if (fit === 'contain') s = Math.min(r.width / nw, r.height / nh);
  return { nw, nh, w: nw * s, h: nh * s, scale: s, box: { top: r.top, left: r.left, width: r.width, height: r.height } };
});
/* in view without scrolling: inside the window, and the control itself is what is drawn at its centre */
const inView = (page, sel) => page.$eval(sel, (e) => {
  const r = e.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const top = document.elementFromPoint(x, y);
  return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth
    && !!top && (top === e || e.contains(top) || (e.labels && [...e.labels].some((l) => l.contains(top))));
});
const status = async (page) => (await page.textContent('#save-state')).trim();

const browser = await launch();
let id = null, cat = '', ver = '';   /* the queued image and its zero-label review (F2; F4 uses them) */
let pa = null, pe = null, pd = null; /* the pages of the annotator (F1), the expert (F2), the admin (F3, F4) */
try {
  await section('F1a: a 168 px photo fills the image pane', async () => {
    pa = await newPage(browser, failures, { width: W, height: H });
    await login(pa, base, 'ann1', '/login?next=' + encodeURIComponent('/annotate#' + smallId));
    await pa.waitForFunction((id) => location.hash === '#' + id && document.getElementById('photo').complete
      && document.getElementById('photo').naturalWidth > 0, smallId);
    const inline = await drawn(pa, '#photo');
    assert.equal(inline.nw, 168, 'the display size of a 168 px photo is 168 px');
    const figure = await pa.$eval('.photo', (e) => e.getBoundingClientRect().width);
    assert.ok(inline.scale >= 2, `the photo is scaled up to the pane (drawn ${Math.round(inline.w)}x${Math.round(inline.h)} `
      + `in a ${Math.round(figure)} px pane, scale ${inline.scale.toFixed(2)})`);
    assert.ok(inline.w <= figure + 1 && inline.box.top + inline.h <= H, 'and stays inside the pane and the window');
    await pa.screenshot({ path: join(artifacts, 'first-use-small.png') });
  });
  await section('F1b: the full view opens fitted to the screen; 1 shows 1:1, 0 fits again', async () => {
    await pa.keyboard.press('z');
    await pa.waitForSelector('#zoom', { state: 'visible' });
    await pa.waitForFunction(() => document.getElementById('zoom-img').complete && document.getElementById('zoom-img').naturalWidth > 0);
    const rect = () => pa.$eval('#zoom-img', (e) => { const r = e.getBoundingClientRect(); return { w: r.width, h: r.height }; });
    const fitted = await rect();
    assert.ok(fitted.w >= 0.85 * W || fitted.h >= 0.8 * H, `the full view fits the screen (${Math.round(fitted.w)}x${Math.round(fitted.h)})`);
    assert.ok(fitted.w <= W && fitted.h <= H, 'and shows all of it');
    await pa.screenshot({ path: join(artifacts, 'first-use-full-fit.png') });
    await pa.keyboard.press('1');
    await pa.waitForFunction(() => Math.abs(document.getElementById('zoom-img').getBoundingClientRect().width - 168) < 1);
    const z = await rect();
    assert.ok(Math.abs(z.w - 168) < 1 && Math.abs(z.h - 126) < 1, `1 shows it at 1:1 (${z.w}x${z.h})`);
    await pa.keyboard.press('0');
    await pa.waitForFunction((w) => Math.abs(document.getElementById('zoom-img').getBoundingClientRect().width - w) < 1, fitted.w);
    await pa.keyboard.press('Escape');
    await pa.waitForSelector('#zoom', { state: 'hidden' });
    await pa.keyboard.press('?');
    await pa.waitForSelector('#help', { state: 'visible' });
    const help = await pa.textContent('#help');
    assert.match(help, /1:1/, 'the help names the 1:1 key');
    assert.match(help, /fit/i, 'and the fitted view');
    await pa.keyboard.press('Escape');
    await pa.context().close();
  });
  await section('F2a: the zero-label review is in view at 1366x768', async () => {
    id = await disagreeAndQueue(base, project);
    pe = await newPage(browser, failures, { width: W, height: H });
    await login(pe, base, 'expert');
    await pe.waitForSelector('.prop');
    assert.equal(await pe.evaluate(() => location.hash), '#' + id);
    await pe.keyboard.press('n');
    await pe.waitForSelector('#zero-label', { state: 'visible' });
    await pe.screenshot({ path: join(artifacts, 'first-use-zero-label.png') });
    assert.equal(await pe.evaluate(() => scrollY), 0);
    for (const sel of ['#zl-category', '#zl-verdict', '#comment', '#next'])
      assert.ok(await inView(pe, sel), `${sel} is in view without scrolling at ${W}x${H}`);
  });
  await section('F2b: the status names every missing field', async () => {
    await pe.waitForFunction(() => /not saved/.test(document.getElementById('save-state').textContent));
    const s = await status(pe);
    for (const w of ['category', 'verdict', 'comment']) assert.match(s, new RegExp(w), `the status names the ${w}: "${s}"`);
  });
  await section('F2c: the keys of the zero-label fields are in the help and work', async () => {
    await pe.keyboard.press('?');
    await pe.waitForSelector('#help', { state: 'visible' });
    const helpRows = await pe.$$eval('#help tr', (trs) => trs.filter((r) => r.offsetParent !== null).map((r) => r.textContent));
    assert.ok(helpRows.some((r) => /^W/.test(r) && /why no label/i.test(r)), 'the help names W for the category: ' + helpRows);
    assert.ok(helpRows.some((r) => /^V/.test(r) && /original label/i.test(r)), 'the help names V for the verdict');
    await pe.keyboard.press('Escape');
    await pe.waitForSelector('#help', { state: 'hidden' });
    await pe.keyboard.press('w');
    assert.equal(await pe.evaluate(() => document.activeElement.id), 'zl-category', 'W goes to the category');
    await pe.keyboard.press('ArrowDown');
    await pe.waitForFunction(() => !/category/.test(document.getElementById('save-state').textContent));
    const s = await status(pe);
    assert.ok(/verdict/.test(s) && /comment/.test(s), `still missing: verdict and comment ("${s}")`);
    await pe.keyboard.press('Escape');
    await pe.keyboard.press('v');
    assert.equal(await pe.evaluate(() => document.activeElement.id), 'zl-verdict', 'V goes to the verdict');
    await pe.keyboard.press('ArrowDown');
    await pe.waitForFunction(() => !/verdict/.test(document.getElementById('save-state').textContent));
    assert.match(await status(pe), /comment/);
    await pe.keyboard.press('Escape');
    await pe.keyboard.press('c');
    await pe.keyboard.type('nothing of the proposals is in the photo');
    await pe.keyboard.press('Escape');
    await pe.waitForFunction(() => /^saved/.test(document.getElementById('save-state').textContent));
    cat = await pe.inputValue('#zl-category');
    ver = await pe.inputValue('#zl-verdict');
    assert.ok(cat && ver);
    assert.equal(sql(project, `SELECT category || ' ' || verdict FROM zero_label_reviews WHERE image_id = ${id}
      ORDER BY id DESC LIMIT 1`), `${cat} ${ver}`);
    await pe.context().close();
  });
  await section('F3: an admin with nothing assigned is sent from /annotate and /refine to /admin', async () => {
    pd = await newPage(browser, failures, { width: W, height: H });
    await login(pd, base, 'admin', '/login?next=/annotate');
    await pd.waitForURL(/\/admin$/);
    await pd.waitForSelector('#grid tbody tr td');
    await pd.goto(base + '/refine');
    await pd.waitForURL(/\/admin$/);
    mlfy('assign', project, '--per-image', '3', '--annotators', 'ann1,ann2,admin');
    await pd.goto(base + '/annotate');
    await pd.waitForSelector('.prop');
    assert.match(pd.url(), /\/annotate/, 'an admin with batches may annotate');
    await pd.context().close();
  });
  await section('F4: the page’s words and limits come from /api/vocabulary', async () => {
    /* an admin given a batch (F3 does it too; a second run changes nothing) */
    mlfy('assign', project, '--per-image', '3', '--annotators', 'ann1,ann2,admin');
    pd = await newPage(browser, failures, { width: W, height: H });
    await login(pd, base, 'admin', '/login?next=/annotate');
    const vocab = await pd.evaluate(async () => (await fetch('/api/vocabulary')).json());
    const changed = JSON.parse(JSON.stringify(vocab));
    changed.zero_label.categories.forEach((c, i) => { c.label = `category ${i} from the API`; });
    changed.zero_label.verdicts.forEach((c, i) => { c.label = `verdict ${i} from the API`; });
    changed.label_sources.forEach((c, i) => { c.label = `source ${i} from the API`; c.name = `${c.name}-from-the-API`; });
    changed.group_size = 4;
    changed.comment_max = 77;
    await pd.route('**/api/vocabulary', (r) => r.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify(changed) }));
    /* the save is caught before the server (which knows only its own names) */
    const sent = [];
    await pd.route('**/api/tasks/*/annotation', (r) => {
      sent.push(JSON.parse(r.request().postData()));
      return r.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"caught by the test"}' });
    });
    await pd.reload();
    await pd.waitForSelector('.prop');
    assert.equal(await pd.$$eval('[role=tab]', (els) => els.length), 5, '20 proposals in groups of 4: 5 tabs');
    assert.equal(await pd.$$eval('.prop:not([hidden])', (els) => els.length), 4, 'a group of 4');
    assert.equal(await pd.getAttribute('#comment', 'maxlength'), '77', 'the comment limit');
    await pd.keyboard.press('1');
    await pd.waitForFunction(() => /failed/.test(document.getElementById('save-state').textContent));
    assert.equal(sent[0].labels[0].source, changed.label_sources[0].name, 'the source name sent is the API\'s');
    assert.equal(await pd.getAttribute('.prop.checked [data-source]', 'title'), 'source 0 from the API',
      'a ticked label names its source as the API does');
    await pd.unroute('**/api/tasks/*/annotation');
    await pd.evaluate(() => localStorage.clear());
    await pd.goto(base + '/admin#zero');
    await pd.waitForSelector('#zero-category tbody td');
    const rows = await pd.$$eval('#zero-category tbody td:first-child, #zero-verdict tbody td:first-child', (els) => els.map((e) => e.textContent));
    const catIdx = vocab.zero_label.categories.findIndex((c) => c.name === cat);
    const verIdx = vocab.zero_label.verdicts.findIndex((c) => c.name === ver);
    assert.ok(rows.includes(`category ${catIdx} from the API`) && rows.includes(`verdict ${verIdx} from the API`),
      'the dashboard names categories and verdicts as the API does: ' + rows);
    await pd.context().close();

    const pr = await newPage(browser, failures, { width: W, height: H });
    await pr.route('**/api/vocabulary', (r) => r.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify(changed) }));
    await login(pr, base, 'expert', '/login?next=' + encodeURIComponent('/refine#' + id));
    await pr.waitForSelector('#zero-label', { state: 'visible' });
    const opts = await pr.$$eval('#zl-category option, #zl-verdict option', (els) => els.filter((o) => o.value).map((o) => [o.value, o.textContent]));
    assert.deepEqual(opts, [...vocab.zero_label.categories.map((c, i) => [c.name, `category ${i} from the API`]),
      ...vocab.zero_label.verdicts.map((c, i) => [c.name, `verdict ${i} from the API`])], 'the zero-label choices');
    await pr.context().close();
  });
} catch (e) {
  failures.push('FAILED: ' + (e.stack || e));
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error('first-use: ' + f);
  process.exit(1);
}
console.log('first-use: ok');
