import { expect, type APIRequestContext, type Locator } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

export type Linking = { account_id: number; qr: string; expires_in_ms: number; pair_code: string | null };

/** The fake WhatsApp network's control API (only mounted with AURORA_WHATSAPP=simulator). */
export class Simulator {
  constructor(readonly request: APIRequestContext) {}

  async linking(): Promise<Linking[]> {
    const response = await this.request.get('/simulator/api/linking');
    expect(response.ok()).toBe(true);
    return response.json();
  }

  /** `extra`: what else the phone does once linked, e.g. `{ history: [...] }`. */
  async scan(qr: string, phone: string, business_name: string, extra: Record<string, unknown> = {}) {
    return this.request.post('/simulator/api/scan', { data: { qr, phone, business_name, ...extra } });
  }

  async enterPairCode(phone: string, code: string, business_name: string) {
    return this.request.post('/simulator/api/pair-code', { data: { phone, code, business_name } });
  }

  /** A customer writes to the linked number `phone`; `id` repeats a WhatsApp id (a replay). */
  /** Slows the linked phone's sends: each takes `ms` on the wire before WhatsApp confirms it. */
  async sendDelay(phone: string, ms: number) {
    return this.request.post(`/simulator/api/phones/${encodeURIComponent(phone)}/send-delay`, { data: { ms } });
  }

  /** The network swallows the linked phone's sends without WhatsApp's ack (`stall`), or carries them again. */
  async stall(phone: string, stall = true) {
    return this.request.post(`/simulator/api/phones/${encodeURIComponent(phone)}/stall`, { data: stall ? {} : { stall: false } });
  }

  /** WhatsApp refuses this client's version (405) for the linked phone's sessions, or accepts it again. */
  async refuseVersion(phone: string, refused = true) {
    return this.request.post('/simulator/api/version', { data: { phone, refused } });
  }

  /** Takes one linked phone's network down (its session drops and cannot reconnect) or back up. */
  async phoneNetwork(phone: string, up: boolean) {
    return this.request.post(`/simulator/api/phones/${encodeURIComponent(phone)}/network`, { data: { up } });
  }

  /** A customer writes to the linked number `phone`: `from` their number, or `lid` when WhatsApp hides it. */
  async message(
    phone: string,
    body: { from?: string; lid?: string; name: string; text: string; id?: string; media?: { filename: string; content_type: string; base64: string } },
  ) {
    return this.request.post(`/simulator/api/phones/${encodeURIComponent(phone)}/messages`, { data: body });
  }

  /** WhatsApp reveals to the linked number `phone` that the customer shown as `lid` has the number `number`. */
  async revealLid(phone: string, lid: string, number: string) {
    return this.request.post(`/simulator/api/phones/${encodeURIComponent(phone)}/lid-mappings`, { data: { lid, phone: number } });
  }

  /** The customer `from` opens their chat with the linked number `phone`: its replies turn read. */
  async read(phone: string, from: string) {
    return this.request.post(`/simulator/api/phones/${encodeURIComponent(phone)}/read`, { data: { from } });
  }

  /** The read receipts the channel of `phone` sent for its customers' messages. */
  async readMarks(phone: string): Promise<{ phone: string; chat: string; id: string; at_ms: number }[]> {
    const response = await this.request.get(`/simulator/api/phones/${encodeURIComponent(phone)}/read-marks`);
    expect(response.ok()).toBe(true);
    return response.json();
  }

  async unlink(phone: string) {
    return this.request.post(`/simulator/api/phones/${encodeURIComponent(phone)}/unlink`);
  }
}

/** Reads the QR code the way a phone camera would: from pixels on the screen. */
export async function decodeQr(image: Locator): Promise<string> {
  const png = PNG.sync.read(await image.screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(code, 'the QR image decodes').not.toBeNull();
  return code!.data;
}

export type Sent = {
  from: string;
  to: string;
  text: string;
  id: string;
  at_ms: number;
  delivered_at_ms: number | null;
  read_at_ms: number | null;
};

/** What the linked number `phone` sent: delivered to the customer's phone. */
export async function outbox(request: APIRequestContext, phone: string): Promise<Sent[]> {
  const response = await request.get(`/simulator/api/phones/${encodeURIComponent(phone)}/outbox`);
  expect(response.ok()).toBe(true);
  return response.json();
}
