import { expect, test, type Locator, type Page } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
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
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(page, linked.e164, 'Teléfono de Ventas Bogotá');
  await fits(page, 'Channels, a connected card');
  if (process.env.AURORA_SCREENSHOTS) await page.screenshot({ path: 'test-results/phone-channels.png', fullPage: true });

  // The setup wizard, step by step, and its Next button on screen.
  await card.getByRole('button', { name: 'Finish setup' }).click();
  const wizard = page.getByRole('dialog', { name: 'Set up WhatsApp Web account' });
  await expect(wizard).toBeVisible();
  await fits(page, 'wizard step 1', wizard);
  const next = wizard.getByRole('button', { name: 'Next' });
  const nb = (await next.boundingBox())!;
  expect(nb.x + nb.width, 'Next is on screen').toBeLessThanOrEqual(390);
  await wizard.getByRole('button', { name: 'Cancel' }).click();

  // The Disconnect question.
  await card.getByRole('button', { name: 'Disconnect' }).click();
  const question = page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' });
  await fits(page, 'Disconnect dialog', question);
  await question.getByRole('button', { name: 'Cancel' }).click();

  // A new card showing its QR, which stays at least 160 px wide.
  await page.getByRole('button', { name: 'Add' }).click();
  const qr = page.getByRole('img', { name: 'WhatsApp QR code' });
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
});
