// A new release never leaves a browser on the old bundle: build, visit, change the styles,
// build again, restart, and the same browser (its cache full of the first build) loads the
// new stylesheet under its new hash, while the unchanged WASM keeps its name (and stays cached).
// Puts the first build's files back at the end, whatever happened.
//
// node release/new-release.mjs   (from end2end/, after `make build`)
import { chromium } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const target = path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
const server = path.join(target, 'release', 'aurora');
const hashFile = path.join(target, 'release', 'hash.txt');
const site = path.join(root, 'target', 'site');
const style = path.join(root, 'style', 'main.css');
const scratch = mkdtempSync(path.join(tmpdir(), 'aurora-release-'));

function fail(message) {
  throw new Error(`new release: ${message}`);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the release server on a fresh database; answers its base URL and a stop function. */
async function start(port) {
  const child = spawn(server, [], {
    cwd: root,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: site,
      DATABASE_URL: `sqlite://${scratch}/aurora.db`,
      AURORA_MEDIA_DIR: path.join(scratch, 'media'),
      AURORA_DEMO: '1',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${base}/login`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

/** What the login page loads: its stylesheet and WASM addresses, and the probe's value. */
async function visit(page, base) {
  await page.goto(`${base}/login`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.waitForLoadState('networkidle');
  return page.evaluate(() => ({
    stylesheet: document.querySelector('link[rel="stylesheet"]')?.getAttribute('href'),
    wasm: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).find((p) => /^\/pkg\/aurora\.[^/]*\.wasm$/.test(p)),
    wasmFromCache: performance.getEntriesByType('resource').find((e) => /\/pkg\/aurora\.[^/]*\.wasm$/.test(e.name))?.transferSize === 0,
    probe: getComputedStyle(document.documentElement).getPropertyValue('--release-probe').trim(),
  }));
}

const original = readFileSync(style, 'utf8');
cpSync(path.join(site, 'pkg'), path.join(scratch, 'pkg'), { recursive: true });
cpSync(hashFile, path.join(scratch, 'hash.txt'));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
let status = 0;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  const port = await freePort();
  let running = await start(port);
  const before = await visit(page, running.base);
  if (!before.stylesheet?.match(/^\/pkg\/aurora\.[\w-]{22}\.css$/)) fail(`first stylesheet ${before.stylesheet}`);
  if (before.probe !== '') fail('the probe is in the first build already');
  await running.stop();

  // The release: a change to the styles, built the way `make build` builds.
  writeFileSync(style, `${original}\n:root { --release-probe: 1; }\n`);
  try {
    execFileSync('cargo', ['leptos', 'build', '--release', '--precompress', '--split'], { cwd: root, stdio: 'inherit' });
  } finally {
    writeFileSync(style, original);
  }

  running = await start(port);
  const after = await visit(page, running.base);
  await running.stop();
  if (after.stylesheet === before.stylesheet) fail(`the stylesheet kept its name ${after.stylesheet}`);
  if (after.probe !== '1') fail(`the browser kept the old styles (probe "${after.probe}", ${after.stylesheet})`);
  if (after.wasm !== before.wasm) fail(`the unchanged WASM changed name: ${before.wasm} -> ${after.wasm}`);
  if (!after.wasmFromCache) fail('the unchanged WASM was downloaded again');
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  console.log(`new release: stylesheet ${before.stylesheet} -> ${after.stylesheet}, applied; ${after.wasm} kept and taken from the cache`);
} catch (error) {
  console.error(String(error));
  status = 1;
} finally {
  await browser.close();
  // The first build again, for whatever runs next.
  rmSync(path.join(site, 'pkg'), { recursive: true, force: true });
  cpSync(path.join(scratch, 'pkg'), path.join(site, 'pkg'), { recursive: true });
  cpSync(path.join(scratch, 'hash.txt'), hashFile);
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);
