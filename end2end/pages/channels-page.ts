import { expect, type Locator, type Page } from '@playwright/test';
import { LoginPage } from './login-page';
import { decodeQr, Simulator } from './simulator';

export const CHANNELS_PATH = '/settings/company/channels/whatsapp-web';

export class ChannelsPage {
  constructor(readonly page: Page) {}

  /** Signs in from the login page and waits for the channels page. */
  static async signedInAs(page: Page, email: string): Promise<ChannelsPage> {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(email);
    await expect(page).toHaveURL(CHANNELS_PATH);
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

const accountCards = (page: Page) => page.getByRole('region', { name: 'WhatsApp Web accounts' }).getByRole('article');

/** Adds an account on the Channels page and links it by scanning its QR with a simulated phone. */
export async function linkNewAccount(page: Page, phone: string, business: string): Promise<Locator> {
  const sim = new Simulator(page.request);
  await page.getByRole('button', { name: 'Add' }).click();
  const qr = page.getByRole('img', { name: 'WhatsApp QR code' });
  await expect(qr).toBeVisible();
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await sim.scan(await decodeQr(qr), phone, business)).status() === 200) break;
  }
  const card = accountCards(page).filter({ hasText: business });
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();
  return card;
}
