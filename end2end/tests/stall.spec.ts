import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { outbox, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

const WARNING = /^⚠ Messages aren't being accepted by WhatsApp \(since \d\d:\d\d\)$/;

// The test server waits 3 s for WhatsApp's ack (AURORA_ACK_TIMEOUT_SECS); the default is 60 s.
test('a number whose sends WhatsApp never acknowledges says so on its card and on the reply, until a message is accepted again', async ({ page, context }) => {
  const tenant = new Tenant('stall');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(page, linked.e164, 'Silencio');
  const sim = new Simulator(page.request);
  const customer = '+573005550199';
  expect((await sim.message(linked.e164, { from: customer, name: 'Matías', text: '¿Me confirman el pedido?' })).status()).toBe(202);

  // The agent answers in a second tab; the Channels page stays open in the first.
  const inbox = await context.newPage();
  await inbox.goto('/inbox');
  await inbox.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Matías' }).getByRole('link').click();
  const thread = inbox.getByRole('list', { name: 'Messages' });
  await expect(thread).toContainText('¿Me confirman el pedido?');

  // The network starts swallowing this number's sends: the socket takes them, WhatsApp never acks.
  expect((await sim.stall(linked.e164)).ok()).toBe(true);
  await inbox.getByLabel('Reply').fill('Sí, sale mañana');
  await inbox.keyboard.press('Enter');
  const lost = thread.getByRole('listitem').filter({ hasText: 'Sí, sale mañana' });
  await expect(lost).toHaveAttribute('data-status', 'unconfirmed', { timeout: 10_000 });
  await expect(lost).toContainText('Not confirmed');
  await expect(lost).toContainText('WhatsApp has not accepted this message');
  await expect(lost.getByRole('button', { name: 'Retry' })).toBeVisible();

  // The card still says Online, and now also what is wrong, live and in words.
  const warning = card.getByRole('alert').filter({ hasText: 'accepted by WhatsApp' });
  await expect(warning).toHaveText(WARNING);
  await expect(card.getByText(/^Online/)).toBeVisible();
  expect((await outbox(page.request, linked.e164)).map((m) => m.text)).toEqual([]);

  // The network carries sends again: the next message WhatsApp accepts clears the warning.
  expect((await sim.stall(linked.e164, false)).ok()).toBe(true);
  await inbox.getByLabel('Reply').fill('¿Sigue ahí?');
  await inbox.keyboard.press('Enter');
  const next = thread.getByRole('listitem').filter({ hasText: '¿Sigue ahí?' });
  await expect(next).toHaveAttribute('data-status', 'delivered');
  await expect(warning).toHaveCount(0);
  await expect(card.getByText(/^Online/)).toBeVisible();
  // The swallowed reply stays Not confirmed: it never reached the customer.
  await expect(lost).toHaveAttribute('data-status', 'unconfirmed');
  expect((await outbox(page.request, linked.e164)).map((m) => m.text)).toEqual(['¿Sigue ahí?']);

  // A reload shows the same: the warning is gone for good.
  await page.reload();
  await expect(card.getByText(/^Online/)).toBeVisible();
  await expect(card.getByText("Messages aren't being accepted", { exact: false })).toHaveCount(0);
});

test('when WhatsApp refuses this version of Aurora the page says so once, above the cards, keeps the link and recovers by itself', async ({ page }) => {
  const tenant = new Tenant('version');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(page, linked.e164, 'Versiones');
  const sim = new Simulator(page.request);
  const banner = page.getByRole('alert').filter({ hasText: 'WhatsApp refused this version of Aurora; update the server.' });

  expect((await sim.refuseVersion(linked.e164)).ok()).toBe(true);
  await expect(banner).toHaveCount(1);
  // The card points at the banner instead of repeating the error (nor blaming the
  // internet connection), and stays linked: it reconnects instead of asking for a new scan.
  await expect(card).toContainText('Waiting for a server update (see above)');
  await expect(card.getByText('Reconnecting', { exact: true })).toBeVisible();
  await expect(card).not.toContainText('internet connection');
  await expect(card.getByRole('img', { name: /QR code/ })).toHaveCount(0);

  // WhatsApp accepts the version again (here: the server was updated): the next try links.
  expect((await sim.refuseVersion(linked.e164, false)).ok()).toBe(true);
  await card.getByRole('button', { name: 'Retry now' }).click();
  await expect(card.getByText(/^Online/)).toBeVisible();
  await expect(banner).toHaveCount(0);
});
