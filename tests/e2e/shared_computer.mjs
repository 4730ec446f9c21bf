// shared_computer.mjs - what a page leaves to the next person on a shared lab
// computer, and text that turns the page around (issue 12, items 4 and 10):
//
// 1. Images are not shown from the browser cache after the session ended:
//    ann1 sees an image, logs out (and, separately, loses the session without
//    a logout), ann3 (not assigned that image) logs in on the same browser
//    profile: fetch(url, {cache: 'default'}) from the page gets 403, not the
//    cached image (it got 200 from the cache: max-age=31536000, immutable).
// 2. Unsent changes at logout: with the server unreachable, a change cannot
//    be saved; "log out" first tries to send it, then asks (the dialog says
//    the changes will be discarded); Cancel keeps the person logged in.
//    Once the server is reachable, "log out" sends them, then logs out.
// 3. An unclosed U+202E (RIGHT-TO-LEFT OVERRIDE) in a stage-ii comment does
//    not reverse the text after the comment on the refinement page (the
//    closing quote stays right of the comment: it used to be drawn left of
//    it), every element with user text has unicode-bidi: isolate, and
//    axe-core finds no serious or critical violation there.
//
//   MLFY=path/to/mlfy node shared_computer.mjs BASE_URL PROJECT
import assert from 'node:assert/strict';
import { launch, login, sql, mlfy, apiSession, axeRun } from './lib.mjs';

const [base, project] = process.argv.slice(2);
const step = (msg) => console.log('shared_computer: ' + msg);
const failures = [];

/* fetch from inside the page as an <img> would, allowed to use the cache */
const fetchCached = (page, url) => page.evaluate(async (u) => {
  const r = await fetch(u, { cache: 'default', credentials: 'same-origin' });
  return r.status;
}, url);

async function shownImage(page) {
  await page.waitForSelector('.prop');
  await page.waitForFunction(() => document.getElementById('photo').complete &&
    document.getElementById('photo').naturalWidth > 0);
  return page.evaluate(() => new URL(document.getElementById('photo').src).pathname +
    new URL(document.getElementById('photo').src).search);
}

/* runs one part; a failure is reported and the next part still runs */
async function part(fn) {
  try { await fn(); } catch (e) { failures.push(e.stack || String(e)); }
}

