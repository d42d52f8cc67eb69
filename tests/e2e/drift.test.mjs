// Drift and adopt in the browser. acme-prod documents the dictionary
// (customers, loyalty_members, web_sessions); its configured
// drift_source is a SQLite file made here with the sqlite3 shell, where
// customers has a column more, loyalty_members and web_sessions are
// absent and orders and coupons were never documented. `docket drift`
// keeps a report (exit 6). A PM opens /drift/acme-prod, sees the
// findings grouped by table with links to the rules cards, selects
// orders, previews what would be written, adopts, sees the flash and the
// fresh check (orders no longer a finding) and follows the link to the
// new rules card. At 1280 and 390 px, light and dark, checked with
// axe-core, never wider than the window; screenshots drift-*.png, drift-preview-*.png and
// drift-adopted-*.png in build/e2e/. A client of another organisation
// gets the 404 page. One server, one browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startWorld, launch, newPage, view, screenshot, checkA11y, signIn, PW,
} from './lib.mjs';

// The page fits the window's width (no sideways scrolling at 390 px).
async function fits(page, label) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${label}: ${scroll} px wide in a ${inner} px window`);
}

const LIVE_SQL = `
CREATE TABLE customers (customer_id INTEGER NOT NULL PRIMARY KEY,
  email VARCHAR(255), signup_channel VARCHAR(20));
CREATE TABLE orders (order_id INTEGER NOT NULL PRIMARY KEY,
  customer_id INTEGER NOT NULL, total NUMERIC(10,2), placed_at TIMESTAMP);
CREATE TABLE coupons (code VARCHAR(20) NOT NULL PRIMARY KEY);
`;

// docket drift exits 6 when it finds drift.
function driftCheck(srv) {
  try {
    srv.cli(['drift', '--instance', 'acme-prod']);
    assert.fail('docket drift found no drift');
  } catch (e) {
    if (e.code === 'ERR_ASSERTION') throw e;
    assert.equal(e.status, 6, `docket drift: ${e.stdout}${e.stderr}`);
  }
}

test('a PM previews and adopts an undocumented table from the drift page', async () => {
  const liveDir = mkdtempSync(join(process.env.TEST_TMP || tmpdir(), 'e2e-live-'));
  const live = join(liveDir, 'live.db');
  execFileSync('sqlite3', [live], { input: LIVE_SQL });
  const srv = await startWorld(`[instance.acme-prod]\ndrift_source = sqlite:${live}\n`,
    { imports: ['acme-prod'] });
  const browser = await launch();
  try {
    driftCheck(srv);
    const page = await newPage(browser);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, srv.url, 'pm@platform.example', PW);

    // The report: grouped by table, documented tables link to their cards.
    for (const [width, dark] of [[1280, false], [390, false], [1280, true], [390, true]]) {
      const label = `${width}${dark ? '-dark' : ''}`;
      await view(page, { width, height: width > 500 ? 900 : 844, dark });
      await page.goto(`${srv.url}/drift/acme-prod`);
      assert.match(await page.textContent('h1'), /Drift of acme-prod/);
      const sections = page.locator('section.drift-table');
      assert.ok(await sections.count() >= 4, 'a section per table with findings');
      assert.equal(await page.locator('section.drift-table h2 a[href="/tables/acme-prod/customers"]').count(), 1);
      assert.match(await page.locator('#t-orders').textContent(), /undocumented table/);
      assert.match(await page.locator('#t-customers').textContent(), /signup_channel/);
      assert.equal(await page.locator('input[type=checkbox][name=table][value=orders]').count(), 1);
      await checkA11y(page, `/drift/acme-prod (${label})`);
      await fits(page, `/drift/acme-prod (${label})`);
      await screenshot(page, `drift-${label}`);
    }

    // Select orders, preview: nothing written yet.
    await view(page, { width: 1280, height: 900 });
    await page.goto(`${srv.url}/drift/acme-prod`);
    await page.locator('input[type=checkbox][name=table][value=orders]').check();
    await Promise.all([page.waitForNavigation(),
      page.getByRole('button', { name: 'Adopt selected tables' }).click()]);
    assert.match(await page.textContent('h1'), /Preview: adopt into acme-prod/);
    const preview = await page.textContent('main');
    assert.match(preview, /Would adopt 1 new table and 4 columns/);
    for (const c of ['order_id', 'customer_id', 'total', 'placed_at']) assert.match(preview, new RegExp(c));
    assert.match(preview, /Left to complete on the rules card: .*owner/);
    assert.doesNotMatch(preview, /coupons/);
    await checkA11y(page, 'adopt preview');
    await screenshot(page, 'drift-preview-1280');
    await view(page, { width: 390, height: 844, dark: true });
    await fits(page, 'adopt preview (390 dark)');
    await screenshot(page, 'drift-preview-390-dark');
    const card = await fetch(`${srv.url}/tables/acme-prod/orders`, {
      headers: { Cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    assert.equal(card.status, 404, 'the preview wrote nothing');

    // Adopt: the flash, the fresh check and the link to the new card.
    await Promise.all([page.waitForNavigation(),
      page.getByRole('button', { name: 'Adopt', exact: true }).click()]);
    assert.match(page.url(), /\/drift\/acme-prod\?adopted=orders$/);
    assert.match(await page.textContent('.flash'), /Adopted 1 table, 4 columns; to complete: orders \(/);
    assert.equal(await page.locator('#t-orders').count(), 0, 'orders is no finding any more');
    assert.equal(await page.locator('input[type=checkbox][value=coupons]').count(), 1);
    await checkA11y(page, 'drift page after adopt (390 dark)');
    await fits(page, 'drift page after adopt (390 dark)');
    await screenshot(page, 'drift-adopted-390-dark');
    await view(page, { width: 1280, height: 900 });
    await page.reload();
    await screenshot(page, 'drift-adopted-1280');
    await Promise.all([page.waitForNavigation(),
      page.locator('section.drift-adopted a[href="/tables/acme-prod/orders"]').click()]);
    const cardText = await page.textContent('main');
    for (const c of ['order_id', 'customer_id', 'total', 'placed_at']) assert.match(cardText, new RegExp(c));
    await checkA11y(page, 'rules card of the adopted table');
    assert.deepEqual(errors, []);

    // Another organisation's client: the 404 page, as a missing instance.
    const other = await newPage(browser, { width: 390, height: 844 });
    await signIn(other, srv.url, 'client@globex.example', PW);
    const res = await other.goto(`${srv.url}/tables/acme-prod/drift`);
    assert.equal(res.status(), 404);
    const body = await other.textContent('main');
    assert.match(body, /There is no instance acme-prod\./);
    assert.doesNotMatch(body, /orders|coupons|signup_channel/);
    await checkA11y(other, 'drift 404 for another organisation');
  } finally {
    await browser.close();
    await srv.stop();
    rmSync(liveDir, { recursive: true, force: true });
  }
});
