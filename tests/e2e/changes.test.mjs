// History grouped by the change that caused it, in a real browser: an
// import, a request deployed to QA and a hand edit are three entries on
// /changes (not one line per field), each saying in one line what changed,
// who and why, with the fields in a collapsed <details> that opens by
// keyboard and shows the form's labels ("Late after (minutes)"); the rules
// card's history reads the same. At 1280 and 390 px, no sideways scroll,
// no serious accessibility problem; screenshots in build/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWorld, launch, newPage, screenshot, checkA11y, signIn,
  apiRequest, PW,
} from './lib.mjs';

const request = {
  instance: 'acme-qa',
  instances: ['acme-qa'],
  project_manager: 'pm@platform.example',
  title: 'Store visits',
  summary: 'Visits per store.',
  items: [{
    kind: 'new_table',
    table: 'store_visits',
    description: 'One row per visit.',
    source: 'flat_file_csv',
    cadence: 'daily',
    expected_arrival: '05:30',
    late_after_minutes: 90,
    campaign_dependency: 'optional',
    campaign_note: 'Campaigns may run without it.',
    owner: 'stores@acme.example',
    columns: [
      { name: 'visit_id', type: 'bigint', nullable: false, primary_key: true, description: 'Visit' },
      { name: 'store_id', type: 'integer', description: 'Store' },
      { name: 'visited_at', type: 'timestamp', description: 'When' },
    ],
  }],
};

const token = (srv, email) => srv.cli(['token', 'create', '--email', email, '--label', 'e2e'])
  .trim().split(/\s+/)[0];

// The import (made with the world: startWorld), the deploy and the edit:
// three changes of many field rows.
async function history(srv, browser) {
  const client = token(srv, 'client@acme.example');
  const pm = token(srv, 'pm@platform.example');
  const created = await apiRequest(srv, client, 'POST', '/api/v1/requests', request);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id;
  const sprints = await apiRequest(srv, pm, 'GET', '/api/v1/sprints');
  const sprint = sprints.json.sprints.at(-1).id;
  for (const body of [{ to: 'triaged' }, { to: 'scheduled', sprint }, { to: 'in_progress' },
    { to: 'deployed', instance: 'acme-qa' }]) {
    const r = await apiRequest(srv, pm, 'POST', `/api/v1/requests/${id}/transitions`, body);
    assert.equal(r.status, 200, `${body.to}: ${JSON.stringify(r.json)}`);
  }
  // A hand edit of three fields through the rules card's form.
  const page = await newPage(browser);
  await signIn(page, srv.url, 'pm@platform.example', PW);
  await page.goto(`${srv.url}/tables/acme-qa/customers`);
  await page.click('details.edit > summary');
  await page.fill('#e-owner', 'crm-team@acme.example');
  await page.fill('#e-campaign_note', 'Hold every send.');
  await page.fill('#e-late_after_minutes', '150');
  await page.fill('#e-reason', 'The CRM team took the feed over');
  await Promise.all([page.waitForNavigation(), page.click('details.edit button[type=submit]')]);
  await page.close();
  return id;
}

test('history is one entry per change, fields collapsed, at 1280 and 390 px', async () => {
  const srv = await startWorld('', { imports: ['acme-qa'] });
  const browser = await launch();
  try {
    const id = await history(srv, browser);
    for (const width of [1280, 390]) {
      const page = await newPage(browser, { width });
      await signIn(page, srv.url, 'pm@platform.example', PW);
      await page.goto(`${srv.url}/changes`);
      const entries = page.locator('li.change');
      assert.equal(await entries.count(), 3, 'import, deploy and edit: three entries');
      // Newest first: the edit, the deploy, the import.
      const [edit, deploy, imp] = await entries.allTextContents();
      assert.match(edit, /3 fields of customers changed: /);
      for (const label of ['Owner', 'Campaign note', 'Late after (minutes)']) assert.ok(edit.includes(label), label);
      assert.match(edit, /Edited in acme-qa by Pat PM · reason: The CRM team took the feed over/);
      assert.match(deploy, /new table store_visits with 3 columns/);
      assert.match(deploy, new RegExp(`Deployed CR-${id} “Store visits” to acme-qa by Pat PM`));
      assert.match(imp, /3 new tables with 5 columns: customers, loyalty_members, web_sessions/);
      assert.match(imp, /Imported import-acme-qa\.csv into acme-qa/);
      // The fields are there but collapsed.
      const details = page.locator('li.change details');
      assert.equal(await details.count(), 3);
      for (let i = 0; i < 3; i++) assert.equal(await details.nth(i).getAttribute('open'), null);
      const deployFields = entries.nth(1).locator('.change-fields');
      assert.equal(await deployFields.isVisible(), false);
      // The request and the tables are links.
      assert.equal(await entries.nth(1).locator(`a[href="/requests/${id}"]`).count(), 1);
      assert.equal(await entries.nth(1).locator('a[href="/tables/acme-qa/store_visits"]').count(), 1);
      // No sideways scroll at either width.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at ${width}`);
      await checkA11y(page, `/changes at ${width}`);
      await screenshot(page, `changes-${width}`);
      // Opened by keyboard: the fields with the form's labels.
      await entries.nth(1).locator('summary').focus();
      await page.keyboard.press('Enter');
      assert.equal(await deployFields.isVisible(), true);
      const fields = await deployFields.textContent();
      assert.match(fields, /Late after \(minutes\): 0 → 90/);
      assert.match(fields, /Source: \(empty\) → Flat file \(CSV\)/);
      assert.doesNotMatch(fields, /late_after_minutes|flat_file_csv/);
      const overflowOpen = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflowOpen <= 0, `open fields scroll sideways by ${overflowOpen} px at ${width}`);
      await checkA11y(page, `/changes with a change open at ${width}`);
      await screenshot(page, `changes-${width}-open`);

      // The rules card: one entry per change of its table.
      await page.goto(`${srv.url}/tables/acme-qa/customers`);
      assert.equal(await page.locator('li.change').count(), 2);
      await screenshot(page, `changes-card-${width}`);
      await page.close();
    }
    // The feed: one entry per change.
    const pm = await newPage(browser);
    await signIn(pm, srv.url, 'pm@platform.example', PW);
    const atom = await pm.evaluate(async () => (await fetch('/changes.atom')).text());
    assert.equal((atom.match(/<entry>/g) || []).length, 3);
    await pm.close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
