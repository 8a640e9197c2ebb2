import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type CDPSession } from '@playwright/test';
import { expect, test } from '../fixtures';
import { baseURL } from '../playwright.config';
import { accountCards, ChannelsPage, scanNewAccount } from '../pages/channels-page';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// WebAuthn needs a secure context and a domain for its relying party: "localhost" is both,
// an IP address is neither. The passkey itself is registered for "localhost" here; on
// WhatsApp's site the extension asks for WhatsApp's own relying party instead.
test.use({ baseURL: baseURL.replace('127.0.0.1', 'localhost') });

/** A virtual authenticator (Chromium's WebAuthn domain) holding a passkey made for `rpId`. */
async function addPasskey(cdp: CDPSession, rpId: string): Promise<string> {
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: randomBytes(16).toString('base64'),
      isResidentCredential: true,
      rpId,
      privateKey: Buffer.from(key).toString('base64'),
      userHandle: Buffer.from(`user-${rpId}`).toString('base64'),
      signCount: 0,
    },
  });
  return authenticatorId;
}

test('a number protected by a passkey links through the hand-off: passkey step, one-time code, code to confirm, Connected', async ({ page }) => {
  const tenant = new Tenant('passkey');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await scanNewAccount(page, linked.e164, 'Llavero', { passkey: true });
  // Not linked yet, the card has no business name: it is the tenant's only one.
  const card = accountCards(page).first();

  // The card says what WhatsApp wants, and gives the one-time code for the extension.
  await expect(card.getByRole('status').filter({ hasText: 'WhatsApp asks for your passkey' })).toBeVisible();
  const handoff = card.getByLabel('One-time passkey code');
  const code = (await handoff.textContent())!.trim();
  expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
  await expect(card.getByRole('button', { name: 'Cancel' })).toBeVisible();

  // A passkey for this site, on a virtual authenticator.
  const cdp = await page.context().newCDPSession(page);
  const authenticatorId = await addPasskey(cdp, 'localhost');

  // The extension's own hand-off code, run in this page as its panel runs it on WhatsApp's
  // (like a content script, outside the page's Content Security Policy).
  await page.evaluate(readFileSync(path.join(__dirname, '..', '..', 'extension', 'handoff.js'), 'utf8'));
  const wrong = await page.evaluate(async () => {
    const send = async (method: string, url: string, body?: string) => {
      const r = await fetch(url, { method, body, headers: body ? { 'Content-Type': 'application/json' } : {} });
      return { status: r.status, text: await r.text() };
    };
    return (globalThis as any).AuroraHandoff.handOff({ aurora: location.origin, code: 'not-the-code', send, rpId: 'localhost' });
  });
  expect(wrong).toEqual({ ok: false, say: ['unknownCode'] });
  const result = await page.evaluate(async (code) => {
    const send = async (method: string, url: string, body?: string) => {
      const r = await fetch(url, { method, body, headers: body ? { 'Content-Type': 'application/json' } : {} });
      return { status: r.status, text: await r.text() };
    };
    return (globalThis as any).AuroraHandoff.handOff({ aurora: location.origin, code, send, rpId: 'localhost' });
  }, code);
  expect(result).toEqual({ ok: true, say: ['done'] });
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials[0].signCount, 'the passkey really signed').toBe(1);

  // WhatsApp took it: the phone shows a code, the card asks to confirm it there.
  const confirm = card.getByRole('status').filter({ hasText: /^Confirm this code on your phone: [A-Z0-9]{4}-[A-Z0-9]{4}$/ });
  await expect(confirm).toBeVisible();
  await expect(handoff).toHaveCount(0);
  const confirmed = await page.request.post(`/simulator/api/phones/${encodeURIComponent(linked.e164)}/confirm-passkey`);
  expect(confirmed.ok()).toBe(true);
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();
  await expect(card).toContainText('Llavero');
});

/** The extension's panel in the browser's language (`_locales`). */
const panels = [
  { lang: 'en-US', panel: 'Aurora passkey hand-off', address: 'Aurora address', code: 'One-time code from the channel card', use: 'Use my passkey', done: /^Done\. Aurora handed your passkey to WhatsApp/ },
  { lang: 'pt-BR', panel: 'Aurora: entrega da chave de acesso', address: 'Endereço do Aurora', code: 'Código de uso único do cartão do canal', use: 'Usar minha chave de acesso', done: /^Pronto\. O Aurora entregou sua chave de acesso ao WhatsApp/ },
];

for (const words of panels) test(`the extension itself, loaded in a Chromium in ${words.lang}, answers on web.whatsapp.com with the passkey made for that site`, async ({ browserName }, testInfo) => {
  expect(browserName).toBe('chromium');
  const base = baseURL.replace('127.0.0.1', 'localhost');
  const extension = path.join(__dirname, '..', '..', 'extension');
  const context = await chromium.launchPersistentContext(testInfo.outputPath('profile'), {
    executablePath: '/usr/bin/chromium',
    baseURL: base,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', `--lang=${words.lang}`,
      `--disable-extensions-except=${extension}`, `--load-extension=${extension}`,
    ],
  });
  const problems: string[] = [];
  context.on('page', (p) => {
    p.on('pageerror', (e) => problems.push(`${p.url()}: ${e.message}`));
    p.on('console', (m) => { if (m.type() === 'error') problems.push(`${p.url()}: ${m.text()}`); });
  });
  try {
    if (context.serviceWorkers().length === 0) await context.waitForEvent('serviceworker');
    const tenant = new Tenant('extension');
    const page = await context.newPage();
    await ChannelsPage.signedInAs(page, tenant.admin.email);
    const linked = uniqueMexicanNumber();
    await scanNewAccount(page, linked.e164, 'Extensión', { passkey: true });
    const card = accountCards(page).first();
    const code = (await card.getByLabel('One-time passkey code').textContent())!.trim();

    // WhatsApp's site (served here, no internet) with a passkey made for it.
    const whatsapp = await context.newPage();
    await whatsapp.route('https://web.whatsapp.com/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>WhatsApp</title><h1>WhatsApp</h1>' }));
    await addPasskey(await context.newCDPSession(whatsapp), 'web.whatsapp.com');
    await whatsapp.goto('https://web.whatsapp.com/');
    const panel = whatsapp.getByRole('complementary', { name: words.panel });
    await panel.getByLabel(words.address).fill(base);
    await panel.getByLabel(words.code).fill(code);
    await panel.getByRole('button', { name: words.use }).click();
    await expect(panel.getByRole('status')).toHaveText(words.done);

    await expect(card.getByRole('status').filter({ hasText: /^Confirm this code on your phone: / })).toBeVisible();
    expect((await page.request.post(`/simulator/api/phones/${encodeURIComponent(linked.e164)}/confirm-passkey`)).ok()).toBe(true);
    await expect(card.getByText('Connected', { exact: true })).toBeVisible();
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
