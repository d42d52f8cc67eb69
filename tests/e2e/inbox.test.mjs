// The in-app inbox in a real browser, with no notification channel set
// up: a client submits a request, the PM sees the unread count in the
// header, opens /inbox, follows the item to the request, comes back and
// marks all read, and the count is gone. An ops engineer watches a table
// from its rules card (with the keyboard); the PM edits that table and
// ops find the change in their inbox. Screenshots of /inbox, the rules
// card with its watch button and the empty inbox at 1280 and 390 px,
// light and dark, under build/e2e/, and an axe check of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, view, screenshot, checkA11y, signIn, apiRequest, PW } from './lib.mjs';

const variants = [[1280, false], [390, false], [1280, true], [390, true]];
const label = (width, dark) => `${width}${dark ? '-dark' : ''}`;
const open = (browser, width, dark) =>
  newPage(browser, { width, height: width > 500 ? 900 : 844, dark });
const turn = (page, width, dark) => view(page, { width, height: width > 500 ? 900 : 844, dark });

// The unread count in the header ('' when there is no badge).
async function headerCount(page) {
  const badge = page.locator('header a.inbox .count');
  if (await badge.count() === 0) return '';
  return (await badge.textContent()).replace(/\s*unread\s*$/, '').trim();
}

test('the PM and ops are told in the inbox, with no channel set up', async () => {
  const srv = await startWorld('', { imports: ['acme-prod'] });
  const token = srv.cli(['token', 'create', '--email', 'client@acme.example', '--label', 'e2e'])
    .trim().split(/\s+/)[0];
  const created = await apiRequest(srv, token, 'POST', '/api/v1/requests', {
    instance: 'acme-prod',
    project_manager: 'pm@platform.example',
    title: 'Loyalty <tiers> & points',
    summary: 'Tiers for the loyalty programme.',
    items: [{
      kind: 'add_columns',
      table: 'customers',
      columns: [{ name: 'loyalty_tier', type: 'string(20)', description: 'gold, silver or bronze' }],
    }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { id } = created.json;
  const browser = await launch();
  try {
    // The PM's inbox with one unread item, in every width and scheme (one
    // page, turned to each before it loads).
    const page = await open(browser, 1280, false);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, srv.url, 'pm@platform.example', PW);
    for (const [width, dark] of variants) {
      await turn(page, width, dark);
      errors.length = 0;
      await page.goto(`${srv.url}/`);
      assert.equal(await headerCount(page), '1');
      await page.goto(`${srv.url}/inbox`);
      const item = page.locator('li.inbox-item.unread');
      assert.equal(await item.count(), 1);
      assert.match(await item.textContent(), /Loyalty <tiers> & points/);
      assert.match(await item.textContent(), /You are the PM/);
      await checkA11y(page, `/inbox (${label(width, dark)})`);
      await screenshot(page, `inbox-pm-${label(width, dark)}`);
      assert.deepEqual(errors, []);
    }
    await page.context().close();

    // The PM follows the item, comes back and marks all read.
    const pm = await open(browser, 1280, false);
    await signIn(pm, srv.url, 'pm@platform.example', PW);
    await Promise.all([pm.waitForNavigation(), pm.click('header a.inbox')]);
    assert.match(pm.url(), /\/inbox$/);
    assert.equal(await pm.getAttribute('header a.inbox', 'aria-current'), 'page');
    await Promise.all([pm.waitForNavigation(), pm.click('li.inbox-item h2 a')]);
    assert.match(pm.url(), new RegExp(`/requests/${id}$`));
    assert.match(await pm.textContent('main h1'), /Loyalty <tiers> & points/);
    await Promise.all([pm.waitForNavigation(), pm.goBack()]);
    assert.match(pm.url(), /\/inbox$/);
    await Promise.all([pm.waitForNavigation(), pm.click('button:has-text("Mark all read")')]);
    assert.match(pm.url(), /\/inbox$/);
    assert.match(await pm.textContent('.flash'), /All caught up/);
    assert.equal(await headerCount(pm), '');
    assert.equal(await pm.locator('li.inbox-item.unread').count(), 0);
    assert.equal(await pm.locator('li.inbox-item').count(), 1);
    await checkA11y(pm, '/inbox after mark all read');
    await screenshot(pm, 'inbox-pm-read');

    // Ops watch the table from its rules card, with the keyboard.
    const ops = await open(browser, 1280, false);
    await signIn(ops, srv.url, 'ops@platform.example', PW);
    await ops.goto(`${srv.url}/tables/acme-prod/customers`);
    const watch = ops.locator('.watch-bar form.watch button');
    assert.match(await watch.textContent(), /Watch$/);
    await watch.focus();
    await Promise.all([ops.waitForNavigation(), ops.keyboard.press('Enter')]);
    assert.match(ops.url(), /\/tables\/acme-prod\/customers$/);
    assert.match(await ops.textContent('.flash'), /you are watching it/);
    assert.match(await watch.textContent(), /Stop watching$/);
    await checkA11y(ops, 'rules card, watching');

    // The PM edits that table.
    await pm.goto(`${srv.url}/tables/acme-prod/customers`);
    assert.match(await pm.locator('.watch-bar form.watch button').textContent(), /Watch$/);
    await pm.click('details.edit summary');
    await pm.fill('details.edit textarea[name=runbook]', 'Page the CRM on-call before 06:00.');
    await pm.fill('#e-reason', 'new rota');
    await Promise.all([pm.waitForNavigation(), pm.click('details.edit button[type=submit]')]);

    // Ops see it: the count in the header, the item in the inbox.
    await ops.goto(`${srv.url}/tables/acme-prod/customers`);
    assert.equal(await headerCount(ops), '1');
    await Promise.all([ops.waitForNavigation(), ops.click('header a.inbox')]);
    const seen = ops.locator('li.inbox-item.unread');
    assert.equal(await seen.count(), 1);
    assert.match(await seen.textContent(), /customers/);
    assert.match(await seen.textContent(), /You watch this/);
    assert.match(await ops.textContent('#watching ~ ul.watch-list'), /acme-prod \/ customers/);
    await checkA11y(ops, '/inbox of ops');
    await screenshot(ops, 'inbox-ops');
    await pm.context().close();
    await ops.context().close();

    // The rules card with its watch button and an empty inbox, in every
    // width and scheme.
    const card = await open(browser, 1280, false);
    await signIn(card, srv.url, 'ops@platform.example', PW);
    const fresh = await open(browser, 1280, false);
    await signIn(fresh, srv.url, 'admin@platform.example', PW);
    for (const [width, dark] of variants) {
      await turn(card, width, dark);
      await card.goto(`${srv.url}/tables/acme-prod/customers`);
      await checkA11y(card, `rules card with watch (${label(width, dark)})`);
      await screenshot(card, `inbox-watch-card-${label(width, dark)}`);
      await card.goto(`${srv.url}/inbox`);
      await screenshot(card, `inbox-ops-${label(width, dark)}`);
      await turn(fresh, width, dark);
      await fresh.goto(`${srv.url}/inbox`);
      assert.match(await fresh.textContent('.empty'), /watch a table or a request/);
      await checkA11y(fresh, `empty /inbox (${label(width, dark)})`);
      await screenshot(fresh, `inbox-empty-${label(width, dark)}`);
    }
    await card.context().close();
    await fresh.context().close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
