import { expect, test, type Locator, type Page } from '../fixtures';
import { ChannelsPage, hydrated, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// A phone held upright: what our admins often use.
test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

/** Nothing scrolls sideways, and `box` (a dialog), when given, is wholly on screen. */
async function fits(page: Page, what: string, box?: Locator) {
  const widths = await page.evaluate(() => {
    // The deepest elements that reach past the screen's edge, to name the culprit.
    const over = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((el) => ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return { page: document.documentElement.scrollWidth, screen: window.innerWidth, over };
  });
  expect(widths.page, `${what}: the page is ${widths.page} px wide on a ${widths.screen} px screen: ${widths.over.join(', ')}`).toBeLessThanOrEqual(widths.screen);
  if (box) {
    const b = (await box.boundingBox())!;
    expect(b.x, `${what}: starts on screen`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${what}: ends on screen`).toBeLessThanOrEqual(widths.screen);
  }
}

test('every page and dialog fits a 390 px phone without sideways scrolling', async ({ page }) => {
  const tenant = new Tenant('phone');
  await page.goto('/login');
  await fits(page, 'sign-in');

  await ChannelsPage.signedInAs(page, tenant.admin.email);
  await fits(page, 'Channels, empty');

  // The top bar folds into a Menu; the settings list is a page of its own, one link away.
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await fits(page, 'the open menu');
  await menu.click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Settings' })).toBeHidden();
  await page.getByRole('link', { name: '‹ Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await fits(page, 'the settings list');
  await page.getByRole('link', { name: 'Channels › WhatsApp Web' }).click();
  await expect(page.getByRole('heading', { name: 'WhatsApp Web' })).toBeVisible();
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(page, linked.e164, 'Teléfono de Ventas Bogotá');
  await fits(page, 'Channels, a connected card');
  if (process.env.AURORA_SCREENSHOTS) await page.screenshot({ path: 'test-results/phone-channels.png', fullPage: true });

  // The setup wizard, step by step, and its Next button on screen.
  await card.getByRole('button', { name: 'Finish setup' }).click();
  const wizard = page.getByRole('dialog', { name: 'Set up WhatsApp Web account' });
  await expect(wizard).toBeVisible();
  await fits(page, 'the wizard', wizard);
  const next = wizard.getByRole('button', { name: 'Next' });
  const nb = (await next.boundingBox())!;
  expect(nb.x + nb.width, 'Next is on screen').toBeLessThanOrEqual(390);
  await wizard.getByRole('button', { name: 'Cancel' }).click();

  // The Disconnect question.
  await card.getByRole('button', { name: 'Disconnect' }).click();
  const question = page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' });
  await fits(page, 'Disconnect dialog', question);
  await question.getByRole('button', { name: 'Cancel' }).click();

  // A new card: a phone can't scan its own screen, so the pairing code comes first and the
  // QR (which stays at least 160 px wide) is one tap away.
  await page.getByRole('button', { name: 'Add' }).click();
  const qr = page.getByRole('img', { name: 'WhatsApp QR code' });
  await expect(page.getByRole('button', { name: 'Get pairing code' })).toBeVisible();
  await expect(qr).toBeHidden();
  await fits(page, 'Channels, a pairing card');
  await page.getByRole('button', { name: /^Show the QR code instead/ }).click();
  await expect(qr).toBeVisible();
  await fits(page, 'Channels, a QR card');
  expect((await qr.boundingBox())!.width).toBeGreaterThanOrEqual(160);

  // The inbox and a conversation.
  const sim = new Simulator(page.request);
  expect((await sim.message(linked.e164, { from: '+573005550144', name: 'Mariana Fernanda de la Cruz', text: 'Hola, quisiera saber el precio del plan anual para mi tienda en Medellín' })).status()).toBe(202);
  await page.goto('/inbox');
  await expect(page.getByRole('list', { name: 'Conversations' })).toContainText('Mariana');
  await fits(page, 'inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first().getByRole('link').click();
  await expect(page.getByLabel('Reply')).toBeVisible();
  await fits(page, 'conversation');

  // Webhooks, with an endpoint's long URL and its delivery log open.
  await page.goto('/settings/company/webhooks');
  // Typed and sent before the page hydrates, the form would go as a plain GET and reload.
  await hydrated(page);
  await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/a-rather-long-path/for-an-endpoint/that-goes-on-and-on?with=query&and=more');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByRole('button', { name: 'I have copied it' })).toBeVisible();
  await fits(page, 'Webhooks, the secret shown');
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await expect(page.getByText(/^Not delivered/)).toBeVisible();
  await page.getByRole('button', { name: 'Delivery log' }).click();
  await expect(page.getByRole('table')).toContainText('Failed');
  await fits(page, 'Webhooks, a delivery log');
});

test('on a phone, linking starts with the pairing code for the number typed', async ({ page }) => {
  const tenant = new Tenant('touch');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await page.getByRole('button', { name: 'Add' }).click();
  await page.getByLabel('Phone number').fill(linked.international);
  await page.getByRole('button', { name: 'Get pairing code' }).click();
  const code = page.getByLabel('Pairing code');
  await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  const typed = (await code.textContent())!.replace('-', '');
  const sim = new Simulator(page.request);
  expect((await sim.enterPairCode(linked.e164, typed, 'Tienda Móvil')).status()).toBe(200);
  await expect(page.getByRole('article').filter({ hasText: 'Tienda Móvil' }).getByText('Connected', { exact: true })).toBeVisible();
});
