import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { firebreakBin, firebreakEnv, users } from './env';

/**
 * Prepares the fresh database the caller handed us: schema, then the users the
 * specs sign in as. Runs once, after webServer has started (see playwright.config.ts).
 */
export default function globalSetup() {
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
}

function firebreak(args: string[], input?: string) {
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
}
