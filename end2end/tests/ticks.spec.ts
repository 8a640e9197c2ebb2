import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

test('a reply shows WhatsApp ticks, delivered then read in blue, with each time in words; opening the chat tells the customer', async ({ page }) => {
  const tenant = new Tenant('ticks');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await linkNewAccount(page, linked.e164, 'Palomitas');
  const sim = new Simulator(page.request);
  const customer = '+573005550177';
  expect((await sim.message(linked.e164, { from: customer, name: 'Renata', text: '¿Hacen envíos?' })).status()).toBe(202);

  await page.goto('/inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Renata' }).getByRole('link').click();
  // The agent read it: the customer's phone is told, once.
  await expect.poll(async () => (await sim.readMarks(linked.e164)).map((m) => m.chat), { timeout: 10_000 }).toEqual([customer]);

  await page.getByLabel('Reply').fill('Sí, a todo el país.');
  await page.keyboard.press('Enter');
  const bubble = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'Sí, a todo el país.' });
  const status = bubble.locator('.status');
  // Delivered at once by the customer's phone: two grey ticks, and the words say so.
  await expect(bubble).toHaveAttribute('data-status', 'delivered');
  await expect(status.locator('.ticks')).toHaveText('✓✓');
  await expect(status).not.toHaveClass(/\bread\b/);
  await expect(status).toHaveAttribute('title', /^Sent \d\d:\d\d, Delivered \d\d:\d\d$/);

  // The customer reads it: blue, live, without a reload.
  expect((await sim.read(linked.e164, customer)).ok()).toBe(true);
  await expect(bubble).toHaveAttribute('data-status', 'read');
  await expect(status).toHaveClass(/\bread\b/);
  await expect(status).toHaveAttribute('title', /^Sent \d\d:\d\d, Delivered \d\d:\d\d, Read \d\d:\d\d$/);
  await expect(status).toContainText('Read: Sent');
  // Not colour alone: the state is text a screen reader reads, and focus reaches it.
  await status.focus();
  await expect(status).toBeFocused();
  expect(await status.evaluate((el) => getComputedStyle(el.querySelector('.ticks')!).color)).toBe('rgb(26, 115, 232)');
  expect((await sim.readMarks(linked.e164)).length).toBe(1);
});
