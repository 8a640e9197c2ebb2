import { expect, type Page } from '@playwright/test';
import { LoginPage } from './login-page';

export const INBOX_PATH = '/inbox';

export class InboxPage {
  constructor(readonly page: Page) {}

  /** Signs in a member who is not a channels admin: they start in the inbox. */
  static async signedInAs(page: Page, email: string): Promise<InboxPage> {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(email);
    await expect(page).toHaveURL(INBOX_PATH);
    return new InboxPage(page);
  }

  rows() {
    return this.page.getByRole('list', { name: 'Conversations' }).getByRole('listitem');
  }

  empty() {
    return this.page.getByText('No conversations yet');
  }
}
