// lib.mjs: shared pieces of the browser tests. Starts the real `docket
// serve` on a free loopback port with a temporary database, runs CLI
// commands against it, launches Debian's Chromium through playwright-core
// (no browser download), takes screenshots into build/e2e/ when asked to
// (E2E_SCREENSHOTS=1), and checks pages with axe-core (no serious or
// critical violations).
import { spawn, execFileSync } from 'node:child_process';
import {
  copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const here = dirname(fileURLToPath(import.meta.url));
export const top = resolve(here, '..', '..');
export const shots = process.env.E2E_OUT || join(top, 'build', 'e2e');
export const PW = 'correct horse battery';

export function docketBin() {
  const bin = process.env.DOCKET_BIN;
  if (!bin) throw new Error('DOCKET_BIN is not set (run through ctest)');
  return bin;
}

// Starts a server; resolves to {url, dir, config, adminPassword, stop()}.
// With db, the server starts on a copy of that database file.
export async function startServer(extra = '', { db } = {}) {
  const dir = mkdtempSync(join(process.env.TEST_TMP || tmpdir(), 'e2e-'));
  const config = join(dir, 'docket.ini');
  if (db) copyFileSync(db, join(dir, 'docket.db'));
  writeFileSync(config, `[server]\ndb = ${join(dir, 'docket.db')}\nlisten = 127.0.0.1:0\n${extra}`);
  const child = spawn(docketBin(), ['--config', config, 'serve'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let log = '';
  // How the server ended, once it has: a server that ends before stop()
  // is a failure with its log, never a wait for an exit already past.
  let ended = null;
  child.on('exit', (code, signal) => { ended = signal ? `by ${signal}` : `with status ${code}`; });
  child.stderr.on('data', (d) => { log += d; });
  const ready = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${log}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/[0-9.:]+)\//);
      if (m) {
        clearTimeout(timer);
        const pw = out.match(/one-time password (\S+)/);
        ok({ url: m[1], adminPassword: pw ? pw[1] : null });
      }
    });
    child.on('exit', (code) => fail(new Error(`server exited ${code}:\n${log}`)));
  });
  const cli = (args, input) => execFileSync(docketBin(), ['--config', config, ...args], {
    input: input ?? '', encoding: 'utf8',
  });
  return {
    ...ready, dir, config, cli,
    log: () => log,
    async stop({ keep = false } = {}) {
      if (ended) throw new Error(`the server had ended ${ended} before it was stopped:\n${log}`);
      const exit = new Promise((ok) => child.on('exit', ok));
      child.kill('SIGTERM');
      await exit;
      if (!keep && !process.env.KEEP_TEST_TMP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A new page at a given width and colour scheme.
export async function newPage(browser, { width = 1280, height = 900, dark = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    colorScheme: dark ? 'dark' : 'light',
  });
  return context.newPage();
}

// Turns a page to another width and colour scheme in place (as a new
// context with them would open it; navigate afterwards to load a page
// at that width).
export async function view(page, { width = 1280, height = 900, dark = false } = {}) {
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
}

// Screenshots are for a person reviewing the pages, never checked by a
// test, and a full-page one costs Chromium a tenth of a second or more:
// taken only when E2E_SCREENSHOTS=1 (e.g. `E2E_SCREENSHOTS=1 ctest -L
// e2e`), not in every `make test`.
const screenshots = process.env.E2E_SCREENSHOTS === '1';

export async function screenshot(page, name) {
  if (!screenshots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

// The serious and critical violations axe-core finds on the page. Only
// the rules that can report one run: every rule axe enables has an
// impact, and axe gives each of its findings that impact, so the other
// rules (28 of 96 in axe 4.14) could only find moderate or minor ones.
// colour: only the rules about colour (for a second colour scheme).
// axe-core is evaluated into a document once (or comes with the page's
// init scripts); each run over a whole page costs a third of a full one.
export async function axeSerious(page, { colour = false } = {}) {
  // eslint-disable-next-line no-undef
  if (!(await page.evaluate(() => typeof axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(async (onlyColour) => {
    /* eslint-disable no-undef */
    const values = onlyColour ? ['color-contrast', 'link-in-text-block'] : axe._audit.rules
      .filter((r) => r.enabled !== false && (r.impact === 'serious' || r.impact === 'critical'))
      .map((r) => r.id);
    return axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'rule', values } });
    /* eslint-enable no-undef */
  }, colour);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// Runs axe-core on the page; fails on serious or critical violations.
export async function checkA11y(page, label) {
  const bad = await axeSerious(page);
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`), [],
    `accessibility problems on ${label}`);
}

// Signs in through the form in the page, as a person does.
export async function signInForm(page, url, email, password) {
  await page.goto(`${url}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

// Signs the page's browser context in without the form (which
// signInForm and the accounts tests check): the same POST /signin the
// form sends, with its token and this site's Origin, from node; the
// session cookie goes into the context and the page opens where the
// answer led (/, or /account#password for a temporary password). A
// wrong password fails here. Checking a password costs the server an
// argon2id hash (seconds on a busy machine), so a session is signed in
// once per server, user and password and used again by later contexts
// while the server still accepts it (a sign-out or a password change
// ends it, and the next call signs in afresh).
const sessions = new Map();

async function sessionFor(url, email, password) {
  const key = JSON.stringify([url, email, password]);
  const had = sessions.get(key);
  if (had) {
    const check = await fetch(`${url}/account`, {
      redirect: 'manual', headers: { Cookie: had.cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    await check.arrayBuffer();
    if (check.status === 200) return had;
    sessions.delete(key);
  }
  const form = await fetch(`${url}/signin`);
  const pre = form.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = (await form.text()).match(/name="csrf" value="([0-9a-f]{64})"/);
  assert.ok(csrf, 'the sign-in form has its token');
  const res = await fetch(`${url}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded', Origin: url, Cookie: pre.join('; '),
    },
    body: new URLSearchParams({ csrf: csrf[1], email, password }).toString(),
  });
  await res.arrayBuffer();
  assert.equal(res.status, 303, `sign-in of ${email} answered ${res.status}`);
  const cookies = res.headers.getSetCookie().map((c) => {
    const [pair, ...attrs] = c.split(';').map((x) => x.trim());
    const eq = pair.indexOf('=');
    return {
      name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: new URL(url).hostname, path: '/',
      httpOnly: attrs.some((a) => /^httponly$/i.test(a)),
      secure: attrs.some((a) => /^secure$/i.test(a)),
      sameSite: 'Lax',
    };
  }).filter((c) => c.value);
  assert.ok(cookies.length, `sign-in of ${email} set no cookie`);
  const session = { cookies, location: new URL(res.headers.get('location'), url).href };
  sessions.set(key, session);
  return session;
}

export async function signIn(page, url, email, password) {
  const { cookies, location } = await sessionFor(url, email, password);
  await page.context().addCookies(cookies);
  await page.goto(location);
}

export async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.click('header form[action="/signout"] button')]);
}

export function setupWorld(srv) {
  srv.cli(['org', 'add', 'acme']);
  srv.cli(['org', 'add', 'globex']);
  srv.cli(['instance', 'add', 'acme', 'acme-qa', '--env', 'qa', '--dialect', 'postgres']);
  srv.cli(['instance', 'add', 'acme', 'acme-prod', '--env', 'production', '--dialect', 'postgres']);
  srv.cli(['instance', 'add', 'globex', 'globex-prod', '--env', 'production', '--dialect', 'snowflake']);
  const users = [
    ['client@acme.example', 'Cleo Client', 'client', 'acme'],
    ['client@globex.example', 'Gus Globex', 'client', 'globex'],
    ['pm@platform.example', 'Pat PM', 'pm', null],
    ['ops@platform.example', 'Oz Ops', 'ops', null],
    ['admin@platform.example', 'Ada Admin', 'admin', null],
  ];
  for (const [email, name, role, org] of users) {
    const args = ['user', 'add', '--email', email, '--name', name, '--role', role, '--password-stdin'];
    if (org) args.push('--org', org);
    srv.cli(args, `${PW}\n`);
  }
}

// A server on a copy of the world of setupWorld, with the dictionary
// imported into the instances named in imports. The database is made
// once (per docket binary, world, dictionary and day) and kept in
// TEST_TMP, since its dozen CLI calls take seconds each under the
// sanitizers on a busy machine; every server still gets its own copy.
export async function startWorld(extra = '', { imports = [] } = {}) {
  return startServer(extra, { db: await worldDb(imports) });
}

async function worldDb(imports) {
  const bin = docketBin();
  const st = statSync(bin);
  const key = createHash('sha256').update(JSON.stringify([
    bin, st.size, st.mtimeMs, setupWorld.toString(), dictionary, imports,
    new Date().toISOString().slice(0, 10),
  ])).digest('hex').slice(0, 16);
  const file = join(process.env.TEST_TMP || tmpdir(), `e2e-world-${key}.db`);
  if (existsSync(file)) return file;
  // A world with imports starts from a copy of the one without (its ten
  // CLI calls, five of them password hashes, made once for all of them).
  const srv = await startServer('', imports.length ? { db: await worldDb([]) } : {});
  if (!imports.length) setupWorld(srv);
  for (const instance of imports) importDictionary(srv, instance, dictionary);
  await srv.stop({ keep: true });
  // Written aside and renamed: a test file running at the same time
  // sees the whole file or none.
  const part = `${file}.${process.pid}`;
  copyFileSync(join(srv.dir, 'docket.db'), part);
  renameSync(part, file);
  if (!process.env.KEEP_TEST_TMP) rmSync(srv.dir, { recursive: true, force: true });
  return file;
}

// The element whose id is exactly id (ids like "items[0].table" need no
// CSS escaping this way).
export function byId(page, id) {
  return page.locator(`[id="${id}"]`);
}

// Loads a data dictionary into an instance's registry with `docket import`.
export function importDictionary(srv, instance, csv) {
  const file = join(srv.dir, `import-${instance}.csv`);
  writeFileSync(file, csv);
  return srv.cli(['import', '--instance', instance, file]);
}

export const dictionary = [
  'table,column,type,nullable,primary_key,description,pii,consent,consent_channel,campaign_dependency,campaign_note,expected_arrival,late_after_minutes,source,cadence,file_pattern,owner,escalation,table_description,runbook',
  'customers,customer_id,bigint,false,true,Customer number,false,false,,required,All campaigns select from customers.,05:00,120,flat_file_csv,daily,customers_YYYYMMDD.csv,crm-data@acme.example,CRM on-call +44 20 7946 0001,One row per customer.,Check the SFTP folder first.',
  'customers,email,string(255),true,false,E-mail address,true,false,,,,,,,,,,,,',
  'loyalty_members,member_id,bigint,false,true,Member number,false,false,,required,Tier campaigns must wait for this file.,05:30,90,flat_file_csv,daily,loyalty_YYYYMMDD.csv,loyalty@acme.example,Loyalty on-call,One row per loyalty member.,"If late, hold tier campaigns and page loyalty on-call."',
  'loyalty_members,tier,string(20),true,false,"gold, silver or bronze",false,false,,,,,,,,,,,,',
  'web_sessions,session_id,string(64),false,true,Session id,false,false,,optional,Campaigns may run without it.,06:00,60,json,daily,sessions_YYYYMMDD.json,web@acme.example,Web on-call,One row per web session.,',
].join('\n') + '\n';

// A request through the JSON API with a bearer token; resolves to the JSON.
export async function apiRequest(srv, token, method, path, body) {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}
