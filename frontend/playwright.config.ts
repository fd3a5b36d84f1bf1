import { defineConfig } from '@playwright/test';
import { baseURL, firebreakBin, firebreakEnv, shellQuote, simKeyFile, simPublicKeyFile, simURL, simPort } from './e2e/env';

/**
 * Browser tests against the real `firebreak` binary and its SendGrid simulator
 * (see frontend/README.md).
 *
 * Order matters: Playwright starts the `webServer` entries, in order, BEFORE
 * `globalSetup`. The simulator comes first (the server hands mail to it and
 * verifies its signed webhooks with the key pair e2e/env.ts made); the server
 * must not start on an empty database, so its command migrates first; the
 * global setup then migrates again (a no-op), creates the users and seeds
 * recipients through the API.
 */
const bin = shellQuote(firebreakBin);

// The simulator: hands every message out at its send_at, reports events to the
// server's webhook, signed. Hard bounces happen at delivery (15 %: a spike the
// deliverability rules catch at once); spam reports arrive 5–30 min after
// delivery, as SendGrid's do. --seed makes each address's fate the same every run.
const simCommand = [
  `exec ${bin} sgsim`,
  `--addr 127.0.0.1:${simPort}`,
  `--webhook-url ${shellQuote(`${baseURL}/webhooks/sendgrid`)}`,
  `--key-file ${shellQuote(simKeyFile)}`,
  `--public-key-file ${shellQuote(simPublicKeyFile)}`,
  '--spam-report 0.05',
  '--bounce 0.15',
  '--seed 7',
].join(' ');

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    browserName: 'chromium',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
  projects: [
    // The sign-in smoke test expects an empty dashboard: it runs before anything seeds campaigns.
    { name: 'smoke', testMatch: 'smoke.spec.ts' },
    { name: 'flows', testIgnore: 'smoke.spec.ts', dependencies: ['smoke'] },
  ],
  webServer: [
    {
      command: simCommand,
      url: `${simURL}/_sim/stats`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
    {
      command: `${bin} migrate up && exec ${bin} serve`,
      url: `${baseURL}/healthz`,
      env: firebreakEnv,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
  ],
});
