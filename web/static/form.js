// form.js: enhances the change-request form of /requests/new (rendered by
// web/page_requests.c). Without it the form works through its "add" submit
// buttons; with it, changes (items) and column rows are added, removed and
// reordered in the page (input names renumbered: items[0].columns[3].name),
// fields not applying to an item's kind are hidden, staff see only the
// instances of the chosen organisation, and a sample CSV/TSV file can
// propose column rows through POST /api/v1/infer-columns (with the
// sample's maximum beside each proposed type, its first rows in "Example
// rows", and the file attached to the request unless the box is
// unticked). A new change starts empty: no values, and no hints copied
// from another change. The draft kept by app.js asks for missing items
// and rows with a "docket:grow" event on the form.

const form = document.getElementById('request-form');

const MAX_SAMPLE = 10 * 1024 * 1024; // the server's limit for a sample

function csrfToken() {
  const el = form.querySelector('input[name="csrf"]');
  return el ? el.value : '';
}

// ---- kinds -------------------------------------------------------------

// hidden alone loses against a class that sets display (.field, .badge).
function show(el, on) {
  el.hidden = !on;
  el.style.display = on ? '' : 'none';
}

function applyKind(item) {
  const select = item.querySelector('select.item-kind');
  if (!select) return;
  const kind = select.value;
  item.querySelectorAll('[data-kinds]').forEach((el) => {
    const kinds = el.getAttribute('data-kinds').split(' ');
    show(el, kinds.includes(kind));
  });
  item.querySelectorAll('[data-required-kinds]').forEach((el) => {
    const kinds = el.getAttribute('data-required-kinds').split(' ');
    show(el, kinds.includes(kind));
  });
}

// ---- renumbering -------------------------------------------------------

const ATTRS = ['name', 'id', 'for', 'aria-describedby', 'aria-labelledby'];

function renumber() {
  const items = form.querySelectorAll('.card.item');
  items.forEach((item, i) => {
    item.dataset.item = String(i);
    item.id = `items[${i}]`;
    const title = item.querySelector('.item-title');
    if (title) title.firstChild.textContent = `Change ${i + 1}`;
    const more = item.querySelector('button.more-rows');
    if (more) more.value = String(i);
    item.querySelectorAll('*').forEach((el) => {
      for (const a of ATTRS) {
        const v = el.getAttribute(a);
        if (v && v.includes('items[')) {
          el.setAttribute(a, v.replace(/items\[\d+\]/g, `items[${i}]`));
        }
      }
    });
    item.querySelectorAll('tr.column-row').forEach((row, c) => {
      row.dataset.column = String(c);
      row.querySelectorAll('*').forEach((el) => {
        for (const a of ATTRS) {
          const v = el.getAttribute(a);
          if (v && v.includes('columns[')) {
            el.setAttribute(a, v.replace(/columns\[\d+\]/g, `columns[${c}]`));
          }
        }
        if (el.tagName === 'LABEL' && el.classList.contains('sr-only')) {
          el.textContent = el.textContent.replace(/row \d+$/, `row ${c + 1}`);
        }
      });
    });
    const up = item.querySelector('button.item-up');
    const down = item.querySelector('button.item-down');
    if (up) up.disabled = i === 0;
    if (down) down.disabled = i === items.length - 1;
  });
}

// ---- blank copies ------------------------------------------------------

function clearControls(root) {
  root.querySelectorAll('.field-error').forEach((el) => el.remove());
  root.querySelectorAll('[aria-invalid]').forEach((el) => {
    el.removeAttribute('aria-invalid');
    const d = (el.getAttribute('aria-describedby') || '')
      .split(' ').filter((x) => x && !x.startsWith('err-')).join(' ');
    if (d) el.setAttribute('aria-describedby', d); else el.removeAttribute('aria-describedby');
  });
  root.querySelectorAll('input, textarea, select').forEach((el) => {
    if (el.type === 'checkbox') {
      // "May be empty" is ticked by default (an unticked box means NOT NULL).
      el.checked = /\.nullable$/.test(el.name);
    } else if (el.type === 'radio') {
      el.checked = false;
    } else if (el.tagName === 'SELECT') {
      if (el.classList.contains('item-kind')) return;
      const def = /\.action$/.test(el.name) ? 'add' : '';
      el.value = def;
    } else if (el.type !== 'button' && el.type !== 'submit') {
      el.value = '';
    }
  });
}

