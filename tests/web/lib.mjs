// What the browser scenarios share (tests/web/e2e.mjs, tests/web/hr.mjs):
// chromium from Debian driven by playwright-core from the web build's
// node_modules, checks that say what failed, and the audit of a page
// (axe-core, the 375 px width, screenshots).  Environment: NODE_MODULES,
// ART (the screenshots' directory).
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const { NODE_MODULES, ART } = process.env;
export const require = createRequire(join(NODE_MODULES, 'noop.js'));
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(ART, { recursive: true });

export const fail = (m) => { throw new Error(m); };
export const step = (m) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
export const check = (ok, m) => { if (!ok) fail(m); };

export function launch(options = {}) {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // playwright gives each launch a fresh profile directory of its own
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    ...options,
  });
}

// axe-core: no serious or critical violation; nothing wider than 375 px;
// screenshots at 1280 and 375 px as ART/NAME-desktop.png, NAME-phone.png
export async function audit(page, name) {
  await page.waitForLoadState('networkidle');
  for (const [w, h, tag] of [[1280, 900, 'desktop'], [375, 812, 'phone']]) {
    await page.setViewportSize({ width: w, height: h });
    await page.evaluate(AXE);
    const res = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check(bad.length === 0, `${name} (${tag}): axe: ` + bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('; '));
    if (tag === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 1, `${name}: wider than 375 px (${overflow} px too wide)`);
    }
    await page.screenshot({ path: join(ART, `${name}-${tag}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
