import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { outbox, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

test('a reply written while the channel cannot reach WhatsApp waits with a clock and goes out once when it is back', async ({ page }) => {
  test.setTimeout(90_000);
  const tenant = new Tenant('queued');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber().e164;
  await linkNewAccount(page, linked, 'Sin Señal');
  const sim = new Simulator(page.request);
  expect((await sim.message(linked, { from: '+573005550177', name: 'Marta', text: '¿Llegó mi pedido?' })).status()).toBe(202);
  await page.goto('/inbox');
  const row = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Marta' });
  await row.getByRole('link').click();
  // The click may be a navigation still under way: read the id once the address shows it.
  await expect(page).toHaveURL(/\/inbox\/\d+$/);
  const id = page.url().split('/').pop()!;

  // The phone loses its network: the chat says so above the reply box.
  expect((await sim.phoneNetwork(linked, false)).status()).toBe(200);
  await expect
    .poll(async () => (await (await page.request.post('/api/load_conversation', { form: { id } })).json()).reconnecting, { timeout: 15_000 })
    .toBe(true);
  await page.reload();
  await expect(page.getByText('This channel is reconnecting to WhatsApp.', { exact: false })).toBeVisible();

  const reply = page.getByLabel('Reply');
  await reply.fill('Sí, sale hoy.');
  await reply.press('Enter');
  const thread = page.getByRole('list', { name: 'Messages' });
  const waiting = thread.getByRole('listitem').filter({ hasText: 'Sí, sale hoy.' });
  await expect(waiting).toContainText('🕓 Waiting for the channel');
  await expect(waiting).toHaveAttribute('data-status', 'queued');
  await expect(reply).toHaveValue('');
  expect((await outbox(page.request, linked)).map((m) => m.text)).not.toContain('Sí, sale hoy.');
  await expect(row.getByText('⚠ Not sent')).toHaveCount(0);

  // The network is back: the session reconnects and the reply goes out by itself, once.
  expect((await sim.phoneNetwork(linked, true)).status()).toBe(200);
  await expect(waiting).toContainText('Sent', { timeout: 40_000 });
  await expect(page.getByText('This channel is reconnecting to WhatsApp.', { exact: false })).toBeHidden();
  await page.waitForTimeout(1_500);
  expect((await outbox(page.request, linked)).filter((m) => m.text === 'Sí, sale hoy.')).toHaveLength(1);
});
