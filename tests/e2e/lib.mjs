// lib.mjs: shared pieces of the browser tests. Starts the real `docket
// serve` on a free loopback port with a temporary database, runs CLI
// commands against it, launches Debian's Chromium through playwright-core
// (no browser download), takes screenshots into build/e2e/, and checks
// pages with axe-core (no serious or critical violations).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
export async function startServer(extra = '') {
  const dir = mkdtempSync(join(process.env.TEST_TMP || tmpdir(), 'e2e-'));
  const config = join(dir, 'docket.ini');
  writeFileSync(config, `[server]\ndb = ${join(dir, 'docket.db')}\nlisten = 127.0.0.1:0\n${extra}`);
  const child = spawn(docketBin(), ['--config', config, 'serve'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let log = '';
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
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => child.on('exit', ok));
      if (!process.env.KEEP_TEST_TMP) rmSync(dir, { recursive: true, force: true });
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

export async function screenshot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

// Runs axe-core on the page; fails on serious or critical violations.
export async function checkA11y(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`), [],
    `accessibility problems on ${label}`);
}

export async function signIn(page, url, email, password) {
  await page.goto(`${url}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
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
