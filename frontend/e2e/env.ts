/**
 * Settings shared by playwright.config.ts, the global setup and the specs: which
 * binary to run, where it listens, and the environment `firebreak` needs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of the firebreak binary under test (FIREBREAK_BIN, default ../bin/firebreak). */
export const firebreakBin = path.resolve(frontendDir, process.env.FIREBREAK_BIN ?? '../bin/firebreak');

/** Port for `firebreak serve`; E2E_PORT overrides the default. */
export const port = Number(process.env.E2E_PORT ?? 18080);

export const baseURL = `http://127.0.0.1:${port}`;

/**
 * Environment for every firebreak invocation. DATABASE_URL and REDIS_URL come from
 * the caller (cmd/devstack); SendGrid points at a closed port so nothing leaves.
 * The webhook key is a throwaway P-256 public key: the server requires one.
 */
export const firebreakEnv: Record<string, string> = {
  FIREBREAK_ADDR: `127.0.0.1:${port}`,
  // Only warnings and errors from the server in the test output (E2E_LOG_LEVEL=info for all).
  FIREBREAK_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
  SENDGRID_API_KEY: 'test',
  SENDGRID_API_URL: 'http://127.0.0.1:9',
  SENDGRID_WEBHOOK_PUBLIC_KEY:
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEL5KP1FE8vXCVFfpAuBEJyMMadx8U0ZOoocM6qo56bJa3iDUwJmupaeOLfLLmJIxVLcLUYgHCAl459gKEiltfww==',
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
} as const;

/** Quotes a value for the POSIX shell Playwright runs webServer.command with. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
