// The offline export in a real browser: `docket export --format html`
// opened from the file system shows the rules card, and its search finds a
// table (no server involved: docket may be down at 3 a.m.).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startWorld, launch, newPage, screenshot, checkA11y } from './lib.mjs';

test('the HTML export works from file:// with search and rules cards', async () => {
  const srv = await startWorld('', { imports: ['acme-prod'] });
  const out = join(srv.dir, 'export');
  srv.cli(['export', '--format', 'html', '--out', out]);
  const browser = await launch();
  try {
    const page = await newPage(browser);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // axe-core re-reads style sheets with XHR, which file:// refuses:
    // only the page's own loads count.
    page.on('requestfailed', (r) => {
      if (!['xhr', 'fetch'].includes(r.resourceType())) errors.push(`${r.url()} ${r.failure()?.errorText}`);
    });
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    assert.match(await page.textContent('body'), /Offline export of the docket registry, made \d{4}-/);
    await page.fill('#q', 'loyal');
    const hit = page.locator('#results a').first();
    await hit.waitFor();
    assert.match(await hit.textContent(), /loyalty_members/);
    await checkA11y(page, 'export index');
    await screenshot(page, 'export-index-search');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(page.url(), /^file:.*loyalty_members\.html$/);
    const body = await page.textContent('body');
    assert.match(body, /REQUIRED/);
    assert.match(body, /05:30/);
    assert.match(body, /member_id/);
    assert.match(body, /Offline export of the docket registry, made \d{4}-/);
    assert.ok(await page.evaluate(() => getComputedStyle(document.body).fontFamily !== ''), 'styled');
    await checkA11y(page, 'export table page');
    await screenshot(page, 'export-table-page');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
