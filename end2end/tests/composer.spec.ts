import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { outbox, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

test('as in WhatsApp, Enter sends the reply and Shift+Enter starts a new line', async ({ page }) => {
  const tenant = new Tenant('composer');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await linkNewAccount(page, linked.e164, 'Teclado');
  const sim = new Simulator(page.request);
  expect((await sim.message(linked.e164, { from: '+573005550133', name: 'Tomás', text: '¿A qué hora abren?' })).status()).toBe(202);

  await page.goto('/inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Tomás' }).getByRole('link').click();
  const reply = page.getByLabel('Reply');
  await reply.click();
  await page.keyboard.type('Abrimos a las 9.');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('Cerramos a las 18.');
  await expect(reply).toHaveValue('Abrimos a las 9.\nCerramos a las 18.');
  await page.keyboard.press('Enter');

  const thread = page.getByRole('list', { name: 'Messages' });
  await expect(thread.getByRole('listitem').filter({ hasText: 'Cerramos a las 18.' })).toContainText('Sent');
  await expect(reply).toHaveValue('');
  const sent = (await outbox(page.request, linked.e164)).map((m) => m.text);
  expect(sent).toEqual(['Abrimos a las 9.\nCerramos a las 18.']);

  // The list says the last word was ours; a new message from the contact replaces it.
  await page.goto('/inbox');
  const row = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Tomás' });
  await expect(row).toContainText('You: Abrimos a las 9.');
  expect((await sim.message(linked.e164, { from: '+573005550133', name: 'Tomás', text: 'Gracias' })).status()).toBe(202);
  await expect(row).toContainText('Gracias');
  await expect(row).not.toContainText('You:');
});

test('a chat opens at its newest message, with a day separator and HH:MM on every bubble', async ({ page }) => {
  const tenant = new Tenant('chatview');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await linkNewAccount(page, linked.e164, 'Largo');
  const sim = new Simulator(page.request);
  for (let n = 1; n <= 30; n++) {
    expect((await sim.message(linked.e164, { from: '+573005550155', name: 'Inés', text: `Mensaje número ${n}` })).status()).toBe(202);
  }
  await page.setViewportSize({ width: 1280, height: 700 });
  await page.goto('/inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Inés' }).getByRole('link').click();
  const thread = page.getByRole('list', { name: 'Messages' });
  // Exact text: a bubble's whole text also holds its time ("Mensaje número 3" + "06:37").
  const newest = thread.getByRole('listitem').filter({ has: page.getByText('Mensaje número 30', { exact: true }) });
  await expect(newest).toBeInViewport();
  await expect(thread.getByRole('listitem').filter({ hasText: 'Mensaje número 1' }).first()).not.toBeInViewport();
  // One separator for the day, reading "Today"; each bubble says its time as HH:MM.
  await expect(thread.locator('.day-separator:not([hidden])')).toHaveText(['Today']);
  await expect(newest.locator('time')).toHaveText(/^\d\d:\d\d$/);

  // Scrolled up to read, a new message does not pull the chat down: a pill offers the way.
  const first = thread.getByRole('listitem').filter({ hasText: 'Mensaje número 1' }).first();
  await thread.evaluate((el) => el.scrollTo(0, 0));
  await expect(first).toBeInViewport();
  expect((await sim.message(linked.e164, { from: '+573005550155', name: 'Inés', text: 'Mensaje número 31' })).status()).toBe(202);
  const arrived = thread.getByRole('listitem').filter({ has: page.getByText('Mensaje número 31', { exact: true }) });
  const pill = page.getByRole('button', { name: 'New messages ↓' });
  await expect(pill).toBeVisible();
  await expect(arrived).toBeAttached();
  await expect(arrived).not.toBeInViewport();
  await expect(first).toBeInViewport();
  await pill.click();
  await expect(arrived).toBeInViewport();
  await expect(pill).toBeHidden();
  // At the bottom, the next one is simply followed.
  expect((await sim.message(linked.e164, { from: '+573005550155', name: 'Inés', text: 'Mensaje número 32' })).status()).toBe(202);
  await expect(thread.getByRole('listitem').filter({ has: page.getByText('Mensaje número 32', { exact: true }) })).toBeInViewport();
  await expect(pill).toBeHidden();
});
