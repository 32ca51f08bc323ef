import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDir } from '../src/test-support/files.js';
import { Vault } from '../src/vault/index.js';

const PASSPHRASE = 'panic cli test passphrase 42';
const root = join(import.meta.dirname, '..');
const disposers: (() => void)[] = [];
afterEach(() => {
  while (disposers.length) disposers.pop()?.();
});

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['scripts/panic.ts', ...args], {
    cwd: root,
    env: { ...process.env, CARAPACE_PASSPHRASE: undefined, ...env },
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A locked profile with production KDF parameters (the CLI reads vaults as the app does). */
async function profile(options: { panicOptIn?: boolean } = {}): Promise<string> {
  const dir = createTestDir('carapace-panic-');
  disposers.push(() => dir.dispose());
  const path = join(dir.path, 'profile');
  const vault = new Vault(path, { calibrate: false });
  await vault.create(Buffer.from(PASSPHRASE));
  vault.db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept until the wipe')");
  if (options.panicOptIn) vault.setPanicWithoutPassphrase(true);
  vault.lock('shutdown');
  return path;
}

const erased = (path: string): boolean =>
  new Vault(path).state === 'uninitialized' && readdirSync(path).every((name) => name === 'vault.lock');

describe('npm run panic', () => {
  it('erases with the passphrase; refuses a wrong one and a missing profile, changing nothing', async () => {
    const path = await profile();
    const wrong = run(['--profile', path], { CARAPACE_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/passphrase/i);
    expect(new Vault(path).state).toBe('locked');

    expect(run([]).code).toBe(1);
    expect(run(['--profile', join(path, 'nowhere')]).stderr).toMatch(/no Carapace vault/);

    const ok = run(['--profile', path], { CARAPACE_PASSPHRASE: PASSPHRASE });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(erased(path)).toBe(true);
  }, 60_000);

  it('without the passphrase only when the user opted in (the opt-in file goes with the wipe)', async () => {
    const plain = await profile();
    expect(run(['--profile', plain]).code).toBe(1); // empty stdin: an empty passphrase
    expect(new Vault(plain).state).toBe('locked');

    const optedIn = await profile({ panicOptIn: true });
    const ok = run(['--profile', optedIn]);
    expect(ok.code).toBe(0);
    expect(erased(optedIn)).toBe(true);
    expect(existsSync(join(optedIn, 'vault.panic-optin'))).toBe(false);
  }, 60_000);

  it('refuses a profile another process has open (PROFILE_IN_USE) before asking for anything', async () => {
    const path = await profile({ panicOptIn: true });
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/vault/test-support/profile-holder-child.ts'), path, PASSPHRASE],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    disposers.unshift(() => holder.kill('SIGKILL'));
    await new Promise<void>((resolve) =>
      holder.stdout.on('data', (d: Buffer) => d.includes('ready') && resolve()),
    );
    const refused = run(['--profile', path]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/open|in use/i);
    expect(new Vault(path).state).toBe('locked');
  }, 60_000);
});
