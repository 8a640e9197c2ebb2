import { expect, test } from '../fixtures';
import { ChannelsPage, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// A 1×1 PNG and the first bytes of a PDF, as a customer's phone would send them.
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4\n%fake invoice\n').toString('base64');

test('attachments open from the conversation: the image renders, the document downloads with its name and type', async ({ page }) => {
  const tenant = new Tenant('attachments');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await linkNewAccount(page, linked.e164, 'Adjuntos');

  const sim = new Simulator(page.request);
  const customer = '+573005550101';
  const photo = { filename: 'pedido.png', content_type: 'image/png', base64: PNG_1X1 };
  const invoice = { filename: 'factura.pdf', content_type: 'application/pdf', base64: PDF };
  expect((await sim.message(linked.e164, { from: customer, name: 'Mateo', text: 'mi pedido', media: photo })).status()).toBe(202);
  expect((await sim.message(linked.e164, { from: customer, name: 'Mateo', text: 'y la factura', media: invoice })).status()).toBe(202);

  await page.goto('/inbox');
  const row = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Mateo' });
  await row.getByRole('link').click();
  await expect(page.getByRole('list', { name: 'Messages' }).getByText('y la factura')).toBeVisible();

  // The image is shown inline and actually decodes (a broken link renders nothing).
  const image = page.getByRole('img', { name: 'pedido.png' });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);

  // The document is a link that downloads under its own name, served with its own type.
  const link = page.getByRole('link', { name: /factura\.pdf/ });
  const href = await link.getAttribute('href');
  expect(href).toMatch(/^\/api\/media\/\d+$/);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('factura.pdf');
  const file = await page.request.get(href!);
  expect(file.status()).toBe(200);
  expect(file.headers()['content-type']).toContain('application/pdf');
  expect((await file.body()).toString()).toContain('%PDF-1.4');
});
