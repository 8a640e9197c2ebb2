import { expect, test } from '../fixtures';

// The guard itself must be able to fail: each of these tests is expected to fail because of
// it (test.fail). Should the guard miss the error, the test passes unexpectedly and the run
// goes red.

test('a console error fails the test', async ({ page }) => {
  test.fail();
  await page.goto('/login');
  await page.evaluate(() => console.error('something broke'));
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('an uncaught exception in a page opened with browser.newPage fails the test', async ({ browser }) => {
  test.fail();
  const other = await browser.newPage();
  await other.goto('/login');
  await other.evaluate(() => setTimeout(() => { throw new Error('unreachable'); }, 0));
  await other.waitForTimeout(200);
  await other.close();
});

test('a page that only meets handled client errors passes', async ({ page }) => {
  await page.goto('/login');
  // A wrong password: the server answers 401 and the page says so.
  await page.getByLabel('Email').fill('nobody@demo.test');
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Invalid email or password')).toBeVisible();
});
