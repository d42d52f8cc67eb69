// Lookup as a person types a misspelling: "custmers" shows "Did you mean"
// with customers at once (no Enter needed), at 1280 and 390 px, light and
// dark; choosing it with the arrow keys opens its rules card, which reads
// the form's labels ("Flat file (CSV)", "Daily"), not stored values.
// Enter without a choice submits the form, whose page says the same.
// Screenshots lookup-did-you-mean-*.png in build/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, view, screenshot, checkA11y, signIn, PW } from './lib.mjs';

test('a misspelt name shows close names while typing', async () => {
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
      await page.keyboard.type('custmers');
      const status = page.locator('#lookup-status');
      await status.waitFor({ state: 'visible' });
      assert.match(await status.textContent(), /Did you mean/);
      const option = page.locator('[role="option"]').first();
      await option.waitFor();
      assert.match(await option.textContent(), /customers/);
      await checkA11y(page, `/lookup did you mean (${label})`);
      await screenshot(page, `lookup-did-you-mean-${label}`);
      // Chosen with the keyboard: its rules card.
      await page.keyboard.press('ArrowDown');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.match(page.url(), /\/tables\/acme-prod\/customers$/);
      const main = await page.textContent('main');
      assert.match(main, /Flat file \(CSV\)/);
      assert.match(main, /Daily/);
      assert.doesNotMatch(main, /flat_file_csv/);
      // Nothing close: said so while typing.
      await page.goto(`${srv.url}/lookup`);
      await page.keyboard.type('zqxjvw');
      await page.waitForFunction(() => {
        const s = document.getElementById('lookup-status');
        return s && !s.hidden && /anything like/.test(s.textContent);
      });
      assert.equal(await page.locator('[role="option"]').count(), 0);
      assert.deepEqual(errors, []);
    }
    // Enter without choosing a close name submits the form: the page
    // lists the close names too.
    await view(page, { width: 1280, height: 900, dark: false });
    await page.goto(`${srv.url}/lookup`);
    await page.keyboard.type('custmers');
    await page.locator('[role="option"]').first().waitFor();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/lookup\?q=custmers$/);
    assert.match(await page.textContent('main'), /Did you mean/);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
