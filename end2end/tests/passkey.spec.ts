import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '../fixtures';
import { baseURL } from '../playwright.config';
import { accountCards, ChannelsPage, scanNewAccount } from '../pages/channels-page';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// WebAuthn needs a secure context and a domain for its relying party: "localhost" is both,
// an IP address is neither. The passkey itself is registered for "localhost" here; on
// WhatsApp's site the extension asks for WhatsApp's own relying party instead.
test.use({ baseURL: baseURL.replace('127.0.0.1', 'localhost') });

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

  // A virtual authenticator holding a passkey for this site (Chromium's WebAuthn domain).
  const cdp = await page.context().newCDPSession(page);
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
      rpId: 'localhost',
      privateKey: Buffer.from(key).toString('base64'),
      userHandle: Buffer.from('aurora-e2e').toString('base64'),
      signCount: 0,
    },
  });

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
  expect(wrong).toEqual({ ok: false, message: expect.stringContaining('does not know this code') });
  const result = await page.evaluate(async (code) => {
    const send = async (method: string, url: string, body?: string) => {
      const r = await fetch(url, { method, body, headers: body ? { 'Content-Type': 'application/json' } : {} });
      return { status: r.status, text: await r.text() };
    };
    return (globalThis as any).AuroraHandoff.handOff({ aurora: location.origin, code, send, rpId: 'localhost' });
  }, code);
  expect(result).toEqual({ ok: true, message: expect.stringContaining('Done') });
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
