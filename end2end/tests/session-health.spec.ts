import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

test('a Connected card shows the session health, and Details lists the session counters', async ({ page }) => {
  const tenant = new Tenant('health');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const sim = new Simulator(page.request);
  const phone = uniqueMexicanNumber().e164;

  const card = await linkNewAccount(page, phone, 'Health Line');
  // The first sample of the session's counters brings the last activity.
  // Recent times read as how long ago, in the viewer's terms.
  await expect(card.getByText(/^Online · last activity (just now|\d+ min ago) · 0 reconnects$/)).toBeVisible();

  const details = card.getByRole('button', { name: 'Details' });
  await expect(details).toHaveAttribute('aria-expanded', 'false');
  await details.focus();
  await page.keyboard.press('Enter');
  await expect(card.getByRole('button', { name: 'Hide details' })).toHaveAttribute('aria-expanded', 'true');
  const figures = card.locator('dl.figures');
  const figure = (term: string) => figures.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
  await expect(figure('Messages received')).toHaveText('0');
  await expect(figure('Reconnects')).toHaveText('0');
  await expect(figure('Memory retained')).toHaveText('not reported');

  expect((await sim.message(phone, { from: '+573001234567', name: 'Lucía', text: 'Hola, ¿tienen envíos?' })).status()).toBe(202);
  await expect(async () => {
    await card.getByRole('button', { name: 'Refresh' }).click();
    await expect(figure('Messages received')).toHaveText('1', { timeout: 500 });
  }).toPass({ timeout: 5_000 });
  await expect(figure('Data received')).toHaveText(/^\d+ bytes$/);
  await expect(figure('Last activity')).toHaveText(/^(just now|\d+ min ago)$/);
});

test('a Connected card that cannot reach WhatsApp says Reconnecting, in plain words, and Retry now tries at once', async ({ page }) => {
  test.setTimeout(45_000);
  const tenant = new Tenant('reconnecting');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const sim = new Simulator(page.request);
  const phone = uniqueMexicanNumber().e164;
  const card = await linkNewAccount(page, phone, 'Sin Red');
  const badge = card.locator('.badge');
  await expect(badge).toHaveText('Connected');

  // Only this phone's network goes down: the badge no longer says Connected.
  expect((await sim.phoneNetwork(phone, false)).status()).toBe(200);
  await expect(badge).toHaveText('Reconnecting');
  await expect(card.locator('.health')).toContainText(/(Can't reach WhatsApp — retrying|Connection lost — reconnecting) in \d+ s \(attempt \d+\)/);
  await expect(card).not.toContainText('simulated');
  const retry = card.getByRole('button', { name: 'Retry now' });
  await expect(retry).toBeVisible();

  // Once the wait has grown to about 8 s (attempt 4), the network comes back: Retry now
  // reconnects well before the countdown would have.
  await expect(card.locator('.health')).toContainText('(attempt 4)', { timeout: 15_000 });
  expect((await sim.phoneNetwork(phone, true)).status()).toBe(200);
  await retry.click();
  await expect(badge).toHaveText('Connected', { timeout: 3_000 });
  await expect(card.getByText(/^Online · /)).toBeVisible();
});
