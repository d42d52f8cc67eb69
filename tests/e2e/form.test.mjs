// The new-request form as a new client meets it: Enter in a one-line
// field submits the request (never "More column rows"), with and without
// JavaScript; "Add another change" starts an empty change; a sample file
// proposes sized types with the sample's maximum beside them, fills
// "Example rows" and is attached (or not, when unticked); a half-filled
// form is kept as a draft in the browser, offered back, and forgotten
// once the request is submitted. Screenshots at 1280 and 390 px go to
// build/e2e/form-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, screenshot, checkA11y, signIn, byId, PW } from './lib.mjs';

const visits = [
  'Visit ID,Visitor Email,Basket Value,Visited At,Store,order',
  '1001,ann@acme.example,412.50,2026-11-01 10:00:00,Leeds,1',
  '1002,bob@acme.example,19.99,2026-11-01 11:30:00,York,2',
  '1003,eve.long@acme.example,7.5,2026-11-02 09:15:00,Hull,3',
  '1004,cy@acme.example,120,2026-11-02 17:45:00,Leeds,1',
].join('\n') + '\n';

const rows = (page, i) => page.locator('.card.item').nth(i).locator('[name$=".name"][name*=".columns["]');

// The request fields a client must give, and change 1 as a new table
// with one column (columns from c on are left alone).
async function fillValid(page) {
  await page.selectOption('#instance', 'acme-prod');
  await page.selectOption('#project_manager', 'pm@platform.example');
  await page.fill('#title', 'Store visits');
  await page.fill('#summary', 'Visits to our stores, daily.');
  await page.check('#consent_related input[value="no"]');
  await byId(page, 'items[0].kind').selectOption('new_table');
  await byId(page, 'items[0].table').fill('store_visits');
  await byId(page, 'items[0].description').fill('One row per visit.');
  await byId(page, 'items[0].primary_key').fill('visit_id');
  await byId(page, 'items[0].source').selectOption('flat_file_csv');
  await byId(page, 'items[0].cadence').selectOption('daily');
  await byId(page, 'items[0].expected_arrival').fill('05:00');
  await page.check('input[name="items[0].campaign_dependency"][value="optional"]');
  await byId(page, 'items[0].owner').fill('stores@acme.example');
}

// One server (the world of lib.mjs, the dictionary in both acme
// instances) and one browser for the file. Each test has its own
// contexts, so its own drafts (the browser's storage); the requests the
// tests submit are new ones that no other test looks for.
let srv;
let browser;

