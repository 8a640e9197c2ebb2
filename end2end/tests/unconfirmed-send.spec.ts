import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { outbox, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

const QUESTION = 'This message may already have been delivered. Send again?';

test('a reply WhatsApp never confirmed says it may have gone out, and Retry asks before sending it again', async ({ page }) => {
  const tenant = new Tenant('unconfirmed');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await linkNewAccount(page, linked.e164, 'Lento');
  const sim = new Simulator(page.request);
  expect((await sim.message(linked.e164, { from: '+573005550177', name: 'Renata', text: '¿Siguen abiertos?' })).status()).toBe(202);

  await page.goto('/inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Renata' }).getByRole('link').click();
  const thread = page.getByRole('list', { name: 'Messages' });
  await expect(thread).toContainText('¿Siguen abiertos?');

  // The phone's network is slow: the send reaches WhatsApp but is confirmed only after 6 s,
  // past the server's 3 s timeout (AURORA_SEND_TIMEOUT_SECS in the test server).
  expect((await sim.sendDelay(linked.e164, 6000)).status()).toBe(200);
  await page.getByLabel('Reply').fill('Sí, hasta las 8');
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = thread.getByRole('listitem').filter({ hasText: 'Sí, hasta las 8' });
  await expect(reply).toContainText('Not confirmed');
  await expect(reply).toContainText('check with the contact');
  // The list beside the chat flags the conversation until the reply is settled.
  const row = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Renata' });
  await expect(row.getByText('⚠ Not sent')).toBeVisible();
  // It did go out, once.
  await expect.poll(async () => (await outbox(page.request, linked.e164)).length, { timeout: 10_000 }).toBe(1);
  expect((await sim.sendDelay(linked.e164, 0)).status()).toBe(200);

  // Retry asks first; "Cancel" sends nothing.
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await reply.getByRole('button', { name: 'Retry' }).click();
  await expect.poll(() => asked).toBe(QUESTION);
  await expect(reply).toContainText('Not confirmed');
  expect((await outbox(page.request, linked.e164)).length).toBe(1);

  // "OK" sends it again, on purpose.
  page.once('dialog', (dialog) => void dialog.accept());
  await reply.getByRole('button', { name: 'Retry' }).click();
  await expect(reply).toContainText('Sent');
  await expect(reply).not.toContainText('Not confirmed');
  await expect(row.getByText('⚠ Not sent')).toHaveCount(0);
  const texts = (await outbox(page.request, linked.e164)).map((m) => m.text);
  expect(texts).toEqual(['Sí, hasta las 8', 'Sí, hasta las 8']);
});
