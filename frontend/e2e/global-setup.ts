import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { seedRecipients } from './seed';
import { baseURL, firebreakBin, firebreakEnv, seedAdmin, users } from './env';

/**
 * Prepares the fresh database the caller handed us: schema, the users the specs
 * sign in as, an admin API token, a brand and the recipients. Runs once, after
 * both webServers have started (see playwright.config.ts). Campaigns are made
 * by the specs that need them, so the smoke test still meets an empty dashboard.
 *
 * The token and brand id reach the specs as E2E_ADMIN_TOKEN and E2E_BRAND_ID:
 * workers inherit the runner's environment.
 */
export default async function globalSetup() {
  for (const name of ['DATABASE_URL', 'REDIS_URL']) {
    if (!process.env[name]) {
      throw new Error(`${name} is not set: run the e2e through cmd/devstack (see frontend/README.md).`);
    }
  }
  if (!existsSync(firebreakBin)) {
    throw new Error(`firebreak binary not found at ${firebreakBin}: run \`make build\` or set FIREBREAK_BIN.`);
  }

  firebreak(['migrate', 'up']);
  for (const user of Object.values(users)) {
    firebreak(
      ['user', 'add', '--email', user.email, '--name', user.name, '--roles', user.roles, '--password-stdin'],
      `${user.password}\n`,
    );
  }
  firebreak(['user', 'add', '--email', seedAdmin.email, '--name', seedAdmin.name, '--roles', seedAdmin.roles]);
  const token = firebreak(['token', 'create', '--email', seedAdmin.email, '--name', 'e2e-seed']).trim().split('\n').pop()!;
  process.env.E2E_ADMIN_TOKEN = token;

  const brand = await seedRecipients(baseURL, token);
  process.env.E2E_BRAND_ID = brand;
}

function firebreak(args: string[], input?: string): string {
  const result = spawnSync(firebreakBin, args, {
    env: { ...process.env, ...firebreakEnv },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw new Error(`firebreak ${args[0]} ${args[1]}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `firebreak ${args.slice(0, 2).join(' ')} exited with ${result.status}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}
