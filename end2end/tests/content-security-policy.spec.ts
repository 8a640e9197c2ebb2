import { expect, test, type Page } from '../fixtures';
import { ChannelsPage, CHANNELS_PATH, linkNewAccount } from '../pages/channels-page';
import { Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

/** Every CSP violation the browser reports on the page, as text. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|CSP/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
  // Injected by the browser's debugger protocol, so the policy itself does not block it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportViolation: (t: string) => void }).reportViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} on ${location.pathname}`,
      );
    });
  });
  return violations;
}

test('every page works under the Content-Security-Policy without a single violation', async ({ page }) => {
  const violations = await watchViolations(page);
  const tenant = new Tenant('csp');

  const login = await page.goto('/login');
  const policy = login!.headers()['content-security-policy'];
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'nonce-");
  expect(policy).not.toContain('unsafe-inline');

  // The Channels page hydrates (the Add button works), links a number, shows live cards.
  await ChannelsPage.signedInAs(page, tenant.admin.email);
  const linked = uniqueMexicanNumber();
  await linkNewAccount(page, linked.e164, 'Politica');

  // The inbox and a conversation, with an attachment shown inline.
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
  const sim = new Simulator(page.request);
  const media = { filename: 'foto.png', content_type: 'image/png', base64: png };
  expect((await sim.message(linked.e164, { from: '+573005550199', name: 'Valeria', text: 'hola', media })).status()).toBe(202);
  await page.goto('/inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'Valeria' }).getByRole('link').click();
  await expect(page.getByRole('img', { name: 'foto.png' })).toBeVisible();
  await page.getByLabel('Reply').fill('Hola Valeria');
  await page.getByRole('button', { name: 'Send' }).click();
  const thread = page.getByRole('list', { name: 'Messages' });
  await expect(thread.getByRole('listitem').filter({ hasText: 'Hola Valeria' })).toContainText('Sent');

  // A page that does not exist, and the Channels page loaded afresh.
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading').first()).toBeVisible();
  await page.goto(CHANNELS_PATH);
  await expect(page.getByRole('button', { name: 'Add' })).toBeEnabled();

  // Served again from memory (a kept page): its scripts run under their hashes, and it works.
  let kept = false;
  for (let attempt = 0; attempt < 10 && !kept; attempt++) {
    const again = await page.reload();
    kept = again!.headers()['server-timing'] === 'page;desc=kept';
    if (kept) {
      const policy = again!.headers()['content-security-policy'];
      expect(policy).toContain("'sha256-");
      expect(policy).not.toContain("'nonce-");
    }
  }
  expect(kept).toBe(true);
  await expect(page.getByRole('button', { name: 'Add' })).toBeEnabled();
  await expect(page.getByText('Politica').first()).toBeVisible();

  expect(violations).toEqual([]);
});
