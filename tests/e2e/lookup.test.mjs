// Lookup as a person types a misspelling: "custmers" shows "Did you mean"
// with customers at once (no Enter needed), at 1280 and 390 px, light and
// dark; choosing it with the arrow keys opens its rules card, which reads
// the form's labels ("Flat file (CSV)", "Daily"), not stored values.
// Enter without a choice submits the form, whose page says the same.
// Screenshots lookup-did-you-mean-*.png in build/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launch, newPage, screenshot, checkA11y, signIn, setupWorld,
  importDictionary, dictionary, PW,
} from './lib.mjs';

test('a misspelt name shows close names while typing', async () => {
  const srv = await startServer();
  setupWorld(srv);
  importDictionary(srv, 'acme-prod', dictionary);
  const browser = await launch();
  try {
    for (const [width, dark] of [[1280, false], [390, false], [1280, true], [390, true]]) {
      const label = `${width}${dark ? '-dark' : ''}`;
      const page = await newPage(browser, { width, height: width > 500 ? 900 : 844, dark });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, srv.url, 'ops@platform.example', PW);
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
      await page.context().close();
    }
    // Enter without choosing a close name submits the form: the page
    // lists the close names too.
    const page = await newPage(browser);
    await signIn(page, srv.url, 'ops@platform.example', PW);
    await page.goto(`${srv.url}/lookup`);
    await page.keyboard.type('custmers');
    await page.locator('[role="option"]').first().waitFor();
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/lookup\?q=custmers$/);
    assert.match(await page.textContent('main'), /Did you mean/);
    await page.context().close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
