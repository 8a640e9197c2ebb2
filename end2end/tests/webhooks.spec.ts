import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

const WEBHOOKS_PATH = '/settings/company/webhooks';

/** A receiver on this machine: what it got, and the status it answers with. */
async function receiver() {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aurora`;
  return { got, state, url, close: () => server.close() };
}

/** What the operations guide tells receivers to do, with Node's own HMAC. */
function verified(secret: string, header: string, body: string): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2));
  const t = parts.find(([k]) => k === 't')?.[1] ?? '';
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  return parts.some(([k, v]) => k === 'v1' && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}

test('a global admin adds an endpoint, sees its secret once, tests it and gets signed events', async ({ page }) => {
  const hook = await receiver();
  try {
    const tenant = new Tenant('webhooks');
    await ChannelsPage.signedInAs(page, tenant.admin.email);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect(page).toHaveURL(WEBHOOKS_PATH);
    await expect(page.getByText('No endpoints yet.')).toBeVisible();

    // One added by mistake, removed again after a confirmation.
    await page.getByLabel('Endpoint URL').fill(`${hook.url}/mistake`);
    await page.getByLabel('A reply was delivered or read').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Signing secret' })).toBeVisible();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const mistake = page.getByRole('listitem').filter({ hasText: `${hook.url}/mistake` });
    await expect(mistake).toContainText('message.status_changed');
    await mistake.getByRole('button', { name: 'Remove' }).click();
    await mistake.getByRole('button', { name: 'Yes, remove' }).click();
    await expect(mistake).toHaveCount(0);
    await page.getByLabel('A reply was delivered or read').uncheck();

    await page.getByLabel('Endpoint URL').fill('ftp://example.com/x');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByRole('alert')).toContainText('https://');

    await page.getByLabel('Endpoint URL').fill(hook.url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secretBox = page.getByRole('status').filter({ hasText: 'Signing secret' }).getByRole('textbox');
    const secret = await secretBox.inputValue();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const endpoint = page.getByRole('listitem').filter({ hasText: hook.url });
    await expect(endpoint).toContainText('channel.status_changed');
    await expect(endpoint).toContainText('message.received');
    await expect(endpoint).toContainText('Active');

    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    await expect(endpoint.getByRole('status')).toContainText(/Delivered: answered 200 in \d+ ms/);
    expect(hook.got).toHaveLength(1);
    expect(verified(secret, String(hook.got[0].headers['aurora-signature']), hook.got[0].body)).toBe(true);
    expect(verified('whsec_wrong', String(hook.got[0].headers['aurora-signature']), hook.got[0].body)).toBe(false);
    expect(JSON.parse(hook.got[0].body).type).toBe('aurora.test');

    // A real event: a number linked.
    await page.goto('/settings/company/channels/whatsapp-web');
    await linkNewAccount(page, uniqueMexicanNumber().e164, 'Hooked Line');
    await expect.poll(() => hook.got.filter((g) => g.body.includes('"status":"connected"')).length).toBe(1);
    const connected = hook.got.find((g) => g.body.includes('"status":"connected"'))!;
    expect(verified(secret, String(connected.headers['aurora-signature']), connected.body)).toBe(true);
    const event = JSON.parse(connected.body);
    expect(event.type).toBe('channel.status_changed');
    expect(connected.headers['aurora-event-id']).toBe(event.id);

    // The log, and a failing receiver.
    await page.goto(WEBHOOKS_PATH);
    await expect(page.getByText('Signing secret')).toHaveCount(0);
    hook.state.status = 500;
    await endpoint.getByRole('button', { name: 'Delivery log' }).click();
    const log = endpoint.getByRole('table');
    await expect(log.getByRole('row').filter({ hasText: 'channel.status_changed' }).first()).toContainText('Delivered');
    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    await expect(endpoint.getByRole('status')).toContainText('Not delivered: answered 500');
    await expect(log.getByRole('row').nth(1)).toContainText('Failed');

    // Who added and removed which endpoint is in the audit log.
    await page.getByRole('link', { name: 'Audit log' }).click();
    const rows = page.getByRole('table').getByRole('row');
    await expect(rows.filter({ hasText: `Webhook ${hook.url}/mistake removed` })).toHaveCount(1);
    await expect(rows.filter({ hasText: `Webhook ${hook.url}/mistake added` })).toHaveCount(1);
    await expect(rows.filter({ hasText: `Webhook ${hook.url} added` })).toContainText('127.0.0.1');
  } finally {
    hook.close();
  }
});

test('a Channels Admin who is not a Global Admin has no Webhooks page', async ({ page }) => {
  const tenant = new Tenant('webhooks-denied');
  await ChannelsPage.signedInAs(page, tenant.elena.email);
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Webhooks' })).toHaveCount(0);
  const response = await page.goto(WEBHOOKS_PATH);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('Only global admins can manage webhooks');
});
