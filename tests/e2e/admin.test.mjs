// The administration forms in Chromium as a new admin meets them: a form
// filled in wrongly comes back with the error summary, the error next to
// its field and every value typed still there (passwords excepted); every
// `pattern` attribute is a valid expression under the `v` flag Chromium
// compiles it with (no "Pattern attribute value ... is not a valid
// regular expression" in the console, on any page with a form); the
// notice to choose a new password is a warning, not a success; and the
// queue's last status tab is inside the viewport at 1,366 px and 390 px.
// Screenshots go to build/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, screenshot, checkA11y, signIn, PW } from './lib.mjs';

// Console messages of page about pattern attributes, and page errors.
function watchConsole(page) {
  const bad = [];
  page.on('console', (m) => {
    if (/pattern/i.test(m.text()) || m.type() === 'error') bad.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => bad.push(`${page.url()}: ${e.message}`));
  return bad;
}

// Every pattern attribute of the page that does not compile as the HTML
// standard compiles it: ^(?:pattern)$ with the v flag.
async function badPatterns(page) {
  return page.evaluate(() => [...document.querySelectorAll('[pattern]')].flatMap((el) => {
    try {
      // eslint-disable-next-line no-new
      new RegExp(`^(?:${el.getAttribute('pattern')})$`, 'v');
      return [];
    } catch (e) {
      return [`${el.id || el.name}: ${el.getAttribute('pattern')}: ${e.message}`];
    }
  }));
}

// One server (the world of lib.mjs) and one browser for the file; each
// test opens its own contexts, and what one test saves (a new user, a
// temporary password of its own user) no other test reads.
let srv;
let browser;

before(async () => {
  srv = await startWorld();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function submit(page, form) {
  await Promise.all([page.waitForNavigation(), page.click(`form[action="${form}"] button[type=submit]`)]);
}

// The error summary is there, has focus, and links to the field in error.
async function assertProblemAt(page, id, text) {
  const summary = page.locator('#error-summary');
  assert.equal(await summary.count(), 1, 'an error summary');
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'error-summary');
  assert.equal(await summary.locator(`a[href="#${id}"]`).count(), 1, `the summary links to #${id}`);
  const line = page.locator(`[id="err-${id}"]`);
  assert.match(await line.textContent(), text);
  assert.equal(await page.getAttribute(`[id="${id}"]`, 'aria-invalid'), 'true');
  // The error line is just below its field.
  const field = await page.locator(`[id="${id}"]`).boundingBox();
  const err = await line.boundingBox();
  assert.ok(err.y >= field.y + field.height - 1 && err.y - (field.y + field.height) < 60,
    `the error of ${id} is next to it`);
}

test('a wrongly filled admin form keeps every value typed, with the error next to its field', async () => {
  for (const width of [1366, 390]) {
    const page = await newPage(browser, { width });
    const bad = watchConsole(page);
    await signIn(page, srv.url, 'admin@platform.example', PW);

    // New user with an e-mail that is taken.
    await page.goto(`${srv.url}/admin/users`);
    await page.fill('#email', 'pm@platform.example');
    await page.fill('#name', 'Zoë <b>"Z"</b> & co');
    await page.selectOption('#role', 'ops');
    await page.fill('#password', 'Secret pass 12345');
    await submit(page, '/admin/users');
    await assertProblemAt(page, 'email', /already exists/);
    assert.equal(await page.inputValue('#email'), 'pm@platform.example');
    assert.equal(await page.inputValue('#name'), 'Zoë <b>"Z"</b> & co');
    assert.equal(await page.inputValue('#role'), 'ops');
    assert.equal(await page.inputValue('#password'), '');
    await checkA11y(page, `/admin/users with a problem at ${width}`);
    await screenshot(page, `admin-user-problem-${width}`);
    // Corrected, it is saved.
    await page.fill('#email', 'zoe@platform.example');
    await page.fill('#password', 'Secret pass 12345');
    if (width === 1366) {
      await submit(page, '/admin/users');
      assert.match(await page.textContent('main table'), /zoe@platform\.example/);
    }

    // A client without an organisation, on the edit page of a user.
    await page.goto(`${srv.url}/admin/users`);
    await Promise.all([page.waitForNavigation(),
      page.locator('a', { hasText: 'ops@platform.example' }).first().click()]);
    await page.fill('#name', 'Oz <the> Ops');
    await page.selectOption('#role', 'client');
    await page.selectOption('#org', '');
    await page.selectOption('#active', '0');
    await submit(page, await page.getAttribute('form.grid-form', 'action'));
    await assertProblemAt(page, 'org', /organisation/);
    assert.equal(await page.inputValue('#name'), 'Oz <the> Ops');
    assert.equal(await page.inputValue('#role'), 'client');
    assert.equal(await page.inputValue('#active'), '0');
    await screenshot(page, `admin-user-edit-problem-${width}`);

    // An organisation whose name the pattern refuses stays in the
    // browser (the pattern works); a name taken comes back from the
    // server with the value kept.
    await page.goto(`${srv.url}/admin/orgs`);
    await page.fill('#org-name', 'bad name');
    await page.click('form[action="/admin/orgs"] button[type=submit]');
    assert.match(page.url(), /\/admin\/orgs$/);
    assert.equal(await page.evaluate(() => document.getElementById('org-name').validity.patternMismatch), true);
    await page.fill('#org-name', 'a-b_c.d');
    assert.equal(await page.evaluate(() => document.getElementById('org-name').validity.valid), true);
    await page.fill('#org-name', 'acme');
    await submit(page, '/admin/orgs');
    await assertProblemAt(page, 'org-name', /already exists/);
    assert.equal(await page.inputValue('#org-name'), 'acme');

    // An instance whose name is taken: every choice stays.
    await page.selectOption('#i-org', 'globex');
    await page.fill('#i-name', 'acme-prod');
    await page.selectOption('#i-env', 'staging');
    await page.selectOption('#i-dialect', 'mysql');
    await submit(page, '/admin/instances');
    await assertProblemAt(page, 'i-name', /already exists/);
    assert.equal(await page.inputValue('#i-org'), 'globex');
    assert.equal(await page.inputValue('#i-name'), 'acme-prod');
    assert.equal(await page.inputValue('#i-env'), 'staging');
    assert.equal(await page.inputValue('#i-dialect'), 'mysql');
    assert.equal(await page.locator('[id="err-org-name"]').count(), 0);
    await checkA11y(page, `/admin/orgs with a problem at ${width}`);
    await screenshot(page, `admin-instance-problem-${width}`);
    // No organisation chosen: the browser asks for one.
    await page.selectOption('#i-org', '');
    assert.equal(await page.evaluate(() => document.getElementById('i-org').validity.valueMissing), true);

    await page.context().close();
    assert.deepEqual(bad.filter((m) => /pattern/i.test(m)), [], 'pattern warnings in the console');
  }
});

test('no page with a form has a pattern Chromium refuses', async () => {
  const page = await newPage(browser);
  const bad = watchConsole(page);
  for (const path of ['/signin', '/reset']) {
    await page.goto(`${srv.url}${path}`);
    assert.deepEqual(await badPatterns(page), [], path);
  }
  for (const [who, paths] of [
    ['admin@platform.example', ['/admin/users', '/admin/orgs', '/admin/deliveries', '/admin/audit', '/account']],
    ['client@acme.example', ['/requests/new', '/requests', '/tables', '/account']],
    ['pm@platform.example', ['/requests', '/sprints', '/tables']]]) {
    await page.context().clearCookies();
    await signIn(page, srv.url, who, PW);
    for (const path of paths) {
      await page.goto(`${srv.url}${path}`);
      // Chromium compiles a pattern when the input is checked.
      await page.evaluate(() => document.querySelectorAll('[pattern]').forEach((el) => el.checkValidity()));
      assert.deepEqual(await badPatterns(page), [], path);
    }
  }
  assert.deepEqual(bad.filter((m) => /pattern/i.test(m)), [], 'pattern warnings in the console');
});

test('the notice to choose a new password is a warning, not a success', async () => {
  srv.cli(['user', 'add', '--email', 'temp@acme.example', '--name', 'Tess Temp', '--role', 'client',
    '--org', 'acme', '--password-stdin'], 'temporary pass 9\n');
  // Set by an administrator: to be changed at the first sign-in.
  const admin = await newPage(browser);
  await signIn(admin, srv.url, 'admin@platform.example', PW);
  await admin.goto(`${srv.url}/admin/users`);
  await Promise.all([admin.waitForNavigation(),
    admin.locator('a', { hasText: 'temp@acme.example' }).first().click()]);
  await admin.fill('#password', 'temporary pass 10');
  await submit(admin, await admin.getAttribute('form.grid-form', 'action'));
  for (const dark of [false, true]) {
    const page = await newPage(browser, { width: 1366, dark });
    await signIn(page, srv.url, 'temp@acme.example', 'temporary pass 10');
    assert.match(page.url(), /\/account#password$/);
    const notices = page.locator('.flash, .alert', { hasText: 'Choose a new password' });
    assert.equal(await notices.count(), 1);
    assert.deepEqual(await notices.first().evaluate((el) => [...el.classList]), ['alert', 'warning']);
    await checkA11y(page, `/account (temporary password${dark ? ', dark' : ''})`);
    await screenshot(page, `admin-temporary-password${dark ? '-dark' : ''}`);
    // Any other page leads back to the form, with the same warning.
    await page.goto(`${srv.url}/requests`);
    assert.match(page.url(), /\/account#password$/);
    assert.equal(await page.locator('.flash, .alert.success', { hasText: 'Choose a new password' }).count(), 0);
    assert.equal(await page.locator('.alert.warning', { hasText: 'Choose a new password' }).count(), 1);
    await page.context().close();
  }
});

test('every status tab of the queue is visible at 1,366 px and at 390 px', async () => {
  for (const [width, dark] of [[1366, false], [390, false], [1366, true]]) {
    const page = await newPage(browser, { width, dark });
    await signIn(page, srv.url, 'pm@platform.example', PW);
    await page.goto(`${srv.url}/requests`);
    const tabs = page.locator('nav.tabs[aria-label="Status"] a');
    const n = await tabs.count();
    assert.ok(n >= 8, `${n} status tabs`);
    const nav = await page.locator('nav.tabs[aria-label="Status"]').evaluate((el) => ({
      scroll: el.scrollWidth, client: el.clientWidth,
    }));
    assert.ok(nav.scroll <= nav.client, `the tabs do not scroll out of sight (${nav.scroll} > ${nav.client})`);
    for (let i = 0; i < n; i++) {
      const box = await tabs.nth(i).boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= width,
        `tab ${i + 1} of ${n} is inside the ${width} px viewport (${box.x}..${box.x + box.width})`);
    }
    assert.ok(await tabs.last().isVisible());
    await checkA11y(page, `/requests at ${width}${dark ? ' dark' : ''}`);
    await screenshot(page, `admin-queue-tabs-${width}${dark ? '-dark' : ''}`);
    await page.context().close();
  }
});
