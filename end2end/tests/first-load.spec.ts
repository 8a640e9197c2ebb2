import { expect, test } from '../fixtures';
import { CHANNELS_PATH, linkNewAccount } from '../pages/channels-page';
import { LoginPage } from '../pages/login-page';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// The bundle reaches the browser compressed, under names that carry its content's hash, and
// a reload takes it from the browser's cache without asking the server: only the page
// itself comes again.

type Loaded = { url: string; bytes: number; encoding: string; cacheControl: string; fromCache: boolean };

/** Every response of the page as Chromium's network layer saw it: bytes on the wire included. */
async function watchNetwork(page: import('@playwright/test').Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = new Map<string, Loaded>();
  cdp.on('Network.responseReceived', (event) => {
    const headers = Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    seen.set(event.requestId, {
      url: event.response.url,
      bytes: 0,
      encoding: headers['content-encoding'] ?? '',
      cacheControl: headers['cache-control'] ?? '',
      fromCache: Boolean(event.response.fromDiskCache || event.response.fromPrefetchCache),
    });
  });
  cdp.on('Network.requestServedFromCache', (event) => {
    const loaded = seen.get(event.requestId);
    if (loaded) loaded.fromCache = true;
  });
  cdp.on('Network.loadingFinished', (event) => {
    const loaded = seen.get(event.requestId);
    if (loaded) loaded.bytes = event.encodedDataLength;
  });
  return {
    take() {
      const all = [...seen.values()];
      seen.clear();
      return all;
    },
  };
}

test('the bundle comes compressed under hashed names, and a reload takes it from the cache', async ({ page }) => {
  const network = await watchNetwork(page);
  await new LoginPage(page).goto();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // Hydrated: typing works through the WASM's handlers.
  await page.waitForLoadState('networkidle');
  const first = network.take();
  const bundle = first.filter((r) => r.url.includes('/pkg/'));
  // The main WASM, which every page loads first; lazy pages add their own parts.
  const wasm = bundle.find((r) => /\/pkg\/aurora\.[^/]*\.wasm$/.test(r.url));
  expect(wasm, JSON.stringify(bundle)).toBeTruthy();
  expect(wasm!.url).toMatch(/\/pkg\/aurora\.[A-Za-z0-9_-]{22}\.wasm$/);
  expect(['br', 'gzip']).toContain(wasm!.encoding);
  for (const file of bundle) {
    expect(file.cacheControl, file.url).toBe('public, max-age=31536000, immutable');
  }
  const raw = (await page.request.get(new URL(wasm!.url).pathname, { headers: { 'Accept-Encoding': 'identity' } })).body();
  expect(wasm!.bytes, 'the WASM travels compressed').toBeLessThan((await raw).length / 2);
  const page1 = first.find((r) => new URL(r.url).pathname === '/login')!;
  expect(page1.cacheControl).toBe('no-cache');

  // A reload asks for the page again, and for nothing of the bundle.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  const second = network.take();
  const fetched = second.filter((r) => r.url.includes('/pkg/') && !r.fromCache && r.bytes > 0);
  expect(fetched, JSON.stringify(second)).toEqual([]);
  const total = second.reduce((sum, r) => sum + r.bytes, 0);
  expect(total, JSON.stringify(second)).toBeLessThan(15_000);

  // And the page still works.
  await new LoginPage(page).signIn('ana@demo.test');
  await expect(page).toHaveURL(CHANNELS_PATH);
});

