import { expect, test, type Locator, type Page } from '../fixtures';
import { ChannelsPage } from '../pages/channels-page';
import { decodeQr, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// Each test has a company of its own (made with the server's CLI), so these run in parallel
// with the other files without touching the demo companies' cards.

const cards = (page: Page) => page.getByRole('region', { name: 'WhatsApp Web accounts' }).getByRole('article');
const wizard = (page: Page) => page.getByRole('dialog', { name: 'Set up WhatsApp Web account' });
const qrImage = (page: Page) => page.getByRole('img', { name: 'WhatsApp QR code' });

/** Adds an account and links it by scanning its QR with a simulated phone. */
async function linkNewAccount(page: Page, phone: string, business: string): Promise<Locator> {
  const sim = new Simulator(page.request);
  const before = await cards(page).count();
  await page.getByRole('button', { name: 'Add' }).click();
  await expect(cards(page)).toHaveCount(before + 1);
  const card = cards(page).first();
  await expect(card.getByRole('img', { name: 'WhatsApp QR code' })).toBeVisible();
  for (let attempt = 0; attempt < 3; attempt++) {
    const shown = await decodeQr(card.getByRole('img', { name: 'WhatsApp QR code' }));
    if ((await sim.scan(shown, phone, business)).status() === 200) break;
  }
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();
  return cards(page).filter({ hasText: business }).first();
}

async function optionTexts(select: Locator): Promise<string[]> {
  return (await select.locator('option').allTextContents()).map((t) => t.trim());
}

test('the full wizard saves every field of a connected account, and Back keeps what was typed', async ({ browser }) => {
  const tenant = new Tenant('save');
  const page = await browser.newPage();
  const other = await browser.newPage();
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  await ChannelsPage.signedInAs(other, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(page, linked.e164, 'Tacos Ana');

  await card.getByRole('button', { name: 'Setup' }).click();
  const dialog = wizard(page);
  await expect(dialog).toBeVisible();
  // It opens where something is missing: who holds the phone.
  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  for (const step of ['Phone Number', 'Name', 'Cellphone User', 'Assign New Contacts', 'Restricted Access']) {
    await expect(dialog.getByRole('listitem').filter({ hasText: step })).toBeVisible();
  }
  // Back to the start: the number is the linked phone's, shown and not editable.
  await dialog.getByRole('button', { name: 'Back' }).click();
  await dialog.getByRole('button', { name: 'Back' }).click();
  await expect(dialog.getByText('Step 1 of 5')).toBeVisible();
  await expect(dialog.locator('.linked-phone')).toHaveText(linked.international);
  await expect(dialog.getByText('This is the number of the phone linked to this account.', { exact: false })).toBeVisible();
  await expect(dialog.getByLabel('Phone number')).toHaveCount(0);
  await expect(dialog.getByRole('combobox', { name: 'Country' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Next' }).click();

  await expect(dialog.getByText('Step 2 of 5')).toBeVisible();
  const name = dialog.getByLabel('Name');
  // Pre-filled from what the phone reported when it linked.
  await expect(name).toHaveValue('Tacos Ana');
  await name.fill('   ');
  await expect(dialog.getByText('Name is required')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
  await name.fill('Ventas Bogotá');
  await dialog.getByRole('button', { name: 'Next' }).click();

  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  const cellphoneUser = dialog.getByLabel('Cellphone user');
  expect(await optionTexts(cellphoneUser)).toEqual(['Choose a team member', 'Ana Admin', 'Bruno Díaz', 'Carla Núñez', 'Diego Pérez', 'Elena Ruiz']);
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
  await cellphoneUser.selectOption({ label: 'Bruno Díaz' });

  // Back twice and forward again: nothing typed is lost.
  await dialog.getByRole('button', { name: 'Back' }).click();
  await expect(dialog.getByLabel('Name')).toHaveValue('Ventas Bogotá');
  await dialog.getByRole('button', { name: 'Back' }).click();
  await expect(dialog.getByText('Step 1 of 5')).toBeVisible();
  await expect(dialog.locator('.linked-phone')).toHaveText(linked.international);
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  await expect(dialog.getByLabel('Cellphone user')).toHaveValue(/\d+/);
  await expect(dialog.getByLabel('Cellphone user').locator('option:checked')).toHaveText('Bruno Díaz');
  await dialog.getByRole('button', { name: 'Next' }).click();

  // The owner list follows the funnel; a funnel change drops an owner who isn't a member.
  await expect(dialog.getByText('Step 4 of 5')).toBeVisible();
  const funnel = dialog.getByLabel('Funnel');
  const owner = dialog.getByLabel('Owner');
  await expect(owner).toBeDisabled();
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
  await funnel.selectOption({ label: 'Ventas' });
  expect(await optionTexts(owner)).toEqual(['No owner', 'Ana Admin', 'Bruno Díaz']);
  await owner.selectOption({ label: 'Bruno Díaz' });
  await funnel.selectOption({ label: 'Soporte' });
  await expect(owner.locator('option:checked')).toHaveText('No owner');
  expect(await optionTexts(owner)).toEqual(['No owner', 'Carla Núñez', 'Diego Pérez']);
  await owner.selectOption({ label: 'Carla Núñez' });
  await dialog.getByRole('button', { name: 'Next' }).click();

  await expect(dialog.getByText('Step 5 of 5')).toBeVisible();
  await expect(dialog.getByText('Leave empty to let all team members see conversations from this channel')).toBeVisible();
  await dialog.getByLabel('Diego Pérez').check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  for (const shown of [page, other]) {
    const saved = cards(shown).filter({ hasText: 'Ventas Bogotá' });
    await expect(saved.getByRole('heading', { name: 'Ventas Bogotá' })).toBeVisible();
    await expect(saved).toContainText(linked.international);
    await expect(saved).toContainText('Bruno Díaz');
    await expect(saved).toContainText('Soporte');
    await expect(saved).toContainText('Carla Núñez');
    await expect(saved).toContainText('Diego Pérez');
    await expect(saved).not.toContainText('differs from the configured number');
  }
  await page.reload();
  await expect(cards(page).filter({ hasText: 'Ventas Bogotá' })).toContainText('Diego Pérez');
  await other.close();
});

test('Connect on a disconnected account: a bad number blocks Next, a used one needs acknowledging, and it ends with a QR', async ({ page }) => {
  test.setTimeout(60_000);
  const tenant = new Tenant('connect');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const taken = uniqueMexicanNumber();
  await linkNewAccount(page, taken.e164, 'Main Line');
  const second = uniqueMexicanNumber();
  const card = await linkNewAccount(page, second.e164, 'Second Line');
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(card.getByText('Disconnected', { exact: true })).toBeVisible();

  await card.getByRole('button', { name: 'Connect' }).click();
  const dialog = wizard(page);
  const number = dialog.getByLabel('Phone number');
  const next = dialog.getByRole('button', { name: 'Next' });
  // It opens at what is missing (who holds the phone); the number is one step back, and
  // editable while no phone is linked.
  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  await dialog.getByRole('button', { name: 'Back' }).click();
  await dialog.getByRole('button', { name: 'Back' }).click();
  await expect(dialog.getByText('Step 1 of 5')).toBeVisible();
  await expect(number).toHaveValue(second.national);

  // The preferred countries come first, then the rest alphabetically; a number from
  // another country is read as that country's.
  const country = dialog.getByRole('combobox', { name: 'Country' });
  await expect(country).toHaveValue('Mexico (+52)');
  await country.click();
  const options = dialog.getByRole('option');
  await expect(options.nth(0)).toHaveText('Mexico (+52)');
  await expect(options.nth(1)).toHaveText('Colombia (+57)');
  await expect(options.nth(2)).toHaveText('Argentina (+54)');
  await expect(options.nth(3)).toHaveText('Chile (+56)');
  await expect(options.nth(4)).toHaveText('Afghanistan (+93)');
  await country.fill('colom');
  await expect(options).toHaveCount(1);
  await options.first().click();
  await expect(country).toHaveValue('Colombia (+57)');
  await number.fill('300 123 4567');
  await expect(dialog.getByText('Will be saved as +57 300 1234567')).toBeVisible();
  await country.fill('mexi');
  await options.first().click();

  await number.fill('55 12');
  await expect(dialog.getByText('Enter a valid phone number')).toBeVisible();
  await expect(next).toBeDisabled();
  await number.fill('not a number 📱');
  await expect(dialog.getByText('Enter a valid phone number')).toBeVisible();
  await expect(next).toBeDisabled();

  await number.fill(taken.national);
  await expect(dialog.getByRole('alert').filter({ hasText: 'This number is already used by Main Line' })).toBeVisible();
  await expect(next).toBeDisabled();
  await dialog.getByLabel('Use this number anyway').check();
  await expect(next).toBeEnabled();
  await next.click();
  await dialog.getByLabel('Name').fill('Second Line');
  await next.click();
  await dialog.getByLabel('Cellphone user').selectOption({ label: 'Diego Pérez' });
  await next.click();
  await dialog.getByLabel('Funnel').selectOption({ label: 'Soporte' });
  await next.click();
  await expect(dialog.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog).toBeHidden();

  const linking = cards(page).filter({ hasText: 'Second Line' });
  await expect(linking.getByRole('img', { name: 'WhatsApp QR code' })).toBeVisible();
  // A different phone than the configured one scans: the card says so once connected.
  const sim = new Simulator(page.request);
  const other = uniqueMexicanNumber();
  const shown = await decodeQr(qrImage(page));
  expect((await sim.scan(shown, other.e164, 'Second Line')).status()).toBe(200);
  await expect(linking.getByText('Connected', { exact: true })).toBeVisible();
  await expect(linking).toContainText(`Linked phone ${other.international} differs from the configured number ${taken.international}`);
  await expect(linking).toContainText('Diego Pérez');
});

/** Presses Tab until the focused element is the button or field named `name`. */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '';
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

test('the wizard can be completed with the keyboard alone', async ({ page }) => {
  const tenant = new Tenant('keys');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(page, linked.e164, 'Keyboard Line');
  // A first link asks to finish the setup.
  const setup = card.getByRole('button', { name: 'Finish setup' });
  const dialog = wizard(page);

  await tabTo(page, 'Finish setup');
  await page.keyboard.press('Enter');
  // It opens at the first step with something missing, its field focused.
  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  await expect(dialog.getByLabel('Cellphone user')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(setup, 'focus returns to the button that opened the wizard').toBeFocused();

  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel('Cellphone user')).toBeFocused();
  await tabTo(page, 'Back');
  await page.keyboard.press('Enter');
  await expect(dialog.getByText('Step 2 of 5')).toBeVisible();
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Keyboard Line');
  await page.keyboard.press('Enter');

  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  await expect(dialog.getByLabel('Cellphone user')).toBeFocused();
  await page.keyboard.type('Carla');
  await expect(dialog.getByLabel('Cellphone user').locator('option:checked')).toHaveText('Carla Núñez');
  await tabTo(page, 'Next');
  await page.keyboard.press('Enter');

  await expect(dialog.getByText('Step 4 of 5')).toBeVisible();
  await expect(dialog.getByLabel('Funnel')).toBeFocused();
  await page.keyboard.type('Ventas');
  await page.keyboard.press('Tab');
  await expect(dialog.getByLabel('Owner')).toBeFocused();
  await page.keyboard.type('Bruno');
  await expect(dialog.getByLabel('Owner').locator('option:checked')).toHaveText('Bruno Díaz');
  await tabTo(page, 'Next');
  await page.keyboard.press('Enter');

  await expect(dialog.getByText('Step 5 of 5')).toBeVisible();
  await tabTo(page, 'Save');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  // The save says so, politely (a status region), then the word goes; the button no
  // longer asks to finish.
  await expect(card.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect(card.getByText('Saved', { exact: true })).toBeHidden({ timeout: 8_000 });
  await expect(card.getByRole('button', { name: 'Setup', exact: true })).toBeVisible();
  await expect(card).toContainText(linked.international);
  await expect(card).toContainText('Carla Núñez');
  await expect(card).toContainText('Ventas');
  await expect(card).toContainText('Bruno Díaz');
  await expect(card).toContainText('Everyone on the team');
});

test('Connect on an account already set up shows the QR in its card, without the wizard', async ({ page }) => {
  const tenant = new Tenant('reconnect');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const card = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Set Line');
  await card.getByRole('button', { name: 'Finish setup' }).click();
  const dialog = wizard(page);
  const next = dialog.getByRole('button', { name: 'Next' });
  await dialog.getByLabel('Cellphone user').selectOption({ label: 'Ana Admin' });
  await next.click();
  await dialog.getByLabel('Funnel').selectOption({ label: 'Ventas' });
  await next.click();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(card.getByText('Disconnected', { exact: true })).toBeVisible();

  await card.getByRole('button', { name: 'Connect' }).click();
  await expect(card.getByRole('img', { name: 'WhatsApp QR code' })).toBeVisible();
  await expect(card.getByRole('img', { name: 'WhatsApp QR code' })).toBeInViewport();
  await expect(dialog).toHaveCount(0);
});

test('Enter pressed while the number is still being checked is kept: the wizard moves on once the check passes', async ({ page }) => {
  const tenant = new Tenant('enter');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const card = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Enter Line');
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(card.getByText('Disconnected', { exact: true })).toBeVisible();
  await card.getByRole('button', { name: 'Connect' }).click();
  const dialog = wizard(page);
  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  await dialog.getByRole('button', { name: 'Back' }).click();
  await dialog.getByRole('button', { name: 'Back' }).click();
  // The country from the keyboard: typing its code and Enter picks it, nothing else.
  const country = dialog.getByRole('combobox', { name: 'Country' });
  await country.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('+57');
  await expect(dialog.getByRole('option', { name: 'Colombia (+57)' })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(country).toHaveValue('Colombia (+57)');
  await expect(dialog.getByText('Step 1 of 5'), 'Enter chose the country and did not move on').toBeVisible();
  const number = dialog.getByLabel('Phone number');
  await number.click();
  await number.fill('');
  // Typed and Enter at once: the check (a quarter second after typing stops) is still due.
  await number.pressSequentially('310 555 0123');
  await page.keyboard.press('Enter');
  await expect(dialog.getByText('Step 2 of 5')).toBeVisible();
  await expect(dialog.getByLabel('Name')).toHaveValue('Enter Line');
});
