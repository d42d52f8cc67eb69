// app.js: small progressive enhancements for docket's pages. Plain ES
// module, no framework, no inline scripts (the CSP forbids them). Every
// page works without it; this file only adds comfort. Pages opt in with
// markup, never with code:
//
//   data-hotkey="k"          on an input, link or button: pressing k
//                            (outside text fields) focuses the input or
//                            clicks the link/button. "/" focuses the page's
//                            main search first: a [data-hotkey="/"] inside
//                            <main>, else main .lookup-box input, else main
//                            input[type=search], else the header search.
//   data-confirm="Question?" on a <form>, or on one submit button (wins):
//                            asks in a modal <dialog> before submitting.
//                            The confirm button repeats the submit button's
//                            label (or data-confirm-label) and is red when
//                            that button has class "danger". Escape or
//                            Cancel keeps the page as it is.
//   data-busy[="Saving…"]    on a submit button (or on the <form>): after
//                            submitting, the button shows a spinner (and
//                            the text, if given), the form's submit
//                            buttons are disabled and a second submit is
//                            ignored until the page changes.
//   <progress data-progress-for="FORM-ID" hidden>
//                            the form with that id is sent with
//                            XMLHttpRequest and its upload progress fills
//                            the bar. Text goes into [data-progress-status-
//                            for="FORM-ID"] (created after the bar when
//                            missing, aria-live). The answer replaces the
//                            page; a redirect's target becomes the URL.
//   data-autosubmit          on a select/checkbox (or a form): submits the
//                            form when the value changes (filter toolbars).
//   code.token, [data-copy]  gets a "Copy" button (data-copy="#id" copies
//                            that element's text, data-copy="text" copies
//                            the text itself).
//   .flash                   gets a dismiss button.
//   .error-summary           gets focus on load; its links (href="#field")
//                            move focus to the field.
//   <input role="combobox" aria-controls="LIST-ID" data-suggest="/url">
//   <ul id="LIST-ID" class="suggestions" role="listbox">
//                            typing fetches URL?q=<text> (the parameter is
//                            data-suggest-param, default q) expecting JSON:
//                            an array of strings, or of objects {label |
//                            name | title, href | url, hint | description},
//                            or an object with such an array in items,
//                            results or suggestions. Arrow keys move
//                            aria-selected, Enter opens the option's href
//                            or submits its label, Escape closes. Only
//                            inputs with data-suggest are touched (the
//                            /lookup page has its own lookup.js).
//   <input type="hidden" data-draft-key="KEY"> inside a <form>
//                            a draft of the form is kept in this
//                            browser's localStorage under
//                            "docket-draft:KEY" (the key names the user
//                            and the form) while it is filled in: every
//                            named field except files, passwords and
//                            hidden fields, never a file's contents.
//                            Opening the form again offers "Restore your
//                            unsent draft from 14:32? Restore / Discard"
//                            (fields of items or rows the page lacks are
//                            asked for with a "docket:grow" event on the
//                            form, detail.name = the field's name).
//                            Leaving the page with changes asks first
//                            (beforeunload), submitting does not. After
//                            a submit, the next page decides: the same
//                            form again (a mistake) keeps the draft, any
//                            other page that is not an error forgets it.
//                            Drafts older than 30 days are dropped.

const CONFIRMED = Symbol('confirmed');
const BUSY = Symbol('busy');
const ENHANCED = 'docketEnhanced';

/* ---------- helpers ---------- */

function isTextEntry(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['button', 'submit', 'reset', 'checkbox', 'radio', 'file',
    'image', 'range', 'color'].includes(el.type);
}

function isVisible(el) {
  return !!(el && (el.offsetWidth || el.offsetHeight ||
    el.getClientRects().length));
}

function focusable(root) {
  return [...root.querySelectorAll(
    'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]),' +
    ' select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'
  )].filter(isVisible);
}

