// The admin's deliveries page in a real browser: a notification whose
// receiver is down shows as pending with its last error; a test message to
// the channel reports the failure; a client cannot open the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, screenshot, checkA11y, signIn, apiRequest, PW } from './lib.mjs';

const config = `[notify]
allow_private = true
allow_http = true
[channel.ops-hook]
type = webhook
url = http://127.0.0.1:9/docket
secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
timeout = 2
[route]
request.submitted = ops-hook
`;

test('an admin sees deliveries, their errors, and can test a channel', async () => {
  const srv = await startWorld(config);
  const browser = await launch();
  try {
    const token = srv.cli(['token', 'create', '--email', 'client@acme.example', '--label', 't']).trim();
    const created = await apiRequest(srv, token, 'POST', '/api/v1/requests', {
      instance: 'acme-prod', project_manager: 'pm@platform.example', title: 'Store hours',
      summary: 'Opening hours per store', consent_related: false,
      items: [{ kind: 'new_table', table: 'store_hours', description: 'Hours', source: 'api',
        cadence: 'weekly', expected_day: 'mon', campaign_dependency: 'optional', primary_key: 'store_id',
        columns: [{ name: 'store_id', type: 'integer', nullable: false, primary_key: true, description: 'Store' }] }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const page = await newPage(browser);
    await signIn(page, srv.url, 'admin@platform.example', PW);
    // The worker tries at once; the receiver refuses the connection.
    let text = '';
    for (let i = 0; i < 50; i++) {
      await page.goto(`${srv.url}/admin/deliveries`);
      text = await page.textContent('main');
      if (/refused|connect/i.test(text)) break;
      await page.waitForTimeout(200);
    }
    assert.match(text, /request\.submitted/);
    assert.match(text, /CR-\d+/);
    assert.match(text, /ops-hook/);
    assert.match(text, /pending/);
    assert.match(text, /refused|connect/i);
    assert.doesNotMatch(text, /MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/);
    await checkA11y(page, '/admin/deliveries');
    await screenshot(page, 'admin-deliveries');
    await page.selectOption('#f-state', 'delivered');
    await Promise.all([page.waitForNavigation(), page.click('form.toolbar button')]);
    assert.match(page.url(), /state=delivered/);
    assert.doesNotMatch(await page.textContent('main table'), /request\.submitted/);
    await page.goto(`${srv.url}/admin/deliveries`);
    await Promise.all([page.waitForNavigation({ timeout: 20000 }),
      page.click('form[action="/admin/deliveries/test"] button')]);
    assert.match(await page.textContent('.flash'), /Test message to ops-hook failed/);

    const client = await newPage(browser);
    await signIn(client, srv.url, 'client@acme.example', PW);
    const res = await client.goto(`${srv.url}/admin/deliveries`);
    assert.equal(res.status(), 403);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
