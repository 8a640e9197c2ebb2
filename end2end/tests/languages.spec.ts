import { expect, test } from '../fixtures';
import { ChannelsPage, hydrated } from '../pages/channels-page';
import { LoginPage } from '../pages/login-page';
import { Tenant } from '../pages/tenant';

const languages = [
  { locale: 'es-MX', lang: 'es', signIn: 'Iniciar sesión', email: 'Correo electrónico', password: 'Contraseña', signOut: 'Cerrar sesión', inbox: 'Bandeja de entrada', nav: 'Principal' },
  { locale: 'pt-BR', lang: 'pt-BR', signIn: 'Entrar', email: 'E-mail', password: 'Senha', signOut: 'Sair', inbox: 'Caixa de entrada', nav: 'Principal' },
];

for (const words of languages) {
  test.describe(`a browser asking for ${words.locale}`, () => {
    test.use({ locale: words.locale });

    test('signs in and sees the top bar in its language from the first paint, hydrated without errors', async ({ page }) => {
      await page.goto('/login');
      await expect(page.locator('html')).toHaveAttribute('lang', words.lang);
      await expect(page).toHaveTitle(`${words.signIn} · Aurora`);
      await expect(page.getByRole('heading', { name: words.signIn })).toBeVisible();
      await page.getByLabel(words.email).fill('carlos@demo.test');
      await page.getByLabel(words.password).fill('demo-password');
      await page.getByRole('button', { name: words.signIn }).click();
      await expect(page).toHaveURL(/\/settings\//);
      await expect(page.locator('html')).toHaveAttribute('lang', words.lang);
      await expect(page.getByRole('navigation', { name: words.nav }).getByRole('link', { name: words.inbox })).toBeVisible();
      await expect(page.getByRole('button', { name: words.signOut })).toBeVisible();
      // Moving to another page in the browser keeps the language.
      await page.getByRole('link', { name: words.inbox }).click();
      await expect(page).toHaveURL('/inbox');
      await expect(page.getByRole('button', { name: words.signOut })).toBeVisible();
    });
  });
}

test('the language menu redraws the open page at once, without a reload, and stays with the person', async ({ page }) => {
  const tenant = new Tenant('language');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  await page.goto('/inbox');
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { kept: boolean }).kept = true));
  await page.getByRole('combobox', { name: 'Language' }).selectOption('Português (Brasil)');
  await expect(page.getByRole('button', { name: 'Sair' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Caixa de entrada' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.getByRole('combobox', { name: 'Idioma' })).toHaveValue('pt-BR');
  expect(await page.evaluate(() => (window as unknown as { kept?: boolean }).kept)).toBe(true);

  // Signing out and in again, from a browser that asks for English: still Portuguese.
  await page.getByRole('button', { name: 'Sair' }).click();
  await expect(page).toHaveURL('/login');
  // A fresh page for someone not signed in follows the browser.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const login = new LoginPage(page);
  await login.signIn(tenant.admin.email);
  await expect(page.getByRole('button', { name: 'Sair' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await page.getByRole('combobox', { name: 'Idioma' }).selectOption('English');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('a language picked while the page is still loading is taken once the page is ready', async ({ page }) => {
  const tenant = new Tenant('language-early');
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  // Holds the page's code back (routing also turns the browser's cache off), so the menu is
  // used on the server's HTML, before any handler is there.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/pkg\/aurora\.[^/]+\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/inbox');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('Español');
  await expect(page.locator('html[data-hydrated]')).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Cerrar sesión' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Bandeja de entrada' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  // Kept on the person, not only shown: a fresh page from the server is in Spanish.
  await page.unrouteAll();
  await expect(async () => {
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'es', { timeout: 1_000 });
  }).toPass();
  await expect(page.getByRole('combobox', { name: 'Idioma' })).toHaveValue('es');
});

test.describe('a browser asking for none of our languages', () => {
  test.use({ locale: 'de-DE' });

  test("gets the company's default language once signed in, and English before", async ({ page }) => {
    const tenant = new Tenant('company-language', 'es');
    const login = new LoginPage(page);
    await login.goto();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await login.signIn(tenant.admin.email);
    await expect(page.getByRole('button', { name: 'Cerrar sesión' })).toBeVisible();
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'es');
    await expect(page.getByRole('button', { name: 'Cerrar sesión' })).toBeVisible();
  });
});