function announce(text) {
  let live = document.getElementById('docket-live');
  if (!live) {
    live = document.createElement('div');
    live.id = 'docket-live';
    live.className = 'sr-only';
    live.setAttribute('aria-live', 'polite');
    document.body.append(live);
  }
  live.textContent = '';
  // a fresh text node after a tick is announced even when it repeats
  setTimeout(() => { live.textContent = text; }, 50);
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/* ---------- hotkeys ---------- */

function hotkeyTarget(key) {
  const candidates = [];
  if (key === '/') {
    candidates.push(
      ...document.querySelectorAll('main [data-hotkey="/"]'),
      ...document.querySelectorAll('main .lookup-box input:not([type=hidden])'),
      ...document.querySelectorAll('main input[type=search]'));
  }
  for (const el of document.querySelectorAll('[data-hotkey]')) {
    if (el.dataset.hotkey === key) candidates.push(el);
  }
  return candidates.find((el) => isVisible(el) && !el.disabled);
}

function onKeydown(e) {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key.length !== 1) return;
  if (isTextEntry(e.target) || isTextEntry(document.activeElement)) return;
  if (document.querySelector('dialog[open]')) return;
  const target = hotkeyTarget(e.key);
  if (!target) return;
  e.preventDefault();
  if (isTextEntry(target)) {
    target.focus();
    if (typeof target.select === 'function') target.select();
  } else {
    target.focus();
    target.click();
  }
}

/* ---------- confirm dialog ---------- */

let confirmDialog = null;

function buildDialog() {
  const d = document.createElement('dialog');
  d.className = 'confirm';
  d.setAttribute('role', 'alertdialog');
  d.setAttribute('aria-modal', 'true');
  d.setAttribute('aria-labelledby', 'confirm-title');
  d.setAttribute('aria-describedby', 'confirm-message');
  d.innerHTML =
    '<h2 id="confirm-title">Please confirm</h2>' +
    '<p id="confirm-message"></p>' +
    '<div class="actions">' +
    '<button type="button" class="button" data-answer="no">Cancel</button>' +
    '<button type="button" class="button primary" data-answer="yes">OK</button>' +
    '</div>';
  // keep Tab inside the dialog (showModal makes the page inert, but Tab
  // would still leave for the browser's own toolbar)
  d.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const items = focusable(d);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
  document.body.append(d);
  return d;
}

// Resolves true when the user confirms, false on Cancel or Escape.
export function askConfirm(message, { label = 'OK', danger = false } = {}) {
  if (typeof HTMLDialogElement !== 'function') {
    return Promise.resolve(window.confirm(message));
  }
  if (!confirmDialog || !confirmDialog.isConnected) confirmDialog = buildDialog();
  const d = confirmDialog;
  const yes = d.querySelector('[data-answer=yes]');
  const no = d.querySelector('[data-answer=no]');
  const opener = document.activeElement;
  d.querySelector('#confirm-message').textContent = message;
  yes.textContent = label;
  yes.classList.toggle('danger', danger);
  yes.classList.toggle('primary', !danger);
  d.returnValue = '';
  return new Promise((resolve) => {
    const finish = (answer) => {
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
      if (opener && opener.isConnected && typeof opener.focus === 'function') {
        opener.focus();
      }
      resolve(answer);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    const onCancel = (e) => {
      e.preventDefault();
      finish(false);
    };
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
    d.addEventListener('cancel', onCancel);
    d.showModal();
    // destructive actions start on Cancel, others on the action
    (danger ? no : yes).focus();
  });
}

/* ---------- busy state ---------- */

function wantsBusy(form, submitter) {
  return form.hasAttribute('data-busy') ||
    (submitter && submitter.hasAttribute('data-busy')) ||
    !!form.querySelector('button[data-busy], input[type=submit][data-busy]');
}

function submitButtons(form) {
  return [...form.querySelectorAll('button:not([type]), button[type=submit], input[type=submit]')];
}

function setBusy(form, submitter) {
  form[BUSY] = true;
  form.setAttribute('aria-busy', 'true');
  const button = submitter || submitButtons(form)[0];
  if (button) {
    button.setAttribute('aria-busy', 'true');
    const text = button.getAttribute('data-busy') || form.getAttribute('data-busy');
    if (text && button.tagName === 'BUTTON') {
      button.dataset.idleLabel = button.textContent;
      button.textContent = text;
    }
  }
  // Disable after the browser has built the form data (a disabled
  // submitter would lose its name=value).
  setTimeout(() => {
    if (!form[BUSY]) return;
    for (const b of submitButtons(form)) {
      b.disabled = true;
      b.dataset.busyDisabled = '1';
    }
  }, 0);
}

function clearBusy(form) {
  form[BUSY] = false;
  form.removeAttribute('aria-busy');
  for (const b of submitButtons(form)) {
    b.removeAttribute('aria-busy');
    if (b.dataset.busyDisabled) {
      b.disabled = false;
      delete b.dataset.busyDisabled;
    }
    if (b.dataset.idleLabel !== undefined) {
      b.textContent = b.dataset.idleLabel;
      delete b.dataset.idleLabel;
    }
  }
}

/* ---------- upload progress ---------- */

function progressFor(form) {
  if (!form.id) return null;
  return document.querySelector(
    `progress[data-progress-for="${CSS.escape(form.id)}"]`);
}

function progressStatus(form, bar) {
  let s = document.querySelector(
    `[data-progress-status-for="${CSS.escape(form.id)}"]`);
  if (!s) {
    s = document.createElement('p');
    s.className = 'progress-status';
    s.setAttribute('data-progress-status-for', form.id);
    s.setAttribute('aria-live', 'polite');
    bar.after(s);
  }
  return s;
}

let softNavigated = false;

function showResponse(html, url) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  if (!doc.body) return false;
  document.title = doc.title;
  document.body.replaceWith(document.adoptNode(doc.body));
  if (url && url !== location.href) {
    history.pushState({ docket: 1 }, '', url);
    softNavigated = true;
  }
  window.scrollTo(0, 0);
  enhance(document);
  const main = document.getElementById('main');
  if (!document.querySelector('.error-summary') && main) main.focus();
  return true;
}

