import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { outbox, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

test('a customer WhatsApp shows by LID is answered as "number hidden", then merges into their number once WhatsApp reveals it', async ({ page }) => {
  const tenant = new Tenant('lid');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await linkNewAccount(page, linked.e164, 'Privado');
  const sim = new Simulator(page.request);
  const number = '+573005550123';
  const lid = `${Date.now()}`.slice(-13);

  // She wrote once from her number; now WhatsApp shows her only by LID.
  expect((await sim.message(linked.e164, { from: number, name: 'Vale', text: 'Pedido 1' })).status()).toBe(202);
  expect((await sim.message(linked.e164, { lid, name: 'Valentina', text: 'Pedido 2' })).status()).toBe(202);
  // A LID that isn't digits, or both or neither of from and lid, is refused with a reason.
  expect((await sim.message(linked.e164, { lid: 'abc', name: 'x', text: 'x' })).status()).toBe(422);
  expect((await sim.message(linked.e164, { name: 'x', text: 'x' })).status()).toBe(422);

  await page.goto('/inbox');
  const list = page.getByRole('list', { name: 'Conversations' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await list.getByRole('listitem').filter({ hasText: 'Valentina' }).getByRole('link').click();
  const thread = page.getByRole('list', { name: 'Messages' });
  await expect(thread).toContainText('Pedido 2');
  await expect(page.getByText(/^Number hidden by WhatsApp · via /)).toBeVisible();
  // The agent can answer her all the same: WhatsApp routes by the LID.
  await page.getByLabel('Reply').fill('¿Cuál pedido?');
  await page.keyboard.press('Enter');
  await expect(thread.getByRole('listitem').filter({ hasText: '¿Cuál pedido?' })).toHaveAttribute('data-status', 'delivered');
  expect((await outbox(page.request, linked.e164)).map((m) => m.to)).toEqual([`lid:${lid}`]);

  // WhatsApp reveals the number: one contact, one conversation, every message kept.
  expect((await sim.revealLid(linked.e164, lid, number)).ok()).toBe(true);
  await expect(list.getByRole('listitem')).toHaveCount(1);
  const merged = list.getByRole('listitem').first();
  await expect(merged).toContainText('Vale');
  await merged.getByRole('link').click();
  for (const text of ['Pedido 1', 'Pedido 2', '¿Cuál pedido?']) await expect(thread).toContainText(text);
  await expect(page.getByText(/^\+57 300 5550123 · via /)).toBeVisible();
  await expect(page.getByText('Number hidden by WhatsApp')).toHaveCount(0);

  // Her next message by LID lands in the same conversation.
  expect((await sim.message(linked.e164, { lid, name: 'Valentina', text: 'Pedido 3' })).status()).toBe(202);
  await expect(thread).toContainText('Pedido 3');
  await expect(list.getByRole('listitem')).toHaveCount(1);
});
