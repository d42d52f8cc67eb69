// test_ui.mjs: web/static/app.js in a real Chromium (tests/e2e/cdp.mjs).
// Part one serves a fixture page with docket's own CSP from a tiny node
// server (so every data-* hook can be exercised, with fake endpoints);
// part two runs the real `docket serve` (DOCKET_BIN) and uses the account
// page as a user would. Any console error (a CSP violation is one) fails.
// Run: DOCKET_BIN=build/x/docket node --test tests/e2e/test_ui.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './cdp.mjs';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const staticDir = path.join(top, 'web', 'static');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'";

const posts = [];

function frame(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/static/app.css">
<script type="module" src="/static/app.js"></script></head><body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/">docket</a>
<div class="who"><form class="search-mini" role="search" action="/search">
<input id="q-top" name="q" type="search" data-hotkey="/"></form></div></header>
<main id="main" tabindex="-1">${body}</main></body></html>`;
}

const fixture = frame('Fixture', `
<div class="flash" role="status">Saved <b>it</b>.</div>
<form class="lookup-box" action="/lookup" role="search">
 <label for="lk">Table</label>
 <input id="lk" name="q" type="search" role="combobox" aria-controls="lk-list"
  aria-expanded="false" data-suggest="/suggest">
 <ul id="lk-list" class="suggestions" role="listbox" aria-label="Suggestions"></ul>
</form>
<input id="other" name="other">
<form id="danger" method="post" action="/submit" data-confirm="Delete the table?">
 <input type="hidden" name="csrf" value="tok">
 <button class="button danger" name="op" value="delete" type="submit">Delete</button>
</form>
<form id="plain" method="post" action="/submit">
 <button class="button" name="op" value="keep" type="submit"
  data-confirm="Keep it?" data-confirm-label="Yes, keep">Keep</button>
</form>
<form id="slow" method="post" action="/slow">
 <button class="button primary" name="op" value="slow" type="submit"
  data-busy="Saving…">Save</button>
</form>
<form id="up" method="post" action="/upload" enctype="multipart/form-data">
 <input type="hidden" name="csrf" value="tok">
 <input id="file" type="file" name="sample">
 <button class="button" type="submit" name="go" value="1">Upload</button>
 <progress data-progress-for="up" hidden></progress>
</form>
<form id="filters" action="/filtered" class="toolbar">
 <select id="status" name="status" data-autosubmit>
  <option value="">All</option><option value="deployed">deployed</option>
 </select>
</form>
<p><code class="token" id="tok">dkt_secret_value</code></p>
<div class="error-summary"><h2>There is a problem</h2>
 <ul><li><a href="#other">Fill in other</a></li></ul></div>
`);

let fixtureServer;
let base;

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

before(async () => {
  fixtureServer = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const html = (status, body, extra = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': CSP, ...extra });
      res.end(body);
    };
    if (url.pathname.startsWith('/static/')) {
      const name = path.basename(url.pathname);
      const type = name.endsWith('.css') ? 'text/css; charset=utf-8'
        : name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'image/svg+xml';
      try {
        const data = readFileSync(path.join(staticDir, name));
        res.writeHead(200, { 'Content-Type': type });
        res.end(data);
      } catch {
        res.writeHead(404);
        res.end();
      }
      return;
    }
    if (req.method === 'POST') {
      const body = await readBody(req);
      posts.push({ path: url.pathname, body: body.toString('latin1'),
        type: req.headers['content-type'] || '', origin: req.headers.origin });
      if (url.pathname === '/slow') await new Promise((r) => setTimeout(r, 1500));
      if (url.pathname === '/upload') {
        html(303, '', { Location: '/done' });
        return;
      }
      html(200, frame('Posted', '<h1>Posted</h1>'));
      return;
    }
    if (url.pathname === '/fixture') return html(200, fixture);
    if (url.pathname === '/done') {
      return html(200, frame('Done', '<div class="flash" role="status">Uploaded.</div><h1>Done</h1>'));
    }
    if (url.pathname === '/suggest') {
      const q = url.searchParams.get('q') || '';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ items: ['customer_attributes', 'customer_events']
        .filter((n) => n.startsWith(q))
        .map((n) => ({ name: n, href: `/tables/${n}`, hint: 'acme' })) }));
      return;
    }
    html(200, frame(url.pathname, `<h1 id="where">${url.pathname}${url.search.replace(/[<>&"]/g, '')}</h1>`));
  });
  await new Promise((r) => fixtureServer.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${fixtureServer.address().port}`;
});

after(() => new Promise((r) => fixtureServer.close(r)));

// One chromium for the file; every test has a page in a browser context
// of its own (its own cookies and storage).
let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

async function withPage(fn) {
  const page = await browser.newPage();
  try {
    await fn(page);
    assert.deepEqual(page.consoleErrors, [], 'console errors (CSP?)');
  } finally {
    await page.close();
  }
}

async function until(page, expr, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await page.eval(expr)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('slash focuses the main search, not while typing', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  // the error summary took focus on load
  assert.equal(await page.eval('document.activeElement.className'), 'error-summary');
  await page.key('/');
  assert.equal(await page.eval('document.activeElement.id'), 'lk');
  assert.equal(await page.eval('document.getElementById("lk").value'), '');
  await page.eval('document.getElementById("other").focus()');
  await page.key('/');
  assert.equal(await page.eval('document.activeElement.id'), 'other');
  assert.equal(await page.eval('document.getElementById("other").value'), '/');
  // without a main search the header one is used
  await page.goto(`${base}/elsewhere`);
  await page.key('/');
  assert.equal(await page.eval('document.activeElement.id'), 'q-top');
}));

test('data-confirm asks in a dialog; Escape cancels, confirm submits', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  const before = posts.length;
  await page.eval('document.querySelector("#danger button").focus()');
  await page.key('Enter');
  await until(page, '!!document.querySelector("dialog.confirm[open]")');
  assert.equal(await page.eval('document.querySelector("dialog.confirm").getAttribute("role")'), 'alertdialog');
  assert.equal(await page.eval('document.getElementById("confirm-message").textContent'), 'Delete the table?');
  // a destructive action starts on Cancel; the action button is red
  assert.equal(await page.eval('document.activeElement.dataset.answer'), 'no');
  assert.equal(await page.eval('document.querySelector("[data-answer=yes]").className'), 'button danger');
  assert.equal(await page.eval('document.querySelector("[data-answer=yes]").textContent'), 'Delete');
  // Tab stays inside the dialog
  for (let i = 0; i < 5; i++) {
    await page.key('Tab');
    assert.ok(await page.eval('!!document.activeElement.closest("dialog.confirm")'), 'focus left the dialog');
  }
  await page.key('Escape');
  await until(page, '!document.querySelector("dialog.confirm[open]")');
  assert.equal(await page.eval('document.activeElement.textContent'), 'Delete', 'focus returns');
  assert.equal(posts.length, before, 'Escape must not submit');
  // the submit button's own data-confirm wins, with its label
  await page.eval('document.querySelector("#plain button").click()');
  await until(page, '!!document.querySelector("dialog.confirm[open]")');
  assert.equal(await page.eval('document.getElementById("confirm-message").textContent'), 'Keep it?');
  assert.equal(await page.eval('document.querySelector("[data-answer=yes]").textContent'), 'Yes, keep');
  assert.equal(await page.eval('document.activeElement.dataset.answer'), 'yes');
  await page.waitLoad(() => page.eval('document.querySelector("[data-answer=yes]").click(), 1'));
  assert.equal(posts.length, before + 1);
  assert.equal(posts.at(-1).body, 'op=keep', 'the submitter name=value is kept');
}));

test('data-busy blocks a double submission', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  const before = posts.length;
  let state;
  // observed from inside the page: Chrome may drop the old document soon
  // after a POST navigation starts
  await page.waitLoad(async () => {
    state = await page.eval(`(() => {
      const form = document.getElementById('slow');
      const b = form.querySelector('button');
      b.click();
      return new Promise((resolve) => setTimeout(() => {
        const s = [b.disabled, b.getAttribute('aria-busy'), b.textContent,
          form.getAttribute('aria-busy')];
        form.requestSubmit(); // a second submission is ignored
        b.click();
        resolve(s);
      }, 5));
    })()`);
  });
  assert.deepEqual(state, [true, 'true', 'Saving…', 'true']);
  assert.equal(await page.eval('document.title'), 'Posted');
  assert.equal(posts.length, before + 1);
  assert.equal(posts.at(-1).body, 'op=slow', 'the submitter name=value is kept');
}));

test('flash messages can be dismissed', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  assert.equal(await page.eval('document.querySelector(".flash .flash-text").innerHTML'), 'Saved <b>it</b>.');
  assert.equal(await page.eval('document.querySelector(".flash .dismiss").getAttribute("aria-label")'), 'Dismiss message');
  await page.eval('document.querySelector(".flash .dismiss").focus()');
  await page.key('Enter');
  assert.equal(await page.eval('document.querySelectorAll(".flash").length'), 0);
  assert.equal(await page.eval('document.activeElement.id'), 'main');
}));

test('uploads report progress and follow the redirect', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  const before = posts.length;
  await page.eval(`(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(3 * 1024 * 1024).fill(65)], 'sample.csv', { type: 'text/csv' }));
    document.getElementById('file').files = dt.files;
    document.querySelector('#up button').click();
    return 1;
  })()`);
  await until(page, 'location.pathname === "/done"', 10000);
  assert.equal(await page.eval('document.querySelector("h1").textContent'), 'Done');
  assert.equal(await page.eval('document.title'), 'Done');
  assert.equal(await page.eval('!!document.querySelector(".flash .dismiss")'), true, 'enhanced again');
  assert.equal(posts.length, before + 1);
  const p = posts.at(-1);
  assert.match(p.type, /^multipart\/form-data/);
  assert.equal(p.origin, base, 'browsers send Origin, the CSRF check needs it');
  assert.match(p.body, /name="csrf"\r\n\r\ntok\r\n/);
  assert.match(p.body, /name="go"\r\n\r\n1\r\n/);
  assert.match(p.body, /filename="sample.csv"/);
  assert.ok(p.body.length > 3 * 1024 * 1024);
}));

test('progress bar fills while uploading', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  // watch the bar from inside the page
  await page.eval(`(() => {
    window.seen = [];
    const bar = document.querySelector('progress[data-progress-for=up]');
    new MutationObserver(() => window.seen.push([bar.hidden, bar.getAttribute('value')]))
      .observe(bar, { attributes: true });
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(8 * 1024 * 1024)], 'big.bin'));
    document.getElementById('file').files = dt.files;
    document.querySelector('#up button').click();
    return 1;
  })()`);
  await until(page, 'window.seen && window.seen.some(([h]) => h === false)');
  assert.equal(await page.eval('document.querySelector("#up button").getAttribute("aria-busy")'), 'true');
  await until(page, 'location.pathname === "/done"', 10000);
}));

test('suggestions: fetch, arrow keys, Enter opens', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  await page.eval('document.getElementById("lk").focus()');
  await page.type('cust');
  await until(page, 'document.querySelectorAll("#lk-list [role=option]").length === 2');
  assert.equal(await page.eval('document.getElementById("lk").getAttribute("aria-expanded")'), 'true');
  await page.key('ArrowDown');
  await page.key('ArrowDown');
  assert.equal(await page.eval('document.querySelector("[role=option][aria-selected=true]").dataset.value'), 'customer_events');
  assert.equal(await page.eval('document.getElementById("lk").getAttribute("aria-activedescendant")'), 'lk-list-opt-1');
  await page.key('ArrowDown'); // wraps
  assert.equal(await page.eval('document.querySelector("[role=option][aria-selected=true]").dataset.value'), 'customer_attributes');
  await page.key('Escape');
  assert.equal(await page.eval('document.getElementById("lk").getAttribute("aria-expanded")'), 'false');
  await page.key('ArrowUp'); // from nothing: the last one
  await page.waitLoad(() => page.key('Enter'));
  assert.equal(await page.eval('location.pathname'), '/tables/customer_events');
}));

test('autosubmit, copy button, error summary links', () => withPage(async (page) => {
  await page.goto(`${base}/fixture`);
  assert.equal(await page.eval('document.querySelector("code.token + button.copy").textContent'), 'Copy');
  await page.eval('document.querySelector(".error-summary a").click(), 1');
  assert.equal(await page.eval('document.activeElement.id'), 'other');
  await page.waitLoad(() => page.eval(`(() => {
    const s = document.getElementById('status');
    s.value = 'deployed';
    s.dispatchEvent(new Event('change', { bubbles: true }));
    return 1;
  })()`));
  assert.equal(await page.eval('document.getElementById("where").textContent'), '/filtered?status=deployed');
}));

test('the stylesheet follows prefers-color-scheme', () => withPage(async (page) => {
  await page.colorScheme('light');
  await page.goto(`${base}/fixture`);
  const light = await page.eval('getComputedStyle(document.body).backgroundColor');
  await page.colorScheme('dark');
  const dark = await page.eval('getComputedStyle(document.body).backgroundColor');
  assert.notEqual(light, dark);
  assert.equal(dark, 'rgb(14, 17, 23)');
  // the rules banner stays a strong red band with white text in both
  for (const scheme of ['light', 'dark']) {
    await page.colorScheme(scheme);
    await page.eval(`(() => { document.getElementById('main').insertAdjacentHTML('afterbegin',
      '<section class="card rules-card"><div class="dependency required" id="dep">REQUIRED</div></section>'); return 1; })()`);
    const [fg, size, weight] = await page.eval(`(() => { const s = getComputedStyle(document.getElementById('dep'));
      return [s.color, parseFloat(s.fontSize), s.fontWeight]; })()`);
    assert.equal(fg, 'rgb(255, 255, 255)');
    assert.ok(size >= 28, `banner font ${size}px`);
    assert.ok(Number(weight) >= 700);
    await page.eval('document.querySelector(".rules-card").remove(), 1');
  }
}));

test('readable at 390 px: no sideways scrolling of the page', () => withPage(async (page) => {
  await page.viewport(390, 844, true);
  await page.goto(`${base}/fixture`);
  assert.ok(await page.eval('document.documentElement.scrollWidth <= 390'),
    `page is ${await page.eval('document.documentElement.scrollWidth')} px wide`);
}));

/* ---------- the real server ---------- */

const bin = process.env.DOCKET_BIN;

test('real server: account page, hotkey, token copy, confirm, flash', { skip: !bin && 'DOCKET_BIN not set' }, async () => {
  const dir = mkdtempSync(path.join(process.env.TEST_TMP || tmpdir(), 'docket-e2e-'));
  const db = path.join(dir, 'd.db');
  const port = await new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const add = spawnSync(bin, ['--db', db, 'user', 'add', '--email', 'ops@x.example',
    '--name', 'Otto <Ops>', '--role', 'ops', '--password-stdin'],
  { input: 'correct horse battery\n', encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr + add.stdout);
  const server = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  try {
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(`${origin}/healthz`);
        if (r.ok) break;
      } catch { /* not up yet */ }
      if (i > 100) throw new Error(`server did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The sign-in form first: its pre-session cookie and the token bound to it.
    const form = await fetch(`${origin}/signin`);
    const pre = form.headers.get('set-cookie').split(';')[0];
    const csrf = (await form.text()).match(/name="csrf" value="([0-9a-f]{64})"/)[1];
    const r = await fetch(`${origin}/signin`, {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin, Cookie: pre },
      body: `email=ops%40x.example&password=correct+horse+battery&next=%2F&csrf=${csrf}`,
    });
    assert.equal(r.status, 303);
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const eq = cookie.indexOf('=');
    await withPage(async (page) => {
      await page.setCookie(cookie.slice(0, eq), cookie.slice(eq + 1), origin);
      await page.goto(`${origin}/account`);
      assert.equal(await page.eval('document.querySelector(".me").firstChild.textContent'), 'Otto <Ops> ');
      assert.equal(await page.eval('getComputedStyle(document.querySelector("header.top")).display'), 'grid');
      await page.key('/');
      assert.equal(await page.eval('document.activeElement.id'), 'q-top');
      // create a token: shown once, with a Copy button
      await page.waitLoad(() => page.eval(`(() => { document.getElementById('label').value = 'ci';
        document.querySelector('form[action="/account/tokens"] button').click(); return 1; })()`));
      assert.ok(await page.eval('!!document.querySelector("code.token + button.copy")'));
      // revoking asks first
      await page.eval('document.querySelector("form[data-confirm] button").click(), 1');
      await until(page, '!!document.querySelector("dialog.confirm[open]")');
      assert.match(await page.eval('document.getElementById("confirm-message").textContent'), /^Revoke this token\?/);
      await page.waitLoad(() => page.eval('document.querySelector("[data-answer=yes]").click(), 1'));
      assert.equal(await page.eval('document.querySelector(".flash .flash-text").textContent'), 'The token was revoked.');
      assert.ok(await page.eval('!!document.querySelector(".flash .dismiss")'));
      assert.equal(await page.eval('document.querySelector("tbody .badge.muted").textContent'), 'revoked');
    });
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
