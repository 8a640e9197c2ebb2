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
  await expect(card.getByText(/^Online · last activity \d{4}-\d\d-\d\d \d\d:\d\d UTC · 0 reconnects$/)).toBeVisible();

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
  await expect(figure('Last activity')).toHaveText(/UTC$/);
});