const browser = await launch();
try {
  /* ---- 1. the image cache after logout --------------------------------- */
  await part(async () => { for (const how of ['logout', 'session lost without logout']) {
    step(`images after ${how}`);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('pageerror', (e) => failures.push('page error: ' + e.message));
    page.on('dialog', (d) => { failures.push('unexpected dialog: ' + d.message()); d.dismiss(); });
    await login(page, base, 'ann1');
    const url = await shownImage(page);
    assert.equal(await fetchCached(page, url), 200, 'ann1 sees the image');
    if (how === 'logout') {
      await page.click('#logout');
      await page.waitForURL((u) => u.pathname === '/login');
    } else {
      await ctx.clearCookies();
      await page.goto(base + '/login');
    }
    await login(page, base, 'ann3');
    const st = await fetchCached(page, url);
    if (st !== 403) failures.push(`after ${how}, the next annotator got ${st} for ${url} (from the cache), not 403`);
    await ctx.close();
  } });

  /* ---- 2. unsent changes at logout ------------------------------------- */
  await part(async () => {
    step('unsent changes at logout');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('pageerror', (e) => failures.push('page error: ' + e.message));
    await login(page, base, 'ann2');
    await shownImage(page);
    const id = Number(await page.evaluate(() => location.hash.slice(1)));
    await ctx.setOffline(true);
    await page.keyboard.press('1');
    await page.waitForFunction(() => /fail|retry/i.test(document.getElementById('save-state').textContent));
    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
    await page.click('#logout');
    await page.waitForFunction(() => !document.getElementById('banner').hidden, null, { timeout: 10000 });
    assert.match(asked, /discard/i, 'the logout asks before discarding unsent changes');
    assert.equal(new URL(page.url()).pathname, '/annotate', 'Cancel: still logged in');
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('mlfy:ann2:')).length);
    assert.equal(kept, 1, 'Cancel: the unsent change is kept');
    await ctx.setOffline(false);
    page.once('dialog', (d) => { failures.push('asked although the change could be sent: ' + d.message()); d.dismiss(); });
    await page.click('#logout');
    await page.waitForURL((u) => u.pathname === '/login');
    const n = sql(project, `SELECT count(*) FROM annotations a JOIN annotators u ON u.id = a.annotator_id
                            WHERE u.name = 'ann2' AND a.image_id = ${id}`);
    assert.equal(n, '1', 'the unsent change was sent before the logout');
    await ctx.close();
  });

  /* ---- 2b. a logout that cannot reach the server ----------------------- */
  await part(async () => {
    step('a logout while the server cannot be reached');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('pageerror', (e) => failures.push('page error: ' + e.message));
    await login(page, base, 'ann1');
    await shownImage(page);
    await ctx.setOffline(true);
    let said = '';
    page.on('dialog', (d) => { said += d.message() + '\n'; d.accept(); });
    await page.click('#logout');
    await page.waitForFunction(() => true);
    for (let i = 0; i < 30 && !said; i++) await new Promise((r) => setTimeout(r, 100));
    /* it used to go to /login with the session still open, so the next
     * person at this computer was logged in as this one */
    assert.match(said, /Could not log out/, 'the page says the logout failed: ' + JSON.stringify(said));
    assert.equal(new URL(page.url()).pathname, '/annotate', 'still on the page, not /login');
    await ctx.setOffline(false);
    page.removeAllListeners('dialog');
    page.on('dialog', (d) => { failures.push('unexpected dialog: ' + d.message()); d.dismiss(); });
    await page.click('#logout');
    await page.waitForURL((u) => u.pathname === '/login');
    await ctx.close();
  });

  /* ---- 3. bidirectional text -------------------------------------------- */
  await part(async () => {
    step('U+202E in a comment on the refinement page');
    const a = await apiSession(base, 'ann1'), b = await apiSession(base, 'ann2');
    const ids = (await a.get('/api/tasks?stage=annotate')).ids;
    const id = ids[ids.length - 1];
    const t = await a.get(`/api/tasks/${id}?stage=annotate`);
    const save = async (s, c, comment) => {
      const mine = await s.get(`/api/tasks/${id}?stage=annotate`);
      await s.put(`/api/tasks/${id}/annotation`, {
        stage: 'annotate', base_version: mine.annotation ? mine.annotation.version : 0,
        labels: [{ class: c, source: 'proposal' }], comment, seconds: 1,
      });
    };
    await save(a, t.proposals[0].class, 'abc\u202edef');
    await save(b, t.proposals[1].class, 'plain');
    await a.close();
    await b.close();
    mlfy('analyze', project);
    mlfy('assign-refinement', project, '--experts', 'expert');

    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('pageerror', (e) => failures.push('page error: ' + e.message));
    await login(page, base, 'expert');
    await page.goto(`${base}/refine#${id}`);
    await page.waitForFunction(() => document.getElementById('refine-info').textContent.includes('\u202e'));
    const r = await page.evaluate(() => {
      /* the rectangle of each character of the line holding the comment */
      const line = [...document.querySelectorAll('#refine-info > div')].find((d) => d.textContent.includes('\u202e'));
      const rects = [];
      const walk = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        for (let i = 0; i < n.data.length; i++) {
          const rg = document.createRange();
          rg.setStart(n, i);
          rg.setEnd(n, i + 1);
          const b = rg.getBoundingClientRect();
          rects.push({ ch: n.data[i], left: b.left, right: b.right });
        }
      }
      const at = (ch) => rects.filter((x) => x.ch === ch);
      const isolated = [...document.querySelectorAll('bdi, .user-text')]
        .filter((e) => getComputedStyle(e).unicodeBidi !== 'isolate').map((e) => e.outerHTML.slice(0, 80));
      const commentEl = [...line.querySelectorAll('*')].reverse().find((e) => e.textContent.includes('\u202e'));
      return {
        quote: at('\u201d')[0], letters: ['d', 'e', 'f'].map((c) => at(c).pop()), name: at(':')[0],
        open: at('\u201c')[0], notIsolated: isolated,
        commentStyle: commentEl ? getComputedStyle(commentEl).unicodeBidi : null,
        commentTag: commentEl ? commentEl.tagName : null,
      };
    });
    const rightmost = Math.max(...r.letters.map((x) => x.right));
    if (!(r.quote.left >= rightmost - 0.5)) {
      failures.push(`the closing quote after the comment is drawn at x=${r.quote.left}, left of the comment's ` +
                    `letters (right edge ${rightmost}): U+202E reversed the text after the comment`);
    }
    if (!(r.open.left >= r.name.right - 0.5)) failures.push('the comment is drawn before the annotator name');
    if (r.commentStyle !== 'isolate') failures.push(`the comment's element ${r.commentTag} has unicode-bidi ${r.commentStyle}`);
    if (r.notIsolated.length) failures.push('user text without isolation: ' + r.notIsolated.join(' | '));
    const { counts, violations } = await axeRun(page);
    if (counts.critical || counts.serious) {
      failures.push(`axe on the refinement page: ${JSON.stringify(counts)} ${violations.map((v) => v.id).join(', ')}`);
    }
    await ctx.close();
  });
} catch (e) {
  failures.push(e.stack || String(e));
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error('shared_computer: FAIL: ' + f);
  process.exit(1);
}
console.log('shared_computer: ok');
