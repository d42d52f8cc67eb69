// Layout in a real browser, at 1280 and 390 px.
// - The column editor of the request form: for every kind of change,
//   every control at least 8 characters wide, values such as
//   "timestamp with time zone" shown whole, every remove button and
//   control inside the viewport (not hidden in a sideways scroll box),
//   no horizontal scroll of the page.
// - Identifiers that are links (tables, columns) are monospace, and their
//   underline sits below the underscore: a column of pixels through a
//   "_" shows two marks (the underscore and the underline), not one.
// - No identifier or type is broken inside a word (a line may end only at
//   a space or after "_"), and no page scrolls sideways at 390 px.
// - /tables is one page scroll (no inner scroll box hides rows), its
//   sortable header cells carry aria-sort on the <th>, and axe-core finds
//   no serious or critical problem at either width in either scheme.
// - Multi-line descriptions keep their line breaks on the pages.
// Screenshots in build/e2e/layout-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startWorld, launch, newPage, view, screenshot, checkA11y, signIn, importDictionary, apiRequest,
  byId, PW,
} from './lib.mjs';

const KINDS = ['new_table', 'add_columns', 'customer_attributes', 'activity_history', 'purchase_history'];
const WIDTHS = [1280, 390];

// Thirteen tables in acme-qa, some with long names.
const TABLES = ['customers', 'customer_lifetime_value_segments', 'loyalty_members',
  'loyalty_member_tier_history', 'web_sessions', 'store_visits', 'email_sends',
  'email_opens_and_clicks', 'purchase_order_lines', 'product_catalogue',
  'consent_preferences_by_channel', 'sms_delivery_receipts', 'push_notification_tokens'];

function dictionaryCsv() {
  const head = 'table,column,type,nullable,primary_key,description,pii,consent,consent_channel,campaign_dependency,campaign_note,expected_arrival,late_after_minutes,source,cadence,file_pattern,owner,escalation,table_description,runbook';
  const lines = [head];
  TABLES.forEach((t, i) => {
    const dep = i % 2 ? 'optional' : 'required';
    lines.push(`${t},${t.split('_')[0]}_identifier_number,bigint,false,true,Key of the row,false,false,,${dep},Note.,05:${String(i).padStart(2, '0')},90,flat_file_csv,daily,${t}_YYYYMMDD.csv,data@acme.example,On-call,One row per ${t}.,`);
    lines.push(`${t},last_changed_timestamp_utc,timestamp with time zone,true,false,When it changed,false,false,,,,,,,,,,,,`);
    lines.push(`${t},marketing_email_address,string(254),true,false,E-mail,true,false,,,,,,,,,,,,`);
  });
  return lines.join('\n') + '\n';
}

const request = {
  instance: 'acme-qa',
  instances: ['acme-qa'],
  project_manager: 'pm@platform.example',
  title: 'Store visits and loyalty attributes',
  summary: 'Visits per store.',
  items: [{
    kind: 'new_table',
    table: 'store_visit_events_by_customer',
    description: 'One row per visit.\nLate visits arrive the next day.',
    source: 'flat_file_csv',
    cadence: 'daily',
    expected_arrival: '05:30',
    late_after_minutes: 90,
    campaign_dependency: 'optional',
    campaign_note: 'Campaigns may run without it.',
    owner: 'stores@acme.example',
    columns: [
      { name: 'visit_identifier_number', type: 'bigint', nullable: false, primary_key: true, description: 'Visit number.\nUnique per store.' },
      { name: 'visited_at_local_timestamp', type: 'timestamp with time zone', description: 'When' },
      { name: 'basket_value', type: 'decimal(12,2)', description: 'Value', example: '12.50' },
    ],
  }, {
    kind: 'activity_history',
    table: 'email_opens_and_clicks',
    columns: [
      { name: 'action', type: 'string(20)', action: 'add', description: 'Open or click', rule: 'One of open, click.\nLower case.' },
    ],
  }],
};

let srv;
let browser;
let requestId;
let sprintId;

const token = (email) => srv.cli(['token', 'create', '--email', email, '--label', 'e2e'])
  .trim().split(/\s+/)[0];

