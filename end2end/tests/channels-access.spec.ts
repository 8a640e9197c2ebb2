import { expect, test } from '../fixtures';
import { CHANNELS_PATH, ChannelsPage } from '../pages/channels-page';
import { InboxPage } from '../pages/inbox-page';

for (const [email, name, company] of [
  ['ana@demo.test', 'Ana Torres', 'Demo Company'],
  ['carlos@demo.test', 'Carlos Ruiz', 'Demo Company'],
  ['omar@other.test', 'Omar Haddad', 'Other Company'],
]) {
  test(`channels admin ${name} sees the WhatsApp Web page`, async ({ page }) => {
    const channels = await ChannelsPage.signedInAs(page, email);
    await expect(channels.heading()).toBeVisible();
    await expect(channels.addButton()).toBeVisible();
    await expect(channels.showDisabled()).not.toBeChecked();
    await expect(channels.header()).toContainText(company);
    await expect(channels.header()).toContainText(name);
    await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'WhatsApp Web' })).toBeVisible();
  });
}

test('a member without the role starts in the inbox, and on the Channels page is told why and gets no buttons', async ({ page }) => {
  await InboxPage.signedInAs(page, 'lucia@demo.test');
  await page.goto(CHANNELS_PATH);
  const channels = new ChannelsPage(page);
  await expect(page.getByRole('alert')).toHaveText('You need the Channels Admin role to manage channels');
  await expect(channels.addButton()).toHaveCount(0);
  await expect(channels.showDisabled()).toHaveCount(0);
  await expect(channels.header()).toContainText('Lucía Gómez');
});

test('an admin of a lapsed company is told about the subscription', async ({ page }) => {
  const channels = await ChannelsPage.signedInAs(page, 'ines@lapsed.test');
  await expect(page.getByRole('alert')).toHaveText('An active subscription is required to manage channels');
  await expect(channels.addButton()).toHaveCount(0);
});

test('the server refuses the page data to those who may not see it', async ({ page, playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  expect((await anonymous.post('/api/channels_page')).status()).toBe(401);
  await anonymous.dispose();

  await InboxPage.signedInAs(page, 'lucia@demo.test');
  const asLucia = await page.request.post('/api/channels_page');
  expect(asLucia.status()).toBe(403);
  expect(await asLucia.text()).toContain('Channels Admin');
});

test('the Show disabled switch works in the browser (proves hydration)', async ({ page }) => {
  const channels = await ChannelsPage.signedInAs(page, 'ana@demo.test');
  await channels.showDisabled().click();
  await expect(page).toHaveURL(`${CHANNELS_PATH}?active=false`);
  await expect(channels.showDisabled()).toBeChecked();

  await page.reload();
  await expect(channels.showDisabled()).toBeChecked();

  await channels.showDisabled().click();
  await expect(page).toHaveURL(CHANNELS_PATH);
  await expect(channels.showDisabled()).not.toBeChecked();
});

test('every response carries the security headers', async ({ page }) => {
  const response = await page.goto('/login');
  const headers = response!.headers();
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
});