export function uploadWithProgress(form, submitter, bar) {
  const status = progressStatus(form, bar);
  const method = ((submitter && submitter.getAttribute('formmethod')) ||
    form.getAttribute('method') || 'post').toUpperCase();
  const action = (submitter && submitter.getAttribute('formaction') &&
    submitter.formAction) || form.action;
  let data;
  try {
    data = new FormData(form, submitter || undefined);
  } catch {
    data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
  }
  const xhr = new XMLHttpRequest();
  let lastAnnounced = -1;
  bar.hidden = false;
  if (!bar.hasAttribute('aria-label') && !bar.hasAttribute('aria-labelledby')) {
    bar.setAttribute('aria-label', 'Upload progress');
  }
  bar.removeAttribute('value'); // indeterminate until the first event
  status.textContent = 'Uploading…';
  xhr.upload.addEventListener('progress', (e) => {
    if (!e.lengthComputable) return;
    bar.max = e.total;
    bar.value = e.loaded;
    const pct = Math.floor((e.loaded / e.total) * 100);
    status.textContent =
      `${formatBytes(e.loaded)} of ${formatBytes(e.total)} (${pct} %)`;
    if (pct >= lastAnnounced + 25) {
      lastAnnounced = pct;
      bar.setAttribute('aria-valuetext', `${pct} percent uploaded`);
    }
  });
  xhr.upload.addEventListener('load', () => {
    status.textContent = 'Uploaded. Processing…';
    bar.removeAttribute('value');
  });
  xhr.addEventListener('load', () => {
    const type = xhr.getResponseHeader('Content-Type') || '';
    const redirected = xhr.responseURL && xhr.responseURL !== action;
    if (type.startsWith('text/html') &&
        showResponse(xhr.responseText, redirected ? xhr.responseURL : null)) {
      return;
    }
    clearBusy(form);
    bar.hidden = true;
    status.textContent = xhr.status >= 400
      ? `The upload failed (HTTP ${xhr.status}).`
      : 'Done.';
  });
  const failed = (why) => {
    clearBusy(form);
    bar.hidden = true;
    status.textContent = `The upload failed: ${why}. Try again.`;
  };
  xhr.addEventListener('error', () => failed('network error'));
  xhr.addEventListener('timeout', () => failed('timed out'));
  xhr.addEventListener('abort', () => failed('cancelled'));
  xhr.open(method, action);
  xhr.setRequestHeader('Accept', 'text/html');
  xhr.send(data);
}

/* ---------- submit: confirm, busy, progress ---------- */

