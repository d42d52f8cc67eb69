// Deploys in environment order and the words after each transition, in a
// real browser: a request whose client ticked production before staging
// and QA shows its deploy buttons QA, staging, production; deploying
// production first asks for a reason (the browser will not send the form
// without it) that the timeline keeps; every flash says what happened for
// its reader ("Question sent to ...", "Thanks — your answer was sent ...",
// "deployed to acme-qa. Staging is still to do."). Screenshots of the
// deploy buttons and the messages at 1280 and 390 px in build/e2e/, axe
// on the request page at both widths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startWorld, launch, newPage, screenshot, checkA11y, signIn, PW } from './lib.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axe on the parts of the page this scenario is about (the actions, the
// flash, the timeline): no serious or critical violations. At 390 px the
// rest of the request page is another scenario's.
async function checkPartsA11y(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run({ include: [['#actions'], ['#timeline'], ['#plan']] }, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help}`), [], `accessibility problems on ${label}`);
}

const request = {
  instance: 'acme-prod',
  instances: ['acme-prod', 'acme-stage', 'acme-qa'],
  project_manager: 'pm@platform.example',
  title: 'Store visits',
  summary: 'Visits per store for local campaigns.',
  items: [{
    kind: 'new_table',
    table: 'store_visits',
    description: 'One row per visit.',
    source: 'flat_file_csv',
    cadence: 'daily',
    campaign_dependency: 'optional',
    columns: [
      { name: 'visit_id', type: 'bigint', nullable: false, primary_key: true, description: 'Visit' },
      { name: 'store_id', type: 'integer', description: 'Store' },
    ],
  }],
};

// Submits the transition form to `to` (for `instance`) and waits for the
// next page; answers the confirm dialog when the button asks.
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

// The flash's message, without its dismiss button.
const flash = (page) => page.$eval('.flash', (el) => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('button').forEach((b) => b.remove());
  return copy.textContent.trim();
});

test('deploy buttons follow QA, staging, production; production first needs a reason; messages for their reader', async () => {
  const srv = await startWorld();
  const browser = await launch();
  try {
    srv.cli(['instance', 'add', 'acme', 'acme-stage', '--env', 'staging', '--dialect', 'postgres']);
    const token = srv.cli(['token', 'create', '--email', 'client@acme.example', '--label', 'e2e'])
      .trim().split(/\s+/)[0];
    const res = await fetch(`${srv.url}/api/v1/requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
    assert.equal(res.status, 201);
    const { id } = await res.json();
    const cr = `CR-${id}`;

    const pm = await newPage(browser);
    await signIn(pm, srv.url, 'pm@platform.example', PW);
    await pm.goto(`${srv.url}/requests/${id}`);
    await move(pm, 'triaged');
    assert.equal(await flash(pm), `${cr} is triaged. Next: schedule it in a sprint, or ask the client.`);
    await pm.fill('#note-needs_info', 'Which stores send the file?');
    await move(pm, 'needs_info');
    assert.equal(await flash(pm), `Question sent to Cleo Client. ${cr} waits for the answer.`);
    await screenshot(pm, 'deploy-message-question-1280');

    // The client answers, on a phone.
    const client = await newPage(browser, { width: 390, height: 844 });
    await signIn(client, srv.url, 'client@acme.example', PW);
    await client.goto(`${srv.url}/requests/${id}`);
    await client.fill('#note-answered', 'All of them, every night.');
    await move(client, 'answered');
    assert.equal(await flash(client), 'Thanks — your answer was sent to the project manager.');
    await screenshot(client, 'deploy-message-answer-390');

    await pm.goto(`${srv.url}/requests/${id}`);
    await move(pm, 'scheduled');
    assert.match(await flash(pm), new RegExp(`^${cr} is scheduled for Sprint \\d{4}-\\d\\d-\\d\\d \\(deploy [A-Z][a-z]{2} \\d{1,2} [A-Z][a-z]{2}\\)\\.$`));
    await move(pm, 'in_progress');
    assert.equal(await flash(pm), `${cr} is in progress: work has started.`);

    // The deploy buttons in environment order, whatever was ticked first.
    const order = await pm.$$eval('#actions form:has(input[name=to][value=deployed]) input[name=instance]',
      (els) => els.map((e) => e.value));
    assert.deepEqual(order, ['acme-qa', 'acme-stage', 'acme-prod']);
    const reason = pm.locator('form:has(input[name=instance][value="acme-prod"]) textarea[name=reason]');
    assert.equal(await reason.count(), 1);
    assert.equal(await reason.getAttribute('required'), '');
    assert.equal(await pm.locator('form:has(input[name=instance][value="acme-qa"]) textarea[name=reason]').count(), 0);
    await pm.locator('#actions').scrollIntoViewIfNeeded();
    await screenshot(pm, 'deploy-buttons-1280');
    await checkA11y(pm, '/requests/{id} (deploy buttons, 1280)');
    const phone = await newPage(browser, { width: 390, height: 844 });
    await signIn(phone, srv.url, 'pm@platform.example', PW);
    await phone.goto(`${srv.url}/requests/${id}`);
    await screenshot(phone, 'deploy-buttons-390');
    await checkPartsA11y(phone, '/requests/{id} (deploy buttons, 390)');

    // Production first: the browser keeps the form until a reason is given.
    const prodButton = 'form:has(input[name=instance][value="acme-prod"]) button[type=submit]';
    await pm.click(prodButton);
    assert.equal(await reason.evaluate((t) => t.validity.valueMissing), true);
    assert.equal(new URL(pm.url()).pathname, `/requests/${id}`);
    assert.equal(await flash(pm), `${cr} is in progress: work has started.`); // no new page
    await reason.fill('QA and staging are rebuilt this week; the campaign starts Monday.');
    await Promise.all([pm.waitForNavigation(), pm.click(prodButton)]);
    assert.equal(await flash(pm), `${cr} is deployed to acme-prod. QA and staging are still to do.`);
    assert.match(await pm.textContent('#timeline'), /Deployed ahead of acme-qa \(QA\) and acme-stage \(staging\)\. Reason: QA and staging are rebuilt this week/);
    await screenshot(pm, 'deploy-message-ahead-1280');

    // Then QA and staging, with the ordinary confirm.
    await move(pm, 'deployed', { instance: 'acme-qa', confirm: true });
    assert.equal(await flash(pm), `${cr} is deployed to acme-qa. Staging is still to do.`);
    await phone.goto(`${srv.url}/requests/${id}`);
    await move(phone, 'deployed', { instance: 'acme-stage', confirm: true });
    assert.equal(await flash(phone), `${cr} is deployed to every instance.`);
    await screenshot(phone, 'deploy-message-done-390');
    await checkPartsA11y(phone, '/requests/{id} (deployed, 390)');
  } finally {
    await browser.close();
    await srv.stop();
  }
});