before(async () => {
  srv = await startWorld();
  importDictionary(srv, 'acme-qa', dictionaryCsv());
  const client = token('client@acme.example');
  const pm = token('pm@platform.example');
  const created = await apiRequest(srv, client, 'POST', '/api/v1/requests', request);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  requestId = created.json.id;
  const sprints = await apiRequest(srv, pm, 'GET', '/api/v1/sprints');
  sprintId = sprints.json.sprints.at(-1).id;
  for (const body of [{ to: 'triaged' }, { to: 'scheduled', sprint: sprintId }, { to: 'in_progress' },
    { to: 'deployed', instance: 'acme-qa' }]) {
    const r = await apiRequest(srv, pm, 'POST', `/api/v1/requests/${requestId}/transitions`, body);
    assert.equal(r.status, 200, `${body.to}: ${JSON.stringify(r.json)}`);
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// ---- measurements in the page ---------------------------------------------

// Visible text controls narrower than 8 "0"s of their own font, values
// that do not fit their box, and controls or remove buttons outside the
// viewport or clipped by a scroll box around them.
function measureForm() {
  const ctx = document.createElement('canvas').getContext('2d');
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const narrow = [];
  const cut = [];
  const outside = [];
  const form = document.getElementById('request-form');
  for (const el of form.querySelectorAll('input, select, textarea, button')) {
    if (['hidden', 'checkbox', 'radio'].includes(el.type) || !visible(el)) continue;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const name = el.name || el.className || el.textContent;
    if (el.tagName !== 'BUTTON' && el.type !== 'file') {
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const eight = ctx.measureText('00000000').width;
      const inner = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (inner < eight) narrow.push(`${name}: ${Math.round(inner)} px < ${Math.round(eight)} px`);
      if (el.tagName === 'INPUT' && el.scrollWidth > el.clientWidth + 1) {
        cut.push(`${name}: "${el.value}" needs ${el.scrollWidth} px of ${el.clientWidth}`);
      }
    }
    if (r.left < -1 || r.right > innerWidth + 1) {
      outside.push(`${name}: ${Math.round(r.left)}..${Math.round(r.right)} of ${innerWidth}`);
      continue;
    }
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ov = getComputedStyle(a).overflowX;
      if (ov === 'visible') continue;
      const ar = a.getBoundingClientRect();
      if (r.left < ar.left - 1 || r.right > ar.right + 1) {
        outside.push(`${name}: clipped by ${a.tagName}.${a.className}`);
        break;
      }
    }
  }
  return {
    narrow, cut, outside,
    overflow: document.scrollingElement.scrollWidth - innerWidth,
    removes: form.querySelectorAll('button.remove-row').length,
  };
}

// Identifiers and types broken inside a word: a line may end only at a
// space or after "_" or "." (where <wbr> allows it).
function brokenWords() {
  const bad = [];
  const range = document.createRange();
  const els = document.querySelectorAll('main code, main a[href^="/tables/"], main .ident');
  for (const el of els) {
    if (el.closest('pre') || el.classList.contains('token')) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let prevBottom = null;
    let prev = ' ';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.data.length; i++) {
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        const rects = range.getClientRects();
        const ch = n.data[i];
        if (!rects.length) { // a collapsed space
          prev = ch;
          continue;
        }
        // a new line starts below the whole previous character
        const r = rects[rects.length - 1];
        if (prevBottom !== null && rects[0].top >= prevBottom - 1 && !/[\s_.]/.test(prev) && !/\s/.test(ch)) {
          bad.push(`"${el.textContent.trim()}" broken before "${n.data.slice(i, i + 6)}"`);
          break;
        }
        prevBottom = r.bottom;
        prev = ch;
      }
    }
  }
  return [...new Set(bad)];
}

function sideways() {
  return document.scrollingElement.scrollWidth - innerWidth;
}