function onSubmit(e) {
  const form = e.target;
  if (!(form instanceof HTMLFormElement) || e.defaultPrevented) return;
  const submitter = e.submitter && e.submitter !== form ? e.submitter : null;
  if (form[BUSY]) {
    e.preventDefault();
    return;
  }
  const message = (submitter && submitter.getAttribute('data-confirm')) ||
    form.getAttribute('data-confirm');
  if (message && !form[CONFIRMED]) {
    e.preventDefault();
    const label = (submitter && (submitter.getAttribute('data-confirm-label') ||
      submitter.textContent.trim() || submitter.value)) ||
      form.getAttribute('data-confirm-label') || 'OK';
    const danger = !!(submitter ? submitter.classList.contains('danger')
      : form.querySelector('.danger'));
    askConfirm(message, { label, danger }).then((ok) => {
      if (!ok) return;
      form[CONFIRMED] = true;
      try {
        if (submitter && typeof form.requestSubmit === 'function') {
          form.requestSubmit(submitter);
        } else if (typeof form.requestSubmit === 'function') {
          form.requestSubmit();
        } else {
          form.submit();
        }
      } finally {
        form[CONFIRMED] = false;
      }
    });
    return;
  }
  const bar = progressFor(form);
  if (bar) {
    e.preventDefault();
    setBusy(form, submitter);
    uploadWithProgress(form, submitter, bar);
    return;
  }
  if (wantsBusy(form, submitter)) setBusy(form, submitter);
}

/* ---------- autosubmit ---------- */

function onChange(e) {
  const el = e.target;
  const form = el.form;
  if (!form) return;
  if (!el.hasAttribute('data-autosubmit') && !form.hasAttribute('data-autosubmit')) return;
  if (isTextEntry(el) && el.tagName !== 'SELECT') return; // text: wait for Enter
  if (typeof form.requestSubmit === 'function') form.requestSubmit();
  else form.submit();
}

/* ---------- error summary links ---------- */

function onClick(e) {
  const a = e.target.closest && e.target.closest('.error-summary a[href^="#"]');
  if (!a) return;
  const field = document.getElementById(decodeURIComponent(a.hash.slice(1)));
  if (!field) return;
  e.preventDefault();
  const label = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
  (label || field).scrollIntoView({ block: 'center' });
  field.focus({ preventScroll: true });
}

/* ---------- drafts of a form in this browser ---------- */

const DRAFT_PREFIX = 'docket-draft:';
const DRAFT_PENDING = 'docket-draft-pending'; // sessionStorage: key submitted
const DRAFT_MAX_AGE = 30 * 24 * 3600 * 1000;
const SKIP_TYPES = ['file', 'password', 'hidden', 'submit', 'button', 'reset', 'image'];

function storage(kind) {
  try {
    const s = window[kind];
    const probe = '__docket__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null; // private mode, disabled or full: no drafts
  }
}

// The form's fields as [{n: name, v: value, c: checked}] in page order.
function draftFields(form) {
  const out = [];
  for (const el of form.elements) {
    if (!el.name || SKIP_TYPES.includes(el.type) || el.closest('[data-draft-skip]')) continue;
    if (el.type === 'checkbox' || el.type === 'radio') {
      out.push({ n: el.name, v: el.value, c: el.checked });
    } else if (el.tagName === 'SELECT' && el.multiple) {
      out.push({ n: el.name, v: [...el.selectedOptions].map((o) => o.value) });
    } else if (el.tagName !== 'FIELDSET' && el.tagName !== 'OUTPUT' && el.tagName !== 'OBJECT') {
      out.push({ n: el.name, v: el.value });
    }
  }
  return out;
}

function fieldsNamed(form, name) {
  const found = form.elements.namedItem(name);
  if (!found) return [];
  return typeof found.length === 'number' && !found.tagName ? [...found] : [found];
}