// A change made by "Add another change" starts empty: the hints a sample
// left (placeholders "Header: ...", titles, notes of the sample's
// maximum, the sample to attach) go, and so do the form's example
// placeholders ("One row per loyalty member."), which read as values
// copied from change 1; only format hints (time, date, numbers, types)
// stay.
function freshHints(root) {
  root.querySelectorAll('[data-sample-note], .infer-sample').forEach((el) => el.remove());
  root.querySelectorAll('[title][data-inferred]').forEach((el) => el.removeAttribute('title'));
  root.querySelectorAll('[data-inferred]').forEach((el) => el.removeAttribute('data-inferred'));
  root.querySelectorAll('[placeholder]').forEach((el) => {
    const format = el.type === 'time' || el.type === 'date' ||
      el.inputMode === 'numeric' || el.getAttribute('list') === 'types-list';
    if (!format) el.removeAttribute('placeholder');
  });
  root.querySelectorAll('[aria-describedby]').forEach((el) => {
    const d = el.getAttribute('aria-describedby').split(' ')
      .filter((x) => x && !x.startsWith('note-')).join(' ');
    if (d) el.setAttribute('aria-describedby', d); else el.removeAttribute('aria-describedby');
  });
  const kind = root.querySelector('select.item-kind');
  if (kind) kind.selectedIndex = 0;
}

function blankRow(tbody) {
  const row = tbody.querySelector('tr.column-row').cloneNode(true);
  // The clone's remove button has no listener: drop it so decorateRows
  // gives the new row a working one.
  row.querySelectorAll('td.row-actions').forEach((td) => td.remove());
  row.classList.remove('proposed');
  clearControls(row);
  row.querySelectorAll('[data-sample-note]').forEach((el) => el.remove());
  row.querySelectorAll('[data-inferred]').forEach((el) => {
    el.removeAttribute('title');
    el.removeAttribute('data-inferred');
    if (el.dataset.inferredPlaceholder !== undefined) {
      el.setAttribute('placeholder', el.dataset.inferredPlaceholder);
      delete el.dataset.inferredPlaceholder;
    }
  });
  return row;
}

function addRows(item, n) {
  const tbody = item.querySelector('table.columns-table tbody');
  for (let k = 0; k < n; k++) tbody.appendChild(blankRow(tbody));
  decorateRows(item);
  renumber();
  applyKind(item);
}

function rowIsBlank(row) {
  return [...row.querySelectorAll('input[type="text"], textarea')]
    .every((el) => el.value.trim() === '');
}

// ---- buttons added by the script ---------------------------------------

function smallButton(label, cls, title) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `button small ${cls}`;
  b.textContent = label;
  if (title) b.setAttribute('aria-label', title);
  return b;
}

function decorateRows(item) {
  const table = item.querySelector('table.columns-table');
  const head = table.querySelector('thead tr');
  if (!head.querySelector('th.row-actions')) {
    const th = document.createElement('th');
    th.className = 'row-actions';
    th.scope = 'col';
    th.innerHTML = '<span class="sr-only">Row actions</span>';
    head.appendChild(th);
  }
  table.querySelectorAll('tbody tr.column-row').forEach((row) => {
    if (row.querySelector('td.row-actions')) return;
    const td = document.createElement('td');
    td.className = 'row-actions';
    const rm = smallButton('×', 'danger remove-row', 'Remove this row');
    rm.addEventListener('click', () => {
      const tbody = row.parentNode;
      if (tbody.querySelectorAll('tr.column-row').length > 1) {
        row.remove();
      } else {
        clearControls(row);
      }
      renumber();
    });
    td.appendChild(rm);
    row.appendChild(td);
  });
}

function decorateItem(item) {
  const legend = item.querySelector('.item-title');
  if (legend && !legend.querySelector('.item-tools')) {
    const tools = document.createElement('span');
    tools.className = 'item-tools inline';
    const up = smallButton('↑', 'item-up', 'Move this change up');
    const down = smallButton('↓', 'item-down', 'Move this change down');
    const rm = smallButton('Remove', 'danger item-remove', 'Remove this change');
    up.addEventListener('click', () => {
      const prev = item.previousElementSibling;
      if (prev) item.parentNode.insertBefore(item, prev);
      renumber();
      up.focus();
    });
    down.addEventListener('click', () => {
      const next = item.nextElementSibling;
      if (next) item.parentNode.insertBefore(next, item);
      renumber();
      down.focus();
    });
    rm.addEventListener('click', () => {
      const all = form.querySelectorAll('.card.item');
      if (all.length > 1) {
        item.remove();
      } else {
        clearControls(item);
      }
      renumber();
    });
    tools.append(' ', up, ' ', down, ' ', rm);
    legend.appendChild(tools);
  }
  const select = item.querySelector('select.item-kind');
  select.addEventListener('change', () => applyKind(item));
  const more = item.querySelector('button.more-rows');
  if (more) {
    more.addEventListener('click', (ev) => {
      ev.preventDefault();
      addRows(item, 3);
    });
  }
  decorateRows(item);
  setupInfer(item);
  applyKind(item);
}

// ---- inference from a sample file --------------------------------------

