import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../src/settings/store.js';
import { DEFAULT_SETTINGS } from '../src/settings/schema.js';
import { createTestDir } from '../src/test-support/files.js';
import { Vault } from '../src/vault/index.js';

const PASSPHRASE = 'audit cli test passphrase 42';
const root = join(import.meta.dirname, '..');

function run(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['scripts/audit-settings.ts', ...args], {
    cwd: root,
    env: { ...process.env, CARAPACE_PASSPHRASE: undefined, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Report {
  items: { id: string; status: string }[];
  summary: { ok: number; advice: number; total: number; unavailable: number };
  applied: boolean;
}

describe('npm run audit-settings', () => {
  const testDir = createTestDir('carapace-audit-');
  const dir = testDir.path;
  const profile = join(dir, 'profile');

  beforeAll(async () => {
    // Production KDF parameters: the script opens vaults as the app does, and refuses weaker headers.
    const vault = new Vault(profile);
    await vault.create(Buffer.from(PASSPHRASE));
    new SettingsStore(vault.db).patch({ linkPreviews: true, notificationPrivacy: 'name-and-message' });
    vault.lock('shutdown'); // the CLI opens the profile next
  });
  afterAll(() => testDir.dispose());

  it('reports a vault profile (passphrase from the environment) and applies the recommendations', () => {
    const before = run(['--profile', profile, '--format', 'json'], {
      env: { CARAPACE_PASSPHRASE: PASSPHRASE },
    });
    expect(before.stderr).toBe('');
    expect(before.code).toBe(0);
    const report = JSON.parse(before.stdout) as Report;
    const status = Object.fromEntries(report.items.map((i) => [i.id, i.status]));
    expect(status).toMatchObject({
      'link-previews': 'advice',
      'notification-privacy': 'advice',
      'screen-security': 'ok',
      'pin-set': 'advice',
      passphrase: 'ok',
    });

    const applied = run(['--profile', profile, '--apply', '--format', 'json'], { input: `${PASSPHRASE}\n` });
    expect(applied.code).toBe(0);
    expect((JSON.parse(applied.stdout) as Report).applied).toBe(true);

    const after = run(['--profile', profile, '--fail-on-advice'], {
      env: { CARAPACE_PASSPHRASE: PASSPHRASE },
    });
    expect(after.stdout).toContain('[ok]     Link previews off');
    expect(after.stdout).toContain('[advice] Signal PIN set');
    expect(after.code).toBe(2); // PIN, registration lock and proxy still need the user
    expect(after.stdout).not.toContain(PASSPHRASE);
  });

  it('refuses a profile another process has open, before asking for the passphrase', async () => {
    const app = new Vault(profile);
    await app.unlock(Buffer.from(PASSPHRASE));
    try {
      const refused = run(['--profile', profile, '--apply'], { env: { CARAPACE_PASSPHRASE: PASSPHRASE } });
      expect(refused.code).toBe(1);
      // Said once (the CLI applies the UI's rule: the message only when it adds to the explanation).
      expect(refused.stderr).toBe(
        'audit-settings: This profile is open in another Carapace window or command; close that, then try again.\n',
      );
      expect(refused.stdout).toBe('');
    } finally {
      app.lock('shutdown');
    }
  });

  it('fails cleanly on a wrong passphrase', () => {
    const wrong = run(['--profile', profile], { input: 'not the passphrase\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/passphrase is not correct/);
    expect(wrong.stderr).not.toContain('not the passphrase');
  });

  it('reads a settings JSON file, plain or with account facts, and rejects invalid ones', () => {
    const plain = join(dir, 'plain.json');
    writeFileSync(plain, JSON.stringify(DEFAULT_SETTINGS));
    const text = run(['--json', plain]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Account facts');

    const withFacts = join(dir, 'facts.json');
    writeFileSync(
      withFacts,
      JSON.stringify({
        settings: { ...DEFAULT_SETTINGS, disappearingDefaultSeconds: 604_800, proxy: { mode: 'tor' } },
        account: { pinSet: true, pinStrengthBits: 143, registrationLock: true },
      }),
    );
    const all = run(['--json', withFacts, '--format', 'json', '--fail-on-advice']);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as Report).summary).toEqual({
      ok: 11,
      advice: 0,
      total: 11,
      unavailable: 0,
    });

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...DEFAULT_SETTINGS, autoLockSeconds: 7 }));
    const invalid = run(['--json', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/autoLockSeconds/);
    expect(run([]).code).toBe(1);
  });
});
