import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The config is evaluated in the runner and again in every worker; the runner picks the
// port and the database folder once and the workers inherit them through the environment.
function freePort(): string {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return execFileSync(process.execPath, ['-e', script]).toString().trim();
}
process.env.AURORA_E2E_PORT ||= freePort();
process.env.AURORA_E2E_DATA ||= mkdtempSync(path.join(tmpdir(), 'aurora-e2e-'));

const port = process.env.AURORA_E2E_PORT;
const root = path.resolve(__dirname, '..');
const targetDir = path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  // One more try for a test that failed: the run reports it as "flaky" (never as passed
  // quietly), and a test that fails twice still fails the run. Two CI runs were lost to
  // one-off timeouts of a loaded machine (README, "Tests").
  retries: 1,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: path.join(targetDir, 'release', 'aurora'),
    cwd: root,
    url: `${baseURL}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
      DATABASE_URL: `sqlite://${process.env.AURORA_E2E_DATA}/aurora.db`,
      AURORA_DEMO: '1',
      AURORA_WHATSAPP: 'simulator',
      // Short QR lifetimes so expiry is testable; the protocol's own are 60 s / 20 s / 6.
      AURORA_SIM_QR_FIRST_SECS: '8',
      AURORA_SIM_QR_NEXT_SECS: '3',
      AURORA_SIM_QR_COUNT: '2',
      AURORA_MEDIA_DIR: path.join(process.env.AURORA_E2E_DATA!, 'media'),
      // A short send timeout, so "may have gone out" is testable against a slowed phone.
      AURORA_SEND_TIMEOUT_SECS: '3',
      // A stalled number's warning comes within seconds (stall.spec).
      AURORA_ACK_TIMEOUT_SECS: '3',
      // Webhooks go to receivers on this machine (webhooks.spec).
      AURORA_WEBHOOK_ALLOW_PRIVATE: '1',
      RUST_LOG: 'warn',
    },
  },
});