function setField(el, entry) {
  let changed = false;
  if (el.type === 'checkbox' || el.type === 'radio') {
    if (el.checked !== !!entry.c) {
      el.checked = !!entry.c;
      changed = true;
    }
  } else if (el.tagName === 'SELECT' && el.multiple && Array.isArray(entry.v)) {
    for (const o of el.options) o.selected = entry.v.includes(o.value);
    changed = true;
  } else if (el.value !== entry.v) {
    el.value = entry.v;
    changed = true;
  }
  if (changed) {
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

// Puts the values of a draft back, asking the form for missing fields.
function applyDraft(form, fields) {
  for (const entry of fields) {
    if (!entry || typeof entry.n !== 'string') continue;
    let els = fieldsNamed(form, entry.n);
    if (!els.length) {
      form.dispatchEvent(new CustomEvent('docket:grow', { detail: { name: entry.n } }));
      els = fieldsNamed(form, entry.n);
    }
    const tick = 'c' in entry;
    const el = els.find((e) => (tick
      ? (e.type === 'checkbox' || e.type === 'radio') && e.value === entry.v
      : e.type !== 'checkbox' && e.type !== 'radio'));
    if (el && !SKIP_TYPES.includes(el.type)) setField(el, entry);
  }
}

function draftTime(ms) {
  const d = new Date(ms);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })}, ${time}`;
}

function readDraft(store, key) {
  try {
    const d = JSON.parse(store.getItem(key) || 'null');
    if (!d || !Array.isArray(d.fields) || typeof d.saved !== 'number') return null;
    if (Date.now() - d.saved > DRAFT_MAX_AGE) {
      store.removeItem(key);
      return null;
    }
    return d;
  } catch {
    return null;
  }
}

// After a submit, this page says how it went: the same form again keeps
// the draft; another page forgets it unless the answer was an error.
function settlePendingDraft() {
  const session = storage('sessionStorage');
  const local = storage('localStorage');
  if (!session || !local) return;
  const pending = session.getItem(DRAFT_PENDING);
  if (!pending) return;
  session.removeItem(DRAFT_PENDING);
  const again = [...document.querySelectorAll('[data-draft-key]')]
    .filter((el) => DRAFT_PREFIX + el.getAttribute('data-draft-key') === pending);
  if (again.length) {
    // the server's answer holds the values: no offer to restore them
    again.forEach((el) => {
      const form = el.form || el.closest('form');
      if (form) form.dataset.draftReturned = '1';
    });
    return;
  }
  const nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
  const status = nav && nav.responseStatus;
  if (!status || status < 400) local.removeItem(pending);
}

function enhanceDraft(keyEl) {
  if (keyEl.dataset[ENHANCED]) return;
  const form = keyEl.form || keyEl.closest('form');
  const local = storage('localStorage');
  const session = storage('sessionStorage');
  if (!form || !local || !session) return;
  keyEl.dataset[ENHANCED] = '1';
  const key = DRAFT_PREFIX + keyEl.getAttribute('data-draft-key');
  const initial = JSON.stringify(draftFields(form));
  const returned = form.dataset.draftReturned === '1';
  let offerOpen = false;
  let submitting = false;
  let wrote = false;
  let timer = 0;

  const changed = () => form.isConnected && JSON.stringify(draftFields(form)) !== initial;
  const save = () => {
    clearTimeout(timer);
    if (offerOpen || submitting || !form.isConnected) return;
    const fields = draftFields(form);
    if (JSON.stringify(fields) === initial) {
      // everything typed here was taken back: so is the draft it made
      if (wrote && !returned) local.removeItem(key);
      wrote = false;
      return;
    }
    try {
      local.setItem(key, JSON.stringify({ saved: Date.now(), fields }));
      wrote = true;
    } catch {
      /* full: the warning before leaving still protects the values */
    }
  };
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  });
  form.addEventListener('change', () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  });
  document.addEventListener('submit', (e) => {
    if (e.target !== form || e.defaultPrevented) return;
    save();
    submitting = true;
    session.setItem(DRAFT_PENDING, key);
  });
  window.addEventListener('beforeunload', (e) => {
    if (submitting || !changed()) return;
    save();
    e.preventDefault();
    e.returnValue = '';
  });
  window.addEventListener('pagehide', () => {
    if (!submitting && changed()) save();
  });
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) submitting = false;
  });

  const draft = returned ? null : readDraft(local, key);
  if (!draft || JSON.stringify(draft.fields) === initial) return;
  offerOpen = true;
  const box = document.createElement('div');
  box.className = 'alert info';
  box.setAttribute('data-draft-offer', '');
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', 'Unsent draft');
  const text = document.createElement('p');
  text.textContent = `Restore your unsent draft from ${draftTime(draft.saved)}? `;
  const note = document.createElement('span');
  note.className = 'muted';
  note.textContent = 'Files are not kept in a draft: attach them again.';
  text.append(note);
  const actions = document.createElement('p');
  actions.className = 'actions';
  const restore = document.createElement('button');
  restore.type = 'button';
  restore.className = 'button small primary';
  restore.textContent = 'Restore';
  const discard = document.createElement('button');
  discard.type = 'button';
  discard.className = 'button small';
  discard.textContent = 'Discard';
  actions.append(restore, ' ', discard);
  box.append(text, actions);
  form.before(box);
  const close = (focusTarget) => {
    offerOpen = false;
    box.remove();
    if (focusTarget) focusTarget.focus();
  };
  restore.addEventListener('click', () => {
    close(null);
    applyDraft(form, draft.fields);
    save();
    announce('Your draft was restored.');
    const first = form.querySelector('input:not([type=hidden]), select, textarea');
    if (first) first.focus();
  });
  discard.addEventListener('click', () => {
    local.removeItem(key);
    close(form.querySelector('input:not([type=hidden]), select, textarea'));
    save();
    announce('The draft was discarded.');
  });
}

/* ---------- per-element enhancements ---------- */

function enhanceFlash(flash) {
  if (flash.dataset[ENHANCED]) return;
  flash.dataset[ENHANCED] = '1';
  const text = document.createElement('span');
  text.className = 'flash-text';
  text.append(...flash.childNodes);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'dismiss';
  close.setAttribute('aria-label', 'Dismiss message');
  close.textContent = '×';
  close.addEventListener('click', () => {
    const hadFocus = document.activeElement === close;
    flash.remove();
    const main = document.getElementById('main');
    if (hadFocus && main) main.focus();
  });
  flash.append(text, close);
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

function enhanceCopy(el) {
  if (el.dataset[ENHANCED]) return;
  el.dataset[ENHANCED] = '1';
  const spec = el.getAttribute('data-copy');
  const source = () => {
    if (spec && spec.startsWith('#')) {
      const t = document.getElementById(spec.slice(1));
      return t ? t.textContent : '';
    }
    return spec || el.textContent;
  };
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'button small copy';
  b.textContent = 'Copy';
  b.addEventListener('click', async () => {
    try {
      await copyText(source().trim());
      b.textContent = 'Copied';
      announce('Copied to the clipboard');
    } catch {
      b.textContent = 'Select and copy by hand';
    }
    setTimeout(() => { b.textContent = 'Copy'; }, 2500);
  });
  if (el.matches('code.token, [data-copy]:not(button)')) el.after(b);
}

/* ---------- combobox for suggestions ---------- */

function normaliseSuggestions(json) {
  let list = json;
  if (list && !Array.isArray(list)) {
    list = list.items || list.results || list.suggestions || [];
  }
  if (!Array.isArray(list)) return [];
  return list.map((x) => (typeof x === 'string'
    ? { label: x }
    : {
        label: String(x.label ?? x.name ?? x.title ?? ''),
        href: x.href ?? x.url ?? null,
        hint: x.hint ?? x.description ?? null,
      })).filter((x) => x.label);
}

function enhanceCombobox(input) {
  if (input.dataset[ENHANCED]) return;
  const list = document.getElementById(input.getAttribute('aria-controls') || '');
  if (!list) return;
  input.dataset[ENHANCED] = '1';
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('autocomplete', 'off');
  if (!input.hasAttribute('aria-expanded')) input.setAttribute('aria-expanded', 'false');
  list.setAttribute('role', 'listbox');
  const url = input.getAttribute('data-suggest');
  const param = input.getAttribute('data-suggest-param') || 'q';
  let seq = 0;
  let timer = 0;

  const options = () => [...list.querySelectorAll('[role=option]')];
  const selected = () => list.querySelector('[role=option][aria-selected=true]');
  const open = (yes) => {
    input.setAttribute('aria-expanded', yes ? 'true' : 'false');
    list.hidden = !yes;
    if (!yes) input.removeAttribute('aria-activedescendant');
  };
  const select = (opt) => {
    for (const o of options()) o.setAttribute('aria-selected', o === opt ? 'true' : 'false');
    if (opt) {
      input.setAttribute('aria-activedescendant', opt.id);
      opt.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  const choose = (opt) => {
    const link = opt.querySelector('a[href]');
    const href = opt.getAttribute('data-href') || (link && link.href);
    if (href) {
      location.assign(href);
      return;
    }
    input.value = opt.getAttribute('data-value') || opt.textContent.trim();
    open(false);
    if (input.form) {
      if (typeof input.form.requestSubmit === 'function') input.form.requestSubmit();
      else input.form.submit();
    }
  };
  const render = (items) => {
    list.textContent = '';
    items.forEach((it, i) => {
      const li = document.createElement('li');
      li.id = `${list.id}-opt-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.setAttribute('data-value', it.label);
      if (it.href) li.setAttribute('data-href', it.href);
      const name = document.createElement('span');
      name.textContent = it.label;
      li.append(name);
      if (it.hint) {
        const hint = document.createElement('span');
        hint.className = 'hint';
        hint.textContent = it.hint;
        li.append(hint);
      }
      list.append(li);
    });
    open(items.length > 0);
  };
  const fetchNow = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      render([]);
      return;
    }
    const sep = url.includes('?') ? '&' : '?';
    try {
      const r = await fetch(`${url}${sep}${encodeURIComponent(param)}=${encodeURIComponent(q)}`,
        { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!r.ok || mine !== seq) return;
      const items = normaliseSuggestions(await r.json());
      if (mine === seq) render(items);
    } catch {
      /* suggestions are a comfort; the form still submits */
    }
  };

  // server-rendered options get ids so aria-activedescendant works
  options().forEach((o, i) => { if (!o.id) o.id = `${list.id}-opt-${i}`; });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(fetchNow, 120);
  });
  input.addEventListener('keydown', (e) => {
    const opts = options();
    const cur = selected();
    const i = opts.indexOf(cur);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!opts.length) return;
      e.preventDefault();
      open(true);
      let next;
      if (e.key === 'ArrowDown') next = opts[(i + 1) % opts.length];
      else next = opts[i <= 0 ? opts.length - 1 : i - 1];
      select(next);
    } else if (e.key === 'Enter' && cur && input.getAttribute('aria-expanded') === 'true') {
      e.preventDefault();
      choose(cur);
    } else if (e.key === 'Escape' && input.getAttribute('aria-expanded') === 'true') {
      e.preventDefault();
      select(null);
      open(false);
    }
  });
  input.addEventListener('blur', () => {
    setTimeout(() => { if (document.activeElement !== input) open(false); }, 150);
  });
  list.addEventListener('mousedown', (e) => e.preventDefault()); // keep focus
  list.addEventListener('click', (e) => {
    const opt = e.target.closest('[role=option]');
    if (!opt) return;
    if (e.target.closest('a[href]')) return; // a real link navigates itself
    choose(opt);
  });
}

