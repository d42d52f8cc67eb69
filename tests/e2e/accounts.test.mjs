// Sign-in, first-run password change, user administration and sign-out in
// a real browser, with screenshots and accessibility checks; a sign-in
// posted from another site is refused, and a temporary password opens
// nothing but the password form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startServer, startWorld, launch, newPage, screenshot, checkA11y, signIn, signInForm, signOut, PW,
} from './lib.mjs';

// One browser for the file; each test has a server of its own (the first
// one on a new database, for its one-time password) and its own contexts.
let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

test('an admin signs in, changes the one-time password, creates a user, signs out', async () => {
  const srv = await startServer();
  try {
    const page = await newPage(browser);
    await page.goto(`${srv.url}/signin`);
    await checkA11y(page, '/signin');
    await screenshot(page, 'accounts-signin');

    // A wrong password is refused with a message and nothing else.
    await page.fill('#email', 'admin@docket.local');
    await page.fill('#password', 'not the password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.match(await page.textContent('.alert.error'), /Wrong e-mail or password/);

    // The first-run password works and must be changed.
    await signInForm(page, srv.url, 'admin@docket.local', srv.adminPassword);
    assert.match(page.url(), /\/account#password$/);
    await page.fill('#current', srv.adminPassword);
    await page.fill('#new', PW);
    await page.fill('#confirm', PW);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/account/password"] button')]);
    assert.match(await page.textContent('.flash'), /password was changed/);
    await checkA11y(page, '/account');
    await screenshot(page, 'accounts-account');

    // Organisation and instance, then a client user.
    await page.goto(`${srv.url}/admin/orgs`);
    await page.fill('#org-name', 'acme');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/orgs"] button')]);
    await page.selectOption('#i-org', 'acme');
    await page.fill('#i-name', 'acme-prod');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/instances"] button')]);
    assert.match(await page.textContent('main'), /acme-prod/);
    await checkA11y(page, '/admin/orgs');
    await page.goto(`${srv.url}/admin/users`);
    await page.fill('#email', 'cleo@acme.example');
    await page.fill('#name', 'Cleo Client');
    await page.selectOption('#role', 'client');
    await page.selectOption('#org', 'acme');
    await page.fill('#password', 'temporary pass 1');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/users"] button')]);
    assert.match(await page.textContent('main table'), /cleo@acme\.example/);
    await checkA11y(page, '/admin/users');
    await screenshot(page, 'accounts-admin-users');
    await page.goto(`${srv.url}/admin/audit`);
    assert.match(await page.textContent('main table'), /user\.create/);
    await signOut(page);
    assert.match(page.url(), /\/signin$/);

    // The new client signs in and must choose a new password too.
    await signInForm(page, srv.url, 'cleo@acme.example', 'temporary pass 1');
    assert.match(page.url(), /\/account#password$/);
    assert.doesNotMatch(await page.textContent('header'), /Admin/);
    const res = await page.goto(`${srv.url}/admin/users`);
    assert.equal(res.status(), 403);
  } finally {
    await srv.stop();
  }
});

test('another site cannot sign the browser in; a temporary password opens only the password form', async () => {
  const srv = await startWorld();
  // A page on another origin that auto-submits the attacker's credentials.
  const evil = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><form method="post" action="${srv.url}/signin">
      <input name="email" value="mallory@acme.example">
      <input name="password" value="${PW}"></form>
      <script>document.forms[0].submit()</script>`);
  });
  await new Promise((ok) => evil.listen(0, '127.0.0.1', ok));
  try {
    srv.cli(['user', 'add', '--email', 'mallory@acme.example', '--name', 'Mallory', '--role', 'client',
      '--org', 'acme', '--password-stdin'], `${PW}\n`);
    const page = await newPage(browser);
    const refused = page.waitForResponse((r) => r.url() === `${srv.url}/signin` && r.request().method() === 'POST');
    await page.goto(`http://127.0.0.1:${evil.address().port}/`);
    assert.equal((await refused).status(), 403);
    await page.goto(`${srv.url}/account`);
    assert.match(page.url(), /\/signin\?next=/);

    // A temporary password (set by an admin): everything leads to the form.
    const admin = await newPage(browser);
    await signIn(admin, srv.url, 'admin@platform.example', PW);
    const users = await admin.goto(`${srv.url}/admin/users`);
    assert.equal(users.status(), 200);
    const edit = admin.locator('a', { hasText: 'client@acme.example' });
    await Promise.all([admin.waitForNavigation(), edit.first().click()]);
    await admin.fill('#password', 'temporary pass 2');
    await Promise.all([admin.waitForNavigation(), admin.click('form[action^="/admin/users/"] button[type=submit]')]);
    await signIn(page, srv.url, 'client@acme.example', 'temporary pass 2');
    assert.match(page.url(), /\/account#password$/);
    for (const path of ['/', '/requests', '/tables', '/requests/new']) {
      await page.goto(`${srv.url}${path}`);
      assert.match(page.url(), /\/account#password$/, path);
    }
    assert.match(await page.textContent('#password'), /Choose a new password to go on/);
    await checkA11y(page, '/account (temporary password)');
    await screenshot(page, 'accounts-temporary-password');
    await page.fill('#current', 'temporary pass 2');
    await page.fill('#new', 'a brand new password');
    await page.fill('#confirm', 'a brand new password');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/account/password"] button')]);
    assert.match(await page.textContent('.flash'), /other sessions were signed out/);
    const res = await page.goto(`${srv.url}/requests`);
    assert.equal(res.status(), 200);
    assert.match(page.url(), /\/requests$/);
  } finally {
    evil.close();
    await srv.stop();
  }
});
