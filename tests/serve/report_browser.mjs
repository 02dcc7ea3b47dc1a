// The HTML report of `mmr run --report` (docs/report.md) in headless
// Chromium: two runs of the same ruleset, the second writing report.html;
// the page loads without fetching anything, has its four SVG charts with
// bars and the previous run's ghost bars, names every rule, and its
// screenshot is not blank (decoded in the page: many non-white pixels, the
// bar colours present).
//
//   node tests/serve/report_browser.mjs    (tests/serve/report_browser.sh sets it up)
// env: MMR (default build/mmr), CHROMIUM (default /usr/bin/chromium),
//      MMR_SHOT_DIR: also keep the screenshot there as report.png.
// Ends with "N passed, M failed".
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
process.chdir(ROOT);
const MMR = resolve(process.env.MMR || 'build/mmr');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RULES = 'rules/moneymoments', DATA = 'tests/cli/run';

let passed = 0, failed = 0;
function check(ok, what, detail) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL report_browser: ${what}${detail !== undefined ? ' — ' + detail : ''}`); }
}

const dir = mkdtempSync(join(tmpdir(), 'mmr-report-'));
const DB = join(dir, 'state.db'), HTML = join(dir, 'report.html'), JSON1 = join(dir, 'day1.json');
function mmr(...args) { return execFileSync(MMR, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString(); }

let browser;
try {
  mmr('run', RULES, '--db', DB, '--signals', `${DATA}/signals.ndjson`, '--now', '2025-10-26T09:00:00Z',
      '--events', join(dir, 'ev.ndjson'), '--report', JSON1);
  mmr('run', RULES, '--db', DB, '--signals', `${DATA}/next_day.ndjson`, '--now', '2025-10-27T09:00:00Z',
      '--events', join(dir, 'ev.ndjson'), '--report', HTML);
  const rules = JSON.parse(readFileSync(JSON1, 'utf8')).rules.map((r) => r.rule);
  check(rules.length === 5, 'the ruleset has five rules', rules.join(','));

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
                                    args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const fetched = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) fetched.push(r.url()); });
  const resp = await page.goto(pathToFileURL(HTML).href, { waitUntil: 'load' });
  check(resp && resp.ok(), 'the page loads');
  check(fetched.length === 0, 'nothing is fetched', fetched.join(' '));

  const dom = await page.evaluate(() => ({
    title: document.title,
    svgs: document.querySelectorAll('svg.chart').length,
    bars: [...document.querySelectorAll('svg rect:not(.ghost)')].filter((r) => r.getBBox().width > 0).length,
    ghosts: document.querySelectorAll('svg rect.ghost').length,
    scripts: document.querySelectorAll('script').length,
    labels: [...document.querySelectorAll('svg text.label')].map((t) => t.textContent),
    cells: [...document.querySelectorAll('td.name')].map((t) => t.textContent),
    width: document.querySelector('svg.chart').getBoundingClientRect().width,
  }));
  check(dom.title === 'mmr run 2025-10-27', 'the title names the date', dom.title);
  check(dom.svgs === 4, 'four SVG charts (funnel, reasons, rules, categories)', dom.svgs);
  check(dom.bars >= 10, 'the charts have bars', dom.bars);
  check(dom.ghosts >= 5, "the previous run's ghost bars are drawn", dom.ghosts);
  check(dom.scripts === 0, 'no script');
  check(dom.width > 300, 'the charts are laid out', dom.width);
  for (const r of rules) {
    check(dom.labels.includes(r), `rule ${r} labels a bar`, dom.labels.join(','));
    check(dom.cells.includes(r), `rule ${r} has a table row`);
  }

  // the screenshot, decoded by the browser itself (no PNG decoder here)
  const png = await page.screenshot({ fullPage: true });
  if (process.env.MMR_SHOT_DIR) writeFileSync(join(resolve(process.env.MMR_SHOT_DIR), 'report.png'), png);
  const px = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let nonWhite = 0, green = 0, orange = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      const [r, gg, b] = [d[i], d[i + 1], d[i + 2]];
      if (r < 240 || gg < 240 || b < 240) nonWhite++;
      colours.add((r >> 5) << 6 | (gg >> 5) << 3 | (b >> 5));
      if (Math.abs(r - 0x2e) < 12 && Math.abs(gg - 0x9e) < 12 && Math.abs(b - 0x5b) < 12) green++;
      if (Math.abs(r - 0xe8) < 12 && Math.abs(gg - 0x83) < 12 && Math.abs(b - 0x3a) < 12) orange++;
    }
    return { w: c.width, h: c.height, nonWhite, colours: colours.size, green, orange };
  }, png.toString('base64'));
  check(px.w >= 900 && px.h >= 800, 'the screenshot has the page', `${px.w}x${px.h}`);
  check(px.nonWhite > px.w * px.h * 0.02, 'the screenshot is not blank', `${px.nonWhite} non-white pixels`);
  check(px.colours >= 6, 'several colours appear', px.colours);
  check(px.green > 200, 'the delivered bars are drawn (green)', px.green);
  check(px.orange > 50, 'the suppressed bars are drawn (orange)', px.orange);
} catch (e) {
  check(false, 'the test ran', e && e.stack ? e.stack : String(e));
} finally {
  if (browser) await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`report_browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
