// paged.mjs - the annotation page with a task list longer than its window
// (paged.sh: 600 tasks, windows of 200, ann1 has saved 299 of the first 300
// but the 6th):
//   P1 it opens at the first open image, "image 6 / 600", "299 done", and a
//      page load fetches one window (a few KiB), never the whole list
//   P2 #<id> of an image outside the window opens it ("image 451 / 600");
//      ← goes back one ("image 450 / 600")
//   P3 the last image decided and saved: → goes on to the first open image
//      ("image 6 / 600", "300 done")
//   P4 on across the window's end: image 200, then 201 (a new window), ←
//   P5 the saves are in the project (sqlite3)
//
//   node paged.mjs BASE PROJECT
import assert from 'node:assert/strict';
import { launch, newPage, login, sql, apiSession } from './lib.mjs';

const [base, project] = process.argv.slice(2);
const step = (msg) => console.log('e2e-paged: ' + msg);
const failures = [];
const browser = await launch();
const a = await apiSession(base, 'ann1');
const idAt = async (pos) => (await a.get(`/api/tasks?stage=annotate&offset=${pos}&limit=1`)).ids[0];

try {
  const page = await newPage(browser, failures);
  const shown = async (pos, done) => {
    await page.waitForFunction(([p, d]) => {
      const t = document.getElementById('position').textContent.replace(/[^\d/ ]/g, '');
      return t.replace(/\s+/g, ' ').trim() === `${p} / 600` &&
        document.getElementById('progress-text').textContent.replace(/\D/g, '') === String(d) &&
        !document.getElementById('workspace').hidden;
    }, [pos, done], { timeout: 15000 });
    const id = await idAt(pos - 1);
    assert.equal(await page.$eval('#image-name', (e) => e.textContent), `image #${id}`, `image ${pos} is #${id}`);
    assert.equal(new URL(page.url()).hash, '#' + id);
    return id;
  };
  const decideAndNext = async () => {
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');
  };

  step('P1: opens at the first open image, one window fetched');
  await login(page, base, 'ann1');
  await shown(6, 299);
  const lists = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => /\/api\/tasks\?/.test(e.name)).map((e) => ({ url: e.name, bytes: e.transferSize })));
  assert.equal(lists.length, 1, 'one list request: ' + JSON.stringify(lists));
  assert.match(lists[0].url, /limit=200&around=open&include=task/);
  assert.ok(lists[0].bytes < 16384, 'the window is a few KiB: ' + lists[0].bytes);

  step('P2: #id outside the window, then ←');
  await page.evaluate((id) => { location.hash = '#' + id; }, await idAt(450));
  await shown(451, 299);
  await page.keyboard.press('ArrowLeft');
  await shown(450, 299);

  step('P3: the last image saved, → goes on to the first open one');
  await page.evaluate((id) => { location.hash = '#' + id; }, await idAt(599));
  await shown(600, 299);
  await decideAndNext();
  await shown(6, 300);

  step('P4: on across the end of the window (saved images: Enter moves on)');
  await page.evaluate((id) => { location.hash = '#' + id; }, await idAt(198));
  await shown(199, 300);
  await page.keyboard.press('Enter');
  await shown(200, 300);
  await page.keyboard.press('Enter');
  await shown(201, 300);
  await page.keyboard.press('ArrowLeft');
  await shown(200, 300);

  step('P5: the saves are in the project');
  const ann1 = sql(project, "SELECT id FROM annotators WHERE name = 'ann1'");
  assert.equal(sql(project, `SELECT COUNT(DISTINCT image_id) FROM annotations WHERE annotator_id = ${ann1}`), '300');
} catch (e) {
  failures.push(e.stack || String(e));
} finally {
  await a.close();
  await browser.close();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('e2e-paged: all steps passed');
