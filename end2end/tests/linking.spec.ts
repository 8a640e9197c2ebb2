import { expect, test, type Page } from '../fixtures';
import { CHANNELS_PATH, ChannelsPage } from '../pages/channels-page';
import { InboxPage } from '../pages/inbox-page';
import { decodeQr, Simulator } from '../pages/simulator';

// These tests add and remove accounts of the demo companies, whose limit is 3: one at a time.
test.describe.configure({ mode: 'serial' });

const cards = (page: Page) => page.getByRole('region', { name: 'WhatsApp Web accounts' }).getByRole('article');
const qrImage = (page: Page) => page.getByRole('img', { name: 'WhatsApp QR code' });

/** Scans whatever QR the page shows, as a phone would; retries once if the ref rotated meanwhile. */
async function scanShownQr(page: Page, sim: Simulator, phone: string, business: string) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const shown = await decodeQr(qrImage(page));
    const pending = await sim.linking();
    const match = pending.find((l) => l.qr === shown);
    if (match) {
      expect(shown.split(',')).toHaveLength(5);
      const response = await sim.scan(shown, phone, business);
      expect(response.status()).toBe(200);
      return match.account_id;
    }
  }
  throw new Error('the QR on the page never matched the simulator');
}

test('Add shows a scannable QR; a scan connects the card in every open page; unlinking disconnects it', async ({ browser }) => {
  const ana = await browser.newPage();
  const carlos = await browser.newPage();
  const anaPage = await ChannelsPage.signedInAs(ana, 'ana@demo.test');
  await ChannelsPage.signedInAs(carlos, 'carlos@demo.test');
  const sim = new Simulator(ana.request);

  await anaPage.addButton().click();
  await expect(qrImage(ana)).toBeVisible();
  await expect(ana.getByText('Tap Link a Device')).toBeVisible();
  await expect(ana.getByText(/New code in \d+ s/)).toBeVisible();
  await expect(qrImage(carlos), 'the new card reaches the other page live').toBeVisible();

  await scanShownQr(ana, sim, '+525512345678', 'Tacos Ana');
  for (const page of [ana, carlos]) {
    const card = cards(page).first();
    await expect(card.getByText('Connected', { exact: true })).toBeVisible();
    await expect(card).toContainText('+52 55 1234 5678');
    await expect(card).toContainText('Tacos Ana');
    // A first link asks for the rest of the setup once, instead of four "Not set".
    await expect(card.getByRole('button', { name: 'Finish setup' })).toBeVisible();
    await expect(card).not.toContainText('Not set');
    await expect(card.getByText('Online')).toBeVisible();
  }
  expect(ana.url()).toContain(CHANNELS_PATH);

  expect((await sim.unlink('+525512345678')).status()).toBe(200);
  for (const page of [ana, carlos]) {
    const card = cards(page).first();
    await expect(card.getByText('Disconnected', { exact: true })).toBeVisible();
    await expect(card).toContainText('Unlinked from the phone');
    await expect(card.getByRole('button', { name: 'Connect' })).toBeVisible();
  }
  await ana.close();
  await carlos.close();
});

test('Connect links again with a pairing code, and Disconnect logs the device out', async ({ page }) => {
  await ChannelsPage.signedInAs(page, 'ana@demo.test');
  const sim = new Simulator(page.request);
  const card = cards(page).first();
  // Connect goes through the setup wizard (covered in setup-wizard.spec.ts): it opens at
  // what is missing; the number and name before it are pre-filled.
  await card.getByRole('button', { name: 'Connect' }).click();
  const wizard = page.getByRole('dialog', { name: 'Set up WhatsApp Web account' });
  const next = wizard.getByRole('button', { name: 'Next' });
  await expect(wizard.getByText('Step 3 of 5')).toBeVisible();
  await wizard.getByRole('button', { name: 'Back' }).click();
  await expect(wizard.getByLabel('Name')).toHaveValue('Tacos Ana');
  await wizard.getByRole('button', { name: 'Back' }).click();
  await expect(wizard.getByText('Will be saved as +52 55 1234 5678')).toBeVisible();
  await next.click();
  await next.click();
  await wizard.getByLabel('Cellphone user').selectOption({ label: 'Ana Torres' });
  await next.click();
  await wizard.getByLabel('Funnel').selectOption({ label: 'Sales' });
  await next.click();
  await wizard.getByRole('button', { name: 'Connect' }).click();
  await expect(qrImage(page)).toBeVisible();

  await card.getByRole('button', { name: 'Link with phone number instead' }).click();
  await card.getByLabel('Phone number').fill('not a phone');
  await card.getByRole('button', { name: 'Get pairing code' }).click();
  await expect(card.getByRole('alert')).toContainText('Enter a valid phone number');

  await card.getByLabel('Phone number').fill('+52 55 1234 5678');
  await card.getByRole('button', { name: 'Get pairing code' }).click();
  const shown = (await card.getByLabel('Pairing code').innerText()).replace('-', '');
  expect(shown).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);
  const pending = await sim.linking();
  expect(pending.map((l) => l.pair_code)).toContain(shown);
  expect((await sim.enterPairCode('+525512345678', shown, 'Tacos Ana')).status()).toBe(200);
  await expect(card.getByText('Connected', { exact: true })).toBeVisible();

  await card.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Disconnect this WhatsApp account?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await expect(card).toContainText('Disconnected by Ana Torres');
  expect((await sim.unlink('+525512345678')).status(), 'the phone no longer lists the device').toBe(404);

  await page.reload();
  await expect(cards(page).first()).toContainText('Disconnected by Ana Torres');
});

