import { expect, type Page } from '@playwright/test';
import { LoginPage } from './login-page';

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

  activeToggle() {
    return this.page.getByRole('switch', { name: 'Active' });
  }

  header() {
    return this.page.getByRole('banner');
  }

  async signOut() {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }
}
