// Every page a person can reach, checked by axe-core: for each role
// (signed out, client, PM, ops, admin) on a server with realistic data (a
// dictionary import, requests in different states, one with comments, a
// sprint, inbox items, a delivery row), the test follows every same-origin
// link from the home page (GET only; no sign-out, downloads, attachments,
// /static, feeds or exports), at most two request pages and two rules
// cards, one page of any other path pattern, and at most 60 pages per
// role. Each page is loaded once and checked at 1280 px in the light
// scheme for every role, and in the dark scheme and at 390 px in the light
// one once per page pattern over all roles (the viewport and
// the scheme change in place, no reload, under reduced motion so no
// colour is caught half-way through a transition; the light checks run
// every rule that can report a serious or critical problem, the dark one
// the rules about colour). Two roles are crawled at a time. The test
// fails on any serious or critical violation, naming the role, page,
// width, scheme, rule and element; on a page that answers 4xx/5xx; and on
// a script error. Violations that are known and owned elsewhere are
// listed in `known` below, by name, with the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  startWorld, launch, newPage, signIn, apiRequest, axeSerious, PW,
} from './lib.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const PER_ROLE = 60;
// The combinations after the first already checked, by "index pattern".
const drawn = new Set();
// Pages of one path pattern: two request pages and two rules cards (their
// content differs most), one of any other pattern, one of a path with a
// query (one sort of /tables, one status tab of /requests).
const perPattern = (key) => (/^\/(requests\/\{n\}|tables\/\{i\}\/\{t\})$/.test(key) ? 2 : 1);
// In the dark scheme only the rules about colour run: the rest look at
// the markup and the layout, which the scheme does not change. The dark
// scheme is checked at 1280 px only, to keep the test within a few
// minutes on a busy machine: the phone layout changes where things are,
// not their colours, and every colour pair of the dark theme appears at
// 1280 px.
const combos = [
  { width: 1280, height: 900, scheme: 'light', rules: 'all' },
  { width: 1280, height: 900, scheme: 'dark', rules: 'colour' },
  { width: 390, height: 844, scheme: 'light', rules: 'all' },
];

// Known violations, each with where it is and the fix it waits for:
// { path: RegExp, rule: 'axe rule id', target: RegExp, why: '...' }.
// An entry that no longer matches anything is reported (diagnostic), so
// the list only shrinks.
const known = [];

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

const newTable = (table, instances) => ({
  instance: instances.at(-1),
  instances,
  project_manager: 'pm@platform.example',
  title: `New table ${table}`,
  summary: 'Visits per store for **local** campaigns.\n\n- one row per visit\n- daily file',
  items: [{
    kind: 'new_table',
    table,
    description: 'One row per visit.\nLoaded every night.',
    source: 'flat_file_csv',
    cadence: 'daily',
    expected_arrival: '05:30',
    late_after_minutes: 90,
    campaign_dependency: 'optional',
    campaign_note: 'Campaigns may run without it.',
    owner: 'stores@acme.example',
    columns: [
      { name: 'visit_id', type: 'bigint', nullable: false, primary_key: true, description: 'Visit' },
      { name: 'store_id', type: 'integer', description: 'Store' },
      { name: 'visited_at', type: 'timestamp with time zone', description: 'When the visit began' },
    ],
  }],
});

const addColumns = {
  instance: 'acme-prod',
  instances: ['acme-prod'],
  project_manager: 'pm@platform.example',
  title: 'Loyalty <tiers> & points',
  summary: 'Tiers for the loyalty programme.',
  items: [{
    kind: 'add_columns',
    table: 'customers',
    columns: [{ name: 'loyalty_tier', type: 'string(20)', description: 'gold, silver or bronze' }],
  }],
};

const token = (srv, email) => srv.cli(['token', 'create', '--email', email, '--label', 'a11y'])
  .trim().split(/\s+/)[0];

async function call(srv, tok, method, path, body, want = 200) {
  const r = await apiRequest(srv, tok, method, path, body);
  assert.equal(r.status, want, `${method} ${path}: ${JSON.stringify(r.json)}`);
  return r.json;
}

