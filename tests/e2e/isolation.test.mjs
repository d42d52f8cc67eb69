// Scenario 4: a client of another organisation cannot reach any of acme's
// requests, tables, attachments, search results or changes — not by
// navigation, not by typing URLs, not by guessing ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, screenshot, checkA11y, signIn, apiRequest, PW } from './lib.mjs';

test('a client of another organisation cannot reach acme data', async () => {
  const srv = await startWorld('', { imports: ['acme-prod'] });
  const acmeToken = srv.cli(['token', 'create', '--email', 'client@acme.example', '--label', 't']).trim();
  const created = await apiRequest(srv, acmeToken, 'POST', '/api/v1/requests', {
    instance: 'acme-prod', project_manager: 'pm@platform.example', title: 'Secret acme plans',
    summary: 'Confidential', consent_related: false,
    items: [{ kind: 'add_columns', table: 'customers',
      columns: [{ name: 'secret_score', type: 'integer', description: 'Secret' }] }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id;
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await signIn(page, srv.url, 'client@globex.example', PW);
    for (const path of [`/requests/${id}`, `/api/v1/requests/${id}`, '/tables/acme-prod/customers',
      '/tables/acme-prod/loyalty_members', '/api/v1/instances/acme-prod/tables/customers',
      '/api/v1/instances/acme-prod/tables', `/requests/${id}/attachments/1`,
      '/tables/acme-prod/customers/columns/email']) {
      const res = await page.goto(`${srv.url}${path}`);
      assert.equal(res.status(), 404, `${path} answered ${res.status()}`);
      assert.doesNotMatch(await page.textContent('body'), /Secret acme plans|customer_id|member_id|CRM on-call|Tier campaigns|secret_score/);
    }
    // A missing request looks exactly the same as acme's.
    const missing = await (await page.goto(`${srv.url}/api/v1/requests/999999`)).text();
    const theirs = await (await page.goto(`${srv.url}/api/v1/requests/${id}`)).text();
    assert.equal(theirs, missing);

    await page.goto(`${srv.url}/requests`);
    assert.doesNotMatch(await page.textContent('main'), /Secret acme plans/);
    await page.goto(`${srv.url}/search?q=loyalty`);
    assert.doesNotMatch(await page.textContent('main'), /loyalty_members/);
    await page.goto(`${srv.url}/search?q=secret`);
    assert.doesNotMatch(await page.textContent('main'), /Secret acme plans|secret_score/);
    await page.goto(`${srv.url}/tables`);
    assert.doesNotMatch(await page.textContent('main'), /acme-prod|customers/);
    await page.goto(`${srv.url}/changes`);
    assert.doesNotMatch(await page.textContent('main'), /loyalty_members|customers/);
    await page.goto(`${srv.url}/lookup`);
    await page.keyboard.type('loyal');
    // the answer to "loyal" is shown: the status under the box names it
    await page.waitForFunction(() => {
      const s = document.getElementById('lookup-status');
      return s && !s.hidden && s.textContent.includes('\u201cloyal\u201d');
    });
    assert.equal(await page.locator('[role="option"]').count(), 0);
    await checkA11y(page, '/lookup (other organisation)');
    await screenshot(page, 'isolation-globex-lookup');
    const api = await page.goto(`${srv.url}/api/v1/lookup?q=cust`);
    assert.doesNotMatch(await api.text(), /customers/);
    // The acme client does see it all.
    const acme = await newPage(browser);
    await signIn(acme, srv.url, 'client@acme.example', PW);
    const own = await acme.goto(`${srv.url}/requests/${id}`);
    assert.equal(own.status(), 200);
    assert.match(await acme.textContent('main'), /Secret acme plans/);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
