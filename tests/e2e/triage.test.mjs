// The project manager takes a change request from submitted to deployed
// in a real browser: triage, a question to the client, the client's
// answer, scheduling in the next sprint, deploy to QA then production;
// screenshots of the queue, the request page and the sprint board under
// build/e2e/ and an axe check on every page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, screenshot, checkA11y, signIn, PW } from './lib.mjs';

const request = {
  instance: 'acme-prod',
  instances: ['acme-qa', 'acme-prod'],
  project_manager: 'pm@platform.example',
  title: 'Loyalty tiers',
  summary: 'We start a **loyalty** programme in January.',
  items: [{
    kind: 'new_table',
    table: 'loyalty_members',
    description: 'One row per loyalty member.',
    source: 'flat_file_csv',
    cadence: 'daily',
    expected_arrival: '05:00',
    campaign_dependency: 'required',
    columns: [
      { name: 'member_id', type: 'bigint', nullable: false, primary_key: true, description: 'Member number' },
      { name: 'tier', type: 'string(20)', description: 'gold, silver or bronze' },
    ],
  }],
};

// Clicks the submit button of the transition form to `to` and waits for
// the next page; confirms the dialog of destructive or deploy buttons.
async function move(page, to, { instance, confirm = false } = {}) {
  const sel = instance
    ? `form:has(input[name=to][value=${to}]):has(input[name=instance][value="${instance}"]) button[type=submit]`
    : `form:has(input[name=to][value=${to}]) button[type=submit]`;
  if (confirm) {
    await page.click(sel);
    await page.waitForSelector('dialog.confirm[open]');
    await Promise.all([page.waitForNavigation(), page.click('dialog.confirm [data-answer=yes]')]);
  } else {
    await Promise.all([page.waitForNavigation(), page.click(sel)]);
  }
}

test('a PM takes a request from submitted to deployed, QA then production', async () => {
  const srv = await startWorld();
  const browser = await launch();
  try {
    const token = srv.cli(['token', 'create', '--email', 'client@acme.example', '--label', 'e2e'])
      .trim().split(/\s+/)[0];
    const res = await fetch(`${srv.url}/api/v1/requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
    assert.equal(res.status, 201);
    const { id } = await res.json();

    // The PM's dashboard and queue.
    const pm = await newPage(browser);
    await signIn(pm, srv.url, 'pm@platform.example', PW);
    assert.match(await pm.textContent('main'), /Triage queue/);
    assert.match(await pm.textContent('main'), /Loyalty tiers/);
    await checkA11y(pm, '/ (pm)');
    await pm.goto(`${srv.url}/requests?status=submitted`);
    assert.match(await pm.textContent('table.queue'), /Loyalty tiers/);
    await checkA11y(pm, '/requests');
    await screenshot(pm, 'triage-queue');

    // Triage, then a question for the client.
    await Promise.all([pm.waitForNavigation(), pm.click(`table.queue a[href="/requests/${id}"] >> nth=0`)]);
    await checkA11y(pm, '/requests/{id} (submitted)');
    await move(pm, 'triaged');
    assert.match(await pm.textContent('.flash'), /is triaged\. Next: schedule it/);
    await pm.fill('#note-needs_info', 'Which tiers exist, and can a member have none?');
    await move(pm, 'needs_info');
    assert.match(await pm.textContent('.flash'), /^Question sent to Cleo Client\./);

    // The client sees the question first and answers it.
    const client = await newPage(browser);
    await signIn(client, srv.url, 'client@acme.example', PW);
    assert.match(await client.textContent('main'), /Waiting on you/);
    assert.match(await client.textContent('main'), /Which tiers exist/);
    await checkA11y(client, '/ (client)');
    await client.goto(`${srv.url}/requests/${id}`);
    assert.match(await client.textContent('#actions'), /Which tiers exist/);
    await checkA11y(client, '/requests/{id} (needs_info, client)');
    await client.fill('#note-answered', 'Gold, silver and bronze; none is allowed.');
    await move(client, 'answered');
    assert.match(await client.textContent('.flash'), /your answer was sent to the project manager/);
    // The client cannot triage or deploy: no such buttons.
    assert.equal(await client.locator('input[name=to][value=scheduled]').count(), 0);

    // The PM schedules it in the next sprint (preselected) with an estimate.
    await pm.goto(`${srv.url}/requests/${id}`);
    assert.match(await pm.textContent('#timeline'), /Gold, silver and bronze/);
    const chosen = await pm.$eval('#sprint', (s) => s.options[s.selectedIndex].textContent);
    assert.match(chosen, /^Sprint \d{4}-\d\d-\d\d/);
    await pm.fill('#priority', '5');
    await pm.fill('#estimate', '2 days');
    await move(pm, 'scheduled');
    assert.match(await pm.textContent('.flash'), /is scheduled for Sprint .* \(deploy /);

    // Deploy to QA: the request stays in progress with a marker per instance.
    await move(pm, 'deployed', { instance: 'acme-qa', confirm: true });
    assert.match(await pm.textContent('.flash'), /is deployed to acme-qa\. Production is still to do\./);
    assert.match(await pm.textContent('#plan'), /acme-qa[\s\S]*deployed[\s\S]*acme-prod[\s\S]*not yet deployed/);
    await checkA11y(pm, '/requests/{id} (in_progress)');
    // ... then production: deployed.
    await move(pm, 'deployed', { instance: 'acme-prod', confirm: true });
    assert.match(await pm.textContent('.flash'), /is deployed to every instance\./);
    await checkA11y(pm, '/requests/{id} (deployed)');
    await screenshot(pm, 'triage-request');

    // The registry of production knows the table now.
    const card = await pm.goto(`${srv.url}/tables/acme-prod/loyalty_members`);
    assert.equal(card.status(), 200);

    // The migration preview.
    await pm.goto(`${srv.url}/requests/${id}/migrations`);
    assert.match(await pm.textContent('main'), /CREATE TABLE/);
    await checkA11y(pm, '/requests/{id}/migrations');

    // The sprint board.
    await pm.goto(`${srv.url}/requests/${id}`);
    await Promise.all([pm.waitForNavigation(), pm.click('#plan a[href^="/sprints/"]')]);
    assert.match(await pm.textContent('main'), /Loyalty tiers/);
    assert.match(await pm.textContent('main'), /loyalty_members/);
    await checkA11y(pm, '/sprints/{id}');
    await screenshot(pm, 'triage-sprint-board');
    await pm.goto(`${srv.url}/sprints`);
    assert.match(await pm.textContent('main'), /current/);
    await checkA11y(pm, '/sprints');

    // Ops sees what changed in the last deploy.
    const ops = await newPage(browser);
    await signIn(ops, srv.url, 'ops@platform.example', PW);
    assert.match(await ops.textContent('#last-deploy'), /loyalty_members/);
    await checkA11y(ops, '/ (ops)');
  } finally {
    await browser.close();
    await srv.stop();
  }
});
