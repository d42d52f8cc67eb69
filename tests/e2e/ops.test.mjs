// Scenario 3: an ops user opens /lookup, types part of a table name,
// presses Enter and reads REQUIRED on the rules card; then sees the change
// in /changes. Screenshots at desktop and 390 px, light and dark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, view, screenshot, checkA11y, signIn, PW } from './lib.mjs';

test('ops look up a table half-asleep and read its rules', async () => {
  const srv = await startWorld('', { imports: ['acme-prod'] });
  const browser = await launch();
  try {
    // One page, turned to each width and scheme before it loads /lookup.
    const page = await newPage(browser);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, srv.url, 'ops@platform.example', PW);
    for (const [width, dark] of [[1280, false], [390, false], [1280, true], [390, true]]) {
      const label = `${width}${dark ? '-dark' : ''}`;
      await view(page, { width, height: width > 500 ? 900 : 844, dark });
      errors.length = 0;
      await page.goto(`${srv.url}/lookup`);
      // The box has the focus at once: typing needs no click.
      await page.keyboard.type('loyal');
      const option = page.locator('[role="option"]').first();
      await option.waitFor();
      assert.match(await option.textContent(), /loyalty_members/);
      await checkA11y(page, `/lookup (${label})`);
      await screenshot(page, `ops-lookup-${label}`);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.match(page.url(), /\/tables\/acme-prod\/loyalty_members$/);
      const card = page.locator('.rules-card');
      assert.match(await card.locator('.dependency').textContent(), /REQUIRED/);
      assert.match(await card.textContent(), /05:30/);
      assert.match(await card.textContent(), /loyalty@acme\.example/);
      await checkA11y(page, `rules card (${label})`);
      await screenshot(page, `ops-rules-card-${label}`);
      await page.goto(`${srv.url}/search?q=loyal`);
      assert.match(await page.textContent('main'), /loyalty_members/);
      await checkA11y(page, `/search (${label})`);
      await screenshot(page, `ops-search-${label}`);
      assert.deepEqual(errors, []);
    }

    // The change that created the table shows in /changes and its feed.
    await view(page, { width: 1280, height: 900, dark: false });
    await page.goto(`${srv.url}/changes?instance=acme-prod`);
    const main = await page.textContent('main');
    assert.match(main, /loyalty_members/);
    // Grouped by change, fields with the form's labels, not raw names.
    assert.match(main, /3 new tables with 5 columns: customers, loyalty_members, web_sessions/);
    assert.match(main, /Campaigns and this data/);
    assert.doesNotMatch(main, /campaign_dependency/);
    await checkA11y(page, '/changes');
    await screenshot(page, 'ops-changes');
    // Without JavaScript the lookup still works: the form submits.
    const nojs = await browser.newContext({ javaScriptEnabled: false });
    const p2 = await nojs.newPage();
    await signIn(p2, srv.url, 'ops@platform.example', PW);
    await p2.goto(`${srv.url}/lookup`);
    await p2.fill('input[name="q"]:focus, main input[name="q"]', 'loyalty_memb');
    await Promise.all([p2.waitForNavigation(), p2.keyboard.press('Enter')]);
    assert.match(await p2.textContent('main'), /REQUIRED/);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
