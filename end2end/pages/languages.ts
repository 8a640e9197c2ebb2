import { expect, type Page } from '@playwright/test';

/** English the interface shows; none of it may be left on a page in another language. */
export const ENGLISH = [
  'Add', 'Connected', 'Connecting', 'Disconnected', 'Disconnect', 'Setup', 'Finish setup', 'Cancel',
  'Phone number', 'Business name', 'Cellphone user', 'Funnel', 'Owner', 'Not set', 'Loading',
  'Generate new code', 'QR code', 'New code in', 'Linked Devices', 'Link a Device', 'Open WhatsApp',
  'Link with phone number', 'channels used', 'Online', 'last activity', 'reconnect', 'Details',
  'Set up WhatsApp Web account', 'Step ', 'Next', 'Back', 'Save', 'Name is required', 'Country',
  'Choose', 'Everyone on the team', 'Visible to', 'Show disabled', 'Sign out', 'Inbox', 'Settings',
  'is required', 'Required', 'Optional', 'Conversations stay', 'The phone will show',
  // Dialogs, the passkey step, the session's details, the chat and the server's refusals.
  'Disable', 'Enable', 'Delete', 'will be deleted', 'cannot be undone', 'to confirm', 'passkey',
  'One-time', 'Messages received', 'Messages sent', 'Refresh', 'Hide details', 'Reconnects',
  'Reply', 'Send', 'Schedule', 'Sent', 'Delivered', 'Received', 'Today', 'Invalid email or password',
  "can't be sent", 'not connected', 'Please sign in', 'Something went wrong',
];

/** Fails on any English interface word left in the page's visible text. */
export async function expectNoEnglish(page: Page, where: string) {
  const text = await page.locator('body').innerText();
  const left = ENGLISH.filter((word) => new RegExp(`(^|[^\\p{L}])${word}([^\\p{L}]|$)`, 'u').test(text));
  expect(left, `English left on ${where}:\n${text}`).toEqual([]);
}

/** Fails when the page scrolls sideways. */
export async function expectFitsAPhone(page: Page) {
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sideways).toBe(0);
}
