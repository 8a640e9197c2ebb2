import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';

export { expect };
export type { BrowserContext, Locator, Page } from '@playwright/test';

/**
 * The browser's own log line for a request the server answered with a client error: the
 * pages ask for some of these on purpose (a wrong password is a 401, a stale card a 409)
 * and show the answer. A 5xx is never expected.
 */
const HANDLED_CLIENT_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

/**
 * Every test, whatever pages it opens (its own `page` or `browser.newPage()`), fails on a
 * page error (an uncaught exception, a WASM panic) or a console error.
 */
export const test = base.extend<{ consoleGuard: void }>({
  consoleGuard: [
    async ({ browser, context }, use) => {
      const problems: string[] = [];
      const watchPage = (page: Page) => {
        page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' && !HANDLED_CLIENT_ERROR.test(message.text())) {
            problems.push(`console error on ${page.url()}: ${message.text()}`);
          }
        });
      };
      const watchContext = (watched: BrowserContext) => {
        watched.pages().forEach(watchPage);
        watched.on('page', watchPage);
      };
      watchContext(context);
      // browser.newPage() goes through newContext, so this sees those pages too.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args: Parameters<typeof newContext>) => {
        const created = await newContext(...args);
        watchContext(created);
        return created;
      };
      await use();
      browser.newContext = newContext;
      expect(problems, 'page errors and console errors').toEqual([]);
    },
    { auto: true },
  ],
});
