import { expect, test, type Locator, type Page } from '../fixtures';
import { CHANNELS_PATH, ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// Each test has a company of its own, so Disable/Delete never touch another test's cards.

const cards = (page: Page) => page.getByRole('region', { name: 'WhatsApp Web accounts' }).getByRole('article');

/** Disable, confirmed in its dialog; the card leaves the list and Undo is offered. */
async function disable(page: Page, card: Locator) {
  await card.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('alertdialog', { name: 'Disable this WhatsApp account?' }).getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('button', { name: 'Undo' })).toBeVisible();
}

async function disconnect(page: Page, card: Locator) {
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(card.getByText('Disconnected', { exact: true })).toBeVisible();
}

test('Disable hides the card, Show disabled (N) shows it and survives a reload, Enable brings it back', async ({ page }) => {
  const tenant = new Tenant('disable');
  const channels = await ChannelsPage.signedInAs(page, tenant.admin.email);
  const card = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Old Line');
  await disconnect(page, card);

  await disable(page, card);
  await expect(cards(page)).toHaveCount(0);
  await expect(channels.showDisabled()).toHaveAccessibleName('Show disabled (1)');
  await channels.showDisabled().click();
  await expect(page).toHaveURL(`${CHANNELS_PATH}?active=false`);
  const disabled = cards(page).filter({ hasText: 'Old Line' });
  await expect(disabled.getByText('Disabled', { exact: true })).toBeVisible();
  await page.reload();
  await expect(disabled.getByText('Disabled', { exact: true })).toBeVisible();

  await disabled.getByRole('button', { name: 'Enable' }).click();
  await expect(disabled.getByText('Disconnected', { exact: true })).toBeVisible();
  await expect(channels.showDisabled()).toHaveAccessibleName('Show disabled (0)');
  await channels.showDisabled().click();
  await expect(page).toHaveURL(CHANNELS_PATH);
  await expect(cards(page).filter({ hasText: 'Old Line' })).toBeVisible();
});

test('Delete: only global admins see it, the warning counts real data, and the card goes from every page', async ({ browser }) => {
  const tenant = new Tenant('delete');
  const ana = await browser.newPage();
  const elena = await browser.newPage();
  await ChannelsPage.signedInAs(ana, tenant.admin.email);
  const sim = new Simulator(ana.request);
  const mainPhone = uniqueMexicanNumber().e164;
  const otherPhone = uniqueMexicanNumber().e164;
  const main = await linkNewAccount(ana, mainPhone, 'Main Line');
  await linkNewAccount(ana, otherPhone, 'Other Line');

  // Ximena writes to both lines (a shared contact); Yolanda only to Main, with a photo.
  const ximena = uniqueMexicanNumber().e164;
  const yolanda = uniqueMexicanNumber().e164;
  const photo = Buffer.alloc(2048, 7).toString('base64');
  for (const text of ['hola', 'sigo aquí', '¿hay alguien?']) {
    expect((await sim.message(mainPhone, { from: ximena, name: 'Ximena', text })).status()).toBe(202);
  }
  const replay = { from: yolanda, name: 'Yolanda', text: 'mira', id: '3EB0REPLAYED', media: { filename: 'foto.jpg', content_type: 'image/jpeg', base64: photo } };
  expect((await sim.message(mainPhone, replay)).status()).toBe(202);
  expect((await sim.message(mainPhone, replay)).status(), 'a replay is accepted and stored once').toBe(202);
  expect((await sim.message(otherPhone, { from: ximena, name: 'Ximena', text: 'hola otra línea' })).status()).toBe(202);

  await disconnect(ana, main);
  await disable(ana, main);
  await ana.goto(`${CHANNELS_PATH}?active=false`);
  const disabled = cards(ana).filter({ hasText: 'Main Line' });
  await expect(disabled.getByRole('button', { name: 'Delete' })).toBeVisible();

  await ChannelsPage.signedInAs(elena, tenant.elena.email);
  await elena.goto(`${CHANNELS_PATH}?active=false`);
  const elenasCard = cards(elena).filter({ hasText: 'Main Line' });
  await expect(elenasCard.getByRole('button', { name: 'Enable' })).toBeVisible();
  await expect(elenasCard.getByRole('button', { name: 'Delete' }), 'not a global admin').toHaveCount(0);
  const id = (await (await ana.request.post('/api/channels_page')).json()).accounts.find((a: { business_name: string }) => a.business_name === 'Main Line').id;
  expect((await elena.request.post('/api/delete_account', { form: { id: String(id), name: 'Main Line' } })).status()).toBe(403);

  await disabled.getByRole('button', { name: 'Delete' }).click();
  const dialog = ana.getByRole('alertdialog', { name: 'Delete WhatsApp Web account' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('2 conversations will be deleted');
  await expect(dialog).toContainText('1 contact associated only with this channel will be deleted');
  await expect(dialog).toContainText('0 scheduled messages will be deleted');
  await expect(dialog).toContainText('1 media file (2.0 KB) will be deleted');
  await expect(dialog).toContainText('This action cannot be undone');
  const remove = dialog.getByRole('button', { name: 'Delete' });
  await expect(remove).toBeDisabled();
  await dialog.getByLabel('Type Main Line to confirm').fill('Main');
  await expect(remove).toBeDisabled();
  await dialog.getByLabel('Type Main Line to confirm').fill('Main Line');
  await remove.click();

  await expect(elenasCard).toHaveCount(0, { timeout: 15_000 });
  await expect(cards(ana).filter({ hasText: 'Main Line' })).toHaveCount(0);
  await expect(cards(ana).filter({ hasText: 'Other Line' })).toBeVisible();
  await elena.close();
});

test('Cancel in the Delete warning keeps the account', async ({ page }) => {
  const tenant = new Tenant('keep');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const card = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Kept Line');
  await disconnect(page, card);
  await disable(page, card);
  // Disabled cards leave the list: wait for that before leaving the page.
  await expect(cards(page).filter({ hasText: 'Kept Line' })).toHaveCount(0);
  await page.goto(`${CHANNELS_PATH}?active=false`);
  const disabled = cards(page).filter({ hasText: 'Kept Line' });
  await disabled.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete WhatsApp Web account' });
  await expect(dialog).toContainText('0 conversations will be deleted');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(disabled.getByText('Disabled', { exact: true })).toBeVisible();
});

test('Disable asks first, focuses Cancel, keeps Tab inside, and offers Undo for a few seconds', async ({ page }) => {
  const tenant = new Tenant('undo');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const card = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Undo Line');
  await disconnect(page, card);

  // The question comes first, with the safe answer focused; Escape keeps the card.
  await card.getByRole('button', { name: 'Disable' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Disable this WhatsApp account?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  // Tab stays inside the dialog, both ways round.
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Disable' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(card.getByText('Disconnected', { exact: true })).toBeVisible();

  // Disabled: the card goes, "Undo Line disabled. Undo" appears with focus on Undo...
  await disable(page, card);
  await expect(cards(page).filter({ hasText: 'Undo Line' })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Undo Line disabled.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toBeFocused();
  // ...and Undo brings it back, Disconnected as before.
  await page.keyboard.press('Enter');
  await expect(cards(page).filter({ hasText: 'Undo Line' }).getByText('Disconnected', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);

  // Left alone, the offer goes by itself.
  await disable(page, cards(page).filter({ hasText: 'Undo Line' }));
  await expect(page.getByRole('button', { name: 'Undo' })).toBeHidden({ timeout: 12_000 });
  await expect(cards(page).filter({ hasText: 'Undo Line' })).toHaveCount(0);
});