// The data (on the world of lib.mjs with the dictionary imported on both
// acme instances): a request deployed to QA
// (with comments, in a sprint, watched by ops), one waiting on the client,
// one just submitted, one rejected; a delivery that fails (pending).
async function world(srv) {
  const client = token(srv, 'client@acme.example');
  const pm = token(srv, 'pm@platform.example');
  const ops = token(srv, 'ops@platform.example');
  const tr = (id, body) => call(srv, pm, 'POST', `/api/v1/requests/${id}/transitions`, body);

  const deployed = (await call(srv, client, 'POST', '/api/v1/requests',
    newTable('store_visits', ['acme-qa', 'acme-prod']), 201)).id;
  await call(srv, ops, 'PUT', `/api/v1/watches/request/${deployed}`, {});
  const sprints = await call(srv, pm, 'GET', '/api/v1/sprints');
  const sprint = sprints.sprints.at(-1).id;
  await tr(deployed, { to: 'triaged' });
  await call(srv, pm, 'POST', `/api/v1/requests/${deployed}/comments`,
    { body: 'Does the file have a **header** row?' }, 201);
  await call(srv, client, 'POST', `/api/v1/requests/${deployed}/comments`,
    { body: 'Yes: `visit_id,store_id,visited_at`.' }, 201);
  await tr(deployed, { to: 'scheduled', sprint, priority: 2, estimate: '2d' });
  await tr(deployed, { to: 'in_progress' });
  await tr(deployed, { to: 'deployed', instance: 'acme-qa' });

  const waiting = (await call(srv, client, 'POST', '/api/v1/requests', addColumns, 201)).id;
  await tr(waiting, { to: 'triaged' });
  await tr(waiting, { to: 'needs_info', note: 'Which tiers exist besides gold?' });

  await call(srv, client, 'POST', '/api/v1/requests', newTable('web_orders', ['acme-prod']), 201);
  const rejected = (await call(srv, client, 'POST', '/api/v1/requests',
    newTable('old_orders', ['acme-prod']), 201)).id;
  await tr(rejected, { to: 'rejected', note: 'The orders feed is retired.' });
}

// What the crawl follows: same origin, GET pages only.
function followable(href, origin) {
  let u;
  try { u = new URL(href); } catch { return null; }
  if (u.origin !== origin) return null;
  const p = u.pathname;
  if (/^\/(static|api)\//.test(p) || p === '/signout' || p.startsWith('/account/signout')) return null;
  if (/\/attachments\/|\/download$|\.(atom|zip|csv|json|sql|txt)$/.test(p)) return null;
  if (u.searchParams.has('format')) return null;
  u.hash = '';
  return u.href;
}

// Pages of one shape count once: numbers, instance, table and column
// names become placeholders; a page with a query (a filter, a sort) is
// one more pattern of its path, whatever the query.
function pattern(href) {
  const u = new URL(href);
  let p = u.pathname.replace(/\/\d+(?=\/|$)/g, '/{n}')
    .replace(/^\/tables\/[^/]+\/[^/]+/, '/tables/{i}/{t}')
    .replace(/\/columns\/[^/]+$/, '/columns/{c}')
    .replace(/^\/reset\/[^/]+$/, '/reset/{token}');
  return u.search ? `${p}?…` : p;
}

// Waits until the colours of a new scheme or width are painted: the
// buttons' background transitions (instant under reduced motion, but
// they start from the old colour until the next frame) have ended.
async function settle(page) {
  await page.evaluate(() => new Promise((done) => {
    const finite = document.getAnimations()
      .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity);
    const timer = setTimeout(done, 2000);
    Promise.all(finite.map((a) => a.finished.catch(() => {})))
      .then(() => requestAnimationFrame(() => requestAnimationFrame(() => { clearTimeout(timer); done(); })));
  }));
}

// Turns page to combination c (width and scheme, reduced motion) unless
// it is there already.
const turned = new WeakMap();
async function turn(page, c) {
  if (turned.get(page) === c) return;
  await page.setViewportSize({ width: c.width, height: c.height });
  await page.emulateMedia({ colorScheme: c.scheme, reducedMotion: 'reduce' });
  turned.set(page, c);
}

// axe-core on the whole page (lib.mjs), with the rules that can find a
// serious or critical problem ('all') or those about colour ('colour').
const axe = (page, rules) => axeSerious(page, { colour: rules === 'colour' });

// Crawls from / as the signed-in page's user; returns {pages, found, problems}.
// Pages no link leads to but a person reaches all the same: the answers
// of the GET forms (search, lookup without JavaScript, a search that
// finds nothing) and the page of a table that does not exist; opened as
// the client and as ops (the pages are alike for every role).
const extras = [
  { path: '/search?q=loyal' },
  { path: '/search?q=qqqqqq' },
  { path: '/lookup?q=loyalty_memb' },
  { path: '/tables/acme-prod/no_such_table', status: 404 },
];

