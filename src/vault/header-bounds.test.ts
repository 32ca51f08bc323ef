/**
 * The vault header is untrusted input: out-of-range or damaged KDF parameters are VAULT_CORRUPT before any
 * Argon2 run (no unlock blocked for minutes or killed by a 2 TiB allocation), and never count as a
 * wrong-passphrase guess. A production vault (default parameters) refuses headers below the floor.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultCorruptError, WrongPassphraseError } from '../errors.js';
import { setLogSink } from '../log.js';
import { KDF_FLOOR, MAX_KDF_MEMORY_KIB } from './kdf.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { VAULT_FILES, Vault, type VaultOptions } from './vault.js';

const PASSPHRASE = 'bounded header';
const pass = (): Buffer => Buffer.from(PASSPHRASE, 'utf8');
const disposers: (() => void)[] = [];
afterEach(() => {
  while (disposers.length) disposers.pop()?.();
});

const FAST: VaultOptions = { kdf: TEST_KDF };
/** Production parameters: the app passes no `kdf`. */
const PRODUCTION: VaultOptions = {};

function open(dir: string, options: VaultOptions = FAST): Vault {
  const vault = new Vault(dir, options);
  disposers.unshift(() => vault.lock('shutdown'));
  return vault;
}

/** A locked TEST_KDF vault with one wrong guess recorded, so the throttle file exists to be compared. */
async function lockedVault(): Promise<{ dir: string; header: string; throttle: string }> {
  const profile = createTestProfile();
  disposers.push(() => profile.dispose());
  const vault = open(profile.dir);
  await vault.create(pass());
  vault.lock();
  setLogSink(() => undefined);
  try {
    await expect(open(profile.dir).unlock(Buffer.from('wrong'))).rejects.toBeInstanceOf(WrongPassphraseError);
  } finally {
    setLogSink(undefined);
  }
  const throttle = join(profile.dir, VAULT_FILES.throttle);
  expect(existsSync(throttle)).toBe(true);
  return { dir: profile.dir, header: join(profile.dir, VAULT_FILES.header), throttle };
}

type Slot = Record<string, unknown>;
const withCurrent = (header: string, change: (slot: Slot) => Slot): string => {
  const parsed = JSON.parse(header) as { current: Slot };
  return JSON.stringify({ ...parsed, current: change(parsed.current) });
};

async function expectCorruptWithoutAGuess(
  target: { dir: string; header: string; throttle: string },
  headerText: string,
  options: VaultOptions = FAST,
): Promise<void> {
  const good = readFileSync(target.header);
  const throttleBefore = readFileSync(target.throttle);
  writeFileSync(target.header, headerText);
  try {
    const started = performance.now();
    const unlocking = open(target.dir, options).unlock(pass());
    await expect(unlocking).rejects.toBeInstanceOf(VaultCorruptError);
    await expect(unlocking).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
    // No Argon2 run: well under one derivation at the default parameters.
    expect(performance.now() - started).toBeLessThan(500);
    expect(readFileSync(target.throttle)).toEqual(throttleBefore);
  } finally {
    writeFileSync(target.header, good);
  }
}

describe('vault header bounds', () => {
  it('out-of-range Argon2 parameters are VAULT_CORRUPT before any derivation, not a guess', async () => {
    const target = await lockedVault();
    const header = readFileSync(target.header, 'utf8');
    const cases: Record<string, Slot>[] = [
      { memoryKiB: { memoryKiB: 2 ** 31 } },
      { memoryKiB: { memoryKiB: MAX_KDF_MEMORY_KIB + 1 } },
      { timeCost: { timeCost: 1_000_000 } },
      { timeCost: { timeCost: 33 } },
      { parallelism: { parallelism: 17 } },
      { parallelism: { parallelism: 0 } },
      { negative: { memoryKiB: -65536 } },
      { fraction: { timeCost: 1.5 } },
      { string: { memoryKiB: '8192' } },
      { null: { timeCost: null } }, // what JSON.stringify makes of NaN
      { missing: { parallelism: undefined } },
      { 'memory below 8 KiB per lane': { memoryKiB: 64, parallelism: 16 } },
      { 'work: 4 GiB × 32 passes': { memoryKiB: MAX_KDF_MEMORY_KIB, timeCost: 32 } },
    ];
    for (const entry of cases) {
      for (const [name, change] of Object.entries(entry)) {
        await expectCorruptWithoutAGuess(
          target,
          withCurrent(header, (slot) => ({ ...slot, ...change })),
        ).catch((error: unknown) => {
          throw new Error(`case ${name}: ${String(error)}`);
        });
      }
    }
    await open(target.dir).unlock(pass());
  });

  it('a damaged header (truncated, wrong salt, oversized, bad pending slot) is VAULT_CORRUPT, not a guess', async () => {
    const target = await lockedVault();
    const header = readFileSync(target.header, 'utf8');
    const salt = (JSON.parse(header) as { current: { salt: string } }).current.salt;
    const texts: [string, string][] = [
      ['truncated JSON', header.slice(0, Math.floor(header.length / 2))],
      ['empty', ''],
      ['null', 'null'],
      ['15-byte salt', withCurrent(header, (s) => ({ ...s, salt: Buffer.alloc(15, 1).toString('base64') }))],
      ['17-byte salt', withCurrent(header, (s) => ({ ...s, salt: Buffer.alloc(17, 1).toString('base64') }))],
      [
        'salt with junk',
        withCurrent(header, (s) => ({ ...s, salt: `${salt.slice(0, 10)}!!${salt.slice(10)}` })),
      ],
      ['salt not base64', withCurrent(header, (s) => ({ ...s, salt: 12345 }))],
      [
        'out-of-range pending slot',
        JSON.stringify({
          ...(JSON.parse(header) as object),
          pending: { kind: 'argon2id', salt, memoryKiB: 2 ** 40, timeCost: 1, parallelism: 1 },
        }),
      ],
      ['oversized', header.replace(/}\s*$/, `, "padding": "${'x'.repeat(70_000)}" }`)],
    ];
    for (const [name, text] of texts) {
      await expectCorruptWithoutAGuess(target, text).catch((error: unknown) => {
        throw new Error(`case ${name}: ${String(error)}`);
      });
    }
    await open(target.dir).unlock(pass());
  });

  it('a production vault refuses a header weaker than the floor (nothing this app writes is weaker)', async () => {
    const target = await lockedVault();
    expect(TEST_KDF.memoryKiB).toBeLessThan(KDF_FLOOR.memoryKiB);
    // The same TEST_KDF header that opens with TEST_KDF options is refused by default-parameter vaults.
    await expectCorruptWithoutAGuess(target, readFileSync(target.header, 'utf8'), PRODUCTION);
    await open(target.dir).unlock(pass());
  });

  it('configured parameters obey the same bounds, so this app never writes a header it would refuse', () => {
    for (const kdf of [
      { memoryKiB: MAX_KDF_MEMORY_KIB + 1 },
      { timeCost: 33 },
      { parallelism: 17 },
      { memoryKiB: 8, parallelism: 2 },
    ]) {
      expect(() => new Vault('/nonexistent', { kdf }), JSON.stringify(kdf)).toThrow(RangeError);
    }
  });
});
