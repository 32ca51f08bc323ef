/**
 * Argon2id calibrated to the machine (issue 18): new profiles get parameters whose derivation takes about
 * the target time (never below the floor), stored in the header; a vault whose stored parameters are far
 * under the target offers recalibration, which rekeys (and clears a duress passphrase bound to the old cost).
 * Small targets and floors here; the default is 1 s from 64 MiB, t = 3.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { calibrateKdf, timeDerivation, type Calibration } from './calibrate.js';
import { readHeader } from './header.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { VAULT_FILES, Vault } from './vault.js';

const FLOOR = { memoryKiB: 1024, timeCost: 1, parallelism: 1 };
const SMALL: Calibration = { targetMs: 80, floor: FLOOR };
const pass = (s: string): Buffer => Buffer.from(s, 'utf8');
const disposers: (() => void)[] = [];
afterEach(() => {
  while (disposers.length) disposers.pop()?.();
});

function vaultAt(options: ConstructorParameters<typeof Vault>[1], dir?: string): Vault {
  let path = dir;
  if (!path) {
    const profile = createTestProfile();
    disposers.push(() => profile.dispose());
    path = profile.dir;
  }
  const vault = new Vault(path, options);
  disposers.unshift(() => vault.lock('shutdown'));
  return vault;
}

describe('KDF calibration', () => {
  it('finds parameters that take about the target time, and never goes below the floor', async () => {
    // A target well above what the floor costs on this (shared, loaded) machine right now.
    const floorMs = Math.min(await timeDerivation(FLOOR), await timeDerivation(FLOOR));
    const targetMs = Math.max(SMALL.targetMs, floorMs * 8);
    const params = await calibrateKdf({ targetMs, floor: FLOOR });
    expect(params.memoryKiB).toBeGreaterThan(FLOOR.memoryKiB);
    expect(params.timeCost).toBeGreaterThanOrEqual(FLOOR.timeCost);
    const measured = Math.min(await timeDerivation(params), await timeDerivation(params));
    // Two cores shared by several test runs: the bound is loose, the direction is what matters.
    expect(measured).toBeGreaterThan(targetMs / 8);
    expect(measured).toBeLessThan(targetMs * 8);
    // A target the floor already exceeds gives the floor.
    expect(await calibrateKdf({ targetMs: 0.001, floor: FLOOR })).toEqual(FLOOR);
  });

  it('a new profile stores the calibrated parameters; the status reports the cost per guess', async () => {
    const vault = vaultAt({ kdf: TEST_KDF, calibrate: SMALL });
    await vault.create(pass('calibrated profile'));
    const slot = readHeader(join(vault.profileDir, VAULT_FILES.header))?.current;
    expect(slot?.kind === 'argon2id' && slot.memoryKiB).toBeGreaterThan(FLOOR.memoryKiB);
    expect(vault.kdfStatus?.guessCpuMs).toBeGreaterThan(0);
  });

  it('offers recalibration when the stored cost is far under the target, and applies it by a rekey', async () => {
    const weak = vaultAt({ kdf: TEST_KDF });
    await weak.create(pass('recalibrate me'));
    weak.db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept')");
    await weak.setDuressPassphrase(pass('recalibrate me'), pass('a duress passphrase'));
    expect(weak.kdfStatus?.recalibrationOffered).toBe(false); // a vault without calibration offers none
    weak.lock();

    const vault = vaultAt({ kdf: TEST_KDF, calibrate: { targetMs: 400, floor: FLOOR } }, weak.profileDir);
    await vault.unlock(pass('recalibrate me'));
    expect(vault.kdfStatus?.recalibrationOffered).toBe(true);
    await expect(vault.recalibrateKdf(pass('recalibrate me'))).resolves.toEqual({ duressCleared: true });
    const slot = readHeader(join(vault.profileDir, VAULT_FILES.header))?.current;
    expect(slot?.kind === 'argon2id' && slot.memoryKiB).toBeGreaterThan(TEST_KDF.memoryKiB);
    expect(vault.duressPassphraseSet).toBe(false);
    vault.lock();
    const again = vaultAt({ kdf: TEST_KDF }, weak.profileDir);
    await again.unlock(pass('recalibrate me'));
    expect(again.db.prepare('SELECT body FROM notes').pluck().get()).toBe('kept');
  });
});
