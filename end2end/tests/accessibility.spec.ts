import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

/** axe-core's serious and critical findings on what the page shows now, one line each. */
async function problems(page: Page, what: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

for (const size of [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
]) {
  test(`no serious or critical accessibility problems on any page or dialog (${size.name})`, async ({ page }) => {
    test.setTimeout(60_000);
    await page.setViewportSize(size.viewport);
    const found: string[] = [];
    const tenant = new Tenant(`axe-${size.name}`);
    await page.goto('/login');
    found.push(...(await problems(page, 'sign-in')));

    await ChannelsPage.signedInAs(page, tenant.admin.email);
    const linked = uniqueMexicanNumber();
    const card = await linkNewAccount(page, linked.e164, 'Accesible');
    found.push(...(await problems(page, 'Channels')));

    await card.getByRole('button', { name: 'Finish setup' }).click();
    await expect(page.getByRole('dialog', { name: 'Set up WhatsApp Web account' })).toBeVisible();
    await expect(page.getByText('Step 3 of 5')).toBeVisible();
    found.push(...(await problems(page, 'setup wizard')));
    await page.keyboard.press('Escape');

    await card.getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByRole('alertdialog')).toBeVisible();
    found.push(...(await problems(page, 'Disconnect dialog')));
    await page.keyboard.press('Escape');

    // The Disable question, then the Delete warning of the disabled card.
    const spare = await linkNewAccount(page, uniqueMexicanNumber().e164, 'Para borrar');
    await spare.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' }).getByRole('button', { name: 'Disconnect' }).click();
    await expect(spare.getByText('Disconnected', { exact: true })).toBeVisible();
    await spare.getByRole('button', { name: 'Disable' }).click();
    await expect(page.getByRole('alertdialog', { name: 'Disable this WhatsApp account?' })).toBeVisible();
    found.push(...(await problems(page, 'Disable dialog')));
    await page.getByRole('alertdialog', { name: 'Disable this WhatsApp account?' }).getByRole('button', { name: 'Disable' }).click();
    await new ChannelsPage(page).showDisabled().click();
    const disabled = page.getByRole('article').filter({ hasText: 'Para borrar' });
    await disabled.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('alertdialog', { name: 'Delete WhatsApp Web account' })).toBeVisible();
    found.push(...(await problems(page, 'Delete dialog')));
    await page.keyboard.press('Escape');

    await card.getByRole('button', { name: 'History', exact: true }).click();
    await expect(card.getByRole('region', { name: 'History' }).getByRole('listitem').first()).toBeVisible();
    found.push(...(await problems(page, 'a card with its History open')));

    await page.goto('/settings/company/audit-log');
    await expect(page.getByRole('table')).toBeVisible();
    found.push(...(await problems(page, 'audit log')));
    await page.goto('/settings/company/webhooks');
    await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add endpoint' })).toBeEnabled();
    found.push(...(await problems(page, 'webhooks')));
    await page.goto('/settings/company/channels/whatsapp-web');

    await page.getByRole('button', { name: 'Add' }).click();
    await expect(page.getByRole('img', { name: 'WhatsApp QR code' })).toBeVisible();
    found.push(...(await problems(page, 'a QR card')));

    const sim = new Simulator(page.request);
    expect((await sim.message(linked.e164, { from: '+573005550166', name: 'Julia', text: 'Hola' })).status()).toBe(202);
    await page.goto('/inbox');
    await expect(page.getByRole('list', { name: 'Conversations' })).toContainText('Julia');
    found.push(...(await problems(page, 'inbox')));
    await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first().getByRole('link').click();
    await expect(page.getByLabel('Reply')).toBeVisible();
    found.push(...(await problems(page, 'conversation')));

    expect(found).toEqual([]);
  });
}

test('the accessibility check finds what it should (a nameless button)', async ({ page }) => {
  await page.goto('/login');
  await page.evaluate(() => document.body.appendChild(document.createElement('button')));
  expect((await problems(page, 'sign-in with a nameless button')).join('\n')).toContain('button-name');
});
