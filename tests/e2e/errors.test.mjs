// The error summary of the new-request form as a new client meets it: an
// empty submit names what change 1 lacks (its table, description, source,
// cadence, campaigns, columns) instead of one generic line; a partly
// filled form lists its problems in the order of the form's fields
// (request fields, then change 1 with its column rows in order); every
// line is "Label — message" in one style, the message never repeating
// the label and never showing a field name such as consent_note or a path
// such as items[0].columns[0].name. The date and the arrival time are
// typed as their help says (YYYY-MM-DD, HH:MM). Screenshots at 1280 and
// 390 px go to build/e2e/errors-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, launch, newPage, screenshot, signIn, byId, PW } from './lib.mjs';

// The summary's links: their text and whether their targets follow the
// order of the page.
async function summary(page) {
  await page.locator('#error-summary').waitFor();
  return page.evaluate(() => {
    const links = [...document.querySelectorAll('#error-summary li a')];
    const targets = links.map((a) => document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))));
    let inOrder = true;
    for (let i = 1; i < targets.length; i++) {
      const a = targets[i - 1];
      const b = targets[i];
      if (!a || !b) { inOrder = false; continue; }
      // b must not come before a (the same target twice is fine)
      if (a !== b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_PRECEDING)) inOrder = false;
    }
    return {
      texts: links.map((a) => a.textContent.trim()),
      missing: links.filter((_, i) => !targets[i]).map((a) => a.getAttribute('href')),
      inOrder,
      fieldErrors: [...document.querySelectorAll('.field-error')].map((p) => p.textContent.replace(/^Error:\s*/, '').trim()),
    };
  });
}

// One style: "Label — message", the message in lower case after the dash
// unless it starts with a quoted name, no API names, the label once.
function checkStyle(s) {
  for (const t of s.texts) {
    const m = t.match(/^(.+?) — (.+)$/);
    assert.ok(m, `"${t}" is not "Label — message"`);
    const label = m[1].replace(/^Change \d+(, row \d+)?: /, '');
    assert.match(m[2], /^[a-z"]/, `"${t}": the message starts in lower case`);
    assert.ok(!m[2].toLowerCase().startsWith(label.toLowerCase()), `"${t}" repeats its label`);
    assert.ok(!/\[|\]/.test(t), `"${t}" shows a path`);
    assert.ok(!/_/.test(t.replace(/"[^"]*"/g, '')), `"${t}" shows a field name or value`);
  }
  for (const f of s.fieldErrors) {
    assert.match(f, /^[A-Z"].*\.$/, `field message "${f}" is a sentence`);
    assert.ok(!/\[|\]/.test(f) && !/_/.test(f.replace(/"[^"]*"/g, '')), `field message "${f}" shows an API name`);
  }
  assert.deepEqual(s.missing, [], 'every link has its target');
  assert.ok(s.inOrder, `the problems follow the form:\n${s.texts.join('\n')}`);
}

const submit = (page) => Promise.all([page.waitForNavigation(), page.click('button.primary[name="submit"]')]);

test('errors: empty and partly filled forms, in form order and one style', async () => {
  const srv = await startWorld();
  const browser = await launch();
  try {
    for (const width of [1280, 390]) {
      const page = await newPage(browser, { width });
      page.on('dialog', (d) => d.accept());
      await signIn(page, srv.url, 'client@acme.example', PW);
      await page.goto(`${srv.url}/requests/new`);

      // the date and the time are typed as the help says
      const date = byId(page, 'desired_date');
      assert.equal(await date.getAttribute('type'), 'text');
      assert.match(await byId(page, 'help-desired_date').textContent(), /YYYY-MM-DD/);
      await date.click();
      await page.keyboard.type('2026-12-08');
      assert.equal(await date.inputValue(), '2026-12-08');
      await date.fill('');
      const arrival = byId(page, 'items[0].expected_arrival');
      assert.equal(await arrival.getAttribute('type'), 'text');
      assert.match(await byId(page, 'help-items[0].expected_arrival').textContent(), /HH:MM/);

      // 1. nothing filled in
      await submit(page);
      let s = await summary(page);
      await screenshot(page, `errors-empty-${width}`);
      checkStyle(s);
      assert.ok(!s.texts.some((t) => /at least one change/i.test(t)), `no generic message:\n${s.texts.join('\n')}`);
      for (const want of [
        /^Main instance — choose /,
        /^Project manager — choose /,
        /^Title — /,
        /^Summary — /,
        /^Change 1: Table — enter its name/,
        /^Change 1: Description — /,
        /^Change 1: Source — choose how the data arrives/,
        /^Change 1: Cadence — /,
        /^Change 1: Campaigns and this data — /,
        /^Change 1: Columns — add at least one column/,
      ]) {
        assert.ok(s.texts.some((t) => want.test(t)), `${want} in:\n${s.texts.join('\n')}`);
      }

      // 2. partly filled: consent without its note, a table name with a
      // space, a column starting with a digit, a column without a type,
      // a date in the wrong format
      await page.check('#consent_related input[value="yes"]');
      await page.fill('#title', 'Store visits');
      await page.fill('#desired_date', '08/12/2026');
      await byId(page, 'items[0].table').fill('store visits');
      await byId(page, 'items[0].columns[0].name').fill('9lives');
      await byId(page, 'items[0].columns[0].type').fill('text');
      await byId(page, 'items[0].columns[1].name').fill('visited_at');
      await submit(page);
      s = await summary(page);
      await screenshot(page, `errors-partial-${width}`);
      checkStyle(s);
      const at = (re) => s.texts.findIndex((t) => re.test(t));
      const order = [
        /^Main instance — /,
        /^Wanted by — enter a real date as YYYY-MM-DD/,
        /^Consent note — required when this request is consent-related\.$/,
        /^Change 1: Table — it contains a space/,
        /^Change 1, row 1: Column — it must not start with a digit/,
        /^Change 1, row 2: Type — /,
      ].map(at);
      assert.ok(order.every((i) => i >= 0), `all present:\n${s.texts.join('\n')}`);
      assert.deepEqual([...order].sort((a, b) => a - b), order, `in form order:\n${s.texts.join('\n')}`);
      assert.ok(!/consent_note|consent_related|items\[/.test(await page.textContent('main')), 'no field names on the page');
      // the values were kept
      assert.equal(await page.inputValue('#title'), 'Store visits');
      assert.equal(await byId(page, 'items[0].columns[1].name').inputValue(), 'visited_at');
      await page.context().close();
    }
  } finally {
    await browser.close();
    await srv.stop();
  }
});
