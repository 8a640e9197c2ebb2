import { expect, test, type Page } from '../fixtures';
import { ChannelsPage, linkNewAccount, setUpChannel } from '../pages/channels-page';
import { InboxPage } from '../pages/inbox-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// The agent's inbox as on WhatsApp Web: a live list beside the open chat, unread counts in
// the list and the tab title, opt-in notifications, search and Mine / Unassigned / All.

/** A browser Notification that records what it was asked to show (headless Chromium has none to look at). */
const recordNotifications = () => {
  const shown: { title: string; body?: string }[] = [];
  class RecordedNotification {
    static permission = 'default';
    static async requestPermission() {
      RecordedNotification.permission = 'granted';
      return 'granted';
    }
    constructor(title: string, options?: { body?: string }) {
      shown.push({ title, body: options?.body });
    }
  }
  Object.defineProperty(window, 'Notification', { value: RecordedNotification, configurable: true, writable: true });
  Object.defineProperty(window, 'shownNotifications', { value: shown });
};
const shown = (page: Page) => page.evaluate(() => (window as unknown as { shownNotifications: { title: string; body?: string }[] }).shownNotifications);

async function channelOwnedByBruno(browser: import('@playwright/test').Browser, label: string) {
  const tenant = new Tenant(label);
  const admin = await browser.newPage();
  await ChannelsPage.signedInAs(admin, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(admin, linked.e164, `Ventas ${label}`);
  await setUpChannel(admin, card, 'Bruno Díaz', [], []);
  return { tenant, linked, sim: new Simulator(admin.request) };
}

test('two panes: the list stays live beside the chat, with unread counts, the tab title and notifications', async ({ browser }) => {
  test.setTimeout(90_000);
  const { tenant, linked, sim } = await channelOwnedByBruno(browser, 'panes');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(recordNotifications);
  const bruno = await InboxPage.signedInAs(page, tenant.bruno.email);
  await expect(page).toHaveTitle('Inbox · Aurora');

  for (const text of ['Hola', '¿Tienen envíos a Bogotá?']) {
    expect((await sim.message(linked.e164, { from: '+573001112233', name: 'Valentina', text })).status()).toBe(202);
  }
  const valentina = bruno.rows().filter({ hasText: 'Valentina' });
  await expect(valentina.getByLabel('2 unread messages')).toHaveText('2');
  await expect(valentina).toHaveClass(/unread/);
  await expect(page).toHaveTitle('(1) Inbox · Aurora');

  // Notifications are asked for only on a click, then come for the agent's conversations.
  const toggle = page.getByRole('button', { name: 'Turn on notifications' });
  await toggle.click();
  await expect(page.getByRole('button', { name: 'Notifications on' })).toHaveAttribute('aria-pressed', 'true');
  expect((await sim.message(linked.e164, { from: '+525544556677', name: 'Pedro', text: 'Buenos días' })).status()).toBe(202);
  const pedro = bruno.rows().filter({ hasText: 'Pedro' });
  await expect(pedro.getByLabel('1 unread message')).toBeVisible();
  await expect(page).toHaveTitle('(2) Inbox · Aurora');
  await expect.poll(() => shown(page)).toContainEqual({ title: 'Pedro', body: 'Buenos días' });

  // Opening a chat keeps the list beside it; the chat is read, the count and title follow.
  await valentina.getByRole('link').click();
  await expect(page).toHaveURL(/\/inbox\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Valentina' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Conversations' })).toBeVisible();
  await expect(valentina.getByRole('link')).toHaveAttribute('aria-current', 'page');
  await expect(valentina.locator('.unread-count')).toBeHidden();
  await expect(page).toHaveTitle('(1) Inbox · Aurora');
  await expect(page.getByRole('link', { name: '← Inbox' })).toBeHidden();

  // The list stays live while a chat is open; the open chat takes its own news.
  expect((await sim.message(linked.e164, { from: '+525544556677', name: 'Pedro', text: '¿Siguen ahí?' })).status()).toBe(202);
  await expect(pedro.getByLabel('2 unread messages')).toBeVisible();
  await expect(pedro).toContainText('¿Siguen ahí?');
  expect((await sim.message(linked.e164, { from: '+573001112233', name: 'Valentina', text: 'Gracias' })).status()).toBe(202);
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText('Gracias');
  await expect(valentina).toContainText('Gracias');
  await expect(valentina.locator('.unread-count')).toBeHidden();
  await expect(page).toHaveTitle('(1) Inbox · Aurora');
  expect((await shown(page)).map((n) => n.body)).not.toContain('Gracias');

  // On a phone, one pane at a time: the chat with a way back, then the list.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('list', { name: 'Conversations' })).toBeHidden();
  await page.getByRole('link', { name: '← Inbox' }).click();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByRole('list', { name: 'Conversations' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Valentina' })).toHaveCount(0);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sideways).toBe(0);
});

test('search by name, number and message text, and Mine / Unassigned / All, kept in the URL', async ({ browser }) => {
  test.setTimeout(90_000);
  const { tenant, linked, sim } = await channelOwnedByBruno(browser, 'search');
  expect((await sim.message(linked.e164, { from: '+573009998877', name: 'Lucía Gómez', text: 'Quiero la factura de noviembre' })).status()).toBe(202);
  expect((await sim.message(linked.e164, { from: '+525511223344', name: 'Pedro', text: 'Hola' })).status()).toBe(202);
  const bruno = await InboxPage.signedInAs(await browser.newPage(), tenant.bruno.email);
  const page = bruno.page;
  await expect(bruno.rows()).toHaveCount(2);

  const search = page.getByRole('searchbox', { name: 'Search conversations' });
  for (const [typed, who] of [['factura', 'Lucía Gómez'], ['lucia', 'Lucía Gómez'], ['55 1122', 'Pedro']]) {
    await search.fill(typed);
    await expect(bruno.rows()).toHaveCount(1);
    await expect(bruno.rows()).toContainText(who);
  }
  await expect(page).toHaveURL(/q=55%201122/);
  await search.fill('nadie dijo esto');
  await expect(page.getByText('No conversations match “nadie dijo esto”.')).toBeVisible();
  await search.fill('');
  await expect(bruno.rows()).toHaveCount(2);

  // Pedro's conversation loses its owner: it is Unassigned, Lucía's stays Bruno's.
  await bruno.rows().filter({ hasText: 'Pedro' }).getByRole('link').click();
  await page.getByLabel('Owner').selectOption({ label: 'No owner' });
  await expect(bruno.rows().filter({ hasText: 'Pedro' })).toContainText('No owner');
  const tabs = page.getByRole('navigation', { name: 'Whose conversations' });
  await tabs.getByRole('link', { name: 'Unassigned' }).click();
  await expect(bruno.rows()).toHaveCount(1);
  await expect(bruno.rows()).toContainText('Pedro');
  await tabs.getByRole('link', { name: 'Mine' }).click();
  await expect(page).toHaveURL(/who=mine/);
  await expect(bruno.rows()).toHaveCount(1);
  await expect(bruno.rows()).toContainText('Lucía Gómez');
  await page.reload();
  await expect(tabs.getByRole('link', { name: 'Mine' })).toHaveAttribute('aria-current', 'page');
  await expect(bruno.rows()).toHaveCount(1);
  await tabs.getByRole('link', { name: 'All' }).click();
  await expect(bruno.rows()).toHaveCount(2);

  // The server checks what it is asked, whatever the page sends.
  const bad = await page.request.post('/api/load_inbox', { form: { who: 'everyone' } });
  expect(bad.status()).toBe(422);
  const long = await page.request.post('/api/load_inbox', { form: { q: 'x'.repeat(101) } });
  expect(long.status()).toBe(422);
});
