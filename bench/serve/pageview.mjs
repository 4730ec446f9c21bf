// pageview.mjs - cold page views of /annotate in headless Chromium for
// bench/serve: a fresh browser profile each time, time from navigation
// until the image and every visible exemplar thumbnail are decoded, and the
// bytes transferred (Resource Timing transferSize).  The first view has a
// cold server-side image cache too; the second a warm one.  Finally all four
// groups are opened, i.e. all 200 exemplar thumbnails are loaded.
//
//   node pageview.mjs BASE_URL USER PASSWORD
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/e2e/package.json'));
const { chromium } = require('playwright-core');
const [base, user, password] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

async function allImagesReady(page) {
  await page.waitForFunction(() => {
    const imgs = [document.getElementById('photo'),
      ...document.querySelectorAll('.prop:not([hidden]) .exemplars img')];
    return imgs.length > 1 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: 30000, polling: 5 });
}

async function bytes(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    let b = nav ? nav.transferSize : 0, n = 1;
    for (const r of performance.getEntriesByType('resource')) { b += r.transferSize; n++; }
    return { bytes: b, requests: n };
  });
}

async function view(label, hash) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const res = await ctx.request.post(base + '/api/login', { data: { user, password } });
  if (!res.ok()) throw new Error('login failed: ' + res.status());
  const page = await ctx.newPage();
  const t0 = Date.now();
  await page.goto(base + '/annotate' + (hash || ''));
  await allImagesReady(page);
  const ms = Date.now() - t0;
  const b = await bytes(page);
  const thumbs = await page.$$eval('.prop:not([hidden]) .exemplars img', (l) => l.length);
  const tl = await page.evaluate(() => {
    const r = performance.getEntriesByType('resource');
    const end = (re) => Math.round(Math.max(0, ...r.filter((e) => re.test(e.name)).map((e) => e.responseEnd)));
    const nav = performance.getEntriesByType('navigation')[0];
    /* the task comes inline with the list (include=task) or on its own */
    return `html ${Math.round(nav.responseEnd)} ms, scripts ${end(/\.js$/)}, session ${end(/api\/me$/)}, ` +
      `task list ${end(/api\/tasks(\?|$)/)}, task JSON ${end(/api\/tasks(\/\d+|\?.*include=task)/)}, ` +
      `photo ${end(/api\/images\//)}, last thumbnail ${end(/api\/exemplars\//)}; task list ` +
      `${r.filter((e) => /api\/tasks(\?|$)/.test(e.name)).reduce((a, e) => a + e.transferSize, 0)} bytes`;
  });
  console.log(`${label}: ${ms} ms, ${(b.bytes / 1024).toFixed(0)} KiB in ${b.requests} requests ` +
    `(image + 20 proposals + ${thumbs} visible exemplar thumbnails)\n  timeline from navigation start: ${tl}`);
  const id = await page.evaluate(() => location.hash);
  if (label.startsWith('warm')) {
    const t1 = Date.now();
    for (let g = 1; g < 4; g++) { await page.keyboard.press('Tab'); await allImagesReady(page); }
    const all = await bytes(page);
    const n = await page.$$eval('.exemplars img', (l) => l.filter((i) => i.complete && i.naturalWidth).length);
    console.log(`  all four groups opened: +${Date.now() - t1} ms, ${(all.bytes / 1024).toFixed(0)} KiB in ` +
      `${all.requests} requests, ${n} exemplar thumbnails loaded`);
  }
  await ctx.close();
  return id;
}

try {
  const id = await view('cold browser, cold server cache');
  await view('warm server cache, cold browser', id);
} finally {
  await browser.close();
}