test('an unscanned QR expires, a new code can be generated, and Cancel removes a new card', async ({ page }) => {
  await ChannelsPage.signedInAs(page, 'omar@other.test');
  await page.getByRole('button', { name: 'Add' }).click();
  const card = cards(page).first();
  await expect(qrImage(page)).toBeVisible();
  const first = await decodeQr(qrImage(page));

  await expect(card.getByText('QR code expired')).toBeVisible({ timeout: 20_000 });
  const sim = new Simulator(page.request);
  expect((await sim.scan(first, '+971501234567', 'Late')).status()).toBe(410);

  await card.getByRole('button', { name: 'Generate new code' }).click();
  await expect(qrImage(page)).toBeVisible();
  const renewed = await decodeQr(qrImage(page));
  expect(renewed).not.toBe(first);
  // Other files' tests link accounts at the same time: look for this account only.
  const account = (await sim.linking()).find((l) => l.qr === renewed)?.account_id;
  expect(account).toBeDefined();

  await card.getByRole('button', { name: 'Cancel' }).click();
  await expect(cards(page)).toHaveCount(0);
  expect((await sim.linking()).filter((l) => l.account_id === account)).toEqual([]);
});

test('the header counts the channels used; at the limit Add is disabled with the reason, and the server refuses it too', async ({ page }) => {
  await ChannelsPage.signedInAs(page, 'omar@other.test');
  const add = page.getByRole('button', { name: 'Add' });
  const usage = page.locator('#channel-usage');
  await expect(usage).toHaveText('0 of 3 channels used');
  for (let n = 1; n <= 3; n++) {
    await add.click();
    await expect(cards(page)).toHaveCount(n);
    await expect(usage).toContainText(`${n} of 3 channels used`);
  }
  await expect(add).toBeDisabled();
  await expect(usage).toHaveText('3 of 3 channels used. Disable a number or ask for a larger plan to add another.');
  // Past the page: the server's own check.
  const refused = await page.request.post('/api/add_account');
  expect(refused.status()).toBe(409);
  expect(await refused.text()).toContain('Channel limit reached (3 of 3)');
  await expect(cards(page)).toHaveCount(3);
  for (let n = 3; n >= 1; n--) {
    await cards(page).first().getByRole('button', { name: 'Cancel' }).click();
    await expect(cards(page)).toHaveCount(n - 1);
  }
});

/** A complete wizard result, as the browser sends it. */
function saveSetupBody(id: number) {
  return {
    id,
    version: 1,
    action: 'Save',
    form: {
      country: 'MX',
      national_number: '55 1234 5678',
      name: 'Intruder',
      cellphone_user_id: 1,
      funnel_id: 1,
      owner_user_id: null,
      restricted_user_ids: [],
      duplicate_acknowledged: false,
    },
  };
}

test('the server refuses channel actions to those who may not take them', async ({ page, playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  expect((await anonymous.post('/api/add_account')).status()).toBe(401);
  expect((await anonymous.get('/api/channels/events')).status()).toBe(401);
  await anonymous.dispose();

  await InboxPage.signedInAs(page, 'lucia@demo.test');
  for (const [path, form] of [
    ['/api/add_account', {}],
    ['/api/start_linking', { id: '1' }],
    ['/api/cancel_linking', { id: '1' }],
    ['/api/disconnect_account', { id: '1' }],
    ['/api/request_pair_code', { id: '1', phone: '+525512345678' }],
    ['/api/load_setup', { id: '1' }],
    ['/api/disable_account', { id: '1' }],
    ['/api/enable_account', { id: '1' }],
    ['/api/preview_deletion', { id: '1' }],
    ['/api/delete_account', { id: '1', name: 'x' }],
    ['/api/check_setup_phone', { id: '1', country: 'MX', national_number: '55 1234 5678' }],
  ] as const) {
    expect((await page.request.post(path, { form })).status(), path).toBe(403);
  }
  expect((await page.request.post('/api/save_setup', { data: saveSetupBody(1) })).status()).toBe(403);
  expect((await page.request.get('/api/channels/events')).status()).toBe(403);
  // The session details are a channels admin's too.
  expect((await page.request.post('/api/read_session_details', { form: { id: '1' } })).status()).toBe(403);
});

test("another company's admin cannot even see that an account exists", async ({ page, browser }) => {
  await ChannelsPage.signedInAs(page, 'ana@demo.test');
  const mine = await page.request.post('/api/channels_page');
  const ids: number[] = (await mine.json()).accounts.map((a: { id: number }) => a.id);
  expect(ids.length).toBeGreaterThan(0);

  const omar = await browser.newPage();
  await ChannelsPage.signedInAs(omar, 'omar@other.test');
  for (const path of ['/api/start_linking', '/api/disconnect_account', '/api/cancel_linking', '/api/load_setup', '/api/disable_account', '/api/enable_account']) {
    expect((await omar.request.post(path, { form: { id: String(ids[0]) } })).status(), path).toBe(404);
  }
  expect((await omar.request.post('/api/save_setup', { data: saveSetupBody(ids[0]) })).status()).toBe(404);
  // A body that is not the function's arguments is the client's mistake, not the server's.
  const garbled = await omar.request.post('/api/save_setup', { data: { id: ids[0], form: 'x' } });
  expect(garbled.status()).toBe(422);
  expect(await garbled.text()).toContain('not understood');
  await omar.close();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the server-rendered page already shows the current cards', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill('ana@demo.test');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(CHANNELS_PATH);
    const card = cards(page).first();
    await expect(card).toContainText('Disconnected by Ana Torres');
    await expect(card).toContainText('+52 55 1234 5678');
  });
});