test('each page fetches its own part of the bundle, and a dialog or panel its part when first opened', async ({ browser }) => {
  const tenant = new Tenant('parts');
  const page = await browser.newPage();
  const network = await watchNetwork(page);
  const parts = () =>
    network
      .take()
      .map((r) => new URL(r.url).pathname)
      .filter((p) => p.endsWith('.wasm') && !/^\/pkg\/aurora\./.test(p));
  const lazy = (fetched: string[], name: string) => fetched.some((p) => p.startsWith(`/pkg/split_${name}`));

  await new LoginPage(page).goto();
  await page.waitForLoadState('networkidle');
  const login = parts();
  expect(lazy(login, '__login_route_view'), login.join(' ')).toBe(true);
  for (const other of ['__inbox_route_view', '__audit_log_route_view', '__webhooks_route_view', 'setup_wizard']) {
    expect(lazy(login, other), `${other} in ${login.join(' ')}`).toBe(false);
  }

  // The Channels page is in the main part: a signed-in admin's page needs no part of its own.
  await new LoginPage(page).signIn(tenant.admin.email);
  await expect(page).toHaveURL(CHANNELS_PATH);
  const card = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Partes SA');
  await page.waitForLoadState('networkidle');
  const channels = parts();
  const onRequest = ['setup_wizard', 'history_entries', 'session_figures', 'confirm_dialog', 'delete_dialog'];
  for (const other of ['__inbox_route_view', '__conversation_route_view', '__audit_log_route_view', '__webhooks_route_view', ...onRequest]) {
    expect(lazy(channels, other), `${other} in ${channels.join(' ')}`).toBe(false);
  }

  // What a card opens on request brings its part the first time, and works.
  await card.getByRole('button', { name: 'History', exact: true }).click();
  await expect(card.getByRole('region', { name: 'History' }).getByRole('listitem').last()).toContainText('Added by');
  expect(lazy(parts(), 'history_entries')).toBe(true);
  await card.getByRole('button', { name: 'Details' }).click();
  await expect(card.locator('.session-details').getByRole('figure')).toContainText('in the last 24 hours');
  expect(lazy(parts(), 'session_figures')).toBe(true);
  await card.getByRole('button', { name: 'Disconnect' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  expect(lazy(parts(), 'confirm_dialog')).toBe(true);
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);

  // The wizard's part comes with the first wizard, and the wizard works.
  await card.getByRole('button', { name: 'Setup' }).click();
  const wizard = page.getByRole('dialog', { name: 'Set up WhatsApp Web account' });
  await expect(wizard.getByText('Step 3 of 5')).toBeVisible();
  expect(lazy(parts(), 'setup_wizard')).toBe(true);
  await page.keyboard.press('Escape');
  await expect(wizard).toHaveCount(0);
  await card.getByRole('button', { name: 'Setup' }).click();
  await expect(wizard.getByText('Step 3 of 5')).toBeVisible();
  expect(parts(), 'the second wizard needs nothing new').toEqual([]);
});

test("a page opened with a Connecting card names the linking panel's files in its head, and shows the QR from them", async ({ page }) => {
  const tenant = new Tenant('preload');
  await new LoginPage(page).goto();
  await new LoginPage(page).signIn(tenant.admin.email);
  await expect(page).toHaveURL(CHANNELS_PATH);
  const preloads = async () => {
    const html = await (await page.request.get(CHANNELS_PATH)).text();
    const links = [...html.matchAll(/<link [^>]*>/g)].map((m) => m[0]).filter((tag) => tag.includes('rel="preload"'));
    return links.map((tag) => /href="([^"]+)"/.exec(tag)?.[1] ?? tag).filter((href) => href.endsWith('.wasm'));
  };
  const linkingPart = (hrefs: string[]) => hrefs.filter((href) => href.startsWith('/pkg/split_linking_panel_'));
  // No Connecting card: the page asks for no part ahead.
  expect(linkingPart(await preloads())).toEqual([]);

  await page.getByRole('button', { name: 'Add' }).click();
  const qr = page.getByRole('img', { name: 'WhatsApp QR code' });
  await expect(qr).toBeVisible();
  const named = await preloads();
  expect(linkingPart(named), named.join(' ')).toHaveLength(1);
  expect(new Set(named).size, `each file once: ${named.join(' ')}`).toBe(named.length);
  // Every time, not now and then (Leptos's own links came with 3 pages of 8).
  for (let again = 0; again < 8; again++) expect(await preloads()).toEqual(named);
  for (const href of named) {
    const file = await page.request.get(href);
    expect(file.status(), href).toBe(200);
    expect(file.headers()['content-type'], href).toBe('application/wasm');
  }

  // Opened afresh, the card shows its QR with the files the head named, fetched once each.
  const network = await watchNetwork(page);
  await page.reload();
  await expect(qr).toBeVisible();
  const fetched = network
    .take()
    .map((r) => new URL(r.url).pathname)
    .filter((p) => p.endsWith('.wasm') && !/^\/pkg\/aurora\./.test(p));
  for (const href of named.filter((href) => !/^\/pkg\/aurora\./.test(href))) expect(fetched, href).toContain(href);
  expect(new Set(fetched).size, fetched.join(' ')).toBe(fetched.length);
});

test("a lazy page's HTML names its part's files, every time, and each once", async ({ page }) => {
  const tenant = new Tenant('page-preload');
  const named = async (path: string) => {
    const html = await (await page.request.get(path)).text();
    const links = [...html.matchAll(/<link [^>]*>/g)].map((m) => m[0]);
    return {
      parts: links.filter((tag) => tag.includes('rel="preload"')).map((tag) => /href="([^"]+)"/.exec(tag)?.[1] ?? tag),
      loader: links.filter((tag) => tag.includes('rel="modulepreload"') && tag.includes('/pkg/__wasm_split.')),
    };
  };
  const login = await named('/login');
  expect(login.parts.filter((href) => href.startsWith('/pkg/split___login_route_view_')), login.parts.join(' ')).toHaveLength(1);
  expect(login.loader).toHaveLength(1);
  for (let again = 0; again < 5; again++) expect(await named('/login')).toEqual(login);

  await new LoginPage(page).goto();
  await new LoginPage(page).signIn(tenant.admin.email);
  await expect(page).toHaveURL(CHANNELS_PATH);
  const inbox = await named('/inbox');
  expect(inbox.parts.filter((href) => href.startsWith('/pkg/split___inbox_route_view_')), inbox.parts.join(' ')).toHaveLength(1);
  expect(inbox.parts.some((href) => href.startsWith('/pkg/split___login_route_view_')), 'nothing of another page').toBe(false);
  expect(new Set(inbox.parts).size).toBe(inbox.parts.length);
  for (let again = 0; again < 5; again++) expect(await named('/inbox')).toEqual(inbox);
  // The files named are there.
  for (const href of inbox.parts) expect((await page.request.get(href)).status(), href).toBe(200);
});