function setStatus(el, text) {
  el.textContent = text;
}

// The first MAX_SAMPLE bytes, cut at the last line break.
async function sampleOf(file) {
  if (file.size <= MAX_SAMPLE) return file;
  const buf = await file.slice(0, MAX_SAMPLE).arrayBuffer();
  const bytes = new Uint8Array(buf);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] !== 10) end--;
  return new Blob([bytes.subarray(0, end || bytes.length)], { type: 'text/csv' });
}

function upload(blob, name, status) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const body = new FormData();
    body.append('file', blob, name);
    xhr.open('POST', '/api/v1/infer-columns');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (ev) => {
      if (ev.lengthComputable) {
        const pct = Math.round((ev.loaded / ev.total) * 100);
        setStatus(status, pct < 100 ? `Uploading… ${pct}%` : 'Reading the sample…');
      }
    });
    xhr.addEventListener('load', () => resolve({ status: xhr.status, json: xhr.response }));
    xhr.addEventListener('error', () => reject(new Error('the upload failed')));
    xhr.send(body);
  });
}

function setField(row, key, value) {
  const el = row.querySelector(`[name$=".${key}"]`);
  if (!el) return;
  if (el.type === 'checkbox') el.checked = Boolean(value);
  else el.value = value;
}

// "longest in sample: 18" after the type input of a proposed row, read
// with it (aria-describedby).
function sampleNote(row, text) {
  const type = row.querySelector('[name$=".type"]');
  row.querySelectorAll('[data-sample-note]').forEach((el) => el.remove());
  if (type) {
    const d = (type.getAttribute('aria-describedby') || '').split(' ')
      .filter((x) => x && !x.startsWith('note-'));
    if (d.length) type.setAttribute('aria-describedby', d.join(' '));
    else type.removeAttribute('aria-describedby');
  }
  if (!type || !text) return;
  const note = document.createElement('span');
  note.className = 'help muted small';
  note.id = `note-${type.id}`;
  note.setAttribute('data-sample-note', '');
  note.textContent = text;
  type.after(note);
  type.setAttribute('aria-describedby',
    `${type.getAttribute('aria-describedby') || ''} ${note.id}`.trim());
}

function fillRows(item, columns) {
  const tbody = item.querySelector('table.columns-table tbody');
  // Blank rows go; rows already filled in are kept above the proposal.
  tbody.querySelectorAll('tr.column-row').forEach((row) => {
    if (rowIsBlank(row) && tbody.querySelectorAll('tr.column-row').length > 1) row.remove();
  });
  let rows = [...tbody.querySelectorAll('tr.column-row')];
  let start = rows.length === 1 && rowIsBlank(rows[0]) ? 0 : rows.length;
  while (rows.length < start + columns.length) {
    tbody.appendChild(blankRow(tbody));
    rows = [...tbody.querySelectorAll('tr.column-row')];
  }
  columns.forEach((col, k) => {
    const row = rows[start + k];
    setField(row, 'name', col.name);
    setField(row, 'type', col.type);
    setField(row, 'nullable', col.nullable);
    setField(row, 'example', col.example);
    const name = row.querySelector('[name$=".name"]');
    if (name && col.original !== col.name) {
      name.title = `From the header "${col.original}"`;
      name.setAttribute('data-inferred', '');
      const desc = row.querySelector('[name$=".description"]');
      if (desc && !desc.value) {
        if (desc.dataset.inferredPlaceholder === undefined) {
          desc.dataset.inferredPlaceholder = desc.getAttribute('placeholder') || '';
        }
        desc.setAttribute('data-inferred', '');
        desc.placeholder = `Header: ${col.original}`;
      }
    }
    sampleNote(row, col.sample_note || '');
    row.classList.add('proposed');
  });
  decorateRows(item);
  renumber();
  applyKind(item);
}

// The sample is attached to the request unless its box is unticked: a
// hidden file input named "attachments" holds it (disabled when
// unticked, so it is not sent). One sample per change: a new one takes
// the place of the last.
const MAX_ATTACHMENT = 10 * 1024 * 1024; // the server's limit for a file