export function enhance(root = document) {
  root.querySelectorAll('.flash').forEach(enhanceFlash);
  const canCopy = (navigator.clipboard && window.isSecureContext) ||
    (document.queryCommandSupported && document.queryCommandSupported('copy'));
  if (canCopy) root.querySelectorAll('code.token, [data-copy]:not(button)').forEach(enhanceCopy);
  root.querySelectorAll('input[role=combobox][aria-controls][data-suggest]')
    .forEach(enhanceCombobox);
  root.querySelectorAll('[data-draft-key]').forEach(enhanceDraft);
  const summary = root.querySelector('.error-summary');
  if (summary && !summary.dataset[ENHANCED]) {
    summary.dataset[ENHANCED] = '1';
    if (!summary.hasAttribute('tabindex')) summary.setAttribute('tabindex', '-1');
    if (!summary.hasAttribute('role')) summary.setAttribute('role', 'alert');
    summary.focus();
  }
}

/* ---------- start ---------- */

document.addEventListener('keydown', onKeydown);
document.addEventListener('submit', onSubmit);
document.addEventListener('change', onChange);
document.addEventListener('click', onClick);
// Back/forward from the cache: forms must not stay busy.
window.addEventListener('pageshow', (e) => {
  if (!e.persisted) return;
  document.querySelectorAll('form[aria-busy=true]').forEach(clearBusy);
});
window.addEventListener('popstate', () => {
  if (softNavigated) location.reload();
});
function start() {
  settlePendingDraft();
  enhance(document);
}
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
document.documentElement.classList.add('js');
