// Tonight's feeds in the browser: a simulated night on acme-prod (a week
// of files reported with `docket arrived --at` in the past, one late, and
// tonight's loyalty file missing). An ops engineer opens /feeds at 07:30
// that night (?at=), sees HOLD in large type with loyalty_members as the
// blocking table, follows its link to the rules card, which reads
// "Today: missing since 07:00 UTC — REQUIRED: hold campaigns" beside the
// banner and shows the arrival chart. At 1280 and 390 px, light and dark,
// each page checked with axe-core; screenshots feeds-*.png and
// feeds-card-*.png in build/e2e/. One server, one browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, newPage, screenshot, checkA11y, signIn, setupWorld,
  importDictionary, dictionary, PW,
} from './lib.mjs';

const AT = '2026-03-03T07:30:00Z';

// A week of files: customers every day (one late), loyalty_members every
// day but tonight, web_sessions every other day (optional).
function night(srv) {
  const days = ['2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28',
    '2026-03-01', '2026-03-02', '2026-03-03'];
  days.forEach((d, i) => {
    const late = d === '2026-02-28';
    srv.cli(['arrived', '--instance', 'acme-prod', 'customers',
      '--rows', String(1180000 + i * 9000), '--file', `customers_${d}.csv`,
      '--at', `${d}T${late ? '07:40' : '04:52'}:00Z`]);
    if (d !== '2026-03-03') {
      srv.cli(['arrived', '--instance', 'acme-prod', 'loyalty_members',
        '--rows', String(42000 + i * 100), '--file', `loyalty_${d}.csv`,
        '--at', `${d}T05:2${i}:00Z`]);
    }
    if (i % 2 === 0) {
      srv.cli(['arrived', '--instance', 'acme-prod', 'web_sessions',
        '--rows', '900', '--file', `sessions_${d}.json`, '--at', `${d}T06:10:00Z`]);
    }
  });
}

test('ops sees HOLD at night and follows the blocking table to its card', async () => {
  const srv = await startServer();
  const browser = await launch();
  try {
    setupWorld(srv);
    importDictionary(srv, 'acme-prod', dictionary);
    night(srv);
    for (const [width, dark] of [[1280, false], [390, false], [1280, true], [390, true]]) {
      const label = `${width}${dark ? '-dark' : ''}`;
      const page = await newPage(browser, { width, height: width > 500 ? 900 : 844, dark });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, srv.url, 'ops@platform.example', PW);
      // The header leads to the feeds; the night is looked at with ?at=.
      assert.equal(await page.locator('header nav a[href="/feeds"]').count(), 1);
      await page.goto(`${srv.url}/feeds?instance=acme-prod&at=${AT}`);
      const gate = page.locator('section.gate');
      assert.equal((await page.locator('#gate-decision').textContent()).trim(), 'HOLD');
      assert.match(await gate.getAttribute('class'), /gate-hold/);
      const reasons = page.locator('section.gate .gate-reasons li');
      assert.equal(await reasons.count(), 1);
      const reason = await reasons.first().textContent();
      assert.match(reason, /loyalty_members/);
      assert.match(reason, /missing since 07:00 UTC/);
      assert.match(reason, /Tier campaigns must wait for this file\./);
      assert.match(reason, /Loyalty on-call/);
      // Every tracked table with its state in words and a chart with a
      // text alternative.
      const feeds = page.locator('li.feed');
      assert.equal(await feeds.count(), 3);
      const main = await page.textContent('main');
      assert.match(main, /arrived 04:52 UTC, 1\.2 M rows/);
      const svg = page.locator('li.feed svg[role="img"]').first();
      assert.match(await svg.getAttribute('aria-label'), /^Arrivals of customers, last 14 days: 5 on time, 1 late/);
      await checkA11y(page, `/feeds HOLD (${label})`);
      await screenshot(page, `feeds-${label}`);
      // The blocking table's link: its rules card as it read that night.
      await Promise.all([page.waitForNavigation(),
        reasons.first().locator('a').first().click()]);
      assert.match(page.url(), /\/tables\/acme-prod\/loyalty_members\?at=/);
      const today = page.locator('.rules-card p.today');
      assert.match(await today.textContent(),
        /Today: missing since 07:00 UTC — REQUIRED: hold campaigns/);
      assert.match(await page.locator('.feed-history svg').getAttribute('aria-label'),
        /^Arrivals of loyalty_members, last 30 days: 6 on time/);
      await checkA11y(page, `rules card with today's line (${label})`);
      await screenshot(page, `feeds-card-${label}`);
      assert.deepEqual(errors, []);
      await page.context().close();
    }
  } finally {
    await browser.close();
    await srv.stop();
  }
});
