// Time to interactive of a page (tests/bench/web.sh): signed in once, then
// RUNS loads of PAGE (default the employee's home, /me); each load is timed
// in the page from navigation start to the moment READY (a selector: the
// page's first content) is shown and the page answers a click (a task
// posted after the render runs).  WHAT and TARGET (ms) name it in the line.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { BASE, RUNS, NODE_MODULES, LOGIN, PW } = process.env;
const PAGE = process.env.PAGE || '/me', READY = process.env.READY || '#h-todo';
const WHAT = process.env.WHAT || 'employee home', TARGET = process.env.TARGET || '1000';
const require = createRequire(join(NODE_MODULES, 'noop.js'));
const { chromium } = require('playwright-core');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const ctx = await browser.newContext({ locale: 'fr-FR' });
const page = await ctx.newPage();
await page.goto(BASE + '/');
await page.locator('#login').fill(LOGIN);
await page.locator('#password').fill(PW);
await page.locator('form button[type=submit]').click();
// signed in: the form gone and the landing page's title shown
await page.locator('#login').waitFor({ state: 'detached' });
await page.locator('main h1').first().waitFor();
const times = [];
for (let i = 0; i < Number(RUNS || 20); i++) {
  await page.goto(BASE + PAGE, { waitUntil: 'commit' });
  await page.locator(READY).first().waitFor({ timeout: 60000 });
  const ms = await page.evaluate(() => new Promise((ok) => {
    const ch = new MessageChannel();  // the next task: the main thread is free for input
    ch.port1.onmessage = () => ok(performance.now());
    ch.port2.postMessage(0);
  }));
  times.push(ms);
}
await browser.close();
times.sort((a, b) => a - b);
const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
console.log(`web: ${WHAT} interactive in ${p(0.5).toFixed(0)} ms median, ${p(0.95).toFixed(0)} ms p95, ` +
  `${times[times.length - 1].toFixed(0)} ms worst over ${times.length} loads (loopback, target < ${TARGET} ms)`);
