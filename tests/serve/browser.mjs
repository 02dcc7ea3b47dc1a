// The web page of `mmr serve` in a real browser (Debian's chromium, headless,
// driven by playwright-core): a run delivers a nudge -> the toast appears
// within 500 ms -> it is first in the feed -> dismissing it writes an
// interaction row; plus sign-in errors, mute settings, the "paused" banner
// when the stream drops, and a phone-sized layout.
//
//   node tests/serve/browser.mjs        (tests/serve/browser.sh sets it up)
// env: MMR (default build/mmr), CHROMIUM (default /usr/bin/chromium),
//      MMR_SHOT_DIR: where to write serve-page.png and serve-page-phone.png
//      (default: the scratch directory; `MMR_SHOT_DIR=docs` refreshes the docs).
// Ends with "N passed, N failed".
import { spawn, execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
process.chdir(ROOT);
const MMR = resolve(process.env.MMR || 'build/mmr');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DAY1 = '2025-10-26T09:00:00Z', DAY2 = '2025-10-27', NOW2 = '2025-10-27T09:00:00Z';
const TOAST_BUDGET_MS = 500;

let passed = 0, failed = 0;
function check(ok, what, detail) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL browser: ${what}${detail !== undefined ? ' — ' + detail : ''}`); }
}
function eq(got, want, what) { check(got === want, what, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); }

const dir = mkdtempSync(join(tmpdir(), 'mmr-browser-'));
const DB = join(dir, 'state.db'), SECRET = join(dir, 'jwt.secret');
const SHOTS = resolve(process.env.MMR_SHOT_DIR || dir);
const secret = randomBytes(32).toString('hex');
writeFileSync(SECRET, secret + '\n', { mode: 0o600 });

function mmr(...args) { return execFileSync(MMR, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString(); }
function sql(db, q) { return execFileSync('sqlite3', [db, q]).toString().trim(); }
const quote = (s) => "'" + String(s).replace(/'/g, "''") + "'";

// HS256 JWT, as the auth fixes it (sub + exp)
function jwt(claims, key = secret) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64(claims);
  return head + '.' + createHmac('sha256', key).update(head).digest('base64url');
}
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/* Starts mmr serve; resolves with { proc, base } once it says where it listens. */
function serve(listen = '127.0.0.1:0') {
  return new Promise((ok, bad) => {
    const proc = spawn(MMR, ['serve', '--db', DB, '--listen', listen, '--jwt-secret-file', SECRET],
                       { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => bad(new Error('mmr serve did not say it was listening within 10 s: ' + err)), 10000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /mmr serve: listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) { clearTimeout(timer); ok({ proc, base: m[1].replace(/\/$/, '') }); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); bad(new Error(`mmr serve exited ${code}: ${err}`)); });
  });
}
function stop(proc) {
  return new Promise((ok) => {
    if (proc.exitCode !== null) return ok(proc.exitCode);
    proc.removeAllListeners('exit');
    proc.on('exit', (code) => ok(code));
    proc.kill('SIGTERM');
  });
}
function runExit(args) { // resolves with [exit code, Date.now() at exit]
  return new Promise((ok) => {
    const p = spawn(MMR, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.on('exit', (code) => ok([code, Date.now()]));
  });
}
async function waitRow(q, ms = 3000) { // polls until the query returns a row
  const end = Date.now() + ms;
  for (;;) {
    const r = sql(DB, q);
    if (r || Date.now() > end) return r;
    await new Promise((z) => setTimeout(z, 50));
  }
}

let server = null, browser = null;
try {
  // --- data: day one delivered, day two's snapshot waiting for its run ---
  mmr('gen', '--users', '50', '--db', DB);
  mmr('run', 'rules/moneymoments', '--db', DB, '--now', DAY1);
  mmr('gen', '--users', '50', '--db', DB, '--as-of', DAY2, '--seed', '7');
  // Which user gets exactly one nudge on day two? Ask a copy (runs are deterministic).
  const copy = join(dir, 'copy.db');
  sql(DB, `.backup ${quote(copy)}`);
  mmr('run', 'rules/moneymoments', '--db', copy, '--as-of', DAY2, '--now', NOW2);
  const pick = sql(copy, `SELECT user_id || char(9) || max(title) FROM mm_nudge_delivery_log
                          WHERE as_of = '${DAY2}' GROUP BY user_id HAVING count(*) = 1
                          ORDER BY user_id LIMIT 1`);
  const [user, expectTitle] = pick.split('\t');
  check(!!user && !!expectTitle, 'a user with one nudge on the second date', pick);

  server = await serve();
  const base = server.base;
  // as root, and with no network beyond loopback: no sandbox, no background fetches
  browser = await chromium.launch({ executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // --- sign-in errors: no token, unreadable token, wrong signature ---
  await page.goto(base + '/');
  await page.waitForSelector('#signin:not([hidden])', { timeout: 5000 });
  eq(await page.locator('h1#signin-title').textContent(), 'Sign in to MoneyMoments', 'no token: the sign-in form');
  await page.fill('#token-input', 'not-a-token');
  await page.click('#signin-form button[type=submit]');
  eq(await page.locator('#signin-error').textContent(), 'That is not a token (expected three parts separated by dots).',
     'an unreadable token is refused on the page');
  await page.goto(base + '/#token=' + jwt({ sub: user, exp: inAnHour() }, 'not-the-secret'));
  await page.waitForFunction(() => /^Please sign in again \(/.test(document.getElementById('signin-error').textContent),
                             null, { timeout: 5000 }).catch(() => {});
  check(/^Please sign in again \(.+\)\.$/.test(await page.locator('#signin-error').textContent()),
        'a wrongly signed token: the server\'s 401 reason, back to sign-in',
        await page.locator('#signin-error').textContent());
  check(!(await page.locator('#app').isVisible()), 'a wrongly signed token shows no data');

  // --- signed in: feed, settings, stream ---
  const token = jwt({ sub: user, exp: inAnHour() });
  await page.goto(base + '/#token=' + token);
  let open = true;
  await page.waitForSelector('body[data-stream="open"]', { timeout: 5000 }).catch(() => { open = false; });
  check(open, 'the stream connects');
  check(!page.url().includes('token='), 'the token is taken out of the address bar', page.url());
  eq(await page.locator('#user-id').textContent(), user, 'the header names the signed-in user');
  const feedCount = Number(sql(DB, `SELECT count(*) FROM mm_nudge_delivery_log WHERE user_id = ${quote(user)}`));
  eq(await page.locator('#feed > li').count(), Math.min(feedCount, 30), 'the feed shows the user\'s deliveries');
  eq(await page.locator('#banner').isVisible(), false, 'no banner while the stream is up');
  const cats = sql(DB, `SELECT group_concat(category, ',') FROM
                        (SELECT DISTINCT category FROM mm_nudge_rule_master WHERE category <> '' ORDER BY category)`);
  eq((await page.locator('#categories input').evaluateAll((l) => l.map((i) => i.value))).join(','), cats,
     'a checkbox for every category');

  // --- the run delivers; the toast appears within 500 ms of its exit ---
  const [runCode, exitAt] = await runExit(['run', 'rules/moneymoments', '--db', DB, '--as-of', DAY2, '--now', NOW2]);
  eq(runCode, 0, 'mmr run for the second date exits 0');
  let toastSeen = true;
  await page.waitForSelector('.toast', { timeout: 3000 }).catch(() => { toastSeen = false; });
  const seenAt = Date.now();
  check(toastSeen, 'a toast appears after the run');
  if (toastSeen) {
    const shownAt = Number(await page.locator('.toast').first().getAttribute('data-shown-at'));
    const latency = Math.max(shownAt, 0) - exitAt;
    console.log(`browser: the toast was on the page ${latency} ms after mmr run exited`);
    check(latency < TOAST_BUDGET_MS, `the toast appears within ${TOAST_BUDGET_MS} ms of the run's exit`,
          `${latency} ms (seen by the test after ${seenAt - exitAt} ms)`);
    eq(await page.locator('.toast .toast-title').first().textContent(), expectTitle, 'the toast shows the nudge\'s title');
    eq(await page.locator('#feed > li .item-title').first().textContent(), expectTitle, 'the nudge is first in the feed');
    const id = await page.locator('.toast').first().getAttribute('data-id');
    eq(sql(DB, `SELECT user_id FROM mm_nudge_delivery_log WHERE delivery_id = ${quote(id)}`), user,
       'the toast is the user\'s new delivery');
    eq(await page.locator('#feed > li').first().getAttribute('data-id'), id, 'the first feed row is that delivery');
    await page.waitForTimeout(350); // let the slide-in finish before the picture
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'serve-page.png') });

    // dismiss on the toast -> an interaction row, the toast goes, the row says so
    await page.click('.toast .toast-close');
    const row = await waitRow(`SELECT action FROM mm_nudge_interaction_log WHERE delivery_id = ${quote(id)}
                               AND user_id = ${quote(user)} AND action = 'dismissed'`);
    eq(row, 'dismissed', 'dismissing the toast writes a dismissed interaction');
    await page.waitForSelector('.toast', { state: 'detached', timeout: 2000 }).catch(() => {});
    eq(await page.locator('.toast').count(), 0, 'the dismissed toast is gone');
    eq(await page.locator('#feed > li').first().locator('.state').textContent(), 'Dismissed',
       'the feed row shows it was dismissed');
    const viewed = await waitRow(`SELECT count(*) FROM mm_nudge_interaction_log WHERE delivery_id = ${quote(id)}
                                  AND action = 'viewed' HAVING count(*) > 0`);
    check(Number(viewed) >= 1, 'the shown nudge was logged as viewed', viewed);
  }

  // clicking an older feed row logs "clicked"
  const second = page.locator('#feed > li').nth(1);
  if (await second.count()) {
    const id2 = await second.getAttribute('data-id');
    await second.locator('.item-main').click();
    eq(await waitRow(`SELECT action FROM mm_nudge_interaction_log WHERE delivery_id = ${quote(id2)}
                      AND action = 'clicked'`), 'clicked', 'clicking a feed row writes a clicked interaction');
    eq(await second.locator('.state').textContent(), 'Opened', 'the clicked row shows it was opened');
  }

  // --- settings: mute one category, save, the row exists ---
  const cat = cats.split(',').pop();
  await page.check(`#categories input[value="${cat}"]`);
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('save-status').textContent !== 'Saving…', null, { timeout: 3000 });
  eq(await page.locator('#save-status').textContent(), 'Saved.', 'saving settings says so');
  eq(sql(DB, `SELECT category FROM mm_user_suppression WHERE user_id = ${quote(user)} ORDER BY category`), cat,
     'the muted category is stored');

  // --- the stream drops: a clear banner; it comes back by itself ---
  const port = new URL(base).port;
  const code = await stop(server.proc);
  eq(code, 0, 'mmr serve stops with exit 0 on SIGTERM');
  server = null;
  let banner = true;
  await page.waitForSelector('#banner:not([hidden])', { timeout: 5000 }).catch(() => { banner = false; });
  check(banner, 'the banner shows when the stream drops');
  if (banner) eq((await page.locator('#banner-text').textContent()).trim(), 'Live updates paused — reconnecting…', 'the banner\'s text');
  server = await serve('127.0.0.1:' + port);
  let back = true;
  await page.waitForSelector('body[data-stream="open"]', { timeout: 15000 }).catch(() => { back = false; });
  check(back, 'the page reconnects when the server is back');
  eq(await page.locator('#banner').isVisible(), false, 'the banner goes away after the reconnect');

  // --- a phone: one column, nothing wider than the screen ---
  // same browser storage as the desktop page: what the user did there shows here
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2,
                                           isMobile: true, hasTouch: true, storageState: await ctx.storageState() });
  const pp = await phone.newPage();
  pp.on('pageerror', (e) => pageErrors.push(e.message));
  await pp.goto(server.base + '/#token=' + token);
  await pp.waitForSelector('#feed > li', { timeout: 5000 }).catch(() => {});
  const widths = await pp.evaluate(() => ({
    doc: document.documentElement.scrollWidth,
    feed: document.querySelector('.feed').getBoundingClientRect(),
    settings: document.querySelector('.settings').getBoundingClientRect(),
  }));
  check(widths.doc <= 360, 'phone: no horizontal scrolling', `${widths.doc} px wide`);
  check(widths.settings.top >= widths.feed.bottom, 'phone: settings stack under the feed');
  eq(await pp.locator('#feed > li .state').first().textContent(), 'Dismissed',
     'after a reload the dismissed nudge still says so');
  check(await pp.locator(`#categories input[value="${cat}"]`).isChecked(), 'after a reload the muted category is checked');
  await pp.screenshot({ path: join(SHOTS, 'serve-page-phone.png') });
  await phone.close();

  eq(pageErrors.join('; '), '', 'no JavaScript errors on the page');
  await ctx.close();
} catch (e) {
  check(false, 'the browser test ran to the end', e.stack || String(e));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) {
    const code = await stop(server.proc);
    eq(code, 0, 'mmr serve stops with exit 0 at the end');
  }
  if (!process.env.MMR_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log('kept', dir);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
