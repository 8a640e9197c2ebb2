import { expect, test } from '../fixtures';
import { CHANNELS_PATH, ChannelsPage } from '../pages/channels-page';
import { LoginPage } from '../pages/login-page';

test('a page without a session redirects to /login', async ({ page }) => {
  await page.goto(CHANNELS_PATH);
  await expect(page).toHaveURL('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('the root sends anonymous visitors to sign in', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL('/login');
});

test('a wrong password is refused with one message for every case', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('carlos@demo.test', 'not-the-password');
  await login.expectError('Invalid email or password');
  await expect(page).toHaveURL('/login');

  await login.signIn('nobody@demo.test', 'demo-password');
  await login.expectError('Invalid email or password');
});

test('signing out ends the session', async ({ page }) => {
  const channels = await ChannelsPage.signedInAs(page, 'carlos@demo.test');
  await channels.signOut();
  await expect(page).toHaveURL('/login');
  await page.goto(CHANNELS_PATH);
  await expect(page).toHaveURL('/login');
});

test('the session cookie is HttpOnly and SameSite=Lax', async ({ page, context }) => {
  await ChannelsPage.signedInAs(page, 'omar@other.test');
  const cookie = (await context.cookies()).find((c) => c.name === 'aurora_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
  expect(cookie?.value).toMatch(/^[0-9a-f]{64}$/);
});

test('signing in again rotates the session id and retires the old one', async ({ page, context, playwright, baseURL }) => {
  await ChannelsPage.signedInAs(page, 'omar@other.test');
  const sessionId = async () => (await context.cookies()).find((c) => c.name === 'aurora_session')?.value;
  const first = await sessionId();

  const again = await page.request.post('/api/login', {
    form: { email: 'omar@other.test', password: 'demo-password' },
  });
  expect(again.ok()).toBe(true);
  const second = await sessionId();
  expect(second).toMatch(/^[0-9a-f]{64}$/);
  expect(second).not.toBe(first);

  const withOldId = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: `aurora_session=${first}` },
  });
  expect((await withOldId.post('/api/signed_in_user')).status()).toBe(401);
  await withOldId.dispose();
});