async function fillRealisticRow(page, kind) {
  await byId(page, 'items[0].kind').selectOption(kind);
  await byId(page, 'items[0].columns[0].name').fill('loyalty_email_opt_in');
  await byId(page, 'items[0].columns[0].type').fill('timestamp with time zone');
  await byId(page, 'items[0].columns[0].example').fill('2026-01-02 05:00:00+01');
  await byId(page, 'items[0].columns[0].description').fill('When the member opted in.\nEmpty when never.');
  await byId(page, 'items[0].columns[0].consent').check();
}

// ---- item 1: the column editor -------------------------------------------

test('the column editor fits every kind at 1280 and 390 px', async () => {
  const problems = [];
  for (const width of WIDTHS) {
    const page = await newPage(browser, { width });
    await signIn(page, srv.url, 'client@acme.example', PW);
    await page.goto(`${srv.url}/requests/new`);
    for (const kind of KINDS) {
      await fillRealisticRow(page, kind);
      const m = await page.evaluate(measureForm);
      const where = `${kind} at ${width} px`;
      if (m.overflow > 0) problems.push(`${where}: the page scrolls sideways by ${m.overflow} px`);
      for (const n of m.narrow) problems.push(`${where}: narrower than 8 characters: ${n}`);
      for (const c of m.cut) problems.push(`${where}: value cut: ${c}`);
      for (const o of m.outside) problems.push(`${where}: outside the viewport: ${o}`);
      if (m.removes < 3) problems.push(`${where}: ${m.removes} remove buttons`);
      await screenshot(page, `layout-form-${kind}-${width}`);
    }
    await page.close();
  }
  // One kind in dark mode, and the accessibility of the editor.
  const dark = await newPage(browser, { width: 390, dark: true });
  await signIn(dark, srv.url, 'client@acme.example', PW);
  await dark.goto(`${srv.url}/requests/new`);
  await fillRealisticRow(dark, 'customer_attributes');
  await screenshot(dark, 'layout-form-customer_attributes-390-dark');
  await checkA11y(dark, '/requests/new at 390 px, dark');
  await dark.close();
  assert.deepEqual(problems, []);
});

// ---- item 9: identifier links --------------------------------------------

// The pages with identifier links, as the PM sees them.
const linkPages = () => [
  '/tables',
  '/tables/acme-qa/store_visit_events_by_customer',
  '/search?q=customer',
  `/requests/${requestId}`,
  `/sprints/${sprintId}`,
  '/changes',
  '/inbox',
];

// Counts the separate marks in the pixel column through the middle of
// the first "_" of link a (rendered at twice the size).
async function marksUnderUnderscore(page, link) {
  await link.scrollIntoViewIfNeeded();
  const box = await link.evaluate((a) => {
    const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.data.indexOf('_');
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i);
      r.setEnd(n, i + 1);
      const b = r.getBoundingClientRect();
      const fs = parseFloat(getComputedStyle(a).fontSize);
      return { x: b.left + b.width / 2, y: b.top, h: b.height + fs * 0.6 };
    }
    return null;
  });
  assert.ok(box, 'the link has an underscore');
  const png = await page.screenshot({ clip: { x: box.x - 1, y: box.y, width: 2, height: box.h } });
  return page.evaluate(async (bytes) => {
    const bmp = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const g = c.getContext('2d');
    g.drawImage(bmp, 0, 0);
    const data = g.getImageData(0, 0, bmp.width, bmp.height).data;
    const col = Math.floor(bmp.width / 2);
    const lum = [];
    for (let y = 0; y < bmp.height; y++) {
      const k = (y * bmp.width + col) * 4;
      lum.push(0.3 * data[k] + 0.59 * data[k + 1] + 0.11 * data[k + 2]);
    }
    const bg = lum[0];
    let runs = 0;
    let inRun = false;
    for (const l of lum) {
      const ink = Math.abs(l - bg) > 60;
      if (ink && !inRun) runs++;
      inRun = ink;
    }
    return runs;
  }, [...png]);
}

