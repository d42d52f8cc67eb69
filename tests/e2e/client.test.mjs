// Scenario 1: a client fills in a request with a new table of 6 columns
// (rows proposed from a sample CSV, one row added and one removed with the
// buttons) and a second change adding 2 columns to an existing table,
// submits with one mistake, sees the error next to the field with every
// value kept, fixes it, submits, and reads the request page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, screenshot, checkA11y, signIn, byId, PW } from './lib.mjs';

const sample = 'Member ID,Tier,Joined On,Points Balance\n100045,gold,2026-01-02,1200\n100046,silver,2026-02-11,\n100047,,2026-03-30,75\n';

test('a client submits a two-change request, fixes one mistake, reads it back', async () => {
  const srv = await startWorld('', { imports: ['acme-qa', 'acme-prod'] });
  const browser = await launch();
  try {
    const page = await newPage(browser);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // The 422 of the deliberate mistake is logged by Chromium too.
      if (m.type() === 'error' && !/status of 422/.test(m.text())) errors.push(m.text());
    });
    await signIn(page, srv.url, 'client@acme.example', PW);
    await page.goto(`${srv.url}/requests/new`);
    await checkA11y(page, '/requests/new');

    await page.selectOption('#instance', 'acme-prod');
    await page.check('#instances input[value="acme-qa"]');
    await page.check('#instances input[value="acme-prod"]');
    await page.selectOption('#project_manager', 'pm@platform.example');
    await page.fill('#title', 'Loyalty tiers');
    await page.fill('#summary', 'We start a **loyalty programme** in January.');
    await page.check('#consent_related input[value="yes"]');
    await page.fill('#consent_note', 'Members opt in to loyalty e-mails separately.');

    // Change 1: a new table.
    await byId(page, 'items[0].kind').selectOption('new_table');
    await byId(page, 'items[0].table').fill('loyalty_tiers');
    await byId(page, 'items[0].description').fill('One row per member and tier period.');
    await byId(page, 'items[0].primary_key').fill('member_id');
    await byId(page, 'items[0].source').selectOption('flat_file_csv');
    await byId(page, 'items[0].cadence').selectOption('daily');
    await byId(page, 'items[0].expected_arrival').fill('05:00');
    await page.check('input[name="items[0].campaign_dependency"][value="required"]');
    await byId(page, 'items[0].owner').fill('loyalty@acme.example');

    // Four column rows proposed from a sample file.
    const item0 = page.locator('.card.item').nth(0);
    await item0.locator('input.infer-file').setInputFiles({
      name: 'loyalty_sample.csv', mimeType: 'text/csv', buffer: Buffer.from(sample),
    });
    await item0.locator('.infer-status').filter({ hasText: 'columns proposed' }).waitFor();
    assert.equal(await byId(page, 'items[0].columns[0].name').inputValue(), 'member_id');
    assert.equal(await byId(page, 'items[0].columns[2].type').inputValue(), 'date');
    assert.equal(await byId(page, 'items[0].columns[3].name').inputValue(), 'points_balance');

    // Three more rows with the button; two filled in, one removed again.
    await item0.locator('button.more-rows').click();
    await byId(page, 'items[0].columns[4].name').fill('loyalty_email_opt_in');
    await byId(page, 'items[0].columns[4].type').fill('boolean');
    await byId(page, 'items[0].columns[4].consent').check();
    await byId(page, 'items[0].columns[4].consent_channel').selectOption('email');
    await byId(page, 'items[0].columns[5].name').fill('home_store');
    await byId(page, 'items[0].columns[5].type').fill('integer');
    await byId(page, 'items[0].columns[6].name').fill('scratch_column');
    const names = () => item0.locator('tr.column-row input[name$=".name"]')
      .evaluateAll((els) => els.map((e) => e.value));
    const scratch = (await names()).indexOf('scratch_column');
    assert.ok(scratch >= 0);
    await item0.locator('tr.column-row').nth(scratch).locator('button.remove-row').click();
    assert.ok(!(await names()).includes('scratch_column'), 'the row was removed');
    assert.deepEqual((await names()).filter((v) => v).length, 6);
    const descriptions = ['Member number', 'gold, silver or bronze', 'First day in the programme',
      'Points balance', 'Opted in to loyalty e-mails', 'Favourite store'];
    for (let c = 0; c < 6; c++) {
      await byId(page, `items[0].columns[${c}].description`).fill(descriptions[c]);
    }
    await byId(page, 'items[0].columns[0].nullable').uncheck();
    await byId(page, 'items[0].columns[0].primary_key').check();

    // Change 2: two columns on an existing table; one name has a mistake.
    await page.click('button.add-item');
    await byId(page, 'items[1].kind').selectOption('add_columns');
    await byId(page, 'items[1].table').fill('customers');
    await byId(page, 'items[1].columns[0].name').fill('loyalty_tier');
    await byId(page, 'items[1].columns[0].type').fill('string(20)');
    await byId(page, 'items[1].columns[0].description').fill('Copied from loyalty_tiers');
    await byId(page, 'items[1].columns[1].name').fill('2nd_tier');
    await byId(page, 'items[1].columns[1].type').fill('string(20)');
    await byId(page, 'items[1].columns[1].description').fill('Second tier');
    await screenshot(page, 'client-form-filled');

    await Promise.all([page.waitForNavigation(), page.click('button[name="submit"]')]);
    // The error is named at the top and next to its field; nothing was lost.
    const summary = page.locator('#error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /digit/i);
    const bad = byId(page, 'items[1].columns[1].name');
    assert.equal(await bad.getAttribute('aria-invalid'), 'true');
    const msgId = (await bad.getAttribute('aria-describedby')).split(' ').find((x) => x);
    assert.match(await byId(page, msgId).textContent(), /digit/i);
    assert.equal(await page.inputValue('#title'), 'Loyalty tiers');
    assert.equal(await byId(page, 'items[0].columns[4].name').inputValue(), 'loyalty_email_opt_in');
    assert.equal(await byId(page, 'items[0].columns[5].name').inputValue(), 'home_store');
    const kept = await page.locator('.card.item').nth(0)
      .locator('tr.column-row input[name$=".name"]').evaluateAll((els) => els.map((e) => e.value).filter((v) => v));
    assert.deepEqual(kept, ['member_id', 'tier', 'joined_on', 'points_balance', 'loyalty_email_opt_in', 'home_store']);
    assert.equal(await byId(page, 'items[1].table').inputValue(), 'customers');
    await checkA11y(page, '/requests (errors)');
    await screenshot(page, 'client-form-error');

    await bad.fill('second_tier');
    await Promise.all([page.waitForNavigation(), page.click('button[name="submit"]')]);
    assert.match(page.url(), /\/requests\/\d+$/);
    const main = await page.textContent('main');
    assert.match(await page.textContent('h1'), /Loyalty tiers/);
    assert.match(main, /CR-\d+/);
    for (const name of ['member_id', 'tier', 'joined_on', 'points_balance', 'loyalty_email_opt_in',
      'home_store', 'loyalty_tier', 'second_tier']) {
      assert.ok(main.includes(name), `${name} on the request page`);
    }
    assert.ok(!main.includes('scratch_column'), 'the removed row is not stored');
    assert.match(main, /REQUIRED/i);
    assert.equal(await page.locator('main strong').filter({ hasText: 'loyalty programme' }).count(), 1);
    await checkA11y(page, '/requests/{id}');
    await screenshot(page, 'client-request-page');
    const phone = await newPage(browser, { width: 390, height: 844 });
    await signIn(phone, srv.url, 'client@acme.example', PW);
    await phone.goto(page.url());
    await screenshot(phone, 'client-request-page-390');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
