// Sign-in, first-run password change, user administration and sign-out in
// a real browser, with screenshots and accessibility checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, screenshot, checkA11y, signIn, signOut, PW } from './lib.mjs';

test('an admin signs in, changes the one-time password, creates a user, signs out', async () => {
  const srv = await startServer();
  const browser = await launch();
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
    await signIn(page, srv.url, 'admin@docket.local', srv.adminPassword);
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
    await signIn(page, srv.url, 'cleo@acme.example', 'temporary pass 1');
    assert.match(page.url(), /\/account#password$/);
    assert.doesNotMatch(await page.textContent('header'), /Admin/);
    const res = await page.goto(`${srv.url}/admin/users`);
    assert.equal(res.status(), 403);
  } finally {
    await browser.close();
    await srv.stop();
  }
});
