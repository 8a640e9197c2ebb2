// `make bench-web`, the browser's rows: what a signed-in channels admin downloads to reach a
// working Channels page, on a first visit and after a reload, and how long until Add works
// on an emulated slow 4G link with an empty cache. Chromium's own network layer counts the
// bytes (CDP `Network.loadingFinished`: encoded, headers included).
//
// node bench/first-load.mjs BASE_URL SIGN_IN_TOKEN [RUNS]
import { chromium } from '@playwright/test';

const [base, token, runsArg] = process.argv.slice(2);
if (!base || !token) {
  console.error('usage: node bench/first-load.mjs BASE_URL SIGN_IN_TOKEN [RUNS]');
  process.exit(2);
}
const runs = Number(runsArg ?? 5);
const CHANNELS = '/settings/company/channels/whatsapp-web';
// What the issue calls slow 4G: 1.6 Mbps down, 750 kbps up, 150 ms round trip.
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const BUNDLE_TYPES = new Set(['Document', 'Script', 'Stylesheet', 'Fetch', 'Other', 'Preload']);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

/** A browser context signed in as the bench admin, with CDP watching its one page. */
async function signedInPage() {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'aurora_session', value: token, url: base }]);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const responses = new Map();
  cdp.on('Network.responseReceived', (event) => {
    responses.set(event.requestId, { url: event.response.url, type: event.type, bytes: 0, cached: event.response.fromDiskCache });
  });
  cdp.on('Network.loadingFinished', (event) => {
    const seen = responses.get(event.requestId);
    if (seen) seen.bytes = event.encodedDataLength;
  });
  return {
    context,
    page,
    cdp,
    errors,
    /** Bytes of the page, its scripts, WASM and styles since the last call (live streams never finish, so never count). */
    take() {
      const all = [...responses.values()].filter((r) => BUNDLE_TYPES.has(r.type) && !new URL(r.url).pathname.startsWith('/api/'));
      responses.clear();
      return { bytes: all.reduce((sum, r) => sum + r.bytes, 0), files: all };
    },
  };
}

/**
 * Navigates (or reloads), clicks Add once the page has hydrated (the app marks `<html
 * data-hydrated>`), and answers when the new card counted: the page's own clock, in
 * milliseconds from the start of its navigation. Both waits look on every frame: Playwright's
 * own waits back off to half a second between looks, which measured the bench, not the page.
 */
async function untilAddWorks(page, load) {
  await load();
  const usage = page.locator('#channel-usage');
  await usage.waitFor();
  const before = await usage.textContent();
  await page.waitForFunction(() => document.documentElement.hasAttribute('data-hydrated'), null, { polling: 'raf', timeout: 60_000 });
  const add = page.getByRole('button', { name: 'Add', exact: true });
  for (let tries = 0; ; tries++) {
    await add.click({ timeout: 30_000 });
    try {
      const counted = await page.waitForFunction(
        (text) => document.querySelector('#channel-usage')?.textContent !== text && performance.now(),
        before,
        { polling: 'raf', timeout: 2_000 },
      );
      return Math.round(await counted.jsonValue());
    } catch {
      if (tries >= 10) throw new Error('Add never worked');
    }
  }
}

/** Waits until every Connecting card shows its panel (the QR), not the placeholder: the lazy part is in. */
async function panelsShown(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('.linking')].every((panel) => panel.querySelector('.qr-side')), null, { timeout: 30_000 });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const p99 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.round((values.length - 1) * 0.99))];
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

// Bytes, on an unthrottled link: the first visit, then a reload with the cache warm. Each
// counts until Add worked and the card it made shows its QR (the linking panel is a lazy
// part), so what one visit fetched is never counted in the next.
{
  const visit = await signedInPage();
  await untilAddWorks(visit.page, () => visit.page.goto(base + CHANNELS, { waitUntil: 'commit' }));
  await panelsShown(visit.page);
  const first = visit.take();
  await untilAddWorks(visit.page, () => visit.page.reload({ waitUntil: 'commit' }));
  await panelsShown(visit.page);
  const second = visit.take();
  const fetched = second.files.filter((f) => f.bytes > 0).map((f) => new URL(f.url).pathname);
  console.log(`first visit, bytes to a working Channels page (Add worked, its card's QR shown): ${first.bytes} (${kb(first.bytes)}; budget 400 KB) in ${first.files.length} responses`);
  for (const file of first.files) console.log(`    ${file.bytes}\t${new URL(file.url).pathname}`);
  console.log(`second visit (reload), bytes: ${second.bytes} (${kb(second.bytes)}; budget 15 KB), fetched: ${fetched.join(' ')}`);
  if (visit.errors.length) throw new Error(`page errors: ${visit.errors.join('; ')}`);
  await visit.context.close();
}

// Time until Add works on slow 4G, empty cache each run.
const times = [];
for (let run = 0; run < runs; run++) {
  const visit = await signedInPage();
  await visit.cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  times.push(await untilAddWorks(visit.page, () => visit.page.goto(base + CHANNELS, { waitUntil: 'commit' })));
  if (visit.errors.length) throw new Error(`page errors: ${visit.errors.join('; ')}`);
  await visit.context.close();
}
console.log(`slow 4G (1.6 Mbps, 150 ms), empty cache, until Add works: median ${median(times)} ms, p99 ${p99(times)} ms over ${runs} runs (budget 3000 ms): ${times.join(' ')}`);
await browser.close();
