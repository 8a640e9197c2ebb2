import { expect, test, type Locator, type Page } from '../fixtures';
import { ChannelsPage, linkNewAccount, setUpChannel } from '../pages/channels-page';
import { InboxPage } from '../pages/inbox-page';
import { outbox, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// A company of its own: Ana Admin (global admin) links the channel; Bruno (in the Ventas
// funnel, the channel's owner) and Carla (Soporte) are agents who start in the inbox.

/** Setup with Bruno as the owner. */
const setUp = (page: Page, card: Locator, restricted: string[], everyone: string[]) =>
  setUpChannel(page, card, 'Bruno Díaz', restricted, everyone);

/** A `datetime-local` value `seconds` from now, in the browser's time zone. */
async function localTimeFromNow(page: Page, seconds: number): Promise<string> {
  return page.evaluate((s) => {
    const d = new Date(Date.now() + s * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, seconds);
}

test('the inbox: live messages, restricted access, a reply delivered, a scheduled message sent', async ({ browser }) => {
  test.setTimeout(90_000);
  const tenant = new Tenant('inbox');
  const admin = await browser.newPage();
  await ChannelsPage.signedInAs(admin, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  const card = await linkNewAccount(admin, linked.e164, 'Ventas Inbox');
  const people = [tenant.admin.name, tenant.elena.name, tenant.bruno.name, tenant.carla.name, tenant.diego.name];
  await setUp(admin, card, [tenant.admin.name, tenant.bruno.name], people);
  await expect(card).toContainText('Bruno Díaz');

  const bruno = await InboxPage.signedInAs(await browser.newPage(), tenant.bruno.email);
  const carla = await InboxPage.signedInAs(await browser.newPage(), tenant.carla.email);
  await expect(bruno.empty()).toBeVisible();

  // A customer writes: Bruno's open inbox shows it without a reload.
  const customer = '+573001234567';
  const sim = new Simulator(admin.request);
  expect((await sim.message(linked.e164, { from: customer, name: 'Valentina', text: 'Hola, ¿tienen envíos a Bogotá?' })).status()).toBe(202);
  const row = bruno.rows().filter({ hasText: 'Hola, ¿tienen envíos a Bogotá?' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('Valentina');
  await expect(row).toContainText('Ventas Inbox');
  await expect(row).toContainText('Bruno Díaz');

  // Carla is not on the channel's list: not in her inbox, not by its address either.
  await carla.page.reload();
  await expect(carla.empty()).toBeVisible();
  const href = await row.getByRole('link').getAttribute('href');
  expect(href).toMatch(/^\/inbox\/\d+$/);
  const asCarla = await carla.page.request.post('/api/load_conversation', { form: { id: href!.split('/').pop()! } });
  expect(asCarla.status()).toBe(404);

  // The list emptied: everyone sees the channel's conversations.
  await setUp(admin, card, [], people);
  await carla.page.reload();
  await expect(carla.rows().filter({ hasText: 'Valentina' })).toBeVisible();

  // Bruno replies; it shows as sent, and the customer's phone got it.
  await row.getByRole('link').click();
  await expect(bruno.page).toHaveURL(href!);
  await expect(bruno.page.getByRole('heading', { name: 'Valentina' })).toBeVisible();
  const thread = bruno.page.getByRole('list', { name: 'Messages' });
  await expect(thread).toContainText('Hola, ¿tienen envíos a Bogotá?');
  await bruno.page.getByLabel('Reply').fill('¡Claro! Enviamos a toda Colombia.');
  await bruno.page.getByRole('button', { name: 'Send' }).click();
  const reply = thread.getByRole('listitem').filter({ hasText: '¡Claro! Enviamos a toda Colombia.' });
  await expect(reply).toContainText('Sent');
  await expect(bruno.page.getByLabel('Reply')).toHaveValue('');
  const delivered = await outbox(admin.request, linked.e164);
  expect(delivered.map((m) => [m.to, m.text])).toContainEqual([customer, '¡Claro! Enviamos a toda Colombia.']);

  // A message scheduled a few seconds ahead goes out by itself; Carla, on the same
  // conversation, sees it scheduled and sent without a reload.
  await carla.page.goto(href!);
  await expect(carla.page.getByRole('heading', { name: 'Valentina' })).toBeVisible();
  await bruno.page.getByLabel('Reply').fill('Le recordamos su pedido.');
  await bruno.page.getByRole('button', { name: 'Schedule a message' }).click();
  await bruno.page.getByLabel('Send at').fill(await localTimeFromNow(bruno.page, 4));
  await expect(bruno.page.getByText(/Your time zone: \S+/)).toBeVisible();
  await bruno.page.getByRole('button', { name: 'Schedule', exact: true }).click();
  const scheduled = bruno.page.getByRole('region', { name: 'Scheduled messages' }).getByRole('listitem').filter({ hasText: 'Le recordamos su pedido.' });
  await expect(scheduled).toContainText('Scheduled');
  await expect(bruno.page.getByLabel('Reply')).toHaveValue('');
  const seenByCarla = carla.page.getByRole('region', { name: 'Scheduled messages' }).getByRole('listitem').filter({ hasText: 'Le recordamos su pedido.' });
  await expect(seenByCarla).toContainText('Scheduled');
  // Once sent it leaves the Scheduled list (for both) and is in the thread.
  await expect(thread.getByRole('listitem').filter({ hasText: 'Le recordamos su pedido.' })).toContainText('Sent', { timeout: 15_000 });
  await expect(scheduled).toHaveCount(0);
  await expect(seenByCarla).toHaveCount(0);
  await expect(carla.page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'Le recordamos su pedido.' })).toContainText('Sent');
  expect((await outbox(admin.request, linked.e164)).filter((m) => m.text === 'Le recordamos su pedido.')).toHaveLength(1);

  // A new message arrives in the open conversation live.
  expect((await sim.message(linked.e164, { from: customer, name: 'Valentina', text: 'Perfecto, gracias' })).status()).toBe(202);
  await expect(thread).toContainText('Perfecto, gracias');
});

test('the inbox refuses anonymous visitors and lapsed companies, and hides other companies', async ({ page, playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  expect((await anonymous.post('/api/load_inbox')).status()).toBe(401);
  expect((await anonymous.get('/api/inbox/events')).status()).toBe(401);
  expect((await anonymous.get('/api/media/1')).status()).toBe(401);
  await anonymous.dispose();

  await ChannelsPage.signedInAs(page, 'ines@lapsed.test');
  expect((await page.request.post('/api/load_inbox')).status()).toBe(403);

  const stranger = await InboxPage.signedInAs(await page.context().browser()!.newPage(), new Tenant('stranger').bruno.email);
  for (const id of ['1', '2', '3']) {
    expect((await stranger.page.request.post('/api/load_conversation', { form: { id } })).status()).toBe(404);
    expect((await stranger.page.request.get(`/api/media/${id}`)).status()).toBe(404);
  }
  await stranger.page.goto('/inbox');
  await expect(stranger.page.getByRole('link', { name: 'Inbox' })).toBeVisible();
  await expect(stranger.empty()).toBeVisible();
});
