import { expect, type Locator, type Page } from '@playwright/test';
import { LoginPage } from './login-page';
import { decodeQr, Simulator } from './simulator';

export const CHANNELS_PATH = '/settings/company/channels/whatsapp-web';

/** Waits until the page's buttons work: a click on the server's HTML before then is lost. */
export async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

export class ChannelsPage {
  constructor(readonly page: Page) {}

  /** Signs in from the login page and waits for the channels page. */
  static async signedInAs(page: Page, email: string): Promise<ChannelsPage> {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(email);
    await expect(page).toHaveURL(CHANNELS_PATH);
    await hydrated(page);
    return new ChannelsPage(page);
  }

  heading() {
    return this.page.getByRole('heading', { name: 'WhatsApp Web' });
  }

  addButton() {
    return this.page.getByRole('button', { name: 'Add' });
  }

  /** "Show disabled (N)": on, the list includes disabled accounts. */
  showDisabled() {
    return this.page.getByRole('switch', { name: /^Show disabled \(\d+\)$/ });
  }

  header() {
    return this.page.getByRole('banner');
  }

  async signOut() {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }
}

export const accountCards = (page: Page) => page.getByRole('region', { name: 'WhatsApp Web accounts' }).getByRole('article');

/** Adds an account on the Channels page and links it by scanning its QR with a simulated phone. */
/** Adds a channel and scans its QR as the phone `phone`; answers the card (not yet linked). */
export async function scanNewAccount(page: Page, phone: string, business: string, extra: Record<string, unknown> = {}): Promise<Locator> {
  const sim = new Simulator(page.request);
  await page.getByRole('button', { name: 'Add' }).click();
  const qr = page.getByRole('img', { name: 'WhatsApp QR code' });
  // On a touch screen the pairing code comes first; the QR is one tap away.
  const qrInstead = page.getByRole('button', { name: /^Show the QR code instead/ });
  await expect(qr.or(qrInstead)).toBeVisible();
  if (await qrInstead.isVisible()) await qrInstead.click();
  await expect(qr).toBeVisible();
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await sim.scan(await decodeQr(qr), phone, business, extra)).status() === 200) break;
  }
  return accountCards(page).filter({ hasText: business });
}

export async function linkNewAccount(page: Page, phone: string, business: string, extra: Record<string, unknown> = {}): Promise<Locator> {
  const card = await scanNewAccount(page, phone, business, extra);
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();
  return card;
}

/**
 * Runs Setup on a linked card: funnel Ventas, `owner` as owner (and cellphone user when
 * none is set), visible to everyone or only to `restricted` among `everyone` (names).
 */
export async function setUpChannel(page: Page, card: Locator, owner: string, restricted: string[], everyone: string[]) {
  await card.getByRole('button', { name: 'Setup' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up WhatsApp Web account' });
  const next = dialog.getByRole('button', { name: 'Next' });
  // The wizard opens at the first step with something missing: go to step 3 from there.
  const count = dialog.getByText(/^Step \d of 5$/);
  await expect(count).toBeVisible();
  const step = async () => Number((await count.textContent())!.match(/\d/)![0]);
  while ((await step()) < 3) await next.click();
  while ((await step()) > 3) await dialog.getByRole('button', { name: 'Back' }).click();
  await expect(dialog.getByText('Step 3 of 5')).toBeVisible();
  const cellphone = dialog.getByLabel('Cellphone user');
  if ((await cellphone.inputValue()) === '') await cellphone.selectOption({ label: 'Ana Admin' });
  await next.click();
  await dialog.getByLabel('Funnel').selectOption({ label: 'Ventas' });
  await dialog.getByLabel('Owner').selectOption({ label: owner });
  await next.click();
  await expect(dialog.getByText('Step 5 of 5')).toBeVisible();
  for (const name of everyone) {
    const box = dialog.getByLabel(name);
    if (await box.isDisabled()) continue; // the owner and the cellphone user are always in
    if (restricted.includes(name)) await box.check();
    else await box.uncheck();
  }
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
}
