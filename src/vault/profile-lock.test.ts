/**
 * One process per profile: a second process that opens a held profile gets PROFILE_IN_USE before any
 * passphrase is tried; a holder killed with -9 blocks no one; a locked app still owns its profile.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileInUseError } from '../errors.js';
import { setLogSink } from '../log.js';
import { createTestProfile, TEST_KDF, TEST_PASSPHRASE, type TestProfile } from '../test-support/vault.js';
import { VAULT_FILES, Vault } from './vault.js';

const CHILD = join(import.meta.dirname, 'test-support', 'profile-holder-child.ts');

interface Holder {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves when the child printed `line`. */
  said(line: string): Promise<void>;
  exited: Promise<void>;
}

function holdInChild(dir: string): Holder {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, TEST_PASSPHRASE]);
  let out = '';
  let err = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (out.split('\n').includes(w.line)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    exited,
    said: (line) =>
      new Promise<void>((resolve, reject) => {
        if (out.split('\n').includes(line)) return resolve();
        waiters.push({ line, resolve });
        void exited.then(() => reject(new Error(`child exited before "${line}": ${err.slice(0, 2000)}`)));
      }),
  };
}

describe('one process per profile', () => {
  let profile: TestProfile;
  const children: ChildProcessWithoutNullStreams[] = [];
  beforeEach(() => {
    setLogSink(() => {});
    profile = createTestProfile('carapace-profile-lock-');
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    profile.dispose();
  });

  it('refuses a second process with PROFILE_IN_USE, before any passphrase guess is counted', async () => {
    const holder = holdInChild(profile.dir);
    children.push(holder.child);
    await holder.said('ready');
    const throttle = (): string => {
      try {
        return readFileSync(join(profile.dir, VAULT_FILES.throttle), 'utf8');
      } catch {
        return '';
      }
    };
    const before = throttle();
    const second = new Vault(profile.dir, { kdf: TEST_KDF });
    const error = await second.unlock(Buffer.from('a wrong guess')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileInUseError);
    expect((error as ProfileInUseError).code).toBe('PROFILE_IN_USE');
    await expect(second.unlock(Buffer.from(TEST_PASSPHRASE))).rejects.toBeInstanceOf(ProfileInUseError);
    expect(throttle()).toBe(before);
    expect(second.state).toBe('locked');

    // A locked app still owns its profile; only a shutdown lets go of it.
    holder.child.stdin.write('lock\n');
    await holder.said('locked');
    await expect(second.unlock(Buffer.from(TEST_PASSPHRASE))).rejects.toBeInstanceOf(ProfileInUseError);
    holder.child.stdin.write('shutdown\n');
    await holder.said('released');
    await second.unlock(Buffer.from(TEST_PASSPHRASE));
    expect(second.state).toBe('unlocked');
    second.lock('shutdown');
  });

  it('refuses to create a vault in a profile another process holds', async () => {
    const holder = holdInChild(profile.dir);
    children.push(holder.child);
    await holder.said('ready');
    const other = new Vault(join(profile.dir), { kdf: TEST_KDF });
    await expect(other.create(Buffer.from(TEST_PASSPHRASE))).rejects.toBeInstanceOf(ProfileInUseError);
  });

  it('a holder killed with -9 blocks no one: the next open succeeds', async () => {
    const holder = holdInChild(profile.dir);
    children.push(holder.child);
    await holder.said('ready');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const next = new Vault(profile.dir, { kdf: TEST_KDF });
    await next.unlock(Buffer.from(TEST_PASSPHRASE));
    expect(next.state).toBe('unlocked');

    // And now this process holds it: a child cannot take it.
    const late = holdInChild(profile.dir);
    children.push(late.child);
    await expect(late.said('ready')).rejects.toThrow(/PROFILE_IN_USE|ProfileInUseError/);
    next.lock('shutdown');
  });

  it('several Vault objects of one process share its hold on the profile', async () => {
    const first = new Vault(profile.dir, { kdf: TEST_KDF });
    await first.create(Buffer.from(TEST_PASSPHRASE));
    first.lock('user');
    const again = new Vault(profile.dir, { kdf: TEST_KDF });
    await again.unlock(Buffer.from(TEST_PASSPHRASE));
    again.lock('shutdown');
    first.lock('shutdown');
    const holder = holdInChild(profile.dir);
    children.push(holder.child);
    await holder.said('ready');
  });
});
