import { defineConfig } from '@playwright/test';
import { baseURL, firebreakBin, firebreakEnv, shellQuote } from './e2e/env';

/**
 * Browser tests against the real `firebreak` binary (see frontend/README.md).
 *
 * Order matters: Playwright starts `webServer` BEFORE `globalSetup`. The server
 * must not start on an empty database, so the command migrates first; the global
 * setup then migrates again (a no-op) and creates the users.
 */
const bin = shellQuote(firebreakBin);

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
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `${bin} migrate up && exec ${bin} serve`,
    url: `${baseURL}/healthz`,
    env: firebreakEnv,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
