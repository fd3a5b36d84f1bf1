/**
 * Settings shared by playwright.config.ts, the global setup and the specs: which
 * binary to run, where it and the SendGrid simulator listen, and the environment
 * `firebreak` needs.
 *
 * This module is evaluated by the runner and again by every worker; state that
 * must be the same everywhere (the scratch directory, and so the simulator's key
 * pair) is handed down through environment variables, which workers inherit.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of the firebreak binary under test (FIREBREAK_BIN, default ../bin/firebreak). */
export const firebreakBin = path.resolve(frontendDir, process.env.FIREBREAK_BIN ?? '../bin/firebreak');

/** Port for `firebreak serve`; E2E_PORT overrides the default. */
export const port = Number(process.env.E2E_PORT ?? 18080);

/** Port for `firebreak sgsim`; E2E_SIM_PORT overrides the default (the server's port + 1). */
export const simPort = Number(process.env.E2E_SIM_PORT ?? port + 1);

export const baseURL = `http://127.0.0.1:${port}`;
export const simURL = `http://127.0.0.1:${simPort}`;

/**
 * Where the specs' screenshots go: the README's docs/screenshots only with
 * SCREENSHOTS=1 (`make screenshots`), otherwise test-results/screenshots, which
 * git ignores, so `make test` changes no tracked file.
 */
export const screenshotDir = process.env.SCREENSHOTS === '1'
  ? path.resolve(frontendDir, '..', 'docs', 'screenshots')
  : path.resolve(frontendDir, 'test-results', 'screenshots');

/** One scratch directory per run, shared by the runner and its workers. */
export const scratchDir = (process.env.FIREBREAK_E2E_DIR ??= mkdtempSync(path.join(tmpdir(), 'firebreak-e2e-')));

/** The simulator signs its webhooks with this key (PEM); created once per run. */
export const simKeyFile = path.join(scratchDir, 'sim.pem');
/** The simulator writes the verification key here too (--public-key-file). */
export const simPublicKeyFile = path.join(scratchDir, 'sim.pub');

/**
 * The webhook verification key, base64 DER (SubjectPublicKeyInfo) as SendGrid
 * shows it. The key pair is made here, before either process starts, so the
 * server gets the right key whatever order Playwright starts them in.
 */
export const simPublicKey = ensureSimKey();

function ensureSimKey(): string {
  if (!existsSync(simKeyFile)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(simKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return createPublicKey(readFileSync(simKeyFile, 'utf8')).export({ type: 'spki', format: 'der' }).toString('base64');
}

/**
 * Environment for every firebreak invocation. DATABASE_URL and REDIS_URL come from
 * the caller (cmd/devstack); SendGrid is the simulator, whose webhooks the server
 * verifies with the simulator's key.
 */
export const firebreakEnv: Record<string, string> = {
  FIREBREAK_ADDR: `127.0.0.1:${port}`,
  FIREBREAK_PUBLIC_URL: baseURL,
  // Only warnings and errors from the server in the test output (E2E_LOG_LEVEL=info for all).
  FIREBREAK_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
  SENDGRID_API_KEY: 'e2e',
  SENDGRID_API_URL: simURL,
  SENDGRID_WEBHOOK_PUBLIC_KEY: simPublicKey,
};

/** Users the global setup creates; the specs sign in as them. */
export const users = {
  mara: {
    email: 'mara@example.com',
    name: 'Mara Marketer',
    roles: 'marketer',
    password: 'e2e-mara-correct-horse-battery',
  },
  lee: {
    email: 'lee@example.com',
    name: 'Lee Legal',
    roles: 'legal',
    password: 'e2e-lee-staple-lantern-orbit',
  },
  sam: {
    email: 'sam@example.com',
    name: 'Sam Security',
    roles: 'security',
    password: 'e2e-sam-quartz-meadow-violin',
  },
  ari: {
    email: 'ari@example.com',
    name: 'Ari Admin',
    roles: 'admin',
    password: 'e2e-ari-copper-kettle-harbour',
  },
} as const;

/** The admin the global setup seeds the API with (token only, no password). */
export const seedAdmin = { email: 'ada@example.com', name: 'Ada Admin', roles: 'admin' } as const;

/** Quotes a value for the POSIX shell Playwright runs webServer.command with. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