before(async () => {
  srv = await startWorld('', { imports: ['acme-qa', 'acme-prod'] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 422/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

test('Enter in a one-line field submits the request, never adds column rows (with and without JavaScript)', async () => {
  for (const js of [true, false]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: js });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await signIn(page, srv.url, 'client@acme.example', PW);
    await page.goto(`${srv.url}/requests/new`);
    assert.equal(await rows(page, 0).count(), 3, 'a fresh change has 3 column rows');
    await page.fill('#title', 'Half a form');
    await byId(page, 'items[0].table').fill('store_visits');
    // in the middle of the change: a column row's name
    await byId(page, 'items[0].columns[1].name').fill('visitor_email');
    await byId(page, 'items[0].columns[1].name').focus();
    const nav = page.waitForNavigation({ timeout: 10000 }).then(() => true, () => false);
    await page.keyboard.press('Enter');
    assert.ok(await nav, `Enter submitted the form (js ${js})`);
    // the answer of a submit: the error summary, not a longer form
    await page.locator('#error-summary').waitFor();
    assert.match(await page.textContent('#error-summary'), /problem/);
    assert.equal(await rows(page, 0).count(), 3, `no rows were added (js ${js})`);
    assert.equal(await byId(page, 'items[0].columns[0].name').inputValue(), 'visitor_email');
    assert.equal(await page.inputValue('#title'), 'Half a form');
    // Enter in a request-level field does the same
    await page.locator('#title').focus();
    const nav2 = page.waitForNavigation({ timeout: 10000 }).then(() => true, () => false);
    await page.keyboard.press('Enter');
    assert.ok(await nav2);
    await page.locator('#error-summary').waitFor();
    assert.equal(await rows(page, 0).count(), 3);
    if (js) await checkA11y(page, '/requests (after Enter)');
    await screenshot(page, `form-enter-${js ? 'js' : 'nojs'}`);
    // The "More column rows" button still adds rows when pressed.
    await page.locator('.card.item').nth(0).locator('button.more-rows').click();
    if (!js) await page.waitForLoadState();
    await page.waitForFunction(() => document.querySelectorAll('.card.item [name^="items[0].columns["][name$=".name"]').length === 6);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('"Add another change" starts an empty change, without the values or hints of change 1', async () => {
  for (const width of [1280, 390]) {
    const page = await newPage(browser, { width, height: 900 });
    const errors = collectErrors(page);
    await signIn(page, srv.url, 'client@acme.example', PW);
    await page.goto(`${srv.url}/requests/new`);
    await fillValid(page);
    await byId(page, 'items[0].kind').selectOption('activity_history');
    const item0 = page.locator('.card.item').nth(0);
    await item0.locator('input.infer-file').setInputFiles({
      name: 'visits.csv', mimeType: 'text/csv', buffer: Buffer.from(visits),
    });
    await item0.locator('.infer-status').filter({ hasText: 'columns proposed' }).waitFor();
    assert.equal(await byId(page, 'items[0].columns[0].description').getAttribute('placeholder'), 'Header: Visit ID');
    await page.click('button.add-item');
    const item1 = page.locator('.card.item').nth(1);
    await item1.waitFor();
    assert.equal(await rows(page, 1).count(), 3, 'a new change has 3 rows');
    assert.equal(await byId(page, 'items[1].kind').inputValue(), 'new_table', 'the kind starts at its default');
    const state = await item1.evaluate((el) => [...el.querySelectorAll('input, textarea, select')]
      .filter((c) => c.type !== 'file' && c.type !== 'button' && c.type !== 'submit')
      .map((c) => ({
        name: c.name, value: c.type === 'checkbox' || c.type === 'radio' ? c.checked : c.value,
        placeholder: c.getAttribute('placeholder') || '', title: c.getAttribute('title') || '',
        type: c.type, tag: c.tagName,
      })));
    for (const c of state) {
      if (c.type === 'checkbox') {
        assert.equal(c.value, /\.nullable$/.test(c.name), `${c.name} at its default`);
      } else if (c.type === 'radio') {
        assert.equal(c.value, false, `${c.name} not chosen`);
      } else if (c.tag === 'SELECT') {
        if (!/\.kind$/.test(c.name)) assert.ok(c.value === '' || c.value === 'add', `${c.name} blank: ${c.value}`);
      } else {
        assert.equal(c.value, '', `${c.name} is empty`);
      }
      assert.doesNotMatch(c.placeholder, /Header:|loyalty|member|acme/i, `${c.name}: generic placeholder, not "${c.placeholder}"`);
      assert.equal(c.title, '', `${c.name}: no title from change 1's sample`);
    }
    assert.equal(await item1.locator('.infer-status').textContent(), '');
    assert.equal(await item1.locator('.proposed, [data-sample-note]').count(), 0);
    assert.equal(await item1.locator('input[name="attachments"]').count(), 0, 'change 1\'s sample is not copied');
    // change 1 is untouched
    assert.equal(await byId(page, 'items[0].columns[0].name').inputValue(), 'visit_id');
    await item1.scrollIntoViewIfNeeded();
    await screenshot(page, `form-new-change-${width}`);
    assert.deepEqual(errors, []);
    await page.context().close();
  }
});

test('a sample file proposes sized types with the sample maximum beside them, fills Example rows and is attached', async () => {
  const page = await newPage(browser);
  const errors = collectErrors(page);
  await signIn(page, srv.url, 'client@acme.example', PW);
  await page.goto(`${srv.url}/requests/new`);
  await fillValid(page);
  const item0 = page.locator('.card.item').nth(0);
  await item0.locator('input.infer-file').setInputFiles({
    name: 'visits.csv', mimeType: 'text/csv', buffer: Buffer.from(visits),
  });
  await item0.locator('.infer-status').filter({ hasText: 'columns proposed' }).waitFor();
  const col = (c, key) => byId(page, `items[0].columns[${c}].${key}`);
  assert.equal(await col(0, 'name').inputValue(), 'visit_id');
  assert.equal(await col(0, 'type').inputValue(), 'bigint', 'an id is a bigint');
  assert.equal(await col(1, 'name').inputValue(), 'visitor_email');
  assert.equal(await col(1, 'type').inputValue(), 'string(255)', 'an e-mail gets room for any address');
  assert.equal(await col(2, 'type').inputValue(), 'decimal(12,2)', 'money gets room to grow');
  assert.equal(await col(3, 'type').inputValue(), 'timestamp');
  assert.equal(await col(4, 'type').inputValue(), 'string(20)');
  assert.equal(await col(5, 'name').inputValue(), 'order', 'a reserved word is kept as the name');
  // the sample's maximum beside each proposal, tied to its input
  const note = async (c) => {
    const input = col(c, 'type');
    const ids = ((await input.getAttribute('aria-describedby')) || '').split(' ').filter((x) => x);
    for (const id of ids) {
      const el = byId(page, id);
      if (await el.getAttribute('data-sample-note') !== null) return (await el.textContent()).trim();
    }
    return null;
  };
  assert.equal(await note(1), 'longest in sample: 21');
  assert.equal(await note(2), 'max in sample: 412.50');
  assert.equal(await note(4), 'longest in sample: 5');
  assert.ok(await item0.locator('[data-sample-note]').first().isVisible());
  // Example rows: the header and the first rows, as text
  const examples = await byId(page, 'items[0].examples').inputValue();
  assert.ok(examples.startsWith('Visit ID,Visitor Email,Basket Value'), examples);
  assert.ok(examples.includes('1001,ann@acme.example,412.50'));
  // the sample is attached, ticked by default
  const attach = item0.locator('input[type=checkbox][data-sample-attach]');
  assert.equal(await attach.isChecked(), true);
  assert.match(await item0.locator('label:has([data-sample-attach])').textContent(), /visits\.csv/);
  assert.equal(await item0.locator('input[type=file][name="attachments"]').isVisible(), false, 'the held sample is not a second file picker');
  await checkA11y(page, '/requests/new (sample)');
  await screenshot(page, 'form-sample-1280');
  for (let c = 0; c < 6; c++) await col(c, 'description').fill(`Column ${c + 1}`);
  await Promise.all([page.waitForNavigation(), page.click('button.primary[name="submit"]')]);
  assert.match(page.url(), /\/requests\/\d+$/, await page.textContent('main'));
  const main = await page.textContent('main');
  assert.ok(main.includes('visits.csv'), 'the sample is attached to the request');
  assert.ok(main.includes('1001,ann@acme.example'), 'the example rows are stored');

  // unticked: not attached
  const phone = await newPage(browser, { width: 390, height: 844 });
  collectErrors(phone);
  await signIn(phone, srv.url, 'client@acme.example', PW);
  await phone.goto(`${srv.url}/requests/new`);
  await fillValid(phone);
  await phone.fill('#title', 'Store visits without the sample');
  const p0 = phone.locator('.card.item').nth(0);
  await p0.locator('input.infer-file').setInputFiles({
    name: 'visits-2.csv', mimeType: 'text/csv', buffer: Buffer.from(visits),
  });
  await p0.locator('.infer-status').filter({ hasText: 'columns proposed' }).waitFor();
  await screenshot(phone, 'form-sample-390');
  await p0.locator('input[type=checkbox][data-sample-attach]').uncheck();
  for (let c = 0; c < 6; c++) await byId(phone, `items[0].columns[${c}].description`).fill(`Column ${c + 1}`);
  await Promise.all([phone.waitForNavigation(), phone.click('button.primary[name="submit"]')]);
  assert.match(phone.url(), /\/requests\/\d+$/);
  assert.ok(!(await phone.textContent('main')).includes('visits-2.csv'), 'an unticked sample is not attached');
  assert.deepEqual(errors, []);
});

test('a half-filled form is kept as a draft, offered back, and forgotten after submitting', async () => {
  const page = await newPage(browser);
  const errors = collectErrors(page);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.type()); d.accept(); });
  await signIn(page, srv.url, 'client@acme.example', PW);
  await page.goto(`${srv.url}/requests/new`);
  // nothing typed: leaving asks nothing
  await Promise.all([page.waitForNavigation(), page.click('header nav a[href="/requests"]')]);
  assert.deepEqual(dialogs, []);
  await page.goto(`${srv.url}/requests/new`);
  assert.equal(await page.locator('[data-draft-offer]').count(), 0, 'no draft yet');
  await fillValid(page);
  await page.fill('#title', 'Draft of store visits');
  await page.click('button.add-item');
  await byId(page, 'items[1].kind').selectOption('add_columns');
  await byId(page, 'items[1].table').fill('customers');
  await page.locator('.card.item').nth(1).locator('button.more-rows').click();
  await byId(page, 'items[1].columns[4].name').fill('favourite_store');
  await byId(page, 'items[1].columns[4].type').fill('string(50)');
  await byId(page, 'items[0].columns[0].name').fill('visit_id');
  await byId(page, 'items[0].columns[0].nullable').uncheck();
  // leave by a link: the browser asks first, and we accept
  await Promise.all([page.waitForNavigation(), page.click('header nav a[href="/requests"]')]);
  assert.deepEqual(dialogs, ['beforeunload']);
  // the draft holds no file contents, passwords or tokens
  const stored = await page.evaluate(() => Object.keys(localStorage)
    .filter((k) => k.startsWith('docket-draft:')).map((k) => [k, localStorage.getItem(k)]));
  assert.equal(stored.length, 1);
  assert.ok(stored[0][1].includes('Draft of store visits'));
  assert.ok(!/"csrf"|submission_id|attachments|kept\[/.test(stored[0][1]), stored[0][1]);

  // another user of this browser is not offered it
  await page.click('header form[action="/signout"] button');
  await page.waitForURL(/signin|\/$/);
  await signIn(page, srv.url, 'pm@platform.example', PW);
  await page.goto(`${srv.url}/requests/new`);
  // app.js has looked for a draft to offer (it marks the key when it has)
  await page.locator('[data-draft-key][data-docket-enhanced]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-draft-offer]').count(), 0, 'drafts are per user');
  await page.click('header form[action="/signout"] button');
  await page.waitForURL(/signin|\/$/);
  await signIn(page, srv.url, 'client@acme.example', PW);

  await page.goto(`${srv.url}/requests/new`);
  const offer = page.locator('[data-draft-offer]');
  await offer.waitFor();
  assert.match(await offer.textContent(), /Restore your unsent draft from \d\d:\d\d\?/);
  await checkA11y(page, '/requests/new (draft offer)');
  await screenshot(page, 'form-draft-offer-1280');
  await offer.locator('button', { hasText: 'Restore' }).click();
  assert.equal(await offer.count(), 0);
  assert.equal(await page.inputValue('#title'), 'Draft of store visits');
  assert.equal(await page.inputValue('#instance'), 'acme-prod');
  assert.equal(await byId(page, 'items[0].table').inputValue(), 'store_visits');
  assert.equal(await byId(page, 'items[0].columns[0].name').inputValue(), 'visit_id');
  assert.equal(await byId(page, 'items[0].columns[0].nullable').isChecked(), false);
  assert.equal(await page.isChecked('input[name="items[0].campaign_dependency"][value="optional"]'), true);
  assert.equal(await byId(page, 'items[1].kind').inputValue(), 'add_columns');
  assert.equal(await byId(page, 'items[1].table').inputValue(), 'customers');
  assert.equal(await byId(page, 'items[1].columns[4].name').inputValue(), 'favourite_store');
  assert.equal(await byId(page, 'items[1].columns[4].type').inputValue(), 'string(50)');
  // the kind's fields follow the restored kind
  assert.equal(await byId(page, 'items[1].source').isVisible(), false);

  // a mistake keeps the draft (the server's page has the values too)
  await byId(page, 'items[0].columns[0].type').fill('bigint');
  await byId(page, 'items[0].columns[0].description').fill('Visit number');
  await byId(page, 'items[1].columns[4].description').fill('Favourite store');
  await page.fill('#title', '');
  await Promise.all([page.waitForNavigation(), page.click('button.primary[name="submit"]')]);
  await page.locator('#error-summary').waitFor();
  assert.equal(dialogs.length, 1, 'no warning when submitting');
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('docket-draft:')).length), 1);
  assert.equal(await page.locator('[data-draft-offer]').count(), 0, 'no offer on the answer of a submit');
  await page.fill('#title', 'Draft of store visits');
  const problems = await page.textContent('#error-summary');
  await Promise.all([page.waitForNavigation(), page.click('button.primary[name="submit"]')]);
  assert.match(page.url(), /\/requests\/\d+$/, `submitted (${problems} / ${await page.textContent('main')})`);
  assert.equal(dialogs.length, 1, 'no warning when submitting');
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('docket-draft:')).length), 0, 'the draft is gone');
  await page.goto(`${srv.url}/requests/new`);
  // app.js has looked for a draft to offer (it marks the key when it has)
  await page.locator('[data-draft-key][data-docket-enhanced]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('[data-draft-offer]').count(), 0);
  // Discard forgets it too
  await page.fill('#title', 'Another draft');
  await Promise.all([page.waitForNavigation(), page.click('header nav a[href="/requests"]')]);
  await page.goto(`${srv.url}/requests/new`);
  await page.locator('[data-draft-offer]').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'form-draft-offer-390');
  await page.locator('[data-draft-offer] button', { hasText: 'Discard' }).click();
  assert.equal(await page.locator('[data-draft-offer]').count(), 0);
  assert.equal(await page.inputValue('#title'), '');
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('docket-draft:')).length), 0);
  assert.deepEqual(errors, []);
});