function attachSample(box, file) {
  box.querySelectorAll('.infer-sample').forEach((el) => el.remove());
  const wrap = document.createElement('p');
  wrap.className = 'infer-sample';
  const label = document.createElement('label');
  label.className = 'inline';
  const tick = document.createElement('input');
  tick.type = 'checkbox';
  tick.setAttribute('data-sample-attach', '');
  label.append(tick, ` Attach ${file.name} to the request`);
  wrap.append(label);
  let holder = null;
  try {
    const dt = new DataTransfer();
    dt.items.add(file);
    holder = document.createElement('input');
    holder.type = 'file';
    holder.name = 'attachments';
    holder.hidden = true;
    holder.style.display = 'none'; // hidden alone loses to app.css
    holder.tabIndex = -1;
    holder.setAttribute('aria-hidden', 'true');
    holder.files = dt.files;
  } catch {
    holder = null;
  }
  if (!holder || file.size > MAX_ATTACHMENT) {
    tick.disabled = true;
    const why = document.createElement('span');
    why.className = 'muted';
    why.textContent = file.size > MAX_ATTACHMENT
      ? ' (too large to attach: 10 MiB at most; add an extract under Attachments)'
      : ' (add it under Attachments)';
    label.append(why);
  } else {
    tick.checked = true;
    tick.addEventListener('change', () => { holder.disabled = !tick.checked; });
    wrap.append(holder);
  }
  box.append(wrap);
}

function fillExamples(item, text) {
  const area = item.querySelector('textarea[name$=".examples"]');
  if (!area || !text || area.value.trim()) return;
  area.value = text;
  area.dispatchEvent(new Event('input', { bubbles: true }));
}

function setupInfer(item) {
  const box = item.querySelector('.infer');
  if (!box) return;
  show(box, true);
  const input = box.querySelector('input.infer-file');
  const status = box.querySelector('.infer-status');
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    try {
      setStatus(status, file.size > 1024 * 1024 ? 'Preparing the sample…' : 'Uploading…');
      const blob = await sampleOf(file);
      const { status: code, json } = await upload(blob, file.name, status);
      if (code === 200 && json && Array.isArray(json.columns)) {
        fillRows(item, json.columns);
        fillExamples(item, json.example_rows);
        attachSample(box, file);
        form.dispatchEvent(new Event('input', { bubbles: true }));
        const cut = blob.size < file.size ? ' (first 10 MiB)' : '';
        setStatus(status, `${json.columns.length} columns proposed from ${json.rows_read} rows${cut}: review them before you submit.`);
      } else {
        const msg = json && json.errors ? json.errors.map((e) => e.message).join('; ')
          : json && json.error ? json.error.message : `error ${code}`;
        setStatus(status, `No proposal: ${msg}`);
      }
    } catch (e) {
      setStatus(status, `No proposal: ${e.message}`);
    }
    input.value = '';
  });
}

// ---- organisation filter (staff) ---------------------------------------

function applyOrg() {
  const org = form.querySelector('select#organisation');
  if (!org) return;
  const chosen = org.value;
  form.querySelectorAll('#instance optgroup, #instances label[data-org]').forEach((el) => {
    show(el, chosen === '' || el.getAttribute('data-org') === chosen);
  });
  const inst = form.querySelector('select#instance');
  const opt = inst && inst.selectedOptions[0];
  if (opt && chosen && opt.dataset.org && opt.dataset.org !== chosen) inst.value = '';
}

// ---- start -------------------------------------------------------------

if (form) {
  form.querySelectorAll('.card.item').forEach(decorateItem);
  const addItem = form.querySelector('button.add-item');
  if (addItem) {
    addItem.addEventListener('click', (ev) => {
      ev.preventDefault();
      const items = form.querySelectorAll('.card.item');
      const last = items[items.length - 1];
      const copy = last.cloneNode(true);
      copy.querySelectorAll('.item-tools, td.row-actions, th.row-actions').forEach((el) => el.remove());
      const rows = copy.querySelectorAll('tr.column-row');
      rows.forEach((row, k) => { if (k >= 3) row.remove(); });
      clearControls(copy);
      freshHints(copy);
      copy.querySelectorAll('tr.proposed').forEach((r) => r.classList.remove('proposed'));
      const status = copy.querySelector('.infer-status');
      if (status) status.textContent = '';
      last.after(copy);
      decorateItem(copy);
      renumber();
      const first = copy.querySelector('select.item-kind');
      if (first) first.focus();
    });
  }
  const org = form.querySelector('select#organisation');
  if (org) {
    org.addEventListener('change', applyOrg);
    applyOrg();
  }
  // A restored draft names fields of items and rows the page does not
  // have yet: add them (detail.name is "items[2].columns[7].name").
  form.addEventListener('docket:grow', (ev) => {
    const m = /^items\[(\d+)\](?:\.columns\[(\d+)\])?/.exec(ev.detail && ev.detail.name);
    if (!m) return;
    const want = Number(m[1]);
    while (addItem && form.querySelectorAll('.card.item').length <= want &&
           form.querySelectorAll('.card.item').length < 50) addItem.click();
    const item = form.querySelectorAll('.card.item')[want];
    if (!item || m[2] === undefined) return;
    const rows = item.querySelectorAll('tr.column-row').length;
    if (Number(m[2]) >= rows && Number(m[2]) < 500) addRows(item, Number(m[2]) + 1 - rows);
  });
  renumber();
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
}