// Crawls from / as the signed-in page's user, then opens the extras;
// returns {pages, found, problems}.
async function crawl(page, srv, role) {
  const origin = new URL(srv.url).origin;
  const queue = [`${origin}/`];
  const seen = new Set(queue);
  const taken = new Map();
  const found = [];
  const problems = [];
  let pages = 0;
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const todo = role === 'client' || role === 'ops' ? extras.map((e) => ({ ...e })) : [];
  while ((queue.length && pages < PER_ROLE) || todo.length) {
    let href;
    let want = null;
    if (queue.length && pages < PER_ROLE) {
      href = queue.shift();
      const key = pattern(href);
      if ((taken.get(key) || 0) >= perPattern(key)) continue;
      taken.set(key, (taken.get(key) || 0) + 1);
    } else {
      const e = todo.shift();
      href = `${origin}${e.path}`;
      want = e.status ?? null;
    }
    // Loaded at the first combination (the page is turned back to it
    // only when the last one left it elsewhere).
    await turn(page, combos[0]);
    errors.length = 0;
    const res = await page.goto(href);
    const path = href.slice(origin.length);
    const status = res ? res.status() : 0;
    if (want ? status !== want : status === 0 || status >= 400) {
      problems.push(`${role} ${path}: status ${status || 'none'}${want ? `, not ${want}` : ''}`);
      continue;
    }
    if (!/text\/html/.test(res.headers()['content-type'] || '')) continue;
    pages++;
    // The links to follow; then what a person can open is checked open:
    // every <details> (the rules card's edit form, the fields of a
    // change in the history). One call into the page for both.
    const links = await page.evaluate(() => {
      const hrefs = [...document.querySelectorAll('a[href]:not([download])')].map((a) => a.href);
      document.querySelectorAll('details').forEach((d) => { d.open = true; });
      return hrefs;
    });
    for (const l of links) {
      const next = followable(l, origin);
      if (next && !seen.has(next)) { seen.add(next); queue.push(next); }
    }
    // Every role's page at the first combination; the other combinations
    // (the dark scheme, the phone) once per page pattern over all roles:
    // a role changes what a page holds, the scheme and the width how it
    // is drawn, and the suite stays within its time on a shared machine.
    const key = pattern(href);
    for (const [i, c] of combos.entries()) {
      if (i > 0 && drawn.has(`${i} ${key}`)) continue;
      drawn.add(`${i} ${key}`);
      await turn(page, c);
      await settle(page);
      for (const v of await axe(page, c.rules)) {
        for (const n of v.nodes) {
          found.push({ role, path, width: c.width, scheme: c.scheme, rule: v.id,
            impact: v.impact, target: n.target.join(' '), summary: n.failureSummary });
        }
      }
    }
    for (const e of errors) problems.push(`${role} ${path}: script error ${e}`);
  }
  return { pages, found, problems };
}

test('axe finds no serious or critical problem on any page, for any role, at 1280 px light and dark and 390 px', async (t) => {
  const srv = await startWorld(config, { imports: ['acme-prod', 'acme-qa'] });
  const browser = await launch();
  const started = Date.now();
  try {
    await world(srv);
    const found = [];
    const problems = [];
    const counts = {};
    const emails = {
      client: 'client@acme.example', pm: 'pm@platform.example',
      ops: 'ops@platform.example', admin: 'admin@platform.example',
    };
    // Two roles at a time, each in its own browser context.
    const roles = ['admin', 'pm', 'ops', 'client', 'signed out'];
    const results = {};
    const worker = async () => {
      for (let role = roles.shift(); role; role = roles.shift()) {
        const page = await newPage(browser);
        // axe-core is in every page of the context from its first script
        // on (the browser compiles it as it loads the page); evaluated
        // into each page from node, it cost a fifth of the crawl's time.
        await page.context().addInitScript(axeSource);
        if (emails[role]) await signIn(page, srv.url, emails[role], PW);
        results[role] = await crawl(page, srv, role);
        await page.context().close();
      }
    };
    await Promise.all([worker(), worker()]);
    for (const [role, r] of Object.entries(results)) {
      counts[role] = r.pages;
      found.push(...r.found);
      problems.push(...r.problems);
    }
    t.diagnostic(`pages checked per role: ${JSON.stringify(counts)} in ${Math.round((Date.now() - started) / 1000)} s`);
    assert.ok(counts.client >= 8 && counts.pm >= 10 && counts.admin >= 10,
      `the crawl reached too few pages: ${JSON.stringify(counts)}`);

    // One line per element and rule, with the combinations it fails in.
    const isKnown = (f) => known.find((k) => k.rule === f.rule && k.path.test(f.path) && k.target.test(f.target));
    const used = new Set();
    const lines = new Map();
    for (const f of found) {
      const k = isKnown(f);
      if (k) { used.add(k); continue; }
      const id = `${f.role} ${f.path} ${f.rule} (${f.impact}) ${f.target}`;
      if (!lines.has(id)) lines.set(id, { combos: [], summary: f.summary });
      lines.get(id).combos.push(`${f.width}-${f.scheme}`);
    }
    for (const k of known) {
      if (!used.has(k)) t.diagnostic(`known violation no longer seen, remove it: ${k.rule} ${k.path} ${k.target}`);
      else t.diagnostic(`known violation (${k.why}): ${k.rule} ${k.path} ${k.target}`);
    }
    const report = [...lines].map(([id, v]) =>
      `${id} at ${v.combos.join(', ')}\n    ${(v.summary || '').replace(/\n/g, '\n    ')}`);
    assert.deepEqual([...problems, ...report], [], 'pages with problems');
  } finally {
    await browser.close();
    await srv.stop();
  }
});
