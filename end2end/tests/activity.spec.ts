import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

const AUDIT_PATH = '/settings/company/audit-log';

async function disconnect(page: Page, card: Locator) {
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(card.getByText('Disconnected', { exact: true })).toBeVisible();
}

test('a card charts its week and its History follows what happens to it, live', async ({ page }) => {
  const tenant = new Tenant('history');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const phone = uniqueMexicanNumber();
  const card = await linkNewAccount(page, phone.e164, 'History Line');

  const sim = new Simulator(page.request);
  const customer = uniqueMexicanNumber().e164;
  for (const text of ['hola', '¿siguen abiertos?']) {
    expect((await sim.message(phone.e164, { from: customer, name: 'Rosa', text })).status()).toBe(202);
  }
  await expect(async () => {
    await page.reload();
    await expect(card.getByRole('figure')).toContainText('2 in, 0 out this week', { timeout: 1_000 });
  }).toPass();
  // Drawn on the server: seven days, an in and an out bar each, the busiest day full height.
  const bars = card.getByRole('figure').locator('svg rect');
  await expect(bars).toHaveCount(14);
  await expect(bars.nth(12)).toHaveAttribute('height', '32');

  await card.getByRole('button', { name: 'Details' }).click();
  await expect(card.locator('.session-details').getByRole('figure')).toContainText('2 in, 0 out in the last 24 hours');

  await card.getByRole('button', { name: 'History', exact: true }).click();
  const history = card.getByRole('region', { name: 'History' });
  const entries = history.getByRole('listitem');
  await expect(entries.last()).toContainText('Added by Ana Admin');
  await expect(history).toContainText('Linked from +52');
  await expect(card.getByRole('button', { name: 'Hide history' })).toHaveAttribute('aria-expanded', 'true');

  // Left open, it hears of the Disconnect without being asked again.
  await disconnect(page, card);
  await expect(entries.first()).toContainText('Disconnected by Ana Admin');
});

test('the audit log lists each admin action with who and from where, filters it, and exports it as CSV', async ({ page, browser }) => {
  const tenant = new Tenant('audit');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const card = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Audit Line');
  await disconnect(page, card);

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(AUDIT_PATH);
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows.filter({ hasText: 'Disconnected' })).toContainText('Ana Admin');
  await expect(rows.filter({ hasText: 'Disconnected' })).toContainText('127.0.0.1');
  await expect(rows.filter({ hasText: 'Added' })).toHaveCount(1);

  await page.getByLabel('Person').selectOption({ label: 'Ana Admin' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/person=\d+/);
  await expect(rows.filter({ hasText: 'Added' })).toHaveCount(1);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('audit-log.csv');
  const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
  expect(csv[0]).toBe('time,person,address,action,channel,channel_id,details');
  expect(csv.slice(1).map((line) => line.split(',')[3])).toEqual(['disconnected', 'added']);
  expect(csv.slice(1).every((line) => line.includes(',Ana Admin,127.0.0.1,'))).toBe(true);

  // Elena manages channels but is no Global Admin: no link, and the page refuses her.
  const elena = await browser.newPage();
  await ChannelsPage.signedInAs(elena, tenant.elena.email);
  await expect(elena.getByRole('link', { name: 'WhatsApp Web' })).toBeVisible();
  await expect(elena.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await elena.goto(AUDIT_PATH);
  await expect(elena.getByRole('alert')).toHaveText('Only global admins can read the audit log');
  await expect(elena.getByRole('table')).toHaveCount(0);
  await elena.close();
});