test('identifier links are monospace with the underline below the underscore', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await signIn(page, srv.url, 'pm@platform.example', PW);
  const problems = [];
  for (const path of linkPages()) {
    await page.goto(`${srv.url}${path}`);
    const styles = await page.evaluate(() => [...document.querySelectorAll('main a[href^="/tables/"]')]
      .filter((a) => a.getClientRects().length && /\w/.test(a.textContent))
      .map((a) => {
        const cs = getComputedStyle(a);
        return {
          text: a.textContent.trim(),
          // the link's own font, or that of the <code> it wraps
          mono: /mono/i.test(cs.fontFamily)
            || [...a.querySelectorAll('code')].some((c) => /mono/i.test(getComputedStyle(c).fontFamily)),
          underline: cs.textDecorationLine.includes('underline'),
          under: cs.textUnderlinePosition.includes('under'),
          offset: parseFloat(cs.textUnderlineOffset) || 0,
          fontSize: parseFloat(cs.fontSize),
        };
      }));
    // The request page names its tables in <code> without links.
    const none = ['/inbox', `/requests/${requestId}`];
    if (!styles.length && !none.includes(path)) problems.push(`${path}: no identifier link`);
    for (const s of styles) {
      if (!s.mono) problems.push(`${path}: "${s.text}" is not monospace`);
      if (!s.underline) problems.push(`${path}: "${s.text}" is not underlined`);
      if (!s.under && s.offset < 0.3 * s.fontSize) problems.push(`${path}: "${s.text}" has its underline at the underscore (offset ${s.offset} px)`);
    }
  }
  // The pixels: the underscore and the underline are two marks.
  await page.goto(`${srv.url}/tables`);
  const link = page.locator('main a[href="/tables/acme-qa/store_visit_events_by_customer"]').first();
  const runs = await marksUnderUnderscore(page, link);
  if (runs < 2) problems.push(`/tables: the underline covers the "_" (${runs} mark)`);
  await page.goto(`${srv.url}/tables/acme-qa/store_visit_events_by_customer`);
  const col = page.locator('main a[href$="/columns/visit_identifier_number"]').first();
  const runs2 = await marksUnderUnderscore(page, col);
  if (runs2 < 2) problems.push(`rules card: the underline covers the "_" (${runs2} mark)`);
  await context.close();
  assert.deepEqual(problems, []);
});

// ---- item 10: phone width -------------------------------------------------

test('no page scrolls sideways at 390 px and no identifier breaks inside a word', async () => {
  const problems = [];
  const pages = [
    ['pm@platform.example', ['/requests/new', `/requests/${requestId}`, '/tables',
      '/tables/acme-qa/store_visit_events_by_customer',
      '/tables/acme-qa/customer_lifetime_value_segments',
      '/tables/acme-qa/customer_lifetime_value_segments/columns/last_changed_timestamp_utc',
      '/search?q=customer', '/changes', '/sprints', `/sprints/${sprintId}`, '/inbox', '/requests',
      `/requests/${requestId}/migrations`, '/lookup?q=customer', '/', '/account']],
    ['admin@platform.example', ['/admin/users', '/admin/orgs', '/admin/audit', '/admin/deliveries']],
    ['client@acme.example', ['/requests/new', `/requests/${requestId}`, '/']],
  ];
  for (const [email, paths] of pages) {
    const page = await newPage(browser, { width: 390 });
    await signIn(page, srv.url, email, PW);
    for (const path of paths) {
      const res = await page.goto(`${srv.url}${path}`);
      assert.equal(res.status(), 200, path);
      const over = await page.evaluate(sideways);
      if (over > 0) problems.push(`${path}: scrolls sideways by ${over} px`);
      for (const b of await page.evaluate(brokenWords)) problems.push(`${path}: ${b}`);
      const name = path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home';
      await screenshot(page, `layout-390-${name}`);
    }
    await page.close();
  }
  assert.deepEqual(problems, []);
});

test('the request page at 390 px: the columns table is reachable by keyboard', async () => {
  const page = await newPage(browser, { width: 390 });
  await signIn(page, srv.url, 'pm@platform.example', PW);
  for (const dark of [false, true]) {
    await view(page, { width: 390, dark });
    await page.goto(`${srv.url}/requests/${requestId}`);
    await checkA11y(page, `/requests/${requestId} at 390 px${dark ? ', dark' : ''}`);
  }
  await page.context().close();
});

