// cdp.mjs: a minimal Chrome DevTools Protocol client for the e2e tests.
// It starts Debian's chromium headless with --remote-debugging-pipe (no
// port, no downloads: messages are NUL-terminated JSON on fds 3 and 4).
// launchBrowser() starts one chromium whose newPage() opens a page in a
// browser context of its own (its own cookies and storage, gone when the
// page closes); launch() is one browser with one page. Enough for
// navigation, evaluation, key presses, media emulation
// (prefers-color-scheme) and screenshots.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

export async function launchBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), 'docket-cdp-'));
  const proc = spawn(chromiumPath(), [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-extensions',
    '--hide-scrollbars', '--mute-audio', `--user-data-dir=${profile}`,
    '--remote-debugging-pipe', '--window-size=1280,900',
    'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const input = proc.stdio[3];
  const output = proc.stdio[4];
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  let stderr = '';
  let rest = Buffer.alloc(0);

  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  output.on('data', (chunk) => {
    rest = Buffer.concat([rest, chunk]);
    let end;
    while ((end = rest.indexOf(0)) >= 0) {
      const msg = JSON.parse(rest.subarray(0, end).toString('utf8'));
      rest = rest.subarray(end + 1);
      if (msg.id && pending.has(msg.id)) {
        const { resolve, reject, method } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const l of [...listeners]) l(msg);
      }
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  proc.on('exit', () => {
    for (const { reject, method } of pending.values()) {
      reject(new Error(`${method}: chromium exited\n${stderr}`));
    }
    pending.clear();
  });

  function send(method, params = {}, sessionId) {
    const id = nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, method });
      input.write(JSON.stringify(msg) + '\0');
    });
  }

  function waitEvent(method, sessionId, timeoutMs = 15000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.splice(listeners.indexOf(l), 1);
        reject(new Error(`timeout waiting for ${method}`));
      }, timeoutMs);
      const l = (msg) => {
        if (msg.method === method && (!sessionId || msg.sessionId === sessionId)) {
          clearTimeout(timer);
          listeners.splice(listeners.indexOf(l), 1);
          resolve(msg.params);
        }
      };
      listeners.push(l);
    });
  }

  async function close() {
    try {
      await send('Browser.close');
    } catch {
      /* already gone */
    }
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
    rmSync(profile, { recursive: true, force: true });
  }

  return {
    newPage: ({ width = 1280, height = 900 } = {}) => openPage(send, waitEvent, listeners, width, height),
    close,
  };
}

// One browser with one page; closing the page closes the browser.
export async function launch({ width = 1280, height = 900 } = {}) {
  const browser = await launchBrowser();
  const page = await browser.newPage({ width, height });
  page.close = browser.close;
  return page;
}

async function openPage(send, waitEvent, listeners, width, height) {
  const { browserContextId } = await send('Target.createBrowserContext');
  const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const s = (method, params) => send(method, params, sessionId);
  await s('Page.enable');
  await s('Runtime.enable');
  const consoleErrors = [];
  const onMessage = (msg) => {
    if (msg.sessionId !== sessionId) return;
    if (msg.method === 'Runtime.exceptionThrown') {
      consoleErrors.push(msg.params.exceptionDetails.exception?.description ||
        msg.params.exceptionDetails.text);
    } else if (msg.method === 'Runtime.consoleAPICalled' && msg.params.type === 'error') {
      consoleErrors.push(msg.params.args.map((a) => a.value ?? a.description).join(' '));
    }
  };
  listeners.push(onMessage);

  const page = {
    consoleErrors,
    send: s,
    async viewport(w, h, mobile = false) {
      await s('Emulation.setDeviceMetricsOverride',
        { width: w, height: h, deviceScaleFactor: 1, mobile });
    },
    async colorScheme(scheme) {
      await s('Emulation.setEmulatedMedia',
        { features: [{ name: 'prefers-color-scheme', value: scheme }] });
    },
    // __Host- cookies need Secure and Path=/ (loopback counts as secure)
    async setCookie(name, value, url) {
      await s('Network.setCookie', { name, value, url, path: '/',
        secure: name.startsWith('__Host-') || name.startsWith('__Secure-') });
    },
    async goto(url) {
      const loaded = waitEvent('Page.loadEventFired', sessionId);
      const r = await s('Page.navigate', { url });
      if (r.errorText) throw new Error(`navigate ${url}: ${r.errorText}`);
      await loaded;
      // module scripts run before load; one more frame for layout
      await page.eval('new Promise((r) => requestAnimationFrame(() => r(1)))');
    },
    async waitLoad(fn) {
      const loaded = waitEvent('Page.loadEventFired', sessionId);
      await fn();
      await loaded;
    },
    async eval(expression) {
      const r = await s('Runtime.evaluate',
        { expression, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) {
        throw new Error(`eval: ${r.exceptionDetails.exception?.description ||
          r.exceptionDetails.text}\n  in: ${expression}`);
      }
      return r.result.value;
    },
    async key(key, { code, text, modifiers = 0 } = {}) {
      const named = {
        Enter: { code: 'Enter', keyCode: 13, text: '\r' },
        Escape: { code: 'Escape', keyCode: 27 },
        Tab: { code: 'Tab', keyCode: 9 },
        ArrowDown: { code: 'ArrowDown', keyCode: 40 },
        ArrowUp: { code: 'ArrowUp', keyCode: 38 },
        '/': { code: 'Slash', keyCode: 191, text: '/' },
      }[key] || { code: code || `Key${key.toUpperCase()}`,
        keyCode: key.toUpperCase().charCodeAt(0), text: key };
      const base = { key, code: named.code, windowsVirtualKeyCode: named.keyCode,
        modifiers };
      await s('Input.dispatchKeyEvent', { type: 'keyDown', ...base,
        text: text ?? named.text, unmodifiedText: text ?? named.text });
      await s('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
    },
    async type(text) {
      await s('Input.insertText', { text });
    },
    async screenshot(clip) {
      const params = { format: 'png', captureBeyondViewport: true };
      if (clip) params.clip = { scale: 1, ...clip };
      const r = await s('Page.captureScreenshot', params);
      return Buffer.from(r.data, 'base64');
    },
    waitEvent: (m, t) => waitEvent(m, sessionId, t),
    // Closes the page with its browser context (and stops listening).
    async close() {
      const i = listeners.indexOf(onMessage);
      if (i >= 0) listeners.splice(i, 1);
      await send('Target.disposeBrowserContext', { browserContextId });
    },
  };
  await s('Network.enable');
  await page.viewport(width, height);
  return page;
}
