import { expect, test } from '../fixtures';

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
