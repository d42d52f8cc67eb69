#!/usr/bin/env node
// css_contrast.mjs: checks the WCAG 2.x contrast of web/static/app.css's
// palette in both themes. The light theme is the first `:root { }` block;
// the dark theme is the `:root { }` inside `@media (prefers-color-scheme:
// dark)`, layered over the light one. Pairs are found by convention:
//   --X-fg with --X-bg                   text on its own background (4.5)
//   --text, --text-muted, --link, --danger-text, --success-text on every
//   surface (--bg, --surface, --surface-2, --surface-3)          (4.5)
//   --focus on every surface (non-text, WCAG 1.4.11)              (3.0)
//   --border-strong (input borders) on the surfaces                (3.0)
//   plus the explicit pairs of `extra` below (hover states, invalid
//   inputs, table headers).
// Usage: node css_contrast.mjs [app.css] [--print]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ||
    path.join(here, '..', '..', 'web', 'static', 'app.css');
const print = args.includes('--print');
const css = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

function block(src, start) {
  // the body of the { } block opening at or after index start
  const open = src.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

function vars(body) {
  const out = {};
  for (const m of body.matchAll(/(--[a-z0-9-]+)\s*:\s*([^;]+);/g))
    out[m[1]] = m[2].trim();
  return out;
}

const lightAt = css.search(/(^|\n)\s*:root\s*\{/);
if (lightAt < 0) throw new Error('no :root block');
const light = vars(block(css, lightAt));
const mediaAt = css.search(/@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)/);
if (mediaAt < 0) throw new Error('no prefers-color-scheme: dark block');
const media = block(css, mediaAt);
const darkRoot = media.search(/:root\s*\{/);
if (darkRoot < 0) throw new Error('no :root inside the dark block');
const dark = { ...light, ...vars(block(media, darkRoot)) };

function resolve(theme, name, seen = new Set()) {
  const v = theme[name];
  if (v === undefined) return undefined;
  const m = v.match(/^var\((--[a-z0-9-]+)\)$/);
  if (m) {
    if (seen.has(m[1])) throw new Error('var cycle at ' + name);
    seen.add(m[1]);
    return resolve(theme, m[1], seen);
  }
  return v;
}

function rgb(v) {
  let m = v.match(/^#([0-9a-f]{6})$/i);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  m = v.match(/^#([0-9a-f]{3})$/i);
  if (m) return [...m[1]].map((c) => parseInt(c + c, 16));
  if (v === 'white' || v === '#fff') return [255, 255, 255];
  if (v === 'black') return [0, 0, 0];
  return null;
}

function lum([r, g, b]) {
  const f = (c) => {
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

function ratio(a, b) {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const surfaces = ['--bg', '--surface', '--surface-2', '--surface-3'];
const texts = ['--text', '--text-muted', '--link', '--danger-text',
               '--success-text', '--warning-text'];
const extra = [
  ['--primary-fg', '--primary-hover', 4.5],
  ['--danger-btn-fg', '--danger-btn-hover', 4.5],
  ['--button-fg', '--button-hover', 4.5],
  ['--text', '--alert-error-bg', 4.5],       // [aria-invalid] inputs
  ['--danger-text', '--alert-error-bg', 3],  // their border
  ['--alert-error-fg', '--alert-error-bg', 4.5],
  ['--link', '--button-bg', 4.5],            // pagination links
  ['--text-muted', '--button-bg', 4.5],
  ['--nav-current-fg', '--nav-current-bg', 4.5],
  ['--code-fg', '--code-bg', 4.5],
  ['--focus', '--primary-bg', 1],            // listed for --print only
];
let failures = 0;
let checked = 0;

function check(themeName, theme, fg, bg, min) {
  const fv = resolve(theme, fg);
  const bv = resolve(theme, bg);
  if (fv === undefined || bv === undefined) return;
  const f = rgb(fv);
  const b = rgb(bv);
  if (!f || !b) {
    console.log(`${themeName}: ${fg} (${fv}) / ${bg} (${bv}): not a hex colour`);
    failures++;
    return;
  }
  const r = ratio(f, b);
  checked++;
  const bad = r < min;
  if (bad) failures++;
  if (bad || print)
    console.log(`${bad ? 'FAIL' : 'ok  '} ${themeName.padEnd(5)} ` +
                `${r.toFixed(2).padStart(5)} >= ${min}  ${fg} ${fv} on ${bg} ${bv}`);
}

for (const [name, theme] of [['light', light], ['dark', dark]]) {
  for (const s of surfaces) {
    for (const t of texts) check(name, theme, t, s, 4.5);
    check(name, theme, '--focus', s, 3);
    check(name, theme, '--border-strong', s, 3);
  }
  for (const [fg, bg, min] of extra) check(name, theme, fg, bg, min);
  for (const k of Object.keys(theme)) {
    const m = k.match(/^(--.+)-fg$/);
    if (m && theme[m[1] + '-bg'] !== undefined)
      check(name, theme, k, m[1] + '-bg', 4.5);
  }
}

if (checked < 40) {
  console.log(`only ${checked} pairs found: is the palette still in app.css?`);
  failures++;
}
console.log(`contrast: ${checked} pairs checked, ${failures} failing`);
process.exit(failures ? 1 : 0);