// ---- multi-line descriptions ----------------------------------------------

test('multi-line descriptions keep their line breaks on the pages', async () => {
  const page = await newPage(browser, { width: 1280 });
  await signIn(page, srv.url, 'pm@platform.example', PW);
  // The rendered text (innerText) of the smallest element showing the
  // text's first line: it holds the line break when the page keeps it.
  const shown = async (text) => page.evaluate((t) => {
    const first = t.split('\n')[0];
    const els = [...document.querySelectorAll('main *')]
      .filter((e) => e.getClientRects().length && e.innerText && e.innerText.includes(first));
    if (els.some((e) => e.innerText.includes(t))) return t;
    return els.length ? els.at(-1).innerText : null;
  }, text);
  const checks = [
    [`/requests/${requestId}`, 'One row per visit.\nLate visits arrive the next day.'],
    [`/requests/${requestId}`, 'Visit number.\nUnique per store.'],
    [`/requests/${requestId}`, 'One of open, click.\nLower case.'],
    ['/tables/acme-qa/store_visit_events_by_customer', 'One row per visit.\nLate visits arrive the next day.'],
    ['/tables/acme-qa/store_visit_events_by_customer', 'Visit number.\nUnique per store.'],
    ['/tables/acme-qa/store_visit_events_by_customer/columns/visit_identifier_number', 'Visit number.\nUnique per store.'],
    ['/tables?instance=acme-qa', 'One row per visit.\nLate visits arrive the next day.'],
  ];
  const problems = [];
  for (const [path, text] of checks) {
    await page.goto(`${srv.url}${path}`);
    const got = await shown(text);
    if (!got || !got.includes(text)) problems.push(`${path}: "${text.replace('\n', '\\n')}" shown as ${JSON.stringify(got)}`);
  }
  await screenshot(page, 'layout-request-multiline');
  await page.close();
  assert.deepEqual(problems, []);
});

// ---- item 11: /tables -----------------------------------------------------

test('/tables is one page scroll with aria-sort on the header cells', async () => {
  // One page, turned to each width and scheme before it loads /tables.
  const page = await newPage(browser);
  await signIn(page, srv.url, 'pm@platform.example', PW);
  for (const width of WIDTHS) {
    for (const dark of [false, true]) {
      await view(page, { width, dark });
      await page.goto(`${srv.url}/tables?instance=acme-qa`);
      const info = await page.evaluate(() => {
        const wrap = document.querySelector('main table').parentElement;
        const rows = [...document.querySelectorAll('main table tbody tr')];
        const wr = wrap.getBoundingClientRect();
        return {
          rows: rows.length,
          innerScroll: wrap.scrollHeight - wrap.clientHeight,
          hidden: rows.filter((r) => r.getBoundingClientRect().bottom > wr.bottom + 1).length,
          linkSort: document.querySelectorAll('a[aria-sort]').length,
          thSort: [...document.querySelectorAll('th[aria-sort]')].map((th) => [th.textContent.trim(), th.getAttribute('aria-sort')]),
          sortLinks: document.querySelectorAll('thead th > a[href*="sort="]').length,
        };
      });
      const where = `${width} px${dark ? ', dark' : ''}`;
      assert.equal(info.rows, TABLES.length + 1, where);
      assert.ok(info.innerScroll <= 0, `${where}: the table scrolls inside a box by ${info.innerScroll} px`);
      assert.equal(info.hidden, 0, `${where}: rows hidden below the box`);
      assert.equal(info.linkSort, 0, `${where}: aria-sort on a link`);
      assert.deepEqual(info.thSort, [['Table', 'ascending']], where);
      assert.ok(info.sortLinks >= 4, `${where}: the sort links are inside the header cells`);
      await checkA11y(page, `/tables at ${where}`);
      await screenshot(page, `layout-tables-${width}${dark ? '-dark' : ''}`);
      // Sorted the other way: the header cell says so.
      await page.click('thead th a:text("Table")');
      assert.equal(await page.getAttribute('thead th[aria-sort]', 'aria-sort'), 'descending');
    }
  }
  await page.context().close();
});
